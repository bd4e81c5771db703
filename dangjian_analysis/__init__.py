"""dangjian-analysis: curated data on party organizations in China's non-public enterprises.

The public API is re-exported here and loaded lazily: ``import dangjian_analysis`` does
not import pandas, matplotlib or statsmodels until a function that needs them is used.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("dangjian-analysis")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

# Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "DataValidationError": "dangjian_analysis.errors",
    "DataPackageNotFoundError": "dangjian_analysis.errors",
    "Problem": "dangjian_analysis.errors",
    "Quantity": "dangjian_analysis.quantity",
    "QuantityParseError": "dangjian_analysis.quantity",
    "parse_quantity": "dangjian_analysis.quantity",
    "parse_chinese_numeral": "dangjian_analysis.quantity",
    "default_data_dir": "dangjian_analysis.paths",
    "resolve_data_dir": "dangjian_analysis.paths",
    "read_datapackage": "dangjian_analysis.schema",
    "data_version": "dangjian_analysis.schema",
    "validate": "dangjian_analysis.validation",
    "load_sources": "dangjian_analysis.loaders",
    "load_regions": "dangjian_analysis.loaders",
    "load_indicators": "dangjian_analysis.loaders",
    "load_scopes": "dangjian_analysis.loaders",
    "load_figures": "dangjian_analysis.loaders",
    "normalize_text": "dangjian_analysis.textnorm",
    "verify_sources": "dangjian_analysis.provenance",
    "Interval": "dangjian_analysis.intervals",
    "interval_from_figure": "dangjian_analysis.intervals",
    "compound_growth": "dangjian_analysis.intervals",
    "elapsed_years": "dangjian_analysis.intervals",
    "printed_step": "dangjian_analysis.quantity",
    "Derived": "dangjian_analysis.derived",
    "RATIO_MEASURES": "dangjian_analysis.derived",
    "PARTIAL_COUNTS": "dangjian_analysis.derived",
    "derived_ratios": "dangjian_analysis.derived",
    "reported_growth_rates": "dangjian_analysis.derived",
    "compound_growth_rates": "dangjian_analysis.derived",
    "derived_frame": "dangjian_analysis.derived",
    "implied_denominators": "dangjian_analysis.derived",
    "national_figures": "dangjian_analysis.levels",
    "regional_figures": "dangjian_analysis.levels",
    "national_coverage": "dangjian_analysis.national",
    "national_counts": "dangjian_analysis.national",
    "national_implied_denominators": "dangjian_analysis.national",
    "national_sources": "dangjian_analysis.national",
    "match_regional_coverage": "dangjian_analysis.national",
    "national_series_plot_table": "dangjian_analysis.national",
    "scope_chain": "dangjian_analysis.derived",
    "InsufficientDataError": "dangjian_analysis.models",
    "ols_hc3": "dangjian_analysis.models",
    "rank_correlation": "dangjian_analysis.models",
    "slope_bounds": "dangjian_analysis.models",
    "rank_correlation_bounds": "dangjian_analysis.models",
    "required_n": "dangjian_analysis.models",
    "min_detectable_r": "dangjian_analysis.models",
    "min_attainable_p": "dangjian_analysis.models",
    "TREND_WARNING": "dangjian_analysis.crosssection",
    "coverage_candidates": "dangjian_analysis.crosssection",
    "outcome_candidates": "dangjian_analysis.crosssection",
    "cross_section": "dangjian_analysis.crosssection",
    "comparability_summary": "dangjian_analysis.crosssection",
    "preferred_pairs": "dangjian_analysis.crosssection",
    "specification_range": "dangjian_analysis.crosssection",
    "within_region_change": "dangjian_analysis.crosssection",
    "figures_by_topic": "dangjian_analysis.overview",
    "sources_overview": "dangjian_analysis.overview",
    "qualifier_counts": "dangjian_analysis.overview",
    "use_style": "dangjian_analysis.style",
    "cjk_font_family": "dangjian_analysis.style",
    "MARKER_BY_DEFINITION": "dangjian_analysis.style",
    "coverage_growth_scatter": "dangjian_analysis.plots",
    "capacity_bars": "dangjian_analysis.plots",
    "series_with_breaks": "dangjian_analysis.plots",
    "ArticleError": "dangjian_analysis.extract",
    "Candidate": "dangjian_analysis.extract",
    "Period": "dangjian_analysis.extract",
    "diff_candidates": "dangjian_analysis.extract",
    "extract_candidates": "dangjian_analysis.extract",
    "find_periods": "dangjian_analysis.extract",
    "read_article": "dangjian_analysis.extract",
    "extraction_recall": "dangjian_analysis.extract_recall",
    "build_briefs": "dangjian_analysis.briefs",
    "BriefBuildError": "dangjian_analysis.briefs",
    "external_resources": "dangjian_analysis.offline",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from dangjian_analysis.briefs import BriefBuildError, build_briefs
    from dangjian_analysis.crosssection import (
        TREND_WARNING,
        comparability_summary,
        coverage_candidates,
        cross_section,
        outcome_candidates,
        preferred_pairs,
        specification_range,
        within_region_change,
    )
    from dangjian_analysis.derived import (
        PARTIAL_COUNTS,
        RATIO_MEASURES,
        Derived,
        compound_growth_rates,
        derived_frame,
        derived_ratios,
        implied_denominators,
        reported_growth_rates,
        scope_chain,
    )
    from dangjian_analysis.errors import DataPackageNotFoundError, DataValidationError, Problem
    from dangjian_analysis.extract import (
        ArticleError,
        Candidate,
        Period,
        diff_candidates,
        extract_candidates,
        find_periods,
        read_article,
    )
    from dangjian_analysis.extract_recall import extraction_recall
    from dangjian_analysis.intervals import (
        Interval,
        compound_growth,
        elapsed_years,
        interval_from_figure,
    )
    from dangjian_analysis.levels import national_figures, regional_figures
    from dangjian_analysis.loaders import (
        load_figures,
        load_indicators,
        load_regions,
        load_scopes,
        load_sources,
    )
    from dangjian_analysis.models import (
        InsufficientDataError,
        min_attainable_p,
        min_detectable_r,
        ols_hc3,
        rank_correlation,
        rank_correlation_bounds,
        required_n,
        slope_bounds,
    )
    from dangjian_analysis.national import (
        match_regional_coverage,
        national_counts,
        national_coverage,
        national_implied_denominators,
        national_series_plot_table,
        national_sources,
    )
    from dangjian_analysis.offline import external_resources
    from dangjian_analysis.overview import (
        figures_by_topic,
        qualifier_counts,
        sources_overview,
    )
    from dangjian_analysis.paths import default_data_dir, resolve_data_dir
    from dangjian_analysis.plots import capacity_bars, coverage_growth_scatter, series_with_breaks
    from dangjian_analysis.provenance import verify_sources
    from dangjian_analysis.quantity import (
        Quantity,
        QuantityParseError,
        parse_chinese_numeral,
        parse_quantity,
        printed_step,
    )
    from dangjian_analysis.schema import data_version, read_datapackage
    from dangjian_analysis.style import MARKER_BY_DEFINITION, cjk_font_family, use_style
    from dangjian_analysis.textnorm import normalize_text
    from dangjian_analysis.validation import validate


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dangjian_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public API."""
    return sorted(__all__)
