"""Ship only what the engine imports, as pyodide-pack does: trace, then trim.

The build boots the runtime it is about to ship in Node, exactly as the
browser worker does (trace_runtime.mjs), and drives the engine through every
path a reader can reach (trace_inside.py: full renders, votes, withdrawals,
refused and unreachable endpoints, error cards). Every module that run
imported is kept; the rest of the standard library zip and of the
third-party wheels is left out, as are type stubs and SBOMs. Because the
trace runs the engine's real code at every build, a new import (a locale
catalogue, a feature) is picked up on its own; tests/toolchain/test_trim.py
replays the trace on the shipped runtime, so a module trimmed by mistake
fails the tests, and so do the browser tests, which run on it. The trace reports
what it had to reach, read from the engine (every message type its dispatch
takes, every notice kind, every locale) and a few paths (a withdrawal, the
outbox's retry, an early click), and what it did: `trace` fails naming a miss.

Kept whole whatever the trace says: our own engine (a module imported by
name, such as a locale, is never missed) and the standard library's Unicode,
ASCII and Latin-1 codecs (codecs are looked up by name at run time). The
engine gets its text from the browser already decoded (fetch's text(), JSON
messages), so the legacy national code pages are left out. So are the
compressions the standard library only probes for (`try: import bz2` in
shutil, zipfile, tarfile): the runtime's zips are stored, never compressed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from .. import steps
from ..paths import CACHE
from .lock import write_lock
from .pyc import find_node

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "trace_runtime.mjs"
INSIDE = HERE / "trace_inside.py"
# The code a trace runs: its two scripts, this module, and the lockfile the staging writes (lock.py).
CODE = (RUNNER, INSIDE, Path(__file__), HERE / "lock.py")
KEEP_WHOLE = {"verdict"}
# The codec package itself and the codecs of Unicode, ASCII and Latin-1 (browsers read "latin1" as cp1252).
CODECS = ("__init__.", "aliases.", "utf_", "ascii.", "latin_1.", "cp1252.", "charmap.", "unicode_escape.")
KEEP_STDLIB = tuple(f"encodings/{codec}" for codec in (*CODECS, "raw_unicode_escape."))
# Imported only inside `try: … except ImportError` by the modules that offer every compression they can.
PROBED_ONLY = ("bz2.pyc", "lzma.pyc", "compression/zstd/")
SITE_PACKAGES = "/lib/python3.14/site-packages/"
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
# What trace_inside.py reports, as JSON: "files" (every module file imported), "path" (sys.path), ...
Traced = dict[str, Any]


class TraceError(RuntimeError):
    """Running the engine inside Pyodide failed: the runtime lacks something it needs."""


def stage(pyodide_dir: Path, wheels: list[Path], folder: Path) -> tuple[Path, Path]:
    """(runtime, packages) folders in `folder`, laid out as the worker finds them (links, a lockfile)."""
    runtime, packages = folder / "runtime", folder / "packages"
    runtime.mkdir()
    packages.mkdir()
    for name in RUNTIME_FILES:
        (runtime / name).symlink_to((pyodide_dir / name).resolve())
    for wheel in wheels:
        (packages / wheel.name).symlink_to(wheel.resolve())
    write_lock(pyodide_dir / "pyodide-lock.json", wheels, packages / "lock.json")
    return runtime, packages


def trace(pyodide_dir: Path, stdlib: Path, wheels: list[Path], bundles: list[Path], timeout: float = 300) -> Traced:
    """Run the engine's paths in Pyodide on this runtime; {"files": [...], "path": [...]} of what it imported."""
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        runtime, packages = stage(pyodide_dir, wheels, Path(tmp))
        out = Path(tmp) / "trace.json"
        command = [find_node(), str(RUNNER), str(runtime), str(stdlib.resolve()), str(packages), str(INSIDE)]
        command += ["--out", str(out), *(str(b.resolve()) for b in bundles)]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise TraceError(f"tracing the engine inside Pyodide timed out after {timeout}s") from error
        if proc.returncode != 0 or not out.exists():
            raise TraceError(f"the engine failed inside Pyodide on this runtime:\n{proc.stdout}{proc.stderr}".rstrip())
        result: Traced = json.loads(out.read_text())
    missed = uncovered(result)
    if missed:
        raise TraceError(
            "the trace does not reach everything the engine can do, so the trim could leave out a module "
            f"only that imports; drive it there in {INSIDE.name}:\n" + "\n".join(f"  {m}" for m in missed)
        )
    return result


def uncovered(traced: Traced) -> list[str]:
    """What the trace had to reach (read from the engine: its message types, notice kinds, locales, paths)
    and did not, e.g. "notice 'queued_withdrawal'"."""
    coverage = traced.get("coverage") or {}
    required, reached = coverage.get("required") or {}, coverage.get("reached") or {}
    if not required:
        return ["what it must reach: the trace reported nothing"]
    return [
        f"{what} {item!r}" for what, items in required.items() for item in items if item not in reached.get(what, ())
    ]


def _stdlib_prefix(traced: Traced) -> str:
    return str(next(p for p in traced["path"] if p.endswith(".zip"))) + "/"


def _copy(members: list[tuple[zipfile.ZipInfo, bytes]], out: Path) -> None:
    with zipfile.ZipFile(out, "w") as archive:
        for original, data in members:
            info = zipfile.ZipInfo(original.filename, date_time=original.date_time)
            info.create_system, info.external_attr = original.create_system, original.external_attr
            info.compress_type = original.compress_type
            archive.writestr(info, data, compresslevel=9)


def trim_stdlib(stdlib: Path, traced: Traced, out: Path) -> None:
    imported = set(traced["files"])
    prefix = _stdlib_prefix(traced)
    with zipfile.ZipFile(stdlib) as archive:
        kept = [
            (info, archive.read(info))
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith(PROBED_ONLY)
            and (prefix + info.filename in imported or info.filename.startswith(KEEP_STDLIB))
        ]
    _copy(kept, out)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _wheel_keeps(name: str, imported: set[str]) -> bool:
    top = name.split("/", 1)[0]
    if top.endswith(".dist-info"):
        return "/sboms/" not in name
    if name.endswith((".pyi", "/py.typed")):
        return False
    if name.endswith(".pyc"):
        return SITE_PACKAGES + name in imported
    return True


def trim_wheel(wheel: Path, traced: Traced, out: Path) -> None:
    """The wheel with only its imported modules (and data, licences, metadata headers)."""
    imported = set(traced["files"])
    with zipfile.ZipFile(wheel) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        record = next(i for i in infos if i.filename.endswith(".dist-info/RECORD"))
        kept = []
        for info in infos:
            if info is record or not _wheel_keeps(info.filename, imported):
                continue
            data = archive.read(info)
            if info.filename.endswith(".dist-info/METADATA"):
                data = data.split(b"\n\n", 1)[0] + b"\n"  # the headers; the body is the long description
            kept.append((info, data))
    lines = [f"{info.filename},{_record_hash(data)},{len(data)}" for info, data in kept]
    lines.append(f"{record.filename},,")
    kept.append((record, ("\n".join(lines) + "\n").encode()))
    _copy(kept, out)


def trimmed(pyodide_dir: Path, stdlib: Path, wheels: list[Path], bundles: list[Path]) -> tuple[Path, list[Path]]:
    """The trimmed stdlib zip and wheels, cached by the hash of everything the trace depends on."""
    runtime = [pyodide_dir / name for name in RUNTIME_FILES]

    def make(folder: Path) -> None:
        traced = trace(pyodide_dir, stdlib, wheels, bundles)
        trim_stdlib(stdlib, traced, folder / stdlib.name)
        for wheel in wheels:
            if wheel.name.split("-")[0] in KEEP_WHOLE:
                (folder / wheel.name).write_bytes(wheel.read_bytes())
            else:
                trim_wheel(wheel, traced, folder / wheel.name)
        (folder / "trace.json").write_text(json.dumps(traced, indent=1))

    folder = steps.cached(
        "trimmed",
        [*runtime, stdlib, *wheels, *CODE, *sorted(bundles)],
        make,
        doing="tracing the engine inside Pyodide to trim the runtime",
    )
    return folder / stdlib.name, sorted(folder / w.name for w in wheels)
