"""Hierarchical aggregation: indicators → aggregates, level by level, up the tree.

Each aggregate at level ``k + 1`` is computed from its children at level ``k`` (already
computed), unit by unit, with the children's weights ``w`` (relative: only ratios among
siblings matter). Methods:

* ``"arith_mean"`` — weighted arithmetic mean over the children with a value,
  ``y = Σ w_i x_i / Σ w_i`` (COINr ``a_amean``): a missing child is skipped and the
  weights of the others renormalised.
* ``"geom_mean"`` — weighted geometric mean over the children with a value,
  ``y = exp(Σ w_i ln x_i / Σ w_i)`` (COINr ``a_gmean``). Values must be > 0: normalise
  onto e.g. [1, 100] first.
* ``"points_sum"`` — the points arithmetic of the district framework: an indicator on
  ``[0, scale]`` earns ``w · x / scale`` of its ``w`` points, an aggregate is the sum of
  its children's points, and its own maximum is the sum of theirs (its ``Weight`` is not
  used). A missing child is skipped and the sum renormalised to the full points:
  ``y = Σ_present p_i · (Σ_all max_i / Σ_present max_i)``.
* ``"topsis"`` — TOPSIS closeness of each unit on the children, times ``scale``
  (Hwang & Yoon, 1981; see :mod:`evalkit.composite.topsis`): children are vector- (or
  min-max-) normalised, weighted, and compared with the ideal (best value of each child
  over the units) and the anti-ideal (worst). Children are taken as higher-is-better (as
  they are after normalisation). A missing child is skipped: the unit's distances are
  summed over the children it has, with their weights renormalised; ideal and anti-ideal
  come from the units with a value. With complete data this is exactly
  :func:`evalkit.composite.topsis`.

Coverage: a unit's coverage of an aggregate is the share of its children with a value
(COINr ``dat_thresh``: by count, not by weight). Below ``min_coverage`` the aggregate is
missing; with no child at all it is missing whatever the threshold.

Weights and methods can differ per level; weights of any node can be replaced (e.g. by
entropy weights of one level, see :mod:`evalkit.composite.pipeline`).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, step 6 (aggregation).
Becker, W. et al. (2022). COINr. *JOSS* 7(78), 4567 (``Aggregate``, ``a_amean``,
``a_gmean``).
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making*. Springer.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..scoring.kernels import combine_sum
from ..scoring.vocabulary import COMPOSITE_AGGREGATIONS
from .meta import CompositeMeta, check_weights

__all__ = ["AGGREGATION_METHODS", "aggregate", "aggregate_group"]

AGGREGATION_METHODS = COMPOSITE_AGGREGATIONS
_RELATIVE_TIE = 1e-12


def aggregate_group(values: np.ndarray, weights: np.ndarray, method: str = "arith_mean", *,
                    scale: float = 100.0, topsis_normalisation: str = "vector",
                    maxima: np.ndarray | None = None) -> np.ndarray:
    """Aggregate one parent: ``values`` (units × children, NaN = missing) with ``weights``.

    For ``points_sum``, ``values`` are the children's points and ``maxima`` their maximum
    points; the result is in points. Other methods ignore ``maxima``. Returns one value per
    unit (NaN where no child has a value).
    """
    x = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    if method not in AGGREGATION_METHODS:
        raise ValueError(f"aggregation method must be one of {AGGREGATION_METHODS}; got {method!r}")
    if x.shape[0] == 0:
        return np.empty(0)
    present = ~np.isnan(x)
    wp = np.where(present, w, 0.0)
    wsum = wp.sum(axis=1)
    has = present.any(axis=1) & (wsum > 0)
    safe = np.where(has, wsum, 1.0)
    xz = np.where(present, x, 0.0)
    if method == "arith_mean":
        out = (wp * xz).sum(axis=1) / safe
    elif method == "geom_mean":
        if np.any(x[present] <= 0):
            raise ValueError("geometric mean: values must be > 0 (normalise onto e.g. [1, 100] first)")
        logs = np.where(present, np.log(np.where(present, x, 1.0)), 0.0)
        out = np.exp((wp * logs).sum(axis=1) / safe)
    elif method == "points_sum":
        # the scorer's points sum (evalkit.scoring.kernels.combine_sum), one child per column
        m = np.asarray(w if maxima is None else maxima, dtype="float64")
        out, _, _ = combine_sum([x[:, k] for k in range(x.shape[1])],
                                [np.full(x.shape[0], m[k]) for k in range(x.shape[1])])
        has = ~np.isnan(out)
    elif method == "topsis":
        out = scale * _masked_topsis(x, present, w, topsis_normalisation)
    else:
        raise ValueError(f"aggregation method must be one of {AGGREGATION_METHODS}; got {method!r}")
    return np.where(has, out, np.nan)


def _masked_topsis(x: np.ndarray, present: np.ndarray, w: np.ndarray, normalisation: str) -> np.ndarray:
    if normalisation not in ("vector", "minmax"):
        raise ValueError(f"topsis normalisation must be 'vector' or 'minmax'; got {normalisation!r}")
    any_value = present.any(axis=0)
    lo = np.where(any_value, np.where(present, x, np.inf).min(axis=0), np.nan)
    hi = np.where(any_value, np.where(present, x, -np.inf).max(axis=0), np.nan)
    with np.errstate(invalid="ignore"):
        informative = any_value & ((hi - lo) > _RELATIVE_TIE * np.maximum(np.abs(hi), np.abs(lo)))
    xz = np.where(present, x, 0.0)
    if normalisation == "vector":
        norm = np.sqrt((xz ** 2).sum(axis=0))
        r = np.divide(xz, norm, out=np.zeros_like(xz), where=informative & (norm > 0))
    else:
        r = np.divide(xz - np.nan_to_num(lo), hi - lo, out=np.zeros_like(xz), where=informative)
    # Ideal and anti-ideal per child over the units with a value (0 for uninformative children).
    r_best = np.where(informative, np.where(present, r, -np.inf).max(axis=0), 0.0)
    r_worst = np.where(informative, np.where(present, r, np.inf).min(axis=0), 0.0)
    wp = np.where(present, w, 0.0)
    wsum = wp.sum(axis=1, keepdims=True)
    wn = np.divide(wp, wsum, out=np.zeros_like(wp), where=wsum > 0)
    s_plus = np.sqrt((wn ** 2 * np.where(present, r - r_best, 0.0) ** 2).sum(axis=1))
    s_minus = np.sqrt((wn ** 2 * np.where(present, r - r_worst, 0.0) ** 2).sum(axis=1))
    total = s_plus + s_minus
    return np.divide(s_minus, total, out=np.full_like(total, np.nan), where=total > 0)


def aggregate(data: pd.DataFrame, meta: CompositeMeta, *, method: str | Mapping[int, str] = "arith_mean",
              weights: Mapping[str, float] | None = None,
              min_coverage: float | Mapping[int, float] | None = None, scale: float = 100.0,
              topsis_normalisation: str = "vector") -> pd.DataFrame:
    """Aggregate the indicators of ``data`` up the tree of ``meta``.

    Parameters
    ----------
    data : DataFrame
        Units in rows; one column per indicator of ``meta`` (normalised, higher is better).
    meta : CompositeMeta
        The tree and its weights.
    method : str or mapping level → str
        Aggregation method (see the module docstring), for every level or per level of the
        aggregate being computed (2 … top); levels not named use ``"arith_mean"``.
    weights : mapping, optional
        Node weights overriding ``meta``'s (code → weight ≥ 0).
    min_coverage : float, mapping level → float, or None
        Minimum share of children with a value (per level of the aggregate); None = any
        one child is enough.
    scale : float, default 100
        The top of the normalised scale: used by ``points_sum`` (indicator points =
        ``w · x / scale``) and ``topsis`` (closeness × ``scale``).
    topsis_normalisation : {"vector", "minmax"}
        Step-1 normalisation of TOPSIS.

    Returns
    -------
    DataFrame: the indicator columns of ``data`` (unchanged) followed by one column per
    aggregate, level by level in table order. An aggregate computed by ``points_sum`` is in
    points (out of the sum of its indicators' weights); the others are on the indicators'
    scale.
    """
    missing = [c for c in meta.indicators if c not in data.columns]
    if missing:
        raise ValueError(f"aggregate: expected a column for every indicator; found none for {missing!r}")
    w = {**meta.weights, **(check_weights(meta, weights) if weights else {})}
    top = meta.max_level
    methods = _per_level(method, top, "arith_mean", "method")
    coverages = _per_level(min_coverage, top, None, "min_coverage")
    for level, m in methods.items():
        if m not in AGGREGATION_METHODS:
            raise ValueError(f"aggregate: method for level {level} must be one of {AGGREGATION_METHODS}; got {m!r}")
    for level, c in coverages.items():
        if c is not None and not 0 <= c <= 1:
            raise ValueError(f"aggregate: min_coverage for level {level} must be between 0 and 1; got {c!r}")
    if not scale > 0:
        raise ValueError(f"aggregate: scale must be > 0; got {scale!r}")
    columns: dict[str, np.ndarray] = {c: data[c].to_numpy(dtype="float64", na_value=np.nan)
                                      for c in meta.indicators}
    # points_sum works in points: an indicator earns w · x / scale of its w points, an
    # aggregate's maximum is the sum of its children's. in_points[c] is the maximum of a
    # column held in points, None for a column on the [0, scale] score.
    in_points: dict[str, float | None] = {c: None for c in meta.indicators}
    for level in range(2, top + 1):
        m = methods[level]
        for parent in meta.parents_at(level):
            kids = meta.nodes[parent].children
            kid_w = np.array([w[k] for k in kids])
            if m == "points_sum":
                maxima = np.array([w[k] if in_points[k] is None else in_points[k] for k in kids])
                x = np.column_stack([columns[k] * w[k] / scale if in_points[k] is None else columns[k]
                                     for k in kids])
                y = aggregate_group(x, kid_w, m, maxima=maxima)
                in_points[parent] = float(maxima.sum())
            else:
                # A child held in points is taken back to the [0, scale] score.
                x = np.column_stack([columns[k] if in_points[k] is None else columns[k] / in_points[k] * scale
                                     for k in kids])
                y = aggregate_group(x, kid_w, m, scale=scale, topsis_normalisation=topsis_normalisation)
                in_points[parent] = None
            threshold = coverages[level]
            if threshold is not None:
                coverage = (~np.isnan(x)).mean(axis=1)
                y = np.where(coverage < threshold, np.nan, y)
            columns[parent] = y
    order = [*meta.indicators, *(c for lvl in range(2, top + 1) for c in meta.parents_at(lvl))]
    return pd.DataFrame({c: columns[c] for c in order}, index=data.index)


def _per_level(spec, top: int, default, label: str) -> dict[int, object]:
    levels = range(2, top + 1)
    if isinstance(spec, Mapping):
        keys = {}
        for k, v in spec.items():
            try:
                level = int(k)
            except (TypeError, ValueError):
                raise ValueError(f"aggregate: {label} levels must be whole numbers; got {k!r}") from None
            if level not in levels:
                raise ValueError(f"aggregate: {label} names level {level}; aggregates are at levels 2 to {top}")
            keys[level] = v
        return {lvl: keys.get(lvl, default) for lvl in levels}
    return {lvl: (default if spec is None else spec) for lvl in levels}
