"""Votes over time, kept as they commit: what the results page and the exports read instead of raw votes.

A trigger on the votes table, in each store, counts every change of a
voter's vote in the same transaction: per comparison, tool and hour (UTC),
the votes the tool ``gained`` (new votes, and changes to it: ``changed_in``
of them) and ``lost`` (changes away from it, withdrawals and voids:
``withdrawn`` of them). A second table keeps the same per day, so a
year of history is a few hundred rows. A tool's running total at any moment
is its current tally minus what it gained, net, since then: nothing
older than the window shown is ever read. Because the votes table
fires them, every writer (the vote route, ``verdict votes void``, an older
endpoint during a rolling restart) keeps them right without knowing of them.

When a database of an earlier schema is migrated, its votes are counted
into the hour (and day) of each voter's latest choice: the best history
the old schema kept.
"""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 3600
DAY = 86400


@dataclass(frozen=True)
class Bucket:
    """One tool's counts over one hour or day."""

    tool: str
    start: int
    """Unix seconds at the bucket's start (UTC)."""
    gained: int
    lost: int
    changed_in: int
    withdrawn: int


@dataclass(frozen=True)
class Void:
    """Votes an operator removed with ``verdict votes void``."""

    at: int
    address: str
    """The hash (or prefix) given to ``void``."""
    comparison: str
    votes: int


def _sqlite_trigger_sql(table: str, unit: int) -> str:
    """SQLite: count each change of ``votes.tool`` into ``table`` (its bucket: ``unit`` seconds)."""
    bucket = f"(unixepoch() / {unit}) * {unit}"
    upsert = (
        " ON CONFLICT (comparison, tool, start) DO UPDATE SET gained = gained + excluded.gained,"
        " lost = lost + excluded.lost, changed_in = changed_in + excluded.changed_in,"
        " withdrawn = withdrawn + excluded.withdrawn"
    )
    insert = f"INSERT INTO {table} (comparison, tool, start, gained, lost, changed_in, withdrawn)"
    return f"""
CREATE TABLE {table} (
    comparison TEXT NOT NULL,
    tool       TEXT NOT NULL,
    start      INTEGER NOT NULL,  -- unix seconds of the bucket's start, UTC
    gained     INTEGER NOT NULL,
    lost       INTEGER NOT NULL,
    changed_in INTEGER NOT NULL,
    withdrawn  INTEGER NOT NULL,
    PRIMARY KEY (comparison, start, tool)
) WITHOUT ROWID;
CREATE TRIGGER {table}_insert AFTER INSERT ON votes WHEN NEW.tool IS NOT NULL BEGIN
    {insert} SELECT NEW.comparison, NEW.tool, {bucket}, 1, 0, 0, 0 WHERE true{upsert};
END;
CREATE TRIGGER {table}_update AFTER UPDATE OF tool ON votes WHEN NEW.tool IS NOT OLD.tool BEGIN
    {insert} SELECT OLD.comparison, OLD.tool, {bucket}, 0, 1, 0, NEW.tool IS NULL
        WHERE OLD.tool IS NOT NULL{upsert};
    {insert} SELECT NEW.comparison, NEW.tool, {bucket}, 1, 0, OLD.tool IS NOT NULL, 0
        WHERE NEW.tool IS NOT NULL{upsert};
END;
CREATE TRIGGER {table}_delete AFTER DELETE ON votes WHEN OLD.tool IS NOT NULL BEGIN
    {insert} SELECT OLD.comparison, OLD.tool, {bucket}, 0, 1, 0, 1 WHERE true{upsert};
END;
INSERT INTO {table} (comparison, tool, start, gained, lost, changed_in, withdrawn)
    SELECT comparison, tool, (cast_at / {unit}) * {unit}, count(*), 0, 0, 0
    FROM votes WHERE tool IS NOT NULL GROUP BY comparison, tool, (cast_at / {unit}) * {unit};
"""


SQLITE_MIGRATION = (
    _sqlite_trigger_sql("rollup_hours", HOUR)
    + _sqlite_trigger_sql("rollup_days", DAY)
    + """
CREATE TABLE voids (
    at         INTEGER NOT NULL,  -- unix seconds
    address    TEXT NOT NULL,     -- the hash or prefix given to `verdict votes void`
    comparison TEXT NOT NULL,
    votes      INTEGER NOT NULL
);
CREATE INDEX voids_by_comparison ON voids (comparison, at);
"""
)

PG_SHARDS = 8
"""Rollup rows per tool and bucket, by backend: processes counting at once rarely wait on one row."""


def _pg_table(table: str) -> str:
    return f"""
CREATE TABLE {table} (
    comparison text NOT NULL,
    tool       text NOT NULL,
    start      bigint NOT NULL,          -- unix seconds of the bucket's start, UTC
    shard      smallint NOT NULL,
    gained     bigint NOT NULL,
    lost       bigint NOT NULL,
    changed_in bigint NOT NULL,
    withdrawn  bigint NOT NULL,
    PRIMARY KEY (comparison, start, tool, shard)
);
"""


def _pg_count(table: str, unit: int, comparison: str, tool: str, counts: str) -> str:
    return f"""
        INSERT INTO {table} AS r (comparison, tool, start, shard, gained, lost, changed_in, withdrawn)
            VALUES ({comparison}, {tool}, (now_s / {unit}) * {unit}, my_shard, {counts})
            ON CONFLICT (comparison, start, tool, shard) DO UPDATE SET gained = r.gained + excluded.gained,
                lost = r.lost + excluded.lost, changed_in = r.changed_in + excluded.changed_in,
                withdrawn = r.withdrawn + excluded.withdrawn;"""


def _pg_counts(comparison: str, tool: str, counts: str) -> str:
    return _pg_count("verdict_rollup_hours", HOUR, comparison, tool, counts) + _pg_count(
        "verdict_rollup_days", DAY, comparison, tool, counts
    )


PG_MIGRATION = (
    _pg_table("verdict_rollup_hours")
    + _pg_table("verdict_rollup_days")
    + f"""
CREATE TABLE verdict_voids (
    at         bigint NOT NULL,
    address    text NOT NULL,
    comparison text NOT NULL,
    votes      bigint NOT NULL
);
CREATE INDEX verdict_voids_by_comparison ON verdict_voids (comparison, at);

CREATE FUNCTION verdict_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    now_s bigint := extract(epoch FROM now())::bigint;
    my_shard smallint := pg_backend_pid() % {PG_SHARDS};
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.tool IS NOT NULL THEN
            {_pg_counts("OLD.comparison", "OLD.tool", "0, 1, 0, 1")}
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        IF NEW.tool IS NOT NULL THEN
            {_pg_counts("NEW.comparison", "NEW.tool", "1, 0, 0, 0")}
        END IF;
    ELSIF NEW.tool IS DISTINCT FROM OLD.tool THEN
        IF OLD.tool IS NOT NULL THEN
            {_pg_counts("OLD.comparison", "OLD.tool", "0, 1, 0, (NEW.tool IS NULL)::int")}
        END IF;
        IF NEW.tool IS NOT NULL THEN
            {_pg_counts("NEW.comparison", "NEW.tool", "1, 0, (OLD.tool IS NOT NULL)::int, 0")}
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER verdict_votes_rollup AFTER INSERT OR DELETE OR UPDATE OF tool ON verdict_votes
    FOR EACH ROW EXECUTE FUNCTION verdict_rollup();

INSERT INTO verdict_rollup_hours (comparison, tool, start, shard, gained, lost, changed_in, withdrawn)
    SELECT comparison, tool, (cast_at / {HOUR}) * {HOUR}, 0, count(*), 0, 0, 0
    FROM verdict_votes WHERE tool IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO verdict_rollup_days (comparison, tool, start, shard, gained, lost, changed_in, withdrawn)
    SELECT comparison, tool, (cast_at / {DAY}) * {DAY}, 0, count(*), 0, 0, 0
    FROM verdict_votes WHERE tool IS NOT NULL GROUP BY 1, 2, 3;
"""
)


def table_for(unit: int, postgres: bool) -> str:
    name = "rollup_hours" if unit == HOUR else "rollup_days"
    return f"verdict_{name}" if postgres else name


def buckets_query(unit: int, postgres: bool) -> str:
    """Each tool's buckets of one comparison from a time on, summed over shards, oldest first."""
    mark = "%s" if postgres else "?"
    return (
        "SELECT tool, start, sum(gained), sum(lost), sum(changed_in), sum(withdrawn)"
        f" FROM {table_for(unit, postgres)} WHERE comparison = {mark} AND start >= {mark}"
        " GROUP BY start, tool ORDER BY start, tool"
    )


def totals_query(postgres: bool) -> str:
    """Each tool's changes and withdrawals over all time, from the daily table."""
    mark = "%s" if postgres else "?"
    return (
        "SELECT tool, sum(gained), sum(lost), sum(changed_in), sum(withdrawn)"
        f" FROM {table_for(DAY, postgres)} WHERE comparison = {mark} GROUP BY tool"
    )


def export_query(postgres: bool) -> str:
    """One page of a comparison's daily rows (keyset pagination: an export of any size reads in constant memory)."""
    mark = "%s" if postgres else "?"
    return (
        "SELECT start, tool, sum(gained), sum(lost), sum(changed_in), sum(withdrawn)"
        f" FROM {table_for(DAY, postgres)} WHERE comparison = {mark} AND (start, tool) > ({mark}, {mark})"
        f" GROUP BY start, tool ORDER BY start, tool LIMIT {mark}"
    )


def voids_query(postgres: bool) -> str:
    mark = "%s" if postgres else "?"
    table = "verdict_voids" if postgres else "voids"
    return f"SELECT at, address, comparison, votes FROM {table} WHERE comparison = {mark} ORDER BY at DESC LIMIT 50"


def comparisons_query(postgres: bool) -> str:
    """Every comparison id with rollups (for an export without a sites file)."""
    return f"SELECT DISTINCT comparison FROM {table_for(DAY, postgres)} ORDER BY comparison"


def page_query(unit: int, postgres: bool) -> str:
    """Everything the results page reads for one comparison, in one query (one round trip, one thread hop).

    Rows tagged ``b`` (a bucket from the window's start: tool, start, gained, lost, changed_in, withdrawn),
    ``t`` (a tool's all-time changes and withdrawals, same columns), ``v`` (a void: address, at,
    votes) and ``n`` (a tool's tally: tool, 0, votes); parameters: the comparison, the window's start,
    then the comparison three times.
    """
    mark = "%s" if postgres else "?"
    voids = "verdict_voids" if postgres else "voids"
    tallies = "verdict_tallies" if postgres else "tallies"
    return (
        "SELECT * FROM (SELECT 'b', tool, start, sum(gained), sum(lost), sum(changed_in), sum(withdrawn)"
        f" FROM {table_for(unit, postgres)} WHERE comparison = {mark} AND start >= {mark} GROUP BY start, tool) AS b"
        " UNION ALL SELECT * FROM (SELECT 't', tool, 0, sum(gained), sum(lost), sum(changed_in), sum(withdrawn)"
        f" FROM {table_for(DAY, postgres)} WHERE comparison = {mark} GROUP BY tool) AS t"
        " UNION ALL SELECT * FROM (SELECT 'v', address, at, votes, 0, 0, 0"
        f" FROM {voids} WHERE comparison = {mark} ORDER BY at DESC LIMIT 50) AS v"
        " UNION ALL SELECT * FROM (SELECT 'n', tool, 0, sum(votes), 0, 0, 0"
        f" FROM {tallies} WHERE comparison = {mark} GROUP BY tool) AS n"
    )
