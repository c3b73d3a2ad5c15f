"""Votes in one SQLite file: zero set-up for one endpoint process, a 200 only once the vote is on disk.

WAL journal with ``synchronous=FULL`` fsyncs the log on every commit, so a
committed vote survives kill -9 and power loss. Concurrent votes share one
transaction (group commit), so one fsync serves them all. The stdlib driver
blocks, so work runs in worker threads: writes on one connection, reads on
another (WAL lets readers go on while a batch commits). Tallies are kept in
their own table, updated in the same transaction as the votes, so reading them
costs as little with a million votes as with ten.

The rate limit lives in this process's memory: SQLite serves one endpoint
process, so there is nothing to share it with.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

from .errors import StartupError
from .groupcommit import GroupCommit
from .ratelimit import SlidingWindowLimiter
from .storage import Burst, Change, StoreError

T = TypeVar("T")

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE votes (
    comparison TEXT NOT NULL,
    voter      TEXT NOT NULL,  -- HMAC of the voter token, never the token
    tool       TEXT NOT NULL,
    cast_at    INTEGER NOT NULL,  -- unix seconds of the latest choice
    PRIMARY KEY (comparison, voter)
) WITHOUT ROWID;
CREATE TABLE tallies (
    comparison TEXT NOT NULL,
    tool       TEXT NOT NULL,
    votes      INTEGER NOT NULL CHECK (votes >= 0),
    PRIMARY KEY (comparison, tool)
) WITHOUT ROWID;
"""
# Version 2: who cast it (hashed address) and when the voter first voted, for the operator commands.
MIGRATE_TO_2 = """
ALTER TABLE votes ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE votes ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
UPDATE votes SET created_at = cast_at;
CREATE INDEX votes_by_address ON votes (address, created_at);
CREATE INDEX votes_by_creation ON votes (created_at);
"""


def _statements(script: str) -> list[str]:
    # One statement at a time: executescript() would commit mid-way.
    return [statement for statement in script.split(";") if statement.strip()]


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE.
    # A write waits this long for another program's lock, then fails (503: nothing saved).
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    try:
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StartupError(f"cannot use write-ahead logging on {path} (journal mode {mode!r})")
        db.execute("PRAGMA synchronous=FULL")
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    with _transaction(db):  # under the write lock, so two processes starting together agree
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StartupError(f"{path} was written by a newer version of the endpoint (schema {version})")
        if version < 1:
            for statement in _statements(SCHEMA):
                db.execute(statement)
        if version < 2:
            for statement in _statements(MIGRATE_TO_2):
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


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


def _count(db: sqlite3.Connection, comparison: str, tool: str, delta: int) -> None:
    if delta < 0:  # the row exists: the vote being taken back was counted in it
        db.execute("UPDATE tallies SET votes = votes + ? WHERE comparison = ? AND tool = ?", (delta, comparison, tool))
        return
    db.execute(
        "INSERT INTO tallies (comparison, tool, votes) VALUES (?, ?, ?)"
        " ON CONFLICT (comparison, tool) DO UPDATE SET votes = votes + excluded.votes",
        (comparison, tool, delta),
    )


def _apply(db: sqlite3.Connection, change: Change, now: int) -> None:
    row = db.execute(
        "SELECT tool FROM votes WHERE comparison = ? AND voter = ?", (change.comparison, change.voter)
    ).fetchone()
    previous: str | None = row[0] if row else None
    if previous == change.tool:
        return
    if change.tool is None:
        db.execute("DELETE FROM votes WHERE comparison = ? AND voter = ?", (change.comparison, change.voter))
    elif previous is None:
        db.execute(
            "INSERT INTO votes (comparison, voter, tool, cast_at, address, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (change.comparison, change.voter, change.tool, now, change.address, now),
        )
    else:
        db.execute(
            "UPDATE votes SET tool = ?, cast_at = ? WHERE comparison = ? AND voter = ?",
            (change.tool, now, change.comparison, change.voter),
        )
    if change.tool is not None:
        _count(db, change.comparison, change.tool, 1)
    if previous is not None:
        _count(db, change.comparison, previous, -1)


def _commit_batch(db: sqlite3.Connection, changes: Sequence[Change]) -> list[dict[str, int]]:
    now = int(time.time())
    with _transaction(db):
        for change in changes:
            _apply(db, change, now)
        tallies = {comparison: _read_tallies(db, comparison) for comparison in {c.comparison for c in changes}}
    return [tallies[change.comparison] for change in changes]


def _bursts(db: sqlite3.Connection, since: int, window: int, min_new_voters: int) -> list[Burst]:
    rows = db.execute(
        "SELECT address, created_at / ? * ? AS start, count(*), group_concat(DISTINCT comparison)"
        " FROM votes WHERE created_at >= ? AND address != ''"
        " GROUP BY address, start HAVING count(*) >= ? ORDER BY count(*) DESC, start",
        (window, window, since, min_new_voters),
    ).fetchall()
    return [Burst(address, start, count, tuple(sorted(names.split(",")))) for address, start, count, names in rows]


def _void(db: sqlite3.Connection, address: str) -> dict[str, int]:
    removed: dict[str, int] = {}
    with _transaction(db):
        rows = db.execute(
            "DELETE FROM votes WHERE substr(address, 1, ?) = ? AND address != '' RETURNING comparison, tool",
            (len(address), address),
        ).fetchall()
        for comparison, tool in rows:
            _count(db, comparison, tool, -1)
            removed[comparison] = removed.get(comparison, 0) + 1
    return removed


class _Connection:
    """One sqlite3 connection used from worker threads, one call at a time."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db: sqlite3.Connection | None = db
        self._lock = threading.Lock()

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def locked() -> T:
            with self._lock:
                if self._db is None:
                    raise StoreError("the vote database is closed")
                try:
                    return work(self._db)
                except sqlite3.Error as error:
                    raise StoreError(f"SQLite: {error}") from error

        return await anyio.to_thread.run_sync(locked)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


class SQLiteStorage:
    """The Storage protocol on one SQLite file."""

    def __init__(self, writer: sqlite3.Connection, reader: sqlite3.Connection, path: Path) -> None:
        self.path = path
        self._writer = _Connection(writer)
        self._reader = _Connection(reader)
        self._batches: GroupCommit[Change, dict[str, int]] = GroupCommit(self._commit, writers=1)
        self._limiters: dict[int, SlidingWindowLimiter] = {}

    @classmethod
    def open(cls, path: Path) -> SQLiteStorage:
        """Open or create the database (and its directory); StartupError if it cannot be used."""
        try:
            writer = _connect(path)
            try:
                _migrate(writer, path)
                reader = _connect(path)
            except BaseException:
                writer.close()
                raise
            return cls(writer, reader, path)
        except sqlite3.Error as error:
            raise StartupError(f"cannot open the database {path}: {error}") from None
        except OSError as error:
            raise StartupError(f"cannot create the database {path}: {error.strerror or error}") from None

    async def start(self) -> None:
        """Nothing to do: the file was opened by ``open``."""

    async def _commit(self, changes: Sequence[Change]) -> list[dict[str, int]]:
        return await self._writer.run(lambda db: _commit_batch(db, changes))

    async def write(self, change: Change) -> dict[str, int]:
        return await self._batches.submit(change)

    async def tallies(self, comparison: str) -> dict[str, int]:
        return await self._reader.run(lambda db: _read_tallies(db, comparison))

    async def rate_hit(self, key: str, per_minute: int) -> int:
        limiter = self._limiters.get(per_minute)
        if limiter is None:
            limiter = self._limiters[per_minute] = SlidingWindowLimiter(per_minute)
        return limiter.hit(key)

    async def ping(self) -> None:
        await self._reader.run(lambda db: db.execute("SELECT count(*) FROM sqlite_master").fetchone())

    async def bursts(self, since: int, window: int, min_new_voters: int) -> list[Burst]:
        return await self._reader.run(lambda db: _bursts(db, since, window, min_new_voters))

    async def void(self, address: str) -> dict[str, int]:
        return await self._writer.run(lambda db: _void(db, address))

    async def close(self) -> None:
        await self._batches.drain()
        self._writer.close()
        self._reader.close()
