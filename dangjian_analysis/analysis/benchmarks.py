"""Each region against its province or prefecture: benchmarks of the same measure only.

A county that grew 15% in a year when its whole province grew 12% did 3 percentage points
better than its province. Subtracting the province's figure removes what every place in
the province shared in that year (the business cycle, prices, provincial policy); it does
not remove anything particular to the region (its industries, its size, how its report
measured growth), and it makes the comparison depend on a second figure.

A *benchmark* is a figure about one of the ``benchmark_regions`` of the package's analysis
settings (a province or a prefecture whose figures were curated to compare with, not to
study) that contains the study region: reached through ``parent_region_id``, or, by its
``level`` (:data:`BENCHMARK_LEVELS`), the same ``province_en``/``province_zh`` (a
province) or ``prefecture_en``/``prefecture_zh`` (a prefecture).

A benchmark is the same measure or it is not one (:func:`province_benchmarks`): it must
match the region's outcome in measure family and kind (the same measure: gross output is
not value added, a one-year rate is not a compound rate over nineteen years), in scope (the
same scope or one nested in the other) and in period (the same reference period, to the
day). Where the prefecture and the province both match, the prefecture is preferred. Where
nothing matches, the row says :data:`NO_COMPARABLE` and no difference is computed.
Differences are in percentage points (:data:`DIFFERENCE_UNIT`).

How much the choice of a benchmark can matter is shown by :func:`benchmark_choice_signs`:
the sign of the rank correlation of coverage with region-minus-benchmark growth over every
benchmark figure the data hold, comparable or not.
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
    "DIFFERENCE_UNIT",
    "NO_BENCHMARK",
    "NO_COMPARABLE",
    "PREFECTURE",
    "PREFERENCE",
    "benchmark_choice_signs",
    "benchmark_regions",
    "price_basis",
    "province_benchmarks",
    "relative_to_benchmark",
]

#: ``regions.level`` of a prefecture (地级市), which contains counties and county-level cities.
PREFECTURE = "prefecture-level city"

#: ``regions.level`` values of the regions whose figures serve as benchmarks.
BENCHMARK_LEVELS: tuple[str, ...] = ("province", PREFECTURE)

#: Said of a region for which the data package holds no benchmark figure.
NO_BENCHMARK = "no provincial figure in this data package"

#: Said of a region whose benchmark figures all differ in measure, scope or period.
NO_COMPARABLE = "no comparable benchmark"

#: Order of preference among comparable benchmarks: the prefecture, then the province.
PREFERENCE: tuple[str, ...] = (PREFECTURE, "province")

#: The unit of a difference of two growth rates.
DIFFERENCE_UNIT = "percentage points"



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


def price_basis(measure: str) -> str:
    """Say what is known about a growth measure's prices: nominal, or not stated.

    Empty for a measure that is not a growth rate. A compound rate (``…_cagr``) is derived
    from two levels in yuan, which the package holds at current prices as printed:
    nominal. A rate as printed (``…_growth_1y``) carries no price basis in the data
    (sources rarely say whether it is at current or comparable prices), so nothing is
    claimed.
    """
    if measure.endswith(GROWTH_SUFFIXES[1]):
        return "nominal (from levels in current yuan)"
    if measure.endswith(GROWTH_SUFFIXES[0]):
        return "not stated"
    return ""


def _nested(scopes: pd.DataFrame, a: str, b: str) -> bool:
    from dangjian_analysis.analysis.derived import scope_chain

    return a == b or b in scope_chain(scopes, a) or a in scope_chain(scopes, b)


def _own_value(pool: Sequence[Derived], pair: dict[str, Any]) -> Derived | None:
    """Find the derived value behind a pair's outcome (same region, measure and input ids)."""
    inputs = set(str(pair.get("inputs", "")).split(";"))
    for d in pool:
        if (
            d.region_id == str(pair["region_id"])
            and d.measure == str(pair["outcome_measure"])
            and set(d.inputs) <= inputs
        ):
            return d
    return None


def _differences(d: Derived, own: Derived | None, scopes: pd.DataFrame) -> list[str]:
    """List what keeps value ``d`` from matching the outcome ``own`` (empty: it matches)."""
    if own is None:
        return ["the outcome's own period is not known"]
    out = []
    if d.measure != own.measure:
        out.append(f"another measure ({d.measure})")
    if not _nested(scopes, d.scope, own.scope):
        out.append(f"another scope ({d.scope})")
    if (d.period_earliest, d.period_latest) != (own.period_earliest, own.period_latest):
        out.append(f"another period ({period_text(d.period_earliest, d.period_latest)})")
    return out



def _pairs_outcome(pairs: pd.DataFrame, outcome: str | None, settings: AnalysisSettings) -> str:
    """Return the outcome asked for, else the pairs' own; it must be one of the settings'."""
    outcome = outcome or pairs.attrs.get("outcome")
    if outcome not in settings.outcomes:
        raise ValueError(f"outcome must be one of {sorted(settings.outcomes)}, got {outcome!r}")
    return outcome

def province_benchmarks(
    pairs: pd.DataFrame,
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    regions: pd.DataFrame,
    *,
    outcome: str | None = None,
    levels: Sequence[str] = BENCHMARK_LEVELS,
    prefer: Sequence[str] = PREFERENCE,
    open_bounds: str = "strict",
    settings: AnalysisSettings,
) -> pd.DataFrame:
    """Find each pair's comparable benchmark: the same measure, scope and period.

    The candidates are the values of the outcome's measures (the ``outcomes`` of the
    package's analysis settings, ``settings``) for the
    benchmark regions that contain the pair's region. A candidate is comparable only when
    it is the same measure as the pair's outcome, its scope is the outcome's or nested in
    it (or the other way round), and its reference period is the outcome's, to the day.
    Among comparable candidates the level first in ``prefer`` wins (the prefecture before
    the province), then the lowest input ids.

    ``pairs`` are cross-section rows (usually one per region, from ``preferred_pairs``);
    ``outcome`` defaults to ``pairs.attrs["outcome"]``. One row per pair: ``region_id``,
    the pair's ``outcome_measure``, ``outcome_definition``, ``outcome_value``,
    ``outcome_lower``, ``outcome_upper``, ``outcome_period``, ``outcome_price_basis``; the
    benchmark's ``benchmark_region_id``, ``benchmark_level``, ``benchmark_name``,
    ``benchmark_measure``, ``benchmark_definition``, ``benchmark_value``,
    ``benchmark_lower``, ``benchmark_upper``, ``benchmark_period``, ``benchmark_scope``,
    ``benchmark_inputs``, ``benchmark_price_basis``; the ``difference`` (region minus
    benchmark, in percentage points as a fraction: 0.03 is 3 points) as
    ``difference_value``, ``difference_lower``, ``difference_upper`` (an interval from both
    bounds); ``comparable``; and a ``note``: :data:`NO_BENCHMARK` where the package holds
    no benchmark region or figure, else :data:`NO_COMPARABLE` with what keeps the nearest
    candidate of each benchmark region from matching. Benchmark and difference columns are
    empty (NaN) without a comparable benchmark: no difference is computed.

    Raises:
        ValueError: on an unknown outcome.

    """
    import pandas as pd

    outcome = _pairs_outcome(pairs, outcome, settings)
    links = benchmark_regions(regions, levels=levels, settings=settings)
    by_region: dict[str, list[tuple[str, str, str]]] = {}
    for row in links.itertuples(index=False):
        by_region.setdefault(row.region_id, []).append(
            (row.benchmark_id, row.benchmark_level, row.benchmark_name)
        )
    pool, own_measures, broader = _pool(figures, scopes, outcome, open_bounds, settings)
    rank = {level: i for i, level in enumerate(prefer)}
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
            "outcome_price_basis": price_basis(measure),
            "comparable": False,
        }
        benches = {b[0]: b for b in by_region.get(region, [])}
        if not benches:
            rows.append({**base, "note": NO_BENCHMARK})
            continue
        own = _own_value(pool, pair)
        candidates = [d for d in pool if d.region_id in benches]
        if not candidates:
            names = ", ".join(b[2] for b in benches.values())
            rows.append({**base, "note": f"{NO_BENCHMARK} ({names}: no {outcome} figure)"})
            continue
        matches = [d for d in candidates if not _differences(d, own, scopes)]
        if not matches:
            rows.append({**base, "note": _no_match_note(candidates, own, scopes, benches)})
            continue
        d = min(
            matches,
            key=lambda m: (rank.get(benches[m.region_id][1], len(rank)), m.inputs),
        )
        bench_id, level, name = benches[d.region_id]
        iv = d.interval
        low = pair["outcome_lower"] - iv.upper
        high = pair["outcome_upper"] - iv.lower
        rows.append({
            **base,
            "benchmark_region_id": bench_id,
            "benchmark_level": level,
            "benchmark_name": name,
            "benchmark_measure": d.measure,
            "benchmark_definition": own_measures.get(d.measure) or broader.get(d.measure),
            "benchmark_value": iv.value,
            "benchmark_lower": iv.lower,
            "benchmark_upper": iv.upper,
            "benchmark_period": period_text(d.period_earliest, d.period_latest),
            "benchmark_scope": d.scope,
            "benchmark_inputs": ";".join(d.inputs),
            "benchmark_price_basis": price_basis(d.measure),
            "comparable": True,
            "difference_value": pair["outcome_value"] - iv.value,
            "difference_lower": -math.inf if math.isnan(low) else low,
            "difference_upper": math.inf if math.isnan(high) else high,
            "note": f"same measure, scope and period; difference in {DIFFERENCE_UNIT}",
        })
    columns = [
        "region_id", "outcome_measure", "outcome_definition", "outcome_value", "outcome_lower",
        "outcome_upper", "outcome_period", "outcome_price_basis", "benchmark_region_id",
        "benchmark_level", "benchmark_name", "benchmark_measure", "benchmark_definition",
        "benchmark_value", "benchmark_lower", "benchmark_upper", "benchmark_period",
        "benchmark_scope", "benchmark_inputs", "benchmark_price_basis", "comparable",
        "difference_value", "difference_lower", "difference_upper", "note",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for col in columns:
        if col.endswith(("_value", "_lower", "_upper")):
            frame[col] = frame[col].astype("float64")
    frame["comparable"] = frame["comparable"].astype("bool")
    frame.attrs["outcome"] = outcome
    frame.attrs["difference_unit"] = DIFFERENCE_UNIT
    return frame


def _no_match_note(
    candidates: Sequence[Derived],
    own: Derived | None,
    scopes: pd.DataFrame,
    benches: dict[str, tuple[str, str, str]],
) -> str:
    """Say, per benchmark region, what keeps its nearest candidate from matching."""
    parts = []
    for bench_id, (_, _, name) in benches.items():
        mine = [d for d in candidates if d.region_id == bench_id]
        if not mine:
            parts.append(f"{name}: no figure of the outcome")
            continue
        nearest = min(
            mine,
            key=lambda d: (
                len(_differences(d, own, scopes)),
                own is None or d.measure != own.measure,
                d.inputs,
            ),
        )
        why = ", ".join(_differences(nearest, own, scopes))
        parts.append(f"{name}: nearest {';'.join(nearest.inputs)} has {why}")
    return f"{NO_COMPARABLE} ({'; '.join(parts)})"


def benchmark_choice_signs(
    pairs: pd.DataFrame,
    figures: pd.DataFrame,
    scopes: pd.DataFrame,
    regions: pd.DataFrame,
    *,
    outcome: str | None = None,
    same_years: bool = True,
    method: str = "spearman",
    levels: Sequence[str] = BENCHMARK_LEVELS,
    open_bounds: str = "strict",
    settings: AnalysisSettings,
) -> pd.DataFrame:
    """Count the signs of the region-minus-benchmark correlation over every benchmark choice.

    For each pair's region, the *choices* are every value of the outcome's measures and of
    the broader ``benchmark_measures`` of the package's analysis settings (``settings``;
    GDP growth for output growth) that a benchmark
    region containing it holds, comparable or not; with ``same_years`` only those whose
    reference years overlap the outcome's. Regions with no choice are left out. Every
    combination of one choice per region gives a rank correlation (``method``) of coverage
    with the region's outcome minus the chosen figure, at the printed values.

    One row per combination: ``choice`` (1, 2, …), ``benchmarks`` (``region: figure ids``,
    by region), ``statistic`` and ``sign`` (``positive``, ``negative`` or ``zero``; NaN
    statistics count as zero). ``attrs``: ``outcome``, ``regions`` (the regions used),
    ``choices`` (their number of choices, by region) and ``counts`` (combinations by sign).
    Fewer than three regions with choices give an empty frame.

    Raises:
        ValueError: on an unknown outcome.

    """
    import itertools

    import pandas as pd

    from dangjian_analysis.analysis.models import rank_statistic

    outcome = _pairs_outcome(pairs, outcome, settings)
    links = benchmark_regions(regions, levels=levels, settings=settings)
    pool, _, _ = _pool(figures, scopes, outcome, open_bounds, settings)
    used: list[dict[str, Any]] = []
    options: list[list[Derived]] = []
    for pair in sorted(pairs.to_dict("records"), key=lambda p: str(p["region_id"])):
        region = str(pair["region_id"])
        benches = set(links.loc[links["region_id"] == region, "benchmark_id"])
        years = _years(pair["outcome_period"])
        mine = [
            d for d in pool
            if d.region_id in benches
            and (not same_years or years is None or _overlaps(d, years))
        ]
        if mine:
            used.append(pair)
            options.append(sorted(mine, key=lambda d: (d.region_id, d.inputs)))
    rows = []
    if len(used) >= 3:
        coverage = [float(p["coverage_value"]) for p in used]
        for number, combo in enumerate(itertools.product(*options), start=1):
            diff = [float(p["outcome_value"]) - d.interval.value
                    for p, d in zip(used, combo, strict=True)]
            stat = rank_statistic(coverage, diff, method=method)
            sign = "positive" if stat > 0 else "negative" if stat < 0 else "zero"
            rows.append({
                "choice": number,
                "benchmarks": "; ".join(
                    f"{p['region_id']}: {';'.join(d.inputs)}"
                    for p, d in zip(used, combo, strict=True)
                ),
                "statistic": stat,
                "sign": sign,
            })
    frame = pd.DataFrame(rows, columns=["choice", "benchmarks", "statistic", "sign"])
    frame["statistic"] = frame["statistic"].astype("float64")
    counts = frame["sign"].value_counts()
    frame.attrs = {
        "outcome": outcome,
        "regions": [str(p["region_id"]) for p in used] if len(used) >= 3 else [],
        "choices": {str(p["region_id"]): len(o) for p, o in zip(used, options, strict=True)},
        "counts": {s: int(counts.get(s, 0)) for s in ("positive", "negative", "zero")},
    }
    return frame


def _overlaps(d: Derived, years: tuple[int, int]) -> bool:
    start, end = int(d.period_earliest[:4]), int(d.period_latest[:4])
    return not (end < years[0] or years[1] < start)


def relative_to_benchmark(pairs: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Make a cross-section whose outcome is each region's figure minus its benchmark's.

    Keeps the pairs with a comparable benchmark (``benchmarks`` from :func:`province_benchmarks` on
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
