"""Several sites on one endpoint, and what each publisher sees: results page, exports, sign-in, migrations."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.helpers.endpoint import EndpointProcess, clean_environment, free_port, new_voter_token

from .conftest import POSTGRES_SECRET, Database, Store

BLOG_ORIGIN = "https://blog.example"
NEWS_ORIGIN = "https://news.example"
HEX64 = re.compile(r"[0-9a-f]{64}")


def _keys() -> dict[str, tuple[str, str]]:
    from verdict_endpoint.sites import new_admin_key

    return {"blog": new_admin_key(), "news": new_admin_key()}


KEYS = _keys()


def write_sites(directory: Path, bundles: list[Path]) -> Path:
    """Two sites: blog (the main bundle) and news (the second); both list a comparison called alpha-vs-beta."""
    config = directory / "sites.toml"
    config.write_text(
        f"""
[[sites]]
id = "blog"
bundles = ["{bundles[0]}"]
allow_origins = ["{BLOG_ORIGIN}"]
admin_key_hashes = ["{KEYS["blog"][1]}"]

[[sites]]
id = "news"
bundles = ["{bundles[1]}"]
allow_origins = ["{NEWS_ORIGIN}/"]
admin_key_hashes = ["{KEYS["news"][1]}"]
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def sites_server(
    bundles: list[Path], store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EndpointProcess]:
    database = store.new_database(tmp_path_factory.mktemp("sites-db"))
    config = write_sites(tmp_path_factory.mktemp("sites"), bundles)
    extra = ["--config", str(config), "--metrics-port", str(free_port())]  # metrics: never on the public port
    endpoint = database.launch([], rate_limit=0, extra_args=extra, env=database.env)
    endpoint.database = database  # type: ignore[attr-defined]
    try:
        yield endpoint
    finally:
        endpoint.stop()


def vote(client: httpx.Client, site: str, comparison: str, tool: str | None, voter: str) -> httpx.Response:
    body: dict[str, Any] = {"comparison": comparison, "voter": voter}
    if tool is None:
        return client.request("DELETE", f"/sites/{site}/v1/votes", json=body)
    return client.post(f"/sites/{site}/v1/votes", json={**body, "tool": tool})


def signed_in(client: httpx.Client, site: str, key: str) -> dict[str, str]:
    """Sign in with the form; the session cookie as a header (it is Secure, so httpx would not send it over http)."""
    answer = client.post(f"/sites/{site}/results/login", data={"key": key})
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"]
    assert all(part in cookie for part in ("Secure", "HttpOnly", "SameSite=strict")), cookie
    return {"Cookie": cookie.split(";", 1)[0]}


def test_each_site_has_its_own_votes_comparisons_and_origins(sites_server: EndpointProcess) -> None:
    with httpx.Client(base_url=sites_server.base_url) as client:
        assert vote(client, "blog", "alpha-vs-beta", "alpha", new_voter_token()).status_code == 200
        assert vote(client, "blog", "alpha-vs-beta", "alpha", new_voter_token()).status_code == 200
        assert vote(client, "news", "alpha-vs-beta", "beta", new_voter_token()).status_code == 200
        blog = client.get("/sites/blog/v1/tallies/alpha-vs-beta").json()
        news = client.get("/sites/news/v1/tallies/alpha-vs-beta").json()
        assert blog["tallies"] == {"alpha": 2, "beta": 0}
        assert news["tallies"] == {"alpha": 0, "beta": 1}
        # A comparison of the blog is not the news site's to take votes on.
        refused = vote(client, "news", "crowd", "beta", new_voter_token())
        assert refused.status_code == 422 and "unknown comparison 'crowd'" in refused.json()["error"]
        assert client.get("/v1/tallies/alpha-vs-beta").status_code == 404  # no default site in this file
        assert client.get("/sites/nobody/v1/tallies/alpha-vs-beta").status_code == 404

        def preflight(site: str, origin: str) -> httpx.Response:
            return client.options(
                f"/sites/{site}/v1/votes",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )

        assert preflight("blog", BLOG_ORIGIN).headers.get("access-control-allow-origin") == BLOG_ORIGIN
        assert preflight("news", NEWS_ORIGIN).headers.get("access-control-allow-origin") == NEWS_ORIGIN
        assert preflight("blog", NEWS_ORIGIN).status_code == 400  # one site's origin does not vote on another
        assert sites_server.metrics_url is not None
        metrics = httpx.get(sites_server.metrics_url).text  # the sites' votes are counted as votes
        accepted = re.search(r'verdict_votes_total\{reason="ok",result="accepted"\} (\d+)', metrics)
        assert accepted is not None and float(accepted.group(1)) >= 3, metrics[:2000]
        document = client.get("/sites/news/openapi.json").json()
        assert document["servers"][0]["url"] == "/sites/news"
        assert "/v1/export" in document["paths"]


def test_a_site_key_opens_its_own_results_and_nothing_of_another(sites_server: EndpointProcess) -> None:
    blog_key, news_key = KEYS["blog"][0], KEYS["news"][0]
    with httpx.Client(base_url=sites_server.base_url) as client:
        vote(client, "blog", "three-way", "gamma", new_voter_token())
        anonymous = client.get("/sites/blog/results")
        assert anonymous.status_code == 401 and "Sign in" in anonymous.text
        assert "three-way" not in anonymous.text.lower()
        wrong = client.post("/sites/blog/results/login", data={"key": news_key})
        assert wrong.status_code == 403 and "not an admin key of this site" in wrong.text
        assert client.get("/sites/blog/results", headers={"Authorization": f"Bearer {news_key}"}).status_code == 401
        assert client.get("/sites/blog/v1/export", headers={"Authorization": f"Bearer {news_key}"}).status_code == 401
        assert client.get("/sites/blog/v1/export").status_code == 401

        news_session = signed_in(client, "news", news_key)
        assert client.get("/sites/blog/results", headers=news_session).status_code == 401
        forged = {"Cookie": "verdict_session_blog=" + news_session["Cookie"].split("=", 1)[1]}
        assert client.get("/sites/blog/results", headers=forged).status_code == 401

        session = signed_in(client, "blog", blog_key)
        page = client.get("/sites/blog/results", params={"comparison": "three-way"}, headers=session)
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert "style-src 'sha256-" in page.headers["content-security-policy"]
        assert "<svg" in page.text and 'role="img"' in page.text
        assert "<title" in page.text and "Gamma" in page.text
        news_page = client.get("/sites/news/results", headers=news_session)
        assert news_page.status_code == 200
        assert "three-way" not in news_page.text and "Three-Way" not in news_page.text


def _export(client: httpx.Client, site: str, key: str, **params: str) -> httpx.Response:
    return client.get(f"/sites/{site}/v1/export", params=params, headers={"Authorization": f"Bearer {key}"})


def test_changes_withdrawals_and_voids_reach_the_page_and_the_exports(sites_server: EndpointProcess) -> None:
    database: Database = sites_server.database  # type: ignore[attr-defined]
    key = KEYS["blog"][0]
    voters = [new_voter_token() for _ in range(4)]
    with httpx.Client(base_url=sites_server.base_url) as client:
        for voter in voters:
            assert vote(client, "blog", "gamma-vs-delta", "gamma", voter).status_code == 200
        assert vote(client, "blog", "gamma-vs-delta", "delta", voters[0]).status_code == 200  # a change
        assert vote(client, "blog", "gamma-vs-delta", None, voters[1]).status_code == 200  # a withdrawal
        # Void every vote from this test client's address, on either site: gamma-vs-delta loses its 3 left.
        from verdict_endpoint.keys import Hasher
        from verdict_endpoint.ratelimit import client_levels

        secret = database.env.get("VERDICT_SECRET") or (database.directory / "secret.key").read_text().strip()
        address = Hasher(secret).client(client_levels("127.0.0.1"))
        voided = subprocess.run(
            [sys.executable, "-m", "verdict", "votes", "void", "--address-hash", address, "--database", database.url],
            capture_output=True,
            text=True,
            timeout=60,
            env=clean_environment(dict(database.env)),
        )
        assert voided.returncode == 0, voided.stderr
        assert "blog/gamma-vs-delta: 3" in voided.stdout
        for _ in range(2):  # two new readers vote afterwards
            assert vote(client, "blog", "gamma-vs-delta", "delta", new_voter_token()).status_code == 200
        assert client.get("/sites/blog/v1/tallies/gamma-vs-delta").json()["tallies"] == {"gamma": 0, "delta": 2}

        page = client.get(
            "/sites/blog/results",
            params={"comparison": "gamma-vs-delta", "view": "hour"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert page.status_code == 200
        figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page.text))
        assert figures == {
            "Gamma": "0",
            "Delta": "2",
            "All votes": "2",
            "Changed their vote": "1",
            "Withdrew": "1",
            "Voided": "3",
        }
        assert "Votes voided by an operator" in page.text and address[:16] in page.text

        exported = _export(client, "blog", key, comparison="gamma-vs-delta", format="csv")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [row["tool"] for row in rows] == ["delta", "gamma"]  # one day, tools in order
        by_tool = {row["tool"]: row for row in rows}
        assert by_tool["gamma"]["gained"] == "4" and by_tool["gamma"]["lost"] == "4"
        assert by_tool["gamma"]["total"] == "0" and by_tool["delta"]["total"] == "2"
        assert by_tool["delta"]["changed_in"] == "1" and by_tool["gamma"]["withdrawn"] == "3"  # 1 withdrawal, 2 voided
        as_json = _export(client, "blog", key, format="json")
        assert as_json.status_code == 200
        everything = json.loads(as_json.text)
        mine = [row for row in everything if row["comparison"] == "gamma-vs-delta"]
        assert [{k: str(v) for k, v in row.items()} for row in mine] == rows
        for text in (exported.text, as_json.text):
            assert not HEX64.search(text) and address[:16] not in text  # no voter or address hash, ever
        assert all(not row["comparison"].startswith("blog/") for row in everything)
        news = json.loads(_export(client, "news", KEYS["news"][0], format="json").text)
        assert all(row["comparison"] != "gamma-vs-delta" for row in news)


def test_the_export_command_streams_a_site_from_the_sites_file(
    sites_server: EndpointProcess, bundles: list[Path], tmp_path: Path
) -> None:
    database: Database = sites_server.database  # type: ignore[attr-defined]
    with httpx.Client(base_url=sites_server.base_url) as client:
        assert vote(client, "news", "second-site", "delta", new_voter_token()).status_code == 200
    config = write_sites(tmp_path, bundles)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "verdict",
            "votes",
            "export",
            "--site",
            "news",
            "--config",
            str(config),
            "--format",
            "csv",
            "--database",
            database.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(dict(database.env)),
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["comparison"] for row in rows} <= {"second-site", "alpha-vs-beta"}
    assert any(row["comparison"] == "second-site" and row["tool"] == "delta" for row in rows)


def test_a_broken_sites_file_is_refused_line_by_line(tmp_path: Path) -> None:
    from verdict_endpoint.errors import StartupError
    from verdict_endpoint.sites import load_sites

    config = tmp_path / "sites.toml"
    config.write_text(
        '[[sites]]\nid = "Blog!"\nbundles = []\nadmin_key_hashes = ["my-long-password"]\n'
        'webhook_urls = ["https://hooks.example/v"]\nwebhook_secret = "hunter2"\ncolour = "red"\n'
    )
    with pytest.raises(StartupError) as raised:
        load_sites(config)
    text = "\n".join(raised.value.lines)
    for expected in ("sites[0].id", "sites[0].bundles", "not a key hash", "whsec_", "sites[0].colour"):
        assert expected in text, text
    assert "my-long-password" not in text  # a key pasted by mistake is not echoed whole
    config.write_text("[[sites]\n")
    with pytest.raises(StartupError, match="not valid TOML"):
        load_sites(config)


# The previous schema with votes in it, migrated: the rollups start from those votes.
OLD_VOTES = {"old-voter-token-0001": "alpha", "old-voter-token-0002": "beta", "old-voter-token-0003": "beta"}


def _previous_schema(database: Database) -> None:
    from verdict_endpoint.keys import Hasher

    voters = [(Hasher(POSTGRES_SECRET).voter(token), tool) for token, tool in OLD_VOTES.items()]
    if database.kind == "sqlite":
        from verdict_endpoint.sqlite_store import MIGRATE_TO_2, MIGRATE_TO_3, SCHEMA

        database.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database.path)) as db, db:
            db.executescript(SCHEMA + MIGRATE_TO_2 + MIGRATE_TO_3)
            db.executemany(
                "INSERT INTO votes (comparison, voter, tool, cast_at, address, created_at, chosen_at)"
                " VALUES ('alpha-vs-beta', ?, ?, 86400 * 3 + 10, 'a', 1, NULL)",
                voters,
            )
            db.executemany(
                "INSERT INTO tallies (comparison, tool, votes) VALUES ('alpha-vs-beta', ?, ?)",
                [("alpha", 1), ("beta", 2)],
            )
            db.execute("PRAGMA user_version = 3")
        return
    from verdict_endpoint.pg_store import MIGRATIONS

    with psycopg.connect(database.url, autocommit=True) as db:
        db.execute("CREATE TABLE verdict_schema (version integer NOT NULL)")
        for version in (1, 2):
            with db.transaction():
                db.execute(MIGRATIONS[version])
                db.execute("INSERT INTO verdict_schema (version) VALUES (%s)", (version,))
        db.execute(
            "SELECT * FROM verdict_apply(%s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[], 0::smallint)",
            (["alpha-vs-beta"] * 3, [v for v, _ in voters], [t for _, t in voters], ["a"] * 3, [None] * 3),
        )
        db.execute("UPDATE verdict_votes SET cast_at = 86400 * 3 + 10")


def test_a_database_of_the_previous_schema_keeps_its_votes_in_the_results(
    bundles: list[Path], database: Database
) -> None:
    _previous_schema(database)
    key, key_hash = KEYS["blog"]
    env = {"VERDICT_SECRET": POSTGRES_SECRET, "VERDICT_ADMIN_KEY_HASHES": key_hash}
    with database.serve(bundles, env=env) as url, httpx.Client(base_url=url) as client:
        assert client.get("/v1/tallies/alpha-vs-beta").json()["tallies"] == {"alpha": 1, "beta": 2}
        rows = list(
            csv.DictReader(
                io.StringIO(
                    client.get(
                        "/v1/export", params={"comparison": "alpha-vs-beta"}, headers={"Authorization": f"Bearer {key}"}
                    ).text
                )
            )
        )
        assert [(row["day"], row["tool"], row["gained"], row["total"]) for row in rows] == [
            ("1970-01-04", "alpha", "1", "1"),
            ("1970-01-04", "beta", "2", "2"),
        ]
        # A vote after the migration is counted by the new triggers, on top of the old ones.
        client.post("/v1/votes", json={"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()})
        page = client.get("/v1/export", params={"format": "json"}, headers={"Authorization": f"Bearer {key}"})
        latest = [row for row in page.json() if row["comparison"] == "alpha-vs-beta" and row["tool"] == "alpha"]
        assert latest[-1]["total"] == 2
