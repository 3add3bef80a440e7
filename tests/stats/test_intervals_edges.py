"""Edges of evalkit/stats/intervals.py, pinned by hand.

Written against the surviving mutants of ``python benchmarks/mutation.py stats``
(issue 18): exact error messages, boundaries of every check (0 and 1 for a mean, 0 and
mean·(1 − mean) for a variance, a zero ``beta``), complete pooling at 0 % and 100 %, 2-D and
scalar inputs, labels taken from a Series, quantiles of the Wilson confidence
distribution, the estimator's private kernels on counts small enough to work by hand, the
analytic gradient handed to L-BFGS-B, and the Nelder-Mead fallback when L-BFGS-B fails.
No-data rows must be NaN *silently*: a caller running with warnings as errors must not
break.
"""

from __future__ import annotations

import math
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from evalkit.stats import intervals as iv
from evalkit.stats.intervals import (beta_binomial_loglik, beta_binomial_shrinkage, beta_from_mean_var,
                                     wilson_interval, wilson_intervals, wilson_limit, wilson_quantile)


def exact(message: str) -> str:
    return "^" + re.escape(message) + "$"


# --- input checks: the exact messages ------------------------------------------------------

@pytest.mark.parametrize("successes, n, message", [
    (["a"], [2], "successes must be numeric counts; got ['a']"),
    ([1], ["b"], "n must be numeric counts; got ['b']"),
    ([1, np.inf], [2, 2], "counts must be finite at position 1: successes=inf, n=2.0"),
    ([1, 1], [2, -1], "n must be ≥ 0 at position 1: successes=1.0, n=-1.0"),
    ([-1], [2], "successes must be ≥ 0 at position 0: successes=-1.0, n=2.0"),
    ([3], [2], "successes must not exceed n at position 0: successes=3.0, n=2.0"),
    ([1.5], [2], "counts must be whole numbers at position 0: successes=1.5, n=2.0"),
    (1.5, 2, "counts must be whole numbers: successes=1.5, n=2.0"),
    ([[1, 2], [3, 9]], [[2, 2], [3, 4]], "successes must not exceed n at position (1, 1): successes=9.0, n=4.0"),
])
def test_count_checks_name_the_problem_and_position(successes, n, message):
    with pytest.raises(ValueError, match=exact(message)):
        wilson_intervals(successes, n)


def test_nan_counts_are_refused_where_no_data_is_not_allowed():
    with pytest.raises(ValueError, match=exact("successes and n must not be NaN (position 1)")):
        beta_binomial_shrinkage([1, np.nan, 2], [2, 2, 2])
    with pytest.raises(ValueError, match=exact("successes and n must not be NaN")):
        beta_binomial_loglik(np.nan, 2, 1.0, 1.0)
    with pytest.raises(ValueError, match=exact("successes and n must not be NaN (position 0)")):
        beta_binomial_loglik([np.nan, 1], [2, 2], 1.0, 1.0)


def test_wilson_interval_takes_one_pair_only():
    msg = exact("wilson_interval takes one count pair; use wilson_intervals for arrays")
    for successes, n in (([1], 2), (1, [2]), ([1, 2], [3, 4])):
        with pytest.raises(ValueError, match=msg):
            wilson_interval(successes, n)


def test_beta_from_mean_var_boundaries():
    # Gelman et al. (2013, §5.1): mean 0.136, sd 0.103 → Beta(1.4, 8.6) (to one decimal):
    # α + β = 0.136·0.864/0.103² − 1 = 10.08, α = 1.37, β = 8.71
    a, b = beta_from_mean_var(0.136, 0.103 ** 2)
    assert (round(a, 1), round(b, 1)) == (1.4, 8.7)
    for mean in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match=exact(f"mean must be strictly between 0 and 1; got {mean}")):
            beta_from_mean_var(mean, 0.01)
    # mean 0.3: mean·(1 − mean) = 0.21 (not 0.3/0.7 = 0.428571, 0.3·1.3 = 0.39, 0.3·1.7 = 0.51)
    for var in (0.0, 0.21, 0.25):
        with pytest.raises(ValueError, match=exact(
                f"variance must be strictly between 0 and mean·(1 − mean) = 0.21; got {var}")):
            beta_from_mean_var(0.3, var)


@pytest.mark.parametrize("prior", [(1.0, 0.0), (0.0, 1.0), (1.0, math.inf), (-1.0, 2.0)])
def test_a_given_prior_must_be_positive_and_finite(prior):
    with pytest.raises(ValueError, match=exact(
            f"prior alpha and beta must be positive and finite; got ({float(prior[0])}, {float(prior[1])})")):
        beta_binomial_shrinkage([1, 2], [3, 4], prior=prior)


def test_shrinkage_messages():
    with pytest.raises(ValueError, match=exact("successes and n must have the same index (align them first)")):
        beta_binomial_shrinkage(pd.Series([1, 2], index=["a", "b"]), pd.Series([3, 4], index=["a", "c"]))
    with pytest.raises(ValueError, match=exact(
            "need at least two units with n > 0 to estimate the prior; got 1 — pass prior=(alpha, beta) instead")):
        beta_binomial_shrinkage([1, 0], [3, 0])


# --- silence on no-data rows -----------------------------------------------------------------

def test_no_data_rows_are_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, hi = wilson_intervals([0, 2, np.nan], [0, 4, 3])
        assert np.isnan(lo[0]) and np.isnan(hi[0]) and np.isnan(lo[2]) and np.isnan(hi[2])
        assert np.isnan(wilson_limit(0.0, 0.0, 1.96))
        # every unit without data, a given prior: each row is the prior mean 1.4/10 = 0.14
        fit = beta_binomial_shrinkage([0, 0], [0, 0], prior=(1.4, 8.6))
        assert fit.table["posterior_mean"].tolist() == pytest.approx([0.14, 0.14])
        assert fit.table["prior_only"].tolist() == [True, True]
        assert np.isnan(fit.table["raw_rate"]).all()


# --- Wilson limits and quantiles ------------------------------------------------------------

def test_wilson_median_is_the_observed_rate_even_a_hair_above_n():
    # z = 0: centre = x/n, half = 0. 3 of 10 → 0.3 exactly.
    assert wilson_quantile(3, 10, 0.5) == pytest.approx(0.3, abs=1e-15)
    # an effective count one ulp above n (x = p̂·n rounding up): p̂(1 − p̂) is −2e-16, which
    # must count as 0 (not NaN): the median is 1
    x = np.nextafter(3.0, 4.0)
    assert wilson_limit(x, 3.0, 0.0) == 1.0
    assert wilson_quantile(x, 3.0, 0.5) == 1.0


def test_wilson_quantiles_are_the_interval_and_stay_finite_at_0_and_1():
    lo, hi = wilson_interval(81, 263)  # Newcombe (1998), Table I: 0.2553 to 0.3662
    q = wilson_quantile([81, 81], [263, 263], [0.025, 0.975])
    assert q.tolist() == pytest.approx([lo, hi], abs=1e-12)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    # u = 0 and 1 are clipped to 1e-12 and 1 − 1e-12, z = ∓7.034: finite limits strictly
    # inside (0, 1) for 3 of 10 (given as whole numbers, too)
    ends = wilson_quantile(3, 10, [0, 1])
    z_lo, z_hi = special.ndtri(1e-12), special.ndtri(1 - 1e-12)
    assert ends.tolist() == pytest.approx([float(wilson_limit(3, 10, z_lo)), float(wilson_limit(3, 10, z_hi))],
                                          abs=1e-15)
    assert 0.0 < ends[0] < 0.3 < ends[1] < 1.0
    # by hand: z² = 49.48, centre = (3 + 24.74)/59.48 = 0.4664,
    # half = 7.034·√10/59.48 · √(0.21 + 49.48/40) = 0.3740 · 1.2030 = 0.4499
    assert (round(ends[0], 3), round(ends[1], 3)) == (0.017, 0.916)
    # 0 of 10 and 10 of 10: exactly 0 below and exactly 1 above
    assert wilson_quantile(0, 10, 0.0) == 0.0 and wilson_quantile(10, 10, 1.0) == 1.0
    assert np.isnan(wilson_quantile(0, 0, 0.5))


def test_wilson_quantile_increases_with_u():
    u = np.linspace(0.0, 1.0, 11)
    q = wilson_quantile(np.full(11, 4), np.full(11, 9), u)
    assert (np.diff(q) > 0).all()


# --- shrinkage: shapes, labels, complete pooling --------------------------------------------

def test_series_labels_come_from_successes_or_from_n():
    s = beta_binomial_shrinkage(pd.Series([1, 4], index=["A", "B"]), [5, 5], prior=(1.0, 1.0))
    assert s.table.index.tolist() == ["A", "B"]
    t = beta_binomial_shrinkage([1, 4], pd.Series([5, 5], index=["C", "D"]), prior=(1.0, 1.0))
    assert t.table.index.tolist() == ["C", "D"]


def test_two_dimensional_and_scalar_counts_are_flattened():
    fit = beta_binomial_shrinkage([[1, 2], [3, 4]], [[5, 5], [5, 5]], prior=(1.0, 1.0))
    # posterior mean (1 + x)/(2 + 5)
    assert fit.table["posterior_mean"].tolist() == pytest.approx([2 / 7, 3 / 7, 4 / 7, 5 / 7])
    assert fit.table.index.tolist() == [0, 1, 2, 3]
    one = beta_binomial_shrinkage(4, 14, prior=(1.4, 8.6))  # BDA3 §5.1: Beta(5.4, 18.6)
    assert one.table[["posterior_alpha", "posterior_beta"]].iloc[0].tolist() == pytest.approx([5.4, 18.6])


@pytest.mark.parametrize("method", ["mle", "moments"])
def test_complete_pooling_at_0_and_100_percent(method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 on the way (e.g. a score divided by the mean 0)
        zero = beta_binomial_shrinkage([0, 0, 0], [5, 3, 8], method=method)
        full = beta_binomial_shrinkage([5, 3, 8], [5, 3, 8], method=method)
    assert zero.complete_pooling is True
    assert (zero.alpha, zero.beta, zero.prior_mean) == (0.0, math.inf, 0.0)
    assert zero.table["posterior_alpha"].tolist() == [0.0] * 3
    assert zero.table["posterior_beta"].tolist() == [math.inf] * 3
    assert zero.table["posterior_mean"].tolist() == [0.0] * 3
    assert (full.alpha, full.beta, full.prior_mean) == (math.inf, 0.0, 1.0)
    assert full.table["posterior_alpha"].tolist() == [math.inf] * 3
    assert full.table["posterior_beta"].tolist() == [0.0] * 3
    assert full.log_likelihood == 0.0  # every unit certain at p = 1


def test_complete_pooling_posterior_columns_in_between():
    # 2 of 4 and 3 of 6: both 50 %, no spread at all → pooled 5/10, α = β = ∞
    fit = beta_binomial_shrinkage([2, 3], [4, 6])
    assert fit.complete_pooling is True
    assert fit.table["posterior_alpha"].tolist() == [math.inf, math.inf]
    assert fit.table["posterior_beta"].tolist() == [math.inf, math.inf]
    assert fit.table["weight"].tolist() == [0.0, 0.0]


def test_moments_with_single_record_units_pool_completely():
    # every unit has n = 1: ρ is not identified (denominator Σ(1 − n_i/N)(n_i − 1) = 0) → ρ = 0
    fit = beta_binomial_shrinkage([0, 1, 1], [1, 1, 1], method="moments")
    assert fit.complete_pooling is True and fit.prior_mean == pytest.approx(2 / 3)


def test_a_fitted_prior_reports_no_pooling():
    fit = beta_binomial_shrinkage([0, 1, 2], [2, 2, 2])
    assert fit.complete_pooling is False and fit.method == "mle"


# --- MLE worked by hand ------------------------------------------------------------------------

def test_mle_of_0_1_2_out_of_2_is_the_uniform_prior():
    """x = 0, 1, 2 of n = 2 each. With mean ½ and α = β = k/2 the beta-binomial gives
    P(0) = P(2) = (k + 2)/(4(k + 1)) and P(1) = k/(2(k + 1)), so the log-likelihood is
    2 log(k + 2) + log k − 3 log(k + 1) + const; its derivative 2/(k+2) + 1/k − 3/(k+1)
    = (2 − k)/(k(k+1)(k+2)) vanishes at k = 2: α = β = 1, the uniform prior, under which
    each of 0, 1, 2 has probability ⅓ (log-likelihood 3 log ⅓ = −3.2958 against the
    binomial's log(¼·½·¼) = −3.4657). The overdispersion score is
    Σ x(x−1)/(2μ) + (n−x)(n−x−1)/(2(1−μ)) − n(n−1)/2 = 2 + 2 − 3 = 1 > 0. Posterior means
    (1 + x)/(2 + 2) = ¼, ½, ¾."""
    assert iv._overdispersion_score(np.array([0., 1., 2.]), np.array([2., 2., 2.]), 0.5) == 1.0
    fit = beta_binomial_shrinkage([0, 1, 2], [2, 2, 2])
    assert fit.alpha == pytest.approx(1.0, rel=1e-7) and fit.beta == pytest.approx(1.0, rel=1e-7)
    assert fit.prior_strength == pytest.approx(2.0, rel=1e-7)
    assert fit.log_likelihood == pytest.approx(3 * math.log(1 / 3), rel=1e-12)
    assert fit.table["posterior_mean"].tolist() == pytest.approx([0.25, 0.5, 0.75], rel=1e-7)


def test_overdispersion_score_by_hand():
    # x = 0, 3 of n = 4, 4; μ = 3/8: Σ x(x−1)/(2μ) = 6/0.75 = 8; Σ (n−x)(n−x−1)/(2(1−μ)) =
    # 12/1.25 = 9.6; Σ n(n−1)/2 = 12 → 8 + 9.6 − 12 = 5.6
    got = iv._overdispersion_score(np.array([0., 3.]), np.array([4., 4.]), 3 / 8)
    assert got == pytest.approx(5.6, rel=1e-12)


def test_kleinman_moments_by_hand():
    # x = 1, 3, 6 of 10 each: p̄ = 1/3; S = 10·((0.1−⅓)² + (0.3−⅓)² + (0.6−⅓)²) = 1.26667;
    # shares 1 − 10/30 = ⅔; Σshare = 2; denominator Σ ⅔·9 = 18;
    # ρ = (S/(⅓·⅔) − 2)/18 = (5.7 − 2)/18 = 0.205556
    mean, rho = iv._moments_fit(np.array([1., 3., 6.]), np.array([10., 10., 10.]))
    assert mean == pytest.approx(1 / 3) and rho == pytest.approx(3.7 / 18, rel=1e-12)
    # x = 0, 1 of n = 2, 1: p̄ = ⅓; S = 2·⅑ + 1·(⅔)² = ⅔; shares ⅓, ⅔ (Σ 1); denominator
    # ⅓·1 + ⅔·0 = ⅓ → ρ = ((⅔)/(2/9) − 1)/(⅓) = 6
    mean, rho = iv._moments_fit(np.array([0., 1.]), np.array([2., 1.]))
    assert mean == pytest.approx(1 / 3) and rho == pytest.approx(6.0, rel=1e-12)
    # single-record units: not identified → ρ = 0
    assert iv._moments_fit(np.array([0., 1.]), np.array([1., 1.])) == (0.5, 0.0)
    # no variation possible at 0 % and 100 %
    assert iv._moments_fit(np.array([0., 0.]), np.array([3., 4.])) == (0.0, 0.0)
    assert iv._moments_fit(np.array([3., 4.]), np.array([3., 4.])) == (1.0, 0.0)


class _Recorder:
    """Stands in for scipy.optimize inside evalkit.stats.intervals: records every call and,
    with ``fail_lbfgsb``, reports L-BFGS-B as failed at its starting point."""

    def __init__(self, fail_lbfgsb: bool = False):
        self.calls = []
        self.fail_lbfgsb = fail_lbfgsb

    def minimize(self, fun, x0, **kwargs):
        self.calls.append(SimpleNamespace(fun=fun, x0=np.array(x0, dtype=float), kwargs=kwargs))
        if self.fail_lbfgsb and kwargs.get("method") == "L-BFGS-B":
            f = fun(np.asarray(x0, dtype=float))
            return SimpleNamespace(x=np.array(x0, dtype=float), fun=f[0] if isinstance(f, tuple) else f,
                                   success=False)
        return optimize.minimize(fun, x0, **kwargs)


def test_mle_starts_at_the_moment_estimate_and_its_gradient_is_right(monkeypatch):
    rec = _Recorder()
    monkeypatch.setattr(iv, "optimize", rec)
    x, m = np.array([1., 3., 6.]), np.array([10., 10., 10.])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. an unknown solver option
        mu, strength = iv._mle_fit(x, m)
    # converged by L-BFGS-B alone (no Nelder-Mead fallback)
    assert len(rec.calls) == 1
    # start: (logit p̄, log(1/ρ − 1)) with the moments above: (log ½, log(18/3.7 − 1))
    assert rec.calls[0].x0 == pytest.approx([math.log(0.5), math.log(18 / 3.7 - 1)], rel=1e-12)
    # the analytic gradient against central differences, at the start and at the optimum
    negll = rec.calls[0].fun
    for par in (rec.calls[0].x0, np.array([special.logit(mu), math.log(strength)]), np.array([0.3, -0.5])):
        f, g = negll(par)
        h = 1e-6
        fd = [(negll(par + h * e)[0] - negll(par - h * e)[0]) / (2 * h) for e in np.eye(2)]
        assert g == pytest.approx(fd, rel=1e-6, abs=1e-7)


def test_nelder_mead_takes_over_when_lbfgsb_fails(monkeypatch):
    """Forced failure of L-BFGS-B at its start point: Nelder-Mead from there must still
    find α = β = 1 for 0, 1, 2 of 2 (worked above) to 1e-7 (its own tolerances; with
    scipy's defaults it stops about 1e-4 away)."""
    rec = _Recorder(fail_lbfgsb=True)
    monkeypatch.setattr(iv, "optimize", rec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mu, strength = iv._mle_fit(np.array([0., 1., 2.]), np.array([2., 2., 2.]))
    assert [c.kwargs.get("method") for c in rec.calls] == ["L-BFGS-B", "Nelder-Mead"]
    assert mu == pytest.approx(0.5, abs=1e-7) and strength == pytest.approx(2.0, rel=1e-7)


def test_a_likelihood_gain_below_one_still_counts():
    # 0, 1, 2 of 2 gains only 0.17 over the binomial, yet the prior is fitted (not pooled)
    mu, strength = iv._mle_fit(np.array([0., 1., 2.]), np.array([2., 2., 2.]))
    assert strength == pytest.approx(2.0, rel=1e-7)
