"""Votes in PostgreSQL: any number of stateless endpoint processes on one database.

Exact tallies without a hot row: each voter's vote is one row of
``verdict_votes`` (keyed by comparison and voter hash), and the counts live in
``verdict_tallies`` split into shards. A batch adds its changes to one shard
picked at random, so processes committing at once rarely touch the same row;
a read sums the shards. Votes and counts change in one transaction.

Each batch of concurrent votes (group commit) is one call of the
``verdict_apply`` function: one round trip and one commit. Row locks are
taken in key order — vote rows first, then count rows — so batches from
different processes never deadlock. Writing a vote is idempotent (it sets
the voter's choice), so a batch whose connection broke is simply sent again.
Each row keeps when the voter made their choice on their device, withdrawals
included (a row without a tool), and the function skips, and reports, any
change older than the stored one.

The rate limit lives in the database too, in an unlogged table (no disk flush:
losing it in a crash is harmless), so it holds across processes; it is a
generic cell rate algorithm, one row per hashed address.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from typing import Any

import psycopg
import psycopg.conninfo
import psycopg.errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from .errors import StartupError
from .groupcommit import GroupCommit
from .rollups import PG_MIGRATION
from .storage import Burst, Change, StoreError, Voided, Written
from .webhooks import PG_MIGRATION as WEBHOOK_MIGRATION

SCHEMA_VERSION = 3
MIGRATION_LOCK = 0x76657264  # pg_advisory_lock key: 'verd'
SHARDS = 16
# Group-commit transactions in flight per process: two overlap one batch's round trip with the next
# one's gathering. More only make the processes' batches contend (bench, two processes, 200
# connections: p99 41-51 ms with four, 27-31 ms with two, at a higher rate).
DEFAULT_WRITERS = 2
ATTEMPTS = 4
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 3.0  # how long a request waits for a connection before answering 503

MIGRATIONS: dict[int, str] = {
    1: """
CREATE TABLE verdict_votes (
    comparison text NOT NULL,
    voter      text NOT NULL,               -- HMAC of the voter token, never the token
    tool       text NOT NULL,
    address    text NOT NULL DEFAULT '',    -- HMAC of the client address, never the address
    created_at bigint NOT NULL,             -- unix seconds of the voter's first vote
    cast_at    bigint NOT NULL,             -- unix seconds of their latest choice
    PRIMARY KEY (comparison, voter)
);
CREATE INDEX verdict_votes_by_address ON verdict_votes (address, created_at);
CREATE INDEX verdict_votes_by_creation ON verdict_votes (created_at);

CREATE TABLE verdict_tallies (
    comparison text NOT NULL,
    tool       text NOT NULL,
    shard      smallint NOT NULL,
    votes      bigint NOT NULL,             -- a shard may be negative; the sum never is
    PRIMARY KEY (comparison, tool, shard)
);

CREATE UNLOGGED TABLE verdict_rate_limits (
    key text PRIMARY KEY,                   -- HMAC of the client address
    tat double precision NOT NULL           -- GCRA: theoretical arrival time, unix seconds
);

CREATE FUNCTION verdict_apply(
    p_comparisons text[], p_voters text[], p_tools text[], p_addresses text[], p_shard smallint
) RETURNS TABLE (out_comparison text, out_tool text, out_votes bigint)
LANGUAGE plpgsql AS $$
DECLARE
    now_s bigint := extract(epoch FROM now())::bigint;
    previous text;
    d_comparisons text[] := '{}';
    d_tools text[] := '{}';
    d_deltas integer[] := '{}';
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_comparisons, 1), 0) LOOP
        LOOP
            SELECT v.tool INTO previous FROM verdict_votes v
                WHERE v.comparison = p_comparisons[i] AND v.voter = p_voters[i] FOR UPDATE;
            IF FOUND THEN
                IF p_tools[i] IS NULL THEN
                    DELETE FROM verdict_votes v WHERE v.comparison = p_comparisons[i] AND v.voter = p_voters[i];
                ELSIF previous <> p_tools[i] THEN
                    UPDATE verdict_votes v SET tool = p_tools[i], cast_at = now_s
                        WHERE v.comparison = p_comparisons[i] AND v.voter = p_voters[i];
                END IF;
                IF previous IS DISTINCT FROM p_tools[i] THEN
                    d_comparisons := array_append(d_comparisons, p_comparisons[i]);
                    d_tools := array_append(d_tools, previous);
                    d_deltas := array_append(d_deltas, -1);
                    IF p_tools[i] IS NOT NULL THEN
                        d_comparisons := array_append(d_comparisons, p_comparisons[i]);
                        d_tools := array_append(d_tools, p_tools[i]);
                        d_deltas := array_append(d_deltas, 1);
                    END IF;
                END IF;
                EXIT;
            END IF;
            EXIT WHEN p_tools[i] IS NULL;  -- withdrawing a vote that does not exist
            INSERT INTO verdict_votes (comparison, voter, tool, address, created_at, cast_at)
                VALUES (p_comparisons[i], p_voters[i], p_tools[i], p_addresses[i], now_s, now_s)
                ON CONFLICT DO NOTHING;
            IF FOUND THEN
                d_comparisons := array_append(d_comparisons, p_comparisons[i]);
                d_tools := array_append(d_tools, p_tools[i]);
                d_deltas := array_append(d_deltas, 1);
                EXIT;
            END IF;
            -- Another transaction inserted this voter meanwhile: lock its row and start over.
        END LOOP;
    END LOOP;

    INSERT INTO verdict_tallies AS t (comparison, tool, shard, votes)
        SELECT d.c, d.t, p_shard, sum(d.n)
        FROM unnest(d_comparisons, d_tools, d_deltas) AS d (c, t, n)
        GROUP BY d.c, d.t HAVING sum(d.n) <> 0
        ORDER BY d.c, d.t
        ON CONFLICT (comparison, tool, shard) DO UPDATE SET votes = t.votes + excluded.votes;

    RETURN QUERY
        SELECT t.comparison, t.tool, sum(t.votes)::bigint FROM verdict_tallies t
        WHERE t.comparison = ANY (p_comparisons)
        GROUP BY t.comparison, t.tool;
END $$;

CREATE FUNCTION verdict_rate_hit(p_key text, p_per_minute integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    now_s double precision := extract(epoch FROM clock_timestamp());
    step double precision := 60.0 / p_per_minute;
    v_tat double precision;
BEGIN
    INSERT INTO verdict_rate_limits AS r (key, tat) VALUES (p_key, now_s + step)
        ON CONFLICT (key) DO UPDATE SET tat = greatest(r.tat, now_s) + step
        WHERE greatest(r.tat, now_s) - now_s <= 60.0 - step
        RETURNING r.tat INTO v_tat;
    IF FOUND THEN
        RETURN 0;
    END IF;
    SELECT r.tat INTO v_tat FROM verdict_rate_limits r WHERE r.key = p_key;
    RETURN greatest(1, ceil(v_tat - now_s - (60.0 - step)))::integer;
END $$;
""",
    # A voter's choice carries its time on their device (chosen_at), a withdrawal leaves a row without a tool
    # (a tombstone keeping that time), and a change older than the stored choice is not applied but
    # reported: one 'stale' row per such change, beside the 'tally' rows.
    2: """
ALTER TABLE verdict_votes
    ALTER COLUMN tool DROP NOT NULL,            -- NULL: withdrawn (a tombstone, kept for its chosen_at)
    ADD COLUMN chosen_at bigint;                -- ms since the epoch of the choice on the reader's device

CREATE FUNCTION verdict_apply(
    p_comparisons text[], p_voters text[], p_tools text[], p_addresses text[], p_chosen bigint[], p_shard smallint
) RETURNS TABLE (out_kind text, out_index integer, out_comparison text, out_tool text, out_votes bigint)
LANGUAGE plpgsql AS $$
DECLARE
    now_s bigint := extract(epoch FROM now())::bigint;
    previous text;
    previous_chosen bigint;
    d_comparisons text[] := '{}';
    d_tools text[] := '{}';
    d_deltas integer[] := '{}';
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_comparisons, 1), 0) LOOP
        LOOP
            SELECT v.tool, v.chosen_at INTO previous, previous_chosen FROM verdict_votes v
                WHERE v.comparison = p_comparisons[i] AND v.voter = p_voters[i] FOR UPDATE;
            IF FOUND THEN
                IF p_chosen[i] < previous_chosen THEN  -- older than the stored choice (never when a time is NULL)
                    out_kind := 'stale';
                    out_index := i;
                    out_comparison := p_comparisons[i];
                    out_tool := previous;
                    out_votes := NULL;
                    RETURN NEXT;
                    EXIT;
                END IF;
                IF p_tools[i] IS NULL AND p_chosen[i] IS NULL THEN  -- an untimed withdrawal: nothing to keep
                    DELETE FROM verdict_votes v WHERE v.comparison = p_comparisons[i] AND v.voter = p_voters[i];
                ELSIF previous IS NULL AND p_tools[i] IS NOT NULL THEN
                    -- A vote after a withdrawal: a new voter's, for the bursts, as when withdrawals deleted the row.
                    UPDATE verdict_votes v SET tool = p_tools[i], chosen_at = p_chosen[i], cast_at = now_s,
                            address = p_addresses[i], created_at = now_s
                        WHERE v.comparison = p_comparisons[i] AND v.voter = p_voters[i];
                ELSIF previous IS DISTINCT FROM p_tools[i] OR previous_chosen IS DISTINCT FROM p_chosen[i] THEN
                    UPDATE verdict_votes v SET tool = p_tools[i], chosen_at = p_chosen[i],
                            cast_at = CASE WHEN previous IS DISTINCT FROM p_tools[i] THEN now_s ELSE v.cast_at END
                        WHERE v.comparison = p_comparisons[i] AND v.voter = p_voters[i];
                END IF;
                IF previous IS DISTINCT FROM p_tools[i] THEN
                    IF previous IS NOT NULL THEN
                        d_comparisons := array_append(d_comparisons, p_comparisons[i]);
                        d_tools := array_append(d_tools, previous);
                        d_deltas := array_append(d_deltas, -1);
                    END IF;
                    IF p_tools[i] IS NOT NULL THEN
                        d_comparisons := array_append(d_comparisons, p_comparisons[i]);
                        d_tools := array_append(d_tools, p_tools[i]);
                        d_deltas := array_append(d_deltas, 1);
                    END IF;
                END IF;
                EXIT;
            END IF;
            EXIT WHEN p_tools[i] IS NULL AND p_chosen[i] IS NULL;  -- an untimed withdrawal of no vote
            INSERT INTO verdict_votes (comparison, voter, tool, address, created_at, cast_at, chosen_at)
                VALUES (p_comparisons[i], p_voters[i], p_tools[i], p_addresses[i], now_s, now_s, p_chosen[i])
                ON CONFLICT DO NOTHING;
            IF FOUND THEN
                IF p_tools[i] IS NOT NULL THEN
                    d_comparisons := array_append(d_comparisons, p_comparisons[i]);
                    d_tools := array_append(d_tools, p_tools[i]);
                    d_deltas := array_append(d_deltas, 1);
                END IF;
                EXIT;
            END IF;
            -- Another transaction inserted this voter meanwhile: lock its row and start over.
        END LOOP;
    END LOOP;

    INSERT INTO verdict_tallies AS t (comparison, tool, shard, votes)
        SELECT d.c, d.t, p_shard, sum(d.n)
        FROM unnest(d_comparisons, d_tools, d_deltas) AS d (c, t, n)
        GROUP BY d.c, d.t HAVING sum(d.n) <> 0
        ORDER BY d.c, d.t
        ON CONFLICT (comparison, tool, shard) DO UPDATE SET votes = t.votes + excluded.votes;

    RETURN QUERY
        SELECT 'tally'::text, NULL::integer, t.comparison, t.tool, sum(t.votes)::bigint FROM verdict_tallies t
        WHERE t.comparison = ANY (p_comparisons)
        GROUP BY t.comparison, t.tool;
END $$;

-- The previous signature, for processes of the previous version still serving during a rolling restart:
-- their changes carry no time, so they are applied as before.
CREATE OR REPLACE FUNCTION verdict_apply(
    p_comparisons text[], p_voters text[], p_tools text[], p_addresses text[], p_shard smallint
) RETURNS TABLE (out_comparison text, out_tool text, out_votes bigint)
LANGUAGE sql AS $$
    SELECT a.out_comparison, a.out_tool, a.out_votes
    FROM verdict_apply(p_comparisons, p_voters, p_tools, p_addresses, NULL::bigint[], p_shard) AS a
    WHERE a.out_kind = 'tally'
$$;
""",
    # Votes over time (rollups kept by a trigger as votes commit) and the operator's voids; see rollups.py.
    3: PG_MIGRATION + WEBHOOK_MIGRATION,
}


def describe(database_url: str) -> str:
    """The URL without its password, for messages."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(database_url)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    host = params.get("host") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    user = f"{params['user']}@" if params.get("user") else ""
    return f"postgresql://{user}{host}{port}/{params.get('dbname') or ''}"


def migrate(database_url: str) -> None:
    """Create or migrate the schema, under an advisory lock so processes starting together agree."""
    try:
        with psycopg.connect(database_url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as db:
            db.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                db.execute("CREATE TABLE IF NOT EXISTS verdict_schema (version integer NOT NULL)")
                row = db.execute("SELECT max(version) FROM verdict_schema").fetchone()
                version = (row[0] if row else None) or 0
                if version > SCHEMA_VERSION:
                    raise StartupError(
                        f"{describe(database_url)} was written by a newer version of the endpoint (schema {version})"
                    )
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    with db.transaction():
                        db.execute(MIGRATIONS[target])
                        db.execute("INSERT INTO verdict_schema (version) VALUES (%s)", (target,))
            finally:
                db.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StartupError(f"cannot use the database {describe(database_url)}: {reason}") from None


_RETRIED = (psycopg.OperationalError, psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)


class PostgresStorage:
    """The Storage protocol on PostgreSQL, through a pool of connections."""

    def __init__(self, database_url: str, writers: int) -> None:
        self.description = describe(database_url)
        self._pool = AsyncConnectionPool(
            database_url,
            min_size=2,
            max_size=writers + 8,
            open=False,
            timeout=POOL_TIMEOUT,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
        )
        self._batches: GroupCommit[Change, Written] = GroupCommit(self._commit, writers=writers)
        self._rate_cleaned = 0.0

    @classmethod
    def open(cls, database_url: str, *, writers: int | None = None) -> PostgresStorage:
        """Check the database and bring its schema up to date; StartupError if it cannot be used."""
        migrate(database_url)
        return cls(database_url, writers or DEFAULT_WRITERS)

    async def start(self) -> None:
        await self._pool.open()

    async def _run(self, query: str, params: Sequence[Any] = (), *, retry: bool = False) -> list[tuple[Any, ...]]:
        """One statement (its own transaction); idempotent ones are retried on a broken connection."""
        for attempt in range(ATTEMPTS if retry else 1):
            try:
                async with self._pool.connection() as db:
                    cursor = await db.execute(query, params)
                    return await cursor.fetchall() if cursor.description else []
            except PoolTimeout as error:  # the pool has already waited for a connection
                raise StoreError("PostgreSQL: no connection could be made in time") from error
            except _RETRIED as error:
                if isinstance(error, psycopg.OperationalError):
                    # After a database restart every idle connection is dead: drop them all at once
                    # rather than failing one request per dead connection.
                    await self._pool.check()
                if not retry or attempt == ATTEMPTS - 1:
                    raise StoreError(f"PostgreSQL: {error}") from error
                await asyncio.sleep(0.05 * 2**attempt * (1 + random.random()))
            except psycopg.Error as error:
                raise StoreError(f"PostgreSQL: {error}") from error
        raise AssertionError("unreachable")

    async def _commit(self, changes: Sequence[Change]) -> list[Written]:
        # Rows are locked in key order, so batches of different processes never deadlock; the sort is
        # stable, so one voter's changes keep their order and the function checks each against the last.
        order = sorted(range(len(changes)), key=lambda n: (changes[n].comparison, changes[n].voter))
        ordered = [changes[n] for n in order]
        rows = await self._run(
            "SELECT out_kind, out_index, out_comparison, out_tool, out_votes FROM verdict_apply("
            "%s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[], %s::smallint)",
            (
                [c.comparison for c in ordered],
                [c.voter for c in ordered],
                [c.tool for c in ordered],
                [c.address for c in ordered],
                [c.chosen_at for c in ordered],
                random.randrange(SHARDS),
            ),
            retry=True,
        )
        tallies: dict[str, dict[str, int]] = {c.comparison: {} for c in changes}
        kept: dict[int, str | None] = {}  # a stale change (its index in ``changes``) -> the newer vote stored
        for kind, index, comparison, tool, votes in rows:
            if kind == "stale":
                kept[order[index - 1]] = tool
            elif votes > 0:
                tallies[comparison][tool] = int(votes)
        return [
            Written(tallies[c.comparison], kept[n], True) if n in kept else Written(tallies[c.comparison], c.tool)
            for n, c in enumerate(changes)
        ]

    async def write(self, change: Change) -> Written:
        return await self._batches.submit(change)

    async def tallies(self, comparison: str) -> dict[str, int]:
        rows = await self._run(
            "SELECT tool, sum(votes)::bigint FROM verdict_tallies WHERE comparison = %s GROUP BY tool",
            (comparison,),
            retry=True,
        )
        return {tool: int(votes) for tool, votes in rows if votes > 0}

    async def rate_hit(self, key: str, per_minute: int) -> int:
        now = time.monotonic()
        if now - self._rate_cleaned > 60:  # forget addresses idle for a minute, now and then
            self._rate_cleaned = now
            # Idempotent, so retried like the rest: a connection broken by a database restart must not
            # fail the vote that happens to run the clean-up.
            await self._run(
                "DELETE FROM verdict_rate_limits WHERE tat < extract(epoch FROM clock_timestamp())", retry=True
            )
        rows = await self._run("SELECT verdict_rate_hit(%s, %s)", (key, per_minute), retry=True)
        return int(rows[0][0])

    async def ping(self) -> None:
        await self._run("SELECT 1", retry=True)

    async def bursts(self, since: int, window: int, min_new_voters: int, prefix: int = 64) -> list[Burst]:
        rows = await self._run(
            "SELECT left(address, %(prefix)s) AS network, created_at / %(w)s * %(w)s AS start, count(tool),"
            " count(*) - count(tool), array_agg(DISTINCT comparison)"
            " FROM verdict_votes WHERE created_at >= %(since)s AND address <> ''"
            " GROUP BY network, start HAVING count(*) >= %(min)s ORDER BY count(*) DESC, start",
            {"prefix": prefix, "w": window, "since": since, "min": min_new_voters},  # type: ignore[arg-type]
        )
        return [
            Burst(network, int(start), int(n), tuple(sorted(names)), int(withdrawals))
            for network, start, n, withdrawals, names in rows
        ]

    async def void(self, address: str) -> Voided:
        rows = await self._run(
            """
            WITH gone AS (
                DELETE FROM verdict_votes WHERE left(address, %s) = %s AND address <> ''
                RETURNING comparison, tool
            ),
            counted AS (SELECT comparison, tool, count(*) AS n FROM gone GROUP BY comparison, tool),
            recount AS (
                INSERT INTO verdict_tallies AS t (comparison, tool, shard, votes)
                SELECT comparison, tool, 0, -n FROM counted WHERE tool IS NOT NULL ORDER BY comparison, tool
                ON CONFLICT (comparison, tool, shard) DO UPDATE SET votes = t.votes + excluded.votes
            ),
            logged AS (
                INSERT INTO verdict_voids (at, address, comparison, votes)
                SELECT extract(epoch FROM now())::bigint, %s, comparison, sum(n) FROM counted WHERE tool IS NOT NULL
                GROUP BY comparison
            )
            SELECT comparison, tool IS NULL, sum(n)::bigint FROM counted GROUP BY comparison, tool IS NULL
            """,
            (len(address), address, address),
        )
        votes = {comparison: int(n) for comparison, tombstone, n in rows if not tombstone}
        return Voided(votes, sum(int(n) for _, tombstone, n in rows if tombstone))

    async def probe_write(self) -> None:
        # A transaction given an id writes and flushes a commit record: it fails when the WAL cannot grow.
        await self._run("SELECT txid_current()")

    async def purge_tombstones(self, older_than: int) -> int:
        rows = await self._run(
            "WITH gone AS (DELETE FROM verdict_votes WHERE tool IS NULL AND cast_at < %s RETURNING 1)"
            " SELECT count(*) FROM gone",
            (older_than,),
        )
        return int(rows[0][0])

    async def read(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Rows of one read-only query (the results page's and exports' rollups)."""
        return await self._run(query, params, retry=True)

    async def change(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """One writing statement in its own transaction (the webhook outbox's)."""
        return await self._run(query, params)

    async def close(self) -> None:
        await self._batches.drain()
        await self._pool.close()
