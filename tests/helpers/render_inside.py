"""Every card of a bundle, rendered inside Pyodide by trace_runtime.mjs: render_inside.py BUNDLE OUT.

Writes cards(raw) as JSON to OUT, so a test can compare it with the same
function run by CPython.
"""

import json
import sys


def cards(raw):
    """{comparison: {locale: {static, voting}}, "jsonld": {comparison: script}}: all the engine renders."""
    from verdict.bundle import BundleIndex, load_bundle
    from verdict.i18n import SUPPORTED_LOCALES
    from verdict.jsonld import comparison_jsonld, script_safe_json
    from verdict.render import RenderOptions, render_card

    index = BundleIndex(load_bundle(raw))
    out = {
        c.id: {
            locale: {
                variant: render_card(index, c, RenderOptions(voting=voting, locale=locale))
                for variant, voting in (("static", False), ("voting", True))
            }
            for locale in SUPPORTED_LOCALES
        }
        for c in index.bundle.comparisons
    }
    out["jsonld"] = {c.id: script_safe_json(comparison_jsonld(index, c)) for c in index.bundle.comparisons}
    return out


async def main():
    with open("/host" + sys.argv[1], "rb") as source:
        rendered = cards(source.read())
    with open("/host" + sys.argv[2], "w", encoding="utf-8") as out:
        json.dump(rendered, out, ensure_ascii=False)


async def report():
    pass
