"""The parts of a short brief: charts as inline SVG, the cells a notebook marks, limits."""

from __future__ import annotations

import nbformat
import pytest

from dangjian_analysis.briefs.offline import external_resources
from dangjian_analysis.briefs.pages import (
    BRIEF_TAG,
    BriefContentError,
    brief_outputs,
    inline_svg,
    limits_markdown,
)

SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="465pt" height="323pt" '
    'viewBox="0 0 465 323" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
    "<!-- made with matplotlib -->\n"
    '<text x="1" y="2">Coverage 覆盖率</text></svg>\n'
)


def test_inline_svg_scales_keeps_its_text_and_loads_nothing():
    svg = inline_svg(SVG, "Chart: growth")
    assert svg.startswith("<svg ")
    assert 'viewBox="0 0 465 323"' in svg and 'width="' not in svg and 'height="' not in svg
    assert 'role="img" aria-label="Chart: growth"' in svg
    assert "<text" in svg and "覆盖率" in svg
    assert "DOCTYPE" not in svg and "<!--" not in svg
    assert external_resources(f"<html><body>{svg}</body></html>") == []


def chart_cell(tags=(BRIEF_TAG,), svg=True):
    data = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    if svg:
        data["image/svg+xml"] = SVG
    output = nbformat.v4.new_output(
        "display_data", data=data, metadata={"image/png": {"alt": "Chart: x"}}
    )
    cell = nbformat.v4.new_code_cell("fig", metadata={"tags": list(tags)})
    cell.outputs = [output, nbformat.v4.new_output("stream", name="stdout", text="tc-001\n")]
    return cell


def test_brief_outputs_are_the_tagged_cells_charts_svg_first():
    nb = nbformat.v4.new_notebook()
    nb.cells = [chart_cell(), chart_cell(tags=()), chart_cell(svg=False)]
    shown = brief_outputs(nb, "01_x.ipynb")
    assert len(shown) == 2
    assert shown[0].startswith('<figure class="brief-chart"><svg ')
    assert shown[1] == (
        '<figure class="brief-chart"><img src="data:image/png;base64,iVBORw0KGgo=" '
        'alt="Chart: x"></figure>'
    )
    assert not any("tc-001" in s for s in shown)  # printed text stays in the annex


def test_more_than_two_tagged_cells_fail_naming_the_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [chart_cell(), chart_cell(), chart_cell()]
    with pytest.raises(BriefContentError, match=r"01_x\.ipynb: 3 cells are tagged 'brief'"):
        brief_outputs(nb, "01_x.ipynb")


def test_limits_section_runs_to_the_next_heading_of_its_level():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Before\n\nNo."),
        nbformat.v4.new_markdown_cell("## What this can and cannot tell us\n\n**Can:** a."),
        nbformat.v4.new_markdown_cell("### Detail\n\nStill in."),
        nbformat.v4.new_markdown_cell("## After\n\nOut."),
    ]
    text = limits_markdown(nb, "What this can and cannot tell us")
    assert text.startswith("**Can:** a.") and "### Detail" in text and "Still in." in text
    assert "Out." not in text and "No." not in text


def test_a_ratio_that_is_not_a_share_reads_per_hundred_not_as_a_percentage():
    import pandas as pd

    import dangjian_analysis as dj
    from dangjian_analysis.analysis.derived import DERIVED_COLUMNS

    data = dj.load_package()
    words = dj.vocabulary(data.regions, data.scopes, data.indicators, settings=data.settings)
    assert "orgs_per_enterprise" in words.per_hundred
    assert "enterprise_coverage" not in words.per_hundred  # a share stays a percentage
    rows = pd.DataFrame(
        [
            {"region_id": "tongcheng", "measure": "orgs_per_enterprise", "value": 0.000686,
             "lower": 0.000686, "upper": 0.000686, "unit_kind": "ratio", "scope": "",
             "flags": "", "inputs": ""},
            {"region_id": "tongcheng", "measure": "enterprise_coverage", "value": 0.864,
             "lower": 0.864, "upper": float("nan"), "unit_kind": "ratio", "scope": "",
             "flags": "", "inputs": ""},
        ]
    ).reindex(columns=list(DERIVED_COLUMNS))
    shown = dj.derived_table(rows, words, caveats=False).table
    assert list(shown["Value"]) == ["0.0686 per 100", "at least 86.4%"]


def test_a_long_text_repeated_down_a_column_is_said_once_under_the_table():
    import pandas as pd

    import dangjian_analysis as dj

    long = "The same long explanation of a definition, " * 4
    table = pd.DataFrame({"Region": ["A", "B", "C", "D"], "Note": [long, long, long, "short"]})
    shown = dj.reader_table(table, notes=["Given note."])
    assert list(shown.table["Note"]) == ["see note A"] * 3 + ["short"]
    assert shown.notes == ("Given note.", f"Note A: {long}")
    twice = dj.reader_table(table.iloc[1:3])  # repeated in only two rows: kept in place
    assert list(twice.table["Note"]) == [long, long]
