"""National context: the party's statistics and the CPES, read beside the regional figures.

National coverage figures come under several definitions, because the denominator of the
party's own statistics changed: firms meeting the conditions for a party organization
(具备建立党组织条件) up to the 2012 data, all non-public enterprises from the 2014 data on;
other pages give above-scale firms, small private firms (SAIC) or a survey sample (CPES).
The ``national_definitions`` (and ``national_counts``) of the package's analysis settings
(:mod:`dangjian_analysis.package.settings`) name each definition once, with the indicator
and scope its national figures carry and the regional measures that share it.

- :func:`national_coverage` and :func:`national_counts` list the national figures with
  their role in a series: the party-statistics series (one figure per year, split where
  the definition changes), another page for the same year, or a figure of another kind.
- :func:`national_series_plot_table` turns either listing into the input of
  :func:`~dangjian_analysis.report.plots.series_with_breaks`.
- :func:`match_regional_coverage` places each region's coverage measure against the
  national figures of the same definition and reference year, with a plain-language note
  where there is none.

Selecting the main series follows a stated rule (see :func:`national_coverage`), never a
list of figure ids.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dangjian_analysis.analysis.formatting import format_interval, period_text
from dangjian_analysis.package.levels import NATIONAL_LEVEL, national_figures
from dangjian_analysis.package.settings import (
    AnalysisSettings,
    NationalDefinition,
)

if TYPE_CHECKING:
    import pandas as pd

    from dangjian_analysis.analysis.crosssection import RegionMeasure

__all__ = [
    "MATCH_COLUMNS",
    "ROLE_MAIN",
    "ROLE_OTHER_PAGE",
    "ROLE_REPEAT",
    "SERIES_LISTING_COLUMNS",
    "match_regional_coverage",
    "national_counts",
    "national_coverage",
    "national_implied_denominators",
    "national_series_plot_table",
    "national_sources",
]

#: Role of a figure in the main (party-statistics) series.
ROLE_MAIN = "series"
#: Role of a figure of a series definition that another page prints for the same year.
ROLE_OTHER_PAGE = "other page"
#: Role of a figure that repeats the main figure of its year (same value and bounds).
ROLE_REPEAT = "repeat"


#: Columns of :func:`national_coverage` and :func:`national_counts`.
SERIES_LISTING_COLUMNS: tuple[str, ...] = (
    "figure_id",
    "definition",
    "label",
    "short",
    "year",
    "period",
    "value",
    "lower",
    "upper",
    "unit_kind",
    "raw",
    "source_id",
    "role",
    "note",
)

#: Columns of :func:`match_regional_coverage`.
MATCH_COLUMNS: tuple[str, ...] = (
    "region_id",
    "measure",
    "scope",
    "period",
    "value",
    "lower",
    "upper",
    "inputs",
    "definition",
    "national_figure",
    "national_period",
    "national_value",
    "national_lower",
    "national_upper",
    "match",
    "note",
)

#: ``match`` values of :func:`match_regional_coverage`.
MATCH_SAME = "same definition and year"
MATCH_OTHER_YEARS = "same definition, no figure for these years"
MATCH_NO_DEFINITION = "no national figure with this definition"
MATCH_NOT_COVERAGE = "not a coverage rate"

#: Regional measures that are not a share of firms covered.
def _stated_date(row: Any) -> bool:
    """Tell whether the page states one reference date for the figure (a year end)."""
    return row.period_basis == "stated" and row.period_earliest == row.period_latest


def _same_numbers(a: Any, b: Any) -> bool:
    def same(x: float, y: float) -> bool:
        return (math.isnan(x) and math.isnan(y)) or x == y

    return same(a.value, b.value) and same(a.lower, b.lower) and same(a.upper, b.upper)


def _listing(figures: pd.DataFrame, definitions: Sequence[NationalDefinition]) -> pd.DataFrame:
    """List the national figures of ``definitions`` with their role (see national_coverage)."""
    import pandas as pd

    nat = national_figures(figures)
    nat = nat[nat["entity"].isna()]
    parts = []
    for order, d in enumerate(definitions):
        rows = nat[(nat["indicator"] == d.indicator) & (nat["scope"] == d.scope)]
        parts.append(rows.assign(def_order=order, def_key=d.key))
    pool = pd.concat(parts) if parts else nat.iloc[0:0]
    pool = pool.assign(ref_year=pool["period_latest"].dt.year)
    pool = pool.sort_values(["ref_year", "def_order", "figure_id"], kind="stable")
    by_key = {d.key: d for d in definitions}
    role: dict[str, str] = {}
    note: dict[str, str] = {}
    main_of_year: dict[int, Any] = {}
    previous_key: str | None = None
    for year in sorted(set(pool["ref_year"])):
        rows = [r for r in pool[pool["ref_year"] == year].itertuples() if by_key[r.def_key].series]
        stated = [r for r in rows if _stated_date(r)]
        if stated:
            # Prefer the definition of the previous main figure, then the lowest figure id.
            chosen = min(stated, key=lambda r: (r.def_key != previous_key, r.figure_id))
            main_of_year[year] = chosen
            previous_key = chosen.def_key
        main = main_of_year.get(year)
        for r in rows:
            if main is not None and r.figure_id == main.figure_id:
                role[r.figure_id] = ROLE_MAIN
            elif main is not None and r.def_key == main.def_key and _same_numbers(r, main):
                role[r.figure_id] = ROLE_REPEAT
                note[r.figure_id] = f"repeats {main.figure_id}"
            else:
                role[r.figure_id] = ROLE_OTHER_PAGE
                if main is None:
                    note[r.figure_id] = "no figure with a stated date this year"
                elif r.def_key == main.def_key:
                    note[r.figure_id] = f"differs from {main.figure_id} (same definition)"
                else:
                    note[r.figure_id] = f"another definition than {main.figure_id}"
    out = pd.DataFrame(
        {
            "figure_id": pool["figure_id"].astype("str"),
            "definition": pool["def_key"].astype("str"),
            "label": [by_key[k].label for k in pool["def_key"]],
            "short": [by_key[k].short for k in pool["def_key"]],
            "year": pool["ref_year"].astype("int64"),
            "period": [
                period_text(a, b)
                for a, b in zip(pool["period_earliest"], pool["period_latest"], strict=True)
            ],
            "value": pool["value"].astype("float64"),
            "lower": pool["lower"].astype("float64"),
            "upper": pool["upper"].astype("float64"),
            "unit_kind": pool["unit_kind"].astype("str"),
            "raw": pool["raw"].astype("str"),
            "source_id": pool["source_id"].astype("str"),
            "role": [
                role.get(f, by_key[k].short)
                for f, k in zip(pool["figure_id"], pool["def_key"], strict=True)
            ],
            "note": [note.get(f, "") for f in pool["figure_id"]],
        },
        columns=list(SERIES_LISTING_COLUMNS),
    )
    return out.reset_index(drop=True)


def national_coverage(
    figures: pd.DataFrame, *, settings: AnalysisSettings
) -> pd.DataFrame:
    """List the national coverage figures of each national definition, with their role.

    The definitions are the ``national_definitions`` of the package's analysis settings
    (``settings``).

    ``figures`` is the frame of ``load_figures()``. One row per figure, sorted by reference
    year (the year of ``period_latest``), definition order and figure id, with the columns
    :data:`SERIES_LISTING_COLUMNS`. ``role`` says how the figure is drawn:

    - ``series``: the party-statistics series, one figure per year. Candidates are the
      figures of the series definitions whose page states one reference date (a year end);
      when a year has several, the figure of the same definition as the previous year's is
      kept, then the lowest figure id. A year without such a figure has no series point.
    - ``repeat``: the same definition, value and bounds as that year's series figure.
    - ``other page``: another figure of a series definition in that year (a page that
      disagrees, an undated figure, or the other definition); ``note`` says which.
    - otherwise the short label of a definition outside the series (above-scale firms,
      SAIC's small private firms, the CPES survey).
    """
    return _listing(figures, settings.national_definitions)


def national_counts(
    figures: pd.DataFrame, *, settings: AnalysisSettings
) -> pd.DataFrame:
    """List the national counts, with roles as in national_coverage.

    The counts are the ``national_counts`` of the package's analysis settings
    (``settings``).

    The series is the count of non-public enterprises with a party organization, split
    where the rate printed with it changes definition; the party statistics' own totals
    of non-public enterprises and the counts of party organizations (in non-public
    enterprises, later in all enterprises) are listed as figures of other kinds.
    """
    return _listing(figures, settings.national_counts)


def national_series_plot_table(
    listing: pd.DataFrame, *, extra: pd.DataFrame | None = None, scale: float = 1.0
) -> pd.DataFrame:
    """Turn a listing of :func:`national_coverage` or :func:`national_counts` into plot input.

    Returns the columns of :data:`~dangjian_analysis.report.plots.SERIES_COLUMNS` plus ``kind``:
    series rows carry their definition as ``segment`` (so no line crosses a change of
    definition); other pages are drawn as points of kind ``"<short label> (other page)"``;
    repeats are left out (they would sit on their series point); figures of other
    definitions are points of their own kind. ``extra`` rows (e.g. implied denominators)
    must already have the plot columns and a ``kind``; they are appended. ``y``, ``lower``
    and ``upper`` are divided by ``scale`` (10,000 draws counts in 万).

    Raises:
        ValueError: when ``scale`` is not a positive number.

    """
    if not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    import pandas as pd

    rows = listing[listing["role"] != ROLE_REPEAT]
    is_main = rows["role"] == ROLE_MAIN
    kind = [
        "series" if main else (f"{short} (other page)" if role == ROLE_OTHER_PAGE else role)
        for main, role, short in zip(is_main, rows["role"], rows["short"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "x": rows["year"].astype("float64"),
            "y": rows["value"],
            "lower": rows["lower"],
            "upper": rows["upper"],
            "segment": [d if m else "" for d, m in zip(rows["definition"], is_main, strict=True)],
            "label": [s if m else "" for s, m in zip(rows["short"], is_main, strict=True)],
            "kind": kind,
        }
    )
    if extra is not None:
        table = pd.concat([table, extra[list(table.columns)]], ignore_index=True)
    for col in ("y", "lower", "upper"):
        table[col] = table[col] / scale
    # Figures of another kind printed on several pages would be drawn on top of each other.
    points = table["kind"] != "series"
    twice = table[points].duplicated(subset=["x", "y", "lower", "upper", "kind"])
    return table.drop(index=twice[twice].index).reset_index(drop=True)


def national_implied_denominators(
    figures: pd.DataFrame,
    *,
    series_only: bool = True,
    settings: AnalysisSettings,
) -> pd.DataFrame:
    """Implied numbers of enterprises behind the national coverage rates (count ÷ rate).

    Computed by :func:`~dangjian_analysis.analysis.derived.implied_denominators` on the national
    figures. With ``series_only`` (the default) only pairs of a series count and a series
    rate (see :func:`national_counts`, :func:`national_coverage`) are kept, so that pages
    repeating or rounding a figure do not add points. Columns: ``year``, ``scope``,
    ``period``, ``value``, ``lower``, ``upper``, ``inputs``, ``flags`` and, for
    :func:`national_series_plot_table`, ``x``, ``y``, ``segment``, ``label`` and ``kind``
    (``count ÷ rate: <definition>``). An open lower side (a "nearly" count) is NaN in
    ``lower``, as the plots expect; ``upper`` likewise.
    """
    import pandas as pd

    from dangjian_analysis.analysis.derived import derived_frame, implied_denominators

    nat = national_figures(figures)
    frame = derived_frame(implied_denominators(nat, settings=settings))
    if series_only:
        coverage = national_coverage(figures, settings=settings)
        counts = national_counts(figures, settings=settings)
        main = set(coverage.query("role == @ROLE_MAIN")["figure_id"])
        main |= set(counts.query("role == @ROLE_MAIN")["figure_id"])
        keep = [all(i in main for i in ids.split(";")) for ids in frame["inputs"]]
        frame = frame[keep]
    short = {d.scope: d.short for d in settings.national_definitions}
    lower = frame["lower"].where(~((frame["lower"] == 0) & (frame["value"] > 0)))
    upper = frame["upper"].where(~frame["upper"].isin([math.inf]))
    year = frame["period_latest"].str[:4].astype("int64")
    out = pd.DataFrame(
        {
            "year": year,
            "scope": frame["scope"],
            "period": frame["period_latest"],
            "value": frame["value"],
            "lower": lower,
            "upper": upper,
            "inputs": frame["inputs"],
            "flags": frame["flags"],
            "x": year.astype("float64"),
            "y": frame["value"],
            "segment": "",
            "label": "",
            "kind": [f"count ÷ rate: {short.get(sc, sc)}" for sc in frame["scope"]],
        }
    )
    return out.reset_index(drop=True)


def national_sources(sources: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """List the sources of the national figures: release date (or window), script, figures.

    Columns: ``source_id``, ``published`` (the stated date, else ``earliest to latest``),
    ``script``, ``figures`` and ``outlet``; in the order of ``sources.csv``.
    """
    import pandas as pd

    counts = national_figures(figures)["source_id"].value_counts()
    rows = sources[sources["source_id"].isin(counts.index)]

    def when(r: Any) -> str:
        if not pd.isna(r.published):
            return r.published.strftime("%Y-%m-%d")
        early = r.published_earliest.strftime("%Y-%m-%d")
        late = r.published_latest.strftime("%Y-%m-%d")
        return early if early == late else f"{early} to {late}"

    return pd.DataFrame(
        {
            "source_id": rows["source_id"].astype("str"),
            "published": [when(r) for r in rows.itertuples()],
            "script": rows["script"].astype("str"),
            "figures": [int(counts[s]) for s in rows["source_id"]],
            "outlet": rows["outlet"].astype("str"),
        }
    ).reset_index(drop=True)


def _years(period: str) -> tuple[int, int]:
    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", period)]
    if not years:
        raise ValueError(f"no year in period {period!r}")
    return min(years), max(years)


def _pct(value: float, lower: float, upper: float) -> str:

    lo = -math.inf if math.isnan(lower) else lower
    hi = math.inf if math.isnan(upper) else upper
    if lo == hi == value:
        return format_interval(value, value, value, "ratio")
    if hi == math.inf and lo == value:
        return "over " + format_interval(value, value, value, "ratio")
    if lo in (-math.inf, 0.0) and hi == value:
        return "nearly " + format_interval(value, value, value, "ratio")
    return format_interval(value, lo, hi, "ratio")


def _listed(rows: Iterable[Any], definitions: Sequence[NationalDefinition]) -> str:
    population = {d.key: d.population for d in definitions}
    return "; ".join(
        f"{_pct(r.value, r.lower, r.upper)} of {population[r.definition]}"
        f" ({r.period}, {r.figure_id})"
        for r in rows
    )


def match_regional_coverage(
    candidates: Iterable[RegionMeasure],
    figures: pd.DataFrame,
    regions: pd.DataFrame,
    scopes: pd.DataFrame,
    *,
    settings: AnalysisSettings,
) -> pd.DataFrame:
    """Place each region's coverage measure against the national figure of its definition.

    ``candidates`` are the regions' coverage measures
    (:func:`~dangjian_analysis.analysis.crosssection.coverage_candidates`); candidates of national
    regions are skipped. A national figure matches a regional measure when its definition
    lists the measure's ``(measure, scope)`` in :attr:`NationalDefinition.regional` and its
    reference years overlap the measure's period. One row per match (several when national
    pages disagree), or one row with the reason there is none, in the columns
    :data:`MATCH_COLUMNS`. ``match`` is one of: same definition and year; same definition,
    no figure for these years; no national figure with this definition; not a coverage
    rate (a coverage measure the settings mark ``share_of_firms: false``). ``note`` says it
    in plain language, naming the national figures of the same years (other populations)
    where the definition has no national counterpart. ``settings`` as in
    :func:`national_coverage`.
    """
    import pandas as pd

    national_regions = set(regions.loc[regions["level"] == NATIONAL_LEVEL, "region_id"])
    context = _MatchContext(
        listing=_national_listing(figures, settings),
        definitions=settings.national_definitions,
        labels=dict(zip(scopes["scope"], scopes["label_en"], strict=True)),
        settings=settings,
    )
    out: list[dict[str, Any]] = []
    for c in candidates:
        if c.region_id not in national_regions:
            out += _match_one(c, context)
    frame = pd.DataFrame(out, columns=list(MATCH_COLUMNS))
    for col in ("value", "lower", "upper", "national_value", "national_lower", "national_upper"):
        frame[col] = frame[col].astype("float64")
    return frame


@dataclass(frozen=True)
class _MatchContext:
    """What matching a regional measure needs: the national listing and the settings."""

    listing: pd.DataFrame
    definitions: Sequence[NationalDefinition]
    labels: Mapping[str, str]
    settings: AnalysisSettings


def _national_listing(figures: pd.DataFrame, settings: AnalysisSettings) -> pd.DataFrame:
    """National coverage figures without repeats, with their first and last reference year."""
    listing = national_coverage(figures, settings=settings)
    listing = listing[listing["role"] != ROLE_REPEAT]
    years = [_years(p) for p in listing["period"]]
    return listing.assign(
        first_year=[y[0] for y in years], last_year=[y[1] for y in years]
    )


def _base_row(c: RegionMeasure) -> dict[str, Any]:
    """Return the regional side of a match row, with the national side empty."""
    return {
        "region_id": c.region_id,
        "measure": c.measure,
        "scope": c.scope,
        "period": c.period,
        "value": c.interval.value,
        "lower": c.interval.lower,
        "upper": c.interval.upper,
        "inputs": ";".join(c.inputs),
        "definition": "",
        "national_figure": "",
        "national_period": "",
        "national_value": math.nan,
        "national_lower": math.nan,
        "national_upper": math.nan,
    }


def _match_one(c: RegionMeasure, context: _MatchContext) -> list[dict[str, Any]]:
    """Return the rows of one regional measure: one per national figure, or one reason."""
    base = _base_row(c)
    lo, hi = _years(c.period)
    years = str(lo) if lo == hi else f"{lo}–{hi}"
    listing = context.listing
    overlapping = list(
        listing[(listing["last_year"] >= lo) & (listing["first_year"] <= hi)].itertuples()
    )
    if c.measure in context.settings.not_shares_of_firms:
        return [{**base, "match": MATCH_NOT_COVERAGE, "note": _not_a_share_note(c, context)}]
    definition = {p: d for d in context.definitions for p in d.regional}.get((c.measure, c.scope))
    if definition is None:
        note = _no_definition_note(c, context, overlapping, years)
        return [{**base, "match": MATCH_NO_DEFINITION, "note": note}]
    same = [r for r in overlapping if r.definition == definition.key]
    if not same:
        note = _other_years_note(definition, context, years)
        return [{**base, "definition": definition.key, "match": MATCH_OTHER_YEARS, "note": note}]
    return [_same_definition_row(base, definition, r, lo, hi, years) for r in same]


def _not_a_share_note(c: RegionMeasure, context: _MatchContext) -> str:
    name = context.settings.coverage_measures[c.measure].split(" (")[0]
    return (
        f"{name.capitalize()} is not a share of firms with an organization: one organization "
        "can serve several firms. No national comparison."
    )


def _no_definition_note(
    c: RegionMeasure, context: _MatchContext, overlapping: Sequence[Any], years: str
) -> str:
    others = _listed(overlapping, context.definitions)
    return (
        f"No national figure shares this denominator "
        f"({context.labels.get(c.scope, c.scope).lower()}). "
        + (
            f"National figures for {years} are about other populations: {others}."
            if others
            else f"There is no national coverage figure for {years}."
        )
    )


def _other_years_note(definition: NationalDefinition, context: _MatchContext, years: str) -> str:
    listing = context.listing
    all_years = listing[listing["definition"] == definition.key]
    return (
        f"Same definition as the national {definition.label}, but no national figure for "
        f"{years}"
        + (
            f"; the national figures with this definition are: "
            f"{_listed(all_years.itertuples(), context.definitions)}."
            if len(all_years)
            else "; there is no national figure with this definition."
        )
    )


def _same_definition_row(
    base: dict[str, Any], definition: NationalDefinition, r: Any, lo: int, hi: int, years: str
) -> dict[str, Any]:
    note = ""
    if lo != hi:
        note = f"The regional period spans {years}; the national figure is for {r.period}."
    if r.role == ROLE_OTHER_PAGE:
        note = (note + " " if note else "") + f"National pages disagree: {r.note}."
    return {
        **base,
        "definition": definition.key,
        "national_figure": r.figure_id,
        "national_period": r.period,
        "national_value": r.value,
        "national_lower": r.lower,
        "national_upper": r.upper,
        "match": MATCH_SAME,
        "note": note,
    }
