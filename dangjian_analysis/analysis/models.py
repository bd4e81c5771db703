"""Small-sample statistics that say how much a handful of regions can show.

- :func:`ols_hc3`: ordinary least squares of an outcome on coverage with HC3 robust
  standard errors, always reporting n and the residual degrees of freedom, and refusing
  (:class:`InsufficientDataError`) when too few regions are left for the model.
- :func:`rank_correlation`: Spearman or Kendall with an exact permutation p-value for small
  n (every ordering enumerated), so the smallest p-value the sample *could* give is shown.
- :func:`slope_bounds`, :func:`rank_correlation_bounds`: partial identification, the range
  of the slope or rank correlation over every value the input intervals allow.
- :func:`required_n`, :func:`min_detectable_r`, :func:`min_attainable_p`: power.

statsmodels and scipy are imported inside the functions that need them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import TYPE_CHECKING

import numpy as np

from dangjian_analysis.analysis.intervals import Interval

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_SEED",
    "EXACT_MAX_N",
    "BoundsResult",
    "InsufficientDataError",
    "OLSResult",
    "RankCorrelation",
    "min_attainable_p",
    "min_detectable_r",
    "ols_hc3",
    "power_table",
    "rank_correlation",
    "rank_correlation_bounds",
    "required_n",
    "slope_bounds",
]

#: Seed of the random permutations used above :data:`EXACT_MAX_N`.
DEFAULT_SEED = 20261121

#: Largest n for which every ordering is enumerated (8! = 40,320 orderings).
EXACT_MAX_N = 8

_METHODS = ("spearman", "kendall")
_TOL = 1e-12


class InsufficientDataError(ValueError):
    """Raised when a model is asked of fewer observations than it needs."""


def _arrays(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    xa = np.asarray(x, dtype="float64")
    ya = np.asarray(y, dtype="float64")
    if xa.ndim != 1 or xa.shape != ya.shape:
        raise ValueError(
            f"x and y must be 1-D and of equal length, got {xa.shape} and {ya.shape}"
        )
    bad = ~(np.isfinite(xa) & np.isfinite(ya))
    if bad.any():
        where = np.flatnonzero(bad).tolist()
        raise ValueError(f"x and y must be finite; positions {where} are not")
    return xa, ya


# --------------------------------------------------------------------------- OLS


@dataclass(frozen=True)
class OLSResult:
    """An OLS fit of ``y = intercept + slope * x`` with HC3 standard errors."""

    n: int
    df_resid: int
    intercept: float
    slope: float
    se_slope: float
    ci_low: float
    ci_high: float
    p_value: float
    r_squared: float
    cov_type: str = "HC3"

    def summary(self) -> str:
        """One line: slope, its 95% interval, p-value, n and residual df."""
        return (
            f"slope {self.slope:.4g} (95% CI {self.ci_low:.4g} to {self.ci_high:.4g}, "
            f"HC3, t with {self.df_resid} df), p = {self.p_value:.3g}, n = {self.n}, "
            f"R² = {self.r_squared:.3f}"
        )


def ols_hc3(
    x: Sequence[float], y: Sequence[float], *, min_df_resid: int = 2, alpha: float = 0.05
) -> OLSResult:
    """Fit ``y`` on ``x`` (with an intercept) by OLS with HC3 robust standard errors.

    The confidence interval and p-value use the t distribution with the residual degrees
    of freedom (``n - 2``).

    Raises:
        InsufficientDataError: when ``n - 2 < min_df_resid`` (with the default, fewer than
            four observations), when ``x`` is constant, or when an observation has
            leverage 1 (HC3 is undefined: that point alone fixes the fit).
        ValueError: on inputs of unequal length or that are not finite.

    """
    import statsmodels.api as sm

    xa, ya = _arrays(x, y)
    n = len(xa)
    if n - 2 < min_df_resid:
        raise InsufficientDataError(
            f"OLS with an intercept and a slope needs at least {min_df_resid + 2} "
            f"observations to leave {min_df_resid} residual degrees of freedom; got n = {n}"
        )
    if np.ptp(xa) == 0:
        raise InsufficientDataError(f"x is constant ({xa[0]:g}) across all {n} observations")
    design = sm.add_constant(xa, has_constant="add")
    leverage = np.einsum("ij,ji->i", design, np.linalg.pinv(design))
    if np.any(leverage > 1 - 1e-9):
        raise InsufficientDataError(
            f"observation(s) {np.flatnonzero(leverage > 1 - 1e-9).tolist()} have leverage 1; "
            "HC3 standard errors are undefined"
        )
    fit = sm.OLS(ya, design).fit(cov_type="HC3", use_t=True)
    low, high = fit.conf_int(alpha=alpha)[1]
    return OLSResult(
        n=n,
        df_resid=int(fit.df_resid),
        intercept=float(fit.params[0]),
        slope=float(fit.params[1]),
        se_slope=float(fit.bse[1]),
        ci_low=float(low),
        ci_high=float(high),
        p_value=float(fit.pvalues[1]),
        r_squared=float(fit.rsquared),
    )


# ----------------------------------------------------------- rank correlations


@dataclass(frozen=True)
class RankCorrelation:
    """A rank correlation with its permutation p-value (two-sided)."""

    method: str
    statistic: float
    p_value: float
    n: int
    n_permutations: int
    exact: bool
    min_p_value: float

    def summary(self) -> str:
        """One line with the statistic, p-value and the smallest p-value n allows."""
        how = "exact, all" if self.exact else "Monte Carlo,"
        return (
            f"{self.method} {self.statistic:+.3f}, p = {self.p_value:.3g} "
            f"({how} {self.n_permutations} orderings), n = {self.n}, "
            f"smallest attainable p = {self.min_p_value:.3g}"
        )


def _ranks(values: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(values, axis=-1)


def _spearman_many(rx: np.ndarray, ry: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Correlate rank vector ``rx`` with ``ry`` reordered by each row of ``orders``.

    Reordering keeps the mean and spread of ``ry``, so they are taken once.
    """
    cx = rx - rx.mean()
    cy = ry - ry.mean()
    denom = math.sqrt(float(cx @ cx) * float(cy @ cy))
    if denom == 0:
        return np.full(len(orders), np.nan)
    return (cy[orders] @ cx) / denom


def _pair_signs(values: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(values.shape[-1], k=1)
    return np.sign(values[..., j] - values[..., i])


def _kendall_many(sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """Kendall tau-b of one pair-sign vector ``sx`` with each row of ``sy``."""
    denom = np.sqrt(np.abs(sx).sum() * np.abs(sy).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (sy @ sx) / denom


def _statistics(method: str, x: np.ndarray, y: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Compute the statistic of ``x`` against ``y`` reordered by each row of ``orders``.

    Ranks are taken once: the ranks of a reordered ``y`` are its ranks reordered.
    """
    if method == "spearman":
        return _spearman_many(_ranks(x), _ranks(y), orders)
    return _kendall_many(_pair_signs(x), _pair_signs(y[orders]))


def rank_correlation(
    x: Sequence[float],
    y: Sequence[float],
    *,
    method: str = "spearman",
    exact_max_n: int = EXACT_MAX_N,
    n_resamples: int = 9999,
    seed: int = DEFAULT_SEED,
) -> RankCorrelation:
    """Spearman or Kendall (tau-b) rank correlation with a two-sided permutation p-value.

    Up to ``exact_max_n`` observations every ordering of ``y`` is enumerated, so the
    p-value is exact and ``min_p_value`` is the smallest p-value any data of this size
    (and these ties) could give: with 4 regions it is 2/24 ≈ 0.083, above 0.05. Above
    that, ``n_resamples`` random orderings from a generator seeded with ``seed`` are used
    (p = (k + 1) / (n_resamples + 1)) for Spearman; Kendall uses scipy's p-value there.

    Raises:
        InsufficientDataError: with fewer than 3 observations (two points are always
            perfectly ranked) or when ``x`` or ``y`` is constant.
        ValueError: on an unknown method or inputs that are not finite.

    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    xa, ya = _arrays(x, y)
    n = len(xa)
    if n < 3:
        raise InsufficientDataError(
            f"a rank correlation needs at least 3 observations; got n = {n} "
            "(two points are always perfectly ranked, one way or the other)"
        )
    if np.ptp(xa) == 0 or np.ptp(ya) == 0:
        raise InsufficientDataError("x or y is constant: the rank correlation is undefined")
    identity = np.arange(n)[None, :]
    observed = float(_statistics(method, xa, ya, identity)[0])
    if n <= exact_max_n:
        orders = np.array(list(permutations(range(n))), dtype=np.intp)
        stats = _statistics(method, xa, ya, orders)
        extreme = np.abs(stats) >= abs(observed) - _TOL
        p = float(extreme.mean())
        min_p = float((np.abs(stats) >= np.abs(stats).max() - _TOL).mean())
        return RankCorrelation(method, observed, p, n, len(orders), True, min_p)
    if method == "kendall":
        from scipy.stats import kendalltau

        p = float(kendalltau(xa, ya).pvalue)
        return RankCorrelation(method, observed, p, n, 0, False, 0.0)
    rng = np.random.default_rng(seed)
    orders = rng.permuted(np.tile(np.arange(n, dtype=np.int32), (n_resamples, 1)), axis=1)
    stats = _statistics(method, xa, ya, orders)
    k = int((np.abs(stats) >= abs(observed) - _TOL).sum())
    p = (k + 1) / (n_resamples + 1)
    return RankCorrelation(method, observed, p, n, n_resamples, False, 1 / (n_resamples + 1))


# ------------------------------------------------------------------ bounds


@dataclass(frozen=True)
class BoundsResult:
    """The range of a statistic over every value the input intervals allow."""

    statistic: str
    point: float
    lower: float
    upper: float
    n: int
    method: str
    note: str = ""

    def summary(self) -> str:
        """One line: point value and the identified range."""
        text = (
            f"{self.statistic}: {self.point:+.3f} at the printed values; between "
            f"{self.lower:+.3f} and {self.upper:+.3f} over the intervals "
            f"({self.method}, n = {self.n})"
        )
        return f"{text}; {self.note}" if self.note else text


def _check_intervals(x: Sequence[Interval], y: Sequence[Interval]) -> None:
    if len(x) != len(y):
        raise ValueError(f"x and y must be of equal length, got {len(x)} and {len(y)}")


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    cx = x - x.mean()
    sxx = float(cx @ cx)
    return math.nan if sxx == 0 else float(cx @ (y - y.mean())) / sxx


def slope_bounds(
    x: Sequence[Interval], y: Sequence[Interval], *, max_corners: int = 1024, starts: int = 4
) -> BoundsResult:
    """Range of the OLS slope of ``y`` on ``x`` over the boxes of the input intervals.

    With exact ``x`` the slope is linear in ``y`` and the range is exact (each ``y``
    at the bound that pushes the slope up or down). With interval ``x`` the slope is not
    monotone, so the range is found numerically: every corner of the box (up to
    ``max_corners``) and bounded local optimization from the corners and the printed
    point; ``method`` says which was used. If some ``x`` intervals share a common value,
    ``x`` can be constant and the slope is unidentified: the range is infinite.

    Raises:
        InsufficientDataError: with fewer than 3 observations.

    """
    _check_intervals(x, y)
    n = len(x)
    if n < 3:
        raise InsufficientDataError(f"a slope range needs at least 3 observations; got n = {n}")
    px = np.array([i.value for i in x])
    py = np.array([i.value for i in y])
    point = _slope(px, py)
    xl, xu = np.array([i.lower for i in x]), np.array([i.upper for i in x])
    yl, yu = np.array([i.lower for i in y]), np.array([i.upper for i in y])
    if xl.max() <= xu.min():
        return BoundsResult("slope", point, -math.inf, math.inf, n, "unidentified",
                            "the x intervals share a common value, so x may be constant")
    open_sides = ~np.isfinite(np.concatenate([xl, xu, yl, yu]))
    if open_sides.any():
        return BoundsResult("slope", point, -math.inf, math.inf, n, "unbounded",
                            "some inputs are open on one side (printed as 余/多/以上/近)")
    if np.all(xl == xu):
        w = (px - px.mean()) / float((px - px.mean()) @ (px - px.mean()))
        high = float(np.where(w > 0, w * yu, w * yl).sum())
        low = float(np.where(w > 0, w * yl, w * yu).sum())
        return BoundsResult("slope", point, min(low, point), max(high, point), n, "exact")
    return _slope_bounds_numeric(point, xl, xu, yl, yu, max_corners, starts)


def _slope_bounds_numeric(
    point: float,
    xl: np.ndarray,
    xu: np.ndarray,
    yl: np.ndarray,
    yu: np.ndarray,
    max_corners: int,
    starts: int,
) -> BoundsResult:
    from scipy.optimize import minimize

    n = len(xl)
    lo = np.concatenate([xl, yl])
    hi = np.concatenate([xu, yu])
    free = np.flatnonzero(lo < hi)
    centre = np.concatenate([(xl + xu) / 2, (yl + yu) / 2])[None, :]
    if 2 ** len(free) <= max_corners:
        method = "all corners and local optimization"
        masks = np.arange(2 ** len(free))[:, None]
        bits = ((masks >> np.arange(len(free))[None, :]) & 1).astype(bool)
        corners = np.tile(lo, (len(masks), 1))
        corners[:, free] = np.where(bits, hi[free], lo[free])
    else:
        method = "sampled corners and local optimization (inner approximation)"
        rng = np.random.default_rng(DEFAULT_SEED)
        corners = np.where(rng.random((max_corners, len(lo))) < 0.5, lo, hi)
    candidates = np.vstack([centre, corners])
    cx = candidates[:, :n] - candidates[:, :n].mean(axis=1, keepdims=True)
    cy = candidates[:, n:] - candidates[:, n:].mean(axis=1, keepdims=True)
    sxx = (cx * cx).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(sxx > 0, (cx * cy).sum(axis=1) / sxx, 0.0)

    def slope_of(v: np.ndarray) -> float:
        s = _slope(v[:n], v[n:])
        return 0.0 if math.isnan(s) else s

    def gradient(v: np.ndarray) -> np.ndarray:
        """Return d slope / d (x, y): (y_i - ȳ - 2 b (x_i - x̄)) / Sxx and (x_i - x̄) / Sxx."""
        cx, cy = v[:n] - v[:n].mean(), v[n:] - v[n:].mean()
        sxx = float(cx @ cx)
        if sxx == 0:
            return np.zeros_like(v)
        b = float(cx @ cy) / sxx
        return np.concatenate([(cy - 2 * b * cx) / sxx, cx / sxx])

    order = np.argsort(values, kind="stable")
    bounds = list(zip(lo, hi, strict=True))
    best_low, best_high = float(values.min()), float(values.max())
    for sign, picks in ((1.0, order[:starts]), (-1.0, order[::-1][:starts])):
        for idx in picks:
            res = minimize(
                lambda v, s=sign: s * slope_of(v), candidates[idx], method="L-BFGS-B",
                jac=lambda v, s=sign: s * gradient(v), bounds=bounds,
            )
            val = slope_of(res.x)
            best_low, best_high = min(best_low, val), max(best_high, val)
    return BoundsResult("slope", point, min(best_low, point), max(best_high, point), n, method)


def _blocks(intervals: Sequence[Interval]) -> list[list[int]]:
    """Group observations with identical exact values (they are tied in every ordering)."""
    groups: dict[tuple[float, float], list[int]] = {}
    blocks: list[list[int]] = []
    for i, iv in enumerate(intervals):
        if iv.is_exact:
            key = (iv.lower, iv.upper)
            if key in groups:
                groups[key].append(i)
                continue
            groups[key] = [i]
            blocks.append(groups[key])
        else:
            blocks.append([i])
    return blocks


def _linear_extensions(intervals: Sequence[Interval], limit: int) -> Iterator[np.ndarray]:
    """Midrank vectors of every ordering of the observations the intervals allow.

    Block b can come next when no remaining block must precede it (upper < b's lower).
    Any such ordering can be realized by values inside the intervals.
    """
    blocks = _blocks(intervals)
    lows = [min(intervals[i].lower for i in b) for b in blocks]
    highs = [max(intervals[i].upper for i in b) for b in blocks]
    n = len(intervals)
    count = 0

    def walk(order: list[int], remaining: list[int]) -> Iterator[np.ndarray]:
        nonlocal count
        if not remaining:
            count += 1
            if count > limit:
                raise ValueError(
                    f"more than {limit} orderings are compatible with the intervals; "
                    "the bounds cannot be enumerated"
                )
            ranks = np.empty(n)
            pos = 0
            for b in order:
                size = len(blocks[b])
                ranks[blocks[b]] = pos + (size + 1) / 2
                pos += size
            yield ranks
            return
        for b in remaining:
            if any(highs[c] < lows[b] for c in remaining if c != b):
                continue
            yield from walk([*order, b], [c for c in remaining if c != b])

    yield from walk([], list(range(len(blocks))))


def rank_correlation_bounds(
    x: Sequence[Interval],
    y: Sequence[Interval],
    *,
    method: str = "spearman",
    max_orderings: int = 200_000,
) -> BoundsResult:
    """Range of a rank correlation over every ordering the input intervals allow.

    Every ordering of ``x`` and of ``y`` compatible with the intervals is enumerated
    (observations with identical exact values stay tied); ties inside overlapping
    intervals are not considered, only strict orderings.

    Raises:
        InsufficientDataError: with fewer than 3 observations.
        ValueError: on an unknown method, or when more than ``max_orderings``
            orderings of one variable are possible.

    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    _check_intervals(x, y)
    n = len(x)
    if n < 3:
        raise InsufficientDataError(
            f"a rank correlation range needs at least 3 observations; got n = {n}"
        )
    rx = np.array(list(_linear_extensions(x, max_orderings)))
    ry = np.array(list(_linear_extensions(y, max_orderings)))
    if method == "spearman":
        cx = rx - rx.mean(axis=1, keepdims=True)
        cy = ry - ry.mean(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            nx = cx / np.linalg.norm(cx, axis=1, keepdims=True)
            ny = cy / np.linalg.norm(cy, axis=1, keepdims=True)
        stats = nx @ ny.T
    else:
        sx, sy = _pair_signs(rx), _pair_signs(ry)
        with np.errstate(invalid="ignore", divide="ignore"):
            stats = (sx @ sy.T) / np.sqrt(
                np.abs(sx).sum(axis=1)[:, None] * np.abs(sy).sum(axis=1)[None, :]
            )
    px = np.array([i.value for i in x])
    py = np.array([i.value for i in y])
    point = float(_statistics(method, px, py, np.arange(n)[None, :])[0])
    finite = stats[np.isfinite(stats)]
    if finite.size == 0:
        raise InsufficientDataError("x or y is constant in every allowed ordering")
    note = f"{len(rx)} orderings of x × {len(ry)} of y"
    return BoundsResult(
        method,
        point,
        float(min(finite.min(), point)),
        float(max(finite.max(), point)),
        n,
        "enumerated orderings",
        note,
    )


# ------------------------------------------------------------------- power


def _z(q: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(q))


def required_n(r: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Regions needed to detect a correlation ``r`` (two-sided test at ``alpha``).

    Uses the Fisher z approximation, ``n = ((z(1 - alpha/2) + z(power)) / atanh(r))² + 3``,
    rounded up: 30 regions for r = 0.5 at α = 0.05 and power 0.8.

    Raises:
        ValueError: unless ``0 < |r| < 1``, ``0 < alpha < 1`` and ``0 < power < 1``.

    """
    if not 0 < abs(r) < 1:
        raise ValueError(f"r must satisfy 0 < |r| < 1, got {r!r}")
    _check_levels(alpha, power)
    n = ((_z(1 - alpha / 2) + _z(power)) / math.atanh(abs(r))) ** 2 + 3
    return math.ceil(n - 1e-9)


def min_detectable_r(n: int, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest correlation detectable with ``n`` regions (Fisher z approximation).

    Raises:
        InsufficientDataError: when ``n <= 3`` (the approximation needs ``n - 3 > 0``).
        ValueError: on levels outside (0, 1).

    """
    _check_levels(alpha, power)
    if n <= 3:
        raise InsufficientDataError(
            f"with n = {n} regions no correlation short of a perfect one can be detected "
            "(the Fisher z approximation needs n > 3)"
        )
    return math.tanh((_z(1 - alpha / 2) + _z(power)) / math.sqrt(n - 3))


def min_attainable_p(n: int) -> float:
    """Return the smallest exact two-sided permutation p-value with ``n`` observations.

    For a rank correlation of ``n`` untied observations it is ``2 / n!`` for n >= 3 (the
    two perfect orderings) and 1 below.

    Raises:
        ValueError: when ``n < 1``.

    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    return 1.0 if n < 3 else 2 / math.factorial(n)


def power_table(
    correlations: Sequence[float] = (0.3, 0.5, 0.7),
    sizes: Sequence[int] = (3, 4, 5, 10, 30),
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tabulate power: regions needed per correlation, and what n regions can detect.

    Returns two frames: ``needed`` (``r``, ``regions_needed``) and ``detectable`` (``n``,
    ``min_detectable_r`` or empty when undefined, ``smallest_exact_p``, ``note``).
    """
    import pandas as pd

    needed = pd.DataFrame(
        {
            "r": list(correlations),
            "regions_needed": [required_n(r, alpha=alpha, power=power) for r in correlations],
        }
    )
    rows = []
    for n in sizes:
        try:
            r = f"{min_detectable_r(n, alpha=alpha, power=power):.2f}"
            note = ""
        except InsufficientDataError:
            r, note = "", "undefined: n must exceed 3"
        rows.append(
            {"n": n, "min_detectable_r": r, "smallest_exact_p": f"{min_attainable_p(n):.3g}",
             "note": note}
        )
    return needed, pd.DataFrame(rows, columns=["n", "min_detectable_r", "smallest_exact_p", "note"])


def _check_levels(alpha: float, power: float) -> None:
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError(f"alpha and power must lie in (0, 1), got {alpha!r} and {power!r}")
