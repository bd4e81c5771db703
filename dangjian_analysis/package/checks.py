"""Named checks of a data package: one rule each, collected in one registry.

:func:`~dangjian_analysis.package.validation.validate` reads the tables once, then runs
every check of :data:`CHECKS` in order, each on a :class:`CheckContext` (the package, its
tables read as text and a few values computed once for all checks), and gathers the
:class:`~dangjian_analysis.package.errors.Problem` each one returns. A check has a name
(``figures.count-is-whole``), the rule it enforces in one sentence, and a function.

A module that adds rules (published estimates, source provenance) declares its checks
with the :func:`named_check` decorator; its checks join the registry when the module is
imported, and ``validation.CHECK_MODULES`` lists the modules that validate imports first::

    from dangjian_analysis.package.checks import CheckContext, named_check

    @named_check("estimates.se-positive", "a standard error is a positive number")
    def _se_positive(ctx: CheckContext) -> list[Problem]:
        table = ctx.tables["estimates"]
        ...

The order of :data:`CHECKS` is the order of the problems in the error: checks of one
table's cells first, then checks across tables, then the analysis settings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dangjian_analysis.package.errors import Problem
from dangjian_analysis.package.schema import DataPackage
from dangjian_analysis.package.tables import Table

__all__ = ["CHECKS", "Check", "CheckContext", "date_of", "named_check", "number_of"]

# ASCII digits only: Python reads full-width and Arabic-Indic digits as numbers, pandas
# does not, and the loaders must read whatever validates.
NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBERS = re.compile(rf"(?:{NUMBER.pattern})(?:\n(?:{NUMBER.pattern}))*")


def number_of(value: str) -> float | None:
    """Return the number in a cell, or ``None`` for an empty cell or one that is not a number."""
    return float(value) if value and NUMBER.fullmatch(value) else None


def date_of(value: str) -> dt.date | None:
    """Return the date in a cell (``YYYY-MM-DD``), or ``None``."""
    try:
        return dt.date.fromisoformat(value) if DATE.fullmatch(value) else None
    except ValueError:
        return None


@dataclass
class CheckContext:
    """What every check sees: the package, its tables (read as text) and shared values."""

    package: DataPackage
    tables: dict[str, Table]
    _cache: dict[tuple[str, ...], Any] = field(default_factory=dict)

    def distinct(self, table: str, column: str) -> dict[str, None]:
        """Return the distinct cells of a column, in order of first appearance, once."""
        key = ("distinct", table, column)
        if key not in self._cache:
            self._cache[key] = dict.fromkeys(self.tables[table].columns[column])
        return self._cache[key]

    def numbers(self, table: str, column: str) -> list[float | None]:
        """Return the cells of a column as numbers (``None`` where empty or not a number), once."""
        key = ("numbers", table, column)
        if key not in self._cache:
            cells = self.tables[table].columns[column]
            distinct = [c for c in self.distinct(table, column) if c]
            if _NUMBERS.fullmatch("\n".join(distinct)):  # all numbers: convert in one pass
                seen = dict(zip(distinct, map(float, distinct), strict=True))
            else:
                seen = {c: number_of(c) for c in distinct}
            seen[""] = None
            self._cache[key] = list(map(seen.__getitem__, cells))
        return self._cache[key]

    def dates(self, table: str, column: str) -> list[dt.date | None]:
        """Return the cells of a column as dates (``None`` where empty or not a date), once."""
        key = ("dates", table, column)
        if key not in self._cache:
            cells = self.tables[table].columns[column]
            seen = {c: date_of(c) for c in self.distinct(table, column)}
            self._cache[key] = list(map(seen.__getitem__, cells))
        return self._cache[key]

    def remember(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a value once for all checks (``compute()`` the first time ``key`` is asked)."""
        if ("value", key) not in self._cache:
            self._cache[("value", key)] = compute()
        return self._cache[("value", key)]


@dataclass(frozen=True)
class Check:
    """One named rule: ``run(context)`` returns the problems it finds."""

    name: str
    rule: str
    run: Callable[[CheckContext], Iterable[Problem]]


#: Every check, in the order validate runs them.
CHECKS: list[Check] = []


def named_check(
    name: str, rule: str
) -> Callable[
    [Callable[[CheckContext], Iterable[Problem]]], Callable[[CheckContext], Iterable[Problem]]
]:
    """Register the decorated function as the check ``name`` enforcing ``rule``.

    Raises:
        ValueError: when a check of that name is registered already (from another module).

    """

    def register(
        run: Callable[[CheckContext], Iterable[Problem]],
    ) -> Callable[[CheckContext], Iterable[Problem]]:
        for existing in CHECKS:
            if existing.name == name:
                if existing.run.__qualname__ == run.__qualname__ and (
                    existing.run.__module__ == run.__module__
                ):
                    return run  # the same module imported again (a reload)
                raise ValueError(f"a check named {name!r} exists already")
        CHECKS.append(Check(name, rule, run))
        return run

    return register
