"""Fixtures for the vote endpoint tests: two small bundles and one running endpoint for the module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.bundles import bundle_dict, write_bundle
from tests.helpers.endpoint import EndpointProcess, launch_endpoint

ALLOWED_ORIGIN = "https://blog.example"

# Tests that check absolute tallies each use a comparison of their own.
MAIN_COMPARISONS = {
    "alpha-vs-beta": ["alpha", "beta"],
    "beta-vs-gamma": ["beta", "gamma"],
    "gamma-vs-delta": ["gamma", "delta"],
    "three-way": ["alpha", "beta", "gamma"],
    "alpha-vs-delta": ["alpha", "delta"],
    "crowd": ["beta", "delta"],
}
# A second bundle: one comparison of its own, one shared (same tools) with the first.
SECOND_COMPARISONS = {
    "second-site": ["beta", "delta"],
    "alpha-vs-beta": ["alpha", "beta"],
}


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("bundles")
    return [
        write_bundle(directory / "main.json", bundle_dict(MAIN_COMPARISONS)),
        write_bundle(directory / "second.json", bundle_dict(SECOND_COMPARISONS, site="Second Blog")),
    ]


@pytest.fixture(scope="module")
def allowed_origin() -> str:
    return ALLOWED_ORIGIN


@pytest.fixture(scope="module")
def server(bundles: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[EndpointProcess]:
    """One endpoint for the module, with a rate limit high enough not to interfere."""
    db_path = tmp_path_factory.mktemp("db") / "votes.db"
    endpoint = launch_endpoint(bundles, db_path, [ALLOWED_ORIGIN], rate_limit=10_000)
    try:
        yield endpoint
    finally:
        endpoint.stop()


@pytest.fixture
def client(server: EndpointProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
        yield client
