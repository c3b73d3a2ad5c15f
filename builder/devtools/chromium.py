"""Debian's Chromium as the bench, the screenshots and the browser tests drive it."""

from __future__ import annotations

import os
import socket

CHROMIUM = os.environ.get("VERDICT_CHROMIUM", "/usr/bin/chromium")
# Headless, and none of Chromium's own network traffic (updates, sync), which a closed network refuses.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port_run(count: int = 3) -> int:
    """A base port on loopback with `count` free ports from it (the demo's blog, widget host, votes)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + count > 65535:
            continue
        try:
            for port in range(base, base + count):
                with socket.socket() as taken:
                    taken.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no run of free ports on loopback")
