"""builder/runtime/pyc.py: the stdlib zip and wheels precompiled inside Pyodide.

Runs on the build's own cache: the pinned Pyodide npm package and the
runtime's wheels (fetched into .cache/ on first use).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from builder.runtime import fetch, pyc

# Pydantic's own dependencies first, then pydantic.
LOAD_ORDER = ["typing_extensions", "annotated_types", "typing_inspection", "pydantic_core", "pydantic"]


@pytest.fixture(scope="module")
def pyodide_cache() -> tuple[Path, list[Path]]:
    return fetch.pyodide(), fetch.wheels()


def _precompile(pyodide_cache, out_dir: Path) -> dict[str, Path]:
    pyodide_dir, wheels = pyodide_cache
    return pyc.precompile(pyodide_dir, pyodide_dir / "python_stdlib.zip", wheels, out_dir)


@pytest.fixture(scope="module")
def compiled(pyodide_cache, tmp_path_factory) -> dict[str, Path]:
    return _precompile(pyodide_cache, tmp_path_factory.mktemp("pyc-a"))


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_outputs_keep_input_names(pyodide_cache, compiled):
    _pyodide_dir, wheels = pyodide_cache
    assert compiled[pyc.STDLIB_KEY].name == "python_stdlib.zip"
    assert sorted(k for k in compiled if k != pyc.STDLIB_KEY) == sorted(w.name for w in wheels)
    for key, path in compiled.items():
        assert path.is_file() and (key == pyc.STDLIB_KEY or path.name == key)


def test_stdlib_is_sourceless(pyodide_cache, compiled):
    pyodide_dir, _ = pyodide_cache
    with zipfile.ZipFile(pyodide_dir / "python_stdlib.zip") as z:
        original = set(z.namelist())
    with zipfile.ZipFile(compiled[pyc.STDLIB_KEY]) as z:
        names = z.namelist()
        assert z.testzip() is None
    assert names == sorted(names)
    assert not [n for n in names if n.endswith(".py")]
    dropped = set(pyc.DEFAULT_DROP)
    for name in original:
        top = name.split("/", 1)[0].removesuffix(".py")
        if top in dropped:
            assert name not in names and name + "c" not in names
        elif name.endswith(".py"):
            assert name + "c" in names, name
        else:
            assert name in names, name  # data files and directories are kept
    assert {"typing.pyc", "dataclasses.pyc", "json/__init__.pyc", "_pyodide/_base.pyc"} <= set(names)


def test_wheels_are_sourceless_with_a_valid_record(compiled):
    for key, path in compiled.items():
        if key == pyc.STDLIB_KEY:
            continue
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            assert z.testzip() is None
            assert not [n for n in names if n.endswith(".py")], key
            assert any(n.endswith(".pyc") for n in names), key
            record = names[-1]
            assert record.endswith(".dist-info/RECORD"), key
            rows = [line.rsplit(",", 2) for line in z.read(record).decode().splitlines()]
            assert {row[0] for row in rows} == set(names), key
            for name, digest, size in rows:
                if name == record:
                    assert (digest, size) == ("", "")
                else:
                    data = z.read(name)
                    assert (digest, int(size)) == (_record_hash(data), len(data)), name


BOOT_SCRIPT = r"""
import { pathToFileURL } from "node:url";
const [pyodideDir, stdlib, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(pyodideDir + "/pyodide.mjs").href);
const py = await loadPyodide({ indexURL: pyodideDir + "/", stdLibURL: stdlib });
await py.loadPackage(wheels, { messageCallback: () => {} });
const out = py.runPython(`
import json, typing, pydantic
from typing import Annotated, Literal

class Item(pydantic.BaseModel):
    name: Annotated[str, pydantic.StringConstraints(min_length=1)]
    n: int = 0
    kind: Literal["a", "b"] = "a"

class Box(pydantic.BaseModel):
    items: list[Item]

ok = Box.model_validate({"items": [{"name": "x", "n": "3"}, {"name": "y", "kind": "b"}]})
try:
    Box.model_validate({"items": [{"name": "", "n": "x"}]})
    errors = None
except pydantic.ValidationError as e:
    errors = [(list(err["loc"]), err["type"]) for err in e.errors()]
json.dumps({
    "dump": ok.model_dump(),
    "errors": errors,
    "files": [typing.__file__, json.__file__, pydantic.__file__],
    "version": pydantic.VERSION,
    "positions": [[p[0], p[2]] for p in pydantic.BaseModel.model_validate.__code__.co_positions()],
})
`);
console.log(out);
"""


def test_runtime_boots_and_validates_with_compiled_code(pyodide_cache, compiled, tmp_path):
    pyodide_dir, _wheels = pyodide_cache
    order = {name: i for i, name in enumerate(LOAD_ORDER)}
    wheel_paths = sorted(
        (p for k, p in compiled.items() if k != pyc.STDLIB_KEY),
        key=lambda p: order.get(p.name.split("-")[0], -1),
    )
    script = tmp_path / "boot.mjs"
    script.write_text(BOOT_SCRIPT)
    proc = subprocess.run(
        [
            pyc.find_node(),
            str(script),
            str(pyodide_dir.resolve()),
            str(compiled[pyc.STDLIB_KEY]),
            *map(str, wheel_paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["dump"] == {"items": [{"name": "x", "n": 3, "kind": "a"}, {"name": "y", "n": 0, "kind": "b"}]}
    assert result["errors"] == [[["items", 0, "name"], "string_too_short"], [["items", 0, "n"], "int_parsing"]]
    # The modules really came from the sourceless .pyc files.
    assert result["files"][0].endswith("/typing.pyc") and ".zip/" in result["files"][0]
    assert result["files"][1].endswith(".zip/json/__init__.pyc")
    assert result["files"][2].endswith("site-packages/pydantic/__init__.pyc")
    # Compiled without column positions (only a traceback's ^^^ under source lines, which are not shipped) ...
    assert result["positions"] and all(column is None for _line, column in result["positions"])
    # ... but with line numbers, for tracebacks.
    assert any(line for line, _column in result["positions"])


def _small_inputs(pyodide_cache, folder: Path) -> tuple[Path, list[Path]]:
    """A slice of the real standard library (a package, plain modules, a data file) and the smallest wheel:
    what the byte-for-byte and failure checks need, without compiling everything again."""
    pyodide_dir, wheels = pyodide_cache
    folder.mkdir()
    small = folder / "python_stdlib.zip"
    with zipfile.ZipFile(pyodide_dir / "python_stdlib.zip") as whole, zipfile.ZipFile(small, "w") as part:
        for name in whole.namelist():
            if name.startswith(("json/", "email/", "typing.py", "dataclasses.py", "enum.py")):
                part.writestr(whole.getinfo(name), whole.read(name))
    return small, [min(wheels, key=lambda w: w.stat().st_size)]


def test_output_is_byte_identical_across_runs(pyodide_cache, tmp_path):
    pyodide_dir, _ = pyodide_cache
    stdlib, wheels = _small_inputs(pyodide_cache, tmp_path / "in")
    first = pyc.precompile(pyodide_dir, stdlib, wheels, tmp_path / "first")
    again = pyc.precompile(pyodide_dir, stdlib, wheels, tmp_path / "again")
    assert again.keys() == first.keys() and len(first) == 2
    with zipfile.ZipFile(first[pyc.STDLIB_KEY]) as z:
        assert "json/__init__.pyc" in z.namelist()  # something was compiled, so equal bytes mean something
    for key in first:
        assert again[key].read_bytes() == first[key].read_bytes(), key


def test_uncompilable_source_fails_loudly(pyodide_cache, tmp_path):
    pyodide_dir, _ = pyodide_cache
    bad = tmp_path / "bad-1.0-py3-none-any.whl"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("bad/__init__.py", "def f(:\n    pass\n")
        z.writestr("bad-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n")
        z.writestr("bad-1.0.dist-info/RECORD", "")
    out = tmp_path / "out"
    with pytest.raises(pyc.PrecompileError, match=r"bad-1.0-py3-none-any.whl: cannot compile bad/__init__.py"):
        pyc.precompile(pyodide_dir, _small_inputs(pyodide_cache, tmp_path / "in")[0], [bad], out)
    assert list(out.iterdir()) == []  # nothing half-written is left behind
