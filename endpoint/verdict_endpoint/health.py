"""Whether the endpoint can take votes: reads answering is not enough, writes must land too.

With a full disk every vote fails while reads (and a read-only ping) go on
working, so a load balancer asking a read-only health check keeps sending
readers to an endpoint that saves nothing. Here each vote's commit reports its
outcome, and ``/healthz`` also tries a tiny write of its own now and then
(more often while writes fail), so it turns 503 while writes fail and back to
200 as soon as one lands.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .storage import Storage, StoreError

PROBE_INTERVAL = 10.0
"""Seconds between write probes while writes succeed."""
logger = logging.getLogger("verdict.endpoint")
RETRY_INTERVAL = 1.0
"""Seconds between write probes while they fail: recovery is seen within a second or so."""


class WriteHealth:
    def __init__(self, storage: Storage, clock: Callable[[], float] = time.monotonic) -> None:
        self.storage = storage
        self._clock = clock
        self._failure: str | None = None
        self._probed = float("-inf")

    def succeeded(self) -> None:
        self._failure = None

    def failed(self, error: StoreError) -> None:
        self._failure = str(error)

    async def check(self) -> str | None:
        """None while votes can be saved; else why not. Reads are checked by the caller (``ping``)."""
        interval = RETRY_INTERVAL if self._failure else PROBE_INTERVAL
        if self._clock() - self._probed >= interval:
            self._probed = self._clock()
            try:
                await self.storage.probe_write()
            except StoreError as error:
                logger.error("health check: votes cannot be saved: %s", error)
                self.failed(error)
            else:
                self.succeeded()
        return self._failure
