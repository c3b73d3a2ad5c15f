"""Results after the vote (data-results="after-vote") and a closed comparison, in real Chromium with a real
endpoint: what a reader sees before voting, with their vote, after withdrawing it and after a reload; and a
comparison whose vote has closed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from ..conftest import DEMO_BUNDLE, HEYGEN, MISTRAL, SEED
from ..helpers.bundles import write_bundle
from ..helpers.endpoint import new_voter_token, start_endpoint
from .conftest import ENGINE_TIMEOUT, Demo, wait_for_mark
from .hostpage import HostPages

CLOSED = "closed-head-to-head"


@pytest.fixture(scope="module")
def pages() -> Iterator[HostPages]:
    with HostPages().running() as running:
        yield running


@pytest.fixture(scope="module")
def closed_bundle() -> dict:
    data = json.loads(DEMO_BUNDLE.read_text())
    data["comparisons"][0]["id"] = CLOSED
    data["comparisons"][0]["closes_at"] = "2025-02-14T09:00:00Z"
    return data


@pytest.fixture(scope="module")
def votes(pages: HostPages, demo: Demo, closed_bundle: dict, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("votes")
    bundles = [DEMO_BUNDLE, write_bundle(folder / "closed.json", closed_bundle)]
    with start_endpoint(bundles, folder / "votes.db", [pages.origin, demo.widget]) as url:
        yield url


def card_page(pages: HostPages, widget: str, bundle: str, comparison: str, votes: str, extra: str = "") -> str:
    return pages.add(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title></head>
<body><h1>A post</h1>
<div data-verdict data-bundle="{bundle}" data-comparison="{comparison}" data-endpoint="{votes}"
     data-lazy="false" {extra}></div>
<script src="{widget}/embed.js" async></script></body></html>""")


def community(page: Page, tool: str):
    return page.locator(f'.vd-tool[data-tool="{tool}"] .vd-figure-community')


def test_after_vote_hides_the_figures_until_the_reader_votes_and_keeps_them_after(
    page: Page, demo: Demo, pages: HostPages, votes: str
):
    # Another reader has voted: there is something to hide.
    other = httpx.post(f"{votes}/v1/votes", json={"comparison": SEED, "tool": HEYGEN, "voter": new_voter_token()})
    assert other.status_code == 200
    url = card_page(pages, demo.widget, f"{demo.widget}/bundles/comparisons.json", SEED, votes,
                    'data-results="after-vote"')  # fmt: skip
    page.goto(url)
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    # The prerendered card already holds them back.
    expect(community(page, HEYGEN).locator(".vd-figure-detail")).to_have_text("shown after you vote")
    wait_for_mark(page, "verdict:engine-card")
    page.wait_for_timeout(300)  # the live tallies have arrived by now: still held back
    expect(community(page, HEYGEN).locator(".vd-figure-value")).to_have_text("—")
    expect(page.locator(".vd-choice-share")).to_have_count(0)
    expect(page.locator(".vd-vote-status")).to_have_text("Vote to see what other readers chose.")

    page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]').click()
    expect(community(page, MISTRAL).locator(".vd-figure-value")).to_have_text("50%")
    expect(community(page, HEYGEN).locator(".vd-figure-value")).to_have_text("50%")
    expect(page.locator(".vd-vote-status")).to_contain_text("is counted")

    page.locator(".vd-withdraw").click()
    expect(page.locator(".vd-vote-status")).to_have_text("Your vote is withdrawn.")
    expect(community(page, HEYGEN).locator(".vd-figure-value")).to_have_text("100%")

    page.reload()
    wait_for_mark(page, "verdict:engine-card")
    expect(community(page, HEYGEN).locator(".vd-figure-value")).to_have_text("100%", timeout=ENGINE_TIMEOUT)
    expect(community(page, HEYGEN).locator(".vd-figure-detail")).to_have_text("1 vote")


def test_a_closed_comparison_shows_final_results_with_its_date_and_no_vote_control(
    page: Page, demo: Demo, pages: HostPages, votes: str, closed_bundle: dict
):
    bundle = pages.add(
        json.dumps(closed_bundle),
        {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        suffix=".json",
    )
    page.goto(card_page(pages, demo.widget, bundle, CLOSED, votes, 'data-locale="de"'))
    final = page.locator(".vd-final")
    expect(final.locator("h3")).to_have_text("Endergebnis", timeout=ENGINE_TIMEOUT)
    expect(final.locator(".vd-vote-status")).to_have_text(
        "Die Abstimmung endete am 14. Februar 2025. Es wurden keine Stimmen abgegeben."
    )
    expect(page.locator(".vd-card button")).to_have_count(0)
    expect(page.locator(".vd-card[data-closed]")).to_have_count(1)


def test_the_element_and_the_frame_take_results_after_vote(page: Page, demo: Demo, pages: HostPages, votes: str):
    bundle = f"{demo.widget}/bundles/comparisons.json"
    page.goto(
        pages.add(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title>
<script src="{demo.widget}/embed.js" async></script></head><body>
<verdict-card bundle="{bundle}" comparison="{SEED}" endpoint="{votes}" lazy="false" results="after-vote"></verdict-card>
</body></html>""")
    )
    wait_for_mark(page, "verdict:engine-card")
    expect(community(page, HEYGEN).locator(".vd-figure-detail")).to_have_text("shown after you vote")

    page.goto(f"{demo.widget}/frame.html?bundle=comparisons&comparison={SEED}&endpoint={votes}&results=after-vote")
    wait_for_mark(page, "verdict:engine-card")
    expect(community(page, HEYGEN).locator(".vd-figure-detail")).to_have_text("shown after you vote")
    expect(page.locator(".vd-choice-share")).to_have_count(0)
