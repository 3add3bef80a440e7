"""Uncertainty analysis on the sample district: reproducible, grade probabilities that add
up, degenerate intervals without noise, and a ranking with stable and unstable units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.sensitivity import (
    AggregationChoice,
    AlternativeSchemes,
    IndicatorValueNoise,
    MissingPolicyChoice,
    NormalisationChoice,
    WeightNoise,
    uncertainty_analysis,
)

SPECS = [WeightNoise(0.2), IndicatorValueNoise(), NormalisationChoice(["rules", "minmax"])]


def test_the_same_seed_gives_the_same_numbers(lab_model):
    a = uncertainty_analysis(lab_model, SPECS, 200, seed=11)
    b = uncertainty_analysis(lab_model, SPECS, 200, seed=11)
    c = uncertainty_analysis(lab_model, SPECS, 200, seed=12)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.samples, b.samples)
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    assert np.array_equal(a.value_draws, b.value_draws, equal_nan=True)
    assert not a.samples.equals(c.samples)


def test_every_replication_keeps_its_sampled_parameters(lab_model):
    res = uncertainty_analysis(lab_model, SPECS + [MissingPolicyChoice(), AlternativeSchemes(["framework", "equal"])],
                               300, seed=3)
    s = res.samples
    assert len(s) == 300 and list(s["replication"]) == list(range(300))
    assert set(s["normalisation"]) == {"rules", "minmax"}
    assert set(s["missing"]) == {"renormalise", "zero", "peer_mean"}
    assert set(s["scheme"]) == {"framework", "equal"}
    assert {f"weight:{c}" for c in lab_model.leaves} <= set(s.columns)
    assert res.value_draws.shape == (300, lab_model.n_units, lab_model.n_leaves)
    # values without an interval are never redrawn; those with one stay (nearly always) inside it
    fixed = ~lab_model.has_intervals & np.isfinite(lab_model.values)
    assert np.array_equal(res.value_draws[:, fixed], np.broadcast_to(lab_model.values[fixed], (300, fixed.sum())))
    cells = lab_model.has_intervals
    inside = (res.value_draws[:, cells] >= lab_model.ci_low[cells] - 1e-9) & \
        (res.value_draws[:, cells] <= lab_model.ci_high[cells] + 1e-9)
    assert inside.mean() == pytest.approx(0.95, abs=0.02)
    # a replication can be re-run from its parameters alone
    r = 17
    again = lab_model.run(res.plan.replications(np.random.default_rng(3).random((300, res.plan.width)))
                          .take(slice(r, r + 1)), res.plan.schemes)
    assert np.array_equal(again.ranks[0], res.ranks.iloc[r].to_numpy(), equal_nan=True)


def test_grade_probabilities_sum_to_one(lab_model):
    res = uncertainty_analysis(lab_model, [WeightNoise(0.3), IndicatorValueNoise(), AggregationChoice()], 400, seed=5)
    probs = res.grade_probabilities
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert list(probs.columns) == ["优秀", "良好", "合格", "不合格"]
    grade_cols = [f"p_{g}" for g in probs.columns]
    np.testing.assert_allclose(res.summary[grade_cols].sum(axis=1), 1.0)
    assert "p_no_grade" not in res.summary
    assert res.summary.loc["D17", "p_不合格"] == 1.0  # 一票否决 whatever the weights


def test_other_normalisations_give_no_grade_and_say_so(lab_model):
    res = uncertainty_analysis(lab_model, [NormalisationChoice(["rules", "minmax"])], 400, seed=5)
    share_rules = (res.samples["normalisation"] == "rules").mean()
    graded = res.summary[[c for c in res.summary.columns if c.startswith("p_") and c != "p_no_grade"]].sum(axis=1)
    np.testing.assert_allclose(graded, share_rules)
    np.testing.assert_allclose(res.summary["p_no_grade"], 1 - share_rules)


def test_weight_noise_shrinking_to_zero_gives_degenerate_intervals(lab_model):
    res = uncertainty_analysis(lab_model, [WeightNoise(1e-9)], 200, seed=1)
    s = res.summary
    assert (s["rank_p05"] == s["nominal_rank"].astype(float)).all()
    assert (s["rank_p95"] == s["nominal_rank"].astype(float)).all()
    assert (s["mean_abs_shift"] == 0).all() and s["stable"].all()
    nominal_grade = res.nominal.set_index("unit_id")["grade"]
    for uid in ("D10", "S09", "D17"):
        assert s.loc[uid, f"p_{nominal_grade[uid]}"] == 1.0


def test_sample_district_has_stable_and_unstable_ranks(lab_model):
    res = uncertainty_analysis(lab_model, [WeightNoise(0.2)], 1000, seed=20240601)
    s = res.summary
    stable, unstable = s.index[s["stable"]], s.index[s["rank_width"] >= 5]
    assert len(stable) >= 1 and len(unstable) >= 1
    # the vetoed unit, far behind, and the clear leader of the 街镇 keep their ranks
    assert {"D17", "S11"} <= set(stable)
    assert s["rank_p05"].le(s["median_rank"]).all() and s["median_rank"].le(s["rank_p95"]).all()
    # percentiles are ranks that occurred
    for uid in ("D20", "S05"):
        assert s.loc[uid, "rank_p05"] in set(res.ranks[uid]) and s.loc[uid, "rank_p95"] in set(res.ranks[uid])
    assert 0 < res.mean_rank_shift() < 5


def test_rank_intervals_table_has_the_results_columns(lab_model):
    res = uncertainty_analysis(lab_model, [WeightNoise(0.2)], 100, seed=2)
    table = res.rank_intervals()
    assert list(table.columns) == ["unit_id", "rank_low", "rank_high", "rank_median", "n_scenarios"]
    assert len(table) == lab_model.n_units and (table["n_scenarios"] == 100).all()
    assert (table["rank_low"] <= table["rank_high"]).all()
