"""The OpenAPI 3.1 document, its schemas generated from the pydantic models clients rely on."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from verdict.i18n import SUPPORTED_LOCALES
from verdict.oembed import MAX_DIMENSION, frame_url

from .body import BODY_TIMEOUT, MAX_BODY_BYTES
from .catalog import Catalog
from .schemas import Closed, ErrorBody, Health, OEmbed, Superseded, Tallies, VoteIn, VoteResult, WithdrawIn

DESCRIPTION = """\
Stores readers' votes on Verdict comparisons and returns the community tallies.

Only comparisons and tools in the endpoint's bundles are accepted. A 200 to a
vote means it is committed to disk. Each reader votes through a random token
the widget keeps on their device: one vote per reader per device, with
stuffing made costly (rate limits per client address, origin allowlist), not
impossible. Tokens and addresses are stored only as keyed hashes.

Every refusal is a JSON body `{"error": "<reason>"}`. A client delivering a
vote again (after a network error, a timeout, a 5xx or a 429) sends the header
`Verdict-Retry: <attempt>`; votes are idempotent, so a retried vote never
counts twice.

A vote or withdrawal may carry `chosen_at`, when the reader made that choice
on their device (ms since the epoch). The endpoint keeps it with the voter's
choice, a withdrawal's included, and answers 409 to a change older than the
stored one, without applying it: a request delayed past a newer one never
overwrites it. The 409's body says where the vote stands.

A comparison whose bundle gives `closes_at` takes no votes or withdrawals
after that time: the answer is 403 with `{"error": "…closed at…", "closed_at":
"<ISO 8601 time, UTC>"}`, and the tallies stay readable as its final results.
"""


def _version() -> str:
    try:
        return version("verdict-endpoint")
    except PackageNotFoundError:
        return "0.0.0"


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _content(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(model)}}


def _error(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": _content(ErrorBody), **extra}


def _enumerate(schemas: dict[str, Any], catalog: Catalog) -> None:
    """Name the ids this endpoint accepts, so a request the document calls valid is one it accepts.

    Every body names a configured comparison; a vote's tool is one of that
    comparison's tools (one ``oneOf`` branch per comparison).
    """
    comparisons = sorted(catalog.comparisons)
    for name in ("VoteIn", "WithdrawIn"):
        schemas[name]["properties"]["comparison"]["enum"] = comparisons
    vote = schemas["VoteIn"]
    vote["properties"]["tool"]["enum"] = sorted({tool for tools in catalog.comparisons.values() for tool in tools})
    vote["oneOf"] = [
        {"properties": {"comparison": {"const": comparison}, "tool": {"enum": list(catalog.comparisons[comparison])}}}
        for comparison in comparisons
    ]


def _unavailable() -> dict[str, Any]:
    return _error(
        "The database is unavailable: nothing was saved; send it again later.",
        headers={"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
    )


def _oembed_path(catalog: Catalog | None, widget_url: str) -> dict[str, Any]:
    """GET /oembed; with a catalog, the frame URLs it answers for are enumerated."""
    url: dict[str, Any] = {"type": "string"}
    if catalog is not None:
        url["enum"] = [
            frame_url(widget_url, name, comparison.id)
            for name, index in sorted(catalog.bundles.items())
            for comparison in index.bundle.comparisons
        ]
    dimension = {"type": "integer", "minimum": 1, "maximum": MAX_DIMENSION}
    return {
        "get": {
            "operationId": "oembed",
            "summary": "oEmbed for a card's frame.html link",
            "description": f"For links {widget_url}frame.html?bundle=NAME&comparison=ID, NAME a bundle of this "
            "endpoint (its file name without .json); other frame.html parameters are kept.",
            "parameters": [
                {"name": "url", "in": "query", "required": True, "schema": url},
                {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "xml"]}},
                {"name": "maxwidth", "in": "query", "schema": dimension},
                {"name": "maxheight", "in": "query", "schema": dimension},
            ],
            "responses": {
                "200": {
                    "description": "The iframe, as a rich oEmbed (XML with format=xml).",
                    "content": {**_content(OEmbed), "text/xml": {"schema": {"type": "string"}}},
                },
                "400": _error(
                    "A format other than json or xml, or maxwidth or maxheight not a whole number of "
                    "pixels from 1 to 10000."
                ),
                "404": _error("The url is not a frame.html link of this widget, or names no bundle or comparison."),
            },
        }
    }


WRITE_HEADERS: list[dict[str, Any]] = [
    {
        "name": "Verdict-Retry",
        "in": "header",
        "description": "The attempt number of a vote delivered again (1 for the first retry); changes nothing "
        "in the answer, counted in the metrics and access log.",
        "schema": {"type": "integer", "minimum": 0, "maximum": 99999999},
    },
    {
        "name": "X-Forwarded-For",
        "in": "header",
        "description": "The client's address as a proxy saw it; believed only from a --trusted-proxy.",
        "schema": {"type": "string"},
    },
]


def openapi_document(catalog: Catalog | None = None, widget_url: str | None = None) -> dict[str, Any]:
    """The document; with a catalog, the comparison and tool ids it accepts are enumerated.

    With a widget URL the endpoint answers oEmbed, and the document says so.
    """
    _, definitions = models_json_schema(
        [
            (VoteIn, "validation"),
            (WithdrawIn, "validation"),
            (Tallies, "serialization"),
            (VoteResult, "serialization"),
            (Superseded, "serialization"),
            (ErrorBody, "serialization"),
            (Closed, "serialization"),
            (Health, "serialization"),
            (OEmbed, "serialization"),
        ],
        ref_template="#/components/schemas/{model}",
    )
    write_errors = {
        "400": _error("The body is not valid JSON, or Verdict-Retry is not a whole number."),
        "409": {
            "description": "Not applied: this voter's stored choice on the comparison has a later `chosen_at`. "
            "The body holds the current tallies, the vote as stored, and the reason.",
            "content": _content(Superseded),
        },
        "403": {
            "description": "The comparison is closed (its bundle's `closes_at` has passed): nothing was saved, "
            "and sending it again will not help. The body says when it closed.",
            "content": _content(Closed),
        },
        "408": _error(f"The body did not arrive within {BODY_TIMEOUT:g} s; the connection is closed."),
        "413": _error(f"The body is larger than {MAX_BODY_BYTES} bytes."),
        "415": _error("The Content-Type is not application/json."),
        "422": _error(
            "A field is missing or of the wrong type, the voter token is malformed, "
            "or the comparison or tool is not in the endpoint's bundles."
        ),
        "429": _error(
            "Too many votes from this client address or its network, or too many new voter tokens from it "
            "within an hour.",
            headers={"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
        ),
        "503": _unavailable(),
    }

    def write(operation_id: str, summary: str, body: type[BaseModel]) -> dict[str, Any]:
        return {
            "operationId": operation_id,
            "summary": summary,
            "parameters": WRITE_HEADERS,
            "requestBody": {"required": True, "content": _content(body)},
            "responses": {
                "200": {"description": "Committed; the tallies just after.", "content": _content(VoteResult)},
                **write_errors,
            },
        }

    paths = {
        "/v1/votes": {
            "post": write("castVote", "Cast or change a vote", VoteIn),
            "delete": write("withdrawVote", "Withdraw a vote", WithdrawIn),
        },
        "/v1/tallies/{comparison}": {
            "get": {
                "operationId": "getTallies",
                "summary": "The tallies of a comparison",
                "parameters": [{"name": "comparison", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "Current tallies; cacheable for 5 seconds.",
                        "headers": {"Cache-Control": {"schema": {"type": "string", "const": "public, max-age=5"}}},
                        "content": _content(Tallies),
                    },
                    "404": _error("The comparison is not in the endpoint's bundles."),
                    "503": _unavailable(),
                },
            }
        },
        "/v1/cards/{comparison}": {
            "get": {
                "operationId": "getLiveCard",
                "summary": "The live card of a reader who has not voted, as HTML (the widget shows it untouched)",
                "parameters": [
                    {"name": "comparison", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "key",
                        "in": "query",
                        "required": True,
                        "description": "The bundle and engine the widget was built with (its build gives it).",
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                    },
                    {
                        "name": "locale",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(SUPPORTED_LOCALES), "default": "en"},
                    },
                    {
                        "name": "level",
                        "in": "query",
                        "description": "The heading level of the card's title.",
                        "schema": {"type": "string", "enum": [str(n) for n in range(1, 7)], "default": "2"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The card's HTML with the current tallies; cacheable for 5 seconds.",
                        "headers": {"Cache-Control": {"schema": {"type": "string", "const": "public, max-age=5"}}},
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    "404": _error("The comparison is not in the bundle with that key."),
                    "409": _error("No bundle of this endpoint has that key: the widget renders the card itself."),
                    "422": _error("The key, locale or level is malformed."),
                    "503": _unavailable(),
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "health",
                "summary": "Liveness, including the database",
                "responses": {
                    "200": {
                        "description": "Serving: the database answers and takes writes.",
                        "content": _content(Health),
                    },
                    "503": _error("The database cannot be reached, or votes cannot be saved (a full disk, say)."),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1 document.", "content": {"application/json": {}}}},
            }
        },
    }
    if widget_url is not None:
        paths["/oembed"] = _oembed_path(catalog, widget_url)
    schemas = definitions.get("$defs", {})
    if catalog is not None:
        _enumerate(schemas, catalog)
        for path in ("/v1/tallies/{comparison}", "/v1/cards/{comparison}"):
            paths[path]["get"]["parameters"][0]["schema"]["enum"] = sorted(catalog.comparisons)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Verdict vote endpoint", "version": _version(), "description": DESCRIPTION},
        "paths": paths,
        "components": {"schemas": schemas},
    }
