"""The data package is valid for any Frictionless tool, not only for this package."""

from __future__ import annotations

import shutil

from frictionless import Package

from conftest import DATA, read_csv, write_csv


def test_frictionless_validates_the_bundled_package():
    report = Package(str(DATA / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_a_foreign_key_break(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    rows = read_csv(folder / "figures.csv")
    rows[0]["region_id"] = "atlantis"
    write_csv(folder / "figures.csv", rows, list(rows[0]))
    report = Package(str(folder / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {row[0] for row in report.flatten(["type"])}
