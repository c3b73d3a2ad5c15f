"""Loading a bundle: parse, validate the models, check cross-references.

``check_bundle`` finds every problem in one pass and says each once, with the
path of the field at fault (``comparisons[0].scorecard[3].verdicts.mistral-4b-edge``)
or the line and column of a JSON syntax error, so a publisher can fix a broken
bundle from the ``verdict validate`` output, the configurator or the error card
alone. ``load_bundle`` is the same check for the engine: a bundle with errors
raises; warnings (rich text that would show literally) do not stop it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .authoring import Problem, format_path, json_problem, reference_problems, rich_text_problems, schema_problem
from .models import Bundle, Comparison, Reviewer, Tool

__all__ = ["BundleCheck", "BundleError", "BundleIndex", "Problem", "check_bundle", "format_path", "load_bundle"]

MAX_BUNDLE_BYTES = 2_000_000


class BundleError(ValueError):
    """A bundle that cannot be used, with every problem found and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


@dataclass(frozen=True)
class BundleCheck:
    """Everything known about a bundle: the validated bundle when it has no errors."""

    bundle: Bundle | None
    """The validated bundle; None when there is any error."""
    errors: list[Problem] = field(default_factory=list)
    """What makes the bundle unusable: the card shows an error instead."""
    warnings: list[Problem] = field(default_factory=list)
    """What the card shows, but not as meant (rich text that would show literally)."""


def check_bundle(raw: str | bytes | dict[str, Any]) -> BundleCheck:
    """Parse and validate a bundle: every error and warning, each mistake said once.

    ``raw`` is a bundle file's text or bytes (UTF-8, a byte order mark allowed) or its JSON already parsed.
    Bad input never raises: each problem names the path of the field at fault, or the line and column of a
    JSON syntax error, so a bundle can be fixed from the list alone.
    """
    if isinstance(raw, (str, bytes)):
        if len(raw) > MAX_BUNDLE_BYTES:
            return BundleCheck(None, [Problem("", f"the bundle is larger than {MAX_BUNDLE_BYTES:,} bytes")])
        try:
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
        except UnicodeDecodeError as error:
            return BundleCheck(None, [Problem("", f"not UTF-8 text (byte {error.start + 1})")])
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            return BundleCheck(None, [json_problem(error)])
    data: Any = raw
    if not isinstance(data, dict):
        return BundleCheck(None, [Problem("", 'the bundle must be a JSON object: { "format": "verdict/1", … }')])
    errors: list[Problem] = []
    bundle = None
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as error:
        errors = [schema_problem(e, Bundle) for e in error.errors(include_url=False)]
    # Cross-references on what parsed, even when the schema found problems elsewhere;
    # a path the schema already named is not blamed twice.
    named = {problem.path for problem in errors}
    errors += [p for p in reference_problems(data) if p.path not in named and p.path.rsplit(".", 1)[0] not in named]
    return BundleCheck(None if errors else bundle, errors, rich_text_problems(data))


def load_bundle(raw: str | bytes | dict[str, Any]) -> Bundle:
    """Parse and validate a bundle; raise BundleError naming every bad field."""
    checked = check_bundle(raw)
    if checked.bundle is None:
        raise BundleError(checked.errors)
    return checked.bundle


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
