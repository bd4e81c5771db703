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
    "DATA_SUMMARY",
    "ReaderTable",
    "Vocabulary",
    "candidates_table",
    "caveat_words",
    "cross_section_table",
    "derived_table",
    "figures_table",
    "reader_table",
    "source_names",
    "vocabulary",
]

#: Summary line of the collapsed block that keeps a table's codes and figure ids.
DATA_SUMMARY = "Data: codes and figure ids of these rows"

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

    def region(self, code: str) -> str:
        """``通城县 Tongcheng County`` for ``tongcheng`` (the code itself when unknown)."""
        return self.regions.get(code, code)

    def scope(self, code: str) -> str:
        """Name the population of a scope, e.g. ``Above-designated-size non-public enterprises``."""
        return self.scopes.get(code, code)

    def measure(self, code: str) -> str:
        """Name an indicator or derived measure; ``…_cagr`` reads as compound growth."""
        if code in self.measures:
            return self.measures[code]
        if code in self.indicators:
            return self.indicators[code]
        if code.endswith("_cagr"):
            base = code.removesuffix("_cagr")
            return f"{self.measure(base)}: compound annual growth"
        return code

    def words(self, text: str) -> str:
        """Replace every known code in ``text`` by its words."""
        names = {**self.regions, **self.scopes, **self.indicators, **self.measures}

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
    return Vocabulary(region_names, scope_names, indicator_names, measures)


# --- tables ------------------------------------------------------------------------------


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
        notes, and a collapsed ``<details class="brief-data">`` with the codes.
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
                f'<details class="brief-data"><summary>{html.escape(DATA_SUMMARY)}</summary>'
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
    return ReaderTable(shown, caption, kept, tuple(notes), tuple(numeric))


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
                reader_interval(v, lo, hi, k)
                for v, lo, hi, k in zip(
                    rows["value"], rows["lower"], rows["upper"], rows["unit_kind"], strict=True
                )
            ],
            "Population": [words.scope(s) for s in rows["scope"]],
        }
    )
    if caveats:
        shown["Caveats"] = [caveat_words(f) for f in rows["flags"]]
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
