"""Small-sample statistics that say how much a handful of regions can show.

- :func:`ols_hc3`: ordinary least squares of an outcome on coverage with HC3 robust
  standard errors, always reporting n and the residual degrees of freedom, and refusing
  (:class:`InsufficientDataError`) when too few regions are left for the model;
  :func:`ols_classical`: the same fit with the textbook standard error, which three points
  allow (one residual degree of freedom) and which shows how wide the interval is.
- :func:`rank_correlation`: Spearman or Kendall with an exact permutation p-value for small
  n (every ordering enumerated), so the smallest p-value the sample *could* give is shown;
  :func:`permutation_distribution`: the whole null distribution behind that p-value.
- :func:`slope_bounds`, :func:`rank_correlation_bounds`: partial identification, the range
  of the slope or rank correlation over every value the input intervals allow.
- :func:`min_attainable_p`: the smallest exact p-value n observations allow (the power of
  the test is in :mod:`dangjian_analysis.analysis.power`).

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
    "KENDALL_EXACT_MAX_N",
    "P_METHODS",
    "BoundsResult",
    "InsufficientDataError",
    "OLSResult",
    "RankCorrelation",
    "min_attainable_p",
    "ols_classical",
    "ols_hc3",
    "permutation_distribution",
    "rank_correlation",
    "rank_correlation_bounds",
    "rank_statistic",
    "slope_bounds",
    "slope_comparison",
]

#: Seed of the random permutations used above :data:`EXACT_MAX_N`.
DEFAULT_SEED = 20261121

#: Largest n for which every ordering is enumerated (8! = 40,320 orderings).
EXACT_MAX_N = 8

_METHODS = ("spearman", "kendall")

#: How far below the observed |statistic| an ordering's |statistic| may fall and still count
#: as at least as extreme (floating-point noise). The one tolerance of the permutation
#: test: the p-value and the distribution it is drawn from (:func:`permutation_distribution`)
#: both count extremes with :func:`_as_extreme`, so they agree at the edge.
_TOL = 1e-12


def _as_extreme(stats: np.ndarray, observed: float) -> np.ndarray:
    """Whether each statistic is at least as far from zero as the observed one."""
    return np.abs(stats) >= abs(observed) - _TOL


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
        how = "HC3" if self.cov_type == "HC3" else "classical standard error"
        return (
            f"slope {self.slope:.4g} (95% CI {self.ci_low:.4g} to {self.ci_high:.4g}, "
            f"{how}, t with {self.df_resid} df), p = {self.p_value:.3g}, n = {self.n}, "
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


def ols_classical(x: Sequence[float], y: Sequence[float], *, alpha: float = 0.05) -> OLSResult:
    """Fit ``y`` on ``x`` (with an intercept) by OLS with the classical standard error.

    The textbook fit: residual variance ``SSR / (n - 2)``, t interval with ``n - 2``
    degrees of freedom. Three points leave one degree of freedom, so the fit exists but
    its interval is very wide (the 97.5% point of t with 1 df is 12.7): this is the
    honest size of what three regions say about a slope. :func:`ols_hc3` refuses such a
    fit because robust standard errors need more residual degrees of freedom.

    Raises:
        InsufficientDataError: with fewer than 3 observations, constant ``x``, or a perfect
            fit (no residual variance to estimate).
        ValueError: on inputs of unequal length or that are not finite.

    """
    from scipy.stats import t as student_t

    xa, ya = _arrays(x, y)
    n = len(xa)
    if n < 3:
        raise InsufficientDataError(
            f"OLS with an intercept and a slope needs at least 3 observations to leave one "
            f"residual degree of freedom; got n = {n}"
        )
    cx = xa - xa.mean()
    sxx = float(cx @ cx)
    if sxx == 0:
        raise InsufficientDataError(f"x is constant ({xa[0]:g}) across all {n} observations")
    slope = float(cx @ (ya - ya.mean())) / sxx
    intercept = float(ya.mean() - slope * xa.mean())
    resid = ya - intercept - slope * xa
    df = n - 2
    ssr = float(resid @ resid)
    sst = float((ya - ya.mean()) @ (ya - ya.mean()))
    if ssr <= 1e-24 * max(sst, 1.0):
        raise InsufficientDataError("the points lie on a line: no residual variance to estimate")
    se = math.sqrt(ssr / df / sxx)
    q = float(student_t.ppf(1 - alpha / 2, df))
    p = float(2 * student_t.sf(abs(slope / se), df))
    return OLSResult(
        n=n,
        df_resid=df,
        intercept=intercept,
        slope=slope,
        se_slope=se,
        ci_low=slope - q * se,
        ci_high=slope + q * se,
        p_value=p,
        r_squared=1 - ssr / sst if sst > 0 else math.nan,
        cov_type="nonrobust",
    )


# ----------------------------------------------------------- rank correlations


#: How a p-value was obtained (``RankCorrelation.p_method``).
P_METHODS: dict[str, str] = {
    "exact": "every ordering enumerated",
    "monte carlo": "seeded random orderings",
    "scipy exact": "exact null distribution of Kendall's tau (scipy), no ties",
    "scipy asymptotic": "normal approximation (scipy)",
}

#: Largest n for which Kendall's p-value above EXACT_MAX_N is computed exactly by scipy.
KENDALL_EXACT_MAX_N = 33


@dataclass(frozen=True)
class RankCorrelation:
    """A rank correlation with its two-sided p-value.

    ``p_method`` says how the p-value was obtained (a key of :data:`P_METHODS`).
    ``min_p_value`` is the smallest p-value the sample could give when the p-value is
    exact; for a Monte Carlo p-value it is the floor of the simulation, ``1 / (draws + 1)``,
    which says how many orderings were drawn, not what the data could show; NaN for the
    normal approximation, which has no such floor.
    """

    method: str
    statistic: float
    p_value: float
    n: int
    n_permutations: int
    exact: bool
    min_p_value: float
    p_method: str = "exact"

    def summary(self) -> str:
        """One line with the statistic, the p-value and how it was obtained."""
        head = f"{self.method} {self.statistic:+.3f}, p = {self.p_value:.3g}"
        if self.p_method == "exact":
            return (
                f"{head} (exact, all {self.n_permutations} orderings), n = {self.n}, "
                f"smallest attainable p = {self.min_p_value:.3g}"
            )
        if self.p_method == "monte carlo":
            return (
                f"{head} (Monte Carlo, {self.n_permutations} seeded orderings), n = {self.n}; "
                f"a p-value from {self.n_permutations} orderings cannot fall below "
                f"{self.min_p_value:.2g} (the simulation floor)"
            )
        if self.p_method == "scipy exact":
            return (
                f"{head} (exact null distribution, no ties, scipy), n = {self.n}, "
                f"smallest attainable p = {self.min_p_value:.3g}"
            )
        return f"{head} (normal approximation, scipy), n = {self.n}"


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


def rank_statistic(x: Sequence[float], y: Sequence[float], *, method: str = "spearman") -> float:
    """Spearman's rho or Kendall's tau-b of ``x`` and ``y`` (midranks for ties), no test.

    Defined from two observations on (two points give +1, -1, or NaN when tied); NaN when
    ``x`` or ``y`` is constant.

    Raises:
        ValueError: on an unknown method, unequal lengths or values that are not finite.

    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    xa, ya = _arrays(x, y)
    if len(xa) < 2 or np.ptp(xa) == 0 or np.ptp(ya) == 0:
        return math.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(_statistics(method, xa, ya, np.arange(len(xa))[None, :])[0])


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
    that, Spearman uses ``n_resamples`` random orderings from a generator seeded with
    ``seed`` (p = (k + 1) / (n_resamples + 1); ``min_p_value`` is then the floor of the
    simulation, 1 / (n_resamples + 1)); Kendall uses scipy's exact p-value when there are
    no ties and at most :data:`KENDALL_EXACT_MAX_N` observations, and its normal
    approximation otherwise. ``p_method`` records which.

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
        p = float(_as_extreme(stats, observed).mean())
        min_p = float(_as_extreme(stats, float(np.abs(stats).max())).mean())
        return RankCorrelation(method, observed, p, n, len(orders), True, min_p)
    if method == "kendall":
        from scipy.stats import kendalltau

        untied = len(np.unique(xa)) == n and len(np.unique(ya)) == n
        if untied and n <= KENDALL_EXACT_MAX_N:
            p = float(kendalltau(xa, ya, method="exact").pvalue)
            floor = min_attainable_p(n)
            return RankCorrelation(method, observed, p, n, 0, True, floor, "scipy exact")
        p = float(kendalltau(xa, ya, method="asymptotic").pvalue)
        return RankCorrelation(method, observed, p, n, 0, False, math.nan, "scipy asymptotic")
    rng = np.random.default_rng(seed)
    orders = rng.permuted(np.tile(np.arange(n, dtype=np.int32), (n_resamples, 1)), axis=1)
    stats = _statistics(method, xa, ya, orders)
    k = int(_as_extreme(stats, observed).sum())
    p = (k + 1) / (n_resamples + 1)
    return RankCorrelation(
        method, observed, p, n, n_resamples, False, 1 / (n_resamples + 1), "monte carlo"
    )


def permutation_distribution(
    x: Sequence[float],
    y: Sequence[float],
    *,
    method: str = "spearman",
    exact_max_n: int = EXACT_MAX_N,
    n_resamples: int = 9999,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Tabulate the permutation distribution behind :func:`rank_correlation`'s p-value.

    One row per distinct value of the statistic over the orderings of ``y`` (all of them
    up to ``exact_max_n``, else the same seeded random orderings as
    :func:`rank_correlation`): ``statistic``, ``orderings`` (how many give it),
    ``probability`` and ``as_extreme`` (at least as far from zero as the observed value,
    by the same rule and tolerance as the p-value: the two-sided p-value is the sum of
    their probabilities, plus one observed ordering in the Monte Carlo case). Values are
    grouped to 10 decimals; should orderings of one value fall on both sides of the
    observed one, the value has two rows. ``attrs`` holds ``observed``, ``p_value``,
    ``n``, ``method`` and ``exact``.

    Raises:
        InsufficientDataError, ValueError: as :func:`rank_correlation`.

    """
    import pandas as pd

    result = rank_correlation(
        x, y, method=method, exact_max_n=exact_max_n, n_resamples=n_resamples, seed=seed
    )
    xa, ya = _arrays(x, y)
    n = len(xa)
    if n <= exact_max_n:
        orders = np.array(list(permutations(range(n))), dtype=np.intp)
    else:
        rng = np.random.default_rng(seed)
        orders = rng.permuted(np.tile(np.arange(n, dtype=np.int32), (n_resamples, 1)), axis=1)
    stats = _statistics(method, xa, ya, orders)
    extreme = _as_extreme(stats, result.statistic)
    keys = np.round(stats, 10) + 0.0
    pairs, counts = np.unique(
        np.rec.fromarrays([keys, extreme], names="statistic,as_extreme"), return_counts=True
    )
    frame = pd.DataFrame(
        {
            "statistic": pairs["statistic"].astype("float64"),
            "orderings": counts.astype("int64"),
            "probability": counts / counts.sum(),
            "as_extreme": pairs["as_extreme"].astype("bool"),
        }
    )
    frame.attrs.update(
        observed=result.statistic, p_value=result.p_value, n=n, method=method,
        exact=n <= exact_max_n,
    )
    return frame


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


def slope_comparison(
    fit: OLSResult, bounds: BoundsResult | None = None, *, scale: float = 100.0
) -> pd.DataFrame:
    """Put an OLS slope with its confidence interval beside the slope's range over the bounds.

    One row each (``label``, ``estimate``, ``lower``, ``upper``), every number multiplied by
    ``scale``: with growth and coverage stored as shares, 100 turns the slope into
    percentage points of growth per 100 percentage points of coverage. The input of
    :func:`~dangjian_analysis.report.plots.interval_comparison`. The two rows answer
    different questions: the interval is about sampling error under the model, the range
    only about rounding and uncertain years in the figures.
    """
    import pandas as pd

    how = "HC3" if fit.cov_type == "HC3" else "classical"
    rows = [{
        "label": f"最小二乘 OLS, 95% CI ({how}, {fit.df_resid} df)",
        "estimate": scale * fit.slope,
        "lower": scale * fit.ci_low,
        "upper": scale * fit.ci_high,
    }]
    if bounds is not None:
        rows.append({
            "label": "区间 range over the figures' bounds",
            "estimate": scale * bounds.point,
            "lower": scale * bounds.lower,
            "upper": scale * bounds.upper,
        })
    return pd.DataFrame(rows, columns=["label", "estimate", "lower", "upper"])


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


def min_attainable_p(n: int) -> float:
    """Return the smallest exact two-sided permutation p-value with ``n`` observations.

    For a rank correlation of ``n`` untied observations it is ``2 / n!`` for n >= 3 (the
    two perfect orderings) and 1 below. The power of the test and the regions it needs are
    in :mod:`dangjian_analysis.analysis.power`.

    Raises:
        ValueError: when ``n < 1``.

    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    return 1.0 if n < 3 else 2 / math.factorial(n)
