"""Aggregation of rubric ratings: methods, minimum raters, group weights, missing data,
the harsh rater, and the rating_score indicator.

Published examples for the trimmed mean:
* Wikipedia, "Interquartile mean": 5, 8, 4, 38, 8, 6, 9, 7, 7, 3, 1, 6 → IQM 6.5
  (the 25 % trimmed mean; arithmetic mean 8.5).
* SciPy ``scipy.stats.trim_mean`` docs: trim_mean(range(20), 0.1) = 9.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.indicators.base import OUTPUT_COLUMNS
from evalkit.indicators.qualitative import rating_score
from evalkit.qualitative import (AggregationPolicy, RubricError, aggregate_ratings, combine_groups,
                                 drop_extremes_mean, evaluate_ratings, exclude_own_unit, group_scores,
                                 trimmed_mean)

YEAR = 2024
IQM = [5, 8, 4, 38, 8, 6, 9, 7, 7, 3, 1, 6]


def test_trimmed_mean_published_examples():
    assert trimmed_mean(IQM, 0.25) == 6.5
    assert np.mean(IQM) == 8.5
    assert trimmed_mean(range(20), 0.1) == 9.5
    assert trimmed_mean([1, 2, 3, 4, 5, 6, 7, 100], 0.1) == np.mean([1, 2, 3, 4, 5, 6, 7, 100])  # floor(0.8) = 0
    assert trimmed_mean([np.nan, 1, 2, 3], 0.0) == 2.0  # NaN are not ratings
    assert np.isnan(trimmed_mean([], 0.1))
    with pytest.raises(ValueError, match="proportion"):
        trimmed_mean(IQM, 0.5)


def test_drop_extremes_mean():
    assert drop_extremes_mean([60, 90, 91, 92, 99]) == 91  # 去掉最高分和最低分
    assert drop_extremes_mean([80, 80, 80, 90], k=1) == 80
    assert drop_extremes_mean(IQM, k=3) == 6.5
    assert np.isnan(drop_extremes_mean([1, 2], k=1))


values = st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=40)


@settings(max_examples=100, deadline=None)
@given(values, st.floats(0, 0.49))
def test_trimmed_mean_equals_scipy(xs, p):
    assert trimmed_mean(xs, p) == pytest.approx(stats.trim_mean(xs, p), rel=1e-12, abs=1e-9)


def _ratings(cells: dict) -> pd.DataFrame:
    """{(unit, group, criterion): [scores]} → ratings with raters R0, R1, …"""
    rows = [{"rater_id": f"R{i}", "rater_group": g, "unit_id": u, "criterion": c, "score": float(v)}
            for (u, g, c), scores in cells.items() for i, v in enumerate(scores)]
    return pd.DataFrame(rows)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.integers(0, 100), min_size=5, max_size=12), min_size=1, max_size=6),
       st.sampled_from(["mean", "median", "trimmed_mean", "drop_extremes"]))
def test_vectorised_methods_equal_the_scalar_functions(cell_scores, method):
    r = _ratings({(f"U{i}", "peer", "c"): s for i, s in enumerate(cell_scores)})
    pol = AggregationPolicy(method=method, trim_proportion=0.2, drop_k=1)
    got = aggregate_ratings(r, pol)["score"].to_numpy()
    ref = {"mean": np.mean, "median": np.median, "trimmed_mean": lambda s: trimmed_mean(s, 0.2),
           "drop_extremes": lambda s: drop_extremes_mean(s, 1)}[method]
    np.testing.assert_allclose(got, [ref(s) for s in cell_scores], rtol=1e-12)


def test_cells_below_the_minimum_are_suppressed_and_missing_ratings_never_imputed():
    r = _ratings({("U1", "peer", "a"): [80, 82, 84, 86, 88], ("U1", "peer", "b"): [70, 72, 74, 76, 78],
                  ("U1", "leader", "a"): [90, 91, 92, 93], ("U1", "leader", "b"): [95, 96, 97, 98]})
    cells = aggregate_ratings(r).set_index(["rater_group", "criterion"])
    assert cells.loc[("peer", "a"), "score"] == 84 and bool(cells.loc[("peer", "a"), "published"])
    assert np.isnan(cells.loc[("leader", "a"), "score"]) and cells.loc[("leader", "a"), "status"] == "below_min_raters"
    assert cells.loc[("leader", "a"), "n_raters"] == 4
    # one missing rating (empty score) takes a cell below the minimum: no imputation, no zero
    r2 = r.copy()
    r2.loc[0, "score"] = np.nan
    cells2 = aggregate_ratings(r2).set_index(["rater_group", "criterion"])
    assert cells2.loc[("peer", "a"), "n_raters"] == 4 and np.isnan(cells2.loc[("peer", "a"), "score"])
    groups = group_scores(r2, cells=aggregate_ratings(r2)).set_index("rater_group")
    assert groups.loc["peer", "criteria_used"] == 1 and groups.loc["peer", "score"] == 74  # criterion b only
    assert not groups.loc["leader", "published"]
    unit = combine_groups(groups.reset_index()).iloc[0]
    assert unit["score"] == 74 and unit["groups_used"] == 1 and unit["weight_covered"] == pytest.approx(0.2)
    assert combine_groups(groups.reset_index(), missing_group="no_data")["status"].tolist() == ["no_data"]


def test_sample_experts_below_minimum_for_social_service_units(sample_dataset, sample_ratings, sample_raters):
    ev = evaluate_ratings(sample_ratings, sample_raters, reliability=False, diagnostics=False)
    units = sample_dataset.units.set_index("unit_id")
    social = set(units.index[units["unit_class"] == "社会服务类"])
    expert = ev.group_scores[ev.group_scores["rater_group"] == "expert"].set_index("unit_id")
    assert (expert.loc[sorted(social), "n_raters"] < 5).all()
    assert (~expert.loc[sorted(social), "published"]).all() and expert.loc[sorted(social), "score"].isna().all()
    assert expert.drop(index=sorted(social))["published"].all()
    cells = ev.criterion_scores
    thin = cells[cells["n_raters"] < 5]
    assert set(thin["unit_id"]) == social and set(thin["rater_group"]) == {"expert"}
    assert thin["score"].isna().all() and (thin["status"] == "below_min_raters").all()
    # the combined score of those units rests on the other three groups, weights renormalised
    u = ev.unit_scores.set_index("unit_id")
    assert (u.loc[sorted(social), "groups_used"] == 3).all()
    assert u.loc[sorted(social), "weight_covered"].tolist() == pytest.approx([0.9] * len(social))
    g = ev.group_scores.set_index(["unit_id", "rater_group"])["score"]
    one = sorted(social)[0]
    by_hand = (0.3 * g[(one, "leader")] + 0.2 * g[(one, "peer")] + 0.4 * g[(one, "service_user")]) / 0.9
    assert u.loc[one, "score"] == pytest.approx(by_hand, abs=1e-12)
    assert (u["status"] == "ok").all()


def test_severity_adjustment_removes_the_harsh_raters_pull(sample_ratings, sample_raters):
    """PR42 scores ~20 points below the other peers. Unadjusted, that lowers the peer score of
    every unit PR42 rated by ~0.8 points; standardising raters removes most of it."""
    r = exclude_own_unit(sample_ratings, sample_raters).eligible
    rated = sorted(set(r.loc[r["rater_id"] == "PR42", "unit_id"]))
    assert len(rated) >= 20

    def peer(policy, data):
        g = group_scores(data, policy)
        return g[g["rater_group"] == "peer"].set_index("unit_id")["score"]

    without = r[r["rater_id"] != "PR42"]
    for adjust, bound in ((False, None), (True, 0.25)):
        pol = AggregationPolicy(adjust_severity=adjust)
        pull = peer(pol, r)[rated] - peer(pol, without)[rated]
        if adjust:
            assert abs(pull.mean()) < bound and pull.abs().max() < 0.35
        else:
            assert pull.mean() < -0.6 and (pull < 0).all()
    # dropping the highest and lowest rating also blunts it
    pol = AggregationPolicy(method="drop_extremes")
    assert abs((peer(pol, r)[rated] - peer(pol, without)[rated]).mean()) < 0.45


def test_rating_score_indicator_uses_the_package(sample_dataset, sample_ratings, sample_raters, sample_rubric):
    out = rating_score(sample_dataset, YEAR)
    assert list(out.columns) == OUTPUT_COLUMNS
    assert len(out) == len(sample_dataset.units) and (out["status"] == "ok").all()
    ev = evaluate_ratings(sample_ratings, sample_raters, rubric=sample_rubric, reliability=False, diagnostics=False)
    u = ev.unit_scores.set_index("unit_id")
    np.testing.assert_allclose(out.set_index("unit_id")["value"], u["score"].reindex(out["unit_id"]), rtol=1e-12)
    assert out.set_index("unit_id")["n"].equals(u["n_raters"].reindex(out["unit_id"]).astype("int64").rename("n"))
    # parameters pass through: weights, minimum raters, a policy or a rubric
    leaders_only = rating_score(sample_dataset, YEAR, group_weights={"leader": 1.0}).set_index("unit_id")
    g = ev.group_scores.set_index(["unit_id", "rater_group"])["score"]
    assert leaders_only.loc["D01", "value"] == pytest.approx(g[("D01", "leader")])
    strict = rating_score(sample_dataset, YEAR, min_raters=7)
    assert (strict["n"] < out["n"]).any()
    trimmed = rating_score(sample_dataset, YEAR, policy=AggregationPolicy(method="drop_extremes"))
    assert not np.allclose(trimmed["value"], out["value"])
    assert rating_score(sample_dataset, YEAR, rubric=sample_rubric).equals(out)


def test_rubric_rejects_ratings_of_unknown_criteria(sample_ratings, sample_rubric):
    bad = sample_ratings.head(3).assign(criterion="speed")
    with pytest.raises(RubricError, match="speed"):
        evaluate_ratings(bad, None, rubric=sample_rubric)


def test_criterion_weights_of_a_rubric_are_applied():
    r = _ratings({("U1", "peer", "a"): [80] * 5, ("U1", "peer", "b"): [60] * 5})
    assert group_scores(r, criterion_weights={"a": 3, "b": 1})["score"].iloc[0] == 75
    assert group_scores(r)["score"].iloc[0] == 70
