"""Operator commands as a newcomer types them: options after the command, and the database file spelled out."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers.endpoint import HOST, clean_environment, free_port, new_voter_token

from .conftest import Database


def verdict(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "verdict", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environment(env),
        cwd=cwd,
    )


def test_database_works_before_and_after_the_subcommand(bundles: list[Path], database: Database) -> None:
    with database.serve(bundles, rate_limit=0) as url:
        body = {"comparison": "crowd", "tool": "beta", "voter": new_voter_token()}
        assert httpx.post(f"{url}/v1/votes", json=body).status_code == 200
    for args in (
        ("votes", "suspicious", "--database", database.url, "--min-voters", "1", "--window", "7d"),
        ("votes", "--database", database.url, "suspicious", "--min-voters", "1", "--window", "7d"),
    ):
        result = verdict(*args, env=dict(database.env))
        assert result.returncode == 0, result.stderr
        assert "crowd" in result.stdout  # the one vote's address is listed as a burst of one
    void = verdict("votes", "void", "--address-hash", "0" * 16, "--database", database.url, env=dict(database.env))
    assert void.returncode == 0, void.stderr
    assert "removed 0 vote(s)" in void.stdout


def test_a_relative_sqlite_path_is_printed_resolved_with_a_hint(tmp_path: Path) -> None:
    # sqlite:///tmp/x.db is tmp/x.db under the current folder; /tmp exists, ./tmp does not.
    result = verdict("votes", "suspicious", "--database", "sqlite:///tmp/nothing-here.db", cwd=tmp_path)
    assert result.returncode == 2
    assert f"no vote database at {tmp_path}/tmp/nothing-here.db" in result.stderr
    assert "relative to the current folder" in result.stderr
    assert "sqlite:////tmp/nothing-here.db" in result.stderr


def test_serve_prints_the_absolute_database_path(bundles: list[Path], tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "verdict", "serve", "--host", HOST, "--port", str(port)]
    command += ["--bundle", str(bundles[0]), "--database", "sqlite:///var/votes.db"]
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True, env=clean_environment())
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and "votes in" not in line:
            line = process.stderr.readline()
        assert f"votes in {tmp_path}/var/votes.db" in line, line
        assert (tmp_path / "var" / "votes.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=30)
