"""Structured data (schema.org JSON-LD) for a comparison, for search engines.

The card lives in a shadow root, which crawlers may not read; a
``<script type="application/ld+json">`` in the host page's light DOM says the
same facts in a form they do: each tool as a ``SoftwareApplication`` with its
way in as an ``Offer`` (Free or Paid), and each panel verdict as a ``Review``
by its reviewer. Built here, in the engine, so the build, the ``verdict``
command and the browser all emit the same thing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .bundle import BundleIndex
from .models import Call, Comparison, Entry
from .richtext import INLINE

CONTEXT = "https://schema.org"


def plain_text(rich: str) -> str:
    """A verdict's rich text as plain text: markup signs dropped, link labels kept."""

    def keep(match: re.Match[str]) -> str:
        return next(g for g in (match["code"], match["strong"], match["em"], match["label"]) if g is not None)

    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", rich) if p.strip()]
    return "\n\n".join(INLINE.sub(keep, p) for p in paragraphs)


def _offer(entry: Entry, pricing: str) -> dict[str, Any]:
    offer: dict[str, Any] = {"@type": "Offer", "name": entry.value.capitalize(), "description": pricing}
    if entry is Entry.FREE:
        offer["price"] = "0"
    return offer


def comparison_jsonld(index: BundleIndex, comparison: Comparison) -> dict[str, Any]:
    """The comparison's tools and the panel's reviews of them, as one JSON-LD graph."""
    site = index.bundle.site
    publisher: dict[str, Any] = {"@type": "Organization", "name": site.name}
    if site.url:
        publisher["url"] = site.url
    graph = []
    for tool_id in comparison.tools:
        tool = index.tools[tool_id]
        app: dict[str, Any] = {
            "@type": "SoftwareApplication",
            "name": tool.name,
            "applicationCategory": tool.category,
            "description": tool.description,
            "offers": _offer(tool.entry, tool.pricing),
        }
        if tool.url:
            app["url"] = tool.url
        app["review"] = [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": index.reviewers[review.reviewer].name},
                "name": f"{'Ship' if review.verdicts[tool_id].call is Call.SHIP else 'Skip'}"
                f" — {index.reviewers[review.reviewer].lens}",
                "reviewBody": plain_text(review.verdicts[tool_id].text),
                "publisher": publisher,
            }
            for review in comparison.scorecard
        ]
        graph.append(app)
    return {"@context": CONTEXT, "@graph": graph}


def script_safe_json(data: Any) -> str:
    """JSON that cannot end its <script> element early: ``<``, ``>`` and ``&`` as \\u escapes.

    ``</script>`` or ``<!--`` in a bundle's text would otherwise close or
    corrupt the element when the JSON is written into HTML; JSON parsers read
    the escapes back as the same characters.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def jsonld_script(index: BundleIndex, comparison: Comparison) -> str:
    """The ``<script type="application/ld+json">`` element to put in the host page."""
    return f'<script type="application/ld+json">{script_safe_json(comparison_jsonld(index, comparison))}</script>'
