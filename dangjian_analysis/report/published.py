"""Published firm-level estimates in words: tables for readers and the input of the charts.

The estimates speak in codes (``psm``, ``output_sales``, ``log_coefficient``); a brief
speaks in words. The dictionaries below name every code of the schema, and the functions
build what a notebook shows:

* :func:`estimates_table`: one row per estimate, scannable: study, data, design, what is
  compared, outcome, direction, the magnitude as printed and its significance.
* :func:`counts_table`: a :func:`~dangjian_analysis.analysis.published.count_estimates`
  frame in words.
* :func:`shared_samples_table`: the samples several publications reuse.
* :func:`designs_table`: what each design present does and does not identify.
* :func:`estimate_plot_table`: the checked input of the charts of
  :mod:`dangjian_analysis.report.estimate_plots`.
* :func:`publication_sources`: the publications behind some estimates, for a chart's
  source line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dangjian_analysis.analysis.published import estimate_intervals, publication_labels
from dangjian_analysis.package.estimates import (
    DESIGNS,
    OUTCOME_FAMILIES,
    reported_significant,
)
from dangjian_analysis.report.reader import ReaderTable, reader_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DATA_SOURCE_WORDS",
    "DESIGN_LIMITS",
    "DESIGN_WORDS",
    "DIRECTION_WORDS",
    "OUTCOME_FAMILY_WORDS",
    "TREATMENT_WORDS",
    "UNIT_WORDS",
    "counts_table",
    "designs_table",
    "estimate_plot_table",
    "estimates_table",
    "firm_level_counts",
    "publication_sources",
    "shared_samples_table",
]

OUTCOME_FAMILY_WORDS = {
    "output_sales": "output or sales",
    "tax": "tax and tax compliance",
    "performance": "performance",
    "other": "other outcomes",
}
DESIGN_WORDS = {
    "cross_section": "cross-section with controls",
    "psm": "propensity-score matching",
    "iv": "instrumental variables",
    "fixed_effects": "panel with fixed effects",
    "did": "difference-in-differences",
    "event_study": "event study",
    "other": "other design",
}
TREATMENT_WORDS = {
    "party_org": "a party organization in the firm",
    "owner_member": "an owner who is a party member",
    "charter_clause": "party building in the articles of association",
    "party_building_intensity": "intensity of party building",
    "other": "other",
}
DIRECTION_WORDS = {"+": "higher", "-": "lower", "none": "no relationship found"}
UNIT_WORDS = {
    "percent": "percent",
    "percentage_points": "percentage points",
    "elasticity": "elasticity",
    "log_coefficient": "coefficient on a logarithm",
    "coefficient": "coefficient",
    "odds_ratio": "odds ratio",
    "none": "direction only",
}
DATA_SOURCE_WORDS = {
    "cpes": "Chinese Private Enterprise Survey",
    "listed_firms": "listed firms",
    "industrial_firms": "industrial-firm panel",
    "other_survey": "another survey",
    "other_panel": "another panel",
    "unknown": "not stated",
}
#: What each design does and does not identify, in a reader's words.
DESIGN_LIMITS = {
    "cross_section": (
        "compares firms with and without, holding the controls fixed",
        "anything not controlled: firms that set up an organization differ in size, age, "
        "owner and sector, and these also drive output and tax",
    ),
    "psm": (
        "compares firms that look alike on the observed characteristics",
        "differences that are not observed; matching adds no protection beyond the "
        "characteristics used",
    ),
    "iv": (
        "an effect, if the instrument moves the treatment and touches the outcome through "
        "nothing else",
        "anything when that assumption fails; the effect is for the firms the instrument moves",
    ),
    "fixed_effects": (
        "changes within the same firm over time, removing fixed differences between firms",
        "what changes together with the treatment (growth, new owners, campaigns)",
    ),
    "did": (
        "the change in treated firms against the change in others, if both would have "
        "moved alike without the treatment",
        "anything when the trends would have differed; staggered timing can bias the "
        "simple two-way estimator",
    ),
    "event_study": (
        "how the outcome moves before and after the treatment, which tests earlier trends",
        "other changes at the same moment",
    ),
    "other": (
        "depends on the design (regression discontinuity, treatment-effect models and others)",
        "see the publication",
    ),
}

_NOT_STATED = "not stated"
#: Titles of a magnitude's value axis, by unit.
_AXIS_WORDS = {
    "percent": "difference in percent, as printed",
    "percentage_points": "difference in percentage points, as printed",
    "elasticity": "elasticity, as printed",
    "log_coefficient": "coefficient on the logarithm of the outcome, as printed",
    "coefficient": "coefficient, as printed",
    "odds_ratio": "odds ratio, as printed (1: no difference)",
}


def _word(words: dict[str, str], code: object) -> str:
    text = "" if code is None or code != code else str(code)
    return words.get(text, text)


def _family_order(code: str) -> int:
    return OUTCOME_FAMILIES.index(code) if code in OUTCOME_FAMILIES else len(OUTCOME_FAMILIES)


def _design_order(code: str) -> int:
    return DESIGNS.index(code) if code in DESIGNS else len(DESIGNS)


def _blank(value: object) -> bool:
    try:
        return value is None or value != value or str(value).strip() == ""
    except TypeError:  # pd.NA
        return True


def _sorted(estimates: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    order = estimates.assign(
        _family=[_family_order(c) for c in estimates["outcome_family"]],
        _design=[_design_order(c) for c in estimates["design"]],
        _label=[labels.get(p, p) for p in estimates["publication_id"]],
    )
    order = order.sort_values(
        ["_family", "_design", "_label", "estimate_id"], kind="stable"
    )
    return order.drop(columns=["_family", "_design", "_label"]).reset_index(drop=True)


def estimates_table(
    estimates: pd.DataFrame,
    publications: pd.DataFrame,
    *,
    caption: str = "",
    notes: Iterable[str] = (),
) -> ReaderTable:
    """Show the estimates one per row, by outcome family and design.

    Columns: study, data, design, compared (the treatment), outcome (its family, then the
    publication's own terms), direction, as printed (the magnitude, or "direction only")
    and significance as printed. Ids and codes go to the data block.
    """
    import pandas as pd

    labels = publication_labels(publications)
    rows = _sorted(estimates, labels)
    shown = pd.DataFrame(
        {
            "Study": [labels.get(p, p) for p in rows["publication_id"]],
            "Data": [
                s if not _blank(s) else _word(DATA_SOURCE_WORDS, d)
                for s, d in zip(rows["sample"], rows["data_source"], strict=True)
            ],
            "Design": [_word(DESIGN_WORDS, d) for d in rows["design"]],
            "Compared": [_word(TREATMENT_WORDS, t) for t in rows["treatment"]],
            "Outcome": [
                f"{_word(OUTCOME_FAMILY_WORDS, f)}: {o}"
                for o, f in zip(rows["outcome"], rows["outcome_family"], strict=True)
            ],
            "Direction": [_word(DIRECTION_WORDS, d) for d in rows["direction"]],
            "As printed": [
                UNIT_WORDS["none"] if _blank(r) else f"{r} ({_word(UNIT_WORDS, u)})"
                for r, u in zip(rows["raw"], rows["unit"], strict=True)
            ],
            "Significance": [
                _NOT_STATED if _blank(s) else str(s) for s in rows["significance"]
            ],
        }
    )
    codes = rows[["estimate_id", "publication_id", "outcome_family", "design", "unit"]]
    return reader_table(shown, caption=caption, codes=codes, notes=notes)


def counts_table(
    counts: pd.DataFrame, *, caption: str = "", notes: Iterable[str] = ()
) -> ReaderTable:
    """Show a :func:`~dangjian_analysis.analysis.published.count_estimates` frame in words.

    The first column (outcome family, design, ...) is named in words; a last row gives the
    totals over the rows shown (publications there are distinct over all rows only when
    the caller passes them, so that row leaves them out).
    """
    import pandas as pd

    key = counts.columns[0]
    words = {
        "outcome_family": ("Outcome family", OUTCOME_FAMILY_WORDS),
        "design": ("Design", DESIGN_WORDS),
        "treatment": ("Compared", TREATMENT_WORDS),
        "data_source": ("Data", DATA_SOURCE_WORDS),
        "unit": ("Unit", UNIT_WORDS),
    }.get(key, (str(key).replace("_", " ").capitalize(), {}))
    shown = pd.DataFrame(
        {
            words[0]: [_word(words[1], c) for c in counts[key]],
            "Higher": counts["positive"].astype(str),
            "Lower": counts["negative"].astype(str),
            "No relationship": counts["none"].astype(str),
            "Estimates": counts["total"].astype(str),
            "Publications": counts["publications"].astype(str),
        }
    )
    numeric = ("Higher", "Lower", "No relationship", "Estimates", "Publications")
    return reader_table(
        shown, caption=caption, codes=counts[[key]], notes=notes, numeric=numeric
    )


def shared_samples_table(
    shared: pd.DataFrame, *, caption: str = "", notes: Iterable[str] = ()
) -> ReaderTable:
    """Show the samples of :func:`~dangjian_analysis.analysis.published.shared_samples`."""
    import pandas as pd

    shown = pd.DataFrame(
        {
            "Sample": list(shared["sample"]),
            "Data": [
                "; ".join(_word(DATA_SOURCE_WORDS, d) for d in str(s).split(";"))
                for s in shared["data_source"]
            ],
            "Publications": shared["publications"].astype(str),
            "Estimates": shared["estimates"].astype(str),
            "Studies": list(shared["cited"]),
        }
    )
    return reader_table(
        shown,
        caption=caption,
        codes=shared[["sample", "publication_ids"]],
        notes=notes,
        numeric=("Publications", "Estimates"),
    )


def designs_table(
    designs: Iterable[str], *, caption: str = "", notes: Iterable[str] = ()
) -> ReaderTable:
    """Say what each design (codes, in the schema's order) does and does not identify."""
    import pandas as pd

    codes = sorted(set(designs), key=_design_order)
    shown = pd.DataFrame(
        {
            "Design": [_word(DESIGN_WORDS, d) for d in codes],
            "What it can show": [DESIGN_LIMITS.get(d, ("", ""))[0] for d in codes],
            "What it cannot rule out": [DESIGN_LIMITS.get(d, ("", ""))[1] for d in codes],
        }
    )
    return reader_table(
        shown, caption=caption, codes=pd.DataFrame({"design": codes}), notes=notes
    )


def estimate_plot_table(estimates: pd.DataFrame, publications: pd.DataFrame) -> pd.DataFrame:
    """Build the input of the charts: one row per estimate, in words.

    Columns: ``label`` (the study, with the estimate id when a study has several estimates
    in one group), ``family`` and ``design`` (words), ``direction`` (``+``, ``-``,
    ``none``), ``significant`` (reported as significant, with a level or in words),
    ``group`` (outcome family
    and unit in words; empty for a direction only), ``value``, ``lower`` and ``upper``
    (NaN where nothing is printed), ``reference`` (0, or 1 for an odds ratio) and ``axis``
    (the title of the value axis, in words).
    """
    import pandas as pd

    labels = publication_labels(publications)
    rows = _sorted(estimates, labels)
    intervals = estimate_intervals(rows).set_index("estimate_id")
    out = []
    for row in rows.to_dict("records"):
        eid = row["estimate_id"]
        has_value = eid in intervals.index
        group = (
            f"{_word(OUTCOME_FAMILY_WORDS, row['outcome_family'])}: "
            f"{_word(UNIT_WORDS, row['unit'])}"
            if has_value
            else ""
        )
        out.append(
            {
                "label": labels.get(row["publication_id"], row["publication_id"]),
                "estimate_id": eid,
                "family": _word(OUTCOME_FAMILY_WORDS, row["outcome_family"]),
                "design": _word(DESIGN_WORDS, row["design"]),
                "direction": row["direction"],
                "significant": reported_significant(
                    row["significance"], row["significance_level"]
                ),
                "group": group,
                "value": float(row["value"]) if has_value else float("nan"),
                "lower": float(intervals.loc[eid, "lower"]) if has_value else float("nan"),
                "upper": float(intervals.loc[eid, "upper"]) if has_value else float("nan"),
                "reference": 1.0 if row["unit"] == "odds_ratio" else 0.0,
                "axis": _AXIS_WORDS.get(str(row["unit"]), "") if has_value else "",
            }
        )
    table = pd.DataFrame(
        out,
        columns=[
            "label", "estimate_id", "family", "design", "direction", "significant", "group",
            "value", "lower", "upper", "reference", "axis",
        ],
    )
    # A study with several estimates in one group is told apart by the estimate's outcome.
    repeated = table.duplicated(["label", "group"], keep=False) & (table["group"] != "")
    outcomes = dict(zip(rows["estimate_id"], rows["outcome"], strict=True))
    table.loc[repeated, "label"] = [
        f"{label}: {outcomes[e]}"
        for label, e in zip(table.loc[repeated, "label"], table.loc[repeated, "estimate_id"],
                            strict=True)
    ]
    return table


def publication_sources(publications: pd.DataFrame, ids: Iterable[str] | None = None) -> list[str]:
    """Name publications for a chart's source line: ``龚广祥等 2020, 上海财经大学学报``.

    ``ids`` limits the list to some publications (default: all), in the order of
    ``publications``.
    """
    labels = publication_labels(publications)
    wanted = None if ids is None else set(ids)
    out = []
    for row in publications.to_dict("records"):
        pid = str(row["publication_id"])
        if wanted is not None and pid not in wanted:
            continue
        outlet = "" if _blank(row.get("outlet")) else str(row["outlet"])
        label = labels[pid]
        out.append(f"{label}, {outlet}" if outlet and not label.startswith(outlet) else label)
    return out


def firm_level_summary(estimates: pd.DataFrame) -> str:
    """One sentence on what firm-level studies report, for briefs that cannot answer alone.

    The regional notebooks cannot relate coverage to output or tax; their key findings
    point to the published firm-level estimates with this sentence, computed from the
    rows of :func:`~dangjian_analysis.package.loaders.load_estimates` (the brief "What
    firm-level studies find" shows them). Empty when there are no estimates.
    """
    counts = firm_level_counts(estimates)
    if counts is None:
        return ""
    return (
        "What firm-level studies report is set out in the brief “What firm-level studies "
        f"find”: {counts['total']} published estimates from {counts['publications']} "
        f"publications ({counts['higher']} higher, {counts['lower']} lower, "
        f"{counts['none']} no relationship found), {counts['output_or_tax']} of them on "
        "output or tax."
    )


def firm_level_counts(estimates: pd.DataFrame) -> dict[str, int] | None:
    """Count the published estimates for a one-line summary; None when there are none.

    Keys: ``total``, ``publications``, ``higher``, ``lower``, ``none`` (by direction),
    ``output_or_tax`` (outcome family output/sales or tax) and ``cross_section`` (design).
    Used by :func:`firm_level_summary` and by the answer on the briefs' index.
    """
    from dangjian_analysis.analysis.published import count_estimates

    if estimates.empty:
        return None
    overall = count_estimates(estimates, None).iloc[0]
    return {
        "total": int(overall["total"]),
        "publications": int(overall["publications"]),
        "higher": int(overall["positive"]),
        "lower": int(overall["negative"]),
        "none": int(overall["none"]),
        "output_or_tax": int(estimates["outcome_family"].isin(["output_sales", "tax"]).sum()),
        "cross_section": int((estimates["design"] == "cross_section").sum()),
    }
