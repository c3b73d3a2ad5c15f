"""Pydantic models of the bundle, format v1.

A bundle is the publisher's JSON file: the tools, the reviewer panel, the
comparisons with each reviewer's verdict per tool, and site settings. It is
untrusted input, so every field is bounded and every id is a slug; figures are
never stored here, only the calls they are derived from (the engine derives
them when it renders).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from .rules import SLUG_MAX_LENGTH, SLUG_PATTERN

FORMAT = "verdict/1"

Slug = Annotated[
    str,
    StringConstraints(pattern=f"^{SLUG_PATTERN}$", min_length=1, max_length=SLUG_MAX_LENGTH),
    Field(description="Lower-case letters, digits and single hyphens."),
]
"""An id: what cards, votes and the data-comparison attribute name a tool, reviewer or comparison by."""
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""One line of plain text, up to 200 characters."""
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
"""Plain text, up to 2,000 characters."""
RichText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    Field(description="Paragraphs, *emphasis*, **strong**, `code` and [links](https://…)."),
]
"""A reviewer's words, up to 4,000 characters, with the little Markdown the card renders."""

SAFE_URL_SCHEMES = ("https://", "http://", "mailto:")


def _safe_url(value: str) -> str:
    """Only absolute http(s) and mailto links: no javascript:, data: or relative tricks."""
    if not value.lower().startswith(SAFE_URL_SCHEMES) or any(c.isspace() for c in value):
        raise ValueError("must be an absolute https://, http:// or mailto: URL without spaces")
    return value


def _iso_time(value: object) -> object:
    """A time written out, date and time of day with its zone: no bare dates, epoch numbers or local times."""
    example = "e.g. 2026-12-31T18:00:00Z or 2026-12-31T19:00:00+01:00"
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 time with its time zone as a string, {example}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time: write it with its time zone, {example}") from None
    if "T" not in value.upper() or parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone (or no time of day): write it in full, {example}")
    return value


ClosingTime = Annotated[AwareDatetime, BeforeValidator(_iso_time)]
"""An ISO 8601 time with its time zone, such as ``2026-12-31T18:00:00Z``."""

SafeUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_safe_url)]
"""An absolute ``https://``, ``http://`` or ``mailto:`` link: the only links a bundle may hold."""


class Strict(BaseModel):
    """Base for bundle models: unknown fields are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Entry(StrEnum):
    """The cheapest way in: what the card's Entry figure shows."""

    PAID = "paid"
    FREE = "free"


class Call(StrEnum):
    """A reviewer's bottom line on a tool."""

    SHIP = "ship"
    SKIP = "skip"


class Tool(Strict):
    """One tool the card compares, with what the card shows of it."""

    id: Slug
    name: Line
    category: Line
    tagline: Line
    description: Paragraph
    entry: Entry
    pricing: Line = Field(description="The pricing read: how the tool charges, in a line.")
    url: SafeUrl | None = None


class Reviewer(Strict):
    """A member of the panel, and the angle they judge from."""

    id: Slug
    name: Line
    lens: Line = Field(description="What this reviewer judges, e.g. 'Developer experience'.")


class Verdict(Strict):
    """One reviewer's call on one tool, and why."""

    call: Call
    text: RichText


class Review(Strict):
    """One reviewer's verdicts on every tool of a comparison, keyed by tool id."""

    reviewer: Slug
    verdicts: dict[Slug, Verdict]


class Comparison(Strict):
    """One card: two to four of the bundle's tools, and the panel's verdicts on each."""

    id: Slug
    kicker: Line | None = Field(None, description="The line above the title; default: 'Tool comparison', translated.")
    title: Line | None = Field(None, description="Defaults to the tool names joined by 'vs'.")
    standfirst: Paragraph
    tools: list[Slug] = Field(min_length=2, max_length=4)
    scorecard: list[Review] = Field(min_length=1, max_length=12)
    closes_at: ClosingTime | None = Field(
        None,
        description="When voting ends: an ISO 8601 time with its time zone, e.g. 2026-12-31T18:00:00Z. "
        "After it the card shows the final results and the endpoint refuses votes.",
    )


class CallToAction(Strict):
    """The site's invitation under the card (a newsletter, say)."""

    text: Line
    button: Line | None = Field(None, description="Defaults to 'Subscribe' in the card's language.")
    url: SafeUrl


class Site(Strict):
    """The publisher's site: its name, its address and its call to action."""

    name: Line
    url: SafeUrl | None = None
    cta: CallToAction | None = None


class Bundle(Strict):
    """A bundle file: the site, its tools and reviewers, and the comparisons the cards show."""

    json_schema_url: str | None = Field(
        None,
        alias="$schema",
        title="JSON Schema",
        max_length=2000,
        description="The bundle's JSON Schema, for editors: e.g. https://widget.example.com/verdict/schema/bundle-v1.json.",
    )
    format: Literal["verdict/1"] = Field(description="Bundle format and version.")
    site: Site
    tools: list[Tool] = Field(min_length=2, max_length=200)
    reviewers: list[Reviewer] = Field(min_length=1, max_length=50)
    comparisons: list[Comparison] = Field(min_length=1, max_length=200)
