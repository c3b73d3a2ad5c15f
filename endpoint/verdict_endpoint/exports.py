"""Exports of a site's votes per comparison, tool and day, with running totals: CSV or JSON, streamed.

Rows come from the daily rollups a page at a time (keyset pagination) and
leave as they are formatted, so an export of any size holds one page in
memory. Nothing in them identifies a reader: no voter token, no address or
its hash — only counts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from .results import ReadableStore, is_postgres
from .rollups import export_query

PAGE_ROWS = 2000
COLUMNS = ("comparison", "tool", "day", "gained", "lost", "changed_in", "withdrawn", "total")
"""The export's columns, in order (see docs/publishers/results.md)."""


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


MEDIA_TYPES = {Format.CSV: "text/csv; charset=utf-8", Format.JSON: "application/json"}


async def export_rows(
    store: ReadableStore, namespace: str, comparisons: Sequence[str]
) -> AsyncIterator[tuple[str, str, str, int, int, int, int, int]]:
    """(comparison, tool, day, gained, lost, changed_in, withdrawn, total) per tool and day with votes, in order."""
    query = export_query(is_postgres(store))
    for comparison in comparisons:
        totals: dict[str, int] = {}
        after: tuple[int, str] = (-1, "")
        while True:
            rows = await store.read(query, [namespace + comparison, *after, PAGE_ROWS])
            for start, tool, gained, lost, changed_in, withdrawn in rows:
                totals[tool] = totals.get(tool, 0) + int(gained) - int(lost)
                day = datetime.fromtimestamp(int(start), UTC).strftime("%Y-%m-%d")
                yield comparison, tool, day, int(gained), int(lost), int(changed_in), int(withdrawn), totals[tool]
            if len(rows) < PAGE_ROWS:
                break
            after = (int(rows[-1][0]), rows[-1][1])


async def export_stream(
    store: ReadableStore, namespace: str, comparisons: Sequence[str], format: Format
) -> AsyncIterator[str]:
    """The export as text chunks: a CSV with a header line, or one JSON array of objects."""
    if format is Format.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        async for row in export_rows(store, namespace, comparisons):
            writer.writerow(row)
            if buffer.tell() > 16384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
        return
    yield "["
    first = True
    chunk: list[str] = []
    async for row in export_rows(store, namespace, comparisons):
        chunk.append(("" if first else ",") + json.dumps(dict(zip(COLUMNS, row, strict=True))))
        first = False
        if len(chunk) >= 200:
            yield "\n".join(chunk)
            chunk = []
    yield "\n".join(chunk) + "]\n"


def openapi_export_path(comparisons: Sequence[str]) -> dict[str, object]:
    """GET /v1/export in the OpenAPI document."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    return {
        "get": {
            "operationId": "exportVotes",
            "summary": "Votes per comparison, tool and day, with running totals (streamed)",
            "description": "Columns: " + ", ".join(COLUMNS) + ". No voter token or address hash is ever included.",
            "security": [{"adminKey": []}],
            "parameters": [
                {"name": "format", "in": "query", "schema": {"type": "string", "enum": [f.value for f in Format]}},
                {"name": "comparison", "in": "query", "schema": {"type": "string", "enum": sorted(comparisons)}},
            ],
            "responses": {
                "200": {
                    "description": "CSV with a header line, or a JSON array of objects with those keys.",
                    "content": {MEDIA_TYPES[Format.CSV]: {"schema": {"type": "string"}}, "application/json": {}},
                },
                "401": {"description": "No admin key of this site was given.", "content": error},
                "404": {"description": "The comparison is not one of this site's.", "content": error},
                "422": {"description": "format is neither csv nor json.", "content": error},
            },
        }
    }
