"""Start-up figures of the demo in real Chromium, cold (a fresh profile per run).

For each run: the blog's own first contentful paint (the baseline, measured
in the same run), when the card is visible, when the engine is ready, when
the engine has re-rendered the card with live tallies, and how long the main
thread was blocked (long tasks) while all that happened. Timings on a shared
machine are noisy, so the table gives medians and ratios to the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import sync_playwright

from .paths import ROOT

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

OBSERVE_LONG_TASKS = """
window.__longTasks = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks += e.duration; })
  .observe({ type: "longtask", buffered: true });
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({ type: "layout-shift", buffered: true });
"""

MEASURE = """() => {
  const mark = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
  return {
    fcp: mark("first-contentful-paint"),
    visible: mark("verdict:card-visible"),
    ready: mark("verdict:engine-ready"),
    takeover: mark("verdict:engine-card"),
    blocked: window.__longTasks,
    cls: window.__cls,
  };
}"""


def run(blog: str, runs: int, chromium: str) -> list[dict[str, float]]:
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            page = context.new_page()
            page.add_init_script(OBSERVE_LONG_TASKS)
            page.goto(blog + "/")
            page.wait_for_function("performance.getEntriesByName('verdict:engine-card').length > 0", timeout=60_000)
            page.wait_for_timeout(300)
            results.append(page.evaluate(MEASURE))
            context.close()
        browser.close()
    return results


def table(results: list[dict[str, float]]) -> str:
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    base = median["fcp"]
    rows = [
        ("blog's first contentful paint (baseline)", "fcp"),
        ("card visible (prerendered)", "visible"),
        ("engine ready (Pyodide + engine in the worker)", "ready"),
        ("card re-rendered by the engine, live tallies", "takeover"),
        ("main thread blocked by long tasks, whole load", "blocked"),
    ]
    lines = [f"{len(results)} cold runs, medians", "", "| figure | median | ratio to baseline |", "|---|---:|---:|"]
    for label, key in rows:
        lines.append(f"| {label} | {median[key]:.0f} ms | {median[key] / base:.2f}× |")
    worst = max(r["cls"] for r in results)
    lines.append(f"| cumulative layout shift, card above the fold (worst run) | {worst:.2f} | — |")
    return "\n".join(lines)


def cold_download() -> str:
    """What a first-time reader downloads from the widget host, per encoding."""
    import json

    from .paths import DIST

    assets = json.loads((DIST / "manifest.json").read_text())["assets"]
    lock = json.loads((DIST / assets["lock"]).read_text())
    files = [
        DIST / "embed.js",
        DIST / assets["worker"],
        DIST / assets["stdlib"],
        DIST / assets["lock"],
        DIST / assets["indexURL"] / "pyodide.asm.wasm",  # Pyodide's JavaScript is inside the worker
        *(DIST / assets["packages"] / p["file_name"] for p in lock["packages"].values()),
        *(DIST / file for file, _integrity in assets["prerendered"].values()),
    ]

    def size(file, suffixes):
        return min(
            [file.stat().st_size]
            + [file.with_name(file.name + s).stat().st_size for s in suffixes if file.with_name(file.name + s).exists()]
        )

    totals = {
        name: sum(size(f, suffixes) for f in files) / 1e6
        for name, suffixes in (("uncompressed", ()), ("gzip", (".gz",)), ("brotli", (".br", ".gz")))
    }
    return "cold download from the widget host: " + ", ".join(f"{v:.2f} MB {k}" for k, v in totals.items())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="build.py bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    database = ROOT / "var" / "bench-votes.db"
    server = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--port", str(args.port), "--database", f"sqlite:///{database}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    blog = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port + 2}/healthz", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the demo servers did not start") from None
                time.sleep(0.1)
        print(table(run(blog, args.runs, args.chromium)))
        print("\n" + cold_download())
    finally:
        server.terminate()
        server.wait(10)
