"""`build --plain-runtime`: Pyodide's runtime as released, the way back should an upgrade break the surgery.

The browser suite's card and vote tests run again here on a dist/ built with the plain runtime
(no slimmed core, no trim, no blanking), served by the demo's servers exactly as dist/ is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from builder.assemble import dist
from builder.devtools.chromium import free_port_run
from builder.devtools.serve import demo_in_background
from builder.paths import DIST
from builder.runtime import fetch

from . import test_card
from .conftest import PAGES, Demo


@pytest.fixture(scope="module")
def plain_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("plain") / "dist"
    dist.build(target=target, plain_runtime=True)
    return target


@pytest.fixture(scope="module")
def demo(plain_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    base = free_port_run()
    folder = tmp_path_factory.mktemp("votes")
    with demo_in_background(base, folder / "servers.log", pages=PAGES, database=folder / "votes.db", dist=plain_dist):
        yield Demo(base)


def test_the_plain_runtime_is_pyodides_own(plain_dist: Path) -> None:
    """Every module of the release's standard library and its whole core are shipped, not the trimmed ones."""
    plain = json.loads((plain_dist / "manifest.json").read_text())
    shipped = json.loads((DIST / "manifest.json").read_text())
    assert (plain["runtime"], shipped["runtime"]) == ("plain", "shipped")
    pyodide = fetch.pyodide()
    core = plain_dist / plain["assets"]["core"]
    assert core.read_bytes() == (pyodide / "pyodide.asm.wasm").read_bytes()
    plain_stdlib, shipped_stdlib = plain_dist / plain["assets"]["stdlib"], DIST / shipped["assets"]["stdlib"]
    assert plain_stdlib.stat().st_size > shipped_stdlib.stat().st_size


# The card and vote tests of test_card.py, in its order (the first expects a fresh vote database).
def test_seed_card_shows_at_once_then_the_engine_takes_over(page: Page, demo: Demo) -> None:
    test_card.test_seed_card_shows_at_once_then_the_engine_takes_over(page, demo)


def test_reader_votes_changes_vote_and_is_remembered(context: BrowserContext, page: Page, demo: Demo) -> None:
    test_card.test_reader_votes_changes_vote_and_is_remembered(context, page, demo)


def test_a_vote_to_an_unreachable_endpoint_is_kept_on_the_device(page: Page, demo: Demo) -> None:
    test_card.test_a_vote_to_an_unreachable_endpoint_is_kept_on_the_device(page, demo)


def test_broken_bundle_shows_an_error_card_and_the_page_still_works(page: Page, demo: Demo) -> None:
    test_card.test_broken_bundle_shows_an_error_card_and_the_page_still_works(page, demo)


def test_engine_boots_lazily_and_once_for_all_cards(page: Page, demo: Demo) -> None:
    test_card.test_engine_boots_lazily_and_once_for_all_cards(page, demo)
