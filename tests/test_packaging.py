"""The wheel ships the data package and works without the source tree."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import dangjian_analysis
from dangjian_analysis import default_data_dir

from conftest import DATA, ROOT, shared


def test_source_tree_falls_back_to_top_level_data():
    # In a checkout (editable install) there is no dangjian_analysis/data folder.
    assert not (ROOT / "dangjian_analysis" / "data").exists()
    assert default_data_dir() == DATA


def _build_wheel(out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (found,) = out.glob("dangjian_analysis-*.whl")
    return found


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The package's wheel, built once per run for the test processes (conftest.shared)."""
    return shared(tmp_path_factory, "wheel", _build_wheel)


@pytest.mark.slow
def test_wheel_contains_the_data_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for file in (
        "datapackage.json",
        "figures.csv",
        "sources.csv",
        "regions.csv",
        "indicators.csv",
        "scopes.csv",
        "CHANGELOG.md",
        "CURATION.md",
    ):
        assert f"dangjian_analysis/data/{file}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    assert "dangjian_analysis/curate/extract_rules.csv" in names  # the extractor's keyword rules
    assert "dangjian_analysis/package/firm_panel.schema.json" in names  # the firm-panel schema
    assert "dangjian_analysis/__init__.pyi" in names  # the list of public names


@pytest.mark.slow
def test_wheel_contains_the_brief_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = ROOT / "dangjian_analysis" / "briefs" / "templates" / "brief"
    shipped = sorted(p.name for p in templates.iterdir())
    assert {"conf.json", "index.html.j2", "brief.css", "briefs_index.html.j2"} <= set(shipped)
    for name in shipped:
        assert f"dangjian_analysis/briefs/templates/brief/{name}" in names


@pytest.mark.slow
def test_non_editable_install_reads_data_through_importlib_resources(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    # -S: no site module, so the editable install's path hook is not loaded; the test's
    # environment supplies the dependencies by plain path entries after the wheel.
    deps = sysconfig.get_paths()["purelib"]
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "import dangjian_analysis as d;"
        "print(d.__file__); print(d.default_data_dir()); print(len(d.load_figures()));"
        "print(d.__version__);"
        "print(d.extract_candidates('共有党员5名')[0].indicator);"
        "from dangjian_analysis.briefs.build import template_root; print(template_root())"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code, str(target), deps],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    module_file, data_dir, count, version, indicator, templates = result.stdout.split("\n")[:6]
    assert Path(module_file).is_relative_to(target)
    assert Path(data_dir) == target / "dangjian_analysis" / "data"
    assert int(count) == len(dangjian_analysis.load_figures())
    assert version == dangjian_analysis.__version__
    assert indicator == "party_members"  # extract_rules.csv read from the wheel
    assert Path(templates) == target / "dangjian_analysis" / "briefs" / "templates"
    assert (Path(templates) / "brief" / "index.html.j2").is_file()
