from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dangjian_analysis.text.quantity import (
    Quantity,
    QuantityParseError,
    parse_chinese_numeral,
    parse_quantity,
    printed_step,
    unit_kind_compatible,
)

# Forms as they are printed in the source articles: raw, value, lower, upper, unit, kind, qualifier.
REAL_FORMS = [
    ("12.7万余家", 127000, 127000, None, "家", "count", "more than"),
    ("927家", 927, 927, 927, "家", "count", "exact"),
    ("72.52%", 0.7252, 0.7252, 0.7252, "%", "ratio", "exact"),
    ("309.13亿元", 30913000000, 30913000000, 30913000000, "元", "yuan", "exact"),
    ("2433.92亿元", 243392000000, 243392000000, 243392000000, "元", "yuan", "exact"),
    ("1.69亿元", 169000000, 169000000, 169000000, "元", "yuan", "exact"),
    ("60%以上", 0.6, 0.6, None, "%", "ratio", "at least"),
    ("95%左右", 0.95, 0.9025, 0.9975, "%", "ratio", "about"),
    ("近1000个", 1000, None, 1000, "个", "count", "nearly"),
    ("70余个", 70, 70, None, "个", "count", "more than"),
    ("10余人", 10, 10, None, "人", "persons", "more than"),
    ("800多名", 800, 800, None, "名", "persons", "more than"),
    ("3000多万元", 30000000, 30000000, None, "元", "yuan", "more than"),
    ("10多亿元", 1000000000, 1000000000, None, "元", "yuan", "more than"),
    ("10万余人", 100000, 100000, None, "人", "persons", "more than"),
    ("26万多名", 260000, 260000, None, "名", "persons", "more than"),
    ("4.3万个", 43000, 43000, 43000, "个", "count", "exact"),
    ("10.2万亿元", 10200000000000, 10200000000000, 10200000000000, "元", "yuan", "exact"),
    ("突破300亿元", 30000000000, 30000000000, None, "元", "yuan", "more than"),
    ("过亿元", 100000000, 100000000, None, "元", "yuan", "more than"),
    ("43475人次", 43475, 43475, 43475, "人次", "person_times", "exact"),
    ("9317家次", 9317, 9317, 9317, "家次", "count", "exact"),
    ("1200余個", 1200, 1200, None, "個", "count", "more than"),
    ("23 名", 23, 23, 23, "名", "persons", "exact"),
    ("192場次", 192, 192, 192, "場次", "count", "exact"),
    ("15.4%", 0.154, 0.154, 0.154, "%", "ratio", "exact"),
    ("1.9亿", 190000000, 190000000, 190000000, "", None, "exact"),
    ("百个", 100, 100, 100, "个", "count", "exact"),
]


@pytest.mark.parametrize(
    ("raw", "value", "lower", "upper", "unit", "kind", "qualifier"), REAL_FORMS
)
def test_real_forms(raw, value, lower, upper, unit, kind, qualifier):
    q = parse_quantity(raw)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert q.lower == (None if lower is None else pytest.approx(lower, rel=1e-12))
    assert q.upper == (None if upper is None else pytest.approx(upper, rel=1e-12))
    assert (q.unit, q.unit_kind, q.qualifier, q.raw) == (unit, kind, qualifier, raw)


def test_issue_example_exactly():
    assert parse_quantity("12.7万余家") == Quantity(
        raw="12.7万余家",
        value=127000.0,
        lower=127000.0,
        upper=None,
        qualifier="more than",
        unit="家",
        unit_kind="count",
    )


def test_percent_is_the_same_float_as_the_csv_text():
    # The validator compares the parsed value with float() of the CSV cell.
    assert parse_quantity("72.52%").value == float("0.7252")
    assert parse_quantity("36.19%").value == float("0.3619")


@pytest.mark.parametrize(
    ("raw", "value", "unit", "kind"),
    [
        ("一千二百", 1200, "", None),
        ("两万", 20000, "", None),
        ("两万余人", 20000, "人", "persons"),
        ("十五名", 15, "名", "persons"),
        ("一百零五个", 105, "个", "count"),
        ("三分之一", 1 / 3, "", "ratio"),
        ("3个百分点", 0.03, "个百分点", "percentage_points"),
        ("１２．７万余家", 127000, "家", "count"),
        ("43,475人次", 43475, "人次", "person_times"),
        ("约50家", 50, "家", "count"),
        ("大約50家", 50, "家", "count"),
        ("超过2000名", 2000, "名", "persons"),
    ],
)
def test_other_number_forms(raw, value, unit, kind):
    q = parse_quantity(raw)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert (q.unit, q.unit_kind) == (unit, kind)


def test_traditional_about():
    q = parse_quantity("大約50家")
    assert (q.qualifier, q.lower, q.upper) == ("about", 47.5, 52.5)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("党组织", "no number"),
        ("5、6个", "range"),
        ("3至5家", "range"),
        ("12家企业", "cannot read '企业'"),
        ("近10余个", "conflicting qualifiers"),
        ("一二三", "two digits in a row"),
    ],
)
def test_errors_name_the_problem(raw, message):
    with pytest.raises(QuantityParseError, match=message):
        parse_quantity(raw)


def test_parse_chinese_numeral_rejects_non_numerals():
    with pytest.raises(QuantityParseError, match="not a Chinese numeral"):
        parse_chinese_numeral("一千x")


@pytest.mark.parametrize(
    ("parsed", "indicator", "fits"),
    [
        ("ratio", "ratio", True),
        ("ratio", "growth_rate", True),
        ("ratio", "count", False),
        ("count", "persons", False),
        ("persons", "persons", True),
        (None, "yuan", True),
        (None, "ratio", False),
    ],
)
def test_unit_kind_compatible(parsed, indicator, fits):
    assert unit_kind_compatible(parsed, indicator) is fits


# ---- property-based round trips -------------------------------------------------------

MULTIPLIERS = {"": 1, "十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8, "万亿": 10**12}
UNITS = {"家": "count", "个": "count", "名": "persons", "人次": "person_times", "元": "yuan"}
QUALIFIED = {
    "": ("exact", True, True),
    "余": ("more than", True, False),
    "多": ("more than", True, False),
    "以上": ("at least", True, False),
    "近": ("nearly", False, True),
    "左右": ("about", True, True),
}
PREFIX_WORDS = {"近"}

decimals = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2)


def _format_decimal(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


@given(
    decimals,
    st.sampled_from(sorted(MULTIPLIERS)),
    st.sampled_from(sorted(UNITS)),
    st.sampled_from(sorted(QUALIFIED)),
)
def test_round_trip_arabic(number, multiplier, unit, word):
    text = _format_decimal(number) + multiplier
    raw = (
        word + text + unit
        if word in PREFIX_WORDS
        else (text + word + unit if word in ("余", "多") else text + unit + word)
    )
    q = parse_quantity(raw)
    expected = float(number * MULTIPLIERS[multiplier])
    qualifier, has_lower, has_upper = QUALIFIED[word]
    assert q.value == pytest.approx(expected, rel=1e-12)
    assert (q.qualifier, q.unit, q.unit_kind) == (qualifier, unit, UNITS[unit])
    assert (q.lower is not None, q.upper is not None) == (has_lower, has_upper)
    if qualifier == "about":
        assert q.lower == pytest.approx(expected * 0.95) and q.upper == pytest.approx(
            expected * 1.05
        )


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2))
def test_round_trip_percent(number):
    q = parse_quantity(_format_decimal(number) + "%")
    assert q.value == float(number / 100)
    assert 0 <= q.value <= 1


_DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Write an integer below 10^12 in Chinese numerals (test helper)."""
    if n == 0:
        return "零"

    def section(x: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d, x = divmod(x, value)
            if d:
                if zero:
                    out += "零"
                out += _DIGITS[d] + unit
                zero = False
            elif out:
                zero = True
        return out

    parts = []
    gap = False  # a group of four places with no digit, as in 一亿零一千
    for value, unit in ((10**8, "亿"), (10**4, "万"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if parts and (d < 1000 or gap):
                parts.append("零")
            parts.append(section(d) + unit)
            gap = False
        elif parts:
            gap = True
    return "".join(parts)


@given(st.integers(min_value=1, max_value=999_999_999_999))
@example(100_001_000)  # 一亿零一千; without the 零 it reads as 一亿一千(万)
@example(100_000_001)
def test_round_trip_chinese_numerals(n):
    assert parse_chinese_numeral(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(sorted(UNITS)))
def test_full_width_digits_parse_like_ascii(n, unit):
    ascii_raw = f"{n}{unit}"
    full = ascii_raw.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_quantity(full).value == parse_quantity(ascii_raw).value == float(n)


@given(st.integers(min_value=1000, max_value=10**9))
def test_thousands_separators_are_ignored(n):
    assert parse_quantity(f"{n:,}名").value == float(n)


@given(st.floats(min_value=0.0001, max_value=1e12, allow_nan=False))
def test_bounds_contain_value(x):
    for raw in (f"{x:.4f}万余家", f"约{x:.4f}家", f"近{x:.4f}个"):
        q = parse_quantity(raw)
        assert q.lower is None or q.lower <= q.value or math.isclose(q.lower, q.value)
        assert q.upper is None or q.upper >= q.value or math.isclose(q.upper, q.value)


# ---- English forms (national statistics reprinted by English-language services) --------

# raw, value, lower, upper, unit, kind, qualifier; the raws are forms, not quotations.
ENGLISH_FORMS = [
    ("1.579 million", 1579000, 1579000, 1579000, "", None, "exact"),
    ("53.1 percent", 0.531, 0.531, 0.531, "percent", "ratio", "exact"),
    ("67.9 per cent", 0.679, 0.679, 0.679, "percent", "ratio", "exact"),
    ("over 53%", 0.53, 0.53, None, "%", "ratio", "more than"),
    ("over 2.9 million", 2900000, 2900000, None, "", None, "more than"),
    ("Nearly 1.88 million", 1880000, None, 1880000, "", None, "nearly"),
    ("almost 40 million", 40000000, None, 40000000, "", None, "nearly"),
    ("More than 300,000", 300000, 300000, None, "", None, "more than"),
    ("at least 12 thousand", 12000, 12000, None, "", None, "at least"),
    ("about 2 billion", 2000000000, 1900000000, 2100000000, "", None, "about"),
    ("around 95 percent", 0.95, 0.9025, 0.9975, "percent", "ratio", "about"),
    ("1.4 percentage points", 0.014, 0.014, 0.014, "percentage points", "percentage_points",
     "exact"),
]


@pytest.mark.parametrize(
    ("raw", "value", "lower", "upper", "unit", "kind", "qualifier"), ENGLISH_FORMS
)
def test_english_forms(raw, value, lower, upper, unit, kind, qualifier):
    q = parse_quantity(raw)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert q.lower == (None if lower is None else pytest.approx(lower, rel=1e-12))
    assert q.upper == (None if upper is None else pytest.approx(upper, rel=1e-12))
    assert (q.unit, q.unit_kind, q.qualifier, q.raw) == (unit, kind, qualifier, raw)


def test_english_percent_is_the_same_float_as_the_csv_text():
    assert parse_quantity("53.1 percent").value == float("0.531")
    assert parse_quantity("37.6 percent").value == float("0.376")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("million", "no number"),
        ("1.5 millions", "cannot read 's'"),
        ("53 percent of firms", "cannot read 'offirms'"),
        ("over 53%以上", "conflicting qualifiers"),
        ("nearly 2 to 3 million", "range"),
    ],
)
def test_english_errors_name_the_problem(raw, message):
    with pytest.raises(QuantityParseError, match=message):
        parse_quantity(raw)


def test_english_forms_fit_the_indicator_kinds():
    assert unit_kind_compatible(parse_quantity("1.579 million").unit_kind, "count")
    assert not unit_kind_compatible(parse_quantity("1.579 million").unit_kind, "ratio")
    assert unit_kind_compatible(parse_quantity("53.1 percent").unit_kind, "ratio")


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        ("1.579 million", 1000.0),
        ("Nearly 1.88 million", 10000.0),
        ("53.1 percent", 0.001),
        ("over 53%", 0.01),
    ],
)
def test_printed_step_of_english_forms(raw, step):
    assert printed_step(raw) == pytest.approx(step, rel=1e-12)


ENGLISH_MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


@given(decimals, st.sampled_from(sorted(ENGLISH_MULTIPLIERS)))
def test_round_trip_english_multipliers(number, word):
    q = parse_quantity(f"{_format_decimal(number)} {word}")
    assert q.value == pytest.approx(float(number * ENGLISH_MULTIPLIERS[word]), rel=1e-12)
    assert (q.qualifier, q.unit_kind) == ("exact", None)
