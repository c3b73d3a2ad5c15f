"""The runtime's lockfile, written with pyodide-lock: only the packages we ship.

Pyodide checks each wheel it loads against the lockfile's sha256, so every
entry must name the file we actually ship. Entries start from Pyodide's own
lock (its import names and dependencies) where it knows the package; for our
own wheels they come from the wheel's metadata.
"""

from __future__ import annotations

import hashlib
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from pyodide_lock import PackageSpec, PyodideLockSpec


def _requires(wheel: Path) -> list[str]:
    """The wheel's unconditional Requires-Dist, as canonical names."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode())
    requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]
    return [canonicalize_name(r.name) for r in requirements if r.marker is None]


def _top_level_imports(wheel: Path) -> list[str]:
    """Top-level modules and packages of a wheel, sourceless (.pyc only) ones included."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {n.split("/")[0].split(".")[0] for n in names if n.endswith((".py", ".pyc", ".so"))}
    return sorted(t for t in tops if t)


def write_lock(pyodide_lock: Path, wheels: list[Path], out: Path) -> PyodideLockSpec:
    """Write `out` listing exactly `wheels`; fail when one depends on a package not shipped."""
    upstream = PyodideLockSpec.from_json(pyodide_lock)
    packages: dict[str, PackageSpec] = {}
    for wheel in wheels:
        name, version, _, _ = parse_wheel_filename(wheel.name)
        known = upstream.packages.get(name)
        packages[name] = PackageSpec(
            name=name,
            version=str(version),
            file_name=wheel.name,
            install_dir="site",
            sha256=hashlib.sha256(wheel.read_bytes()).hexdigest(),
            imports=list(known.imports) if known else _top_level_imports(wheel),
            depends=[canonicalize_name(d) for d in known.depends] if known else _requires(wheel),
        )
    for entry in packages.values():
        missing = [d for d in entry.depends if d not in packages]
        if missing:
            raise SystemExit(f"lockfile: {entry.name} depends on {missing}, which the build does not ship")
    lock = PyodideLockSpec(info=upstream.info, packages=packages)
    lock.check_wheel_filenames()
    lock.to_json(out, indent=1)
    return lock
