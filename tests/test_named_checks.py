"""Every named check of validation, one row each: the damage done and the message expected.

The rows damage a copy of the mini package (the real descriptor and vocabularies with
five test figures) and expect one problem, found by the named check, with its exact
message. A check added to the registry without a row here fails
``test_every_named_check_has_a_row``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dangjian_analysis import DataValidationError, validate
from dangjian_analysis.package import validation
from dangjian_analysis.package.checks import CHECKS, CheckContext, named_check
from dangjian_analysis.package.errors import Problem
from dangjian_analysis.package.settings import SETTINGS_PARTS
from dangjian_analysis.package.validation import check_names

from conftest import read_csv, write_csv

Damage = dict[str, Any]


def damage(folder: Path, spec: Damage) -> Path:
    """Apply ``spec``: ``{"figures.csv": {"tc-001": {"raw": ...}}, "analysis.json": f}``.

    A CSV entry changes cells of the rows whose first column is the key; a JSON entry is
    a function that edits the parsed document in place.
    """
    for file, change in spec.items():
        path = folder / file
        if file.endswith(".json"):
            doc = json.loads(path.read_text(encoding="utf-8"))
            change(doc)
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            continue
        rows = read_csv(path)
        key = next(iter(rows[0]))
        for row in rows:
            row.update(change.get(row[key], {}))
        write_csv(path, rows, list(rows[0]))
    return folder


def fig(fid: str, **cells: str) -> Damage:
    return {"figures.csv": {fid: cells}}


def ratio_measure(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["ratio_measures"][0].update(changes)

    return edit


def row(where: str) -> str:
    """The start of a figures.csv message: ``figures.csv, row 1 (line 2, figure_id=tc-001)``."""
    number = int(where[-1])
    return f"figures.csv, row {number} (line {number + 1}, figure_id={where})"


ROWS = [
    # --- cells --------------------------------------------------------------------------
    pytest.param(
        "cell-required",
        fig("tc-004", indicator=""),
        f"{row('tc-004')}, column 'indicator': expected a value, found an empty cell",
        id="cell-required",
    ),
    pytest.param(
        "cell-control-characters",
        fig("tc-002", raw="72.52\n%"),
        f"{row('tc-002')}, column 'raw': expected text on one line as printed, without line "
        "breaks or control characters, found '72.52\\n%' (U+000A at character 6)",
        id="cell-control-characters",
    ),
    pytest.param(
        "cell-no-surrounding-spaces",
        fig("tc-001", locator=" 测试企业"),
        f"{row('tc-001')}, column 'locator': expected no leading or trailing spaces, "
        "found ' 测试企业'",
        id="cell-no-surrounding-spaces",
    ),
    pytest.param(
        "cell-type",
        fig("tc-001", value="five hundred"),
        f"{row('tc-001')}, column 'value': expected a number (digits, optional decimal "
        "point), found 'five hundred'",
        id="cell-type-number",
    ),
    pytest.param(
        "cell-type",
        fig("tc-001", period_earliest="2013-02-30"),
        f"{row('tc-001')}, column 'period_earliest': expected a valid calendar date, "
        "found '2013-02-30'",
        id="cell-type-date",
    ),
    pytest.param(
        "cell-type",
        fig("tc-001", value="５００"),
        f"{row('tc-001')}, column 'value': expected digits 0-9 (ASCII), found '５００' "
        "('５' is FULLWIDTH DIGIT FIVE)",
        id="cell-type-full-width-digits",
    ),
    pytest.param(
        "cell-constraints",
        fig("tc-001", period_kind="decade"),
        f"{row('tc-001')}, column 'period_kind': expected one of ['as_of', 'year', 'span'], "
        "found 'decade'",
        id="cell-constraints-enum",
    ),
    pytest.param(
        "cell-constraints",
        fig("tc-001", locator="这是一个远远超过二十个字符长度限制的定位短语用于测试"),
        f"{row('tc-001')}, column 'locator': expected at most 20 characters, found 26 in "
        "'这是一个远远超过二十个字符长度限制的定位短语用于测试'",
        id="cell-constraints-length",
    ),
    pytest.param(
        "cell-constraints",
        fig("tc-002", see_also="tc-1"),
        f"{row('tc-002')}, column 'see_also': expected text matching",
        id="cell-constraints-pattern",
    ),
    pytest.param(
        "cell-unique",
        fig("tc-002", figure_id="tc-001"),
        "figures.csv, row 2 (line 3, figure_id=tc-001), column 'figure_id': expected a "
        "unique value, found 'tc-001', already used in row 1",
        id="cell-unique",
    ),
    pytest.param(
        "foreign-keys",
        fig("tc-002", region_id="atlantis"),
        f"{row('tc-002')}, column 'region_id': expected a region_id listed in regions.csv, "
        "found 'atlantis'",
        id="foreign-keys",
    ),
    pytest.param(
        "foreign-keys",
        fig("tc-003", source_id="src_nowhere"),
        f"{row('tc-003')}, column 'source_id': expected a source_id listed in sources.csv, "
        "found 'src_nowhere'",
        id="foreign-keys-source",
    ),
    pytest.param(
        "hierarchies",
        {"scopes.csv": {"two_new_orgs": {"broader_scope": "nonpublic_enterprises"}}},
        "nonpublic_enterprises -> nonpublic_economic_orgs -> two_new_orgs",
        id="hierarchies",
    ),
    # --- the descriptor -----------------------------------------------------------------
    pytest.param(
        "numeric-field-units",
        {
            "datapackage.json": lambda d: next(
                f
                for r in d["resources"]
                if r["name"] == "figures"
                for f in r["schema"]["fields"]
                if f["name"] == "upper"
            ).pop("unit")
        },
        "datapackage.json: expected a 'unit' property on resource 'figures' field 'upper', "
        "found none",
        id="numeric-field-units",
    ),
    pytest.param(
        "descriptor-version",
        {"datapackage.json": lambda d: d.update(version="not-a-version")},
        "datapackage.json, column 'version': expected a version number MAJOR.MINOR.PATCH "
        "such as \"1.4.0\", found 'not-a-version'",
        id="descriptor-version",
    ),
    # --- sources ------------------------------------------------------------------------
    pytest.param(
        "sources-publication-window-order",
        {"sources.csv": {"src_lishui": {"published_earliest": "2030-01-01"}}},
        "column 'published_latest': expected a date on or after published_earliest "
        "(2030-01-01)",
        id="sources-publication-window-order",
    ),
    pytest.param(
        "sources-published-in-window",
        {"sources.csv": {"src_jiangsu_parks": {"published": "2016-01-01"}}},
        "column 'published': expected a date between 2015-10-26 and 2015-10-26, "
        "found 2016-01-01",
        id="sources-published-in-window",
    ),
    # --- figures ------------------------------------------------------------------------
    pytest.param(
        "figures-bounds-order",
        fig("tc-001", lower="600"),
        f"{row('tc-001')}, column 'lower': expected a bound <= value (500), found 600",
        id="figures-bounds-order",
    ),
    pytest.param(
        "figures-ratio-between-0-and-1",
        fig("tc-002", value="72.52", lower="72.52", upper="72.52"),
        f"{row('tc-002')}, column 'value': expected a ratio between 0 and 1 for ratio "
        "indicator 'party_org_coverage_rate', found 72.52",
        id="figures-ratio-between-0-and-1",
    ),
    pytest.param(
        "figures-counts-whole",
        fig("tc-001", raw="-927家", value="-927", lower="-927", upper="-927"),
        f"{row('tc-001')}, column 'value': expected a non-negative whole number for "
        "indicator 'enterprises' (unit kind 'count': a count), found value -927, "
        "lower -927, upper -927",
        id="figures-counts-whole-negative",
    ),
    pytest.param(
        "figures-counts-whole",
        fig(
            "tc-001",
            raw="927.0000001家",
            value="927.0000001",
            lower="927.0000001",
            upper="927.0000001",
        ),
        f"{row('tc-001')}, column 'value': expected a non-negative whole number for "
        "indicator 'enterprises' (unit kind 'count': a count), found value 927.0000001, "
        "lower 927.0000001, upper 927.0000001",
        id="figures-counts-whole-fraction",
    ),
    pytest.param(
        "figures-raw-parses",
        fig("tc-001", raw="五六百家"),
        f"{row('tc-001')}, column 'raw': expected a quantity the parser reads, found "
        "'五六百家': two digits in a row (五六): a range such as 三四个 or 十七八, not one number",
        id="figures-raw-parses",
    ),
    pytest.param(
        "figures-raw-matches-numbers",
        fig("tc-004", raw="116亿元"),
        f"{row('tc-004')}, column 'value': expected 11600000000 as parsed from raw "
        "'116亿元', found 11500000000",
        id="figures-raw-matches-numbers",
    ),
    pytest.param(
        "figures-raw-matches-numbers",
        fig("tc-003", lower=""),
        f"{row('tc-003')}, column 'lower': expected 127000 as parsed from raw '12.7万余名', "
        "found empty",
        id="figures-raw-matches-numbers-bound",
    ),
    pytest.param(
        "figures-raw-matches-numbers",
        fig("tc-001", raw="不足500家"),
        f"{row('tc-001')}, column 'lower': expected empty as parsed from raw '不足500家', "
        "found 500",
        id="figures-raw-matches-numbers-less-than",
    ),
    pytest.param(
        "figures-raw-qualifier",
        fig("tc-001", qualifier="about"),
        f"{row('tc-001')}, column 'qualifier': expected 'exact' as parsed from raw '500家', "
        "found 'about'",
        id="figures-raw-qualifier",
    ),
    pytest.param(
        "figures-raw-unit-fits",
        fig("tc-001", raw="500名"),
        f"{row('tc-001')}, column 'raw': expected a unit fitting indicator 'enterprises' "
        "(unit kind 'count'), found '500名' (unit '名', kind persons)",
        id="figures-raw-unit-fits",
    ),
    pytest.param(
        "figures-raw-change-fits",
        fig("tc-002", raw="下降5.2%", value="-0.052", lower="-0.052", upper="-0.052"),
        f"{row('tc-002')}, column 'raw': expected a level for indicator "
        "'party_org_coverage_rate' (unit kind 'ratio'); a change belongs under an indicator "
        "of unit kind growth_rate or percentage_points, found '下降5.2%' (a decrease)",
        id="figures-raw-change-fits",
    ),
    pytest.param(
        "figures-denominators-above-zero",
        fig("tc-001", raw="0家", value="0", lower="0", upper="0"),
        f"{row('tc-001')}, column 'value': expected a number above 0: indicator "
        "'enterprises' is a denominator of the ratio measure 'enterprise_coverage' "
        "(analysis.json), found 0",
        id="figures-denominators-above-zero",
    ),
    pytest.param(
        "figures-period-order",
        fig("tc-001", period_earliest="2015-01-01"),
        f"{row('tc-001')}, column 'period_latest': expected a date on or after "
        "period_earliest (2015-01-01), found 2014-12-31",
        id="figures-period-order",
    ),
    pytest.param(
        "figures-period-year-shape",
        fig("tc-004", period_latest="2013-06-30"),
        f"{row('tc-004')}, column 'period_earliest': expected a calendar-year period "
        "(1 January to 31 December) for period_kind 'year', found 2012-01-01 to 2013-06-30",
        id="figures-period-year-shape",
    ),
    pytest.param(
        "figures-publication-period",
        fig("tc-001", period_latest="2013-12-31"),
        f"{row('tc-001')}, column 'period_earliest': expected the source's publication "
        "window 2013-01-01 to 2014-12-31 for period_basis 'publication', found 2013-01-01 "
        "to 2013-12-31",
        id="figures-publication-period",
    ),
    pytest.param(
        "figures-see-also-exists",
        fig("tc-003", see_also="tc-004;tc-099"),
        f"{row('tc-003')}, column 'see_also': expected ids of figures in figures.csv, "
        "found 'tc-099'",
        id="figures-see-also-exists",
    ),
    pytest.param(
        "figures-see-also-exists",
        fig("tc-001", see_also="tc-001"),
        f"{row('tc-001')}, column 'see_also': expected ids of other figures, found its own "
        "id 'tc-001'",
        id="figures-see-also-exists-self",
    ),
    pytest.param(
        "figures-see-also-both-ways",
        fig("tc-004", see_also=""),
        f"{row('tc-003')}, column 'see_also': expected links that go both ways: tc-004 "
        "listing tc-003 in its see_also, found 'tc-004', whose see_also does not list tc-003",
        id="figures-see-also-both-ways",
    ),
    pytest.param(
        "figures-entity-single-enterprise",
        fig("tc-005", entity=""),
        f"{row('tc-005')}, column 'entity': expected an entity name exactly when scope is "
        "'single_enterprise', found entity '' with scope 'single_enterprise'",
        id="figures-entity-single-enterprise",
    ),
    pytest.param(
        "figures-one-definition-per-ratio-code",
        {
            "figures.csv": {
                "tc-004": {
                    "indicator": "party_org_coverage_rate",
                    "scope": "nonpublic_enterprises_above_scale",
                    "period_kind": "as_of",
                    "period_earliest": "2013-01-01",
                    "period_latest": "2014-12-31",
                    "period_basis": "publication",
                    "raw": "60%",
                    "value": "0.6",
                    "lower": "0.6",
                    "upper": "0.6",
                    "see_also": "",
                },
                "tc-003": {"see_also": ""},
            }
        },
        "figures.csv, row 4 (line 5, figure_id=tc-004), column 'indicator': expected one "
        "definition per ratio code",
        id="figures-one-definition-per-ratio-code",
    ),
    # --- analysis.json ------------------------------------------------------------------
    pytest.param(
        "analysis-coverage-is-a-share",
        {"analysis.json": lambda d: d["coverage_measures"][0].update(measure="enterprises")},
        "analysis.json, column 'coverage_measures[0].measure': expected a share (unit kind "
        "'ratio'), or share_of_firms: false for a measure that is not a share of firms, found "
        "'enterprises' of unit kind 'count'",
        id="analysis-coverage-is-a-share",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": ratio_measure(factor=0)},
        "analysis.json, column 'ratio_measures[0].factor': expected a finite number above 0 "
        "and at most 1e+09 (a scale such as 1, 100 or 1000), found 0",
        id="analysis-settings-factor-zero",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": ratio_measure(factor=-1)},
        "analysis.json, column 'ratio_measures[0].factor': expected a finite number above 0 "
        "and at most 1e+09 (a scale such as 1, 100 or 1000), found -1",
        id="analysis-settings-factor-negative",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": ratio_measure(factor=1e308)},
        "analysis.json, column 'ratio_measures[0].factor': expected a finite number above 0 "
        "and at most 1e+09 (a scale such as 1, 100 or 1000), found 1e+308",
        id="analysis-settings-factor-huge",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": ratio_measure(factor=math.nan)},
        "analysis.json, column 'ratio_measures[0].factor': expected a finite number above 0 "
        "and at most 1e+09 (a scale such as 1, 100 or 1000), found nan",
        id="analysis-settings-factor-nan",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": ratio_measure(factor=100)},
        "analysis.json, column 'ratio_measures[0].factor': expected 1 for a share "
        "(share: true), which lies between 0 and 1, found 100",
        id="analysis-settings-share-factor",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": lambda d: d["ratio_measures"].append(dict(d["ratio_measures"][0]))},
        "analysis.json, column 'ratio_measures[8].measure': expected each measure listed "
        "once in ratio_measures, found 'enterprise_coverage', as in ratio_measures[0].measure",
        id="analysis-settings-duplicate-measure",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": lambda d: d.update(outcomez=[])},
        "analysis.json, column 'outcomez': expected one of the parts "
        f"{sorted(SETTINGS_PARTS)}, found an unknown key",
        id="analysis-settings-unknown-key",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": lambda d: d["ratio_measures"][1].update(factr=2)},
        "analysis.json, column 'ratio_measures[1].factr': expected one of the keys "
        "['caveat', 'denominators', 'factor', 'label', 'measure', 'numerators', 'share', "
        "'unit_kind'], found an unknown key",
        id="analysis-settings-unknown-item-key",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": lambda d: d.pop("outcomes")},
        "analysis.json, column 'outcomes': expected the part 'outcomes' (benchmark_measures "
        "name the outcome 'output_growth'), found <missing>",
        id="analysis-settings-deleted-outcomes",
    ),
    pytest.param(
        "analysis-settings",
        {"analysis.json": ratio_measure(numerators="enterprises_with_party_org")},
        "analysis.json, column 'ratio_measures[0].numerators': expected a non-empty list, "
        "found 'enterprises_with_party_org'",
        id="analysis-settings-type-error-without-follow-ons",
    ),
]

# Rows whose damage gives exactly one problem (the others give the same mistake seen by
# more than one rule, like a percentage in a ratio column that the parser also reads).
SEVERAL = {
    "figures-bounds-order",
    "figures-counts-whole-negative",
    "cell-constraints-pattern",
    "figures-raw-matches-numbers",
    "figures-raw-matches-numbers-less-than",
    "hierarchies",
    "figures-ratio-between-0-and-1",
    "figures-raw-change-fits",
    "cell-unique",
    "figures-raw-parses",
    "figures-see-also-exists-self",
    "cell-type-full-width-digits",
}


@pytest.mark.parametrize(("check", "spec", "message"), ROWS)
def test_one_named_check_per_rule(request, mini_package, check, spec, message):
    damage(mini_package, spec)
    with pytest.raises(DataValidationError) as info:
        validate(mini_package)
    problems = info.value.problems
    found = [p for p in problems if message in str(p)]
    assert found, [str(p) for p in problems]
    assert {p.check for p in found} == {check}
    if request.node.callspec.id not in SEVERAL:
        assert len(problems) == 1, [str(p) for p in problems]


def test_every_named_check_has_a_row():
    check_names()  # imports the modules of CHECK_MODULES
    covered = {param.values[0] for param in ROWS}
    # A composite primary key: no table of this schema has one; tested in test_validation.
    elsewhere = {"primary-key-unique"}
    # Checks registered by other modules (CHECK_MODULES) have their rows in those
    # modules' tests.
    built_in = {c.name for c in CHECKS if c.run.__module__ == validation.__name__}
    assert built_in - covered == elsewhere


def test_checks_have_names_and_rules_and_the_registry_takes_new_ones(mini_package):
    names = [name for name, _ in check_names()]
    assert len(names) == len(set(names))
    assert all(rule for _, rule in check_names())

    @named_check("test-no-figure-called-tc-005", "no figure is called tc-005 (a test rule)")
    def _no_tc_005(ctx: CheckContext) -> list[Problem]:
        t = ctx.tables["figures"]
        return [
            Problem(t.file, i, "figure_id", "another id", repr(fid), t.key_of(i))
            for i, fid in enumerate(t.columns["figure_id"], start=1)
            if fid == "tc-005"
        ]

    try:
        with pytest.raises(DataValidationError) as info:
            validate(mini_package)
        (problem,) = info.value.problems
        assert problem.check == "test-no-figure-called-tc-005"
        with pytest.raises(ValueError, match="exists already"):
            named_check("test-no-figure-called-tc-005", "again")(lambda ctx: [])
    finally:
        CHECKS[:] = [c for c in CHECKS if not c.name.startswith("test-")]
    validate(mini_package)


def test_a_byte_order_mark_in_analysis_json_is_accepted(mini_package):
    path = mini_package / "analysis.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    validate(mini_package)


def test_utf16_analysis_json_is_one_clear_line(mini_package):
    path = mini_package / "analysis.json"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(DataValidationError) as info:
        validate(mini_package)
    assert [str(p) for p in info.value.problems] == [
        "analysis.json: expected UTF-8 text, found UTF-16 (byte order mark FF FE); save the "
        "file as UTF-8"
    ]


def test_the_mini_package_itself_is_unchanged_by_reading(mini_package):
    before = read_csv(mini_package / "figures.csv")
    validate(mini_package)
    assert read_csv(mini_package / "figures.csv") == before
