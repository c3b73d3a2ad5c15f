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
named by ``--out``: what the runtime must keep.

Usage: trace_inside.py --out OUT.json BUNDLE.json [BUNDLE.json ...]
"""

import base64
import json
import os
import sys
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from verdict import browser
from verdict.i18n import SUPPORTED_LOCALES

UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens there


def host_path(path: str) -> str:
    root = os.environ.get("HOST_ROOT", "")
    return root + path if os.path.isabs(path) and root else path


def data_url(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return "data:application/json;base64," + base64.b64encode(text.encode()).decode()


class Endpoint:
    """The vote endpoint's answers, sent through the engine's real fetch as data: URLs."""

    def __init__(self) -> None:
        self.bundles: dict[str, str] = {}
        self.tallies: dict[str, dict[str, int]] = {}
        self.mode = "ok"  # "ok", "refuse" or "down"

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
        comparison = url.rsplit("/", 1)[-1] if "/v1/tallies/" in url else (body or {}).get("comparison", "")
        tallies = self.tallies.setdefault(comparison, {})
        vote = None
        if "/v1/votes" in url and body:
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


async def drive(bundle_files: list[str]) -> None:
    http = Endpoint()
    posted: list[dict[str, Any]] = []
    engine = browser.Engine(lambda text: posted.append(json.loads(text)), http)
    browser.start(lambda text: None)  # the worker's own entry point
    cards = 0

    async def mount(bundle: str, comparison: str | None, endpoint: str | None, **options: Any) -> str:
        nonlocal cards
        cards += 1
        card = f"trace-{cards}"
        message = {"type": "mount", "card": card, "bundle": bundle, "comparison": comparison, "endpoint": endpoint}
        await engine.handle(json.dumps({**message, "options": options, "device": {}}))
        return card

    async def act(card: str, action: str, tool: str | None = None) -> None:
        await engine.handle(json.dumps({"type": "action", "card": card, "action": action, "tool": tool}))

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
            await mount(url, comparison["id"], endpoint)  # tallies unavailable
            http.mode = "ok"
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
    http.bundles["https://widget.example/not-json.json"] = '{\n  "format": "verdict/1",\n  "tools": [,]\n}'
    await mount("https://widget.example/not-json.json", None, None)
    await mount("missing:https://widget.example/gone.json", None, None)
    http.mode = "down"
    await mount(UNREACHABLE + "bundle.json", None, None)
    await engine.handle(json.dumps({"type": "unmount", "card": "trace-1"}))
    await engine.handle(json.dumps({"type": "nonsense"}))
    warnings.warn("a warning, formatted as the runtime would", stacklevel=1)
    if not any(m["type"] == "html" and "vd-error" in m["html"] for m in posted):
        raise SystemExit("trace: no error card was rendered")
    if not any(m["type"] == "event" for m in posted):
        raise SystemExit("trace: no vote was confirmed")


# No argparse: the trace must not import what the engine does not.
OUT = sys.argv[sys.argv.index("--out") + 1]
BUNDLES = [arg for arg in sys.argv[1:] if arg not in ("--out", OUT)]


async def main() -> None:
    """Called by the runner."""
    await drive(BUNDLES)


async def report() -> None:
    """Called by the runner last."""
    files = sorted(
        {
            origin
            for module in list(sys.modules.values())
            if isinstance(origin := getattr(getattr(module, "__spec__", None), "origin", None), str)
        }
    )
    with open(host_path(OUT), "w", encoding="utf-8") as f:
        json.dump({"python": sys.version, "path": sys.path, "files": files}, f, indent=1)
