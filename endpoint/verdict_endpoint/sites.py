"""Several sites on one endpoint: the configuration file, each site's place in the URL and in the database.

A site is one publisher: its bundles, the origins whose pages may vote, the
admin keys that open its results (kept only as SHA-256 hashes: the keys are
random, so a fast hash is enough) and its webhooks. Each site is served
under ``/sites/ID`` (its widget's endpoint URL is ``https://votes.example/sites/ID``)
and its votes are stored under ``ID/`` before each comparison id, so one
site's routes and keys never reach another's votes. The site whose id is
``default`` is served at the root and stores plain comparison ids: it is the
one-site set-up of ``--bundle``/``--allow-origin``, so moving such an
endpoint to a configuration file keeps its votes and its widgets' URL.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.types import ASGIApp, Receive, Scope, Send

from verdict.rules import SLUG_PATTERN

from .cors import JSONCORSMiddleware
from .errors import StartupError
from .settings import normalise_origin
from .storage import Change, Storage, Written

DEFAULT_SITE = "default"
SITES_PATH = "/sites/"
KEY_HASH_PREFIX = "sha256:"
WEBHOOK_SECRET_PREFIX = "whsec_"
MIN_WEBHOOK_SECRET_BYTES = 24
_KEY_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
_WEBHOOK_URL = re.compile(r"^https?://[^/\s?#]+(/\S*)?$")


def new_admin_key() -> tuple[str, str]:
    """A fresh admin key and the hash to put in the configuration (the key itself is shown once)."""
    key = "vk_" + secrets.token_urlsafe(32)
    return key, hash_admin_key(key)


def hash_admin_key(key: str) -> str:
    return KEY_HASH_PREFIX + hashlib.sha256(key.encode()).hexdigest()


def new_webhook_secret() -> str:
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret: the base64 after the prefix (Standard Webhooks)."""
    return base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX), validate=True)


@dataclass(frozen=True)
class Site:
    """One publisher on this endpoint."""

    id: str
    bundles: tuple[Path, ...]
    allow_origins: tuple[str, ...] = ()
    admin_key_hashes: tuple[str, ...] = ()
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str | None = None

    @property
    def prefix(self) -> str:
        """Where its routes are: the root for the default site, else ``/sites/ID``."""
        return "" if self.id == DEFAULT_SITE else SITES_PATH + self.id

    @property
    def namespace(self) -> str:
        """What its stored comparison ids begin with."""
        return "" if self.id == DEFAULT_SITE else self.id + "/"

    def admits(self, key: str) -> bool:
        """Whether ``key`` is one of this site's admin keys (compared in constant time)."""
        presented = hash_admin_key(key)
        return any(hmac.compare_digest(presented, known) for known in self.admin_key_hashes)


class _SiteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(pattern=f"^{SLUG_PATTERN}$", max_length=60)
    bundles: list[str] = Field(min_length=1)
    allow_origins: list[str] = []
    admin_key_hashes: list[str] = []
    webhook_urls: list[str] = []
    webhook_secret: str | None = None

    @field_validator("admin_key_hashes")
    @classmethod
    def _hashes(cls, value: list[str]) -> list[str]:
        for entry in value:
            if not _KEY_HASH.match(entry):
                raise ValueError(
                    f"{entry[:6]!r}… is not a key hash: expected sha256: and 64 hex digits, as "
                    "`verdict votes new-key` prints (never the key itself)"
                )
        return value

    @field_validator("webhook_urls")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not _WEBHOOK_URL.match(url):
                raise ValueError(f"not a webhook URL: {url!r} (expected http:// or https://)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            key = webhook_key(value) if value.startswith(WEBHOOK_SECRET_PREFIX) else b""
        except binascii.Error:
            key = b""
        if len(key) < MIN_WEBHOOK_SECRET_BYTES:
            raise ValueError(
                f"expected whsec_ and at least {MIN_WEBHOOK_SECRET_BYTES} base64-encoded random bytes "
                "(`verdict votes new-key` prints one)"
            )
        return value


class _SitesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sites: list[_SiteEntry] = Field(min_length=1)


def _where(location: Sequence[int | str]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location).lstrip(".")


def load_sites(path: Path) -> tuple[Site, ...]:
    """The sites of a TOML configuration file; StartupError naming every problem (file, key, reason)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise StartupError(f"{path}: cannot read the sites configuration ({error.strerror or error})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise StartupError(f"{path}: not valid TOML: {error}") from None
    try:
        parsed = _SitesFile.model_validate(raw)
    except ValidationError as error:
        raise StartupError(
            *(f"{path}: {_where(problem['loc'])}: {problem['msg']}" for problem in error.errors())
        ) from None
    problems: list[str] = []
    sites: list[Site] = []
    seen: set[str] = set()
    for index, entry in enumerate(parsed.sites):
        if entry.id in seen:
            problems.append(f"{path}: sites[{index}].id: {entry.id!r} is used by another site")
        seen.add(entry.id)
        if entry.webhook_urls and entry.webhook_secret is None:
            problems.append(f"{path}: sites[{index}]: webhook_urls need a webhook_secret to sign with")
        try:
            origins = tuple(normalise_origin(origin) for origin in entry.allow_origins)
        except StartupError as error:
            problems.extend(f"{path}: sites[{index}].allow_origins: {line}" for line in error.lines)
            continue
        bundles = tuple((path.parent / bundle) for bundle in entry.bundles)
        sites.append(
            Site(
                entry.id,
                bundles,
                origins,
                tuple(entry.admin_key_hashes),
                tuple(entry.webhook_urls),
                entry.webhook_secret,
            )
        )
    if problems:
        raise StartupError(*problems)
    return tuple(sites)


def single_site(bundles: Sequence[Path], allow_origins: Sequence[str], admin_key_hashes: Sequence[str]) -> Site:
    """The one site of an endpoint configured by flags and environment."""
    for entry in admin_key_hashes:
        if not _KEY_HASH.match(entry):
            raise StartupError(
                f"{entry[:6]!r}… is not an admin key hash: expected sha256: and 64 hex digits "
                "(`verdict votes new-key` prints one)"
            )
    return Site(DEFAULT_SITE, tuple(bundles), tuple(allow_origins), tuple(admin_key_hashes))


class SiteStorage:
    """A site's view of the shared store: its comparison ids carry the site's namespace in the database."""

    def __init__(self, storage: Storage, namespace: str) -> None:
        self.storage = storage
        self.namespace = namespace

    async def start(self) -> None:
        """The shared store is started once, by the application."""

    async def write(self, change: Change) -> Written:
        return await self.storage.write(replace(change, comparison=self.namespace + change.comparison))

    async def tallies(self, comparison: str) -> dict[str, int]:
        return await self.storage.tallies(self.namespace + comparison)

    async def rate_hit(self, key: str, per_minute: int) -> int:
        return await self.storage.rate_hit(key, per_minute)

    async def ping(self) -> None:
        await self.storage.ping()

    async def probe_write(self) -> None:
        await self.storage.probe_write()

    async def purge_tombstones(self, older_than: int) -> int:
        """Tombstones are purged for every site at once, by the application's housekeeping."""
        return 0

    async def close(self) -> None:
        """The shared store is closed once, by the application."""


def site_storage(storage: Storage, site: Site) -> Storage:
    """The store itself for the default site (nothing to add), else a namespaced view of it."""
    return storage if not site.namespace else SiteStorage(storage, site.namespace)


class SiteCORS:
    """CORS by site: requests under ``/sites/ID`` answer to that site's origins, the rest to the default site's."""

    def __init__(
        self, app: ASGIApp, sites: Sequence[Site], on_refusal: Any = None, default_origins: Sequence[str] = ()
    ) -> None:
        by_id = {site.id: site for site in sites}
        root = by_id[DEFAULT_SITE].allow_origins if DEFAULT_SITE in by_id else tuple(default_origins)
        self.root = JSONCORSMiddleware(app, allow_origins=root, on_refusal=on_refusal)
        self.by_prefix = {
            site.prefix + "/": JSONCORSMiddleware(app, allow_origins=site.allow_origins, on_refusal=on_refusal)
            for site in sites
            if site.prefix
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if path.startswith(SITES_PATH):
            site_id = path[len(SITES_PATH) :].split("/", 1)[0]
            middleware = self.by_prefix.get(SITES_PATH + site_id + "/")
            if middleware is not None:
                await middleware(scope, receive, send)
                return
        await self.root(scope, receive, send)
