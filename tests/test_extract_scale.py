"""Extraction in linear time gives what the plain definitions give.

The one normalizer with offsets,
:func:`~dangjian_analysis.text.normalize.normalize_with_offsets`, runs in linear time (whole
strings, arrays of offsets, and numpy for long texts); these tests hold it to the plain
character-by-character definition (``normalize_reference``), and check that the parser's
errors become unparsed rows. Every text here is written for the tests.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian_analysis.curate import extract as ex
from dangjian_analysis.text import normalize as nm
from dangjian_analysis.text.normalize import normalize_with_offsets, to_simplified

from normalize_reference import plain_normalize_with_offsets

TEXTS = [
    "",
    "测试县2021年共有企业300家,党组织覆盖率达到80%。\n乙地党员1,200名。",
    "全市兩新黨組織1200餘個，黨員12000多名。",
    "非公企業(yè)黨(dǎng)員１２０８名,企業（yè）共52家",
    "测试产值115亿\n元，面积12㎡，约½，省略……结束",
    "e\u0301t\u0301\u0300 combining marks, \u0301 at the start",
    "\u0301开头的组合符号",
    "全角　空格、\t制表符\r\n换行",
    "反覆瞭解，藉此函覆",  # phrases that change without a character that changes alone
    "乾隆年间，乾坤",
    "\ud800 a lone surrogate",
]


@pytest.fixture(params=["short", "numpy"])
def path(request, monkeypatch):
    """Run with the routine for short texts, or force the one for long texts."""
    monkeypatch.setattr(nm, "_NUMPY_FROM", 0 if request.param == "numpy" else 1 << 60)
    return request.param


def same_normalization(text: str) -> None:
    fast, plain = normalize_with_offsets(text), plain_normalize_with_offsets(text)
    assert fast.text == plain.text
    assert tuple(fast.origin) == plain.origin
    assert fast.original == text


@pytest.mark.parametrize("text", TEXTS)
def test_normalization_is_the_plain_one(path, text):
    same_normalization(text)


@pytest.mark.parametrize("text", TEXTS)
def test_simplified_runs_convert_as_the_whole_text(path, text):
    assert nm._to_simplified_runs(text) == to_simplified(text)


PIECES = st.sampled_from(
    [
        *"企业党员組織黨員業瞭覆藉乾坤反解此了复",
        *"0123456789１２３，。、,.%％…½㎡",
        " ", "\n", "　", "\u0301", "e", "(yè)", "（dǎng）",
        "万", "余", "年", "月", "日", "个", "名",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_normalization_is_the_plain_one_on_any_text(text):
    for threshold in (0, 1 << 60):
        nm._NUMPY_FROM = threshold
        try:
            same_normalization(text)
        finally:
            nm._NUMPY_FROM = 1 << 13


def test_a_parser_error_is_an_unparsed_row(monkeypatch):
    def broken(raw):
        if raw == "80%":
            raise RuntimeError("parser bug")
        return parse(raw)

    parse = ex.parse_quantity
    monkeypatch.setattr(ex, "parse_quantity", broken)
    found = ex.extract_candidates("共有企业300家,党组织覆盖率达到80%,党员500名。")
    assert [c.raw for c in found] == ["300家", "80%", "500名"]
    failed = found[1]
    assert (failed.value, failed.lower, failed.upper, failed.indicator) == (None, None, None, "")
    assert failed.notes == "not parsed: RuntimeError: parser bug"
    assert found[2].value == 500
