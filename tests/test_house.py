"""What keeps the house in order: one set of lint commands, one set of pins, one licence."""

from __future__ import annotations

import importlib.util
import re
import shlex
import tomllib
from pathlib import Path
from types import ModuleType

import yaml

from builder.runtime import pins

ROOT = Path(__file__).resolve().parent.parent


def _build_py() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_script", ROOT / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _name(requirement: str) -> str:
    return re.split(r"[=<>!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_pre_commit_runs_exactly_the_test_commands_lint() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert [shlex.split(hook["entry"]) for hook in hooks] == [list(c) for c in _build_py().LINTERS.values()]
    assert all(hook["language"] == "system" and hook["pass_filenames"] is False for hook in hooks)


def test_the_engine_pins_and_the_browsers_wheels_agree() -> None:
    """CPython (tests, build, server) and the reader's browser run the same pydantic."""
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    engine = {_name(r): r.split("==", 1)[1] for r in groups["engine"]}
    browser = {name: version for name, (version, _sha) in pins.BROWSER_WHEELS.items()}
    assert engine == browser


def test_the_licence_file_is_the_one_every_package_declares() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    for package in (ROOT, ROOT / "widget", ROOT / "endpoint"):
        assert tomllib.loads((package / "pyproject.toml").read_text())["project"]["license"] == "MIT"
        assert (package / "LICENSE").read_text() == text, f"{package.name}'s distribution ships the licence"
