"""dist/configure/: the publisher's configurator, a PyScript page.

    configure/index.html          the form, the live card (the real embed.js) and the snippet
    configure/configure.py        its logic, run by PyScript in the page
    configure/pyscript.json       PyScript's config: our interpreter, our engine wheel
    configure/pyscript/           @pyscript/core, self-hosted from node_modules
    configure/runtime/<hash>/     Pyodide with its full standard library, micropip, a lockfile

PyScript installs the engine wheel the embed runs (packages/<hash>/verdict-…)
with micropip. Everything it loads comes from this folder or packages/: the
lockfile names micropip (here) and the pydantic wheels (in packages/), with the
sha256 of the files shipped, so nothing is looked up elsewhere. The embed never
loads any of it.
"""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

from ..hashes import tree_hash
from ..paths import ROOT
from ..runtime import fetch, pins
from ..runtime.lock import write_lock

SOURCE = ROOT / "configurator"
PYSCRIPT = ROOT / "node_modules" / "@pyscript" / "core"


def build(dist: Path, pyodide_dir: Path, packages: Path, bundles: list[Path]) -> Path:
    """Write dist/configure/; `packages`: the embed's packages folder, `bundles`: published bundle files."""
    if not (PYSCRIPT / "dist" / "core.js").exists():
        raise SystemExit(f"{PYSCRIPT} is missing: the pinned JavaScript tools are installed by build.py (npm ci)")
    out = dist / "configure"
    out.mkdir(parents=True)

    # PyScript, without source maps.
    pyscript = out / "pyscript"
    pyscript.mkdir()
    for file in (PYSCRIPT / "dist").iterdir():
        if file.suffix in (".js", ".css"):
            shutil.copy2(file, pyscript / file.name)
    shutil.copy2(PYSCRIPT / "LICENSE", pyscript / "LICENSE")

    # Pyodide for the page: the runtime's files, Python's full standard library
    # (micropip and PyScript need more of it than the embed's trimmed one), micropip.
    micropip = fetch.wheels(pins.CONFIGURATOR_WHEELS)
    files = [pyodide_dir / name for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")]
    runtime = out / "runtime" / tree_hash([*files, *micropip])
    runtime.mkdir(parents=True)
    for file in [*files, *micropip]:
        shutil.copy2(file, runtime / file.name)
    shared = sorted(w for w in packages.glob("*.whl") if not w.name.startswith("verdict-"))
    lock_file = runtime / "pyodide-lock.json"
    write_lock(pyodide_dir / "pyodide-lock.json", [*(runtime / w.name for w in micropip), *shared], lock_file)
    lock = json.loads(lock_file.read_text())
    for entry in lock["packages"].values():
        if (packages / entry["file_name"]).exists():
            entry["file_name"] = Path("../../..", packages.relative_to(dist), entry["file_name"]).as_posix()
    lock_file.write_text(json.dumps(lock, indent=1, sort_keys=True))

    engine = next(packages.glob("verdict-*.whl"))
    config = {
        "interpreter": f"./{runtime.relative_to(out).as_posix()}/pyodide.mjs",
        "packages": [f"../{packages.relative_to(dist).as_posix()}/{engine.name}"],
        # Always the files above: no copy of an older lock kept in the browser's storage.
        "packages_cache": "never",
    }
    (out / "pyscript.json").write_text(json.dumps(config, indent=2))
    shutil.copy2(SOURCE / "configure.py", out / "configure.py")
    shutil.copy2(SOURCE / "configure.css", out / "configure.css")
    shutil.copy2(SOURCE / "favicon.svg", out / "favicon.svg")

    options = "".join(
        f'\n            <option value="../bundles/{escape(b.name)}">{escape(b.name)}</option>' for b in bundles
    )
    first = f'data-bundle="../bundles/{escape(bundles[0].name)}"' if bundles else ""
    page = (SOURCE / "index.html").read_text()
    page = page.replace("{{bundle_options}}", options).replace("{{preview_attributes}}", first)
    (out / "index.html").write_text(page)
    return out
