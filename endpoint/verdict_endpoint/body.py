"""Reading a request's JSON body: media type, size limit, syntax, then the model.

Each step fails with its own status and a reason a client developer can act on.
The body is read in chunks and abandoned past the limit, so an oversized
request costs at most the limit in memory.
"""

from __future__ import annotations

import json
import logging
from typing import TypeVar

import anyio
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from .errors import ApiError

MAX_BODY_BYTES = 4096
BODY_TIMEOUT = 10.0
"""Seconds a client has to send the whole body once its headers are in: a vote's body is one packet."""

logger = logging.getLogger("verdict.endpoint")

M = TypeVar("M", bound=BaseModel)


def _too_large() -> ApiError:
    return ApiError(413, f"the body is larger than {MAX_BODY_BYTES} bytes")


async def read_json(request: Request, model: type[M]) -> M:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        given = f"got {media_type!r}" if media_type else "none given"
        raise ApiError(415, f"the Content-Type must be application/json ({given})")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    body = bytearray()
    with anyio.move_on_after(BODY_TIMEOUT) as waited:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise _too_large()
    if waited.cancelled_caught:
        # The connection is closed after the answer (``Connection: close``): a client that stalls once
        # is not waited for again on the same connection.
        logger.info("a request body did not arrive within %s s: answered 408", BODY_TIMEOUT)
        raise ApiError(408, f"the body did not arrive within {BODY_TIMEOUT:g} s", headers={"Connection": "close"})
    try:  # the usual case, in one step; any failure is explained by the steps below
        return model.model_validate_json(body)
    except ValidationError:
        pass
    try:
        data = json.loads(body)
    except ValueError as error:
        raise ApiError(400, f"malformed JSON: {error}") from None
    if not isinstance(data, dict):
        raise ApiError(422, "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        reasons = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False)]
        raise ApiError(422, "; ".join(reasons)) from None
