"""Summaries of what a data package holds: sources, topics per region, approximate figures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TOPICS",
    "figures_by_topic",
    "linked_disagreements",
    "qualifier_counts",
    "sources_overview",
]

#: Topics of indicators, in display order (the enum of ``indicators.topic``).
TOPICS = (
    "enterprises",
    "party organizations",
    "party members",
    "party-work capacity",
    "economic performance",
)


def figures_by_topic(
    figures: pd.DataFrame, indicators: pd.DataFrame, *, region_wide_only: bool = True
) -> pd.DataFrame:
    """Count figures per region (rows) and topic (columns), with a total column.

    With ``region_wide_only`` (the default), figures about a single named enterprise are
    left out. Regions are sorted by id; topics follow :data:`TOPICS`.
    """
    import pandas as pd

    frame = figures if not region_wide_only else figures[figures["entity"].isna()]
    topic = frame["indicator"].map(indicators.set_index("indicator")["topic"])
    table = pd.crosstab(frame["region_id"], topic).reindex(columns=list(TOPICS), fill_value=0)
    table = table.sort_index()
    table["total"] = table.sum(axis=1)
    table.index.name = "region_id"
    table.columns.name = None
    return table.astype("int64")


def sources_overview(sources: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """One row per source: publication window, script, regions covered and figure count."""
    counts = figures.groupby("source_id").size()
    regions = figures.groupby("source_id")["region_id"].agg(lambda s: ", ".join(sorted(set(s))))
    out = sources.set_index("source_id")[["published_earliest", "published_latest", "script"]]
    out = out.assign(
        published_earliest=out["published_earliest"].dt.strftime("%Y-%m-%d"),
        published_latest=out["published_latest"].dt.strftime("%Y-%m-%d"),
        regions=regions.reindex(out.index).fillna(""),
        figures=counts.reindex(out.index).fillna(0).astype("int64"),
    )
    return out.sort_index()


def qualifier_counts(figures: pd.DataFrame) -> pd.DataFrame:
    """Count figures per qualifier (exact, more than, ...) and say which bound each leaves open."""
    import pandas as pd

    from dangjian_analysis.text.quantity import QUALIFIERS

    counts = figures["qualifier"].value_counts().reindex(list(QUALIFIERS), fill_value=0)
    open_bound = {
        "exact": "none",
        "more than": "upper",
        "at least": "upper",
        "nearly": "lower",
        "less than": "lower",
        "about": "none (±5%)",
    }
    return pd.DataFrame(
        {"figures": counts.astype("int64"), "open bound": [open_bound[q] for q in QUALIFIERS]},
        index=pd.Index(list(QUALIFIERS), name="qualifier"),
    )


#: Columns of :func:`linked_disagreements`.
DISAGREEMENT_COLUMNS = ["source_id", "region_id", "indicator", "scope", "first", "second",
                        "first_value", "second_value", "unit_kind"]  # fmt: skip


def linked_disagreements(
    figures: pd.DataFrame,
    *,
    region_id: str | None = None,
    indicators: Iterable[str] | None = None,
    scope: str | None = None,
) -> pd.DataFrame:
    """Pairs of figures of one source that are linked and print different values.

    Two figures are a pair when one names the other in ``see_also`` and they share the
    source, region, entity, indicator and scope, their reference periods overlap and their
    values or bounds differ ("70余" against "70" is a pair; two missing values are equal).
    ``see_also`` links related figures: such a pair is a self-contradiction
    of the source (both figures kept) or counts of overlapping groups, and the figures'
    ``notes`` say which; the analysis settings name a contradiction to show as the example
    ``self_contradiction``. ``region_id``, ``indicators`` and ``scope`` keep the pairs of
    that region, those indicators and that scope.

    Returns one row per pair in :data:`DISAGREEMENT_COLUMNS`, the figure that comes first in
    ``figures`` as ``first``, sorted by source and first figure; empty with those columns
    when there is none.
    """
    import pandas as pd

    keep = figures
    if region_id is not None:
        keep = keep[keep["region_id"] == region_id]
    if indicators is not None:
        keep = keep[keep["indicator"].isin(list(indicators))]
    if scope is not None:
        keep = keep[keep["scope"] == scope]
    rows = keep.to_dict("records")
    position = {row["figure_id"]: i for i, row in enumerate(rows)}
    found: dict[tuple[str, str], list[object]] = {}
    for i, row in enumerate(rows):
        links = row.get("see_also")
        if not isinstance(links, str):
            continue
        for other in links.split(";"):
            j = position.get(other.strip())
            if j is None or j == i:
                continue
            a, b = (row, rows[j]) if i < j else (rows[j], row)
            if (
                all(_same(a.get(c), b.get(c))
                    for c in ("source_id", "region_id", "entity", "indicator", "scope"))
                and a["period_earliest"] <= b["period_latest"]
                and b["period_earliest"] <= a["period_latest"]
                and not all(_same(a.get(c), b.get(c)) for c in ("value", "lower", "upper"))
            ):  # fmt: skip
                found[(a["figure_id"], b["figure_id"])] = [
                    a["source_id"], a["region_id"], a["indicator"], a["scope"], a["figure_id"],
                    b["figure_id"], a["value"], b["value"], a.get("unit_kind"),
                ]  # fmt: skip
    ordered = sorted(found.values(), key=lambda r: (str(r[0]), position[str(r[4])]))
    return pd.DataFrame(ordered, columns=DISAGREEMENT_COLUMNS)


def _same(a: object, b: object) -> bool:
    """Equal, counting two missing values (NaN, None) as equal."""
    missing_a, missing_b = a is None or a != a, b is None or b != b
    return (missing_a and missing_b) or (not missing_a and not missing_b and a == b)
