"""Derived figures: panel ship %, reviewer split, community %, headline verdict."""

from __future__ import annotations

import pytest

from verdict.bundle import BundleIndex, load_bundle
from verdict.figures import MIN_VOTES_TO_BREAK_TIE, HeadlineKind, derive, largest_remainder

from ..conftest import HEYGEN, MISTRAL, SEED


def figures(data, tallies=None):
    index = BundleIndex(load_bundle(data))
    return derive(index, index.comparison(SEED), tallies)


def by_tool(result):
    return {t.tool.id: t for t in result.tools}


def test_seed_panel_is_75_percent_3_of_4_for_both(bundle_data):
    tools = by_tool(figures(bundle_data))
    for tool_id in (HEYGEN, MISTRAL):
        assert tools[tool_id].panel.label == "75%"
        assert tools[tool_id].panel.detail == "3 of 4"


def test_seed_split_is_3_ship_1_skip_with_the_same_dissenter(bundle_data):
    tools = by_tool(figures(bundle_data))
    assert tools[HEYGEN].split.label == "3 ship · 1 skip"
    assert [r.name for r in tools[HEYGEN].split.dissenters] == ["Daniel Brandt"]
    assert tools[MISTRAL].split.dissenters == tools[HEYGEN].split.dissenters


def test_community_is_a_dash_before_any_vote(bundle_data):
    result = figures(bundle_data)
    assert [t.community.label for t in result.tools] == ["—", "—"]
    assert result.total_votes == 0


def test_community_percentages_add_up_to_100(bundle_data):
    tools = by_tool(figures(bundle_data, {HEYGEN: 1, MISTRAL: 2}))
    assert (tools[HEYGEN].community.label, tools[MISTRAL].community.label) == ("33%", "67%")
    assert largest_remainder({"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}


def test_one_vote_is_100_and_0_not_a_dash(bundle_data):
    tools = by_tool(figures(bundle_data, {MISTRAL: 1}))
    assert tools[HEYGEN].community.label == "0%"
    assert tools[MISTRAL].community.label == "100%"


def test_votes_for_unknown_tools_are_ignored(bundle_data):
    assert figures(bundle_data, {"other": 5}).total_votes == 0


def test_seed_headline_is_a_tie_noting_the_free_option(bundle_data):
    headline = figures(bundle_data).headline
    assert headline.kind is HeadlineKind.TIE
    assert "75%" in headline.text and "Mistral 4B Edge is the free way in" in headline.text


def test_readers_break_a_panel_tie_only_with_enough_votes(bundle_data):
    few = figures(bundle_data, {HEYGEN: MIN_VOTES_TO_BREAK_TIE - 2, MISTRAL: 1}).headline
    assert few.kind is HeadlineKind.TIE
    many = figures(bundle_data, {HEYGEN: MIN_VOTES_TO_BREAK_TIE, MISTRAL: 2}).headline
    assert many.kind is HeadlineKind.READERS_BREAK_TIE
    assert [t.id for t in many.tools] == [HEYGEN]


def test_a_clear_panel_lead_is_the_pick(bundle_data):
    bundle_data["comparisons"][0]["scorecard"][0]["verdicts"][MISTRAL]["call"] = "skip"
    result = figures(bundle_data, {MISTRAL: 50})
    assert by_tool(result)[MISTRAL].panel.detail == "2 of 4"
    assert result.headline.kind is HeadlineKind.PANEL_PICK
    assert result.headline.text.startswith("Ship HeyGen Interactive Avatar SDK v3")


@pytest.mark.parametrize("ships", [0, 1])
def test_below_half_the_panel_ships_neither(bundle_data, ships):
    for r, review in enumerate(bundle_data["comparisons"][0]["scorecard"]):
        for verdict in review["verdicts"].values():
            verdict["call"] = "ship" if r < ships else "skip"
    result = figures(bundle_data)
    assert result.headline.kind is HeadlineKind.NEITHER
    assert by_tool(result)[HEYGEN].panel.label == f"{25 * ships}%"


def test_even_split_has_no_dissenters(bundle_data):
    bundle_data["comparisons"][0]["scorecard"][0]["verdicts"][HEYGEN]["call"] = "skip"
    split = by_tool(figures(bundle_data))[HEYGEN].split
    assert split.label == "2 ship · 2 skip" and split.dissenters == ()
