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


def test_band_table_budget_control_example():
    # 预算控制率 (lower is better): 0 → 5; ≤10 % → 4; ≤20 % → 3; ≤30 % → 2; more → 0 (domain brief §1.1, S6).
    from evalkit.scoring.rules import BandTable

    rule = parse_rule({"type": "band_table", "bands": [[0, 5], [10, 4], [20, 3], [30, 2]]})
    assert isinstance(rule, BandTable)
    got = rule.score(np.array([0.0, 4.0, 10.0, 15.0, 30.0, 31.0]), 5.0, None, -1)
    assert got.tolist() == [5.0, 4.0, 4.0, 3.0, 2.0, 0.0]


def test_rank_points_table_and_step():
    # "全市排名1–5名依次赋予60/57/54/51/48分" (domain brief §1.1): ranks 1, 3, 5 → 60, 54, 48;
    # beyond the table, 3 fewer per rank (step 3): rank 7 → 42.
    rule = parse_rule({"type": "rank_points", "table": [60, 57, 54, 51, 48], "step": 3})
    got = rule.score(np.array([1.0, 1, 1, 1]), 60.0, None, +1, rank=np.array([1, 3, 5, 7]))
    assert got.tolist() == [60.0, 54.0, 48.0, 42.0]
    step = parse_rule({"type": "rank_points", "step": 0.1, "floor": 1.8})
    # "倒数…每进1名扣0.1分" style: 2 points, −0.1 per rank, floor 1.8.
    assert step.score(np.array([1.0, 1, 1]), 2.0, None, +1, rank=np.array([1, 2, 9])).tolist() == pytest.approx([2.0, 1.9, 1.8])


def test_checklist_deduct():
    # 违规干预机构编制: "发现一次扣0.5分，两次及以上不得分", 1 point (domain brief §1.1).
    rule = parse_rule({"type": "checklist_deduct", "per_item": 0.5, "zero_at": 2})
    assert rule.score(np.array([0.0, 1.0, 2.0, 5.0]), 1.0, None, -1).tolist() == [1.0, 0.5, 0.0, 0.0]


def test_goalposts():
    rule = parse_rule({"type": "goalposts", "lower": 80, "upper": 100})
    assert rule.score(np.array([70.0, 90.0, 100.0]), 10.0, None, +1).tolist() == [0.0, 5.0, 10.0]


@pytest.mark.parametrize("spec,message", [
    ({"type": "band_table", "bands": [[0, 5], [10]]}, "bound, points"),
    ({"type": "rank_points"}, "table or a step"),
    ({"type": "goalposts", "lower": 1, "upper": 1}, "goalposts to differ"),
])
def test_bad_new_rule_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_rule(spec)
