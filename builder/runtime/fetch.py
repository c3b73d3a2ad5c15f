"""Fetch the pinned Pyodide runtime (npm) and wheels (PyPI) into .cache/.

Each download is checked against its pinned hash and skipped when already
cached, so a second build fetches nothing.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from ..paths import CACHE
from . import pins

PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")


def _digest(path: Path, algorithm: str) -> bytes:
    h = hashlib.new(algorithm)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def _unpacked_problems(target: Path) -> list[str]:
    """The runtime files in ``target`` that are missing or differ from their pinned sha256."""
    problems = []
    for name in PYODIDE_FILES:
        path = target / name
        if not path.exists():
            problems.append(f"{name} is missing")
        elif _digest(path, "sha256").hex() != pins.PYODIDE_FILE_SHA256[name]:
            problems.append(f"{name} does not match its pinned sha256")
    return problems


_verified: set[Path] = set()


def pyodide() -> Path:
    """The unpacked npm package, e.g. .cache/pyodide-314.0.7/, each file checked against its pin.

    The cache is checked every time a build uses it (once per process), not
    only when it is fetched: a file changed on disk since is caught and the
    runtime fetched again, never shipped to readers.
    """
    target = CACHE / f"pyodide-{pins.PYODIDE_VERSION}"
    if target in _verified:
        return target
    problems = _unpacked_problems(target)
    if not problems:
        _verified.add(target)
        return target
    if target.exists():
        print(f"the cached runtime in {target.name} fails its check ({'; '.join(problems)}): fetching it again")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        print(f"fetching pyodide@{pins.PYODIDE_VERSION} from npm", flush=True)
        subprocess.run(
            ["npm", "pack", f"pyodide@{pins.PYODIDE_VERSION}", "--silent", "--pack-destination", tmp],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tarball = next(Path(tmp).glob("pyodide-*.tgz"))
        algorithm, expected = pins.PYODIDE_INTEGRITY.split("-", 1)
        if base64.b64encode(_digest(tarball, algorithm)).decode() != expected:
            raise SystemExit(f"{tarball.name}: integrity check failed")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(Path(tmp) / "package", target)
    if problems := _unpacked_problems(target):
        raise SystemExit(f"pyodide@{pins.PYODIDE_VERSION}: {'; '.join(problems)} (the pins in builder/runtime/pins.py)")
    _verified.add(target)
    return target


def _wheel_name(name: str, version: str) -> str:
    return f"{name.replace('-', '_')}-{version}-"


def wheels(pinned: dict[str, tuple[str, str]] | None = None) -> list[Path]:
    """The browser's wheels (or `pinned` ones), pinned by version and sha256."""
    folder = CACHE / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    for name, (version, sha256) in (pins.BROWSER_WHEELS if pinned is None else pinned).items():
        matches = sorted(folder.glob(_wheel_name(name, version) + "*.whl"))
        if not matches:
            print(f"fetching {name}=={version} from PyPI", flush=True)
            platform = (
                ["--platform", pins.PYODIDE_PLATFORM, "--implementation", "cp", "--abi", "cp314"]
                if name in pins.NATIVE
                else []
            )
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--only-binary=:all:",
                    "--python-version",
                    pins.PYODIDE_PYTHON,
                    *platform,
                    "--dest",
                    str(folder),
                    f"{name}=={version}",
                ],
                check=True,
            )
            matches = sorted(folder.glob(_wheel_name(name, version) + "*.whl"))
        wheel = matches[0]
        if _digest(wheel, "sha256").hex() != sha256:
            wheel.unlink()
            raise SystemExit(f"{wheel.name}: sha256 does not match the pin; removed, please rebuild")
        found.append(wheel)
    return found
