"""Run what the notebooks compute on a data package, without the notebooks.

:func:`run_notebook_analysis` loads a package and calls every analysis function the six
notebooks call, with the arguments they use, so that a test can hold "a package that
validates can be analysed" on damaged packages in seconds instead of executing notebooks.
"""

from __future__ import annotations

from pathlib import Path

import dangjian_analysis as dj


def run_notebook_analysis(folder: Path) -> None:
    """Load the package at ``folder`` and run every notebook's analysis functions on it.

    Where a notebook turns its remaining cells into no-ops (``show_only_findings_unless``:
    nothing to show), the functions of those cells are not called either.
    """
    sources = dj.load_sources(folder)
    regions = dj.load_regions(folder)
    indicators = dj.load_indicators(folder)
    scopes = dj.load_scopes(folder)
    figures = dj.load_figures(folder)
    settings = dj.read_analysis_settings(folder)
    # 01 data overview
    dj.vocabulary(regions, scopes, indicators)
    dj.sources_overview(sources, figures)
    dj.figures_by_topic(figures, indicators)
    dj.qualifier_counts(figures)
    dj.national_figures(figures)
    dj.regional_figures(figures)
    # 02 coverage across regions, 05 capacity
    candidates = dj.coverage_candidates(figures, scopes)
    for kwargs in (
        {},
        {"allow_nested_scopes": True},
        {"open_bounds": "printed_step"},
        {"open_bounds": "printed_step", "allow_nested_scopes": True},
    ):
        dj.derived_frame(dj.derived_ratios(figures, scopes, **kwargs))
    dj.capacity_measures(figures)
    # 03, 04 coverage against outcomes
    for outcome in settings.outcomes:
        for open_bounds in ("strict", "printed_step"):
            cross = dj.cross_section(figures, scopes, outcome, open_bounds=open_bounds)
            pairs = dj.preferred_pairs(cross)
            dj.province_benchmarks(pairs, figures, scopes, regions)
    # 06 national context (the notebook shows only its findings without national coverage)
    if len(dj.national_coverage(figures)) == 0:
        return
    dj.national_counts(figures)
    dj.national_implied_denominators(figures)
    dj.match_regional_coverage(candidates, figures, regions, scopes)
    dj.national_sources(sources, figures)
