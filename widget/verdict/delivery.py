"""Delivering the device's outbox to each endpoint, and showing every outcome.

A vote is recorded on the device first (outbox.py), then delivered by the endpoint's ``Courier``:
one request at a time, in the order of the reader's choices, retried with backoff while it cannot
be delivered, and again at the next mount of any card using the same endpoint. Each request
carries the choice's time (``chosen_at``), so the endpoint never lets an older choice, arriving
late, overwrite a newer one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .cardset import CardSet
from .notices import Notice, queued_notice
from .outbox import Choice, Device, retry_after, retry_delay, retryable, split_key
from .tallies import Reach, Tallies, parse_tallies
from .transport import REQUEST_TIMEOUT, Http, Reply

SUPERSEDED = 409
"""The endpoint's answer to a choice older than the one it holds for this voter (by ``chosen_at``)."""
CLOSED = 403
"""The endpoint's answer to a vote on a comparison whose ``closes_at`` has passed (its body has ``closed_at``)."""
RETRY_HEADER = "Verdict-Retry"
"""Sent on every delivery but a choice's first, with the attempt number (1 for the first retry)."""


class Courier:
    """Delivers one endpoint's outbox: one request at a time, oldest choice first, retried with backoff."""

    def __init__(self, delivery: Delivery, endpoint: str, first_retry: float):
        self.delivery = delivery
        self.endpoint = endpoint
        self.first_retry = first_retry
        self.failures = 0
        self.next_retry: float | None = None
        """Seconds until the next attempt, while one is scheduled."""
        self._lock = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None

    async def flush(self) -> None:
        async with self._lock:
            self._cancel_timer()
            while entries := self.delivery.device.pending(self.endpoint):
                key, choice = entries[0]
                retry, after = await self.delivery.deliver(key, choice)
                if retry:
                    self.failures += 1
                    self.next_retry = retry_delay(self.failures, after, first=self.first_retry)
                    self._timer = asyncio.get_running_loop().call_later(self.next_retry, self.delivery.flush, self)
                    return
                self.failures = 0

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self.next_retry = None, None


class Delivery:
    """Every endpoint's courier, and what each delivery's answer changes on the device and the cards."""

    def __init__(
        self,
        http: Http,
        device: Device,
        cards: CardSet,
        tallies: Tallies,
        *,
        store: Callable[[], None],
        voter: Callable[[str], str],
        first_retry: float,
    ):
        self._http = http
        self.device = device
        self._cards = cards
        self._tallies = tallies
        self._store = store
        self._voter = voter
        self._first_retry = first_retry
        self.attempts: dict[tuple[str, int], int] = {}  # deliveries tried per choice (key, at)
        self._couriers: dict[str, Courier] = {}
        self.flushing: set[asyncio.Future[None]] = set()
        self._no_marker: set[str] = set()  # endpoints whose CORS does not allow the retry header

    def courier(self, endpoint: str) -> Courier:
        if endpoint not in self._couriers:
            self._couriers[endpoint] = Courier(self, endpoint, self._first_retry)
        return self._couriers[endpoint]

    def flush(self, courier: Courier) -> asyncio.Future[None]:
        task = asyncio.ensure_future(courier.flush())
        self.flushing.add(task)
        task.add_done_callback(self.flushing.discard)
        return task

    async def deliver(self, key: str, choice: Choice) -> tuple[bool, float | None]:
        """Send one queued choice and show the outcome; (retry?, Retry-After seconds)."""
        endpoint, comparison = split_key(key)
        # A choice queued by an earlier page has been tried at least once already.
        attempt = self.attempts.get((key, choice.at), 1)
        self.attempts[(key, choice.at)] = attempt + 1
        # chosen_at: the endpoint refuses (409) a choice older than the one it holds, so a request
        # abandoned after its timeout that arrives late cannot overwrite a newer choice.
        body: dict[str, Any] = {"comparison": comparison, "voter": self._voter(endpoint), "chosen_at": choice.at}
        if choice.tool:
            body["tool"] = choice.tool
        marker = {} if attempt == 0 or endpoint in self._no_marker else {RETRY_HEADER: str(attempt)}
        reply: Reply | None = None
        try:
            reply = await asyncio.wait_for(
                self._http("POST" if choice.tool else "DELETE", f"{endpoint}/v1/votes", body, headers=marker),
                REQUEST_TIMEOUT,
            )
        except TimeoutError:
            pass
        except OSError:
            reach = await self._tallies.reach(endpoint)
            if reach == Reach.REFUSED:
                self._origin_refused(endpoint)
                return False, None
            if reach == Reach.ALLOWED and marker:
                self._no_marker.add(endpoint)  # its CORS preflight refused the header: send without it
        if reply is not None and reply.status == 200:
            self._confirmed(key, choice, reply.body)
            return False, None
        if reply is not None and reply.status == SUPERSEDED and self._superseded(key, choice, reply.body):
            return False, None
        if reply is not None and reply.status == CLOSED and isinstance(reply.body, dict) and "closed_at" in reply.body:
            # This device's clock ran behind the endpoint's: the vote has closed, the card says so now.
            self._refused(key, choice, str(reply.body.get("error") or "closed"))
            for card in self._cards.cards_of(key):
                card.closed = True
            self._cards.render_key(key)
            return False, None
        if reply is None or retryable(reply.status):
            self._queued(key, choice)
            return True, retry_after(reply.headers) if reply is not None else None
        error = reply.body.get("error") if isinstance(reply.body, dict) else None
        self._refused(key, choice, str(error or f"HTTP {reply.status}"))
        return False, None

    def _confirmed(self, key: str, choice: Choice, body: Any) -> None:
        confirmed = body.get("vote", choice.tool) if isinstance(body, dict) else choice.tool
        confirmed = confirmed if isinstance(confirmed, str) else None
        tallies = parse_tallies(body)
        if tallies is not None:
            self._tallies.heard(key, tallies)
        latest = self.device.settle(key, choice, confirmed)
        self._store()
        if not latest:  # a newer choice is on its way; the figures follow the endpoint meanwhile
            self._cards.render_key(key)
            return
        self._cards.tell(key, Notice("counted", confirmed) if confirmed else Notice("withdrawn"))
        card = self._cards.card_for(key)
        if card is not None:
            _, comparison = split_key(key)
            detail = {"comparison": comparison, "tool": confirmed}
            self._cards.send("event", card=card.id, name="verdict:vote", detail=detail)

    def _superseded(self, key: str, choice: Choice, body: Any) -> bool:
        """A 409: the endpoint holds a newer choice of this reader, made in another tab; False if the body is not one.

        Not an error for the reader: their newer choice stands. When this tab
        already knows it, only the counted vote and the figures follow the
        endpoint; otherwise the card shows the vote the endpoint holds until
        the other tab's record arrives (the ``storage`` event).
        """
        if not isinstance(body, dict) or "vote" not in body or parse_tallies(body) is None:
            return False  # some other conflict (a proxy's?): a refusal like any other 4xx
        if body["vote"] is not None and not isinstance(body["vote"], str):
            return False
        self._confirmed(key, choice, body)
        return True

    def _queued(self, key: str, choice: Choice) -> None:
        record = self.device.votes.get(key)
        if record is None or record.at != choice.at:
            return
        notice = queued_notice(record)
        if self._cards.notices.get(key) != notice:
            self._cards.tell(key, notice)

    def _refused(self, key: str, choice: Choice, reason: str) -> None:
        if self.device.refuse(key, choice):
            self._store()
            self._cards.tell(key, Notice("refused" if choice.tool else "refused_withdrawal", choice.tool, reason))

    def _origin_refused(self, endpoint: str) -> None:
        """Not kept for later: a refused origin is a setting to fix, not an outage to wait out."""
        for key, record in self.device.pending(endpoint):
            self.device.refuse(key, record)
            self._cards.tell(key, Notice("origin_refused", record.tool))
        self._store()
