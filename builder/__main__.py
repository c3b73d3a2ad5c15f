"""``python -m builder build|serve|bench|screenshots|locales|check-host``: build.py's steps, in the virtualenv."""

import sys

from . import locales

command, *rest = sys.argv[1:] or ["build"]
# The engine's compiled catalogues first: the build imports the engine to prerender with it.
for path in locales.write():
    print(f"wrote {path.relative_to(locales.ROOT)}")

if command == "build":
    import argparse
    from pathlib import Path

    from . import dist

    parser = argparse.ArgumentParser(prog="build.py build")
    parser.add_argument(
        "--bundles",
        type=Path,
        default=None,
        help="folder of bundles to publish and prerender (default: the demo's, demo/)",
    )
    folder = (parser.parse_args(rest).bundles or dist.DEMO).resolve()
    before = dist.previous_bundles(dist.DIST)
    manifest = dist.build(bundles=folder)
    published = ", ".join(Path(f).name for f in manifest["files"] if f.startswith("bundles/"))
    files = len(manifest["files"])
    print(f"dist/ built: {files} files, Pyodide {manifest['pyodide']}, bundles from {folder}: {published}")
    embed = manifest["embed"]
    print(
        "The embed snippet, pinned with Subresource Integrity (WIDGET = where dist/ is served):\n"
        f'  <script src="WIDGET/{embed["src"]}" integrity="{embed["integrity"]}" crossorigin="anonymous" async>'
        "</script>\n"
        f"The inline card form's stylesheet, for a Content-Security-Policy: style-src '{manifest['card_css']}'"
    )
    if before and before != str(folder):
        print(
            f"note: dist/ held the bundles of {before} before; this build publishes {folder} instead "
            f"(run `python3 build.py build --bundles {before}` to publish those again)"
        )
elif command == "serve":
    from . import serve

    serve.main(rest)
elif command == "bench-votes":
    from . import bench_votes

    bench_votes.main(rest)
elif command == "bench-results":
    from . import bench_results

    bench_results.main(rest)
elif command == "bench":
    from . import bench

    bench.main(rest)
elif command == "check-host":
    from . import check_host

    sys.exit(check_host.main(rest))
elif command == "screenshots":
    from . import screenshots

    screenshots.main(rest)
elif command != "locales":
    raise SystemExit(f"unknown step {command!r}")
