"""The engine runs on the same pydantic in CPython (the `engine` group of pyproject.toml) as in the
reader's browser (the wheels builder/runtime/pins.py ships): a bundle valid at build time is valid in the browser."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from builder.runtime.pins import BROWSER_WHEELS

ROOT = Path(__file__).resolve().parents[2]


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def engine_group() -> dict[str, str]:
    """The exact pins of pyproject.toml's `engine` group, by normalised name."""
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]["engine"]
    found = {}
    for pin in pins:
        name, equals, version = pin.partition("==")
        assert equals, f"{pin!r} in the engine group is not pinned exactly"
        found[_name(name.strip())] = version.strip()
    return found


def test_the_engine_group_pins_exactly_the_wheels_the_browser_ships() -> None:
    browser = {_name(name): version for name, (version, _sha256) in BROWSER_WHEELS.items()}
    assert "pydantic" in browser and "pydantic-core" in browser
    assert engine_group() == browser
