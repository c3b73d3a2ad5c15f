"""A module the shipped runtime lacks is named on the reader's console, with the build option that restores it.

The trim ships only what a traced run of the engine imported; should the trace miss a path, the module it
needs fails to import only in a reader's browser. Here the widget host serves dist/'s standard library
without one module (and the loader and embed script with the integrity hashes that go with it, as a
build that left it out would), in real Chromium: once a module the engine imports at start (its voter
tokens), once one it first imports at a card's mount (the HTTP client's URL parsing). The publisher's
console says which module and how to restore it, once; the prerendered card stays readable.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile

import pytest
from playwright.sync_api import Page, Route, expect

from builder.paths import DIST

from .conftest import ENGINE_TIMEOUT, Demo, wait_for_mark
from .test_card import SEED_FACTS

RESTORE = "python3 build.py build --plain-runtime"


def integrity(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def serve_without(page: Page, member: str) -> None:
    """The widget host serves the standard library without `member`; the hashes that pin it follow."""
    manifest = json.loads((DIST / "manifest.json").read_text())
    stdlib_path = manifest["assets"]["stdlib"]
    stdlib = (DIST / stdlib_path).read_bytes()
    lacking = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(stdlib)) as source, zipfile.ZipFile(lacking, "w") as out:
        assert member in source.namelist()
        for info in source.infolist():
            if info.filename != member:
                out.writestr(info, source.read(info))
    replaced = {stdlib_path: lacking.getvalue()}
    (loader_path,) = [p for p in manifest["files"] if p.startswith("assets/loader.")]
    loader = (DIST / loader_path).read_bytes()
    replaced[loader_path] = loader.replace(integrity(stdlib).encode(), integrity(replaced[stdlib_path]).encode())
    embed = (DIST / "embed.js").read_bytes()
    replaced["embed.js"] = embed.replace(integrity(loader).encode(), integrity(replaced[loader_path]).encode())
    assert replaced[loader_path] != loader and replaced["embed.js"] != embed

    def fulfil(route: Route) -> None:
        path = route.request.url.split("/", 3)[3].split("?")[0]
        if path not in replaced:
            route.continue_()
            return
        kind = "application/zip" if path.endswith(".zip") else "text/javascript"
        route.fulfill(body=replaced[path], headers={"content-type": kind, "access-control-allow-origin": "*"})

    # On the context: its routes see the worker's requests too.
    page.context.route("**/*", fulfil)


@pytest.mark.parametrize(
    ("member", "module"),
    [("secrets.pyc", "secrets"), ("urllib/parse.pyc", "urllib.parse")],
    ids=["at-start", "at-mount"],
)
def test_a_module_the_runtime_lacks_is_named_and_the_card_stays(page: Page, demo: Demo, member, module) -> None:
    serve_without(page, member)
    page.goto(demo.blog + "/")
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    page.locator("[data-verdict]").first.dispatch_event("pointerdown")  # the reader's touch starts the engine
    expect(page.locator(".vd-vote-status")).to_have_text("Voting is unavailable right now.", timeout=ENGINE_TIMEOUT)

    console = page.console  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # anything said after the error would be said by now
    assert len(console.problems()) == 1, console.messages
    (said,) = console.of("error")
    assert f'lacks the module "{module}"' in said and RESTORE in said
    # The prerendered card is still there, whole and readable: no error card took its place.
    card = page.locator(".vd-card")
    for fact in SEED_FACTS:
        expect(card).to_contain_text(fact)
    expect(page.locator(".vd-error")).to_have_count(0)
    assert page.evaluate("document.title")  # the host page carries on
