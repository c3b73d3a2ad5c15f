"""The pictures stay true: every picture README.md and the docs show is in the repository, and is one that
`build.py screenshots` takes or `build.py bench --report` draws, so rerunning those remakes it."""

from __future__ import annotations

import re
from pathlib import Path

from builder.devtools import bench_report, screenshots

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
# Markdown images, and HTML <img> tags, with a local source (not a URL, not a data: URI).
# A fragment pulled into a page (pymdownx.snippets, paths from the checkout's root): its pictures are the page's.
SNIPPET = re.compile(r'^-{1,3}8<-{1,3}\s+"([^"]+)"\s*$', re.M)
PICTURE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img\b[^>]*\bsrc=\"([^\"]+)\"")


def documented_pictures(root: Path = ROOT) -> dict[Path, list[str]]:
    """Every local picture a Markdown page of README.md or docs/ shows -> the pages that show it."""
    pages = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    pages = [page for page in pages if "generated" not in page.relative_to(root).parts]  # only as included
    found: dict[Path, list[str]] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        text = SNIPPET.sub(lambda m: (root / m.group(1)).read_text(encoding="utf-8"), text)
        text = re.sub(r"```.*?```", "", text, flags=re.S)  # examples in code blocks show nothing
        for match in PICTURE.finditer(text):
            source = (match.group(1) or match.group(2)).split("#")[0]
            if re.match(r"[a-z]+:", source):
                continue
            picture = (page.parent / source).resolve()
            found.setdefault(picture, []).append(str(page.relative_to(root)))
    return found


def made_pictures() -> set[Path]:
    shots = {IMAGES / name for name in screenshots.pictures()}
    charts = {ROOT / chart for chart in bench_report.outputs(bench_report.load_runs()) if chart.suffix == ".svg"}
    return shots | charts


def test_the_docs_show_pictures() -> None:
    assert len(documented_pictures()) >= 3


def test_a_picture_shown_by_a_page_or_by_a_fragment_it_includes_is_found(tmp_path: Path) -> None:
    (tmp_path / "docs" / "guide" / "generated").mkdir(parents=True)
    (tmp_path / "README.md").write_text("![The card](docs/images/card.png)\n```md\n![not shown](x.png)\n```\n")
    (tmp_path / "docs" / "guide" / "page.md").write_text(
        '<img src="../images/shot.png" alt="">\n\n--8<-- "docs/guide/generated/part.md"\n'
    )
    (tmp_path / "docs" / "guide" / "generated" / "part.md").write_text("![A chart](../images/chart.svg)\n")
    assert documented_pictures(tmp_path) == {
        tmp_path / "docs" / "images" / "card.png": ["README.md"],
        tmp_path / "docs" / "images" / "shot.png": ["docs/guide/page.md"],
        tmp_path / "docs" / "images" / "chart.svg": ["docs/guide/page.md"],
    }


def test_every_documented_picture_is_in_the_repository() -> None:
    missing = {str(p.relative_to(ROOT)): pages for p, pages in documented_pictures().items() if not p.is_file()}
    assert not missing, f"pictures shown but missing: {missing} (python3 build.py screenshots makes them)"


def test_every_documented_picture_is_one_the_build_makes() -> None:
    made = made_pictures()
    stray = {str(p.relative_to(ROOT)): pages for p, pages in documented_pictures().items() if p not in made}
    assert not stray, (
        f"pictures shown that neither `build.py screenshots` nor `build.py bench --report` makes: {stray} "
        "(a hand-made picture goes stale; add it to builder/devtools/screenshots.py)"
    )


def test_every_picture_the_build_makes_is_in_the_repository() -> None:
    missing = sorted(str(p.relative_to(ROOT)) for p in made_pictures() if not p.is_file())
    assert not missing, f"run `python3 build.py screenshots` and commit: {missing}"


def test_the_card_states_and_every_locale_are_pictured() -> None:
    from verdict.i18n import SUPPORTED_LOCALES

    names = set(screenshots.pictures())
    states = {"card-voted.png", "card-closed.png", "card-results-after-vote.png", "card-error.png"}
    assert states <= names
    assert {f"card-locale-{tag}.png" for tag in SUPPORTED_LOCALES} <= names
    assert {"configurator.png", "results.png"} <= names


def test_every_picture_kept_in_docs_images_is_one_the_build_makes() -> None:
    kept = {p for p in IMAGES.iterdir() if p.is_file()}
    stray = sorted(str(p.relative_to(ROOT)) for p in kept - made_pictures())
    assert not stray, f"pictures no build step remakes (they go stale): {stray}"
