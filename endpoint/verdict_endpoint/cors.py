"""CORS by origin allowlist, with refusals in the endpoint's JSON error shape."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

ALLOW_METHODS = ("GET", "POST", "DELETE", "OPTIONS")
ALLOW_HEADERS = ("Content-Type", "Verdict-Retry")  # the widget marks retried deliveries
EXPOSE_HEADERS = ("Retry-After",)  # the widget's outbox waits as long as a 429 asks
MAX_AGE = 86400


class JSONCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, answering a refused preflight with ``{"error": ...}`` instead of plain text.

    The browser blocks a refused request either way (no Access-Control-Allow-Origin);
    the JSON only helps whoever reads the response in the network panel.
    """

    def __init__(self, app: ASGIApp, allow_origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=allow_origins,
            allow_methods=ALLOW_METHODS,
            allow_headers=ALLOW_HEADERS,
            expose_headers=EXPOSE_HEADERS,
            allow_credentials=False,
            max_age=MAX_AGE,
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
