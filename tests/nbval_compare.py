"""nbval's comparison of executed notebooks with their stored outputs, without a kernel.

Used by tests/test_notebook_outputs.py (the bundled notebooks reproduce their checked
outputs) and tests/test_notebooks.py (a changed figure makes them differ).
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from nbval.plugin import (
    IPyNbCell,
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
    get_sanitize_patterns,
    nocolors,
)

from conftest import NOTEBOOKS

INJECTED_TAG = "injected-parameters"
SANITIZE = NOTEBOOKS / "nbval-sanitize.cfg"
# What nbval leaves out of the comparison (lax mode, without --nbdime).
SKIP_COMPARE = (
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "name",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
)


class _Comparison:
    """nbval's comparison of a cell's outputs with the stored ones, without its kernel."""

    compare_outputs = IPyNbCell.compare_outputs
    sanitize = IPyNbCell.sanitize
    format_output_compare = IPyNbCell.format_output_compare
    colors = nocolors

    def __init__(self, patterns: dict[str, str]) -> None:
        self.parent = SimpleNamespace(sanitize_patterns=patterns, skip_compare=SKIP_COMPARE)
        # format_output_compare asks pytest for an assertion explanation; without one it
        # prints both outputs whole, which is what a reader of the failure wants.
        self.ihook = SimpleNamespace(pytest_assertrepr_compare=lambda **kwargs: [])
        self.config = None
        self.comparison_traceback: list[str] = []


def cell_options(cell) -> dict[str, bool]:
    """nbval's options of a cell, from its tags and its comment markers."""
    options = defaultdict(bool, find_metadata_tags(cell.metadata))
    options.update(dict(find_comment_markers(cell.source)))
    return options


def output_problems(stored, executed, patterns: dict[str, str]) -> list[str]:
    """What nbval --nbval-lax reports for ``executed``, a run of notebook ``stored``.

    One entry per failing code cell, numbered from 0 as nbval numbers them; ``executed``
    may hold the cell that ``dangjian briefs`` injects after the parameters cell.
    """
    ran = [
        c
        for c in executed.cells
        if c.cell_type == "code" and INJECTED_TAG not in c.metadata.get("tags", [])
    ]
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert [c.source for c in ran] == [c.source for c in code], "the run is of another notebook"
    problems = []
    for number, (cell, run) in enumerate(zip(code, ran, strict=True)):
        options = cell_options(cell)
        if options["skip"]:
            continue
        errors = [o for o in run.outputs if o.output_type == "error"]
        if errors and not options["check_exception"]:
            problems.append(f"Cell {number}: Cell execution caused an exception: {errors[0].ename}")
            continue
        if cell.execution_count is None:
            if cell.outputs:
                problems.append(f"Cell {number}: Unrun reference cell has outputs")
            continue
        if not options["check"]:
            continue
        comparison = _Comparison(patterns)
        if not comparison.compare_outputs(
            coalesce_streams(list(run.outputs)), coalesce_streams(list(cell.outputs))
        ):
            detail = "\n".join(comparison.comparison_traceback)
            problems.append(f"Cell {number}: Cell outputs differ\n{cell.source}\n{detail}")
    return problems




def sanitize_patterns() -> dict[str, str]:
    """The substitutions of notebooks/nbval-sanitize.cfg, as nbval reads them."""
    return dict(get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")))
