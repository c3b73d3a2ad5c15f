"""The hosting docs' sample configurations for the widget host, run for real.

The nginx and Caddy blocks of docs/operators/hosting.md are taken from the
page itself, pointed at dist/ on a free loopback port, checked by the
servers (`nginx -t`, `caddy validate`), then serve dist/ to `check-host`
(every check ok) and, for nginx, to a reader's browser that votes.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page

from .conftest import wait_for_mark
from .hostpage import HostPages
from .test_host_pages import post

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"


def docs_block(language: str) -> str:
    page = (ROOT / "docs" / "operators" / "hosting.md").read_text()
    section = page[page.index("## Hosting dist/") :]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"docs/operators/hosting.md's Hosting section has no {language} block"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def served(origin: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            urllib.request.urlopen(origin + "/verdict/embed.js", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{origin} did not come up")


@contextmanager
def running(command: list[str], origin: str, **kwargs) -> Iterator[str]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    try:
        served(origin, process)
        yield origin
    finally:
        process.terminate()
        process.wait(10)


def site_root(tmp: Path) -> Path:
    """/srv/www of the samples: dist/ appears as its verdict/ folder."""
    www = tmp / "www"
    www.mkdir()
    (www / "verdict").symlink_to(DIST, target_is_directory=True)
    return www


def check_host(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", "check-host", url, "--dist", str(DIST)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


@contextmanager
def nginx(tmp: Path) -> Iterator[str]:
    port = free_port()
    site = docs_block("nginx").replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("root /srv/www;", f"root {site_root(tmp)};")
    (tmp / "site.conf").write_text(site)
    temp = tmp / "temp"
    temp.mkdir()
    paths = " ".join(f"{kind}_temp_path {temp};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(
        "include /etc/nginx/modules-enabled/*.conf;\n"
        # Workers read dist/ and the test's private temp folder as this user (root ignores nginx's default "nobody").
        f"{'user root; ' if os.geteuid() == 0 else ''}"
        f"worker_processes 1; pid {tmp / 'nginx.pid'}; error_log {tmp / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; {paths} include {tmp / 'site.conf'}; }}\n"
    )
    command = ["nginx", "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")]
    test = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert test.returncode == 0 and "syntax is ok" in test.stderr, test.stderr
    with running([*command, "-g", "daemon off;"], f"http://127.0.0.1:{port}") as origin:
        yield origin


def test_the_docs_nginx_sample_serves_dist_as_readers_need(page: Page, tmp_path: Path):
    assert shutil.which("nginx"), "build.py installs Debian's nginx for this test"
    with nginx(tmp_path) as origin, HostPages().running() as pages:
        result = check_host(origin + "/verdict/")
        assert result.returncode == 0 and "FAIL" not in result.stdout and "warn" not in result.stdout, result.stdout
        widget = origin + "/verdict"
        page.goto(pages.add(post(widget, None, attrs=' data-lazy="false"')))
        wait_for_mark(page, "verdict:engine-card")
        assert page.locator(".vd-title").count() == 1
        assert [m for m in page.console.of("error") if "Verdict" in m] == []  # type: ignore[attr-defined]


def test_the_docs_caddy_sample_serves_dist_as_readers_need(tmp_path: Path):
    assert shutil.which("caddy"), "build.py installs Debian's Caddy for this test"
    port = free_port()
    site = docs_block("caddyfile").replace("widget.example.com {", f"http://127.0.0.1:{port} {{")
    site = site.replace("root * /srv/www", f"root * {site_root(tmp_path)}")
    config = tmp_path / "Caddyfile"
    config.write_text(f"{{\n\tadmin off\n\tauto_https off\n\tstorage file_system {tmp_path / 'data'}\n}}\n{site}")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    env["PATH"] = "/usr/bin:/bin"
    adapter = ["--config", str(config), "--adapter", "caddyfile"]
    validate = subprocess.run(["caddy", "validate", *adapter], capture_output=True, text=True, env=env)
    assert validate.returncode == 0, validate.stderr
    command = ["caddy", "run", *adapter]
    with running(command, f"http://127.0.0.1:{port}", env=env) as origin:
        result = check_host(origin + "/verdict/")
    assert result.returncode == 0 and "FAIL" not in result.stdout and "warn" not in result.stdout, result.stdout
