"""National context: levels, the series and their roles, plot input, regional matching."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dangjian_analysis import load_sources, read_analysis_settings
from dangjian_analysis.analysis.crosssection import RegionMeasure, coverage_candidates
from dangjian_analysis.analysis.intervals import Interval
from dangjian_analysis.analysis.national import (
    MATCH_COLUMNS,
    ROLE_MAIN,
    ROLE_OTHER_PAGE,
    ROLE_REPEAT,
    SERIES_LISTING_COLUMNS,
    match_regional_coverage,
    national_counts,
    national_coverage,
    national_implied_denominators,
    national_series_plot_table,
    national_sources,
)
from dangjian_analysis.package.levels import national_figures, national_mask, regional_figures
from dangjian_analysis.report.present import figure_listing

# ---- levels ----------------------------------------------------------------------------


def test_load_figures_carries_the_region_level(figures) -> None:
    by_id = figures.set_index("figure_id")["region_level"]
    assert by_id["cn-001"] == "national"
    assert by_id["tc-001"] == "county"
    assert by_id["js-001"] == "province-wide set of development parks"
    assert set(national_figures(figures)["region_id"]) == {"china"}
    assert "china" not in set(regional_figures(figures)["region_id"])
    assert len(national_figures(figures)) + len(regional_figures(figures)) == len(figures)


def test_a_frame_without_levels_is_regional() -> None:
    frame = pd.DataFrame({"figure_id": ["x-001", "x-002"], "region_id": ["china", "r"]})
    assert national_mask(frame).tolist() == [False, False]
    assert len(regional_figures(frame)) == 2


def test_cross_region_helpers_leave_the_national_context_out(figures, scopes, settings) -> None:
    regional = {c.region_id for c in coverage_candidates(figures, scopes, settings=settings)}
    assert "china" not in regional
    wider = coverage_candidates(figures, scopes, include_national=True, settings=settings)
    assert {c.inputs for c in wider if c.region_id == "china"} >= {("cn-006",), ("cn-011",)}
    assert "cn-024" not in set(figure_listing(figures, ["instructors"])["figure_id"])
    listing = figure_listing(figures, ["instructors"], include_national=True)
    row = listing.set_index("figure_id").loc["cn-024"]
    assert (row["raw"], row["period"]) == ("56.7萬名", "as_of 2017–2017")


# ---- the national series ---------------------------------------------------------------


def _roles(listing: pd.DataFrame) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for figure_id, role in zip(listing["figure_id"], listing["role"], strict=True):
        out.setdefault(role, []).append(figure_id)
    return out


def test_national_coverage_series_and_breaks(figures, settings) -> None:
    listing = national_coverage(figures, settings=settings)
    assert list(listing.columns) == list(SERIES_LISTING_COLUMNS)
    main = listing[listing["role"] == ROLE_MAIN]
    assert list(zip(main["year"], main["figure_id"], main["definition"], main["value"],
                    strict=True)) == [
        (2006, "cn-039", "qualifying", 0.942),
        (2008, "cn-003", "qualifying", 0.994),
        (2010, "cn-005", "qualifying", 0.996),
        (2011, "cn-008", "qualifying", 0.9991),
        (2012, "cn-015", "qualifying", 0.9995),
        (2014, "cn-017", "all_nonpublic", 0.531),
        (2015, "cn-018", "all_nonpublic", 0.518),
        (2016, "cn-051", "all_nonpublic", 0.679),
        (2017, "cn-023", "all_nonpublic", 0.731),
    ]
    roles = _roles(listing)
    assert roles[ROLE_REPEAT] == ["cn-047", "cn-021", "cn-026", "cn-028"]
    assert roles[ROLE_OTHER_PAGE] == ["cn-041", "cn-010", "cn-009", "cn-020"]
    notes = listing.set_index("figure_id")["note"]
    assert notes["cn-009"] == "another definition than cn-008"
    assert notes["cn-010"] == "differs from cn-008 (same definition)"
    assert notes["cn-020"] == "differs from cn-017 (same definition)"
    assert notes["cn-026"] == "repeats cn-023"
    # An undated page's figure dated by judgement (inferred) repeats the stated one.
    assert notes["cn-021"] == "repeats cn-051"
    # Figures outside the party-statistics series keep their definition's label.
    assert roles["私营企业调查 CPES sample"] == ["cn-034", "cn-035"]
    assert roles["规模以上 above-scale firms"] == ["cn-006", "cn-011"]


def test_national_counts_series(figures, settings) -> None:
    listing = national_counts(figures, settings=settings)
    main = listing[listing["role"] == ROLE_MAIN]
    assert list(zip(main["year"], main["figure_id"], main["value"], strict=True)) == [
        (2006, "cn-038", 178000.0),
        (2008, "cn-002", 380000.0),
        (2011, "cn-007", 983000.0),
        (2012, "cn-014", 1475000.0),
        (2014, "cn-016", 1579000.0),
        (2017, "cn-022", 1877000.0),
    ]
    roles = _roles(listing)
    assert roles[ROLE_REPEAT] == ["cn-046", "cn-025"]
    assert roles[ROLE_OTHER_PAGE] == ["cn-027"]
    totals = listing[listing["definition"] == "nonpublic_total"]
    assert list(zip(totals["year"], totals["figure_id"], strict=True)) == [
        (2006, "cn-037"), (2006, "cn-040"), (2008, "cn-001"), (2008, "cn-045"),
        (2014, "cn-019"), (2016, "cn-050"),
    ]
    orgs = listing[listing["definition"] == "orgs_all_enterprises"]
    assert list(orgs["year"].unique()) == [2021, 2023]


def _row(figure_id, indicator, scope, value, year, *, basis="stated", early=None):
    return {
        "figure_id": figure_id,
        "source_id": "src_x",
        "region_id": "china",
        "region_level": "national",
        "entity": None,
        "indicator": indicator,
        "scope": scope,
        "period_basis": basis,
        "period_earliest": pd.Timestamp(early or f"{year}-12-31"),
        "period_latest": pd.Timestamp(f"{year}-12-31"),
        "value": value,
        "lower": value,
        "upper": value,
        "unit_kind": "ratio",
        "raw": f"{value * 100:g}%",
    }


def test_series_rule_prefers_a_stated_date_then_the_previous_definition() -> None:
    q = ("party_org_coverage_qualifying", "nonpublic_enterprises_qualifying")
    a = ("party_org_coverage_all_nonpublic", "nonpublic_enterprises_party_stats")
    frame = pd.DataFrame(
        [
            _row("x-001", *q, 0.99, 2010),
            # 2011: both definitions at the year end; the previous year's definition wins
            # even though the other figure has the lower id.
            _row("x-003", *q, 0.995, 2011),
            _row("x-002", *a, 0.40, 2011),
            # 2012: only a figure without a stated date: no series point that year.
            _row("x-004", *a, 0.50, 2012, basis="publication", early="2012-01-01"),
        ]
    )
    listing = national_coverage(frame, settings=read_analysis_settings()).set_index("figure_id")
    assert listing["role"].to_dict() == {
        "x-001": ROLE_MAIN,
        "x-003": ROLE_MAIN,
        "x-002": ROLE_OTHER_PAGE,
        "x-004": ROLE_OTHER_PAGE,
    }
    assert listing.loc["x-004", "note"] == "no figure with a stated date this year"
    assert listing.loc["x-004", "period"] == "2012"


def test_series_plot_table_splits_at_the_change_of_definition(figures, settings) -> None:
    table = national_series_plot_table(national_coverage(figures, settings=settings))
    series = table[table["kind"] == "series"]
    assert series["x"].is_unique
    assert list(series["segment"]) == ["qualifying"] * 5 + ["all_nonpublic"] * 4
    kinds = set(table["kind"]) - {"series"}
    assert kinds == {
        "规模以上 above-scale firms",
        "具备条件口径 qualifying firms (other page)",
        "全部非公企业口径 all non-public firms (other page)",
        "小规模私营企业 small private firms (SAIC)",
        "私营企业调查 CPES sample",
    }
    # 'over 53%' (dated to the end of 2014) keeps its open upper side.
    over = table[(table["x"] == 2014) & (table["kind"] != "series")].iloc[0]
    assert (over["y"], over["lower"], math.isnan(over["upper"])) == (0.53, 0.53, True)
    # The four printings of 153.2万 organizations are one point; counts can be drawn in 万.
    counts = national_series_plot_table(national_counts(figures, settings=settings), scale=1e4)
    assert counts[counts["x"] == 2021][["y", "lower", "upper"]].values.tolist() == [
        [153.2, 153.2, 153.2]
    ]
    with pytest.raises(ValueError, match="scale must be a positive number"):
        national_series_plot_table(national_counts(figures, settings=settings), scale=0)


def test_series_plot_table_draws_one_break(figures, settings) -> None:
    import warnings

    from dangjian_analysis.report.plots import series_with_breaks

    table = national_series_plot_table(national_coverage(figures, settings=settings))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")
        fig = series_with_breaks(table, y_label="share", y_percent=True)
        fig.canvas.draw()
    ax = fig.axes[0]
    assert len([a for a in ax.get_lines() if a.get_gid() == "definition-break"]) == 1
    segments = {a.get_gid() for a in ax.get_lines() if (a.get_gid() or "").startswith("seg")}
    assert segments == {"segment:qualifying", "segment:all_nonpublic"}


def test_national_implied_denominators(figures, settings) -> None:
    frame = national_implied_denominators(figures, settings=settings)
    assert list(frame["inputs"]) == [
        "cn-038;cn-039", "cn-002;cn-003", "cn-007;cn-008", "cn-014;cn-015", "cn-016;cn-017",
        "cn-022;cn-023",
    ]
    row = frame.set_index("inputs").loc["cn-016;cn-017"]
    assert row["value"] == pytest.approx(1579000 / 0.531)
    assert row["year"] == 2014
    assert row["kind"] == "count ÷ rate: 全部非公企业口径 all non-public firms"
    every = national_implied_denominators(figures, series_only=False, settings=settings)
    nearly = every.set_index("inputs").loc["cn-027;cn-023"]
    assert math.isnan(nearly["lower"]) and nearly["upper"] == pytest.approx(1880000 / 0.731)


def test_national_sources(figures) -> None:
    table = national_sources(load_sources(), figures)
    assert len(table) == 27 and table["figures"].sum() == 53
    by_id = table.set_index("source_id")
    assert by_id.loc["src_cn_2015_chinadaily", "published"] == "2015-07-01"
    assert by_id.loc["src_cn_2018_chinascope", "published"] == "2018-06-30 to 2018-12-31"
    assert by_id.loc["src_cn_2015_chinadaily", "script"] == "latin"


# ---- regional coverage against the national figure of its year and definition ----------------


def _candidate(measure, scope, period, value, inputs=("x-001",), region="r"):
    return RegionMeasure(
        region_id=region, measure=measure, definition="test", interval=Interval.exact(value),
        scope=scope, period=period, span="", inputs=inputs, flags=(), assumptions=(),
    )


def test_match_bundled_regions(figures, scopes, regions, settings) -> None:
    candidates = coverage_candidates(figures, scopes, settings=settings)
    table = match_regional_coverage(candidates, figures, regions, scopes, settings=settings)
    assert list(table.columns) == list(MATCH_COLUMNS)
    assert "china" not in set(table["region_id"])
    by_input = table.set_index("inputs")
    tongcheng = by_input.loc["tc-009"]
    assert tongcheng["match"] == "same definition, no figure for these years"
    assert tongcheng["definition"] == "above_scale"
    assert "no national figure for 2013–2014" in tongcheng["note"]
    assert "96% of above-scale non-public enterprises (2010-12-31, cn-006)" in tongcheng["note"]
    yongchuan = by_input.loc["yc-015"]
    assert yongchuan["match"] == "no national figure with this definition"
    assert "(non-public economic organizations)" in yongchuan["note"]
    assert "99.95% of non-public enterprises meeting the conditions" in yongchuan["note"]
    assert "35.6% of private firms sampled by the CPES survey (2012, cn-034)" in (
        yongchuan["note"]
    )
    assert by_input.loc["tc-008;tc-001", "match"] == "not a coverage rate"
    # Regions added from web pages that share a year and a definition with a national figure.
    shared = table[table["national_figure"] != ""]
    assert list(zip(shared["inputs"], shared["national_figure"], strict=True)) == [
        ("ax-004", "cn-017"), ("ax-004", "cn-020"), ("wz-002", "cn-051"),
    ]


def test_match_same_definition_and_year(figures, scopes, regions, settings) -> None:
    candidates = [
        _candidate("party_org_coverage_rate", "nonpublic_enterprises", "2014", 0.6),
        _candidate("enterprise_coverage", "nonpublic_enterprises", "2015", 0.5, ("x-2", "x-3")),
        _candidate("party_org_coverage_rate", "nonpublic_enterprises", "2019", 0.9),
        _candidate("party_org_coverage_rate", "park_enterprises", "2030", 1.0),
    ]
    table = match_regional_coverage(candidates, figures, regions, scopes, settings=settings)
    first = table.iloc[0]
    assert (first["match"], first["national_figure"], first["national_value"]) == (
        "same definition and year", "cn-017", 0.531,
    )
    assert first["note"] == ""
    y2014 = table[table["period"] == "2014"]
    assert list(y2014["national_figure"]) == ["cn-017", "cn-020"]
    assert y2014.iloc[1]["note"] == (
        "National pages disagree: differs from cn-017 (same definition)."
    )
    assert math.isnan(y2014.iloc[1]["national_upper"])
    y2015 = table[table["period"] == "2015"]
    assert list(y2015["national_figure"]) == ["cn-018"]
    assert y2015.iloc[0]["note"] == ""
    later = table[table["period"] == "2019"].iloc[0]
    assert later["match"] == "same definition, no figure for these years"
    assert "73.1% of all non-public enterprises (2017-12-31, cn-023)" in later["note"]
    nothing = table[table["period"] == "2030"].iloc[0]
    assert nothing["note"].endswith("There is no national coverage figure for 2030.")


def test_match_skips_national_candidates_and_reads_spans(
    figures, scopes, regions, settings
) -> None:
    candidates = [
        _candidate("party_org_coverage_rate", "nonpublic_enterprises_above_scale", "2010", 0.9,
                   region="china"),
        _candidate("party_org_coverage_rate", "nonpublic_enterprises_above_scale", "2010–2012",
                   0.97),
    ]
    table = match_regional_coverage(candidates, figures, regions, scopes, settings=settings)
    assert list(table["region_id"]) == ["r", "r"]
    assert list(table["national_figure"]) == ["cn-006", "cn-011"]
    assert table.iloc[0]["note"] == (
        "The regional period spans 2010–2012; the national figure is for 2010-12-31."
    )
