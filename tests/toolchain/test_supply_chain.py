"""What the build installs and ships is pinned by hash, and checked every time it is used.

Python packages: requirements.lock pins every package of the virtualenv (the
dependencies of dependencies too) with the sha256 of the file pip installs,
and build.py installs it with ``--require-hashes``. The Pyodide runtime: the
unpacked copy in .cache/ is checked against each file's pinned sha256 every
time a build uses it, not only when it was fetched.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from builder.paths import CACHE
from builder.runtime import fetch, pins

ROOT = Path(__file__).resolve().parents[2]


def _build_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_py", ROOT / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_py"] = module
    spec.loader.exec_module(module)
    return module


def test_every_locked_package_has_a_hash_and_matches_the_groups_pins() -> None:
    build = _build_py()
    text = (ROOT / "requirements.lock").read_text()
    entries = re.findall(r"^([a-z0-9-]+)==(\S+) \\\n    --hash=sha256:([0-9a-f]{64})$", text, re.MULTILINE)
    requirements = [line for line in text.splitlines() if line and not line.startswith(("#", " "))]
    assert len(entries) == len(requirements) > 50, "every requirement has exactly one sha256"
    locked = {name: version for name, version, _ in entries}
    for name, version in build._pins_of_groups().items():
        assert locked.get(name) == version, f"{name}=={version} is not locked (run python3 build.py lock)"
    assert "pip" in locked and "starlette" in locked and "pydantic-core" in locked
    build.check_lock()  # what build.py runs before installing: no complaint


def test_a_lock_behind_the_groups_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = _build_py()
    stale = tmp_path / "requirements.lock"
    stale.write_text((ROOT / "requirements.lock").read_text().replace("starlette==", "starlette==0.0.1-", 1))
    monkeypatch.setattr(build, "LOCK", stale)
    with pytest.raises(SystemExit, match=r"requirements\.lock is out of date for starlette"):
        build.check_lock()


def test_the_cached_runtime_is_checked_against_its_pins_each_time(tmp_path: Path) -> None:
    cached = CACHE / f"pyodide-{pins.PYODIDE_VERSION}"
    copy = tmp_path / cached.name
    copy.mkdir()
    for name in fetch.PYODIDE_FILES:
        shutil.copyfile(cached / name, copy / name)  # a copy of its own: the cache itself is never touched
    assert fetch._unpacked_problems(copy) == []
    lock = copy / "pyodide-lock.json"
    lock.write_bytes(lock.read_bytes().replace(b'"sha256"', b'"sha256" ', 1))
    (copy / "pyodide.asm.mjs").unlink()
    assert fetch._unpacked_problems(copy) == [
        "pyodide.asm.mjs is missing",
        "pyodide-lock.json does not match its pinned sha256",
    ]
