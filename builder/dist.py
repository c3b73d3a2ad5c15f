"""Assemble dist/: the self-hosted widget, ready for any static host.

Layout (every name below with <hash> is content-addressed and immutable):

    embed.js                  the first script publishers paste (stable name, short cache)
    embed.<hash>.js           the same script under an immutable name
    assets/loader.<hash>.js   the loader proper with the card's stylesheet (ES module)
    assets/worker.<hash>.js   the Web Worker that hosts Pyodide
    runtime/<hash>/           Pyodide core + precompiled standard library
    packages/<hash>/          precompiled wheels (pydantic…, our engine) + lock.json
    cards/<name>.<hash>.json  prerendered cards of each bundle the build saw
    bundles/<name>.json       the demo bundles
    schema/bundle-v1.json     JSON Schema of the bundle format
    configure/                the publisher's configurator (PyScript; see configurator.py)
    manifest.json             every file with its size and sha256
    *.gz, *.br                precompressed twins, where they are worth it
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import brotli

from verdict.bundle import BundleError

from . import configurator, fetch, loader, pyc, trim
from .abi import check_wheels
from .lock import write_lock
from .paths import CACHE, DEMO, DIST, WIDGET
from .prerender import prerender_bundle

HASH_LENGTH = 12
# The runtime's zips (stdlib, wheels) are stored uncompressed and sent with
# brotli: 3.7 MB on the wire instead of 5.7 MB for self-deflated zips, and a
# little faster to import from. The widget host must serve the .br/.gz twins.
ZIP_COMPRESSION = "stored"
COMPRESSIBLE = {".js", ".mjs", ".json", ".wasm", ".zip", ".whl", ".html", ".css"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hash(files: list[Path]) -> str:
    h = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.name):
        h.update(file.name.encode() + b"\0" + sha256(file.read_bytes()).encode())
    return h.hexdigest()[:HASH_LENGTH]


def build_engine_wheel(out: Path) -> Path:
    """Our pure-Python wheel, built offline by the hatchling in the virtualenv."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(WIDGET),
        ],
        check=True,
    )
    return next(out.glob("verdict-*.whl"))


def compiled(pyodide_dir: Path, wheels: list[Path]) -> tuple[Path, list[Path]]:
    """Precompiled stdlib and wheels, cached by the hash of their inputs."""
    steps = Path(pyc.__file__).parent
    key = tree_hash([pyodide_dir / "python_stdlib.zip", *wheels, *steps.glob("pyc*.py"), steps / "run_pyodide.mjs"])
    folder = CACHE / "compiled" / f"{key}-{ZIP_COMPRESSION}"
    stdlib = folder / "python_stdlib.zip"
    if not stdlib.exists():
        print("precompiling the standard library and wheels inside Pyodide", flush=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            result = pyc.precompile(
                pyodide_dir, pyodide_dir / "python_stdlib.zip", wheels, Path(tmp), compression=ZIP_COMPRESSION
            )
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for path in result.values():
                shutil.copy2(path, folder / Path(path).name)
    return stdlib, sorted(p for p in folder.glob("*.whl"))


def precompress(file: Path) -> None:
    """Write .gz and .br twins for servers that send precompressed files.

    A twin no smaller than 95% of the file (a deflated zip, say) is not worth
    a Content-Encoding and is skipped. Brotli at its best level is slow, so
    results are cached by content.
    """
    data = file.read_bytes()
    digest = sha256(data)
    for suffix, compress in (
        (".gz", lambda d: gzip.compress(d, 9, mtime=0)),
        (".br", lambda d: brotli.compress(d, quality=11)),
    ):
        cached = CACHE / "compressed" / f"{digest}{suffix}"
        if not cached.exists():
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(compress(data))
        if cached.stat().st_size < 0.95 * len(data):
            shutil.copyfile(cached, file.with_name(file.name + suffix))


def _hashed(path: Path, data: bytes) -> Path:
    named = path.with_name(f"{path.stem}.{sha256(data)[:HASH_LENGTH]}{path.suffix}")
    named.parent.mkdir(parents=True, exist_ok=True)
    named.write_bytes(data)
    return named


class BundleFolderError(SystemExit):
    """The folder given to --bundles cannot be published; dist/ is left as it was."""


def bundle_files(folder: Path) -> list[Path]:
    """The *.json bundles of `folder`, or an error naming the folder and what is wrong with it."""
    if not folder.exists():
        raise BundleFolderError(f"--bundles {folder}: no such folder; dist/ is unchanged")
    if not folder.is_dir():
        raise BundleFolderError(f"--bundles {folder}: not a folder (give the folder that holds your *.json bundles)")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise BundleFolderError(f"--bundles {folder}: the folder has no *.json bundle; dist/ is unchanged")
    return files


def previous_bundles(target: Path) -> str | None:
    """The bundle folder the current dist/ was built from, if it says."""
    try:
        return str(json.loads((target / "manifest.json").read_text())["bundles_from"])
    except (OSError, ValueError, KeyError):
        return None


def build(target: Path = DIST, bundles: Path = DEMO) -> dict:
    """Write dist/, publishing and prerendering every *.json bundle in `bundles`.

    The new tree is assembled beside the old one and swapped in at the end, so
    a failed build leaves the last good dist/ in place.
    """
    sources = bundle_files(bundles)
    pyodide_dir = fetch.pyodide()
    browser_wheels = fetch.wheels()
    check_wheels(pyodide_dir / "pyodide.asm.wasm", browser_wheels)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        engine = build_engine_wheel(Path(tmp))
        stdlib, wheels = compiled(pyodide_dir, [*browser_wheels, engine])
    stdlib, wheels = trim.trimmed(pyodide_dir, stdlib, wheels, sources)

    dist = target.with_name(target.name + ".new")
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    rel = lambda path: path.relative_to(dist).as_posix()

    runtime_files = [
        pyodide_dir / "pyodide.mjs",
        pyodide_dir / "pyodide.asm.mjs",
        pyodide_dir / "pyodide.asm.wasm",
        stdlib,
    ]
    runtime = dist / "runtime" / tree_hash(runtime_files)
    runtime.mkdir(parents=True)
    for file in runtime_files:
        shutil.copy2(file, runtime / file.name)

    packages = dist / "packages" / tree_hash(wheels)
    packages.mkdir(parents=True)
    for wheel in wheels:
        shutil.copy2(wheel, packages / wheel.name)
    write_lock(pyodide_dir / "pyodide-lock.json", wheels, packages / "lock.json")

    worker = _hashed(dist / "assets" / "worker.js", loader.worker())

    prerendered = {}
    for bundle_file in sources:
        published = dist / "bundles" / bundle_file.name
        published.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(bundle_file, published)
        try:
            cards = json.dumps(prerender_bundle(bundle_file.read_bytes()), separators=(",", ":")).encode()
        except BundleError as error:
            raise SystemExit("\n".join(f"{bundle_file}: {problem}" for problem in error.problems)) from None
        prerendered[rel(published)] = rel(_hashed(dist / "cards" / f"{bundle_file.stem}.json", cards))

    from verdict.schema import bundle_schema

    schema = dist / "schema" / "bundle-v1.json"
    schema.parent.mkdir(parents=True)
    schema.write_text(json.dumps(bundle_schema(), indent=2))

    runtime_assets = {
        "worker": rel(worker),
        "pyodide": rel(runtime / "pyodide.mjs"),
        "indexURL": rel(runtime) + "/",
        "stdlib": rel(runtime / stdlib.name),
        "packages": rel(packages) + "/",
        "lock": rel(packages / "lock.json"),
    }
    loader_module = _hashed(dist / "assets" / "loader.js", loader.loader_module(runtime_assets))
    assets = {**runtime_assets, "loader": rel(loader_module), "prerendered": prerendered}
    first_script = loader.first_script(rel(loader_module), prerendered)
    (dist / "embed.js").write_bytes(first_script)
    _hashed(dist / "embed.js", first_script)

    configurator.build(dist, pyodide_dir, packages, sources)

    for file in [f for f in dist.rglob("*") if f.is_file() and f.suffix in COMPRESSIBLE]:
        precompress(file)

    manifest = {
        "pyodide": pyodide_dir.name.removeprefix("pyodide-"),
        "bundles_from": str(bundles),
        "assets": assets,
        "files": {
            rel(f): {"bytes": f.stat().st_size, "sha256": sha256(f.read_bytes())}
            for f in sorted(dist.rglob("*"))
            if f.is_file() and f.suffix not in (".gz", ".br")
        },
    }
    (dist / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    dist.rename(target)
    return manifest
