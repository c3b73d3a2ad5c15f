"""Serve the demo: a blog, the widget host and the vote endpoint on three origins.

blog      http://127.0.0.1:PORT/        demo/ pages (what a publisher runs)
widget    http://127.0.0.1:PORT+1/      dist/ (what a CDN would serve)
votes     http://127.0.0.1:PORT+2/      the vote endpoint, SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

import uvicorn

from .paths import DEMO, DIST, VAR
from .static import BlogHost, WidgetHost


def origins(port: int, host: str = "127.0.0.1") -> dict[str, str]:
    return {
        "blog": f"http://{host}:{port}",
        "widget": f"http://{host}:{port + 1}",
        "votes": f"http://{host}:{port + 2}",
    }


async def serve(port: int, database_url: str, pages: list[Path], host: str = "127.0.0.1") -> None:
    from verdict_endpoint.app import create_app
    from verdict_endpoint.settings import Settings

    where = origins(port, host)
    votes = create_app(
        # The blog, and the widget host's configurator page, whose preview card votes too.
        Settings(
            bundles=sorted(DEMO.glob("*.json")),
            database_url=database_url,
            allow_origins=[where["blog"], where["widget"]],
        )
    )
    apps = [(BlogHost([*pages, DEMO], where, DIST), port), (WidgetHost(DIST), port + 1), (votes, port + 2)]
    servers = [
        uvicorn.Server(uvicorn.Config(app, host=host, port=p, log_level="warning", lifespan="auto")) for app, p in apps
    ]
    for server in servers:
        server.install_signal_handlers = lambda: None
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            for t in tasks:
                if t.done() and t.exception():
                    raise t.exception()
            raise SystemExit("a demo server failed to start (is the port in use?)")
        await asyncio.sleep(0.05)
    print(
        f"Blog (open this):  {where['blog']}/\n"
        f"Widget host:       {where['widget']}/embed.js\n"
        f"Vote endpoint:     {where['votes']}/openapi.json\n"
        f"Configurator:      {where['widget']}/configure/\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    await stop.wait()
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="build.py demo")
    parser.add_argument("--port", type=int, default=8000, help="blog port; widget +1, votes +2 (default 8000)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--database", default=f"sqlite:///{VAR / 'demo-votes.db'}", help="vote database URL")
    parser.add_argument("--pages", type=Path, action="append", default=[], help="extra folder of blog pages")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.database, args.pages, args.host))
