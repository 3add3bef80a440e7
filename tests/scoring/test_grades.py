"""Ranks within peer groups and grades under the top-grade quota."""

import pandas as pd

from evalkit.scoring.framework import GradeRules
from evalkit.scoring.grades import rank_and_grade


def frame(scores, group="department"):
    return pd.DataFrame({"unit_id": [f"U{i:02d}" for i in range(len(scores))],
                         "peer_group": group, "score_100": scores})


def test_ties_share_the_best_rank():
    out = rank_and_grade(frame([95.0, 93.0, 93.0, 80.0]), GradeRules(top_quota=1.0))
    assert out["rank"].tolist() == [1, 2, 2, 4]


def test_bands():
    out = rank_and_grade(frame([95.0, 85.0, 70.0, 59.99]), GradeRules(top_quota=1.0))
    assert out["grade"].tolist() == ["优秀", "良好", "合格", "不合格"]


def test_quota_caps_top_grade():
    # 10 units, 20 % quota → at most 2 优秀 even though 5 are ≥ 90.
    out = rank_and_grade(frame([99, 98, 97, 96, 95, 85, 84, 83, 82, 81]), GradeRules(top_quota=0.2))
    assert out["grade"].tolist()[:5] == ["优秀", "优秀", "良好", "良好", "良好"]


def test_tie_at_quota_boundary_is_never_split_and_never_exceeds():
    # Quota 2; units 2 and 3 tie at the boundary → only unit 1 is 优秀.
    out = rank_and_grade(frame([99, 97, 97, 85, 84, 83, 82, 81, 80, 79]), GradeRules(top_quota=0.2))
    assert out["grade"].tolist()[:3] == ["优秀", "良好", "良好"]


def test_groups_are_ranked_separately():
    both = pd.concat([frame([90.0, 80.0]), frame([70.0, 60.0], "subdistrict")], ignore_index=True)
    both["unit_id"] = ["A", "B", "C", "D"]
    out = rank_and_grade(both, GradeRules(top_quota=1.0))
    assert out["rank"].tolist() == [1, 2, 1, 2]
    assert out["n_in_group"].tolist() == [2, 2, 2, 2]
