"""Leaf scoring rules, worked by hand from the rule texts in domain brief §1.1–1.2."""

import numpy as np
import pytest

from evalkit.scoring.rules import Binary, LinearBand, RatioToBest, ThresholdDeduct, parse_rule


def test_threshold_deduct_budget_completion_example():
    # 预算完成率: 100 % full marks, each 5 % lower costs 2 points (domain brief §1.1), 10 points.
    rule = ThresholdDeduct(per=5, deduct=2)
    got = rule.score(np.array([100.0, 95.0, 90.0, 87.5, 60.0, 101.0]), 10.0, 100.0, +1)
    assert got.tolist() == [10.0, 8.0, 6.0, 5.0, 0.0, 10.0]


def test_threshold_deduct_whole_steps_and_lower_is_better():
    # 在职人员控制率 ≤ 100 % full; each 1 pp over costs 0.5 (lower is better), 4 points.
    rule = ThresholdDeduct(per=1, deduct=0.5, whole_steps=True)
    got = rule.score(np.array([98.0, 100.0, 100.4, 103.0, 120.0]), 4.0, 100.0, -1)
    assert got.tolist() == [4.0, 4.0, 3.5, 2.5, 0.0]


def test_linear_band():
    rule = LinearBand(low=60, high=100)
    assert rule.score(np.array([50.0, 60.0, 80.0, 100.0, 110.0]), 5.0, None, +1).tolist() == [0, 0, 2.5, 5, 5]
    assert rule.score(np.array([60.0, 80.0, 100.0]), 4.0, None, -1).tolist() == [4, 2, 0]


def test_ratio_to_best():
    rule = RatioToBest()
    best = np.array([96.0, 96.0, 96.0])
    assert rule.score(np.array([96.0, 48.0, np.nan]), 6.0, None, +1, best)[:2].tolist() == [6.0, 3.0]
    assert np.isnan(rule.score(np.array([np.nan]), 6.0, None, +1, np.array([96.0]))[0])


def test_binary():
    assert Binary().score(np.array([99.0, 100.0]), 2.0, 100.0, +1).tolist() == [0.0, 2.0]


@pytest.mark.parametrize("spec,message", [
    ({"type": "magic"}, "rule type"),
    ({"type": "threshold_deduct", "per": 0, "deduct": 1}, "per > 0"),
    ({"type": "linear_band", "low": 5, "high": 5}, "differ"),
    ({"type": "linear_band", "lo": 5}, "parameters"),
    ({"type": "threshold_deduct", "per": "one"}, "number"),
])
def test_bad_rule_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_rule(spec)
