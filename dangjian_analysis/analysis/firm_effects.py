"""Effects of a party organization on firm outcomes, by the estimators researchers trust.

:func:`firm_effects` estimates the effect of having a party organization on a (log) firm
outcome from a firm-year panel (:mod:`dangjian_analysis.package.panel`) with:

- ``naive``: the cross-section of one year (the last by default), firms with an
  organization against the rest, by OLS (statsmodels). It has the structure of a regional
  correlation and inherits its bias: adopters differ in size and productivity.
- ``twfe``: two-way fixed effects (firm and year), by ``pyfixest.feols``. Biased when the
  effect differs across adoption cohorts or grows with time since adoption, since already
  treated firms then serve as controls.
- ``sun_abraham``: the heterogeneity-robust staggered estimator of Sun and Abraham (2021):
  one ``pyfixest.feols`` regression with firm and year fixed effects and an indicator for
  every adoption cohort and year relative to adoption (year -1 and firms that never adopt
  in the panel are the reference); the average effect is the average of the cohort-period
  effects weighted by their firm-years, i.e. the average over adopters' firm-years with an
  organization.
- ``did2s``: Gardner's two-stage estimator (``pyfixest.did2s``), with the same target;
  optional, as its variance takes far longer on large panels.
- ``psw``: propensity-score weighting: a logit (statsmodels) of adopting during the panel
  on first-year covariates (log employees, employment growth between the first two
  years, age, owner's party membership, as far as the panel has them), then the last
  year's outcome of adopters against never-adopters weighted by the odds of the score.
  It balances what is measured (see :func:`balance_table`), not what is not.

Every standard error is clustered by region, the level at which campaigns assign
adoption; intervals are 95% by default. With fewer than about 30 regions clustered
standard errors are too small and the note says so. Firms with an organization from their
first observed year have no year without one: they enter the naive comparison but not the
staggered estimators, and the note counts them. Organizations that lapsed (a panel loaded
with ``allow_reversals=True``) are treated as lasting from their first year.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dangjian_analysis.package.panel import OUTCOMES, REQUIRED_COLUMNS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "ESTIMATORS",
    "FEW_CLUSTERS",
    "EventStudy",
    "balance_table",
    "event_study",
    "firm_effects",
]

#: Estimators of :func:`firm_effects` and their labels, in the order rows are returned.
ESTIMATORS = {
    "naive": "naive cross-section",
    "twfe": "two-way fixed effects",
    "sun_abraham": "Sun-Abraham (staggered)",
    "did2s": "Gardner two-stage (did2s)",
    "psw": "propensity-score weighting",
}
DEFAULT_ESTIMATORS = ("naive", "twfe", "sun_abraham", "psw")
#: Below this many regions (clusters) clustered standard errors are flagged as unreliable.
FEW_CLUSTERS = 30
#: Covariates of the propensity score, measured in the first year, as far as present.
PSW_COVARIATES = ("log_employees", "employment_growth", "age", "owner_party_member")
_COVARIATE_WORDS = {
    "log_employees": "log employees",
    "employment_growth": "employment growth",
    "age": "age",
    "owner_party_member": "owner's party membership",
}

_COLUMNS = [
    "estimator", "estimate", "std_error", "ci_low", "ci_high", "n_firms", "n_obs",
    "n_clusters", "note",
]


@dataclass
class _Prepared:
    data: pd.DataFrame  # firm, year, region, y, treat, cohort (0: never), and covariates
    outcome: str
    first_year: int
    last_year: int
    notes: list[str] = field(default_factory=list)
    always_treated: int = 0


def _prepare(panel: pd.DataFrame, outcome: str, log: bool) -> _Prepared:
    import numpy as np
    import pandas as pd

    missing = [c for c in (*REQUIRED_COLUMNS, outcome) if c not in panel.columns]
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: expected one of {list(OUTCOMES)}, found {outcome!r}")
    if missing:
        raise ValueError(
            f"panel: expected columns {missing}; load it with load_firm_panel or check it "
            "with check_firm_panel"
        )
    notes: list[str] = []
    values = panel[outcome].astype("float64")
    if not values.notna().any():
        raise ValueError(f"panel: no firm-year with a value of {outcome}")
    keep = values.notna().to_numpy()
    if not keep.all():
        notes.append(f"{int((~keep).sum()):,} firm-years without {outcome} left out")
    frame = panel.loc[keep]
    values = values[keep]
    if log:
        bad = np.flatnonzero(values.to_numpy() <= 0)
        if len(bad):
            i = bad[0]
            raise ValueError(
                f"{outcome}: {len(bad)} firm-year(s) with a value of 0 or less cannot be "
                f"logged (first: firm {frame['firm_id'].iat[i]}, year {frame['year'].iat[i]}, "
                f"{values.iat[i]!r}); pass log=False or leave such rows out first"
            )
        y = np.log(values.to_numpy())
    else:
        y = values.to_numpy()
    year = frame["year"].to_numpy(dtype="int64")
    firm = frame["firm_id"].astype("str").to_numpy()
    flags = frame["has_party_org"].astype("boolean")
    if flags.isna().any():
        raise ValueError(
            f"has_party_org: {int(flags.isna().sum())} empty cell(s); check the panel with "
            "check_firm_panel, which names them"
        )
    has = flags.to_numpy(dtype=bool)
    data = pd.DataFrame(
        {
            "firm": pd.Categorical(firm).codes.astype("int64"),
            "firm_id": firm,
            "year": year,
            "region": pd.Categorical(frame["region"].astype("str").to_numpy()).codes.astype(
                "int64"
            ),
            "y": y,
            "has": has,
        }
    )
    first_year, last_year = int(year.min()), int(year.max())
    data["first_seen"] = data.groupby("firm")["year"].transform("min")
    adopted = data["year"].where(data["has"])
    data["cohort"] = adopted.groupby(data["firm"]).transform("min").fillna(0).astype("int64")
    # Adoption lasts from its first year (organizations that lapsed included).
    data["treat"] = ((data["cohort"] > 0) & (data["year"] >= data["cohort"])).astype("int64")
    always = data["cohort"].gt(0) & data["cohort"].le(data["first_seen"])
    data["always"] = always
    reversals = panel.attrs.get("reversals") or []
    if reversals:
        notes.append(f"{len(reversals)} firms whose organization lapsed counted as adopters "
                     "from their first year with one")
    for column in ("employees", "age", "owner_party_member"):
        if column in frame.columns:
            data[column] = frame[column].astype("float64").to_numpy()
    prepared = _Prepared(data, outcome, first_year, last_year, notes)
    prepared.always_treated = int(data.loc[always, "firm"].nunique())
    return prepared


def _cluster_note(n_clusters: int) -> str | None:
    if n_clusters < FEW_CLUSTERS:
        return (
            f"only {n_clusters} regions: clustered standard errors are too small with fewer "
            f"than about {FEW_CLUSTERS} clusters, so the interval is too narrow"
        )
    return None


def _row(
    key: str,
    estimate: float,
    se: float,
    level: float,
    n_firms: int,
    n_obs: int,
    n_clusters: int,
    notes: list[str],
) -> dict[str, Any]:
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + level / 2))
    extra = _cluster_note(n_clusters)
    return {
        "estimator": ESTIMATORS[key],
        "estimate": float(estimate),
        "std_error": float(se),
        "ci_low": float(estimate - z * se),
        "ci_high": float(estimate + z * se),
        "n_firms": int(n_firms),
        "n_obs": int(n_obs),
        "n_clusters": int(n_clusters),
        "note": "; ".join([*notes, *([extra] if extra else [])]),
    }


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence pyfixest's notices inside an estimation call.

    pyfixest reports dropped collinear fixed effects as a ``UserWarning`` and still calls
    pandas APIs that pandas 3.1 deprecates; neither says anything about the estimate, and
    both would land in a notebook's output.
    """
    with warnings.catch_warnings():
        for category in (UserWarning, FutureWarning, DeprecationWarning):
            warnings.simplefilter("ignore", category)
        yield


def _naive(p: _Prepared, year: int | None, level: float) -> dict[str, Any]:
    import statsmodels.api as sm

    year = p.last_year if year is None else year
    cross = p.data[p.data["year"] == year]
    if cross.empty:
        raise ValueError(f"naive_year: no firm-year in {year}")
    exog = sm.add_constant(cross["has"].astype("float64").to_numpy())
    fit = sm.OLS(cross["y"].to_numpy(), exog).fit(
        cov_type="cluster", cov_kwds={"groups": cross["region"].to_numpy()}
    )
    n_with = int(cross["has"].sum())
    note = (
        f"{year} cross-section: {n_with:,} firms with an organization against "
        f"{len(cross) - n_with:,} without; nothing controls for how adopters differ"
    )
    return _row("naive", fit.params[1], fit.bse[1], level, cross["firm"].nunique(), len(cross),
                cross["region"].nunique(), [note])


def _staggered_sample(p: _Prepared) -> tuple[pd.DataFrame, list[str]]:
    data = p.data[~p.data["always"]]
    notes = []
    if p.always_treated:
        notes.append(f"{p.always_treated:,} firms with an organization from their first year "
                     "left out (no year without one)")
    if not (data["cohort"] == 0).any():
        raise ValueError(
            "panel: every firm adopts during the panel; the staggered estimators need firms "
            "without an organization through the last year as controls"
        )
    if not (data["cohort"] > 0).any():
        raise ValueError("panel: no firm sets up an organization during the panel")
    return data, notes


def _twfe(p: _Prepared, level: float) -> dict[str, Any]:
    import pyfixest as pf

    with _quiet():
        fit = pf.feols("y ~ treat | firm + year", data=p.data, vcov={"CRV1": "region"})
    est, se = float(fit.coef()["treat"]), float(fit.se()["treat"])
    notes = ["firm and year fixed effects; biased if effects differ by cohort or grow with "
             "time since adoption"]
    return _row("twfe", est, se, level, p.data["firm"].nunique(), fit._N,
                p.data["region"].nunique(), notes)


def _cells(data: pd.DataFrame) -> pd.Series:
    """Label each firm-year by adoption cohort and relative year; ``ref`` for the reference."""
    rel = data["year"] - data["cohort"]
    label = data["cohort"].astype("str") + ":" + rel.astype("str")
    return label.where((data["cohort"] > 0) & (rel != -1), "ref")


def _sun_abraham_fit(data: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
    """Fit the saturated regression; return the fit and its cells (cohort, rel, n, name)."""
    import pandas as pd
    import pyfixest as pf

    data = data.assign(cell=_cells(data))
    with _quiet():
        fit = pf.feols(
            "y ~ i(cell, ref='ref') | firm + year", data=data, vcov={"CRV1": "region"}
        )
    names = list(fit._coefnames)
    counts = data.loc[data["cell"] != "ref", "cell"].value_counts()
    rows = []
    for k, name in enumerate(names):
        label = name.split("::", 1)[1] if "::" in name else name
        cohort, rel = label.split(":")
        rows.append({"index": k, "cell": label, "cohort": int(cohort), "rel": int(rel),
                     "n": int(counts.get(label, 0))})
    return fit, pd.DataFrame(rows)


def _combine(fit: Any, weights: np.ndarray) -> tuple[float, float]:
    """Estimate and standard error of a weighted sum of the fit's coefficients.

    pyfixest keeps the coefficients and their clustered covariance in ``_beta_hat`` and
    ``_vcov`` (no public accessor in 0.60, the version pinned in pyproject.toml).
    """
    import numpy as np

    beta = np.asarray(fit._beta_hat, dtype=float)
    vcov = np.asarray(fit._vcov, dtype=float)
    return float(weights @ beta), float(math.sqrt(max(weights @ vcov @ weights, 0.0)))


def _sun_abraham(p: _Prepared, level: float) -> dict[str, Any]:
    import numpy as np

    data, notes = _staggered_sample(p)
    fit, cells = _sun_abraham_fit(data)
    post = cells[cells["rel"] >= 0]
    weights = np.zeros(len(cells))
    weights[post["index"].to_numpy()] = post["n"].to_numpy() / post["n"].sum()
    est, se = _combine(fit, weights)
    n_cohorts = post["cohort"].nunique()
    notes = [f"{n_cohorts} adoption cohorts against firms that never adopt in the panel; "
             "average over adopters' firm-years with an organization", *notes]
    return _row("sun_abraham", est, se, level, data["firm"].nunique(), fit._N,
                data["region"].nunique(), notes)


def _did2s(p: _Prepared, level: float) -> dict[str, Any]:
    import pyfixest as pf

    data, notes = _staggered_sample(p)
    with _quiet():
        fit = pf.did2s(data, yname="y", first_stage="~ 0 | firm + year",
                       second_stage="~ treat", treatment="treat", cluster="region")
    est, se = float(fit.coef()["treat"]), float(fit.se()["treat"])
    notes = ["fixed effects fitted on firm-years without an organization, effect from the "
             "rest; average over adopters' firm-years with an organization", *notes]
    return _row("did2s", est, se, level, data["firm"].nunique(), len(data),
                data["region"].nunique(), notes)


def _psw_sample(p: _Prepared) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One row per firm: adopter flag, first-year covariates and the last year's outcome."""
    import numpy as np

    data = p.data[~p.data["always"]]
    first = data[data["year"] == p.first_year].set_index("firm")
    second = data[data["year"] == p.first_year + 1].set_index("firm")
    last = data[data["year"] == p.last_year].set_index("firm")
    firms = first.index.intersection(last.index)
    unobserved = data["firm"].nunique() - len(firms)
    out = first.loc[firms, ["region"]].copy()
    out["adopter"] = (last.loc[firms, "cohort"] > 0).astype("float64")
    out["y"] = last.loc[firms, "y"]
    covariates = []
    if "employees" in first:
        emp = first.loc[firms, "employees"]
        out["log_employees"] = np.log(emp.where(emp > 0))
        covariates.append("log_employees")
        if "employees" in second:
            later = second["employees"].reindex(firms)
            out["employment_growth"] = np.log(later.where(later > 0)) - out["log_employees"]
            covariates.append("employment_growth")
    for column in ("age", "owner_party_member"):
        if column in first:
            out[column] = first.loc[firms, column]
            covariates.append(column)
    # Firms that adopt in the first two years have no pre-adoption growth: leave them out.
    early = last.loc[firms, "cohort"].between(1, p.first_year + 1)
    complete = out[covariates].notna().all(axis=1) & ~early
    notes = []
    if unobserved:
        notes.append(f"{unobserved:,} firms not observed in both {p.first_year} and "
                     f"{p.last_year} left out")
    dropped = int((~complete).sum())
    if dropped:
        notes.append(f"{dropped:,} firms without first-year covariates or adopting in the first "
                     "two years left out")
    return out[complete], covariates, notes


def _propensity(sample: pd.DataFrame, covariates: list[str]) -> np.ndarray:
    import numpy as np
    import statsmodels.api as sm

    exog = sm.add_constant(sample[covariates].to_numpy(dtype=float))
    fit = sm.Logit(sample["adopter"].to_numpy(), exog).fit(disp=0)
    return np.asarray(fit.predict(exog))


def _att_weights(adopter: np.ndarray, score: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(adopter == 1, 1.0, score / (1.0 - score))


def balance_table(panel: pd.DataFrame, outcome: str = "output") -> pd.DataFrame:
    """Balance of the propensity-score weighting of :func:`firm_effects`.

    One row per covariate: means of adopters and never-adopters before weighting, the
    never-adopters' weighted mean, and the standardized mean difference (difference of
    means over the square root of the average of the two groups' variances) before and
    after weighting. Values above about 0.1 are commonly read as imbalance.
    """
    import numpy as np
    import pandas as pd

    p = _prepare(panel, outcome, log=True)
    sample, covariates, _ = _psw_sample(p)
    if not covariates:
        return pd.DataFrame(columns=["covariate", "mean_adopters", "mean_others",
                                     "mean_others_weighted", "smd_before", "smd_after"])
    score = _propensity(sample, covariates)
    adopter = sample["adopter"].to_numpy()
    w = _att_weights(adopter, score)
    rows = []
    for name in covariates:
        x = sample[name].to_numpy(dtype=float)
        t, c = x[adopter == 1], x[adopter == 0]
        wc = w[adopter == 0]
        pooled = math.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2) or float("nan")
        mean_w = float(np.average(c, weights=wc))
        rows.append({
            "covariate": name,
            "mean_adopters": float(t.mean()),
            "mean_others": float(c.mean()),
            "mean_others_weighted": mean_w,
            "smd_before": float((t.mean() - c.mean()) / pooled),
            "smd_after": float((t.mean() - mean_w) / pooled),
        })
    return pd.DataFrame(rows)


def _psw(p: _Prepared, level: float) -> dict[str, Any]:
    import statsmodels.api as sm

    sample, covariates, notes = _psw_sample(p)
    if not covariates or sample["adopter"].nunique() < 2:
        nan = float("nan")
        return {
            "estimator": ESTIMATORS["psw"], "estimate": nan, "std_error": nan,
            "ci_low": nan, "ci_high": nan, "n_firms": len(sample), "n_obs": len(sample),
            "n_clusters": int(sample["region"].nunique()),
            "note": "not estimated: the weighting needs first-year employees, age or the "
                    "owner's party membership, and both adopters and never-adopters",
        }
    score = _propensity(sample, covariates)
    adopter = sample["adopter"].to_numpy()
    w = _att_weights(adopter, score)
    fit = sm.WLS(sample["y"].to_numpy(), sm.add_constant(adopter), weights=w).fit(
        cov_type="cluster", cov_kwds={"groups": sample["region"].to_numpy()}
    )
    n_adopters = int(adopter.sum())
    notes = [
        f"{p.last_year} outcome of {n_adopters:,} adopters against {len(sample) - n_adopters:,} "
        f"never-adopters weighted on first-year "
        f"{', '.join(_COVARIATE_WORDS[c] for c in covariates)}; balances only what "
        "is measured, and the interval ignores that the score is estimated",
        *notes,
    ]
    return _row("psw", fit.params[1], fit.bse[1], level, len(sample), len(sample),
                sample["region"].nunique(), notes)


def firm_effects(
    panel: pd.DataFrame,
    outcome: str = "output",
    *,
    estimators: Sequence[str] = DEFAULT_ESTIMATORS,
    log: bool = True,
    level: float = 0.95,
    naive_year: int | None = None,
) -> pd.DataFrame:
    """Estimate the effect of a party organization on ``outcome`` by several estimators.

    Args:
        panel: a checked panel (:func:`~dangjian_analysis.package.panel.load_firm_panel`,
            :func:`~dangjian_analysis.package.panel.check_firm_panel` or
            :func:`~dangjian_analysis.analysis.firm_synthetic.synthetic_firm_panel`).
        outcome: one of ``output``, ``sales``, ``value_added``, ``tax_paid``.
        estimators: keys of :data:`ESTIMATORS`, in any order (rows follow that order).
        log: estimate on the log of the outcome (effects are then approximately
            proportional changes); values of 0 or less are refused.
        level: confidence level of the intervals.
        naive_year: the year of the naive cross-section (default: the last).

    Returns:
        One row per estimator: ``estimator, estimate, std_error, ci_low, ci_high,
        n_firms, n_obs, n_clusters, note``; standard errors clustered by region.

    """
    import pandas as pd

    unknown = [e for e in estimators if e not in ESTIMATORS]
    if unknown:
        raise ValueError(f"estimators: expected keys of {list(ESTIMATORS)}, found {unknown}")
    if not 0 < level < 1:
        raise ValueError(f"level: expected a value between 0 and 1, found {level}")
    p = _prepare(panel, outcome, log)
    run = {
        "naive": lambda: _naive(p, naive_year, level),
        "twfe": lambda: _twfe(p, level),
        "sun_abraham": lambda: _sun_abraham(p, level),
        "did2s": lambda: _did2s(p, level),
        "psw": lambda: _psw(p, level),
    }
    rows = []
    for key in ESTIMATORS:
        if key in estimators:
            row = run[key]()
            if p.notes:
                row["note"] = "; ".join([row["note"], *p.notes])
            rows.append(row)
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame.attrs["outcome"] = outcome
    frame.attrs["log"] = log
    return frame


@dataclass(frozen=True)
class EventStudy:
    """Leads and lags of the effect, and the joint test that the leads are zero.

    Attributes:
        coefficients: one row per year relative to adoption (``rel_time``; -1 is the
            reference, shown with estimate 0): ``estimate, std_error, ci_low, ci_high,
            n_obs`` (adopters' firm-years in that relative year).
        pretrend_statistic: Wald statistic of "every lead (rel_time <= -2) is zero",
            divided by the number of leads (an F statistic).
        pretrend_df: numerator and denominator degrees of freedom (leads, regions - 1).
        pretrend_p: its p-value; small values say adopters' outcomes were already
            moving apart before adoption, and the design does not identify an effect.
        n_firms, n_obs, n_clusters: the sample (firms, firm-years, regions).

    """

    coefficients: pd.DataFrame
    pretrend_statistic: float
    pretrend_df: tuple[int, int]
    pretrend_p: float
    n_firms: int
    n_obs: int
    n_clusters: int
    outcome: str


def event_study(
    panel: pd.DataFrame,
    outcome: str = "output",
    *,
    log: bool = True,
    level: float = 0.95,
    window: tuple[int, int] | None = None,
) -> EventStudy:
    """Leads and lags of the effect by the Sun-Abraham regression, with a pre-trend test.

    Each relative year's coefficient is the average of the cohort-specific coefficients
    for that year, weighted by the cohorts' firm-years in it (Sun and Abraham 2021), so
    it is not contaminated by other years' effects as a two-way fixed-effects event study
    is. The pre-trend test is the joint Wald test of every lead, as an F statistic with
    (leads, regions - 1) degrees of freedom, standard errors clustered by region.

    ``window`` (e.g. ``(-5, 5)``) limits the rows shown; the test always uses every lead.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import f as f_dist
    from scipy.stats import norm

    p = _prepare(panel, outcome, log)
    data, _ = _staggered_sample(p)
    fit, cells = _sun_abraham_fit(data)
    vcov = np.asarray(fit._vcov, dtype=float)
    beta = np.asarray(fit._beta_hat, dtype=float)
    rels = sorted(cells["rel"].unique().tolist())
    matrix = np.zeros((len(rels), len(cells)))
    counts = []
    for k, rel in enumerate(rels):
        here = cells[cells["rel"] == rel]
        matrix[k, here["index"].to_numpy()] = here["n"].to_numpy() / here["n"].sum()
        counts.append(int(here["n"].sum()))
    est = matrix @ beta
    cov = matrix @ vcov @ matrix.T
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    z = float(norm.ppf(0.5 + level / 2))
    coefficients = pd.DataFrame(
        {"rel_time": rels, "estimate": est, "std_error": se, "ci_low": est - z * se,
         "ci_high": est + z * se, "n_obs": counts}
    )
    reference = pd.DataFrame(
        {"rel_time": [-1], "estimate": [0.0], "std_error": [0.0], "ci_low": [0.0],
         "ci_high": [0.0], "n_obs": [int(((data["year"] - data["cohort"]) == -1).sum())]}
    )
    coefficients = (
        pd.concat([coefficients, reference]).sort_values("rel_time").reset_index(drop=True)
    )
    leads = [k for k, rel in enumerate(rels) if rel <= -2]
    n_clusters = int(data["region"].nunique())
    if leads:
        b = est[leads]
        v = cov[np.ix_(leads, leads)]
        stat = float(b @ np.linalg.pinv(v) @ b) / len(leads)
        dfs = (len(leads), n_clusters - 1)
        p_value = float(f_dist.sf(stat, *dfs))
    else:
        stat, dfs, p_value = float("nan"), (0, n_clusters - 1), float("nan")
    if window is not None:
        lo, hi = window
        coefficients = coefficients[coefficients["rel_time"].between(lo, hi)].reset_index(
            drop=True
        )
    return EventStudy(coefficients, stat, dfs, p_value, int(data["firm"].nunique()), fit._N,
                      n_clusters, outcome)
