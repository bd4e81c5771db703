"""Extract the candidate figures of a whole corpus into one table (CSV or Parquet).

A corpus is any mix of

- folders, searched recursively for ``*.txt`` articles (read by
  :func:`~dangjian_analysis.text.articles.read_article`) and ``*.html``/``*.htm`` pages (their
  text taken out by :func:`html_text`);
- single files of those kinds;
- JSON Lines files (``*.jsonl``, ``*.ndjson``): one ``{"id": ..., "text": ...}`` object a
  line, UTF-8.

:func:`extract_corpus` runs :func:`~dangjian_analysis.curate.extract.extract_candidates` on every
article, in as many processes as asked, and writes one table: the column ``article`` (the
file's path as found, or the record's ``id``) followed by the columns of
:data:`~dangjian_analysis.curate.extract.CANDIDATE_COLUMNS`, articles in the order they were
found (folders sorted by path), candidates in the order of their article. An article that
cannot be read (empty, binary, undecodable, a malformed record) is skipped and reported.

Work done is kept next to the output, in ``OUT.progress.jsonl`` (one line per finished
article, with the article's size and SHA-256), so that an interrupted run can be resumed
(``resume=True``) without extracting the finished articles again. A resumed run trusts
nothing it has not checked: every line of the progress file must be an entry of this
form (a forged or broken line stops the run, naming the line), and an article whose size
or hash has changed since is extracted again. The output is written to a temporary file
in its own folder and moved into place only at the end; it must be a new path or a
regular file (never a device, a FIFO or a symbolic link, whatever ``force`` says), and an
existing file is replaced only with ``force=True``, checked again at that moment.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

from dangjian_analysis.curate.extract import CANDIDATE_COLUMNS, extract_candidates
from dangjian_analysis.text.articles import (
    ENCODINGS,
    ArticleError,
    check_plain_text,
    has_unusual_characters,
    read_article,
)
from dangjian_analysis.text.files import atomic_output, check_output, path_kind, utf16_mark

__all__ = [
    "ARTICLE_COLUMN",
    "CORPUS_COLUMNS",
    "Article",
    "ArticleResult",
    "CorpusReport",
    "candidates_table",
    "extract_article",
    "extract_corpus",
    "find_articles",
    "html_text",
    "is_corpus",
    "output_format",
    "progress_path",
    "read_html",
    "write_atomic",
]

#: The column naming the article of each row, first in the table.
ARTICLE_COLUMN = "article"

#: Columns of a corpus table.
CORPUS_COLUMNS = (ARTICLE_COLUMN, *CANDIDATE_COLUMNS)

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")

# Numeric columns, typed in Parquet (text columns stay text, empty as in the CSV).
_FLOAT_COLUMNS = ("value", "lower", "upper")
_INT_COLUMNS = ("offset",)

_PROGRESS_FORMAT = "dangjian-extract-progress"
# Version 2 records each article's size and SHA-256, checked before its rows are reused.
_PROGRESS_VERSION = 2
_SHA256 = re.compile(r"[0-9a-f]{64}")


# ---- finding articles ---------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """One article of a corpus: a file (``path``) or a JSON Lines record (``text``).

    ``problem`` is set (and nothing is extracted) for a record that could not be read.
    """

    id: str
    path: Path | None = None
    text: str | None = None
    problem: str = ""


def is_corpus(inputs: Sequence[str | Path], out: str | Path | None = None) -> bool:
    """Whether ``inputs`` make a corpus rather than the single article of older releases.

    One text (or HTML) file written as CSV is a single article, with the columns it
    always had; folders, several files, JSON Lines and Parquet output are a corpus.
    """
    if len(inputs) != 1:
        return True
    path = Path(inputs[0])
    if path.is_dir() or path.suffix.lower() in JSONL_SUFFIXES:
        return True
    return out is not None and output_format(out) == "parquet"


def output_format(out: str | Path) -> str:
    """Return ``"parquet"`` for ``*.parquet`` (or ``*.pq``), else ``"csv"``."""
    return "parquet" if Path(out).suffix.lower() in (".parquet", ".pq") else "csv"


def find_articles(inputs: Sequence[str | Path]) -> Iterator[Article]:
    """Yield the articles of ``inputs`` in order, reading JSON Lines records lazily.

    Folders are searched recursively for text and HTML files, in sorted order. A record
    id seen before is yielded with a ``problem`` (ids name rows and finished work).

    Raises:
        FileNotFoundError: when an input does not exist.

    """
    for item in inputs:
        _check_input(item)
    seen: set[str] = set()
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            articles: Iterable[Article] = (Article(str(p), path=p) for p in _folder(path))
        elif path.suffix.lower() in JSONL_SUFFIXES:
            articles = _records(path)
        else:
            articles = [Article(str(path), path=path)]
        for article in articles:
            if article.id in seen:  # the same file twice, or a record id used before
                repeat = 2
                while f"{article.id}#{repeat}" in seen:
                    repeat += 1
                reason = f"{article.id} again: articles and ids must be unique"
                article = Article(f"{article.id}#{repeat}", problem=reason)
            seen.add(article.id)
            yield article


def _check_input(item: str | Path) -> None:
    """Refuse an input that is not there, naming a broken link or a link loop as such."""
    kind = path_kind(item)
    if kind == "no such file":
        raise FileNotFoundError(f"{item} does not exist")
    if kind in ("a broken symbolic link", "a symbolic link loop"):
        raise FileNotFoundError(f"{item} is {kind}")


def count_articles(inputs: Sequence[str | Path]) -> int:
    """Return how many articles :func:`find_articles` yields (records counted as lines)."""
    total = 0
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            total += len(_folder(path))
        elif path.suffix.lower() in JSONL_SUFFIXES:
            with path.open("rb") as fh:
                total += sum(1 for line in fh if line.strip())
        else:
            total += 1
    return total


def _folder(folder: Path) -> list[Path]:
    """Return the text and HTML files under ``folder``, sorted (links to folders not followed).

    A name of an article that is not a regular file (a FIFO, a device, a link loop) is
    listed too, so that it is reported as what it is rather than passed over.
    """
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES:
                found.append(path)
    return sorted(found)


def _records(path: Path) -> Iterator[Article]:
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            article = record_article(line, path, number)
            if article is not None:
                yield article


def record_article(
    line: bytes, path: str | Path, number: int, *, first: bool | None = None
) -> Article | None:
    """Return the article of line ``number`` of a JSON Lines file (``None`` if blank).

    A line that is not UTF-8 JSON, not an object, or without a string ``text`` and a
    string or integer ``id`` gives an article with a ``problem``; the other lines of the
    file are read all the same. ``first`` (default: ``number == 1``) says whether the
    line starts the file, where a UTF-8 byte order mark is dropped.
    """
    where = f"{path}:{number}"
    if (number == 1 if first is None else first) and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if not line.strip():
        return None
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Article(where, problem=f"line {number} of {path} is not UTF-8 ({exc.reason})")
    except json.JSONDecodeError as exc:
        return Article(where, problem=f"line {number} of {path} is not JSON: {exc.msg}")
    if not isinstance(record, dict):
        return Article(where, problem=f"line {number} of {path} is not a JSON object")
    rid, text = record.get("id"), record.get("text")
    if isinstance(rid, bool) or not isinstance(rid, str | int) or rid == "":
        return Article(where, problem=f"line {number} of {path} has no id (a string or number)")
    if not isinstance(text, str):
        return Article(str(rid), problem=f"record {rid!r} ({where}) has no text (a string)")
    return Article(str(rid), text=text)


# ---- reading HTML -------------------------------------------------------------------------

# Elements whose text is not part of the page's text.
_HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"}
# Elements that start a new line.
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\n\r\f]+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.hidden = 0  # a page that never closes its <head>
        elif tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
            self.pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data if self.pre else _SPACES.sub(" ", data))


def html_text(markup: str) -> str:
    """Return the text of an HTML page as a reader sees it, one block a line.

    Scripts, styles and the ``<head>`` are left out; entities are decoded; runs of spaces
    and line breaks inside a paragraph become one space (as a browser shows them), and
    block elements (paragraphs, headings, list items, table cells, ``<br>``) end a line.
    """
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = (line.strip(" ") for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def read_html(path: str | Path) -> tuple[str, str]:
    """Read an HTML page; return its text (:func:`html_text`) and the encoding used.

    The encoding is the one the page declares (``<meta charset>``, or a byte order mark),
    else the first of :data:`~dangjian_analysis.text.articles.ENCODINGS` that reads it.

    Raises:
        ArticleError: when the file is missing, binary, undecodable or has no text.

    """
    path = Path(path)
    kind = path_kind(path)
    if kind != "a regular file":
        raise ArticleError(
            f"article {path} {'does not exist' if kind == 'no such file' else 'is ' + kind}"
        )
    data = path.read_bytes()
    if utf16_mark(data):
        raise ArticleError(f"article {path} is UTF-16; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul != -1:
        raise ArticleError(f"article {path} looks binary: NUL byte at offset {nul}")
    tried: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        tried, data = ["UTF-8"], data[3:]
    else:
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            name = declared.group(1).decode("ascii")
            # Pages labelled GB2312 or GBK are often GBK or GB18030 (supersets of it).
            tried = ["GB18030" if name.lower() in ("gb2312", "gbk", "x-gbk") else name]
    for encoding in [*tried, *ENCODINGS]:
        try:
            markup = data.decode(encoding.lower().replace("-", "_"))
        except (UnicodeDecodeError, LookupError):
            continue
        later = encoding not in tried[:1] and encoding != ENCODINGS[0]
        if later and has_unusual_characters(markup):
            continue
        text = html_text(markup)
        check_plain_text(text, f"article {path}", empty="has no text")
        return text, encoding
    raise ArticleError(f"article {path} is not text in {', '.join(ENCODINGS)}")


def read_any(path: str | Path) -> tuple[str, str]:
    """Read a text file (:func:`read_article`) or an HTML page (:func:`read_html`)."""
    if Path(path).suffix.lower() in HTML_SUFFIXES:
        return read_html(path)
    return read_article(path)


# ---- extracting one article ---------------------------------------------------------------


@dataclass(frozen=True)
class ArticleResult:
    """What became of one article: its rows as CSV lines, or why it was skipped."""

    id: str
    rows: int = 0
    csv: str = ""
    chars: int = 0
    size: int = 0
    encoding: str = ""
    error: str = ""
    digest: tuple[int, str] | None = None  # size and SHA-256 of the article as read


def article_digest(article: Article) -> tuple[int, str] | None:
    """Return the size in bytes and the SHA-256 of an article as it is now, if readable."""
    if article.problem:
        return None
    if article.path is not None:
        try:
            data = article.path.read_bytes() if article.path.is_file() else None
        except OSError:
            return None
        if data is None:
            return None
    else:
        data = (article.text or "").encode("utf-8", "surrogatepass")
    return len(data), hashlib.sha256(data).hexdigest()


def extract_article(
    article: Article, *, source_id: str | None = None, region_id: str | None = None
) -> ArticleResult:
    """Read and extract one article; never raises for an unreadable one (see ``error``).

    ``csv`` holds one line per candidate, ``article`` first, as :func:`extract_corpus`
    writes them (no header). An error of the extractor itself on this article is reported
    in ``error`` too, so that one article cannot stop a corpus.
    """
    if article.problem:
        return ArticleResult(article.id, error=article.problem)
    digest = article_digest(article)
    try:
        if article.path is not None:
            text, encoding = read_any(article.path)
            size = article.path.stat().st_size
        else:
            text, encoding = article.text or "", "UTF-8"
            size = len(text.encode("utf-8", "surrogatepass"))
            check_plain_text(text, f"record {article.id!r}")
    except (ArticleError, OSError) as exc:
        return ArticleResult(article.id, error=str(exc) or type(exc).__name__, digest=digest)
    try:
        candidates = extract_candidates(text, source_id=source_id, region_id=region_id)
    except Exception as exc:  # a bug met by one article should not stop a whole corpus
        return ArticleResult(article.id, error=f"extraction failed: {type(exc).__name__}: {exc}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for c in candidates:
        row = c.row()
        writer.writerow([article.id, *(row[name] for name in CANDIDATE_COLUMNS)])
    return ArticleResult(
        article.id,
        rows=len(candidates),
        csv=buffer.getvalue(),
        chars=len(text),
        size=size,
        encoding=encoding,
        digest=digest,
    )


# ---- tables -------------------------------------------------------------------------------


def corpus_schema() -> Any:
    """Return the Arrow schema of a corpus table: numbers typed, the rest text."""
    import pyarrow as pa

    return pa.schema(
        [
            (
                name,
                pa.float64()
                if name in _FLOAT_COLUMNS
                else pa.int64()
                if name in _INT_COLUMNS
                else pa.string(),
            )
            for name in CORPUS_COLUMNS
        ]
    )


def candidates_table(rows: Iterable[Sequence[str]]) -> Any:
    """Return a ``pyarrow.Table`` of corpus rows (lists of CSV cells, ``article`` first).

    ``value``, ``lower`` and ``upper`` become float64 and ``offset`` int64 (empty cells
    null); the other columns keep their text.
    """
    import pyarrow as pa

    columns: list[list[Any]] = [[] for _ in CORPUS_COLUMNS]
    for row in rows:
        for column, cell in zip(columns, row, strict=True):
            column.append(cell)
    schema = corpus_schema()
    arrays = []
    for name, cells in zip(CORPUS_COLUMNS, columns, strict=True):
        if name in _FLOAT_COLUMNS:
            arrays.append(pa.array([float(c) if c else None for c in cells], pa.float64()))
        elif name in _INT_COLUMNS:
            arrays.append(pa.array([int(c) if c else None for c in cells], pa.int64()))
        else:
            arrays.append(pa.array(cells, pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


# ---- writing ------------------------------------------------------------------------------


def write_atomic(
    out: str | Path, write: Callable[[IO[bytes]], None], *, force: bool, late: bool = False
) -> None:
    """Write ``out`` through a temporary file in its folder, moved into place at the end.

    ``write`` receives the temporary file (binary). ``out`` must be a new path or a
    regular file (:func:`~dangjian_analysis.text.files.check_output`): a device, a FIFO
    or a symbolic link is never replaced, with or without ``force``. An existing file is
    replaced only with ``force``; without it, a file that appeared while writing is left
    alone too. ``late``: the caller checked before a long run, so a file there now was
    created during it (the error says so).

    Raises:
        IsADirectoryError: when ``out`` is a folder.
        NotRegularFileError: when ``out`` is a device, a FIFO, a socket or a symbolic link.
        FileExistsError: when ``out`` exists and ``force`` is not given.

    """
    out = Path(out)
    try:
        with atomic_output(out, overwrite=force) as tmp, tmp.open("xb") as fh:
            write(fh)
    except FileExistsError:
        if late:
            raise FileExistsError(_created(out)) from None
        raise


def _created(out: Path) -> str:
    return f"{out} was created while extracting; give --force to overwrite it"


# ---- progress file ------------------------------------------------------------------------


def progress_path(out: str | Path) -> Path:
    """Return the file beside ``out`` that records the finished articles of a run."""
    out = Path(out)
    return out.with_name(out.name + ".progress.jsonl")


class ProgressFileError(ValueError):
    """A progress file that cannot be trusted: damaged, forged or of another version."""


class _Progress:
    """The finished articles of a run, one JSON line each, after a line of settings.

    Each line records the article, its rows (CSV lines) or the reason it was skipped, and
    the article's size and SHA-256. On resuming, every line is checked before it is
    trusted (a JSON object of this form, CSV rows of the table's width naming their
    article, as many as it says), and an article whose size or hash has changed since is
    extracted again.
    """

    def __init__(self, path: Path, settings: dict[str, Any], *, resume: bool, force: bool):
        self.path = path
        # article -> (offset, length) of its line, and its size and hash when recorded
        self.index: dict[str, tuple[int, int]] = {}
        self.digests: dict[str, tuple[int, str]] = {}
        self.errors: dict[str, str] = {}
        self.dropped = ""  # what was dropped at the end of the file (an interrupted line)
        if path.exists() and not resume:
            if not force:
                raise FileExistsError(
                    f"{path} holds the work of an interrupted run; give --resume to "
                    "continue it or --force to start again"
                )
            path.unlink()
        if path.exists():
            self._load(settings)
        else:
            with path.open("x", encoding="utf-8") as fh:
                header = {"format": _PROGRESS_FORMAT, "version": _PROGRESS_VERSION, **settings}
                fh.write(json.dumps(header) + "\n")
        self.resumed = len(self.index)
        self.fh = path.open("ab")

    def _damaged(self, number: int, what: str) -> ProgressFileError:
        return ProgressFileError(
            f"{self.path}, line {number}: {what}; the progress file cannot be trusted: give "
            "--force to start again"
        )

    def _load(self, settings: dict[str, Any]) -> None:
        good = 0  # bytes up to the last complete line
        with self.path.open("rb") as fh:
            header = fh.readline()
            try:
                stored = json.loads(header)
            except (json.JSONDecodeError, UnicodeDecodeError):
                stored = None
            if not isinstance(stored, dict) or stored.get("format") != _PROGRESS_FORMAT:
                raise ProgressFileError(
                    f"{self.path} is not a progress file of dangjian extract; give --force "
                    "to start again"
                )
            if stored.get("version") != _PROGRESS_VERSION:
                raise ProgressFileError(
                    f"{self.path} was written by another version of dangjian extract (without "
                    "the article hashes this one checks); give --force to start again"
                )
            stored.pop("format")
            stored.pop("version")
            if stored != settings:
                raise ValueError(
                    f"{self.path} was written with other options ({_options(stored)}); "
                    "give the same options, or --force to start again"
                )
            good = fh.tell()
            number = 1
            while True:
                offset = fh.tell()
                line = fh.readline()
                number += 1
                if not line:
                    break
                if not line.endswith(b"\n"):  # cut short by the interruption
                    self.dropped = f"line {number}, cut short by the interruption"
                    break
                entry = self._entry(number, line)
                article = entry["article"]
                self.index[article] = (offset, len(line))
                self.errors.pop(article, None)
                self.digests.pop(article, None)
                if entry.get("error"):
                    self.errors[article] = entry["error"]
                if "sha256" in entry:
                    self.digests[article] = (entry["size"], entry["sha256"])
                good = fh.tell()
        with self.path.open("r+b") as fh:
            fh.truncate(good)

    def _entry(self, number: int, line: bytes) -> dict[str, Any]:
        """Return the entry of one complete line, checked; raise when it is not one."""
        try:
            entry = json.loads(line.decode("utf-8", "surrogatepass"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise self._damaged(number, f"not JSON ({exc})") from None
        if not isinstance(entry, dict):
            raise self._damaged(number, "not a JSON object")
        article, rows = entry.get("article"), entry.get("rows")
        if not isinstance(article, str) or not article:
            raise self._damaged(number, "no article (a non-empty string)")
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise self._damaged(number, f"rows of {article!r} is not a count ({rows!r})")
        known = {"article", "rows", "csv", "error", "size", "sha256"}
        if set(entry) - known:
            raise self._damaged(number, f"unknown keys {sorted(set(entry) - known)}")
        size, digest = entry.get("size"), entry.get("sha256")
        if "sha256" in entry or "size" in entry:
            if not (isinstance(digest, str) and _SHA256.fullmatch(digest)):
                raise self._damaged(number, f"the sha256 of {article!r} is not a SHA-256")
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                raise self._damaged(number, f"the size of {article!r} is not a size in bytes")
        if "error" in entry:
            if not isinstance(entry["error"], str) or not entry["error"] or rows or "csv" in entry:
                raise self._damaged(number, f"the skipped article {article!r} is malformed")
            return entry
        text = entry.get("csv")
        if not isinstance(text, str):
            raise self._damaged(number, f"no csv (a string) for {article!r}")
        if "sha256" not in entry:
            raise self._damaged(number, f"no size and sha256 for {article!r}")
        cells = list(csv.reader(io.StringIO(text)))
        if len(cells) != rows:
            raise self._damaged(number, f"{len(cells)} CSV rows for {article!r}, which says {rows}")
        for cells_of_row in cells:
            if len(cells_of_row) != len(CORPUS_COLUMNS) or cells_of_row[0] != article:
                raise self._damaged(
                    number,
                    f"a CSV row that is not a row of {article!r} with {len(CORPUS_COLUMNS)} "
                    f"columns: {','.join(cells_of_row)[:60]!r}",
                )
        return entry

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.index

    def still_matches(self, article: Article) -> bool:
        """Whether a finished article is unchanged since it was extracted (size and hash).

        An article whose rows were kept but whose size or hash differs now, or can no
        longer be read, is forgotten, to be extracted again.
        """
        if article.id not in self.index:
            return False
        if article.id in self.errors and article.id not in self.digests:
            return True  # skipped without a readable text: nothing to compare
        if self.digests.get(article.id) == article_digest(article):
            return True
        del self.index[article.id]
        self.errors.pop(article.id, None)
        self.digests.pop(article.id, None)
        self.resumed -= 1
        return False

    def record(self, result: ArticleResult) -> None:
        entry: dict[str, Any] = {"article": result.id, "rows": result.rows}
        if result.error:
            entry["error"] = result.error
            self.errors[result.id] = result.error
        else:
            entry["csv"] = result.csv
        if result.digest is not None:
            entry["size"], entry["sha256"] = result.digest
            self.digests[result.id] = result.digest
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "surrogatepass")
        offset = self.fh.tell()
        self.fh.write(line)
        self.fh.flush()
        self.index[result.id] = (offset, len(line))

    def fragments(self, order: Iterable[str]) -> Iterator[tuple[int, str]]:
        """Yield the row count and CSV lines of the finished articles, in ``order``."""
        self.fh.flush()
        with self.path.open("rb") as fh:
            for article_id in order:
                place = self.index.get(article_id)
                if place is None:
                    continue
                fh.seek(place[0])
                entry = json.loads(fh.read(place[1]).decode("utf-8", "surrogatepass"))
                if entry.get("rows"):
                    yield entry["rows"], entry["csv"]

    def close(self) -> None:
        self.fh.close()


def _options(settings: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v!r}" for k, v in settings.items()) or "none"


# ---- the run ------------------------------------------------------------------------------


@dataclass
class CorpusReport:
    """What a corpus run did."""

    out: Path | None
    articles: int = 0  # articles extracted (now or in the run resumed)
    candidates: int = 0
    chars: int = 0
    size: int = 0  # bytes of the articles extracted in this run
    seconds: float = 0.0
    jobs: int = 1
    resumed: int = 0  # articles already finished by the run resumed
    changed: list[str] = field(default_factory=list)  # finished, then edited: extracted again
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Megabytes of articles read per second in this run."""
        return self.size / 1e6 / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        """Return a few lines for the terminal: counts, speed, skipped articles."""
        done = f"{self.articles} article{'s' if self.articles != 1 else ''}"
        if self.resumed or self.changed:
            done += f" ({self.resumed} from the interrupted run"
            if self.changed:
                done += (
                    f"; {len(self.changed)} changed since and extracted again: "
                    f"{', '.join(self.changed[:5])}{', ...' if len(self.changed) > 5 else ''}"
                )
            done += ")"
        where = "stdout" if self.out is None else str(self.out)
        lines = [
            f"extracted {self.candidates} candidates from {done}; "
            f"{self.size / 1e6:.1f} MB in {self.seconds:.1f} s "
            f"({self.rate:.2f} MB/s, {self.jobs} job{'s' if self.jobs != 1 else ''}); "
            f"wrote {self.candidates} rows to {where}"
        ]
        if self.skipped:
            lines.append(
                f"skipped {len(self.skipped)} article{'s' if len(self.skipped) != 1 else ''}:"
            )
            lines += [f"  {article}: {reason}" for article, reason in self.skipped]
        return "\n".join(lines)


def _worker_init() -> None:
    from dangjian_analysis.curate.indicator_rules import load_rules

    load_rules()


def _extract_batch(
    batch: list[Article], source_id: str | None, region_id: str | None
) -> list[ArticleResult]:
    return [extract_article(a, source_id=source_id, region_id=region_id) for a in batch]


def _pool(jobs: int) -> ProcessPoolExecutor:
    import multiprocessing

    # Not fork: the calling process may have threads. The fork server imports the
    # extractor once and every worker starts from that copy.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init)


# Articles go to the worker processes in batches of about this many bytes (and at most
# _BATCH_ARTICLES articles): one message per article costs the main process as much as
# the workers gain on articles of a few kilobytes.
_BATCH_BYTES = 256_000
_BATCH_ARTICLES = 32


def _batches(articles: Iterable[Article], most: int = _BATCH_ARTICLES) -> Iterator[list[Article]]:
    batch: list[Article] = []
    size = 0
    most = max(1, min(most, _BATCH_ARTICLES))
    for article in articles:
        batch.append(article)
        if article.path is not None:
            with contextlib.suppress(OSError):  # the worker reports what is wrong
                size += article.path.stat().st_size
        else:
            size += len(article.text or "") * 3
        if size >= _BATCH_BYTES or len(batch) >= most:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _results(
    articles: Iterable[Article],
    jobs: int,
    source_id: str | None,
    region_id: str | None,
    total: int = 0,
) -> Iterator[ArticleResult]:
    """Yield the result of every article, in any order, ``jobs`` processes at a time.

    With several jobs, a corpus of ``total`` articles goes out in at least four batches a
    process (fewer articles a batch for a small corpus), so that they finish together.
    """
    if jobs == 1:
        for article in articles:
            yield extract_article(article, source_id=source_id, region_id=region_id)
        return
    pool = _pool(jobs)
    try:
        pending: set[Future[list[ArticleResult]]] = set()
        most = total // (4 * jobs) if total else _BATCH_ARTICLES
        for batch in _batches(articles, most):
            pending.add(pool.submit(_extract_batch, batch, source_id, region_id))
            if len(pending) >= 2 * jobs:  # a few batches in flight, not the whole corpus
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield from future.result()
        for future in _as_finished(pending):
            yield from future.result()
    finally:  # on an interruption, drop the batches not started
        pool.shutdown(wait=True, cancel_futures=True)


def _as_finished(
    pending: set[Future[list[ArticleResult]]],
) -> Iterator[Future[list[ArticleResult]]]:
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from finished


def extract_corpus(
    inputs: Sequence[str | Path],
    out: str | Path | None,
    *,
    jobs: int | None = None,
    resume: bool = False,
    force: bool = False,
    source_id: str | None = None,
    region_id: str | None = None,
    bom: bool = False,
    progress: bool | None = None,
    stdout: IO[bytes] | None = None,
) -> CorpusReport:
    """Extract every article of ``inputs`` into one table at ``out``; return a report.

    Args:
        inputs: folders, text or HTML files and JSON Lines files (see the module).
        out: ``*.csv`` or ``*.parquet`` file; ``None`` writes CSV to ``stdout``.
        jobs: processes extracting at the same time (default: the number of CPUs). The
            processes start the way :mod:`multiprocessing` starts them without fork, so a
            script calling this with several jobs needs ``if __name__ == "__main__":``.
        resume: continue the interrupted run whose progress file is beside ``out``.
        force: replace an existing ``out`` (and an interrupted run's progress file).
        source_id: copied into every row.
        region_id: copied into every row.
        bom: start a CSV with the UTF-8 byte order mark (for spreadsheet programs).
        progress: show a progress bar on stderr (default: when stderr is a terminal).
        stdout: where CSV goes without ``out`` (default: ``sys.stdout.buffer``).

    Raises:
        FileExistsError: ``out`` exists (now or when the run ends) without ``force``, or
            an interrupted run's progress file exists without ``resume`` or ``force``.
        FileNotFoundError: an input does not exist.
        ValueError: Parquet or ``resume`` without ``out``, or a progress file written with
            other options.

    """
    from tqdm import tqdm

    started = time.perf_counter()
    jobs = jobs or cpu_count()
    out = None if out is None else Path(out)
    fmt = "csv" if out is None else output_format(out)
    if out is None and resume:
        raise ValueError("--resume needs --out (the progress file is kept beside it)")
    if out is not None:
        check_output(out, overwrite=force)  # a new path or a regular file, nothing else
        check_output(progress_path(out), overwrite=True)
        for item in inputs:
            if Path(item).exists() and Path(item).resolve() == out.resolve():
                raise ValueError(f"--out {out} is one of the articles")
    for item in inputs:
        _check_input(item)
    total = count_articles(inputs)
    jobs = max(1, min(jobs, total))  # no more processes than articles
    settings = {"source_id": source_id or "", "region_id": region_id or ""}
    report = CorpusReport(out=out, jobs=jobs)
    order: list[str] = []
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        state: _Progress | _Memory = _Progress(
            progress_path(out), settings, resume=resume, force=force
        )
    else:
        state = _Memory()
    try:
        report.resumed = state.resumed

        def todo() -> Iterator[Article]:
            for article in find_articles(inputs):
                order.append(article.id)
                if article.id not in state:
                    yield article
                elif not state.still_matches(article):  # edited since the interruption
                    report.changed.append(article.id)
                    yield article

        with tqdm(
            total=total,
            initial=state.resumed,
            unit="article",
            desc="extract",
            file=sys.stderr,
            disable=(not sys.stderr.isatty()) if progress is None else not progress,
            dynamic_ncols=True,
        ) as bar:
            for result in _results(todo(), jobs, source_id, region_id, total - state.resumed):
                state.record(result)
                report.candidates += result.rows
                report.chars += result.chars
                report.size += result.size
                bar.update()
                elapsed = time.perf_counter() - started
                bar.set_postfix_str(f"{report.size / 1e6 / elapsed:.2f} MB/s", refresh=False)
        report.resumed = state.resumed
        report.seconds = time.perf_counter() - started
        done = [a for a in order if a in state]
        report.skipped = [(a, state.errors[a]) for a in done if a in state.errors]
        report.articles = len(done) - len(report.skipped)
        report.candidates = _write(state, order, out, fmt, bom=bom, force=force, stdout=stdout)
    finally:
        state.close()
    if out is not None:
        progress_path(out).unlink(missing_ok=True)
    return report


class _Memory:
    """The finished articles of a run written to stdout (nothing to resume)."""

    resumed = 0

    def __init__(self) -> None:
        self.done: dict[str, tuple[int, str]] = {}
        self.errors: dict[str, str] = {}

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.done or article_id in self.errors

    def still_matches(self, article: Article) -> bool:
        return True  # articles of this run only

    def record(self, result: ArticleResult) -> None:
        if result.error:
            self.errors[result.id] = result.error
        else:
            self.done[result.id] = (result.rows, result.csv)

    def fragments(self, order: Iterable[str]) -> Iterator[tuple[int, str]]:
        for article_id in order:
            rows, text = self.done.get(article_id, (0, ""))
            if rows:
                yield rows, text

    def close(self) -> None:
        pass


def _write(
    state: _Progress | _Memory,
    order: list[str],
    out: Path | None,
    fmt: str,
    *,
    bom: bool,
    force: bool,
    stdout: IO[bytes] | None,
) -> int:
    """Write the table from the finished articles in ``order``; return its row count."""
    rows = 0

    def write_csv(fh: IO[bytes]) -> None:
        nonlocal rows
        fh.write(("\ufeff" if bom else "").encode() + (",".join(CORPUS_COLUMNS) + "\n").encode())
        for count, fragment in state.fragments(order):
            rows += count
            fh.write(fragment.encode("utf-8", "surrogatepass"))

    def write_parquet(fh: IO[bytes]) -> None:
        nonlocal rows
        import pyarrow.parquet as pq

        with pq.ParquetWriter(fh, corpus_schema()) as writer:
            batch: list[list[str]] = []
            for _, fragment in state.fragments(order):
                batch += csv.reader(io.StringIO(fragment))
                if len(batch) >= 100_000:
                    writer.write_table(candidates_table(batch))
                    rows += len(batch)
                    batch = []
            writer.write_table(candidates_table(batch))
            rows += len(batch)

    if out is None:
        target = stdout if stdout is not None else sys.stdout.buffer
        sys.stdout.flush()
        write_csv(target)
        target.flush()
    else:
        write_atomic(out, write_parquet if fmt == "parquet" else write_csv, force=force, late=True)
    return rows


def cpu_count() -> int:
    """Return the number of CPUs this process may use."""
    with contextlib.suppress(AttributeError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
