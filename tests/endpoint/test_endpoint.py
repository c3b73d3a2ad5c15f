"""The vote endpoint over HTTP, against real server processes, on SQLite files and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers.aio import run_in_thread
from tests.helpers.bundles import bundle_dict, write_bundle
from tests.helpers.endpoint import EndpointProcess, clean_environment, new_voter_token
from tests.helpers.postgres import PostgresCluster

from .conftest import Database


def vote(client: httpx.Client, comparison: str, tool: str, voter: str) -> httpx.Response:
    return client.post("/v1/votes", json={"comparison": comparison, "tool": tool, "voter": voter})


def withdraw(client: httpx.Client, comparison: str, voter: str) -> httpx.Response:
    return client.request("DELETE", "/v1/votes", json={"comparison": comparison, "voter": voter})


# --- voting and tallies ---------------------------------------------------------------


def test_a_vote_returns_the_fresh_tallies_and_get_agrees(client: httpx.Client) -> None:
    response = vote(client, "alpha-vs-beta", "alpha", new_voter_token())
    assert response.status_code == 200
    assert response.json() == {
        "comparison": "alpha-vs-beta",
        "tallies": {"alpha": 1, "beta": 0},
        "total": 1,
        "vote": "alpha",
    }
    tallies = client.get("/v1/tallies/alpha-vs-beta")
    assert tallies.status_code == 200
    assert tallies.json() == {"comparison": "alpha-vs-beta", "tallies": {"alpha": 1, "beta": 0}, "total": 1}
    assert tallies.headers["cache-control"] == "public, max-age=5"


def test_voting_again_changes_the_vote_and_never_adds_one(client: httpx.Client) -> None:
    voter = new_voter_token()
    assert vote(client, "beta-vs-gamma", "beta", voter).json()["tallies"] == {"beta": 1, "gamma": 0}
    changed = vote(client, "beta-vs-gamma", "gamma", voter).json()
    assert changed == {"comparison": "beta-vs-gamma", "tallies": {"beta": 0, "gamma": 1}, "total": 1, "vote": "gamma"}
    assert vote(client, "beta-vs-gamma", "gamma", voter).json()["total"] == 1
    assert client.get("/v1/tallies/beta-vs-gamma").json()["total"] == 1


def test_withdrawing_removes_the_vote_and_is_idempotent(client: httpx.Client) -> None:
    voter = new_voter_token()
    assert vote(client, "gamma-vs-delta", "delta", voter).json()["total"] == 1
    for _ in range(2):
        response = withdraw(client, "gamma-vs-delta", voter)
        assert response.status_code == 200
        assert response.json() == {
            "comparison": "gamma-vs-delta",
            "tallies": {"gamma": 0, "delta": 0},
            "total": 0,
            "vote": None,
        }
    assert vote(client, "gamma-vs-delta", "gamma", voter).json()["tallies"] == {"gamma": 1, "delta": 0}


def test_two_voters_count_twice_and_every_tool_is_listed(client: httpx.Client) -> None:
    assert client.get("/v1/tallies/three-way").json()["tallies"] == {"alpha": 0, "beta": 0, "gamma": 0}
    vote(client, "three-way", "beta", new_voter_token())
    result = vote(client, "three-way", "beta", new_voter_token()).json()
    assert result["tallies"] == {"alpha": 0, "beta": 2, "gamma": 0}
    assert result["total"] == 2
    assert list(result["tallies"]) == ["alpha", "beta", "gamma"]  # the bundle's order


def test_comparisons_of_every_configured_bundle_are_open(client: httpx.Client) -> None:
    response = vote(client, "second-site", "delta", new_voter_token())
    assert response.status_code == 200
    assert response.json()["tallies"] == {"beta": 0, "delta": 1}


# --- refusals -------------------------------------------------------------------------


def test_an_unknown_comparison_is_refused_naming_it(client: httpx.Client) -> None:
    response = vote(client, "no-such-thing", "alpha", new_voter_token())
    assert response.status_code in (404, 422)
    assert "no-such-thing" in response.json()["error"]
    response = withdraw(client, "no-such-thing", new_voter_token())
    assert response.status_code in (404, 422)
    assert "no-such-thing" in response.json()["error"]
    response = client.get("/v1/tallies/no-such-thing")
    assert response.status_code == 404
    assert "no-such-thing" in response.json()["error"]


@pytest.mark.parametrize("tool", ["gamma", "not-a-tool"])
def test_a_tool_outside_the_comparison_is_refused_naming_it(client: httpx.Client, tool: str) -> None:
    response = vote(client, "alpha-vs-beta", tool, new_voter_token())
    assert response.status_code in (404, 422)
    assert tool in response.json()["error"]


@pytest.mark.parametrize(
    "voter",
    ["short", "x" * 129, "has spaces in it, sixteen+", "emoji-\N{GRINNING FACE}-token-1234", 1234567890123456789],
)
def test_a_malformed_voter_token_is_refused(client: httpx.Client, voter: object) -> None:
    response = client.post("/v1/votes", json={"comparison": "alpha-vs-beta", "tool": "alpha", "voter": voter})
    assert response.status_code == 422
    assert "voter" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"comparison": "alpha-vs-beta", "voter": "v" * 20}, "tool"),
        ({"tool": "alpha", "voter": "v" * 20}, "comparison"),
        ({"comparison": "alpha-vs-beta", "tool": 7, "voter": "v" * 20}, "tool"),
        ({"comparison": ["alpha-vs-beta"], "tool": "alpha", "voter": "v" * 20}, "comparison"),
    ],
)
def test_missing_or_mistyped_fields_are_named(client: httpx.Client, body: dict, field: str) -> None:
    response = client.post("/v1/votes", json=body)
    assert response.status_code == 422
    assert field in response.json()["error"]


def test_a_body_that_is_not_an_object_is_refused(client: httpx.Client) -> None:
    response = client.post("/v1/votes", json=["alpha-vs-beta", "alpha"])
    assert response.status_code == 422
    assert "object" in response.json()["error"]


def test_malformed_json_is_a_400(client: httpx.Client) -> None:
    response = client.post(
        "/v1/votes", content=b'{"comparison": "alpha-vs-beta", ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_a_body_over_4_kib_is_a_413(client: httpx.Client) -> None:
    body = {"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token(), "padding": "x" * 4096}
    response = client.post("/v1/votes", json=body)
    assert response.status_code == 413
    assert "4096" in response.json()["error"]
    assert client.get("/v1/tallies/alpha-vs-beta").status_code == 200  # still serving


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_typed_is_a_415(client: httpx.Client, content_type: str | None) -> None:
    body = json.dumps({"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()}).encode()
    request = client.build_request("POST", "/v1/votes", content=body)
    request.headers.pop("content-type", None)
    if content_type is not None:
        request.headers["content-type"] = content_type
    response = client.send(request)
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]


def test_unknown_routes_and_wrong_methods_answer_in_json(client: httpx.Client) -> None:
    missing = client.get("/v2/votes")
    assert missing.status_code == 404
    assert "/v2/votes" in missing.json()["error"]
    for method, path in [("GET", "/v1/votes"), ("PUT", "/v1/votes"), ("POST", "/v1/tallies/alpha-vs-beta")]:
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert method in response.json()["error"]
        assert response.headers["allow"]


# --- CORS -----------------------------------------------------------------------------


def test_an_allowed_origin_may_read_and_vote(client: httpx.Client, allowed_origin: str) -> None:
    tallies = client.get("/v1/tallies/alpha-vs-beta", headers={"Origin": allowed_origin})
    assert tallies.headers["access-control-allow-origin"] == allowed_origin
    assert "origin" in tallies.headers["vary"].lower()

    preflight = client.options(
        "/v1/votes",
        headers={
            "Origin": allowed_origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == allowed_origin
    assert {"POST", "DELETE"} <= {m.strip() for m in preflight.headers["access-control-allow-methods"].split(",")}
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    assert preflight.headers["access-control-max-age"] == "86400"
    assert "access-control-allow-credentials" not in preflight.headers

    voted = client.post(
        "/v1/votes",
        json={"comparison": "alpha-vs-beta", "tool": "beta", "voter": new_voter_token()},
        headers={"Origin": allowed_origin},
    )
    assert voted.status_code == 200
    assert voted.headers["access-control-allow-origin"] == allowed_origin


def test_another_origin_gets_no_cors_grant(client: httpx.Client) -> None:
    evil = "https://evil.example"
    tallies = client.get("/v1/tallies/alpha-vs-beta", headers={"Origin": evil})
    assert "access-control-allow-origin" not in tallies.headers
    preflight = client.options("/v1/votes", headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "origin" in preflight.json()["error"]


# --- documents ------------------------------------------------------------------------


def test_the_openapi_document_describes_the_routes(client: httpx.Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert {"post", "delete"} <= set(paths["/v1/votes"])
    assert "get" in paths["/v1/tallies/{comparison}"]
    assert "get" in paths["/healthz"]
    schemas = document["components"]["schemas"]
    assert schemas["VoteIn"]["properties"]["voter"]["pattern"] == "^[A-Za-z0-9_-]{16,128}$"
    assert set(schemas["VoteResult"]["required"]) == {"comparison", "tallies", "total", "vote"}
    for name in ("VoteIn", "WithdrawIn"):  # optional, documented, and answered with a 409 when older
        chosen_at = schemas[name]["properties"]["chosen_at"]
        assert "chosen_at" not in schemas[name]["required"] and "409" in chosen_at["description"]
        assert {"type": "integer", "minimum": 0, "maximum": 2**53 - 1} in [
            {k: v for k, v in branch.items() if k in ("type", "minimum", "maximum")} for branch in chosen_at["anyOf"]
        ]
    for method in ("post", "delete"):
        assert paths["/v1/votes"][method]["responses"]["409"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Superseded"
        }
    assert set(schemas["Superseded"]["required"]) == {"comparison", "tallies", "total", "vote", "error"}
    refs = json.dumps(paths)
    for name in ("VoteIn", "WithdrawIn", "VoteResult", "Tallies", "ErrorBody"):
        assert f"#/components/schemas/{name}" in refs


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# --- privacy --------------------------------------------------------------------------


def test_voter_tokens_and_addresses_are_never_stored_raw(
    client: httpx.Client, server: EndpointProcess, server_database: Database
) -> None:
    voter = new_voter_token()
    assert vote(client, "alpha-vs-delta", "delta", voter).status_code == 200
    assert vote(client, "alpha-vs-delta", "alpha", voter).status_code == 200
    database_files = server_database.stored_files()
    if server_database.kind == "sqlite":
        assert server.db_path in database_files and len(database_files) > 1  # the WAL holds the recent votes
    stored = b"".join(p.read_bytes() for p in database_files)
    assert b"alpha-vs-delta" in stored  # the search looks where the votes are
    assert voter.encode() not in stored
    assert b"127.0.0.1" not in stored
    for other in server.db_path.parent.iterdir():  # nor in the secret file or the server's log
        assert voter.encode() not in other.read_bytes(), other.name


# --- limits, durability and start-up, each on its own server ----------------------------


def test_too_many_votes_from_one_address_get_429(bundles: list[Path], database: Database) -> None:
    with (
        database.serve(bundles, ["*"], rate_limit=3) as url,
        httpx.Client(base_url=url) as client,
    ):
        voter = new_voter_token()
        for tool in ("alpha", "beta", "alpha"):
            assert vote(client, "alpha-vs-beta", tool, voter).status_code == 200
        refused = vote(client, "alpha-vs-beta", "beta", new_voter_token())
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "too many" in refused.json()["error"]
        assert withdraw(client, "alpha-vs-beta", voter).status_code == 429
        # Reading is not limited, and the refused votes were not counted.
        for _ in range(10):
            tallies = client.get("/v1/tallies/alpha-vs-beta", headers={"Origin": "https://any.example"})
            assert tallies.status_code == 200
        assert tallies.json()["tallies"] == {"alpha": 1, "beta": 0}
        assert tallies.headers["access-control-allow-origin"] == "*"


def test_a_200_vote_survives_kill_9(bundles: list[Path], database: Database) -> None:
    voter = new_voter_token()
    endpoint = database.launch(bundles)
    try:
        response = httpx.post(
            f"{endpoint.base_url}/v1/votes", json={"comparison": "three-way", "tool": "gamma", "voter": voter}
        )
        assert response.status_code == 200
    finally:
        endpoint.kill()
    assert endpoint.process.returncode == -9

    if database.kind == "sqlite":
        secret = database.directory / "secret.key"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600

    with database.serve(bundles) as url, httpx.Client(base_url=url) as client:
        assert client.get("/v1/tallies/three-way").json()["tallies"] == {"alpha": 0, "beta": 0, "gamma": 1}
        # The kept secret hashes the token as before: the returning voter changes their vote.
        again = vote(client, "three-way", "alpha", voter).json()
        assert again["tallies"] == {"alpha": 1, "beta": 0, "gamma": 0}


def serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "verdict_endpoint", "serve", "--port", "1", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=clean_environment(env),
    )


def test_a_broken_bundle_stops_start_up_naming_the_field(tmp_path: Path) -> None:
    broken = bundle_dict({"alpha-vs-beta": ["alpha", "beta"]})
    broken["tools"][0]["entry"] = "sometimes"
    del broken["comparisons"][0]["standfirst"]
    path = write_bundle(tmp_path / "broken.json", broken)
    result = serve("--bundle", str(path), "--database", f"sqlite:///{tmp_path / 'votes.db'}")
    assert result.returncode == 2
    assert "tools[0].entry" in result.stderr
    assert "comparisons[0].standfirst" in result.stderr
    assert str(path) in result.stderr
    assert not (tmp_path / "votes.db").exists()

    # The same through the environment.
    result = serve(env={"VERDICT_BUNDLE": str(path), "VERDICT_DATABASE_URL": f"sqlite:///{tmp_path / 'votes.db'}"})
    assert result.returncode == 2
    assert "tools[0].entry" in result.stderr


def test_conflicting_bundles_stop_start_up(tmp_path: Path) -> None:
    first = write_bundle(tmp_path / "a.json", bundle_dict({"shared": ["alpha", "beta"]}))
    second = write_bundle(tmp_path / "b.json", bundle_dict({"shared": ["alpha", "gamma"]}))
    result = serve("--bundle", str(first), "--bundle", str(second), "--database", f"sqlite:///{tmp_path / 'v.db'}")
    assert result.returncode == 2
    assert "'shared'" in result.stderr


def test_an_unsupported_or_unreachable_database_stops_start_up(bundles: list[Path]) -> None:
    result = serve(env={"VERDICT_BUNDLE": str(bundles[0]), "VERDICT_DATABASE_URL": "mysql://u:hunter2@db.example/v"})
    assert result.returncode == 2
    assert "'mysql'" in result.stderr and "postgresql://" in result.stderr and "sqlite:///" in result.stderr
    assert "hunter2" not in result.stderr

    unreachable = "postgresql://voter:hunter2@127.0.0.1:1/verdict"
    result = serve("--bundle", str(bundles[0]), "--database", unreachable, "--secret", "s" * 32)
    assert result.returncode == 2
    assert "cannot use the database postgresql://voter@127.0.0.1:1/verdict" in result.stderr
    assert "hunter2" not in result.stderr


def test_postgresql_needs_a_shared_secret(bundles: list[Path], postgres: PostgresCluster) -> None:
    result = serve("--bundle", str(bundles[0]), "--database", postgres.url())
    assert result.returncode == 2
    assert "VERDICT_SECRET" in result.stderr


def test_concurrent_votes_are_all_counted_once(server: EndpointProcess) -> None:
    async def crowd() -> tuple[dict, dict]:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=20.0) as client:
            one_each = [
                client.post("/v1/votes", json={"comparison": "crowd", "tool": tool, "voter": new_voter_token()})
                for tool in ["beta", "delta"] * 20
            ]
            fickle = new_voter_token()
            changes = [
                client.post("/v1/votes", json={"comparison": "crowd", "tool": tool, "voter": fickle})
                for tool in ["beta", "delta"] * 5
            ]
            responses = await asyncio.gather(*one_each, *changes)
            assert all(r.status_code == 200 for r in responses)
            final = await client.post("/v1/votes", json={"comparison": "crowd", "tool": "delta", "voter": fickle})
            return final.json(), (await client.get("/v1/tallies/crowd")).json()

    final, tallies = run_in_thread(crowd())
    assert final["tallies"] == {"beta": 20, "delta": 21}
    assert tallies == {"comparison": "crowd", "tallies": {"beta": 20, "delta": 21}, "total": 41}


def test_configuration_from_the_environment_with_flags_overriding(bundles: list[Path], database: Database) -> None:
    env = {
        "VERDICT_ALLOW_ORIGINS": "https://a.example, https://b.example/",
        "VERDICT_RATE_LIMIT": "1",
        "VERDICT_SECRET": "s" * 32,
    }
    with (
        database.serve(bundles, rate_limit=2, env=env) as url,
        httpx.Client(base_url=url) as client,
    ):
        tallies = client.get("/v1/tallies/alpha-vs-beta", headers={"Origin": "https://b.example"})
        assert tallies.headers["access-control-allow-origin"] == "https://b.example"
        statuses = [vote(client, "alpha-vs-beta", "beta", new_voter_token()).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]  # the flag's 2, not the environment's 1
    assert not (database.directory / "secret.key").exists()  # the configured secret is used instead
