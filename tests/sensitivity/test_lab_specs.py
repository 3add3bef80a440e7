"""Uncertainty specs: a spec that varies nothing, or names a step the model does not have, is
an error with a message that says what to change — never a silent no-op."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from evalkit.sensitivity import (
    AggregationChoice,
    AlternativeSchemes,
    DirichletWeights,
    IndicatorValueNoise,
    MissingPolicyChoice,
    NormalisationChoice,
    ScoringModel,
    SensitivityError,
    WeightNoise,
    make_plan,
    parse_spec,
    uncertainty_analysis,
)


@pytest.mark.parametrize("spec, message", [
    (WeightNoise(0.0), "varies nothing: relative_sd is 0"),
    (WeightNoise(0.7), r"relative_sd must lie in \(0, 0.577\]"),
    (WeightNoise(-0.1), "relative_sd must lie"),
    (WeightNoise(float("nan")), "must be finite"),
    (WeightNoise(0.2, level=7), "no level 7"),
    (DirichletWeights(float("inf")), "varies nothing"),
    (DirichletWeights(0), "must be > 0"),
    (NormalisationChoice(["rules"]), "varies nothing: it needs at least two different methods"),
    (NormalisationChoice(["rules", "rules"]), "listed twice"),
    (NormalisationChoice(["rules", "softmax"]), r"unknown method\(s\) \['softmax'\]"),
    (NormalisationChoice("minmax"), "as a list"),
    (AggregationChoice(["points_sum"]), "varies nothing"),
    (MissingPolicyChoice(["peer_mean"]), "varies nothing"),
    (MissingPolicyChoice(["zero", "guess"]), "unknown policy"),
    (AlternativeSchemes(["framework"]), "varies nothing: it needs at least two schemes"),
    (AlternativeSchemes(["equal", "flat"]), "scheme 'flat'"),
    (IndicatorValueNoise("bootstrap"), "method must be one of"),
])
def test_specs_that_vary_nothing_or_are_malformed_raise(lab_model, spec, message):
    with pytest.raises(SensitivityError, match=message):
        make_plan(lab_model, [spec])


def test_no_spec_at_all_is_an_error(lab_model):
    with pytest.raises(SensitivityError, match="at least one uncertainty spec"):
        uncertainty_analysis(lab_model, [], 10)


def test_combinations_that_cannot_work_raise(lab_model):
    with pytest.raises(SensitivityError, match="one spec per kind"):
        make_plan(lab_model, [WeightNoise(0.1), WeightNoise(0.2)])
    with pytest.raises(SensitivityError, match="use one of them"):
        make_plan(lab_model, [WeightNoise(0.1), DirichletWeights(50)])
    with pytest.raises(SensitivityError, match="drop one of them"):
        make_plan(lab_model, [NormalisationChoice(["rules", "zscore"]), AggregationChoice()])


def test_identical_schemes_vary_nothing(lab_model):
    same = {"a": {"weights": {"EFF": 1, "PUB": 1, "SAT": 1, "REG": 1, "OPN": 1, "POW": 1, "FIN": 1, "STF": 1,
                              "PRJ": 1, "KEY": 1, "QUA": 1}}}
    same["b"] = same["a"]
    with pytest.raises(SensitivityError, match="give every unit the same relative weights"):
        make_plan(lab_model, [AlternativeSchemes(same)])


def test_a_step_the_model_does_not_have(lab_model):
    no_values = dataclasses.replace(lab_model, steps={k: v for k, v in lab_model.steps.items() if k != "values"})
    with pytest.raises(SensitivityError, match="names the step 'values', which this model does not have"):
        make_plan(no_values, [IndicatorValueNoise()])
    with pytest.raises(SensitivityError, match=r"unknown uncertainty spec type 'treatment'.*steps values"):
        parse_spec({"type": "treatment", "winsorise": 3})
    with pytest.raises(SensitivityError, match=r"unknown parameter\(s\) \['sd'\]"):
        parse_spec({"type": "weight_noise", "sd": 0.2})


def test_value_noise_without_intervals_varies_nothing(lab_model):
    framework = lab_model.framework
    values = []
    for j, leaf in enumerate(lab_model.leaves):
        for i, uid in enumerate(lab_model.unit_ids):
            values.append((framework.nodes[leaf].indicator, uid, lab_model.values[i, j]))
    import pandas as pd

    frame = pd.DataFrame(values, columns=["indicator", "unit_id", "value"]).drop_duplicates(["indicator", "unit_id"])
    bare = ScoringModel.from_values(framework, lab_model.units, frame)
    assert bare.steps["values"].alternatives == ()
    with pytest.raises(SensitivityError, match="no indicator value of this model has a Wilson interval"):
        make_plan(bare, [IndicatorValueNoise()])


def test_distance_to_target_needs_targets_and_own_policies_cannot_vary(lab_model):
    fw = lab_model.framework
    nodes = dict(fw.nodes)
    nodes["EFF02"] = dataclasses.replace(nodes["EFF02"], target=None)
    model = dataclasses.replace(lab_model, framework=dataclasses.replace(fw, nodes=nodes),
                                targets=tuple(None if c == "EFF02" else t for c, t in
                                              zip(lab_model.leaves, lab_model.targets)),
                                steps={**lab_model.steps, "normalise": dataclasses.replace(
                                    lab_model.steps["normalise"],
                                    alternatives=("minmax", "zscore", "rank", "percentile"))})
    with pytest.raises(SensitivityError, match=r"leaves without a target: \['EFF02'\]"):
        make_plan(model, [NormalisationChoice(["rules", "distance_to_target"])])
    own = dataclasses.replace(lab_model, leaf_missing=("zero",) * lab_model.n_leaves)
    with pytest.raises(SensitivityError, match="every leaf sets its own missing-data policy"):
        make_plan(own, [MissingPolicyChoice()])


def test_parse_spec_builds_typed_specs(lab_model):
    plan = make_plan(lab_model, [{"type": "weight_noise", "relative_sd": 0.1},
                                 {"type": "normalisation", "methods": ["rules", "minmax"]},
                                 {"type": "indicator_values", "method": "uniform"}])
    assert [type(s).__name__ for s in plan.specs] == ["WeightNoise", "NormalisationChoice", "IndicatorValueNoise"]
    factors = plan.factor_table()
    assert (factors["factor"] == "normalisation").sum() == 1
    assert factors["factor"].str.startswith("weight:").sum() == lab_model.n_leaves
    # one value factor per leaf whose values have intervals, as wide as its units with one
    vals = factors[factors["step"] == "values"].set_index("factor")["width"]
    assert vals["values:PUB01"] == int(lab_model.has_intervals[:, lab_model.leaves.index("PUB01")].sum())
    assert "values:QUA01" not in vals.index


def test_weight_noise_multipliers_have_the_stated_spread(lab_model):
    plan = make_plan(lab_model, [WeightNoise(0.2)])
    reps = plan.replications(np.random.default_rng(0).random((20000, plan.width)))
    m = reps.multipliers
    assert m.min() >= 1 - np.sqrt(3) * 0.2 - 1e-12 and m.max() <= 1 + np.sqrt(3) * 0.2 + 1e-12
    assert m.mean() == pytest.approx(1.0, abs=0.01)
    assert m.std() == pytest.approx(0.2, abs=0.01)
    # at an upper level, every leaf of a node moves together
    plan = make_plan(lab_model, [WeightNoise(0.2, level=1)])
    m = plan.replications(np.random.default_rng(0).random((10, plan.width))).multipliers
    eff = [lab_model.leaves.index(c) for c in ("EFF01", "EFF02", "EFF03", "EFF04")]
    assert np.allclose(m[:, eff], m[:, eff[:1]])


def test_dirichlet_weights_are_centred_on_the_nominal_ones(lab_model):
    plan = make_plan(lab_model, [DirichletWeights(200)])
    reps = plan.replications(np.random.default_rng(1).random((20000, plan.width)))
    ref = lab_model.reference_weights()
    w = reps.multipliers * ref
    w = w / w.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(w.mean(axis=0), ref, atol=0.002)
    np.testing.assert_allclose(w.var(axis=0), ref * (1 - ref) / 201, rtol=0.1)
