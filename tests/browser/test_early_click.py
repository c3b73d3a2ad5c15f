"""No click on a rendered vote control is lost, whatever has loaded, on a phone's network.

Chromium's network is throttled through the DevTools protocol to Lighthouse's
mobile figures (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up), and the
script a phase is about is held back by the test (embed.js, the loader module,
the runtime's WebAssembly), so each window is as wide as the test needs and
deterministic. The throttling is lifted once the clicks are made: the runtime
would take about 20 s to download at that speed, and what follows the clicks
(one vote counted) does not depend on it. Clicks are real mouse clicks at the
button's place, as a reader's would be, not element.click().
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from ..conftest import HEYGEN, MISTRAL, SEED
from .conftest import ENGINE_TIMEOUT, Demo, Held, wait_for_mark

PHONE = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
UNTHROTTLED = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
KEPT = "verdict:early"

# The seed card's vote controls as a reader sees them, read in one task.
CONTROLS = """() => {
  const root = document.querySelector('[data-verdict]').shadowRoot;
  const choices = [...root.querySelectorAll('button.vd-choice')];
  return {
    pressed: Object.fromEntries(choices.map((b) => [b.dataset.tool, b.getAttribute('aria-pressed')])),
    disabled: choices.map((b) => b.disabled),
    opacity: choices.map((b) => Number(getComputedStyle(b).opacity)),
    status: root.querySelector('.vd-vote-status').textContent,
    busy: root.querySelector('.vd-vote').getAttribute('aria-busy'),
    loader: performance.getEntriesByName('verdict:card-visible').length > 0,
    engineReady: performance.getEntriesByName('verdict:engine-ready').length > 0,
    kept: JSON.parse(localStorage.getItem('verdict:early') || '[]'),
  };
}"""


@pytest.fixture
def phone(page: Page) -> Iterator[Any]:
    """The page on a phone's network (DevTools protocol); `phone.lift()` gives it loopback's speed again."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", PHONE)
    session.lift = lambda: session.send("Network.emulateNetworkConditions", UNTHROTTLED)  # type: ignore[attr-defined]
    yield session


def tallies(demo: Demo) -> dict[str, int]:
    with urllib.request.urlopen(f"{demo.votes}/v1/tallies/{SEED}") as response:
        return dict(json.loads(response.read())["tallies"])


def real_click(page: Page, tool: str) -> None:
    """A reader's click (mouse down and up at the button's place), whatever state the button is in."""
    button = page.locator(f'button.vd-choice[data-tool="{tool}"]')
    button.evaluate("(b) => b.scrollIntoView({block: 'center'})")
    box = button.bounding_box()
    assert box is not None
    hit = (
        "([x, y]) => { let el = document.elementFromPoint(x, y); while (el && el.shadowRoot) { "
        "const inner = el.shadowRoot.elementFromPoint(x, y); if (!inner || inner === el) break; el = inner; } "
        "return el && el.closest('button') && el.closest('button').dataset.tool; }"
    )
    center = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    assert page.evaluate(hit, center) == tool, "the click lands on the button"
    page.mouse.click(*center)


def not_ready_and_nothing_taken(state: dict[str, Any]) -> None:
    assert state["disabled"] == [True, True], "the control says it is not ready: it cannot be pressed"
    assert max(state["opacity"]) < 1, "and looks it"
    assert state["pressed"] == {HEYGEN: "false", MISTRAL: "false"}
    assert state["busy"] is None and state["kept"] == []


def counted_once(page: Page, demo: Demo, before: dict[str, int], tool: str) -> None:
    expect(page.locator(".vd-vote-status")).to_contain_text("is counted", timeout=ENGINE_TIMEOUT)
    after = tallies(demo)
    assert {t: after.get(t, 0) - before.get(t, 0) for t in (HEYGEN, MISTRAL)} == {
        HEYGEN: int(tool == HEYGEN),
        MISTRAL: int(tool == MISTRAL),
    }
    page.wait_for_function("!(JSON.parse(localStorage.getItem('verdict:early') || '[]').length)")


def test_clicks_at_first_paint_and_before_the_loader_meet_a_control_that_says_it_is_not_ready(
    page: Page, phone: Any, demo: Demo
):
    """The inline card paints with the page; until the loader takes clicks its controls are disabled and
    look it, so a click there is visibly refused rather than silently lost; they become ready in place
    (the same elements: no re-render), and the next click is taken at once and counted once."""
    first_script = Held(page, "**/embed.js")
    loader = Held(page, "**/assets/loader.*.js")
    # The endpoint's live card (which replaces the card's HTML with the live tallies) comes after this test's
    # checks, so they see the controls the inline card painted.
    live_card = Held(page, "**/v1/cards/**")
    before = tallies(demo)
    page.goto(demo.blog + "/", wait_until="commit")
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")

    # At first paint: no script of ours has run.
    real_click(page, MISTRAL)
    state = page.evaluate(CONTROLS)
    not_ready_and_nothing_taken(state)
    assert page.locator(".vd-vote-nojs").count() == 0, "the no-JavaScript line is for readers without it only"
    page.evaluate("document.querySelector('[data-verdict]').shadowRoot.querySelector('.vd-choice').mark = 1")

    # Between embed.js and the loader module.
    first_script.release()
    page.wait_for_function("window.Verdict !== undefined")
    real_click(page, MISTRAL)
    state = page.evaluate(CONTROLS)
    not_ready_and_nothing_taken(state)
    assert not state["loader"]

    loader.release()
    expect(page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]')).to_be_enabled(timeout=20_000)
    state = page.evaluate(CONTROLS)
    assert state["disabled"] == [False, False] and state["pressed"] == {HEYGEN: "false", MISTRAL: "false"}
    assert page.evaluate("document.querySelector('[data-verdict]').shadowRoot.querySelector('.vd-choice').mark"), (
        "ready in place: the card the reader sees is not rendered again"
    )
    assert state["engineReady"] is False

    real_click(page, MISTRAL)  # now taken, read right after the click's own task
    state = page.evaluate(CONTROLS)
    assert state["pressed"] == {HEYGEN: "false", MISTRAL: "true"} and state["busy"] == "true"
    assert state["status"] == "Saving your vote for Mistral 4B Edge…"
    assert [(k["tool"], k["comparison"]) for k in state["kept"]] == [(MISTRAL, SEED)], "on the device at once"
    assert state["engineReady"] is False

    phone.lift()
    live_card.release()
    counted_once(page, demo, before, MISTRAL)


def test_a_click_while_the_runtime_downloads_is_taken_at_once_and_counted_once(page: Page, phone: Any, demo: Demo):
    runtime = Held(page, "**/*.wasm")
    before = tallies(demo)
    page.goto(demo.blog + "/")
    wait_for_mark(page, "verdict:card-visible", timeout=30_000)
    page.locator("[data-verdict]").first.dispatch_event("pointerdown")  # a touch: the runtime starts downloading
    wait_for_mark(page, "verdict:engine-start", timeout=30_000)
    wait_for_mark(page, "verdict:live-card", timeout=30_000)  # the endpoint's live card is in place meanwhile
    expect(page.locator(f'button.vd-choice[data-tool="{HEYGEN}"]')).to_be_enabled()

    real_click(page, HEYGEN)
    state = page.evaluate(CONTROLS)
    assert state["engineReady"] is False
    assert state["pressed"] == {HEYGEN: "true", MISTRAL: "false"} and state["busy"] == "true"
    assert state["status"] == "Saving your vote for HeyGen Interactive Avatar SDK v3…"
    assert [(k["tool"], k["comparison"]) for k in state["kept"]] == [(HEYGEN, SEED)]

    phone.lift()
    runtime.release()
    wait_for_mark(page, "verdict:engine-ready")
    counted_once(page, demo, before, HEYGEN)


def test_the_early_vote_is_delivered_after_leaving_the_page_by_the_next_view_of_another_page(page: Page, demo: Demo):
    """A reader clicks before the engine is up and leaves at once (the runtime never arrived): the vote is on
    the device, and the next page of the site with a card using that endpoint delivers it, exactly once."""
    runtime = Held(page, "**/*.wasm")
    before = tallies(demo)
    page.goto(demo.blog + "/")
    wait_for_mark(page, "verdict:card-visible", timeout=30_000)
    page.locator("[data-verdict]").first.dispatch_event("pointerdown")  # a touch: the runtime starts downloading
    wait_for_mark(page, "verdict:engine-start", timeout=30_000)
    wait_for_mark(page, "verdict:live-card", timeout=30_000)  # the endpoint's live card is in place meanwhile
    real_click(page, MISTRAL)
    expect(page.locator(".vd-vote-status")).to_have_text("Saving your vote for Mistral 4B Edge…")
    page.goto("about:blank")
    assert tallies(demo) == before, "nothing could be sent: the engine never came up"

    runtime.release()
    page.goto(demo.blog + "/early-click.html")  # another page of the site, a script-form card, same endpoint
    wait_for_mark(page, "verdict:engine-card")
    counted_once(page, demo, before, MISTRAL)
    expect(page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]')).to_have_attribute("aria-pressed", "true")
    record = json.loads(page.evaluate("localStorage.getItem('verdict')"))["votes"][f"{demo.votes}|{SEED}"]
    assert record["tool"] == MISTRAL and not record["pending"]

    page.reload()
    wait_for_mark(page, "verdict:engine-card")
    page.wait_for_timeout(1000)
    assert tallies(demo) == {**before, MISTRAL: before.get(MISTRAL, 0) + 1}, "exactly once"
