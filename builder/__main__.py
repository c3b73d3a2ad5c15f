"""``python -m builder build|serve|bench``: the steps build.py runs inside the virtualenv."""

import sys

from . import dist, serve

command, *rest = sys.argv[1:] or ["build"]
if command == "build":
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="build.py build")
    parser.add_argument(
        "--bundles", type=Path, default=dist.DEMO, help="folder of bundles to publish and prerender (default: demo/)"
    )
    manifest = dist.build(bundles=parser.parse_args(rest).bundles.resolve())
    print(f"dist/ built: {len(manifest['files'])} files, Pyodide {manifest['pyodide']}")
elif command == "serve":
    serve.main(rest)
elif command == "bench":
    from . import bench

    bench.main(rest)
else:
    raise SystemExit(f"unknown step {command!r}")
