"""Display helpers: interval text, region labels, plot inputs, power and scope tables, and
the numbers, words and tables for readers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dangjian_analysis import load_figures, load_regions, load_scopes
from dangjian_analysis.analysis.crosssection import (
    candidate_frame,
    coverage_candidates,
    cross_section,
)
from dangjian_analysis.analysis.derived import derived_frame, derived_ratios
from dangjian_analysis.analysis.formatting import (
    format_interval,
    format_number,
    period_words,
    reader_interval,
    reader_number,
)
from dangjian_analysis.report.present import (
    capacity_plot_table,
    region_label,
    scatter_markers,
    scatter_table,
    scope_table,
    show_candidates,
    show_cross_section,
)
from dangjian_analysis.report.reader import (
    candidates_table,
    caveat_words,
    cross_section_table,
    derived_table,
    figures_table,
    reader_table,
    source_names,
    vocabulary,
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


def test_region_label(regions) -> None:
    assert region_label(regions, "tongcheng") == "通城县 Tongcheng County"
    assert region_label(regions, "nowhere") == "nowhere"


def test_scatter_table_and_markers(settings) -> None:
    figures = load_figures()
    cross = cross_section(figures, load_scopes(), "output_growth", settings=settings)
    table = scatter_table(cross, load_regions())
    assert len(table) == len(cross)
    markers = scatter_markers(settings)
    assert set(table["marker_group"]) <= set(markers)
    assert list(markers.values()) == ["o", "s", "D", "^"]
    row = table[table["label"].str.startswith("通城县")].iloc[0]
    assert (row["x"], row["y"]) == (1.0, pytest.approx(0.154))
    shown = show_cross_section(cross)
    assert "15.4%" in set(shown["outcome"])


def test_capacity_plot_table_scales_money(settings) -> None:
    derived = derived_frame(derived_ratios(load_figures(), load_scopes(), settings=settings))
    table = capacity_plot_table(derived, load_regions(), load_scopes(), settings=settings)
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


def test_scope_table_and_candidates(settings) -> None:
    scopes = load_scopes()
    table = scope_table(scopes, ["nonpublic_enterprises_above_scale", "park_enterprises"])
    above = table.set_index("scope").loc["nonpublic_enterprises_above_scale", "part of"]
    assert above.startswith("Non-public enterprises ⊂ Non-public economic organizations")
    assert table.set_index("scope").loc["park_enterprises", "part of"] == ""
    cands = candidate_frame(coverage_candidates(load_figures(), scopes, settings=settings))
    shown = show_candidates(cands)
    assert "72.52%" in set(shown["value"])
    assert list(shown.columns) == ["region_id", "definition", "scope", "value", "period", "inputs"]


# --- numbers, words and tables for readers ---------------------------------------------------

INF = math.inf


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((0.7252, "ratio"), "72.5%"),
        ((0.9995, "ratio"), "99.95%"),  # never rounded up to 100%
        ((1.0, "ratio"), "100%"),
        ((0.07875, "ratio"), "7.88%"),
        ((0.00333, "growth_rate"), "0.333%"),
        ((3.25e6, "yuan"), "325万元"),  # never 0.0325亿元
        ((2.212e8, "yuan"), "2.21亿元"),
        ((1.15e10, "yuan"), "115亿元"),
        ((800.0, "yuan"), "800 yuan"),
        ((1862.0, "persons"), "1,862"),
        ((147000.0, "count"), "14.7万 (147,000)"),
        ((2.9736e6, "count"), "297万 (2.97 million)"),
        ((6.047, "persons"), "6.05"),
        ((math.nan, "ratio"), ""),
    ],
)
def test_reader_number(args, text) -> None:
    assert reader_number(*args) == text


@pytest.mark.parametrize(
    ("args", "kwargs", "text"),
    [
        ((0.8639, 0.8639, INF, "ratio"), {}, "at least 86.4%"),
        ((0.8639, 0.8639, 0.8707, "ratio"), {}, "86.4% to 87.1%"),
        ((10.0, 9.231, 10.83, "persons"), {}, "10 (9.23 to 10.8)"),
        ((5.0, -INF, 5.0, "persons"), {}, "at most 5"),
        ((0.72, 0.72, 0.72, "ratio"), {}, "72%"),
        ((0.95, 0.9025, 0.9975, "ratio"), {"qualifier": "about"}, "about 95%"),
        ((1000.0, math.nan, 1000.0, "count"), {"qualifier": "nearly"}, "nearly 1,000"),
        ((70.0, 70.0, math.nan, "count"), {"qualifier": "more than"}, "more than 70"),
        ((0.6, 0.6, math.nan, "ratio"), {"qualifier": "at least"}, "at least 60%"),
    ],
)
def test_reader_interval(args, kwargs, text) -> None:
    assert reader_interval(*args, **kwargs) == text


def test_period_and_caveat_words() -> None:
    assert period_words("as_of", "2015", "2015") == "as of 2015"
    assert period_words("year", pd.Timestamp("2013-01-01"), pd.Timestamp("2014-12-31")) == (
        "in 2013–2014"
    )
    assert period_words("span", "2005", "2015") == "2005–2015, running total"
    assert caveat_words(
        "periods differ: 2015-10-26 / 2014-12-31; cumulative count: js-021 (累计); "
        "conflicting inputs: tc-008 vs tc-034; cumulative count: js-022 (累计)"
    ) == (
        "inputs of different dates (2015-10-26; 2014-12-31); a running total (累计); "
        "the report prints another figure for the same count"
    )


@pytest.fixture(scope="module")
def words(settings):
    from dangjian_analysis import load_indicators

    return vocabulary(load_regions(), load_scopes(), load_indicators(), settings=settings)


def test_vocabulary_names_codes(words) -> None:
    assert words.region("tongcheng") == "通城县 Tongcheng County"
    assert words.region("china") == "中国 China (national)"
    assert words.scope("nonpublic_enterprises_above_scale") == (
        "Above-designated-size non-public enterprises"
    )
    assert words.measure("tax_per_enterprise") == "Tax per enterprise"
    assert words.measure("party_orgs_cagr") == "Party organizations: compound annual growth"
    assert words.measure("unknown_code") == "unknown_code"
    assert words.words("jiangsu_parks: park_enterprises (tc-001)") == (
        "江苏省开发园区 Jiangsu development parks: Enterprises in development or industrial "
        "parks (tc-001)"
    )


def visible(html: str) -> str:
    from dangjian_analysis.briefs.render import visible_text

    return visible_text(html)


def test_derived_table_shows_words_and_keeps_codes_apart(words, settings) -> None:
    from dangjian_analysis.briefs.render import CODE

    derived = derived_frame(derived_ratios(load_figures(), load_scopes(), settings=settings))
    tax = derived[derived["measure"] == "tax_per_enterprise"]
    table = derived_table(tax, words, caption="Tax per firm")
    assert table.table.to_dict("records") == [
        {
            "Region": "通城县 Tongcheng County",
            "Measure": "Tax per enterprise",
            "Value": "325万元",
            "Population": "Above-designated-size non-public enterprises",
            "Caveats": "",
        }
    ]
    html = table.to_html()
    assert html == derived_table(tax, words, caption="Tax per firm")._repr_html_()  # stable ids
    assert "<table" in html and "325万元" in html
    assert CODE.search(visible(html)) is None
    assert "nonpublic_enterprises_above_scale" in html  # in the collapsed data block
    assert "tc-021;tc-002" in html
    assert str(table).splitlines()[0] == "Tax per firm"
    assert "tc-021" not in str(table)


def test_candidates_and_cross_section_tables(words, settings) -> None:
    from dangjian_analysis.briefs.render import CODE

    figures, scopes = load_figures(), load_scopes()
    cands = candidate_frame(coverage_candidates(figures, scopes, settings=settings))
    table = candidates_table(cands, words)
    assert "at least 95%" in set(table.table["Value"])  # Qingxu's 95%以上: a bound, in words
    assert CODE.search(visible(table.to_html())) is None
    cross = cross_section(figures, scopes, "output_growth", settings=settings)
    pairs = cross_section_table(cross, words, caption="pairs")
    assert list(pairs.table.columns) == [
        "Region", "Pair", "Coverage", "Coverage definition", "Outcome", "Outcome definition",
        "Span (years)",
    ]
    assert "11.5% (10.9% to 12.1%)" in set(pairs.table["Outcome"])
    assert CODE.search(visible(pairs.to_html())) is None


def test_figures_table_reads_qualifiers(words) -> None:
    figures = load_figures()
    rows = figures[figures["figure_id"].isin(["tc-012", "ph-017", "ph-025"])]
    table = figures_table(rows, words)
    reads = dict(zip(rows["raw"], table.table["Reads as"], strict=True))
    assert reads == {"10余人": "more than 10", "近1000个": "nearly 1,000", "95%左右": "about 95%"}


def test_reader_table_escapes_and_aligns() -> None:
    table = reader_table(
        pd.DataFrame({"Name": ["<b>x</b>"], "N": [3]}), caption="A & B", numeric=["N"]
    )
    html = table.to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "A &amp; B" in html
    assert "td.col1" in html and "text-align: right" in html
    # Cells name their columns, for the stacked rows of narrow screens.
    assert html.count('data-label="Name"') == 1 and html.count('data-label="N"') == 1
    assert "brief-data" not in html  # no codes given: no data block


def test_source_names_for_the_foot_of_a_chart(figures) -> None:
    from dangjian_analysis import load_sources

    sources = load_sources()
    names = source_names(["js-009", "tc-008;tc-001", "cn-017", "xx-999"], figures, sources)
    assert names == [
        "Implementing the 'Red Post Plan', 2013–2014",
        "人民网 (People's Daily Online), 2015",
        "China Daily (usa.chinadaily.com.cn), 2015",
    ]


def test_scatter_notes_name_scopes_in_words(settings) -> None:
    cross = cross_section(load_figures(), load_scopes(), "output_growth", settings=settings)
    plain = scatter_table(cross, load_regions())
    labelled = scatter_table(cross, load_regions(), load_scopes())
    assert "coverage of non-public enterprises above scale;" in " ".join(plain["note"])
    assert "coverage of above-designated-size non-public enterprises;" in " ".join(
        labelled["note"]
    )
    assert "_" not in " ".join(plain["note"])


@pytest.mark.parametrize(
    ("value", "unit_kind", "shown"),
    [
        (1_885_000, "count", "189万 (1.89 million)"),  # 万 and million from one rounding
        (2_385_000, "count", "239万 (2.39 million)"),  # halves round up, not to even
        (238_500, "count", "23.9万 (239,000)"),
        (0.0235, "ratio", "2.35%"),
        (0.02345, "ratio", "2.35%"),
        (2.125e8, "yuan", "2.13亿元"),
    ],
)
def test_reader_numbers_round_halves_up_and_agree_with_themselves(value, unit_kind, shown):
    assert reader_number(value, unit_kind) == shown
