"""Webhooks after the Standard Webhooks specification, from an outbox written in the vote's own transaction.

Each counted vote, change and withdrawal (and each vote an operator voids)
becomes one outbox row per webhook URL of its site, inserted by a trigger on
the votes table, so the event commits with the vote or not at all. A
delivery task in each endpoint process claims due rows, at most
``BATCH`` per URL, under a lease, and sends them as one message: the
``webhook-id`` is fixed when the rows are first claimed and kept with them,
so a message resent after a failure or a ``kill -9`` carries the same id and
the same events (receivers deduplicate on it). Batching is why a busy site
costs one request per batch, not one per vote, and the vote route never waits
on a receiver. A failed delivery is retried with exponential backoff (5 s
doubling to an hour, with jitter) for three days, then dropped with an error
in the log.

Signature: ``webhook-signature: v1,<base64 HMAC-SHA256 over "id.timestamp.body">``
keyed with the base64 after ``whsec_`` of the site's secret.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import random
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from .sites import Site, webhook_key

logger = logging.getLogger("verdict.endpoint")

BATCH = 500
LEASE_SECONDS = 10
"""How long a claimed message is left to its deliverer before another may send it (longer than TIMEOUT)."""
TIMEOUT = 5.0
IDLE_POLL = 0.25
FIRST_RETRY = 5
LAST_RETRY = 3600
GIVE_UP_AFTER = 3 * 86400


def _namespace_sql(column: str, postgres: bool) -> str:
    if postgres:
        return f"CASE WHEN strpos({column}, '/') > 0 THEN left({column}, strpos({column}, '/')) ELSE '' END"
    return f"CASE WHEN instr({column}, '/') > 0 THEN substr({column}, 1, instr({column}, '/')) ELSE '' END"


def _sqlite_trigger(name: str, event: str, when: str, row: str, kind: str, tool: str, previous: str) -> str:
    return f"""
CREATE TRIGGER {name} AFTER {event} ON votes WHEN {when} BEGIN
    INSERT INTO webhook_outbox (url, comparison, kind, tool, previous, at)
        SELECT url, {row}.comparison, {kind}, {tool}, {previous}, unixepoch() FROM webhook_targets
        WHERE namespace = {_namespace_sql(row + ".comparison", False)};
END;
"""


SQLITE_MIGRATION = (
    """
CREATE TABLE webhook_targets (
    namespace TEXT NOT NULL,           -- the site's: '' for the default site, 'ID/' for the others
    url       TEXT NOT NULL,
    PRIMARY KEY (namespace, url)
) WITHOUT ROWID;
CREATE TABLE webhook_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT NOT NULL,
    comparison TEXT NOT NULL,          -- as stored: with the site's namespace
    kind       TEXT NOT NULL,          -- vote.cast, vote.changed or vote.withdrawn
    tool       TEXT,
    previous   TEXT,
    at         INTEGER NOT NULL,       -- unix seconds of the commit
    message    TEXT,                   -- the webhook-id, fixed when first claimed
    attempts   INTEGER NOT NULL DEFAULT 0,
    due        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (url, due, id);
"""
    + _sqlite_trigger("webhook_insert", "INSERT", "NEW.tool IS NOT NULL", "NEW", "'vote.cast'", "NEW.tool", "NULL")
    + _sqlite_trigger(
        "webhook_update",
        "UPDATE OF tool",
        "NEW.tool IS NOT OLD.tool",
        "NEW",
        "CASE WHEN OLD.tool IS NULL THEN 'vote.cast' WHEN NEW.tool IS NULL THEN 'vote.withdrawn'"
        " ELSE 'vote.changed' END",
        "NEW.tool",
        "OLD.tool",
    )
    + _sqlite_trigger("webhook_delete", "DELETE", "OLD.tool IS NOT NULL", "OLD", "'vote.withdrawn'", "NULL", "OLD.tool")
)

PG_MIGRATION = f"""
CREATE TABLE verdict_webhook_targets (
    namespace text NOT NULL,
    url       text NOT NULL,
    PRIMARY KEY (namespace, url)
);
CREATE TABLE verdict_webhook_outbox (
    id         bigserial PRIMARY KEY,
    url        text NOT NULL,
    comparison text NOT NULL,
    kind       text NOT NULL,
    tool       text,
    previous   text,
    at         bigint NOT NULL,
    message    text,
    attempts   integer NOT NULL DEFAULT 0,
    due        bigint NOT NULL DEFAULT 0
);
CREATE INDEX verdict_webhook_outbox_due ON verdict_webhook_outbox (url, due, id);

CREATE FUNCTION verdict_webhook_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_kind text;
    v_comparison text;
    v_tool text;
    v_previous text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.tool IS NULL THEN RETURN NULL; END IF;
        v_kind := 'vote.withdrawn'; v_comparison := OLD.comparison; v_previous := OLD.tool;
    ELSIF TG_OP = 'INSERT' THEN
        IF NEW.tool IS NULL THEN RETURN NULL; END IF;
        v_kind := 'vote.cast'; v_comparison := NEW.comparison; v_tool := NEW.tool;
    ELSE
        IF NEW.tool IS NOT DISTINCT FROM OLD.tool THEN RETURN NULL; END IF;
        v_kind := CASE WHEN OLD.tool IS NULL THEN 'vote.cast' WHEN NEW.tool IS NULL THEN 'vote.withdrawn'
                       ELSE 'vote.changed' END;
        v_comparison := NEW.comparison; v_tool := NEW.tool; v_previous := OLD.tool;
    END IF;
    INSERT INTO verdict_webhook_outbox (url, comparison, kind, tool, previous, at)
        SELECT t.url, v_comparison, v_kind, v_tool, v_previous, extract(epoch FROM now())::bigint
        FROM verdict_webhook_targets t WHERE t.namespace = {_namespace_sql("v_comparison", True)};
    RETURN NULL;
END $$;

CREATE TRIGGER verdict_votes_webhook AFTER INSERT OR DELETE OR UPDATE OF tool ON verdict_votes
    FOR EACH ROW EXECUTE FUNCTION verdict_webhook_event();
"""


class WebhookStore(Protocol):
    async def read(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]: ...

    async def change(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """One statement that writes, in its own transaction, apart from the votes' batches."""
        ...


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(webhook_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def payload(site: Site, rows: Sequence[tuple[Any, ...]], now: int) -> bytes:
    """The message body: ``{"type": "votes.batch", "timestamp", "data": {"site", "events": [...]}}``."""
    events = [
        {
            "type": kind,
            "comparison": comparison[len(site.namespace) :],
            "tool": tool,
            "previous": previous,
            "at": _iso(int(at)),
        }
        for comparison, kind, tool, previous, at in rows
    ]
    body = {"type": "votes.batch", "timestamp": _iso(now), "data": {"site": site.id, "events": events}}
    return json.dumps(body, separators=(",", ":")).encode()


def backoff(attempts: int) -> int:
    """Seconds before the next attempt: 5 s doubling to an hour, with up to 20 % jitter."""
    base = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)
    return int(base * (1 + random.random() * 0.2))


class Deliverer:
    """Sends each webhook URL's due events as signed messages until stopped."""

    def __init__(self, store: WebhookStore, sites: Sequence[Site], postgres: bool) -> None:
        self.store = store
        self.postgres = postgres
        self.targets = {(site.namespace, url): site for site in sites for url in site.webhook_urls}
        self.sites_by_url = {url: site for (_, url), site in self.targets.items()}
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def _table(self, name: str) -> str:
        return f"verdict_{name}" if self.postgres else name

    def _mark(self) -> str:
        return "%s" if self.postgres else "?"

    async def sync_targets(self) -> None:
        """The configuration's URLs, in the table the triggers read (a site without webhooks writes no events)."""
        m, table = self._mark(), self._table("webhook_targets")
        # Added and removed one by one, never emptied: processes starting while others serve lose no event.
        for namespace, url in self.targets:
            await self.store.change(
                f"INSERT INTO {table} (namespace, url) VALUES ({m}, {m}) ON CONFLICT DO NOTHING", [namespace, url]
            )
        kept = [part for target in self.targets for part in target]
        values = ", ".join(f"({m}, {m})" for _ in self.targets)
        where = f" WHERE (namespace, url) NOT IN (VALUES {values})" if self.targets else ""
        await self.store.change(f"DELETE FROM {table}{where}", kept)

    async def start(self) -> None:
        await self.sync_targets()
        if self.targets:
            self._client = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.deliver_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("webhook delivery failed; trying again shortly")
                sent = 0
            if not sent:  # no full batch waiting: let events gather, one message then carries many
                await asyncio.sleep(IDLE_POLL)

    async def _claim(self, url: str, now: int) -> list[tuple[Any, ...]]:
        """Due rows of one URL, leased; rows never claimed get a new webhook-id, the others keep theirs."""
        m = self._mark()
        outbox = self._table("webhook_outbox")
        skip = " FOR UPDATE SKIP LOCKED" if self.postgres else ""
        new_id = "msg_" + secrets.token_hex(12)
        return await self.store.change(
            f"UPDATE {outbox} SET message = coalesce(message, {m}), due = {m}, attempts = attempts + 1"
            f" WHERE id IN (SELECT id FROM {outbox} WHERE url = {m} AND due <= {m}"
            f" ORDER BY (message IS NULL), message, id LIMIT {BATCH}{skip})"
            " RETURNING id, message, comparison, kind, tool, previous, at, attempts",
            [new_id, now + LEASE_SECONDS, url, now],
        )

    async def deliver_once(self) -> int:
        """One round over every URL: how many full batches were sent (more may be waiting)."""
        sent = 0
        for (_, url), site in self.targets.items():
            now = int(time.time())
            rows = await self._claim(url, now)
            messages: dict[str, list[tuple[Any, ...]]] = {}
            for row in sorted(rows, key=lambda r: r[0]):
                messages.setdefault(row[1], []).append(row)
            for message_id, events in messages.items():
                if await self._send(site, url, message_id, events) and len(events) == BATCH:
                    sent += 1
        return sent

    async def _send(self, site: Site, url: str, message_id: str, events: list[tuple[Any, ...]]) -> bool:
        assert self._client is not None and site.webhook_secret is not None
        now = int(time.time())
        body = payload(site, [row[2:7] for row in events], now)
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(now),
            "webhook-signature": sign(site.webhook_secret, message_id, now, body),
            "user-agent": "verdict-webhooks",
        }
        outbox = self._table("webhook_outbox")
        m = self._mark()
        try:
            answer = await self._client.post(url, content=body, headers=headers)
            delivered = 200 <= answer.status_code < 300
            reason = f"status {answer.status_code}"
        except httpx.HTTPError as error:
            delivered, reason = False, type(error).__name__
        if delivered:
            await self.store.change(f"DELETE FROM {outbox} WHERE message = {m}", [message_id])
            return True
        attempts = max(int(row[7]) for row in events)
        first_at = min(int(row[6]) for row in events)
        if now - first_at > GIVE_UP_AFTER:
            logger.error("webhook %s to %s dropped after %d attempts (%s)", message_id, url, attempts, reason)
            await self.store.change(f"DELETE FROM {outbox} WHERE message = {m}", [message_id])
            return False
        retry = backoff(attempts)
        logger.warning("webhook %s to %s failed (%s): retry in %d s", message_id, url, reason, retry)
        await self.store.change(f"UPDATE {outbox} SET due = {m} WHERE message = {m}", [now + retry, message_id])
        return False
