"""The loader's pure modules (attribute parsing, accent contrast, words, the engine's rules), unit-tested with
Node's own test runner.

The browser suites exercise these modules inside whole cards; these tests pin each rule on its
own, fast. They run with the same --define constants the build bundles in (builder/assemble/loader.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from builder.assemble import locales
from builder.assemble.loader import rule_defines
from builder.runtime.pyc import find_node
from verdict.i18n import resolve_locale
from verdict.models import Slug
from verdict.rules import loader_rules

UNITS = Path(__file__).resolve().parent / "units"
LOADER = Path(__file__).resolve().parents[2] / "loader"
DEFINES = {**rule_defines(), "VERDICT_WORDS": locales.loader_words()}


def node(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_node(), "--import", str(UNITS / "setup.mjs"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "VERDICT_DEFINES": json.dumps(DEFINES)},
    )


def test_the_loaders_pure_modules_pass_their_node_unit_tests() -> None:
    files = sorted(str(p) for p in UNITS.glob("*.test.mjs"))
    assert len(files) >= 4
    result = node("--test", "--test-reporter=spec", *files)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout or "ℹ fail 0" in result.stdout, result.stdout[-3000:]


def test_the_build_hands_the_loader_the_engines_rules() -> None:
    assert DEFINES["VERDICT_RULES"] == loader_rules()
    rules = loader_rules()
    assert rules["sections"] == ["figures", "description", "scorecard", "vote", "cta"]
    assert rules["ctaTextMax"] == 200 and rules["locales"][0] == rules["defaultLocale"] == "en"


TAGS = [
    "en",
    "de",
    "de-AT",
    "DE_at",
    " fr-CA ",
    "ja-JP-u-ca-japanese",
    "ar-EG",
    "es-419",
    "pt-BR",
    "tlh",
    "",
    "-",
    "x-private",
    "zh-Hant-TW",
    "en_GB",
    "ES",
    "a",
    "dé",
    "de\tAT",
]
IDS = ["a", "ab-cd", "a1-b2-c3", "", "A", "a--b", "-a", "a-", "a_b", "a b", "a\n", "ü", "x" * 80, "1"]


def test_the_loader_resolves_locales_and_checks_ids_as_the_engine_does() -> None:
    """loader/rules.js, run in Node with the build's constants, against verdict.i18n and verdict.models."""
    script = (
        f"const {{ engineLocale, isSlug }} = await import({json.dumps((LOADER / 'rules.js').as_uri())});"
        f"console.log(JSON.stringify({{ locales: {json.dumps(TAGS)}.map(engineLocale),"
        f" slugs: {json.dumps(IDS)}.map(isSlug) }}));"
    )
    result = node("--input-type=module", "-e", script)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert answers["locales"] == [resolve_locale(tag) for tag in TAGS]
    assert set(answers["locales"]) > {"en", "de", "fr"}
    assert answers["slugs"] == [_is_slug(value) for value in IDS]
    assert True in answers["slugs"] and False in answers["slugs"]


def _is_slug(value: str) -> bool:
    try:
        TypeAdapter(Slug).validate_python(value)
    except ValidationError:
        return False
    return True
