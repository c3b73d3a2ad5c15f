"""Per-client rate limit: a sliding-window log in memory, keyed by hashed address.

In memory because a limit only has to hold for a while, and losing it on restart
is harmless. Memory is bounded: refused requests are not recorded, each key keeps
at most ``limit`` times, and the least recently seen keys are dropped first.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def client_key(host: str) -> str:
    """What one client is: an IPv4 address, or an IPv6 /64 (a single host often holds a whole /64)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass(frozen=True)
class ClientLevels:
    """A client and the networks it belongs to, widest first: (/48, /56, /64) for IPv6.

    One person can hold a whole /48 (tunnel brokers hand them out free): 65,536
    /64s, each of which a per-/64 limit would treat as a stranger. IPv4
    addresses are scarce and shared (NAT), so an IPv4 client is limited by its
    address alone; its /16 and /24 are kept for detection only.
    """

    networks: tuple[str, str, str]
    ipv6: bool = False


IPV6_LEVELS = (48, 56, 64)
IPV4_LEVELS = (16, 24, 32)


def client_levels(host: str) -> ClientLevels:
    """The networks of a client address; anything not an address is one client of its own."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ClientLevels((host, host, host))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address):
        nets = [str(ipaddress.IPv6Network((address, bits), strict=False)) for bits in IPV6_LEVELS]
        return ClientLevels((nets[0], nets[1], nets[2]), ipv6=True)
    nets = [str(ipaddress.IPv4Network((address, bits), strict=False)) for bits in IPV4_LEVELS[:2]]
    return ClientLevels((nets[0], nets[1], str(address)))


class SlidingWindowLimiter:
    """At most ``limit`` events per ``window`` seconds for each key."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._log: dict[str, deque[float]] = {}  # insertion order: least recently seen first

    def hit(self, key: str) -> int:
        """Record an event for ``key``: 0 if allowed, else whole seconds to wait (Retry-After)."""
        now = self._clock()
        times = self._log.pop(key, None) or deque()
        self._forget_idle(now)
        self._log[key] = times  # re-inserted: now the most recently seen
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return max(1, math.ceil(times[0] + self.window - now))
        times.append(now)
        return 0

    def _forget_idle(self, now: float) -> None:
        """Drop keys idle for a whole window, and the least recently seen beyond ``max_keys``."""
        while self._log:
            key = next(iter(self._log))
            times = self._log[key]
            if len(self._log) >= self.max_keys or not times or times[-1] <= now - self.window:
                del self._log[key]
            else:
                break


class NewVoterLimiter:
    """At most ``cap`` distinct voter hashes per key per ``window`` (an hour): new tokens, not requests.

    A script that rotates voter tokens needs a new one per vote; a reader
    changing their mind keeps theirs. So the cap counts tokens new to the key
    within the window, and a token already seen passes freely. Memory is
    bounded: each key keeps at most its cap, and the least recently seen keys
    are dropped first beyond ``max_keys``.
    """

    def __init__(
        self, window: float = 3600.0, *, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._seen: dict[str, dict[str, float]] = {}  # key -> voter -> first seen; insertion order: LRU first

    def hit(self, limits: Sequence[tuple[str, int]], voter: str) -> int:
        """Record ``voter`` under every (key, cap): 0 if all allow it, else seconds to wait (nothing recorded)."""
        now = self._clock()
        tables = []
        for key, cap in limits:
            seen = self._seen.pop(key, None) or {}
            self._seen[key] = seen  # re-inserted: now the most recently seen
            for old in [v for v, at in seen.items() if at <= now - self.window]:
                del seen[old]
            if voter not in seen and len(seen) >= cap:
                return max(1, math.ceil(min(seen.values()) + self.window - now))
            tables.append(seen)
        for seen in tables:
            seen.setdefault(voter, now)
        while len(self._seen) > self.max_keys:
            del self._seen[next(iter(self._seen))]
        return 0
