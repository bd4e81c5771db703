"""Numbers, intervals and periods as short, stable text: percentages, 亿元, ``∞``, years.

One rule for every table of the analysis and the report layers: the analysis uses it for
the text columns it builds (national matches), the report for every display table.
"""

from __future__ import annotations

import math

__all__ = ["format_interval", "format_number", "period_text"]



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
    if unit_kind in ("ratio", "growth_rate"):
        return f"{x * 100:.{digits}g}%"
    if unit_kind == "percentage_points":
        return f"{x * 100:.{digits}g} pp"
    if unit_kind == "yuan":
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

    ``2012`` for a whole calendar year, ``2012-12-31`` for one day, ``2012-03-01..2012-06-30``
    for part of a year and ``2011–2013`` across years. Takes dates or ISO strings.
    """
    early = earliest.strftime("%Y-%m-%d") if hasattr(earliest, "strftime") else str(earliest)
    late = latest.strftime("%Y-%m-%d") if hasattr(latest, "strftime") else str(latest)
    if early == late:
        return early
    if early[:4] == late[:4]:
        return early[:4] if (early[5:], late[5:]) == ("01-01", "12-31") else f"{early}..{late}"
    return f"{early[:4]}–{late[:4]}"
