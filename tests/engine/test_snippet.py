"""The configurator's snippet: defaults left out, values escaped, typos refused."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from verdict.snippet import embed_snippet


def attributes(html: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            assert tag == "script"
            found.update(attrs)

    Parser().feed(html)
    return found


def test_only_what_differs_from_the_defaults_is_written():
    html = embed_snippet(
        "https://cdn.example.com/verdict/embed.js",
        {"bundle": "https://example.com/b.json", "theme": "light", "layout": "columns", "heading-level": "2"},
    )
    assert attributes(html) == {
        "src": "https://cdn.example.com/verdict/embed.js",
        "data-bundle": "https://example.com/b.json",
        "data-layout": "columns",
        "async": None,
    }


def test_values_are_escaped():
    html = embed_snippet("https://x/embed.js", {"cta-text": 'Say "hi" <b>now</b> & later'})
    assert attributes(html)["data-cta-text"] == 'Say "hi" <b>now</b> & later'
    assert "<b>" not in html


def test_unknown_attributes_are_refused():
    with pytest.raises(ValueError, match="colour"):
        embed_snippet("https://x/embed.js", {"colour": "red"})
