"""Run a test's coroutine to the end, in a thread of its own, within a time limit."""

from __future__ import annotations

import asyncio
import sys
import threading
import traceback
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

SCENARIO_TIMEOUT = 120.0
"""Far above what any scenario takes; past it the scenario is cancelled where it waits, and its stack says where."""
GRACE = 10.0
"""How long after the timeout a scenario that ignored it (its loop blocked or spinning) is given up on."""


def run_in_thread(coroutine: Coroutine[Any, Any, T], timeout: float = SCENARIO_TIMEOUT) -> T:
    """``asyncio.run(coroutine)`` in a new thread: the browser tests' Playwright keeps a loop running in this one.

    A scenario whose event loop never gets control back (code spinning without
    an ``await`` that yields) cannot be cancelled: the test fails with that
    thread's stack, and the daemon thread is left behind rather than holding
    the whole run.
    """

    async def bounded() -> T:
        async with asyncio.timeout(timeout):
            return await coroutine

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(bounded())
        except BaseException as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, name="scenario", daemon=True)
    thread.start()
    thread.join(timeout + GRACE)
    if thread.is_alive():
        frame = sys._current_frames().get(thread.ident or 0)
        stack = "".join(traceback.format_stack(frame)) if frame else "(no stack)"
        waited = timeout + GRACE
        raise AssertionError(f"the scenario's event loop never got control back within {waited:.0f} s:\n{stack}")
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value
