"""Interval arithmetic: bounds in give bounds out, computed from the endpoints."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian_analysis.analysis.intervals import (
    PRINTED_STEP_ASSUMPTION,
    Interval,
    compound_growth,
    elapsed_years,
    interval_from_figure,
    ratio,
    scale,
)
from dangjian_analysis.text.quantity import printed_step


def test_interval_rejects_value_outside_bounds() -> None:
    with pytest.raises(ValueError, match="lower <= value <= upper"):
        Interval(5.0, 6.0, 7.0)
    with pytest.raises(ValueError, match="NaN"):
        Interval(math.nan, 0.0, 1.0)


def test_exact_ratio_stays_exact() -> None:
    result = ratio(Interval.exact(73), Interval.exact(927))
    assert result.is_exact
    assert result.value == pytest.approx(73 / 927)


def test_ratio_of_open_numerator_is_open_above() -> None:
    result = ratio(Interval(127000, 127000, math.inf), Interval.exact(147000))
    assert result.lower == pytest.approx(127000 / 147000)
    assert result.upper == math.inf
    assert not result.is_exact


def test_ratio_of_two_bounds_uses_opposite_endpoints() -> None:
    result = ratio(Interval(12000, 12000, 13000), Interval(1200, 1200, 1300))
    assert result.value == pytest.approx(10.0)
    assert result.lower == pytest.approx(12000 / 1300)
    assert result.upper == pytest.approx(13000 / 1200)


def test_ratio_with_open_denominator_goes_down_to_zero() -> None:
    result = ratio(Interval.exact(10), Interval(1200, 1200, math.inf))
    assert result.lower == 0.0
    assert result.upper == pytest.approx(10 / 1200)


def test_ratio_rejects_negative_and_zero() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        ratio(Interval(-1, -2, 0), Interval.exact(3))
    with pytest.raises(ValueError, match="zero"):
        ratio(Interval.exact(1), Interval.exact(0))


def test_scale() -> None:
    assert scale(Interval(1, 0.5, 2), 1000) == Interval(1000, 500, 2000)
    with pytest.raises(ValueError, match="positive"):
        scale(Interval.exact(1), 0)


def test_compound_growth_of_pinghu_like_span() -> None:
    years = elapsed_years(
        (date(2003, 1, 1), date(2003, 12, 31)),
        (date(2021, 1, 1), date(2023, 12, 31)),
        annual_flows=True,
    )
    assert (years.lower, years.value, years.upper) == (18, 19, 20)
    rate = compound_growth(Interval.exact(309.13), Interval.exact(2433.92), years)
    assert rate.value == pytest.approx((2433.92 / 309.13) ** (1 / 19) - 1)
    assert rate.lower == pytest.approx((2433.92 / 309.13) ** (1 / 20) - 1)
    assert rate.upper == pytest.approx((2433.92 / 309.13) ** (1 / 18) - 1)


def test_compound_growth_open_start_falls_to_minus_one() -> None:
    rate = compound_growth(Interval(70, 70, math.inf), Interval.exact(495), Interval.exact(20))
    assert rate.lower == -1.0
    assert rate.upper == pytest.approx((495 / 70) ** (1 / 20) - 1)


def test_compound_growth_rejects_zero_levels_and_time() -> None:
    with pytest.raises(ValueError, match="above zero"):
        compound_growth(Interval(0, 0, 1), Interval.exact(2), Interval.exact(1))
    with pytest.raises(ValueError, match="not negative"):
        compound_growth(Interval(1, -1, 1), Interval.exact(2), Interval.exact(1))
    with pytest.raises(ValueError, match="elapsed"):
        compound_growth(Interval.exact(1), Interval.exact(2), Interval(1, 0, 1))


def test_compound_growth_with_a_zero_bound_is_open() -> None:
    # 近30万 (at most 300,000, at least 0) to more than 300,000 over two years.
    rate = compound_growth(
        Interval(300000, 0, 300000), Interval(300000, 300000, math.inf), Interval.exact(2)
    )
    assert (rate.value, rate.lower, rate.upper) == (0.0, 0.0, math.inf)
    # An end that can be zero lets the rate fall to -1.
    rate = compound_growth(Interval.exact(100), Interval(121, 0, 121), Interval.exact(2))
    assert rate.value == pytest.approx(0.1)
    assert (rate.lower, rate.upper) == (-1.0, pytest.approx(0.1))


def test_elapsed_years_for_stocks_uses_dates_and_rejects_overlap() -> None:
    years = elapsed_years(
        (date(2014, 12, 31), date(2014, 12, 31)),
        (date(2015, 10, 26), date(2015, 10, 26)),
        annual_flows=False,
    )
    assert years.is_exact
    assert years.value == pytest.approx(0.8196, abs=1e-3)
    with pytest.raises(ValueError, match="overlap"):
        elapsed_years(
            (date(2013, 1, 1), date(2014, 12, 31)),
            (date(2014, 1, 1), date(2014, 12, 31)),
            annual_flows=True,
        )


def _row(raw: str, value: float, lower: float | None, upper: float | None, kind: str) -> dict:
    return {"figure_id": "x-1", "raw": raw, "value": value, "lower": lower,
            "upper": upper, "unit_kind": kind}


def test_interval_from_figure_strict_and_printed_step() -> None:
    row = _row("1200余个", 1200.0, 1200.0, None, "count")
    strict, assumed = interval_from_figure(row)
    assert (strict.lower, strict.upper, assumed) == (1200.0, math.inf, False)
    stepped, assumed = interval_from_figure(row, open_bounds="printed_step")
    assert (stepped.lower, stepped.upper, assumed) == (1200.0, 1300.0, True)
    nearly = _row("近1000个", 1000.0, float("nan"), 1000.0, "count")
    assert interval_from_figure(nearly)[0].lower == 0.0
    assert interval_from_figure(nearly, open_bounds="printed_step")[0].lower == 0.0
    growth = _row("近20%", 0.2, None, 0.2, "growth_rate")
    assert interval_from_figure(growth)[0].lower == -math.inf
    assert interval_from_figure(growth, open_bounds="printed_step")[0].lower == pytest.approx(0.1)
    with pytest.raises(ValueError, match="open_bounds"):
        interval_from_figure(row, open_bounds="guess")
    assert "assumption" in PRINTED_STEP_ASSUMPTION


def test_interval_from_figure_names_the_figure_on_bad_bounds() -> None:
    with pytest.raises(ValueError, match="figure x-1"):
        interval_from_figure(_row("5个", 5.0, 6.0, 7.0, "count"))


@pytest.mark.parametrize(
    ("raw", "step"),
    [("12.7万余家", 1000.0), ("1200余个", 100.0), ("70余个", 10.0), ("10余人", 10.0),
     ("400多名", 100.0), ("3000多万元", 1e7), ("72.52%", 1e-4), ("1,200余个", 100.0),
     ("十余人", None), ("三分之一", None)],
)
def test_printed_step(raw: str, step: float | None) -> None:
    assert printed_step(raw) == (None if step is None else pytest.approx(step))


@given(
    a=st.floats(1, 1e6), wa=st.floats(0, 1e3), b=st.floats(1, 1e6), wb=st.floats(0, 1e3),
    ta=st.floats(0, 1), tb=st.floats(0, 1),
)
def test_ratio_contains_every_ratio_of_members(a, wa, b, wb, ta, tb) -> None:
    num, den = Interval(a, a, a + wa), Interval(b, b, b + wb)
    result = ratio(num, den)
    inside = (a + ta * wa) / (b + tb * wb)
    assert result.lower <= inside * (1 + 1e-12) and inside <= result.upper * (1 + 1e-12)
