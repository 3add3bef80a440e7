"""Equal weights, expert points, and combined subjective–objective weights."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.weights import (
    combine_linear,
    combine_multiplicative,
    entropy_weights,
    equal_weights,
    points_to_weights,
)


def test_equal_weights():
    np.testing.assert_allclose(equal_weights(4), [0.25] * 4)
    w = equal_weights(["办件时效", "群众满意度", "整改率"])
    assert list(w.index) == ["办件时效", "群众满意度", "整改率"] and w.sum() == pytest.approx(1.0)
    assert list(equal_weights(pd.DataFrame(columns=["a", "b"])).index) == ["a", "b"]
    with pytest.raises(ValueError):
        equal_weights(0)
    with pytest.raises(ValueError, match="unique"):
        equal_weights(["a", "a"])


def test_points_one_expert():
    w = points_to_weights({"办件时效": 30, "群众满意度": 50, "整改率": 20})
    pd.testing.assert_series_equal(w, pd.Series([0.3, 0.5, 0.2], index=["办件时效", "群众满意度", "整改率"],
                                                 name="weight"))
    np.testing.assert_allclose(points_to_weights([1, 3]), [0.25, 0.75])


def test_points_several_experts_count_equally():
    # The second expert hands out 200 points instead of 100; each expert's allocation is
    # normalised before averaging, so both count the same.
    table = pd.DataFrame({"a": [50, 100], "b": [50, 100], "c": [0, 0]}, index=["甲", "乙"])
    pd.testing.assert_series_equal(points_to_weights(table), pd.Series([0.5, 0.5, 0.0], index=list("abc"),
                                                                        name="weight"))
    table = pd.DataFrame({"a": [80, 20], "b": [20, 180]}, index=["甲", "乙"])
    np.testing.assert_allclose(points_to_weights(table), [0.45, 0.55])


@pytest.mark.parametrize("points, message", [
    ({"a": -1, "b": 2}, "negative"),
    ({"a": 0, "b": 0}, "no points"),
    (pd.DataFrame({"a": [1.0, np.nan], "b": [1.0, 1.0]}, index=["甲", "乙"]), "expert '乙'.*missing"),
])
def test_points_errors(points, message):
    with pytest.raises(ValueError, match=message):
        points_to_weights(points)


def test_multiplicative_combination_reproduces_idocriw():
    # Zavadskas, E. K. & Podvezko, V. (2016). Integrated determination of objective criteria
    # weights in MCDM. IJITDM 15(2), 267-283: IDOCRIW weights are the normalised product of
    # entropy weights (0.1146, 0.1981, 0.4185, 0.2689) and CILOS weights (0.3343, 0.2199,
    # 0.1957, 0.2501); published IDOCRIW weights 0.1658, 0.1886, 0.3546, 0.2911.
    matrix = np.array([[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]])
    cilos = [0.3343, 0.2199, 0.1957, 0.2501]
    w = combine_multiplicative(entropy_weights(matrix), cilos)
    np.testing.assert_allclose(w, [0.1658, 0.1886, 0.3546, 0.2911], atol=1e-3)


def test_linear_combination():
    s = pd.Series({"a": 0.6, "b": 0.4})
    o = pd.Series({"b": 0.8, "a": 0.2})  # other order: aligned by name
    pd.testing.assert_series_equal(combine_linear(s, o, alpha=0.5), pd.Series({"a": 0.4, "b": 0.6}, name="weight"))
    pd.testing.assert_series_equal(combine_linear(s, o, alpha=1.0), s.rename("weight"))
    np.testing.assert_allclose(combine_linear([1, 1], [3, 1], alpha=0.0), [0.75, 0.25])
    with pytest.raises(ValueError, match="alpha"):
        combine_linear(s, o, alpha=1.5)


def test_combination_input_errors():
    with pytest.raises(ValueError, match="different criteria"):
        combine_multiplicative({"a": 1, "b": 1}, {"a": 1, "c": 1})
    with pytest.raises(ValueError, match="length"):
        combine_linear([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="no criterion"):
        combine_multiplicative([1, 0], [0, 1])
    with pytest.raises(ValueError, match="non-negative"):
        combine_linear([1, -1], [1, 1])


vectors = st.integers(2, 8).flatmap(
    lambda n: st.tuples(st.lists(st.floats(0, 100), min_size=n, max_size=n),
                        st.lists(st.floats(0.01, 100), min_size=n, max_size=n)))


@settings(max_examples=80, deadline=None)
@given(vectors, st.floats(0, 1))
def test_combinations_are_distributions(pair, alpha):
    s, o = pair
    if sum(s) == 0:
        return
    for w in (combine_linear(s, o, alpha), combine_multiplicative(s, o) if np.dot(s, o) > 0 else None):
        if w is None:
            continue
        assert np.all(w >= 0) and np.sum(w) == pytest.approx(1.0)
