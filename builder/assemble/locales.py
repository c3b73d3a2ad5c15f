"""Compile the card's UI catalogues into one plain Python module for the engine.

Translators edit gettext catalogues, ``widget/locales/<locale>.po``; English is
the source text in the code. At build time this module reads them with Babel,
together with CLDR's data for each locale (plural rules, digits, grouping,
percent pattern, list patterns), and writes ``widget/verdict/locale_data.py``:
dicts and small plural functions, no Babel at run time. The browser downloads
and imports that module like any other, so it stays a few kilobytes of
literals instead of a localisation library and its CLDR files.

The loader's own few sentences (its skeleton and error cards, shown before
the engine is up) come from the same catalogues: ``say``, ``skeleton`` and
``errorCard`` calls in loader/*.js (the English text is their second argument)
are extracted too, and ``loader_words`` hands their translations
to the loader's build.

``python -m builder locales`` regenerates the module and the template
``widget/locales/verdict.pot`` (the build does the same; a test fails when
either is stale or a message is untranslated).
"""

from __future__ import annotations

import io
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import babel
from babel.core import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from babel.plural import PluralRule, to_gettext

from ..paths import LOADER, ROOT

ENGINE = ROOT / "widget" / "verdict"
CATALOGUES = ROOT / "widget" / "locales"
TEMPLATE = CATALOGUES / "verdict.pot"
GENERATED = ENGINE / "locale_data.py"

# English first: the source language and the fallback.
LOCALES = ("en", "de", "fr", "es", "ja", "ar")
PLURAL_TAGS = ("zero", "one", "two", "few", "many", "other")
# CLDR's minimumGroupingDigits, which Babel does not import: Spanish writes 1234 but 12.345.
MIN_GROUPING = {"es": 2}


def _operand(name: str) -> str | int:
    """Plural operands for a non-negative integer: n = i, and no fraction or exponent."""
    return "n" if name in ("n", "i") else 0


def _compile(node: tuple[str, Any]) -> str | bool:
    """A CLDR plural condition as a Python expression over ``n``, constants folded."""
    op, args = node
    if op in ("and", "or"):
        left, right = (_compile(a) for a in args)
        if isinstance(left, bool) or isinstance(right, bool):
            constant, other = (left, right) if isinstance(left, bool) else (right, left)
            if op == "and":
                return other if constant else False
            return True if constant else other
        return f"{left} {op} {right}" if op == "and" else f"({left} {op} {right})"
    if op == "not":
        inner = _compile(args[0])
        if isinstance(inner, bool):
            return not inner
        simple = inner.count(" == ") == 1 and " and " not in inner and " or " not in inner
        return inner.replace(" == ", " != ") if simple else f"not ({inner})"
    if op == "relation":
        _method, expr, (_, ranges) = args
        value = _expression(expr)
        bounds = [(low[1][0], high[1][0]) for low, high in ranges]
        if isinstance(value, int):
            return any(low <= value <= high for low, high in bounds)
        tests = [f"{value} == {low}" if low == high else f"{low} <= {value} <= {high}" for low, high in bounds]
        return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"
    raise ValueError(f"unknown plural rule node {op!r}")


def _expression(node: tuple[str, Any]) -> str | int:
    op, args = node
    if op == "mod":
        left, right = _expression(args[0]), _expression(args[1])
        if isinstance(left, int) and isinstance(right, int):
            return left % right
        return f"{left} % {right}"
    if op == "value":
        return int(args[0])
    return _operand(op)


def plural_tags(code: str) -> list[str]:
    """The locale's plural categories in gettext's msgstr[] order."""
    rule = Locale.parse(code).plural_form
    return [tag for tag in PLURAL_TAGS if tag in rule.tags or tag == "other"]


def plural_function(code: str) -> str:
    """``def _plural_xx(n: int) -> int``: the msgstr[] index for n, from CLDR's rule."""
    rule: PluralRule = Locale.parse(code).plural_form
    tags = plural_tags(code)
    lines = [f"def _plural_{code}(n: int) -> int:"]
    for tag, condition in rule.abstract:
        compiled = _compile(condition)
        if compiled is False:
            continue
        if compiled is True:
            lines.append(f"    return {tags.index(tag)}  # {tag}")
            return "\n".join(lines)
        lines.append(f"    if {compiled}:")
        lines.append(f"        return {tags.index(tag)}  # {tag}")
    lines.append(f"    return {tags.index('other')}  # other")
    return "\n".join(lines)


def number_format(code: str) -> tuple[str, str, int, str, str]:
    """(digits 0-9, group separator, minimum grouping digits, percent prefix, percent suffix)."""
    locale = Locale.parse(code)
    system = locale.default_numbering_system
    symbols = locale.number_symbols[system]
    pattern = locale.percent_formats[None]
    digits = "0123456789" if system == "latn" else _native_digits(system)
    percent = symbols["percentSign"]
    return (
        digits,
        symbols["group"],
        MIN_GROUPING.get(code, 1),
        pattern.prefix[0].replace("%", percent),
        pattern.suffix[0].replace("%", percent),
    )


def _native_digits(system: str) -> str:
    starts = {"arab": 0x0660, "arabext": 0x06F0}
    return "".join(chr(starts[system] + d) for d in range(10))


def list_patterns(code: str) -> tuple[str, str, str, str]:
    """CLDR's standard 'and' list: (two, start, middle, end) patterns."""
    patterns = Locale.parse(code).list_patterns["standard"]
    return (patterns["2"], patterns["start"], patterns["middle"], patterns["end"])


def date_format(code: str) -> tuple[str, tuple[str, ...]]:
    """CLDR's long date pattern (e.g. 'd. MMMM y') and the wide month names it uses, January first."""
    locale = Locale.parse(code)
    months = locale.months["format"]["wide"]
    return (locale.date_formats["long"].pattern, tuple(months[m] for m in range(1, 13)))


def read_catalogue(code: str) -> Catalog:
    with (CATALOGUES / f"{code}.po").open("rb") as po:
        return read_po(po, locale=code)


def catalogue_problems(code: str, template: Catalog) -> list[str]:
    """What a catalogue lacks: untranslated, fuzzy or obsolete messages, wrong plural forms."""
    catalogue = read_catalogue(code)
    problems = []
    expected = to_gettext(Locale.parse(code).plural_form)
    if catalogue.plural_forms.replace(" ", "") != expected.replace(" ", ""):
        problems.append(f"{code}.po: Plural-Forms must be CLDR's: {expected}")
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id, message.context)
        strings = () if found is None else _forms(found.string)
        if found is None or not all(strings):
            problems.append(f"{code}.po: untranslated {message.id!r}")
        elif found.fuzzy:
            problems.append(f"{code}.po: fuzzy {message.id!r}")
        elif message.pluralizable and len(strings) != catalogue.num_plurals:
            problems.append(f"{code}.po: {message.id!r} needs {catalogue.num_plurals} plural forms")
        else:
            problems += [f"{code}.po: {message.id!r}: {p}" for s in strings for p in _placeholder_problems(message, s)]
    known = {(m.id, m.context) for m in template}
    problems += [f"{code}.po: obsolete {m.id!r}" for m in catalogue if m.id and (m.id, m.context) not in known]
    return problems


def _forms(string: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A translation's forms: one, or one per plural form ("" where it is missing)."""
    if string is None or isinstance(string, str):
        return (string or "",)
    return tuple(string)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _placeholder_problems(message: Any, translation: str) -> list[str]:
    """A translation may only use the source's {placeholders} (a plural form may leave out {count});
    a stray brace would break the card at run time."""
    sources = message.id if isinstance(message.id, tuple) else (message.id,)
    allowed = set().union(*map(_placeholders, sources)) | ({"count"} if message.pluralizable else set())
    try:
        used = _placeholders(translation)
    except ValueError as error:
        return [f"{translation!r} is not a valid brace format ({error})"]
    return [f"{translation!r} uses {{{name}}}, which the source does not give" for name in sorted(used - allowed)]


def extract_template() -> Catalog:
    """Every UI message: the engine's gettext, ngettext and pgettext calls, the loader's say()."""
    template = Catalog(project="verdict", version="1", fuzzy=False)
    sources = (
        ("verdict", ENGINE, [("**.py", "python")], None),
        ("loader", LOADER, [("**.js", "javascript")], {"say": (2,), "errorCard": (2,), "skeleton": (2,)}),
    )
    for prefix, folder, method_map, keywords in sources:
        options: dict[str, Any] = {"keywords": keywords} if keywords else {}
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map=method_map, comment_tags=("Translators:",), strip_comment_tags=True, **options
        ):
            location = [(f"{prefix}/{filename}", lineno)]
            template.add(message, None, location, auto_comments=comments, context=context)
    return template


def _used_in(message: Any, prefix: str) -> bool:
    return any(filename.startswith(prefix + "/") for filename, _ in message.locations)


def _messages(code: str, template: Catalog, prefix: str) -> Iterator[tuple[str, str | tuple[str, ...]]]:
    catalogue = read_catalogue(code)
    for message in template:
        if not message.id or not _used_in(message, prefix):
            continue
        found = catalogue.get(message.id, message.context)
        if found is None or not found.string or found.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
        if message.context:
            key = f"{message.context}\x04{key}"
        yield key, tuple(found.string) if isinstance(found.string, (tuple, list)) else found.string


def generate() -> str:
    """The text of locale_data.py for the current catalogues and CLDR data."""
    template = extract_template()
    out = [
        '"""UI text and number formats of every supported locale.',
        "",
        "Generated by builder/assemble/locales.py from widget/locales/*.po and CLDR",
        f"(Babel {babel.__version__}): do not edit; run ``python -m builder locales``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Callable",
        "",
    ]
    for code in LOCALES:
        out += ["", plural_function(code), ""]
    out.append("")
    out.append("PLURALS: dict[str, Callable[[int], int]] = {")
    out += [f"    {code!r}: _plural_{code}," for code in LOCALES]
    out.append("}")
    out.append("# digits, group separator, minimum grouping digits, percent prefix and suffix")
    out.append("NUMBERS: dict[str, tuple[str, str, int, str, str]] = {")
    out += [f"    {code!r}: {number_format(code)!r}," for code in LOCALES]
    out.append("}")
    out.append("# CLDR's 'and' lists: two items, then start, middle and end of longer ones")
    out.append("LISTS: dict[str, tuple[str, str, str, str]] = {")
    out += [f"    {code!r}: {list_patterns(code)!r}," for code in LOCALES]
    out.append("}")
    out.append("# CLDR's long date pattern and wide month names")
    out.append("DATES: dict[str, tuple[str, tuple[str, ...]]] = {")
    out += [f"    {code!r}: {date_format(code)!r}," for code in LOCALES]
    out.append("}")
    out.append(f"RTL = frozenset({sorted(c for c in LOCALES if Locale.parse(c).character_order == 'right-to-left')!r})")
    out.append("MESSAGES: dict[str, dict[str, str | tuple[str, ...]]] = {")
    out.append("    'en': {},  # the source text")
    for code in LOCALES[1:]:
        out.append(f"    {code!r}: {{")
        out += [f"        {key!r}: {value!r}," for key, value in _messages(code, template, "verdict")]
        out.append("    },")
    out.append("}")
    return "\n".join(out) + "\n"


def loader_words() -> dict[str, dict[str, str]]:
    """The loader's sentences per translated locale, keyed by their English text."""
    template = extract_template()
    words: dict[str, dict[str, str]] = {}
    for code in LOCALES[1:]:
        words[code] = {key: value for key, value in _messages(code, template, "loader") if isinstance(value, str)}
    return words


def template_text(template: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, template, omit_header=True, sort_output=False, width=100, include_lineno=False)
    return buffer.getvalue()


def write() -> list[Path]:
    """Regenerate the template and the module; returns the files that changed."""
    changed = []
    for path, content in ((TEMPLATE, template_text(extract_template())), (GENERATED, generate().encode())):
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
            changed.append(path)
    return changed
