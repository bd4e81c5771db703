"""Print the time and peak memory of validate() on SYNTHETIC packages of two sizes.

Two shapes of package, each written before it is measured: ``synthetic``
(benchmarks/synthetic.py: invented regions, counts and output figures, short rows) and
``replicated`` (benchmarks/replicated.py: the bundled figures in copies, each copy with
its own ids and regions: Chinese raws, long notes, see_also links). Each size is
validated in a fresh interpreter, so memory is that run's alone. The target (issue #24):
200,000 figure rows validate in under 8 s and under 300 MB, and time grows linearly in
the rows. Usage:

    python benchmarks/bench_validate.py [--rows 100000 200000] [--repeat 3]
        [--shapes synthetic replicated]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import sys, time
import dangjian_analysis.package.validation as v
t0, c0 = time.perf_counter(), time.process_time()
v.validate(sys.argv[1])
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
# The high-water mark of this process's memory (VmHWM, in kB). Not ru_maxrss: Linux
# keeps that across exec, so it would report the parent's size at the fork.
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(seconds, cpu, int(status) / 1024)
"""

BASELINE = "import dangjian_analysis.package.validation; " + (
    "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024)"
)

YEARS = 20  # synthetic.py writes `years` figures per region


def measure(folder: Path) -> tuple[float, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)], check=True, capture_output=True, text=True
    )
    seconds, cpu, peak = out.stdout.split()
    return float(seconds), float(cpu), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--shapes",
        nargs="+",
        choices=["synthetic", "replicated"],
        default=["synthetic", "replicated"],
    )
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from replicated import make_replicated
    from synthetic import make_package

    base = subprocess.run(
        [sys.executable, "-c", BASELINE], check=True, capture_output=True, text=True
    )
    print(
        f"python {sys.version.split()[0]}; peak memory of the interpreter with the validator "
        f"imported: {float(base.stdout):.0f} MB; median of {args.repeat} runs; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall time grows with the load, "
        "CPU time much less)"
    )
    print(
        f"{'shape':>10} {'figure rows':>12} {'MB of CSV':>10} {'wall s':>8} {'CPU s':>7} "
        f"{'peak MB':>8} {'CPU µs/row':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for shape, rows in ((s, r) for s in args.shapes for r in args.rows):
            where = Path(tmp) / f"{shape}{rows}"
            if shape == "synthetic":
                folder = make_package(where, regions=rows // YEARS, years=YEARS)
            else:
                folder = make_replicated(where, rows)
            size = (folder / "figures.csv").stat().st_size / 1e6
            runs = [measure(folder) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            peak = statistics.median(r[2] for r in runs)
            print(
                f"{shape:>10} {rows:>12,} {size:>10.1f} {seconds:>8.2f} {cpu:>7.2f} {peak:>8.0f} "
                f"{cpu / rows * 1e6:>11.1f}"
            )


if __name__ == "__main__":
    main()
