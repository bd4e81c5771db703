"""Run the corpus extraction on a Dask cluster, writing a folder of Parquet files.

Optional: needs ``dask[distributed]`` (``pip install 'dangjian-analysis[scale]'``), which
``import dangjian_analysis`` never imports. The corpus is cut into partitions in its
order: runs of ``partition_size`` files (default 64), and blocks of about ``block_size``
bytes (default 16 MB) of each JSON Lines file, cut at line ends. Each
partition is a task: a worker reads its files or its block, extracts every article
(:func:`~dangjian_analysis.curate.corpus.extract_article`) and writes
``part-NNNNN.parquet``. The workers must see the input files and the output folder (a
shared file system), and have this package installed.

Reading the folder back (``pyarrow.parquet.read_table(out)``, ``pandas.read_parquet``)
gives the table :func:`~dangjian_analysis.curate.corpus.extract_corpus` writes for the
same inputs, row for row. The folder is built beside ``out`` and moved into place when
every partition is written; an existing ``out`` is replaced only with ``force``, checked
again at that moment.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dangjian_analysis.curate.corpus import (
    JSONL_SUFFIXES,
    Article,
    ArticleResult,
    CorpusReport,
    candidates_table,
    extract_article,
    find_articles,
    record_article,
)
from dangjian_analysis.text.files import atomic_output, check_output

__all__ = ["connect", "extract_corpus_dask", "partitions"]

#: Files per partition, and bytes of JSON Lines per partition, by default.
FILES_PER_PARTITION = 64
JSONL_BLOCK_SIZE = 16_000_000

_MISSING = "the Dask run needs dask[distributed]: pip install 'dangjian-analysis[scale]'"


@dataclass(frozen=True)
class Partition:
    """Files to extract, or the bytes ``start:end`` of a JSON Lines file (lines from ``line``)."""

    index: int
    articles: tuple[Article, ...] = ()
    path: str = ""
    start: int = 0
    end: int = 0


@dataclass
class _Done:
    """What a worker reports for a partition (the rows are in its Parquet file).

    ``articles``: for each article in order, its id, the reason it was skipped (or
    ``""``), its line within a JSON Lines block (0 for files), its row count, its
    characters and its bytes.
    """

    index: int
    articles: list[tuple[str, str, int, int, int, int]] = field(default_factory=list)
    lines: int = 0  # lines of a JSON Lines block


def connect(address: str) -> Any:
    """Return a ``dask.distributed.Client`` of the scheduler at ``address``.

    Raises:
        ImportError: when dask[distributed] is not installed (the message says how).

    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError(_MISSING) from exc
    return Client(address)


def _blocks(path: Path, size: int) -> Iterator[tuple[int, int]]:
    """Yield byte ranges of ``path`` of about ``size`` bytes, each ending at a line end."""
    total = path.stat().st_size
    start = 0
    with path.open("rb") as fh:
        while start < total:
            fh.seek(min(start + size, total))
            fh.readline()  # on to the end of the line the cut falls in
            end = min(fh.tell(), total)
            yield start, end
            start = end


def partitions(
    inputs: Sequence[str | Path],
    partition_size: int | None = None,
    block_size: int | None = None,
) -> list[Partition]:
    """Cut ``inputs`` into partitions, in the order of the corpus (see the module)."""
    out: list[Partition] = []
    files: list[Article] = []
    per_files = partition_size or FILES_PER_PARTITION
    per_bytes = block_size or JSONL_BLOCK_SIZE

    def flush() -> None:
        for i in range(0, len(files), per_files):
            out.append(Partition(len(out), articles=tuple(files[i : i + per_files])))
        files.clear()

    for item in inputs:
        path = Path(item)
        if path.is_file() and path.suffix.lower() in JSONL_SUFFIXES:
            flush()
            for start, end in _blocks(path, per_bytes):
                out.append(Partition(len(out), path=str(path), start=start, end=end))
        else:
            files.extend(find_articles([path]))
    flush()
    return out


def _block_articles(part: Partition) -> tuple[list[tuple[int, Article]], int]:
    """Return the articles of a JSON Lines block, numbered by line within the block."""
    with open(part.path, "rb") as fh:
        fh.seek(part.start)
        data = fh.read(part.end - part.start)
    pieces = data.split(b"\n")  # line ends as a file object sees them in binary mode
    lines = [piece + b"\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    found = []
    for number, line in enumerate(lines, start=1):
        article = record_article(line, part.path, number, first=part.start == 0 and number == 1)
        if article is not None:
            found.append((number, article))
    return found, len(lines)


def _run_partition(
    part: Partition, folder: str, source_id: str | None, region_id: str | None
) -> _Done:
    """Extract one partition and write its Parquet file; return what happened."""
    import csv
    import io

    import pyarrow.parquet as pq

    done = _Done(part.index)
    numbered: list[tuple[int, Article]]
    if part.path:
        numbered, done.lines = _block_articles(part)
    else:
        numbered = [(0, a) for a in part.articles]
    rows: list[list[str]] = []
    for number, article in numbered:
        result: ArticleResult = extract_article(article, source_id=source_id, region_id=region_id)
        done.articles.append(
            (article.id, result.error, number, result.rows, result.chars, result.size)
        )
        rows += csv.reader(io.StringIO(result.csv))
    pq.write_table(candidates_table(rows), _part_file(folder, part.index))
    return done


def _part_file(folder: str | Path, index: int) -> str:
    return os.path.join(folder, f"part-{index:05d}.parquet")


def extract_corpus_dask(
    client: Any,
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    force: bool = False,
    source_id: str | None = None,
    region_id: str | None = None,
    partition_size: int | None = None,
    block_size: int | None = None,
    progress: bool | None = None,
) -> CorpusReport:
    """Extract ``inputs`` on the cluster of ``client`` into the Parquet folder ``out``.

    Args:
        client: a ``dask.distributed.Client``.
        inputs: folders, text or HTML files and JSON Lines files (as for
            :func:`~dangjian_analysis.curate.corpus.extract_corpus`).
        out: the folder to write, one ``part-NNNNN.parquet`` per partition.
        force: replace an existing ``out``.
        source_id: copied into every row.
        region_id: copied into every row.
        partition_size: files per partition (default 64).
        block_size: bytes of JSON Lines per partition (default 16 MB).
        progress: show a progress bar on stderr (default: when stderr is a terminal).

    Raises:
        FileExistsError: ``out`` exists, now or when the partitions are written, without
            ``force``.
        FileNotFoundError: an input does not exist.

    """
    from distributed import as_completed
    from tqdm import tqdm

    started = time.perf_counter()
    out = Path(out)
    for item in inputs:
        if not Path(item).exists():
            raise FileNotFoundError(f"{item} does not exist")
    check_output(out, overwrite=force, folder=True)  # never a device, a FIFO or a link
    parts = partitions(inputs, partition_size, block_size)
    try:
        with atomic_output(out, overwrite=force, folder=True) as staging:
            futures = [
                client.submit(_run_partition, part, str(staging), source_id, region_id, pure=False)
                for part in parts
            ]
            results: dict[int, _Done] = {}
            with tqdm(
                total=len(parts),
                unit="partition",
                desc="extract (dask)",
                file=sys.stderr,
                disable=(not sys.stderr.isatty()) if progress is None else not progress,
            ) as bar:
                for future in as_completed(futures):
                    done = future.result()
                    results[done.index] = done
                    bar.update()
            report = _gather(out, staging, parts, [results[p.index] for p in parts])
            report.jobs = len(client.scheduler_info().get("workers", {})) or 1
            report.seconds = time.perf_counter() - started
    except FileExistsError:
        raise FileExistsError(
            f"{out} was created while extracting; give --force to overwrite it"
        ) from None
    return report


def _gather(out: Path, staging: Path, parts: list[Partition], done: list[_Done]) -> CorpusReport:
    """Put the partitions' reports together, in order, as a single run would have.

    Lines of JSON Lines blocks are numbered in their file; an article or id met again
    is skipped, as :func:`~dangjian_analysis.curate.corpus.find_articles` does, and its
    rows are taken out of its partition's file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    report = CorpusReport(out=out)
    seen: dict[str, int] = {}
    lines_before: dict[str, int] = {}  # lines of a JSON Lines file before the current block
    for part, d in zip(parts, done, strict=True):
        base = lines_before.get(part.path, 0)
        lines_before[part.path] = base + d.lines
        keep: list[bool] = []
        for article_id, error, number, rows, chars, size in d.articles:
            if number and error:  # a line of a block: say which line of the file it is
                article_id = _renumber(article_id, part.path, number, base + number)
                error = _renumber(error, part.path, number, base + number)
            if article_id in seen:
                seen[article_id] += 1
                reason = f"{article_id} again: articles and ids must be unique"
                report.skipped.append((f"{article_id}#{seen[article_id]}", reason))
                keep += [False] * rows
                continue
            seen[article_id] = 1
            keep += [True] * rows
            if error:
                report.skipped.append((article_id, error))
            else:
                report.articles += 1
                report.chars += chars
                report.size += size
        report.candidates += sum(keep)
        if not all(keep):
            path = _part_file(staging, part.index)
            pq.write_table(pq.read_table(path).filter(pa.array(keep, pa.bool_())), path)
    return report


def _renumber(text: str, path: str, number: int, line: int) -> str:
    """Say ``line`` (of the file) where ``text`` says ``number`` (of the block)."""
    return text.replace(f"{path}:{number}", f"{path}:{line}").replace(
        f"line {number} of {path}", f"line {line} of {path}"
    )

