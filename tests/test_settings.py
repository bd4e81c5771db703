"""Analysis settings: the curators' decisions as data (analysis.json), checked and used."""

from __future__ import annotations

import json

import pytest

import dangjian_analysis as dj
from dangjian_analysis.package.settings import parse_settings

from conftest import DATA


def _write(folder, settings) -> None:
    (folder / "analysis.json").write_text(json.dumps(settings, ensure_ascii=False), "utf-8")


def _bundled() -> dict:
    return json.loads((DATA / "analysis.json").read_text(encoding="utf-8"))


def test_the_bundled_settings_hold_the_curators_choices(settings):
    assert set(settings.partial_counts) == {"ph-009", "yc-001", "yc-027", "yc-002", "yc-008"}
    assert list(settings.coverage_measures)[:2] == [
        "party_org_coverage_rate",
        "party_org_formation_rate",
    ]
    assert settings.not_shares_of_firms == frozenset({"orgs_per_enterprise"})
    assert {m.name for m in settings.ratio_measures} >= {"enterprise_coverage", "tax_to_output"}
    assert [d.key for d in settings.national_definitions][:2] == ["qualifying", "all_nonpublic"]
    assert settings.capacity_scopes == ("two_new_orgs", "park_enterprises")
    scales = {m.measure: m.scale for m in settings.capacity_measures}
    assert scales["output_per_enterprise"] == 1e8
    assert scales["tax_per_enterprise"] == 1e4
    assert scales["members_per_org"] == 1.0


def test_no_figure_id_of_the_bundled_data_in_the_package_code():
    import re
    from pathlib import Path

    ids = {row.split(",")[0] for row in (DATA / "figures.csv").read_text("utf-8").splitlines()[1:]}
    code = Path(dj.__file__).parent
    found = []
    for path in code.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found += [
            f"{path.name}: {m}"
            for m in re.findall(r"(?<![\w-])[a-z]{2}-\d{3}(?![\w-])", text)
            if m in ids
        ]
    assert found == []


def test_a_researchers_settings_change_the_analysis(tmp_path, figures, scopes, settings):
    kept_out = dj.derived_frame(dj.derived_ratios(figures, scopes, settings=settings))
    assert not kept_out.inputs.str.contains("ph-009").any()

    folder = tmp_path / "data"
    import shutil

    shutil.copytree(DATA, folder)
    edited = _bundled()
    edited["partial_counts"] = []
    _write(folder, edited)
    data = dj.load_package(folder)
    assert data.path == folder
    assert data.settings.partial_counts == {}
    ratios = dj.derived_frame(dj.derived_ratios(data.figures, data.scopes, settings=data.settings))
    assert ratios.inputs.str.contains("ph-009").any()


def test_the_settings_passed_are_the_settings_used(tmp_path, figures, scopes):
    folder = tmp_path / "data"
    import shutil

    shutil.copytree(DATA, folder)
    edited = _bundled()
    edited["coverage_measures"] = [
        {"measure": "party_org_formation_rate", "label": "formation rate"},
    ]
    _write(folder, edited)
    own = dj.load_package(folder).settings
    # The bundled tables with the researcher's settings: the settings decide, not the tables.
    cover = dj.coverage_candidates(figures, scopes, settings=own)
    assert {c.measure for c in cover} == {"party_org_formation_rate"}
    assert dj.scatter_markers(own) == {"formation rate": "o"}


def test_the_analysis_needs_its_settings(figures, scopes):
    with pytest.raises(TypeError, match="settings"):
        dj.cross_section(figures, scopes, "output_growth")
    with pytest.raises(TypeError, match=r"derived_ratios\(\) needs settings=.*load_package"):
        dj.derived_ratios(figures, scopes)
    with pytest.raises(TypeError, match=r"compound_growth_rates\(\) needs settings="):
        dj.compound_growth_rates(figures)
    # Given explicitly, the lists stand in for the settings.
    assert dj.compound_growth_rates(figures, indicators=["party_orgs"])


def test_load_package_reads_every_table_and_the_settings_once(mini_package):
    data = dj.load_package(mini_package)
    assert (data.name, data.version) == (
        json.loads((mini_package / "datapackage.json").read_text("utf-8"))["name"],
        dj.data_version(mini_package),
    )
    assert list(data.tables) == [
        "sources", "regions", "indicators", "scopes", "figures", "publications", "estimates",
    ]
    assert len(data.figures) == 5 and "unit_kind" in data.figures
    assert data.settings == dj.read_analysis_settings(mini_package)
    assert data.regions is data.tables["regions"]


def test_unknown_codes_and_ids_are_named(mini_package):
    settings = _bundled()
    settings["partial_counts"] = [{"figure_id": "zz-999", "reason": "gone"}]
    settings["ratio_measures"][0]["numerators"] = ["no_such_indicator"]
    settings["enterprise_scopes"].append("no_such_scope")
    settings["capacity"]["measures"][0]["money_unit"] = "美元"
    _write(mini_package, settings)
    with pytest.raises(dj.DataValidationError) as err:
        dj.validate(mini_package)
    text = str(err.value)
    assert (
        "analysis.json, column 'partial_counts.figure_id': expected a figure id of "
        "figures.csv, found 'zz-999'" in text
    )
    assert "column 'ratio_measures[0].numerators/denominators'" in text
    assert "'no_such_indicator'" in text
    assert "column 'enterprise_scopes[3]': expected a code of scopes.csv" in text
    assert "column 'capacity.measures[0].money_unit'" in text
    assert "'美元'" in text


@pytest.mark.parametrize(
    ("document", "where", "found"),
    [
        ([], "''", "<list>"),
        ({"partial_counts": [{"figure_id": "tc-001"}]}, "partial_counts[0].reason", "<missing>"),
        ({"ratio_measures": ["x"]}, "ratio_measures[0]", "'x'"),
        (
            {"outcomes": [{"outcome": "o", "measure": "", "label": "l"}]},
            "outcomes[0].measure",
            "''",
        ),
        ({"national_definitions": [{"key": "k"}]}, "national_definitions[0].label", "<missing>"),
        ({"capacity": {"scopes": [3]}}, "capacity.scopes[0]", "3"),
        ({"capacity": {"people": [""]}}, "capacity.people[0]", "''"),
        ({"reported_growth": [{"indicator": "a"}]}, "reported_growth[0].level", "<missing>"),
        ({"growth_levels": "gdp"}, "growth_levels", "'gdp'"),
        ({"implied_denominators": {"rates": [1]}}, "implied_denominators.rates[0]", "1"),
        ({"examples": [{"key": "k"}]}, "examples[0].region_id", "<missing>"),
        ({"examples": [{"key": "k", "region_id": "r", "value": "1"}]}, "examples[0].value",
         "'1'"),
    ],
)
def test_malformed_settings_name_the_place(document, where, found):
    _, problems = parse_settings(document)
    assert problems, document
    assert any(p.column == where.strip("'") and p.found == found for p in problems), problems


def test_invalid_json_and_missing_resource_are_one_line_errors(mini_package):
    (mini_package / "analysis.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(dj.DataValidationError, match=r"analysis.json: expected valid JSON"):
        dj.validate(mini_package)
    descriptor = json.loads((mini_package / "datapackage.json").read_text("utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "analysis"]
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    dj.validate(mini_package)  # settings are optional for validation
    with pytest.raises(dj.DataValidationError, match="a resource named 'analysis'"):
        dj.read_analysis_settings(mini_package)


def test_the_codes_the_analysis_derives_from_are_settings(settings):
    assert settings.reported_growth["output_growth_rate"] == "output_value"
    assert "industrial_output_value" in settings.growth_levels
    assert settings.implied_counts == ("enterprises_with_party_org",)
    assert settings.money_measures == ("output_per_enterprise", "tax_per_enterprise")
    assert settings.reported_coverage_measures == (
        "party_org_coverage_rate", "party_org_formation_rate"
    )
    assert settings.derived_coverage_measures == ("enterprise_coverage", "orgs_per_enterprise")
    claim = settings.example("claimed_coverage")
    assert (claim.region_id, claim.value) == ("pinghu", 1.0)
    assert settings.example("no such case") is None


def test_the_growth_functions_follow_the_settings_passed(figures, settings):
    from dataclasses import replace

    fewer = replace(settings, growth_levels=("party_orgs",), reported_growth={})
    cagr = dj.compound_growth_rates(figures, settings=fewer)
    assert cagr and {d.measure for d in cagr} == {"party_orgs_cagr"}
    assert dj.reported_growth_rates(figures, settings=fewer) == []
    assert {d.measure for d in dj.reported_growth_rates(figures, settings=settings)} >= {
        "output_value_growth_1y", "tax_revenue_growth_1y"
    }


def test_unknown_codes_in_the_new_parts_are_named(mini_package):
    settings = _bundled()
    settings["capacity"]["people"].append("no_such_people")
    settings["reported_growth"][0]["level"] = "no_such_level"
    settings["implied_denominators"]["counts"] = ["no_such_count"]
    settings["examples"][0]["region_id"] = "atlantis"
    settings["examples"][1]["key"] = settings["examples"][0]["key"]
    settings["examples"][1]["scope"] = "no_such_scope"
    _write(mini_package, settings)
    with pytest.raises(dj.DataValidationError) as err:
        dj.validate(mini_package)
    text = str(err.value)
    assert "column 'capacity.people[4]': expected a code of indicators.csv" in text
    assert "column 'reported_growth[0].level'" in text and "'no_such_level'" in text
    assert "column 'implied_denominators.counts[0]'" in text
    assert "column 'examples[0].region_id': expected a region id of regions.csv" in text
    assert "column 'examples[1].key': expected a key not used before" in text
    assert "column 'examples[1].scope': expected a code of scopes.csv" in text


def test_a_package_written_before_the_growth_parts_is_told_what_to_add(mini_package):
    settings = _bundled()
    del settings["reported_growth"], settings["growth_levels"]
    _write(mini_package, settings)
    with pytest.raises(dj.DataValidationError) as err:
        dj.validate(mini_package)
    text = str(err.value)
    assert (
        "column 'outcomes[output_growth].measure': expected a indicator, ratio measure or "
        "growth measure (<level>_growth_1y of reported_growth, <level>_cagr of "
        "growth_levels), found 'output_value_growth_1y'" in text
    )
    assert "found 'gdp_cagr'" in text  # benchmark measures too
