"""The HTTP server's bounds: how long a client may take to send headers, how large they may be, how many at once.

uvicorn waits for a request's headers for as long as the client likes and
keeps every byte of them, so a few hundred slow or bloated connections would
hold memory and sockets. Here each connection must finish its headers within
``HEADER_TIMEOUT`` of connecting (or of its previous answer), in at most
``MAX_HEADER_BYTES``; beyond either it is answered and closed. The body has
its own timeout (body.py). ``limit_concurrency`` caps the connections and
requests in flight: beyond it uvicorn answers 503 at once instead of queuing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .observe import MAX_HEADER_BYTES

HEADER_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 1000
"""Connections and requests in flight at once (uvicorn's limit_concurrency): each costs memory and a socket."""

logger = logging.getLogger("verdict.endpoint")


def _answer(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"error": message}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode() + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit on each request's headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._reading_headers = True

    def _arm(self) -> None:
        self._disarm()
        self._reading_headers = True
        self._header_bytes = 0
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._reading_headers:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES + 8192:  # the request line and framing besides
                self._refuse(431, "Request Header Fields Too Large", f"headers larger than {MAX_HEADER_BYTES} bytes")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._disarm()
        self._reading_headers = False
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection has its own deadline

    def _headers_late(self) -> None:
        self._header_timer = None
        if self._header_bytes:  # a request begun and never finished; an idle connection just closes
            self._refuse(408, "Request Timeout", f"the request's headers did not arrive within {HEADER_TIMEOUT:g} s")
        else:
            self.transport.close()

    def _refuse(self, status: int, reason: str, message: str) -> None:
        logger.info("closed a connection: %s", message)
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(_answer(status, reason, message))
            self.transport.close()
