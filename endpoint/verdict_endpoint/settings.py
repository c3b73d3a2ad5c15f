"""Endpoint configuration: one frozen value, from flags first, then environment, then defaults."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StartupError

if TYPE_CHECKING:
    from .sites import Site

DEFAULT_DATABASE_URL = "sqlite:///./var/votes.db"
DEFAULT_RATE_LIMIT = 30
MIN_SECRET_LENGTH = 16

_ORIGIN = re.compile(r"^https?://[^/\s?#]+$")
SANDBOXED = "null"  # what browsers send as the Origin of a sandboxed document


def normalise_origin(origin: str) -> str:
    """An origin as browsers send it: ``scheme://host[:port]``, no path or trailing slash.

    A trailing slash would never match a browser's Origin header, so it is dropped
    rather than letting CORS fail silently; anything else that is not an origin is
    refused at start-up. ``null`` is the origin of sandboxed frames (WordPress's embeds):
    listing it is a choice with a cost, which SECURITY.md describes.
    """
    origin = origin.strip().rstrip("/")
    if origin in ("*", SANDBOXED) or _ORIGIN.match(origin):
        return origin
    raise StartupError(f"not an origin: {origin!r} (expected scheme://host[:port], null for sandboxed frames, or *)")


_WIDGET_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$")


def normalise_widget_url(url: str) -> str:
    """Where dist/ is served, ending in ``/`` (frame URLs are built on it); StartupError if it is no such URL."""
    url = url.strip()
    if not _WIDGET_URL.match(url):
        raise StartupError(
            f"not a widget URL: {url!r} (expected where dist/ is served, e.g. https://widget.example/verdict/)"
        )
    return url if url.endswith("/") else url + "/"


def normalise_endpoint(url: str) -> str:
    """A vote endpoint's base URL, without a trailing slash; StartupError if it is no such URL."""
    url = url.strip().rstrip("/")
    if not _WIDGET_URL.match(url):
        raise StartupError(f"not a vote endpoint URL: {url!r} (expected, say, https://votes.example)")
    return url


def parse_proxy(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A trusted proxy: one address or a network in CIDR notation."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise StartupError(
            f"not a proxy address or network: {value!r} (expected, say, 10.0.0.5 or 10.0.0.0/8)"
        ) from None


@dataclass(frozen=True)
class Settings:
    """What the endpoint serves and how; see ``load_settings`` for flags and environment."""

    bundles: Sequence[Path]
    database_url: str = DEFAULT_DATABASE_URL
    allow_origins: Sequence[str] = ()
    secret: str | None = None
    """Key of the voter-token and address hashes; None: kept in secret.key next to the database."""
    rate_limit: int = DEFAULT_RATE_LIMIT
    """Votes (and withdrawals) per client per minute (IPv6: per /64; its /56 and /48 get 2× and 4×); 0: off."""
    new_voters_per_hour: int | None = None
    """New voter tokens per client per hour (IPv6: per /64; its /56 and /48 get 2× and 4×); 0: off.

    None: the same number as ``rate_limit`` (so ``rate_limit=0`` turns every limit off).
    """
    trusted_proxies: Sequence[str] = ()
    """Addresses or networks of the proxies whose X-Forwarded-For names the client."""
    access_log: bool = True
    """One JSON line per request on stderr (hashed client address, never the raw one)."""
    widget_url: str | None = None
    """Where the widget's dist/ is served: the endpoint then answers oEmbed for its frame URLs."""
    oembed_endpoints: Sequence[str] = ()
    """Vote endpoints a pasted frame URL may name and oEmbed keeps (usually this endpoint's public URL)."""
    sites: Sequence[Site] = ()
    """The publishers served; () : one, the default site, of ``bundles`` and ``allow_origins``."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "bundles", tuple(Path(p) for p in self.bundles))
        object.__setattr__(self, "allow_origins", tuple(normalise_origin(o) for o in self.allow_origins))
        object.__setattr__(self, "trusted_proxies", tuple(str(parse_proxy(p)) for p in self.trusted_proxies))
        if not self.sites:
            from .sites import single_site  # sites.py builds on this module

            object.__setattr__(self, "sites", (single_site(self.bundles, self.allow_origins, ()),))
        if self.widget_url is not None:
            object.__setattr__(self, "widget_url", normalise_widget_url(self.widget_url))
        object.__setattr__(self, "oembed_endpoints", tuple(normalise_endpoint(e) for e in self.oembed_endpoints))
        if self.rate_limit < 0:
            raise StartupError(f"the rate limit must be 0 (off) or more, got {self.rate_limit}")
        if self.new_voters_per_hour is None:
            object.__setattr__(self, "new_voters_per_hour", self.rate_limit)
        elif self.new_voters_per_hour < 0:
            raise StartupError(f"the new voters per hour must be 0 (off) or more, got {self.new_voters_per_hour}")
        if self.secret is not None and len(self.secret) < MIN_SECRET_LENGTH:
            raise StartupError(f"the secret must be at least {MIN_SECRET_LENGTH} characters long")


def _split(value: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", value) if part.strip()]


def load_settings(
    environ: Mapping[str, str] = os.environ,
    *,
    bundles: Sequence[Path] | None = None,
    database_url: str | None = None,
    allow_origins: Sequence[str] | None = None,
    secret: str | None = None,
    rate_limit: int | None = None,
    new_voters_per_hour: int | None = None,
    trusted_proxies: Sequence[str] | None = None,
    access_log: bool | None = None,
    widget_url: str | None = None,
    oembed_endpoints: Sequence[str] | None = None,
    config: Path | None = None,
) -> Settings:
    """Settings from keyword arguments (the command-line flags; None: not given), else environment.

    VERDICT_BUNDLE (paths separated by commas or os.pathsep), VERDICT_DATABASE_URL,
    VERDICT_ALLOW_ORIGINS (comma-separated), VERDICT_SECRET, VERDICT_RATE_LIMIT, VERDICT_NEW_VOTERS_PER_HOUR,
    VERDICT_TRUSTED_PROXIES (comma-separated), VERDICT_ACCESS_LOG (``off`` to silence it),
    VERDICT_WIDGET_URL, VERDICT_OEMBED_ENDPOINTS (comma-separated), VERDICT_ADMIN_KEY_HASHES (comma-separated),
    VERDICT_CONFIG (a sites file: ``config``, which lists each site's bundles and origins instead of
    ``bundles``/``allow_origins``).
    """
    from .sites import load_sites, single_site  # sites.py builds on this module

    config = config or (Path(environ["VERDICT_CONFIG"]) if environ.get("VERDICT_CONFIG", "").strip() else None)
    sites: tuple[Site, ...] = ()
    if config is not None:
        if bundles or allow_origins:
            raise StartupError(
                f"--bundle and --allow-origin are per site with --config: list them in {config} (see `sites`)"
            )
        sites = load_sites(config)
        bundles = [bundle for site in sites for bundle in site.bundles]
    if not bundles:
        bundles = [Path(p) for p in _split(environ.get("VERDICT_BUNDLE", ""), "," + os.pathsep)]
    if not bundles:
        raise StartupError("no bundle given: pass --bundle PATH or set VERDICT_BUNDLE")
    if allow_origins is None:
        allow_origins = _split(environ.get("VERDICT_ALLOW_ORIGINS", ""), ",")
    if rate_limit is None and environ.get("VERDICT_RATE_LIMIT", "").strip():
        raw = environ["VERDICT_RATE_LIMIT"].strip()
        try:
            rate_limit = int(raw)
        except ValueError:
            raise StartupError(f"VERDICT_RATE_LIMIT must be a whole number of votes per minute, got {raw!r}") from None
    if new_voters_per_hour is None and environ.get("VERDICT_NEW_VOTERS_PER_HOUR", "").strip():
        raw = environ["VERDICT_NEW_VOTERS_PER_HOUR"].strip()
        try:
            new_voters_per_hour = int(raw)
        except ValueError:
            raise StartupError(f"VERDICT_NEW_VOTERS_PER_HOUR must be a whole number, got {raw!r}") from None
    if trusted_proxies is None:
        trusted_proxies = _split(environ.get("VERDICT_TRUSTED_PROXIES", ""), ",")
    if not sites:
        allow_origins = tuple(normalise_origin(origin) for origin in allow_origins)
        hashes = _split(environ.get("VERDICT_ADMIN_KEY_HASHES", ""), ",")
        sites = (single_site(bundles, allow_origins, hashes),)
    if access_log is None:
        access_log = environ.get("VERDICT_ACCESS_LOG", "on").strip().lower() not in ("off", "0", "false", "no")
    return Settings(
        bundles=bundles,
        database_url=database_url or environ.get("VERDICT_DATABASE_URL") or DEFAULT_DATABASE_URL,
        allow_origins=allow_origins,
        secret=secret if secret is not None else (environ.get("VERDICT_SECRET") or None),
        rate_limit=DEFAULT_RATE_LIMIT if rate_limit is None else rate_limit,
        new_voters_per_hour=new_voters_per_hour,
        trusted_proxies=trusted_proxies,
        access_log=access_log,
        widget_url=widget_url or environ.get("VERDICT_WIDGET_URL") or None,
        oembed_endpoints=(
            oembed_endpoints
            if oembed_endpoints is not None
            else _split(environ.get("VERDICT_OEMBED_ENDPOINTS", ""), ",")
        ),
        sites=sites,
    )
