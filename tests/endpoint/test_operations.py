"""What an operator relies on: the operator commands, logs, metrics, headers, shutdown, trusted proxies."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.helpers.endpoint import EndpointProcess, clean_environment, new_voter_token

from .conftest import Database

SECRET = "an-operator-test-secret-value"
BURST_ADDRESS = "198.51.100.7"


def votes_command(database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "verdict", "votes", "--database", database.url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(),
    )


def address_hash(address: str) -> str:
    from verdict_endpoint.keys import Hasher
    from verdict_endpoint.ratelimit import client_levels

    return Hasher(SECRET).client(client_levels(address))


def test_operator_lists_a_burst_and_voids_its_votes(bundles: list[Path], database: Database) -> None:
    env = {"VERDICT_SECRET": SECRET}
    extra = ["--trusted-proxy", "127.0.0.1"]  # the test client plays the proxy and names each reader
    with database.serve(bundles, rate_limit=0, env=env, extra_args=extra) as url, httpx.Client(base_url=url) as client:

        def vote(address: str, tool: str) -> None:
            body = {"comparison": "three-way", "tool": tool, "voter": new_voter_token()}
            response = client.post("/v1/votes", json=body, headers={"X-Forwarded-For": address})
            assert response.status_code == 200

        for _ in range(25):
            vote(BURST_ADDRESS, "gamma")
        for n in range(5):  # readers on networks of their own (IPv4 /16s)
            for tool in ("alpha", "beta", "gamma"):
                vote(f"203.{n + 1}.113.1", tool)
        assert client.get("/v1/tallies/three-way").json()["tallies"] == {"alpha": 5, "beta": 5, "gamma": 30}

        # A week-long window: a burst split by a window's edge mid-test is then all but impossible.
        listed = votes_command(database, "suspicious", "--min-voters", "10", "--window", "7d")
        assert listed.returncode == 0, listed.stderr
        burst = address_hash(BURST_ADDRESS)
        lines = [line for line in listed.stdout.splitlines() if re.match(r"[0-9a-f]{64} ", line)]
        assert len(lines) == 1, listed.stdout  # the readers with 3 votes each are not listed
        assert lines[0].startswith(burst) and " 25 " in lines[0] and "three-way" in lines[0]

        voided = votes_command(database, "void", "--address-hash", burst[:16])  # the network's prefix works
        assert voided.returncode == 0, voided.stderr
        assert "removed 25 vote(s)" in voided.stdout and "three-way: 25" in voided.stdout
        assert client.get("/v1/tallies/three-way").json()["tallies"] == {"alpha": 5, "beta": 5, "gamma": 5}
        again = votes_command(database, "void", "--address-hash", burst)
        assert "removed 0 vote(s)" in again.stdout
        assert "no address" in votes_command(database, "suspicious", "--min-voters", "10", "--window", "7d").stdout


def test_operator_commands_refuse_bad_input_plainly(database: Database) -> None:
    result = votes_command(database, "void", "--address-hash", "not-hex")
    assert result.returncode == 2
    assert "not an address hash" in result.stderr
    result = votes_command(database, "suspicious", "--since", "yesterday")
    assert result.returncode == 2
    assert "not a duration" in result.stderr


def test_security_headers_on_every_answer_and_no_stack_trace(client: httpx.Client) -> None:
    answers = [
        client.get("/v1/tallies/alpha-vs-beta"),
        client.get("/v1/tallies/no-such"),
        client.post("/v1/votes", content=b"{", headers={"Content-Type": "application/json"}),
        client.get("/openapi.json"),
        client.get("/nowhere"),
        client.options(
            "/v1/votes", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        ),
    ]
    for response in answers:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in response.headers
        assert "Traceback" not in response.text and 'File "' not in response.text


def test_a_failing_database_gets_a_plain_503_never_a_trace(bundles: list[Path], database: Database) -> None:
    """PostgreSQL stopped, or the SQLite file locked by another program for longer than the endpoint waits."""
    endpoint = database.launch(bundles, rate_limit=0)
    blocker = None
    try:
        body = {"comparison": "crowd", "tool": "beta", "voter": new_voter_token()}
        assert httpx.post(f"{endpoint.base_url}/v1/votes", json=body).status_code == 200
        if database.cluster is not None:
            database.cluster.stop("fast")
        else:
            blocker = sqlite3.connect(database.path, isolation_level=None)
            blocker.execute("BEGIN EXCLUSIVE")
        try:
            body = {"comparison": "crowd", "tool": "delta", "voter": new_voter_token()}
            response = httpx.post(f"{endpoint.base_url}/v1/votes", json=body, timeout=30)
            health = httpx.get(f"{endpoint.base_url}/healthz", timeout=30)
        finally:
            if database.cluster is not None:
                database.cluster.start()
            elif blocker is not None:
                blocker.execute("ROLLBACK")
                blocker.close()
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "5"
        assert "nothing was saved" in response.json()["error"]
        assert "Traceback" not in response.text and 'File "' not in response.text
        if database.cluster is not None:
            assert health.status_code == 503
        assert "Traceback" not in health.text
        # Once the database is back, votes go through again and the refused one was not counted.
        body = {"comparison": "crowd", "tool": "beta", "voter": new_voter_token()}
        again = httpx.post(f"{endpoint.base_url}/v1/votes", json=body, timeout=30)
        assert again.status_code == 200, again.text
        assert again.json()["tallies"] == {"beta": 2, "delta": 0}
    finally:
        endpoint.stop()


def test_metrics_count_votes_refusals_and_retries(client: httpx.Client, server: EndpointProcess) -> None:
    def metric(text: str, name: str) -> float:
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))

    assert server.metrics_url is not None
    before = httpx.get(server.metrics_url).text
    client.post("/v1/votes", json={"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()})
    client.post(
        "/v1/votes",
        json={"comparison": "alpha-vs-beta", "tool": "beta", "voter": new_voter_token()},
        headers={"Verdict-Retry": "2"},
    )
    client.post("/v1/votes", json={"comparison": "alpha-vs-beta", "tool": "nope", "voter": new_voter_token()})
    client.get("/v1/tallies/alpha-vs-beta", headers={"Origin": "https://not-allowed.example"})
    after = httpx.get(server.metrics_url)
    assert after.status_code == 200 and after.headers["content-type"].startswith("text/plain")
    text = after.text
    accepted = 'verdict_votes_total{reason="ok",result="accepted"}'
    refused = 'verdict_votes_total{reason="invalid",result="refused"}'
    assert metric(text, accepted) - metric(before, accepted) == 2
    assert metric(text, refused) - metric(before, refused) == 1
    retried = 'verdict_vote_retries_total{result="accepted"}'
    assert metric(text, retried) - metric(before, retried) == 1
    assert metric(text, "verdict_cors_refusals_total") - metric(before, "verdict_cors_refusals_total") == 1
    assert metric(text, 'verdict_request_duration_seconds_count{route="votes"}') >= 3


def test_the_access_log_is_json_without_address_or_token(client: httpx.Client, server: EndpointProcess) -> None:
    voter = new_voter_token()
    client.post(
        "/v1/votes",
        json={"comparison": "alpha-vs-beta", "tool": "alpha", "voter": voter},
        headers={"Origin": "https://blog.example", "Verdict-Retry": "1"},
    )
    client.get("/v1/tallies/alpha-vs-beta?token=" + voter)
    log = server.log_when(lambda text: '"retry": "1"' in text and "/v1/tallies/alpha-vs-beta" in text)
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [e for e in entries if e["logger"] == "verdict.access"]
    vote = [e for e in access if e["path"] == "/v1/votes" and e.get("retry") == "1"][-1]
    assert vote["status"] == 200 and vote["method"] == "POST" and vote["origin"] == "https://blog.example"
    assert len(vote["client"]) == 64 and vote["ms"] >= 0  # the whole client hash: void takes it as it is
    assert voter not in log
    assert "127.0.0.1" not in "\n".join(json.dumps(e) for e in access)


def test_a_refused_origin_is_logged_with_the_setting_to_change(client: httpx.Client, server: EndpointProcess) -> None:
    client.options("/v1/votes", headers={"Origin": "http://localhost:8000", "Access-Control-Request-Method": "POST"})
    warnings = [
        json.loads(line)
        for line in server.log().splitlines()
        if line.startswith("{") and "http://localhost:8000" in line and '"warning"' in line
    ]
    assert warnings, server.log()[-2000:]
    assert "--allow-origin http://localhost:8000" in warnings[-1]["message"]
    assert "https://blog.example" in warnings[-1]["message"]  # what is allowed now


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(bundles: list[Path], database: Database) -> None:
    def statuses(url: str, forwarded: list[str]) -> list[int]:
        with httpx.Client(base_url=url) as client:
            return [
                client.post(
                    "/v1/votes",
                    json={"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()},
                    headers={"X-Forwarded-For": address},
                ).status_code
                for address in forwarded
            ]

    spoofed = ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    with database.serve(bundles, rate_limit=2) as url:  # no trusted proxy: one client, whatever it claims
        assert statuses(url, spoofed) == [200, 200, 429]
    env = {"VERDICT_TRUSTED_PROXIES": "127.0.0.0/8"}
    with database.serve(bundles, rate_limit=2, env=env) as url:  # the proxy names three readers
        assert statuses(url, spoofed) == [200, 200, 200]


def test_sigterm_finishes_the_votes_in_flight(bundles: list[Path], database: Database) -> None:
    endpoint = database.launch(bundles, rate_limit=0)

    def vote(_: int) -> int:
        body = {"comparison": "gamma-vs-delta", "tool": "gamma", "voter": new_voter_token()}
        try:
            return httpx.post(f"{endpoint.base_url}/v1/votes", json=body, timeout=30).status_code
        except httpx.TransportError:
            return 0  # not accepted: the listening socket was already closed

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(vote, n) for n in range(64)]
        endpoint.process.send_signal(signal.SIGTERM)
        statuses = [future.result() for future in futures]
    assert endpoint.process.wait(30) in (0, -signal.SIGTERM)  # uvicorn exits by the signal once done
    assert "Application shutdown complete" in endpoint.log()  # the store drained and closed
    assert set(statuses) <= {200, 0}, statuses  # answered in full, or never taken: no 5xx, no cut answer
    with database.serve(bundles) as url:
        total = httpx.get(f"{url}/v1/tallies/gamma-vs-delta").json()["total"]
    assert total == statuses.count(200)


def test_bursts_and_void_see_the_tombstones_of_withdrawals(bundles: list[Path], database: Database) -> None:
    """Withdrawals with a chosen_at leave rows without a vote: listed and voided beside the votes.

    Before, a script withdrawing votes it never cast left rows forever that
    neither ``suspicious`` nor ``void`` could see.
    """
    env = {"VERDICT_SECRET": SECRET}
    extra = ["--trusted-proxy", "127.0.0.1"]
    with database.serve(bundles, rate_limit=0, env=env, extra_args=extra) as url, httpx.Client(base_url=url) as client:

        def send(address: str, voter: str, tool: str | None, chosen_at: int) -> int:
            body = {"comparison": "alpha-vs-delta", "voter": voter, "chosen_at": chosen_at}
            headers = {"X-Forwarded-For": address}
            if tool is None:
                return client.request("DELETE", "/v1/votes", json=body, headers=headers).status_code
            return client.post("/v1/votes", json={**body, "tool": tool}, headers=headers).status_code

        burst_voters = [new_voter_token() for _ in range(25)]
        assert {send(BURST_ADDRESS, voter, "delta", 1000) for voter in burst_voters} == {200}
        assert {send(BURST_ADDRESS, voter, None, 2000) for voter in burst_voters[:8]} == {200}  # 8 tombstones
        assert {send(BURST_ADDRESS, voter, "delta", 3000) for voter in burst_voters[:2]} == {200}  # 2 back
        assert {send(BURST_ADDRESS, new_voter_token(), None, 1000) for _ in range(6)} == {200}  # never voted
        for n in range(3):
            assert send(f"203.{n + 1}.113.1", new_voter_token(), "alpha", 1000) == 200
        assert client.get("/v1/tallies/alpha-vs-delta").json()["tallies"] == {"alpha": 3, "delta": 19}

        listed = votes_command(database, "suspicious", "--min-voters", "10", "--window", "7d")
        assert listed.returncode == 0, listed.stderr
        lines = [line for line in listed.stdout.splitlines() if re.match(r"[0-9a-f]{64} ", line)]
        assert len(lines) == 1 and lines[0].startswith(address_hash(BURST_ADDRESS)), listed.stdout
        # 19 tokens hold a vote (those who withdrew and voted again among them), 12 only a withdrawal
        # (6 who withdrew, 6 who never voted).
        assert re.search(r" 19 +12 +alpha-vs-delta$", lines[0]), lines[0]

        voided = votes_command(database, "void", "--address-hash", address_hash(BURST_ADDRESS))
        assert voided.returncode == 0, voided.stderr
        assert "removed 19 vote(s)" in voided.stdout and "alpha-vs-delta: 19" in voided.stdout, voided.stdout
        assert "and 12 withdrawal(s)" in voided.stdout, voided.stdout
        assert client.get("/v1/tallies/alpha-vs-delta").json()["tallies"] == {"alpha": 3, "delta": 0}
        listed = votes_command(database, "suspicious", "--min-voters", "1", "--window", "7d")
        assert address_hash(BURST_ADDRESS) not in listed.stdout, listed.stdout
