"""The ``verdict`` command: validate a bundle, print its JSON Schema, render a
card, or run the vote endpoint (which lives in the separate verdict-endpoint
package, so the engine the browser downloads carries no server code).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .bundle import BundleError, BundleIndex, load_bundle
from .render import RenderOptions, render_card
from .schema import bundle_schema


def _validate(args: argparse.Namespace) -> int:
    status = 0
    for path in args.bundles:
        try:
            bundle = load_bundle(Path(path).read_bytes())
        except OSError as error:
            print(f"{path}: cannot read ({error.strerror})", file=sys.stderr)
            status = 1
        except BundleError as error:
            for problem in error.problems:
                print(f"{path}: {problem}", file=sys.stderr)
            status = 1
        else:
            print(f"{path}: ok ({len(bundle.comparisons)} comparisons, {len(bundle.tools)} tools)")
    return status


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(bundle_schema(), indent=2))
    return 0


def _render(args: argparse.Namespace) -> int:
    try:
        index = BundleIndex(load_bundle(Path(args.bundle).read_bytes()))
        comparison = index.comparison(args.comparison)
    except BundleError as error:
        for problem in error.problems:
            print(f"{args.bundle}: {problem}", file=sys.stderr)
        return 1
    print(render_card(index, comparison, RenderOptions(voting=args.voting)))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["serve"], ["votes"]):
        try:
            from verdict_endpoint.cli import serve
            from verdict_endpoint.votes_cli import main as votes
        except ImportError:
            print(f"verdict {argv[0]} needs the vote endpoint: pip install verdict-endpoint", file=sys.stderr)
            return 2
        return serve(argv[1:]) if argv[0] == "serve" else votes(argv[1:])
    parser = argparse.ArgumentParser(prog="verdict", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")
    validate = commands.add_parser("validate", help="check bundles; name every bad field")
    validate.add_argument("bundles", nargs="+", metavar="BUNDLE")
    validate.set_defaults(run=_validate)
    schema = commands.add_parser("schema", help="print the bundle's JSON Schema")
    schema.set_defaults(run=_schema)
    render = commands.add_parser("render", help="print a comparison card's HTML")
    render.add_argument("bundle")
    render.add_argument("--comparison", help="comparison id (default: the first)")
    render.add_argument("--voting", action="store_true", help="include the vote control")
    render.set_defaults(run=_render)
    commands.add_parser("serve", help="run the vote endpoint (see verdict serve --help)")
    commands.add_parser("votes", help="the vote database's operator commands (see verdict votes --help)")
    args = parser.parse_args(argv)
    return int(args.run(args))
