"""A publisher's page on an origin of its own, with the headers a test chooses.

The demo's blog serves fixed pages; tests of host pages (a Content-Security-
Policy by header or <meta>, a widget host elsewhere) need pages made on the
spot. This serves them from a thread on a free loopback port.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HostPages:
    def __init__(self) -> None:
        self._pages: dict[str, tuple[bytes, dict[str, str]]] = {}
        self._ids = itertools.count(1)
        pages = self._pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_error(404)
                    return
                body, headers = page
                self.send_response(200)
                if "Content-Type" not in headers:
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, html: str, headers: Mapping[str, str] | None = None, *, suffix: str = ".html") -> str:
        """Serve `html` (with `headers`; a Content-Type among them replaces HTML's) at a new URL, returned."""
        path = f"/page-{next(self._ids)}{suffix}"
        self._pages[path] = (html.encode(), dict(headers or {}))
        return self.origin + path

    @contextmanager
    def running(self) -> Iterator[HostPages]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(5)
