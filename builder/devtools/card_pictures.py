"""The card's states and locales as ``build.py screenshots`` takes them: after a vote, closed, results held
back until the reader votes, a broken bundle's error card, and the seed card in every supported locale.

Each is the real card on the demo's servers (builder/devtools/screenshots.py serves and shoots them); this module
says what each picture shows and what the reader does before it is taken.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from verdict.i18n import SUPPORTED_LOCALES

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
SEED = "heygen-avatar-sdk-v3-vs-mistral-4b-edge"
TOOL = "mistral-4b-edge"  # the reader's choice in the voted picture
CLOSED = "closed-head-to-head"
CLOSED_AT = datetime.datetime(2026, 11, 30, 18, tzinfo=datetime.UTC)
DEMO_BUNDLE = "{{widget}}/bundles/comparisons.json"
ENGINE_TIMEOUT = 120_000


@dataclass(frozen=True)
class CardShot:
    """One picture of the card: its file's stem, the card's attributes, and what happens before it is taken."""

    name: str
    attributes: str = ""
    bundle: str = DEMO_BUNDLE
    comparison: str = SEED
    error: bool = False
    """The picture is of the error card (no engine card ever comes)."""
    vote: bool = False
    """The reader votes first, and the picture waits for the vote to be counted."""

    def markup(self) -> str:
        return (
            f'<div id="card" data-verdict data-bundle="{self.bundle}" data-comparison="{self.comparison}"'
            f"{' ' + self.attributes if self.attributes else ''}></div>"
        )


def shots() -> list[CardShot]:
    """Every state and locale picture, in the order they are taken."""
    return [
        CardShot("card-voted", vote=True),
        CardShot("card-closed", bundle="{{blog}}/closed.json", comparison=CLOSED),
        CardShot("card-results-after-vote", 'data-results="after-vote"'),
        CardShot("card-error", bundle="{{blog}}/broken-bundle.json", comparison=SEED, error=True),
        *(CardShot(f"card-locale-{tag}", f'data-locale="{tag}"') for tag in SUPPORTED_LOCALES),
    ]


def write_bundles(pages: Path) -> list[Path]:
    """The closed and the broken bundle, served by the blog; the bundles the endpoint must know (the closed one)."""
    demo = json.loads((ROOT / "demo" / "comparisons.json").read_text(encoding="utf-8"))
    closed = json.loads(json.dumps(demo))
    comparison = next(c for c in closed["comparisons"] if c["id"] == SEED)
    comparison["id"] = CLOSED
    comparison["closes_at"] = CLOSED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    comparison["title"] += ": November's vote"  # told apart from the open one on the results page
    closed["comparisons"] = [comparison]
    (pages / "closed.json").write_text(json.dumps(closed), encoding="utf-8")
    broken = json.loads(json.dumps(demo))
    broken["tools"][0]["entry"] = "cheap"  # not one of the bundle format's entry levels: a clear error
    (pages / "broken-bundle.json").write_text(json.dumps(broken), encoding="utf-8")
    return [pages / "closed.json"]


def take(page: Page, shot: CardShot, path: Path) -> None:
    """Wait for the state the picture shows (acting as the reader first, if it votes), then take the card."""
    from playwright.sync_api import expect

    card = page.locator("#card")
    if shot.error:
        expect(card.locator(".vd-error")).to_be_visible(timeout=ENGINE_TIMEOUT)
    else:
        page.wait_for_function("performance.getEntriesByName('verdict:engine-card').length > 0", timeout=ENGINE_TIMEOUT)
    if shot.vote:
        card.locator(f"button.vd-choice[data-tool='{TOOL}']").click()
        expect(card.locator(".vd-vote-status")).to_contain_text("is counted", timeout=ENGINE_TIMEOUT)
    page.wait_for_timeout(300)
    card.screenshot(path=str(path))
