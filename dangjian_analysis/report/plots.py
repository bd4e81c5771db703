"""Figures for the analysis, drawn with matplotlib in the project style.

Each function takes a small pandas DataFrame (one row per point or bar), checks it, applies
:func:`dangjian_analysis.report.style.use_style` and returns a :class:`matplotlib.figure.Figure`.
The figure has its own Agg canvas and is not registered with pyplot: return it from a
notebook cell to show it, or call ``fig.savefig("name.png")``. Nothing random is involved:
the same table always gives the same picture.

Conventions shared by the functions:

* Bounds (``lower``/``upper``, ``x_lower``/...) give the range a figure can take (an
  approximate figure, an uncertain reference period). A bound equal to its value draws no
  bar; an empty bound means the range is open on that side (a "more than" figure) and is
  drawn as an arrow. A bound on the wrong side of its value is an error.
* Optional ``note`` texts flag figures that are not strictly comparable (another scope,
  another definition, a different period). Each distinct note gets a number, shown next to
  the figures it applies to and listed under the plot.
* A figure stands alone: ``source`` names the sources of its numbers, printed as the last
  line inside the image; value axes of shares, counts and amounts start at zero (an axis
  that does not says so under the plot); legends sit outside the plotting area, where they
  cannot cover data.
* Bad input raises :class:`ValueError` naming the column and the row.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dangjian_analysis.report.plot_input import (
    check_columns,
    check_interval,
    check_numeric,
    check_present,
    check_text,
    is_blank,
    row_name,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.transforms import Bbox

__all__ = [
    "BAR_COLUMNS",
    "BREAK_TEXT",
    "MISSING_PREFIX",
    "NOT_FROM_ZERO_NOTE",
    "NO_DATA",
    "SCATTER_COLUMNS",
    "SERIES_COLUMNS",
    "capacity_bars",
    "coverage_growth_scatter",
    "interval_comparison",
    "permutation_plot",
    "power_curve_plot",
    "series_with_breaks",
    "specification_dots",
    "tipping_point_chart",
]

#: Required columns of each function's table (``note``, and ``kind`` for series, are optional).
SCATTER_COLUMNS = ("label", "x", "x_lower", "x_upper", "y", "y_lower", "y_upper", "marker_group")
BAR_COLUMNS = ("label", "metric", "value", "lower", "upper")
SERIES_COLUMNS = ("x", "y", "lower", "upper", "segment", "label")

#: Text shown where a bar has no value.
NO_DATA = "no data"
#: How the foot of a bar chart lists the regions whose figure is missing from a panel.
MISSING_PREFIX = "No figure"
#: Text beside the dotted line where the definition of a series changes.
BREAK_TEXT = "口径变化 definition changes"
#: Footnote explaining the arrows drawn for open bounds.
OPEN_BOUND_NOTE = "→ range open on that side (the source gives only a lower or upper bound)"
#: Footnote for a value axis that does not start at zero.
NOT_FROM_ZERO_NOTE = (
    "The {axis} axis does not start at zero: differences look larger than they are."
)
#: Words before the list of sources printed at the foot of a figure.
SOURCE_PREFIX = "Source: "
SOURCES_PREFIX = "Sources: "
#: ``kind`` of the rows that form the main line series in :func:`series_with_breaks`.
SERIES_KIND = "series"

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_EXTRA_MARKERS = ("D", "v", "P", "X", "*", "<", ">")
_ARROW_POINTS = 16.0
_NOTE_FONTSIZE = 8.5
_LABEL_FONTSIZE = 9.0
# Where a point's label may go, in order of preference: offset in points from the point,
# then its alignment. Labels set further off get a thin leader line to their point.
_LABEL_SPOTS = (
    (7, 3, "left", "bottom"),
    (7, -3, "left", "top"),
    (-7, 3, "right", "bottom"),
    (-7, -3, "right", "top"),
    (0, 9, "center", "bottom"),
    (0, -9, "center", "top"),
    (16, 16, "left", "bottom"),
    (16, -16, "left", "top"),
    (-16, 16, "right", "bottom"),
    (-16, -16, "right", "top"),
    (0, 26, "center", "bottom"),
    (0, -26, "center", "top"),
    (30, 0, "left", "center"),
    (-30, 0, "right", "center"),
    (28, 28, "left", "bottom"),
    (28, -28, "left", "top"),
    (-28, 28, "right", "bottom"),
    (-28, -28, "right", "top"),
)
_LEADER_FROM = 15.0  # points: labels at least this far off get a leader line
_LEADER = {"arrowstyle": "-", "color": "0.45", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 5}


def coverage_growth_scatter(
    table: pd.DataFrame,
    *,
    x_label: str,
    y_label: str,
    title: str | None = None,
    x_percent: bool = False,
    y_percent: bool = False,
    show_boxes: bool = False,
    markers: Mapping[str, str] | None = None,
    source: str | Sequence[str] | None = None,
    from_zero: bool = True,
) -> Figure:
    """Scatter one point per region with the ranges of both measures as error bars.

    Args:
        table: one row per point, with the columns :data:`SCATTER_COLUMNS`: ``label``
            (display label, e.g. ``"桐城 Tongcheng"``), ``x``, ``x_lower``, ``x_upper``,
            ``y``, ``y_lower``, ``y_upper`` and ``marker_group`` (the definition of
            coverage, a key of ``markers``); optional ``note`` (a comparability flag such
            as ``"above-scale only; 1-year growth"``).
        x_label: title of the x axis.
        y_label: title of the y axis.
        title: figure title.
        x_percent: format x ticks as percentages (the values are ratios, 0.5 = 50%).
        y_percent: the same for y.
        show_boxes: shade the rectangle spanned by both ranges of each point.
        markers: marker shape per ``marker_group``; by default the groups take the shapes
            of :data:`dangjian_analysis.report.style.MARKER_SEQUENCE` in the order they
            first appear (pass ``scatter_markers(figures)`` to keep one shape per coverage
            definition across charts).
        source: the source (or sources) of the numbers, by name; printed at the foot.
        from_zero: start each axis at zero when no value or bound is negative (default);
            with False the axes fit the data, and a note under the plot says so.

    Points whose bounds equal their values are drawn without bars. No line is fitted:
    with a handful of regions measured in different ways, a trend line would mislead.

    Raises:
        ValueError: a column is missing, ``x`` or ``y`` is empty, a bound lies on the wrong
            side of its value, or a ``marker_group`` has no marker.

    """
    palette = _start()
    data = _checked_scatter_table(table)
    marker_of = _scatter_markers(data, markers)
    marks, note_lines = _number_notes(data)
    colour_of = {group: palette[i % len(palette)] for i, group in enumerate(marker_of)}
    fig, axes = _new_figure()
    ax = axes[0][0]
    open_bounds = _draw_scatter_ranges(ax, data, colour_of, show_boxes=show_boxes)
    _draw_scatter_points(ax, data, marker_of, colour_of)
    note_lines += _scatter_axes(
        ax,
        data,
        x_label=x_label,
        y_label=y_label,
        title=title,
        x_percent=x_percent,
        y_percent=y_percent,
        from_zero=from_zero,
    )
    if open_bounds:
        note_lines.append(OPEN_BOUND_NOTE)
    _add_footnote(fig, note_lines, source)
    labels = [f"{label}{mark}" for label, mark in zip(data["label"], marks, strict=True)]
    _place_labels(fig, ax, list(zip(data["x"], data["y"], strict=True)), labels)
    return fig


_SCATTER_TABLE = "coverage_growth_scatter table"


def _checked_scatter_table(table: pd.DataFrame) -> pd.DataFrame:
    """Check the table of :func:`coverage_growth_scatter`; return its checked copy."""
    what = _SCATTER_TABLE
    data = check_columns(table, what, SCATTER_COLUMNS, ("note",))
    check_text(data, what, "label")
    check_text(data, what, "marker_group")
    if "note" in data.columns:
        check_text(data, what, "note", allow_blank=True)
    numbers = ["x", "x_lower", "x_upper", "y", "y_lower", "y_upper"]
    check_numeric(data, what, numbers)
    check_present(data, what, ["x", "y"])
    check_interval(data, what, "x", "x_lower", "x_upper")
    check_interval(data, what, "y", "y_lower", "y_upper")
    return data


def _scatter_markers(data: pd.DataFrame, markers: Mapping[str, str] | None) -> dict[str, str]:
    """Return the marker of each group (by default in order of appearance), checking all."""
    from dangjian_analysis.report.style import MARKER_SEQUENCE

    if markers is None:
        groups = dict.fromkeys(data["marker_group"])
        markers = {g: MARKER_SEQUENCE[i % len(MARKER_SEQUENCE)] for i, g in enumerate(groups)}
    marker_of = dict(markers)
    for position, group in enumerate(data["marker_group"]):
        if group not in marker_of:
            raise ValueError(
                f"{_SCATTER_TABLE}: column 'marker_group' holds {group!r} in "
                f"{row_name(data, position)}; "
                f"known groups: {', '.join(repr(g) for g in marker_of)}"
            )
    return marker_of


def _draw_scatter_ranges(
    ax: Axes, data: pd.DataFrame, colour_of: Mapping[str, Any], *, show_boxes: bool
) -> int:
    """Draw the range boxes (if asked) and error bars of every point; return the arrow count."""
    from matplotlib.patches import Rectangle

    open_bounds = 0
    for row in data.itertuples(index=False):
        colour = colour_of[row.marker_group]
        if show_boxes and all(
            not math.isnan(v) for v in (row.x_lower, row.x_upper, row.y_lower, row.y_upper)
        ):
            ax.add_patch(
                Rectangle(
                    (row.x_lower, row.y_lower),
                    row.x_upper - row.x_lower,
                    row.y_upper - row.y_lower,
                    facecolor=colour,
                    edgecolor="none",
                    alpha=0.12,
                    zorder=1,
                    gid="range-box",
                )
            )
        open_bounds += _draw_ranges(
            ax,
            row.x,
            row.y,
            x_range=(row.x_lower, row.x_upper),
            y_range=(row.y_lower, row.y_upper),
            colour=colour,
        )
    return open_bounds


def _draw_scatter_points(
    ax: Axes,
    data: pd.DataFrame,
    marker_of: Mapping[str, str],
    colour_of: Mapping[str, Any],
) -> None:
    """Draw the points of each marker group, one legend entry per group."""
    for group, marker in marker_of.items():
        rows = data[data["marker_group"] == group]
        if rows.empty:
            continue
        ax.scatter(
            rows["x"],
            rows["y"],
            marker=marker,
            s=70,
            color=colour_of[group],
            edgecolor="white",
            linewidth=0.9,
            zorder=3,
            label=group,
            gid=f"points:{group}",
        )


def _scatter_axes(
    ax: Axes,
    data: pd.DataFrame,
    *,
    x_label: str,
    y_label: str,
    title: str | None,
    x_percent: bool,
    y_percent: bool,
    from_zero: bool,
) -> list[str]:
    """Set the scatter's titles, scales and legend; return the notes on axes not from zero."""
    ax.margins(0.15)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if title:
        ax.set_title(title)
    _percent_axes(ax, x_percent=x_percent, y_percent=y_percent)
    notes = []
    for axis, columns in (("x", ["x", "x_lower", "x_upper"]), ("y", ["y", "y_lower", "y_upper"])):
        note = _zero_axis(ax, axis, data[columns], from_zero=from_zero)
        if note:
            notes.append(note)
    ax.legend(
        title="definition",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        frameon=False,
    )
    return notes


def capacity_bars(
    table: pd.DataFrame,
    *,
    value_label: str,
    title: str | None = None,
    source: str | Sequence[str] | None = None,
    percent: bool = False,
) -> Figure:
    """Draw horizontal bars per region, one panel per metric, with interval whiskers.

    Args:
        table: one row per region and metric, with the columns :data:`BAR_COLUMNS`:
            ``label`` (region), ``metric`` (e.g. ``"instructors per 1,000 enterprises"``),
            ``value``, ``lower``, ``upper``; optional ``note``. Each panel shows only the
            regions with a value for its metric; a row with an empty ``value`` is listed
            at the foot ("No figure for <metric>: ...") rather than drawn.
        value_label: title of the value axes (under the panels of the bottom row).
        title: figure title.
        source: the source (or sources) of the numbers, by name; printed at the foot.
        percent: format the value axes as percentages (the values are ratios).

    Each panel has its own scale (metrics differ in units) and its own list of regions,
    in the order they first appear in ``table``; no panel is padded with empty rows.

    Raises:
        ValueError: a column is missing, a bound lies on the wrong side of its value, a bound
            is given without a value, or a region appears twice for one metric.

    """
    palette = _start()
    data = _checked_bar_table(table)
    marks, note_lines = _number_notes(data)
    metrics = list(dict.fromkeys(data["metric"]))
    shown = {
        metric: [
            label
            for label, m, value in zip(data["label"], data["metric"], data["value"], strict=True)
            if m == metric and not math.isnan(value)
        ]
        for metric in metrics
    }
    missing = {
        metric: [
            label
            for label, m, value in zip(data["label"], data["metric"], data["value"], strict=True)
            if m == metric and math.isnan(value)
        ]
        for metric in metrics
    }
    most = max((len(v) for v in shown.values()), default=1)
    longest = max((_text_width(str(label)) for label in data["label"]), default=0)
    nrows, ncols, width, height = _bar_grid(len(metrics), most, longest)
    ratios = None
    if ncols == 1:  # one panel a row: each as tall as its own regions need
        counts = [max(len(shown[m]), 1) for m in metrics]
        ratios = [0.42 * n + 1.0 for n in counts]
        height = sum(ratios) + 0.6
    fig, axes = _new_figure(nrows, ncols, figsize=(width, height), height_ratios=ratios)
    # Long metric names and axis titles wrap to the width of their panel instead of
    # running into the next one.
    panel_units = int(width / ncols * 72 * 0.9 / (10 * 0.56))
    open_bounds = 0
    for k, metric in enumerate(metrics):
        ax = axes[k // ncols][k % ncols]
        values, arrows = _draw_bar_panel(ax, data, metric, shown[metric], marks, palette[0])
        open_bounds += arrows
        below = k + ncols >= len(metrics)  # no panel below: label the value axis
        _label_bar_panel(
            ax,
            metric,
            value_label if below else None,
            values,
            panel_units=panel_units,
            percent=percent,
        )
    _finish_bar_grid(fig, axes, [shown[m] for m in metrics], None if ratios else most, title)
    if open_bounds:
        note_lines.append(OPEN_BOUND_NOTE)
    note_lines += [
        f"{MISSING_PREFIX} for {metric}: {', '.join(labels)}"
        for metric, labels in missing.items()
        if labels
    ]
    _add_footnote(fig, note_lines, source)
    return fig


def _checked_bar_table(table: pd.DataFrame) -> pd.DataFrame:
    """Check the table of :func:`capacity_bars` (one row per region and metric); return it."""
    what = "capacity_bars table"
    data = check_columns(table, what, BAR_COLUMNS, ("note",))
    check_text(data, what, "label")
    check_text(data, what, "metric")
    if "note" in data.columns:
        check_text(data, what, "note", allow_blank=True)
    check_numeric(data, what, ["value", "lower", "upper"])
    check_interval(data, what, "value", "lower", "upper")
    seen: dict[tuple[str, str], int] = {}
    for position, key in enumerate(zip(data["label"], data["metric"], strict=True)):
        if key in seen:
            raise ValueError(
                f"{what}: region {key[0]!r} appears twice for metric {key[1]!r} "
                f"({row_name(data, seen[key])} and {row_name(data, position)})"
            )
        seen[key] = position
    return data


def _bar_grid(metrics: int, regions: int, label_units: int = 0) -> tuple[int, int, float, float]:
    """Return the rows, columns, width and height of the grid of bar panels.

    ``regions`` is the most regions any one panel shows; ``label_units`` the width of the
    longest region label in half-em units. Every panel lists its own regions, so long
    labels put the panels one under another.
    """
    ncols = 1 if label_units > 40 else min(2, metrics)
    nrows = math.ceil(metrics / ncols)
    label_inches = label_units * 10 * 0.56 / 72  # tick labels at matplotlib's 10 pt
    width = min(13.0, ncols * (max(label_inches, 1.5) + 3.6) + 0.6)
    height = nrows * max(2.0, 0.42 * regions + 1.0) + 0.6
    return nrows, ncols, width, height


def _draw_bar_panel(
    ax: Axes,
    data: pd.DataFrame,
    metric: str,
    labels: Sequence[str],
    marks: Sequence[str],
    colour: Any,
) -> tuple[list[float], int]:
    """Draw one metric's bars, ranges and note marks; return the values and arrow count."""
    rows = {
        label: position
        for position, (label, m) in enumerate(zip(data["label"], data["metric"], strict=True))
        if m == metric
    }
    values = []
    open_bounds = 0
    for y, label in enumerate(labels):
        position = rows.get(label)
        value = math.nan if position is None else data["value"].iloc[position]
        if position is None or math.isnan(value):
            continue
        values.append(value)
        ax.barh(y, value, height=0.62, color=colour, zorder=2, gid=f"bar:{label}")
        lower = data["lower"].iloc[position]
        upper = data["upper"].iloc[position]
        open_bounds += _draw_ranges(ax, value, y, x_range=(lower, upper), colour="0.15")
        if marks[position]:
            end = value if math.isnan(upper) else upper
            shift = 4.0 + (_ARROW_POINTS if math.isnan(upper) else 0.0)
            ax.annotate(
                marks[position],
                (end, y),
                xytext=(shift, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=_LABEL_FONTSIZE + 1,
                gid="note-mark",
            )
    return values, open_bounds


def _label_bar_panel(
    ax: Axes,
    metric: str,
    value_label: str | None,
    values: Sequence[float],
    *,
    panel_units: int,
    percent: bool,
) -> None:
    """Title one bar panel, label its value axis (if given) and set its scale."""
    ax.set_title("\n".join(_wrap(metric, panel_units)), fontsize=10, loc="left")
    if value_label is not None:
        ax.set_xlabel("\n".join(_wrap(value_label, panel_units)), fontsize=10)
    ax.grid(axis="y", visible=False)
    ax.margins(x=0.18)
    if not values or min(values) >= 0:
        ax.set_xlim(left=0)
    _percent_axes(ax, x_percent=percent)


def _finish_bar_grid(
    fig: Figure, axes: Any, panels: Sequence[Sequence[str]], most: int | None, title: str | None
) -> None:
    """Hide the unused cells, list each panel's regions beside it and add the title.

    Every panel keeps the same bar height: ``most`` rows each in a grid of equal cells, or
    its own number of rows when the panels' heights follow their rows (``most`` None).
    """
    nrows, ncols = len(axes), len(axes[0])
    for k in range(len(panels), nrows * ncols):
        axes[k // ncols][k % ncols].set_axis_off()
    for k, labels in enumerate(panels):
        ax = axes[k // ncols][k % ncols]
        ax.set_yticks(range(len(labels)), labels)
        rows = max(most if most is not None else len(labels), 1)
        ax.set_ylim(rows - 0.5, -0.5)  # first region on top
    if title:
        fig.suptitle(title, x=0.01, ha="left")


def series_with_breaks(
    table: pd.DataFrame,
    *,
    y_label: str,
    title: str | None = None,
    x_label: str | None = None,
    y_percent: bool = False,
    source: str | Sequence[str] | None = None,
    from_zero: bool = True,
) -> Figure:
    """Draw a series whose definition changes, never joining points across a change.

    Args:
        table: one row per observation, with the columns :data:`SERIES_COLUMNS`: ``x``
            (year), ``y``, ``lower``, ``upper``, ``segment`` (an id for the definition in
            force) and ``label`` (how the legend names that definition). Optional ``kind``:
            rows whose kind is empty or ``"series"`` form the main series; rows of any other
            kind (e.g. ``"survey wave"``) are drawn as separate points, one marker per kind,
            never joined by lines (their ``segment`` and ``label`` may be empty).
        y_label: title of the y axis.
        title: figure title.
        x_label: title of the x axis (none by default: years speak for themselves).
        y_percent: format y ticks as percentages (the values are ratios).
        source: the source (or sources) of the numbers, by name; printed at the foot.
        from_zero: start the y axis at zero when no value or bound is negative (default);
            with False it fits the data, and a note under the plot says so.

    Points of the main series are joined only while the definition stays the same; where it
    changes, a dotted vertical line marked :data:`BREAK_TEXT` separates the two.

    Raises:
        ValueError: a column is missing, ``x`` or ``y`` is empty, a bound lies on the wrong
            side of its value, a segment has two labels, or two main-series rows share ``x``.

    """
    palette = _start()
    data, kinds = _checked_series_table(table)
    main = data[[k == SERIES_KIND for k in kinds]]
    label_of = _segment_labels(main)
    fig, axes = _new_figure()
    ax = axes[0][0]
    runs = _segment_runs(main)
    segments = list(dict.fromkeys(segment for segment, _ in runs))
    colour_of = {s: palette[i % len(palette)] for i, s in enumerate(segments)}
    open_bounds = _draw_runs(ax, runs, colour_of, label_of)
    _draw_breaks(ax, runs)
    open_bounds += _draw_other_kinds(ax, data, kinds)
    _series_axes(ax, y_label=y_label, x_label=x_label, title=title, y_percent=y_percent)
    _series_legend(fig, ax, below_x_label=x_label is not None)
    note_lines = [OPEN_BOUND_NOTE] if open_bounds else []
    note = _zero_axis(ax, "y", data[["y", "lower", "upper"]], from_zero=from_zero)
    if note:
        note_lines.append(note)
    _add_footnote(fig, note_lines, source)
    return fig


_SERIES_TABLE = "series_with_breaks table"


def _checked_series_table(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Check the table of :func:`series_with_breaks`; return it and the kind of each row."""
    what = _SERIES_TABLE
    data = check_columns(table, what, SERIES_COLUMNS, ("kind",))
    check_numeric(data, what, ["x", "y", "lower", "upper"])
    check_present(data, what, ["x", "y"])
    check_interval(data, what, "y", "lower", "upper")
    if "kind" in data.columns:
        check_text(data, what, "kind", allow_blank=True)
        kinds = [SERIES_KIND if is_blank(k) else k for k in data["kind"]]
    else:
        kinds = [SERIES_KIND] * len(data)
    main = data[[k == SERIES_KIND for k in kinds]]
    check_text(main, what, "segment")
    check_text(main, what, "label")
    check_text(data, what, "segment", allow_blank=True)
    check_text(data, what, "label", allow_blank=True)
    return data, kinds


def _segment_labels(main: pd.DataFrame) -> dict[str, str]:
    """Return the label of each segment of the main series, checking labels and years."""
    what = _SERIES_TABLE
    label_of: dict[str, tuple[str, int]] = {}
    first_x: dict[float, int] = {}
    for position, (x, segment, label) in enumerate(
        zip(main["x"], main["segment"], main["label"], strict=True)
    ):
        if segment in label_of and label_of[segment][0] != label:
            earlier = row_name(main, label_of[segment][1])
            raise ValueError(
                f"{what}: segment {segment!r} has two labels, {label_of[segment][0]!r} "
                f"({earlier}) and {label!r} ({row_name(main, position)})"
            )
        label_of.setdefault(segment, (label, position))
        if x in first_x:
            raise ValueError(
                f"{what}: column 'x' holds {x:g} twice in the main series "
                f"({row_name(main, first_x[x])} and {row_name(main, position)})"
            )
        first_x[x] = position
    return {segment: label for segment, (label, _) in label_of.items()}


def _segment_runs(main: pd.DataFrame) -> list[tuple[str, Any]]:
    """Split the main series, in order of ``x``, into runs of one segment each."""
    ordered = main.sort_values("x", kind="stable")
    runs: list[tuple[str, Any]] = []
    start = 0
    seg_list = list(ordered["segment"])
    for i in range(1, len(seg_list) + 1):
        if i == len(seg_list) or seg_list[i] != seg_list[start]:
            runs.append((seg_list[start], ordered.iloc[start:i]))
            start = i
    return runs


def _draw_runs(
    ax: Axes,
    runs: Sequence[tuple[str, Any]],
    colour_of: Mapping[str, Any],
    label_of: Mapping[str, str],
) -> int:
    """Draw each run as a line with its ranges (one legend entry per segment); count arrows."""
    open_bounds = 0
    legend_done: set[str] = set()
    for segment, run in runs:
        colour = colour_of[segment]
        for row in run.itertuples(index=False):
            open_bounds += _draw_ranges(
                ax, row.x, row.y, y_range=(row.lower, row.upper), colour=colour, capsize=2.5
            )
        ax.plot(
            run["x"],
            run["y"],
            color=colour,
            marker="o",
            markersize=5,
            linewidth=1.8,
            zorder=3,
            label=label_of[segment] if segment not in legend_done else "_nolegend_",
            gid=f"segment:{segment}",
        )
        legend_done.add(segment)
    return open_bounds


def _draw_breaks(ax: Axes, runs: Sequence[tuple[str, Any]]) -> None:
    """Mark each change of definition with a dotted line halfway between two runs."""
    for (_, before), (_, after) in itertools.pairwise(runs):
        at = (before["x"].iloc[-1] + after["x"].iloc[0]) / 2
        ax.axvline(at, linestyle=":", linewidth=1.4, color="0.3", zorder=1, gid="definition-break")
        ax.annotate(
            BREAK_TEXT,
            (at, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -4),
            textcoords="offset points",
            rotation=90,
            ha="left",
            va="top",
            fontsize=8,
            color="0.3",
            gid="break-label",
        )


def _draw_other_kinds(ax: Axes, data: pd.DataFrame, kinds: Sequence[str]) -> int:
    """Draw the rows outside the main series as points, one marker per kind; count arrows."""
    open_bounds = 0
    others = list(dict.fromkeys(k for k in kinds if k != SERIES_KIND))
    for i, kind in enumerate(others):
        rows = data[[k == kind for k in kinds]]
        for row in rows.itertuples(index=False):
            open_bounds += _draw_ranges(
                ax, row.x, row.y, y_range=(row.lower, row.upper), colour="0.25", capsize=2.5
            )
        ax.scatter(
            rows["x"],
            rows["y"],
            marker=_EXTRA_MARKERS[i % len(_EXTRA_MARKERS)],
            s=45,
            color="0.25",
            zorder=4,
            label=kind,
            gid=f"kind:{kind}",
        )
    return open_bounds


def _series_axes(
    ax: Axes, *, y_label: str, x_label: str | None, title: str | None, y_percent: bool
) -> None:
    """Set the series' year ticks, margins, titles and y format."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.06, y=0.12)
    ax.set_ylabel(y_label)
    if x_label:
        ax.set_xlabel(x_label)
    if title:
        ax.set_title(title)
    _percent_axes(ax, y_percent=y_percent)


def _series_legend(fig: Figure, ax: Axes, *, below_x_label: bool) -> None:
    """Put the legend under the plot, never over the lines; two columns if labels are short."""
    _, legend_labels = ax.get_legend_handles_labels()
    widest = max((_text_width(label) for label in legend_labels), default=0)
    columns = 2 if widest * 2 <= int(fig.get_figwidth() * 72 * 0.85 / (9 * 0.56)) else 1
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(0.0, -0.18 if below_x_label else -0.1),
        ncols=columns,
        fontsize=9,
        frameon=False,
        borderaxespad=0.0,
    )


# -- shared drawing helpers ---------------------------------------------------------------


def _start() -> list[Any]:
    """Apply the project style and return its palette."""
    from matplotlib.colors import to_rgb

    from dangjian_analysis.report.style import COLORS, use_style

    use_style()
    return [to_rgb(c) for c in COLORS]


def _new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    figsize: tuple[float, float] | None = None,
    sharey: bool = False,
    height_ratios: Sequence[float] | None = None,
) -> tuple[Figure, Any]:
    """Create a figure with an Agg canvas and constrained layout, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    grid = {"height_ratios": list(height_ratios)} if height_ratios else None
    axes = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False, gridspec_kw=grid)
    return fig, axes


def _number_notes(data: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Give each distinct note a number, in order of appearance.

    Returns the mark of every row (``""`` without a note) and the footnote lines.
    """
    marks: list[str] = []
    number_of: dict[str, int] = {}
    notes = data["note"] if "note" in data.columns else [None] * len(data)
    for note in notes:
        if is_blank(note):
            marks.append("")
            continue
        text = note.strip()
        number = number_of.setdefault(text, len(number_of) + 1)
        marks.append(str(number).translate(_SUPERSCRIPT))
    lines = [f"{str(n).translate(_SUPERSCRIPT)} {text}" for text, n in number_of.items()]
    return marks, lines


def _draw_ranges(
    ax: Axes,
    x: float,
    y: float,
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    colour: Any,
    capsize: float = 3.5,
) -> int:
    """Draw the error bars of one point and arrows for open bounds; return the arrow count."""
    errors: dict[str, Any] = {}
    arrows = []
    for axis, centre, bounds in (("x", x, x_range), ("y", y, y_range)):
        if bounds is None:
            continue
        lower, upper = bounds
        below = 0.0 if math.isnan(lower) else centre - lower
        above = 0.0 if math.isnan(upper) else upper - centre
        if below > 0 or above > 0:
            errors[f"{axis}err"] = [[below], [above]]
        if math.isnan(lower):
            arrows.append((-_ARROW_POINTS, 0.0) if axis == "x" else (0.0, -_ARROW_POINTS))
        if math.isnan(upper):
            arrows.append((_ARROW_POINTS, 0.0) if axis == "x" else (0.0, _ARROW_POINTS))
    if errors:
        ax.errorbar(
            [x],
            [y],
            fmt="none",
            ecolor=colour,
            elinewidth=1.3,
            capsize=capsize,
            alpha=0.85,
            zorder=2,
            gid="range",
            **errors,
        )
    for dx, dy in arrows:
        ax.annotate(
            "",
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            arrowprops={"arrowstyle": "<|-", "color": colour, "linewidth": 1.3},
            zorder=2,
            gid="open-bound",
        )
    return len(arrows)


def _percent_axes(ax: Axes, *, x_percent: bool = False, y_percent: bool = False) -> None:
    """Format ratio axes as percentages."""
    from matplotlib.ticker import PercentFormatter

    if x_percent:
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))
    if y_percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))


def _zero_axis(ax: Axes, axis: str, values: pd.DataFrame, *, from_zero: bool) -> str | None:
    """Start ``axis`` at zero when every value and bound is non-negative.

    Returns the note to print under the plot when the axis does not start at zero (its
    values are non-negative but ``from_zero`` is False), else None.
    """
    finite = [float(v) for v in values.to_numpy().ravel() if not math.isnan(float(v))]
    if not finite or min(finite) < 0:
        return None
    low, high = ax.get_xlim() if axis == "x" else ax.get_ylim()
    if from_zero:
        if axis == "x":
            ax.set_xlim(0.0, high)
        else:
            ax.set_ylim(0.0, high)
        return None
    return NOT_FROM_ZERO_NOTE.format(axis=axis) if low > 0 else None


def _source_text(source: str | Sequence[str] | None) -> str:
    """``Source: a`` or ``Sources: a; b`` (empty without a source)."""
    if source is None:
        return ""
    names = [source] if isinstance(source, str) else list(dict.fromkeys(source))
    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        return ""
    return (SOURCE_PREFIX if len(names) == 1 else SOURCES_PREFIX) + "; ".join(names)


def _text_width(text: str) -> int:
    """Width of a text in half-em units: CJK and other wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Wrap a note to ``width`` half-em units: at spaces, or between any two CJK characters."""
    tokens: list[str] = []  # words, single wide characters and single spaces
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        if ch.isspace():
            tokens.append(" ")
        elif wide or not tokens or tokens[-1] == " " or _text_width(tokens[-1][-1]) == 2:
            tokens.append(ch)
        else:
            tokens[-1] += ch
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token == " ":
            line += " " if line else ""
            continue
        if line and _text_width(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        while _text_width(token) > width:  # a word longer than a line: cut it
            lines.append(token[:width])
            token = token[width:]
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _add_footnote(
    fig: Figure, lines: Sequence[str], source: str | Sequence[str] | None = None
) -> float:
    """List ``lines``, then the source line, under the axes, making the figure taller.

    The notes are one text (gid ``notes``), the source line another (gid ``source``).
    Returns the share of the figure's height taken by the foot (0 when it is empty).
    """
    source_line = _source_text(source)
    if not lines and not source_line:
        return 0.0
    units = int(fig.get_figwidth() * 72 * 0.96 / (_NOTE_FONTSIZE * 0.56))
    wrapped = [part for line in lines for part in _wrap(line, units)]
    source_lines = _wrap(source_line, units) if source_line else []
    step = _NOTE_FONTSIZE * 1.3 / 72  # inches per line (font size times line spacing)
    gap = 4 / 72 if wrapped and source_lines else 0.0
    extra = (len(wrapped) + len(source_lines)) * step + gap + 10 / 72
    height = fig.get_figheight()
    fig.set_figheight(height + extra)
    total = height + extra
    share = extra / total
    fig.get_layout_engine().set(rect=(0.0, share, 1.0, 1.0 - share))
    top = share - 2 / 72 / total
    if wrapped:
        fig.text(
            0.01,
            top,
            "\n".join(wrapped),
            ha="left",
            va="top",
            fontsize=_NOTE_FONTSIZE,
            color="0.25",
            linespacing=1.3,
            gid="notes",
        )
        top -= (len(wrapped) * step + gap) / total
    if source_lines:
        fig.text(
            0.01,
            top,
            "\n".join(source_lines),
            ha="left",
            va="top",
            fontsize=_NOTE_FONTSIZE,
            color="0.35",
            linespacing=1.3,
            gid="source",
        )
    return share


def _overlap(a: Bbox, b: Bbox) -> float:
    """Area shared by two boxes."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0 and height > 0 else 0.0


def _range_boxes(ax: Axes, renderer: Any) -> list[Bbox]:
    """Boxes on the canvas covered by error bars and open-bound arrows."""
    from matplotlib.container import ErrorbarContainer
    from matplotlib.transforms import Bbox

    pad = 2.0
    boxes = []
    for container in ax.containers:
        if not isinstance(container, ErrorbarContainer):
            continue
        for collection in container.lines[2]:
            for segment in collection.get_segments():
                (x0, y0), (x1, y1) = ax.transData.transform(segment)
                boxes.append(
                    Bbox.from_extents(
                        min(x0, x1) - pad, min(y0, y1) - pad, max(x0, x1) + pad, max(y0, y1) + pad
                    )
                )
    boxes += [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "open-bound"]
    return boxes


def _place_labels(
    fig: Figure, ax: Axes, points: Sequence[tuple[float, float]], labels: Sequence[str]
) -> None:
    """Label each point, choosing for each the first free spot around it.

    Spots are tried in a fixed order (:data:`_LABEL_SPOTS`); a spot is free when the label
    covers no point and no label placed before it and stays inside the axes. Without a
    free spot the least crowded one is used. Deterministic: same input, same placement.
    """
    from matplotlib.transforms import Bbox

    fig.canvas.draw()  # settle the layout so that positions on the canvas are final
    renderer = fig.canvas.get_renderer()
    radius = 6 * fig.dpi / 72
    taken = [
        Bbox.from_extents(px - radius, py - radius, px + radius, py + radius)
        for px, py in ax.transData.transform(points)
    ]
    taken += _range_boxes(ax, renderer)
    frame = ax.get_window_extent(renderer)
    for (x, y), label in zip(points, labels, strict=True):
        best: tuple[float, tuple[int, int, str, str], Bbox] | None = None
        for spot in _LABEL_SPOTS:
            dx, dy, ha, va = spot
            trial = ax.annotate(
                label,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=_LABEL_FONTSIZE,
            )
            box = trial.get_window_extent(renderer)
            trial.remove()
            cost = sum(_overlap(box, other) for other in taken)
            cost += 3 * (box.width * box.height - _overlap(box, frame))
            if best is None or cost < best[0]:
                best = (cost, spot, box)
            if cost == 0:
                break
        assert best is not None
        dx, dy, ha, va = best[1]
        ax.annotate(
            label,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=_LABEL_FONTSIZE,
            zorder=5,
            gid="point-label",
            arrowprops=_LEADER if math.hypot(dx, dy) >= _LEADER_FROM else None,
        )
        taken.append(best[2])


# -- sensitivity, uncertainty and power ---------------------------------------------------
#
# Charts of how much a handful of regions can say. Each takes the frame an analysis
# function returns (or a small table built from it), draws titles and axes in English and
# Chinese as given, never asks for a bold face (the bundled CJK font has only its regular
# weight) and prints ``source`` inside the figure, under the plot.

#: Colours of a positive and a negative statistic (colour-blind palette: blue, orange).
_SIGN_COLOURS = {1.0: 0, -1.0: 1}
_NEUTRAL = "0.6"


def _source_lines(source: str | None, notes: Sequence[str] = ()) -> list[str]:
    lines = list(notes)
    if source:
        lines.append(f"来源 Source: {source}")
    return lines


def _plain_title(ax: Axes, title: str | None) -> None:
    if title:
        ax.set_title(title, fontweight="normal", loc="left")


def permutation_plot(
    table: pd.DataFrame,
    *,
    observed: float,
    x_label: str = "秩相关系数 rank correlation",
    y_label: str = "概率 share of orderings",
    title: str | None = None,
    source: str | None = None,
) -> Figure:
    """Draw the permutation distribution of a statistic with the observed value marked.

    Args:
        table: one row per value of the statistic, with the columns ``statistic``,
            ``probability`` and ``as_extreme`` (at least as far from zero as the observed
            value), as from :func:`~dangjian_analysis.analysis.models.permutation_distribution`.
        observed: the observed statistic (a dashed line).
        x_label: title of the x axis.
        y_label: title of the y axis.
        title: figure title.
        source: where the numbers come from, printed under the plot.

    Bars as extreme as the observed value are drawn in the second palette colour; their
    total height is the two-sided p-value.

    Raises:
        ValueError: a column is missing or empty, or a probability lies outside [0, 1].

    """
    palette = _start()
    what = "permutation_plot table"
    data = check_columns(table, what, ("statistic", "probability", "as_extreme"))
    check_numeric(data, what, ["statistic", "probability"])
    check_present(data, what, ["statistic", "probability"])
    for position, p in enumerate(data["probability"]):
        if not 0 <= p <= 1:
            raise ValueError(
                f"{what}: column 'probability' holds {p:g} in {row_name(data, position)}; "
                "expected a value between 0 and 1"
            )
    values = data["statistic"].to_numpy(dtype="float64")
    gaps = [b - a for a, b in itertools.pairwise(sorted(set(values.tolist())))]
    width = 0.8 * min(gaps) if gaps else 0.1
    extreme = data["as_extreme"].astype(bool).to_numpy()
    fig, axes = _new_figure()
    ax = axes[0][0]
    p_value = float(data["probability"][extreme].sum())
    for flag, colour, label in (
        (False, palette[0], "less extreme than observed"),
        (True, palette[1], f"as extreme as observed: p = {p_value:.3g}"),
    ):
        mask = extreme == flag
        if mask.any():
            ax.bar(values[mask], data["probability"].to_numpy()[mask], width=width,
                   color=colour, label=label, zorder=2,
                   gid="bars:extreme" if flag else "bars:other")
    ax.axvline(observed, color="0.15", linestyle="--", linewidth=1.4, zorder=3, gid="observed")
    ax.annotate(f"observed 观测值 {observed:+.3f}", (observed, 1.0),
                xycoords=("data", "axes fraction"), xytext=(4, -4), textcoords="offset points",
                ha="left", va="top", fontsize=9, color="0.15")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_xlim(min(values.min(), observed) - width, max(values.max(), observed) + width)
    ax.set_ylim(0, max(float(data["probability"].max()) * 1.25, 0.05))
    _plain_title(ax, title)
    ax.legend(loc="upper left", fontsize=9, frameon=False, bbox_to_anchor=(0.0, 0.93))
    _add_footnote(fig, _source_lines(source))
    return fig


def interval_comparison(
    table: pd.DataFrame,
    *,
    x_label: str,
    title: str | None = None,
    source: str | None = None,
    zero_line: bool = True,
    value_format: str = "{:+.3g}",
) -> Figure:
    """Draw estimates with their intervals, one row each, on a shared axis.

    Args:
        table: one row per estimate with the columns ``label``, ``estimate``, ``lower``
            and ``upper`` (e.g. an OLS slope with its confidence interval and the range of
            the slope over the bounds of the figures); optional ``note``.
        x_label: title of the value axis (say the unit in words).
        title: figure title.
        source: where the numbers come from, printed under the plot.
        zero_line: draw a line at zero.
        value_format: format of the numbers printed above each estimate (estimate and
            interval).

    Raises:
        ValueError: a column is missing, an estimate is empty or a bound lies on the wrong
            side of its estimate.

    """
    palette = _start()
    what = "interval_comparison table"
    data = check_columns(table, what, ("label", "estimate", "lower", "upper"), ("note",))
    check_text(data, what, "label")
    if "note" in data.columns:
        check_text(data, what, "note", allow_blank=True)
    check_numeric(data, what, ["estimate", "lower", "upper"])
    check_present(data, what, ["estimate"])
    check_interval(data, what, "estimate", "lower", "upper")
    marks, notes = _number_notes(data)
    height = max(2.4, 0.7 * len(data) + 1.6)
    fig, axes = _new_figure(figsize=(7.5, height))
    ax = axes[0][0]
    for y, row in enumerate(data.itertuples(index=False)):
        colour = palette[y % len(palette)]
        _draw_ranges(ax, row.estimate, y, x_range=(row.lower, row.upper), colour=colour)
        ax.scatter([row.estimate], [y], color=colour, s=45, zorder=3, gid=f"estimate:{y}")
        low = "-∞" if math.isnan(row.lower) else value_format.format(row.lower)
        high = "∞" if math.isnan(row.upper) else value_format.format(row.upper)
        ax.annotate(f"{value_format.format(row.estimate)}  [{low}, {high}]", (row.estimate, y),
                    xytext=(0, 9), textcoords="offset points", ha="center", va="bottom",
                    fontsize=8.5, color="0.2", gid="interval-text")
    if zero_line:
        ax.axvline(0, color="0.3", linewidth=1.0, zorder=1, gid="zero")
    labels = [f"{label}{mark}" for label, mark in zip(data["label"], marks, strict=True)]
    ax.set_yticks(range(len(data)), labels)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(x_label)
    ax.margins(x=0.08)
    _plain_title(ax, title)
    _add_footnote(fig, _source_lines(source, notes))
    return fig


def specification_dots(
    table: pd.DataFrame,
    *,
    x_label: str = "秩相关系数 rank correlation",
    group_label: str = "choice",
    title: str | None = None,
    source: str | None = None,
) -> Figure:
    """Draw the statistic of every specification as a dot, grouped by a choice.

    Args:
        table: one row per specification with the columns ``label`` (which pairs),
            ``statistic`` (empty where it could not be computed: drawn as text) and
            ``group`` (the choice the dots are coloured and shaped by).
        x_label: title of the value axis.
        group_label: what the groups are (put before each group in the legend).
        title: figure title.
        source: where the numbers come from, printed under the plot.

    Raises:
        ValueError: a column is missing or a label or group is empty.

    """
    palette = _start()
    what = "specification_dots table"
    data = check_columns(table, what, ("label", "statistic", "group"))
    check_text(data, what, "label")
    check_text(data, what, "group")
    check_numeric(data, what, ["statistic"])
    groups = list(dict.fromkeys(data["group"]))
    shapes = ("o", "s", *_EXTRA_MARKERS)
    height = max(2.6, 0.34 * len(data) + 1.6)
    fig, axes = _new_figure(figsize=(7.5, height))
    ax = axes[0][0]
    ax.axvline(0, color="0.3", linewidth=1.0, zorder=1, gid="zero")
    for k, group in enumerate(groups):
        rows = [i for i, g in enumerate(data["group"]) if g == group]
        xs = [data["statistic"].iloc[i] for i in rows]
        ax.scatter([x for x in xs if not math.isnan(x)],
                   [i for i, x in zip(rows, xs, strict=True) if not math.isnan(x)],
                   marker=shapes[k % len(shapes)], s=60, color=palette[k % len(palette)],
                   zorder=3, label=group, gid=f"dots:{group}")
    for i, x in enumerate(data["statistic"]):
        if math.isnan(x):
            ax.annotate("not computed 无法计算", (0, i), xytext=(6, 0), textcoords="offset points",
                        va="center", ha="left", fontsize=8.5, style="italic", color="0.4",
                        gid="not-computed")
    ax.set_yticks(range(len(data)), list(data["label"]))
    ax.tick_params(axis="y", labelsize=8.5)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlim(-1.1, 1.1)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(x_label)
    handles, names = ax.get_legend_handles_labels()
    if group_label:
        names = [f"{group_label}: {name}" for name in names]
    # The title heads the legend, so the two stack above the plot instead of overlapping.
    fig.legend(handles, names, title=title, loc="outside upper left", alignment="left",
               fontsize=8.5, title_fontsize=12, frameon=False, ncols=1)
    _add_footnote(fig, _source_lines(source))
    return fig


def tipping_point_chart(
    segments: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
    percent: bool = True,
    title: str | None = None,
    source: str | None = None,
) -> Figure:
    """Draw, for each region, where its value keeps or flips the sign of the statistic.

    Args:
        segments: the frame of :func:`~dangjian_analysis.analysis.sensitivity.sign_segments`
            (columns ``region_id``, ``variable``, ``lower``, ``upper``, ``sign``,
            ``observed``, ``value``); infinite ends are cut at the edge of the panel.
        labels: display label per region id (default: the id).
        variables: panel title per variable (default: the variable's name).
        percent: format the value axes as percentages.
        title: figure title.
        source: where the numbers come from, printed under the plot.

    One panel per variable, one row per region: a thick bar where the statistic is
    positive, another colour where it is negative, grey where it is zero or undefined;
    ticks for single values (ties); a black diamond at the region's own value.

    Raises:
        ValueError: a column is missing or a bound is not a number.

    """
    palette = _start()
    data = _checked_segments(segments)
    names = dict(labels or {})
    panels = list(dict.fromkeys(data["variable"]))
    regions = list(dict.fromkeys(data["region_id"]))
    titles = dict(variables or {})
    height = max(2.6, 0.55 * len(regions) + 1.4)
    fig, axes = _new_figure(
        1, len(panels), figsize=(7.5 if len(panels) < 3 else 11, height), sharey=True
    )
    for k, variable in enumerate(panels):
        part = data[data["variable"] == variable]
        panel_title = titles.get(variable, variable)
        _draw_tipping_panel(axes[0][k], part, regions, palette, title=panel_title, percent=percent)
    _list_regions(axes[0][0], regions, names)
    _tipping_legend(fig, palette, title)
    _add_footnote(fig, _source_lines(source))
    return fig


def _checked_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """Check the frame of :func:`tipping_point_chart`; infinite ends become empty bounds."""
    what = "tipping_point_chart table"
    data = check_columns(
        segments, what, ("region_id", "variable", "lower", "upper", "sign", "observed", "value")
    )
    check_text(data, what, "region_id")
    check_text(data, what, "variable")
    for column in ("lower", "upper"):
        data[column] = [
            math.nan if isinstance(v, float) and math.isinf(v) else v for v in data[column]
        ]
    check_numeric(data, what, ["lower", "upper", "sign", "value"])
    return data


def _sign_colour(palette: Sequence[Any], sign: float) -> Any:
    """Colour of a sign: palette colours for positive and negative, grey otherwise."""
    return _NEUTRAL if math.isnan(sign) or sign == 0 else palette[_SIGN_COLOURS[sign]]


def _panel_extent(part: pd.DataFrame) -> tuple[float, float]:
    """Return the left and right ends of a panel, padded on a side left open."""
    finite = [v for v in [*part["lower"], *part["upper"]] if not math.isnan(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    pad = max(0.25 * (high - low), 0.02)
    open_low = part["lower"].isna().any()
    open_high = part["upper"].isna().any()
    left = low - pad if open_low else low
    right = high + pad if open_high else high
    return left, right


def _draw_tipping_panel(
    ax: Axes,
    part: pd.DataFrame,
    regions: Sequence[str],
    palette: Sequence[Any],
    *,
    title: str,
    percent: bool,
) -> None:
    """Draw one variable's pieces, ties and reported values, then set its scale and title."""
    from matplotlib.ticker import PercentFormatter

    left, right = _panel_extent(part)
    for row in part.itertuples(index=False):
        y = regions.index(row.region_id)
        a = left if math.isnan(row.lower) else row.lower
        b = right if math.isnan(row.upper) else row.upper
        colour = _sign_colour(palette, row.sign)
        if a == b:
            ax.plot(
                [a, a],
                [y - 0.22, y + 0.22],
                color=colour,
                linewidth=2.2,
                zorder=3,
                solid_capstyle="butt",
                gid="tie",
            )
        else:
            ax.plot(
                [a, b],
                [y, y],
                color=colour,
                linewidth=7,
                zorder=2,
                solid_capstyle="butt",
                gid="piece",
            )
    own = part[part["observed"].astype(bool)]
    for row in own.itertuples(index=False):
        ax.scatter(
            [row.value],
            [regions.index(row.region_id)],
            marker="D",
            s=42,
            color="black",
            zorder=4,
            gid="observed",
        )
    margin = 0.03 * (right - left)
    ax.set_xlim(left - margin, right + margin)
    ax.set_title(title, fontweight="normal", loc="left", fontsize=10)
    ax.grid(axis="y", visible=False)
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0))


def _list_regions(ax: Axes, regions: Sequence[str], names: Mapping[str, str]) -> None:
    """Name the regions down the shared y axis, the first on top."""
    ax.set_yticks(range(len(regions)), [names.get(r, r) for r in regions])
    ax.set_ylim(len(regions) - 0.5, -0.5)


def _tipping_legend(fig: Figure, palette: Sequence[Any], title: str | None) -> None:
    """Explain the colours and the diamond in a legend headed by the title, above the panels."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=palette[0], linewidth=6, label="positive 正"),
        Line2D([], [], color=palette[1], linewidth=6, label="negative 负"),
        Line2D([], [], color=_NEUTRAL, linewidth=6, label="zero or undefined 零或无定义"),
        Line2D([], [], color="black", marker="D", linestyle="none", label="as reported 报告值"),
    ]
    # The title heads the legend, so the two stack above the panels instead of overlapping.
    fig.legend(
        handles=handles,
        title=title,
        loc="outside upper left",
        alignment="left",
        ncols=4,
        fontsize=8.5,
        title_fontsize=12,
        frameon=False,
    )


def power_curve_plot(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | None = None,
    mark_n: Sequence[int] = (),
) -> Figure:
    """Draw the smallest correlation detectable with n regions, rank test and Fisher z.

    Args:
        table: the frame of :func:`~dangjian_analysis.analysis.power.power_curve`
            (``n``, ``min_detectable_r``, ``fisher_z_pearson``; NaN where none).
        title: figure title.
        source: a line under the plot (how the curve was computed).
        mark_n: numbers of regions to mark with a vertical line (e.g. the regions at hand).

    Sizes at which no correlation reaches the power are marked ``×`` on the top edge.

    Raises:
        ValueError: a column is missing or ``n`` is empty.

    """
    palette = _start()
    what = "power_curve_plot table"
    data = check_columns(table, what, ("n", "min_detectable_r", "fisher_z_pearson"))
    check_numeric(data, what, ["n", "min_detectable_r", "fisher_z_pearson"])
    check_present(data, what, ["n"])
    method = str(table.attrs.get("method", "spearman"))
    power = float(table.attrs.get("power", 0.8))
    alpha = float(table.attrs.get("alpha", 0.05))
    fig, axes = _new_figure()
    ax = axes[0][0]
    ax.plot(data["n"], data["min_detectable_r"], color=palette[0], marker="o", markersize=3.5,
            linewidth=1.8, zorder=3,
            label=f"exact / permutation {method} test 精确秩检验 (used here)", gid="rank-test")
    ax.plot(data["n"], data["fisher_z_pearson"], color=palette[2], linestyle="--",
            linewidth=1.5, zorder=2, label="Fisher z, Pearson correlation (not the test run)",
            gid="fisher-z")
    none = data[data["min_detectable_r"].isna()]
    if not none.empty:
        ax.scatter(none["n"], [1.0] * len(none), marker="x", s=40, color=palette[0], zorder=4,
                   clip_on=False,
                   label=f"no correlation reaches {power:.0%} power 无法达到", gid="none")
    for n in mark_n:
        ax.axvline(n, color="0.35", linestyle=":", linewidth=1.2, zorder=1, gid="mark")
        ax.annotate(f"n = {n}", (n, 0.02), xycoords=("data", "axes fraction"),
                    xytext=(3, 0), textcoords="offset points", fontsize=8.5, color="0.3")
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("地区数 number of regions (n)")
    ax.set_ylabel(f"最小可检测相关 smallest r detected\nwith {power:.0%} power, α = {alpha:g}")
    _plain_title(ax, title)
    ax.legend(loc="upper right", fontsize=8.5, frameon=False)
    _add_footnote(fig, _source_lines(source))
    return fig
