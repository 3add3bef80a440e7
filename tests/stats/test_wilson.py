"""Wilson score intervals, pinned to published worked examples.

Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
comparison of seven methods. Statistics in Medicine 17, 857–872, Table I, method 3
("score method, no continuity correction"): 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605;
0/20 → 0.0000–0.1611; 1/29 → 0.0061–0.1718. (81/263 and 15/148 are also the examples of
the R package propint's ``ci.one.prop``, "Examples from Newcombe (1998)".)

Fagerland, M. W., Lydersen, S. & Laake, P. (2017). Statistical Analysis of Contingency
Tables, chapter 2, Ligarden et al. (2010) example: 13/16 → Wilson score 95 % CI
0.5699 to 0.9341 (the same figures are pinned in the tests of the R package
contingencytables, ``Wilson_score_CI_1x2(X = 13, n = 16)``).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from evalkit.stats import wilson_interval, wilson_intervals


@pytest.mark.parametrize("x, n, lower, upper", [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_newcombe_1998_table_1_score_method(x, n, lower, upper):
    lo, hi = wilson_interval(x, n)
    assert lo == pytest.approx(lower, abs=5e-5)
    assert hi == pytest.approx(upper, abs=5e-5)


def test_fagerland_2017_ligarden_example():
    lo, hi = wilson_interval(13, 16)
    assert (round(lo, 4), round(hi, 4)) == (0.5699, 0.9341)


def test_vectorised_matches_scalar_and_newcombe():
    lo, hi = wilson_intervals([81, 15, 0, 1], [263, 148, 20, 29])
    np.testing.assert_allclose(lo, [0.2553, 0.0624, 0.0, 0.0061], atol=5e-5)
    np.testing.assert_allclose(hi, [0.3662, 0.1605, 0.1611, 0.1718], atol=5e-5)
    assert lo.shape == hi.shape == (4,)


def test_agrees_with_scipy_binomtest_wilson():
    # An independent implementation (scipy.stats.binomtest(...).proportion_ci("wilson")).
    for n in (1, 2, 7, 30, 250):
        for x in range(0, n + 1, max(1, n // 7)):
            for conf in (0.8, 0.95, 0.99):
                ci = binomtest(x, n).proportion_ci(confidence_level=conf, method="wilson")
                lo, hi = wilson_interval(x, n, conf)
                assert lo == pytest.approx(ci.low, abs=1e-12)
                assert hi == pytest.approx(ci.high, abs=1e-12)


def test_exact_bounds_at_zero_and_n():
    lo, hi = wilson_interval(0, 7)
    assert lo == 0.0 and hi < 1.0
    lo, hi = wilson_interval(7, 7)
    assert hi == 1.0 and lo > 0.0
    assert isinstance(lo, float) and isinstance(hi, float)
    # Upper bound at x = 0 has the closed form z² / (n + z²) (Newcombe, 1998).
    z2 = 1.959963984540054 ** 2
    assert wilson_interval(0, 20)[1] == pytest.approx(z2 / (20 + z2), rel=1e-12)


def test_no_data_is_nan_not_zero_to_one():
    assert all(math.isnan(b) for b in wilson_interval(0, 0))
    lo, hi = wilson_intervals([3, 0, np.nan], [10, 0, np.nan])
    assert not np.isnan(lo[0]) and np.isnan(lo[1:]).all() and np.isnan(hi[1:]).all()


def test_midpoint_is_agresti_coull_centre():
    # Agresti & Coull (1998): the score interval is centred at (x + z²/2) / (n + z²),
    # i.e. roughly "add two successes and two failures" at 95 %.
    z2 = 1.959963984540054 ** 2
    lo, hi = wilson_interval(7, 50)
    assert (lo + hi) / 2 == pytest.approx((7 + z2 / 2) / (50 + z2), rel=1e-12)
    assert (lo + hi) / 2 == pytest.approx((7 + 2) / (50 + 4), abs=2e-3)


@pytest.mark.parametrize("args, message", [
    ((-1, 10), "successes must be ≥ 0"),
    ((3, -1), "n must be ≥ 0"),
    ((11, 10), "must not exceed n"),
    ((2.5, 10), "whole numbers"),
    ((1, math.inf), "finite"),
    ((1, 10, 0.0), "confidence"),
    ((1, 10, 1.0), "confidence"),
    ((1, 10, 95), "confidence"),
    ((1, 10, "high"), "confidence"),
])
def test_invalid_input_raises(args, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(*args)


def test_invalid_vector_input_names_position():
    with pytest.raises(ValueError, match="position 2"):
        wilson_intervals([1, 2, 5], [3, 4, 4])
    with pytest.raises(ValueError, match="same length"):
        wilson_intervals([1, 2], [3, 4, 5])
    with pytest.raises(ValueError, match="one count pair"):
        wilson_interval([1, 2], [3, 4])


counts = st.integers(min_value=1, max_value=5000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n)))


@settings(max_examples=200, deadline=None)
@given(counts, st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999]))
def test_bounds_in_unit_interval_and_contain_estimate(pair, conf):
    x, n = pair
    lo, hi = wilson_interval(x, n, conf)
    assert 0.0 <= lo <= x / n <= hi <= 1.0
    assert hi > lo  # never zero width, unlike the Wald interval at 0 and n


@settings(max_examples=200, deadline=None)
@given(counts)
def test_monotone_in_n_and_in_successes(pair):
    x, n = pair
    lo, hi = wilson_interval(x, n)
    lo_more_n, hi_more_n = wilson_interval(x, n + 1)  # same successes, one more trial
    assert lo_more_n <= lo + 1e-15 and hi_more_n <= hi + 1e-15
    if x < n:
        lo_more_x, hi_more_x = wilson_interval(x + 1, n)
        assert lo_more_x >= lo and hi_more_x >= hi


@settings(max_examples=100, deadline=None)
@given(counts, st.integers(min_value=2, max_value=50))
def test_narrower_with_more_data_at_same_rate(pair, k):
    x, n = pair
    lo, hi = wilson_interval(x, n)
    lo_k, hi_k = wilson_interval(k * x, k * n)
    assert hi_k - lo_k < hi - lo


@settings(max_examples=100, deadline=None)
@given(counts)
def test_symmetric_under_swapping_successes_and_failures(pair):
    x, n = pair
    lo, hi = wilson_interval(x, n)
    lo_f, hi_f = wilson_interval(n - x, n)
    assert lo == pytest.approx(1 - hi_f, abs=1e-12)
    assert hi == pytest.approx(1 - lo_f, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(counts)
def test_wider_at_higher_confidence(pair):
    x, n = pair
    lo90, hi90 = wilson_interval(x, n, 0.90)
    lo99, hi99 = wilson_interval(x, n, 0.99)
    assert lo99 <= lo90 and hi99 >= hi90
