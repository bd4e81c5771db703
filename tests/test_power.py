"""Power of the rank tests the notebooks run, checked against independent computations.

The independent checks here do not use the package's null distributions or draws: the
exact null distributions are enumerated afresh with numpy (or scipy for Kendall), and the
simulations use their own generator, their own ranking (scipy's rankdata) and their own
null distribution.
"""

from __future__ import annotations

import math
from itertools import permutations

import numpy as np
import pytest
from scipy import stats

import dangjian_analysis as dj
from dangjian_analysis.analysis.models import InsufficientDataError, rank_correlation
from dangjian_analysis.analysis.power import (
    critical_rank_correlation,
    fisher_z_min_detectable_r,
    fisher_z_required_n,
    min_detectable_r,
    power_curve,
    power_table,
    rank_test_power,
    required_n,
)

ALPHA = 0.05


def _enumerated_statistics(n: int, method: str) -> np.ndarray:
    """The statistic of x = 1..n against every ordering of y, computed from scratch."""
    perms = np.array(list(permutations(range(n))), dtype=float)
    if method == "spearman":
        x = np.arange(n, dtype=float) - (n - 1) / 2
        y = perms - (n - 1) / 2
        return (y @ x) / math.sqrt(float(x @ x) * float(y[0] @ y[0]))
    i, j = np.triu_indices(n, k=1)
    return np.sign(perms[:, j] - perms[:, i]).sum(axis=1) / (n * (n - 1) / 2)


def _exact_critical(n: int, method: str, alpha: float = ALPHA) -> float | None:
    values = np.round(np.abs(_enumerated_statistics(n, method)), 9)
    for v in np.unique(values):
        if (values >= v).mean() <= alpha + 1e-12:
            return float(v)
    return None


@pytest.mark.parametrize("method", ["spearman", "kendall"])
@pytest.mark.parametrize("n", [3, 4, 5, 6, 7, 8])
def test_rejection_region_is_the_exact_one(n: int, method: str) -> None:
    expected = _exact_critical(n, method)
    found = critical_rank_correlation(n, method=method)
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("method", ["spearman", "kendall"])
def test_rejection_region_agrees_with_the_p_values_the_notebooks_print(method: str) -> None:
    """Every ordering of 6: rejected by the power machinery iff rank_correlation's p <= .05."""
    critical = critical_rank_correlation(6, method=method)
    x = np.arange(6.0)
    for perm in permutations(range(6)):
        res = rank_correlation(x, np.array(perm, dtype=float), method=method)
        assert (res.p_value <= ALPHA) == (abs(res.statistic) >= critical - 1e-9)


@pytest.mark.parametrize("n", [3, 4])
def test_no_power_at_all_with_three_or_four_regions(n: int) -> None:
    assert critical_rank_correlation(n) is None
    assert rank_test_power(0.99, n) == 0.0
    assert rank_test_power(1.0, n) == 0.0
    assert min_detectable_r(n) is None
    assert min_detectable_r(n, method="kendall") is None


def test_five_regions_only_a_perfect_ordering_rejects() -> None:
    assert critical_rank_correlation(5) == pytest.approx(1.0)
    assert min_detectable_r(5) is None  # not below r = 0.99
    assert rank_test_power(0.99, 5) < 0.8
    assert rank_test_power(1.0, 5) == 1.0


@pytest.mark.parametrize("n", [6, 7, 8])
def test_level_at_r_zero_is_the_exact_size(n: int) -> None:
    values = np.abs(_enumerated_statistics(n, "spearman"))
    size = float((values >= _exact_critical(n, "spearman") - 1e-9).mean())
    assert size <= ALPHA
    simulated = rank_test_power(0.0, n)
    se = math.sqrt(size * (1 - size) / 10_000)
    assert abs(simulated - size) < 4 * se


def _independent_power(r: float, n: int, *, sims: int, null_sims: int, seed: int) -> float:
    """Spearman test power from scratch: scipy ranks, its own null and its own draws."""
    rng = np.random.default_rng(seed)
    null_x = np.arange(n, dtype=float)
    perms = np.argsort(rng.random((null_sims, n)), axis=1).astype(float)
    cx = null_x - null_x.mean()
    null = np.abs(((perms - perms.mean(axis=1, keepdims=True)) @ cx) / (cx @ cx))
    cov = [[1.0, r], [r, 1.0]]
    sample = rng.multivariate_normal([0.0, 0.0], cov, size=(sims, n))
    rx = stats.rankdata(sample[..., 0], axis=1)
    ry = stats.rankdata(sample[..., 1], axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    rho = np.abs((rx * ry).sum(axis=1) / np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1)))
    null_sorted = np.sort(null)
    # two-sided permutation p-value of each sample: share of null values at least as extreme
    p = 1 - np.searchsorted(null_sorted, rho - 1e-9, side="left") / len(null_sorted)
    return float((p <= ALPHA).mean())


def test_ten_regions_need_r_of_about_0_82() -> None:
    r10 = min_detectable_r(10)
    assert r10 == pytest.approx(0.82, abs=0.01)
    assert r10 > fisher_z_min_detectable_r(10) + 0.02  # Fisher z says 0.79
    independent = _independent_power(r10, 10, sims=20_000, null_sims=200_000, seed=11)
    assert independent == pytest.approx(0.80, abs=0.015)


def test_r_of_one_half_needs_about_32_regions() -> None:
    n = required_n(0.5)
    assert n in (32, 33)
    assert fisher_z_required_n(0.5) == 30
    at_n = _independent_power(0.5, n, sims=20_000, null_sims=200_000, seed=12)
    assert at_n == pytest.approx(0.80, abs=0.015)
    assert _independent_power(0.5, 28, sims=20_000, null_sims=200_000, seed=13) < 0.78
    assert rank_test_power(0.5, 30) < 0.8  # where Fisher z would stop


def test_kendall_on_request() -> None:
    k10 = min_detectable_r(10, method="kendall")
    assert k10 == pytest.approx(min_detectable_r(10), abs=0.03)
    assert required_n(0.7, method="kendall") in range(14, 19)


def test_power_is_deterministic_and_grows_with_r() -> None:
    a = rank_test_power(0.6, 12)
    assert a == rank_test_power(0.6, 12)
    assert rank_test_power(-0.6, 12) == a
    assert rank_test_power(0.3, 12) < a < rank_test_power(0.9, 12)


def test_refusals() -> None:
    with pytest.raises(InsufficientDataError):
        rank_test_power(0.5, 2)
    with pytest.raises(InsufficientDataError):
        min_detectable_r(2)
    with pytest.raises(ValueError, match="0 < \\|r\\| < 1"):
        required_n(1.0)
    with pytest.raises(ValueError, match="alpha"):
        required_n(0.5, alpha=0)
    with pytest.raises(ValueError, match="method"):
        rank_test_power(0.5, 10, method="pearson")
    with pytest.raises(ValueError, match="r must lie"):
        rank_test_power(1.5, 10)
    with pytest.raises(InsufficientDataError, match="n = 3"):
        fisher_z_min_detectable_r(3)
    assert required_n(0.05, max_n=40) is None


def test_fisher_z_kept_for_comparison() -> None:
    assert fisher_z_required_n(0.3) == 85
    assert fisher_z_required_n(-0.5) == 30
    assert fisher_z_min_detectable_r(30) == pytest.approx(
        math.tanh(2.8016 / math.sqrt(27)), abs=1e-4
    )


def test_power_table_prints_none_where_no_correlation_is_detectable() -> None:
    needed, detectable = power_table((0.5,), (3, 4, 5, 10))
    assert list(needed.columns) == ["r", "regions_needed", "fisher_z_pearson"]
    assert needed.loc[0, "regions_needed"] in ("32", "33")
    assert needed.loc[0, "fisher_z_pearson"] == "30"
    rows = detectable.set_index("n")
    assert list(rows["min_detectable_r"]) == ["none", "none", "none", "0.82"]
    assert rows.loc[3, "fisher_z_pearson"] == ""
    assert rows.loc[4, "fisher_z_pearson"] == "0.99"
    assert rows.loc[4, "note"] == "no ordering of 4 reaches p ≤ 0.05"
    assert rows.loc[5, "note"] == "only a perfect ordering is significant"
    assert rows.loc[4, "smallest_exact_p"] == "0.0833"


def test_power_curve() -> None:
    curve = power_curve(range(3, 13))
    assert list(curve.columns) == ["n", "min_detectable_r", "fisher_z_pearson", "critical_r"]
    assert curve["min_detectable_r"].isna().tolist()[:3] == [True, True, True]
    found = curve["min_detectable_r"].dropna().to_numpy()
    assert (np.diff(found) < 0).all()
    assert (curve["min_detectable_r"] > curve["fisher_z_pearson"]).iloc[3:].all()
    assert curve.attrs == {"method": "spearman", "alpha": 0.05, "power": 0.8}


def test_public_names() -> None:
    assert dj.required_n is required_n
    assert dj.power_table is power_table
