"""The typings dist/ ships for <verdict-card>, checked by TypeScript itself
(pinned in package.json): a React 19 component and DOM code using the element
compile under --strict, and a value the element does not take is an error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
TSC = ROOT / "node_modules" / ".bin" / "tsc"

GOOD = """/// <reference path="./verdict-card.d.ts" />
/// <reference path="./verdict-card-react.d.ts" />
import type { VerdictVoteDetail } from "./verdict-card";

export function Card({ id, dark }: { id: string; dark: boolean }) {
  return <verdict-card bundle="https://widget.example.com/bundles/comparisons.json" comparison={id}
    theme={dark ? "dark" : "light"} heading-level={3} lazy="interaction" jsonld="off" />;
}

const card = document.querySelector("verdict-card");
card?.addEventListener("verdict:vote", (event) => {
  const detail: VerdictVoteDetail = event.detail;
  console.log(detail.comparison, detail.tool ?? "withdrawn");
});
"""

BAD = """/// <reference path="./verdict-card.d.ts" />
/// <reference path="./verdict-card-react.d.ts" />
export const card = <verdict-card bundle="b.json" theme="purple" />;
"""


def tsc(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    (folder / "card.tsx").write_text(source)
    command = [str(TSC), "--noEmit", "--strict", "--jsx", "react-jsx", "--module", "esnext",
               "--moduleResolution", "bundler", "--target", "es2022", "--lib", "es2022,dom",
               "--types", "react", "--typeRoots", str(ROOT / "node_modules" / "@types"), "card.tsx"]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, cwd=folder)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    if not (DIST / "verdict-card.d.ts").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    for name in ("verdict-card.d.ts", "verdict-card-react.d.ts", "verdict-card-vue.d.ts"):
        shutil.copy(DIST / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    return tmp_path


def test_the_element_types_in_react_and_the_dom(folder: Path):
    result = tsc(folder, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_value_the_element_does_not_take_is_a_type_error(folder: Path):
    result = tsc(folder, BAD)
    assert result.returncode != 0 and '"purple"' in result.stdout, result.stdout + result.stderr


def test_the_vue_typings_compile(folder: Path):
    (folder / "vue.ts").write_text('import "./verdict-card-vue";\nexport {};\n')
    result = subprocess.run([str(TSC), "--noEmit", "--strict", "--module", "esnext", "--moduleResolution", "bundler",
                             "--target", "es2022", "--lib", "es2022,dom", "vue.ts"],
                            capture_output=True, text=True, cwd=folder)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
