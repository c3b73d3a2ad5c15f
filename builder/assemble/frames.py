"""One frame page per comparison, for the platforms that take a link and not a script.

``frame/<bundle>/<id>.html`` is frame.html with its bundle and comparison
written in, so it is a URL a publisher pastes as it is (WordPress, Medium,
Substack, Notion, Ghost, anything using Iframely). When the build knows where
the widget is served (``--widget-url``) each page also carries what link-only
platforms read without running it: Open Graph (title, description and
``og/<bundle>/<id>.png``, a picture of the card drawn here, no browser needed), a
``twitter:player`` card playing the page itself, and, when the build also knows
the vote endpoint (``--endpoint``), the card's votes go there and the page
carries oEmbed discovery of the endpoint's ``/oembed``, which is what WordPress
reads.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import quote

from verdict.bundle import BundleIndex, load_bundle
from verdict.figures import derive
from verdict.models import Comparison
from verdict.render import comparison_title

from . import ogimage

PLAYER_WIDTH = 800
PLAYER_HEIGHT = 1200
FRAME_STYLE = "html, body { margin: 0; padding: 0; background: transparent; } body { padding: 1px; }"


def page_path(bundle_name: str, comparison_id: str) -> str:
    """A frame page's path in dist/ (bundle names and comparison ids are slugs)."""
    return f"frame/{bundle_name}/{comparison_id}.html"


def description(index: BundleIndex, comparison: Comparison) -> str:
    """What a link preview says under the title: the standfirst and the panel's headline."""
    return f"{comparison.standfirst} {derive(index, comparison).headline.text}".strip()


def frame_page(
    index: BundleIndex,
    bundle_name: str,
    comparison: Comparison,
    widget_url: str | None,
    endpoint: str | None,
) -> str:
    title = comparison_title(index, comparison)
    summary = description(index, comparison)
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        # frame.js, embed.js and bundles/ resolve against dist/, as in frame.html.
        '<base href="../../">',
        f"<title>{escape(title)}</title>",
        f'<meta name="description" content="{escape(summary)}">',
    ]
    if widget_url:
        url = widget_url + page_path(bundle_name, comparison.id)
        image = f"{widget_url}og/{bundle_name}/{comparison.id}.png"
        head += [
            f'<link rel="canonical" href="{escape(url)}">',
            '<meta property="og:type" content="website">',
            f'<meta property="og:site_name" content="{escape(index.bundle.site.name)}">',
            f'<meta property="og:title" content="{escape(title)}">',
            f'<meta property="og:description" content="{escape(summary)}">',
            f'<meta property="og:url" content="{escape(url)}">',
            f'<meta property="og:image" content="{escape(image)}">',
            f'<meta property="og:image:width" content="{ogimage.WIDTH}">',
            f'<meta property="og:image:height" content="{ogimage.HEIGHT}">',
            f'<meta property="og:image:alt" content="{escape(title)}: the comparison card">',
            # A player card: platforms that play one (X, Iframely, Embedly) show the live card.
            '<meta name="twitter:card" content="player">',
            f'<meta name="twitter:title" content="{escape(title)}">',
            f'<meta name="twitter:description" content="{escape(summary)}">',
            f'<meta name="twitter:image" content="{escape(image)}">',
            f'<meta name="twitter:player" content="{escape(url)}">',
            f'<meta name="twitter:player:width" content="{PLAYER_WIDTH}">',
            f'<meta name="twitter:player:height" content="{PLAYER_HEIGHT}">',
        ]
        if endpoint:
            oembed_url = endpoint + "/oembed"
            for kind, form in (("application/json+oembed", "json"), ("text/xml+oembed", "xml")):
                href = f"{oembed_url}?url={quote(url, safe='')}&format={form}"
                head.append(f'<link rel="alternate" type="{kind}" href="{escape(href)}" title="{escape(title)}">')
    body = (
        f'<style>{FRAME_STYLE}</style>\n</head>\n<body>\n  <script src="frame.js"></script>\n'
        '  <script src="embed.js" async></script>\n</body>\n</html>\n'
    )
    attrs = f'lang="en" data-bundle="{escape(bundle_name)}" data-comparison="{escape(comparison.id)}"'
    if endpoint:
        attrs += f' data-endpoint="{escape(endpoint)}"'
    return f"<!doctype html>\n<html {attrs}>\n<head>\n  " + "\n  ".join(head) + "\n  " + body


def registry_entry(widget_url: str, oembed_url: str, name: str) -> dict[str, object]:
    """This deployment as an entry of oembed.com's provider registry (providers.yml), which consumers
    such as micawber, Embedly and Iframely read to know whose oEmbed answers a link."""
    return {
        "provider_name": name,
        "provider_url": widget_url,
        "endpoints": [
            {
                "schemes": [f"{widget_url}frame/*", f"{widget_url}frame.html?*"],
                "url": oembed_url,
                "discovery": True,
                "formats": ["json", "xml"],
            }
        ],
    }


def _write(path: Path, data: bytes) -> None:
    """A new file (never writing through a hard link into another copy of dist/), without the
    precompressed twins of what it replaces (a host would serve those instead)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in (path, path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")):
        old.unlink(missing_ok=True)
    path.write_bytes(data)


def write(dist: Path, widget_url: str | None = None, endpoint: str | None = None) -> list[Path]:
    """Write every published bundle's frame pages (and, with ``widget_url``, their pictures) into ``dist``.

    ``widget_url``: where dist/ is served, ending in ``/``; ``endpoint``: the
    vote endpoint (``https://votes.example.com``), which answers oEmbed at ``/oembed``
    when it is started with ``--widget-url``.
    """
    endpoint = endpoint.rstrip("/") if endpoint else None
    written = []
    for published in sorted((dist / "bundles").glob("*.json")):
        index = BundleIndex(load_bundle(published.read_bytes()))
        for comparison in index.bundle.comparisons:
            page = dist / page_path(published.stem, comparison.id)
            _write(page, frame_page(index, published.stem, comparison, widget_url, endpoint).encode())
            written.append(page)
            if widget_url:
                picture = dist / "og" / published.stem / f"{comparison.id}.png"
                _write(picture, ogimage.card_picture(index, comparison))
                written.append(picture)
    return written
