"""What is wrong with a bundle, said once per mistake in the publisher's words.

``bundle.check_bundle`` runs all of it in one pass, so a publisher fixes
everything from one run of ``verdict validate`` (or one look at the
configurator): the JSON syntax error at its line and column; the schema's
errors, reworded (pydantic's "String should match pattern '^[a-z0-9]+…'"
becomes "must be a slug: …"); the cross-references, checked on whatever
parsed even when other fields are broken, without repeating a mistake the
schema already named; and warnings for verdict texts that the rich-text
subset would show literally.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from .richtext import rich_text_warnings
from .rules import SLUG_MAX_LENGTH

SLUG_WORDS = "must be a slug: lowercase letters, digits and single hyphens"


@dataclass(frozen=True)
class Problem:
    """One mistake: where (a path such as ``tools[0].entry``, or a line and column) and what."""

    path: str
    """The field at fault, such as ``comparisons[0].tools``; empty for the bundle as a whole."""
    message: str
    """What is wrong, and what the field takes."""
    line: int | None = None
    """For a JSON syntax error: its line in the file, from 1."""
    column: int | None = None
    """For a JSON syntax error: its column, from 1."""

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.line else self.path or "(bundle)"
        return f"{where}: {self.message}"


def format_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# -- JSON syntax ------------------------------------------------------------
TRAILING_COMMA = "a comma stands before a closing bracket: JSON allows no trailing comma"
JSON_WORDS = {
    "Expecting ',' delimiter": "a comma is missing after this value",
    "Expecting ':' delimiter": "a colon is missing after this field name",
    "Expecting property name enclosed in double quotes": "expected a field name in double quotes",
    "Expecting value": "expected a value",
    "Unterminated string starting at": "this text is never closed with a double quote",
    "Extra data": "there is more after the end of the bundle",
    "Invalid control character at": "a line break or tab inside text must be written \\n or \\t, within the quotes",
    "Invalid \\escape": "a backslash in text must be written \\\\",
    "Invalid \\uXXXX escape": "a \\u escape needs four hexadecimal digits",
    # Python 3.13 names trailing commas itself, at the comma.
    "Illegal trailing comma before end of array": TRAILING_COMMA,
    "Illegal trailing comma before end of object": TRAILING_COMMA,
}


def json_problem(error: json.JSONDecodeError) -> Problem:
    """Where the publisher has to look: a missing comma is reported after the value it follows
    (not at the next line's field), a trailing comma at the comma itself."""
    text, position = error.doc, error.pos
    message = JSON_WORDS.get(error.msg, error.msg)
    before = len(text[:position].rstrip())
    if error.msg in ("Expecting ',' delimiter", "Expecting ':' delimiter"):
        position = before
    elif error.msg in ("Expecting property name enclosed in double quotes", "Expecting value") and before:
        if text[before - 1] == ",":
            position = before - 1
            message = TRAILING_COMMA
        elif before < len(text) and text[before] in "'":
            message = "text and field names take double quotes, not single ones"
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return Problem("", f"not valid JSON: {message}", line, column)


# -- schema -----------------------------------------------------------------
def _quoted(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


def _fields_of(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the model found at ``loc`` from ``model``, for 'did you mean'."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            current = _inner(current)
            if isinstance(part, int):
                continue
        if isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = _inner(current.model_fields[part].annotation)
        elif isinstance(part, str):
            current = _inner(current)  # a dict key: the value's type
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _inner(annotation: Any) -> Any:
    """list[X] → X, dict[K, X] → X, X | None → X."""
    args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    return args[-1] if args else annotation


def schema_problem(error: ErrorDetails, root: type[BaseModel]) -> Problem:
    loc = tuple(error["loc"])
    kind, ctx = error["type"], error.get("ctx") or {}
    if loc and loc[-1] == "[key]":  # a dict key, such as a verdict's tool id
        path = format_path(loc[:-1])
        key = loc[-2]
        message = f"the tool id {key!r} {SLUG_WORDS}" if kind == "string_pattern_mismatch" else error["msg"]
        return Problem(path, message)
    path = format_path(loc)
    value = error.get("input")
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        name = str(loc[-1])
        known = [f for f in _fields_of(root, loc[:-1]) if f != "$schema" or len(loc) == 1]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known fields: {', '.join(known)})" if known else ""
        message = f"is not a field of this part of the bundle{hint}"
    elif kind == "string_pattern_mismatch":
        suggestion = slugify(value) if isinstance(value, str) else ""
        message = SLUG_WORDS + (f", for example {suggestion!r}" if suggestion and suggestion != value else "")
    elif kind in ("enum", "literal_error"):
        options = _quoted(str(ctx.get("expected", "")))
        message = f"must be one of: {options}" if "," in options else f"must be {options!r}"
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind == "string_too_long":
        length = f" (it has {len(value)})" if isinstance(value, str) else ""
        message = f"is too long: at most {ctx.get('max_length')} characters{length}"
    elif kind == "too_short":
        message = f"needs at least {ctx.get('min_length')} items (it has {ctx.get('actual_length')})"
    elif kind == "too_long":
        message = f"takes at most {ctx.get('max_length')} items (it has {ctx.get('actual_length')})"
    elif kind == "string_type":
        message = "must be text, in double quotes"
    elif kind == "list_type":
        message = "must be a list: [ … ]"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = "must be an object: { … }"
    elif kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
    else:
        message = str(error["msg"])
    return Problem(path, message)


def slugify(text: str) -> str:
    """An id suggested for `text` that the slug rule accepts (cut to its length without a dangling hyphen)."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:SLUG_MAX_LENGTH].rstrip("-")


# -- cross-references, on the raw data --------------------------------------
def _items(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _ids(items: list[Any]) -> list[str | None]:
    return [item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None for item in items]


def _did_you_mean(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def reference_problems(data: Any) -> list[Problem]:
    """Ids unique, every reference pointing at something that exists: one problem per mistake.

    Works on the parsed JSON, so it runs even when the schema found other problems;
    parts too broken to read are skipped (the schema has named them).
    """
    problems: list[Problem] = []
    tools, reviewers = _items(data, "tools"), _items(data, "reviewers")
    tool_ids, reviewer_ids = _ids(tools), _ids(reviewers)
    for field, ids in (
        ("tools", tool_ids),
        ("reviewers", reviewer_ids),
        ("comparisons", _ids(_items(data, "comparisons"))),
    ):
        counts = Counter(i for i in ids if i is not None)
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id is not None and counts[item_id] > 1:
                if item_id in seen:
                    problems.append(
                        Problem(f"{field}[{i}].id", f"the id {item_id!r} is already used; ids must be unique")
                    )
                seen.add(item_id)
    known_tools = [i for i in tool_ids if i is not None]
    known_reviewers = [i for i in reviewer_ids if i is not None]
    tools_readable = isinstance(data, dict) and isinstance(data.get("tools"), list)
    reviewers_readable = isinstance(data, dict) and isinstance(data.get("reviewers"), list)
    for c, comparison in enumerate(_items(data, "comparisons")):
        if isinstance(comparison, dict):
            problems += _comparison_problems(
                f"comparisons[{c}]",
                comparison,
                known_tools if tools_readable else None,
                known_reviewers if reviewers_readable else None,
            )
    return problems


def _comparison_problems(
    here: str, comparison: dict[str, Any], known_tools: list[str] | None, known_reviewers: list[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    listed = [t for t in _items(comparison, "tools") if isinstance(t, str)]
    unknown = set()
    if known_tools is not None:
        for t, tool_id in enumerate(_items(comparison, "tools")):
            if isinstance(tool_id, str) and tool_id not in known_tools:
                unknown.add(tool_id)
                problems.append(
                    Problem(
                        f"{here}.tools[{t}]", f"no tool has the id {tool_id!r}" + _did_you_mean(tool_id, known_tools)
                    )
                )
    seen: set[str] = set()
    for t, tool_id in enumerate(listed):
        if tool_id in seen:
            problems.append(Problem(f"{here}.tools[{t}]", f"the tool {tool_id!r} is listed twice"))
        seen.add(tool_id)
    reviewed: set[str] = set()
    for r, review in enumerate(_items(comparison, "scorecard")):
        if not isinstance(review, dict):
            continue
        at = f"{here}.scorecard[{r}]"
        reviewer = review.get("reviewer")
        if isinstance(reviewer, str):
            if known_reviewers is not None and reviewer not in known_reviewers:
                hint = _did_you_mean(reviewer, known_reviewers)
                problems.append(Problem(f"{at}.reviewer", f"no reviewer has the id {reviewer!r}{hint}"))
            elif reviewer in reviewed:
                problems.append(Problem(f"{at}.reviewer", f"{reviewer!r} already reviews this comparison"))
            reviewed.add(reviewer)
        verdicts = review.get("verdicts")
        if isinstance(verdicts, dict) and listed:
            problems += _verdict_problems(at, list(verdicts), listed, unknown)
    return problems


def _verdict_problems(at: str, keys: list[str], listed: list[str], unknown: set[str]) -> list[Problem]:
    """A verdict on a tool the comparison does not list, and a listed tool without a verdict, are
    usually one typo: said once. A comparison listing an unknown tool explains both on its own."""
    extra = [k for k in keys if k not in listed]
    missing = [t for t in listed if t not in keys and t not in unknown]
    if unknown:
        extra = extra[len(unknown) :]  # the verdicts on the tool the comparison meant to list
    if len(extra) == 1 and len(missing) == 1:
        return [
            Problem(
                f"{at}.verdicts.{extra[0]}",
                f"{extra[0]!r} is not a tool of this comparison (did you mean {missing[0]!r}, which has no verdict?)",
            )
        ]
    return [
        *(Problem(f"{at}.verdicts.{k}", f"{k!r} is not a tool of this comparison") for k in extra),
        *([Problem(f"{at}.verdicts", f"no verdict on {', '.join(map(repr, missing))}")] if missing else []),
    ]


# -- warnings ---------------------------------------------------------------
def rich_text_problems(data: Any) -> list[Problem]:
    """Verdict texts using what the rich-text subset does not support (shown literally)."""
    warnings = []
    for c, comparison in enumerate(_items(data, "comparisons")):
        for r, review in enumerate(_items(comparison, "scorecard")):
            verdicts = review.get("verdicts") if isinstance(review, dict) else None
            for tool_id, verdict in (verdicts or {}).items() if isinstance(verdicts, dict) else ():
                text = verdict.get("text") if isinstance(verdict, dict) else None
                if isinstance(text, str):
                    at = f"comparisons[{c}].scorecard[{r}].verdicts.{tool_id}.text"
                    warnings += [Problem(at, warning) for warning in rich_text_warnings(text)]
    return warnings
