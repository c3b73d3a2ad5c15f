"""Content hashes for dist/'s names and integrity values: a file's name changes with its bytes."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

HASH_LENGTH = 12


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sri(data: bytes) -> str:
    """Subresource Integrity value (sha384), as browsers check it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def tree_hash(files: list[Path]) -> str:
    h = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.name):
        h.update(file.name.encode() + b"\0" + sha256(file.read_bytes()).encode())
    return h.hexdigest()[:HASH_LENGTH]
