"""What the figure functions draw, and how they reject bad tables.

All numbers and labels here are invented for the tests.
"""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import PercentFormatter

from dangjian_analysis import capacity_bars, coverage_growth_scatter, series_with_breaks
from dangjian_analysis.report.plots import BREAK_TEXT, MISSING_PREFIX, NO_DATA, OPEN_BOUND_NOTE

NAN = math.nan
GLYPH_MISSING = r"Glyph .* missing"


@pytest.fixture(autouse=True)
def _restore_settings():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def draw(fig: Figure) -> Figure:
    """Render the figure, turning any missing-glyph warning into an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING, category=UserWarning)
        fig.canvas.draw()
    return fig


def texts(fig: Figure, gid: str) -> list[str]:
    found = [t for ax in fig.axes for t in ax.texts if t.get_gid() == gid]
    found += [t for t in fig.texts if t.get_gid() == gid]
    return [t.get_text() for t in found]


def errorbars(ax) -> list[ErrorbarContainer]:
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


# -- coverage_growth_scatter -----------------------------------------------------------


@pytest.fixture
def scatter_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["甲县 County A", "乙区 District B", "丙市 City C", "丁县 County D"],
            "x": [0.60, 0.80, 0.90, 0.70],
            "x_lower": [0.60, 0.75, 0.90, 0.70],
            "x_upper": [0.60, 0.85, NAN, 0.70],
            "y": [0.20, 0.10, 0.05, 0.15],
            "y_lower": [0.15, 0.10, 0.05, 0.15],
            "y_upper": [0.25, 0.10, 0.05, 0.15],
            "marker_group": ["coverage", "formation rate", "coverage", "other"],
            "note": ["测试口径 test scope", None, "测试口径 test scope", "another flag"],
        }
    )


def scatter(table: pd.DataFrame, **kwargs) -> Figure:
    return draw(coverage_growth_scatter(table, x_label="覆盖率 x", y_label="增长 y", **kwargs))


def test_scatter_points_bars_and_arrows(scatter_table):
    fig = scatter(scatter_table)
    (ax,) = fig.axes
    points = {
        c.get_gid(): len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)
    }
    assert points == {"points:coverage": 2, "points:formation rate": 1, "points:other": 1}
    bars = errorbars(ax)
    # A has a y range, B an x range; C (open upper x) and D (exact) have no two-sided bar
    # but C draws its known side: its lower bound equals x, so it has no bar at all.
    assert [(c.has_xerr, c.has_yerr) for c in bars] == [(False, True), (True, False)]
    assert texts(fig, "open-bound") == [""]
    assert OPEN_BOUND_NOTE in texts(fig, "notes")[0]


def test_scatter_labels_notes_and_legend(scatter_table):
    fig = scatter(scatter_table, title="测试标题")
    (ax,) = fig.axes
    assert texts(fig, "point-label") == [
        "甲县 County A¹",
        "乙区 District B",
        "丙市 City C¹",
        "丁县 County D²",
    ]
    (notes,) = texts(fig, "notes")
    assert notes.split("\n")[:2] == ["¹ 测试口径 test scope", "² another flag"]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["coverage", "formation rate", "other"]
    assert ax.get_title(loc="left") == "测试标题"
    assert ax.get_xlabel() == "覆盖率 x"


def test_scatter_labels_do_not_overlap_points_or_each_other(scatter_table):
    fig = scatter(scatter_table)
    (ax,) = fig.axes
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "point-label"]
    for i, a in enumerate(boxes):
        assert ax.bbox.contains(a.x0, a.y0) and ax.bbox.contains(a.x1, a.y1)
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
        for px, py in ax.transData.transform(scatter_table[["x", "y"]].to_numpy()):
            assert not a.contains(px, py)


def test_scatter_draws_no_fitted_line(scatter_table):
    (ax,) = scatter(scatter_table).axes
    for line in ax.get_lines():
        assert len(line.get_xdata()) <= 1 or line.get_linestyle() == "None"


def test_scatter_is_deterministic(scatter_table):
    first = np.asarray(scatter(scatter_table).canvas.buffer_rgba()).copy()
    second = np.asarray(scatter(scatter_table).canvas.buffer_rgba())
    assert np.array_equal(first, second)


def test_scatter_percent_axes_and_boxes(scatter_table):
    fig = scatter(scatter_table, x_percent=True, show_boxes=True)
    (ax,) = fig.axes
    assert isinstance(ax.xaxis.get_major_formatter(), PercentFormatter)
    assert not isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    assert all(t.get_text().endswith("%") for t in ax.get_xticklabels() if t.get_text())
    boxes = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == "range-box"]
    assert len(boxes) == 3  # C has an open bound: no box
    assert boxes[0].get_height() == pytest.approx(0.10)


def test_scatter_without_notes_has_no_footnote(scatter_table):
    fig = scatter(scatter_table.drop(columns="note").iloc[[0, 1, 3]])
    assert texts(fig, "notes") == []
    assert texts(fig, "point-label")[0] == "甲县 County A"


def test_long_notes_are_wrapped(scatter_table):
    table = scatter_table.assign(note=["很长的说明" * 30, None, None, "word " * 60])
    (notes,) = texts(scatter(table), "notes")
    lines = notes.split("\n")
    assert len(lines) >= 4
    assert "".join(lines[: len(lines) - 2]).replace("¹ ", "").startswith("很长的说明")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": "x_upper"}, r"missing column\(s\) 'x_upper'"),
        (
            {"x_lower": 0.95},
            r"'x_lower' \(0.95\) is above 'x' \(0.9\) in row 2 \(label '丙市 City C'\)",
        ),
        ({"y_upper": 0.01}, r"'y_upper' \(0.01\) is below 'y' \(0.05\) in row 2"),
        ({"x": NAN}, r"column 'x' is empty in row 2 \(label '丙市 City C'\)"),
        ({"y": "高"}, r"column 'y' must hold numbers, found '高' in row 2"),
        ({"marker_group": "rate"}, r"'marker_group' holds 'rate' in row 2 .*known groups"),
        ({"label": ""}, r"column 'label' is empty in row 2"),
    ],
)
def test_scatter_rejects_bad_tables(scatter_table, change, message):
    table = scatter_table.astype({"y": object, "x": float})
    if "drop" in change:
        table = table.drop(columns=change["drop"])
    else:
        ((column, value),) = change.items()
        table.loc[2, column] = value
    markers = {g: "o" for g in ("coverage", "formation rate", "other")}
    with pytest.raises(ValueError, match=message):
        coverage_growth_scatter(table, x_label="x", y_label="y", markers=markers)


def test_scatter_gives_groups_distinct_shapes_by_default(scatter_table):
    fig = draw(coverage_growth_scatter(scatter_table, x_label="x", y_label="y"))
    shapes = {text.get_text() for text in fig.axes[0].get_legend().get_texts()}
    assert shapes >= {"coverage", "formation rate", "other"}


def test_scatter_rejects_what_is_not_a_table():
    with pytest.raises(TypeError, match="expected a pandas DataFrame, got list"):
        coverage_growth_scatter([], x_label="x", y_label="y")


def test_scatter_accepts_custom_markers(scatter_table):
    table = scatter_table.assign(marker_group=["甲", "乙", "甲", "乙"])
    fig = draw(
        coverage_growth_scatter(table, x_label="x", y_label="y", markers={"甲": "o", "乙": "D"})
    )
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["甲", "乙"]


# -- capacity_bars ---------------------------------------------------------------------


@pytest.fixture
def bars_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["甲县 County A", "乙区 District B", "丙市 City C", "甲县 County A"],
            "metric": ["指导员 per 1,000", "指导员 per 1,000", "指导员 per 1,000", "阵地 venues"],
            "value": [12.0, 8.0, NAN, 40.0],
            "lower": [12.0, 7.0, NAN, 40.0],
            "upper": [12.0, 9.0, NAN, NAN],
            "note": [None, "测试 flag", None, None],
        }
    )


def test_bars_show_what_exists_and_list_what_is_missing(bars_table):
    fig = draw(capacity_bars(bars_table, value_label="数值 value", title="测试"))
    first, second = fig.axes[:2]
    assert [ax.get_title(loc="left") for ax in fig.axes[:2]] == ["指导员 per 1,000", "阵地 venues"]
    # Each panel lists only the regions it has a value for: no "no data" rows.
    assert [t.get_text() for t in first.get_yticklabels()] == ["甲县 County A", "乙区 District B"]
    assert [t.get_text() for t in second.get_yticklabels()] == ["甲县 County A"]
    assert first.get_ylim() == second.get_ylim() == (1.5, -0.5)  # bars of one height
    first_bars = [p.get_gid() for p in first.patches if (p.get_gid() or "").startswith("bar:")]
    second_bars = [p.get_gid() for p in second.patches if (p.get_gid() or "").startswith("bar:")]
    assert first_bars == ["bar:甲县 County A", "bar:乙区 District B"]
    assert second_bars == ["bar:甲县 County A"]
    assert not [t for ax in fig.axes for t in ax.texts if t.get_text() == NO_DATA]
    assert len(errorbars(first)) == 1  # only B has a range
    assert errorbars(first)[0].has_xerr and not errorbars(first)[0].has_yerr
    assert len([t for t in second.texts if t.get_gid() == "open-bound"]) == 1
    assert [t.get_text() for t in first.texts if t.get_gid() == "note-mark"] == ["¹"]
    # C's empty value is listed at the foot, under its metric.
    assert texts(fig, "notes") == [
        f"¹ 测试 flag\n{OPEN_BOUND_NOTE}\n{MISSING_PREFIX} for 指导员 per 1,000: 丙市 City C"
    ]
    assert first.get_xlabel() == "数值 value"


def test_bars_small_multiples_have_independent_scales():
    table = pd.DataFrame(
        {
            "label": ["A", "B"] * 4,
            "metric": [f"m{i}" for i in range(4) for _ in range(2)],
            "value": [1.0, 2.0, 100.0, 300.0, 5.0, 6.0, 0.1, 0.2],
            "lower": [1.0, 2.0, 100.0, 300.0, 5.0, 6.0, 0.1, 0.2],
            "upper": [1.0, 2.0, 100.0, 300.0, 5.0, 6.0, 0.1, 0.2],
        }
    )
    fig = draw(capacity_bars(table, value_label="v"))
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == 4 and len(fig.axes) == 4  # a 2 x 2 grid
    assert panels[0].get_xlim()[1] < 10 < 300 < panels[1].get_xlim()[1]
    assert [bool(ax.get_xlabel()) for ax in panels] == [False, False, True, True]


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (
            1,
            "lower",
            8.5,
            r"'lower' \(8.5\) is above 'value' \(8\) in row 1 \(label '乙区 District B'\)",
        ),
        (2, "upper", 3.0, r"'upper' is 3 in row 2 \(label '丙市 City C'\), but 'value' is empty"),
        (3, "metric", "指导员 per 1,000", r"'甲县 County A' appears twice for metric"),
    ],
)
def test_bars_reject_bad_tables(bars_table, row, column, value, message):
    bars_table.loc[row, column] = value
    with pytest.raises(ValueError, match=message):
        capacity_bars(bars_table, value_label="v")


def test_bars_missing_column(bars_table):
    with pytest.raises(ValueError, match=r"missing column\(s\) 'metric'"):
        capacity_bars(bars_table.drop(columns="metric"), value_label="v")


# -- series_with_breaks ----------------------------------------------------------------


@pytest.fixture
def series_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": [2010, 2011, 2012, 2013, 2014, 2015, 2012],
            "y": [0.3, 0.35, 0.5, 0.55, 0.6, 0.62, 0.45],
            "lower": [0.3, 0.33, 0.5, 0.55, 0.6, 0.62, 0.4],
            "upper": [0.3, 0.37, 0.5, 0.55, 0.6, 0.62, 0.5],
            "segment": ["a", "a", "b", "b", "c", "c", ""],
            "label": ["口径甲 A", "口径甲 A", "口径乙 B", "口径乙 B", "口径丙 C", "口径丙 C", ""],
            "kind": ["series"] * 6 + ["survey wave 调查"],
        }
    )


def segment_lines(ax) -> list[Line2D]:
    return [line for line in ax.get_lines() if (line.get_gid() or "").startswith("segment:")]


def assert_no_line_crosses_segments(ax, table: pd.DataFrame) -> None:
    main = table[table.get("kind", pd.Series("series", index=table.index)) == "series"]
    segment_at = dict(zip(main["x"], main["segment"], strict=True))
    for line in segment_lines(ax):
        segment = line.get_gid().removeprefix("segment:")
        xs = list(line.get_xdata())
        assert {segment_at[x] for x in xs} == {segment}
        inside = [x for x in segment_at if min(xs) <= x <= max(xs)]
        assert {segment_at[x] for x in inside} == {segment}


def test_series_lines_stay_within_segments(series_table):
    fig = draw(series_with_breaks(series_table, y_label="覆盖率", title="测试", y_percent=True))
    (ax,) = fig.axes
    assert [list(line.get_xdata()) for line in segment_lines(ax)] == [
        [2010, 2011],
        [2012, 2013],
        [2014, 2015],
    ]
    assert_no_line_crosses_segments(ax, series_table)
    breaks = [line for line in ax.get_lines() if line.get_gid() == "definition-break"]
    assert [line.get_xdata()[0] for line in breaks] == [2011.5, 2013.5]
    assert [line.get_linestyle() for line in breaks] == [":", ":"]
    assert texts(fig, "break-label") == [BREAK_TEXT] * 2
    waves = [c for c in ax.collections if c.get_gid() == "kind:survey wave 调查"]
    assert [len(c.get_offsets()) for c in waves] == [1]
    assert len(errorbars(ax)) == 2  # 2011 and the survey wave have ranges
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["口径甲 A", "口径乙 B", "口径丙 C", "survey wave 调查"]
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)


def test_series_definition_that_returns_is_not_joined():
    table = pd.DataFrame(
        {
            "x": [2014, 2010, 2011, 2012, 2013],
            "y": [5.0, 1.0, 2.0, 3.0, 4.0],
            "lower": [NAN] * 5,
            "upper": [NAN] * 5,
            "segment": ["a", "a", "a", "b", "a"],
            "label": ["甲", "甲", "甲", "乙", "甲"],
        }
    )
    fig = draw(series_with_breaks(table, y_label="y"))
    (ax,) = fig.axes
    assert [list(line.get_xdata()) for line in segment_lines(ax)] == [
        [2010, 2011],
        [2012],
        [2013, 2014],
    ]
    assert_no_line_crosses_segments(ax, table.assign(kind="series"))
    assert len([line for line in ax.get_lines() if line.get_gid() == "definition-break"]) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["甲", "乙"]
    # Empty bounds on a series are open ranges: one arrow up and one down per point.
    assert len(texts(fig, "open-bound")) == 10
    assert texts(fig, "notes") == [OPEN_BOUND_NOTE]


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (1, "label", "别的", r"segment 'a' has two labels, '口径甲 A' \(row 0 .*\) and '别的'"),
        (2, "x", 2011, r"column 'x' holds 2011 twice in the main series"),
        (1, "lower", 0.36, r"'lower' \(0.36\) is above 'y' \(0.35\) in row 1"),
        (0, "segment", "", r"column 'segment' is empty in row 0"),
    ],
)
def test_series_rejects_bad_tables(series_table, row, column, value, message):
    series_table.loc[row, column] = value
    with pytest.raises(ValueError, match=message):
        series_with_breaks(series_table, y_label="y")


def test_series_missing_column(series_table):
    with pytest.raises(ValueError, match=r"missing column\(s\) 'segment'"):
        series_with_breaks(series_table.drop(columns="segment"), y_label="y")


def test_series_empty_table(series_table):
    with pytest.raises(ValueError, match="no rows"):
        series_with_breaks(series_table.iloc[0:0], y_label="y")


# -- charts that stand alone -------------------------------------------------------------


def all_charts(scatter_table, bars_table, series_table, **kwargs) -> list[Figure]:
    return [
        scatter(scatter_table, title="测试 scatter", **kwargs),
        draw(capacity_bars(bars_table, value_label="v", title="测试 bars", **kwargs)),
        draw(series_with_breaks(series_table, y_label="y", title="测试 series", **kwargs)),
    ]


def test_charts_name_their_sources_at_the_foot(scatter_table, bars_table, series_table):
    one = all_charts(scatter_table, bars_table, series_table, source="人民网 (2015)")
    assert [texts(fig, "source") for fig in one] == [["Source: 人民网 (2015)"]] * 3
    two = all_charts(
        scatter_table, bars_table, series_table, source=["A report (2013)", "B page (2018)"]
    )
    assert [texts(fig, "source") for fig in two] == [
        ["Sources: A report (2013); B page (2018)"]
    ] * 3
    for fig in one:  # the source line is the lowest text, inside the image
        renderer = fig.canvas.get_renderer()
        (source,) = [t for t in fig.texts if t.get_gid() == "source"]
        box = source.get_window_extent(renderer)
        assert box.y0 >= 0 and box.x1 <= fig.bbox.width
        for other in fig.texts:
            if other is not source:
                assert other.get_window_extent(renderer).y0 >= box.y1 - 1
    none = all_charts(scatter_table, bars_table, series_table)
    assert [texts(fig, "source") for fig in none] == [[]] * 3


def test_no_text_asks_for_bold_and_no_font_is_missing(
    scatter_table, bars_table, series_table, caplog
):
    import logging

    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        figs = all_charts(scatter_table, bars_table, series_table, source="来源 source")
    assert [r.getMessage() for r in caplog.records] == []
    for fig in figs:
        artists = fig.findobj(matplotlib.text.Text)
        assert artists
        assert {a.get_fontweight() for a in artists} <= {"normal", 400}


def test_value_axes_start_at_zero_or_say_so(scatter_table, series_table):
    (ax,) = scatter(scatter_table).axes
    assert ax.get_xlim()[0] == 0 and ax.get_ylim()[0] == 0
    (ax,) = draw(series_with_breaks(series_table, y_label="y")).axes
    assert ax.get_ylim()[0] == 0
    fitted = scatter(scatter_table, from_zero=False)
    (ax,) = fitted.axes
    assert ax.get_xlim()[0] > 0
    (notes,) = texts(fitted, "notes")
    assert "The x axis does not start at zero" in notes
    assert "The y axis does not start at zero" in notes
    negative = series_table.assign(y=series_table["y"] - 1, lower=series_table["lower"] - 1,
                                   upper=series_table["upper"] - 1)
    (ax,) = draw(series_with_breaks(negative, y_label="y")).axes
    assert ax.get_ylim()[0] < -0.5  # negative values: the axis fits them


def test_legends_sit_outside_the_plotting_area(scatter_table, series_table):
    for fig in (
        scatter(scatter_table),
        draw(series_with_breaks(series_table, y_label="y", title="测试")),
    ):
        (ax,) = fig.axes
        renderer = fig.canvas.get_renderer()
        legend = ax.get_legend().get_window_extent(renderer)
        assert not legend.overlaps(ax.get_window_extent(renderer))
        assert legend.x1 <= fig.bbox.width + 1 and legend.y0 >= 0


def test_bars_can_show_percentages_and_wrap_long_panel_titles():
    long = "share of enterprises with a party organization (derived, as printed)"
    table = pd.DataFrame(
        {
            "label": ["A", "B", "A"],
            "metric": [long, long, "formation rate"],
            "value": [0.5, 0.9, 0.94],
            "lower": [0.5, 0.9, 0.94],
            "upper": [0.5, 0.9, 0.94],
        }
    )
    axis_title = "每家企业或每个组织 per firm or per organization, as a share of all"
    fig = draw(capacity_bars(table, value_label=axis_title, percent=True))
    first = fig.axes[0]
    assert isinstance(first.xaxis.get_major_formatter(), PercentFormatter)
    assert "\n" in first.get_title(loc="left")
    renderer = fig.canvas.get_renderer()
    titles = [ax.title if ax.get_title() else ax._left_title for ax in fig.axes[:2]]
    first_box, second_box = (t.get_window_extent(renderer) for t in titles)
    assert first_box.x1 <= second_box.x0
    labels = [ax.xaxis.label.get_window_extent(renderer) for ax in fig.axes[:2]]
    assert "\n" in fig.axes[0].get_xlabel() and labels[0].x1 <= labels[1].x0


def test_bars_with_long_labels_stack_panels_each_as_tall_as_its_regions():
    long = "鄂尔多斯高新技术产业开发区 Ordos High-tech Industrial Development Zone"
    table = pd.DataFrame(
        {
            "label": [f"{long} {i}" for i in range(6)] + [f"{long} 0"],
            "metric": ["many"] * 6 + ["one"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            "lower": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            "upper": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        }
    )
    fig = draw(capacity_bars(table, value_label="v"))
    many, one = fig.axes
    assert many.get_ylim() == (5.5, -0.5) and one.get_ylim() == (0.5, -0.5)
    assert many.get_position().height > 2 * one.get_position().height
    assert [t.get_text() for t in one.get_yticklabels()] == [f"{long} 0"]


def test_bar_chart_texts_do_not_collide():
    """Region labels, note marks, panel titles, ticks and axis titles of a capacity chart
    with long labels, ranges and notes each take their own space."""
    long = "鄂尔多斯高新技术产业开发区 Ordos High-tech Industrial Development Zone"
    table = pd.DataFrame(
        {
            "label": [long, "丽水市 Lishui", "江苏省开发园区 Jiangsu development parks", long,
                      "通城县 Tongcheng County"],
            "metric": ["members per organization"] * 3 + ["instructors per 1,000 firms"] * 2,
            "value": [260.0, 10.0, 6.0, 580.0, 40.0],
            "lower": [260.0, 5.0, 5.0, 290.0, 40.0],
            "upper": [260.0, 12.0, 7.0, 580.0, 40.0],
            "note": ["one other value", "inputs of different dates", "a running total", "",
                     "one other value"],
        }
    )
    fig = draw(capacity_bars(table, value_label="每家企业 per firm", source="Test source, 2020"))
    renderer = fig.canvas.get_renderer()
    texts = [
        t for t in fig.findobj(matplotlib.text.Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is fig
    ]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    clashes = [
        (a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
        if box_a.width and box_b.width and box_a.overlaps(box_b)
    ]
    assert clashes == []
    marks = [t for t in texts if t.get_gid() == "note-mark"]
    assert len(marks) == 4
