"""Counting and comparing published estimates (analysis/published.py), on invented rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from published_package import published_package

import dangjian_analysis as dj
from dangjian_analysis import (
    count_estimates,
    estimate_intervals,
    load_estimates,
    load_publications,
    magnitude_groups,
    publication_labels,
    shared_samples,
)
from dangjian_analysis.analysis.published import NO_POOLING, Z_95


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    folder = published_package(tmp_path_factory.mktemp("published") / "pkg")
    return load_estimates(folder), load_publications(folder)


def test_counts_by_outcome_family_with_nulls(tables):
    estimates, _ = tables
    counts = count_estimates(estimates)
    assert counts.to_dict("records") == [
        {"outcome_family": "output_sales", "positive": 3, "negative": 0, "none": 0, "total": 3,
         "publications": 2},
        {"outcome_family": "tax", "positive": 0, "negative": 1, "none": 1, "total": 2,
         "publications": 2},
        {"outcome_family": "performance", "positive": 0, "negative": 1, "none": 0, "total": 1,
         "publications": 1},
    ]


def test_counts_by_design_follow_the_schema_order(tables):
    estimates, _ = tables
    counts = count_estimates(estimates, "design")
    assert list(counts["design"]) == ["cross_section", "psm", "iv", "fixed_effects", "did"]
    assert list(counts["total"]) == [1, 2, 1, 1, 1]
    overall = count_estimates(estimates, None)
    assert overall.iloc[0].to_dict() == {"all": "all", "positive": 3, "negative": 2, "none": 1,
                                         "total": 6, "publications": 3}


def test_counts_of_no_estimates_and_of_an_unknown_column(tables):
    estimates, _ = tables
    assert count_estimates(estimates.iloc[:0]).empty
    assert count_estimates(estimates.iloc[:0], None).empty
    with pytest.raises(KeyError, match="no column 'wave'"):
        count_estimates(estimates, "wave")


def test_shared_samples_name_the_publications_reusing_one_survey(tables):
    estimates, publications = tables
    shared = shared_samples(estimates, publications)
    first = shared.iloc[0]
    assert first["sample"] == "TEST 2012" and bool(first["shared"])
    assert (first["publications"], first["estimates"]) == (2, 3)
    assert first["publication_ids"] == "pub-001;pub-003"
    assert first["cited"] == "测试甲等 2020; 测试丙 2019"
    assert list(shared["shared"]) == [True, False, False]


def test_estimates_without_a_sample_label_are_grouped_with_none(tables):
    estimates, publications = tables
    unlabelled = estimates.assign(sample=pd.Series([math.nan] * len(estimates), dtype="str"))
    assert shared_samples(unlabelled, publications).empty


def test_publication_labels():
    publications = pd.DataFrame({
        "publication_id": ["pub-001", "pub-002", "pub-003", "pub-004", "pub-005"],
        "authors": ["Tester, A.;Other, B.", "Alex Tester", math.nan, "王五", "王五"],
        "year": [2020, 2021, 2018, 2019, 2019],
        "outlet": ["x", "y", "某学报", "z", "z"],
    })
    assert publication_labels(publications) == {
        "pub-001": "Tester et al. 2020",
        "pub-002": "Tester 2021",
        "pub-003": "某学报 2018",
        "pub-004": "王五 2019a",
        "pub-005": "王五 2019b",
    }


def test_magnitude_groups_put_only_like_with_like(tables):
    estimates, _ = tables
    groups = magnitude_groups(estimates)
    assert groups[["outcome_family", "unit", "estimates", "publications", "with_se",
                   "comparable"]].to_dict("records") == [
        {"outcome_family": "output_sales", "unit": "percent", "estimates": 2, "publications": 2,
         "with_se": 1, "comparable": True},
        {"outcome_family": "output_sales", "unit": "log_coefficient", "estimates": 1,
         "publications": 1, "with_se": 1, "comparable": False},
        {"outcome_family": "tax", "unit": "coefficient", "estimates": 1, "publications": 1,
         "with_se": 1, "comparable": False},
        {"outcome_family": "performance", "unit": "odds_ratio", "estimates": 1,
         "publications": 1, "with_se": 1, "comparable": False},
    ]
    assert "not averaged or pooled" in NO_POOLING


def test_intervals_only_where_a_standard_error_is_printed(tables):
    estimates, _ = tables
    rows = estimate_intervals(estimates).set_index("estimate_id")
    assert "est-003" not in rows.index  # a direction only: no magnitude
    assert math.isnan(rows.loc["est-001", "lower"])
    assert rows.loc["est-001", "interval"] == "no standard error printed"
    assert rows.loc["est-002", "lower"] == pytest.approx(0.105 - Z_95 * 0.04)
    assert rows.loc["est-002", "upper"] == pytest.approx(0.105 + Z_95 * 0.04)
    assert rows.loc["est-006", "lower"] == pytest.approx(1.5 - 1.959963984540054 * 0.9)
    assert math.isnan(rows.loc["est-005", "upper"])  # an odds ratio: scale not stated
    assert rows.loc["est-005", "interval"].startswith("odds ratio")
    assert rows.loc["est-002", "group"] == "output_sales / log_coefficient"
    assert list(rows["significant"]) == [True, True, True, True, False]
    narrower = estimate_intervals(estimates, z=1.0).set_index("estimate_id")
    assert narrower.loc["est-004", "upper"] == pytest.approx(-0.021 + 0.007)


def test_firm_level_summary_counts_directions_and_output_or_tax(tables):
    estimates, _ = tables
    assert dj.firm_level_summary(estimates) == (
        "What firm-level studies report is set out in the brief “What firm-level studies "
        "find”: 6 published estimates from 3 publications (3 higher, 2 lower, "
        "1 no relationship found), 5 of them on output or tax."
    )
    assert dj.firm_level_summary(estimates.iloc[0:0]) == ""
