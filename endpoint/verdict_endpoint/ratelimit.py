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
from collections.abc import Callable


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
