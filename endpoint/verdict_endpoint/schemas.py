"""The wire format: pydantic models of every request and response body.

The OpenAPI document is generated from these, so they are the contract clients
rely on. Requests are strict (a number is not a string) and ignore unknown
fields, so an older endpoint still accepts a newer widget's votes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

VOTER_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"

ComparisonId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(description="The id of a comparison in one of the endpoint's bundles."),
]
ToolId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(description="The id of one of the comparison's tools."),
]
VoterToken = Annotated[
    str,
    StringConstraints(pattern=VOTER_PATTERN),
    Field(
        description="A random token the widget keeps for this reader on this device "
        "(stored only as a keyed hash): one vote per reader per device."
    ),
]

MAX_CHOSEN_AT = 2**53 - 1
"""The largest integer a JavaScript number holds exactly."""


def _integral(value: object) -> object:
    """JSON has one number type: 939.0 is the integer 939 (as JSON Schema says), 939.5 is not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


ChosenAt = Annotated[int, Field(ge=0, le=MAX_CHOSEN_AT), BeforeValidator(_integral)]
CHOSEN_AT = (
    "When the reader made this choice on their device, in milliseconds since the Unix epoch; a later choice of "
    "the same voter on the same comparison carries a larger value. The endpoint keeps the value of the choice it "
    "holds (a withdrawal's too) and refuses an older change with 409, so a request that arrives late never "
    "overwrites a newer choice; the same value again is the same choice, applied again. Omitted or null: applied "
    "whatever the stored choice's time, as from clients that predate this field. A value more than 60 s ahead of the "
    "endpoint's clock is taken as the endpoint's current time, so no client can stamp a choice in the future."
)


class RequestBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class VoteIn(RequestBody):
    """Cast a vote, or change the vote this voter already cast on the comparison."""

    comparison: ComparisonId
    tool: ToolId
    voter: VoterToken
    chosen_at: ChosenAt | None = Field(default=None, description=CHOSEN_AT)


class WithdrawIn(RequestBody):
    """Withdraw this voter's vote on the comparison; withdrawing twice is not an error."""

    comparison: ComparisonId
    voter: VoterToken
    chosen_at: ChosenAt | None = Field(default=None, description=CHOSEN_AT)


class Tallies(BaseModel):
    """The community's votes on one comparison."""

    comparison: str
    tallies: dict[str, int] = Field(
        description="Votes per tool id: every tool of the comparison, in the bundle's order, 0 when none."
    )
    total: int = Field(description="The sum of the tallies.")


class VoteResult(Tallies):
    """The tallies just after this voter's vote or withdrawal, and where their vote now stands."""

    vote: str | None = Field(description="The tool this voter now votes for; null after a withdrawal.")


class Superseded(VoteResult):
    """A change older than the choice the endpoint holds for this voter (by ``chosen_at``): not applied.

    The rest of the body says where the voter's vote stands, so a client can
    show the newer choice it did not know about.
    """

    error: str = Field(description="Why the change was not applied.")


class ErrorBody(BaseModel):
    """Why a request was refused."""

    error: str = Field(description="A specific reason, naming the field or id at fault.")


class Closed(ErrorBody):
    """A vote or withdrawal on a closed comparison: refused, its results are final."""

    closed_at: str = Field(description="When voting on the comparison ended (ISO 8601, UTC).")


class Health(BaseModel):
    status: Literal["ok"]


class OEmbed(BaseModel):
    """A "rich" oEmbed answer (oembed.com): the iframe form of one card."""

    version: Literal["1.0"]
    type: Literal["rich"]
    provider_name: str
    provider_url: str = Field(description="Where the widget's dist/ is served.")
    title: str = Field(description="The comparison's title.")
    html: str = Field(description="The iframe to embed: frame.html with the card's bundle and comparison.")
    width: int
    height: int
    cache_age: int = Field(description="Seconds a consumer may keep this answer.")
