"""Kendall's W, tie-corrected, pinned to a published worked example.

NAG Library, routine G08DAF (``nagf_nonpar_concordance_kendall``), example program
results (data from Siegel, S. 1956, *Nonparametric Statistics*, p. 234): 3 comparisons
of 10 objects with ties; "Kendall's coefficient = 0.828, Significance = 0.008" (W corrected
for ties; significance from χ² = k(n−1)W on n−1 df).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from evalkit.qualitative import KendallW, ReliabilityError, kendall_w

NAG = np.array([
    [1.0, 4.5, 2.0, 4.5, 3.0, 7.5, 6.0, 9.0, 7.5, 10.0],
    [2.5, 1.0, 2.5, 4.5, 4.5, 8.0, 9.0, 6.5, 10.0, 6.5],
    [2.0, 1.0, 4.5, 4.5, 4.5, 4.5, 8.0, 8.0, 8.0, 10.0],
]).T  # objects in rows, raters (comparisons) in columns


def test_nag_g08daf_example():
    res = kendall_w(NAG)
    assert isinstance(res, KendallW)
    assert round(res.w, 3) == 0.828
    assert round(res.pvalue, 3) == 0.008
    assert res.dof == 9 and res.n_objects == 10 and res.n_raters == 3
    assert res.chi2 == pytest.approx(3 * 9 * res.w)


def test_ties_are_corrected_and_scores_are_ranked_within_each_rater():
    # the same example with raw scores instead of ranks: any increasing transform of a
    # rater's scores gives the same W
    raw = NAG.copy()
    raw[:, 0] = raw[:, 0] ** 2 + 50
    raw[:, 2] = np.log(raw[:, 2])
    assert kendall_w(raw).w == pytest.approx(kendall_w(NAG).w, abs=1e-12)
    # without the tie correction W would be lower
    m, n = 3, 10
    r = NAG.sum(axis=1)
    uncorrected = 12 * ((r - m * (n + 1) / 2) ** 2).sum() / (m ** 2 * (n ** 3 - n))
    assert uncorrected < kendall_w(NAG).w


def test_perfect_agreement_and_missing_values():
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [10, 20, 30, 40], "c": [0.1, 0.2, 0.3, 0.4]})
    assert kendall_w(x).w == pytest.approx(1.0)
    x.iloc[0, 1] = np.nan
    with pytest.raises(ReliabilityError, match="nan_policy"):
        kendall_w(x)
    res = kendall_w(x, nan_policy="omit")
    assert res.n_objects == 3 and res.w == pytest.approx(1.0)
    with pytest.raises(ReliabilityError, match="at least 2 objects"):
        kendall_w(x.dropna().iloc[:1])


rankings = arrays(np.float64, st.tuples(st.integers(3, 9), st.integers(2, 6)),
                  elements=st.integers(1, 5).map(float))


@settings(max_examples=60, deadline=None)
@given(rankings)
def test_w_is_between_0_and_1_and_matches_the_friedman_statistic(x):
    res = kendall_w(x)
    if np.isnan(res.w):  # every rater ties every object
        assert all(len(np.unique(c)) == 1 for c in x.T)
        return
    assert -1e-12 <= res.w <= 1 + 1e-12
    # χ² = m(n−1)W is the tie-corrected Friedman statistic (objects = treatments)
    if all(len(np.unique(c)) > 1 for c in x.T):
        friedman = stats.friedmanchisquare(*x).statistic
        assert res.chi2 == pytest.approx(friedman, rel=1e-9)
