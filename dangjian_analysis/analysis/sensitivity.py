"""How much a rank correlation among a handful of regions rests on single choices.

With three regions a rank correlation takes one of a few values, and moving one region
past another flips it. These functions show where that happens:

- :func:`leave_one_out`: the statistic without each region in turn;
- :func:`sign_segments` and :func:`tipping_points`: for each region, the values of its
  coverage (and of its outcome) at which the statistic keeps its sign, all else fixed;
- :func:`with_alternative`: a cross-section with one more pair for a region, such as a
  value a source claims in words but does not print as a figure;
- :func:`specification_signs`: which region's choice of pair decides the sign over every
  specification of :func:`~dangjian_analysis.analysis.crosssection.specification_range`;
- :func:`open_bound_regions`: the regions whose chosen pair has an open bound (so that a
  convention for closing open bounds can matter at all);
- :func:`timing`: whether each region's coverage is dated before the end of the growth it
  is set against (if not, the data cannot say which came first).

The inputs are cross-section tables (:func:`~dangjian_analysis.analysis.crosssection.cross_section`
rows, usually one per region from
:func:`~dangjian_analysis.analysis.crosssection.preferred_pairs`).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from dangjian_analysis.analysis.formatting import format_number
from dangjian_analysis.analysis.models import (
    InsufficientDataError,
    rank_correlation,
    rank_statistic,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SIGN_WORDS",
    "VARIABLES",
    "leave_one_out",
    "open_bound_regions",
    "sign_segments",
    "specification_signs",
    "timing",
    "tipping_points",
    "with_alternative",
]

#: The two sides of a pair, with the columns of a cross-section table that hold them.
VARIABLES: dict[str, str] = {"coverage": "coverage", "outcome": "outcome"}

#: Words for the sign of a statistic.
SIGN_WORDS = {1: "positive", -1: "negative", 0: "zero"}

_SEGMENT_COLUMNS = [
    "region_id", "variable", "lower", "upper", "lower_closed", "upper_closed",
    "statistic", "sign", "observed", "value",
]


def _sign(value: float) -> float:
    if math.isnan(value):
        return math.nan
    return float(np.sign(round(value, 12)))


def _columns(pairs: pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    regions = [str(r) for r in pairs["region_id"]]
    if len(set(regions)) != len(regions):
        raise ValueError("the table must hold one pair per region (see preferred_pairs)")
    return (
        regions,
        pairs["coverage_value"].to_numpy(dtype="float64"),
        pairs["outcome_value"].to_numpy(dtype="float64"),
    )


def leave_one_out(pairs: pd.DataFrame, *, method: str = "spearman") -> pd.DataFrame:
    """Compute the rank correlation with each region left out in turn.

    Columns: ``left_out``, ``n``, ``statistic`` and ``p_value`` (exact permutation
    p-value; NaN below three regions) and ``note``. Two remaining points always give +1 or
    -1: the note says so, and that no test is possible.
    """
    import pandas as pd

    regions, x, y = _columns(pairs)
    rows = []
    for i, region in enumerate(regions):
        keep = np.arange(len(regions)) != i
        xs, ys = x[keep], y[keep]
        statistic = rank_statistic(xs, ys, method=method)
        p_value, note = math.nan, ""
        if len(xs) >= 3:
            try:
                p_value = rank_correlation(xs, ys, method=method).p_value
            except InsufficientDataError as exc:
                note = str(exc)
        elif len(xs) == 2:
            note = "two points are always ranked +1 or -1: no test"
        else:
            note = "fewer than two points"
        rows.append({"left_out": region, "n": int(keep.sum()), "statistic": statistic,
                     "p_value": p_value, "note": note})
    return pd.DataFrame(rows, columns=["left_out", "n", "statistic", "p_value", "note"])


def sign_segments(
    pairs: pd.DataFrame,
    *,
    method: str = "spearman",
    coverage_domain: tuple[float, float] = (0.0, 1.0),
    outcome_domain: tuple[float, float] = (-math.inf, math.inf),
) -> pd.DataFrame:
    """Compute the statistic for every place one region's value can take among the others.

    For each region and each variable (``coverage``, ``outcome``) the others' values cut
    the variable's domain into open intervals and single points (ties); within each piece
    the ranks, and so the statistic, stay the same. One row per piece: ``region_id``,
    ``variable``, ``lower``, ``upper``, ``lower_closed``, ``upper_closed``, ``statistic``,
    ``sign`` (+1, -1, 0, NaN), ``observed`` (the region's own value lies in it) and
    ``value`` (the region's own value). A
    domain end that is finite belongs to the piece next to it. The domain is widened to
    hold every observed value.
    """
    import pandas as pd

    regions, x, y = _columns(pairs)
    data = {"coverage": x, "outcome": y}
    domains = {"coverage": coverage_domain, "outcome": outcome_domain}
    rows = []
    for i, region in enumerate(regions):
        for variable, values in data.items():
            low = min(domains[variable][0], float(values.min()))
            high = max(domains[variable][1], float(values.max()))
            cuts = sorted({float(v) for j, v in enumerate(values) if j != i})
            inner = [c for c in cuts if low < c < high]
            pieces = [
                (a, b, a == low and math.isfinite(a) and a not in cuts,
                 b == high and math.isfinite(b) and b not in cuts)
                for a, b in pairwise([low, *inner, high])
                if a < b
            ]
            pieces += [(c, c, True, True) for c in cuts if low <= c <= high]
            for a, b, a_closed, b_closed in sorted(pieces):
                if a == b:
                    at = a
                elif math.isinf(a) and math.isinf(b):
                    at = 0.0
                elif math.isinf(a):
                    at = b - 1.0
                elif math.isinf(b):
                    at = a + 1.0
                else:
                    at = (a + b) / 2
                trial = values.copy()
                trial[i] = at
                xs, ys = (trial, y) if variable == "coverage" else (x, trial)
                statistic = rank_statistic(xs, ys, method=method)
                own = float(values[i])
                inside = (a < own < b) or (own == a and a_closed) or (own == b and b_closed)
                rows.append({
                    "region_id": region, "variable": variable, "lower": a, "upper": b,
                    "lower_closed": a_closed, "upper_closed": b_closed,
                    "statistic": statistic, "sign": _sign(statistic), "observed": inside,
                    "value": own,
                })
    frame = pd.DataFrame(rows, columns=_SEGMENT_COLUMNS)
    frame.attrs["method"] = method
    return frame


def _signed(value: float) -> str:
    """``+0.50``, ``-0.87``, ``0.00`` (no sign on zero), ``undefined`` for NaN."""
    if math.isnan(value):
        return "undefined"
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def _range_text(a: float, b: float, a_closed: bool, b_closed: bool, kind: str) -> str:
    low, high = format_number(a, kind), format_number(b, kind)
    if a == b:
        return f"at {low}"
    if math.isinf(a) and math.isinf(b):
        return "at any value"
    if math.isinf(a):
        return f"up to {high}" if b_closed else f"below {high}"
    if math.isinf(b):
        return f"from {low}" if a_closed else f"above {low}"
    left = "[" if a_closed else "("
    right = "]" if b_closed else ")"
    return f"in {left}{low}, {high}{right}"


def tipping_points(
    pairs: pd.DataFrame,
    *,
    method: str = "spearman",
    coverage_domain: tuple[float, float] = (0.0, 1.0),
    outcome_domain: tuple[float, float] = (-math.inf, math.inf),
    outcome_kind: str = "growth_rate",
) -> pd.DataFrame:
    """For each region and variable, the range of its value over which the sign holds.

    Built on :func:`sign_segments`: starting from the piece that holds the region's own
    value, neighbouring pieces are joined while the statistic keeps the observed sign.
    Columns: ``region_id``, ``variable``, ``value``, ``statistic`` (observed), ``lower``,
    ``upper``, ``lower_closed``, ``upper_closed`` (the range), ``below`` and ``above``
    (the statistic just outside the range, NaN where the domain ends), ``flips`` (some
    value in the domain gives the opposite sign), ``opposite`` (those values of the
    statistic, as text), ``text`` (the range in words) and ``pieces`` (every piece with its
    statistic, in order).
    ``outcome_kind`` is the unit kind used to print outcome values.
    """
    import pandas as pd

    segments = sign_segments(
        pairs, method=method, coverage_domain=coverage_domain, outcome_domain=outcome_domain
    )
    regions, x, y = _columns(pairs)
    own = {"coverage": dict(zip(regions, x, strict=True)),
           "outcome": dict(zip(regions, y, strict=True))}
    rows = []
    for (region, variable), group in segments.groupby(["region_id", "variable"], sort=False):
        group = group.reset_index(drop=True)
        k = int(np.flatnonzero(group["observed"].to_numpy())[0])
        sign = group.loc[k, "sign"]
        first = last = k
        while first > 0 and group.loc[first - 1, "sign"] == sign:
            first -= 1
        while last < len(group) - 1 and group.loc[last + 1, "sign"] == sign:
            last += 1
        a, b = group.loc[first, "lower"], group.loc[last, "upper"]
        a_closed, b_closed = bool(group.loc[first, "lower_closed"]), bool(
            group.loc[last, "upper_closed"]
        )
        kind = "ratio" if variable == "coverage" else outcome_kind
        word = SIGN_WORDS.get(int(sign), "undefined") if not math.isnan(sign) else "undefined"
        text = f"{word} for {variable} {_range_text(a, b, a_closed, b_closed, kind)}"
        pieces = "; ".join(
            f"{_range_text(r.lower, r.upper, r.lower_closed, r.upper_closed, kind)}: "
            f"{_signed(r.statistic)}"
            for r in group.itertuples(index=False)
        )
        rows.append({
            "region_id": region, "variable": variable, "value": own[variable][region],
            "statistic": group.loc[k, "statistic"], "lower": a, "upper": b,
            "lower_closed": a_closed, "upper_closed": b_closed,
            "below": group.loc[first - 1, "statistic"] if first > 0 else math.nan,
            "above": group.loc[last + 1, "statistic"] if last < len(group) - 1 else math.nan,
            "flips": bool((group["sign"] == -sign).any()) if sign != 0 else False,
            "opposite": ", ".join(
                dict.fromkeys(_signed(v) for v in group.loc[group["sign"] == -sign, "statistic"])
            ) if sign != 0 else "",
            "text": text,
            "pieces": pieces,
        })
    columns = ["region_id", "variable", "value", "statistic", "lower", "upper", "lower_closed",
               "upper_closed", "below", "above", "flips", "opposite", "text", "pieces"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs["method"] = method
    return frame


def with_alternative(
    cross: pd.DataFrame,
    region_id: str,
    *,
    coverage: float,
    definition: str,
    reason: str,
    inputs: str = "",
    measure: str = "alternative_coverage",
) -> pd.DataFrame:
    """Add to a cross-section one more pair for ``region_id`` with another coverage value.

    The new pair copies the region's first pair (its outcome) and replaces the coverage
    by ``coverage`` (an exact value), with ``definition`` as its coverage definition,
    ``reason`` in its flags and ``inputs`` as the figure ids that record it (by default the
    first pair's). It is numbered after the region's other pairs, so the preferred pair is
    unchanged and :func:`~dangjian_analysis.analysis.crosssection.specification_range`
    runs every combination with it as well.

    Raises:
        ValueError: when the table has no pair for ``region_id``.

    """
    import pandas as pd

    rows = cross[cross["region_id"] == region_id]
    if rows.empty:
        raise ValueError(f"the cross-section has no pair for region {region_id!r}")
    extra = rows.sort_values("pair").iloc[[0]].copy()
    extra["pair"] = int(rows["pair"].max()) + 1
    extra["coverage_measure"] = measure
    extra["coverage_definition"] = definition
    extra["coverage_value"] = extra["coverage_lower"] = extra["coverage_upper"] = float(coverage)
    if inputs:
        extra["inputs"] = inputs
    extra["flags"] = reason
    extra["caveats"] = reason
    extra["assumptions"] = ""
    out = pd.concat([cross, extra], ignore_index=True)
    out = out.sort_values(["region_id", "pair"], kind="stable").reset_index(drop=True)
    out.attrs = dict(cross.attrs)
    return out


def _chosen(pairs_text: str) -> dict[str, int]:
    out = {}
    for part in pairs_text.split(","):
        region, _, number = part.strip().rpartition("#")
        out[region] = int(number)
    return out


def specification_signs(specs: pd.DataFrame, cross: pd.DataFrame) -> pd.DataFrame:
    """Group the specifications by each region's choice of pair and tell the signs apart.

    ``specs`` comes from :func:`~dangjian_analysis.analysis.crosssection.specification_range`
    run on ``cross``. One row per region and pair: ``region_id``, ``pair``,
    ``coverage_definition``, ``coverage_value``, ``outcome_definition``,
    ``specifications`` (how many use that pair), how many of them are ``positive``,
    ``negative`` and ``zero``, the ``lowest`` and ``highest`` statistic, and ``signs`` (the
    counts in words, with those not computed, e.g. ``6 positive``).

    ``attrs["decisive"]`` lists the regions whose choice of pair alone decides the sign:
    no sign occurs under two of its pairs (say every specification with one pair is
    positive and none with the other is); ``attrs["shared"]`` the regions with a single
    pair, shared by every specification.
    """
    import pandas as pd

    chosen = [_chosen(text) for text in specs["pairs"]]
    stats = specs["statistic"].to_numpy(dtype="float64")
    rows = []
    decisive, shared = [], []
    for region, group in cross.groupby("region_id", sort=True):
        signs_by_pair = []
        for _, pair in group.sort_values("pair").iterrows():
            number = int(pair["pair"])
            mask = np.array([c.get(str(region)) == number for c in chosen], dtype=bool)
            values = stats[mask]
            signs = [_sign(v) for v in values]
            signs_by_pair.append({s for s in signs if not math.isnan(s)})
            rows.append({
                "region_id": region, "pair": number,
                "coverage_definition": pair["coverage_definition"],
                "coverage_value": pair["coverage_value"],
                "outcome_definition": pair["outcome_definition"],
                "specifications": int(mask.sum()),
                "positive": signs.count(1.0),
                "negative": signs.count(-1.0),
                "zero": signs.count(0.0),
                "lowest": float(np.nanmin(values)) if np.isfinite(values).any() else math.nan,
                "highest": float(np.nanmax(values)) if np.isfinite(values).any() else math.nan,
                "signs": _signs_text(signs),
            })
        if len(group) == 1:
            shared.append(str(region))
        elif all(signs_by_pair) and all(
            not (a & b) for i, a in enumerate(signs_by_pair) for b in signs_by_pair[i + 1 :]
        ):
            decisive.append(str(region))
    columns = ["region_id", "pair", "coverage_definition", "coverage_value",
               "outcome_definition", "specifications", "positive", "negative", "zero",
               "lowest", "highest", "signs"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs.update(decisive=decisive, shared=shared)
    return frame


def _signs_text(signs: list[float]) -> str:
    """``6 positive`` or ``4 negative, 1 zero, 1 not computed``."""
    counts = {word: sum(1 for s in signs if s == value) for value, word in
              ((1.0, "positive"), (-1.0, "negative"), (0.0, "zero"))}
    parts = [f"{k} {word}" for word, k in counts.items() if k]
    missing = sum(1 for s in signs if math.isnan(s))
    if missing:
        parts.append(f"{missing} not computed")
    return ", ".join(parts) or "none"


def open_bound_regions(pairs: pd.DataFrame) -> list[str]:
    """Regions whose pair has a coverage or outcome bound open on one side (infinite)."""
    bounds = pairs[["coverage_lower", "coverage_upper", "outcome_lower", "outcome_upper"]]
    infinite = ~np.isfinite(bounds.to_numpy(dtype="float64"))
    return [str(r) for r, bad in zip(pairs["region_id"], infinite.any(axis=1), strict=True)
            if bad]


def _years(text: str) -> tuple[int, int] | None:
    import re

    found = [int(y) for y in re.findall(r"\d{4}", str(text))]
    return (min(found), max(found)) if found else None


def timing(pairs: pd.DataFrame) -> pd.DataFrame:
    """Tell for each pair whether coverage is dated before the end of the outcome's period.

    From the years of ``coverage_period`` and ``outcome_period``: coverage whose latest
    possible year is at or after the last year of the outcome's period was measured at or
    after the end of the growth, so the pair cannot show whether coverage came first.
    Columns: ``region_id``, ``coverage_period``, ``outcome_period`` and ``order``
    (``coverage at or after the end``, ``coverage before the end`` or ``unknown``).
    """
    import pandas as pd

    rows = []
    for region, cov, out in zip(
        pairs["region_id"], pairs["coverage_period"], pairs["outcome_period"], strict=True
    ):
        a, b = _years(cov), _years(out)
        if a is None or b is None:
            order = "unknown"
        elif a[1] >= b[1]:
            order = "coverage at or after the end"
        else:
            order = "coverage before the end"
        rows.append({"region_id": str(region), "coverage_period": cov, "outcome_period": out,
                     "order": order})
    return pd.DataFrame(rows, columns=["region_id", "coverage_period", "outcome_period", "order"])
