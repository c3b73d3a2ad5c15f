"""Prerender every comparison of a bundle with the engine itself, in CPython.

The loader shows these at once, before Python has started in the browser;
the engine later re-renders the same markup with live tallies, so nothing
moves. For each comparison and each supported locale, two variants: with the
vote control (a card given data-endpoint) and without.
"""

from __future__ import annotations

from typing import Any

from verdict.bundle import BundleIndex, load_bundle
from verdict.i18n import SUPPORTED_LOCALES
from verdict.render import RenderOptions, render_card


def prerender_bundle(raw: bytes) -> dict[str, Any]:
    """``{first, locales, cards: {comparison: {locale: {voting, static}}}}``."""
    index = BundleIndex(load_bundle(raw))
    return {
        "first": index.bundle.comparisons[0].id,
        "locales": list(SUPPORTED_LOCALES),
        "cards": {
            comparison.id: {
                locale: {
                    "static": render_card(index, comparison, RenderOptions(voting=False, locale=locale)),
                    "voting": render_card(index, comparison, RenderOptions(voting=True, locale=locale)),
                }
                for locale in SUPPORTED_LOCALES
            }
            for comparison in index.bundle.comparisons
        },
    }
