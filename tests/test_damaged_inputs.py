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


def cli(capsys, *argv) -> tuple[int, str]:
    code = main([*map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.err


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
    "figures.csv": ("value", "lower", "upper", "period_earliest", "period_latest", "raw",
                    "locator", "notes"),
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
    b'"', b",", b"\n", b"\r", b"\r\n", b"\xef\xbb\xbf", b"\xb2", b"\x00", b"5",
    "５".encode(), "٥".encode(), "\u2028".encode(), b'""', b"\xff\xfe",
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
            ["", " ", "1e400", "5.", ".5", "+5", "-0", "1e-400", "2013-02-29", "2013-1-1",
             "500", "0.7252", "72.52%", "500家", "tc-001", "src_tongcheng", "exact"]
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
        st.just("bytes"), st.tuples(st.sampled_from(TABLES), st.integers(0, 3)),
        st.floats(0, 1), st.sampled_from(DAMAGE_BYTES),
    )
    rewrite = st.tuples(
        st.just("rewrite"), st.tuples(st.sampled_from(TABLES), st.just(0)), st.just(0),
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
    row = rows[1 + row_number % (len(rows) - 1)] if kind == "retype" else rows[
        row_number % len(rows)
    ]
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
