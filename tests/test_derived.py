"""Derived indicators and cross-region tables on the bundled data: values, traces, flags."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dangjian_analysis import load_figures, load_scopes
from dangjian_analysis.crosssection import (
    TREND_WARNING,
    comparability_summary,
    coverage_candidates,
    cross_section,
    outcome_candidates,
    preferred_pairs,
    specification_range,
    within_region_change,
)
from dangjian_analysis.derived import (
    DERIVED_COLUMNS,
    PARTIAL_COUNTS,
    compound_growth_rates,
    derived_frame,
    derived_ratios,
    reported_growth_rates,
    scope_chain,
)


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return load_figures()


@pytest.fixture(scope="module")
def scopes() -> pd.DataFrame:
    return load_scopes()


def _one(frame: pd.DataFrame, region: str, measure: str, inputs: str) -> pd.Series:
    mask = (frame.region_id == region) & (frame.measure == measure) & (frame.inputs == inputs)
    rows = frame[mask]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_scope_chain(scopes) -> None:
    assert scope_chain(scopes, "nonpublic_enterprises_above_scale") == [
        "nonpublic_enterprises_above_scale",
        "nonpublic_enterprises",
        "nonpublic_economic_orgs",
        "two_new_orgs",
    ]
    with pytest.raises(ValueError, match="unknown scope"):
        scope_chain(scopes, "nowhere")


def test_jiangsu_coverage_is_a_bound_with_traced_inputs(figures, scopes) -> None:
    frame = derived_frame(derived_ratios(figures, scopes))
    row = _one(frame, "jiangsu_parks", "enterprise_coverage", "js-008;js-030")
    assert row.value == pytest.approx(127000 / 147000)
    assert row.lower == pytest.approx(127000 / 147000)
    assert row.upper == math.inf and not row.exact
    assert "periods differ: 2015-10-26 / 2014-12-31" in row["flags"]
    stepped = derived_frame(derived_ratios(figures, scopes, open_bounds="printed_step"))
    row = _one(stepped, "jiangsu_parks", "enterprise_coverage", "js-008;js-030")
    assert row.upper == pytest.approx(128000 / 147000)
    assert "assumption" in row["assumptions"]


def test_tongcheng_ratios_keep_both_contradicting_counts(figures, scopes) -> None:
    frame = derived_frame(derived_ratios(figures, scopes))
    a = _one(frame, "tongcheng", "orgs_per_enterprise", "tc-008;tc-001")
    b = _one(frame, "tongcheng", "orgs_per_enterprise", "tc-034;tc-001")
    assert a.value == pytest.approx(73 / 927) and b.value == pytest.approx(52 / 927)
    assert "conflicting inputs: tc-008 vs tc-034" in a["flags"]
    assert "not a coverage rate" in a["flags"]
    tax = _one(frame, "tongcheng", "tax_to_output", "tc-021;tc-020")
    assert tax.value == pytest.approx(1.69 / 115) and tax.exact
    per = _one(frame, "tongcheng", "instructors_per_1000_enterprises", "tc-014;tc-001")
    assert per.value == pytest.approx(42 / 927 * 1000)
    assert "periods differ: 2010 / 2013–2014" in per["flags"]


def test_same_scope_by_default_nested_on_request(figures, scopes) -> None:
    plain = derived_frame(derived_ratios(figures, scopes))
    assert not plain.scope.str.contains(" / ").any()
    nested = derived_frame(derived_ratios(figures, scopes, allow_nested_scopes=True))
    row = _one(nested, "tongcheng", "members_per_org", "tc-006;tc-008")
    assert row.value == pytest.approx(1208 / 73)
    assert "scopes differ: nonpublic_economic_orgs / nonpublic_enterprises" in row["flags"]


def test_partial_counts_are_left_out_by_default(figures, scopes) -> None:
    assert set(PARTIAL_COUNTS) <= set(figures.figure_id)
    frame = derived_frame(derived_ratios(figures, scopes))
    assert not frame.inputs.str.contains("ph-009").any()
    kept = derived_frame(derived_ratios(figures, scopes, exclude=()))
    assert kept.inputs.str.contains("ph-009").any()
    pinghu = _one(frame, "pinghu", "orgs_per_enterprise", "ph-010;ph-007")
    assert "cumulative count: ph-010 (先后)" in pinghu["flags"]


def test_growth_rates(figures) -> None:
    reported = derived_frame(reported_growth_rates(figures))
    row = _one(reported, "tongcheng", "tax_revenue_growth_1y", "tc-023")
    assert row.value == pytest.approx(0.53) and row.span_years == "1"
    cagr = derived_frame(compound_growth_rates(figures))
    row = _one(cagr, "pinghu", "industrial_output_value_cagr", "ph-003;ph-004")
    ratio = 2433.92 / 309.13
    assert row.value == pytest.approx(ratio ** (1 / 19) - 1)
    assert (row.lower, row.upper) == pytest.approx((ratio ** (1 / 20) - 1, ratio ** (1 / 18) - 1))
    assert row.span_years == "18–20"
    orgs = _one(cagr, "pinghu", "party_orgs_cagr", "ph-001;ph-002")
    assert orgs.lower == -1.0  # 70余 is open above: the start could be any larger number


def test_derived_frame_columns_and_dtypes() -> None:
    frame = derived_frame([])
    assert tuple(frame.columns) == DERIVED_COLUMNS
    assert frame["value"].dtype == "float64"


def test_coverage_candidates_leave_out_non_enterprise_scopes(figures, scopes) -> None:
    cands = coverage_candidates(figures, scopes)
    ids = {c.inputs for c in cands}
    assert ("yc-015",) in ids and ("tc-009",) in ids and ("js-009",) in ids
    assert ("yc-016",) not in ids  # social organizations
    assert ("ls-006",) not in ids  # clusters
    with pytest.raises(ValueError, match="outcome must be one of"):
        outcome_candidates(figures, scopes, "happiness")


def test_cross_section_output_growth(figures, scopes) -> None:
    table = cross_section(figures, scopes, "output_growth")
    assert sorted(table.region_id.unique()) == ["pinghu", "tongcheng", "yongchuan"]
    # The national context has coverage figures but no outcome: listed, never paired.
    assert table.attrs["missing"] == {
        "china": "no output_growth measure",
        "jiangsu_parks": "no output_growth measure",
    }
    first = preferred_pairs(table).set_index("region_id")
    assert first.loc["tongcheng", "inputs"] == "tc-009;tc-022"
    assert first.loc["yongchuan", "inputs"] == "yc-015;yc-022"
    assert "coverage scope: nonpublic_enterprises_above_scale" in first.loc["tongcheng", "flags"]
    assert "growth span (years): 18–20" in first.loc["pinghu", "flags"]
    summary = comparability_summary(table).set_index("dimension")
    assert bool(summary.loc["growth span (years)", "differs"])


def test_specification_range_covers_every_combination(figures, scopes) -> None:
    table = cross_section(figures, scopes, "output_growth")
    specs = specification_range(table)
    assert len(specs) == table.groupby("region_id").size().prod()
    assert (specs.n == 3).all()
    assert specs.min_p_value.min() == pytest.approx(1 / 3)
    assert sorted(specs.statistic.round(3).unique()) == [0.5, 0.866]
    assert (specs.p_value >= 2 / 3).all()
    tax = specification_range(cross_section(figures, scopes, "tax_growth"))
    assert tax.note.str.contains("at least 3 observations").all()


def test_within_region_change_and_warning(figures) -> None:
    frame = within_region_change(figures, "pinghu", ["party_orgs", "industrial_output_value"])
    assert list(frame.measure) == ["industrial_output_value_cagr", "party_orgs_cagr"]
    assert "say nothing about each other" in TREND_WARNING
    with pytest.raises(ValueError, match="no series"):
        within_region_change(figures, "lishui", ["output_value"])
