"""Charts of the firm-panel toolkit: estimates against a planted truth, and event studies.

Each function takes the frame an analysis function returns
(:func:`~dangjian_analysis.analysis.firm_effects.firm_effects`, the ``coefficients`` of
:func:`~dangjian_analysis.analysis.firm_effects.event_study`), checks the columns it draws
and returns a matplotlib ``Figure`` (outside pyplot) with a source line under the plot.
A chart of a synthetic panel must say so in its source line: it tests the method and is
never evidence about China.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["effects_plot", "event_study_plot"]


def _figure(height: float) -> tuple[Figure, object, list[tuple[float, float, float]]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure

    from dangjian_analysis.report.style import COLORS, FIGSIZE, use_style

    use_style()
    fig = Figure(figsize=(FIGSIZE[0], height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(), [to_rgb(c) for c in COLORS]


def _require(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: expected columns {missing}, found {list(table.columns)}")
    if table.empty:
        raise ValueError(f"{what}: expected at least one row, found none")


def _source(fig: Figure, source: str) -> None:
    if source.strip():
        fig.get_layout_engine().set(h_pad=0.1)
        fig.supxlabel(f"Source: {source.strip()}", x=0.01, ha="left", fontsize="small",
                      color="0.35")


def effects_plot(
    effects: pd.DataFrame,
    *,
    truth: float | None = None,
    title: str = "",
    x_label: str = "Effect on log output",
    source: str = "",
) -> Figure:
    """Draw each estimator's estimate and interval, with the true effect when known.

    ``effects`` needs ``estimator, estimate, ci_low, ci_high`` (as :func:`firm_effects`
    returns). ``truth`` draws a vertical line at the planted effect of a synthetic panel.
    """
    _require(effects, ["estimator", "estimate", "ci_low", "ci_high"], "effects_plot table")
    fig, ax, palette = _figure(0.9 + 0.55 * len(effects))
    rows = list(range(len(effects)))[::-1]
    for row, (_, item) in zip(rows, effects.iterrows(), strict=True):
        ax.plot([item["ci_low"], item["ci_high"]], [row, row], color=palette[0], lw=2)
        ax.plot([item["estimate"]], [row], "o", color=palette[0], ms=6)
    ax.axvline(0, color="0.5", lw=0.8)
    if truth is not None:
        ax.axvline(truth, color=palette[1], lw=1.5, ls="--", label=f"true effect ({truth:g})")
        ax.legend(loc="lower right", frameon=False)
    ax.set_yticks(rows, list(effects["estimator"]))
    ax.set_ylim(-0.7, len(effects) - 0.3)
    ax.set_xlabel(x_label)
    ax.grid(axis="y", visible=False)
    if title:
        ax.set_title(title)
    _source(fig, source)
    return fig


def event_study_plot(
    coefficients: pd.DataFrame,
    *,
    title: str = "",
    y_label: str = "Effect on log output",
    source: str = "",
) -> Figure:
    """Draw leads and lags with their intervals; year -1 before adoption is the reference.

    ``coefficients`` needs ``rel_time, estimate, ci_low, ci_high`` (the ``coefficients``
    of an :class:`~dangjian_analysis.analysis.firm_effects.EventStudy`).
    """
    _require(coefficients, ["rel_time", "estimate", "ci_low", "ci_high"],
             "event_study_plot table")
    fig, ax, palette = _figure(4.2)
    data = coefficients.sort_values("rel_time")
    x = data["rel_time"].to_numpy()
    ax.fill_between(x, data["ci_low"], data["ci_high"], color=palette[0], alpha=0.2, lw=0)
    ax.plot(x, data["estimate"], "o-", color=palette[0], ms=4)
    ax.axhline(0, color="0.4", lw=0.8)
    ax.axvline(-0.5, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel("Years since the party organization was set up (-1: reference)")
    ax.set_ylabel(y_label)
    if title:
        ax.set_title(title)
    _source(fig, source)
    return fig
