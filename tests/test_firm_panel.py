"""The firm-year panel format: schema, loader and every rule, on damaged copies of a panel.

Each damaged panel must end in one problem per damaged cell, one line each naming the
file, the row (with firm and year) and the column. The panels are synthetic (invented
numbers), small, and written to a temporary folder.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

import dangjian_analysis as dj
from dangjian_analysis.package.panel import PANEL_FILE, firm_panel_schema

SCHEMA = firm_panel_schema()
COLUMNS = [f["name"] for f in SCHEMA["fields"]]


@pytest.fixture(scope="module")
def panel_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("panel")
    dj.synthetic_firm_panel(40, 5, seed=7, n_regions=5, path=folder)
    return folder


def rows_of(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / PANEL_FILE).read_text(encoding="utf-8"))))


def write_rows(folder: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "damaged.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def problems(path: Path, **options) -> list[str]:
    with pytest.raises(dj.DataValidationError) as info:
        dj.load_firm_panel(path, **options)
    lines = [str(p) for p in info.value.problems]
    for line in lines:
        assert "\n" not in line
    return lines


def test_the_schema_ships_in_the_package_and_lists_the_issue_columns():
    assert COLUMNS[:4] == ["firm_id", "year", "region", "industry"]
    for name in ("ownership", "employees", "age", "above_scale", "has_party_org",
                 "party_org_year", "owner_party_member"):
        assert name in COLUMNS
    for outcome in ("output", "sales", "value_added", "tax_paid"):
        assert {outcome, f"{outcome}_currency", f"{outcome}_price_basis"} <= set(COLUMNS)
    above = next(f for f in SCHEMA["fields"] if f["name"] == "above_scale")
    assert "2011" in above["description"]
    assert SCHEMA["primaryKey"] == ["firm_id", "year"]


def test_a_written_panel_loads_typed_and_unchanged(panel_dir):
    panel = dj.load_firm_panel(panel_dir)
    again = dj.synthetic_firm_panel(40, 5, seed=7, n_regions=5)
    assert list(panel.columns) == COLUMNS
    assert len(panel) == 200
    assert str(panel["year"].dtype) == "Int64"
    assert str(panel["has_party_org"].dtype) == "boolean"
    assert str(panel["output"].dtype) == "float64"
    assert str(panel["firm_id"].dtype) == "str"
    pd.testing.assert_frame_equal(panel, again, check_like=False)
    assert panel.attrs["above_scale_thresholds"] == {1998: 5_000_000, 2011: 20_000_000}
    assert panel.attrs["reversals"] == []


def test_the_csv_alone_loads_too(panel_dir):
    assert len(dj.load_firm_panel(panel_dir / PANEL_FILE)) == 200


def test_frictionless_reads_the_written_package_as_valid(panel_dir):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(panel_dir / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_duplicate_firm_years_are_an_error(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    rows.insert(3, dict(rows[1]))
    found = problems(write_rows(tmp_path, rows))
    assert found == [
        f"damaged.csv, row 4 (line 5, firm_id={rows[1]['firm_id']}, year={rows[1]['year']}), "
        "column 'year': expected one row per firm and year (firm_id, year), found "
        f"('{rows[1]['firm_id']}', {rows[1]['year']}), already in row 2"
    ]


def _adopter_rows(rows: list[dict[str, str]]) -> list[int]:
    """Positions of the rows of the first firm that adopts during the panel."""
    firms: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        firms.setdefault(row["firm_id"], []).append(i)
    for positions in firms.values():
        flags = [rows[i]["has_party_org"] for i in positions]
        if flags[0] == "0" and "1" in flags:
            return positions
    raise AssertionError("no adopter in the fixture")


def test_an_organization_set_up_after_the_observation_year_is_an_error(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    positions = _adopter_rows(rows)
    first = next(i for i in positions if rows[i]["has_party_org"] == "1")
    later = [i for i in positions if rows[i]["has_party_org"] == "1"]
    for i in later:
        rows[i]["party_org_year"] = str(int(rows[i]["year"]) + 1) if i == first else rows[i][
            "party_org_year"
        ]
    found = problems(write_rows(tmp_path, rows))
    row = rows[first]
    assert any(
        line == f"damaged.csv, row {first + 1} (line {first + 2}, firm_id={row['firm_id']}, "
        f"year={row['year']}), column 'party_org_year': expected a set-up year no later than "
        f"the row's year ({row['year']}) in a row with an organization, found "
        f"{int(row['year']) + 1}"
        for line in found
    ), found


def test_a_set_up_year_already_past_in_a_row_without_an_organization_is_an_error(
    panel_dir, tmp_path
):
    rows = rows_of(panel_dir)
    positions = _adopter_rows(rows)
    before = positions[0]
    rows[before]["party_org_year"] = rows[before]["year"]
    found = problems(write_rows(tmp_path, rows))
    assert any(f"row {before + 1} " in line and "column 'has_party_org'" in line
               and "expected 1, since party_org_year" in line for line in found), found


def test_adoption_that_reverses_is_flagged_and_kept_only_on_request(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    positions = _adopter_rows(rows)
    last = positions[-1]
    assert rows[last]["has_party_org"] == "1"
    rows[last]["has_party_org"] = "0"
    rows[last]["party_org_year"] = ""
    path = write_rows(tmp_path, rows)
    found = problems(path)
    assert len(found) == 1
    assert found[0].startswith(f"damaged.csv, row {last + 1} (line {last + 2}, "
                               f"firm_id={rows[last]['firm_id']}")
    assert "column 'has_party_org': expected an organization kept once set up" in found[0]
    assert "allow_reversals=True" in found[0]
    assert found[0].endswith(f"found 0 in {rows[last]['year']}")
    kept = dj.load_firm_panel(path, allow_reversals=True)
    assert kept.attrs["reversals"] == [rows[last]["firm_id"]]
    effects = dj.firm_effects(kept, estimators=("twfe",))
    assert "1 firms whose organization lapsed" in effects["note"].iat[0]


def test_an_outcome_without_a_price_basis_is_an_error(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    rows[5]["tax_paid_price_basis"] = ""
    rows[6]["output_currency"] = ""
    found = problems(write_rows(tmp_path, rows))
    assert found == [
        f"damaged.csv, row 6 (line 7, firm_id={rows[5]['firm_id']}, year={rows[5]['year']}), "
        "column 'tax_paid_price_basis': expected the price basis ('nominal' or 'real-YYYY') "
        f"of the tax_paid value {float(rows[5]['tax_paid'])!r}, found an empty cell",
        f"damaged.csv, row 7 (line 8, firm_id={rows[6]['firm_id']}, year={rows[6]['year']}), "
        f"column 'output_currency': expected the currency of the output value "
        f"{float(rows[6]['output'])!r}, found an empty cell",
    ]


def test_one_price_basis_per_outcome(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    rows[9]["sales_price_basis"] = "real-2010"
    found = problems(write_rows(tmp_path, rows))
    assert len(found) == 1
    assert "row 10 " in found[0] and "column 'sales_price_basis'" in found[0]
    assert found[0].endswith("expected one price basis per outcome ('nominal' in row 1), "
                             "found 'real-2010'")


def test_a_price_basis_must_say_nominal_or_real_with_its_year(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    rows[2]["output_price_basis"] = "real"
    found = problems(write_rows(tmp_path, rows))
    assert found == [
        f"damaged.csv, row 3 (line 4, firm_id={rows[2]['firm_id']}, year={rows[2]['year']}), "
        "column 'output_price_basis': expected text matching nominal|real-[0-9]{4}, "
        "found 'real'"
    ]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("year", "2012.0", "expected an integer, found '2012.0'"),
        ("year", "２０１２", "expected digits 0-9 (ASCII)"),
        ("employees", "-3", "expected a value >= 0, found -3"),
        ("output", "1,200", "expected a number (digits, optional decimal point), found '1,200'"),
        ("output", "-5", "expected a value >= 0, found -5"),
        ("tax_paid", "1e400", "expected a finite number, found '1e400'"),
        ("sales", "１２", "expected digits 0-9 (ASCII)"),
        ("has_party_org", "yes",
         "expected one of ['1', 'true', 'True', 'TRUE', '0', 'false', 'False', 'FALSE'], "
         "found 'yes'"),
        ("ownership", "privately", "expected one of ['private', 'foreign'"),
        ("region", "", "expected a value, found an empty cell"),
        ("region", " R01", "expected no leading or trailing spaces, found ' R01'"),
        ("output_currency", "yuan", "expected text matching [A-Z]{3}, found 'yuan'"),
    ],
)
def test_cell_errors_name_file_row_and_column(panel_dir, tmp_path, column, value, expected):
    rows = rows_of(panel_dir)
    rows[4][column] = value
    found = problems(write_rows(tmp_path, rows))
    assert len(found) == 1, found
    assert found[0].startswith("damaged.csv, row 5 (line 6, firm_id=")
    assert f"column {column!r}: {expected}" in found[0]


def test_column_errors(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    columns = [c if c != "output" else "ouptut" for c in rows[0]]
    renamed = [{("ouptut" if k == "output" else k): v for k, v in r.items()} for r in rows]
    found = problems(write_rows(tmp_path, renamed, columns))
    assert "damaged.csv, row 0 (line 1), column 'ouptut': expected only columns of the " \
        "firm-panel schema" in found[0]
    assert any("column 'output': expected the columns ['output', 'output_currency', "
               "'output_price_basis'] together" in line for line in found), found
    no_region = [c for c in rows[0] if c != "region"]
    found = problems(write_rows(tmp_path, rows, no_region))
    assert found == [
        f"damaged.csv, row 0 (line 1), column 'region': expected the required column "
        f"'region', found columns {no_region}"
    ]


def test_optional_columns_may_be_left_out(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    keep = ["firm_id", "year", "region", "has_party_org", "output", "output_currency",
            "output_price_basis"]
    panel = dj.load_firm_panel(write_rows(tmp_path, rows, keep))
    assert list(panel.columns) == keep


def test_a_panel_without_any_outcome_is_an_error(panel_dir, tmp_path):
    rows = rows_of(panel_dir)
    found = problems(write_rows(tmp_path, rows, ["firm_id", "year", "region", "has_party_org"]))
    assert len(found) == 1 and "expected at least one outcome column" in found[0]


def test_a_ragged_row_and_a_missing_package(panel_dir, tmp_path):
    text = (panel_dir / PANEL_FILE).read_text(encoding="utf-8").splitlines()
    text[3] += ",extra"
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert problems(path) == [
        f"ragged.csv, row 3 (line 4): expected {len(COLUMNS)} cells, found {len(COLUMNS) + 1} "
        "cells"
    ]
    assert problems(tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: expected a panel CSV file or a panel package, found no such "
        "file"
    ]


def test_a_descriptor_with_another_type_is_an_error(panel_dir, tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / PANEL_FILE).write_bytes((panel_dir / PANEL_FILE).read_bytes())
    descriptor = json.loads((panel_dir / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"]["fields"][1]["type"] = "string"
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert problems(folder) == [
        "datapackage.json, resources[0] (firm_years).schema.fields[1], column 'year': "
        "expected type 'integer', found 'string'"
    ]


def test_a_frame_in_memory_is_checked_by_the_same_rules():
    panel = dj.synthetic_firm_panel(20, 4, seed=1, n_regions=3)
    assert dj.check_firm_panel(panel).shape == panel.shape
    damaged = pd.concat([panel, panel.iloc[[0]]], ignore_index=True)
    with pytest.raises(dj.DataValidationError) as info:
        dj.check_firm_panel(damaged)
    (problem,) = info.value.problems
    assert str(problem).startswith("the panel (DataFrame), row 81 (line 82, firm_id=F01, "
                                   "year=2008), column 'year': expected one row per firm")
    floats = panel.assign(year=panel["year"].astype("float64"))
    with pytest.raises(dj.DataValidationError, match=r"expected an integer, found '2008\.0'"):
        dj.check_firm_panel(floats)


def test_a_csv_written_by_pandas_loads(tmp_path):
    panel = dj.synthetic_firm_panel(20, 4, seed=2, n_regions=3)
    minimal = panel[["firm_id", "year", "region", "has_party_org", "party_org_year", "output",
                     "output_currency", "output_price_basis"]]
    minimal.to_csv(tmp_path / "mine.csv", index=False)  # flags as True/False, NA as empty
    loaded = dj.load_firm_panel(tmp_path / "mine.csv")
    pd.testing.assert_frame_equal(loaded, dj.check_firm_panel(minimal))
    assert loaded["has_party_org"].sum() == panel["has_party_org"].sum()


def test_writing_never_replaces_a_panel_unless_asked(tmp_path):
    panel = dj.synthetic_firm_panel(20, 4, seed=2, n_regions=3)
    dj.write_firm_panel(panel, tmp_path)
    before = (tmp_path / PANEL_FILE).read_bytes()
    other = dj.synthetic_firm_panel(20, 4, seed=3, n_regions=3)
    with pytest.raises(FileExistsError):
        dj.write_firm_panel(other, tmp_path)
    assert (tmp_path / PANEL_FILE).read_bytes() == before
    dj.write_firm_panel(other, tmp_path, overwrite=True)
    pd.testing.assert_frame_equal(dj.load_firm_panel(tmp_path), other)
