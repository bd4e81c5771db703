"""Published estimates for readers: words, tables and charts (invented rows only)."""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.figure import Figure
from published_package import published_package

from dangjian_analysis import (
    count_estimates,
    estimate_grid,
    estimate_plot_table,
    estimates_table,
    load_estimates,
    load_publications,
    magnitude_panels,
    publication_sources,
    shared_samples,
    shared_samples_table,
)
from dangjian_analysis.package.estimates import reported_significant
from dangjian_analysis.report.published import (
    DESIGN_WORDS,
    OUTCOME_FAMILY_WORDS,
    counts_table,
    designs_table,
)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = published_package(tmp_path_factory.mktemp("plots") / "pkg")
    return load_estimates(folder), load_publications(folder)


@pytest.fixture(scope="module")
def plot_table(tables):
    return estimate_plot_table(*tables)


def draw(fig: Figure) -> Figure:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing", category=UserWarning)
        fig.canvas.draw()
    return fig


def markers(fig: Figure, gid: str) -> list:
    return [line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == gid]


def foot(fig: Figure) -> str:
    (text,) = [t.get_text() for t in fig.texts if t.get_gid() == "source"]
    return text


@pytest.mark.parametrize(
    ("text", "level", "expected"),
    [
        ("在5%水平上显著", "0.05", True),
        ("显著", None, True),
        ("significantly", None, True),
        ("***", None, True),
        ("p = 0.03", None, True),
        ("p = 0.3", None, False),
        ("不显著", None, False),
        ("几乎没有显著影响", None, False),
        ("并不会显著抑制", None, False),
        ("不仅显著提高", None, True),
        ("no significant effect", None, False),
        ("not significant", None, False),
        ("", None, False),
        (math.nan, math.nan, False),
    ],
)
def test_reported_significant(text, level, expected):
    assert reported_significant(text, level) is expected


def test_every_code_has_words():
    from dangjian_analysis.package.estimates import DESIGNS, OUTCOME_FAMILIES

    assert set(DESIGN_WORDS) == set(DESIGNS)
    assert set(OUTCOME_FAMILY_WORDS) == set(OUTCOME_FAMILIES)


def test_estimates_table_speaks_in_words_and_keeps_codes_apart(tables):
    table = estimates_table(*tables, caption="Every estimate")
    shown = table.table
    assert list(shown.columns) == [
        "Study", "Data", "Design", "Compared", "Outcome", "Direction", "As printed",
        "Significance",
    ]
    first = shown.iloc[0].to_dict()
    assert first == {
        "Study": "测试丙 2019",
        "Data": "TEST survey 2016",
        "Design": "propensity-score matching",
        "Compared": "a party organization in the firm",
        "Outcome": "output or sales: 测试营业收入",
        "Direction": "higher",
        "As printed": "1.5% (percent)",
        "Significance": "不显著",
    }
    # outcome families in the schema's order, then designs in theirs, then studies
    assert list(table.codes["estimate_id"]) == [
        "est-006", "est-002", "est-001", "est-003", "est-004", "est-005",
    ]
    null = shown[table.codes["estimate_id"] == "est-003"].iloc[0]
    assert (null["Direction"], null["As printed"]) == ("no relationship found", "direction only")
    text = str(table)
    assert "est-00" not in text and "output_sales" not in text and "psm" not in text


def test_counts_and_samples_tables_in_words(tables):
    estimates, publications = tables
    counts = counts_table(count_estimates(estimates, "design"))
    assert list(counts.table["Design"]) == [
        "cross-section with controls", "propensity-score matching", "instrumental variables",
        "panel with fixed effects", "difference-in-differences",
    ]
    assert list(counts.table["No relationship"]) == ["1", "0", "0", "0", "0"]
    samples = shared_samples_table(shared_samples(estimates, publications))
    assert samples.table.iloc[0].to_dict() == {
        "Sample": "TEST 2012", "Data": "Chinese Private Enterprise Survey",
        "Publications": "2", "Estimates": "3", "Studies": "测试甲等 2020; 测试丙 2019",
    }
    designs = designs_table(["did", "psm", "psm"])
    assert list(designs.table["Design"]) == ["propensity-score matching",
                                             "difference-in-differences"]
    assert all(designs.table["What it cannot rule out"].str.len() > 20)


def test_plot_table_rows(plot_table):
    rows = plot_table.set_index("estimate_id")
    assert rows.loc["est-002", "group"] == "output or sales: coefficient on a logarithm"
    assert rows.loc["est-002", "lower"] == pytest.approx(0.105 - 1.959963984540054 * 0.04)
    assert rows.loc["est-003", "group"] == "" and math.isnan(rows.loc["est-003", "value"])
    assert rows.loc["est-005", "reference"] == 1.0 and math.isnan(rows.loc["est-005", "lower"])
    assert bool(rows.loc["est-006", "significant"]) is False  # 不显著
    assert bool(rows.loc["est-004", "significant"]) is True


def test_grid_draws_one_marker_per_estimate(plot_table, tables):
    _, publications = tables
    fig = draw(estimate_grid(
        plot_table, title="Test grid", source=publication_sources(publications),
        families=list(OUTCOME_FAMILY_WORDS.values()),
    ))
    ax = fig.axes[0]
    assert len(markers(fig, "estimate:+")) == 3
    assert len(markers(fig, "estimate:-")) == 2
    assert len(markers(fig, "estimate:none")) == 1
    hollow = [m for m in markers(fig, "estimate:+") if m.get_markerfacecolor() == "white"]
    assert len(hollow) == 1  # est-006 is not significant
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "output or sales", "tax and tax\ncompliance", "performance", "other outcomes",
    ]
    assert "psm" not in " ".join(t.get_text() for t in ax.get_xticklabels())
    assert ax.get_xlabel() == "研究设计 design of the estimate"
    assert sorted(t.get_text() for t in ax.texts) == ["n = 1"] * 4 + ["n = 2"]
    assert "来源 Sources: 测试甲等 2020, 测试学报; Tester 2021, Test Working Papers" in foot(fig)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["higher", "lower", "no relationship found", "reported as significant",
                      "not significant, or not stated"]


def test_magnitudes_one_panel_per_comparable_group_and_no_pooling(plot_table):
    fig = draw(magnitude_panels(plot_table, title="Test magnitudes", source="Test 2021"))
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == [
        "output or sales: percent", "output or sales: coefficient on a logarithm",
        "tax and tax compliance: coefficient", "performance: odds ratio",
    ]
    assert len(markers(fig, "magnitude")) == 5  # the direction-only estimate is left out
    intervals = markers(fig, "interval")
    assert len(intervals) == 3  # est-002, est-006, est-004; not the odds ratio, not est-001
    (percent,) = [ax for ax in fig.axes if ax.get_title(loc="left") == "output or sales: percent"]
    assert [t.get_text() for t in percent.get_yticklabels()] == ["测试丙 2019", "测试甲等 2020"]
    (odds,) = [ax for ax in fig.axes if ax.get_title(loc="left") == "performance: odds ratio"]
    assert [line.get_xdata()[0] for line in odds.get_lines() if line.get_linestyle() == "--"] \
        == [1.0]
    assert "not comparable with each other" in foot(fig) and "Test 2021" in foot(fig)
    assert odds.get_xlabel() == "odds ratio, as printed (1: no difference)"
    assert percent.get_xlabel() == "difference in percent, as printed"


def test_chart_inputs_are_checked(plot_table):
    with pytest.raises(ValueError, match="missing column"):
        estimate_grid(plot_table.drop(columns=["design"]))
    bad = plot_table.copy()
    bad.loc[0, "direction"] = "up"
    with pytest.raises(ValueError, match="column 'direction' holds 'up' in row 0"):
        estimate_grid(bad)
    with pytest.raises(ValueError, match="no row has a value"):
        magnitude_panels(plot_table.assign(value=math.nan, lower=math.nan, upper=math.nan))
    wrong = plot_table.copy()
    row = wrong.index[wrong["estimate_id"] == "est-002"][0]
    wrong.loc[row, "lower"] = 0.2
    with pytest.raises(ValueError, match="'lower'"):
        magnitude_panels(wrong)
    mixed = plot_table.copy()
    mixed.loc[mixed["estimate_id"] == "est-004", "group"] = "performance: odds ratio"
    with pytest.raises(ValueError, match="mixes references"):
        magnitude_panels(mixed)
    text = plot_table.copy().astype({"value": object})
    text.loc[0, "value"] = "3.2%"
    with pytest.raises(ValueError, match="must hold numbers"):
        magnitude_panels(text)


def test_tables_are_typed_frames(plot_table):
    assert isinstance(plot_table, pd.DataFrame)
    assert str(plot_table["value"].dtype) == "float64"
