"""Leaf rules at their edges: missing values, both directions, the printed rule texts and
every refusal of :func:`~evalkit.scoring.rules.parse_rule`, with its message.

Written for the mutation testing of issue 18 (``python benchmarks/mutation.py scoring``).
Expected values are worked by hand in the comments.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from evalkit.scoring.rules import (BandTable, Binary, ChecklistDeduct, Goalposts, LinearBand, RankPoints, RatioToBest,
                                   ThresholdDeduct, parse_rule)

NAN = math.nan


def _same(got, want):
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=0, atol=1e-12,
                               equal_nan=True)


# ---------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------


def test_threshold_deduct_fractions_missing_and_whole_steps():
    rule = ThresholdDeduct(per=4, deduct=1)
    # target 100, 8 points: 99 → 8 − 1·1/4 = 7.75; 92 → 8 − 2 = 6; NaN stays NaN; 150 → 8
    _same(rule.score(np.array([99.0, 92.0, NAN, 150.0]), 8.0, 100.0, 1), [7.75, 6, NAN, 8])
    # lower is better, target 10: 11 → 7.75; 10 → 8; 0 → 8; 50 → 8 − 10 → 0
    _same(rule.score(np.array([11.0, 10.0, 0.0, 50.0]), 8.0, 10.0, -1), [7.75, 8, 8, 0])
    steps = ThresholdDeduct(per=4, deduct=1, whole_steps=True)
    # exactly one step short (96) is one step, not two: 8 − 1 = 7; 95.9 → ⌈4.1/4⌉ = 2 → 6;
    # 100 − 1e-12 (noise) → no whole step → 8
    _same(steps.score(np.array([96.0, 95.9, 100 - 1e-12]), 8.0, 100.0, 1), [7, 6, 8])


def test_rules_that_need_a_target_or_ranks_refuse_without():
    with pytest.raises(ValueError, match=r"^threshold_deduct needs a target$"):
        ThresholdDeduct().score(np.array([1.0]), 1.0, None, 1)
    with pytest.raises(ValueError, match=r"^binary needs a target$"):
        Binary().score(np.array([1.0]), 1.0, None, 1)
    with pytest.raises(ValueError, match=r"^rank_points needs the ranks within the peer group$"):
        RankPoints(step=1).score(np.array([1.0]), 1.0, None, 1)


def test_linear_band_and_goalposts_missing_and_reversed():
    # linear 20 → 0, 70 → full (5 points): 45 → 2.5; NaN → NaN; lower is better: 30 → 5·(1 − 10/50) = 4
    _same(LinearBand(low=20, high=70).score(np.array([45.0, NAN]), 5.0, None, 1), [2.5, NAN])
    _same(LinearBand(low=20, high=70).score(np.array([30.0, 10.0, 80.0]), 5.0, None, -1), [4, 5, 0])
    # goalposts 10 … 30 (4 points): 15 → 1; 35 → 4; NaN; lower is better: 15 → 4·(1 − 0.25) = 3, 5 → 4
    _same(Goalposts(lower=10, upper=30).score(np.array([15.0, 35.0, NAN]), 4.0, None, 1), [1, 4, NAN])
    _same(Goalposts(lower=10, upper=30).score(np.array([15.0, 5.0, 30.0]), 4.0, None, -1), [3, 4, 0])
    # goalposts take plain lists too
    _same(Goalposts(lower=0, upper=10).score([5, 10], 2.0, None, 1), [1, 2])


def test_ratio_to_best_edges():
    rule = RatioToBest()
    # higher is better, best 0 (everyone at 0): 0/0 → full marks; a missing value stays missing
    _same(rule.score(np.array([0.0, NAN]), 6.0, None, 1, np.array([0.0, 0.0])), [6, NAN])
    # lower is better, best 2: 4 → 6·2/4 = 3; 0 (best 0, value 0) → 6; a value of 0 when the best
    # is 2 cannot happen (the best is the minimum) but would give 2/0 = inf → full marks
    _same(rule.score(np.array([4.0, 0.0]), 6.0, None, -1, np.array([2.0, 0.0])), [3, 6])
    # never above the points: a value above the best (another group's best) is capped at 1
    _same(rule.score(np.array([120.0]), 6.0, None, 1, np.array([100.0])), [6])
    # lower is better, missing value with a best: NaN
    _same(rule.score(np.array([NAN]), 6.0, None, -1, np.array([2.0])), [NAN])


def test_binary_edges():
    # NaN stays NaN in both directions; lower is better: 15 ≤ 15 → 4, 15.5 → 0
    _same(Binary().score(np.array([NAN, 95.0, 94.0]), 4.0, 95.0, 1), [NAN, 4, 0])
    _same(Binary().score(np.array([NAN, 15.0, 15.5]), 4.0, 15.0, -1), [NAN, 4, 0])


def test_band_table_edges():
    rule = BandTable(bands=((90.0, 3.0), (80.0, 2.0)))
    # first band reached wins (a value ≥ 90 does not also get 2): 95 → 3; 85 → 2; 70 → 0; NaN
    _same(rule.score(np.array([95.0, 85.0, 70.0, NAN]), 5.0, None, 1), [3, 2, 0, NAN])
    # lower is better: ≤ 80 → 2 first, then ≤ 90 → 3 (order as written): 75 → 2, 85 → 3, 95 → 0
    low = BandTable(bands=((80.0, 2.0), (90.0, 3.0)))
    _same(low.score(np.array([75.0, 85.0, 95.0]), 5.0, None, -1), [2, 3, 0])
    # capped at the leaf's points (2.5) and a scalar value works
    _same(rule.score(95.0, 2.5, None, 1), 2.5)
    # points of 0 in a band still count as a hit (not "no band"): ≥ 90 → 0, ≥ 80 → 2
    zero = BandTable(bands=((90.0, 0.0), (80.0, 2.0)))
    _same(zero.score(np.array([95.0, 85.0]), 5.0, None, 1), [0, 2])


def test_rank_points_edges():
    table = RankPoints(table=(6.0, 5.0, 4.0), step=1.0, floor=1.5)
    # NaN rank or NaN value → NaN; ranks 1, 3, 4 (beyond the table: 4 − 1) and 10 (4 − 7 → floor 1.5)
    _same(table.score(np.array([1.0, 1.0, NAN, 1.0, 1.0, 1.0]), 6.0, None, 1,
                      rank=np.array([NAN, 1.0, 2.0, 3.0, 4.0, 10.0])), [NAN, 6, NAN, 4, 3, 1.5])
    # capped at the leaf's points: a table above them (rank 1 → 6, points 5)
    _same(table.score(np.array([1.0]), 5.0, None, 1, rank=np.array([1.0])), [5])
    # no step beyond the table: the last entry stays (rank 9 → 4)
    flat = RankPoints(table=(6.0, 4.0))
    _same(flat.score(np.array([1.0, 1.0]), 6.0, None, 1, rank=np.array([2.0, 9.0])), [4, 4])
    # by step: points − step·(rank − 1), floor 0 by default: rank 3 → 10 − 2·2 = 6; rank 7 → −2 → 0
    step = RankPoints(step=2.0)
    _same(step.score(np.array([1.0, 1.0, 1.0]), 10.0, None, 1, rank=np.array([3.0, 7.0, NAN])), [6, 0, NAN])


def test_checklist_deduct_edges():
    # no zero_at: 1 item → 2 − 0.5; NaN → NaN; 10 items → 0 (never below 0)
    _same(ChecklistDeduct(per_item=0.5).score(np.array([1.0, NAN, 10.0]), 2.0, None, -1), [1.5, NAN, 0])
    # zero_at 3: 2 items → 2 − 1 = 1; exactly 3 → 0; NaN stays NaN (not 0)
    _same(ChecklistDeduct(per_item=0.5, zero_at=3).score(np.array([2.0, 3.0, NAN]), 2.0, None, -1), [1, 0, NAN])
    # zero_at 0: everything is 0, even no items at all
    _same(ChecklistDeduct(per_item=0.5, zero_at=0).score(np.array([0.0]), 2.0, None, -1), [0])
    # default: 1 point per item
    _same(ChecklistDeduct().score([1, 3], 5.0, None, -1), [4, 2])


def test_defaults_of_the_rules():
    assert (ThresholdDeduct().per, ThresholdDeduct().deduct, ThresholdDeduct().whole_steps) == (1.0, 1.0, False)
    assert (LinearBand().low, LinearBand().high) == (0.0, 100.0)
    assert (Goalposts().lower, Goalposts().upper) == (0.0, 100.0)
    assert BandTable().bands == () and RankPoints().table == ()
    assert (RankPoints().step, RankPoints().floor) == (0.0, 0.0)
    assert (ChecklistDeduct().per_item, ChecklistDeduct().zero_at) == (1.0, None)
    assert [r().type for r in (ThresholdDeduct, LinearBand, RatioToBest, Binary, BandTable, RankPoints,
                               ChecklistDeduct, Goalposts)] == [
        "threshold_deduct", "linear_band", "ratio_to_best", "binary", "band_table", "rank_points",
        "checklist_deduct", "goalposts"]
    # defaults used by a score: 1 point off per 1 short (target 10, 5 points: 8 → 3)
    _same(ThresholdDeduct().score(np.array([8.0]), 5.0, 10.0, 1), [3])
    _same(LinearBand().score(np.array([25.0]), 4.0, None, 1), [1])
    _same(Goalposts().score(np.array([25.0]), 4.0, None, 1), [1])


# ---------------------------------------------------------------------------------------
# Printed rule texts (reports print them; docs/scoring.md shows them)
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule, args, text", [
    # every convention score() applies is printed: a part of a step deducts in proportion
    # (no whole_steps), differences of % are 个百分点, 扣完为止 (clipped at 0)
    (ThresholdDeduct(per=5, deduct=2), (100, 1, "%"),
     "达到 100% 得满分，每低 5 个百分点扣 2 分，不足 5 个百分点按比例扣分，扣完为止"),
    (ThresholdDeduct(per=0.5, deduct=1.5), (3, -1), "不超过 3 得满分，每高 0.5 扣 1.5 分，不足 0.5 按比例扣分，扣完为止"),
    (ThresholdDeduct(per=10, deduct=3, whole_steps=True), (90, 1, "%"),
     "达到 90% 得满分，每低 10 个百分点扣 3 分，不足 10 个百分点按 10 个百分点计，扣完为止"),
    (LinearBand(low=60, high=100), (None, 1, "%"), "60% 及以下得 0 分，100% 及以上得满分，之间按线性计分"),
    # lower is better: 100 scores 0, 60 full marks
    (LinearBand(low=60, high=100), (None, -1), "100 及以上得 0 分，60 及以下得满分，之间按线性计分"),
    (RatioToBest(), (None, 1, "%"),
     "得分 = 满分 × 本单位值 ÷ 同组最优值（同组有数据单位中的最高值），最优单位得满分；最优值为 0 时得满分"),
    (Binary(), (95, 1, "%"), "达到 95% 得满分，低于 95% 不得分"),
    (Binary(), (15, -1), "不超过 15 得满分，高于 15 不得分"),
    (BandTable(bands=((98.0, 6.0), (95.0, 4.5))), (None, 1, "%"),
     "分档计分：98% 及以上得 6 分；95% 及以上、低于 98% 得 4.5 分；低于 95% 不得分"),
    (BandTable(bands=((0.0, 5.0), (10.0, 4.0))), (None, -1), "分档计分：0 及以下得 5 分；高于 0、不超过 10 得 4 分；高于 10 不得分"),
    # bounds not ordered from the best band down: the first band that applies, in order
    (BandTable(bands=((90.0, 2.0), (95.0, 4.0))), (None, 1),
     "分档计分（按所列顺序取第一个符合的档）：90 及以上得 2 分；95 及以上得 4 分；其余不得分"),
    (RankPoints(table=(6.0, 5.0, 4.5)), (None, 1),
     "按组内名次计分：第 1 名至第 3 名依次得 6、5、4.5 分，第 4 名及以后得 4.5 分；名次按指标值从优到劣排列，并列取最好名次"),
    (RankPoints(step=0.5), (None, 1), "按组内名次计分：第 1 名得满分，每降一名扣 0.5 分，扣完为止；名次按指标值从优到劣排列，并列取最好名次"),
    (ChecklistDeduct(per_item=0.5, zero_at=2), (None, -1), "每发现 1 项扣 0.5 分，扣完为止；2 项及以上不得分"),
    (ChecklistDeduct(per_item=0.5, zero_at=2), (None, -1, "次"), "每发现 1 次扣 0.5 分，扣完为止；2 次及以上不得分"),
    (ChecklistDeduct(per_item=1), (None, -1), "每发现 1 项扣 1 分，扣完为止"),
    (Goalposts(lower=0, upper=20), (None, 1, "%"), "目标值法：0% 及以下得 0 分，20% 及以上得满分，之间按线性计分"),
    (Goalposts(lower=0, upper=20), (None, 1), "目标值法：0 及以下得 0 分，20 及以上得满分，之间按线性计分"),
])
def test_describe(rule, args, text):
    assert rule.describe(*args) == text


# ---------------------------------------------------------------------------------------
# parse_rule
# ---------------------------------------------------------------------------------------


def test_parse_rule_converts_lists_and_keeps_numbers():
    band = parse_rule({"type": "band_table", "bands": [[98, 6], (95, 4.5)]})
    assert band == BandTable(bands=((98.0, 6.0), (95.0, 4.5)))
    assert all(isinstance(x, float) for pair in band.bands for x in pair)
    ranks = parse_rule({"type": "rank_points", "table": (6, 5), "step": 0})
    assert ranks == RankPoints(table=(6.0, 5.0), step=0) and all(isinstance(x, float) for x in ranks.table)
    assert parse_rule({"type": "threshold_deduct", "per": 2, "deduct": 0, "whole_steps": True}) == ThresholdDeduct(
        per=2, deduct=0, whole_steps=True)
    assert parse_rule({"type": "checklist_deduct", "zero_at": None}) == ChecklistDeduct(zero_at=None)
    assert parse_rule({"type": "ratio_to_best"}) == RatioToBest()
    assert parse_rule({"type": "binary"}) == Binary()
    assert parse_rule({"type": "linear_band", "low": 100, "high": 0}) == LinearBand(low=100, high=0)
    assert parse_rule({"type": "goalposts", "lower": 1.5, "upper": 2}) == Goalposts(lower=1.5, upper=2)
    assert parse_rule({"type": "rank_points", "step": 0.5}) == RankPoints(step=0.5)


ALL = "threshold_deduct, linear_band, ratio_to_best, binary, band_table, rank_points, checklist_deduct, goalposts"


@pytest.mark.parametrize("spec, message", [
    ("threshold_deduct", "expected a mapping with a 'type'; found 'threshold_deduct'"),
    ({"per": 1}, "expected a mapping with a 'type'; found {'per': 1}"),
    ({"type": "magic"}, f"expected a rule type among {ALL}; found 'magic'"),
    ({"type": "binery"}, f"expected a rule type among {ALL}; found 'binery' (did you mean 'binary'?)"),
    ({"type": "linear_band", "lo": 5}, "expected parameters of linear_band among high, low; found 'lo' "
                                       "(did you mean 'low'?)"),
    ({"type": "linear_band", "lo": 5, "hi": 6}, "expected parameters of linear_band among high, low; "
                                                "found 'lo', 'hi' (did you mean 'low'?)"),
    ({"type": "ratio_to_best", "best": 1}, "expected parameters of ratio_to_best among none; found 'best'"),
    ({"type": "band_table", "bands": 5}, "expected bands to be a list of [bound, points] pairs; found 5"),
    ({"type": "band_table", "bands": []}, "expected bands to be a list of [bound, points] pairs; found []"),
    ({"type": "band_table", "bands": [[1, 2, 3]]}, "expected bands to be a list of [bound, points] pairs; "
                                                   "found [[1, 2, 3]]"),
    ({"type": "band_table", "bands": [[1, "2"]]}, "expected bands to be a list of [bound, points] pairs"),
    ({"type": "band_table", "bands": [[1, True]]}, "expected bands to be a list of [bound, points] pairs"),
    ({"type": "band_table", "bands": [5]}, "expected bands to be a list of [bound, points] pairs"),
    ({"type": "rank_points", "table": [6, "5"]}, "expected table to be a list of numbers; found [6, '5']"),
    ({"type": "rank_points", "table": [[6]]}, "expected table to be a list of numbers"),
    ({"type": "rank_points", "table": "6 5"}, "expected table to be a list of numbers; found '6 5'"),
    ({"type": "rank_points", "table": [True]}, "expected table to be a list of numbers"),
    ({"type": "threshold_deduct", "whole_steps": 1}, "expected whole_steps to be true or false; found 1"),
    ({"type": "threshold_deduct", "whole_steps": "yes"}, "expected whole_steps to be true or false; found 'yes'"),
    ({"type": "threshold_deduct", "per": True}, "expected per to be a number; found True"),
    ({"type": "threshold_deduct", "per": "one"}, "expected per to be a number; found 'one'"),
    ({"type": "threshold_deduct", "per": None}, "expected per to be a number; found None"),
    ({"type": "checklist_deduct", "zero_at": "2"}, "expected zero_at to be a number; found '2'"),
    ({"type": "threshold_deduct", "per": 0}, "expected per > 0 and deduct ≥ 0; found per=0, deduct=1.0"),
    ({"type": "threshold_deduct", "per": -1}, "expected per > 0 and deduct ≥ 0; found per=-1, deduct=1.0"),
    ({"type": "threshold_deduct", "deduct": -0.5}, "expected per > 0 and deduct ≥ 0; found per=1.0, deduct=-0.5"),
    ({"type": "linear_band", "low": 5, "high": 5}, "expected low and high to differ"),
    ({"type": "linear_band", "low": 100}, "expected low and high to differ"),
    ({"type": "goalposts", "lower": 2, "upper": 2}, "expected the lower and upper goalposts to differ"),
    ({"type": "band_table"}, "expected at least one band"),
    ({"type": "rank_points"}, "expected a points table or a step > 0"),
    ({"type": "rank_points", "step": -1}, "expected a points table or a step > 0"),
    ({"type": "rank_points", "step": 0, "floor": 1}, "expected a points table or a step > 0"),
])
def test_parse_rule_refuses(spec, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)) as info:
        parse_rule(spec)
    if message.endswith(("}", "'", ")", "]", "1", "0", "5", "True", "None", "band", "differ")):
        assert str(info.value) == message  # the whole message


def test_scores_are_float_arrays_with_nan_for_no_data():
    # the missing cells are float NaN (not None in an object array)
    # band ≥ 90 → 3; rank 1 → 3; 95 items → 3 − 95 → 0; 95 ≥ 90 → 3
    for rule, kwargs, first in ((BandTable(bands=((90.0, 3.0),)), {}, 3.0),
                                (RankPoints(table=(3.0, 2.0)), {"rank": np.array([1.0, NAN])}, 3.0),
                                (ChecklistDeduct(), {}, 0.0), (Binary(), {}, 3.0)):
        got = rule.score(np.array([95.0, NAN]), 3.0, 90.0, 1, **kwargs)
        assert got.dtype == np.float64, rule
        assert np.isnan(got[1]) and got[0] == first
    # integer values give float scores too
    assert BandTable(bands=((90.0, 3.0),)).score(np.array([95, 80]), 3.0, None, 1).dtype == np.float64


def test_scores_never_leave_zero_to_points():
    # ratio_to_best with a negative value (a fall, say) against a positive best: −10/100 → 0,
    # not −0.6 points
    _same(RatioToBest().score(np.array([-10.0]), 6.0, None, 1, np.array([100.0])), [0])
    # checklist_deduct with a negative count (a correction entered as −2): 2 + 1 = 3 → capped at 2
    _same(ChecklistDeduct(per_item=0.5).score(np.array([-2.0]), 2.0, None, -1), [2])


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_ratio_to_best_divisions_by_zero_are_silent():
    # 0/0 (everyone at 0, higher is better) and 2/0 (lower is better) give full marks without a
    # RuntimeWarning; NaN stays NaN
    _same(RatioToBest().score(np.array([0.0, NAN]), 6.0, None, 1, np.array([0.0, 0.0])), [6, NAN])
    _same(RatioToBest().score(np.array([0.0, 0.0]), 6.0, None, -1, np.array([2.0, 0.0])), [6, 6])
