"""A throwaway PostgreSQL cluster from Debian's binaries, for tests and the bench.

``initdb`` and ``pg_ctl`` in a temporary folder, listening on a free port of
127.0.0.1. PostgreSQL refuses to run as root, so when we are root the server
runs as ``nobody`` (through ``runuser``), with its folders owned by it.
pytest-postgresql does the same set-up but runs the server as the current
user, which fails as root; this module is the few lines it would save.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg

from .endpoint import HOST, free_port

PG_BIN = Path(os.environ.get("VERDICT_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "verdict"
UNPRIVILEGED = "nobody"


def available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


class PostgresCluster:
    """One cluster; ``start()`` it, make databases with ``create_database``, ``destroy()`` it."""

    def __init__(self) -> None:
        if not available():
            raise RuntimeError(f"PostgreSQL's binaries are not in {PG_BIN} (python3 build.py test installs them)")
        self.root = Path(tempfile.mkdtemp(prefix="verdict-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            user = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")

    def _run(self, *command: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        words = [str(c) for c in command]
        if self._as_root:
            words = ["runuser", "-u", UNPRIVILEGED, "--", *words]
        return subprocess.run(words, capture_output=True, text=True, check=check, timeout=120, cwd=self.root)

    def start(self) -> None:
        options = " ".join(
            [
                f"-c listen_addresses={HOST}",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.root}",
                "-c max_connections=300",
                "-c shared_buffers=64MB",
                "-c fsync=on",
                "-c synchronous_commit=on",
            ]
        )
        result = self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o", options, "start")
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}\n{self.server_log()}")

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m MODE``; ``immediate`` is a crash: no checkpoint, recovery from the WAL at start."""
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", check=False)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def server_log(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def files(self) -> Sequence[Path]:
        """The files holding the databases' rows and their write-ahead log."""
        return [p for folder in ("base", "pg_wal") for p in (self.data / folder).rglob("*") if p.is_file()]

    def destroy(self) -> None:
        self.stop("immediate")
        time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)
