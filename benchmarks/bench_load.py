"""Print cold import times, load_figures() and load_package() times, beside pandas' import.

Each measurement runs in a fresh interpreter (so imports are cold) and is repeated;
the median and the range are printed. Usage: python benchmarks/bench_load.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

SNIPPETS = {
    "import pandas": "import pandas",
    "import dangjian_analysis": "import dangjian_analysis",
    "import dangjian_analysis + load_figures()": (
        "import dangjian_analysis as d; d.load_figures()"
    ),
    "import dangjian_analysis + load_package()": (
        "import dangjian_analysis as d; d.load_package()"
    ),
}

TIMER = "import time; t0 = time.perf_counter(); {code}; print(time.perf_counter() - t0)"

LOAD_ONLY = (
    "import dangjian_analysis as d, pandas, time; t0 = time.perf_counter(); "
    "f = d.load_figures(); print(time.perf_counter() - t0, len(f))"
)


def run(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {args.repeat} cold runs each (median [min-max])")
    for label, code in SNIPPETS.items():
        times = [float(run(TIMER.format(code=code))[0]) * 1000 for _ in range(args.repeat)]
        print(
            f"{label:45s} {statistics.median(times):8.1f} ms  [{min(times):.1f}-{max(times):.1f}]"
        )
    results = [run(LOAD_ONLY) for _ in range(args.repeat)]
    times = [float(r[0]) * 1000 for r in results]
    print(
        f"{'load_figures() after imports (validates)':45s} {statistics.median(times):8.1f} ms  "
        f"[{min(times):.1f}-{max(times):.1f}]  ({results[0][1]} figures)"
    )


if __name__ == "__main__":
    main()
