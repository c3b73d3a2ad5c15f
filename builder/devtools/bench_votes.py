"""Vote throughput: durable votes per second against an in-memory route of the same server, with wrk.

For each store (SQLite with one endpoint process; PostgreSQL with two
processes on one throwaway database) and each load (50 and 200 open
connections), wrk first asks for ``GET /openapi.json`` — answered from
memory, touching no store: the baseline — then posts votes, each from a
new voter token (``builder/devtools/wrk/votes.lua``), so every vote is a new row
committed to disk before its 200. The figure that matters is the ratio of
the two rates, measured in the same run on the same machine.

Then a GET flood: votes at 50 connections alone, and again while two more
wrk instances hammer ``GET /v1/tallies/<comparison>`` and ``GET /healthz``
(100 connections each) for the whole run. The ratio of the two vote rates
says how much a flood of reads can take from the votes.

The endpoints run as configured for production except the rate limit, which
is off (``--rate-limit 0``): every request comes from one address here, and
the bench measures the store, not the limiter. The JSON access log is on,
written to a file. With two processes, two wrk instances share the
connections (one per process; wrk has no notion of several hosts): rates are
added, and the higher p50/p99 of the two is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..paths import DEMO, ROOT
from . import bench_record

LUA = ROOT / "builder" / "devtools" / "wrk" / "votes.lua"
SECRET = "bench-secret-shared-by-every-process"


@dataclass
class Figures:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float = 0.0
    """Server CPU time per request (endpoint processes, and PostgreSQL's): unlike rates, a shared machine's
    other work does not change it much, so its ratio is what the rates' ratio would be on a machine of its own."""


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def server_cpu(pids: Sequence[int]) -> float:
    """CPU seconds used so far by these processes and their children (PostgreSQL's backends)."""
    return sum(_cpu_of(pid) + sum(_cpu_of(child) for child in _children(pid)) for pid in pids)


def measure(
    urls: Sequence[str],
    path: str,
    connections: int,
    seconds: int,
    script_args: Sequence[str],
    pids: Sequence[int] = (),
) -> Figures:
    """wrk against every URL at once, the connections shared out; the figures summed up."""
    threads = max(1, 2 // len(urls))
    cpu_before = server_cpu(pids)
    processes = []
    for url in urls:
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections // len(urls)}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(LUA),
            url + path,
            "--",
            *script_args,
        ]
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    for process in processes:
        out, err = process.communicate(timeout=seconds + 60)
        if process.returncode != 0:
            raise SystemExit(f"wrk failed: {err.strip()}")
        results.append(json.loads([line for line in out.splitlines() if line.startswith("{")][-1]))
    requests = sum(r["requests"] for r in results)
    return Figures(
        cpu_us=(server_cpu(pids) - cpu_before) / requests * 1e6 if requests else 0.0,
        rate=sum(r["requests"] / (r["duration_us"] / 1e6) for r in results),
        p50_ms=max(r["p50_us"] for r in results) / 1000,
        p99_ms=max(r["p99_us"] for r in results) / 1000,
        errors=int(sum(r["status_errors"] + r["socket_errors"] for r in results)),
    )


@contextmanager
def endpoints(store: str, workdir: Path) -> Iterator[tuple[list[str], list[int]]]:
    """The endpoint processes of one store, healthy; stopped afterwards."""
    sys.path.insert(0, str(ROOT))
    from tests.helpers.endpoint import launch_endpoint
    from tests.helpers.postgres import PostgresCluster

    bundles = sorted(DEMO.glob("*.json"))
    options = {"rate_limit": 0, "secret": SECRET}
    cluster = None
    try:
        if store == "sqlite":
            started = [launch_endpoint(bundles, workdir / "votes.db", **options)]  # type: ignore[arg-type]
        else:
            cluster = PostgresCluster()
            cluster.start()
            url = cluster.create_database("bench")
            started = [
                launch_endpoint(bundles, workdir / f"pg{n}" / "votes.db", database_url=url, **options)  # type: ignore[arg-type]
                for n in range(2)
            ]
        pids = [endpoint.process.pid for endpoint in started]
        if cluster is not None:
            pids.append(int((cluster.data / "postmaster.pid").read_text().split()[0]))
        try:
            yield [endpoint.base_url for endpoint in started], pids
        finally:
            for endpoint in started:
                endpoint.stop()
    finally:
        if cluster is not None:
            cluster.destroy()


def start_flood(urls: Sequence[str], comparison: str, connections: int, seconds: int) -> list[subprocess.Popen[str]]:
    """wrk instances flooding the read routes of the first endpoint for ``seconds``; ``finish_flood`` reads them."""
    return [
        subprocess.Popen(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(LUA), urls[0] + path],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (f"/v1/tallies/{comparison}", "/healthz")
    ]


def finish_flood(processes: Sequence[subprocess.Popen[str]], seconds: int) -> float:
    """The flood's requests per second, all routes together."""
    rate = 0.0
    for process in processes:
        out, err = process.communicate(timeout=seconds + 60)
        if process.returncode != 0:
            raise SystemExit(f"wrk failed: {err.strip()}")
        result = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
        rate += result["requests"] / (result["duration_us"] / 1e6)
    return rate


FLOOD_CONNECTIONS = 100
FLOOD_VOTERS = 50


def run_flood(stores: Sequence[str], seconds: int) -> list[dict[str, object]]:
    """Votes per second alone, then during a GET flood on /v1/tallies and /healthz, in the same run."""
    comparison, tools = first_comparison()
    rows: list[dict[str, object]] = []
    for store in stores:
        with tempfile.TemporaryDirectory(prefix="verdict-bench-") as tmp, endpoints(store, Path(tmp)) as (urls, _):
            single = urls[:1]  # the flood and the votes on one process: the case where they compete
            measure(single, "/v1/votes", 20, 2, ["vote", f"warm{secrets.token_hex(4)}", comparison, tools])
            alone = measure(
                single, "/v1/votes", FLOOD_VOTERS, seconds, ["vote", f"a{secrets.token_hex(6)}", comparison, tools]
            )
            time.sleep(1)
            flood = start_flood(single, comparison, FLOOD_CONNECTIONS, seconds + 2)
            time.sleep(1)  # the flood is under way before the votes start
            during = measure(
                single, "/v1/votes", FLOOD_VOTERS, seconds, ["vote", f"f{secrets.token_hex(6)}", comparison, tools]
            )
            reads = finish_flood(flood, seconds + 2)
            row = {"store": store, "alone": alone, "during": during, "reads": reads}
            rows.append(row)
            print(flood_line(row), flush=True)
    return rows


def flood_line(row: dict[str, object]) -> str:
    alone, during, reads = row["alone"], row["during"], row["reads"]
    assert isinstance(alone, Figures) and isinstance(during, Figures) and isinstance(reads, float)
    errors = during.errors + alone.errors
    return (
        f"| {row['store']} | {alone.rate:,.0f} | {alone.p99_ms:.1f} | {during.rate:,.0f} | {during.p99_ms:.1f} | "
        f"{reads:,.0f} | **{during.rate / alone.rate if alone.rate else 0:.2f}×**"
        + (f" ({errors} errors)" if errors else "")
        + " |"
    )


FLOOD_HEADER = (
    f"| store | votes/s alone | p99 ms | votes/s during the GET flood | p99 ms | flood GET req/s "
    f"({2 * FLOOD_CONNECTIONS} connections) | ratio |\n"
    "|---|---|---|---|---|---|---|"
)


def first_comparison() -> tuple[str, str]:
    bundle = json.loads((DEMO / "comparisons.json").read_text())
    comparison = bundle["comparisons"][0]
    return comparison["id"], ",".join(comparison["tools"])


def run(stores: Sequence[str], connections: Sequence[int], seconds: int) -> list[dict[str, object]]:
    comparison, tools = first_comparison()
    rows: list[dict[str, object]] = []
    for store in stores:
        with tempfile.TemporaryDirectory(prefix="verdict-bench-") as tmp, endpoints(store, Path(tmp)) as (urls, pids):
            processes = len(urls)
            measure(urls, "/openapi.json", 20, 2, ["get"])  # warm-up
            measure(urls, "/v1/votes", 20, 2, ["vote", f"warm{secrets.token_hex(4)}", comparison, tools])
            for count in connections:
                baseline = measure(urls, "/openapi.json", count, seconds, ["get"], pids)
                run_id = f"r{secrets.token_hex(6)}"
                votes = measure(urls, "/v1/votes", count, seconds, ["vote", run_id, comparison, tools], pids)
                row = {
                    "store": store,
                    "processes": processes,
                    "connections": count,
                    "baseline": baseline,
                    "votes": votes,
                    "ratio": votes.rate / baseline.rate if baseline.rate else 0.0,
                }
                rows.append(row)
                print(line(row), flush=True)
                time.sleep(1)
    return rows


def line(row: dict[str, object]) -> str:
    baseline, votes = row["baseline"], row["votes"]
    assert isinstance(baseline, Figures) and isinstance(votes, Figures)
    errors = f" ({votes.errors} errors)" if votes.errors or baseline.errors else ""
    return (
        f"| {row['store']} | {row['processes']} | {row['connections']} | {votes.rate:,.0f} | "
        f"{votes.p50_ms:.1f} / {votes.p99_ms:.1f} | {baseline.rate:,.0f} | {baseline.p99_ms:.1f} | "
        f"**{row['ratio']:.2f}×**{errors} | {votes.cpu_us:.0f} / {baseline.cpu_us:.0f} | "
        f"{baseline.cpu_us / votes.cpu_us if votes.cpu_us else 0:.2f}× |"
    )


HEADER = (
    "| store | processes | connections | votes/s | vote p50 / p99 ms | /openapi.json req/s | its p99 ms | ratio "
    "| server CPU µs per vote / per request | CPU ratio |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="build.py bench --votes-only", description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument("--connections", default="50,200", help="comma-separated loads (default 50,200)")
    parser.add_argument("--stores", default="sqlite,postgresql", help="comma-separated (default both)")
    parser.add_argument("--flood-only", action="store_true", help="only the votes against a GET flood")
    parser.add_argument(
        "--figures", type=Path, help="write the figures as data to FILE (build.py bench --record keeps them)"
    )
    args = parser.parse_args(argv)
    started = bench_record.start()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: python3 build.py bench installs it (Debian package wrk)")
    print(f"Vote throughput, {date.today().isoformat()}, wrk, {args.seconds} s per run\n\n{HEADER}", flush=True)
    rows = (
        []
        if args.flood_only
        else run(args.stores.split(","), [int(c) for c in args.connections.split(",")], args.seconds)
    )
    print(f"\nVotes during a GET flood ({FLOOD_VOTERS} vote connections, one process)\n\n{FLOOD_HEADER}", flush=True)
    floods = run_flood(args.stores.split(","), args.seconds)
    if args.figures:
        options = {"seconds": args.seconds, "connections": args.connections, "stores": args.stores}
        figures = bench_record.votes_figures(rows, floods)
        bench_record.part_file(args.figures, "votes", started, figures, options)
    failed = [row for row in rows if isinstance(row["votes"], Figures) and row["votes"].errors]
    failed += [row for row in floods if isinstance(row["during"], Figures) and row["during"].errors]
    if failed:
        raise SystemExit(f"{len(failed)} run(s) had errors: see the table")
