"""The card's figures never overlap, whatever the host page's font, the
card's width and its locale: the card takes the host's font family, and a
serif or a wide font makes the same words longer than the configurator's
sans-serif preview shows. Measured in Chromium: the box of every line of text
of each figure (label, value, detail) lies inside its tile, and no two of
them meet.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from .conftest import Demo
from .hostpage import HostPages

LOCALES = ["en", "de", "fr", "es", "ja", "ar"]
FONTS = {"serif": '"DejaVu Serif", serif', "wide": '"DejaVu Sans Mono", monospace'}
WIDTHS = [300, 420, 560, 736, 900, 1180]
CARDS = [("comparisons.json", "heygen-avatar-sdk-v3-vs-mistral-4b-edge"), ("lineup.json", "edge-runtimes-three-way"),
         ("lineup.json", "edge-runtimes-four-way")]  # fmt: skip

# Every text line's box in each figure, checked against its tile and the other pieces of that tile.
OVERLAPS = """
() => {
  const problems = [];
  const lines = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    return [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5);
  };
  const meet = (a, b) =>
    a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const inside = (r, box) =>
    r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
  for (const host of document.querySelectorAll('[data-verdict]')) {
    for (const figure of host.shadowRoot.querySelectorAll('.vd-figure')) {
      const tile = figure.getBoundingClientRect();
      const pieces = [...figure.querySelectorAll('dt, .vd-figure-value, .vd-figure-detail')]
        .map((el) => [el.className || el.localName, el.textContent.trim(), lines(el)]);
      const where = `${host.id} ${figure.className}`;
      for (const [name, text, rects] of pieces) for (const r of rects) {
        if (!inside(r, tile)) problems.push(`${where}: "${text}" (${name}) leaves its tile`);
      }
      for (let i = 0; i < pieces.length; i++) for (let j = i + 1; j < pieces.length; j++) {
        if (pieces[i][2].some((a) => pieces[j][2].some((b) => meet(a, b))))
          problems.push(`${where}: "${pieces[i][1]}" runs into "${pieces[j][1]}"`);
      }
    }
  }
  return problems;
}
"""


@pytest.fixture(scope="module")
def pages():
    with HostPages().running() as running:
        yield running


@pytest.mark.parametrize("font", FONTS)
def test_no_figure_overlaps_at_any_font_width_or_locale(page: Page, demo: Demo, pages: HostPages, font: str):
    cards = []
    for locale in LOCALES:
        for width in WIDTHS:
            for n, (bundle, comparison) in enumerate(CARDS):
                cards.append(
                    f'<div style="width:{width}px"><div data-verdict id="{locale}-{width}-{n}" '
                    f'data-bundle="{demo.widget}/bundles/{bundle}" data-comparison="{comparison}" '
                    f'data-locale="{locale}"></div></div>'
                )
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fonts</title>
<style>body {{ font-family: {FONTS[font]}; }}</style></head><body>{"".join(cards)}
<script src="{demo.widget}/embed.js" data-lazy="interaction" async></script></body></html>"""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(pages.add(html))
    drawn = "(h) => h.shadowRoot && h.shadowRoot.querySelector('.vd-figure')"
    page.wait_for_function(f"[...document.querySelectorAll('[data-verdict]')].every({drawn})", timeout=60_000)
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == FONTS[font]
    problems = page.evaluate(OVERLAPS)
    assert problems == [], "\n".join(problems[:40]) + f"\n({len(problems)} in all)"
