"""The vote outbox in real Chromium, with the vote endpoint as its own process, stopped and started.

The blog and the widget host run as in the demo (builder serve) but point at an
endpoint process of their own, so a test can take the votes down at click time
and bring them back: the vote waits on the device and is counted once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Request, expect

from builder.devtools.serve import demo_in_background

from ..conftest import DEMO_BUNDLE, HEYGEN, MISTRAL, SEED
from ..helpers.outage import RestartableEndpoint
from .conftest import ENGINE_TIMEOUT, PAGES, ROOT, free_port_run, touch_for_engine, wait_for_mark
from .test_card import choice, figure

HEYGEN_COUNTED = "your vote for HeyGen Interactive Avatar SDK v3 is counted"
DELIVERY_TIMEOUT = 60_000  # retries back off: after a few seconds down, the next try may be ~10 s away


@dataclass
class Outage:
    blog: str
    endpoint: RestartableEndpoint

    def tallies(self) -> dict[str, int]:
        return self.endpoint.tallies(SEED)


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    base = free_port_run(2)
    blog = f"http://127.0.0.1:{base}"
    endpoint = RestartableEndpoint([DEMO_BUNDLE], tmp_path_factory.mktemp("outbox") / "votes.db", [blog])
    log = tmp_path_factory.mktemp("servers") / "servers.log"
    try:
        with demo_in_background(base, log, pages=PAGES, endpoint=endpoint.url):
            yield Outage(blog, endpoint)
    finally:
        endpoint.stop()


@pytest.fixture(autouse=True)
def endpoint_up(outage: Outage) -> Iterator[None]:
    outage.endpoint.start()
    yield
    outage.endpoint.start()


def status(page: Page):
    return page.locator(".vd-vote-status")


def stored(page: Page) -> dict[str, Any]:
    return dict(json.loads(page.evaluate("localStorage.getItem('verdict')") or "{}"))


def vote_posts(context: BrowserContext) -> list[Request]:
    posts: list[Request] = []
    context.on("request", lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/v1/votes") else None)
    return posts


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {tool: after.get(tool, 0) - before.get(tool, 0) for tool in (HEYGEN, MISTRAL)}


def test_a_vote_cast_while_the_endpoint_is_down_is_saved_and_counted_once_when_it_is_back(
    context: BrowserContext, page: Page, outage: Outage
):
    posts = vote_posts(context)
    before = outage.tallies()
    page.goto(outage.blog + "/")
    touch_for_engine(page)
    outage.endpoint.stop()

    choice(page, MISTRAL).click()
    expect(status(page)).to_contain_text(
        "Pending: your vote for Mistral 4B Edge is saved on this device and will be sent", timeout=ENGINE_TIMEOUT
    )
    expect(choice(page, MISTRAL)).to_have_attribute("aria-pressed", "true")
    expect(choice(page, MISTRAL).locator(".vd-choice-pending")).to_have_text("pending")
    expect(page.locator(".vd-live")).to_contain_text("saved on this device")
    if sum(before.values()) == 0:
        expect(figure(page, MISTRAL, "community")).to_have_text("100%")  # the pending vote is in the figures
    record = stored(page)["votes"][f"{outage.endpoint.url}|{SEED}"]
    assert record["pending"] and record["tool"] == MISTRAL
    page.screenshot(path=str(ROOT / "var" / "outbox-pending.png"))

    outage.endpoint.start()
    expect(status(page)).to_contain_text("your vote for Mistral 4B Edge is counted", timeout=DELIVERY_TIMEOUT)
    expect(page.locator(".vd-live")).to_contain_text("is counted")
    expect(page.locator(".vd-choice-pending")).to_have_count(0)
    assert changed(before, outage.tallies()) == {HEYGEN: 0, MISTRAL: 1}
    assert not stored(page)["votes"][f"{outage.endpoint.url}|{SEED}"]["pending"]
    assert "verdict-retry" not in posts[0].headers, "the first try is not a retry"
    retries = [p.headers.get("verdict-retry") for p in posts[1:]]
    assert retries == [str(n) for n in range(1, len(posts))], "the endpoint can count retried deliveries"


def test_a_vote_saved_on_the_device_is_sent_by_the_next_page_view(context: BrowserContext, page: Page, outage: Outage):
    before = outage.tallies()
    page.goto(outage.blog + "/")
    touch_for_engine(page)
    outage.endpoint.stop()
    choice(page, HEYGEN).click()
    expect(status(page)).to_contain_text("saved on this device", timeout=ENGINE_TIMEOUT)

    page.reload()  # the endpoint is still down
    wait_for_mark(page, "verdict:engine-card")
    expect(status(page)).to_contain_text("Pending: your vote for HeyGen Interactive Avatar SDK v3 is saved")
    expect(choice(page, HEYGEN).locator(".vd-choice-pending")).to_have_text("pending")

    outage.endpoint.start()
    expect(status(page)).to_contain_text(HEYGEN_COUNTED, timeout=DELIVERY_TIMEOUT)
    assert changed(before, outage.tallies()) == {HEYGEN: 1, MISTRAL: 0}
    page.reload()
    wait_for_mark(page, "verdict:engine-card")
    expect(choice(page, HEYGEN)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".vd-choice-pending")).to_have_count(0)
    assert changed(before, outage.tallies()) == {HEYGEN: 1, MISTRAL: 0}, "counted once, not once per view"


def test_a_later_choice_supersedes_a_queued_one(page: Page, outage: Outage):
    before = outage.tallies()
    page.goto(outage.blog + "/")
    touch_for_engine(page)
    outage.endpoint.stop()
    choice(page, MISTRAL).click()
    expect(status(page)).to_contain_text("your vote for Mistral 4B Edge is saved", timeout=ENGINE_TIMEOUT)
    choice(page, HEYGEN).click()
    expect(status(page)).to_contain_text("your vote for HeyGen Interactive Avatar SDK v3 is saved")
    expect(choice(page, MISTRAL)).to_have_attribute("aria-pressed", "false")
    outage.endpoint.start()
    expect(status(page)).to_contain_text(HEYGEN_COUNTED, timeout=DELIVERY_TIMEOUT)
    assert changed(before, outage.tallies()) == {HEYGEN: 1, MISTRAL: 0}


def test_a_withdrawal_cancels_a_queued_vote(page: Page, outage: Outage):
    before = outage.tallies()
    page.goto(outage.blog + "/")
    touch_for_engine(page)
    outage.endpoint.stop()
    choice(page, MISTRAL).click()
    expect(status(page)).to_contain_text("your vote for Mistral 4B Edge is saved", timeout=ENGINE_TIMEOUT)
    page.locator(".vd-withdraw").click()
    expect(status(page)).to_contain_text("Pending: your vote is withdrawn on this device")
    expect(page.locator(".vd-withdraw")).to_be_hidden()
    outage.endpoint.start()
    expect(status(page)).to_have_text("Your vote is withdrawn.", timeout=DELIVERY_TIMEOUT)
    assert changed(before, outage.tallies()) == {HEYGEN: 0, MISTRAL: 0}


def test_a_refusal_retrying_cannot_fix_is_said_rolled_back_and_not_retried(
    context: BrowserContext, page: Page, outage: Outage
):
    posts = vote_posts(context)
    page.goto(outage.blog + "/refused-vote.html")  # a comparison the endpoint was never told about
    wait_for_mark(page, "verdict:engine-card")
    choice(page, "ada").click()
    expect(status(page)).to_contain_text("Your vote was not saved: the vote server refused it (", timeout=60_000)
    expect(status(page)).to_contain_text("sending it again would not help")
    expect(choice(page, "ada")).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".vd-choice-pending")).to_have_count(0)
    page.wait_for_timeout(4000)  # past the first three retry delays
    assert len(posts) == 1, [p.headers for p in posts]
    assert not any(record["pending"] for record in stored(page)["votes"].values())


def test_a_blog_origin_the_endpoint_does_not_allow_is_named_and_nothing_is_queued(
    context: BrowserContext, page: Page, outage: Outage
):
    posts = vote_posts(context)
    before = outage.tallies()
    blog = outage.blog.replace("127.0.0.1", "localhost")  # the endpoint allows 127.0.0.1 only
    page.goto(blog + "/")
    touch_for_engine(page)
    expect(status(page)).to_have_text(
        "Voting is unavailable: the vote server does not accept votes from this site.", timeout=ENGINE_TIMEOUT
    )
    choice(page, HEYGEN).click()
    expect(status(page)).to_contain_text(
        "the vote server does not accept votes from this site, so it is not kept for later"
    )
    expect(status(page)).not_to_contain_text("could not be reached")
    expect(choice(page, HEYGEN)).to_have_attribute("aria-pressed", "false")
    errors = [e for e in page.console.of("error") if "Verdict:" in e]  # type: ignore[attr-defined]
    assert len(errors) == 1, errors
    assert blog in errors[0] and f"--allow-origin {blog}" in errors[0] and "VERDICT_ALLOW_ORIGINS" in errors[0]
    page.wait_for_timeout(3000)
    assert len(posts) == 1
    assert not any(record["pending"] for record in stored(page)["votes"].values())
    assert changed(before, outage.tallies()) == {HEYGEN: 0, MISTRAL: 0}


def test_another_tab_shows_the_vote_and_its_pending_state_without_a_reload(context: BrowserContext, outage: Outage):
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        tab.goto(outage.blog + "/")
        touch_for_engine(tab)
    outage.endpoint.stop()
    choice(first, MISTRAL).click()
    expect(status(first)).to_contain_text("saved on this device", timeout=ENGINE_TIMEOUT)
    # The other tab hears of it through the storage event: the same choice, pending.
    expect(choice(second, MISTRAL)).to_have_attribute("aria-pressed", "true")
    expect(choice(second, MISTRAL).locator(".vd-choice-pending")).to_have_text("pending")
    outage.endpoint.start()
    expect(status(first)).to_contain_text("your vote for Mistral 4B Edge is counted", timeout=DELIVERY_TIMEOUT)
    expect(second.locator(".vd-choice-pending")).to_have_count(0)
    expect(choice(second, MISTRAL)).to_have_attribute("aria-pressed", "true")
    assert stored(first) == stored(second)
