"""Krippendorff's alpha, pinned to Krippendorff's own worked examples.

* Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*, section C: 4
  observers × 12 units with missing values, values 1–5. Published: nominal .743, ordinal
  .815, interval .849, ratio .797 (exact values 0.7434210526, 0.8153875038, 0.8491071429,
  0.7974027747, as other implementations' tests give).
* The 3 coders × 15 units example of Wikipedia's "Krippendorff's alpha" computational
  example (from Krippendorff 2011): nominal α = 0.691.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evalkit.qualitative import ReliabilityError, krippendorff_alpha, reliability_table

n = np.nan
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
    [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
]
WIKIPEDIA = [
    [n, n, n, n, n, 3, 4, 1, 2, 1, 1, 3, 3, n, 3],
    [1, n, 2, 1, 3, 3, 4, 3, n, n, n, n, n, n, n],
    [n, n, 2, 1, 3, 4, 4, n, 2, 1, 1, 3, 3, n, 4],
]


@pytest.mark.parametrize("level, published, exact", [
    ("nominal", 0.743, 0.743421052631579),
    ("ordinal", 0.815, 0.8153875037548814),
    ("interval", 0.849, 0.8491071428571428),
    ("ratio", 0.797, 0.7974027747116121),
])
def test_krippendorff_2011_example(level, published, exact):
    alpha = krippendorff_alpha(K2011, level_of_measurement=level)
    assert round(alpha, 3) == published
    assert alpha == pytest.approx(exact, abs=1e-12)


def test_wikipedia_three_coders_example():
    assert round(krippendorff_alpha(WIKIPEDIA, "nominal"), 3) == 0.691


def test_accepts_a_dataframe_and_the_default_is_interval():
    frame = pd.DataFrame(K2011, index=list("ABCD"))
    assert krippendorff_alpha(frame) == pytest.approx(0.8491071428571428, abs=1e-12)


def test_degenerate_data():
    assert np.isnan(krippendorff_alpha([[1, n], [n, 2]]))  # nothing pairable
    assert np.isnan(krippendorff_alpha([[3, 3, 3], [3, 3, 3]]))  # no variation: D_e = 0
    assert krippendorff_alpha([[1, 2, 3], [1, 2, 3]]) == pytest.approx(1.0)
    with pytest.raises(ReliabilityError, match="level_of_measurement"):
        krippendorff_alpha(K2011, "likert")


def test_interval_alpha_of_the_reliability_table_matches():
    # reliability_table computes interval alpha from per-unit sums; same number
    rows = [{"rater_id": f"R{i}", "unit_id": f"U{u:02d}", "score": v, "rater_group": "peer", "criterion": "c"}
            for i, row in enumerate(K2011) for u, v in enumerate(row) if not np.isnan(v)]
    table = reliability_table(pd.DataFrame(rows))
    assert table.loc[0, "alpha_interval"] == pytest.approx(0.8491071428571428, abs=1e-12)


data = arrays(np.float64, st.tuples(st.integers(2, 5), st.integers(2, 8)),
              elements=st.one_of(st.just(np.nan), st.integers(1, 5).map(float)))


@settings(max_examples=60, deadline=None)
@given(data, st.randoms(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_ignores_the_order_of_raters_and_units(x, rnd, level):
    rows, cols = list(range(x.shape[0])), list(range(x.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    a = krippendorff_alpha(x, level)
    b = krippendorff_alpha(x[np.ix_(rows, cols)], level)
    assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, abs=1e-9)
    if not np.isnan(a):
        assert a <= 1 + 1e-12


@settings(max_examples=60, deadline=None)
@given(data, st.floats(0.5, 5), st.floats(-10, 10))
def test_interval_alpha_is_invariant_to_linear_rescaling(x, factor, shift):
    a = krippendorff_alpha(x, "interval")
    assume(not np.isnan(a))
    assert krippendorff_alpha(x * factor + shift, "interval") == pytest.approx(a, abs=1e-9)
