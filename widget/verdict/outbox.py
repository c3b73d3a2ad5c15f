"""The reader's votes as this device knows them, including those not yet delivered.

The engine owns this state; the loader only keeps it in ``localStorage`` (key
``verdict``) as JSON::

    {"voter": "<the token of an earlier version>" | null,
     "tokens": {"<endpoint>": "<random token>"},
     "votes": {"<endpoint>|<comparison>":
               {"tool": "<tool id>" | null, "at": <ms>, "pending": <bool>, "counted": "<tool id>" | null,
                "voted": <bool>}}}

Each endpoint gets a voter token of its own, so no endpoint learns a token it
could use on another (a card may name any endpoint: a pasted frame link, an
oEmbed URL). Earlier versions kept one ``voter`` token for every endpoint: it
stays with one endpoint the reader has voted on (the first to ask for a token),
so that reader keeps their vote there; every other endpoint gets a new token.

One record per endpoint and comparison: the reader's latest choice (``null``
after a withdrawal), when it was made, whether the endpoint has yet to confirm
it (the outbox), and what the endpoint last confirmed (to show the tallies with
the pending choice in place of the counted one, and to roll back to), and
whether the endpoint has ever counted a vote of this reader on it (``voted``:
a card with ``data-results="after-vote"`` keeps showing the figures after a
withdrawal). A later
choice replaces the record, so a queued vote is superseded or cancelled by
construction, and delivering a record twice is harmless: the endpoint treats
the same voter voting again as a change. Each delivery carries the record's
time, and the endpoint refuses a choice older than the one it holds, so a
request that arrives late (abandoned after its timeout) never overwrites a
newer choice.

Several tabs share the storage: records merge by their time (the newer choice
wins; on a tie the delivered one), so no tab ever overwrites a newer entry.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

KEY_SEPARATOR = "|"
FIRST_RETRY = 1.0
"""Seconds before the first retry; each failure doubles it, up to MAX_RETRY."""
MAX_RETRY = 60.0
MAX_RETRY_AFTER = 3600.0
"""A Retry-After beyond this is clamped: the next page view retries anyway."""


def vote_key(endpoint: str, comparison: str) -> str:
    return f"{endpoint}{KEY_SEPARATOR}{comparison}"


def split_key(key: str) -> tuple[str, str]:
    """(endpoint, comparison): the endpoint may hold ``|``, a comparison id never does."""
    endpoint, _, comparison = key.rpartition(KEY_SEPARATOR)
    return endpoint, comparison


@dataclass(frozen=True)
class Choice:
    tool: str | None
    """The reader's latest choice; None after a withdrawal."""
    at: int
    """When it was made (ms since the epoch): orders choices across tabs."""
    pending: bool = False
    """Not yet confirmed by the endpoint: in the outbox."""
    counted: str | None = None
    """What the endpoint last confirmed for this reader."""
    voted: bool = False
    """The endpoint has counted a vote of this reader here at least once: a withdrawal leaves it true."""

    def to_json(self) -> dict[str, Any]:
        return {"tool": self.tool, "at": self.at, "pending": self.pending, "counted": self.counted, "voted": self.voted}

    @classmethod
    def from_json(cls, raw: Any) -> Choice | None:
        """A stored record, or None for anything malformed (storage is not trusted)."""
        if isinstance(raw, str):  # the first format: the confirmed tool only
            return cls(raw, 0, False, raw, True)
        if not isinstance(raw, Mapping):
            return None
        tool, at, pending, counted = raw.get("tool"), raw.get("at"), raw.get("pending"), raw.get("counted")
        if not (tool is None or isinstance(tool, str)) or not (counted is None or isinstance(counted, str)):
            return None
        if not isinstance(at, int) or isinstance(at, bool) or not isinstance(pending, bool):
            return None
        voted = raw.get("voted")
        # Records written before ``voted`` existed: a counted vote is one.
        return cls(tool, at, pending, counted, voted if isinstance(voted, bool) else counted is not None)

    def delivered(self, confirmed: str | None) -> Choice:
        return Choice(confirmed, self.at, False, confirmed, self.voted or confirmed is not None)

    def rolled_back(self) -> Choice:
        """The choice refused: back to what the endpoint has counted."""
        return Choice(self.counted, self.at, False, self.counted, self.voted)


def newer(a: Choice, b: Choice) -> Choice:
    """The record to keep of two for one key: the later choice; on a tie, the delivered one."""
    return a if (a.at, not a.pending) >= (b.at, not b.pending) else b


TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Device:
    voter: str | None = None
    """The one token of an earlier version, until it is given to one endpoint (``token``)."""
    votes: dict[str, Choice] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    """The voter token of each endpoint: never the same for two."""

    @classmethod
    def from_json(cls, raw: Any) -> Device:
        if not isinstance(raw, Mapping):
            return cls()
        voter = raw.get("voter") if isinstance(raw.get("voter"), str) else None
        stored = raw.get("votes")
        votes = {
            str(k): c for k, v in (stored.items() if isinstance(stored, Mapping) else ()) if (c := Choice.from_json(v))
        }
        kept = raw.get("tokens")
        tokens = {
            k: v
            for k, v in (kept.items() if isinstance(kept, Mapping) else ())
            if isinstance(k, str) and isinstance(v, str) and TOKEN.match(v)
        }
        device = cls(voter or None, votes, tokens)
        device._one_endpoint_per_token()
        return device

    def to_json(self) -> dict[str, Any]:
        return {
            "voter": self.voter,
            "tokens": dict(self.tokens),
            "votes": {k: c.to_json() for k, c in self.votes.items()},
        }

    def token(self, endpoint: str, make: Callable[[], str] = new_token) -> str:
        """This endpoint's voter token, made (or taken over from an earlier version's) on first use."""
        if endpoint in self.tokens:
            return self.tokens[endpoint]
        voted_here = any(split_key(key)[0] == endpoint for key in self.votes)
        if self.voter and voted_here:
            # The reader voted here with the one token of an earlier version: keep it here, and only here.
            self.tokens[endpoint], self.voter = self.voter, None
        else:
            self.tokens[endpoint] = make()
        return self.tokens[endpoint]

    def _one_endpoint_per_token(self) -> None:
        """A token on one endpoint only (two tabs may each have given the old one away); the first endpoint keeps it."""
        owners: dict[str, str] = {}
        for endpoint in sorted(self.tokens):
            token = self.tokens[endpoint]
            if token in owners:
                del self.tokens[endpoint]  # a new one is made when this endpoint next needs it
            else:
                owners[token] = endpoint
        if self.voter in owners:
            self.voter = None  # already given to an endpoint

    def merge(self, other: Device) -> set[str]:
        """Take what ``other`` (another tab's copy) knows that is newer; the keys that changed here."""
        changed: set[str] = set()
        if other.voter and other.voter != self.voter:
            # Two tabs that each made a token before seeing the other's settle on the same one.
            self.voter = min(other.voter, self.voter) if self.voter else other.voter
        for endpoint, token in other.tokens.items():
            held = self.tokens.get(endpoint)
            # Two tabs that each made a token for an endpoint before seeing the other's settle on one.
            self.tokens[endpoint] = min(token, held) if held else token
        self._one_endpoint_per_token()
        for key, theirs in other.votes.items():
            mine = self.votes.get(key)
            kept = theirs if mine is None else newer(mine, theirs)
            if mine is not None and (mine.voted or theirs.voted) and not kept.voted:
                kept = replace(kept, voted=True)  # having voted is never forgotten
            if kept != mine:
                self.votes[key] = kept
                changed.add(key)
        return changed

    def pending(self, endpoint: str) -> list[tuple[str, Choice]]:
        """The outbox of one endpoint, oldest choice first."""
        queued = [(k, c) for k, c in self.votes.items() if c.pending and split_key(k)[0] == endpoint]
        return sorted(queued, key=lambda item: item[1].at)

    def choose(self, key: str, tool: str | None, now: int) -> Choice:
        """Record a new choice, queued; it supersedes any queued one for the same key."""
        current = self.votes.get(key)
        counted = current.counted if current else None
        at = max(now, current.at + 1) if current else now
        self.votes[key] = choice = Choice(tool, at, True, counted, bool(current and current.voted))
        return choice

    def take(self, key: str, tool: str | None, at: int) -> Choice | None:
        """A choice the reader made at ``at``, before the engine was up (a click the loader kept): queued,
        unless the device already holds it or a later choice, so taking it twice changes nothing."""
        current = self.votes.get(key)
        if current is not None and (current.at >= at or current.tool == tool):
            return None
        if current is None and tool is None:
            return None  # withdrawing a vote this device never made
        counted = current.counted if current else None
        self.votes[key] = choice = Choice(tool, at, True, counted, bool(current and current.voted))
        return choice

    def settle(self, key: str, sent: Choice, confirmed: str | None) -> bool:
        """The endpoint confirmed ``sent``; True if that was still the reader's latest choice."""
        current = self.votes.get(key)
        if current is None or current.at == sent.at:
            self.votes[key] = sent.delivered(confirmed)
            return True
        # A newer choice is still queued.
        self.votes[key] = replace(current, counted=confirmed, voted=current.voted or confirmed is not None)
        return False

    def refuse(self, key: str, sent: Choice) -> bool:
        """The endpoint refused ``sent`` for good; True if it was the latest choice (now rolled back)."""
        current = self.votes.get(key)
        if current is None or current.at != sent.at:
            return False
        self.votes[key] = current.rolled_back()
        return True


# -- delivery ----------------------------------------------------------------
RETRYABLE_STATUSES = frozenset({408, 429})


def retryable(status: int) -> bool:
    """Whether sending again may succeed: no answer (0), a timeout, too many requests, a server error."""
    return status == 0 or status in RETRYABLE_STATUSES or status >= 500


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a Retry-After header in its delay form (dates are rare here and ignored)."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER) if seconds == seconds else None


def retry_delay(
    failures: int,
    after: float | None = None,
    first: float = FIRST_RETRY,
    cap: float = MAX_RETRY,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with ±20% jitter (tabs and readers do not retry in step), never before Retry-After."""
    backoff: float = min(cap, first * 2.0 ** max(failures - 1, 0)) * (0.8 + 0.4 * jitter())
    return max(backoff, after or 0.0)
