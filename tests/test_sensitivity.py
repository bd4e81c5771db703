"""Which single choice the sign of the rank correlation rests on, on the bundled data."""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest

import dangjian_analysis as dj
from dangjian_analysis.analysis.crosssection import (
    cross_section,
    preferred_pairs,
    specification_range,
)
from dangjian_analysis.analysis.sensitivity import (
    leave_one_out,
    open_bound_regions,
    sign_segments,
    specification_signs,
    timing,
    tipping_points,
    with_alternative,
)

from conftest import DATA, FLIPPED_FIGURE, read_csv, write_csv


@pytest.fixture(scope="module")
def cross(figures, scopes, settings) -> pd.DataFrame:
    # Since data 1.4.0 Lintao's growth is a forecast (预计), left out by default; the methods
    # are exercised on the labelled specification that adds it, which keeps four regions.
    return cross_section(
        figures, scopes, "output_growth", include_forecasts=True, settings=settings
    )


@pytest.fixture(scope="module")
def pairs(cross) -> pd.DataFrame:
    return preferred_pairs(cross)


def test_leave_one_out_shows_the_sign_rests_on_pinghu(pairs) -> None:
    table = leave_one_out(pairs).set_index("left_out")
    assert table["statistic"].to_dict() == {
        "lintao_park": 0.5, "pinghu": -0.5, "tongcheng": 0.5, "yongchuan": 1.0,
    }
    assert (table["n"] == 3).all()
    # Three points: no ordering reaches p < 0.05, whichever region is left out.
    assert table["p_value"].min() == pytest.approx(1 / 3)


def test_pinghu_coverage_tipping_point(pairs) -> None:
    tips = tipping_points(pairs).set_index(["region_id", "variable"])
    pinghu = tips.loc[("pinghu", "coverage")]
    assert pinghu["statistic"] == pytest.approx(0.4)
    assert (pinghu["lower"], pinghu["upper"]) == pytest.approx((0.0, 0.7252))
    assert pinghu["lower_closed"] and pinghu["upper_closed"]
    assert pinghu["flips"] and pinghu["opposite"] == "-0.20, -0.32, -0.40, -0.63"
    assert pinghu["text"] == "positive for coverage in [0%, 72.52%]"
    assert pinghu["pieces"] == (
        "in [0%, 72.52%): +0.40; at 72.52%: +0.11; in (72.52%, 75%): -0.20; at 75%: -0.32; "
        "in (75%, 100%): -0.40; at 100%: -0.63"
    )
    # Tongcheng's coverage can be anything: the sign holds.
    assert not tips.loc[("tongcheng", "coverage"), "flips"]
    assert tips.loc[("yongchuan", "outcome"), "text"] == "positive for outcome at any value"


def test_sign_segments_cover_the_domain(pairs) -> None:
    segments = sign_segments(pairs)
    assert set(segments.variable) == {"coverage", "outcome"}
    assert segments.groupby(["region_id", "variable"])["observed"].sum().eq(1).all()
    cov = segments[(segments.region_id == "pinghu") & (segments.variable == "coverage")]
    assert cov.lower.min() == 0.0 and cov.upper.max() == 1.0
    out = segments[(segments.region_id == "pinghu") & (segments.variable == "outcome")]
    assert out.lower.min() == -math.inf and out.upper.max() == math.inf
    assert (cov.value == pairs.set_index("region_id").loc["pinghu", "coverage_value"]).all()


def test_claimed_full_coverage_decides_the_sign(cross) -> None:
    plain = specification_signs(specification_range(cross), cross)
    # every specification shares Lintao's and Pinghu's only pair
    assert plain.attrs["shared"] == ["lintao_park", "pinghu"]
    assert plain.attrs["decisive"] == []
    alt = with_alternative(
        cross, "pinghu", coverage=1.0, definition="full coverage as claimed",
        reason="claimed in the article", inputs="ph-010",
    )
    assert len(alt) == len(cross) + 1 and alt.attrs == cross.attrs
    assert preferred_pairs(alt).equals(preferred_pairs(cross))
    specs = specification_range(alt)
    signs = specification_signs(specs, alt)
    # Pinghu's claimed full coverage turns five of six specifications negative, but one
    # stays positive: no single choice decides the sign of every specification.
    assert signs.attrs["decisive"] == []
    rows = signs[signs.region_id == "pinghu"].set_index("pair")
    assert rows.loc[1, "signs"] == "4 positive, 2 zero"
    assert rows.loc[2, "signs"] == "1 positive, 5 negative"
    assert rows.loc[2, "lowest"] == pytest.approx(-0.8)
    assert rows.loc[1, ["positive", "negative", "zero"]].tolist() == [4, 0, 2]
    assert rows.loc[2, ["positive", "negative", "zero", "coverage_value"]].tolist() == [
        1, 5, 0, 1.0,
    ]
    with pytest.raises(ValueError, match="no pair for region"):
        with_alternative(cross, "nowhere", coverage=1.0, definition="x", reason="y")


def test_open_bounds(pairs) -> None:
    assert open_bound_regions(pairs) == []
    opened = pairs.copy()
    opened.loc[0, "coverage_upper"] = math.inf
    assert open_bound_regions(opened) == [str(pairs.loc[0, "region_id"])]


def test_coverage_is_dated_at_or_after_the_growth_it_is_set_against(pairs) -> None:
    table = timing(pairs).set_index("region_id")
    assert (table["order"] == "coverage at or after the end").all()
    assert table.loc["yongchuan", ["coverage_period", "outcome_period"]].tolist() == [
        "7 Jan to 31 Dec 2012", "2011",
    ]
    early = pairs.assign(coverage_period=["2020", "2001", "2010", "nothing"])
    assert timing(early)["order"].tolist() == [
        "coverage before the end", "coverage before the end", "coverage before the end",
        "unknown",
    ]


def test_one_pair_per_region_required(cross) -> None:
    with pytest.raises(ValueError, match="one pair per region"):
        leave_one_out(cross)


def test_more_pinghu_organizations_flip_the_reported_sign(tmp_path, settings) -> None:
    """Give Pinghu a coverage above Yongchuan's 72.52% and Lintao's 75% in a copied package:
    the sign turns."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    rows = read_csv(data / "figures.csv")
    row = next(r for r in rows if r["figure_id"] == FLIPPED_FIGURE["figure_id"])
    assert row["raw"] == "152个"
    row.update(FLIPPED_FIGURE)  # 1200 organizations, as in conftest.flipped_sign_run
    write_csv(data / "figures.csv", rows, list(rows[0]))
    figures, scopes = dj.load_figures(data), dj.load_scopes(data)
    pairs = preferred_pairs(cross_section(figures, scopes, "output_growth", settings=settings))
    assert pairs.set_index("region_id").loc["pinghu", "coverage_value"] == pytest.approx(
        1200 / 1309
    )
    # Three regions since data 1.4.0 (Lintao's forecast is left out): -0.5, not -0.4.
    result = dj.rank_correlation(pairs.coverage_value, pairs.outcome_value)
    assert result.statistic == pytest.approx(-0.5)
    assert result.summary().startswith("spearman -0.500")
    tips = tipping_points(pairs).set_index(["region_id", "variable"])
    assert tips.loc[("pinghu", "coverage"), "text"] == "negative for coverage in (72.52%, 100%]"


def test_a_higher_growth_figure_changes_the_rank_correlation(tmp_path, settings) -> None:
    """Tongcheng's output growth (tc-022) printed as 25.4% instead of 15.4% puts it above
    Yongchuan's 21.8%: the three regions then rank alike on both, and rho is +1, not +0.5.
    (Notebook 03's checked outputs show rho; tests/test_notebooks.py checks that they catch
    a changed figure.)"""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    rows = read_csv(data / "figures.csv")
    row = next(r for r in rows if r["figure_id"] == "tc-022")
    assert row["raw"] == "15.4%"
    row.update(raw="25.4%", value="0.254", lower="0.254", upper="0.254")
    write_csv(data / "figures.csv", rows, list(rows[0]))
    before = preferred_pairs(
        cross_section(dj.load_figures(DATA), dj.load_scopes(DATA), "output_growth",
                      settings=settings)
    )
    after = preferred_pairs(
        cross_section(dj.load_figures(data), dj.load_scopes(data), "output_growth",
                      settings=settings)
    )
    assert after.set_index("region_id").loc["tongcheng", "outcome_value"] == pytest.approx(0.254)
    rho = [dj.rank_correlation(p.coverage_value, p.outcome_value).statistic
           for p in (before, after)]  # fmt: skip
    assert rho == [pytest.approx(0.5), pytest.approx(1.0)]


def test_notebook_03_reports_the_flipped_sign(flipped_sign_run) -> None:
    """Notebook 03 run on the copied package with more Pinghu organizations
    (conftest.flipped_sign_run): its key findings report a negative rank correlation and
    the choice that decides its sign."""
    import json

    import nbformat

    from conftest import FLIPPED_NOTEBOOK

    def findings(notebook) -> str:
        (cell,) = [c for c in notebook.cells if "key-findings" in c.metadata.get("tags", [])]
        (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        return result.data["text/plain"]

    stored = findings(nbformat.read(FLIPPED_NOTEBOOK, as_version=4))
    assert "Spearman's rho is +0.50" in stored and "Pinghu" in stored
    changed = findings(nbformat.read(flipped_sign_run, as_version=4))
    assert "Spearman's rho is -0.50" in changed
    headline = changed.splitlines()[0]
    assert headline != stored.splitlines()[0]
    # With three regions, Pinghu above Yongchuan's 72.5% leaves Yongchuan's choice of
    # coverage figure deciding the sign: the headline says so.
    assert headline == (
        "3 regions, each measured differently, cannot show whether more coverage goes with "
        "faster output growth: the sign rests on how Yongchuan District's coverage is read."
    )
    assert "- The coverage figure for Yongchuan District decides the sign: 72.5%," in changed
    assert json.dumps(changed) != json.dumps(stored)
