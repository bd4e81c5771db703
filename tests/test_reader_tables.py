"""The analysis's own tables in words: what the annexes show instead of raw frames."""

from __future__ import annotations

import pandas as pd
import pytest

from dangjian_analysis.analysis.formatting import period_text
from dangjian_analysis.briefs.render import CODE
from dangjian_analysis.report.reader import (
    Vocabulary,
    benchmark_table,
    comparability_table,
    derived_table,
    left_out_notes,
    power_tables,
)

WORDS = Vocabulary(
    regions={"alpha": "甲县 Alpha County", "beta": "乙市 Beta", "prov": "丙省 Prov"},
    scopes={"firms_above": "Above-scale firms", "firms_all": "All firms"},
    indicators={"growth_1y": "Growth rate"},
    others={"output_growth": "output growth", "gdp_1y": "GDP growth, one year (reported)"},
)


def test_period_text_says_part_of_a_year_in_words() -> None:
    assert period_text("2012-01-07", "2012-12-31") == "7 Jan to 31 Dec 2012"
    assert period_text(pd.Timestamp("2016-02-11"), pd.Timestamp("2016-12-21")) == (
        "11 Feb to 21 Dec 2016"
    )
    assert period_text("2012-01-01", "2012-12-31") == "2012"
    assert period_text("2012-10-10", "2012-10-10") == "2012-10-10"
    assert period_text("2011-01-01", "2013-12-31") == "2011–2013"
    with pytest.raises(ValueError, match="not an ISO date"):
        period_text("2012-13-01", "2012-12-31")


def test_left_out_notes_group_regions_by_reason() -> None:
    notes = left_out_notes(
        {
            "alpha": "no output_growth measure",
            "beta": "no output_growth measure",
            "prov": "no output_growth measure (only forecasts, left out unless include_forecasts)",
        },
        WORDS,
    )
    assert notes == [
        "Left out, no figure of output growth: 甲县 Alpha County, 乙市 Beta.",
        "Left out, only a forecast of output growth (expected, not a result): 丙省 Prov.",
    ]


def test_comparability_table_names_populations() -> None:
    summary = pd.DataFrame(
        {
            "dimension": ["coverage scope", "growth span (years)"],
            "differs": [True, False],
            "values": ["firms_above | firms_all", "1"],
        }
    )
    table = comparability_table(summary, WORDS)
    assert table.table.to_dict("list") == {
        "What": ["Coverage scope", "Growth span (years)"],
        "Differs between pairs": ["yes", "no"],
        "Values": ["Above-scale firms; All firms", "1"],
    }
    assert not CODE.search(str(table))
    assert "firms_above" in table.to_html()  # the codes stay in the data block


def _bench(comparable: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "region_id": "alpha", "outcome_measure": "growth_1y",
                "outcome_value": 0.154, "outcome_lower": 0.154, "outcome_upper": 0.154,
                "outcome_period": "2012–2013", "outcome_price_basis": "not stated",
                "comparable": comparable, "benchmark_region_id": "prov",
                "benchmark_name": "丙省 Prov", "benchmark_value": 0.1, "benchmark_lower": 0.1,
                "benchmark_upper": 0.1, "benchmark_period": "2012",
                "difference_value": 0.054, "difference_lower": 0.054,
                "difference_upper": 0.054,
                "note": "no comparable benchmark (丙省 Prov: nearest pv-008 has another "
                "measure (gdp_1y), another scope (firms_all), another period (1 Jan to 31 "
                "Mar 2012))",
            }
        ]
    )
    frame.attrs["outcome"] = "output_growth"
    return frame


def test_benchmark_table_without_a_comparable_figure_says_why_in_words() -> None:
    table = benchmark_table(_bench(False), WORDS)
    row = table.table.iloc[0].to_dict()
    assert row["Region"] == "甲县 Alpha County"
    assert row["Outcome"] == "15.4%"
    assert row["Benchmark"] == (
        "no comparable benchmark (丙省 Prov: the nearest figure has another measure (GDP "
        "growth, one year (reported)), another scope (All firms), another period (1 Jan to "
        "31 Mar 2012))"
    )
    assert row["Difference"] == "not computed"
    assert not CODE.search(str(table)) and "pv-008" not in str(table)


def test_benchmark_table_with_a_comparable_figure_gives_the_difference() -> None:
    row = benchmark_table(_bench(True), WORDS).table.iloc[0].to_dict()
    assert row["Benchmark"] == "丙省 Prov: 10% (2012)"
    assert row["Difference"] == "5.4 points"


def test_power_tables_read_without_codes() -> None:
    needed = pd.DataFrame({"r": [0.5], "regions_needed": ["33"], "fisher_z_pearson": ["30"]})
    detectable = pd.DataFrame(
        {
            "n": [3, 10],
            "min_detectable_r": ["none", "0.82"],
            "fisher_z_pearson": ["", "0.79"],
            "smallest_exact_p": ["0.333", "5.51e-07"],
            "note": ["no ordering of 3 reaches p ≤ 0.05", "significant from |spearman| ≥ 0.648"],
        }
    )
    first, second = power_tables(needed, detectable)
    assert first.table.columns.tolist() == [
        "True correlation", "Regions the exact rank test needs",
        "Fisher z approximation (Pearson)",
    ]
    assert second.table["Smallest possible p-value"].tolist() == ["0.333", "below 0.001"]
    assert second.table["Smallest correlation detected with 80% power"].tolist() == [
        "none up to 0.99", "0.82",
    ]
    assert second.table["Note"].tolist() == [
        "no ordering of 3 reaches p ≤ 0.05",
        "significant when Spearman's rho is 0.648 or more, either way",
    ]
    assert second.table["Fisher z approximation (Pearson)"].tolist() == [
        "not defined for 3 regions or fewer", "0.79",
    ]


def test_derived_table_names_both_scopes_of_a_ratio_across_populations() -> None:
    derived = pd.DataFrame(
        [
            {
                "region_id": "alpha", "measure": "growth_1y", "value": 0.5, "lower": 0.5,
                "upper": 0.5, "unit_kind": "ratio", "scope": "firms_all / firms_above",
                "flags": "scopes differ: firms_all / firms_above", "inputs": "al-001;al-002",
            }
        ]
    )
    row = derived_table(derived, WORDS).table.iloc[0].to_dict()
    assert row["Population"] == "All firms / Above-scale firms"
    assert row["Caveats"] == "scopes differ: All firms / Above-scale firms"


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("宋宁华 (reporter), 林洁 (intern)", "宋宁华（记者），林洁（实习生）"),
        ("梅永存, 項開來 (Xinhua reporters)", "梅永存，項開來（新华社记者）"),
        ("黄仕良 (page planning); 柳栋梁, 董明金 (text and images)",
         "黄仕良（版面策划）；柳栋梁，董明金（文字、图片）"),
        ("人民网 (People's Daily Online)", "人民网"),
        ("海峡网 (hxnews.com), from 福州日报", "海峡网（hxnews.com），转自福州日报"),
        ("海峡网 (hxnews.com), 福州新闻 channel", "海峡网（hxnews.com），福州新闻频道"),
        (
            "wotuzz.cn (copy of a 山西新闻网 / 山西日报 report)",
            "wotuzz.cn（转抄山西新闻网 / 山西日报的报道）",
        ),
        ("風傳媒 (Storm Media), citing 新華社", "風傳媒，援引新華社"),
        ("China Daily (chinadaily.com.cn, English)", "China Daily（chinadaily.com.cn，英文版）"),
        ("", ""),
    ],
)
def test_chinese_source_words(text, chinese) -> None:
    from dangjian_analysis.briefs.zh_sources import chinese_source_words

    assert chinese_source_words(text) == chinese


def test_a_ratio_that_is_not_a_share_reads_per_100() -> None:
    words = Vocabulary(per_hundred=frozenset({"orgs_per_enterprise"}))
    assert words.value("orgs_per_enterprise", 0.000686, 0.000686, 0.000686, "ratio") == (
        "0.0686 per 100"
    )
    assert words.value("coverage_rate", 0.725, 0.725, 0.725, "ratio") == "72.5%"
