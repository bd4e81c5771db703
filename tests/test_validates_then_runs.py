"""A package that validates can be analysed: generated damage either fails validation or
leaves every notebook's analysis functions running (issue #24).

The damage is what careless and unlucky edits make: a count, a rate or a ratio measure's
factor changed *consistently* (``raw``, ``value`` and bounds all agree, so only the
meaning of the number can catch it), an indicator swapped, a share's flag flipped, a
coverage, outcome or capacity measure replaced by another indicator or measure. For
each generated package the property is: ``validate`` refuses it, or
:func:`analysis_run.run_notebook_analysis` runs to the end.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from analysis_run import run_notebook_analysis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian_analysis import DataValidationError, validate
from dangjian_analysis.text.quantity import QuantityParseError, parse_quantity

from conftest import DATA, read_csv, write_csv

# The regions kept: four of the five reports, the national context and the benchmark
# provinces and prefectures, so that every notebook has something to compute.
KEEP = {"tongcheng", "yongchuan", "pinghu", "lishui", "china", "hubei", "chongqing",
        "zhejiang", "jiaxing"}  # fmt: skip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("property") / "base"
    shutil.copytree(DATA, folder)
    rows = [r for r in read_csv(DATA / "figures.csv") if r["region_id"] in KEEP]
    ids = {r["figure_id"] for r in rows}
    for row in rows:
        row["see_also"] = ";".join(i for i in row["see_also"].split(";") if i in ids)
    write_csv(folder / "figures.csv", rows, list(rows[0]))
    doc = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    doc["partial_counts"] = [p for p in doc["partial_counts"] if p["figure_id"] in ids]
    (folder / "analysis.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    validate(folder)
    run_notebook_analysis(folder)  # the undamaged package runs
    return folder


def _kinds() -> dict[str, str]:
    return {r["indicator"]: r["unit_kind"] for r in read_csv(DATA / "indicators.csv")}


KINDS = _kinds()
FIGURES = [r for r in read_csv(DATA / "figures.csv") if r["region_id"] in KEEP]
COUNT_ROWS = [r["figure_id"] for r in FIGURES if KINDS[r["indicator"]] in ("count", "persons")]
RATIO_ROWS = [r["figure_id"] for r in FIGURES if KINDS[r["indicator"]] == "ratio"]
INDICATORS = sorted(KINDS)
# Measures a curator may name in analysis.json: indicators, ratio measures, growth measures.
_RATIOS = json.loads((DATA / "analysis.json").read_text("utf-8"))["ratio_measures"]
MEASURES = sorted(
    {*KINDS, *(f"{code}_growth_1y" for code in KINDS), *(f"{code}_cagr" for code in KINDS)}
    | {m["measure"] for m in _RATIOS}
)

numbers = st.one_of(
    st.integers(-10**6, 10**7).map(str),
    st.decimals(-1e6, 1e7, places=3, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["0", "-927", "927.0000001", "0.5", "1e308"]),
)


@st.composite
def figure_edits(draw) -> tuple[str, dict[str, str]]:
    """A figure whose printed number is replaced, raw and numbers kept consistent."""
    if draw(st.booleans()):
        fid = draw(st.sampled_from(COUNT_ROWS))
        unit = draw(st.sampled_from(["家", "个", "名", "人", ""]))
        raw = f"{draw(numbers)}{unit}"
    else:
        fid = draw(st.sampled_from(RATIO_ROWS))
        raw = f"{draw(numbers)}%"
    cells = {"raw": raw}
    try:
        q = parse_quantity(raw)
    except QuantityParseError:
        return fid, cells
    fmt = lambda x: "" if x is None else repr(x)  # noqa: E731
    cells.update(value=fmt(q.value), lower=fmt(q.lower), upper=fmt(q.upper), qualifier=q.qualifier)
    return fid, cells


factors = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -1.0, 1e308, 1e-308, 0.5, 1e9, 1e10]),
    st.floats(allow_nan=True, allow_infinity=True),
)


@st.composite
def damages(draw) -> dict:
    damage: dict = {"figures": [], "settings": []}
    for _ in range(draw(st.integers(0, 2))):
        damage["figures"].append(draw(figure_edits()))
    if draw(st.booleans()):
        fid = draw(st.sampled_from([r["figure_id"] for r in FIGURES]))
        damage["figures"].append((fid, {"indicator": draw(st.sampled_from(INDICATORS))}))
    if draw(st.booleans()):
        damage["settings"].append(("factor", draw(st.integers(0, 7)), draw(factors)))
    if draw(st.booleans()):
        damage["settings"].append(("share", draw(st.integers(0, 7)), draw(st.booleans())))
    if draw(st.booleans()):
        part = draw(st.sampled_from(["coverage_measures", "outcomes", "capacity_measures"]))
        damage["measures"] = [(part, draw(st.integers(0, 7)), draw(st.sampled_from(MEASURES)))]
    return damage


def apply(base: Path, folder: Path, damage: dict) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(base, folder)
    rows = read_csv(folder / "figures.csv")
    by_id = {r["figure_id"]: r for r in rows}
    for fid, cells in damage["figures"]:
        by_id[fid].update(cells)
    write_csv(folder / "figures.csv", rows, list(rows[0]))
    doc = json.loads((folder / "analysis.json").read_text(encoding="utf-8"))
    for key, i, value in damage["settings"]:
        doc["ratio_measures"][i % len(doc["ratio_measures"])][key] = value
    for part, i, measure in damage.get("measures", []):
        items = doc["capacity"]["measures"] if part == "capacity_measures" else doc[part]
        items[i % len(items)]["measure"] = measure
    (folder / "analysis.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return folder


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damage=damages())
def test_a_package_that_validates_runs_every_notebooks_analysis(base, tmp_path, damage):
    folder = apply(base, tmp_path / "damaged", damage)
    try:
        validate(folder)
    except DataValidationError:
        return  # refused, with the file, row and column named
    run_notebook_analysis(folder)


@pytest.mark.parametrize(
    "damage",
    [
        # issue #24, bad case 1: a negative count, and a fractional one
        {"figures": [("tc-001", {"raw": "-927家", "value": "-927", "lower": "-927",
                                 "upper": "-927"})], "settings": []},
        {"figures": [("tc-001", {"raw": "927.0000001家", "value": "927.0000001",
                                 "lower": "927.0000001", "upper": "927.0000001"})],
         "settings": []},
        # bad case 2: a nonsense factor
        {"figures": [], "settings": [("factor", 0, math.nan)]},
        {"figures": [], "settings": [("factor", 0, 0)]},
        {"figures": [], "settings": [("factor", 0, -1)]},
        {"figures": [], "settings": [("factor", 0, 1e308)]},
    ],
    ids=["count-negative", "count-fraction", "factor-nan", "factor-0", "factor-minus-1",
         "factor-1e308"],
)  # fmt: skip
def test_the_damage_that_broke_the_notebooks_is_refused(base, tmp_path, damage):
    folder = apply(base, tmp_path / "damaged", damage)
    with pytest.raises(DataValidationError):
        validate(folder)
