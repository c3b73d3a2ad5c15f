"""<verdict-card>, the custom element: in a real React 19 page and a real Vue 3
page (built once per run by esbuild from the pinned npm packages), each also
rendered on the server (react-dom/server, vue/server-renderer) and hydrated, and on
hand-written pages (server-rendered with a declarative shadow root, moved,
bad attributes). Frameworks mount, change and unmount it as they please: the
page keeps one engine worker, leaks no card and never shows one twice.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..conftest import DEMO_BUNDLE, SEED
from ..helpers.endpoint import start_endpoint
from .conftest import ENGINE_TIMEOUT, Demo, wait_for_mark
from .hostpage import HostPages

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
APPS = Path(__file__).resolve().parent / "frameworks"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
SEED_TITLE = "HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge"
LINEUP, LINEUP_ID, LINEUP_TITLE = "lineup.json", "edge-runtimes-four-way", "Four edge runtimes, one quarter's budget"

OBSERVE_SHIFTS = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""

TITLE = "document.querySelector('verdict-card')?.shadowRoot?.querySelector('.vd-title')?.textContent"


@pytest.fixture(scope="session")
def framework_apps(tmp_path_factory) -> dict[str, str]:
    """The React and Vue pages' scripts and their server renders, bundled once per run from node_modules (no
    network). Vue reports a hydration mismatch in detail (a console error or warning fails the test)."""
    out = tmp_path_factory.mktemp("frameworks")
    apps = {}
    for name in ("react", "vue", "react_server", "vue_server"):
        bundle = out / f"{name}.js"
        defines = {
            "process.env.NODE_ENV": '"production"',
            "__VUE_OPTIONS_API__": "true",
            "__VUE_PROD_DEVTOOLS__": "false",
            "__VUE_PROD_HYDRATION_MISMATCH_DETAILS__": "true",
        }
        on_server = name.endswith("_server")
        source = APPS / (f"{name}.js" if on_server else f"{name}_app.js")
        command = [
            str(ESBUILD),
            str(source),
            "--bundle",
            "--minify",
            *(["--platform=node", "--format=cjs"] if on_server else ["--format=esm"]),
            f"--outfile={bundle}",
            "--log-level=warning",
            *(f"--define:{k}={v}" for k, v in defines.items()),
        ]
        subprocess.run(command, check=True, cwd=ROOT)
        apps[name] = bundle.read_text()
    return apps


@pytest.fixture(scope="module")
def pages() -> Iterator[HostPages]:
    with HostPages().running() as running:
        yield running


@pytest.fixture(scope="module")
def votes(pages: HostPages, tmp_path_factory) -> Iterator[str]:
    with start_endpoint([DEMO_BUNDLE], tmp_path_factory.mktemp("votes") / "votes.db", [pages.origin]) as url:
        yield url


def framework_page(pages: HostPages, script: str, widget: str, votes: str, server: str | None = None) -> str:
    """The framework's page; with `server` (the framework's server render script), the card's inline form is in
    the server's HTML, inside the element, and the browser hydrates it."""
    app = pages.add(script, {"Content-Type": "text/javascript"}, suffix=".js")
    initial = {"shown": True, "bundle": f"{widget}/bundles/comparisons.json", "comparison": SEED, "theme": "light"}
    settings: dict = {"endpoint": votes, "initial": initial}
    html = ""
    if server:
        settings["inline"] = (DIST / "inline" / "comparisons" / f"{SEED}.html").read_text()
        html = subprocess.run(
            ["node", server], input=json.dumps(settings), capture_output=True, text=True, check=True
        ).stdout
    script_safe = json.dumps(settings).replace("</", "<\\/")
    return pages.add(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title>
<script src="{widget}/embed.js" async></script></head>
<body><div id="root">{html}</div><p>The post goes on below the card, as posts do.</p>
<script>window.VERDICT_TEST = {script_safe};</script>
<script type="module" src="{app}"></script></body></html>""")


def live_cards(page: Page) -> int:
    """How many <verdict-card> objects the page's heap still holds, after a full garbage collection."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("HeapProfiler.collectGarbage")
    prototype = cdp.send("Runtime.evaluate", {"expression": "customElements.get('verdict-card').prototype"})
    found = cdp.send("Runtime.queryObjects", {"prototypeObjectId": prototype["result"]["objectId"]})
    count = cdp.send(
        "Runtime.callFunctionOn",
        {
            "objectId": found["objects"]["objectId"],
            "functionDeclaration": "function () { return this.length; }",
            "returnByValue": True,
        },
    )
    cdp.detach()
    return int(count["result"]["value"])


def wait_for_title(page: Page, title: str) -> None:
    page.wait_for_function(f"{TITLE} === {title!r}", timeout=ENGINE_TIMEOUT)


@pytest.fixture(scope="session")
def framework_servers(framework_apps: dict[str, str], tmp_path_factory) -> dict[str, str]:
    """The frameworks' server render scripts, written once per run: framework name → script path."""
    out = tmp_path_factory.mktemp("server")
    scripts = {}
    for framework in ("react", "vue"):
        script = out / f"{framework}_server.cjs"
        script.write_text(framework_apps[f"{framework}_server"])
        scripts[framework] = str(script)
    return scripts


@pytest.mark.parametrize("framework", ["react", "vue", "react-ssr", "vue-ssr"])
def test_a_framework_mounts_changes_unmounts_and_remounts_the_element(
    page: Page, demo: Demo, pages: HostPages, votes: str, framework_apps: dict[str, str], framework: str,
    framework_servers: dict[str, str],
):  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 720})
    page.add_init_script(OBSERVE_SHIFTS)
    name, _, ssr = framework.partition("-")
    server = framework_servers[name] if ssr else None
    page.goto(framework_page(pages, framework_apps[name], demo.widget, votes, server))
    if server:  # In the server's HTML: drawn with the first paint, before any script of ours.
        served = page.context.request.get(page.url).text()
        assert SEED_TITLE in served and "shadowrootmode" in served
        assert SEED_TITLE in page.evaluate("document.querySelector('verdict-card').shadowRoot.textContent")
    wait_for_title(page, SEED_TITLE)
    box = page.locator("verdict-card").bounding_box()
    assert box and box["y"] < 720, "the card is above the fold"
    wait_for_mark(page, "verdict:engine-card")
    page.wait_for_timeout(300)
    shift = page.evaluate("window.__cls")
    print(f"\n{framework}: cumulative layout shift of the element mounted by the app: {shift}")
    if server:
        assert shift == 0
    expect(page.locator("verdict-card .vd-choice").first).to_be_visible()

    # The manifest shipped in dist/ names exactly the attributes the element observes.
    manifest = json.loads((DIST / "custom-elements.json").read_text())
    declared = [a["name"] for a in manifest["modules"][0]["declarations"][0]["attributes"]]
    assert page.evaluate("customElements.get('verdict-card').observedAttributes") == declared

    # Attribute changes from the framework's state: a restyle, then another bundle and comparison.
    page.evaluate("app.set({theme: 'dark'})")
    expect(page.locator("verdict-card .vd-root")).to_have_attribute("data-theme", "dark")
    page.evaluate(f"app.set({{bundle: {demo.widget + '/bundles/' + LINEUP!r}, comparison: {LINEUP_ID!r}}})")
    wait_for_title(page, LINEUP_TITLE)
    expect(page.locator("verdict-card .vd-root")).to_have_attribute("data-theme", "dark")

    # Unmount and remount, three times over.
    seed_bundle = demo.widget + "/bundles/comparisons.json"
    for _ in range(3):
        page.evaluate("app.set({shown: false})")
        expect(page.locator("verdict-card")).to_have_count(0)
        page.evaluate(f"app.set({{shown: true, bundle: {seed_bundle!r}, comparison: {SEED!r}}})")
        wait_for_title(page, SEED_TITLE)
    wait_for_mark(page, "verdict:engine-card")
    # The engine draws the remounted card again (its vote control, live from the endpoint).
    page.locator("verdict-card .vd-choice").first.click()
    expect(page.locator("verdict-card .vd-vote-status")).not_to_have_text("", timeout=ENGINE_TIMEOUT)

    assert page.locator("verdict-card .vd-card").count() == 1, "one card, never two"
    assert page.evaluate("document.querySelectorAll('[data-verdict]').length") == 0, "no card after the script tag"
    assert page.evaluate("document.querySelectorAll('script[type=\"application/ld+json\"]').length") == 1
    assert len(page.workers) == 1, [w.url for w in page.workers]
    assert live_cards(page) == 1, "an unmounted element is still held"
    assert page.console.problems() == []  # type: ignore[attr-defined]


def element_post(widget: str, inner: str, attrs: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title></head>
<body><h1>A post</h1><p>Before the card.</p><div id="one">
<verdict-card bundle="{widget}/bundles/comparisons.json" comparison="{SEED}"{attrs}>{inner}</verdict-card></div>
<div id="two"></div><p id="after">After the card.</p>
<script src="{widget}/embed.js" async></script></body></html>"""


def test_a_server_rendered_element_paints_with_the_page_and_keeps_its_card_when_moved(
    page: Page, demo: Demo, pages: HostPages
):
    inline = (DIST / "inline" / "comparisons" / f"{SEED}.static.html").read_text()
    page.set_viewport_size({"width": 1280, "height": 720})
    page.add_init_script(OBSERVE_SHIFTS)
    page.goto(pages.add(element_post(demo.widget, inline, ' lazy="false"')))
    wait_for_title(page, SEED_TITLE)
    wait_for_mark(page, "verdict:engine-card")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__cls") == 0
    # Moved elsewhere on the page: the same card, not a second one, not a blank one.
    page.evaluate("window.__shown = document.querySelector('verdict-card').shadowRoot.querySelector('.vd-card')")
    page.evaluate("document.getElementById('two').append(document.querySelector('verdict-card'))")
    page.wait_for_timeout(200)
    moved = "document.querySelector('#two verdict-card').shadowRoot.querySelector('.vd-card')"
    assert page.evaluate(f"{moved} === window.__shown")
    assert page.locator("verdict-card .vd-card").count() == 1
    assert page.evaluate("document.querySelectorAll('script[type=\"application/ld+json\"]').length") == 1
    assert page.console.problems() == []  # type: ignore[attr-defined]


def test_a_bad_element_attribute_is_warned_about_by_its_own_name(page: Page, demo: Demo, pages: HostPages):
    page.goto(pages.add(element_post(demo.widget, "", ' theme="purple" heading-level="9"')))
    wait_for_title(page, SEED_TITLE)
    warnings = page.console.of("warning")  # type: ignore[attr-defined]
    assert 'Verdict: theme="purple" is not valid: it takes light, dark or auto; using "light".' in warnings, warnings
    assert 'Verdict: heading-level="9" is not valid: it takes a number from 1 to 6; using level 2.' in warnings
    expect(page.locator("verdict-card .vd-root")).to_have_attribute("data-theme", "light")
    # Fixed in place: the card follows, warned once per value.
    page.evaluate("document.querySelector('verdict-card').setAttribute('theme', 'dark')")
    expect(page.locator("verdict-card .vd-root")).to_have_attribute("data-theme", "dark")
    assert page.console.of("error") == []  # type: ignore[attr-defined]
