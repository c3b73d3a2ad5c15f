"""The console names the real cause: each error the loader prints is checked
here (or where its situation is tested: integrity, CSP and hosting in
test_host_pages.py) against the situation it claims, and a publisher's slips
get our own words or simply work.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..conftest import SEED
from .conftest import ENGINE_TIMEOUT, Demo
from .hostpage import HostPages
from .servers import widget_host

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
SEED_TITLE = "HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge"


@pytest.fixture(scope="module")
def pages() -> Iterator[HostPages]:
    with HostPages().running() as running:
        yield running


def said(page: Page) -> str:
    return "\n".join(page.console.problems())  # type: ignore[attr-defined]


@pytest.mark.parametrize("comparison", [f' data-comparison="{SEED}"', ""])
def test_a_script_tag_carrying_data_verdict_renders_its_card_after_it(
    page: Page, demo: Demo, pages: HostPages, comparison: str
):
    page.goto(
        pages.add(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title></head>
<body><h1>A post</h1><script src="{demo.widget}/embed.js" data-verdict
  data-bundle="{demo.widget}/bundles/comparisons.json"{comparison} data-lazy="false" async></script>
<p id="after">After the card.</p></body></html>""")
    )
    expect(page.locator("script + [data-verdict] .vd-title")).to_have_text(SEED_TITLE)
    expect(page.locator("[data-verdict] .vd-card")).to_have_count(1)
    page.wait_for_function("performance.getEntriesByName('verdict:engine-card').length > 0", timeout=ENGINE_TIMEOUT)
    assert page.evaluate("document.querySelector('script[data-verdict]').shadowRoot") is None
    assert said(page) == ""


def test_a_placeholder_and_element_without_a_bundle_say_so(page: Page, demo: Demo, pages: HostPages):
    page.goto(
        pages.add(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title></head>
<body><div data-verdict data-comparison="{SEED}"></div><verdict-card comparison="{SEED}"></verdict-card>
<script src="{demo.widget}/embed.js" async></script></body></html>""")
    )
    expect(page.locator(".vd-error")).to_have_count(2)
    errors = page.console.of("error")  # type: ignore[attr-defined]
    assert errors == ["Verdict: no data-bundle on the card or the script tag; nothing to show."] * 2, errors


@pytest.fixture(scope="module", params=["missing", "altered"])
def broken_loader(request, tmp_path_factory) -> Iterator[tuple[str, str, str]]:
    """A copy of dist/ whose loader module is missing (a partial upload) or altered after the build."""
    copy = tmp_path_factory.mktemp(request.param) / "dist"
    shutil.copytree(DIST, copy)
    loader = json.loads((copy / "manifest.json").read_text())["assets"]["loader"]
    original = (copy / loader).read_bytes()
    for file in (copy / loader).parent.glob((copy / loader).name + "*"):
        file.unlink()
    if request.param == "altered":
        (copy / loader).write_bytes(original.replace(b"Verdict", b"Hacked!", 1))
    with widget_host(copy) as origin:
        yield request.param, origin, loader


def test_a_loader_is_called_altered_only_when_its_bytes_are(
    page: Page, pages: HostPages, broken_loader: tuple[str, str, str]
):
    how, widget, loader = broken_loader
    page.goto(
        pages.add(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Post</title></head>
<body><script src="{widget}/embed.js" data-bundle="{widget}/bundles/comparisons.json" async></script></body></html>""")
    )
    expect(page.locator("[data-verdict]")).to_have_text("This comparison can't be shown right now.")
    page.wait_for_timeout(200)
    errors = page.console.of("error")  # type: ignore[attr-defined]
    if how == "missing":
        wanted = f"Verdict: the loader could not be loaded: {widget}/{loader} could not be fetched (HTTP 404)."
        assert wanted in errors, errors
        assert "integrity" not in said(page)
    else:
        wanted = f"Verdict: the loader could not be loaded: {widget}/{loader} does not match the integrity hash"
        assert any(error.startswith(wanted) for error in errors), errors
