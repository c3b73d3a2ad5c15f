"""The docs site (`build.py docs`): strict, nothing from another host, live cards that vote, no axe violation.

Built once per run (conftest.py); the pages' prose is not asserted here, only
what a reader of any version of them would notice: a page that loads clean, a
card that is the real one and counts a vote, the engine's API rendered from its
docstrings, and a broken link that stops the build.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from builder.devtools import docs
from tests.browser.conftest import touch_for_engine, wait_for_mark
from tests.hosting.test_private import _needles, _published_bytes

from ..conftest import MISTRAL, SEED
from .conftest import BuiltDocs, DocsSite

ROOT = Path(__file__).resolve().parents[2]
# The pages the live card is on, by the agreed layout: the home page and the attributes page.
CARD_PAGES = ["", "publishers/attributes/"]

axe = Axe()


def nav_pages() -> list[str]:
    """Every page mkdocs.yml's nav names (docs/…/x.md)."""
    return re.findall(r"^\s*- [^:\n]+: (\S+\.md)$", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)


def test_every_page_of_the_nav_is_built_and_the_api_comes_from_the_docstrings(built_docs: BuiltDocs):
    pages = nav_pages()
    assert len(pages) > 20 and "bundles/api.md" in pages
    for page in pages:
        built = built_docs.site / ("" if page == "index.md" else page.removesuffix(".md")) / "index.html"
        assert built.is_file(), page
    api = (built_docs.site / "bundles" / "api" / "index.html").read_text()
    # `::: verdict.bundle.check_bundle` went to mkdocstrings, not to the card blocks.
    assert 'id="verdict.bundle.check_bundle"' in api and "data-verdict" not in api
    for documented in ("verdict.models.Bundle", "verdict.models.Comparison", "verdict.models.Tool"):
        assert f'id="{documented}"' in api, documented
    assert "Bad input never raises" in api  # check_bundle's docstring
    assert "usage: verdict render" in api and "--embed" in api  # the command's --help, as built
    # `::: verdict` went to the card blocks: the engine's card, and the loader once, relative to dist/.
    attributes = (built_docs.site / "publishers" / "attributes" / "index.html").read_text()
    assert '<div data-verdict data-bundle="../../../bundles/' in attributes and 'class="vd-card' in attributes
    assert attributes.count('<script src="../../../embed.js" async></script>') == 1


def test_no_page_loads_anything_from_another_host(built_docs: BuiltDocs, tmp_path: Path):
    assert docs.fetched_from_elsewhere(built_docs.site) == []
    html = "\n".join(p.read_text() for p in built_docs.site.rglob("*.html"))
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    # The check finds what a theme's default or a careless page would add.
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        '<script src="//cdn.example/mermaid.js"></script><a href="https://example.com/">a plain link</a>'
        "<style>@font-face { src: url('https://fonts.gstatic.com/x.woff2') }</style>"
    )
    (tmp_path / "theme.css").write_text("@import 'https://cdn.example/katex.css'; a { color: red }")
    assert docs.fetched_from_elsewhere(tmp_path) == [
        "page/index.html: https://fonts.googleapis.com/css?family=Roboto",
        "page/index.html: //cdn.example/mermaid.js",
        "page/index.html: https://fonts.gstatic.com/x.woff2",
        "theme.css: https://cdn.example/katex.css",
    ]


def test_the_published_site_names_nothing_of_the_build_machine(built_docs: BuiltDocs):
    """dist/docs/ is published with dist/ (tests/hosting/test_private.py scans dist/ itself)."""
    needles = _needles()
    found = [
        f"{file.relative_to(built_docs.site)}: {what}"
        for file in sorted(built_docs.site.rglob("*"))
        if file.is_file()
        for what, pattern in needles.items()
        if pattern.search(_published_bytes(file))
    ]
    assert found == []


@pytest.mark.parametrize("path", CARD_PAGES)
def test_a_card_page_loads_with_no_console_error_and_shows_the_live_card(page: Page, docs_site: DocsSite, path: str):
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(docs_site.root + path)
    wait_for_mark(page, "verdict:card-visible", timeout=10_000)
    expect(page.locator("[data-verdict] .vd-card").first).to_be_visible()
    wait_for_mark(page, "verdict:live-card")  # the endpoint's live figures: the docs' cards reach it
    assert page.console.problems() == []  # type: ignore[attr-defined]
    assert failed == []


def test_the_live_card_counts_a_vote_on_the_endpoint(page: Page, docs_site: DocsSite):
    page.goto(docs_site.root + "publishers/attributes/")
    touch_for_engine(page)
    card = page.locator("[data-verdict]").first
    comparison = card.get_attribute("data-comparison")
    assert comparison == SEED
    card.locator(f'button.vd-choice[data-tool="{MISTRAL}"]').click()
    expect(card.locator(".vd-vote-status")).to_contain_text("is counted")
    expect(card.locator(f'.vd-tool[data-tool="{MISTRAL}"] .vd-figure-community .vd-figure-value')).to_have_text("100%")
    with urllib.request.urlopen(f"{docs_site.votes}/v1/tallies/{comparison}", timeout=10) as answer:
        tallies = json.load(answer)
    assert tallies["tallies"][MISTRAL] == 1
    assert page.console.problems() == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "scheme"),
    [*((path, "light") for path in [*CARD_PAGES, "bundles/api/"]), ("", "dark"), ("bundles/api/", "dark")],
)
def test_axe_finds_no_violation(browser: Browser, docs_site: DocsSite, path: str, scheme: str):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1300, "height": 900})
    try:
        page = context.new_page()
        page.goto(docs_site.root + path)
        # The theme follows the reader's colour scheme (Material's "slate" when dark).
        expect(page.locator("body")).to_have_attribute(
            "data-md-color-scheme", "slate" if scheme == "dark" else "default"
        )
        if path in CARD_PAGES:
            wait_for_mark(page, "verdict:live-card")
        result = axe.run(page)
        violations = [
            f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result.response["violations"]
        ]
        assert violations == [], "\n".join(violations)
    finally:
        context.close()


@pytest.mark.parametrize(
    ("page", "added", "said"),
    [
        ("publishers/styling.md", "[gone](no-such-page.md)", "no-such-page.md"),
        ("publishers/styling.md", "[gone](attributes.md#no-such-heading)", "no-such-heading"),
        ("contributors/benchmarks.md", '--8<-- "docs/contributors/generated/no-such-run.md"', "no-such-run.md"),
    ],
)
def test_the_strict_build_fails_on_a_broken_link_anchor_or_include(tmp_path: Path, page: str, added: str, said: str):
    pages = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", pages)
    with (pages / page).open("a") as text:
        text.write(f"\n\n{added}\n")
    with pytest.raises(docs.DocsError, match=re.escape(said)):
        docs.build(tmp_path / "site", endpoint=None, docs=pages)
