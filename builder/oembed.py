"""oEmbed for the iframe form, so a CMS (WordPress, for one) embeds a card
from a pasted link.

URL pattern: ``<widget>/frame.html?bundle=NAME&comparison=ID`` (any other
frame.html parameter, such as ``endpoint`` or ``theme``, is kept), where
NAME is a bundle published in dist/bundles/. ``GET <widget>/oembed?url=…
&format=json[&maxwidth=…&maxheight=…]`` answers with a "rich" oEmbed whose
html is the iframe. Served by the demo's widget host (builder/static.py).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from verdict.bundle import BundleError, BundleIndex, load_bundle
from verdict.render import comparison_title

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_HEIGHT = 1200
KEPT = ("comparison", "endpoint", "theme", "locale", "sections", "heading-level", "accent", "layout")


class OEmbedError(ValueError):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


def _dimension(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) <= 10000:
        raise OEmbedError(400, f"{name} must be a whole number of pixels from 1 to 10000")
    return int(value)


def oembed(widget: str, dist: Path, params: dict[str, str]) -> dict[str, Any]:
    """The oEmbed answer for `params` (the request's query); `widget` is dist/'s base URL, ending in /."""
    if params.get("format", "json") != "json":
        raise OEmbedError(501, "only format=json is served")
    url = params.get("url") or ""
    parts = urlsplit(url)
    if not url.startswith(widget + "frame.html?") and not url.startswith(widget + "frame.html#"):
        raise OEmbedError(404, f"url must be {widget}frame.html?bundle=NAME&comparison=ID")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    bundle_name = query.get("bundle", "")
    if not SLUG.match(bundle_name) or not (dist / "bundles" / f"{bundle_name}.json").is_file():
        raise OEmbedError(404, "bundle must name a bundle published with this widget")
    try:
        index = BundleIndex(load_bundle((dist / "bundles" / f"{bundle_name}.json").read_bytes()))
        comparison = index.comparison(query.get("comparison"))
    except BundleError as error:
        raise OEmbedError(404, str(error)) from None
    width = _dimension(params.get("maxwidth"), "maxwidth")
    height = min(DEFAULT_HEIGHT, _dimension(params.get("maxheight"), "maxheight") or DEFAULT_HEIGHT)
    frame_query = {"bundle": bundle_name, "comparison": comparison.id}
    frame_query |= {k: query[k] for k in KEPT if k in query and k != "comparison"}
    src = f"{widget}frame.html?{urlencode(frame_query)}"
    title = comparison_title(index, comparison)
    style = f"width:{f'{width}px' if width else '100%'};max-width:100%;border:0"
    html = (
        f'<iframe data-verdict-frame src="{escape(src)}" title="{escape(title)}" height="{height}" '
        f'style="{style}" loading="lazy"></iframe>'
    )
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Verdict",
        "provider_url": widget,
        "title": title,
        "html": html,
        "width": width or 800,
        "height": height,
        "cache_age": 3600,
    }
