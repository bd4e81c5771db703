"""Power of a planned firm-panel study, by seeded simulation.

:func:`panel_power` draws synthetic panels of the planned size
(:func:`~dangjian_analysis.analysis.firm_synthetic.synthetic_firm_panel`), estimates the
effect on each with the Sun-Abraham estimator of
:func:`~dangjian_analysis.analysis.firm_effects.firm_effects` (standard errors clustered by
region) and counts how often the 95% interval excludes zero. The share is a Monte-Carlo
estimate: its simulation standard error ``sqrt(p (1 - p) / n_sims)`` and a Wilson interval
are reported beside it, so a reader sees how far more simulations could move it.

The seeds of the simulated panels come from one :class:`numpy.random.SeedSequence` of the
seed and the design, so a design's result is the same on every run and every machine.
Power is that of the synthetic design (its noise, selection and number of regions): a
real panel with noisier outcomes or fewer regions has less.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dangjian_analysis.analysis.firm_effects import firm_effects
from dangjian_analysis.analysis.firm_synthetic import synthetic_firm_panel

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["POWER_COLUMNS", "panel_power"]

POWER_COLUMNS = [
    "n_firms", "years", "adoption_share", "effect", "n_regions", "n_sims", "power",
    "mc_error", "power_low", "power_high", "mean_estimate", "mean_std_error",
]


def _wilson(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def panel_power(
    n_firms: int | Sequence[int] = 4500,
    years: int = 6,
    adoption_share: float = 0.3,
    effect: float | Sequence[float] = 0.03,
    *,
    n_sims: int = 200,
    seed: int = 0,
    n_regions: int = 40,
    level: float = 0.95,
    estimator: str = "sun_abraham",
    **panel_options: Any,
) -> pd.DataFrame:
    """Power of a planned study to find ``effect`` (on log output), by simulation.

    Args:
        n_firms: firms in the panel; a sequence gives one row per size.
        years: years observed (consecutive).
        adoption_share: share of firms that set up an organization during the panel.
        effect: the true effect on log output; a sequence gives one row per effect.
        n_sims: simulated panels per design (the Monte-Carlo error shrinks as
            ``1 / sqrt(n_sims)``).
        seed: seed of the simulation; same arguments, same result.
        n_regions: regions (clusters).
        level: confidence level of the test (a two-sided test at ``1 - level``).
        estimator: the :func:`firm_effects` estimator whose interval is used.
        **panel_options: further arguments of :func:`synthetic_firm_panel` (selection,
            noise, waves, ...).

    Returns:
        One row per design: the design, ``power``, its simulation standard error
        ``mc_error``, a 95% Wilson interval ``power_low``-``power_high``, and the mean
        estimate and standard error over the simulations.

    """
    import numpy as np
    import pandas as pd

    if n_sims < 1:
        raise ValueError(f"n_sims: expected at least 1, found {n_sims}")
    sizes = [n_firms] if isinstance(n_firms, int) else list(n_firms)
    effects = [effect] if isinstance(effect, int | float) else list(effect)
    rows = []
    for size in sizes:
        for eff in effects:
            design = [seed, size, years, round(adoption_share * 1e6), round(eff * 1e6),
                      n_regions]
            states = np.random.SeedSequence([abs(int(v)) for v in design]).generate_state(
                n_sims
            )
            rejections = 0
            estimates, errors = [], []
            for state in states.tolist():
                panel = synthetic_firm_panel(
                    size, years, eff, int(state), n_regions=n_regions,
                    adoption_share=adoption_share, **panel_options,
                )
                row = firm_effects(panel, "output", estimators=(estimator,), level=level)
                low, high = float(row["ci_low"].iat[0]), float(row["ci_high"].iat[0])
                rejections += int(low > 0 or high < 0)
                estimates.append(float(row["estimate"].iat[0]))
                errors.append(float(row["std_error"].iat[0]))
            power = rejections / n_sims
            low, high = _wilson(rejections, n_sims)
            rows.append({
                "n_firms": size, "years": years, "adoption_share": adoption_share,
                "effect": eff, "n_regions": n_regions, "n_sims": n_sims, "power": power,
                "mc_error": math.sqrt(power * (1 - power) / n_sims),
                "power_low": low, "power_high": high,
                "mean_estimate": float(np.mean(estimates)),
                "mean_std_error": float(np.mean(errors)),
            })
    return pd.DataFrame(rows, columns=POWER_COLUMNS)
