"""Votes in one SQLite file: zero set-up, and a 200 only once the vote is on disk.

WAL journal with ``synchronous=FULL`` fsyncs the log on every commit, so a
committed vote survives kill -9 and power loss. The stdlib driver blocks, so
each call runs in a worker thread; one connection behind a lock serialises
them, which is also what SQLite wants for writes. Tallies are kept in their own
table, updated in the same transaction as the vote, so reading them costs as
little with a million votes as with ten.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

from .errors import StartupError

T = TypeVar("T")

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE votes (
    comparison TEXT NOT NULL,
    voter      TEXT NOT NULL,  -- HMAC of the voter token, never the token
    tool       TEXT NOT NULL,
    cast_at    INTEGER NOT NULL,  -- unix seconds, to study stuffing after the fact
    PRIMARY KEY (comparison, voter)
) WITHOUT ROWID;
CREATE TABLE tallies (
    comparison TEXT NOT NULL,
    tool       TEXT NOT NULL,
    votes      INTEGER NOT NULL CHECK (votes >= 0),
    PRIMARY KEY (comparison, tool)
) WITHOUT ROWID;
"""


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StartupError(f"cannot use write-ahead logging on {path} (journal mode {mode!r})")
        db.execute("PRAGMA synchronous=FULL")
        with _transaction(db):  # under the write lock, so two processes starting together agree
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                # One statement at a time: executescript() would commit mid-way.
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        if version > SCHEMA_VERSION:
            raise StartupError(f"{path} was written by a newer version of the endpoint (schema {version})")
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front, so no upgrade deadlocks."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _read_tallies(db: sqlite3.Connection, comparison: str) -> dict[str, int]:
    rows = db.execute("SELECT tool, votes FROM tallies WHERE comparison = ? AND votes > 0", (comparison,))
    return dict(rows.fetchall())


def _add_vote(db: sqlite3.Connection, comparison: str, tool: str) -> None:
    db.execute(
        "INSERT INTO tallies (comparison, tool, votes) VALUES (?, ?, 1)"
        " ON CONFLICT (comparison, tool) DO UPDATE SET votes = votes + 1",
        (comparison, tool),
    )


def _remove_vote(db: sqlite3.Connection, comparison: str, tool: str) -> None:
    db.execute("UPDATE tallies SET votes = votes - 1 WHERE comparison = ? AND tool = ?", (comparison, tool))


class SQLiteStorage:
    """The Storage protocol on one SQLite file."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = db
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> SQLiteStorage:
        """Open or create the database (and its directory); StartupError if it cannot be used."""
        try:
            return cls(_connect(path), path)
        except sqlite3.Error as error:
            raise StartupError(f"cannot open the database {path}: {error}") from None
        except OSError as error:
            raise StartupError(f"cannot create the database {path}: {error.strerror or error}") from None

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def locked() -> T:
            with self._lock:
                if self._db is None:
                    raise RuntimeError("the vote database is closed")
                return work(self._db)

        return await anyio.to_thread.run_sync(locked)

    async def cast(self, comparison: str, tool: str, voter_hash: str) -> dict[str, int]:
        def work(db: sqlite3.Connection) -> dict[str, int]:
            with _transaction(db):
                row = db.execute(
                    "SELECT tool FROM votes WHERE comparison = ? AND voter = ?", (comparison, voter_hash)
                ).fetchone()
                previous = row[0] if row else None
                if previous != tool:
                    db.execute(
                        "INSERT INTO votes (comparison, voter, tool, cast_at) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (comparison, voter) DO UPDATE"
                        " SET tool = excluded.tool, cast_at = excluded.cast_at",
                        (comparison, voter_hash, tool, int(time.time())),
                    )
                    _add_vote(db, comparison, tool)
                    if previous is not None:
                        _remove_vote(db, comparison, previous)
                return _read_tallies(db, comparison)

        return await self._run(work)

    async def withdraw(self, comparison: str, voter_hash: str) -> dict[str, int]:
        def work(db: sqlite3.Connection) -> dict[str, int]:
            with _transaction(db):
                removed = db.execute(
                    "DELETE FROM votes WHERE comparison = ? AND voter = ? RETURNING tool", (comparison, voter_hash)
                ).fetchall()
                for (tool,) in removed:
                    _remove_vote(db, comparison, tool)
                return _read_tallies(db, comparison)

        return await self._run(work)

    async def tallies(self, comparison: str) -> dict[str, int]:
        return await self._run(lambda db: _read_tallies(db, comparison))

    async def ping(self) -> None:
        await self._run(lambda db: db.execute("SELECT count(*) FROM sqlite_master").fetchone())

    async def close(self) -> None:
        def work() -> None:
            with self._lock:
                if self._db is not None:
                    self._db.close()
                    self._db = None

        await anyio.to_thread.run_sync(work)
