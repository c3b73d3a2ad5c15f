"""The ASGI application: routes, JSON errors, CORS and observability around the vote service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from verdict.oembed import CACHE_AGE, OEmbedError, as_format, oembed

from .admin import admin_routes
from .body import read_json
from .catalog import load_site_catalogs
from .clientaddress import ClientAddress
from .coalesce import SingleFlight
from .errors import ApiError, StartupError
from .housekeeping import purge_tombstones_forever
from .keys import Hasher, load_or_create_secret
from .limits import Budget, VoteLimits
from .livecards import LiveCards
from .observe import AccessLog, Metrics, Observe
from .openapi import openapi_document
from .results import is_postgres
from .schemas import Superseded, VoteIn, WithdrawIn
from .service import VoteService
from .settings import Settings
from .sites import DEFAULT_SITE, Site, SiteCORS, site_storage
from .storage import StoreError, check_database_url, open_storage
from .webhooks import Deliverer

logger = logging.getLogger("verdict.endpoint")

TALLIES_CACHE = "public, max-age=5"
NO_STORE = {"Cache-Control": "no-store"}
STORE_RETRY_AFTER = "5"
MAX_RETRY_DIGITS = 8


def _json(model: BaseModel, headers: dict[str, str] | None = None, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status, headers=headers, media_type="application/json")


class VoteAPI:
    """The HTTP face of the service: one method per route."""

    def __init__(self, service: VoteService, limits: VoteLimits, metrics: Metrics, widget_url: str | None) -> None:
        self.service = service
        self.limits = limits
        self.metrics = metrics
        self.widget_url = widget_url
        self.document = openapi_document(service.catalog, widget_url)
        self._checks: SingleFlight[str | None] = SingleFlight()
        self.oembed_endpoints: tuple[str, ...] = ()
        self.live_cards = LiveCards(service.catalog)

    async def votes(self, request: Request) -> Response:
        address_hash: str = request.scope["state"]["address_hash"]
        retry = request.headers.get("verdict-retry")
        if retry is not None and not (retry.isascii() and retry.isdigit() and len(retry) <= MAX_RETRY_DIGITS):
            raise ApiError(400, f"Verdict-Retry must be the attempt number (up to {MAX_RETRY_DIGITS} digits)")
        # The body first: only a request that could be a vote spends the client's budget, so a page
        # posting text/plain cross-origin (no preflight needed) cannot spend its readers' votes.
        body: VoteIn | WithdrawIn
        if request.method == "POST":
            body = await read_json(request, VoteIn)
        else:
            body = await read_json(request, WithdrawIn)
        await self.limits.check(address_hash, request.scope["state"]["client_ipv6"], body.voter)
        if isinstance(body, VoteIn):
            result = await self.service.cast(body, address_hash)
        else:
            result = await self.service.withdraw(body, address_hash)
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
            answer = oembed(
                self.widget_url, self.service.catalog.bundle, dict(request.query_params), self.oembed_endpoints
            )
        except OEmbedError as error:
            return JSONResponse({"error": str(error)}, error.status, headers={"Cache-Control": "public, max-age=300"})
        body, media_type = as_format(answer, request.query_params.get("format"))
        return Response(body, media_type=media_type, headers={"Cache-Control": f"public, max-age={CACHE_AGE}"})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(self.document, headers={"Cache-Control": "public, max-age=300"})

    async def health(self, request: Request) -> Response:
        """200 only while the database answers and takes writes: a full disk is a failure too (health.py)."""
        error = await self._checks.run("health", self._health)  # a flood of checks shares one
        if error is not None:
            return JSONResponse({"error": error}, 503, headers=NO_STORE)
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    async def _health(self) -> str | None:
        try:
            await self.service.storage.ping()
        except Exception:
            logger.exception("health check: the vote database cannot be reached")
            return "the vote database cannot be reached"
        failure = await self.service.health.check()
        if failure is not None:
            return "votes cannot be saved: the vote database refuses writes"
        return None


async def _api_error(request: Request, exc: ApiError) -> Response:
    return JSONResponse({"error": exc.message, **exc.fields}, exc.status, headers=exc.headers)


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
    catalogs = load_site_catalogs(settings.sites)
    for catalog in catalogs.values():
        if settings.widget_url and catalog.shared_names:
            raise StartupError(
                *(
                    f"several bundle files are named {name}.json: oEmbed (--widget-url) tells bundles apart by "
                    "file name"
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
    limits = VoteLimits(Budget(settings.rate_limit, settings.new_voters_per_hour or 0), storage, hasher)
    apis = {
        site.id: VoteAPI(
            VoteService(catalogs[site.id], site_storage(storage, site), hasher),
            limits,
            metrics,
            settings.widget_url,
        )
        for site in settings.sites
    }
    for each in apis.values():
        each.oembed_endpoints = tuple(settings.oembed_endpoints)
    api = apis.get(DEFAULT_SITE) or next(iter(apis.values()))

    def site_routes(site: Site) -> list[BaseRoute]:
        api = apis[site.id]
        oembed_route = [Route("/oembed", api.oembed, methods=["GET"])] if settings.widget_url else []
        return [
            Route("/v1/votes", api.votes, methods=["POST", "DELETE"]),
            Route("/v1/tallies/{comparison}", api.tallies, methods=["GET"]),
            Route("/v1/cards/{comparison}", api.live_card, methods=["GET"]),
            *oembed_route,
            *admin_routes(site, storage, hasher, dict(catalogs[site.id].bundles), api.document),
        ]

    default_routes = [route for site in settings.sites if not site.prefix for route in site_routes(site)]
    mounts = [
        Mount(site.prefix, routes=[*site_routes(site), Route("/openapi.json", apis[site.id].openapi)])
        for site in settings.sites
        if site.prefix
    ]

    deliverer = Deliverer(storage, settings.sites, is_postgres(storage))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await storage.start()
        housekeeping = asyncio.create_task(purge_tombstones_forever(storage))
        await deliverer.start()
        try:
            yield
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            await deliverer.stop()
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
            *default_routes,
            Route("/openapi.json", api.openapi, methods=["GET"]),
            Route("/healthz", api.health, methods=["GET"]),
            *mounts,
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
                SiteCORS,
                sites=settings.sites,
                on_refusal=lambda origin: metrics.cors_refusals.inc(),
            ),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalog = api.service.catalog
    app.state.catalogs = catalogs
    app.state.storage = storage
    app.state.metrics = metrics
    return app
