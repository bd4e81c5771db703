"""The data package is valid for any Frictionless tool, not only for this package."""

from __future__ import annotations

import shutil

from frictionless import Package

from conftest import DATA


def test_frictionless_validates_the_bundled_package():
    report = Package(str(DATA / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_a_foreign_key_break(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    path = folder / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[2] = "atlantis"  # region_id
    lines[1] = ",".join(first)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = Package(str(folder / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {row[0] for row in report.flatten(["type"])}
