"""``build.py bench --record``: each bench part's figures as data, and one JSON file per run under bench/runs/.

Every part (start-up, vote throughput, results at scale) hands its figures
here as numbers, never as printed text: ``part_file`` writes one part's
figures with the machine's state when it started, and ``assemble`` joins the
parts of one ``build.py bench`` into bench/runs/<UTC time>.json, which the
report (builder/devtools/bench_report.py) turns into BENCHMARKS.md and the
charts. A figure is ``{"value", "unit"}`` and, where the part measured a
baseline in the same run, ``"ratio"`` to it and the baseline's id.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "bench" / "runs"
FORMAT = 1

Figure = dict[str, Any]
Figures = dict[str, Figure]


def figure(value: float, unit: str, baseline: tuple[str, float] | None = None, digits: int = 3) -> Figure:
    """One measured figure; with ``baseline`` (its id, its value), its ratio to that same-run figure."""
    entry: Figure = {"value": round(float(value), digits), "unit": unit}
    if baseline is not None:
        name, base = baseline
        entry["ratio"] = round(float(value) / base, 3) if base else None
        entry["baseline"] = name
    return entry


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _command(*argv: str) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def machine(chromium: str = "/usr/bin/chromium") -> dict[str, Any]:
    """What the figures were measured on: the machine, its load as the part started, and the software."""
    pyodide = None
    manifest = ROOT / "dist" / "manifest.json"
    if manifest.exists():
        pyodide = json.loads(manifest.read_text(encoding="utf-8")).get("pyodide")
    commit = _command("git", "rev-parse", "HEAD")
    dirty = bool(_command("git", "status", "--porcelain", "--untracked-files=no"))
    return {
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "cpu": _cpu_model(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "chromium": _command(chromium, "--version"),
        "pyodide": pyodide,
        "commit": commit,
        "uncommitted_changes": dirty,
    }


def part_file(path: Path, part: str, started: dict[str, Any], figures: Figures, options: Mapping[str, Any]) -> None:
    """One part's figures, with the machine as the part started (``{"date", "machine"}``) and its options."""
    payload = {"part": part, **started, "options": dict(options), "figures": figures}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def start(chromium: str = "/usr/bin/chromium") -> dict[str, Any]:
    """Taken when a part starts: its date and the machine's state then (the load average before the bench)."""
    return {"date": now(), "machine": machine(chromium)}


def assemble(parts: Iterable[Path], runs: Path = RUNS) -> Path:
    """The parts of one run as bench/runs/<UTC time of its first part>.json; its path."""
    loaded = [json.loads(p.read_text(encoding="utf-8")) for p in parts if p.exists()]
    if not loaded:
        raise SystemExit("bench --record: no part wrote figures")
    first = loaded[0]
    run = {
        "format": FORMAT,
        "date": first["date"],
        "source": "build.py bench --record",
        "machine": first["machine"],
        "parts": {p["part"]: {"date": p["date"], "machine": p["machine"], "options": p["options"]} for p in loaded},
        "figures": {name: entry for p in loaded for name, entry in p["figures"].items()},
    }
    # The run-level machine facts are the first part's; each part keeps its own load average and date.
    runs.mkdir(parents=True, exist_ok=True)
    stamp = first["date"].replace(":", "").replace("-", "")
    path = runs / f"{stamp}.json"
    path.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# ---- each part's figures, from the data its bench measured ------------------------------------------------

STARTUP_COLUMNS = {  # measured key -> (column, unit, the bare page's key it is a ratio to, or None)
    "visible": ("card visible", "ms", None),
    "ready": ("engine ready", "ms", "ready"),
    "live": ("all cards live", "ms", "live"),
    "longest": ("longest main-thread task", "ms", None),
    "blocked": ("total blocked time", "ms", None),
    "memory_mb": ("memory page + worker", "MB", "memory_mb"),
    "download_mb": ("downloaded", "MB", "download_mb"),
}


def startup_figures(
    loads: Mapping[str, Mapping[str, float]],
    floor_steps: Iterable[tuple[str, str]],
    lighthouse: Mapping[str, Mapping[str, float]] | None,
    sizes: Mapping[str, float],
    before_touch_mb: float,
    first_script_bytes: int,
) -> Figures:
    """The start-up table's figures (builder/devtools/bench.py): each load against the bare page at its temperature."""
    out: Figures = {}
    for name, row in loads.items():
        temperature = "warm" if name.endswith("warm") else "cold"
        bare_name = f"bare {temperature}"
        bare = loads[bare_name]
        if name.startswith("floor"):
            for step, label in floor_steps:
                ms = row.get(f"floor_{step}")
                if ms:
                    out[f"floor/{name}/{label}"] = figure(
                        ms, "ms", (f"startup/{bare_name}/engine ready", bare["ready"])
                    )
            continue
        for key, (column, unit, base) in STARTUP_COLUMNS.items():
            value = row.get(key)
            if not value and key in ("visible", "ready", "live"):
                continue  # not a mark of this load (the post without the card has no engine)
            baseline = (f"startup/{bare_name}/{STARTUP_COLUMNS[base][0]}", bare[base]) if base else None
            out[f"startup/{name}/{column}"] = figure(value or 0.0, unit, baseline)
    for name, row in (lighthouse or {}).items():
        out[f"lighthouse/{name}/score"] = figure(row["score"], "points")
        out[f"lighthouse/{name}/CLS"] = figure(row["cls"], "")
        out[f"lighthouse/{name}/total byte weight"] = figure(row["kib"], "KiB", digits=1)
    measured = loads["one card cold"]["download_mb"]
    bare_mb = ("startup/bare cold/downloaded", loads["bare cold"]["download_mb"])
    for encoding, mb in sizes.items():
        out[f"bytes/cold download to engine ready/{encoding}"] = figure(mb, "MB", bare_mb)
    out["bytes/cold download to engine ready/measured in the browser"] = figure(measured, "MB", bare_mb)
    out['bytes/data-lazy="interaction", before a touch/downloaded'] = figure(
        before_touch_mb, "MB", ("startup/one card cold/downloaded", measured)
    )
    out["bytes/first script (embed.js)/gzip"] = figure(first_script_bytes, "bytes", digits=0)
    return out


def network_figures(
    profile: str, rows: Mapping[str, Mapping[str, Any]], modes: Mapping[str, Mapping[str, Any]]
) -> Figures:
    """One throttled profile's figures (builder/devtools/bench_networks.py), each against the bare page."""
    out: Figures = {}
    prefix = f"network {profile}"
    for name, row in rows.items():
        temperature = "warm" if name.endswith("warm") else "cold"
        bare_id = f"{prefix}/bare page {temperature}/engine ready"
        bare = (bare_id, rows[f"bare page {temperature}"]["ready"])
        if name.startswith("early click"):
            columns = {"click": "card visible", "engine": "engine ready", "confirmed": "vote confirmed"}
            for key, column in columns.items():
                if row.get(key):
                    out[f"{prefix}/{name}/{column}"] = figure(row[key], "ms", bare)
            if row.get("taken") is not None:
                out[f"{prefix}/{name}/vote shown as taken"] = figure(row["taken"], "ms")
        else:
            for key, column in (("visible", "card visible"), ("live", "live figures"), ("ready", "engine ready")):
                if row.get(key):
                    own = f"{prefix}/{name}/{column}" == bare_id
                    out[f"{prefix}/{name}/{column}"] = figure(row[key], "ms", None if own else bare)
        out[f"{prefix}/{name}/downloaded"] = figure(row["mb"], "MB")
    for mode, measured in modes.items():
        out[f"never votes {profile}/data-lazy={mode}/downloaded"] = figure(measured["mb"], "MB")
        out[f"never votes {profile}/data-lazy={mode}/runtime download busy"] = figure(measured["busy_s"], "s")
    return out


def votes_figures(rows: Iterable[Mapping[str, Any]], floods: Iterable[Mapping[str, Any]]) -> Figures:
    """Vote throughput (builder/devtools/bench_votes.py): votes per second against the in-memory route, same run."""
    out: Figures = {}
    for row in rows:
        processes = "1 process" if row["processes"] == 1 else f"{row['processes']} processes"
        load = f"votes/{row['store']}, {processes}, {row['connections']} connections"
        baseline, votes = row["baseline"], row["votes"]
        base_id = f"{load}/openapi.json req/s"
        out[base_id] = figure(baseline.rate, "req/s", digits=1)
        out[f"{load}/votes/s"] = figure(votes.rate, "votes/s", (base_id, baseline.rate), digits=1)
        out[f"{load}/vote p50"] = figure(votes.p50_ms, "ms")
        out[f"{load}/vote p99"] = figure(votes.p99_ms, "ms")
        out[f"{load}/vote errors"] = figure(votes.errors, "errors", digits=0)
        if votes.cpu_us:
            cpu_base = f"{load}/server CPU per request"
            out[cpu_base] = figure(baseline.cpu_us, "µs", digits=1)
            # The CPU ratio reads like the rate's: the in-memory route's cost over the vote's.
            entry = figure(votes.cpu_us, "µs", (cpu_base, baseline.cpu_us), digits=1)
            entry["ratio"] = round(baseline.cpu_us / votes.cpu_us, 3)
            entry["ratio_is"] = "baseline / value"
            out[f"{load}/server CPU per vote"] = entry
    for row in floods:
        load = f"flood/{row['store']}, one process"
        alone, during = row["alone"], row["during"]
        out[f"{load}/votes/s alone"] = figure(alone.rate, "votes/s", digits=1)
        out[f"{load}/votes/s during the GET flood"] = figure(
            during.rate, "votes/s", (f"{load}/votes/s alone", alone.rate), digits=1
        )
        out[f"{load}/flood GET req/s"] = figure(row["reads"], "req/s", digits=1)
    return out


def results_figures(rows: Iterable[Mapping[str, Any]]) -> Figures:
    """Results at scale and webhooks' cost (builder/devtools/bench_results.py)."""
    out: Figures = {}
    for row in rows:
        if "tallies_ms" in row:
            load = f"results/{row['store']}, {row['votes']:,} votes"
            base = f"{load}/tallies read (median)"
            out[base] = figure(row["tallies_ms"], "ms")
            out[f"{load}/results page (median)"] = figure(row["results_ms"], "ms", (base, row["tallies_ms"]))
            out[f"{load}/results page (p90)"] = figure(row["results_p90_ms"], "ms", (base, row["tallies_ms"]))
            out[f"{load}/export peak RSS"] = figure(row["export_peak_rss_mib"], "MiB", digits=1)
            out[f"{load}/fill time"] = figure(row["fill_s"], "s", digits=1)
        else:
            load = f"webhooks/{row['store']}, {row['connections']} connections"
            base = f"{load}/votes/s webhooks off"
            out[base] = figure(row["off"], "votes/s", digits=1)
            out[f"{load}/votes/s webhooks on"] = figure(row["on"], "votes/s", (base, row["off"]), digits=1)
            cpu_base = f"{load}/server CPU per vote, off"
            out[cpu_base] = figure(row["off_cpu_us"], "µs", digits=1)
            entry = figure(row["on_cpu_us"], "µs", (cpu_base, row["off_cpu_us"]), digits=1)
            entry["ratio"], entry["ratio_is"] = row["cpu_ratio"], "baseline / value"
            out[f"{load}/server CPU per vote, on"] = entry
    return out
