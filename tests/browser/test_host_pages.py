"""Publishers' pages as they really are: layout shift, readers without
JavaScript, JSON-LD, a strict Content-Security-Policy, integrity, and widget
hosts configured the way static servers come out of the box.

Host pages here are made on the spot (hostpage.HostPages) on an origin of
their own; the widget host is the demo's unless a test needs a broken one.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from ..conftest import DEMO_BUNDLE, HEYGEN, SEED
from ..helpers.endpoint import start_endpoint
from .conftest import ENGINE_TIMEOUT, Demo, card_box, touch_for_engine, wait_for_mark
from .hostpage import HostPages
from .servers import plain_static_server, widget_host

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
INLINE = DIST / "inline" / "comparisons" / f"{SEED}.html"
CSP_DOCS = '"Content-Security-Policy" in docs/operators/security.md of Verdict\'s repository'
HOSTING = "docs/operators/hosting.md in Verdict's repository"

OBSERVE_SHIFTS = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""


def documented_policy(widget: str, votes: str) -> str:
    """Exactly the policy docs/operators/security.md gives for the inline form."""
    style = json.loads((DIST / "manifest.json").read_text())["card_css"]
    return (
        f"default-src 'none'; script-src {widget} 'wasm-unsafe-eval'; worker-src blob:; "
        f"connect-src {widget} {votes}; style-src '{style}'"
    )


def post(widget: str, votes: str | None, *, inline: bool = True, attrs: str = "", head: str = "") -> str:
    """A blog post with one card above the fold, inline or as a bare placeholder."""
    endpoint = f' data-endpoint="{votes}"' if votes else ""
    inner = INLINE.read_text() if inline else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">{head}<title>Post</title></head>
<body><h1>A post</h1><p>Before the card.</p>
<div data-verdict data-bundle="{widget}/bundles/comparisons.json"
     data-comparison="{SEED}"{endpoint}{attrs}>{inner}</div>
<p id="after">After the card.</p>
<script src="{widget}/embed.js" async></script></body></html>"""


def wait_until(page: Page, expression: str, timeout: float = ENGINE_TIMEOUT / 1000) -> None:
    """Poll with page.evaluate: Playwright's wait_for_function evaluates strings, which a strict CSP refuses."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {expression}")


def mark(name: str) -> str:
    return f"performance.getEntriesByName({name!r}).length > 0"


def errors(page: Page) -> str:
    return "\n".join(page.console.of("error") + page.console.of("warning"))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pages() -> Iterator[HostPages]:
    with HostPages().running() as running:
        yield running


@pytest.fixture(scope="module")
def votes(pages: HostPages, tmp_path_factory) -> Iterator[str]:
    """A vote endpoint that answers the host pages' origin."""
    with start_endpoint([DEMO_BUNDLE], tmp_path_factory.mktemp("votes") / "votes.db", [pages.origin]) as url:
        yield url


# ---- layout shift and readers without JavaScript ------------------------------


def test_inline_card_paints_with_the_post_and_the_takeover_moves_nothing(page: Page, demo: Demo):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.add_init_script(OBSERVE_SHIFTS)
    page.goto(demo.blog + "/")
    # In the HTML itself: there before any script of ours has run.
    assert page.evaluate("document.querySelector('[data-verdict]').shadowRoot.querySelector('.vd-title') !== null")
    box = card_box(page)
    assert box["y"] < 720, "the card is above the fold"
    wait_for_mark(page, "verdict:live-card")  # the endpoint's live card
    page.wait_for_timeout(500)
    assert page.evaluate("window.__cls") == 0
    touch_for_engine(page)  # the engine's
    page.wait_for_timeout(500)
    assert page.evaluate("window.__cls") == 0
    assert card_box(page)["height"] == box["height"]


@pytest.mark.parametrize(
    "attrs",
    [
        ' data-sections="vote,cta,figures" data-heading-level="3"',
        ' data-heading-level="5" data-locale="de" data-cta-text="Get our weekly   comparison"',
    ],
)
def test_every_attribute_value_gets_the_prerendered_card_at_once(page: Page, demo: Demo, pages: HostPages, attrs):
    page.goto(pages.add(post(demo.widget, demo.votes, inline=False, attrs=attrs + ' data-lazy="false"')))
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    assert page.evaluate(mark("verdict:engine-card")) is False, "the engine was faster than the prerender"
    expect(page.locator(".vd-skeleton")).to_have_count(0)
    level = 3 if 'heading-level="3"' in attrs else 5
    expect(page.locator(f"h{level}.vd-title")).to_have_count(1)
    before = page.locator(".vd-card").bounding_box()
    if "sections" in attrs:
        expect(page.locator(".vd-scorecard")).to_be_hidden()
        expect(page.locator(".vd-description").first).to_be_hidden()
        assert page.locator(".vd-vote").bounding_box()["y"] < page.locator(".vd-cta").bounding_box()["y"]
    else:
        expect(page.locator(".vd-cta p")).to_have_text("Get our weekly comparison")
        expect(page.locator(".vd-card")).to_have_attribute("lang", "de")
    wait_for_mark(page, "verdict:engine-card")
    # The engine swaps the card's HTML as its tallies arrive: wait for the card, then measure it. A swap between
    # Playwright finding the card and measuring it leaves a detached (zero-sized) card: measure again then.
    expect(page.locator(".vd-card")).to_be_visible()
    measure = "card => card.isConnected ? card.getBoundingClientRect().height : null"
    after = next(h for h in (page.locator(".vd-card").evaluate(measure) for _ in range(20)) if h is not None)
    assert abs(after - before["height"]) < 1, "the engine's card differs from the prerendered one"


def test_readers_without_javascript_see_the_comparison_and_crawlers_its_json_ld(browser: Browser, demo: Demo):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(demo.blog + "/")
        expect(page.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
        expect(page.locator(".vd-headline")).to_contain_text("Dead heat")
        expect(page.locator(".vd-review")).to_have_count(4)
        assert page.locator(".vd-card").bounding_box()["height"] > 500
        # The vote controls do not look clickable: they say voting needs JavaScript.
        expect(page.locator(".vd-vote-nojs")).to_have_text("Voting needs JavaScript.")
        expect(page.locator(".vd-vote-nojs")).to_be_visible()
        expect(page.locator("button.vd-choice")).to_have_count(2)
        for button in page.locator("button.vd-choice").all():
            expect(button).to_be_disabled()
        data = json.loads(page.locator('[data-verdict] > script[type="application/ld+json"]').text_content())
        assert [app["@type"] for app in data["@graph"]] == ["SoftwareApplication", "SoftwareApplication"]
    finally:
        context.close()


# ---- JSON-LD ----------------------------------------------------------------------


def test_each_card_puts_its_json_ld_in_the_light_dom_unless_told_not_to(page: Page, demo: Demo, pages: HostPages):
    html = post(demo.widget, None, inline=False, attrs=' id="on" data-lazy="interaction"').replace(
        '<p id="after">',
        f'<div id="off" data-verdict data-jsonld="off" data-lazy="interaction" data-comparison="{SEED}" '
        f'data-bundle="{demo.widget}/bundles/comparisons.json"></div><p id="after">',
    )
    page.goto(pages.add(html))
    expect(page.locator("#off .vd-title")).to_have_count(1, timeout=10_000)
    script = page.locator('#on > script[type="application/ld+json"]')
    expect(script).to_have_count(1)
    data = json.loads(script.text_content())
    assert data["@context"] == "https://schema.org"
    apps = data["@graph"]
    assert {app["offers"]["name"] for app in apps} == {"Free", "Paid"}
    assert all(review["@type"] == "Review" and review["author"]["name"] for app in apps for review in app["review"])
    assert page.locator('#off > script[type="application/ld+json"]').count() == 0


def test_a_bundle_the_build_never_saw_gets_its_json_ld_from_the_engine(page: Page, demo: Demo):
    page.goto(demo.blog + "/no-prerender.html")
    wait_for_mark(page, "verdict:engine-card")
    script = page.locator('[data-verdict] > script[type="application/ld+json"]')
    expect(script).to_have_count(1)
    assert json.loads(script.text_content())["@graph"][0]["@type"] == "SoftwareApplication"


# ---- Content-Security-Policy --------------------------------------------------------


@pytest.mark.parametrize("delivery", ["header", "meta"])
def test_the_card_votes_under_exactly_the_documented_policy(
    page: Page, demo: Demo, pages: HostPages, votes: str, delivery: str
):
    policy = documented_policy(demo.widget, votes)
    if delivery == "header":
        url = pages.add(post(demo.widget, votes), {"Content-Security-Policy": policy})
    else:
        url = pages.add(
            post(demo.widget, votes, head=f'<meta http-equiv="Content-Security-Policy" content="{policy}">')
        )
    page.goto(url)
    wait_until(page, mark("verdict:live-card"))  # the endpoint's live card, under the policy too
    page.locator(f'button.vd-choice[data-tool="{HEYGEN}"]').click()  # a vote starts the engine
    expect(page.locator(".vd-vote-status")).to_contain_text("is counted", timeout=ENGINE_TIMEOUT)
    assert "Content-Security-Policy" not in errors(page)


WEAKENED = {
    "no worker-src": ("worker-src blob:; ", "", "Add blob: to worker-src"),
    "no wasm-unsafe-eval": (" 'wasm-unsafe-eval'", "", "Add 'wasm-unsafe-eval' to script-src"),
    "widget host not in connect-src": (
        "connect-src {widget} {votes}",
        "connect-src {votes}",
        "Add {widget} to connect-src",
    ),
    "endpoint not in connect-src": (
        "connect-src {widget} {votes}",
        "connect-src {widget}",
        "Add {votes} to connect-src",
    ),
    "no style-src for the inline card": ("; style-src '{style}'", "", "Add '{style}' to style-src"),
}


@pytest.mark.parametrize("weakness", list(WEAKENED))
def test_a_policy_missing_one_directive_keeps_the_card_and_says_what_to_add(
    page: Page, demo: Demo, pages: HostPages, votes: str, weakness: str
):
    style = json.loads((DIST / "manifest.json").read_text())["card_css"]
    take, put, advice = (part.format(widget=demo.widget, votes=votes, style=style) for part in WEAKENED[weakness])
    policy = documented_policy(demo.widget, votes).replace(take, put)
    assert policy != documented_policy(demo.widget, votes)
    # The engine near the viewport, as a reader's touch would start it: its requests meet the policy.
    page.goto(pages.add(post(demo.widget, votes, attrs=' data-lazy="viewport"'), {"Content-Security-Policy": policy}))
    deadline = time.monotonic() + ENGINE_TIMEOUT / 1000
    while advice not in errors(page) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert advice in errors(page), errors(page)
    assert "Verdict: this page's Content-Security-Policy blocks" in errors(page) and CSP_DOCS in errors(page)
    expect(page.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
    expect(page.locator(".vd-headline")).to_contain_text("Dead heat")


# ---- integrity -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tampered(tmp_path_factory) -> Iterator[tuple[str, dict]]:
    """A copy of dist/ whose worker and prerendered cards were altered after the build."""
    copy = tmp_path_factory.mktemp("tampered") / "dist"
    shutil.copytree(DIST, copy)
    assets = json.loads((copy / "manifest.json").read_text())["assets"]
    for path in (assets["worker"], assets["prerendered"]["bundles/comparisons.json"][0]):
        for file in [copy / path, *(copy / path).parent.glob((copy / path).name + ".*")]:
            file.unlink()
        (copy / path).write_bytes((DIST / path).read_bytes().replace(b"Verdict", b"Hacked!", 1))
    with widget_host(copy) as origin:
        yield origin, assets


def test_a_tampered_file_is_refused_with_an_error_card_and_named_on_the_console(
    page: Page, pages: HostPages, tampered: tuple[str, dict]
):
    widget, assets = tampered
    page.goto(pages.add(post(widget, None, inline=False)))
    error = page.locator(".vd-error")
    expect(error).to_contain_text("The comparison engine could not start", timeout=ENGINE_TIMEOUT)
    said = errors(page)
    for path in (assets["worker"], assets["prerendered"]["bundles/comparisons.json"][0]):
        assert f"{widget}/{path} does not match the integrity hash" in said, said
    assert "Hacked!" not in page.content()


def test_a_core_altered_on_the_host_is_never_instantiated_even_compiled_on_the_page(
    page: Page, pages: HostPages, tmp_path: Path
):
    """A returning reader's page compiles the runtime's core itself (loader/core.js): the worker checks the
    very bytes compiled against the build's hash, refuses a different core, and the console names it."""
    copy = tmp_path / "dist"
    shutil.copytree(DIST, copy)
    core = json.loads((copy / "manifest.json").read_text())["assets"]["core"]
    for twin in (copy / core).parent.glob((copy / core).name + ".*"):
        twin.unlink()
    altered = bytearray((copy / core).read_bytes())
    altered[-1] ^= 0xFF  # the last byte of the data section: still a valid WebAssembly module
    (copy / core).write_bytes(bytes(altered))
    with widget_host(copy) as widget:
        page.add_init_script(f"localStorage.setItem('verdict:core', {f'{widget}/{core}'!r})")
        page.goto(pages.add(post(widget, None, attrs=' data-lazy="false"')))
        expect(page.locator(".vd-vote-status")).to_have_text("Voting is unavailable right now.", timeout=ENGINE_TIMEOUT)
        said = errors(page)
        assert f"{widget}/{core} does not match the integrity hash" in said, said
        assert page.evaluate("performance.getEntriesByName('verdict:engine-ready').length") == 0
        expect(page.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")


def test_the_pinned_snippet_runs_the_checked_first_script_and_a_wrong_hash_runs_nothing(
    page: Page, demo: Demo, pages: HostPages
):
    embed = json.loads((DIST / "manifest.json").read_text())["embed"]
    pinned = (
        f'<script src="{demo.widget}/{embed["src"]}" integrity="{embed["integrity"]}" crossorigin="anonymous" '
        f'data-bundle="{demo.widget}/bundles/comparisons.json" data-comparison="{SEED}" data-lazy="interaction" '
        "async></script>"
    )
    page.goto(pages.add(f"<!doctype html><html><body><h1>Pinned</h1>{pinned}</body></html>"))
    expect(page.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
    wrong = pinned.replace(embed["integrity"], "sha384-" + "A" * 64)
    page.goto(pages.add(f"<!doctype html><html><body><h1>Pinned</h1>{wrong}</body></html>"))
    page.wait_for_timeout(1000)
    assert page.evaluate("typeof window.Verdict") == "undefined"
    assert "integrity" in errors(page).lower()


# ---- hosting as publishers do it ----------------------------------------------------------


def test_a_plain_static_server_keeps_the_inline_card_and_names_the_missing_cors_header(page: Page, pages: HostPages):
    with plain_static_server(DIST) as widget:
        page.goto(pages.add(post(widget, None)))
        expect(page.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
        deadline = time.monotonic() + 15
        # Chromium's own CORS error names the header too: wait for the loader's sentence.
        while "sends no Access-Control-Allow-Origin header" not in errors(page) and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        said = errors(page)
        assert "sends no Access-Control-Allow-Origin header" in said and HOSTING in said, said
        expect(page.locator(".vd-title")).to_have_count(1)


def test_a_plain_static_server_still_shows_a_script_tag_card_in_an_iframe_of_the_widget_host(
    page: Page, pages: HostPages, tmp_path: Path
):
    """No CORS header: this page can import nothing from the widget host, but frame.html runs the card there,
    engine and votes included (they come from the widget host's origin, which the endpoint allows here)."""
    with (
        plain_static_server(DIST) as widget,
        start_endpoint([DEMO_BUNDLE], tmp_path / "votes.db", [widget]) as votes,
    ):
        page.goto(pages.add(post(widget, votes, inline=False, attrs=' data-theme="dark"')))
        frame = page.locator("iframe[data-verdict-frame]")
        expect(frame).to_have_count(1)
        assert frame.get_attribute("src").startswith(f"{widget}/frame.html?bundle=comparisons&")
        inside = page.frame_locator("iframe[data-verdict-frame]")
        expect(inside.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
        expect(inside.locator(".vd-root")).to_have_attribute("data-theme", "dark")  # the card's attributes went along
        # The iframe takes its card's height (told by postMessage), so nothing is cut off.
        wait_until(page, "document.querySelector('iframe[data-verdict-frame]').offsetHeight > 600", 15)
        card_height = inside.locator("body").evaluate("body => body.getBoundingClientRect().height")
        assert abs(frame.evaluate("f => f.offsetHeight") - card_height) <= 4
        said = errors(page)
        assert "sends no Access-Control-Allow-Origin header" in said and HOSTING in said, said
        assert f"iframe of {widget}/frame.html" in said and "--allow-origin" in said, said
        inside.get_by_role("button", name="Mistral 4B Edge").click()
        expect(inside.locator(".vd-vote-status")).to_contain_text(
            "your vote for Mistral 4B Edge is counted", timeout=ENGINE_TIMEOUT
        )
        assert httpx.get(f"{votes}/v1/tallies/{SEED}").json()["tallies"]["mistral-4b-edge"] == 1


def test_a_host_with_a_dated_content_type_table_keeps_the_card_and_names_the_wrong_type(page: Page, pages: HostPages):
    """A type table that lacks the runtime's files (.wasm, .whl sent as application/octet-stream, JSON as
    text/plain): the prerendered card shows at once, the engine still starts (the WebAssembly's bytes are
    checked against their hash, only its label is wrong), and the console names the wrong type with its fix."""
    octet = "application/octet-stream"
    wrong = {".wasm": octet, ".whl": octet, ".json": "text/plain"}
    with widget_host(DIST, content_types=wrong) as widget:
        page.goto(pages.add(post(widget, None, inline=False, attrs=' data-lazy="false"')))
        expect(page.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
        wait_for_mark(page, "verdict:engine-card")
        said = errors(page)
        assert "pyodide.asm.wasm is sent as application/octet-stream, not application/wasm" in said, said
        assert "Send JavaScript files as text/javascript" in said and HOSTING in said, said
        assert "lock.json is sent" not in said, said  # fetch() reads JSON whatever its label: nothing to fix


def test_a_host_ignoring_the_precompressed_twins_gets_one_console_note(page: Page, pages: HostPages):
    with widget_host(DIST, precompressed=False) as widget:
        page.goto(pages.add(post(widget, None, attrs=' data-lazy="false"')))
        wait_for_mark(page, "verdict:engine-card")
        notes = [m for m in page.console.of("warning") if "uncompressed" in m]  # type: ignore[attr-defined]
        assert len(notes) == 1, notes
        assert "Content-Encoding" in notes[0] and HOSTING in notes[0]


def test_a_host_forbidding_storage_gets_the_core_downloaded_once(page: Page, pages: HostPages):
    """The page compiles the core once more after a first view (loader/core.js) only from the HTTP cache: a
    widget host sending Cache-Control: no-store gets no second download, and no note for the next view."""
    downloaded: list[str] = []  # answered by the network, not by the HTTP cache
    page.context.on(
        "requestfinished", lambda request: request.sizes()["responseBodySize"] > 0 and downloaded.append(request.url)
    )
    with widget_host(DIST, cache_control="no-store") as widget:
        page.goto(pages.add(post(widget, None, inline=False, attrs=' data-lazy="false"')))
        wait_for_mark(page, "verdict:engine-card")
        page.wait_for_timeout(6000)  # past the idle-time compile's deadline
        assert len([url for url in downloaded if url.endswith(".wasm")]) == 1, downloaded
        assert page.evaluate("localStorage.getItem('verdict:core')") is None


def test_the_widget_host_sends_the_headers_a_cdn_should(demo: Demo):
    manifest = httpx.get(demo.widget + "/manifest.json").json()
    immutable = "public, max-age=31536000, immutable"
    wasm_path = manifest["assets"]["indexURL"] + "pyodide.asm.wasm"
    checks = {
        "embed.js": ("text/javascript; charset=utf-8", "public, max-age=300"),
        manifest["assets"]["worker"]: ("text/javascript; charset=utf-8", immutable),
        manifest["assets"]["stdlib"]: ("application/zip", immutable),
        wasm_path: ("application/wasm", immutable),
        "bundles/comparisons.json": ("application/json", "public, max-age=300"),
    }
    for path, (content_type, cache) in checks.items():
        response = httpx.get(f"{demo.widget}/{path}", headers={"Accept-Encoding": "br"})
        assert response.status_code == 200, path
        headers = response.headers
        assert headers["content-type"] == content_type, path
        assert headers["cache-control"] == cache, path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["access-control-allow-origin"] == "*"
        assert headers["cross-origin-resource-policy"] == "cross-origin"
        assert "set-cookie" not in headers
    wasm = httpx.get(
        f"{demo.widget}/{manifest['assets']['indexURL']}pyodide.asm.wasm", headers={"Accept-Encoding": "br"}
    )
    assert wasm.headers["content-encoding"] == "br" and wasm.headers["vary"] == "Accept-Encoding"


def test_the_reader_meets_no_third_party_request_and_no_cookie(page: Page, demo: Demo):
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    page.goto(demo.blog + "/")
    touch_for_engine(page)
    allowed = (demo.blog, demo.widget, demo.votes, "blob:", "data:")
    assert [url for url in requested if not url.startswith(allowed)] == []
    assert page.context.cookies() == []
    stored = page.evaluate("Object.keys(localStorage)")
    assert set(stored) <= {"verdict", "verdict:core", "verdict:early"}
