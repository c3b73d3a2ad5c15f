"""Every module the engine's source imports is in the runtime dist/ ships.

The trim keeps what a traced run of the engine imported (builder/runtime/trim.py); this reads the source instead.
It walks the engine's modules the browser can reach, from the worker's entry (verdict.worker) through
the engine's own imports, every import statement, also one inside a function (not those only for type
checkers), and imports each module it names, and each name taken from it, inside Pyodide on the shipped
runtime (as trace_runtime.mjs boots it, like the worker). Importing them there runs what they import in
turn: pydantic and pydantic-core as the engine uses them (its names imported from pydantic are pydantic's
lazy attributes, each importing its module; its models build their validators at import), down to the
standard library. Which modules pydantic imports only while validating is the trace's to reach.

The engine's command line (verdict.cli and what only it imports) never runs in a browser: not reached
from the worker's entry, so not checked.
"""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from builder.runtime import trim
from builder.runtime.pyc import find_node

from ..helpers.runtime import shipped_dir, shipped_files

ENGINE = Path(__file__).resolve().parents[2] / "widget" / "verdict"
ENTRY = "verdict.worker"
INSIDE = Path(__file__).resolve().parent / "engine_imports_inside.py"
NOWHERE = "verdict_no_such_module"
"""Asked for too: the scan must name a module the runtime lacks."""


def module_file(module: str) -> Path | None:
    """The engine's file for a dotted name under `verdict`, or None (not the engine's)."""
    parts = module.split(".")
    if parts[0] != "verdict":
        return None
    path = ENGINE.joinpath(*parts[1:])
    if path.is_dir():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else None


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(module: str, file: Path) -> list[tuple[str, list[str]]]:
    """(module, names taken from it) for every import statement in `file`, also inside functions."""
    package = module if file.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    pending: list[ast.AST] = [ast.parse(file.read_text(), str(file))]
    while pending:
        node = pending.pop()
        if _type_checking_only(node):
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
            found.append((".".join(p for p in (base, node.module or "") if p), [a.name for a in node.names]))
        pending += ast.iter_child_nodes(node)
    return found


def engine_imports() -> dict[str, list[str]]:
    """module -> names imported from it, for every import of the engine's modules reachable from ENTRY."""
    wanted: dict[str, set[str]] = {}
    seen: set[str] = set()
    todo = [ENTRY]
    while todo:
        module = todo.pop()
        file = module_file(module)
        if module in seen or file is None:
            continue
        seen.add(module)
        parent = module.rpartition(".")[0]
        todo += [parent] if parent else []
        for imported, names in imports_of(module, file):
            wanted.setdefault(imported, set()).update(names)
            todo += [imported, *(f"{imported}.{name}" for name in names)]
    return {module: sorted(names) for module, names in sorted(wanted.items())}


def test_the_scan_reads_the_engine_the_browser_runs() -> None:
    wanted = engine_imports()
    assert "browser" in wanted["verdict"]  # the worker's entry: from . import browser
    assert {"verdict.outbox", "verdict.models", "verdict.render", "verdict.locale_data"} <= set(wanted)
    assert {"secrets", "asyncio", "pyodide.http", "js", "pydantic", "pydantic_core"} <= set(wanted)  # in functions too
    assert "AwareDatetime" in wanted["pydantic"]
    assert "argparse" not in wanted and "verdict.cli" not in wanted  # the command line never runs in a browser


def test_every_module_the_engine_imports_is_in_the_shipped_runtime(tmp_path: Path) -> None:
    _core, stdlib, wheels = shipped_files()
    runtime, packages = trim.stage(shipped_dir(tmp_path / "pyodide"), wheels, tmp_path)
    modules, out = tmp_path / "modules.json", tmp_path / "found.json"
    modules.write_text(json.dumps([*engine_imports().items(), (NOWHERE, [])]))
    command = [find_node(), str(trim.RUNNER), str(runtime), str(stdlib.resolve()), str(packages), str(INSIDE)]
    proc = subprocess.run(
        [*command, "--modules", str(modules), "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0 or not out.exists():
        pytest.fail(f"the engine's imports could not be tried inside Pyodide:\n{proc.stdout}{proc.stderr}")
    missing = json.loads(out.read_text())["missing"]
    assert missing.pop(NOWHERE) == NOWHERE, "the scan must name a module the runtime lacks"
    assert missing == {}, "the shipped runtime lacks modules the engine imports (module: what is missing): " + (
        ", ".join(f"{module}: {name}" for module, name in missing.items())
        + "; build.py build --plain-runtime ships Pyodide's runtime untouched"
    )
