"""Each region against its province: benchmark figures for the regions of a cross-section.

A county that grew 15% in a year when its whole province grew 12% did 3 points better
than its province. Subtracting the province's figure removes what every place in the
province shared in that year (the business cycle, prices, provincial policy); it does not
remove anything particular to the region (its industries, its size, how its report
measured growth), and it makes the comparison depend on a second figure with its own
definition.

A *benchmark* is a figure about one of the ``benchmark_regions`` of the package's analysis
settings (a province or a prefecture whose figures were curated to compare with, not to
study) that contains the study region: reached through ``parent_region_id``, or, by its
``level`` (:data:`BENCHMARK_LEVELS`), the same ``province_en``/``province_zh`` (a
province) or ``prefecture_en``/``prefecture_zh`` (a prefecture). For each study region's outcome
measure the benchmark is the nearest measure of the same family: the same measure, then one
of the same kind (one-year or compound growth), then another measure of the outcome, then a
broader one (GDP growth), each time the one nearest in reference years. Where there is
none, the functions say so in words (:data:`NO_BENCHMARK`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dangjian_analysis.analysis.formatting import period_text
from dangjian_analysis.package.settings import GROWTH_SUFFIXES, AnalysisSettings

if TYPE_CHECKING:
    import pandas as pd

    from dangjian_analysis.analysis.derived import Derived

__all__ = [
    "BENCHMARK_LEVELS",
    "NO_BENCHMARK",
    "PREFECTURE",
    "benchmark_regions",
    "province_benchmarks",
    "relative_to_benchmark",
]

#: ``regions.level`` of a prefecture (地级市), which contains counties and county-level cities.
PREFECTURE = "prefecture-level city"

#: ``regions.level`` values of the regions whose figures serve as benchmarks.
BENCHMARK_LEVELS: tuple[str, ...] = ("province", PREFECTURE)

#: Said of a region for which the data package holds no benchmark figure.
NO_BENCHMARK = "no provincial figure in this data package"

_MATCH_WORDS = (
    "same measure",
    "same kind of measure",
    "another measure of the outcome",
    "broader measure, same kind",
    "broader measure",
)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _contains(bench: dict[str, Any], region: dict[str, Any], parents: dict[str, str]) -> bool:
    """Whether benchmark region ``bench`` contains study region ``region``."""
    chain, seen = _text(region.get("parent_region_id")), set()
    while chain and chain not in seen:
        if chain == bench["region_id"]:
            return True
        seen.add(chain)
        chain = parents.get(chain, "")
    if bench["level"] == "province":
        fields = ("province_en", "province_zh")
    elif bench["level"] == PREFECTURE:
        fields = ("prefecture_en", "prefecture_zh")
        same_province = any(
            _text(bench.get(f)) and _text(bench.get(f)) == _text(region.get(f))
            for f in ("province_en", "province_zh")
        )
        if not same_province and any(_text(bench.get(f)) for f in ("province_en", "province_zh")):
            return False
    else:
        return False
    for name_field, field in zip(("name_en", "name_zh"), fields, strict=True):
        own = _text(bench.get(field)) or _text(bench.get(name_field))
        if own and own == _text(region.get(field)):
            return True
    return False


def benchmark_regions(
    regions: pd.DataFrame,
    *,
    levels: Sequence[str] = BENCHMARK_LEVELS,
    settings: AnalysisSettings,
) -> pd.DataFrame:
    """Each study region with the benchmark regions that contain it.

    Benchmark regions are the ``benchmark_regions`` of the package's analysis settings
    (``settings``); study regions are all others but the
    national one. Columns: ``region_id``, ``benchmark_id``, ``benchmark_level``,
    ``benchmark_name``; sorted by region, then by the order of ``levels`` (other levels
    last). A region without a benchmark region has no row.
    """
    import pandas as pd

    chosen = set(settings.benchmark_regions)
    records = regions.to_dict("records")
    parents = {str(r["region_id"]): _text(r.get("parent_region_id")) for r in records}
    benches = [r for r in records if r["region_id"] in chosen]
    rows = []
    for region in records:
        if region["region_id"] in chosen or region["level"] == "national":
            continue
        for bench in benches:
            if _contains(bench, region, parents):
                rows.append({
                    "region_id": str(region["region_id"]),
                    "benchmark_id": str(bench["region_id"]),
                    "benchmark_level": str(bench["level"]),
                    "benchmark_name": f"{bench['name_zh']} {bench['name_en']}",
                })
    frame = pd.DataFrame(
        rows, columns=["region_id", "benchmark_id", "benchmark_level", "benchmark_name"]
    )
    order = {level: i for i, level in enumerate(levels)}
    frame = frame.assign(_order=frame["benchmark_level"].map(order).fillna(len(order)))
    return (
        frame.sort_values(["region_id", "_order", "benchmark_id"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def _years(text: str) -> tuple[int, int] | None:
    found = [int(y) for y in re.findall(r"\d{4}", str(text))]
    return (min(found), max(found)) if found else None


def _kind(measure: str) -> str:
    if measure.endswith(GROWTH_SUFFIXES[0]):
        return "one year"
    if measure.endswith(GROWTH_SUFFIXES[1]):
        return "compound"
    return "level"


def _pool(
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    outcome: str,
    open_bounds: str,
    settings: AnalysisSettings,
) -> tuple[list[Derived], dict[str, str], dict[str, str]]:
    """Every value of the outcome's family (own and broader measures), with definitions."""
    from dangjian_analysis.analysis.derived import measure_values

    own = dict(settings.outcomes[outcome])
    broader = dict(settings.benchmark_measures.get(outcome, {}))
    pool = measure_values(
        figures, scopes, [*own, *broader], open_bounds=open_bounds, settings=settings
    )
    return pool, own, broader


def province_benchmarks(
    pairs: pd.DataFrame,
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    regions: pd.DataFrame,
    *,
    outcome: str | None = None,
    levels: Sequence[str] = BENCHMARK_LEVELS,
    open_bounds: str = "strict",
    settings: AnalysisSettings,
) -> pd.DataFrame:
    """Find the benchmark of each pair's outcome: the province's (or prefecture's) figure.

    The outcome's measures and the broader ones that may stand in for them (GDP growth
    for output growth in the bundled package) are the ``outcomes`` and
    ``benchmark_measures`` of the package's analysis settings (``settings``).

    ``pairs`` are cross-section rows (usually one per region, from ``preferred_pairs``);
    ``outcome`` defaults to ``pairs.attrs["outcome"]``. One row per pair: ``region_id``,
    the pair's ``outcome_measure``, ``outcome_definition``, ``outcome_value``,
    ``outcome_lower``, ``outcome_upper``, ``outcome_period``; the benchmark's
    ``benchmark_region_id``, ``benchmark_level``, ``benchmark_name``,
    ``benchmark_measure``, ``benchmark_definition``, ``benchmark_value``,
    ``benchmark_lower``, ``benchmark_upper``, ``benchmark_period``, ``benchmark_scope``,
    ``benchmark_inputs``, ``match`` (how near the measure is) and ``year_gap`` (years
    between the reference periods); the ``difference`` (region minus benchmark, as
    ``difference_value``, ``difference_lower``, ``difference_upper``, an interval from
    both bounds); and a ``note``: :data:`NO_BENCHMARK` where there is none, else what
    differs between the two figures. Benchmark columns are empty (NaN) without one.

    Raises:
        ValueError: on an unknown outcome.

    """
    import pandas as pd

    outcome = outcome or pairs.attrs.get("outcome")
    if outcome not in settings.outcomes:
        raise ValueError(f"outcome must be one of {sorted(settings.outcomes)}, got {outcome!r}")
    links = benchmark_regions(regions, levels=levels, settings=settings)
    by_region: dict[str, list[tuple[str, str, str]]] = {}
    for row in links.itertuples(index=False):
        by_region.setdefault(row.region_id, []).append(
            (row.benchmark_id, row.benchmark_level, row.benchmark_name)
        )
    pool, own, broader = _pool(figures, scopes, outcome, open_bounds, settings)
    level_rank = {level: i for i, level in enumerate(levels)}
    level_rank = {**{b[1]: len(levels) for bs in by_region.values() for b in bs}, **level_rank}
    rows = []
    for pair in pairs.to_dict("records"):
        region = str(pair["region_id"])
        measure = str(pair["outcome_measure"])
        base = {
            "region_id": region,
            "outcome_measure": measure,
            "outcome_definition": pair["outcome_definition"],
            "outcome_value": pair["outcome_value"],
            "outcome_lower": pair["outcome_lower"],
            "outcome_upper": pair["outcome_upper"],
            "outcome_period": pair["outcome_period"],
        }
        benches = {b[0]: b for b in by_region.get(region, [])}
        if not benches:
            rows.append({**base, "note": NO_BENCHMARK})
            continue
        years = _years(pair["outcome_period"])
        best = None
        for d in pool:
            if d.region_id not in benches:
                continue
            if d.measure == measure:
                rank = 0
            elif d.measure in own:
                rank = 1 if _kind(d.measure) == _kind(measure) else 2
            else:
                rank = 3 if _kind(d.measure) == _kind(measure) else 4
            b_years = (int(d.period_earliest[:4]), int(d.period_latest[:4]))
            if years is None:
                gap, shift = 0, 0
            else:
                gap = max(0, b_years[0] - years[1], years[0] - b_years[1])
                shift = abs(b_years[0] - years[0]) + abs(b_years[1] - years[1])
            key = (rank, gap, shift, level_rank[benches[d.region_id][1]], d.inputs)
            if best is None or key < best[0]:
                best = (key, d)
        if best is None:
            names = ", ".join(b[2] for b in benches.values())
            rows.append({**base, "note": f"{NO_BENCHMARK} ({names}: no {outcome} figure)"})
            continue
        (rank, gap, _, _, _), d = best
        bench_id, level, name = benches[d.region_id]
        iv = d.interval
        low = pair["outcome_lower"] - iv.upper
        high = pair["outcome_upper"] - iv.lower
        notes = [_MATCH_WORDS[rank]]
        if rank:
            notes.append(f"{own.get(d.measure) or broader.get(d.measure)} against "
                         f"{pair['outcome_definition']}")
        if gap:
            notes.append(f"reference years {gap} apart")
        if d.scope != pair.get("outcome_scope", d.scope):
            notes.append(f"scope {d.scope} against {pair['outcome_scope']}")
        rows.append({
            **base,
            "benchmark_region_id": bench_id,
            "benchmark_level": level,
            "benchmark_name": name,
            "benchmark_measure": d.measure,
            "benchmark_definition": own.get(d.measure) or broader.get(d.measure),
            "benchmark_value": iv.value,
            "benchmark_lower": iv.lower,
            "benchmark_upper": iv.upper,
            "benchmark_period": period_text(d.period_earliest, d.period_latest),
            "benchmark_scope": d.scope,
            "benchmark_inputs": ";".join(d.inputs),
            "match": _MATCH_WORDS[rank],
            "year_gap": gap,
            "difference_value": pair["outcome_value"] - iv.value,
            "difference_lower": -math.inf if math.isnan(low) else low,
            "difference_upper": math.inf if math.isnan(high) else high,
            "note": "; ".join(notes),
        })
    columns = [
        "region_id", "outcome_measure", "outcome_definition", "outcome_value", "outcome_lower",
        "outcome_upper", "outcome_period", "benchmark_region_id", "benchmark_level",
        "benchmark_name", "benchmark_measure", "benchmark_definition", "benchmark_value",
        "benchmark_lower", "benchmark_upper", "benchmark_period", "benchmark_scope",
        "benchmark_inputs", "match", "year_gap", "difference_value", "difference_lower",
        "difference_upper", "note",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for col in columns:
        if col.endswith(("_value", "_lower", "_upper")):
            frame[col] = frame[col].astype("float64")
    frame["year_gap"] = frame["year_gap"].astype("Int64")
    frame.attrs["outcome"] = outcome
    return frame


def relative_to_benchmark(pairs: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Make a cross-section whose outcome is each region's figure minus its benchmark's.

    Keeps the pairs with a benchmark (``benchmarks`` from :func:`province_benchmarks` on
    the same pairs), replaces the outcome columns by the difference and its interval,
    names the outcome ``… minus <level> <definition>`` and adds the benchmark's figure ids
    to ``inputs``. ``attrs["missing"]`` lists the regions left out, with the reason;
    ``attrs["outcome"]`` is ``"<outcome> relative to benchmark"``. Feed it to the same
    rank correlation as the original pairs (a second specification).
    """
    merged = pairs.reset_index(drop=True).copy()
    bench = benchmarks.reset_index(drop=True)
    has = bench["benchmark_region_id"].notna().to_numpy()
    missing = {
        str(r): str(n) for r, n, h in zip(bench["region_id"], bench["note"], has, strict=True)
        if not h
    }
    out = merged[has].copy()
    b = bench[has]
    out["outcome_measure"] = [f"{m}_minus_benchmark" for m in out["outcome_measure"]]
    out["outcome_definition"] = [
        f"{own} minus {level} {definition}"
        for own, level, definition in zip(
            out["outcome_definition"], b["benchmark_level"], b["benchmark_definition"],
            strict=True,
        )
    ]
    out["outcome_value"] = b["difference_value"].to_numpy()
    out["outcome_lower"] = b["difference_lower"].to_numpy()
    out["outcome_upper"] = b["difference_upper"].to_numpy()
    out["inputs"] = [
        f"{a};{c}" for a, c in zip(out["inputs"], b["benchmark_inputs"], strict=True)
    ]
    out = out.reset_index(drop=True)
    out.attrs = {
        "outcome": f"{benchmarks.attrs.get('outcome', '')} relative to benchmark",
        "missing": missing,
    }
    return out
