"""The two static origins of the demo: the widget host (dist/) and the blog.

The widget host behaves like the CDN a publisher should use
(docs/operators/hosting.md): CORS open to any page (the files are public and
sent without credentials), `Cross-Origin-Resource-Policy: cross-origin`,
`nosniff` with the right content types, immutable caching for content-hashed
paths, a short cache for the stable names (embed.js, bundles, manifest, inline
cards), and precompressed brotli or gzip twins when the browser accepts them.

The blog serves its pages with the widget's inline cards included server-side
(``<!--#include virtual="/verdict/..." -->``, as nginx's or Apache's SSI
would), so its cards paint with the page.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from verdict.bundle import BundleError, BundleIndex, load_bundle
from verdict.oembed import OEmbedError, as_format, oembed

CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
}
INCLUDE = re.compile(r'<!--#include virtual="/verdict/([^"]+)" -->')

IMMUTABLE = re.compile(r"^(runtime|packages)/[0-9a-f]+/|\.[0-9a-f]{12}\.\w+$")


def content_type(file: Path) -> str:
    return CONTENT_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"


# frame.html is a page of its own: it may be framed anywhere, and says so.
FRAME_HEADERS = {"Referrer-Policy": "no-referrer", "Content-Security-Policy": "frame-ancestors *"}


def _resolve(root: Path, path: str) -> Path | None:
    target = (root / path.lstrip("/")).resolve()
    if root not in target.parents and target != root:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


class WidgetHost:
    """Serves dist/ the way a CDN would.

    `precompressed=False` serves every file as it is, like a host that ignores
    the .br/.gz twins; `content_types` replaces the content type of some file
    extensions, like a host whose table lacks them; `cache_control` replaces
    every file's Cache-Control (the tests' misconfigured hosts).
    """

    def __init__(
        self,
        dist: Path,
        precompressed: bool = True,
        content_types: Mapping[str, str] | None = None,
        cache_control: str | None = None,
    ):
        self.dist = dist.resolve()
        self.precompressed = precompressed
        self.content_types = {**CONTENT_TYPES, **(content_types or {})}
        self.cache_control = cache_control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        cors = {
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
            "X-Content-Type-Options": "nosniff",
        }
        if request.method == "OPTIONS":
            await Response(status_code=204, headers={**cors, "Access-Control-Allow-Methods": "GET"})(
                scope, receive, send
            )
            return
        relative = request.url.path.lstrip("/")
        if relative == "oembed":
            await self.oembed(request)(scope, receive, send)
            return
        file = _resolve(self.dist, relative)
        if file is None:
            await PlainTextResponse("not found", 404, headers=cors)(scope, receive, send)
            return
        cache = "public, max-age=31536000, immutable" if IMMUTABLE.search(relative) else "public, max-age=300"
        headers = {**cors, "Cache-Control": self.cache_control or cache}
        media_type = self.content_types.get(file.suffix) or content_type(file)
        accepted = request.headers.get("accept-encoding", "") if self.precompressed else ""
        twins = [(e, file.with_name(file.name + s)) for e, s in (("br", ".br"), ("gzip", ".gz"))]
        if self.precompressed and any(twin.is_file() for _, twin in twins):
            headers["Vary"] = "Accept-Encoding"
        for encoding, twin in twins:
            if encoding in accepted and twin.is_file():
                headers["Content-Encoding"] = encoding
                file = twin
                break
        if relative == "frame.html" or (relative.startswith("frame/") and relative.endswith(".html")):
            headers.update(FRAME_HEADERS)
        await FileResponse(file, headers=headers, media_type=media_type)(scope, receive, send)

    def bundle(self, name: str) -> BundleIndex | None:
        """A bundle published in dist/bundles/, by name (the name is a checked slug)."""
        try:
            return BundleIndex(load_bundle((self.dist / "bundles" / f"{name}.json").read_bytes()))
        except (OSError, BundleError):
            return None

    def oembed(self, request: Request) -> Response:
        headers = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
        widget = f"{request.url.scheme}://{request.url.netloc}/"
        try:
            answer = oembed(widget, self.bundle, dict(request.query_params))
        except OEmbedError as error:
            return JSONResponse({"error": str(error)}, error.status, headers=headers)
        body, media_type = as_format(answer, request.query_params.get("format"))
        return Response(body, media_type=media_type, headers={**headers, "Cache-Control": "public, max-age=3600"})


class BlogHost:
    """Serves the blog pages, filling in where the widget and the votes live."""

    def __init__(self, folders: list[Path], values: dict[str, str], widget: Path | None = None):
        self.folders = [f.resolve() for f in folders]
        self.values = values
        self.widget = widget.resolve() if widget else None

    def include(self, match: re.Match[str]) -> str:
        """A server-side include of a file of the widget's dist/ (an inline card)."""
        file = _resolve(self.widget, match[1]) if self.widget else None
        return file.read_text() if file else f"<!-- verdict: {match[1]} not found -->"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        for folder in self.folders:
            file = _resolve(folder, request.url.path)
            if file is not None:
                break
        else:
            await PlainTextResponse("not found", 404)(scope, receive, send)
            return
        if file.suffix == ".html":
            page = file.read_text()
            page = INCLUDE.sub(self.include, page)
            for key, value in self.values.items():
                page = page.replace("{{" + key + "}}", value)
            response: Response = Response(
                page, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
            )
        else:
            response = FileResponse(file, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"})
        await response(scope, receive, send)
