"""Print the extraction throughput (characters per second) on the source articles.

Each article is read and its candidates extracted ``--repeat`` times in this process
(after one warm-up run that loads the OpenCC dictionaries and the rules); the median time
per article and the overall throughput are printed. The articles are looked for in
../shared/seeds next to the repository (or --corpus); without them the benchmark prints a
notice and exits successfully.

Usage: python benchmarks/bench_extract.py [--corpus DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from dangjian_analysis.curate.extract import extract_candidates, read_article
from dangjian_analysis.package.validation import read_table, validate

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"notice: {args.corpus} not found; extraction benchmark skipped")
        return
    sources = read_table(validate(), "sources").rows
    files = [args.corpus / s["corpus_file"] for s in sources if s["corpus_file"]]
    files = [f for f in files if f.is_file()]
    if not files:
        print(f"notice: no source article found in {args.corpus}; extraction benchmark skipped")
        return
    extract_candidates(read_article(files[0])[0])  # warm-up: dictionaries and rules
    print(f"python {sys.version.split()[0]}, {args.repeat} runs per article (median)")
    total_chars = 0
    total_seconds = 0.0
    for file in files:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            text, _encoding = read_article(file)
            found = extract_candidates(text)
            times.append(time.perf_counter() - t0)
        seconds = statistics.median(times)
        total_chars += len(text)
        total_seconds += seconds
        print(
            f"{file.name:28s} {len(text):6d} chars {len(found):4d} candidates "
            f"{seconds * 1000:7.1f} ms {len(text) / seconds:10,.0f} chars/s"
        )
    print(
        f"{'all ' + str(len(files)) + ' articles':28s} {total_chars:6d} chars "
        f"{'':15s}{total_seconds * 1000:7.1f} ms {total_chars / total_seconds:10,.0f} chars/s"
    )


if __name__ == "__main__":
    main()
