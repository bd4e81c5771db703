from __future__ import annotations

import pandas as pd
import pytest

from dangjian_analysis import (
    DataValidationError,
    load_figures,
    load_indicators,
    load_regions,
    load_scopes,
    load_sources,
)
from dangjian_analysis.package.loaders import load_table


def test_figure_dtypes_are_stable(mini_package):
    fig = load_figures(mini_package)
    assert fig["value"].dtype == "float64"
    assert fig["lower"].dtype == "float64"
    assert fig["upper"].dtype == "float64"
    assert fig["period_earliest"].dtype == "datetime64[ns]"
    assert isinstance(fig["figure_id"].dtype, pd.StringDtype)
    assert list(fig["figure_id"]) == ["tc-001", "tc-002", "tc-003", "tc-004", "tc-005"]


def test_figure_values_and_missing_bounds(mini_package):
    fig = load_figures(mini_package).set_index("figure_id")
    assert fig.loc["tc-002", "value"] == 0.7252
    assert fig.loc["tc-003", "lower"] == 127000.0
    assert pd.isna(fig.loc["tc-003", "upper"])
    assert pd.isna(fig.loc["tc-005", "lower"])
    assert pd.isna(fig.loc["tc-001", "entity"])
    assert fig.loc["tc-005", "entity"] == "测试公司"
    assert fig.loc["tc-004", "period_latest"] == pd.Timestamp("2013-12-31")


def test_units_resolved_from_the_unit_property(mini_package):
    fig = load_figures(mini_package).set_index("figure_id")
    assert fig.loc["tc-001", "unit_kind"] == "count"
    assert fig.loc["tc-002", "unit_kind"] == "ratio"
    assert fig.loc["tc-004", "unit_kind"] == "yuan"
    assert fig.loc["tc-004", "base_unit"] == "CNY"
    assert fig.loc["tc-003", "base_unit"] == "person"
    assert fig.attrs["unit"]["value"] == {
        "unitKindFrom": "indicators.unit_kind",
        "via": "indicator",
    }


def test_attrs_record_the_version_and_no_folder(mini_package):
    fig = load_figures(mini_package)
    assert fig.attrs["data_version"] == load_sources(mini_package).attrs["data_version"]
    # The folder is not a hidden way to find settings: load_package(...).path says it.
    assert "data_dir" not in fig.attrs


def test_loaders_validate_by_default(edit_figures):
    path = edit_figures("tc-001", "region_id", "atlantis")
    with pytest.raises(DataValidationError, match="atlantis"):
        load_figures(path)
    with pytest.raises(DataValidationError, match="atlantis"):
        load_sources(path)
    # A caller may skip validation deliberately.
    assert load_figures(path, validate=False).loc[0, "region_id"] == "atlantis"


def test_other_tables(mini_package):
    sources = load_sources(mini_package)
    assert sources["published_earliest"].dtype == "datetime64[ns]"
    assert sources["source_id"].is_unique
    regions = load_regions(mini_package)
    assert {"tongcheng", "yongchuan", "pinghu", "lishui", "jiangsu_parks"} <= set(
        regions["region_id"]
    )
    indicators = load_indicators(mini_package)
    assert indicators.set_index("indicator").loc["party_org_coverage_rate", "unit_kind"] == "ratio"
    assert "single_enterprise" in set(load_scopes(mini_package)["scope"])


def test_unknown_table(mini_package):
    with pytest.raises(DataValidationError, match="a resource named 'nope'"):
        load_table("nope", mini_package)


def test_bundled_figures_load(figures):
    fig = figures
    assert len(fig) > 100
    assert fig["figure_id"].is_unique
    assert set(fig["region_id"]) >= {"tongcheng", "yongchuan", "pinghu", "lishui", "jiangsu_parks"}
    assert fig["value"].notna().all()
