from __future__ import annotations

import json
from pathlib import Path

import pytest

from dangjian_analysis import DataPackageNotFoundError, DataValidationError, validate

from conftest import FIGURE_COLUMNS, read_csv, write_csv


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        validate(path)
    return [str(p) for p in info.value.problems]


def test_bundled_package_is_valid():
    package = validate()
    assert package.version
    assert (package.folder / "figures.csv").is_file()


def test_mini_package_is_valid(mini_package):
    assert validate(mini_package).folder == mini_package


# One cell edited, one message expected: the table of tests/test_named_checks.py, a row per
# named check.


def test_missing_sources_file(mini_package):
    (mini_package / "sources.csv").unlink()
    assert problems_of(mini_package) == [
        "sources.csv: expected the sources table, found no such file"
    ]


def test_bad_header(mini_package):
    rows = read_csv(mini_package / "figures.csv")
    columns = [c for c in FIGURE_COLUMNS if c != "locator"]
    write_csv(mini_package / "figures.csv", rows, columns)
    (problem,) = problems_of(mini_package)
    assert problem.startswith("figures.csv, row 0 (line 1): expected columns")
    assert "missing ['locator']" in problem


def test_ragged_row(mini_package):
    path = mini_package / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8") + "tc-006,src_tongcheng\n", encoding="utf-8")
    assert problems_of(mini_package) == [
        "figures.csv, row 6 (line 7): expected 19 cells, found 2 cells"
    ]


def test_unknown_unit_kind_and_missing_unit_property(mini_package):
    descriptor = json.loads((mini_package / "datapackage.json").read_text(encoding="utf-8"))
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    for fld in figures["schema"]["fields"]:
        if fld["name"] == "upper":
            del fld["unit"]
    del descriptor["unitKinds"]["yuan"]
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    problems = problems_of(mini_package)
    assert (
        "datapackage.json: expected a 'unit' property on resource 'figures' field 'upper', "
        "found none"
    ) in problems
    assert any(
        p.startswith("indicators.csv, row") and "'unit_kind'" in p and "'yuan'" in p
        for p in problems
    )


def test_all_problems_are_reported_at_once(edit_figures):
    edit_figures("tc-001", "region_id", "atlantis")
    path = edit_figures("tc-002", "value", "2")
    with pytest.raises(DataValidationError) as info:
        validate(path)
    error = info.value
    assert len(error.problems) >= 3
    assert str(error).splitlines()[0].endswith(f"has {len(error.problems)} problems:")


def test_not_a_package(tmp_path):
    with pytest.raises(DataPackageNotFoundError, match=r"holds no datapackage\.json"):
        validate(tmp_path)
    with pytest.raises(DataPackageNotFoundError, match="does not exist"):
        validate(tmp_path / "missing")


def test_invalid_json(mini_package):
    (mini_package / "datapackage.json").write_text("{not json", encoding="utf-8")
    (problem,) = problems_of(mini_package)
    assert problem.startswith("datapackage.json: expected valid JSON, found")


def test_broader_scope_cycle_is_rejected(mini_package):
    path = mini_package / "scopes.csv"
    rows = read_csv(path)
    for row in rows:
        if row["scope"] == "two_new_orgs":
            row["broader_scope"] = "nonpublic_enterprises"
    write_csv(path, rows, list(rows[0]))
    with pytest.raises(DataValidationError) as info:
        validate(mini_package)
    problems = [p for p in info.value.problems if p.column == "broader_scope"]
    assert {p.key for p in problems} >= {"scope=two_new_orgs", "scope=nonpublic_enterprises"}
    assert all(p.file == "scopes.csv" for p in problems)
    assert "nonpublic_enterprises -> nonpublic_economic_orgs -> two_new_orgs" in str(info.value)


def test_unknown_broader_scope_is_rejected(mini_package):
    path = mini_package / "scopes.csv"
    rows = read_csv(path)
    rows[0]["broader_scope"] = "nowhere"
    write_csv(path, rows, list(rows[0]))
    with pytest.raises(DataValidationError, match="broader_scope"):
        validate(mini_package)


# ---- one definition per ratio code -------------------------------------------------------


def _ratio_row(figure_id, raw, value, **cells):
    """A test coverage figure (invented numbers) at the end of 2012."""
    row = {
        "figure_id": figure_id,
        "source_id": "src_tongcheng",
        "region_id": "tongcheng",
        "indicator": "party_org_coverage_rate",
        "scope": "nonpublic_enterprises",
        "period_kind": "as_of",
        "period_earliest": "2012-12-31",
        "period_latest": "2012-12-31",
        "period_basis": "stated",
        "value": value,
        "lower": value,
        "upper": value,
        "qualifier": "exact",
        "raw": raw,
        "locator": "测试覆盖率",
    }
    row.update(cells)
    return row


def _add_figures(package: Path, *rows) -> Path:
    path = package / "figures.csv"
    write_csv(path, [*read_csv(path), *rows], FIGURE_COLUMNS)
    return package


def test_two_definitions_under_one_ratio_code_fail(mini_package):
    path = _add_figures(
        mini_package,
        _ratio_row("tc-006", "99.9%", "0.999"),
        _ratio_row("tc-007", "73.1%", "0.731"),
    )
    assert problems_of(path) == [
        "figures.csv, row 7 (line 8, figure_id=tc-007), column 'indicator': expected one "
        "definition per ratio code: a distinct indicator code for each definition "
        "(denominator) of the ratio, or see_also linking the two figures when they measure "
        "the same population (conflicting pages or a self-contradiction, explained in "
        "notes), found tc-007 = 0.731 and tc-006 (row 6) = 0.999 under indicator "
        "'party_org_coverage_rate', region 'tongcheng', scope 'nonpublic_enterprises', "
        "reference year 2012, not linked by see_also"
    ]


def test_distinct_codes_for_distinct_definitions_pass(mini_package):
    path = _add_figures(
        mini_package,
        _ratio_row("tc-006", "99.9%", "0.999", indicator="party_org_coverage_qualifying"),
        _ratio_row("tc-007", "73.1%", "0.731", indicator="party_org_coverage_all_nonpublic"),
    )
    assert validate(path).folder == mini_package


def test_conflicting_figures_linked_by_see_also_pass(mini_package):
    rows = [
        _ratio_row("tc-006", "99.9%", "0.999", see_also="tc-007"),
        _ratio_row("tc-007", "73.1%", "0.731", see_also="tc-006"),
    ]
    for row in rows:
        row["notes"] = "Two pages disagree (test)."
    assert validate(_add_figures(mini_package, *rows)).folder == mini_package
    # A link one way only satisfies the ratio rule but not the see_also rule.
    path = mini_package / "figures.csv"
    figures = read_csv(path)
    for row in figures:
        if row["figure_id"] == "tc-007":
            row["see_also"] = ""
    write_csv(path, figures, FIGURE_COLUMNS)
    problems = problems_of(mini_package)
    assert len(problems) == 1 and "expected links that go both ways" in problems[0]


def test_ratio_rule_reads_reference_years(mini_package):
    # Different years: a series, not a clash.
    a = _ratio_row("tc-006", "99.9%", "0.999")
    b = _ratio_row("tc-007", "73.1%", "0.731", period_earliest="2014-12-31",
                   period_latest="2014-12-31")
    assert validate(_add_figures(mini_package, a, b))
    # A window that may fall in 2014 clashes with the end-2014 figure.
    c = _ratio_row("tc-008", "53.1%", "0.531", period_earliest="2013-01-01",
                   period_latest="2014-12-31", period_basis="publication")
    problems = problems_of(_add_figures(mini_package, c))
    assert len(problems) == 1
    assert "found tc-008 = 0.531 and tc-007 (row 7) = 0.731" in problems[0]
    assert "reference year 2014 and 2013–2014" in problems[0]


def test_ratio_rule_ignores_repeats_other_entities_and_counts(mini_package):
    rows = [
        # The same value printed twice is a repeat, not two definitions.
        _ratio_row("tc-006", "73.1%", "0.731"),
        _ratio_row("tc-007", "73.1%", "0.731"),
        # Two different enterprises may have different shares in one year ...
        _ratio_row("tc-008", "30%", "0.3", scope="single_enterprise", entity="甲公司",
                   indicator="party_members_in_management_share"),
        _ratio_row("tc-009", "40%", "0.4", scope="single_enterprise", entity="乙公司",
                   indicator="party_members_in_management_share"),
        # ... and counts are not ratios.
        _ratio_row("tc-010", "927家", "927", indicator="enterprises"),
        _ratio_row("tc-011", "52家", "52", indicator="enterprises"),
    ]
    assert validate(_add_figures(mini_package, *rows)).folder == mini_package
    same_firm = _ratio_row("tc-012", "50%", "0.5", scope="single_enterprise", entity="乙公司",
                           indicator="party_members_in_management_share")
    problems = problems_of(_add_figures(mini_package, same_firm))
    assert len(problems) == 1 and "tc-012 = 0.5 and tc-009" in problems[0]
