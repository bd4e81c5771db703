"""Brief 07 on packages with and without the (optional) published estimates."""

from __future__ import annotations

import re

import pytest
from published_package import published_package, without_published

import dangjian_analysis as dj

from conftest import ROOT


def _headline(out) -> str:
    (page,) = out.glob("07*.html")
    html = page.read_text(encoding="utf-8")
    match = re.search(r'class="key-findings-headline">(.*?)</p>', html)
    assert match, page.name
    return match.group(1)


@pytest.mark.slow
def test_brief_07_says_there_is_nothing_to_show_without_the_tables(tmp_path):
    data = without_published(tmp_path / "plain")
    result = dj.build_briefs(tmp_path / "out", notebooks=ROOT / "notebooks", data=data,
                             names=["07"])
    assert len(result.briefs) == 1
    assert _headline(tmp_path / "out") == (
        "This data package holds no published firm-level estimates: there is nothing to show."
    )
    (page,) = (tmp_path / "out").glob("07*.html")
    assert "declares no publications and estimates tables" in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_brief_07_counts_the_estimates_of_the_package_it_is_given(tmp_path):
    data = published_package(tmp_path / "test")
    dj.build_briefs(tmp_path / "out", notebooks=ROOT / "notebooks", data=data, names=["07"])
    (page,) = (tmp_path / "out").glob("07*.html")
    html = page.read_text(encoding="utf-8")
    assert "6 estimates from 3 publications: 3 higher, 2 lower, 1 no relationship found" in html
    assert "2 publications use a sample that another publication also uses (1 such sample)" in html
    assert "测试甲等 2020" in html  # the invented publications name the chart's sources
