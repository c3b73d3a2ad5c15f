"""Where votes live: the interface every backend implements, and the URL that picks one.

SQLite (``sqlite:///path``) serves one endpoint process; PostgreSQL
(``postgresql://…``) serves any number of them on one database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .errors import StartupError


@dataclass(frozen=True)
class Change:
    """One voter's new choice on one comparison: a tool, or None to withdraw."""

    comparison: str
    voter: str
    """HMAC of the voter token, never the token."""
    tool: str | None
    address: str
    """HMAC of the client's address (an IPv4 address or IPv6 /64), never the address."""
    chosen_at: int | None = None
    """When the reader made this choice on their device (ms since the epoch); None from clients that do not say.

    A request abandoned by its client may arrive after a newer one: the store
    keeps the time of the choice it holds and ignores an older change, so a
    later choice always supersedes an earlier one whatever their order of arrival.
    """


@dataclass(frozen=True)
class Written:
    """What became of one change, for its answer."""

    tallies: dict[str, int]
    """The comparison's tallies just after the change's transaction."""
    vote: str | None
    """The voter's vote as stored now: the change's own tool, or the newer choice's when ``stale``."""
    stale: bool = False
    """A newer choice of this voter on this comparison was already stored: the change was not applied."""


@dataclass(frozen=True)
class Burst:
    """Many new voter tokens from one hashed address (or network) within one window: a sign of stuffing."""

    address: str
    """The client hash, or its prefix naming a network (16 hex digits: a /48, 32: a /56)."""
    window_start: int
    """Unix seconds."""
    new_voters: int
    """New tokens that hold a vote."""
    comparisons: tuple[str, ...]
    withdrawals: int = 0
    """New tokens that hold only a withdrawal (a tombstone): a withdrawal of a vote never cast here."""


@dataclass(frozen=True)
class Voided:
    """What ``void`` removed: votes per comparison (off the tallies too), and tombstones."""

    votes: dict[str, int]
    withdrawals: int


TOMBSTONE_RETENTION = 7 * 86400
"""Seconds a withdrawal's tombstone is kept (see ``purge_tombstones``)."""


class StoreError(Exception):
    """The database failed a write or a read; nothing of that request was saved."""


class Storage(Protocol):
    """Durable votes: one per (comparison, voter hash). Every write is committed before it returns.

    Tallies map tool id -> votes and may omit tools without votes. A withdrawn
    voter may keep a row without a vote (a tombstone): tallies count only
    votes; bursts and ``void`` see tombstones too (a script may send
    withdrawals of votes it never cast, each a row).
    """

    async def start(self) -> None:
        """Connect (inside the server's event loop)."""
        ...

    async def write(self, change: Change) -> Written:
        """Record, change or withdraw this voter's vote, unless it already holds a newer choice of theirs.

        A withdrawal with a ``chosen_at`` leaves a tombstone (no vote, its
        time), so an older vote arriving later is refused rather than counted
        again. Concurrent calls are committed together (group commit): one transaction,
        one disk flush, every caller answered after it.
        """
        ...

    async def tallies(self, comparison: str) -> dict[str, int]: ...

    async def rate_hit(self, key: str, per_minute: int) -> int:
        """Count one write of ``key`` against ``per_minute``: 0 if allowed, else seconds to wait."""
        ...

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""
        ...

    async def probe_write(self) -> None:
        """Commit a tiny write of no meaning; raise StoreError if it cannot (a full disk, say)."""
        ...

    async def purge_tombstones(self, older_than: int) -> int:
        """Delete tombstones of withdrawals made before ``older_than`` (unix seconds); how many.

        A tombstone only has to outlive a request that was in flight when the
        withdrawal was made: the widget's outbox keeps the latest choice only,
        so it never sends an older one after it. A week is far beyond any request.
        """
        ...

    async def close(self) -> None:
        """Finish the writes already submitted, then close."""
        ...


class OperatorStorage(Protocol):
    """What the operator commands need, apart from serving."""

    async def start(self) -> None: ...

    async def bursts(self, since: int, window: int, min_new_voters: int, prefix: int = 64) -> Sequence[Burst]:
        """Windows with at least ``min_new_voters`` new tokens (votes or tombstones) from one hash prefix."""
        ...

    async def void(self, address: str) -> Voided:
        """Delete every vote and tombstone from this hashed address (or hash prefix: a network)."""
        ...

    async def read(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """Rows of one read-only query: the rollups behind the results page and the exports."""
        ...

    async def change(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """One writing statement in its own transaction: the webhook outbox's claims and deliveries."""
        ...

    async def close(self) -> None: ...


SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")


def sqlite_path(database_url: str) -> Path | None:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL; None for other schemes."""
    if not database_url.lower().startswith("sqlite:"):
        return None
    path = database_url[len(SQLITE_PREFIX) :] if database_url.lower().startswith(SQLITE_PREFIX) else ""
    if not path or path == ":memory:" or "?" in path:
        raise StartupError(
            f"bad SQLite URL {database_url!r}: expected sqlite:///path/to/votes.db (a file, so votes survive restarts)"
        )
    return Path(path)


def describe_sqlite(database_url: str, path: Path) -> str:
    """The file's absolute path, and a hint when ``sqlite:///tmp/x.db`` was probably meant as ``/tmp/x.db``.

    Three slashes make a path relative to the current folder (four make it absolute), a
    rule newcomers rarely know: printing the resolved path shows what was understood.
    """
    where = str(path.absolute())
    if path.is_absolute():
        return where
    written = database_url[len(SQLITE_PREFIX) :]
    top = Path("/") / path.parts[0] if path.parts and not written.startswith(".") else None
    if top is not None and top.is_dir() and not Path(path.parts[0]).exists():
        absolute = SQLITE_PREFIX + "/" + written
        return f"{where} (relative to the current folder; for {Path('/') / path} write {absolute})"
    return where


def is_postgres(database_url: str) -> bool:
    return database_url.partition(":")[0].lower() in POSTGRES_SCHEMES


def check_database_url(database_url: str) -> Path | None:
    """Refuse, before anything else starts, a URL no backend here can serve; the SQLite file if any."""
    path = sqlite_path(database_url)
    if path is None and not is_postgres(database_url):
        scheme = database_url.partition(":")[0] if ":" in database_url else database_url
        raise StartupError(  # only the scheme: the rest may hold a password
            f"unsupported database URL scheme {scheme!r}: use sqlite:///path/to/votes.db "
            "or postgresql://user@host/database"
        )
    return path


class Store(Storage, OperatorStorage, Protocol):
    """Both faces: what a backend class implements."""


def open_storage(database_url: str, *, writers: int | None = None) -> Store:
    """Open (creating or migrating if needed) the database the URL names.

    ``writers``: how many group-commit transactions may be in flight at once
    (the backend's default when None).
    """
    path = check_database_url(database_url)
    if path is not None:
        from .sqlite_store import SQLiteStorage

        return SQLiteStorage.open(path)
    from .pg_store import PostgresStorage

    return PostgresStorage.open(database_url, writers=writers)
