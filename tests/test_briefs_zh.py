"""The Chinese edition: texts beside the notebooks, twins, and a marked fallback."""

from __future__ import annotations

import re

import pytest

from dangjian_analysis.briefs.build import build_briefs
from dangjian_analysis.briefs.zh import ZhTextError, english_fingerprint, read_zh_text

from conftest import ALPHA_CELLS, ROOT, copy_data, write_notebook

ZH_TEXT = """---
title: 甲简报
summary: 测试用的一句话概要。
translates: {fingerprint}
---

## 结论
甲简报显示测试数字的覆盖率。

## 要点
- 第一点说的是组建率。
- 第二点又说到覆盖率。
- 第三点说明数字只有五个。

## 能说明什么，不能说明什么
只能说明测试数字本身。
"""


def chinese_share(text: str) -> float:
    """Han characters against Han characters plus Latin words (a word reads like a character)."""
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    words = len(re.findall(r"[A-Za-z]+", text))
    return han / (han + words) if han + words else 0.0


def visible(html: str) -> str:
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture(scope="module")
def alpha(tmp_path_factory):
    root = tmp_path_factory.mktemp("zh")
    notebooks = root / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks / "01_alpha.ipynb", ALPHA_CELLS)
    data = copy_data(root / "data")
    return root, notebooks, data


def test_a_brief_without_chinese_text_gets_a_marked_chinese_notice(alpha):
    root, notebooks, data = alpha
    result = build_briefs(root / "out1", notebooks=notebooks, data=data, progress=False)
    (brief,) = result.briefs
    assert brief.zh_status == "missing"
    html = (result.out / "zh" / "01_alpha.html").read_text(encoding="utf-8")
    assert 'id="zh-fallback" data-status="missing"' in html
    assert "本简报尚无中文文本" in html
    assert 'href="../01_alpha.html">英文简报</a>' in html
    twin = 'class="twin-link" rel="alternate" hreflang="en" lang="en" href="../01_alpha.html"'
    assert twin in html
    assert "Alpha shows" not in html  # no English findings passed off as Chinese
    assert chinese_share(visible(html)) > 0.5


def test_chinese_text_that_says_what_the_english_says_is_shown(alpha, tmp_path):
    root, notebooks, data = alpha
    first = build_briefs(root / "out2", notebooks=notebooks, data=data, progress=False)
    fingerprint = first.briefs[0].fingerprint
    assert re.fullmatch(r"[0-9a-f]{12}", fingerprint)
    (notebooks / "01_alpha.zh.md").write_text(
        ZH_TEXT.format(fingerprint=fingerprint), encoding="utf-8"
    )
    try:
        result = build_briefs(root / "out3", notebooks=notebooks, data=data, progress=False)
    finally:
        (notebooks / "01_alpha.zh.md").unlink()
    (brief,) = result.briefs
    assert brief.zh_status == "current"
    assert brief.fingerprint == fingerprint  # the same findings give the same fingerprint
    html = (result.out / "zh" / "01_alpha.html").read_text(encoding="utf-8")
    assert "<title>甲简报</title>" in html
    assert '<p class="key-findings-headline">甲简报显示测试数字的覆盖率。</p>' in html
    assert html.count("<li>第") == 3
    assert "只能说明测试数字本身。" in html
    assert 'class="brief-chart"' in html
    assert 'id="zh-fallback"' not in html
    assert chinese_share(visible(html)) > 0.6
    index = (result.out / "zh" / "index.html").read_text(encoding="utf-8")
    assert '<a href="01_alpha.html">甲简报</a>' in index
    assert 'id="answer">地方报道' in index
    english = (result.out / "01_alpha.html").read_text(encoding="utf-8")
    assert 'hreflang="zh-Hans" lang="zh-Hans" href="zh/01_alpha.html"' in english


def test_chinese_text_written_for_other_findings_is_not_shown(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks / "01_alpha.ipynb", ALPHA_CELLS)
    (notebooks / "01_alpha.zh.md").write_text(
        ZH_TEXT.format(fingerprint="000000000000"), encoding="utf-8"
    )
    data = copy_data(tmp_path / "data")
    result = build_briefs(tmp_path / "out", notebooks=notebooks, data=data, progress=False)
    assert result.briefs[0].zh_status == "stale"
    html = (result.out / "zh" / "01_alpha.html").read_text(encoding="utf-8")
    assert 'data-status="stale"' in html and "甲简报显示" not in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: x\n", r"line 1: expected '---' opening the front matter"),
        ("---\ntitle: 甲\n", r"the front matter has no closing '---'"),
        ("---\ntitle: 甲\nsummary: 乙\n---\n", r"the front matter has no 'translates'"),
        (
            "---\ntitle: 甲\nsummary: 乙\ntranslates: 1\n---\n## 结论\n甲\n## 其他\n",
            r"line 8: unknown section '其他'",
        ),
        (
            "---\ntitle: 甲\nsummary: 乙\ntranslates: 1\n---\n## 结论\n甲\n## 要点\n- 一\n"
            "## 能说明什么，不能说明什么\n丙\n",
            r"section '要点' has 1 points; write 3 to 5",
        ),
    ],
)
def test_a_malformed_chinese_text_names_file_and_line(tmp_path, text, message):
    notebook = tmp_path / "01_x.ipynb"
    (tmp_path / "01_x.zh.md").write_text(text, encoding="utf-8")
    with pytest.raises(ZhTextError, match=message):
        read_zh_text(notebook)


def test_fingerprint_follows_the_visible_findings_and_the_limits():
    base = english_fingerprint("<p>Four regions.</p>", "Can: little.")
    assert base == english_fingerprint("<p class='x'>Four   regions.</p>", "Can:\nlittle.")
    assert base != english_fingerprint("<p>Five regions.</p>", "Can: little.")
    assert base != english_fingerprint("<p>Four regions.</p>", "Can: more.")


def test_every_repository_notebook_has_current_chinese_text_or_none():
    from dangjian_analysis.briefs.execute import NOTEBOOK_GLOB

    for notebook in sorted((ROOT / "notebooks").glob(NOTEBOOK_GLOB)):
        text = read_zh_text(notebook)  # raises on a malformed file
        if text is not None:
            assert re.fullmatch(r"[0-9a-f]{12}", text.translates), notebook.name


def test_the_command_names_briefs_without_current_chinese_text(alpha, capsys):
    from dangjian_analysis.cli import main

    root, notebooks, data = alpha
    out = root / "out-cli"
    argv = ["briefs", "--out", str(out), "--notebooks", str(notebooks), "--data", str(data)]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("note: 01_alpha: no Chinese text (fingerprint of the English: ")
    assert lines[-1].endswith("); zh/01_alpha.html shows a notice pointing to the English brief")
