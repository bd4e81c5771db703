"""A synthetic firm-year panel in which the effect of a party organization is known.

:func:`synthetic_firm_panel` draws a panel in the firm-panel format
(:mod:`dangjian_analysis.package.panel`) from a seeded :class:`numpy.random.Generator`, so
the same arguments always give the same panel. It exists to test methods: an estimator
that cannot recover an effect planted here cannot be trusted on real data. **A synthetic
panel is never evidence about China.**

The model, for firm *i* in region *r* and year *t*::

    log output_it = a_i + region_r + year_t + shock_rt + tau_it + pretrend_it + e_it

- ``a_i`` rises with the firm's size (log employees in the first year) and with an
  unobserved productivity ``v_i``; the firm's employment grows faster the larger ``v_i``.
- ``year_t`` is common nominal growth, ``region_r`` a region's level, ``shock_rt`` a
  region-year shock and ``e_it`` a firm-year shock (all normal).
- Adoption comes in regional campaign waves: each region runs its campaign in one of
  ``waves`` years; in its region's campaign a firm sets up an organization that year or
  the next, or never in the panel. Which firms adopt depends on size, prior growth of
  employment (first to second panel year) and ``v_i`` (selection on unobservables), so
  adopters are larger and more productive than the rest: a naive comparison is biased
  upwards, while parallel trends hold unless a pre-trend is planted.
- ``tau_it`` is the effect of having an organization on log output: ``effect``, optionally
  phased in over ``ramp_years`` and differing across cohorts (``cohort_spread``). The
  effect on log tax paid is ``tax_effect`` (by default the same).
- ``pre_trend`` makes adopters' log output grow faster by that much a year before they
  adopt (a violation of parallel trends that an event study should flag).
- A share ``initial_share`` of firms had an organization before the panel starts.

The true averages are in ``panel.attrs["truth"]``: the mean effect over adopters'
firm-years with an organization (``att``, what a staggered difference-in-differences
estimates) and over adopters in the last year (``att_last_year``, what a cross-section of
that year would estimate without bias), for output and for tax.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dangjian_analysis.package.panel import (
    ABOVE_SCALE_THRESHOLDS,
    OUTCOMES,
    panel_frame,
    write_firm_panel,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_FIRST_YEAR", "synthetic_firm_panel"]

#: First year of a panel when ``years`` is a number of years.
DEFAULT_FIRST_YEAR = 2008

_OWNERSHIP = (("private", 0.85), ("foreign", 0.08), ("hong_kong_macao_taiwan", 0.07))
_INDUSTRIES = ("C13", "C17", "C18", "C26", "C29", "C33", "C34", "C38", "C39", "F51")


def _years(years: int | Sequence[int]) -> list[int]:
    if isinstance(years, int):
        if years < 4:
            raise ValueError(f"years: expected at least 4 years, found {years}")
        return list(range(DEFAULT_FIRST_YEAR, DEFAULT_FIRST_YEAR + years))
    out = [int(y) for y in years]
    if len(out) < 4 or out != list(range(out[0], out[0] + len(out))):
        raise ValueError(f"years: expected at least 4 consecutive years, found {out}")
    return out


def _wave_offsets(n_years: int, waves: int) -> list[int]:
    """Campaign years as offsets into the panel: at least two years before, one after."""
    first, last = 2, n_years - 2
    if waves < 1:
        raise ValueError(f"waves: expected at least 1, found {waves}")
    if waves == 1:
        return [(first + last) // 2]
    step = (last - first) / (waves - 1)
    return sorted({first + round(k * step) for k in range(waves)})


def synthetic_firm_panel(
    n_firms: int = 2000,
    years: int | Sequence[int] = 10,
    effect: float = 0.05,
    seed: int = 0,
    *,
    n_regions: int = 40,
    waves: int = 3,
    adoption_share: float = 0.4,
    initial_share: float = 0.05,
    selection_size: float = 1.0,
    selection_growth: float = 0.5,
    selection_unobserved: float = 0.5,
    tax_effect: float | None = None,
    pre_trend: float = 0.0,
    cohort_spread: float = 0.0,
    ramp_years: int = 0,
    noise: float = 0.15,
    path: str | Path | None = None,
    overwrite: bool = False,
) -> pd.DataFrame:
    """Draw a seeded firm-year panel with a planted effect of adoption; see the module doc.

    Args:
        n_firms: firms in the panel (every firm is observed every year).
        years: a number of years (from 2008, so the panel spans the 2011 change of the
            above-scale threshold) or the years themselves, consecutive, at least 4.
        effect: the effect of having a party organization on log output.
        seed: seed of the random generator; the same arguments give the same panel.
        n_regions: regions, the clusters of inference (use 30 or more).
        waves: campaign years, spread over the panel (each region has one).
        adoption_share: share of firms (without an organization at the start) that set
            one up during the panel.
        initial_share: share of firms with an organization before the first year.
        selection_size: weight of size (standardized log employees) in the choice of
            adopters.
        selection_growth: weight of prior employment growth (first to second year).
        selection_unobserved: weight of unobserved productivity; the three at zero make
            adoption random within campaign regions.
        tax_effect: effect on log tax paid (default: ``effect``).
        pre_trend: extra yearly growth of adopters' log output before adoption.
        cohort_spread: the earliest cohort's effect is ``effect + cohort_spread``, the
            latest's ``effect - cohort_spread``, the others in between.
        ramp_years: the effect grows linearly to its full size over this many years.
        noise: standard deviation of the firm-year shock of log output.
        path: when given, the panel is also written there as a panel package.
        overwrite: replace the files of a panel package already at ``path``.

    Returns:
        The panel as :func:`~dangjian_analysis.package.panel.load_firm_panel` returns it,
        with ``attrs["truth"]`` (true average effects) and ``attrs["synthetic"]`` (the
        arguments).

    """
    import numpy as np
    import pandas as pd

    year_list = _years(years)
    n_years = len(year_list)
    if n_firms < 10:
        raise ValueError(f"n_firms: expected at least 10, found {n_firms}")
    if n_regions < 2:
        raise ValueError(f"n_regions: expected at least 2, found {n_regions}")
    for name, share in (("adoption_share", adoption_share), ("initial_share", initial_share)):
        if not 0 <= share < 1:
            raise ValueError(f"{name}: expected a share in [0, 1), found {share}")
    if adoption_share + initial_share >= 1:
        raise ValueError("adoption_share + initial_share: expected less than 1")
    if ramp_years < 0:
        raise ValueError(f"ramp_years: expected 0 or more, found {ramp_years}")
    tax_effect = effect if tax_effect is None else tax_effect

    rng = np.random.default_rng(seed)
    t = np.arange(n_years)
    region = rng.integers(0, n_regions, size=n_firms)

    # Firm traits.
    log_emp0 = rng.normal(math.log(80.0), 1.0, n_firms)
    productivity = rng.normal(0.0, 0.5, n_firms)
    emp_growth = 0.02 + 0.06 * productivity + rng.normal(0.0, 0.03, n_firms)
    log_emp = (
        log_emp0[:, None]
        + emp_growth[:, None] * t[None, :]
        + rng.normal(0, 0.05, (n_firms, n_years))
    )
    age0 = rng.integers(1, 31, n_firms)
    ownership_p = np.array([p for _, p in _OWNERSHIP])
    ownership = rng.choice(len(_OWNERSHIP), size=n_firms, p=ownership_p / ownership_p.sum())
    industry = rng.integers(0, len(_INDUSTRIES), n_firms)
    a = math.log(3.0e5) + 0.9 * log_emp0 + productivity

    # Who adopts, and when.
    def z(x: np.ndarray) -> np.ndarray:
        sd = x.std()
        return (x - x.mean()) / sd if sd > 0 else x * 0.0

    prior_growth = log_emp[:, 1] - log_emp[:, 0]
    index = (
        selection_size * z(log_emp0)
        + selection_growth * z(prior_growth)
        + selection_unobserved * z(productivity)
    )
    initial_latent = index + rng.logistic(0.0, 1.0, n_firms)
    n_initial = round(initial_share * n_firms)
    initial = np.zeros(n_firms, dtype=bool)
    initial[np.argsort(-initial_latent, kind="stable")[:n_initial]] = True
    latent = np.where(initial, -np.inf, index + rng.logistic(0.0, 1.0, n_firms))
    n_adopt = round(adoption_share * n_firms)
    adopter = np.zeros(n_firms, dtype=bool)
    adopter[np.argsort(-latent, kind="stable")[:n_adopt]] = True
    offsets = _wave_offsets(n_years, waves)
    region_wave = rng.choice(np.array(offsets), size=n_regions)
    delay = (rng.random(n_firms) < 0.4).astype(int)
    cohort_offset = np.minimum(region_wave[region] + delay, n_years - 1)
    cohort = np.where(adopter, cohort_offset, -1)  # offset of adoption year; -1: none
    initial_org_year = year_list[0] - rng.integers(1, 11, n_firms)

    # Effects by cohort, phased in over ramp_years.
    cohorts = np.unique(cohort[adopter])
    if len(cohorts) > 1:
        position = (cohorts - cohorts.min()) / (cohorts.max() - cohorts.min()) * 2 - 1
    else:
        position = np.zeros(len(cohorts))
    cohort_effect = dict(
        zip(cohorts.tolist(), (effect - cohort_spread * position).tolist(), strict=True)
    )
    firm_effect = np.array([cohort_effect.get(c, 0.0) for c in cohort.tolist()])
    since = t[None, :] - cohort[:, None]
    treated = adopter[:, None] & (since >= 0)
    ramp = np.minimum(1.0, (since + 1) / ramp_years) if ramp_years else np.ones_like(since)
    share_of_effect = np.where(treated, ramp, 0.0)
    tau = firm_effect[:, None] * share_of_effect
    tax_tau = (tax_effect / effect if effect else 0.0) * tau
    if effect == 0 and tax_effect != 0:
        tax_tau = tax_effect * share_of_effect
    pre = np.where(adopter[:, None] & (since < 0), pre_trend * since, 0.0)

    # Outcomes.
    year_effect = np.cumsum(np.r_[0.0, rng.normal(0.06, 0.02, n_years - 1)])
    region_effect = rng.normal(0.0, 0.3, n_regions)
    region_shock = rng.normal(0.0, 0.03, (n_regions, n_years))
    log_output = (
        a[:, None]
        + region_effect[region][:, None]
        + year_effect[None, :]
        + region_shock[region]
        + tau
        + pre
        + rng.normal(0.0, noise, (n_firms, n_years))
    )
    log_sales = log_output + rng.normal(-0.02, 0.05, (n_firms, n_years))
    log_value_added = log_output + math.log(0.25) + rng.normal(0.0, 0.1, (n_firms, n_years))
    tax_rate = rng.normal(math.log(0.03), 0.3, n_firms)
    log_tax = (
        log_output - tau + tax_tau + tax_rate[:, None] + rng.normal(0, 0.1, (n_firms, n_years))
    )
    owner_member = rng.random(n_firms) < np.where(adopter | initial, 0.45, 0.25)

    def cents(x: np.ndarray) -> np.ndarray:
        return np.round(np.exp(x), 2)

    year_arr = np.array(year_list)
    has_org = treated | initial[:, None]
    org_year_firm = np.where(
        initial, initial_org_year, np.where(adopter, year_arr[np.maximum(cohort, 0)], -1)
    )
    org_year = np.where(has_org, org_year_firm[:, None], -1)
    sales = cents(log_sales)
    threshold = np.array([_threshold(y) for y in year_list])
    digits = len(str(n_firms))
    columns: dict[str, object] = {
        "firm_id": np.repeat([f"F{i + 1:0{digits}d}" for i in range(n_firms)], n_years),
        "year": np.tile(year_arr, n_firms),
        "region": np.repeat([f"R{r + 1:02d}" for r in region], n_years),
        "industry": np.repeat(np.array(_INDUSTRIES)[industry], n_years),
        "ownership": np.repeat(np.array([o for o, _ in _OWNERSHIP])[ownership], n_years),
        "employees": np.maximum(1, np.round(np.exp(log_emp))).astype(np.int64).ravel(),
        "age": (age0[:, None] + t[None, :]).ravel(),
        "above_scale": (sales >= threshold[None, :]).ravel(),
        "has_party_org": has_org.ravel(),
        "party_org_year": pd.array(np.where(org_year >= 0, org_year, 0).ravel(), dtype="Int64"),
        "owner_party_member": np.repeat(owner_member, n_years),
    }
    columns["party_org_year"][~has_org.ravel()] = pd.NA  # type: ignore[index]
    values = {
        "output": cents(log_output),
        "sales": sales,
        "value_added": cents(log_value_added),
        "tax_paid": cents(log_tax),
    }
    for outcome in OUTCOMES:
        columns[outcome] = values[outcome].ravel()
        columns[f"{outcome}_currency"] = "CNY"
        columns[f"{outcome}_price_basis"] = "nominal"
    panel = panel_frame(pd.DataFrame(columns))

    last = n_years - 1
    in_last = adopter & treated[:, last]
    panel.attrs["truth"] = {
        "output": {
            "att": float(tau[treated].mean()) if treated.any() else float("nan"),
            "att_last_year": float(tau[in_last, last].mean()) if in_last.any() else float("nan"),
        },
        "tax_paid": {
            "att": float(tax_tau[treated].mean()) if treated.any() else float("nan"),
            "att_last_year": (
                float(tax_tau[in_last, last].mean()) if in_last.any() else float("nan")
            ),
        },
        "cohort_effects": {str(year_list[c]): e for c, e in cohort_effect.items()},
    }
    panel.attrs["synthetic"] = {
        "n_firms": n_firms,
        "years": [year_list[0], year_list[-1]],
        "effect": effect,
        "seed": seed,
        "n_regions": n_regions,
        "waves": [year_list[o] for o in offsets],
        "adoption_share": adoption_share,
        "initial_share": initial_share,
        "pre_trend": pre_trend,
        "cohort_spread": cohort_spread,
        "ramp_years": ramp_years,
    }
    if path is not None:
        write_firm_panel(panel, path, overwrite=overwrite)
    return panel


def _threshold(year: int) -> float:
    """Return the above-scale threshold of main business revenue in ``year`` (yuan)."""
    for first_year, threshold in sorted(ABOVE_SCALE_THRESHOLDS.items(), reverse=True):
        if year >= first_year:
            return float(threshold)
    earliest = min(ABOVE_SCALE_THRESHOLDS)
    raise ValueError(f"years: no above-scale threshold is known before {earliest}")
