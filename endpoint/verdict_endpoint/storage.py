"""Where votes live: the interface every backend implements, and the URL that picks one.

Only SQLite exists today; a PostgreSQL backend (for several endpoint processes
behind a load balancer) implements the same protocol and is chosen by its URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from .errors import StartupError


class Storage(Protocol):
    """Durable votes: one per (comparison, voter hash). Every write is committed before it returns.

    Tallies map tool id -> votes and may omit tools without votes.
    """

    async def cast(self, comparison: str, tool: str, voter_hash: str) -> dict[str, int]:
        """Record (or change) this voter's vote; return the comparison's tallies after it."""
        ...

    async def withdraw(self, comparison: str, voter_hash: str) -> dict[str, int]:
        """Remove this voter's vote if any; return the tallies after it."""
        ...

    async def tallies(self, comparison: str) -> dict[str, int]: ...

    async def ping(self) -> None:
        """Raise if the database cannot be reached."""
        ...

    async def close(self) -> None: ...


SQLITE_PREFIX = "sqlite:///"


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


def check_database_url(database_url: str) -> Path:
    """Refuse, before anything else starts, a URL no backend here can serve."""
    path = sqlite_path(database_url)
    if path is None:
        scheme = database_url.partition(":")[0] if ":" in database_url else database_url
        raise StartupError(  # only the scheme: the rest may hold a password
            f"unsupported database URL scheme {scheme!r}: only SQLite (sqlite:///path/to/votes.db) is supported for now"
        )
    return path


def open_storage(database_url: str) -> Storage:
    """Open (creating if needed) the database the URL names."""
    from .sqlite_store import SQLiteStorage

    return SQLiteStorage.open(check_database_url(database_url))
