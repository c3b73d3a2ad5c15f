"""GET /v1/cards/{comparison}: the live card of a reader who has not voted, rendered by the engine on the endpoint."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx

from verdict.bundle import BundleIndex, load_bundle
from verdict.livecard import live_card, live_key

from .conftest import ALLOWED_ORIGIN

COMPARISON = "gamma-vs-delta"


def key_of(bundle: Path) -> str:
    return live_key(load_bundle(bundle.read_bytes()))


def test_the_card_is_the_engines_render_with_the_current_tallies(client: httpx.Client, bundles: list[Path]) -> None:
    client.post("/v1/votes", json={"comparison": COMPARISON, "tool": "delta", "voter": secrets.token_urlsafe(16)})
    key = key_of(bundles[0])
    response = client.get(f"/v1/cards/{COMPARISON}", params={"key": key, "locale": "de", "level": "3"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "public, max-age=5"
    index = BundleIndex(load_bundle(bundles[0].read_bytes()))
    assert response.text == live_card(index, COMPARISON, {"gamma": 0, "delta": 1}, "de", 3)
    assert 'lang="de"' in response.text and "<h3" in response.text and "1 Stimme" in response.text


def test_an_allowed_origin_may_read_it(client: httpx.Client, bundles: list[Path]) -> None:
    response = client.get(
        f"/v1/cards/{COMPARISON}", params={"key": key_of(bundles[0])}, headers={"Origin": ALLOWED_ORIGIN}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_a_card_built_from_another_bundle_or_engine_gets_a_409_so_it_renders_itself(
    client: httpx.Client, bundles: list[Path], tmp_path: Path
) -> None:
    changed = json.loads(bundles[0].read_text())
    changed["comparisons"][0]["standfirst"] = "Edited since the endpoint started."
    other = tmp_path / "main.json"
    other.write_text(json.dumps(changed))
    response = client.get(f"/v1/cards/{COMPARISON}", params={"key": key_of(other)})
    assert response.status_code == 409
    assert "its own engine" in response.json()["error"]


def test_a_reformatted_copy_of_the_same_bundle_has_the_same_key(bundles: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(json.loads(bundles[0].read_text()), indent=4))
    assert key_of(copy) == key_of(bundles[0])


def test_bad_requests_are_named(client: httpx.Client, bundles: list[Path]) -> None:
    key = key_of(bundles[0])
    cases = [
        ({"key": "nope"}, 422, "key must be"),
        ({"key": key, "locale": "pt"}, 422, "locale must be one of"),
        ({"key": key, "level": "7"}, 422, "level must be"),
    ]
    for params, status, message in cases:
        response = client.get(f"/v1/cards/{COMPARISON}", params=params)
        assert response.status_code == status, params
        assert message in response.json()["error"]
    response = client.get("/v1/cards/second-site", params={"key": key})  # a comparison of the other bundle
    assert response.status_code == 404
    assert "second-site" in response.json()["error"]
