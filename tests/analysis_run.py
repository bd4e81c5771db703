"""Run what the notebooks compute on a data package, without the notebooks.

:func:`run_notebook_analysis` loads a package and calls every analysis function the six
notebooks call, with the arguments they use, so that a test can hold "a package that
validates can be analysed" on damaged packages in seconds instead of executing notebooks.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import dangjian_analysis as dj


def _call(function: Any, *args: Any, settings: Any, **kwargs: Any) -> Any:
    """Call an analysis function as the notebooks do, passing the settings where it takes them."""
    if "settings" in inspect.signature(function).parameters:
        kwargs["settings"] = settings
    return function(*args, **kwargs)


def run_notebook_analysis(folder: Path) -> None:
    """Load the package at ``folder`` and run every notebook's analysis functions on it.

    Where a notebook turns its remaining cells into no-ops (``show_only_findings_unless``:
    nothing to show), the functions of those cells are not called either.
    """
    data = dj.load_package(folder)
    sources, regions, indicators = data.sources, data.regions, data.indicators
    scopes, figures, settings = data.scopes, data.figures, data.settings

    def call(function: Any, *args: Any, **kwargs: Any) -> Any:
        return _call(function, *args, settings=settings, **kwargs)

    # 01 data overview
    call(dj.vocabulary, regions, scopes, indicators)
    call(dj.sources_overview, sources, figures)
    call(dj.figures_by_topic, figures, indicators)
    call(dj.qualifier_counts, figures)
    call(dj.national_figures, figures)
    call(dj.regional_figures, figures)
    # 02 coverage across regions, 05 capacity
    candidates = call(dj.coverage_candidates, figures, scopes)
    for kwargs in (
        {},
        {"allow_nested_scopes": True},
        {"open_bounds": "printed_step"},
        {"open_bounds": "printed_step", "allow_nested_scopes": True},
    ):
        call(dj.derived_frame, call(dj.derived_ratios, figures, scopes, **kwargs))
    # 03, 04 coverage against outcomes
    for outcome in settings.outcomes:
        for open_bounds in ("strict", "printed_step"):
            cross = call(dj.cross_section, figures, scopes, outcome, open_bounds=open_bounds)
            pairs = call(dj.preferred_pairs, cross)
            call(dj.province_benchmarks, pairs, figures, scopes, regions)
    # 06 national context (the notebook shows only its findings without national coverage)
    if len(call(dj.national_coverage, figures)) == 0:
        return
    call(dj.national_counts, figures)
    call(dj.national_implied_denominators, figures)
    call(dj.match_regional_coverage, candidates, figures, regions, scopes)
    call(dj.national_sources, sources, figures)
