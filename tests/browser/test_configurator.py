"""The configurator (dist/configure/): PyScript from dist/, the engine installed by micropip,
the real embed previewing the settings, and a snippet that renders the same card elsewhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, expect

from .conftest import ENGINE_TIMEOUT, Console, Demo, touch_for_engine, wait_for_mark
from .servers import plain_static_server, widget_host

ROOT = Path(__file__).resolve().parents[2]

FOUR = "edge-runtimes-four-way"


def loopback_only(urls: list[str]) -> list[str]:
    """The requests that left the machine (anything but loopback, blob: and data:)."""
    return [u for u in urls if urlparse(u).scheme not in ("blob", "data") and urlparse(u).hostname != "127.0.0.1"]


def card_html(page: Page, host: str) -> str:
    return page.evaluate(f"document.querySelector({host!r}).shadowRoot.querySelector('.vd-root').outerHTML")


def test_configurator_installs_the_engine_with_micropip_and_its_snippet_works_elsewhere(browser: Browser, demo: Demo):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        page = context.new_page()
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        console = Console(page)
        page.goto(demo.widget + "/configure/")
        wait_for_mark(page, "configurator:ready", timeout=120_000)
        expect(page.locator("#status")).to_contain_text("Ready")
        # A publisher opening the configurator finds a clean console.
        assert console.problems() == []
        assert loopback_only(requests) == []
        names = [urlparse(u).path.rsplit("/", 1)[-1] for u in requests]
        assert "core.js" in names and "micropip-0.11.1-py3-none-any.whl" in names
        assert any(n.startswith("verdict-") and n.endswith(".whl") for n in names)
        assert page.evaluate("typeof window.experimental_create_proxy") == "undefined"

        # A published bundle, validated by the engine's models, fills the comparison picker.
        page.select_option("#bundle-choice", "../bundles/lineup.json")
        expect(page.locator("#problems")).to_contain_text("Valid bundle: 2 comparisons, 4 tools.")
        page.select_option("#comparison", FOUR)
        page.fill("#endpoint", demo.votes)
        page.select_option("#theme", "dark")
        page.fill("#accent", "#ffd400")
        page.select_option("#layout", "stacked")
        page.locator("input[name=section][value=description]").uncheck()
        page.fill("#cta-text", "Get the next round-up")

        # The real embed beside the form follows every change.
        preview = page.locator("#preview")
        expect(preview.locator(".vd-title")).to_have_text(
            "Four edge runtimes, one quarter's budget", timeout=ENGINE_TIMEOUT
        )
        expect(preview.locator(".vd-description")).to_have_count(0, timeout=ENGINE_TIMEOUT)
        expect(preview.locator(".vd-cta p")).to_have_text("Get the next round-up", timeout=ENGINE_TIMEOUT)
        expect(preview.locator(".vd-vote-status")).to_have_text("No votes yet: be the first.", timeout=ENGINE_TIMEOUT)
        assert page.evaluate(
            "document.querySelector('#preview').shadowRoot.querySelector('.vd-root').dataset.layout"
        ) == ("stacked")
        assert len(page.workers) == 1

        # A broken paste: every problem with its path.
        page.fill("#bundle-paste", '{"format": "verdict/1", "site": {"name": ""}, "tools": [], "reviewers": []}')
        expect(page.locator("#problems li")).not_to_have_count(0)
        expect(page.locator("#problems")).to_contain_text("site.name")
        expect(page.locator("#problems")).to_contain_text("comparisons")
        page.fill("#bundle-paste", '{\n  "format": "verdict/1",,\n  "tools": []\n}')
        expect(page.locator("#problems")).to_contain_text("line 2")

        page.click("#copy")
        expect(page.locator("#copied")).to_contain_text("Copied")
        snippet = page.evaluate("navigator.clipboard.readText()")
        assert snippet == page.locator("#snippet").inner_text()
        for attribute in (
            'data-theme="dark"',
            'data-accent="#ffd400"',
            'data-layout="stacked"',
            f'data-comparison="{FOUR}"',
        ):
            assert attribute in snippet
        assert "data-heading-level" not in snippet  # defaults are left out
        expected = card_html(page, "#preview")

        # Pasted into a fresh page on another origin (the blog), it renders the same card.
        other = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            fresh = other.new_page()
            fresh.goto(demo.blog + "/paste.html")
            assert urlparse(demo.blog).netloc != urlparse(demo.widget).netloc
            fresh.evaluate("snippet => window.paste(snippet)", snippet)
            touch_for_engine(fresh, "#here [data-verdict]")  # the default: the engine starts on a touch
            expect(fresh.locator(".vd-vote-status")).to_have_text("No votes yet: be the first.", timeout=ENGINE_TIMEOUT)
            assert card_html(fresh, "#here [data-verdict]") == expected
        finally:
            other.close()
    finally:
        context.close()


def test_a_bundle_on_the_publishers_own_host_is_diagnosed_and_its_snippet_copied_only_when_it_renders(
    browser: Browser, demo: Demo, tmp_path: Path
):
    """The usual case: the bundle on the publisher's own site. Served without a CORS header, the configurator
    names CORS; unreachable, it says so; invalid, it lists the problems. Each time the previous bundle's
    comparisons go and the snippet cannot be copied; served right, all comes back."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "embed.js").write_text("")  # what the test servers wait for
    shutil.copy(ROOT / "demo" / "lineup.json", site / "lineup.json")
    broken = json.loads((ROOT / "demo" / "lineup.json").read_text())
    broken["comparisons"][0]["tools"][0] = "ghost"
    (site / "broken.json").write_text(json.dumps(broken))
    closing = json.loads((ROOT / "demo" / "lineup.json").read_text())
    closing["comparisons"][1]["closes_at"] = "2025-02-14T10:00:00+01:00"
    (site / "closing.json").write_text(json.dumps(closing))
    closing["comparisons"][1]["closes_at"] = "14/02/2025"
    (site / "bad-closing.json").write_text(json.dumps(closing))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        console = Console(page)
        page.goto(demo.widget + "/configure/")
        wait_for_mark(page, "configurator:ready", timeout=120_000)
        problems, copy = page.locator("#problems"), page.locator("#copy")
        comparisons = page.locator("#comparison option")

        def enter(url: str) -> None:
            page.select_option("#bundle-choice", "")
            page.fill("#bundle-url", url)
            page.locator("#bundle-url").dispatch_event("change")

        with plain_static_server(site) as plain, widget_host(site) as served:
            enter(f"{served}/lineup.json")
            expect(problems).to_contain_text("Valid bundle: 2 comparisons, 4 tools.")
            expect(comparisons).to_have_count(2)
            expect(copy).to_be_enabled()

            enter(f"{plain}/lineup.json")
            expect(problems).to_contain_text("its host sends no Access-Control-Allow-Origin header")
            expect(problems).to_contain_text("(CORS)")
            expect(comparisons).to_have_count(0)
            expect(copy).to_be_disabled()
            # The preview's console names the same cause, never an invalid bundle.
            page.wait_for_function(
                "document.querySelector('#preview').shadowRoot?.querySelector('.vd-error')", timeout=ENGINE_TIMEOUT
            )
            said = "\n".join(console.of("error"))
            assert f"Verdict: bundle {plain}/lineup.json could not be loaded:" in said, said
            assert "Access-Control-Allow-Origin" in said and f"{plain}/lineup.json is invalid" not in said, said

            enter(f"{served}/broken.json")
            expect(problems).to_contain_text("comparisons[0].tools[0]")
            expect(problems).not_to_contain_text("CORS")
            expect(comparisons).to_have_count(0)
            expect(copy).to_be_disabled()

            # A comparison's closes_at: its date under the picker, a bad one named by its path.
            enter(f"{served}/closing.json")
            expect(comparisons).to_have_count(2)
            expect(page.locator("#closing")).to_have_text("")
            page.select_option("#comparison", closing["comparisons"][1]["id"])
            expect(page.locator("#closing")).to_contain_text("Voting closed on 2025-02-14 09:00 UTC")
            page.select_option("#results", "after-vote")
            expect(page.locator("#snippet")).to_contain_text('data-results="after-vote"')
            enter(f"{served}/bad-closing.json")
            expect(problems).to_contain_text("comparisons[1].closes_at")
            expect(problems).to_contain_text("is not an ISO 8601 time")

            enter(f"{served}/lineup.json")
            expect(comparisons).to_have_count(2)
            expect(copy).to_be_enabled()
        enter(f"{served}/lineup.json")  # the host is gone now
        expect(problems).to_contain_text(f"could not reach {served}/lineup.json")
        expect(problems).not_to_contain_text("CORS")
        expect(comparisons).to_have_count(0)
        expect(copy).to_be_disabled()
    finally:
        context.close()
