"""Votes in one SQLite file: zero set-up for one endpoint process, a 200 only once the vote is on disk.

WAL journal with ``synchronous=FULL`` fsyncs the log on every commit, so a
committed vote survives kill -9 and power loss. Concurrent votes share one
transaction (group commit), so one fsync serves them all. The stdlib driver
blocks, so work runs in worker threads: writes on one connection, reads on
another (WAL lets readers go on while a batch commits). Tallies are kept in
their own table, updated in the same transaction as the votes, so reading them
costs as little with a million votes as with ten. Each row also keeps when the
voter made their choice on their device, withdrawals included (a row without a
tool), so a change older than the stored one is refused whenever it arrives.

The rate limit lives in this process's memory: SQLite serves one endpoint
process, so there is nothing to share it with.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from .errors import StartupError
from .groupcommit import GroupCommit
from .ratelimit import SlidingWindowLimiter
from .rollups import SQLITE_MIGRATION
from .storage import Burst, Change, StoreError, Voided, Written
from .webhooks import SQLITE_MIGRATION as WEBHOOK_MIGRATION

T = TypeVar("T")

SCHEMA_VERSION = 4
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
# Version 3: the time of the voter's choice on their device, and withdrawals kept as rows without a tool
# (tombstones holding that time). SQLite cannot drop a NOT NULL constraint in place: the table is rebuilt.
MIGRATE_TO_3 = """
CREATE TABLE votes_v3 (
    comparison TEXT NOT NULL,
    voter      TEXT NOT NULL,  -- HMAC of the voter token, never the token
    tool       TEXT,           -- NULL: withdrawn (a tombstone, kept for its chosen_at)
    cast_at    INTEGER NOT NULL,  -- unix seconds of the latest choice
    address    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    chosen_at  INTEGER,        -- ms since the epoch of the choice on the reader's device (NULL: not sent)
    PRIMARY KEY (comparison, voter)
) WITHOUT ROWID;
INSERT INTO votes_v3 (comparison, voter, tool, cast_at, address, created_at)
    SELECT comparison, voter, tool, cast_at, address, created_at FROM votes;
DROP TABLE votes;
ALTER TABLE votes_v3 RENAME TO votes;
CREATE INDEX votes_by_address ON votes (address, created_at);
CREATE INDEX votes_by_creation ON votes (created_at);
"""

# Version 4: votes over time (rollups kept by triggers as votes commit) and the operator's voids; see rollups.py.
MIGRATE_TO_4 = SQLITE_MIGRATION + WEBHOOK_MIGRATION


def _statements(script: str) -> list[str]:
    # One statement at a time: executescript() would commit mid-way.
    return [statement for statement in script.split(";") if statement.strip()]


def _complete_statements(script: str) -> list[str]:
    """Statements one at a time, a trigger's body (with its own semicolons) kept whole."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    return [statement for statement in statements if statement.strip()]


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
        db.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: a million votes' keys stay in memory
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
        if version < 3:
            for statement in _statements(MIGRATE_TO_3):
                db.execute(statement)
        if version < 4:
            for statement in _complete_statements(MIGRATE_TO_4):
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


def _batched(items: Sequence[T], size: int = 300) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


Key = tuple[str, str]
"""(comparison, voter hash): one row of ``votes``."""


@dataclass(frozen=True)
class _Row:
    """What ``votes`` holds for one voter: their vote (None: a tombstone) and the time of that choice."""

    tool: str | None
    chosen_at: int | None


def _stored_rows(db: sqlite3.Connection, keys: Sequence[Key]) -> dict[Key, _Row]:
    """The stored row of each (comparison, voter), tombstones included, in a few queries for the whole batch."""
    found: dict[Key, _Row] = {}
    for chunk in _batched(keys):
        values = ",".join("(?, ?)" for _ in chunk)
        rows = db.execute(
            # A join, so each key is a primary-key search (an IN over row values would scan the table).
            f"SELECT v.comparison, v.voter, v.tool, v.chosen_at FROM (VALUES {values}) AS k"
            " JOIN votes AS v ON v.comparison = k.column1 AND v.voter = k.column2",
            [part for key in chunk for part in key],
        )
        found.update(((comparison, voter), _Row(tool, chosen_at)) for comparison, voter, tool, chosen_at in rows)
    return found


def _is_stale(change: Change, row: _Row | None) -> bool:
    """Older than the stored choice. Only when both times are known: a client that sends none is obeyed, as before."""
    if row is None or row.chosen_at is None or change.chosen_at is None:
        return False
    return change.chosen_at < row.chosen_at


def _row_after(change: Change) -> _Row | None:
    """The row a change leaves: its vote, or a tombstone keeping a timed withdrawal's time; None: no row at all."""
    if change.tool is None and change.chosen_at is None:
        return None
    return _Row(change.tool, change.chosen_at)


def _save_rows(
    db: sqlite3.Connection, before: dict[Key, _Row], after: dict[Key, _Row | None], last: dict[Key, Change], now: int
) -> None:
    """Write each changed voter's final row: a few statements for the whole batch."""
    deletes: list[Key] = []
    inserts, renewals, updates = [], [], []
    for key, change in last.items():
        old, new = before.get(key), after[key]
        if new == old:
            continue
        if new is None:
            deletes.append(key)
        elif old is None:
            inserts.append((*key, new.tool, now, change.address, now, new.chosen_at))
        elif old.tool is None and new.tool is not None:
            # A vote after a withdrawal: a new voter's, for ``bursts``, as when withdrawals deleted the row.
            renewals.append((new.tool, new.chosen_at, now, change.address, now, *key))
        else:
            updates.append((new.tool, now, new.tool, new.chosen_at, *key))
    if deletes:
        db.executemany("DELETE FROM votes WHERE comparison = ? AND voter = ?", deletes)
    if inserts:
        db.executemany(
            "INSERT INTO votes (comparison, voter, tool, cast_at, address, created_at, chosen_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
    if renewals:
        db.executemany(
            "UPDATE votes SET tool = ?, chosen_at = ?, cast_at = ?, address = ?, created_at = ?"
            " WHERE comparison = ? AND voter = ?",
            renewals,
        )
    if updates:  # cast_at moves only when the vote does (a same choice sent again keeps it)
        db.executemany(
            "UPDATE votes SET cast_at = CASE WHEN tool IS ? THEN cast_at ELSE ? END, tool = ?, chosen_at = ?"
            " WHERE comparison = ? AND voter = ?",
            updates,
        )


def _count_batch(db: sqlite3.Connection, before: dict[Key, _Row], after: dict[Key, _Row | None]) -> None:
    """Move each changed vote from its old tool's tally to its new one's: one statement per kind."""
    deltas: dict[tuple[str, str], int] = {}
    for key, new in after.items():
        old_tool = row.tool if (row := before.get(key)) else None
        new_tool = new.tool if new else None
        if old_tool == new_tool:
            continue
        if old_tool is not None:
            deltas[(key[0], old_tool)] = deltas.get((key[0], old_tool), 0) - 1
        if new_tool is not None:
            deltas[(key[0], new_tool)] = deltas.get((key[0], new_tool), 0) + 1
    added = [(comparison, tool, n) for (comparison, tool), n in deltas.items() if n > 0]
    removed = [(n, comparison, tool) for (comparison, tool), n in deltas.items() if n < 0]
    if added:
        db.executemany(
            "INSERT INTO tallies (comparison, tool, votes) VALUES (?, ?, ?)"
            " ON CONFLICT (comparison, tool) DO UPDATE SET votes = votes + excluded.votes",
            added,
        )
    if removed:  # those rows exist: the votes taken back were counted in them
        db.executemany("UPDATE tallies SET votes = votes + ? WHERE comparison = ? AND tool = ?", removed)


def _batch_tallies(db: sqlite3.Connection, comparisons: list[str]) -> dict[str, dict[str, int]]:
    tallies: dict[str, dict[str, int]] = {comparison: {} for comparison in comparisons}
    marks = ",".join("?" for _ in comparisons)
    rows = db.execute(
        f"SELECT comparison, tool, votes FROM tallies WHERE comparison IN ({marks}) AND votes > 0", comparisons
    )
    for comparison, tool, votes in rows:
        tallies[comparison][tool] = votes
    return tallies


def _apply_batch(db: sqlite3.Connection, changes: Sequence[Change]) -> list[Written]:
    """Apply the batch in order, each change checked against the row as the changes before it left it.

    A voter may appear twice in one batch (a retried request beside a newer
    one): the later choice wins whichever arrived last. A handful of
    statements for the whole batch, which take microseconds: they run on the
    event loop's thread. Only BEGIN (which may wait for another program's
    lock) and COMMIT (which waits for the disk) go to a worker thread. A worker
    thread running every statement would be slower, not faster: each call into
    SQLite gives up the GIL and must win it back from the busy event loop, up
    to 5 ms each time.
    """
    before = _stored_rows(db, list(dict.fromkeys((change.comparison, change.voter) for change in changes)))
    after: dict[Key, _Row | None] = {}
    last: dict[Key, Change] = {}  # the last change applied to each voter: the address of a new row
    outcomes: list[tuple[str | None, bool]] = []  # (the vote held after it, stale?)
    for change in changes:
        key = (change.comparison, change.voter)
        current = after[key] if key in after else before.get(key)
        if _is_stale(change, current):
            outcomes.append((current.tool if current else None, True))
            continue
        after[key], last[key] = _row_after(change), change
        outcomes.append((change.tool, False))
    _save_rows(db, before, after, last, int(time.time()))
    _count_batch(db, before, after)
    tallies = _batch_tallies(db, sorted({change.comparison for change in changes}))
    return [
        Written(tallies[change.comparison], vote, stale)
        for change, (vote, stale) in zip(changes, outcomes, strict=True)
    ]


def _bursts(db: sqlite3.Connection, since: int, window: int, min_new_voters: int, prefix: int) -> list[Burst]:
    rows = db.execute(
        "SELECT substr(address, 1, ?) AS network, created_at / ? * ? AS start, count(tool), count(*) - count(tool),"
        " group_concat(DISTINCT comparison)"
        # INDEXED BY: left to itself, SQLite walks every vote in address order for the GROUP BY (seconds at a
        # million votes) rather than the few in the window, which the results page asks for too.
        " FROM votes INDEXED BY votes_by_creation WHERE created_at >= ? AND address != ''"
        " GROUP BY network, start HAVING count(*) >= ? ORDER BY count(*) DESC, start",
        (prefix, window, window, since, min_new_voters),
    ).fetchall()
    return [
        Burst(network, start, votes, tuple(sorted(names.split(","))), withdrawals)
        for network, start, votes, withdrawals, names in rows
    ]


def _void(db: sqlite3.Connection, address: str) -> Voided:
    removed: dict[str, int] = {}
    withdrawals = 0
    with _transaction(db):
        rows = db.execute(
            "DELETE FROM votes WHERE substr(address, 1, ?) = ? AND address != '' RETURNING comparison, tool",
            (len(address), address),
        ).fetchall()
        for comparison, tool in rows:
            if tool is None:
                withdrawals += 1
                continue
            _count(db, comparison, tool, -1)
            removed[comparison] = removed.get(comparison, 0) + 1
        db.executemany(  # for the results page: what an operator removed, and when
            "INSERT INTO voids (at, address, comparison, votes) VALUES (?, ?, ?, ?)",
            [(int(time.time()), address, comparison, n) for comparison, n in removed.items()],
        )
    return Voided(removed, withdrawals)


def _probe_write(db: sqlite3.Connection) -> None:
    with _transaction(db):
        db.execute("CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)")
        db.execute("INSERT OR REPLACE INTO health (id, at) VALUES (1, ?)", (time.time_ns(),))


def _purge_tombstones(db: sqlite3.Connection, older_than: int) -> int:
    with _transaction(db):
        return db.execute("DELETE FROM votes WHERE tool IS NULL AND cast_at < ?", (older_than,)).rowcount


class _Connection:
    """One sqlite3 connection used from worker threads, one call at a time."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db: sqlite3.Connection | None = db
        self._lock = threading.Lock()

    def run_here(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """In the calling thread: for work that takes microseconds and never waits."""
        with self._lock:
            if self._db is None:
                raise StoreError("the vote database is closed")
            try:
                return work(self._db)
            except sqlite3.Error as error:
                raise StoreError(f"SQLite: {error}") from error

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """In a worker thread: for work that may wait (a lock, the disk)."""
        return await anyio.to_thread.run_sync(self.run_here, work)

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
        self._batches: GroupCommit[Change, Written] = GroupCommit(self._commit, writers=1)
        self._limiters: dict[int, SlidingWindowLimiter] = {}
        self._side: _Connection | None = None

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

    async def _commit(self, changes: Sequence[Change]) -> list[Written]:
        """One transaction for the batch: BEGIN and COMMIT in a worker thread, the statements here."""
        await self._writer.run(lambda db: db.execute("BEGIN IMMEDIATE"))
        try:
            result = self._writer.run_here(lambda db: _apply_batch(db, changes))
            await self._writer.run(lambda db: db.execute("COMMIT"))
        except BaseException:
            with contextlib.suppress(StoreError):  # a failed COMMIT may have ended the transaction already
                await self._writer.run(lambda db: db.execute("ROLLBACK") if db.in_transaction else None)
            raise
        return result

    async def write(self, change: Change) -> Written:
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

    async def bursts(self, since: int, window: int, min_new_voters: int, prefix: int = 64) -> list[Burst]:
        return await self._reader.run(lambda db: _bursts(db, since, window, min_new_voters, prefix))

    async def void(self, address: str) -> Voided:
        return await self._writer.run(lambda db: _void(db, address))

    async def _on_own_connection(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """In a worker thread, on a connection of its own.

        The writer's transactions span two calls (BEGIN, then COMMIT): work between
        them would land inside a batch. This connection waits for the write lock instead.
        """

        def run() -> T:
            try:
                db = _connect(self.path)
            except (sqlite3.Error, OSError) as error:
                raise StoreError(f"SQLite: {error}") from error
            try:
                return work(db)
            except sqlite3.Error as error:
                raise StoreError(f"SQLite: {error}") from error
            finally:
                db.close()

        return await anyio.to_thread.run_sync(run)

    async def probe_write(self) -> None:
        await self._on_own_connection(_probe_write)

    async def purge_tombstones(self, older_than: int) -> int:
        return await self._on_own_connection(lambda db: _purge_tombstones(db, older_than))

    async def read(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Rows of one read-only query (the results page's and exports' rollups)."""
        return await self._reader.run(lambda db: db.execute(query, params).fetchall())

    async def change(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """One writing statement in its own transaction (the webhook outbox's), on a connection of its own.

        Not the votes' writer: a batch's transaction spans several calls on that one.
        """
        if self._side is None:
            side = _connect(self.path)
            # The outbox's claims and deletions need no flush of their own: lost in a power cut, they only
            # mean a message is sent again, which receivers expect (at least once, same webhook-id).
            side.execute("PRAGMA synchronous=NORMAL")
            self._side = _Connection(side)

        def work(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
            with _transaction(db):
                return db.execute(query, params).fetchall()

        return await self._side.run(work)

    async def close(self) -> None:
        await self._batches.drain()
        self._writer.close()
        self._reader.close()
        if self._side is not None:
            self._side.close()
