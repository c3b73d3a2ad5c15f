"""The wire format: pydantic models of every request and response body.

The OpenAPI document is generated from these, so they are the contract clients
rely on. Requests are strict (a number is not a string) and ignore unknown
fields, so an older endpoint still accepts a newer widget's votes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


class RequestBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class VoteIn(RequestBody):
    """Cast a vote, or change the vote this voter already cast on the comparison."""

    comparison: ComparisonId
    tool: ToolId
    voter: VoterToken


class WithdrawIn(RequestBody):
    """Withdraw this voter's vote on the comparison; withdrawing twice is not an error."""

    comparison: ComparisonId
    voter: VoterToken


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


class ErrorBody(BaseModel):
    """Why a request was refused."""

    error: str = Field(description="A specific reason, naming the field or id at fault.")


class Health(BaseModel):
    status: Literal["ok"]
