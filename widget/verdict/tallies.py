"""The endpoint's live tallies, and why they could not be read: down, or refusing this page (CORS).

A browser hides why a cross-origin request failed; ``reach`` tells the two cases apart with two
probes, so the card can say "unavailable right now" or "this site is not allowed", and the
publisher reads in the console the one setting that fixes the second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .outbox import vote_key
from .transport import PROBE_TIMEOUT, REQUEST_TIMEOUT, Http


def parse_tallies(raw: Any) -> dict[str, int] | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("tallies"), dict):
        return None
    try:
        return {str(k): int(v) for k, v in raw["tallies"].items()}
    except (TypeError, ValueError):
        return None


class Reach:
    ALLOWED = "allowed"  # the endpoint answers this page
    REFUSED = "refused"  # it answers, but not to this page's origin (CORS)
    DOWN = "down"  # no answer at all


class Tallies:
    """Each vote key's tallies as last heard from its endpoint (a GET, or a vote's answer)."""

    def __init__(self, http: Http, log: Callable[[str, str], None], origin: str):
        self._http = http
        self._log = log
        self._origin = origin
        self.known: dict[str, dict[str, int]] = {}
        self._answers: dict[str, int] = {}  # vote answers per key, so an older GET never wins
        self._origin_logged: set[str] = set()

    def heard(self, key: str, tallies: dict[str, int]) -> None:
        """The tallies in a vote's answer: newer than any GET still under way."""
        self.known[key] = tallies
        self._answers[key] = self._answers.get(key, 0) + 1

    async def refresh(self, endpoint: str, comparison_id: str) -> str | None:
        """Fetch the key's tallies; None when heard, else why not (a Reach)."""
        key = vote_key(endpoint, comparison_id)
        answers = self._answers.get(key, 0)
        result = await self.fetch(endpoint, comparison_id)
        if not isinstance(result, dict):
            return result
        if self._answers.get(key, 0) == answers:  # no vote's answer (newer) came meanwhile
            self.known[key] = result
        return None

    async def fetch(self, endpoint: str, comparison_id: str) -> dict[str, int] | str:
        """Fresh tallies, or why not (a Reach)."""
        try:
            # Tallies are publicly cacheable for a few seconds (for CDNs), but a reader
            # reloading right after voting must see their own vote.
            status, body, _ = await asyncio.wait_for(
                self._http("GET", f"{endpoint}/v1/tallies/{comparison_id}", revalidate=True), REQUEST_TIMEOUT
            )
        except TimeoutError:
            return Reach.DOWN
        except OSError:
            return await self.reach(endpoint)
        tallies = parse_tallies(body) if status == 200 else None
        return Reach.DOWN if tallies is None else tallies

    async def reach(self, endpoint: str) -> str:
        """After a request got no readable answer: is the endpoint down, or refusing this page's origin?"""
        try:
            await asyncio.wait_for(self._http("GET", f"{endpoint}/healthz", revalidate=True), PROBE_TIMEOUT)
            return Reach.ALLOWED
        except (TimeoutError, OSError):
            pass
        try:
            # An opaque answer: the server is up, and only CORS kept its answers from us.
            await asyncio.wait_for(self._http("GET", f"{endpoint}/healthz", mode="no-cors"), PROBE_TIMEOUT)
        except (TimeoutError, OSError):
            return Reach.DOWN
        self._log_origin_refused(endpoint)
        return Reach.REFUSED

    def _log_origin_refused(self, endpoint: str) -> None:
        if endpoint in self._origin_logged:
            return
        self._origin_logged.add(endpoint)
        origin = self._origin or "this page's origin"
        self._log(
            "error",
            f"Verdict: the vote server {endpoint} answers, but does not accept requests from this page's "
            f"origin {origin} (CORS), so votes cannot be sent from here. Allow it on the endpoint: "
            f"--allow-origin {origin} (or add it to VERDICT_ALLOW_ORIGINS).",
        )
