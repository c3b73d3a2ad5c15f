"""The engine as a publisher installs it: its wheel in a fresh virtual
environment, run from a folder with no checkout and no dist/ around it.
`verdict render --embed` must print the inline form with the card's
stylesheet shipped in the package, byte for byte what the build publishes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from builder.runtime.pipeline import build_engine_wheel

from ..conftest import DEMO_BUNDLE, SEED

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the engine's wheel (its dependencies come from this one's site-packages)."""
    if not (DIST / "card.css").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    where = tmp_path_factory.mktemp("installed")
    wheel = build_engine_wheel(where / "wheel")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("verdict/card.css").decode() == (DIST / "card.css").read_text()
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run([*pip, str(wheel)], check=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())  # fmt: skip
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def test_render_embed_works_from_an_installed_engine_without_a_checkout(installed: Path, tmp_path: Path):
    bundle = shutil.copy(DEMO_BUNDLE, tmp_path / "comparisons.json")
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import verdict; print(verdict.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    )  # fmt: skip
    assert where.stdout.startswith(str(installed)), where.stdout
    result = subprocess.run(
        [str(installed / "bin" / "verdict"), "render", str(bundle), "--comparison", SEED, "--voting", "--embed"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (DIST / "inline" / "comparisons" / f"{SEED}.html").read_text().strip()


def test_a_stylesheet_given_but_unreadable_is_named(installed: Path, tmp_path: Path):
    result = subprocess.run(
        [str(installed / "bin" / "verdict"), "render", str(DEMO_BUNDLE), "--embed", "--css", "nowhere.css"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1 and "nowhere.css: cannot read (No such file or directory)" in result.stderr
