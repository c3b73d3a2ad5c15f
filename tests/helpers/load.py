"""A bounded load of votes against one or more endpoints, for crash and scale tests.

Every vote comes from a new voter, so afterwards the tallies say exactly how
many votes were kept: at least every vote that got a 200, at most every vote
sent (none counted twice). Runs in a thread of its own with its own event
loop, so the test can crash things meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from .endpoint import new_voter_token


@dataclass
class Load:
    """The running load's figures so far (safe to read from another thread)."""

    sent: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)
    refused: Counter[int] = field(default_factory=Counter)
    unanswered: int = 0


class VoteLoad:
    """``concurrency`` clients voting until ``stop()``, ``max_votes`` or ``max_seconds``."""

    def __init__(
        self,
        urls: Sequence[str],
        comparison: str,
        tools: Sequence[str],
        *,
        concurrency: int = 16,
        max_votes: int = 3000,
        max_seconds: float = 30.0,
    ) -> None:
        self.urls = list(urls)
        self.comparison = comparison
        self.tools = list(tools)
        self.concurrency = concurrency
        self.max_votes = max_votes
        self.max_seconds = max_seconds
        self.figures = Load()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> VoteLoad:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> Load:
        self._stop.set()
        self._thread.join(self.max_seconds + 30)
        return self.figures

    def wait_for_acknowledged(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while sum(self.figures.acknowledged.values()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"only {sum(self.figures.acknowledged.values())} votes acknowledged in {timeout} s"
                )
            time.sleep(0.01)

    async def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        started = 0

        async def client(number: int) -> None:
            nonlocal started
            url = self.urls[number % len(self.urls)]
            async with httpx.AsyncClient(base_url=url, timeout=5.0) as http:
                while not self._stop.is_set() and started < self.max_votes and time.monotonic() < deadline:
                    tool = self.tools[started % len(self.tools)]
                    started += 1
                    self.figures.sent[tool] += 1
                    body = {"comparison": self.comparison, "tool": tool, "voter": new_voter_token()}
                    try:
                        response = await http.post("/v1/votes", json=body)
                    except httpx.HTTPError:
                        self.figures.unanswered += 1
                        await asyncio.sleep(0.02)
                        continue
                    if response.status_code == 200:
                        self.figures.acknowledged[tool] += 1
                    else:
                        self.figures.refused[response.status_code] += 1
                        await asyncio.sleep(0.02)

        await asyncio.gather(*(client(n) for n in range(self.concurrency)))
