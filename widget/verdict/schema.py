"""The bundle's JSON Schema, generated from the models and published with the build."""

from __future__ import annotations

from typing import Any

from .models import Bundle


def bundle_schema() -> dict[str, Any]:
    schema = Bundle.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "Verdict bundle, format verdict/1",
    }
