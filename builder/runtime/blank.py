"""Pyodide's core without the tables of the built-in modules nothing shipped imports.

Pyodide links every C module of the standard library into its core, each
with its constant tables in the core's static data: the CJK codecs'
mapping tables (_codecs_jp and its five siblings, ~0.6 MB) and unicodedata's
database of character names (~0.4 MB) are a quarter of it. The engine reads
neither: the trimmed standard library has no CJK codec front-ends in
``encodings``, and nothing shipped asks for a character by its name.

Data in a WebAssembly module sits at fixed addresses, so it cannot be cut
out; but bytes set to zero cost almost nothing once compressed. Which bytes:
the core is instrumented (Binaryen's --instrument-memory: every load and
store reports its address) and run under Node (blank_runtime.mjs). First
every engine path, exactly as the trim's trace (trace_inside.py); then
blank_inside.py reads what stays of unicodedata (all but the names) for every
code point, counted with the engine; then it reads the left-out tables
through and through. A byte is blanked when the second phase read it with
code the first phase never ran (the left-out modules' own functions; not
the interpreter's shared code, which reads, say, a one-character string
both phases meet), the engine never read it, nothing ever wrote it
(constant data), and it lies in a run of at least MIN_RUN such bytes, in a
cluster of runs spanning at least MIN_TABLE bytes (a module's tables, not
stray constants or a few entries of a shared table). The CJK modules (and _multibytecodec, their
shared engine) are also taken out of the interpreter's table of built-in
modules, so importing one fails plainly (ModuleNotFoundError) instead of
decoding with blank tables; unicodedata stays, with name(), lookup() and
``\\N{...}`` escapes left without names.

The core's code and the rest of its data are byte for byte Pyodide's.
tests/toolchain/test_trim.py replays every engine path on the shipped core,
and the browser tests run on it.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from auditwheel_emscripten.emscripten_tools import webassembly

from .. import steps
from ..paths import CACHE, ROOT
from . import trim
from .core import FEATURES, WASM, binaryen_version
from .pyc import find_node

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "blank_runtime.mjs"
INSIDE = HERE / "blank_inside.py"
WASM_OPT = ROOT / "node_modules" / ".bin" / "wasm-opt"
# What blank_inside.py reads; "unicodedata.names" is the names database only.
CJK_MODULES = ("_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw")
LEFT_OUT = (*CJK_MODULES, "unicodedata.names")
# Taken out of the built-in modules: the CJK codecs and their shared engine, which they import.
DROPPED_BUILTINS = (*CJK_MODULES, "_multibytecodec")
MIN_RUN = 16
# ... in a cluster (runs at most MAX_GAP bytes apart) spanning MIN_TABLE bytes: a module's tables, not a
# shared table that the left-out code happens to read a few entries of (the ASCII upper-case map, say).
MAX_GAP = 256
MIN_TABLE = 4096
COPIED = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide-lock.json")


class BlankError(RuntimeError):
    """The instrumented run failed, or the core is not laid out as expected."""


@dataclass
class Segment:
    """An active data segment: its address in memory and where its bytes are in the file."""

    address: int
    start: int
    size: int


def _address(init: list[tuple[webassembly.OpCode, list[int]]]) -> int | None:
    """The value of a constant expression that is a lone i32.const, else None."""
    match init:
        case [(webassembly.OpCode.I32_CONST, [value]), (webassembly.OpCode.END, _)]:
            return value
    return None


def data_segments(wasm: Path) -> list[Segment]:
    with webassembly.Module(str(wasm)) as module:
        segments = module.get_segments()
    found = []
    for segment in segments:
        address = None if segment.flags else _address(segment.init)
        if address is None:  # passive, another memory, or not at a constant address
            raise BlankError("the core's data segments are not all active with a constant address")
        found.append(Segment(address, segment.offset, segment.size))
    return found


def data_global(wasm: Path, name: str) -> int:
    """The address a data symbol's exported global holds (Emscripten exports them for side modules)."""
    with webassembly.Module(str(wasm)) as module:
        exports = [e for e in module.get_exports() if e.name == name and e.kind == webassembly.ExternType.GLOBAL]
        imported, values = module.num_imported_globals(), module.get_globals()
    for export in exports:
        if export.index >= imported and (address := _address(values[export.index - imported].init)) is not None:
            return address
    raise BlankError(f"the core exports no data symbol {name!r}")


class Memory:
    """The core's static data, read and written through its data segments."""

    def __init__(self, wasm: Path) -> None:
        self.path = wasm
        self.wasm = bytearray(wasm.read_bytes())
        self.segments = data_segments(wasm)
        self.end = max(s.address + s.size for s in self.segments)

    def read(self, address: int, size: int) -> bytes:
        out = bytearray(size)
        for s in self.segments:
            low, high = max(address, s.address), min(address + size, s.address + s.size)
            if low < high:
                out[low - address : high - address] = self.wasm[s.start + low - s.address : s.start + high - s.address]
        return bytes(out)

    def write(self, address: int, data: bytes) -> None:
        """Write `data`; a non-zero byte where no segment lies (memory starts zeroed) cannot be written."""
        covered = bytearray(len(data))
        for s in self.segments:
            low, high = max(address, s.address), min(address + len(data), s.address + s.size)
            if low < high:
                self.wasm[s.start + low - s.address : s.start + high - s.address] = data[low - address : high - address]
                covered[low - address : high - address] = b"\1" * (high - low)
        if any(byte and not cover for byte, cover in zip(data, covered, strict=True)):
            raise BlankError(f"cannot write at {address:#x}: no data segment holds it")

    def c_string(self, address: int) -> str:
        data = self.read(address, 256)
        return data[: data.index(0)].decode()


def runs(mask: bytes, minimum: int) -> list[tuple[int, int]]:
    """[start, end) of every run of at least `minimum` non-zero bytes."""
    found, at = [], 0
    while (start := mask.find(1, at)) != -1:
        end = mask.find(0, start)
        end = len(mask) if end == -1 else end
        if end - start >= minimum:
            found.append((start, end))
        at = end
    return found


def blank_ranges(read_engine: bytes, read_left_out: bytes, shared: bytes, written: bytes) -> list[tuple[int, int]]:
    """Runs of constant bytes only the left-out modules' own code reads."""
    mask = bytes(
        1 if only and not engine and not common and not store else 0
        for only, engine, common, store in zip(read_left_out, read_engine, shared, written, strict=True)
    )
    clusters: list[list[tuple[int, int]]] = []
    for start, end in runs(mask, MIN_RUN):
        if clusters and start - clusters[-1][-1][1] <= MAX_GAP:
            clusters[-1].append((start, end))
        else:
            clusters.append([(start, end)])
    return [run for cluster in clusters if cluster[-1][1] - cluster[0][0] >= MIN_TABLE for run in cluster]


def drop_builtins(memory: Memory, names: tuple[str, ...]) -> list[str]:
    """Take `names` out of the interpreter's table of built-in modules (_PyImport_Inittab)."""
    table = struct.unpack("<I", memory.read(data_global(memory.path, "PyImport_Inittab"), 4))[0]
    entries, at = [], table
    while True:
        name, init = struct.unpack("<II", memory.read(at, 8))
        if name == 0:
            break
        entries.append((memory.c_string(name), name, init))
        at += 8
    kept = [(name, init) for text, name, init in entries if text not in names]
    dropped = [text for text, _, _ in entries if text in names]
    packed = b"".join(struct.pack("<II", name, init) for name, init in kept)
    memory.write(table, packed + bytes(8 * (len(entries) - len(kept))))
    return dropped


def instrumented(wasm: Path, out: Path) -> None:
    if not WASM_OPT.exists():
        raise SystemExit(f"{WASM_OPT} is missing: the pinned JavaScript tools are installed by build.py (npm ci)")
    command = [str(WASM_OPT), *FEATURES, "--instrument-memory", str(wasm), "-o", str(out)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not out.exists():
        raise BlankError(f"wasm-opt --instrument-memory failed:\n{result.stderr[-2000:]}")


def measure(runtime_dir: Path, stdlib: Path, wheels: list[Path], bundles: list[Path], limit: int) -> dict[str, bytes]:
    """The maps blank_runtime.mjs writes: what the engine read, what reading the left-out tables read
    (and of that, what instructions the engine ran too read), what was written."""
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        folder = Path(tmp)
        probed = folder / "core"
        probed.mkdir()
        for name in COPIED:
            (probed / name).symlink_to((runtime_dir / name).resolve())
        instrumented(runtime_dir / WASM, probed / WASM)
        runtime, packages = trim.stage(probed, wheels, folder)
        command = [find_node(), str(RUNNER), str(runtime), str(stdlib.resolve()), str(packages), str(limit), tmp]
        command += [str(trim.INSIDE), "--out", str(folder / "trace.json"), *(str(b.resolve()) for b in bundles)]
        command += ["--", str(INSIDE), *LEFT_OUT]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise BlankError(f"the instrumented run failed:\n{proc.stdout}{proc.stderr}".rstrip()[-4000:])
        return {name: (folder / f"{name}.bin").read_bytes() for name in ("read-0", "read-1", "shared-1", "written")}


class BlankReport(TypedDict):
    """What the blanking did (blank.json beside the blanked core)."""

    left_out: list[str]
    builtins_dropped: list[str]
    bytes_blanked: int
    ranges: list[tuple[int, int]]


def blank(runtime_dir: Path, stdlib: Path, wheels: list[Path], bundles: list[Path], out: Path) -> BlankReport:
    """Write the blanked core to `out`; returns what was done, for blank.json."""
    memory = Memory(runtime_dir / WASM)
    maps = measure(runtime_dir, stdlib, wheels, bundles, memory.end)
    ranges = blank_ranges(maps["read-0"], maps["read-1"], maps["shared-1"], maps["written"])
    for start, end in ranges:
        memory.write(start, bytes(end - start))
    dropped = drop_builtins(memory, DROPPED_BUILTINS)
    out.write_bytes(memory.wasm)
    return {
        "left_out": list(LEFT_OUT),
        "builtins_dropped": dropped,
        "bytes_blanked": sum(end - start for start, end in ranges),
        "ranges": ranges,
    }


def blanked(runtime_dir: Path, stdlib: Path, wheels: list[Path], bundles: list[Path]) -> Path:
    """A runtime folder like `runtime_dir` with the blanked core, cached by everything the run depends on."""
    inputs = [runtime_dir / n for n in (WASM, *COPIED)]
    scripts = [RUNNER, INSIDE, *trim.CODE, Path(__file__)]

    def make(folder: Path) -> None:
        report = blank(runtime_dir, stdlib, wheels, bundles, folder / WASM)
        for name in COPIED:
            shutil.copyfile(runtime_dir / name, folder / name)
        (folder / "blank.json").write_text(json.dumps(report))

    return steps.cached(
        "blanked",
        [*inputs, stdlib, *wheels, *scripts, *sorted(bundles)],
        make,
        doing="blanking the tables of built-in modules nothing shipped imports (CJK codecs, names)",
        extra=[binaryen_version()],
    )
