"""``python -m builder build|serve|bench|locales``: the steps build.py runs inside the virtualenv."""

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
        "--bundles", type=Path, default=dist.DEMO, help="folder of bundles to publish and prerender (default: demo/)"
    )
    manifest = dist.build(bundles=parser.parse_args(rest).bundles.resolve())
    print(f"dist/ built: {len(manifest['files'])} files, Pyodide {manifest['pyodide']}")
elif command == "serve":
    from . import serve

    serve.main(rest)
elif command == "bench":
    from . import bench

    bench.main(rest)
elif command != "locales":
    raise SystemExit(f"unknown step {command!r}")
