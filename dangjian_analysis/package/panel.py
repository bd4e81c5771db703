"""A researcher's firm-year panel: its format, its checks and its loader.

A panel is one table with a row per firm and year, described by the Table Schema
(Frictionless) shipped beside this module, ``firm_panel.schema.json``
(:func:`firm_panel_schema`). It comes as a panel package (a folder with
``datapackage.json`` whose resource ``firm_years`` is the table, as
:func:`write_firm_panel` writes it) or as a bare CSV file; a DataFrame already in memory is
checked by :func:`check_firm_panel`.

Columns may come in any order; ``firm_id``, ``year``, ``region`` and ``has_party_org``
are required, the others may be left out, and every outcome (``output``, ``sales``,
``value_added``, ``tax_paid``) comes with its ``_currency`` and ``_price_basis``. A
column the schema does not know is an error, so a misspelt column is never dropped.

Besides each cell's type and constraints the checks are:

- one row per firm and year;
- an organization's set-up year (``party_org_year``) no later than the year of a row that
  has one, and not already past in a row that has none; one set-up year per firm;
- adoption that reverses (a firm with an organization one year and none a later year)
  is an error unless ``allow_reversals=True``; then the firms are listed in
  ``attrs["reversals"]`` and the estimators treat adoption as lasting;
- every outcome value has a currency and a price basis, the same in every row of that
  outcome (mixing nominal and real values, or currencies, in one column would make every
  comparison wrong).

Every problem is reported at once, one line each naming file, row (with the firm and
year) and column, through :class:`~dangjian_analysis.package.errors.DataValidationError`.

Loaded frames are typed: ``year``, ``employees``, ``age`` and ``party_org_year`` are
``Int64``, the flags pandas' nullable ``boolean``, outcomes ``float64``, the rest ``str``.
``attrs["above_scale_thresholds"]`` holds the above-scale revenue thresholds by first year
(5 million yuan from 1998, 20 million from 2011): the flag's population changes in 2011.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangjian_analysis.package.checks import NUMBER
from dangjian_analysis.package.errors import DataValidationError, Problem
from dangjian_analysis.package.paths import DESCRIPTOR
from dangjian_analysis.package.schema import read_package_text
from dangjian_analysis.package.tables import csv_options
from dangjian_analysis.package.validation import check_value
from dangjian_analysis.text.files import atomic_write_text, check_output, path_kind

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ABOVE_SCALE_THRESHOLDS",
    "OUTCOMES",
    "PANEL_FILE",
    "PANEL_RESOURCE",
    "REQUIRED_COLUMNS",
    "check_firm_panel",
    "firm_panel_schema",
    "load_firm_panel",
    "panel_frame",
    "write_firm_panel",
]

#: The schema file shipped with the package.
SCHEMA_FILE = Path(__file__).with_name("firm_panel.schema.json")
#: Name of the panel's resource in a panel package, and its file.
PANEL_RESOURCE = "firm_years"
PANEL_FILE = "firm_years.csv"
#: Columns every panel has.
REQUIRED_COLUMNS = ("firm_id", "year", "region", "has_party_org")
#: The outcome columns; each comes with ``<outcome>_currency`` and ``<outcome>_price_basis``.
OUTCOMES = ("output", "sales", "value_added", "tax_paid")
#: Threshold of annual main business revenue (yuan) of an above-scale industrial
#: enterprise, by the first year it applies: the 2011 change makes the flag's population
#: before and after 2011 different.
ABOVE_SCALE_THRESHOLDS = {1998: 5_000_000, 2011: 20_000_000}

_IN_MEMORY = "the panel (DataFrame)"


@functools.cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def firm_panel_schema() -> dict[str, Any]:
    """Return the Table Schema of a firm-year panel (a copy, safe to change)."""
    return copy.deepcopy(_schema())


def _fields() -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in _schema()["fields"]}


def _outcome_columns(outcome: str) -> tuple[str, str, str]:
    return outcome, f"{outcome}_currency", f"{outcome}_price_basis"


# --- reading ---------------------------------------------------------------------------


def _resolve(path: str | Path) -> tuple[str, str, dict[str, Any], list[Problem]]:
    """Read the panel's CSV: a file, or the ``firm_years`` resource of a panel package.

    Returns the CSV's text, the name to report it by, the resource (for its dialect) and
    the problems of the descriptor. Files are read by the package's one reader of package
    files, which refuses devices, FIFOs and links out of the folder by name.
    """
    where = Path(path)
    kind = path_kind(where)
    if kind == "a regular file":
        return read_package_text(where.parent, where.name, "the panel table"), where.name, {}, []
    if kind != "a folder" or path_kind(where / DESCRIPTOR) == "no such file":
        found = f"a folder without {DESCRIPTOR}" if kind == "a folder" else kind
        raise DataValidationError(
            str(where),
            [Problem(str(where), None, None, "a panel CSV file or a panel package", found)],
        )
    text = read_package_text(where, DESCRIPTOR, "the panel package's descriptor")
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataValidationError(
            str(where), [Problem(DESCRIPTOR, None, None, "valid JSON", exc.msg, line=exc.lineno)]
        ) from None
    resources = package.get("resources") if isinstance(package, dict) else None
    found = [
        (i, r)
        for i, r in enumerate(resources if isinstance(resources, list) else [])
        if isinstance(r, dict) and r.get("name") == PANEL_RESOURCE
    ]
    if not found:
        names = [r.get("name") for r in resources or [] if isinstance(r, dict)]
        raise DataValidationError(
            str(where),
            [
                Problem(
                    DESCRIPTOR, None, None, f"a resource named {PANEL_RESOURCE!r}",
                    f"resources {names}", location="resources",
                )
            ],
        )
    index, resource = found[0]
    location = f"resources[{index}] ({PANEL_RESOURCE})"
    problems: list[Problem] = []
    file = resource.get("path")
    unsafe = not isinstance(file, str) or not file or Path(file).is_absolute()
    if unsafe or ".." in Path(str(file)).parts:
        raise DataValidationError(
            str(where),
            [Problem(DESCRIPTOR, None, None, "a relative path inside the package",
                     repr(file), location=f"{location}.path")],
        )
    schema = resource.get("schema")
    if isinstance(schema, dict):
        known = _fields()
        for k, fld in enumerate(schema.get("fields") or []):
            name = fld.get("name") if isinstance(fld, dict) else None
            if name not in known:
                continue  # unknown columns are reported against the CSV header
            if fld.get("type", "string") != known[name].get("type", "string"):
                problems.append(
                    Problem(
                        DESCRIPTOR, None, name, f"type {known[name]['type']!r}",
                        repr(fld.get("type", "string")),
                        location=f"{location}.schema.fields[{k}]",
                    )
                )
    if problems:
        raise DataValidationError(str(where), problems)
    return read_package_text(where, str(file), "the panel table"), str(file), resource, []


def _read_rows(
    text: str, file: str, resource: dict[str, Any], package: str
) -> tuple[list[str], list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), **csv_options(resource))
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    end = 0
    while True:
        start = end + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            problems.append(
                Problem(file, None, None, "valid CSV", f"{exc} (line {reader.line_num})",
                        line=start)
            )
            break
        end = reader.line_num
        if cells is None:
            break
        if header is None:
            header = cells
            continue
        number = len(rows) + len(problems) + 1
        if not cells:
            problems.append(Problem(file, number, None, "a data row", "an empty line", line=start))
        elif len(cells) != len(header):
            problems.append(
                Problem(file, number, None, f"{len(header)} cells", f"{len(cells)} cells",
                        line=start)
            )
        else:
            rows.append(cells)
            lines.append(start)
    if header is None and not problems:
        problems.append(Problem(file, 0, None, "a header row naming the columns", "an empty file"))
    if problems:
        raise DataValidationError(package, problems)
    assert header is not None
    return header, rows, lines


# --- checks ----------------------------------------------------------------------------


def _header_problems(header: list[str], file: str) -> list[Problem]:
    fields = _fields()
    problems: list[Problem] = []

    def add(column: str | None, expected: str, found: str) -> None:
        problems.append(Problem(file, 0, column, expected, found, line=1))

    seen: set[str] = set()
    for name in header:
        if name in seen:
            add(name, "each column once", f"column {name!r} twice")
        seen.add(name)
        if name not in fields:
            add(name, f"only columns of the firm-panel schema {list(fields)}",
                f"unknown column {name!r}")
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            add(name, f"the required column {name!r}", f"columns {header}")
    for outcome in OUTCOMES:
        trio = _outcome_columns(outcome)
        present = [c for c in trio if c in seen]
        if present and len(present) < 3:
            missing = [c for c in trio if c not in seen]
            add(missing[0], f"the columns {list(trio)} together (an outcome with its "
                "currency and price basis)", f"{present} without {missing}")
    if not any(o in seen for o in OUTCOMES):
        add(None, f"at least one outcome column of {list(OUTCOMES)}", f"columns {header}")
    return problems


def _cell_problem(fld: dict[str, Any], value: str) -> tuple[str, str] | None:
    if value != value.strip():
        return "no leading or trailing spaces", repr(value)
    if not value.isprintable():
        return "text on one line without control characters", repr(value)
    if fld.get("type") == "boolean":
        allowed = [*fld["trueValues"], *fld["falseValues"]]
        return None if value in allowed else (f"one of {allowed}", repr(value))
    return check_value(fld, value)


_NUMBERS = re.compile(rf"(?:{NUMBER.pattern})(?:\n(?:{NUMBER.pattern}))*")


def _numbers_pass(fld: dict[str, Any], values: list[str]) -> bool:
    """Screen a number column at once: True only when every value surely passes its checks.

    The values must all be numbers as the package's checks read them (ASCII digits, no
    spaces), finite and within the field's minimum and maximum; anything else (or any
    other constraint) returns False and the values are checked one by one.
    """
    import numpy as np

    cons = set(fld.get("constraints", {})) - {"required"}
    if fld.get("type") != "number" or not values or cons - {"minimum", "maximum"}:
        return False
    if not _NUMBERS.fullmatch("\n".join(values)):
        return False
    numbers = np.array(values, dtype="float64")
    if not np.isfinite(numbers).all():
        return False
    limits = fld.get("constraints", {})
    if "minimum" in limits and (numbers < float(limits["minimum"])).any():
        return False
    return not ("maximum" in limits and (numbers > float(limits["maximum"])).any())


def _key(firm: str, year: str) -> str:
    return f"firm_id={firm}, year={year}" if firm and year else ""


def _cell_problems(
    table: dict[str, list[str]], file: str, lines: list[int]
) -> list[Problem]:
    """Check every cell; each distinct value of a column is checked once."""
    fields = _fields()
    problems: list[Problem] = []
    firms, years = table["firm_id"], table["year"]
    for column, values in table.items():
        fld = fields[column]
        required = bool(fld.get("constraints", {}).get("required"))
        distinct = [value for value in set(values) if value != ""]
        if _numbers_pass(fld, distinct):
            distinct = []
        verdicts: dict[str, tuple[str, str] | None] = {
            value: _cell_problem(fld, value) for value in distinct
        }
        if required:
            verdicts[""] = ("a value", "an empty cell")
        bad = {value for value, verdict in verdicts.items() if verdict is not None}
        if not bad:
            continue
        for i, value in enumerate(values):
            if value in bad:
                problems.append(
                    Problem(file, i + 1, column, *verdicts[value],  # type: ignore[misc]
                            key=_key(firms[i], years[i]), line=lines[i])
                )
    return problems


def _typed(table: dict[str, list[str]]) -> pd.DataFrame:
    """Convert checked cells to the loader's dtypes (numbers through float64, exact here)."""
    import numpy as np
    import pandas as pd

    fields = _fields()
    columns: dict[str, Any] = {}
    for column, values in table.items():
        fld = fields[column]
        ftype = fld.get("type", "string")
        if ftype in ("integer", "number"):
            numbers = np.array([v if v else "nan" for v in values], dtype="float64")
            series = pd.Series(numbers)
            columns[column] = series.astype("Int64") if ftype == "integer" else series
        elif ftype == "boolean":
            mapping = {v: True for v in fld["trueValues"]} | {v: False for v in fld["falseValues"]}
            series = pd.Series(values, dtype=object)
            columns[column] = series.mask(series == "").map(mapping).astype("boolean")
        else:
            series = pd.Series(values, dtype="str")
            columns[column] = series.mask(series == "")
    return pd.DataFrame(columns)


def _rule_problems(
    frame: pd.DataFrame, file: str, lines: list[int], allow_reversals: bool
) -> tuple[list[Problem], list[str]]:
    """Check the panel's own rules on a typed frame; return problems and reversing firms."""
    import numpy as np

    problems: list[Problem] = []
    firm = frame["firm_id"].to_numpy(dtype=object)
    year = frame["year"].to_numpy(dtype="int64")

    def add(i: int, column: str, expected: str, found: str) -> None:
        problems.append(
            Problem(file, i + 1, column, expected, found, key=_key(firm[i], str(year[i])),
                    line=lines[i])
        )

    # One row per firm and year.
    first: dict[tuple[str, int], int] = {}
    for i, pair in enumerate(zip(firm.tolist(), year.tolist(), strict=True)):
        j = first.setdefault(pair, i)
        if j != i:
            add(i, "year", "one row per firm and year (firm_id, year)",
                f"{pair!r}, already in row {j + 1}")

    has = frame["has_party_org"].to_numpy(dtype=bool)
    if "party_org_year" in frame:
        org = frame["party_org_year"]
        known = org.notna().to_numpy()
        org_year = org.fillna(0).to_numpy(dtype="int64")
        for i in np.flatnonzero(known & has & (org_year > year)):
            add(int(i), "party_org_year",
                f"a set-up year no later than the row's year ({year[i]}) in a row with an "
                "organization", str(org_year[i]))
        # One set-up year per firm.
        seen: dict[str, int] = {}
        for i in np.flatnonzero(known):
            j = seen.setdefault(firm[i], int(i))
            if org_year[j] != org_year[i]:
                add(int(i), "party_org_year",
                    f"one set-up year per firm ({org_year[j]} in row {j + 1})",
                    str(org_year[i]))
    else:
        known = np.zeros(len(frame), dtype=bool)
        org_year = np.zeros(len(frame), dtype="int64")

    # Adoption that reverses: an organization one year, none a later year.
    order = np.lexsort((year, firm.astype(str)))
    reversing: list[str] = []
    last_firm: object = None
    adopted_row: int | None = None
    for i in order.tolist():
        if firm[i] != last_firm:
            last_firm, adopted_row = firm[i], None
        if has[i]:
            if adopted_row is None:
                adopted_row = i
            continue
        if adopted_row is not None:
            if not reversing or reversing[-1] != firm[i]:
                reversing.append(str(firm[i]))
            if not allow_reversals:
                add(i, "has_party_org",
                    f"an organization kept once set up (1 in {year[adopted_row]}, row "
                    f"{adopted_row + 1}); load with allow_reversals=True to keep firms whose "
                    "organization lapsed", f"0 in {year[i]}")
            continue
        if known[i] and org_year[i] <= year[i]:
            add(i, "has_party_org",
                f"1, since party_org_year {org_year[i]} is not after the row's year {year[i]}",
                "0")

    # Every outcome value with its currency and price basis, one of each per outcome.
    for outcome in OUTCOMES:
        if outcome not in frame:
            continue
        present = frame[outcome].notna().to_numpy()
        for column, what in ((f"{outcome}_currency", "currency"),
                             (f"{outcome}_price_basis", "price basis ('nominal' or 'real-YYYY')")):
            cells = frame[column]
            missing = present & cells.isna().to_numpy()
            for i in np.flatnonzero(missing):
                value = float(frame[outcome].iat[i])
                add(int(i), column, f"the {what} of the {outcome} value {value!r}",
                    "an empty cell")
            stated = np.flatnonzero(cells.notna().to_numpy())
            if len(stated):
                values = cells.to_numpy(dtype=object)
                reference = values[stated[0]]
                for i in stated[values[stated] != reference]:
                    add(int(i), column,
                        f"one {what.split(' (')[0]} per outcome ({reference!r} in row "
                        f"{stated[0] + 1})", repr(values[i]))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return problems, reversing


def _check(
    header: list[str],
    rows: list[list[str]],
    lines: list[int],
    file: str,
    package: str,
    allow_reversals: bool,
    extra: list[Problem] | None = None,
) -> pd.DataFrame:
    problems = list(extra or []) + _header_problems(header, file)
    if problems:
        raise DataValidationError(package, problems)
    table = {name: [row[k] for row in rows] for k, name in enumerate(header)}
    problems = _cell_problems(table, file, lines)
    if problems:
        raise DataValidationError(package, problems)
    fields = list(_fields())
    frame = _typed({name: table[name] for name in fields if name in table})
    problems, reversing = _rule_problems(frame, file, lines, allow_reversals)
    if problems:
        raise DataValidationError(package, problems)
    frame.attrs["reversals"] = reversing
    frame.attrs["above_scale_thresholds"] = dict(ABOVE_SCALE_THRESHOLDS)
    return frame


# --- public functions ------------------------------------------------------------------


def load_firm_panel(path: str | Path, *, allow_reversals: bool = False) -> pd.DataFrame:
    """Check and load a firm-year panel: a panel package folder or a CSV file.

    Returns a typed frame in the schema's column order (columns the file leaves out are
    left out), with ``attrs["panel_path"]``, ``attrs["reversals"]`` (firms whose
    organization lapsed, kept only with ``allow_reversals=True``) and
    ``attrs["above_scale_thresholds"]``.

    Raises:
        DataValidationError: listing every problem, one line each naming file, row (with
            firm and year) and column.

    """
    text, file, resource, problems = _resolve(path)
    package = str(path)
    header, rows, lines = _read_rows(text, file, resource, package)
    frame = _check(header, rows, lines, file, package, allow_reversals, problems)
    frame.attrs["panel_path"] = str(path)
    return frame


def _as_text(series: pd.Series, ftype: str) -> list[str]:
    """Write a column's values as the CSV cells :func:`write_firm_panel` would write."""
    import pandas as pd

    out: list[str] = []
    for value in series.tolist():
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            out.append("")
        elif ftype == "boolean" and isinstance(value, bool | int) and value in (0, 1):
            out.append("1" if value else "0")
        elif isinstance(value, float) and ftype == "integer" and value.is_integer():
            out.append(repr(value))  # 2012.0: refused as an integer, never silently cut
        elif isinstance(value, float):
            out.append(repr(value))
        else:
            out.append(str(value))
    return out


def check_firm_panel(frame: pd.DataFrame, *, allow_reversals: bool = False) -> pd.DataFrame:
    """Check a panel already in memory and return it typed, as :func:`load_firm_panel` would.

    Cells are checked as the text a CSV would hold (a ``year`` of ``2012.0`` is not an
    integer), rows are numbered from 1 in the frame's order.

    Raises:
        DataValidationError: as :func:`load_firm_panel`, the file named ``the panel
            (DataFrame)``.

    """
    fields = _fields()
    header = [str(c) for c in frame.columns]
    problems = _header_problems(header, _IN_MEMORY)
    if problems:
        raise DataValidationError(_IN_MEMORY, problems)
    texts = [_as_text(frame[c], fields[c].get("type", "string")) for c in header]
    rows = [list(r) for r in zip(*texts, strict=True)] if texts else []
    lines = [i + 2 for i in range(len(frame))]
    return _check(header, rows, lines, _IN_MEMORY, _IN_MEMORY, allow_reversals)


def panel_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Put a panel's columns in the schema's order with the loader's dtypes (no checks)."""
    import pandas as pd

    fields = _fields()
    out = {}
    for name, fld in fields.items():
        if name not in frame:
            continue
        ftype = fld.get("type", "string")
        dtype = {"integer": "Int64", "number": "float64", "boolean": "boolean"}.get(ftype, "str")
        out[name] = frame[name].astype(dtype)
    typed = pd.DataFrame(out)
    typed.attrs = dict(frame.attrs)
    typed.attrs.setdefault("reversals", [])
    typed.attrs.setdefault("above_scale_thresholds", dict(ABOVE_SCALE_THRESHOLDS))
    return typed


def write_firm_panel(
    frame: pd.DataFrame,
    folder: str | Path,
    *,
    name: str = "firm-panel",
    overwrite: bool = False,
) -> Path:
    """Write ``frame`` as a panel package in ``folder``: ``firm_years.csv`` and its descriptor.

    The descriptor holds the schema of the columns written. The frame is checked first
    (:func:`check_firm_panel`), so what is written loads. Each file is written by atomic
    replacement; an existing one is replaced only with ``overwrite=True``. Returns the
    folder.

    Raises:
        DataValidationError: the frame breaks a rule of the panel format.
        FileExistsError: a file of the package is there and ``overwrite`` is false.

    """
    typed = check_firm_panel(
        frame[[c for c in frame.columns]], allow_reversals=bool(frame.attrs.get("reversals"))
    )
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for file in (PANEL_FILE, DESCRIPTOR):
        check_output(out / file, overwrite=overwrite)
    fields = _fields()
    columns = list(typed.columns)
    texts = [_as_text(typed[c], fields[c].get("type", "string")) for c in columns]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*texts, strict=True))
    atomic_write_text(out / PANEL_FILE, buffer.getvalue(), overwrite=overwrite)
    schema = firm_panel_schema()
    schema.pop("$comment", None)
    schema["fields"] = [f for f in schema["fields"] if f["name"] in columns]
    descriptor = {
        "name": name,
        "profile": "tabular-data-package",
        "resources": [
            {
                "name": PANEL_RESOURCE,
                "path": PANEL_FILE,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        ],
    }
    atomic_write_text(
        out / DESCRIPTOR, json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
        overwrite=overwrite,
    )
    return out
