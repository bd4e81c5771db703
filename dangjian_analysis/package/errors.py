"""Error types raised when a data package is missing or invalid."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DataPackageNotFoundError", "DataValidationError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One problem found in a data package.

    Attributes:
        file: the file name within the package (``figures.csv``, ``datapackage.json``).
        row: the 1-based data row (the header is row 0), or ``None`` for a whole-file problem.
        column: the column name, or ``None`` when the problem is not about one column.
        expected: what the schema or rule requires.
        found: what the file holds.
        key: the row's primary key value, when known, to help find the row.
        line: the physical line of the file where the row starts (1-based), when it
            differs from ``row + 1`` (a quoted cell spanning lines) or when the problem
            has a line but no row (a byte that is not UTF-8).
        location: where in a JSON file the problem is (``resources[4] (figures).schema``),
            for problems of the descriptor.
        check: the name of the validation check that found the problem
            (``figures-counts-whole``), when a named check found it.

    """

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str
    key: str | None = None
    line: int | None = None
    location: str | None = None
    check: str | None = None

    def __str__(self) -> str:
        """Render as ``file, row N (line L, id K), column 'C': expected E, found F``."""
        where = self.file
        if self.location is not None:
            where += f", {self.location}"
        if self.row is not None:
            line = self.line if self.line is not None else self.row + 1
            where += f", row {self.row} (line {line}"
            where += f", {self.key})" if self.key else ")"
        elif self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: expected {self.expected}, found {self.found}"


class DataValidationError(ValueError):
    """A data package breaks its schema or the package's own rules.

    The message lists every problem found, each naming file, row, column, what was
    expected and what was found. The problems are also available as :attr:`problems`.
    """

    #: How many problems the message lists before summarising the rest.
    MAX_LISTED = 25

    def __init__(self, package: str, problems: list[Problem]) -> None:
        """Build the error for the package at ``package`` from its ``problems``."""
        self.package = package
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[: self.MAX_LISTED]]
        more = len(self.problems) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more problem(s)")
        count = len(self.problems)
        head = f"data package {package} has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([head, *("  " + line for line in lines)]))


class DataPackageNotFoundError(FileNotFoundError):
    """No data package (a folder with ``datapackage.json``) where one was expected."""
