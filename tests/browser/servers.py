"""Widget hosts for tests of hosting as publishers do it: our own WidgetHost
on any folder (a tampered copy of dist/, precompressed twins ignored), or a
plain static server (Python's http.server: no CORS header, no twins).
Each runs on a free loopback port and is stopped afterwards.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from builder.devtools.static import WidgetHost


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def widget_host(
    folder: Path,
    *,
    precompressed: bool = True,
    content_types: Mapping[str, str] | None = None,
    cache_control: str | None = None,
) -> Iterator[str]:
    """WidgetHost serving `folder`; yields its origin."""
    port = _free_port()
    host = WidgetHost(folder, precompressed=precompressed, content_types=content_types, cache_control=cache_control)
    server = uvicorn.Server(uvicorn.Config(host, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"
    try:
        _wait(origin + "/embed.js")
        yield origin
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def plain_static_server(folder: Path) -> Iterator[str]:
    """`python3 -m http.server` on `folder`: what many publishers try first."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(folder), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        _wait(origin + "/embed.js")
        yield origin
    finally:
        process.terminate()
        process.wait(10)
