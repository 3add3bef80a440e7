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
    # perfect agreement: three raters give each unit the same score (0.1, 50, 80); with 0.1
    # the within-unit sum of squares q − total²/m rounds to −3.5e-18 and must be clipped to 0
    rows += [(r, "expert", f"U{u}", "p", v) for u, v in enumerate((0.1, 50.0, 80.0)) for r in ("r1", "r2", "r3")]
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
    spread): alpha equals krippendorff_alpha on the same table. Criterion p: 3 units × 3
    raters in perfect agreement → MSW = 0 < MSB, so ICC(1,1) = ICC(1,k) = MSB/MSB = 1 and
    F = MSB/0 = ∞; alpha = 1 − 0 = 1; Fleiss: P_i = 1, P_e = 3·(1/3)² = 1/3 → κ = 1.
    Criterion z (last): no unit has two ratings → every agreement statistic NaN.
    No RuntimeWarning on the way (z's 0/0 in the alpha and Fleiss sums, p's F = x/0)."""
    from evalkit.qualitative.reliability import fleiss_kappa, krippendorff_alpha, reliability_table

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = reliability_table(_thin_design()).set_index("criterion")
    assert t.index.tolist() == ["a", "b", "p", "z"]
    a = t.loc["a"]
    assert (a["icc1"], a["icc1k"], a["icc_f"]) == pytest.approx((0.2, 0.25, 4 / 3), rel=1e-9)
    # 3 ratings of 2 units: 1.5 raters per unit
    assert (a["n_ratings"], a["n_units"], a["n_raters"], a["raters_per_unit"]) == (3, 2, 2, 1.5)
    assert a["message_zh"] == "第三方专家评价对“a”的评分数据太少，无法评估评价一致性。"
    assert a["message_en"] == "Too few expert ratings of 'a' to assess agreement."
    assert a["alpha_interval"] == pytest.approx(0.0, abs=1e-12)
    assert a["fleiss_kappa"] == -1.0 == fleiss_kappa([[1, 1, 0, 0, 0]])
    assert a["agreement"] == "not_assessable" and a["n_units"] == 2
    b = t.loc["b"]
    # Kendall's W on the complete 5 × 2 block of b [KS39]: r1 (50.0, 50.3, 50.9, 50.5, 50.0) ranks
    # 1.5, 3, 5, 4, 1.5; r2 (50.1, 50.2, 51.0, 50.6, 50.4) ranks 1, 2, 5, 4, 3; R = 2.5, 5, 10, 8,
    # 4.5 around m(n + 1)/2 = 6: S = 12.25 + 1 + 16 + 4 + 2.25 = 35.5; one tie of 2 in r1: ΣT = 6;
    # W = 12·35.5/(2²·(125 − 5) − 2·6) = 426/468 = 71/78; χ² = m(n − 1)W = 8·71/78 on 4 df
    assert (b["w_units"], b["w_raters"], b["kendall_dof"]) == (5, 2, 4)
    assert (b["kendall_w"], b["kendall_chi2"]) == pytest.approx((71 / 78, 8 * 71 / 78), rel=1e-12)
    assert str(t["kendall_dof"].dtype) == "Int64"
    assert all(str(t[c].dtype) == "int64" for c in ("n_units", "n_raters", "n_ratings", "w_units", "w_raters"))
    pairs = _thin_design().query("criterion == 'b'").pivot(index="rater_id", columns="unit_id", values="score")
    assert b["alpha_interval"] == pytest.approx(krippendorff_alpha(pairs.to_numpy()), rel=1e-9)
    assert np.isnan(b["fleiss_kappa"])  # all ratings on the 60 level: P_e = 1
    pp = t.loc["p"]
    assert (pp["icc1"], pp["icc1k"], pp["icc_f"], pp["icc_pval"]) == (1.0, 1.0, np.inf, 0.0)
    assert (pp["alpha_interval"], pp["fleiss_kappa"], pp["raters_per_unit"]) == (1.0, 1.0, 3.0)
    assert (pp["agreement"], bool(pp["low_agreement"])) == ("excellent", False)
    assert pp["message_zh"] == "评价一致性优（ICC(1,k) = 1.00）。"
    assert pp["message_en"] == "Agreement is excellent (ICC(1,k) = 1.00)."
    z = t.loc["z"]
    assert np.isnan([z["icc1"], z["icc1k"], z["alpha_interval"], z["fleiss_kappa"], z["kendall_w"]]).all()


def test_plain_message_names_a_known_group_in_chinese_and_an_unknown_one_by_its_code():
    from evalkit.qualitative.reliability import _plain_message

    assert _plain_message("leader", "准确", "Accuracy", "not_assessable", np.nan, False) == (
        "区领导评价对“准确”的评分数据太少，无法评估评价一致性。", "Too few leader ratings of 'Accuracy' to assess agreement.")
    assert _plain_message("visitor", "准确", "Accuracy", "poor", 0.25, True) == (
        "评价一致性低：visitor对“准确”的评分中，评价人之间的分歧与单位之间的差别相差不大（ICC(1,k) = 0.25），该项得分应谨慎解读。",
        "Low agreement: visitor raters disagree about 'Accuracy' almost as much as units differ "
        "(ICC(1,k) = 0.25); read this score with caution.")


def test_ratio_alpha_where_c_plus_k_is_zero_is_defined_without_a_warning():
    """δ²(c, k) = 0 wherever c + k = 0: for −1 and 1 (c − k = −2, a division by zero) as for
    0 and 0. Units (−1, 1) and (1, −1): every δ² is 0, so D_e = 0 and α is NaN."""
    from evalkit.qualitative.reliability import krippendorff_alpha

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(krippendorff_alpha([[-1, 1], [1, -1]], "ratio"))


def test_icc_table_skips_a_thin_criterion_listed_first_and_sorts_by_criterion():
    """Rows in the order c2, c1, c0: c0 (3 units) is left out although it sorts first, and the
    output is sorted c1 then c2 whatever the order of the rows."""
    from evalkit.qualitative.reliability import icc_table

    df = _ratings_for_icc_table().replace({"criterion": {"c3": "c0"}})
    shuffled = pd.concat([df[df["criterion"] == c] for c in ("c2", "c1", "c0")], ignore_index=True)
    out = icc_table(shuffled)
    assert out["criterion"].tolist() == ["c1"] * 6 + ["c2"] * 6
    pd.testing.assert_frame_equal(out, icc_table(df))


def test_reliability_table_classifies_levels_on_the_rubric_scale():
    """Two units, two raters: U0 rated 60 and 80, U1 rated 10 and 30.
    Default five-level scale (bounds 90/70/45/15): 60 → level 2, 80 → 1; 10 → 4, 30 → 3:
    P_i = 0, p = (¼, ¼, ¼, ¼), P_e = 4/16 → κ = (0 − ¼)/(1 − ¼) = −1/3 [F71].
    A two-level rubric scale (pass 100 / fail 0, bound 50): both U0 ratings pass, both U1
    ratings fail: P_i = 1, P_e = ½ → κ = 1."""
    from evalkit.qualitative.reliability import reliability_table
    from evalkit.qualitative.rubric import Level, Rubric, Scale

    df = pd.DataFrame({"rater_id": ["r1", "r2", "r1", "r2"], "rater_group": "expert",
                       "unit_id": ["U0", "U0", "U1", "U1"], "criterion": "c", "score": [60.0, 80.0, 10.0, 30.0]})
    assert reliability_table(df)["fleiss_kappa"].iloc[0] == pytest.approx(-1 / 3, rel=1e-12)
    two = Scale("pass_fail", (Level("pass", "合格", 100.0), Level("fail", "不合格", 0.0)))
    rubric = Rubric(code="r", version="1", name_zh="测试", scale=two, criteria=())
    assert reliability_table(df, rubric=rubric)["fleiss_kappa"].iloc[0] == 1.0
    assert reliability_table(df, scale=two)["fleiss_kappa"].iloc[0] == 1.0


def test_reliability_table_without_a_present_rating_is_empty_with_its_columns():
    from evalkit.qualitative.reliability import RELIABILITY_COLUMNS, reliability_table

    df = pd.DataFrame({"rater_id": ["r1"], "rater_group": ["expert"], "unit_id": ["U0"], "criterion": ["c"],
                       "score": [np.nan]})
    out = reliability_table(df)
    assert list(out.columns) == RELIABILITY_COLUMNS and len(out) == 0


def test_reliability_table_alpha_is_nan_when_only_rounding_noise_varies():
    """Every rating 11.6 (3 units × 2 raters): no variation, so alpha is NaN [K11]. In floating
    point the total sum of squares Σx² − (Σx)²/n = 6·11.6² − 69.6²/6 comes out as 2.3e-13, not 0:
    the guard ss_tot > 1e-12·n (= 6e-12 here) treats it as 0 (else alpha = 1 − 0/… = 1)."""
    from evalkit.qualitative.reliability import reliability_table

    df = pd.DataFrame({"rater_id": ["r1", "r2"] * 3, "rater_group": "expert",
                       "unit_id": ["U0", "U0", "U1", "U1", "U2", "U2"], "criterion": "c", "score": 11.6})
    assert np.isnan(reliability_table(df)["alpha_interval"].iloc[0])
    # every rating 2.9 (3 units × 3 raters): here Σx² − (Σx)²/n rounds to exactly 0 while the
    # within-unit sums keep a noise of 3e-14, so alpha's formula divides a non-zero by 0 — NaN,
    # without a division-by-zero warning
    df3 = pd.DataFrame({"rater_id": ["r1", "r2", "r3"] * 3, "rater_group": "expert",
                        "unit_id": [u for u in ("U0", "U1", "U2") for _ in range(3)], "criterion": "c",
                        "score": 2.9})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(reliability_table(df3)["alpha_interval"].iloc[0])


def _icc_three_quarters() -> pd.DataFrame:
    pairs = [(47.0, 49.0), (49.0, 51.0), (51.0, 53.0)]
    return pd.DataFrame([(r, "expert", f"U{u}", c, x) for c in ("c1", "c2") for u, xy in enumerate(pairs)
                         for r, x in zip(("r1", "r2"), xy)],
                        columns=["rater_id", "rater_group", "unit_id", "criterion", "score"])


def test_reliability_table_on_a_band_edge_and_with_the_rubric_names():
    """3 units × 2 raters: (47, 49), (49, 51), (51, 53). One-way ANOVA [SF79]: unit means 48,
    50, 52 around 50, SSB = 2·(4 + 0 + 4) = 16 on 2 df → MSB = 8; SSW = 3·(1 + 1) = 6 on 3 df →
    MSW = 2. ICC(1,k) = (8 − 2)/8 = 0.75 exactly, on the lower edge of "good" [KL16], and not
    below a low_threshold of 0.75; ICC(1,1) = (8 − 2)/(8 + 1·2) = 0.6 (k0 = (6 − 12/6)/2 = 2).
    With low_threshold 0.8 the flag is raised and the message names the rubric's criteria
    (the English name falls back to the code when the rubric gives none)."""
    from evalkit.qualitative.reliability import reliability_table
    from evalkit.qualitative.rubric import FIVE_LEVEL_100, Criterion, Rubric

    t = reliability_table(_icc_three_quarters(), low_threshold=0.75)
    assert t["icc1k"].tolist() == [0.75, 0.75] and t["icc1"].tolist() == pytest.approx([0.6, 0.6], rel=1e-12)
    assert t["agreement"].tolist() == ["good", "good"] and t["low_agreement"].tolist() == [False, False]
    assert t["message_zh"].iloc[0] == "评价一致性良（ICC(1,k) = 0.75）。"
    rubric = Rubric(code="r", version="1", name_zh="测试", scale=FIVE_LEVEL_100,
                    criteria=(Criterion("c1", "服务态度", "Service attitude"), Criterion("c2", "办事效率")))
    low = reliability_table(_icc_three_quarters(), rubric=rubric, low_threshold=0.8)
    assert low["low_agreement"].tolist() == [True, True]
    assert low["message_zh"].tolist() == [
        f"评价一致性低：第三方专家评价对“{name}”的评分中，评价人之间的分歧与单位之间的差别相差不大"
        "（ICC(1,k) = 0.75），该项得分应谨慎解读。" for name in ("服务态度", "办事效率")]
    assert low["message_en"].tolist() == [
        f"Low agreement: expert raters disagree about '{name}' almost as much as units differ "
        "(ICC(1,k) = 0.75); read this score with caution." for name in ("Service attitude", "c2")]


def test_complete_block_is_found_in_either_orientation():
    """_complete_block tries raters by coverage (blocks of ≥ 5 units × ≥ 2 raters) and, swapped,
    units by coverage (≥ 2 raters × ≥ 5 units), and keeps the larger.
    Criterion n: U0 rated by r3, r4, r5 (the best-covered unit), U1–U5 by r1 and r2. By
    raters: r1, r2 complete on U1–U5 → 5 × 2. By units: every prefix starts with U0, which
    r1 and r2 did not rate → nothing. Criterion t: r0 rates U5–U12 (the best-covered rater),
    r1 and r2 rate U0–U6. By raters: r0 with r1 share only U5, U6 → nothing. By units: U5, U6,
    U0–U4 are complete for r1, r2 → 7 units × 2 raters."""
    from evalkit.qualitative.reliability import icc_table

    rows = [(r, "expert", "U0", "n", 60.0 + i) for i, r in enumerate(("r3", "r4", "r5"))]
    rows += [(r, "expert", f"U{u}", "n", 50.0 + 7 * u + i) for u in range(1, 6) for i, r in enumerate(("r1", "r2"))]
    rows += [("r0", "expert", f"U{u}", "t", 40.0 + u) for u in range(5, 13)]
    rows += [(r, "expert", f"U{u}", "t", 50.0 + 3 * u + 2 * i) for u in range(7) for i, r in enumerate(("r1", "r2"))]
    df = pd.DataFrame(rows, columns=["rater_id", "rater_group", "unit_id", "criterion", "score"])
    out = icc_table(df).groupby("criterion")[["n_units", "n_raters"]].first()
    assert out.to_dict("index") == {"n": {"n_units": 5, "n_raters": 2}, "t": {"n_units": 7, "n_raters": 2}}


def test_icc_with_two_targets_and_with_perfect_agreement():
    """Two targets, two raters: (1, 2) and (3, 5). Row means 1.5, 4 around 2.75: SSB = 2·(1.25² +
    1.25²) = 2·(1.5625 + 1.5625) = 6.25; column means 2, 3.5: SSJ = 2·(0.5625 + 0.5625) = 2.25;
    SST = 3.0625 + 0.5625 + 0.0625 + 5.0625 = 8.75, SSE = 8.75 − 6.25 − 2.25 = 0.25.
    MSB = 6.25, MSW = (2.25 + 0.25)/2 = 1.25, MSE = 0.25: ICC1 = 5/7.5 = 2/3, ICC3 = 6/6.5 = 12/13
    [SF79]. Two targets are enough (n − 1 = 1 df).
    Perfect agreement (1, 1), (2, 2), (3, 3): MSB = 2, MSJ = MSE = MSW = 0, so every form is
    (2 − 0)/2 = 1 and F = MSB/MSE = ∞ — without a division warning."""
    two = _long([("t1", "a", 1), ("t1", "b", 2), ("t2", "a", 3), ("t2", "b", 5)])
    got = icc(two, "t", "r", "x").set_index("Type")["ICC"]
    assert (got["ICC1"], got["ICC3"]) == pytest.approx((2 / 3, 12 / 13), rel=1e-12)
    same = _long([(f"t{i}", r, float(i)) for i in (1, 2, 3) for r in ("a", "b")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = icc(same, "t", "r", "x")
    assert out["ICC"].tolist() == [1.0] * 6 and out["F"].tolist() == [np.inf] * 6
    # (0, 0), (1, 1): SSB = 2·(0.25 + 0.25) = 1 on 1 df, so the largest mean square is exactly
    # 1 (not 0): every form is 1 again
    assert icc(_long([("t1", "a", 0.0), ("t1", "b", 0.0), ("t2", "a", 1.0), ("t2", "b", 1.0)]),
               "t", "r", "x")["ICC"].tolist() == [1.0] * 6
    # the docstring's [[0, 0], [0, 1], [1, 0]] in points of 100: ICC2 = −1 and the ICC2k
    # denominator MSB + (MSJ − MSE)/n = 10000/6 − (10000/2)/3 = 0 up to rounding → NaN, not ±huge
    tri = icc(_long([("t1", "a", 0.0), ("t1", "b", 0.0), ("t2", "a", 0.0), ("t2", "b", 100.0),
                     ("t3", "a", 100.0), ("t3", "b", 0.0)]), "t", "r", "x").set_index("Type")
    assert tri.loc["ICC2", "ICC"] == pytest.approx(-1.0, rel=1e-12) and np.isnan(tri.loc["ICC2k", "ICC"])


def test_kendall_w_of_two_objects():
    """Two objects, two raters who agree: ranks (1, 1) and (2, 2), R = 2, 4 around m(n + 1)/2 = 3:
    S = 1 + 1 = 2; W = 12·2/(2²·(2³ − 2)) = 24/24 = 1 [KS39]; χ² = m(n − 1)W = 2 on 1 df."""
    from evalkit.qualitative.reliability import kendall_w

    res = kendall_w([[1, 1], [2, 2]])
    assert (res.w, res.chi2, res.dof, res.n_objects, res.n_raters) == (1.0, 2.0, 1, 2, 2)


def test_icc_of_ratings_that_are_all_0_1_has_no_variance():
    """Every rating 0.1 (3 targets × 2 raters): in floating point the sums of squares come out
    around 1e-33 instead of 0; they are below n·k·(1e-10·0.1)² = 6e-22, count as exactly 0, and
    all six forms are NaN as for any constant ratings (see icc, Notes)."""
    const = _long([(f"t{i}", r, 0.1) for i in (1, 2, 3) for r in ("a", "b")])
    out = icc(const, "t", "r", "x")
    assert out["ICC"].isna().all() and out["F"].isna().all() and out["CI95_low"].isna().all()


def test_icc_noise_threshold_scales_with_the_largest_rating():
    """Ratings 100 except one 100 + d (3 targets × 2 raters). The pattern is [[0, 0], [0, 0], [0, 1]]
    times d: SSB = d²/3, SSJ = d²/6, SSE = d²/3 (MSB = MSW = MSE = d²/6, so ICC1 = ICC3 = 0).
    The noise threshold is n·k·(1e-10·100)² = 6e-16: d = 1e-9 gives sums of squares near 3e-19,
    below it — rounding-level differences, every ICC NaN; d = 1e-5 gives 3e-11, a real (if tiny)
    spread, and ICC1 = ICC3 = 0."""
    def design(d):
        return _long([("t1", "a", 100.0), ("t1", "b", 100.0), ("t2", "a", 100.0), ("t2", "b", 100.0),
                      ("t3", "a", 100.0), ("t3", "b", 100.0 + d)])
    assert icc(design(1e-9), "t", "r", "x")["ICC"].isna().all()
    # d = 3e-8: SSB = SSE = 3e-16, SSJ = 1.5e-16 — still below 6e-16 (the threshold grows with n·k)
    assert icc(design(3e-8), "t", "r", "x")["ICC"].isna().all()
    got = icc(design(1e-5), "t", "r", "x").set_index("Type")["ICC"]
    assert (got["ICC1"], got["ICC3"]) == pytest.approx((0.0, 0.0), abs=1e-6)
