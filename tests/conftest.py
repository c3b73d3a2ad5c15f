"""Shared fixtures: the demo bundle, as a dict each test may change freely; the one Chromium of a run."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from builder.devtools.chromium import CHROMIUM, FLAGS

ROOT = Path(__file__).resolve().parent.parent
DEMO_BUNDLE = ROOT / "demo" / "comparisons.json"
SEED = "heygen-avatar-sdk-v3-vs-mistral-4b-edge"
HEYGEN, MISTRAL = "heygen-avatar-sdk-v3", "mistral-4b-edge"

_demo = json.loads(DEMO_BUNDLE.read_text())


@pytest.fixture
def bundle_data() -> dict:
    return copy.deepcopy(_demo)


# Markers for the slow suites, so a local run can leave them out (`build.py test -m "not browser"`);
# CI runs everything. Each is set from what a test needs, never by hand.
_BROWSER_FIXTURES = {"browser", "context", "page", "demo"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path)).relative_to(ROOT).as_posix()
        fixtures = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if path.startswith("tests/browser/") or fixtures & _BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if path.startswith("tests/toolchain/"):
            item.add_marker(pytest.mark.pyodide)
        if "postgres" in fixtures or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Debian Chromium per run (per worker), for every suite that drives one: Playwright's sync API
    holds an event loop in the main thread, so a second instance could not start beside it."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()
