"""``python3 build.py check-host URL``: is a deployed dist/ served the way readers' browsers need it?

It fetches the deployed files as a reader's browser would (from another
origin, accepting brotli and gzip) and reports, each with its fix
(docs/operators/hosting.md): CORS, content types, the precompressed twins'
Content-Encoding, cache headers, nosniff and Cross-Origin-Resource-Policy, and
integrity (every file's bytes against the build's manifest; the local dist/
too when it is given, to catch a stale or altered deployment). Exit status 1
when something would break the widget for readers.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import brotli

READER_ORIGIN = "https://reader-blog.example"
TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
}
# Files the reader's browser fetches from another origin (the rest of dist/ is for the publisher).
READER_FILES = ("embed.", "assets/", "runtime/", "packages/", "cards/", "bundles/")
HASHED = re.compile(r"^((assets|runtime|packages|cards)/|embed\.[0-9a-f]+\.js$)")
COMPRESSIBLE = (".js", ".mjs", ".json", ".wasm", ".zip", ".whl")
LONG_CACHE = 7 * 24 * 3600

FIXES = {
    "cors": "send `Access-Control-Allow-Origin: *` for every file (nginx: add_header Access-Control-Allow-Origin * "
    "always; Caddy: header Access-Control-Allow-Origin *; S3/R2/GCS: a CORS rule allowing GET from *)",
    "type": "send the right Content-Type: .js text/javascript, .json application/json, .wasm application/wasm, "
    ".zip/.whl application/zip (nginx: types { application/wasm wasm; } and a .whl line; Caddy does it)",
    "encoding": "serve the .br/.gz twins with Content-Encoding (nginx: brotli_static on; gzip_static on; "
    "Caddy: file_server { precompressed br gzip }; object stores: upload each file with its "
    "Content-Encoding, or let the CDN compress)",
    "cache": "cache the content-hashed files for a year: Cache-Control: public, max-age=31536000, immutable "
    "(runtime/, packages/, assets/, cards/, embed.<hash>.js), and embed.js, bundles/ and manifest.json briefly "
    "(public, max-age=300)",
    "nosniff": "send X-Content-Type-Options: nosniff",
    "corp": "send Cross-Origin-Resource-Policy: cross-origin (or none); same-origin/same-site stop other sites' pages",
    "integrity": "upload the whole dist/ of one build again: these files differ from what the build made",
    "missing": "upload the whole dist/ folder, keeping its layout",
}


@dataclass
class Report:
    problems: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    checked: int = 0

    def fail(self, check: str, what: str) -> None:
        self.problems.setdefault(check, []).append(what)

    def warn(self, check: str, what: str) -> None:
        self.warnings.setdefault(check, []).append(what)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        url, headers={"Origin": READER_ORIGIN, "Accept-Encoding": "br, gzip", "User-Agent": "verdict-check-host"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, b""


def decoded(headers: dict[str, str], body: bytes) -> bytes:
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding == "br":
        return bytes(brotli.decompress(body))
    if encoding == "gzip":
        return gzip.decompress(body)
    return body


def max_age(cache_control: str) -> int:
    for part in cache_control.replace(" ", "").split(","):
        if part.startswith("max-age="):
            try:
                return int(part.split("=", 1)[1])
            except ValueError:
                return 0
    return 0


def check_file(base: str, path: str, expected: dict[str, Any], hashed: bool, report: Report) -> None:
    status, headers, body = fetch(base + path)
    report.checked += 1
    if status != 200:
        report.fail("missing", f"{path} (HTTP {status})")
        return
    allowed = headers.get("access-control-allow-origin", "")
    if allowed not in ("*", READER_ORIGIN):
        report.fail("cors", f"{path} (Access-Control-Allow-Origin: {allowed or 'none'})")
    suffix = Path(path).suffix
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    wanted_type = TYPES.get(suffix)
    if wanted_type and content_type != wanted_type:
        found = f"{path} ({content_type or 'no Content-Type'}, should be {wanted_type})"
        # Browsers refuse module scripts of another type; the rest the widget reads whatever its label.
        (report.fail if suffix in (".js", ".mjs") else report.warn)("type", found)
    if suffix in COMPRESSIBLE and expected["bytes"] > 4096 and not headers.get("content-encoding"):
        report.warn("encoding", f"{path} ({expected['bytes'] / 1e6:.2f} MB uncompressed)")
    cache = headers.get("cache-control", "")
    if hashed and (max_age(cache) < LONG_CACHE or "no-cache" in cache or "no-store" in cache):
        report.warn("cache", f"{path} (Cache-Control: {cache or 'none'}; it never changes)")
    if not hashed and max_age(cache) > 24 * 3600:
        report.warn("cache", f"{path} (Cache-Control: {cache}; readers keep an old copy that long after an update)")
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        report.warn("nosniff", path)
    if headers.get("cross-origin-resource-policy", "").lower() in ("same-origin", "same-site"):
        report.fail("corp", f"{path} ({headers['cross-origin-resource-policy']})")
    try:
        data = decoded(headers, body)
    except (OSError, brotli.error):
        report.fail("integrity", f"{path} (Content-Encoding {headers.get('content-encoding')} but not decodable)")
        return
    if hashlib.sha256(data).hexdigest() != expected["sha256"]:
        report.fail("integrity", f"{path} (sha256 differs from the manifest)")


def check(base: str, local: Path | None = None) -> Report:
    base = base if base.endswith("/") else base + "/"
    report = Report()
    status, headers, body = fetch(base + "manifest.json")
    if status != 200:
        report.fail("missing", f"manifest.json (HTTP {status}): is {base} a deployed Verdict dist/?")
        return report
    manifest = json.loads(decoded(headers, body))
    if local is not None and (local / "manifest.json").is_file():
        mine = json.loads((local / "manifest.json").read_text())
        for path, entry in mine["files"].items():
            if path.startswith(READER_FILES) and manifest["files"].get(path, {}).get("sha256") != entry["sha256"]:
                report.fail("integrity", f"{path} (not the file of the local build {local})")
    for path, entry in sorted(manifest["files"].items()):
        if not path.startswith(READER_FILES):
            continue
        check_file(base, path, entry, bool(HASHED.match(path)), report)
    return report


def render(report: Report, base: str) -> str:
    lines = [f"Checked {report.checked} files of {base} as a reader's browser fetches them."]
    names = {
        "missing": "files missing",
        "cors": "CORS",
        "type": "content types",
        "encoding": "precompressed twins (Content-Encoding)",
        "cache": "cache headers",
        "nosniff": "X-Content-Type-Options",
        "corp": "Cross-Origin-Resource-Policy",
        "integrity": "integrity",
    }
    for key, name in names.items():
        failed = report.problems.get(key, [])
        warned = report.warnings.get(key, [])
        if not failed and not warned:
            lines.append(f"  ok    {name}")
            continue
        mark, found = ("FAIL", failed) if failed else ("warn", warned)
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        lines.append(f"  {mark}  {name}: {shown}")
        lines.append(f"        fix: {FIXES[key]}")
    lines.append("See docs/operators/hosting.md in Verdict's repository for nginx, Caddy and object-store settings.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py check-host", description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="where dist/ is deployed, e.g. https://widget.example.com/verdict/")
    parser.add_argument("--dist", type=Path, help="the local dist/ that should be deployed there (default: none)")
    args = parser.parse_args(argv)
    if not args.url.startswith(("http://", "https://")):
        parser.error("the URL must start with http:// or https://")
    try:
        report = check(args.url, args.dist)
    except (OSError, ValueError) as error:
        print(f"cannot check {args.url}: {error}", file=sys.stderr)
        return 2
    print(render(report, args.url))
    return 1 if report.problems else 0
