"""The worker-side engine (verdict.browser) in CPython, against a real endpoint.

The browser tests run the same code in Pyodide; here its message protocol and
vote flow are checked message by message, over real HTTP. ``BrowserHttp``
does what fetch() does in the page's worker: it sends the page's Origin, runs
the CORS preflight, and hides answers the origin may not read.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from verdict import delivery
from verdict.browser import RETRY_HEADER, Engine, Reply
from verdict.outbox import Choice, Device, retry_after, retry_delay, vote_key

from ..conftest import DEMO_BUNDLE, HEYGEN, MISTRAL, SEED
from ..helpers.aio import run_in_thread as run
from ..helpers.bundles import bundle_dict, write_bundle
from ..helpers.endpoint import new_voter_token
from ..helpers.outage import RestartableEndpoint

BUNDLE_URL = "https://widget.example/bundles/comparisons.json"
OTHER_BUNDLE_URL = "https://widget.example/bundles/other.json"
OTHER = "ada-vs-bob"
PAGE = "http://127.0.0.1:8000"
SAFELISTED = {"cache-control", "content-language", "content-length", "content-type", "expires", "pragma"}


class BrowserHttp:
    """HTTP as fetch() does it for a page at ``origin``; the bundles come from disk under their public URLs."""

    def __init__(self, origin: str = PAGE):
        self.origin = origin
        self.sent: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: list[dict[str, Any]] = []
        """The body of every vote request, in the order sent."""
        self.answered: list[int] = []
        """The status of every vote request answered, in the order answered."""

    async def __call__(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        revalidate: bool = False,
        headers: Mapping[str, str] | None = None,
        mode: str = "cors",
    ) -> Reply:
        if url == BUNDLE_URL:
            return Reply(200, json.loads(DEMO_BUNDLE.read_text()))
        if url == OTHER_BUNDLE_URL:
            return Reply(200, bundle_dict({OTHER: ["ada", "bob"]}))
        extra = dict(headers or {})
        self.sent.append((method, url, extra))
        if url.endswith("/v1/votes") and body is not None:
            self.bodies.append(body)
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                if mode == "cors" and (method not in ("GET", "HEAD") or extra):
                    await self._preflight(client, method, url, [*extra, *(["Content-Type"] if body else [])])
                response = await client.request(method, url, json=body, headers={"Origin": self.origin, **extra})
        except httpx.TransportError as error:
            raise OSError(f"TypeError: Failed to fetch ({error})") from None
        if mode == "no-cors":
            return Reply(0, None)
        if url.endswith("/v1/votes"):
            self.answered.append(response.status_code)
        self._check(response.headers)
        exposed = SAFELISTED | {
            h.strip().lower() for h in response.headers.get("access-control-expose-headers", "").split(",")
        }
        return Reply(response.status_code, response.json(), {k: v for k, v in response.headers.items() if k in exposed})

    async def _preflight(self, client: httpx.AsyncClient, method: str, url: str, names: list[str]) -> None:
        response = await client.options(
            url,
            headers={
                "Origin": self.origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": ",".join(n.lower() for n in names),
            },
        )
        self._check(response.headers)
        allowed = {h.strip().lower() for h in response.headers.get("access-control-allow-headers", "").split(",")}
        if response.status_code != 200 or not {n.lower() for n in names} <= allowed:
            raise OSError("TypeError: Failed to fetch (CORS preflight refused)")

    def _check(self, headers: httpx.Headers) -> None:
        if headers.get("access-control-allow-origin") not in (self.origin, "*"):
            raise OSError("TypeError: Failed to fetch (CORS)")

    def votes_sent(self) -> list[tuple[str, dict[str, str]]]:
        return [(method, headers) for method, url, headers in self.sent if url.endswith("/v1/votes")]


class Loader:
    """Stands in for embed.js: collects what the engine posts."""

    def __init__(self, http: BrowserHttp | None = None, origin: str = PAGE):
        self.messages: list[dict[str, Any]] = []
        self.http = http or BrowserHttp(origin)
        self.engine = Engine(
            lambda text: self.messages.append(json.loads(text)), self.http, origin=origin, first_retry=0.05
        )

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    def html(self, card: str = "c1") -> str:
        return [m for m in self.of("html") if m["card"] == card][-1]["html"]

    def stored(self) -> dict[str, Any]:
        return self.of("store")[-1]["device"]

    async def send(self, **message: Any) -> None:
        await self.engine.handle(json.dumps(message))

    async def mount(self, endpoint: str | None, card: str = "c1", device: Any = None, **extra: Any) -> None:
        fields = {"bundle": BUNDLE_URL, "comparison": SEED, **extra}
        await self.send(type="mount", card=card, endpoint=endpoint, options={}, device=device or {}, **fields)

    async def until(self, done: Callable[[], bool], timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.02)
        await self.engine.settled()


class Endpoint(RestartableEndpoint):
    def __init__(self, tmp_path: Path, bundles: list[Path], **options: Any):
        super().__init__(bundles, tmp_path / "votes.db", [PAGE], **options)

    def tallies(self, comparison: str = SEED) -> dict[str, int]:
        return super().tallies(comparison)


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[Endpoint]:
    other = write_bundle(tmp_path / "other.json", bundle_dict({OTHER: ["ada", "bob"]}))
    served = Endpoint(tmp_path, [DEMO_BUNDLE, other])
    yield served
    served.stop()


def pressed(html: str, tool: str) -> bool:
    return f'data-tool="{tool}" aria-pressed="true"' in html


# -- the message protocol and a delivered vote ------------------------------------------
def test_mount_vote_change_and_withdraw(endpoint: Endpoint):
    async def scenario():
        loader = Loader()
        await loader.mount(endpoint.url)
        assert loader.of("status")[0]["text"].startswith("Loading")
        assert "No votes yet" in loader.html()

        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        optimistic, confirmed = loader.of("html")[-2:]
        assert "Saving your vote for Mistral 4B Edge" in optimistic["html"]
        assert "your vote for Mistral 4B Edge is counted" in confirmed["html"]
        assert 'class="vd-choice-pending"' in optimistic["html"]
        assert 'class="vd-choice-pending"' not in confirmed["html"]
        device = loader.stored()
        key = f"{endpoint.url}|{SEED}"
        assert device["votes"][key]["tool"] == MISTRAL and not device["votes"][key]["pending"]
        assert list(device["tokens"]) == [endpoint.url] and len(device["tokens"][endpoint.url]) >= 16
        assert loader.http.bodies[-1]["voter"] == device["tokens"][endpoint.url]
        assert loader.of("event")[-1]["detail"] == {"comparison": SEED, "tool": MISTRAL}
        assert loader.http.votes_sent() == [("POST", {})], "a first delivery carries no retry marker"

        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        assert loader.of("event")[-1]["detail"]["tool"] == HEYGEN
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}

        await loader.send(type="action", card="c1", action="withdraw")
        assert loader.of("announce")[-1]["text"] == "Your vote is withdrawn."
        assert loader.stored()["votes"][key]["tool"] is None

        # An engine started later with the device as stored after the first vote shows that vote.
        again = Loader()
        await again.mount(endpoint.url, card="c2", device=device)
        assert pressed(again.html("c2"), MISTRAL)

    run(scenario())


def test_the_first_stored_format_still_reads(endpoint: Endpoint):
    async def scenario():
        loader = Loader()
        voter = new_voter_token()
        httpx.post(f"{endpoint.url}/v1/votes", json={"comparison": SEED, "tool": HEYGEN, "voter": voter})
        await loader.mount(endpoint.url, device={"voter": voter, "votes": {f"{endpoint.url}|{SEED}": HEYGEN}})
        assert pressed(loader.html(), HEYGEN) and "1 vote so far." in loader.html()
        assert loader.http.votes_sent() == []
        # The one token of that version stays with the endpoint the reader voted on: their change of
        # mind moves their vote, it does not add one.
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        assert loader.http.bodies[-1]["voter"] == voter
        assert endpoint.tallies() == {HEYGEN: 0, MISTRAL: 1}
        stored = loader.stored()
        assert stored["tokens"] == {endpoint.url: voter} and stored["voter"] is None

    run(scenario())


def test_each_endpoint_gets_a_token_of_its_own(endpoint: Endpoint):
    """One token for every endpoint let any endpoint a card named (a pasted frame link) replay it on another."""

    async def scenario():
        elsewhere = "http://127.0.0.1:9"  # an endpoint named by some other card: it never answers
        loader = Loader()
        await loader.mount(endpoint.url, card="c1")
        await loader.mount(elsewhere, card="c2")
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        await loader.send(type="action", card="c2", action="vote", tool=HEYGEN)
        await loader.until(lambda: len(loader.http.bodies) >= 2)
        sent = [url for _, url, _ in loader.http.sent if url.endswith("/v1/votes")]
        by_endpoint = {
            url.removesuffix("/v1/votes"): body["voter"] for url, body in zip(sent, loader.http.bodies, strict=True)
        }
        assert set(by_endpoint) == {endpoint.url, elsewhere}
        assert by_endpoint[endpoint.url] != by_endpoint[elsewhere]
        assert loader.stored()["tokens"] == by_endpoint

    run(scenario())


def test_tokens_per_endpoint_migrate_and_merge():
    here, there = "https://votes.example", "https://other.example"
    old = Device("L" * 24, {vote_key(here, "a-vs-b"): Choice("x", 10, counted="x")})
    assert old.token(there, make=lambda: "n" * 24) == "n" * 24, "no vote there: a new token, not the old one"
    assert old.token(here) == "L" * 24 and old.voter is None
    assert old.token(here) == "L" * 24
    # A tab still on the old format, and a tab that gave the old token to another endpoint meanwhile.
    other_tab = Device("L" * 24, {}, {there: "L" * 24})
    old.merge(other_tab)
    assert sorted(old.tokens.values()) == sorted(set(old.tokens.values())), "never one token on two endpoints"
    assert old.voter is None
    assert Device.from_json({"tokens": {here: "bad token!", there: "t" * 20}}).tokens == {there: "t" * 20}


# -- the outbox --------------------------------------------------------------------
def test_a_vote_cast_while_the_endpoint_is_down_is_kept_and_sent_once_when_it_is_back(endpoint: Endpoint):
    async def scenario():
        loader = Loader()
        await loader.mount(endpoint.url)
        endpoint.stop()
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        html = loader.html()
        assert "Pending: your vote for Mistral 4B Edge is saved on this device and will be sent" in html
        assert pressed(html, MISTRAL) and 'class="vd-choice-pending"' in html
        assert "100%" in html, "the tallies shown include the pending vote"
        assert "saved on this device" in loader.of("announce")[-1]["text"]
        assert "data-error" not in html
        record = loader.stored()["votes"][f"{endpoint.url}|{SEED}"]
        assert record["pending"] and record["tool"] == MISTRAL and record["counted"] is None
        assert loader.of("event") == []
        assert not [m for m in loader.of("log") if m["level"] == "error"], "down is not an origin refusal"

        endpoint.start()
        await loader.until(lambda: bool(loader.of("event")))
        assert "your vote for Mistral 4B Edge is counted" in loader.html()
        assert loader.of("announce")[-1]["text"] == "Thanks: your vote for Mistral 4B Edge is counted."
        assert not loader.stored()["votes"][f"{endpoint.url}|{SEED}"]["pending"]
        assert endpoint.tallies() == {HEYGEN: 0, MISTRAL: 1}
        sent = loader.http.votes_sent()
        assert sent[0] == ("POST", {}), "a first try is not a retry"
        assert [headers[RETRY_HEADER] for _, headers in sent[1:]] == [str(n) for n in range(1, len(sent))]

    run(scenario())


def test_a_later_choice_supersedes_a_queued_one_and_a_withdrawal_cancels_it(endpoint: Endpoint):
    async def scenario():
        loader = Loader()
        await loader.mount(endpoint.url)
        endpoint.stop()
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        assert "your vote for HeyGen Interactive Avatar SDK v3 is saved on this device" in loader.html()
        assert pressed(loader.html(), HEYGEN) and not pressed(loader.html(), MISTRAL)
        endpoint.start()
        await loader.until(lambda: bool(loader.of("event")))
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}
        assert [e["detail"]["tool"] for e in loader.of("event")] == [HEYGEN]

        # Down again: a new vote, then a withdrawal, which is itself queued; nothing is left counted.
        endpoint.stop()
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        await loader.send(type="action", card="c1", action="withdraw")
        html = loader.html()
        assert "Pending: your vote is withdrawn on this device and the vote server will be told" in html
        assert not pressed(html, MISTRAL) and not pressed(html, HEYGEN)
        assert "100%" not in html, "the pending withdrawal takes HeyGen's counted vote off"
        endpoint.start()
        await loader.until(lambda: len(loader.of("event")) == 2)
        assert loader.of("event")[-1]["detail"]["tool"] is None
        assert "Your vote is withdrawn." in loader.html()
        assert endpoint.tallies() == {HEYGEN: 0, MISTRAL: 0}

    run(scenario())


def test_the_next_view_sends_the_outbox_of_its_endpoint_even_for_comparisons_not_shown(endpoint: Endpoint):
    async def scenario():
        elsewhere = "http://127.0.0.1:9"
        voter = new_voter_token()
        # The request of an earlier page reached the endpoint, but its answer never came back.
        httpx.post(f"{endpoint.url}/v1/votes", json={"comparison": SEED, "tool": HEYGEN, "voter": voter})
        device = Device(
            voter,
            {
                vote_key(endpoint.url, SEED): Choice(HEYGEN, 1_000, pending=True),
                vote_key(elsewhere, SEED): Choice(MISTRAL, 2_000, pending=True),
            },
        ).to_json()
        loader = Loader()
        await loader.mount(endpoint.url, device=device, bundle=OTHER_BUNDLE_URL, comparison=OTHER)
        await loader.until(lambda: not loader.engine.device.votes[vote_key(endpoint.url, SEED)].pending)
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}, "sent twice, counted once"
        assert loader.http.votes_sent() == [("POST", {RETRY_HEADER: "1"})]
        assert loader.stored()["votes"][vote_key(elsewhere, SEED)]["pending"], "another endpoint's waits its turn"
        assert "ada-vs-bob" in loader.html() and loader.of("event") == []

    run(scenario())


def test_a_refusal_that_retrying_cannot_fix_is_rolled_back_said_and_not_retried(tmp_path: Path):
    async def scenario():
        other = write_bundle(tmp_path / "other.json", bundle_dict({OTHER: ["ada", "bob"]}))
        served = Endpoint(tmp_path, [other])  # knows nothing of the seed comparison
        try:
            loader = Loader()
            await loader.mount(served.url)
            assert "Live votes are unavailable right now." in loader.html()
            await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
            html = loader.html()
            assert "Your vote was not saved: the vote server refused it (" in html
            assert "sending it again would not help" in html and "data-error" in html
            assert not pressed(html, MISTRAL) and 'class="vd-choice-pending"' not in html
            record = loader.stored()["votes"][f"{served.url}|{SEED}"]
            assert not record["pending"] and record["tool"] is None
            await asyncio.sleep(0.5)  # ten first-retry periods
            await loader.engine.settled()
            assert loader.http.votes_sent() == [("POST", {})]
        finally:
            served.stop()

    run(scenario())


def test_a_rate_limited_vote_is_kept_and_waits_as_long_as_retry_after_says(tmp_path: Path):
    async def scenario():
        served = Endpoint(tmp_path, [DEMO_BUNDLE], rate_limit=1)
        try:
            loader = Loader()
            await loader.mount(served.url)
            await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
            await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
            assert "your vote for HeyGen Interactive Avatar SDK v3 is saved on this device" in loader.html()
            answer = httpx.post(
                f"{served.url}/v1/votes", json={"comparison": SEED, "tool": HEYGEN, "voter": new_voter_token()}
            )
            assert answer.status_code == 429
            wait = float(answer.headers["retry-after"])
            courier = loader.engine.courier(served.url)
            assert courier.next_retry is not None and courier.next_retry >= wait - 1 > 1
            assert served.tallies() == {HEYGEN: 0, MISTRAL: 1}
        finally:
            served.stop()

    run(scenario())


def test_an_origin_the_endpoint_refuses_is_named_and_nothing_is_queued(endpoint: Endpoint):
    async def scenario():
        blog = "http://localhost:8000"  # the endpoint allows http://127.0.0.1:8000 only
        loader = Loader(origin=blog)
        await loader.mount(endpoint.url)
        assert "Voting is unavailable: the vote server does not accept votes from this site." in loader.html()
        errors = [m["text"] for m in loader.of("log") if m["level"] == "error"]
        assert len(errors) == 1
        assert blog in errors[0] and f"--allow-origin {blog}" in errors[0] and "VERDICT_ALLOW_ORIGINS" in errors[0]

        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        html = loader.html()
        assert "the vote server does not accept votes from this site, so it is not kept for later" in html
        assert "could not be reached" not in html and not pressed(html, HEYGEN)
        assert not loader.stored()["votes"][f"{endpoint.url}|{SEED}"]["pending"]
        await asyncio.sleep(0.3)
        await loader.engine.settled()
        assert len(loader.http.votes_sent()) == 1, "not retried"
        assert len([m for m in loader.of("log") if m["level"] == "error"]) == 1, "said once"
        assert endpoint.tallies() == {HEYGEN: 0, MISTRAL: 0}

    run(scenario())


def test_an_endpoint_that_never_answers_keeps_the_vote(tmp_path: Path):
    async def scenario():
        loader = Loader()
        await loader.mount("http://127.0.0.1:9")
        assert "Live votes are unavailable right now." in loader.html()
        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        html = loader.html()
        assert "saved on this device and will be sent" in html and pressed(html, HEYGEN)
        assert "—" in html, "with no tallies known, none are made up"
        assert loader.of("event") == [] and loader.stored()["votes"][f"http://127.0.0.1:9|{SEED}"]["pending"]

    run(scenario())


class LateHttp(BrowserHttp):
    """The first vote request reaches the endpoint only after ``delay`` seconds, as over a congested network.

    Like fetch() in the worker, the request goes on after the engine has
    stopped waiting for it: the engine's timeout cancels the wait, not the request.
    """

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay
        self.late: asyncio.Future[Reply] | None = None

    async def __call__(self, method: str, url: str, body: dict[str, Any] | None = None, **options: Any) -> Reply:
        if self.late is not None or not url.endswith("/v1/votes"):
            return await super().__call__(method, url, body, **options)

        async def slow() -> Reply:
            await asyncio.sleep(self.delay)
            return await BrowserHttp.__call__(self, method, url, body, **options)

        self.late = asyncio.ensure_future(slow())
        return await asyncio.shield(self.late)


def test_a_request_abandoned_after_its_timeout_cannot_overwrite_a_newer_choice(
    endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(delivery, "REQUEST_TIMEOUT", 0.3)  # a vote's request

    async def scenario():
        loader = Loader(LateHttp(delay=1.5))
        await loader.mount(endpoint.url)
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)  # given up after 0.3 s
        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        await loader.until(lambda: not loader.engine.device.votes[f"{endpoint.url}|{SEED}"].pending)
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}

        late = loader.http.late
        assert late is not None and not late.done(), "the abandoned request is still on its way"
        assert (await late).status == 409, "it lands after the newer choice and is refused"
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}
        assert pressed(loader.html(), HEYGEN) and "your vote for HeyGen Interactive Avatar SDK v3 is counted" in (
            loader.html()
        )
        # Every delivery says when its choice was made: the device's record of it.
        record = loader.stored()["votes"][f"{endpoint.url}|{SEED}"]
        chosen_at = {body["tool"]: body["chosen_at"] for body in loader.http.bodies}
        assert chosen_at[HEYGEN] == record["at"] and chosen_at[MISTRAL] < record["at"]

    run(scenario())


class HeldHttp(BrowserHttp):
    """Holds the first vote request until ``release`` is set: a request still on its way."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, method: str, url: str, body: dict[str, Any] | None = None, **options: Any) -> Reply:
        if url.endswith("/v1/votes") and not self.holding.is_set():
            self.holding.set()
            await self.release.wait()
        return await super().__call__(method, url, body, **options)


@pytest.mark.parametrize("heard", [True, False], ids=["newer-choice-known", "newer-choice-not-yet-known"])
def test_a_409_for_a_choice_superseded_in_another_tab_shows_the_newer_choice_without_error(
    endpoint: Endpoint, heard: bool
):
    """Tab one's vote is on its way when tab two's newer vote is counted; tab one's then lands: 409."""

    async def scenario():
        first, second = Loader(HeldHttp()), Loader()
        await first.mount(endpoint.url)
        await second.mount(endpoint.url)
        held = asyncio.ensure_future(first.send(type="action", card="c1", action="vote", tool=MISTRAL))
        await first.http.holding.wait()
        await second.send(type="device", device=first.stored())  # the storage event
        await second.send(type="action", card="c1", action="vote", tool=HEYGEN)
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}
        if heard:
            await first.send(type="device", device=second.stored())

        first.http.release.set()
        await held
        await first.engine.settled()
        assert first.http.answered[0] == 409
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}
        html = first.html()
        assert pressed(html, HEYGEN) and not pressed(html, MISTRAL)
        assert "data-error" not in html and "not saved" not in html and "refused" not in html
        assert "100%" in html, "the figures are the endpoint's: HeyGen's one vote"
        record = first.stored()["votes"][f"{endpoint.url}|{SEED}"]
        assert record["tool"] == HEYGEN and record["counted"] == HEYGEN and not record["pending"]
        if not heard:  # the endpoint's answer told this tab of the newer choice
            assert (
                first.of("announce")[-1]["text"] == "Thanks: your vote for HeyGen Interactive Avatar SDK v3 is counted."
            )
            await first.send(type="device", device=second.stored())  # the storage event, late
            assert pressed(first.html(), HEYGEN)
            assert first.engine.device.to_json()["votes"] == second.stored()["votes"]

    run(scenario())


# -- several tabs ------------------------------------------------------------------
def test_another_tab_s_newer_choice_wins_and_an_older_copy_is_written_over(endpoint: Endpoint):
    async def scenario():
        first, second = Loader(), Loader()
        await first.mount(endpoint.url)
        await second.mount(endpoint.url)
        await first.send(type="action", card="c1", action="vote", tool=MISTRAL)
        stored_by_first = first.stored()
        await second.send(type="device", device=stored_by_first)  # the storage event, relayed
        assert pressed(second.html(), MISTRAL)
        assert second.engine.device.tokens == stored_by_first["tokens"]

        await second.send(type="action", card="c1", action="vote", tool=HEYGEN)
        newer = second.stored()
        count = len(first.of("store"))
        await first.send(type="device", device=stored_by_first)  # its own copy again: nothing to write
        assert len(first.of("store")) == count
        await first.send(type="device", device=newer)
        assert pressed(first.html(), HEYGEN)
        # A tab that missed the newer write and stores its older copy: the newer entry comes back.
        count = len(second.of("store"))
        await second.send(type="device", device=stored_by_first)
        assert len(second.of("store")) == count + 1
        assert second.stored()["votes"] == newer["votes"]

    run(scenario())


def test_waiting_for_deliveries_ends_when_one_has_just_finished():
    # A finished delivery leaves the engine's set a loop turn later (its done callback);
    # waiting must not spin on it in that turn, or the loop never runs that callback.
    async def scenario():
        loader = Loader()
        delivery = loader.engine.flush(loader.engine.courier("http://127.0.0.1:9"))  # nothing queued
        await asyncio.sleep(0)  # the delivery runs and ends in the next turn, just before this coroutine
        assert delivery.done() and delivery in loader.engine.delivery.flushing, "the case under test"
        await loader.engine.settled()

    run(scenario(), timeout=5)


def test_device_merge_rules():
    key = "https://votes.example|a-vs-b"
    old = Device("b" * 20, {key: Choice("x", 10, pending=False, counted="x")})
    new = Device("a" * 20, {key: Choice("y", 20, pending=True, counted="x")})
    assert old.merge(new) == {key} and old.votes[key].tool == "y" and old.voter == "a" * 20
    assert new.merge(Device("c" * 20, {key: Choice("x", 10, counted="x")})) == set()
    assert new.voter == "a" * 20, "two tabs settle on one token"
    delivered = Device(None, {key: Choice("y", 20, pending=False, counted="y")})
    assert new.merge(delivered) == {key} and not new.votes[key].pending
    assert Device.from_json({"voter": 3, "votes": {key: {"tool": 1}, "k|c": "x"}}).to_json() == {
        "voter": None,
        "tokens": {},
        "votes": {"k|c": {"tool": "x", "at": 0, "pending": False, "counted": "x", "voted": True}},
    }
    assert Device.from_json("garbage").to_json() == {"voter": None, "tokens": {}, "votes": {}}


def test_retry_delays_back_off_and_honour_retry_after():
    delays = [retry_delay(n, jitter=lambda: 0.5) for n in range(1, 10)]
    assert delays[:4] == [1.0, 2.0, 4.0, 8.0] and max(delays) == 60.0
    assert retry_delay(1, jitter=lambda: 0.0) == pytest.approx(0.8)
    assert retry_delay(1, jitter=lambda: 1.0) == pytest.approx(1.2)
    assert retry_delay(1, after=30.0) == 30.0
    assert retry_after({"Retry-After": "12"}) == 12.0 and retry_after({"retry-after": "soon"}) is None
    assert retry_after({"Retry-After": "99999"}) == 3600.0 and retry_after({}) is None


# -- errors and twins --------------------------------------------------------------
def test_bad_bundle_and_unknown_comparison_give_error_cards():
    async def scenario():
        loader = Loader()
        await loader.mount(None, comparison="no-such-thing")
        assert "no comparison 'no-such-thing'" in loader.html()
        assert "vd-error" in loader.html()
        assert loader.of("log")[-1]["level"] == "error"

    run(scenario())


def test_two_cards_of_one_comparison_agree_after_a_vote(endpoint: Endpoint):
    async def scenario():
        loader = Loader()
        for card in ("top", "bottom"):
            await loader.mount(endpoint.url, card=card)
        await loader.send(type="action", card="top", action="vote", tool=HEYGEN)
        bottom = loader.html("bottom")
        assert pressed(bottom, HEYGEN) and "your vote for HeyGen Interactive Avatar SDK v3 is counted" in bottom
        assert "100%" in bottom
        assert {e["card"] for e in loader.of("event")} == {"top"}

    run(scenario())


def test_a_card_speaks_the_locale_its_mount_asks_for(endpoint: Endpoint):
    async def scenario():
        loader = Loader()
        await loader.send(
            type="mount",
            card="c1",
            bundle=BUNDLE_URL,
            comparison=SEED,
            endpoint=endpoint.url,
            options={"locale": "fr-CA"},
            device={},
        )
        assert loader.of("status")[0]["text"] == "Chargement du comparatif…"
        assert 'lang="fr"' in loader.of("html")[-1]["html"]
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        assert loader.of("announce")[-1]["text"] == "Merci\u00a0: votre vote pour Mistral 4B Edge est pris en compte."
        assert "Communauté" in loader.of("html")[-1]["html"]
        endpoint.stop()
        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN)
        assert loader.of("announce")[-1]["text"].startswith("En attente\u00a0: votre vote pour HeyGen")
        assert '<span class="vd-choice-pending" dir="ltr">en attente</span>' in loader.html()

        broken = Loader()
        await broken.send(
            type="mount", card="c2", bundle=BUNDLE_URL, comparison="nope", endpoint=None, options={"locale": "ar"}
        )
        assert "تعذّر عرض هذه المقارنة" in broken.of("html")[-1]["html"]

    run(scenario())


def test_bundle_warnings_reach_the_console_and_the_card_still_renders():
    data = json.loads(DEMO_BUNDLE.read_text())
    data["comparisons"][0]["scorecard"][0]["verdicts"][HEYGEN]["text"] = "***both***"

    async def http(method: str, url: str, body=None, **_: object) -> Reply:
        return Reply(200, data)

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


# -- clicks kept on the device before the engine was up (loader/pending.js) --------------
def test_a_click_kept_on_the_device_is_adopted_once_and_delivered_by_a_later_view(endpoint: Endpoint):
    async def scenario():
        clicked_at = int(time.time() * 1000) - 5_000
        # The reader clicked, then left before the engine was up: the loader kept the click, nothing else.
        kept = [
            {"endpoint": endpoint.url + "/", "comparison": SEED, "tool": MISTRAL, "at": clicked_at},
            {"endpoint": "http://127.0.0.1:9", "comparison": SEED, "tool": HEYGEN, "at": clicked_at},
            {"endpoint": "javascript:alert(1)", "comparison": SEED, "tool": HEYGEN, "at": clicked_at},
            {"endpoint": endpoint.url, "comparison": "<b>", "tool": HEYGEN, "at": clicked_at},
            "junk",
        ]
        loader = Loader()
        await loader.mount(endpoint.url, early=kept)
        await loader.until(lambda: bool(loader.of("event")))
        assert endpoint.tallies() == {HEYGEN: 0, MISTRAL: 1}
        assert loader.of("forget") == [{"type": "forget", "at": [clicked_at]}], "only this endpoint's, checked"
        record = loader.stored()["votes"][vote_key(endpoint.url, SEED)]
        assert record == {"tool": MISTRAL, "at": clicked_at, "pending": False, "counted": MISTRAL, "voted": True}
        assert loader.http.votes_sent() == [("POST", {})], "never sent before: no retry marker"
        assert loader.http.bodies[0]["chosen_at"] == clicked_at
        assert "your vote for Mistral 4B Edge is counted" in loader.html()

        # The loader's copy outlived its removal (the page closed first): taken again, it changes nothing.
        again = Loader()
        await again.mount(endpoint.url, card="c2", device=loader.stored(), early=kept[:1])
        await again.until(lambda: bool(again.of("forget")))
        assert again.http.votes_sent() == []
        assert endpoint.tallies() == {HEYGEN: 0, MISTRAL: 1}

    run(scenario())


def test_a_kept_click_older_than_the_devices_choice_loses_and_its_own_action_is_not_chosen_twice(
    endpoint: Endpoint,
):
    async def scenario():
        now = int(time.time() * 1000)
        loader = Loader()
        # Another tab chose HeyGen after this click on Mistral was kept: the later choice stands.
        device = Device(None, {vote_key(endpoint.url, SEED): Choice(HEYGEN, now, pending=True)}).to_json()
        await loader.mount(
            endpoint.url,
            device=device,
            early=[{"endpoint": endpoint.url, "comparison": SEED, "tool": MISTRAL, "at": now - 1_000}],
        )
        await loader.until(lambda: bool(loader.of("event")))
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}

        # This page's click, kept and adopted at the mount, then arriving as the card's action: sent once.
        page = Loader()
        at = now + 1_000
        kept = [{"endpoint": endpoint.url, "comparison": SEED, "tool": MISTRAL, "at": at}]
        await page.mount(endpoint.url, card="c3", device=loader.stored(), early=kept)
        await page.send(type="action", card="c3", action="vote", tool=MISTRAL, at=at)
        await page.until(lambda: bool(page.of("event")))
        assert [m["type"] for m in page.messages].count("forget") == 2
        assert len(page.http.votes_sent()) == 1
        assert endpoint.tallies() == {HEYGEN: 0, MISTRAL: 1}
        assert page.of("event")[-1]["detail"] == {"comparison": SEED, "tool": MISTRAL}

    run(scenario())


def test_two_clicks_made_before_the_engine_was_up_end_with_the_later_choice_sent(endpoint: Endpoint):
    async def scenario():
        loader = Loader()
        await loader.mount(endpoint.url)
        endpoint.stop()
        first = int(time.time() * 1000) - 2_000
        # Both clicks waited in the worker: the engine takes them only now, after both were made.
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL, at=first)
        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN, at=first + 500)
        assert pressed(loader.html(), HEYGEN) and not pressed(loader.html(), MISTRAL)
        endpoint.start()
        await loader.until(lambda: bool(loader.of("event")))
        assert endpoint.tallies() == {HEYGEN: 1, MISTRAL: 0}
        assert loader.stored()["votes"][vote_key(endpoint.url, SEED)]["at"] == first + 500

    run(scenario())
