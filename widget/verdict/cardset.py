"""The cards mounted on this page, and what each shows: the bundle's card with the endpoint's tallies,
this device's choice in place of its counted one, and the current notice of its vote key.

Several cards may show one vote key (the same comparison and endpoint): a change re-renders them
all, and a notice is announced on the card the reader used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .card import Card
from .notices import Notice, queued_notice
from .outbox import Device
from .render import CardState, VoteState, render_card
from .tallies import Tallies


class CardSet:
    def __init__(self, post: Callable[[str], None], device: Device, tallies: Tallies, clock: Callable[[], float]):
        self._post = post
        self._device = device
        self._tallies = tallies
        self._clock = clock
        self.cards: dict[str, Card] = {}
        self.notices: dict[str, Notice] = {}
        self.voted_from: dict[str, str] = {}  # the card a choice was made on

    def send(self, type_: str, **fields: Any) -> None:
        self._post(json.dumps({"type": type_, **fields}))

    def render(self, card: Card) -> None:
        if card.id in self.cards:
            state = (
                self._state(card, card.vote_key) if card.vote_key else CardState(now=self._clock(), closed=card.closed)
            )
            self.send("html", card=card.id, html=render_card(card.index, card.comparison, card.options, state))

    def render_key(self, key: str) -> None:
        for card in self.cards_of(key):
            self.render(card)

    def cards_of(self, key: str) -> list[Card]:
        return [card for card in self.cards.values() if card.vote_key == key]

    def card_for(self, key: str) -> Card | None:
        """The card the reader chose on, else any card of ``key``."""
        voted_from = self.cards.get(self.voted_from.get(key, ""))
        if voted_from is not None and voted_from.vote_key == key:
            return voted_from
        return next(iter(self.cards_of(key)), None)

    def tell(self, key: str, notice: Notice | None) -> None:
        """Change what the cards of ``key`` say, and announce it on the one the reader used."""
        if notice is None:
            self.notices.pop(key, None)
        else:
            self.notices[key] = notice
        self.render_key(key)
        card = self.card_for(key)
        if card is not None and notice is not None:
            self.send("announce", card=card.id, text=card.say(notice))

    def _state(self, card: Card, key: str) -> CardState:
        """The endpoint's tallies with the reader's pending choice in place of their counted one."""
        record = self._device.votes.get(key)
        pending = record is not None and record.pending
        heard = self._tallies.known
        tallies = dict(heard.get(key, {}))
        if record is not None and pending and key in heard and record.tool != record.counted:
            if record.counted:
                tallies[record.counted] = max(0, tallies.get(record.counted, 0) - 1)
            if record.tool:
                tallies[record.tool] = tallies.get(record.tool, 0) + 1
        notice = self.notices.get(key)
        if notice is None and record is not None and pending:
            notice = queued_notice(record)
        return CardState(
            tallies,
            voted=record is not None and record.voted,
            now=self._clock(),
            closed=card.closed,
            vote=VoteState(
                mine=record.tool if record else None,
                busy=bool(notice and notice.busy),
                message=card.say(notice) if notice else "",
                error=bool(notice and notice.error),
                pending=pending,
            ),
        )
