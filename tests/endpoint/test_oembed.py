"""oEmbed from the vote endpoint (``--widget-url``): a CMS embeds a card from its pasted frame.html link.

The endpoint answers from its own bundles, named by file (main.json is
``bundle=main``), and only for links to the widget it was told about.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import httpx

from tests.helpers.bundles import bundle_dict, write_bundle
from tests.helpers.endpoint import EndpointProcess, clean_environment, new_voter_token

from .conftest import OEMBED_ENDPOINT, WIDGET_URL, Database

FRAME = f"{WIDGET_URL}frame.html?bundle=main&comparison=alpha-vs-beta"


def ask(server: EndpointProcess, **params: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/oembed", params=params, timeout=10)


def test_a_frame_link_gets_a_rich_oembed_with_its_iframe(server: EndpointProcess) -> None:
    answer = ask(server, url=FRAME + "&theme=dark&locale=de&results=after-vote", format="json", maxheight="900")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "public, max-age=3600"
    body = answer.json()
    assert {k: body[k] for k in ("version", "type", "provider_name", "provider_url", "height", "width")} == {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Verdict",
        "provider_url": WIDGET_URL,
        "height": 900,
        "width": 800,
    }
    assert body["title"] == "Alpha vs Beta"
    src = html.unescape(re.search(r'<iframe [^>]*src="([^"]+)"', body["html"])[1])  # type: ignore[index]
    assert src == f"{WIDGET_URL}frame.html?bundle=main&comparison=alpha-vs-beta&theme=dark&locale=de&results=after-vote"
    assert "<iframe data-verdict-frame " in body["html"] and 'height="900"' in body["html"]
    # WordPress shows a discovered embed's iframe in its sandbox, and resizes it, only with a blockquote beside it.
    link = html.unescape(
        re.search(r'<blockquote hidden><a href="([^"]+)">Alpha vs Beta</a></blockquote>', body["html"])[1]
    )  # type: ignore[index]
    assert link == src


def test_a_frame_page_link_is_embedded_as_itself_with_its_options(server: EndpointProcess) -> None:
    page = f"{WIDGET_URL}frame/main/alpha-vs-beta.html"
    answer = ask(server, url=page + "?theme=dark&bundle=other", maxwidth="500", maxheight="750")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    src = html.unescape(re.search(r'<iframe [^>]*src="([^"]+)"', body["html"])[1])  # type: ignore[index]
    assert src == page + "?theme=dark", "the page names its bundle and comparison; the query only adds options"
    assert (body["width"], body["height"], body["title"]) == (500, 750, "Alpha vs Beta")
    assert 'width="500" height="750"' in body["html"]
    for wrong in (f"{WIDGET_URL}frame/main/nope.html", f"{WIDGET_URL}frame/nope/alpha-vs-beta.html"):
        assert ask(server, url=wrong).status_code == 404


def test_the_same_answer_comes_as_xml_when_asked(server: EndpointProcess) -> None:
    answer = ask(server, url=FRAME, format="xml")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(answer.text)
    assert root.tag == "oembed" and root.findtext("type") == "rich" and root.findtext("title") == "Alpha vs Beta"
    assert root.findtext("html") == ask(server, url=FRAME).json()["html"]


def test_links_it_cannot_embed_are_refused_with_the_reason(server: EndpointProcess) -> None:
    cases = {
        "another widget": ({"url": "https://elsewhere.example/verdict/frame.html?bundle=main"}, 404, "url must be"),
        "an unknown bundle": ({"url": f"{WIDGET_URL}frame.html?bundle=nope"}, 404, "bundle must name"),
        "an unknown comparison": ({"url": FRAME.replace("alpha-vs-beta", "nope")}, 404, "nope"),
        "a format oEmbed does not define": ({"url": FRAME, "format": "yaml"}, 400, "json or xml"),
        "a bad maxwidth": ({"url": FRAME, "maxwidth": "0"}, 400, "maxwidth"),
        # str.isdigit() takes these, int() does not (before: 500); nor are they ASCII digits.
        "a superscript maxwidth": ({"url": FRAME, "maxwidth": "²"}, 400, "maxwidth"),
        "an Arabic-Indic maxheight": ({"url": FRAME, "maxheight": "٣٠٠"}, 400, "maxheight"),
        "a fullwidth maxwidth": ({"url": FRAME, "maxwidth": "５００"}, 400, "maxwidth"),
    }
    for case, (params, status, reason) in cases.items():
        answer = ask(server, **params)
        assert (answer.status_code, reason in answer.json()["error"]) == (status, True), (case, answer.text)


def test_a_pasted_endpoint_is_kept_only_when_the_operator_allows_it(server: EndpointProcess) -> None:
    """A pasted link could point readers' votes, and their voter tokens, at a stranger's server."""

    def src(endpoint: str) -> str:
        body = ask(server, url=f"{FRAME}&endpoint={endpoint}&theme=dark").json()
        return html.unescape(re.search(r'src="([^"]+)"', body["html"])[1])  # type: ignore[index]

    allowed = src(OEMBED_ENDPOINT)
    assert f"endpoint={OEMBED_ENDPOINT.replace(':', '%3A').replace('/', '%2F')}" in allowed and "theme=dark" in allowed
    stranger = src("https://collector.example")
    assert "endpoint" not in stranger and "collector" not in stranger and "theme=dark" in stranger


def test_the_openapi_document_lists_the_links_it_answers_for(server: EndpointProcess) -> None:
    document = httpx.get(f"{server.base_url}/openapi.json", timeout=10).json()
    urls = document["paths"]["/oembed"]["get"]["parameters"][0]["schema"]["enum"]
    assert FRAME in urls and f"{WIDGET_URL}frame.html?bundle=second&comparison=" in urls[-1]


def test_without_a_widget_url_there_is_no_oembed(bundles: list[Path], database: Database) -> None:
    with database.serve(bundles) as url:
        answer = httpx.get(f"{url}/oembed", params={"url": FRAME}, timeout=10)
        assert answer.status_code == 404 and answer.json()["error"] == "no such path: /oembed"
        assert "/oembed" not in httpx.get(f"{url}/openapi.json", timeout=10).json()["paths"]


def test_two_bundle_files_of_one_name_stop_start_up_with_oembed_on(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    first = write_bundle(tmp_path / "a" / "comparisons.json", bundle_dict({"one": ["alpha", "beta"]}))
    second = write_bundle(tmp_path / "b" / "comparisons.json", bundle_dict({"two": ["alpha", "gamma"]}))
    command = [sys.executable, "-m", "verdict_endpoint", "serve", "--bundle", str(first), "--bundle", str(second)]
    command += ["--database", f"sqlite:///{tmp_path / 'v.db'}", "--widget-url", WIDGET_URL]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=clean_environment())
    assert result.returncode == 2
    assert "several bundle files are named comparisons.json" in result.stderr


def test_a_widget_url_that_is_not_one_stops_start_up(bundles: list[Path], tmp_path: Path) -> None:
    command = [sys.executable, "-m", "verdict_endpoint", "serve", "--bundle", str(bundles[0])]
    command += ["--database", f"sqlite:///{tmp_path / 'v.db'}", "--widget-url", "widget.example/verdict"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=clean_environment())
    assert result.returncode == 2 and "not a widget URL: 'widget.example/verdict'" in result.stderr


def test_sandboxed_frames_vote_only_where_origin_null_is_listed(bundles: list[Path], database: Database) -> None:
    """WordPress's embeds run in an opaque origin: their requests say ``Origin: null`` (SECURITY.md)."""
    sandboxed = {
        "Origin": "null",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    vote = {"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()}
    refusing = database.launch(bundles, ["https://blog.example"], extra_args=["--widget-url", WIDGET_URL])
    try:
        assert httpx.options(f"{refusing.base_url}/v1/votes", headers=sandboxed, timeout=10).status_code == 400
        warning = refusing.log_when(lambda log: "origin 'null'" in log)
        assert "WordPress's embed" in warning and "--allow-origin null" in warning and "SECURITY.md" in warning
    finally:
        refusing.stop()
    with database.serve(bundles, ["null"], extra_args=["--widget-url", WIDGET_URL]) as url:
        preflight = httpx.options(f"{url}/v1/votes", headers=sandboxed, timeout=10)
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "null"
        answer = httpx.post(f"{url}/v1/votes", json=vote, headers={"Origin": "null"}, timeout=10)
        assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == "null"
        assert answer.json()["tallies"]["alpha"] == 1
        assert "access-control-allow-credentials" not in answer.headers
