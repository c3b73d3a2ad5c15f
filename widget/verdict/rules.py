"""Rules the JavaScript loader applies too, defined here once.

The loader checks a publisher's data attributes before the engine is up (to
warn at once, and to pick the prerendered card), and the frame pages pass
some of them on. Each such rule is written here only: the build hands
``loader_rules()`` to the loader as the ``VERDICT_RULES`` constant
(builder/assemble/loader.py), and loader/rules.js is the one place the loader reads it.
tests/loader checks that the bundled constants are these values and that the
loader resolves a locale exactly as ``i18n.resolve_locale`` does.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
"""A bundle, comparison or tool id: lowercase letters, digits and single hyphens (the same syntax in Python's
and JavaScript's regular expressions; anchor it, or use fullmatch)."""
SLUG_MAX_LENGTH = 80
CTA_TEXT_MAX = 200
"""Longest data-cta-text kept, like a bundle line."""
HEADING_LEVELS = range(1, 7)
"""data-heading-level: the card's title is an <hN> of one of these."""
DEFAULT_HEADING_LEVEL = 2
THEMES = ("light", "dark", "auto")
"""data-theme (the stylesheet's light and dark palettes, or the reader's preference)."""
DEFAULT_THEME = "light"
LAYOUTS = ("columns", "stacked", "auto")
"""data-layout (tools side by side, one under another, or by the card's width)."""
DEFAULT_LAYOUT = "auto"


class Section(StrEnum):
    """data-sections: the parts of a card a publisher may show, hide and order."""

    FIGURES = "figures"
    DESCRIPTION = "description"
    SCORECARD = "scorecard"
    VOTE = "vote"
    CTA = "cta"


class Results(StrEnum):
    """When the community figures show (data-results)."""

    ALWAYS = "always"
    AFTER_VOTE = "after-vote"
    """Hidden until this reader has voted on this device; withdrawing does not hide them again."""


FRAME_ATTRIBUTES = (
    "comparison",
    "endpoint",
    "theme",
    "locale",
    "sections",
    "heading-level",
    "accent",
    "layout",
    "results",
)
"""The attributes a frame page (frame.html, oEmbed's iframe, the loader's CORS fallback) takes from its URL."""


def loader_rules() -> dict[str, Any]:
    """The rules above as the loader's ``VERDICT_RULES`` (JSON)."""
    return {
        "slug": SLUG_PATTERN,
        "ctaTextMax": CTA_TEXT_MAX,
        "headingLevels": list(HEADING_LEVELS),
        "defaultHeadingLevel": DEFAULT_HEADING_LEVEL,
        "themes": list(THEMES),
        "defaultTheme": DEFAULT_THEME,
        "layouts": list(LAYOUTS),
        "defaultLayout": DEFAULT_LAYOUT,
        "sections": [section.value for section in Section],
        "results": [results.value for results in Results],
        "defaultResults": Results.ALWAYS.value,
        "frameAttributes": list(FRAME_ATTRIBUTES),
        "locales": list(SUPPORTED_LOCALES),
        "defaultLocale": DEFAULT_LOCALE,
    }
