"""The trim's trace must reach everything the engine can do, and what that is comes from the engine itself.

builder/runtime/trace_inside.py reads what it must reach from the engine (its message dispatch, its notice kinds,
its supported locales) and reports what it reached; the build fails naming anything missed
(builder/runtime/trim.py). The replay of the trace on the shipped runtime is in test_trim.py; here, without
Pyodide, that a new message type or notice kind joins what the trace must reach, and that a miss is named.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

import pytest

from builder.runtime import trace_inside, trim
from verdict import browser, notices
from verdict.i18n import SUPPORTED_LOCALES


async def _no_http(*args: Any, **kwargs: Any) -> browser.Reply:
    raise OSError("no network here")


def fully_reached(required: dict[str, list[str]]) -> dict[str, Any]:
    return {"coverage": {"required": required, "reached": {what: list(items) for what, items in required.items()}}}


def test_what_the_trace_must_reach_is_read_from_the_engine() -> None:
    engine = browser.Engine(lambda text: None, _no_http)
    required = trace_inside.Coverage.required(engine)
    assert required["message type"] == sorted(engine.handlers()) == ["action", "device", "mount", "unmount"]
    assert required["notice"] == list(get_args(notices.NoticeKind))
    assert {"queued_withdrawal", "origin_refused", "tallies_unavailable"} <= set(required["notice"])
    assert required["card in locale"] == required["error card in locale"] == list(SUPPORTED_LOCALES)
    assert {"withdrawal", "retry", "early click"} <= set(required["path"])
    assert trim.uncovered(fully_reached(required)) == []


def test_a_new_message_type_the_trace_never_sends_fails_naming_it() -> None:
    class Newer(browser.Engine):
        def handlers(self) -> dict[str, Any]:
            return {**super().handlers(), "ping": self.unmount}

    required = trace_inside.Coverage.required(Newer(lambda text: None, _no_http))
    traced = fully_reached(required)
    traced["coverage"]["reached"]["message type"].remove("ping")
    assert trim.uncovered(traced) == ["message type 'ping'"]


def test_a_new_notice_kind_the_trace_never_says_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = browser.Engine(lambda text: None, _no_http)
    traced = fully_reached(trace_inside.Coverage.required(engine))
    monkeypatch.setattr(notices, "NoticeKind", Literal[(*get_args(notices.NoticeKind), "vote_postponed")])
    traced["coverage"]["required"] = trace_inside.Coverage.required(engine)
    assert trim.uncovered(traced) == ["notice 'vote_postponed'"]


def test_a_trace_that_reports_no_coverage_fails() -> None:
    assert trim.uncovered({"files": []}) == ["what it must reach: the trace reported nothing"]
