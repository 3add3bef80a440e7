"""TOPSIS closeness coefficients, pinned to published worked examples."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evalkit.composite import TopsisResult, topsis


def test_tzeng_huang_2011():
    # Tzeng, G.-H. & Huang, J.-J. (2011). Multiple Attribute Decision Making: Methods and
    # Applications. CRC Press -- TOPSIS example with four alternatives, three benefit
    # criteria, weights (0.3, 0.4, 0.3), vector normalisation. Published closeness
    # 0.5037, 0.6581, 0.7482, 0.3340 (also scikit-criteria's test of TOPSIS).
    x = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]])
    c = topsis(x, [0.3, 0.4, 0.3], [1, 1, 1])
    np.testing.assert_allclose(c, [0.5037, 0.6581, 0.7482, 0.3340], atol=5e-5 + 1e-9)


def test_ersoy_2021_with_cost_criteria():
    # Ersoy, Y. (2021). Equipment selection for an e-commerce company using entropy-based
    # TOPSIS, EDAS and CODAS methods during the COVID-19. LogForum 17(3): six alternatives,
    # entropy weights, the last two criteria are costs. Published closeness 0.308, 0.254,
    # 0.327, 0.263, 0.857, 0.192. The paper computed from rounded intermediate values, so
    # agreement is to 1e-3 (pyrepo-mcda's test of this example compares at 2 decimals).
    x = np.array([
        [256, 8, 41, 1.6, 1.77, 7347.16],
        [256, 8, 32, 1.0, 1.8, 6919.99],
        [256, 8, 53, 1.6, 1.9, 8400],
        [256, 8, 41, 1.0, 1.75, 6808.9],
        [512, 8, 35, 1.6, 1.7, 8479.99],
        [256, 4, 35, 1.6, 1.7, 7499.99],
    ])
    w = [0.405, 0.221, 0.134, 0.199, 0.007, 0.034]
    c = topsis(x, w, [1, 1, 1, 1, -1, -1])
    np.testing.assert_allclose(c, [0.308, 0.254, 0.327, 0.263, 0.857, 0.192], atol=1e-3)
    assert list(np.argsort(-c)) == [4, 2, 0, 3, 1, 5]


def test_cross_check_with_jmcdm():
    # Cross-implementation check, not a published figure: JMcDM (jbytecode/JMcDM,
    # test/mcdm/testtopsis.jl), unnormalised weights (4, 2, 6, 8).
    x = np.array([[9, 7, 6, 7], [8, 7, 9, 6], [7, 8, 6, 6]])
    np.testing.assert_allclose(topsis(x, [4, 2, 6, 8]), [0.3876870, 0.6503238, 0.0834767], atol=1e-6)


def test_labels_weights_by_name_and_working():
    df = pd.DataFrame({"时效": [5, 7, 8, 7], "满意度": [8, 6, 8, 4], "投诉": [4, 8, 6, 6]},
                      index=["甲街道", "乙街道", "丙街道", "丁街道"])
    r = topsis(df, {"投诉": 0.3, "时效": 0.3, "满意度": 0.4}, {"时效": 1, "满意度": 1, "投诉": -1},
               verbose=True)
    assert isinstance(r, TopsisResult)
    assert r.closeness.name == "closeness" and list(r.closeness.index) == list(df.index)
    assert list(r.ideal.index) == list(df.columns)
    assert r.ideal["投诉"] == r.weighted["投诉"].min() and r.anti_ideal["投诉"] == r.weighted["投诉"].max()
    np.testing.assert_allclose(r.closeness, r.distance_to_anti_ideal / (r.distance_to_ideal + r.distance_to_anti_ideal))
    np.testing.assert_allclose((r.normalised ** 2).sum(), 1.0)
    pd.testing.assert_series_equal(topsis(df, [0.3, 0.4, 0.3], {"时效": 1, "满意度": 1, "投诉": -1}), r.closeness)


def test_minmax_normalisation_equals_reversing_cost_columns():
    x = np.array([[5.0, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]])
    reversed_cost = x.copy()
    reversed_cost[:, 2] = x[:, 2].max() - x[:, 2]
    np.testing.assert_allclose(topsis(x, [1, 1, 1], [1, 1, -1], normalisation="minmax"),
                               topsis(reversed_cost, [1, 1, 1], None, normalisation="minmax"))


def test_ideal_unit_scores_one_and_anti_ideal_zero():
    x = np.array([[10.0, 1.0], [5.0, 5.0], [0.0, 9.0]])
    c = topsis(x, [0.5, 0.5], [1, -1])
    assert c[0] == pytest.approx(1.0) and c[2] == pytest.approx(0.0)


def test_constant_criterion_adds_nothing_and_identical_units_are_undefined():
    x = np.array([[1.0, 3.0], [2.0, 3.0], [4.0, 3.0]])
    for norm in ("vector", "minmax"):
        np.testing.assert_allclose(topsis(x, [0.5, 0.5], [1, 1], norm), topsis(x[:, :1], [1], [1], norm))
    assert np.all(np.isnan(topsis(np.ones((3, 2)), [1, 1], None)))


@pytest.mark.parametrize("kwargs, message", [
    (dict(matrix=[[1.0, np.nan], [2.0, 3.0]], weights=[1, 1]), "missing"),
    (dict(matrix=[[1.0, 2.0], [2.0, 3.0]], weights=[1, 1, 1]), "3 weights for 2"),
    (dict(matrix=[[1.0, 2.0], [2.0, 3.0]], weights=[1, -1]), "non-negative"),
    (dict(matrix=[[1.0, 2.0], [2.0, 3.0]], weights=[1, 1], normalisation="sum"), "normalisation"),
    (dict(matrix=[[1.0, 2.0], [2.0, 3.0]], weights=[1, 1], directions=[1, 2]), "directions"),
    (dict(matrix=pd.DataFrame({"a": [1.0, 2.0]}), weights={"b": 1}), "missing \\['a'\\]"),
])
def test_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        topsis(**kwargs)


matrices = arrays(np.float64, st.tuples(st.integers(2, 10), st.integers(1, 6)), elements=st.floats(0.01, 1e4))


@settings(max_examples=100, deadline=None)
@given(matrices, st.data())
def test_closeness_lies_in_unit_interval(x, data):
    n = x.shape[1]
    w = data.draw(st.lists(st.floats(0.01, 10), min_size=n, max_size=n))
    d = data.draw(st.lists(st.sampled_from([1, -1]), min_size=n, max_size=n))
    norm = data.draw(st.sampled_from(["vector", "minmax"]))
    c = topsis(x, w, d, norm)
    ok = ~np.isnan(c)
    assert np.all((c[ok] >= 0) & (c[ok] <= 1 + 1e-12))
    # Vector normalisation makes TOPSIS invariant to the unit of measurement of a criterion.
    if norm == "vector":
        scaled = x * np.array(data.draw(st.lists(st.floats(0.1, 10), min_size=n, max_size=n)))
        np.testing.assert_allclose(topsis(scaled, w, d), c, atol=1e-9)


def test_names_need_a_dataframe():
    with pytest.raises(TypeError, match="DataFrame"):
        topsis(np.ones((2, 2)), {"a": 1, "b": 1})
    with pytest.raises(TypeError, match="DataFrame"):
        topsis(np.ones((2, 2)), [1, 1], {"a": 1, "b": -1})
