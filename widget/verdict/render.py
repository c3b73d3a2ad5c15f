"""The comparison card as HTML: the same function prerenders at build time and
re-renders in the browser, so what the reader first sees is what the engine
later takes over, with no layout shift.

Headings, not landmarks, structure the card: a page may hold several cards,
and landmarks (section with a name, aside) would repeat across them.

The main regions carry ``part`` names (card, header, headline, tools, tool,
figures, scorecard, review, vote, choice, cta, cta-button): publishers style
them from outside the shadow root with ``::part()``. ``data-tools`` on the
card tells the stylesheet how many columns a wide card has.

The card's own element carries the locale's ``lang`` and ``dir``; the bundle's
text, written in whatever language the publisher wrote it, sits in elements
with ``dir="auto"`` (or ``bdi``), so an English tagline in an Arabic card keeps
its punctuation where it belongs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC

from .bundle import BundleError, BundleIndex
from .figures import ComparisonFigures, ToolFigures, derive
from .i18n import DEFAULT_LOCALE, Locale, get_locale
from .markup import AttrValue, Child, Markup, el
from .models import SAFE_URL_SCHEMES, Call, Comparison, Entry
from .richtext import render_rich_text
from .rules import CTA_TEXT_MAX, DEFAULT_HEADING_LEVEL, Results, Section

DEFAULT_SECTIONS = tuple(Section)


@dataclass(frozen=True)
class RenderOptions:
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    heading_level: int = DEFAULT_HEADING_LEVEL
    voting: bool = False
    """Whether an endpoint is configured; without one there is no vote control."""
    cta_url: str | None = None
    """The publisher's call-to-action link (data-cta-url), instead of the bundle's."""
    cta_text: str | None = None
    """The sentence beside the call-to-action button (data-cta-text), instead of the bundle's."""
    results: Results = Results.ALWAYS
    """data-results: whether the readers' figures wait for this reader's vote."""
    locale: str = DEFAULT_LOCALE
    """A BCP 47 tag; the card speaks the supported locale it resolves to (see i18n)."""
    controls_ready: bool = True
    """False for the inline form, which paints before any script has run (or with none at all): its vote
    controls are then disabled (and, without JavaScript, say that voting needs it) until the loader takes
    the card and enables them (loader/actions.js), so a click is never silently dropped."""

    def __post_init__(self) -> None:
        # Attributes are untrusted: a link that is not http(s) or mailto is dropped here too.
        if self.cta_url is not None and not safe_cta_url(self.cta_url):
            object.__setattr__(self, "cta_url", None)
        if self.cta_text is not None:
            object.__setattr__(self, "cta_text", " ".join(self.cta_text.split())[:CTA_TEXT_MAX] or None)


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
    pending: bool = False
    """``mine`` is saved on this device but not yet confirmed by the endpoint (the outbox)."""


@dataclass(frozen=True)
class CardState:
    tallies: dict[str, int] = field(default_factory=dict)
    vote: VoteState = VoteState()
    voted: bool = False
    """This reader has voted on this comparison from this device (a withdrawal since included)."""
    now: float | None = None
    """The time to judge closing by (seconds since the epoch); None: the clock's."""
    closed: bool = False
    """Closed whatever ``now`` says: the engine's timer fired at ``closes_at``."""


def is_closed(comparison: Comparison, now: float | None = None) -> bool:
    """Whether voting on the comparison has ended (its ``closes_at`` has passed)."""
    closes_at = comparison.closes_at
    return closes_at is not None and (time.time() if now is None else now) >= closes_at.timestamp()


def results_hidden(options: RenderOptions, state: CardState, closed: bool) -> bool:
    """data-results="after-vote" keeps the readers' figures back until this reader has voted; final results show."""
    hiding = options.results is Results.AFTER_VOTE and options.voting
    return hiding and not state.voted and state.vote.mine is None and not closed


def _heading(level: int, attrs: dict[str, AttrValue], *children: Child) -> Markup:
    return el(f"h{min(max(level, 1), 6)}", attrs, *children)


def comparison_title(index: BundleIndex, comparison: Comparison, locale: Locale | None = None) -> str:
    if comparison.title:
        return comparison.title
    locale = locale or get_locale()
    # Translators: joins the tool names of a comparison that has no title of its own: "A vs B".
    separator = locale.pgettext("title", " vs ")
    return separator.join(locale.isolate(index.tools[t].name) for t in comparison.tools)


def _root(locale: Locale, attrs: dict[str, AttrValue]) -> dict[str, AttrValue]:
    """The card's own element says its language and direction, whatever the host page's."""
    return {**attrs, "lang": locale.code, "dir": locale.dir}


def render_card(
    index: BundleIndex, comparison: Comparison, options: RenderOptions = RenderOptions(), state: CardState = CardState()
) -> Markup:
    closed = state.closed or is_closed(comparison, state.now)
    hidden = results_hidden(options, state, closed)
    # Held back, the readers' votes count for nothing on the card: not in a figure, not in the headline.
    figures = derive(index, comparison, {} if hidden else state.tallies)
    locale = get_locale(options.locale)
    level = options.heading_level
    sections = [s for s in options.sections if s is not Section.VOTE or options.voting]
    parts: dict[Section, Callable[[], Markup | None]] = {
        Section.SCORECARD: lambda: _scorecard(index, comparison, level + 1, locale),
        Section.VOTE: lambda: (
            _final_results(comparison, figures, level + 1, locale)
            if closed
            else _vote(figures, state.vote, level + 1, locale, options.controls_ready, hidden)
        ),
        Section.CTA: lambda: _cta(index, options, locale),
    }
    return el(
        "article",
        _root(
            locale,
            {
                "class": "vd-card",
                "part": "card",
                "aria-labelledby": "vd-title",
                "data-comparison": comparison.id,
                "data-tools": len(figures.tools),
                "data-closed": closed or None,
                "data-results-hidden": hidden or None,
            },
        ),
        el(
            "header",
            {"class": "vd-header", "part": "header"},
            el("p", {"class": "vd-kicker", "dir": "auto"}, comparison.kicker or locale.gettext("Tool comparison")),
            _heading(
                level,
                {"class": "vd-title", "id": "vd-title", "dir": "auto"},
                comparison_title(index, comparison, locale),
            ),
            el("p", {"class": "vd-standfirst", "dir": "auto"}, comparison.standfirst),
        ),
        _headline(figures, locale),
        el(
            "div",
            {"class": "vd-tools", "part": "tools", "data-count": len(figures.tools), "data-rows": _tool_rows(sections)},
            [_tool_column(t, sections, level + 1, locale, hidden) for t in figures.tools],
        ),
        [parts[s]() for s in sections if s in parts],
    )


def _headline(figures: ComparisonFigures, locale: Locale) -> Markup:
    headline = figures.headline
    return el(
        "p",
        {"class": "vd-headline", "part": "headline", "data-kind": headline.kind},
        # Translators: the label before the headline verdict's sentence.
        el("strong", None, locale.pgettext("headline", "Verdict")),
        " ",
        headline.sentence(locale),
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


def _tool_column(
    figures: ToolFigures, sections: list[Section], level: int, locale: Locale, hidden: bool = False
) -> Markup:
    tool = figures.tool
    community = figures.community
    community_value = community.label_in(locale)
    if hidden:
        community_value = "—"
        # Translators: in place of the readers' share of a tool, when the card shows it only after one's vote.
        community_detail = locale.gettext("shown after you vote")
    elif community.percent is None:
        community_detail = locale.gettext("no votes yet")
    else:
        community_detail = locale.ngettext("{count} vote", "{count} votes", community.votes)
    name = el("a", {"href": tool.url, "rel": "noopener", "target": "_blank"}, tool.name) if tool.url else tool.name
    split = figures.split
    dissenters = [f"{r.name} ({r.lens})" for r in split.dissenters]
    return el(
        "div",
        {"class": "vd-tool", "part": "tool", "data-tool": tool.id},
        el("p", {"class": "vd-category", "dir": "auto"}, tool.category),
        _heading(level, {"class": "vd-tool-name", "id": f"vd-tool-{tool.id}", "dir": "auto"}, name),
        el("p", {"class": "vd-tagline", "dir": "auto"}, tool.tagline),
        el(
            "dl",
            {"class": "vd-figures", "part": "figures"},
            _figure(
                # Translators: the share of the reviewers who would ship (adopt) the tool.
                locale.gettext("Panel ship"),
                figures.panel.label_in(locale),
                figures.panel.detail_in(locale),
                "panel",
            ),
            # Translators: the share of the readers' votes.
            _figure(locale.gettext("Community"), community_value, community_detail, "community"),
            _figure(
                # Translators: the cheapest way to start with the tool: Paid or Free.
                locale.gettext("Entry"),
                locale.gettext("Free") if tool.entry is Entry.FREE else locale.gettext("Paid"),
                None,
                "entry",
            ),
        )
        if Section.FIGURES in sections
        else None,
        el(
            "p",
            {"class": "vd-split"},
            el("span", {"class": "vd-label"}, locale.gettext("Reviewer split")),
            " ",
            split.label_in(locale),
            " ",
            el(
                "span",
                {"class": "vd-dissent"},
                # Translators: follows the split, naming the reviewers in the minority.
                locale.ngettext(
                    "— dissent: {names}", "— dissent: {names}", len(dissenters), names=locale.join(dissenters)
                ),
            )
            if dissenters
            else None,
        ),
        [
            el("p", {"class": "vd-description", "dir": "auto"}, tool.description),
            el(
                "p",
                {"class": "vd-pricing"},
                # Translators: the label of the bundle's one-line reading of how the tool charges.
                el("span", {"class": "vd-label"}, locale.gettext("Pricing read")),
                " ",
                el("bdi", None, tool.pricing),
            ),
        ]
        if Section.DESCRIPTION in sections
        else None,
    )


def _scorecard(index: BundleIndex, comparison: Comparison, level: int, locale: Locale) -> Markup:
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
                    el("p", {"class": "vd-verdict-tool", "dir": "auto"}, index.tools[tool_id].name),
                    el("div", {"class": "vd-verdict-text", "dir": "auto"}, render_rich_text(verdict.text)),
                    el(
                        "p",
                        {"class": f"vd-call vd-call-{verdict.call}"},
                        # Translators: a reviewer's call on a tool: adopt it, or pass.
                        locale.pgettext("call", "Ship")
                        if verdict.call is Call.SHIP
                        else locale.pgettext("call", "Skip"),
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
        _heading(level, {"id": "vd-scorecard-title"}, locale.gettext("Reviewer scorecard")),
        reviews,
    )


def pending_message(tool_name: str | None, locale: Locale | None = None) -> str:
    """What the card says while a vote (or, with no tool, a withdrawal) is on its way.

    Each vote control carries its own in ``data-pending``, so the loader can
    show a click as taken at once, before the engine is up.
    """
    words = locale or get_locale()
    if tool_name:
        return words.gettext("Saving your vote for {tool}…", tool=tool_name)
    return words.gettext("Withdrawing your vote…")


def _vote(
    figures: ComparisonFigures, vote: VoteState, level: int, locale: Locale, ready: bool = True, hidden: bool = False
) -> Markup:
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
                    "data-pending": pending_message(t.tool.name, locale),
                    "disabled": not ready,
                },
                el(
                    "bdi",
                    {"class": "vd-choice-name"},
                    t.tool.name,
                    # Saved on this device, not yet counted by the endpoint (the outbox).
                    [" ", el("span", {"class": "vd-choice-pending", "dir": locale.dir}, locale.gettext("pending"))]
                    if vote.pending and vote.mine == t.tool.id
                    else None,
                ),
                None if hidden else el("span", {"class": "vd-choice-share"}, t.community.label_in(locale)),
                None
                if hidden
                else el("progress", {"class": "vd-choice-bar", "max": 100, "value": share, "aria-hidden": "true"}),
            )
        )
    total = figures.total_votes
    if hidden:
        summary = locale.gettext("Vote to see what other readers chose.")
    elif total == 0:
        summary = locale.gettext("No votes yet: be the first.")
    else:
        summary = locale.ngettext("{count} vote so far.", "{count} votes so far.", total)
    question = (
        # Translators: the vote's question when the comparison has two tools (Arabic: dual).
        locale.pgettext("two tools", "Which would you ship?")
        if len(figures.tools) == 2
        # Translators: the vote's question when the comparison has three or four tools.
        else locale.pgettext("three or more tools", "Which would you ship?")
    )
    return el(
        "div",
        {"class": "vd-vote", "part": "vote", "aria-busy": vote.busy or None},
        _heading(level, {"id": "vd-vote-title"}, question),
        el("div", {"class": "vd-choices", "role": "group", "aria-labelledby": "vd-vote-title"}, buttons),
        # Only readers without JavaScript see this (the controls stay disabled for them).
        None
        if ready
        else el("noscript", {}, el("p", {"class": "vd-vote-nojs"}, locale.gettext("Voting needs JavaScript."))),
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
                "data-pending": pending_message(None, locale),
                "hidden": vote.mine is None,
                "disabled": not ready,
            },
            locale.gettext("Withdraw my vote"),
        ),
    )


def _final_results(comparison: Comparison, figures: ComparisonFigures, level: int, locale: Locale) -> Markup:
    """A closed comparison's vote section: the readers' final shares and when voting ended, no control."""
    closes_at = comparison.closes_at
    # The close date as a calendar date in UTC, the endpoint's time, written the reader's way.
    date = locale.date(closes_at.astimezone(UTC).date()) if closes_at else ""
    total = figures.total_votes
    rows = [
        el(
            "li",
            {"class": "vd-choice vd-final-choice", "part": "choice", "data-tool": t.tool.id},
            el("bdi", {"class": "vd-choice-name"}, t.tool.name),
            el("span", {"class": "vd-choice-share"}, t.community.label_in(locale)),
            el(
                "progress",
                {"class": "vd-choice-bar", "max": 100, "value": t.community.percent or 0, "aria-hidden": "true"},
            ),
        )
        for t in figures.tools
    ]
    return el(
        "div",
        {"class": "vd-vote vd-final", "part": "vote", "data-closed": True},
        # Translators: the heading of a closed vote's outcome.
        _heading(level, {"id": "vd-vote-title"}, locale.gettext("Final results")),
        el("ul", {"class": "vd-choices", "aria-labelledby": "vd-vote-title"}, rows),
        el(
            "p",
            {"class": "vd-vote-status", "id": "vd-vote-status"},
            # Translators: {date} is the day voting ended, e.g. "December 31, 2026".
            locale.gettext("Voting closed on {date}.", date=date),
            " ",
            locale.gettext("No votes were cast.")
            if total == 0
            else locale.ngettext("{count} vote in all.", "{count} votes in all.", total),
        ),
    )


def render_cta(index: BundleIndex, options: RenderOptions) -> Markup | None:
    """The card's call to action alone, as ``render_card`` places it (None when the card has none)."""
    return _cta(index, options, get_locale(options.locale))


def _cta(index: BundleIndex, options: RenderOptions, locale: Locale) -> Markup | None:
    """The bundle's call to action; the publisher's data-cta-url / data-cta-text win."""
    cta = index.bundle.site.cta
    url = options.cta_url or (cta.url if cta else None)
    if url is None:
        return None
    text = options.cta_text or (cta.text if cta else None)
    return el(
        "div",
        {"class": "vd-cta", "part": "cta"},
        el("p", {"dir": "auto"}, text) if text else None,
        el(
            "a",
            {"class": "vd-cta-button", "part": "cta-button", "href": url, "rel": "noopener", "target": "_blank"},
            # Translators: the newsletter button's text when the bundle gives none.
            (cta.button if cta else None) or locale.gettext("Subscribe"),
        ),
    )


def render_error(error: BundleError, source: str = "", locale: str = DEFAULT_LOCALE) -> Markup:
    """The small card shown instead of a broken bundle: what is wrong, and where.

    Its title speaks the reader's language; the problems are the publisher's
    (English, as ``verdict validate`` prints them), marked as such for screen readers.
    """
    words = get_locale(locale)
    shown = error.problems[:5]
    more = len(error.problems) - len(shown)
    return el(
        "div",
        _root(words, {"class": "vd-card vd-error", "part": "card error", "role": "alert"}),
        el("p", {"class": "vd-error-title"}, words.gettext("This comparison can't be shown")),
        el(
            "ul",
            {"lang": "en", "dir": "ltr"},
            [el("li", None, el("code", None, p.path or "(bundle)"), " ", p.message) for p in shown],
        ),
        el(
            "p",
            {"class": "vd-error-more"},
            words.ngettext("and {count} more problem", "and {count} more problems", more),
        )
        if more
        else None,
        el("p", {"class": "vd-error-source"}, source) if source else None,
    )
