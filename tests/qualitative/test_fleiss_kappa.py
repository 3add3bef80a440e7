"""Fleiss' kappa, pinned to published worked examples.

* Wikipedia, "Fleiss' kappa", worked example: 10 subjects × 5 categories, 14 raters each;
  P̄ = 0.378, P̄e = 0.213, κ = 0.210 (statsmodels tests the same table).
* Fleiss, J. L. (1971), *Psychological Bulletin* 76, 378–382: 30 patients × 6
  psychiatrists × 5 diagnoses; κ = .430 (R ``irr::kappam.fleiss``: 0.4302445).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.qualitative import ReliabilityError, fleiss_kappa

WIKIPEDIA = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
])

DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])


def test_wikipedia_worked_example():
    assert round(fleiss_kappa(WIKIPEDIA), 3) == 0.210
    assert round(fleiss_kappa(pd.DataFrame(WIKIPEDIA)), 3) == 0.210


def test_fleiss_1971_diagnoses():
    counts = np.stack([(DIAGNOSES == c).sum(axis=1) for c in range(1, 6)], axis=1)
    assert fleiss_kappa(counts) == pytest.approx(0.4302445, abs=1e-7)


def test_edge_cases():
    assert fleiss_kappa([[3, 0], [0, 3], [3, 0]]) == pytest.approx(1.0)
    assert np.isnan(fleiss_kappa([[3, 0], [3, 0]]))  # one category only: P̄e = 1
    assert np.isnan(fleiss_kappa([[1, 0], [0, 1]]))  # nobody rated twice
    with pytest.raises(ReliabilityError, match="counts"):
        fleiss_kappa([[-1, 2]])


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 8), st.integers(2, 5), st.data())
def test_varying_raters_reduces_to_fleiss_with_equal_raters(n_subjects, n_cat, data):
    raters = data.draw(st.integers(2, 7))
    rows = [data.draw(st.lists(st.integers(0, n_cat - 1), min_size=raters, max_size=raters))
            for _ in range(n_subjects)]
    counts = np.array([[r.count(c) for c in range(n_cat)] for r in rows])
    # Fleiss (1971) with a constant number of raters, written out
    n, N = raters, n_subjects
    p_j = counts.sum(axis=0) / (N * n)
    p_bar = ((counts ** 2).sum(axis=1) - n).sum() / (N * n * (n - 1))
    p_e = (p_j ** 2).sum()
    expected = (p_bar - p_e) / (1 - p_e) if p_e < 1 else np.nan
    got = fleiss_kappa(counts)
    assert (np.isnan(expected) and np.isnan(got)) or got == pytest.approx(expected, abs=1e-12)
