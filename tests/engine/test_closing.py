"""Closing a vote (``closes_at``) and results shown only after the reader's vote (data-results="after-vote"):
the models, the card, and the engine's switch at the moment, against a real endpoint."""

from __future__ import annotations

import asyncio
import copy
import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from verdict.bundle import BundleIndex, check_bundle, load_bundle
from verdict.outbox import Choice, Device
from verdict.render import CardState, RenderOptions, VoteState, render_card
from verdict.rules import Results

from ..conftest import DEMO_BUNDLE, HEYGEN, MISTRAL, SEED
from ..helpers.aio import run_in_thread as run
from ..helpers.bundles import write_bundle
from .test_browser_engine import BUNDLE_URL, BrowserHttp, Endpoint, Loader, Reply
from .test_render import parse, visible_text

PAST = "2026-03-05T23:30:00-02:00"  # 6 March 2026 in UTC
FUTURE = "2999-06-01T12:00:00Z"


def closing(data: dict[str, Any], closes_at: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    next(c for c in changed["comparisons"] if c["id"] == SEED)["closes_at"] = closes_at
    return changed


NO_VOTES = CardState()


def card(data: dict[str, Any], options: RenderOptions, state: CardState = NO_VOTES) -> str:
    index = BundleIndex(load_bundle(data))
    return render_card(index, index.comparison(SEED), options, state)


# -- the bundle's field --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("2026-12-31T18:00:00", "has no time zone"),
        ("2026-12-31", "has no time zone (or no time of day)"),
        ("next friday", "is not an ISO 8601 time"),
        (1767225600, "as a string"),
    ],
)
def test_a_bad_closing_time_is_named_by_its_path(bundle_data, value, said):
    data = closing(bundle_data, "x")
    data["comparisons"][0]["closes_at"] = value
    checked = check_bundle(data)
    assert checked.bundle is None
    [problem] = checked.errors
    assert problem.path == "comparisons[0].closes_at" and said in problem.message, problem


def test_a_closing_time_with_its_zone_is_taken(bundle_data):
    checked = check_bundle(closing(bundle_data, PAST))
    assert checked.errors == []
    comparison = BundleIndex(checked.bundle).comparison(SEED)
    assert comparison.closes_at == datetime.fromisoformat("2026-03-06T01:30:00+00:00")


# -- the card ------------------------------------------------------------------------------
def test_a_closed_card_shows_final_results_and_its_date_and_no_vote_control(bundle_data):
    html = card(closing(bundle_data, PAST), RenderOptions(voting=True), CardState({HEYGEN: 3, MISTRAL: 1}))
    tags = parse(html).tags
    assert not [a for _, a in tags if a.get("data-action")], "no vote or withdraw control"
    assert not [t for t, _ in tags if t == "button"]
    text = visible_text(html)
    assert "Final results" in text and "Which would you ship?" not in text
    assert "Voting closed on March 6, 2026. 4 votes in all." in text
    assert "HeyGen Interactive Avatar SDK v3 75%" in text and "25%" in text
    # The same card before the close still takes votes.
    open_card = card(closing(bundle_data, FUTURE), RenderOptions(voting=True), CardState({HEYGEN: 3}))
    assert 'data-action="vote"' in open_card and "Final results" not in open_card


@pytest.mark.parametrize(
    ("locale", "sentence"),
    [
        ("de", "Die Abstimmung endete am 6. März 2026."),
        ("fr", "Le vote a pris fin le 6 mars 2026."),
        ("es", "La votación terminó el 6 de marzo de 2026."),
        ("ja", "投票は2026年3月6日に締め切られました。"),
        ("ar", "انتهى التصويت في \u20686 مارس 2026\u2069."),
    ],
)
def test_the_close_date_is_written_the_readers_way(bundle_data, locale, sentence):
    html = card(closing(bundle_data, PAST), RenderOptions(voting=True, locale=locale))
    assert sentence in visible_text(html)


def test_after_vote_hides_the_community_figures_until_this_reader_has_voted(bundle_data):
    after_vote = RenderOptions(voting=True, results=Results.AFTER_VOTE)
    tallies = {HEYGEN: 30, MISTRAL: 10}  # enough for the readers to break the panel's tie in the headline
    hidden = card(bundle_data, after_vote, CardState(tallies))
    text = visible_text(hidden)
    assert "30 votes" not in text and "40 votes so far" not in text and "readers break it" not in text
    assert "Community — shown after you vote" in text and "Vote to see what other readers chose." in text
    assert 'data-action="vote"' in hidden and "<progress" not in hidden
    assert "Panel ship 75%" in text, "the panel's figures are not the readers'"
    voted = visible_text(card(bundle_data, after_vote, CardState(tallies, VoteState(mine=MISTRAL))))
    assert "Community 75% 30 votes" in voted and "40 votes so far." in voted and "readers break it" in voted
    withdrawn = visible_text(card(bundle_data, after_vote, CardState(tallies, voted=True)))
    assert "Community 75% 30 votes" in withdrawn
    always = visible_text(card(bundle_data, RenderOptions(voting=True), CardState(tallies)))
    assert "Community 75% 30 votes" in always
    final = visible_text(card(closing(bundle_data, PAST), after_vote, CardState(tallies)))
    assert "Final results" in final and "Community 75% 30 votes" in final, "a closed vote's results are for all"


# -- the device record ---------------------------------------------------------------------
def test_having_voted_survives_a_withdrawal_a_refusal_and_a_merge():
    device = Device()
    first = device.choose("e|c", "a", 1)
    assert not first.voted
    device.settle("e|c", first, "a")
    assert device.votes["e|c"].voted
    withdrawal = device.choose("e|c", None, 2)
    device.settle("e|c", withdrawal, None)
    assert device.votes["e|c"].voted and device.votes["e|c"].tool is None
    assert Device.from_json(json.loads(json.dumps(device.to_json()))).votes["e|c"].voted
    refused = Device()
    refused.refuse("e|c", refused.choose("e|c", "a", 1))
    assert not refused.votes["e|c"].voted, "a vote the endpoint refused is no vote"
    other_tab = Device({}, {"e|c": Choice(None, 5, False, None, False)})
    assert device.merge(other_tab) and device.votes["e|c"].at == 5 and device.votes["e|c"].voted
    assert Choice.from_json({"tool": None, "at": 1, "pending": False, "counted": "a"}).voted, "older records"


# -- the engine ----------------------------------------------------------------------------
class BundleHttp(BrowserHttp):
    """The demo bundle, as given, at BUNDLE_URL."""

    def __init__(self, bundle: Mapping[str, Any]):
        super().__init__()
        self.bundle = bundle

    async def __call__(self, method: str, url: str, body: dict[str, Any] | None = None, **options: Any) -> Reply:
        if url == BUNDLE_URL:
            return Reply(200, self.bundle)
        return await super().__call__(method, url, body, **options)


@pytest.fixture
def closing_endpoint(tmp_path: Path, bundle_data) -> Iterator[Endpoint]:
    served = Endpoint(tmp_path, [write_bundle(tmp_path / "closing.json", closing(bundle_data, FUTURE))])
    yield served
    served.stop()


def test_the_engine_closes_an_open_card_at_the_moment(closing_endpoint: Endpoint, bundle_data):
    closes = datetime.fromisoformat(FUTURE).timestamp()

    async def scenario():
        loader = Loader(BundleHttp(closing(bundle_data, FUTURE)))
        # The engine's clock says the vote closes in 0.4 s: its timer switches the card then.
        loader.engine._clock = lambda: closes - 0.4
        await loader.mount(closing_endpoint.url)
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        assert "your vote for Mistral 4B Edge is counted" in loader.html()
        assert 'data-action="vote"' in loader.html()
        await loader.until(lambda: "Final results" in loader.html(), timeout=10)
        html = loader.html()
        assert 'data-action="vote"' not in html and 'data-action="withdraw"' not in html
        assert "Voting closed on June 1, 2999. 1 vote in all." in visible_text(html)
        assert loader.of("announce")[-1]["text"] == "Voting has closed."
        # A click that still arrives (the loader kept it before the switch) sends nothing.
        sent = len(loader.http.votes_sent())
        await loader.send(type="action", card="c1", action="vote", tool=HEYGEN, at=1)
        await loader.engine.settled()
        assert len(loader.http.votes_sent()) == sent and closing_endpoint.tallies() == {HEYGEN: 0, MISTRAL: 1}

    run(scenario())


def test_after_vote_figures_appear_with_the_vote_and_stay_after_a_withdrawal_and_a_reload(
    closing_endpoint: Endpoint, bundle_data
):
    async def scenario():
        # Another reader's vote, so the figures have something to show.
        other = Loader(BundleHttp(bundle_data))
        await other.mount(closing_endpoint.url, card="o")
        await other.send(type="action", card="o", action="vote", tool=HEYGEN)

        loader = Loader(BundleHttp(bundle_data))
        await loader.send(
            type="mount", card="c1", bundle=BUNDLE_URL, comparison=SEED, endpoint=closing_endpoint.url,
            options={"results": "after-vote"}, device={},
        )  # fmt: skip
        assert "shown after you vote" in loader.html() and "100%" not in loader.html()
        await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
        shown = visible_text(loader.html())
        assert "Community 50% 1 vote" in shown and "is counted" in shown
        await loader.send(type="action", card="c1", action="withdraw")
        assert "Your vote is withdrawn." in visible_text(loader.html())
        assert "Community 100% 1 vote" in visible_text(loader.html()), "withdrawing does not hide them again"

        again = Loader(BundleHttp(bundle_data))
        await again.send(
            type="mount", card="c2", bundle=BUNDLE_URL, comparison=SEED, endpoint=closing_endpoint.url,
            options={"results": "after-vote"}, device=loader.stored(),
        )  # fmt: skip
        assert "Community 100% 1 vote" in visible_text(again.html("c2")), "a reload keeps them shown"
        await asyncio.sleep(0)

    run(scenario())


def test_the_demo_bundle_has_no_closing(bundle_data):
    assert all("closes_at" not in c for c in json.loads(DEMO_BUNDLE.read_text())["comparisons"])


def test_verdict_validate_names_a_bad_closing_time_and_takes_a_good_one(bundle_data, tmp_path):
    def validate(data: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        path = write_bundle(tmp_path / "bundle.json", data)
        return subprocess.run([sys.executable, "-m", "verdict", "validate", str(path)], capture_output=True, text=True)

    bad = validate(closing(bundle_data, "2026-12-31 18:00"))
    assert bad.returncode == 1
    assert "comparisons[0].closes_at: '2026-12-31 18:00' has no time zone" in bad.stderr, bad.stderr
    good = validate(closing(bundle_data, "2026-12-31T18:00:00+01:00"))
    assert good.returncode == 0, good.stderr


def test_a_card_whose_clock_runs_late_closes_when_the_endpoint_says_so(tmp_path: Path, bundle_data):
    served = Endpoint(tmp_path, [write_bundle(tmp_path / "closed.json", closing(bundle_data, PAST))])
    try:

        async def scenario():
            loader = Loader(BundleHttp(closing(bundle_data, PAST)))
            loader.engine._clock = lambda: datetime.fromisoformat(PAST).timestamp() - 60  # a minute behind
            await loader.mount(served.url)
            assert 'data-action="vote"' in loader.html()
            await loader.send(type="action", card="c1", action="vote", tool=MISTRAL)
            await loader.engine.settled()
            assert loader.http.answered == [403]
            html = loader.html()
            assert "Final results" in html and 'data-action="vote"' not in html
            assert "closed at 2026-03-06T01:30:00Z" in loader.of("announce")[-1]["text"]
            assert loader.stored()["votes"][f"{served.url}|{SEED}"]["tool"] is None, "nothing is kept to send"

        run(scenario())
    finally:
        served.stop()
