from __future__ import annotations

import pytest

from dangjian_analysis.text.normalize import normalize_text, normalize_with_offsets

from conftest import MINI_ARTICLE
from normalize_reference import plain_normalize_with_offsets

TEXTS = [
    MINI_ARTICLE,
    "非公企業(yè)黨(dǎng)建１２．７萬 家\n\n元",
    "會（huì）議  共 23 名,café",  # a combining accent is composed by NFKC
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_same_text_as_normalize_text(text):
    norm = normalize_with_offsets(text)
    assert norm.text == normalize_text(text)
    assert tuple(norm.origin) == plain_normalize_with_offsets(text).origin
    assert len(norm.origin) == len(norm.text)
    assert list(norm.origin) == sorted(norm.origin)


def test_origin_points_at_the_printed_characters():
    text = "非公企業(yè)黨(dǎng)員１２０８名\n全县"
    norm = normalize_with_offsets(text)
    assert norm.text == "非公企业党员1208名全县"
    start = norm.text.index("1208名")
    assert norm.original_span(start, start + 5) == (text.index("１"), text.index("名") + 1)
    assert norm.printed(start, start + 5) == "１２０８名"
    assert norm.printed(0, 6) == "非公企業黨員"  # pinyin annotations left out
    assert norm.printed(start, start + 7) == "１２０８名全县"  # the line break is layout


def test_printed_keeps_spaces_inside_a_line():
    norm = normalize_with_offsets("共 23 名")
    assert norm.text == "共23名"
    assert norm.printed(1, 4) == "23 名"


def test_original_span_rejects_empty_spans():
    norm = normalize_with_offsets("共23名")
    with pytest.raises(ValueError, match="not a non-empty part"):
        norm.original_span(2, 2)
    with pytest.raises(ValueError, match="not a non-empty part"):
        norm.original_span(0, 9)
