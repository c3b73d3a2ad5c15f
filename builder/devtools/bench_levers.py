"""``build.py bench --levers-only`` (and a part of every ``build.py bench``): what each runtime step saves, in bytes.

Every step of the runtime pipeline (builder/runtime/README.md) is cached with
its input and its output in ``.cache/<step>/<key>``, so what a step saves is
deterministic: the size, compressed as dist/ serves it (gzip and brotli
twins, builder/assemble/dist.py's ``precompress``), of what readers download
before the step and after it. Measured here, each step in the pipeline's
order on what the step before it left:

- precompile: the standard library zip and the wheels, as released → as
  compiled inside Pyodide; and leaving the column positions out (the same
  files, compiled with them and trimmed by the same trace → as shipped);
- slim the core: Pyodide's core and the worker that bundles its JavaScript;
- trim: the standard library zip and the wheels;
- blank: the core (and how many bytes were zeroed);
- every step: the whole cold download to engine ready, with the runtime as
  ``--plain-runtime`` ships it and as released, → as shipped.

Bytes are not timed, so they hold on any machine. One time lever is cheap
enough to measure here, as a ratio within the run: precompiling's start-up,
Node booting the runtime as the worker does (trace_runtime.mjs) until the
demo bundle is validated, with the release's source stdlib and wheels and
with the compiled ones on the same core, alternating, medians of
``--runs``. The worker's memory and the lockfile's head start are not
measured here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..assemble import dist, loader
from ..paths import CACHE, DEMO, DIST
from ..runtime import fetch, pipeline, trim
from ..runtime.core import WASM
from ..runtime.pyc import find_node
from . import bench_record

ENCODINGS = ("brotli", "gzip")
HOST_ROOT = "/host"  # where trace_runtime.mjs mounts the host's files inside Pyodide
Sizes = dict[str, int]  # encoding -> bytes on the wire


def wire(data: bytes) -> Sizes:
    """The bytes `data` costs on the wire from dist/, per encoding: its twin where dist/ writes one, else itself."""
    raw = len(data)
    sizes = {}
    for encoding, suffix in (("gzip", ".gz"), ("brotli", ".br")):
        twin = dist.compressed(data, suffix)
        sizes[encoding] = twin.stat().st_size if twin else raw
    sizes["brotli"] = min(sizes["brotli"], sizes["gzip"])  # a server without brotli twins sends the gzip one
    return sizes


def total(blobs: Iterable[bytes]) -> Sizes:
    out = dict.fromkeys(ENCODINGS, 0)
    for data in blobs:
        for encoding, size in wire(data).items():
            out[encoding] += size
    return out


def files(paths: Iterable[Path]) -> Sizes:
    return total(path.read_bytes() for path in paths)


def page_files() -> list[Path]:
    """What a first-time reader downloads to engine ready besides the runtime: embed.js, the loader, the
    lockfile, the prerendered cards (from dist/, as builder/devtools/bench.py's cold download counts them)."""
    assets = json.loads((DIST / "manifest.json").read_text())["assets"]
    return [
        DIST / "embed.js",
        DIST / assets["loader"],
        DIST / assets["lock"],
        *(DIST / file for file, _integrity in assets["prerendered"].values()),
    ]


def runtime_sizes(runtime: pipeline.Runtime) -> dict[str, Sizes]:
    """The runtime's downloads: the worker (Pyodide's JavaScript bundled in), the core, the stdlib, the wheels."""
    return {
        "worker": total([loader.worker(runtime.folder)]),
        "core": files([runtime.folder / WASM]),
        "stdlib": files([runtime.stdlib]),
        "wheels": files(runtime.wheels),
    }


def _sum(*sizes: Sizes) -> Sizes:
    return {encoding: sum(s[encoding] for s in sizes) for encoding in ENCODINGS}


def lever_figures(rows: Mapping[str, tuple[Sizes, Sizes]], zeroed: int | None = None) -> bench_record.Figures:
    """Each row's sizes before and after, in MB, the after a ratio to the before (same run)."""
    out: bench_record.Figures = {}
    for row, (before, after) in rows.items():
        for encoding in ENCODINGS:
            base = f"levers/{row}/before, {encoding}"
            out[base] = bench_record.figure(before[encoding] / 1e6, "MB")
            out[f"levers/{row}/after, {encoding}"] = bench_record.figure(
                after[encoding] / 1e6, "MB", (base, before[encoding] / 1e6)
            )
    if zeroed is not None:
        out["levers/blank: core/bytes zeroed"] = bench_record.figure(zeroed, "bytes", digits=0)
    return out


START_SCRIPT = """
async def main():
    from verdict.bundle import load_bundle

    with open({bundle!r}, encoding="utf-8") as file:
        load_bundle(file.read())


async def report():
    pass
"""


def start_ms(pyodide_dir: Path, variants: Mapping[str, tuple[Path, list[Path]]], runs: int) -> dict[str, float]:
    """Median ms from starting Node to the demo bundle validated, per (stdlib, wheels) variant, runs alternating."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        script = Path(tmp) / "validate.py"
        script.write_text(START_SCRIPT.format(bundle=HOST_ROOT + str((DEMO / "comparisons.json").resolve())))
        staged = {}
        for name, (stdlib, wheels) in variants.items():
            folder = Path(tmp) / name
            folder.mkdir()
            staged[name] = (*trim.stage(pyodide_dir, wheels, folder), stdlib)
        for _ in range(runs):
            for name, (runtime, packages, stdlib) in staged.items():
                command = [find_node(), str(trim.RUNNER), str(runtime), str(stdlib.resolve()), str(packages)]
                began = time.perf_counter()
                done = subprocess.run([*command, str(script)], capture_output=True, text=True, timeout=300)
                times[name].append((time.perf_counter() - began) * 1000)
                if done.returncode != 0:
                    raise SystemExit(f"the engine failed in Node ({name}):\n{done.stdout}{done.stderr}")
    return {name: statistics.median(values) for name, values in times.items()}


def measure(runs: int = 3) -> bench_record.Figures:
    """Build (or reuse) every step's output, size what readers download before and after each, and time
    precompiling's start-up in Node."""
    stages: dict[str, pipeline.Runtime] = {}
    pipeline.shipped_runtime(stages=stages)
    pyodide_dir, trimmed = stages["precompiled"].pyodide_dir, stages["trimmed"]
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        # The engine's wheel as the build makes it (the same bytes every time), with the release's stdlib zip.
        sources = [*fetch.wheels(), pipeline.browser_copy(pipeline.build_engine_wheel(Path(tmp)))]
        released_python = files([pyodide_dir / "python_stdlib.zip", *sources])
        with_positions, wheels_with_positions = pipeline.compiled(pyodide_dir, sources, debug_ranges=True)
        # ... trimmed by the shipped runtime's own trace, as the trim step would.
        traced = json.loads((trimmed.stdlib.parent / "trace.json").read_text())
        out = Path(tmp) / "positions"
        out.mkdir()
        trim.trim_stdlib(with_positions, traced, out / with_positions.name)
        for wheel in wheels_with_positions:
            if wheel.name.split("-")[0] in trim.KEEP_WHOLE:
                (out / wheel.name).write_bytes(wheel.read_bytes())
            else:
                trim.trim_wheel(wheel, traced, out / wheel.name)
        positions_kept = files(sorted(out.iterdir()))
        started = start_ms(
            pyodide_dir,
            {
                "source": (pyodide_dir / "python_stdlib.zip", sources),
                "compiled": (stages["precompiled"].stdlib, stages["precompiled"].wheels),
            },
            runs,
        )

    page = files(page_files())
    sizes = {name: runtime_sizes(stage) for name, stage in stages.items()}
    pre, slim, trimmed_sizes, shipped = (sizes[s] for s in ("precompiled", "slimmed", "trimmed", "blanked"))
    python = {name: _sum(s["stdlib"], s["wheels"]) for name, s in sizes.items()}
    cold = {name: _sum(page, *s.values()) for name, s in sizes.items()}
    released_cold = _sum(page, pre["worker"], pre["core"], released_python)
    rows = {
        "precompile: standard library and wheels": (released_python, python["precompiled"]),
        "column positions left out: standard library and wheels, trimmed": (positions_kept, python["blanked"]),
        "slim the core: core (pyodide.asm.wasm)": (pre["core"], slim["core"]),
        "slim the core: worker (Pyodide's JavaScript inside)": (pre["worker"], slim["worker"]),
        "trim: standard library": (slim["stdlib"], trimmed_sizes["stdlib"]),
        "trim: wheels": (slim["wheels"], trimmed_sizes["wheels"]),
        "blank: core": (trimmed_sizes["core"], shipped["core"]),
        "every step: cold download, from --plain-runtime": (cold["precompiled"], cold["blanked"]),
        "every step: cold download, from the release": (released_cold, cold["blanked"]),
    }
    zeroed = json.loads((stages["blanked"].folder / "blank.json").read_text()).get("bytes_blanked")
    figures = lever_figures(rows, zeroed)
    base = "levers/precompile: Node, start to the demo bundle validated/before"
    figures[base] = bench_record.figure(started["source"], "ms", digits=0)
    figures[base.replace("/before", "/after")] = bench_record.figure(
        started["compiled"], "ms", (base, started["source"]), digits=0
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    """Measure every lever, print the figures, and with ``--figures FILE`` write them as a bench part."""
    parser = argparse.ArgumentParser(prog="build.py bench --levers-only")
    parser.add_argument("--figures", type=Path, help="write the figures as data to FILE (bench --record keeps them)")
    parser.add_argument("--runs", type=int, default=3, help="Node start-ups timed per variant (medians)")
    args, _unknown = parser.parse_known_args(argv)
    started = bench_record.start()
    figures = measure(args.runs)
    for name, entry in figures.items():
        ratio = f" ({entry['ratio']:.3f}×)" if entry.get("ratio") is not None else ""
        print(f"{name.removeprefix('levers/')}: {entry['value']} {entry['unit']}{ratio}", file=sys.stderr)
    if args.figures:
        bench_record.part_file(args.figures, "levers", started, figures, {"runs": args.runs})
