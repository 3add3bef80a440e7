"""Budget execution against 序时进度 (the time-elapsed schedule).

序时进度 is the share of the year elapsed: by the end of month m the cumulative execution
should reach m/12 of the annual budget (so 75 % by the end of September). No published
worked example with numbers could be verified here; the definition is applied by hand in
each test below.
"""

import numpy as np
import pandas as pd
import pytest

from evalkit.monitor import MonitorSpec, Trajectory, monitor_warnings

EXECUTION_2024 = [0.06, 0.15, 0.24, 0.30, 0.35, 0.40, 0.45, 0.50, 0.58, 0.65]  # Jan–Oct


def frame(values, start="2024-01", **extra):
    return pd.DataFrame({"unit_id": "U01", "indicator": "budget_execution", "chart": "trajectory",
                         "direction": 1, "value": values,
                         "period": pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m"), **extra})


def test_lag_of_more_than_ten_points_for_two_months_warns_since_its_first_month():
    # schedule m/12: Jun 0.5000 (lag 0.10 — exactly the margin, not more), Jul 0.5833 (lag
    # 0.1333), Aug 0.6667 (0.1667), Sep 0.75 (0.17), Oct 0.8333 (0.1833): four months from July
    w = monitor_warnings(frame(EXECUTION_2024))
    assert len(w) == 1
    row = w.iloc[0]
    assert (row["rule"], row["since"], row["period"], row["points"], row["active"]) == \
        ("trajectory", "2024-07", "2024-10", 4, True)
    assert row["value"] == 0.65
    assert row["centre"] == pytest.approx(10 / 12)
    assert row["limit"] == pytest.approx(10 / 12 - 0.10)
    assert "65.0%" in row["evidence"] and "83.3%" in row["evidence"] and "18.3 percentage points" in row["evidence"]
    assert "序时进度 83.3%" in row["evidence_zh"] and "落后 18.3 个百分点" in row["evidence_zh"]


def test_months_and_margin_are_configurable():
    assert monitor_warnings(frame(EXECUTION_2024), MonitorSpec(trajectory=Trajectory(months=5))).empty
    # margin 0.15: only Aug–Oct lag by more (0.1667, 0.17, 0.1833)
    w = monitor_warnings(frame(EXECUTION_2024), MonitorSpec(trajectory=Trajectory(margin=0.15)))
    assert w["since"].tolist() == ["2024-08"]


def test_shares_from_amounts():
    amounts = pd.DataFrame({"numerator": np.array(EXECUTION_2024) * 2_400_000, "denominator": 2_400_000})
    w = monitor_warnings(frame([np.nan] * 10, **amounts))
    assert w["since"].tolist() == ["2024-07"] and w["value"].iloc[0] == pytest.approx(0.65)


def test_a_lag_does_not_carry_over_into_a_new_year():
    # margin 0.05, three months: Nov 2023 0.80 (schedule 0.9167), Dec 0.90 (1.0) and Jan 2024
    # 0.0 (0.0833) all lag by more than 0.05, but Nov–Dec and Jan belong to different years
    spec = MonitorSpec(trajectory=Trajectory(margin=0.05, months=3))
    assert monitor_warnings(frame([0.80, 0.90, 0.0], start="2023-11"), spec).empty
    assert len(monitor_warnings(frame([0.0, 0.05, 0.10], start="2024-01"), spec)) == 1


def test_a_configured_schedule():
    # a back-loaded schedule: 5 % a month to June, then 11.67 % a month
    schedule = tuple([0.05 * m for m in range(1, 7)] + [0.30 + 0.7 * m / 6 for m in range(1, 7)])
    t = Trajectory(schedule=schedule)
    assert t.expected(np.array([6, 12])) == pytest.approx([0.30, 1.0])
    # Sep: 0.65 − 0.58 = 0.07; Oct: 0.7667 − 0.65 = 0.1167 > 0.10, a single month
    assert monitor_warnings(frame(EXECUTION_2024), MonitorSpec(trajectory=t)).empty
    one_month = MonitorSpec(trajectory=Trajectory(schedule=schedule, months=1))
    assert monitor_warnings(frame(EXECUTION_2024), one_month)["since"].tolist() == ["2024-10"]


@pytest.mark.parametrize("kwargs", [dict(margin=-0.1), dict(margin=1.5), dict(months=0),
                                    dict(schedule=(0.5,) * 11), dict(schedule=tuple(np.linspace(1, 0, 12)))])
def test_trajectory_refuses_nonsense(kwargs):
    with pytest.raises(ValueError):
        Trajectory(**kwargs)
