"""The notebook validation (nbval) fails when the data behind a checked output changes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from dangjian_analysis import load_figures

from conftest import DATA, ROOT, read_csv, write_csv

NOTEBOOK = ROOT / "notebooks" / "01_data_overview.ipynb"
NBVAL = [
    "--nbval-lax",
    "--nbval-current-env",
    f"--nbval-sanitize-with={ROOT / 'notebooks' / 'nbval-sanitize.cfg'}",
    "-p",
    "no:cacheprovider",
]


def run_nbval(tmp_path, data_dir, notebook=NOTEBOOK):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    (param,) = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    param["source"] = f"DATA_DIR = {str(data_dir)!r}\n"
    copy = tmp_path / notebook.name
    copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", *NBVAL, "-c", "/dev/null", str(copy)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )


# Their control, that the notebooks pass on an unchanged copy of the data, is
# tests/test_notebook_outputs.py: it checks every notebook, run once per test session on a
# copy of the bundled data in a temporary folder.


@pytest.mark.slow
def test_changing_one_figure_fails_validation(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    rows = read_csv(data / "figures.csv")
    row = next(r for r in rows if r["figure_id"] == "tc-001")
    assert row["raw"] == "927家"
    # A curator reads the figure as approximate: one exact figure becomes a lower bound.
    row.update(raw="927余家", qualifier="more than", upper="")
    write_csv(data / "figures.csv", rows, list(rows[0]))
    result = run_nbval(tmp_path, data)
    assert result.returncode == 1, result.stdout
    assert "2 failed" in result.stdout
    # The checked outputs that no longer match: the qualifier table (one exact figure fewer)
    # and the key findings (one approximate figure more); the counts come from the data.
    assert "Cell outputs differ" in result.stdout
    assert "print(qualifier_counts(figures).to_string())" in result.stdout
    exact = int((load_figures(DATA)["qualifier"] == "exact").sum())
    assert f"{exact - 1}        none" in result.stdout
    assert f"{exact}        none" in result.stdout
    assert f"<li>{len(load_figures(DATA)) - exact + 1} figures" in result.stdout


def test_changing_a_coverage_figure_fails_the_analysis_notebook(flipped_sign_run):
    """Notebook 03's headline statistics are checked: more Pinghu organizations
    (conftest.flipped_sign_run) change them, and nbval's comparison says which cells."""
    import nbformat
    from nbval_compare import output_problems, sanitize_patterns

    from conftest import FLIPPED_NOTEBOOK

    stored = nbformat.read(FLIPPED_NOTEBOOK, as_version=4)
    executed = nbformat.read(flipped_sign_run, as_version=4)
    problems = output_problems(stored, executed, sanitize_patterns())
    assert problems, "the checked outputs did not change"
    assert all("Cell outputs differ" in p.splitlines()[0] for p in problems), problems
    assert any("-0.500" in p for p in problems), problems  # the new rank correlation
