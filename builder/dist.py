"""Assemble dist/: the self-hosted widget, ready for any static host.

Layout (every name below with <hash> is content-addressed and immutable):

    embed.js                  the loader publishers paste (stable name, short cache)
    embed.<hash>.js           the same loader under an immutable name
    assets/worker.<hash>.js   the Web Worker that hosts Pyodide
    runtime/<hash>/           Pyodide core + precompiled standard library
    packages/<hash>/          precompiled wheels (pydantic…, our engine) + lock.json
    cards/<name>.<hash>.json  prerendered cards of each bundle the build saw (<name>-h<N> for
                              data-heading-level N other than 2)
    inline/<name>/<id>.html   the inline form of each card, for the host page itself
    card.css                  the card's stylesheet (for `verdict render --embed`)
    frame.html                one card in a page of its own, for iframe-only platforms
    bundles/<name>.json       the demo bundles
    schema/bundle-v1.json     JSON Schema of the bundle format
    manifest.json             every file with its size and sha256
    *.gz, *.br                precompressed twins, where they are worth it
"""

from __future__ import annotations

import base64
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

from . import fetch, pyc
from .paths import CACHE, DEMO, DIST, LOADER, WIDGET
from .prerender import DEFAULT_HEADING_LEVEL, HEADING_LEVELS, inline_cards, prerender_bundle

HASH_LENGTH = 12
# The runtime's zips (stdlib, wheels) are stored uncompressed and sent with
# brotli: 3.7 MB on the wire instead of 5.7 MB for self-deflated zips, and a
# little faster to import from. The widget host must serve the .br/.gz twins.
ZIP_COMPRESSION = "stored"
COMPRESSIBLE = {".js", ".mjs", ".json", ".wasm", ".zip", ".whl", ".html", ".css"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sri(data: bytes) -> str:
    """Subresource Integrity value (sha384), as browsers check it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


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


def write_lock(pyodide_dir: Path, wheels: list[Path], out: Path) -> None:
    """A lockfile naming only what the engine imports, with the hashes of our files."""
    upstream = json.loads((pyodide_dir / "pyodide-lock.json").read_text())
    packages = {}
    for wheel in wheels:
        dist_name, version = wheel.name.split("-")[:2]
        key = dist_name.lower().replace("_", "-")
        entry = dict(
            upstream["packages"].get(key)
            or {
                "name": key,
                "install_dir": "site",
                "package_type": "package",
                "imports": [dist_name],
                "depends": ["pydantic"],
                "unvendored_tests": False,
            }
        )
        entry.update(version=version, file_name=wheel.name, sha256=sha256(wheel.read_bytes()))
        entry.pop("tool", None)
        packages[key] = entry
    for entry in packages.values():
        missing = [d for d in entry["depends"] if d.lower().replace("_", "-") not in packages]
        if missing:
            raise SystemExit(f"lockfile: {entry['name']} depends on {missing}, which the build does not ship")
    out.write_text(json.dumps({"info": upstream["info"], "packages": packages}, indent=1, sort_keys=True))


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


def build(target: Path = DIST, bundles: Path = DEMO) -> dict:
    """Write dist/, publishing and prerendering every *.json bundle in `bundles`.

    The new tree is assembled beside the old one and swapped in at the end, so
    a failed build leaves the last good dist/ in place.
    """
    pyodide_dir = fetch.pyodide()
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        engine = build_engine_wheel(Path(tmp))
        stdlib, wheels = compiled(pyodide_dir, [*fetch.wheels(), engine])

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
    write_lock(pyodide_dir, wheels, packages / "lock.json")

    worker = _hashed(dist / "assets" / "worker.js", (LOADER / "worker.js").read_bytes())

    css = (LOADER / "card.css").read_text()
    (dist / "card.css").write_text(css)
    prerendered: dict[str, dict[str, dict[str, str]]] = {}
    for bundle_file in sorted(bundles.glob("*.json")):
        published = dist / "bundles" / bundle_file.name
        published.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(bundle_file, published)
        raw = bundle_file.read_bytes()
        try:
            levels = {level: prerender_bundle(raw, level) for level in HEADING_LEVELS}
            inline = inline_cards(raw, css)
        except BundleError as error:
            raise SystemExit("\n".join(f"{bundle_file}: {problem}" for problem in error.problems)) from None
        files = {}
        for level, cards in levels.items():
            data = json.dumps(cards, separators=(",", ":")).encode()
            stem = bundle_file.stem if level == DEFAULT_HEADING_LEVEL else f"{bundle_file.stem}-h{level}"
            files[str(level)] = {"file": rel(_hashed(dist / "cards" / f"{stem}.json", data)), "integrity": sri(data)}
        prerendered[rel(published)] = files
        for name, html in inline.items():
            snippet = dist / "inline" / bundle_file.stem / name
            snippet.parent.mkdir(parents=True, exist_ok=True)
            snippet.write_text(html)

    from verdict.schema import bundle_schema

    schema = dist / "schema" / "bundle-v1.json"
    schema.parent.mkdir(parents=True)
    schema.write_text(json.dumps(bundle_schema(), indent=2))

    assets = {
        "worker": rel(worker),
        "pyodide": rel(runtime / "pyodide.mjs"),
        "indexURL": rel(runtime) + "/",
        "stdlib": rel(runtime / stdlib.name),
        "packages": rel(packages) + "/",
        "lock": rel(packages / "lock.json"),
        "css": css,
        "prerendered": {bundle: levels[str(DEFAULT_HEADING_LEVEL)]["file"] for bundle, levels in prerendered.items()},
        # Prerendered cards by bundle and heading level, each with its integrity.
        "cards": prerendered,
        # Every file the loader and the worker fetch, checked against these (SRI, sha384).
        "integrity": {
            rel(f): sri(f.read_bytes())
            for f in [worker, *(runtime / n.name for n in runtime_files), packages / "lock.json"]
        },
    }
    source = (LOADER / "embed.js").read_text()
    if "/*@assets*/ null" not in source:
        raise SystemExit("loader/embed.js lost its /*@assets*/ marker")
    loader = source.replace("/*@assets*/ null", json.dumps(assets, indent=2)).encode()
    (dist / "embed.js").write_bytes(loader)
    pinned = _hashed(dist / "embed.js", loader)

    for file in [f for f in dist.rglob("*") if f.is_file() and f.suffix in COMPRESSIBLE]:
        precompress(file)

    manifest = {
        "pyodide": pyodide_dir.name.removeprefix("pyodide-"),
        "assets": {k: v for k, v in assets.items() if k != "css"},
        # The embed snippet with Subresource Integrity: the immutable copy of the loader and its hash.
        "embed": {"src": rel(pinned), "integrity": sri(loader)},
        "card_css": {"sha256": "sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()},
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
