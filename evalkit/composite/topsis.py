"""TOPSIS: rank units by their relative closeness to an ideal and an anti-ideal unit.

Steps (Hwang & Yoon, 1981):

1. Normalise each criterion: vector normalisation ``r_ij = x_ij / sqrt(Σ_i x_ij²)``
   (``normalisation="vector"``, Hwang & Yoon's choice and the default) or min-max
   ``r_ij = (x_ij - min_j) / (max_j - min_j)`` (``normalisation="minmax"``).
2. Weight: ``v_ij = w_j r_ij`` with the weights normalised to sum to 1.
3. Ideal ``A+`` and anti-ideal ``A-``: per criterion the best and worst ``v_ij`` — the
   maximum and minimum for a benefit criterion (direction +1), the other way round for a
   cost criterion (direction −1).
4. Euclidean distances of each unit to both: ``S+_i = ||v_i - A+||``, ``S-_i = ||v_i - A-||``.
5. Closeness coefficient ``C_i = S-_i / (S+_i + S-_i)`` in [0, 1]; higher is better (1 = the
   unit is the ideal, 0 = it is the anti-ideal).

Conventions
-----------
* Directions act only in step 3; the normalisations themselves are direction-free. For
  min-max this is equivalent to reversing cost criteria before normalising.
* A criterion with the same value for every unit (to within a relative 1e-12, i.e. up to
  floating-point noise) carries no information: its normalised column is set to 0 so that
  it adds nothing to either distance.
* If every unit is identical on every weighted criterion, ``S+ = S- = 0`` and the closeness
  is undefined (NaN).
* The ideal and anti-ideal are taken from the units given, so adding or removing a unit can
  change the others' closeness (rank reversal is possible, as with every relative method).
* No missing values are allowed; impute or drop units first.

References
----------
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
Applications*. Lecture Notes in Economics and Mathematical Systems 186. Springer, Berlin.
Tzeng, G.-H. & Huang, J.-J. (2011). *Multiple Attribute Decision Making: Methods and
Applications*. CRC Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scoring.normalise import _as_table, _directions, _Shape

__all__ = ["TopsisResult", "topsis"]

_NORMALISATIONS = ("vector", "minmax")
_RELATIVE_TIE = 1e-12


@dataclass(frozen=True, eq=False)
class TopsisResult:
    """Working of :func:`topsis`.

    Attributes
    ----------
    closeness : Series or ndarray
        Closeness coefficient of each unit, in [0, 1].
    normalised : DataFrame or ndarray
        ``r``, the normalised matrix.
    weighted : DataFrame or ndarray
        ``v = r · w``.
    ideal, anti_ideal : Series or ndarray
        ``A+`` and ``A-``, one value per criterion.
    distance_to_ideal, distance_to_anti_ideal : Series or ndarray
        ``S+`` and ``S-``, one value per unit.
    weights : Series or ndarray
        The weights used, normalised to sum to 1.
    """

    closeness: pd.Series | np.ndarray
    normalised: pd.DataFrame | np.ndarray
    weighted: pd.DataFrame | np.ndarray
    ideal: pd.Series | np.ndarray
    anti_ideal: pd.Series | np.ndarray
    distance_to_ideal: pd.Series | np.ndarray
    distance_to_anti_ideal: pd.Series | np.ndarray
    weights: pd.Series | np.ndarray


def topsis(matrix, weights, directions=None, normalisation: str = "vector", *, verbose: bool = False):
    """TOPSIS closeness coefficients (Hwang & Yoon, 1981).

    Parameters
    ----------
    matrix : DataFrame or 2-D array
        Units (alternatives) in rows, criteria in columns; no missing values.
    weights : Series, mapping or sequence
        Criterion weights, non-negative and not all zero (normalised to sum to 1). For a
        DataFrame a Series or mapping is matched to the columns by name.
    directions : None, scalar, sequence or mapping
        +1 (benefit: higher is better) or −1 (cost: lower is better) per criterion;
        ``None`` = all benefit.
    normalisation : {"vector", "minmax"}
        Step-1 normalisation (see the module docstring).
    verbose : bool, default False
        Return a :class:`TopsisResult` with every intermediate table.

    Returns
    -------
    Series indexed like the rows of a DataFrame input (name ``"closeness"``) or ndarray, or
    :class:`TopsisResult` when ``verbose``.
    """
    if normalisation not in _NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {_NORMALISATIONS}; got {normalisation!r}")
    x, shape = _as_table(matrix)
    if shape.kind in ("series", "array1"):
        raise ValueError("TOPSIS needs a matrix with criteria in columns; got a single column")
    if np.isnan(x).any():
        j = int(np.flatnonzero(np.isnan(x).any(axis=0))[0])
        raise ValueError(f"{shape.column_label(j)} has missing values; TOPSIS needs complete data")
    if np.isinf(x).any():
        raise ValueError("the matrix has infinite values")
    d = _directions(directions, shape, x.shape[1])
    w = _weights(weights, shape, x.shape[1])

    lo, hi = x.min(axis=0), x.max(axis=0)
    # Values equal up to rounding noise count as equal, so a criterion on which the units
    # differ only in the last bits does not decide the ranking.
    informative = (hi - lo) > _RELATIVE_TIE * np.maximum(np.abs(hi), np.abs(lo))
    if normalisation == "vector":
        scale = np.sqrt((x ** 2).sum(axis=0))
        r = np.divide(x, scale, out=np.zeros_like(x), where=informative)
    else:
        r = np.divide(x - lo, hi - lo, out=np.zeros_like(x), where=informative)
    v = r * w
    ideal = np.where(d > 0, v.max(axis=0), v.min(axis=0))
    anti = np.where(d > 0, v.min(axis=0), v.max(axis=0))
    s_plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    s_minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    total = s_plus + s_minus
    closeness = np.divide(s_minus, total, out=np.full_like(total, np.nan), where=total > 0)

    result = shape.per_row(closeness, "closeness")
    if not verbose:
        return result
    return TopsisResult(closeness=result, normalised=shape.table(r), weighted=shape.table(v),
                        ideal=shape.per_column(ideal, "ideal"),
                        anti_ideal=shape.per_column(anti, "anti_ideal"),
                        distance_to_ideal=shape.per_row(s_plus, "distance_to_ideal"),
                        distance_to_anti_ideal=shape.per_row(s_minus, "distance_to_anti_ideal"),
                        weights=shape.per_column(w, "weight"))


def _weights(weights, shape: _Shape, n: int) -> np.ndarray:
    if isinstance(weights, (Mapping, pd.Series)):
        if shape.kind != "frame":
            raise TypeError("weights given by name need a DataFrame matrix; pass a sequence in "
                            "column order for an array")
        names = list(shape.columns)
        missing = [c for c in names if c not in weights]
        extra = [k for k in weights.keys() if k not in names]
        if missing or extra:
            raise ValueError(f"weights must name exactly the matrix columns; missing {missing!r}, "
                             f"unknown {extra!r}")
        w = np.array([weights[c] for c in names], dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
    if w.size != n:
        raise ValueError(f"got {w.size} weights for {n} criteria")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return w / w.sum()
