"""Every example site of examples/, built by its real generator, as a reader gets it.

All eight are built once per session (`builder.devtools.examples`, as `python3 build.py
examples` builds them) against this run's dist/, a widget host serving it and
a real vote endpoint; each built site is then served on an origin of its own.
For each: the card's text is in the HTML the generator wrote (no JavaScript
needed to read it), the card paints above the fold with the page and the
engine's takeover moves nothing (CLS 0), its JSON-LD is on the page once, a
vote is counted at the endpoint, and the console stays clean.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from builder.devtools.examples import GENERATORS, BuiltSite, build_example

from ..conftest import DEMO_BUNDLE, MISTRAL, SEED
from ..helpers.endpoint import start_endpoint
from .conftest import Console, card_box, touch_for_engine
from .servers import widget_host

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
TITLE = "HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge"
OBSERVE_SHIFTS = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Served:
    site: BuiltSite
    origin: str


@dataclass
class Examples:
    sites: dict[str, Served]
    votes: str
    build_seconds: float


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Examples]:
    """Every example built once, each served at the root of its own origin, with the widget host and endpoint."""
    servers = {
        name: ThreadingHTTPServer(("127.0.0.1", 0), QuietHandler)  # the handler's folder is set once built
        for name in GENERATORS
    }
    origins = {name: f"http://127.0.0.1:{server.server_address[1]}" for name, server in servers.items()}
    out = tmp_path_factory.mktemp("examples")
    with (
        widget_host(DIST) as widget,
        start_endpoint([DEMO_BUNDLE], out / "votes.db", list(origins.values())) as votes,
    ):
        started = time.monotonic()
        built = {name: build_example(name, out, widget=widget + "/", endpoint=votes) for name in GENERATORS}
        build_seconds = time.monotonic() - started
        threads = []
        for name, server in servers.items():
            server.RequestHandlerClass = functools.partial(QuietHandler, directory=str(built[name].root))  # type: ignore[assignment]
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            threads.append(thread)
        try:
            yield Examples({n: Served(built[n], origins[n]) for n in GENERATORS}, votes, build_seconds)
        finally:
            for server in servers.values():
                server.shutdown()
                server.server_close()


def mistral_votes(votes: str) -> int:
    answer = httpx.get(f"{votes}/v1/tallies/{SEED}", timeout=10).json()
    tallies = answer.get("tallies", answer)
    return int(tallies.get(MISTRAL, 0))


@pytest.mark.parametrize("name", list(GENERATORS))
def test_each_generators_post_carries_the_card_zero_shift_and_votes(browser: Browser, examples: Examples, name: str):
    served = examples.sites[name]
    written = (served.site.root / GENERATORS[name].post).read_text()
    # In the HTML the generator wrote: the comparison reads without JavaScript.
    assert 'shadowrootmode="open"' in written
    assert TITLE in written and "Dead heat" in written
    assert written.count("embed.js") == 1

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        console = Console(page)
        page.add_init_script(OBSERVE_SHIFTS)
        page.goto(served.origin + served.site.post)
        # Drawn by the HTML parser: there before any of our scripts ran, above the fold.
        assert page.evaluate("document.querySelector('[data-verdict]').shadowRoot.querySelector('.vd-title') !== null")
        box = card_box(page)
        assert box["y"] + 200 < 720, f"the card starts at {box}: not above the fold"
        expect(page.locator(".vd-title")).to_have_text(TITLE)

        touch_for_engine(page)  # an untouched card shows the endpoint's live card; a touch starts the engine
        page.wait_for_timeout(500)
        assert page.evaluate("window.__cls") == 0
        assert card_box(page)["y"] == box["y"]

        graphs = page.evaluate(
            """[...document.querySelectorAll('script[type="application/ld+json"]')]
               .map(s => s.textContent).filter(t => t.includes('SoftwareApplication'))"""
        )
        assert len(graphs) == 1, f"{len(graphs)} JSON-LD graphs of the comparison"
        assert [app["name"] for app in json.loads(graphs[0])["@graph"]] == [
            "HeyGen Interactive Avatar SDK v3",
            "Mistral 4B Edge",
        ]

        before = mistral_votes(examples.votes)
        page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]').click()
        expect(page.locator(".vd-vote-status")).to_contain_text("is counted")
        assert mistral_votes(examples.votes) == before + 1
        assert console.problems() == []
    finally:
        context.close()


def test_readers_without_javascript_read_each_generators_card(browser: Browser, examples: Examples):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        for name, served in examples.sites.items():
            page.goto(served.origin + served.site.post)
            expect(page.locator(".vd-title"), name).to_have_text(TITLE)
            expect(page.locator(".vd-headline"), name).to_contain_text("Dead heat")
            expect(page.locator(".vd-review"), name).to_have_count(4)
    finally:
        context.close()


def test_a_docusaurus_reader_arriving_by_client_side_navigation_gets_the_live_card(
    browser: Browser, examples: Examples
):
    """Docusaurus renders the next page in the browser: no HTML parser, so the component builds the card."""
    served = examples.sites["docusaurus"]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        console = Console(page)
        page.goto(served.origin + "/")
        page.evaluate("window.__samePage = true")
        page.locator('main a[href="/posts/card"]').click()
        page.wait_for_url("**/posts/card")
        expect(page.locator(".vd-title")).to_have_text(TITLE)
        assert page.evaluate("window.__samePage === true"), "the navigation reloaded the page"
        assert page.evaluate("document.querySelector('[data-verdict]').shadowRoot !== null")
        touch_for_engine(page)
        before = mistral_votes(examples.votes)
        page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]').click()
        expect(page.locator(".vd-vote-status")).to_contain_text("is counted")
        assert mistral_votes(examples.votes) == before + 1
        assert console.problems() == []
    finally:
        context.close()
