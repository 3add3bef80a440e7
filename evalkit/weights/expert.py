"""Subjective weights set directly: equal weights and expert point allocation.

Weights come back as a Series when criteria are named (a mapping, Series or DataFrame was
given, or a list of names for :func:`equal_weights`) and as an array otherwise; they are
non-negative and sum to 1.

References
----------
Nardo, M. et al. (2008). *Handbook on Constructing Composite Indicators*. OECD/JRC,
step 6, weighting ("budget allocation process": experts distribute a budget of points over
the indicators).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["equal_weights", "points_to_weights"]


def equal_weights(criteria):
    """Equal weights ``1/n`` for ``n`` criteria.

    Parameters
    ----------
    criteria : int, sequence of names, Index, or DataFrame
        The number of criteria, their names, or a decision matrix whose columns are the
        criteria.

    Returns
    -------
    ndarray for an int; otherwise a Series indexed by the criterion names.
    """
    if isinstance(criteria, pd.DataFrame):
        names = list(criteria.columns)
    elif isinstance(criteria, (int, np.integer)):
        if criteria < 1:
            raise ValueError(f"need at least one criterion; got {criteria}")
        return np.full(int(criteria), 1.0 / int(criteria))
    else:
        names = list(criteria)
    if not names:
        raise ValueError("need at least one criterion")
    if len(set(names)) != len(names):
        raise ValueError(f"criterion names must be unique; got {names}")
    return pd.Series(1.0 / len(names), index=pd.Index(names), name="weight")


def points_to_weights(points):
    """Weights from points allocated by experts (budget allocation): ``w_j = p_j / Σ p``.

    Parameters
    ----------
    points : mapping, Series, sequence, DataFrame or 2-D array
        One expert's points per criterion (e.g. ``{"办件时效": 30, "群众满意度": 50, ...}``),
        or a table with one row per expert and one column per criterion. With several
        experts each expert's points are first turned into weights (so an expert who
        hands out 120 points counts as much as one who hands out 100) and the group
        weight is the arithmetic mean of the experts' weights.

    Returns
    -------
    Series (named criteria) or ndarray, non-negative, summing to 1.

    Raises
    ------
    ValueError
        If any points are negative or missing, or an expert gives no points at all.
    """
    if isinstance(points, Mapping):
        points = pd.Series(points, dtype="float64")
    if isinstance(points, pd.Series):
        return pd.Series(_normalise_rows(points.to_numpy(dtype=float)[None, :], [points.name])[0],
                         index=points.index, name="weight")
    if isinstance(points, pd.DataFrame):
        w = _normalise_rows(points.to_numpy(dtype=float), list(points.index))
        return pd.Series(w.mean(axis=0), index=points.columns, name="weight")
    arr = np.asarray(points, dtype=float)
    if arr.ndim == 1:
        return _normalise_rows(arr[None, :], [None])[0]
    if arr.ndim == 2:
        return _normalise_rows(arr, list(range(arr.shape[0]))).mean(axis=0)
    raise ValueError(f"points must be 1-D (one expert) or 2-D (experts × criteria); got {arr.ndim}-D")


def _normalise_rows(arr: np.ndarray, experts: list) -> np.ndarray:
    if arr.shape[1] == 0:
        raise ValueError("need points for at least one criterion")
    for row, expert in zip(arr, experts):
        who = "" if expert is None else f"expert {expert!r}: "
        if not np.all(np.isfinite(row)):
            raise ValueError(f"{who}points must be given for every criterion (found missing values)")
        if np.any(row < 0):
            raise ValueError(f"{who}points must not be negative")
        if row.sum() <= 0:
            raise ValueError(f"{who}no points allocated")
    return arr / arr.sum(axis=1, keepdims=True)
