"""Import, INSIDE Pyodide, every module the engine's source names (tests/toolchain/test_engine_imports.py).

Run by builder/runtime/trace_runtime.mjs on the runtime dist/ ships. ``--modules`` names a JSON file of
[module, [names imported from it]]; each module is imported, and each name taken from it (a package's
lazy attribute, as pydantic's, imports its module then; a submodule is imported). ``--out`` gets
{"missing": {module: the module Python could not find}}. Only builtins and sys: nothing the engine
does not import itself.
"""

import json
import sys

HOST_ROOT = "/host"
FOUND: dict[str, dict[str, str]] = {"missing": {}}


def argument(flag: str) -> str:
    value = sys.argv[sys.argv.index(flag) + 1]
    return HOST_ROOT + value if value.startswith("/") else value


async def main() -> None:
    """Called by the runner."""
    with open(argument("--modules"), encoding="utf-8") as f:
        wanted = json.load(f)
    for module, names in wanted:
        try:
            __import__(module)
            imported = sys.modules[module]
            for name in names:
                if not hasattr(imported, name):
                    __import__(f"{module}.{name}")
        except ModuleNotFoundError as error:
            FOUND["missing"][module] = str(error.name)


async def report() -> None:
    """Called by the runner last."""
    with open(argument("--out"), "w", encoding="utf-8") as f:
        json.dump(FOUND, f)
