"""The results page on a big site: its server time against a tallies read on the same database, and the export's memory.

For each store, ``--votes`` synthetic votes (10 million by default, over a
year; builder/devtools/synthetic_votes.py, made for the run and thrown away) go on
the demo's first comparison, then one endpoint serves them. Requests
alternate: ``GET /v1/tallies/ID`` (the baseline: the cheapest read the
endpoint has) and ``GET /results?comparison=ID&view=…`` for each of the
three views. The server time of each is the endpoint's own access log's
``ms``, so the network and the client are left out; the figure that matters
is the ratio of the medians. Then ``verdict votes export`` writes the whole
comparison as CSV, and its peak resident memory is read from the kernel.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from ..paths import DEMO, ROOT
from . import bench_record
from .bench_votes import SECRET, first_comparison

VIEWS = ("hour", "day", "week")


def _server_ms(log: Path, path: str) -> list[float]:
    times = []
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("path") == path and entry.get("status") == 200 and "ms" in entry:
            times.append(float(entry["ms"]))
    return times


def _peak_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM: its own, unlike rusage, which keeps the parent's
    size from before exec)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _export_peak_rss(database_url: str, comparison: str, env: dict[str, str]) -> tuple[int, int]:
    """(peak RSS in KiB, bytes written) of ``verdict votes export`` on the whole comparison."""
    command = [sys.executable, "-m", "verdict", "votes", "export", "--comparison", comparison]
    command += ["--database", database_url, "--format", "csv"]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, env=env)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _peak_kib(process.pid))
            time.sleep(0.01)
        if process.returncode != 0:
            raise RuntimeError(f"the export failed with status {process.returncode}")
        return peak, output.seek(0, 2)


def bench_store(store: str, votes: int, requests: int, workdir: Path) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from tests.helpers.endpoint import clean_environment, launch_endpoint
    from tests.helpers.postgres import PostgresCluster
    from verdict_endpoint.sites import new_admin_key

    from .synthetic_votes import fill_postgres, fill_sqlite

    comparison, tools_text = first_comparison()
    tools = tools_text.split(",")
    weights = [1.0 + n * 0.4 for n in range(len(tools))]
    key, key_hash = new_admin_key()
    now = int(time.time())
    cluster = None
    try:
        started = time.monotonic()
        if store == "sqlite":
            path = workdir / "votes.db"
            url = f"sqlite:///{path}"
            fill_sqlite(path, comparison, tools, weights, votes, 365, now)
        else:
            cluster = PostgresCluster()
            cluster.start()
            url = cluster.create_database("bench_results")
            fill_postgres(url, comparison, tools, weights, votes, 365, now)
        filled = time.monotonic() - started
        env = {"VERDICT_ADMIN_KEY_HASHES": key_hash}
        endpoint = launch_endpoint(
            sorted(DEMO.glob("*.json")), workdir / "votes.db", rate_limit=0, secret=SECRET, env=env, database_url=url
        )
        try:
            with httpx.Client(base_url=endpoint.base_url, timeout=60) as client:
                auth = {"Authorization": f"Bearer {key}"}
                for _ in range(5):  # warm: connections, caches, the minute-long bursts cache
                    client.get(f"/v1/tallies/{comparison}")
                    for view in VIEWS:
                        assert client.get("/results", params={"comparison": comparison, "view": view}, headers=auth)
                for _ in range(requests):
                    client.get(f"/v1/tallies/{comparison}")
                    for view in VIEWS:
                        page = client.get("/results", params={"comparison": comparison, "view": view}, headers=auth)
                        page.raise_for_status()
            time.sleep(0.5)  # the access log is written within 0.2 s
            tallies = _server_ms(endpoint.log_path, f"/v1/tallies/{comparison}")[5:]
            pages = _server_ms(endpoint.log_path, "/results")[15:]
        finally:
            endpoint.stop()
        rss_kib, exported = _export_peak_rss(url, comparison, clean_environment({"VERDICT_SECRET": SECRET}))
    finally:
        if cluster is not None:
            cluster.destroy()
    tallies_ms, page_ms = statistics.median(tallies), statistics.median(pages)
    return {
        "store": store,
        "votes": votes,
        "fill_s": round(filled, 1),
        "tallies_ms": round(tallies_ms, 3),
        "results_ms": round(page_ms, 3),
        "results_p90_ms": round(statistics.quantiles(pages, n=10)[-1], 3),
        "ratio": round(page_ms / tallies_ms, 2),
        "export_peak_rss_mib": round(rss_kib / 1024, 1),
        "export_bytes": exported,
    }


class _Sink:
    """A webhook receiver on loopback that answers 204 at once and counts the events it got."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        sink = self
        self.events = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                sink.events += len(body["data"]["events"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        import threading

        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def bench_webhooks(store: str, seconds: int, connections: int, workdir: Path) -> dict[str, object]:
    """Vote throughput (wrk) with webhooks off, then on (every vote an event, delivered to a loopback receiver)."""
    sys.path.insert(0, str(ROOT))
    from tests.helpers.endpoint import launch_endpoint
    from tests.helpers.postgres import PostgresCluster
    from verdict_endpoint.sites import new_webhook_secret

    from .bench_votes import measure

    comparison, tools = first_comparison()
    sink = _Sink()
    bundles = sorted(DEMO.glob("*.json"))
    cluster = None
    figures: dict[str, object] = {"store": store, "connections": connections}
    try:
        if store == "postgresql":
            cluster = PostgresCluster()
            cluster.start()
        for mode in ("off", "on"):
            config = workdir / f"sites-{mode}.toml"
            hooks = (
                f'webhook_urls = ["{sink.url}"]\nwebhook_secret = "{new_webhook_secret()}"\n' if mode == "on" else ""
            )
            listed = ", ".join(f'"{bundle}"' for bundle in bundles)
            config.write_text(f'[[sites]]\nid = "default"\nbundles = [{listed}]\n{hooks}')
            url = cluster.create_database(f"hooks_{mode}") if cluster else f"sqlite:///{workdir / mode / 'votes.db'}"
            endpoint = launch_endpoint(
                [],
                workdir / mode / "votes.db",
                rate_limit=0,
                secret=SECRET,
                database_url=url,
                extra_args=["--config", str(config)],
            )
            try:
                pids = [endpoint.process.pid]
                measure([endpoint.base_url], "/v1/votes", 20, 2, ["vote", f"w{mode}", comparison, tools])
                result = measure(
                    [endpoint.base_url],
                    "/v1/votes",
                    connections,
                    seconds,
                    ["vote", f"r{mode}{time.time_ns()}", comparison, tools],
                    pids,
                )
                figures[mode] = round(result.rate, 1)
                # Server CPU per vote (the endpoint process, its delivery included): steadier than rates on a
                # shared machine, so its ratio says what webhooks cost where the machine is the endpoint's own.
                figures[f"{mode}_cpu_us"] = round(result.cpu_us, 1)
                figures[f"{mode}_p99_ms"] = round(result.p99_ms, 1)
                time.sleep(2)
            finally:
                endpoint.stop()
    finally:
        if cluster is not None:
            cluster.destroy()
        sink.server.shutdown()
    figures["ratio"] = round(float(figures["on"]) / float(figures["off"]), 2)  # type: ignore[arg-type]
    figures["cpu_ratio"] = round(float(figures["off_cpu_us"]) / float(figures["on_cpu_us"]), 2)  # type: ignore[arg-type]
    figures["events_delivered"] = sink.events
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="build.py bench-results", description=__doc__)
    parser.add_argument("--votes", type=int, default=10_000_000, help="synthetic votes per store (default 10M)")
    parser.add_argument("--requests", type=int, default=100, help="requests of each kind (default 100)")
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's run for each webhook mode (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="wrk's connections (default 50)")
    parser.add_argument("--only", choices=["results", "webhooks"], help="one half of the bench")
    parser.add_argument(
        "--figures", type=Path, help="write the figures as data to FILE (build.py bench --record keeps them)"
    )
    args = parser.parse_args(argv)
    started = bench_record.start()
    measured: list[dict[str, object]] = []
    for store in args.stores.split(","):
        if args.only != "results":
            with tempfile.TemporaryDirectory(prefix="verdict-bench-hooks-") as workdir:
                row = bench_webhooks(store, args.seconds, args.connections, Path(workdir))
            print(
                f"{store}: votes/s with webhooks off {row['off']}, on {row['on']}: {row['ratio']}x "
                f"(server CPU per vote {row['off_cpu_us']} / {row['on_cpu_us']} us: {row['cpu_ratio']}x) "
                f"({row['events_delivered']:,} events delivered; {args.connections} connections)",
                flush=True,
            )
            print(json.dumps(row), flush=True)
            measured.append(row)
        if args.only == "webhooks":
            continue
        with tempfile.TemporaryDirectory(prefix="verdict-bench-results-") as workdir:
            row = bench_store(store, args.votes, args.requests, Path(workdir))
        print(
            f"{row['store']}: {row['votes']:,} votes (filled in {row['fill_s']} s); server time, median: "
            f"tallies {row['tallies_ms']} ms, results page {row['results_ms']} ms (p90 {row['results_p90_ms']} ms): "
            f"{row['ratio']}x; export peak RSS {row['export_peak_rss_mib']} MiB for {row['export_bytes']:,} bytes",
            flush=True,
        )
        print(json.dumps(row), flush=True)
        measured.append(row)
    if args.figures:
        options = {"votes": args.votes, "requests": args.requests, "stores": args.stores, "only": args.only}
        figures = bench_record.results_figures(measured)
        bench_record.part_file(args.figures, "results", started, figures, options)
