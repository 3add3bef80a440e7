"""Statistical kernels: uncertainty of rates from counts.

* :mod:`evalkit.stats.intervals` — Wilson score intervals (Wilson, 1927; Newcombe, 1998)
  and empirical-Bayes beta-binomial shrinkage of per-unit rates.
"""

from __future__ import annotations

from .intervals import (
    BetaBinomialShrinkage,
    beta_binomial_loglik,
    beta_binomial_shrinkage,
    beta_from_mean_var,
    wilson_interval,
    wilson_intervals,
    wilson_limit,
    wilson_quantile,
)

__all__ = [
    "BetaBinomialShrinkage",
    "beta_binomial_loglik",
    "beta_binomial_shrinkage",
    "beta_from_mean_var",
    "wilson_interval",
    "wilson_intervals",
    "wilson_limit",
    "wilson_quantile",
]
