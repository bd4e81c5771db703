"""Upper bounds (不足, 不到, 少于, 低于), signed changes (下降, 减少, 增长-) and the fast path.

Each printed form is read as what it is or refused with the reason; none comes out as a
number that looks right and is not (issue #24).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian_analysis.text.quantity import (
    UNIT_KINDS,
    QuantityParseError,
    _parse,
    parse_quantity,
)

# raw -> (value, lower, upper, qualifier, change)
READ = [
    ("不足3人", (3.0, None, 3.0, "less than", "")),
    ("不到5人", (5.0, None, 5.0, "less than", "")),
    ("不到100家", (100.0, None, 100.0, "less than", "")),
    ("少于10家", (10.0, None, 10.0, "less than", "")),
    ("低于5%", (0.05, None, 0.05, "less than", "")),
    ("低於5%", (0.05, None, 0.05, "less than", "")),
    ("less than 5 percent", (0.05, None, 0.05, "less than", "")),
    ("下降5.2%", (-0.052, -0.052, -0.052, "exact", "decrease")),
    ("下降了2个百分点", (-0.02, -0.02, -0.02, "exact", "decrease")),
    ("减少12家", (-12.0, -12.0, -12.0, "exact", "decrease")),
    ("增长-3%", (-0.03, -0.03, -0.03, "exact", "increase")),
    ("增长+5%", (0.05, 0.05, 0.05, "exact", "increase")),
    ("增长15.4%", (0.154, 0.154, 0.154, "exact", "increase")),
    ("增长5%以上", (0.05, 0.05, None, "at least", "increase")),
    ("下降约5%", (-0.05, -0.0525, -0.0475, "about", "decrease")),
    ("+5", (5.0, 5.0, 5.0, "exact", "")),
]


@pytest.mark.parametrize(("raw", "expected"), READ)
def test_bound_and_change_words_are_read_as_what_they_are(raw, expected):
    q = parse_quantity(raw)
    assert (q.value, q.lower, q.upper, q.qualifier, q.change) == pytest.approx(expected)


REFUSED = [
    ("下降-3%", "a decrease (下降) of a negative number: is it a decrease or an increase?"),
    ("下降5%以上", "a decrease with the qualifier 'at least': is the bound on the change"),
    ("减少近10家", "a decrease with the qualifier 'nearly'"),
    ("增长", "a change word with no number after it"),
    ("不足-3人", "a negative number with the qualifier 'less than'"),
    ("+-5", "no number found"),
]


@pytest.mark.parametrize(("raw", "message"), REFUSED)
def test_ambiguous_changes_are_refused_with_the_reason(raw, message):
    with pytest.raises(QuantityParseError) as info:
        parse_quantity(raw)
    assert message in str(info.value)
    assert "no number found" not in str(info.value) or message == "no number found"


UNITS = sorted(UNIT_KINDS)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    digits=st.from_regex(r"[0-9]{1,12}(\.[0-9]{1,6})?", fullmatch=True),
    multiplier=st.sampled_from(["", "万", "亿", "万亿", "萬", "億"]),
    approx=st.sampled_from(["", "余", "多", "餘"]),
    unit=st.sampled_from(["", *UNITS]),
)
def test_the_fast_path_gives_what_the_grammar_gives(digits, multiplier, approx, unit):
    raw = f"{digits}{multiplier}{approx}{unit}"
    try:
        slow = _parse(raw)[0]
    except QuantityParseError:
        slow = None
    try:
        fast = parse_quantity(raw)
    except QuantityParseError:
        fast = None
    assert fast == slow, raw


# ---- extract: the same words in an article -------------------------------------------------

EXTRACTED = [
    ("不足3人的党组织", ("不足3人", 3.0, None, 3.0, "less than")),
    ("不到5人", ("不到5人", 5.0, None, 5.0, "less than")),
    ("全县企业数下降5.2%。", ("下降5.2%", -0.052, -0.052, -0.052, "exact")),
    ("利润增长-3%，", ("增长-3%", -0.03, -0.03, -0.03, "exact")),
    ("企业减少12家。", ("减少12家", -12.0, -12.0, -12.0, "exact")),
    ("降低了2个百分点", ("降低了2个百分点", -0.02, -0.02, -0.02, "exact")),
    ("增长15.4%", ("15.4%", 0.154, 0.154, 0.154, "exact")),
]


@pytest.mark.parametrize(("text", "expected"), EXTRACTED)
def test_extract_keeps_bound_and_change_words_with_the_figure(text, expected):
    from dangjian_analysis.curate.extract import extract_candidates

    (c,) = extract_candidates(text)
    assert (c.raw, c.value, c.lower, c.upper, c.qualifier) == pytest.approx(expected)
    if c.value is not None and c.value < 0:
        assert "signed change" in c.notes


def test_extract_refuses_a_decrease_of_a_negative_number_with_the_reason():
    from dangjian_analysis.curate.extract import extract_candidates

    (c,) = extract_candidates("利润下降-3%")
    assert c.raw == "下降-3%"
    assert c.value is None
    assert "is it a decrease or an increase?" in c.notes
