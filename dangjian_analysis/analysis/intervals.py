"""Interval arithmetic for approximate figures.

A figure such as ``12.7万余家`` is a bound, not a number: the data package stores it as
``lower = 127000`` with no upper bound. Every derived value is computed from the interval
endpoints, so a bound in gives a bound out, never a silently exact number.

Two readings of an open bound are offered:

- ``"strict"`` (the default): an open side stays open (``inf`` above; below, 0 for
  quantities that cannot be negative and ``-inf`` for growth rates);
- ``"printed_step"``: 余/多 are read as staying below the next step of the last printed
  digit (``1200余`` is less than 1300, see :func:`~dangjian_analysis.text.quantity.printed_step`)
  and 近 as staying above the previous step. This is an assumption about usage, not a
  fact printed in the source; results computed under it say so.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "NONNEGATIVE_KINDS",
    "OPEN_BOUND_POLICIES",
    "PRINTED_STEP_ASSUMPTION",
    "Interval",
    "cached_printed_step",
    "compound_growth",
    "elapsed_years",
    "interval_bounds",
    "interval_from_figure",
    "ratio",
    "ratio_bounds",
    "scale",
]

#: Unit kinds whose values cannot be negative (an open lower bound becomes 0).
NONNEGATIVE_KINDS = frozenset({"count", "persons", "person_times", "yuan", "ratio"})

#: Accepted values of the ``open_bounds`` argument.
OPEN_BOUND_POLICIES = ("strict", "printed_step")

#: Text recorded with every value computed under the ``printed_step`` policy.
PRINTED_STEP_ASSUMPTION = (
    "open bounds of 余/多/近 closed at the next step of the last printed digit (assumption)"
)


@dataclass(frozen=True)
class Interval:
    """A value with the interval it is known to lie in.

    ``lower`` may be ``-inf`` and ``upper`` ``inf`` for open sides. ``value`` is the
    number as printed (or computed from printed numbers) and always lies in the interval.
    """

    value: float
    lower: float
    upper: float

    def __post_init__(self) -> None:
        """Reject NaN and intervals that do not contain their value."""
        for name in ("value", "lower", "upper"):
            if math.isnan(getattr(self, name)):
                raise ValueError(f"Interval {name} is NaN")
        if not self.lower <= self.value <= self.upper:
            raise ValueError(
                f"Interval must satisfy lower <= value <= upper, "
                f"got {self.lower!r} <= {self.value!r} <= {self.upper!r}"
            )

    @classmethod
    def exact(cls, value: float) -> Interval:
        """Make an interval holding one number."""
        return cls(value, value, value)

    @property
    def is_exact(self) -> bool:
        """True when the interval is a single number."""
        return self.lower == self.upper

    @property
    def is_bounded(self) -> bool:
        """True when both sides are finite."""
        return math.isfinite(self.lower) and math.isfinite(self.upper)

    def __str__(self) -> str:
        """``value`` for exact intervals, else ``value [lower, upper]``."""
        if self.is_exact:
            return f"{self.value:.6g}"
        return f"{self.value:.6g} [{self.lower:.6g}, {self.upper:.6g}]"


def _open_lower(unit_kind: str) -> float:
    return 0.0 if unit_kind in NONNEGATIVE_KINDS else -math.inf


def interval_from_figure(
    figure: Mapping[str, Any], *, open_bounds: str = "strict"
) -> tuple[Interval, bool]:
    """Build the interval of one row of ``figures`` (as loaded by ``load_figures``).

    The row needs ``value``, ``lower``, ``upper``, ``unit_kind`` and (for the
    ``printed_step`` policy) ``raw``. Returns the interval and whether the
    ``printed_step`` assumption was used to close an open side. The rule is
    :func:`interval_bounds`, applied to one row.

    Raises:
        ValueError: on an unknown policy or a row whose bounds do not contain its value.

    """
    value = float(figure["value"])
    low, high, assumed = interval_bounds(
        [value],
        [_missing_to(figure.get("lower"), math.nan)],
        [_missing_to(figure.get("upper"), math.nan)],
        [str(figure["unit_kind"])],
        [str(figure.get("raw", ""))],
        open_bounds=open_bounds,
        ids=[str(figure.get("figure_id", "?"))],
    )
    return Interval(value, float(low[0]), float(high[0])), bool(assumed[0])


def interval_bounds(
    value: Sequence[float] | np.ndarray,
    lower: Sequence[float] | np.ndarray,
    upper: Sequence[float] | np.ndarray,
    unit_kind: Sequence[str],
    raw: Sequence[str],
    *,
    open_bounds: str = "strict",
    ids: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Close the bounds of many figures at once: the one rule for a figure's interval.

    ``lower`` and ``upper`` are NaN where the figure has an open side. Under
    ``"strict"`` an open side stays open: ``inf`` above; below, 0 for unit kinds in
    :data:`NONNEGATIVE_KINDS` and ``-inf`` otherwise. Under ``"printed_step"`` an open
    side is closed at the printed step of ``raw`` (when it has one), never below that
    floor. Returns the lower bounds, the upper bounds and whether the assumption was used.

    Raises:
        ValueError: on an unknown policy, or bounds that do not contain their value
            (naming the figure by ``ids`` when given).

    """
    import numpy as np

    if open_bounds not in OPEN_BOUND_POLICIES:
        raise ValueError(f"open_bounds must be one of {OPEN_BOUND_POLICIES}, got {open_bounds!r}")
    value = np.asarray(value, dtype="float64")
    lower = np.asarray(lower, dtype="float64")
    upper = np.asarray(upper, dtype="float64")
    floor = np.array([-math.inf if k not in NONNEGATIVE_KINDS else 0.0 for k in unit_kind])
    open_side = np.isnan(lower) | np.isnan(upper)
    assumed = np.zeros(len(value), dtype=bool)
    if open_bounds == "printed_step" and open_side.any():
        steps = np.array(
            [
                cached_printed_step(str(text)) if is_open else None
                for text, is_open in zip(raw, open_side.tolist(), strict=True)
            ],
            dtype="float64",
        )
        assumed = open_side & ~np.isnan(steps)
        upper = np.where(np.isnan(upper) & assumed, value + steps, upper)
        lower = np.where(np.isnan(lower) & assumed, np.maximum(value - steps, floor), lower)
    lower = np.where(np.isnan(lower), floor, lower)
    upper = np.where(np.isnan(upper), math.inf, upper)
    bad = ~((lower <= value) & (value <= upper))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        name = ids[at] if ids is not None else f"row {at}"
        raise ValueError(
            f"figure {name}: Interval must satisfy lower <= value <= upper, "
            f"got {lower[at]!r} <= {value[at]!r} <= {upper[at]!r}"
        )
    return lower, upper, assumed


@functools.lru_cache(maxsize=4096)
def cached_printed_step(raw: str) -> float | None:
    """:func:`~dangjian_analysis.text.quantity.printed_step`, cached (one call per raw text)."""
    from dangjian_analysis.text.quantity import printed_step

    return printed_step(raw)


def _missing_to(value: Any, default: float | None) -> float | None:
    if value is None:
        return default
    number = float(value)
    return default if math.isnan(number) else number


def _corners(
    func: Callable[..., float], point: float, intervals: Iterable[Interval]
) -> Interval:
    """Evaluate ``func`` at every corner of the box of ``intervals``.

    Valid for functions monotone in each argument over the box (ratios, products and
    compound growth of positive inputs).
    """
    boxes = [(i.lower, i.upper) for i in intervals]
    values = [func(*corner) for corner in product(*boxes)]
    values = [v for v in values if not math.isnan(v)]
    low, high = min(values), max(values)
    return Interval(point, min(low, point), max(high, point))


def ratio(numerator: Interval, denominator: Interval) -> Interval:
    """Divide two non-negative intervals (the rule of :func:`ratio_bounds`, for one pair).

    Raises:
        ValueError: when an input can be negative or the printed denominator is zero.

    """
    point, low, high = ratio_bounds(
        [numerator.value], [numerator.lower], [numerator.upper],
        [denominator.value], [denominator.lower], [denominator.upper],
    )
    return Interval(float(point[0]), float(low[0]), float(high[0]))


def ratio_bounds(
    value_n: Sequence[float] | np.ndarray,
    lower_n: Sequence[float] | np.ndarray,
    upper_n: Sequence[float] | np.ndarray,
    value_d: Sequence[float] | np.ndarray,
    lower_d: Sequence[float] | np.ndarray,
    upper_d: Sequence[float] | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Divide many non-negative intervals at once: the value, lowest and highest ratio.

    The lowest ratio is the smallest numerator over the largest denominator (0 when the
    denominator is unbounded), the highest the largest numerator over the smallest
    denominator (unbounded when that can be 0 and the numerator cannot); the value always
    lies between them.

    Raises:
        ValueError: when an input can be negative or a printed denominator is zero.

    """
    import numpy as np

    vn, ln, hn = (np.asarray(a, dtype="float64") for a in (value_n, lower_n, upper_n))
    vd, ld, hd = (np.asarray(a, dtype="float64") for a in (value_d, lower_d, upper_d))
    if ((ln < 0) | (ld < 0)).any():
        raise ValueError("ratio() needs non-negative intervals")
    if (vd == 0).any():
        raise ValueError("ratio() denominator is zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        point = vn / vd
        low = np.where(np.isinf(hd), 0.0, ln / hd)
        high = np.where(ld == 0, np.where(hn > 0, math.inf, 0.0), hn / ld)
    return point, np.minimum(low, point), np.maximum(high, point)


def scale(interval: Interval, factor: float) -> Interval:
    """Multiply an interval by a positive constant."""
    if factor <= 0:
        raise ValueError(f"scale() needs a positive factor, got {factor!r}")
    return Interval(interval.value * factor, interval.lower * factor, interval.upper * factor)


def compound_growth(start: Interval, end: Interval, years: Interval) -> Interval:
    """Compound annual growth rate ``(end / start) ** (1 / years) - 1`` over intervals.

    ``years`` is the elapsed time, itself an interval when a reference period is uncertain
    (an end year of 2021 to 2023 gives a range of rates, not one rate). A level whose
    lower bound is zero (a 近 figure under the strict policy) is allowed: at the start it
    leaves the rate unbounded above, at the end it lets the rate fall to -1.

    Raises:
        ValueError: when a printed level is not above zero, a bound of a level is negative,
            or the elapsed time can be zero.

    """
    if start.value <= 0 or end.value <= 0:
        raise ValueError("compound_growth() needs printed levels above zero")
    if start.lower < 0 or end.lower < 0:
        raise ValueError("compound_growth() needs levels whose bounds are not negative")
    if years.lower <= 0:
        raise ValueError("compound_growth() needs an elapsed time above zero")

    def cagr(s: float, e: float, y: float) -> float:
        if math.isinf(e) or s == 0:
            return math.inf
        if math.isinf(s):
            return -1.0
        if math.isinf(y):
            return 0.0
        return (e / s) ** (1.0 / y) - 1.0

    point = cagr(start.value, end.value, years.value)
    return _corners(cagr, point, (start, end, years))


def _year_fraction(day: date) -> float:
    start = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def elapsed_years(
    start: tuple[date, date], end: tuple[date, date], *, annual_flows: bool
) -> Interval:
    """Elapsed time between two reference periods, as an interval of years.

    ``start`` and ``end`` are ``(earliest, latest)`` dates of the reference periods. For
    two annual flows (``annual_flows=True``, e.g. output of one year against output of a
    later year), time runs between calendar years: 2003 to a year between 2021 and 2023 is
    18 to 20 years, 19 at the middle. For stocks at a date, time runs between the dates.

    Raises:
        ValueError: when the end can come before the start.

    """
    (s_early, s_late), (e_early, e_late) = start, end
    if annual_flows:
        low = e_early.year - s_late.year
        high = e_late.year - s_early.year
        mid = (e_early.year + e_late.year) / 2 - (s_early.year + s_late.year) / 2
    else:
        low = _year_fraction(e_early) - _year_fraction(s_late)
        high = _year_fraction(e_late) - _year_fraction(s_early)
        mid = (
            (_year_fraction(e_early) + _year_fraction(e_late)) / 2
            - (_year_fraction(s_early) + _year_fraction(s_late)) / 2
        )
    if low <= 0:
        raise ValueError(
            f"reference periods overlap or run backwards: {s_early}..{s_late} to "
            f"{e_early}..{e_late}"
        )
    return Interval(mid, low, high)
