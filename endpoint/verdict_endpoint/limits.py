"""The vote budget of a client, at every network level: requests per minute and new voter tokens per hour.

An IPv6 client is limited on its /64, and also on its /56 and its /48 with
caps that grow with the network (2× and 4×), so rotating through the /64s of
one /48 buys at most 4× one client's budget. An IPv4 client is limited on its
address alone (IPv4 addresses are shared behind NAT; their networks are
shared further still). Only requests that could be votes reach this: the
body is parsed first, so a page posting junk cross-origin spends nothing.

Requests per minute are counted by the store (shared by every process on
PostgreSQL); new voter tokens per hour in this process's memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError
from .keys import Hasher
from .ratelimit import NewVoterLimiter
from .storage import Storage

HASH_LENGTHS = (16, 32, 64)
"""The client hash's prefix that names each level: /48, /56, /64 (keys.Hasher.client)."""
GROWTH = (4, 2, 1)
"""Each level's cap as a multiple of one client's: /48, /56, /64."""
LEVEL_NAMES = ("/48", "/56", "/64")


@dataclass(frozen=True)
class Budget:
    per_minute: int
    """Votes and withdrawals per /64 (or IPv4 address) per minute; 0: no limit."""
    new_voters_per_hour: int
    """New voter tokens per /64 (or IPv4 address) per hour; 0: no limit."""

    def levels(self, ipv6: bool, cap: int) -> list[tuple[int, int, str]]:
        """(hash length, cap, name) of each level a client is limited on."""
        if not cap:
            return []
        if not ipv6:
            return [(HASH_LENGTHS[-1], cap, "address")]
        return [
            (length, cap * growth, name) for length, growth, name in zip(HASH_LENGTHS, GROWTH, LEVEL_NAMES, strict=True)
        ]


class VoteLimits:
    """Refuses (429, with Retry-After) a vote beyond the client's budget at any level."""

    def __init__(self, budget: Budget, storage: Storage, hasher: Hasher) -> None:
        self.budget = budget
        self.storage = storage
        self.hasher = hasher
        self.new_voters = NewVoterLimiter()

    async def check(self, client_hash: str, ipv6: bool, voter_token: str) -> None:
        for length, cap, name in self.budget.levels(ipv6, self.budget.per_minute):
            wait = await self.storage.rate_hit(client_hash[:length], cap)
            if wait:
                raise _refusal(f"too many votes from this {_network(name)}: retry in {wait} s", wait)
        caps = self.budget.levels(ipv6, self.budget.new_voters_per_hour)
        if caps:
            keys = [(client_hash[:length], cap) for length, cap, _ in caps]
            wait = self.new_voters.hit(keys, self.hasher.voter(voter_token))
            if wait:
                raise _refusal(f"too many new voters from this network within an hour: retry in {wait} s", wait)


def _network(name: str) -> str:
    return "address" if name in ("address", "/64") else f"network ({name})"


def _refusal(message: str, wait: int) -> ApiError:
    return ApiError(429, message, headers={"Retry-After": str(wait)})
