"""Fixtures for the vote endpoint tests: small valid bundles and a running server."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # so `tests.helpers` imports however pytest is launched
    sys.path.insert(0, str(ROOT))

from tests.helpers.endpoint import start_endpoint  # noqa: E402

ORIGIN = "https://blog.example"

MAIN_COMPARISONS = {
    "alpha-vs-beta": ["alpha", "beta"],
    "beta-vs-gamma": ["beta", "gamma"],
    "gamma-vs-delta": ["gamma", "delta"],
    "three-way": ["alpha", "beta", "gamma"],
    "alpha-vs-delta": ["alpha", "delta"],
}
# A second bundle: one comparison of its own, one shared (same tools) with the first.
SECOND_COMPARISONS = {
    "second-site": ["beta", "delta"],
    "alpha-vs-beta": ["alpha", "beta"],
}


def bundle_dict(comparisons: dict[str, list[str]]) -> dict[str, Any]:
    """A small valid "verdict/1" bundle comparing the given tools."""
    tool_ids = sorted({tool for tools in comparisons.values() for tool in tools})
    return {
        "format": "verdict/1",
        "site": {"name": "Test Blog"},
        "tools": [
            {
                "id": tool,
                "name": tool.title(),
                "category": "Editor",
                "tagline": f"{tool.title()} in a line.",
                "description": f"What {tool.title()} does.",
                "entry": "free",
                "pricing": "Free, paid team plan.",
            }
            for tool in tool_ids
        ],
        "reviewers": [{"id": "ada", "name": "Ada", "lens": "Developer experience"}],
        "comparisons": [
            {
                "id": comparison,
                "standfirst": "Which one to pick.",
                "tools": tools,
                "scorecard": [
                    {"reviewer": "ada", "verdicts": {tool: {"call": "ship", "text": "Solid."} for tool in tools}}
                ],
            }
            for comparison, tools in comparisons.items()
        ],
    }


def write_bundle(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data))
    return path


def new_voter() -> str:
    """A voter token as the widget makes one."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Server:
    url: str
    db_path: Path


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("bundles")
    return [
        write_bundle(directory / "main.json", bundle_dict(MAIN_COMPARISONS)),
        write_bundle(directory / "second.json", bundle_dict(SECOND_COMPARISONS)),
    ]


@pytest.fixture(scope="module")
def server(bundles: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One endpoint for the module, with a rate limit high enough not to interfere."""
    db_path = tmp_path_factory.mktemp("db") / "votes.db"
    with start_endpoint(bundles, db_path, [ORIGIN], rate_limit=10_000) as url:
        yield Server(url, db_path)


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        yield client
