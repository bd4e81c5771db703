"""Readable tables for notebooks and briefs: intervals as text, region names, plot inputs.

Notebooks print tables with ``to_string()`` so that their checked outputs are plain text;
these helpers turn the analysis frames into short, stable text columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CAPACITY_MEASURES",
    "SCATTER_MARKERS",
    "capacity_plot_table",
    "format_interval",
    "format_number",
    "interval_columns",
    "region_label",
    "scatter_table",
    "scope_table",
    "show_candidates",
    "show_cross_section",
    "show_derived",
]

#: Derived measures of party-work capacity, in display order, with short labels.
CAPACITY_MEASURES: dict[str, str] = {
    "instructors_per_1000_enterprises": "instructors per 1,000 enterprises",
    "members_per_org": "party members per organization",
    "members_per_enterprise": "party members per enterprise",
    "output_per_enterprise": "output per enterprise (亿元)",
    "tax_per_enterprise": "tax per enterprise (万元)",
}

#: Marker shape per coverage definition (the ``marker_group`` of :func:`scatter_table`).
SCATTER_MARKERS: dict[str, str] = {
    "coverage rate (reported)": "o",
    "formation rate (reported)": "s",
    "share of enterprises with an organization (derived)": "D",
    "organizations per enterprise (derived)": "^",
}

_SCALES = {"yuan": 1.0, "亿元": 1e8, "万元": 1e4}


def format_number(x: float, unit_kind: str, *, digits: int = 4) -> str:
    """Format one number: ratios and growth rates as percentages, yuan in 亿元, else plain.

    Infinite values print as ``∞`` and ``-∞``; NaN as an empty string.
    """
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if unit_kind in ("ratio", "growth_rate"):
        return f"{x * 100:.{digits}g}%"
    if unit_kind == "yuan":
        return f"{x / 1e8:.{digits}g}亿元"
    return f"{x:.{digits}g}"


def format_interval(
    value: float, lower: float, upper: float, unit_kind: str, *, digits: int = 4
) -> str:
    """Format a value with its interval: ``86.4% [86.4%, ∞)`` or just ``1.47%`` when exact.

    An open side prints as ``∞`` with a round bracket.
    """
    text = format_number(value, unit_kind, digits=digits)
    if lower == upper == value:
        return text
    low = format_number(lower, unit_kind, digits=digits)
    high = format_number(upper, unit_kind, digits=digits)
    left = "(" if math.isinf(lower) else "["
    right = ")" if math.isinf(upper) else "]"
    return f"{text} {left}{low}, {high}{right}"


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

    from dangjian_analysis.derived import scope_chain

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


def show_candidates(frame: pd.DataFrame, *, unit_kind: str = "ratio") -> pd.DataFrame:
    """Short display of :func:`~dangjian_analysis.crosssection.candidate_frame` output."""
    out = frame[["region_id", "definition", "scope", "period", "inputs"]].copy()
    out.insert(3, "value", interval_columns(frame, unit_kind=unit_kind))
    return out


def show_cross_section(cross: pd.DataFrame) -> pd.DataFrame:
    """Short display of :func:`~dangjian_analysis.crosssection.cross_section` rows."""
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
    """Short display of a :func:`~dangjian_analysis.derived.derived_frame`."""
    out = frame[["region_id", "measure"]].copy()
    out["value"] = interval_columns(frame)
    out["scope"] = frame["scope"]
    out["inputs"] = frame["inputs"]
    return out


def region_label(regions: pd.DataFrame, region_id: str) -> str:
    """``通城县 Tongcheng County`` for a region id (the id itself when unknown)."""
    match = regions[regions["region_id"] == region_id]
    if match.empty:
        return region_id
    row = match.iloc[0]
    return f"{row['name_zh']} {row['name_en']}"


def scatter_table(cross: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Turn cross-section rows into the input of the coverage-growth scatter plot.

    Rows come from :func:`~dangjian_analysis.crosssection.cross_section`; the result
    feeds :func:`~dangjian_analysis.plots.coverage_growth_scatter`.

    Coverage goes on x, the outcome on y; open bounds stay infinite (the plot draws them
    as arrows); the marker group is the coverage definition and the note the row's flags.
    """
    import pandas as pd

    return pd.DataFrame(
        {
            "label": [region_label(regions, r) for r in cross["region_id"]],
            "x": cross["coverage_value"].to_numpy(),
            "x_lower": cross["coverage_lower"].to_numpy(),
            "x_upper": cross["coverage_upper"].to_numpy(),
            "y": cross["outcome_value"].to_numpy(),
            "y_lower": cross["outcome_lower"].to_numpy(),
            "y_upper": cross["outcome_upper"].to_numpy(),
            "marker_group": cross["coverage_definition"].to_numpy(),
            "note": [
                f"{scope}; {definition}; {period}"
                for scope, definition, period in zip(
                    cross["coverage_scope"], cross["outcome_definition"],
                    cross["outcome_period"], strict=True,
                )
            ],
        }
    )


def capacity_plot_table(derived: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Turn derived values into the input of the capacity bar chart.

    Takes a :func:`~dangjian_analysis.derived.derived_frame`, keeps the measures in
    :data:`CAPACITY_MEASURES` and gives :func:`~dangjian_analysis.plots.capacity_bars`
    its table.

    Money per enterprise is scaled to the unit in the measure's label (亿元 or 万元).
    """
    import pandas as pd

    rows = []
    for _, row in derived.iterrows():
        label = CAPACITY_MEASURES.get(row["measure"])
        if label is None:
            continue
        unit = label[label.find("(") + 1 : -1] if "(" in label else ""
        factor = _SCALES.get(unit, 1.0)
        rows.append(
            {
                "label": f"{region_label(regions, row['region_id'])} ({row['inputs']})",
                "metric": label,
                "value": row["value"] / factor,
                "lower": row["lower"] / factor,
                "upper": row["upper"] / factor,
                "note": row["flags"],
            }
        )
    return pd.DataFrame(rows, columns=["label", "metric", "value", "lower", "upper", "note"])
