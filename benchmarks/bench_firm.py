"""Coverage, bias and speed of the firm-panel estimators on SYNTHETIC panels.

Synthetic panels test methods; they are never evidence about China.

1. Draws ``--seeds`` panels (default 200) of ``--firms`` firms x ``--years`` years with the
   default selection (adopters larger and more productive) and a planted effect, runs every
   estimator of ``firm_effects`` and prints, for each: its target (the average effect over
   adopters' firm-years with an organization for the panel estimators, over adopters in the
   last year for the cross-sections), the mean estimate, bias, RMSE, the mean standard
   error beside the standard deviation of the estimates, and the coverage of the 95%
   interval with its Monte-Carlo error. ``--heterogeneous`` plants effects that differ by
   cohort and grow over three years instead.
2. Times the default estimators (naive, TWFE, Sun-Abraham, weighting) and the event study on
   2,500 and 5,000 firms x 10 years (target: 5,000 x 10 in under 10 s; the time should
   double with the panel), after one warm-up call that loads the libraries. did2s is timed
   on its own (its variance is slow on large panels).

Usage: python benchmarks/bench_firm.py [--seeds N] [--firms N] [--years N] [--heterogeneous]
       [--skip-coverage] [--skip-timing]
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time

import numpy as np

import dangjian_analysis as dj

ESTIMATORS = ("naive", "twfe", "sun_abraham", "did2s", "psw")
CROSS_SECTIONS = {"naive cross-section", "propensity-score weighting"}


def coverage(seeds: int, firms: int, years: int, heterogeneous: bool) -> None:
    options = {"cohort_spread": 0.03, "ramp_years": 3} if heterogeneous else {}
    print(f"Coverage and bias over {seeds} seeds: {firms} firms x {years} years, 40 regions, "
          f"effect 0.05{' (differing by cohort, growing over 3 years)' if heterogeneous else ''}")
    results: dict[str, list[tuple[float, float, float, bool]]] = {}
    start = time.perf_counter()
    for seed in range(seeds):
        panel = dj.synthetic_firm_panel(firms, years, effect=0.05, seed=seed, **options)
        truth = panel.attrs["truth"]["output"]
        effects = dj.firm_effects(panel, estimators=ESTIMATORS)
        for _, row in effects.iterrows():
            target = truth["att_last_year" if row["estimator"] in CROSS_SECTIONS else "att"]
            covered = row["ci_low"] <= target <= row["ci_high"]
            results.setdefault(row["estimator"], []).append(
                (row["estimate"], row["std_error"], target, covered)
            )
    elapsed = time.perf_counter() - start
    print(f"  {'estimator':28s} {'target':>7s} {'mean':>8s} {'bias':>8s} {'RMSE':>7s} "
          f"{'mean SE':>8s} {'SD':>7s} {'coverage':>15s}")
    for name, rows in results.items():
        est = np.array([r[0] for r in rows])
        se = np.array([r[1] for r in rows])
        target = np.array([r[2] for r in rows])
        cov = float(np.mean([r[3] for r in rows]))
        mc = math.sqrt(cov * (1 - cov) / len(rows))
        kind = "last yr" if name in CROSS_SECTIONS else "ATT"
        print(f"  {name:28s} {kind:>7s} {est.mean():8.4f} {np.mean(est - target):+8.4f} "
              f"{math.sqrt(np.mean((est - target) ** 2)):7.4f} {se.mean():8.4f} "
              f"{est.std(ddof=1):7.4f} {cov:8.3f} ± {mc:.3f}")
    print(f"  ({elapsed:.0f} s, {elapsed / seeds:.2f} s a seed)")


def timed(label: str, func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"  {label:60s} {median:7.2f} s  (first {times[0]:.2f} s)")
    return median


def timing() -> None:
    print("Speed (median of 3 runs)")
    warm = dj.synthetic_firm_panel(200, 6, seed=0, n_regions=30)
    start = time.perf_counter()
    dj.firm_effects(warm)
    dj.event_study(warm)
    print(f"  {'warm-up: loading pandas, statsmodels, pyfixest (once)':60s} "
          f"{time.perf_counter() - start:7.2f} s")
    for firms in (2500, 5000):
        panel = dj.synthetic_firm_panel(firms, 10, seed=1)
        label = f"{firms:,} firms x 10 years"
        timed(f"{label}: draw the synthetic panel", lambda f=firms: dj.synthetic_firm_panel(
            f, 10, seed=1))
        with tempfile.TemporaryDirectory() as folder:
            dj.write_firm_panel(panel, folder)
            timed(f"{label}: check and load the panel package",
                  lambda d=folder: dj.load_firm_panel(d))
        timed(f"{label}: firm_effects (naive, TWFE, Sun-Abraham, weighting)",
              lambda p=panel: dj.firm_effects(p))
        timed(f"{label}: event_study", lambda p=panel: dj.event_study(p))
    small = dj.synthetic_firm_panel(1000, 10, seed=1)
    timed("1,000 firms x 10 years: did2s alone", lambda: dj.firm_effects(
        small, estimators=("did2s",)), repeat=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--firms", type=int, default=800)
    parser.add_argument("--years", type=int, default=8)
    parser.add_argument("--heterogeneous", action="store_true")
    parser.add_argument("--skip-coverage", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    print("SYNTHETIC panels: they test the estimators, they are not evidence about China.\n")
    if not args.skip_timing:
        timing()
        print()
    if not args.skip_coverage:
        coverage(args.seeds, args.firms, args.years, args.heterogeneous)


if __name__ == "__main__":
    main()
