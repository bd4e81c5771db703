"""Numbers, words and tables for readers who do not read code.

The analysis frames speak in codes (``nonpublic_enterprises_above_scale``, ``ab-009``) and
carry every digit; a brief speaks in words and rounds for reading. This module turns one
into the other:

* numbers and periods in words come from the one formatter,
  :mod:`dangjian_analysis.analysis.formatting` (``reader_number``, ``reader_interval``,
  ``period_words``).
* :class:`Vocabulary` names regions, populations (scopes), indicators and derived measures
  in words.
* :class:`ReaderTable` shows a table as HTML (a pandas Styler with a fixed id, so the same
  rows always give the same HTML) with the codes and figure ids of its rows kept in a
  collapsed "data" block underneath; as plain text it prints the same words.
* :func:`figures_table`, :func:`derived_table`, :func:`candidates_table` and
  :func:`cross_section_table` build reader tables from the package's own frames;
  :func:`source_names` names the sources of some figures for the foot of a chart.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dangjian_analysis.analysis.formatting import period_words, reader_interval

if TYPE_CHECKING:
    import pandas as pd

    from dangjian_analysis.package.settings import AnalysisSettings

__all__ = [
    "CODES_BLOCK_CLASS",
    "DATA_SUMMARY",
    "ReaderTable",
    "Vocabulary",
    "benchmark_table",
    "candidates_table",
    "caveat_words",
    "comparability_table",
    "cross_section_table",
    "derived_table",
    "figures_table",
    "left_out_notes",
    "power_tables",
    "reader_table",
    "source_names",
    "vocabulary",
]

#: Summary line of the collapsed block that keeps a table's codes and figure ids.
DATA_SUMMARY = "Data: codes and figure ids of these rows"
#: Class of that block: the briefs leave it out (codes and ids stay in the data download).
CODES_BLOCK_CLASS = "brief-data table-codes"

# --- words for codes -------------------------------------------------------------------

_CUMULATIVE = re.compile(r"cumulative count: [a-z]{2,4}-\d+ \(([^)]*)\)")
_CONFLICT = re.compile(r"conflicting inputs: [a-z]{2,4}-\d+ vs [a-z]{2,4}-\d+")
_PERIODS = re.compile(r"periods differ: (.+)")


def caveat_words(flags: str) -> str:
    """Turn the ``flags`` of a derived value into caveats without figure ids.

    ``cumulative count: ab-010 (先后)`` becomes ``a running total (先后)``; ``conflicting
    inputs: ab-008 vs ab-034`` becomes ``the report prints another figure for the same
    count``; ``periods differ: 2015-10-26 / 2014-12-31`` becomes ``inputs of different
    dates (2015-10-26; 2014-12-31)``. Repeated caveats are given once.
    """
    out: list[str] = []
    for part in (p.strip() for p in str(flags or "").split(";")):
        if not part:
            continue
        if match := _CUMULATIVE.fullmatch(part):
            text = f"a running total ({match.group(1)})"
        elif _CONFLICT.fullmatch(part):
            text = "the report prints another figure for the same count"
        elif match := _PERIODS.fullmatch(part):
            text = f"inputs of different dates ({match.group(1).replace(' / ', '; ')})"
        else:
            text = part
        if text not in out:
            out.append(text)
    return "; ".join(out)


@dataclass(frozen=True)
class Vocabulary:
    """Words for the codes of a data package: regions, scopes, indicators and measures."""

    regions: Mapping[str, str] = field(default_factory=dict)
    scopes: Mapping[str, str] = field(default_factory=dict)
    indicators: Mapping[str, str] = field(default_factory=dict)
    measures: Mapping[str, str] = field(default_factory=dict)
    #: Derived ratios that are not shares (organizations per enterprise): read "per 100",
    #: never as a percentage of anything.
    per_hundred: frozenset[str] = frozenset()
    #: Words for the other codes of the analysis settings (outcomes and their measures,
    #: benchmark measures), used when no region, scope, indicator or measure has the code.
    others: Mapping[str, str] = field(default_factory=dict)

    def region(self, code: str) -> str:
        """``通城县 Tongcheng County`` for ``tongcheng`` (the code itself when unknown)."""
        return self.regions.get(code, code)

    def scope(self, code: str) -> str:
        """Name the population of a scope, e.g. ``Above-designated-size non-public enterprises``.

        Two scopes joined by `` / `` (a ratio of counts of two populations) are named each.
        """
        if " / " in code:
            return " / ".join(self.scope(part.strip()) for part in code.split(" / "))
        return self.scopes.get(code, code)

    def measure(self, code: str) -> str:
        """Name an indicator or derived measure; ``…_cagr`` reads as compound growth."""
        if code in self.measures:
            return self.measures[code]
        if code in self.indicators:
            return self.indicators[code]
        if code in self.others:
            return self.others[code]
        if code.endswith("_cagr"):
            base = code.removesuffix("_cagr")
            return f"{self.measure(base)}: compound annual growth"
        return code

    def value(
        self, measure: str, value: float, lower: float, upper: float, unit_kind: str
    ) -> str:
        """Say a measure's value or range in words.

        ``72.5%`` for a share; ``6.86 per 100`` for a ratio that is not a share
        (organizations per enterprise), never a percentage of anything.
        """
        text = reader_interval(value, lower, upper, unit_kind)
        return _per_hundred(text) if measure in self.per_hundred else text

    def words(self, text: str) -> str:
        """Replace every known code in ``text`` by its words."""
        names = {**self.others, **self.regions, **self.scopes, **self.indicators, **self.measures}

        def name(match: re.Match[str]) -> str:
            code = match.group(0)
            return self.measure(code) if code.endswith("_cagr") else names.get(code, code)

        return re.sub(r"(?<![\w-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])", name, text)


def vocabulary(
    regions: pd.DataFrame | None = None,
    scopes: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    *,
    settings: AnalysisSettings | None = None,
) -> Vocabulary:
    """Build a :class:`Vocabulary` from the package's regions, scopes and indicators.

    Derived measures (ratios such as ``members_per_org``) are named from the ratio measures
    of the package's analysis settings (``settings``; without them derived measures keep
    their codes). The national region (level ``national``) is marked as such.
    """
    from dangjian_analysis.package.levels import NATIONAL_LEVEL

    region_names: dict[str, str] = {}
    if regions is not None:
        for row in regions.itertuples(index=False):
            zh, en = str(row.name_zh or ""), str(row.name_en or "")
            if row.level == NATIONAL_LEVEL:
                region_names[row.region_id] = f"{zh} {en} (national)".strip()
            else:
                region_names[row.region_id] = f"{zh} {en}".strip()
    scope_names = (
        dict(zip(scopes["scope"], scopes["label_en"], strict=True)) if scopes is not None else {}
    )
    indicator_names = (
        dict(zip(indicators["indicator"], indicators["label_en"], strict=True))
        if indicators is not None
        else {}
    )
    ratios = settings.ratio_measures if settings is not None else ()
    measures = {m.name: m.label_en.replace(" (yuan)", "") for m in ratios}
    per_hundred = frozenset(m.name for m in ratios if m.unit_kind == "ratio" and not m.share)
    others: dict[str, str] = {}
    if settings is not None:
        for family in (settings.outcomes, settings.benchmark_measures):
            for outcome, labels in family.items():
                others.setdefault(outcome, outcome.replace("_", " "))
                for measure, label in labels.items():
                    others.setdefault(measure, label)
    return Vocabulary(region_names, scope_names, indicator_names, measures, per_hundred, others)


# --- tables ------------------------------------------------------------------------------


def _per_hundred(text: str) -> str:
    """Read a ratio that is not a share per 100 units: ``0.0686%`` becomes ``0.0686 per 100``."""
    return re.sub(r"(\d)%", r"\1", text) + " per 100" if "%" in text else text


def _uuid(*parts: str) -> str:
    """Derive a short id from the table's content: the same rows give the same HTML."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"dj{digest[:10]}"


@dataclass(frozen=True, eq=False)
class ReaderTable:
    """A table for readers: words and rounded numbers, codes kept apart.

    Attributes:
        table: the rows as shown (text cells).
        caption: one line saying what the table shows.
        codes: the same rows with their codes and figure ids (shown collapsed under the
            table in HTML, left out of the plain text), or None.
        notes: short notes printed under the table.
        numeric: columns aligned right (numbers).

    """

    table: pd.DataFrame
    caption: str = ""
    codes: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()

    def __str__(self) -> str:
        """Plain text: the caption, the rows without index, then the notes."""
        lines = [self.caption] if self.caption else []
        lines.append(self.table.to_string(index=False))
        lines.extend(self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def to_html(self) -> str:
        """Render the table as HTML.

        A ``<figure class="reader-table">`` holds a scrollable box with the table, the
        notes, and a collapsed ``<details class="brief-data table-codes">`` with the codes
        (shown in JupyterLab; the briefs leave it out).
        """
        table = self.table
        uuid = _uuid(self.caption, table.to_csv(index=False))
        styler = (
            table.style.hide(axis="index")
            .format(escape="html", na_rep="")
            .format_index(escape="html", axis=1)
            .set_uuid(uuid)
            .set_table_attributes('class="reader-table-grid"')
        )
        styles = [
            {"selector": f"td.col{table.columns.get_loc(c)}", "props": "text-align: right;"}
            for c in self.numeric
            if c in table.columns
        ]
        styles += [
            {"selector": f"th.col{table.columns.get_loc(c)}", "props": "text-align: right;"}
            for c in self.numeric
            if c in table.columns
        ]
        if styles:
            styler = styler.set_table_styles(styles)
        if self.caption:
            styler = styler.set_caption(html.escape(self.caption))
        # Each cell names its column (data-label), so that a narrow screen can show the rows
        # as stacked cards instead of a table wider than the screen.
        labels = [html.escape(str(c), quote=True) for c in table.columns]
        grid = re.sub(
            r'(class="data row\d+ col(\d+)" )>',
            lambda m: f'{m.group(1)}data-label="{labels[int(m.group(2))]}">',
            styler.to_html(),
        )
        parts = [
            '<figure class="reader-table">',
            f'<div class="reader-table-box">{grid}</div>',
        ]
        if self.notes:
            notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            parts.append(f'<ul class="reader-table-notes">{notes}</ul>')
        if self.codes is not None and not self.codes.empty:
            codes = self.codes.to_html(index=False, border=0, na_rep="", classes="codes-table")
            parts.append(
                f'<details class="{CODES_BLOCK_CLASS}">'
                f"<summary>{html.escape(DATA_SUMMARY)}</summary>"
                f'<div class="reader-table-box">{codes}</div></details>'
            )
        parts.append("</figure>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def reader_table(
    table: pd.DataFrame,
    *,
    caption: str = "",
    codes: pd.DataFrame | None = None,
    notes: Iterable[str] = (),
    numeric: Iterable[str] = (),
) -> ReaderTable:
    """Wrap a frame of words as a :class:`ReaderTable` (cells are shown as text).

    Args:
        table: the rows to show; every cell is shown as its text.
        caption: what the table shows, in one line.
        codes: the same rows with their codes and figure ids, shown collapsed under the
            table in a brief.
        notes: notes printed under the table.
        numeric: columns to align right.

    """
    shown = table.reset_index(drop=True).astype("str").replace({"nan": "", "<NA>": ""})
    kept = None if codes is None else codes.reset_index(drop=True)
    shown, moved = _long_repeats_as_notes(shown)
    return ReaderTable(shown, caption, kept, (*notes, *moved), tuple(numeric))


#: A cell text at least this long, repeated in at least :data:`_REPEATS` rows, is said
#: once under the table instead of in every row.
_LONG_TEXT = 120
_REPEATS = 3


def _long_repeats_as_notes(shown: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Replace long texts repeated down a column by ``see note A`` and return the notes."""
    notes: list[str] = []
    for column in shown.columns:
        counts = shown[column].value_counts()
        for text, count in counts.items():
            if count >= _REPEATS and len(str(text)) >= _LONG_TEXT and len(notes) < 26:
                letter = chr(ord("A") + len(notes))
                shown[column] = shown[column].where(shown[column] != text, f"see note {letter}")
                notes.append(f"Note {letter}: {text}")
    return shown, notes


def _dates(early: Any, late: Any) -> str:
    """Say a reference period from two dates: ``2012``, ``2013–2014`` or ``2015-10-26``."""
    first, last = str(early)[:10], str(late)[:10]
    if first == last:
        return first[:4] if first.endswith("-12-31") or first.endswith("-01-01") else first
    if first[:4] == last[:4]:
        return first[:4]
    return f"{first[:4]}–{last[:4]}"


def figures_table(
    figures: pd.DataFrame, words: Vocabulary, *, caption: str = "", notes: Iterable[str] = ()
) -> ReaderTable:
    """Show figures as printed, one per row.

    Columns: region, what, population, as printed, reads as, period. Takes rows of
    ``load_figures()``; the ids and codes go to the data block.
    """
    rows = figures.reset_index(drop=True)
    full = "value" in rows.columns
    shown = {
        "Region": [words.region(r) for r in rows["region_id"]],
        "What": [words.measure(i) for i in rows["indicator"]],
        "Population": [words.scope(s) for s in rows["scope"]],
        "As printed": list(rows["raw"]),
    }
    if full:
        shown["Reads as"] = [
            reader_interval(v, lo, hi, k, qualifier=q if q != "exact" else None)
            for v, lo, hi, k, q in zip(
                rows["value"], rows["lower"], rows["upper"], rows["unit_kind"],
                rows["qualifier"], strict=True,
            )
        ]
    if "period_kind" in rows.columns:
        shown["Period"] = [
            period_words(k, e, la)
            for k, e, la in zip(
                rows["period_kind"], rows["period_earliest"], rows["period_latest"], strict=True
            )
        ]
    elif "period" in rows.columns:
        shown["Period"] = list(rows["period"])
    import pandas as pd

    codes = rows[[c for c in ("figure_id", "region_id", "indicator", "scope") if c in rows]]
    return reader_table(
        pd.DataFrame(shown), caption=caption, codes=codes, notes=notes, numeric=("Reads as",)
    )


def derived_table(
    derived: pd.DataFrame,
    words: Vocabulary,
    *,
    caption: str = "",
    notes: Iterable[str] = (),
    caveats: bool = True,
) -> ReaderTable:
    """Show derived values (a :func:`derived_frame`) in words.

    Columns: region, measure, value, population and (optionally) caveats; the inputs and
    codes go to the data block.
    """
    import pandas as pd

    rows = derived.reset_index(drop=True)
    shown = pd.DataFrame(
        {
            "Region": [words.region(r) for r in rows["region_id"]],
            "Measure": [words.measure(m) for m in rows["measure"]],
            "Value": [
                words.value(m, v, lo, hi, k)
                for v, lo, hi, k, m in zip(
                    rows["value"],
                    rows["lower"],
                    rows["upper"],
                    rows["unit_kind"],
                    rows["measure"],
                    strict=True,
                )
            ],
            "Population": [words.scope(s) for s in rows["scope"]],
        }
    )
    if caveats:
        shown["Caveats"] = [words.words(caveat_words(f)) for f in rows["flags"]]
    codes = rows[["region_id", "measure", "scope", "inputs"]]
    return reader_table(shown, caption=caption, codes=codes, notes=notes, numeric=("Value",))


def candidates_table(
    candidates: pd.DataFrame,
    words: Vocabulary,
    *,
    caption: str = "",
    notes: Iterable[str] = (),
    unit_kind: str = "ratio",
) -> ReaderTable:
    """Show coverage (or outcome) candidates (a :func:`candidate_frame`) in words.

    Columns: region, definition, population, value and period; the figure ids and codes go
    to the data block.
    """
    import pandas as pd

    rows = candidates.reset_index(drop=True)
    shown = pd.DataFrame(
        {
            "Region": [words.region(r) for r in rows["region_id"]],
            "Definition": list(rows["definition"]),
            "Population": [words.scope(s) for s in rows["scope"]],
            "Value": [
                reader_interval(v, lo, hi, unit_kind)
                for v, lo, hi in zip(rows["value"], rows["lower"], rows["upper"], strict=True)
            ],
            "Period": list(rows["period"]),
        }
    )
    codes = rows[["region_id", "measure", "scope", "inputs"]]
    return reader_table(shown, caption=caption, codes=codes, notes=notes, numeric=("Value",))


def cross_section_table(
    cross: pd.DataFrame, words: Vocabulary, *, caption: str = "", notes: Iterable[str] = ()
) -> ReaderTable:
    """Show coverage–outcome pairs (a :func:`cross_section`) in words.

    Columns: region, pair, coverage and its definition, outcome and its definition, span;
    the figure ids and codes go to the data block.
    """
    import pandas as pd

    rows = cross.reset_index(drop=True)
    kind = "growth_rate" if cross.attrs.get("outcome", "").endswith("growth") else "ratio"
    shown = pd.DataFrame(
        {
            "Region": [words.region(r) for r in rows["region_id"]],
            "Pair": [str(p) for p in rows["pair"]],
            "Coverage": [
                reader_interval(v, lo, hi, "ratio")
                for v, lo, hi in zip(
                    rows["coverage_value"], rows["coverage_lower"], rows["coverage_upper"],
                    strict=True,
                )
            ],
            "Coverage definition": list(rows["coverage_definition"]),
            "Outcome": [
                reader_interval(v, lo, hi, kind)
                for v, lo, hi in zip(
                    rows["outcome_value"], rows["outcome_lower"], rows["outcome_upper"],
                    strict=True,
                )
            ],
            "Outcome definition": list(rows["outcome_definition"]),
            "Span (years)": [str(s) for s in rows["outcome_span"]],
        }
    )
    code_columns = [
        c for c in ("region_id", "pair", "coverage_scope", "outcome_scope", "inputs") if c in rows
    ]
    return reader_table(
        shown,
        caption=caption,
        codes=rows[code_columns],
        notes=notes,
        numeric=("Coverage", "Outcome", "Span (years)"),
    )


# --- the analysis's own tables, in words -------------------------------------------------

_NO_MEASURE = re.compile(r"no ([a-z][a-z0-9_]*) measure(?P<forecast> \(only forecasts\b.*\))?")
_NEAREST = re.compile(r"nearest [a-z]{2,4}-\d+ has")


def left_out_notes(missing: Mapping[str, str], words: Vocabulary) -> list[str]:
    """Say which regions a cross-section left out and why, one note per reason.

    ``missing`` is a cross-section's ``attrs["missing"]`` (region code: reason).
    ``no output_growth measure`` reads ``Left out, no figure of output growth: <regions>``;
    a region with only forecasts is said apart.
    """
    reasons: dict[str, list[str]] = {}
    for region, reason in missing.items():
        match = _NO_MEASURE.fullmatch(str(reason))
        if match and match.group("forecast"):
            text = f"only a forecast of {words.measure(match.group(1))} (expected, not a result)"
        elif match:
            text = f"no figure of {words.measure(match.group(1))}"
        else:
            text = words.words(str(reason))
        reasons.setdefault(text, []).append(words.region(region))
    return [f"Left out, {text}: {', '.join(names)}." for text, names in reasons.items()]


def comparability_table(
    summary: pd.DataFrame, words: Vocabulary, *, caption: str = "", notes: Iterable[str] = ()
) -> ReaderTable:
    """Show a :func:`comparability_summary` in words: each dimension, whether pairs differ.

    Columns: what is compared, whether the pairs differ on it (yes or no) and the values
    they take, populations and measures named in words.
    """
    import pandas as pd

    rows = summary.reset_index(drop=True)
    shown = pd.DataFrame(
        {
            "What": [str(d)[:1].upper() + str(d)[1:] for d in rows["dimension"]],
            "Differs between pairs": ["yes" if bool(d) else "no" for d in rows["differs"]],
            "Values": [
                "; ".join(
                    words.scope(v) if v in words.scopes else words.words(v)
                    for v in str(values).split(" | ")
                )
                for values in rows["values"]
            ],
        }
    )
    return reader_table(shown, caption=caption, codes=rows, notes=notes)


def _benchmark_words(note: str, words: Vocabulary) -> str:
    """Say a benchmark note without figure ids, its codes in words."""
    return words.words(_NEAREST.sub("the nearest figure has", str(note)))


def benchmark_table(
    bench: pd.DataFrame, words: Vocabulary, *, caption: str = "", notes: Iterable[str] = ()
) -> ReaderTable:
    """Show each region's outcome against its benchmark (a :func:`province_benchmarks`).

    Columns: region, its outcome, the period, the price basis (when known), the benchmark
    (or why there is none comparable) and the difference in percentage points.
    """
    import pandas as pd

    from dangjian_analysis.analysis.formatting import format_interval

    rows = bench.reset_index(drop=True)
    kind = "growth_rate" if str(bench.attrs.get("outcome", "")).endswith("growth") else "ratio"
    benchmark, difference = [], []
    for row in rows.to_dict("records"):
        if row.get("comparable"):
            value = reader_interval(
                row["benchmark_value"], row["benchmark_lower"], row["benchmark_upper"], kind
            )
            benchmark.append(f"{row['benchmark_name']}: {value} ({row['benchmark_period']})")
            difference.append(
                format_interval(
                    row["difference_value"], row["difference_lower"], row["difference_upper"],
                    "percentage_points", digits=3,
                ).replace(" pp", " points")
            )
        else:
            benchmark.append(_benchmark_words(row["note"], words))
            difference.append("not computed")
    shown = {
        "Region": [words.region(r) for r in rows["region_id"]],
        "Outcome": [
            reader_interval(v, lo, hi, kind)
            for v, lo, hi in zip(
                rows["outcome_value"], rows["outcome_lower"], rows["outcome_upper"], strict=True
            )
        ],
        "Period": list(rows["outcome_period"]),
    }
    if "outcome_price_basis" in rows.columns and rows["outcome_price_basis"].fillna("").astype(
        "str"
    ).str.strip().ne("").any():
        shown["Prices"] = list(rows["outcome_price_basis"])
    shown["Benchmark"] = benchmark
    shown["Difference"] = difference
    codes = rows[[c for c in ("region_id", "outcome_measure", "benchmark_region_id", "note")
                  if c in rows.columns]]
    return reader_table(
        pd.DataFrame(shown), caption=caption, codes=codes, notes=notes,
        numeric=("Outcome", "Difference"),
    )


def _p_words(text: str) -> str:
    """Write a p-value for reading: ``below 0.001`` for ``5.51e-07``; other text as it is."""
    try:
        p = float(text)
    except ValueError:
        return str(text)
    return "below 0.001" if p < 0.001 else f"{p:.3g}"


_SIGNIFICANT_FROM = re.compile(r"significant from \|(\w+)\| ≥ ([0-9.]+)")
_STATISTIC_NAMES = {"spearman": "Spearman's rho", "kendall": "Kendall's tau"}


def _note_words(note: str) -> str:
    """``significant from |spearman| ≥ 0.648`` as words (other notes are words already)."""
    match = _SIGNIFICANT_FROM.fullmatch(note.strip())
    if match is None:
        return note
    name = _STATISTIC_NAMES.get(match.group(1), match.group(1))
    return f"significant when {name} is {match.group(2)} or more, either way"


def power_tables(
    needed: pd.DataFrame, detectable: pd.DataFrame, *, alpha: float = 0.05, power: float = 0.8
) -> tuple[ReaderTable, ReaderTable]:
    """Show the two frames of :func:`power_table` as reader tables.

    The first says how many regions the exact rank test needs to detect each correlation,
    the second what each number of regions can detect; "none" reads as no correlation up to
    0.99 being detected.
    """
    share = f"{power:.0%}"
    regions = needed.rename(
        columns={
            "r": "True correlation",
            "regions_needed": "Regions the exact rank test needs",
            "fisher_z_pearson": "Fisher z approximation (Pearson)",
        }
    ).replace({"none": "more than any number tried"})
    sizes = detectable.assign(
        smallest_exact_p=[_p_words(p) for p in detectable["smallest_exact_p"]],
        fisher_z_pearson=[
            str(z) if str(z).strip() else "not defined for 3 regions or fewer"
            for z in detectable["fisher_z_pearson"]
        ],
        note=[_note_words(str(n)) for n in detectable["note"]],
        min_detectable_r=[
            "none up to 0.99" if r == "none" else r for r in detectable["min_detectable_r"]
        ],
    ).rename(
        columns={
            "n": "Regions",
            "min_detectable_r": f"Smallest correlation detected with {share} power",
            "fisher_z_pearson": "Fisher z approximation (Pearson)",
            "smallest_exact_p": "Smallest possible p-value",
            "note": "Note",
        }
    )
    return (
        reader_table(
            regions,
            caption=f"Regions needed to detect a correlation with {share} power "
            f"(two-sided, α = {alpha:g})",
            numeric=regions.columns[:3],
        ),
        reader_table(
            sizes,
            caption=f"What a given number of regions can detect with {share} power",
            numeric=sizes.columns[:4],
        ),
    )


# --- sources by name ---------------------------------------------------------------------

_OUTLET_CUT = re.compile(r"\s*(?:[;,]|\(mirror|, from|, citing).*$")


def _source_name(row: Mapping[str, Any]) -> str:
    """Name a source briefly: its outlet (else its English title) and its year(s)."""
    outlet = str(row.get("outlet") or "").strip()
    if outlet and outlet.lower() != "nan":
        name = _OUTLET_CUT.sub("", outlet).strip()
    else:
        title = str(row.get("title_en") or row.get("title_zh") or row.get("source_id"))
        name = title.split(":")[0].strip()
        if len(name) > 60:
            name = name[:57].rstrip() + "…"
    published = row.get("published")
    if published is not None and str(published) not in ("", "NaT", "nan", "None"):
        years = str(published)[:4]
    else:
        first = str(row.get("published_earliest") or "")[:4]
        last = str(row.get("published_latest") or "")[:4]
        years = first if first == last else f"{first}–{last}"
    return f"{name}, {years}" if years.strip("–") else name


def source_names(
    figure_ids: Iterable[str], figures: pd.DataFrame, sources: pd.DataFrame
) -> list[str]:
    """Name the sources of some figures, once each, in the order of ``sources``.

    ``figure_ids`` may also hold strings of several ids (``"ab-008;ab-001"``, as in the
    ``inputs`` of derived values). Each name is the source's outlet (or its English title
    when the outlet is not known) and its year of publication, for the foot of a chart.
    """
    wanted: set[str] = set()
    for text in figure_ids:
        wanted.update(re.findall(r"[a-z]{2,4}-\d{3,}", str(text)))
    source_of = dict(zip(figures["figure_id"], figures["source_id"], strict=True))
    used = {source_of[f] for f in wanted if f in source_of}
    return [
        _source_name(row)
        for row in sources.to_dict("records")
        if row["source_id"] in used
    ]
