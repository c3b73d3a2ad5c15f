"""The built first script (dist/embed.js): small, and only a starter.

Every host page fetches embed.js before anything else, so it is kept to what
must happen first; the loader proper and the card's stylesheet come in a
content-hashed module it imports.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
BUDGET = 3 * 1024  # bytes, gzip level 9, as a CDN would send it


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not (DIST / "manifest.json").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    return json.loads((DIST / "manifest.json").read_text())


def test_first_script_fits_the_gzip_budget(manifest: dict) -> None:
    size = len(gzip.compress((DIST / "embed.js").read_bytes(), 9))
    assert size <= BUDGET, f"dist/embed.js is {size} bytes gzipped; the budget is {BUDGET}"


def test_the_stylesheet_and_the_engine_bridge_are_in_the_hashed_loader(manifest: dict) -> None:
    first = (DIST / "embed.js").read_text()
    loader = (DIST / manifest["assets"]["loader"]).read_text()
    assert manifest["assets"]["loader"] in first
    for piece in (".vd-card", "new Worker", "IntersectionObserver", "adoptedStyleSheets"):
        assert piece not in first
        assert piece in loader
    assert manifest["assets"]["worker"] in loader
