"""Damaged packages and files, as researchers make them by accident.

Every case ends in a one-line error naming the file (and row, line and column where
there is one) or in correct behaviour: never a traceback, a silent acceptance or a lost
file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from dangjian_analysis import (
    DataValidationError,
    load_figures,
    load_indicators,
    load_regions,
    load_scopes,
    load_sources,
    validate,
)
from dangjian_analysis.cli import main

from conftest import FIGURE_COLUMNS, MINI_FIGURES

LOADERS = (load_sources, load_regions, load_indicators, load_scopes, load_figures)


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        validate(path)
    return [str(p) for p in info.value.problems]


def figures_text(rows: list[dict[str, str]], columns: list[str] = FIGURE_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def with_cells(**changes: dict[str, str]) -> list[dict[str, str]]:
    """The test figures with some cells changed: ``tc_001={"raw": ...}``."""
    rows = [dict(r) for r in MINI_FIGURES]
    for row in rows:
        row.update(changes.get(row["figure_id"].replace("-", "_"), {}))
    return rows


def write_figures(package: Path, rows: list[dict[str, str]]) -> Path:
    (package / "figures.csv").write_text(figures_text(rows), encoding="utf-8", newline="")
    return package


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([*map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the validator and the loaders read the same cells -------------------------------------


def test_a_line_break_inside_raw_is_an_error_naming_file_row_line_and_column(mini_package):
    write_figures(mini_package, with_cells(tc_002={"raw": "72.52\n%"}))
    assert (
        "figures.csv, row 2 (line 3, figure_id=tc-002), column 'raw': expected text on one "
        "line as printed, without line breaks or control characters, found '72.52\\n%' "
        "(U+000A at character 6)"
    ) in problems_of(mini_package)


@pytest.mark.parametrize(
    ("column", "text", "code"),
    [
        ("raw", "500\u2028家", "U+2028"),
        ("raw", "500\x85家", "U+0085"),
        ("locator", "测试\x0c企业", "U+000C"),
        ("locator", "测试\t企业", "U+0009"),
        ("raw", "500\u200b家", "U+200B"),
    ],
)
def test_raw_and_locator_hold_no_break_or_control_character(mini_package, column, text, code):
    write_figures(mini_package, with_cells(tc_001={column: text}))
    problems = problems_of(mini_package)
    assert any(
        p.startswith(f"figures.csv, row 1 (line 2, figure_id=tc-001), column '{column}': ")
        and f"({code} at character" in p
        for p in problems
    ), problems


def test_a_control_character_in_any_cell_is_an_error(mini_package):
    write_figures(mini_package, with_cells(tc_004={"notes": "copied\x00from a PDF"}))
    assert problems_of(mini_package) == [
        "figures.csv, row 4 (line 5, figure_id=tc-004), column 'notes': expected text "
        "without control characters, found 'copied\\x00from a PDF' (U+0000 at character 7)"
    ]


NOTES = "first line\nsecond line\r\nthird\u2028fourth\x85fifth\x0csixth\u2029end"


def test_line_breaks_of_every_kind_in_a_quoted_note_validate_and_load_unchanged(mini_package):
    write_figures(mini_package, with_cells(tc_003={"notes": NOTES}))
    validate(mini_package)
    for loader in LOADERS:
        loader(mini_package)
    figures = load_figures(mini_package).set_index("figure_id")
    assert figures.loc["tc-003", "notes"] == NOTES
    assert list(figures.index) == [r["figure_id"] for r in MINI_FIGURES]


def test_problems_name_the_physical_line_after_multi_line_notes(mini_package):
    # tc-003's note spans three lines (2 line feeds; U+2028 and NEL do not end a CSV line).
    rows = with_cells(tc_003={"notes": "one\ntwo\u2028still two\nthree"}, tc_005={"value": "x"})
    write_figures(mini_package, rows)
    assert (
        "figures.csv, row 5 (line 8, figure_id=tc-005), column 'value': "
        "expected a number (digits, optional decimal point), found 'x'"
    ) in problems_of(mini_package)


def test_a_ragged_row_after_a_multi_line_note_names_its_line(mini_package):
    text = figures_text(with_cells(tc_001={"notes": "a\nb"})) + "tc-006,src_tongcheng\n"
    (mini_package / "figures.csv").write_text(text, encoding="utf-8", newline="")
    assert problems_of(mini_package) == [
        "figures.csv, row 6 (line 8): expected 19 cells, found 2 cells"
    ]


def test_a_quote_left_open_names_the_line_where_its_row_starts(mini_package):
    text = figures_text(MINI_FIGURES).splitlines(keepends=True)
    text[3] = text[3].replace("测试党员", '"测试党员', 1)
    (mini_package / "figures.csv").write_text("".join(text), encoding="utf-8", newline="")
    assert problems_of(mini_package) == [
        "figures.csv, line 4: expected a closing quote for the quoted cell of the row that "
        "starts here, found the end of the file"
    ]


def test_text_after_a_closing_quote_is_an_error(mini_package):
    text = figures_text(MINI_FIGURES).replace("测试企业", '"测试"企业', 1)
    (mini_package / "figures.csv").write_text(text, encoding="utf-8", newline="")
    (problem,) = problems_of(mini_package)
    assert problem.startswith("figures.csv, line 2: expected valid CSV, found ")


def test_the_declared_dialect_is_used_by_validation_and_loaders(mini_package):
    descriptor = json.loads((mini_package / "datapackage.json").read_text(encoding="utf-8"))
    for res in descriptor["resources"]:
        if res["name"] == "figures":
            res["dialect"]["delimiter"] = ";"
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIGURE_COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: r.get(c, "") for c in FIGURE_COLUMNS} for r in MINI_FIGURES)
    (mini_package / "figures.csv").write_text(out.getvalue(), encoding="utf-8")
    validate(mini_package)
    assert list(load_figures(mini_package)["value"]) == [500, 0.7252, 127000, 11500000000, 1000]


def test_csv_files_with_a_byte_order_mark_and_crlf_lines_are_read(mini_package):
    text = figures_text(MINI_FIGURES).replace("\n", "\r\n")
    (mini_package / "figures.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    validate(mini_package)
    assert load_figures(mini_package)["figure_id"].tolist()[0] == "tc-001"


@pytest.mark.parametrize(
    ("encoding", "found"),
    [
        ("gb18030", "found byte 0xBC at offset 308, which is not UTF-8"),
        ("utf-16", "found UTF-16 (byte order mark FF FE); save the file as UTF-8"),
    ],
)
def test_a_table_not_in_utf8_is_named(mini_package, encoding, found):
    text = figures_text(MINI_FIGURES)
    (mini_package / "figures.csv").write_bytes(text.encode(encoding))
    (problem,) = problems_of(mini_package)
    assert problem.startswith("figures.csv")
    assert found in problem
    if encoding == "gb18030":
        assert problem.startswith("figures.csv, line 2: expected UTF-8 text")


# --- whatever validates, loads --------------------------------------------------------------


@pytest.mark.parametrize("column", ["value", "lower", "upper"])
@pytest.mark.parametrize(
    ("digits", "name"), [("５００", "FULLWIDTH DIGIT FIVE"), ("٥٠٠", "ARABIC-INDIC DIGIT FIVE")]
)
def test_digits_the_loaders_cannot_read_are_rejected(mini_package, column, digits, name):
    write_figures(mini_package, with_cells(tc_001={column: digits}))
    assert (
        f"figures.csv, row 1 (line 2, figure_id=tc-001), column '{column}': "
        f"expected digits 0-9 (ASCII), found '{digits}' ('{digits[0]}' is {name})"
    ) in problems_of(mini_package)


@pytest.mark.parametrize(
    "date", ["9999-12-31", "1677-09-21", "2262-04-12", "0001-01-01", "٢٠١٣-01-01"]
)
def test_dates_the_loaders_cannot_hold_are_rejected(mini_package, date):
    write_figures(mini_package, with_cells(tc_004={"period_latest": date}))
    problems = problems_of(mini_package)
    expected = (
        "digits 0-9 (ASCII)" if not date.isascii() else "a date between 1677-09-22 and 2262-04-11"
    )
    assert any(
        p.startswith(
            "figures.csv, row 4 (line 5, figure_id=tc-004), column 'period_latest': "
            f"expected {expected}, found '{date}'"
        )
        for p in problems
    ), problems


def test_the_first_and_last_dates_the_loaders_hold_validate_and_load(mini_package):
    path = mini_package / "sources.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    unused = next(r for r in rows if r["source_id"] != "src_tongcheng")
    unused.update(published="", published_earliest="1677-09-22", published_latest="2262-04-11")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    validate(mini_package)
    sources = load_sources(mini_package).set_index("source_id")
    assert sources.loc[unused["source_id"], "published_earliest"] == pd.Timestamp("1677-09-22")
    assert sources.loc[unused["source_id"], "published_latest"] == pd.Timestamp("2262-04-11")


@pytest.mark.parametrize("number", ["1e400", "-1e999"])
def test_numbers_beyond_float_range_are_rejected(mini_package, number):
    write_figures(mini_package, with_cells(tc_001={"upper": number}))
    assert (
        "figures.csv, row 1 (line 2, figure_id=tc-001), column 'upper': "
        f"expected a finite number, found '{number}'"
    ) in problems_of(mini_package)


# --- property: validate passes => every loader succeeds, on the cells validated -------------

TABLES = ("figures.csv", "sources.csv", "regions.csv", "indicators.csv", "scopes.csv")
# The columns damage aims at most: those the loaders convert, and text read as printed.
TARGETS = {
    "figures.csv": (
        "value",
        "lower",
        "upper",
        "period_earliest",
        "period_latest",
        "raw",
        "locator",
        "notes",
    ),
    "sources.csv": ("published", "published_earliest", "published_latest", "notes"),
}


def _digits(target: str):
    return lambda c: c.translate(str.maketrans("0123456789", target))


# A cell retyped as a researcher might: the same number or date in other characters or
# another form, a date moved far away, a break or control character pasted in.
RETYPES = {
    "fullwidth": _digits("０１２３４５６７８９"),
    "arabic_indic": _digits("٠١٢٣٤٥٦٧٨٩"),
    "persian": _digits("۰۱۲۳۴۵۶۷۸۹"),
    "exponent": lambda c: f"{float(c):e}" if c.replace(".", "", 1).isdigit() else c,
    "plus": lambda c: "+" + c if c[:1].isdigit() else c,
    "point": lambda c: c + "." if c.isdigit() else c,
    "far_future": lambda c: "9999" + c[4:] if c[:4].isdigit() and c[4:5] == "-" else c,
    "year_2263": lambda c: "2263" + c[4:] if c[:4].isdigit() and c[4:5] == "-" else c,
    "far_past": lambda c: "1600" + c[4:] if c[:4].isdigit() and c[4:5] == "-" else c,
    "newline": lambda c: c[:1] + "\n" + c[1:],
    "crlf": lambda c: c[:1] + "\r\n" + c[1:],
    "line_separator": lambda c: c[:1] + "\u2028" + c[1:],
    "next_line": lambda c: c[:1] + "\x85" + c[1:],
    "form_feed": lambda c: c[:1] + "\x0c" + c[1:],
    "nul": lambda c: c[:1] + "\x00" + c[1:],
    "zero_width_space": lambda c: c[:1] + "\u200b" + c[1:],
    "tab": lambda c: c + "\t",
}
DAMAGE_ALPHABET = (
    "0123456789５٥۵.-+eE,;\"' \n\r\t\u2028\u2029\x85\x0c\x00\u200b\ufeff万亿%家名约余近多_az"
)
DAMAGE_BYTES = (
    b'"',
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xb2",
    b"\x00",
    b"5",
    "５".encode(),
    "٥".encode(),
    "\u2028".encode(),
    b'""',
    b"\xff\xfe",
)


def cell_values():
    from datetime import date

    from hypothesis import strategies as st

    return st.one_of(
        st.text(alphabet=DAMAGE_ALPHABET, max_size=10),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
        st.dates(min_value=date(1677, 9, 1), max_value=date(1677, 10, 1)).map(str),
        st.dates(min_value=date(2262, 4, 1), max_value=date(2262, 5, 1)).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
        st.sampled_from(
            [
                "",
                " ",
                "1e400",
                "5.",
                ".5",
                "+5",
                "-0",
                "1e-400",
                "2013-02-29",
                "2013-1-1",
                "500",
                "0.7252",
                "72.52%",
                "500家",
                "tc-001",
                "src_tongcheng",
                "exact",
            ]
        ),
    )


def damages():
    from hypothesis import strategies as st

    def where():
        aimed = st.sampled_from(sorted(TARGETS)).flatmap(
            lambda f: st.tuples(st.just(f), st.sampled_from(TARGETS[f]))
        )
        anywhere = st.tuples(st.sampled_from(TABLES), st.integers(0, 30))
        return st.one_of(aimed, aimed, anywhere)

    rows = st.integers(0, 30)
    cell = st.tuples(st.just("cell"), where(), rows, cell_values())
    retype = st.tuples(st.just("retype"), where(), rows, st.sampled_from(sorted(RETYPES)))
    raw_bytes = st.tuples(
        st.just("bytes"),
        st.tuples(st.sampled_from(TABLES), st.integers(0, 3)),
        st.floats(0, 1),
        st.sampled_from(DAMAGE_BYTES),
    )
    rewrite = st.tuples(
        st.just("rewrite"),
        st.tuples(st.sampled_from(TABLES), st.just(0)),
        st.just(0),
        st.sampled_from(["quote_all", "crlf", "bom"]),
    )
    return st.lists(st.one_of(retype, retype, cell, raw_bytes, rewrite), min_size=1, max_size=3)


def apply_damage(folder: Path, damage) -> None:
    kind, (file, column), row_number, payload = damage
    path = folder / file
    data = path.read_bytes()
    if kind == "bytes":
        at = int(row_number * len(data))
        data = data[:at] + payload + data[at + column :]  # insert, or overwrite some bytes
        path.write_bytes(data)
        return
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return  # already broken by an earlier step
    if kind == "rewrite":
        out = io.StringIO()
        quoting = csv.QUOTE_ALL if payload == "quote_all" else csv.QUOTE_MINIMAL
        ending = "\r\n" if payload == "crlf" else "\n"
        csv.writer(out, quoting=quoting, lineterminator=ending).writerows(rows)
        prefix = b"\xef\xbb\xbf" if payload == "bom" else b""
        path.write_bytes(prefix + out.getvalue().encode("utf-8"))
        return
    if len(rows) < 2:
        return
    header = rows[0]
    index = header.index(column) if isinstance(column, str) and column in header else None
    if index is None:
        index = column if isinstance(column, int) else 0
    row = (
        rows[1 + row_number % (len(rows) - 1)] if kind == "retype" else rows[row_number % len(rows)]
    )
    if not row:
        return
    index %= len(row)
    row[index] = RETYPES[payload](row[index]) if kind == "retype" else payload
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


@pytest.fixture(scope="module")
def package_template(tmp_path_factory) -> Path:
    from conftest import copy_data

    return copy_data(tmp_path_factory.mktemp("template") / "mini")


def test_whatever_validates_loads_the_cells_validated(package_template):
    import shutil
    import tempfile

    from hypothesis import HealthCheck, example, given, settings

    from dangjian_analysis.package.schema import read_datapackage
    from dangjian_analysis.package.tables import read_table

    outcomes = {"rejected": 0, "loaded": 0}

    @settings(
        derandomize=True,
        database=None,
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(damages())
    # The damage of the report, always tried: digits and dates the loaders cannot read.
    @example([("retype", ("figures.csv", "value"), 0, "fullwidth")])
    @example([("retype", ("figures.csv", "lower"), 0, "arabic_indic")])
    @example([("retype", ("sources.csv", "published_latest"), 3, "far_future")])
    @example([("retype", ("figures.csv", "raw"), 0, "newline")])
    @example([("retype", ("sources.csv", "notes"), 3, "line_separator")])
    def check(steps):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "mini"
            shutil.copytree(package_template, folder)
            for step in steps:
                apply_damage(folder, step)
            try:
                validate(folder)
            except DataValidationError as exc:
                assert exc.problems
                assert all(p.file and str(p) for p in exc.problems)
                outcomes["rejected"] += 1
                return
            package = read_datapackage(folder)
            for loader in LOADERS:  # validated above
                frame = loader(folder, validate=False)
                name = loader.__name__.removeprefix("load_")
                table = read_table(package, name)
                assert len(frame) == len(table.rows)
                for fld in package.fields(name):
                    cells = [row[fld["name"]] for row in table.rows]
                    loaded = frame[fld["name"]]
                    if fld.get("type", "string") == "string":
                        assert loaded.fillna("").tolist() == cells
                    elif fld["type"] == "number":
                        assert [float(c) if c else None for c in cells] == [
                            None if pd.isna(x) else x for x in loaded
                        ]
                    elif fld["type"] == "date":
                        assert [c or None for c in cells] == [
                            None if pd.isna(x) else x.strftime("%Y-%m-%d") for x in loaded
                        ]
            outcomes["loaded"] += 1

    check()
    # The generated damage both breaks packages and leaves some valid.
    assert outcomes["rejected"] > 20 and outcomes["loaded"] > 10, outcomes


# --- the descriptor is input too -------------------------------------------------------------


def edit_descriptor(package: Path, change) -> Path:
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return package


def res(name: str):
    """A function returning resource ``name`` of a descriptor."""
    return lambda d: next(r for r in d["resources"] if r["name"] == name)


def field_of(d, resource: str, name: str):
    return next(f for f in res(resource)(d)["schema"]["fields"] if f["name"] == name)


FIGURES = "resources[4] (figures)"
DESCRIPTOR_DAMAGE = {
    "resource without schema": (
        lambda d: res("indicators")(d).pop("schema"),
        "datapackage.json, resources[2] (indicators): expected a 'schema' object (inline "
        "Table Schema), found none",
    ),
    "resource without path": (
        lambda d: res("sources")(d).pop("path"),
        "datapackage.json, resources[0] (sources): expected a 'path': the name of a CSV file "
        "inside the package folder, found none",
    ),
    "path outside the package": (
        lambda d: res("sources")(d).update(path="../sources.csv"),
        "datapackage.json, resources[0] (sources): expected a 'path': the name of a CSV file "
        "inside the package folder (no '..'), found '../sources.csv'",
    ),
    "resources as an object": (
        lambda d: d.update(resources={r["name"]: r for r in d["resources"]}),
        "datapackage.json, resources: expected an array of resource objects, found an object",
    ),
    "no resources": (
        lambda d: d.pop("resources"),
        "datapackage.json: expected a 'resources' array, found none",
    ),
    "a resource that is not an object": (
        lambda d: d["resources"].insert(0, "extra.csv"),
        "datapackage.json, resources[0]: expected a resource object, found text 'extra.csv'",
    ),
    "foreign key to an unknown resource": (
        lambda d: res("figures")(d)["schema"]["foreignKeys"][1]["reference"].update(
            resource="region"
        ),
        f"datapackage.json, {FIGURES}.schema.foreignKeys[1].reference.resource: expected a "
        "resource of this package (sources, regions, indicators, scopes, figures, publications, "
        "estimates), "
        "found 'region'",
    ),
    "foreign key to an unknown field": (
        lambda d: res("figures")(d)["schema"]["foreignKeys"][0]["reference"].update(fields=["id"]),
        f"datapackage.json, {FIGURES}.schema.foreignKeys[0].reference.fields: expected names "
        "of fields of resource 'sources', found 'id'",
    ),
    "foreign key from an unknown field": (
        lambda d: res("figures")(d)["schema"]["foreignKeys"][0].update(fields="source"),
        f"datapackage.json, {FIGURES}.schema.foreignKeys[0].fields: expected names of fields "
        "of this schema, found 'source'",
    ),
    "primary key naming no field": (
        lambda d: res("figures")(d)["schema"].update(primaryKey=["figure"]),
        f"datapackage.json, {FIGURES}.schema.primaryKey: expected names of fields of this "
        "schema, found 'figure'",
    ),
    "invalid regular expression": (
        lambda d: field_of(d, "figures", "figure_id")["constraints"].update(
            pattern="^[a-z]{2,4}-[0-9{3,}$"
        ),
        f"datapackage.json, {FIGURES}.schema.fields[0] (figure_id).constraints.pattern: "
        "expected a valid regular expression, found '^[a-z]{2,4}-[0-9{3,}$' (unterminated "
        "character set at position 12)",
    ),
    "a constraint the validator does not check": (
        lambda d: field_of(d, "figures", "raw")["constraints"].update(requried=True),
        f"datapackage.json, {FIGURES}.schema.fields[15] (raw).constraints.requried: expected "
        "a constraint this package checks (required, unique, pattern, enum, minLength, "
        "maxLength, minimum, maximum), found 'requried'",
    ),
    "a length that is not a whole number": (
        lambda d: field_of(d, "figures", "raw")["constraints"].update(maxLength="40"),
        f"datapackage.json, {FIGURES}.schema.fields[15] (raw).constraints.maxLength: "
        "expected a whole number >= 0, found text '40'",
    ),
    "a type the package does not read": (
        lambda d: field_of(d, "figures", "notes").update(type="boolean"),
        f"datapackage.json, {FIGURES}.schema.fields[18] (notes): expected a 'type' this "
        "package reads (string, number, integer, date), found text 'boolean'",
    ),
    "a field without a name": (
        lambda d: field_of(d, "figures", "notes").pop("name"),
        f"datapackage.json, {FIGURES}.schema.fields[18]: expected a 'name' (text), found none",
    ),
    "a field named twice": (
        lambda d: field_of(d, "figures", "notes").update(name="raw"),
        f"datapackage.json, {FIGURES}.schema.fields[18] (raw): expected a field name used "
        "once in the schema, found 'raw' again",
    ),
    "fields as an object": (
        lambda d: res("scopes")(d)["schema"].update(fields={}),
        "datapackage.json, resources[3] (scopes).schema: expected a non-empty 'fields' array, "
        "found an object",
    ),
    "a table without a header row": (
        lambda d: res("figures")(d)["dialect"].update(header=False),
        f"datapackage.json, {FIGURES}.dialect.header: expected true (every table starts with "
        "its header row), found false",
    ),
    "a two-character delimiter": (
        lambda d: res("figures")(d)["dialect"].update(delimiter=", "),
        f"datapackage.json, {FIGURES}.dialect.delimiter: expected one character (not a line "
        "break), found text ', '",
    ),
    "an encoding the package does not read": (
        lambda d: res("figures")(d).update(encoding="gb18030"),
        f"datapackage.json, {FIGURES}: expected 'encoding' utf-8 (the only encoding this "
        "package reads), found text 'gb18030'",
    ),
    "other missing values": (
        lambda d: res("figures")(d)["schema"].update(missingValues=["", "NA"]),
        f"datapackage.json, {FIGURES}.schema: expected 'missingValues' [\"\"] (an empty cell "
        "is the only missing value), found ['', 'NA']",
    ),
    "a unit kind without a unit": (
        lambda d: d["unitKinds"].update(yuan="CNY"),
        "datapackage.json, unitKinds.yuan: expected an object with a 'unit' (text), "
        "found text 'CNY'",
    ),
    "a table missing": (
        lambda d: (d["resources"].pop(3), res("figures")(d)["schema"]["foreignKeys"].pop(3)),
        "datapackage.json: expected a resource named 'scopes', found none",
    ),
    "a table missing that another references": (
        lambda d: d["resources"].pop(3),
        "datapackage.json, resources[3] (figures).schema.foreignKeys[3].reference.resource: "
        "expected a resource of this package (sources, regions, indicators, figures, "
        "publications, estimates), "
        "found 'scopes'",
    ),
    "a field the package reads, missing": (
        lambda d: res("figures")(d)["schema"]["fields"].remove(field_of(d, "figures", "locator")),
        f"datapackage.json, {FIGURES}.schema.fields: expected a field 'locator' of type "
        "'string' (this package reads it), found none",
    ),
    "a field the package reads, retyped": (
        lambda d: field_of(d, "figures", "value").update(type="string"),
        f"datapackage.json, {FIGURES}.schema.fields: expected field 'value' of type 'number' "
        "(this package reads it so), found type 'string'",
    ),
    "a primary key the package relies on, dropped": (
        lambda d: res("indicators")(d)["schema"].pop("primaryKey"),
        "datapackage.json, resources[2] (indicators).schema.primaryKey: expected ['indicator'] "
        "(rows are looked up by it), found none",
    ),
    "a foreign key the package relies on, dropped": (
        lambda d: res("figures")(d)["schema"]["foreignKeys"].pop(1),
        f"datapackage.json, {FIGURES}.schema.foreignKeys: expected a foreign key "
        "figures.region_id -> regions.region_id, found none",
    ),
}


@pytest.mark.parametrize("case", sorted(DESCRIPTOR_DAMAGE))
def test_a_damaged_descriptor_is_named_where_it_is_damaged(mini_package, case):
    change, expected = DESCRIPTOR_DAMAGE[case]
    edit_descriptor(mini_package, change)
    problems = problems_of(mini_package)
    assert expected in problems, problems
    # Loaders asked not to validate still refuse a descriptor they cannot rely on.
    with pytest.raises(DataValidationError):
        load_figures(mini_package, validate=False)


@pytest.mark.parametrize("case", ["resource without schema", "invalid regular expression"])
def test_the_cli_reports_a_damaged_descriptor_without_a_traceback(mini_package, capsys, case):
    edit_descriptor(mini_package, DESCRIPTOR_DAMAGE[case][0])
    code, _, err = cli(capsys, "validate", "--data", mini_package)
    assert code == 1
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0] == f"error: data package {mini_package} has 1 problem:"
    assert lines[1] == "  " + DESCRIPTOR_DAMAGE[case][1]


@pytest.mark.parametrize(
    ("encoding", "found"),
    [
        (
            "gb18030",
            "datapackage.json, line 4: expected UTF-8 text, found byte 0xB7 at offset {offset}, "
            "which is not UTF-8 (GB18030 or Big5?); save the file as UTF-8",
        ),
        (
            "utf-16",
            "datapackage.json: expected UTF-8 text, found UTF-16 (byte order mark FF FE); "
            "save the file as UTF-8",
        ),
    ],
)
def test_a_descriptor_not_in_utf8_is_named(mini_package, capsys, encoding, found):
    path = mini_package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["title"] = "非公企业党组织"
    text = json.dumps(descriptor, ensure_ascii=False, indent=2)
    path.write_bytes(text.encode(encoding))
    found = found.format(offset=len(text[: text.index("非")].encode(encoding)))
    assert problems_of(mini_package) == [found]
    code, _, err = cli(capsys, "validate", "--data", mini_package)
    assert (code, err.splitlines()[1:]) == (1, ["  " + found])


def test_a_descriptor_with_a_byte_order_mark_is_read_like_a_table_with_one(mini_package):
    path = mini_package / "datapackage.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    figures = mini_package / "figures.csv"
    figures.write_bytes(b"\xef\xbb\xbf" + figures.read_bytes())
    assert validate(mini_package).version
    assert len(load_figures(mini_package)) == len(MINI_FIGURES)


def test_keys_written_as_single_names_are_read_as_the_spec_allows(mini_package):
    def single(d):
        for r in (r for r in d["resources"] if "schema" in r):
            r["schema"]["primaryKey"] = r["schema"]["primaryKey"][0]
            for fk in r["schema"].get("foreignKeys", []):
                fk["fields"] = fk["fields"][0]
                fk["reference"]["fields"] = fk["reference"]["fields"][0]

    edit_descriptor(mini_package, single)
    package = validate(mini_package)
    assert package.resource("figures")["schema"]["primaryKey"] == ["figure_id"]
    edit_descriptor(mini_package, lambda d: None)
    write_figures(mini_package, with_cells(tc_002={"region_id": "atlantis"}))
    assert problems_of(mini_package) == [
        "figures.csv, row 2 (line 3, figure_id=tc-002), column 'region_id': "
        "expected a region_id listed in regions.csv, found 'atlantis'"
    ]


def test_an_extra_table_with_composite_keys_is_validated(mini_package):
    (mini_package / "aliases.csv").write_text(
        "region_id,alias,figure_id\ntongcheng,通城,tc-001\ntongcheng,通城,tc-002\n",
        encoding="utf-8",
    )

    def add(d):
        d["resources"].append(
            {
                "name": "aliases",
                "path": "aliases.csv",
                "schema": {
                    "fields": [
                        {"name": "region_id", "type": "string"},
                        {"name": "alias", "type": "string"},
                        {"name": "figure_id", "type": "string"},
                    ],
                    "primaryKey": ["region_id", "alias"],
                    "foreignKeys": [
                        {
                            "fields": ["region_id", "figure_id"],
                            "reference": {
                                "resource": "figures",
                                "fields": ["region_id", "figure_id"],
                            },
                        }
                    ],
                },
            }
        )

    edit_descriptor(mini_package, add)
    assert problems_of(mini_package) == [
        "aliases.csv, row 2 (line 3), column 'region_id': expected a unique primary key "
        "(region_id, alias), found ('tongcheng', '通城'), already used in row 1"
    ]
    (mini_package / "aliases.csv").write_text(
        "region_id,alias,figure_id\ntongcheng,通城,tc-001\nyongchuan,永川,tc-002\n",
        encoding="utf-8",
    )
    assert problems_of(mini_package) == [
        "aliases.csv, row 2 (line 3), column 'region_id': expected a region_id, figure_id "
        "listed in figures.csv, found ('yongchuan', 'tc-002')"
    ]


# --- source texts in other encodings ---------------------------------------------------------

# MINI_ARTICLE in Traditional characters, for Big5.
MINI_ARTICLE_TRADITIONAL = (
    "測試企業共有500家。\n測試覆蓋率達到７２．５２％，"
    "測試黨員12.7萬餘名。去年測試產值115億\n元。測試公司黨員近1000名。"
)


def corpus_file(corpus: Path) -> Path:
    (file,) = corpus.iterdir()
    return file


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("gb18030", None),
        ("big5", MINI_ARTICLE_TRADITIONAL),
        ("utf-8-sig", None),
    ],
)
def test_verify_sources_reads_texts_as_extract_does(
    mini_package, mini_corpus, capsys, encoding, text
):
    from conftest import MINI_ARTICLE

    file = corpus_file(mini_corpus)
    file.write_bytes((text or MINI_ARTICLE).encode(encoding))
    code, out, _ = cli(capsys, "verify-sources", "--corpus", mini_corpus, "--data", mini_package)
    assert code == 0
    assert "5 verified, 0 failed" in out


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("测试".encode("utf-16"), "is UTF-16; save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "looks binary"),
        (b"", "is empty"),
    ],
)
def test_verify_sources_names_a_text_it_cannot_read(
    mini_package, mini_corpus, capsys, data, reason
):
    from dangjian_analysis import verify_sources

    file = corpus_file(mini_corpus)
    file.write_bytes(data)
    report = verify_sources(mini_corpus, mini_package)
    assert {c.status for c in report.failures} == {"corpus file unreadable"}
    assert all(str(file) in c.detail and reason in c.detail for c in report.failures)
    code, out, err = cli(capsys, "verify-sources", "--corpus", mini_corpus, "--data", mini_package)
    assert (code, err) == (1, "")
    # Once for the source, not once per figure.
    assert out.count("corpus file unreadable: article") == 1
    assert f"  src_tongcheng: corpus file unreadable: article {file} " in out
    assert "(5 figures: tc-001–tc-005)" in out


# --- the parser is given text ----------------------------------------------------------------


@pytest.mark.parametrize("value", [123, 12.5, None, b"500\xe5\xae\xb6"])
def test_parse_quantity_refuses_what_is_not_text(value):
    from dangjian_analysis import parse_quantity

    with pytest.raises(TypeError, match=f"parse_quantity reads text, not {type(value).__name__}"):
        parse_quantity(value)


# --- no file lost: the briefs' output folder -------------------------------------------------


def fake_build(folder: Path, label: str, *extra: str) -> Path:
    """A folder as 'dangjian briefs' leaves it: a brief, the index and the marker."""
    from dangjian_analysis.briefs.build import INDEX, MARKER

    folder.mkdir()
    (folder / "01_alpha.html").write_text(label, encoding="utf-8")
    (folder / INDEX).write_text(label, encoding="utf-8")
    (folder / MARKER).write_text(json.dumps({"briefs": ["01_alpha.html"]}), encoding="utf-8")
    for name in extra:
        (folder / name).write_text("a user's file", encoding="utf-8")
    return folder


def contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_briefs_refuse_an_output_folder_holding_a_users_file(tmp_path, capsys):
    from conftest import ALPHA_CELLS, copy_data, write_notebook

    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    write_notebook(notebooks / "01_alpha.ipynb", ALPHA_CELLS)
    data = copy_data(tmp_path / "data")
    out = fake_build(tmp_path / "briefs", "previous", "notes.txt")
    before = contents(out)
    argv = ["briefs", "--out", out, "--notebooks", notebooks, "--data", data]
    code, _, err = cli(capsys, *argv)
    assert code == 1
    assert err == (
        f"error: output folder {out} holds files that 'dangjian briefs' did not write: "
        "notes.txt; refusing to replace it (move them elsewhere or choose another --out)\n"
    )
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs", "data", "nbs"]


def test_a_file_put_into_the_output_folder_during_a_build_is_kept(tmp_path):
    from dangjian_analysis.briefs.build import BriefBuildError, _swap_in

    out = fake_build(tmp_path / "briefs", "previous")
    staging = fake_build(tmp_path / ".briefs.building-1-x", "new")
    (out / "notes.txt").write_text("written while the notebooks ran", encoding="utf-8")
    (out / "drafts").mkdir()
    with pytest.raises(BriefBuildError, match=r"did not write: drafts/, notes\.txt; refusing"):
        _swap_in(staging, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "written while the notebooks ran"
    assert (out / "01_alpha.html").read_text(encoding="utf-8") == "previous"


def test_an_unreadable_marker_lists_every_file_rather_than_replacing_them(tmp_path):
    from dangjian_analysis.briefs.build import MARKER, BriefBuildError, _swap_in

    out = fake_build(tmp_path / "briefs", "previous")
    (out / MARKER).write_text("{truncated", encoding="utf-8")
    staging = fake_build(tmp_path / ".briefs.building-1-x", "new")
    with pytest.raises(BriefBuildError, match=r"did not write: 01_alpha\.html, index\.html;"):
        _swap_in(staging, out)
    assert (out / "01_alpha.html").read_text(encoding="utf-8") == "previous"


def test_an_interrupt_between_the_two_renames_puts_the_previous_build_back(tmp_path, monkeypatch):
    from dangjian_analysis.briefs import build

    out = fake_build(tmp_path / "briefs", "previous")
    staging = fake_build(tmp_path / ".briefs.building-1-x", "new")
    real_replace = build.os.replace
    calls = []

    def interrupted(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # staging -> out
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(build.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build._swap_in(staging, out)
    assert calls[:2] == [("briefs", ".briefs.old"), (staging.name, "briefs")]
    assert contents(out)["01_alpha.html"] == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [staging.name, "briefs"]


@pytest.mark.parametrize("old_name", [".briefs.old", ".briefs.old-k3j2x9"])
def test_a_build_killed_between_the_renames_is_put_right_by_the_next(tmp_path, old_name):
    from dangjian_analysis.briefs.build import _recover, _swap_in

    # The state a killed build leaves: no output folder, the previous build set aside.
    fake_build(tmp_path / old_name, "previous")
    _recover(tmp_path / "briefs")
    assert contents(tmp_path / "briefs")["01_alpha.html"] == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs"]
    # And the next build goes in as usual.
    (tmp_path / "briefs").rename(tmp_path / old_name)
    _swap_in(fake_build(tmp_path / ".briefs.building-1-x", "new"), tmp_path / "briefs")
    assert contents(tmp_path / "briefs")["01_alpha.html"] == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs"]


def test_a_previous_build_left_beside_the_new_one_is_removed(tmp_path):
    import os

    from dangjian_analysis.briefs.build import _swap_in

    fake_build(tmp_path / "briefs", "current")
    fake_build(tmp_path / ".briefs.old", "older")
    dead = tmp_path / ".briefs.building-999999999-abc"  # no such process
    dead.mkdir()
    alive = tmp_path / f".briefs.building-{os.getpid()}-abc"  # a build still running
    alive.mkdir()
    _swap_in(fake_build(tmp_path / ".briefs.building-1-x", "new"), tmp_path / "briefs")
    assert contents(tmp_path / "briefs")["01_alpha.html"] == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "briefs"]


def _swap_worker(args: tuple[str, str]) -> str:
    from dangjian_analysis.briefs.build import _swap_in

    staging, out = map(Path, args)
    _swap_in(staging, out)
    return staging.name


@pytest.mark.parametrize("how", ["threads", "processes"])
def test_concurrent_builds_take_turns_at_the_swap(tmp_path, how):
    import concurrent.futures
    import multiprocessing

    out = fake_build(tmp_path / "briefs", "first")
    stagings = [fake_build(tmp_path / f".briefs.building-1-{i}", f"build {i}") for i in range(8)]
    jobs = [(str(s), str(out)) for s in stagings]
    if how == "threads":
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
    else:
        context = multiprocessing.get_context("fork")
        pool = concurrent.futures.ProcessPoolExecutor(max_workers=4, mp_context=context)
    with pool:
        done = list(pool.map(_swap_worker, jobs))
    assert sorted(done) == sorted(s.name for s in stagings)
    # Exactly one complete build is in place, and nothing is left beside it.
    assert contents(out)["01_alpha.html"] in {f"build {i}" for i in range(8)}
    assert contents(out)["01_alpha.html"] == contents(out)["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs"]


def test_a_build_waits_for_the_lock_and_says_so_when_it_never_comes(tmp_path):
    import threading

    from dangjian_analysis.briefs.build import BriefBuildError, _output_lock

    out = tmp_path / "briefs"
    held, release = threading.Event(), threading.Event()

    def holder():
        with _output_lock(out):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        with pytest.raises(BriefBuildError, match=r"another 'dangjian briefs' has been replacing"):
            with _output_lock(out, timeout=0.2):
                pass
    finally:
        release.set()
        thread.join()
    with _output_lock(out, timeout=1):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_during_a_build_prints_one_line_exits_130_and_keeps_the_previous_build(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import KEY_FINDINGS, LIMITS, PARAMETERS, copy_data, write_notebook

    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    started = tmp_path / "started"
    write_notebook(
        notebooks / "01_slow.ipynb",
        [
            ("md", "# Slow"),
            PARAMETERS,
            KEY_FINDINGS,
            (
                "code",
                f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(120)\n",
            ),
            LIMITS,
        ],
    )
    data = copy_data(tmp_path / "data")
    out = fake_build(tmp_path / "briefs", "previous")
    before = contents(out)
    command = [
        str(Path(sys.executable).with_name("dangjian")),
        "briefs",
        "--out",
        str(out),
        "--notebooks",
        str(notebooks),
        "--data",
        str(data),
    ]
    # A session of its own, so that the interrupt goes to the command's process group the
    # way a terminal sends Ctrl-C, and not to the test run.
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started.exists(), proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("briefs:")]
    assert lines == [f"interrupted: {out} holds the briefs of the last complete build"]
    assert "Traceback" not in err
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefs", "data", "nbs", "started"]
