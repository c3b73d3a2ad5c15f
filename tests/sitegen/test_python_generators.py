"""The Python site generators' cards: the Markdown extension and the Sphinx directive.

Each turns a card block into the inline form the engine renders (the same
bytes as `verdict render --embed` for the same settings), puts the loader's
script tag once on a page, and stops the site build on a bad card with the
page, the line and the engine's message. The real MkDocs, Pelican and Sphinx
build the examples here (tests/browser/test_examples.py loads them in Chromium).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import markdown
import pytest

from builder.devtools.examples import EXAMPLES, ExampleError, build_example
from verdict.bundle import BundleIndex, load_bundle
from verdict.inline import inline_card
from verdict.jsonld import jsonld_script
from verdict.render import RenderOptions, render_card
from verdict_sitegen.markdown import PAGE_ROOT, VerdictBlockError

from ..conftest import DEMO_BUNDLE, SEED

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "dist" / "card.css"
WIDGET, VOTES = "https://widget.example/verdict/", "https://votes.example"


def convert(text: str, **config: str) -> str:
    settings = {"widget": WIDGET, "bundles": str(DEMO_BUNDLE.parent), "css": str(CSS), **config}
    return markdown.Markdown(extensions=["verdict", "fenced_code"], extension_configs={"verdict": settings}).convert(
        text
    )


def engine_card(**options: object) -> str:
    """The inline form as the engine itself renders it (what `verdict render --embed` prints)."""
    index = BundleIndex(load_bundle(DEMO_BUNDLE.read_bytes()))
    look = {k: options.pop(k) for k in ("theme", "layout") if k in options}
    card = render_card(index, index.comparison(SEED), RenderOptions(**options))  # type: ignore[arg-type]
    return inline_card(card, CSS.read_text(), **look, jsonld=jsonld_script(index, index.comparison(SEED)))  # type: ignore[arg-type]


def test_a_block_becomes_the_engines_inline_card_with_its_attributes():
    html = convert(
        f"# Post\n\n::: verdict\n    bundle: comparisons\n    comparison: {SEED}\n    theme: dark\n"
        "    layout: stacked\n    heading-level: 3\n    locale: de-AT\n    sections: vote,cta,figures\n\nAfter.\n",
        endpoint=VOTES,
    )
    # Every section is in the card, as in the endpoint's live card: the frame hides those left out.
    expected = engine_card(theme="dark", layout="stacked", heading_level=3, locale="de-AT", voting=True)
    frame = '<div class="vd-root" data-theme="dark" data-layout="stacked">'
    assert expected.replace(frame, frame[:-1] + ' data-sections="vote cta figures">') in html
    opening = re.search(r"<div data-verdict[^>]*>", html)
    assert opening is not None
    assert opening.group(0) == (
        f'<div data-verdict data-bundle="{WIDGET}bundles/comparisons.json" data-comparison="{SEED}" '
        f'data-endpoint="{VOTES}" data-theme="dark" data-sections="vote,cta,figures" data-heading-level="3" '
        'data-layout="stacked" data-locale="de-AT">'
    )
    assert '<div class="vd-root" data-theme="dark" data-layout="stacked" data-sections="vote cta figures">' in html
    assert html.index("<h1>Post</h1>") < html.index("data-verdict") < html.index("<p>After.</p>")


def test_results_after_the_vote_are_held_back_in_the_inline_card_too():
    html = convert("::: verdict\n    bundle: comparisons\n    results: after-vote\n", endpoint=VOTES)
    assert 'data-results="after-vote"' in html and "shown after you vote" in html
    assert "shown after you vote" not in convert("::: verdict\n    bundle: comparisons\n", endpoint=VOTES)


def test_the_loader_comes_once_per_page_and_code_showing_the_syntax_is_left_alone():
    block = "::: verdict\n    bundle: comparisons\n"
    html = convert(f"{block}\nText.\n\n{block}\n```\n{block}```\n")
    assert html.count("<div data-verdict") == 2
    assert html.count(f'<script src="{WIDGET}embed.js" async></script>') == 1
    assert "<pre><code>::: verdict\n    bundle: comparisons\n</code></pre>" in html
    # No endpoint: the card has no vote control, as the loader renders it.
    assert "vd-choice" not in html.split("<pre>")[0].replace(CSS.read_text(), "")


def test_a_relative_widget_is_taken_from_the_site_root_the_generator_names():
    """A site served by the widget host itself (docs under dist/docs/) names dist/ relatively; the MkDocs plugin
    says how far each page is from the site's root, and the card's URLs start there."""
    block = "::: verdict\n    bundle: comparisons\n"
    token = PAGE_ROOT.set("../../")
    try:
        deep, from_host_root = convert(block, widget="../"), convert(block, widget="/verdict/")
    finally:
        PAGE_ROOT.reset(token)
    assert '<script src="../../../embed.js" async></script>' in deep
    assert 'data-bundle="../../../bundles/comparisons.json"' in deep
    assert 'data-bundle="../bundles/comparisons.json"' in convert(block, widget="../")
    # A path from the host's root means the same from every page.
    assert '<script src="/verdict/embed.js" async></script>' in from_host_root


def test_a_relative_widget_needs_the_local_bundles_and_stylesheet():
    with pytest.raises(VerdictBlockError, match=r"relative widget setting .* needs the bundles and css settings"):
        markdown.Markdown(extensions=["verdict"], extension_configs={"verdict": {"widget": "../"}})
    with pytest.raises(VerdictBlockError, match=r"takes the widget host.s http.s. URL or a relative URL"):
        convert("::: verdict\n    bundle: comparisons\n", widget="javascript:alert(1)//")


@pytest.mark.parametrize(
    ("block", "line", "message"),
    [
        ("    bundle: comparisons\n    comparison: nope\n", 5, "no comparison 'nope' (known: " + SEED),
        ("    bundle: comparisons\n    theme: purple\n", 5, 'data-theme="purple" is not valid: it takes light, dark'),
        ("    bundle: comparisons\n    locale: xx\n", 5, 'data-locale="xx" is not valid: it takes a language'),
        ("    bundle: comparisons\n    results: later\n", 5, 'data-results="later" is not valid: it takes always or'),
        ("    bundle: comparisons\n    colour: red\n", 5, "unknown setting 'colour'"),
        ("    bundle: missing\n", 4, "cannot read the bundle"),
        ("    comparison: x\n", 3, "the card names no bundle"),
    ],
)
def test_a_bad_block_stops_the_build_naming_its_line_and_what_is_wrong(block, line, message):
    with pytest.raises(VerdictBlockError) as caught:
        convert(f"# Post\n\n::: verdict\n{block}")
    assert str(caught.value).startswith(f"line {line}: verdict card: ")
    assert message in str(caught.value)


def test_a_broken_bundle_is_named_with_the_engines_problems(tmp_path: Path):
    data = json.loads(DEMO_BUNDLE.read_text())
    del data["tools"][0]["name"]
    (tmp_path / "comparisons.json").write_text(json.dumps(data))
    with pytest.raises(VerdictBlockError, match=r"line 2: .*comparisons.json is broken: tools\[0\]\.name"):
        convert("::: verdict\n    bundle: comparisons\n", bundles=str(tmp_path))


def broken_example(name: str, tmp_path: Path, post: str, replace: tuple[str, str]) -> Path:
    source = tmp_path / "source"
    shutil.copytree(EXAMPLES / name, source)
    page = source / post
    page.write_text(page.read_text().replace(*replace))
    return source


@pytest.mark.parametrize(
    ("name", "post", "replace", "said"),
    [
        (
            "mkdocs",
            "docs/posts/card.md",
            ("comparison: heygen", "comparison: nope-heygen"),
            r"posts/card\.md.*line 11: verdict card: bundle comparisons: no comparison 'nope-heygen-",
        ),
        (
            "pelican",
            "content/posts/card.md",
            ("    comparison:", "    theme: purple\n    comparison:"),
            r"Could not process posts/card\.md.*line 9: verdict card: data-theme=\"purple\" is not valid",
        ),
        (
            "sphinx",
            "posts/card.rst",
            (":comparison: heygen", ":comparison: nope-heygen"),
            r"posts/card\.rst:6: bundle comparisons: no comparison 'nope-heygen-",
        ),
    ],
)
def test_a_bad_card_fails_the_real_site_build_naming_page_and_line(name, post, replace, said, tmp_path: Path):
    source = broken_example(name, tmp_path, post, replace)
    with pytest.raises(ExampleError) as caught:
        build_example(name, tmp_path / "out", widget=WIDGET, endpoint=VOTES, source=source)
    assert re.search(said, str(caught.value), re.DOTALL), str(caught.value)
