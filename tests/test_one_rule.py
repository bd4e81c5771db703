"""One rule for each thing: the column-wise derived values equal the scalar rule."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

import dangjian_analysis as dj
from dangjian_analysis.analysis.intervals import interval_bounds, ratio, scale

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from synthetic import make_package


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = make_package(tmp_path_factory.mktemp("syn") / "pkg", regions=40, years=8, seed=3)
    data = dj.load_package(folder)
    return data.figures, data.scopes, data.settings


def _packages(figures, scopes, synthetic, settings=None):
    return {"bundled": (figures, scopes, settings), "synthetic": synthetic}


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
@pytest.mark.parametrize("policy", ["strict", "printed_step"])
def test_interval_bounds_equal_interval_from_figure(figures, scopes, synthetic, which, policy):
    frame, _, _ = _packages(figures, scopes, synthetic)[which]
    frame = frame[frame["entity"].isna()]
    low, high, assumed = interval_bounds(
        frame["value"].to_numpy(), frame["lower"].to_numpy(), frame["upper"].to_numpy(),
        frame["unit_kind"].tolist(), frame["raw"].tolist(), open_bounds=policy,
    )
    for i, row in enumerate(frame.to_dict("records")):
        interval, used = dj.interval_from_figure(row, open_bounds=policy)
        assert (interval.lower, interval.upper, used) == (low[i], high[i], assumed[i])


def _quotient(a: float, b: float) -> float:
    if b == 0:
        return math.inf if a > 0 else math.nan
    if math.isinf(b):
        return 0.0 if math.isfinite(a) else math.inf
    return a / b


def _corner_ratio(n: dj.Interval, d: dj.Interval) -> tuple[float, float]:
    """Independent oracle: the extreme quotients over the corners of the two intervals."""
    corners = [_quotient(a, b) for a in (n.lower, n.upper) for b in (d.lower, d.upper)]
    corners = [c for c in corners if not math.isnan(c)] + [n.value / d.value]
    return min(corners), max(corners)


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
@pytest.mark.parametrize("policy", ["strict", "printed_step"])
def test_derived_ratios_equal_the_scalar_ratio(
    figures, scopes, settings, synthetic, which, policy
):
    frame, scope_table, settings = _packages(figures, scopes, synthetic, settings)[which]
    by_id = {row["figure_id"]: row for row in frame.to_dict("records")}
    measures = {m.name: m for m in settings.ratio_measures}
    values = dj.derived_ratios(frame, scope_table, open_bounds=policy, settings=settings)
    assert values, "no derived ratio to compare"
    for d in values:
        numerator, denominator = (
            dj.interval_from_figure(by_id[i], open_bounds=policy)[0] for i in d.inputs
        )
        factor = measures[d.measure].factor
        expected = ratio(numerator, denominator)
        assert (expected.lower, expected.upper) == pytest.approx(
            _corner_ratio(numerator, denominator)
        )
        if factor != 1.0:
            expected = scale(expected, factor)
        numerator_scope, denominator_scope = (by_id[i]["scope"] for i in d.inputs)
        within = numerator_scope == denominator_scope or denominator_scope in dj.scope_chain(
            scope_table, numerator_scope
        )
        if measures[d.measure].share and within and expected.value <= 1:
            # derived_ratios caps a share of a population at 100% (documented there)
            expected = dj.Interval(expected.value, expected.lower, min(expected.upper, 1.0))
        got = d.interval
        for a, b in ((got.value, expected.value), (got.lower, expected.lower),
                     (got.upper, expected.upper)):
            assert a == pytest.approx(b, rel=1e-12) or (math.isinf(a) and a == b), d
