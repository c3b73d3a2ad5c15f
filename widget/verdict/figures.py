"""Figures derived from a comparison: never stored, always computed.

Panel ship % and the reviewer split come from the reviewers' calls, community %
from the endpoint's tallies, and the headline verdict from both by the rule in
``headline`` (documented in docs/bundles/format.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .bundle import BundleIndex
from .i18n import Locale, get_locale
from .models import Call, Comparison, Entry, Reviewer, Tool

# Readers' votes only break a panel tie once there are this many of them.
MIN_VOTES_TO_BREAK_TIE = 10


@dataclass(frozen=True)
class PanelFigure:
    ships: int
    panel: int

    @property
    def percent(self) -> int:
        return round_half_up(100 * self.ships / self.panel)

    def label_in(self, locale: Locale) -> str:
        return locale.percent(self.percent)

    def detail_in(self, locale: Locale) -> str:
        # Translators: how many of the panel's reviewers would ship the tool, e.g. "3 of 4".
        return locale.gettext("{ships} of {panel}", ships=self.ships, panel=self.panel)

    @property
    def label(self) -> str:
        return self.label_in(get_locale())

    @property
    def detail(self) -> str:
        return self.detail_in(get_locale())


@dataclass(frozen=True)
class Split:
    ships: int
    skips: int
    dissenters: tuple[Reviewer, ...]
    """The minority: reviewers whose call differs from the majority (none on a tie)."""

    def label_in(self, locale: Locale) -> str:
        # Translators: how the reviewers' calls on one tool split, e.g. "3 ship · 1 skip".
        return locale.gettext("{ships} ship · {skips} skip", ships=self.ships, skips=self.skips)

    @property
    def label(self) -> str:
        return self.label_in(get_locale())


@dataclass(frozen=True)
class CommunityFigure:
    votes: int
    percent: int | None
    """None while the comparison has no votes at all: the card shows an em dash."""

    def label_in(self, locale: Locale) -> str:
        return "—" if self.percent is None else locale.percent(self.percent)

    @property
    def label(self) -> str:
        return self.label_in(get_locale())


class HeadlineKind(StrEnum):
    PANEL_PICK = "panel-pick"
    READERS_BREAK_TIE = "readers-break-tie"
    TIE = "tie"
    NEITHER = "neither"


@dataclass(frozen=True)
class Headline:
    """The headline verdict as facts; ``sentence`` words it in a locale."""

    kind: HeadlineKind
    tools: tuple[Tool, ...]
    """The tool(s) the headline favours: one for a pick, several for a tie, none for 'neither'."""
    best: int
    """The highest panel ship %."""
    named: tuple[Tool, ...] = ()
    """For 'neither': the tools that reached the best %."""
    runner_up: int = 0
    """For a pick: the next panel ship %."""
    share: int = 0
    votes: int = 0
    """For readers breaking a tie: the favourite's community % and the total votes."""
    free: Tool | None = None
    """For a tie: the only tied tool free to start, if exactly one is."""

    def sentence(self, locale: Locale) -> str:
        names = locale.join([tool.name for tool in self.named or self.tools])
        best = locale.percent(self.best)
        if self.kind is HeadlineKind.NEITHER:
            return locale.gettext(
                "The panel would ship none of these: the best, {tools}, gets {percent}.", tools=names, percent=best
            )
        if self.kind is HeadlineKind.PANEL_PICK:
            return locale.gettext(
                "Ship {tool}: the panel backs it {percent} to {runner_up}.",
                tool=names,
                percent=best,
                runner_up=locale.percent(self.runner_up),
            )
        if self.kind is HeadlineKind.READERS_BREAK_TIE:
            return locale.ngettext(
                "Panel tie at {percent}; readers break it for {tool} ({share} of {count} vote).",
                "Panel tie at {percent}; readers break it for {tool} ({share} of {count} votes).",
                self.votes,
                percent=best,
                tool=names,
                share=locale.percent(self.share),
            )
        text = locale.ngettext(
            "Dead heat: the panel ships {tools} at {percent} each.",
            "Dead heat: the panel ships {tools} at {percent} each.",
            len(self.tools),
            tools=names,
            percent=best,
        )
        if self.free is not None:
            text += " " + locale.gettext("{tool} is the free way in.", tool=self.free.name)
        return text

    @property
    def text(self) -> str:
        """The sentence in English."""
        return self.sentence(get_locale())


@dataclass(frozen=True)
class ToolFigures:
    tool: Tool
    panel: PanelFigure
    split: Split
    community: CommunityFigure


@dataclass(frozen=True)
class ComparisonFigures:
    comparison: Comparison
    tools: tuple[ToolFigures, ...]
    total_votes: int
    headline: Headline


def round_half_up(value: float) -> int:
    """75.5 → 76: what readers expect, unlike Python's banker's rounding."""
    return int(value + 0.5)


def largest_remainder(counts: Mapping[str, int]) -> dict[str, int]:
    """Whole percentages that add up to exactly 100 (Hare's largest remainder)."""
    total = sum(counts.values())
    exact = {key: 100 * n / total for key, n in counts.items()}
    floors = {key: int(share) for key, share in exact.items()}
    short = 100 - sum(floors.values())
    by_remainder = sorted(counts, key=lambda key: (floors[key] - exact[key], list(counts).index(key)))
    for key in by_remainder[:short]:
        floors[key] += 1
    return floors


def community_figures(tool_ids: list[str], tallies: Mapping[str, int]) -> dict[str, CommunityFigure]:
    counts = {tool_id: max(0, int(tallies.get(tool_id, 0))) for tool_id in tool_ids}
    if sum(counts.values()) == 0:
        return {tool_id: CommunityFigure(0, None) for tool_id in tool_ids}
    percents = largest_remainder(counts)
    return {tool_id: CommunityFigure(counts[tool_id], percents[tool_id]) for tool_id in tool_ids}


def split_for(index: BundleIndex, comparison: Comparison, tool_id: str) -> Split:
    calls = [(index.reviewers[r.reviewer], r.verdicts[tool_id].call) for r in comparison.scorecard]
    ships = sum(call is Call.SHIP for _, call in calls)
    skips = len(calls) - ships
    minority = None if ships == skips else (Call.SKIP if ships > skips else Call.SHIP)
    return Split(ships, skips, tuple(reviewer for reviewer, call in calls if call is minority))


def derive(index: BundleIndex, comparison: Comparison, tallies: Mapping[str, int] | None = None) -> ComparisonFigures:
    """Every figure the card shows for one comparison, given the current tallies."""
    community = community_figures(comparison.tools, tallies or {})
    per_tool = []
    for tool_id in comparison.tools:
        split = split_for(index, comparison, tool_id)
        per_tool.append(
            ToolFigures(
                tool=index.tools[tool_id],
                panel=PanelFigure(split.ships, split.ships + split.skips),
                split=split,
                community=community[tool_id],
            )
        )
    total = sum(figure.votes for figure in community.values())
    return ComparisonFigures(comparison, tuple(per_tool), total, headline(tuple(per_tool), total))


def headline(tools: tuple[ToolFigures, ...], total_votes: int) -> Headline:
    """The headline verdict. The rule, in order:

    1. If no tool reaches 50% panel ship, the panel would ship none of them.
    2. A single tool with the highest panel ship % is the panel's pick.
    3. Tools tied on panel ship % are separated by readers, once there are at
       least MIN_VOTES_TO_BREAK_TIE votes and one tied tool leads the community %.
    4. Otherwise it is a tie; when exactly one tied tool is free to start,
       the headline says so, since price is then the deciding difference.
    """
    best = max(t.panel.percent for t in tools)
    leaders = tuple(t for t in tools if t.panel.percent == best)
    if best < 50:
        return Headline(HeadlineKind.NEITHER, (), best, named=tuple(t.tool for t in leaders))
    if len(leaders) == 1:
        pick = leaders[0]
        runner_up = max(t.panel.percent for t in tools if t is not pick)
        return Headline(HeadlineKind.PANEL_PICK, (pick.tool,), best, runner_up=runner_up)
    if total_votes >= MIN_VOTES_TO_BREAK_TIE:
        top_share = max(t.community.percent or 0 for t in leaders)
        favourites = [t for t in leaders if (t.community.percent or 0) == top_share]
        if len(favourites) == 1:
            pick = favourites[0]
            return Headline(HeadlineKind.READERS_BREAK_TIE, (pick.tool,), best, share=top_share, votes=total_votes)
    tied = tuple(t.tool for t in leaders)
    free = [t for t in tied if t.entry is Entry.FREE]
    return Headline(HeadlineKind.TIE, tied, best, free=free[0] if len(free) == 1 else None)
