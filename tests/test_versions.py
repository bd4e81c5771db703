from __future__ import annotations

import re
import tomllib

import dangjian_analysis
from dangjian_analysis import data_version

from conftest import DATA, ROOT


def test_package_version_comes_from_metadata():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert dangjian_analysis.__version__ == project["version"]


def test_changelog_latest_entry_is_the_data_version():
    changelog = (DATA / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\d+\.\d+\.\d+)\b", changelog, flags=re.MULTILINE)
    assert versions, "data/CHANGELOG.md has no '## X.Y.Z' entry"
    assert versions[0] == data_version()
    assert len(versions) == len(set(versions)), "a data version appears twice in the changelog"


def test_data_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", data_version())
