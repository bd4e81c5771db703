"""Parse Chinese quantity expressions such as ``12.7万余家`` or ``60%以上``.

The parser turns a number as printed in a Chinese article into a value in base units
(yuan, persons, counts, ratios between 0 and 1) with the bounds implied by its qualifier
words, following the bounds rule in ``data/CURATION.md``:

========================  ==============  ==============  ==============
printed                   qualifier       lower           upper
========================  ==============  ==============  ==============
no qualifier word         ``exact``       value           value
余, 多, 超过, 突破, 过      ``more than``   value           none
以上                       ``at least``    value           none
近                         ``nearly``      none            value
约, 大约, 左右               ``about``       value × 0.95    value × 1.05
========================  ==============  ==============  ==============

English-language reports of the same statistics (national figures reprinted by Xinhua's
or China Daily's English services) print the same kinds of quantity in English words:
``1.579 million``, ``53.1 percent``, ``over 53%``, ``Nearly 1.88 million``,
``More than 300,000``. These forms are read too, with the same bounds rule: *more than*
and *over* give ``more than``, *at least* gives ``at least``, *nearly* and *almost* give
``nearly``, *about* and *around* give ``about``; *thousand*, *million* and *billion* are
multipliers; *percent* (or *per cent*) is a percentage and *percentage points* a
difference of percentages. Letter case and spaces between words do not matter.

Arithmetic is done in :class:`decimal.Decimal` so that ``72.52%`` becomes exactly the float
nearest to 0.7252, the same float that ``float("0.7252")`` gives when the CSV is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ABOUT_WIDTH",
    "APPROX_SUFFIXES",
    "MULTIPLIERS",
    "POSTFIXES",
    "PREFIXES",
    "QUALIFIERS",
    "UNIT_KINDS",
    "Quantity",
    "QuantityParseError",
    "normalize_width",
    "parse_chinese_numeral",
    "parse_quantity",
    "printed_step",
    "unit_kind_compatible",
]

#: Relative half-width of the interval given to 约/左右 figures (±5%).
ABOUT_WIDTH = Decimal("0.05")

#: Qualifiers in the order of the bounds rule.
QUALIFIERS = ("exact", "more than", "at least", "nearly", "about")


class QuantityParseError(ValueError):
    """Raised when a string is not a quantity expression the parser understands."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity.

    Attributes:
        raw: the string as given to the parser.
        value: the printed number in base units.
        lower: the lower bound in base units, or ``None`` when unbounded below.
        upper: the upper bound in base units, or ``None`` when unbounded above.
        qualifier: one of :data:`QUALIFIERS`.
        unit: the printed unit after any multiplier (``家``, ``元``, ``%``), or ``""``.
        unit_kind: the kind of the unit (see :data:`UNIT_KINDS`), or ``None`` when the
            expression carries no unit.

    """

    raw: str
    value: float
    lower: float | None
    upper: float | None
    qualifier: str
    unit: str
    unit_kind: str | None


#: Printed units (Simplified and Traditional forms) and the unit kind each one gives.
UNIT_KINDS: dict[str, str] = {
    "个百分点": "percentage_points",
    "個百分點": "percentage_points",
    "百分点": "percentage_points",
    "百分點": "percentage_points",
    "%": "ratio",
    "人次": "person_times",
    "家次": "count",
    "批次": "count",
    "场次": "count",
    "場次": "count",
    "名": "persons",
    "人": "persons",
    "位": "persons",
    "元": "yuan",
    "家": "count",
    "个": "count",
    "個": "count",
    "项": "count",
    "項": "count",
    "期": "count",
    "次": "count",
    "支": "count",
    "条": "count",
    "條": "count",
    "户": "count",
    "戶": "count",
    "所": "count",
    "座": "count",
    "处": "count",
    "處": "count",
    "批": "count",
    "场": "count",
    "場": "count",
    "件": "count",
    "种": "count",
    "種": "count",
}


_PREFIXES: dict[str, str] = {
    "大约": "about",
    "大約": "about",
    "約": "about",
    "约": "about",
    "超过": "more than",
    "超過": "more than",
    "突破": "more than",
    "过": "more than",
    "過": "more than",
    "逾": "more than",
    "近": "nearly",
    # English words, matched after spaces are removed and letters lowered.
    "morethan": "more than",
    "over": "more than",
    "atleast": "at least",
    "nearly": "nearly",
    "almost": "nearly",
    "about": "about",
    "around": "about",
}
_POSTFIXES: dict[str, str] = {
    "以上": "at least",
    "左右": "about",
}
_APPROX_SUFFIXES: dict[str, str] = {"余": "more than", "餘": "more than", "多": "more than"}

_MULTIPLIERS: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "萬億": Decimal(10) ** 12,
    "亿": Decimal(10) ** 8,
    "億": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
    "萬": Decimal(10) ** 4,
    "千": Decimal(1000),
    "百": Decimal(100),
    "十": Decimal(10),
}
_MULTIPLIERS_BY_LENGTH = sorted(_MULTIPLIERS, key=len, reverse=True)

# English multipliers: only after a number (a bare "million" is not read as one million).
_WORD_MULTIPLIERS: dict[str, Decimal] = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
}
_ALL_MULTIPLIERS = {**_MULTIPLIERS, **_WORD_MULTIPLIERS}
_ALL_MULTIPLIERS_BY_LENGTH = sorted(_ALL_MULTIPLIERS, key=len, reverse=True)

# English units as matched (spaces removed, lower case) -> (unit as reported, unit kind).
_WORD_UNITS: dict[str, tuple[str, str]] = {
    "percentagepoints": ("percentage points", "percentage_points"),
    "percentagepoint": ("percentage point", "percentage_points"),
    "percent": ("percent", "ratio"),
}
_UNIT_FORMS: dict[str, tuple[str, str]] = {
    **{unit: (unit, kind) for unit, kind in UNIT_KINDS.items()},
    **_WORD_UNITS,
}
# Longest first, so that 人次 wins over 人 and 个百分点 over 个.
_UNIT_FORMS_BY_LENGTH = sorted(_UNIT_FORMS, key=len, reverse=True)

_CN_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_CN_NUMERAL_CHARS = "".join([*_CN_DIGITS, *_CN_SMALL_UNITS, *_CN_BIG_UNITS])

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９．，％　",
    "0123456789.,% ",
)
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CN_NUMBER = re.compile(f"[{_CN_NUMERAL_CHARS}]+")
_FRACTION = re.compile(f"([{_CN_NUMERAL_CHARS}]+|\\d+)分之([{_CN_NUMERAL_CHARS}]+|\\d+)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_RANGE = re.compile(r"\d\s*(?:、|至|到|-|~|—|–|to)\s*\d")


def normalize_width(text: str) -> str:
    """Return ``text`` with full-width digits, point, comma, percent and space made ASCII."""
    return text.translate(_FULL_WIDTH)


def parse_chinese_numeral(text: str) -> int:
    """Parse a Chinese numeral such as ``一千二百``, ``两万`` or ``十五`` into an integer.

    Raises:
        QuantityParseError: when ``text`` is not a well-formed Chinese numeral.

    """
    if not text or any(ch not in _CN_NUMERAL_CHARS for ch in text):
        raise QuantityParseError(f"{text!r} is not a Chinese numeral")
    total = 0  # completed sections (above 万/亿)
    section = 0  # the current section below 万
    digit: int | None = None
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                raise QuantityParseError(f"{text!r}: two digits in a row")
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * _CN_SMALL_UNITS[ch]
            digit = None
        else:  # 万 or 亿
            big = _CN_BIG_UNITS[ch]
            section += digit or 0
            if section == 0 and total == 0:
                section = 1  # 万 alone reads as 一万
            if big == 10**8:
                total = (total + section) * big
            else:
                total += section * big
            section = 0
            digit = None
    return total + section + (digit or 0)


def _number_at_start(text: str) -> tuple[Decimal, str]:
    """Read a number at the start of ``text``; return it and the rest of the text."""
    fraction = _FRACTION.match(text)
    if fraction:
        den, num = (_to_decimal(part) for part in fraction.groups())
        if den == 0:
            raise QuantityParseError("a fraction with denominator zero")
        return num / den, text[fraction.end() :]
    arabic = _ARABIC.match(text)
    if arabic:
        return Decimal(arabic.group()), text[arabic.end() :]
    cn = _CN_NUMBER.match(text)
    if cn:
        # A trailing 万/亿 belongs to the multiplier only after Arabic digits; in a Chinese
        # numeral it is part of the number (两万 is 20000).
        return Decimal(parse_chinese_numeral(cn.group())), text[cn.end() :]
    for mult in _MULTIPLIERS_BY_LENGTH:
        if text.startswith(mult):  # 过亿元: a bare multiplier means one of it
            return Decimal(1), text
    raise QuantityParseError("no number found")


def _to_decimal(part: str) -> Decimal:
    return Decimal(part) if part.isdigit() else Decimal(parse_chinese_numeral(part))


def _strip_prefix(text: str, table: dict[str, str]) -> tuple[str | None, str]:
    for word in sorted(table, key=len, reverse=True):
        if text.startswith(word):
            return table[word], text[len(word) :]
    return None, text


def _strip_suffix(text: str, table: dict[str, str]) -> tuple[str | None, str]:
    for word in sorted(table, key=len, reverse=True):
        if text.endswith(word):
            return table[word], text[: -len(word)]
    return None, text


def _set_qualifier(current: str | None, new: str | None, raw: str) -> str | None:
    if new is None:
        return current
    if current is not None and current != new:
        raise QuantityParseError(f"{raw!r}: conflicting qualifiers {current!r} and {new!r}")
    return new


def _prepare(raw: str) -> str:
    """Return ``raw`` as matched: ASCII width, no spaces, no thousands commas, lower case."""
    text = re.sub(r"\s+", "", normalize_width(raw))
    return _THOUSANDS.sub("", text).lower()


def parse_quantity(raw: str) -> Quantity:
    """Parse a quantity as printed in a Chinese text (or an English report of one).

    Handles Arabic digits with 十/百/千/万/亿/万亿 multipliers (``12.7万余家``), Chinese
    numerals (``一千二百``, ``两万``), fractions (``三分之一``), percent and percentage
    points (``72.52%``, ``3个百分点``), full-width digits and thousands commas, and the
    qualifier words of the bounds rule; and the English forms ``1.579 million``,
    ``53.1 percent``, ``over 53%``, ``Nearly 1.88 million``, ``More than 300,000``.

    >>> q = parse_quantity("12.7万余家")
    >>> (q.value, q.lower, q.upper, q.unit, q.qualifier)
    (127000.0, 127000.0, None, '家', 'more than')

    Raises:
        TypeError: when ``raw`` is not a string (a number read from a spreadsheet, None).
        QuantityParseError: when ``raw`` is empty, holds no number, holds a range
            (``5、6个``) or has text the parser does not understand.

    """
    if not isinstance(raw, str):
        raise TypeError(f"parse_quantity reads text, not {type(raw).__name__} ({raw!r})")
    if not raw.strip():
        raise QuantityParseError(f"{raw!r} is empty")
    text = _prepare(raw)
    if _RANGE.search(text):
        raise QuantityParseError(f"{raw!r} is a range, not a single figure")

    qualifier, text = _strip_prefix(text, _PREFIXES)
    post, text = _strip_suffix(text, _POSTFIXES)
    qualifier = _set_qualifier(qualifier, post, raw)

    try:
        number, rest = _number_at_start(text)
    except QuantityParseError as exc:
        raise QuantityParseError(f"{raw!r}: {exc}") from None

    approx, rest = _strip_prefix(rest, _APPROX_SUFFIXES)  # 3000多万
    qualifier = _set_qualifier(qualifier, approx, raw)
    for mult in _ALL_MULTIPLIERS_BY_LENGTH:
        if rest.startswith(mult):
            number *= _ALL_MULTIPLIERS[mult]
            rest = rest[len(mult) :]
            break
    approx, rest = _strip_prefix(rest, _APPROX_SUFFIXES)  # 12.7万余
    qualifier = _set_qualifier(qualifier, approx, raw)

    unit, unit_kind = "", None
    for candidate in _UNIT_FORMS_BY_LENGTH:
        if rest.startswith(candidate):
            (unit, unit_kind), rest = _UNIT_FORMS[candidate], rest[len(candidate) :]
            break
    approx, rest = _strip_prefix(rest, _APPROX_SUFFIXES)  # 10人多 (rare)
    qualifier = _set_qualifier(qualifier, approx, raw)
    if rest:
        raise QuantityParseError(f"{raw!r}: cannot read {rest!r} after the number")

    if unit_kind in ("ratio", "percentage_points"):
        number /= 100
    elif not unit and _FRACTION.match(text):
        unit_kind = "ratio"

    qualifier = qualifier or "exact"
    lower: Decimal | None = number
    upper: Decimal | None = number
    if qualifier in ("more than", "at least"):
        upper = None
    elif qualifier == "nearly":
        lower = None
    elif qualifier == "about":
        lower, upper = number * (1 - ABOUT_WIDTH), number * (1 + ABOUT_WIDTH)
    return Quantity(
        raw=raw,
        value=float(number),
        lower=None if lower is None else float(lower),
        upper=None if upper is None else float(upper),
        qualifier=qualifier,
        unit=unit,
        unit_kind=unit_kind,
    )


def printed_step(raw: str) -> float | None:
    """Return one unit of the last printed digit of ``raw``, in base units.

    This is the step that the usual reading of 余 and 多 stays below: ``1200余`` is read as
    at least 1200 and less than 1300 (step 100), ``12.7万余`` as less than 12.8万 (step
    1000), ``70余`` as less than 80 (step 10). The analysis layer offers this reading as an
    explicit, labelled assumption; the data package itself keeps such figures open above.

    >>> printed_step("12.7万余家"), printed_step("1200余个"), printed_step("72.52%")
    (1000.0, 100.0, 0.0001)

    Returns ``None`` when the number is not written in Arabic digits (``十余``,
    ``三分之一``), because there is no printed last digit to read a step from.

    Raises:
        QuantityParseError: when ``raw`` is not a quantity the parser understands.

    """
    quantity = parse_quantity(raw)  # validates the whole expression first
    _, text = _strip_prefix(_prepare(raw), _PREFIXES)
    if _FRACTION.match(text):
        return None
    arabic = _ARABIC.match(text)
    if arabic is None:
        return None
    digits = arabic.group()
    if "." in digits:
        step = Decimal(1).scaleb(-len(digits.split(".")[1]))
    else:
        stripped = digits.rstrip("0") or "0"
        step = Decimal(1).scaleb(len(digits) - len(stripped))
    rest = text[arabic.end() :]
    _, rest = _strip_prefix(rest, _APPROX_SUFFIXES)
    for mult in _ALL_MULTIPLIERS_BY_LENGTH:
        if rest.startswith(mult):
            step *= _ALL_MULTIPLIERS[mult]
            break
    if quantity.unit_kind in ("ratio", "percentage_points"):
        step /= 100
    return float(step)


def unit_kind_compatible(parsed_kind: str | None, indicator_kind: str) -> bool:
    """Whether a unit parsed from ``raw`` fits an indicator's unit kind.

    A percentage fits both ``ratio`` and ``growth_rate`` indicators; an expression with no
    unit (``26万``) fits any indicator whose unit kind is not a ratio kind.
    """
    if parsed_kind is None:
        return indicator_kind not in ("ratio", "growth_rate", "percentage_points")
    if parsed_kind == "ratio":
        return indicator_kind in ("ratio", "growth_rate")
    return parsed_kind == indicator_kind


# Public names for the word lists that the candidate extractor builds its patterns from.
#: Qualifier words printed before a number (``近``, ``约``, ``超过``), by qualifier.
PREFIXES = _PREFIXES
#: Qualifier words printed after a number and its unit (``以上``, ``左右``), by qualifier.
POSTFIXES = _POSTFIXES
#: Approximation words printed between a number and its unit (``余``, ``多``).
APPROX_SUFFIXES = _APPROX_SUFFIXES
#: Multiplier words and their values (``万``, ``亿``).
MULTIPLIERS = _MULTIPLIERS
