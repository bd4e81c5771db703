"""Every notebook runs without error and reproduces its checked outputs.

This is the nbval check (``pytest --nbval-lax notebooks/``) on the notebooks executed once
per test run for the briefs (``conftest.bundled_run``): each code cell ran without error
(the brief builder stops at the first failing cell, naming it) and every cell marked
``# NBVAL_CHECK_OUTPUT`` gives its stored outputs again, compared by nbval's own code with
the substitutions of ``notebooks/nbval-sanitize.cfg``. The notebooks run on a copy of the
bundled data in a temporary folder, so no checked output may depend on where the data is.

To run nbval itself on one notebook while editing it:
``.venv/bin/python -m pytest notebooks/NN_name.ipynb``.
"""

from __future__ import annotations

import html

import nbformat
import pytest
from nbval_compare import INJECTED_TAG, cell_options, output_problems, sanitize_patterns

from dangjian_analysis.briefs.build import NOTEBOOK_GLOB
from dangjian_analysis.briefs.render import FOLDED_SUMMARY

from conftest import DATA, NOTEBOOKS


@pytest.fixture(scope="module")
def patterns() -> dict[str, str]:
    return sanitize_patterns()


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB)), ids=lambda p: p.stem)
def test_notebook_reproduces_its_checked_outputs(path, bundled_run, patterns):
    # The notebooks ran on an unchanged copy of the data, not on the bundled folder.
    assert bundled_run.data != DATA
    assert bundled_run.result.build.data_folder == bundled_run.data
    stored = nbformat.read(path, as_version=4)
    executed = bundled_run.notebook(path.name)
    assert executed.metadata.get("kernelspec", {}).get("name") == "python3"
    checked = [c for c in stored.cells if c.cell_type == "code" and cell_options(c)["check"]]
    assert checked, f"{path.name} has no cell marked # NBVAL_CHECK_OUTPUT"
    assert output_problems(stored, executed, patterns) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB)), ids=lambda p: p.stem)
def test_bundled_annex_shows_reader_tables_not_folded_outputs(path, bundled_run):
    """The annex is the whole analysis in reader tables: no output of a bundled notebook
    shows codes, so the builder folds none into a "data as computed" block."""
    page = (bundled_run.result.out / "annex" / f"{path.stem}.html").read_text("utf-8")
    assert '<details class="brief-data brief-folded"' not in page
    assert html.escape(FOLDED_SUMMARY) not in page
    brief = (bundled_run.result.out / f"{path.stem}.html").read_text("utf-8")
    assert '<details class="brief-data brief-folded"' not in brief
    # Codes and figure ids stay in the data download, not under the tables.
    assert "table-codes" not in page and "table-codes" not in brief


# --- the check itself ---------------------------------------------------------------------


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for number, (source, outputs, tags) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags} if tags else {})
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        cell.execution_count = number
        nb.cells.append(cell)
    return nb


def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


ERROR = {"output_type": "error", "ename": "KeyError", "evalue": "'x'", "traceback": []}


def test_the_check_finds_what_nbval_finds(patterns):
    stored = _notebook(
        ("# NBVAL_CHECK_OUTPUT\nprint(x)", [_stream("12 regions at 0x7f00aa11bb22\n")], []),
        ("print(y)", [_stream("not checked\n")], []),
        ("DATA_DIR = None", [], ["parameters"]),
        ("# NBVAL_CHECK_OUTPUT\nprint(z)", [_stream("a\n"), _stream("b\n")], []),
    )
    same = _notebook(
        ("# NBVAL_CHECK_OUTPUT\nprint(x)", [_stream("12 regions at 0x55aa11bb22cc\n")], []),
        ("print(y)", [_stream("anything\n")], []),
        ("DATA_DIR = None", [], ["parameters"]),
        ("DATA_DIR = '/tmp/x'", [], [INJECTED_TAG]),
        ("# NBVAL_CHECK_OUTPUT\nprint(z)", [_stream("a\nb\n")], []),
    )
    # Addresses are sanitized, unchecked cells not compared, streams joined.
    assert output_problems(stored, same, patterns) == []
    other = _notebook(
        ("# NBVAL_CHECK_OUTPUT\nprint(x)", [_stream("13 regions\n")], []),
        ("print(y)", [ERROR], []),
        ("DATA_DIR = None", [], ["parameters"]),
        ("# NBVAL_CHECK_OUTPUT\nprint(z)", [], []),
    )
    problems = output_problems(stored, other, patterns)
    assert [p.splitlines()[0] for p in problems] == [
        "Cell 0: Cell outputs differ",
        "Cell 1: Cell execution caused an exception: KeyError",
        "Cell 3: Cell outputs differ",
    ]
    assert "12 regions at 0xADDRESS" in problems[0] and "13 regions" in problems[0]
    assert "Missing output fields from running code: {'stdout'}" in problems[2]


def test_an_unrun_reference_cell_with_outputs_fails(patterns):
    stored = _notebook(("print(1)", [_stream("1\n")], []))
    stored.cells[0].execution_count = None
    assert output_problems(stored, stored, patterns) == [
        "Cell 0: Unrun reference cell has outputs"
    ]


def test_a_run_of_another_notebook_is_refused(patterns):
    with pytest.raises(AssertionError, match="another notebook"):
        output_problems(_notebook(("a", [], [])), _notebook(("b", [], [])), patterns)
