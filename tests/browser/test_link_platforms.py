"""What link-only platforms (Medium through Embedly, Substack, Notion, Ghost, Iframely) read of a frame page.

They fetch the pasted URL without running it: Open Graph (title,
description, the build's picture of the card), a ``twitter:player`` card
and oEmbed, found by discovery or by the provider registry. Here a copy of
dist/ whose frame pages were written for this test's widget host and vote
endpoint, an oEmbed consumer from PyPI (micawber) and Chromium playing the
player URL as a platform would.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import micawber
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from builder.assemble import frames, ogimage
from tests.helpers.endpoint import launch_endpoint

from ..conftest import SEED
from .servers import widget_host

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = [ROOT / "demo" / "comparisons.json", ROOT / "demo" / "lineup.json"]
TITLE = "HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge"


class Head(HTMLParser):
    """The meta and link tags of a page, as a crawler reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in found or "name" in found):
            self.meta[found.get("property") or found["name"]] = found.get("content", "")
        if tag == "link" and found.get("rel") == "alternate":
            self.links[found.get("type", "")] = found.get("href", "")


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(widget URL, oEmbed URL) of a deployment whose build was told both."""
    folder = tmp_path_factory.mktemp("links")
    served = folder / "dist"
    shutil.copytree(ROOT / "dist", served, copy_function=os.link)
    with widget_host(served) as widget:
        endpoint = launch_endpoint(BUNDLES, folder / "votes.db", extra_args=["--widget-url", widget + "/"])
        try:
            frames.write(served, widget + "/", endpoint.base_url)
            yield widget + "/", endpoint.base_url + "/oembed"
        finally:
            endpoint.stop()


def test_a_frame_page_carries_open_graph_a_player_card_and_oembed_discovery(deployed: tuple[str, str]) -> None:
    widget, oembed = deployed
    url = widget + frames.page_path("comparisons", SEED)
    head = Head(httpx.get(url, timeout=10).text)
    assert head.meta["og:title"] == TITLE and head.meta["og:url"] == url
    assert "The panel" in head.meta["og:description"] or "panel" in head.meta["og:description"]
    picture = httpx.get(head.meta["og:image"], timeout=10)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size == (ogimage.WIDTH, ogimage.HEIGHT)
    assert head.meta["twitter:card"] == "player" and head.meta["twitter:player"] == url
    discovered = httpx.get(head.links["application/json+oembed"], timeout=10)
    assert discovered.status_code == 200, discovered.text
    answer = discovered.json()
    assert answer["type"] == "rich" and answer["title"] == TITLE and f'src="{url}"' in answer["html"]
    assert head.links["text/xml+oembed"].startswith(oembed + "?url=")


def test_the_player_url_plays_the_live_card(page: Page, deployed: tuple[str, str]) -> None:
    widget, _ = deployed
    page.goto(widget + frames.page_path("lineup", "edge-runtimes-three-way") + "?theme=dark")
    card = page.locator("[data-verdict]")
    expect(card.locator(".vd-title")).to_have_text("Ferrite Runtime vs Lumen Edge vs Harbor Functions")
    assert card.get_attribute("data-theme") == "dark", "the query adds options to the page's own comparison"


def test_micawber_embeds_a_frame_link_through_the_registry_entry(deployed: tuple[str, str], tmp_path: Path) -> None:
    widget, oembed = deployed
    providers = tmp_path / "providers.json"
    providers.write_text(json.dumps([frames.registry_entry(widget, oembed, "Verdict (test)")]))
    registry = micawber.bootstrap_oembed(providers_file=str(providers))
    url = widget + frames.page_path("comparisons", SEED)
    answer = registry.request(url, maxwidth=600)
    assert answer["title"] == TITLE and answer["provider_name"] == "Verdict" and answer["width"] == 600
    embedded = registry.parse_text(f"Our pick:\n{url}\n")
    assert "<iframe data-verdict-frame" in embedded and f'src="{url}"' in embedded
    # The registry's frame.html pattern too; a link elsewhere stays a link.
    assert "<iframe" in registry.parse_text(f"{widget}frame.html?bundle=comparisons&comparison={SEED}")
    assert "<iframe" not in registry.parse_text("https://elsewhere.example/frame/comparisons/x.html")
