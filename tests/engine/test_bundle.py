"""Validating bundles: every bad field is named by its path."""

from __future__ import annotations

import json

import pytest

from verdict.bundle import BundleError, BundleIndex, load_bundle
from verdict.schema import bundle_schema

from ..conftest import HEYGEN, MISTRAL, SEED


def problems(data) -> dict[str, str]:
    with pytest.raises(BundleError) as caught:
        load_bundle(data)
    return {p.path: p.message for p in caught.value.problems}


def test_demo_bundle_is_valid(bundle_data):
    bundle = load_bundle(json.dumps(bundle_data))
    index = BundleIndex(bundle)
    assert index.comparison(None).id == SEED
    assert [index.tools[t].name for t in index.comparison(SEED).tools] == [
        "HeyGen Interactive Avatar SDK v3",
        "Mistral 4B Edge",
    ]


def test_missing_and_mistyped_fields_are_named(bundle_data):
    del bundle_data["tools"][1]["tagline"]
    bundle_data["tools"][0]["entry"] = "cheap"
    found = problems(bundle_data)
    assert "tools[1].tagline" in found
    assert "tools[0].entry" in found


def test_verdict_on_unknown_tool_names_the_path(bundle_data):
    verdicts = bundle_data["comparisons"][0]["scorecard"][3]["verdicts"]
    verdicts["gemma-3-4b"] = verdicts.pop(MISTRAL)
    found = problems(bundle_data)
    assert "comparisons[0].scorecard[3].verdicts.gemma-3-4b" in found
    assert "missing the verdict on 'mistral-4b-edge'" in found["comparisons[0].scorecard[3].verdicts"]


def test_unknown_reviewer_and_tool_references(bundle_data):
    bundle_data["comparisons"][0]["scorecard"][1]["reviewer"] = "nobody"
    bundle_data["comparisons"][0]["tools"][0] = "ghost-tool"
    found = problems(bundle_data)
    assert found["comparisons[0].scorecard[1].reviewer"] == "unknown reviewer 'nobody'"
    assert found["comparisons[0].tools[0]"] == "unknown tool 'ghost-tool'"


def test_ids_must_be_slugs(bundle_data):
    bundle_data["reviewers"][0]["id"] = "Priya Raman"
    assert "String should match pattern" in problems(bundle_data)["reviewers[0].id"]


def test_ids_must_be_unique(bundle_data):
    bundle_data["tools"][1]["id"] = HEYGEN
    assert problems(bundle_data)["tools[1].id"] == f"duplicate id {HEYGEN!r}"


def test_unsafe_urls_are_rejected(bundle_data):
    bundle_data["tools"][0]["url"] = "javascript:alert(1)"
    bundle_data["site"]["cta"]["url"] = "data:text/html,hi"
    found = problems(bundle_data)
    assert "tools[0].url" in found and "site.cta.url" in found


def test_unknown_fields_and_wrong_format_are_errors(bundle_data):
    bundle_data["format"] = "verdict/2"
    bundle_data["tools"][0]["price"] = "9 USD"
    found = problems(bundle_data)
    assert "format" in found and "tools[0].price" in found


def test_not_json_is_a_clear_error():
    assert "not valid JSON" in problems("{not json")[""]


def test_comparison_tool_count_is_bounded(bundle_data):
    bundle_data["comparisons"][0]["tools"] = [HEYGEN]
    assert "comparisons[0].tools" in problems(bundle_data)


def test_unknown_comparison_lists_the_known_ones(bundle_data):
    index = BundleIndex(load_bundle(bundle_data))
    with pytest.raises(BundleError, match=SEED):
        index.comparison("nope")


def test_schema_describes_the_format():
    schema = bundle_schema()
    assert schema["properties"]["format"]["const"] == "verdict/1"
    assert {"tools", "reviewers", "comparisons", "site"} <= set(schema["required"])
