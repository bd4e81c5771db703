"""Charts of published firm-level estimates: what they find, and how large, where comparable.

Two charts, each taking the table of
:func:`~dangjian_analysis.report.published.estimate_plot_table` (one row per estimate, in
words), checking it and returning a :class:`matplotlib.figure.Figure` with its own Agg
canvas:

* :func:`estimate_grid`: every estimate as a marker in a grid of outcome family (rows) by
  design (columns). The marker's shape and colour give the direction (up: higher, down:
  lower, circle: no relationship found); a filled marker is reported as significant (at
  a level or in words), a hollow one as not significant, or with no significance stated.
* :func:`magnitude_panels`: the printed magnitudes, one panel per comparable group (the
  same outcome family and unit), each on its own axis, with the 95% interval where a
  standard error is printed and a line at no difference (0, or 1 for an odds ratio). No
  panel shows an average: the estimates are never pooled.

Axes and legends speak in words; a source line naming the publications closes the figure.
Bad input raises :class:`ValueError` naming the column and the row.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dangjian_analysis.report.plot_input import (
    check_columns,
    check_interval,
    check_numeric,
    check_present,
    check_text,
    row_name,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "GRID_COLUMNS",
    "MAGNITUDE_COLUMNS",
    "estimate_grid",
    "magnitude_panels",
]

#: Required columns of the tables.
GRID_COLUMNS = ("label", "family", "design", "direction", "significant")
MAGNITUDE_COLUMNS = ("label", "group", "direction", "significant", "value", "lower", "upper",
                     "reference")

_MARKERS = {"+": "^", "-": "v", "none": "o"}
_DIRECTION_LABELS = {
    "+": "higher",
    "-": "lower",
    "none": "no relationship found",
}
_NOTE_SIZE = 8.5
_PER_LINE = 6


def _start() -> list[Any]:
    from matplotlib.colors import to_rgb

    from dangjian_analysis.report.style import COLORS, use_style

    use_style()
    return [to_rgb(c) for c in COLORS]


def _colours(palette: list[Any]) -> dict[str, Any]:
    return {"+": palette[0], "-": palette[3], "none": (0.45, 0.45, 0.45)}


def _new_figure(nrows: int, figsize: tuple[float, float]) -> tuple[Figure, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, 1, squeeze=False)


def _check_directions(data: pd.DataFrame, what: str) -> None:
    for position, direction in enumerate(data["direction"]):
        if direction not in _MARKERS:
            raise ValueError(
                f"{what}: column 'direction' holds {direction!r} in {row_name(data, position)}; "
                "expected '+', '-' or 'none'"
            )


def _check_flags(data: pd.DataFrame, what: str) -> None:
    for position, flag in enumerate(data["significant"]):
        if not isinstance(flag, bool) and type(flag).__name__ != "bool_":
            raise ValueError(
                f"{what}: column 'significant' holds {flag!r} in {row_name(data, position)}; "
                "expected True or False"
            )


def _foot(fig: Figure, notes: Sequence[str], source: str | Sequence[str] | None) -> None:
    """Print the notes and then the source line under the plot, making the figure taller."""
    names = [source] if isinstance(source, str) else list(source or [])
    names = [n.strip() for n in names if n and n.strip()]
    lines = list(notes)
    if names:
        prefix = "来源 Source: " if len(names) == 1 else "来源 Sources: "
        lines.append(prefix + "; ".join(names))
    if not lines:
        return
    width = int(fig.get_figwidth() * 72 * 0.96 / (_NOTE_SIZE * 0.56))
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(_wrap(line, width))
    step = _NOTE_SIZE * 1.3 / 72
    extra = len(wrapped) * step + 12 / 72
    height = fig.get_figheight()
    fig.set_figheight(height + extra)
    share = extra / (height + extra)
    fig.get_layout_engine().set(rect=(0.0, share, 1.0, 1.0 - share))
    fig.text(0.01, share - 2 / 72 / (height + extra), "\n".join(wrapped), ha="left", va="top",
             fontsize=_NOTE_SIZE, color="0.3", linespacing=1.3, gid="source")


def _wrap(text: str, width: int) -> list[str]:
    """Wrap at spaces, counting a Chinese character as two letters."""
    import unicodedata

    def size(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    out: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and size(candidate) > width:
            out.append(line)
            line = word
        else:
            line = candidate
    if line:
        out.append(line)
    return out


def _legend(ax: Any, colours: dict[str, Any], directions: Sequence[str]) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], linestyle="none", marker=_MARKERS[d], markersize=8,
               markerfacecolor=colours[d], markeredgecolor=colours[d],
               label=_DIRECTION_LABELS[d])
        for d in ("+", "-", "none")
        if d in directions
    ]
    handles += [
        Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="0.3",
               markeredgecolor="0.3", label="reported as significant"),
        Line2D([], [], linestyle="none", marker="o", markersize=8, markerfacecolor="white",
               markeredgecolor="0.3", label="not significant, or not stated"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              fontsize=9)


def estimate_grid(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | Sequence[str] | None = None,
    families: Sequence[str] | None = None,
    designs: Sequence[str] | None = None,
) -> Figure:
    """Draw every estimate in a grid of outcome family by design.

    Args:
        table: one row per estimate with the columns ``label``, ``family`` and ``design``
            (words), ``direction`` (``+``, ``-``, ``none``) and ``significant`` (bool), as
            from :func:`~dangjian_analysis.report.published.estimate_plot_table`.
        title: the figure's title.
        source: the publications (names) behind the estimates, printed at the foot.
        families: the order of the rows (default: order of first appearance).
        designs: the order of the columns (default: order of first appearance).

    Each cell shows its estimates side by side (six to a line) and their count.

    Raises:
        ValueError: a column is missing or empty, a direction is not ``+``, ``-`` or
            ``none``, or a significance flag is not True or False.

    """
    palette = _start()
    colours = _colours(palette)
    what = "estimate_grid table"
    data = check_columns(table, what, GRID_COLUMNS)
    for column in ("family", "design"):
        check_text(data, what, column)
    _check_directions(data, what)
    _check_flags(data, what)
    rows = list(families or dict.fromkeys(data["family"]))
    cols = list(designs or dict.fromkeys(data["design"]))
    cells: dict[tuple[int, int], list[tuple[str, bool]]] = {}
    for family, design, direction, significant in zip(
        data["family"], data["design"], data["direction"], data["significant"], strict=True
    ):
        if family not in rows or design not in cols:
            continue
        cells.setdefault((rows.index(family), cols.index(design)), []).append(
            (direction, bool(significant))
        )
    most = max((len(v) for v in cells.values()), default=1)
    per_line = max(_PER_LINE, math.ceil(most / 4))
    fig, axes = _new_figure(1, (8.5, 1.0 + 0.95 * len(rows)))
    ax = axes[0][0]
    dx = 0.8 / per_line
    for (r, c), items in sorted(cells.items()):
        lines = math.ceil(len(items) / per_line)
        for k, (direction, significant) in enumerate(items):
            line, pos = divmod(k, per_line)
            in_line = min(per_line, len(items) - line * per_line)
            x = c + (pos - (in_line - 1) / 2) * dx
            y = r - 0.1 + (line - (lines - 1) / 2) * 0.2
            colour = colours[direction]
            ax.plot([x], [y], linestyle="none", marker=_MARKERS[direction], markersize=8,
                    markerfacecolor=colour if significant else "white", markeredgecolor=colour,
                    markeredgewidth=1.4, zorder=3, gid=f"estimate:{direction}")
        ax.text(c + 0.45, r + 0.45, f"n = {len(items)}", ha="right", va="bottom", fontsize=8,
                color="0.35")
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([textwrap.fill(c, 14) for c in cols], fontsize=9)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([textwrap.fill(r, 16) for r in rows], fontsize=10)
    ax.set_xticks([i + 0.5 for i in range(len(cols) - 1)], minor=True)
    ax.set_yticks([i + 0.5 for i in range(len(rows) - 1)], minor=True)
    ax.grid(False)
    ax.grid(True, which="minor", color="0.85")
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("研究设计 design of the estimate")
    ax.set_ylabel("结果类别 outcome family")
    if title:
        ax.set_title(title, loc="left", fontweight="normal")
    _legend(ax, colours, list(data["direction"]))
    _foot(fig, ["Each marker is one published estimate; estimates from the same survey are "
                "not independent."], source)
    return fig


def magnitude_panels(
    table: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | Sequence[str] | None = None,
    value_format: str = "{:g}",
) -> Figure:
    """Draw the printed magnitudes, one panel (and one axis) per comparable group.

    Args:
        table: one row per estimate with a magnitude, with the columns ``label``,
            ``group`` (outcome family and unit in words: the estimates that share one
            axis), ``direction``, ``significant``, ``value``, ``lower`` and ``upper``
            (NaN without a printed standard error) and ``reference`` (the value of no
            difference: 0, or 1 for an odds ratio); optionally ``axis``, the title of the
            group's value axis in words. Rows without a value (direction only) are left
            out.
        title: the figure's title.
        source: the publications (names) behind the estimates, printed at the foot.
        value_format: how the printed value is written beside its marker.

    Raises:
        ValueError: a column is missing, no row has a value, a value is not a number, a
            bound lies on the wrong side of its value, or a group mixes references.

    """
    palette = _start()
    colours = _colours(palette)
    what = "magnitude_panels table"
    data = check_columns(table, what, MAGNITUDE_COLUMNS, optional=("axis",))
    check_numeric(data, what, ["value", "lower", "upper", "reference"])
    data = data[data["value"].notna()].reset_index(drop=True)
    if data.empty:
        raise ValueError(f"{what}: no row has a value; there is no magnitude to draw")
    for column in ("label", "group"):
        check_text(data, what, column)
    check_present(data, what, ["reference"])
    _check_directions(data, what)
    _check_flags(data, what)
    check_interval(data, what, "value", "lower", "upper")
    groups = list(dict.fromkeys(data["group"]))
    sizes = [int((data["group"] == g).sum()) for g in groups]
    fig, axes = _new_figure(len(groups), (8.5, 0.9 * len(groups) + 0.42 * sum(sizes)))
    fig.get_layout_engine().set(h_pad=0.12)
    for ax, group in zip([a[0] for a in axes], groups, strict=True):
        part = data[data["group"] == group].reset_index(drop=True)
        references = set(part["reference"])
        if len(references) != 1:
            raise ValueError(f"{what}: group {group!r} mixes references {sorted(references)}")
        reference = references.pop()
        ax.axvline(reference, color="0.3", linewidth=1.0, linestyle="--", zorder=1)
        for y, row in enumerate(part.itertuples(index=False)):
            colour = colours[row.direction]
            if not math.isnan(row.lower):
                ax.plot([row.lower, row.upper], [y, y], color=colour, linewidth=2.0, zorder=2,
                        solid_capstyle="butt", gid="interval")
            ax.plot([row.value], [y], linestyle="none", marker=_MARKERS[row.direction],
                    markersize=9, markerfacecolor=colour if row.significant else "white",
                    markeredgecolor=colour, markeredgewidth=1.4, zorder=3, gid="magnitude")
            ax.annotate(value_format.format(row.value), (row.value, y), xytext=(0, 7),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8,
                        color="0.25")
        values = [*part["value"], *part["lower"].dropna(), *part["upper"].dropna(), reference]
        low, high = min(values), max(values)
        pad = 0.15 * (high - low) if high > low else max(abs(high), 1.0) * 0.5
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(len(part) - 0.4, -0.8)
        ax.set_yticks(range(len(part)))
        ax.set_yticklabels([textwrap.shorten(str(x), 42, placeholder="…") for x in part["label"]],
                           fontsize=9)
        ax.set_title(group, loc="left", fontsize=10, fontweight="normal")
        if "axis" in part.columns and isinstance(part["axis"].iloc[0], str):
            ax.set_xlabel(part["axis"].iloc[0], fontsize=10)
        ax.grid(axis="y", visible=False)
    first = axes[0][0]
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="normal", fontsize=12)
    _legend(first, colours, list(data["direction"]))
    notes = ["Each panel has its own scale: the groups measure different things and are not "
             "comparable with each other. Bars are 95% intervals from printed standard "
             "errors; none is drawn where no standard error is printed. Dashed line: no "
             "difference."]
    _foot(fig, notes, source)
    return fig
