"""Chinese numerals as printed in reports: each form is read right or refused (issue #14).

A silently wrong number passes validation, because ``raw`` and ``value`` agree; so every
form here either gives the value printed or raises a QuantityParseError that names what
could not be read.
"""

from __future__ import annotations

import pytest

from dangjian_analysis.text import quantity
from dangjian_analysis.text.quantity import (
    MAX_LENGTH,
    PREFIXES,
    QuantityParseError,
    parse_chinese_numeral,
    parse_quantity,
    printed_step,
)

# raw -> value. The forms that the former parser read as another number come first.
READ = [
    # the colloquial last digit: one place below the unit before it
    ("三万五", 35_000),
    ("两千六", 2_600),
    ("一百二", 120),
    ("一百二十万三", 1_203_000),
    ("一亿五", 150_000_000),
    ("十一万三", 113_000),
    ("三万五左右", 35_000),
    # 零 marks skipped places
    ("一千零十", 1_010),
    ("一千零一十", 1_010),
    ("一千零五", 1_005),
    ("一百零五", 105),
    ("一百〇五", 105),
    ("一万零十", 10_010),
    ("一万零五百", 10_500),
    ("二十万零五百", 200_500),
    # 零 after a 万 or 亿 group that ends in zero: the place below the unit is skipped
    ("十万零一千", 101_000),
    ("十万一千", 101_000),
    ("一百九十万零三千九百七十一", 1_903_971),
    ("一亿五千万零六千三百五十五", 150_006_355),
    ("十亿零一千万", 1_010_000_000),
    # the colloquial 十 without a digit right after 百
    ("一百十一", 111),
    ("一百十", 110),
    ("三千一百十五", 3_115),
    ("一亿零一千", 100_001_000),
    ("一亿零五百万", 105_000_000),
    ("一亿零一万", 100_010_000),
    ("十亿零一十万", 1_000_100_000),
    ("一万亿零五百万", 1_000_005_000_000),
    # standard forms
    ("十", 10),
    ("十五", 15),
    ("一十五", 15),
    ("二十", 20),
    ("一百二十三", 123),
    ("两万", 20_000),
    ("两千六百", 2_600),
    ("一千二百三十四亿五千六百七十八万九千零一十二", 123_456_789_012),
    ("三万亿", 3 * 10**12),
    ("一万二千亿", 1_200_000_000_000),
    ("零", 0),
    ("〇", 0),
    # a unit with no digit before it
    ("百个", 100),
    ("百万", 1_000_000),
    ("千万", 10_000_000),
    ("亿", 100_000_000),
    ("万亿", 10**12),
    ("过亿元", 100_000_000),
    # decimals with 点
    ("零点二八", 0.28),
    ("七十二点五", 72.5),
    ("三千一百六十四点四", 3_164.4),
    ("十点零五", 10.05),
    ("一点五零", 1.5),
    ("三点五万", 35_000),
    ("十二点五万", 125_000),
    ("三点五万亿", 3.5 * 10**12),
    ("一点二亿元", 120_000_000),
    ("百分之七十二点五", 0.725),
    ("百分之五十", 0.5),
    ("百分之百", 1.0),
    ("千分之三", 0.003),
    ("三分之一", 1 / 3),
    # negatives
    ("负三点八", -3.8),
    ("負三點八", -3.8),
    ("-10.1万", -101_000),
    ("－10.1万", -101_000),
    ("负3.2%", -0.032),
    # 廿, 卅, 卌
    ("廿五", 25),
    ("卅", 30),
    ("卌二", 42),
    ("廿万", 200_000),
    # digits read one by one (years and codes)
    ("二〇一三", 2013),
    ("二〇〇八", 2008),
    ("一九九八", 1998),
    ("五〇", 50),
    ("一〇五", 105),
    # Arabic digits with Chinese units
    ("1.5万", 15_000),
    ("1万600", 10_600),
    ("100万三千", 1_003_000),
    ("3亿5000万", 350_000_000),
    ("1亿2千万", 120_000_000),
    ("1亿200万", 102_000_000),
    ("3千5百", 3_500),
    ("12000万", 120_000_000),
    ("3亿余", 300_000_000),
    # financial and Traditional numerals
    ("壹仟贰佰", 1_200),
    ("叁拾万元整", 300_000),
    ("壹拾", 10),
    ("贰佰叁拾肆万伍仟陆佰柒拾捌", 2_345_678),
    ("兩萬", 20_000),
    ("貳佰參拾", 230),
    ("壹億伍仟萬", 150_000_000),
    ("三億", 300_000_000),
    # qualifiers with Chinese numerals
    ("十余万", 100_000),
    ("三十多万", 300_000),
    ("一万多亿", 10**12),
    ("两个", 2),
    ("三百分点", 0.03),
    ("3百分点", 0.03),
]


@pytest.mark.parametrize(("raw", "value"), READ)
def test_read(raw, value):
    assert parse_quantity(raw).value == pytest.approx(value, rel=1e-15, abs=0)


def test_read_values_are_the_floats_of_the_printed_decimals():
    assert parse_quantity("零点二八").value == float("0.28")
    assert parse_quantity("百分之七十二点五").value == float("0.725")
    assert parse_quantity("三千一百六十四点四").value == float("3164.4")


# raw -> part of the message. Each is a form that the former parser read as another
# number, or a form whose reading is not certain.
REFUSED = [
    # two numbers side by side, or a unit repeated
    ("五十三十家", "two numbers side by side"),
    ("三千五千元", "two numbers side by side"),
    ("一十一十", "two numbers side by side"),
    ("万万万", "a unit repeated"),
    ("百百", "a unit repeated"),
    ("一万二千万", "a unit repeated"),
    ("一亿亿", "a unit repeated"),
    ("亿万", "亿 with no digit before it"),
    ("一万多万", "a unit repeated"),
    ("10余万余", "余 or 多 more than once"),
    # two digits in a row: ranges and lists
    ("一二十", "range"),
    ("五六百家", "range"),
    ("三四个", "range"),
    ("十七八", "range"),
    ("两三个", "range"),
    ("一万七八千", "range"),
    ("一二三", "two digits in a row"),
    # vague numbers
    ("十几", "vague"),
    ("十几个", "vague"),
    ("几十", "vague"),
    ("数十", "vague"),
    ("数百家", "vague"),
    ("上百家", "vague"),
    ("成百上千", "vague"),
    ("十来个", "vague"),
    # 零 missing, misplaced, doubled, first or last
    ("一千五十", "零 is missing"),
    ("一万五百", "零 is missing"),
    ("一亿一千", "零 is missing"),
    ("一亿五百万", "零 is missing"),
    ("一千零五百", "no place is skipped"),
    ("一万零一千", "no place is skipped"),
    ("一百零十", "no place is skipped"),
    ("一亿零一千万", "no place is skipped"),
    ("一千零零五", "零 twice"),
    ("一千零", "at the end"),
    ("零五", "starts with 零"),
    ("〇〇七", "starts with 〇"),
    ("伍零", "only the digits 〇 and 一 to 九 are read one by one"),
    ("两〇一三", "only the digits"),
    # a colloquial last digit that is not last, or not certain
    ("一千二万", "not last"),
    ("一百二点五", "not last"),
    ("万五", "no digit before it"),
    ("千五", "no digit before it"),
    ("一万亿五", "ambiguous"),
    ("1万6", "one Arabic digit"),
    ("三千5", "one Arabic digit"),
    ("一百两", "两 as a last digit"),
    ("十两", "两 as a last digit"),
    ("两十", "两 is not written before 十"),
    ("两点五", "两点"),
    ("百十一", "a unit repeated"),
    # decimals
    ("二点五一千", "after the decimals"),
    ("一万点五万", "万 after a number"),
    ("零点", "no digit after 点"),
    ("点五", "no number before 点"),
    ("三点五点", "more than one decimal point"),
    ("1.5万600", "decimal number"),
    ("3点5", "Arabic digits with 点"),
    # tenths, 兆, bounds on negative numbers
    ("两成", "成 \\(tenths\\) is not read"),
    ("三成以上", "成 \\(tenths\\) is not read"),
    ("3兆", "兆 is 10\\^6 or 10\\^12"),
    ("负3%以上", "negative number with the qualifier 'at least'"),
    ("近-3", "negative number with the qualifier 'nearly'"),
    ("-3余", "negative number with the qualifier 'more than'"),
    # ranges with Chinese numerals
    ("三至五家", "range"),
    ("三到5家", "range"),
    # characters that are not read
    ("幺二", "no number"),
    ("仨", "no number"),
    ("0分之1", "denominator zero"),
]


@pytest.mark.parametrize(("raw", "message"), REFUSED)
def test_refused(raw, message):
    with pytest.raises(QuantityParseError, match=message) as info:
        parse_quantity(raw)
    assert str(info.value).startswith(repr(raw))


def test_issue_examples_no_longer_give_other_numbers():
    # The values the former parser returned, exact and without an error.
    wrong = {
        "三万五": 30_005,
        "两千六": 2_006,
        "一百二": 102,
        "一百二十万三": 1_200_003,
        "一千零十": 1_000,
    }
    for raw, former in wrong.items():
        assert parse_quantity(raw).value != former
    for raw in ("五十三十家", "三千五千元", "一十一十", "万万万", "百百"):
        with pytest.raises(QuantityParseError):
            parse_quantity(raw)


# ---- qualifiers, units and bounds with the new forms -----------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "lower", "upper", "qualifier", "unit", "kind"),
    [
        ("三万五千余家", 35_000, 35_000, None, "more than", "家", "count"),
        ("近两千六百人", 2_600, None, 2_600, "nearly", "人", "persons"),
        ("约三万五", 35_000, 33_250, 36_750, "about", "", None),
        ("一百二十万三以上", 1_203_000, 1_203_000, None, "at least", "", None),
        ("百分之七十二点五以上", 0.725, 0.725, None, "at least", "", "ratio"),
        ("约-10", -10, -10.5, -9.5, "about", "", None),
        ("负三点八左右", -3.8, -3.99, -3.61, "about", "", None),
        ("负3.8%", -0.038, -0.038, -0.038, "exact", "%", "ratio"),
        ("叁拾万元整", 300_000, 300_000, 300_000, "exact", "元", "yuan"),
        ("1万600名", 10_600, 10_600, 10_600, "exact", "名", "persons"),
        ("3亿余元", 300_000_000, 300_000_000, None, "more than", "元", "yuan"),
        ("两个百分点", 0.02, 0.02, 0.02, "exact", "个百分点", "percentage_points"),
        ("十多万人", 100_000, 100_000, None, "more than", "人", "persons"),
    ],
)
def test_bounds_of_the_new_forms(raw, value, lower, upper, qualifier, unit, kind):
    q = parse_quantity(raw)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert q.lower == (None if lower is None else pytest.approx(lower, rel=1e-12))
    assert q.upper == (None if upper is None else pytest.approx(upper, rel=1e-12))
    assert (q.qualifier, q.unit, q.unit_kind) == (qualifier, unit, kind)


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        ("-10.1万", 1000.0),
        ("12.7万余家", 1000.0),
        ("3000多万元", 10_000_000.0),
        ("1万600", None),  # a mixed form has no single printed last digit
        ("三万五", None),
        ("百分之五十", None),
    ],
)
def test_printed_step_of_the_new_forms(raw, step):
    assert printed_step(raw) == (None if step is None else pytest.approx(step, rel=1e-12))


# ---- parse_chinese_numeral -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三万五", 35_000),
        ("一千零十", 1_010),
        ("二〇一三", 2013),
        ("壹仟贰佰", 1_200),
        ("廿五", 25),
        ("兩萬", 20_000),
        ("万亿", 10**12),
    ],
)
def test_parse_chinese_numeral(text, value):
    result = parse_chinese_numeral(text)
    assert result == value and isinstance(result, int)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("五十三十", "'五十三十': .*two numbers side by side"),
        ("三点五", "decimal point; parse_quantity reads it"),
        ("负三", "not a Chinese numeral"),
        ("1万", "not a Chinese numeral"),
        ("", "not a Chinese numeral"),
    ],
)
def test_parse_chinese_numeral_refuses(text, message):
    with pytest.raises(QuantityParseError, match=message):
        parse_chinese_numeral(text)


# ---- input that is not a quantity ------------------------------------------------------


@pytest.mark.parametrize("function", [parse_quantity, parse_chinese_numeral, printed_step])
@pytest.mark.parametrize("value", [None, 35000, 3.5, b"12", ["三万五"]])
def test_non_strings_raise_type_error(function, value):
    with pytest.raises(TypeError, match=r"reads text, not \w+ \("):
        function(value)


def test_input_longer_than_the_cap_is_refused():
    assert MAX_LENGTH == 200
    with pytest.raises(QuantityParseError, match="201 characters long; at most 200"):
        parse_quantity("9" * 201)
    with pytest.raises(QuantityParseError, match="characters long"):
        parse_quantity("亿" * 100_000)
    with pytest.raises(QuantityParseError, match="characters long"):
        parse_chinese_numeral("九" * 400 + "万")
    assert parse_quantity("1" * MAX_LENGTH).value == float("1" * MAX_LENGTH)


def test_overflow_is_an_error_even_without_the_cap(monkeypatch):
    monkeypatch.setattr(quantity, "MAX_LENGTH", 100_000)
    with pytest.raises(QuantityParseError, match="too large"):
        parse_quantity("9" * 400 + "万")
    with pytest.raises(QuantityParseError, match="too large"):
        parse_quantity("九" * 400)
    with pytest.raises(QuantityParseError, match="a unit repeated"):
        parse_quantity("亿" * 100_000)


def test_values_are_finite():
    q = parse_quantity("9" * 190 + "万亿")
    assert q.value == pytest.approx(float("9" * 190) * 1e12)


def test_the_qualifier_words_are_public():
    assert PREFIXES["近"] == "nearly"
    assert not hasattr(quantity, "_PREFIXES")
