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
from tests.helpers.endpoint import EndpointProcess, clean_environment

from .conftest import OEMBED_ENDPOINT, WIDGET_URL, Database

FRAME = f"{WIDGET_URL}frame.html?bundle=main&comparison=alpha-vs-beta"


def ask(server: EndpointProcess, **params: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}/oembed", params=params, timeout=10)


def test_a_frame_link_gets_a_rich_oembed_with_its_iframe(server: EndpointProcess) -> None:
    answer = ask(server, url=FRAME + "&theme=dark&locale=de", format="json", maxheight="900")
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
    src = html.unescape(re.search(r'src="([^"]+)"', body["html"])[1])  # type: ignore[index]
    assert src == f"{WIDGET_URL}frame.html?bundle=main&comparison=alpha-vs-beta&theme=dark&locale=de"
    assert body["html"].startswith("<iframe data-verdict-frame ") and 'height="900"' in body["html"]


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
