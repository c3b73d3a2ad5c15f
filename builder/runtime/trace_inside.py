"""Drive the engine through every path a reader can reach, INSIDE Pyodide.

Run by trace_runtime.mjs with the very runtime the browser gets (before it
is trimmed). The engine (verdict.browser) renders every comparison of every
bundle given, with and without voting, in every section layout; a reader
votes, changes the vote, withdraws it (with the results shown only after a
vote, too), sees a closed comparison and one closing while open, meets a refused and an unreachable
vote server and live tallies that cannot be had; broken bundles (not JSON,
invalid fields, not found) get their error cards. HTTP goes through the
engine's real fetch (pyfetch) wherever Node can answer it: canned answers
are ``data:`` URLs, an unreachable server is a closed port.

The runner calls ``main()``, raises an exception into JavaScript, then calls
``report()``, which writes every imported module's file to the JSON file
named by ``--out``: what the runtime must keep. The report also says what the
trace must reach, read from the engine itself (every message type its
dispatch takes, every notice kind it can say, every supported locale, and the
paths below), and what it did reach, seen in what the engine did; the build
(trim.py) fails naming anything missed.

Usage: trace_inside.py --out OUT.json BUNDLE.json [BUNDLE.json ...]
"""

import asyncio
import base64
import json
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any, get_args

from verdict import browser, notices, worker
from verdict.card import Card
from verdict.i18n import SUPPORTED_LOCALES
from verdict.notices import Notice
from verdict.outbox import vote_key


class TraceFailed(RuntimeError):
    """The trace could not drive the engine where it must (not SystemExit: that ends Pyodide's runtime)."""


UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens there
RETRY = 0.05  # seconds before the outbox's first retry


def host_path(path: str) -> str:
    root = os.environ.get("HOST_ROOT", "")
    return root + path if os.path.isabs(path) and root else path


PATHS = {
    "withdrawal": "a withdrawal the vote server confirmed",
    "retry": "a vote kept in the outbox, delivered by the courier's retry",
    "early click": "a click kept by the loader before the engine was up, adopted and delivered",
}
"""What the trace must reach besides what the engine enumerates (its messages, notices and locales)."""
FIRST_TAG = re.compile(r"<[^>]*>")


class Coverage:
    """What the trace reached, seen in what the engine did: the messages it was sent, the notices its
    cards said, the locales its cards and error cards spoke, the paths the vote server saw."""

    def __init__(self) -> None:
        self.reached: dict[str, set[str]] = {}
        self.lacking: set[str] = set()  # modules the engine said the runtime lacks

    def add(self, what: str, item: str) -> None:
        self.reached.setdefault(what, set()).add(item)

    def posted(self, message: dict[str, Any]) -> None:
        if message["type"] == "missing":
            self.lacking.add(message["module"])
        if message["type"] == "html" and (tag := FIRST_TAG.match(message["html"])) and "vd-card" in tag[0]:
            lang = re.search(r'\blang="([^"]*)"', tag[0])
            self.add("error card in locale" if "vd-error" in tag[0] else "card in locale", lang[1] if lang else "?")
        if message["type"] == "event" and message["name"] == "verdict:vote" and message["detail"]["tool"] is None:
            self.add("path", "withdrawal")

    def said(self, say: Callable[[Card, Notice], str]) -> Callable[[Card, Notice], str]:
        def saying(card: Card, notice: Notice) -> str:
            self.add("notice", notice.kind)
            return say(card, notice)

        return saying

    @staticmethod
    def required(engine: browser.Engine) -> dict[str, list[str]]:
        """What the trace must reach, from the engine's own enumerations."""
        return {
            "message type": sorted(engine.handlers()),
            "notice": list(get_args(notices.NoticeKind)),
            "card in locale": list(SUPPORTED_LOCALES),
            "error card in locale": list(SUPPORTED_LOCALES),
            "path": list(PATHS),
        }


COVERAGE = Coverage()
REQUIRED: dict[str, list[str]] = {}


def data_url(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return "data:application/json;base64," + base64.b64encode(text.encode()).decode()


class Endpoint:
    """The vote endpoint's answers, sent through the engine's real fetch as data: URLs."""

    def __init__(self) -> None:
        self.bundles: dict[str, str] = {}
        self.tallies: dict[str, dict[str, int]] = {}
        self.mode = "ok"  # "ok", "refuse", "down" or "cors"
        self.early: set[int] = set()  # the times of the clicks kept by the loader

    async def __call__(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        revalidate: bool = False,
        headers: Mapping[str, str] | None = None,
        mode: str = "cors",
    ) -> browser.Reply:
        fetch = browser._pyodide_http
        if url in self.bundles:
            return await fetch(method, data_url(self.bundles[url]), None, revalidate=revalidate)
        if url.startswith("missing:"):
            return browser.Reply(404, "not found")
        if self.mode == "down":  # the outbox keeps the vote and asks /healthz whether CORS refused it
            return await fetch(method, UNREACHABLE, body, revalidate=revalidate, headers=headers, mode=mode)
        if self.mode == "refuse":
            return browser.Reply(422, {"error": "tool is not part of this comparison"})
        if self.mode == "cors":  # it answers, but not to this page's origin: only an opaque answer gets through
            if mode == "no-cors":
                return browser.Reply(0, None)
            raise OSError("TypeError: Failed to fetch")
        comparison = url.rsplit("/", 1)[-1] if "/v1/tallies/" in url else (body or {}).get("comparison", "")
        tallies = self.tallies.setdefault(comparison, {})
        vote = None
        if "/v1/votes" in url and body:
            if browser.RETRY_HEADER in (headers or {}):
                COVERAGE.add("path", "retry")
            if body.get("chosen_at") in self.early:
                COVERAGE.add("path", "early click")
            vote = body.get("tool")
            if vote:
                tallies[vote] = tallies.get(vote, 0) + 1
        answer = {"comparison": comparison, "tallies": tallies, "total": sum(tallies.values()), "vote": vote}
        return await fetch(method, data_url(answer), body, revalidate=revalidate, headers=headers, mode=mode)


def _typos(bundle: dict[str, Any]) -> None:
    bundle["tools"][0]["nmae"] = bundle["tools"][0].pop("name")  # a misspelt key
    bundle["tools"][0]["entry"] = "maybe"
    bundle["tools"][1]["id"] = "Not A Slug"
    del bundle["comparisons"][0]["tools"]


def _references(bundle: dict[str, Any]) -> None:
    comparison = bundle["comparisons"][0]
    comparison["tools"] = [comparison["tools"][0], "a-tool-nobody-listed"]
    comparison["scorecard"][0]["reviewer"] = "someone-else"
    comparison["scorecard"][0]["verdicts"][comparison["tools"][0]]["text"] = "<b>bold</b> and __underline__ # title"
    bundle["tools"].append(dict(bundle["tools"][0]))  # a duplicate id


def _shape(bundle: dict[str, Any]) -> None:
    bundle["format"] = "verdict/9"
    bundle["comparisons"] = "none"
    bundle["$schema"] = "https://widget.example/schema/bundle-v1.json"


# Every kind of mistake the validation explains (schema, cross-references, rich text).
BREAKAGES: list[Callable[[dict[str, Any]], None]] = [_typos, _references, _shape]
LOCALES = SUPPORTED_LOCALES


class Reader:
    """A page's loader, as the worker relays it: the messages it sends the engine (each one recorded)."""

    def __init__(self, http: Endpoint, engine: browser.Engine) -> None:
        self.http, self.engine = http, engine
        self.cards = 0

    async def handle(self, message: dict[str, Any]) -> None:
        COVERAGE.add("message type", message["type"])
        await self.engine.handle(json.dumps(message))
        if COVERAGE.lacking:
            raise TraceFailed(f"trace: the runtime lacks modules the engine imports: {sorted(COVERAGE.lacking)}")

    async def mount(self, bundle: str, comparison: str | None, endpoint: str | None, **options: Any) -> str:
        self.cards += 1
        card = f"trace-{self.cards}"
        message = {"type": "mount", "card": card, "bundle": bundle, "comparison": comparison, "endpoint": endpoint}
        await self.handle({**message, "options": options, "device": {}})
        return card

    async def act(self, card: str, action: str, tool: str | None = None) -> None:
        await self.handle({"type": "action", "card": card, "action": action, "tool": tool})

    async def delivered(self, endpoint: str) -> None:
        """Wait until the outbox of `endpoint` is empty: the courier's retries delivered what it kept."""
        for _ in range(round(30 / RETRY)):
            if not self.engine.device.pending(endpoint):
                return
            await asyncio.sleep(RETRY)
        raise TraceFailed(f"trace: the outbox of {endpoint} was never delivered")

    async def vote_paths(self, url: str, comparison: dict[str, Any]) -> None:
        """The vote paths one comparison is enough for: a withdrawal kept in the outbox, then one refused;
        another tab's choice; a click kept by the loader; a vote server refusing this page's origin, and
        one that cannot be reached from the start. Each endpoint is new: nothing earlier decides what it says."""
        http, engine, (first, second) = self.http, self.engine, comparison["tools"][:2]
        endpoint = "https://withdrawals.example"
        card = await self.mount(url, comparison["id"], endpoint)
        await self.act(card, "vote", first)
        http.mode = "down"
        await self.act(card, "withdraw")  # kept: the server will be told
        http.mode = "ok"
        await self.delivered(endpoint)
        await self.act(card, "vote", first)
        http.mode = "refuse"
        await self.act(card, "withdraw")
        http.mode = "ok"

        # Another tab of the site chose the other tool since: its record, newer, arrives from storage.
        device = engine.device.to_json()
        key = vote_key(endpoint, comparison["id"])
        at = device["votes"][key]["at"] + 1000
        device["votes"][key] = {"tool": second, "at": at, "pending": False, "counted": second, "voted": True}
        await self.handle({"type": "device", "device": device})

        # A click the loader kept on the device before the engine was up, adopted at the next mount.
        endpoint = "https://early.example"
        at = int(time.time() * 1000)
        http.early.add(at)
        early = [{"endpoint": endpoint, "comparison": comparison["id"], "tool": first, "at": at}]
        message = {"type": "mount", "card": "trace-early", "bundle": url, "comparison": comparison["id"]}
        await self.handle({**message, "endpoint": endpoint, "options": {}, "device": device, "early": early})
        await self.delivered(endpoint)

        # A vote server that answers, but not to this page's origin (CORS): at load, then on a vote.
        http.mode = "cors"
        await self.mount(url, comparison["id"], "https://elsewhere.example", locale="de")
        http.mode = "ok"
        card = await self.mount(url, comparison["id"], "https://refusing.example")
        http.mode = "cors"
        await self.act(card, "vote", first)
        # One that cannot be reached from the start: its live votes are unavailable.
        http.mode = "down"
        await self.mount(url, comparison["id"], "https://down.example")
        http.mode = "ok"


async def drive(bundle_files: list[str]) -> None:
    http = Endpoint()
    posted: list[dict[str, Any]] = []

    def post(text: str) -> None:
        posted.append(json.loads(text))
        COVERAGE.posted(posted[-1])

    # Retries come soon, so the trace sees the outbox deliver a kept vote without waiting long.
    engine = browser.Engine(post, http, first_retry=RETRY)
    # The worker's entry point; the loop's handler of tasks no message awaits posts what they lacked there.
    if worker.start(lambda text: COVERAGE.posted(json.loads(text))) is None:
        raise TraceFailed(f"trace: the engine could not start: it lacks {sorted(COVERAGE.lacking)}")
    REQUIRED.update(COVERAGE.required(engine))
    Card.say = COVERAGE.said(Card.say)  # type: ignore[method-assign,assignment]
    reader = Reader(http, engine)
    mount, act = reader.mount, reader.act

    endpoint = "https://votes.example"
    for index, path in enumerate(bundle_files):
        with open(host_path(path), encoding="utf-8") as f:
            text = f.read()
        url = f"https://widget.example/bundle-{index}.json"
        http.bundles[url] = text
        bundle = json.loads(text)
        for comparison in bundle["comparisons"]:
            await mount(url, comparison["id"], None)
            card = await mount(url, comparison["id"], endpoint)
            first, second = comparison["tools"][:2]
            await act(card, "vote", first)
            await act(card, "vote", second)
            await act(card, "withdraw")
            for mode in ("refuse", "down"):
                http.mode = mode
                await act(card, "vote", first)
            await mount(url, comparison["id"], endpoint)
            http.mode = "ok"
            await reader.delivered(endpoint)  # the kept vote, on the courier's retry
        await mount(url, None, endpoint, sections=["vote", "cta"], headingLevel=4)
        await mount(url, "no-such-comparison", None)
        for locale in LOCALES:  # every language the engine speaks, with votes and an error card
            card = await mount(url, None, endpoint, locale=locale)
            await act(card, "vote", bundle["comparisons"][0]["tools"][0])
            await mount(url, "no-such-comparison", endpoint, locale=locale)

        # Results after the vote: hidden, then shown with the vote and after its withdrawal.
        card = await mount(url, None, endpoint, results="after-vote")
        await act(card, "vote", bundle["comparisons"][0]["tools"][0])
        await act(card, "withdraw")
        # A closed comparison (final results, its date in every locale) and one that closes while open.
        for closes_at in ("2000-01-01T00:00:00Z", "2999-01-01T00:00:00+01:00"):
            timed = json.loads(text)
            timed["comparisons"][0]["closes_at"] = closes_at
            http.bundles[f"{url}?closes={closes_at}"] = json.dumps(timed)
            for locale in LOCALES:
                card = await mount(f"{url}?closes={closes_at}", None, endpoint, locale=locale)
            engine._close(engine._cards[card])
            await act(card, "vote", bundle["comparisons"][0]["tools"][0])
        for number, breakage in enumerate(BREAKAGES):
            broken = json.loads(text)
            breakage(broken)
            http.bundles[f"{url}?broken={number}"] = json.dumps(broken)
            await mount(f"{url}?broken={number}", None, endpoint)
        if index == 0:
            await reader.vote_paths(url, bundle["comparisons"][0])
    http.bundles["https://widget.example/not-json.json"] = '{\n  "format": "verdict/1",\n  "tools": [,]\n}'
    await mount("https://widget.example/not-json.json", None, None)
    await mount("missing:https://widget.example/gone.json", None, None)
    http.mode = "down"
    await mount(UNREACHABLE + "bundle.json", None, None)
    await reader.handle({"type": "unmount", "card": "trace-1"})
    await reader.handle({"type": "nonsense"})
    warnings.warn("a warning, formatted as the runtime would", stacklevel=1)
    if COVERAGE.lacking:
        raise TraceFailed(f"trace: the runtime lacks modules the engine imports: {sorted(COVERAGE.lacking)}")
    if not any(m["type"] == "html" and "vd-error" in m["html"] for m in posted):
        raise TraceFailed("trace: no error card was rendered")
    if not any(m["type"] == "event" for m in posted):
        raise TraceFailed("trace: no vote was confirmed")


# No argparse: the trace must not import what the engine does not.
def arguments() -> tuple[str, list[str]]:
    """(--out's file, the bundles) from the command line."""
    out = sys.argv[sys.argv.index("--out") + 1]
    return out, [arg for arg in sys.argv[1:] if arg not in ("--out", out)]


async def main() -> None:
    """Called by the runner."""
    await drive(arguments()[1])


async def report() -> None:
    """Called by the runner last."""
    files = sorted(
        {
            origin
            for module in list(sys.modules.values())
            if isinstance(origin := getattr(getattr(module, "__spec__", None), "origin", None), str)
        }
    )
    with open(host_path(arguments()[0]), "w", encoding="utf-8") as f:
        coverage = {"required": REQUIRED, "reached": {what: sorted(items) for what, items in COVERAGE.reached.items()}}
        json.dump({"python": sys.version, "path": sys.path, "files": files, "coverage": coverage}, f, indent=1)
