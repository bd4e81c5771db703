"""Small-sample statistics: refusals, exact permutation p-values, bounds and power."""

from __future__ import annotations

import math
from itertools import permutations

import numpy as np
import pytest
from scipy import stats

from dangjian_analysis.analysis.intervals import Interval
from dangjian_analysis.analysis.models import (
    InsufficientDataError,
    min_attainable_p,
    ols_classical,
    ols_hc3,
    permutation_distribution,
    rank_correlation,
    rank_correlation_bounds,
    rank_statistic,
    slope_bounds,
    slope_comparison,
)

RNG = np.random.default_rng(7)
X7 = RNG.normal(size=7)
Y7 = X7 + RNG.normal(size=7)


def test_ols_hc3_matches_statsmodels_and_reports_df() -> None:
    import statsmodels.api as sm

    res = ols_hc3(X7, Y7)
    ref = sm.OLS(Y7, sm.add_constant(X7)).fit(cov_type="HC3", use_t=True)
    assert res.n == 7 and res.df_resid == 5
    assert res.slope == pytest.approx(ref.params[1])
    assert res.se_slope == pytest.approx(ref.bse[1])
    assert res.p_value == pytest.approx(ref.pvalues[1])
    assert res.ci_low < res.slope < res.ci_high
    assert "n = 7" in res.summary() and "5 df" in res.summary()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_ols_refuses_small_n(n: int) -> None:
    with pytest.raises(InsufficientDataError, match=f"got n = {n}"):
        ols_hc3(list(range(n)), list(range(n)))


def test_ols_refuses_constant_x_and_leverage_one() -> None:
    with pytest.raises(InsufficientDataError, match="constant"):
        ols_hc3([1, 1, 1, 1], [1, 2, 3, 4])
    with pytest.raises(InsufficientDataError, match="leverage 1"):
        ols_hc3([0, 0, 0, 1], [1, 2, 3, 4])


def test_ols_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="equal length"):
        ols_hc3([1, 2, 3, 4], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        ols_hc3([1, 2, math.nan, 4, 5], [1, 2, 3, 4, 5])


@pytest.mark.parametrize("method", ["spearman", "kendall"])
def test_exact_p_value_with_four_regions(method: str) -> None:
    res = rank_correlation([0.1, 0.5, 0.3, 0.9], [1, 3, 2, 4], method=method)
    assert res.exact and res.n_permutations == 24
    assert res.statistic == pytest.approx(1.0)
    assert res.p_value == pytest.approx(2 / 24)
    assert res.min_p_value == pytest.approx(2 / 24)
    assert res.min_p_value > 0.05


def test_exact_p_values_match_brute_force_and_scipy() -> None:
    res = rank_correlation(X7, Y7, method="spearman")
    rho = stats.spearmanr(X7, Y7).statistic
    brute = np.mean(
        [abs(stats.spearmanr(X7, Y7[list(p)]).statistic) >= abs(rho) - 1e-12
         for p in permutations(range(7))]
    )
    assert res.statistic == pytest.approx(rho)
    assert res.p_value == pytest.approx(brute)
    kendall = rank_correlation(X7, Y7, method="kendall")
    assert kendall.p_value == pytest.approx(stats.kendalltau(X7, Y7, method="exact").pvalue)


def test_ties_are_midranked() -> None:
    res = rank_correlation([1, 1, 2, 3], [1, 2, 3, 4])
    assert res.statistic == pytest.approx(stats.spearmanr([1, 1, 2, 3], [1, 2, 3, 4]).statistic)


def test_monte_carlo_above_exact_limit_is_seeded() -> None:
    x = RNG.normal(size=30)
    y = x + RNG.normal(size=30)
    a = rank_correlation(x, y, n_resamples=999)
    b = rank_correlation(x, y, n_resamples=999)
    assert not a.exact and a.n_permutations == 999
    assert a.p_value == b.p_value
    assert a.p_value >= 1 / 1000


def test_rank_correlation_refusals() -> None:
    with pytest.raises(InsufficientDataError, match="at least 3"):
        rank_correlation([1, 2], [2, 1])
    with pytest.raises(InsufficientDataError, match="constant"):
        rank_correlation([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="method"):
        rank_correlation([1, 2, 3], [1, 2, 3], method="pearson")


def test_slope_bounds_exact_x_is_closed_form() -> None:
    x = [Interval.exact(v) for v in (1, 2, 3)]
    y = [Interval(1, 0.5, 1.5), Interval.exact(2), Interval(3, 2.5, 3.5)]
    res = slope_bounds(x, y)
    assert (res.lower, res.point, res.upper) == pytest.approx((0.5, 1.0, 1.5))
    assert res.method == "exact"


def test_slope_bounds_interval_x_contains_grid_extremes() -> None:
    x = [Interval(1, 0.8, 1.2), Interval.exact(2), Interval(3, 2.9, 3.3)]
    y = [Interval(1, 0.5, 1.5), Interval.exact(2), Interval(3, 2.5, 3.5)]
    res = slope_bounds(x, y)
    grid = np.linspace(0, 1, 7)
    slopes = []
    for a in grid:
        for b in grid:
            for c in grid:
                for d in grid:
                    xs = np.array([0.8 + 0.4 * a, 2, 2.9 + 0.4 * b])
                    ys = np.array([0.5 + c, 2, 2.5 + d])
                    slopes.append(np.polyfit(xs, ys, 1)[0])
    assert res.lower <= min(slopes) + 1e-9
    assert res.upper >= max(slopes) - 1e-9
    assert res.upper < 2.0


def test_slope_bounds_unidentified_and_unbounded() -> None:
    overlapping = [Interval(1, 0, 3), Interval(2, 1, 4), Interval(2.5, 2, 5)]
    y = [Interval.exact(v) for v in (1, 2, 3)]
    assert slope_bounds(overlapping, y).method == "unidentified"
    open_y = [Interval(1, 1, math.inf), Interval.exact(2), Interval.exact(3)]
    res = slope_bounds([Interval.exact(v) for v in (1, 2, 3)], open_y)
    assert (res.lower, res.upper, res.method) == (-math.inf, math.inf, "unbounded")
    with pytest.raises(InsufficientDataError):
        slope_bounds(y[:2], y[:2])


def test_rank_correlation_bounds_enumerates_orderings() -> None:
    x = [Interval.exact(1), Interval(2, 1.5, 3.5), Interval.exact(3), Interval.exact(4)]
    y = [Interval.exact(v) for v in (1, 2, 3, 0)]
    res = rank_correlation_bounds(x, y)
    at_two = stats.spearmanr([1, 2, 3, 4], [1, 2, 3, 0]).statistic
    swapped = stats.spearmanr([1, 3, 2, 4], [1, 2, 3, 0]).statistic
    assert res.point == pytest.approx(at_two)
    assert (res.lower, res.upper) == pytest.approx((min(at_two, swapped), max(at_two, swapped)))
    assert "2 orderings of x" in res.note
    kendall = rank_correlation_bounds(x, y, method="kendall")
    assert kendall.lower <= kendall.point <= kendall.upper


def test_rank_correlation_bounds_keeps_exact_ties() -> None:
    x = [Interval.exact(1), Interval.exact(1), Interval.exact(2)]
    y = [Interval.exact(v) for v in (1, 2, 3)]
    res = rank_correlation_bounds(x, y)
    expected = stats.spearmanr([1, 1, 2], [1, 2, 3]).statistic
    assert (res.lower, res.upper) == pytest.approx((expected, expected))
    assert res.note == "1 orderings of x × 1 of y"


def test_rank_correlation_bounds_limit() -> None:
    wide = [Interval(float(i), 0.0, 10.0) for i in range(8)]
    with pytest.raises(ValueError, match="orderings"):
        rank_correlation_bounds(wide, wide, max_orderings=100)


def test_min_attainable_p() -> None:
    assert min_attainable_p(4) == pytest.approx(1 / 12)
    assert min_attainable_p(5) == pytest.approx(1 / 60)
    assert min_attainable_p(2) == 1.0
    with pytest.raises(ValueError, match="at least 1"):
        min_attainable_p(0)


def test_ols_classical_matches_statsmodels_and_fits_three_points() -> None:
    import statsmodels.api as sm

    res = ols_classical(X7, Y7)
    ref = sm.OLS(Y7, sm.add_constant(X7)).fit()
    assert res.slope == pytest.approx(ref.params[1])
    assert res.se_slope == pytest.approx(ref.bse[1])
    assert res.p_value == pytest.approx(ref.pvalues[1])
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ref.conf_int()[1]))
    assert res.r_squared == pytest.approx(ref.rsquared)
    assert "classical standard error, t with 5 df" in res.summary()
    three = ols_classical([0.1161, 1.0, 0.7252], [0.1147, 0.154, 0.218])
    assert three.df_resid == 1
    assert three.ci_low < -1 and three.ci_high > 1  # one residual df: a very wide interval


def test_ols_classical_refusals() -> None:
    with pytest.raises(InsufficientDataError, match="got n = 2"):
        ols_classical([1, 2], [1, 2])
    with pytest.raises(InsufficientDataError, match="constant"):
        ols_classical([1, 1, 1], [1, 2, 3])
    with pytest.raises(InsufficientDataError, match="on a line"):
        ols_classical([1, 2, 3], [2, 4, 6])


def test_monte_carlo_summary_names_the_simulation_floor() -> None:
    x = RNG.normal(size=12)
    y = x + RNG.normal(size=12)
    res = rank_correlation(x, y, n_resamples=999)
    assert res.p_method == "monte carlo"
    assert res.min_p_value == pytest.approx(1 / 1000)
    text = res.summary()
    assert "Monte Carlo, 999 seeded orderings" in text
    assert "simulation floor" in text and "smallest attainable" not in text


def test_kendall_above_the_exact_limit_says_where_its_p_value_comes_from() -> None:
    x = RNG.normal(size=12)
    y = x + RNG.normal(size=12)
    res = rank_correlation(x, y, method="kendall")
    assert res.p_method == "scipy exact" and res.exact
    assert res.p_value == pytest.approx(stats.kendalltau(x, y, method="exact").pvalue)
    assert res.min_p_value == pytest.approx(2 / math.factorial(12))
    assert "Monte Carlo" not in res.summary() and "0 orderings" not in res.summary()
    tied = rank_correlation(np.round(x), y, method="kendall")
    assert tied.p_method == "scipy asymptotic" and math.isnan(tied.min_p_value)
    assert "normal approximation" in tied.summary()
    assert "smallest attainable" not in tied.summary()


def test_permutation_distribution_sums_to_the_p_value() -> None:
    dist = permutation_distribution([0.1161, 1.0, 0.7252], [0.1147, 0.154, 0.218])
    assert dist.statistic.tolist() == pytest.approx([-1.0, -0.5, 0.5, 1.0])
    assert dist.orderings.tolist() == [1, 2, 2, 1]
    assert dist.probability.sum() == pytest.approx(1.0)
    assert dist.attrs["observed"] == pytest.approx(0.5)
    assert dist[dist.as_extreme].probability.sum() == pytest.approx(dist.attrs["p_value"])
    res = rank_correlation(X7, Y7, method="kendall")
    seven = permutation_distribution(X7, Y7, method="kendall")
    assert seven.orderings.sum() == 5040
    assert seven[seven.as_extreme].probability.sum() == pytest.approx(res.p_value)


@pytest.mark.parametrize(
    ("near", "counted"),
    [
        (5e-11, False),  # below the observed value by more than the tolerance: not as extreme
        (1e-10, False),  # the old distribution's 1e-9 counted these, the p-value did not
        (5e-13, True),  # within the tolerance: as extreme, in the p-value and the plot alike
        (0.0, True),
    ],
)
def test_p_value_and_distribution_agree_at_the_edge(monkeypatch, near, counted) -> None:
    from dangjian_analysis.analysis import models

    # Statistics of the six orderings of three points, one a hair below the observed 0.5
    # (as floating-point noise can put it) and one a hair above -0.5.
    values = {
        (0, 1, 2): 0.5, (0, 2, 1): 0.5 - near, (1, 0, 2): -(0.5 - near),
        (1, 2, 0): 0.1, (2, 0, 1): -0.1, (2, 1, 0): -1.0,
    }
    monkeypatch.setattr(
        models, "_statistics",
        lambda method, x, y, orders: np.array([values[tuple(o)] for o in orders]),
    )
    result = rank_correlation([1, 2, 3], [1, 2, 3])
    dist = permutation_distribution([1, 2, 3], [1, 2, 3])
    assert result.p_value == pytest.approx((4 if counted else 2) / 6)
    assert dist.orderings.sum() == 6
    assert dist[dist.as_extreme].orderings.sum() == (4 if counted else 2)
    assert dist[dist.as_extreme].probability.sum() == pytest.approx(result.p_value)


def test_monte_carlo_p_value_counts_what_the_distribution_marks() -> None:
    x = np.arange(12.0)
    y = np.array([3, 1, 2, 5, 4, 7, 6, 9, 8, 11, 10, 0], dtype=float)
    result = rank_correlation(x, y, n_resamples=999)
    dist = permutation_distribution(x, y, n_resamples=999)
    assert not dist.attrs["exact"] and dist.orderings.sum() == 999
    assert (dist[dist.as_extreme].orderings.sum() + 1) / 1000 == pytest.approx(result.p_value)


def test_rank_statistic() -> None:
    assert rank_statistic([1, 2], [2, 1]) == -1.0
    assert math.isnan(rank_statistic([1, 1], [2, 1]))
    assert rank_statistic(X7, Y7) == pytest.approx(stats.spearmanr(X7, Y7).statistic)
    assert rank_statistic(X7, Y7, method="kendall") == pytest.approx(
        stats.kendalltau(X7, Y7).statistic
    )


def test_slope_comparison_in_points_per_100_points() -> None:
    fit = ols_classical([0.1161, 1.0, 0.7252], [0.1147, 0.154, 0.218])
    x = [Interval.exact(v) for v in (0.1161, 1.0, 0.7252)]
    y = [Interval(0.1147, 0.1087, 0.1215), Interval.exact(0.154), Interval.exact(0.218)]
    table = slope_comparison(fit, slope_bounds(x, y))
    assert list(table.columns) == ["label", "estimate", "lower", "upper"]
    assert table.loc[0, "estimate"] == pytest.approx(100 * fit.slope)
    assert table.loc[0, "lower"] == pytest.approx(100 * fit.ci_low)
    assert "classical, 1 df" in table.loc[0, "label"]
    assert table.loc[1, "lower"] <= table.loc[1, "estimate"] <= table.loc[1, "upper"]
    assert len(slope_comparison(fit)) == 1
