"""Several endpoint processes on one PostgreSQL database: one schema, exact tallies, one rate limit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.helpers.aio import run_in_thread
from tests.helpers.endpoint import EndpointProcess, new_voter_token
from tests.helpers.postgres import PostgresCluster

from .conftest import Database, Store


@pytest.fixture
def shared(postgres: PostgresCluster, tmp_path: Path) -> Database:
    return Store("postgresql", postgres).new_database(tmp_path)


@pytest.fixture
def three(bundles: list[Path], shared: Database) -> Iterator[list[EndpointProcess]]:
    """Three processes started at the same moment on one new database: they migrate it together."""
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(shared.launch, bundles, rate_limit=4) for _ in range(3)]
        endpoints = [future.result() for future in futures]
    try:
        yield endpoints
    finally:
        for endpoint in endpoints:
            endpoint.stop()


def test_processes_starting_together_agree_on_one_schema(three: list[EndpointProcess]) -> None:
    for endpoint in three:
        assert httpx.get(f"{endpoint.base_url}/healthz").json() == {"status": "ok"}
        assert "newer version" not in endpoint.log()


def test_tallies_stay_exact_across_processes(bundles: list[Path], shared: Database) -> None:
    first, second = shared.launch(bundles, rate_limit=0), shared.launch(bundles, rate_limit=0)
    urls = [first.base_url, second.base_url]

    async def crowd() -> list[dict]:
        async with httpx.AsyncClient(timeout=20.0) as client:
            one_each = [
                client.post(
                    f"{urls[n % 2]}/v1/votes",
                    json={"comparison": "crowd", "tool": ["beta", "delta"][n % 3 == 0], "voter": new_voter_token()},
                )
                for n in range(60)
            ]
            fickle = [new_voter_token() for _ in range(5)]
            changes = [
                client.post(f"{urls[n % 2]}/v1/votes", json={"comparison": "crowd", "tool": tool, "voter": voter})
                for voter in fickle
                for n, tool in enumerate(["beta", "delta"] * 4)
            ]
            withdrawals = [
                client.request("DELETE", f"{urls[1]}/v1/votes", json={"comparison": "crowd", "voter": voter})
                for voter in fickle[:2]
            ]
            responses = await asyncio.gather(*one_each, *changes)
            assert all(r.status_code == 200 for r in responses), [r.text for r in responses if r.status_code != 200]
            assert all(r.status_code == 200 for r in await asyncio.gather(*withdrawals))
            for voter in fickle:  # settle each fickle voter on delta (or withdrawn: the last word wins)
                await client.post(f"{urls[0]}/v1/votes", json={"comparison": "crowd", "tool": "delta", "voter": voter})
            return [(await client.get(f"{url}/v1/tallies/crowd")).json() for url in urls]

    try:
        seen = run_in_thread(crowd())
    finally:
        first.stop()
        second.stop()
    # 60 new voters: n % 3 == 0 (20 of them) for delta, 40 for beta; then 5 fickle voters end on delta.
    expected = {"comparison": "crowd", "tallies": {"beta": 40, "delta": 25}, "total": 65}
    assert seen == [expected, expected]


def test_the_rate_limit_holds_across_processes(three: list[EndpointProcess]) -> None:
    """Six votes from one client at once, two to each process: 4 per minute in all, not 4 per process.

    Sent together: the budget refills one vote per 15 s, which six votes sent one after another on a
    busy machine could outlast."""

    def vote(n: int) -> httpx.Response:
        return httpx.post(
            f"{three[n % 3].base_url}/v1/votes",
            json={"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()},
        )

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(vote, range(6)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 429, 429]
    for response in responses:
        if response.status_code == 429:
            assert 1 <= int(response.headers["retry-after"]) <= 60
