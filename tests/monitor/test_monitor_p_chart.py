"""p-chart / funnel limits, pinned to the published fraction-nonconforming example.

Montgomery, D. C., *Introduction to Statistical Quality Control*, Wiley — the frozen
orange-juice concentrate cans: 30 samples of n = 50 cans, D_i nonconforming cans (2nd ed.
1991, pp. 152–155; the example opens the p-chart chapter of every later edition). The same
30 counts are the wafer example of the NIST/SEMATECH e-Handbook of Statistical Methods,
§6.3.3.2 "Proportions control charts" (30 wafers × 50 chips, proportion of chips with a
misregistration; "the average of the proportions is .2313").

What was verified here, and from where:

* the 30 counts: the R package qcc (luca-scr/qcc, ``data/orangejuice.txt``, documented
  there as Montgomery 1991 pp. 152–155), samples 1–30 (``trial = TRUE``);
* p̄ = 0.2313: the NIST example as quoted in the exercise "An application of a p-chart is
  given in the NIST/SEMATECH e-Handbook … pmc332.htm … The average of the proportions is
  .2313" (Ryan, *Statistical Methods for Quality Improvement*, exercise);
* the limits UCL = 0.4102, LCL = 0.0524, samples 15 and 23 above the UCL, and the revised
  limits after removing samples 15 and 23 (assignable causes: a new batch of cardboard, an
  inexperienced operator — also in the qcc documentation) p̄ = 0.2150, UCL = 0.3893,
  LCL = 0.0407 with sample 21 above the revised UCL, are the book's printed figures; each
  is re-derived by the arithmetic written out below, so the test does not rest on memory.
"""

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.monitor import MonitorSpec, ChartSpec, RuleSet, monitor_warnings, p_chart

ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]


def test_orange_juice_trial_limits():
    # Σ D_i = 347 over 30 × 50 = 1500 cans: p̄ = 347/1500 = 0.2313
    assert sum(ORANGE_JUICE) == 347
    # σ = √(0.2313 × 0.7687 / 50) = 0.05964; 3σ = 0.1789
    # UCL = 0.2313 + 0.1789 = 0.4102, LCL = 0.2313 − 0.1789 = 0.0524
    chart = p_chart(ORANGE_JUICE, [50] * 30, range(1, 31))
    assert chart["centre"].iloc[0] == pytest.approx(347 / 1500)
    assert round(chart["centre"].iloc[0], 4) == 0.2313
    assert round(chart["sigma"].iloc[0], 5) == 0.05964
    assert round(chart["upper"].iloc[0], 4) == 0.4102
    assert round(chart["lower"].iloc[0], 4) == 0.0524
    # 22/50 = 0.44 and 24/50 = 0.48 exceed 0.4102; 20/50 = 0.40 does not
    beyond = chart.loc[(chart["value"] > chart["upper"]) | (chart["value"] < chart["lower"]), "period"]
    assert beyond.tolist() == [15, 23]


def test_orange_juice_revised_limits_leave_out_assignable_causes():
    # without samples 15 and 23: Σ D = 347 − 22 − 24 = 301 over 28 × 50 = 1400: p̄ = 0.2150
    # 3σ = 3 √(0.2150 × 0.7850 / 50) = 0.1743: UCL = 0.3893, LCL = 0.0407
    baseline = np.ones(30, dtype=bool)
    baseline[[14, 22]] = False
    chart = p_chart(ORANGE_JUICE, [50] * 30, range(1, 31), baseline=baseline)
    assert chart["centre"].iloc[0] == pytest.approx(301 / 1400)
    assert round(chart["upper"].iloc[0], 4) == 0.3893
    assert round(chart["lower"].iloc[0], 4) == 0.0407
    # sample 21 (20/50 = 0.40) is now above the revised UCL as well
    assert chart.loc[chart["value"] > chart["upper"], "period"].tolist() == [15, 21, 23]


def test_orange_juice_through_the_batch_function():
    # "lower is better" (nonconforming cans): the two high samples are worse-direction
    # special causes; as a higher-is-better rate they would be improvements and stay silent
    frame = pd.DataFrame({"unit_id": "line 1", "indicator": "nonconforming",
                          "period": pd.period_range("2020-01", periods=30, freq="M"), "chart": "p",
                          "numerator": ORANGE_JUICE, "denominator": 50})
    spec = MonitorSpec(rules=RuleSet(run_length=None, trend_length=None), charts=ChartSpec(baseline_points=None))
    worse = monitor_warnings(frame.assign(direction=-1), spec)
    assert worse["since"].tolist() == ["2021-03", "2021-11"]  # samples 15 and 23
    assert worse["value"].tolist() == [0.44, 0.48]
    assert worse["limit"].round(4).tolist() == [0.4102, 0.4102]
    assert "44.0%" in worse["evidence"].iloc[0] and "41.0%" in worse["evidence"].iloc[0]
    assert "高于控制上限" in worse["evidence_zh"].iloc[0]
    assert monitor_warnings(frame.assign(direction=1), spec).empty


def test_funnel_limits_widen_for_small_denominators_and_are_clipped():
    # p̄ pooled = (2 + 53 + 1) / (10 + 100 + 2) = 56/112 = 0.5, not the mean of the rates (0.41)
    chart = p_chart([2, 53, 1], [10, 100, 2])
    p = 0.5
    assert chart["centre"].iloc[0] == pytest.approx(p)
    sigma = [math.sqrt(p * (1 - p) / n) for n in (10, 100, 2)]
    assert chart["sigma"].tolist() == pytest.approx(sigma)
    assert chart["upper"].tolist() == pytest.approx([min(1.0, p + 3 * s) for s in sigma])
    assert chart["lower"].tolist() == pytest.approx([max(0.0, p - 3 * s) for s in sigma])
    # n = 2: 3σ = 3 √(0.25/2) = 1.06, so p̄ ± 3σ reaches beyond both ends of [0, 1]
    assert chart["lower"].iloc[2] == 0.0 and chart["upper"].iloc[2] == 1.0
    # the narrowest funnel at the largest n
    assert (chart["upper"] - chart["lower"]).idxmin() == 1


def test_a_month_without_denominator_has_no_rate_and_no_limits():
    chart = p_chart([5, 0, 6], [10, 0, 12])
    assert np.isnan(chart["value"].iloc[1]) and np.isnan(chart["sigma"].iloc[1])
    assert not chart["in_baseline"].iloc[1]
    assert chart["centre"].iloc[0] == pytest.approx(11 / 22)


def test_laney_p_prime_by_hand():
    """Laney's p′ (Laney 2002, *Quality Engineering* 14(4) 531–537; the formulas as Minitab's
    "Methods and formulas for Laney P′ chart" documents them). No published worked example
    could be verified here, so the numbers are worked by hand.

    Rates 0.30, 0.70, 0.30, 0.70 on n = 100: p̄ = 200/400 = 0.5, sigma_i = √(0.25/100) = 0.05,
    z = −4, 4, −4, 4; moving ranges 8, 8, 8: sigma_z = 8 / 1.128 = 7.092; limits
    0.5 ± 3 × 0.05 × 7.092 = 0.5 ± 1.064, clipped to [0, 1]. As a p-chart (0.5 ± 0.15, i.e.
    0.35 to 0.65) every month is outside.
    """
    plain = p_chart([30, 70, 30, 70], [100] * 4)
    assert ((plain["value"] > plain["upper"]) | (plain["value"] < plain["lower"])).all()
    chart = p_chart([30, 70, 30, 70], [100] * 4, laney=True)
    assert chart["sigma_z"].iloc[0] == pytest.approx(8 / 1.128)
    assert chart["sigma"].iloc[0] == pytest.approx(0.05 * 8 / 1.128)
    assert chart["lower"].iloc[0] == 0.0 and chart["upper"].iloc[0] == 1.0
    # z = ∓0.564 (rates 0.5 ∓ 0.05 × 0.564): moving ranges 1.128, sigma_z = 1 — the p-chart itself
    num = [50 - 5 * 0.564, 50 + 5 * 0.564] * 2
    chart = p_chart(num, [100] * 4, laney=True)
    assert chart["sigma_z"].iloc[0] == pytest.approx(1.0)
    assert chart["upper"].tolist() == pytest.approx(p_chart(num, [100] * 4)["upper"].tolist())


def test_laney_in_the_batch_function_widens_the_limits():
    rng = np.random.default_rng(11)
    den = np.full(36, 5000.0)
    rates = np.clip(0.8 + 0.03 * rng.standard_normal(36), 0, 1)  # far more spread than binomial
    frame = pd.DataFrame({"unit_id": "U", "indicator": "hotline", "chart": "p", "direction": 1,
                          "period": pd.period_range("2022-01", periods=36, freq="M"),
                          "numerator": np.round(rates * den), "denominator": den})
    plain = monitor_warnings(frame, MonitorSpec(rules=RuleSet(run_length=None, trend_length=None)))
    laney = monitor_warnings(frame, MonitorSpec(rules=RuleSet(run_length=None, trend_length=None),
                                                charts=ChartSpec(laney=True)))
    assert len(plain) >= 5 and len(laney) == 0
