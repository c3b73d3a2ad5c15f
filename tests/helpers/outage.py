"""A vote endpoint that a test stops and starts again where its clients expect it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from .endpoint import EndpointProcess, launch_endpoint


class RestartableEndpoint:
    """A real endpoint process on a fixed port and database, for outages in the middle of a test."""

    def __init__(self, bundles: list[Path], db_path: Path, allow_origins: list[str], **options: Any):
        self.bundles, self.db_path, self.allow_origins, self.options = bundles, db_path, allow_origins, options
        self.process: EndpointProcess | None = launch_endpoint(bundles, db_path, allow_origins, **options)
        self.url = self.process.base_url
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def start(self) -> None:
        if self.process is None:
            self.process = launch_endpoint(
                self.bundles, self.db_path, self.allow_origins, port=self.port, **self.options
            )

    def tallies(self, comparison: str) -> dict[str, int]:
        return dict(httpx.get(f"{self.url}/v1/tallies/{comparison}", timeout=5).json()["tallies"])
