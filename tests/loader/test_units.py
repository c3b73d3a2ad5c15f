"""The loader's pure modules (attribute parsing, accent contrast, words), unit-tested with Node's own test runner.

The browser suites exercise these modules inside whole cards; these tests pin each rule on its
own, fast. They run with the same --define constants the build bundles in (builder/assemble/loader.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from builder.assemble import locales
from builder.runtime.pyc import find_node
from verdict.i18n import SUPPORTED_LOCALES

UNITS = Path(__file__).resolve().parent / "units"


def test_the_loaders_pure_modules_pass_their_node_unit_tests() -> None:
    files = sorted(str(p) for p in UNITS.glob("*.test.mjs"))
    assert len(files) >= 3
    defines = {"VERDICT_LOCALES": list(SUPPORTED_LOCALES), "VERDICT_WORDS": locales.loader_words()}
    result = subprocess.run(
        [find_node(), "--import", str(UNITS / "setup.mjs"), "--test", "--test-reporter=spec", *files],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "VERDICT_DEFINES": json.dumps(defines)},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout or "ℹ fail 0" in result.stdout, result.stdout[-3000:]
