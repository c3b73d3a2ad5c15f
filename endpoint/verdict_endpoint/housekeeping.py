"""What the endpoint tidies while it serves: tombstones of withdrawals, once no request can still need them."""

from __future__ import annotations

import asyncio
import logging
import time

from .storage import TOMBSTONE_RETENTION, Storage, StoreError

PURGE_INTERVAL = 3600.0

logger = logging.getLogger("verdict.endpoint")


async def purge_tombstones_now(storage: Storage, now: float | None = None) -> int:
    """Delete tombstones older than the retention; how many (0 if the database failed, which is logged)."""
    cutoff = int((time.time() if now is None else now) - TOMBSTONE_RETENTION)
    try:
        purged = await storage.purge_tombstones(cutoff)
    except StoreError as error:
        logger.warning("could not purge old withdrawals: %s", error)
        return 0
    if purged:
        logger.info("purged %d withdrawal tombstone(s) older than %d days", purged, TOMBSTONE_RETENTION // 86400)
    return purged


async def purge_tombstones_forever(storage: Storage, interval: float = PURGE_INTERVAL) -> None:
    """At start, then every ``interval`` seconds, until cancelled (at shutdown)."""
    while True:
        await purge_tombstones_now(storage)
        await asyncio.sleep(interval)
