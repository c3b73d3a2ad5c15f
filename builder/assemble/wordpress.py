"""The WordPress plugin's copy of the engine's rules: wordpress/verdict/rules.json, from verdict.rules.

The plugin is PHP, installed as its folder, so it cannot import the engine; it reads this file instead
(wordpress/verdict/rules.php). Every build writes it when the rules changed, and
tests/sitegen/test_wordpress_rules.py checks that the committed copy is current.
"""

from __future__ import annotations

import json
from pathlib import Path

from verdict.rules import loader_rules

from ..paths import ROOT

RULES = ROOT / "wordpress" / "verdict" / "rules.json"


def text() -> str:
    """rules.json as the engine's rules are now."""
    return json.dumps(loader_rules(), indent=2) + "\n"


def write() -> list[Path]:
    """Write rules.json if it is not current; the paths written."""
    if RULES.exists() and RULES.read_text(encoding="utf-8") == text():
        return []
    RULES.write_text(text(), encoding="utf-8")
    return [RULES]
