"""What operators see: security headers, Prometheus metrics and a JSON access log, in one middleware.

One pure ASGI layer around everything (CORS refusals included), so each
request is timed and logged once. The access log never holds a raw address
or voter token: the client is its keyed hash, the path has no query string,
and bodies are never logged.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import logging
import os
import sys
import time
from collections.abc import MutableMapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .clientaddress import ClientAddress
from .keys import Hasher
from .ratelimit import ClientLevels, client_levels

RETRY_HEADER = "verdict-retry"
"""Sent by the widget's outbox on a vote it delivers again: ``Verdict-Retry: <attempt>``."""

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
]

MAX_HEADER_BYTES = 16 * 1024
"""All of a request's header names and values together: a browser's vote sends under 2 KiB."""
CLIENT_CACHE_SIZE = 4096
CSP = b"content-security-policy"

REASONS = {
    400: "malformed_json",
    408: "timeout",
    404: "not_found",
    405: "method",
    409: "superseded",
    413: "too_large",
    431: "headers_too_large",
    415: "content_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "store_unavailable",
}

endpoint_logger = logging.getLogger("verdict.endpoint")


class JSONFormatter(logging.Formatter):
    """One JSON object per line: the message, the level, and any ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging() -> None:
    """The endpoint's own loggers write JSON lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    for name in ("verdict.endpoint",):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


class Metrics:
    """The endpoint's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.votes = Counter(
            "verdict_votes", "Votes and withdrawals, by result and reason", ["result", "reason"], registry=self.registry
        )
        self.latency = Histogram(
            "verdict_request_duration_seconds",
            "Time to answer, by route",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.store_errors = Counter(
            "verdict_store_errors", "Requests that failed because the database did", registry=self.registry
        )
        self.retries = Counter(
            "verdict_vote_retries",
            "Votes delivered again by the widget's outbox (Verdict-Retry header), by result",
            ["result"],
            registry=self.registry,
        )
        self.cors_refusals = Counter(
            "verdict_cors_refusals", "Requests from a page whose origin is not allowed", registry=self.registry
        )


class AccessLog:
    """JSON lines on stderr, written in batches: a line per request costs a few microseconds.

    Lines gather in memory and are written at most ``FLUSH_SECONDS`` later (and
    at shutdown), so a crash loses at most that much of the log — never a vote.
    The logging module would cost more per request than the vote itself.
    """

    FLUSH_SECONDS = 0.2
    MAX_PENDING = 1000

    def __init__(self, fd: int | None = None) -> None:
        self._fd = sys.stderr.fileno() if fd is None else fd
        self._pending: list[str] = []
        self._scheduled = False
        self._second = -1
        self._stamp = ""
        atexit.register(self.flush)

    def _now(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second, self._stamp = now, time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now))
        return self._stamp

    def write(self, fields: dict[str, Any]) -> None:
        entry = {"time": self._now(), "level": "info", "logger": "verdict.access", "message": "request", **fields}
        self._pending.append(json.dumps(entry, ensure_ascii=False))
        if len(self._pending) >= self.MAX_PENDING:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_later(self.FLUSH_SECONDS, self.flush)
            except RuntimeError:  # no event loop: write at once
                self.flush()

    def flush(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        data = ("\n".join(self._pending) + "\n").encode()
        self._pending.clear()
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError:
            pass  # a closed or full stderr must not fail requests


ROUTES = ("votes", "tallies", "healthz", "openapi.json", "oembed", "other")


def _route(path: str) -> str:
    if path.startswith("/sites/"):  # a site of a sites file: the same routes under /sites/ID
        path = "/" + path[len("/sites/") :].partition("/")[2]
    if path == "/v1/votes":
        return "votes"
    if path.startswith("/v1/tallies/"):
        return "tallies"
    if path in ("/healthz", "/openapi.json", "/oembed"):
        return path.lstrip("/")
    return "other"


async def _headers_too_large(scope: Scope, receive: Receive, send: Send) -> None:
    body = json.dumps({"error": f"the request's headers are larger than {MAX_HEADER_BYTES} bytes"}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(body)),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 431, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Observe:
    """Security headers on every answer; the client's hashed address in ``scope``; metrics; access log."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        hasher: Hasher,
        clients: ClientAddress,
        access_log: AccessLog | None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.hasher = hasher
        self.clients = clients
        self.access_log = access_log
        self._latency = {route: metrics.latency.labels(route) for route in ROUTES}

    @functools.lru_cache(maxsize=CLIENT_CACHE_SIZE)  # noqa: B019 - one per app, for the app's lifetime
    def _client(self, client: str) -> tuple[str, ClientLevels]:
        """The client's hash and networks, cached by the derived client (bounded), never by raw headers."""
        levels = client_levels(client)
        return self.hasher.client(levels), levels

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers: dict[bytes, list[bytes]] = {}
        size = 0
        for name, value in scope["headers"]:
            headers.setdefault(name, []).append(value)
            size += len(name) + len(value)
        peer = scope["client"][0] if scope.get("client") else None
        if size > MAX_HEADER_BYTES:
            address_hash = self._client(peer or "unknown")[0]  # the peer: headers that large are not believed
            app: ASGIApp = _headers_too_large
        else:
            forwarded = tuple(v.decode("latin-1") for v in headers.get(b"x-forwarded-for", ()))
            address_hash, levels = self._client(self.clients.of(peer, forwarded))
            scope.setdefault("state", {}).update(address_hash=address_hash, client_ipv6=levels.ipv6)
            app = self.app
        status = 500
        started_response = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status = message["status"]
                started_response = True
                own = message.get("headers", [])
                # A page that sets its own policy (the results page: its stylesheet's hash) keeps it.
                if any(name == CSP for name, _ in own):
                    message["headers"] = [*own, *(h for h in SECURITY_HEADERS if h[0] != CSP)]
                else:
                    message["headers"] = [*own, *SECURITY_HEADERS]
            await send(message)

        try:
            await app(scope, receive, send_with_headers)
        except Exception:
            # Logged here, answered without a trace: a client never sees a stack trace.
            endpoint_logger.exception("unexpected error answering %s %s", scope["method"], scope["path"][:200])
            if not started_response:
                body = b'{"error":"internal error"}'
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
                    }
                )
                await send({"type": "http.response.body", "body": body})
        finally:
            self._record(scope, headers, status, time.perf_counter() - started, address_hash)

    def _record(
        self,
        scope: MutableMapping[str, Any],
        headers: dict[bytes, list[bytes]],
        status: int,
        seconds: float,
        client: str,
    ) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        route = _route(path)
        self._latency[route].observe(seconds)
        retry = headers.get(RETRY_HEADER.encode(), [b""])[0].decode("latin-1")[:8]
        if route == "votes" and method in ("POST", "DELETE"):
            result = "accepted" if status == 200 else "refused"
            self.metrics.votes.labels(result, "ok" if status == 200 else REASONS.get(status, str(status))).inc()
            if retry:
                self.metrics.retries.labels(result).inc()
        if status == 503:
            self.metrics.store_errors.inc()
        if self.access_log is not None:
            origin = headers.get(b"origin", [b""])[0].decode("latin-1")[:200]
            fields: dict[str, Any] = {
                "method": method,
                "path": path[:200],
                "status": status,
                "ms": round(seconds * 1000, 2),
                "client": client,
            }
            if origin:
                fields["origin"] = origin
            if retry:
                fields["retry"] = retry
            self.access_log.write(fields)
