"""``python3 build.py screenshots``: the docs' pictures, taken from the built dist/.

Each picture is the real card (and the publisher's results page, on a month of
synthetic votes) in Debian's Chromium, served by the demo's three
origins exactly as ``build.py demo`` runs them, so the pictures stay true:
rerun this after changing the card. Writes docs/images/*.png.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..paths import ROOT
from . import card_pictures
from .chromium import CHROMIUM, FLAGS, free_port_run
from .serve import demo_in_background

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DOCS = ROOT / "docs" / "images"
SEED = "heygen-avatar-sdk-v3-vs-mistral-4b-edge"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
  body {{ margin: 0; padding: 24px; font-family: Georgia, serif; background: {background}; color: {color}; }}
  .layout {{ display: grid; grid-template-columns: {columns}; gap: 32px; align-items: start; }}
  article p {{ line-height: 1.6; }}
</style></head>
<body><div class="layout">{body}</div>
<script src="{{{{widget}}}}/embed.js" data-endpoint="{{{{votes}}}}" data-lazy="false" async></script>
</body></html>
"""
ARTICLE = (
    "<article><h1>Edge compute, three ways</h1>"
    + "<p>Our panel ran the same small service on three platforms for a month. "
    "The card in the sidebar has their calls and your vote.</p>" * 6 + "</article>"
)

# name -> (viewport width, page background, text colour, grid columns, body, element to capture or "viewport")
SHOTS: dict[str, tuple[int, str, str, str, str, str]] = {
    "card-light": (
        800,
        "#ffffff",
        "#1b1d22",
        "736px",
        f'<div id="card" data-verdict data-bundle="{{{{widget}}}}/bundles/comparisons.json" data-comparison="{SEED}">'
        "</div>",
        "#card",
    ),
    "card-dark": (
        800,
        "#101114",
        "#eceef2",
        "736px",
        f'<div id="card" data-verdict data-bundle="{{{{widget}}}}/bundles/comparisons.json" data-comparison="{SEED}"'
        ' data-theme="dark"></div>',
        "#card",
    ),
    "card-arabic": (
        800,
        "#ffffff",
        "#1b1d22",
        "736px",
        f'<div id="card" data-verdict data-bundle="{{{{widget}}}}/bundles/comparisons.json" data-comparison="{SEED}"'
        ' data-locale="ar"></div>',
        "#card",
    ),
    "card-three-tools": (
        800,
        "#ffffff",
        "#1b1d22",
        "736px",
        '<div id="card" data-verdict data-bundle="{{widget}}/bundles/lineup.json"'
        ' data-comparison="edge-runtimes-three-way" data-accent="#0f766e"></div>',
        "#card",
    ),
    "card-sidebar": (
        1400,
        "#ffffff",
        "#1b1d22",
        "minmax(0, 1fr) 300px",
        ARTICLE + '<aside id="card"><div data-verdict data-bundle="{{widget}}/bundles/lineup.json"'
        ' data-comparison="edge-runtimes-three-way"></div></aside>',
        "viewport",
    ),
}


def seed_votes(database: Path) -> None:
    """A month of synthetic votes on the seed comparison, with a few changes, so the results page has a story."""
    import time

    from .synthetic_votes import fill_sqlite

    bundle = json.loads((ROOT / "demo" / "comparisons.json").read_text())
    tools = next(c["tools"] for c in bundle["comparisons"] if c["id"] == SEED)
    fill_sqlite(database, SEED, tools, [1.0, 1.6], 4200, 30, int(time.time()))
    # The closed comparison's month of votes up to its close, so its final result has figures.
    closed_at = int(card_pictures.CLOSED_AT.timestamp())
    fill_sqlite(database, card_pictures.CLOSED, tools, [1.3, 1.0], 1800, 30, closed_at, seed=2)


def pictures() -> list[str]:
    """The file name of every picture this makes, in docs/images/."""
    states = [shot.name for shot in card_pictures.shots()]
    return [f"{name}.png" for name in (*SHOTS, *states, "configurator", "results")]


def results_shot(browser: Browser, votes: str) -> None:
    """The publisher's results page, signed in with the demo's admin key."""
    from .serve import demo_admin_key

    page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
    page.goto(f"{votes}/results")
    page.get_by_label("Admin key of this site").fill(demo_admin_key())
    page.get_by_role("button", name="Open the results").click()
    page.goto(f"{votes}/results?comparison={SEED}&view=day")
    page.screenshot(path=str(DOCS / "results.png"), full_page=True)
    print("docs/images/results.png", flush=True)
    page.close()


def main(argv: list[str] | None = None) -> None:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(prog="build.py screenshots")
    parser.add_argument("--only", choices=["results"], help="only the results page's picture")
    only = parser.parse_args(argv).only
    DOCS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp)
        seed_votes(pages / "votes.db")
        for name, (_, background, color, columns, body, _) in SHOTS.items():
            html = PAGE.format(title=name, background=background, color=color, columns=columns, body=body)
            (pages / f"{name}.html").write_text(html)
        for shot in card_pictures.shots():
            html = PAGE.format(
                title=shot.name, background="#ffffff", color="#1b1d22", columns="736px", body=shot.markup()
            )
            (pages / f"{shot.name}.html").write_text(html)
        more = card_pictures.write_bundles(pages)
        servers = demo_in_background(
            free_port_run(), pages / "servers.log", pages=pages, database=pages / "votes.db", bundles=more
        )
        with servers as where, sync_playwright() as playwright:
            blog, widget = where["blog"], where["widget"]
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            results_shot(browser, where["votes"])
            if only == "results":
                browser.close()
                return
            for name, (width, *_, selector) in SHOTS.items():
                page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
                page.goto(f"{blog}/{name}.html")
                page.wait_for_function(
                    "performance.getEntriesByName('verdict:engine-card').length > 0", timeout=120_000
                )
                page.wait_for_timeout(300)
                if selector == "viewport":  # the card in its page
                    page.screenshot(path=str(DOCS / f"{name}.png"))
                else:
                    page.locator(selector).screenshot(path=str(DOCS / f"{name}.png"))
                print(f"docs/images/{name}.png", flush=True)
                page.close()
            for shot in card_pictures.shots():
                page = browser.new_page(viewport={"width": 800, "height": 900}, device_scale_factor=1)
                page.goto(f"{blog}/{shot.name}.html")
                card_pictures.take(page, shot, DOCS / f"{shot.name}.png")
                print(f"docs/images/{shot.name}.png", flush=True)
                page.close()
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{widget}/configure/")
            page.wait_for_function("performance.getEntriesByName('configurator:ready').length > 0", timeout=180_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(DOCS / "configurator.png"))
            print("docs/images/configurator.png", flush=True)
            browser.close()
