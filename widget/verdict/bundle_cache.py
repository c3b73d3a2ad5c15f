"""Bundles as the worker-side engine gets them: fetched and validated once per URL, however many
cards use one, with the reason a fetch failed told apart (no CORS header, or no answer)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from .bundle import BundleError, BundleIndex, Problem, check_bundle
from .transport import PROBE_TIMEOUT, Http


class BundleUnreachable(BundleError):
    """The bundle could not be fetched (network, CORS, HTTP status): not invalid, not checked."""


class BundleCache:
    def __init__(self, http: Http, log: Callable[[str, str], None]):
        self._http = http
        self._log = log
        self._bundles: dict[str, asyncio.Task[BundleIndex]] = {}

    def bundle(self, url: str) -> asyncio.Task[BundleIndex]:
        """One fetch and one validation per bundle URL, however many cards use it."""
        if url not in self._bundles:
            self._bundles[url] = asyncio.ensure_future(self._load(url))
        return self._bundles[url]

    async def _load(self, url: str) -> BundleIndex:
        try:
            status, body, _ = await self._http("GET", url)
        except OSError as error:
            raise BundleUnreachable([Problem("", await self._unreachable(url, error))]) from None
        if status != 200:
            raise BundleUnreachable([Problem("", f"could not fetch the bundle (HTTP {status})")])
        checked = check_bundle(body)
        if checked.bundle is None:
            raise BundleError(checked.errors)
        if checked.warnings:  # the card renders; the publisher hears what shows literally
            lines = "\n".join(f"  {w}" for w in checked.warnings)
            self._log("warn", f"Verdict: bundle {url} has warnings:\n{lines}")
        return BundleIndex(checked.bundle)

    async def _unreachable(self, url: str, error: OSError) -> str:
        """Why the bundle could not be fetched: a host that answers a no-cors request but sends no CORS
        header (the usual slip of a bundle on the publisher's own site), or no answer at all."""
        try:
            await asyncio.wait_for(self._http("GET", url, mode="no-cors"), PROBE_TIMEOUT)
        except (TimeoutError, OSError):
            return f"could not fetch the bundle: its host cannot be reached, or the URL is wrong ({error})"
        return (
            "could not fetch the bundle: its host sends no Access-Control-Allow-Origin header, so the browser "
            "keeps it from this page (CORS); make it send `Access-Control-Allow-Origin: *` with the bundle "
            "(see docs/bundles/hosting.md in Verdict's repository)"
        )
