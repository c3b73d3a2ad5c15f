"""CORS by origin allowlist, with refusals in the endpoint's JSON error shape."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .observe import RETRY_HEADER

ALLOW_METHODS = ("GET", "POST", "DELETE", "OPTIONS")
ALLOW_HEADERS = ("Content-Type", RETRY_HEADER)  # the widget marks retried deliveries
EXPOSE_HEADERS = ("Retry-After",)  # the widget's outbox waits as long as a 429 asks
MAX_AGE = 86400
REFUSAL_LOG_INTERVAL = 60.0

logger = logging.getLogger("verdict.endpoint")


class JSONCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, answering a refused preflight with ``{"error": ...}`` instead of plain text.

    The browser blocks a refused request either way (no Access-Control-Allow-Origin);
    the JSON only helps whoever reads the response in the network panel.
    """

    def __init__(
        self, app: ASGIApp, allow_origins: Sequence[str], on_refusal: Callable[[str], None] | None = None
    ) -> None:
        self.configured = tuple(allow_origins)
        self.on_refusal = on_refusal
        self._logged: dict[str, float] = {}
        super().__init__(
            app,
            allow_origins=allow_origins,
            allow_methods=ALLOW_METHODS,
            allow_headers=ALLOW_HEADERS,
            expose_headers=EXPOSE_HEADERS,
            allow_credentials=False,
            max_age=MAX_AGE,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            origin = Headers(scope=scope).get("origin")
            if origin is not None and not self.is_allowed_origin(origin):
                self._refused(origin)
        await super().__call__(scope, receive, send)

    def _refused(self, origin: str) -> None:
        """Say in the log which origin was refused and how to allow it; once a minute per origin."""
        if self.on_refusal is not None:
            self.on_refusal(origin)
        now = time.monotonic()
        if now - self._logged.get(origin, -REFUSAL_LOG_INTERVAL) < REFUSAL_LOG_INTERVAL:
            return
        if len(self._logged) > 1000:
            self._logged.clear()
        self._logged[origin] = now
        allowed = ", ".join(self.configured) or "none"
        if origin == "null":
            # A sandboxed page (WordPress's embeds of a pasted frame link, but any page can make one): say
            # what listing it opens rather than only how.
            logger.warning(
                "refused a request from origin 'null': a sandboxed frame, such as WordPress's embed of a pasted "
                "frame link (allowed: %s); --allow-origin null lets readers vote there, and lets any page send "
                'votes from a sandboxed frame of its own (see SECURITY.md, "Sandboxed frames")',
                allowed,
                extra={"fields": {"origin": origin, "allowed_origins": list(self.configured)}},
            )
            return
        logger.warning(
            "refused a request from origin %r: it is not allowed (allowed: %s); to accept it, add "
            "--allow-origin %s (or VERDICT_ALLOW_ORIGINS)",
            origin[:200],
            allowed,
            origin[:200],
            extra={"fields": {"origin": origin[:200], "allowed_origins": list(self.configured)}},
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        headers = {
            name: value for name, value in response.headers.items() if name not in ("content-length", "content-type")
        }
        reason = bytes(response.body).decode()
        return JSONResponse({"error": f"{reason} (origin {request_headers['origin']!r})"}, 400, headers=headers)
