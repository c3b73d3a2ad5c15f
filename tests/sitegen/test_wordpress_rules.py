"""The WordPress plugin checks a card's ids by the engine's rules, from the rules.json the build writes.

The plugin is PHP and cannot import the engine: wordpress/verdict/rules.php reads rules.json, which
builder/assemble/wordpress.py writes from verdict.rules. Here, with Debian's PHP and no WordPress, that the
committed copy is current and that the plugin takes exactly the ids the engine's models take. The plugin's
cards in a real WordPress are tests/browser/test_wordpress.py's.
"""

from __future__ import annotations

import json
import subprocess

from pydantic import TypeAdapter, ValidationError

from builder.assemble import wordpress
from verdict.models import Slug

IDS = ["heygen-vs-mistral", "a", "a1-b2", "", "A", "a--b", "-a", "a-", "a_b", "a b", "a\n", "ü", "x~y", "1"]


def test_the_plugins_rules_are_the_engines() -> None:
    """wordpress/verdict/rules.json is what the build would write now (run `python3 build.py build`)."""
    assert wordpress.RULES.read_text(encoding="utf-8") == wordpress.text()
    assert json.loads(wordpress.text())["slug"]


def test_the_plugin_takes_exactly_the_ids_the_engine_takes() -> None:
    php = (
        "define('ABSPATH', '/');"
        f"require {json.dumps(str(wordpress.RULES.with_name('rules.php')))};"
        "echo json_encode(array_map('verdict_is_slug', json_decode($argv[1])));"
    )
    result = subprocess.run(["php", "-r", php, json.dumps(IDS)], capture_output=True, text=True, timeout=60, check=True)
    taken = json.loads(result.stdout)
    assert taken == [_engine_takes(value) for value in IDS]
    assert True in taken and False in taken


def _engine_takes(value: str) -> bool:
    try:
        TypeAdapter(Slug).validate_python(value)
    except ValidationError:
        return False
    return True
