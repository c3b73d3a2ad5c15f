"""Real servers and real Chromium for the browser tests.

The demo's three origins (blog, widget host, vote endpoint) run as one
subprocess on loopback, exactly as `python3 build.py demo` runs them, with a
fresh SQLite file; the test pages in pages/ are served by the blog origin.
Chromium is Debian's, driven by Playwright.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from builder.devtools.chromium import free_port_run
from builder.devtools.serve import demo_in_background

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"


class Demo:
    def __init__(self, base: int):
        self.blog = f"http://127.0.0.1:{base}"
        self.widget = f"http://127.0.0.1:{base + 1}"
        self.votes = f"http://127.0.0.1:{base + 2}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    if not (ROOT / "dist" / "embed.js").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    base = free_port_run()
    folder = tmp_path_factory.mktemp("votes")
    with demo_in_background(base, folder / "servers.log", pages=PAGES, database=folder / "votes.db"):
        yield Demo(base)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context
    context.close()


class Console:
    """What the page said on its console, minus the browser's own request for /favicon.ico: the small
    test pages link no icon, and that 404 comes late enough to race the assertions."""

    def __init__(self, page: Page):
        self.messages: list[tuple[str, str]] = []
        page.on("console", lambda m: self.keep(m.type, m.text, m.location.get("url", "")))
        page.on("pageerror", lambda e: self.messages.append(("pageerror", str(e))))

    def keep(self, kind: str, text: str, source: str) -> None:
        if urlparse(source).path != "/favicon.ico":
            self.messages.append((kind, text))

    def of(self, kind: str) -> list[str]:
        return [text for t, text in self.messages if t == kind]

    def problems(self) -> list[str]:
        """Every error, warning and uncaught exception: what a publisher would notice on a clean page."""
        return self.of("error") + self.of("warning") + self.of("pageerror")


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.console = Console(page)  # type: ignore[attr-defined]
    return page


ENGINE_TIMEOUT = 60_000


def wait_for_mark(page: Page, name: str, timeout: float = ENGINE_TIMEOUT) -> float:
    page.wait_for_function(f"performance.getEntriesByName({name!r}).length > 0", timeout=timeout)
    return page.evaluate(f"performance.getEntriesByName({name!r})[0].startTime")


def touch_for_engine(page: Page, host: str = "[data-verdict]") -> float:
    """The reader's first touch of the card (a pointer down on it), then its engine's first card (ms).

    With the default data-lazy, an untouched card shows the endpoint's live HTML and downloads no
    runtime; the engine starts on the first touch."""
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    page.locator(host).first.dispatch_event("pointerdown")
    return wait_for_mark(page, "verdict:engine-card")


CARD_BOX = """(host) => {
  const card = document.querySelector(host).shadowRoot.querySelector(".vd-card");
  const r = card.getBoundingClientRect();
  return {x: r.x, y: r.y, width: r.width, height: r.height};
}"""


def card_box(page: Page, host: str = "[data-verdict]") -> dict[str, float]:
    """The card's box, read in one step: the endpoint's live card may replace the prerendered one at any
    moment, and a locator's box is read in two (find, then measure), which can land either side of it."""
    box: dict[str, float] = page.evaluate(CARD_BOX, host)
    return box


class Held:
    """Holds back every response whose URL matches `pattern` until released; `target`: a page, or a
    browser context (whose routes also see its workers' requests)."""

    def __init__(self, target: Page | BrowserContext, pattern: str):
        self.held: list[Route] = []
        self.released = False
        target.route(pattern, self._hold)

    def _hold(self, route: Route) -> None:
        if self.released:
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.held:
            route.continue_()
        self.held.clear()
