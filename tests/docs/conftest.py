"""The docs site, built once per run as `build.py docs` builds it, served as `build.py demo` serves it.

The site is built strict into a copy of dist/ (hard links where the file
system allows), so the run never touches dist/ itself; its cards vote on the
vote endpoint the demo's servers start beside it. Chromium is the browser
tests' own (tests/browser/conftest.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.devtools import docs
from builder.devtools.chromium import free_port_run
from builder.devtools.serve import demo_in_background
from tests.browser.conftest import context, page  # noqa: F401  # the browser suite's pages, same Chromium

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"


@dataclass(frozen=True)
class BuiltDocs:
    site: Path
    """The built site, dist/docs/ of the copy."""
    dist: Path
    """The copy of dist/ it was built into."""
    base: int
    """The demo's first port: the widget host serves the copy at base + 1, the endpoint listens at base + 2."""


@dataclass(frozen=True)
class DocsSite:
    root: str
    """The site's address on the widget host: http://127.0.0.1:PORT/docs/."""
    votes: str


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> BuiltDocs:
    if not (DIST / "embed.js").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    base = free_port_run()
    copy = tmp_path_factory.mktemp("docs") / "dist"
    top_level_docs = lambda folder, names: ["docs"] if Path(folder) == DIST else []
    shutil.copytree(DIST, copy, copy_function=_link_or_copy, ignore=top_level_docs)
    site = docs.build(copy / "docs", endpoint=f"http://127.0.0.1:{base + 2}")
    return BuiltDocs(site, copy, base)


@pytest.fixture(scope="session")
def docs_site(built_docs: BuiltDocs) -> Iterator[DocsSite]:
    folder = built_docs.dist.parent
    with demo_in_background(
        built_docs.base, folder / "servers.log", database=folder / "votes.db", dist=built_docs.dist
    ) as where:
        yield DocsSite(where["widget"] + "/docs/", where["votes"])
