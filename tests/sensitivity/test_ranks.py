"""Comparing rankings (ρ, τ-b, r_W, WS) and summarising ranks and grades over replications.

Published values
----------------
* Sałabun, W. & Urbaniak, K. (2020). A new coefficient of rankings similarity in
  decision-making problems. ICCS 2020, LNCS 12138, 632–645 — reference ranking
  (1, 2, 3, 4, 5) against (1, 3, 2, 4, 5): r_s = 0.9, r_w = 0.8833, WS = 0.8542. (Read from
  the test suites of pyrepo-mcda and crispyn, which pin their coefficients to this example
  of the paper; pyfdm pins r_s = 0.9 for (2, 1, 3, 4, 5) to the same paper.)
* Paradowski, B., Bączkiewicz, A. & Wątróbski, J. (2021). Towards proper consumer choices —
  MCDM based product selection. Procedia Computer Science 192, 1347–1358 — two rankings of
  12 products: r_w = 0.96 and WS = 0.90 (two decimals; as pinned in pyfdm's tests). WS of
  the second ranking *to the first* is 0.90, the other way round 0.87: the value fixes the
  argument order (reference first).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.sensitivity import (
    SensitivityError,
    grade_probabilities,
    kendall_tau,
    rank_summary,
    ranking_agreement,
    spearman_rho,
    weighted_spearman,
    ws_similarity,
)

REF5 = [1, 2, 3, 4, 5]
PARADOWSKI_A = [7, 11, 2, 1, 4, 9, 6, 3, 5, 10, 8, 12]
PARADOWSKI_B = [7, 11, 3, 2, 4, 9, 6, 1, 5, 10, 8, 12]


# --- published examples -------------------------------------------------------------------


def test_salabun_urbaniak_2020_example():
    other = [1, 3, 2, 4, 5]
    assert spearman_rho(REF5, other) == pytest.approx(0.9, abs=1e-12)
    assert round(weighted_spearman(REF5, other), 4) == 0.8833
    assert round(ws_similarity(REF5, other), 4) == 0.8542
    assert spearman_rho(REF5, [2, 1, 3, 4, 5]) == pytest.approx(0.9, abs=1e-12)
    # exact values by hand: r_w = 1 − 6·14/720, WS = 1 − (1/4)/3 − (1/8)/2
    assert weighted_spearman(REF5, other) == pytest.approx(1 - 84 / 720, abs=1e-15)
    assert ws_similarity(REF5, other) == pytest.approx(1 - 1 / 12 - 1 / 16, abs=1e-15)


def test_paradowski_2021_example_and_ws_argument_order():
    assert round(weighted_spearman(PARADOWSKI_A, PARADOWSKI_B), 2) == 0.96
    assert round(ws_similarity(PARADOWSKI_A, PARADOWSKI_B), 2) == 0.90
    assert round(ws_similarity(PARADOWSKI_B, PARADOWSKI_A), 2) == 0.87
    # r_W is symmetric
    assert weighted_spearman(PARADOWSKI_B, PARADOWSKI_A) == weighted_spearman(PARADOWSKI_A, PARADOWSKI_B)


def test_top_swaps_cost_more_than_bottom_swaps():
    top, bottom = [2, 1, 3, 4, 5], [1, 2, 3, 5, 4]
    # Spearman cannot tell them apart …
    assert spearman_rho(REF5, top) == pytest.approx(spearman_rho(REF5, bottom))
    # … r_W and WS can (hand-worked: r_W = 1 − 6·18/720 and 1 − 6·6/720)
    assert weighted_spearman(REF5, top) == pytest.approx(0.85)
    assert weighted_spearman(REF5, bottom) == pytest.approx(0.95)
    assert ws_similarity(REF5, top) == pytest.approx(1 - 1 / 8 - 1 / 12)
    assert ws_similarity(REF5, bottom) == pytest.approx(1 - 1 / 48 - 1 / 128)


def _tau_b_by_counting(x, y):
    c = d = tx = ty = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if sx == 0 and sy == 0:
            continue
        if sx == 0:
            tx += 1
        elif sy == 0:
            ty += 1
        elif sx == sy:
            c += 1
        else:
            d += 1
    return (c - d) / np.sqrt((c + d + tx) * (c + d + ty))


def test_kendall_tau_b_with_ties_hand_counted():
    # 8 pairs of scores with ties in both: 19 concordant, 5 discordant pairs, 2 pairs tied
    # in x only and 2 in y only → τ_b = (19 − 5) / sqrt(26 · 26) = 14/26
    x = [2.0, 3.0, 3.0, 5.0, 5.5, 8.0, 10.0, 10.0]
    y = [1.5, 1.5, 4.0, 3.0, 1.0, 5.0, 5.0, 9.5]
    assert _tau_b_by_counting(x, y) == pytest.approx(14 / 26)
    assert kendall_tau(x, y) == pytest.approx(14 / 26, abs=1e-12)


def test_spearman_with_ties_is_pearson_of_mid_ranks():
    x = [1, 2, 2, 4, 5, 5, 5, 8]
    y = [2, 1, 3, 3, 6, 4, 8, 7]
    mid = [1, 2.5, 2.5, 4, 6, 6, 6, 8]
    assert spearman_rho(x, y) == pytest.approx(np.corrcoef(mid, pd.Series(y).rank())[0, 1], abs=1e-12)


# --- properties ---------------------------------------------------------------------------


permutations = st.integers(2, 12).flatmap(
    lambda n: st.tuples(st.permutations(list(range(1, n + 1))), st.permutations(list(range(1, n + 1)))))


@settings(max_examples=60, deadline=None)
@given(permutations)
def test_properties_on_permutations(pair):
    x, y = np.array(pair[0], dtype=float), np.array(pair[1], dtype=float)
    n = x.size
    for f in (spearman_rho, kendall_tau, weighted_spearman, ws_similarity):
        assert f(x, x) == pytest.approx(1.0)
    rev = n + 1 - x
    assert spearman_rho(x, rev) == pytest.approx(-1.0)
    assert kendall_tau(x, rev) == pytest.approx(-1.0)
    assert weighted_spearman(x, rev) == pytest.approx(-1.0)
    assert -1 - 1e-12 <= weighted_spearman(x, y) <= 1 + 1e-12
    assert weighted_spearman(x, y) == pytest.approx(weighted_spearman(y, x))
    ws = ws_similarity(x, y)
    assert 0 < ws <= 1
    assert (ws == 1) == bool(np.array_equal(x, y))
    # without ties ρ is the textbook 1 − 6Σd²/(n(n²−1))
    assert spearman_rho(x, y) == pytest.approx(1 - 6 * ((x - y) ** 2).sum() / (n * (n * n - 1)), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=3, max_size=15))
def test_tau_b_equals_pair_counting(pairs):
    x, y = np.array(pairs, dtype=float).T
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        assert np.isnan(kendall_tau(x, y))
    else:
        assert kendall_tau(x, y) == pytest.approx(_tau_b_by_counting(x, y), abs=1e-12)


def test_series_are_aligned_on_units_and_agreement_table():
    a = pd.Series([1, 2, 3, 4, 5], index=list("abcde"))
    b = pd.Series([3, 2, 4, 1, 5], index=list("cbdae"))  # same ranking, other order
    assert ws_similarity(a, b) == 1.0
    table = ranking_agreement(a, pd.Series([1, 3, 2, 4, 5], index=list("abcde")))
    assert list(table.index) == ["spearman_rho", "kendall_tau_b", "weighted_spearman", "ws_similarity"]
    assert table["ws_similarity"] == pytest.approx(0.8542, abs=5e-5)
    with pytest.raises(SensitivityError, match="same units"):
        spearman_rho(a, pd.Series([1, 2, 3, 4, 5], index=list("abcdf")))


def test_rank_scale_is_checked():
    with pytest.raises(SensitivityError, match="positions 1"):
        ws_similarity([0.9, 0.5, 0.1], [1, 2, 3])  # scores, not ranks
    with pytest.raises(SensitivityError, match="different numbers"):
        weighted_spearman([1, 2, 3], [1, 2])
    with pytest.raises(SensitivityError, match="missing"):
        spearman_rho([1, 2, np.nan], [1, 2, 3])
    assert np.isnan(spearman_rho([1, 1, 1], [1, 2, 3]))


# --- summaries over replications ----------------------------------------------------------


RANKS = pd.DataFrame([[1, 2, 3], [1, 3, 2], [2, 1, 3], [1, 2, 3], [3, 1, 2]], columns=["A", "B", "C"])


def test_rank_summary_hand_worked():
    out = rank_summary(RANKS, pd.Series({"C": 3, "A": 1, "B": 2}))
    assert list(out.columns) == ["nominal_rank", "median_rank", "p05", "p95", "mean_abs_shift"]
    assert list(out.index) == ["A", "B", "C"] and out.index.name == "unit"
    # A: sorted 1 1 1 2 3 → median 1; linear p05 at position 0.2 → 1, p95 at 3.8 → 2.8
    np.testing.assert_allclose(out.loc["A"], [1, 1, 1, 2.8, 0.6])
    np.testing.assert_allclose(out.loc["B"], [2, 2, 1, 2.8, 0.6])   # sorted 1 1 2 2 3
    np.testing.assert_allclose(out.loc["C"], [3, 3, 2, 3.0, 0.4])   # sorted 2 2 3 3 3
    # type 1 (inverse of the empirical CDF) gives ranks that occurred
    t1 = rank_summary(RANKS.to_numpy(), [1, 2, 3], method="inverted_cdf")
    np.testing.assert_array_equal(t1["p95"], [3, 3, 3])
    np.testing.assert_array_equal(t1["p05"], [1, 1, 2])
    assert out.attrs["n_replications"] == 5


def test_rank_summary_errors():
    with pytest.raises(SensitivityError, match="nominal ranks for 3 units"):
        rank_summary(RANKS, [1, 2])
    with pytest.raises(SensitivityError, match="no nominal rank"):
        rank_summary(RANKS, pd.Series({"A": 1, "B": 2}))


def test_grade_probabilities():
    grades = pd.DataFrame({"u1": ["优秀", "良好", "优秀", "优秀"], "u2": ["合格", None, "良好", "合格"]})
    out = grade_probabilities(grades, levels=["优秀", "良好", "合格", "不合格"])
    assert list(out.columns) == ["优秀", "良好", "合格", "不合格"]
    np.testing.assert_allclose(out.loc["u1"], [0.75, 0.25, 0, 0])
    np.testing.assert_allclose(out.loc["u2"], [0, 0.25, 0.5, 0])  # one missing grade
    default = grade_probabilities(grades.to_numpy())
    assert sorted(default.columns) == sorted(["优秀", "良好", "合格"])
    with pytest.raises(SensitivityError, match="not among the levels"):
        grade_probabilities(grades, levels=["优秀", "良好"])
