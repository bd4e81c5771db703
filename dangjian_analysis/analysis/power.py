"""Power of the rank tests the notebooks run, and the Fisher z approximation beside it.

The notebooks test a rank correlation (Spearman by default, Kendall on request) with a
two-sided permutation test at α = 0.05: every ordering is enumerated up to
:data:`~dangjian_analysis.analysis.models.EXACT_MAX_N` observations, random orderings are
drawn above (:func:`~dangjian_analysis.analysis.models.rank_correlation`). Such a test
rejects only when the observed statistic is among the most extreme values of its null
distribution, and with few observations no value is extreme enough: with 4 regions the
smallest two-sided p-value is 2/24 ≈ 0.083, so the test can never reject at 0.05 and its
power is zero whatever the true correlation.

The power functions here therefore compute power for that test, not for a Pearson
correlation:

- the rejection region comes from the null distribution of the statistic for ``n``
  untied observations: every ordering up to ``EXACT_MAX_N``; above it
  :data:`NULL_SIMULATIONS` seeded random orderings (Spearman) or the exact distribution
  of the number of discordant pairs, counted by recursion (Kendall);
- the population is bivariate normal with correlation ``r``; :data:`POWER_SIMULATIONS`
  samples are drawn from a generator seeded with the seed, ``n`` and the block number,
  the same draws serve every ``r`` (so power grows with ``r`` without simulation noise
  between neighbouring values), and the results are the same on every run.

Where no correlation reaches the asked power (with 3 or 4 regions, or with 5 unless the
correlation is practically perfect) the functions return ``None`` rather than a number.
:func:`fisher_z_required_n` and :func:`fisher_z_min_detectable_r` keep the usual Fisher z
approximation for a Pearson correlation, for comparison only: it is not the test run.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from itertools import permutations
from typing import TYPE_CHECKING

import numpy as np

from dangjian_analysis.analysis.models import (
    DEFAULT_SEED,
    EXACT_MAX_N,
    InsufficientDataError,
    min_attainable_p,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_SEARCH_N",
    "MAX_SEARCH_R",
    "NULL_SIMULATIONS",
    "POWER_SIMULATIONS",
    "critical_rank_correlation",
    "fisher_z_min_detectable_r",
    "fisher_z_required_n",
    "min_detectable_r",
    "power_curve",
    "power_table",
    "rank_test_power",
    "required_n",
]

#: Samples drawn from the bivariate normal population for each power estimate.
POWER_SIMULATIONS = 10_000
#: Random orderings that stand for Spearman's null distribution above ``EXACT_MAX_N``.
NULL_SIMULATIONS = 50_000
#: Largest correlation :func:`min_detectable_r` looks at.
MAX_SEARCH_R = 0.99
#: Largest number of regions :func:`required_n` looks at.
MAX_SEARCH_N = 1000

_METHODS = ("spearman", "kendall")
#: Elements per simulated block: bounds the memory a simulation takes.
_BLOCK = 1_000_000
#: Tolerance on r of :func:`min_detectable_r`.
_R_TOL = 0.001


def _check(method: str, alpha: float, power: float | None = None) -> None:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    if power is not None and not 0 < power < 1:
        raise ValueError(f"power must lie in (0, 1), got {power!r}")


def _check_n(n: int) -> None:
    if n < 3:
        raise InsufficientDataError(
            f"a rank correlation needs at least 3 observations; got n = {n}"
        )


# ------------------------------------------------------------ null distributions
#
# The statistics are handled as integer scores, so that ties between floating-point
# values never decide a rejection: Spearman's rho is S / (n (n² - 1)) with
# S = 12 Σ rank_x rank_y - 3 n (n + 1)², and Kendall's tau is K / (n (n - 1) / 2) with
# K = concordant - discordant pairs (no ties: the population is continuous).


def _scale(method: str, n: int) -> float:
    return n * (n * n - 1) if method == "spearman" else n * (n - 1) / 2


def _spearman_scores(orders: np.ndarray) -> np.ndarray:
    """Scores of x ranks 1..n against y ranks given by 0-based orderings (one per row).

    With ``order`` the positions sorted by y, ``Σ rank_x rank_y = Σ_k (order[k] + 1)(k + 1)``.
    """
    n = orders.shape[-1]
    weights = np.arange(1, n + 1, dtype=np.int64)
    return 12 * ((orders.astype(np.int64) + 1) @ weights) - 3 * n * (n + 1) ** 2


def _kendall_counts(n: int) -> np.ndarray:
    """Probability of k discordant pairs, k = 0 .. n(n-1)/2, among random orderings of n.

    Built one element at a time: the new element adds 0 to i - 1 inversions with equal
    probability (the Mahonian numbers, divided by i! as they are built).
    """
    probs = np.array([1.0])
    for i in range(2, n + 1):
        cum = np.concatenate([[0.0], np.cumsum(probs)])
        k = np.arange(len(probs) + i - 1)
        top = np.minimum(k, len(probs) - 1) + 1
        bottom = np.maximum(k - i + 1, 0)
        probs = (cum[top] - cum[bottom]) / i
    return probs


@functools.lru_cache(maxsize=256)
def _null_tails(method: str, n: int, null_sims: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of |score| (ascending) and P(|score| >= value) under no association."""
    if method == "kendall":
        probs = _kendall_counts(n)
        scores = n * (n - 1) // 2 - 2 * np.arange(len(probs), dtype=np.int64)
        weights = probs
    elif n <= EXACT_MAX_N:
        scores = _spearman_scores(np.array(list(permutations(range(n))), dtype=np.int64))
        weights = np.full(len(scores), 1.0 / len(scores))
    else:
        rows = max(1, _BLOCK // n)
        parts = []
        for block, start in enumerate(range(0, null_sims, rows)):
            rng = np.random.default_rng([seed, n, block, 0])
            base = np.tile(np.arange(n, dtype=np.int16), (min(rows, null_sims - start), 1))
            parts.append(_spearman_scores(rng.permuted(base, axis=1)))
        scores = np.concatenate(parts)
        weights = np.full(len(scores), 1.0 / len(scores))
    values, inverse = np.unique(np.abs(scores), return_inverse=True)
    mass = np.bincount(inverse, weights=weights, minlength=len(values))
    tails = np.cumsum(mass[::-1])[::-1]
    return values, tails


def _critical_score(method: str, n: int, alpha: float, null_sims: int, seed: int) -> int | None:
    """Smallest |score| whose two-sided p-value is at most ``alpha``; None when none is."""
    values, tails = _null_tails(method, n, null_sims, seed)
    ok = tails <= alpha + 1e-12
    if not ok.any():
        return None
    return int(values[int(np.argmax(ok))])


def critical_rank_correlation(
    n: int,
    *,
    method: str = "spearman",
    alpha: float = 0.05,
    null_sims: int = NULL_SIMULATIONS,
    seed: int = DEFAULT_SEED,
) -> float | None:
    """Smallest absolute rank correlation the two-sided test rejects at ``alpha``.

    For ``n`` untied observations (see the module notes for how the null distribution is
    obtained). ``None`` when no ordering of ``n`` observations reaches ``p <= alpha``
    (``n = 3`` or ``4`` at 0.05); with 5 only a perfect ordering does (1.0).

    Raises:
        InsufficientDataError: when ``n < 3``.
        ValueError: on an unknown method or ``alpha`` outside (0, 1).

    """
    _check(method, alpha)
    _check_n(n)
    score = _critical_score(method, n, alpha, null_sims, seed)
    return None if score is None else score / _scale(method, n)


# ------------------------------------------------------------------ simulation


def _make_draws(n: int, n_sim: int, seed: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Blocks of (x sorted within each sample, independent noise), shared by every r."""
    rows = max(1, _BLOCK // n)
    blocks = []
    for block, start in enumerate(range(0, n_sim, rows)):
        rng = np.random.default_rng([seed, n, block, 1])
        z = rng.standard_normal((2, min(rows, n_sim - start), n))
        blocks.append((np.sort(z[0], axis=1), z[1]))
    return tuple(blocks)


_cached_draws = functools.lru_cache(maxsize=16)(_make_draws)


def _draws(n: int, n_sim: int, seed: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Return the draws of :func:`_make_draws`, cached when small (the usual case)."""
    if n * n_sim <= 2 * _BLOCK:
        return _cached_draws(n, n_sim, seed)
    return _make_draws(n, n_sim, seed)


def _scores_at(method: str, n: int, r: float, n_sim: int, seed: int) -> np.ndarray:
    """Scores of ``n_sim`` samples of size ``n`` from a bivariate normal with correlation r.

    x is sorted in each sample, so its ranks are 1..n and only y needs ranking.
    """
    noise = math.sqrt(max(0.0, 1.0 - r * r))
    out = []
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    for x, e in _draws(n, n_sim, seed):
        y = r * x + noise * e
        if method == "spearman":
            out.append(_spearman_scores(np.argsort(y, axis=1)))
        else:
            step = max(1, _BLOCK // (n * n))
            for start in range(0, len(y), step):
                part = y[start : start + step]
                concordant = ((part[:, :, None] < part[:, None, :]) & upper).sum(axis=(1, 2))
                out.append(2 * concordant.astype(np.int64) - n * (n - 1) // 2)
    return np.concatenate(out)


@functools.lru_cache(maxsize=4096)
def _power(
    method: str, n: int, r: float, alpha: float, n_sim: int, seed: int, null_sims: int
) -> float:
    critical = _critical_score(method, n, alpha, null_sims, seed)
    if critical is None:
        return 0.0
    return float(np.mean(np.abs(_scores_at(method, n, r, n_sim, seed)) >= critical))


def rank_test_power(
    r: float,
    n: int,
    *,
    method: str = "spearman",
    alpha: float = 0.05,
    n_sim: int = POWER_SIMULATIONS,
    seed: int = DEFAULT_SEED,
    null_sims: int = NULL_SIMULATIONS,
) -> float:
    """Power of the two-sided rank test with ``n`` regions when the correlation is ``r``.

    The share of ``n_sim`` samples of ``n`` observations from a bivariate normal population
    with correlation ``r`` in which the test rejects at ``alpha``: 0 when no ordering can
    reach ``p <= alpha``. At ``r = 0`` it is the test's actual level, at most ``alpha``.

    Raises:
        InsufficientDataError: when ``n < 3``.
        ValueError: on an unknown method, ``alpha`` outside (0, 1) or ``|r| > 1``.

    """
    _check(method, alpha)
    _check_n(n)
    if not -1 <= r <= 1:
        raise ValueError(f"r must lie in [-1, 1], got {r!r}")
    return _power(method, n, abs(float(r)), alpha, n_sim, seed, null_sims)


# ---------------------------------------------------------------- search


def _solve(
    f: Callable[[float], float], lo: float, f_lo: float, hi: float, f_hi: float, tol: float
) -> float:
    """Smallest x (to ``tol``) with f(x) >= 0 for increasing f, from f(lo) < 0 <= f(hi).

    Regula falsi with the Illinois modification; a step too close to an end of the
    bracket is moved a quarter of the way in, so the bracket always shrinks.
    """
    side = 0
    while hi - lo > tol:
        guess = hi - f_hi * (hi - lo) / (f_hi - f_lo) if f_hi != f_lo else (lo + hi) / 2
        margin = min((hi - lo) / 4, max(tol / 2, (hi - lo) / 16))
        x = min(max(guess, lo + margin), hi - margin)
        fx = f(x)
        if fx >= 0:
            hi, f_hi = x, fx
            if side == 1:
                f_lo /= 2
            side = 1
        else:
            lo, f_lo = x, fx
            if side == -1:
                f_hi /= 2
            side = -1
    return hi


def min_detectable_r(
    n: int,
    *,
    method: str = "spearman",
    alpha: float = 0.05,
    power: float = 0.8,
    n_sim: int = POWER_SIMULATIONS,
    seed: int = DEFAULT_SEED,
    null_sims: int = NULL_SIMULATIONS,
    max_r: float = MAX_SEARCH_R,
) -> float | None:
    """Smallest correlation the rank test detects with probability ``power`` in ``n`` regions.

    Found to within 0.001 among correlations up to ``max_r``. ``None`` when no correlation
    up to ``max_r`` reaches the power: always with 3 or 4 regions at α = 0.05, where the
    test can never reject, and with 5, where only a perfect ordering rejects.

    Raises:
        InsufficientDataError: when ``n < 3``.
        ValueError: on an unknown method or levels outside (0, 1).

    """
    _check(method, alpha, power)
    _check_n(n)

    def excess(r: float) -> float:
        return _power(method, n, r, alpha, n_sim, seed, null_sims) - power

    if _critical_score(method, n, alpha, null_sims, seed) is None:
        return None
    # The rank test needs a little more than a Pearson correlation (0.01 to 0.05 more from
    # 6 regions on): search next to the Fisher z value first, widening only if needed.
    lo, hi = 0.0, max_r
    if n > 3:
        guess = fisher_z_min_detectable_r(n, alpha=alpha, power=power)
        a, b = min(max_r, guess + 0.01), min(max_r, guess + 0.06)
        f_a = excess(a)
        if f_a >= 0:
            hi = a
        else:
            lo, f_b = a, excess(b)
            if f_b >= 0:
                return round(_solve(excess, a, f_a, b, f_b, _R_TOL), 3)
            lo = b
    f_lo, f_hi = excess(lo), excess(hi)
    if f_hi < 0:
        return None
    if f_lo >= 0:
        return round(lo, 3)
    return round(_solve(excess, lo, f_lo, hi, f_hi, _R_TOL), 3)


def required_n(
    r: float,
    *,
    method: str = "spearman",
    alpha: float = 0.05,
    power: float = 0.8,
    n_sim: int = POWER_SIMULATIONS,
    seed: int = DEFAULT_SEED,
    null_sims: int = NULL_SIMULATIONS,
    max_n: int = MAX_SEARCH_N,
) -> int | None:
    """Smallest number of regions at which the rank test detects ``r`` with ``power``.

    Every n up to ``EXACT_MAX_N`` is tried; above it power is taken to grow with n (up
    to the small steps of a discrete statistic), and the search starts from the Fisher z
    answer, moving up or down. ``None`` when even ``max_n`` regions do not reach the power.

    Raises:
        ValueError: unless ``0 < |r| < 1``, on an unknown method or levels outside (0, 1).

    """
    _check(method, alpha, power)
    if not 0 < abs(r) < 1:
        raise ValueError(f"r must satisfy 0 < |r| < 1, got {r!r}")
    size = abs(float(r))

    def reaches(n: int) -> bool:
        return _power(method, n, size, alpha, n_sim, seed, null_sims) >= power

    for n in range(3, min(EXACT_MAX_N, max_n) + 1):
        if reaches(n):
            return n
    if max_n <= EXACT_MAX_N:
        return None
    fail = EXACT_MAX_N
    start = min(max(EXACT_MAX_N + 1, fisher_z_required_n(size, alpha=alpha, power=power)), max_n)
    found: int | None = None
    if reaches(start):
        found, step = start, 1
        while found - step > fail:
            if reaches(found - step):
                found -= step
                step *= 2
            else:
                fail = found - step
                break
    else:
        fail, step = start, 1
        while found is None:
            trial = min(fail + step, max_n)
            if reaches(trial):
                found = trial
            elif trial == max_n:
                return None
            else:
                fail, step = trial, step * 2
    while found - fail > 1:
        middle = (found + fail) // 2
        if reaches(middle):
            found = middle
        else:
            fail = middle
    return found


# ------------------------------------------------------------------ Fisher z


def _z(q: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(q))


def fisher_z_required_n(r: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Regions needed to detect a *Pearson* correlation ``r`` (Fisher z approximation).

    ``n = ((z(1 - alpha/2) + z(power)) / atanh(r))² + 3``, rounded up: 30 regions for
    r = 0.5. For comparison only: the notebooks run rank tests (:func:`required_n`).

    Raises:
        ValueError: unless ``0 < |r| < 1``, ``0 < alpha < 1`` and ``0 < power < 1``.

    """
    if not 0 < abs(r) < 1:
        raise ValueError(f"r must satisfy 0 < |r| < 1, got {r!r}")
    _check("spearman", alpha, power)
    n = ((_z(1 - alpha / 2) + _z(power)) / math.atanh(abs(r))) ** 2 + 3
    return math.ceil(n - 1e-9)


def fisher_z_min_detectable_r(n: int, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest *Pearson* correlation detectable with ``n`` regions (Fisher z approximation).

    For comparison only (see :func:`min_detectable_r` for the test the notebooks run).

    Raises:
        InsufficientDataError: when ``n <= 3`` (the approximation needs ``n - 3 > 0``).
        ValueError: on levels outside (0, 1).

    """
    _check("spearman", alpha, power)
    if n <= 3:
        raise InsufficientDataError(
            f"with n = {n} regions no correlation short of a perfect one can be detected "
            "(the Fisher z approximation needs n > 3)"
        )
    return math.tanh((_z(1 - alpha / 2) + _z(power)) / math.sqrt(n - 3))


# ------------------------------------------------------------------ tables


def _text_r(r: float | None) -> str:
    return "none" if r is None else f"{r:.2f}"


def power_table(
    correlations: Sequence[float] = (0.3, 0.5, 0.7),
    sizes: Sequence[int] = (3, 4, 5, 10, 30),
    *,
    method: str = "spearman",
    alpha: float = 0.05,
    power: float = 0.8,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tabulate power of the rank test, with the Fisher z (Pearson) figures beside it.

    Returns two frames of text, ready to print:

    - ``needed``: ``r``, ``regions_needed`` (:func:`required_n`, ``"none"`` when not
      reached within :data:`MAX_SEARCH_N`) and ``fisher_z_pearson``;
    - ``detectable``: ``n``, ``min_detectable_r`` (:func:`min_detectable_r`, ``"none"``
      when no correlation reaches the power), ``fisher_z_pearson`` (empty when undefined),
      ``smallest_exact_p`` and a ``note``.
    """
    import pandas as pd

    options = {"method": method, "alpha": alpha, "power": power}
    needed = pd.DataFrame(
        [
            {
                "r": r,
                "regions_needed": (
                    "none" if (k := required_n(r, **options)) is None else str(k)
                ),
                "fisher_z_pearson": str(fisher_z_required_n(r, alpha=alpha, power=power)),
            }
            for r in correlations
        ],
        columns=["r", "regions_needed", "fisher_z_pearson"],
    )
    rows = []
    for n in sizes:
        critical = critical_rank_correlation(n, method=method, alpha=alpha)
        if critical is None:
            note = f"no ordering of {n} reaches p ≤ {alpha:g}"
        elif critical >= 1 - 1e-12:
            note = "only a perfect ordering is significant"
        else:
            note = f"significant from |{method}| ≥ {critical:.3f}"
        fisher = "" if n <= 3 else f"{fisher_z_min_detectable_r(n, alpha=alpha, power=power):.2f}"
        rows.append(
            {
                "n": n,
                "min_detectable_r": _text_r(min_detectable_r(n, **options)),
                "fisher_z_pearson": fisher,
                "smallest_exact_p": f"{min_attainable_p(n):.3g}",
                "note": note,
            }
        )
    detectable = pd.DataFrame(
        rows, columns=["n", "min_detectable_r", "fisher_z_pearson", "smallest_exact_p", "note"]
    )
    return needed, detectable


def power_curve(
    sizes: Iterable[int] = range(3, 41),
    *,
    method: str = "spearman",
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """For each number of regions, the smallest correlation detectable with ``power``.

    Columns: ``n``; ``min_detectable_r`` of the rank test (NaN where none is);
    ``fisher_z_pearson`` (NaN where undefined); ``critical_r``, the smallest |statistic|
    the test rejects (NaN where none). The input of
    :func:`~dangjian_analysis.report.plots.power_curve_plot`.
    """
    import pandas as pd

    rows = []
    for n in sizes:
        detectable = min_detectable_r(n, method=method, alpha=alpha, power=power)
        critical = critical_rank_correlation(n, method=method, alpha=alpha)
        rows.append(
            {
                "n": int(n),
                "min_detectable_r": math.nan if detectable is None else detectable,
                "fisher_z_pearson": (
                    math.nan if n <= 3 else fisher_z_min_detectable_r(n, alpha=alpha, power=power)
                ),
                "critical_r": math.nan if critical is None else critical,
            }
        )
    frame = pd.DataFrame(rows, columns=["n", "min_detectable_r", "fisher_z_pearson", "critical_r"])
    frame.attrs.update(method=method, alpha=alpha, power=power)
    return frame
