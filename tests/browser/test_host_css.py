"""Host CSS cannot change the card: screenshots on a clean page and on a hostile one agree.

The hostile page (pages/hostile.css) sets every inherited text property, a
global reset, box-sizing, a 62.5% root font size and !important rules on the
card's placeholder. The card resets all of it at its boundary, so its pixels
match the clean page's within a small tolerance.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Page

from .conftest import Demo, wait_for_mark

# Share of pixels allowed to differ (anti-aliasing noise); the leak this guards
# against changed about 15% of them.
TOLERANCE = 0.002


def card_pixels(page: Page, url: str, *, script: bool) -> Image.Image:
    page.goto(url)
    if script:
        wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    card = page.locator("[data-verdict]").first
    card.locator(".vd-card").wait_for()
    page.evaluate("document.fonts.ready")
    return Image.open(io.BytesIO(card.screenshot(animations="disabled"))).convert("RGB")


def differing_share(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 24 else 0)
    histogram = diff.histogram()
    return histogram[255] / (a.size[0] * a.size[1])


@pytest.mark.parametrize("form", ["inline", "script"])
def test_hostile_host_css_leaves_the_card_as_on_a_clean_page(page: Page, demo: Demo, form: str):
    clean = card_pixels(page, f"{demo.blog}/host-clean-{form}.html", script=form == "script")
    hostile = card_pixels(page, f"{demo.blog}/host-hostile-{form}.html", script=form == "script")
    assert hostile.size == clean.size, f"the card's box changed: {clean.size} → {hostile.size}"
    share = differing_share(clean, hostile)
    assert share <= TOLERANCE, f"{share:.2%} of the card's pixels changed under hostile host CSS"
    # The hostile page really is hostile: its own text is transformed.
    assert page.evaluate("getComputedStyle(document.body).textTransform") == "uppercase"
