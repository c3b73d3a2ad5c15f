"""The documentation's house rules: a short README, every docs page findable, links that resolve, no typed figures.

The README is the front door (the snippet on its first screen); the detail lives in docs/, by audience.
Links must work on GitHub and in the docs site's strict build alike: relative links to pages and
headings that exist, and none from docs/ to files outside it (the site could not resolve them).
Figures are measured, recorded and included from generated files: a page that types one by hand
goes stale with the next run. A product limit is a setting, not a measurement: it is written in
code (`10 s`), which this check leaves alone, as it leaves code blocks and generated includes.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
GENERATED = DOCS / "contributors" / "generated"
# Written by the docs site's own setup (mkdocstrings renders the engine's API from its docstrings).
PAGES_FROM_ELSEWHERE = {DOCS / "bundles" / "api.md"}

README_MAX_LINES = 200
SNIPPET_WITHIN = 40

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# A measured figure: a time, a size or a rate with its unit, or a ratio (0.47×). Not a dimension (1200 × 630).
FIGURE = re.compile(
    r"(?<![\w.#/-])\d+(?:[.,]\d+)*(?:\s?[–-]\s?\d+(?:[.,]\d+)*)?"
    r"(?:\s?(?:ms|s|KB|MB|GB|KiB|MiB|req/s|votes/s)\b|\s?[×x](?!\s?\d)(?=[\s,.;:)]|$))"
)


def docs_pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if GENERATED not in p.parents)


def prose_lines(text: str, blank_code: bool = True) -> list[tuple[int, str]]:
    """The lines read as prose: no fenced code, generated include or live-card block; code spans blanked."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    in_card = False
    for number, line in enumerate(text.splitlines(), 1):
        opened = FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1).startswith(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        if line.startswith("::: verdict"):
            in_card = True
            continue
        if in_card and line.startswith(("    ", "\t")) and line.strip():
            continue
        in_card = False
        if line.lstrip().startswith("--8<--"):
            continue
        out.append((number, CODE_SPAN.sub("``", line) if blank_code else line))
    return out


def typed_figures(text: str) -> list[str]:
    lines = prose_lines(text)
    return [f"line {n}: {m.group(0)!r} in {line.strip()[:100]!r}" for n, line in lines for m in FIGURE.finditer(line)]


def slug(heading: str) -> str:
    """Python-Markdown's toc slug (what MkDocs links to), which GitHub's agrees with for our headings."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for _, line in prose_lines(page.read_text(), blank_code=False):
        if match := HEADING.match(line):
            found.add(slug(match.group(2)))
    return found


def links(page: Path) -> list[str]:
    targets: list[str] = []
    for _, line in prose_lines(page.read_text()):
        targets += LINK.findall(line)
    return [t for t in targets if not re.match(r"^[a-z]+:", t)]  # http:, https:, mailto: are not ours to check


def test_the_readme_is_a_front_door_with_the_snippet_on_its_first_screen():
    lines = README.read_text().splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines: move the detail into docs/"
    first_screen = "\n".join(lines[:SNIPPET_WITHIN])
    assert '<script src="https://widget.example.com/verdict/embed.js"' in first_screen
    assert "data-bundle=" in first_screen and "data-comparison=" in first_screen
    assert "python3 build.py demo" in "\n".join(lines) and "python3 build.py test" in "\n".join(lines)
    assert "```mermaid" not in "\n".join(lines), "the docs site fetches nothing from a CDN: draw diagrams as text"


def test_every_docs_page_is_linked_from_the_readme_or_the_docs_home():
    home = DOCS / "index.md"
    linked = {(README.parent / t.split("#")[0]).resolve() for t in links(README)}
    linked |= {(home.parent / t.split("#")[0]).resolve() for t in links(home)}
    unreachable = [str(p.relative_to(ROOT)) for p in docs_pages() if p != home and p.resolve() not in linked]
    assert not unreachable, f"no link from README.md or docs/index.md to: {unreachable}"


@pytest.mark.parametrize("page", [README, *docs_pages()], ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve_to_pages_and_headings_that_exist(page: Path):
    broken: list[str] = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if page != README and DOCS.resolve() not in resolved.parents:
            broken.append(f"{target}: outside docs/, which the docs site cannot link (name the file in code)")
        elif resolved in PAGES_FROM_ELSEWHERE:
            continue
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and (resolved.suffix != ".md" or anchor not in anchors(resolved)):
            broken.append(f"{target}: no heading #{anchor} there")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


@pytest.mark.parametrize("page", [README, *docs_pages()], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_types_a_measured_figure(page: Path):
    found = typed_figures(page.read_text())
    assert not found, (
        f"{page.relative_to(ROOT)} quotes figures by hand (link docs/contributors/benchmarks.md, "
        f"or write a product limit in code): " + "; ".join(found)
    )


def test_the_figure_check_catches_typed_figures_and_spares_limits_dimensions_and_code():
    caught = [
        "engine ready at 0.47–0.57× the bare page's time cold",
        "a vote shown as taken 60 ms after the click",
        "cold download to engine ready: 4.26 MB with brotli",
        "a page that weighs 61 KiB",
        "took 1.4 s on a phone",
        "7,200 votes/s on SQLite",
        "a ratio of 4.0x",
    ]
    spared = [
        "a timeout (`10 s`), a body over `4 KiB`",
        "a 1200 × 630 picture; four tools sit 2 × 2",
        "1–200 characters of plain text; levels 1–6; 75% on the panel",
        "```\nlisted 4.26 MB\n```",
        '--8<-- "docs/contributors/generated/latest.md"',
        "the v3 SDK, Python 3.12, `sha384-…`, 4 tools",
    ]
    assert all(typed_figures(text) for text in caught), [t for t in caught if not typed_figures(t)]
    assert not any(typed_figures(text) for text in spared), [typed_figures(t) for t in spared]
