"""Sobol' indices of the scoring model, one-at-a-time sweeps, tipping points and scheme
comparison on the sample district and on synthetic cases."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from evalkit.sensitivity import (
    AlternativeSchemes,
    IndicatorValueNoise,
    MissingPolicyChoice,
    NormalisationChoice,
    ScoringModel,
    SensitivityError,
    WeightNoise,
    compare_schemes,
    load_schemes,
    scheme_weights,
    sensitivity_analysis,
    tipping_points,
    weight_sweep,
    weight_tipping_points,
)
from evalkit.weights import ahp_weights

from tests.helpers import SAMPLE
from tests.helpers.lab import synthetic_case


def test_an_input_that_cannot_matter_gets_zero_indices():
    # no missing values at all: the missing-data policy cannot change anything
    framework, units, values, adj = synthetic_case(1, "renormalise", missing=0.0)
    model = ScoringModel.from_values(framework, units, values, adj)
    res = sensitivity_analysis(model, [WeightNoise(0.3), MissingPolicyChoice()], 64, seed=4,
                               units=["U01"], n_boot=100)
    idx = res.indices.set_index(["input", "output"])
    for output in ("mean_abs_rank_shift", "score:U01"):
        row = idx.loc[("missing", output)]
        assert row["S1"] == 0 and row["ST"] == 0
        assert row["ST_low"] == 0 and row["ST_high"] == 0
        assert idx.loc[("weights", output), "ST"] > 0.5


def test_sobol_on_the_sample_is_reproducible_and_in_range(lab_model):
    specs = [WeightNoise(0.2), IndicatorValueNoise(), NormalisationChoice(["rules", "minmax"])]
    a = sensitivity_analysis(lab_model, specs, 64, seed=9, units=["D10", "S05"], unit_outputs=("score", "rank"),
                             n_boot=100)
    b = sensitivity_analysis(lab_model, specs, 64, seed=9, units=["D10", "S05"], unit_outputs=("score", "rank"),
                             n_boot=100)
    pd.testing.assert_frame_equal(a.indices, b.indices)
    assert a.n_runs == 64 * 5 and len(a.outputs) == a.n_runs
    assert set(a.indices["input"]) == {"weights", "values", "normalisation"}
    assert set(a.indices["output"]) == {"mean_abs_rank_shift", "score:D10", "rank:D10", "score:S05", "rank:S05"}
    st = a.table()["ST"]
    assert st.between(-0.05, 1.5).all() and st.max() > 0.2
    # a unit's score under min-max is on another footing: the normalisation dominates it
    assert a.table("score:S05").iloc[0]["input"] == "normalisation"
    with pytest.raises(SensitivityError, match="no output 'score:D99'"):
        a.table("score:D99")
    with pytest.raises(SensitivityError, match="unknown unit"):
        sensitivity_analysis(lab_model, specs, 8, units=["D99"])


def test_sobol_by_factor_names_each_leaf(lab_model):
    res = sensitivity_analysis(lab_model, [WeightNoise(0.2)], 32, seed=1, group_by="factor", n_boot=0)
    assert list(res.indices["input"]) == [f"weight:{c}" for c in lab_model.leaves]
    assert res.inputs["width"].eq(1).all()


def test_weight_sweep_passes_through_the_published_ranking(lab_model):
    sweep = weight_sweep(lab_model, "SAT", "subdistrict")
    t0 = sweep.attrs["nominal_weight"]
    assert t0 == pytest.approx(0.12)
    nominal = lab_model.nominal().set_index("unit_id")["rank"]
    assert (sweep.loc[t0] == nominal[sweep.columns].astype(int)).all()
    assert sweep.index.min() == 0 and sweep.index.max() == 1
    scores = weight_sweep(lab_model, "SAT01", "department", [0.0, 0.05, 0.5], values="score")
    assert scores.shape == (3, 35)
    with pytest.raises(SensitivityError, match="unknown framework node"):
        weight_sweep(lab_model, "XYZ", "department")
    with pytest.raises(SensitivityError, match="unknown peer group"):
        weight_sweep(lab_model, "SAT", "bureau")


def test_tipping_points_agree_with_the_kernel_and_the_sweep(lab_model):
    tips = weight_tipping_points(lab_model, "SAT", "subdistrict")
    assert len(tips) == 13 * 12 // 2 and (tips["method"] == "closed_form").all()
    first = tips.iloc[0]
    t = first["tipping_weight"]
    around = weight_sweep(lab_model, "SAT", "subdistrict", [t - 1e-6, t + 1e-6], values="score")
    before = around.iloc[0][first["ahead"]] - around.iloc[0][first["behind"]]
    after = around.iloc[1][first["ahead"]] - around.iloc[1][first["behind"]]
    assert np.sign(before) != np.sign(after)
    # the same closed form as the kernel on each unit's weighted sum S(t) = t·S(1) + (1 − t)·S(0)
    ends = weight_sweep(lab_model, "SAT", "subdistrict", [0.0, 1.0], values="score").T
    t0 = tips.attrs["nominal_weight"]
    comps = ends.rename(columns={0.0: "without", 1.0: "alone"})[["alone", "without"]]
    kernel = tipping_points(comps, [t0, 1 - t0], "alone").set_index(["ahead", "behind"])["tipping_weight"]
    mine = tips.set_index(["ahead", "behind"])["tipping_weight"]
    common = kernel.index.intersection(mine.index)
    assert len(common) > 60
    np.testing.assert_allclose(mine.loc[common], kernel.loc[common], equal_nan=True)


def test_tipping_points_fall_back_to_bisection_when_not_linear(lab_model):
    # with renormalisation, a unit without audit data is not a plain weighted sum in FIN02
    model = dataclasses.replace(lab_model, framework=dataclasses.replace(lab_model.framework,
                                                                           missing_policy="renormalise"))
    tips = weight_tipping_points(model, "FIN02", "department")
    found = tips[tips["method"] == "bisection"].dropna(subset=["tipping_weight"])
    assert len(found) > 10
    for _, row in found.head(3).iterrows():
        t = row["tipping_weight"]
        around = weight_sweep(model, "FIN02", "department", [t - 1e-7, t + 1e-7], values="score")
        gaps = around[row["ahead"]] - around[row["behind"]]
        assert np.sign(gaps.iloc[0]) != np.sign(gaps.iloc[1])


def test_compare_schemes_on_the_scheme_file(lab_model):
    schemes = load_schemes(SAMPLE / "schemes.yaml")
    assert list(schemes) == ["expert", "equal", "entropy", "critic", "ahp", "citizen_first"]
    cmp = compare_schemes(lab_model, schemes)
    assert cmp.reference == "expert"
    ref = cmp.agreement[cmp.agreement["scheme"] == "expert"]
    np.testing.assert_allclose(ref[["spearman_rho", "kendall_tau_b", "weighted_spearman", "ws_similarity"]], 1.0)
    assert (ref["n_changed"] == 0).all()
    others = cmp.agreement[cmp.agreement["scheme"] != "expert"]
    assert others["spearman_rho"].between(0.5, 1).all() and (others["n_changed"] > 0).all()
    nominal = lab_model.nominal().set_index("unit_id")["rank"]
    assert (cmp.ranks["expert"] == nominal.loc[cmp.ranks.index]).all()
    np.testing.assert_allclose(cmp.weights.sum(), 1.0)
    # the equal scheme is the model with every applicable leaf weighted alike
    reps = lab_model.nominal_replications(1)
    reps.multipliers[0] = 1.0 / np.where(lab_model.points > 0, lab_model.points, 1).max(axis=0)
    equal = lab_model.run(reps)
    depts = lab_model.group_members("subdistrict")  # points do not differ within the 街镇
    assert np.array_equal(cmp.ranks["equal"].to_numpy(dtype=float)[depts], equal.ranks[0, depts])


def test_scheme_weights_from_ahp_and_by_hand(lab_model):
    schemes = load_schemes(SAMPLE / "schemes.yaml")
    ahp = scheme_weights(lab_model, schemes["ahp"])
    top = schemes["ahp"]["ahp"]["top"]
    from fractions import Fraction

    matrix = np.array([[float(Fraction(str(v))) for v in row] for row in top["matrix"]])
    area = pd.Series(np.asarray(ahp_weights(matrix).weights), index=top["criteria"])
    sat = [lab_model.leaves.index(c) for c in ("SAT01", "SAT02", "SAT03")]
    assert ahp[sat].sum() == pytest.approx(area["SAT"])
    local = ahp_weights(np.array([[1, 2, 1 / 2], [1 / 2, 1, 1 / 3], [2, 3, 1]])).weights
    np.testing.assert_allclose(ahp[sat] / ahp[sat].sum(), local, rtol=1e-9)
    eff = [lab_model.leaves.index(c) for c in ("EFF01", "EFF02", "EFF03", "EFF04")]
    # by points: the reference weights (each unit's points over its maximum, averaged over
    # the units; the departments without service windows have no EFF01–EFF03)
    ref = lab_model.reference_weights()
    np.testing.assert_allclose(ahp[eff] / ahp[eff].sum(), ref[eff] / ref[eff].sum())
    hand = scheme_weights(lab_model, schemes["citizen_first"])
    assert hand[[lab_model.leaves.index(c) for c in ("PUB01", "PUB02")]].sum() == pytest.approx(0.25)
    with pytest.raises(SensitivityError, match="exactly once"):
        scheme_weights(lab_model, {"weights": {"EFF": 1, "EFF01": 1}})
    with pytest.raises(SensitivityError, match="the children of SAT"):
        scheme_weights(lab_model, {"ahp": {"SAT": {"criteria": ["SAT01", "SAT02"], "matrix": [[1, 2], [0.5, 1]]}}})
    with pytest.raises(SensitivityError, match="unknown weighting scheme"):
        scheme_weights(lab_model, "pca")


def test_scheme_file_errors_name_the_file_and_scheme(tmp_path):
    bad = tmp_path / "schemes.yaml"
    bad.write_text("schemes:\n  mine: {ahp: {}, weights: {}}\n", encoding="utf-8")
    with pytest.raises(SensitivityError, match=r"schemes.yaml, scheme 'mine'"):
        load_schemes(bad)
    bad.write_text("weights: equal\n", encoding="utf-8")
    with pytest.raises(SensitivityError, match="top-level 'schemes' mapping"):
        load_schemes(bad)
    with pytest.raises(SensitivityError, match="not found"):
        load_schemes(tmp_path / "none.yaml")


def test_alternative_schemes_in_an_uncertainty_analysis(lab_model):
    from evalkit.sensitivity import uncertainty_analysis

    schemes = load_schemes(SAMPLE / "schemes.yaml")
    res = uncertainty_analysis(lab_model, [AlternativeSchemes(schemes)], 600, seed=2)
    counts = res.samples["scheme"].value_counts()
    assert set(counts.index) == {"expert", "equal", "entropy", "critic", "ahp", "citizen_first"}
    # a replication with a scheme reproduces compare_schemes' ranking under it
    cmp = compare_schemes(lab_model, schemes)
    r = int(np.flatnonzero(res.samples["scheme"] == "critic")[0])
    assert np.array_equal(res.ranks.iloc[r].to_numpy(), cmp.ranks["critic"].to_numpy(dtype=float))


def test_a_scheme_given_as_leaf_weights(lab_model):
    w = pd.Series(1.0, index=list(lab_model.leaves))
    w["SAT03"] = 5.0
    got = scheme_weights(lab_model, w)
    assert got[lab_model.leaves.index("SAT03")] == pytest.approx(5 / 24)
    cmp = compare_schemes(lab_model, {"published": "framework", "survey_heavy": w})
    assert cmp.reference == "published" and list(cmp.weights.columns) == ["published", "survey_heavy"]
    with pytest.raises(SensitivityError, match="name the leaves exactly"):
        scheme_weights(lab_model, w.drop("SAT03"))
