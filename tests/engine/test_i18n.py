"""Locales: every UI string in each language, CLDR plurals and numbers, right-to-left Arabic."""

from __future__ import annotations

import html
import re

import pytest
from babel.core import Locale as CldrLocale

from builder.assemble import locales as compiler
from verdict.bundle import BundleError, BundleIndex, Problem, load_bundle
from verdict.figures import derive
from verdict.i18n import SUPPORTED_LOCALES, get_locale, resolve_locale
from verdict.locale_data import MESSAGES
from verdict.render import CardState, RenderOptions, VoteState, render_card, render_error

from ..conftest import HEYGEN, MISTRAL, SEED

TRANSLATED = [code for code in SUPPORTED_LOCALES if code != "en"]
ISOLATES = dict.fromkeys(map(ord, "\u2068\u2069\u200e"))


def visible(markup: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup)).translate(ISOLATES)
    return " ".join(text.split())


def strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [s for value in values for s in strings(value)]


def card(data, locale: str, tallies=None, mine=None) -> str:
    index = BundleIndex(load_bundle(data))
    state = CardState(tallies or {}, VoteState(mine=mine))
    return render_card(index, index.comparison(SEED), RenderOptions(voting=True, locale=locale), state)


def test_the_compiled_module_and_template_match_the_catalogues():
    """widget/verdict/locale_data.py is what the build would generate now (run `python -m builder locales`)."""
    template = compiler.extract_template()
    assert compiler.GENERATED.read_text() == compiler.generate()
    assert compiler.TEMPLATE.read_bytes() == compiler.template_text(template)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_cldr_plural_forms(code):
    assert compiler.catalogue_problems(code, compiler.extract_template()) == []


@pytest.mark.parametrize("code", SUPPORTED_LOCALES)
def test_plural_functions_follow_cldr(code):
    from verdict.locale_data import PLURALS

    rule = CldrLocale.parse(code).plural_form
    tags = compiler.plural_tags(code)
    for n in [*range(0, 1200), 1_000_000, 2_000_000, 1_000_001]:
        assert tags[PLURALS[code](n)] == rule(n), n


def test_arabic_has_six_plural_forms_and_japanese_one():
    votes = {
        n: get_locale("ar").ngettext("{count} vote", "{count} votes", n).translate(ISOLATES)
        for n in (0, 1, 2, 3, 11, 100)
    }
    assert votes == {0: "لا أصوات", 1: "صوت واحد", 2: "صوتان", 3: "3 أصوات", 11: "11 صوتًا", 100: "100 صوت"}
    assert {get_locale("ja").ngettext("{count} vote", "{count} votes", n) for n in (1, 2)} == {"1票", "2票"}


@pytest.mark.parametrize(
    ("code", "percent", "thousands", "ten_thousands"),
    [
        ("en", "75%", "1,234", "12,345"),
        ("de", "75\u00a0%", "1.234", "12.345"),
        ("fr", "75\u00a0%", "1\u202f234", "12\u202f345"),
        ("es", "75\u00a0%", "1234", "12.345"),  # CLDR: Spanish groups from five digits
        ("ja", "75%", "1,234", "12,345"),
        ("ar", "75\u200e%\u200e", "1,234", "12,345"),  # CLDR's default for ar: Latin digits
    ],
)
def test_numbers_and_percentages_are_written_the_locales_way(code, percent, thousands, ten_thousands):
    locale = get_locale(code)
    assert (locale.percent(75), locale.number(1234), locale.number(12345)) == (percent, thousands, ten_thousands)


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("de-AT", "de"),
        ("fr_CA", "fr"),
        ("AR", "ar"),
        ("ja-JP-u-ca-japanese", "ja"),
        ("pt-BR", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_bcp47_tag_resolves_to_a_supported_locale_or_english(tag, code):
    assert resolve_locale(tag) == code


@pytest.mark.parametrize("code", SUPPORTED_LOCALES)
def test_each_card_says_its_language_and_direction(bundle_data, code):
    opening = re.match(r"<article [^>]*>", card(bundle_data, code))
    assert opening
    assert f'lang="{code}"' in opening[0]
    assert f'dir="{"rtl" if code == "ar" else "ltr"}"' in opening[0]


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_english_ui_text_is_left_in_a_translated_card(bundle_data, code):
    """Every English UI message that the locale words differently is absent from its cards."""
    bundle_data["comparisons"][0].pop("kicker")
    bundle_data["site"]["cta"].pop("button")
    texts = [
        visible(card(bundle_data, code)),  # no votes, a tie with a free tool
        visible(card(bundle_data, code, {HEYGEN: 12, MISTRAL: 3}, mine=HEYGEN)),  # readers break the tie
    ]
    english = set()
    for key, value in MESSAGES[code].items():
        source = key.split("\x04")[-1]
        forms = value if isinstance(value, tuple) else (value,)
        if source not in forms:
            english |= {part.strip() for part in re.split(r"\{\w+\}", source) if len(part.strip()) > 3}
    bundle_text = " ".join(strings(bundle_data))  # the bundle's own text stays as written
    english = {phrase for phrase in english if phrase not in bundle_text}
    for text in texts:
        assert [phrase for phrase in english if phrase in text] == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_headline_is_worded_in_the_locale(bundle_data, code):
    index = BundleIndex(load_bundle(bundle_data))
    comparison = index.comparison(SEED)
    scorecard = bundle_data["comparisons"][0]["scorecard"]
    pick = derive(index, comparison, {HEYGEN: 12, MISTRAL: 3})  # readers break the panel's tie
    tie = derive(index, comparison)
    scorecard[0]["verdicts"][MISTRAL]["call"] = "skip"
    index = BundleIndex(load_bundle(bundle_data))
    panel_pick = derive(index, index.comparison(SEED))
    for review in scorecard:
        for verdict in review["verdicts"].values():
            verdict["call"] = "skip"
    index = BundleIndex(load_bundle(bundle_data))
    neither = derive(index, index.comparison(SEED))
    locale = get_locale(code)
    for figures in (pick, tie, panel_pick, neither):
        sentence = figures.headline.sentence(locale).translate(ISOLATES)
        assert sentence != figures.headline.text
        assert locale.percent(figures.headline.best).translate(ISOLATES) in sentence


def test_arabic_card_is_right_to_left_with_isolated_names(bundle_data):
    markup = card(bundle_data, "ar", {HEYGEN: 3, MISTRAL: 1})
    assert '<article class="vd-card"' in markup and 'dir="rtl"' in markup
    text = visible(markup)
    assert "أيّهما ستعتمد؟" in text  # two tools: the dual
    assert "\u2068Mistral 4B Edge\u2069" in html.unescape(markup)  # a Latin name keeps its own direction


def test_error_card_is_translated_and_marks_the_publishers_english(bundle_data):
    error = BundleError([Problem(f"tools[{i}].entry", "must be one of: paid, free") for i in range(7)])
    markup = render_error(error, source="https://example.com/b.json", locale="de-CH")
    assert 'lang="de"' in markup and "Dieser Vergleich kann nicht angezeigt werden" in markup
    assert '<ul lang="en" dir="ltr">' in markup and "und 2 weitere Probleme" in markup
    assert 'dir="rtl"' in render_error(error, locale="ar")


def test_unsupported_locale_renders_english(bundle_data):
    assert 'lang="en"' in card(bundle_data, "pt-BR") and "Which would you ship?" in card(bundle_data, "pt-BR")


def test_a_translation_with_a_wrong_placeholder_is_caught():
    """A translator's typo in a {placeholder} would break the card at run time: the catalogue check names it."""
    from babel.messages.catalog import Message

    message = Message("Saving your vote for {tool}…")
    assert compiler._placeholder_problems(message, "Ihre Stimme für {tool} wird gespeichert …") == []
    assert compiler._placeholder_problems(message, "Ihre Stimme für {Tool} …") == [
        "'Ihre Stimme für {Tool} …' uses {Tool}, which the source does not give"
    ]
    assert "not a valid brace format" in compiler._placeholder_problems(message, "Ihre Stimme für {tool …")[0]
