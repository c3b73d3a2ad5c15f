"""Loading a bundle: parse, validate the models, then check cross-references.

Every problem is reported with the path of the field at fault
(``comparisons[0].scorecard[3].verdicts.mistral-4b-edge``), so a publisher can
fix a broken bundle from the error card or the ``verdict validate`` output alone.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .models import Bundle, Comparison, Reviewer, Tool

MAX_BUNDLE_BYTES = 2_000_000


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(bundle)'}: {self.message}"


class BundleError(ValueError):
    """A bundle that cannot be used, with every problem found and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


def format_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def load_bundle(raw: str | bytes | dict[str, Any]) -> Bundle:
    """Parse and validate a bundle; raise BundleError naming every bad field."""
    if isinstance(raw, (str, bytes)):
        if len(raw) > MAX_BUNDLE_BYTES:
            raise BundleError([Problem("", f"bundle is larger than {MAX_BUNDLE_BYTES} bytes")])
        try:
            raw = json.loads(raw)
        except ValueError as error:
            raise BundleError([Problem("", f"not valid JSON ({error})")]) from None
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as error:
        raise BundleError([Problem(format_path(e["loc"]), e["msg"]) for e in error.errors(include_url=False)]) from None
    problems = reference_problems(bundle)
    if problems:
        raise BundleError(problems)
    return bundle


def _duplicates(ids: list[str]) -> set[str]:
    return {id_ for id_, n in Counter(ids).items() if n > 1}


def reference_problems(bundle: Bundle) -> list[Problem]:
    """Ids must be unique and every reference must point at something that exists."""
    problems: list[Problem] = []
    id_lists = (
        ("tools", [tool.id for tool in bundle.tools]),
        ("reviewers", [reviewer.id for reviewer in bundle.reviewers]),
        ("comparisons", [comparison.id for comparison in bundle.comparisons]),
    )
    for field, ids in id_lists:
        dupes = _duplicates(ids)
        for i, item_id in enumerate(ids):
            if item_id in dupes:
                problems.append(Problem(f"{field}[{i}].id", f"duplicate id {item_id!r}"))
    tool_ids = {tool.id for tool in bundle.tools}
    reviewer_ids = {reviewer.id for reviewer in bundle.reviewers}
    for c, comparison in enumerate(bundle.comparisons):
        here = f"comparisons[{c}]"
        for t, tool_id in enumerate(comparison.tools):
            if tool_id not in tool_ids:
                problems.append(Problem(f"{here}.tools[{t}]", f"unknown tool {tool_id!r}"))
        for tool_id in _duplicates(comparison.tools):
            problems.append(Problem(f"{here}.tools", f"tool {tool_id!r} is listed twice"))
        for reviewer_id in _duplicates([review.reviewer for review in comparison.scorecard]):
            problems.append(Problem(f"{here}.scorecard", f"reviewer {reviewer_id!r} reviews twice"))
        for r, review in enumerate(comparison.scorecard):
            at = f"{here}.scorecard[{r}]"
            if review.reviewer not in reviewer_ids:
                problems.append(Problem(f"{at}.reviewer", f"unknown reviewer {review.reviewer!r}"))
            for tool_id in review.verdicts:
                if tool_id not in comparison.tools:
                    problems.append(
                        Problem(f"{at}.verdicts.{tool_id}", "verdict on a tool this comparison does not list")
                    )
            for tool_id in comparison.tools:
                if tool_id not in review.verdicts:
                    problems.append(Problem(f"{at}.verdicts", f"missing the verdict on {tool_id!r}"))
    return problems


class BundleIndex:
    """Look-ups by id over a validated bundle."""

    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self.tools: dict[str, Tool] = {tool.id: tool for tool in bundle.tools}
        self.reviewers: dict[str, Reviewer] = {r.id: r for r in bundle.reviewers}
        self.comparisons: dict[str, Comparison] = {c.id: c for c in bundle.comparisons}

    def comparison(self, comparison_id: str | None) -> Comparison:
        """The named comparison, or the first one when no id is given."""
        if comparison_id is None:
            return self.bundle.comparisons[0]
        try:
            return self.comparisons[comparison_id]
        except KeyError:
            known = ", ".join(self.comparisons)
            raise BundleError([Problem("comparisons", f"no comparison {comparison_id!r} (known: {known})")]) from None
