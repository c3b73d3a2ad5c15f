"""A bundle the build never saw has no prerendered card: a skeleton holds
its place until the engine has rendered it. The skeleton reaches the bottom
of the viewport, so the card replacing it moves nothing the reader sees: the
page shifts once (the skeleton appearing), not twice."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import Demo, wait_for_mark
from .hostpage import HostPages

SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts.push(entry.value);
}).observe({ type: "layout-shift", buffered: true });
"""


@pytest.fixture(scope="module")
def pages():
    with HostPages().running() as running:
        yield running


@pytest.mark.parametrize("viewport", [(1280, 720), (390, 844)])
def test_the_card_replacing_the_skeleton_moves_nothing_in_view(page: Page, demo: Demo, pages: HostPages, viewport):
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Unseen</title></head>
<body><h1>A bundle the build never saw</h1><p>Before the card.</p>
<script src="{demo.widget}/embed.js" data-bundle="{demo.blog}/comparisons.json" async></script>
<p>{"After the card. " * 80}</p></body></html>"""
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.add_init_script(SHIFTS)
    page.goto(pages.add(html))
    page.wait_for_function("document.querySelector('[data-verdict]')?.shadowRoot?.querySelector('.vd-skeleton')")
    skeleton = page.evaluate("document.querySelector('[data-verdict]').shadowRoot.querySelector('.vd-skeleton')"
                             ".getBoundingClientRect().bottom")  # fmt: skip
    assert skeleton >= viewport[1], "the skeleton reaches the bottom of the viewport"
    wait_for_mark(page, "verdict:engine-card")
    page.wait_for_timeout(500)
    shifts = page.evaluate("window.__shifts")
    print(f"\n{viewport}: layout shifts {shifts}")
    assert len(shifts) <= 1, shifts
