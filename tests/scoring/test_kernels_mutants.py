"""The scorer's batch kernels (:mod:`evalkit.scoring.kernels`) and the table helpers built on
them (:func:`~evalkit.scoring.grades.rank_and_grade`, :func:`~evalkit.scoring.grades.band_of`,
:func:`~evalkit.scoring.adjustments.capped_adjustments`,
:func:`~evalkit.scoring.adjustments.apply_adjustments`) on small arrays worked by hand:
batches of replications, groups without data, tolerances at their edge.

Written for the mutation testing of issue 18 (``python benchmarks/mutation.py scoring``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.scoring import kernels
from evalkit.scoring.adjustments import ADJUSTMENT_KINDS, apply_adjustments, capped_adjustments
from evalkit.scoring.framework import AdjustmentRules, GradeRules
from evalkit.scoring.grades import band_of, rank_and_grade

NAN = math.nan
G = [np.array([0, 1, 2]), np.array([3, 4])]  # two peer groups of five units


def _same(got, want):
    got = np.asarray(got, dtype=float)
    np.testing.assert_allclose(got, np.asarray(want, dtype=float), rtol=0, atol=1e-12, equal_nan=True)
    assert got.shape == np.shape(want)


# ---------------------------------------------------------------------------------------
# Ranks
# ---------------------------------------------------------------------------------------


def test_rank_min_small_and_batched():
    _same(kernels.rank_min(np.array([[3.0, 1.0, 3.0, NAN]])), [[2, 1, 2, NAN]])
    # a batch of two rows ranked separately; plain lists are accepted
    _same(kernels.rank_min([[5, 4, 4], [1, 2, 3]]), [[3, 1, 1], [1, 2, 3]])
    _same(kernels.rank_min(np.array([7.0])), [1])


def test_rank_min_large_group_by_sorting():
    # 201 units (beyond the pairwise limit of 160): the values 0, 0, 1, 1, …, 99, 99 and a NaN;
    # value v has 2v smaller values → rank 2v + 1 ("1224" ties). Row 2 is row 1 reversed.
    x = np.append(np.repeat(np.arange(100.0), 2), NAN)
    want = np.append(2 * np.repeat(np.arange(100.0), 2) + 1, NAN)
    _same(kernels.rank_min(np.stack([x, x[::-1]])), np.stack([want, want[::-1]]))
    # exactly at the limit (160 units) the pairwise count gives the same
    y = np.repeat(np.arange(80.0), 2)
    _same(kernels.rank_min(y), 2 * y + 1)
    z = np.repeat(np.arange(81.0), 2)[:161]
    _same(kernels.rank_min(z), 2 * z + 1)


def test_group_value_ranks_by_direction():
    values = np.array([10.0, 30.0, 30.0, 5.0, 7.0])
    ok = np.array([True, True, True, True, False])
    # higher is better: 30, 30 rank 1, 10 rank 3; subdistrict: 5 rank 1, 7 does not count
    _same(kernels.group_value_ranks(values, ok, G, 1), [3, 1, 1, 1, NAN])
    # lower is better: 10 rank 1, 30s rank 2
    _same(kernels.group_value_ranks(values, ok, G, -1), [1, 2, 2, 1, NAN])
    # a batch of replications with the same mask
    batch = np.stack([values, values[::-1]])
    # row 2 = 7, 5, 30 | 30, (10): 30 rank 1, 7 rank 2, 5 rank 3 | 30 rank 1
    _same(kernels.group_value_ranks(batch, ok, G, 1), [[3, 1, 1, 1, NAN], [2, 3, 1, 1, NAN]])


def test_published_ranks_rounding_and_decimals():
    scores = np.array([[90.004, 89.996, 80.0, 70.0, NAN]])
    # 2 decimals: 90.00, 90.00 → both rank 1; 80 rank 3; subdistrict 70 rank 1, NaN stays NaN
    _same(kernels.published_ranks(scores, G), [[1, 1, 3, 1, NAN]])
    # 3 decimals tell them apart
    _same(kernels.published_ranks(scores, G, decimals=3), [[1, 2, 3, 1, NAN]])
    assert kernels.PUBLISHED_DECIMALS == 2


# ---------------------------------------------------------------------------------------
# Best values and missing data
# ---------------------------------------------------------------------------------------


def test_group_best_by_direction_and_mask():
    values = np.array([10.0, 30.0, 20.0, 5.0, 7.0])
    ok = np.array([True, False, True, False, False])
    # department best over A, C only: max 20 / min 10; the subdistrict has no counted value: NaN
    _same(kernels.group_best(values, ok, G, 1), [20, 20, 20, NAN, NAN])
    _same(kernels.group_best(values, ok, G, -1), [10, 10, 10, NAN, NAN])
    # negative values: the maximum is not 0 (the masked fill is −inf, not 0)
    _same(kernels.group_best(-values, np.ones(5, bool), G, 1), [-10, -10, -10, -5, -5])
    _same(kernels.group_best(-values, np.ones(5, bool), G, -1), [-30, -30, -30, -7, -7])
    # a batch with a per-replication mask
    batch = np.stack([values, values + 100])
    mask = np.array([[True] * 5, [False, False, False, True, True]])
    _same(kernels.group_best(batch, mask, G, 1), [[30, 30, 30, 7, 7], [NAN, NAN, NAN, 107, 107]])


def test_fill_missing_policies():
    scores = np.array([[8.0, NAN, 4.0, NAN, NAN]])
    points = np.array([10.0, 10.0, 20.0, 5.0, 5.0])
    no_data = np.array([False, True, False, True, True])
    donors = np.array([True, False, True, False, False])
    same = kernels.fill_missing(scores, points, no_data, donors, G, "renormalise")
    _same(same, scores)
    # zero: every unit without data scores 0 (the subdistrict too)
    _same(kernels.fill_missing(scores, points, no_data, donors, G, "zero"), [[8, 0, 4, 0, 0]])
    # peer_mean: department donors' shares 8/10 = 0.8 and 4/20 = 0.2 → mean 0.5 → B 0.5·10 = 5;
    # the subdistrict has no donor: stays NaN. The input is not changed.
    _same(kernels.fill_missing(scores, points, no_data, donors, G, "peer_mean"), [[8, 5, 4, NAN, NAN]])
    _same(scores, [[8, NAN, 4, NAN, NAN]])
    with pytest.raises(ValueError, match="unknown missing-data policy 'mean'"):
        kernels.fill_missing(scores, points, no_data, donors, G, "mean")


def test_fill_missing_peer_mean_per_replication():
    # two replications, donors A (10 points) and C (20 points): row 1 shares 0.8, 0.2 → 0.5 → B 5;
    # row 2 shares 0.6, 1.0 → 0.8 → B 8. A donor that is not applicable (D) is not used.
    scores = np.array([[8.0, NAN, 4.0, 1.0, NAN], [6.0, NAN, 20.0, 1.0, NAN]])
    points = np.array([10.0, 10.0, 20.0, 5.0, 5.0])
    no_data = np.array([False, True, False, False, True])
    donors = np.array([True, False, True, False, False])
    _same(kernels.fill_missing(scores, points, no_data, donors, G, "peer_mean"),
          [[8, 5, 4, 1, NAN], [6, 8, 20, 1, NAN]])


# ---------------------------------------------------------------------------------------
# Combining children
# ---------------------------------------------------------------------------------------


def test_combine_sum_renormalises_and_reports_coverage():
    # children worth 6 and 4; unit 1 has both (3 + 2 = 5 of 10), unit 2 only the first
    # (3 of 6 → 3·10/6 = 5), unit 3 neither (NaN); a batch of one row
    s1, s2 = np.array([[3.0, 3.0, NAN]]), np.array([[2.0, NAN, NAN]])
    p1, p2 = np.array([6.0, 6.0, 6.0]), np.array([4.0, 4.0, 4.0])
    score, pts, cover = kernels.combine_sum([s1, s2], [p1, p2])
    _same(score, [[5, 5, NAN]])
    _same(pts, [[10, 10, 10]])
    assert cover is None
    c1, c2 = np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])
    score, pts, cover = kernels.combine_sum([s1, s2], [p1, p2], [c1, c2])
    # coverage 10/10, 6/10, 0 (shaped as the scores)
    _same(cover, [[1, 0.6, 0]])
    with pytest.raises(ValueError, match="min_coverage needs the children's coverage"):
        kernels.combine_sum([s1, s2], [p1, p2], None, 0.5)


def test_combine_sum_min_coverage_at_its_edge():
    s1, s2 = np.array([3.0, 3.0]), np.array([2.0, NAN])
    p1, p2 = np.array([6.0, 6.0]), np.array([4.0, 4.0])
    c1, c2 = np.array([1.0, 1.0]), np.array([1.0, 0.0])
    # unit 2's scored coverage is 6/10 = 0.6: kept at min_coverage 0.6, missing at 0.6 + 1e-9
    score, _, cover = kernels.combine_sum([s1, s2], [p1, p2], [c1, c2], 0.6)
    _same(score, [5, 5])
    score, _, cover = kernels.combine_sum([s1, s2], [p1, p2], [c1, c2], 0.6 + 1e-9)
    _same(score, [5, NAN])
    _same(cover, [1, 0.6])


def test_combine_sum_scored_coverage_counts_only_children_with_a_score():
    # unit 1: child 2 (worth 4) has data (coverage 1) but no score (NaN, e.g. its own
    # min_coverage): coverage 1, yet only 6/10 of the points reach the parent's score.
    s1, s2 = np.array([3.0]), np.array([NAN])
    p1, p2 = np.array([6.0]), np.array([4.0])
    c1, c2 = np.array([1.0]), np.array([1.0])
    score, _, cover = kernels.combine_sum([s1, s2], [p1, p2], [c1, c2], 0.7)
    _same(cover, [1.0])
    _same(score, [NAN])  # 0.6 < 0.7
    score, _, _ = kernels.combine_sum([s1, s2], [p1, p2], [c1, c2], 0.6)
    _same(score, [5])  # 3·10/6
    # a child that does not apply to the unit (coverage NaN, points 0) counts nothing
    score, pts, cover = kernels.combine_sum([s1, s2], [p1, np.array([0.0])], [c1, np.array([NAN])], 1.0)
    _same(score, [3])
    _same(pts, [6])
    _same(cover, [1])


def test_combine_sum_with_no_points():
    # a parent worth 0 to the unit: no score, coverage NaN
    score, pts, cover = kernels.combine_sum([np.array([NAN])], [np.array([0.0])], [np.array([NAN])])
    _same(score, [NAN])
    _same(pts, [0])
    _same(cover, [NAN])
    # a child with a score but worth 0 points: nothing to renormalise over → NaN
    score, _, _ = kernels.combine_sum([np.array([0.0])], [np.array([0.0])])
    _same(score, [NAN])


def test_combine_geometric_by_hand():
    # logs of 4 (weight 1) and 1 (weight 3): (1·ln 4 + 3·0)/4 = ln 4/4 = ln √2
    l1, l2 = np.log(np.array([4.0, 4.0, NAN, 4.0])), np.log(np.array([1.0, NAN, NAN, 1.0]))
    p1, p2 = np.array([1.0, 1.0, 1.0, 1.0]), np.array([3.0, 3.0, 3.0, 0.0])
    mean, pts, cover = kernels.combine_geometric([l1, l2], [p1, p2])
    # unit 2: only the first child has a value → ln 4; unit 3: none → NaN; unit 4: the second
    # child is worth 0 → ln 4
    _same(mean, [math.log(2) / 2, math.log(4), NAN, math.log(4)])
    _same(pts, [4, 4, 4, 1])
    assert cover is None
    with pytest.raises(ValueError, match="min_coverage needs the children's coverage"):
        kernels.combine_geometric([l1, l2], [p1, p2], None, 0.1)


def test_combine_geometric_coverage_and_min_coverage():
    l1, l2 = np.log(np.array([4.0, 4.0])), np.log(np.array([1.0, NAN]))
    p1, p2 = np.array([1.0, 1.0]), np.array([3.0, 3.0])
    c1, c2 = np.array([1.0, 1.0]), np.array([1.0, 0.0])
    mean, _, cover = kernels.combine_geometric([l1, l2], [p1, p2], [c1, c2])
    _same(cover, [1, 0.25])
    # unit 2 rests on 1/4 of its points: kept at min_coverage 0.25, missing above
    mean, _, _ = kernels.combine_geometric([l1, l2], [p1, p2], [c1, c2], 0.25)
    _same(mean, [math.log(2) / 2, math.log(4)])
    mean, _, _ = kernels.combine_geometric([l1, l2], [p1, p2], [c1, c2], 0.25 + 1e-9)
    _same(mean, [math.log(2) / 2, NAN])


# ---------------------------------------------------------------------------------------
# Adjustments, bands and grades
# ---------------------------------------------------------------------------------------


def test_adjusted_scores():
    base = np.array([80.0, 1.0, NAN, 40.0, 30.0, 46.0])
    max_score = np.array([100.0, 100.0, 100.0, 0.0, 50.0, 92.0])
    bonus = np.array([3.0, 0.0, 1.0, 0.0, 0.0, 2.0])
    deduction = np.array([1.0, 5.0, 0.0, 0.0, 0.0, 1.0])
    total, score_100 = kernels.adjusted_scores(base, max_score, bonus, deduction)
    # 80 + 3 − 1 = 82; 1 − 5 → 0; NaN stays NaN; 40 with no maximum → NaN; 30 of 50 re-based
    # to 60; 46 of 92 (8 points not applicable) re-based to 50, then + 2 − 1 on the 100-point
    # scale = 51, which is 46.92 on the unit's 92 points
    _same(score_100, [82, 0, NAN, NAN, 60, 51])
    _same(total, [82, 0, NAN, NAN, 30, 51 * 0.92])


def test_band_indices():
    lows = [90.0, 80.0, 60.0, 0.0]
    scores = np.array([90.0, 90 - 1e-10, 90 - 1e-8, 80.0, 59.99, -5.0, NAN, 100.0])
    # on a bound (or within 1e-9 of it) is the better band; below every bound → the last band;
    # NaN → −1
    band = kernels.band_indices(scores, lows)
    assert band.tolist() == [0, 0, 1, 1, 3, 3, -1, 0]
    assert band.dtype == np.int8
    # bands whose last bound is above 0: a score below it still gets the last band
    assert kernels.band_indices(np.array([10.0, 50.0, 70.0]), [60.0, 50.0]).tolist() == [1, 1, 0]
    # a batch of two rows
    assert kernels.band_indices(np.array([[95.0, 85.0], [NAN, 50.0]]), lows).tolist() == [[0, 1], [-1, 3]]


def _grades(scores, ranks=None, members=(np.arange(5),), lows=(90.0, 80.0, 60.0, 0.0), quota=1.0, veto=None,
            bar_top=None):
    scores = np.asarray(scores, dtype=float)
    n = scores.shape[-1]
    if ranks is None:
        ranks = kernels.published_ranks(scores, list(members))
    veto = np.zeros(n, bool) if veto is None else np.asarray(veto)
    bar_top = np.zeros(n, bool) if bar_top is None else np.asarray(bar_top)
    return kernels.grade_indices(scores, ranks, list(members), list(lows), quota, veto, bar_top).tolist()


def test_grade_indices_bands_veto_and_bar_top():
    # 95 优秀, 85 良好, 70 合格, 10 不合格, NaN −1
    assert _grades([95, 85, 70, 10, NAN]) == [0, 1, 2, 3, -1]
    # 一票否决 on a 良好 unit → the last band; 一票否优 on a top unit → the second band; on a 良好
    # unit it changes nothing
    assert _grades([95, 85, 95, 85, 70], veto=[False, True, False, False, False],
                   bar_top=[False, False, True, True, False]) == [0, 3, 1, 1, 2]
    # the published score reaches the bound: 89.995 → 90.00 → 优秀; 89.994 → 89.99 → 良好
    assert _grades([89.995, 89.994, 0, 0, 0]) == [0, 1, 3, 3, 3]


def test_grade_indices_with_a_single_band():
    # one band only: 一票否优 keeps the unit in it (there is no second band); veto is that band
    assert _grades([95, 50, 95, 0, 95], lows=(0.0,), bar_top=[True, False, False, False, False],
                   veto=[False, False, False, False, True]) == [0, 0, 0, 0, 0]


def test_grade_indices_quota():
    # five units all ≥ 90, quota 0.4 → ⌊2⌋ = 2 places: ranks 1, 2 优秀, the rest 良好
    assert _grades([99, 98, 97, 96, 95], quota=0.4) == [0, 0, 1, 1, 1]
    # tie at the line: 99, 98, 98 — taking both 98s would make 3 > 2 → both 良好
    assert _grades([99, 98, 98, 96, 95], quota=0.4) == [0, 1, 1, 1, 1]
    # quota 0: nobody is 优秀
    assert _grades([99, 98, 97, 96, 95], quota=0.0) == [1, 1, 1, 1, 1]
    # units below 90 take no place: 99 and 80s → 99 优秀 with quota 0.2 (⌊1⌋ = 1)
    assert _grades([80, 99, 85, 70, 60], quota=0.2) == [1, 0, 1, 2, 2]
    # a barred unit ranked first takes no place: 98 is 优秀 with one place
    assert _grades([99, 98, 85, 70, 60], quota=0.2, bar_top=[True, False, False, False, False]) == [1, 0, 1, 2, 2]
    # a vetoed unit ranked first takes no place either
    assert _grades([99, 98, 85, 70, 60], quota=0.2, veto=[True, False, False, False, False]) == [3, 0, 1, 2, 2]


def test_grade_indices_quota_floor_tolerance():
    # 0.29 · 100 = 28.999999999999996 in floating point: the quota is 29 places, not 28
    assert 0.29 * 100 < 29
    scores = 100 - np.arange(100) * 0.05  # 100, 99.95, …, 95.05: all ≥ 90, all distinct
    grades = _grades(scores, members=(np.arange(100),), quota=0.29)
    assert grades.count(0) == 29 and grades[:29] == [0] * 29 and grades[29] == 1


def test_grade_indices_per_group_and_batch():
    # groups of 3 and 2 with quota 0.5: ⌊1.5⌋ = 1 place and ⌊1⌋ = 1 place
    scores = np.array([[99.0, 98.0, 97.0, 95.0, 94.0], [91.0, 92.0, 50.0, 94.0, 95.0]])
    ranks = kernels.published_ranks(scores, G)
    assert _grades(scores, ranks, members=G, quota=0.5) == [[0, 1, 1, 0, 1], [1, 0, 3, 1, 0]]


def test_band_of_and_rank_and_grade():
    rules = GradeRules()
    assert band_of(None, rules) is None and band_of(NAN, rules) is None
    assert band_of(90, rules) == "优秀" and band_of(-1.0, rules) == "不合格"
    totals = pd.DataFrame({"unit_id": ["A", "B", "C", "D", "E"],
                           "peer_group": ["d", "d", "d", 1, 1],
                           "score_100": [95.0, NAN, 85.0, 92.0, 91.0],
                           "veto": [False, None, True, np.nan, False],
                           "bar_top": [np.nan, False, False, True, None]})
    out = rank_and_grade(totals, GradeRules(top_quota=1.0))
    # d: A 95 rank 1 优秀; B no score; C 85 rank 2 but vetoed → 不合格. Group 1: D 92 一票否优 →
    # 良好 (rank 1); E 91 rank 2 优秀
    assert out["rank"].tolist()[0] == 1 and pd.isna(out["rank"].tolist()[1])
    assert out["rank"].tolist()[2:] == [2, 1, 2]
    assert str(out["rank"].dtype) == "Int64"
    grades = out["grade"].tolist()
    assert pd.isna(grades[1]) and grades[:1] + grades[2:] == ["优秀", "不合格", "良好", "优秀"]
    assert out["n_in_group"].tolist() == [3, 3, 3, 2, 2]
    assert totals.columns.tolist() == ["unit_id", "peer_group", "score_100", "veto", "bar_top"]  # a copy


def test_rank_and_grade_without_flags_and_empty():
    out = rank_and_grade(pd.DataFrame({"unit_id": ["A", "B"], "peer_group": "g", "score_100": [95.0, 96.0]}),
                         GradeRules(top_quota=0.5))
    # quota ⌊0.5·2⌋ = 1: B 优秀, A 良好 (not barred, not vetoed)
    assert out["grade"].tolist() == ["良好", "优秀"] and out["rank"].tolist() == [2, 1]
    empty = rank_and_grade(pd.DataFrame({"unit_id": pd.Series(dtype=str), "peer_group": pd.Series(dtype=str),
                                         "score_100": pd.Series(dtype=float)}), GradeRules())
    assert len(empty) == 0 and str(empty["rank"].dtype) == "Int64"
    assert set(empty.columns) >= {"rank", "n_in_group", "grade"}


def test_capped_adjustments_by_hand():
    adj = pd.DataFrame({"unit_id": [1, 1, "2", 2, "3", 9, 1, "2"],
                        "kind": ["bonus", "bonus", "deduction", "deduction", "veto", "bonus", "bar_top", "bonus"],
                        "points": [2.0, 2.5, 1.5, 1.0, NAN, 7.0, NAN, NAN]})
    out = capped_adjustments(adj, [3, 2, 1], AdjustmentRules(bonus_cap=3.0, deduction_cap=2.0))
    assert out.columns.tolist() == ["unit_id", "bonus", "deduction", "veto", "bar_top"]
    assert out["unit_id"].tolist() == ["3", "2", "1"]  # in the order asked, as text
    # 1: bonus min(4.5, 3) = 3; 2: deduction min(2.5, 2) = 2, bonus NaN → 0; 3: veto only;
    # unit 9 is not asked for
    assert out["bonus"].tolist() == [0, 0, 3]
    assert out["deduction"].tolist() == [0, 2, 0]
    assert out["veto"].tolist() == [True, False, False]
    assert out["bar_top"].tolist() == [False, False, True]
    # no caps: sums as they are
    out = capped_adjustments(adj, [1, 2], AdjustmentRules(bonus_cap=None, deduction_cap=None))
    assert out["bonus"].tolist() == [4.5, 0] and out["deduction"].tolist() == [0, 2.5]
    # caps below the sums only bind where the sum is above them
    out = capped_adjustments(adj, [1, 2], AdjustmentRules(bonus_cap=5.0, deduction_cap=2.5))
    assert out["bonus"].tolist() == [4.5, 0] and out["deduction"].tolist() == [0, 2.5]
    assert ADJUSTMENT_KINDS == ("bonus", "deduction", "veto", "bar_top")


def test_apply_adjustments_columns():
    from evalkit.scoring import parse_framework

    fw = parse_framework({"code": "m", "version": "1", "adjustments": {"bonus_cap": 2, "deduction_cap": 1},
                          "nodes": [{"code": "R", "area": "efficiency", "children": [
                              {"code": "L", "indicator": "service_on_time_rate", "points": 50,
                               "rule": {"type": "linear_band", "low": 0, "high": 100}}]}]})
    totals = pd.DataFrame({"unit_id": ["A", "B", "C"], "total_score": [40.0, 10.0, 0.5], "max_score": [50.0] * 3,
                           "score_100": [80.0, 20.0, 1.0], "extra": [1, 2, 3]})
    adj = pd.DataFrame({"unit_id": ["A", "B", "C", "C"], "kind": ["bonus", "deduction", "deduction", "bar_top"],
                        "points": [5.0, 0.5, 3.0, NAN]})
    out = apply_adjustments(totals, adj, fw)
    # re-based to 100 first, then the adjustments on the 100-point scale: A 40 of 50 = 80,
    # + min(5, 2) = 82 (41 of 50); B 20 − 0.5 = 19.5 (9.75 of 50); C 1 − min(3, 1) → 0
    assert out["base_score"].tolist() == [40, 10, 0.5]
    assert out["bonus"].tolist() == [2, 0, 0] and out["deduction"].tolist() == [0, 0.5, 1]
    assert out["total_score"].tolist() == pytest.approx([41, 9.75, 0])
    assert out["score_100"].tolist() == pytest.approx([82, 19.5, 0])
    assert out["veto"].tolist() == [False] * 3 and out["bar_top"].tolist() == [False, False, True]
    assert out["extra"].tolist() == [1, 2, 3]
    assert totals["total_score"].tolist() == [40, 10, 0.5]  # the input is not changed


# ---------------------------------------------------------------------------------------
# Dtypes, exact messages and the tolerance edges
# ---------------------------------------------------------------------------------------


def test_value_ranks_are_floats():
    ranks = kernels.group_value_ranks(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.ones(5, bool), G, 1)
    assert ranks.dtype == np.float64


def test_kernel_error_messages_are_exact():
    one = [np.array([1.0])]
    with pytest.raises(ValueError, match=r"^min_coverage needs the children's coverage$"):
        kernels.combine_sum(one, one, None, 0.5)
    with pytest.raises(ValueError, match=r"^min_coverage needs the children's coverage$"):
        kernels.combine_geometric(one, one, None, 0.5)
    with pytest.raises(ValueError, match=r"^unknown missing-data policy 'mean'$"):
        kernels.fill_missing(np.array([1.0]), np.array([1.0]), np.array([False]), np.array([True]),
                             [np.array([0])], "mean")


def test_combine_geometric_ignores_children_worth_nothing_even_at_zero():
    # a child worth 0 points whose value is 0 (log −inf) is left out, not 0·(−inf) = NaN:
    # the mean is the other child's ln 4
    mean, _, _ = kernels.combine_geometric([np.array([-np.inf]), np.array([math.log(4)])],
                                           [np.array([0.0]), np.array([1.0])])
    _same(mean, [math.log(4)])


def test_combine_geometric_with_weights_below_one():
    # weights 0.25 and 0.25 (Σ 0.5): (0.25·ln 4 + 0.25·0)/0.5 = ln 2
    mean, pts, _ = kernels.combine_geometric([np.array([math.log(4)]), np.array([0.0])],
                                             [np.array([0.25]), np.array([0.25])])
    _same(mean, [math.log(2)])
    _same(pts, [0.5])


def test_min_coverage_tolerance_is_inclusive():
    # scored coverage exactly 0.5; min_coverage 0.5 + 1e-12 is "equal within the tolerance"
    # (0.5 + 1e-12 − 1e-12 == 0.5 in floating point): the score is kept by both combiners
    assert (0.5 + 1e-12) - 1e-12 == 0.5
    s1, s2 = np.array([2.0]), np.array([NAN])
    p = [np.array([1.0]), np.array([1.0])]
    c = [np.array([1.0]), np.array([0.0])]
    score, _, _ = kernels.combine_sum([s1, s2], p, c, 0.5 + 1e-12)
    _same(score, [4])  # 2 · 2/1
    mean, _, _ = kernels.combine_geometric([np.log(s1), s2], p, c, 0.5 + 1e-12)
    _same(mean, [math.log(2)])
    # twice the tolerance above is below it: missing
    score, _, _ = kernels.combine_sum([s1, s2], p, c, 0.5 + 3e-12)
    _same(score, [NAN])
    mean, _, _ = kernels.combine_geometric([np.log(s1), s2], p, c, 0.5 + 3e-12)
    _same(mean, [NAN])


def test_best_values_and_published_ranks_are_floats():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert kernels.group_best(values, np.ones(5, bool), G, 1).dtype == np.float64
    assert kernels.published_ranks(values, G).dtype == np.float64
    assert kernels.rank_min(np.array([3, 1, 2])).tolist() == [3, 1, 2]  # integers are ranked as well


def test_grade_quota_in_a_group_after_one_without_candidates():
    # department (A, B, C) all below 90: no candidate; subdistrict (D, E) both ≥ 90 with
    # quota ⌊0.5·2⌋ = 1 → E (95) 优秀, D (94) 良好 — the quota is applied to the later group too
    assert _grades([85, 70, 50, 94, 95], members=G, quota=0.5) == [1, 2, 3, 1, 0]


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_kernels_mask_their_divisions_without_warnings():
    # parents worth 0, children without data, a maximum of 0 and NaN scores: no RuntimeWarning
    nan0 = [np.array([NAN, 1.0]), np.array([NAN, NAN])]
    zero = [np.array([0.0, 1.0]), np.array([0.0, 1.0])]
    cover = [np.array([NAN, 1.0]), np.array([NAN, 0.0])]
    score, _, cov = kernels.combine_sum(nan0, zero, cover, 0.5)
    _same(score, [NAN, 2])
    _same(cov, [NAN, 0.5])
    mean, _, cov = kernels.combine_geometric(nan0, zero, cover, 0.5)
    _same(mean, [NAN, 1])
    total, score_100 = kernels.adjusted_scores(np.array([NAN, 5.0]), np.array([0.0, 10.0]), np.zeros(2), np.zeros(2))
    _same(score_100, [NAN, 50])
    assert kernels.band_indices(np.array([NAN, 95.0]), [90.0, 0.0]).tolist() == [-1, 0]
