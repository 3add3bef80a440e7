"""Uncertainty of rates built from counts: Wilson score intervals and empirical-Bayes
beta-binomial shrinkage.

Most evalkit indicators are rates ``successes / n`` (按时办结率, 满意率, …). When ``n`` is
small the raw rate is noisy: 3 of 3 is "100 %" and 0 of 1 is "0 %". The two tools here
make that visible and correctable:

* :func:`wilson_interval` / :func:`wilson_intervals` give a confidence interval for each
  unit's rate on its own (Wilson, 1927; recommended by Newcombe, 1998, and Agresti &
  Coull, 1998, over the textbook Wald interval, which collapses to zero width at 0 and n);
* :func:`beta_binomial_shrinkage` pulls each unit's rate towards the across-unit mean,
  the more so the fewer records the unit has (empirical Bayes with a beta prior).

Conventions (shared by all functions here)
------------------------------------------
* Rates are proportions in ``[0, 1]``, not per cent: multiply by 100 to match an
  indicator's ``value`` column.
* ``successes`` and ``n`` are counts: finite, whole, ``0 ≤ successes ≤ n``. A ``ValueError``
  names the first offending position otherwise.
* ``n = 0`` means "nothing to count" (status ``no_data`` in indicator output): a Wilson
  interval is then NaN, never ``[0, 1]``, and a shrunken rate is the prior mean, flagged
  ``prior_only``. NaN counts (the ``numerator``/``denominator`` of a ``no_data`` row) are
  treated like ``n = 0`` in the vectorised functions.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*Journal of the American Statistical Association* 22, 209–212.
Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
comparison of seven methods. *Statistics in Medicine* 17, 857–872.
Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for interval
estimation of binomial proportions. *The American Statistician* 52, 119–126.
Kleinman, J. C. (1973). Proportions with extraneous variance: single and independent
samples. *Journal of the American Statistical Association* 68, 46–54.
Griffiths, D. A. (1973). Maximum likelihood estimation for the beta-binomial distribution
and an application to the household distribution of the total number of cases of a
disease. *Biometrics* 29, 637–648.
Williams, D. A. (1975). The analysis of binary responses from toxicological experiments
involving reproduction and teratogenicity. *Biometrics* 31, 949–952.
Efron, B. & Morris, C. (1975). Data analysis using Stein's estimator and its
generalizations. *Journal of the American Statistical Association* 70, 311–319.
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A. & Rubin, D. B. (2013).
*Bayesian Data Analysis*, 3rd ed., section 5.1 (rat tumour example). CRC Press.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = [
    "wilson_interval",
    "wilson_intervals",
    "wilson_limit",
    "wilson_quantile",
    "beta_from_mean_var",
    "BetaBinomialShrinkage",
    "beta_binomial_shrinkage",
    "beta_binomial_loglik",
]


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------

def _check_confidence(confidence: float) -> float:
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"confidence must be a number strictly between 0 and 1; got {confidence!r}") from None
    if not (0.0 < c < 1.0):
        raise ValueError(f"confidence must be strictly between 0 and 1 (e.g. 0.95); got {confidence!r}")
    return c


def _as_float_array(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype="float64")
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric counts; got {values!r}") from None
    return arr


def _check_counts(successes, n, *, allow_nan: bool) -> tuple[np.ndarray, np.ndarray]:
    """Validate paired counts; return float arrays broadcast to a common shape."""
    x = _as_float_array(successes, "successes")
    m = _as_float_array(n, "n")
    if x.ndim and m.ndim and x.shape != m.shape:
        raise ValueError(
            f"successes and n must have the same length; got shapes {x.shape} and {m.shape}")
    try:
        x, m = np.broadcast_arrays(x, m)
    except ValueError:
        raise ValueError(
            f"successes and n must have the same length; got shapes {np.shape(x)} and {np.shape(m)}"
        ) from None
    missing = np.isnan(x) | np.isnan(m)
    if missing.any() and not allow_nan:
        where = f" (position {_first(missing)})" if missing.ndim else ""
        raise ValueError(f"successes and n must not be NaN{where}")
    ok = ~missing

    def fail(mask: np.ndarray, what: str):
        if mask.ndim == 0:
            raise ValueError(f"{what}: successes={float(x)}, n={float(m)}")
        pos = _first(mask)
        raise ValueError(f"{what} at position {pos}: successes={float(x[pos])}, n={float(m[pos])}")

    bad = ok & (np.isinf(x) | np.isinf(m))
    if bad.any():
        fail(bad, "counts must be finite")
    bad = ok & (m < 0)
    if bad.any():
        fail(bad, "n must be ≥ 0")
    bad = ok & (x < 0)
    if bad.any():
        fail(bad, "successes must be ≥ 0")
    bad = ok & (x > m)
    if bad.any():
        fail(bad, "successes must not exceed n")
    bad = ok & ((x != np.floor(x)) | (m != np.floor(m)))
    if bad.any():
        fail(bad, "counts must be whole numbers")
    return x, m


def _first(mask: np.ndarray):
    idx = np.argwhere(mask)[0]
    return int(idx[0]) if idx.size == 1 else tuple(int(i) for i in idx)


# --------------------------------------------------------------------------------------
# Wilson score interval
# --------------------------------------------------------------------------------------

def wilson_intervals(successes, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score confidence intervals for many proportions at once.

    For ``x`` successes in ``n`` trials, ``p̂ = x / n`` and ``z`` the ``(1 + confidence) / 2``
    standard-normal quantile, the interval is (Wilson, 1927; Newcombe, 1998, method 3)::

        centre ± half,  centre = (x + z²/2) / (n + z²),
        half = z · √n / (n + z²) · √(p̂ (1 − p̂) + z² / (4n)).

    It is the set of ``p`` not rejected by the score test ``|p̂ − p| ≤ z √(p (1 − p) / n)``,
    so it never leaves ``[0, 1]`` and never has zero width; its centre is pulled towards
    1/2 (Agresti & Coull, 1998). Bounds are clipped to ``[0, 1]`` and set *exactly* to 0
    when ``x = 0`` and to 1 when ``x = n`` (the formula gives them only up to rounding).

    Parameters
    ----------
    successes, n : array-like of counts
        Same length (or broadcastable); whole numbers with ``0 ≤ successes ≤ n``.
    confidence : float
        Two-sided coverage, strictly between 0 and 1 (default 0.95, ``z ≈ 1.95996``).

    Returns
    -------
    (lower, upper) : tuple of float arrays
        Same shape as the broadcast inputs; NaN where ``n = 0`` or a count is NaN.

    Raises
    ------
    ValueError
        Negative, fractional or infinite counts, ``successes > n``, or ``confidence``
        outside ``(0, 1)``.

    Examples
    --------
    Newcombe (1998), Table I: 81 of 263 → 0.2553 to 0.3662.

    >>> lo, hi = wilson_intervals([81, 0], [263, 20])
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.2553, 0.0], [0.3662, 0.1611])
    """
    c = _check_confidence(confidence)
    x, m = _check_counts(successes, n, allow_nan=True)
    z = float(stats.norm.ppf(0.5 + c / 2.0))
    return wilson_limit(x, m, -z), wilson_limit(x, m, z)


def wilson_limit(successes, n, z) -> np.ndarray:
    """The Wilson score limit of a proportion at a signed standard-normal deviate ``z``.

    ::

        p(z) = (x + z²/2) / (n + z²) + z · √n / (n + z²) · √(p̂ (1 − p̂) + z² / (4n)),  p̂ = x / n

    The one Wilson formula of evalkit: ``z = ∓1.96`` gives the bounds of the 95 %
    interval (:func:`wilson_intervals`); ``z = Φ⁻¹(u)`` the quantile ``u`` of the Wilson
    confidence distribution (:func:`wilson_quantile`). ``n`` may be fractional (an
    effective sample size, with ``x = p̂ · n``), so post-stratified rates use it too.
    The limit is clipped to ``[0, 1]`` and set exactly to 0 (for ``z < 0``) when ``x = 0``
    and to 1 (for ``z > 0``) when ``x = n`` — the closed form reaches them only up to
    rounding; NaN where ``n`` is not > 0. No input checks (callers check their counts).

    References
    ----------
    Wilson, E. B. (1927). *JASA* 22(158), 209–212. Newcombe, R. G. (1998). *Statistics in
    Medicine* 17, 857–872, method 3.
    """
    x = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    z = np.asarray(z, dtype="float64")
    z2 = z * z
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / m
        centre = (x + z2 / 2.0) / (m + z2)
        half = z * np.sqrt(m) / (m + z2) * np.sqrt(np.clip(p * (1.0 - p), 0.0, None) + z2 / (4.0 * m))
        limit = np.clip(centre + half, 0.0, 1.0)
    limit = np.where((z < 0) & (x <= 0), 0.0, limit)
    limit = np.where((z > 0) & (x >= m), 1.0, limit)
    return np.where(~(m > 0), np.nan, limit)


def wilson_quantile(successes, n, u) -> np.ndarray:
    """Quantile ``u`` of the Wilson confidence distribution of a proportion:
    :func:`wilson_limit` at ``z = Φ⁻¹(u)`` (``u`` clipped to ``[1e-12, 1 − 1e-12]``).

    It increases from 0 to 1 with ``u``; its median is ``p̂ = x/n`` and its 2.5 % and
    97.5 % quantiles are the 95 % Wilson interval, so a draw is centred on the observed
    rate and falls inside the interval 95 % of the time (what the lab's value noise draws).
    """
    from scipy.special import ndtri

    return wilson_limit(successes, n, ndtri(np.clip(np.asarray(u, dtype="float64"), 1e-12, 1 - 1e-12)))


def wilson_interval(successes, n, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for one proportion ``successes / n``; see :func:`wilson_intervals`.

    Returns ``(lower, upper)`` as Python floats; ``(nan, nan)`` when ``n = 0`` (no data —
    never reported as ``[0, 1]``). Bounds are exactly 0 at ``successes = 0`` and exactly 1
    at ``successes = n``.

    Examples
    --------
    Newcombe (1998), Table I: 15 of 148 → 0.0624 to 0.1605; 0 of 20 → 0 to 0.1611.

    >>> [round(b, 4) for b in wilson_interval(15, 148)]
    [0.0624, 0.1605]
    >>> wilson_interval(0, 20)[0]
    0.0
    """
    if np.ndim(successes) or np.ndim(n):
        raise ValueError("wilson_interval takes one count pair; use wilson_intervals for arrays")
    lower, upper = wilson_intervals(successes, n, confidence)
    return float(lower), float(upper)


# --------------------------------------------------------------------------------------
# Beta-binomial empirical Bayes
# --------------------------------------------------------------------------------------

def beta_from_mean_var(mean: float, var: float) -> tuple[float, float]:
    """Shape parameters ``(α, β)`` of the beta distribution with this mean and variance.

    ``α + β = mean (1 − mean) / var − 1``, ``α = mean (α + β)``, ``β = (1 − mean)(α + β)``
    (method of moments for a beta distribution). Used by Gelman et al. (2013, section 5.1)
    to set the rat-tumour prior from the mean 0.136 and standard deviation 0.103 of 70
    historical proportions: Beta(1.4, 8.6).

    Raises ``ValueError`` unless ``0 < mean < 1`` and ``0 < var < mean (1 − mean)``.
    """
    mean, var = float(mean), float(var)
    if not (0.0 < mean < 1.0):
        raise ValueError(f"mean must be strictly between 0 and 1; got {mean}")
    if not (0.0 < var < mean * (1.0 - mean)):
        raise ValueError(
            f"variance must be strictly between 0 and mean·(1 − mean) = {mean * (1 - mean):.6g}; got {var}"
        )
    strength = mean * (1.0 - mean) / var - 1.0
    return mean * strength, (1.0 - mean) * strength


def beta_binomial_loglik(successes, n, alpha: float, beta: float) -> float:
    """Beta-binomial marginal log-likelihood ``Σ log P(x_i | n_i, α, β)`` of all units.

    ``P(x | n, α, β) = C(n, x) · B(x + α, n − x + β) / B(α, β)`` (Williams, 1975): the
    probability of the counts when each unit's true rate is drawn from Beta(α, β). Units
    with ``n = 0`` contribute 0. Computed with ``gammaln`` so that it stays accurate for
    counts in the tens of thousands.
    """
    x, m = _check_counts(successes, n, allow_nan=False)
    return _loglik(x.ravel(), m.ravel(), float(alpha), float(beta))


def _loglik(x: np.ndarray, m: np.ndarray, a: float, b: float) -> float:
    gl = special.gammaln
    comb = gl(m + 1.0) - gl(x + 1.0) - gl(m - x + 1.0)
    return float(np.sum(comb + gl(x + a) - gl(a) + gl(m - x + b) - gl(b) - gl(m + a + b) + gl(a + b)))


def _binomial_loglik(x: np.ndarray, m: np.ndarray, p: float) -> float:
    """The ``α + β → ∞`` limit of :func:`_loglik` (every unit has the common rate ``p``)."""
    gl = special.gammaln
    comb = gl(m + 1.0) - gl(x + 1.0) - gl(m - x + 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = comb + special.xlogy(x, p) + special.xlog1py(m - x, -p)
    return float(np.sum(terms))


@dataclass(frozen=True)
class BetaBinomialShrinkage:
    """Result of :func:`beta_binomial_shrinkage`.

    Attributes
    ----------
    table : DataFrame
        One row per unit (index from the input Series, else 0..k−1) with columns

        * ``successes``, ``n``: the counts;
        * ``raw_rate``: ``successes / n`` (NaN when ``n = 0``);
        * ``posterior_mean``: ``(α + x) / (α + β + n)``, the shrunken rate;
        * ``posterior_alpha``, ``posterior_beta``: ``α + x`` and ``β + n − x``, the unit's
          posterior Beta distribution (``inf`` under complete pooling);
        * ``weight``: ``n / (α + β + n)``, the weight of the raw rate in the posterior mean
          (``posterior_mean = weight · raw_rate + (1 − weight) · prior_mean``);
        * ``prior_only``: True where ``n = 0`` (the posterior mean is the prior mean).
    alpha, beta : float
        The prior Beta(α, β) fitted across units (or given). ``inf`` (and 0 for a prior
        mean of exactly 0 or 1) under complete pooling.
    prior_mean : float
        ``α / (α + β)``, the rate every unit is pulled towards.
    prior_strength : float
        ``α + β``: the prior counts as this many records ("pseudo-observations"); ``inf``
        under complete pooling.
    method : str
        ``"mle"``, ``"moments"`` or ``"given"``.
    complete_pooling : bool
        True when the data show no between-unit variation beyond binomial noise, so every
        unit's posterior mean is the pooled rate ``Σx / Σn``.
    log_likelihood : float
        Beta-binomial log-likelihood of the counts at the fitted prior (binomial at the
        pooled rate under complete pooling).
    """

    table: pd.DataFrame
    alpha: float
    beta: float
    prior_mean: float
    prior_strength: float
    method: str
    complete_pooling: bool
    log_likelihood: float


def _moments_fit(x: np.ndarray, m: np.ndarray) -> tuple[float, float]:
    """Kleinman (1973) moment estimator with weights ``n_i``: ``(prior mean, ρ)``.

    ``p̄ = Σx / Σn`` and ``S = Σ n_i (p̂_i − p̄)²``. Under the beta-binomial model
    ``Var(p̂_i) = p(1 − p)(1 + (n_i − 1) ρ) / n_i`` with intra-unit correlation
    ``ρ = 1 / (α + β + 1)``, so ``E S = p(1 − p) Σ (1 − n_i/N)(1 + (n_i − 1) ρ)``; solving for
    ``ρ`` removes the binomial (within-unit) part of the spread of the raw rates.
    """
    total = m.sum()
    mean = x.sum() / total
    if mean <= 0.0 or mean >= 1.0:
        return mean, 0.0
    p = x / m
    s = float(np.sum(m * (p - mean) ** 2))
    share = 1.0 - m / total
    denom = float(np.sum(share * (m - 1.0)))
    if denom <= 0.0:  # every unit has a single record: ρ is not identified
        return mean, 0.0
    rho = (s / (mean * (1.0 - mean)) - float(np.sum(share))) / denom
    return mean, rho


def _overdispersion_score(x: np.ndarray, m: np.ndarray, mean: float) -> float:
    """Derivative of the log-likelihood in ``θ = 1/(α+β)`` at ``θ = 0`` and the pooled rate.

    Writing ``P(x | n) ∝ Π_{k<x}(μ + kθ) Π_{k<n−x}(1 − μ + kθ) / Π_{k<n}(1 + kθ)`` (Williams,
    1975) gives ``Σ [x(x−1)/(2μ) + (n−x)(n−x−1)/(2(1−μ)) − n(n−1)/2]``. It is ≤ 0 when the
    raw rates vary no more than binomial noise explains (a Tarone-type statistic); then
    ``θ = 0`` is a maximum of the likelihood along ``θ`` and is taken as the estimate:
    complete pooling.
    """
    return float(np.sum(x * (x - 1) / (2 * mean) + (m - x) * (m - x - 1) / (2 * (1 - mean)) - m * (m - 1) / 2))


_MAX_STRENGTH = 1e9  # α + β beyond this is indistinguishable from complete pooling
_MIN_STRENGTH = 1e-8


def _mle_fit(x: np.ndarray, m: np.ndarray) -> tuple[float, float] | None:
    """Maximise the beta-binomial marginal likelihood over (prior mean, α + β).

    Parametrised as ``(logit μ, log(α + β))`` so the search is unconstrained. Returns
    ``(μ, α + β)``, or ``None`` when the maximum is at ``α + β = ∞`` (complete pooling).
    """
    pooled = x.sum() / m.sum()
    if _overdispersion_score(x, m, pooled) <= 0.0:
        return None
    mean0, rho0 = _moments_fit(x, m)
    rho0 = min(max(rho0, 1e-4), 0.9)
    start = np.array([special.logit(min(max(mean0, 1e-6), 1 - 1e-6)), math.log(1.0 / rho0 - 1.0)])
    lo, hi = math.log(_MIN_STRENGTH), math.log(_MAX_STRENGTH)

    def negll(par: np.ndarray) -> tuple[float, np.ndarray]:
        mu = float(special.expit(par[0]))
        k = math.exp(min(max(par[1], lo), hi))
        a, b = mu * k, (1.0 - mu) * k
        # Gradient by the chain rule from ∂ℓ/∂α = Σ ψ(x+α) − ψ(α) − ψ(n+α+β) + ψ(α+β), etc.
        dg = special.digamma
        common = float(np.sum(dg(a + b) - dg(m + a + b)))
        da = float(np.sum(dg(x + a) - dg(a))) + common
        db = float(np.sum(dg(m - x + b) - dg(b))) + common
        grad = np.array([k * mu * (1.0 - mu) * (da - db), a * da + b * db])
        return -_loglik(x, m, a, b), -grad

    best = optimize.minimize(negll, start, jac=True, method="L-BFGS-B", bounds=[(-30.0, 30.0), (lo, hi)],
                             options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 500})
    if not best.success:
        alt = optimize.minimize(lambda p: negll(p)[0], best.x, method="Nelder-Mead",
                                options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})
        if alt.fun <= best.fun:
            best = alt
    mu = float(special.expit(best.x[0]))
    strength = float(math.exp(min(max(best.x[1], lo), hi)))
    if strength >= _MAX_STRENGTH * 0.999 or -best.fun <= _binomial_loglik(x, m, pooled) + 1e-9:
        return None
    return mu, strength


def beta_binomial_shrinkage(successes, n, *, method: str = "mle",
                            prior: tuple[float, float] | None = None) -> BetaBinomialShrinkage:
    """Shrink per-unit rates towards the across-unit mean (empirical-Bayes beta-binomial).

    Model: unit ``i`` has true rate ``p_i ~ Beta(α, β)`` and ``x_i ~ Binomial(n_i, p_i)``.
    ``α, β`` are estimated from all units together ("empirical Bayes"), then each unit's
    rate is estimated by its posterior mean::

        (α + x_i) / (α + β + n_i) = w_i · x_i / n_i + (1 − w_i) · α / (α + β),
        w_i = n_i / (α + β + n_i).

    A unit with many records keeps (almost) its own rate; one with few records is pulled
    towards the mean ``α / (α + β)``; one with none gets the mean (``prior_only``). This is
    the binomial analogue of the James–Stein / Efron & Morris (1975) shrinkage of batting
    averages; Efron & Morris work on the normal (arcsine) scale with equal ``n``, this
    function on the count scale with unequal ``n``.

    Estimators of ``(α, β)``
    ------------------------
    ``method="mle"`` (default)
        Maximises the beta-binomial marginal likelihood
        ``Σ log [B(x_i + α, n_i − x_i + β) / B(α, β)]`` (Williams, 1975; Griffiths, 1973)
        with ``scipy.optimize`` over ``(logit mean, log(α + β))``, started at the moment
        estimate. Weights units properly by their size; the default.
    ``method="moments"``
        Kleinman's (1973) moment estimator with weights ``n_i`` and the binomial-variance
        correction: the spread of the raw rates minus the part that binomial noise alone
        would produce (see ``_moments_fit``). Closed form, no optimiser. It is *not* the
        naive beta fit to the raw rates (:func:`beta_from_mean_var` of their mean and
        variance, as in Gelman et al., 2013, section 5.1), which ignores binomial noise and
        so under-shrinks.
    ``prior=(α, β)``
        Use a given prior instead of fitting one (e.g. last year's, or a published one);
        ``method`` is then reported as ``"given"``.

    Degenerate cases
    ----------------
    * No between-unit variation beyond binomial noise (moment estimate ``ρ ≤ 0``, or the
      likelihood increasing all the way to ``α + β = ∞``): **complete pooling** — every unit
      gets the pooled rate ``Σx / Σn``, ``alpha = beta = inf``, ``complete_pooling=True``.
      This includes every unit at 100 % (or 0 %), common for 效能 on-time rates.
    * A moment estimate ``ρ ≥ 1`` (units are all-or-nothing) would mean no shrinkage; it is
      capped at ``α + β = 1e-8``.
    * Fewer than two units with ``n > 0``: the prior cannot be estimated; pass ``prior``.

    Parameters
    ----------
    successes, n : array-like or Series of counts
        Same length; whole numbers, ``0 ≤ successes ≤ n``. If ``successes`` is a Series,
        its index labels the output rows (e.g. ``unit_id``).
    method : {"mle", "moments"}
        Estimator of the prior when ``prior`` is not given.
    prior : (α, β), optional
        A fixed prior; both must be positive and finite.

    Returns
    -------
    BetaBinomialShrinkage
        The per-unit table and the prior; see its docstring for the columns.

    Raises
    ------
    ValueError
        Invalid counts (see the module conventions), an unknown ``method``, an invalid
        ``prior``, or too few units with data to fit a prior.

    Examples
    --------
    Gelman et al. (2013, section 5.1): with the prior Beta(1.4, 8.6) fitted to 70 historical
    rat experiments, the current experiment (4 tumours in 14 rats) has posterior
    Beta(5.4, 18.6), mean 0.225.

    >>> fit = beta_binomial_shrinkage([4], [14], prior=(1.4, 8.6))
    >>> row = fit.table.iloc[0]
    >>> [round(float(v), 3) for v in row[["posterior_alpha", "posterior_beta", "posterior_mean"]]]
    [5.4, 18.6, 0.225]
    """
    index = successes.index if isinstance(successes, pd.Series) else (
        n.index if isinstance(n, pd.Series) else None)
    if isinstance(successes, pd.Series) and isinstance(n, pd.Series) and not successes.index.equals(n.index):
        raise ValueError("successes and n must have the same index (align them first)")
    x, m = _check_counts(successes, n, allow_nan=False)
    if x.ndim != 1:
        x, m = x.ravel(), m.ravel()
    if index is None or len(index) != len(x):
        index = pd.RangeIndex(len(x))
    if method not in ("mle", "moments"):
        raise ValueError(f"method must be 'mle' or 'moments'; got {method!r}")

    has = m > 0
    pooled = float(x[has].sum() / m[has].sum()) if has.any() else math.nan
    complete = False
    if prior is not None:
        a, b = _check_prior(prior)
        mean, strength, used = a / (a + b), a + b, "given"
    else:
        if has.sum() < 2:
            raise ValueError(
                "need at least two units with n > 0 to estimate the prior; "
                f"got {int(has.sum())} — pass prior=(alpha, beta) instead"
            )
        used = method
        xs, ms = x[has], m[has]
        if pooled in (0.0, 1.0):
            fit = None  # every record a failure (or a success): nothing varies
        elif method == "moments":
            mu, rho = _moments_fit(xs, ms)
            fit = None if rho <= 0.0 else (mu, max(1.0 / min(rho, 1.0) - 1.0, _MIN_STRENGTH))
        else:
            fit = _mle_fit(xs, ms)
        if fit is None:
            complete, mean, strength = True, pooled, math.inf
        else:
            mean, strength = fit

    if complete:
        a = math.inf if mean > 0 else 0.0
        b = math.inf if mean < 1 else 0.0
        post_mean = np.full(len(x), mean)
        weight = np.zeros(len(x))
        post_a = np.full(len(x), a)
        post_b = np.full(len(x), b)
        loglik = _binomial_loglik(x, m, mean)
    else:
        a, b = mean * strength, (1.0 - mean) * strength
        post_a = a + x
        post_b = b + m - x
        post_mean = post_a / (post_a + post_b)
        weight = m / (strength + m)
        loglik = _loglik(x, m, a, b)

    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(has, x / np.where(has, m, 1.0), np.nan)
    table = pd.DataFrame({
        "successes": x,
        "n": m,
        "raw_rate": raw,
        "posterior_mean": post_mean,
        "posterior_alpha": post_a,
        "posterior_beta": post_b,
        "weight": weight,
        "prior_only": ~has,
    }, index=index)
    return BetaBinomialShrinkage(
        table=table, alpha=float(a), beta=float(b), prior_mean=float(mean),
        prior_strength=float(strength), method=used, complete_pooling=complete,
        log_likelihood=loglik,
    )


def _check_prior(prior) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in prior)
    except (TypeError, ValueError):
        raise ValueError(f"prior must be a pair (alpha, beta) of positive numbers; got {prior!r}") from None
    if not (a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"prior alpha and beta must be positive and finite; got ({a}, {b})")
    return a, b
