"""builder/runtime/core.py: Pyodide's core ships without the code nothing shipped can call.

The engine's paths themselves are replayed on the shipped core by test_trim.py
and run on it in the browser tests; these check the rules that decide what is
kept, on the core dist/ ships.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from auditwheel_emscripten import get_exports

from builder.runtime import abi, core, fetch

from ..helpers.runtime import SecType, section_bytes, shipped_files


@pytest.fixture(scope="module")
def shipped_core() -> Path:
    wasm, _stdlib, _wheels = shipped_files()
    return wasm


def export_names(wasm: Path) -> set[str]:
    return {e.name for listed in get_exports(wasm).values() for e in listed}


def wasm_wheels() -> list[Path]:
    return [w for w in fetch.wheels() if w.name.endswith("_wasm32.whl")]


def test_the_shipped_core_has_the_slimmed_code(shipped_core):
    """Its data differs where blanked (test_blank.py)."""
    slimmed = core.slimmed(fetch.pyodide(), wasm_wheels())
    code = section_bytes(shipped_core, SecType.CODE)
    assert code == section_bytes(slimmed / core.WASM, SecType.CODE)
    assert shipped_core.stat().st_size < 0.95 * (fetch.pyodide() / core.WASM).stat().st_size
    assert len(code) < 0.95 * len(section_bytes(fetch.pyodide() / core.WASM, SecType.CODE))


def test_every_wasm_wheel_still_links_against_the_shipped_core(shipped_core):
    for wheel in wasm_wheels():
        assert abi.unresolved_imports(shipped_core, wheel) == []


def test_what_pyodide_javascript_calls_is_kept_and_the_rest_is_not(shipped_core):
    kept = export_names(shipped_core)
    # Called by name from Pyodide's glue: loading a shared library, running Python, the version check.
    assert {"emscripten_dlopen_promise", "dlerror", "PyRun_SimpleString", "Py_Version", "memory"} <= kept
    # Exported only so that any side module could link against them.
    assert not {"BZ2_bzCompress", "sqlite3_open", "PyList_Sort"} & kept
    assert len(kept) < len(export_names(fetch.pyodide() / core.WASM)) / 2


def test_the_glue_loses_only_the_plumbing_of_removed_exports():
    glue = (
        'var _a,_gone,b;var _gone2;_a=Module["_a"]=wasmExports["a"];'
        '_gone=Module["_gone"]=wasmExports["gone"];_gone2=Module["_gone2"]=wasmExports["gone2"];f(_a)'
    )
    slim = core.slim_glue(glue, {"gone", "gone2"})
    assert slim == 'var _a,b;_a=Module["_a"]=wasmExports["a"];f(_a)'
    assert core.names_in(glue) == {"f", "_a"}  # what decides which exports stay
