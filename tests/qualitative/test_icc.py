"""ICC: the six Shrout–Fleiss forms, pinned to published worked examples.

* Shrout, P. E. & Fleiss, J. L. (1979), *Psychological Bulletin* 86, 420–428, Table 2 data
  (6 targets × 4 judges) and the ICCs of their Table 4: .17, .29, .71, .44, .62, .91. The
  same example is in R ``psych::ICC`` and in pingouin's tests, which also give F, df,
  p-values and 95 % CIs (2 decimals).
* pingouin ``intraclass_corr`` docs / ``read_dataset('icc')`` (8 wines × 4 judges, from
  real-statistics.com): ICC .728 .728 .729 .914 .914 .915, F 11.680 / 11.787, df 7/24 and
  7/21, CI [0.43, 0.93] and [0.75, 0.98].
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evalkit.qualitative import ReliabilityError, icc, reliability_table
from evalkit.qualitative.reliability import _icc_matrix

SHROUT_FLEISS = pd.DataFrame({
    "S": [1, 2, 3, 4, 5, 6],
    "J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
    "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7],
}).melt(id_vars="S", var_name="J", value_name="Y")

WINE = pd.DataFrame({
    "Wine": list(range(1, 9)) * 4,
    "Judge": [j for j in "ABCD" for _ in range(8)],
    "Scores": [1, 1, 3, 6, 6, 7, 8, 9, 2, 3, 8, 4, 5, 5, 7, 9, 0, 3, 1, 3, 5, 6, 7, 9, 1, 2, 4, 3, 6, 2, 9, 8],
})


def test_shrout_fleiss_1979_table_4():
    out = icc(SHROUT_FLEISS, "S", "J", "Y")
    assert list(out.columns) == ["Type", "Description", "ICC", "F", "df1", "df2", "pval", "CI95_low", "CI95_high"]
    assert list(out["Type"]) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    np.testing.assert_array_equal(out["ICC"].round(2), [0.17, 0.29, 0.71, 0.44, 0.62, 0.91])
    np.testing.assert_array_equal(out["F"].round(1), [1.8, 11.0, 11.0, 1.8, 11.0, 11.0])
    assert list(out["df1"]) == [5] * 6
    assert list(out["df2"]) == [18, 15, 15, 18, 15, 15]
    np.testing.assert_allclose(out["pval"], [0.16472, 0.00013, 0.00013, 0.16472, 0.00013, 0.00013], atol=1e-4)
    np.testing.assert_array_equal(out["CI95_low"].round(2), [-0.13, 0.02, 0.34, -0.88, 0.07, 0.68])
    np.testing.assert_array_equal(out["CI95_high"].round(2), [0.72, 0.76, 0.95, 0.91, 0.93, 0.99])


def test_pingouin_wine_example():
    out = icc(WINE, "Wine", "Judge", "Scores")
    np.testing.assert_array_equal(out["ICC"].round(3), [0.728, 0.728, 0.729, 0.914, 0.914, 0.915])
    np.testing.assert_array_equal(out["F"].round(3), [11.680, 11.787, 11.787, 11.680, 11.787, 11.787])
    assert list(out["df1"]) == [7] * 6 and list(out["df2"]) == [24, 21, 21, 24, 21, 21]
    np.testing.assert_allclose(out["pval"], [2.2e-06, 5.0e-06, 5.0e-06, 2.2e-06, 5.0e-06, 5.0e-06], atol=1e-6)
    np.testing.assert_array_equal(out["CI95_low"].round(2), [0.43, 0.43, 0.43, 0.75, 0.75, 0.75])
    np.testing.assert_array_equal(out["CI95_high"].round(2), [0.93, 0.93, 0.93, 0.98, 0.98, 0.98])


def test_missing_values_raise_or_are_dropped_listwise():
    df = WINE.astype({"Scores": float})
    df.loc[3, "Scores"] = np.nan  # wine 4, judge A
    with pytest.raises(ReliabilityError, match="nan_policy='omit'"):
        icc(df, "Wine", "Judge", "Scores")
    # pingouin's test of the same case: ICC 0.75 .75 .75 .92 .92 .92, df 6/21 and 6/18
    out = icc(df, "Wine", "Judge", "Scores", nan_policy="omit")
    np.testing.assert_array_equal(out["ICC"].round(2), [0.75, 0.75, 0.75, 0.92, 0.92, 0.92])
    assert list(out["df1"]) == [6] * 6 and list(out["df2"]) == [21, 18, 18, 21, 18, 18]
    assert out.equals(icc(WINE[WINE["Wine"] != 4], "Wine", "Judge", "Scores"))


def test_bad_input_is_reported_clearly():
    with pytest.raises(ReliabilityError, match="column 'Score'"):
        icc(WINE, "Wine", "Judge", "Score")
    with pytest.raises(ReliabilityError, match="duplicates"):
        icc(pd.concat([WINE, WINE.head(1)]), "Wine", "Judge", "Scores")
    with pytest.raises(ReliabilityError, match="at least 2 targets"):
        icc(WINE[WINE["Wine"] == 1], "Wine", "Judge", "Scores")


def test_one_way_icc_of_the_reliability_table_equals_icc1_on_balanced_data():
    # the per-group table uses an unbalanced one-way estimator; on a balanced design it
    # must be ICC1/ICC1k exactly
    ratings = SHROUT_FLEISS.rename(columns={"S": "unit_id", "J": "rater_id", "Y": "score"}).assign(
        rater_group="leader", criterion="c", unit_id=lambda d: d["unit_id"].astype(str))
    row = reliability_table(ratings).iloc[0]
    ref = icc(SHROUT_FLEISS, "S", "J", "Y").set_index("Type")
    for col, typ in (("icc1", "ICC1"), ("icc1k", "ICC1k")):
        assert row[col] == pytest.approx(ref.loc[typ, "ICC"], rel=1e-12)
        assert row[f"{col}_ci_low"] == pytest.approx(ref.loc[typ, "CI95_low"], rel=1e-9)
        assert row[f"{col}_ci_high"] == pytest.approx(ref.loc[typ, "CI95_high"], rel=1e-9)
    assert row["icc_f"] == pytest.approx(ref.loc["ICC1", "F"]) and row["icc_pval"] == pytest.approx(ref.loc["ICC1", "pval"])


matrices = arrays(np.float64, st.tuples(st.integers(3, 8), st.integers(2, 5)),
                  elements=st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)))

# Found by the invariance property below: the ICC2k denominator MSB + (MSJ − MSE)/n is
# exactly 0 (MSB = 1/6, MSJ = 0, MSE = 1/2), so the old code gave −inf or −1.2e16 depending
# on rounding. The documented convention is NaN.
ZERO_ICC2K_DENOMINATOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
ICC_TYPES = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]


def exact_icc_denominators(x: np.ndarray) -> dict[str, Fraction]:
    """The six ICC denominators in exact rational arithmetic (x on a 0.1 grid), independent
    of evalkit's floating-point code."""
    v = [[Fraction(round(c * 10)) for c in row] for row in x]
    n, k = len(v), len(v[0])
    grand = sum(sum(r) for r in v) / (n * k)
    rows = [sum(r) / k for r in v]
    cols = [sum(v[i][j] for i in range(n)) / n for j in range(k)]
    ssb = k * sum((m - grand) ** 2 for m in rows)
    ssj = n * sum((m - grand) ** 2 for m in cols)
    sst = sum((c - grand) ** 2 for r in v for c in r)
    sse = sst - ssb - ssj
    msb, msj, mse = ssb / (n - 1), ssj / (k - 1), sse / ((n - 1) * (k - 1))
    msw = (ssj + sse) / (n * (k - 1))
    return {"ICC1": msb + (k - 1) * msw, "ICC2": msb + (k - 1) * mse + k * (msj - mse) / n,
            "ICC3": msb + (k - 1) * mse, "ICC1k": msb, "ICC2k": msb + (msj - mse) / n, "ICC3k": msb,
            "_scale": max(msb, msj, mse, msw)}


def test_a_zero_denominator_gives_nan_not_infinity():
    # x = [[0, 0], [0, 1], [1, 0]], n = 3 targets, k = 2 raters, grand mean 1/3.
    # Row means 0, 1/2, 1/2: SSB = 2·(1/9 + 1/36 + 1/36) = 1/3, MSB = 1/6.
    # Column means 1/3, 1/3: SSJ = 0, MSJ = 0.  SST = 4·(1/9) + 2·(4/9) = 4/3, SSE = 1, MSE = 1/2.
    # ICC2  = (1/6 − 1/2) / (1/6 + 1/2 + 2·(0 − 1/2)/3) = (−1/3)/(1/3) = −1
    # ICC2k = (1/6 − 1/2) / (1/6 + (0 − 1/2)/3) = (−1/3)/0 → undefined → NaN (with its CI)
    # ICC3  = (−1/3)/(1/6 + 1/2) = −1/2;  ICC3k = (−1/3)/(1/6) = −2
    out = _icc_matrix(ZERO_ICC2K_DENOMINATOR).set_index("Type")
    assert np.isnan(out.loc["ICC2k", ["ICC", "CI95_low", "CI95_high"]].astype(float)).all()
    assert out.loc["ICC2", "ICC"] == pytest.approx(-1.0)
    assert out.loc["ICC3", "ICC"] == pytest.approx(-0.5)
    assert out.loc["ICC3k", "ICC"] == pytest.approx(-2.0)
    assert np.isfinite(out.drop(index="ICC2k")["ICC"]).all()
    # the same after rescaling and reordering: still NaN, never ±inf
    for y in (ZERO_ICC2K_DENOMINATOR * 3 + 7, ZERO_ICC2K_DENOMINATOR[[2, 0, 1]][:, [1, 0]]):
        assert np.isnan(_icc_matrix(y).set_index("Type").loc["ICC2k", "ICC"])


def test_no_variance_at_all_gives_nan_for_every_form():
    # every rating 5: all mean squares are 0, every denominator is 0
    out = _icc_matrix(np.full((4, 3), 5.0))
    assert out["ICC"].isna().all() and out["CI95_low"].isna().all() and out["CI95_high"].isna().all()


def test_no_variance_between_targets_makes_the_msb_denominators_nan():
    # every target has the ratings (1, 2): MSB = 0, MSE = 0, MSJ = 3·(1/4 + 1/4) = 3/2
    # ICC1k = ICC3k = (0 − ·)/MSB = undefined; ICC2 = (0 − 0)/(0 + 0 + 2·(3/2)/3) = 0
    out = _icc_matrix(np.array([[1.0, 2.0]] * 3)).set_index("Type")["ICC"]
    assert np.isnan(out["ICC1k"]) and np.isnan(out["ICC3k"]) and np.isnan(out["ICC3"])
    assert out["ICC2"] == 0.0 and out["ICC2k"] == 0.0


@settings(max_examples=40, deadline=None)
@given(matrices, st.floats(-50, 50), st.floats(0.1, 10))
@example(ZERO_ICC2K_DENOMINATOR, 0.0, 1.0)
@example(ZERO_ICC2K_DENOMINATOR, 7.0, 3.0)
def test_icc_is_invariant_to_a_linear_change_of_the_score_scale(x, shift, factor):
    dens = exact_icc_denominators(x)
    scale = dens.pop("_scale")
    # nearly-but-not-exactly zero denominators are ill-conditioned: leave them out
    assume(all(d == 0 or abs(d) > Fraction(1, 10 ** 6) * scale for d in dens.values()))
    a = _icc_matrix(x).set_index("Type")["ICC"]
    b = _icc_matrix(x * factor + shift).set_index("Type")["ICC"]
    # documented convention: a form with a zero denominator is NaN, on both scales
    undefined = [t for t in ICC_TYPES if scale == 0 or dens[t] == 0]
    assert a[undefined].isna().all() and b[undefined].isna().all()
    defined = [t for t in ICC_TYPES if t not in undefined]
    assert np.isfinite(a[defined]).all()
    np.testing.assert_allclose(a[defined], b[defined], rtol=1e-6, atol=1e-9)
    # the one-way and consistency forms are at most 1 (ICC2 forms can leave [-1, 1] on odd data)
    bounded = [t for t in ("ICC1", "ICC3", "ICC1k", "ICC3k") if t in defined]
    assert (a[bounded] <= 1 + 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(matrices, st.randoms())
@example(ZERO_ICC2K_DENOMINATOR, random.Random(0))
def test_icc_does_not_depend_on_the_order_of_targets_or_raters(x, rnd):
    rows = list(range(x.shape[0]))
    cols = list(range(x.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    a = _icc_matrix(x)
    b = _icc_matrix(x[np.ix_(rows, cols)])
    np.testing.assert_allclose(a[["ICC", "F", "pval"]], b[["ICC", "F", "pval"]], atol=1e-9, equal_nan=True)
