"""The two static origins of the demo: the widget host (dist/) and the blog.

The widget host behaves like the CDN a publisher would use: CORS open to any
page (the files are public and sent without credentials), immutable caching
for content-hashed paths, a short cache for the stable embed.js and bundles,
and precompressed brotli or gzip twins when the browser accepts them.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")

IMMUTABLE = re.compile(r"^(runtime|packages)/[0-9a-f]+/|\.[0-9a-f]{12}\.\w+$")


def _resolve(root: Path, path: str) -> Path | None:
    target = (root / path.lstrip("/")).resolve()
    if root not in target.parents and target != root:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


class WidgetHost:
    """Serves dist/ the way a CDN would."""

    def __init__(self, dist: Path):
        self.dist = dist.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        cors = {"Access-Control-Allow-Origin": "*", "Cross-Origin-Resource-Policy": "cross-origin"}
        if request.method == "OPTIONS":
            await Response(status_code=204, headers={**cors, "Access-Control-Allow-Methods": "GET"})(
                scope, receive, send
            )
            return
        relative = request.url.path.lstrip("/")
        file = _resolve(self.dist, relative)
        if file is None:
            await PlainTextResponse("not found", 404, headers=cors)(scope, receive, send)
            return
        cache = "public, max-age=31536000, immutable" if IMMUTABLE.search(relative) else "public, max-age=300"
        headers = {**cors, "Cache-Control": cache, "Vary": "Accept-Encoding"}
        media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        accepted = request.headers.get("accept-encoding", "")
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            twin = file.with_name(file.name + suffix)
            if encoding in accepted and twin.is_file():
                headers["Content-Encoding"] = encoding
                file = twin
                break
        await FileResponse(file, headers=headers, media_type=media_type)(scope, receive, send)


class BlogHost:
    """Serves the blog pages, filling in where the widget and the votes live."""

    def __init__(self, folders: list[Path], values: dict[str, str]):
        self.folders = [f.resolve() for f in folders]
        self.values = values

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
            for key, value in self.values.items():
                page = page.replace("{{" + key + "}}", value)
            response: Response = Response(
                page, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
            )
        else:
            response = FileResponse(file, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"})
        await response(scope, receive, send)
