"""Tell national-context figures from figures about sub-national regions.

The data package holds figures about counties, districts, cities and parks (the regional
reports) and, for context, figures about the whole country (regions of level
``national``). Cross-region analyses compare sub-national regions only; the national
figures are read against them by :mod:`dangjian_analysis.analysis.national`. The level comes from
the ``region_level`` column that :func:`~dangjian_analysis.package.loaders.load_figures` adds; a
frame without that column (a hand-made table) is taken to hold regional figures only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NATIONAL_LEVEL", "national_figures", "national_mask", "regional_figures"]

#: ``regions.level`` of the national context.
NATIONAL_LEVEL = "national"


def national_mask(figures: pd.DataFrame) -> pd.Series:
    """Return a boolean Series: True for figures about a region of level ``national``."""
    import pandas as pd

    if "region_level" not in figures.columns:
        return pd.Series(False, index=figures.index, dtype="bool")
    return (figures["region_level"] == NATIONAL_LEVEL).fillna(False).astype("bool")


def regional_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the figures about sub-national regions (all rows of a frame without levels)."""
    return figures[~national_mask(figures)]


def national_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the figures about regions of level ``national``."""
    return figures[national_mask(figures)]
