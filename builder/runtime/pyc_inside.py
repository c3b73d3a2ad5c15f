"""Precompile Pyodide's standard library zip and pure wheels to sourceless .pyc.

Runs INSIDE Pyodide (via run_pyodide.mjs), so the bytecode is made by the exact
interpreter that will load it (the host's Python is another version, with
another magic number). Every ``x.py`` is replaced by ``x.pyc`` in the same
directory (the "legacy" sourceless layout that zipimport and
SourcelessFileLoader import directly; no __pycache__), compiled with
optimize=2 by default (``-OO``: no asserts, no docstrings) and, when the
interpreter was started with PYTHONNODEBUGRANGES, without column positions
(a quarter of the compressed bytes: they only draw a traceback's ^^^ carets
under source lines, and a sourceless runtime has no source lines), into an
unchecked hash-based pyc (never revalidated, free of timestamps). Code objects carry the
path the source would have at run time (/lib/python314.zip/json/decoder.py,
/lib/python3.14/site-packages/pydantic/main.py), so tracebacks name real
modules. Every other member is copied as is. Wheels get a new RECORD.

Output is deterministic: sorted members, fixed timestamps and modes, the
runtime's own zlib, PYTHONHASHSEED=0 (run_pyodide.mjs). marshal's FLAG_REF
bits depend on reference counts in this process, so the bytes are a function
of the inputs, the Pyodide build AND this file: identical on every run and
machine, but any edit here may change them (harmlessly).

Usage (paths are host paths; absolute ones are mapped through $HOST_ROOT):

    pyc_inside.py [--compression stored|deflated] [--optimize 0|1|2] [--drop NAME ...]
                  [--stdlib IN.zip OUT.zip] [--wheel IN.whl OUT.whl ...]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import io
import marshal
import os
import site
import sys
import zipfile
from collections.abc import Sequence

EPOCH = (1980, 1, 1, 0, 0, 0)
COMPRESSION = {"stored": zipfile.ZIP_STORED, "deflated": zipfile.ZIP_DEFLATED}


def host_path(path: str) -> str:
    """A host path as seen inside Pyodide (relative paths already work)."""
    root = os.environ.get("HOST_ROOT", "")
    return root + path if os.path.isabs(path) and root else path


def stdlib_zip_dir() -> str:
    """Where the stdlib zip sits on sys.path at run time, e.g. /lib/python314.zip."""
    for entry in sys.path:
        if entry.endswith(".zip"):
            return entry
    raise RuntimeError(f"no stdlib zip on sys.path: {sys.path}")


def compile_pyc(source: bytes, filename: str, optimize: int) -> bytes:
    """Unchecked-hash .pyc bytes for `source`; `filename` goes into tracebacks."""
    code = compile(source, filename, "exec", dont_inherit=True, optimize=optimize)
    # PEP 552's header, as py_compile writes it: magic, flags (hash-based, unchecked), the source's hash.
    flags = (0b01).to_bytes(4, "little")
    return importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source) + marshal.dumps(code)


def has_column_positions() -> bool:
    """Whether compile() here records column positions (off under PYTHONNODEBUGRANGES)."""
    code = compile("x = 1", "<probe>", "exec", dont_inherit=True)
    return any(column is not None for _, _, column, _ in code.co_positions())


def _compile_member(archive: str, name: str, source: bytes, filename: str, optimize: int) -> bytes:
    try:
        return compile_pyc(source, filename, optimize)
    except (SyntaxError, ValueError) as e:  # ValueError: null bytes in source
        raise RuntimeError(f"{os.path.basename(archive)}: cannot compile {name}: {e}") from e


def _info(name: str, original: zipfile.ZipInfo | None, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.create_system = 3  # Unix, so external_attr carries the mode
    if name.endswith("/"):
        info.external_attr = (0o40755 << 16) | 0x10
        info.compress_type = zipfile.ZIP_STORED
    else:
        executable = original is not None and (original.external_attr >> 16) & 0o111
        info.external_attr = (0o100755 if executable else 0o100644) << 16
        info.compress_type = compress_type
    return info


def write_zip(path: str, members: Sequence[tuple[str, zipfile.ZipInfo | None, bytes]], compress_type: int) -> None:
    """Write `members` (name, original info, data) in the given order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name, original, data in members:
            out.writestr(_info(name, original, compress_type), data, compresslevel=9)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def _dropped(name: str, drop: set[str]) -> bool:
    top = name.split("/", 1)[0]
    return top in drop or (top.endswith(".py") and top[:-3] in drop)


def compile_stdlib(src: str, dst: str, compress_type: int, optimize: int, drop: set[str]) -> dict[str, int]:
    prefix = stdlib_zip_dir()
    members = []
    compiled = 0
    with zipfile.ZipFile(src) as zin:
        for info in zin.infolist():
            name = info.filename
            if _dropped(name, drop) or "/__pycache__/" in "/" + name:
                continue
            data = zin.read(info)
            if name.endswith(".py"):
                data = _compile_member(src, name, data, f"{prefix}/{name}", optimize)
                name += "c"
                compiled += 1
            members.append((name, info, data))
    members.sort(key=lambda m: m[0])
    write_zip(dst, members, compress_type)
    return {"compiled": compiled, "members": len(members)}


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _install_path(name: str) -> str | None:
    """Where a wheel member lands in site-packages, or None if not there."""
    first, _, rest = name.partition("/")
    if first.endswith(".data"):
        scheme, _, rest = rest.partition("/")
        return rest if scheme in ("purelib", "platlib") else None
    return name


def compile_wheel(src: str, dst: str, compress_type: int, optimize: int) -> dict[str, int]:
    site_packages = site.getsitepackages()[0]
    members: dict[str, tuple[zipfile.ZipInfo, bytes]] = {}
    record = None
    compiled = 0
    with zipfile.ZipFile(src) as zin:
        for info in zin.infolist():
            name = info.filename
            if info.is_dir() or "/__pycache__/" in "/" + name:
                continue
            top = name.split("/", 1)[0]
            if top.endswith(".dist-info") and name.count("/") == 1:
                base = name.split("/")[1]
                if base == "RECORD":
                    record = name
                    continue
                if base in ("RECORD.jws", "RECORD.p7s"):
                    continue  # signatures over the old RECORD; no longer valid
            data = zin.read(info)
            target = _install_path(name)
            if name.endswith(".py") and target is not None:
                data = _compile_member(src, name, data, f"{site_packages}/{target}", optimize)
                name += "c"
                compiled += 1
            members[name] = (info, data)
    if record is None:
        raise RuntimeError(f"{src}: no .dist-info/RECORD")
    # Payload sorted, then .dist-info (METADATA, WHEEL, ...), RECORD last.
    order = sorted(members, key=lambda n: (n.split("/", 1)[0].endswith(".dist-info"), n))
    lines = [f"{n},{_record_hash(members[n][1])},{len(members[n][1])}" for n in order]
    lines.append(f"{record},,")
    record_data = ("\n".join(lines) + "\n").encode()
    out: list[tuple[str, zipfile.ZipInfo | None, bytes]] = [(n, members[n][0], members[n][1]) for n in order]
    out.append((record, None, record_data))
    write_zip(dst, out, compress_type)
    return {"compiled": compiled, "members": len(out)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--compression", choices=sorted(COMPRESSION), default="deflated")
    parser.add_argument(
        "--optimize",
        type=int,
        choices=[0, 1, 2],
        default=2,
        help="compile() optimization: 1 drops asserts, 2 also docstrings",
    )
    parser.add_argument(
        "--drop", action="append", default=[], metavar="NAME", help="top-level stdlib module or package to leave out"
    )
    parser.add_argument(
        "--no-debug-ranges",
        action="store_true",
        help="check that the interpreter was started with PYTHONNODEBUGRANGES (code without column positions)",
    )
    parser.add_argument("--stdlib", nargs=2, metavar=("IN", "OUT"))
    parser.add_argument("--wheel", nargs=2, action="append", default=[], metavar=("IN", "OUT"))
    args = parser.parse_args(argv)
    compress_type = COMPRESSION[args.compression]
    sys.dont_write_bytecode = True
    magic = importlib.util.MAGIC_NUMBER.hex()
    ranges = has_column_positions()
    if args.no_debug_ranges and ranges:
        raise SystemExit("pyc_inside: --no-debug-ranges, but this interpreter records column positions")
    print(f"pyc_inside: Python {sys.version.split()[0]}, magic {magic}, optimize {args.optimize}, columns {ranges}")
    if args.stdlib:
        src, dst = args.stdlib
        stats = compile_stdlib(host_path(src), host_path(dst), compress_type, args.optimize, set(args.drop))
        print(f"pyc_inside: {os.path.basename(src)} -> {dst}: {stats}")
    for src, dst in args.wheel:
        stats = compile_wheel(host_path(src), host_path(dst), compress_type, args.optimize)
        print(f"pyc_inside: {os.path.basename(src)} -> {dst}: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
