"""Estimators of the firm-panel toolkit against synthetic panels with a planted effect.

Synthetic panels test methods; they are never evidence about China. Panels here are small
(300 firms, 6 years, 30 regions) so the file runs in seconds; benchmarks/bench_firm.py
runs 200 seeds at larger sizes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import dangjian_analysis as dj

SMALL = {"n_firms": 300, "years": 6, "n_regions": 30}
SEEDS = range(40)


def small_panel(seed: int, **options) -> pd.DataFrame:
    return dj.synthetic_firm_panel(**{**SMALL, **options}, seed=seed)


# --- the synthetic panel -------------------------------------------------------------


def test_the_synthetic_panel_is_deterministic_and_seeded():
    a = dj.synthetic_firm_panel(50, 5, seed=3, n_regions=4)
    b = dj.synthetic_firm_panel(50, 5, seed=3, n_regions=4)
    c = dj.synthetic_firm_panel(50, 5, seed=4, n_regions=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["output"].equals(c["output"])
    assert a.attrs["truth"] == b.attrs["truth"]
    assert a.attrs["synthetic"]["waves"] == [2010, 2011]


def test_the_synthetic_panel_plants_staggered_selected_adoption():
    panel = dj.synthetic_firm_panel(2000, 10, seed=1)
    first = panel[panel["year"] == 2008].set_index("firm_id")
    last = panel[panel["year"] == 2017].set_index("firm_id")
    # 5% had an organization before the panel, 40% set one up during it.
    assert first["has_party_org"].mean() == pytest.approx(0.05)
    assert last["has_party_org"].mean() == pytest.approx(0.45)
    adopters = last["has_party_org"] & ~first["has_party_org"]
    cohorts = panel[panel["has_party_org"]].groupby("firm_id")["year"].min()[adopters[adopters]
                                                                                .index]
    assert sorted(cohorts.unique()) == [2010, 2011, 2013, 2014, 2016, 2017]
    # Selection: adopters were larger before adoption.
    log_emp = np.log(first["employees"].astype(float))
    assert log_emp[adopters].mean() - log_emp[~last["has_party_org"]].mean() > 0.5
    # The truth: a constant effect of 0.05 unless told otherwise.
    assert panel.attrs["truth"]["output"]["att"] == pytest.approx(0.05)
    # Above-scale flag follows the 2011 threshold change.
    sales = panel["sales"].to_numpy()
    threshold = np.where(panel["year"].to_numpy() >= 2011, 20e6, 5e6)
    assert (panel["above_scale"].to_numpy(dtype=bool) == (sales >= threshold)).all()


def test_cohort_effects_and_ramps_set_the_truth():
    panel = dj.synthetic_firm_panel(500, 8, effect=0.1, seed=2, cohort_spread=0.05)
    effects = panel.attrs["truth"]["cohort_effects"]
    assert min(effects.values()) == pytest.approx(0.05)
    assert max(effects.values()) == pytest.approx(0.15)
    ramp = dj.synthetic_firm_panel(500, 8, effect=0.1, seed=2, ramp_years=3)
    assert ramp.attrs["truth"]["output"]["att"] < 0.1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"years": 3}, "years: expected at least 4 years"),
        ({"years": [2010, 2011, 2013, 2014]}, "consecutive"),
        ({"adoption_share": 1.2}, "adoption_share"),
        ({"years": range(1990, 2000)}, "no above-scale threshold is known before 1998"),
    ],
)
def test_synthetic_panel_arguments_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        dj.synthetic_firm_panel(**{"n_firms": 50, **options})


# --- the estimators -----------------------------------------------------------------


def test_firm_effects_returns_the_tidy_frame():
    panel = small_panel(0)
    effects = dj.firm_effects(panel)
    assert list(effects.columns) == [
        "estimator", "estimate", "std_error", "ci_low", "ci_high", "n_firms", "n_obs",
        "n_clusters", "note",
    ]
    assert list(effects["estimator"]) == [
        "naive cross-section", "two-way fixed effects", "Sun-Abraham (staggered)",
        "propensity-score weighting",
    ]
    assert (effects["n_clusters"] == 30).all()
    sa = effects.iloc[2]
    assert sa["n_firms"] == 285  # 15 firms with an organization from the start left out
    assert sa["n_obs"] == 285 * 6
    assert "15 firms with an organization from their first year left out" in sa["note"]
    half = (sa["ci_high"] - sa["ci_low"]) / 2
    assert half == pytest.approx(1.959964 * sa["std_error"], rel=1e-5)


def test_the_staggered_estimator_covers_the_planted_effect_in_90_percent_of_40_seeds():
    covered = 0
    for seed in SEEDS:
        panel = small_panel(seed)
        row = dj.firm_effects(panel, estimators=("sun_abraham",)).iloc[0]
        truth = panel.attrs["truth"]["output"]["att"]
        covered += row["ci_low"] <= truth <= row["ci_high"]
    assert covered >= 36, f"covered the truth in {covered} of 40 seeds"


def test_the_naive_estimate_misses_the_truth_by_more_than_two_standard_errors():
    for seed in range(5):
        panel = small_panel(seed)
        row = dj.firm_effects(panel, estimators=("naive",)).iloc[0]
        truth = panel.attrs["truth"]["output"]["att_last_year"]
        assert row["estimate"] - truth > 2 * row["std_error"]
        assert not row["ci_low"] <= truth <= row["ci_high"]


def test_without_selection_the_naive_estimate_is_not_biased():
    z = []
    for seed in range(10):
        panel = small_panel(seed, selection_size=0, selection_growth=0, selection_unobserved=0)
        row = dj.firm_effects(panel, estimators=("naive",)).iloc[0]
        z.append((row["estimate"] - 0.05) / row["std_error"])
    assert abs(np.mean(z)) < 1.0


def test_a_planted_pre_trend_is_flagged_in_80_percent_of_seeds():
    flagged = sum(dj.event_study(small_panel(s, pre_trend=0.05)).pretrend_p < 0.05
                  for s in range(20))
    assert flagged >= 16, f"flagged in {flagged} of 20 seeds"
    false_alarms = sum(dj.event_study(small_panel(s)).pretrend_p < 0.05 for s in range(10))
    assert false_alarms <= 3


def test_the_event_study_returns_leads_lags_and_the_reference_year():
    study = dj.event_study(small_panel(1))
    coefs = study.coefficients
    assert list(coefs.columns) == ["rel_time", "estimate", "std_error", "ci_low", "ci_high",
                                   "n_obs"]
    # Campaigns in 2010-2012, adoption that year or the next: cohorts 2010-2013 of 2008-2013.
    assert coefs["rel_time"].tolist() == list(range(-5, 4))
    reference = coefs[coefs["rel_time"] == -1].iloc[0]
    assert reference["estimate"] == 0 and reference["std_error"] == 0
    assert study.pretrend_df == (4, 29)
    assert 0 <= study.pretrend_p <= 1
    lags = coefs[coefs["rel_time"] >= 0]
    assert ((lags["ci_low"] < 0.05) & (lags["ci_high"] > 0.05)).sum() >= 3
    window = dj.event_study(small_panel(1), window=(-2, 2)).coefficients
    assert window["rel_time"].tolist() == [-2, -1, 0, 1, 2]


def test_two_way_fixed_effects_is_biased_by_effects_that_grow_while_sun_abraham_is_not():
    panel = dj.synthetic_firm_panel(3000, 10, effect=0.2, seed=5, ramp_years=5, n_regions=40)
    effects = dj.firm_effects(panel, estimators=("twfe", "sun_abraham")).set_index("estimator")
    truth = panel.attrs["truth"]["output"]["att"]
    twfe = effects.loc["two-way fixed effects"]
    sa = effects.loc["Sun-Abraham (staggered)"]
    assert truth - twfe["estimate"] > 2 * twfe["std_error"]
    assert sa["ci_low"] <= truth <= sa["ci_high"]


def test_did2s_recovers_the_effect_too():
    panel = small_panel(3)
    row = dj.firm_effects(panel, estimators=("did2s",)).iloc[0]
    assert row["estimator"] == "Gardner two-stage (did2s)"
    assert row["ci_low"] <= panel.attrs["truth"]["output"]["att"] <= row["ci_high"]


def test_the_balance_table_shows_weighting_balances_what_is_measured():
    balance = dj.balance_table(dj.synthetic_firm_panel(2000, 6, seed=0, n_regions=30))
    assert balance["covariate"].tolist() == [
        "log_employees", "employment_growth", "age", "owner_party_member",
    ]
    before = balance.set_index("covariate")["smd_before"]
    assert before["log_employees"] > 0.5
    assert before["employment_growth"] > 0.3
    assert (balance["smd_after"].abs() < 0.1).all()


def test_weighting_leaves_the_bias_from_unobserved_productivity():
    panel = small_panel(4)
    row = dj.firm_effects(panel, estimators=("psw",)).iloc[0]
    assert row["estimate"] - panel.attrs["truth"]["output"]["att_last_year"] > 0.05
    assert "balances only what is measured" in row["note"]


def test_tax_is_an_outcome_too():
    panel = small_panel(6, effect=0.05, tax_effect=0.2)
    row = dj.firm_effects(panel, "tax_paid", estimators=("sun_abraham",)).iloc[0]
    assert panel.attrs["truth"]["tax_paid"]["att"] == pytest.approx(0.2)
    assert row["ci_low"] <= 0.2 <= row["ci_high"]


def test_few_regions_are_flagged():
    panel = dj.synthetic_firm_panel(200, 6, seed=0, n_regions=8)
    effects = dj.firm_effects(panel, estimators=("twfe",))
    assert "only 8 regions: clustered standard errors are too small" in effects["note"].iat[0]


def test_bad_requests_are_refused():
    panel = small_panel(0)
    with pytest.raises(ValueError, match="outcome: expected one of"):
        dj.firm_effects(panel, "profit")
    with pytest.raises(ValueError, match="estimators: expected keys"):
        dj.firm_effects(panel, estimators=("ols",))
    negative = panel.assign(output=panel["output"].where(panel.index != 7, 0.0))
    with pytest.raises(ValueError, match=r"1 firm-year\(s\) with a value of 0 or less"):
        dj.firm_effects(negative)
    with pytest.raises(ValueError, match="no firm-year with a value of output"):
        dj.firm_effects(panel.iloc[:0])
    everyone = panel.assign(has_party_org=panel["year"] >= 2010)
    with pytest.raises(ValueError, match="every firm adopts during the panel"):
        dj.firm_effects(everyone, estimators=("sun_abraham",))


def test_firms_missing_the_first_or_last_year_are_counted_by_the_weighting():
    panel = small_panel(0)
    start = panel[(panel["year"] == 2008) & ~panel["has_party_org"]]
    two = start["firm_id"].iloc[:2].tolist()
    gaps = panel[~(panel["firm_id"].isin(two) & (panel["year"] == 2013))]
    row = dj.firm_effects(gaps, estimators=("psw",)).iloc[0]
    assert "2 firms not observed in both 2008 and 2013 left out" in row["note"]


def test_an_unchecked_frame_with_empty_flags_is_refused():
    panel = small_panel(0)
    panel["has_party_org"] = panel["has_party_org"].astype("boolean").mask(panel.index == 3)
    with pytest.raises(ValueError, match=r"has_party_org: 1 empty cell\(s\)"):
        dj.firm_effects(panel)


def test_weighting_without_covariates_gives_an_empty_row_that_says_why():
    panel = small_panel(0).drop(columns=["employees", "age", "owner_party_member"])
    row = dj.firm_effects(panel, estimators=("psw",)).iloc[0]
    assert math.isnan(row["estimate"]) and math.isnan(row["ci_low"])
    assert row["note"].startswith("not estimated: the weighting needs first-year employees")
    assert dj.balance_table(panel).empty


def test_missing_outcomes_are_left_out_and_counted():
    panel = small_panel(0)
    panel.loc[[3, 4], "output"] = np.nan
    row = dj.firm_effects(panel, estimators=("twfe",)).iloc[0]
    assert row["n_obs"] == 300 * 6 - 2
    assert "2 firm-years without output left out" in row["note"]


# --- power --------------------------------------------------------------------------


def test_panel_power_is_seeded_and_reports_its_simulation_error():
    args = {"n_firms": 300, "years": 6, "effect": [0.0, 0.1], "n_sims": 12, "seed": 1,
            "n_regions": 30}
    power = dj.panel_power(**args)
    assert power.equals(dj.panel_power(**args))
    assert power["effect"].tolist() == [0.0, 0.1]
    null, strong = power.iloc[0], power.iloc[1]
    assert null["power"] <= 0.25
    assert strong["power"] == 1.0
    for _, row in power.iterrows():
        p = row["power"]
        assert row["mc_error"] == pytest.approx(math.sqrt(p * (1 - p) / 12))
        assert row["power_low"] <= p <= row["power_high"]
    assert strong["power_low"] == pytest.approx(0.7575, abs=1e-3)  # Wilson, 12 of 12


# --- charts -------------------------------------------------------------------------


def test_the_charts_carry_their_source_line():
    panel = small_panel(0)
    effects = dj.firm_effects(panel, estimators=("naive", "sun_abraham"))
    fig = dj.effects_plot(effects, truth=0.05, source="synthetic panel (tests the method)")
    texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
    assert "Source: synthetic panel (tests the method)" in texts
    assert "Sun-Abraham (staggered)" in texts
    fig = dj.event_study_plot(dj.event_study(panel).coefficients, source="synthetic")
    assert "Source: synthetic" in [t.get_text() for t in fig.findobj(
        lambda o: hasattr(o, "get_text"))]
    with pytest.raises(ValueError, match="expected columns"):
        dj.effects_plot(effects.drop(columns="ci_low"))


# --- imports ------------------------------------------------------------------------


def test_the_toolkit_modules_load_no_heavy_library_until_used():
    import subprocess
    import sys

    code = (
        "import sys, dangjian_analysis as dj\n"
        "import dangjian_analysis.analysis.firm_effects, dangjian_analysis.analysis.firm_power\n"
        "import dangjian_analysis.package.panel, dangjian_analysis.report.firm_plots\n"
        "dj.firm_effects, dj.synthetic_firm_panel, dj.load_firm_panel, dj.event_study_plot\n"
        "heavy = ('pandas', 'numpy', 'pyfixest', 'statsmodels', 'scipy', 'matplotlib')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    assert out.stdout.strip() == ""
