"""The build's prerendered cards: every comparison in every supported locale."""

from __future__ import annotations

from builder.assemble.prerender import prerender_bundle
from verdict.i18n import SUPPORTED_LOCALES

from ..conftest import DEMO_BUNDLE, SEED


def test_every_comparison_is_prerendered_in_every_locale_with_and_without_votes():
    cards = prerender_bundle(DEMO_BUNDLE.read_bytes())
    assert cards["first"] == SEED and cards["locales"] == list(SUPPORTED_LOCALES)
    variants = cards["cards"][SEED]
    assert set(variants) == set(SUPPORTED_LOCALES)
    for locale, variant in variants.items():
        assert f'lang="{locale}"' in variant["voting"] and f'lang="{locale}"' in variant["static"]
        assert 'data-action="vote"' in variant["voting"] and 'data-action="vote"' not in variant["static"]
    assert "Which would you ship?" in variants["en"]["voting"] and "Welches der beiden" in variants["de"]["voting"]
