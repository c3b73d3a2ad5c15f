"""The inline kit of a bundle: what a site generator without Python needs to
write any card of it in the inline form, at site build time.

Hugo, Jekyll, Eleventy, Astro and Docusaurus cannot run the engine, so the
build renders for them, once per bundle, every comparison in every supported
locale, with and without the vote control, at every heading level (the same
markup the loader's prerendered cards use), with the card's stylesheet, each
comparison's JSON-LD, and where the bundle's call to action sits in the
markup, so that data-cta-url and data-cta-text can be set on it as the engine
sets them. The generator's template assembles the placeholder, the declarative
shadow root and the JSON-LD from these pieces (sitegen/js/verdict-inline.mjs,
examples/hugo/layouts/shortcodes/verdict.html, examples/jekyll/_includes/verdict.html).
Published as dist/inline/<bundle>.json.
"""

from __future__ import annotations

from html import escape
from typing import Any

from verdict.bundle import BundleIndex, load_bundle
from verdict.i18n import SUPPORTED_LOCALES
from verdict.rules import CTA_TEXT_MAX, loader_rules

from ..paths import ROOT

FORMAT = "verdict-inline/1"
# The kit's reader for JavaScript generators (Eleventy, Astro, Docusaurus), published beside the kits.
SITEGEN_JS = ROOT / "sitegen" / "js" / "verdict-inline.mjs"
CTA_OPEN = '<div class="vd-cta" part="cta">'


def inline_kit(raw: bytes, css: str, levels: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The kit of one bundle; `levels` is builder.assemble.prerender's output per heading level."""
    index = BundleIndex(load_bundle(raw))
    cta = index.bundle.site.cta
    return {
        "format": FORMAT,
        "css": css,
        "first": index.bundle.comparisons[0].id,
        "comparisons": list(index.comparisons),
        "locales": list(SUPPORTED_LOCALES),
        # The engine's rules the generator checks attributes by (verdict-inline.mjs has none of its own).
        "rules": loader_rules(),
        "cards": {str(level): cards["cards"] for level, cards in levels.items()},
        "jsonld": levels[min(levels)]["jsonld"],
        # The bundle's call to action as it appears in every card: the button's link, and the opening of the
        # block with its sentence. None when the bundle has no call to action (then data-cta-url needs the engine).
        "cta": None
        if cta is None
        else {
            "button": f'part="cta-button" href="{escape(cta.url, quote=True)}"',
            "line": CTA_OPEN + (f'<p dir="auto">{escape(cta.text, quote=False)}</p>' if cta.text else ""),
            "open": CTA_OPEN,
            "text_max": CTA_TEXT_MAX,
        },
    }
