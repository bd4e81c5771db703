"""Derived indicators: ratios, per-enterprise values and growth, interval-aware and traceable.

Every derived value is computed from the interval endpoints of its inputs (see
:mod:`dangjian_analysis.analysis.intervals`), records the figure ids it came from and the formula,
and carries comparability flags where its inputs differ in scope or reference period.

The national context (regions of level ``national``) is left out of ratios and growth
rates unless asked for (``include_national=True``): these functions compare sub-national
regions. :func:`implied_denominators` uses every region.

Pairing rules for a ratio, within one region (figures about a single named enterprise
are never used):

- numerator and denominator have the same scope; on request (``allow_nested_scopes``)
  also scopes nested in one another along ``scopes.broader_scope``, always flagged
  (``scopes differ``), because a numerator about a narrower or wider population than its
  denominator biases the ratio;
- a numerator is paired with the denominators whose reference period overlaps its own;
  when none does, with the nearest in time, flagged (``periods differ``);
- printed repeats (same indicator, scope, period and bounds) count once, under the first
  figure id; figures that contradict each other (``see_also`` with another value) each give
  their own derived value, flagged ``conflicting inputs``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from dangjian_analysis.analysis.formatting import period_text
from dangjian_analysis.analysis.intervals import (
    PRINTED_STEP_ASSUMPTION,
    Interval,
    compound_growth,
    elapsed_years,
    interval_from_figure,
    ratio,
)
from dangjian_analysis.package.levels import regional_figures
from dangjian_analysis.package.settings import (
    GROWTH_SUFFIXES,
    AnalysisSettings,
    RatioMeasure,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DERIVED_COLUMNS",
    "Derived",
    "compound_growth_rates",
    "derived_frame",
    "derived_ratios",
    "figure_records",
    "implied_denominators",
    "measure_values",
    "reported_growth_rates",
    "scope_chain",
    "usable_figures",
]


#: Period words that mark a running total (firms introduced, organizations set up so far).
_CUMULATIVE_WORDS = ("累计", "先后")

#: Columns of :func:`derived_frame`, in order.
DERIVED_COLUMNS: tuple[str, ...] = (
    "region_id",
    "measure",
    "value",
    "lower",
    "upper",
    "exact",
    "unit_kind",
    "scope",
    "period_earliest",
    "period_latest",
    "span_years",
    "inputs",
    "formula",
    "flags",
    "assumptions",
)


@dataclass(frozen=True)
class Derived:
    """One derived value with everything needed to trace and qualify it."""

    region_id: str
    measure: str
    interval: Interval
    unit_kind: str
    scope: str
    period_earliest: str
    period_latest: str
    inputs: tuple[str, ...]
    formula: str
    span_years: Interval | None = None
    flags: tuple[str, ...] = field(default_factory=tuple)
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def as_row(self) -> dict[str, Any]:
        """Return the value as a flat dict with the keys of :data:`DERIVED_COLUMNS`."""
        span = self.span_years
        return {
            "region_id": self.region_id,
            "measure": self.measure,
            "value": self.interval.value,
            "lower": self.interval.lower,
            "upper": self.interval.upper,
            "exact": self.interval.is_exact,
            "unit_kind": self.unit_kind,
            "scope": self.scope,
            "period_earliest": self.period_earliest,
            "period_latest": self.period_latest,
            "span_years": "" if span is None else _span_text(span),
            "inputs": ";".join(self.inputs),
            "formula": self.formula,
            "flags": "; ".join(self.flags),
            "assumptions": "; ".join(self.assumptions),
        }


def _span_text(span: Interval) -> str:
    if span.is_exact:
        return f"{span.value:.3g}"
    return f"{span.lower:.3g}–{span.upper:.3g}"


def scope_chain(scopes: pd.DataFrame, scope: str) -> list[str]:
    """Return the scope and every broader scope above it, narrowest first.

    Raises:
        ValueError: on an unknown scope code or a cycle in ``broader_scope``.

    """
    broader = _broader_map(scopes)
    if scope not in broader:
        raise ValueError(f"unknown scope {scope!r}")
    chain = [scope]
    while broader.get(chain[-1]):
        nxt = broader[chain[-1]]
        if nxt in chain:
            raise ValueError(f"cycle in broader_scope: {' -> '.join([*chain, nxt])}")
        chain.append(nxt)
    return chain


def _broader_map(scopes: pd.DataFrame) -> dict[str, str]:
    if "broader_scope" not in scopes.columns:
        return {s: "" for s in scopes["scope"]}
    return {
        s: ("" if not isinstance(b, str) else b)
        for s, b in zip(scopes["scope"], scopes["broader_scope"], strict=True)
    }


def _nested(scopes: pd.DataFrame, a: str, b: str) -> bool:
    return a == b or b in scope_chain(scopes, a) or a in scope_chain(scopes, b)


def usable_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Region-wide figures with printed repeats collapsed onto the first figure id."""
    frame = figures[figures["entity"].isna()].sort_values("figure_id", kind="stable")
    key = [
        "region_id",
        "indicator",
        "scope",
        "period_earliest",
        "period_latest",
        "value",
        "lower",
        "upper",
    ]
    return frame.loc[~frame.duplicated(subset=key, keep="first")]  # NaN equals NaN here


def _see_also_targets(figures: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Index the figures that some ``see_also`` points to by figure id."""
    targets = set(figures["see_also"].dropna().str.split(";").explode())
    return {r["figure_id"]: r for r in figure_records(figures[figures["figure_id"].isin(targets)])}


def _conflicts(row: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Ids in ``see_also`` that give the same indicator and scope another value."""
    see_also = row.get("see_also")
    if not isinstance(see_also, str) or not see_also:
        return []
    out = []
    for other_id in see_also.split(";"):
        other = by_id.get(other_id)
        if (
            other is not None
            and other["indicator"] == row["indicator"]
            and other["scope"] == row["scope"]
            and other["region_id"] == row["region_id"]
            and other["value"] != row["value"]
        ):
            out.append(other_id)
    return sorted(out)


_RECORD_COLUMNS = (
    "figure_id", "region_id", "entity", "indicator", "scope", "period_kind", "period_label",
    "period_earliest", "period_latest", "period_basis", "value", "lower", "upper", "raw",
    "unit_kind", "see_also",
)


def figure_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, with reference dates as ISO strings (which sort and compare as dates).

    Built column by column: much faster than ``DataFrame.to_dict("records")`` on
    Arrow-backed string columns.
    """
    columns = [c for c in _RECORD_COLUMNS if c in frame.columns]
    values = []
    for col in columns:
        series = frame[col]
        if col in ("period_earliest", "period_latest") and hasattr(series, "dt"):
            series = series.dt.strftime("%Y-%m-%d")
        values.append(series.astype(object).where(series.notna(), None).tolist())
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a["period_earliest"] <= b["period_latest"] and b["period_earliest"] <= a["period_latest"]


def _dates(row: Mapping[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(row["period_earliest"]), date.fromisoformat(row["period_latest"])


def _input_flags(
    rows: Iterable[Mapping[str, Any]], by_id: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    flags = []
    for row in rows:
        conflicts = _conflicts(row, by_id)
        if conflicts:
            flags.append(f"conflicting inputs: {row['figure_id']} vs {', '.join(conflicts)}")
        label = row.get("period_label")
        if isinstance(label, str) and any(word in label for word in _CUMULATIVE_WORDS):
            flags.append(f"cumulative count: {row['figure_id']} ({label})")
    return flags


def derived_ratios(
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    *,
    measures: Iterable[RatioMeasure] | None = None,
    open_bounds: str = "strict",
    allow_nested_scopes: bool = False,
    exclude: Iterable[str] | None = None,
    include_national: bool = False,
    settings: AnalysisSettings | None = None,
) -> list[Derived]:
    """Compute every ratio of ``measures`` that the figures allow, region by region.

    ``figures`` and ``scopes`` are the frames of ``load_figures()`` and ``load_scopes()``.
    ``open_bounds`` is ``"strict"`` or ``"printed_step"`` (see
    :mod:`dangjian_analysis.analysis.intervals`). Results are sorted by region, measure order and
    input ids. ``measures`` default to the ratio measures of the package's analysis
    settings (``settings``; see :mod:`dangjian_analysis.package.settings`). Figures in
    ``exclude`` (default: the settings' partial counts) are not used, nor national-context
    figures unless ``include_national`` (see :mod:`dangjian_analysis.package.levels`). The
    upper bound of a share of enterprises (a ratio measure marked ``share``) is ``min(upper, 1)``:
    127,000余 covered firms among 147,000 is between 86.4% and 100%, not 86.4% to infinity.
    """
    import numpy as np

    from dangjian_analysis.analysis.intervals import ratio_bounds

    if measures is None or exclude is None:
        chosen = _needed(settings, "derived_ratios", "measures and exclude")
        measures = chosen.ratio_measures if measures is None else measures
        exclude = tuple(chosen.partial_counts) if exclude is None else exclude
    excluded = set(exclude)
    usable = usable_figures(figures if include_national else regional_figures(figures))
    usable = usable[~usable["figure_id"].isin(excluded)]
    inputs = _input_table(usable, _see_also_targets(figures), open_bounds)
    out: list[tuple[tuple[str, int, str, str], Derived]] = []
    for index, measure in enumerate(measures):
        nums = inputs[inputs["indicator"].isin(measure.numerators)]
        dens = inputs[inputs["indicator"].isin(measure.denominators)]
        if nums.empty or dens.empty:
            continue
        pairs = nums.merge(dens, on="region_id", suffixes=("_n", "_d"))
        fits = pairs["figure_id_n"] != pairs["figure_id_d"]
        if allow_nested_scopes:
            fits &= np.array(
                [
                    _nested(scopes, a, b)
                    for a, b in zip(pairs["scope_n"], pairs["scope_d"], strict=True)
                ],
                dtype=bool,
            )
        else:
            fits &= pairs["scope_n"] == pairs["scope_d"]
        pairs = pairs[fits]
        if pairs.empty:
            continue
        # Nearest in time: overlapping periods (gap 0), else the smallest gap in days.
        gap = np.maximum(
            (pairs["early_d_n"] - pairs["late_d_d"]).dt.days.to_numpy(),
            (pairs["early_d_d"] - pairs["late_d_n"]).dt.days.to_numpy(),
        ).clip(min=0)
        pairs = pairs.assign(gap=gap)
        pairs = pairs[pairs["gap"] == pairs.groupby("figure_id_n")["gap"].transform("min")]
        _check_ratio_inputs(measure, pairs)
        point, low, high = ratio_bounds(
            *(pairs[c].to_numpy() for c in ("value_n", "lo_n", "hi_n", "value_d", "lo_d", "hi_d"))
        )
        if measure.share:
            # Part of a population is at most all of it: an open or wide upper bound stops
            # at 1 (unless the printed figures themselves give more, which stays visible).
            within = np.array(
                [
                    a == b or b in scope_chain(scopes, a)
                    for a, b in zip(pairs["scope_n"], pairs["scope_d"], strict=True)
                ],
                dtype=bool,
            )
            high = np.where(within & (point <= 1.0), np.minimum(high, 1.0), high)
        factor = measure.factor
        formula_tail = "" if factor == 1.0 else f" × {factor:g}"
        columns = {c: pairs[c].tolist() for c in _PAIR_COLUMNS}
        rows = [
            dict(zip(columns, values, strict=True))
            for values in zip(*columns.values(), strict=True)
        ]
        for row, v, lo, hi in zip(
            rows, (point * factor).tolist(), (low * factor).tolist(), (high * factor).tolist(),
            strict=True,
        ):
            derived = _pair_derived(measure, row, Interval(v, lo, hi), formula_tail)
            out.append(((row["region_id"], index, row["figure_id_n"], row["figure_id_d"]), derived))
    out.sort(key=lambda item: item[0])
    return [d for _, d in out]


#: Columns of the merged numerator-denominator table that a derived value needs.
_PAIR_COLUMNS = (
    "region_id", "figure_id_n", "figure_id_d", "indicator_n", "indicator_d", "scope_n",
    "scope_d", "early_n", "early_d", "late_n", "late_d", "period_text_n", "period_text_d",
    "flags_n", "flags_d", "assumed_n", "assumed_d", "gap",
)


def _input_table(
    usable: pd.DataFrame, by_id: Mapping[str, Mapping[str, Any]], open_bounds: str
) -> pd.DataFrame:
    """Tabulate what a ratio needs of each figure, once per figure and column-wise.

    Bounds follow :func:`~dangjian_analysis.analysis.intervals.interval_from_figure`: open sides
    are 0 (or ``-inf`` for growth rates) below and ``inf`` above, or closed by the printed
    step under the ``printed_step`` policy.
    """
    import pandas as pd

    from dangjian_analysis.analysis.intervals import interval_bounds

    value = usable["value"].to_numpy(dtype="float64")
    lower, upper, assumed = interval_bounds(
        value,
        usable["lower"].to_numpy(dtype="float64"),
        usable["upper"].to_numpy(dtype="float64"),
        usable["unit_kind"].tolist(),
        usable["raw"].tolist(),
        open_bounds=open_bounds,
        ids=usable["figure_id"].tolist(),
    )
    early = usable["period_earliest"].dt.strftime("%Y-%m-%d").tolist()
    late = usable["period_latest"].dt.strftime("%Y-%m-%d").tolist()
    flags: list[tuple[str, ...]] = []
    labels = usable["period_label"].tolist() if "period_label" in usable else [None] * len(usable)
    see_also = usable["see_also"].tolist()
    ids, regions_, indicators_, scopes_ = (
        usable[c].tolist() for c in ("figure_id", "region_id", "indicator", "scope")
    )
    for fid, region, indicator, scope, value_i, label, links in zip(
        ids, regions_, indicators_, scopes_, value.tolist(), labels, see_also, strict=True,
    ):
        if not isinstance(links, str) and not isinstance(label, str):
            flags.append(())
            continue
        row = {"figure_id": fid, "region_id": region, "indicator": indicator, "scope": scope,
               "value": value_i, "see_also": links, "period_label": label}
        flags.append(tuple(_input_flags((row,), by_id)))
    return pd.DataFrame(
        {
            "figure_id": ids,
            "region_id": regions_,
            "indicator": indicators_,
            "scope": scopes_,
            "early": early,
            "late": late,
            "early_d": usable["period_earliest"].to_numpy(),
            "late_d": usable["period_latest"].to_numpy(),
            "period_text": [
                period_text(e, la)
                for e, la in zip(early, late, strict=True)
            ],
            "value": value,
            "lo": lower,
            "hi": upper,
            "assumed": assumed,
            "flags": flags,
        }
    )


def _check_ratio_inputs(measure: RatioMeasure, pairs: pd.DataFrame) -> None:
    negative = (pairs["lo_n"] < 0) | (pairs["lo_d"] < 0)
    zero = pairs["value_d"] == 0
    for mask, why in ((negative, "ratio() needs non-negative intervals"),
                      (zero, "ratio() denominator is zero")):
        if mask.any():
            row = pairs[mask].iloc[0]
            ids = f"{row['figure_id_n']}/{row['figure_id_d']}"
            raise ValueError(f"{measure.name} from {ids}: {why}")


def _pair_derived(
    measure: RatioMeasure, row: Mapping[str, Any], interval: Interval, tail: str
) -> Derived:
    """Build the derived value of one numerator-denominator pair (a merged input row)."""
    flags = []
    scope_n, scope_d = row["scope_n"], row["scope_d"]
    if scope_n != scope_d:
        flags.append(f"scopes differ: {scope_n} / {scope_d}")
    if row["gap"] > 0 or not (
        row["early_n"] <= row["late_d"] and row["early_d"] <= row["late_n"]
    ):
        flags.append(f"periods differ: {row['period_text_n']} / {row['period_text_d']}")
    flags.extend(row["flags_n"])
    flags.extend(row["flags_d"])
    if measure.caveat:
        flags.append(measure.caveat)
    return Derived(
        region_id=row["region_id"],
        measure=measure.name,
        interval=interval,
        unit_kind=measure.unit_kind,
        scope=scope_n if scope_n == scope_d else f"{scope_n} / {scope_d}",
        period_earliest=min(row["early_n"], row["early_d"]),
        period_latest=max(row["late_n"], row["late_d"]),
        inputs=(row["figure_id_n"], row["figure_id_d"]),
        formula=f"{row['indicator_n']} / {row['indicator_d']}{tail}",
        flags=tuple(flags),
        assumptions=(PRINTED_STEP_ASSUMPTION,) if (row["assumed_n"] or row["assumed_d"]) else (),
    )


def _needed(settings: AnalysisSettings | None, function: str, instead: str) -> AnalysisSettings:
    """Return ``settings``; without them, say what the function needs instead."""
    if settings is None:
        raise TypeError(
            f"{function}() needs settings= (the package's analysis settings: "
            f"load_package(path).settings) or else {instead}"
        )
    return settings


def reported_growth_rates(
    figures: pd.DataFrame,
    *,
    open_bounds: str = "strict",
    include_national: bool = False,
    rates: Mapping[str, str] | None = None,
    settings: AnalysisSettings | None = None,
) -> list[Derived]:
    """Growth rates as printed (year on year), as derived values with one input each.

    ``rates`` map each printed growth-rate indicator to the level indicator it is growth
    of (default: the ``reported_growth`` of the analysis settings); the measure of a value
    is ``<level>_growth_1y``. National-context figures are left out unless
    ``include_national``.
    """
    if rates is None:
        rates = _needed(settings, "reported_growth_rates", "rates").reported_growth
    usable = usable_figures(figures if include_national else regional_figures(figures))
    by_id = _see_also_targets(figures)
    out = []
    for row in figure_records(usable[usable["indicator"].isin(list(rates))]):
        interval, assumed = interval_from_figure(row, open_bounds=open_bounds)
        out.append(
            Derived(
                region_id=str(row["region_id"]),
                measure=f"{rates[row['indicator']]}{GROWTH_SUFFIXES[0]}",
                interval=interval,
                unit_kind="growth_rate",
                scope=str(row["scope"]),
                period_earliest=_date(row["period_earliest"]),
                period_latest=_date(row["period_latest"]),
                inputs=(str(row["figure_id"]),),
                formula=f"{row['indicator']} as printed (one year)",
                span_years=Interval.exact(1.0),
                flags=tuple(_input_flags((row,), by_id)),
                assumptions=(PRINTED_STEP_ASSUMPTION,) if assumed else (),
            )
        )
    return sorted(out, key=lambda d: (d.region_id, d.measure, d.inputs))


def compound_growth_rates(
    figures: pd.DataFrame,
    *,
    indicators: Iterable[str] | None = None,
    open_bounds: str = "strict",
    include_national: bool = False,
    settings: AnalysisSettings | None = None,
) -> list[Derived]:
    """Compound annual growth between the earliest and latest figure of each series.

    A series is one region, indicator and scope, for the level ``indicators`` (default:
    the ``growth_levels`` of the analysis settings). The elapsed time is an interval taken
    from the two reference periods (see
    :func:`~dangjian_analysis.analysis.intervals.elapsed_years`), so an uncertain end year
    gives a range of rates. Series whose two periods overlap are skipped: there is no
    elapsed time to compound over. National-context figures are left out unless
    ``include_national``.
    """
    if indicators is None:
        indicators = _needed(settings, "compound_growth_rates", "indicators").growth_levels
    usable = usable_figures(figures if include_national else regional_figures(figures))
    by_id = _see_also_targets(figures)
    wanted = set(indicators)
    out = []
    records = figure_records(usable[usable["indicator"].isin(list(wanted))])
    series: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in records:
        series.setdefault((row["region_id"], row["indicator"], row["scope"]), []).append(row)
    for (region, indicator, scope), rows in sorted(series.items()):
        rows = sorted(
            rows, key=lambda r: (r["period_earliest"], r["period_latest"], r["figure_id"])
        )
        first, last = rows[0], rows[-1]
        if first["period_latest"] >= last["period_earliest"]:
            continue
        annual = first["period_kind"] == "year" and last["period_kind"] == "year"
        years = elapsed_years(
            _dates(first),
            _dates(last),
            annual_flows=annual,
        )
        start, s_assumed = interval_from_figure(first, open_bounds=open_bounds)
        end, e_assumed = interval_from_figure(last, open_bounds=open_bounds)
        flags = _input_flags((first, last), by_id)
        if first["period_kind"] != last["period_kind"]:
            flags.append(f"period kinds differ: {first['period_kind']} / {last['period_kind']}")
        out.append(
            Derived(
                region_id=str(region),
                measure=f"{indicator}{GROWTH_SUFFIXES[1]}",
                interval=compound_growth(start, end, years),
                unit_kind="growth_rate",
                scope=str(scope),
                period_earliest=_date(first["period_earliest"]),
                period_latest=_date(last["period_latest"]),
                inputs=(str(first["figure_id"]), str(last["figure_id"])),
                formula=f"({indicator} end / start) ** (1 / years) - 1",
                span_years=years,
                flags=tuple(flags),
                assumptions=(PRINTED_STEP_ASSUMPTION,) if (s_assumed or e_assumed) else (),
            )
        )
    return out


def implied_denominators(
    figures: pd.DataFrame,
    *,
    rates: Iterable[str] | None = None,
    counts: Iterable[str] | None = None,
    open_bounds: str = "strict",
    settings: AnalysisSettings | None = None,
) -> list[Derived]:
    """Derive the number of enterprises a coverage rate is a share of: count ÷ rate.

    A count of enterprises with a party organization (``counts``) and a coverage rate
    (``rates``; both default to the ``implied_denominators`` of the analysis settings)
    are paired when they are about the same region and scope (the rate's
    definition: a count printed with a rate carries that rate's scope) and their reference
    periods overlap. Each pair gives an ``implied_denominator``: the number of enterprises
    that the rate implies, an interval computed from the bounds of both inputs (a count of
    "nearly" 1.88 million over 73.1% leaves the result open below), for the period the two
    reference periods share. Figures about single
    enterprises are not used; printed repeats count once (see :func:`derived_ratios`).

    The result is only as good as the assumption that the two figures share a definition:
    compare it with a printed count of the denominator where one exists. Results are sorted
    by region, reference period and input ids.
    """
    if rates is None or counts is None:
        chosen = _needed(settings, "implied_denominators", "rates and counts")
        rates = chosen.implied_rates if rates is None else rates
        counts = chosen.implied_counts if counts is None else counts
    rate_codes, count_codes = set(rates), set(counts)
    usable = usable_figures(figures)
    by_id = {r["figure_id"]: r for r in figures.to_dict("records")}
    records = usable.to_dict("records")
    out: list[Derived] = []
    for rate in (r for r in records if r["indicator"] in rate_codes):
        for count in records:
            if (
                count["indicator"] not in count_codes
                or count["region_id"] != rate["region_id"]
                or count["scope"] != rate["scope"]
                or not _overlap(count, rate)
            ):
                continue
            out.append(_implied_denominator(count, rate, by_id, open_bounds))
    return sorted(out, key=lambda d: (d.region_id, d.period_earliest, d.period_latest, d.inputs))


def _implied_denominator(
    count: Mapping[str, Any],
    rate: Mapping[str, Any],
    by_id: Mapping[str, Mapping[str, Any]],
    open_bounds: str,
) -> Derived:
    a, a_assumed = interval_from_figure(count, open_bounds=open_bounds)
    b, b_assumed = interval_from_figure(rate, open_bounds=open_bounds)
    try:
        result = ratio(a, b)
    except ValueError as exc:
        ids = f"{count['figure_id']}/{rate['figure_id']}"
        raise ValueError(f"implied_denominator from {ids}: {exc}") from None
    return Derived(
        region_id=str(count["region_id"]),
        measure="implied_denominator",
        interval=result,
        unit_kind="count",
        scope=str(rate["scope"]),
        period_earliest=_date(max(count["period_earliest"], rate["period_earliest"])),
        period_latest=_date(min(count["period_latest"], rate["period_latest"])),
        inputs=(str(count["figure_id"]), str(rate["figure_id"])),
        formula=f"{count['indicator']} / {rate['indicator']}",
        flags=tuple(_input_flags((count, rate), by_id)),
        assumptions=(PRINTED_STEP_ASSUMPTION,) if (a_assumed or b_assumed) else (),
    )


def derived_frame(values: Iterable[Derived]) -> pd.DataFrame:
    """Tabulate derived values with the columns of :data:`DERIVED_COLUMNS`."""
    import pandas as pd

    rows = [d.as_row() for d in values]
    frame = pd.DataFrame(rows, columns=list(DERIVED_COLUMNS))
    for col in ("value", "lower", "upper"):
        frame[col] = frame[col].astype("float64")
    frame["exact"] = frame["exact"].astype("bool")
    return frame


def measure_values(
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    measures: Iterable[str],
    *,
    open_bounds: str = "strict",
    include_national: bool = False,
    ratios: Sequence[Derived] | None = None,
    settings: AnalysisSettings,
) -> list[Derived]:
    """Compute the derived values of the named measures, and only the kinds they need.

    A measure ending in ``_growth_1y`` is a growth rate as printed
    (:func:`reported_growth_rates`), one ending in ``_cagr`` a compound rate
    (:func:`compound_growth_rates`), any other a ratio (:func:`derived_ratios`, or
    ``ratios`` when already computed). Values keep the order of those functions.
    """
    one_year, compound = GROWTH_SUFFIXES
    wanted = set(measures)
    pool: list[Derived] = []
    national = {"include_national": include_national}
    if any(m.endswith(one_year) for m in wanted):
        pool += reported_growth_rates(
            figures, open_bounds=open_bounds, settings=settings, **national
        )
    if any(m.endswith(compound) for m in wanted):
        pool += compound_growth_rates(
            figures, open_bounds=open_bounds, settings=settings, **national
        )
    if any(not m.endswith(GROWTH_SUFFIXES) for m in wanted):
        if ratios is None:
            ratios = derived_ratios(
                figures, scopes, open_bounds=open_bounds, settings=settings, **national
            )
        pool += list(ratios)
    return [d for d in pool if d.measure in wanted]
