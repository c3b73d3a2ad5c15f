"""Assemble dist/: the self-hosted widget, ready for any static host.

Layout (every name below with <hash> is content-addressed and immutable):

    embed.js                  the first script publishers paste (stable name, short cache)
    embed.<hash>.js           the same script under an immutable name
    assets/loader.<hash>.js   the loader proper with the card's stylesheet (ES module)
    assets/worker.<hash>.js   the Web Worker that hosts Pyodide
    runtime/<hash>/           Pyodide core + precompiled standard library
    packages/<hash>/          precompiled wheels (pydantic…, our engine) + lock.json
    cards/<name>.<hash>.json  prerendered cards of each bundle the build saw (<name>-h<N> for
                              data-heading-level N other than 2)
    inline/<name>/<id>.html   the inline form of each card, for the host page itself
    frame/<name>/<id>.html    each card's frame page: the link to paste on link-only platforms
                              (Open Graph, twitter:player, oEmbed discovery: frames.py)
    og/<name>/<id>.png        each card's link-preview picture (with --widget-url)
    inline/<name>.json        the inline kit of each bundle, for site generators without Python
                              (inline_kit.py), and inline/verdict-inline.mjs that reads it
    card.css                  the card's stylesheet (for `verdict render --embed`)
    custom-elements.json      the Custom Elements Manifest of <verdict-card>
    verdict-card*.d.ts        its TypeScript typings (DOM and JSX, React 19, Vue 3)
    bundles/<name>.json       the demo bundles
    schema/bundle-v1.json     JSON Schema of the bundle format
    configure/                the publisher's configurator (PyScript; see configurator.py)
    manifest.json             every file with its size and sha256
    *.gz, *.br                precompressed twins, where they are worth it
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import brotli

from verdict.bundle import BundleError, load_bundle
from verdict.livecard import live_key
from verdict.rules import DEFAULT_HEADING_LEVEL, HEADING_LEVELS

from ..hashes import HASH_LENGTH, sha256, sri, tree_hash
from ..paths import CACHE, DEMO, DIST, LOADER, WIDGET
from ..runtime.lock import write_lock
from ..runtime.pipeline import PACKAGED_STYLESHEET, shipped_runtime
from . import configurator, element, frames, loader
from .inline_kit import SITEGEN_JS, inline_kit
from .prerender import inline_cards, markup_names, prerender_bundle

COMPRESSIBLE = {".js", ".mjs", ".json", ".wasm", ".zip", ".whl", ".html", ".css"}


def package_stylesheet(css: str) -> None:
    """The engine's copy of the card's stylesheet (in its wheel, for `verdict render --embed`), when changed."""
    packaged = WIDGET / PACKAGED_STYLESHEET
    if not packaged.exists() or packaged.read_text() != css:
        packaged.write_text(css)


def precompress(file: Path) -> None:
    """Write .gz and .br twins for servers that send precompressed files.

    A twin no smaller than 95% of the file (a deflated zip, say) is not worth
    a Content-Encoding and is skipped. Brotli at its best level is slow, so
    results are cached by content.
    """
    data = file.read_bytes()
    for suffix in COMPRESSIONS:
        twin = compressed(data, suffix)
        if twin is not None:
            shutil.copyfile(twin, file.with_name(file.name + suffix))


COMPRESSIONS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": lambda data: gzip.compress(data, 9, mtime=0),
    ".br": lambda data: brotli.compress(data, quality=11),
}


def compressed(data: bytes, suffix: str) -> Path | None:
    """The cached twin of `data` for `suffix` (".gz", ".br"), or None when it is not worth serving (95% rule)."""
    cached = CACHE / "compressed" / f"{sha256(data)}{suffix}"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(COMPRESSIONS[suffix](data))
    return cached if cached.stat().st_size < 0.95 * len(data) else None


def _wire_size(file: Path, encoding: str) -> int:
    """Bytes on the wire for `file` with the twin of `encoding` ("" for none, ".br"), when there is one."""
    twin = file.with_name(file.name + encoding)
    return (twin if encoding and twin.exists() else file).stat().st_size


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


def _source_note(target: Path) -> Path:
    """Where the build notes the bundle folder dist/ came from: beside dist/, never in it.

    The folder's absolute path names this machine's user and layout, and dist/ is
    published as it is: nothing in it may say where or by whom it was built.
    """
    return target.with_name(f".{target.name}-bundles-from")


def previous_bundles(target: Path) -> str | None:
    """The bundle folder the current dist/ was built from, if it was noted."""
    try:
        return _source_note(target).read_text().strip() or None
    except OSError:
        return None


def build(
    target: Path = DIST,
    bundles: Path = DEMO,
    widget_url: str | None = None,
    endpoint: str | None = None,
    *,
    plain_runtime: bool = False,
) -> dict[str, Any]:
    """Write dist/, publishing and prerendering every *.json bundle in `bundles`.

    `widget_url` (where dist/ will be served) and `endpoint` (the vote endpoint,
    which answers oEmbed) go into the frame pages, for link-only platforms (frames.py).

    The new tree is assembled beside the old one and swapped in at the end, so
    a failed build leaves the last good dist/ in place.
    """
    sources = bundle_files(bundles)
    css = loader.stylesheet()
    package_stylesheet(css)
    pyodide_dir, runtime_dir, stdlib, wheels = shipped_runtime(plain_runtime)

    dist = target.with_name(target.name + ".new")
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)

    def rel(path: Path) -> str:
        return path.relative_to(dist).as_posix()

    # Pyodide's JavaScript (pyodide.mjs, pyodide.asm.mjs) is bundled into the worker: not served on its own.
    runtime_files = [runtime_dir / "pyodide.asm.wasm", stdlib]
    runtime = dist / "runtime" / tree_hash(runtime_files)
    runtime.mkdir(parents=True)
    for file in runtime_files:
        shutil.copy2(file, runtime / file.name)

    packages = dist / "packages" / tree_hash(wheels)
    packages.mkdir(parents=True)
    for wheel in wheels:
        shutil.copy2(wheel, packages / wheel.name)
    write_lock(pyodide_dir / "pyodide-lock.json", wheels, packages / "lock.json")

    worker = _hashed(dist / "assets" / "worker.js", loader.worker(runtime_dir))

    (dist / "card.css").write_text(css)
    shutil.copy2(LOADER / "frame.html", dist / "frame.html")
    (dist / "frame.js").write_bytes(loader.frame_script())
    element.write(dist)
    # bundle path -> heading level -> [cards file path, its integrity]
    prerendered: dict[str, dict[str, list[str]]] = {}
    live_keys: dict[str, str] = {}  # bundle path -> its key for the endpoint's live cards (verdict.livecard)
    every_level: list[dict[str, Any]] = []
    for bundle_file in sources:
        published = dist / "bundles" / bundle_file.name
        published.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(bundle_file, published)
        raw = bundle_file.read_bytes()
        try:
            levels = {level: prerender_bundle(raw, level) for level in HEADING_LEVELS}
            inline = inline_cards(raw, css)
            kit = inline_kit(raw, css, levels)
        except BundleError as error:
            raise SystemExit("\n".join(f"{bundle_file}: {problem}" for problem in error.problems)) from None
        files = {}
        for level, cards in levels.items():
            data = json.dumps(cards, separators=(",", ":")).encode()
            stem = bundle_file.stem if level == DEFAULT_HEADING_LEVEL else f"{bundle_file.stem}-h{level}"
            files[str(level)] = [rel(_hashed(dist / "cards" / f"{stem}.json", data)), sri(data)]
        prerendered[rel(published)] = files
        live_keys[rel(published)] = live_key(load_bundle(raw))
        every_level.extend(levels.values())
        for name, html in inline.items():
            snippet = dist / "inline" / bundle_file.stem / name
            snippet.parent.mkdir(parents=True, exist_ok=True)
            snippet.write_text(html)
        (dist / "inline" / f"{bundle_file.stem}.json").write_text(json.dumps(kit, separators=(",", ":")))
    (dist / "inline").mkdir(exist_ok=True)
    shutil.copy2(SITEGEN_JS, dist / "inline" / SITEGEN_JS.name)

    frames.write(dist, widget_url, endpoint)

    from verdict.schema import bundle_schema

    schema = dist / "schema" / "bundle-v1.json"
    schema.parent.mkdir(parents=True)
    schema.write_text(json.dumps(bundle_schema(), indent=2))

    runtime_assets: dict[str, Any] = {
        "worker": rel(worker),
        "indexURL": rel(runtime) + "/",
        "core": rel(runtime / "pyodide.asm.wasm"),
        "stdlib": rel(runtime / stdlib.name),
        "packages": rel(packages) + "/",
        "lock": rel(packages / "lock.json"),
    }
    # Every file the loader and the worker fetch is checked against these (SRI, sha384).
    fetched = [worker, runtime / "pyodide.asm.wasm", runtime / stdlib.name, packages / "lock.json"]
    runtime_assets["integrity"] = {rel(f): sri(f.read_bytes()) for f in fetched}
    # The big files' sizes, for the console note when a host ignores the precompressed twins.
    big = [runtime / "pyodide.asm.wasm", runtime / stdlib.name]
    runtime_assets["sizes"] = {rel(f): f.stat().st_size for f in big}
    wheels_shipped = [packages / w.name for w in wheels]
    download = [*fetched, *wheels_shipped]
    for file in download:
        precompress(file)
    runtime_assets["downloadMB"] = [round(sum(_wire_size(f, e) for f in download) / 1e6, 1) for e in ("", ".br")]
    runtime_assets["cards"] = prerendered
    # A card nobody has touched takes its live figures as HTML from the endpoint, when it has this bundle's key;
    # the loader lets through only the elements and attributes the engine's own cards use.
    runtime_assets["liveKeys"] = live_keys
    runtime_assets["markup"] = markup_names(every_level)
    # The inline card's <style>, as a Content-Security-Policy names it (style-src 'sha256-…').
    runtime_assets["cardStyle"] = "sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    loader_module = loader.loader_module(runtime_assets)
    loader_path = rel(_hashed(dist / "assets" / "loader.js", loader_module))
    # The first script fetches the default heading level's cards while the loader downloads.
    first_cards = {bundle: levels[str(DEFAULT_HEADING_LEVEL)] for bundle, levels in prerendered.items()}
    boot = {"loader": [loader_path, sri(loader_module)], "prerendered": first_cards}
    assets = {**runtime_assets, "loader": loader_path, "prerendered": first_cards}
    first_script = loader.first_script(boot)
    (dist / "embed.js").write_bytes(first_script)
    pinned = _hashed(dist / "embed.js", first_script)

    configurator.build(dist, pyodide_dir, packages, sources)

    for file in [f for f in dist.rglob("*") if f.is_file() and f.suffix in COMPRESSIBLE]:
        precompress(file)

    manifest = {
        "pyodide": pyodide_dir.name.removeprefix("pyodide-"),
        # "plain": Pyodide's runtime as released (build --plain-runtime); "shipped": slimmed, trimmed, blanked.
        "runtime": "plain" if plain_runtime else "shipped",
        "assets": assets,
        # The embed snippet with Subresource Integrity: the immutable copy of the first script and its hash.
        "embed": {"src": rel(pinned), "integrity": sri(first_script)},
        # For a host page whose CSP has no 'unsafe-inline' styles and uses the inline card form.
        "card_css": runtime_assets["cardStyle"],
        "files": {
            rel(f): {"bytes": f.stat().st_size, "sha256": sha256(f.read_bytes())}
            for f in sorted(dist.rglob("*"))
            if f.is_file() and f.suffix not in (".gz", ".br")
        },
    }
    (dist / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(target, ignore_errors=True)
    dist.rename(target)
    _source_note(target).write_text(f"{bundles}\n")
    return manifest
