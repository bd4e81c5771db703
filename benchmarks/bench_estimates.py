"""Time the curation rules of published estimates at two sizes (linear growth expected).

The rows are SYNTHETIC: copies of a few invented estimates with new ids, checked in memory
by :func:`~dangjian_analysis.package.estimates.check_published_estimates` against the
bundled descriptor. Usage: python benchmarks/bench_estimates.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import time

from dangjian_analysis.package.estimates import check_published_estimates
from dangjian_analysis.package.schema import read_datapackage
from dangjian_analysis.package.tables import Table

TEMPLATES = [
    {"raw": "3.2%", "value": "3.2", "unit": "percent", "direction": "+", "se_raw": "(1.1%)",
     "se": "1.1", "significance": "在5%水平上显著", "significance_level": "0.05",
     "n_firms_raw": "5073家私营企业", "n_firms": "5073", "locator": "合成经营率"},
    {"raw": "-0.021", "value": "-0.021", "unit": "coefficient", "direction": "-",
     "se_raw": "0.007", "se": "0.007", "significance": "p < 0.01", "significance_level": "0.01",
     "n_firms_raw": "12,345 private firms", "n_firms": "12345", "locator": "synthetic phrase"},
    {"raw": "", "value": "", "unit": "none", "direction": "none", "se_raw": "", "se": "",
     "significance": "几乎没有显著影响", "significance_level": "", "n_firms_raw": "4000余家",
     "n_firms": "", "locator": "合成无显著"},
]


def table(rows: int, header: list[str]) -> Table:
    cells = []
    for i in range(rows):
        row = dict.fromkeys(header, "")
        row.update(TEMPLATES[i % len(TEMPLATES)])
        row.update(estimate_id=f"est-{i + 1:06d}", publication_id="pub-001", sample="SYN",
                   data_source="cpes", design="psm", treatment="party_org",
                   outcome="synthetic", outcome_family="output_sales")
        cells.append(row)
    return Table("estimates", "estimates.csv", header, rows=cells, key_field="estimate_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    package = read_datapackage()
    header = [f["name"] for f in package.fields("estimates")]
    per_row = {}
    for rows in (args.rows, 10 * args.rows):
        tables = {"estimates": table(rows, header)}
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            problems = check_published_estimates(package, tables)
            times.append(time.perf_counter() - start)
        assert not problems, problems[:3]
        median = statistics.median(times)
        per_row[rows] = median / rows * 1e6
        print(f"{rows:7d} estimates: {median * 1000:8.1f} ms  ({per_row[rows]:.1f} µs per row)")
    small, large = per_row.values()
    print(f"per-row time at 10x the rows: {large / small:.2f}x (1.0 is linear)")


if __name__ == "__main__":
    main()
