from __future__ import annotations

import json

import pytest

from dangjian_analysis.briefs import docs

from conftest import DATA, ROOT


def test_data_page_tables_are_generated():
    page = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert docs.update_readme(page, docs.readme_section(DATA)) == page


def test_data_dictionary_is_generated():
    assert (ROOT / "docs" / "data-dictionary.md").read_text(
        encoding="utf-8"
    ) == docs.data_dictionary(DATA)


def test_dictionary_lists_every_field_with_its_unit():
    text = docs.data_dictionary(DATA)
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        if "schema" not in res:  # the analysis settings: a JSON document, listed by part
            assert f"## `{res['path']}`: {res['title']}" in text
            assert "| `partial_counts` |" in text
            continue
        for fld in res["schema"]["fields"]:
            assert f"| `{fld['name']}` |" in text
    assert "| `value` | number | required | from `indicators.unit_kind` via `indicator` |" in text


def test_update_readme_needs_markers():
    with pytest.raises(ValueError, match="lacks the markers"):
        docs.update_readme("no markers here", "x")
    assert docs.update_readme(f"a\n{docs.BEGIN}\nold\n{docs.END}\nb", "new") == (
        f"a\n{docs.BEGIN}\nnew\n{docs.END}\nb"
    )


def test_descriptor_is_stored_canonically():
    text = (DATA / "datapackage.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
