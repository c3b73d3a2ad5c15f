"""Check that each WebAssembly wheel links against the pinned Pyodide runtime.

A wheel built for another Pyodide (another Python, another Emscripten) loads
in the reader's browser only to fail with a missing symbol. auditwheel-
emscripten (part of pyodide-build's toolchain) reads the wheel's shared
libraries and the runtime's wasm module, so the build can refuse the mismatch
instead: every function a wheel imports from the runtime must be one the
runtime exports.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import steps

# Provided by Emscripten's dynamic linker, not exported by the main module.
LINKER_PROVIDED = frozenset({"memory", "__memory_base", "__table_base", "__stack_pointer", "__indirect_function_table"})


# The import modules through which a side module links against the main module.
LINKED_MODULES = ("env", "GOT.func", "GOT.mem")


def _wheel_command_on_path() -> None:
    """auditwheel-emscripten unpacks wheels with the `wheel` command of this environment."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def linked_names(wheel: Path) -> set[str]:
    """Every name `wheel`'s shared libraries import from the runtime (functions and data)."""
    _wheel_command_on_path()
    from auditwheel_emscripten import get_imports

    return {item.field for imports in get_imports(wheel).values() for item in imports if item.module in LINKED_MODULES}


def unresolved_imports(runtime_wasm: Path, wheel: Path) -> list[str]:
    """Symbols `wheel`'s shared libraries need that neither the runtime nor the wheel provide."""
    _wheel_command_on_path()
    from auditwheel_emscripten import get_exports, get_imports

    provided = {e.name for exports in get_exports(runtime_wasm).values() for e in exports}
    provided |= {e.name for exports in get_exports(wheel).values() for e in exports}
    missing = []
    for library, imports in get_imports(wheel).items():
        for item in imports:
            if item.module in LINKED_MODULES and item.field not in provided | LINKER_PROVIDED:
                missing.append(f"{library}: {item.module}.{item.field}")
    return missing


def check_wheels(runtime_wasm: Path, wheels: list[Path]) -> None:
    """Stop the build when a WebAssembly wheel does not fit the runtime."""
    for wheel in wheels:
        if not wheel.name.endswith("_wasm32.whl"):
            continue
        missing = unresolved_imports(runtime_wasm, wheel)
        if missing:
            shown = "\n  ".join(missing[:10]) + (f"\n  … and {len(missing) - 10} more" if len(missing) > 10 else "")
            raise SystemExit(
                f"{wheel.name} was not built for this Pyodide ({runtime_wasm.parent.name}): "
                f"{len(missing)} symbols it needs are missing from the runtime:\n  {shown}"
            )


def checked(runtime_wasm: Path, wheels: list[Path]) -> None:
    """check_wheels, once for each core and set of wheels (cached: the check unpacks every wheel)."""
    wasm_wheels = [w for w in wheels if w.name.endswith("_wasm32.whl")]
    steps.cached(
        "abi",
        [runtime_wasm, *wasm_wheels, Path(__file__)],
        lambda folder: check_wheels(runtime_wasm, wasm_wheels),
        doing="checking that the WebAssembly wheels link against the shipped core",
    )
