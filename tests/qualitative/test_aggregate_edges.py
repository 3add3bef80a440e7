"""Edges of evalkit/qualitative/aggregate.py, pinned by hand.

Written against the surviving mutants of ``python benchmarks/mutation.py qualitative``
(issue 18): the severity adjustment worked through for raters with different numbers of
ratings (so that the n − 1 of the sample variance matters), a rater without spread, a rater
with too few ratings, a group where nobody has enough, clipping at the top of the scale;
and empty inputs keep their columns and types.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit.qualitative._coded import code_ratings
from evalkit.qualitative.aggregate import (CELL_COLUMNS, GROUP_COLUMNS, UNIT_COLUMNS, _adjust_severity,
                                           aggregate_ratings, combine_groups, group_scores)


def _rows(group: str, rater: str, scores, criterion: str = "c1") -> list[dict]:
    return [{"rater_id": rater, "rater_group": group, "unit_id": f"U{i + 1}", "criterion": criterion,
             "score": float(s)} for i, s in enumerate(scores)]


def _severity_ratings() -> pd.DataFrame:
    rows = (_rows("expert", "A", [60, 70, 80]) + _rows("expert", "B", [40, 60, 80])
            + _rows("expert", "C", [50, 60, 70, 80, 90]) + _rows("expert", "D", [95])
            + _rows("expert", "E", [75, 75, 75])
            # nobody in this group has 3 ratings: every score stays as it is
            + _rows("public", "P", [10, 20]) + _rows("public", "Q", [30]))
    return pd.DataFrame(rows)


def test_severity_adjustment_worked_by_hand():
    """Raters of the expert group, min_ratings = 3 (D, with one rating, is left alone):

    ====== ================= ====== ===================================
    rater  ratings           mean   sd (n − 1)
    ====== ================= ====== ===================================
    A      60 70 80          70     √(200/2) = 10
    B      40 60 80          60     √(800/2) = 20
    C      50 60 70 80 90    70     √(1000/4) = 15.8114
    E      75 75 75          75     0
    ====== ================= ====== ===================================

    M = median(70, 60, 70, 75) = 70; S = median(10, 20, 15.8114, 0) = (10 + 15.8114)/2
    = 12.9057. x' = M + S·(x − m)/sd: A and B → 70 ∓ 12.9057 = 57.0943, 70, 82.9057;
    C → 70 + 0.81623·(x − 70) = 53.6754, 61.8377, 70, 78.1623, 86.3246; E (no spread) → M = 70;
    D keeps 95. In the public group nobody has 3 ratings, so M is undefined and P, Q keep
    their scores. No warning on the way (D's variance is 0/0, E's z-score 0/0)."""
    df = _severity_ratings()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _adjust_severity(code_ratings(df), 3, 100.0)
    s = 10 + math.sqrt(250)
    half = s / 2
    c = half / math.sqrt(250)
    expected = ([70 - half, 70, 70 + half] * 2
                + [70 + c * (x - 70) for x in (50, 60, 70, 80, 90)]
                + [95.0] + [70.0] * 3 + [10.0, 20.0, 30.0])
    assert got.tolist() == pytest.approx(expected, rel=1e-12)
    assert half == pytest.approx(12.9057, abs=1e-4)


def test_severity_adjustment_is_clipped_to_the_scale():
    got = _adjust_severity(code_ratings(_severity_ratings()), 3, 80.0)
    # 82.9057 (A, B), 86.3246 (C) and D's raw 95 are clipped to 80
    assert got[[2, 5, 10, 11]].tolist() == [80.0] * 4
    assert got.max() == 80.0


def test_severity_adjusted_cells_through_the_public_function():
    from evalkit.qualitative import AggregationPolicy

    df = _severity_ratings()
    policy = AggregationPolicy(adjust_severity=True, min_rater_ratings=3)
    cells = aggregate_ratings(df, policy)
    u1 = cells[(cells["rater_group"] == "expert") & (cells["unit_id"] == "U1")].iloc[0]
    # U1 is rated by A, B, C, D, E: 57.0943, 57.0943, 53.6754, 95, 70 → mean 66.5728
    half = (10 + math.sqrt(250)) / 2
    expected = (2 * (70 - half) + (70 - 20 * half / math.sqrt(250)) + 95 + 70) / 5
    assert u1["n_raters"] == 5 and u1["score"] == pytest.approx(expected, rel=1e-12)


# --- empty inputs ------------------------------------------------------------------------------

def _empty_ratings() -> pd.DataFrame:
    return pd.DataFrame({"rater_id": ["R1"], "rater_group": ["expert"], "unit_id": ["U1"],
                         "criterion": ["c1"], "score": [np.nan]})


def test_no_present_rating_gives_empty_frames_with_their_columns_and_types():
    cells = aggregate_ratings(_empty_ratings())
    assert list(cells.columns) == CELL_COLUMNS and len(cells) == 0
    assert (str(cells["score"].dtype), str(cells["n_raters"].dtype), str(cells["published"].dtype)) == \
        ("float64", "int64", "bool")
    assert cells["unit_id"].dtype == object
    groups = group_scores(_empty_ratings())
    assert list(groups.columns) == GROUP_COLUMNS and len(groups) == 0
    assert (str(groups["score"].dtype), str(groups["n_raters"].dtype), str(groups["criteria_used"].dtype),
            str(groups["published"].dtype)) == ("float64", "int64", "int64", "bool")
    units = combine_groups(groups)
    assert list(units.columns) == UNIT_COLUMNS and len(units) == 0


# --- group_scores and combine_groups ---------------------------------------------------------

def _group_ratings() -> pd.DataFrame:
    rows = []
    for i, s in enumerate([70, 75, 80, 85, 90]):  # c1: 5 raters, mean 80
        rows.append({"rater_id": f"R{i}", "rater_group": "expert", "unit_id": "U1", "criterion": "c1", "score": s})
    for i, s in enumerate([50, 55, 60, 65, 70]):  # c2: 5 raters (R3..R7), mean 60
        rows.append({"rater_id": f"R{i + 3}", "rater_group": "expert", "unit_id": "U1", "criterion": "c2", "score": s})
    for i, s in enumerate([10, 20, 30]):  # c3: 3 raters only → suppressed
        rows.append({"rater_id": f"R{i}", "rater_group": "expert", "unit_id": "U1", "criterion": "c3", "score": s})
    for i, s in enumerate([40, 50, 60]):  # U2 has only a suppressed cell
        rows.append({"rater_id": f"R{i}", "rater_group": "expert", "unit_id": "U2", "criterion": "c1", "score": s})
    return pd.DataFrame(rows)


def test_group_score_weights_published_criteria_only():
    # U1: c1 80 (w 2) and c2 60 (w 1) published, c3 suppressed (w 5 ignored):
    # (2·80 + 1·60)/3 = 73.333; distinct raters R0..R7 = 8. U2: nothing published.
    out = group_scores(_group_ratings(), criterion_weights={"c1": 2, "c2": 1, "c3": 5}).set_index("unit_id")
    assert out.loc["U1", "score"] == pytest.approx(220 / 3)
    assert (out.loc["U1", "criteria_used"], out.loc["U1", "n_raters"], out.loc["U1", "status"]) == (2, 8, "ok")
    assert bool(out.loc["U1", "published"]) is True
    assert np.isnan(out.loc["U2", "score"]) and out.loc["U2", "criteria_used"] == 0
    assert (out.loc["U2", "n_raters"], out.loc["U2", "status"], bool(out.loc["U2", "published"])) == \
        (3, "below_min_raters", False)
    # equal weights by default: (80 + 60)/2 = 70; a criterion absent from the mapping weighs 0
    assert group_scores(_group_ratings()).set_index("unit_id").loc["U1", "score"] == 70.0
    assert group_scores(_group_ratings(), criterion_weights={"c2": 1}).set_index("unit_id").loc["U1", "score"] == 60.0


def _groups() -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": ["U1"] * 4 + ["U2"] * 2 + ["U3"],
        "rater_group": ["leader", "peer", "service_user", "expert", "leader", "expert", "leader"],
        "n_raters": [5, 6, 10, 3, 7, 5, 2],
        "criteria_used": [2, 2, 2, 0, 1, 1, 0],
        "score": [80.0, 70.0, 90.0, np.nan, 60.0, 50.0, np.nan],
        "published": [True, True, True, False, True, True, False],
        "status": ["ok", "ok", "ok", "below_min_raters", "ok", "ok", "below_min_raters"]})


def test_combine_groups_with_the_default_weights_worked_by_hand():
    # default weights leader 0.3, peer 0.2, service_user 0.4, expert 0.1 (domain brief §1.3)
    # U1: expert unpublished → (0.3·80 + 0.2·70 + 0.4·90)/0.9 = 74/0.9 = 82.222, covered 0.9,
    #     raters 5 + 6 + 10 = 21; U2: (0.3·60 + 0.1·50)/0.4 = 57.5, covered 0.4, raters 12;
    # U3: nothing published → no_data, never 0
    out = combine_groups(_groups()).set_index("unit_id")
    assert out["score"].iloc[:2].tolist() == pytest.approx([74 / 0.9, 57.5])
    assert np.isnan(out.loc["U3", "score"])
    assert out["weight_covered"].tolist() == pytest.approx([0.9, 0.4, 0.0])
    assert out["n_raters"].tolist() == [21, 12, 0]
    assert out["groups_used"].tolist() == [3, 2, 0]
    assert out["status"].tolist() == ["ok", "ok", "no_data"]
    assert list(out.reset_index().columns) == UNIT_COLUMNS


def test_combine_groups_no_data_policy_and_own_weights():
    # only leader and expert weigh: U2 has both → (60 + 50)/2 = 55; U1 lacks a published
    # expert score → no score under no_data, 80 under renormalise
    w = {"leader": 1.0, "expert": 1.0, "peer": 0.0}
    strict = combine_groups(_groups(), w, missing_group="no_data").set_index("unit_id")
    assert np.isnan(strict.loc["U1", "score"]) and strict.loc["U2", "score"] == 55.0
    assert strict["status"].tolist() == ["no_data", "ok", "no_data"]
    assert strict["weight_covered"].tolist() == pytest.approx([0.5, 1.0, 0.0])
    loose = combine_groups(_groups(), w).set_index("unit_id")
    assert loose.loc["U1", "score"] == 80.0 and loose.loc["U1", "groups_used"] == 1
    # a negative weight does not count towards the total weight
    neg = combine_groups(_groups(), {"leader": 1.0, "service_user": -1.0}).set_index("unit_id")
    assert neg.loc["U1", "score"] == 80.0 and neg.loc["U1", "weight_covered"] == 1.0
    with pytest.raises(ValueError, match="^combine_groups: expected missing_group renormalise or no_data; "
                                         "found 'drop'$"):
        combine_groups(_groups(), missing_group="drop")


# --- the scalar trimmed means ---------------------------------------------------------------------

def test_drop_extremes_mean_edges():
    from evalkit.qualitative.aggregate import drop_extremes_mean, trimmed_mean

    # the default k is 1: 1, 2, 3, 10 → (2 + 3)/2 = 2.5 (with k = 2 nothing would remain)
    assert drop_extremes_mean([1, 2, 3, 10]) == 2.5
    # three values, k = 1: the middle one remains
    assert drop_extremes_mean([1, 2, 30], k=1) == 2.0
    # k = 0 drops nothing
    assert drop_extremes_mean([1, 2, 6], k=0) == 3.0
    # nothing remains (2k values or fewer): NaN, without a mean-of-empty-slice warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(drop_extremes_mean([1, 2], k=1))
        assert np.isnan(drop_extremes_mean([1, 2, 3, 4], k=2))
    for k in (-1, 1.5):
        with pytest.raises(ValueError, match=f"^drop_extremes_mean: expected k a whole number ≥ 0; found {k!r}$"):
            drop_extremes_mean([1, 2, 3], k=k)
    # None is a missing rating, like NaN
    assert trimmed_mean([1, None, 3], 0.0) == 2.0
    assert drop_extremes_mean([1, None, 3, 5], k=1) == 3.0


def test_severity_adjustment_of_a_narrow_rater_and_below_zero():
    """min_ratings = 3, one group:

    ====== ================= ====== ===================================
    rater  ratings           mean   sd (n − 1)
    ====== ================= ====== ===================================
    A      0 10 20           10     √(200/2) = 10
    B      9.5 10 10.5       10     √(0.5/2) = 0.5 (a spread, though below 1 point)
    C      0 60 60 60        45     √((45² + 3·15²)/3) = √900 = 30
    ====== ================= ====== ===================================

    M = median(10, 10, 45) = 10, S = median(10, 0.5, 30) = 10. x' = 10 + 10·(x − m)/sd:
    A → 0, 10, 20; B → 10 + 20·(x − 10) = 0, 10, 20; C → 10 + (x − 45)/3 = −5 (clipped to 0),
    15, 15, 15."""
    df = pd.DataFrame(_rows("expert", "A", [0, 10, 20]) + _rows("expert", "B", [9.5, 10, 10.5])
                      + _rows("expert", "C", [0, 60, 60, 60]))
    got = _adjust_severity(code_ratings(df), 3, 100.0)
    assert got.tolist() == pytest.approx([0, 10, 20, 0, 10, 20, 0, 15, 15, 15], abs=1e-12)


def test_drop_extremes_cells_with_one_and_with_no_rating_left():
    """去掉最高分和最低分 (k = 1), minimum 3 raters. U1/c1: 10, 50, 90 → only 50 remains → 50.
    U1/c2: 10, 20, 30, 40, 100 → (20 + 30 + 40)/3 = 30. U2/c1, the last cell: 60, 70 → nothing
    remains (and 2 raters are below the minimum): suppressed, without a 0/0 warning."""
    from evalkit.qualitative import AggregationPolicy

    df = pd.DataFrame([{"rater_id": f"R{i}", "rater_group": "expert", "unit_id": u, "criterion": c,
                        "score": float(s)}
                       for u, c, scores in (("U1", "c1", (10, 50, 90)), ("U1", "c2", (10, 20, 30, 40, 100)),
                                            ("U2", "c1", (60, 70)))
                       for i, s in enumerate(scores)])
    from evalkit.qualitative.rubric import AnonymityWarning

    with pytest.warns(AnonymityWarning, match="below 5, the advised minimum"):
        policy = AggregationPolicy(method="drop_extremes", drop_k=1, min_raters=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cells = aggregate_ratings(df, policy)
    assert cells["score"].tolist()[:2] == [50.0, 30.0] and np.isnan(cells["score"].iloc[2])
    assert cells["status"].tolist() == ["ok", "ok", "below_min_raters"]


def test_combine_groups_types_and_no_positive_weight():
    out = combine_groups(_groups())
    assert (str(out["n_raters"].dtype), str(out["groups_used"].dtype)) == ("int64", "int64")
    # no positive weight at all: nothing is covered (0, not 0/0 or 1) and no unit has a score
    none = combine_groups(_groups(), {"leader": 0.0, "peer": -1.0})
    assert none["weight_covered"].tolist() == [0.0, 0.0, 0.0]
    assert none["score"].isna().all() and none["status"].tolist() == ["no_data"] * 3


def test_group_scores_pass_score_max_to_the_severity_adjustment():
    """min_ratings 3, one group: A and B rate 80, 90, 100 (mean 90, sd 10); C rates 50, 50, 100
    (mean 66.667, sd √(1666.667/2) = 28.868). M = median(90, 90, 66.667) = 90, S = 10: A and B
    keep their scores; C's 100 becomes 90 + 10·33.333/28.868 = 101.547, clipped to the top of
    the scale. U3 (100, 100, 100 → 100, 100, 101.547) then scores 100 on a 0–100 scale and 80 on
    a 0–80 scale (every rating clipped to 80). Cells passed in are used as they are."""
    from evalkit.qualitative import AggregationPolicy
    from evalkit.qualitative.rubric import AnonymityWarning

    df = pd.DataFrame(_rows("expert", "A", [80, 90, 100]) + _rows("expert", "B", [80, 90, 100])
                      + _rows("expert", "C", [50, 50, 100]))
    with pytest.warns(AnonymityWarning):
        policy = AggregationPolicy(adjust_severity=True, min_rater_ratings=3, min_raters=3)
    u3 = lambda frame: frame.set_index("unit_id").loc["U3", "score"]  # noqa: E731
    assert u3(group_scores(df, policy)) == 100.0
    assert u3(group_scores(df, policy, score_max=80.0)) == 80.0
    # cells aggregated on a 0–50 scale, passed in: used as they are (U3 → 50), not recomputed
    clipped = aggregate_ratings(df, policy, score_max=50.0)
    assert u3(group_scores(df, policy, cells=clipped)) == 50.0
