"""``python -m builder build|serve|bench|screenshots|locales|check-host|examples|docs``: build.py's steps."""

import sys

from .assemble import locales
from .paths import DEMO, DIST, ROOT

command, *rest = sys.argv[1:] or ["build"]
# The engine's compiled catalogues first: the build imports the engine to prerender with it.
for path in locales.write():
    print(f"wrote {path.relative_to(ROOT)}")
# Then the WordPress plugin's copy of the engine's rules (it imports the engine, so after the catalogues).
from .assemble import wordpress  # noqa: E402

for path in wordpress.write():
    print(f"wrote {path.relative_to(ROOT)}")

if command == "build":
    import argparse
    from pathlib import Path

    from .assemble import dist

    parser = argparse.ArgumentParser(prog="build.py build")
    parser.add_argument(
        "--bundles",
        type=Path,
        default=None,
        help="folder of bundles to publish and prerender (default: the demo's, demo/)",
    )
    parser.add_argument(
        "--plain-runtime",
        action="store_true",
        help="ship Pyodide's runtime as released (precompiled only: no slimmed core, no trim, no blanking)",
    )
    parser.add_argument(
        "--widget-url",
        help="where dist/ will be served (https://widget.example.com/verdict/): the frame pages get "
        "Open Graph, a twitter:player card and a preview picture",
    )
    parser.add_argument(
        "--endpoint",
        help="the vote endpoint (https://votes.example.com), started with --widget-url: the frame pages' "
        "cards vote there, and the pages get oEmbed discovery of its /oembed, which WordPress reads",
    )
    options = parser.parse_args(rest)
    folder = (options.bundles or DEMO).resolve()
    widget_url = options.widget_url and options.widget_url.rstrip("/") + "/"
    before = dist.previous_bundles(DIST)
    manifest = dist.build(
        bundles=folder, widget_url=widget_url, endpoint=options.endpoint, plain_runtime=options.plain_runtime
    )
    published = ", ".join(Path(f).name for f in manifest["files"] if f.startswith("bundles/"))
    files = len(manifest["files"])
    runtime = "as released (--plain-runtime)" if options.plain_runtime else "slimmed, trimmed and blanked"
    print(f"dist/ built: {files} files, Pyodide {manifest['pyodide']} {runtime}, bundles from {folder}: {published}")
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
    from .devtools import serve

    serve.main(rest)
elif command == "bench-votes":
    from .devtools import bench_votes

    bench_votes.main(rest)
elif command == "bench-results":
    from .devtools import bench_results

    bench_results.main(rest)
elif command == "bench-levers":
    from .devtools import bench_levers

    bench_levers.main(rest)
elif command == "bench":
    from .devtools import bench

    bench.main(rest)
elif command == "bench-record":
    from .devtools import bench_report

    bench_report.record(rest)
elif command == "bench-report":
    from .devtools import bench_report

    bench_report.main(rest)
elif command == "check-host":
    from .devtools import check_host

    sys.exit(check_host.main(rest))
elif command == "examples":
    from .devtools import examples

    sys.exit(examples.main(rest))
elif command == "docs":
    from .devtools import docs

    sys.exit(docs.main(rest))
elif command == "screenshots":
    from .devtools import screenshots

    screenshots.main(rest)
elif command != "locales":
    raise SystemExit(f"unknown step {command!r}")
