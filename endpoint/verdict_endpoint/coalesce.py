"""Single flight: concurrent requests for the same read share one trip to the database.

A flood of ``GET /v1/tallies/x`` or ``/healthz`` would otherwise queue one
database read (and one worker-thread hop) per request, and the votes' own
reads and commits would wait behind them. Requests that overlap a read in
flight take its answer: nothing is cached, so no answer is older than the
request that asked for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._flying: dict[Hashable, asyncio.Future[T]] = {}

    async def run(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        flying = self._flying.get(key)
        if flying is None:
            flying = asyncio.ensure_future(work())
            self._flying[key] = flying
            flying.add_done_callback(lambda _: self._flying.pop(key, None))
            # Marks a failure as seen even when every caller has gone away meanwhile.
            flying.add_done_callback(lambda done: done.cancelled() or done.exception())
        # shield: a caller that disconnects must not cancel the read the others wait for.
        return await asyncio.shield(flying)
