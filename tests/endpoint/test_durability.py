"""Crashes under load: every vote that got a 200 is counted afterwards, none twice.

kill -9 of an endpoint process while votes pour in (SQLite; PostgreSQL with
two processes), and PostgreSQL itself crashed (``pg_ctl stop -m immediate``)
and started again. Each run is bounded: at most a few thousand votes and
seconds.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx

from tests.helpers.load import Load, VoteLoad
from tests.helpers.postgres import PostgresCluster

from .conftest import Database, Store

COMPARISON = "crowd"
TOOLS = ("beta", "delta")


def tallies(url: str, patience: float = 15.0) -> Counter[str]:
    """The tallies, waiting out 503s (a database still recovering on a busy machine), as a widget would."""
    deadline = time.monotonic() + patience
    while True:
        response = httpx.get(f"{url}/v1/tallies/{COMPARISON}", timeout=10)
        if response.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert response.status_code == 200, response.text
    return Counter(response.json()["tallies"])


def assert_kept(found: Counter[str], figures: Load) -> None:
    """Every acknowledged vote is there, and nothing beyond what was sent."""
    for tool in TOOLS:
        assert figures.acknowledged[tool] <= found[tool] <= figures.sent[tool], (tool, found, figures)


def report(figures: Load, found: Counter[str]) -> str:
    return (
        f"sent {sum(figures.sent.values())}, acknowledged {sum(figures.acknowledged.values())}, "
        f"found {sum(found.values())}"
    )


def test_kill_9_under_load_loses_no_acknowledged_vote(bundles: list[Path], database: Database) -> None:
    """One process (SQLite), or two on one PostgreSQL with one of them killed."""
    processes = 2 if database.kind == "postgresql" else 1
    endpoints = [database.launch(bundles, rate_limit=0) for _ in range(processes)]
    try:
        with VoteLoad([e.base_url for e in endpoints], COMPARISON, TOOLS, concurrency=24, max_seconds=20) as load:
            load.wait_for_acknowledged(300)
            endpoints[0].kill()
            acknowledged_at_kill = sum(load.figures.acknowledged.values())
            if processes > 1:  # the survivor goes on serving its share
                load.wait_for_acknowledged(acknowledged_at_kill + 100)
        figures = load.stop()
    finally:
        for endpoint in endpoints:
            endpoint.stop()
    assert endpoints[0].process.returncode == -9

    with database.serve(bundles) as url:
        found = tallies(url)
    assert_kept(found, figures)
    print(f"{database.kind} kill -9: {report(figures, found)}")


def test_postgresql_crash_and_restart_loses_no_acknowledged_vote(
    bundles: list[Path], postgres: PostgresCluster, tmp_path: Path
) -> None:
    """Not parametrised: the SQLite equivalent is the process's kill -9 above."""
    database = Store("postgresql", postgres).new_database(tmp_path)
    endpoints = [database.launch(bundles, rate_limit=0) for _ in range(2)]
    try:
        with VoteLoad([e.base_url for e in endpoints], COMPARISON, TOOLS, concurrency=24, max_seconds=80) as load:
            load.wait_for_acknowledged(300)
            postgres.stop("immediate")  # a crash: no checkpoint, recovery replays the WAL
            postgres.start()
            before = sum(load.figures.acknowledged.values())
            # Both endpoints reconnect on their own; a busy machine may take a while to replay the WAL.
            load.wait_for_acknowledged(before + 100, timeout=60)
        figures = load.stop()
        found = tallies(endpoints[0].base_url)
        assert found == tallies(endpoints[1].base_url)
    finally:
        for endpoint in endpoints:
            endpoint.stop()
    assert_kept(found, figures)
    print(f"postgresql crash: {report(figures, found)}")
