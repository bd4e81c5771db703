from __future__ import annotations

import pandas as pd
import pytest

from dangjian_analysis import load_figures, load_indicators, load_sources
from dangjian_analysis.analysis.overview import (
    TOPICS,
    figures_by_topic,
    qualifier_counts,
    sources_overview,
)


def test_figures_by_topic(mini_package):
    fig, ind = load_figures(mini_package), load_indicators(mini_package)
    table = figures_by_topic(fig, ind)
    assert list(table.columns) == [*TOPICS, "total"]
    row = table.loc["tongcheng"]
    # tc-005 is about a single enterprise and is left out by default.
    assert row.to_dict() == {
        "enterprises": 1,
        "party organizations": 1,
        "party members": 1,
        "party-work capacity": 0,
        "economic performance": 1,
        "total": 4,
    }
    assert figures_by_topic(fig, ind, region_wide_only=False).loc["tongcheng", "total"] == 5


def test_sources_overview(mini_package):
    table = sources_overview(load_sources(mini_package), load_figures(mini_package))
    assert table.loc["src_tongcheng", "figures"] == 5
    assert table.loc["src_tongcheng", "regions"] == "tongcheng"
    assert table.loc["src_tongcheng", "published_latest"] == "2014-12-31"
    assert table.loc["src_lishui", "figures"] == 0
    assert list(table.index) == sorted(table.index)


def test_qualifier_counts(mini_package):
    table = qualifier_counts(load_figures(mini_package))
    assert table["figures"].to_dict() == {
        "exact": 3,
        "more than": 1,
        "at least": 0,
        "nearly": 1,
        "less than": 0,
        "about": 0,
    }
    assert table.loc["nearly", "open bound"] == "lower"
    assert table.loc["less than", "open bound"] == "lower"


def test_code_constants_match_the_schema_enums():
    # TOPICS and QUALIFIERS fix display order in code; the schema owns the allowed values.
    from dangjian_analysis import read_datapackage
    from dangjian_analysis.text.quantity import QUALIFIERS

    package = read_datapackage()

    def enum(resource, field):
        (fld,) = [f for f in package.fields(resource) if f["name"] == field]
        return tuple(fld["constraints"]["enum"])

    assert enum("indicators", "topic") == TOPICS
    assert enum("figures", "qualifier") == QUALIFIERS


def _linked_rows(**changes):
    """Two figures of one source linked by see_also (73 and 52), with ``changes`` to the
    second."""
    base = {
        "source_id": "src_a", "region_id": "r1", "entity": None, "indicator": "party_orgs",
        "scope": "all", "period_earliest": pd.Timestamp("2013-01-01"),
        "period_latest": pd.Timestamp("2014-12-31"), "unit_kind": "count",
    }  # fmt: skip
    first = {**base, "figure_id": "a-1", "value": 73.0, "lower": 73.0, "upper": 73.0,
             "see_also": "a-2"}  # fmt: skip
    second = {**base, "figure_id": "a-2", "value": 52.0, "lower": 52.0, "upper": 52.0,
              "see_also": None, **changes}  # fmt: skip
    return pd.DataFrame([first, second])


def test_linked_disagreements_pairs_linked_figures_that_differ():
    from dangjian_analysis import linked_disagreements

    pairs = linked_disagreements(_linked_rows())
    assert pairs[["first", "second", "first_value", "second_value"]].values.tolist() == [
        ["a-1", "a-2", 73.0, 52.0]
    ]
    assert list(pairs.columns) == [
        "source_id", "region_id", "indicator", "scope", "first", "second", "first_value",
        "second_value", "unit_kind",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "changes",
    [
        {"value": 73.0, "lower": 73.0, "upper": 73.0},  # the same number twice
        {"source_id": "src_b"},  # two sources disagreeing: not a self-contradiction
        {"scope": "other"},
        {"entity": "某公司"},
        {
            "period_earliest": pd.Timestamp("2015-01-01"),
            "period_latest": pd.Timestamp("2015-12-31"),
        },
    ],
    ids=["same value", "other source", "other scope", "other entity", "later period"],
)
def test_linked_disagreements_leaves_out_what_is_not_one_source_disagreeing(changes):
    from dangjian_analysis import linked_disagreements

    assert linked_disagreements(_linked_rows(**changes)).empty


def test_linked_disagreements_needs_a_link_and_keeps_what_is_asked_for():
    from dangjian_analysis import linked_disagreements

    unlinked = _linked_rows()
    unlinked["see_also"] = None
    assert linked_disagreements(unlinked).empty
    rows = _linked_rows()
    assert len(linked_disagreements(rows, region_id="r1", indicators=["party_orgs"])) == 1
    assert linked_disagreements(rows, region_id="r2").empty
    assert linked_disagreements(rows, indicators=["party_members"]).empty
    assert linked_disagreements(rows, scope="other").empty
    assert list(linked_disagreements(rows.iloc[0:0]).columns)[:2] == ["source_id", "region_id"]


def test_the_settings_name_tongchengs_contradiction(figures, settings):
    from dangjian_analysis import linked_disagreements

    case = settings.example("self_contradiction")
    pairs = linked_disagreements(
        figures, region_id=case.region_id, indicators=case.measures, scope=case.scope
    )
    assert pairs[["first", "second", "first_value", "second_value"]].values.tolist() == [
        ["tc-008", "tc-034", 73.0, 52.0]
    ]


def test_linked_disagreements_compares_bounds_and_counts_missing_values_as_equal():
    from dangjian_analysis import linked_disagreements

    nan = float("nan")
    # "70余" (at least 70, no upper bound) against "70": a pair.
    open_upper = _linked_rows(value=73.0, lower=73.0, upper=nan)
    assert len(linked_disagreements(open_upper)) == 1
    # Two figures without a value (missing on both sides): no disagreement.
    both_missing = _linked_rows()
    both_missing[["value", "lower", "upper"]] = nan
    assert linked_disagreements(both_missing).empty
