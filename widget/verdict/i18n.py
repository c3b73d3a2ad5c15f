"""The card's UI text in the reader's language, and numbers written their way.

English is the source text, written in the code; the other locales come from
``locale_data``, a plain module generated at build time from gettext catalogues
and CLDR (see builder/assemble/locales.py), so nothing here parses a catalogue or
imports a localisation library in the browser. The bundle's own text is never
translated: only what the engine itself writes.

Sentences take named values (``{tool}``, ``{count}``); integers are written with
the locale's digits and grouping. In right-to-left locales every inserted text
value is wrapped in Unicode isolates, so a Latin tool name or a number inside an
Arabic sentence keeps its own direction and its neighbours' punctuation in place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache

from .locale_data import DATES, LISTS, MESSAGES, NUMBERS, PLURALS, RTL

DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES: tuple[str, ...] = tuple(PLURALS)
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
DATE_FIELD = re.compile(r"'([^']*)'|(y+|M+|d+)")
"""A CLDR date pattern's quoted literals and the fields a long date uses (year, month, day)."""


def resolve_locale(tag: object) -> str:
    """A BCP 47 tag → the supported locale to use: its language ('de-AT' → 'de'), else English."""
    if not isinstance(tag, str):
        return DEFAULT_LOCALE
    language = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return language if language in MESSAGES else DEFAULT_LOCALE


class Locale:
    """One supported locale: translations, plurals, numbers, lists."""

    def __init__(self, code: str):
        self.code = code
        self.rtl = code in RTL
        self._messages = MESSAGES[code]
        self._plural = PLURALS[code]
        self._digits, self._group, self._min_grouping, self._percent_prefix, self._percent_suffix = NUMBERS[code]

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    # -- text -----------------------------------------------------------
    def gettext(self, message: str, /, **values: str | int) -> str:
        found = self._messages.get(message, message)
        return self._fill(found if isinstance(found, str) else found[0], values)

    def pgettext(self, context: str, message: str, /, **values: str | int) -> str:
        """A message whose translation depends on where it is used (``context``)."""
        found = self._messages.get(f"{context}\x04{message}", message)
        return self._fill(found if isinstance(found, str) else found[0], values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: str | int) -> str:
        """The form for ``n`` by the locale's plural rule; ``{count}`` is n, written locally."""
        index = self._plural(n)
        forms = self._messages.get(singular)
        # Without a translation, the source text: English's one and other.
        text = forms[min(index, len(forms) - 1)] if isinstance(forms, tuple) else (singular, plural)[min(index, 1)]
        return self._fill(text, {"count": n, **values})

    def _fill(self, text: str, values: dict[str, str | int]) -> str:
        if not values:
            return text
        return text.format_map({key: self._value(value) for key, value in values.items()})

    def _value(self, value: str | int) -> str:
        text = self.number(value) if isinstance(value, int) else value
        return self.isolate(text)

    def isolate(self, text: str) -> str:
        """Text of unknown direction, kept whole inside a right-to-left sentence."""
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if self.rtl else text

    # -- numbers and lists ----------------------------------------------
    def number(self, n: int) -> str:
        """A whole number with the locale's digits and grouping (CLDR's #,##0)."""
        digits = str(abs(n))
        if len(digits) >= 4 + self._min_grouping - 1:
            groups: list[str] = []
            while len(digits) > 3:
                digits, tail = digits[:-3], digits[-3:]
                groups.insert(0, tail)
            digits = self._group.join([digits, *groups])
        if self._digits != "0123456789":
            digits = digits.translate(str.maketrans("0123456789", self._digits))
        return ("-" if n < 0 else "") + digits

    def percent(self, n: int) -> str:
        """A whole percentage by the locale's CLDR pattern: 75%, 75 %, …"""
        return f"{self._percent_prefix}{self.number(n)}{self._percent_suffix}"

    def date(self, day: date) -> str:
        """A date written out the locale's way (CLDR's long date: 'December 31, 2026', '31. Dezember 2026')."""
        pattern, months = DATES[self.code]

        def field(match: re.Match[str]) -> str:
            quoted, letters = match.groups()
            if letters is None:
                return quoted or "'"
            if letters[0] == "y":
                return self._digits_of(str(day.year))
            if letters[0] == "d":
                return self._digits_of(f"{day.day:0{len(letters)}d}")
            if len(letters) >= 3:
                return months[day.month - 1]
            return self._digits_of(f"{day.month:0{len(letters)}d}")

        return DATE_FIELD.sub(field, pattern)

    def _digits_of(self, text: str) -> str:
        return text if self._digits == "0123456789" else text.translate(str.maketrans("0123456789", self._digits))

    def join(self, items: Sequence[str]) -> str:
        """'A, B and C' the locale's way (CLDR's standard list); items isolated in RTL."""
        parts = [self.isolate(item) for item in items]
        two, start, middle, end = LISTS[self.code]
        if len(parts) <= 1:
            return "".join(parts)
        if len(parts) == 2:
            return two.format(*parts)
        text = end.format(parts[-2], parts[-1])
        for part in reversed(parts[1:-2]):
            text = middle.format(part, text)
        return start.format(parts[0], text)


def get_locale(tag: str | None = DEFAULT_LOCALE) -> Locale:
    """The Locale for a tag, resolved (unsupported tags give English)."""
    return _locale(resolve_locale(tag))


@cache
def _locale(code: str) -> Locale:
    return Locale(code)
