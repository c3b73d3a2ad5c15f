"""One card the loader mounted, as the worker-side engine knows it, and its options from the loader.

The loader has checked the options (loader/attributes.js, by the rules of ``rules``); they cross a
message boundary all the same, so anything malformed falls back to the default here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bundle import BundleIndex
from .i18n import Locale, get_locale
from .models import Comparison
from .notices import Notice, sentence
from .outbox import vote_key
from .render import RenderOptions
from .rules import DEFAULT_HEADING_LEVEL, HEADING_LEVELS, Results, Section


@dataclass
class Card:
    id: str
    endpoint: str | None
    options: RenderOptions
    index: BundleIndex
    comparison: Comparison
    closed: bool = False
    """The closing timer fired: voting on this card's comparison has ended."""

    @property
    def vote_key(self) -> str | None:
        return vote_key(self.endpoint, self.comparison.id) if self.endpoint else None

    @property
    def locale(self) -> Locale:
        return get_locale(self.options.locale)

    def tool_name(self, tool_id: str | None) -> str:
        return self.index.tools[tool_id].name if tool_id in self.index.tools else str(tool_id)

    def say(self, notice: Notice) -> str:
        """The notice in this card's words: its locale, its bundle's tool names."""
        return sentence(notice, self.locale, self.tool_name(notice.tool))


def parse_options(raw: dict[str, Any], voting: bool) -> RenderOptions:
    """Options arrive validated by the loader; anything else falls back to defaults.

    ``locale`` is any BCP 47 tag (data-locale, else the page's ``<html lang>``);
    the card speaks the supported locale it resolves to, else English.
    """
    sections = tuple(Section(s) for s in raw.get("sections") or () if s in Section.__members__.values())
    level = raw.get("headingLevel")
    locale = raw.get("locale")
    cta_url, cta_text = raw.get("ctaUrl"), raw.get("ctaText")
    results = raw.get("results")
    return RenderOptions(
        results=Results(results) if isinstance(results, str) and results in set(Results) else Results.ALWAYS,
        sections=sections or RenderOptions.sections,
        heading_level=level if isinstance(level, int) and level in HEADING_LEVELS else DEFAULT_HEADING_LEVEL,
        voting=voting,
        locale=get_locale(locale if isinstance(locale, str) else None).code,
        cta_url=cta_url if isinstance(cta_url, str) else None,
        cta_text=cta_text if isinstance(cta_text, str) else None,
    )
