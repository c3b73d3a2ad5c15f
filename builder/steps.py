"""The runtime pipeline's cached steps, written once.

Each step (slim the core, precompile, trim, blank) is slow and deterministic, so
its output is kept in ``.cache/<step>/<key>``, where the key hashes exactly what
the step reads: its input files (names and bytes), its own code, and the
versions of tools it runs. A step runs in a fresh temporary folder inside
``.cache`` and is renamed into place only when it finished, with a ``.done``
marker listing its inputs, so an interrupted build never leaves a half-made
step that a later build would trust.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .paths import CACHE

KEY_LENGTH = 12
DONE = ".done"


def key(files: Sequence[Path], *extra: str) -> str:
    """The hash of `files` (each name and content, in the order given) and of `extra` strings."""
    h = hashlib.sha256()
    for file in files:
        h.update(file.name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    for text in extra:
        h.update(b"\1" + text.encode())
    return h.hexdigest()[:KEY_LENGTH]


def cached(
    step: str, inputs: Sequence[Path], make: Callable[[Path], None], *, doing: str, extra: Sequence[str] = ()
) -> Path:
    """The folder of `step` for these inputs, made by `make(folder)` (announced as `doing`) unless it already is."""
    folder = CACHE / step / key(inputs, *extra)
    if (folder / DONE).exists():
        return folder
    print(doing, flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=CACHE, prefix=f".{step}-"))
    try:
        make(staging)
        (staging / DONE).write_text(
            json.dumps({"step": step, "inputs": [f.name for f in inputs], "extra": list(extra)})
        )
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def ran(step: str) -> set[str]:
    """The keys of every finished run of `step` in the cache (for checking that a build reused one)."""
    return {p.parent.name for p in (CACHE / step).glob(f"*/{DONE}")}
