"""axe-core audits of the card as readers meet it: zero violations, light and dark."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from ..conftest import MISTRAL
from .conftest import Demo, touch_for_engine, wait_for_mark

axe = Axe()


def violations(page: Page) -> list[str]:
    result = axe.run(page)
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


def test_demo_page_before_and_after_a_vote(page: Page, demo: Demo):
    page.goto(demo.blog + "/")
    wait_for_mark(page, "verdict:live-card")
    assert violations(page) == []
    touch_for_engine(page)
    assert violations(page) == []
    page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]').click()
    expect(page.locator(".vd-vote-status")).to_contain_text("is counted")
    assert violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dark_and_auto_cards_on_one_page(browser: Browser, demo: Demo, scheme: str):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(demo.blog + "/two-themes.html")
        wait_for_mark(page, "verdict:engine-card")
        expect(page.locator(".vd-choice")).to_have_count(4)
        assert violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_three_and_four_tool_cards_with_publisher_accents(browser: Browser, demo: Demo, theme: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(demo.blog + "/publisher.html")
        wait_for_mark(page, "verdict:engine-card")
        page.evaluate("document.querySelector('#side-card').dataset.comparison = 'edge-runtimes-four-way'")
        expect(page.locator("#side-card .vd-choice")).to_have_count(4, timeout=60_000)
        for accent in ("#fff59d", "#050505", "#2f5bd3", "hotpink"):  # very light, very dark, ordinary
            page.evaluate(
                "([theme, accent]) => { for (const el of document.querySelectorAll('[data-verdict]')) {"
                " el.dataset.theme = theme; el.dataset.accent = accent; } }",
                [theme, accent],
            )
            assert violations(page) == [], accent
    finally:
        context.close()


def test_error_cards(page: Page, demo: Demo):
    page.goto(demo.blog + "/broken.html")
    expect(page.locator("#broken .vd-error")).to_be_visible(timeout=60_000)
    # A card with no bundle at all (the loader's own error card), in dark.
    page.evaluate("""() => { const main = document.createElement('main');
        main.append(...[...document.body.children].filter(e => e.tagName !== 'SCRIPT')); document.body.prepend(main);
        const el = document.createElement('div'); el.id = 'no-bundle';
        main.append(el); window.Verdict.render(el, { bundle: null, theme: 'dark' }); }""")
    expect(page.locator("#no-bundle .vd-error")).to_have_count(1)
    assert violations(page) == []
