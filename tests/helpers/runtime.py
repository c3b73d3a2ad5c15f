"""The browser runtime exactly as dist/ ships it, laid out for Node (trace_runtime.mjs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from auditwheel_emscripten.emscripten_tools.webassembly import Module, SecType

from builder.paths import DIST
from builder.runtime import core, fetch


def shipped_files() -> tuple[Path, Path, list[Path]]:
    """(core, stdlib zip, wheels) from dist/."""
    if not (DIST / "manifest.json").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    assets = json.loads((DIST / "manifest.json").read_text())["assets"]
    lock = json.loads((DIST / assets["lock"]).read_text())
    wheels = [DIST / assets["packages"] / entry["file_name"] for entry in lock["packages"].values()]
    return DIST / assets["indexURL"] / core.WASM, DIST / assets["stdlib"], wheels


def slimmed_dir() -> Path:
    """Pyodide's JavaScript and core before blanking (builder/runtime/core.py's output, cached)."""
    return core.slimmed(fetch.pyodide(), [w for w in fetch.wheels() if w.name.endswith("_wasm32.whl")])


def shipped_dir(folder: Path) -> Path:
    """A runtime folder in `folder`: the shipped core beside Pyodide's JavaScript (bundled into the worker)."""
    wasm, _stdlib, _wheels = shipped_files()
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide-lock.json"):
        (folder / name).symlink_to((slimmed_dir() / name).resolve())
    (folder / core.WASM).symlink_to(wasm.resolve())
    return folder


def section_bytes(wasm: Path, kind: SecType) -> bytes:
    """The body of a WebAssembly file's section of that kind (empty if it has none)."""
    with Module(str(wasm)) as module:
        section = module.get_section(kind)
        return bytes(module.read_at(section.offset, section.size)) if section else b""
