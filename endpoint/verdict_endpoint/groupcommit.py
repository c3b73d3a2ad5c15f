"""Group commit: votes that arrive together share one transaction and one disk flush.

A flush to disk costs the same for one vote as for a hundred, so committing
each vote on its own caps throughput at the disk's flush rate. Here every
vote joins a queue; a writer takes everything queued, commits it as one
batch, and only then answers each caller. While a batch commits the next one
gathers, so the batch size follows the load with no timer and no added wait
when the endpoint is idle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

MAX_BATCH = 512


class GroupCommit(Generic[In, Out]):
    """Runs ``commit(batch) -> one result per item`` for queued items, ``writers`` batches at a time.

    If ``commit`` raises, every caller of that batch gets the exception: the
    batch is one transaction, so none of it was saved.
    """

    def __init__(
        self,
        commit: Callable[[Sequence[In]], Awaitable[Sequence[Out]]],
        *,
        writers: int = 1,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._commit = commit
        self._writers = writers
        self._max_batch = max_batch
        self._queue: list[tuple[In, asyncio.Future[Out]]] = []
        self._running: set[asyncio.Task[None]] = set()
        self._closed = False

    async def submit(self, item: In) -> Out:
        if self._closed:
            raise RuntimeError("the vote store is closing")
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        # Marks a failure as seen even when the caller has gone away meanwhile.
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._queue.append((item, future))
        self._start_writers()
        # shield: a client that disconnects must not cancel a batch other callers share.
        return await asyncio.shield(future)

    def _unfinished(self) -> list[asyncio.Task[None]]:
        """The writers still running: a finished one leaves ``_running`` a loop turn later (its done callback).

        Counting it as running would leave a vote queued just then with no
        writer, and the caller waiting for good; gathering it in ``drain``
        would return at once, without yielding, and spin forever.
        """
        return [task for task in self._running if not task.done()]

    def _start_writers(self) -> None:
        while self._queue and len(self._unfinished()) < self._writers:
            task = asyncio.get_running_loop().create_task(self._write())
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _write(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            try:
                results = await self._commit([item for item, _ in batch])
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def drain(self) -> None:
        """Refuse new items and wait until every submitted one is committed (graceful shutdown)."""
        self._closed = True
        while unfinished := self._unfinished():
            await asyncio.gather(*unfinished, return_exceptions=True)
