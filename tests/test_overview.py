from __future__ import annotations

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
