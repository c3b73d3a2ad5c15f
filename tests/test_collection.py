"""Every test file in tests/ is collected: none is silently skipped.

pytest's default ``norecursedirs`` skips folders named ``build``, ``dist``,
``venv`` and the like; a test file in such a folder, or one pytest cannot
import, would never run while the suite stays green.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_file_is_collected() -> None:
    on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py")}
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    collected = {line.split("::")[0] for line in listed.stdout.splitlines() if "::" in line}
    assert on_disk - collected == set(), f"test files pytest does not collect:\n{listed.stdout[-2000:]}"
