"""Bundle and minify the JavaScript loader (loader/*.js, card.css) with esbuild.

Two scripts come out, so the page's first fetch stays tiny:

- ``embed.js`` (stable name): loader/embed.js and what it imports, as one
  classic script. It places the card, requests the prerendered cards and
  imports the loader proper, all at once.
- ``assets/loader.<hash>.js``: loader/loader.js and its modules, with the
  card's stylesheet inlined, as one ES module.

The worker (loader/worker.js) is bundled with Pyodide's JavaScript. Values the build
decides (hashed paths, the stylesheet, the engine's rules and the loader's own
sentences, translated) reach the sources as esbuild ``--define`` constants:
VERDICT_BOOT in embed.js, VERDICT_ASSETS, VERDICT_CSS and VERDICT_WORDS in the
loader proper, and VERDICT_RULES (verdict.rules.loader_rules: the slug pattern,
sections, limits, attribute values and locales the engine defines) in every
script, read through loader/rules.js.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from verdict.rules import loader_rules

from ..paths import LOADER, ROOT
from . import locales

ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
# Browsers with module workers and constructable stylesheets; esbuild lowers newer syntax.
TARGET = "es2020"


def rule_defines() -> dict[str, Any]:
    """The engine's rules the loader applies too, for every script of the loader."""
    return {"VERDICT_RULES": loader_rules()}


def _by_member(defines: dict[str, Any]) -> dict[str, Any]:
    """VERDICT_RULES defined rule by rule (``VERDICT_RULES.slug``…): loader/rules.js only reads its members,
    so each script keeps only the rules it uses (the first script has a gzip budget)."""
    rules = defines.get("VERDICT_RULES")
    if not isinstance(rules, dict):
        return defines
    members = {f"VERDICT_RULES.{key}": value for key, value in rules.items()}
    return {**{name: value for name, value in defines.items() if name != "VERDICT_RULES"}, **members}


def esbuild(entry: Path, *options: str, defines: dict[str, Any] | None = None) -> bytes:
    """esbuild's output for `entry`, minified (the build never hand-minifies)."""
    if not ESBUILD.exists():
        raise SystemExit(f"{ESBUILD} is missing: the pinned JavaScript tools are installed by build.py (npm ci)")
    command = [str(ESBUILD), str(entry), "--minify", "--charset=utf8", "--log-level=warning", *options]
    command += [f"--define:{name}={json.dumps(value)}" for name, value in _by_member(defines or {}).items()]
    result = subprocess.run(command, capture_output=True, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"esbuild failed on {entry.relative_to(ROOT)}:\n{result.stderr.decode()}")
    return result.stdout


def stylesheet() -> str:
    return esbuild(LOADER / "card.css").decode().strip()


def worker(pyodide_dir: Path) -> bytes:
    """The worker with Pyodide's JavaScript bundled in, so one integrity hash covers all of it."""
    return esbuild(
        LOADER / "worker.js",
        "--bundle",
        "--format=esm",
        f"--target={TARGET}",
        f"--alias:pyodide={pyodide_dir}",
        # Pyodide's Node.js branches, never taken in a browser.
        "--external:node:*",
        "--external:ws",
    )


def frame_script() -> bytes:
    """frame.js, the iframe form's own script (a classic script beside frame.html)."""
    return esbuild(LOADER / "frame.js", "--bundle", "--format=iife", f"--target={TARGET}", defines=rule_defines())


def loader_module(assets: dict[str, Any]) -> bytes:
    """The loader proper; `assets`: runtime paths relative to embed.js."""
    return esbuild(
        LOADER / "loader.js",
        "--bundle",
        "--format=esm",
        f"--target={TARGET}",
        # The loader's own sentences in each of the engine's locales.
        defines={
            **rule_defines(),
            "VERDICT_ASSETS": assets,
            "VERDICT_CSS": stylesheet(),
            "VERDICT_WORDS": locales.loader_words(),
        },
    )


def first_script(boot: dict[str, Any]) -> bytes:
    """embed.js; `boot`: {loader: [path, integrity], prerendered: {bundle path: [cards path, integrity]}}."""
    return esbuild(
        LOADER / "embed.js",
        "--bundle",
        "--format=iife",
        f"--target={TARGET}",
        defines={**rule_defines(), "VERDICT_BOOT": boot},
    )
