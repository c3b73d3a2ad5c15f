"""The publisher's results page in Chromium: sign-in with the demo's key, figures, charts, axe 0, no JavaScript."""

from __future__ import annotations

import secrets

import httpx
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from builder.devtools.serve import demo_admin_key

from ..conftest import HEYGEN, MISTRAL, SEED
from .conftest import Demo

axe = Axe()


def violations(page: Page) -> list[str]:
    result = axe.run(page)
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]]


def _cast(demo: Demo) -> None:
    """Five readers: four for Mistral, one for HeyGen; one changes to HeyGen, one withdraws."""
    voters = [secrets.token_urlsafe(18) for _ in range(5)]
    with httpx.Client(base_url=demo.votes) as client:
        for n, voter in enumerate(voters):
            body = {"comparison": SEED, "tool": HEYGEN if n == 4 else MISTRAL, "voter": voter}
            assert client.post("/v1/votes", json=body).status_code == 200
        assert client.post("/v1/votes", json={"comparison": SEED, "tool": HEYGEN, "voter": voters[0]}).is_success
        assert client.request("DELETE", "/v1/votes", json={"comparison": SEED, "voter": voters[1]}).is_success


def test_sign_in_then_read_the_results_without_javascript(browser: Browser, demo: Demo) -> None:
    _cast(demo)
    # No script on the page at all: it must read the same with JavaScript off.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        answer = page.goto(f"{demo.votes}/results?comparison={SEED}")
        assert answer is not None and answer.status == 401
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Admin key of this site").fill("vk_not-the-key-of-this-site-000000000000")
        page.get_by_role("button", name="Open the results").click()
        expect(page.get_by_role("alert")).to_contain_text("not an admin key of this site")

        page.get_by_label("Admin key of this site").fill(demo_admin_key())
        page.get_by_role("button", name="Open the results").click()
        expect(page.get_by_role("heading", level=2)).to_be_visible()
        cookie = next(c for c in context.cookies() if c["name"] == "verdict_session_default")
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"

        page.goto(f"{demo.votes}/results?comparison={SEED}")  # the session cookie opens it from now on
        figures = page.locator(".figures")
        expect(figures).to_contain_text("Changed their vote")
        expect(figures.locator("div", has_text="Changed their vote").locator("dd")).to_have_text("1")
        expect(figures.locator("div", has_text="Withdrew").locator("dd")).to_have_text("1")
        chart = page.get_by_role("img", name="Votes per tool")
        expect(chart).to_be_visible()
        expect(chart.locator("desc")).to_contain_text("Running totals:")
        expect(page.get_by_role("table", name="Panel ship rate and community share per tool")).to_be_visible()
        expect(page.locator("section[aria-labelledby=agreement] p").first).to_contain_text("panel")

        page.get_by_role("link", name="By hour").click()
        expect(page.get_by_role("link", name="By hour")).to_have_attribute("aria-current", "true")
        page.locator("summary", has_text="The numbers behind the chart").click()
        expect(page.get_by_role("table", name="Votes per hour, newest first")).to_be_visible()
    finally:
        context.close()


def test_the_page_reads_well_with_javascript_too_and_passes_axe(browser: Browser, demo: Demo) -> None:
    context = browser.new_context(viewport={"width": 420, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{demo.votes}/results")
        page.get_by_label("Admin key of this site").fill(demo_admin_key())
        page.get_by_role("button", name="Open the results").click()
        expect(page.get_by_role("img", name="Votes per tool")).to_be_visible()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.reload()
        expect(page.get_by_role("img", name="Votes per tool")).to_be_visible()
        assert errors == []  # nothing refused by the page's Content-Security-Policy
        assert violations(page) == []  # axe runs as a script: in this context, with JavaScript on
        page.get_by_role("link", name="By week").click()
        page.locator("summary", has_text="The numbers behind the chart").click()
        expect(page.get_by_role("table", name="Votes per week, newest first")).to_be_visible()
        assert violations(page) == []
        page.goto(f"{demo.votes}/results?view=hour")
        assert violations(page) == []
    finally:
        context.close()
