"""Nothing in dist/ says where, on which machine or by whom it was built.

dist/ is published as it is. Before, manifest.json named the build machine's
absolute bundles folder (``bundles_from``): the project's path, and with it the
builder's user name. Every published file is scanned here, the compressed
twins decompressed, for the project's absolute path, the home folder, the user
name in a home path, and the host name.
"""

from __future__ import annotations

import getpass
import gzip
import re
import socket
from pathlib import Path

import brotli
import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"

# Pyodide's own release was built in /root/repo on its builders; the runtime ships byte for byte
# as released (pinned by hash), so that path names Pyodide's build machine, not ours.
UPSTREAM_HOME_PATHS = (b"/root/repo",)


def _needles() -> dict[str, re.Pattern[bytes]]:
    """What would identify this machine or its user, as byte patterns."""
    needles = {
        "the project's absolute path": re.compile(re.escape(str(ROOT).encode())),
        "the project's real path": re.compile(re.escape(str(ROOT.resolve()).encode())),
    }
    home = Path.home()
    if str(home) not in ("/", ""):
        upstream = b"".join(
            rb"(?!" + re.escape(path.removeprefix(str(home).encode())) + rb"(?![\w.-]))" for path in UPSTREAM_HOME_PATHS
        )
        needles["the home folder"] = re.compile(
            rb"(?<![\w.-])" + re.escape(str(home).encode()) + rb"(?![\w.-])" + upstream
        )
    user = getpass.getuser()
    needles["the user name in a home path"] = re.compile(rb"/(?:home|Users)/" + re.escape(user.encode()) + rb"\b")
    host = socket.gethostname().split(".")[0]
    if len(host) >= 3:
        needles["the host name"] = re.compile(
            rb"(?<![A-Za-z0-9_.-])" + re.escape(host.encode()) + rb"(?![A-Za-z0-9_-])"
        )
    return needles


def _published_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".gz":
        return data + gzip.decompress(data)  # the header too: gzip may keep a file name
    if path.suffix == ".br":
        return brotli.decompress(data)
    return data


def test_no_published_file_names_the_build_machine() -> None:
    if not (DIST / "manifest.json").exists():
        pytest.fail("dist/ is missing: run `python3 build.py test` (it builds first)")
    needles = _needles()
    found = []
    files = [p for p in sorted(DIST.rglob("*")) if p.is_file()]
    assert len(files) > 20, files
    for path in files:
        data = _published_bytes(path)
        for what, pattern in needles.items():
            if match := pattern.search(data):
                context = data[max(0, match.start() - 30) : match.end() + 30]
                found.append(f"{path.relative_to(DIST)}: {what}: {context!r}")
    assert not found, "\n".join(found)


def test_the_manifest_keeps_no_bundles_folder() -> None:
    manifest = (DIST / "manifest.json").read_text()
    assert "bundles_from" not in manifest
    assert str(ROOT) not in manifest
