"""The vote rules, apart from HTTP: known ids only, one vote per voter, the later choice wins, every tool tallied."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC

from .catalog import Catalog
from .coalesce import SingleFlight
from .errors import ApiError
from .health import WriteHealth
from .keys import Hasher
from .schemas import Superseded, Tallies, VoteIn, VoteResult, WithdrawIn
from .storage import Change, Storage, StoreError, Written

CLOSED = 403
"""The answer to a vote or withdrawal on a comparison whose ``closes_at`` has passed: final, not to retry."""
CHOSEN_AT_SKEW_MS = 60_000
"""How far ahead of the endpoint's clock a device's clock may run before its ``chosen_at`` is clamped."""


def clamp_chosen_at(chosen_at: int | None, now_ms: int) -> int | None:
    """A ``chosen_at`` no later than the endpoint's clock plus the skew: beyond it, the endpoint's own time.

    A choice stamped in the future would freeze the voter's vote until then:
    every later choice of theirs would look older and get 409. Whoever holds a
    reader's token could lock them out that way; clamped, a reader's next
    choice made more than the skew after the forged one lands.
    """
    if chosen_at is None or chosen_at <= now_ms + CHOSEN_AT_SKEW_MS:
        return chosen_at
    return now_ms


class VoteService:
    def __init__(
        self, catalog: Catalog, storage: Storage, hasher: Hasher, clock: Callable[[], float] = time.time
    ) -> None:
        self.catalog = catalog
        self.storage = storage
        self.hasher = hasher
        self.health = WriteHealth(storage)
        self._reads: SingleFlight[dict[str, int]] = SingleFlight()
        self._clock = clock

    async def _write(self, change: Change) -> Written:
        """The store's write, its outcome told to the health check."""
        try:
            written = await self.storage.write(change)
        except StoreError as error:
            self.health.failed(error)
            raise
        self.health.succeeded()
        return written

    def _chosen_at(self, chosen_at: int | None) -> int | None:
        return clamp_chosen_at(chosen_at, int(self._clock() * 1000))

    def _tools(self, comparison: str, status: int) -> tuple[str, ...]:
        tools = self.catalog.tools(comparison)
        if tools is None:
            raise ApiError(status, f"unknown comparison {comparison!r}")
        return tools

    def _open(self, comparison: str) -> None:
        """Refuse a change to a closed comparison: its results are final."""
        closes_at = self.catalog.closes_at(comparison)
        if closes_at is None or self._clock() < closes_at.timestamp():
            return
        when = closes_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        raise ApiError(
            CLOSED,
            f"comparison {comparison!r} closed at {when}: votes and withdrawals are no longer accepted",
            fields={"closed_at": when},
        )

    @staticmethod
    def _tallies(comparison: str, tools: tuple[str, ...], counts: Mapping[str, int]) -> Tallies:
        """Every tool, in order, 0 when it has no votes; votes for tools no longer listed are left out."""
        tallies = {tool: counts.get(tool, 0) for tool in tools}
        return Tallies(comparison=comparison, tallies=tallies, total=sum(tallies.values()))

    async def cast(self, vote: VoteIn, address_hash: str) -> VoteResult:
        """The tallies and the voter's vote after this one; a ``Superseded`` when a newer choice was already stored."""
        # An id in the body that names nothing is a bad body (422), not a missing resource.
        tools = self._tools(vote.comparison, 422)
        if vote.tool not in tools:
            raise ApiError(
                422, f"tool {vote.tool!r} is not in comparison {vote.comparison!r} (its tools: {', '.join(tools)})"
            )
        self._open(vote.comparison)
        voter = self.hasher.voter(vote.voter)
        change = Change(vote.comparison, voter, vote.tool, address_hash, self._chosen_at(vote.chosen_at))
        return self._result(vote.comparison, tools, await self._write(change))

    async def withdraw(self, withdrawal: WithdrawIn, address_hash: str) -> VoteResult:
        """As ``cast``, for a withdrawal (``vote`` null unless a newer vote was already stored)."""
        tools = self._tools(withdrawal.comparison, 422)
        self._open(withdrawal.comparison)
        voter = self.hasher.voter(withdrawal.voter)
        change = Change(withdrawal.comparison, voter, None, address_hash, self._chosen_at(withdrawal.chosen_at))
        return self._result(withdrawal.comparison, tools, await self._write(change))

    def _result(self, comparison: str, tools: tuple[str, ...], written: Written) -> VoteResult:
        tallies = self._tallies(comparison, tools, written.tallies).model_dump()
        if not written.stale:
            return VoteResult(**tallies, vote=written.vote)
        # The client learns where the vote stands: a widget shows the newer choice made in another tab.
        return Superseded(
            **tallies,
            vote=written.vote,
            error=f"not applied: a newer choice of this voter on comparison {comparison!r} is already recorded "
            "(its chosen_at is later); the tallies and vote here are the current ones",
        )

    async def tallies(self, comparison: str) -> Tallies:
        tools = self._tools(comparison, 404)
        counts = await self._reads.run(comparison, lambda: self.storage.tallies(comparison))
        return self._tallies(comparison, tools, counts)
