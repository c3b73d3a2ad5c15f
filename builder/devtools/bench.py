"""Start-up figures in real Chromium, each as a ratio to a bare page measured in the same run.

The anchor ("bare page") is the simplest way anyone would run our engine: a
page that loads the same Pyodide from its npm package on the main thread,
loads pydantic and our engine from their plain wheels, and validates the demo
bundle. Against it, in the same run and on the same servers:

- the floor: the runtime readers get (trimmed, precompiled) booted in a
  worker as a page's first act, with nothing of the widget around it: when
  Pyodide is up, when the wheels are installed, when our engine is imported.
  No engine on this runtime is ready sooner; it tells what is the widget's
  cost and what is the runtime's;
- the demo post with one card (the engine started near the viewport,
  ``data-lazy="viewport"``) and with five cards: when the card shows, when
  the engine is ready, when every card is live, the longest main-thread task
  and the total blocked time, and the memory of the page and of its worker
  (DevTools protocol, per target), cold (fresh profile) and warm (reload,
  HTTP cache filled);
- the demo post with the card set to ``data-lazy="interaction"``: what a
  reader downloads until they touch the card;
- Lighthouse on the demo post with and without the card (performance score,
  CLS, total byte weight), medians of three runs each.

Under the network and CPU shapes of ``PROFILES`` other than loopback (the
phone's, Lighthouse's mobile figures, and a broadband line),
builder/devtools/bench_networks.py: the bare page, the floor, the post with the
engine near the viewport and as published (live figures from the endpoint),
the early click (a click on a vote control the moment the card is visible:
when it was shown as taken and when the vote was confirmed), cold and warm,
and the bytes of a reader who never touches the card, per lazy mode.

Timings on a shared machine are noisy: the table gives medians and ratios,
never a pass mark. ``--figures FILE`` writes them as data (builder/devtools/bench_record.py), which
``build.py bench --record`` keeps as a run file under bench/runs/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, Request, sync_playwright

from ..paths import DEMO, DIST, ROOT
from ..runtime import fetch, pipeline
from . import bench_record
from .bench_profiles import ENGINE_TIMEOUT, PROFILES, SLOW, Profile
from .chromium import CHROMIUM, FLAGS
from .serve import demo_in_background

SEED = "heygen-avatar-sdk-v3-vs-mistral-4b-edge"


OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
  .observe({ type: "longtask", buffered: true });
"""

MEASURE = """() => {
  const first = (name) => (performance.getEntriesByName(name)[0] || {}).startTime ?? null;
  const last = (name) => (performance.getEntriesByName(name).at(-1) || {}).startTime ?? null;
  const tasks = window.__longTasks || [];
  return {
    fcp: first("first-contentful-paint"),
    visible: first("verdict:card-visible"),
    ready: first("verdict:engine-ready") ?? first("bare:ready"),
    live: last("verdict:engine-card") ?? first("bare:ready"),
    cards: performance.getEntriesByName("verdict:engine-card").length,
    floor_pyodide: first("floor:pyodide"),
    floor_wheels: first("floor:wheels"),
    floor_engine: first("floor:engine"),
    longest: tasks.length ? Math.max(...tasks) : 0,
    blocked: tasks.reduce((a, b) => a + Math.max(0, b - 50), 0),
  };
}"""

BARE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare Pyodide + pydantic</title></head>
<body><h1>Pyodide, pydantic and the demo bundle, the plain way</h1><p id="status">loading…</p>
<script type="module">
  import { loadPyodide } from "./pyodide/pyodide.mjs";
  const pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", location.href).href });
  await pyodide.loadPackage(WHEELS.map((w) => new URL("./wheels/" + w, location.href).href));
  const bundle = await (await fetch("./comparisons.json")).text();
  pyodide.globals.set("bundle_text", bundle);
  pyodide.runPython("from verdict.bundle import load_bundle; load_bundle(bundle_text)");
  performance.mark("bare:ready");
  document.getElementById("status").textContent = "validated";
</script></body></html>
"""

# The floor: the runtime readers get, booted in a worker as the page's first act, with nothing of the
# widget around it (builder/devtools/floor_worker.mjs). Any engine on this runtime is ready no sooner.
FLOOR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Our runtime alone, in a worker</title></head>
<body><h1>The runtime readers get, booted in a worker, nothing else</h1>
<script type="module">
  const widget = "{{widget}}/";
  const assets = ASSETS;
  const runtime = {
    indexURL: widget + assets.indexURL,
    coreURL: widget + assets.core,
    stdlib: widget + assets.stdlib,
    lock: widget + assets.lock,
    wheels: WHEELS.map((name) => widget + assets.packages + name),
  };
  const worker = new Worker("./worker.mjs", { type: "module" });
  worker.onmessage = ({ data }) => performance.mark("floor:" + data);
  worker.postMessage({ runtime });
  worker.postMessage({ core: await WebAssembly.compileStreaming(fetch(runtime.coreURL)) });
</script></body></html>
"""
FLOOR_STEPS = (("pyodide", "Pyodide booted"), ("wheels", "+ wheels installed"), ("engine", "+ engine imported"))

INLINE_CARD = re.compile(r"<div data-verdict\b.*?</div>", re.S)
SCRIPT_TAG = re.compile(r"<script src=\"\{\{widget\}\}/embed\.js\".*?</script>", re.S)


def write_pages(folder: Path) -> None:
    """The bench's pages, served by the blog origin next to the demo's."""
    post = (DEMO / "index.html").read_text()
    tag = SCRIPT_TAG.search(post)
    if tag is None:
        raise SystemExit("demo/index.html lost its embed.js script tag")
    (folder / "no-card.html").write_text(SCRIPT_TAG.sub("", post))
    for mode, name in (("interaction", "interaction"), ("viewport", "viewport"), ("false", "eager")):
        lazy = tag.group(0).replace("async></script>", f'data-lazy="{mode}" async></script>')
        (folder / f"{name}.html").write_text(post.replace(tag.group(0), lazy))
    # Five script-form cards in place of the post's inline card, all booting at once.
    five = "\n".join(
        f'<div data-verdict data-bundle="{{{{widget}}}}/bundles/comparisons.json" data-endpoint="{{{{votes}}}}" '
        f'data-comparison="{SEED}" data-theme="{theme}"></div>'
        for theme in ("light", "dark", "auto", "light", "dark")
    )
    eager = tag.group(0).replace("async></script>", 'data-lazy="false" async></script>')
    without_inline = INLINE_CARD.sub("", post, count=1)
    (folder / "five.html").write_text(without_inline.replace(tag.group(0), five + "\n" + eager))

    bare = folder / "bare"
    (bare / "pyodide").mkdir(parents=True)
    (bare / "wheels").mkdir()
    pyodide_dir = fetch.pyodide()
    for name in fetch.PYODIDE_FILES:
        shutil.copy2(pyodide_dir / name, bare / "pyodide" / name)
    wheels = [*fetch.wheels(), pipeline.build_engine_wheel(bare / "wheels")]
    for wheel in wheels:
        if wheel.parent != bare / "wheels":
            shutil.copy2(wheel, bare / "wheels" / wheel.name)
    shutil.copy2(DEMO / "comparisons.json", bare / "comparisons.json")
    names = json.dumps(sorted(w.name for w in wheels))
    (bare / "index.html").write_text(BARE_PAGE.replace("WHEELS", names))

    floor = folder / "floor"
    floor.mkdir()
    shipped = pipeline.shipped_runtime().folder
    for name in ("pyodide.mjs", "pyodide.asm.mjs"):
        shutil.copy2(shipped / name, floor / name)
    shutil.copy2(Path(__file__).with_name("floor_worker.mjs"), floor / "worker.mjs")
    assets = json.loads((DIST / "manifest.json").read_text())["assets"]
    lock = json.loads((DIST / assets["lock"]).read_text())
    shipped_wheels = json.dumps(sorted(p["file_name"] for p in lock["packages"].values()))
    page = FLOOR_PAGE.replace("ASSETS", json.dumps(assets)).replace("WHEELS", shipped_wheels)
    (floor / "index.html").write_text(page)


# ---- memory through the DevTools protocol, per target ------------------------


def _heap(usage: dict[str, Any]) -> float:
    """JS heap, the DOM's (embedder) heap and ArrayBuffer backing stores (WebAssembly memory), in MB."""
    return float(sum(usage.get(key, 0) for key in ("usedSize", "embedderHeapUsedSize", "backingStorageSize"))) / 1e6


def page_memory(session: CDPSession) -> float:
    return _heap(session.send("Runtime.getHeapUsage"))


def worker_memory(browser_session: CDPSession, page: Page) -> float:
    """Every dedicated worker's heap, through Target.sendMessageToTarget (Playwright has no worker sessions)."""
    answers: dict[str, dict[str, Any]] = {}

    def received(event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if message.get("id") == 1:
            answers[event["sessionId"]] = message.get("result", {})

    browser_session.on("Target.receivedMessageFromTarget", received)
    total = 0.0
    for target in browser_session.send("Target.getTargets")["targetInfos"]:
        if target["type"] != "worker":
            continue
        session = browser_session.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": False})
        session_id = session["sessionId"]
        message = json.dumps({"id": 1, "method": "Runtime.getHeapUsage"})
        browser_session.send("Target.sendMessageToTarget", {"sessionId": session_id, "message": message})
        for _ in range(100):
            if session_id in answers:
                break
            page.wait_for_timeout(50)
        total += _heap(answers.get(session_id, {}))
        browser_session.send("Target.detachFromTarget", {"sessionId": session_id})
    return total


# ---- runs ---------------------------------------------------------------------


class Downloads:
    """Encoded bytes received by the page and its worker (Playwright's per-request sizes)."""

    def __init__(self, context: BrowserContext):
        self.bytes = 0
        context.on("requestfinished", self._add)

    def _add(self, request: Request) -> None:
        sizes = request.sizes()
        self.bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    @property
    def mb(self) -> float:
        return self.bytes / 1e6


def load(browser: Browser, url: str, done: str, warm: bool) -> dict[str, float]:
    """One load of `url` in a fresh profile (and, if `warm`, a second one from its HTTP cache)."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script(OBSERVE_LONG_TASKS)
        if warm:  # a first visit fills the HTTP cache
            page.goto(url)
            page.wait_for_function(done, timeout=ENGINE_TIMEOUT)
            # A reader stays longer than this; once idle, the page compiles the core for the next visit.
            page.wait_for_timeout(3000)
            page.goto("about:blank")
        downloads = Downloads(context)
        page.goto(url)
        page.wait_for_function(done, timeout=ENGINE_TIMEOUT)
        # Long enough for a first view's idle-time compile of the core on the page (loader/core.js) to
        # count among the main-thread tasks.
        page.wait_for_timeout(2500)
        figures: dict[str, float] = page.evaluate(MEASURE)
        session = context.new_cdp_session(page)
        figures["page_mb"] = page_memory(session)
        figures["worker_mb"] = worker_memory(browser.new_browser_cdp_session(), page)
        figures["memory_mb"] = figures["page_mb"] + figures["worker_mb"]
        figures["download_mb"] = downloads.mb
        return figures
    finally:
        context.close()


def interaction_bytes(browser: Browser, url: str) -> float:
    """What a reader downloads from a data-lazy="interaction" post before touching the card, in MB."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        downloads = Downloads(context)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("performance.getEntriesByName('verdict:card-visible').length > 0")
        page.wait_for_timeout(2000)
        return downloads.mb
    finally:
        context.close()


def lighthouse(url: str, runs: int) -> dict[str, float]:
    """Medians of Lighthouse's performance score, CLS and total byte weight (KiB)."""
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            subprocess.run(
                [
                    str(binary),
                    url,
                    "--only-categories=performance",
                    "--output=json",
                    f"--output-path={report}",
                    "--quiet",
                    f"--chrome-flags={' '.join(FLAGS)}",
                ],
                check=True,
                env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
                timeout=300,
            )
            data = json.loads(report.read_text())
        audits = data["audits"]
        results.append(
            {
                "score": data["categories"]["performance"]["score"] * 100,
                "cls": audits["cumulative-layout-shift"]["numericValue"],
                "kib": audits["total-byte-weight"]["numericValue"] / 1024,
                # "Avoid enormous network payloads": passed at a score of 0.9 or more (about 2,667 KiB or less).
                "payload_score": audits["total-byte-weight"]["score"],
            }
        )
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


# ---- report -------------------------------------------------------------------


def median(results: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] or 0 for r in results) for key in results[0]}


def cold_download() -> dict[str, float]:
    """What a first-time reader downloads from the widget host to engine ready, per encoding, in MB."""
    assets = json.loads((DIST / "manifest.json").read_text())["assets"]
    lock = json.loads((DIST / assets["lock"]).read_text())
    files = [
        DIST / "embed.js",
        DIST / assets["loader"],
        DIST / assets["worker"],
        DIST / assets["stdlib"],
        DIST / assets["lock"],
        DIST / assets["indexURL"] / "pyodide.asm.wasm",  # Pyodide's JavaScript is inside the worker
        *(DIST / assets["packages"] / p["file_name"] for p in lock["packages"].values()),
        *(DIST / file for file, _integrity in assets["prerendered"].values()),
    ]

    def size(file: Path, suffixes: tuple[str, ...]) -> int:
        twins = [file.with_name(file.name + s) for s in suffixes]
        return min([file.stat().st_size] + [t.stat().st_size for t in twins if t.exists()])

    return {
        name: sum(size(f, suffixes) for f in files) / 1e6
        for name, suffixes in (("uncompressed", ()), ("gzip", (".gz",)), ("brotli", (".br", ".gz")))
    }


def table(figures: dict[str, dict[str, float]], runs: int, lh: dict[str, dict[str, float]] | None) -> str:
    bare_cold, bare_warm = figures["bare cold"], figures["bare warm"]
    lines = [
        f"{runs} runs each, medians; ratios to the bare page (Pyodide + pydantic + demo bundle validated, "
        "main thread), same run, same temperature",
        "",
        "| load | card visible | engine ready | all cards live | longest main-thread task | memory page + worker |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in figures.items():
        if name.startswith("floor"):
            continue
        bare = bare_warm if "warm" in name else bare_cold

        def ratio(key: str, row: dict[str, float] = row, bare: dict[str, float] = bare) -> str:
            return f"{row[key] / bare[key]:.2f}×" if bare[key] else "—"

        def timed(key: str, row: dict[str, float] = row) -> str:
            return f"{row[key]:.0f} ms ({ratio(key)})" if row[key] else "—"

        visible = f"{row['visible']:.0f} ms" if row["visible"] else "—"
        lines.append(
            f"| {name} | {visible} | {timed('ready')} | {timed('live')} | {row['longest']:.0f} ms "
            f"| {row['page_mb']:.0f} + {row['worker_mb']:.0f} MB ({ratio('memory_mb')}) |"
        )
    lines += [
        "",
        "The floor: the runtime readers get, booted in a worker as the page's first act (no loader, no card; "
        "the core compiled on the page), ratios to the bare page:",
        "",
        "| load | " + " | ".join(label for _, label in FLOOR_STEPS) + " |",
        "|---|" + "---:|" * len(FLOOR_STEPS),
    ]
    for temperature, bare in (("cold", bare_cold), ("warm", bare_warm)):
        row = figures[f"floor {temperature}"]
        at = [row[f"floor_{step}"] for step, _ in FLOOR_STEPS]
        cells = [f"{ms:.0f} ms ({ms / bare['ready']:.2f}×)" for ms in at]
        lines.append(f"| floor {temperature} | " + " | ".join(cells) + " |")
    if lh:
        lines += [
            "",
            "Lighthouse (performance, mobile defaults), medians of 3:",
            "",
            '| demo post | score | CLS | total byte weight | "Avoid enormous network payloads" |',
            "|---|---:|---:|---:|---|",
        ]
        lines += [
            f"| {name} | {row['score']:.0f} | {row['cls']:.3f} | {row['kib']:,.0f} KiB "
            f"| {'passed' if row['payload_score'] >= 0.9 else 'failed'} ({row['payload_score']:.2f}) |"
            for name, row in lh.items()
        ]
    return "\n".join(lines)


@contextmanager
def servers(port: int, pages: Path) -> Iterator[str]:
    """The demo's three origins (blog + bench pages, widget host, votes), stopped on exit; the blog's URL."""
    with demo_in_background(port, pages / "servers.log", pages=pages, database=pages / "bench-votes.db") as where:
        yield where["blog"]


def startup(args: argparse.Namespace) -> tuple[str, bench_record.Figures]:
    """The start-up section of the bench, as Markdown and as figures."""
    with tempfile.TemporaryDirectory() as tmp, servers(args.port, Path(tmp)) as blog:
        write_pages(Path(tmp))
        ready = "performance.getEntriesByName('verdict:engine-card').length >= {n}"
        loads: dict[str, tuple[str, str]] = {
            "bare": (f"{blog}/bare/", "performance.getEntriesByName('bare:ready').length > 0"),
            "floor": (f"{blog}/floor/", "performance.getEntriesByName('floor:engine').length > 0"),
            # The post alone: the host's own main-thread tasks, to tell the widget's apart.
            "post without the card": (f"{blog}/no-card.html", "document.readyState === 'complete'"),
            # The engine near the viewport (data-lazy="viewport"): as the post as published, before live cards.
            "one card": (f"{blog}/viewport.html", ready.format(n=1)),
            "five cards": (f"{blog}/five.html", ready.format(n=5)),
        }
        figures: dict[str, dict[str, float]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=FLAGS)
            for temperature in ("cold", "warm"):
                for name, (url, done) in loads.items():
                    results = [load(browser, url, done, temperature == "warm") for _ in range(args.runs)]
                    figures[f"{name} {temperature}"] = median(results)
                    print(f"bench: {name} {temperature} done", file=sys.stderr, flush=True)
            before_touch = statistics.median(interaction_bytes(browser, f"{blog}/interaction.html") for _ in range(3))
            browser.close()
        lh = None
        if not args.no_lighthouse:
            lh = {"with the card": lighthouse(f"{blog}/", 3), "without the card": lighthouse(f"{blog}/no-card.html", 3)}
    sizes = cold_download()
    one = figures["one card cold"]["download_mb"]
    first_script = len((DIST / "embed.js.gz").read_bytes())
    data = bench_record.startup_figures(figures, FLOOR_STEPS, lh, sizes, before_touch, first_script)
    text = "\n".join(
        [
            table(figures, args.runs, lh),
            "",
            "Cold download from the widget host to engine ready: "
            + ", ".join(f"{v:.2f} MB {k}" for k, v in sizes.items())
            + f" (measured in the browser, page and worker: {one:.2f} MB).",
            f'With data-lazy="interaction" (or on a slow connection) the post downloads {before_touch:.2f} MB '
            f"until the reader touches the card: {one - before_touch:.2f} MB saved for readers who never do.",
            f"First script (embed.js): {first_script} bytes gzip.",
        ]
    )
    return text, data


# ---- the early click, at a network and CPU shape ------------------------------

# Times (performance.now(), ms from navigation) of the reader's first press that lands on a vote control
# (clicks before the card has painted land on nothing), of the control first shown as taken (pressed), of
# its being ready (enabled), and of the vote confirmed.


def networks(args: argparse.Namespace, profiles: list[Profile]) -> tuple[str, bench_record.Figures]:
    """builder/devtools/bench_networks.py's tables for each throttled profile, on the demo's servers."""
    from . import bench_networks

    with tempfile.TemporaryDirectory() as tmp, servers(args.port, Path(tmp)) as blog:
        write_pages(Path(tmp))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=FLAGS)
            parts = []
            data: bench_record.Figures = {}
            for profile in profiles:
                text, rows, modes = bench_networks.section(browser, blog, profile, SLOW)
                parts.append(text)
                name = next(key for key, known in PROFILES.items() if known == profile)
                data.update(bench_record.network_figures(name, rows, modes))
                print(f"bench: {profile.label} done", file=sys.stderr, flush=True)
            browser.close()
    card = bench_networks.bytes_of_card(DIST)
    data["card bytes/first script, loader and prerendered cards/brotli"] = bench_record.figure(card, "MB")
    text = "\n\n".join(
        [
            "Under network shapes (DevTools network emulation and CPU throttling, page and worker):",
            *parts,
            f"The card itself (first script, loader, prerendered cards, brotli): {card:.3f} MB.",
        ]
    )
    return text, data


def main(argv: list[str] | None = None) -> None:
    """The start-up section of `build.py bench` (which then runs builder/devtools/bench_votes.py)."""
    parser = argparse.ArgumentParser(prog="build.py bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--no-lighthouse", action="store_true", help="skip the Lighthouse runs")
    parser.add_argument(
        "--figures", type=Path, help="write the figures as data to FILE (build.py bench --record keeps them)"
    )
    parser.add_argument(
        "--profiles",
        default=",".join(PROFILES),
        help=f"comma-separated shapes to run, of {', '.join(PROFILES)} (loopback: the start-up table; "
        "the others: builder/devtools/bench_networks.py's tables)",
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.profiles.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in PROFILES]
    if unknown:
        parser.error(f"--profiles: unknown {', '.join(unknown)}; the profiles are {', '.join(PROFILES)}")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    started = bench_record.start(args.chromium)
    sections, figures = [], {}
    if "loopback" in chosen:
        text, data = startup(args)
        sections.append(text)
        figures.update(data)
    throttled = [PROFILES[name] for name in chosen if name != "loopback"]
    if throttled:
        text, data = networks(args, throttled)
        sections.append(text)
        figures.update(data)
    runs = f"{args.runs} runs each" if "loopback" in chosen else "profiles " + ", ".join(chosen)
    text = f"### Run of {stamp} ({runs})\n\n" + "\n\n".join(sections) + "\n"
    print(text)
    if args.figures:
        options = {"runs": args.runs, "profiles": chosen, "lighthouse": not args.no_lighthouse}
        bench_record.part_file(args.figures, "startup", started, figures, options)
