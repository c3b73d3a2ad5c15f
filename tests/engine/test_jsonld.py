"""JSON-LD for search engines: its shape, and that bundle text cannot break out of it."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from verdict.bundle import BundleIndex, load_bundle
from verdict.jsonld import comparison_jsonld, jsonld_script, plain_text

from ..conftest import HEYGEN, MISTRAL, SEED


class Scripts(HTMLParser):
    """The <script> elements a browser's parser would see, with their text."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.tags: list[str] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def scripts_in(html: str) -> Scripts:
    parser = Scripts()
    parser.feed(html)
    return parser


def graph_of(bundle_data) -> list[dict]:
    index = BundleIndex(load_bundle(bundle_data))
    html = jsonld_script(index, index.comparison(SEED))
    (attrs, text), *rest = scripts_in(html).scripts
    assert rest == [] and attrs == {"type": "application/ld+json"}
    data = json.loads(text)
    assert data["@context"] == "https://schema.org"
    return data["@graph"]


def test_tools_are_software_applications_with_free_or_paid_offers(bundle_data):
    graph = graph_of(bundle_data)
    names = {tool["id"]: tool["name"] for tool in bundle_data["tools"]}
    assert [app["@type"] for app in graph] == ["SoftwareApplication", "SoftwareApplication"]
    assert [app["name"] for app in graph] == [names[HEYGEN], names[MISTRAL]]
    offers = {app["name"]: app["offers"] for app in graph}
    assert offers[names[HEYGEN]]["@type"] == "Offer" and offers[names[HEYGEN]]["name"] == "Paid"
    assert "price" not in offers[names[HEYGEN]]
    assert offers[names[MISTRAL]] | {"description": None} == {
        "@type": "Offer",
        "name": "Free",
        "price": "0",
        "description": None,
    }
    for app in graph:
        assert app["applicationCategory"] and app["description"] and app["url"].startswith("https://")


def test_each_panel_verdict_is_a_review_by_its_reviewer(bundle_data):
    graph = graph_of(bundle_data)
    comparison = next(c for c in bundle_data["comparisons"] if c["id"] == SEED)
    reviewers = {r["id"]: r["name"] for r in bundle_data["reviewers"]}
    for app, tool in zip(graph, comparison["tools"], strict=True):
        reviews = app["review"]
        assert len(reviews) == len(comparison["scorecard"]) == 4
        for review, row in zip(reviews, comparison["scorecard"], strict=True):
            assert review["@type"] == "Review"
            assert review["author"] == {"@type": "Person", "name": reviewers[row["reviewer"]]}
            call = row["verdicts"][tool]["call"]
            assert review["name"].startswith("Ship" if call == "ship" else "Skip")
            assert review["reviewBody"] and "*" not in review["reviewBody"]
            assert review["publisher"]["name"] == bundle_data["site"]["name"]


def test_bundle_text_cannot_close_the_script_element(bundle_data):
    hostile = '</script><script>alert(1)</script><!-- & "quotes" \u2028'
    bundle_data["tools"][0]["name"] = "Evil </SCRIPT> tool"
    bundle_data["comparisons"][0]["scorecard"][0]["verdicts"][HEYGEN]["text"] = hostile
    index = BundleIndex(load_bundle(bundle_data))
    html = jsonld_script(index, index.comparison(SEED))
    parsed = scripts_in(html)
    assert parsed.tags == ["script"], "bundle text opened an element"
    assert "</script" not in html[:-9].lower() and "<!--" not in html
    data = json.loads(parsed.scripts[0][1])
    assert data["@graph"][0]["name"] == "Evil </SCRIPT> tool"
    assert data["@graph"][0]["review"][0]["reviewBody"] == hostile.replace("\u2028", "").strip()


def test_rich_text_becomes_plain_text():
    text = "Use **strong** and *em* with `code`.\n\nRead [the docs](https://example.com) first."
    assert plain_text(text) == "Use strong and em with code.\n\nRead the docs first."


def test_comparison_jsonld_is_json_serialisable(bundle_data):
    index = BundleIndex(load_bundle(bundle_data))
    for comparison in index.bundle.comparisons:
        assert json.loads(json.dumps(comparison_jsonld(index, comparison)))["@graph"]
