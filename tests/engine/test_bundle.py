"""Validating bundles: every mistake named once, by its path, in the publisher's words."""

from __future__ import annotations

import json

import pytest

from verdict.bundle import BundleError, BundleIndex, check_bundle, load_bundle
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
    assert found == {
        "comparisons[0].scorecard[3].verdicts.gemma-3-4b": "'gemma-3-4b' is not a tool of this comparison "
        "(did you mean 'mistral-4b-edge', which has no verdict?)"
    }


def test_unknown_reviewer_and_tool_references(bundle_data):
    bundle_data["comparisons"][0]["scorecard"][1]["reviewer"] = "nobody"
    bundle_data["comparisons"][0]["tools"][0] = "ghost-tool"
    found = problems(bundle_data)
    assert found == {
        "comparisons[0].scorecard[1].reviewer": "no reviewer has the id 'nobody'",
        "comparisons[0].tools[0]": "no tool has the id 'ghost-tool'",
    }


def test_a_mistyped_tool_id_is_one_problem_however_many_verdicts_use_it(bundle_data):
    bundle_data["comparisons"][0]["tools"][1] = "mistral-4b-edg"
    assert problems(bundle_data) == {
        "comparisons[0].tools[1]": "no tool has the id 'mistral-4b-edg' (did you mean 'mistral-4b-edge'?)"
    }


def test_ids_must_be_slugs(bundle_data):
    bundle_data["reviewers"][0]["id"] = "Priya Raman"
    assert problems(bundle_data)["reviewers[0].id"] == (
        "must be a slug: lowercase letters, digits and single hyphens, for example 'priya-raman'"
    )


def test_ids_must_be_unique(bundle_data):
    bundle_data["tools"][1]["id"] = HEYGEN
    assert problems(bundle_data) == {
        "tools[1].id": f"the id {HEYGEN!r} is already used; ids must be unique",
        "comparisons[0].tools[1]": f"no tool has the id {MISTRAL!r}",
    }


def test_unsafe_urls_are_rejected(bundle_data):
    bundle_data["tools"][0]["url"] = "javascript:alert(1)"
    bundle_data["site"]["cta"]["url"] = "data:text/html,hi"
    found = problems(bundle_data)
    assert "tools[0].url" in found and "site.cta.url" in found


def test_unknown_fields_and_wrong_format_are_errors(bundle_data):
    bundle_data["format"] = "verdict/2"
    bundle_data["tools"][0]["price"] = "9 USD"
    found = problems(bundle_data)
    assert found["format"] == "must be 'verdict/1'"
    assert found["tools[0].price"] == "is not a field of this part of the bundle (did you mean 'pricing'?)"


def test_not_json_is_a_clear_error():
    assert "not valid JSON" in problems("{not json")[""]


def json_error(text: str) -> str:
    return str(check_bundle(text).errors[0])


def test_json_syntax_errors_point_at_the_line_to_fix():
    missing_comma = '{\n  "format": "verdict/1"\n  "site": {}\n}'
    assert json_error(missing_comma) == "line 2, column 24: not valid JSON: a comma is missing after this value"
    trailing_comma = '{\n  "tools": [\n    "a",\n  ],\n  "site": {}\n}'
    assert json_error(trailing_comma) == (
        "line 3, column 8: not valid JSON: a comma stands before a closing bracket: JSON allows no trailing comma"
    )
    assert json_error("{'format': 1}") == (
        "line 1, column 2: not valid JSON: text and field names take double quotes, not single ones"
    )
    assert json_error('{"a": "one\ntwo"}').startswith("line 1, column 11: not valid JSON: a line break")


def test_a_schema_key_for_editors_is_accepted(bundle_data):
    bundle_data = {"$schema": "https://widget.example.com/verdict/schema/bundle-v1.json", **bundle_data}
    assert load_bundle(bundle_data).comparisons[0].id == SEED
    assert "$schema" in bundle_schema()["properties"]


def test_schema_errors_do_not_hide_reference_errors(bundle_data):
    bundle_data["tools"][0]["entry"] = "cheap"
    bundle_data["comparisons"][0]["scorecard"][1]["reviewer"] = "nobody"
    found = problems(bundle_data)
    assert found == {
        "tools[0].entry": "must be one of: paid, free",
        "comparisons[0].scorecard[1].reviewer": "no reviewer has the id 'nobody'",
    }


def test_rich_text_the_subset_would_show_literally_is_a_warning(bundle_data):
    verdicts = bundle_data["comparisons"][0]["scorecard"][0]["verdicts"]
    verdicts[HEYGEN]["text"] = "See [the docs](javascript:alert(1)) and ***both***."
    verdicts[MISTRAL]["text"] = "An **unclosed marker."
    checked = check_bundle(bundle_data)
    assert checked.bundle is not None and checked.errors == []
    at = "comparisons[0].scorecard[0].verdicts"
    assert [(w.path, w.message.split(":")[0]) for w in checked.warnings] == [
        (f"{at}.{HEYGEN}.text", "the link 'the docs' goes to javascript"),
        (f"{at}.{HEYGEN}.text", "***both*** is not supported"),
        (f"{at}.{MISTRAL}.text", "an unclosed or stray * shows as an asterisk"),
    ]


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
