"""Build the example sites of examples/ with their real site generators.

    python3 build.py examples [NAME …] [--bundles DIR] [--widget URL] [--endpoint URL] [--out DIR]

Each example is a minimal real site with a card on a post. It is copied to
--out (build/examples/<name>/ by default, never built in place), given what
its generator reads: the Python ones (MkDocs, Pelican, Sphinx) render the card
with the engine from dist/'s bundles and card.css; the others (Hugo, Jekyll,
Eleventy, Astro, Docusaurus) read the bundles' inline kits, dist/inline/
<bundle>.json, copied into their data folder. Then the generator itself runs.
The widget URL and the vote endpoint default to the demo's
(`python3 build.py demo`), so the built sites work against it as they are.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..paths import DIST, ROOT

EXAMPLES = ROOT / "examples"
NODE_MODULES = EXAMPLES / "node_modules"
DEFAULT_OUT = ROOT / "build" / "examples"
# Pelican logs a page it cannot read and would otherwise finish the build without it.
FATAL = ("--fatal", "errors")
DEMO_WIDGET, DEMO_ENDPOINT = "http://127.0.0.1:8001/", "http://127.0.0.1:8002"


@dataclass(frozen=True)
class Generator:
    name: str
    output: str
    """The built site's folder, in the example's copy."""
    post: str
    """The post with the card, in the built site."""
    kits: str | None = None
    """Where the generator reads the inline kits (generators without Python), in the example's copy."""
    script: bool = False
    """Whether it takes a copy of verdict-inline.mjs (JavaScript generators)."""

    def command(self) -> list[str]:
        def node(*path: str) -> list[str]:
            return ["node", str(NODE_MODULES.joinpath(*path))]

        return {
            "mkdocs": [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", "site"],
            "pelican": [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output", *FATAL],
            "sphinx": [sys.executable, "-m", "sphinx", "-b", "html", "-q", ".", "_build/html"],
            "hugo": ["hugo", "--destination", "public"],
            "jekyll": ["jekyll", "build", "--quiet", "--config", "_config.yml,_config.verdict.yml"],
            "eleventy": [*node("@11ty", "eleventy", "cmd.cjs"), "--quiet"],
            "astro": [*node("astro", "astro.js"), "build", "--silent"],
            "docusaurus": [*node("@docusaurus", "core", "bin", "docusaurus.mjs"), "build", "--no-minify"],
        }[self.name]


GENERATORS = {
    g.name: g
    for g in (
        Generator("mkdocs", "site", "posts/card/index.html"),
        Generator("pelican", "output", "posts/card.html"),
        Generator("sphinx", "_build/html", "posts/card.html"),
        Generator("hugo", "public", "posts/card/index.html", kits="data/verdict"),
        Generator("jekyll", "_site", "posts/card.html", kits="_data/verdict"),
        Generator("eleventy", "_site", "posts/card/index.html", kits="verdict", script=True),
        Generator("astro", "dist", "posts/card.html", kits="verdict", script=True),
        Generator("docusaurus", "build", "posts/card/index.html", kits="verdict", script=True),
    )
}
NODE_GENERATORS = {name for name, g in GENERATORS.items() if g.script}


class ExampleError(RuntimeError):
    """A generator failed on its example; the message holds what it printed."""


@dataclass(frozen=True)
class BuiltSite:
    name: str
    root: Path
    """The built site, to serve at the root of an origin."""
    post: str
    """The post's path on that origin."""
    seconds: float


def build_example(
    name: str, out: Path, *, widget: str, endpoint: str | None, dist: Path = DIST, source: Path | None = None
) -> BuiltSite:
    """Copy examples/<name> (or `source`) to out/<name>, give it the widget's files, run its generator."""
    generator = GENERATORS[name]
    site = out / name
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(source or EXAMPLES / name, site, symlinks=True)
    if generator.kits:
        kits = site / generator.kits
        kits.mkdir(parents=True, exist_ok=True)
        for kit in (dist / "inline").glob("*.json"):
            shutil.copy2(kit, kits / kit.name)
    if generator.script:
        (site / "lib").mkdir(exist_ok=True)
        shutil.copy2(dist / "inline" / "verdict-inline.mjs", site / "lib" / "verdict-inline.mjs")
        (site / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    if name == "jekyll":
        (site / "_config.verdict.yml").write_text(f"verdict:\n  widget: {widget!r}\n  endpoint: {endpoint or ''!r}\n")
    env = {
        **os.environ,
        "VERDICT_WIDGET": widget,
        "VERDICT_ENDPOINT": endpoint or "",
        "VERDICT_BUNDLES": str(dist / "bundles"),
        "VERDICT_CSS": str(dist / "card.css"),
        "HUGO_PARAMS_VERDICT_WIDGET": widget,
        "HUGO_PARAMS_VERDICT_ENDPOINT": endpoint or "",
        # Astro and Docusaurus would ask to send usage data, and Docusaurus to check for updates.
        "ASTRO_TELEMETRY_DISABLED": "1",
        "DOCUSAURUS_IGNORE_SSG_WARNINGS": "true",
        # Its webpack cache (in the shared node_modules) knows neither the site's folder nor VERDICT_*: stale cards.
        "DOCUSAURUS_NO_PERSISTENT_CACHE": "1",
        "NO_UPDATE_NOTIFIER": "1",
        "CI": "1",
        "COLUMNS": "400",  # one line per message (Pelican's log wraps at the terminal's width)
    }
    started = time.monotonic()
    result = subprocess.run(generator.command(), cwd=site, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise ExampleError(f"{name}: the site build failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    root = site / generator.output
    if not (root / generator.post).exists():
        raise ExampleError(f"{name}: the build wrote no {generator.post} in {root}")
    return BuiltSite(name, root, "/" + generator.post.removesuffix("index.html"), time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py examples", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"which ({', '.join(GENERATORS)}; default: all)")
    parser.add_argument("--widget", default=DEMO_WIDGET, help="the widget host's dist/ URL (default: the demo's)")
    parser.add_argument("--endpoint", default=DEMO_ENDPOINT, help="the vote endpoint (default: the demo's)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to build (default: build/examples)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in GENERATORS]
    if unknown:
        parser.error(f"no example {', '.join(unknown)} (there are {', '.join(GENERATORS)})")
    status = 0
    for name in args.names or GENERATORS:
        try:
            built = build_example(name, args.out.resolve(), widget=args.widget, endpoint=args.endpoint)
        except ExampleError as error:
            print(error, file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {built.root} (post: {built.post}, built in {built.seconds:.1f} s)", flush=True)
    return status
