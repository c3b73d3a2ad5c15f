"""What a publisher sets: attributes with their warnings, live changes, layout, accent contrast."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from .conftest import ENGINE_TIMEOUT, Demo, wait_for_mark

THREE = "edge-runtimes-three-way"
FOUR = "edge-runtimes-four-way"


def shadow(page: Page, host: str, script: str):
    """Evaluate `script` (a function of the card's shadow root) for the card in `host`."""
    return page.evaluate(f"(root => ({script})(root))(document.querySelector({host!r}).shadowRoot)")


def columns(page: Page, host: str) -> int:
    template = shadow(page, host, "r => getComputedStyle(r.querySelector('.vd-tools')).gridTemplateColumns")
    return len(template.split())


def rgb(text: str) -> tuple[int, int, int]:
    r, g, b = (int(float(x)) for x in re.findall(r"[\d.]+", text)[:3])
    return r, g, b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    def luminance(colour: tuple[int, int, int]) -> float:
        def channel(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_bad_values_warn_once_each_saying_what_happens(page: Page, demo: Demo):
    page.goto(demo.blog + "/bad-publisher-attributes.html")
    expect(page.locator("#card .vd-title")).to_have_count(1, timeout=ENGINE_TIMEOUT)
    wait_for_mark(page, "verdict:engine-card")
    warnings = page.console.of("warning")  # type: ignore[attr-defined]
    expected = {
        'data-accent="var(--brand)"': "an opaque CSS colour",
        'data-accent="not-a-colour"': "using the theme's accent colour",
        'data-layout="grid"': 'columns, stacked or auto; using "auto"',
        'data-locale="english please"': 'a language tag of en, de, fr, es, ja, ar (en-GB, de-AT… too); using "en"',
        'data-locale="pt"': 'of en, de, fr, es, ja, ar (en-GB, de-AT… too); using "en"',
        'data-cta-url="javascript:alert(1)"': "http, https or mailto link; using the bundle's call to action",
        'data-cta-text=""': "using the bundle's call to action",
        'data-sections="figures,foo"': "figures, description, scorecard, vote, cta; showing every section",
    }
    for attribute, words in expected.items():
        found = [w for w in warnings if attribute in w]
        assert len(found) == 1, (attribute, warnings)
        assert words in found[0], found[0]
    # The fallbacks are what the warnings say.
    expect(page.locator("#card .vd-scorecard")).to_have_count(1)
    expect(page.locator("#card .vd-cta-button")).to_have_attribute("href", "https://example.com/newsletter")
    assert page.locator("#card .vd-root").get_attribute("data-layout") == "auto"


def test_a_300px_sidebar_stacks_on_a_1400px_page(page: Page, demo: Demo):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(demo.blog + "/publisher.html")
    expect(page.locator("#side-card .vd-tool")).to_have_count(3, timeout=10_000)
    assert columns(page, "#side-card") == 1
    assert columns(page, "#main-card") == 3
    # The same card in the wide column lines its tools up as a table: the figures share a row.
    tops = shadow(
        page, "#main-card", "r => [...r.querySelectorAll('.vd-figures')].map(e => e.getBoundingClientRect().top)"
    )
    assert max(tops) - min(tops) < 1
    # The publisher can force either layout.
    page.evaluate("document.querySelector('#side-card').setAttribute('data-layout', 'columns')")
    page.wait_for_function(
        "getComputedStyle(document.querySelector('#side-card').shadowRoot.querySelector('.vd-tools'))"
        ".gridTemplateColumns.split(' ').length === 3"
    )
    page.evaluate("document.querySelector('#main-card').setAttribute('data-layout', 'stacked')")
    page.wait_for_function(
        "getComputedStyle(document.querySelector('#main-card').shadowRoot.querySelector('.vd-tools'))"
        ".gridTemplateColumns.split(' ').length === 1"
    )


def test_four_tools_in_a_blog_column_are_two_by_two(page: Page, demo: Demo):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(demo.blog + "/lineup.html")
    # The prerendered cards are drawn one per frame: wait for each before measuring it.
    for lineup, tools in (("#four-column", 4), ("#four-wide", 4), ("#three-column", 3), ("#three-sidebar", 3)):
        expect(page.locator(f"{lineup} .vd-tool")).to_have_count(tools, timeout=10_000)
    assert columns(page, "#four-column div[data-verdict]") == 2
    assert columns(page, "#four-wide div[data-verdict]") == 4
    assert columns(page, "#three-column div[data-verdict]") == 3
    assert columns(page, "#three-sidebar div[data-verdict]") == 1


def test_theme_toggle_and_comparison_switch_on_a_live_card_keep_one_worker(page: Page, demo: Demo):
    page.goto(demo.blog + "/publisher.html")
    wait_for_mark(page, "verdict:engine-card")
    background = "r => getComputedStyle(r.querySelector('.vd-card')).backgroundColor"
    assert shadow(page, "#main-card", background) == "rgb(255, 255, 255)"
    page.evaluate("document.querySelector('#main-card').dataset.theme = 'dark'")
    assert shadow(page, "#main-card", background) == "rgb(22, 24, 29)"  # CSS only: at once
    page.evaluate("document.querySelector('#main-card').dataset.comparison = 'edge-runtimes-four-way'")
    expect(page.locator("#main-card .vd-title")).to_have_text("Four edge runtimes, one quarter's budget")
    expect(page.locator("#main-card .vd-tool")).to_have_count(4)
    # The engine takes the switched card over too, still in dark, still in one worker.
    expect(page.locator("#main-card .vd-choice")).to_have_count(4)
    page.wait_for_function(
        "document.querySelector('#main-card').shadowRoot.querySelector('.vd-vote-status')"
        ".textContent.includes('No votes yet')",
        timeout=ENGINE_TIMEOUT,
    )
    assert shadow(page, "#main-card", background) == "rgb(22, 24, 29)"
    assert len(page.workers) == 1
    # The script tag's defaults are live too: a new endpoint-less default drops the vote.
    page.evaluate("document.querySelector('script[data-bundle]').removeAttribute('data-endpoint')")
    expect(page.locator("#side-card .vd-choice")).to_have_count(0, timeout=ENGINE_TIMEOUT)
    assert len(page.workers) == 1
    assert page.console.of("pageerror") == []  # type: ignore[attr-defined]


def test_auto_theme_follows_the_reader_system_setting(page: Page, demo: Demo):
    page.emulate_media(color_scheme="light")
    page.goto(demo.blog + "/publisher.html")
    expect(page.locator("#main-card .vd-card")).to_have_count(1, timeout=10_000)
    page.evaluate("document.querySelector('#main-card').dataset.theme = 'auto'")
    background = "r => getComputedStyle(r.querySelector('.vd-card')).backgroundColor"
    assert shadow(page, "#main-card", background) == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    assert shadow(page, "#main-card", background) == "rgb(22, 24, 29)"
    assert shadow(page, "#side-card", background) == "rgb(255, 255, 255)"  # data-theme light stays light


ACCENTS = ["#ffe600", "#f7f7f7", "#0a0a0a", "#1a0033", "#2f5bd3", "hotpink", "oklch(70% 0.2 150)"]


def test_accent_text_keeps_aa_contrast_in_both_themes(page: Page, demo: Demo):
    page.goto(demo.blog + "/publisher.html")
    expect(page.locator("#main-card .vd-cta-button")).to_have_count(1, timeout=10_000)
    for accent in ACCENTS:  # very light, very dark and ordinary ones, in any CSS colour syntax
        for theme in ("light", "dark"):
            page.evaluate(
                "([accent, theme]) => { const el = document.querySelector('#main-card');"
                " el.dataset.accent = accent; el.dataset.theme = theme; }",
                [accent, theme],
            )
            colours = shadow(
                page,
                "#main-card",
                """r => { const s = (sel, p) => getComputedStyle(r.querySelector(sel))[p];
                    return { fill: s('.vd-cta-button', 'backgroundColor'), onFill: s('.vd-cta-button', 'color'),
                             link: s('.vd-withdraw', 'color'), card: s('.vd-card', 'backgroundColor'),
                             panel: s('.vd-vote', 'backgroundColor') }; }""",
            )
            assert contrast(rgb(colours["onFill"]), rgb(colours["fill"])) >= 4.5, (accent, theme, colours)
            assert contrast(rgb(colours["link"]), rgb(colours["card"])) >= 4.5, (accent, theme, colours)
            assert contrast(rgb(colours["link"]), rgb(colours["panel"])) >= 4.5, (accent, theme, colours)
            # The fill is the publisher's colour, not a default.
            assert rgb(colours["fill"]) not in ((47, 91, 211), (143, 176, 255)) or accent == "#2f5bd3"


def test_cta_overrides_and_the_page_font(page: Page, demo: Demo):
    page.goto(demo.blog + "/publisher.html")
    expect(page.locator("#main-card .vd-cta-button")).to_have_count(1, timeout=10_000)
    page.evaluate("""() => { const el = document.querySelector('#main-card');
        el.dataset.ctaUrl = 'mailto:editor@example.com';
        el.dataset.ctaText = 'Tell us which tools to compare next.'; }""")
    expect(page.locator("#main-card .vd-cta p")).to_have_text(
        "Tell us which tools to compare next.", timeout=ENGINE_TIMEOUT
    )
    expect(page.locator("#main-card .vd-cta-button")).to_have_attribute("href", "mailto:editor@example.com")
    # The card takes the host page's font family unless --verdict-font says otherwise.
    font = "r => getComputedStyle(r.querySelector('.vd-title')).fontFamily"
    assert shadow(page, "#side-card", font) == "Georgia, serif"
    page.evaluate("document.querySelector('#side-card').style.setProperty('--verdict-font', 'monospace')")
    assert shadow(page, "#side-card", font) == "monospace"


def test_styling_contract_reaches_the_card(browser: Browser, demo: Demo):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(demo.blog + "/publisher.html")
        expect(page.locator("#main-card .vd-vote")).to_have_count(1, timeout=10_000)
        page.add_style_tag(
            content="#main-card { --verdict-surface: #fffbe8; --verdict-radius: 0px; --verdict-font-size: 20px; }"
            " #main-card::part(vote) { outline: 3px solid rgb(1, 2, 3); }"
        )
        styles = shadow(
            page,
            "#main-card",
            """r => ({ bg: getComputedStyle(r.querySelector('.vd-card')).backgroundColor,
                       radius: getComputedStyle(r.querySelector('.vd-card')).borderTopLeftRadius,
                       size: getComputedStyle(r.querySelector('.vd-root')).fontSize,
                       vote: getComputedStyle(r.querySelector('.vd-vote')).outlineColor })""",
        )
        assert styles == {"bg": "rgb(255, 251, 232)", "radius": "0px", "size": "20px", "vote": "rgb(1, 2, 3)"}
        parts = shadow(page, "#main-card", "r => [...r.querySelectorAll('[part]')].map(e => e.getAttribute('part'))")
        for name in (
            "card",
            "header",
            "headline",
            "tools",
            "tool",
            "figures",
            "scorecard",
            "review",
            "vote",
            "choice",
            "cta",
        ):
            assert name in parts
    finally:
        context.close()


def test_a_live_card_switches_language_and_mirrors(page: Page, demo: Demo):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(demo.blog + "/publisher.html")
    wait_for_mark(page, "verdict:engine-card")
    page.evaluate("document.querySelector('#main-card').dataset.locale = 'ar'")
    expect(page.locator("#main-card .vd-card")).to_have_attribute("dir", "rtl")
    # Both columns measured at once: the engine's re-render may replace the prerendered Arabic card meanwhile.
    first, second = page.evaluate(
        "[...document.querySelector('#main-card').shadowRoot.querySelectorAll('.vd-tool')]"
        ".slice(0, 2).map(tool => tool.getBoundingClientRect().x)"
    )
    assert first > second  # the first tool column on the right
    # A card without data-locale follows the page's <html lang> as it changes.
    expect(page.locator("#side-card .vd-card")).to_have_attribute("lang", "en")
    page.evaluate("document.documentElement.lang = 'de'")
    expect(page.locator("#side-card .vd-card")).to_have_attribute("lang", "de")
    expect(page.locator("#main-card .vd-card")).to_have_attribute("lang", "ar")
    assert len(page.workers) == 1


def test_the_takeover_moves_nothing_in_any_prerendered_setting(page: Page, demo: Demo):
    """Theme, accent, layout and locale are all prerendered: the engine's card replaces each without a shift."""
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(demo.blog + "/takeover.html")
    count = 5
    page.wait_for_function(f"performance.getEntriesByName('verdict:card-visible').length === {count}", timeout=20_000)
    assert page.locator(".vd-skeleton").count() == 0  # every card is the build's
    before = page.evaluate("""() => {
        window.__swaps = [];
        window.__shift = 0;
        new PerformanceObserver(list => { for (const e of list.getEntries()) window.__shift += e.value; })
            .observe({ type: 'layout-shift' });
        return [...document.querySelectorAll('[data-verdict]')].map((host, i) => {
            window.__swaps[i] = 0;
            new MutationObserver(() => window.__swaps[i]++)
                .observe(host.shadowRoot.querySelector('.vd-body'), { childList: true });
            const box = host.getBoundingClientRect();
            return [box.x, box.y, box.width, box.height];
        });
    }""")
    # Each card is rendered twice by the engine: at once, then with the live tallies.
    page.wait_for_function("window.__swaps.every(n => n >= 2)", timeout=ENGINE_TIMEOUT)
    after = page.evaluate("""() => [...document.querySelectorAll('[data-verdict]')].map(host => {
        const box = host.getBoundingClientRect(); return [box.x, box.y, box.width, box.height]; })""")
    for old, new in zip(before, after, strict=True):
        assert all(abs(a - b) < 1 for a, b in zip(old, new, strict=True)), (old, new)
    assert page.evaluate("window.__shift") == 0
    assert len(page.workers) == 1
