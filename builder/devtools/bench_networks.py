"""Start-up and bytes under real network shapes (``bench.PROFILES``), each against the bare page at the same shape.

For each throttled profile (DevTools network emulation and CPU throttling),
cold (a fresh profile) and warm (a second visit: the HTTP cache filled by a
first one, made without throttling since only the cache it leaves matters),
in the same run:

- the bare page: Pyodide + pydantic + the demo bundle validated, main thread;
- the floor: the runtime readers get, booted in a worker as the page's first
  act (the widget's overhead is the card's engine-ready time over it);
- the demo post with the engine started near the viewport
  (``data-lazy="viewport"``, the default before live cards): card visible,
  engine ready, bytes;
- the demo post as published (the default): card visible, live figures (the
  endpoint's card), and the early click: a click on a vote control the moment
  the card is visible, when it showed as taken and when the vote was confirmed;
- the reader who never votes, per lazy mode (cold): bytes until the network
  is quiet, and how long the runtime's download kept the network busy;
  ``interaction`` is also what every card gets on a slow connection, measured
  at the "3g" shape, where Chromium reports ``effectiveType`` "3g".

One run per load (a phone's bare page takes minutes): the figures are single
loads, the ratios are to the bare page of the same minutes.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Request

from .bench_profiles import ENGINE_TIMEOUT, TOOL, WATCH_EARLY_CLICK, Profile

RUNTIME_PATHS = ("/runtime/", "/packages/", "/assets/worker.")
MARK = "performance.getEntriesByName({!r}).length > 0"


@dataclass
class Traffic:
    """Encoded bytes received by the page and its worker, requests in flight, and when the runtime's came."""

    bytes: int = 0
    in_flight: int = 0
    last_change: float = field(default_factory=time.monotonic)
    runtime_first: float | None = None
    runtime_last: float | None = None

    def watch(self, context: BrowserContext) -> None:
        context.on("request", self._started)
        context.on("requestfinished", self._finished)
        context.on("requestfailed", self._failed)

    def _runtime(self, request: Request) -> bool:
        return any(part in request.url for part in RUNTIME_PATHS)

    def _started(self, request: Request) -> None:
        self.in_flight += 1
        self.last_change = time.monotonic()
        if self._runtime(request) and self.runtime_first is None:
            self.runtime_first = self.last_change

    def _finished(self, request: Request) -> None:
        try:
            sizes = request.sizes()
            self.bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        except Exception:  # a request Chromium gives no sizes for (blob:, data:) weighs nothing
            pass
        self._failed(request)
        if self._runtime(request):
            self.runtime_last = self.last_change

    def _failed(self, request: Request) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last_change = time.monotonic()

    def wait_quiet(self, page: Page, seconds: float, timeout_s: float) -> None:
        """Until nothing has been requested or received for `seconds` (the reader reads, then leaves)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.in_flight == 0 and time.monotonic() - self.last_change >= seconds:
                return
            page.wait_for_timeout(250)

    @property
    def mb(self) -> float:
        return self.bytes / 1e6

    @property
    def runtime_busy_s(self) -> float:
        if self.runtime_first is None or self.runtime_last is None:
            return 0.0
        return self.runtime_last - self.runtime_first


def _click(page: Page, selector: str) -> None:
    """A reader's click at the control's place (a mouse click, whatever state the control is in)."""
    control = page.locator(selector)
    control.evaluate("(c) => c.scrollIntoView({ block: 'center' })")
    box = control.bounding_box()
    if box is None:
        raise SystemExit(f"bench: {selector} is not on the page")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _context(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    return context, context.new_page()


def _warm_up(page: Page, url: str, done: str) -> None:
    """A first visit, unthrottled, that fills the HTTP cache (and, on the card's pages, notes the compiled core)."""
    page.goto(url)
    page.wait_for_function(done, timeout=ENGINE_TIMEOUT)
    page.wait_for_timeout(3000)
    page.goto("about:blank")


Warm = tuple[str, str] | None
"""A first visit (URL, and the performance mark it waits for) that fills the HTTP cache; None: a cold load."""


def timed_load(browser: Browser, url: str, marks: dict[str, str], profile: Profile, warm: Warm) -> dict[str, Any]:
    """One load of `url` at `profile`: when each performance mark first came (ms), and the bytes to the last."""
    context, page = _context(browser)
    try:
        if warm:
            _warm_up(page, warm[0], MARK.format(warm[1]))
        traffic = Traffic()
        traffic.watch(context)
        profile.apply(context.new_cdp_session(page))
        page.goto(url, wait_until="commit")
        figures: dict[str, Any] = {}
        for key, mark in marks.items():
            page.wait_for_function(MARK.format(mark), timeout=profile.timeout_ms)
            figures[key] = page.evaluate(f"performance.getEntriesByName({mark!r})[0].startTime")
        figures["mb"] = traffic.mb
        return figures
    finally:
        context.close()


def early_click(browser: Browser, url: str, profile: Profile, warm: Warm) -> dict[str, Any]:
    """A click on a vote control the moment the card is visible (first paint); taken and confirmed (ms)."""
    context, page = _context(browser)
    try:
        if warm:
            _warm_up(page, warm[0], MARK.format(warm[1]))
            # The warm-up's engine made no vote; its device keeps only what a returning reader's would.
        traffic = Traffic()
        traffic.watch(context)
        profile.apply(context.new_cdp_session(page))
        page.add_init_script(WATCH_EARLY_CLICK)
        page.goto(url, wait_until="commit")
        page.wait_for_function(MARK.format("first-contentful-paint"), timeout=profile.timeout_ms)
        choice = f"button.vd-choice[data-tool='{TOOL}']"
        _click(page, choice)
        page.wait_for_function("window.__early.click !== undefined")
        if not page.evaluate("window.__early.taken !== undefined"):
            page.wait_for_function("window.__early.ready !== undefined", timeout=profile.timeout_ms)
            _click(page, choice)  # the reader tries again the moment the control says it is ready
        page.wait_for_function("window.__early.confirmed !== undefined", timeout=profile.timeout_ms)
        figures: dict[str, Any] = page.evaluate(
            "() => ({ ...window.__early, visible: performance.getEntriesByName('first-contentful-paint')[0].startTime,"
            " engine: performance.getEntriesByName('verdict:engine-ready')[0]?.startTime ?? 0 })"
        )
        figures["mb"] = traffic.mb
        return figures
    finally:
        context.close()


def never_votes(browser: Browser, url: str, profile: Profile) -> dict[str, float]:
    """A first-time reader who views the card and leaves without touching it: bytes, and the runtime's busy time."""
    context, page = _context(browser)
    try:
        traffic = Traffic()
        traffic.watch(context)
        profile.apply(context.new_cdp_session(page))
        page.goto(url, wait_until="commit")
        page.wait_for_function(MARK.format("verdict:card-visible"), timeout=profile.timeout_ms)
        traffic.wait_quiet(page, 3, profile.timeout_ms / 1000)
        return {
            "mb": traffic.mb,
            "busy_s": traffic.runtime_busy_s,
            "live": bool(page.evaluate(MARK.format("verdict:live-card"))),
            "engine": bool(page.evaluate(MARK.format("verdict:engine-ready"))),
        }
    finally:
        context.close()


LAZY_PAGES = {  # lazy mode -> the bench page (bench.write_pages) and what the reader sees
    "false": ("eager.html", "the engine at once"),
    "viewport": ("viewport.html", "the engine near the viewport (the default before live cards)"),
    "true (the default)": ("", "live figures from the endpoint near the viewport, the engine on touch"),
    "interaction": ("interaction.html", "the published card; nothing until touch"),
}


def section(
    browser: Browser, blog: str, profile: Profile, slow: Profile
) -> tuple[str, dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The tables for one profile, as Markdown, and the rows and lazy modes they were made of."""
    started = time.monotonic()
    post, viewport = f"{blog}/", f"{blog}/viewport.html"
    engine_marks = {"visible": "verdict:card-visible", "ready": "verdict:engine-ready"}
    rows: dict[str, dict[str, Any]] = {}
    for temperature in ("cold", "warm"):
        warm = temperature == "warm"
        bare, floor = f"{blog}/bare/", f"{blog}/floor/"
        engine: Warm = (viewport, "verdict:engine-card") if warm else None
        rows[f"bare page {temperature}"] = timed_load(
            browser, bare, {"ready": "bare:ready"}, profile, (bare, "bare:ready") if warm else None
        )
        rows[f"floor {temperature}"] = timed_load(
            browser, floor, {"ready": "floor:engine"}, profile, (floor, "floor:engine") if warm else None
        )
        rows[f"post, engine near the viewport {temperature}"] = timed_load(
            browser, viewport, engine_marks, profile, engine
        )
        live_marks = {"visible": "verdict:card-visible", "live": "verdict:live-card"}
        rows[f"post as published {temperature}"] = timed_load(browser, post, live_marks, profile, engine)
        rows[f"early click {temperature}"] = early_click(browser, post, profile, engine)
        print(f"bench: {profile.label} {temperature} done", file=sys.stderr, flush=True)
    modes = {mode: never_votes(browser, f"{blog}/{page}", profile) for mode, (page, _) in LAZY_PAGES.items()}
    modes["true, on a slow connection"] = never_votes(browser, post, slow)
    took = time.monotonic() - started
    return _tables(profile, slow, rows, modes, took), rows, modes


def _tables(profile: Profile, slow: Profile, rows: dict[str, Any], modes: dict[str, Any], took: float) -> str:
    lines = [
        f"#### {profile.label}",
        "",
        f"One load each ({took / 60:.0f} min for this profile); ratios to the bare page at the same profile and "
        "temperature, same run",
        "",
        "| load | card visible | live figures | engine ready | vote shown as taken | vote confirmed | downloaded |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        bare = rows["bare page warm" if name.endswith("warm") else "bare page cold"]["ready"]

        def at(ms: float | None, bare: float = bare) -> str:
            return f"{ms:,.0f} ms ({ms / bare:.3f}×)" if ms else "—"

        if name.startswith("early click"):
            cells = [at(row["click"]), "—", at(row["engine"]), f"{row['taken']:,.0f} ms", at(row["confirmed"])]
        else:
            cells = [at(row.get("visible")), at(row.get("live")), at(row.get("ready")), "—", "—"]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {row['mb']:.3f} MB |")
    lines += [""]
    for temperature in ("cold", "warm"):
        floor = rows[f"floor {temperature}"]["ready"]
        card = rows[f"post, engine near the viewport {temperature}"]["ready"]
        bare = rows[f"bare page {temperature}"]["ready"]
        lines.append(
            f"Widget overhead over the floor, {temperature}: engine ready {card:,.0f} ms against the floor's "
            f"{floor:,.0f} ms: {(card - floor) / bare:+.3f}× of the bare page ({card / floor:.2f}× the floor)."
        )
    lines += [
        "",
        "A reader who views the card and leaves without touching it (cold, until the network is quiet for 3 s):",
        "",
        "| data-lazy | what the reader gets | downloaded | runtime download kept the network busy |",
        "|---|---|---:|---:|",
    ]
    for mode, figures in modes.items():
        what = LAZY_PAGES[mode][1] if mode in LAZY_PAGES else f"as interaction ({slow.label})"
        busy = f"{figures['busy_s']:.1f} s" if figures["busy_s"] else "—"
        lines.append(f"| {mode} | {what} | {figures['mb']:.3f} MB | {busy} |")
    return "\n".join(lines)


def bytes_of_card(dist: Path) -> float:
    """The card itself, as the first script, the loader and the prerendered cards (brotli), in MB."""
    import json

    assets = json.loads((dist / "manifest.json").read_text())["assets"]
    files = [dist / "embed.js", dist / assets["loader"], *(dist / f for f, _ in assets["prerendered"].values())]

    def wire(file: Path) -> int:
        twin = file.with_name(file.name + ".br")
        return (twin if twin.exists() else file).stat().st_size

    return sum(wire(f) for f in files) / 1e6
