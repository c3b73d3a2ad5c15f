"""A site's publisher routes: its results page and its exports, behind the site's admin keys.

Sign-in: the page's form posts an admin key; the endpoint answers with a
session cookie (``Secure; HttpOnly; SameSite=Strict``, 12 hours) signed with
the server secret and bound to the site and to the key's hash, so removing
a key from the configuration ends its sessions. Scripts send the key as
``Authorization: Bearer KEY`` instead. A key, a session or a bearer of one
site opens nothing of another: each is checked against the site whose path
it is used on.
"""

from __future__ import annotations

import hmac
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from verdict.bundle import BundleIndex

from .errors import ApiError
from .exports import MEDIA_TYPES, Format, export_stream, openapi_export_path
from .keys import Hasher
from .results import ReadableStore, ResultsReader, View
from .results_page import CSP, login_page, results_page
from .sites import Site

SESSION_SECONDS = 12 * 3600
MAX_FORM_BYTES = 2048
PAGE_HEADERS = {"Cache-Control": "no-store", "Content-Security-Policy": CSP}


class AdminPages:
    """The results page, its sign-in and the export route of one site."""

    def __init__(self, site: Site, store: ReadableStore, hasher: Hasher, bundles: dict[str, BundleIndex]) -> None:
        self.site = site
        self.hasher = hasher
        self.store = store
        self.reader = ResultsReader(store, site.namespace, bundles)
        self.cookie = f"verdict_session_{site.id.replace('-', '_')}"
        self.page_path = f"{site.prefix}/results"

    def _signature(self, expires: int, key_hash: str) -> str:
        return self.hasher.sign("admin-session", f"{self.site.id}\0{expires}\0{key_hash}")

    def _session_valid(self, value: str) -> bool:
        expires_text, _, signature = value.partition(".")
        if not expires_text.isdigit() or int(expires_text) < time.time():
            return False
        return any(
            hmac.compare_digest(signature, self._signature(int(expires_text), key_hash))
            for key_hash in self.site.admin_key_hashes
        )

    def authorised(self, request: Request) -> bool:
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            return self.site.admits(bearer[7:].strip())
        session = request.cookies.get(self.cookie)
        return session is not None and self._session_valid(session)

    def _login(self, status: int, error: str | None = None) -> Response:
        body = login_page(self.site.id, f"{self.page_path}/login", error)
        return HTMLResponse(body, status, headers=PAGE_HEADERS)

    async def login(self, request: Request) -> Response:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise ApiError(413, f"the sign-in form is larger than {MAX_FORM_BYTES} bytes")
        key = (parse_qs(body.decode("utf-8", "replace")).get("key") or [""])[0].strip()
        if not self.site.admin_key_hashes:
            return self._login(403, "This site has no admin key: add one to its configuration first.")
        if not key or not self.site.admits(key):
            return self._login(403, "That is not an admin key of this site.")
        from .sites import hash_admin_key

        expires = int(time.time()) + SESSION_SECONDS
        response = RedirectResponse(self.page_path, 303, headers={"Cache-Control": "no-store"})
        response.set_cookie(
            self.cookie,
            f"{expires}.{self._signature(expires, hash_admin_key(key))}",
            max_age=SESSION_SECONDS,
            path=self.site.prefix or "/",
            secure=True,
            httponly=True,
            samesite="strict",
        )
        return response

    async def page(self, request: Request) -> Response:
        if not self.authorised(request):
            return self._login(401)
        comparisons = self.reader.comparisons()
        comparison = request.query_params.get("comparison") or comparisons[0]
        if comparison not in comparisons:
            raise ApiError(404, f"unknown comparison {comparison[:200]!r} (this site's: {', '.join(comparisons)})")
        try:
            view = View(request.query_params.get("view") or View.DAY)
        except ValueError:
            raise ApiError(422, "view must be hour, day or week") from None
        results = await self.reader.read(comparison, view)
        titles = []
        for cid in comparisons:
            index = self.reader.indexes[cid]
            model = index.comparisons[cid]
            titles.append((cid, model.title or " vs ".join(index.tools[t].name for t in model.tools)))
        html = results_page(self.site.id, self.page_path, titles, results, f"{self.site.prefix}/v1/export")
        return HTMLResponse(html, headers=PAGE_HEADERS)

    async def export(self, request: Request) -> Response:
        if not self.authorised(request):
            raise ApiError(
                401,
                "an admin key of this site is needed: Authorization: Bearer KEY (or sign in on the results page)",
                headers={"WWW-Authenticate": 'Bearer realm="verdict"'},
            )
        try:
            format = Format(request.query_params.get("format", Format.CSV))  # present but empty: refused
        except ValueError:
            raise ApiError(422, "format must be csv or json") from None
        comparisons = self.reader.comparisons()
        wanted = request.query_params.get("comparison")
        if wanted is not None:
            if wanted not in comparisons:
                raise ApiError(404, f"unknown comparison {wanted[:200]!r}")
            comparisons = [wanted]
        name = f"verdict-{self.site.id}-{wanted or 'all'}.{format.value}"
        return StreamingResponse(
            export_stream(self.store, self.site.namespace, comparisons, format),
            media_type=MEDIA_TYPES[format],
            headers={"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'},
        )


def admin_routes(
    site: Site, store: ReadableStore, hasher: Hasher, bundles: dict[str, BundleIndex], document: dict[str, Any]
) -> list[BaseRoute]:
    """The site's results page, sign-in and export; the export documented in the site's OpenAPI document."""
    pages = AdminPages(site, store, hasher, bundles)
    if site.prefix:
        document["servers"] = [{"url": site.prefix, "description": f"site {site.id}"}]
    document["paths"]["/v1/export"] = openapi_export_path(pages.reader.comparisons())
    document.setdefault("components", {})["securitySchemes"] = {
        "adminKey": {"type": "http", "scheme": "bearer", "description": "An admin key of the site."}
    }
    return [
        Route("/results", pages.page, methods=["GET"]),
        Route("/results/login", pages.login, methods=["POST"]),
        Route("/v1/export", pages.export, methods=["GET"]),
    ]
