"""The card in real Chromium: blog, widget host and vote endpoint on three origins."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from ..conftest import HEYGEN, MISTRAL
from .conftest import ENGINE_TIMEOUT, Demo, touch_for_engine, wait_for_mark

SEED_FACTS = [
    "AI tool comparison",
    "HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge",
    "Embed conversational AI avatars that answer in under 500 ms",
    "An open-source 4B model that runs entirely on the device",
    "Reviewer scorecard",
    "Get the next comparison in your inbox",
]


def figure(page: Page, tool: str, name: str):
    return page.locator(f'.vd-tool[data-tool="{tool}"] .vd-figure-{name} .vd-figure-value')


def choice(page: Page, tool: str):
    return page.locator(f'button.vd-choice[data-tool="{tool}"]')


def test_seed_card_shows_at_once_then_the_engine_takes_over(page: Page, demo: Demo):
    page.goto(demo.blog + "/")
    assert demo.blog != demo.widget != demo.votes
    visible_at = wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    card = page.locator(".vd-card")
    for fact in SEED_FACTS:
        expect(card).to_contain_text(fact)
    for tool in (HEYGEN, MISTRAL):
        expect(figure(page, tool, "panel")).to_have_text("75%")
        expect(figure(page, tool, "community")).to_have_text("—")
    expect(figure(page, HEYGEN, "entry")).to_have_text("Paid")
    expect(figure(page, MISTRAL, "entry")).to_have_text("Free")
    expect(page.locator(".vd-verdict")).to_have_count(8)
    expect(page.locator(".vd-call-skip")).to_have_count(2)
    box_before = card.bounding_box()

    # Untouched, the card takes its live figures from the endpoint's HTML; on the reader's touch, the engine.
    live_at = wait_for_mark(page, "verdict:live-card")
    assert visible_at < live_at
    box_live = page.locator(".vd-card").bounding_box()
    assert abs(box_live["height"] - box_before["height"]) < 1, "the live card moved the layout"
    touch_for_engine(page)
    box_after = page.locator(".vd-card").bounding_box()
    assert abs(box_after["height"] - box_before["height"]) < 1, "the takeover moved the layout"
    # The host page's own aggressive button and heading styles do not reach in.
    assert choice(page, HEYGEN).evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 105, 180)"
    assert page.context.cookies() == []
    # A publisher opening the demo post finds a clean console: no error or warning from the card or the blog.
    console = page.console  # type: ignore[attr-defined]
    assert console.problems() == []


def test_reader_votes_changes_vote_and_is_remembered(context: BrowserContext, page: Page, demo: Demo):
    page.goto(demo.blog + "/")
    touch_for_engine(page)
    expect(page.locator(".vd-vote-status")).to_have_text("No votes yet: be the first.")

    choice(page, MISTRAL).click()
    expect(figure(page, MISTRAL, "community")).to_have_text("100%")
    expect(choice(page, MISTRAL)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".vd-vote-status")).to_contain_text("your vote for Mistral 4B Edge is counted")
    expect(page.locator(".vd-live")).to_contain_text("is counted")

    page.reload()
    wait_for_mark(page, "verdict:engine-card")
    expect(choice(page, MISTRAL)).to_have_attribute("aria-pressed", "true")
    expect(figure(page, MISTRAL, "community")).to_have_text("100%")

    # Another reader (fresh device) sees the tally and adds a vote of their own.
    other = context.browser.new_context()
    try:
        reader = other.new_page()
        reader.goto(demo.blog + "/")
        wait_for_mark(reader, "verdict:live-card")  # the endpoint's live card, before any touch
        expect(figure(reader, MISTRAL, "community")).to_have_text("100%")
        touch_for_engine(reader)
        expect(figure(reader, MISTRAL, "community")).to_have_text("100%")
        expect(
            reader.locator('.vd-tool[data-tool="mistral-4b-edge"] .vd-figure-community .vd-figure-detail')
        ).to_have_text("1 vote")
        choice(reader, HEYGEN).click()
        expect(reader.locator(".vd-vote-status")).to_contain_text("is counted")
        expect(figure(reader, HEYGEN, "community")).to_have_text("50%")
    finally:
        other.close()

    # Changing my vote moves it; the total stays the same.
    choice(page, HEYGEN).click()
    expect(page.locator(".vd-vote-status")).to_contain_text("your vote for HeyGen Interactive Avatar SDK v3 is counted")
    expect(figure(page, HEYGEN, "community")).to_have_text("100%")
    expect(figure(page, MISTRAL, "community")).to_have_text("0%")
    expect(choice(page, MISTRAL)).to_have_attribute("aria-pressed", "false")

    # Withdrawing takes it back.
    page.locator(".vd-withdraw").click()
    expect(page.locator(".vd-vote-status")).to_have_text("Your vote is withdrawn.")
    expect(figure(page, HEYGEN, "community")).to_have_text("100%")  # the other reader's vote
    expect(page.locator(".vd-withdraw")).to_be_hidden()


def test_vote_event_reaches_the_host_page(page: Page, demo: Demo):
    page.goto(demo.blog + "/")
    page.evaluate("""() => { window.__events = [];
        document.addEventListener('verdict:vote', e => window.__events.push(e.detail)); }""")
    touch_for_engine(page)
    choice(page, HEYGEN).click()
    page.wait_for_function("window.__events.length > 0")
    assert page.evaluate("window.__events[0]") == {
        "comparison": "heygen-avatar-sdk-v3-vs-mistral-4b-edge",
        "tool": HEYGEN,
    }


def test_a_vote_to_an_unreachable_endpoint_is_kept_on_the_device(page: Page, demo: Demo):
    page.goto(demo.blog + "/dead-endpoint.html")
    wait_for_mark(page, "verdict:engine-card")
    expect(page.locator(".vd-vote-status")).to_have_text("Live votes are unavailable right now.")
    choice(page, MISTRAL).click()
    expect(page.locator(".vd-vote-status")).to_contain_text("is saved on this device and will be sent")
    expect(choice(page, MISTRAL)).to_have_attribute("aria-pressed", "true")
    expect(figure(page, MISTRAL, "community")).to_have_text("—")  # no tallies known: none made up
    assert page.console.of("error") == []  # type: ignore[attr-defined]  # down, not an origin refusal


def test_without_a_prerendered_card_the_engine_renders_it(page: Page, demo: Demo):
    page.goto(demo.blog + "/no-prerender.html")
    expect(page.locator(".vd-skeleton")).to_be_visible(timeout=10_000)
    expect(page.locator(".vd-skeleton-status")).to_have_text(re.compile("Loading"))
    wait_for_mark(page, "verdict:engine-card")
    expect(page.locator(".vd-skeleton")).to_have_count(0)
    card = page.locator(".vd-card")
    for fact in SEED_FACTS:
        expect(card).to_contain_text(fact)
    expect(figure(page, HEYGEN, "panel")).to_have_text("75%")


def test_broken_bundle_shows_an_error_card_and_the_page_still_works(page: Page, demo: Demo):
    page.goto(demo.blog + "/broken.html")
    # The good card (data-lazy="false": the engine starts at once) still shows its prerender first.
    expect(page.locator("#good .vd-title")).to_have_count(1, timeout=10_000)
    assert page.evaluate("performance.getEntriesByName('verdict:engine-card').length") == 0
    broken = page.locator("#broken .vd-error")
    expect(broken).to_be_visible(timeout=ENGINE_TIMEOUT)
    expect(broken).to_contain_text("tools[0].entry")
    expect(page.locator("#good .vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
    page.locator("#host-button").click()
    expect(page.locator("#host-button")).to_have_text("Clicked 1 times")
    errors = page.console.of("error")  # type: ignore[attr-defined]
    assert any("tools[0].entry" in e and "broken-bundle.json" in e for e in errors), errors
    assert page.console.of("pageerror") == []  # type: ignore[attr-defined]


def test_engine_boots_lazily_and_once_for_all_cards(page: Page, demo: Demo):
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    downloaded: list[str] = []  # requests answered by the network, not by the HTTP cache
    page.context.on(
        "requestfinished", lambda request: request.sizes()["responseBodySize"] > 0 and downloaded.append(request.url)
    )
    page.goto(demo.blog + "/lazy.html")
    expect(page.locator("#first .vd-title")).to_have_count(1, timeout=10_000)
    page.wait_for_timeout(1500)
    assert page.evaluate("performance.getEntriesByName('verdict:engine-start').length") == 0
    assert page.workers == [] and not [url for url in requests if "pyodide" in url]
    page.locator("#second").scroll_into_view_if_needed()
    wait_for_mark(page, "verdict:live-card")  # near the viewport: the live figures, still no runtime
    assert page.workers == [] and not [url for url in requests if "pyodide" in url]
    touch_for_engine(page, "#second")
    page.wait_for_function("document.querySelectorAll('[data-verdict]').length == 2")
    expect(page.locator("#second .vd-choice")).to_have_count(2)
    assert len(page.workers) == 1
    assert len([url for url in downloaded if url.endswith(".wasm")]) == 1
    fetched = page.workers[0].evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert len([url for url in fetched if url.endswith("/bundles/comparisons.json")]) == 1
    assert page.locator("#second .vd-root").get_attribute("data-theme") == "dark"


def test_bad_attributes_warn_and_fall_back(page: Page, demo: Demo):
    page.goto(demo.blog + "/attributes.html")
    expect(page.locator(".vd-title")).to_have_count(1, timeout=10_000)
    warnings = " ".join(page.console.of("warning"))  # type: ignore[attr-defined]
    for attribute in ("data-theme", "data-lazy", "data-comparison"):
        assert attribute in warnings
    assert page.locator(".vd-root").get_attribute("data-theme") == "light"
    added = page.evaluate("Object.keys(window).filter(k => !window.__keysBefore.includes(k) && k !== '__keysBefore')")
    assert added == ["Verdict"]


def test_keyboard_vote_keeps_focus_on_the_choice(page: Page, demo: Demo):
    page.goto(demo.blog + "/")
    touch_for_engine(page)
    choice(page, MISTRAL).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".vd-vote-status")).to_contain_text("is counted")
    focused = page.evaluate("document.querySelector('[data-verdict]').shadowRoot.activeElement?.id")
    assert focused == f"vd-vote-{MISTRAL}"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the previous choice: HeyGen
    expect(page.locator(".vd-vote-status")).to_contain_text("your vote for HeyGen")


def test_sections_and_heading_level_shape_the_card(page: Page, demo: Demo):
    page.goto(demo.blog + "/sections.html")
    wait_for_mark(page, "verdict:engine-card")
    expect(page.locator("h3.vd-title")).to_have_count(1)
    expect(page.locator(".vd-scorecard")).to_have_count(0)
    expect(page.locator(".vd-figures")).to_have_count(0)
    order = page.locator(".vd-card > .vd-vote, .vd-card > .vd-cta").evaluate_all("els => els.map(e => e.className)")
    assert order == ["vd-cta", "vd-vote"]


def test_a_click_before_the_engine_is_up_still_counts(page: Page, demo: Demo):
    page.goto(demo.blog + "/early-click.html")
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    assert page.evaluate("performance.getEntriesByName('verdict:engine-ready').length") == 0
    choice(page, HEYGEN).click()
    expect(page.locator(".vd-vote-status")).to_contain_text(
        "your vote for HeyGen Interactive Avatar SDK v3 is counted", timeout=ENGINE_TIMEOUT
    )
    expect(choice(page, HEYGEN)).to_have_attribute("aria-pressed", "true")


def test_cards_added_later_render_and_removed_ones_are_destroyed(page: Page, demo: Demo):
    page.goto(demo.blog + "/spa.html")
    page.wait_for_function("window.Verdict")
    page.evaluate("""() => {
        const el = document.createElement('div');
        el.id = 'late';
        el.setAttribute('data-verdict', '');
        document.getElementById('app').append(el);
    }""")
    expect(page.locator("#late .vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
    wait_for_mark(page, "verdict:engine-card")
    page.evaluate("""() => {
        const el = document.createElement('section');
        document.getElementById('app').append(el);
        window.Verdict.render(el, { theme: 'dark', sections: ['figures'] });
        el.id = 'api';
    }""")
    expect(page.locator("#api .vd-figures")).to_have_count(2)
    assert page.locator("#api .vd-root").get_attribute("data-theme") == "dark"
    page.evaluate("window.Verdict.destroy(document.getElementById('api'))")
    expect(page.locator("#api .vd-card")).to_have_count(0)
    page.evaluate("document.getElementById('late').remove()")
    page.wait_for_timeout(200)
    assert page.console.of("pageerror") == []  # type: ignore[attr-defined]
