"""Time the analysis layer on a SYNTHETIC package, and the whole notebook suite.

1. Generates a synthetic data package (benchmarks/synthetic.py; default 1,000 regions ×
   20 years = 20,000 figures, clearly labelled synthetic and never used in the notebooks)
   and times loading it and each metric and model function on it. Target: the analysis
   (everything after loading) in under 2 s.
   Each function runs three times; the median is printed beside the first call.
2. Executes every notebook in notebooks/ from a fresh kernel (nbclient) and prints the
   time of each and of the suite. Target: the suite in under 60 s.

Usage: python benchmarks/bench_analysis.py [--regions N] [--years Y] [--skip-notebooks]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_package

ROOT = Path(__file__).resolve().parent.parent


REPEAT = 3


def timed(label: str, func: Callable[[], Any], log: list[tuple[str, float]]) -> Any:
    """Run ``func`` REPEAT times; log and print the median time, and the first call's."""
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    log.append((label, median))
    print(f"  {label:58s} {median * 1000:9.1f} ms  (first call {times[0] * 1000:.1f} ms)")
    return result


def bench_analysis(regions: int, years: int) -> None:
    import dangjian_analysis as dj
    from dangjian_analysis.analysis.crosssection import cross_section, preferred_pairs
    from dangjian_analysis.analysis.derived import compound_growth_rates, derived_ratios
    from dangjian_analysis.analysis.intervals import Interval
    from dangjian_analysis.analysis.models import ols_hc3, rank_correlation, slope_bounds

    start = time.perf_counter()
    import scipy.optimize
    import scipy.stats  # noqa: F401
    import statsmodels.api  # noqa: F401

    print(f"  {'imports on first use (scipy, statsmodels), not counted':58s} "
          f"{(time.perf_counter() - start) * 1000:9.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_package(Path(tmp) / "synthetic", regions=regions, years=years)
        print(f"SYNTHETIC package: {regions} regions × {years} years")
        log: list[tuple[str, float]] = []
        figures = timed("load_figures (validates)", lambda: dj.load_figures(folder), log)
        scopes = dj.load_scopes(folder, validate=False)
        settings = dj.read_analysis_settings(folder)
        print(f"  ({len(figures)} figures)")
        parts: list[tuple[str, float]] = []
        print("  the parts, each timed on its own:")
        chosen = {"settings": settings}
        timed("derived_ratios (strict)", lambda: derived_ratios(figures, scopes, **chosen), parts)
        timed("derived_ratios (printed_step)",
              lambda: derived_ratios(figures, scopes, open_bounds="printed_step", **chosen), parts)
        timed("compound_growth_rates", lambda: compound_growth_rates(figures, **chosen), parts)
        print("  one analysis pass, as a notebook runs it:")
        analysis: list[tuple[str, float]] = []
        cross = timed("cross_section (output growth; derives ratios and growth itself)",
                      lambda: cross_section(figures, scopes, "output_growth", **chosen), analysis)
        pairs = timed("preferred_pairs", lambda: preferred_pairs(cross), analysis)
        x, y = pairs["coverage_value"].to_numpy(), pairs["outcome_value"].to_numpy()
        timed(f"rank_correlation spearman (n={len(x)}, 9,999 permutations)",
              lambda: rank_correlation(x, y), analysis)
        timed(f"rank_correlation kendall (n={len(x)})",
              lambda: rank_correlation(x, y, method="kendall"), analysis)
        timed(f"ols_hc3 (n={len(x)})", lambda: ols_hc3(x, y), analysis)
        xi = [Interval(v, lo, hi) for v, lo, hi in zip(
            pairs["coverage_value"], pairs["coverage_lower"],
            pairs["coverage_upper"].clip(upper=1.0), strict=True)]
        yi = [Interval.exact(v) for v in y]
        timed(f"slope_bounds (n={len(x)}, interval x)", lambda: slope_bounds(xi, yi), analysis)
        total = sum(t for _, t in analysis)
        verdict = "meets" if total < 2 else "MISSES"
        print(f"  {'analysis pass total (after loading)':58s} {total * 1000:9.1f} ms  "
              f"({verdict} the 2 s target)")


def bench_notebooks() -> None:
    import nbformat
    from nbclient import NotebookClient

    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    print(f"notebook suite: {len(notebooks)} notebooks, fresh kernel each")
    total = 0.0
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, kernel_name="python3", timeout=600,
                       extra_arguments=["--IPKernelApp.log_level=ERROR"],
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        elapsed = time.perf_counter() - start
        total += elapsed
        print(f"  {path.name:58s} {elapsed:9.1f} s")
    verdict = "meets" if total < 60 else "MISSES"
    print(f"  {'suite total':58s} {total:9.1f} s  ({verdict} the 60 s target)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regions", type=int, default=1000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--skip-notebooks", action="store_true")
    args = parser.parse_args()
    bench_analysis(args.regions, args.years)
    if not args.skip_notebooks:
        bench_notebooks()


if __name__ == "__main__":
    main()
