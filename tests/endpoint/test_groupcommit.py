"""Group commit at the edge of a writer's life: the loop turn between its end and its leaving the set.

A writer that has just finished is still in the set of running writers until
its done callback runs, a loop turn later. A vote arriving in that turn must
still get a writer, and a shutdown beginning in it must still end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from tests.helpers.aio import run_in_thread
from verdict_endpoint.groupcommit import GroupCommit


async def commit_at_once(items: Sequence[str]) -> list[str]:
    """A commit that needs no wait (as a fast disk's): the writer finishes in the turn it starts."""
    return [f"saved {item}" for item in items]


async def a_writer_that_has_just_finished() -> tuple[GroupCommit[str, str], asyncio.Future[str]]:
    """A group whose only writer committed its vote and ended in this very loop turn."""
    group: GroupCommit[str, str] = GroupCommit(commit_at_once)
    first = asyncio.ensure_future(group.submit("first"))
    await asyncio.sleep(0)  # the vote is queued; a writer is scheduled
    await asyncio.sleep(0)  # the writer commits it and ends, before this turn is over
    (writer,) = group._running
    assert writer.done(), "the writer ended and still counts as running: the case under test"
    return group, first


def test_a_vote_arriving_as_the_writer_ends_is_committed_all_the_same() -> None:
    async def scenario() -> None:
        group, first = await a_writer_that_has_just_finished()
        assert await asyncio.wait_for(group.submit("second"), 5) == "saved second", "no writer took it"
        assert await first == "saved first"

    run_in_thread(scenario(), timeout=10)


def test_a_shutdown_beginning_as_the_writer_ends_finishes() -> None:
    async def scenario() -> None:
        group, first = await a_writer_that_has_just_finished()
        await group.drain()
        assert await first == "saved first"

    run_in_thread(scenario(), timeout=5)
