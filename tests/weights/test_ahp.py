"""AHP priorities, consistency ratio and group AHP, pinned to Saaty's published examples.

Published values are quoted to the precision printed in the source and compared at that
precision. Matrices are typed in from the sources cited next to each test.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import EvalkitError
from evalkit.weights import (
    RANDOM_INDEX,
    ConsistencyWarning,
    PairwiseMatrixError,
    ahp_weights,
    group_ahp,
)

# --- Saaty (1990), "How to make a decision: the Analytic Hierarchy Process", European
# Journal of Operational Research 48, 9-26: the house-buying example, comparison of the
# eight criteria (size of house, transportation, neighbourhood, age of house, yard space,
# modern facilities, general condition, financing). Published: priorities .173 .054 .188
# .018 .031 .036 .167 .333; lambda_max = 9.669, C.I. = 0.238, C.R. = 0.169.
HOUSE = np.array([
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
])

# --- Saaty (1977), "A scaling method for priorities in hierarchical structures", Journal of
# Mathematical Psychology 15, 234-281 (also Saaty, 1980, The Analytic Hierarchy Process):
# relative wealth of nations (US, USSR, China, France, UK, Japan, West Germany).
# Published: eigenvector .427 .230 .021 .052 .052 .123 .094, lambda_max = 7.61,
# C.I. = 0.10, C.R. = 0.08.
WEALTH = np.array([
    [1, 4, 9, 6, 6, 5, 5],
    [1 / 4, 1, 7, 5, 5, 3, 4],
    [1 / 9, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 7, 1 / 5],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 6, 1 / 5, 5, 1, 1, 1 / 3, 1 / 3],
    [1 / 5, 1 / 3, 7, 3, 3, 1, 2],
    [1 / 5, 1 / 4, 5, 3, 3, 1 / 2, 1],
])

# --- Saaty (1977), same paper: the light-intensity experiment (four chairs at increasing
# distance from a light). Published: lambda_max = 4.39.
LIGHT = np.array([
    [1, 5, 6, 7],
    [1 / 5, 1, 4, 6],
    [1 / 6, 1 / 4, 1, 4],
    [1 / 7, 1 / 6, 1 / 4, 1],
])

# --- Saaty (2008), "Decision making with the analytic hierarchy process", International
# Journal of Services Sciences 1(1), 83-98, Table 2: which drink is consumed more in the
# US. Published derived scale: coffee .177, wine .019, tea .042, beer .116, sodas .190,
# milk .129, water .327.
DRINKS = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
DRINK_MATRIX = pd.DataFrame([
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
], index=DRINKS, columns=DRINKS)


def test_saaty_1990_house_example():
    with pytest.warns(ConsistencyWarning, match=r"CR = 0\.169"):
        r = ahp_weights(HOUSE)
    np.testing.assert_allclose(r.weights, [.173, .054, .188, .018, .031, .036, .167, .333], atol=5e-4)
    assert r.lambda_max == pytest.approx(9.669, abs=5e-4)
    assert r.ci == pytest.approx(0.238, abs=5e-4)
    assert r.cr == pytest.approx(0.169, abs=5e-4)
    assert r.ri == 1.41 and not r.consistent()


def test_saaty_1977_wealth_of_nations():
    r = ahp_weights(WEALTH)
    np.testing.assert_allclose(r.weights, [.427, .230, .021, .052, .052, .123, .094], atol=5e-4)
    assert r.lambda_max == pytest.approx(7.61, abs=5e-3)
    assert r.ci == pytest.approx(0.10, abs=5e-3)
    assert r.cr == pytest.approx(0.08, abs=5e-3)


def test_saaty_1977_light_experiment_lambda_max():
    with pytest.warns(ConsistencyWarning):
        r = ahp_weights(LIGHT)
    assert r.lambda_max == pytest.approx(4.39, abs=5e-3)


def test_saaty_2008_drinks_keeps_labels():
    r = ahp_weights(DRINK_MATRIX)
    expected = pd.Series([.177, .019, .042, .116, .190, .129, .327], index=DRINKS)
    assert isinstance(r.weights, pd.Series) and list(r.weights.index) == DRINKS
    pd.testing.assert_series_equal(r.weights.round(3), expected, check_names=False)
    assert r.weights.sum() == pytest.approx(1.0)
    assert isinstance(r.matrix, pd.DataFrame)


def test_drinks_consistency_ratio_under_other_random_index_tables():
    # Cross-implementation check, not a published figure: AHPy's test suite (PhilipGriffith/
    # AHPy, tests/test_ahp.py) gives CR = 0.022 with Saaty's 2005 RI and 0.0235 with
    # Donegan & Dodd's (1991) RI for this matrix.
    assert round(ahp_weights(DRINK_MATRIX, random_index="saaty2005").cr, 3) == 0.022
    assert round(ahp_weights(DRINK_MATRIX, random_index="donegan_dodd1991").cr, 4) == 0.0235


def _matrix(pairs, order):
    a = np.ones((len(order), len(order)))
    for (x, y), v in pairs.items():
        i, j = order.index(x), order.index(y)
        a[i, j], a[j, i] = v, 1 / v
    return pd.DataFrame(a, index=order, columns=order)


def test_saaty_2005_where_to_live_hierarchy():
    # Saaty (2005), Theory and Applications of the Analytic Network Process, "where to live"
    # example (as encoded in AHPy's test suite): five criteria, four cities; synthesised
    # priorities Bethesda .229, Boston .275, Pittsburgh .385, Santa Fe .111.
    crit = ["Culture", "Family", "Housing", "Jobs", "Transportation"]
    cities = ["Bethesda", "Boston", "Pittsburgh", "Santa Fe"]
    criteria = {("Culture", "Housing"): 3, ("Culture", "Transportation"): 5, ("Family", "Culture"): 5,
                ("Family", "Housing"): 7, ("Family", "Transportation"): 7, ("Housing", "Transportation"): 3,
                ("Jobs", "Culture"): 2, ("Jobs", "Housing"): 4, ("Jobs", "Transportation"): 7,
                ("Family", "Jobs"): 1}
    local = {
        "Culture": {("Bethesda", "Pittsburgh"): 1, ("Boston", "Bethesda"): 2, ("Boston", "Pittsburgh"): 2.5,
                    ("Boston", "Santa Fe"): 1, ("Santa Fe", "Bethesda"): 2, ("Santa Fe", "Pittsburgh"): 2.5},
        "Family": {("Bethesda", "Boston"): 2, ("Bethesda", "Santa Fe"): 4, ("Boston", "Santa Fe"): 2,
                   ("Pittsburgh", "Bethesda"): 3, ("Pittsburgh", "Boston"): 8, ("Pittsburgh", "Santa Fe"): 9},
        "Housing": {("Bethesda", "Boston"): 5, ("Bethesda", "Santa Fe"): 2.5, ("Pittsburgh", "Bethesda"): 2,
                    ("Pittsburgh", "Boston"): 9, ("Pittsburgh", "Santa Fe"): 7, ("Santa Fe", "Boston"): 4},
        "Jobs": {("Bethesda", "Pittsburgh"): 3, ("Bethesda", "Santa Fe"): 4, ("Boston", "Bethesda"): 2,
                 ("Boston", "Pittsburgh"): 6, ("Boston", "Santa Fe"): 8, ("Pittsburgh", "Santa Fe"): 1},
        "Transportation": {("Bethesda", "Boston"): 1.5, ("Bethesda", "Santa Fe"): 4, ("Boston", "Santa Fe"): 2.5,
                           ("Pittsburgh", "Bethesda"): 2, ("Pittsburgh", "Boston"): 3.5,
                           ("Pittsburgh", "Santa Fe"): 9},
    }
    w = ahp_weights(_matrix(criteria, crit)).weights
    total = sum(w[c] * ahp_weights(_matrix(local[c], cities)).weights for c in crit)
    np.testing.assert_allclose(total[cities], [.229, .275, .385, .111], atol=5e-4)


def test_random_index_tables():
    assert tuple(RANDOM_INDEX["saaty1980"].values()) == (
        0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
    assert RANDOM_INDEX["saaty2005"][7] == 1.35
    assert RANDOM_INDEX["donegan_dodd1991"][3] == 0.4914 and RANDOM_INDEX["donegan_dodd1991"][20] == 1.5371
    with pytest.raises(TypeError):
        RANDOM_INDEX["saaty1980"][3] = 0.5  # read-only


def test_custom_random_index_and_size_limit():
    with pytest.warns(ConsistencyWarning, match="custom random index 1"):
        r = ahp_weights(WEALTH, random_index={7: 1.0})
    assert r.random_index == "custom" and r.cr == pytest.approx(r.ci)
    big = np.ones((16, 16))
    with pytest.raises(ValueError, match="no value for n = 16"):
        ahp_weights(big)
    assert ahp_weights(big, random_index="donegan_dodd1991").cr == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="unknown random index"):
        ahp_weights(WEALTH, random_index="alonso")


def test_geometric_method_differs_from_eigenvector_but_not_consistency():
    e = ahp_weights(DRINK_MATRIX)
    g = ahp_weights(DRINK_MATRIX, method="geometric")
    assert g.method == "geometric" and g.weights.sum() == pytest.approx(1.0)
    # lambda_max, CI and CR describe the matrix, not the weighting method.
    assert g.lambda_max == e.lambda_max and g.cr == e.cr
    np.testing.assert_allclose(g.weights, e.weights, atol=5e-3)
    with pytest.raises(ValueError, match="method"):
        ahp_weights(DRINK_MATRIX, method="mean")


@pytest.mark.parametrize("n", [1, 2])
def test_tiny_matrices_are_consistent(n):
    m = np.array([[1.0]]) if n == 1 else np.array([[1, 7], [1 / 7, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = ahp_weights(m)
    assert r.ci == 0.0 and r.cr == 0.0 and np.isnan(r.ri)
    np.testing.assert_allclose(r.weights, [1.0] if n == 1 else [7 / 8, 1 / 8])


@pytest.mark.parametrize("matrix, message", [
    (np.ones((2, 3)), "square"),
    ([[1, -2], [-0.5, 1]], r"cell \(row 1, column 2\) is -2"),
    ([[1, 2], [0.5, 2]], r"diagonal cell \(row 2, column 2\)"),
    ([[1, 3], [0.5, 1]], r"cell \(row 1, column 2\) is 3 but cell \(row 2, column 1\) is 0.5"),
    ([[1, np.nan], [1, 1]], "positive finite"),
    ([["a", 1], [1, 1]], "non-numeric"),
])
def test_invalid_matrices_name_the_cell(matrix, message):
    with pytest.raises(PairwiseMatrixError, match=message):
        ahp_weights(matrix)


def test_invalid_labelled_matrix_names_the_criteria():
    m = pd.DataFrame([[1, 3], [1 / 2, 1]], index=["效率", "质量"], columns=["效率", "质量"])
    with pytest.raises(PairwiseMatrixError, match=r"\['效率', '质量'\]") as info:
        ahp_weights(m)
    assert isinstance(info.value, EvalkitError) and isinstance(info.value, ValueError)
    swapped = pd.DataFrame(np.ones((2, 2)), index=["a", "b"], columns=["b", "a"])
    with pytest.raises(PairwiseMatrixError, match="same order"):
        ahp_weights(swapped)
    with pytest.raises(PairwiseMatrixError, match="unique"):
        ahp_weights(pd.DataFrame(np.ones((2, 2)), index=["a", "a"], columns=["a", "a"]))


def test_three_decimal_reciprocals_are_accepted():
    r = ahp_weights([[1, 3, 0.5], [0.333, 1, 0.167], [2, 6, 1]])
    assert r.cr < 0.01


def test_consistency_warning_names_the_worst_judgment():
    with pytest.warns(ConsistencyWarning, match=r"cell \(row 3, column 7\) = 6"):
        ahp_weights(HOUSE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ahp_weights(HOUSE, cr_threshold=0.2)


# --- Properties ---------------------------------------------------------------------------

weight_vectors = st.lists(st.floats(0.05, 20.0), min_size=2, max_size=9)
saaty_scale = st.sampled_from([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9, 2, 4, 1 / 2, 1 / 4])


@st.composite
def reciprocal_matrices(draw, n=None):
    n = n or draw(st.integers(3, 8))
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = draw(saaty_scale)
            a[j, i] = 1 / a[i, j]
    return a


@settings(max_examples=60, deadline=None)
@given(weight_vectors, st.sampled_from(["eigenvector", "geometric"]))
def test_consistent_matrix_recovers_its_weights(w, method):
    w = np.asarray(w) / np.sum(w)
    r = ahp_weights(np.outer(w, 1 / w), method=method)
    np.testing.assert_allclose(r.weights, w, rtol=1e-8, atol=1e-10)
    assert r.lambda_max == pytest.approx(len(w), rel=1e-9)
    assert r.cr == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(reciprocal_matrices(), st.sampled_from(["eigenvector", "geometric"]))
def test_weights_are_a_distribution(a, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConsistencyWarning)
        r = ahp_weights(a, method=method)
    assert np.all(np.asarray(r.weights) > 0)
    assert np.sum(r.weights) == pytest.approx(1.0)
    assert r.lambda_max >= len(a) - 1e-9 and r.cr >= 0


# --- Group AHP (Forman & Peniwati, 1998) ------------------------------------------------------


def test_aij_geometric_mean_keeps_reciprocity():
    # Aczél & Saaty (1983): three people judge an apple 2, 3 and 4 times larger than an
    # orange; the group judgment is the geometric mean 24^(1/3), and its reciprocal is the
    # geometric mean of the reciprocals.
    experts = [np.array([[1, k], [1 / k, 1]]) for k in (2, 3, 4)]
    g = group_ahp(experts, method="aij")
    assert g.matrix[0, 1] == pytest.approx(24 ** (1 / 3))
    assert g.matrix[1, 0] == pytest.approx(1 / 24 ** (1 / 3))
    np.testing.assert_allclose(g.weights, [24 ** (1 / 3) / (1 + 24 ** (1 / 3)), 1 / (1 + 24 ** (1 / 3))])


def test_aij_and_aip_with_one_expert_equal_individual_ahp():
    single = ahp_weights(DRINK_MATRIX)
    for method in ("aij", "aip"):
        g = group_ahp({"张": DRINK_MATRIX}, method=method)
        pd.testing.assert_series_equal(g.weights, single.weights)
        assert g.experts == ("张",)
    assert group_ahp([DRINK_MATRIX], method="aij").cr == pytest.approx(single.cr)
    assert group_ahp([DRINK_MATRIX], method="aip").cr is None


def test_aip_arithmetic_is_weighted_mean_of_individual_priorities():
    g = group_ahp([WEALTH, WEALTH.T], weights=[3, 1], method="aip")
    a, b = ahp_weights(WEALTH).weights, ahp_weights(WEALTH.T).weights
    np.testing.assert_allclose(g.weights, 0.75 * a + 0.25 * b)
    np.testing.assert_allclose(g.expert_weights, [0.75, 0.25])
    assert g.matrix is None and g.aip_mean == "arithmetic"


@settings(max_examples=40, deadline=None)
@given(st.lists(reciprocal_matrices(n=5), min_size=2, max_size=4), st.data())
def test_aij_equals_geometric_aip_under_row_geometric_means(matrices, data):
    # Algebraic identity: with row geometric mean priorities, the priorities of the
    # geometric-mean (AIJ) matrix equal the renormalised weighted geometric mean of the
    # individual priorities (AIP, geometric).
    lam = data.draw(st.lists(st.floats(0.1, 5.0), min_size=len(matrices), max_size=len(matrices)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConsistencyWarning)
        aij = group_ahp(matrices, lam, "aij", priority="geometric")
        aip = group_ahp(matrices, lam, "aip", priority="geometric", aip_mean="geometric")
    np.testing.assert_allclose(aij.weights, aip.weights, rtol=1e-9)
    np.testing.assert_allclose(aij.matrix * aij.matrix.T, 1.0)  # the AIJ matrix is reciprocal
    assert np.sum(aij.weights) == pytest.approx(1.0)


def test_group_warns_once_naming_inconsistent_experts():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        group_ahp({"甲": np.ones((8, 8)), "乙": HOUSE}, method="aip")
    messages = [str(w.message) for w in caught if issubclass(w.category, ConsistencyWarning)]
    assert len(messages) == 1
    assert "1 of 2 experts" in messages[0] and "'乙' (CR = 0.169)" in messages[0]


def test_group_input_errors():
    with pytest.raises(PairwiseMatrixError, match="expert 1"):
        group_ahp([np.ones((3, 3)), np.ones((4, 4))])
    with pytest.raises(PairwiseMatrixError, match="expert 'b': cell"):
        group_ahp({"a": np.ones((2, 2)), "b": [[1, 2], [2, 1]]})
    other = DRINK_MATRIX.rename(index={"tea": "茶"}, columns={"tea": "茶"})
    with pytest.raises(PairwiseMatrixError, match="labels differ"):
        group_ahp([DRINK_MATRIX, other])
    with pytest.raises(ValueError, match="expert weights"):
        group_ahp([np.ones((2, 2)), np.ones((2, 2))], weights=[1, -1])
    with pytest.raises(ValueError, match="method"):
        group_ahp([np.ones((2, 2))], method="mean")
