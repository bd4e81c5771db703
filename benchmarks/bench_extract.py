"""Print the speed of `dangjian extract`: one text at three sizes, a corpus, a Dask cluster.

All in one run, side by side:

1. one text of 0.1, 1 and 10 MB (UTF-8) of SYNTHETIC text (bench_extract_text.py: the
   sentences of the source texts in ../shared/seeds or --corpus, drawn at random with
   random digits; made-up sentences when they are absent): seconds (wall and CPU), MB/s,
   and the time ratio of 10 MB to 1 MB (10 when the time grows in proportion);
2. folders of synthetic articles (--articles, default 400 and 1,600, of --article-kb
   each, default 10 kB like the source texts) written to a temporary folder, extracted
   by ``extract_corpus`` with 1 and 2 jobs (and the speed-up of 2 jobs: the target is at
   least 1.5 on a two-core machine at 1,600 articles), and the largest on a Dask
   LocalCluster of 2 worker processes (skipped without dask[distributed]);
3. with --setup: a fresh clone of this repository and ``make env`` with uv, then with
   pip only (minutes; package caches as they are on this machine).

Timings are medians of --repeat runs (one run at 10 MB). On a shared machine the CPU
seconds are steadier than wall seconds.

Usage: python benchmarks/bench_extract.py [--corpus DIR] [--repeat N] [--articles N,N]
       [--article-kb KB] [--setup]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_extract_text import corpus_sentences, synthetic_text

from dangjian_analysis.curate.corpus import extract_corpus
from dangjian_analysis.curate.extract import extract_candidates

ROOT = Path(__file__).resolve().parent.parent


def timed(function, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeat`` calls, and the last result."""
    walls, cpus = [], []
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def one_text(sentences: list[str], repeat: int) -> None:
    print("one text (synthetic)")
    print(f"  {'size':>7} {'chars':>10} {'figures':>8} {'wall s':>8} {'CPU s':>8} "
          f"{'MB/s wall':>10} {'MB/s CPU':>9}")  # fmt: skip
    extract_candidates(synthetic_text(200_000, sentences, seed=99))  # warm-up: tables, numpy
    seconds = {}
    for size in (100_000, 1_000_000, 10_000_000):
        text = synthetic_text(size, sentences, seed=size)
        mb = len(text.encode("utf-8")) / 1e6
        wall, cpu, found = timed(lambda text=text: extract_candidates(text),
                                 repeat if size < 10_000_000 else 1)  # fmt: skip
        seconds[size] = (wall, cpu)
        print(f"  {mb:5.1f}MB {len(text):10,d} {len(found):8,d} {wall:8.2f} {cpu:8.2f} "
              f"{mb / wall:10.2f} {mb / cpu:9.2f}")  # fmt: skip
    (w1, c1), (w10, c10) = seconds[1_000_000], seconds[10_000_000]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  10 MB takes {w10 / w1:.1f}x the time of 1 MB (CPU {c10 / c1:.1f}x); "
          f"peak memory of this process {peak:.0f} MB")  # fmt: skip


def corpus_runs(sentences: list[str], articles: int, article_kb: int, dask: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        size = 0
        for i in range(articles):
            text = synthetic_text(article_kb * 1000, sentences, seed=1000 + i)
            (folder / f"{i:04d}.txt").write_text(text, encoding="utf-8")
            size += len(text.encode("utf-8"))
        print(f"corpus of {articles} synthetic articles ({size / 1e6:.1f} MB), CSV output")
        reference = None
        walls = {}
        for jobs in (1, 2):
            out = Path(tmp) / f"jobs{jobs}.csv"
            wall, cpu, _ = timed(lambda out=out, jobs=jobs: extract_corpus(
                [folder], out, jobs=jobs, progress=False, force=True), 1)  # fmt: skip
            walls[jobs] = wall
            same = "" if reference is None else (
                ", same table" if out.read_bytes() == reference else ", DIFFERENT table")
            reference = reference or out.read_bytes()
            print(f"  {jobs} job{'s' if jobs > 1 else ' '}: {wall:6.2f} s wall, "
                  f"{size / 1e6 / wall:5.2f} MB/s (CPU of the main process {cpu:.2f} s{same})")
        print(f"  2 jobs are {walls[1] / walls[2]:.2f} times as fast as 1 "
              f"(target on two idle cores: at least 1.5 at 1,600 articles)")  # fmt: skip
        if dask:
            dask_run(folder, Path(tmp), size)


def dask_run(folder: Path, tmp: Path, size: int) -> None:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("  Dask: skipped (pip install 'dangjian-analysis[scale]')")
        return
    import pyarrow.parquet as pq

    started = time.perf_counter()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                     dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        up = time.perf_counter() - started
        from dangjian_analysis.curate.cluster import extract_corpus_dask

        wall, _, _ = timed(lambda: extract_corpus_dask(
            client, [folder], tmp / "dask", partition_size=8, progress=False), 1)  # fmt: skip
    extract_corpus([folder], tmp / "single.parquet", jobs=1, progress=False)
    same = pq.read_table(tmp / "dask").equals(pq.read_table(tmp / "single.parquet"))
    print(f"  Dask LocalCluster, 2 worker processes: {wall:6.2f} s wall, "
          f"{size / 1e6 / wall:5.2f} MB/s (cluster start {up:.1f} s; "
          f"{'same table as 1 process' if same else 'DIFFERENT table'})")


def setup_times() -> None:
    print("fresh clone, make env (package caches as they are on this machine)")
    with tempfile.TemporaryDirectory(prefix="bench-setup-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        for label, extra in (("uv", []), ("pip only", ["UV=/bin/false"])):
            subprocess.run(["rm", "-rf", str(clone / ".venv")], check=True)
            started = time.perf_counter()
            subprocess.run(["make", "-s", "env", *extra], cwd=clone, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            print(f"  {label:8s}: {time.perf_counter() - started:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--articles", default="400,1600",
                        help="corpus sizes in articles, comma-separated (default 400,1600)")
    parser.add_argument("--article-kb", type=int, default=10,
                        help="size of each synthetic article (default 10, like the sources)")
    parser.add_argument("--setup", action="store_true", help="also time make env (minutes)")
    args = parser.parse_args()
    sentences = corpus_sentences(args.corpus)
    source = f"sentences of {args.corpus}" if sentences else "made-up sentences (no corpus)"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}; synthetic text from {source}")  # fmt: skip
    one_text(sentences, args.repeat)
    sizes = [int(n) for n in args.articles.split(",")]
    for n in sizes:
        corpus_runs(sentences, n, args.article_kb, dask=n == max(sizes))
    if args.setup:
        setup_times()


if __name__ == "__main__":
    main()
