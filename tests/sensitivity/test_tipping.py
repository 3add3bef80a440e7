"""Tipping points of a weighted-sum composite and one-at-a-time weight sweeps, hand-worked.

Moving weight k to t (others rescaled by (1 − t)/(1 − w_k)) makes every composite linear in
t, S_u(t) = t x_uk + (1 − t) R_u, so two units tie at t* = D_R / (D_R − d_k).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evalkit.sensitivity import (
    SensitivityError,
    TippingPoint,
    move_weight,
    oat_weight_sweep,
    tipping_point,
    tipping_points,
)

TWO = pd.DataFrame({"quality": [0.9, 0.4], "speed": [0.2, 0.6]}, index=["A", "B"])

# Three components, weights (0.5, 0.3, 0.2): S_A = 0.4 + 0.18 + 0.04 = 0.62,
# S_B = 0.3 + 0.15 + 0.18 = 0.63, so B leads by 0.01.
THREE = pd.DataFrame({"c1": [0.8, 0.6, 0.1], "c2": [0.6, 0.5, 0.1], "c3": [0.2, 0.9, 0.1]},
                     index=["A", "B", "C"])
W3 = pd.Series({"c1": 0.5, "c2": 0.3, "c3": 0.2})


def test_two_components_hand_worked():
    # S_A = 0.55, S_B = 0.50. For k = speed: d_k = 0.2 − 0.6 = −0.4, R_A − R_B = 0.9 − 0.4 = 0.5,
    # D(t) = 0.5 − 0.9 t → t* = 5/9. At w = (4/9, 5/9): S_A = S_B = 4.6/9.
    tp = tipping_point(TWO, [0.5, 0.5], "speed", "A", "B")
    assert isinstance(tp, TippingPoint)
    assert tp.weight == pytest.approx(5 / 9)
    assert tp.change == pytest.approx(5 / 9 - 0.5)
    assert tp.relative_change == pytest.approx((5 / 9 - 0.5) / 0.5)
    assert (tp.overtaker, tp.overtaken, tp.component) == ("B", "A", "speed")
    assert tp.gap == pytest.approx(0.05)
    pd.testing.assert_series_equal(tp.weights, pd.Series({"quality": 4 / 9, "speed": 5 / 9}, name="weight"))
    scores = TWO.to_numpy() @ tp.weights.to_numpy()
    assert scores[0] == pytest.approx(scores[1]) == pytest.approx(4.6 / 9)
    # same answer whichever unit is named first; and by moving the other weight down
    assert tipping_point(TWO, [0.5, 0.5], "speed", "B", "A").weight == pytest.approx(5 / 9)
    assert tipping_point(TWO, [0.5, 0.5], "quality", "A", "B").weight == pytest.approx(4 / 9)


def test_three_components_with_proportional_rescaling():
    # k = c3: d_k = −0.7, R_A − R_B = (0.5·0.2 + 0.3·0.1)/0.8 = 0.1625,
    # D(t) = 0.1625 − 0.8625 t → t* = 0.1625/0.8625 = 13/69 ≈ 0.18841: c3 must lose
    # 0.8/69 ≈ 0.0116 of weight for A to catch B; c1 and c2 keep their 5:3 ratio.
    tp = tipping_point(THREE, W3, "c3", "A", "B")
    assert tp.weight == pytest.approx(13 / 69)
    assert tp.change == pytest.approx(-0.8 / 69)
    assert (tp.overtaker, tp.overtaken) == ("A", "B")
    assert tp.gap == pytest.approx(0.01)
    w = tp.weights
    assert w.sum() == pytest.approx(1.0)
    assert w["c1"] / w["c2"] == pytest.approx(5 / 3)
    assert w["c1"] == pytest.approx(0.5 * (56 / 69) / 0.8)
    s = THREE.to_numpy() @ w.to_numpy()
    assert s[0] == pytest.approx(s[1])


def test_never_within_the_simplex_is_none():
    # A beats C on every component: no weighting puts C ahead
    assert tipping_point(THREE, W3, "c1", "A", "C") is None
    assert tipping_point(THREE, W3, "c3", "C", "B") is None
    # they would tie only at w_k = 1 (all weight on k, where they are equal): never passed
    equal_on_k = pd.DataFrame({"k": [0.5, 0.5], "o": [0.9, 0.1]}, index=["x", "y"])
    assert tipping_point(equal_on_k, [0.3, 0.7], "k", "x", "y") is None
    # tied on every weighting
    same = pd.DataFrame({"k": [0.5, 0.5], "o": [0.2, 0.2]})
    assert tipping_point(same, [0.3, 0.7], 0, 0, 1) is None


def test_tied_now():
    # S = 0.5·(0.6, 0.4) + 0.5·(0.4, 0.6) = (0.5, 0.5); raising k favours unit 0
    tied = np.array([[0.6, 0.4], [0.4, 0.6]])
    tp = tipping_point(tied, [0.5, 0.5], 0, 0, 1)
    assert tp.change == 0.0 and tp.weight == 0.5 and tp.gap == 0.0
    assert tp.overtaker == 0


def test_tipping_points_table():
    out = tipping_points(THREE, W3, "c3")
    assert list(out.columns) == ["ahead", "behind", "gap", "tipping_weight", "change"]
    assert len(out) == 3
    first = out.iloc[0]
    assert (first["ahead"], first["behind"]) == ("B", "A")
    assert first["gap"] == pytest.approx(0.01) and first["tipping_weight"] == pytest.approx(13 / 69)
    assert out["tipping_weight"].isna().sum() == 2  # C never catches A or B
    assert out["gap"].ge(0).all()
    assert out.attrs["component"] == "c3" and out.attrs["weight"] == pytest.approx(0.2)


def test_move_weight():
    w = move_weight(W3, "c3", 0.6)
    pd.testing.assert_series_equal(w, pd.Series({"c1": 0.25, "c2": 0.15, "c3": 0.6}, name="weight"))
    np.testing.assert_allclose(move_weight([2, 1, 1], 0, 0.0), [0, 0.5, 0.5])  # normalised first
    with pytest.raises(SensitivityError, match="cannot be rescaled"):
        move_weight([0, 1], 1, 0.5)
    with pytest.raises(SensitivityError, match=r"\[0, 1\]"):
        move_weight(W3, "c1", 1.2)
    with pytest.raises(SensitivityError, match="unknown component"):
        move_weight(W3, "c9", 0.2)


def test_oat_weight_sweep_hand_worked():
    grid = [0.0, 0.1, 13 / 69 - 1e-6, 0.2, 0.5, 1.0]
    ranks = oat_weight_sweep(THREE, W3, "c3", grid)
    assert list(ranks.columns) == ["A", "B", "C"] and ranks.index.name == "weight"
    # A ahead while c3's weight is below 13/69, B ahead above it; C always last
    assert ranks.loc[0.0].tolist() == [1, 2, 3]
    assert ranks.loc[0.1].tolist() == [1, 2, 3]
    assert ranks.iloc[2].tolist() == [1, 2, 3]
    assert ranks.loc[0.2].tolist() == [2, 1, 3]   # the nominal weighting
    assert ranks.loc[1.0].tolist() == [2, 1, 3]
    scores = oat_weight_sweep(THREE, W3, "c3", grid, values="score")
    assert scores.loc[0.2].tolist() == pytest.approx([0.62, 0.63, 0.1])
    assert scores.loc[1.0].tolist() == pytest.approx([0.2, 0.9, 0.1])


def test_sweep_ties_share_the_best_rank():
    # at w_k = 13/69 exactly A and B tie; rounding removes floating-point noise: both rank 1
    ranks = oat_weight_sweep(THREE, W3, "c3", [13 / 69])
    assert ranks.iloc[0].tolist() == [1, 1, 3]


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, (5, 3), elements=st.floats(0, 1)),
       arrays(np.float64, 3, elements=st.floats(0.05, 1)),
       st.integers(0, 2))
def test_closed_form_agrees_with_a_fine_sweep(x, w, k):
    w = w / w.sum()
    t = np.linspace(0, 1, 401)
    weights = np.array([move_weight(w, k, v) for v in t])
    for row in tipping_points(x, w, k).itertuples():
        d = weights @ (x[row.ahead] - x[row.behind])  # gap along the whole edge of the simplex
        if np.isnan(row.tipping_weight):
            # never reversed: the unit ahead now is never strictly behind (a tie at an end
            # of the simplex is allowed)
            assert np.all(d >= -1e-9)
        else:
            assert 0 <= row.tipping_weight <= 1
            moved = move_weight(w, k, row.tipping_weight)
            assert moved @ x[row.ahead] == pytest.approx(moved @ x[row.behind], abs=1e-9)
            assert d.min() <= 1e-9  # the one behind does get level, or ahead, somewhere
