"""Shared fixtures: the repository's data folder and small packages made for the tests."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEEDS = ROOT.parent / "shared" / "seeds"

def _figure_columns() -> list[str]:
    """The columns of figures.csv, as the bundled descriptor declares them."""
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    (figures,) = [r for r in descriptor["resources"] if r["name"] == "figures"]
    return [field["name"] for field in figures["schema"]["fields"]]


FIGURE_COLUMNS = _figure_columns()

# Rows written for the tests; the numbers and phrases are invented, not taken from a source.
MINI_FIGURES = [
    {
        "figure_id": "tc-001",
        "source_id": "src_tongcheng",
        "region_id": "tongcheng",
        "indicator": "enterprises",
        "scope": "nonpublic_enterprises",
        "period_kind": "as_of",
        "period_label": "目前",
        "period_earliest": "2013-01-01",
        "period_latest": "2014-12-31",
        "period_basis": "publication",
        "value": "500",
        "lower": "500",
        "upper": "500",
        "qualifier": "exact",
        "raw": "500家",
        "locator": "测试企业",
    },
    {
        "figure_id": "tc-002",
        "source_id": "src_tongcheng",
        "region_id": "tongcheng",
        "indicator": "party_org_coverage_rate",
        "scope": "nonpublic_enterprises_above_scale",
        "period_kind": "as_of",
        "period_label": "",
        "period_earliest": "2013-01-01",
        "period_latest": "2014-12-31",
        "period_basis": "publication",
        "value": "0.7252",
        "lower": "0.7252",
        "upper": "0.7252",
        "qualifier": "exact",
        "raw": "72.52%",
        "locator": "测试覆盖率",
    },
    {
        "figure_id": "tc-003",
        "source_id": "src_tongcheng",
        "region_id": "tongcheng",
        "indicator": "party_members",
        "scope": "nonpublic_enterprises",
        "period_kind": "as_of",
        "period_label": "",
        "period_earliest": "2013-01-01",
        "period_latest": "2014-12-31",
        "period_basis": "publication",
        "value": "127000",
        "lower": "127000",
        "upper": "",
        "qualifier": "more than",
        "raw": "12.7万余名",
        "locator": "测试党员",
        "see_also": "tc-004",
        "notes": "Test row.",
    },
    {
        "figure_id": "tc-004",
        "source_id": "src_tongcheng",
        "region_id": "tongcheng",
        "indicator": "output_value",
        "scope": "nonpublic_enterprises_above_scale",
        "period_kind": "year",
        "period_label": "去年",
        "period_earliest": "2012-01-01",
        "period_latest": "2013-12-31",
        "period_basis": "relative",
        "value": "11500000000",
        "lower": "11500000000",
        "upper": "11500000000",
        "qualifier": "exact",
        "raw": "115亿元",
        "locator": "测试产值",
        "see_also": "tc-003",
    },
    {
        "figure_id": "tc-005",
        "source_id": "src_tongcheng",
        "region_id": "tongcheng",
        "entity": "测试公司",
        "indicator": "party_members",
        "scope": "single_enterprise",
        "period_kind": "as_of",
        "period_label": "",
        "period_earliest": "2013-01-01",
        "period_latest": "2014-12-31",
        "period_basis": "publication",
        "value": "1000",
        "lower": "",
        "upper": "1000",
        "qualifier": "nearly",
        "raw": "近1000名",
        "locator": "测试公司党员",
    },
]

# A text written for the tests in which every MINI_FIGURES raw has its locator nearby.
MINI_ARTICLE = (
    "测试企业共有500家。\n测试覆盖率达到７２．５２％，"
    "测试党员12.7万余名。去年测试产值115亿\n元。测试公司党员近1000名。"
)


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    """Write rows as CSV with the given header (missing cells are empty)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file into a list of dicts."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def mini_package(tmp_path: Path) -> Path:
    """A valid package: the real descriptor and vocabularies with five test figures."""
    return copy_data(tmp_path / "mini")


@pytest.fixture
def mini_corpus(tmp_path: Path) -> Path:
    """A corpus folder holding the test article under the Tongcheng source's file name."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    source = next(r for r in read_csv(DATA / "sources.csv") if r["source_id"] == "src_tongcheng")
    (folder / source["corpus_file"]).write_text(MINI_ARTICLE, encoding="utf-8")
    return folder


@pytest.fixture
def edit_figures(mini_package: Path) -> Callable[..., Path]:
    """Return a function that changes one cell of the mini package's figures.csv."""

    def edit(figure_id: str, column: str, value: str) -> Path:
        path = mini_package / "figures.csv"
        rows = read_csv(path)
        for row in rows:
            if row["figure_id"] == figure_id:
                row[column] = value
        write_csv(path, rows, list(rows[0]))
        return mini_package

    return edit


# --- small notebooks for the brief builder (written for the tests) -------------------------

# A 24x12 red PNG.
TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAABgAAAAMCAIAAAD3UuoiAAAAGklEQVR4nGPcIifHQA3ARBVTRg0aNWjYGgQA"
    "YJ8BCEznlv0AAAAASUVORK5CYII="
)


def write_notebook(path: Path, cells: list, metadata: dict | None = None) -> Path:
    """Write a notebook of (kind, source, tags) cells with the python3 kernelspec."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata.update(metadata or {})
    for kind, source, *tags in cells:
        meta = {"tags": list(tags)} if tags else {}
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(source, metadata=meta))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata=meta))
    nbformat.write(nb, path)
    return path


PARAMETERS = ("code", "DATA_DIR = None\n", "parameters")
LIMITS = ("md", "## What this can and cannot tell us\n\nOnly what the test figures say.")


def key_findings_cell(headline: str, *points: str) -> tuple[str, str, str]:
    """A code cell tagged key-findings whose result is dj.key_findings(headline, points)."""
    return (
        "code",
        "import dangjian_analysis as dj\n"
        f"dj.key_findings({headline!r}, {list(points or ['A test point.'])!r})\n",
        "key-findings",
    )


KEY_FINDINGS = key_findings_cell("A test headline.", "A test point.")

ALPHA_CELLS = [
    ("md", "# Alpha brief\n\nFirst paragraph line one\nline two.\n\nSecond paragraph."),
    PARAMETERS,
    (
        "code",
        "import csv, pathlib\n"
        "with open(pathlib.Path(DATA_DIR) / 'figures.csv', encoding='utf-8') as fh:\n"
        "    rows = list(csv.DictReader(fh))\n"
        "print('data:', DATA_DIR)\n"
        "print('cwd:', pathlib.Path.cwd().name)\n"
        "print('figures:', ', '.join(r['figure_id'] for r in rows[:2]))\n"
        "print('not figures: xx-999 tc-999 tc-0011 atc-004')\n",
    ),
    (
        "code",
        "from IPython.display import HTML, display\n"
        "display(HTML('<table><tr><td>tc-003</td><td>测试</td></tr></table>'))\n",
    ),
    (
        "code",
        "import base64\n"
        "from IPython.display import Image, display\n"
        f"display(Image(data=base64.b64decode({TINY_PNG!r})))\n",
        "brief",
    ),
    key_findings_cell(
        "Alpha shows the coverage rate of test figures.",
        "Its first point names a formation rate.",
        "Its second point is about coverage rates again.",
    ),
    LIMITS,
]

BETA_CELLS = [
    ("md", "# Ignored heading\n\nBeta first paragraph."),
    PARAMETERS,
    ("code", "print('nothing cited')\n"),
    key_findings_cell("Beta cites nothing."),
    ("md", "### What this can and cannot tell us\n\nNothing."),
]
BETA_METADATA = {
    "title": "Beta from metadata",
    "dangjian": {"summary": "Beta summary from metadata."},
}

GAMMA_CELLS = [
    ("md", "# Gamma\n\nFails on purpose."),
    PARAMETERS,
    ("code", "total = 1 / 0  # fails\nprint(total)\n"),
    KEY_FINDINGS,
    LIMITS,
]


def resource_files(data: Path = DATA) -> list[str]:
    """The files of a data package: its descriptor and every resource it declares."""
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    return ["datapackage.json", *(res["path"] for res in descriptor["resources"])]


def copy_data(folder: Path) -> Path:
    """Copy the mini package (real descriptor and vocabularies, five test figures).

    Its analysis settings are the bundled ones, less the partial counts of figures that
    the mini package does not hold.
    """
    folder.mkdir(parents=True)
    for name in resource_files():
        if name != "figures.csv":
            shutil.copy(DATA / name, folder / name)
    write_csv(folder / "figures.csv", MINI_FIGURES, FIGURE_COLUMNS)
    settings = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    ids = {row["figure_id"] for row in MINI_FIGURES}
    settings["partial_counts"] = [
        item for item in settings["partial_counts"] if item["figure_id"] in ids
    ]
    (folder / "analysis.json").write_text(
        json.dumps(settings, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="session")
def built_fixture_briefs(tmp_path_factory):
    """Briefs built once from two small notebooks against the mini package."""
    from dangjian_analysis.briefs.build import build_briefs

    root = tmp_path_factory.mktemp("fixture-briefs")
    notebooks = root / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks / "01_alpha.ipynb", ALPHA_CELLS)
    write_notebook(notebooks / "02_beta.ipynb", BETA_CELLS, BETA_METADATA)
    data = copy_data(root / "data")
    result = build_briefs(root / "out", notebooks=notebooks, data=data, progress=False)
    return result, notebooks, data


# The tests that pin results of the bundled data package (its figures, derived values and
# findings) are marked ``bundled``, here and only here: every test that uses the bundled
# package's tables or settings (the fixtures below), the notebooks (their checked outputs are
# the bundled numbers) and the tests listed in BUNDLED_TESTS. A researcher who curates their
# own package in data/ runs the others with ``pytest -m "not bundled"``.
BUNDLED_FIXTURES = frozenset({"figures", "scopes", "regions", "settings"})
BUNDLED_TESTS = frozenset({
    "test_extract_recall.py::test_recall_on_the_source_texts",
    "test_notebooks.py",
    "test_provenance.py::test_every_bundled_figure_is_in_its_source",
})


def pytest_collection_modifyitems(config, items):
    """Mark the tests that pin the bundled data's results (see BUNDLED_FIXTURES)."""
    for item in items:
        path = Path(str(item.path))
        name = f"{path.name}::{item.originalname}" if hasattr(item, "originalname") else ""
        if (
            BUNDLED_FIXTURES & set(getattr(item, "fixturenames", ()))
            or path.suffix == ".ipynb"
            or path.name in BUNDLED_TESTS
            or name in BUNDLED_TESTS
        ):
            item.add_marker(pytest.mark.bundled)


# The bundled package's tables, read once per test session; tests must not modify them.
@pytest.fixture(scope="session")
def figures():
    from dangjian_analysis import load_figures

    return load_figures()


@pytest.fixture(scope="session")
def scopes():
    from dangjian_analysis import load_scopes

    return load_scopes()


@pytest.fixture(scope="session")
def regions():
    from dangjian_analysis import load_regions

    return load_regions()


@pytest.fixture(scope="session")
def settings():
    """The bundled package's analysis settings, passed to the analysis as ``settings=``."""
    from dangjian_analysis import read_analysis_settings

    return read_analysis_settings()
