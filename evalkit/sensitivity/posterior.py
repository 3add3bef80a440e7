"""Data uncertainty of rates of records: the Jeffreys posterior of a binomial proportion.

The ``jeffreys`` alternative of the scoring model's ``values`` step
(:class:`~evalkit.scoring.model.ScoringModel`, drawn by
:class:`~evalkit.sensitivity.specs.IndicatorValueNoise`) replaces each rate of records
``x / n`` (``x`` = the numerator, the records that met the standard; ``n`` = the
denominator) by a draw from its posterior under the Jeffreys prior:

    p | x, n ~ Beta(x + 1/2, n − x + 1/2)      (prior Beta(1/2, 1/2))

with posterior mean ``(x + 1/2) / (n + 1)``. A unit at 100 % of 3 cases has posterior
mean 87.5 % and a unit at 100 % of 500 cases 99.9 %: both can move, by as much as their
counts allow, and every unit — not only those at 0 % or 100 % — is drawn by the same rule,
so the ranks that result compare the units' posteriors (Goldstein & Spiegelhalter, 1996).
The Wilson confidence distribution the lab also offers (``wilson``) has its median at the
observed rate, so a rate at 100 % can only be redrawn downwards while the others move
both ways — a systematic bias against the units at the ceiling; the posterior has no such
asymmetry between units (all of them are pulled towards 1/2 by half a case each way).

Conventions
-----------
* Proportions are in ``[0, 1]``; a caller whose values are in per cent multiplies by 100
  (:class:`~evalkit.sensitivity.specs.IndicatorValueNoise` keeps each value on its own
  scale).
* ``successes`` and ``n`` are counts, ``0 ≤ successes ≤ n``, ``n > 0`` (fractional counts —
  effective sample sizes — are allowed); NaN elsewhere.
* Draws are inverse-CDF draws from uniforms ``u`` (:func:`jeffreys_quantile`), so the same
  uniforms give the same values, the draws are vectorised over replications (``u`` of
  shape ``(R, cells)`` against counts of shape ``(cells,)``), and Sobol' points can drive
  them like any other factor. The seed is that of the analysis that makes the uniforms
  (:func:`~evalkit.sensitivity.uncertainty_analysis`).
* Every unit's rate is drawn independently of the others' (its own posterior); that is
  what a posterior distribution of ranks needs. One shared uniform for all units would keep
  units with equal counts tied and hide the uncertainty between them.
* :func:`jeffreys_interval` is the equal-tailed interval with Brown, Cai & DasGupta's
  boundary modification (lower bound 0 at ``x = 0``, upper bound 1 at ``x = n``), which
  keeps the coverage near the nominal level at the ends.

References
----------
Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
proportion. *Statistical Science* 16(2), 101–133 (section 4.1.2, the Jeffreys interval).
Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their limitations:
statistical issues in comparisons of institutional performance. *Journal of the Royal
Statistical Society A* 159(3), 385–443.
Jeffreys, H. (1946). An invariant form for the prior probability in estimation problems.
*Proceedings of the Royal Society A* 186, 453–461.
"""

from __future__ import annotations

import numpy as np

__all__ = ["JEFFREYS_PRIOR", "jeffreys_interval", "jeffreys_mean", "jeffreys_quantile"]

#: The Jeffreys prior of a binomial proportion: Beta(1/2, 1/2).
JEFFREYS_PRIOR: tuple[float, float] = (0.5, 0.5)


def _counts(successes, n) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    ok = np.isfinite(x) & np.isfinite(m) & (m > 0) & (x >= 0) & (x <= m)
    return np.where(ok, x, np.nan), np.where(ok, m, np.nan)


def jeffreys_quantile(successes, n, u) -> np.ndarray:
    """Quantile ``u`` of the Jeffreys posterior ``Beta(x + 1/2, n − x + 1/2)`` of a proportion.

    Parameters
    ----------
    successes, n : array_like
        Counts (broadcast against ``u``); NaN (and impossible counts: ``n ≤ 0``,
        ``x < 0``, ``x > n``) give NaN.
    u : array_like
        Uniforms in ``[0, 1]``: ``u`` drawn uniformly gives posterior draws.

    Returns
    -------
    ndarray
        Proportions in ``[0, 1]``, increasing in ``u``; broadcast shape of the inputs.
    """
    from scipy.special import betaincinv

    x, m = _counts(successes, n)
    a0, b0 = JEFFREYS_PRIOR
    return betaincinv(x + a0, m - x + b0, np.asarray(u, dtype="float64"))


def jeffreys_mean(successes, n) -> np.ndarray:
    """The posterior mean ``(x + 1/2) / (n + 1)``."""
    x, m = _counts(successes, n)
    a0, b0 = JEFFREYS_PRIOR
    return (x + a0) / (m + a0 + b0)


def jeffreys_interval(successes, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The equal-tailed Jeffreys interval (Brown, Cai & DasGupta, 2001, section 4.1.2).

    The ``(1 − α)/2`` … ``(1 + α)/2`` quantiles of the posterior, except that the lower
    bound is 0 when ``x = 0`` and the upper bound 1 when ``x = n``.

    Returns
    -------
    (lower, upper) : ndarrays of proportions; NaN where the counts are not valid.
    """
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence must lie in (0, 1); got {confidence!r}")
    x, m = _counts(successes, n)
    lo = jeffreys_quantile(x, m, (1.0 - c) / 2.0)
    hi = jeffreys_quantile(x, m, (1.0 + c) / 2.0)
    lo = np.where(x == 0, 0.0, lo)
    hi = np.where(x == m, 1.0, hi)
    return np.where(np.isnan(x), np.nan, lo), np.where(np.isnan(x), np.nan, hi)
