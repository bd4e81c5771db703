"""Display helpers: interval text, region labels, plot inputs, power and scope tables."""

from __future__ import annotations

import math

import pytest

from dangjian_analysis import load_figures, load_regions, load_scopes
from dangjian_analysis.analysis.crosssection import (
    candidate_frame,
    coverage_candidates,
    cross_section,
)
from dangjian_analysis.analysis.derived import derived_frame, derived_ratios
from dangjian_analysis.analysis.formatting import format_interval, format_number
from dangjian_analysis.report.present import (
    capacity_plot_table,
    region_label,
    scatter_markers,
    scatter_table,
    scope_table,
    show_candidates,
    show_cross_section,
)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((0.7252, 0.7252, 0.7252, "ratio"), "72.52%"),
        ((127000 / 147000, 127000 / 147000, math.inf, "ratio"), "86.39% [86.39%, ∞)"),
        ((0.1147, 0.1087, 0.1215, "growth_rate"), "11.47% [10.87%, 12.15%]"),
        ((1.15e10, 1.15e10, 1.15e10, "yuan"), "115亿元"),
        ((10.0, 0.0, math.inf, "persons"), "10 [0, ∞)"),
        ((-0.5, -math.inf, 0.0, "growth_rate"), "-50% (-∞, 0%]"),
    ],
)
def test_format_interval(args, text) -> None:
    assert format_interval(*args) == text


def test_format_number_nan_is_empty() -> None:
    assert format_number(math.nan, "ratio") == ""


def test_region_label() -> None:
    regions = load_regions()
    assert region_label(regions, "tongcheng") == "通城县 Tongcheng County"
    assert region_label(regions, "nowhere") == "nowhere"


def test_scatter_table_and_markers() -> None:
    figures = load_figures()
    cross = cross_section(figures, load_scopes(), "output_growth")
    table = scatter_table(cross, load_regions())
    assert len(table) == len(cross)
    markers = scatter_markers(figures)
    assert set(table["marker_group"]) <= set(markers)
    assert list(markers.values()) == ["o", "s", "D", "^"]
    row = table[table["label"].str.startswith("通城县")].iloc[0]
    assert (row["x"], row["y"]) == (1.0, pytest.approx(0.154))
    shown = show_cross_section(cross)
    assert "15.4%" in set(shown["outcome"])


def test_capacity_plot_table_scales_money() -> None:
    derived = derived_frame(derived_ratios(load_figures(), load_scopes()))
    table = capacity_plot_table(derived, load_regions(), load_scopes())
    tax = table[table["metric"] == "tax per enterprise (万元)"]
    assert tax["value"].iloc[0] == pytest.approx(1.69e8 / 52 / 1e4)
    assert tax["note"].iloc[0] == "from tc-021;tc-002"
    assert not table.duplicated(["label", "metric"]).any()
    instructors = table[table["metric"] == "instructors per 1,000 enterprises"].set_index("label")
    assert "1 other value(s) in the table" in instructors.loc["通城县 Tongcheng County", "note"]
    members = table[table["metric"] == "party members per enterprise"]
    assert "tc-038" not in " ".join(members["note"])  # restructured firms are left out
    assert set(table["metric"]) <= {
        "instructors per 1,000 enterprises", "party members per organization",
        "party members per enterprise", "output per enterprise (亿元)", "tax per enterprise (万元)",
    }


def test_scope_table_and_candidates() -> None:
    scopes = load_scopes()
    table = scope_table(scopes, ["nonpublic_enterprises_above_scale", "park_enterprises"])
    above = table.set_index("scope").loc["nonpublic_enterprises_above_scale", "part of"]
    assert above.startswith("Non-public enterprises ⊂ Non-public economic organizations")
    assert table.set_index("scope").loc["park_enterprises", "part of"] == ""
    cands = candidate_frame(coverage_candidates(load_figures(), scopes))
    shown = show_candidates(cands)
    assert "72.52%" in set(shown["value"])
    assert list(shown.columns) == ["region_id", "definition", "scope", "value", "period", "inputs"]
