"""builder/runtime/trim.py: the runtime ships only what the engine imports.

The engine is replayed inside Pyodide (Node) on the very runtime dist/ ships:
every path a reader can reach must still run there, and removing a module the
engine needs must make that replay fail.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from builder.runtime import trim

from ..conftest import DEMO_BUNDLE
from ..helpers.runtime import shipped_dir, shipped_files


@pytest.fixture(scope="module")
def shipped() -> tuple[Path, list[Path]]:
    _core, stdlib, wheels = shipped_files()
    return stdlib, wheels


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pyodide's JavaScript and core as dist/ ships them."""
    return shipped_dir(tmp_path_factory.mktemp("runtime") / "runtime")


def test_every_engine_path_runs_on_the_shipped_runtime(shipped, runtime_dir):
    stdlib, wheels = shipped
    traced = trim.trace(runtime_dir, stdlib, wheels, [DEMO_BUNDLE])  # raises naming anything not reached
    assert any(f.endswith("/verdict/browser.pyc") for f in traced["files"])
    assert any(f.endswith("/pydantic/main.pyc") for f in traced["files"])
    reached = traced["coverage"]["reached"]
    assert {"device", "mount", "action", "unmount"} <= set(reached["message type"])
    assert {"origin_refused", "queued_withdrawal", "tallies_unavailable"} <= set(reached["notice"])
    assert trim.uncovered(traced) == []


# The engine's voter tokens, imported with the engine; the HTTP client's URL parsing, first imported at a mount.
@pytest.mark.parametrize(("member", "module"), [("secrets.pyc", "secrets"), ("urllib/parse.pyc", "urllib.parse")])
def test_a_module_the_engine_needs_trimmed_by_mistake_fails(shipped, runtime_dir, tmp_path: Path, member, module):
    stdlib, wheels = shipped
    broken = tmp_path / stdlib.name
    with zipfile.ZipFile(stdlib) as source, zipfile.ZipFile(broken, "w") as out:
        assert member in source.namelist()
        for info in source.infolist():
            if info.filename != member:
                out.writestr(info, source.read(info.filename))
    with pytest.raises(trim.TraceError, match=module):
        trim.trace(runtime_dir, broken, wheels, [DEMO_BUNDLE])


def test_what_the_engine_never_imports_is_left_out(shipped):
    stdlib, wheels = shipped
    with zipfile.ZipFile(stdlib) as archive:
        names = set(archive.namelist())
    assert {"json/decoder.pyc", "asyncio/locks.pyc", "encodings/latin_1.pyc"} <= names
    assert not {"email/mime/text.pyc", "sqlite3/__init__.pyc", "xml/dom/minidom.pyc", "http/server.pyc"} & names
    # Every Unicode codec, whatever the trace saw; not the legacy code pages, nor compressions only probed for.
    assert {"encodings/utf_8_sig.pyc", "encodings/utf_16.pyc", "encodings/cp1252.pyc", "encodings/ascii.pyc"} <= names
    assert not {"encodings/shift_jis.pyc", "encodings/koi8_r.pyc", "bz2.pyc", "compression/zstd/__init__.pyc"} & names
    by_name = {w.name.split("-")[0]: w for w in wheels}
    with zipfile.ZipFile(by_name["pydantic"]) as archive:
        pydantic = set(archive.namelist())
    assert "pydantic/main.pyc" in pydantic
    assert not any(n.startswith("pydantic/v1/") or n.endswith(".pyi") for n in pydantic)
    with zipfile.ZipFile(by_name["verdict"]) as archive:  # our own engine ships whole
        assert {"verdict/browser.pyc", "verdict/cli.pyc", "verdict/schema.pyc"} <= set(archive.namelist())
