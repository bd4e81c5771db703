"""Summaries of what a data package holds: sources, topics per region, approximate figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TOPICS", "figures_by_topic", "qualifier_counts", "sources_overview"]

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
