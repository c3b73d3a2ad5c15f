"""Salted hashes: voter tokens and client addresses are never kept in the clear.

Both are keyed HMAC-SHA256 with the server secret, so a leaked database cannot be
matched against tokens or addresses without the secret too. The secret must stay
the same across restarts, or returning voters would count again: when none is
configured it is generated once and kept in ``secret.key`` beside the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .errors import StartupError
from .ratelimit import ClientLevels
from .settings import MIN_SECRET_LENGTH

SECRET_FILE = "secret.key"


def load_or_create_secret(directory: Path) -> str:
    """The secret kept in ``directory/secret.key`` (mode 0600), created on first use.

    It is written to a temporary file and linked into place, so two processes
    starting together agree on one secret and a crash never leaves half a key.
    """
    path = directory / SECRET_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(32) + "\n")
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    try:
        secret = path.read_text().strip()
    except OSError as error:
        raise StartupError(f"cannot read the secret in {path} ({error.strerror or error})") from None
    if len(secret) < MIN_SECRET_LENGTH:
        raise StartupError(f"the secret in {path} is too short or empty; set VERDICT_SECRET or remove the file")
    return secret


class Hasher:
    """Keyed hashes, one domain per kind of value so a voter hash never equals an address hash."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _hash(self, domain: bytes, value: str) -> str:
        return hmac.new(self._key, domain + b"\0" + value.encode(), hashlib.sha256).hexdigest()

    def voter(self, token: str) -> str:
        return self._hash(b"voter", token)

    def address(self, address: str) -> str:
        return self._hash(b"address", address)

    def client(self, levels: ClientLevels) -> str:
        """The hash of a client, 64 hex digits that nest: 16 name its widest network, 32 its middle one.

        The first 16 digits are the keyed hash of the /48 (IPv4: the /16), the
        next 16 of the /56 (IPv4: the /24), the last 32 of the /64 (IPv4: the
        address). So every vote row keeps its networks too: ``suspicious``
        groups and ``void`` removes by any of the three, by the prefix of the
        hash, with no address ever stored.
        """
        wide, middle, own = levels.networks
        return (
            self._hash(b"client-wide", wide)[:16]
            + self._hash(b"client-middle", middle)[:16]
            + self._hash(b"client", own)[:32]
        )

    def sign(self, domain: str, value: str) -> str:
        """A keyed signature of ``value`` in its own domain (the results page's sessions)."""
        return self._hash(domain.encode(), value)
