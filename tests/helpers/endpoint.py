"""Run the vote endpoint as a real server process (``python -m verdict_endpoint serve``).

For tests that need the endpoint over HTTP: it listens on a free port of
127.0.0.1 with a real SQLite file (or the PostgreSQL database a
``database_url`` names), and is ready (``/healthz`` answers 200) by the time
the helpers return. Its output goes to ``endpoint-<port>.log`` beside the
database file (in its folder, for PostgreSQL).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"


def new_voter_token() -> str:
    """A voter token as the widget makes one."""
    return secrets.token_urlsafe(24)


def free_port(host: str = HOST) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def endpoint_command(
    bundles: Sequence[Path],
    db_path: Path,
    allow_origins: Sequence[str] = (),
    *,
    port: int,
    rate_limit: int | None = None,
    secret: str | None = None,
    extra_args: Sequence[str] = (),
    database_url: str | None = None,
) -> list[str]:
    command = [sys.executable, "-m", "verdict_endpoint", "serve", "--host", HOST, "--port", str(port)]
    for bundle in bundles:
        command += ["--bundle", str(bundle)]
    command += ["--database", database_url or f"sqlite:///{db_path}"]
    for origin in allow_origins:
        command += ["--allow-origin", origin]
    if rate_limit is not None:
        command += ["--rate-limit", str(rate_limit)]
    if secret is not None:
        command += ["--secret", secret]
    return command + list(extra_args)


def clean_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without VERDICT_* settings (the test decides them), plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("VERDICT_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@dataclass
class EndpointProcess:
    """A running endpoint: its URL, its process, its database file and its log."""

    base_url: str
    process: subprocess.Popen[bytes]
    db_path: Path
    log_path: Path
    metrics_url: str | None = None
    """``/metrics`` on the private listener, when started with ``--metrics-port``."""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_when(self, condition: Callable[[str], bool], timeout: float = 5.0) -> str:
        """The log once ``condition`` holds for it (the access log is written in batches, within 0.2 s)."""
        deadline = time.monotonic() + timeout
        while not condition(text := self.log()) and time.monotonic() < deadline:
            time.sleep(0.05)
        return text

    def stop(self, timeout: float = 10.0) -> int:
        """Graceful shutdown (SIGTERM), then SIGKILL if it lingers; the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()

    def kill(self) -> None:
        """kill -9: no shutdown code runs, as in a crash."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _wait_until_healthy(endpoint: EndpointProcess, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if endpoint.process.poll() is not None:
            return False
        try:
            if httpx.get(f"{endpoint.base_url}/healthz", timeout=1.0).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return False


def _metrics_url(extra_args: Sequence[str]) -> str | None:
    args = list(extra_args)
    if "--metrics-port" not in args:
        return None
    return f"http://{HOST}:{args[args.index('--metrics-port') + 1]}/metrics"


def launch_endpoint(
    bundles: Sequence[Path],
    db_path: Path,
    allow_origins: Sequence[str] = (),
    *,
    rate_limit: int | None = None,
    secret: str | None = None,
    env: Mapping[str, str] | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 20.0,
    port: int | None = None,
    database_url: str | None = None,
) -> EndpointProcess:
    """Start an endpoint and wait until it is healthy; the caller must ``stop()`` (or ``kill()``) it.

    ``port`` restarts an endpoint where its clients expect it; by default a free one.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    wanted = port
    # A free port may be taken between probing and binding (then another is probed), and a port
    # given back by a stopped endpoint may be held a moment by a client's socket (then it is tried again).
    for attempt in range(3):
        if wanted is not None and attempt:
            time.sleep(0.5)
        port = wanted or free_port()
        log_path = db_path.parent / f"endpoint-{port}.log"
        command = endpoint_command(
            bundles,
            db_path,
            allow_origins,
            port=port,
            rate_limit=rate_limit,
            secret=secret,
            extra_args=extra_args,
            database_url=database_url,
        )
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=clean_environment(env))
        endpoint = EndpointProcess(f"http://{HOST}:{port}", process, db_path, log_path, _metrics_url(extra_args))
        if _wait_until_healthy(endpoint, timeout):
            return endpoint
        endpoint.stop()
        if "address already in use" not in endpoint.log().lower():
            break
    raise RuntimeError(f"the endpoint did not become healthy:\n{' '.join(command)}\n{endpoint.log()}")


@contextmanager
def start_endpoint(
    bundles: Sequence[Path], db_path: Path, allow_origins: Sequence[str] = (), **options: Any
) -> Iterator[str]:
    """A healthy endpoint for the ``with`` block, yielding its base URL; stopped afterwards.

    ``options`` are launch_endpoint's keyword arguments.
    """
    endpoint = launch_endpoint(bundles, db_path, allow_origins, **options)
    try:
        yield endpoint.base_url
    finally:
        endpoint.stop()
