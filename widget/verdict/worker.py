"""The worker's entry point (loader/worker.js): the engine, or the name of a module the runtime lacks.

The build ships only the modules a traced run of the engine imported (builder/runtime/trim.py). Should the
engine import one the trace never reached, importing it fails here, in a reader's browser: the loader
is told which module (``missing``) and names it on the console with the build option that restores it.
This module imports nothing the runtime might lack.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from .browser import Engine


def start(post: Callable[[str], None]) -> Engine | None:
    """The engine, started; None when the runtime lacks a module it imports (the loader was told)."""
    try:
        from . import browser
    except ModuleNotFoundError as error:
        post(json.dumps({"type": "missing", "module": error.name}))
        return None
    return browser.start(post)
