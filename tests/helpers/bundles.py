"""Small valid bundles ("verdict/1") for tests, built from comparison id -> tool ids."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def bundle_dict(comparisons: Mapping[str, Sequence[str]], *, site: str = "Test Blog") -> dict[str, Any]:
    """A bundle comparing the given tools, one reviewer shipping them all."""
    tool_ids = sorted({tool for tools in comparisons.values() for tool in tools})
    return {
        "format": "verdict/1",
        "site": {"name": site},
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
                "tools": list(tools),
                "scorecard": [
                    {"reviewer": "ada", "verdicts": {tool: {"call": "ship", "text": "Solid."} for tool in tools}}
                ],
            }
            for comparison, tools in comparisons.items()
        ],
    }


def write_bundle(path: Path, data: Mapping[str, Any]) -> Path:
    path.write_text(json.dumps(data))
    return path
