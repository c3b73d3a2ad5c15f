#!/usr/bin/env python3
"""Build, demo and test Verdict from a bare python3.

    python3 build.py demo [--port 8000]   build dist/ and the docs site, then serve the demo blog
    python3 build.py test [pytest args]   install test needs, build, run every test
    python3 build.py build [--bundles DIR]  build dist/ only
    python3 build.py bench [--runs 5]     start-up figures of the demo in Chromium, vote throughput (wrk),
                                          the results page at 10 million votes, webhooks' cost, exports' memory,
                                          what each runtime step saves in bytes (--levers-only: that alone)
    python3 build.py screenshots          the docs' pictures of the card (docs/images/*.png)
    python3 build.py check-host URL       is a deployed dist/ served as readers' browsers need it?
    python3 build.py examples [NAME …] [--bundles DIR]  build dist/, then the example sites with their generators
    python3 build.py docs [--endpoint URL]  build dist/, then the docs site into dist/docs/ (MkDocs, strict)
    python3 build.py lock                 pin every Python package of the venv with its hash (requirements.lock)

Only the standard library is used here: this file creates the project's
virtualenv (.venv) and runs the real steps (package builder/) inside it.
Downloads are cached in .cache/, so a second run fetches nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
LOCK = ROOT / "requirements.lock"
REQUIREMENTS = [
    ROOT / "pyproject.toml",
    *(ROOT / d / "pyproject.toml" for d in ("widget", "endpoint", "sitegen")),
    LOCK,
]
# The dependency groups of pyproject.toml that the project's virtualenv holds.
GROUPS = ("engine", "endpoint", "build", "test", "lint", "sitegen", "docs")
# pip learnt dependency groups (--group) in 25.1; the venv's bundled pip may be older. Pinned in
# requirements.lock too, with its hash.
PIP = "pip==26.2.1"
CHROMIUM = Path("/usr/bin/chromium")
WEB_SERVERS = {
    "nginx": "nginx",
    "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so": "libnginx-mod-http-brotli-static",
    "caddy": "caddy",
}
# The example sites' generators that Debian packages (examples/; npm's are in examples/package.json).
SITE_GENERATORS = {"hugo": "hugo", "jekyll": "jekyll"}
# The endpoint's tests start a throwaway PostgreSQL cluster from these binaries (and check
# the endpoint's sample nginx configuration, deploy/nginx/, with the nginx above).
POSTGRES = {"/usr/lib/postgresql/15/bin/initdb": "postgresql"}
# The WordPress tests (tests/browser/test_wordpress.py) run Debian's WordPress with its default theme on
# PHP's built-in server, with a throwaway MariaDB (tests/helpers/wordpress.py).
WORDPRESS = {
    "/usr/share/wordpress/wp-settings.php": "wordpress",
    "/usr/share/wordpress/wp-content/themes/twentytwentythree/theme.json": "wordpress-theme-twentytwentythree",
    "php": "php-cli",
    "/usr/sbin/mariadbd": "mariadb-server",
}
MIN_BUILD_PYTHON = (3, 12)


def run(*command: str | Path, **kwargs) -> None:
    subprocess.run([str(c) for c in command], check=True, **{"cwd": ROOT, **kwargs})


def _version(python: str | Path) -> tuple[int, int] | None:
    """The (major, minor) of an interpreter, or None when it does not run."""
    try:
        out = subprocess.run(
            [str(python), "-c", "import sys, venv; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def find_build_python() -> Path:
    """The newest Python >= 3.12 on this machine, for the project's virtualenv.

    The build's tools need it (pyodide-build and pyodide-lock support 3.12+),
    while build.py itself runs on any python3. VERDICT_PYTHON picks one by hand.
    """
    if os.environ.get("VERDICT_PYTHON"):
        chosen = Path(os.environ["VERDICT_PYTHON"])
        if (_version(chosen) or (0, 0)) < MIN_BUILD_PYTHON:
            raise SystemExit(f"VERDICT_PYTHON={chosen} is not a working Python 3.12 or newer")
        return chosen
    candidates: list[Path] = [Path(sys.executable)]
    for minor in range(20, MIN_BUILD_PYTHON[1] - 1, -1):
        name = f"python3.{minor}"
        found = shutil.which(name)
        candidates += [Path(found)] if found else []
        for folder, pattern in (
            ("/usr/local/bin", name),
            ("/usr/bin", name),
            (str(Path.home() / ".pyenv" / "versions"), f"3.{minor}.*/bin/{name}"),
        ):
            candidates += sorted(Path(folder).glob(pattern), reverse=True)
    best: tuple[tuple[int, int], Path] | None = None
    for candidate in candidates:
        version = _version(candidate)
        if version and version >= MIN_BUILD_PYTHON and (best is None or version > best[0]):
            best = (version, candidate)
    if best is None:
        here = f"{sys.version_info[0]}.{sys.version_info[1]}"
        raise SystemExit(
            "Verdict's build needs Python 3.12 or newer for its virtualenv (pyodide-build and pyodide-lock\n"
            f"require it); this machine has only Python {here}. Install python3.12 or newer (your\n"
            "distribution's package, pyenv or python.org), then run this command again, or point\n"
            "VERDICT_PYTHON at one."
        )
    return best[1]


def _pins_of_groups() -> dict[str, str]:
    """name -> version of every ``name==version`` in the venv's dependency groups of pyproject.toml."""
    import tomllib

    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    pins = {}
    for group in GROUPS:
        for requirement in groups[group]:
            name, _, version = requirement.partition("==")
            pins[_normalise(name)] = version.strip()
    name, _, version = PIP.partition("==")
    pins[name] = version
    return pins


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def _locked() -> dict[str, str]:
    """name -> version of each package in requirements.lock."""
    locked = {}
    for line in LOCK.read_text().splitlines():
        if line and not line.startswith((" ", "#")) and "==" in line:
            name, _, rest = line.partition("==")
            locked[_normalise(name)] = rest.split()[0].rstrip("\\").strip()
    return locked


def check_lock() -> None:
    """requirements.lock pins what pyproject.toml's groups pin (a changed pin without a new lock is an error)."""
    if not LOCK.exists():
        raise SystemExit("requirements.lock is missing: run `python3 build.py lock`")
    locked = _locked()
    stale = [
        f"{n}=={v} (locked: {locked.get(n, 'absent')})" for n, v in _pins_of_groups().items() if locked.get(n) != v
    ]
    if stale:
        raise SystemExit(f"requirements.lock is out of date for {', '.join(stale)}: run `python3 build.py lock`")


def write_lock() -> None:
    """Resolve the venv's groups as pip would install them here, and pin each file pip gets by its sha256.

    pip's installation report names every package of the resolution (the
    dependencies of dependencies too) with the hash of the very file it
    chose, so ``pip install --require-hashes`` later accepts exactly those
    files. The lock is for this platform and Python (the wheels differ by
    both); run this again after changing a pin in pyproject.toml.
    """
    if not PYTHON.exists():
        run(find_build_python(), "-m", "venv", VENV)
    # pip learnt dependency groups (--group) in 25.1: the pinned pip resolves them.
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PIP)
    report = VENV / "lock-report.json"
    groups = [arg for group in GROUPS for arg in ("--group", group)]
    run(
        PYTHON,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--dry-run",
        "--ignore-installed",
        "--report",
        report,
        *groups,
        PIP,
    )
    import json

    lines = []
    for item in sorted(json.loads(report.read_text())["install"], key=lambda i: _normalise(i["metadata"]["name"])):
        name, version = _normalise(item["metadata"]["name"]), item["metadata"]["version"]
        digest = item["download_info"]["archive_info"]["hashes"]["sha256"]
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    report.unlink()
    python = ".".join(map(str, _version(PYTHON) or ()))
    LOCK.write_text(
        "# Every Python package the project's virtualenv installs, pinned with the sha256 of the file pip\n"
        f"# installs on this platform (CPython {python}). Generated by `python3 build.py lock` from the\n"
        "# dependency groups of pyproject.toml; build.py installs it with --require-hashes.\n" + "\n".join(lines) + "\n"
    )
    print(f"wrote {LOCK.name}: {len(lines)} packages, each with its hash", flush=True)


def ensure_venv() -> None:
    """Create .venv on Python >= 3.12 and install requirements.lock (the pinned groups of pyproject.toml,
    every file checked against its hash), again only when they changed."""
    check_lock()
    stamp = VENV / ".requirements.sha256"
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in REQUIREMENTS)).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and PYTHON.exists():
        return
    if PYTHON.exists() and (_version(PYTHON) or (0, 0)) < MIN_BUILD_PYTHON:
        print(".venv is on an older Python; recreating it", flush=True)
        shutil.rmtree(VENV)
    if not PYTHON.exists():
        python = find_build_python()
        print(f"creating .venv with {python}", flush=True)
        run(python, "-m", "venv", VENV)
    print("installing the project's pinned packages into .venv", flush=True)
    quiet = ("--quiet", "--disable-pip-version-check")
    # Every file checked against its hash (pip itself among them); then our own two packages, built by the
    # hatchling just installed (an isolated build environment would fetch a build backend, unpinned).
    run(PYTHON, "-m", "pip", "install", *quiet, "--require-hashes", "-r", LOCK)
    editable = ("-e", "./widget", "-e", "./endpoint", "-e", "./sitegen")
    run(PYTHON, "-m", "pip", "install", *quiet, "--no-deps", "--no-build-isolation", *editable)
    stamp.write_text(digest)


def ensure_node_modules() -> None:
    """Install the pinned JavaScript build and test tools (package-lock.json) into node_modules/."""
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".package-lock.sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("installing the pinned JavaScript tools into node_modules/", flush=True)
    run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
    stamp.write_text(digest)


def ensure_example_node_modules() -> None:
    """Install the pinned JavaScript site generators of the examples (examples/package-lock.json)."""
    lock = ROOT / "examples" / "package-lock.json"
    stamp = ROOT / "examples" / "node_modules" / ".package-lock.sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("installing the examples' pinned site generators into examples/node_modules/", flush=True)
    run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=ROOT / "examples")
    stamp.write_text(digest)


def _present(command: str) -> bool:
    """A command on PATH, or a file when given as a path (PostgreSQL's binaries are not on PATH)."""
    return Path(command).exists() if os.sep in command else shutil.which(command) is not None


JAPANESE_FONT = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"


def ensure_system_packages(commands: dict[str, str]) -> None:
    """Install missing system tools from Debian's packages (needs root); a key is a command, or a file's path."""
    missing = {package for command, package in commands.items() if not _present(command)}
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(
            f"missing system packages: {' '.join(sorted(missing))} "
            f"(install them with: sudo apt-get install -y {' '.join(sorted(missing))})"
        )
    print(f"installing {' '.join(sorted(missing))} from Debian's packages", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run(
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        *sorted(missing),
        env=env,
        stdout=subprocess.DEVNULL,
    )


def ensure_toolchain() -> None:
    """Node, the pinned JavaScript tools and the project's virtualenv: what every build step runs from."""
    ensure_system_packages({"node": "nodejs", "npm": "npm"})
    ensure_node_modules()
    ensure_venv()


def build(*options: str) -> None:
    ensure_toolchain()
    run(PYTHON, "-m", "builder", "build", *options)


# The lint of the whole test run (beside the build, before any test), in order; .pre-commit-config.yaml
# runs the same commands (tests/test_house.py keeps the two in step). Every finding fails the run.
LINTERS = {
    "ruff check": (".venv/bin/ruff", "check", "--quiet", "."),
    "ruff format": (".venv/bin/ruff", "format", "--check", "--quiet", "."),
    "mypy (strict)": (".venv/bin/mypy",),
    "eslint": ("node_modules/.bin/eslint", "--max-warnings=0", "."),
}


def lint_quietly() -> list[str]:
    """ruff's lint and format check over all Python, mypy (strict), ESLint on our JavaScript: every
    linter in turn, its output kept; the failures' reports (empty when all pass).

    The test command runs this beside the build, so its output is held back and printed whole
    afterwards instead of interleaving with the build's."""
    failures = []
    for name, command in LINTERS.items():
        done = subprocess.run([str(ROOT / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True)
        print(f"lint: {name}: {'ok' if done.returncode == 0 else 'FAILED'}", flush=True)
        if done.returncode != 0:
            failures.append(f"lint: {name} failed\n{done.stdout}{done.stderr}")
    return failures


def prepare_tests(*, with_lint: bool) -> None:
    """Everything the test run needs, in as little wall time as the machine allows.

    The venv and the JavaScript tools come first (everything else runs from them). Then three
    independent jobs run side by side: building dist/ (one core, mostly the runtime's trace in
    Node), the lint (mypy's first run is the longest part), and the system packages and example
    sites' generators (mostly disk and the package index). On a fresh clone this saves the lint's
    and npm's time; when nothing changed every job returns at once."""
    ensure_toolchain()
    started = time.monotonic()

    def tools() -> None:
        # The hosting docs' sample configurations for the widget host are tested with Debian's nginx and Caddy.
        ensure_system_packages({"chromium": "chromium", **POSTGRES, **WEB_SERVERS, **WORDPRESS, **SITE_GENERATORS})
        ensure_example_node_modules()

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [pool.submit(run, PYTHON, "-m", "builder", "build"), pool.submit(tools)]
        linted = pool.submit(lint_quietly) if with_lint else None
        for job in jobs:
            job.result()  # a failed build or install stops the run with its own error
        failures = linted.result() if linted else []
    print(f"set-up took {time.monotonic() - started:.0f} s", flush=True)
    if failures:
        raise SystemExit("\n".join(failures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="build, then serve the demo blog until Ctrl-C")
    demo.add_argument("--port", type=int, default=8000)
    commands.add_parser("build", help="build dist/ (--bundles DIR: bundles to publish and prerender)", add_help=False)
    commands.add_parser("test", help="install test needs, build, run all tests", add_help=False)
    commands.add_parser(
        "bench",
        help="start-up figures in Chromium, vote throughput, results at scale "
        "(--startup-only, --votes-only, --results-only, --levers-only; --record keeps the run, --report regenerates)",
        add_help=False,
    )
    commands.add_parser("screenshots", help="the docs' pictures of the card, into docs/images/", add_help=False)
    commands.add_parser("check-host", help="check a deployed dist/ (URL) as readers' browsers fetch it", add_help=False)
    commands.add_parser(
        "examples", help="build dist/ (--bundles DIR), then the example sites (NAME …, --widget …)", add_help=False
    )
    commands.add_parser(
        "docs",
        help="build dist/, then the docs site into dist/docs/, strict (--endpoint: the cards' votes)",
        add_help=False,
    )
    commands.add_parser("lock", help="pin every Python package of the venv with its hash (requirements.lock)")
    args, rest = parser.parse_known_args()

    if args.command == "lock":
        write_lock()
        return 0
    if args.command == "bench" and "--report" in rest:  # regenerate BENCHMARKS.md and the charts, measure nothing
        ensure_venv()
        return subprocess.run([str(PYTHON), "-m", "builder", "bench-report"], cwd=ROOT).returncode
    if args.command == "check-host":
        ensure_venv()
        return subprocess.run([str(PYTHON), "-m", "builder", "check-host", *rest], cwd=ROOT).returncode
    if args.command == "examples":
        # --bundles goes to dist/'s build (the examples are built against dist/); the rest to the examples.
        bundles = [arg for i, arg in enumerate(rest) if arg == "--bundles" or rest[i - 1 : i] == ["--bundles"]]
        build(*bundles)
        ensure_system_packages(SITE_GENERATORS)
        ensure_example_node_modules()
        return subprocess.run(
            [str(PYTHON), "-m", "builder", "examples", *(a for a in rest if a not in bundles)], cwd=ROOT
        ).returncode
    if args.command == "test":
        # The whole run lints too (beside the build): a finding fails it before any test runs.
        whole = not any(arg.startswith("tests") for arg in rest)
        prepare_tests(with_lint=whole)
        # The whole run: a worker per core, each taking whole files (module fixtures built once), and the
        # slowest tests named at the end, to keep the run's time in view.
        spread = ("-n", "auto", "--dist", "loadfile", "--durations=15") if whole and "-n" not in rest else ()
        return subprocess.run([str(PYTHON), "-m", "pytest", *spread, *rest], cwd=ROOT).returncode
    build(*(rest if args.command == "build" else ()))
    if args.command == "docs":
        return subprocess.run([str(PYTHON), "-m", "builder", "docs", *rest], cwd=ROOT).returncode
    if args.command == "demo":
        # The docs site, served by the widget host at /docs/: its live cards vote on this demo's endpoint.
        run(PYTHON, "-m", "builder", "docs", "--endpoint", f"http://127.0.0.1:{args.port + 2}")
        with contextlib.suppress(KeyboardInterrupt):
            run(PYTHON, "-m", "builder", "serve", "--port", str(args.port))
    elif args.command == "bench":
        # Start-up figures and vote throughput; --startup-only / --votes-only (which takes
        # builder/devtools/bench_votes.py's options: --seconds, --connections, --stores) pick one.
        # --results-only: the results page at 10 million votes, webhooks' cost, the export's memory
        # (builder/devtools/bench_results.py's options: --votes, --requests, --stores, --only).
        votes_only, startup_only = "--votes-only" in rest, "--startup-only" in rest
        results_only = "--results-only" in rest
        # --levers-only: what each runtime step saves, in bytes (builder/devtools/bench_levers.py; no browser).
        levers_only = "--levers-only" in rest
        if "-h" in rest or "--help" in rest:  # each part's options, running none
            run(PYTHON, "-m", "builder", "bench", "--help")
            run(PYTHON, "-m", "builder", "bench-votes", "--help")
            run(PYTHON, "-m", "builder", "bench-results", "--help")
            return 0
        # --record: every part writes its figures as data, kept as one run file under bench/runs/, from which
        # BENCHMARKS.md and the charts are regenerated; --report only regenerates them from the run files.
        record = "--record" in rest
        parts = Path(tempfile.mkdtemp(prefix="verdict-bench-")) if record else None

        def figures(part: str) -> tuple[str, ...]:
            return ("--figures", str(parts / f"{part}.json")) if parts else ()

        only = ("--votes-only", "--startup-only", "--results-only", "--levers-only", "--record")
        rest = [arg for arg in rest if arg not in only]
        if not (votes_only or results_only or levers_only):
            ensure_system_packages({"chromium": "chromium"})
            run(PYTHON, "-m", "builder", "bench", *rest, *figures("startup"))
        if not (startup_only or results_only or levers_only):
            ensure_system_packages({"wrk": "wrk", **POSTGRES})
            run(PYTHON, "-m", "builder", "bench-votes", *(rest if votes_only else ()), *figures("votes"))
        if not (startup_only or votes_only or levers_only):
            ensure_system_packages({"wrk": "wrk", **POSTGRES})
            run(PYTHON, "-m", "builder", "bench-results", *(rest if results_only else ()), *figures("results"))
        if not (startup_only or votes_only or results_only):
            run(PYTHON, "-m", "builder", "bench-levers", *(rest if levers_only else ()), *figures("levers"))
        if parts:
            written = [str(parts / f"{part}.json") for part in ("startup", "votes", "results", "levers")]
            run(PYTHON, "-m", "builder", "bench-record", *written)
            shutil.rmtree(parts)
    elif args.command == "screenshots":
        # The card in Japanese needs a font with its glyphs (Debian's Chromium brings none): IPA Gothic.
        ensure_system_packages({"chromium": "chromium", JAPANESE_FONT: "fonts-ipafont-gothic"})
        run(PYTHON, "-m", "builder", "screenshots", *rest)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as error:  # the step has said what went wrong
        sys.exit(error.returncode or 1)
