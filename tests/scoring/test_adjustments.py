"""Bonus and deduction items with caps, 一票否决 and 一票否优, on the sample district."""

import pandas as pd
import pytest

from evalkit.scoring.framework import GradeRules, load_framework
from evalkit.scoring.adjustments import apply_adjustments
from evalkit.resources import sample_framework_path
from evalkit.scoring.grades import rank_and_grade


@pytest.fixture(scope="module")
def results(sample_2024):
    return sample_2024()


def unit(results, uid):
    return results.units.set_index("unit_id").loc[uid]


def test_bonus_is_added_and_capped(results):
    d10, s11 = unit(results, "D10"), unit(results, "S11")
    # the bonus is on the 100-point scale, added after the base is re-based to 100 (D10 has
    # indicators declared not applicable: its maximum is below 100)
    rebased = 100 * d10["base_score"] / d10["max_score"]
    assert d10["bonus"] == 2.0 and d10["score_100"] == pytest.approx(rebased + 2.0)
    assert d10["total_score"] == pytest.approx(d10["score_100"] * d10["max_score"] / 100)
    assert s11["bonus"] == 3.0  # 4 points awarded, bonus_cap 3


def test_deduction(results):
    d12 = unit(results, "D12")
    assert d12["deduction"] == 1.0
    assert d12["score_100"] == pytest.approx(100 * d12["base_score"] / d12["max_score"] - 1.0)


def test_veto_forces_lowest_grade_and_bar_top_blocks_the_top(results):
    d17, d33 = unit(results, "D17"), unit(results, "D33")
    assert d17["grade"] == "不合格" and "veto" in d17["flags"] and d17["score_100"] >= 60
    assert d33["grade"] != "优秀" and d33["score_100"] >= 90 and "bar_top" in d33["flags"]


def test_quota_still_holds_with_flags(results):
    for group, part in results.units.groupby("peer_group"):
        assert (part["grade"] == "优秀").sum() <= int(0.2 * len(part) + 1e-9)


def test_barred_unit_takes_no_quota_place():
    totals = pd.DataFrame({"unit_id": list("ABCDEFGHIJ"), "peer_group": "department",
                           "score_100": [99, 98, 97, 96, 95, 85, 84, 83, 82, 81],
                           "bar_top": [True] + [False] * 9})
    out = rank_and_grade(totals, GradeRules(top_quota=0.2))
    assert out["grade"].tolist()[:4] == ["良好", "优秀", "优秀", "良好"]


def test_adjustments_without_rows_change_nothing():
    fw = load_framework(sample_framework_path())
    totals = pd.DataFrame({"unit_id": ["A"], "total_score": [80.0], "max_score": [100.0], "score_100": [80.0]})
    empty = pd.DataFrame({"unit_id": pd.Series(dtype=object), "kind": pd.Series(dtype=object),
                          "points": pd.Series(dtype="float64")})
    out = apply_adjustments(totals, empty, fw)
    assert out.loc[0, "total_score"] == 80.0 and not out.loc[0, "veto"]
