"""Each region against its province, on a package with invented province figures.

The tests replace the bundled package's province and prefecture regions (and their figures)
by invented ones in a copy, so that every expected number is known. Every number added
here is invented for the test.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

import dangjian_analysis as dj
from dangjian_analysis.analysis.benchmarks import (
    DIFFERENCE_UNIT,
    NO_BENCHMARK,
    NO_COMPARABLE,
    PREFECTURE,
    benchmark_choice_signs,
    benchmark_regions,
    price_basis,
    province_benchmarks,
    relative_to_benchmark,
)
from dangjian_analysis.analysis.crosssection import cross_section, preferred_pairs

from conftest import DATA, FIGURE_COLUMNS, read_csv, write_csv

REGION_COLUMNS = [
    "region_id", "name_zh", "name_en", "level", "province_zh", "province_en",
    "prefecture_zh", "prefecture_en", "parent_region_id", "notes",
]

BENCHMARK_REGIONS = [
    {"region_id": "hubei", "name_zh": "湖北省", "name_en": "Hubei", "level": "province",
     "province_zh": "湖北省", "province_en": "Hubei", "notes": "Test benchmark."},
    {"region_id": "chongqing", "name_zh": "重庆市", "name_en": "Chongqing", "level": "province",
     "notes": "Test benchmark; province columns left empty on purpose (matched by name)."},
    {"region_id": "zhejiang", "name_zh": "浙江省", "name_en": "Zhejiang", "level": "province",
     "province_zh": "浙江省", "province_en": "Zhejiang", "notes": "Test benchmark."},
    {"region_id": "jiaxing", "name_zh": "嘉兴市", "name_en": "Jiaxing", "level": PREFECTURE,
     "province_zh": "浙江省", "province_en": "Zhejiang", "prefecture_zh": "嘉兴市",
     "prefecture_en": "Jiaxing", "notes": "Test benchmark."},
]

SOURCE = {
    "source_id": "src_test_benchmarks", "title_en": "Invented province figures for a test",
    "published_earliest": "2024-01-01", "published_latest": "2024-12-31", "script": "simplified",
}


def _figure(fid: str, region: str, indicator: str, scope: str, year: int, value: str,
            raw: str) -> dict[str, str]:
    return {
        "figure_id": fid, "source_id": SOURCE["source_id"], "region_id": region,
        "indicator": indicator, "scope": scope, "period_kind": "year",
        "period_label": f"{year}年", "period_earliest": f"{year}-01-01",
        "period_latest": f"{year}-12-31", "period_basis": "stated", "value": value,
        "lower": value, "upper": value, "qualifier": "exact", "raw": raw, "locator": "测试",
        "notes": "Invented for a test.",
    }


def _span_figure(fid: str, region: str, value: str, raw: str) -> dict[str, str]:
    """A level for 2021–2023 (one year of three, as Pinghu's ph-004 is)."""
    return {
        **_figure(fid, region, "industrial_output_value", "industrial_enterprises_above_scale",
                  2021, value, raw),
        "period_latest": "2023-12-31", "period_basis": "inferred", "period_label": "去年",
    }


BENCHMARK_FIGURES = [
    # Hubei: GDP growth in one of Tongcheng's possible years (a broader measure: never a
    # benchmark), and output growth of the same scope in 2010 (same measure, other period).
    _figure("bm-001", "hubei", "gdp_growth_rate", "whole_region", 2013, "0.101", "10.1%"),
    _figure("bm-002", "hubei", "output_growth_rate", "nonpublic_enterprises_above_scale",
            2010, "0.2", "20%"),
    # Chongqing: the same measure, scope and year as Yongchuan's.
    _figure("bm-003", "chongqing", "value_added_growth_rate", "nonpublic_economy", 2011,
            "0.18", "18%"),
    # Zhejiang: industrial output in 2003 and 2021–2023, for a compound rate over Pinghu's
    # period, and a coverage rate that must not turn the province into a point of the
    # cross-section.
    _figure("bm-004", "zhejiang", "industrial_output_value", "industrial_enterprises_above_scale",
            2003, "500000000000", "5000亿元"),
    _span_figure("bm-005", "zhejiang", "4000000000000", "40000亿元"),
    _figure("bm-006", "zhejiang", "party_org_coverage_rate", "nonpublic_enterprises", 2022,
            "0.7", "70%"),
    # Jiaxing: the same measure and period as Zhejiang's: the prefecture is preferred.
    _figure("bm-007", "jiaxing", "industrial_output_value", "industrial_enterprises_above_scale",
            2003, "50000000000", "500亿元"),
    _span_figure("bm-008", "jiaxing", "300000000000", "3000亿元"),
]


def make_package(folder: Path, *, figures: bool = True) -> Path:
    shutil.copytree(DATA, folder)
    regions = read_csv(folder / "regions.csv")
    settings = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    gone = set(settings["benchmark_regions"])
    kept = {r["region_id"] for r in BENCHMARK_REGIONS}
    regions = [r for r in regions if r["region_id"] not in gone]
    for r in regions:
        if r["parent_region_id"] in gone - kept:
            r["parent_region_id"] = ""
    write_csv(folder / "regions.csv", regions + BENCHMARK_REGIONS, REGION_COLUMNS)
    rows = [r for r in read_csv(folder / "figures.csv") if r["region_id"] not in gone]
    for r in rows:  # links to removed figures go with them
        r["see_also"] = ";".join(
            i for i in r["see_also"].split(";") if i and any(x["figure_id"] == i for x in rows)
        )
    used = {r["source_id"] for r in rows}
    sources = [s for s in read_csv(folder / "sources.csv") if s["source_id"] in used]
    columns = list(read_csv(folder / "sources.csv")[0])
    if figures:
        sources.append(SOURCE)
        rows += BENCHMARK_FIGURES
    write_csv(folder / "sources.csv", sources, columns)
    write_csv(folder / "figures.csv", rows, FIGURE_COLUMNS)
    ids = {r["figure_id"] for r in rows}
    settings["benchmark_regions"] = [r["region_id"] for r in BENCHMARK_REGIONS]
    settings["partial_counts"] = [i for i in settings["partial_counts"] if i["figure_id"] in ids]
    (folder / "analysis.json").write_text(json.dumps(settings, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return make_package(tmp_path_factory.mktemp("benchmarks") / "data")


@pytest.fixture(scope="module")
def loaded(package):
    return dj.load_figures(package), dj.load_scopes(package), dj.load_regions(package)


def test_benchmark_regions_by_province_prefecture_and_name(loaded, settings) -> None:
    _, _, regions = loaded
    links = benchmark_regions(regions, settings=settings)
    pinghu = links[links.region_id == "pinghu"]
    assert pinghu.benchmark_id.tolist() == ["zhejiang", "jiaxing"]  # province first
    assert links[links.region_id == "yongchuan"].benchmark_id.tolist() == ["chongqing"]
    assert links[links.region_id == "lishui"].benchmark_id.tolist() == ["zhejiang"]
    assert "hubei" not in set(links.region_id) and "china" not in set(links.region_id)
    near_first = benchmark_regions(regions, levels=(PREFECTURE, "province"), settings=settings)
    assert near_first[near_first.region_id == "pinghu"].benchmark_id.tolist() == [
        "jiaxing", "zhejiang",
    ]


def test_cross_section_leaves_benchmark_regions_out(loaded, settings) -> None:
    figures, scopes, _ = loaded
    cross = cross_section(figures, scopes, "output_growth", settings=settings)
    # Lintao's growth is a forecast (预计): left out of growth measures since data 1.4.0.
    assert sorted(set(cross.region_id)) == ["pinghu", "tongcheng", "yongchuan"]
    assert "zhejiang" not in cross.attrs["missing"] and "hubei" not in cross.attrs["missing"]
    wider = cross_section(
        figures, scopes, "output_growth", include_benchmarks=True, settings=settings
    )
    assert "zhejiang" in set(wider.region_id)


def test_each_region_against_a_benchmark_of_the_same_measure(loaded, settings) -> None:
    figures, scopes, regions = loaded
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    bench = province_benchmarks(pairs, figures, scopes, regions, settings=settings)
    bench = bench.set_index("region_id")
    assert bench.attrs["difference_unit"] == DIFFERENCE_UNIT == "percentage points"
    # Tongcheng: the same measure and scope, but 2010 against 2012 or 2013: no benchmark.
    tc = bench.loc["tongcheng"]
    assert not tc.comparable and math.isnan(tc.difference_value)
    assert tc.note == (
        f"{NO_COMPARABLE} (湖北省 Hubei: nearest bm-002 has another period (2010))"
    )
    # Yongchuan: same measure, scope and year.
    yc = bench.loc["yongchuan"]
    assert yc.comparable and yc.benchmark_inputs == "bm-003"
    assert yc.difference_value == pytest.approx(0.218 - 0.18)
    assert yc.note == "same measure, scope and period; difference in percentage points"
    assert (yc.outcome_price_basis, yc.benchmark_price_basis) == ("not stated", "not stated")
    # Pinghu: both the province and the prefecture match; the prefecture is preferred.
    ph = bench.loc["pinghu"]
    assert (ph.benchmark_region_id, ph.benchmark_level) == ("jiaxing", PREFECTURE)
    assert ph.benchmark_inputs == "bm-007;bm-008"
    assert ph.benchmark_measure == "industrial_output_value_cagr"
    assert ph.outcome_price_basis == "nominal (from levels in current yuan)"
    # Interval minus interval: the widest difference both bounds allow.
    assert ph.difference_lower == pytest.approx(ph.outcome_lower - ph.benchmark_upper)
    assert ph.difference_upper == pytest.approx(ph.outcome_upper - ph.benchmark_lower)
    assert dj.format_number(yc.difference_value, "percentage_points") == "3.8 pp"
    relative = relative_to_benchmark(pairs, bench.reset_index())
    assert sorted(relative.region_id) == ["pinghu", "yongchuan"]
    assert relative.attrs["missing"]["tongcheng"].startswith(NO_COMPARABLE)
    assert relative.set_index("region_id").loc["yongchuan", "inputs"] == "yc-015;yc-022;bm-003"
    assert relative.set_index("region_id").loc["pinghu", "outcome_definition"].endswith(
        f"minus {PREFECTURE} industrial output, compound annual growth (derived)"
    )


def test_the_province_stands_in_only_when_it_matches(loaded, settings) -> None:
    figures, scopes, regions = loaded
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    fewer = figures[figures.figure_id != "bm-008"]
    ph = province_benchmarks(pairs, fewer, scopes, regions, settings=settings)
    ph = ph.set_index("region_id").loc["pinghu"]
    assert (ph.benchmark_region_id, ph.benchmark_inputs) == ("zhejiang", "bm-004;bm-005")
    # Without the later levels neither region has a compound rate: no figure at all.
    none = figures[~figures.figure_id.isin(["bm-005", "bm-008"])]
    ph = province_benchmarks(pairs, none, scopes, regions, settings=settings)
    ph = ph.set_index("region_id").loc["pinghu"]
    assert not ph.comparable
    assert ph.note == f"{NO_BENCHMARK} (浙江省 Zhejiang, 嘉兴市 Jiaxing: no output_growth figure)"


def test_a_broader_measure_never_stands_in(loaded, settings) -> None:
    figures, scopes, regions = loaded
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    fewer = figures[figures.figure_id != "bm-002"]
    tc = province_benchmarks(pairs, fewer, scopes, regions, settings=settings)
    tc = tc.set_index("region_id").loc["tongcheng"]
    assert not tc.comparable
    assert tc.note == (
        f"{NO_COMPARABLE} (湖北省 Hubei: nearest bm-001 has another measure (gdp_growth_1y), "
        "another scope (whole_region), another period (2013))"
    )


def test_the_sign_over_every_benchmark_choice(loaded, settings) -> None:
    figures, scopes, regions = loaded
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    signs = benchmark_choice_signs(pairs, figures, scopes, regions, settings=settings)
    # Pinghu: Zhejiang's and Jiaxing's compound rates; Tongcheng: Hubei's 2013 GDP growth
    # (its 2010 output growth does not overlap 2012–2013); Yongchuan: Chongqing's 2011.
    assert signs.attrs["choices"] == {"pinghu": 2, "tongcheng": 1, "yongchuan": 1}
    assert signs["benchmarks"].tolist() == [
        "pinghu: bm-007;bm-008; tongcheng: bm-001; yongchuan: bm-003",
        "pinghu: bm-004;bm-005; tongcheng: bm-001; yongchuan: bm-003",
    ]
    rates = {
        d.inputs: d.interval.value for d in dj.compound_growth_rates(figures, settings=settings)
    }
    by = pairs.set_index("region_id")
    coverage = [by.loc[r, "coverage_value"] for r in ("pinghu", "tongcheng", "yongchuan")]
    for (_, row), pinghu in zip(signs.iterrows(), (("bm-007", "bm-008"), ("bm-004", "bm-005")),
                                strict=True):
        diff = [by.loc["pinghu", "outcome_value"] - rates[pinghu],
                by.loc["tongcheng", "outcome_value"] - 0.101,
                by.loc["yongchuan", "outcome_value"] - 0.18]
        assert row["statistic"] == pytest.approx(dj.rank_statistic(coverage, diff))
    every = benchmark_choice_signs(
        pairs, figures, scopes, regions, same_years=False, settings=settings
    )
    assert every.attrs["choices"] == {"pinghu": 2, "tongcheng": 2, "yongchuan": 1}
    assert len(every) == 4


def test_the_bundled_benchmarks(figures, scopes, regions, settings) -> None:
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    bench = province_benchmarks(pairs, figures, scopes, regions, settings=settings)
    bench = bench.set_index("region_id")
    # No bundled benchmark is the same measure, scope and period as a region's outcome.
    assert not bench.comparable.any() and bench.difference_value.isna().all()
    assert bench.note.to_dict() == {
        "pinghu": f"{NO_COMPARABLE} (浙江省 Zhejiang: nearest zj-002 has another measure "
        "(gdp_growth_1y), another scope (whole_region), another period (2023); 嘉兴市 Jiaxing: "
        "nearest jx-003 has another measure (gdp_growth_1y), another scope (whole_region), "
        "another period (2021))",
        "tongcheng": f"{NO_COMPARABLE} (湖北省 Hubei: nearest hb-008 has another scope "
        "(industrial_enterprises_above_scale), another period (2012))",
        "yongchuan": f"{NO_COMPARABLE} (重庆市 Chongqing: nearest cq-008 has another period "
        "(1 Jan to 31 Mar 2012))",
    }
    assert bench.outcome_price_basis.to_dict() == {
        "pinghu": "nominal (from levels in current yuan)",
        "tongcheng": "not stated",
        "yongchuan": "not stated",
    }
    relative = relative_to_benchmark(pairs, bench.reset_index())
    assert relative.empty and sorted(relative.attrs["missing"]) == [
        "pinghu", "tongcheng", "yongchuan",
    ]
    # The sign of coverage against region-minus-benchmark growth over the choices the data
    # hold: 36 choices of figures for overlapping years, 144 over all years.
    signs = benchmark_choice_signs(pairs, figures, scopes, regions, settings=settings)
    assert signs.attrs["choices"] == {"pinghu": 9, "tongcheng": 4, "yongchuan": 1}
    assert signs.attrs["counts"] == {"positive": 11, "negative": 25, "zero": 0}
    every = benchmark_choice_signs(
        pairs, figures, scopes, regions, same_years=False, settings=settings
    )
    assert every.attrs["choices"] == {"pinghu": 9, "tongcheng": 4, "yongchuan": 4}
    assert every.attrs["counts"] == {"positive": 44, "negative": 100, "zero": 0}
    tax = province_benchmarks(
        preferred_pairs(cross_section(figures, scopes, "tax_growth", settings=settings)),
        figures, scopes, regions, settings=settings,
    ).set_index("region_id")
    assert tax.loc["tongcheng", "note"] == (
        f"{NO_COMPARABLE} (湖北省 Hubei: nearest hb-013 has another scope "
        "(industrial_enterprises_above_scale), another period (2013))"
    )


def test_price_basis() -> None:
    assert price_basis("output_value_cagr") == "nominal (from levels in current yuan)"
    assert price_basis("value_added_growth_1y") == "not stated"
    assert price_basis("tax_to_output") == ""


def test_province_without_figures_is_named(tmp_path, settings) -> None:
    folder = make_package(tmp_path / "data", figures=False)
    figures, scopes, regions = (dj.load_figures(folder), dj.load_scopes(folder),
                                dj.load_regions(folder))
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    bench = province_benchmarks(pairs, figures, scopes, regions, settings=settings)
    bench = bench.set_index("region_id")
    assert bench.loc["pinghu", "note"] == (
        f"{NO_BENCHMARK} (浙江省 Zhejiang, 嘉兴市 Jiaxing: no output_growth figure)"
    )
    with pytest.raises(ValueError, match="outcome must be one of"):
        province_benchmarks(pairs, figures, scopes, regions, outcome="nothing", settings=settings)
