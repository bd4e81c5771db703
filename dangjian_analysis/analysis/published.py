"""What published firm-level estimates say, counted and compared without pooling.

The estimates (:func:`~dangjian_analysis.package.loaders.load_estimates`) differ in
data, design, treatment, outcome and unit. These functions count them and say which can be
set side by side; none of them averages or pools estimates:

* :func:`count_estimates`: estimates by outcome family, design (or any coded column) and
  direction, nulls counted like the others, with the number of publications behind them.
* :func:`shared_samples`: which estimates come from the same data (one ``sample`` label),
  and how many publications reuse it: estimates from one survey are not independent
  evidence.
* :func:`magnitude_groups` and :func:`estimate_intervals`: which printed magnitudes are
  comparable (the same unit and outcome family) and, where a standard error is printed,
  their 95% intervals; nothing is computed where nothing is printed.
* :func:`publication_labels`: a short name for each publication (``Li et al. 2020``).

Why no pooling: a percent difference in the operating rate, a coefficient on log sales and
an odds ratio of paying tax measure different things in different units. Even within one
group the estimates share samples, use different controls and come from publications that
were selected for print; a pooled number would look like evidence that the data do not
hold. A careful pooled analysis (a meta-analysis with tests for publication selection)
needs many estimates with standard errors on one measure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dangjian_analysis.package.estimates import (
    DATA_SOURCES,
    DESIGNS,
    DIRECTIONS,
    OUTCOME_FAMILIES,
    TREATMENTS,
    UNITS,
    reported_significant,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NO_POOLING",
    "Z_95",
    "count_estimates",
    "estimate_intervals",
    "magnitude_groups",
    "publication_labels",
    "shared_samples",
]

#: The normal quantile of a two-sided 95% interval.
Z_95 = 1.959963984540054

#: Why the estimates are never averaged, in one sentence.
NO_POOLING = (
    "Estimates are not averaged or pooled: they measure different outcomes in different "
    "units, several come from the same survey, and published estimates are a selected set."
)

_ORDER = {
    "outcome_family": OUTCOME_FAMILIES,
    "design": DESIGNS,
    "treatment": TREATMENTS,
    "data_source": DATA_SOURCES,
    "unit": UNITS,
    "direction": DIRECTIONS,
}
_DIRECTION_COLUMNS = {"+": "positive", "-": "negative", "none": "none"}
_NO_UNIT = "none"
_ODDS_RATIO = "odds_ratio"


def _ordered(values: pd.Series, column: str) -> list[str]:
    """List the distinct values of a coded column: the schema's order, then others sorted."""
    present = set(values.dropna().astype(str))
    known = [v for v in _ORDER.get(column, ()) if v in present]
    return known + sorted(present - set(known))


def count_estimates(estimates: pd.DataFrame, by: str | None = "outcome_family") -> pd.DataFrame:
    """Count estimates by a coded column and by direction, nulls included.

    Args:
        estimates: rows of :func:`~dangjian_analysis.package.loaders.load_estimates`.
        by: the column to group by (``outcome_family``, ``design``, ``treatment``,
            ``data_source``, ``unit``), or None for one row over all estimates (``all``).

    Returns:
        One row per value of ``by`` (in the schema's order), with the columns ``by``,
        ``positive``, ``negative``, ``none`` (estimates by direction), ``total`` and
        ``publications`` (distinct publications behind them). Empty with no estimates.

    Raises:
        KeyError: when ``by`` is not a column of ``estimates``.

    """
    import pandas as pd

    key = by or "all"
    if by is not None and by not in estimates.columns:
        raise KeyError(f"estimates have no column {by!r}")
    groups = _ordered(estimates[by], by) if by is not None else (["all"] if len(estimates) else [])
    rows = []
    for group in groups:
        part = estimates if by is None else estimates[estimates[by] == group]
        row: dict[str, object] = {key: group}
        for direction, column in _DIRECTION_COLUMNS.items():
            row[column] = int((part["direction"] == direction).sum())
        row["total"] = len(part)
        row["publications"] = int(part["publication_id"].nunique())
        rows.append(row)
    columns = [key, *_DIRECTION_COLUMNS.values(), "total", "publications"]
    return pd.DataFrame(rows, columns=columns).astype(
        {c: "int64" for c in columns[1:]}
    )


def publication_labels(publications: pd.DataFrame) -> dict[str, str]:
    """Name each publication briefly: ``Li et al. 2020``, ``王五等 2019``, ``某学报 2018``.

    The first author as printed (a Latin name by its surname, the part before the first
    comma or the last word), ``et al.`` (``等`` after a Chinese name) when there are more,
    then the year; a publication
    whose page prints no author is named by its outlet (else its id) and year. Labels that
    would repeat get ``a``, ``b`` after the year.
    """
    labels: dict[str, str] = {}
    for row in publications.to_dict("records"):
        authors = [a.strip() for a in str(_text(row.get("authors"))).split(";") if a.strip()]
        year = _text(row.get("year"))
        if authors:
            first = authors[0]
            if first.isascii():
                first = first.split(",")[0].strip() if "," in first else first.split()[-1]
            more = " et al." if first.isascii() else "等"
            name = f"{first}{more}" if len(authors) > 1 else first
        else:
            name = _text(row.get("outlet")) or str(row["publication_id"])
        labels[str(row["publication_id"])] = f"{name} {year}".strip()
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    seen: dict[str, int] = {}
    for pid, label in labels.items():
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            labels[pid] = f"{label}{'abcdefghijklmnopqrstuvwxyz'[seen[label] - 1]}"
    return labels


def _text(value: object) -> str:
    """Return a cell as text; empty for a missing value."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN, NA
            return ""
    except TypeError:  # pd.NA
        return ""
    return str(value).strip()


def shared_samples(estimates: pd.DataFrame, publications: pd.DataFrame) -> pd.DataFrame:
    """Say which estimates come from the same data.

    Estimates with the same ``sample`` label draw on the same data; several publications
    on one survey wave are one body of evidence, not several. Estimates without a label
    (the page does not say which data) are grouped with no other and left out.

    Returns:
        One row per sample label, most publications first (then most estimates, then the
        label), with ``sample``, ``data_source`` (``;``-joined when labels mix kinds),
        ``publications`` and ``estimates`` (counts), ``shared`` (more than one
        publication), ``publication_ids`` and ``cited`` (the publications by
        :func:`publication_labels`, ``;``-joined, in id order).

    """
    import pandas as pd

    labels = publication_labels(publications)
    labelled = estimates[estimates["sample"].notna() & (estimates["sample"].astype(str) != "")]
    rows = []
    for sample, part in labelled.groupby("sample", sort=True):
        ids = sorted(set(part["publication_id"].astype(str)))
        rows.append(
            {
                "sample": str(sample),
                "data_source": ";".join(_ordered(part["data_source"], "data_source")),
                "publications": len(ids),
                "estimates": len(part),
                "shared": len(ids) > 1,
                "publication_ids": ";".join(ids),
                "cited": "; ".join(labels.get(i, i) for i in ids),
            }
        )
    columns = [
        "sample", "data_source", "publications", "estimates", "shared", "publication_ids",
        "cited",
    ]
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    out = out.sort_values(
        ["publications", "estimates", "sample"], ascending=[False, False, True], kind="stable"
    )
    return out.reset_index(drop=True)


def estimate_intervals(estimates: pd.DataFrame, *, z: float = Z_95) -> pd.DataFrame:
    """Give each estimate with a printed magnitude its interval, where one can be computed.

    The interval is ``value ± z × se`` (a normal approximation, 95% by default) when the
    publication prints a standard error. Nothing is invented: without a printed standard
    error the bounds are NaN and ``interval`` says why; for an odds ratio the bounds stay
    NaN too, since a standard error printed beside an odds ratio may be on the ratio's
    scale or on its logarithm and the pages do not say which.

    Returns:
        The rows of ``estimates`` that print a magnitude (``value`` not NaN), in their
        order, with ``group`` (``outcome_family / unit``, the estimates comparable with
        each other), ``lower``, ``upper``, ``interval`` (how the bounds were obtained, or
        why there are none) and ``significant`` (the publication reports it as significant,
        with a level or in words:
        :func:`~dangjian_analysis.package.estimates.reported_significant`).

    """
    rows = estimates[estimates["value"].notna()].copy()
    rows["group"] = rows["outcome_family"].astype(str) + " / " + rows["unit"].astype(str)
    lower, upper, how = [], [], []
    for value, se, unit in zip(rows["value"], rows["se"], rows["unit"], strict=True):
        if se is None or (isinstance(se, float) and math.isnan(se)):
            lower.append(math.nan)
            upper.append(math.nan)
            how.append("no standard error printed")
        elif unit == _ODDS_RATIO:
            lower.append(math.nan)
            upper.append(math.nan)
            how.append("odds ratio: the scale of the printed standard error is not stated")
        else:
            lower.append(float(value) - z * float(se))
            upper.append(float(value) + z * float(se))
            how.append(f"value ± {z:.2f} × printed standard error")
    rows["lower"] = lower
    rows["upper"] = upper
    rows["interval"] = how
    rows["significant"] = [
        reported_significant(text, level)
        for text, level in zip(rows["significance"], rows["significance_level"], strict=True)
    ]
    return rows.reset_index(drop=True)


def magnitude_groups(estimates: pd.DataFrame) -> pd.DataFrame:
    """Say which printed magnitudes are comparable: the same outcome family and unit.

    Estimates that give only a direction have no magnitude and are left out. Within a
    group the numbers are on one scale and may be shown side by side; across groups they
    are not comparable, and no group is averaged (:data:`NO_POOLING`).

    Returns:
        One row per group (outcome family, unit), in the schema's order, with
        ``outcome_family``, ``unit``, ``estimates``, ``publications``, ``samples``
        (distinct labelled samples), ``with_se`` (estimates with a printed standard
        error) and ``comparable`` (at least two estimates from at least two
        publications).

    """
    import pandas as pd

    rows = estimates[estimates["value"].notna() & (estimates["unit"] != _NO_UNIT)]
    out = []
    for family in _ordered(rows["outcome_family"], "outcome_family"):
        in_family = rows[rows["outcome_family"] == family]
        for unit in _ordered(in_family["unit"], "unit"):
            part = in_family[in_family["unit"] == unit]
            samples = part["sample"].dropna().astype(str)
            publications = int(part["publication_id"].nunique())
            out.append(
                {
                    "outcome_family": family,
                    "unit": unit,
                    "estimates": len(part),
                    "publications": publications,
                    "samples": int(samples[samples != ""].nunique()),
                    "with_se": int(part["se"].notna().sum()),
                    "comparable": len(part) >= 2 and publications >= 2,
                }
            )
    columns = [
        "outcome_family", "unit", "estimates", "publications", "samples", "with_se",
        "comparable",
    ]
    return pd.DataFrame(out, columns=columns)
