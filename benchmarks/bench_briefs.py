"""Print the time to build the whole set of briefs (target: under 60 s on 2 cores).

Runs ``dangjian briefs`` on every notebook of the checkout, into a temporary folder, in a
fresh interpreter (so imports are included, as for a user), and prints the wall time,
the number of briefs and their sizes. Usage: python benchmarks/bench_briefs.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def build(out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dangjian_analysis.cli", "briefs", "--out", str(out)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "briefs"
        times = [build(out) for _ in range(args.repeat)]
        pages = sorted(out.glob("*.html"))
        briefs = [p for p in pages if p.name != "index.html"]
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
            f"{args.repeat} builds (median [min-max])"
        )
        print(
            f"{'dangjian briefs (' + str(len(briefs)) + ' notebooks)':45s} "
            f"{statistics.median(times):8.1f} s   [{min(times):.1f}-{max(times):.1f}]  "
            f"target < {TARGET_SECONDS:.0f} s"
        )
        for page in pages:
            print(f"  {page.name:43s} {page.stat().st_size / 1e6:8.2f} MB")


if __name__ == "__main__":
    main()
