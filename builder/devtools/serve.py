"""Serve the demo: a blog, the widget host and the vote endpoint on three origins.

blog      http://127.0.0.1:PORT/        demo/ pages (what a publisher runs)
widget    http://127.0.0.1:PORT+1/      dist/ (what a CDN would serve)
votes     http://127.0.0.1:PORT+2/      the vote endpoint, SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from ..paths import DEMO, DIST, ROOT, VAR
from .static import BlogHost, WidgetHost


def origins(port: int, host: str = "127.0.0.1") -> dict[str, str]:
    return {
        "blog": f"http://{host}:{port}",
        "widget": f"http://{host}:{port + 1}",
        "votes": f"http://{host}:{port + 2}",
    }


@contextmanager
def demo_in_background(
    port: int,
    log: Path,
    *,
    pages: Path | None = None,
    database: Path | None = None,
    endpoint: str | None = None,
    dist: Path | None = None,
    bundles: Sequence[Path] = (),
    timeout: float = 30,
) -> Iterator[dict[str, str]]:
    """The demo's servers in a child process for the ``with`` block, as ``build.py demo`` runs them: the
    bench, the docs' pictures and the browser tests all use it. ``database``: the votes' SQLite file;
    ``endpoint``: a vote endpoint already running, used instead of starting one; ``dist``: the widget host's
    folder (default: dist/); ``bundles``: more bundles the endpoint knows, beside the demo's. The output goes to
    ``log`` (the endpoint's access log would fill a pipe nobody reads); RuntimeError, with the log's
    tail, when the servers do not come up."""
    command = [sys.executable, "-m", "builder", "serve", "--port", str(port)]
    command += ["--pages", str(pages)] if pages is not None else []
    command += ["--database", f"sqlite:///{database}"] if database is not None else []
    command += ["--endpoint", endpoint] if endpoint is not None else []
    command += ["--dist", str(dist)] if dist is not None else []
    command += [arg for bundle in bundles for arg in ("--bundle", str(bundle))]
    where = origins(port)
    awaited = [where["blog"] + "/", where["widget"] + "/embed.js"]
    if endpoint is None:
        awaited.append(where["votes"] + "/healthz")
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        try:
            for url in awaited:
                _wait_for(url, process, log, time.monotonic() + timeout)
            yield where
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while process.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"the demo servers did not come up ({url} did not answer):\n{tail}")


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves SIGINT and SIGTERM alone: the demo runs three in one loop and stops
    them together on its own handler (each would otherwise take the signals over while it serves)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    port: int,
    database_url: str,
    pages: list[Path],
    host: str = "127.0.0.1",
    endpoint: str | None = None,
    dist: Path = DIST,
    more_bundles: Sequence[Path] = (),
) -> None:
    """``endpoint``: a vote endpoint running elsewhere, which the pages use instead of starting one;
    ``dist``: the built folder the widget host serves."""
    from verdict_endpoint.app import create_app
    from verdict_endpoint.settings import Settings
    from verdict_endpoint.sites import hash_admin_key, single_site

    admin_key = demo_admin_key()

    where = origins(port, host)
    apps: list[tuple[ASGIApp, int]] = [(WidgetHost(dist), port + 1)]
    if endpoint:
        where["votes"] = endpoint.rstrip("/")
    else:
        # The blog, and the widget host's configurator page, whose preview card votes too.
        bundles, allowed = [*sorted(DEMO.glob("*.json")), *more_bundles], [where["blog"], where["widget"]]
        settings = Settings(
            bundles=bundles,
            database_url=database_url,
            allow_origins=allowed,
            sites=[single_site(bundles, allowed, [hash_admin_key(admin_key)])],
        )
        apps.append((create_app(settings), port + 2))
    apps.insert(0, (BlogHost([*pages, DEMO], where, dist), port))
    servers = [
        QuietServer(uvicorn.Config(app, host=host, port=p, log_level="warning", lifespan="auto")) for app, p in apps
    ]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            for t in tasks:
                if t.done() and (error := t.exception()) is not None:
                    raise error
            raise SystemExit("a demo server failed to start (is the port in use?)")
        await asyncio.sleep(0.05)
    print(
        f"Blog (open this):  {where['blog']}/\n"
        f"Widget host:       {where['widget']}/embed.js\n"
        f"Vote endpoint:     {where['votes']}/openapi.json\n"
        f"Configurator:      {where['widget']}/configure/\n"
        + (f"Docs:              {where['widget']}/docs/\n" if (dist / "docs" / "index.html").exists() else "")
        + (f"Results:           {where['votes']}/results  (admin key: {admin_key})\n" if not endpoint else "")
        + "Press Ctrl-C to stop.",
        flush=True,
    )
    await stop.wait()
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)


def demo_admin_key() -> str:
    """The demo endpoint's admin key: made once, kept beside the demo's votes (a local key, for this machine only)."""
    from verdict_endpoint.sites import new_admin_key

    path = VAR / "demo-admin.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_admin_key()[0] + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="build.py demo")
    parser.add_argument("--port", type=int, default=8000, help="blog port; widget +1, votes +2 (default 8000)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--database", default=f"sqlite:///{VAR / 'demo-votes.db'}", help="vote database URL")
    parser.add_argument("--pages", type=Path, action="append", default=[], help="extra folder of blog pages")
    parser.add_argument("--endpoint", help="use this running vote endpoint instead of starting one")
    parser.add_argument("--dist", type=Path, default=DIST, help="the built folder to serve (default: dist/)")
    parser.add_argument(
        "--bundle", type=Path, action="append", default=[], help="one more bundle the endpoint knows (repeatable)"
    )
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.database, args.pages, args.host, args.endpoint, args.dist, args.bundle))
