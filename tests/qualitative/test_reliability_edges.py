"""Edges of evalkit/qualitative/reliability.py, pinned by hand.

Written against the surviving mutants of ``python benchmarks/mutation.py qualitative``
(issue 18): the exact messages of the input checks (for the ICC: a missing column lists the
columns found, a non-numeric rating is a ReliabilityError and not a bare ValueError, a
duplicate target–rater pair is refused even when the two ratings differ); Krippendorff's
ratio metric on zeros worked by hand; one-unit and no-variation edges of alpha and Fleiss'
kappa (NaN without a 0/0 warning); the long ICC table's columns, labels and index.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit.qualitative.reliability import ReliabilityError, icc


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


def _long(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["t", "r", "x"])


GOOD = _long([("u1", "a", 1), ("u1", "b", 2), ("u2", "a", 3), ("u2", "b", 5), ("u3", "a", 4), ("u3", "b", 4)])


def test_icc_missing_column_lists_the_columns_found():
    with pytest.raises(ReliabilityError, match=exact("icc: expected a column 'score'; found t, r, x")):
        icc(GOOD, "t", "r", "score")


def test_icc_non_numeric_rating_is_a_reliability_error():
    bad = GOOD.astype({"x": object})
    bad.loc[3, "x"] = "five"
    with pytest.raises(ReliabilityError, match=exact("icc: expected numeric ratings in 'x'")):
        icc(bad, "t", "r", "x")


def test_icc_duplicate_pair_with_different_ratings_is_refused():
    dup = pd.concat([GOOD, _long([("u1", "a", 9)])], ignore_index=True)  # u1 rated twice by a
    with pytest.raises(ReliabilityError, match=exact(
            "icc: expected one rating per target and rater; found duplicates")):
        icc(dup, "t", "r", "x")


def test_icc_incomplete_ratings_raise_by_default_and_are_dropped_on_request():
    holes = pd.concat([GOOD, _long([("u4", "a", 2)])], ignore_index=True)  # u4 lacks rater b
    with pytest.raises(ReliabilityError, match=exact(
            "icc: expected complete, balanced ratings (every rater rates every target); "
            "use nan_policy='omit' to drop incomplete targets")):
        icc(holes, "t", "r", "x")
    # omitting u4 leaves GOOD: the same six ICCs
    pd.testing.assert_frame_equal(icc(holes, "t", "r", "x", nan_policy="omit"), icc(GOOD, "t", "r", "x"))


# --- Krippendorff's alpha, Kendall's W, Fleiss' kappa: messages and edges ----------------------

def test_ratio_alpha_with_zeros_worked_by_hand():
    """Ratio metric δ²(c, k) = ((c − k)/(c + k))², and 0 for c = k = 0 (not 0/0).
    Two raters, three units: (0, 0), (1, 1), (1, 2). Coincidences o(0,0) = 2, o(1,1) = 2,
    o(1,2) = o(2,1) = 1; n_0 = 2, n_1 = 3, n_2 = 1, n = 6. δ²(0,1) = δ²(0,2) = 1,
    δ²(1,2) = (1/3)² = 1/9. D_o = 2·(1/9) = 2/9; D_e = 2·(2·3·1 + 2·1·1 + 3·1·(1/9)) = 50/3;
    α = 1 − (n − 1)·D_o/D_e = 1 − 5·(2/9)·(3/50) = 14/15 [K11]."""
    from evalkit.qualitative.reliability import krippendorff_alpha

    data = [[0, 1, 1], [0, 1, 2]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert krippendorff_alpha(data, "ratio") == pytest.approx(14 / 15, rel=1e-12)


def test_alpha_edges():
    from evalkit.qualitative.reliability import krippendorff_alpha

    # one unit, two different values: D_o = D_e = 2 (interval), α = 1 − 1·2/2 = 0
    assert krippendorff_alpha([[1], [2]]) == 0.0
    # no variation at all: D_e = 0 → NaN, without a 0/0 warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(krippendorff_alpha([[1, 1], [1, 1]]))
    # fewer than two pairable values
    assert np.isnan(krippendorff_alpha([[1, np.nan], [np.nan, 2]]))
    with pytest.raises(ReliabilityError, match=exact(
            "krippendorff_alpha: expected level_of_measurement one of nominal, ordinal, interval, "
            "ratio; found 'metric'")):
        krippendorff_alpha([[1, 2], [1, 2]], "metric")


def test_kendall_w_incomplete_rankings_message():
    from evalkit.qualitative.reliability import kendall_w

    with pytest.raises(ReliabilityError, match=exact(
            "kendall_w: expected complete rankings; found missing values "
            "(use nan_policy='omit' to drop incomplete objects)")):
        kendall_w([[1, 2], [2, np.nan], [3, 1]])


def test_fleiss_kappa_edges():
    from evalkit.qualitative.reliability import fleiss_kappa

    # one subject, three raters: 2 in category A, 1 in B. P_1 = (2·1 + 0)/(3·2) = 1/3;
    # p = (2/3, 1/3), P_e = 4/9 + 1/9 = 5/9; κ = (1/3 − 5/9)/(1 − 5/9) = −1/2 [F71]
    assert fleiss_kappa([[2, 1]]) == pytest.approx(-0.5, rel=1e-12)
    # every rating in one category: P_e = 1 → NaN, without a 0/0 warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(fleiss_kappa([[3, 0], [2, 0]]))
    with pytest.raises(ReliabilityError, match=exact(
            "fleiss_kappa: expected a subjects × categories table of counts ≥ 0")):
        fleiss_kappa([[-1, 2]])


# --- icc_table -----------------------------------------------------------------------------------

def _ratings_for_icc_table() -> pd.DataFrame:
    rows = []
    for crit, shift in (("c1", 0), ("c2", 5)):
        for u, (a, b) in enumerate([(60, 62), (70, 69), (80, 85), (75, 70), (90, 92)]):
            rows.append(("ra", "expert", f"U{u}", crit, a + shift))
            rows.append(("rb", "expert", f"U{u}", crit, b + shift))
    # a criterion with only 3 units: no block of 5 units → left out
    for u in range(3):
        rows.append(("ra", "expert", f"U{u}", "c3", 50.0))
        rows.append(("rb", "expert", f"U{u}", "c3", 55.0))
    return pd.DataFrame(rows, columns=["rater_id", "rater_group", "unit_id", "criterion", "score"])


def test_icc_table_columns_labels_and_index():
    from evalkit.qualitative.reliability import ICC_COLUMNS, icc_table

    out = icc_table(_ratings_for_icc_table())
    assert list(out.columns) == ["rater_group", "criterion", "n_units", "n_raters"] + ICC_COLUMNS
    assert out.index.tolist() == list(range(12))
    assert out["rater_group"].tolist() == ["expert"] * 12
    assert out["criterion"].tolist() == ["c1"] * 6 + ["c2"] * 6
    assert out["n_units"].tolist() == [5] * 12 and out["n_raters"].tolist() == [2] * 12
    # c2 is c1 shifted by 5 points: the same ICCs
    assert out["ICC"].iloc[6:].tolist() == pytest.approx(out["ICC"].iloc[:6].tolist(), rel=1e-12)
    # the one-criterion long form equals icc() on the same 5 × 2 block
    one = icc(_ratings_for_icc_table().query("criterion == 'c1'"), "unit_id", "rater_id", "score")
    assert out["ICC"].iloc[:6].tolist() == pytest.approx(one["ICC"].tolist(), rel=1e-12)


def test_icc_table_without_a_large_enough_block_is_empty_with_its_columns():
    from evalkit.qualitative.reliability import ICC_COLUMNS, icc_table

    out = icc_table(_ratings_for_icc_table().query("criterion == 'c3'"))
    assert len(out) == 0
    assert list(out.columns) == ["rater_group", "criterion", "n_units", "n_raters"] + ICC_COLUMNS


# --- reliability_table on thin designs ---------------------------------------------------------

def _thin_design() -> pd.DataFrame:
    rows = [("r1", "expert", "U1", "a", 60.0), ("r2", "expert", "U1", "a", 80.0), ("r1", "expert", "U2", "a", 50.0)]
    pairs = [(50.0, 50.1), (50.3, 50.2), (50.9, 51.0), (50.5, 50.6), (50.0, 50.4)]
    for u, (x, y) in enumerate(pairs):
        rows += [("r1", "expert", f"U{u}", "b", x), ("r2", "expert", f"U{u}", "b", y)]
    # last criterion: every unit rated once, so nothing is pairable
    rows += [("r1", "expert", f"U{u}", "z", 70.0 + u) for u in range(3)]
    return pd.DataFrame(rows, columns=["rater_id", "rater_group", "unit_id", "criterion", "score"])


def test_reliability_table_on_thin_designs():
    """Criterion a: U1 rated 60 and 80, U2 rated 50 (a = 2 units, N = 3 ratings, so
    df_w = N − a = 1: the smallest design with a within-unit spread). One-way ANOVA [SF79]:
    SSB = 140²/2 + 50²/1 − 190²/3 = 266.667 (1 df), SSW = 10² + 10² = 200 (1 df);
    k0 = (3 − 5/3)/1 = 4/3; ICC(1,1) = (266.667 − 200)/(266.667 + (1/3)·200) = 0.2,
    ICC(1,k) = 66.667/266.667 = 0.25, F = 4/3. Alpha: only U1 is pairable → 0 (D_o = D_e).
    Fleiss: U1's two ratings fall on two levels (60, 80) → P = 0, P_e = ½ → κ = −1.
    Criterion b: 5 units × 2 raters with differences of tenths of a point (a real but small
    spread): alpha equals krippendorff_alpha on the same table. Criterion z (last): no unit
    has two ratings → every agreement statistic NaN."""
    from evalkit.qualitative.reliability import fleiss_kappa, krippendorff_alpha, reliability_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # criterion z: 0/0 in the alpha sums
        t = reliability_table(_thin_design()).set_index("criterion")
    a = t.loc["a"]
    assert (a["icc1"], a["icc1k"], a["icc_f"]) == pytest.approx((0.2, 0.25, 4 / 3), rel=1e-9)
    assert a["alpha_interval"] == pytest.approx(0.0, abs=1e-12)
    assert a["fleiss_kappa"] == -1.0 == fleiss_kappa([[1, 1, 0, 0, 0]])
    assert a["agreement"] == "not_assessable" and a["n_units"] == 2
    b = t.loc["b"]
    pairs = _thin_design().query("criterion == 'b'").pivot(index="rater_id", columns="unit_id", values="score")
    assert b["alpha_interval"] == pytest.approx(krippendorff_alpha(pairs.to_numpy()), rel=1e-9)
    assert np.isnan(b["fleiss_kappa"])  # all ratings on the 60 level: P_e = 1
    z = t.loc["z"]
    assert np.isnan([z["icc1"], z["icc1k"], z["alpha_interval"], z["fleiss_kappa"], z["kendall_w"]]).all()
