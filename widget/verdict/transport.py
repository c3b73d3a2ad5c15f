"""HTTP for the worker-side engine: one injected callable, so the same flow runs in CPython tests.

In the browser it is ``pyodide_http`` (the page's ``fetch``); tests and the build's trace pass
their own with the same contract, ``Http``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

REQUEST_TIMEOUT = 10.0
PROBE_TIMEOUT = 5.0


class Reply(NamedTuple):
    status: int
    body: Any
    headers: Mapping[str, str] = MappingProxyType({})


class Http(Protocol):
    async def __call__(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None = None,
        *,
        revalidate: bool = False,
        headers: Mapping[str, str] | None = None,
        mode: str = "cors",
    ) -> Reply:
        """The answer (status, parsed JSON or text, headers); raise OSError when there is none.

        As ``fetch`` in a browser: a CORS request whose answer the page's origin may not read
        raises OSError; ``mode="no-cors"`` answers ``Reply(0, None)`` whenever the server answered.
        ``revalidate`` skips the browser's HTTP cache, for figures that must be fresh.
        """


async def pyodide_http(
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    *,
    revalidate: bool = False,
    headers: Mapping[str, str] | None = None,
    mode: str = "cors",
) -> Reply:
    """``Http`` over the browser's fetch(), inside Pyodide."""
    from pyodide.http import pyfetch  # only inside Pyodide

    sent = dict(headers or {})
    kwargs: dict[str, Any] = {
        "method": method,
        "credentials": "omit",
        "mode": mode,
        "cache": "no-cache" if revalidate else "default",
    }
    if body is not None:
        sent["Content-Type"] = "application/json"
        kwargs["body"] = json.dumps(body)
    if sent:
        kwargs["headers"] = sent
    try:
        response = await pyfetch(url, **kwargs)
        if mode == "no-cors":
            return Reply(0, None)  # opaque: the server answered, nothing more is known
        text = await response.string()
        received = response.headers
    except Exception as error:  # a JsException from fetch(): network, CORS, abort
        raise OSError(str(error)) from None
    try:
        return Reply(response.status, json.loads(text), received)
    except ValueError:
        return Reply(response.status, text, received)
