"""Dependencies point one way: no import cycle in the engine, the build or the loader, and the engine imports neither
the endpoint nor the build (they import the engine). Every import counts, also one inside a function.

(The endpoint's store factory, storage.open_store, imports the store chosen by the URL on demand, and
each store imports the interface it implements: a plug-in by design, so the endpoint is not checked.)"""

from __future__ import annotations

import ast
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_PACKAGES = {
    "verdict": ROOT / "widget" / "verdict",
    "verdict_endpoint": ROOT / "endpoint" / "verdict_endpoint",
    "builder": ROOT / "builder",
}
JS_IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^'"]*?from\s*["'](\.{1,2}/[^"']+)["']|^\s*import\s*["'](\.{1,2}/[^"']+)["']""", re.M
)


def python_imports(package: str) -> dict[str, set[str]]:
    """module -> the modules it imports (absolute dotted names), for every module of `package`."""
    folder = PYTHON_PACKAGES[package]
    graph: dict[str, set[str]] = {}
    for file in sorted(folder.rglob("*.py")):
        parts = file.relative_to(folder.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        here = parts[:-1]  # the package a relative import starts from
        imported: set[str] = set()
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - node.level + 1]) if node.level else ""
                module = ".".join(p for p in (base, node.module or "") if p)
                imported.add(module)
                # `from . import x` imports the submodule x when there is one
                imported |= {f"{module}.{alias.name}" for alias in node.names}
        graph[name] = imported
    return graph


def js_imports(folder: Path) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for file in sorted(folder.glob("*.js")):
        found = {a or b for a, b in JS_IMPORT.findall(file.read_text())}
        graph[file.name] = {(file.parent / f).resolve().name for f in found}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    inside = {node: {d for d in deps if d in graph and d != node} for node, deps in graph.items()}
    try:
        TopologicalSorter(inside).prepare()
    except CycleError as error:
        return list(error.args[1])
    return None


@pytest.mark.parametrize("package", ["verdict", "builder"])
def test_no_python_package_has_an_import_cycle(package: str) -> None:
    graph = python_imports(package)
    assert len(graph) > 3
    assert cycle(graph) is None, f"import cycle in {package}: {' -> '.join(cycle(graph) or [])}"


def test_the_engine_imports_neither_the_endpoint_nor_the_build() -> None:
    for module, imported in python_imports("verdict").items():
        wrong = {i for i in imported if i.split(".")[0] in ("verdict_endpoint", "builder")}
        assert not wrong, f"{module} imports {sorted(wrong)}: the engine must not depend on what depends on it"


def test_the_loader_has_no_import_cycle() -> None:
    graph = js_imports(ROOT / "loader")
    assert {"loader.js", "engine.js", "actions.js", "pending.js"} <= set(graph)
    assert graph["actions.js"] >= {"engine.js", "pending.js"}, "the loader's imports are not read"
    assert cycle(graph) is None, f"import cycle in loader/: {' -> '.join(cycle(graph) or [])}"


def test_the_loader_check_finds_a_cycle(tmp_path: Path) -> None:
    """The same reading of imports as above, on two modules that import each other."""
    (tmp_path / "a.js").write_text('import { b } from "./b.js";\nexport const a = () => b();\n')
    (tmp_path / "b.js").write_text('// a comment\nexport { a } from "./a.js";\nexport const b = 1;\n')
    (tmp_path / "c.js").write_text('import "./a.js";\n')
    found = cycle(js_imports(tmp_path))
    assert found is not None and set(found) == {"a.js", "b.js"}
    (tmp_path / "b.js").write_text("export const b = 1;\n")
    assert cycle(js_imports(tmp_path)) is None


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert cycle({"a": {"b"}, "b": set()}) is None
