"""The ``verdict`` command: validate a bundle, print its JSON Schema, render a
card; and whatever commands other installed packages add to it (the vote
endpoint's ``serve`` and ``votes``, from verdict-endpoint). Those are found
through the ``verdict.commands`` entry points, so the engine the browser
downloads never imports, or even names a module of, the server.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from .bundle import BundleError, BundleIndex, check_bundle, load_bundle
from .i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from .inline import inline_card
from .jsonld import jsonld_script
from .render import RenderOptions, render_card
from .rules import THEMES, Section
from .schema import bundle_schema


def _validate(args: argparse.Namespace) -> int:
    """Every problem of every bundle, one line each: errors (exit 1), then warnings (exit 0, or 1 with --strict)."""
    status = 0
    for path in args.bundles:
        try:
            checked = check_bundle(Path(path).read_bytes())
        except OSError as error:
            print(f"{path}: cannot read ({error.strerror})", file=sys.stderr)
            status = 1
            continue
        for problem in checked.errors:
            print(f"{path}: {problem}", file=sys.stderr)
        for problem in checked.warnings:
            print(f"{path}: warning: {problem}", file=sys.stderr)
        if checked.errors or (args.strict and checked.warnings):
            status = 1
        if checked.bundle is not None:
            bundle = checked.bundle
            warned = f", {len(checked.warnings)} warnings" if checked.warnings else ""
            print(f"{path}: ok ({len(bundle.comparisons)} comparisons, {len(bundle.tools)} tools{warned})")
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
    options = RenderOptions(
        sections=tuple(args.sections),
        heading_level=args.heading_level,
        voting=args.voting,
        locale=args.locale,
        # The inline form paints before any script runs: its vote controls wait for the loader.
        controls_ready=not args.embed,
    )
    card = render_card(index, comparison, options)
    jsonld = jsonld_script(index, comparison) if args.jsonld or args.embed else None
    if args.embed:
        try:
            css = Path(args.css).read_text() if args.css else packaged_stylesheet()
        except OSError as error:
            print(f"{args.css}: cannot read ({error.strerror})", file=sys.stderr)
            return 1
        except LookupError as error:
            print(error, file=sys.stderr)
            return 1
        print(inline_card(card, css, theme=args.theme, jsonld=None if args.jsonld_off else jsonld))
    else:
        print(card + (jsonld or ""))
    return 0


def packaged_stylesheet() -> str:
    """The card's stylesheet shipped in the engine's package (the build minifies it from loader/card.css)."""
    try:
        return (resources.files("verdict") / "card.css").read_text()
    except OSError:
        raise LookupError(
            "the engine's copy of the card's stylesheet (verdict/card.css) is missing: in a checkout, "
            "`python3 build.py build` writes it; or give --css with the widget host's card.css"
        ) from None


def _sections(value: str) -> list[Section]:
    names = [s.strip() for s in value.split(",") if s.strip()]
    wrong = [n for n in names if n not in Section.__members__.values()]
    if not names or wrong:
        raise argparse.ArgumentTypeError(f"choose from {','.join(Section)} (got {value!r})")
    return [Section(n) for n in names]


# Commands that come with another package, and the package to install for each.
ADDED_COMMANDS = {"serve": "verdict-endpoint", "votes": "verdict-endpoint"}


def added_commands() -> dict[str, EntryPoint]:
    """The commands installed packages add to ``verdict`` (entry point group ``verdict.commands``), unloaded."""
    return {point.name: point for point in entry_points(group="verdict.commands")}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    added = added_commands()
    if argv[:1] and argv[0] in added:
        return int(added[argv[0]].load()(argv[1:]))
    if argv[:1] and argv[0] in ADDED_COMMANDS:
        package = ADDED_COMMANDS[argv[0]]
        print(f"verdict {argv[0]} needs the {package} package: pip install {package}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="verdict", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="command")
    validate = commands.add_parser("validate", help="check bundles: every error and warning, one line each")
    validate.add_argument("bundles", nargs="+", metavar="BUNDLE")
    validate.add_argument("--strict", action="store_true", help="warnings fail the check too (exit status 1)")
    validate.set_defaults(run=_validate)
    schema = commands.add_parser("schema", help="print the bundle's JSON Schema")
    schema.set_defaults(run=_schema)
    render = commands.add_parser("render", help="print a comparison card's HTML")
    render.add_argument("bundle")
    render.add_argument("--comparison", help="comparison id (default: the first)")
    render.add_argument("--voting", action="store_true", help="include the vote control")
    render.add_argument(
        "--locale",
        default=DEFAULT_LOCALE,
        help=f"language of the card's own text, a BCP 47 tag ({', '.join(SUPPORTED_LOCALES)}; others: English)",
    )
    render.add_argument(
        "--sections", type=_sections, default=list(Section), help="comma-separated, as data-sections (default: all)"
    )
    render.add_argument("--heading-level", type=int, choices=range(1, 7), default=2, help="as data-heading-level")
    render.add_argument("--jsonld", action="store_true", help="append the comparison's JSON-LD <script>")
    render.add_argument(
        "--embed",
        action="store_true",
        help="the inline form for the host page: declarative shadow root with the card and its style, then the JSON-LD",
    )
    render.add_argument(
        "--css", help="the card's stylesheet for --embed (default: the one shipped with this engine, as dist/card.css)"
    )
    render.add_argument("--theme", choices=THEMES, default="light", help="for --embed, as data-theme")
    render.add_argument("--no-jsonld", dest="jsonld_off", action="store_true", help="--embed without JSON-LD")
    render.set_defaults(run=_render)
    for name in sorted(added):
        commands.add_parser(name, help=f"see verdict {name} --help")
    args = parser.parse_args(argv)
    return int(args.run(args))
