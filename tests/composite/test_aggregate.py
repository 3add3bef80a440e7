"""Hierarchical aggregation on a hand-worked tree.

Tree: I1 (w 1), I2 (w 3) → P1 (w 2); I3 (w 1) → P2 (w 1); P1, P2 → Index.
Unit A has every value, unit B only I2, unit C nothing.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evalkit.composite import aggregate, aggregate_group, read_meta, topsis

META = read_meta(pd.DataFrame([
    dict(Level=1, iCode="I1", Parent="P1", Direction=1, Weight=1, Type="Indicator"),
    dict(Level=1, iCode="I2", Parent="P1", Direction=1, Weight=3, Type="Indicator"),
    dict(Level=1, iCode="I3", Parent="P2", Direction=1, Weight=1, Type="Indicator"),
    dict(Level=2, iCode="P1", Parent="Index", Direction=1, Weight=2, Type="Aggregate"),
    dict(Level=2, iCode="P2", Parent="Index", Direction=1, Weight=1, Type="Aggregate"),
    dict(Level=3, iCode="Index", Parent=None, Direction=1, Weight=1, Type="Aggregate"),
]))
DATA = pd.DataFrame({"I1": [10.0, np.nan, np.nan], "I2": [50.0, 20.0, np.nan], "I3": [40.0, np.nan, np.nan]},
                    index=["A", "B", "C"])


def test_arithmetic_mean_skips_missing_children_and_renormalises():
    out = aggregate(DATA, META)
    assert list(out.columns) == ["I1", "I2", "I3", "P1", "P2", "Index"]
    # A: P1 = (1·10 + 3·50)/4 = 40, P2 = 40, Index = (2·40 + 1·40)/3 = 40
    # B: P1 = 20 (I2 alone), P2 missing, Index = 20 (P1 alone); C: all missing
    np.testing.assert_allclose(out["P1"], [40, 20, np.nan])
    np.testing.assert_allclose(out["P2"], [40, np.nan, np.nan])
    np.testing.assert_allclose(out["Index"], [40, 20, np.nan])
    pd.testing.assert_frame_equal(out[["I1", "I2", "I3"]], DATA)


def test_minimum_coverage_per_level():
    # B covers half of P1's children: missing below 0.6, kept at 0.5 (COINr: NA if share < dat_thresh).
    out = aggregate(DATA, META, min_coverage=0.6)
    np.testing.assert_allclose(out["P1"], [40, np.nan, np.nan])
    np.testing.assert_allclose(out["Index"], [40, np.nan, np.nan])
    out = aggregate(DATA, META, min_coverage={2: 0.5, 3: 0.6})
    np.testing.assert_allclose(out["P1"], [40, 20, np.nan])
    np.testing.assert_allclose(out["Index"], [40, np.nan, np.nan])  # B has one of two pillars


def test_weights_override():
    out = aggregate(DATA, META, weights={"I1": 3, "I2": 1, "P2": 2})
    # A: P1 = (3·10 + 1·50)/4 = 20; P1 and P2 now both weigh 2: Index = (20 + 40)/2 = 30
    np.testing.assert_allclose(out.loc["A", ["P1", "Index"]], [20, 30])


def test_geometric_mean():
    out = aggregate(DATA, META, method="geom_mean")
    p1 = np.exp((np.log(10) + 3 * np.log(50)) / 4)
    assert out.loc["A", "P1"] == pytest.approx(p1)
    assert out.loc["A", "Index"] == pytest.approx(np.exp((2 * np.log(p1) + np.log(40)) / 3))
    assert out.loc["B", "P1"] == pytest.approx(20)
    with pytest.raises(ValueError, match="values must be > 0"):
        aggregate(DATA.assign(I1=[0.0, 1.0, 1.0]), META, method="geom_mean")


def test_points_sum():
    # Points = weights: I1 1, I2 3, I3 1 on a 0–100 score. A: P1 = 0.1 + 1.5 = 1.6 of 4,
    # P2 = 0.4 of 1, Index = 2.0 of 5. B: P1 = 0.6 from I2 (3 of the 4 points) → 0.6·4/3 = 0.8;
    # Index = 0.8 from P1 (4 of 5 points) → 0.8·5/4 = 1.0.
    out = aggregate(DATA, META, method="points_sum")
    np.testing.assert_allclose(out["P1"], [1.6, 0.8, np.nan])
    np.testing.assert_allclose(out["P2"], [0.4, np.nan, np.nan])
    np.testing.assert_allclose(out["Index"], [2.0, 1.0, np.nan])
    # Mixed: points within pillars, arithmetic mean of the pillars' 0–100 scores above.
    mixed = aggregate(DATA, META, method={2: "points_sum", 3: "arith_mean"})
    assert mixed.loc["A", "Index"] == pytest.approx((2 * 40 + 40) / 3)


def test_methods_per_level_are_checked():
    with pytest.raises(ValueError, match="aggregates are at levels 2 to 3"):
        aggregate(DATA, META, method={4: "geom_mean"})
    with pytest.raises(ValueError, match="must be one of"):
        aggregate(DATA, META, method="median")
    with pytest.raises(ValueError, match="between 0 and 1"):
        aggregate(DATA, META, min_coverage=1.5)


def test_topsis_equals_the_topsis_kernel_on_complete_data():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 100, size=(12, 4))
    w = np.array([1.0, 2.0, 3.0, 4.0])
    expected = topsis(x, w)
    np.testing.assert_allclose(aggregate_group(x, w, "topsis", scale=1.0), expected, rtol=1e-12)
    np.testing.assert_allclose(aggregate_group(x, w, "topsis", topsis_normalisation="minmax", scale=100.0),
                               100 * topsis(x, w, normalisation="minmax"), rtol=1e-12)


def test_topsis_with_missing_children():
    x = np.array([[1.0, 1.0], [0.0, 0.0], [1.0, np.nan], [np.nan, np.nan]])
    out = aggregate_group(x, np.ones(2), "topsis", scale=100.0, topsis_normalisation="minmax")
    # The best unit on every child it has is the ideal (100), the worst the anti-ideal (0).
    np.testing.assert_allclose(out, [100, 0, 100, np.nan])


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (6, 3), elements=st.floats(0, 100) | st.just(np.nan)),
       arrays(np.float64, 3, elements=st.floats(0.1, 10)))
def test_arithmetic_mean_is_within_the_children(x, w):
    y = aggregate_group(x, w, "arith_mean")
    for i in range(x.shape[0]):
        row = x[i][~np.isnan(x[i])]
        if row.size == 0:
            assert np.isnan(y[i])
        else:
            assert row.min() - 1e-9 <= y[i] <= row.max() + 1e-9
