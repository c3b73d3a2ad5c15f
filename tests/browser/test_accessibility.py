"""axe-core audits of the card as readers meet it: zero violations, light and dark."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from ..conftest import MISTRAL
from .conftest import Demo, wait_for_mark

axe = Axe()


def violations(page: Page) -> list[str]:
    result = axe.run(page)
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


def test_demo_page_before_and_after_a_vote(page: Page, demo: Demo):
    page.goto(demo.blog + "/")
    wait_for_mark(page, "verdict:engine-card")
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
