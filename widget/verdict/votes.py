"""The reader's votes: each click chosen on the device at its own time, then handed to the endpoint's courier.

A click may reach the engine twice: kept on the device by the loader before the engine was up
(adopted at a mount, ``adopt_early``) and as the action itself. The device's record stands for
both; the loader drops its copy once the engine has it (``forget``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from .card import Card
from .cardset import CardSet
from .delivery import Delivery
from .notices import Notice
from .outbox import Choice, Device, vote_key
from .render import is_closed
from .rules import SLUG_MAX_LENGTH, SLUG_PATTERN

SLUG = re.compile(SLUG_PATTERN)
"""A comparison or tool id, as the bundle's models take them."""


class Votes:
    def __init__(
        self,
        device: Device,
        cards: CardSet,
        delivery: Delivery,
        *,
        store: Callable[[], None],
        voter: Callable[[str], str],
        clock: Callable[[], float] = time.time,
    ):
        self._device = device
        self._cards = cards
        self._delivery = delivery
        self._store = store
        self._voter = voter
        self._clock = clock

    async def take(self, card: Card, message: dict[str, Any]) -> None:
        """A click on ``card``'s vote control, already shown as taken by the loader."""
        if card.endpoint is None or card.vote_key is None:
            return
        if card.closed or is_closed(card.comparison, self._clock()):
            self.forget(clicked_at_of(message))  # voting has ended: a click kept from before is dropped
            self._cards.render(card)
            return
        key = card.vote_key
        record = self._device.votes.get(key)
        clicked_at = clicked_at_of(message)
        if clicked_at is not None and record is not None and record.at >= clicked_at:
            self.forget(clicked_at)
            await self._taken_already(card, key, record, clicked_at)
            return
        mine = record.tool if record else None
        if message.get("action") == "vote" and message.get("tool") in card.comparison.tools:
            wanted: str | None = message["tool"]
        elif message.get("action") == "withdraw" and mine is not None:
            wanted = None
        else:
            self.forget(clicked_at)
            self._cards.render(card)
            return
        courier = self._delivery.courier(card.endpoint)
        if wanted == mine:
            self.forget(clicked_at)
            self._cards.render(card)
            if record is not None and record.pending:
                await self._delivery.flush(courier)  # the reader insists: try now
            return
        self._voter(card.endpoint)
        # At the click's own time: a later click, still queued behind this one, must not look older.
        choice = self._device.choose(key, wanted, clicked_at or int(self._clock() * 1000))
        self._store()
        self.forget(clicked_at)  # the loader's copy on the device: this engine's record stands for it now
        self._delivery.attempts[(key, choice.at)] = 0
        self._cards.voted_from[key] = card.id
        self._cards.notices[key] = Notice("saving" if wanted else "withdrawing", wanted, busy=True)
        self._cards.render_key(key)  # optimistic: the figures move at once
        await self._delivery.flush(courier)

    def forget(self, clicked_at: int | None) -> None:
        if clicked_at is not None:
            self._cards.send("forget", at=[clicked_at])

    async def _taken_already(self, card: Card, key: str, record: Choice, at: int) -> None:
        """A click the device already holds (adopted at the mount from the loader's copy) or that a later
        choice supersedes: not chosen again; when it is this very click, still on its way, say so."""
        if record.at == at and record.pending and card.endpoint:
            self._cards.voted_from[key] = card.id
            self._cards.notices[key] = Notice("saving" if record.tool else "withdrawing", record.tool, busy=True)
            self._cards.render_key(key)
            await self._delivery.flush(self._delivery.courier(card.endpoint))
        else:
            self._cards.render(card)

    def adopt_early(self, raw: Any, endpoint: str) -> None:
        """Adopt the clicks the loader kept for ``endpoint`` before the engine was up; the loader then drops them."""
        adopted: list[int] = []
        for click in raw if isinstance(raw, list) else ():
            kept = early_click(click)
            if kept is None or kept[0] != endpoint:
                continue
            _, comparison, tool, at = kept
            key = vote_key(endpoint, comparison)
            if self._device.take(key, tool, at) is not None:
                self._delivery.attempts[(key, at)] = 0  # never sent yet: its first delivery is no retry
            adopted.append(at)
        if adopted:
            self._store()
            self._cards.send("forget", at=adopted)


def clicked_at_of(message: Mapping[str, Any]) -> int | None:
    """An action's click time (ms), when it carries a well-formed one."""
    at = message.get("at")
    return at if isinstance(at, int) and not isinstance(at, bool) else None


def early_click(raw: Any) -> tuple[str, str, str | None, int] | None:
    """(endpoint, comparison, tool, at) of a click the loader kept on the device, or None when malformed
    (storage is not trusted: a comparison or tool id the endpoint does not know is refused by it)."""
    if not isinstance(raw, Mapping):
        return None
    endpoint, comparison, tool, at = raw.get("endpoint"), raw.get("comparison"), raw.get("tool"), raw.get("at")
    if not isinstance(endpoint, str) or not endpoint.lower().startswith(("https://", "http://")):
        return None
    if not isinstance(comparison, str) or len(comparison) > SLUG_MAX_LENGTH or not SLUG.fullmatch(comparison):
        return None
    if not (tool is None or (isinstance(tool, str) and len(tool) <= SLUG_MAX_LENGTH and SLUG.fullmatch(tool))):
        return None
    if not isinstance(at, int) or isinstance(at, bool) or at <= 0:
        return None
    return endpoint.rstrip("/"), comparison, tool, at
