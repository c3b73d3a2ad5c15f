"""The iframe form (dist/frame.html) and oEmbed for CMSs that auto-embed links."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from playwright.sync_api import Page, expect

from ..conftest import SEED
from .conftest import ENGINE_TIMEOUT, Demo
from .hostpage import HostPages


def frame_url(widget: str, **extra: str) -> str:
    query = "&".join(f"{k}={quote(v)}" for k, v in {"bundle": "comparisons", "comparison": SEED, **extra}.items())
    return f"{widget}/frame.html?{query}"


def test_the_iframe_fits_its_card_and_hears_only_its_own_frames(page: Page, demo: Demo):
    with HostPages().running() as pages:
        page.goto(
            pages.add(
                f'<!doctype html><html><body><iframe data-verdict-frame src="{frame_url(demo.widget)}" '
                'title="comparison" style="width:760px;border:0" height="300"></iframe>'
                f'<script src="{demo.widget}/embed.js" async></script></body></html>'
            )
        )
        frame = page.frame_locator("iframe[data-verdict-frame]")
        expect(frame.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
        iframe = page.locator("iframe[data-verdict-frame]")
        page.wait_for_function(
            "document.querySelector('iframe[data-verdict-frame]').getBoundingClientRect().height > 1000",
            timeout=ENGINE_TIMEOUT,
        )
        inner = page.frames[1].evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
        assert abs(iframe.bounding_box()["height"] - inner) <= 1
        # A message from anywhere but the widget host's frames changes nothing.
        page.evaluate("window.postMessage({ type: 'verdict:frame-size', height: 40 }, '*')")
        page.wait_for_timeout(300)
        assert abs(iframe.bounding_box()["height"] - inner) <= 1
        assert page.evaluate("document.querySelectorAll('[data-verdict]').length") == 0, "no card was added beside"


def test_a_frame_url_without_a_bundle_says_so(page: Page, demo: Demo):
    page.goto(f"{demo.widget}/frame.html?bundle=../../etc/passwd")
    expect(page.locator("body")).to_contain_text("This comparison can't be shown")
    assert any("frame.html needs ?bundle=NAME" in m for m in page.console.of("error"))  # type: ignore[attr-defined]


def test_oembed_answers_for_the_documented_url_pattern(demo: Demo):
    url = frame_url(demo.widget, theme="dark")
    answer = httpx.get(f"{demo.widget}/oembed", params={"url": url, "format": "json", "maxheight": "900"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    data = answer.json()
    assert {k: data[k] for k in ("version", "type", "provider_name", "height")} == {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Verdict",
        "height": 900,
    }
    assert data["title"] == "HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge"
    # A link in a blockquote, then the iframe: WordPress resizes a sandboxed embed only with the blockquote beside it.
    assert data["html"].startswith("<blockquote hidden><a href=") and "<iframe data-verdict-frame src=" in data["html"]
    assert "theme=dark" in data["html"] and f"comparison={SEED}" in data["html"]
    for params, status in (
        ({"url": "https://elsewhere.example/frame.html?bundle=comparisons"}, 404),
        ({"url": frame_url(demo.widget).replace("comparisons", "nope")}, 404),
        ({"url": frame_url(demo.widget).replace(SEED, "no-such-comparison")}, 404),
        ({"url": url, "format": "yaml"}, 400),
        ({"url": url, "maxwidth": "-3"}, 400),
    ):
        refused = httpx.get(f"{demo.widget}/oembed", params=params)
        assert refused.status_code == status, (params, refused.text)
        assert refused.json()["error"]


def test_a_sandboxed_frame_page_refused_by_the_endpoint_says_so_and_offers_the_full_card(page: Page, demo: Demo):
    """WordPress's embed (sandbox="allow-scripts") at an endpoint that does not list Origin null."""
    source = f"{demo.widget}/frame/comparisons/{SEED}.html?theme=dark&endpoint={quote(demo.votes)}#?secret=abc123XYZ0"
    with HostPages().running() as pages:
        page.goto(
            pages.add(
                f'<!doctype html><html><body><iframe sandbox="allow-scripts" src="{source}" title="comparison" '
                'style="width:600px;border:0" height="900"></iframe>'
                "<script>window.heard = []; addEventListener('message', (e) => heard.push(e.data));</script>"
                "</body></html>"
            )
        )
        frame = page.frame_locator("iframe")
        expect(frame.locator(".vd-title")).to_have_text("HeyGen Interactive Avatar SDK v3 vs Mistral 4B Edge")
        assert frame.locator("[data-verdict]").get_attribute("data-theme") == "dark"
        expect(frame.locator(".vd-vote-status")).to_have_text(
            "Voting is unavailable: the vote server does not accept votes from this site.", timeout=ENGINE_TIMEOUT
        )
        full = frame.get_by_role("link", name="Open the full card ↗")
        expect(full).to_have_attribute("href", source.split("#")[0])
        # wp-embed's protocol: the height, then the link, each with the secret WordPress gave.
        heights = page.evaluate("heard.filter((m) => m.message === 'height' && m.secret === 'abc123XYZ0')")
        inner = page.frames[1].evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
        assert heights and heights[-1]["value"] == inner
        full.click()
        page.wait_for_function("heard.some((m) => m.message === 'link')")
        link = page.evaluate("heard.find((m) => m.message === 'link')")
        assert link == {"message": "link", "value": source.split("#")[0], "secret": "abc123XYZ0"}
