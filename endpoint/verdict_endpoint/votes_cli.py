"""``verdict votes``: the operator's commands on the vote database.

``suspicious`` lists bursts of many new voter tokens from one hashed address,
or from one network of addresses — the mark of someone scripting votes with
fresh tokens, perhaps rotating through the /64s of one IPv6 /48. ``void``
deletes every vote and withdrawal cast from one hashed address or network and
takes the votes off the tallies, in one transaction. Both work while endpoints
are serving, on SQLite and PostgreSQL. Addresses are only ever known by their
keyed hash, which nests: its first 16 hex digits name the client's /48 (IPv4:
/16), the first 32 its /56 (IPv4: /24), all 64 the client (a /64, or an IPv4
address), as the access log's ``client`` shows it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from .catalog import load_catalog
from .errors import StartupError
from .exports import Format, export_stream
from .results import is_postgres
from .rollups import comparisons_query
from .settings import DEFAULT_DATABASE_URL
from .sites import DEFAULT_SITE, load_sites, new_admin_key, new_webhook_secret
from .storage import Burst, Store, StoreError, check_database_url, describe_sqlite, open_storage

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_PREFIX = 16
LEVELS = ((64, "client"), (32, "/56 (IPv4 /24)"), (16, "/48 (IPv4 /16)"))
"""Hash prefix lengths and the networks they name, narrowest first."""


def duration(text: str) -> int:
    """Seconds in ``30s``, ``10m``, ``24h`` or ``7d``."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (expected, say, 10m, 24h or 7d)")
    return int(match.group(1)) * _UNITS[match.group(2)]


def address_hash(text: str) -> str:
    value = text.strip().lower()
    if not re.fullmatch(rf"[0-9a-f]{{{MIN_PREFIX},64}}", value):
        raise argparse.ArgumentTypeError(
            f"not an address hash: {text!r} (expected {MIN_PREFIX} to 64 hex digits, as listed by "
            "`verdict votes suspicious` or shown as `client` in the access log)"
        )
    return value


def build_parser() -> argparse.ArgumentParser:
    # --database is accepted before the command and after it (``verdict votes suspicious --database URL``):
    # the subcommands share it through a parent whose default does not overwrite the value given before.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help=f"the vote database (env VERDICT_DATABASE_URL; default {DEFAULT_DATABASE_URL})",
    )
    parser = argparse.ArgumentParser(prog="verdict votes", description=__doc__, parents=[common])
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    suspicious = commands.add_parser(
        "suspicious",
        parents=[common],
        help="list bursts of many new voter tokens from one hashed address or network",
    )
    suspicious.add_argument("--since", type=duration, default="24h", help="how far back to look (default 24h)")
    suspicious.add_argument("--window", type=duration, default="10m", help="length of a burst (default 10m)")
    suspicious.add_argument(
        "--min-voters", type=int, default=20, help="new voters within one window that make a burst (default 20)"
    )
    commands.add_parser(
        "new-key",
        help="print a new admin key and its hash (for admin_key_hashes or VERDICT_ADMIN_KEY_HASHES) "
        "and a new webhook secret",
    )
    export = commands.add_parser(
        "export",
        parents=[common],
        help="print votes per comparison, tool and day with running totals, as CSV or JSON (streamed)",
    )
    export.add_argument("--format", choices=["csv", "json"], default="csv", help="default csv")
    export.add_argument(
        "--comparison", action="append", metavar="ID", help="only this comparison (repeatable; default: all)"
    )
    export.add_argument(
        "--site", default=DEFAULT_SITE, metavar="ID", help="the site whose votes to export (default: the default site)"
    )
    export.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="the sites file, to list a site's comparisons (default: every comparison with votes)",
    )
    void = commands.add_parser(
        "void",
        parents=[common],
        help="delete every vote and withdrawal cast from one hashed address (or network: a prefix of it)",
    )
    void.add_argument("--address-hash", type=address_hash, required=True, metavar="HASH")
    return parser


def _stamp(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _total(burst: Burst) -> int:
    return burst.new_voters + burst.withdrawals


async def _bursts(store: Store, since: int, window: int, min_voters: int) -> list[tuple[str, Burst]]:
    """Bursts at every level; a network's is left out when one narrower burst inside it explains it all."""
    found: list[tuple[str, Burst]] = []
    for length, level in LEVELS:
        for burst in await store.bursts(since, window, min_voters, length):
            explained = any(
                inner.address.startswith(burst.address)
                and inner.window_start == burst.window_start
                and _total(inner) == _total(burst)
                for _, inner in found
            )
            if not explained:
                found.append((level, burst))
    return found


async def _suspicious(store: Store, args: argparse.Namespace) -> int:
    bursts = await _bursts(store, int(time.time()) - args.since, args.window, args.min_voters)
    if not bursts:
        print(f"no address or network brought {args.min_voters} or more new voters within {args.window} s")
        return 0
    print(
        f"{'address hash (or network: its prefix)':<64}  {'level':<14}  {'window from':<20}  {'new voters':>10}  "
        f"{'withdrawals':>11}  comparisons"
    )
    for level, burst in bursts:
        print(
            f"{burst.address:<64}  {level:<14}  {_stamp(burst.window_start):<20}  {burst.new_voters:>10}  "
            f"{burst.withdrawals:>11}  {', '.join(burst.comparisons)}"
        )
    print("\nto remove the votes of an address or network: verdict votes void --address-hash HASH")
    return 0


async def _void(store: Store, args: argparse.Namespace) -> int:
    voided = await store.void(args.address_hash)
    total = sum(voided.votes.values())
    detail = ", ".join(f"{comparison}: {count}" for comparison, count in sorted(voided.votes.items()))
    print(
        f"removed {total} vote(s) cast from {args.address_hash}"
        + (f" ({detail})" if detail else "")
        + f" and {voided.withdrawals} withdrawal(s)"
    )
    return 0


async def _export(store: Store, args: argparse.Namespace) -> int:
    namespace = "" if args.site == DEFAULT_SITE else args.site + "/"
    comparisons = args.comparison or await _comparisons(store, namespace, args)
    async for chunk in export_stream(store, namespace, comparisons, Format(args.format)):
        sys.stdout.write(chunk)
    sys.stdout.flush()
    return 0


async def _comparisons(store: Store, namespace: str, args: argparse.Namespace) -> list[str]:
    """The site's comparisons: from its bundles with --config, else every one with votes in its namespace."""
    if args.config is not None:
        sites = {site.id: site for site in load_sites(args.config)}
        if args.site not in sites:
            raise StartupError(f"no site {args.site!r} in {args.config} (its sites: {', '.join(sites)})")
        return list(load_catalog(sites[args.site].bundles).comparisons)
    rows = await store.read(comparisons_query(is_postgres(store)), [])
    names = [str(row[0]) for row in rows]
    if namespace:
        return [name[len(namespace) :] for name in names if name.startswith(namespace)]
    return [name for name in names if "/" not in name]


async def _run(database_url: str, args: argparse.Namespace) -> int:
    store = open_storage(database_url)
    await store.start()
    try:
        if args.command == "export":
            return await _export(store, args)
        return await (_suspicious(store, args) if args.command == "suspicious" else _void(store, args))
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    if args.command == "new-key":
        key, key_hash = new_admin_key()
        print(f"admin key (give it to the publisher; shown only now): {key}")
        print(f"its hash (for admin_key_hashes or VERDICT_ADMIN_KEY_HASHES): {key_hash}")
        print(f"a webhook secret (for webhook_secret): {new_webhook_secret()}")
        return 0
    database_url = getattr(args, "database", None) or os.environ.get("VERDICT_DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        path = check_database_url(database_url)
        if path is not None and not path.exists():
            raise StartupError(f"no vote database at {describe_sqlite(database_url, path)}")
        return asyncio.run(_run(database_url, args))
    except StartupError as error:
        for line in error.lines:
            print(f"verdict votes: {line}", file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"verdict votes: the database failed: {error}", file=sys.stderr)
        return 1
