"""The docs site: MkDocs with the Material theme, built strict into dist/docs/ beside the widget it documents.

The pages' live cards (``::: verdict`` blocks, verdict-sitegen) load dist/'s
own loader by a relative URL, so the site works wherever dist/ is served; they
vote on ``endpoint`` (``build.py demo`` passes its own). Any warning fails the
build (a broken link or anchor, a missing include), and so does a page that
would load a script, stylesheet, font or picture from another host.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..paths import DIST, ROOT

CONFIG = ROOT / "mkdocs.yml"
SITE = DIST / "docs"
# `build.py demo`'s vote endpoint on its default port: the demo's cards vote there.
DEMO_ENDPOINT = "http://127.0.0.1:8002"
# Where a page's markup fetches from (a plain hyperlink, <a href>, fetches nothing).
FETCHING = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
ELSEWHERE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.IGNORECASE)


class DocsError(RuntimeError):
    """The site did not build: every warning of the strict build, or what the page would fetch from elsewhere."""


class _Fetches(HTMLParser):
    """Every URL a page fetches by itself: scripts, stylesheets, icons, pictures, frames, inline CSS's url()."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in FETCHING.get(tag, ()):
                self.urls += (
                    [part.split()[0] for part in value.split(",") if part.strip()] if "srcset" in name else [value]
                )
            if value and name == "style":
                self.urls += CSS_URL.findall(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += CSS_URL.findall(data)


def fetched_from_elsewhere(site: Path) -> list[str]:
    """``file: URL`` for each script, stylesheet, font, picture or frame of the built site that another host
    would serve (a CDN, Google Fonts); empty when the site needs nothing but its own files and dist/'s."""
    found = []
    for file in sorted(site.rglob("*")):
        if file.suffix == ".html":
            parser = _Fetches()
            parser.feed(file.read_text())
            urls = parser.urls
        elif file.suffix == ".css":
            urls = CSS_URL.findall(file.read_text())
        else:
            continue
        found += [f"{file.relative_to(site)}: {url}" for url in urls if ELSEWHERE.match(url)]
    return found


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build(site: Path = SITE, endpoint: str | None = DEMO_ENDPOINT, docs: Path | None = None) -> Path:
    """Build the site into ``site``, strict; its cards vote on ``endpoint`` (None: cards without voting).
    ``docs``: another folder of pages than docs/ (the tests' broken copies). DocsError when it fails."""
    # Read by mkdocs.yml (!ENV) as MkDocs loads it; the theme's notice about MkDocs 2 is not this build's.
    before = {name: os.environ.get(name) for name in ("VERDICT_DOCS_ENDPOINT", "NO_MKDOCS_2_WARNING")}
    os.environ.update(VERDICT_DOCS_ENDPOINT=endpoint or "", NO_MKDOCS_2_WARNING="1")
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException
    from pymdownx.snippets import SnippetMissingError  # type: ignore[import-untyped]

    from verdict_sitegen.markdown import VerdictBlockError

    overrides: dict[str, Any] = {"site_dir": str(site), "strict": True, **({"docs_dir": str(docs)} if docs else {})}
    warnings = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    try:
        config = load_config(str(CONFIG), **overrides)
        mkdocs_build(config)
    except (MkDocsException, VerdictBlockError, SnippetMissingError, OSError) as error:
        raise DocsError("\n".join([*warnings.messages, str(error)])) from None
    finally:
        logger.removeHandler(warnings)
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    elsewhere = fetched_from_elsewhere(site)
    if elsewhere:
        raise DocsError("the site would fetch from other hosts (serve every file from dist/):\n" + "\n".join(elsewhere))
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py docs", description=__doc__)
    parser.add_argument(
        "--endpoint",
        default=DEMO_ENDPOINT,
        help=f"the vote endpoint of the pages' live cards (default: the demo's, {DEMO_ENDPOINT}); '' for none",
    )
    parser.add_argument("--site-dir", type=Path, default=SITE, help="where to build (default: dist/docs/)")
    args = parser.parse_args(argv)
    if not (DIST / "embed.js").exists():
        raise SystemExit("dist/ is missing: the docs' cards load its loader (run `python3 build.py build`)")
    try:
        site = build(args.site_dir.resolve(), args.endpoint or None)
    except DocsError as error:
        print(f"the docs did not build:\n{error}")
        return 1
    where = site.relative_to(ROOT) if site.is_relative_to(ROOT) else site
    print(
        f"docs built into {where}/ (served by `python3 build.py demo` at WIDGET/docs/); cards vote on {args.endpoint}"
    )
    return 0
