"""The scoring model of the lab: its nominal replication reproduces the ordinary scoring
exactly; its alternative steps match evalkit's own normalisations and a re-scored framework."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from evalkit.scoring import normalise
from evalkit.results.compute import score_year
from evalkit.scoring.adjustments import apply_adjustments
from evalkit.scoring.model import score_tree
from evalkit.scoring.grades import rank_and_grade
from evalkit.scoring.rules import BandTable, ChecklistDeduct, RankPoints, ThresholdDeduct
from evalkit.sensitivity import NORMALISATIONS, ScoringModel, SensitivityError, scoring_model
from evalkit.stats.intervals import wilson_quantile
from evalkit.stats import wilson_intervals

from tests.helpers.lab import synthetic_case


def _ordinary(framework, units, values, adjustments):
    totals, _ = score_tree(framework, units, values)
    totals = units.merge(totals, on="unit_id")
    totals = apply_adjustments(totals, adjustments, framework)
    return rank_and_grade(totals, framework.grades)


def _assert_same(nominal: pd.DataFrame, ordinary: pd.DataFrame):
    ordinary = ordinary.set_index("unit_id").loc[nominal["unit_id"]]
    # bit for bit: same floating-point operations in the same order
    assert np.array_equal(nominal["score_100"].to_numpy(), ordinary["score_100"].to_numpy(dtype=float),
                          equal_nan=True)
    assert nominal["rank"].astype("Float64").equals(ordinary["rank"].astype("Float64").reset_index(drop=True))
    assert list(nominal["grade"]) == list(ordinary["grade"])


@pytest.mark.parametrize("year", [2022, 2023, 2024])
def test_nominal_reproduces_score_year_on_the_sample(lab_dataset, lab_framework, year):
    model = scoring_model(lab_dataset, lab_framework, year)
    _assert_same(model.nominal(), score_year(lab_dataset, lab_framework, year))


@pytest.mark.parametrize("policy", ["renormalise", "zero", "peer_mean"])
@pytest.mark.parametrize("seed", range(6))
def test_nominal_reproduces_the_engine_on_synthetic_frameworks(policy, seed):
    framework, units, values, adj = synthetic_case(seed, policy, min_coverage=0.6 if seed % 2 else 0.0)
    model = ScoringModel.from_values(framework, units, values, adj)
    _assert_same(model.nominal(), _ordinary(framework, units, values, adj))


def test_the_model_records_its_steps(lab_model):
    steps = lab_model.steps
    assert list(steps) == ["values", "normalise", "missing", "weights", "aggregate"]
    assert steps["normalise"].nominal == "rules"
    assert steps["missing"].nominal == "peer_mean"
    assert set(steps["missing"].alternatives) == {"renormalise", "zero"}
    assert steps["values"].alternatives == ("wilson", "uniform", "jeffreys")
    assert set(lab_model.describe()["step"]) == set(steps)
    table = lab_model.leaf_table()
    assert list(table["leaf"]) == list(lab_model.leaves)
    assert table["reference_weight"].sum() == pytest.approx(1.0)
    assert table.set_index("leaf").loc["REG01", "points"] == "3 / 6"
    assert lab_model.values.flags.writeable is False


def test_scoring_model_rejects_a_year_without_data(lab_dataset, lab_framework):
    with pytest.raises(SensitivityError, match="no data for 2031"):
        scoring_model(lab_dataset, lab_framework, 2031)


@pytest.mark.parametrize("method", ["minmax", "zscore", "rank", "percentile", "distance_to_target"])
def test_normalisations_match_evalkit_normalise_within_each_peer_group(lab_model, method):
    model = lab_model
    reps = model.nominal_replications(1)
    reps.normalisation[0] = NORMALISATIONS.index(method)
    reps.missing[0] = 0  # renormalise: missing stays missing
    leaf = model._leaf_scores(method, "renormalise", model.values[None])[0]
    got = leaf / np.where(model.points > 0, model.points, np.nan)
    for group in model.peer_groups:
        idx = model.group_members(group)
        for j in range(model.n_leaves):
            x = np.where(model.applicable[idx, j], model.values[idx, j], np.nan)
            ok = ~np.isnan(x)
            if ok.sum() < 2 or np.ptp(x[ok]) == 0:
                continue
            d = model.directions[j]
            if method == "minmax":
                want = normalise.min_max(x, d, lower=0, upper=1)
            elif method == "zscore":
                want = normalise.z_score(x, d)
            elif method == "rank":
                want = normalise.rank(x, d)
            elif method == "percentile":
                want = normalise.percentile(x, d) / 100
            else:
                t = model.targets[j]
                if (d > 0 and t <= np.nanmin(x)) or (d < 0 and t >= np.nanmax(x)):
                    continue  # everyone on target: the lab gives full marks
                want = normalise.distance_to_target(x, t, d, scale=1.0, cap=True)
            np.testing.assert_allclose(got[idx, j], want, rtol=1e-12, atol=1e-12, equal_nan=True)


def _scaled_rule(rule, k: float):
    """The rule with every parameter counted in points scaled by ``k`` (so that the leaf's share
    of full marks stays the same when its points are scaled)."""
    if isinstance(rule, ThresholdDeduct):
        return dataclasses.replace(rule, deduct=rule.deduct * k)
    if isinstance(rule, BandTable):
        return dataclasses.replace(rule, bands=tuple((b, p * k) for b, p in rule.bands))
    if isinstance(rule, RankPoints):
        return dataclasses.replace(rule, table=tuple(p * k for p in rule.table), step=rule.step * k,
                                   floor=rule.floor * k)
    if isinstance(rule, ChecklistDeduct):
        return dataclasses.replace(rule, per_item=rule.per_item * k)
    return rule  # linear band, ratio to best, binary, goalposts: proportional to the points


def test_weight_multipliers_match_rescoring_a_framework_with_scaled_points():
    framework, units, values, adj = synthetic_case(3, "peer_mean", adjustments=False)
    model = ScoringModel.from_values(framework, units, values)
    rng = np.random.default_rng(5)
    m = rng.uniform(0.6, 1.4, model.n_leaves)
    nodes = dict(framework.nodes)
    for node, k in zip(framework.leaves(), m):
        nodes[node.code] = dataclasses.replace(node, points={g: p * k for g, p in node.points.items()},
                                               rule=_scaled_rule(node.rule, k))
    scaled = dataclasses.replace(framework, nodes=nodes)
    reps = model.nominal_replications(1)
    reps.multipliers[0] = m
    runs = model.run(reps)
    ordinary = _ordinary(scaled, units, values, pd.DataFrame({"unit_id": [], "kind": [], "points": []}))
    np.testing.assert_allclose(runs.scores[0], ordinary["score_100"].to_numpy(dtype=float), rtol=1e-12,
                               equal_nan=True)
    assert np.array_equal(runs.ranks[0], ordinary["rank"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
                          equal_nan=True)


def test_uniform_multipliers_leave_the_ranking_unchanged(lab_model):
    reps = lab_model.nominal_replications(2)
    reps.multipliers[1] = 3.7  # relative weights unchanged
    runs = lab_model.run(reps)
    np.testing.assert_allclose(runs.scores[1], runs.scores[0], rtol=1e-12)
    assert np.array_equal(runs.ranks[0], runs.ranks[1])
    assert np.array_equal(runs.grades[0], runs.grades[1])


def test_geometric_mean_of_full_marks_is_full_marks_and_below_the_arithmetic_mean(lab_model):
    reps = lab_model.nominal_replications(2)
    reps.aggregation[1] = 1
    reps.missing[:] = 2  # peer_mean: complete data
    runs = lab_model.run(reps)
    base = runs.scores[0] - 100 * (lab_model.bonus - lab_model.deduction) / lab_model.max_score
    geo = runs.scores[1] - 100 * (lab_model.bonus - lab_model.deduction) / lab_model.max_score
    ok = np.isfinite(base) & (base > 0)
    assert np.all(geo[ok] <= base[ok] + 1e-9)  # AM–GM on the 1–100 scale
    assert np.any(geo[ok] < base[ok] - 0.1)


def test_grades_only_for_the_framework_rules_and_quota_respected(lab_model):
    reps = lab_model.nominal_replications(3)
    reps.normalisation[1] = NORMALISATIONS.index("minmax")
    reps.normalisation[2] = NORMALISATIONS.index("zscore")
    runs = lab_model.run(reps)
    assert np.all(runs.grades[1:] == -1)
    assert np.all(np.isfinite(runs.ranks))
    # the top grade never exceeds floor(20 % × group size) per peer group
    for group in lab_model.peer_groups:
        idx = lab_model.group_members(group)
        assert (runs.grades[0, idx] == 0).sum() <= int(0.2 * idx.size + 1e-9)


def test_geometric_with_zscores_is_refused(lab_model):
    reps = lab_model.nominal_replications(1)
    reps.normalisation[0] = NORMALISATIONS.index("zscore")
    reps.aggregation[0] = 1
    with pytest.raises(SensitivityError, match="geometric"):
        lab_model.run(reps)


def test_wilson_quantile_is_the_wilson_confidence_distribution():
    x = np.array([0, 3, 81, 20, 998])
    n = np.array([20, 10, 263, 20, 1000])
    lo, hi = wilson_intervals(x, n)
    np.testing.assert_allclose(wilson_quantile(x, n, np.full(5, 0.025)), lo, atol=1e-9)
    np.testing.assert_allclose(wilson_quantile(x, n, np.full(5, 0.975)), hi, atol=1e-9)
    np.testing.assert_allclose(wilson_quantile(x, n, np.full(5, 0.5)), x / n, atol=1e-12)
    u = np.linspace(0.001, 0.999, 200)
    q = wilson_quantile(np.full(200, 81), np.full(200, 263), u)
    assert np.all(np.diff(q) > 0)
