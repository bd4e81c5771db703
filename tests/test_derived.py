"""Derived indicators and cross-region tables on the bundled data: values, traces, flags."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dangjian_analysis.analysis.crosssection import (
    TREND_WARNING,
    comparability_summary,
    coverage_candidates,
    cross_section,
    outcome_candidates,
    preferred_pairs,
    specification_range,
    within_region_change,
)
from dangjian_analysis.analysis.derived import (
    DERIVED_COLUMNS,
    compound_growth_rates,
    derived_frame,
    derived_ratios,
    implied_denominators,
    reported_growth_rates,
    scope_chain,
)
from dangjian_analysis.package.settings import read_analysis_settings


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


def test_jiangsu_coverage_is_a_bound_with_traced_inputs(figures, scopes, settings) -> None:
    # Covered park enterprises (any ownership) over non-public park firms: nested scopes.
    same_scope = derived_frame(derived_ratios(figures, scopes, settings=settings))
    assert not same_scope.inputs.eq("js-008;js-030").any()
    frame = derived_frame(
        derived_ratios(figures, scopes, allow_nested_scopes=True, settings=settings)
    )
    row = _one(frame, "jiangsu_parks", "enterprise_coverage", "js-008;js-030")
    assert row.value == pytest.approx(127000 / 147000)
    assert row.lower == pytest.approx(127000 / 147000)
    # 127,000余 covered park enterprises of any ownership over non-public park firms: the
    # numerator's scope is broader than the denominator's, so no cap at 100% applies.
    assert row.upper == math.inf and not row.exact
    assert "periods differ: 2015-10-26 / 2014-12-31" in row["flags"]
    assert "scopes differ: park_enterprises / park_nonpublic_enterprises" in row["flags"]
    stepped = derived_frame(
        derived_ratios(
            figures, scopes, open_bounds="printed_step", allow_nested_scopes=True,
            settings=settings,
        )
    )
    row = _one(stepped, "jiangsu_parks", "enterprise_coverage", "js-008;js-030")
    assert row.upper == pytest.approx(128000 / 147000)
    assert "assumption" in row["assumptions"]


@pytest.mark.parametrize("open_bounds", ["strict", "printed_step"])
def test_no_share_of_enterprises_above_100_percent(figures, scopes, open_bounds, settings) -> None:
    frame = derived_frame(
        derived_ratios(figures, scopes, open_bounds=open_bounds, settings=settings)
    )
    shares = frame[frame.measure == "enterprise_coverage"]
    assert not shares.empty
    assert (shares.upper <= 1.0).all() and (shares.lower <= shares.value).all()
    cover = coverage_candidates(figures, scopes, open_bounds=open_bounds, settings=settings)
    assert all(c.interval.upper <= 1.0 for c in cover if c.measure == "enterprise_coverage")


def test_share_cap_on_a_bound_that_would_pass_100_percent(figures, scopes, settings) -> None:
    changed = figures.copy()
    row = changed["figure_id"] == "js-008"
    # A count of covered firms within the denominator's own scope: a share of it.
    changed.loc[row, "scope"] = "park_nonpublic_enterprises"
    changed.loc[row, ["value", "lower", "raw"]] = [146000.0, 146000.0, "14.6万余"]
    frame = derived_frame(derived_ratios(changed, scopes, settings=settings))
    share = _one(frame, "jiangsu_parks", "enterprise_coverage", "js-008;js-030")
    assert share.value == pytest.approx(146000 / 147000)
    assert share.upper == 1.0  # "more than 146,000" of 147,000: between 99.3% and 100%
    # A count above its population stays visible: the cap never hides a point above 1.
    changed.loc[row, ["value", "lower", "upper", "raw"]] = [150000.0, 150000.0, 150000.0, "15万"]
    frame = derived_frame(derived_ratios(changed, scopes, settings=settings))
    share = _one(frame, "jiangsu_parks", "enterprise_coverage", "js-008;js-030")
    assert share.value == share.upper == pytest.approx(150000 / 147000)


def test_tongcheng_ratios_keep_both_contradicting_counts(figures, scopes, settings) -> None:
    frame = derived_frame(derived_ratios(figures, scopes, settings=settings))
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


def test_same_scope_by_default_nested_on_request(figures, scopes, settings) -> None:
    plain = derived_frame(derived_ratios(figures, scopes, settings=settings))
    assert not plain.scope.str.contains(" / ").any()
    nested = derived_frame(
        derived_ratios(figures, scopes, allow_nested_scopes=True, settings=settings)
    )
    row = _one(nested, "tongcheng", "members_per_org", "tc-006;tc-008")
    assert row.value == pytest.approx(1208 / 73)
    assert "scopes differ: nonpublic_economic_orgs / nonpublic_enterprises" in row["flags"]


def test_partial_counts_are_left_out_by_default(figures, scopes, settings) -> None:
    partial = read_analysis_settings().partial_counts
    assert set(partial) <= set(figures.figure_id)
    frame = derived_frame(derived_ratios(figures, scopes, settings=settings))
    assert not frame.inputs.str.contains("ph-009").any()
    kept = derived_frame(derived_ratios(figures, scopes, exclude=(), settings=settings))
    assert kept.inputs.str.contains("ph-009").any()
    pinghu = _one(frame, "pinghu", "orgs_per_enterprise", "ph-010;ph-007")
    assert "cumulative count: ph-010 (先后)" in pinghu["flags"]


def test_growth_rates(figures, settings) -> None:
    reported = derived_frame(reported_growth_rates(figures, settings=settings))
    row = _one(reported, "tongcheng", "tax_revenue_growth_1y", "tc-023")
    assert row.value == pytest.approx(0.53) and row.span_years == "1"
    cagr = derived_frame(compound_growth_rates(figures, settings=settings))
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


def test_coverage_candidates_leave_out_non_enterprise_scopes(figures, scopes, settings) -> None:
    cands = coverage_candidates(figures, scopes, settings=settings)
    ids = {c.inputs for c in cands}
    assert ("yc-015",) in ids and ("tc-009",) in ids and ("js-009",) in ids
    assert ("yc-016",) not in ids  # social organizations
    assert ("ls-006",) not in ids  # clusters
    with pytest.raises(ValueError, match="outcome must be one of"):
        outcome_candidates(figures, scopes, "happiness", settings=settings)


def test_cross_section_output_growth(figures, scopes, settings) -> None:
    table = cross_section(figures, scopes, "output_growth", settings=settings)
    assert sorted(table.region_id.unique()) == ["lintao_park", "pinghu", "tongcheng", "yongchuan"]
    # Province benchmarks have growth figures but no coverage measure; most regions added
    # from web pages have coverage but no growth.
    # Province benchmarks (growth figures, no coverage) are left out altogether.
    assert not {"chongqing", "hubei", "zhejiang"} & set(table.attrs["missing"])
    assert table.attrs["missing"]["jiangsu_parks"] == "no output_growth measure"
    assert table.attrs["missing"]["luquan"] == "no output_growth measure"
    assert len(table.attrs["missing"]) == 20
    # The national context is left out unless asked for; it has no outcome measure.
    wider = cross_section(
        figures, scopes, "output_growth", include_national=True, settings=settings
    )
    assert wider.attrs["missing"] == {
        "china": "no output_growth measure",
        **table.attrs["missing"],
    }
    assert wider.drop(columns="flags").equals(table.drop(columns="flags"))
    first = preferred_pairs(table).set_index("region_id")
    assert first.loc["tongcheng", "inputs"] == "tc-009;tc-022"
    assert first.loc["yongchuan", "inputs"] == "yc-015;yc-022"
    assert first.loc["lintao_park", "inputs"] == "lt-004;lt-007"
    assert "coverage scope: nonpublic_enterprises_above_scale" in first.loc["tongcheng", "flags"]
    assert "growth span (years): 18–20" in first.loc["pinghu", "flags"]
    summary = comparability_summary(table).set_index("dimension")
    assert bool(summary.loc["growth span (years)", "differs"])


def test_specification_range_covers_every_combination(figures, scopes, settings) -> None:
    table = cross_section(figures, scopes, "output_growth", settings=settings)
    specs = specification_range(table)
    assert len(specs) == table.groupby("region_id").size().prod()
    assert (specs.n == 4).all()
    assert specs.min_p_value.min() == pytest.approx(1 / 12)
    assert sorted(specs.statistic.round(3).unique()) == [0.0, 0.4, 0.949]
    assert specs.p_value.min() == pytest.approx(1 / 6)
    tax = specification_range(cross_section(figures, scopes, "tax_growth", settings=settings))
    assert tax.note.str.contains("at least 3 observations").all()


def test_within_region_change_and_warning(figures) -> None:
    frame = within_region_change(figures, "pinghu", ["party_orgs", "industrial_output_value"])
    assert list(frame.measure) == ["industrial_output_value_cagr", "party_orgs_cagr"]
    assert "say nothing about each other" in TREND_WARNING
    with pytest.raises(ValueError, match="no series"):
        within_region_change(figures, "lishui", ["output_value"])


# ---- implied denominators -----------------------------------------------------------------


def test_implied_denominators_of_the_national_series(figures, settings) -> None:
    every = derived_frame(implied_denominators(figures, settings=settings))
    # Regions with a count and a rate of the same scope and date imply a denominator too.
    assert set(every.region_id) == {"china", "fuzhou", "luquan", "shanghai", "shanxi", "shuozhou"}
    luquan = _one(every, "luquan", "implied_denominator", "lq-004;lq-005")
    assert luquan.value == pytest.approx(617 / 0.9887)  # the printed 624 firms, within rounding
    frame = every[every.region_id == "china"]
    assert list(frame.inputs) == [
        "cn-038;cn-039",
        "cn-038;cn-041",
        "cn-002;cn-003",
        "cn-007;cn-008",
        "cn-007;cn-010",
        "cn-014;cn-015",
        "cn-016;cn-017",
        "cn-016;cn-020",
        "cn-022;cn-023",
        "cn-027;cn-023",
    ]
    # Qualifying firms: the count divided by a rate close to 100%.
    row = _one(frame, "china", "implied_denominator", "cn-002;cn-003")
    assert row.value == pytest.approx(380000 / 0.994)
    assert (row.scope, row.period_earliest, row.exact) == (
        "nonpublic_enterprises_qualifying",
        "2008-12-31",
        True,
    )
    assert row.formula == "enterprises_with_party_org / party_org_coverage_qualifying"
    # All non-public enterprises: about 2.97 million at the end of 2014.
    row = _one(frame, "china", "implied_denominator", "cn-016;cn-017")
    assert row.value == pytest.approx(1579000 / 0.531) == pytest.approx(2973634.65)
    assert row.lower == row.upper == row.value
    assert row.scope == "nonpublic_enterprises_party_stats"
    assert row.unit_kind == "count"
    # 2017: the exact count and the rounded 'Nearly 1.88 million', which stays open below.
    exact = _one(frame, "china", "implied_denominator", "cn-022;cn-023")
    assert exact.value == pytest.approx(1877000 / 0.731)
    nearly = _one(frame, "china", "implied_denominator", "cn-027;cn-023")
    assert nearly.value == pytest.approx(1880000 / 0.731)
    assert (nearly.lower, nearly.upper) == (0.0, pytest.approx(1880000 / 0.731))
    assert not nearly.exact
    # A rate contradicted by another page is flagged on the derived value.
    row = _one(frame, "china", "implied_denominator", "cn-007;cn-008")
    assert row["flags"] == "conflicting inputs: cn-008 vs cn-010"
    assert _one(frame, "china", "implied_denominator", "cn-014;cn-015")["flags"] == ""


def _figure(figure_id, indicator, scope, value, lower, upper, year="2014", **cells):
    row = {
        "figure_id": figure_id,
        "region_id": "r",
        "entity": None,
        "indicator": indicator,
        "scope": scope,
        "period_kind": "as_of",
        "period_label": None,
        "period_earliest": pd.Timestamp(f"{year}-12-31"),
        "period_latest": pd.Timestamp(f"{year}-12-31"),
        "value": value,
        "lower": lower,
        "upper": upper,
        "raw": "",
        "see_also": None,
        "unit_kind": "ratio" if "coverage" in indicator else "count",
    }
    row.update(cells)
    return row


def test_implied_denominators_pair_only_same_scope_and_period(settings) -> None:
    rows = [
        _figure("x-001", "enterprises_with_party_org", "a", 300.0, 300.0, math.nan),
        _figure("x-002", "party_org_coverage_rate", "a", 0.6, 0.6, 0.6),
        # Another scope (definition) and another year: never paired.
        _figure("x-003", "party_org_coverage_rate", "b", 0.9, 0.9, 0.9),
        _figure("x-004", "party_org_coverage_rate", "a", 0.5, 0.5, 0.5, year="2015"),
        # A formation rate is not a coverage rate unless asked for.
        _figure("x-005", "party_org_formation_rate", "a", 0.75, 0.75, 0.75),
        # A single enterprise's figures are left out.
        _figure("x-006", "enterprises_with_party_org", "a", 1.0, 1.0, 1.0, entity="甲公司"),
    ]
    frame = pd.DataFrame(rows)
    values = implied_denominators(frame, settings=settings)
    assert [d.inputs for d in values] == [("x-001", "x-002")]
    (d,) = values
    # 300余 firms over 60%: at least 500, open above.
    assert (d.interval.value, d.interval.lower, d.interval.upper) == (500.0, 500.0, math.inf)
    formation = implied_denominators(frame, rates=("party_org_formation_rate",), settings=settings)
    assert [(d.inputs, d.interval.value) for d in formation] == [(("x-001", "x-005"), 400.0)]


def test_implied_denominator_of_a_zero_rate_names_its_inputs(settings) -> None:
    frame = pd.DataFrame(
        [
            _figure("x-001", "enterprises_with_party_org", "a", 3.0, 3.0, 3.0),
            _figure("x-002", "party_org_coverage_rate", "a", 0.0, 0.0, 0.0),
        ]
    )
    with pytest.raises(ValueError, match="implied_denominator from x-001/x-002"):
        implied_denominators(frame, settings=settings)
