"""Curation rules of the published firm-level estimates (``publications``, ``estimates``).

The two tables are optional: a package without them validates. When a package holds them,
:func:`~dangjian_analysis.package.validation.validate` checks their schema like every
table's (types, enums, keys, the foreign key from an estimate to its publication) and then
the rules below, which the schema language cannot express. Each rule is a small function
that takes the table, a row number and the row, and returns the
:class:`~dangjian_analysis.package.errors.Problem` objects it finds, each naming file, row
and column:

* :func:`check_magnitude`: ``raw`` is read by the package's quantity parser
  (:func:`~dangjian_analysis.text.quantity.parse_quantity`), the reader of every figure, and
  ``value`` is the number it reads, in the unit named by ``unit``: the parser reads 3.2% as
  the share 0.032, which is 3.2 percent, so ``value`` is 3.2 (:func:`value_in_unit`);
  ``value`` is empty exactly when ``raw`` is; what ``raw`` prints fits ``unit`` (a ``%`` for
  percent, 个百分点 or *percentage points* for percentage points, a plain number for
  coefficients, elasticities and odds ratios).
* :func:`check_unit`: ``unit`` is ``none`` exactly when ``raw`` is empty (a publication
  that gives only a direction).
* :func:`check_firm_count`: ``n_firms`` is the number printed at the start of
  ``n_firms_raw`` (words saying what is counted may follow) when that number is exact,
  within its bounds when it is approximate, and empty when no number is printed.
* :func:`check_standard_error`: ``se_raw`` (parentheses as printed are allowed) reads as
  ``se``, which is positive, printed in the estimate's unit and only beside a magnitude.
* :func:`check_significance`: ``significance_level`` goes with a printed ``significance``,
  agrees with the levels or p-value the text names, is empty when the text says the
  estimate is not significant, and is empty for a null (direction ``none``).
* :func:`check_direction`: the direction agrees with the sign of ``value`` where the unit
  gives a sign (a coefficient of -0.05 cannot be ``+``; an odds ratio is compared with 1
  and must be positive).
* :func:`check_locator`: the locator is a short phrase on one line, not a sentence.
* :func:`check_url`: every publication has the http(s) address of the page read.

The rules never coerce: a cell the schema already rejects (a value that is not a number)
is left to the schema check rather than reported twice.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dangjian_analysis.package.checks import CheckContext, named_check
from dangjian_analysis.package.errors import Problem
from dangjian_analysis.package.schema import DataPackage, read_datapackage
from dangjian_analysis.package.tables import Table
from dangjian_analysis.text.quantity import Quantity, QuantityParseError, parse_quantity

__all__ = [
    "DATA_SOURCES",
    "DESIGNS",
    "DIRECTIONS",
    "ESTIMATES",
    "ESTIMATE_RULES",
    "LOCATOR_WIDTH",
    "NAMED_RULES",
    "OUTCOME_FAMILIES",
    "PUBLICATIONS",
    "PUBLICATION_RULES",
    "SIGNED_UNITS",
    "SIGNIFICANCE_LEVELS",
    "TREATMENTS",
    "UNITS",
    "check_direction",
    "check_firm_count",
    "check_locator",
    "check_magnitude",
    "check_published_estimates",
    "check_significance",
    "check_standard_error",
    "check_unit",
    "check_url",
    "has_published_estimates",
    "reported_significant",
    "value_in_unit",
]

#: Names of the two optional resources.
PUBLICATIONS = "publications"
ESTIMATES = "estimates"

#: The codes of the bundled schema, in the order tables and charts show them.
DATA_SOURCES = (
    "cpes",
    "listed_firms",
    "industrial_firms",
    "other_survey",
    "other_panel",
    "unknown",
)
DESIGNS = ("cross_section", "psm", "iv", "fixed_effects", "did", "event_study", "other")
TREATMENTS = ("party_org", "owner_member", "charter_clause", "party_building_intensity", "other")
OUTCOME_FAMILIES = ("output_sales", "tax", "performance", "other")
DIRECTIONS = ("+", "-", "none")
UNITS = (
    "percent",
    "percentage_points",
    "elasticity",
    "log_coefficient",
    "coefficient",
    "odds_ratio",
    "none",
)
SIGNIFICANCE_LEVELS = ("0.01", "0.05", "0.10")
#: Units whose value has a sign to compare with the direction: above zero is ``+``.
SIGNED_UNITS = ("percent", "percentage_points", "elasticity", "log_coefficient", "coefficient")
#: An odds ratio is compared with 1.
_ODDS_RATIO = "odds_ratio"
_NO_UNIT = "none"

#: The longest locator, in half-em units: a Chinese character counts two (25 characters),
#: a Latin letter one (50 letters).
LOCATOR_WIDTH = 50
_LOCATOR_WORDS = 10  # an English phrase of more words reads as a sentence

# What the quantity parser says about a raw magnitude: the unit kind it reads.
_PARSED_KIND = {
    "percent": ("ratio",),
    "percentage_points": ("percentage_points",),
    "elasticity": (None,),
    "log_coefficient": (None,),
    "coefficient": (None,),
    "odds_ratio": (None,),
}
_KIND_WORDS = {
    "percent": "a percentage (printed with % or 'percent')",
    "percentage_points": "percentage points (printed with 个百分点 or 'percentage points')",
    "elasticity": "a plain number",
    "log_coefficient": "a plain number",
    "coefficient": "a plain number",
    "odds_ratio": "a plain number",
}

_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
_INTEGER = re.compile(r"[-+]?[0-9]+")
_BRACKETS = (("(", ")"), ("（", "）"), ("[", "]"))
# Levels named in a significance text: 1%, 5%, 10% (also 1％), 0.01, 0.05, 0.1, 0.10.
_LEVEL_PERCENT = re.compile(r"(?<![\d.])(1|5|10)\s*[%％]")
_LEVEL_DECIMAL = re.compile(r"(?<![\d.])0?\.(01|05|1|10)(?!\d)")
_P_VALUE = re.compile(r"\bp\s*(=|<|≤|<=)\s*(0?\.\d+)", re.IGNORECASE)
# Words that deny significance: 不显著, 并不显著, 没有显著影响, 并不会显著抑制, 未通过,
# "not significant", "no significant", "insignificant"; not 不仅显著 (not only) or 无论.
_NOT_SIGNIFICANT = re.compile(
    r"(不(?!仅)|没有|没|未|无(?!论)|非)[^，,。；;]{0,4}显著|未通过"
    r"|\bnot\b[^,;.]{0,20}significan|\bno\b[^,;.]{0,10}significan|insignificant|n\.\s?s\.",
    re.IGNORECASE,
)
_SIGNIFICANT_WORDS = re.compile(r"显著|significan|\*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[。！？；]|[.!?;](\s+\S|$)")
_PERCENT_LEVEL = {"1": 0.01, "5": 0.05, "10": 0.10}
_DECIMAL_LEVEL = {"01": 0.01, "05": 0.05, "1": 0.10, "10": 0.10}

Rule = Callable[[Table, int, dict[str, str]], list[Problem]]


def _problem(t: Table, number: int, row: dict[str, str], column: str, expected: str,
             found: str) -> Problem:
    return Problem(t.file, number, column, expected, found, t.key(row))


def _float(text: str) -> float | None:
    """Return the number of a cell the schema accepts as a number, else ``None``."""
    if not text or not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _fmt(x: float | None) -> str:
    if x is None:
        return "empty"
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(x)


def _parse(text: str, unit: str) -> tuple[float | None, str | None, str]:
    """Read a printed number in ``unit``: ``(value, unit kind, error)``."""
    try:
        q = parse_quantity(text)
    except QuantityParseError as exc:
        return None, None, str(exc)
    return value_in_unit(q.value, q.unit_kind, unit), q.unit_kind, ""


#: Parsed unit kinds that print a number of percent: the parser returns them as shares.
_PERCENT_KINDS = ("ratio", "percentage_points")


def value_in_unit(parsed: float, parsed_kind: str | None, unit: str) -> float:
    """Return the number the parser read, in the unit of an estimate.

    The quantity parser reads ``3.2%`` as the share 0.032 and ``1.5个百分点`` as 0.015;
    an estimate in ``percent`` or ``percentage_points`` stores the number of percent (3.2,
    1.5), the number printed. Other numbers are stored as read.
    """
    from decimal import Decimal

    if parsed_kind in _PERCENT_KINDS and unit in ("percent", "percentage_points"):
        return float(Decimal(repr(parsed)) * 100)
    return parsed


# --- rules on estimates.csv -----------------------------------------------------------------


def check_magnitude(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check that ``raw`` parses to ``value`` and that what it prints fits ``unit``."""
    raw, text = row["raw"], row["value"]
    if not raw:
        if text:
            return [_problem(t, number, row, "value",
                             "an empty value when raw is empty (only a direction printed)",
                             repr(text))]
        return []
    parsed, kind, error = _parse(raw, row["unit"])
    if parsed is None:
        return [_problem(t, number, row, "raw", "a magnitude the quantity parser reads",
                         error)]
    unit = row["unit"]
    if unit in _PARSED_KIND and kind not in _PARSED_KIND[unit]:
        return [_problem(t, number, row, "raw", f"{_KIND_WORDS[unit]} for unit {unit!r}",
                         f"{raw!r} (read as {kind or 'a plain number'})")]
    value = _float(text)
    if not text:
        return [_problem(t, number, row, "value", f"{_fmt(parsed)} as parsed from raw "
                         f"{raw!r}", "empty")]
    if value is not None and not _same(value, parsed):
        return [_problem(t, number, row, "value", f"{_fmt(parsed)} as parsed from raw "
                         f"{raw!r}", _fmt(value))]
    return []


def check_unit(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check that ``unit`` is ``none`` exactly when ``raw`` is empty."""
    if row["raw"] and row["unit"] == _NO_UNIT:
        return [_problem(t, number, row, "unit",
                         "the unit of the printed magnitude (not 'none': raw holds a number)",
                         f"'none' with raw {row['raw']!r}")]
    if not row["raw"] and row["unit"] and row["unit"] != _NO_UNIT:
        return [_problem(t, number, row, "unit",
                         "'none' when raw is empty (only a direction printed)",
                         repr(row["unit"]))]
    return []


def _leading_count(raw: str) -> Quantity:
    """Read the number printed at the start of ``n_firms_raw``.

    The cell holds the number as printed, possibly followed by words saying what is
    counted (``5073家私营企业``, ``17,681 private firms``). The longest start of the cell
    that the quantity parser reads is taken, when the rest is words without a digit
    (``2012年5073家`` is refused: the rest holds another number).

    Raises:
        QuantityParseError: when no start of the cell is a number followed only by words.

    """
    try:
        return parse_quantity(raw)
    except QuantityParseError as exc:
        error = exc
    for end in range(len(raw) - 1, 0, -1):
        rest = raw[end:]
        if any(ch.isdigit() for ch in rest):
            break
        if not (rest[0].isspace() or unicodedata.east_asian_width(rest[0]) in "WF"):
            continue
        try:
            return parse_quantity(raw[:end].rstrip())
        except QuantityParseError:
            continue
    raise error


def check_firm_count(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check ``n_firms`` against ``n_firms_raw``: equal when exact, within its bounds."""
    raw, text = row["n_firms_raw"], row["n_firms"]
    count = int(text) if text and _INTEGER.fullmatch(text) else None
    if not raw:
        if text:
            return [_problem(t, number, row, "n_firms",
                             "an empty n_firms when n_firms_raw is empty (a number as printed "
                             "first)", repr(text))]
        return []
    try:
        q = _leading_count(raw)
    except QuantityParseError as exc:
        if text:
            return [_problem(t, number, row, "n_firms",
                             "an empty n_firms when n_firms_raw does not start with a number",
                             f"{text} with n_firms_raw {raw!r} ({exc})")]
        return []
    if q.qualifier == "exact":
        if not text:
            return [_problem(t, number, row, "n_firms",
                             f"{_fmt(q.value)} as read from n_firms_raw {raw!r}", "empty")]
        if count is not None and count != q.value:
            return [_problem(t, number, row, "n_firms",
                             f"{_fmt(q.value)} as read from n_firms_raw {raw!r}", text)]
        return []
    low = -math.inf if q.lower is None else q.lower
    high = math.inf if q.upper is None else q.upper
    if count is not None and not low <= count <= high:
        bounds = f"between {_fmt(q.lower)} and {_fmt(q.upper)}".replace("empty", "no limit")
        return [_problem(t, number, row, "n_firms",
                         f"a count {bounds} as read from n_firms_raw {raw!r} "
                         f"({q.qualifier}), or empty", text)]
    return []


def _strip_brackets(text: str) -> str:
    for left, right in _BRACKETS:
        if text.startswith(left) and text.endswith(right):
            return text[len(left) : -len(right)].strip()
    return text


def check_standard_error(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check that ``se_raw`` reads as ``se``: positive, in the unit, beside a magnitude."""
    raw, text = row["se_raw"], row["se"]
    if not raw:
        if text:
            return [_problem(t, number, row, "se",
                             "an empty se when se_raw is empty (a standard error as printed "
                             "first)", repr(text))]
        return []
    if not row["raw"]:
        return [_problem(t, number, row, "se_raw",
                         "a standard error only beside a printed magnitude (raw)",
                         f"{raw!r} with raw empty")]
    parsed, kind, error = _parse(_strip_brackets(raw), row["unit"])
    if parsed is None:
        return [_problem(t, number, row, "se_raw", "a standard error the quantity parser reads",
                         error)]
    unit = row["unit"]
    if kind is not None and unit in _PARSED_KIND and kind not in _PARSED_KIND[unit]:
        return [_problem(t, number, row, "se_raw",
                         f"a standard error in the estimate's unit ({unit!r})",
                         f"{raw!r} (read as {kind})")]
    out: list[Problem] = []
    se = _float(text)
    if not text or (se is not None and not _same(se, parsed)):
        out.append(_problem(t, number, row, "se", f"{_fmt(parsed)} as parsed from se_raw "
                            f"{raw!r}", _fmt(se) if text else "empty"))
    if parsed <= 0:
        out.append(_problem(t, number, row, "se_raw", "a positive standard error", repr(raw)))
    return out


def _levels_named(text: str) -> set[float]:
    """Return the significance levels a text names: ``在1%水平上显著`` names 0.01."""
    found = {_PERCENT_LEVEL[m.group(1)] for m in _LEVEL_PERCENT.finditer(text)}
    without_p = _P_VALUE.sub(" ", text)
    found |= {_DECIMAL_LEVEL[m.group(1)] for m in _LEVEL_DECIMAL.finditer(without_p)}
    for m in _P_VALUE.finditer(text):
        if m.group(1) != "=":
            found.add(float(m.group(2)))
    return found


def check_significance(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check ``significance_level`` against the printed ``significance`` and the direction."""
    text, level = row["significance"], row["significance_level"]
    if not level:
        named = _levels_named(text)
        if text and named and not _NOT_SIGNIFICANT.search(text) and row["direction"] != "none":
            levels = ", ".join(f"{x:.2f}" for x in sorted(named))
            return [_problem(t, number, row, "significance_level",
                             f"the level the significance text names ({levels})",
                             f"empty with significance {text!r}")]
        return []
    if level not in SIGNIFICANCE_LEVELS:
        return []  # the schema's enum reports it
    out: list[Problem] = []
    if not text:
        out.append(_problem(t, number, row, "significance",
                            "the significance as printed when significance_level is given",
                            "an empty cell"))
        return out
    if _NOT_SIGNIFICANT.search(text):
        out.append(_problem(t, number, row, "significance_level",
                            "an empty level when the significance text says 'not significant'",
                            f"{level} with significance {text!r}"))
    if row["direction"] == "none":
        out.append(_problem(t, number, row, "significance_level",
                            "an empty level for a null finding (direction 'none')", level))
    named = _levels_named(text)
    p_values = [float(m.group(2)) for m in _P_VALUE.finditer(text) if m.group(1) == "="]
    if named and not any(_same(float(level), x) for x in named):
        levels = ", ".join(f"{x:.2f}" for x in sorted(named))
        out.append(_problem(t, number, row, "significance_level",
                            f"a level the significance text names ({levels})",
                            f"{level} with significance {text!r}"))
    for p in p_values:
        if p > float(level):
            out.append(_problem(t, number, row, "significance_level",
                                f"a level at or above the printed p-value {p:g}",
                                f"{level} with significance {text!r}"))
    return out


def reported_significant(significance: object, level: object = None) -> bool:
    """Tell whether a publication reports an estimate as significant.

    True when a significance level is given, or when the significance as printed says so
    in words or stars (``显著``, ``significantly``, ``***``) or prints ``p < x`` or
    ``p = x`` with x at most 0.10; False when it is empty or says *not* significant
    (``不显著``, ``insignificant``).
    """
    text = "" if significance is None or significance != significance else str(significance)
    if level is not None and level == level and str(level).strip():
        return True
    if not text.strip() or _NOT_SIGNIFICANT.search(text):
        return False
    p_values = [float(m.group(2)) for m in _P_VALUE.finditer(text)]
    if p_values:
        return min(p_values) <= 0.10
    return bool(_SIGNIFICANT_WORDS.search(text) or _levels_named(text))


def check_direction(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check the direction against the sign of ``value`` (an odds ratio's side of 1)."""
    value, unit, direction = _float(row["value"]), row["unit"], row["direction"]
    if value is None or direction not in ("+", "-"):
        if value is not None and unit == _ODDS_RATIO and value <= 0:
            return [_problem(t, number, row, "value", "a positive odds ratio", _fmt(value))]
        return []
    if unit in SIGNED_UNITS:
        centre, what = 0.0, "zero"
    elif unit == _ODDS_RATIO:
        if value <= 0:
            return [_problem(t, number, row, "value", "a positive odds ratio", _fmt(value))]
        centre, what = 1.0, "one (an odds ratio)"
    else:
        return []
    wanted = "+" if value > centre else "-" if value < centre else None
    if wanted == direction:
        return []
    if wanted is None:
        expected = f"direction 'none' for a value of exactly {what}"
    else:
        side = "above" if wanted == "+" else "below"
        expected = f"direction {wanted!r} for a value {side} {what}"
    return [_problem(t, number, row, "direction", expected,
                     f"{direction!r} with value {_fmt(value)} ({unit})")]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def check_locator(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check that the locator is a short phrase on one line, not a sentence."""
    locator = row["locator"]
    if not locator:
        return []  # required by the schema
    if not locator.isprintable():
        return [_problem(t, number, row, "locator",
                         "a phrase on one line, without line breaks or control characters",
                         repr(locator))]
    if _width(locator) > LOCATOR_WIDTH:
        return [_problem(t, number, row, "locator",
                         f"a short phrase (at most {LOCATOR_WIDTH // 2} Chinese characters or "
                         f"{LOCATOR_WIDTH} letters), not a sentence",
                         f"{len(locator)} characters in {locator!r}")]
    if _SENTENCE_END.search(locator) or len(locator.split()) > _LOCATOR_WORDS:
        return [_problem(t, number, row, "locator",
                         "a short phrase printed next to the number, not a sentence",
                         repr(locator))]
    return []


#: The rules applied to every row of ``estimates.csv``, in order.
ESTIMATE_RULES: tuple[Rule, ...] = (
    check_magnitude,
    check_unit,
    check_firm_count,
    check_standard_error,
    check_significance,
    check_direction,
    check_locator,
)


# --- rules on publications.csv ---------------------------------------------------------------


def check_url(t: Table, number: int, row: dict[str, str]) -> list[Problem]:
    """Check that a publication has the http(s) address of the page its estimates were read on."""
    url = row["url"]
    if not url:
        return [_problem(t, number, row, "url", "the address of the page read", "an empty cell")]
    if not re.fullmatch(r"https?://\S+", url):
        return [_problem(t, number, row, "url", "an http(s) address", repr(url))]
    return []


#: The rules applied to every row of ``publications.csv``.
PUBLICATION_RULES: tuple[Rule, ...] = (check_url,)


def _rows(table: Table) -> Iterator[tuple[int, dict[str, str]]]:
    return enumerate(table.rows, start=1)


def _left_to_schema(field: dict[str, Any], value: str) -> bool:
    """Tell whether the schema check already reports this cell (so it is named once)."""
    cons = field.get("constraints", {})
    if not value:
        return bool(cons.get("required"))
    if "maxLength" in cons and len(value) > cons["maxLength"]:
        return True
    return field.get("format") == "uri" and not re.fullmatch(r"https?://\S+", value)


def _apply(
    package: DataPackage, tables: dict[str, Table], name: str, rules: tuple[Rule, ...]
) -> list[Problem]:
    """Apply ``rules`` to every row of table ``name``, when the package holds it."""
    table = tables.get(name)
    if table is None:
        return []
    fields = {f["name"]: f for f in package.fields(name)}
    problems: list[Problem] = []
    for number, row in _rows(table):
        for rule in rules:
            for problem in rule(table, number, row):
                column = problem.column or ""
                if column in fields and _left_to_schema(fields[column], row[column]):
                    continue
                problems.append(problem)
    return problems


def check_published_estimates(package: DataPackage, tables: dict[str, Table]) -> list[Problem]:
    """Apply the rules to the package's publications and estimates, when it holds them.

    A cell that the schema check already rejects (an empty required cell, a cell longer
    than its ``maxLength``, an address that is not http(s)) is reported once, by the
    schema check. :func:`~dangjian_analysis.package.validation.validate` runs the same
    rules as named checks (one per rule, ``estimates-…`` and ``publications-…``).
    """
    return [
        *_apply(package, tables, PUBLICATIONS, PUBLICATION_RULES),
        *_apply(package, tables, ESTIMATES, ESTIMATE_RULES),
    ]


#: The named checks that validate runs: (name, table, rule function, the rule in words).
NAMED_RULES: tuple[tuple[str, str, Rule, str], ...] = (
    ("publications-url", PUBLICATIONS, check_url,
     "a publication has the http(s) address of the page read"),
    ("estimates-raw-value", ESTIMATES, check_magnitude,
     "raw parses, value is the number it reads in the row's unit, and raw prints that unit"),
    ("estimates-unit-none", ESTIMATES, check_unit, "unit is none exactly when raw is empty"),
    ("estimates-firm-count", ESTIMATES, check_firm_count,
     "n_firms is the exact number printed at the start of n_firms_raw, or within its bounds"),
    ("estimates-standard-error", ESTIMATES, check_standard_error,
     "se_raw reads as se: positive, in the estimate's unit, beside a magnitude"),
    ("estimates-significance", ESTIMATES, check_significance,
     "significance_level agrees with the printed significance and the direction"),
    ("estimates-direction-sign", ESTIMATES, check_direction,
     "the direction agrees with the sign of value (an odds ratio's side of 1)"),
    ("estimates-locator", ESTIMATES, check_locator,
     "the locator is a short phrase on one line, not a sentence"),
)


def _register(name: str, table: str, rule: Rule, text: str) -> None:
    def run(ctx: CheckContext) -> list[Problem]:
        return _apply(ctx.package, ctx.tables, table, (rule,))

    run.__qualname__ = f"published_estimates.{name}"
    named_check(name, text)(run)


for _name, _table, _rule, _text in NAMED_RULES:
    _register(_name, _table, _rule, _text)


def has_published_estimates(path: str | Path | None = None) -> bool:
    """Tell whether the package at ``path`` (default: the bundled one) holds the estimates.

    True when its descriptor declares both ``publications`` and ``estimates``; the
    package is not validated here (the loaders do that).
    """
    package = read_datapackage(path)
    names = {res.get("name") for res in package.descriptor["resources"]}
    return PUBLICATIONS in names and ESTIMATES in names
