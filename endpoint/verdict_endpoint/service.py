"""The vote rules, apart from HTTP: known ids only, one vote per voter, every tool tallied."""

from __future__ import annotations

from collections.abc import Mapping

from .catalog import Catalog
from .errors import ApiError
from .keys import Hasher
from .schemas import Tallies, VoteIn, VoteResult, WithdrawIn
from .storage import Change, Storage


class VoteService:
    def __init__(self, catalog: Catalog, storage: Storage, hasher: Hasher) -> None:
        self.catalog = catalog
        self.storage = storage
        self.hasher = hasher

    def _tools(self, comparison: str, status: int) -> tuple[str, ...]:
        tools = self.catalog.tools(comparison)
        if tools is None:
            raise ApiError(status, f"unknown comparison {comparison!r}")
        return tools

    @staticmethod
    def _tallies(comparison: str, tools: tuple[str, ...], counts: Mapping[str, int]) -> Tallies:
        """Every tool, in order, 0 when it has no votes; votes for tools no longer listed are left out."""
        tallies = {tool: counts.get(tool, 0) for tool in tools}
        return Tallies(comparison=comparison, tallies=tallies, total=sum(tallies.values()))

    async def cast(self, vote: VoteIn, address_hash: str) -> VoteResult:
        # An id in the body that names nothing is a bad body (422), not a missing resource.
        tools = self._tools(vote.comparison, 422)
        if vote.tool not in tools:
            raise ApiError(
                422, f"tool {vote.tool!r} is not in comparison {vote.comparison!r} (its tools: {', '.join(tools)})"
            )
        change = Change(vote.comparison, self.hasher.voter(vote.voter), vote.tool, address_hash)
        counts = await self.storage.write(change)
        return VoteResult(**self._tallies(vote.comparison, tools, counts).model_dump(), vote=vote.tool)

    async def withdraw(self, withdrawal: WithdrawIn, address_hash: str) -> VoteResult:
        tools = self._tools(withdrawal.comparison, 422)
        change = Change(withdrawal.comparison, self.hasher.voter(withdrawal.voter), None, address_hash)
        counts = await self.storage.write(change)
        return VoteResult(**self._tallies(withdrawal.comparison, tools, counts).model_dump(), vote=None)

    async def tallies(self, comparison: str) -> Tallies:
        tools = self._tools(comparison, 404)
        return self._tallies(comparison, tools, await self.storage.tallies(comparison))
