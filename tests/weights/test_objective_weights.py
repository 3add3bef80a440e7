"""Entropy, CRITIC, standard-deviation and coefficient-of-variation weights.

Each method is pinned to weights published in a paper (cited at the test), compared at the
precision printed there. Several of these examples are also the test cases of the
pyrepo-mcda / crispyn packages (energyinpython), from which the matrices were checked.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evalkit.weights import (
    CriticResult,
    EntropyResult,
    coefficient_of_variation_weights,
    critic_weights,
    entropy_weights,
    standard_deviation_weights,
)

# Xu, X. (2004). A note on the subjective and objective integrated approach to determine
# attribute weights. European Journal of Operational Research 156(2), 530-532.
XU_2004 = np.array([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]])

# Zavadskas, E. K. & Podvezko, V. (2016). Integrated determination of objective criteria
# weights in MCDM. Int. J. of Information Technology & Decision Making 15(2), 267-283.
ZAVADSKAS_2016 = np.array([[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]])

# Ersoy, Y. (2021). Equipment selection for an e-commerce company using entropy-based
# TOPSIS, EDAS and CODAS methods during the COVID-19. LogForum 17(3).
ERSOY_2021 = np.array([
    [256, 8, 41, 1.6, 1.77, 7347.16],
    [256, 8, 32, 1.0, 1.8, 6919.99],
    [256, 8, 53, 1.6, 1.9, 8400],
    [256, 8, 41, 1.0, 1.75, 6808.9],
    [512, 8, 35, 1.6, 1.7, 8479.99],
    [256, 4, 35, 1.6, 1.7, 7499.99],
])

# Lee, H. C. & Chang, C. T. (2018). Comparative analysis of MCDM methods for ranking
# renewable energy sources in Taiwan. Renewable and Sustainable Energy Reviews 92, 883-896.
LEE_CHANG_2018 = np.array([
    [4550, 30, 6.74, 20, 15, 5, 85, 150, 0.87, 4.76],
    [3005, 60.86, 2.4, 35, 27, 4, 26, 200, 0.17, 4.51],
    [2040, 14.85, 1.7, 90, 25, 5, 26, 500, 0.27, 4.19],
    [3370, 99.4, 3.25, 25.3, 54, 3, 45, 222, 0.21, 3.78],
    [3920, 112.6, 4.93, 11.4, 71.7, 2, 50, 100, 0.25, 4.11],
])

# Tuş, A. & Aytaç Adalı, E. (2019). The new combination with CRITIC and WASPAS methods for
# the time and attendance software selection problem. Opsearch 56(2), 528-538.
TUS_2019 = np.array([
    [5000, 3, 3, 4, 3, 2],
    [680, 5, 3, 2, 2, 1],
    [2000, 3, 2, 3, 4, 3],
    [600, 4, 3, 1, 2, 2],
    [800, 2, 4, 3, 3, 4],
])

# Sałabun, W., Wątróbski, J. & Shekhovtsov, A. (2020). Are MCDA methods benchmarkable? A
# comparative study of TOPSIS, VIKOR, COPRAS, and PROMETHEE II methods. Symmetry 12(9), 1549.
SALABUN_2020 = np.array([
    [0.619, 0.449, 0.447],
    [0.862, 0.466, 0.006],
    [0.458, 0.698, 0.771],
    [0.777, 0.631, 0.491],
    [0.567, 0.992, 0.968],
])


# --- Entropy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("matrix, published, places", [
    (XU_2004, [0.4630, 0.3992, 0.1378, 0.0000], 4),
    (ZAVADSKAS_2016, [0.1146, 0.1981, 0.4185, 0.2689], 4),
    (ERSOY_2021, [0.405, 0.221, 0.134, 0.199, 0.007, 0.034], 3),
    (LEE_CHANG_2018, [0.026, 0.154, 0.089, 0.199, 0.115, 0.040, 0.080, 0.123, 0.172, 0.002], 3),
], ids=["Xu2004", "ZavadskasPodvezko2016", "Ersoy2021", "LeeChang2018"])
def test_entropy_weights_reproduce_published_examples(matrix, published, places):
    w = entropy_weights(matrix)
    np.testing.assert_allclose(w, published, atol=0.5 * 10 ** -places + 1e-9)


def test_entropy_working_and_labels():
    df = pd.DataFrame(XU_2004, columns=["c1", "c2", "c3", "c4"], index=list("ABCD"))
    r = entropy_weights(df, verbose=True)
    assert isinstance(r, EntropyResult)
    assert list(r.weights.index) == ["c1", "c2", "c3", "c4"] and r.weights.name == "weight"
    np.testing.assert_allclose(r.proportions.sum(axis=0), 1.0)
    assert list(r.proportions.index) == list("ABCD")
    np.testing.assert_allclose(r.divergence, 1 - r.entropy)
    np.testing.assert_allclose(r.weights, r.divergence / r.divergence.sum())
    pd.testing.assert_series_equal(entropy_weights(df), r.weights)


def test_entropy_zero_convention():
    # p ln p = 0 at p = 0: a column concentrated on one unit has entropy 0 (maximal
    # divergence), a uniform column has entropy 1 (weight 0).
    r = entropy_weights(np.array([[0.0, 5.0], [1.0, 5.0]]), verbose=True)
    np.testing.assert_allclose(r.entropy, [0.0, 1.0])
    np.testing.assert_allclose(r.weights, [1.0, 0.0])


@pytest.mark.parametrize("matrix, message", [
    ([[1.0, -1.0], [2.0, 3.0]], "negative"),
    ([[1.0, np.nan], [2.0, 3.0]], "missing"),
    ([[0.0, 1.0], [0.0, 3.0]], "zero for every unit"),
    ([[1.0, 2.0], [1.0, 2.0]], "maximal entropy"),
    ([[1.0, 2.0]], "at least two units"),
    ([1.0, 2.0, 3.0], "single column"),
])
def test_entropy_errors(matrix, message):
    with pytest.raises(ValueError, match=message):
        entropy_weights(matrix)


def test_entropy_error_names_the_column():
    with pytest.raises(ValueError, match="column '办结率' has 1 missing"):
        entropy_weights(pd.DataFrame({"满意度": [1.0, 2.0, 3.0], "办结率": [0.9, np.nan, 0.8]}))


positive_matrices = arrays(np.float64, st.tuples(st.integers(3, 12), st.integers(2, 6)),
                           elements=st.floats(0.1, 1e4))


@settings(max_examples=80, deadline=None)
@given(positive_matrices, st.data())
def test_entropy_weights_invariant_to_positive_column_scaling(x, data):
    factors = np.array(data.draw(st.lists(st.floats(1e-3, 1e3), min_size=x.shape[1], max_size=x.shape[1])))
    try:
        w = entropy_weights(x)
    except ValueError:  # every column uniform: undefined either way
        with pytest.raises(ValueError):
            entropy_weights(x * factors)
        return
    np.testing.assert_allclose(entropy_weights(x * factors), w, atol=1e-9)
    assert np.all(w >= 0) and w.sum() == pytest.approx(1.0)


# --- CRITIC ----------------------------------------------------------------------------------


def test_critic_tus_aytac_adali_2019():
    # Published CRITIC weights 0.157, 0.249, 0.168, 0.121, 0.154, 0.151. They are reproduced
    # when every criterion, price included, is min-max normalised as a benefit criterion
    # (directions=None) -- as in the pyrepo-mcda / crispyn test of the same example.
    w = critic_weights(TUS_2019)
    np.testing.assert_allclose(w, [0.157, 0.249, 0.168, 0.121, 0.154, 0.151], atol=5e-4 + 1e-9)


def test_critic_cost_direction_matters():
    # Reversing price (Diakoulaki et al.'s own convention for a cost criterion) flips the
    # signs of its correlations and so changes every weight.
    as_benefit = critic_weights(TUS_2019)
    as_cost = critic_weights(TUS_2019, [-1, 1, 1, 1, 1, 1])
    assert np.max(np.abs(as_cost - as_benefit)) > 0.02
    # Reversing a column by hand is the same as giving it direction -1.
    flipped = TUS_2019.astype(float).copy()
    flipped[:, 0] = -flipped[:, 0]
    np.testing.assert_allclose(critic_weights(flipped), as_cost)


def test_critic_cross_check_with_jmcdm():
    # Cross-implementation check, not a published figure: JMcDM (jbytecode/JMcDM,
    # test/mcdm/testcritic.jl) with a cost criterion in column 3.
    x = np.array([[12.9918, 0.7264, -1.1009, 1.598139592],
                  [4.1201, 5.8824, 3.4483, 1.021563567],
                  [4.1039, 0.0000, -0.5076, 0.984469444]])
    r = critic_weights(x, [1, 1, -1, 1], verbose=True)
    np.testing.assert_allclose(r.weights, [0.16883925, 0.418444976, 0.249124763, 0.163591012], atol=1e-5)
    np.testing.assert_allclose((1 - r.correlation)[0, 1], 1.3972590509606788, atol=1e-9)


def test_critic_working_and_labels():
    df = pd.DataFrame(TUS_2019, columns=["price", "c2", "c3", "c4", "c5", "c6"])
    r = critic_weights(df, {"price": -1, "c2": 1, "c3": 1, "c4": 1, "c5": 1, "c6": 1}, verbose=True)
    assert isinstance(r, CriticResult)
    assert list(r.correlation.index) == list(df.columns) == list(r.weights.index)
    assert r.normalised["price"].idxmax() == 3  # cheapest offer is best after reversal
    np.testing.assert_allclose(r.normalised.min(), 0) and np.testing.assert_allclose(r.normalised.max(), 1)
    np.testing.assert_allclose(r.information, r.std * (1 - r.correlation).sum())
    # ddof rescales every standard deviation alike: same weights.
    np.testing.assert_allclose(critic_weights(df, ddof=0), critic_weights(df, ddof=1))


def test_critic_errors():
    with pytest.raises(ValueError, match="column 1 has the same value"):
        critic_weights([[1.0, 2.0], [2.0, 2.0], [3.0, 2.0]])
    with pytest.raises(ValueError, match="at least two units"):
        critic_weights([[1.0, 2.0]])
    with pytest.raises(ValueError, match="directions"):
        critic_weights(TUS_2019, [1, 1, 1, 1, 1, 0])
    with pytest.raises(ValueError, match="perfectly positively correlated"):
        critic_weights([[2.0, 2.0], [1.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(critic_weights([[2.0], [1.0], [3.0]]), [1.0])


@settings(max_examples=80, deadline=None)
@given(positive_matrices, st.data())
def test_critic_weights_are_a_distribution_and_affine_invariant(x, data):
    if np.any(np.ptp(x, axis=0) < 1e-6 * np.abs(x).max(axis=0)):
        return  # (near-)constant column: CRITIC undefined
    try:
        w = critic_weights(x)
    except ValueError as exc:  # all criteria perfectly correlated: undefined
        assert "perfectly positively correlated" in str(exc)
        return
    assert np.all(w >= 0) and w.sum() == pytest.approx(1.0)
    a = np.array(data.draw(st.lists(st.floats(0.01, 100), min_size=x.shape[1], max_size=x.shape[1])))
    b = np.array(data.draw(st.lists(st.floats(-100, 100), min_size=x.shape[1], max_size=x.shape[1])))
    np.testing.assert_allclose(critic_weights(a * x + b), w, atol=1e-7)


# --- Standard deviation and coefficient of variation --------------------------------------------


def test_standard_deviation_weights_salabun_2020():
    w = standard_deviation_weights(SALABUN_2020)
    np.testing.assert_allclose(w, [0.217, 0.294, 0.488], atol=5e-4 + 1e-9)
    np.testing.assert_allclose(standard_deviation_weights(SALABUN_2020, ddof=0), w)


def test_coefficient_of_variation_weights_shuai_2012():
    # Shuai, D., Zongzhun, Z., Yongji, W. & Lei, L. (2012). A new angular method to determine
    # the objective weights. 24th Chinese Control and Decision Conference (CCDC), 3889-3892
    # (the matrix is the one of Xu, 2004).
    w = coefficient_of_variation_weights(XU_2004)
    np.testing.assert_allclose(w, [0.4258, 0.3610, 0.2121, 0.0011], atol=5e-5 + 1e-9)


def test_std_and_cv_keep_labels_and_check_input():
    df = pd.DataFrame(SALABUN_2020, columns=["a", "b", "c"])
    assert list(standard_deviation_weights(df).index) == ["a", "b", "c"]
    assert list(coefficient_of_variation_weights(df).index) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="positive mean"):
        coefficient_of_variation_weights([[1.0, -2.0], [2.0, -3.0]])
    with pytest.raises(ValueError, match="undefined"):
        standard_deviation_weights([[1.0, 2.0], [1.0, 2.0]])


@settings(max_examples=60, deadline=None)
@given(positive_matrices, st.data())
def test_std_and_cv_weights_are_distributions(x, data):
    # Only matrices with a clearly varying column: the weights are then defined and every
    # call must succeed (no silent skipping). All-constant matrices: see the xfail below.
    spread = np.ptp(x, axis=0)
    assume(spread.max() > 1e-6 * np.abs(x).max())
    constant = spread == 0
    sd = np.sqrt(((x - x.mean(axis=0)) ** 2).sum(axis=0) / (x.shape[0] - 1))
    w_sd = standard_deviation_weights(x)
    w_cv = coefficient_of_variation_weights(x)
    for w in (w_sd, w_cv):
        assert np.all(w >= 0) and w.sum() == pytest.approx(1.0)
        assert np.all(w[constant] < 1e-8)  # a column that does not vary carries no weight (to rounding)
    # σ_j / Σσ and (σ_j/mean_j) / Σ(σ/mean), with σ computed here by hand
    np.testing.assert_allclose(w_sd, sd / sd.sum(), rtol=1e-9, atol=1e-9)
    cv = sd / x.mean(axis=0)
    np.testing.assert_allclose(w_cv, cv / cv.sum(), rtol=1e-9, atol=1e-9)
    # the coefficient of variation is unit-free: rescaling any column changes nothing
    factors = np.array(data.draw(st.lists(st.floats(1e-2, 1e2), min_size=x.shape[1], max_size=x.shape[1])))
    np.testing.assert_allclose(coefficient_of_variation_weights(x * factors), w_cv, rtol=1e-7, atol=1e-9)


def test_all_constant_matrix_has_undefined_std_and_cv_weights():
    x = np.array([[0.1, 0.7], [0.1, 0.7], [0.1, 0.7]])
    for f in (standard_deviation_weights, coefficient_of_variation_weights):
        with pytest.raises(ValueError, match="same value"):
            f(x)
