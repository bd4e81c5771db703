"""Cross-region tables: coverage against an outcome, with every comparability caveat marked.

A region may offer several coverage measures (a reported coverage rate for above-scale
firms, a formation rate, a share derived from counts) and several outcome measures (a
one-year growth rate of output, a multi-year compound rate of industrial output). Nothing
here picks one silently:

- :func:`cross_section` lists every coverage × outcome pair per region, with the scopes,
  definitions, spans and reference years that make rows differ, in a ``flags`` column;
- :func:`preferred_pairs` picks one pair per region by a stated preference order;
- :func:`specification_range` runs a rank correlation over *every* combination of the
  pairs, so a reader sees how much the answer depends on choices the data leave open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, Any

from dangjian_analysis.analysis.derived import (
    Derived,
    compound_growth_rates,
    derived_ratios,
    measure_values,
    scope_chain,
)
from dangjian_analysis.analysis.formatting import period_text
from dangjian_analysis.analysis.intervals import Interval, interval_from_figure
from dangjian_analysis.package.levels import regional_figures
from dangjian_analysis.package.settings import AnalysisSettings

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COMPARABILITY_DIMENSIONS",
    "TREND_WARNING",
    "RegionMeasure",
    "candidate_frame",
    "comparability_summary",
    "coverage_candidates",
    "cross_section",
    "outcome_candidates",
    "pair_intervals",
    "preferred_pairs",
    "specification_range",
    "within_region_change",
]

#: Columns compared across rows to build the ``flags`` column.
COMPARABILITY_DIMENSIONS: dict[str, str] = {
    "coverage_definition": "coverage definition",
    "coverage_scope": "coverage scope",
    "outcome_definition": "outcome definition",
    "outcome_scope": "outcome scope",
    "outcome_span": "growth span (years)",
    "coverage_period": "coverage reference period",
    "outcome_period": "outcome reference period",
}

#: Said wherever two series of one region are compared over time.
TREND_WARNING = (
    "Two series that both grow over the same years say nothing about each other: almost "
    "everything in a fast-growing county grew between these dates. A shared upward trend "
    "is not evidence that one drove the other."
)


@dataclass(frozen=True)
class RegionMeasure:
    """One coverage or outcome measure available for a region (a row of a cross-section)."""

    region_id: str
    measure: str
    definition: str
    interval: Interval
    scope: str
    period: str
    span: str
    inputs: tuple[str, ...]
    flags: tuple[str, ...]
    assumptions: tuple[str, ...]


def candidate_frame(candidates: Sequence[RegionMeasure]) -> pd.DataFrame:
    """Tabulate candidates in the order given, one row each.

    Columns: region, measure, definition, value and bounds, scope, period, span, inputs,
    flags and assumptions.
    """
    import pandas as pd

    columns = [
        "region_id", "measure", "definition", "value", "lower", "upper", "scope", "period",
        "span", "inputs", "flags", "assumptions",
    ]
    rows = [
        {
            "region_id": c.region_id, "measure": c.measure, "definition": c.definition,
            "value": c.interval.value, "lower": c.interval.lower, "upper": c.interval.upper,
            "scope": c.scope, "period": c.period, "span": c.span, "inputs": ";".join(c.inputs),
            "flags": "; ".join(c.flags), "assumptions": "; ".join(c.assumptions),
        }
        for c in candidates
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("value", "lower", "upper"):
        frame[col] = frame[col].astype("float64")
    return frame


def _from_derived(d: Derived, definition: str) -> RegionMeasure:
    span = ""
    if d.span_years is not None:
        s = d.span_years
        span = f"{s.value:g}" if s.is_exact else f"{s.lower:.3g}–{s.upper:.3g}"
    return RegionMeasure(
        region_id=d.region_id,
        measure=d.measure,
        definition=definition,
        interval=d.interval,
        scope=d.scope,
        period=period_text(d.period_earliest, d.period_latest),
        span=span,
        inputs=d.inputs,
        flags=d.flags,
        assumptions=d.assumptions,
    )


def _enterprise_scopes(scopes: pd.DataFrame, roots: Iterable[str]) -> frozenset[str]:
    """Return the scopes about firms: those whose chain of broader scopes reaches a root."""
    wanted = set(roots)
    return frozenset(s for s in scopes["scope"] if set(scope_chain(scopes, s)) & wanted)


def coverage_candidates(
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    *,
    open_bounds: str = "strict",
    ratios: Sequence[Derived] | None = None,
    include_national: bool = False,
    settings: AnalysisSettings,
) -> list[RegionMeasure]:
    """List every coverage measure of every region.

    These are the reported rates about enterprises and the coverage ratios derived from
    counts of the same scope: the ``coverage_measures`` of the package's analysis
    settings (``settings``, e.g. ``load_package(...).settings``), in their
    order of preference. A scope is about enterprises when its chain of broader scopes
    reaches one of the settings' ``enterprise_scopes``.

    Rates about social organizations or clusters are left out: they are not about firms.
    So are national-context figures unless ``include_national`` (the national series has
    its own definitions: :mod:`dangjian_analysis.analysis.national`). ``ratios`` are the values of
    :func:`~dangjian_analysis.analysis.derived.derived_ratios` when already computed (with the same
    ``open_bounds`` and ``include_national``).
    """
    from dangjian_analysis.analysis.derived import figure_records, usable_figures

    definitions = settings.coverage_measures
    if not include_national:
        figures = regional_figures(figures)
    about_firms = _enterprise_scopes(scopes, settings.enterprise_scopes)
    out: list[RegionMeasure] = []
    rates = usable_figures(figures)
    rates = rates[rates["indicator"].isin(list(definitions))]
    for row in figure_records(rates):
        if row["scope"] not in about_firms:
            continue
        interval, assumed = interval_from_figure(row, open_bounds=open_bounds)
        from dangjian_analysis.analysis.intervals import PRINTED_STEP_ASSUMPTION

        out.append(
            RegionMeasure(
                region_id=str(row["region_id"]),
                measure=str(row["indicator"]),
                definition=definitions[row["indicator"]],
                interval=interval,
                scope=str(row["scope"]),
                period=period_text(row["period_earliest"], row["period_latest"]),
                span="",
                inputs=(str(row["figure_id"]),),
                flags=(),
                assumptions=(PRINTED_STEP_ASSUMPTION,) if assumed else (),
            )
        )
    if ratios is None:
        ratios = derived_ratios(
            figures, scopes, open_bounds=open_bounds, include_national=include_national,
            settings=settings,
        )
    for d in ratios:
        if d.measure in definitions and d.scope in about_firms:
            out.append(_from_derived(d, definitions[d.measure]))
    order = list(definitions)
    return sorted(out, key=lambda c: (c.region_id, order.index(c.measure), c.inputs))


def outcome_candidates(
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    outcome: str,
    *,
    open_bounds: str = "strict",
    ratios: Sequence[Derived] | None = None,
    include_national: bool = False,
    settings: AnalysisSettings,
) -> list[RegionMeasure]:
    """List every measure of ``outcome`` of every region.

    The outcomes and the measures that stand for each, in order of preference, are the
    ``outcomes`` of the analysis settings. ``ratios``, ``include_national`` and
    ``settings`` as in :func:`coverage_candidates`.

    Raises:
        ValueError: on an outcome the settings do not define.

    """
    if outcome not in settings.outcomes:
        raise ValueError(f"outcome must be one of {sorted(settings.outcomes)}, got {outcome!r}")
    wanted = settings.outcomes[outcome]
    pool = measure_values(
        figures, scopes, wanted, open_bounds=open_bounds, include_national=include_national,
        ratios=ratios, settings=settings,
    )
    out = [_from_derived(d, wanted[d.measure]) for d in pool]
    order = list(wanted)
    return sorted(out, key=lambda c: (c.region_id, order.index(c.measure), c.inputs))


def cross_section(
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    outcome: str,
    *,
    open_bounds: str = "strict",
    regions: Iterable[str] | None = None,
    include_national: bool = False,
    settings: AnalysisSettings,
    include_benchmarks: bool = False,
) -> pd.DataFrame:
    """Every coverage × outcome pair of every region that has both, with flags.

    National-context figures are left out unless ``include_national``, and so are the
    regions whose figures serve as benchmarks (provinces, prefectures: see
    :mod:`dangjian_analysis.analysis.benchmarks`) unless ``include_benchmarks``;
    ``settings`` as in :func:`coverage_candidates`.

    Columns: ``region_id``, ``pair`` (1, 2, … within the region, in preference order),
    coverage and outcome ``*_measure``, ``*_definition``, ``*_value``, ``*_lower``,
    ``*_upper``, ``*_scope``, ``*_period``, ``outcome_span``, ``inputs`` (figure ids),
    ``flags`` (how the row differs from the others and caveats of its inputs) and
    ``assumptions``. Regions with only one side are listed in ``frame.attrs["missing"]``
    with what they lack.
    """
    import pandas as pd

    national: dict[str, Any] = {"include_national": include_national, "settings": settings}
    ratios = derived_ratios(figures, scopes, open_bounds=open_bounds, **national)
    cover = coverage_candidates(
        figures, scopes, open_bounds=open_bounds, ratios=ratios, **national
    )
    outs = outcome_candidates(
        figures, scopes, outcome, open_bounds=open_bounds, ratios=ratios, **national
    )
    keep = None if regions is None else set(regions)
    benchmark_ids: set[str] = set()
    if not include_benchmarks:
        benchmark_ids = set(settings.benchmark_regions)
    cover_by: dict[str, list[RegionMeasure]] = {}
    outs_by: dict[str, list[RegionMeasure]] = {}
    for c in cover:
        cover_by.setdefault(c.region_id, []).append(c)
    for o in outs:
        outs_by.setdefault(o.region_id, []).append(o)
    rows: list[dict[str, Any]] = []
    missing: dict[str, str] = {}
    for region in sorted(set(cover_by) | set(outs_by)):
        if (keep is not None and region not in keep) or region in benchmark_ids:
            continue
        cs = cover_by.get(region, [])
        os_ = outs_by.get(region, [])
        if not cs or not os_:
            missing[region] = "no coverage measure" if not cs else f"no {outcome} measure"
            continue
        for number, (c, o) in enumerate(product(cs, os_), start=1):
            rows.append(_pair_row(region, number, c, o))
    columns = [
        "region_id", "pair", "coverage_measure", "coverage_definition", "coverage_value",
        "coverage_lower", "coverage_upper", "coverage_scope", "coverage_period",
        "outcome_measure", "outcome_definition", "outcome_value", "outcome_lower",
        "outcome_upper", "outcome_scope", "outcome_period", "outcome_span", "inputs",
        "caveats", "assumptions",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["pair"] = frame["pair"].astype("int64")
    for col in columns:
        if col.endswith(("_value", "_lower", "_upper")):
            frame[col] = frame[col].astype("float64")
    frame = _add_flags(frame)
    frame.attrs["missing"] = missing
    frame.attrs["outcome"] = outcome
    return frame


def _pair_row(region: str, number: int, c: RegionMeasure, o: RegionMeasure) -> dict[str, Any]:
    return {
        "region_id": region,
        "pair": number,
        "coverage_measure": c.measure,
        "coverage_definition": c.definition,
        "coverage_value": c.interval.value,
        "coverage_lower": c.interval.lower,
        "coverage_upper": c.interval.upper,
        "coverage_scope": c.scope,
        "coverage_period": c.period,
        "outcome_measure": o.measure,
        "outcome_definition": o.definition,
        "outcome_value": o.interval.value,
        "outcome_lower": o.interval.lower,
        "outcome_upper": o.interval.upper,
        "outcome_scope": o.scope,
        "outcome_period": o.period,
        "outcome_span": o.span,
        "inputs": ";".join([*c.inputs, *o.inputs]),
        "caveats": "; ".join(dict.fromkeys([*c.flags, *o.flags])),
        "assumptions": "; ".join(dict.fromkeys([*c.assumptions, *o.assumptions])),
    }


def _add_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Add a ``flags`` column: per row, each dimension on which rows differ, then caveats."""
    varying = [d for d in COMPARABILITY_DIMENSIONS if frame[d].nunique(dropna=False) > 1]
    columns = {d: frame[d].tolist() for d in varying}
    flags = []
    for i, caveats in enumerate(frame["caveats"].tolist()):
        parts = [f"{COMPARABILITY_DIMENSIONS[d]}: {columns[d][i] or 'none'}" for d in varying]
        if caveats:
            parts.append(caveats)
        flags.append("; ".join(parts))
    return frame.assign(flags=flags)


def comparability_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per comparability dimension: whether rows differ on it and the values seen."""
    import pandas as pd

    rows = []
    for dim, label in COMPARABILITY_DIMENSIONS.items():
        values = sorted({str(v) if v else "none" for v in frame[dim]})
        rows.append({"dimension": label, "differs": len(values) > 1, "values": " | ".join(values)})
    return pd.DataFrame(rows, columns=["dimension", "differs", "values"])


def preferred_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep one pair per region, the first in preference order.

    Reported coverage comes before derived, one-year reported growth before compound
    growth, then the lowest figure ids.
    """
    return frame[frame["pair"] == 1].reset_index(drop=True)


def pair_intervals(frame: pd.DataFrame) -> tuple[list[Interval], list[Interval]]:
    """Coverage and outcome of each row of a cross-section table, as intervals."""
    xs = [
        Interval(v, lo, hi)
        for v, lo, hi in frame[["coverage_value", "coverage_lower", "coverage_upper"]].to_numpy()
    ]
    ys = [
        Interval(v, lo, hi)
        for v, lo, hi in frame[["outcome_value", "outcome_lower", "outcome_upper"]].to_numpy()
    ]
    return xs, ys


def specification_range(
    frame: pd.DataFrame, *, method: str = "spearman", max_specifications: int = 10_000
) -> pd.DataFrame:
    """Compute the rank correlation under every combination of one pair per region.

    Returns one row per specification with ``n``, the statistic and exact p-value, or the
    reason it could not be computed (``note``). The number of specifications is the
    product of the pairs per region.

    Raises:
        ValueError: when there are more than ``max_specifications`` combinations.

    """
    import pandas as pd

    from dangjian_analysis.analysis.models import InsufficientDataError, rank_correlation

    groups = [g for _, g in frame.groupby("region_id", sort=True)]
    total = 1
    for g in groups:
        total *= len(g)
    if total > max_specifications:
        raise ValueError(f"{total} specifications exceed max_specifications={max_specifications}")
    rows = []
    for number, combo in enumerate(product(*(g.to_dict("records") for g in groups)), start=1):
        x = [r["coverage_value"] for r in combo]
        y = [r["outcome_value"] for r in combo]
        pairs = ", ".join(f"{r['region_id']}#{r['pair']}" for r in combo)
        try:
            res = rank_correlation(x, y, method=method)
            rows.append({"specification": number, "pairs": pairs, "n": res.n,
                         "statistic": res.statistic, "p_value": res.p_value,
                         "min_p_value": res.min_p_value, "note": ""})
        except InsufficientDataError as exc:
            rows.append({"specification": number, "pairs": pairs, "n": len(combo),
                         "statistic": float("nan"), "p_value": float("nan"),
                         "min_p_value": float("nan"), "note": str(exc)})
    return pd.DataFrame(
        rows, columns=["specification", "pairs", "n", "statistic", "p_value", "min_p_value", "note"]
    )


def within_region_change(
    figures: pd.DataFrame,
    region_id: str,
    indicators: Sequence[str],
    *,
    open_bounds: str = "strict",
) -> pd.DataFrame:
    """Compute compound annual growth of several series of one region.

    Each series runs from its first to its last figure (e.g. Pinghu's party organizations
    and its industrial output, 2003 to now).

    Read it with :data:`TREND_WARNING`: a shared trend is not a relationship.

    Raises:
        ValueError: when the region has no series with two separate periods for the
            indicators asked.

    """
    from dangjian_analysis.analysis.derived import derived_frame

    rates = [
        d
        for d in compound_growth_rates(
            figures, indicators=indicators, open_bounds=open_bounds, include_national=True
        )
        if d.region_id == region_id
    ]
    if not rates:
        raise ValueError(
            f"region {region_id!r} has no series of {list(indicators)} with two separate periods"
        )
    return derived_frame(rates)
