"""The worker-side engine (verdict.browser) in CPython, against a real endpoint.

The browser tests run the same code in Pyodide; here its message protocol and
vote flow are checked message by message, over real HTTP.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from verdict.browser import Engine

from ..conftest import DEMO_BUNDLE, HEYGEN, MISTRAL, SEED
from ..helpers.endpoint import start_endpoint

BUNDLE_URL = "https://widget.example/bundles/comparisons.json"


async def real_http(method: str, url: str, body=None, revalidate: bool = False):
    """HTTP as the worker does it; the bundle comes from disk under its public URL."""
    if url == BUNDLE_URL:
        return 200, json.loads(DEMO_BUNDLE.read_text())
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.request(method, url, json=body)
    except httpx.TransportError as error:
        raise OSError(str(error)) from None
    return response.status_code, response.json()


class Loader:
    """Stands in for embed.js: collects what the engine posts."""

    def __init__(self):
        self.messages: list[dict] = []
        self.engine = Engine(lambda text: self.messages.append(json.loads(text)), real_http)

    def of(self, kind: str) -> list[dict]:
        return [m for m in self.messages if m["type"] == kind]

    async def send(self, **message):
        await self.engine.handle(json.dumps(message))


def run(coroutine):
    # A thread of its own: Playwright, in the browser tests, keeps a loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture
def endpoint(tmp_path: Path):
    with start_endpoint([DEMO_BUNDLE], tmp_path / "votes.db") as url:
        yield url


def test_mount_vote_change_and_withdraw(endpoint):
    async def scenario():
        loader = Loader()
        await loader.send(
            type="mount", card="c1", bundle=BUNDLE_URL, comparison=SEED, endpoint=endpoint, options={}, device={}
        )
        assert loader.of("status")[0]["text"].startswith("Loading")
        assert "No votes yet" in loader.of("html")[-1]["html"]

        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        optimistic, confirmed = loader.of("html")[-2:]
        assert "Saving your vote for Mistral 4B Edge" in optimistic["html"]
        assert "your vote for Mistral 4B Edge is counted" in confirmed["html"]
        device = loader.of("store")[-1]["device"]
        assert device["votes"] == {f"{endpoint}|{SEED}": MISTRAL} and len(device["voter"]) >= 16
        assert loader.of("event")[-1]["detail"] == {"comparison": SEED, "tool": MISTRAL}

        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        assert loader.of("event")[-1]["detail"]["tool"] == HEYGEN
        async with httpx.AsyncClient() as client:
            tallies = (await client.get(f"{endpoint}/v1/tallies/{SEED}")).json()
        assert tallies["tallies"] == {HEYGEN: 1, MISTRAL: 0}

        await loader.send(type="action", card="c1", action="withdraw")
        assert loader.of("announce")[-1]["text"] == "Your vote is withdrawn."
        assert loader.of("store")[-1]["device"]["votes"] == {}

        # An engine started later with the device as stored after the first vote shows that vote.
        again = Loader()
        await again.send(
            type="mount", card="c2", bundle=BUNDLE_URL, comparison=SEED, endpoint=endpoint, options={}, device=device
        )
        assert 'aria-pressed="true"' in again.of("html")[-1]["html"]  # the stored device said Mistral

    run(scenario())


def test_unreachable_endpoint_rolls_the_vote_back(tmp_path):
    async def scenario():
        loader = Loader()
        await loader.send(
            type="mount",
            card="c1",
            bundle=BUNDLE_URL,
            comparison=SEED,
            endpoint="http://127.0.0.1:9",
            options={},
            device={},
        )
        assert "Live votes are unavailable right now." in loader.of("html")[-1]["html"]
        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        final = loader.of("html")[-1]["html"]
        assert "Your vote was not saved" in final and 'aria-pressed="true"' not in final
        assert loader.of("event") == [] and not loader.of("store")[1:]

    run(scenario())


def test_bad_bundle_and_unknown_comparison_give_error_cards():
    async def scenario():
        loader = Loader()
        await loader.send(
            type="mount", card="c1", bundle=BUNDLE_URL, comparison="no-such-thing", endpoint=None, options={}, device={}
        )
        assert "no comparison 'no-such-thing'" in loader.of("html")[-1]["html"]
        assert "vd-error" in loader.of("html")[-1]["html"]
        assert loader.of("log")[-1]["level"] == "error"

    run(scenario())


def test_two_cards_of_one_comparison_agree_after_a_vote(endpoint):
    async def scenario():
        loader = Loader()
        for card in ("top", "bottom"):
            await loader.send(
                type="mount", card=card, bundle=BUNDLE_URL, comparison=SEED, endpoint=endpoint, options={}, device={}
            )
        await loader.send(type="action", card="top", action="vote", tool=HEYGEN)
        bottom = [m for m in loader.of("html") if m["card"] == "bottom"][-1]["html"]
        assert f'data-tool="{HEYGEN}" aria-pressed="true"' in bottom and "1 vote so far." in bottom

    run(scenario())


def test_a_card_speaks_the_locale_its_mount_asks_for(endpoint):
    async def scenario():
        loader = Loader()
        await loader.send(
            type="mount",
            card="c1",
            bundle=BUNDLE_URL,
            comparison=SEED,
            endpoint=endpoint,
            options={"locale": "fr-CA"},
            device={},
        )
        assert loader.of("status")[0]["text"] == "Chargement du comparatif…"
        assert 'lang="fr"' in loader.of("html")[-1]["html"]
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        assert loader.of("announce")[-1]["text"] == "Merci\u00a0: votre vote pour Mistral 4B Edge est pris en compte."
        assert "Communauté" in loader.of("html")[-1]["html"]

        broken = Loader()
        await broken.send(
            type="mount", card="c2", bundle=BUNDLE_URL, comparison="nope", endpoint=None, options={"locale": "ar"}
        )
        assert "تعذّر عرض هذه المقارنة" in broken.of("html")[-1]["html"]

    run(scenario())


def test_bundle_warnings_reach_the_console_and_the_card_still_renders():
    data = json.loads(DEMO_BUNDLE.read_text())
    data["comparisons"][0]["scorecard"][0]["verdicts"][HEYGEN]["text"] = "***both***"

    async def http(method: str, url: str, body=None, revalidate: bool = False):
        return 200, data

    async def scenario():
        messages: list[dict] = []
        engine = Engine(lambda text: messages.append(json.loads(text)), http)
        await engine.handle(
            json.dumps(
                {"type": "mount", "card": "c1", "bundle": BUNDLE_URL, "comparison": SEED, "options": {}, "device": {}}
            )
        )
        warnings = [m for m in messages if m["type"] == "log" and m["level"] == "warn"]
        assert len(warnings) == 1 and "***both*** is not supported" in warnings[0]["text"]
        assert "vd-error" not in [m for m in messages if m["type"] == "html"][-1]["html"]

    run(scenario())
