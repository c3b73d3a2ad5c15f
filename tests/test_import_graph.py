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
    return imports_in(PYTHON_PACKAGES[package])


def imports_in(folder: Path) -> dict[str, set[str]]:
    """module -> the modules it imports, for every module under `folder` (a package, its subpackages too)."""
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


# builder/'s folders by job, each importing only from its own layer and those before it: the shared core
# (paths, steps, hashes), the runtime pipeline, dist/'s assembly, the developer tools, the command line.
BUILDER_LAYERS = ("", "runtime", "assemble", "devtools", "__main__")


def builder_layer(module: str) -> int:
    """The index in BUILDER_LAYERS of a builder module (its folder; a top-level module is the shared core)."""
    parts = module.split(".")[1:]
    return BUILDER_LAYERS.index(parts[0]) if parts and parts[0] in BUILDER_LAYERS else 0


def test_builder_layers_point_one_way() -> None:
    """The runtime pipeline knows nothing of dist/, dist/ nothing of the developer tools, and none of them
    the command line: what ships never depends on what only serves the developer."""
    graph = python_imports("builder")
    assert {builder_layer(m) for m in graph} == set(range(len(BUILDER_LAYERS)))
    for module, imported in graph.items():
        upward = sorted(i for i in imported if i in graph and builder_layer(i) > builder_layer(module))
        assert not upward, f"{module} imports {upward}, from a later folder of builder/ ({BUILDER_LAYERS})"


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


def test_the_cycle_check_sees_across_subpackages(tmp_path: Path) -> None:
    """A cycle between two folders of a package (as builder/ has), through relative imports of both forms."""
    package = tmp_path / "pkg"
    for folder in ("one", "two"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "core.py").write_text("")
    (package / "one" / "a.py").write_text("from ..two import b\nfrom ..core import x\n")
    (package / "two" / "b.py").write_text("def f() -> None:\n    from ..one.a import y\n")
    found = cycle(imports_in(package))
    assert found is not None and {"pkg.one.a", "pkg.two.b"} <= set(found)
    (package / "two" / "b.py").write_text("from .. import core\n")
    assert cycle(imports_in(package)) is None
