"""The build's cached steps, written once.

Each step (the engine's wheel, the ABI check, slim the core, precompile, trim,
blank) is slow and deterministic, so its output is kept in
``.cache/<step>/<key>``, where the key hashes exactly what the step reads: its
input files (names and bytes), its own code, and the versions of tools it runs.

One clean-up behaviour for all: a step runs in a fresh temporary folder inside
``.cache`` and is renamed into place only when it finished, with a ``.done``
marker listing its inputs, so an interrupted build never leaves a half-made step
that a later build would trust; a failed step leaves nothing. A staging folder
left by a killed build is removed by the next run of its step, and each step
keeps its few most recently used results, so the cache does not grow with every
change of the engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .paths import CACHE

KEY_LENGTH = 12
DONE = ".done"
# Results kept per step: the current one and a few before it (a branch switched back, a plain-runtime build).
KEEP = 4
# A staging folder this old belongs to a build that was killed, not to one still running.
STALE_STAGING_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Run:
    """A cached step a build asked for: `made` now, or reused from the cache."""

    step: str
    key: str
    made: bool


# Every cached step this process asked for, in order (what a test checks to see which steps ran).
RUNS: list[Run] = []


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
        os.utime(folder / DONE)  # most recently used: kept by the clean-up
        RUNS.append(Run(step, folder.name, made=False))
        return folder
    print(doing, flush=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(step)
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
    RUNS.append(Run(step, folder.name, made=True))
    _keep_recent(step)
    return folder


def _remove_stale_staging(step: str) -> None:
    """Staging folders of `step` left by a build that was killed (old enough that no running build owns them)."""
    for staging in CACHE.glob(f".{step}-*"):
        if time.time() - staging.stat().st_mtime > STALE_STAGING_SECONDS:
            shutil.rmtree(staging, ignore_errors=True)


def _keep_recent(step: str) -> None:
    """Only the KEEP most recently used results of `step` stay in the cache."""
    finished = sorted((CACHE / step).glob(f"*/{DONE}"), key=lambda done: done.stat().st_mtime, reverse=True)
    for done in finished[KEEP:]:
        shutil.rmtree(done.parent, ignore_errors=True)


def ran(step: str) -> set[str]:
    """The keys of every finished run of `step` in the cache (for checking that a build reused one)."""
    return {p.parent.name for p in (CACHE / step).glob(f"*/{DONE}")}
