"""The ASGI application: routes, JSON errors and CORS around the vote service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .body import read_json
from .catalog import load_catalog
from .cors import JSONCORSMiddleware
from .errors import ApiError
from .keys import Hasher, load_or_create_secret
from .openapi import openapi_document
from .ratelimit import SlidingWindowLimiter, client_key
from .schemas import VoteIn, WithdrawIn
from .service import VoteService
from .settings import Settings
from .storage import check_database_url, open_storage

logger = logging.getLogger("verdict.endpoint")

TALLIES_CACHE = "public, max-age=5"
NO_STORE = {"Cache-Control": "no-store"}


def _json(model: BaseModel, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), headers=headers)


class VoteAPI:
    """The HTTP face of the service: one method per route."""

    def __init__(self, service: VoteService, limiter: SlidingWindowLimiter | None) -> None:
        self.service = service
        self.limiter = limiter
        self.document = openapi_document()

    def _limit(self, request: Request) -> None:
        """Count a write against the client's address, hashed; the raw address is never kept."""
        if self.limiter is None:
            return
        address = request.client.host if request.client else "unknown"
        wait = self.limiter.hit(self.service.hasher.address(client_key(address)))
        if wait:
            raise ApiError(
                429, f"too many votes from this address: retry in {wait} s", headers={"Retry-After": str(wait)}
            )

    async def votes(self, request: Request) -> Response:
        self._limit(request)
        if request.method == "POST":
            result = await self.service.cast(await read_json(request, VoteIn))
        else:
            result = await self.service.withdraw(await read_json(request, WithdrawIn))
        return _json(result, NO_STORE)

    async def tallies(self, request: Request) -> Response:
        tallies = await self.service.tallies(request.path_params["comparison"])
        return _json(tallies, {"Cache-Control": TALLIES_CACHE})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(self.document, headers={"Cache-Control": "public, max-age=300"})

    async def health(self, request: Request) -> Response:
        try:
            await self.service.storage.ping()
        except Exception:
            logger.exception("health check: the vote database cannot be reached")
            return JSONResponse({"error": "the vote database cannot be reached"}, 503, headers=NO_STORE)
        return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def _api_error(request: Request, exc: ApiError) -> Response:
    return JSONResponse({"error": exc.message}, exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    path = request.url.path[:200]
    if exc.status_code == 404:
        message = f"no such path: {path}"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{request.method} is not allowed on {path} (allowed: {allowed})"
    else:
        message = exc.detail
    return JSONResponse({"error": message}, exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "internal error"}, 500)


def create_app(settings: Settings) -> Starlette:
    """The endpoint for these settings, database open; StartupError for anything it cannot serve.

    Everything that can fail is checked here, before a socket is opened, so an
    operator sees a bad bundle or database URL at once rather than on the first vote.
    """
    database_path = check_database_url(settings.database_url)
    catalog = load_catalog(settings.bundles)
    secret = settings.secret or load_or_create_secret(database_path.parent)
    storage = open_storage(settings.database_url)
    limiter = SlidingWindowLimiter(settings.rate_limit) if settings.rate_limit else None
    api = VoteAPI(VoteService(catalog, storage, Hasher(secret)), limiter)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await storage.close()

    handlers: dict[Any, Any] = {ApiError: _api_error, HTTPException: _http_error, Exception: _server_error}
    app = Starlette(
        routes=[
            Route("/v1/votes", api.votes, methods=["POST", "DELETE"]),
            Route("/v1/tallies/{comparison}", api.tallies, methods=["GET"]),
            Route("/openapi.json", api.openapi, methods=["GET"]),
            Route("/healthz", api.health, methods=["GET"]),
        ],
        middleware=[Middleware(JSONCORSMiddleware, allow_origins=settings.allow_origins)],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    return app
