"""builder/steps.py: the one cached-step helper every build step uses.

A step reruns only when what it reads changed, a failed or interrupted step never leaves a result a later
build would trust, and the cache keeps a few results per step instead of one for every change ever built.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from builder import steps


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(steps, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(steps, "RUNS", [])
    return tmp_path / "cache"


def writer(text: str, calls: list[Path]):
    def make(folder: Path) -> None:
        calls.append(folder)
        (folder / "out.txt").write_text(text)

    return make


def test_a_step_runs_once_for_the_same_inputs_and_again_when_one_changes(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "input.txt"
    source.write_text("one")
    calls: list[Path] = []

    first = steps.cached("demo", [source], writer("made", calls), doing="making")
    again = steps.cached("demo", [source], writer("made", calls), doing="making")
    source.write_text("two")
    changed = steps.cached("demo", [source], writer("made", calls), doing="making")

    assert first == again != changed
    assert len(calls) == 2
    assert (first / "out.txt").read_text() == "made"
    assert [(run.step, run.made) for run in steps.RUNS] == [("demo", True), ("demo", False), ("demo", True)]
    assert first.parent == changed.parent == cache / "demo"


def test_a_tool_version_is_part_of_the_key(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "input.txt"
    source.write_text("same")
    calls: list[Path] = []
    steps.cached("demo", [source], writer("a", calls), doing="making", extra=["tool 1.0"])
    steps.cached("demo", [source], writer("b", calls), doing="making", extra=["tool 1.1"])
    assert len(calls) == 2


def test_a_failed_step_leaves_nothing_and_runs_again(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "input.txt"
    source.write_text("one")

    def fails(folder: Path) -> None:
        (folder / "half.txt").write_text("half made")
        raise RuntimeError("the tool crashed")

    with pytest.raises(RuntimeError, match="crashed"):
        steps.cached("demo", [source], fails, doing="making")

    assert list(cache.iterdir()) == []  # no result, no staging folder
    calls: list[Path] = []
    folder = steps.cached("demo", [source], writer("made", calls), doing="making")
    assert calls and (folder / "out.txt").read_text() == "made" and not (folder / "half.txt").exists()


def test_a_killed_builds_staging_is_removed_by_the_next_run(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "input.txt"
    source.write_text("one")
    stale, fresh = cache / ".demo-killed", cache / ".demo-running"
    for staging in (stale, fresh):
        staging.mkdir(parents=True)
    long_ago = time.time() - steps.STALE_STAGING_SECONDS - 60
    os.utime(stale, (long_ago, long_ago))

    steps.cached("demo", [source], writer("made", []), doing="making")

    assert not stale.exists()
    assert fresh.exists(), "a staging folder as young as a running build's is left alone"


def test_only_the_most_recently_used_results_are_kept(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "input.txt"
    folders = []
    for n in range(steps.KEEP + 2):
        source.write_text(str(n))
        folders.append(steps.cached("demo", [source], writer(str(n), []), doing="making"))
        time.sleep(0.01)
    source.write_text("0")
    steps.cached("demo", [source], writer("0", []), doing="making")  # gone by now: made again

    kept = set(steps.ran("demo"))
    assert len(kept) == steps.KEEP
    assert folders[0].name in kept and folders[-1].name in kept
    assert folders[1].name not in kept
