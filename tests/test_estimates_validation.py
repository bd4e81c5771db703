"""Damaged copies of the published estimates: every rule ends in a one-line error.

Each test damages one cell of a copy of the bundled package holding the invented test
publications and estimates (tests/published_package.py) and checks the exact problem:
file, row, line, key, column, what was expected and what was found.
"""

from __future__ import annotations

import json

import pytest
from published_package import (
    TEST_ESTIMATES,
    TEST_PUBLICATIONS,
    edited,
    published_package,
    without_published,
    write_published,
)

from dangjian_analysis import DataValidationError, load_estimates, load_publications, validate
from dangjian_analysis.cli import main
from dangjian_analysis.package.estimates import has_published_estimates


@pytest.fixture
def package(tmp_path):
    return published_package(tmp_path / "pkg")


def problems_of(path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        validate(path)
    return [str(p) for p in info.value.problems]


def damaged(package, row_id: str, **cells: str) -> list[str]:
    write_published(package, estimates=edited(TEST_ESTIMATES, row_id, **cells))
    return problems_of(package)


def where(row: int, column: str, estimate: str | None = None) -> str:
    key = estimate or f"est-{row:03d}"
    return f"estimates.csv, row {row} (line {row + 1}, estimate_id={key}), column {column!r}"


# --- the package with its test rows is valid; the tables are optional ---------------------


def test_test_rows_validate_and_load_typed(package):
    validate(package)
    estimates = load_estimates(package)
    publications = load_publications(package)
    assert len(estimates) == len(TEST_ESTIMATES) and len(publications) == len(TEST_PUBLICATIONS)
    assert str(estimates["value"].dtype) == "float64"
    assert str(estimates["n_firms"].dtype) == "Int64"
    assert str(estimates["significance_level"].dtype) == "float64"
    assert estimates["significance_level"].tolist()[:2] == [0.05, 0.05]
    assert estimates["value"].isna().tolist() == [False, False, True, False, False, False]
    assert str(publications["year"].dtype) == "Int64"
    assert has_published_estimates(package)


def test_a_package_without_the_tables_validates(tmp_path):
    folder = without_published(tmp_path / "plain")
    validate(folder)
    assert not has_published_estimates(folder)
    with pytest.raises(DataValidationError, match="a resource named 'estimates'"):
        load_estimates(folder)


def test_estimates_without_publications_are_refused(tmp_path, package):
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "publications"]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    assert any("a resource of this package" in p for p in problems_of(package))


def test_a_declared_estimates_table_needs_the_bundled_fields(package):
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    (res,) = [r for r in descriptor["resources"] if r["name"] == "estimates"]
    res["schema"]["fields"] = [f for f in res["schema"]["fields"] if f["name"] != "locator"]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    assert (
        "datapackage.json, resources[6] (estimates).schema.fields: expected a field 'locator' "
        "of type 'string' (this package reads it), found none"
    ) in problems_of(package)


def test_the_cli_counts_the_tables(package, capsys):
    assert main(["validate", "--data", str(package)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(", 3 publications, 6 estimates")


# --- schema: enums, keys, foreign key --------------------------------------------------------


def test_unknown_design_is_an_enum_error(package):
    assert any(
        p.startswith(where(1, "design")) and "found 'regression'" in p
        for p in damaged(package, "est-001", design="regression")
    )


def test_unknown_publication_is_a_foreign_key_error(package):
    assert (
        f"{where(2, 'publication_id')}: expected a publication_id listed in publications.csv, "
        "found 'pub-999'"
    ) in damaged(package, "est-002", publication_id="pub-999")


def test_duplicate_estimate_id(package):
    rows = [dict(r) for r in TEST_ESTIMATES]
    rows[1]["estimate_id"] = "est-001"
    write_published(package, estimates=rows)
    assert any(
        "row 2 (line 3, estimate_id=est-001), column 'estimate_id': expected a unique value" in p
        for p in problems_of(package)
    )


# --- raw and value ---------------------------------------------------------------------------


def test_raw_must_parse(package):
    (problem,) = damaged(package, "est-002", raw="0.105***")
    assert problem == (
        f"{where(2, 'raw')}: expected a magnitude the quantity parser reads, found "
        "'0.105***': cannot read '***' after the number"
    )


def test_value_must_be_what_raw_reads(package):
    (problem,) = damaged(package, "est-001", value="0.032")
    assert problem == f"{where(1, 'value')}: expected 3.2 as parsed from raw '3.2%', found 0.032"


def test_value_missing_beside_raw(package):
    (problem,) = damaged(package, "est-002", value="")
    assert problem == f"{where(2, 'value')}: expected 0.105 as parsed from raw '0.105', found empty"


def test_value_without_raw(package):
    (problem,) = damaged(package, "est-003", value="0.01")
    assert problem == (
        f"{where(3, 'value')}: expected an empty value when raw is empty (only a direction "
        "printed), found '0.01'"
    )


def test_raw_must_fit_its_unit(package):
    (problem,) = damaged(package, "est-001", unit="coefficient")
    assert problem == (
        f"{where(1, 'raw')}: expected a plain number for unit 'coefficient', found '3.2%' "
        "(read as ratio)"
    )
    (problem,) = damaged(package, "est-004", unit="percent")
    assert problem == (
        f"{where(4, 'raw')}: expected a percentage (printed with % or 'percent') for unit "
        "'percent', found '-0.021' (read as a plain number)"
    )


# --- unit none iff raw empty -----------------------------------------------------------------


def test_unit_none_with_a_number(package):
    assert f"{where(2, 'unit')}: expected the unit of the printed magnitude (not 'none': raw " \
        "holds a number), found 'none' with raw '0.105'" in damaged(package, "est-002", unit="none")


def test_a_unit_without_a_number(package):
    (problem,) = damaged(package, "est-003", unit="percent")
    assert problem == (
        f"{where(3, 'unit')}: expected 'none' when raw is empty (only a direction printed), "
        "found 'percent'"
    )


# --- number of firms -------------------------------------------------------------------------


def test_n_firms_must_match_an_exact_count(package):
    (problem,) = damaged(package, "est-004", n_firms="12354")
    assert problem == (
        f"{where(4, 'n_firms')}: expected 12345 as read from n_firms_raw '12,345', found 12354"
    )


def test_n_firms_missing_for_an_exact_count(package):
    (problem,) = damaged(package, "est-001", n_firms="")
    assert problem == f"{where(1, 'n_firms')}: expected 4000 as read from n_firms_raw '4000家', " \
        "found empty"


def test_n_firms_outside_the_bounds_of_an_approximate_count(package):
    (problem,) = damaged(package, "est-003", n_firms="3999")
    assert problem == (
        f"{where(3, 'n_firms')}: expected a count between 4000 and no limit as read from "
        "n_firms_raw '4000余家' (more than), or empty, found 3999"
    )
    validate(write_published(package, estimates=edited(TEST_ESTIMATES, "est-003",
                                                       n_firms="4100")))


def test_n_firms_without_a_printed_count(package):
    (problem,) = damaged(package, "est-005", n_firms="500")
    assert problem == (
        f"{where(5, 'n_firms')}: expected an empty n_firms when n_firms_raw is empty (a number "
        "as printed first), found '500'"
    )


def test_n_firms_beside_an_unreadable_count(package):
    (problem,) = damaged(package, "est-004", n_firms_raw="2012年12,345家")
    assert problem.startswith(
        f"{where(4, 'n_firms')}: expected an empty n_firms when n_firms_raw does not start with "
        "a number, found 12345 with n_firms_raw '2012年12,345家'"
    )


@pytest.mark.parametrize(
    ("printed", "count"),
    [
        ("12,345 private firms", "12345"),
        ("12345家私营企业", "12345"),
        ("about 12,345 firms", "12000"),
    ],
)
def test_n_firms_read_from_a_count_followed_by_words(package, printed, count):
    validate(write_published(package, estimates=edited(
        TEST_ESTIMATES, "est-004", n_firms_raw=printed, n_firms=count)))


def test_n_firms_read_from_a_count_followed_by_words_must_match(package):
    (problem,) = damaged(package, "est-004", n_firms_raw="12,345 private firms", n_firms="1234")
    assert problem == (
        f"{where(4, 'n_firms')}: expected 12345 as read from n_firms_raw '12,345 private firms', "
        "found 1234"
    )


# --- standard errors -------------------------------------------------------------------------


def test_se_must_be_what_se_raw_reads(package):
    (problem,) = damaged(package, "est-002", se="0.4")
    assert problem == f"{where(2, 'se')}: expected 0.04 as parsed from se_raw '(0.04)', found 0.4"


def test_se_without_a_printed_standard_error(package):
    (problem,) = damaged(package, "est-001", se="0.01")
    assert problem == (
        f"{where(1, 'se')}: expected an empty se when se_raw is empty (a standard error as "
        "printed first), found '0.01'"
    )


def test_se_without_a_magnitude(package):
    (problem,) = damaged(package, "est-003", se_raw="0.01", se="0.01")
    assert problem == (
        f"{where(3, 'se_raw')}: expected a standard error only beside a printed magnitude (raw), "
        "found '0.01' with raw empty"
    )


def test_se_must_be_positive_and_in_the_unit(package):
    problems = damaged(package, "est-004", se_raw="-0.007", se="-0.007")
    assert f"{where(4, 'se_raw')}: expected a positive standard error, found '-0.007'" in problems
    (problem,) = damaged(package, "est-004", se_raw="0.7%", se="0.7")
    assert problem == (
        f"{where(4, 'se_raw')}: expected a standard error in the estimate's unit "
        "('coefficient'), found '0.7%' (read as ratio)"
    )


# --- significance ----------------------------------------------------------------------------


def test_level_must_be_one_the_text_names(package):
    (problem,) = damaged(package, "est-001", significance_level="0.01")
    assert problem == (
        f"{where(1, 'significance_level')}: expected a level the significance text names "
        "(0.05), found 0.01 with significance '在5%水平上显著'"
    )


def test_level_missing_where_the_text_names_one(package):
    (problem,) = damaged(package, "est-004", significance_level="")
    assert problem == (
        f"{where(4, 'significance_level')}: expected the level the significance text names "
        "(0.01), found empty with significance 'p < 0.01'"
    )


def test_level_without_a_printed_significance(package):
    (problem,) = damaged(package, "est-002", significance="")
    assert problem == (
        f"{where(2, 'significance')}: expected the significance as printed when "
        "significance_level is given, found an empty cell"
    )


def test_level_for_a_text_that_says_not_significant(package):
    (problem,) = damaged(package, "est-006", significance_level="0.10")
    assert problem == (
        f"{where(6, 'significance_level')}: expected an empty level when the significance text "
        "says 'not significant', found 0.10 with significance '不显著'"
    )


def test_level_for_a_null(package):
    problems = damaged(package, "est-003", significance="**", significance_level="0.05")
    assert problems == [
        f"{where(3, 'significance_level')}: expected an empty level for a null finding "
        "(direction 'none'), found 0.05"
    ]


def test_level_below_a_printed_p_value(package):
    (problem,) = damaged(package, "est-004", significance="p = 0.03", significance_level="0.01")
    assert problem == (
        f"{where(4, 'significance_level')}: expected a level at or above the printed p-value "
        "0.03, found 0.01 with significance 'p = 0.03'"
    )
    validate(write_published(package, estimates=edited(
        TEST_ESTIMATES, "est-004", significance="p = 0.03", significance_level="0.05")))


def test_level_must_be_written_as_listed(package):
    assert any(
        p.startswith(where(5, "significance_level")) and "found '0.1'" in p
        for p in damaged(package, "est-005", significance_level="0.1")
    )


# --- direction against the sign --------------------------------------------------------------


def test_negative_coefficient_with_a_positive_direction(package):
    (problem,) = damaged(package, "est-004", direction="+")
    assert problem == (
        f"{where(4, 'direction')}: expected direction '-' for a value below zero, found '+' "
        "with value -0.021 (coefficient)"
    )


def test_odds_ratio_compares_with_one(package):
    (problem,) = damaged(package, "est-005", direction="+")
    assert problem == (
        f"{where(5, 'direction')}: expected direction '-' for a value below one (an odds ratio), "
        "found '+' with value 0.8 (odds_ratio)"
    )
    problems = damaged(package, "est-005", raw="-0.8", value="-0.8")
    assert f"{where(5, 'value')}: expected a positive odds ratio, found -0.8" in problems


def test_a_null_may_carry_a_number(package):
    validate(write_published(package, estimates=edited(TEST_ESTIMATES, "est-006",
                                                       direction="none")))


# --- locator and url -------------------------------------------------------------------------


def test_locator_is_required(package):
    (problem,) = damaged(package, "est-001", locator="")
    assert problem == f"{where(1, 'locator')}: expected a value, found an empty cell"


def test_locator_must_not_be_a_sentence(package):
    (problem,) = damaged(package, "est-001", locator="党组织显著提高了企业经营率。")
    assert problem == (
        f"{where(1, 'locator')}: expected a short phrase printed next to the number, not a "
        "sentence, found '党组织显著提高了企业经营率。'"
    )
    long_english = "higher operating rate of firms with a party organization"
    (problem,) = damaged(package, "est-004", locator=long_english)
    assert problem == (
        f"{where(4, 'locator')}: expected a short phrase (at most 25 Chinese characters or 50 "
        f"letters), not a sentence, found {len(long_english)} characters in {long_english!r}"
    )
    longer = long_english + " than of others"  # past the schema's maxLength: named once
    (problem,) = damaged(package, "est-004", locator=longer)
    assert problem.startswith(f"{where(4, 'locator')}: expected at most 60 characters")


def test_locator_on_one_line(package):
    (problem,) = damaged(package, "est-001", locator="测试\n经营率")
    assert problem == (
        f"{where(1, 'locator')}: expected a phrase on one line, without line breaks or control "
        "characters, found '测试\\n经营率'"
    )


def test_publication_url_is_required_and_an_address(package):
    rows = edited(TEST_PUBLICATIONS, "pub-002", url="")
    write_published(package, publications=rows)
    assert problems_of(package) == [
        "publications.csv, row 2 (line 3, publication_id=pub-002), column 'url': expected a "
        "value, found an empty cell"
    ]
    write_published(package, publications=edited(TEST_PUBLICATIONS, "pub-002", url="example.org"))
    assert problems_of(package) == [
        "publications.csv, row 2 (line 3, publication_id=pub-002), column 'url': expected an "
        "http(s) address, found 'example.org'"
    ]


def test_every_problem_is_one_line_in_the_cli(package, capsys):
    write_published(package, estimates=edited(TEST_ESTIMATES, "est-004", direction="+",
                                              n_firms="1"))
    code = main(["validate", "--data", str(package)])
    err = capsys.readouterr().err
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 3 and "has 2 problems" in lines[0]
    assert lines[1].strip().startswith(where(4, "n_firms"))
    assert lines[2].strip().startswith(where(4, "direction"))


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("3.2%", "percent", 3.2),
        ("72.52%", "percent", 72.52),
        ("12.3个百分点", "percentage_points", 12.3),
        ("1.5 percentage points", "percentage_points", 1.5),
        ("-0.021", "coefficient", -0.021),
        ("0.8", "odds_ratio", 0.8),
    ],
)
def test_value_in_unit_is_the_printed_number(raw, unit, expected):
    from dangjian_analysis import parse_quantity
    from dangjian_analysis.package.estimates import value_in_unit

    q = parse_quantity(raw)
    assert value_in_unit(q.value, q.unit_kind, unit) == expected  # exactly, not approximately


def test_percentage_points_validate(package):
    validate(write_published(package, estimates=edited(
        TEST_ESTIMATES, "est-001", raw="12.3个百分点", value="12.3", unit="percentage_points")))


def test_publications_alone_are_not_published_estimates(package):
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "estimates"]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    validate(package)
    assert not has_published_estimates(package)


def test_the_rules_run_as_named_checks():
    from dangjian_analysis.package.validation import check_names

    names = [name for name, _ in check_names()]
    assert [n for n in names if n.startswith(("estimates-", "publications-"))] == [
        "publications-url", "estimates-raw-value", "estimates-unit-none", "estimates-firm-count",
        "estimates-standard-error", "estimates-significance", "estimates-direction-sign",
        "estimates-locator",
    ]
