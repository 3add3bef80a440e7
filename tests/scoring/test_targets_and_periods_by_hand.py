"""Agreed per-unit targets and evaluation periods in the scorer, worked by hand.

``ScoringModel.from_values(..., targets=...)`` scores a unit that has an agreed target (效能目标,
:mod:`evalkit.targets`) by its leaf's rule moved to that target
(:func:`evalkit.scoring.rules.rule_at_target`); every other unit, and the peer-group values the
missing-data policy fills from, keep the leaf's own target. ``period_not_assessed`` lists the
annual-only leaves a month, a quarter or the year to date does not assess. The expected
numbers are worked out in the comments, never computed by evalkit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ScoringError
from evalkit.periods import Period
from evalkit.scoring import parse_framework
from evalkit.scoring.model import NOT_IN_PERIOD_REASON, is_partial_period, period_not_assessed
from evalkit.sensitivity import ScoringModel

ON_TIME = "service_on_time_rate"  # assessed in every period
HOTLINE = "hotline_on_time_rate"
SURVEY = "survey_satisfaction_rate"  # annual-only (a survey is returned once a year)
BUDGET = "budget_execution_rate"  # annual-only (a year-end figure)


def _framework(nodes, **top):
    return parse_framework({"code": "hand", "version": "1", "grades": {"top_quota": 1.0},
                            "nodes": [{"code": "R", "area": "efficiency", "children": nodes}], **top})


def _units(*ids):
    return pd.DataFrame([(u, "department", "综合") for u in ids], columns=["unit_id", "peer_group", "unit_class"])


def _values(rows):
    return pd.DataFrame(rows, columns=["indicator", "unit_id", "value"]).assign(n=1.0)


def _targets(rows):
    return pd.DataFrame(rows, columns=["unit_id", "leaf", "target"])


def _scores(framework, units, values, targets=None, **kw) -> pd.Series:
    out = ScoringModel.from_values(framework, units, values, targets=targets, **kw).nominal()
    return out.set_index("unit_id")["score_100"]


# --- agreed targets ----------------------------------------------------------------------

# L1: linear_band 50 → 0 points, 90 → 10 points (higher is better); L2: threshold_deduct,
# target 95, 2 points off per point short (10 points). Total 20.
LINEAR = {"code": "L1", "indicator": ON_TIME, "points": 10, "direction": 1,
          "rule": {"type": "linear_band", "low": 50, "high": 90}}
DEDUCT = {"code": "L2", "indicator": HOTLINE, "points": 10, "direction": 1, "target": 95,
          "rule": {"type": "threshold_deduct", "per": 1, "deduct": 2}}


def test_an_agreed_target_moves_the_full_marks_end_for_that_unit_only():
    fw = _framework([LINEAR, DEDUCT])
    values = _values([(ON_TIME, "A", 70), (ON_TIME, "B", 70), (HOTLINE, "A", 95), (HOTLINE, "B", 95)])
    # without agreed targets: L1 = 10·(70 − 50)/(90 − 50) = 5, L2 = 10 → 15/20 = 75 for both
    plain = _scores(fw, _units("A", "B"), values)
    assert plain["A"] == pytest.approx(75.0) and plain["B"] == pytest.approx(75.0)
    # A agreed 80 on L1: its band becomes 50 → 0, 80 → 10: 10·(70 − 50)/(80 − 50) = 6.667;
    # total (6.667 + 10)/20 = 83.333. B keeps 75.
    agreed = _scores(fw, _units("A", "B"), values, _targets([("A", "L1", 80)]))
    assert agreed["A"] == pytest.approx(100 * (10 * 20 / 30 + 10) / 20)
    assert agreed["B"] == pytest.approx(75.0)


def test_two_units_with_different_agreed_targets_and_a_threshold_leaf():
    fw = _framework([LINEAR, DEDUCT])
    values = _values([(ON_TIME, "A", 70), (ON_TIME, "B", 70), (ON_TIME, "C", 70),
                      (HOTLINE, "A", 95), (HOTLINE, "B", 95), (HOTLINE, "C", 95)])
    targets = _targets([("A", "L1", 80), ("B", "L1", 60), ("C", "L2", 97)])
    got = _scores(fw, _units("A", "B", "C"), values, targets)
    # A: L1 at 80 → 10·20/30 = 6.667, L2 10 → 83.333
    assert got["A"] == pytest.approx(100 * (10 * 20 / 30 + 10) / 20)
    # B: L1 at 60 → 70 is beyond the full-marks end → 10; L2 10 → 100
    assert got["B"] == pytest.approx(100.0)
    # C: L1 own band → 5; L2 at target 97: 97 − 95 = 2 points short → 10 − 2·2 = 6 → 11/20 = 55
    assert got["C"] == pytest.approx(55.0)


def test_an_agreed_target_for_a_lower_is_better_band():
    # lower is better: 10 and below → 10 points, 30 and above → 0 (linear between).
    leaf = {"code": "L1", "indicator": ON_TIME, "points": 10, "direction": -1,
            "rule": {"type": "linear_band", "low": 10, "high": 30}}
    fw = _framework([leaf])
    values = _values([(ON_TIME, "A", 20), (ON_TIME, "B", 20)])
    # own band: 10·(30 − 20)/(30 − 10) = 5 → 50. A agreed 15: band 15 → 10, 30 → 0:
    # 10·(30 − 20)/(30 − 15) = 6.667 → 66.667
    got = _scores(fw, _units("A", "B"), values, _targets([("A", "L1", 15)]))
    assert got["A"] == pytest.approx(100 * (10 / 15 * 10) / 10)
    assert got["B"] == pytest.approx(50.0)


def test_rows_the_model_cannot_use_are_left_out_and_an_unknown_leaf_is_named():
    fw = _framework([LINEAR, DEDUCT])
    values = _values([(ON_TIME, "A", 70), (HOTLINE, "A", 95)])
    # a unit the model does not know, and a row without a target: nothing changes (75)
    got = _scores(fw, _units("A"), values, _targets([("A", "L1", np.nan), ("Z", "L1", 80)]))
    assert got["A"] == pytest.approx(75.0)
    # an empty table: the leaves' own targets
    assert _scores(fw, _units("A"), values, _targets([]))["A"] == pytest.approx(75.0)
    with pytest.raises(ScoringError, match=r"^targets, column leaf: expected leaf codes of the framework; "
                                           r"found 'L8', 'L9'$"):
        _scores(fw, _units("A"), values, _targets([("A", "L9", 80), ("A", "L1", 80), ("A", "L8", 70)]))


def test_the_missing_policy_fills_from_the_peers_own_target_scores():
    # B has no L1 value; the framework fills it with the peer-group mean share (peer_mean).
    # A agreed 80 on L1 (its own score 6.667) but the filled value comes from the peers'
    # scores against the leaf's own band: A's 70 → 5 of 10, C's 90 → 10 of 10 → mean share
    # 0.75 → B's L1 = 7.5; B's L2 10 → (7.5 + 10)/20 = 87.5.
    fw = _framework([LINEAR, DEDUCT], missing_policy="peer_mean")
    values = _values([(ON_TIME, "A", 70), (ON_TIME, "C", 90),
                      (HOTLINE, "A", 95), (HOTLINE, "B", 95), (HOTLINE, "C", 95)])
    got = _scores(fw, _units("A", "B", "C"), values, _targets([("A", "L1", 80)]))
    assert got["B"] == pytest.approx(87.5)
    assert got["A"] == pytest.approx(100 * (10 * 20 / 30 + 10) / 20)


# --- periods -----------------------------------------------------------------------------


def test_a_partial_period_is_a_period_shorter_than_the_year():
    assert is_partial_period(Period.quarter(2024, 3))
    assert is_partial_period(Period.month(2024, 7))
    assert not is_partial_period(2024)
    assert not is_partial_period(Period(2024))


def test_a_quarter_does_not_assess_the_annual_only_leaves_of_every_unit():
    fw = _framework([
        {"code": "L1", "indicator": ON_TIME, "points": 10, "rule": {"type": "linear_band", "low": 50, "high": 90}},
        {"code": "L2", "indicator": SURVEY, "points": 10, "rule": {"type": "linear_band", "low": 50, "high": 90}},
        {"code": "L3", "indicator": BUDGET, "points": 10, "rule": {"type": "linear_band", "low": 50, "high": 90}},
    ])
    units = _units("B", "A")
    got = period_not_assessed(fw, units, Period.quarter(2024, 3))
    assert list(got.columns) == ["unit_id", "indicator", "reason", "reason_en"]
    # two annual-only indicators × two units, indicators in code order, units as listed
    assert list(zip(got["unit_id"], got["indicator"])) == [
        ("B", BUDGET), ("A", BUDGET), ("B", SURVEY), ("A", SURVEY)]
    assert set(got["reason"]) == {NOT_IN_PERIOD_REASON[0]}
    assert set(got["reason_en"]) == {NOT_IN_PERIOD_REASON[1]}
    # a whole year assesses everything
    whole = period_not_assessed(fw, units, 2024)
    assert whole.empty and list(whole.columns) == ["unit_id", "indicator", "reason", "reason_en"]


def test_the_framework_amends_what_a_period_assesses():
    fw = _framework([
        {"code": "L1", "indicator": ON_TIME, "points": 10, "rule": {"type": "linear_band", "low": 50, "high": 90}},
        {"code": "L2", "indicator": SURVEY, "points": 10, "rule": {"type": "linear_band", "low": 50, "high": 90}},
    ], periods={"annual_only": [ON_TIME], "assess_in_period": [SURVEY]})
    got = period_not_assessed(fw, _units("A"), Period.month(2024, 5))
    assert got["indicator"].tolist() == [ON_TIME]


def test_a_not_assessed_leaf_is_excluded_and_the_points_rebased():
    # L1 70 → 5 of 10 (linear 50 → 90); L2 (survey, annual-only) not assessed in the quarter:
    # the unit's maximum falls to 10 and its score is 5/10 = 50, not 5/20 = 25.
    fw = _framework([
        {"code": "L1", "indicator": ON_TIME, "points": 10, "rule": {"type": "linear_band", "low": 50, "high": 90}},
        {"code": "L2", "indicator": SURVEY, "points": 10, "rule": {"type": "linear_band", "low": 50, "high": 90}},
    ])
    period = Period.quarter(2024, 2)
    units = _units("A")
    excluded = period_not_assessed(fw, units, period)
    got = _scores(fw, units, _values([(ON_TIME, "A", 70)]), not_applicable=excluded, year=period)
    assert got["A"] == pytest.approx(50.0)
