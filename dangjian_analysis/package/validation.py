"""Validate a data package against its schema and the package's own curation rules.

Validation is a list of named checks (:data:`~dangjian_analysis.package.checks.CHECKS`),
one rule each, every problem reported through
:class:`~dangjian_analysis.package.errors.DataValidationError` naming file, row, column,
what was expected and what was found:

1. What ``datapackage.json`` says: the header of every CSV, required values, types
   (string, number, integer, date), constraints (enum, pattern, length, range, unique),
   primary keys and foreign keys (self-references without cycles), a ``unit`` on every
   numeric field and a valid ``version``.
2. What the curation rules in ``CURATION.md`` add: ``lower <= value <= upper``; ratio
   indicators between 0 and 1; counts (unit kinds ``count``, ``persons``,
   ``person_times``) non-negative whole numbers; ``raw`` parses to the stored value,
   bounds and qualifier with a unit that fits the indicator; reference periods that are
   ordered and consistent with their kind and basis; ``see_also`` pointing at existing
   figures and listed back by them (links go both ways); ``entity`` set exactly for
   single-enterprise figures; and one definition per ratio code: two figures of a ratio
   indicator with the same region, scope (and entity) and reference year but different
   values must be linked by ``see_also``.
3. The analysis settings (``analysis.json``): well formed, every key known, every measure
   and key listed once, factors finite and positive, and every code and id naming a row
   of the tables.

Files are read as text by :func:`~dangjian_analysis.package.tables.read_table`, the reader
the loaders use too, so nothing is coerced before it is checked and what validates is what
loads: numbers and dates are checked in the form the loaders read (ASCII digits, finite
numbers, dates the ``datetime64[ns]`` columns can hold), and no cell holds control
characters (``raw`` and ``locator``, the text as printed on one line, no line breaks either).

A module that adds rules registers named checks with
:func:`~dangjian_analysis.package.checks.named_check` and is listed in
:data:`CHECK_MODULES`; :func:`check_names` lists every check with its rule.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from dangjian_analysis.package.checks import (
    CHECKS,
    DATE,
    NUMBER,
    CheckContext,
    named_check,
)
from dangjian_analysis.package.errors import DataValidationError, Problem
from dangjian_analysis.package.paths import DESCRIPTOR
from dangjian_analysis.package.schema import (
    RESOURCE_NAMES,
    UNIT_PROPERTY,
    DataPackage,
    read_datapackage,
)
from dangjian_analysis.package.settings import (
    check_settings,
    load_settings_document,
    settings_path,
)
from dangjian_analysis.package.tables import EARLIEST_DATE, LATEST_DATE, Table, read_table
from dangjian_analysis.text.quantity import (
    Quantity,
    QuantityParseError,
    parse_quantity,
    unit_kind_compatible,
)

# read_table and Table live in dangjian_analysis.package.tables and are re-exported here.
__all__ = [
    "CHECK_MODULES",
    "Table",
    "check_names",
    "read_table",
    "run_checks",
    "validate",
    "validate_tables",
]

#: Modules whose named checks join the built-in ones (imported by :func:`validate`).
#: A module that adds rules appends its name here, one line.
CHECK_MODULES: list[str] = ["dangjian_analysis.package.estimates"]

_INTEGER = re.compile(r"[-+]?[0-9]+")
_INT64 = 2**63
# Cells of these columns hold text as printed on one line: no line break of any kind.
_SINGLE_LINE = {"figures": ("raw", "locator")}
# Control characters (Unicode category Cc) other than tab, line breaks and form feed:
# never typed, only copied in by accident.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SINGLE_ENTERPRISE = "single_enterprise"
#: Unit kinds whose figures count whole things: never negative, never fractional.
COUNT_KINDS = ("count", "persons", "person_times")
# A data version: major.minor.patch, optionally with a pre-release or build suffix
# (Semantic Versioning), as the descriptor, the changelog and the notebooks write it.
_VERSION = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
)


def _ascii_digits(value: str) -> tuple[str, str] | None:
    """Name the first digit that is not ASCII (full-width ９, Arabic-Indic ٩), if any."""
    for char in value:
        if char.isdigit() and not char.isascii():
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            return "digits 0-9 (ASCII)", f"{value!r} ({char!r} is {name})"
    return None


def _control_character(value: str, single_line: bool) -> tuple[str, str] | None:
    """Find a control character (or, in a single-line cell, a line break) in a cell."""
    if single_line:
        if value.isprintable():
            return None
        odd = ("Cc", "Cf", "Zl", "Zp")
        bad = next((i for i, c in enumerate(value) if unicodedata.category(c) in odd), None)
        expected = "text on one line as printed, without line breaks or control characters"
    else:
        match = _CONTROL.search(value)
        bad = match.start() if match else None
        expected = "text without control characters"
    if bad is None:
        return None
    return expected, f"{value!r} (U+{ord(value[bad]):04X} at character {bad + 1})"


def _type_problem(fld: dict[str, Any], value: str) -> tuple[str, str] | None:
    """Check one non-empty cell against its field type; ``(expected, found)`` or ``None``."""
    ftype = fld.get("type", "string")
    if ftype == "number":
        if not NUMBER.fullmatch(value):
            return _ascii_digits(value) or (
                "a number (digits, optional decimal point)",
                repr(value),
            )
        if not math.isfinite(float(value)):
            return "a finite number", repr(value)
    elif ftype == "integer":
        if not _INTEGER.fullmatch(value):
            return _ascii_digits(value) or ("an integer", repr(value))
        if not -_INT64 <= int(value) < _INT64:
            return "an integer between -2**63 and 2**63 - 1", repr(value)
    elif ftype == "date":
        if not DATE.fullmatch(value):
            return _ascii_digits(value) or ("a date as YYYY-MM-DD", repr(value))
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return "a valid calendar date", repr(value)
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return f"a date between {EARLIEST_DATE} and {LATEST_DATE}", repr(value)
    if fld.get("format") == "uri" and not re.fullmatch(r"https?://\S+", value):
        return "an http(s) address", repr(value)
    return None


def _constraint_problem(fld: dict[str, Any], value: str) -> tuple[str, str] | None:
    """Check one non-empty cell of the right type against its field's constraints."""
    cons = fld.get("constraints", {})
    if "enum" in cons and value not in cons["enum"]:
        return f"one of {cons['enum']}", repr(value)
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        return f"text matching {cons['pattern']}", repr(value)
    if "minLength" in cons and len(value) < cons["minLength"]:
        return f"at least {cons['minLength']} characters", f"{len(value)} in {value!r}"
    if "maxLength" in cons and len(value) > cons["maxLength"]:
        return f"at most {cons['maxLength']} characters", f"{len(value)} in {value!r}"
    if fld.get("type") in ("number", "integer"):
        number = float(value)
        if "minimum" in cons and number < float(cons["minimum"]):
            return f"a value >= {cons['minimum']}", value
        if "maximum" in cons and number > float(cons["maximum"]):
            return f"a value <= {cons['maximum']}", value
    return None


def _same(a: float | None, b: float | None) -> bool:
    if a == b:
        return True
    if a is None or b is None:
        return False
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _fmt(x: float | None) -> str:
    """Render a number as written in a CSV cell: ``127000``, ``0.7252``, or ``empty``."""
    if x is None:
        return "empty"
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


# ---- cells: the schema, one rule per check -------------------------------------------------


def _fields(ctx: CheckContext, table: Table) -> list[dict[str, Any]]:
    return list(ctx.package.resource(table.name)["schema"]["fields"])


def _distinct(ctx: CheckContext, table: Table, column: str) -> dict[str, None]:
    """Return the distinct cells of a column, in order of first appearance (computed once)."""
    return ctx.distinct(table.name, column)


def _cell_rule(ctx: CheckContext, judge: Any, screen: Any = None) -> Iterator[Problem]:
    """Apply ``judge(table, field, cell)`` to each distinct non-empty cell of every column.

    ``judge`` returns ``(expected, found)`` for a cell that breaks the rule; every row
    holding that cell is reported. ``screen(table, field, cells)``, when given, looks at
    a column's distinct cells at once and returns False when none can break the rule, so
    that large columns are checked in one pass instead of cell by cell.
    """
    for table in ctx.tables.values():
        for fld in _fields(ctx, table):
            name = fld["name"]
            cells = ctx.remember(
                f"filled:{table.name}:{name}",
                lambda table=table, name=name: [c for c in _distinct(ctx, table, name) if c],
            )
            if screen is not None and not screen(table, fld, cells):
                continue
            bad = {}
            for cell in cells:
                failed = judge(table, fld, cell)
                if failed:
                    bad[cell] = failed
            if not bad:
                continue
            for number, cell in enumerate(table.columns[name], start=1):
                if cell in bad:
                    yield Problem(table.file, number, name, *bad[cell], table.key_of(number))


def _single_line(table: Table, fld: dict[str, Any]) -> bool:
    return fld["name"] in _SINGLE_LINE.get(table.name, ())


def _may_hold_control(table: Table, fld: dict[str, Any], cells: list[str]) -> bool:
    if _single_line(table, fld):
        return not " ".join(cells).isprintable()
    return _CONTROL.search("\n".join(cells)) is not None


# A space at the start or end of a cell, the cells joined by NUL (never a space).
_EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")


def _may_have_spaces(table: Table, fld: dict[str, Any], cells: list[str]) -> bool:
    return _EDGE_SPACE.search("\x00".join(cells)) is not None


_NUMBERS = re.compile(rf"(?:{NUMBER.pattern})(?:\n(?:{NUMBER.pattern}))*")
_INTEGERS = re.compile(rf"(?:{_INTEGER.pattern})(?:\n(?:{_INTEGER.pattern}))*")


def _may_break_type(table: Table, fld: dict[str, Any], cells: list[str]) -> bool:
    ftype = fld.get("type", "string")
    if not cells:
        return False
    if ftype == "number":
        if not _NUMBERS.fullmatch("\n".join(cells)):
            return True
        return not all(map(math.isfinite, map(float, cells)))
    if ftype == "integer":
        return not _INTEGERS.fullmatch("\n".join(cells)) or max(map(len, cells)) > 18
    return ftype != "string" or fld.get("format") == "uri"


def _may_break_constraints(table: Table, fld: dict[str, Any], cells: list[str]) -> bool:
    cons = fld.get("constraints", {})
    checked = {"enum", "pattern", "minLength", "maxLength", "minimum", "maximum"} & set(cons)
    if not cells or not checked:
        return False
    if "enum" in cons and not set(cells) <= set(cons["enum"]):
        return True
    if "minLength" in cons and min(map(len, cells)) < cons["minLength"]:
        return True
    if "maxLength" in cons and max(map(len, cells)) > cons["maxLength"]:
        return True
    if "pattern" in cons:
        joined = "\n".join(cells)
        if joined.count("\n") != len(cells) - 1:  # a cell with a line break: one by one
            return True
        pattern = _column_pattern(cons["pattern"])
        if pattern is None or not pattern.fullmatch(joined):
            return True
    if {"minimum", "maximum"} & checked:
        if fld.get("type") not in ("number", "integer") or _may_break_type(table, fld, cells):
            return True
        numbers = list(map(float, cells))
        if "minimum" in cons and min(numbers) < float(cons["minimum"]):
            return True
        if "maximum" in cons and max(numbers) > float(cons["maximum"]):
            return True
    return False


@functools.cache
def _column_pattern(pattern: str) -> re.Pattern[str] | None:
    """Return a pattern matching a column's cells joined by line breaks, each in full."""
    try:
        return re.compile(rf"(?:{pattern})(?:\n(?:{pattern}))*", re.MULTILINE)
    except re.error:
        return None


@named_check("cell-required", "a required cell, or a cell of the primary key, is not empty")
def _required(ctx: CheckContext) -> Iterator[Problem]:
    for table in ctx.tables.values():
        schema = ctx.package.resource(table.name)["schema"]
        pk = list(schema.get("primaryKey") or [])
        for fld in schema["fields"]:
            name = fld["name"]
            if fld.get("constraints", {}).get("required"):
                expected = "a value"
            elif name in pk:
                expected = "a value (part of the primary key)"
            else:
                continue
            if "" not in _distinct(ctx, table, name):
                continue
            for number, cell in enumerate(table.columns[name], start=1):
                if cell == "":
                    yield Problem(
                        table.file, number, name, expected, "an empty cell", table.key_of(number)
                    )


@named_check(
    "cell-control-characters",
    "a cell holds no control characters (raw and locator: no line breaks)",
)
def _control(ctx: CheckContext) -> Iterator[Problem]:
    return _cell_rule(
        ctx,
        lambda table, fld, cell: _control_character(cell, _single_line(table, fld)),
        _may_hold_control,
    )


@named_check("cell-no-surrounding-spaces", "a cell has no leading or trailing spaces")
def _spaces(ctx: CheckContext) -> Iterator[Problem]:
    return _cell_rule(
        ctx,
        lambda table, fld, cell: (
            ("no leading or trailing spaces", repr(cell)) if cell != cell.strip() else None
        ),
        _may_have_spaces,
    )


@named_check("cell-type", "a cell holds its field's type: a number, an integer, a date, an address")
def _types(ctx: CheckContext) -> Iterator[Problem]:
    return _cell_rule(ctx, lambda table, fld, cell: _type_problem(fld, cell), _may_break_type)


@named_check(
    "cell-constraints", "a cell meets its field's constraints: enum, pattern, length, range"
)
def _constraints(ctx: CheckContext) -> Iterator[Problem]:
    return _cell_rule(
        ctx,
        lambda table, fld, cell: (
            None if _type_problem(fld, cell) else _constraint_problem(fld, cell)
        ),
        _may_break_constraints,
    )


@named_check("cell-unique", "a unique field (or a one-field primary key) holds no value twice")
def _unique(ctx: CheckContext) -> Iterator[Problem]:
    for table in ctx.tables.values():
        schema = ctx.package.resource(table.name)["schema"]
        pk = list(schema.get("primaryKey") or [])
        for fld in schema["fields"]:
            name = fld["name"]
            if not (fld.get("constraints", {}).get("unique") or pk == [name]):
                continue
            column = table.columns[name]
            distinct = _distinct(ctx, table, name)
            if len(distinct) == len(column):
                continue
            first: dict[str, int] = {}
            for number, cell in enumerate(column, start=1):
                if cell == "":
                    continue
                seen = first.setdefault(cell, number)
                if seen != number:
                    yield Problem(
                        table.file,
                        number,
                        name,
                        "a unique value",
                        f"{cell!r}, already used in row {seen}",
                        table.key_of(number),
                    )


@named_check("primary-key-unique", "a primary key of several fields is unique")
def _primary_key(ctx: CheckContext) -> Iterator[Problem]:
    for table in ctx.tables.values():
        pk = list(ctx.package.resource(table.name)["schema"].get("primaryKey") or [])
        if len(pk) < 2:
            continue
        first: dict[tuple[str, ...], int] = {}
        for number, values in enumerate(zip(*(table.columns[c] for c in pk), strict=True), start=1):
            if not all(values):
                continue
            seen = first.setdefault(values, number)
            if seen != number:
                yield Problem(
                    table.file,
                    number,
                    pk[0],
                    f"a unique primary key ({', '.join(pk)})",
                    f"{values!r}, already used in row {seen}",
                    table.key_of(number),
                )


@named_check("foreign-keys", "a foreign key names a row of the table it refers to")
def _foreign_keys(ctx: CheckContext) -> Iterator[Problem]:
    tables = ctx.tables
    for table in tables.values():
        for fk in ctx.package.resource(table.name)["schema"].get("foreignKeys", []):
            cols = list(fk["fields"])
            ref_table = tables[fk["reference"]["resource"] or table.name]
            ref_cols = list(fk["reference"]["fields"])
            allowed = set(zip(*(ref_table.columns[c] for c in ref_cols), strict=True))
            if len(cols) == 1 and {(c,) for c in ctx.distinct(table.name, cols[0]) if c} <= allowed:
                continue  # every value is listed: nothing to report
            for number, values in enumerate(
                zip(*(table.columns[c] for c in cols), strict=True), start=1
            ):
                if all(values) and values not in allowed:
                    yield Problem(
                        table.file,
                        number,
                        cols[0],
                        f"a {', '.join(ref_cols)} listed in {ref_table.file}",
                        repr(values[0] if len(values) == 1 else values),
                        table.key_of(number),
                    )


@named_check("hierarchies", "self-referencing keys (region parents, broader scopes) form no cycle")
def _hierarchies(ctx: CheckContext) -> Iterator[Problem]:
    for table in ctx.tables.values():
        for fk in ctx.package.resource(table.name)["schema"].get("foreignKeys", []):
            if fk["reference"]["resource"]:
                continue
            cols = list(fk["fields"])
            ref_cols = list(fk["reference"]["fields"])

            def nodes(columns: list[str], table: Table = table) -> list[str]:
                return [
                    ";".join(values) if all(values) else ""
                    for values in zip(*(table.columns[c] for c in columns), strict=True)
                ]

            heres, parents = nodes(ref_cols), nodes(cols)
            parent = dict(zip(heres, parents, strict=True))
            parent.pop("", None)
            for number, here in enumerate(heres, start=1):
                if not here:
                    continue
                seen = [here]
                node = parent.get(here, "")
                while node and node not in seen:
                    seen.append(node)
                    node = parent.get(node, "")
                if node and node == here:
                    yield Problem(
                        table.file,
                        number,
                        cols[0],
                        f"a {', '.join(cols)} chain that does not lead back to this row",
                        " -> ".join([*seen, node]),
                        table.key_of(number),
                    )


# ---- the descriptor ------------------------------------------------------------------------


@named_check(
    "numeric-field-units", "every numeric field has a unit, and every unit kind is defined"
)
def _units(ctx: CheckContext) -> Iterator[Problem]:
    package, tables = ctx.package, ctx.tables
    kinds = package.unit_kinds
    for name in RESOURCE_NAMES:
        for fld in package.fields(name):
            if fld.get("type") not in ("number", "integer"):
                continue
            unit = fld.get(UNIT_PROPERTY)
            where = f"resource {name!r} field {fld['name']!r}"
            if unit is None:
                yield Problem(
                    DESCRIPTOR, None, None, f"a {UNIT_PROPERTY!r} property on {where}", "none"
                )
            elif isinstance(unit, dict):
                ref = str(unit.get("unitKindFrom", ""))
                if ref != "indicators.unit_kind" or unit.get("via") != "indicator":
                    yield Problem(
                        DESCRIPTOR,
                        None,
                        None,
                        f"{UNIT_PROPERTY!r} of {where} to resolve through "
                        "indicators.unit_kind via indicator",
                        repr(unit),
                    )
    indicators = tables["indicators"]
    for number, kind in enumerate(indicators.columns["unit_kind"], start=1):
        if kind and kind not in kinds:
            yield Problem(
                indicators.file,
                number,
                "unit_kind",
                f"a unit kind defined in unitKinds ({sorted(kinds)})",
                repr(kind),
                indicators.key_of(number),
            )


@named_check("descriptor-version", "the data version is a version number such as 1.4.0")
def _version(ctx: CheckContext) -> Iterator[Problem]:
    version = ctx.package.descriptor.get("version")
    if isinstance(version, str) and not _VERSION.fullmatch(version):
        yield Problem(
            DESCRIPTOR,
            None,
            "version",
            'a version number MAJOR.MINOR.PATCH such as "1.4.0"',
            repr(version),
        )


# ---- sources -------------------------------------------------------------------------------


@named_check(
    "sources-publication-window-order", "published_earliest is on or before published_latest"
)
def _source_window(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["sources"]
    early = ctx.dates("sources", "published_earliest")
    late = ctx.dates("sources", "published_latest")
    for number, (e, la) in enumerate(zip(early, late, strict=True), start=1):
        if e and la and e > la:
            yield Problem(
                t.file,
                number,
                "published_latest",
                f"a date on or after published_earliest ({e})",
                str(la),
                t.key_of(number),
            )


@named_check("sources-published-in-window", "published lies within the publication window")
def _source_published(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["sources"]
    early = ctx.dates("sources", "published_earliest")
    late = ctx.dates("sources", "published_latest")
    pub = ctx.dates("sources", "published")
    for number, (e, la, p) in enumerate(zip(early, late, pub, strict=True), start=1):
        if p and e and la and not (e <= p <= la):
            yield Problem(
                t.file,
                number,
                "published",
                f"a date between {e} and {la}",
                str(p),
                t.key_of(number),
            )


# ---- figures -------------------------------------------------------------------------------


def _unit_kinds(ctx: CheckContext) -> list[str | None]:
    """Return the unit kind of each figure's indicator (``None`` for an unknown indicator)."""
    kinds = _indicator_kinds(ctx)
    return ctx.remember(
        "figure-unit-kinds",
        lambda: list(map(kinds.get, ctx.tables["figures"].columns["indicator"])),
    )


def _indicator_kinds(ctx: CheckContext) -> dict[str, str]:
    """Return the unit kind of each indicator code of indicators.csv."""
    ind = ctx.tables["indicators"]
    return dict(zip(ind.columns["indicator"], ind.columns["unit_kind"], strict=True))


def _numbers(ctx: CheckContext) -> Iterator[tuple[int, float | None, float | None, float | None]]:
    return enumerate(
        zip(
            ctx.numbers("figures", "value"),
            ctx.numbers("figures", "lower"),
            ctx.numbers("figures", "upper"),
            strict=True,
        ),
        start=1,
    )


@named_check("figures-bounds-order", "lower <= value <= upper")
def _bounds_order(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    for number, (value, lower, upper) in _numbers(ctx):
        if value is None:
            continue
        if lower is not None and lower > value:
            yield Problem(
                t.file,
                number,
                "lower",
                f"a bound <= value ({_fmt(value)})",
                _fmt(lower),
                t.key_of(number),
            )
        if upper is not None and upper < value:
            yield Problem(
                t.file,
                number,
                "upper",
                f"a bound >= value ({_fmt(value)})",
                _fmt(upper),
                t.key_of(number),
            )


@named_check(
    "figures-ratio-between-0-and-1", "value and bounds of a ratio indicator lie between 0 and 1"
)
def _ratio_range(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    kinds = _unit_kinds(ctx)
    indicators = t.columns["indicator"]
    for number, numbers in _numbers(ctx):
        if kinds[number - 1] != "ratio":
            continue
        for col, x in zip(("value", "lower", "upper"), numbers, strict=True):
            if x is not None and not 0 <= x <= 1:
                yield Problem(
                    t.file,
                    number,
                    col,
                    f"a ratio between 0 and 1 for ratio indicator {indicators[number - 1]!r}",
                    _fmt(x),
                    t.key_of(number),
                )


@named_check(
    "figures-counts-whole",
    "value and bounds of a count (count, persons, person_times) are non-negative whole numbers",
)
def _counts_whole(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    kinds = _unit_kinds(ctx)
    indicators = t.columns["indicator"]
    for number, numbers in _numbers(ctx):
        kind = kinds[number - 1]
        if kind not in COUNT_KINDS:
            continue
        bad = [
            (col, x)
            for col, x in zip(("value", "lower", "upper"), numbers, strict=True)
            if x is not None and (x < 0 or not x.is_integer())
        ]
        if bad:
            found = ", ".join(f"{col} {_fmt(x)}" for col, x in bad)
            yield Problem(
                t.file,
                number,
                bad[0][0],
                f"a non-negative whole number for indicator {indicators[number - 1]!r} "
                f"(unit kind {kind!r}: a count)",
                found,
                t.key_of(number),
            )


def _parsed(ctx: CheckContext) -> list[Quantity | str]:
    """Each figure's ``raw`` as parsed, or the parser's message (each distinct raw once)."""
    by_raw = _parsed_by_raw(ctx)
    return ctx.remember(
        "figure-raw-parsed",
        lambda: list(map(by_raw.__getitem__, ctx.tables["figures"].columns["raw"])),
    )


def _parsed_by_raw(ctx: CheckContext) -> dict[str, Quantity | str]:
    """Return each distinct ``raw`` as parsed, or the parser's message."""

    def compute() -> dict[str, Quantity | str]:
        out: dict[str, Quantity | str] = {}
        for raw in _distinct(ctx, ctx.tables["figures"], "raw"):
            try:
                out[raw] = parse_quantity(raw)
            except QuantityParseError as exc:
                out[raw] = str(exc)
        return out

    return ctx.remember("figure-raw-by-raw", compute)


def _all_pairs_fine(ctx: CheckContext, column: str, fine: Any) -> bool:
    """Whether ``fine(parsed raw, cell)`` holds for every distinct (raw, cell) of figures."""
    t = ctx.tables["figures"]
    by_raw = _parsed_by_raw(ctx)
    pairs = dict.fromkeys(zip(t.columns["raw"], t.columns[column], strict=True))
    return all(isinstance(by_raw[raw], str) or fine(by_raw[raw], cell) for raw, cell in pairs)


@named_check("figures-raw-parses", "raw is a quantity the parser reads")
def _raw_parses(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    for number, q in enumerate(_parsed(ctx), start=1):
        if isinstance(q, str):
            yield Problem(t.file, number, "raw", "a quantity the parser reads", q, t.key_of(number))


@named_check(
    "figures-raw-matches-numbers", "value, lower and upper are the numbers parsed from raw"
)
def _raw_numbers(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    cells = {col: t.columns[col] for col in ("value", "lower", "upper", "raw")}
    for (number, stored), q in zip(_numbers(ctx), _parsed(ctx), strict=True):
        if isinstance(q, str) or stored == (q.value, q.lower, q.upper):
            continue
        i = number - 1
        for col, have, parsed in zip(
            ("value", "lower", "upper"), stored, (q.value, q.lower, q.upper), strict=True
        ):
            if cells[col][i] and have is None:
                continue  # a type problem, already reported by the cell checks
            if not _same(have, parsed):
                yield Problem(
                    t.file,
                    number,
                    col,
                    f"{_fmt(parsed)} as parsed from raw {cells['raw'][i]!r}",
                    _fmt(have),
                    t.key_of(number),
                )


@named_check("figures-raw-qualifier", "qualifier is the one the words of raw give")
def _raw_qualifier(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    qualifiers, raws = t.columns["qualifier"], t.columns["raw"]
    if _all_pairs_fine(ctx, "qualifier", lambda q, cell: not cell or cell == q.qualifier):
        return
    for number, q in enumerate(_parsed(ctx), start=1):
        stored = qualifiers[number - 1]
        if isinstance(q, str) or not stored or stored == q.qualifier:
            continue
        yield Problem(
            t.file,
            number,
            "qualifier",
            f"{q.qualifier!r} as parsed from raw {raws[number - 1]!r}",
            repr(stored),
            t.key_of(number),
        )


@named_check("figures-raw-unit-fits", "the unit printed in raw fits the indicator's unit kind")
def _raw_unit(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    kinds = _unit_kinds(ctx)
    indicators, raws = t.columns["indicator"], t.columns["raw"]
    kind_of = _indicator_kinds(ctx)
    if _all_pairs_fine(
        ctx,
        "indicator",
        lambda q, code: not kind_of.get(code) or unit_kind_compatible(q.unit_kind, kind_of[code]),
    ):
        return
    for number, q in enumerate(_parsed(ctx), start=1):
        kind = kinds[number - 1]
        if isinstance(q, str) or not kind or unit_kind_compatible(q.unit_kind, kind):
            continue
        yield Problem(
            t.file,
            number,
            "raw",
            f"a unit fitting indicator {indicators[number - 1]!r} (unit kind {kind!r})",
            f"{raws[number - 1]!r} (unit {q.unit or 'none'!r}, kind {q.unit_kind})",
            t.key_of(number),
        )


#: Unit kinds of indicators that measure a change, under which a signed change may stand.
CHANGE_KINDS = ("growth_rate", "percentage_points")


@named_check(
    "figures-raw-change-fits",
    "a change printed in raw (下降5.2%, 减少12家) stands only under an indicator of change",
)
def _raw_change(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    kinds = _unit_kinds(ctx)
    indicators, raws = t.columns["indicator"], t.columns["raw"]
    if not any(not isinstance(q, str) and q.change for q in _parsed_by_raw(ctx).values()):
        return
    for number, q in enumerate(_parsed(ctx), start=1):
        kind = kinds[number - 1]
        if isinstance(q, str) or not q.change or not kind or kind in CHANGE_KINDS:
            continue
        yield Problem(
            t.file,
            number,
            "raw",
            f"a level for indicator {indicators[number - 1]!r} (unit kind {kind!r}); a "
            f"change belongs under an indicator of unit kind {' or '.join(CHANGE_KINDS)}",
            f"{raws[number - 1]!r} (a {q.change})",
            t.key_of(number),
        )


def _periods(ctx: CheckContext) -> Iterator[tuple[int, dt.date, dt.date]]:
    for number, (early, late) in enumerate(
        zip(
            ctx.dates("figures", "period_earliest"),
            ctx.dates("figures", "period_latest"),
            strict=True,
        ),
        start=1,
    ):
        if early and late:
            yield number, early, late


@named_check("figures-period-order", "period_earliest is on or before period_latest")
def _period_order(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    for number, early, late in _periods(ctx):
        if early > late:
            yield Problem(
                t.file,
                number,
                "period_latest",
                f"a date on or after period_earliest ({early})",
                str(late),
                t.key_of(number),
            )


@named_check(
    "figures-period-year-shape", "a period of kind 'year' runs from 1 January to 31 December"
)
def _period_year(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    kinds = t.columns["period_kind"]
    for number, early, late in _periods(ctx):
        if kinds[number - 1] == "year" and (
            (early.month, early.day) != (1, 1) or (late.month, late.day) != (12, 31)
        ):
            yield Problem(
                t.file,
                number,
                "period_earliest",
                "a calendar-year period (1 January to 31 December) for period_kind 'year'",
                f"{early} to {late}",
                t.key_of(number),
            )


@named_check(
    "figures-publication-period",
    "a period of basis 'publication' and kind 'as_of' is the source's publication window",
)
def _publication_period(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    sources = ctx.tables["sources"]
    windows = dict(
        zip(
            sources.columns["source_id"],
            zip(
                ctx.dates("sources", "published_earliest"),
                ctx.dates("sources", "published_latest"),
                strict=True,
            ),
            strict=True,
        )
    )
    basis, kinds, source_ids = (
        t.columns["period_basis"],
        t.columns["period_kind"],
        t.columns["source_id"],
    )
    for number, early, late in _periods(ctx):
        i = number - 1
        window = windows.get(source_ids[i])
        if early > late:
            continue  # reported by figures-period-order
        if basis[i] == "publication" and kinds[i] == "as_of" and window and window != (early, late):
            yield Problem(
                t.file,
                number,
                "period_earliest",
                f"the source's publication window {window[0]} to {window[1]} "
                "for period_basis 'publication'",
                f"{early} to {late}",
                t.key_of(number),
            )


def _per_distinct(cells: list[str], compute: Any) -> list[Any]:
    """Return ``compute(cell)`` for every cell, computed once per distinct cell."""
    done = {cell: compute(cell) for cell in dict.fromkeys(cells)}
    return list(map(done.__getitem__, cells))


def _links(ctx: CheckContext) -> list[list[str]]:
    return ctx.remember(
        "figure-links",
        lambda: _per_distinct(
            ctx.tables["figures"].columns["see_also"], lambda s: list(filter(None, s.split(";")))
        ),
    )


@named_check("figures-see-also-exists", "see_also names other figures of figures.csv")
def _see_also_exists(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    id_column = t.columns["figure_id"]
    ids = set(id_column)
    for number, refs in enumerate(_links(ctx), start=1):
        for ref in refs:
            if ref == id_column[number - 1]:
                yield Problem(
                    t.file,
                    number,
                    "see_also",
                    "ids of other figures",
                    f"its own id {ref!r}",
                    t.key_of(number),
                )
            elif ref not in ids:
                yield Problem(
                    t.file,
                    number,
                    "see_also",
                    "ids of figures in figures.csv",
                    repr(ref),
                    t.key_of(number),
                )


@named_check("figures-see-also-both-ways", "a figure named in another's see_also names it back")
def _see_also_both_ways(ctx: CheckContext) -> Iterator[Problem]:
    """Repeats and contradictions concern both figures, so a reader finds either from the other.

    Links to ids that do not exist are reported by ``figures-see-also-exists``.
    """
    t = ctx.tables["figures"]
    ids = t.columns["figure_id"]
    links = {fid: set(refs) for fid, refs in zip(ids, _links(ctx), strict=True) if refs}
    for number, refs in enumerate(_links(ctx), start=1):
        fid = ids[number - 1]
        for ref in refs:
            if ref in ids_set(ctx) and ref != fid and fid not in links.get(ref, set()):
                yield Problem(
                    t.file,
                    number,
                    "see_also",
                    f"links that go both ways: {ref} listing {fid} in its see_also",
                    f"{ref!r}, whose see_also does not list {fid}",
                    t.key_of(number),
                )


def ids_set(ctx: CheckContext) -> set[str]:
    """Return the figure ids of the package, as a set (computed once)."""
    return ctx.remember("figure-ids", lambda: set(ctx.tables["figures"].columns["figure_id"]))


@named_check(
    "figures-entity-single-enterprise", "entity is set exactly when scope is 'single_enterprise'"
)
def _entity(ctx: CheckContext) -> Iterator[Problem]:
    t = ctx.tables["figures"]
    for number, (scope, entity) in enumerate(
        zip(t.columns["scope"], t.columns["entity"], strict=True), start=1
    ):
        if (scope == _SINGLE_ENTERPRISE) != bool(entity):
            yield Problem(
                t.file,
                number,
                "entity",
                "an entity name exactly when scope is 'single_enterprise'",
                f"entity {entity!r} with scope {scope!r}",
                t.key_of(number),
            )


def _overlapping_pairs(
    members: list[int],
    early: list[dt.date | None],
    late: list[dt.date | None],
    values: list[float | None],
) -> list[tuple[int, int]]:
    """Return the pairs ``(i, j)``, ``i < j``, of figures sharing a year whose values differ.

    Figures are put into a bucket per calendar year they cover and only figures of one
    bucket with different values are paired, so the work grows with the figures and the
    pairs found, not with the square of a long series.
    """
    buckets: dict[int, dict[float, list[int]]] = {}
    for i in members:
        years = _years(early[i], late[i])
        if years is None:
            continue
        for year in range(years[0], years[1] + 1):
            by_value = buckets.setdefault(year, {})
            by_value.setdefault(values[i], []).append(i)  # type: ignore[arg-type]
    pairs: set[tuple[int, int]] = set()
    for by_value in buckets.values():
        if len(by_value) < 2:
            continue
        groups = list(by_value.values())
        for k, first in enumerate(groups):
            for second in groups[k + 1 :]:
                for i in first:
                    for j in second:
                        pair = (i, j) if i < j else (j, i)
                        if pair not in pairs and not _same(values[i], values[j]):
                            pairs.add(pair)
    return sorted(pairs, key=lambda pair: (pair[0], pair[1]))


def _years(early: dt.date | None, late: dt.date | None) -> tuple[int, int] | None:
    if early is None or late is None or early > late:
        return None
    return early.year, late.year


def _year_text(years: tuple[int, int]) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


@named_check(
    "figures-one-definition-per-ratio-code",
    "two differing figures of one ratio code, region, scope and year are linked by see_also",
)
def _ratio_definitions(ctx: CheckContext) -> Iterator[Problem]:
    """Reject two definitions of one ratio under one code in the same reference year.

    Two figures of an indicator of unit kind ``ratio`` with the same region, scope and
    entity whose reference periods share a calendar year and whose values differ must be
    linked by ``see_also`` (in either direction): the curator has then said that they
    measure the same population and disagree (conflicting pages, a self-contradiction).
    Otherwise the problem names both figures and asks for distinct indicator codes when
    the definitions differ. Figures about different single enterprises never clash.
    """
    t = ctx.tables["figures"]
    kinds = _unit_kinds(ctx)
    values = ctx.numbers("figures", "value")
    early, late = ctx.dates("figures", "period_earliest"), ctx.dates("figures", "period_latest")
    ids = t.columns["figure_id"]
    all_links = _links(ctx)
    cols = [t.columns[c] for c in ("region_id", "indicator", "scope", "entity")]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, kind in enumerate(kinds):
        if kind == "ratio" and values[i] is not None:
            groups.setdefault(tuple(c[i] for c in cols), []).append(i)
    for (region, indicator, scope, _entity), members in groups.items():
        for i, j in _overlapping_pairs(members, early, late, values):
            one, other = ids[i], ids[j]
            if other in all_links[i] or one in all_links[j]:
                continue
            a, b = _years(early[i], late[i]), _years(early[j], late[j])
            assert a is not None and b is not None
            years = _year_text(a) if a == b else f"{_year_text(a)} and {_year_text(b)}"
            yield Problem(
                t.file,
                j + 1,
                "indicator",
                "one definition per ratio code: a distinct indicator code for each "
                "definition (denominator) of the ratio, or see_also linking the two "
                "figures when they measure the same population (conflicting pages "
                "or a self-contradiction, explained in notes)",
                f"{other} = {_fmt(values[j])} and {one} (row {i + 1}) "
                f"= {_fmt(values[i])} under indicator {indicator!r}, "
                f"region {region!r}, scope {scope!r}, reference year {years}, "
                "not linked by see_also",
                t.key_of(j + 1),
            )


# ---- the analysis settings -----------------------------------------------------------------


def _settings_document(ctx: CheckContext) -> tuple[Any, list[Problem]]:
    """Return the package's settings and their structural problems (read once), or None."""

    def compute() -> tuple[Any, list[Problem]]:
        if settings_path(ctx.package) is None:
            return None, []
        return load_settings_document(ctx.package)

    return ctx.remember("settings", compute)


@named_check(
    "figures-denominators-above-zero",
    "a figure that a ratio measure of analysis.json divides by is above zero",
)
def _denominators(ctx: CheckContext) -> Iterator[Problem]:
    settings, _ = _settings_document(ctx)
    if settings is None:
        return
    divides: dict[str, str] = {}
    for m in settings.ratio_measures:
        for code in m.denominators:
            divides.setdefault(code, m.name)
    if not divides:
        return
    t = ctx.tables["figures"]
    indicators = t.columns["indicator"]
    for number, (value, _lower, _upper) in _numbers(ctx):
        measure = divides.get(indicators[number - 1])
        if measure is None or value is None or value > 0:
            continue
        yield Problem(
            t.file,
            number,
            "value",
            f"a number above 0: indicator {indicators[number - 1]!r} is a denominator of "
            f"the ratio measure {measure!r} ({settings.source or 'analysis.json'})",
            _fmt(value),
            t.key_of(number),
        )


@named_check(
    "analysis-settings",
    "analysis.json is well formed, its keys known and unique, its factors finite and "
    "positive, and every code and id in it names a row of the tables",
)
def _settings(ctx: CheckContext) -> list[Problem]:
    package, tables = ctx.package, ctx.tables
    settings, problems = _settings_document(ctx)
    if settings is None:
        return []
    return problems + check_settings(
        settings,
        figure_ids=ids_set(ctx),
        region_ids=set(tables["regions"].columns["region_id"]),
        indicators=set(tables["indicators"].columns["indicator"]),
        scopes=set(tables["scopes"].columns["scope"]),
        unit_kinds=set(package.unit_kinds),
        file=settings.source,
    )


@named_check(
    "analysis-coverage-is-a-share",
    "a coverage measure that is a share of firms is a ratio (unit kind 'ratio')",
)
def _coverage_shares(ctx: CheckContext) -> Iterator[Problem]:
    settings, _ = _settings_document(ctx)
    if settings is None:
        return
    kinds = _indicator_kinds(ctx)
    kinds.update({m.name: m.unit_kind for m in settings.ratio_measures})
    for i, measure in enumerate(settings.coverage_measures):
        kind = kinds.get(measure)
        if measure in settings.not_shares_of_firms or kind in (None, "ratio"):
            continue  # an unknown code is reported by the analysis-settings check
        yield Problem(
            settings.source or "analysis.json",
            None,
            f"coverage_measures[{i}].measure",
            "a share (unit kind 'ratio'), or share_of_firms: false for a measure that is "
            "not a share of firms",
            f"{measure!r} of unit kind {kind!r}",
        )


# ---- running the checks --------------------------------------------------------------------


def _load_check_modules() -> None:
    for module in CHECK_MODULES:
        importlib.import_module(module)


def check_names() -> list[tuple[str, str]]:
    """Return every check validate runs, as ``(name, rule)``, in the order they run."""
    _load_check_modules()
    return [(c.name, c.rule) for c in CHECKS]


def run_checks(package: DataPackage, tables: dict[str, Table]) -> list[Problem]:
    """Run every named check on tables already read; return the problems, row by row.

    Problems are grouped by file (in the order the files first appear), then by row, so
    that the problems of one row stand together whatever check found them.
    """
    _load_check_modules()
    ctx = CheckContext(package, tables)
    problems: list[Problem] = []
    for check in CHECKS:
        problems.extend(
            p if p.check else replace(p, check=check.name) for p in check.run(ctx)
        )
    rank: dict[str, int] = {}
    for p in problems:
        rank.setdefault(p.file, len(rank))
    return sorted(problems, key=lambda p: (rank[p.file], -1 if p.row is None else p.row))


def validate(path: str | Path | None = None) -> DataPackage:
    """Validate the data package at ``path`` (default: the bundled one).

    Returns the parsed package when it is valid.

    Raises:
        DataPackageNotFoundError: when ``path`` holds no ``datapackage.json``.
        DataValidationError: listing every problem found, each naming file, row, column,
            what was expected and what was found.

    """
    return validate_tables(path)[0]


def validate_tables(path: str | Path | None = None) -> tuple[DataPackage, dict[str, Table]]:
    """Validate the package at ``path`` like :func:`validate`; return it and its tables.

    The tables are the ones checked (cells as text), so a caller that needs them (to
    count rows) does not read the files again.
    """
    package = read_datapackage(path)
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for name in package.resource_names:
        try:
            tables[name] = read_table(package, name)
        except DataValidationError as exc:
            problems.extend(exc.problems)
    if problems:  # cannot check rows of tables that could not be read
        raise DataValidationError(str(package.folder), problems)
    problems.extend(run_checks(package, tables))
    if problems:
        raise DataValidationError(str(package.folder), _with_lines(problems, tables))
    return package, tables


def _with_lines(problems: Iterable[Problem], tables: dict[str, Table]) -> list[Problem]:
    """Give each row's problem the physical line where the row starts in its file."""
    by_file = {t.file: t for t in tables.values()}
    out = []
    for problem in problems:
        table = by_file.get(problem.file)
        if table is not None and problem.row is not None and problem.line is None:
            problem = replace(problem, line=table.line(problem.row))
        out.append(problem)
    return out
