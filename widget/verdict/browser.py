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
(loader/actions.js) and adopted here into the outbox at the next mount of a
card using its endpoint, on this page or a later one: once, since a choice is
taken only when the device holds nothing as recent (``Device.take``).

A vote is recorded on the device first (outbox.py), then delivered by the
endpoint's courier: one request at a time, in the order of the reader's
choices, retried with backoff while it cannot be delivered, and again at the
next mount of any card using the same endpoint. Each request carries the
choice's time (``chosen_at``), so the endpoint never lets an older choice,
arriving late, overwrite a newer one.

HTTP goes through an injected ``Http`` so the same flow runs in CPython tests.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, Protocol, assert_never

from .bundle import BundleError, BundleIndex, Problem, check_bundle
from .i18n import Locale, get_locale
from .jsonld import comparison_jsonld, script_safe_json
from .models import Comparison
from .outbox import FIRST_RETRY, Choice, Device, retry_after, retry_delay, retryable, split_key, vote_key
from .render import (
    CardState,
    RenderOptions,
    Results,
    Section,
    VoteState,
    is_closed,
    pending_message,
    render_card,
    render_error,
)

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A comparison or tool id, as the bundle's models take them (at most 80 characters)."""
REQUEST_TIMEOUT = 10.0
PROBE_TIMEOUT = 5.0
SUPERSEDED = 409
CLOSED = 403
"""The endpoint's answer to a vote on a comparison whose ``closes_at`` has passed (its body has ``closed_at``)."""
"""The endpoint's answer to a choice older than the one it holds for this voter (by ``chosen_at``)."""
LONGEST_TIMER = 86_400.0
"""Seconds: a closing further away is looked at again then (a browser timer overflows after ~24.8 days)."""
RETRY_HEADER = "Verdict-Retry"
"""Sent on every delivery but a choice's first, with the attempt number (1 for the first retry)."""


class BundleUnreachable(BundleError):
    """The bundle could not be fetched (network, CORS, HTTP status): not invalid, not checked."""


class Reply(NamedTuple):
    status: int
    body: Any
    headers: Mapping[str, str] = MappingProxyType({})


class Http(Protocol):
    async def __call__(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        revalidate: bool = False,
        headers: Mapping[str, str] | None = None,
        mode: str = "cors",
    ) -> Reply:
        """The answer (status, parsed JSON or text, headers); raise OSError when there is none.

        As ``fetch`` in a browser: a CORS request whose answer the page's origin may not read
        raises OSError; ``mode="no-cors"`` answers ``Reply(0, None)`` whenever the server answered.
        ``revalidate`` skips the browser's HTTP cache, for figures that must be fresh.
        """


NoticeKind = Literal[
    "saving",
    "withdrawing",
    "counted",
    "withdrawn",
    "queued",
    "queued_withdrawal",
    "refused",
    "refused_withdrawal",
    "origin_refused",
    "origin_refused_at_load",
    "tallies_unavailable",
]
"""Every kind of notice the engine can say (the build's trace must say each one: builder/runtime/trace_inside.py)."""


@dataclass(frozen=True)
class Notice:
    """What a card's vote status says, by kind; the sentence is made per card, in its locale (Card.say)."""

    kind: NoticeKind
    tool: str | None = None
    reason: str = ""
    busy: bool = False

    @property
    def error(self) -> bool:
        return self.kind in ("refused", "refused_withdrawal", "origin_refused", "origin_refused_at_load")


@dataclass
class Card:
    id: str
    endpoint: str | None
    options: RenderOptions
    index: BundleIndex
    comparison: Comparison
    closed: bool = False
    """The closing timer fired: voting on this card's comparison has ended."""

    @property
    def vote_key(self) -> str | None:
        return vote_key(self.endpoint, self.comparison.id) if self.endpoint else None

    @property
    def locale(self) -> Locale:
        return get_locale(self.options.locale)

    def tool_name(self, tool_id: str | None) -> str:
        return self.index.tools[tool_id].name if tool_id in self.index.tools else str(tool_id)

    def say(self, notice: Notice) -> str:
        """What the card says about the reader's vote: every such sentence is here (or pending_message)."""
        words, tool, reason = self.locale, self.tool_name(notice.tool), notice.reason
        match notice.kind:
            case "saving":
                return pending_message(tool, words)
            case "withdrawing":
                return pending_message(None, words)
            case "counted":
                return words.gettext("Thanks: your vote for {tool} is counted.", tool=tool)
            case "withdrawn":
                return words.gettext("Your vote is withdrawn.")
            case "queued":
                return words.gettext(
                    "Pending: your vote for {tool} is saved on this device and will be sent when the vote server "
                    "can be reached.",
                    tool=tool,
                )
            case "queued_withdrawal":
                return words.gettext(
                    "Pending: your vote is withdrawn on this device and the vote server will be told when it can "
                    "be reached."
                )
            case "refused":
                return words.gettext(
                    "Your vote was not saved: the vote server refused it ({reason}). Nothing changed; sending it "
                    "again would not help.",
                    reason=reason,
                )
            case "refused_withdrawal":
                return words.gettext(
                    "Your vote was not withdrawn: the vote server refused it ({reason}). Nothing changed.",
                    reason=reason,
                )
            case "origin_refused":
                return words.gettext(
                    "Your vote was not saved: the vote server does not accept votes from this site, so it is not "
                    "kept for later. The site's owner can fix this."
                )
            case "origin_refused_at_load":
                return words.gettext("Voting is unavailable: the vote server does not accept votes from this site.")
            case "tallies_unavailable":
                return words.gettext("Live votes are unavailable right now.")
            case _:
                assert_never(notice.kind)


def parse_options(raw: dict[str, Any], voting: bool) -> RenderOptions:
    """Options arrive validated by the loader; anything else falls back to defaults.

    ``locale`` is any BCP 47 tag (data-locale, else the page's ``<html lang>``);
    the card speaks the supported locale it resolves to, else English.
    """
    sections = tuple(Section(s) for s in raw.get("sections") or () if s in Section.__members__.values())
    level = raw.get("headingLevel")
    locale = raw.get("locale")
    cta_url, cta_text = raw.get("ctaUrl"), raw.get("ctaText")
    results = raw.get("results")
    return RenderOptions(
        results=Results(results) if isinstance(results, str) and results in set(Results) else Results.ALWAYS,
        sections=sections or RenderOptions.sections,
        heading_level=level if isinstance(level, int) and 1 <= level <= 6 else 2,
        voting=voting,
        locale=get_locale(locale if isinstance(locale, str) else None).code,
        cta_url=cta_url if isinstance(cta_url, str) else None,
        cta_text=cta_text if isinstance(cta_text, str) else None,
    )


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


class Courier:
    """Delivers one endpoint's outbox: one request at a time, oldest choice first, retried with backoff."""

    def __init__(self, engine: Engine, endpoint: str, first_retry: float):
        self.engine = engine
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
            while entries := self.engine.device.pending(self.endpoint):
                key, choice = entries[0]
                retry, after = await self.engine.deliver(key, choice)
                if retry:
                    self.failures += 1
                    self.next_retry = retry_delay(self.failures, after, first=self.first_retry)
                    self._timer = asyncio.get_running_loop().call_later(self.next_retry, self.engine.flush, self)
                    return
                self.failures = 0

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self.next_retry = None, None


class Engine:
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
        self._http = http
        self._origin = origin
        self._first_retry = first_retry
        self._clock = clock
        self._bundles: dict[str, asyncio.Task[BundleIndex]] = {}
        self._cards: dict[str, Card] = {}
        self._mounting: dict[str, asyncio.Task[None]] = {}
        self.device = Device()
        self._tallies: dict[str, dict[str, int]] = {}  # the endpoint's, as last heard
        self._tally_answers: dict[str, int] = {}  # vote answers per key, so an older GET never wins
        self._notices: dict[str, Notice] = {}
        self._voted_from: dict[str, str] = {}  # the card a choice was made on
        self._attempts: dict[tuple[str, int], int] = {}  # deliveries tried per choice (key, at)
        self._couriers: dict[str, Courier] = {}
        self._flushing: set[asyncio.Future[None]] = set()
        self._origin_logged: set[str] = set()
        self._no_marker: set[str] = set()  # endpoints whose CORS does not allow the retry header

    # -- messages -------------------------------------------------------
    def send(self, type_: str, **fields: Any) -> None:
        self._post(json.dumps({"type": type_, **fields}))

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
            if card_id and card_id not in self._cards:
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

        A finished delivery leaves ``_flushing`` one loop turn later (its done
        callback): gathering it would return at once, without yielding, and
        this loop would spin forever without letting the callback run.
        """
        while unfinished := [task for task in self._flushing if not task.done()]:
            await asyncio.gather(*unfinished)

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
            self._notices.pop(key, None)
            self.render_key(key)

    def _take_early(self, raw: Any, endpoint: str) -> None:
        """Adopt the clicks the loader kept for ``endpoint`` before the engine was up; the loader then drops them."""
        adopted: list[int] = []
        for click in raw if isinstance(raw, list) else ():
            kept = early_click(click)
            if kept is None or kept[0] != endpoint:
                continue
            _, comparison, tool, at = kept
            key = vote_key(endpoint, comparison)
            if self.device.take(key, tool, at) is not None:
                self._attempts[(key, at)] = 0  # never sent yet: its first delivery is no retry
            adopted.append(at)
        if adopted:
            self._store()
            self.send("forget", at=adopted)

    def _voter(self, endpoint: str) -> str:
        """This endpoint's voter token: each endpoint its own, so none can replay it on another."""
        if endpoint not in self.device.tokens:
            self.device.token(endpoint)
            self._store()
        return self.device.tokens[endpoint]

    def _now(self) -> int:
        return int(self._clock() * 1000)

    # -- bundles --------------------------------------------------------
    async def _load(self, url: str) -> BundleIndex:
        try:
            status, body, _ = await self._http("GET", url)
        except OSError as error:
            raise BundleUnreachable([Problem("", await self._unreachable(url, error))]) from None
        if status != 200:
            raise BundleUnreachable([Problem("", f"could not fetch the bundle (HTTP {status})")])
        checked = check_bundle(body)
        if checked.bundle is None:
            raise BundleError(checked.errors)
        if checked.warnings:  # the card renders; the publisher hears what shows literally
            lines = "\n".join(f"  {w}" for w in checked.warnings)
            self.send("log", level="warn", text=f"Verdict: bundle {url} has warnings:\n{lines}")
        return BundleIndex(checked.bundle)

    async def _unreachable(self, url: str, error: OSError) -> str:
        """Why the bundle could not be fetched: a host that answers a no-cors request but sends no CORS
        header (the usual slip of a bundle on the publisher's own site), or no answer at all."""
        try:
            await asyncio.wait_for(self._http("GET", url, mode="no-cors"), PROBE_TIMEOUT)
        except (TimeoutError, OSError):
            return f"could not fetch the bundle: its host cannot be reached, or the URL is wrong ({error})"
        return (
            "could not fetch the bundle: its host sends no Access-Control-Allow-Origin header, so the browser "
            "keeps it from this page (CORS); make it send `Access-Control-Allow-Origin: *` with the bundle "
            "(see docs/bundles/hosting.md in Verdict's repository)"
        )

    def bundle(self, url: str) -> asyncio.Task[BundleIndex]:
        """One fetch and one validation per bundle URL, however many cards use it."""
        if url not in self._bundles:
            self._bundles[url] = asyncio.ensure_future(self._load(url))
        return self._bundles[url]

    # -- cards ----------------------------------------------------------
    async def mount(self, message: dict[str, Any]) -> None:
        card_id, url = message["card"], message["bundle"]
        endpoint = (message.get("endpoint") or "").rstrip("/") or None
        options = parse_options(message.get("options") or {}, endpoint is not None)
        self._adopt(message.get("device"))
        if endpoint:
            self._take_early(message.get("early"), endpoint)
        tallies = (
            asyncio.ensure_future(self._refresh_tallies(endpoint, message["comparison"]))
            if endpoint and message.get("comparison")
            else None
        )
        self.send("status", card=card_id, text=get_locale(options.locale).gettext("Loading the comparison…"))
        try:
            index = await self.bundle(url)
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
        self._cards[card_id] = card
        self.send("jsonld", card=card_id, json=script_safe_json(comparison_jsonld(index, comparison)))
        self.render(card)
        self._watch_closing(card)
        if endpoint:
            # Votes left in the outbox by an earlier page, for any comparison of this endpoint.
            self.flush(self.courier(endpoint))
            # Votes wait for the first tallies (the action waits for the mount); then the card shows them.
            await (tallies or self._refresh_tallies(endpoint, comparison.id))
            self.render_key(vote_key(endpoint, comparison.id))

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
        if self._cards.get(card.id) is not card:
            return  # unmounted meanwhile
        card.closed = True
        self._notices.pop(card.vote_key or "", None)
        self.render(card)
        self.send("announce", card=card.id, text=card.locale.gettext("Voting has closed."))

    async def unmount(self, message: dict[str, Any]) -> None:
        self._cards.pop(message["card"], None)
        self._mounting.pop(message["card"], None)

    def render(self, card: Card) -> None:
        if card.id in self._cards:
            state = (
                self._state(card, card.vote_key) if card.vote_key else CardState(now=self._clock(), closed=card.closed)
            )
            self.send("html", card=card.id, html=render_card(card.index, card.comparison, card.options, state))

    def render_key(self, key: str) -> None:
        for card in self._cards_of(key):
            self.render(card)

    def _cards_of(self, key: str) -> list[Card]:
        return [card for card in self._cards.values() if card.vote_key == key]

    def _state(self, card: Card, key: str) -> CardState:
        """The endpoint's tallies with the reader's pending choice in place of their counted one."""
        record = self.device.votes.get(key)
        pending = record is not None and record.pending
        tallies = dict(self._tallies.get(key, {}))
        if record is not None and pending and key in self._tallies and record.tool != record.counted:
            if record.counted:
                tallies[record.counted] = max(0, tallies.get(record.counted, 0) - 1)
            if record.tool:
                tallies[record.tool] = tallies.get(record.tool, 0) + 1
        notice = self._notices.get(key)
        if notice is None and record is not None and pending:
            notice = self._queued_notice(record)
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

    @staticmethod
    def _queued_notice(record: Choice) -> Notice:
        return Notice("queued", record.tool) if record.tool else Notice("queued_withdrawal")

    def _tell(self, key: str, notice: Notice | None) -> None:
        """Change what the cards of ``key`` say, and announce it on the one the reader used."""
        if notice is None:
            self._notices.pop(key, None)
        else:
            self._notices[key] = notice
        self.render_key(key)
        card = self._card_for(key)
        if card is not None and notice is not None:
            self.send("announce", card=card.id, text=card.say(notice))

    def _card_for(self, key: str) -> Card | None:
        voted_from = self._cards.get(self._voted_from.get(key, ""))
        if voted_from is not None and voted_from.vote_key == key:
            return voted_from
        return next(iter(self._cards_of(key)), None)

    # -- tallies --------------------------------------------------------
    async def _refresh_tallies(self, endpoint: str, comparison_id: str) -> None:
        key = vote_key(endpoint, comparison_id)
        answers = self._tally_answers.get(key, 0)
        result = await self._fetch_tallies(endpoint, comparison_id)
        if isinstance(result, dict):
            if self._tally_answers.get(key, 0) == answers:  # no vote's answer (newer) came meanwhile
                self._tallies[key] = result
        elif key not in self._notices and not (key in self.device.votes and self.device.votes[key].pending):
            self._notices[key] = Notice("origin_refused_at_load" if result == Reach.REFUSED else "tallies_unavailable")

    async def _fetch_tallies(self, endpoint: str, comparison_id: str) -> dict[str, int] | str:
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
            return await self._reach(endpoint)
        tallies = parse_tallies(body) if status == 200 else None
        return Reach.DOWN if tallies is None else tallies

    async def _reach(self, endpoint: str) -> str:
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
        self.send(
            "log",
            level="error",
            text=f"Verdict: the vote server {endpoint} answers, but does not accept requests from this page's "
            f"origin {origin} (CORS), so votes cannot be sent from here. Allow it on the endpoint: "
            f"--allow-origin {origin} (or add it to VERDICT_ALLOW_ORIGINS).",
        )

    # -- votes ----------------------------------------------------------
    async def action(self, message: dict[str, Any]) -> None:
        mounting = self._mounting.get(message["card"])
        if mounting is not None and not mounting.done():
            await asyncio.wait([mounting])
        card = self._cards.get(message["card"])
        if card is None:
            return
        # The loader showed the click as taken at once; from here on the engine's renders show it.
        self.send("acted", card=card.id)
        if card.endpoint is None or card.vote_key is None:
            return
        if card.closed or is_closed(card.comparison, self._clock()):
            self._forget(clicked_at_of(message))  # voting has ended: a click kept from before is dropped
            self.render(card)
            return
        key = card.vote_key
        record = self.device.votes.get(key)
        clicked_at = clicked_at_of(message)
        if clicked_at is not None and record is not None and record.at >= clicked_at:
            self._forget(clicked_at)
            await self._taken_already(card, key, record, clicked_at)
            return
        mine = record.tool if record else None
        if message.get("action") == "vote" and message.get("tool") in card.comparison.tools:
            wanted: str | None = message["tool"]
        elif message.get("action") == "withdraw" and mine is not None:
            wanted = None
        else:
            self._forget(clicked_at)
            self.render(card)
            return
        courier = self.courier(card.endpoint)
        if wanted == mine:
            self._forget(clicked_at)
            self.render(card)
            if record is not None and record.pending:
                await self.flush(courier)  # the reader insists: try now
            return
        self._voter(card.endpoint)
        # At the click's own time: a later click, still queued behind this one, must not look older.
        choice = self.device.choose(key, wanted, clicked_at or self._now())
        self._store()
        self._forget(clicked_at)  # the loader's copy on the device: this engine's record stands for it now
        self._attempts[(key, choice.at)] = 0
        self._voted_from[key] = card.id
        self._notices[key] = Notice("saving" if wanted else "withdrawing", wanted, busy=True)
        self.render_key(key)  # optimistic: the figures move at once
        await self.flush(courier)

    def _forget(self, clicked_at: int | None) -> None:
        if clicked_at is not None:
            self.send("forget", at=[clicked_at])

    async def _taken_already(self, card: Card, key: str, record: Choice, at: int) -> None:
        """A click the device already holds (adopted at the mount from the loader's copy) or that a later
        choice supersedes: not chosen again; when it is this very click, still on its way, say so."""
        if record.at == at and record.pending and card.endpoint:
            self._voted_from[key] = card.id
            self._notices[key] = Notice("saving" if record.tool else "withdrawing", record.tool, busy=True)
            self.render_key(key)
            await self.flush(self.courier(card.endpoint))
        else:
            self.render(card)

    def courier(self, endpoint: str) -> Courier:
        if endpoint not in self._couriers:
            self._couriers[endpoint] = Courier(self, endpoint, self._first_retry)
        return self._couriers[endpoint]

    def flush(self, courier: Courier) -> asyncio.Future[None]:
        task = asyncio.ensure_future(courier.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)
        return task

    async def deliver(self, key: str, choice: Choice) -> tuple[bool, float | None]:
        """Send one queued choice and show the outcome; (retry?, Retry-After seconds)."""
        endpoint, comparison = split_key(key)
        # A choice queued by an earlier page has been tried at least once already.
        attempt = self._attempts.get((key, choice.at), 1)
        self._attempts[(key, choice.at)] = attempt + 1
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
            reach = await self._reach(endpoint)
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
            for card in self._cards_of(key):
                card.closed = True
            self.render_key(key)
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
            self._tallies[key] = tallies
            self._tally_answers[key] = self._tally_answers.get(key, 0) + 1
        latest = self.device.settle(key, choice, confirmed)
        self._store()
        if not latest:  # a newer choice is on its way; the figures follow the endpoint meanwhile
            self.render_key(key)
            return
        self._tell(key, Notice("counted", confirmed) if confirmed else Notice("withdrawn"))
        card = self._card_for(key)
        if card is not None:
            _, comparison = split_key(key)
            detail = {"comparison": comparison, "tool": confirmed}
            self.send("event", card=card.id, name="verdict:vote", detail=detail)

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
        notice = self._queued_notice(record)
        if self._notices.get(key) != notice:
            self._tell(key, notice)

    def _refused(self, key: str, choice: Choice, reason: str) -> None:
        if self.device.refuse(key, choice):
            self._store()
            self._tell(key, Notice("refused" if choice.tool else "refused_withdrawal", choice.tool, reason))

    def _origin_refused(self, endpoint: str) -> None:
        """Not kept for later: a refused origin is a setting to fix, not an outage to wait out."""
        for key, record in self.device.pending(endpoint):
            self.device.refuse(key, record)
            self._tell(key, Notice("origin_refused", record.tool))
        self._store()


async def _pyodide_http(
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    *,
    revalidate: bool = False,
    headers: Mapping[str, str] | None = None,
    mode: str = "cors",
) -> Reply:
    from pyodide.http import pyfetch  # only inside Pyodide

    sent = dict(headers or {})
    kwargs: dict[str, Any] = {
        "method": method,
        "credentials": "omit",
        "mode": mode,
        "cache": "no-cache" if revalidate else "default",
    }
    if body is not None:
        sent["Content-Type"] = "application/json"
        kwargs["body"] = json.dumps(body)
    if sent:
        kwargs["headers"] = sent
    try:
        response = await pyfetch(url, **kwargs)
        if mode == "no-cors":
            return Reply(0, None)  # opaque: the server answered, nothing more is known
        text = await response.string()
        received = response.headers
    except Exception as error:  # a JsException from fetch(): network, CORS, abort
        raise OSError(str(error)) from None
    try:
        return Reply(response.status, json.loads(text), received)
    except ValueError:
        return Reply(response.status, text, received)


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
    if not isinstance(comparison, str) or len(comparison) > 80 or not SLUG.fullmatch(comparison):
        return None
    if not (tool is None or (isinstance(tool, str) and len(tool) <= 80 and SLUG.fullmatch(tool))):
        return None
    if not isinstance(at, int) or isinstance(at, bool) or at <= 0:
        return None
    return endpoint.rstrip("/"), comparison, tool, at


def start(post: Callable[[str], None]) -> Engine:
    """Called by the worker once Pyodide is up."""
    import js  # only inside Pyodide

    # The worker's origin is the host page's; the build's tracing run (Node) has no location.
    location = getattr(js, "location", None)
    engine = Engine(post, _pyodide_http, origin=str(getattr(location, "origin", "") or ""))
    asyncio.get_event_loop().set_exception_handler(engine.unhandled)
    return engine
