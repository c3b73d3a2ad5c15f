"""What a site's results page shows for one comparison, read from tallies and rollups (never from raw votes).

Three views of votes over time: the last 48 hours by hour, the last 30 days
by day, the last 26 weeks by week (from the daily rollups). Each tool's
running total at a bucket's end is its tally now minus what it gained, net,
after that bucket, so only the window is read.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from verdict.bundle import BundleIndex
from verdict.figures import HeadlineKind, derive

from .rollups import DAY, HOUR, Void, page_query
from .storage import Burst

WEEK = 7 * DAY
SUSPICIOUS_SINCE = DAY
SUSPICIOUS_WINDOW = 600
SUSPICIOUS_MIN_VOTERS = 20
SUSPICIOUS_CACHE_SECONDS = 60.0


class View(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


SPANS: dict[View, tuple[int, int, int]] = {
    # view: (bucket seconds, buckets shown, rollup table read)
    View.HOUR: (HOUR, 48, HOUR),
    View.DAY: (DAY, 30, DAY),
    View.WEEK: (WEEK, 26, DAY),
}


class ReadableStore(Protocol):
    """What the results page and the exports need of a store: one read-only query."""

    async def read(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]: ...

    async def tallies(self, comparison: str) -> dict[str, int]: ...

    async def bursts(self, since: int, window: int, min_new_voters: int) -> Sequence[Burst]: ...


def is_postgres(store: object) -> bool:
    return type(store).__name__ == "PostgresStorage"


@dataclass(frozen=True)
class Series:
    """One tool over the view's buckets."""

    tool: str
    name: str
    totals: tuple[int, ...]
    """Its running total at each bucket's end."""
    gained: tuple[int, ...]
    lost: tuple[int, ...]


@dataclass(frozen=True)
class Agreement:
    """The community against the panel's headline call."""

    panel_pick: str | None
    """The panel's pick (name), None for a tie or 'none of these'."""
    headline: str
    community_leader: str | None
    """The tool readers vote for most (name); None without votes or on a tie."""
    disagree: bool
    points: int
    """How far the panel's pick trails the readers' favourite, in percentage points (0 when they agree)."""
    rows: tuple[tuple[str, int, int | None], ...]
    """Each tool: name, panel ship %, community % (None without votes)."""


@dataclass(frozen=True)
class ComparisonResults:
    comparison: str
    title: str
    view: View
    starts: tuple[int, ...]
    """Each bucket's start, unix seconds UTC."""
    series: tuple[Series, ...]
    tallies: dict[str, int]
    total: int
    changes: int
    withdrawals: int
    voided: int
    voids: tuple[Void, ...]
    agreement: Agreement
    bursts: tuple[Burst, ...]


def _bucket_starts(view: View, now: int) -> tuple[int, ...]:
    unit, count, _ = SPANS[view]
    # Weeks start on Monday (the epoch was a Thursday: 3 days' offset).
    offset = 3 * DAY if view is View.WEEK else 0
    last = ((now + offset) // unit) * unit - offset
    return tuple(last - unit * n for n in range(count - 1, -1, -1))


def _bucket_of(start: int, starts: tuple[int, ...]) -> int | None:
    """The index of the view's bucket holding a rollup row's start; None if before the window."""
    if start < starts[0]:
        return None
    unit = starts[1] - starts[0] if len(starts) > 1 else 1
    return min((start - starts[0]) // unit, len(starts) - 1)


class ResultsReader:
    """A site's results, for its catalog's comparisons, through its namespace in the store."""

    def __init__(self, store: ReadableStore, namespace: str, bundles: dict[str, BundleIndex]) -> None:
        self.store = store
        self.namespace = namespace
        self.postgres = is_postgres(store)
        self.indexes = {comparison: index for index in bundles.values() for comparison in index.comparisons}
        self._bursts: tuple[float, tuple[Burst, ...]] = (-SUSPICIOUS_CACHE_SECONDS, ())

    def comparisons(self) -> list[str]:
        return list(self.indexes)

    async def suspicious(self) -> tuple[Burst, ...]:
        """Today's bursts on this site's comparisons; kept a minute, since finding them scans the day's votes."""
        read_at, bursts = self._bursts
        if time.monotonic() - read_at < SUSPICIOUS_CACHE_SECONDS:
            return bursts
        found = await self.store.bursts(int(time.time()) - SUSPICIOUS_SINCE, SUSPICIOUS_WINDOW, SUSPICIOUS_MIN_VOTERS)
        mine = []
        for burst in found:
            names = tuple(name for stored in burst.comparisons if (name := self._own(stored)) is not None)
            if names:
                mine.append(Burst(burst.address, burst.window_start, burst.new_voters, names))
        self._bursts = (time.monotonic(), tuple(mine))
        return self._bursts[1]

    def _own(self, stored: str) -> str | None:
        """A stored comparison id as this site names it; None if it is another site's."""
        if self.namespace:
            return stored[len(self.namespace) :] if stored.startswith(self.namespace) else None
        return stored if "/" not in stored else None

    async def read(self, comparison: str, view: View, now: int | None = None) -> ComparisonResults:
        index = self.indexes[comparison]
        model = index.comparisons[comparison]
        stored = self.namespace + comparison
        now = int(time.time()) if now is None else now
        starts = _bucket_starts(view, now)
        _, _, table_unit = SPANS[view]
        everything = await self.store.read(page_query(table_unit, self.postgres), [stored, starts[0], *[stored] * 3])
        counts = {row[1]: int(row[3]) for row in everything if row[0] == "n"}
        rows = [row[1:] for row in everything if row[0] == "b"]
        totals_rows = [row[1:] for row in everything if row[0] == "t"]
        void_rows = [(row[2], row[1], stored, row[3]) for row in everything if row[0] == "v"]
        tools = list(model.tools)
        tallies = {tool: counts.get(tool, 0) for tool in tools}
        gained = {tool: [0] * len(starts) for tool in tools}
        lost = {tool: [0] * len(starts) for tool in tools}
        for tool, start, up, down, *_ in rows:
            at = _bucket_of(int(start), starts)
            if at is None or tool not in gained:
                continue
            gained[tool][at] += int(up)
            lost[tool][at] += int(down)
        series = []
        for tool in tools:
            running, after = [], 0
            for at in range(len(starts) - 1, -1, -1):
                running.append(tallies[tool] - after)
                after += gained[tool][at] - lost[tool][at]
            series.append(
                Series(tool, index.tools[tool].name, tuple(reversed(running)), tuple(gained[tool]), tuple(lost[tool]))
            )
        changes = sum(int(changed_in) for tool, _, _, _, changed_in, _ in totals_rows if tool in tallies)
        withdrawn = sum(int(gone) for tool, _, _, _, _, gone in totals_rows if tool in tallies)
        voids = tuple(Void(int(at), address, comparison, int(n)) for at, address, _, n in void_rows)
        voided = sum(void.votes for void in voids)
        return ComparisonResults(
            comparison=comparison,
            title=model.title or " vs ".join(index.tools[tool].name for tool in tools),
            view=view,
            starts=starts,
            series=tuple(series),
            tallies=tallies,
            total=sum(tallies.values()),
            changes=changes,
            withdrawals=max(withdrawn - voided, 0),
            voided=voided,
            voids=voids,
            agreement=agreement(index, comparison, tallies),
            bursts=tuple(b for b in await self.suspicious() if comparison in b.comparisons),
        )


def agreement(index: BundleIndex, comparison: str, tallies: dict[str, int]) -> Agreement:
    """Where readers stand against the panel's headline call, in percentage points."""
    figures = derive(index, index.comparisons[comparison], tallies)
    pick = figures.headline.tools[0] if figures.headline.kind is HeadlineKind.PANEL_PICK else None
    shares = {f.tool.id: f.community.percent for f in figures.tools}
    top = max((share for share in shares.values() if share is not None), default=None)
    leaders = [tool for tool, share in shares.items() if share is not None and share == top]
    leader = index.tools[leaders[0]] if len(leaders) == 1 else None
    disagree = pick is not None and leader is not None and leader.id != pick.id
    points = (top or 0) - (shares[pick.id] or 0) if disagree and pick is not None else 0
    return Agreement(
        panel_pick=pick.name if pick else None,
        headline=figures.headline.text,
        community_leader=leader.name if leader else None,
        disagree=disagree,
        points=points,
        rows=tuple((f.tool.name, f.panel.percent, f.community.percent) for f in figures.tools),
    )
