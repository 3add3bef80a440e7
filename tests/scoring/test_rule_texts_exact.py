"""The printed rules word for word (``describe`` and ``explain`` of evalkit/scoring/rules.py).

test_rule_texts.py checks properties of every text (the stated score is the rule's own, no
Chinese in English, …); these tests pin the exact sentences of each branch, in both
languages, including the edges a property cannot see: a target not given (目标值), the default
unit (none), a leaf worth 0 or 0.5 points (full marks only by the rule's decision, not because
the score reaches the points), a floor between 0 and 1, tables of one and two ranks, units
that count items (次) and units that do not (分, 个), two-decimal numbers in explanations.

Written for the mutation testing of issue 18 (``python benchmarks/mutation.py scoring``).
Each expected sentence is assembled by hand from the rule's wording (the arithmetic in the
comments), never produced by evalkit.
"""

from __future__ import annotations

import pytest

from evalkit.scoring.rules import (BandTable, Binary, ChecklistDeduct, Goalposts, LinearBand, RankPoints,
                                   RatioToBest, ThresholdDeduct)

TIES_ZH = "；名次按指标值从优到劣排列，并列取最好名次"
TIES_EN = "; ranks order the values best first, tied values sharing the best rank"

DESCRIBE = [
    # --- binary: target 80 %, up and down; no target given (目标值 / the target)
    (Binary(), (80.0, 1, "%"), "达到 80% 得满分，低于 80% 不得分", "Full marks at 80% or above, 0 points below 80%"),
    (Binary(), (80.0, -1, "%"), "不超过 80% 得满分，高于 80% 不得分", "Full marks at 80% or below, 0 points above 80%"),
    (Binary(), (None, -1, "%"), "不超过目标值得满分，高于目标值不得分",
     "Full marks at the target or below, 0 points above the target"),
    # a unit with a word: 天 in Chinese, days in English
    (Binary(), (5.0, 1, "天"), "达到 5 天得满分，低于 5 天不得分", "Full marks at 5 days or above, 0 points below 5 days"),
    # --- threshold_deduct: 2 points per percentage point below 80 %, in proportion
    (ThresholdDeduct(per=1, deduct=2), (80.0, 1, "%"),
     "达到 80% 得满分，每低 1 个百分点扣 2 分，不足 1 个百分点按比例扣分，扣完为止",
     "Full marks at 80% or above; 2 points off per percentage point below, a part of a percentage point "
     "deducting in proportion; down to 0 points"),
    # 3 points per 10 days above an unnamed target, whole steps
    (ThresholdDeduct(per=10, deduct=3, whole_steps=True), (None, -1, "天"),
     "不超过目标值得满分，每高 10 天扣 3 分，不足 10 天按 10 天计，扣完为止",
     "Full marks at the target or below; 3 points off per 10 days above, each started step of 10 days "
     "counting in full; down to 0 points"),
    # a step of exactly 1 of a unit that is not a percentage: "per day", "a part of a day"
    (ThresholdDeduct(per=1, deduct=0.5), (5.0, 1, "天"),
     "达到 5 天得满分，每低 1 天扣 0.5 分，不足 1 天按比例扣分，扣完为止",
     "Full marks at 5 days or above; 0.5 points off per day below, a part of a day deducting in proportion; "
     "down to 0 points"),
    # --- rank_points: a table of 5 ranks, then 0.5 less per rank, at least 2
    (RankPoints(table=(6.0, 5.5, 5.0, 4.5, 4.0), step=0.5, floor=2.0), (None, 1, ""),
     "按组内名次计分：第 1 名至第 5 名依次得 6、5.5、5、4.5、4 分，此后每降一名扣 0.5 分，最低 2 分" + TIES_ZH,
     "By rank in the peer group: ranks 1 to 5 score 6, 5.5, 5, 4.5 and 4 points, then 0.5 points less per "
     "further rank, at least 2 points" + TIES_EN),
    # a table of 2 ranks, 1 less per rank, floor 0.5 (between 0 and 1)
    (RankPoints(table=(3.0, 2.0), step=1.0, floor=0.5), (None, 1, ""),
     "按组内名次计分：第 1 名至第 2 名依次得 3、2 分，此后每降一名扣 1 分，最低 0.5 分" + TIES_ZH,
     "By rank in the peer group: ranks 1 to 2 score 3 and 2 points, then 1 point less per further rank, "
     "at least 0.5 points" + TIES_EN),
    # a table of 2 ranks, 1 less per rank, no floor: down to 0
    (RankPoints(table=(6.0, 5.0), step=1.0), (None, 1, ""),
     "按组内名次计分：第 1 名至第 2 名依次得 6、5 分，此后每降一名扣 1 分，扣完为止" + TIES_ZH,
     "By rank in the peer group: ranks 1 to 2 score 6 and 5 points, then 1 point less per further rank, "
     "down to 0" + TIES_EN),
    # a table of 2 ranks and no step: rank 3 and below keep the last entry, max(2, 0) = 2
    (RankPoints(table=(3.0, 2.0)), (None, 1, ""),
     "按组内名次计分：第 1 名至第 2 名依次得 3、2 分，第 3 名及以后得 2 分" + TIES_ZH,
     "By rank in the peer group: ranks 1 to 2 score 3 and 2 points, rank 3 and below 2 points" + TIES_EN),
    # a table of one rank: "rank 1 scores 6 points", rank 2 and below max(6, 0) = 6
    (RankPoints(table=(6.0,)), (None, 1, ""),
     "按组内名次计分：第 1 名得 6 分，第 2 名及以后得 6 分" + TIES_ZH,
     "By rank in the peer group: rank 1 scores 6 points, rank 2 and below 6 points" + TIES_EN),
    # no table: full marks less a step per rank, down to 0 / at least 0.5
    (RankPoints(step=0.5), (None, 1, ""),
     "按组内名次计分：第 1 名得满分，每降一名扣 0.5 分，扣完为止" + TIES_ZH,
     "By rank in the peer group: rank 1 gets full marks, 0.5 points less per rank below, down to 0" + TIES_EN),
    (RankPoints(step=1.0, floor=0.5), (None, 1, ""),
     "按组内名次计分：第 1 名得满分，每降一名扣 1 分，最低 0.5 分" + TIES_ZH,
     "By rank in the peer group: rank 1 gets full marks, 1 point less per rank below, at least 0.5 points"
     + TIES_EN),
    # --- checklist_deduct: items (no unit → 项 / item), 0 from 2 on
    (ChecklistDeduct(per_item=0.5, zero_at=2), (None, -1, ""),
     "每发现 1 项扣 0.5 分，扣完为止；2 项及以上不得分",
     "0.5 points off per item found, down to 0; 0 points from 2 items on"),
    # a unit that counts (次 / occurrences)
    (ChecklistDeduct(per_item=0.5, zero_at=2), (None, -1, "次"),
     "每发现 1 次扣 0.5 分，扣完为止；2 次及以上不得分",
     "0.5 points off per occurrence found, down to 0; 0 points from 2 occurrences on"),
    # a unit the table lacks, in Latin letters: written as it is, spaced from the Chinese
    (ChecklistDeduct(per_item=0.5, zero_at=2), (None, -1, "km"),
     "每发现 1 km 扣 0.5 分，扣完为止；2 km 及以上不得分", "0.5 points off per km found, down to 0; 0 points from 2 km on"),
    # 分 counts no items, nor does 个 in English (it has no English word): 项 / item
    (ChecklistDeduct(per_item=1.0), (None, -1, "分"), "每发现 1 项扣 1 分，扣完为止", "1 point off per item found, down to 0"),
    (ChecklistDeduct(per_item=1.0), (None, -1, "个"), "每发现 1 个扣 1 分，扣完为止", "1 point off per item found, down to 0"),
    # --- band_table: ordered bands, lower is better
    (BandTable(bands=((0.0, 5.0), (10.0, 4.0), (20.0, 3.0))), (None, -1, "%"),
     "分档计分：0% 及以下得 5 分；高于 0%、不超过 10% 得 4 分；高于 10%、不超过 20% 得 3 分；高于 20% 不得分",
     "Bands: 5 points at 0% or below; 4 points above 0% and up to 10%; 3 points above 10% and up to 20%; "
     "0 points above 20%"),
    # bands not ordered from the best down: each band's test, the first that applies
    (BandTable(bands=((80.0, 9.0), (90.0, 2.0))), (None, 1, "%"),
     "分档计分（按所列顺序取第一个符合的档）：80% 及以上得 9 分；90% 及以上得 2 分；其余不得分",
     "Bands (the first that applies, in the order listed): 9 points at 80% or above; 2 points at 90% or above; "
     "0 points otherwise"),
    # ordered bands in days (lower is better): 天 beside Chinese, days in English
    (BandTable(bands=((5.0, 3.0), (10.0, 1.0))), (None, -1, "天"),
     "分档计分：5 天及以下得 3 分；高于 5 天、不超过 10 天得 1 分；高于 10 天不得分",
     "Bands: 3 points at 5 days or below; 1 point above 5 days and up to 10 days; 0 points above 10 days"),
    # two bands on the same bound are not "ordered" (neither is strictly better): each band's test
    (BandTable(bands=((10.0, 3.0), (10.0, 2.0))), (None, 1, ""),
     "分档计分（按所列顺序取第一个符合的档）：10 及以上得 3 分；10 及以上得 2 分；其余不得分",
     "Bands (the first that applies, in the order listed): 3 points at 10 or above; 2 points at 10 or above; "
     "0 points otherwise"),
    (BandTable(bands=((10.0, 3.0), (10.0, 2.0))), (None, -1, ""),
     "分档计分（按所列顺序取第一个符合的档）：10 及以下得 3 分；10 及以下得 2 分；其余不得分",
     "Bands (the first that applies, in the order listed): 3 points at 10 or below; 2 points at 10 or below; "
     "0 points otherwise"),
    # --- goalposts, lower is better: 20 days scores 0, 0 days full marks
    (Goalposts(lower=0, upper=20), (None, -1, "天"),
     "目标值法：20 天及以上得 0 分，0 天及以下得满分，之间按线性计分",
     "Goalposts: 0 points at 20 days or above, full marks at 0 days or below, linear in between"),
    (Goalposts(lower=50, upper=100), (None, 1, "%"),
     "目标值法：50% 及以下得 0 分，100% 及以上得满分，之间按线性计分",
     "Goalposts: 0 points at 50% or below, full marks at 100% or above, linear in between"),
    # --- ratio_to_best: fixed sentences
    (RatioToBest(), (None, 1, "%"),
     "得分 = 满分 × 本单位值 ÷ 同组最优值（同组有数据单位中的最高值），最优单位得满分；最优值为 0 时得满分",
     "Score = full marks × own value ÷ best value (the highest value among the peer group's units with data); "
     "the best unit gets full marks, and every unit does when the best value is 0"),
    (RatioToBest(), (None, -1, "%"),
     "得分 = 满分 × 同组最优值（同组有数据单位中的最低值）÷ 本单位值，最优单位得满分；本单位值为 0 时得满分",
     "Score = full marks × best value (the lowest value among the peer group's units with data) ÷ own value; "
     "the best unit gets full marks, and a unit with value 0 does too"),
]


@pytest.mark.parametrize("rule, args, zh, en", DESCRIBE, ids=[f"{c[0].type}-{i}" for i, c in enumerate(DESCRIBE)])
def test_describe_word_for_word(rule, args, zh, en):
    target, direction, unit = args
    assert rule.describe(target, direction, unit, "zh") == zh
    assert rule.describe(target, direction, unit, "en") == en


def test_describe_with_the_default_unit_has_no_unit():
    # Binary with target 80 and no unit: "80", not "80 <something>"
    assert Binary().describe(80.0, 1) == "达到 80 得满分，低于 80 不得分"
    assert ThresholdDeduct(per=5, deduct=2).describe(100.0, 1, language="en") == (
        "Full marks at 100 or above; 2 points off per 5 below, a part of a step of 5 deducting in proportion; "
        "down to 0 points")


#: (rule, explain keyword arguments, zh, en)
EXPLAIN = [
    # --- binary, target 80 %, 5 points
    # 90 ≥ 80 met; a leaf worth 0 points: full marks by the rule, 0 points
    (Binary(), dict(value=90.0, points=0.0, target=80.0, direction=1, unit="%"),
     "达到目标 80%，得满分 0 分", "Meets the target of 80%: full marks, 0 points"),
    # lower is better: exactly 80 ≤ 80 is met
    (Binary(), dict(value=80.0, points=5.0, target=80.0, direction=-1, unit="%"),
     "达到目标 80%，得满分 5 分", "Meets the target of 80%: full marks, 5 points"),
    # lower is better: 85 is 85 − 80 = 5 percentage points above → 0
    (Binary(), dict(value=85.0, points=5.0, target=80.0, direction=-1, unit="%"),
     "比目标 80% 高 5 个百分点，未达到目标，得 0 分", "5 percentage points above the target of 80%, not met: score 0 points"),
    # the gap 80 − 77.123 = 2.877 is stated with 2 decimals: 2.88
    (Binary(), dict(value=77.123, points=5.0, target=80.0, direction=1, unit="%"),
     "比目标 80% 低 2.88 个百分点，未达到目标，得 0 分",
     "2.88 percentage points below the target of 80%, not met: score 0 points"),
    # no unit given: 80 − 70 = 10 below
    (Binary(), dict(value=70.0, points=5.0, target=80.0, direction=1),
     "比目标 80 低 10，未达到目标，得 0 分", "10 below the target of 80, not met: score 0 points"),
    # --- ratio_to_best, 10 points: 10 × 50 ÷ 80 = 6.25
    (RatioToBest(), dict(value=50.0, points=10.0, target=None, direction=1, best=80.0),
     "本单位 50，同组最优 80：10 × 50 ÷ 80，得 6.25 分",
     "50 against the peer group's best of 80: 10 × 50 ÷ 80; score 6.25 points"),
    # the best 98.7654 % is stated as 98.77 %: 10 × 50 ÷ 98.7654 = 5.0625… → 5.06
    (RatioToBest(), dict(value=50.0, points=10.0, target=None, direction=1, best=98.7654, unit="%"),
     "本单位 50%，同组最优 98.77%：10 × 50 ÷ 98.77，得 5.06 分",
     "50% against the peer group's best of 98.77%: 10 × 50 ÷ 98.77; score 5.06 points"),
    # own value 12.3456 % stated as 12.35 %; lower is better: 10 × 5 ÷ 12.3456 = 4.0500… → 4.05
    (RatioToBest(), dict(value=12.3456, points=10.0, target=None, direction=-1, best=5.0, unit="%"),
     "本单位 12.35%，同组最优 5%：10 × 5 ÷ 12.35，得 4.05 分",
     "12.35% against the peer group's best of 5%: 10 × 5 ÷ 12.35; score 4.05 points"),
    # best 0: 5 ÷ 0 cannot be computed → full marks (a leaf worth 0: full marks, 0 points)
    (RatioToBest(), dict(value=5.0, points=0.0, target=None, direction=1, best=0.0),
     "本单位 5，同组最优 0，比值无法计算（除数为 0），得满分 0 分",
     "5 against the peer group's best of 0: the ratio divides by 0, so full marks, 0 points"),
    # the best unit on a leaf of 0.5 points: 0.5 × 80 ÷ 80 = 0.5, full marks
    (RatioToBest(), dict(value=80.0, points=0.5, target=None, direction=1, best=80.0),
     "本单位 80 为同组最优值，得满分 0.5 分", "80, the best in the peer group: full marks, 0.5 points"),
    # … and on a leaf of 0 points the formula is stated (no full marks to speak of): 0 × 80 ÷ 80 = 0
    (RatioToBest(), dict(value=80.0, points=0.0, target=None, direction=1, best=80.0),
     "本单位 80，同组最优 80：0 × 80 ÷ 80，得 0 分", "80 against the peer group's best of 80: 0 × 80 ÷ 80; score 0 points"),
    # --- checklist_deduct, 5 points
    # nothing found, a leaf worth 0 points: full marks, 0 points
    (ChecklistDeduct(per_item=0.5), dict(value=0.0, points=0.0, target=None, direction=-1),
     "未发现扣分项，得满分 0 分", "Nothing found: full marks, 0 points"),
    # 1 occurrence × 0.5 = 0.5 off → 4.5
    (ChecklistDeduct(per_item=0.5, zero_at=2), dict(value=1.0, points=5.0, target=None, direction=-1, unit="次"),
     "发现 1 次，扣 0.5 分，得 4.5 分", "1 occurrence found, 0.5 points off: score 4.5 points"),
    # 3 ≥ zero_at 2 → 0
    (ChecklistDeduct(per_item=0.5, zero_at=2), dict(value=3.0, points=5.0, target=None, direction=-1, unit="次"),
     "发现 3 次，2 次及以上不得分，得 0 分", "3 occurrences found, 2 occurrences or more score nothing: score 0 points"),
    # 3 × 2 = 6 due > 5 points → 0
    (ChecklistDeduct(per_item=2.0), dict(value=3.0, points=5.0, target=None, direction=-1),
     "发现 3 项，应扣 6 分，扣完为止，得 0 分", "3 items found, 6 points due, down to 0: score 0 points"),
    # 2.5 × 2 = 5 due = the 5 points: deducted, not "down to 0"
    (ChecklistDeduct(per_item=2.0), dict(value=2.5, points=5.0, target=None, direction=-1),
     "发现 2.5 项，扣 5 分，得 0 分", "2.5 items found, 5 points off: score 0 points"),
    # 1 × 0.333 = 0.333 off, stated 0.33; 5 − 0.333 = 4.667 → 4.67
    (ChecklistDeduct(per_item=0.333), dict(value=1.0, points=5.0, target=None, direction=-1),
     "发现 1 项，扣 0.33 分，得 4.67 分", "1 item found, 0.33 points off: score 4.67 points"),
    # --- goalposts 0 → 100, no unit: 10 × (50 − 0) ÷ (100 − 0) = 5
    (Goalposts(lower=0, upper=100), dict(value=50.0, points=10.0, target=None, direction=1),
     "50，在 0 与 100 之间，按线性计分 10 × (50 − 0) ÷ (100 − 0)，得 5 分",
     "50, between 0 and 100: linear, 10 × (50 − 0) ÷ (100 − 0); score 5 points"),
    # --- band_table 0 → 5, ≤ 10 → 4, ≤ 20 → 3 (lower is better), no unit
    # 15.4321 (stated 15.43) is above 10 and up to 20 → 3 points
    (BandTable(bands=((0.0, 5.0), (10.0, 4.0), (20.0, 3.0))), dict(value=15.4321, points=5.0, target=None, direction=-1),
     "15.43，属于“高于 10、不超过 20”一档，得 3 分", '15.43 is in the band "above 10 and up to 20": score 3 points'),
    # 0 is in the first band, worth 5, capped at the leaf's 4 points → full marks 4
    (BandTable(bands=((0.0, 5.0), (10.0, 4.0), (20.0, 3.0))), dict(value=0.0, points=4.0, target=None, direction=-1),
     "0，属于“0 及以下”一档（该档 5 分，以分值 4 分为上限），得满分 4 分",
     '0 is in the band "0 or below" (the band\'s 5 points capped at the leaf\'s 4 points): full marks, 4 points'),
    # higher is better, 20 → 3, 10 → 2, 0 → 1: −5 is below the last bound 0 → no band, 0 points
    (BandTable(bands=((20.0, 3.0), (10.0, 2.0), (0.0, 1.0))), dict(value=-5.0, points=5.0, target=None, direction=1),
     "-5，低于 0，不在任何一档，得 0 分", "-5 is in no band (below 0): score 0 points"),
    # --- rank_points, 10 points
    # full marks less 1 per rank, floor 7: rank 4 → 10 − 3 = 7, exactly the floor (no note)
    (RankPoints(step=1.0, floor=7.0), dict(value=1.0, points=10.0, target=None, direction=1, rank=4),
     "组内第 4 名，得 7 分", "Rank 4 in the peer group: score 7 points"),
    # rank 5 → 10 − 4 = 6 < 7: raised to the floor
    (RankPoints(step=1.0, floor=7.0), dict(value=1.0, points=10.0, target=None, direction=1, rank=5),
     "组内第 5 名（按名次 6 分，不低于最低 7 分），得 7 分",
     "Rank 5 in the peer group (6 by rank, raised to the minimum 7 points): score 7 points"),
    # a table worth more than the leaf: rank 1 → 12, capped at 10 → full marks
    (RankPoints(table=(12.0, 8.0)), dict(value=1.0, points=10.0, target=None, direction=1, rank=1),
     "组内第 1 名（按名次 12 分，以分值 10 分为上限），得满分 10 分",
     "Rank 1 in the peer group (12 by rank, capped at the leaf's 10 points): full marks, 10 points"),
    # a value without a rank (NaN): no data
    (RankPoints(step=1.0), dict(value=1.0, points=10.0, target=None, direction=1, rank=float("nan")),
     "无数据，不按本规则计分（按缺失数据规则处理）", "No data: not scored by this rule (the missing-data policy applies)"),
    # --- linear_band, 10 points
    # lower is better, 20 days scores 0 and 0 days full marks: 5 → 10 × (1 − 5/20) = 7.5
    (LinearBand(low=0, high=20), dict(value=5.0, points=10.0, target=None, direction=-1, unit="天"),
     "5 天，在 20 天与 0 天之间，按线性计分 10 × (5 − 20) ÷ (0 − 20)，得 7.5 分",
     "5 days, between 20 days and 0 days: linear, 10 × (5 − 20) ÷ (0 − 20); score 7.5 points"),
    # … 0 days: at the full-marks end; 25 days: beyond the zero-points end
    (LinearBand(low=0, high=20), dict(value=0.0, points=10.0, target=None, direction=-1, unit="天"),
     "0 天，不超过满分线 0 天，得满分 10 分", "0 days, at or below the full-marks end 0 days: full marks, 10 points"),
    (LinearBand(low=0, high=20), dict(value=25.0, points=10.0, target=None, direction=-1, unit="天"),
     "25 天，不低于 0 分线 20 天，得 0 分", "25 days, at or above the zero-points end 20 days: score 0 points"),
    # higher is better: 100 full marks, 0 nothing
    (LinearBand(low=0, high=100), dict(value=100.0, points=10.0, target=None, direction=1),
     "100，达到满分线 100，得满分 10 分", "100, at or above the full-marks end 100: full marks, 10 points"),
    (LinearBand(low=0, high=100), dict(value=0.0, points=10.0, target=None, direction=1),
     "0，不高于 0 分线 0，得 0 分", "0, at or below the zero-points end 0: score 0 points"),
    # a leaf of 0.5 points at the full-marks end: full marks 0.5
    (LinearBand(low=0, high=100), dict(value=100.0, points=0.5, target=None, direction=1),
     "100，达到满分线 100，得满分 0.5 分", "100, at or above the full-marks end 100: full marks, 0.5 points"),
    # 10 × 5/100 = 0.5 points, between the ends (not "at the zero-points end")
    (LinearBand(low=0, high=100), dict(value=5.0, points=10.0, target=None, direction=1),
     "5，在 0 与 100 之间，按线性计分 10 × (5 − 0) ÷ (100 − 0)，得 0.5 分",
     "5, between 0 and 100: linear, 10 × (5 − 0) ÷ (100 − 0); score 0.5 points"),
    # a negative end in parentheses, with all its decimals: 10 × 6.2345/11.2345 = 5.5494… → 5.55
    (LinearBand(low=-1.2345, high=10), dict(value=5.0, points=10.0, target=None, direction=1),
     "5，在 -1.2345 与 10 之间，按线性计分 10 × (5 − (-1.2345)) ÷ (10 − (-1.2345))，得 5.55 分",
     "5, between -1.2345 and 10: linear, 10 × (5 − (-1.2345)) ÷ (10 − (-1.2345)); score 5.55 points"),
    # the leaf's points with all their decimals: 7.12345 × 50/100 = 3.561725 → 3.56
    (LinearBand(low=0, high=100), dict(value=50.0, points=7.12345, target=None, direction=1),
     "50，在 0 与 100 之间，按线性计分 7.12345 × (50 − 0) ÷ (100 − 0)，得 3.56 分",
     "50, between 0 and 100: linear, 7.12345 × (50 − 0) ÷ (100 − 0); score 3.56 points"),
    # the value with 2 decimals: 33.333333 → 33.33; 10 × 0.33333333 = 3.33
    (LinearBand(low=0, high=100), dict(value=33.333333, points=10.0, target=None, direction=1),
     "33.33，在 0 与 100 之间，按线性计分 10 × (33.33 − 0) ÷ (100 − 0)，得 3.33 分",
     "33.33, between 0 and 100: linear, 10 × (33.33 − 0) ÷ (100 − 0); score 3.33 points"),
    # --- threshold_deduct, 2 points per unit short of 80, 10 points
    # no unit: 80 − 77 = 3 short → 6 off → 4
    (ThresholdDeduct(per=1, deduct=2), dict(value=77.0, points=10.0, target=80.0, direction=1),
     "比目标 80 低 3，扣 6 分，得 4 分", "3 below the target of 80: 6 points off; score 4 points"),
    # 80 − 77.123 = 2.877 short (stated 2.88) → 5.754 off (5.75) → 4.246 (4.25)
    (ThresholdDeduct(per=1, deduct=2), dict(value=77.123, points=10.0, target=80.0, direction=1, unit="%"),
     "比目标 80% 低 2.88 个百分点，扣 5.75 分，得 4.25 分",
     "2.88 percentage points below the target of 80%: 5.75 points off; score 4.25 points"),
    # lower is better: 85 is 5 above → 10 off = exactly the 10 points (deducted, not "down to 0")
    (ThresholdDeduct(per=1, deduct=2), dict(value=85.0, points=10.0, target=80.0, direction=-1, unit="%"),
     "比目标 80% 高 5 个百分点，扣 10 分，得 0 分", "5 percentage points above the target of 80%: 10 points off; score 0 points"),
    # meets the target on a leaf of 0 points: full marks, 0 points
    (ThresholdDeduct(per=1, deduct=2), dict(value=90.0, points=0.0, target=80.0, direction=1),
     "达到目标 80，得满分 0 分", "Meets the target of 80: full marks, 0 points"),
    # whole steps of 1, short by 0.5 − (0.5 − 2⁻⁴⁰) = 2⁻⁴⁰ = 9.09e-13 (stated 0.00000000000091):
    # ⌈9.09e-13 − 1e-9⌉ = 0 steps, floating-point noise → full marks (10, and on a 0-point leaf 0)
    (ThresholdDeduct(per=1, deduct=2, whole_steps=True), dict(value=0.5 - 2 ** -40, points=10.0, target=0.5, direction=1),
     "比目标 0.5 低 0.00000000000091，差距在计算精度以内，不计一档，得满分 10 分",
     "0.00000000000091 below the target of 0.5: within floating-point noise of a whole step, no step counted; "
     "full marks, 10 points"),
    (ThresholdDeduct(per=1, deduct=2, whole_steps=True), dict(value=0.5 - 2 ** -40, points=0.0, target=0.5, direction=1),
     "比目标 0.5 低 0.00000000000091，差距在计算精度以内，不计一档，得满分 0 分",
     "0.00000000000091 below the target of 0.5: within floating-point noise of a whole step, no step counted; "
     "full marks, 0 points"),
    # --- units written in Chinese beside Chinese words: no space between 天 and 低/及
    # binary, 5 days up: 3 is 2 days below
    (Binary(), dict(value=3.0, points=5.0, target=5.0, direction=1, unit="天"),
     "比目标 5 天低 2 天，未达到目标，得 0 分", "2 days below the target of 5 days, not met: score 0 points"),
    # band_table in days, lower is better: 4 ≤ 5 → the first band, 3 points
    (BandTable(bands=((5.0, 3.0), (10.0, 1.0))), dict(value=4.0, points=5.0, target=None, direction=-1, unit="天"),
     "4 天，属于“5 天及以下”一档，得 3 分", '4 days is in the band "5 days or below": score 3 points'),
    # threshold_deduct in days, a shortfall of floating-point noise (2⁻⁴⁰ days)
    (ThresholdDeduct(per=1, deduct=2, whole_steps=True),
     dict(value=0.5 - 2 ** -40, points=10.0, target=0.5, direction=1, unit="天"),
     "比目标 0.5 天低 0.00000000000091 天，差距在计算精度以内，不计一档，得满分 10 分",
     "0.00000000000091 days below the target of 0.5 days: within floating-point noise of a whole step, "
     "no step counted; full marks, 10 points"),
    # checklist_deduct in km (Latin letters, spaced from the Chinese): 3 ≥ 2 → 0
    (ChecklistDeduct(per_item=0.5, zero_at=2), dict(value=3.0, points=5.0, target=None, direction=-1, unit="km"),
     "发现 3 km，2 km 及以上不得分，得 0 分", "3 km found, 2 km or more score nothing: score 0 points"),
    # --- linear_band 0 → 100, no unit, the same sentence
    (LinearBand(low=0, high=100), dict(value=50.0, points=10.0, target=None, direction=1),
     "50，在 0 与 100 之间，按线性计分 10 × (50 − 0) ÷ (100 − 0)，得 5 分",
     "50, between 0 and 100: linear, 10 × (50 − 0) ÷ (100 − 0); score 5 points"),
]


@pytest.mark.parametrize("rule, kw, zh, en", EXPLAIN, ids=[f"{c[0].type}-{i}" for i, c in enumerate(EXPLAIN)])
def test_explain_word_for_word(rule, kw, zh, en):
    assert rule.explain(**kw, language="zh") == zh
    assert rule.explain(**kw, language="en") == en


def test_gap_and_value_texts_defaults():
    from evalkit.scoring.rules import gap_text

    # no unit: the number alone; the default language is Chinese: a gap of percentages is in
    # 个百分点; decimals are passed on (2.877 with 2 decimals → 2.88)
    assert gap_text(5) == "5"
    assert gap_text(5, "%") == "5 个百分点"
    assert gap_text(2.877, "天", "zh", 2) == "2.88 天"
    assert gap_text(2.877, "天", "en", 2) == "2.88 days"


def test_value_text_defaults():
    from evalkit.scoring.rules import value_text

    # no unit: the number alone; Chinese by default: 3 项 (English would be "3 items")
    assert value_text(5) == "5"
    assert value_text(3, "项") == "3 项"


def test_points_text_defaults():
    from evalkit.scoring.rules import points_text

    # Chinese by default, with up to 6 decimals: 0.123456 stays as it is (not 0.12)
    assert points_text(2) == "2 分"
    assert points_text(0.123456) == "0.123456 分"
    assert points_text(1, "en") == "1 point" and points_text(1.5, "en") == "1.5 points"


def test_rank_points_needs_the_rank_to_explain():
    with pytest.raises(ValueError, match="^rank_points needs the rank within the peer group to explain a score$"):
        RankPoints(step=1.0).explain(1.0, 10.0, None, 1)


def test_ratio_to_best_needs_the_best_value_to_explain():
    with pytest.raises(ValueError, match="^ratio_to_best needs the best value of the peer group to explain a score$"):
        RatioToBest().explain(50.0, 10.0, None, 1)


def test_a_zero_point_leaf_says_where_the_value_lies():
    """A leaf worth 0 points scores 0 wherever its value lies; the explanation still places the
    value by the band (below the zero end, in between, beyond the full end), not always at
    the zero end (found by reading the mutation report, issue 18)."""
    from evalkit.scoring.rules import LinearBand

    band = LinearBand(low=60, high=90)
    assert band.explain(50, 0.0, None, 1, "%", language="en") == \
        "50%, at or below the zero-points end 60%: score 0 points"
    assert band.explain(75, 0.0, None, 1, "%", language="en") == \
        "75%, between 60% and 90%: linear, 0 × (75 − 60) ÷ (90 − 60); score 0 points"
    assert band.explain(95, 0.0, None, 1, "%", language="en") == \
        "95%, at or above the full-marks end 90%: full marks, 0 points"
    assert band.explain(75, 0.0, None, 1, "%") == "75%，在 60% 与 90% 之间，按线性计分 0 × (75 − 60) ÷ (90 − 60)，得 0 分"


def test_a_zero_point_leaf_at_the_ends_and_lower_is_better():
    """The 0-point leaf's placement exactly at each end (an end belongs to its side) and for a
    lower-is-better band (10 days full marks, 30 days nothing)."""
    from evalkit.scoring.rules import LinearBand

    up = LinearBand(low=60, high=90)
    assert up.explain(90, 0.0, None, 1, "%", language="en") == \
        "90%, at or above the full-marks end 90%: full marks, 0 points"
    assert up.explain(60, 0.0, None, 1, "%", language="en") == \
        "60%, at or below the zero-points end 60%: score 0 points"
    down = LinearBand(low=10, high=30)
    assert down.explain(5, 0.0, None, -1, "天", language="en") == \
        "5 days, at or below the full-marks end 10 days: full marks, 0 points"
    assert down.explain(10, 0.0, None, -1, "天", language="en") == \
        "10 days, at or below the full-marks end 10 days: full marks, 0 points"
    assert down.explain(20, 0.0, None, -1, "天", language="en") == \
        "20 days, between 30 days and 10 days: linear, 0 × (20 − 30) ÷ (10 − 30); score 0 points"
    assert down.explain(30, 0.0, None, -1, "天", language="en") == \
        "30 days, at or above the zero-points end 30 days: score 0 points"
    assert down.explain(35, 0.0, None, -1, "天") == "35 天，不低于 0 分线 30 天，得 0 分"
    assert up.explain(95, 0.0, None, 1, "%") == "95%，达到满分线 90%，得满分 0 分"
