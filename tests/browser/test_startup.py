"""Start-up promises in real Chromium: early clicks feel taken at once, and
readers who save data (or pages that ask) download no runtime before they
touch the card. Each module has its own vote database, so counts are exact.
"""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import Page, expect

from ..conftest import HEYGEN, MISTRAL, SEED
from .conftest import ENGINE_TIMEOUT, Demo, Held, touch_for_engine, wait_for_mark

# The state of the seed card's vote controls, read in the same task as a click.
CLICK_AND_READ = """(tool) => {
  const root = document.querySelector('[data-verdict]').shadowRoot;
  const choice = (t) => root.querySelector(`button.vd-choice[data-tool="${t}"]`);
  if (tool) choice(tool).click();
  return {
    pressed: Object.fromEntries([...root.querySelectorAll('button.vd-choice')]
      .map((b) => [b.dataset.tool, b.getAttribute('aria-pressed')])),
    busy: root.querySelector('.vd-vote').getAttribute('aria-busy'),
    status: root.querySelector('.vd-vote-status').textContent,
    engineReady: performance.getEntriesByName('verdict:engine-ready').length > 0,
  };
}"""


def tallies(demo: Demo) -> dict:
    with urllib.request.urlopen(f"{demo.votes}/v1/tallies/{SEED}") as response:
        return json.loads(response.read())


def runtime_requests(urls: list[str]) -> list[str]:
    return [url for url in urls if "/runtime/" in url or "/packages/" in url or "/assets/worker." in url]


def test_a_click_before_the_engine_is_up_shows_at_once_and_counts_once(page: Page, demo: Demo):
    runtime = Held(page.context, "**/*.wasm")  # the context's routes see the worker's requests too
    page.goto(demo.blog + "/early-click.html")
    # Untouched, the card shows the endpoint's live figures; the click is what starts the engine.
    wait_for_mark(page, "verdict:live-card", timeout=10_000)
    assert page.evaluate("performance.getEntriesByName('verdict:engine-start').length") == 0

    before = page.evaluate(CLICK_AND_READ, None)
    assert before["pressed"] == {HEYGEN: "false", MISTRAL: "false"}
    after = page.evaluate(CLICK_AND_READ, HEYGEN)
    assert after["engineReady"] is False
    assert after["pressed"] == {HEYGEN: "true", MISTRAL: "false"}
    assert after["busy"] == "true"
    assert after["status"] == "Saving your vote for HeyGen Interactive Avatar SDK v3…"
    # An impatient second click on the same choice changes nothing.
    assert page.evaluate(CLICK_AND_READ, HEYGEN)["pressed"] == {HEYGEN: "true", MISTRAL: "false"}

    # The engine's own first render (before it takes the click) keeps showing the choice.
    runtime.release()
    wait_for_mark(page, "verdict:engine-ready")
    expect(page.locator(f'button.vd-choice[data-tool="{HEYGEN}"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".vd-vote-status")).to_contain_text(
        "your vote for HeyGen Interactive Avatar SDK v3 is counted", timeout=ENGINE_TIMEOUT
    )
    expect(page.locator(".vd-vote")).not_to_have_attribute("aria-busy", "true")
    counted = tallies(demo)
    assert counted["tallies"] == {HEYGEN: 1, MISTRAL: 0}
    assert counted["total"] == 1


def test_with_data_lazy_interaction_nothing_boots_before_the_reader_touches_the_card(page: Page, demo: Demo):
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.goto(demo.blog + "/interaction.html")
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    card = page.locator(".vd-card")
    expect(card).to_contain_text("Reviewer scorecard")  # the complete prerendered card
    expect(page.locator(".vd-choice")).to_have_count(2)
    page.mouse.wheel(0, 400)
    page.wait_for_timeout(1500)
    assert runtime_requests(requests) == []
    assert page.workers == []
    assert page.evaluate("performance.getEntriesByName('verdict:engine-start').length") == 0

    page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]').click()
    expect(page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".vd-vote-status")).to_contain_text("is counted", timeout=ENGINE_TIMEOUT)
    assert runtime_requests(requests) != []
    assert len(page.workers) == 1


def test_readers_who_save_data_get_the_card_and_no_runtime_until_they_touch_it(page: Page, demo: Demo):
    # Chromium's headless mode has no data-saver setting; the page sees what a reader's browser reports.
    page.add_init_script(
        "Object.defineProperty(navigator, 'connection', {value: {saveData: true, effectiveType: '4g'}})"
    )
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.goto(demo.blog + "/early-click.html")  # data-lazy not set: the default would fetch the live card
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    expect(page.locator(".vd-card")).to_contain_text("Reviewer scorecard")
    expect(page.locator(".vd-vote-status")).to_have_text(
        "Figures as published; live vote counts load when you use the card."
    )
    page.wait_for_timeout(1500)
    assert runtime_requests(requests) == []
    assert [url for url in requests if url.startswith(demo.votes)] == []
    assert page.workers == []

    page.locator(f'button.vd-choice[data-tool="{HEYGEN}"]').focus()  # keyboard readers boot it by focus
    wait_for_mark(page, "verdict:engine-ready")
    assert len(page.workers) == 1


def lazy_compilations(trace: bytes) -> int:
    """How many functions V8 compiled on first call (Chromium's trace, category v8.wasm)."""
    return sum(event.get("name") == "wasm.CompileLazy" for event in json.loads(trace)["traceEvents"])


def test_a_returning_reader_gets_the_core_compiled_on_the_page_from_the_browsers_cache(page: Page, demo: Demo):
    """A first page view compiles the runtime's core in the worker, then once more on the page when idle, so
    the browser keeps its machine code; the next page view of the site compiles it on the page, the browser
    serves it from that cache, and the worker instantiates that module instead of compiling again."""
    browser = page.context.browser
    assert browser is not None
    core = json.loads(urllib.request.urlopen(f"{demo.widget}/manifest.json").read())["assets"]["core"]
    core_url = f"{demo.widget}/{core}"

    def visit() -> tuple[int, list[str], list[str]]:
        browser.start_tracing(page=page, categories=["v8.wasm"])
        page.goto(demo.blog + "/early-click.html")
        touch_for_engine(page)
        page.wait_for_function(f"localStorage.getItem('verdict:core') === {core_url!r}", timeout=15_000)
        by_page = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        by_worker = page.workers[0].evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        compiled = lazy_compilations(browser.stop_tracing())
        page.goto("about:blank")
        return compiled, by_page, by_worker

    first, _, first_worker = visit()
    assert core_url in first_worker  # the worker fetched and compiled the core itself
    again, second_page, second_worker = visit()
    assert core_url in second_page and core_url not in second_worker
    assert first > 1000 and again < first / 3, (first, again)  # the core's code came from the browser's cache
    assert [text for text in page.console.of("error") if "Verdict" in text] == []  # type: ignore[attr-defined]
