from __future__ import annotations

import pytest

import dangjian_analysis as dj
from dangjian_analysis.report.findings import KEY_FINDINGS_TAG, KeyFindings


def test_key_findings_text_markdown_and_html():
    found = dj.key_findings("Three regions & no answer.", ["n = 3 <", " p = 0.67 "])
    assert isinstance(found, KeyFindings)
    assert str(found) == repr(found) == "Three regions & no answer.\n- n = 3 <\n- p = 0.67"
    assert found._repr_markdown_() == "**Three regions & no answer.**\n\n- n = 3 <\n- p = 0.67"
    page = found._repr_html_()
    assert page.startswith('<section id="key-findings"')
    assert "Three regions &amp; no answer." in page
    assert "<li>n = 3 &lt;</li><li>p = 0.67</li>" in page
    assert KEY_FINDINGS_TAG == "key-findings"


@pytest.mark.parametrize(
    ("headline", "points", "message"),
    [
        (" ", ["a"], "need a headline"),
        ("h", [], "1 to 5 points, got 0"),
        ("h", list("abcdef"), "1 to 5 points, got 6"),
        ("h", ["a", " "], "key finding 2 is empty"),
    ],
)
def test_key_findings_refuse_bad_input(headline, points, message):
    with pytest.raises(ValueError, match=message):
        dj.key_findings(headline, points)


def test_show_only_findings_unless_outside_a_notebook_only_answers():
    assert dj.show_only_findings_unless(True, "h", "r") is True
    assert dj.show_only_findings_unless(False, "h", "r") is False
