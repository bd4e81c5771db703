"""Every notebook runs on an empty or a tiny data package and says what it cannot show."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import dangjian_analysis as dj

from conftest import DATA, ROOT, read_csv, write_csv


def _keep(folder: Path, name: str, keep) -> list[dict[str, str]]:
    rows = read_csv(DATA / name)
    kept = [r for r in rows if keep(r)]
    write_csv(folder / name, kept, list(rows[0]))
    return kept


def _package(folder: Path, region: str | None) -> Path:
    """The bundled vocabularies and settings with the figures of one region, or none."""
    shutil.copytree(DATA, folder)
    figures = _keep(folder, "figures.csv", lambda r: r["region_id"] == region)
    ids = {r["figure_id"] for r in figures}
    for row in figures:
        row["see_also"] = ";".join(i for i in row["see_also"].split(";") if i in ids)
    write_csv(folder / "figures.csv", figures, list(read_csv(DATA / "figures.csv")[0]))
    used = {r["source_id"] for r in figures}
    _keep(folder, "sources.csv", lambda r: r["source_id"] in used)
    regions = _keep(folder, "regions.csv", lambda r: r["region_id"] == region)
    for row in regions:
        row["parent_region_id"] = ""
    write_csv(folder / "regions.csv", regions, list(read_csv(DATA / "regions.csv")[0]))
    if region is None:  # no published estimates either
        _keep(folder, "estimates.csv", lambda r: False)
        _keep(folder, "publications.csv", lambda r: False)
    settings = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    settings["partial_counts"] = []
    settings["benchmark_regions"] = []
    settings["examples"] = [e for e in settings["examples"] if e["region_id"] == region]
    (folder / "analysis.json").write_text(json.dumps(settings), encoding="utf-8")
    dj.validate(folder)
    return folder


def _headlines(out: Path) -> dict[str, str]:
    found = {}
    for page in sorted(out.glob("0*.html")):
        match = re.search(r'class="key-findings-headline">(.*?)</p>', page.read_text("utf-8"))
        assert match, page.name
        found[page.stem[:2]] = match.group(1)
    return found


def _reads_the_package(path: Path) -> bool:
    """Whether a code cell of the notebook, other than its parameters, names DATA_DIR."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return any(
        "DATA_DIR" in "".join(cell["source"])
        for cell in nb["cells"]
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", [])
    )


ALL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The notebooks that analyse the data package. The others analyse a firm panel
# (FIRM_PANEL) and show the same synthetic panel whatever the package holds: they run on
# the bundled package only (conftest.bundled_run), not again on the packages made here.
DATA_NOTEBOOKS = [p.stem for p in ALL_NOTEBOOKS if _reads_the_package(p)]
FIRM_PANEL_NOTEBOOKS = {"08"}


def test_only_the_firm_panel_notebooks_leave_the_package_unread():
    assert {p.stem[:2] for p in ALL_NOTEBOOKS if p.stem not in DATA_NOTEBOOKS} == (
        FIRM_PANEL_NOTEBOOKS
    )
    for path in ALL_NOTEBOOKS:
        if path.stem[:2] in FIRM_PANEL_NOTEBOOKS:
            text = path.read_text(encoding="utf-8")
            assert "FIRM_PANEL = None" in text and "load_package" not in text, path.name


@pytest.mark.slow
def test_every_brief_builds_on_an_empty_package(tmp_path):
    data = _package(tmp_path / "empty", None)
    result = dj.build_briefs(
        tmp_path / "out", notebooks=ROOT / "notebooks", data=data, names=DATA_NOTEBOOKS, jobs=2
    )
    assert len(result.briefs) == len(DATA_NOTEBOOKS)
    headlines = _headlines(tmp_path / "out")
    assert sorted(headlines) == sorted(name[:2] for name in DATA_NOTEBOOKS)
    for name, headline in headlines.items():
        assert "nothing to" in headline, (name, headline)


@pytest.mark.slow
def test_every_brief_builds_on_a_one_region_package(tmp_path):
    data = _package(tmp_path / "tiny", "tongcheng")
    result = dj.build_briefs(
        tmp_path / "out", notebooks=ROOT / "notebooks", data=data, names=DATA_NOTEBOOKS, jobs=2
    )
    assert len(result.briefs) == len(DATA_NOTEBOOKS)
    headlines = _headlines(tmp_path / "out")
    assert "Too few regions" in headlines["03"]  # one region cannot give a rank correlation
    assert "nothing to" not in headlines["01"]  # the overview has figures to show
    assert "nothing to" not in headlines["07"]  # the published estimates are not regional
