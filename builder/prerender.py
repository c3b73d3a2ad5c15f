"""Prerender every comparison of a bundle with the engine itself, in CPython.

The loader shows these at once, before Python has started in the browser;
the engine later re-renders the same markup with live tallies, so nothing
moves. Two variants per comparison: with the vote control (a card given
data-endpoint) and without.
"""

from __future__ import annotations

from typing import Any

from verdict.bundle import BundleIndex, load_bundle
from verdict.render import RenderOptions, render_card


def prerender_bundle(raw: bytes) -> dict[str, Any]:
    index = BundleIndex(load_bundle(raw))
    return {
        "first": index.bundle.comparisons[0].id,
        "cards": {
            comparison.id: {
                "static": render_card(index, comparison, RenderOptions(voting=False)),
                "voting": render_card(index, comparison, RenderOptions(voting=True)),
            }
            for comparison in index.bundle.comparisons
        },
    }
