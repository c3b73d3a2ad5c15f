"""The ASGI application: routes, JSON errors, CORS and observability around the vote service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from verdict.oembed import CACHE_AGE, OEmbedError, as_format, oembed

from .body import read_json
from .catalog import load_catalog
from .clientaddress import ClientAddress
from .cors import JSONCORSMiddleware
from .errors import ApiError, StartupError
from .keys import Hasher, load_or_create_secret
from .livecards import LiveCards
from .observe import AccessLog, Metrics, Observe
from .openapi import openapi_document
from .schemas import Superseded, VoteIn, WithdrawIn
from .service import VoteService
from .settings import Settings
from .storage import StoreError, check_database_url, open_storage

logger = logging.getLogger("verdict.endpoint")

TALLIES_CACHE = "public, max-age=5"
NO_STORE = {"Cache-Control": "no-store"}
STORE_RETRY_AFTER = "5"


def _json(model: BaseModel, headers: dict[str, str] | None = None, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status, headers=headers, media_type="application/json")


class VoteAPI:
    """The HTTP face of the service: one method per route."""

    def __init__(self, service: VoteService, rate_limit: int, metrics: Metrics, widget_url: str | None) -> None:
        self.service = service
        self.rate_limit = rate_limit
        self.metrics = metrics
        self.widget_url = widget_url
        self.document = openapi_document(service.catalog, widget_url)
        self.live_cards = LiveCards(service.catalog)

    async def _limit(self, address_hash: str) -> None:
        """Count a write against the client's hashed address; the raw address is never kept."""
        if not self.rate_limit:
            return
        wait = await self.service.storage.rate_hit(address_hash, self.rate_limit)
        if wait:
            raise ApiError(
                429, f"too many votes from this address: retry in {wait} s", headers={"Retry-After": str(wait)}
            )

    async def votes(self, request: Request) -> Response:
        address_hash: str = request.scope["state"]["address_hash"]
        await self._limit(address_hash)
        if request.method == "POST":
            result = await self.service.cast(await read_json(request, VoteIn), address_hash)
        else:
            result = await self.service.withdraw(await read_json(request, WithdrawIn), address_hash)
        # 409: a newer choice of this voter is stored; the body says which, with the tallies.
        return _json(result, NO_STORE, 409 if isinstance(result, Superseded) else 200)

    async def tallies(self, request: Request) -> Response:
        tallies = await self.service.tallies(request.path_params["comparison"])
        return _json(tallies, {"Cache-Control": TALLIES_CACHE})

    async def live_card(self, request: Request) -> Response:
        """The card a reader who has not voted sees, tallies included, rendered here (verdict.livecard)."""
        comparison = request.path_params["comparison"]
        key, locale, level = self.live_cards.check(comparison, request.query_params)
        tallies = await self.service.tallies(comparison)
        html = self.live_cards.html(key, comparison, locale, level, tallies.tallies)
        return HTMLResponse(html, headers={"Cache-Control": TALLIES_CACHE, "X-Content-Type-Options": "nosniff"})

    async def oembed(self, request: Request) -> Response:
        """oEmbed for the widget's frame.html links, so a CMS embeds a card from a pasted link."""
        if self.widget_url is None:  # the route exists only with --widget-url
            raise HTTPException(404)
        try:
            answer = oembed(self.widget_url, self.service.catalog.bundle, dict(request.query_params))
        except OEmbedError as error:
            return JSONResponse({"error": str(error)}, error.status, headers={"Cache-Control": "public, max-age=300"})
        body, media_type = as_format(answer, request.query_params.get("format"))
        return Response(body, media_type=media_type, headers={"Cache-Control": f"public, max-age={CACHE_AGE}"})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(self.document, headers={"Cache-Control": "public, max-age=300"})

    async def metrics_page(self, request: Request) -> Response:
        return Response(generate_latest(self.metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def health(self, request: Request) -> Response:
        try:
            await self.service.storage.ping()
        except Exception:
            logger.exception("health check: the vote database cannot be reached")
            return JSONResponse({"error": "the vote database cannot be reached"}, 503, headers=NO_STORE)
        return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def _api_error(request: Request, exc: ApiError) -> Response:
    return JSONResponse({"error": exc.message}, exc.status, headers=exc.headers)


async def _store_error(request: Request, exc: StoreError) -> Response:
    logger.error("the vote database failed: %s", exc)
    return JSONResponse(
        {"error": "the vote database is unavailable: nothing was saved; try again shortly"},
        503,
        headers={"Retry-After": STORE_RETRY_AFTER, **NO_STORE},
    )


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


def create_app(settings: Settings, *, writers: int | None = None) -> Starlette:
    """The endpoint for these settings, database open; StartupError for anything it cannot serve.

    Everything that can fail is checked here, before a socket is opened, so an
    operator sees a bad bundle or database URL at once rather than on the first vote.
    """
    database_path = check_database_url(settings.database_url)
    catalog = load_catalog(settings.bundles)
    if settings.widget_url and catalog.shared_names:
        raise StartupError(
            *(
                f"several bundle files are named {name}.json: oEmbed (--widget-url) tells bundles apart by file name"
                for name in catalog.shared_names
            )
        )
    if settings.secret:
        secret = settings.secret
    elif database_path is not None:
        secret = load_or_create_secret(database_path.parent)
    else:
        raise StartupError(
            "with PostgreSQL, every endpoint process must hash with the same secret: set VERDICT_SECRET (or --secret)"
        )
    storage = open_storage(settings.database_url, writers=writers)
    hasher = Hasher(secret)
    metrics = Metrics()
    access_log = AccessLog() if settings.access_log else None
    api = VoteAPI(VoteService(catalog, storage, hasher), settings.rate_limit, metrics, settings.widget_url)
    oembed_route = [Route("/oembed", api.oembed, methods=["GET"])] if settings.widget_url else []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await storage.start()
        try:
            yield
        finally:
            await storage.close()  # after the server has finished its in-flight requests
            if access_log is not None:
                access_log.flush()

    handlers: dict[Any, Any] = {
        ApiError: _api_error,
        StoreError: _store_error,
        HTTPException: _http_error,
        Exception: _server_error,
    }
    app = Starlette(
        routes=[
            Route("/v1/votes", api.votes, methods=["POST", "DELETE"]),
            Route("/v1/tallies/{comparison}", api.tallies, methods=["GET"]),
            Route("/v1/cards/{comparison}", api.live_card, methods=["GET"]),
            Route("/openapi.json", api.openapi, methods=["GET"]),
            Route("/healthz", api.health, methods=["GET"]),
            Route("/metrics", api.metrics_page, methods=["GET"]),
            *oembed_route,
        ],
        middleware=[
            Middleware(
                Observe,
                metrics=metrics,
                hasher=hasher,
                clients=ClientAddress(settings.trusted_proxies),
                access_log=access_log,
            ),
            Middleware(
                JSONCORSMiddleware,
                allow_origins=settings.allow_origins,
                on_refusal=lambda origin: metrics.cors_refusals.inc(),
            ),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.storage = storage
    app.state.metrics = metrics
    return app
