"""Charts of sensitivity, uncertainty and power: what they draw, no bold, a source line.

The tables are made by the analysis functions on the bundled data, or invented here.
"""

from __future__ import annotations

import logging
import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import dangjian_analysis as dj

SOURCE = "test source line"


@pytest.fixture(autouse=True)
def _restore_settings():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def render(fig: Figure, caplog) -> Figure:
    """Draw the figure: no missing glyph, no font warning (a bold face would give one)."""
    assert isinstance(fig, Figure)
    with caplog.at_level(logging.WARNING, logger="matplotlib"), warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph .* missing", category=UserWarning)
        fig.canvas.draw()
    assert [r.getMessage() for r in caplog.records if "findfont" in r.getMessage()] == []
    weights = {t.get_fontweight() for t in fig.findobj(Text) if t.get_text()}
    assert not weights & {"bold", "heavy", "extra bold", "black", "semibold", "demibold", 600, 700,
                          800, 900}
    assert any(SOURCE in t.get_text() for t in fig.texts), "no source line in the figure"
    return fig


@pytest.fixture(scope="module")
def pairs(figures, scopes, settings):
    cross = dj.cross_section(figures, scopes, "output_growth", settings=settings)
    return dj.preferred_pairs(cross)


def test_permutation_plot(pairs, caplog) -> None:
    dist = dj.permutation_distribution(pairs.coverage_value, pairs.outcome_value)
    fig = render(dj.permutation_plot(dist, observed=dist.attrs["observed"],
                                     title="置换分布 permutation", source=SOURCE), caplog)
    ax = fig.axes[0]
    assert [line.get_gid() for line in ax.lines] == ["observed"]
    assert ax.lines[0].get_xdata()[0] == pytest.approx(dist.attrs["observed"])
    assert dist.attrs["observed"] == pytest.approx(0.4)  # four regions in data 1.3.0
    assert any("p = 0.75" in t.get_text() for t in ax.get_legend().get_texts())
    with pytest.raises(ValueError, match="probability"):
        dj.permutation_plot(dist.assign(probability=2.0), observed=0.5)


def test_interval_comparison(caplog) -> None:
    table = pd.DataFrame({"label": ["OLS 95% CI", "bounds"], "estimate": [6.5, 6.5],
                          "lower": [-114.0, 5.7], "upper": [127.0, 7.3]})
    fig = render(dj.interval_comparison(table, x_label="斜率 slope", source=SOURCE), caplog)
    shown = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "interval-text"]
    assert shown == ["+6.5  [-114, +127]", "+6.5  [+5.7, +7.3]"]
    with pytest.raises(ValueError, match="'lower'"):
        dj.interval_comparison(table.assign(lower=[7.0, 5.7]), x_label="x")


def test_specification_dots(caplog) -> None:
    table = pd.DataFrame({"label": ["a#1, b#1", "a#2, b#1", "a#2, b#2"],
                          "statistic": [0.5, -0.5, math.nan], "group": ["one", "two", "two"]})
    fig = render(dj.specification_dots(table, group_label="A", title="规格 specs",
                                       source=SOURCE), caplog)
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["A: one", "A: two"]
    assert legend.get_title().get_text() == "规格 specs"
    assert [t.get_gid() for t in fig.axes[0].texts] == ["not-computed"]
    with pytest.raises(ValueError, match="'group'"):
        dj.specification_dots(table.assign(group=["", "x", "y"]))


def test_tipping_point_chart(pairs, regions, caplog) -> None:
    segments = dj.sign_segments(pairs)
    labels = {r: dj.region_label(regions, r) for r in pairs.region_id}
    fig = render(dj.tipping_point_chart(segments, labels=labels, title="临界点 tipping",
                                        source=SOURCE), caplog)
    coverage, growth = fig.axes
    assert coverage.get_yticklabels()[0].get_text() == labels[pairs.region_id.iloc[0]]
    observed = [c for c in coverage.collections if c.get_gid() == "observed"]
    assert len(observed) == len(pairs)
    left, right = growth.get_xlim()
    assert math.isfinite(left) and math.isfinite(right)
    with pytest.raises(ValueError, match="'value'"):
        dj.tipping_point_chart(segments.drop(columns="value"))


def test_power_curve_plot(caplog) -> None:
    curve = dj.power_curve(range(3, 9))
    fig = render(dj.power_curve_plot(curve, title="检验力 power", source=SOURCE, mark_n=[3]),
                 caplog)
    ax = fig.axes[0]
    gids = {c.get_gid() for c in ax.collections}
    assert "none" in gids
    none = next(c for c in ax.collections if c.get_gid() == "none")
    assert len(none.get_offsets()) == 3  # n = 3, 4 and 5
    assert {line.get_gid() for line in ax.lines} >= {"rank-test", "fisher-z", "mark"}
