"""Readers on real networks: an untouched card's live figures come as the endpoint's HTML, not the runtime; on a
slow connection the card waits for a touch and says its figures are as published; an endpoint's card that is not
what the engine renders is refused, and the card's own engine renders it instead."""

from __future__ import annotations

import json
import secrets
import urllib.request

import pytest
from playwright.sync_api import CDPSession, Page, Route, expect

from ..conftest import HEYGEN, MISTRAL, SEED
from .conftest import ENGINE_TIMEOUT, Demo, Held, wait_for_mark
from .test_startup import runtime_requests

# As published: the German of "Figures as published; live vote counts load when you use the card."
AS_PUBLISHED_DE = (
    "Zahlen zum Zeitpunkt der Veröffentlichung; die aktuellen Stimmen werden geladen, sobald Sie die Karte verwenden."
)


def vote_over_http(demo: Demo, tool: str) -> None:
    body = json.dumps({"comparison": SEED, "tool": tool, "voter": secrets.token_urlsafe(16)}).encode()
    request = urllib.request.Request(
        f"{demo.votes}/v1/votes", body, {"Content-Type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request).close()


def community(page: Page, tool: str) -> str:
    return page.locator(f'.vd-tool[data-tool="{tool}"] .vd-figure-community .vd-figure-value').inner_text()


def emulate(page: Page, latency: float, kbps: float) -> CDPSession:
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    rate = kbps * 1000 / 8
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency, "downloadThroughput": rate, "uploadThroughput": rate},
    )
    return session


def test_an_untouched_card_shows_the_live_tallies_without_the_runtime_and_a_vote_starts_it(
    page: Page, demo: Demo
) -> None:
    vote_over_http(demo, MISTRAL)
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.goto(demo.blog + "/early-click.html")  # the default data-lazy: live figures near the viewport
    wait_for_mark(page, "verdict:live-card", timeout=20_000)
    assert community(page, MISTRAL) == "100%"
    expect(page.locator(".vd-vote-status")).to_have_text("1 vote so far.")
    page.wait_for_timeout(1000)
    assert runtime_requests(requests) == []
    assert page.workers == []
    assert any("/v1/cards/" + SEED in url for url in requests)

    page.locator(f'button.vd-choice[data-tool="{HEYGEN}"]').click()  # a vote: now the engine starts
    expect(page.locator(".vd-vote-status")).to_contain_text("is counted", timeout=ENGINE_TIMEOUT)
    assert community(page, HEYGEN) == "50%"
    assert page.console.problems() == []  # type: ignore[attr-defined]


def test_on_a_3g_connection_the_card_waits_for_a_touch_and_says_its_figures_are_as_published(
    page: Page, demo: Demo
) -> None:
    # Chromium reports effectiveType "3g" for this shape (and "4g" for Lighthouse's mobile one).
    network = emulate(page, 400, 400)
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.goto(demo.blog + "/slow-de.html")
    assert page.evaluate("navigator.connection.effectiveType") == "3g"
    wait_for_mark(page, "verdict:card-visible", timeout=30_000)
    status = page.locator(".vd-vote-status")
    expect(status).to_have_text(AS_PUBLISHED_DE)
    expect(status).to_have_attribute("lang", "de")
    page.wait_for_timeout(1500)
    assert [url for url in requests if url.startswith(demo.votes)] == []
    assert runtime_requests(requests) == []

    # The reader touches the card (keyboard focus): the live figures come from the endpoint at once, while the
    # runtime (held back here) downloads.
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    Held(page.context, "**/*.wasm")
    page.locator(f'button.vd-choice[data-tool="{HEYGEN}"]').focus()
    wait_for_mark(page, "verdict:live-card", timeout=20_000)
    expect(status).not_to_have_text(AS_PUBLISHED_DE)
    assert page.evaluate("performance.getEntriesByName('verdict:engine-start').length") == 1


HOSTILE = {
    "an event handler": '<article class="vd-card" data-comparison="{seed}"><p onclick="window.__ran = 1">x</p>'
    '<img src="/nothing.png" onerror="window.__ran = 1"></article>',
    "a script link": '<article class="vd-card" data-comparison="{seed}"><a href="javascript:window.__ran=1">x</a>'
    "</article>",
    "a link of its own": '<article class="vd-card" data-comparison="{seed}"><a href="https://elsewhere.example/">'
    "Claim your prize</a></article>",
    "a style": '<article class="vd-card" data-comparison="{seed}" style="position:fixed;inset:0"></article>',
    "inline SVG": '<article class="vd-card" data-comparison="{seed}"><svg><a href="#"><text>x</text></a></svg>'
    "</article>",
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_an_endpoint_card_the_engine_would_not_render_is_refused_and_the_widget_renders_it(
    page: Page, demo: Demo, kind: str
) -> None:
    html = HOSTILE[kind].format(seed=SEED)

    def hostile(route: Route) -> None:
        headers = {"Content-Type": "text/html", "Access-Control-Allow-Origin": demo.blog}
        route.fulfill(status=200, headers=headers, body=html)

    page.context.route("**/v1/cards/**", hostile)
    Held(page.context, "**/*.wasm")  # the fallback is the engine starting; it need not finish here
    page.goto(demo.blog + "/early-click.html")
    wait_for_mark(page, "verdict:engine-start", timeout=20_000)
    assert page.evaluate("performance.getEntriesByName('verdict:live-card').length") == 0
    assert page.evaluate("window.__ran") is None
    expect(page.locator(".vd-card")).to_contain_text("Reviewer scorecard")  # the published card stays
    expect(page.locator("a[href^='https://elsewhere'], a[href^='javascript']")).to_have_count(0)
    warnings = page.console.of("warning")  # type: ignore[attr-defined]
    assert len(warnings) == 1 and "was not shown" in warnings[0] and "the widget renders it instead" in warnings[0]
