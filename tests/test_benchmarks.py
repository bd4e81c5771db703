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
    NO_BENCHMARK,
    PREFECTURE,
    benchmark_regions,
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
     "prefecture_en": "Jiaxing", "notes": "Test benchmark without figures."},
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


BENCHMARK_FIGURES = [
    # Hubei: GDP growth in Tongcheng's year, and output growth of the same scope two years
    # earlier: the same measure wins over a broader one.
    _figure("bm-001", "hubei", "gdp_growth_rate", "whole_region", 2013, "0.101", "10.1%"),
    _figure("bm-002", "hubei", "output_growth_rate", "nonpublic_enterprises_above_scale",
            2010, "0.2", "20%"),
    # Chongqing: the same measure and year as Yongchuan's.
    _figure("bm-003", "chongqing", "value_added_growth_rate", "nonpublic_economy", 2011,
            "0.18", "18%"),
    # Zhejiang: industrial output in 2003 and 2022, for a compound rate like Pinghu's, and a
    # coverage rate that must not turn the province into a point of the cross-section.
    _figure("bm-004", "zhejiang", "industrial_output_value", "industrial_enterprises_above_scale",
            2003, "500000000000", "5000亿元"),
    _figure("bm-005", "zhejiang", "industrial_output_value", "industrial_enterprises_above_scale",
            2022, "4000000000000", "40000亿元"),
    _figure("bm-006", "zhejiang", "party_org_coverage_rate", "nonpublic_enterprises", 2022,
            "0.7", "70%"),
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
    assert sorted(set(cross.region_id)) == ["lintao_park", "pinghu", "tongcheng", "yongchuan"]
    assert "zhejiang" not in cross.attrs["missing"] and "hubei" not in cross.attrs["missing"]
    wider = cross_section(
        figures, scopes, "output_growth", include_benchmarks=True, settings=settings
    )
    assert "zhejiang" in set(wider.region_id)


def test_each_region_against_its_province(loaded, settings) -> None:
    figures, scopes, regions = loaded
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    bench = province_benchmarks(pairs, figures, scopes, regions, settings=settings)
    bench = bench.set_index("region_id")
    tc = bench.loc["tongcheng"]
    assert (tc.benchmark_region_id, tc.benchmark_inputs) == ("hubei", "bm-002")
    assert tc.match == "same measure" and tc.year_gap == 2
    assert tc.note == "same measure; reference years 2 apart"
    assert tc.difference_value == pytest.approx(0.154 - 0.2)
    yc = bench.loc["yongchuan"]
    assert (yc.benchmark_inputs, yc.year_gap) == ("bm-003", 0)
    assert yc.difference_value == pytest.approx(0.218 - 0.18)
    ph = bench.loc["pinghu"]
    assert ph.benchmark_region_id == "zhejiang" and ph.benchmark_inputs == "bm-004;bm-005"
    assert ph.benchmark_measure == "industrial_output_value_cagr"
    # Interval minus interval: the widest difference both bounds allow.
    assert ph.difference_lower == pytest.approx(ph.outcome_lower - ph.benchmark_upper)
    assert ph.difference_upper == pytest.approx(ph.outcome_upper - ph.benchmark_lower)
    relative = relative_to_benchmark(pairs, bench.reset_index())
    assert len(relative) == 3 and relative.attrs["missing"] == {"lintao_park": NO_BENCHMARK}
    assert relative.outcome_definition.str.contains(" minus province ").all()
    assert relative.set_index("region_id").loc["yongchuan", "inputs"] == "yc-015;yc-022;bm-003"
    res = dj.rank_correlation(relative.coverage_value, relative.outcome_value)
    assert res.n == 3 and not math.isnan(res.statistic)


def test_without_the_same_measure_a_broader_one_stands_in(loaded, settings) -> None:
    figures, scopes, regions = loaded
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    fewer = figures[figures.figure_id != "bm-002"]
    bench = province_benchmarks(pairs, fewer, scopes, regions, settings=settings)
    bench = bench.set_index("region_id")
    tc = bench.loc["tongcheng"]
    assert (tc.benchmark_inputs, tc.year_gap) == ("bm-001", 0)
    assert tc.match == "broader measure, same kind"
    assert "GDP growth, one year (reported) against output growth, one year" in tc.note


def test_the_bundled_benchmarks(figures, scopes, regions, settings) -> None:
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    bench = province_benchmarks(pairs, figures, scopes, regions, settings=settings)
    bench = bench.set_index("region_id")
    assert bench.benchmark_region_id.fillna("").to_dict() == {
        "lintao_park": "",
        "pinghu": "zhejiang",
        "tongcheng": "hubei",
        "yongchuan": "chongqing",
    }
    assert bench.loc["lintao_park", "note"] == NO_BENCHMARK
    assert bench.loc["tongcheng", "match"] == "same measure"
    assert bench.loc["yongchuan", "year_gap"] == 1
    relative = relative_to_benchmark(pairs, bench.reset_index())
    assert sorted(relative.region_id) == ["pinghu", "tongcheng", "yongchuan"]
    assert relative.attrs["missing"] == {"lintao_park": NO_BENCHMARK}


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
