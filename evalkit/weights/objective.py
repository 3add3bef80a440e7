"""Objective ("data-driven") weights: entropy, CRITIC, standard deviation, coefficient of variation.

Every function takes a decision matrix with *alternatives (units) in rows* and *criteria
(indicators) in columns*, as a DataFrame (weights come back as a Series indexed by the
columns) or a 2-D array (weights come back as an array). Weights are non-negative and sum
to 1.

These methods need complete data: a matrix with missing values raises ``ValueError``
naming the column, so that the choice between dropping units and imputing stays with the
analyst.

With ``verbose=True`` the entropy and CRITIC functions return their working (the tables of
each step) instead of the bare weights, for "show your working" sections of reports.

References
----------
Shannon, C. E. (1948). A mathematical theory of communication. *Bell System Technical
Journal* 27, 379–423.
Zeleny, M. (1982). *Multiple Criteria Decision Making*. McGraw-Hill (entropy weights).
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
Applications*. Springer (the entropy method).
Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in
multiple criteria problems: the CRITIC method. *Computers & Operations Research* 22(7),
763–770.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scoring.normalise import _as_table, _directions, _Shape

__all__ = [
    "CriticResult",
    "EntropyResult",
    "coefficient_of_variation_weights",
    "critic_weights",
    "entropy_weights",
    "standard_deviation_weights",
]


@dataclass(frozen=True, eq=False)
class EntropyResult:
    """Working of :func:`entropy_weights`.

    Attributes
    ----------
    weights : Series or ndarray
        ``d_j / Σ d``.
    proportions : DataFrame or ndarray
        ``p_ij = x_ij / Σ_i x_ij`` (each column sums to 1).
    entropy : Series or ndarray
        ``E_j = -(1 / ln m) Σ_i p_ij ln p_ij`` (0 ≤ E_j ≤ 1).
    divergence : Series or ndarray
        Degree of diversification ``d_j = 1 - E_j``.
    """

    weights: pd.Series | np.ndarray
    proportions: pd.DataFrame | np.ndarray
    entropy: pd.Series | np.ndarray
    divergence: pd.Series | np.ndarray


@dataclass(frozen=True, eq=False)
class CriticResult:
    """Working of :func:`critic_weights`.

    Attributes
    ----------
    weights : Series or ndarray
        ``C_j / Σ C``.
    normalised : DataFrame or ndarray
        Min-max normalised matrix on [0, 1], cost criteria reversed.
    std : Series or ndarray
        Standard deviation of each normalised column (``ddof`` as passed).
    correlation : DataFrame or ndarray
        Pearson correlation matrix of the normalised columns.
    information : Series or ndarray
        ``C_j = σ_j Σ_k (1 - r_jk)``, the information carried by criterion j.
    """

    weights: pd.Series | np.ndarray
    normalised: pd.DataFrame | np.ndarray
    std: pd.Series | np.ndarray
    correlation: pd.DataFrame | np.ndarray
    information: pd.Series | np.ndarray


def entropy_weights(matrix, *, verbose: bool = False):
    """Entropy weights: criteria on which the units differ more get more weight.

    Steps (Hwang & Yoon, 1981; Zeleny, 1982):

    1. ``p_ij = x_ij / Σ_i x_ij`` — each column as a distribution over the m units.
    2. ``E_j = -(1 / ln m) Σ_i p_ij ln p_ij`` — normalised Shannon entropy, in [0, 1].
    3. ``d_j = 1 - E_j`` — degree of diversification.
    4. ``w_j = d_j / Σ_k d_k``.

    Conventions
    -----------
    * ``p ln p`` is taken as 0 at ``p = 0`` (its limit), so zero values are allowed.
    * Values must be non-negative and no column may be all zero. The method is applied to
      the data as given: it does not use directions, and it is invariant to rescaling a
      column by a positive factor (units of measurement do not matter) but not to shifting
      it. Practice that first min-max normalises each indicator with its direction (common
      in Chinese 熵权法 applications) is obtained with
      ``entropy_weights(min_max(X, directions))``; it gives different weights.
    * Needs at least two units (``ln m > 0``). If every column is perfectly uniform the
      weights are undefined and ``ValueError`` is raised.

    Parameters
    ----------
    matrix : DataFrame or 2-D array
        Units in rows, criteria in columns; non-negative, no missing values.
    verbose : bool, default False
        Return an :class:`EntropyResult` with every intermediate table instead of the
        weights alone.

    Returns
    -------
    Series (indexed by column) or ndarray of weights summing to 1, or
    :class:`EntropyResult` when ``verbose``.
    """
    x, shape = _complete_table(matrix, "entropy weights")
    m = x.shape[0]
    if m < 2:
        raise ValueError("entropy weights need at least two units (rows)")
    if np.any(x < 0):
        j = int(np.flatnonzero(np.any(x < 0, axis=0))[0])
        raise ValueError(f"{shape.column_label(j)} has negative values; entropy weights need "
                         "non-negative data (shift or min-max normalise it first)")
    totals = x.sum(axis=0)
    if np.any(totals == 0):
        j = int(np.flatnonzero(totals == 0)[0])
        raise ValueError(f"{shape.column_label(j)} is zero for every unit; its entropy is undefined")
    p = x / totals
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)  # 0 · ln 0 = 0
    entropy = -plogp.sum(axis=0) / np.log(m)
    divergence = 1.0 - entropy
    # E_j ≤ 1 in exact arithmetic; clip rounding noise so that no weight is negative.
    total = np.clip(divergence, 0.0, None).sum()
    if not total > 1e-12:
        raise ValueError("every criterion has maximal entropy (all columns uniform across units); "
                         "entropy weights are undefined")
    w = np.clip(divergence, 0.0, None) / total
    weights = shape.per_column(w, "weight")
    if not verbose:
        return weights
    return EntropyResult(weights=weights, proportions=shape.table(p),
                         entropy=shape.per_column(entropy, "entropy"),
                         divergence=shape.per_column(divergence, "divergence"))


def critic_weights(matrix, directions=None, *, ddof: int = 1, verbose: bool = False):
    """CRITIC weights (CRiteria Importance Through Intercriteria Correlation).

    Steps (Diakoulaki, Mavrotas & Papayannakis, 1995):

    1. Min-max normalise each criterion to [0, 1] towards its ideal:
       ``r_ij = (x_ij - worst_j) / (best_j - worst_j)``, i.e. ``(x - min)/(max - min)`` for
       a benefit criterion (direction +1) and ``(max - x)/(max - min)`` for a cost
       criterion (direction −1).
    2. ``σ_j`` — standard deviation of column j of ``r`` (contrast intensity).
    3. ``r_jk`` — Pearson correlation between columns j and k of ``r`` (conflict).
    4. ``C_j = σ_j Σ_k (1 - r_jk)`` — information carried by criterion j.
    5. ``w_j = C_j / Σ_k C_k``.

    Conventions
    -----------
    * ``directions=None`` treats every criterion as a benefit (+1). Reversing a cost
      criterion changes the signs of its correlations, hence the weights: pass directions.
    * ``ddof`` (default 1, the sample standard deviation) rescales every σ_j by the same
      factor, so it does not change the weights; it only shows in the working.
    * A criterion with the same value for every unit has no contrast and no defined
      correlation; it raises ``ValueError`` (drop it before weighting). So do criteria that
      are all perfectly positively correlated (every ``C_j`` is 0). A single criterion gets
      weight 1.

    Parameters
    ----------
    matrix : DataFrame or 2-D array
        Units in rows, criteria in columns; no missing values.
    directions : None, scalar, sequence or mapping
        +1 (benefit) or −1 (cost) per criterion.
    ddof : int, default 1
    verbose : bool, default False
        Return a :class:`CriticResult` with every intermediate table.
    """
    x, shape = _complete_table(matrix, "CRITIC weights")
    if x.shape[0] < 2:
        raise ValueError("CRITIC weights need at least two units (rows)")
    d = _directions(directions, shape, x.shape[1])
    lo, hi = x.min(axis=0), x.max(axis=0)
    flat = hi == lo
    if flat.any():
        j = int(np.flatnonzero(flat)[0])
        raise ValueError(f"{shape.column_label(j)} has the same value for every unit; CRITIC is "
                         "undefined for it (drop it before weighting)")
    r = np.where(d > 0, x - lo, hi - x) / (hi - lo)
    std = r.std(axis=0, ddof=ddof)
    corr = np.corrcoef(r, rowvar=False).reshape(x.shape[1], x.shape[1])
    information = std * (1.0 - corr).sum(axis=0)
    if x.shape[1] == 1:
        w = np.ones(1)
    elif not information.sum() > 1e-12 * std.sum():
        raise ValueError("every pair of criteria is perfectly positively correlated, so no criterion "
                         "carries information of its own; CRITIC weights are undefined")
    else:
        w = information / information.sum()
    weights = shape.per_column(w, "weight")
    if not verbose:
        return weights
    return CriticResult(weights=weights, normalised=shape.table(r), std=shape.per_column(std, "std"),
                        correlation=shape.square(corr),
                        information=shape.per_column(information, "information"))


def standard_deviation_weights(matrix, *, ddof: int = 1):
    """Weights proportional to each criterion's standard deviation: ``w_j = σ_j / Σ σ``.

    Applied to the data as given, so criteria must be on comparable scales (normalise
    first, e.g. with :func:`evalkit.scoring.normalise.min_max`, if their units differ). ``ddof``
    scales every σ_j alike and does not change the weights.
    """
    x, shape = _complete_table(matrix, "standard deviation weights")
    if x.shape[0] < 2:
        raise ValueError("standard deviation weights need at least two units (rows)")
    std = _spread(x, ddof)
    if not std.sum() > 0:
        raise ValueError("every criterion has the same value for every unit; weights are undefined")
    return shape.per_column(std / std.sum(), "weight")


def coefficient_of_variation_weights(matrix, *, ddof: int = 1):
    """Weights proportional to each criterion's coefficient of variation ``v_j = σ_j / mean_j``.

    ``w_j = v_j / Σ v``. The coefficient of variation is unit-free, so raw indicators on
    different scales can be used directly, but each column's mean must be positive.
    ``ddof`` scales every v_j alike and does not change the weights.
    """
    x, shape = _complete_table(matrix, "coefficient of variation weights")
    if x.shape[0] < 2:
        raise ValueError("coefficient of variation weights need at least two units (rows)")
    mean = x.mean(axis=0)
    if np.any(mean <= 0):
        j = int(np.flatnonzero(mean <= 0)[0])
        raise ValueError(f"{shape.column_label(j)} has mean {mean[j]:g}; the coefficient of "
                         "variation needs a positive mean")
    cv = _spread(x, ddof) / mean
    if not cv.sum() > 0:
        raise ValueError("every criterion has the same value for every unit; weights are undefined")
    return shape.per_column(cv / cv.sum(), "weight")


def _spread(x: np.ndarray, ddof: int) -> np.ndarray:
    """Column standard deviations, exactly 0 for a column whose values are all equal (numpy's
    σ of [0.1, 0.1, 0.1] is 1.7e-17: the rounding noise of the mean, not a spread)."""
    return np.where(np.ptp(x, axis=0) == 0, 0.0, x.std(axis=0, ddof=ddof))


def _complete_table(matrix, what: str) -> tuple[np.ndarray, _Shape]:
    x, shape = _as_table(matrix)
    if shape.kind in ("series", "array1"):
        raise ValueError(f"{what} need a matrix with criteria in columns; got a single column")
    if x.shape[1] == 0:
        raise ValueError(f"{what} need at least one criterion (column)")
    missing = np.isnan(x)
    if missing.any():
        j = int(np.flatnonzero(missing.any(axis=0))[0])
        raise ValueError(f"{shape.column_label(j)} has {int(missing[:, j].sum())} missing value(s); "
                         f"{what} need complete data (drop or impute those units first)")
    if np.isinf(x).any():
        j = int(np.flatnonzero(np.isinf(x).any(axis=0))[0])
        raise ValueError(f"{shape.column_label(j)} has infinite values")
    return x, shape
