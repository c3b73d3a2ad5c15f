"""The engine's side of the Web Worker: cards, live tallies and votes.

The loader (embed.js) only moves messages and HTML. Every message is JSON text
in both directions, so no proxies cross the boundary:

loader → engine
    ``mount``    {card, bundle, comparison, endpoint, options, device}
    ``action``   {card, action: "vote" | "withdraw", tool}
    ``unmount``  {card}
engine → loader
    ``status``   {card, text}            progress while a card has no HTML yet
    ``html``     {card, html}            the card, to put in its shadow root
    ``announce`` {card, text}            for the screen-reader live region
    ``store``    {device}                what to keep in localStorage
    ``event``    {card, name, detail}    a DOM event to dispatch on the host
    ``acted``    {card}                  the engine has taken the card's oldest pending
                                         action: the loader stops showing it as pending
    ``log``      {level, text}           the full story behind an error card
    ``jsonld``   {card, json}            the comparison's JSON-LD, for the host page

HTTP goes through an injected ``Http`` so the same flow runs in CPython tests.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from .bundle import BundleError, BundleIndex, Problem, check_bundle
from .i18n import Locale, get_locale
from .jsonld import comparison_jsonld, script_safe_json
from .models import Comparison
from .render import CardState, RenderOptions, Section, VoteState, pending_message, render_card, render_error

REQUEST_TIMEOUT = 10.0


class Http(Protocol):
    async def __call__(
        self, method: str, url: str, body: dict[str, Any] | None = None, revalidate: bool = False
    ) -> tuple[int, Any]:
        """Return (status, parsed JSON or text); raise OSError when unreachable.

        ``revalidate`` skips the browser's HTTP cache, for figures that must be fresh.
        """


@dataclass
class Card:
    id: str
    endpoint: str | None
    options: RenderOptions
    index: BundleIndex
    comparison: Comparison
    state: CardState = field(default_factory=CardState)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def vote_key(self) -> str:
        return f"{self.endpoint}|{self.comparison.id}"

    @property
    def locale(self) -> Locale:
        return get_locale(self.options.locale)

    def tool_name(self, tool_id: str | None) -> str:
        return self.index.tools[tool_id].name if tool_id in self.index.tools else str(tool_id)


def parse_options(raw: dict[str, Any], voting: bool) -> RenderOptions:
    """Options arrive validated by the loader; anything else falls back to defaults.

    ``locale`` is any BCP 47 tag (data-locale, else the page's ``<html lang>``);
    the card speaks the supported locale it resolves to, else English.
    """
    sections = tuple(Section(s) for s in raw.get("sections") or () if s in Section.__members__.values())
    level = raw.get("headingLevel")
    locale = raw.get("locale")
    cta_url, cta_text = raw.get("ctaUrl"), raw.get("ctaText")
    return RenderOptions(
        sections=sections or RenderOptions.sections,
        heading_level=level if isinstance(level, int) and 1 <= level <= 6 else 2,
        voting=voting,
        locale=get_locale(locale if isinstance(locale, str) else None).code,
        cta_url=cta_url if isinstance(cta_url, str) else None,
        cta_text=cta_text if isinstance(cta_text, str) else None,
    )


class Engine:
    def __init__(self, post: Callable[[str], None], http: Http):
        self._post = post
        self._http = http
        self._bundles: dict[str, asyncio.Task[BundleIndex]] = {}
        self._cards: dict[str, Card] = {}
        self._mounting: dict[str, asyncio.Task[None]] = {}
        self._device: dict[str, Any] = {"voter": None, "votes": {}}

    # -- messages -------------------------------------------------------
    def send(self, type_: str, **fields: Any) -> None:
        self._post(json.dumps({"type": type_, **fields}))

    async def handle(self, text: str) -> None:
        message = json.loads(text)
        handler: Callable[[dict[str, Any]], Awaitable[None]] | None = {
            "mount": self.mount,
            "action": self.action,
            "unmount": self.unmount,
        }.get(message.get("type"))
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

    # -- bundles --------------------------------------------------------
    async def _load(self, url: str) -> BundleIndex:
        try:
            status, body = await self._http("GET", url)
        except OSError as error:
            raise BundleError([Problem("", f"could not fetch the bundle ({error})")]) from None
        if status != 200:
            raise BundleError([Problem("", f"could not fetch the bundle (HTTP {status})")])
        checked = check_bundle(body)
        if checked.bundle is None:
            raise BundleError(checked.errors)
        if checked.warnings:  # the card renders; the publisher hears what shows literally
            lines = "\n".join(f"  {w}" for w in checked.warnings)
            self.send("log", level="warn", text=f"Verdict: bundle {url} has warnings:\n{lines}")
        return BundleIndex(checked.bundle)

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
        locale = get_locale(options.locale)
        if not self._device["voter"]:
            stored = message.get("device") or {}
            self._device = {"voter": stored.get("voter"), "votes": dict(stored.get("votes") or {})}
        tallies = (
            asyncio.ensure_future(self._tallies(endpoint, message["comparison"], locale))
            if endpoint and message.get("comparison")
            else None
        )
        self.send("status", card=card_id, text=locale.gettext("Loading the comparison…"))
        try:
            index = await self.bundle(url)
            comparison = index.comparison(message.get("comparison"))
        except BundleError as error:
            self.send("html", card=card_id, html=render_error(error, source=url, locale=options.locale))
            self.send(
                "log",
                level="error",
                text=f"Verdict: bundle {url} is invalid:\n" + "\n".join(f"  {p}" for p in error.problems),
            )
            return
        card = Card(card_id, endpoint, options, index, comparison)
        card.state = CardState(vote=VoteState(mine=self._device["votes"].get(card.vote_key)))
        self._cards[card_id] = card
        self.send("jsonld", card=card_id, json=script_safe_json(comparison_jsonld(index, comparison)))
        # Votes wait for the first tallies, so an early click is never overwritten by them.
        async with card.lock:
            self.render(card)
            if endpoint:
                result = await (tallies or self._tallies(endpoint, comparison.id, locale))
                if isinstance(result, dict):
                    card.state = replace(card.state, tallies=result)
                else:
                    card.state = replace(card.state, vote=replace(card.state.vote, message=result))
                self.render(card)

    async def unmount(self, message: dict[str, Any]) -> None:
        self._cards.pop(message["card"], None)
        self._mounting.pop(message["card"], None)

    def render(self, card: Card) -> None:
        if card.id in self._cards:
            self.send("html", card=card.id, html=render_card(card.index, card.comparison, card.options, card.state))

    async def _tallies(self, endpoint: str, comparison_id: str, locale: Locale) -> dict[str, int] | str:
        """Fresh tallies, or the sentence to show when they cannot be had."""
        try:
            # Tallies are publicly cacheable for a few seconds (for CDNs), but a reader
            # reloading right after voting must see their own vote.
            status, body = await asyncio.wait_for(
                self._http("GET", f"{endpoint}/v1/tallies/{comparison_id}", revalidate=True), REQUEST_TIMEOUT
            )
        except (TimeoutError, OSError):
            return locale.gettext("Live votes are unavailable right now.")
        if status != 200 or not isinstance(body, dict):
            return locale.gettext("Live votes are unavailable right now.")
        return {str(k): int(v) for k, v in (body.get("tallies") or {}).items()}

    # -- votes ----------------------------------------------------------
    async def action(self, message: dict[str, Any]) -> None:
        mounting = self._mounting.get(message["card"])
        if mounting is not None and not mounting.done():
            await asyncio.wait([mounting])
        card = self._cards.get(message["card"])
        if card is None:
            return
        async with card.lock:
            # The loader showed the click as taken at once; from here on the engine's renders show it.
            self.send("acted", card=card.id)
            if card.endpoint is None:
                return
            if message.get("action") == "vote" and message.get("tool") in card.comparison.tools:
                await self._vote(card, message["tool"])
            elif message.get("action") == "withdraw" and card.state.vote.mine:
                await self._vote(card, None)
            else:
                self.render(card)

    def _voter(self) -> str:
        if not self._device["voter"]:
            self._device["voter"] = secrets.token_urlsafe(24)
            self.send("store", device=self._device)
        return str(self._device["voter"])

    async def _vote(self, card: Card, tool: str | None) -> None:
        """Optimistic: the figures move at once, then the endpoint confirms or we roll back."""
        before = card.state
        previous = before.vote.mine
        if tool == previous:
            self.render(card)
            return
        tallies = dict(before.tallies)
        if previous:
            tallies[previous] = max(0, tallies.get(previous, 0) - 1)
        if tool:
            tallies[tool] = tallies.get(tool, 0) + 1
        words = card.locale
        pending = pending_message(card.tool_name(tool) if tool else None, words)
        card.state = CardState(tallies, VoteState(mine=tool, busy=True, message=pending))
        self.render(card)

        body: dict[str, Any] = {"comparison": card.comparison.id, "voter": self._voter()}
        if tool:
            body["tool"] = tool
        try:
            status, reply = await asyncio.wait_for(
                self._http("POST" if tool else "DELETE", f"{card.endpoint}/v1/votes", body), REQUEST_TIMEOUT
            )
        except (TimeoutError, OSError):
            status, reply = 0, None
        if status == 200 and isinstance(reply, dict):
            confirmed = reply.get("vote")
            card.state = CardState(
                {str(k): int(v) for k, v in reply["tallies"].items()},
                VoteState(
                    mine=confirmed,
                    message=words.gettext("Thanks: your vote for {tool} is counted.", tool=card.tool_name(confirmed))
                    if confirmed
                    else words.gettext("Your vote is withdrawn."),
                ),
            )
            votes = self._device["votes"]
            if confirmed:
                votes[card.vote_key] = confirmed
            else:
                votes.pop(card.vote_key, None)
            self.send("store", device=self._device)
            self.send(
                "event", card=card.id, name="verdict:vote", detail={"comparison": card.comparison.id, "tool": confirmed}
            )
            for twin in self._cards.values():  # the same comparison shown twice agrees with itself
                if twin is not card and twin.vote_key == card.vote_key:
                    twin.state = CardState(card.state.tallies, VoteState(mine=confirmed))
                    self.render(twin)
        else:
            reason = reply.get("error") if isinstance(reply, dict) else None
            failure = (
                words.gettext(
                    "Your vote was not saved: the vote server refused it ({reason}). "
                    "Nothing changed; please try again.",
                    reason=str(reason),
                )
                if reason
                else words.gettext(
                    "Your vote was not saved: the vote server could not be reached. Nothing changed; please try again."
                )
            )
            card.state = replace(before, vote=replace(before.vote, busy=False, error=True, message=failure))
        self.render(card)
        self.send("announce", card=card.id, text=card.state.vote.message)


async def _pyodide_http(
    method: str, url: str, body: dict[str, Any] | None = None, revalidate: bool = False
) -> tuple[int, Any]:
    from pyodide.http import pyfetch  # only inside Pyodide

    kwargs: dict[str, Any] = {
        "method": method,
        "credentials": "omit",
        "mode": "cors",
        "cache": "no-cache" if revalidate else "default",
    }
    if body is not None:
        kwargs["headers"] = {"Content-Type": "application/json"}
        kwargs["body"] = json.dumps(body)
    try:
        response = await pyfetch(url, **kwargs)
        text = await response.string()
    except Exception as error:  # a JsException from fetch(): network, CORS, abort
        raise OSError(str(error)) from None
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text


def start(post: Callable[[str], None]) -> Engine:
    """Called by the worker once Pyodide is up."""
    return Engine(post, _pyodide_http)
