"""Checks on the tables handed to the plotting functions.

Every check raises :class:`ValueError` naming the table, the column and the row (by its
index and display label), so that a caller sees which input to fix. Nothing is coerced:
a text in a numeric column or a bound on the wrong side of its value is an error.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "check_columns",
    "check_interval",
    "check_numeric",
    "check_present",
    "check_text",
    "is_blank",
    "row_name",
]


def row_name(table: pd.DataFrame, position: int, label_column: str = "label") -> str:
    """Describe a row for error messages: its index and, when it has one, its label."""
    index = table.index[position]
    if label_column in table.columns:
        label = table[label_column].iloc[position]
        if not is_blank(label):
            return f"row {index!r} ({label_column} {str(label)!r})"
    return f"row {index!r}"


def is_blank(value: Any) -> bool:
    """Tell whether a cell is missing: ``None``, NaN, ``pd.NA`` or only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN and NA are the values unequal to themselves
    except TypeError:  # pd.NA cannot be cast to bool
        return True


def check_columns(
    table: Any, what: str, required: Sequence[str], optional: Sequence[str] = ()
) -> pd.DataFrame:
    """Check that ``table`` is a non-empty DataFrame holding the ``required`` columns.

    Returns a copy limited to the required and present optional columns, with a fresh
    integer index kept out of the way (the original index names rows in messages).
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in required if c not in table.columns]
    if missing:
        listed = ", ".join(repr(c) for c in missing)
        raise ValueError(f"{what}: missing column(s) {listed}; required: {', '.join(required)}")
    if table.empty:
        raise ValueError(f"{what}: the table has no rows")
    keep = [*required, *(c for c in optional if c in table.columns)]
    return table.loc[:, keep].copy()


def check_text(table: pd.DataFrame, what: str, column: str, *, allow_blank: bool = False) -> None:
    """Check that every cell of ``column`` is a string (non-blank unless ``allow_blank``)."""
    for position, value in enumerate(table[column]):
        if is_blank(value):
            if allow_blank:
                continue
            raise ValueError(f"{what}: column {column!r} is empty in {row_name(table, position)}")
        if not isinstance(value, str):
            raise ValueError(
                f"{what}: column {column!r} must hold text, found {value!r} "
                f"in {row_name(table, position)}"
            )


def check_numeric(table: pd.DataFrame, what: str, columns: Sequence[str]) -> None:
    """Check that the ``columns`` hold finite numbers or empty cells; convert to float."""
    for column in columns:
        values = []
        for position, value in enumerate(table[column]):
            if is_blank(value):
                values.append(math.nan)
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(
                    f"{what}: column {column!r} must hold numbers, found {value!r} "
                    f"in {row_name(table, position)}"
                )
            number = float(value)
            if math.isinf(number):
                raise ValueError(
                    f"{what}: column {column!r} holds an infinite value "
                    f"in {row_name(table, position)}"
                )
            values.append(number)
        table[column] = values


def check_present(table: pd.DataFrame, what: str, columns: Sequence[str]) -> None:
    """Check that the (numeric) ``columns`` have no empty cell."""
    for column in columns:
        for position, value in enumerate(table[column]):
            if math.isnan(value):
                raise ValueError(
                    f"{what}: column {column!r} is empty in {row_name(table, position)}"
                )


def check_interval(table: pd.DataFrame, what: str, value: str, lower: str, upper: str) -> None:
    """Check ``lower <= value <= upper`` in every row where both sides of a pair are known.

    An empty bound means the interval is open on that side (a "more than" figure has no
    upper bound); an empty value with a bound is an error.
    """
    for position, (v, lo, hi) in enumerate(
        zip(table[value], table[lower], table[upper], strict=True)
    ):
        where = row_name(table, position)
        if math.isnan(v):
            for column, bound in ((lower, lo), (upper, hi)):
                if not math.isnan(bound):
                    raise ValueError(
                        f"{what}: column {column!r} is {bound:g} in {where}, but {value!r} is empty"
                    )
            continue
        if not math.isnan(lo) and lo > v:
            raise ValueError(
                f"{what}: column {lower!r} ({lo:g}) is above {value!r} ({v:g}) in {where}"
            )
        if not math.isnan(hi) and hi < v:
            raise ValueError(
                f"{what}: column {upper!r} ({hi:g}) is below {value!r} ({v:g}) in {where}"
            )
