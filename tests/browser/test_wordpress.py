"""A real WordPress (Debian's package, PHP, MariaDB) embedding cards the two ways a blogger would.

1. Pasting a frame page's URL on its own line: WordPress discovers our oEmbed
   (the vote endpoint with ``--widget-url``), shows the card in its sandboxed
   iframe (``sandbox="allow-scripts"``: an opaque origin, no storage, requests
   from ``Origin: null``), sizes it through its own ``secret`` protocol, and a
   reader's vote reaches the endpoint once.
2. The plugin (wordpress/verdict/): its shortcode and its block print the
   inline card, which the loader brings to life on the blog's own origin.

WordPress, MariaDB and PHP's server start once for this file and are stopped
after it (tests/helpers/wordpress.py).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import FrameLocator, Page, expect

from builder.assemble import frames
from tests.helpers.endpoint import launch_endpoint
from tests.helpers.wordpress import WordPress

from ..conftest import SEED
from .conftest import ENGINE_TIMEOUT
from .servers import widget_host

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
PLUGIN = ROOT / "wordpress" / "verdict"
BUNDLES = [ROOT / "demo" / "comparisons.json", ROOT / "demo" / "lineup.json"]
WP_EMBED_MAX = 1000  # wp-embed.js never makes an embed taller (nor shorter than 200 px)
OBSERVE_SHIFTS = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""
FIGURES = SHOTS / "wordpress.json"


def note(**figures: float) -> None:
    """Keep what a run measured (for the benchmarks page; the docs quote no figure)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    FIGURES.write_text(json.dumps(known | figures, indent=2))


@dataclass
class Blog:
    wordpress: WordPress
    widget: str
    votes: str


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Blog]:
    if not (ROOT / "dist" / "embed.js").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    folder = tmp_path_factory.mktemp("wordpress")
    served = folder / "dist"
    # A copy of dist/ (hard links) whose frame pages name this test's widget host and endpoint.
    shutil.copytree(ROOT / "dist", served, copy_function=os.link)
    with widget_host(served) as widget:
        wordpress = WordPress([port_of(widget)], plugins={"verdict": PLUGIN})
        # The endpoint takes votes from the blog itself (the plugin's cards) and from sandboxed
        # frames (Origin: null, WordPress's embeds), and answers oEmbed for the widget's links.
        endpoint = launch_endpoint(
            BUNDLES, folder / "votes.db", [wordpress.url, "null"], extra_args=["--widget-url", widget + "/"]
        )
        try:
            frames.write(served, widget + "/", endpoint.base_url)
            wordpress.allowed_ports.append(port_of(endpoint.base_url))
            try:
                wordpress.start()
                yield Blog(wordpress, widget, endpoint.base_url)
            finally:
                wordpress.stop()
        finally:
            endpoint.stop()


def port_of(origin: str) -> int:
    return int(origin.rsplit(":", 1)[1])


def tallies(blog: Blog, comparison: str = SEED) -> dict[str, int]:
    answer = httpx.get(f"{blog.votes}/v1/tallies/{comparison}", timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["tallies"])


def fits(page: Page) -> tuple[float, float]:
    """(the iframe's height on the post, its card page's height inside), once they agree or after 10 s:
    the card may still be dropping sections to fit, and WordPress resizes on the frame's message."""
    iframe = page.locator("iframe.wp-embedded-content")
    for _ in range(50):
        inner = page.frames[1].evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
        outside = page.evaluate("document.querySelector('iframe.wp-embedded-content').clientHeight")
        if abs(outside - min(inner, WP_EMBED_MAX)) <= 2:
            break
        page.wait_for_timeout(200)
    assert iframe.get_attribute("style") is None, "wp-embed showed the iframe (it drops the style hiding it)"
    return outside, inner


def test_a_pasted_frame_link_is_a_sandboxed_card_that_fits_and_votes(page: Page, blog: Blog) -> None:
    link = f"{blog.widget}/{frames.page_path('comparisons', SEED)}"
    post = blog.wordpress.post("Which one to ship", f"Our pick, and yours:\n\n{link}\n\nThanks for voting.")
    before = tallies(blog)
    page.set_viewport_size({"width": 1100, "height": 900})
    page.add_init_script(OBSERVE_SHIFTS)
    page.goto(post)
    iframe = page.locator("iframe.wp-embedded-content")
    # WordPress discovered our oEmbed, and shows it as it shows any provider it does not know.
    assert iframe.get_attribute("sandbox") == "allow-scripts"
    assert iframe.get_attribute("data-secret") and "#?secret=" in (iframe.get_attribute("src") or "")
    frame: FrameLocator = page.frame_locator("iframe.wp-embedded-content")
    expect(frame.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
    assert page.frames[1].evaluate("origin") == "null", "the card runs in an opaque origin"
    # The engine is up in the sandbox and read the tallies from the endpoint (Origin: null).
    expect(frame.locator(".vd-vote-status")).to_have_text("No votes yet: be the first.", timeout=ENGINE_TIMEOUT)
    vote = frame.locator(".vd-vote [data-action='vote']").first
    outside, inside = fits(page)
    assert abs(outside - min(inside, WP_EMBED_MAX)) <= 2, (outside, inside)
    note(paste_wide=[outside, inside], paste_cls=page.evaluate("window.__cls"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "wordpress-post.png", full_page=True)

    vote.click()
    expect(frame.locator(".vd-vote-status")).to_contain_text("counted", timeout=ENGINE_TIMEOUT)
    after = tallies(blog)
    assert sum(after.values()) == sum(before.values()) + 1, (before, after)

    # A narrower column: the card stacks, grows, and the iframe follows within 2 px.
    page.set_viewport_size({"width": 420, "height": 900})
    outside, inside = fits(page)
    assert abs(outside - min(inside, WP_EMBED_MAX)) <= 2, (outside, inside)
    note(paste_narrow=[outside, inside])


def test_the_plugin_prints_the_inline_card_from_its_shortcode_and_its_block(page: Page, blog: Blog) -> None:
    options = {"verdict_widget_url": blog.widget + "/", "verdict_endpoint": blog.votes}
    shortcode = f'[verdict comparison="{SEED}"]'
    block = '<!-- wp:verdict/card {"bundle":"lineup","comparison":"edge-runtimes-three-way","theme":"dark"} /-->'
    post = blog.wordpress.post("Two cards", f"{shortcode}\n\n{block}", plugin="verdict/verdict.php", options=options)
    html = httpx.get(post, timeout=30).text
    # The cards are in the page's HTML: declarative shadow roots drawn with the first paint.
    assert html.count('<template shadowrootmode="open">') == 2, html[-3000:]
    assert f'data-bundle="{blog.widget}/bundles/lineup.json"' in html and 'data-theme="dark"' in html
    assert f"{blog.widget}/embed.js" in html
    page.add_init_script(OBSERVE_SHIFTS)
    page.goto(post)
    cards = page.locator("[data-verdict]")
    expect(cards).to_have_count(2)
    expect(cards.nth(0).locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
    expect(cards.nth(1).locator(".vd-title")).to_have_text("Ferrite Runtime vs Lumen Edge vs Harbor Functions")
    # Live on the blog's own origin: the vote is counted and remembered on the reader's device.
    before = tallies(blog, "edge-runtimes-three-way")
    status = cards.nth(1).locator(".vd-vote-status")
    expect(status).to_have_text("No votes yet: be the first.", timeout=ENGINE_TIMEOUT)
    # The inline cards were there with the page's first layout; the engine's takeover moved nothing.
    note(plugin_cls=page.evaluate("window.__cls"))
    cards.nth(1).locator(".vd-vote [data-action='vote']").first.click()
    expect(status).to_contain_text("counted", timeout=ENGINE_TIMEOUT)
    after = tallies(blog, "edge-runtimes-three-way")
    assert sum(after.values()) == sum(before.values()) + 1
    assert "edge-runtimes-three-way" in page.evaluate("localStorage.getItem('verdict')")
