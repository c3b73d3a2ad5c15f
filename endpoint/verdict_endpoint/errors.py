"""The two ways the endpoint says no: to the operator at start-up, to a client per request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class StartupError(Exception):
    """Configuration the endpoint cannot serve with; each line is shown to the operator."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(lines))


class ApiError(Exception):
    """A refused request: answered as ``{"error": message, **fields}`` with this status."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.fields = dict(fields or {})
        super().__init__(message)
