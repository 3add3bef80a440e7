"""The number and text helpers behind every rule's ``describe`` and ``explain``, exactly.

A leader reads these strings in the report beside each score; a wrong digit, a lost space or
a stray character there is a wrong statement. Written for the mutation testing of issue 18
(``python benchmarks/mutation.py scoring``): each expectation is the text as it must read.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from evalkit.scoring.rules import (Binary, LinearBand, RatioToBest, ThresholdDeduct, _ending, _one, _tidy,
                                   fmt_number, fmt_score, full_marks_end, rule_at_target, value_text)


@pytest.mark.parametrize("x, decimals, text", [
    (math.nan, 2, "—"),
    (math.inf, 2, "∞"),
    (-math.inf, 2, "-∞"),
    (80.0, 2, "80"),
    (99.5, 2, "99.5"),
    (99.456, 2, "99.46"),
    (0.2, 2, "0.2"),
    # not 0 but rounds to 0 at 2 decimals: two significant digits, not "0"
    (0.0004, 2, "0.0004"),
    (0.00041234, 2, "0.00041"),
    (-0.0004, 2, "-0.0004"),
    (0.0, 2, "0"),
    (-0.0, 2, "0"),  # never "-0"
    (-0.001, 0, "-0.001"),
    (-0.4, 0, "-0.4"),
    (12.5, 0, "12"),  # Python rounds half to even
    (13.5, 0, "14"),
])
def test_fmt_number(x, decimals, text):
    assert fmt_number(x, decimals) == text


@pytest.mark.parametrize("score, points, text", [
    (9.5, 10, "9.5"),
    (10, 10, "10"),
    # 9.996 of 10 prints "10" at 2 decimals, so one more: "9.996" (9.9961234 → 9.996)
    (9.9961234, 10, "9.996"),
    # full marks exactly: the usual 2 decimals, however many digits the points have
    (2.345, 2.345, "2.35"),
    # more digits until the score differs from the points' own rounding: 1.2549 of 1.255
    # reads 1.25 / 1.25 at 2, 1.255 / 1.255 at 3, 1.2549 / 1.255 at 4
    (1.2549, 1.255, "1.2549"),
    # at most PARAMETER_DECIMALS (6): 9.9999999 stays "10" (and _ending says 得 10 分,
    # not 满分, because the score is short of the points)
    (9.9999999, 10, "10"),
    (9.99999, 10, "9.99999"),
])
def test_fmt_score(score, points, text):
    assert fmt_score(score, points) == text


def test_ending_says_full_marks_only_at_the_points():
    assert _ending(6, 6, True) == "得满分 6 分"
    assert _ending(0.5, 0.5, True) == "得满分 0.5 分"  # points below 1 are full marks too
    assert _ending(0.5, 0.5, False) == "full marks, 0.5 points"
    assert _ending(1, 1, False) == "full marks, 1 point"
    assert _ending(5.5, 6, True) == "得 5.5 分"
    assert _ending(1, 6, False) == "score 1 point"
    assert _ending(0, 0, True) == "得 0 分"  # a leaf worth nothing has no full marks
    assert _ending(9.9999999, 10, True) == "得 10 分"
    assert _ending(3, 6, True, full_marks=True) == "得满分 3 分"


def test_tidy_spaces_in_chinese_and_english():
    text = "a  b  中 文 ， x ABC中文 中文ABC (x)中 50%以上"
    assert _tidy(text, True) == "a b 中文，x ABC 中文中文 ABC (x) 中 50% 以上"
    assert _tidy("  at  80%  or  above ", False) == "at 80% or above"
    assert _tidy("中文 （说明） 。", True) == "中文（说明）。"


def test_value_text_defaults_to_chinese_without_a_unit():
    assert value_text(80) == "80"
    assert value_text(80, "%") == "80%"
    assert value_text(2, "pp") == "2 个百分点"
    assert value_text(2, "pp", "en") == "2 percentage points"
    assert value_text(1, "pp", "en") == "1 percentage point"
    assert value_text(3, "项") == "3 项"


def test_one_scores_a_single_value():
    rule = LinearBand(low=50, high=90)
    assert _one(rule, 70, 10, None, 1) == pytest.approx(5.0)  # 10·(70 − 50)/40
    assert math.isnan(_one(rule, None, 10, None, 1))  # no value: no score
    assert _one(RatioToBest(), 60, 10, None, 1, best=80) == pytest.approx(7.5)


def test_full_marks_end():
    assert full_marks_end(ThresholdDeduct(per=1, deduct=2), 95, 1) == 95.0
    assert full_marks_end(ThresholdDeduct(per=1, deduct=2), None, 1) is None
    assert full_marks_end(Binary(), 15, -1) == 15.0
    assert full_marks_end(LinearBand(low=50, high=90), None, 1) == 90.0
    assert full_marks_end(LinearBand(low=50, high=90), None, -1) == 50.0
    assert full_marks_end(RatioToBest(), 80, 1) is None


def test_rule_at_target_refuses_a_target_at_the_zero_end_and_names_the_rule():
    band = LinearBand(low=50, high=90)
    assert rule_at_target(band, 80, 1) == LinearBand(low=50, high=80)
    assert rule_at_target(band, 60, -1) == LinearBand(low=60, high=90)
    with pytest.raises(ValueError, match="zero-points end 50; found 50"):
        rule_at_target(band, 50, 1)  # a band from 50 to 50 has no width
    with pytest.raises(ValueError, match="zero-points end 90; found 90"):
        rule_at_target(band, 90, -1)
    with pytest.raises(ValueError, match="^a ratio_to_best rule does not score against a target$"):
        rule_at_target(RatioToBest(), 80, 1)
    with pytest.raises(ValueError, match="^a object rule does not score against a target$"):
        rule_at_target(object(), 80, 1)


def test_ratio_to_best_is_one_where_the_quotient_is_undefined():
    value = np.array([0.0, 60.0, np.nan])
    best = np.array([0.0, 80.0, 80.0])
    raw, ratio = RatioToBest().ratio(value, best, 1)
    # 0/0 (every unit of the group at 0, higher is better): the best itself → 1
    assert ratio[0] == 1.0 and math.isnan(raw[0])
    assert ratio[1] == pytest.approx(0.75)
    assert math.isnan(ratio[2])


def test_a_list_field_does_not_end_the_checks_of_the_fields_after_it():
    from evalkit.scoring.rules import parse_rule

    with pytest.raises(ValueError, match="^expected step to be a number; found 'x'$"):
        parse_rule({"type": "rank_points", "table": [6, 5], "step": "x"})
