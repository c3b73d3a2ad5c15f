"""A later choice supersedes an earlier one on the endpoint itself, whatever order the requests arrive in.

A vote or withdrawal may carry ``chosen_at`` (when the reader made it, ms since
the epoch). The store keeps it with the choice, a withdrawal's too (a
tombstone), and refuses an older change with 409, so a request the widget
abandoned after its timeout cannot land late and overwrite a newer choice.
Every test runs on SQLite and on PostgreSQL, over HTTP to a real endpoint,
except the batch test, which drives the store itself so that its changes
share one transaction for certain.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections import Counter
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.helpers.aio import run_in_thread
from tests.helpers.endpoint import EndpointProcess, new_voter_token

from .conftest import POSTGRES_SECRET, Database


def vote(client: httpx.Client, comparison: str, tool: str, voter: str, chosen_at: int | None) -> httpx.Response:
    body: dict[str, Any] = {"comparison": comparison, "tool": tool, "voter": voter}
    if chosen_at is not None:
        body["chosen_at"] = chosen_at
    return client.post("/v1/votes", json=body)


def withdraw(client: httpx.Client, comparison: str, voter: str, chosen_at: int | None) -> httpx.Response:
    body: dict[str, Any] = {"comparison": comparison, "voter": voter}
    if chosen_at is not None:
        body["chosen_at"] = chosen_at
    return client.request("DELETE", "/v1/votes", json=body)


def tallies(client: httpx.Client, comparison: str) -> dict[str, int]:
    return dict(client.get(f"/v1/tallies/{comparison}").json()["tallies"])


def assert_superseded(response: httpx.Response, vote: str | None, counts: dict[str, int]) -> None:
    """A 409 naming the reason, with the vote as stored and the tallies as they are."""
    assert response.status_code == 409, response.text
    body = response.json()
    assert "newer choice" in body["error"]
    assert body["vote"] == vote
    assert body["tallies"] == counts and body["total"] == sum(counts.values())


# --- one voter, requests arriving out of order ------------------------------------------


def test_an_older_vote_arriving_late_gets_a_409_and_changes_nothing(client: httpx.Client) -> None:
    voter = new_voter_token()
    assert vote(client, "alpha-vs-beta", "alpha", voter, 2000).status_code == 200
    assert_superseded(vote(client, "alpha-vs-beta", "beta", voter, 1000), "alpha", {"alpha": 1, "beta": 0})
    assert_superseded(withdraw(client, "alpha-vs-beta", voter, 1500), "alpha", {"alpha": 1, "beta": 0})
    assert tallies(client, "alpha-vs-beta") == {"alpha": 1, "beta": 0}
    newer = vote(client, "alpha-vs-beta", "beta", voter, 3000)
    assert newer.status_code == 200 and newer.json()["vote"] == "beta"
    assert tallies(client, "alpha-vs-beta") == {"alpha": 0, "beta": 1}


def test_a_withdrawal_leaves_a_tombstone_that_refuses_older_votes(client: httpx.Client) -> None:
    voter = new_voter_token()
    assert vote(client, "beta-vs-gamma", "beta", voter, 1000).status_code == 200
    withdrawn = withdraw(client, "beta-vs-gamma", voter, 3000)
    assert withdrawn.status_code == 200 and withdrawn.json()["vote"] is None
    assert_superseded(vote(client, "beta-vs-gamma", "gamma", voter, 2000), None, {"beta": 0, "gamma": 0})

    # The withdrawal arrived first, with no vote stored yet: the older vote still counts for nothing.
    early = new_voter_token()
    assert withdraw(client, "beta-vs-gamma", early, 2000).status_code == 200
    assert_superseded(vote(client, "beta-vs-gamma", "beta", early, 1000), None, {"beta": 0, "gamma": 0})
    assert tallies(client, "beta-vs-gamma") == {"beta": 0, "gamma": 0}

    # A newer vote after the tombstone is a vote like any other.
    assert vote(client, "beta-vs-gamma", "gamma", early, 4000).json()["tallies"] == {"beta": 0, "gamma": 1}


def test_the_same_choice_sent_twice_is_applied_twice_and_counted_once(client: httpx.Client) -> None:
    voter = new_voter_token()
    for _ in range(2):
        response = vote(client, "gamma-vs-delta", "gamma", voter, 5000)
        assert response.status_code == 200
        assert response.json() == {
            "comparison": "gamma-vs-delta",
            "tallies": {"gamma": 1, "delta": 0},
            "total": 1,
            "vote": "gamma",
        }
    for _ in range(2):
        response = withdraw(client, "gamma-vs-delta", voter, 6000)
        assert response.status_code == 200 and response.json()["total"] == 0


def test_a_change_without_chosen_at_is_applied_as_before(client: httpx.Client) -> None:
    voter = new_voter_token()
    assert vote(client, "three-way", "alpha", voter, 2000).status_code == 200
    untimed = vote(client, "three-way", "beta", voter, None)
    assert untimed.status_code == 200 and untimed.json()["vote"] == "beta"
    # The stored choice has no time now: nothing to order a timed change against.
    assert vote(client, "three-way", "gamma", voter, 1000).status_code == 200
    assert withdraw(client, "three-way", voter, None).status_code == 200
    assert vote(client, "three-way", "alpha", voter, 500).status_code == 200, "an untimed withdrawal keeps no time"
    assert tallies(client, "three-way") == {"alpha": 1, "beta": 0, "gamma": 0}


def test_concurrent_requests_out_of_order_leave_each_voter_s_latest_choice(server: EndpointProcess) -> None:
    """Each voter's six choices sent at once in shuffled order: they share batches, and the newest wins."""
    shuffle = random.Random(20261130).shuffle
    choices: list[tuple[str | None, int]] = [("beta", 1), ("delta", 2), (None, 3), ("beta", 4), ("delta", 5)]
    voters = {new_voter_token(): ("beta" if n % 3 else "delta") for n in range(12)}

    async def send_all() -> list[tuple[str, int, httpx.Response]]:
        requests: list[tuple[str, str | None, int]] = [
            (voter, tool, at) for voter, final in voters.items() for tool, at in [*choices, (final, 6)]
        ]
        shuffle(requests)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=20.0) as client:

            def send(voter: str, tool: str | None, at: int) -> Any:
                body: dict[str, Any] = {"comparison": "crowd", "voter": voter, "chosen_at": at}
                if tool is None:
                    return client.request("DELETE", "/v1/votes", json=body)
                return client.post("/v1/votes", json={**body, "tool": tool})

            responses = await asyncio.gather(*(send(*request) for request in requests))
        return [(voter, at, response) for (voter, _, at), response in zip(requests, responses, strict=True)]

    answers = run_in_thread(send_all())
    assert {response.status_code for _, _, response in answers} <= {200, 409}
    assert all(response.status_code == 200 for _, at, response in answers if at == 6), "the newest always applies"
    stale = [response.json() for _, _, response in answers if response.status_code == 409]
    assert stale, "some older choice arrived after a newer one"
    assert all("newer choice" in body["error"] for body in stale)
    expected = Counter(voters.values())
    with httpx.Client(base_url=server.base_url) as client:
        assert tallies(client, "crowd") == {"beta": expected["beta"], "delta": expected["delta"]}


def test_one_batch_checks_each_change_against_the_one_before_it(database: Database) -> None:
    """Changes submitted together are committed as one batch (group commit), in order, each checked."""
    from verdict_endpoint.storage import Change, open_storage

    def change(voter: str, tool: str | None, at: int | None) -> Change:
        return Change("alpha-vs-beta", voter, tool, "an-address-hash", at)

    batch = [
        change("v1", "alpha", 5),
        change("v1", "beta", 3),  # older than the choice just before it, in the same batch: refused
        change("v2", None, 9),  # a withdrawal with no vote stored: a tombstone...
        change("v2", "beta", 8),  # ...which refuses an older vote in the same batch
        change("v3", "beta", 1),
        change("v3", "alpha", 2),
        change("v1", "alpha", 5),  # the same choice again: applied
        change("v4", "beta", None),
    ]

    async def write_together() -> tuple[list[Any], dict[str, int]]:
        store = open_storage(database.url)
        await store.start()
        try:
            written = await asyncio.gather(*(store.write(c) for c in batch))
            return list(written), await store.tallies("alpha-vs-beta")
        finally:
            await store.close()

    written, counts = run_in_thread(write_together())
    assert [(w.stale, w.vote) for w in written] == [
        (False, "alpha"),
        (True, "alpha"),
        (False, None),
        (True, None),
        (False, "beta"),
        (False, "alpha"),
        (False, "alpha"),
        (False, "beta"),
    ]
    assert counts == {"alpha": 2, "beta": 1}
    assert all(w.tallies == counts for w in written), "every answer has the tallies after the batch"


# --- upgrading a database written by the previous version -----------------------------

OLD_VOTES = {"t-alpha-voter-0001": "alpha", "t-beta-voter-00002": "beta", "t-beta-voter-00003": "beta"}


def _hash(token: str) -> str:
    from verdict_endpoint.keys import Hasher

    return Hasher(POSTGRES_SECRET).voter(token)


def _old_sqlite_file(path: Path) -> None:
    """A votes file as version 2 of the schema left it, from the migrations' own SQL."""
    from verdict_endpoint.sqlite_store import MIGRATE_TO_2, SCHEMA

    db = sqlite3.connect(path)
    try:
        with db:
            db.executescript(SCHEMA + MIGRATE_TO_2)
            db.executemany(
                "INSERT INTO votes (comparison, voter, tool, cast_at, address, created_at)"
                " VALUES ('alpha-vs-beta', ?, ?, 1, 'a', 1)",
                [(_hash(token), tool) for token, tool in OLD_VOTES.items()],
            )
            db.executemany(
                "INSERT INTO tallies (comparison, tool, votes) VALUES ('alpha-vs-beta', ?, ?)",
                Counter(OLD_VOTES.values()).items(),
            )
            db.execute("PRAGMA user_version = 2")
    finally:
        db.close()


def _old_postgres_schema(url: str) -> None:
    """A database as version 1 of the schema left it, its votes cast by that version's function."""
    from verdict_endpoint.pg_store import MIGRATIONS

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE verdict_schema (version integer NOT NULL)")
        with db.transaction():
            db.execute(MIGRATIONS[1])
            db.execute("INSERT INTO verdict_schema (version) VALUES (1)")
        _old_apply(db, list(OLD_VOTES.items()))


def _old_apply(db: psycopg.Connection[Any], votes: Sequence[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """What an endpoint of the previous version sends: its five-argument verdict_apply."""
    return db.execute(
        "SELECT * FROM verdict_apply(%s::text[], %s::text[], %s::text[], %s::text[], 0::smallint)",
        (
            ["alpha-vs-beta"] * len(votes),
            [_hash(token) for token, _ in votes],
            [tool for _, tool in votes],
            ["a"] * len(votes),
        ),
    ).fetchall()


def _schema_version(database: Database) -> int:
    if database.kind == "sqlite":
        with closing(sqlite3.connect(database.path)) as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
    with psycopg.connect(database.url) as db:
        row = db.execute("SELECT max(version) FROM verdict_schema").fetchone()
        return int(row[0]) if row else 0


def _current_version(database: Database) -> int:
    from verdict_endpoint import pg_store, sqlite_store

    return sqlite_store.SCHEMA_VERSION if database.kind == "sqlite" else pg_store.SCHEMA_VERSION


def test_a_database_of_the_previous_version_is_migrated_keeping_its_votes(
    bundles: list[Path], database: Database
) -> None:
    if database.kind == "sqlite":
        _old_sqlite_file(database.path)
    else:
        _old_postgres_schema(database.url)
    before = _schema_version(database)
    with database.serve(bundles, env={"VERDICT_SECRET": POSTGRES_SECRET}) as url, httpx.Client(base_url=url) as client:
        assert _schema_version(database) == _current_version(database) > before
        assert tallies(client, "alpha-vs-beta") == {"alpha": 1, "beta": 2}
        tokens = list(OLD_VOTES)
        # A stored vote has no time: the first timed change applies, and from then on the order holds.
        assert vote(client, "alpha-vs-beta", "beta", tokens[0], 1000).json()["tallies"] == {"alpha": 0, "beta": 3}
        assert_superseded(vote(client, "alpha-vs-beta", "alpha", tokens[0], 900), "beta", {"alpha": 0, "beta": 3})
        assert withdraw(client, "alpha-vs-beta", tokens[1], 1000).json()["tallies"] == {"alpha": 0, "beta": 2}
        assert_superseded(vote(client, "alpha-vs-beta", "alpha", tokens[1], 900), None, {"alpha": 0, "beta": 2})
        if database.kind == "postgresql":
            # A process of the previous version, still serving during a rolling restart, goes on working.
            with psycopg.connect(database.url, autocommit=True) as db:
                rows = _old_apply(db, [(tokens[2], "alpha"), ("t-new-old-version-04", "alpha")])
            assert {tool: int(n) for _, tool, n in rows} == {"alpha": 2, "beta": 1}
        assert tallies(client, "alpha-vs-beta") == (
            {"alpha": 2, "beta": 1} if database.kind == "postgresql" else {"alpha": 0, "beta": 2}
        )
