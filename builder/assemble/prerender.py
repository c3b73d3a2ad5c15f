"""Prerender every comparison of a bundle with the engine itself, in CPython.

The loader shows these at once, before Python has started in the browser;
the engine later re-renders the same markup with live tallies, so nothing
moves. For each comparison and each supported locale there are three variants,
with the vote control (a card given data-endpoint), with it and the community
figures held back until the reader votes (data-results="after-vote"), and
without; a comparison already closed when the build runs is prerendered
closed (final results, no vote control). One file
per heading level (data-heading-level changes the heading tags). Every
section is in the prerendered markup: data-sections hides and orders them
with the card's stylesheet, so one prerender serves every value of it. The
file also carries each comparison's JSON-LD, for the host page's light DOM.
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from verdict.bundle import BundleIndex, load_bundle
from verdict.i18n import SUPPORTED_LOCALES
from verdict.inline import inline_card
from verdict.jsonld import comparison_jsonld, jsonld_script, script_safe_json
from verdict.render import RenderOptions, render_card, render_cta
from verdict.rules import DEFAULT_HEADING_LEVEL, Results

# The variants of a card with the vote control, by data-results value (a card without an endpoint: "static").
VOTING_VARIANTS = {Results.ALWAYS: "voting", Results.AFTER_VOTE: "hidden"}
# What the publisher's data-cta-url / data-cta-text stand in for in a prerendered call to action:
# the loader puts the attribute's value in place of these (the link's href, the sentence's text).
CTA_URL_PLACEHOLDER = "https://cta.invalid/"
CTA_TEXT_PLACEHOLDER = "…"


def prerender_bundle(raw: bytes, heading_level: int = DEFAULT_HEADING_LEVEL) -> dict[str, Any]:
    """``{first, locales, variants, cards: {comparison: {locale: {voting, hidden, static}}},
    cta: {comparison: {locale: {url, text, both}}}, jsonld: {comparison: json}}``.

    ``variants``: which variant a card with an endpoint shows, by its data-results. ``cta``: the call to
    action for a card given data-cta-url only (url), data-cta-text only (text), or both, with placeholders
    for their values; None where the engine renders none (data-cta-text on a bundle without a call to action).
    """
    index = BundleIndex(load_bundle(raw))
    return {
        "first": index.bundle.comparisons[0].id,
        "locales": list(SUPPORTED_LOCALES),
        "variants": {results.value: variant for results, variant in VOTING_VARIANTS.items()},
        "cards": {
            comparison.id: {
                locale: {
                    variant: render_card(
                        index,
                        comparison,
                        RenderOptions(heading_level=heading_level, voting=voting, locale=locale, results=results),
                    )
                    for variant, voting, results in (
                        ("static", False, Results.ALWAYS),
                        *((variant, True, results) for results, variant in VOTING_VARIANTS.items()),
                    )
                }
                for locale in SUPPORTED_LOCALES
            }
            for comparison in index.bundle.comparisons
        },
        "cta": {
            comparison.id: {locale: publisher_cta(index, locale) for locale in SUPPORTED_LOCALES}
            for comparison in index.bundle.comparisons
        },
        "jsonld": {c.id: script_safe_json(comparison_jsonld(index, c)) for c in index.bundle.comparisons},
    }


def publisher_cta(index: BundleIndex, locale: str) -> dict[str, str | None]:
    """The call to action with the publisher's link (url), sentence (text) or both, as placeholders."""
    given = {"url": (CTA_URL_PLACEHOLDER, None), "text": (None, CTA_TEXT_PLACEHOLDER)}
    given["both"] = (CTA_URL_PLACEHOLDER, CTA_TEXT_PLACEHOLDER)
    return {
        key: render_cta(index, RenderOptions(locale=locale, cta_url=url, cta_text=text))
        for key, (url, text) in given.items()
    }


def inline_cards(raw: bytes, css: str) -> dict[str, str]:
    """The inline form of every comparison (default attributes, English), by file name:
    `<id>.html` with the vote control, `<id>.static.html` without."""
    index = BundleIndex(load_bundle(raw))
    out = {}
    for comparison in index.bundle.comparisons:
        jsonld = jsonld_script(index, comparison)
        for suffix, voting in ((".html", True), (".static.html", False)):
            # Painted before any script runs: its controls wait for the loader (controls_ready).
            card = render_card(index, comparison, RenderOptions(voting=voting, controls_ready=False))
            out[comparison.id + suffix] = inline_card(card, css, jsonld=jsonld) + "\n"
    return out


class _Names(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _value in attrs)


def markup_names(prerendered: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """The element and attribute names of these prerendered cards' voting variants: all that the loader lets
    through of an endpoint's card (the same engine renders both, so nothing else can be legitimate)."""
    names = _Names()
    for file in prerendered:
        for locales in file["cards"].values():
            for variants in locales.values():
                names.feed(variants["voting"])
    names.close()
    return {"tags": sorted(names.tags), "attributes": sorted(names.attributes)}
