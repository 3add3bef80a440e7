"""Exact binomial (probability) limits of the p-chart: the stated tail probability at the
limit, the normal limits for large n·p̄(1 − p̄), and no chart for a baseline without variation."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from evalkit.monitor import (TAIL_2SIGMA, TAIL_3SIGMA, ChartSpec, MonitorSpec, monitor_warnings, p_limits,
                             p_probability_limits, p_sigma)


@pytest.mark.parametrize("n, p", [(67, 0.996), (47, 0.99), (120, 0.9), (15, 0.5)])
def test_a_count_beyond_the_limit_has_less_than_the_tail_probability(n, p):
    lo, hi = (float(v[0, 0]) for v in p_probability_limits(np.array([p]), np.array([[n]])))
    k_lo, k_hi = round(lo * n), round(hi * n)
    assert binom.cdf(k_lo - 1, n, p) < TAIL_3SIGMA <= binom.cdf(k_lo, n, p)  # strictly below k_lo: beyond
    assert binom.sf(k_hi, n, p) <= TAIL_3SIGMA < binom.sf(k_hi - 1, n, p)    # strictly above k_hi: beyond


def test_close_to_the_normal_limits_when_the_normal_approximation_holds():
    den = np.array([[4000.0, 10000.0]])
    p_bar, _ = p_limits(np.array([[1200.0, 3000.0]]), den, np.ones((1, 2), bool))
    lo, hi = p_probability_limits(p_bar, den)
    sigma = p_sigma(p_bar, den)
    assert np.allclose(lo, p_bar[:, None] - 3 * sigma, atol=0.2 * sigma.max())
    assert np.allclose(hi, p_bar[:, None] + 3 * sigma, atol=0.2 * sigma.max())
    lo2, _ = p_probability_limits(p_bar, den, TAIL_2SIGMA)
    assert np.allclose(lo2, p_bar[:, None] - 2 * sigma, atol=0.2 * sigma.max())


def _on_time(num, den):
    months = pd.period_range("2022-01", periods=len(den), freq="M").strftime("%Y-%m")
    return pd.DataFrame({"unit_id": "U1", "indicator": "on_time", "period": months, "chart": "p", "direction": 1,
                         "numerator": num, "denominator": den})


def test_three_late_cases_of_80_are_noise_with_exact_limits_but_not_with_normal_ones():
    den = np.full(30, 80.0)
    num = np.r_[np.full(24, 80.0), np.full(6, 80.0)]
    num[:24:3] = 79.0           # a late case every third month in the baseline: p̄ ≈ 0.996
    num[27] = 77.0              # three late cases in one month (P ≈ 0.4 % at p̄ ≈ 0.996)
    exact = MonitorSpec(charts=ChartSpec(p_limits="exact"))
    assert monitor_warnings(_on_time(num, den), exact).empty
    assert set(monitor_warnings(_on_time(num, den))["rule"]) == {"beyond_limit"}


def test_a_baseline_without_variation_gets_no_chart():
    den = np.full(30, 40.0)
    num = den.copy()
    num[27] = 39.0              # every case on time for two years, then one late
    for spec in (MonitorSpec(), MonitorSpec(charts=ChartSpec(p_limits="exact"))):
        assert monitor_warnings(_on_time(num, den), spec).empty


def test_exact_and_laney_limits_do_not_go_together():
    with pytest.raises(ValueError, match="not both"):
        ChartSpec(p_limits="exact", laney=True)
    with pytest.raises(ValueError, match="normal' or 'exact"):
        ChartSpec(p_limits="poisson")
