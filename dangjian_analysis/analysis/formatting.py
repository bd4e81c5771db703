"""Numbers, intervals and periods as text: the one formatter of the package.

Two registers, one set of rules for units and periods:

* for analysis tables, short and stable with every digit that matters
  (:func:`format_number`, :func:`format_interval`, :func:`period_text`): ``86.4% [86.4%, ∞)``,
  ``2.21亿元``, ``2011–2013``, ``7 Jan to 31 Dec 2012``; the analysis uses them for the text
  columns it builds (national matches), the report for every display table;
* for readers, rounded for reading and said in words (:func:`reader_number`,
  :func:`reader_interval`, :func:`period_words`): percentages with sensible digits, money
  in 万元 or 亿元 chosen by magnitude (325万元, never 0.0325亿元), ranges as "at least
  86.4%", "about 95%" or "nearly 1,000", periods as "as of 2015".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "format_interval",
    "format_number",
    "period_text",
    "period_words",
    "reader_interval",
    "reader_number",
]

#: Unit kinds printed as percentages, as money, and as counts.
_SHARES = ("ratio", "growth_rate")
_MONEY = "yuan"
_COUNTS = ("count", "persons", "person_times")


# --- for analysis tables -----------------------------------------------------------------


def format_number(x: float, unit_kind: str, *, digits: int = 4) -> str:
    """Format one number: ratios and growth rates as percentages, yuan in 亿元, else plain.

    A difference of two ratios or growth rates (``percentage_points``, 0.03) prints in
    percentage points: ``3 pp``.

    Infinite values print as ``∞`` and ``-∞``; NaN as an empty string.
    """
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if unit_kind in _SHARES:
        return f"{x * 100:.{digits}g}%"
    if unit_kind == "percentage_points":
        return f"{x * 100:.{digits}g} pp"
    if unit_kind == _MONEY:
        return f"{x / 1e8:.{digits}g}亿元"
    return f"{x:.{digits}g}"


def format_interval(
    value: float, lower: float, upper: float, unit_kind: str, *, digits: int = 4
) -> str:
    """Format a value with its interval: ``86.4% [86.4%, ∞)`` or just ``1.47%`` when exact.

    An open side prints as ``∞`` with a round bracket.
    """
    text = format_number(value, unit_kind, digits=digits)
    if lower == upper == value:
        return text
    low = format_number(lower, unit_kind, digits=digits)
    high = format_number(upper, unit_kind, digits=digits)
    left = "(" if math.isinf(lower) else "["
    right = ")" if math.isinf(upper) else "]"
    return f"{text} {left}{low}, {high}{right}"


def period_text(earliest: object, latest: object) -> str:
    """Write a reference period short: the one rule for periods in every table.

    ``2012`` for a whole calendar year, ``2012-12-31`` for one day, ``1 Mar to 30 Jun 2012``
    for part of a year and ``2011–2013`` across years. Takes dates or ISO strings.
    """
    early = earliest.strftime("%Y-%m-%d") if hasattr(earliest, "strftime") else str(earliest)
    late = latest.strftime("%Y-%m-%d") if hasattr(latest, "strftime") else str(latest)
    if early == late:
        return early
    if early[:4] == late[:4]:
        if (early[5:], late[5:]) == ("01-01", "12-31"):
            return early[:4]
        return f"{_day_month(early)} to {_day_month(late)} {early[:4]}"
    return _years(early[:4], late[:4])


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_month(iso: str) -> str:
    """``7 Jan`` for ``2012-01-07``; raises ValueError for a string that is not a date."""
    month, day = int(iso[5:7]), int(iso[8:10])
    if not (len(iso) == 10 and 1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"not an ISO date: {iso!r}")
    return f"{day} {_MONTHS[month - 1]}"


def _years(first: str, last: str) -> str:
    """One year, or a span of years with an en dash: ``2011–2013``."""
    return first if first == last else f"{first}–{last}"


# --- for readers -------------------------------------------------------------------------


def _is_open(x: float) -> bool:
    return math.isnan(x) or math.isinf(x)


def _rounded(x: float | Decimal, digits: int) -> Decimal:
    """``x`` rounded to ``digits`` significant digits, halves away from zero.

    The number is rounded as written in decimal (``repr``): 1,885,000 to three digits is
    1,890,000 and 238.5 is 239, never the binary float's nearer neighbour or the even one.
    """
    value = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    if value == 0:
        return Decimal(0)
    step = Decimal(1).scaleb(value.adjusted() - digits + 1)
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _significant(x: float | Decimal, digits: int) -> str:
    """``x`` rounded to ``digits`` significant digits, without trailing zeros."""
    if x == 0:
        return "0"
    value = _rounded(x, digits)
    decimals = max(0, digits - 1 - value.adjusted())
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _share(x: float) -> str:
    """Format a ratio as a percentage with three significant digits.

    More digits are kept when rounding would turn a share short of 100% (or above 0%) into
    100% (or 0%).
    """
    pct = Decimal(repr(float(x))) * 100  # 0.02345 is 2.345%, not 2.3449999999999998%
    for digits in (3, 4, 5):
        text = _significant(pct, digits)
        value = float(text.replace(",", ""))
        if value not in (100.0, 0.0) or value == pct:
            break
    return f"{text}%"


def _count(x: float) -> str:
    """Format a count: below 10,000 as printed, larger ones in 万 with the English number.

    Both are written from one rounded number, so they always agree (189万, 1.89 million).
    """
    if abs(x) >= 1e4:
        rounded = float(_rounded(x, 3))
        wan = _significant(rounded / 1e4, 3)
        english = (
            f"{_significant(rounded / 1e6, 3)} million"
            if abs(rounded) >= 1e6
            else _significant(rounded, 3)
        )
        return f"{wan}万 ({english})"
    if float(x).is_integer():
        return f"{int(x):,}"
    return _significant(x, 3)


def _money(x: float) -> str:
    """Yuan in 亿元 from 100 million, in 万元 from 10,000, else in yuan."""
    if abs(x) >= 1e8:
        return f"{_significant(x / 1e8, 3)}亿元"
    if abs(x) >= 1e4:
        return f"{_significant(x / 1e4, 3)}万元"
    return f"{_significant(x, 3)} yuan"


def reader_number(x: float, unit_kind: str) -> str:
    """Format one number for reading.

    Shares and growth rates as percentages with three significant digits (``86.4%``,
    ``7.88%``; ``99.95%`` keeps its digits rather than print as 100%); money (``yuan``) in
    亿元 or 万元 by magnitude (``2.21亿元``, ``325万元``); counts with thousands separators,
    and from 10,000 in 万 with the English number (``14.7万 (147,000)``); other numbers
    (per-firm ratios) with three significant digits. NaN prints as an empty string.
    """
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "no limit"
    if unit_kind in _SHARES:
        return _share(x)
    if unit_kind == _MONEY:
        return _money(x)
    if unit_kind in _COUNTS:
        return _count(x)
    return _significant(x, 3)


_QUALIFIER_WORDS = {
    "more than": "more than",
    "at least": "at least",
    "nearly": "nearly",
    "less than": "less than",
    "about": "about",
}


def reader_interval(
    value: float,
    lower: float,
    upper: float,
    unit_kind: str,
    *,
    qualifier: str | None = None,
) -> str:
    """Format a value with the range it may take, in words.

    A figure's ``qualifier`` (``more than``, ``at least``, ``nearly``, ``about``) is used as
    printed: ``more than 70``, ``about 95%``, ``nearly 1,000``. Without one (derived
    values), the bounds speak: ``at least 86.4%`` (open above), ``at most 5`` (open below),
    ``86.4% to 87.1%`` (the value is a bound), ``10 (9.23 to 10.8)`` (inside its range).
    Open bounds may be NaN or infinite.
    """
    if math.isnan(value):
        return ""
    number = reader_number(value, unit_kind)
    if qualifier and qualifier in _QUALIFIER_WORDS:
        return f"{_QUALIFIER_WORDS[qualifier]} {number}"
    low_open, high_open = _is_open(lower), _is_open(upper)
    if not low_open and not high_open and lower == upper == value:
        return number
    if low_open and high_open:
        return f"{number} (range open on both sides)"
    if high_open:
        if lower == value:
            return f"at least {number}"
        return f"{number} (at least {reader_number(lower, unit_kind)})"
    if low_open:
        if upper == value:
            return f"at most {number}"
        return f"{number} (at most {reader_number(upper, unit_kind)})"
    low, high = reader_number(lower, unit_kind), reader_number(upper, unit_kind)
    if low == high:
        return number
    if lower == value:
        return f"{number} to {high}"
    if upper == value:
        return f"{low} to {number}"
    return f"{number} ({low} to {high})"


def period_words(kind: str, earliest: Any, latest: Any) -> str:
    """Say a reference period in words: ``as of 2015``, ``in 2010``, ``2005–2015, running total``.

    ``earliest`` and ``latest`` are dates (or anything with a ``year``) or years; an
    uncertain date reads ``as of 2013–2014``.
    """
    years = _years(_year(earliest), _year(latest))
    if kind == "as_of":
        return f"as of {years}"
    if kind == "year":
        return f"in {years}"
    if kind == "span":
        return f"{years}, running total"
    return years


def _year(value: Any) -> str:
    year = getattr(value, "year", value)
    return str(year)
