"""``verdict serve``: run the vote endpoint with uvicorn; ``verdict votes``: the operator's commands.

Start-up problems (a broken bundle, an unusable database) are printed one per
line and give exit code 2, before any port is opened. uvicorn's own access log
is off (it would record every reader's address); the endpoint writes its own,
as JSON lines with hashed addresses (see observe.py).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from prometheus_client import start_http_server

from .app import create_app
from .errors import StartupError
from .observe import configure_logging
from .server import DEFAULT_MAX_CONNECTIONS, BoundedHttpToolsProtocol
from .settings import DEFAULT_DATABASE_URL, DEFAULT_RATE_LIMIT, load_settings
from .sites import DEFAULT_SITE, Site
from .storage import describe_sqlite, sqlite_path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
GRACEFUL_SHUTDOWN_SECONDS = 30
GC_THRESHOLDS = (50_000, 50, 100)
SWITCH_INTERVAL = 0.0005


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verdict serve",
        description="Run the Verdict vote endpoint. Flags override the VERDICT_* environment variables.",
    )
    parser.add_argument(
        "--bundle",
        action="append",
        type=Path,
        metavar="PATH",
        help="a bundle whose comparisons are open to votes; repeat for several "
        "(env VERDICT_BUNDLE, separated by commas or os.pathsep)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="a sites file (TOML) listing each site's bundles, allowed origins, admin key hashes and webhooks, "
        "for several sites on one endpoint; replaces --bundle and --allow-origin (env VERDICT_CONFIG)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="where votes are stored: sqlite:///path/votes.db (one process) or postgresql://user@host/db "
        f"(any number of processes) (env VERDICT_DATABASE_URL; default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="an origin (https://blog.example) whose pages may call the endpoint, or * for any; "
        "repeat for several (env VERDICT_ALLOW_ORIGINS, comma-separated; default none)",
    )
    parser.add_argument(
        "--secret",
        metavar="S",
        help="key of the voter and address hashes (env VERDICT_SECRET; with SQLite the default is "
        "generated once and kept in secret.key beside the database; PostgreSQL needs it set). "
        "Prefer the environment: flags show in ps.",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        metavar="N",
        help="votes per client address per minute, 0 for no limit "
        f"(env VERDICT_RATE_LIMIT; default {DEFAULT_RATE_LIMIT}); an IPv6 client is one /64, and its /56 and "
        "/48 may cast 2× and 4× as many",
    )
    parser.add_argument(
        "--new-voters-per-hour",
        type=int,
        metavar="N",
        help="new voter tokens per client address per hour (IPv6: per /64; 2× per /56, 4× per /48), 0 for no limit "
        "(env VERDICT_NEW_VOTERS_PER_HOUR; default: the --rate-limit value)",
    )
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="ADDRESS",
        help="address or network (10.0.0.0/8) of a proxy or load balancer whose X-Forwarded-For header "
        "names the client; repeat for several (env VERDICT_TRUSTED_PROXIES, comma-separated; default none: "
        "the header is ignored)",
    )
    parser.add_argument(
        "--widget-url",
        metavar="URL",
        help="where the widget's dist/ is served (https://widget.example/verdict/): the endpoint then "
        "answers oEmbed (GET /oembed) for its frame.html links, from the same bundles (env VERDICT_WIDGET_URL)",
    )
    parser.add_argument(
        "--oembed-endpoint",
        action="append",
        metavar="URL",
        help="a vote endpoint (usually this one's public URL) that a frame.html link pasted for oEmbed may name "
        "in its endpoint= parameter; repeat for several (env VERDICT_OEMBED_ENDPOINTS, comma-separated; "
        "default none: oEmbed leaves any endpoint out of the iframe)",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        metavar="N",
        help="serve Prometheus metrics (GET /metrics) on this port of --metrics-host, apart from the votes "
        "(env VERDICT_METRICS_PORT; default none: no metrics are served). Never expose it to readers.",
    )
    parser.add_argument(
        "--metrics-host",
        default=DEFAULT_HOST,
        help=f"interface of the metrics listener (default {DEFAULT_HOST})",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="connections and requests in flight at once; beyond them new ones get 503 at once "
        f"(default {DEFAULT_MAX_CONNECTIONS})",
    )
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        default=None,
        help="do not write the JSON access log on stderr (env VERDICT_ACCESS_LOG=off)",
    )
    return parser


def serve(argv: list[str] | None = None) -> int:
    """Run the endpoint until interrupted; the exit code (2: bad usage or configuration)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error already printed
        return exit_.code if isinstance(exit_.code, int) else 2
    configure_logging()
    try:
        settings = load_settings(
            os.environ,
            bundles=args.bundle,
            database_url=args.database,
            allow_origins=args.allow_origin,
            secret=args.secret,
            rate_limit=args.rate_limit,
            new_voters_per_hour=args.new_voters_per_hour,
            trusted_proxies=args.trusted_proxy,
            access_log=False if args.no_access_log else None,
            widget_url=args.widget_url,
            oembed_endpoints=args.oembed_endpoint,
            config=args.config,
        )
        app = create_app(settings)
    except StartupError as error:
        for line in error.lines:
            print(f"verdict serve: {line}", file=sys.stderr)
        return 2

    comparisons = sum(len(catalog.comparisons) for catalog in app.state.catalogs.values())
    origins = ", ".join(settings.allow_origins) or "none (no browser page may call it)"
    path = sqlite_path(settings.database_url)
    where = (
        describe_sqlite(settings.database_url, path)
        if path is not None
        else getattr(app.state.storage, "description", "PostgreSQL")
    )
    print(
        f"verdict serve: {comparisons} comparison(s) from {len(settings.bundles)} bundle(s); "
        f"votes in {where}; {_sites_line(settings.sites) or f'allowed origins: {origins}'}; "
        f"rate limit: {settings.rate_limit or 'off'} per minute, "
        f"{settings.new_voters_per_hour or 'no limit of'} new voters per hour; "
        f"trusted proxies: {', '.join(settings.trusted_proxies) or 'none'}",
        file=sys.stderr,
        flush=True,
    )
    metrics_port = args.metrics_port
    if metrics_port is None and os.environ.get("VERDICT_METRICS_PORT", "").strip():
        raw = os.environ["VERDICT_METRICS_PORT"].strip()
        if not raw.isascii() or not raw.isdigit():
            print(f"verdict serve: VERDICT_METRICS_PORT must be a port number, got {raw!r}", file=sys.stderr)
            return 2
        metrics_port = int(raw)
    if metrics_port is not None:
        if metrics_port == args.port and args.metrics_host == args.host:
            print("verdict serve: --metrics-port must differ from --port: metrics are never public", file=sys.stderr)
            return 2
        try:
            start_http_server(metrics_port, args.metrics_host, registry=app.state.metrics.registry)
        except OSError as error:
            print(
                f"verdict serve: cannot serve metrics on {args.metrics_host}:{metrics_port}: {error}", file=sys.stderr
            )
            return 2
        print(f"verdict serve: metrics on http://{args.metrics_host}:{metrics_port}/metrics", file=sys.stderr)
    if args.max_connections < 1:
        print(f"verdict serve: --max-connections must be 1 or more, got {args.max_connections}", file=sys.stderr)
        return 2
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=False,
        server_header=False,
        # Headers within a deadline and a size, bodies within their own (body.py), and a cap on what is in
        # flight: a slow or hostile client holds neither memory nor sockets for long (server.py).
        http=BoundedHttpToolsProtocol,
        limit_concurrency=args.max_connections,
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 on its own; --trusted-proxy decides instead.
        proxy_headers=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    # The store's worker threads (SQLite's BEGIN and COMMIT, waiting on the disk) need the GIL back
    # from the busy event loop the moment they are done: each hop would otherwise wait up to 5 ms.
    sys.setswitchinterval(SWITCH_INTERVAL)
    _calm_garbage_collector()
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


def _sites_line(sites: Sequence[Site]) -> str:
    """Each site of a sites file, where it is served and its origins; "" for the one-site set-up."""
    if len(sites) == 1 and sites[0].id == DEFAULT_SITE:
        return ""
    return "sites: " + ", ".join(
        f"{site.id} at {site.prefix or '/'} (origins: {', '.join(site.allow_origins) or 'none'})" for site in sites
    )


def _calm_garbage_collector() -> None:
    """Keep full garbage collections out of the vote path, where they are the longest pauses.

    Everything built at start (the app, the catalog, pydantic's validators) lives
    until the process ends: frozen, no collection walks it again. A request
    leaves almost no reference cycles, so the youngest generation can wait for
    many more allocations before a collection, and the older ones longer still.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
