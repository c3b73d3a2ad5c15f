"""Which votes are acceptable: the comparisons, and their tools, of the configured bundles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from verdict.bundle import BundleError, BundleIndex, load_bundle

from .errors import StartupError

if TYPE_CHECKING:
    from .sites import Site


@dataclass(frozen=True)
class Catalog:
    """Comparison id -> its tool ids, in the bundle's order (the order tallies are listed in)."""

    comparisons: Mapping[str, tuple[str, ...]]
    bundles: Mapping[str, BundleIndex] = field(default_factory=dict)
    """Each bundle by its file's name without ``.json``: the NAME of frame.html?bundle=NAME (oEmbed)."""
    shared_names: tuple[str, ...] = ()
    """Names that several bundle files share, so oEmbed cannot tell them apart."""
    closes: Mapping[str, datetime] = field(default_factory=dict)
    """Comparison id -> when voting on it ends (its ``closes_at``; the earliest, if bundles differ)."""

    def tools(self, comparison: str) -> tuple[str, ...] | None:
        return self.comparisons.get(comparison)

    def bundle(self, name: str) -> BundleIndex | None:
        return self.bundles.get(name)

    def closes_at(self, comparison: str) -> datetime | None:
        return self.closes.get(comparison)


def load_catalog(paths: Iterable[Path]) -> Catalog:
    """Read and validate every bundle, merge their comparisons; report every problem at once.

    A comparison may appear in several bundles (say, one per site section) as long as
    it compares the same tools everywhere: otherwise the tallies would mean different
    things to different pages.
    """
    problems: list[str] = []
    comparisons: dict[str, tuple[str, ...]] = {}
    found_in: dict[str, Path] = {}
    bundles: dict[str, BundleIndex] = {}
    shared: set[str] = set()
    closes: dict[str, datetime] = {}
    for path in paths:
        try:
            bundle = load_bundle(path.read_bytes())
        except OSError as error:
            problems.append(f"{path}: cannot read the bundle ({error.strerror or error})")
            continue
        except BundleError as error:
            problems.extend(f"{path}: {problem}" for problem in error.problems)
            continue
        if path.stem in bundles:
            shared.add(path.stem)
        bundles.setdefault(path.stem, BundleIndex(bundle))
        for comparison in bundle.comparisons:
            if comparison.closes_at is not None:
                # A comparison closed in one bundle is closed: the earliest closing wins.
                held = closes.get(comparison.id)
                closes[comparison.id] = min(held, comparison.closes_at) if held else comparison.closes_at
            tools = tuple(comparison.tools)
            known = comparisons.get(comparison.id)
            if known is None:
                comparisons[comparison.id] = tools
                found_in[comparison.id] = path
            elif set(known) != set(tools):
                problems.append(
                    f"{path}: comparison {comparison.id!r} compares {', '.join(tools)} "
                    f"but in {found_in[comparison.id]} it compares {', '.join(known)}"
                )
    if problems:
        raise StartupError(*problems)
    return Catalog(comparisons, bundles, tuple(sorted(shared)), closes)


def load_site_catalogs(sites: Iterable[Site]) -> dict[str, Catalog]:
    """Each site's catalog (its bundles only, so a site accepts votes on its own comparisons); every problem at once."""
    catalogs: dict[str, Catalog] = {}
    problems: list[str] = []
    for site in sites:
        try:
            catalogs[site.id] = load_catalog(site.bundles)
        except StartupError as error:
            problems.extend(
                error.lines if site.id == "default" else (f"site {site.id}: {line}" for line in error.lines)
            )
    if problems:
        raise StartupError(*problems)
    return catalogs
