"""Read the files of a data package: the one CSV reader that validation and loaders share.

:func:`~dangjian_analysis.package.validation.validate` checks, and the loaders of
:mod:`dangjian_analysis.package.loaders` load, the cells that :func:`read_table` returns,
so a package is never checked as one thing and loaded as another. Tables are read with
the standard :mod:`csv` module in the dialect the descriptor declares (strict quoting), so
a quoted cell may hold line breaks, form feeds or U+2028 like any other character, and
every row is told by its physical line in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from pathlib import Path
from typing import Any

from dangjian_analysis.package.errors import DataValidationError, Problem
from dangjian_analysis.package.schema import (
    DataPackage,
    decode_package_text,
    read_package_bytes,
)
from dangjian_analysis.text.files import utf16_mark

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "Table",
    "csv_options",
    "decode_package_text",
    "read_table",
]

#: The first and last day a ``date`` cell may hold: the loaders keep dates as
#: ``datetime64[ns]``, which holds 1677-09-21 00:12:43 to 2262-04-11 23:47:16.
EARLIEST_DATE = dt.date(1677, 9, 22)
LATEST_DATE = dt.date(2262, 4, 11)

class Table:
    """A CSV file read as text: its header and its cells, column by column.

    ``columns[name][i]`` is the cell of column ``name`` in data row ``i + 1``; equal cells
    of one column share one string, so a table of 200,000 rows of repeated codes stays
    small. :attr:`rows` gives the same cells as dicts, one per row (built on first use).
    ``lines[i]`` is the physical line of the file (1-based) where data row ``i + 1``
    starts; it differs from the row number plus one once a quoted cell has spanned
    several lines.
    """

    def __init__(
        self,
        name: str,
        file: str,
        header: list[str],
        rows: list[dict[str, str]] | None = None,
        key_field: str | None = None,
        lines: list[int] | None = None,
    ) -> None:
        """Make a table from its header and, optionally, rows as dicts."""
        self.name = name
        self.file = file
        self.header = list(header)
        self.key_field = key_field
        self.columns: dict[str, list[str]] = {c: [] for c in self.header}
        self.lines: list[int] = list(lines or [])
        self._rows: list[dict[str, str]] | None = None
        for row in rows or []:
            for c in self.header:
                self.columns[c].append(row[c])

    def __len__(self) -> int:
        """Return the number of data rows."""
        return len(self.columns[self.header[0]]) if self.header else 0

    def __repr__(self) -> str:
        """Name the table and its size."""
        return f"Table({self.name!r}, {self.file!r}, {len(self)} rows)"

    @property
    def rows(self) -> list[dict[str, str]]:
        """The rows as dicts of column to cell (built once, on first use)."""
        if self._rows is None or len(self._rows) != len(self):
            cols = [self.columns[c] for c in self.header]
            self._rows = [
                dict(zip(self.header, cells, strict=True)) for cells in zip(*cols, strict=True)
            ]
        return self._rows

    def row(self, number: int) -> dict[str, str]:
        """Return data row ``number`` (1-based) as a dict."""
        return {c: self.columns[c][number - 1] for c in self.header}

    def key(self, row: dict[str, str]) -> str | None:
        """Describe the row by its primary key, e.g. ``figure_id=ab-001``."""
        if self.key_field and row.get(self.key_field):
            return f"{self.key_field}={row[self.key_field]}"
        return None

    def key_of(self, number: int) -> str | None:
        """Describe data row ``number`` (1-based) by its primary key."""
        if self.key_field:
            value = self.columns[self.key_field][number - 1]
            if value:
                return f"{self.key_field}={value}"
        return None

    def line(self, number: int) -> int | None:
        """Return the line where data row ``number`` (1-based; 0 is the header) starts."""
        if number == 0:
            return 1
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1]
        return None

    def extend(self, rows: list[list[str]], lines: list[int]) -> None:
        """Add data rows (lists of cells in header order) that start at ``lines``."""
        if rows:
            for column, cells in zip(self.columns.values(), zip(*rows, strict=True), strict=True):
                column.extend(cells)
        self.lines.extend(lines)
        self._rows = None


def csv_options(resource: dict[str, Any]) -> dict[str, Any]:
    """Return the :func:`csv.reader` options for a resource's ``dialect`` (CSV Dialect spec).

    Defaults are the spec's: comma, double quote, quotes doubled inside quoted cells, no
    escape character, spaces after the delimiter kept.
    """
    dialect = resource.get("dialect") or {}
    return {
        "delimiter": dialect.get("delimiter", ","),
        "quotechar": dialect.get("quoteChar", '"'),
        "doublequote": dialect.get("doubleQuote", True),
        "escapechar": dialect.get("escapeChar"),
        "skipinitialspace": dialect.get("skipInitialSpace", False),
        "strict": True,
    }


def _csv_problem(file: str, exc: csv.Error, start: int, end: int) -> Problem:
    message = str(exc)
    if message == "unexpected end of data":
        return Problem(
            file,
            None,
            None,
            "a closing quote for the quoted cell of the row that starts here",
            "the end of the file",
            line=start,
        )
    return Problem(file, None, None, "valid CSV", f"{message} (line {end})", line=start)


def read_table(package: DataPackage, name: str) -> Table:
    """Read resource ``name`` of ``package`` as text, in the dialect its descriptor declares.

    Raises:
        DataValidationError: when the file is missing, not a regular file inside the
            package folder (a FIFO, a device, a link loop or out of the folder), not
            UTF-8, not valid CSV (a quote left open), its header does not list the
            schema's fields in order, or a row is empty or has the wrong number of
            cells; each problem names the file, the row and the line where the row
            starts.

    """
    resource = package.resource(name)
    file = str(resource["path"])
    folder = str(package.folder)
    data = read_package_bytes(Path(package.folder), file, f"the {name} table")
    if utf16_mark(data):
        decode_package_text(data, file, folder)  # raises, naming UTF-16
    expected = [f["name"] for f in resource["schema"]["fields"]]
    pk = resource["schema"].get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else pk
    key_field = pk[0] if len(pk) == 1 else None
    try:
        table = _read_plain(data, resource, name, file, expected, key_field)
        if table is not None:
            return table
        return _read_row_by_row(data, resource, name, file, folder, expected, key_field)
    except UnicodeDecodeError:
        decode_package_text(data, file, folder)  # raises, naming the line and the byte
        raise


def _text_stream(data: bytes) -> io.TextIOWrapper:
    """Decode the bytes of a table as they are read (a byte order mark dropped)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")


#: Rows read at a time by :func:`_read_plain`.
_CHUNK = 16_384


def _read_plain(
    data: bytes,
    resource: dict[str, Any],
    name: str,
    file: str,
    expected: list[str],
    key_field: str | None,
) -> Table | None:
    """Read a table whose rows are one line each, all of the header's width, in chunks.

    Returns ``None`` for anything else (a cell spanning lines, a row of another width, an
    empty line, a CSV error, a wrong header): :func:`_read_row_by_row` then reads the file
    again and names every problem with its line.
    """
    reader = csv.reader(_text_stream(data), **csv_options(resource))
    try:
        header = next(reader, None)
        if header != expected or reader.line_num != 1:
            return None
        width = len(header)
        columns: list[list[str]] = [[] for _ in header]
        shared: dict[str, str] = {}  # equal cells share one string
        repeated: list[bool] = []  # columns whose cells repeat (codes, dates, units)
        count = 0
        while True:
            chunk = list(itertools.islice(reader, _CHUNK))
            if not chunk:
                break
            count += len(chunk)
            if reader.line_num != count + 1 or any(len(row) != width for row in chunk):
                return None
            by_column = list(zip(*chunk, strict=True))
            if not repeated:  # ids and numbers are mostly distinct: sharing saves nothing
                repeated = [len(set(cells)) * 2 < len(cells) for cells in by_column]
            for column, cells, share in zip(columns, by_column, repeated, strict=True):
                column.extend(map(shared.setdefault, cells, cells) if share else cells)
    except csv.Error:
        return None
    table = Table(name, file, header, key_field=key_field)
    table.columns = dict(zip(header, columns, strict=True))
    table.lines = range(2, count + 2)  # type: ignore[assignment]
    return table


def _read_row_by_row(
    data: bytes,
    resource: dict[str, Any],
    name: str,
    file: str,
    folder: str,
    expected: list[str],
    key_field: str | None,
) -> Table:
    """Read a table row by row, keeping the line where each row starts; name every problem."""
    reader = csv.reader(_text_stream(data), **csv_options(resource))
    problems: list[Problem] = []
    header: list[str] | None = None
    table: Table | None = None
    number = 0
    end = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    shared: dict[str, str] = {}
    while True:
        start = end + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            problems.append(_csv_problem(file, exc, start, reader.line_num))
            break
        end = reader.line_num
        if cells is None:
            break
        if header is None:
            header = cells
            if header != expected:
                missing = [c for c in expected if c not in header]
                extra = [c for c in header if c not in expected]
                found = f"columns {header}"
                if missing or extra:
                    found += f" (missing {missing}, unexpected {extra})"
                else:
                    found += " (same columns, different order)"
                raise DataValidationError(
                    folder, [Problem(file, 0, None, f"columns {expected}", found, line=start)]
                )
            table = Table(name, file, header, key_field=key_field)
            continue
        number += 1
        if not cells:
            problems.append(Problem(file, number, None, "a data row", "an empty line", line=start))
        elif len(cells) != len(header):
            problems.append(
                Problem(
                    file, number, None, f"{len(header)} cells", f"{len(cells)} cells", line=start
                )
            )
        else:  # equal cells share one string: a table of repeated codes stays small
            rows.append(list(map(shared.setdefault, cells, cells)))
            lines.append(start)
    if header is None and not problems:
        problems.append(Problem(file, 0, None, f"columns {expected}", "an empty file"))
    if problems or table is None:
        raise DataValidationError(folder, problems)
    del shared
    table.extend(rows, lines)
    return table
