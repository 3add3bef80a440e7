"""Control-chart limits for monthly series: XmR charts for counts and amounts, p-charts
(funnel limits) for rates with varying denominators.

Each chart has one array kernel working on many series at once — values in a
``(series, period)`` float array, NaN for a missing month — and a one-series function that
calls the same kernel and returns a tidy DataFrame (the "show your working" table).

Conventions
-----------
**XmR (individuals and moving range) chart** — Wheeler & Chambers (1992), *Understanding
Statistical Process Control*, 2nd ed.; Montgomery (2009), *Introduction to
Statistical Quality Control*, 6th ed., §6.4; NHS England & NHS Improvement (2019), *Making
data count: getting started*; R package NHSRplotthedots 0.2.2 (``ptd_spc``).

* moving range ``MR_t = |x_t − x_{t−1}|``, counted only when both ``t`` and ``t − 1`` are
  baseline points (a missing month, or a point left out of the baseline, starts afresh);
* centre = mean of the baseline points; ``MR̄`` = mean of the baseline moving ranges;
* sigma = ``MR̄ / d2`` with ``d2 = 1.128`` (:data:`D2`, the expected range of two
  independent standard normal values);
* process limits = centre ± :data:`XMR_FACTOR` × ``MR̄`` with ``XMR_FACTOR = 2.66``
  (= 3 / 1.128 = 2.6596, rounded to 2.66 as Wheeler and NHSRplotthedots do); the
  2-sigma lines (for the two-out-of-three rule) are centre ± 2/3 × 2.66 × ``MR̄``;
* limits are not clipped: a negative lower limit of a count simply cannot be crossed;
* optional screening of moving ranges (Nelson, L. S. 1982, "Control charts for individual
  measurements", *Journal of Quality Technology* 14(3), 172–173; NHSRplotthedots'
  default ``screen_outliers = TRUE``): moving ranges ≥ 3.267 × ``MR̄`` (:data:`D4`, the upper
  limit of the moving-range chart) are dropped and ``MR̄`` is recomputed once. The
  "Making Data Count" Excel tools do not screen, so it is off by default.

**p-chart with funnel limits** — Montgomery (2009) §7.2 (p-chart, variable sample size);
NIST/SEMATECH e-Handbook of Statistical Methods §6.3.3.2; Spiegelhalter, D. J. (2005),
"Funnel plots for comparing institutional performance", *Statistics in Medicine* 24,
1185–1202.

* ``p_i = numerator_i / denominator_i``;
* centre ``p̄ = Σ numerator / Σ denominator`` over the baseline points (the pooled rate,
  not the mean of the rates);
* sigma_i = ``√(p̄ (1 − p̄) / n_i)``; limits ``p̄ ± 3 sigma_i``, clipped to ``[0, 1]``
  (Montgomery: "if LCL < 0, take LCL = 0"); 2-sigma lines likewise.

**Laney p′ chart** (optional, for over-dispersed rates: large denominators whose rates vary
more from month to month than the binomial allows) — Laney, D. B. (2002), "Improved
control charts for attributes", *Quality Engineering* 14(4), 531–537; Minitab, "Methods and
formulas for Laney P′ chart": ``z_i = (p_i − p̄) / sigma_i`` over the baseline, ``sigma_z =
mean |z_i − z_{i−1}| / 1.128`` (consecutive baseline points), limits ``p̄ ± 3 sigma_i
sigma_z`` clipped to [0, 1]. With ``sigma_z = 1`` it is the p-chart.

**Baseline** — the points that form the limits. ``None`` means every observed point; an
integer ``k`` the first ``k`` observed points (later points are judged against limits fixed
from them, Montgomery's phase II); a boolean sequence names the points (e.g. leaving out
points with an assignable cause, as in Montgomery's revised limits). A point is *beyond* a
limit only when strictly beyond it (NHSRplotthedots, ``y > upl | y < lpl``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: d2 for subgroups of two: the expected range of two independent N(0, 1) values.
D2 = 1.128
#: Limits of an XmR chart: centre ± 2.66 × mean moving range (3 / d2 = 2.6596, rounded).
XMR_FACTOR = 2.66
#: D4 for subgroups of two: the upper limit of the moving-range chart is 3.267 × MR̄; the
#: screening of moving ranges drops those at or above it.
D4 = 3.267
#: Sigmas of the p-chart limits.
P_SIGMAS = 3.0


def baseline_mask(observed: np.ndarray, first: int | None = None, until: np.ndarray | None = None) -> np.ndarray:
    """Which points of each series form its limits.

    Parameters
    ----------
    observed:
        Boolean ``(series, period)`` array, True where the series has a value.
    first:
        Keep only the first ``first`` observed points of each series (None: all).
    until:
        Optional boolean ``(period,)`` array, True for the periods the baseline may use
        (e.g. periods up to a stated month).

    Returns
    -------
    Boolean ``(series, period)`` array.
    """
    observed = np.asarray(observed, dtype=bool)
    mask = observed.copy()
    if until is not None:
        mask &= np.asarray(until, dtype=bool)[None, :]
    if first is not None:
        if first < 1:
            raise ValueError(f"expected a baseline of at least 1 point; found first={first}")
        mask &= np.cumsum(mask, axis=1) <= first
    return mask


def xmr_limits(values: np.ndarray, baseline: np.ndarray, screen_moving_ranges: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Centre and mean moving range of XmR charts for many series at once.

    Parameters
    ----------
    values:
        ``(series, period)`` float array, NaN for a missing month.
    baseline:
        Boolean ``(series, period)`` array of the points that form the limits (see
        :func:`baseline_mask`); NaN values are never baseline points.
    screen_moving_ranges:
        Drop moving ranges ≥ :data:`D4` × ``MR̄`` and recompute ``MR̄`` (Nelson 1982).

    Returns
    -------
    ``(centre, mean_moving_range, baseline_points)``, each a ``(series,)`` array; centre and
    ``MR̄`` are NaN for a series with no baseline point (``MR̄`` also with a single one).
    The limits are ``centre ± XMR_FACTOR × MR̄``.
    """
    x = np.asarray(values, dtype=float)
    base = np.asarray(baseline, dtype=bool) & ~np.isnan(x)
    count = base.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.where(base, x, 0.0).sum(axis=1) / np.where(count > 0, count, np.nan)
        pair = base[:, 1:] & base[:, :-1]
        mr = np.where(pair, np.abs(np.diff(np.where(base, x, 0.0), axis=1)), 0.0)
        n_mr = pair.sum(axis=1)
        mean_mr = mr.sum(axis=1) / np.where(n_mr > 0, n_mr, np.nan)
        if screen_moving_ranges:
            pair = pair & (mr < D4 * mean_mr[:, None])
            n_mr = pair.sum(axis=1)
            mean_mr = np.where(pair, mr, 0.0).sum(axis=1) / np.where(n_mr > 0, n_mr, np.nan)
    return centre, mean_mr, count


def p_limits(numerators: np.ndarray, denominators: np.ndarray, baseline: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Pooled centre ``p̄ = Σ numerator / Σ denominator`` over the baseline points of each series.

    Returns ``(p_bar, baseline_points)``, ``(series,)`` arrays; ``p_bar`` is NaN for a series
    with no baseline point. Sigma at each point is :func:`p_sigma`.
    """
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    base = np.asarray(baseline, dtype=bool) & ~np.isnan(num) & (den > 0)
    count = base.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(base, den, 0.0).sum(axis=1)
        p_bar = np.where(base, num, 0.0).sum(axis=1) / np.where(total > 0, total, np.nan)
    return p_bar, count


def p_sigma(p_bar: np.ndarray, denominators: np.ndarray) -> np.ndarray:
    """``√(p̄ (1 − p̄) / n_i)`` for each point: ``p_bar`` is ``(series,)``, ``denominators``
    ``(series, period)``; NaN where ``n_i`` is missing or not positive."""
    den = np.asarray(denominators, dtype=float)
    p = np.asarray(p_bar, dtype=float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(p * (1.0 - p) / np.where(den > 0, den, np.nan))


def laney_sigma_z(numerators: np.ndarray, denominators: np.ndarray, p_bar: np.ndarray, baseline: np.ndarray
                  ) -> np.ndarray:
    """Laney's ``sigma_z`` of each series: the mean moving range of the baseline z-scores
    ``(p_i − p̄) / √(p̄(1 − p̄)/n_i)`` divided by 1.128 (:data:`D2`); ``(series,)`` array,
    NaN with fewer than two consecutive baseline points."""
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (num / np.where(den > 0, den, np.nan) - np.asarray(p_bar, dtype=float)[:, None]) / p_sigma(p_bar, den)
    base = np.asarray(baseline, dtype=bool) & np.isfinite(z)
    _, mean_mr, _ = xmr_limits(np.where(base, z, np.nan), base)
    return mean_mr / D2


def _baseline_argument(baseline, n: int, observed: np.ndarray) -> np.ndarray:
    if baseline is None:
        return baseline_mask(observed[None, :])[0]
    if isinstance(baseline, (int, np.integer)) and not isinstance(baseline, bool):
        return baseline_mask(observed[None, :], first=int(baseline))[0]
    mask = np.asarray(baseline, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(f"expected a baseline of {n} booleans, one a point; found shape {mask.shape}")
    return mask & observed


def _periods(periods, n: int) -> list:
    if periods is None:
        return list(range(1, n + 1))
    periods = list(periods)
    if len(periods) != n:
        raise ValueError(f"expected {n} periods, one a value; found {len(periods)}")
    return periods


def xmr_chart(values: Sequence[float], periods: Sequence | None = None, *,
              baseline: int | Sequence[bool] | None = None, screen_moving_ranges: bool = False) -> pd.DataFrame:
    """XmR chart of one series (individuals with limits from the mean moving range).

    Parameters
    ----------
    values:
        The series in time order (NaN for a missing period).
    periods:
        Labels of the points (default 1, 2, …).
    baseline:
        ``None`` (every point), the number of first points, or one boolean a point.
    screen_moving_ranges:
        Drop moving ranges ≥ 3.267 × MR̄ before the limits (Nelson 1982).

    Returns
    -------
    DataFrame, one row a point: ``period``, ``value``, ``moving_range`` (NaN at the first
    point and after a gap), ``in_baseline``, ``centre``, ``mean_moving_range``, ``sigma``
    (``MR̄ / 1.128``), ``lower``, ``upper`` (centre ∓ 2.66 MR̄), ``lower_2sigma``,
    ``upper_2sigma``.

    References
    ----------
    Wheeler & Chambers (1992); NHSRplotthedots 0.2.2 (``ptd_spc``), see the module text.
    """
    x = np.asarray(values, dtype=float)
    n = x.size
    labels = _periods(periods, n)
    base = _baseline_argument(baseline, n, ~np.isnan(x))
    centre, mean_mr, _ = xmr_limits(x[None, :], base[None, :], screen_moving_ranges)
    c, m = float(centre[0]), float(mean_mr[0])
    moving_range = np.concatenate([[np.nan], np.abs(np.diff(x))])
    return pd.DataFrame({
        "period": labels, "value": x, "moving_range": moving_range, "in_baseline": base,
        "centre": c, "mean_moving_range": m, "sigma": m / D2,
        "lower": c - XMR_FACTOR * m, "upper": c + XMR_FACTOR * m,
        "lower_2sigma": c - 2 / 3 * XMR_FACTOR * m, "upper_2sigma": c + 2 / 3 * XMR_FACTOR * m,
    })


def p_chart(numerators: Sequence[float], denominators: Sequence[float], periods: Sequence | None = None, *,
            baseline: int | Sequence[bool] | None = None, sigmas: float = P_SIGMAS,
            laney: bool = False) -> pd.DataFrame:
    """p-chart (funnel limits) of one series of rates with varying denominators.

    Parameters
    ----------
    numerators, denominators:
        Counts per point (e.g. cases handled on time, cases due); a point whose denominator
        is missing or 0 has no rate and no limits.
    periods:
        Labels of the points (default 1, 2, …).
    baseline:
        ``None`` (every point), the number of first points, or one boolean a point.
    sigmas:
        Width of the limits in sigmas (3).
    laney:
        Laney's p′ chart: sigma is multiplied by ``sigma_z`` (over-dispersion).

    Returns
    -------
    DataFrame, one row a point: ``period``, ``numerator``, ``denominator``, ``value``
    (the rate), ``in_baseline``, ``centre`` (p̄ pooled over the baseline), ``sigma_z``
    (Laney's factor; 1 for the p-chart), ``sigma`` (``√(p̄(1 − p̄)/n_i)``, times
    ``sigma_z`` for p′), ``lower``, ``upper`` (``p̄ ∓ sigmas × sigma``, clipped to
    [0, 1]), ``lower_2sigma``, ``upper_2sigma`` (clipped likewise).

    References
    ----------
    Montgomery (2009) §7.2; NIST/SEMATECH e-Handbook §6.3.3.2; Spiegelhalter (2005);
    Laney (2002) for p′.
    """
    num = np.asarray(numerators, dtype=float)
    den = np.asarray(denominators, dtype=float)
    if num.shape != den.shape:
        raise ValueError(f"expected as many denominators as numerators; found {den.size} and {num.size}")
    n = num.size
    labels = _periods(periods, n)
    has_rate = ~np.isnan(num) & (den > 0)
    base = _baseline_argument(baseline, n, has_rate)
    p_bar, _ = p_limits(num[None, :], den[None, :], base[None, :])
    sigma_z = float(laney_sigma_z(num[None, :], den[None, :], p_bar, base[None, :])[0]) if laney else 1.0
    sigma = p_sigma(p_bar, den[None, :])[0] * sigma_z
    c = float(p_bar[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(has_rate, num / np.where(den > 0, den, np.nan), np.nan)
    return pd.DataFrame({
        "period": labels, "numerator": num, "denominator": den, "value": rate, "in_baseline": base,
        "centre": c, "sigma_z": sigma_z, "sigma": sigma,
        "lower": np.clip(c - sigmas * sigma, 0.0, 1.0), "upper": np.clip(c + sigmas * sigma, 0.0, 1.0),
        "lower_2sigma": np.clip(c - 2 / 3 * sigmas * sigma, 0.0, 1.0),
        "upper_2sigma": np.clip(c + 2 / 3 * sigmas * sigma, 0.0, 1.0),
    })


#: One-sided tail probabilities of the 3-sigma and 2-sigma lines of a normal distribution:
#: the probability limits of :func:`p_probability_limits` leave as much in each tail.
TAIL_3SIGMA = 0.0013498980316301
TAIL_2SIGMA = 0.0227501319481792


def p_probability_limits(p_bar: np.ndarray, denominators: np.ndarray, tail: float = TAIL_3SIGMA
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial (probability) limits of a p-chart, as rates, for each point.

    For a point with denominator ``n_i`` the lower limit is ``k_lo / n_i`` with ``k_lo`` the
    ``tail`` quantile of Binomial(``n_i``, ``p̄``) and the upper limit ``k_hi / n_i`` with
    ``k_hi`` its ``1 − tail`` quantile; a count strictly below ``k_lo`` has ``P(X ≤ x) <
    tail``, a count strictly above ``k_hi`` has ``P(X ≥ x) ≤ tail``. With ``tail`` =
    :data:`TAIL_3SIGMA` (0.00135) the limits leave in each tail what the 3-sigma limits of
    a normal distribution leave; :data:`TAIL_2SIGMA` gives the 2-sigma lines.

    Why: the normal approximation ``p̄ ± 3√(p̄(1 − p̄)/n)`` needs ``n p̄ (1 − p̄)`` well above
    a few cases; for on-time rates near 100 % with tens of cases a month the binomial is
    skewed and the approximate lower limit is crossed far more often than 0.135 % of the
    time (two late cases out of 80 against 99.6 % "breaks" it). Probability limits keep the
    stated false-alarm rate. References: Montgomery (2009) §6.2.3 and §7.2.1 (probability
    limits); Spiegelhalter, D. J. (2005), "Funnel plots for comparing institutional
    performance", *Statistics in Medicine* 24, 1185–1202 (exact binomial funnel limits).

    ``p_bar`` is ``(series,)``, ``denominators`` ``(series, period)``; NaN where ``n_i`` is
    missing or not positive, or ``p̄`` is NaN.
    """
    from scipy.stats import binom

    den = np.asarray(denominators, dtype=float)
    p = np.broadcast_to(np.asarray(p_bar, dtype=float)[:, None], den.shape)
    ok = (den > 0) & ~np.isnan(p) & ~np.isnan(den)
    n = np.where(ok, np.rint(den), 1.0)
    q = np.where(ok, np.clip(p, 0.0, 1.0), 0.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = binom.ppf(tail, n, q) / n
        upper = binom.ppf(1.0 - tail, n, q) / n
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)
