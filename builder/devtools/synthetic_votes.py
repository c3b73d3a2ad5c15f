"""Synthetic votes written straight into a vote database: the results bench's 10 million, the docs' picture.

Votes, tallies and rollups are written together and agree, as the endpoint
would have left them had the votes arrived over ``days`` days (more each
day, some changed, some withdrawn). The rollup triggers are held off while
the rows go in (their buckets would all be "now"); the rollups are counted
here instead, then the triggers are back. Nothing here is stored in the
repository: each run makes its own.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

HOUR, DAY = 3600, 86400
ADDRESSES = 200_000
CHUNK = 50_000


def _votes(
    comparison: str, tools: Sequence[str], weights: Sequence[float], count: int, days: int, now: int, seed: int
) -> Iterator[tuple[str, str, str | None, int, str, int]]:
    """(comparison, voter, tool, cast_at, address, created_at), growing over time; about 3 % withdrawn."""
    rng = random.Random(seed)
    start = now - days * DAY
    span = days * DAY
    total, edges = sum(weights), list(itertools.accumulate(weights))
    for n in range(count):
        # sqrt: later days get more votes, as a comparison gathers readers.
        created = start + int(span * rng.random() ** 0.5)
        pick = rng.random() * total
        tool: str | None = next((t for t, edge in zip(tools, edges, strict=True) if pick < edge), tools[-1])
        if pick * 997 % 1 < 0.03:  # about 3 %, from the same draw
            tool = None
        yield comparison, f"{seed:08x}{n:056x}", tool, created, f"{rng.randrange(ADDRESSES):064x}", created


Row = tuple[str, str, str | None, int, str, int]
"""(comparison, voter, tool, cast_at, address, created_at)."""


def _rollups(rows: Sequence[Row], unit: int, into: Counter[tuple[str, int]]) -> None:
    for _, _, tool, cast_at, _, _ in rows:
        if tool is not None:
            into[(tool, cast_at // unit * unit)] += 1


def fill_sqlite(
    path: Path,
    comparison: str,
    tools: Sequence[str],
    weights: Sequence[float],
    count: int,
    days: int,
    now: int,
    seed: int = 1,
) -> None:
    """Add ``count`` votes on ``comparison`` (its stored id) to the SQLite file (created and migrated first)."""
    from verdict_endpoint.sqlite_store import SQLiteStorage

    SQLiteStorage.open(path)  # creates or migrates the schema; the connections close with the object
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=OFF")
        # Triggers and the secondary indexes are set aside while the rows go in: one sort builds each index after.
        triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        indexes = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'votes' AND sql IS NOT NULL"
        ).fetchall()
        db.execute("BEGIN")
        for name, _ in triggers:
            db.execute(f"DROP TRIGGER {name}")
        for name, _ in indexes:
            db.execute(f"DROP INDEX {name}")
        hours: Counter[tuple[str, int]] = Counter()
        days_: Counter[tuple[str, int]] = Counter()
        tallies: Counter[str] = Counter()
        chunk: list[tuple[str, str, str | None, int, str, int]] = []
        for row in _votes(comparison, tools, weights, count, days, now, seed):
            chunk.append(row)
            if len(chunk) == CHUNK:
                _write_sqlite(db, chunk, hours, days_, tallies)
                chunk = []
        _write_sqlite(db, chunk, hours, days_, tallies)
        for table, counts in (("rollup_hours", hours), ("rollup_days", days_)):
            db.executemany(
                f"INSERT INTO {table} (comparison, tool, start, gained, lost, changed_in, withdrawn)"
                " VALUES (?, ?, ?, ?, 0, 0, 0) ON CONFLICT DO UPDATE SET gained = gained + excluded.gained",
                [(comparison, tool, start, n) for (tool, start), n in counts.items()],
            )
        db.executemany(
            "INSERT INTO tallies (comparison, tool, votes) VALUES (?, ?, ?)"
            " ON CONFLICT DO UPDATE SET votes = votes + excluded.votes",
            [(comparison, tool, n) for tool, n in tallies.items()],
        )
        for _, sql in [*triggers, *indexes]:
            db.execute(sql)
        db.execute("COMMIT")
        db.execute("ANALYZE")
    finally:
        db.close()


def _write_sqlite(
    db: sqlite3.Connection,
    rows: list[tuple[str, str, str | None, int, str, int]],
    hours: Counter[tuple[str, int]],
    days: Counter[tuple[str, int]],
    tallies: Counter[str],
) -> None:
    db.executemany(
        "INSERT INTO votes (comparison, voter, tool, cast_at, address, created_at) VALUES (?, ?, ?, ?, ?, ?)", rows
    )
    _rollups(rows, HOUR, hours)
    _rollups(rows, DAY, days)
    tallies.update(tool for _, _, tool, _, _, _ in rows if tool is not None)


def fill_postgres(
    url: str,
    comparison: str,
    tools: Sequence[str],
    weights: Sequence[float],
    count: int,
    days: int,
    now: int,
    seed: int = 1,
) -> None:
    """As ``fill_sqlite``, on PostgreSQL (COPY; triggers held off with session_replication_role)."""
    import psycopg

    from verdict_endpoint.pg_store import migrate

    migrate(url)
    hours: Counter[tuple[str, int]] = Counter()
    days_: Counter[tuple[str, int]] = Counter()
    tallies: Counter[str] = Counter()
    with psycopg.connect(url) as db:
        db.execute("SET session_replication_role = replica")  # no triggers for this session's rows
        indexes = db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'verdict_votes' AND indexname LIKE '%_by_%'"
        ).fetchall()
        for name, _ in indexes:
            db.execute(f"DROP INDEX {name}")
        db.execute("SET synchronous_commit = off")
        with (
            db.cursor() as cursor,
            cursor.copy(
                "COPY verdict_votes (comparison, voter, tool, cast_at, address, created_at) FROM STDIN"
            ) as copy,
        ):
            chunk: list[tuple[str, str, str | None, int, str, int]] = []
            for row in _votes(comparison, tools, weights, count, days, now, seed):
                copy.write_row(row)
                chunk.append(row)
                if len(chunk) == CHUNK:
                    _rollups(chunk, HOUR, hours)
                    _rollups(chunk, DAY, days_)
                    tallies.update(tool for _, _, tool, _, _, _ in chunk if tool is not None)
                    chunk = []
            _rollups(chunk, HOUR, hours)
            _rollups(chunk, DAY, days_)
            tallies.update(tool for _, _, tool, _, _, _ in chunk if tool is not None)
        with db.cursor() as cursor:
            for table, counts in (("verdict_rollup_hours", hours), ("verdict_rollup_days", days_)):
                cursor.executemany(
                    f"INSERT INTO {table} AS r (comparison, tool, start, shard, gained, lost, changed_in, withdrawn)"
                    " VALUES (%s, %s, %s, 0, %s, 0, 0, 0)"
                    " ON CONFLICT (comparison, start, tool, shard) DO UPDATE SET gained = r.gained + excluded.gained",
                    [(comparison, tool, start, n) for (tool, start), n in counts.items()],
                )
            cursor.executemany(
                "INSERT INTO verdict_tallies AS t (comparison, tool, shard, votes) VALUES (%s, %s, 0, %s)"
                " ON CONFLICT (comparison, tool, shard) DO UPDATE SET votes = t.votes + excluded.votes",
                [(comparison, tool, n) for tool, n in tallies.items()],
            )
        for _, definition in indexes:
            db.execute(definition)
        db.commit()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
