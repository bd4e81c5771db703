"""Readable tables for notebooks and briefs: intervals as text, region names, plot inputs.

Notebooks print tables with ``to_string()`` so that their checked outputs are plain text;
these helpers turn the analysis frames into short, stable text columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dangjian_analysis.analysis.formatting import format_interval
from dangjian_analysis.package.settings import AnalysisSettings
from dangjian_analysis.report.style import MARKER_SEQUENCE

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "capacity_measures",
    "capacity_plot_table",
    "figure_listing",
    "interval_columns",
    "region_label",
    "scatter_markers",
    "scatter_table",
    "scope_table",
    "show_candidates",
    "show_cross_section",
    "show_derived",
]

def scatter_markers(settings: AnalysisSettings) -> dict[str, str]:
    """Marker shape per coverage definition (the ``marker_group`` of :func:`scatter_table`).

    The definitions are the labels of the ``coverage_measures`` of the analysis settings
    (``settings``), given the shapes of
    :data:`~dangjian_analysis.report.style.MARKER_SEQUENCE` in their order of preference,
    so that every chart draws one definition with one shape.
    """
    labels = settings.coverage_measures.values()
    return {
        label: MARKER_SEQUENCE[i % len(MARKER_SEQUENCE)] for i, label in enumerate(labels)
    }


def capacity_measures(settings: AnalysisSettings) -> dict[str, str]:
    """Return the derived measures of party-work capacity, in order, with their labels.

    From the ``capacity`` part of the package's analysis settings (``settings``).
    """
    return {m.measure: m.label for m in settings.capacity_measures}


def interval_columns(
    frame: pd.DataFrame, prefix: str = "", *, unit_kind: str | None = None, digits: int = 4
) -> pd.Series:
    """Format the ``{prefix}value``, ``{prefix}lower`` and ``{prefix}upper`` columns as text.

    The unit kind comes from ``unit_kind`` or, when None, from the frame's ``unit_kind``
    column.
    """
    import pandas as pd

    kinds = (
        [unit_kind] * len(frame) if unit_kind is not None else list(frame["unit_kind"])
    )
    texts = [
        format_interval(v, lo, hi, k, digits=digits)
        for v, lo, hi, k in zip(
            frame[f"{prefix}value"], frame[f"{prefix}lower"], frame[f"{prefix}upper"], kinds,
            strict=True,
        )
    ]
    return pd.Series(texts, index=frame.index, dtype="str")


def scope_table(scopes: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """For each scope code: its English label and the chain of broader scopes it sits in."""
    import pandas as pd

    from dangjian_analysis.analysis.derived import scope_chain

    labels = dict(zip(scopes["scope"], scopes["label_en"], strict=True))
    rows = [
        {
            "scope": code,
            "label": labels.get(code, code),
            "part of": " ⊂ ".join(labels.get(c, c) for c in scope_chain(scopes, code)[1:]),
        }
        for code in sorted(set(codes))
    ]
    return pd.DataFrame(rows, columns=["scope", "label", "part of"])


def figure_listing(
    figures: pd.DataFrame, indicators: Sequence[str], *, include_national: bool = False
) -> pd.DataFrame:
    """Region-wide figures of the given indicators as printed, with their reference period.

    Columns: ``figure_id``, ``region_id``, ``indicator``, ``scope``, ``raw`` and ``period``
    (kind and years, e.g. ``year 2010–2010``); sorted by figure id. National-context
    figures are left out unless ``include_national``.
    """
    from dangjian_analysis.package.levels import regional_figures

    if not include_national:
        figures = regional_figures(figures)
    rows = figures[figures["indicator"].isin(list(indicators)) & figures["entity"].isna()]
    rows = rows.sort_values("figure_id", kind="stable")
    period = (
        rows["period_kind"]
        + " "
        + rows["period_earliest"].dt.strftime("%Y")
        + "–"
        + rows["period_latest"].dt.strftime("%Y")
    )
    out = rows[["figure_id", "region_id", "indicator", "scope", "raw"]].copy()
    out["period"] = period
    return out.reset_index(drop=True)


def show_candidates(frame: pd.DataFrame, *, unit_kind: str = "ratio") -> pd.DataFrame:
    """Short display of :func:`~dangjian_analysis.analysis.crosssection.candidate_frame` output."""
    out = frame[["region_id", "definition", "scope", "period", "inputs"]].copy()
    out.insert(3, "value", interval_columns(frame, unit_kind=unit_kind))
    return out


def show_cross_section(cross: pd.DataFrame) -> pd.DataFrame:
    """Short display of :func:`~dangjian_analysis.analysis.crosssection.cross_section` rows."""
    out = cross[["region_id", "pair"]].copy()
    out["coverage"] = interval_columns(cross, "coverage_", unit_kind="ratio")
    out["coverage definition"] = cross["coverage_definition"]
    kind = "growth_rate" if cross.attrs.get("outcome", "").endswith("growth") else "ratio"
    out["outcome"] = interval_columns(cross, "outcome_", unit_kind=kind)
    out["outcome definition"] = cross["outcome_definition"]
    out["span"] = cross["outcome_span"]
    out["inputs"] = cross["inputs"]
    return out


def show_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """Short display of a :func:`~dangjian_analysis.analysis.derived.derived_frame`."""
    out = frame[["region_id", "measure"]].copy()
    out["value"] = interval_columns(frame)
    out["scope"] = frame["scope"]
    out["inputs"] = frame["inputs"]
    return out


def _open_value(x: float) -> float:
    return math.nan if math.isinf(x) else x


def _open(column: pd.Series) -> list[float]:
    """Infinite bounds as NaN: the plotting functions draw an empty bound as open."""
    return [_open_value(float(x)) for x in column]


def region_label(regions: pd.DataFrame, region_id: str) -> str:
    """``通城县 Tongcheng County`` for a region id (the id itself when unknown)."""
    match = regions[regions["region_id"] == region_id]
    if match.empty:
        return region_id
    row = match.iloc[0]
    return f"{row['name_zh']} {row['name_en']}"


def _scope_words(code: str, scopes: pd.DataFrame | None) -> str:
    """Name a scope in words: its label when ``scopes`` is given, else the code spaced."""
    if scopes is not None:
        match = scopes.loc[scopes["scope"] == code, "label_en"]
        if len(match):
            return str(match.iloc[0]).lower()
    return code.replace("_", " ").replace("nonpublic", "non-public")


def scatter_table(
    cross: pd.DataFrame, regions: pd.DataFrame, scopes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Turn cross-section rows into the input of the coverage-growth scatter plot.

    Rows come from :func:`~dangjian_analysis.analysis.crosssection.cross_section`; the result
    feeds :func:`~dangjian_analysis.report.plots.coverage_growth_scatter`.

    Coverage goes on x, the outcome on y; open bounds (infinite) become empty cells, which
    the plot draws as arrows; the marker group is the coverage definition (see
    :func:`scatter_markers`) and the note names the scope (in words: its label from
    ``scopes`` when given), outcome and period.
    """
    import pandas as pd

    return pd.DataFrame(
        {
            "label": [region_label(regions, r) for r in cross["region_id"]],
            "x": cross["coverage_value"].to_numpy(),
            "x_lower": _open(cross["coverage_lower"]),
            "x_upper": _open(cross["coverage_upper"]),
            "y": cross["outcome_value"].to_numpy(),
            "y_lower": _open(cross["outcome_lower"]),
            "y_upper": _open(cross["outcome_upper"]),
            "marker_group": cross["coverage_definition"].to_numpy(),
            "note": [
                f"coverage of {_scope_words(scope, scopes)}; {definition}, {period}"
                for scope, definition, period in zip(
                    cross["coverage_scope"], cross["outcome_definition"],
                    cross["outcome_period"], strict=True,
                )
            ],
        }
    )


def capacity_plot_table(
    derived: pd.DataFrame,
    regions: pd.DataFrame,
    scopes: pd.DataFrame,
    *,
    settings: AnalysisSettings,
) -> pd.DataFrame:
    """Turn derived values into the input of the capacity bar chart, one bar per region.

    Takes a :func:`~dangjian_analysis.analysis.derived.derived_frame` and keeps the capacity
    measures of the package's analysis settings (``settings``) whose scope reaches one of
    the settings' capacity scopes (in the bundled package: firms and "two new"
    organizations, not, say, restructured or returnee firms), and one value per region and
    measure: the one with the lowest input ids. Its note gives the inputs, the flags and how
    many other values the table holds. Money per enterprise is shown in the measure's money
    unit (亿元 or 万元).
    """
    import pandas as pd

    from dangjian_analysis.analysis.derived import scope_chain

    roots = set(settings.capacity_scopes)
    measures = {m.measure: m for m in settings.capacity_measures}
    rows = []
    keep = derived[derived["measure"].isin(list(measures))]
    keep = keep[[bool(roots & set(scope_chain(scopes, s))) for s in keep["scope"]]]
    for (region, measure), group in keep.groupby(["region_id", "measure"], sort=True):
        row = group.sort_values("inputs", kind="stable").iloc[0]
        label = measures[measure].label
        factor = measures[measure].scale
        note = f"from {row['inputs']}"
        if row["flags"]:
            note += f"; {row['flags']}"
        if len(group) > 1:
            note += f"; {len(group) - 1} other value(s) in the table"
        rows.append(
            {
                "label": region_label(regions, str(region)),
                "metric": label,
                "value": row["value"] / factor,
                "lower": _open_value(row["lower"] / factor),
                "upper": _open_value(row["upper"] / factor),
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=["label", "metric", "value", "lower", "upper", "note"])
