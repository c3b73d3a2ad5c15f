"""oEmbed for the iframe form, so a CMS (WordPress, for one) embeds a card from a pasted link.

URL patterns: ``<widget>/frame.html?bundle=NAME&comparison=ID`` and the
build's frame pages ``<widget>/frame/NAME/ID.html`` (any other frame
parameter, such as ``theme``, is kept from the query; ``endpoint`` only when
it is one the operator allows, so a pasted link cannot point readers' votes,
and their voter tokens, at a stranger's server), where
``<widget>`` is where dist/ is served and NAME a bundle published with it
(dist/bundles/NAME.json). The answer is a "rich" oEmbed whose html is a
link to the card in a ``<blockquote>`` followed by the iframe: WordPress
shows a discovered provider's iframe in its sandbox only with that
blockquote beside it (it is the fallback until the frame speaks, and what
makes WordPress load the script that resizes the iframe). Served by the vote
endpoint (``verdict serve --widget-url``) and by the demo's widget host; both
give this function their bundles by name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape as xml_escape

from .bundle import BundleError, BundleIndex
from .render import comparison_title
from .rules import FRAME_ATTRIBUTES, SLUG_PATTERN

SLUG = re.compile(SLUG_PATTERN)
DEFAULT_HEIGHT = 1200
DEFAULT_WIDTH = 800
MAX_DIMENSION = 10000
CACHE_AGE = 3600
FORMATS = ("json", "xml")
FRAME_PAGE = re.compile(rf"frame/({SLUG_PATTERN})/({SLUG_PATTERN})\.html")
KEPT = FRAME_ATTRIBUTES


class OEmbedError(ValueError):
    """A request oEmbed cannot answer, with the HTTP status the specification gives it."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


def frame_url(widget: str, bundle_name: str, comparison_id: str) -> str:
    """The documented URL of one card's frame: what a publisher pastes into their CMS."""
    return f"{widget}frame.html?{urlencode({'bundle': bundle_name, 'comparison': comparison_id})}"


def _dimension(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    # ASCII digits only: str.isdigit() also takes "²" and other digits int() refuses.
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_DIMENSION:
        raise OEmbedError(400, f"{name} must be a whole number of pixels from 1 to {MAX_DIMENSION}")
    return int(value)


def oembed(
    widget: str,
    bundle: Callable[[str], BundleIndex | None],
    params: Mapping[str, str],
    endpoints: Collection[str] = (),
) -> dict[str, Any]:
    """The oEmbed answer for ``params`` (the request's query).

    ``widget`` is dist/'s base URL, ending in ``/``; ``bundle(name)`` the
    published bundle of that name, or None; ``endpoints`` the vote endpoints a
    pasted link may name (any other ``endpoint`` is left out of the iframe).
    """
    if params.get("format", "json") not in FORMATS:
        raise OEmbedError(400, "format must be json or xml")
    url = params.get("url") or ""
    query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    page = FRAME_PAGE.fullmatch(urlsplit(url)._replace(query="", fragment="").geturl().removeprefix(widget))
    if url.startswith(widget) and page:
        query |= {"bundle": page[1], "comparison": page[2]}
    elif not url.startswith((widget + "frame.html?", widget + "frame.html#")):
        raise OEmbedError(
            404, f"url must be {widget}frame/NAME/ID.html or {widget}frame.html?bundle=NAME&comparison=ID"
        )
    name = query.get("bundle", "")
    index = bundle(name) if SLUG.fullmatch(name) else None
    if index is None:
        raise OEmbedError(404, "bundle must name a bundle published with this widget")
    try:
        comparison = index.comparison(query.get("comparison"))
    except BundleError as error:
        raise OEmbedError(404, str(error)) from None
    width = _dimension(params.get("maxwidth"), "maxwidth")
    height = min(DEFAULT_HEIGHT, _dimension(params.get("maxheight"), "maxheight") or DEFAULT_HEIGHT)
    extra = {k: query[k] for k in KEPT if k in query and k not in ("comparison", "endpoint")}
    if query.get("endpoint", "").rstrip("/") in {e.rstrip("/") for e in endpoints}:
        extra["endpoint"] = query["endpoint"]
    if page:
        src = f"{widget}frame/{name}/{comparison.id}.html" + (f"?{urlencode(extra)}" if extra else "")
    else:
        src = f"{widget}frame.html?{urlencode({'bundle': name, 'comparison': comparison.id} | extra)}"
    title = comparison_title(index, comparison)
    style = f"width:{f'{width}px' if width else '100%'};max-width:100%;border:0"
    # WordPress keeps only the iframe's src, width, height, frameborder and title (and the blockquote's link).
    html = (
        f'<blockquote hidden><a href="{escape(src)}">{escape(title)}</a></blockquote>'
        f'<iframe data-verdict-frame src="{escape(src)}" title="{escape(title)}" width="{width or DEFAULT_WIDTH}" '
        f'height="{height}" frameborder="0" style="{style}" loading="lazy"></iframe>'
    )
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Verdict",
        "provider_url": widget,
        "title": title,
        "html": html,
        "width": width or DEFAULT_WIDTH,
        "height": height,
        "cache_age": CACHE_AGE,
    }


def as_format(answer: Mapping[str, Any], format: str | None) -> tuple[str, str]:
    """The answer's body and media type in the requested format (json unless xml is asked for)."""
    if format != "xml":
        return json.dumps(answer), "application/json"
    fields = "".join(f"<{name}>{xml_escape(str(value))}</{name}>" for name, value in answer.items())
    return f'<?xml version="1.0" encoding="utf-8" standalone="yes"?><oembed>{fields}</oembed>', "text/xml"
