"""The build's own checks: bad --bundles folders, publishing bundles without rebuilding the runtime,
the lockfile, WebAssembly wheels.

Runs the real build steps on the build cache (.cache/) and the built dist/.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyodide_lock import PyodideLockSpec

from builder import steps
from builder.assemble import dist
from builder.paths import DEMO, DIST, ROOT
from builder.runtime import abi, fetch, pipeline

# Every cached step of the runtime pipeline (builder/runtime/pipeline.py).
RUNTIME_STEPS = ("engine", "abi", "core", "compiled", "trimmed", "blanked")


def build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", "build", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize("kind", ["missing", "empty", "file"])
def test_a_bad_bundles_folder_is_an_error_naming_it_and_dist_is_untouched(tmp_path, kind):
    folder = tmp_path / "bundles"
    if kind == "empty":
        folder.mkdir()
    elif kind == "file":
        folder.write_text("{}")
    manifest = (DIST / "manifest.json").read_bytes()
    result = build("--bundles", str(folder))
    assert result.returncode != 0
    assert str(folder) in result.stderr and "dist/ built" not in result.stdout
    assert (DIST / "manifest.json").read_bytes() == manifest
    assert (DIST / "bundles" / "comparisons.json").is_file()


def test_lockfile_lists_exactly_the_shipped_wheels_with_their_hashes():
    assets = json.loads((DIST / "manifest.json").read_text())["assets"]
    lock_path = DIST / assets["lock"]
    lock = PyodideLockSpec.from_json(lock_path)  # Pyodide's own parser accepts it
    shipped = {p.name for p in lock_path.parent.glob("*.whl")}
    assert {p.file_name for p in lock.packages.values()} == shipped
    for package in lock.packages.values():
        data = (lock_path.parent / package.file_name).read_bytes()
        assert package.sha256 == hashlib.sha256(data).hexdigest()
        assert set(package.depends) <= set(lock.packages), package.name
    assert lock.packages["verdict"].imports == ["verdict"]
    assert "pydantic" in lock.packages["verdict"].depends


def test_webassembly_wheels_link_against_the_pinned_runtime():
    runtime = fetch.pyodide() / "pyodide.asm.wasm"
    native = [w for w in fetch.wheels() if w.name.endswith("_wasm32.whl")]
    assert native, "pydantic-core ships as a WebAssembly wheel"
    for wheel in native:
        assert abi.unresolved_imports(runtime, wheel) == []


def test_a_wheel_built_for_another_runtime_is_refused(tmp_path):
    other_runtime = tmp_path / "other.wasm"
    other_runtime.write_bytes(b"\0asm\x01\0\0\0")  # a valid module that exports nothing
    wheel = next(w for w in fetch.wheels() if w.name.endswith("_wasm32.whl"))
    with pytest.raises(SystemExit, match="was not built for this Pyodide"):
        abi.check_wheels(other_runtime, [wheel])


def test_build_py_names_what_to_install_when_no_python_312_is_found(tmp_path):
    old = next((p for p in ("/usr/bin/python3.11", shutil.which("python3.11")) if p and Path(p).is_file()), None)
    if old is None:
        pytest.skip("no Python 3.11 interpreter on this machine to play the bare python3")
    probe = "import runpy; runpy.run_path('build.py')['find_build_python']()"
    result = subprocess.run(
        [old, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "needs Python 3.12 or newer" in result.stderr and "VERDICT_PYTHON" in result.stderr


def test_publishing_other_bundles_reruns_no_runtime_step(tmp_path):
    """A publisher's own bundles change what is prerendered, never the runtime: every runtime step is reused."""
    pipeline.shipped_runtime()  # the runtime of this checkout, made if the cache lacks it
    bundle = json.loads((DEMO / "comparisons.json").read_text())
    bundle["comparisons"][0]["title"] = "A title no cached step has seen"
    bundle["tools"][0]["tagline"] = "A tagline no cached step has seen"
    folder = tmp_path / "bundles"
    folder.mkdir()
    (folder / "mine.json").write_text(json.dumps(bundle))
    asked = len(steps.RUNS)

    manifest = dist.build(target=tmp_path / "dist", bundles=folder)

    runs = steps.RUNS[asked:]
    assert {run.step for run in runs} == set(RUNTIME_STEPS), runs
    assert [run for run in runs if run.made] == [], "publishing other bundles reran a runtime step"
    shipped = json.loads((DIST / "manifest.json").read_text())["assets"]
    for name in ("core", "stdlib", "packages", "lock", "worker"):
        assert manifest["assets"][name] == shipped[name], f"the {name} differs from the demo build's"
    assert (tmp_path / "dist" / "bundles" / "mine.json").is_file()
