"""Validate a data package against its schema and the package's own curation rules.

Two layers of checks, both reported through
:class:`~dangjian_analysis.package.errors.DataValidationError`:

1. What ``datapackage.json`` says: the header of every CSV, required values, types
   (string, number, integer, date), constraints (enum, pattern, length, range, unique),
   primary keys and foreign keys (self-references without cycles).
2. What the curation rules in ``CURATION.md`` add: ``lower <= value <= upper``; ratio
   indicators between 0 and 1; ``raw`` parses to the stored value, bounds and qualifier
   with a unit that fits the indicator; reference periods that are ordered and consistent
   with their kind and basis; ``see_also`` pointing at existing figures and listed back
   by them (links go both ways); ``entity`` set
   exactly for single-enterprise figures; a ``unit`` property on every numeric field; and
   one definition per ratio code: two figures of a ratio indicator with the same region,
   scope (and entity) and reference year but different values must be linked by
   ``see_also`` (conflicting pages or a self-contradiction, explained in ``notes``), since
   otherwise the table puts two definitions under one code.

Files are read as text by :func:`~dangjian_analysis.package.tables.read_table`, the reader
the loaders use too, so nothing is coerced before it is checked and what validates is what
loads: numbers and dates are checked in the form the loaders read (ASCII digits, finite
numbers, dates the ``datetime64[ns]`` columns can hold), and no cell holds control
characters (``raw`` and ``locator``, the text as printed on one line, no line breaks either).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from dangjian_analysis.package.errors import DataValidationError, Problem
from dangjian_analysis.package.paths import DESCRIPTOR
from dangjian_analysis.package.provenance_rules import check_provenance_rules
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
from dangjian_analysis.text.quantity import QuantityParseError, parse_quantity, unit_kind_compatible

# read_table and Table live in dangjian_analysis.package.tables and are re-exported here.
__all__ = ["Table", "read_table", "validate"]

# ASCII digits only: Python reads full-width and Arabic-Indic digits as numbers, pandas
# does not, and the loaders must read whatever validates.
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_INTEGER = re.compile(r"[-+]?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT64 = 2**63
# Cells of these columns hold text as printed on one line: no line break of any kind.
_SINGLE_LINE = {"figures": ("raw", "locator")}
# Control characters (Unicode category Cc) other than tab, line breaks and form feed:
# never typed, only copied in by accident.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SINGLE_ENTERPRISE = "single_enterprise"


def _rows(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    return enumerate(table.rows, start=1)


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


def _check_value(fld: dict[str, Any], value: str) -> tuple[str, str] | None:
    """Check one non-empty cell against its field type and constraints.

    Returns ``(expected, found)`` for the first failed check, or ``None``.
    """
    ftype = fld.get("type", "string")
    cons = fld.get("constraints", {})
    number: float | None = None
    if ftype == "number":
        if not _NUMBER.fullmatch(value):
            return _ascii_digits(value) or (
                "a number (digits, optional decimal point)",
                repr(value),
            )
        number = float(value)
        if not math.isfinite(number):
            return "a finite number", repr(value)
    elif ftype == "integer":
        if not _INTEGER.fullmatch(value):
            return _ascii_digits(value) or ("an integer", repr(value))
        if not -_INT64 <= int(value) < _INT64:
            return "an integer between -2**63 and 2**63 - 1", repr(value)
        number = float(value)
    elif ftype == "date":
        if not _DATE.fullmatch(value):
            return _ascii_digits(value) or ("a date as YYYY-MM-DD", repr(value))
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return "a valid calendar date", repr(value)
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return f"a date between {EARLIEST_DATE} and {LATEST_DATE}", repr(value)
    if fld.get("format") == "uri" and not re.fullmatch(r"https?://\S+", value):
        return "an http(s) address", repr(value)
    if "enum" in cons and value not in cons["enum"]:
        return f"one of {cons['enum']}", repr(value)
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        return f"text matching {cons['pattern']}", repr(value)
    if "minLength" in cons and len(value) < cons["minLength"]:
        return f"at least {cons['minLength']} characters", f"{len(value)} in {value!r}"
    if "maxLength" in cons and len(value) > cons["maxLength"]:
        return f"at most {cons['maxLength']} characters", f"{len(value)} in {value!r}"
    if number is not None and "minimum" in cons and number < float(cons["minimum"]):
        return f"a value >= {cons['minimum']}", value
    if number is not None and "maximum" in cons and number > float(cons["maximum"]):
        return f"a value <= {cons['maximum']}", value
    return None


def _check_schema(package: DataPackage, table: Table) -> list[Problem]:
    """Check required values, types, constraints and the primary key of one table."""
    problems: list[Problem] = []
    schema = package.resource(table.name)["schema"]
    fields = schema["fields"]
    pk = list(schema.get("primaryKey") or [])
    single_line = _SINGLE_LINE.get(table.name, ())
    seen: dict[str, dict[str, int]] = {f["name"]: {} for f in fields}
    seen_keys: dict[tuple[str, ...], int] = {}
    for number, row in _rows(table):
        key = table.key(row)

        def add(
            column: str, expected: str, found: str, number: int = number, key: str | None = None
        ) -> None:
            problems.append(Problem(table.file, number, column, expected, found, key))

        for fld in fields:
            name = fld["name"]
            value = row[name]
            cons = fld.get("constraints", {})
            if value == "":
                if cons.get("required"):
                    add(name, "a value", "an empty cell", key=key)
                elif name in pk:
                    add(name, "a value (part of the primary key)", "an empty cell", key=key)
                continue
            failed = _control_character(value, name in single_line)
            if failed:
                add(name, *failed, key=key)
            elif value != value.strip():
                add(name, "no leading or trailing spaces", repr(value), key=key)
            failed = _check_value(fld, value)
            if failed:
                add(name, *failed, key=key)
            if cons.get("unique") or pk == [name]:
                first = seen[name].setdefault(value, number)
                if first != number:
                    add(name, "a unique value", f"{value!r}, already used in row {first}", key=key)
        if len(pk) > 1 and all(row[c] for c in pk):
            values = tuple(row[c] for c in pk)
            first = seen_keys.setdefault(values, number)
            if first != number:
                add(
                    pk[0],
                    f"a unique primary key ({', '.join(pk)})",
                    f"{values!r}, already used in row {first}",
                )
    return problems


def _check_foreign_keys(package: DataPackage, tables: dict[str, Table]) -> list[Problem]:
    problems: list[Problem] = []
    for table in tables.values():
        for fk in package.resource(table.name)["schema"].get("foreignKeys", []):
            cols = list(fk["fields"])
            ref_table = tables[fk["reference"]["resource"] or table.name]
            ref_cols = list(fk["reference"]["fields"])
            allowed = {tuple(r[c] for c in ref_cols) for r in ref_table.rows}
            for number, row in _rows(table):
                values = tuple(row[c] for c in cols)
                if all(values) and values not in allowed:
                    problems.append(
                        Problem(
                            table.file,
                            number,
                            cols[0],
                            f"a {', '.join(ref_cols)} listed in {ref_table.file}",
                            repr(values[0] if len(values) == 1 else values),
                            table.key(row),
                        )
                    )
    return problems


def _check_hierarchies(package: DataPackage, tables: dict[str, Table]) -> list[Problem]:
    """Self-referencing foreign keys (region parents, broader scopes) form no cycle."""
    problems: list[Problem] = []
    for table in tables.values():
        for fk in package.resource(table.name)["schema"].get("foreignKeys", []):
            if fk["reference"]["resource"]:
                continue
            cols = list(fk["fields"])
            ref_cols = list(fk["reference"]["fields"])

            def node_of(row: dict[str, str], columns: list[str]) -> str:
                return ";".join(row[c] for c in columns) if all(row[c] for c in columns) else ""

            parent = {node_of(r, ref_cols): node_of(r, cols) for r in table.rows}
            parent.pop("", None)
            for number, row in _rows(table):
                here = node_of(row, ref_cols)
                if not here:
                    continue
                seen = [here]
                node = parent.get(here, "")
                while node and node not in seen:
                    seen.append(node)
                    node = parent.get(node, "")
                if node and node == here:
                    problems.append(
                        Problem(
                            table.file,
                            number,
                            cols[0],
                            f"a {', '.join(cols)} chain that does not lead back to this row",
                            " -> ".join([*seen, node]),
                            table.key(row),
                        )
                    )
    return problems


def _check_units(package: DataPackage, tables: dict[str, Table]) -> list[Problem]:
    """Every numeric field carries the ``unit`` property and every unit kind is defined."""
    problems: list[Problem] = []
    kinds = package.unit_kinds
    for name in RESOURCE_NAMES:
        for fld in package.fields(name):
            if fld.get("type") not in ("number", "integer"):
                continue
            unit = fld.get(UNIT_PROPERTY)
            where = f"resource {name!r} field {fld['name']!r}"
            if unit is None:
                problems.append(
                    Problem(
                        DESCRIPTOR, None, None, f"a {UNIT_PROPERTY!r} property on {where}", "none"
                    )
                )
            elif isinstance(unit, dict):
                ref = str(unit.get("unitKindFrom", ""))
                if ref != "indicators.unit_kind" or unit.get("via") != "indicator":
                    problems.append(
                        Problem(
                            DESCRIPTOR,
                            None,
                            None,
                            f"{UNIT_PROPERTY!r} of {where} to resolve through "
                            "indicators.unit_kind via indicator",
                            repr(unit),
                        )
                    )
    for number, row in _rows(tables["indicators"]):
        if row["unit_kind"] and row["unit_kind"] not in kinds:
            problems.append(
                Problem(
                    tables["indicators"].file,
                    number,
                    "unit_kind",
                    f"a unit kind defined in unitKinds ({sorted(kinds)})",
                    repr(row["unit_kind"]),
                    tables["indicators"].key(row),
                )
            )
    return problems


def _float(value: str) -> float | None:
    return float(value) if value and _NUMBER.fullmatch(value) else None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if _DATE.fullmatch(value) else None
    except ValueError:
        return None


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _fmt(x: float | None) -> str:
    """Render a number as written in a CSV cell: ``127000``, ``0.7252``, or ``empty``."""
    if x is None:
        return "empty"
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)


def _check_sources(tables: dict[str, Table]) -> list[Problem]:
    problems: list[Problem] = []
    t = tables["sources"]
    for number, row in _rows(t):
        early, late, pub = (
            _date(row["published_earliest"]),
            _date(row["published_latest"]),
            _date(row["published"]),
        )
        if early and late and early > late:
            problems.append(
                Problem(
                    t.file,
                    number,
                    "published_latest",
                    f"a date on or after published_earliest ({early})",
                    str(late),
                    t.key(row),
                )
            )
        if pub and early and late and not (early <= pub <= late):
            problems.append(
                Problem(
                    t.file,
                    number,
                    "published",
                    f"a date between {early} and {late}",
                    str(pub),
                    t.key(row),
                )
            )
    return problems


def _check_figures(tables: dict[str, Table]) -> list[Problem]:
    """Check the curation rules that the schema language cannot express."""
    problems: list[Problem] = []
    t = tables["figures"]
    kinds = {r["indicator"]: r["unit_kind"] for r in tables["indicators"].rows}
    windows = {
        r["source_id"]: (_date(r["published_earliest"]), _date(r["published_latest"]))
        for r in tables["sources"].rows
    }
    ids = {r["figure_id"] for r in t.rows}

    def add(number: int, row: dict[str, str], column: str, expected: str, found: str) -> None:
        problems.append(Problem(t.file, number, column, expected, found, t.key(row)))

    for number, row in _rows(t):
        value, lower, upper = _float(row["value"]), _float(row["lower"]), _float(row["upper"])
        kind = kinds.get(row["indicator"])
        if value is not None and lower is not None and lower > value:
            add(number, row, "lower", f"a bound <= value ({_fmt(value)})", _fmt(lower))
        if value is not None and upper is not None and upper < value:
            add(number, row, "upper", f"a bound >= value ({_fmt(value)})", _fmt(upper))
        if kind == "ratio":
            for col, x in (("value", value), ("lower", lower), ("upper", upper)):
                if x is not None and not 0 <= x <= 1:
                    add(
                        number,
                        row,
                        col,
                        f"a ratio between 0 and 1 for ratio indicator {row['indicator']!r}",
                        _fmt(x),
                    )
        problems.extend(_check_raw(t, number, row, kind, value, lower, upper))

        early, late = _date(row["period_earliest"]), _date(row["period_latest"])
        if early and late:
            if early > late:
                add(
                    number,
                    row,
                    "period_latest",
                    f"a date on or after period_earliest ({early})",
                    str(late),
                )
            if row["period_kind"] == "year" and (
                (early.month, early.day) != (1, 1) or (late.month, late.day) != (12, 31)
            ):
                add(
                    number,
                    row,
                    "period_earliest",
                    "a calendar-year period (1 January to 31 December) for period_kind 'year'",
                    f"{early} to {late}",
                )
            window = windows.get(row["source_id"])
            if (
                row["period_basis"] == "publication"
                and row["period_kind"] == "as_of"
                and window
                and window != (early, late)
            ):
                add(
                    number,
                    row,
                    "period_earliest",
                    f"the source's publication window {window[0]} to {window[1]} "
                    "for period_basis 'publication'",
                    f"{early} to {late}",
                )
        for ref in filter(None, row["see_also"].split(";")):
            if ref == row["figure_id"]:
                add(number, row, "see_also", "ids of other figures", f"its own id {ref!r}")
            elif ref not in ids:
                add(number, row, "see_also", "ids of figures in figures.csv", repr(ref))
        if (row["scope"] == _SINGLE_ENTERPRISE) != bool(row["entity"]):
            add(
                number,
                row,
                "entity",
                "an entity name exactly when scope is 'single_enterprise'",
                f"entity {row['entity']!r} with scope {row['scope']!r}",
            )
    return problems


def _check_see_also_both_ways(tables: dict[str, Table]) -> list[Problem]:
    """Check that a figure named in another's ``see_also`` names that figure back.

    Repeats and contradictions concern both figures, so a reader who starts from either
    one finds the other. Links to ids that do not exist are reported by the figure checks.
    """
    problems: list[Problem] = []
    t = tables["figures"]
    links = {r["figure_id"]: set(filter(None, r["see_also"].split(";"))) for r in t.rows}
    for number, row in _rows(t):
        for ref in filter(None, row["see_also"].split(";")):
            if ref in links and ref != row["figure_id"] and row["figure_id"] not in links[ref]:
                problems.append(
                    Problem(
                        t.file,
                        number,
                        "see_also",
                        f"links that go both ways: {ref} listing {row['figure_id']} "
                        "in its see_also",
                        f"{ref!r}, whose see_also does not list {row['figure_id']}",
                        t.key(row),
                    )
                )
    return problems


def _years(row: dict[str, str]) -> tuple[int, int] | None:
    early, late = _date(row["period_earliest"]), _date(row["period_latest"])
    if early is None or late is None or early > late:
        return None
    return early.year, late.year


def _year_text(years: tuple[int, int]) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def _check_ratio_definitions(tables: dict[str, Table]) -> list[Problem]:
    """Reject two definitions of one ratio under one code in the same reference year.

    Two figures of an indicator of unit kind ``ratio`` with the same region, scope and
    entity whose reference periods share a calendar year and whose values differ must be
    linked by ``see_also`` (in either direction): the curator has then said that they
    measure the same population and disagree (conflicting pages, a self-contradiction).
    Otherwise the problem names both figures and asks for distinct indicator codes when
    the definitions differ. Figures about different single enterprises never clash.
    """
    problems: list[Problem] = []
    t = tables["figures"]
    ratio_codes = {
        r["indicator"] for r in tables["indicators"].rows if r["unit_kind"] == "ratio"
    }
    links = {
        r["figure_id"]: set(filter(None, r["see_also"].split(";"))) for r in t.rows
    }
    groups: dict[tuple[str, str, str, str], list[tuple[int, dict[str, str]]]] = {}
    for number, row in _rows(t):
        if row["indicator"] in ratio_codes and _float(row["value"]) is not None:
            key = (row["region_id"], row["indicator"], row["scope"], row["entity"])
            groups.setdefault(key, []).append((number, row))
    for (region, indicator, scope, _entity), members in groups.items():
        for i, (first_no, first) in enumerate(members):
            for number, row in members[i + 1 :]:
                a, b = _years(first), _years(row)
                if a is None or b is None or a[1] < b[0] or b[1] < a[0]:
                    continue
                if _same(_float(first["value"]), _float(row["value"])):
                    continue
                one, other = first["figure_id"], row["figure_id"]
                if other in links.get(one, set()) or one in links.get(row["figure_id"], set()):
                    continue
                years = _year_text(a) if a == b else f"{_year_text(a)} and {_year_text(b)}"
                problems.append(
                    Problem(
                        t.file,
                        number,
                        "indicator",
                        "one definition per ratio code: a distinct indicator code for each "
                        "definition (denominator) of the ratio, or see_also linking the two "
                        "figures when they measure the same population (conflicting pages "
                        "or a self-contradiction, explained in notes)",
                        f"{other} = {_fmt(_float(row['value']))} and {one} (row {first_no}) "
                        f"= {_fmt(_float(first['value']))} under indicator {indicator!r}, "
                        f"region {region!r}, scope {scope!r}, reference year {years}, "
                        "not linked by see_also",
                        t.key(row),
                    )
                )
    return problems


def _check_raw(
    t: Table,
    number: int,
    row: dict[str, str],
    kind: str | None,
    value: float | None,
    lower: float | None,
    upper: float | None,
) -> list[Problem]:
    """Cross-check the curated numbers against what the parser reads from ``raw``."""
    out: list[Problem] = []
    key = t.key(row)
    try:
        q = parse_quantity(row["raw"])
    except QuantityParseError as exc:
        return [Problem(t.file, number, "raw", "a quantity the parser reads", str(exc), key)]
    checks = [
        ("value", value, q.value),
        ("lower", lower, q.lower),
        ("upper", upper, q.upper),
    ]
    for col, stored, parsed in checks:
        if row[col] and stored is None:
            continue  # a type problem, already reported by the schema check
        if not _same(stored, parsed):
            out.append(
                Problem(
                    t.file,
                    number,
                    col,
                    f"{_fmt(parsed)} as parsed from raw {row['raw']!r}",
                    _fmt(stored),
                    key,
                )
            )
    if row["qualifier"] and row["qualifier"] != q.qualifier:
        out.append(
            Problem(
                t.file,
                number,
                "qualifier",
                f"{q.qualifier!r} as parsed from raw {row['raw']!r}",
                repr(row["qualifier"]),
                key,
            )
        )
    if kind and not unit_kind_compatible(q.unit_kind, kind):
        out.append(
            Problem(
                t.file,
                number,
                "raw",
                f"a unit fitting indicator {row['indicator']!r} (unit kind {kind!r})",
                f"{row['raw']!r} (unit {q.unit or 'none'!r}, kind {q.unit_kind})",
                key,
            )
        )
    return out


def validate(path: str | Path | None = None) -> DataPackage:
    """Validate the data package at ``path`` (default: the bundled one).

    Returns the parsed package when it is valid.

    Raises:
        DataPackageNotFoundError: when ``path`` holds no ``datapackage.json``.
        DataValidationError: listing every problem found, each naming file, row, column,
            what was expected and what was found.

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
    for table in tables.values():
        problems.extend(_check_schema(package, table))
    problems.extend(_check_foreign_keys(package, tables))
    problems.extend(_check_hierarchies(package, tables))
    problems.extend(_check_units(package, tables))
    problems.extend(_check_sources(tables))
    problems.extend(_check_figures(tables))
    problems.extend(_check_see_also_both_ways(tables))
    problems.extend(_check_ratio_definitions(tables))
    problems.extend(_check_settings(package, tables))
    problems.extend(check_provenance_rules(package, tables))
    if problems:
        raise DataValidationError(str(package.folder), _with_lines(problems, tables))
    return package


def _check_settings(package: DataPackage, tables: dict[str, Table]) -> list[Problem]:
    """Check the analysis settings (``analysis.json``), when the package declares them."""
    if settings_path(package) is None:
        return []
    settings, problems = load_settings_document(package)
    return problems + check_settings(
        settings,
        figure_ids={row["figure_id"] for _, row in _rows(tables["figures"])},
        region_ids={row["region_id"] for _, row in _rows(tables["regions"])},
        indicators={row["indicator"] for _, row in _rows(tables["indicators"])},
        scopes={row["scope"] for _, row in _rows(tables["scopes"])},
        unit_kinds=set(package.unit_kinds),
        file=settings.source,
    )


def _with_lines(problems: list[Problem], tables: dict[str, Table]) -> list[Problem]:
    """Give each row's problem the physical line where the row starts in its file."""
    by_file = {t.file: t for t in tables.values()}
    out = []
    for problem in problems:
        table = by_file.get(problem.file)
        if table is not None and problem.row is not None and problem.line is None:
            problem = replace(problem, line=table.line(problem.row))
        out.append(problem)
    return out
