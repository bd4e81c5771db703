"""Shared fixtures: the repository's data folder and small packages made for the tests.

The suite runs in parallel (``pytest -n``, pytest-xdist; ``make test``) and one process
alone alike. What is expensive to make is made once per run, by whichever test process
needs it first, and shared with the others through a folder guarded by a file lock
(:func:`shared`): the briefs of the repository's notebooks on a copy of the bundled data,
with the executed notebooks that ``tests/test_notebook_outputs.py`` validates
(:func:`bundled_run`), and the briefs of two small notebooks (:func:`built_fixture_briefs`).
"""

from __future__ import annotations

import contextlib
import copy
import csv
import json
import os
import pickle
import shutil
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
# The source texts of the five regional reports (not in the repository; see the README):
# the folder DANGJIAN_CORPUS names, else shared/seeds beside the checkout. The tests that
# need them are skipped without them.
SEEDS = Path(os.environ.get("DANGJIAN_CORPUS") or ROOT.parent / "shared" / "seeds").absolute()


# --- running in parallel ------------------------------------------------------------------


# Fixtures that execute notebooks: a test using one is slow, whether or not it says so.
SLOW_FIXTURES = {"bundled_run", "built_fixture_briefs", "flipped_sign_run"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Start the tests marked ``slow`` (notebooks, briefs, wheels, browser) first.

    In a parallel run no long test is then left for the end, when the other processes
    have nothing more to do. The order of the other tests is kept. A test using one of
    :data:`SLOW_FIXTURES` is marked ``slow`` here (``make test-fast`` leaves it out), and
    the tests that pin the bundled data's results are marked ``bundled``.
    """
    _mark_bundled(items)
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # a stable sort


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Any]):
    """Return ``make(folder)``, made once per test run and shared by the test processes.

    The first process to ask makes it in a folder of the run's temporary folder, holding
    a file lock meanwhile; the others wait for the lock and read the (pickled) result.
    If making it fails, every process that asks fails with the first one's error.
    """
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above the folders of the processes
    folder = base / f"shared-{name}"
    result, failure = folder / "result.pickle", folder / "failure.txt"
    with FileLock(str(base / f"shared-{name}.lock")):
        if not result.exists() and not failure.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                value = make(folder)
            except BaseException:
                failure.write_text(traceback.format_exc(), encoding="utf-8")
                raise
            result.write_bytes(pickle.dumps(value))
            return value
    if failure.exists():
        pytest.fail(f"making {name} failed in another test process:\n{failure.read_text()}")
    return pickle.loads(result.read_bytes())

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


def _build_fixture_briefs(root: Path):
    from dangjian_analysis.briefs.build import build_briefs

    notebooks = root / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks / "01_alpha.ipynb", ALPHA_CELLS)
    write_notebook(notebooks / "02_beta.ipynb", BETA_CELLS, BETA_METADATA)
    data = copy_data(root / "data")
    result = build_briefs(root / "out", notebooks=notebooks, data=data, progress=False)
    return result, notebooks, data


@pytest.fixture(scope="session")
def built_fixture_briefs(tmp_path_factory):
    """Briefs built once per run from two small notebooks against the mini package."""
    return shared(tmp_path_factory, "fixture-briefs", _build_fixture_briefs)


# --- the repository's notebooks, executed once per run ------------------------------------


@dataclass(frozen=True)
class BundledRun:
    """The repository's notebooks executed on a copy of the bundled data, as briefs."""

    result: Any  # the BuildResult of build_briefs
    data: Path  # the copy of the bundled data package the notebooks ran on
    executed: dict[str, Path]  # notebook file name -> the executed notebook, as run

    def notebook(self, name: str) -> Any:
        """The executed notebook ``name`` (e.g. ``01_data_overview.ipynb``)."""
        import nbformat

        return nbformat.read(self.executed[name], as_version=4)


@contextlib.contextmanager
def executed_notebooks(store: dict[str, Any]) -> Iterator[None]:
    """Keep a copy of every notebook the brief builder executes, by file name.

    The copy is taken as execution left it (the injected parameters cell included),
    before the builder prepares it for the page.
    """
    from dangjian_analysis.briefs import build

    # The one place that knows how the builder executes the notebooks: a function that
    # returns the executed notebooks by stem, before any page is made from them.
    execute_all = getattr(build, "_execute_all", None)
    if execute_all is None:
        raise RuntimeError(
            "tests/conftest.py: the brief builder has no _execute_all(...) any more; "
            "make executed_notebooks() keep a copy at its new execution step"
        )

    def keep(*args: Any, **kwargs: Any) -> dict[str, Any]:
        executed = execute_all(*args, **kwargs)
        for stem, nb in executed.items():
            store[f"{stem}.ipynb"] = copy.deepcopy(nb)
        return executed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "_execute_all", keep)
        yield


def _bundled_run(folder: Path) -> BundledRun:
    import nbformat

    from dangjian_analysis.briefs.build import build_briefs

    data = folder / "data"
    shutil.copytree(DATA, data)
    store: dict[str, Any] = {}
    with executed_notebooks(store):
        result = build_briefs(folder / "briefs", notebooks=NOTEBOOKS, data=data, progress=False)
    (folder / "executed").mkdir()
    executed = {}
    for name, nb in sorted(store.items()):
        executed[name] = folder / "executed" / name
        nbformat.write(nb, executed[name])
    return BundledRun(result=result, data=data, executed=executed)


@pytest.fixture(scope="session")
def bundled_run(tmp_path_factory) -> BundledRun:
    """Every notebook of the repository executed once per run, and its briefs.

    The notebooks run as ``dangjian briefs`` runs them, on a copy of the bundled data in a
    temporary folder; the browser tests open these briefs and
    ``tests/test_notebook_outputs.py`` checks the executed notebooks' outputs.
    """
    return shared(tmp_path_factory, "bundled-run", _bundled_run)


# --- notebook 03 on a package in which Pinghu has more organizations ----------------------

#: The change: Pinghu's count of party organizations (figure ph-010, printed as 152个)
#: becomes 1200, which puts its coverage above Yongchuan's and turns the rank correlation.
FLIPPED_FIGURE = {"figure_id": "ph-010", "raw": "1200个", "value": "1200", "lower": "1200",
                  "upper": "1200"}  # fmt: skip
FLIPPED_NOTEBOOK = NOTEBOOKS / "03_coverage_vs_output_growth.ipynb"


def _flipped_sign_run(folder: Path) -> Path:
    import nbformat
    from nbclient import NotebookClient

    data = folder / "data"
    shutil.copytree(DATA, data)
    rows = read_csv(data / "figures.csv")
    (row,) = [r for r in rows if r["figure_id"] == FLIPPED_FIGURE["figure_id"]]
    assert row["raw"] == "152个", row["raw"]
    row.update(FLIPPED_FIGURE)
    write_csv(data / "figures.csv", rows, list(rows[0]))
    nb = nbformat.read(FLIPPED_NOTEBOOK, as_version=4)
    # The data folder goes in a cell after the parameters cell, as papermill injects it.
    (index,) = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    injected = nbformat.v4.new_code_cell(
        f"DATA_DIR = {str(data)!r}\n", metadata={"tags": ["injected-parameters"]}
    )
    nb.cells.insert(index + 1, injected)
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    ).execute()
    executed = folder / FLIPPED_NOTEBOOK.name
    nbformat.write(nb, executed)
    return executed


@pytest.fixture(scope="session")
def flipped_sign_run(tmp_path_factory) -> Path:
    """Notebook 03 executed once per run on a copy of the bundled data with FLIPPED_FIGURE.

    Returns the executed notebook's file. tests/test_sensitivity.py reads its key findings;
    tests/test_notebooks.py checks that its checked outputs no longer match.
    """
    return shared(tmp_path_factory, "flipped-sign-run", _flipped_sign_run)


# The tests that pin results of the bundled data package (its figures, derived values and
# findings) are marked ``bundled``, here and only here: every test that uses the bundled
# package's tables or settings (the fixtures below), the notebooks (their checked outputs are
# the bundled numbers) and the tests listed in BUNDLED_TESTS. A researcher who curates their
# own package in data/ runs the others with ``pytest -m "not bundled"``.
BUNDLED_FIXTURES = frozenset({"figures", "scopes", "regions", "settings"})
BUNDLED_TESTS = frozenset({
    "test_extract_recall.py::test_recall_on_the_source_texts",
    "test_notebooks.py",
    "test_notebook_outputs.py::test_notebook_reproduces_its_checked_outputs",
    "test_provenance.py::test_every_bundled_figure_is_in_its_source",
})


def _mark_bundled(items: list[pytest.Item]) -> None:
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
