"""The batch function: long frame in, one warning a pattern out; input contract; the fast path
gives what the one-series functions give."""

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import EvalkitError
from evalkit.monitor import (POINT_COLUMNS, WARNING_COLUMNS, ChartSpec, MonitorInputError, MonitorResult,
                             MonitorSpec, RuleSet, monitor_warnings, p_chart, xmr_chart)

MONTHS = pd.period_range("2022-01", periods=34, freq="M").strftime("%Y-%m")


def series(unit, indicator, values, chart="xmr", direction=1, **extra):
    return pd.DataFrame({"unit_id": unit, "indicator": indicator, "period": MONTHS[:len(values)],
                         "chart": chart, "direction": direction, "value": values, **extra})


def stable(seed, n=34, level=100.0, sd=5.0):
    return level + sd * np.random.default_rng(seed).standard_normal(n)


def test_columns_start_with_those_of_the_issue():
    assert WARNING_COLUMNS[:7] == ("unit_id", "indicator", "rule", "since", "value", "limit", "evidence")
    w = monitor_warnings(series("U1", "cases", stable(1)))
    assert tuple(w.columns) == WARNING_COLUMNS


def test_a_unit_falling_from_july_warns_and_a_stable_unit_does_not():
    # on-time rate: 90 % with n ≈ 200 a month for two and a half years; U2 falls to 80 % from
    # 2024-07. Limits from the first 24 months (2022–2023).
    rng = np.random.default_rng(7)
    den = rng.integers(150, 250, size=34).astype(float)
    p = np.where(np.arange(34) >= 30, 0.80, 0.90)
    ok = series("U1", "on_time", [np.nan] * 34, chart="p", numerator=np.round(den * 0.90), denominator=den)
    bad = series("U2", "on_time", [np.nan] * 34, chart="p", numerator=np.round(den * p), denominator=den)
    w = monitor_warnings(pd.concat([ok, bad]))
    assert set(w["unit_id"]) == {"U2"}
    hit = w[w["rule"] == "beyond_limit"].iloc[0]
    assert hit["since"] == "2024-07" and hit["active"] and hit["chart"] == "p"
    assert hit["value"] < hit["limit"] < hit["centre"]


def test_same_answer_as_the_one_series_functions():
    x = stable(3)
    x[28:] -= 40
    rng = np.random.default_rng(4)
    den = rng.integers(50, 400, size=34).astype(float)
    num = rng.binomial(den.astype(int), 0.7).astype(float)
    frame = pd.concat([series("U1", "amount", x),
                       series("U1", "rate", [np.nan] * 34, chart="p", direction=-1, numerator=num, denominator=den)])
    res = monitor_warnings(frame, verbose=True)
    assert isinstance(res, MonitorResult) and tuple(res.points.columns) == POINT_COLUMNS
    one = xmr_chart(x, baseline=24)
    got = res.points[res.points["indicator"] == "amount"].reset_index(drop=True)
    for col in ("centre", "lower", "upper", "lower_2sigma", "upper_2sigma", "in_baseline"):
        assert got[col].tolist() == pytest.approx(one[col].tolist())
    one_p = p_chart(num, den, baseline=24)
    got_p = res.points[res.points["indicator"] == "rate"].reset_index(drop=True)
    for col in ("value", "centre", "lower", "upper"):
        assert got_p[col].tolist() == pytest.approx(one_p[col].tolist())
    assert got["is_beyond_limit"].iloc[28:].all()


def test_a_series_too_short_for_its_baseline_gets_no_chart_warning():
    x = [100.0] * 5 + [10.0] * 5
    assert monitor_warnings(series("U1", "cases", x)).empty  # 10 < min_baseline_points = 12
    spec = MonitorSpec(charts=ChartSpec(baseline_points=5, min_baseline_points=5))
    x[1] = 101.0
    x[3] = 99.0
    assert set(monitor_warnings(series("U1", "cases", x), spec)["rule"]) == {"beyond_limit"}


def test_baseline_until_a_month():
    x = stable(5)
    x[30:] -= 30
    spec = MonitorSpec(charts=ChartSpec(baseline_points=None, baseline_until="2023-12"))
    res = monitor_warnings(series("U1", "cases", x), spec, verbose=True)
    assert res.points["in_baseline"].tolist() == [True] * 24 + [False] * 10
    assert res.warnings.loc[res.warnings["rule"] == "beyond_limit", "since"].tolist() == ["2024-07"]


def test_active_marks_patterns_that_reach_the_last_month():
    x = stable(6)
    x[26] -= 40  # one month in 2024-03, then back to normal
    w = monitor_warnings(series("U1", "cases", x))
    row = w[w["rule"] == "beyond_limit"].iloc[0]
    assert row["since"] == row["period"] == "2024-03" and not row["active"]


def test_periods_as_dates_or_periods():
    x = stable(8)
    x[30:] -= 40
    base = series("U1", "cases", x)
    expected = monitor_warnings(base)
    for period in (pd.to_datetime(base["period"]), pd.PeriodIndex(base["period"], freq="M")):
        pd.testing.assert_frame_equal(monitor_warnings(base.assign(period=period)), expected)


def test_empty_input_gives_an_empty_frame():
    empty = series("U1", "cases", []).iloc[0:0]
    w = monitor_warnings(empty)
    assert w.empty and tuple(w.columns) == WARNING_COLUMNS


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns="direction"), "direction"),
    (lambda f: f.drop(columns="value"), "value"),
    (lambda f: f.assign(chart="u"), "chart among"),
    (lambda f: f.assign(direction=0), "direction"),
    (lambda f: pd.concat([f, f.iloc[[3]]]), "one row a unit"),
    (lambda f: f.assign(period="October"), "month"),
    (lambda f: f.assign(chart=["xmr"] * 33 + ["trajectory"]), "one chart and one direction"),
    (lambda f: f.assign(chart="p"), "numerator and denominator"),
])
def test_input_contract(change, message):
    with pytest.raises(MonitorInputError, match=message) as info:
        monitor_warnings(change(series("U1", "cases", stable(9))))
    assert isinstance(info.value, EvalkitError)


def test_chart_spec_refuses_nonsense():
    for kwargs in (dict(baseline_points=1), dict(min_baseline_points=0), dict(baseline_until="last year")):
        with pytest.raises(ValueError):
            ChartSpec(**kwargs)


def test_rule_order_and_evidence_in_both_languages():
    x = stable(10)
    x[26:] = np.linspace(95, 60, 8)  # a steady fall from 2024-03: trend, run, beyond
    w = monitor_warnings(series("U1", "cases", x), MonitorSpec(rules=RuleSet(two_of_three=True)))
    assert w["rule"].tolist()[:1] == ["beyond_limit"]
    assert {"trend", "run"} <= set(w["rule"])
    trend = w[w["rule"] == "trend"].iloc[0]
    assert trend["limit"] == pytest.approx(x[MONTHS.get_loc(trend["since"])])
    assert trend["evidence"].startswith(f"{trend['points']} consecutive decreasing points since {trend['since']}")
    assert trend["evidence_zh"].startswith(f"自 {trend['since']} 起连续 {trend['points']} 个点下降")


def test_the_method_describes_itself_with_its_own_numbers():
    spec = MonitorSpec(rules=RuleSet(run_length=9, trend_length=5, two_of_three=True),
                       charts=ChartSpec(baseline_points=18, screen_moving_ranges=True))
    en, zh = spec.describe("en"), spec.describe("zh")
    text = " ".join(en)
    for needle in ("2.66", "1.128", "first 18 months", "9 or more consecutive", "5 or more consecutive",
                   "2 of 3", "3.267", "more than 10 percentage points for 2 or more"):
        assert needle in text, needle
    text_zh = " ".join(zh)
    for needle in ("连续 9 个", "连续 5 个", "最初 18 个月", "序时进度", "超过 10 个百分点", "连续 2 个月"):
        assert needle in text_zh, needle
    assert len(en) == len(zh)
    with pytest.raises(ValueError, match="language"):
        spec.describe("fr")
