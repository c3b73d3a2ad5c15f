"""``GET /v1/cards/{comparison}``: the live card of a reader who has not voted, rendered here by the engine.

A reader who only reads gets the live tallies as a few kilobytes of HTML
instead of downloading the runtime to render them in the browser
(verdict.livecard). The card names the bundle and engine it was built with
(``key``); this endpoint answers only for a bundle of its own with that key,
so the HTML always fits the widget's stylesheet and says what its own engine
would. The widget's loader treats the answer as untrusted markup all the same
(SECURITY.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from verdict.bundle import BundleIndex
from verdict.i18n import SUPPORTED_LOCALES
from verdict.livecard import KEY_LENGTH, live_card, live_key

from .catalog import Catalog
from .errors import ApiError

RENDERED_KEPT = 256
"""Rendered cards kept in memory, by bundle, comparison, locale, heading level and tallies."""


class LiveCards:
    def __init__(self, catalog: Catalog) -> None:
        self.by_key: Mapping[str, BundleIndex] = {live_key(index.bundle): index for index in catalog.bundles.values()}
        self._render = lru_cache(maxsize=RENDERED_KEPT)(self._rendered)

    def check(self, comparison: str, query: Mapping[str, str]) -> tuple[str, str, int]:
        """(key, locale, heading level) of a request, or an ApiError saying what is wrong with it."""
        key, locale, level = query.get("key", ""), query.get("locale", "en"), query.get("level", "2")
        if len(key) != KEY_LENGTH or not all(c in "0123456789abcdef" for c in key):
            raise ApiError(422, f"key must be the {KEY_LENGTH} hexadecimal digits the widget's build gives the bundle")
        if locale not in SUPPORTED_LOCALES:
            raise ApiError(422, f"locale must be one of {', '.join(SUPPORTED_LOCALES)}")
        if level not in ("1", "2", "3", "4", "5", "6"):
            raise ApiError(422, "level must be a heading level from 1 to 6")
        index = self.by_key.get(key)
        if index is None:
            raise ApiError(
                409,
                "this endpoint has no bundle with that key: the widget was built from another bundle or engine "
                "version than the endpoint runs; the card renders with its own engine",
            )
        if comparison not in index.comparisons:
            raise ApiError(404, f"unknown comparison {comparison!r} in that bundle")
        return key, locale, int(level)

    def html(self, key: str, comparison: str, locale: str, level: int, tallies: Mapping[str, int]) -> str:
        return self._render(key, comparison, locale, level, tuple(sorted(tallies.items())))

    def _rendered(
        self, key: str, comparison: str, locale: str, level: int, tallies: tuple[tuple[str, int], ...]
    ) -> str:
        return live_card(self.by_key[key], comparison, dict(tallies), locale, level)
