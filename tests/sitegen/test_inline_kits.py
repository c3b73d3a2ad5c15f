"""Generators without Python write the same card as the engine, from the inline kit.

The Hugo shortcode, the Jekyll include and verdict-inline.mjs (Eleventy, Astro,
Docusaurus) assemble the inline form from dist/inline/<bundle>.json; for the
same attributes their card must be the engine's own (the Python extension's
output, `verdict render --embed`'s), element for element, or the loader's
takeover would move it. A bad attribute stops the site build with the page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builder.devtools.examples import EXAMPLES, ExampleError, build_example
from verdict.rules import loader_rules
from verdict_sitegen.card import CardRenderer, SiteSettings, parse_block

from ..conftest import DEMO_BUNDLE, SEED

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
WIDGET, VOTES = "https://widget.example/verdict/", "https://votes.example"
ATTRIBUTES = {
    "comparison": SEED,
    "theme": "dark",
    "layout": "stacked",
    "heading-level": "4",
    "locale": "de-AT",
    "cta-url": "https://example.org/join?list=a&from=card",
    "cta-text": "Our weekly   <mail>",
    "lazy": "interaction",
    "accent": "#0f766e",
    "jsonld": "off",
}


class Tokens(HTMLParser):
    """Elements, attributes (in any order, `hidden` as `hidden=""`) and text: what the browser builds (a line
    break Markdown puts between two elements aside)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[object, ...]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, tuple(sorted((k, v or "") for k, v in attrs))))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data != "\n":
            self.tokens.append(("text", data))


def engine(attributes: dict[str, str]) -> str:
    renderer = CardRenderer(
        SiteSettings(widget=WIDGET, bundles=DEMO_BUNDLE.parent, css=DIST / "card.css", endpoint=VOTES)
    )
    block = "\n".join(f"{name}: {value}" for name, value in {"bundle": "comparisons", **attributes}.items())
    return renderer.card_html(parse_block(block)) + renderer.script_tag()


def card_in(html: str) -> str:
    found = re.search(r"<div data-verdict.*?embed\.js\" async(?:=\"\")?></script>", html, re.DOTALL)
    assert found, "no card in the page"
    return found.group(0)


def node_card(attributes: dict[str, str], kit: Path = DIST / "inline" / "comparisons.json") -> str:
    module = DIST / "inline" / "verdict-inline.mjs"
    script = f"""
    import {{ readFileSync }} from "node:fs";
    import {{ verdictCard, verdictScript }} from "{module}";
    const kit = JSON.parse(readFileSync("{kit}", "utf8"));
    const site = {{ widget: "{WIDGET}", endpoint: "{VOTES}" }};
    try {{ process.stdout.write(verdictCard(kit, JSON.parse(process.argv[1]), site) + verdictScript(site)); }}
    catch (error) {{ process.stdout.write("ERROR " + error.message); }}
    """
    given = json.dumps({"bundle": "comparisons", **attributes})
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, given], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def site_page(name: str, tmp_path: Path, tag: str, dist: Path = DIST) -> str:
    """Build the example with its post's card replaced by `tag` (the kits from `dist`); the post written."""
    source = tmp_path / "source"
    shutil.copytree(EXAMPLES / name, source)
    post = next(p for p in source.rglob("*card.md"))
    post.write_text(
        re.sub(r"\{[{%]-?[<%]? ?(?:verdict|include verdict).*?[>%]-?\}\}?", lambda _: tag, post.read_text())
    )
    built = build_example(name, tmp_path / "out", widget=WIDGET, endpoint=VOTES, source=source, dist=dist)
    page = built.root / built.post.lstrip("/")
    return (page if built.post.endswith(".html") else page / "index.html").read_text()


def site_card(name: str, tmp_path: Path, tag: str) -> str:
    """The card the generator wrote for `tag`."""
    return card_in(site_page(name, tmp_path, tag))


def shortcode(name: str, attributes: dict[str, str]) -> str:
    given = " ".join(f'{key}="{value}"' for key, value in {"bundle": "comparisons", **attributes}.items())
    return f"{{{{< verdict {given} >}}}}" if name == "hugo" else f"{{% include verdict.html {given} %}}"


@pytest.mark.parametrize(
    "attributes",
    [{"comparison": SEED}, ATTRIBUTES, {"sections": "cta, vote,figures"}, {"sections": "figures,vote"}],
    ids=["defaults", "every-attribute", "sections-reordered", "sections"],
)
def test_verdict_inline_mjs_writes_the_engines_card(attributes):
    assert Tokens(node_card(attributes)).tokens == Tokens(engine(attributes)).tokens


@pytest.mark.parametrize("name", ["hugo", "jekyll"])
def test_hugo_and_jekyll_write_the_engines_card_for_every_attribute(name, tmp_path: Path):
    written = site_card(name, tmp_path, shortcode(name, ATTRIBUTES))
    assert Tokens(written).tokens == Tokens(engine(ATTRIBUTES)).tokens


def test_sections_are_hidden_and_ordered_by_the_frame_as_the_loader_does():
    card = node_card({"sections": "cta, vote,figures"})
    assert (
        '<div class="vd-root" data-theme="light" data-sections="cta vote figures" '
        'style="--vd-order-cta:1;--vd-order-vote:2">' in card
    )
    assert 'data-sections="cta, vote,figures"' in card


@pytest.mark.parametrize(
    ("attributes", "said"),
    [
        ({"comparison": "nope"}, f"bundle comparisons: no comparison 'nope' (known: {SEED})"),
        ({"theme": "purple"}, 'data-theme="purple" is not valid: it takes light, dark or auto'),
        ({"heading-level": "7"}, 'data-heading-level="7" is not valid: it takes a number from 1 to 6'),
        ({"colour": "red"}, 'unknown attribute "colour"'),
    ],
)
def test_verdict_inline_mjs_refuses_a_bad_card(attributes, said):
    assert node_card(attributes).startswith(f"ERROR verdict: {said}")


@pytest.mark.parametrize(
    ("name", "where"), [("hugo", r"content/posts/card\.md:\d+:\d+"), ("jekyll", r"_posts/2026-12-01-card\.md")]
)
def test_hugo_and_jekyll_fail_the_build_on_a_bad_card_naming_the_page(name, where, tmp_path: Path):
    with pytest.raises(ExampleError) as caught:
        site_card(name, tmp_path, shortcode(name, {"comparison": "nope"}))
    message = str(caught.value)
    assert re.search(where, message), message
    assert "verdict: bundle comparisons: no comparison" in message and "nope" in message, message


@pytest.mark.parametrize("name", ["hugo", "jekyll"])
def test_two_cards_on_a_page_bring_the_loader_once(name, tmp_path: Path):
    two = shortcode(name, {"comparison": SEED}) + "\n\nBetween the cards.\n\n" + shortcode(name, {"theme": "dark"})
    page = site_page(name, tmp_path, two)
    assert page.count("<div data-verdict") == 2
    assert page.count("embed.js") == 1


def test_the_kit_carries_the_engines_rules():
    kit = json.loads((DIST / "inline" / "comparisons.json").read_text())
    assert kit["rules"] == loader_rules()
    assert kit["rules"]["sections"] == ["figures", "description", "scorecard", "vote", "cta"]


def test_verdict_inline_mjs_checks_by_the_kits_rules_not_its_own(tmp_path: Path):
    """A rule changed in verdict.rules reaches JavaScript generators with the next build's kit."""
    kit = json.loads((DIST / "inline" / "comparisons.json").read_text())
    kit["rules"].update(themes=["light", "auto"], ctaTextMax=5, sections=["figures", "vote"], slug="[a-z]+")
    changed = tmp_path / "comparisons.json"
    changed.write_text(json.dumps(kit))
    assert node_card({"theme": "dark"}, changed).startswith(
        'ERROR verdict: data-theme="dark" is not valid: it takes light or auto'
    )
    assert node_card({"cta-text": "Join us"}, changed).startswith(
        'ERROR verdict: data-cta-text="Join us" is not valid: it takes text of 1 to 5 characters'
    )
    assert node_card({"sections": "figures,cta"}, changed).startswith(
        'ERROR verdict: data-sections="figures,cta" is not valid: it takes a comma-separated list of figures, vote'
    )
    assert "ERROR" not in node_card({"theme": "dark", "cta-text": "Join us", "sections": "figures,cta"})
    del kit["rules"]
    changed.write_text(json.dumps(kit))
    assert node_card({}, changed).startswith("ERROR verdict: the inline kit carries no rules")


@pytest.mark.parametrize("name", ["hugo", "jekyll"])
def test_hugo_and_jekyll_check_by_the_kits_rules_not_their_own(name, tmp_path: Path):
    """A rule changed in verdict.rules reaches the Hugo shortcode and the Jekyll include with the next kit."""
    kit = json.loads((DIST / "inline" / "comparisons.json").read_text())
    kit["rules"].update(themes=["light", "auto"], headingLevels=[2, 3])
    changed = tmp_path / "dist"
    (changed / "inline").mkdir(parents=True)
    (changed / "inline" / "comparisons.json").write_text(json.dumps(kit))
    for attributes, said in (
        ({"theme": "dark"}, "is not valid: it takes light or auto"),
        ({"heading-level": "4"}, "is not valid: it takes a number from 2 to 3"),
    ):
        with pytest.raises(ExampleError) as caught:
            site_page(name, tmp_path / next(iter(attributes)), shortcode(name, attributes), dist=changed)
        assert said in str(caught.value), str(caught.value)
    del kit["rules"]
    (changed / "inline" / "comparisons.json").write_text(json.dumps(kit))
    with pytest.raises(ExampleError) as caught:
        site_page(name, tmp_path / "no-rules", shortcode(name, {}), dist=changed)
    assert "carries no rules" in str(caught.value), str(caught.value)
