"""The runtime readers get, step by step: fetched, slimmed, precompiled, trimmed, blanked.

Every step after the fetch is a cached step (builder/steps.py) keyed by exactly
what it reads. None reads the bundles being published: the trace drives the
engine with the project's own (demo/), so publishing other bundles reuses the
whole runtime.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

from .. import steps
from ..paths import DEMO, WIDGET
from . import abi, blank, core, fetch, pyc, trim

# The runtime's zips (stdlib, wheels) are stored uncompressed and sent with
# brotli: 3.7 MB on the wire instead of 5.7 MB for self-deflated zips, and a
# little faster to import from. The widget host must serve the .br/.gz twins.
ZIP_COMPRESSION = "stored"
# The card's stylesheet in the engine's wheel (written there by the build, for `verdict render --embed`).
PACKAGED_STYLESHEET = "verdict/card.css"
# Pyodide's files the precompiling runs (run_pyodide.mjs boots them in Node).
PYODIDE_RUNTIME = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide-lock.json")


class Runtime(NamedTuple):
    """What readers run, each step cached by the hash of its inputs."""

    pyodide_dir: Path  # Pyodide's release, as fetched
    folder: Path  # its JavaScript (pyodide.mjs, pyodide.asm.mjs) and core (pyodide.asm.wasm), as shipped
    stdlib: Path  # the standard library, precompiled and trimmed
    wheels: list[Path]  # pydantic…, our engine: precompiled and trimmed


def build_engine_wheel(out: Path) -> Path:
    """Our pure-Python wheel, built offline by the hatchling in the virtualenv."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(WIDGET),
        ],
        check=True,
    )
    return next(out.glob("verdict-*.whl"))


def browser_copy(wheel: Path) -> Path:
    """The engine's wheel for readers: without the card's stylesheet (they get it with the loader; it is for
    `verdict render --embed`), so a change of the stylesheet neither grows their download nor recompiles
    and retraces the runtime. Entries keep their order and dates: the same wheel gives the same copy."""
    copy = wheel.with_suffix(".browser")
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == PACKAGED_STYLESHEET:
                continue
            data = source.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                lines = data.decode().splitlines(keepends=True)
                data = "".join(line for line in lines if not line.startswith(PACKAGED_STYLESHEET + ",")).encode()
            out.writestr(info, data)
    copy.replace(wheel)
    return wheel


def engine_sources() -> list[Path]:
    """Every file of the engine's package folder (widget/) that its wheel can hold, in a stable order."""
    return sorted(p for p in WIDGET.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def engine_wheel() -> Path:
    """The engine's wheel as readers get it, cached by the package's files (names and paths, bytes)."""
    sources = engine_sources()

    def make(folder: Path) -> None:
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            wheel = browser_copy(build_engine_wheel(Path(tmp)))
            shutil.copy2(wheel, folder / wheel.name)

    folder = steps.cached(
        "engine",
        [*sources, Path(__file__)],
        make,
        doing="building the engine's wheel",
        extra=[p.relative_to(WIDGET).as_posix() for p in sources],
    )
    return next(folder.glob("verdict-*.whl"))


def compiled(pyodide_dir: Path, wheels: list[Path], *, debug_ranges: bool = False) -> tuple[Path, list[Path]]:
    """Precompiled stdlib and wheels, cached by what the compiling reads: Pyodide's runtime that runs it, the
    stdlib and the wheels, and the scripts that do it.

    `debug_ranges` keeps the column positions the shipped runtime leaves out (the bench measures what
    leaving them out saves)."""
    scripts = [pyc.RUNNER, pyc.INSIDE, Path(pyc.__file__)]
    inputs = [pyodide_dir / "python_stdlib.zip", *wheels, *scripts, *(pyodide_dir / n for n in PYODIDE_RUNTIME)]

    def make(folder: Path) -> None:
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            result = pyc.precompile(
                pyodide_dir,
                pyodide_dir / "python_stdlib.zip",
                wheels,
                Path(tmp),
                compression=ZIP_COMPRESSION,
                debug_ranges=debug_ranges,
            )
            for path in result.values():
                shutil.copy2(path, folder / Path(path).name)

    folder = steps.cached(
        "compiled",
        inputs,
        make,
        doing="precompiling the standard library and wheels inside Pyodide",
        extra=[ZIP_COMPRESSION, *(["column positions"] if debug_ranges else [])],
    )
    return folder / "python_stdlib.zip", sorted(folder.glob("*.whl"))


def trace_bundles() -> list[Path]:
    """The bundles the trim drives the engine with: the project's own, never the ones being published.

    Which modules the engine imports depends on its code, not on a bundle's text: the trace covers every
    path through fixed bundles (every section, tool count, rich text and locale; trace_inside.py), so
    publishing other bundles reuses the cached runtime instead of tracing it again.
    """
    return sorted(DEMO.glob("*.json"))


def shipped_runtime(plain: bool = False, stages: dict[str, Runtime] | None = None) -> Runtime:
    """The runtime readers get: fetched, slimmed, precompiled, trimmed and blanked, each step cached.

    `plain` (``build --plain-runtime``) ships Pyodide's runtime as its release publishes it, only
    precompiled: no slimmed core, no trim, no blanking. It is the way back should a Pyodide upgrade
    break an assumption of that surgery; it costs readers more bytes, never a feature.
    `stages`, when given, gets the runtime as each step left it, in order (the bench measures what
    each step saves: builder/devtools/bench_levers.py).
    """
    seen: dict[str, Runtime] = {} if stages is None else stages
    pyodide_dir = fetch.pyodide()
    browser_wheels = fetch.wheels()
    # Pyodide's JavaScript with its core less what nothing shipped can call: what readers run.
    wasm_wheels = [w for w in browser_wheels if w.name.endswith("_wasm32.whl")]
    folder = pyodide_dir if plain else core.slimmed(pyodide_dir, wasm_wheels)
    abi.checked(folder / core.WASM, browser_wheels)
    stdlib, wheels = compiled(pyodide_dir, [*browser_wheels, engine_wheel()])
    seen["precompiled"] = Runtime(pyodide_dir, pyodide_dir, stdlib, wheels)
    if plain:
        return Runtime(pyodide_dir, folder, stdlib, wheels)
    seen["slimmed"] = Runtime(pyodide_dir, folder, stdlib, wheels)
    stdlib, wheels = trim.trimmed(folder, stdlib, wheels, trace_bundles())
    seen["trimmed"] = Runtime(pyodide_dir, folder, stdlib, wheels)
    # ... and less the tables of the built-in modules nothing shipped imports.
    folder = blank.blanked(folder, stdlib, wheels, trace_bundles())
    seen["blanked"] = Runtime(pyodide_dir, folder, stdlib, wheels)
    return seen["blanked"]
