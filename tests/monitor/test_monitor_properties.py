"""Properties of the early warnings: noise stays (mostly) silent, a shift towards worse fires,
the same shift towards better adds nothing.

The false-alarm check uses a fixed seed and compares each rule's share of in-control series
that warn with the rate expected of it:

* beyond a limit, one-sided: a point below μ − 3σ has probability Φ(−3) = 0.00135, so a
  36-month series warns with probability 1 − (1 − 0.00135)^36 = 0.0475;
* a run of 8 on the worse side: the exact probability of a run of at least 8 heads in 36
  fair coin flips (computed below by recursion, 0.0602);
* a trend of 6 worsening points: at most 31 / 6! = 0.0431 (union bound over the 31 windows
  of six points, each monotone with probability 1/6!).
"""

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.monitor import ChartSpec, MonitorSpec, RuleSet, monitor_warnings

MONTHS = pd.period_range("2022-01", periods=36, freq="M").strftime("%Y-%m")
RULE_COLUMNS = ["is_beyond_limit", "is_run", "is_trend", "is_two_of_three"]


def long_frame(values, direction=1):
    values = np.atleast_2d(values)
    s, t = values.shape
    return pd.DataFrame({"unit_id": np.repeat(np.arange(s), t), "indicator": "x", "chart": "xmr",
                         "direction": direction, "period": np.tile(MONTHS[:t], s), "value": values.ravel()})


def p_run_at_least(length: int, n: int, p: float = 0.5) -> float:
    """Probability of at least one run of ``length`` successes in ``n`` Bernoulli(p) trials."""
    # state: current run length (0 … length−1); absorbed once a run reaches ``length``
    state = np.zeros(length)
    state[0] = 1.0
    for _ in range(n):
        new = np.zeros(length)
        new[0] = state.sum() * (1 - p)
        new[1:] = state[:-1] * p
        state = new
    return 1.0 - state.sum()


def test_run_probability_recursion():
    # a run of 2 in 3 flips: HHx, THH → 3/8
    assert math.isclose(p_run_at_least(2, 3), 3 / 8)


def test_in_control_series_warn_no_more_than_expected():
    rng = np.random.default_rng(20241)
    n_series = 4000
    frame = long_frame(10 + rng.standard_normal((n_series, 36)))
    w = monitor_warnings(frame, MonitorSpec(charts=ChartSpec(baseline_points=None)))
    rate = w.groupby("rule")["unit_id"].nunique().reindex(["beyond_limit", "run", "trend"], fill_value=0) / n_series
    expected = {"beyond_limit": 1 - (1 - 0.00135) ** 36, "run": p_run_at_least(8, 36), "trend": 31 / math.factorial(6)}
    for rule, p in expected.items():
        assert rate[rule] <= p + 3 * math.sqrt(p * (1 - p) / n_series), (rule, rate[rule], p)


def test_default_baseline_false_alarm_figures_of_the_chart_spec_docstring():
    rng = np.random.default_rng(20241)
    frame = long_frame(10 + rng.standard_normal((4000, 34)))
    share = {}
    for base in (12, 24, None):
        w = monitor_warnings(frame, MonitorSpec(charts=ChartSpec(baseline_points=base)))
        share[base] = w.loc[w["period"] >= "2024-01", "unit_id"].nunique() / 4000
    assert abs(share[12] - 0.137) < 0.005 and abs(share[24] - 0.078) < 0.005 and abs(share[None] - 0.041) < 0.005


def flags(frame, spec):
    points = monitor_warnings(frame, spec, verbose=True).points
    return points[RULE_COLUMNS].to_numpy()


SPEC = MonitorSpec(rules=RuleSet.making_data_count(), charts=ChartSpec(baseline_points=24))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.floats(4.0, 8.0), start=st.integers(24, 28),
       direction=st.sampled_from([1, -1]))
def test_a_shift_towards_worse_fires(seed, size, start, direction):
    x = np.random.default_rng(seed).standard_normal(36)
    x[start:] -= direction * size
    w = monitor_warnings(long_frame(x, direction), SPEC)
    assert (w["period"] >= MONTHS[start]).any()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.floats(0.5, 8.0), start=st.integers(24, 35),
       direction=st.sampled_from([1, -1]))
def test_a_shift_towards_better_adds_no_warning(seed, size, start, direction):
    # limits come from the first 24 months, so improving later months can only remove
    # worse-direction signals, never add one
    x = np.random.default_rng(seed).standard_normal(36)
    better = x.copy()
    better[start:] += direction * size
    before = flags(long_frame(x, direction), SPEC)
    after = flags(long_frame(better, direction), SPEC)
    assert not (after & ~before).any()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), size=st.floats(0.12, 0.3), start=st.integers(24, 30),
       better=st.booleans())
def test_a_rate_shift_fires_only_towards_worse(seed, size, start, better):
    # an on-time rate of 0.9 on 150–300 cases a month (higher is better); from ``start`` the
    # same months with a share ``size`` of the cases moved to on time (better) or late (worse)
    rng = np.random.default_rng(seed)
    den = rng.integers(150, 300, size=36)
    num = rng.binomial(den, 0.9)
    moved = np.where(np.arange(36) >= start, np.round(size * den).astype(int), 0)
    shifted_num = np.minimum(den, num + moved) if better else np.maximum(0, num - moved)
    frame = pd.DataFrame({"unit_id": "U", "indicator": "on_time", "chart": "p", "direction": 1,
                          "period": MONTHS, "numerator": num, "denominator": den})
    shifted = frame.assign(numerator=shifted_num)
    if better:
        assert not (flags(shifted, SPEC) & ~flags(frame, SPEC)).any()
    else:
        w = monitor_warnings(shifted, SPEC)
        assert (w["period"] >= MONTHS[start]).any()
