"""The card's HTML: what a reader sees, and nothing a bundle can inject."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from verdict.bundle import BundleError, BundleIndex, Problem, load_bundle
from verdict.render import CardState, RenderOptions, VoteState, render_card, render_error
from verdict.richtext import render_rich_text
from verdict.rules import Section

from ..conftest import HEYGEN, MISTRAL, SEED


class Collector(HTMLParser):
    """Every tag and attribute the HTML really contains, as a browser parses it."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


VOTING = RenderOptions(voting=True)
NO_VOTES = CardState()


def card(data, options=VOTING, state=NO_VOTES):
    index = BundleIndex(load_bundle(data))
    return render_card(index, index.comparison(SEED), options, state)


def visible_text(html: str) -> str:
    return " ".join(" ".join(parse(html).text).split())


def test_card_shows_the_seed_facts(bundle_data):
    text = visible_text(card(bundle_data))
    for fact in [
        "AI tool comparison",
        "HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge",
        "Developer Tools",
        "Panel ship 75% 3 of 4",
        "Community — no votes yet",
        "Entry Paid",
        "Entry Free",
        "Reviewer scorecard",
        "3 ship · 1 skip",
        "dissent: Daniel Brandt (Buyer and business model)",
        "Which would you ship?",
        "Get the next comparison in your inbox",
        "Pricing read Usage-based credits",
    ]:
        assert fact in text, fact


def test_scorecard_has_eight_verdicts_grouped_by_reviewer(bundle_data):
    tags = parse(card(bundle_data)).tags
    order = [(a.get("data-reviewer")) for t, a in tags if a.get("class") == "vd-review"]
    assert order == ["priya-raman", "tomas-ferreira", "ines-okafor", "daniel-brandt"]
    verdicts = [a["data-tool"] for t, a in tags if a.get("class") == "vd-verdict"]
    assert verdicts == [HEYGEN, MISTRAL] * 4
    calls = [a["class"] for t, a in tags if "vd-call" in a.get("class", "")]
    assert calls.count("vd-call vd-call-skip") == 2 and len(calls) == 8


def test_no_vote_control_without_an_endpoint(bundle_data):
    html = card(bundle_data, RenderOptions(voting=False))
    assert "Which would you ship?" not in html and 'data-action="vote"' not in html


def test_my_vote_is_pressed_and_withdrawable(bundle_data):
    html = card(bundle_data, state=CardState({HEYGEN: 3, MISTRAL: 1}, VoteState(mine=MISTRAL)))
    buttons = {a["data-tool"]: a for t, a in parse(html).tags if a.get("data-action") == "vote"}
    assert buttons[MISTRAL]["aria-pressed"] == "true" and buttons[HEYGEN]["aria-pressed"] == "false"
    withdraw = next(a for t, a in parse(html).tags if a.get("data-action") == "withdraw")
    assert "hidden" not in withdraw
    assert "75% 3 votes" in visible_text(html) and "4 votes so far." in visible_text(html)


def test_sections_and_heading_level_follow_the_options(bundle_data):
    html = card(bundle_data, RenderOptions(sections=(Section.CTA,), heading_level=3, voting=True))
    assert "Reviewer scorecard" not in html and "Which would you ship?" not in html
    assert "Panel ship" not in html and "Subscribe" in html
    assert re.search(r'<h3 class="vd-title"', html) and '<h4 class="vd-tool-name"' in html


HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_bundle_text_can_never_become_markup(bundle_data):
    bundle_data["tools"][0]["name"] = HOSTILE
    bundle_data["tools"][0]["tagline"] = HOSTILE
    bundle_data["comparisons"][0]["standfirst"] = HOSTILE
    bundle_data["comparisons"][0]["scorecard"][0]["verdicts"][HEYGEN]["text"] = HOSTILE + " [x](javascript:alert(3))"
    bundle_data["reviewers"][0]["name"] = '"><svg onload=alert(4)>'
    html = card(bundle_data)
    tags = parse(html).tags
    assert not [t for t, a in tags if t in ("img", "script", "svg")]
    assert not [a for t, a in tags for name in a if name.startswith("on")]
    assert not [a for t, a in tags if str(a.get("href", "")).startswith("javascript")]
    assert HOSTILE in visible_text(html)  # shown as text, verbatim


def test_rich_text_subset():
    html = render_rich_text("One *two* **three** `four()`\n\nSecond [link](https://example.com/a?b=1&c=2).")
    assert html == (
        "<p>One <em>two</em> <strong>three</strong> <code>four()</code></p>"
        '<p>Second <a href="https://example.com/a?b=1&amp;c=2" rel="noopener nofollow ugc" '
        'target="_blank">link</a>.</p>'
    )


def test_error_card_names_each_field():
    error = BundleError(
        [
            Problem("tools[0].entry", "Input should be 'paid' or 'free'"),
            Problem("comparisons[0].tools[1]", "unknown tool '<b>x</b>'"),
        ]
    )
    html = render_error(error, source="https://example.com/b.json")
    text = visible_text(html)
    assert "tools[0].entry Input should be 'paid' or 'free'" in text
    assert "unknown tool '<b>x</b>'" in text and "<b>" not in html
