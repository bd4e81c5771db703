"""The benchmark's synthetic package is valid, labelled synthetic and runs through the analysis."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dangjian_analysis import load_figures, load_regions, load_scopes, load_sources
from dangjian_analysis.analysis.crosssection import cross_section

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from synthetic import make_package


def test_synthetic_package(tmp_path: Path, settings) -> None:
    folder = make_package(tmp_path / "syn", regions=6, years=8, seed=1)
    figures = load_figures(folder)  # validates
    assert len(figures) == 6 * 8
    assert figures["notes"].str.startswith("SYNTHETIC").all()
    assert load_sources(folder)["title_en"].str.contains("SYNTHETIC").all()
    assert load_regions(folder)["name_en"].str.startswith("Synthetic region").all()
    approx = figures[figures["qualifier"] == "more than"]
    assert (approx["upper"].isna()).all()
    table = cross_section(figures, load_scopes(folder), "output_growth", settings=settings)
    assert table["region_id"].nunique() == 6
    assert set(table["outcome_measure"]) == {"output_value_cagr"}


def test_synthetic_package_rejects_too_few_years(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 6"):
        make_package(tmp_path / "syn", regions=1, years=5)
