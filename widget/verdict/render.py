"""The comparison card as HTML: the same function prerenders at build time and
re-renders in the browser, so what the reader first sees is what the engine
later takes over, with no layout shift.

Headings, not landmarks, structure the card: a page may hold several cards,
and landmarks (section with a name, aside) would repeat across them.

The main regions carry ``part`` names (card, header, headline, tools, tool,
figures, scorecard, review, vote, choice, cta, cta-button): publishers style
them from outside the shadow root with ``::part()``. ``data-tools`` on the
card tells the stylesheet how many columns a wide card has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .bundle import BundleError, BundleIndex
from .figures import ComparisonFigures, ToolFigures, derive
from .markup import AttrValue, Child, Markup, el
from .models import SAFE_URL_SCHEMES, Call, Comparison
from .richtext import render_rich_text


class Section(StrEnum):
    FIGURES = "figures"
    DESCRIPTION = "description"
    SCORECARD = "scorecard"
    VOTE = "vote"
    CTA = "cta"


DEFAULT_SECTIONS = tuple(Section)


@dataclass(frozen=True)
class RenderOptions:
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    heading_level: int = 2
    voting: bool = False
    """Whether an endpoint is configured; without one there is no vote control."""
    cta_url: str | None = None
    """The publisher's call-to-action link (data-cta-url), instead of the bundle's."""
    cta_text: str | None = None
    """The sentence beside the call-to-action button (data-cta-text), instead of the bundle's."""

    def __post_init__(self) -> None:
        # Attributes are untrusted: a link that is not http(s) or mailto is dropped here too.
        if self.cta_url is not None and not safe_cta_url(self.cta_url):
            object.__setattr__(self, "cta_url", None)
        if self.cta_text is not None:
            object.__setattr__(self, "cta_text", " ".join(self.cta_text.split())[:CTA_TEXT_MAX] or None)


CTA_TEXT_MAX = 200
"""Longest data-cta-text kept, like a bundle line."""


def safe_cta_url(url: str) -> bool:
    """An absolute http(s) or mailto link without spaces, as in the bundle."""
    return url.lower().startswith(SAFE_URL_SCHEMES) and not any(c.isspace() for c in url) and len(url) <= 2000


@dataclass(frozen=True)
class VoteState:
    """What this reader's device knows about their vote."""

    mine: str | None = None
    busy: bool = False
    message: str = ""
    error: bool = False


@dataclass(frozen=True)
class CardState:
    tallies: dict[str, int] = field(default_factory=dict)
    vote: VoteState = VoteState()


def _heading(level: int, attrs: dict[str, AttrValue], *children: Child) -> Markup:
    return el(f"h{min(max(level, 1), 6)}", attrs, *children)


def comparison_title(index: BundleIndex, comparison: Comparison) -> str:
    return comparison.title or " vs ".join(index.tools[t].name for t in comparison.tools)


def render_card(
    index: BundleIndex, comparison: Comparison, options: RenderOptions = RenderOptions(), state: CardState = CardState()
) -> Markup:
    figures = derive(index, comparison, state.tallies)
    level = options.heading_level
    sections = [s for s in options.sections if s is not Section.VOTE or options.voting]
    parts: dict[Section, Callable[[], Markup | None]] = {
        Section.SCORECARD: lambda: _scorecard(index, comparison, level + 1),
        Section.VOTE: lambda: _vote(figures, state.vote, level + 1),
        Section.CTA: lambda: _cta(index, options),
    }
    return el(
        "article",
        {
            "class": "vd-card",
            "part": "card",
            "aria-labelledby": "vd-title",
            "data-comparison": comparison.id,
            "data-tools": len(figures.tools),
        },
        el(
            "header",
            {"class": "vd-header", "part": "header"},
            el("p", {"class": "vd-kicker"}, comparison.kicker),
            _heading(level, {"class": "vd-title", "id": "vd-title"}, comparison_title(index, comparison)),
            el("p", {"class": "vd-standfirst"}, comparison.standfirst),
        ),
        _headline(figures),
        el(
            "div",
            {"class": "vd-tools", "part": "tools", "data-count": len(figures.tools), "data-rows": _tool_rows(sections)},
            [_tool_column(t, sections, level + 1) for t in figures.tools],
        ),
        [parts[s]() for s in sections if s in parts],
    )


def _headline(figures: ComparisonFigures) -> Markup:
    headline = figures.headline
    return el(
        "p",
        {"class": "vd-headline", "part": "headline", "data-kind": headline.kind},
        el("strong", None, "Verdict "),
        headline.text,
    )


def _figure(name: str, value: str, detail: str | None, key: str) -> Markup:
    return el(
        "div",
        {"class": f"vd-figure vd-figure-{key}"},
        el("dt", None, name),
        el(
            "dd",
            None,
            el("span", {"class": "vd-figure-value"}, value),
            el("span", {"class": "vd-figure-detail"}, detail or "\u00a0"),
        ),
    )


def _tool_rows(sections: list[Section]) -> int:
    """How many rows a tool column has, so wide cards line them up across tools."""
    return 4 + (Section.FIGURES in sections) + 2 * (Section.DESCRIPTION in sections)


def _tool_column(figures: ToolFigures, sections: list[Section], level: int) -> Markup:
    tool = figures.tool
    community = figures.community
    community_detail = (
        "no votes yet"
        if community.percent is None
        else (f"{community.votes} vote" + ("" if community.votes == 1 else "s"))
    )
    name = el("a", {"href": tool.url, "rel": "noopener", "target": "_blank"}, tool.name) if tool.url else tool.name
    split = figures.split
    dissent = ", ".join(f"{r.name} ({r.lens})" for r in split.dissenters)
    return el(
        "div",
        {"class": "vd-tool", "part": "tool", "data-tool": tool.id},
        el("p", {"class": "vd-category"}, tool.category),
        _heading(level, {"class": "vd-tool-name", "id": f"vd-tool-{tool.id}"}, name),
        el("p", {"class": "vd-tagline"}, tool.tagline),
        el(
            "dl",
            {"class": "vd-figures", "part": "figures"},
            _figure("Panel ship", figures.panel.label, figures.panel.detail, "panel"),
            _figure("Community", community.label, community_detail, "community"),
            _figure("Entry", tool.entry.value.capitalize(), None, "entry"),
        )
        if Section.FIGURES in sections
        else None,
        el(
            "p",
            {"class": "vd-split"},
            el("span", {"class": "vd-label"}, "Reviewer split "),
            split.label,
            el("span", {"class": "vd-dissent"}, f" — dissent: {dissent}") if dissent else None,
        ),
        [
            el("p", {"class": "vd-description"}, tool.description),
            el("p", {"class": "vd-pricing"}, el("span", {"class": "vd-label"}, "Pricing read "), tool.pricing),
        ]
        if Section.DESCRIPTION in sections
        else None,
    )


def _scorecard(index: BundleIndex, comparison: Comparison, level: int) -> Markup:
    reviews = []
    for review in comparison.scorecard:
        reviewer = index.reviewers[review.reviewer]
        verdicts = []
        for tool_id in comparison.tools:
            verdict = review.verdicts[tool_id]
            verdicts.append(
                el(
                    "div",
                    {"class": "vd-verdict", "data-tool": tool_id},
                    el("p", {"class": "vd-verdict-tool"}, index.tools[tool_id].name),
                    el("div", {"class": "vd-verdict-text"}, render_rich_text(verdict.text)),
                    el(
                        "p",
                        {"class": f"vd-call vd-call-{verdict.call}"},
                        "Ship" if verdict.call is Call.SHIP else "Skip",
                    ),
                )
            )
        reviews.append(
            el(
                "article",
                {"class": "vd-review", "part": "review", "data-reviewer": reviewer.id},
                _heading(
                    level + 1, {"class": "vd-reviewer"}, reviewer.name, el("span", {"class": "vd-lens"}, reviewer.lens)
                ),
                el("div", {"class": "vd-verdicts"}, verdicts),
            )
        )
    return el(
        "div",
        {"class": "vd-scorecard", "part": "scorecard"},
        _heading(level, {"id": "vd-scorecard-title"}, "Reviewer scorecard"),
        reviews,
    )


def pending_message(tool_name: str | None) -> str:
    """What the card says while a vote (or, with no tool, a withdrawal) is on its way.

    Each vote control carries its own in ``data-pending``, so the loader can
    show a click as taken at once, before the engine is up.
    """
    return f"Saving your vote for {tool_name}…" if tool_name else "Withdrawing your vote…"


def _vote(figures: ComparisonFigures, vote: VoteState, level: int) -> Markup:
    buttons = []
    for t in figures.tools:
        share = t.community.percent or 0
        buttons.append(
            el(
                "button",
                {
                    "type": "button",
                    "class": "vd-choice",
                    "part": "choice",
                    "id": f"vd-vote-{t.tool.id}",
                    "data-action": "vote",
                    "data-tool": t.tool.id,
                    "aria-pressed": "true" if vote.mine == t.tool.id else "false",
                    "aria-describedby": "vd-vote-status",
                    "data-pending": pending_message(t.tool.name),
                },
                el("span", {"class": "vd-choice-name"}, t.tool.name),
                el("span", {"class": "vd-choice-share"}, t.community.label),
                el("progress", {"class": "vd-choice-bar", "max": 100, "value": share, "aria-hidden": "true"}),
            )
        )
    total = figures.total_votes
    summary = "No votes yet: be the first." if total == 0 else f"{total} vote{'s' if total != 1 else ''} so far."
    return el(
        "div",
        {"class": "vd-vote", "part": "vote", "aria-busy": vote.busy or None},
        _heading(level, {"id": "vd-vote-title"}, "Which would you ship?"),
        el("div", {"class": "vd-choices", "role": "group", "aria-labelledby": "vd-vote-title"}, buttons),
        el(
            "p",
            {"class": "vd-vote-status", "id": "vd-vote-status", "data-error": vote.error or None},
            vote.message or summary,
        ),
        el(
            "button",
            {
                "type": "button",
                "class": "vd-withdraw",
                "id": "vd-withdraw",
                "data-action": "withdraw",
                "data-pending": pending_message(None),
                "hidden": vote.mine is None,
            },
            "Withdraw my vote",
        ),
    )


def _cta(index: BundleIndex, options: RenderOptions) -> Markup | None:
    """The bundle's call to action; the publisher's data-cta-url / data-cta-text win."""
    cta = index.bundle.site.cta
    url = options.cta_url or (cta.url if cta else None)
    if url is None:
        return None
    text = options.cta_text or (cta.text if cta else None)
    return el(
        "div",
        {"class": "vd-cta", "part": "cta"},
        el("p", None, text) if text else None,
        el(
            "a",
            {"class": "vd-cta-button", "part": "cta-button", "href": url, "rel": "noopener", "target": "_blank"},
            cta.button if cta else "Subscribe",
        ),
    )


def render_error(error: BundleError, source: str = "") -> Markup:
    """The small card shown instead of a broken bundle: what is wrong, and where."""
    shown = error.problems[:5]
    more = len(error.problems) - len(shown)
    return el(
        "div",
        {"class": "vd-card vd-error", "part": "card error", "role": "alert"},
        el("p", {"class": "vd-error-title"}, "This comparison can't be shown"),
        el("ul", None, [el("li", None, el("code", None, p.path or "(bundle)"), " ", p.message) for p in shown]),
        el("p", {"class": "vd-error-more"}, f"and {more} more problem{'s' if more != 1 else ''}") if more else None,
        el("p", {"class": "vd-error-source"}, source) if source else None,
    )
