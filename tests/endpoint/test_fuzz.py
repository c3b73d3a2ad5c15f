"""schemathesis against the served /openapi.json: every check, zero failures.

The document enumerates the configured comparison and tool ids, and declares
the write routes' headers (``Verdict-Retry``, ``X-Forwarded-For``) and
oEmbed's query parameters, so generated requests reach the tallies and votes
for real, and an unknown id is invalid
by the schema as well as refused by the endpoint. Bounded: a fixed seed and a
few dozen examples per operation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.helpers.endpoint import EndpointProcess, clean_environment

from .conftest import ADMIN_KEY

MAX_EXAMPLES = 40


def answered(server: EndpointProcess) -> Counter[tuple[str, int]]:
    """(route, status) of every request the endpoint has logged so far."""
    entries = [json.loads(line) for line in server.log().splitlines() if line.startswith('{"')]
    return Counter(
        (
            entry["path"].rsplit("/", 1)[0] if entry["path"].startswith("/v1/tallies/") else entry["path"],
            entry["status"],
        )
        for entry in entries
        if entry.get("logger") == "verdict.access"
    )


# An HTTP server takes headers and query parameters it does not know, by design (proxies and
# browsers add their own): schemathesis would otherwise send an unknown header to a route that
# declares some and expect a refusal.
CONFIG = "[generation]\nallow-extra-parameters = false\n"


def test_schemathesis_finds_no_failure(server: EndpointProcess, tmp_path: Path) -> None:
    before = answered(server)
    (tmp_path / "schemathesis.toml").write_text(CONFIG)  # read from the working directory
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{server.base_url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20261130",
        "--workers",
        "2",
        "--no-color",
        "--header",
        f"Authorization: Bearer {ADMIN_KEY}",  # the export route's; the others ignore it
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=tmp_path, env=clean_environment())
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "No issues found" in result.stdout, report
    # The generated requests reached the real work, not only the refusals.
    server.log_when(lambda text: False, timeout=0.5)  # the access log's last batch
    during = answered(server) - before
    assert during[("/v1/votes", 200)] >= 10, during
    assert during[("/v1/tallies", 200)] >= 10, during
    assert during[("/v1/votes", 422)] >= 1 and during[("/v1/tallies", 404)] >= 1, during
    assert during[("/v1/export", 200)] >= 1, during
    assert not [key for key in during if key[1] >= 500], during
