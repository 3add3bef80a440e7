"""Normalisation of indicator tables: bring indicators onto a common, higher-is-better scale.

Every function takes a table of *units in rows* and *indicators in columns* and returns a
table of the same shape and kind: a :class:`pandas.DataFrame` gives a DataFrame with the
same index and columns, a :class:`pandas.Series` (one indicator) gives a Series, a 2-D
numpy array gives a 2-D array and a 1-D array is treated as one indicator.

Conventions (shared by all functions here)
------------------------------------------
* ``directions`` says which way is good, per indicator: ``+1`` when a higher raw value is
  better, ``-1`` when a lower one is. ``None`` means every indicator is ``+1``. Give a
  scalar (same for all), a sequence in column order, or (for DataFrames) a mapping or
  Series from column name to direction. After normalisation a higher score is always
  better.
* Missing values (NaN) stay missing: they are ignored when computing column statistics
  (minimum, maximum, mean, standard deviation, ranks) and give NaN in the output.
* Column statistics are computed over the rows given, or, with ``groups=`` (one label per
  row, e.g. each unit's peer group), over the rows of each group separately: a unit is
  normalised within its peer group.
* **Batch axis.** Columns are independent, so a batch of replications of one indicator is
  a table with one column per replication (units × replications): the weighting-scheme
  lab's scoring model normalises thousands of replications in one call.

The methods are those of the OECD/JRC *Handbook on Constructing Composite Indicators*
(Nardo et al., 2008, step 5, normalisation) as implemented in COINr (Becker et al., 2022); the exact
formula of each is in its docstring.

References
----------
Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffman, A. & Giovannini, E. (2008).
*Handbook on Constructing Composite Indicators: Methodology and User Guide*. OECD/JRC.
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. & Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source
Software* 7(78), 4567.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "min_max",
    "z_score",
    "distance_to_target",
    "rank",
    "percentile",
    "vector",
]

_CONSTANT_POLICIES = ("raise", "nan", "midpoint")
_TIES = ("average", "min", "max", "first", "dense")


# ---------------------------------------------------------------------------------------
# Table handling shared by evalkit.scoring.normalise, evalkit.weights and evalkit.composite.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """How the caller passed a table, so that results can be handed back the same way."""

    kind: str  # "frame", "series", "array2", "array1"
    index: Any = None
    columns: Any = None
    name: Any = None

    @property
    def labelled(self) -> bool:
        return self.kind in ("frame", "series")

    def column_names(self, n: int) -> list:
        if self.kind == "frame":
            return list(self.columns)
        if self.kind == "series":
            return [self.name]
        return list(range(n))

    def column_label(self, j: int) -> str:
        """How to name column ``j`` in an error message."""
        if self.kind == "frame":
            return f"column {self.columns[j]!r}"
        if self.kind == "series":
            return f"indicator {self.name!r}" if self.name is not None else "the indicator"
        if self.kind == "array1":
            return "the indicator"
        return f"column {j}"

    def table(self, values: np.ndarray):
        """Wrap a 2-D result (rows × columns) like the input."""
        if self.kind == "frame":
            return pd.DataFrame(values, index=self.index, columns=self.columns)
        if self.kind == "series":
            return pd.Series(values[:, 0], index=self.index, name=self.name)
        if self.kind == "array1":
            return values[:, 0]
        return values

    def per_column(self, values: np.ndarray, name: str):
        """Wrap one value per column (e.g. weights) like the input's columns."""
        if self.kind == "frame":
            return pd.Series(values, index=self.columns, name=name)
        return np.asarray(values, dtype=float)

    def per_row(self, values: np.ndarray, name: str):
        """Wrap one value per row (e.g. closeness of each unit) like the input's rows."""
        if self.labelled:
            return pd.Series(values, index=self.index, name=name)
        return np.asarray(values, dtype=float)

    def square(self, values: np.ndarray):
        """Wrap a columns × columns table (e.g. a correlation matrix)."""
        if self.kind == "frame":
            return pd.DataFrame(values, index=self.columns, columns=self.columns)
        return values


def _as_table(x) -> tuple[np.ndarray, _Shape]:
    """Return ``x`` as a 2-D float array (rows × columns) and how to wrap results.

    Raises ``TypeError`` naming the first non-numeric column.
    """
    if isinstance(x, pd.DataFrame):
        for col in x.columns:
            if not (pd.api.types.is_numeric_dtype(x[col]) and not pd.api.types.is_bool_dtype(x[col])):
                raise TypeError(f"column {col!r} is not numeric (dtype {x[col].dtype}); "
                                "normalise and weight numeric indicator values only")
        values = x.to_numpy(dtype="float64", na_value=np.nan)
        return values, _Shape("frame", index=x.index, columns=x.columns)
    if isinstance(x, pd.Series):
        if not (pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)):
            raise TypeError(f"indicator {x.name!r} is not numeric (dtype {x.dtype})")
        values = x.to_numpy(dtype="float64", na_value=np.nan).reshape(-1, 1)
        return values, _Shape("series", index=x.index, name=x.name)
    try:
        arr = np.asarray(x, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"expected a numeric table (DataFrame or array); got {type(x).__name__}") from exc
    if arr.ndim == 1:
        return arr.reshape(-1, 1).copy(), _Shape("array1")
    if arr.ndim == 2:
        return arr.copy(), _Shape("array2")
    raise ValueError(f"expected a 1-D or 2-D table; got an array with {arr.ndim} dimensions")


def _directions(directions, shape: _Shape, n_columns: int) -> np.ndarray:
    """Directions as a float array of +1/-1, one per column, in column order."""
    if directions is None:
        return np.ones(n_columns)
    names = shape.column_names(n_columns)
    if isinstance(directions, (Mapping, pd.Series)):
        if shape.kind != "frame" and not (shape.kind == "series" and shape.name in directions):
            raise TypeError("directions given by name need a DataFrame (or a named Series) input")
        missing = [c for c in names if c not in directions]
        if missing:
            raise ValueError(f"no direction given for {missing!r}")
        extra = [k for k in directions.keys() if k not in names]
        if extra:
            raise ValueError(f"directions name unknown indicators {extra!r}")
        d = np.array([directions[c] for c in names], dtype=float)
    elif np.ndim(directions) == 0:
        d = np.full(n_columns, float(directions))
    else:
        d = np.asarray(directions, dtype=float).ravel()
        if d.size != n_columns:
            raise ValueError(f"got {d.size} directions for {n_columns} indicators")
    bad = [names[j] for j in range(n_columns) if d[j] not in (1.0, -1.0)]
    if bad:
        raise ValueError(f"directions must be +1 (higher is better) or -1 (lower is better); "
                         f"check {bad!r}")
    return d


def _constant(value_range: np.ndarray, shape: _Shape, policy: str, what: str) -> np.ndarray:
    """Columns whose spread is zero (all non-missing values equal), after checking the policy."""
    if policy not in _CONSTANT_POLICIES:
        raise ValueError(f"on_constant must be one of {_CONSTANT_POLICIES}; got {policy!r}")
    flat = value_range == 0
    if policy == "raise" and flat.any():
        j = int(np.flatnonzero(flat)[0])
        raise ValueError(f"{shape.column_label(j)} has the same value for every unit, so "
                         f"{what} is undefined; drop it or pass on_constant='nan' or 'midpoint'")
    return flat


# ---------------------------------------------------------------------------------------
# Normalisations
# ---------------------------------------------------------------------------------------


def min_max(x, directions=None, *, lower: float = 0.0, upper: float = 100.0,
            on_constant: str = "raise", groups=None):
    """Min-max rescaling of each indicator onto ``[lower, upper]`` (default 0–100).

    For direction +1: ``y = lower + (upper - lower) · (x - min) / (max - min)``;
    for direction −1: ``y = lower + (upper - lower) · (max - x) / (max - min)``,
    so the best unit scores ``upper`` and the worst ``lower`` either way (Nardo et al.,
    2008, "min-max"; COINr ``n_minmax``).

    Parameters
    ----------
    x : DataFrame, Series or array
        Units in rows, indicators in columns.
    directions : None, scalar, sequence or mapping
        +1 (higher is better) or −1 (lower is better) per indicator; ``None`` = all +1.
    lower, upper : float
        Bounds of the output scale.
    on_constant : {"raise", "nan", "midpoint"}
        What to do with an indicator whose non-missing values are all equal (min = max):
        raise ``ValueError`` (default), return NaN, or give every unit the midpoint
        ``(lower + upper) / 2``.

    groups : array-like, optional
        A group label per row; statistics are computed within each group.

    Returns
    -------
    Same kind as ``x``; NaN where ``x`` is NaN.
    """
    values, shape = _as_table(x)
    d = _directions(directions, shape, values.shape[1])
    if groups is not None:
        return _per_group(lambda v: min_max(v, d, lower=lower, upper=upper, on_constant=on_constant),
                          values, shape, groups)
    if not upper > lower:
        raise ValueError(f"upper ({upper}) must be greater than lower ({lower})")
    with np.errstate(all="ignore"):
        lo = _nan_stat(np.nanmin, values)
        hi = _nan_stat(np.nanmax, values)
        spread = hi - lo
        flat = _constant(spread, shape, on_constant, "min-max rescaling")
        share = np.where(d > 0, values - lo, hi - values) / np.where(flat, np.nan, spread)
    out = lower + (upper - lower) * share
    if flat.any():
        fill = (lower + upper) / 2 if on_constant == "midpoint" else np.nan
        out[:, flat] = np.where(np.isnan(values[:, flat]), np.nan, fill)
    return shape.table(out)


def z_score(x, directions=None, *, ddof: int = 1, on_constant: str = "raise", groups=None):
    """Standardise each indicator to mean 0 and standard deviation 1 (z-scores).

    ``y = d · (x - mean) / sd`` with ``d`` the direction (+1/−1), so that higher is better
    (Nardo et al., 2008, "standardisation"; COINr ``n_zscore``).

    Parameters
    ----------
    x : DataFrame, Series or array
        Units in rows, indicators in columns.
    directions : None, scalar, sequence or mapping
        +1 (higher is better) or −1 (lower is better) per indicator; ``None`` = all +1.
    ddof : int, default 1
        Delta degrees of freedom of the standard deviation: ``sd = sqrt(Σ(x - mean)² /
        (n - ddof))`` over the non-missing values. The default 1 is the sample standard
        deviation, as in R's ``sd()`` (hence COINr) and pandas; pass 0 for the population
        standard deviation (numpy's default).
    on_constant : {"raise", "nan", "midpoint"}
        For an indicator with zero spread: raise (default), return NaN, or return 0 (the
        midpoint of the z scale).
    groups : array-like, optional
        A group label per row; statistics are computed within each group.

    Returns
    -------
    Same kind as ``x``; NaN where ``x`` is NaN.
    """
    values, shape = _as_table(x)
    d = _directions(directions, shape, values.shape[1])
    if groups is not None:
        return _per_group(lambda v: z_score(v, d, ddof=ddof, on_constant=on_constant), values, shape, groups)
    with np.errstate(all="ignore"):
        mean = _nan_stat(np.nanmean, values)
        count = np.sum(~np.isnan(values), axis=0)
        squares = np.nansum((values - mean) ** 2, axis=0)
        sd = np.sqrt(squares / np.where(count - ddof > 0, count - ddof, np.nan))
        # A column with data but no spread (or too few values for ``ddof``) is "constant".
        has_data = ~np.all(np.isnan(values), axis=0)
        spread = np.where(has_data & np.isnan(sd), 0.0, sd)
        flat = _constant(spread, shape, on_constant, "the z-score")
        out = d * (values - mean) / np.where(flat, np.nan, sd)
    if flat.any():
        fill = 0.0 if on_constant == "midpoint" else np.nan
        out[:, flat] = np.where(np.isnan(values[:, flat]), np.nan, fill)
    return shape.table(out)


def distance_to_target(x, targets, directions=None, *, scale: float = 100.0, cap: bool = False,
                       on_reached: str = "raise", groups=None):
    """Progress from the worst observed value towards a target, on a ``0..scale`` scale.

    For direction +1: ``y = scale · (x - min) / (target - min)``; for direction −1:
    ``y = scale · (max - x) / (max - target)``, where min and max are taken over the
    units given. The worst unit scores 0 and a unit exactly on target scores ``scale``
    (COINr ``n_dist2targ``; Nardo et al., 2008, "distance to a reference").

    Parameters
    ----------
    x : DataFrame, Series or array
        Units in rows, indicators in columns.
    targets : scalar, sequence or mapping
        Target value per indicator (by name for DataFrames). A target must lie beyond the
        worst observed value in the good direction (target > min for +1, target < max for
        −1); otherwise the scale is undefined and ``ValueError`` is raised.
    directions : None, scalar, sequence or mapping
        +1 (higher is better) or −1 (lower is better) per indicator; ``None`` = all +1.
    scale : float, default 100
        Score of a unit exactly on target.
    cap : bool, default False
        If True, units beyond the target score ``scale``; otherwise they score above it
        (as COINr's default ``cap_max = FALSE``).
    on_reached : {"raise", "full"}
        When the worst observed value already reaches the target (every unit is on
        target, so the scale is undefined): raise ``ValueError`` (default) or give every
        unit ``scale``.
    groups : array-like, optional
        A group label per row; min and max are taken within each group.
    """
    if on_reached not in ("raise", "full"):
        raise ValueError(f"on_reached must be 'raise' or 'full'; got {on_reached!r}")
    values, shape = _as_table(x)
    d = _directions(directions, shape, values.shape[1])
    t = _per_column(targets, shape, values.shape[1], "target")
    if groups is not None:
        return _per_group(lambda v: distance_to_target(v, t, d, scale=scale, cap=cap, on_reached=on_reached),
                          values, shape, groups)
    with np.errstate(all="ignore"):
        lo = _nan_stat(np.nanmin, values)
        hi = _nan_stat(np.nanmax, values)
        span = np.where(d > 0, t - lo, hi - t)
    bad = ~(span > 0) & ~np.isnan(lo)
    if bad.any() and on_reached == "full":
        with np.errstate(all="ignore"):
            out = scale * np.where(d > 0, values - lo, hi - values) / np.where(bad, 1.0, span)
        if cap:
            out = np.minimum(out, scale)
        out = np.where(np.isnan(values), np.nan, np.where(bad, scale, out))
        return shape.table(out)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        worst = lo[j] if d[j] > 0 else hi[j]
        raise ValueError(f"{shape.column_label(j)}: target {t[j]:g} is not beyond the worst "
                         f"observed value {worst:g} in the good direction")
    with np.errstate(all="ignore"):
        out = scale * np.where(d > 0, values - lo, hi - values) / span
    if cap:
        out = np.where(np.isnan(out), np.nan, np.minimum(out, scale))
    return shape.table(out)


def rank(x, directions=None, *, ties: str = "min", groups=None):
    """Rank of each unit on each indicator, 1 = worst, so that a higher rank is better.

    Ranks run from 1 (worst) to the number of units with data (best); missing values stay
    missing. Ties follow ``ties`` as in :meth:`pandas.Series.rank`; the default ``"min"``
    ("sport" ranking) is COINr's (``n_rank``).
    """
    if ties not in _TIES:
        raise ValueError(f"ties must be one of {_TIES}; got {ties!r}")
    values, shape = _as_table(x)
    d = _directions(directions, shape, values.shape[1])
    if groups is not None:
        return _per_group(lambda v: rank(v, d, ties=ties), values, shape, groups)
    frame = pd.DataFrame(values * d)  # multiply by the direction so that "higher is better"
    out = frame.rank(axis=0, method=ties, ascending=True, na_option="keep").to_numpy(dtype=float)
    return shape.table(out)


def percentile(x, directions=None, *, ties: str = "min", scale: float = 100.0, on_single: str = "nan",
               groups=None):
    """Percentile rank of each unit on each indicator, on a 0–100 scale.

    ``y = 100 · (rank - 1) / (n - 1)`` with ``rank`` from :func:`rank` (1 = worst) and
    ``n`` the number of units with data on that indicator: the share of the other units
    that the unit does at least as well as under "min" ties (COINr ``n_prank``); ``scale``
    replaces the 100. With a single unit the result is NaN (``on_single="nan"``) or the
    midpoint ``scale / 2`` (``"midpoint"``). ``groups``: ranks within each group of rows.
    """
    if on_single not in ("nan", "midpoint"):
        raise ValueError(f"on_single must be 'nan' or 'midpoint'; got {on_single!r}")
    values, shape = _as_table(x)
    d = _directions(directions, shape, values.shape[1])
    if groups is not None:
        return _per_group(lambda v: percentile(v, d, ties=ties, scale=scale, on_single=on_single),
                          values, shape, groups)
    r = np.asarray(rank(values, directions=d, ties=ties), dtype=float)
    n = np.sum(~np.isnan(values), axis=0).astype(float)
    with np.errstate(all="ignore"):
        out = scale * (r - 1.0) / np.where(n > 1, n - 1.0, np.nan)
    if on_single == "midpoint":
        out = np.where((n == 1) & ~np.isnan(values), scale / 2.0, out)
    return shape.table(out)


def vector(x):
    """Vector (Euclidean) normalisation: ``r_ij = x_ij / sqrt(Σ_i x_ij²)``.

    The normalisation of TOPSIS (Hwang & Yoon, 1981). It keeps ratios within an
    indicator and has no direction: cost indicators are handled by the method that uses
    it (TOPSIS picks their ideal at the minimum). Missing values are ignored in the norm
    and stay missing.

    Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
    Applications*. Lecture Notes in Economics and Mathematical Systems 186. Springer.
    """
    values, shape = _as_table(x)
    norm = np.sqrt(np.nansum(values ** 2, axis=0))
    if np.any(norm == 0):
        j = int(np.flatnonzero(norm == 0)[0])
        raise ValueError(f"{shape.column_label(j)} is zero for every unit; vector "
                         "normalisation is undefined")
    return shape.table(values / norm)


# ---------------------------------------------------------------------------------------


def _per_group(normalise, values: np.ndarray, shape: _Shape, groups) -> Any:
    """``normalise`` (a function of a 2-D array) applied to the rows of each group."""
    labels = np.asarray(groups)
    if labels.shape != (values.shape[0],):
        raise ValueError(f"groups must give one label per row ({values.shape[0]}); got shape {labels.shape}")
    codes, _ = pd.factorize(labels)
    out = np.full(values.shape, np.nan)
    for k in range(codes.max() + 1 if codes.size else 0):
        rows = codes == k
        out[rows] = np.asarray(normalise(values[rows]), dtype=float)
    return shape.table(out)


def _nan_stat(func, values: np.ndarray) -> np.ndarray:
    """Column statistic ignoring NaN; NaN (not a warning) for all-missing columns."""
    out = np.full(values.shape[1], np.nan)
    have = ~np.all(np.isnan(values), axis=0)
    if have.any():
        out[have] = func(values[:, have], axis=0)
    return out


def _per_column(spec, shape: _Shape, n_columns: int, what: str) -> np.ndarray:
    """A per-indicator parameter (scalar, sequence in column order, or mapping by name)."""
    names = shape.column_names(n_columns)
    if isinstance(spec, (Mapping, pd.Series)):
        missing = [c for c in names if c not in spec]
        if missing:
            raise ValueError(f"no {what} given for {missing!r}")
        return np.array([spec[c] for c in names], dtype=float)
    if np.ndim(spec) == 0:
        return np.full(n_columns, float(spec))
    arr = np.asarray(spec, dtype=float).ravel()
    if arr.size != n_columns:
        raise ValueError(f"got {arr.size} {what}s for {n_columns} indicators")
    return arr
