"""`build.py check-host` against real servers: our widget host, a plain static server, an altered deployment."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.servers import plain_static_server, widget_host

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"


def check_host(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", "check-host", url, *extra], capture_output=True, text=True, cwd=ROOT
    )


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    if not (DIST / "manifest.json").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")


def test_our_widget_host_passes_every_check():
    with widget_host(DIST) as origin:
        result = check_host(origin + "/", "--dist", str(DIST))
    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("CORS", "content types", "Content-Encoding", "cache headers", "X-Content-Type-Options", "integrity"):
        assert any(line.startswith("  ok") and check in line for line in result.stdout.splitlines()), result.stdout
    assert "FAIL" not in result.stdout and "warn" not in result.stdout


def test_a_plain_static_server_gets_each_problem_with_its_fix():
    with plain_static_server(DIST) as origin:
        result = check_host(origin + "/")
    assert result.returncode == 1
    out = result.stdout
    assert "FAIL  CORS" in out and "Access-Control-Allow-Origin: *" in out
    assert "warn  precompressed twins (Content-Encoding)" in out and "brotli_static on" in out
    assert "warn  cache headers" in out and "immutable" in out
    assert "warn  X-Content-Type-Options" in out
    # Wheels as application/octet-stream: named with the fix, but the widget reads them whatever their label.
    assert "warn  content types" in out and ".whl (application/octet-stream, should be application/zip)" in out
    assert "docs/operators/hosting.md" in out


def test_javascript_sent_as_something_else_fails():
    with widget_host(DIST, content_types={".js": "text/plain"}) as origin:
        result = check_host(origin + "/")
    assert result.returncode == 1
    assert "FAIL  content types" in result.stdout and ".js (text/plain, should be text/javascript)" in result.stdout


def test_an_altered_deployment_fails_integrity(tmp_path):
    copy = tmp_path / "dist"
    shutil.copytree(DIST, copy)
    worker = json.loads((DIST / "manifest.json").read_text())["assets"]["worker"]
    for twin in (copy / worker).parent.glob(Path(worker).name + ".*"):
        twin.unlink()
    (copy / worker).write_bytes((copy / worker).read_bytes() + b"\n// altered")
    with widget_host(copy) as origin:
        result = check_host(origin + "/")
    assert result.returncode == 1
    assert "FAIL  integrity" in result.stdout and worker in result.stdout


def test_a_url_that_is_not_a_dist_folder_is_said_plainly():
    with widget_host(DIST) as origin:
        result = check_host(origin + "/nothing-here/")
    assert result.returncode == 1 and "manifest.json (HTTP 404)" in result.stdout
