"""Locales in Chromium: each card in its language, Arabic mirrored, no flash of English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ..conftest import HEYGEN, MISTRAL
from .conftest import Demo, wait_for_mark
from .test_accessibility import violations

QUESTIONS = {
    "en": "Which would you ship?",
    "de": "Welches der beiden würden Sie einsetzen?",
    "fr": "Lequel des deux adopteriez-vous\u202f?",
    "es": "¿Cuál de las dos adoptarías?",
    "ja": "あなたならどちらを採用しますか？",
    "ar": "أيّهما ستعتمد؟",
    "pt": "Which would you ship?",  # not supported: English
}


@pytest.fixture
def locales_page(page: Page, demo: Demo) -> Page:
    page.goto(demo.blog + "/locales.html")
    return page


def test_every_locale_is_prerendered_in_its_language(locales_page: Page):
    """The build's cards already speak each language: nothing switches from English when the engine arrives."""
    page = locales_page
    for card, question in QUESTIONS.items():
        expect(page.locator(f"#card-{card} #vd-vote-title")).to_have_text(question)
    languages = page.evaluate(
        "() => [...document.querySelectorAll('[data-verdict]')].map(el => "
        "[el.id, el.shadowRoot.querySelector('article').lang, el.shadowRoot.querySelector('article').dir])"
    )
    assert languages == [
        ["card-en", "en", "ltr"],
        ["card-de", "de", "ltr"],
        ["card-fr", "fr", "ltr"],
        ["card-es", "es", "ltr"],
        ["card-ja", "ja", "ltr"],
        ["card-ar", "ar", "rtl"],
        ["card-pt", "en", "ltr"],
    ]
    assert page.evaluate("performance.getEntriesByName('verdict:engine-start').length") == 0


def test_arabic_is_laid_out_right_to_left(locales_page: Page):
    page = locales_page
    expect(page.locator("#card-ar .vd-tool")).to_have_count(2)
    for card, mirrored in (("ar", True), ("en", False)):
        first = page.locator(f'#card-{card} .vd-tool[data-tool="{HEYGEN}"]').bounding_box()
        second = page.locator(f'#card-{card} .vd-tool[data-tool="{MISTRAL}"]').bounding_box()
        assert first and second
        assert (first["x"] > second["x"]) is mirrored, card
    headline = page.locator("#card-ar .vd-headline")
    assert headline.evaluate("el => getComputedStyle(el).direction") == "rtl"
    # The accent bar stands at the headline's start: on the right in Arabic.
    assert headline.evaluate("el => getComputedStyle(el).borderRightWidth") == "4px"


def test_every_locale_passes_axe(locales_page: Page):
    expect(locales_page.locator("#card-ar #vd-vote-title")).to_have_text(QUESTIONS["ar"])
    assert violations(locales_page) == []


def test_a_card_follows_the_pages_language_and_votes_in_it(page: Page, demo: Demo):
    page.goto(demo.blog + "/arabic.html")
    wait_for_mark(page, "verdict:engine-card")
    expect(page.locator("article.vd-card")).to_have_attribute("lang", "ar")
    page.locator(f'button.vd-choice[data-tool="{MISTRAL}"]').click()
    expect(page.locator(".vd-vote-status")).to_contain_text("شكرًا: احتُسب صوتك لصالح")
    expect(page.locator(".vd-live")).to_contain_text("شكرًا")
    expect(page.locator(f'.vd-tool[data-tool="{MISTRAL}"] .vd-figure-community')).to_contain_text("صوت واحد")
    assert violations(page) == []


def test_the_loaders_own_cards_speak_the_locale_too(locales_page: Page):
    """Before the engine (or without a bundle), the loader's skeleton and error card are translated."""
    page = locales_page
    page.evaluate("""() => { const el = document.createElement('div'); el.id = 'no-bundle';
        document.querySelector('main').append(el); window.Verdict.render(el, { bundle: null, locale: 'de-CH' }); }""")
    error = page.locator("#no-bundle .vd-error")
    expect(error).to_contain_text("Dieser Vergleich kann nicht angezeigt werden")
    expect(error).to_contain_text("Es wurde kein Vergleichs-Bundle angegeben (data-bundle).")
    assert error.get_attribute("lang") == "de"
