"""The engine's side of the Web Worker: cards, live tallies and votes.

The loader (embed.js) only moves messages and HTML. Every message is JSON text
in both directions, so no proxies cross the boundary:

loader → engine
    ``mount``    {card, bundle, comparison, endpoint, options, device, early}
                                         early: the clicks the loader kept on the device
                                         before the engine was up, [{endpoint, comparison, tool, at}]
    ``action``   {card, action: "vote" | "withdraw", tool, at}   at: the click's time (ms)
    ``unmount``  {card}
    ``device``   {device}                localStorage changed in another tab
engine → loader
    ``status``   {card, text}            progress while a card has no HTML yet
    ``html``     {card, html}            the card, to put in its shadow root
    ``announce`` {card, text}            for the screen-reader live region
    ``store``    {device}                what to keep in localStorage
    ``event``    {card, name, detail}    a DOM event to dispatch on the host
    ``acted``    {card}                  the engine has taken the card's oldest pending
                                         action: the loader stops showing it as pending
    ``forget``   {at: [ms]}              kept clicks now in the device's outbox (stored
                                         just before): the loader drops them
    ``log``      {level, text}           the full story behind an error card
    ``jsonld``   {card, json}            the comparison's JSON-LD, for the host page
    ``missing``  {card, module}          the runtime lacks a module the engine imports (the build's
                                         trim missed it): the loader names it on the console

A click made before the engine was up is kept on the device by the loader
(loader/pending.js) and adopted here into the outbox at the next mount of a
card using its endpoint, on this page or a later one: once, since a choice is
taken only when the device holds nothing as recent (``Device.take``).

This module dispatches the messages and takes the reader's actions; the other
jobs have a module each: ``cardset`` (the mounted cards and what they show),
``bundle_cache`` (one fetch per bundle), ``tallies`` (live figures, CORS
diagnosis), ``delivery`` (the outbox's couriers), ``notices`` (every status
sentence), ``transport`` (HTTP, injected so the same flow runs in CPython tests).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .bundle import BundleError, Problem
from .bundle_cache import BundleCache, BundleUnreachable
from .card import Card, parse_options
from .cardset import CardSet
from .delivery import RETRY_HEADER, Courier, Delivery
from .i18n import get_locale
from .jsonld import comparison_jsonld, script_safe_json
from .notices import Notice, NoticeKind
from .outbox import FIRST_RETRY, Device, vote_key
from .render import is_closed, render_error
from .tallies import Reach, Tallies
from .transport import Http, Reply, pyodide_http
from .votes import Votes

__all__ = ["RETRY_HEADER", "Engine", "Reply", "start"]

LONGEST_TIMER = 86_400.0
"""Seconds: a closing further away is looked at again then (a browser timer overflows after ~24.8 days)."""
_pyodide_http = pyodide_http  # the name the build's trace (builder/runtime/trace_inside.py) uses


class Engine:
    """One per worker: takes the loader's messages and wires the jobs together (see the module's docstring)."""

    def __init__(
        self,
        post: Callable[[str], None],
        http: Http,
        origin: str = "",
        *,
        first_retry: float = FIRST_RETRY,
        clock: Callable[[], float] = time.time,
    ):
        self._post = post
        self._clock = clock
        self._mounting: dict[str, asyncio.Task[None]] = {}
        self.device = Device()
        self._bundles = BundleCache(http, self._log)
        self._tallies = Tallies(http, self._log, origin)
        self._set = CardSet(post, self.device, self._tallies, lambda: self._clock())
        self.delivery = Delivery(
            http, self.device, self._set, self._tallies, store=self._store, voter=self._voter, first_retry=first_retry
        )
        self._votes = Votes(
            self.device, self._set, self.delivery, store=self._store, voter=self._voter, clock=lambda: self._clock()
        )

    @property
    def _cards(self) -> dict[str, Card]:
        """The mounted cards by id (the build's trace closes one: builder/runtime/trace_inside.py)."""
        return self._set.cards

    # -- messages -------------------------------------------------------
    def send(self, type_: str, **fields: Any) -> None:
        self._post(json.dumps({"type": type_, **fields}))

    def _log(self, level: str, text: str) -> None:
        self.send("log", level=level, text=text)

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[None]]]:
        """What the loader may send, by message type (the build's trace sends each one)."""
        return {"mount": self.mount, "action": self.action, "unmount": self.unmount, "device": self.device_changed}

    async def handle(self, text: str) -> None:
        message = json.loads(text)
        handler = self.handlers().get(message.get("type"))
        if handler is None:
            self.send("log", level="warn", text=f"Verdict: unknown message {message.get('type')!r}")
            return
        try:
            if message.get("type") == "mount":
                # An action may arrive while its card is still mounting; it waits for it.
                self._mounting[message["card"]] = asyncio.ensure_future(handler(message))
                await self._mounting[message["card"]]
            else:
                await handler(message)
        except ModuleNotFoundError as error:  # the runtime lacks it: the loader names it on the console
            self.send("missing", card=message.get("card"), module=error.name)
        except Exception as error:  # the host page must never see a crash
            self.send("log", level="error", text=f"Verdict: {type(error).__name__}: {error}")
            card_id = message.get("card")
            if card_id and card_id not in self._set.cards:
                locale = parse_options(message.get("options") or {}, False).locale
                self.send(
                    "html",
                    card=card_id,
                    html=render_error(BundleError([Problem("", "the card could not be rendered")]), locale=locale),
                )

    def unhandled(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """The event loop's handler: a task no message awaits (tallies, a retry) that needs a module the
        runtime lacks is named to the loader as ``handle`` names it; anything else as asyncio says it."""
        error = context.get("exception")
        if isinstance(error, ModuleNotFoundError):
            self.send("missing", card=None, module=error.name)
        else:
            loop.default_exception_handler(context)

    async def settled(self) -> None:
        """Wait until no delivery is under way (scheduled retries excepted).

        A finished delivery leaves ``flushing`` one loop turn later (its done
        callback): gathering it would return at once, without yielding, and
        this loop would spin forever without letting the callback run.
        """
        while unfinished := [task for task in self.delivery.flushing if not task.done()]:
            await asyncio.gather(*unfinished)

    def courier(self, endpoint: str) -> Courier:
        return self.delivery.courier(endpoint)

    def flush(self, courier: Courier) -> asyncio.Future[None]:
        return self.delivery.flush(courier)

    # -- device state ---------------------------------------------------
    def _store(self) -> None:
        self.send("store", device=self.device.to_json())

    def _adopt(self, raw: Any) -> set[str]:
        """Merge a copy of the device state read from storage; write back what we know that is newer."""
        stored = Device.from_json(raw)
        changed = self.device.merge(stored)
        if self.device.to_json() != stored.to_json():
            self._store()
        return changed

    async def device_changed(self, message: dict[str, Any]) -> None:
        """Another tab wrote the device state: take its newer choices, show them."""
        for key in self._adopt(message.get("device")):
            self._set.notices.pop(key, None)
            self._set.render_key(key)

    def _voter(self, endpoint: str) -> str:
        """This endpoint's voter token: each endpoint its own, so none can replay it on another."""
        if endpoint not in self.device.tokens:
            self.device.token(endpoint)
            self._store()
        return self.device.tokens[endpoint]

    # -- cards ----------------------------------------------------------
    async def mount(self, message: dict[str, Any]) -> None:
        card_id, url = message["card"], message["bundle"]
        endpoint = (message.get("endpoint") or "").rstrip("/") or None
        options = parse_options(message.get("options") or {}, endpoint is not None)
        self._adopt(message.get("device"))
        if endpoint:
            self._votes.adopt_early(message.get("early"), endpoint)
        tallies = (
            asyncio.ensure_future(self._refresh_tallies(endpoint, message["comparison"]))
            if endpoint and message.get("comparison")
            else None
        )
        self.send("status", card=card_id, text=get_locale(options.locale).gettext("Loading the comparison…"))
        try:
            index = await self._bundles.bundle(url)
            comparison = index.comparison(message.get("comparison"))
        except BundleError as error:
            what = "could not be loaded" if isinstance(error, BundleUnreachable) else "is invalid"
            self.send("html", card=card_id, html=render_error(error, source=url, locale=options.locale))
            self.send(
                "log",
                level="error",
                text=f"Verdict: bundle {url} {what}:\n" + "\n".join(f"  {p}" for p in error.problems),
            )
            return
        card = Card(card_id, endpoint, options, index, comparison)
        self._set.cards[card_id] = card
        self.send("jsonld", card=card_id, json=script_safe_json(comparison_jsonld(index, comparison)))
        self._set.render(card)
        self._watch_closing(card)
        if endpoint:
            # Votes left in the outbox by an earlier page, for any comparison of this endpoint.
            self.flush(self.courier(endpoint))
            # Votes wait for the first tallies (the action waits for the mount); then the card shows them.
            await (tallies or self._refresh_tallies(endpoint, comparison.id))
            self._set.render_key(vote_key(endpoint, comparison.id))

    async def _refresh_tallies(self, endpoint: str, comparison_id: str) -> None:
        key = vote_key(endpoint, comparison_id)
        unheard = await self._tallies.refresh(endpoint, comparison_id)
        record = self.device.votes.get(key)
        if unheard is not None and key not in self._set.notices and not (record is not None and record.pending):
            kind: NoticeKind = "origin_refused_at_load" if unheard == Reach.REFUSED else "tallies_unavailable"
            self._set.notices[key] = Notice(kind)

    def _watch_closing(self, card: Card) -> None:
        """A card open now closes at its comparison's ``closes_at``, re-rendered then without a reload."""
        closes_at = card.comparison.closes_at
        if closes_at is None or card.closed or is_closed(card.comparison, self._clock()):
            return
        delay = closes_at.timestamp() - self._clock()
        loop = asyncio.get_running_loop()
        if delay > LONGEST_TIMER:
            loop.call_later(LONGEST_TIMER, self._watch_closing, card)
        else:
            loop.call_later(max(delay, 0.0), self._close, card)

    def _close(self, card: Card) -> None:
        if self._set.cards.get(card.id) is not card:
            return  # unmounted meanwhile
        card.closed = True
        self._set.notices.pop(card.vote_key or "", None)
        self._set.render(card)
        self.send("announce", card=card.id, text=card.locale.gettext("Voting has closed."))

    async def unmount(self, message: dict[str, Any]) -> None:
        self._set.cards.pop(message["card"], None)
        self._mounting.pop(message["card"], None)

    # -- votes ----------------------------------------------------------
    async def action(self, message: dict[str, Any]) -> None:
        mounting = self._mounting.get(message["card"])
        if mounting is not None and not mounting.done():
            await asyncio.wait([mounting])
        card = self._set.cards.get(message["card"])
        if card is None:
            return
        # The loader showed the click as taken at once; from here on the engine's renders show it.
        self.send("acted", card=card.id)
        await self._votes.take(card, message)


def start(post: Callable[[str], None]) -> Engine:
    """Called by the worker once Pyodide is up."""
    import js  # only inside Pyodide

    # The worker's origin is the host page's; the build's tracing run (Node) has no location.
    location = getattr(js, "location", None)
    engine = Engine(post, _pyodide_http, origin=str(getattr(location, "origin", "") or ""))
    asyncio.get_event_loop().set_exception_handler(engine.unhandled)
    return engine
