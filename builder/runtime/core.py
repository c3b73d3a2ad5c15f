"""Pyodide's WebAssembly core without the code that nothing we ship can call.

pyodide.asm.wasm is Emscripten's main module: it exports every C function of
the interpreter and its libraries (some 8,500) so that any side module could
link against it. The engine ships one side module, pydantic-core's, and
Pyodide's own JavaScript. So the build keeps the exports that those name:

- every function and data symbol a shipped wasm wheel imports (the ABI check,
  builder/runtime/abi.py, then passes on the shipped core as on Pyodide's);
- every export name Pyodide's JavaScript mentions anywhere (code, strings),
  leaving out only the glue's plumbing that declares and assigns every export;
- every export that is not a function (memory, table, globals);

and Binaryen's wasm-metadce removes the other exports and the code only they
reach. Nothing is rewritten: the functions kept are byte for byte the same.
When the glue's plumbing changes shape, fewer names are left out, so more is
kept: never less. tests/toolchain/test_trim.py replays every engine path on
the shipped core, and the browser tests run on it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .. import steps
from ..paths import CACHE, ROOT
from .abi import linked_names

METADCE = ROOT / "node_modules" / ".bin" / "wasm-metadce"
BINARYEN = ROOT / "node_modules" / "binaryen" / "package.json"
JAVASCRIPT = ("pyodide.mjs", "pyodide.asm.mjs")
WASM = "pyodide.asm.wasm"
# Copied beside the core and its glue, so the folder serves wherever Pyodide's own does (the trace, the lockfile).
COPIED = ("pyodide.mjs", "pyodide-lock.json")
# The WebAssembly features Pyodide's core is built with; Binaryen validates against them.
FEATURES = (
    "--enable-exception-handling",
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-multivalue",
)
# The glue's plumbing: `var _a,_b,…;` declares every export, `_a=Module["_a"]=wasmExports["a"]` assigns it.
DECLARATIONS = re.compile(r"\bvar\s+([A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)\s*;")
ASSIGNMENTS = re.compile(r"[\w$]+\s*=\s*Module\[\"[\w$]+\"\]\s*=\s*wasmExports\[\"([\w$]+)\"\];?")
WORD = re.compile(r"[A-Za-z_$][\w$]*")


def names_in(javascript: str) -> set[str]:
    """Every identifier or string-like word of `javascript`, but for the export plumbing."""
    return set(WORD.findall(ASSIGNMENTS.sub("", DECLARATIONS.sub("", javascript))))


def javascript_names(pyodide_dir: Path) -> set[str]:
    return set().union(*(names_in((pyodide_dir / name).read_text()) for name in JAVASCRIPT))


def slim_glue(text: str, removed: set[str]) -> str:
    """Pyodide's glue without declaring and assigning the removed exports (a third of its text).

    A removed export's name appears nowhere else in the JavaScript (else it would be kept),
    so nothing can refer to what is taken out here.
    """

    def declaration(match: re.Match[str]) -> str:
        names = [n.strip() for n in match.group(1).split(",")]
        left = [n for n in names if not (n.startswith("_") and n[1:] in removed)]
        return f"var {','.join(left)};" if left else ""

    text = ASSIGNMENTS.sub(lambda m: "" if m.group(1) in removed else m.group(0), text)
    return DECLARATIONS.sub(declaration, text)


def kept_exports(pyodide_dir: Path, wasm_wheels: list[Path]) -> tuple[list[str], list[str]]:
    """(kept, all) export names of the core."""
    from auditwheel_emscripten import get_exports

    exports = [e for listed in get_exports(pyodide_dir / WASM).values() for e in listed]
    named = javascript_names(pyodide_dir)
    for wheel in wasm_wheels:
        named |= linked_names(wheel)
    kept = [e.name for e in exports if e.kind.value != 0 or e.name in named or "_" + e.name in named]
    return kept, [e.name for e in exports]


def metadce(pyodide_dir: Path, wasm_wheels: list[Path], out: Path) -> None:
    """Write the core with only the kept exports, and what they reach, to `out`, the glue beside it."""
    if not METADCE.exists():
        raise SystemExit(f"{METADCE} is missing: the pinned JavaScript tools are installed by build.py (npm ci)")
    kept, every = kept_exports(pyodide_dir, wasm_wheels)
    glue = pyodide_dir / "pyodide.asm.mjs"
    (out.parent / glue.name).write_text(slim_glue(glue.read_text(), set(every) - set(kept)))
    graph = [{"name": "root", "root": True, "reaches": [f"export:{n}" for n in kept]}]
    graph += [{"name": f"export:{n}", "export": n} for n in every]
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        graph_file = Path(tmp) / "graph.json"
        graph_file.write_text(json.dumps(graph))
        command = [str(METADCE), *FEATURES, "--graph-file", str(graph_file), str(pyodide_dir / WASM), "-o", str(out)]
        result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not out.exists():
        raise SystemExit(f"wasm-metadce failed on {WASM}:\n{result.stderr[-2000:]}")


def slimmed(pyodide_dir: Path, wasm_wheels: list[Path]) -> Path:
    """A runtime folder like `pyodide_dir` (its JavaScript, its lockfile and the core), cached by its inputs."""
    inputs = [pyodide_dir / n for n in (WASM, *sorted({*JAVASCRIPT, *COPIED}))]

    def make(folder: Path) -> None:
        metadce(pyodide_dir, wasm_wheels, folder / WASM)
        for name in COPIED:
            shutil.copyfile(pyodide_dir / name, folder / name)

    return steps.cached(
        "core",
        [*inputs, *wasm_wheels, Path(__file__), Path(__file__).with_name("abi.py")],
        make,
        doing="leaving out of Pyodide's core what nothing shipped can call (wasm-metadce)",
        extra=[binaryen_version()],
    )


def binaryen_version() -> str:
    """The pinned Binaryen's version: the core's slimming and blanking run its tools."""
    return str(json.loads(BINARYEN.read_text())["version"]) if BINARYEN.exists() else ""
