"""Webhooks: signed after Standard Webhooks (checked with its reference verifier), from the vote's own transaction.

A receiver on loopback records each request and verifies its signature; the
endpoint is killed with SIGKILL while a delivery is in flight, and the
message arrives after the restart with the same webhook-id.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from standardwebhooks import Webhook

from tests.helpers.endpoint import HOST, EndpointProcess, new_voter_token

from .conftest import Database

SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # 24 bytes of base64: a test secret, nothing else


class Receiver:
    """A webhook receiver: verifies every request with the reference library, answers 204 (or hangs when told)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.bad_signatures = 0
        self.hang = threading.Event()
        self.release = threading.Event()
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                try:
                    Webhook(SECRET).verify(body, headers)
                except Exception:
                    receiver.bad_signatures += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver.arrived:
                    receiver.messages.append({"id": headers["webhook-id"], "body": json.loads(body)})
                    receiver.arrived.notify_all()
                if receiver.hang.is_set():
                    receiver.release.wait(30)
                    return  # no answer: the connection is dropped
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count and time.monotonic() < deadline:
                self.arrived.wait(0.2)
        return list(self.messages)

    def events(self) -> list[dict[str, Any]]:
        unique = {message["id"]: message for message in self.messages}
        return [event for message in unique.values() for event in message["body"]["data"]["events"]]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver()
    try:
        yield hooks
    finally:
        hooks.close()


def sites_file(directory: Path, bundles: list[Path], url: str) -> Path:
    config = directory / "sites.toml"
    config.write_text(
        f"""
[[sites]]
id = "blog"
bundles = ["{bundles[0]}"]
webhook_urls = ["{url}"]
webhook_secret = "{SECRET}"

[[sites]]
id = "quiet"
bundles = ["{bundles[1]}"]
""",
        encoding="utf-8",
    )
    return config


def launch(database: Database, config: Path) -> EndpointProcess:
    return database.launch([], rate_limit=0, extra_args=["--config", str(config)], env=database.env)


def vote(url: str, site: str, tool: str | None, voter: str, comparison: str = "alpha-vs-beta") -> None:
    body: dict[str, Any] = {"comparison": comparison, "voter": voter}
    if tool is None:
        answer = httpx.request("DELETE", f"{url}/sites/{site}/v1/votes", json=body)
    else:
        answer = httpx.post(f"{url}/sites/{site}/v1/votes", json={**body, "tool": tool})
    assert answer.status_code == 200, answer.text


def test_each_vote_change_and_withdrawal_is_signed_and_delivered(
    bundles: list[Path], database: Database, receiver: Receiver, tmp_path: Path
) -> None:
    endpoint = launch(database, sites_file(tmp_path, bundles, receiver.url))
    try:
        voter = new_voter_token()
        vote(endpoint.base_url, "quiet", "beta", new_voter_token(), "second-site")  # a site without webhooks
        vote(endpoint.base_url, "blog", "alpha", voter)
        vote(endpoint.base_url, "blog", "beta", voter)
        vote(endpoint.base_url, "blog", None, voter)
        vote(endpoint.base_url, "blog", "beta", voter)  # back again: counted again
        deadline = time.monotonic() + 20
        while len(receiver.events()) < 4 and time.monotonic() < deadline:
            receiver.wait_for(len(receiver.messages) + 1, 1.0)
        events = receiver.events()
    finally:
        endpoint.stop()
    assert receiver.bad_signatures == 0
    assert [(e["type"], e["tool"], e["previous"]) for e in events] == [
        ("vote.cast", "alpha", None),
        ("vote.changed", "beta", "alpha"),
        ("vote.withdrawn", None, "beta"),
        ("vote.cast", "beta", None),
    ]
    assert {e["comparison"] for e in events} == {"alpha-vs-beta"}  # as the site names it, no namespace
    bodies = [message["body"] for message in receiver.messages]
    assert all(body["type"] == "votes.batch" and body["data"]["site"] == "blog" for body in bodies)
    assert all(message["id"].startswith("msg_") for message in receiver.messages)

    # The URL taken out of the sites file: its site's votes write no more events.
    config = tmp_path / "no-hooks.toml"
    config.write_text(f'[[sites]]\nid = "blog"\nbundles = ["{bundles[0]}"]\n', encoding="utf-8")
    endpoint = launch(database, config)
    try:
        vote(endpoint.base_url, "blog", "alpha", new_voter_token())
        time.sleep(1.5)
    finally:
        endpoint.stop()
    assert len(receiver.events()) == 4
    assert outbox_rows(database) == 0  # nothing waits to be sent: no event was written at all


def outbox_rows(database: Database) -> int:
    if database.kind == "sqlite":
        with closing(sqlite3.connect(database.path)) as db:
            return int(db.execute("SELECT count(*) FROM webhook_outbox").fetchone()[0])
    with psycopg.connect(database.url) as db:
        row = db.execute("SELECT count(*) FROM verdict_webhook_outbox").fetchone()
        return int(row[0]) if row else 0


def test_a_delivery_cut_by_kill_9_is_sent_again_with_the_same_id(
    bundles: list[Path], database: Database, receiver: Receiver, tmp_path: Path
) -> None:
    config = sites_file(tmp_path, bundles, receiver.url)
    receiver.hang.set()  # the receiver takes the request and never answers: the delivery is in flight
    endpoint = launch(database, config)
    try:
        vote(endpoint.base_url, "blog", "alpha", new_voter_token())
        first = receiver.wait_for(1)
        assert len(first) == 1, "the webhook was never sent"
    finally:
        endpoint.kill()  # SIGKILL mid-delivery: no shutdown code runs
    receiver.hang.clear()
    receiver.release.set()
    endpoint = launch(database, config)
    try:
        again = receiver.wait_for(2, timeout=30)  # after the lease of the killed process's claim ends
    finally:
        endpoint.stop()
    assert len(again) >= 2, "the message was not sent again after the restart"
    assert again[1]["id"] == first[0]["id"]
    assert again[1]["body"]["data"]["events"] == first[0]["body"]["data"]["events"]
    assert receiver.bad_signatures == 0
