"""Empirical-Bayes beta-binomial shrinkage, pinned to the rat-tumour example.

Data: Gelman, Carlin, Stern, Dunson, Vehtari & Rubin (2013), *Bayesian Data Analysis*,
3rd ed., Table 5.1 — 70 historical control groups of female F344 rats (y tumours of n
rats) and the current group, 4 of 14 (originally Tarone, 1982). Copied from the PyMC
example "Hierarchical Binomial Model: Rat Tumor Example" (rat data, BDA3 p. 102).

Which estimator reproduces which published number:

* BDA3 §5.1 fits the prior *crudely*, by matching a beta distribution to the mean (0.136)
  and standard deviation (0.103) of the 70 raw proportions: Beta(1.4, 8.6). That is
  :func:`beta_from_mean_var` on the raw rates (no binomial-noise correction), and the
  posterior for the current group is then Beta(5.4, 18.6).
* The type-II maximum-likelihood fit on the same 70 groups, R package BayesGOF
  ``gMLE.bb(rat$y, rat$n)`` (Mukhopadhyay & Fletcher, 2018, "Generalized empirical Bayes
  modeling via frequentist goodness of fit", Scientific Reports 8, 9983; package vignette),
  is ``alpha = 2.304768, beta = 14.079707``: our ``method="mle"``. (R's ``optim`` stops
  about 1e-5 short of the exact optimum, 2.304783 / 14.079807, hence ``rel=1e-4``.)
* Our ``method="moments"`` (Kleinman, 1973, with the binomial correction) has no published
  counterpart here; it is checked against its defining moment equation instead.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.stats import (
    beta_binomial_loglik,
    beta_binomial_shrinkage,
    beta_from_mean_var,
)

RAT_Y = np.array([
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 5, 2,
    5, 3, 2, 7, 7, 3, 3, 2, 9, 10, 4, 4, 4, 4, 4, 4, 4,
    10, 4, 4, 4, 5, 11, 12, 5, 5, 6, 5, 6, 6, 6, 6, 16, 15,
    15, 9, 4])
RAT_N = np.array([
    20, 20, 20, 20, 20, 20, 20, 19, 19, 19, 19, 18, 18, 17, 20, 20, 20,
    20, 19, 19, 18, 18, 25, 24, 23, 20, 20, 20, 20, 20, 20, 10, 49, 19,
    46, 27, 17, 49, 47, 20, 20, 13, 48, 50, 20, 20, 20, 20, 20, 20, 20,
    48, 19, 19, 19, 22, 46, 49, 20, 20, 23, 19, 22, 20, 20, 20, 52, 46,
    47, 24, 14])
HIST_Y, HIST_N = RAT_Y[:70], RAT_N[:70]


def test_bda3_crude_moment_prior_from_raw_rates():
    rates = HIST_Y / HIST_N
    assert rates.mean() == pytest.approx(0.136, abs=5e-4)
    assert rates.std(ddof=1) == pytest.approx(0.103, abs=5e-4)
    a, b = beta_from_mean_var(rates.mean(), rates.var(ddof=1))
    assert (round(a, 1), round(b, 1)) == (1.4, 8.6)


def test_bda3_posterior_of_current_experiment():
    fit = beta_binomial_shrinkage(RAT_Y, RAT_N, prior=(1.4, 8.6))
    current = fit.table.iloc[70]
    assert (current.successes, current.n) == (4, 14)
    assert current.posterior_alpha == pytest.approx(5.4)
    assert current.posterior_beta == pytest.approx(18.6)
    assert current.posterior_mean == pytest.approx(5.4 / 24)
    assert fit.method == "given" and not fit.complete_pooling


def test_mle_matches_bayesgof_gmle_bb_on_rat_data():
    fit = beta_binomial_shrinkage(HIST_Y, HIST_N)  # method="mle" is the default
    assert fit.method == "mle" and not fit.complete_pooling
    assert fit.alpha == pytest.approx(2.304768, rel=1e-4)
    assert fit.beta == pytest.approx(14.079707, rel=1e-4)
    # The fitted prior maximises the beta-binomial likelihood computed independently by scipy.
    best = stats.betabinom.logpmf(HIST_Y, HIST_N, fit.alpha, fit.beta).sum()
    assert fit.log_likelihood == pytest.approx(best, rel=1e-12)
    for da, db in [(0.05, 0), (-0.05, 0), (0, 0.3), (0, -0.3), (0.05, 0.3), (-0.05, -0.3)]:
        assert stats.betabinom.logpmf(HIST_Y, HIST_N, fit.alpha + da, fit.beta + db).sum() < best


def test_loglik_agrees_with_scipy_betabinom():
    for a, b in [(0.5, 0.5), (2.3, 14.1), (40.0, 3.0)]:
        expected = stats.betabinom.logpmf(RAT_Y, RAT_N, a, b).sum()
        assert beta_binomial_loglik(RAT_Y, RAT_N, a, b) == pytest.approx(expected, rel=1e-12)


def test_moments_solve_the_kleinman_moment_equation():
    fit = beta_binomial_shrinkage(HIST_Y, HIST_N, method="moments")
    total = HIST_N.sum()
    mean = HIST_Y.sum() / total
    rho = 1.0 / (fit.alpha + fit.beta + 1.0)
    assert fit.prior_mean == pytest.approx(mean)
    observed = np.sum(HIST_N * (HIST_Y / HIST_N - mean) ** 2)
    expected = mean * (1 - mean) * np.sum((1 - HIST_N / total) * (1 + (HIST_N - 1) * rho))
    assert observed == pytest.approx(expected, rel=1e-10)
    # Removing the binomial noise leaves less between-group spread than the crude BDA3 fit
    # assumed (α + β = 10.0), so the corrected prior is stronger and shrinks more.
    assert fit.prior_strength > 1.4 + 8.6


def test_table_columns_and_identities():
    units = pd.Index([f"U{i:02d}" for i in range(71)], name="unit_id")
    fit = beta_binomial_shrinkage(pd.Series(RAT_Y, index=units), pd.Series(RAT_N, index=units))
    t = fit.table
    assert list(t.columns) == ["successes", "n", "raw_rate", "posterior_mean", "posterior_alpha",
                               "posterior_beta", "weight", "prior_only"]
    assert t.index.equals(units)
    np.testing.assert_allclose(t.posterior_mean,
                               t.weight * t.raw_rate + (1 - t.weight) * fit.prior_mean, rtol=1e-12)
    np.testing.assert_allclose(t.weight, t.n / (fit.prior_strength + t.n))
    assert fit.prior_mean == pytest.approx(fit.alpha / (fit.alpha + fit.beta))


def test_unit_without_data_gets_prior_mean_and_is_flagged():
    fit = beta_binomial_shrinkage([3, 9, 0, 14, 2], [10, 12, 0, 20, 15])
    row = fit.table.iloc[2]
    assert bool(row.prior_only) and math.isnan(row.raw_rate)
    assert row.posterior_mean == pytest.approx(fit.prior_mean)
    assert row.weight == 0
    assert fit.table.prior_only.sum() == 1


@pytest.mark.parametrize("method", ["mle", "moments"])
def test_all_units_at_100_percent_is_complete_pooling(method):
    # Common in 效能 data (e.g. every 街镇 closed every ticket on time).
    fit = beta_binomial_shrinkage([120, 45, 3, 0], [120, 45, 3, 0], method=method)
    assert fit.complete_pooling and fit.prior_mean == 1.0
    assert fit.alpha == math.inf and fit.beta == 0.0
    assert (fit.table.posterior_mean == 1.0).all()


@pytest.mark.parametrize("method", ["mle", "moments"])
def test_no_between_unit_variance_is_complete_pooling(method):
    # Identical raw rates: all spread is binomial noise, so every unit gets the pooled rate.
    fit = beta_binomial_shrinkage([9, 18, 45, 90], [10, 20, 50, 100], method=method)
    assert fit.complete_pooling and math.isinf(fit.prior_strength)
    assert fit.prior_mean == pytest.approx(162 / 180)
    np.testing.assert_allclose(fit.table.posterior_mean, 0.9)
    assert (fit.table.weight == 0).all()
    expected = stats.binom.logpmf([9, 18, 45, 90], [10, 20, 50, 100], 0.9).sum()
    assert fit.log_likelihood == pytest.approx(expected)


def test_large_counts_are_handled():
    # 街镇 handle 6k–25k tickets a year with on-time rates near 99 % (domain brief §4.3).
    rng = np.random.default_rng(7)
    n = rng.integers(6000, 25000, 13)
    x = rng.binomial(n, rng.beta(400, 4, 13))
    for method in ("mle", "moments"):
        fit = beta_binomial_shrinkage(x, n, method=method)
        assert 0.97 < fit.prior_mean < 1.0 and fit.prior_strength > 10
        assert np.isfinite(fit.table.posterior_mean).all()


@pytest.mark.parametrize("kwargs, message", [
    (dict(successes=[1, 2], n=[3]), "same length"),
    (dict(successes=[4, 2], n=[3, 5]), "must not exceed n"),
    (dict(successes=[-1, 2], n=[3, 5]), "≥ 0"),
    (dict(successes=[1.5, 2], n=[3, 5]), "whole numbers"),
    (dict(successes=[np.nan, 2], n=[3, 5]), "NaN"),
    (dict(successes=[1, 2], n=[3, 5], method="bayes"), "method"),
    (dict(successes=[1, 0], n=[3, 0]), "at least two units with n > 0"),
    (dict(successes=[1, 2], n=[3, 5], prior=(0, 1)), "positive"),
    (dict(successes=[1, 2], n=[3, 5], prior=(1,)), "pair"),
])
def test_invalid_input_raises(kwargs, message):
    with pytest.raises(ValueError, match=message):
        beta_binomial_shrinkage(**kwargs)


def test_misaligned_series_raise():
    with pytest.raises(ValueError, match="same index"):
        beta_binomial_shrinkage(pd.Series([1, 2], index=["a", "b"]), pd.Series([3, 4], index=["b", "a"]))


def test_beta_from_mean_var_rejects_impossible_moments():
    with pytest.raises(ValueError, match="mean"):
        beta_from_mean_var(1.2, 0.01)
    with pytest.raises(ValueError, match="variance"):
        beta_from_mean_var(0.5, 0.3)


units = st.lists(
    st.integers(min_value=1, max_value=400).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))),
    min_size=2, max_size=25)


@settings(max_examples=30, deadline=None)
@given(units, st.sampled_from(["mle", "moments"]))
def test_posterior_between_raw_rate_and_prior_mean(data, method):
    x, n = (np.array(v) for v in zip(*data))
    fit = beta_binomial_shrinkage(x, n, method=method)
    t = fit.table
    lo = np.minimum(t.raw_rate, fit.prior_mean) - 1e-12
    hi = np.maximum(t.raw_rate, fit.prior_mean) + 1e-12
    assert ((t.posterior_mean >= lo) & (t.posterior_mean <= hi)).all()
    assert ((t.weight >= 0) & (t.weight <= 1)).all()
    assert 0.0 <= fit.prior_mean <= 1.0


@settings(max_examples=30, deadline=None)
@given(units, st.sampled_from(["mle", "moments"]), st.integers(min_value=2, max_value=20))
def test_smaller_units_are_shrunk_more(data, method, k):
    # Append a copy of the first unit scaled up k-fold: same raw rate, more records.
    x, n = (list(v) for v in zip(*data))
    x.append(x[0] * k)
    n.append(n[0] * k)
    fit = beta_binomial_shrinkage(x, n, method=method)
    t = fit.table
    assume(not fit.complete_pooling)
    small, large = t.iloc[0], t.iloc[-1]
    assert small.weight < large.weight
    assert abs(small.posterior_mean - fit.prior_mean) <= abs(large.posterior_mean - fit.prior_mean) + 1e-12


@settings(max_examples=100, deadline=None)
@given(st.floats(0.2, 50), st.floats(0.2, 50), st.integers(1, 500), st.floats(0, 1))
def test_given_prior_shrinkage_decreases_with_n(a, b, n, share):
    x = int(round(share * n))
    fit = beta_binomial_shrinkage([x, 2 * x, 10 * x], [n, 2 * n, 10 * n], prior=(a, b))
    dist = (fit.table.posterior_mean - fit.prior_mean).abs().to_numpy()
    assert dist[0] <= dist[1] + 1e-12 <= dist[2] + 2e-12
