"""Print the time and peak memory of validate() on synthetic packages of two sizes.

Each size is validated in a fresh interpreter (so memory is that run's alone), after the
package is written by benchmarks/synthetic.py (SYNTHETIC figures, not real data). The
target (issue #24): 200,000 figure rows validate in under 8 s and under 300 MB, and time
and memory grow linearly in the rows. Usage:

    python benchmarks/bench_validate.py [--rows 100000 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import resource, sys, time
import dangjian_analysis.package.validation as v
t0 = time.perf_counter()
v.validate(sys.argv[1])
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB on Linux
print(seconds, peak)
"""

BASELINE = "import resource, dangjian_analysis.package.validation; " + (
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
)

YEARS = 20  # synthetic.py writes `years` figures per region


def measure(folder: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)], check=True, capture_output=True, text=True
    )
    seconds, peak = out.stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from synthetic import make_package

    base = subprocess.run(
        [sys.executable, "-c", BASELINE], check=True, capture_output=True, text=True
    )
    print(
        f"python {sys.version.split()[0]}; peak memory of the interpreter with the validator "
        f"imported: {float(base.stdout):.0f} MB; median of {args.repeat} runs"
    )
    print(f"{'figure rows':>12} {'MB of CSV':>10} {'seconds':>9} {'peak MB':>8} {'µs/row':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            folder = make_package(Path(tmp) / f"p{rows}", regions=rows // YEARS, years=YEARS)
            size = (folder / "figures.csv").stat().st_size / 1e6
            runs = [measure(folder) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            print(
                f"{rows:>12,} {size:>10.1f} {seconds:>9.2f} {peak:>8.0f} "
                f"{seconds / rows * 1e6:>7.1f}"
            )


if __name__ == "__main__":
    main()
