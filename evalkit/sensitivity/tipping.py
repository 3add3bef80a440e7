"""Tipping points of a weighted-sum composite: how far one weight must move before two units
swap places, and the ranks along a one-at-a-time sweep of that weight.

The composite of unit ``u`` is ``S_u(w) = Σ_j w_j x_uj`` with weights on the simplex
(``w_j ≥ 0``, ``Σ w_j = 1``) and components ``x_uj`` already on a common, higher-is-better
scale (normalised, directions applied).

Moving one weight
-----------------
Weight ``k`` is set to ``t ∈ [0, 1]`` and the others are rescaled *proportionally* so that
the weights still sum to 1 (the usual one-at-a-time scheme; their ratios stay as
designed)::

    w_k(t) = t,    w_j(t) = w_j (1 − t) / (1 − w_k)   (j ≠ k)

Then every composite is linear in ``t``::

    S_u(t) = t x_uk + (1 − t) R_u,    R_u = Σ_{j≠k} w_j x_uj / (1 − w_k)

(``R_u`` is the composite of the other components, their weights renormalised), and so is
the gap between two units ``a`` and ``b``::

    D(t) = S_a(t) − S_b(t) = D_R + t (d_k − D_R),   d_k = x_ak − x_bk,   D_R = R_a − R_b

Closed form: the two tie at ``t* = D_R / (D_R − d_k)`` (when ``d_k ≠ D_R``), and their
order reverses as ``w_k`` moves past ``t*``. Because ``D`` is linear they can swap at
most once: if ``t*`` does not lie in ``[0, 1]`` (or only at the end of the simplex the
weight would have to move beyond), no proportional move of ``w_k`` changes their order.

Conventions
-----------
* Weights are normalised to sum to 1 first; they must be non-negative. A weight of 1 on
  ``k`` cannot be lowered this way (there is nothing to rescale), and is rejected.
* Ranks are 1 = best, ties sharing the best rank of the tie ("1224", pandas
  ``method="min"``), as in :mod:`evalkit.scoring.grades`. Composites are rounded to
  ``decimals`` (default 12) before ranking so that floating-point noise does not split
  units that tie exactly.
* "Tied now" is decided to within ``1e-12`` times the largest absolute component value.

References
----------
Nardo, M., Saisana, M., Saltelli, A., Tarantola, S., Hoffman, A. & Giovannini, E. (2008).
*Handbook on Constructing Composite Indicators: Methodology and User Guide*. OECD/JRC,
steps 6–7 (linear aggregation; robustness to the weights).
Saltelli, A. & Annoni, P. (2010). How to avoid a perfunctory sensitivity analysis.
*Environmental Modelling & Software* 25(12), 1508–1517 (what one-at-a-time sweeps cannot
show: interactions, and the space away from the nominal point — use
:mod:`evalkit.sensitivity.sobol` for that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SensitivityError
from ..scoring.kernels import rank_min

__all__ = ["TippingPoint", "move_weight", "tipping_point", "tipping_points", "oat_weight_sweep"]

_TIE = 1e-12


@dataclass(frozen=True)
class TippingPoint:
    """Where two units swap places as weight ``component`` moves (see :func:`tipping_point`).

    Attributes
    ----------
    component : label
        The component whose weight moves.
    weight : float
        ``t*``, the weight of ``component`` at which the two composites are equal.
    change : float
        ``t* − w_k``: how far the weight must move (negative: it must fall).
    relative_change : float
        ``change / w_k`` (NaN when ``w_k = 0``).
    overtaker, overtaken : label
        The unit behind now that is ahead past ``t*``, and the unit it passes.
    gap : float
        How far ``overtaker`` is behind now, ``S_overtaken − S_overtaker ≥ 0``.
    weights : Series or ndarray
        All the weights at ``t*`` (the others rescaled proportionally).
    """

    component: Any
    weight: float
    change: float
    relative_change: float
    overtaker: Any
    overtaken: Any
    gap: float
    weights: pd.Series | np.ndarray


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------


def _components(components) -> tuple[np.ndarray, pd.Index | None, pd.Index | None]:
    if isinstance(components, pd.DataFrame):
        try:
            x = components.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise SensitivityError("components must be numeric") from exc
        units, cols = components.index, components.columns
    else:
        x = np.asarray(components, dtype=float)
        units = cols = None
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 2:
        raise SensitivityError("components must be a units × components table with at least two components")
    if not np.all(np.isfinite(x)):
        raise SensitivityError("components must be complete (no missing values); impute or drop units first")
    return x, units, cols


def _weights(weights, cols: pd.Index | None, n: int) -> np.ndarray:
    if isinstance(weights, pd.Series) and cols is not None:
        missing = [c for c in cols if c not in weights.index]
        extra = [c for c in weights.index if c not in cols]
        if missing or extra:
            raise SensitivityError(f"weights must name the components exactly; missing {missing!r}, "
                                   f"unknown {extra!r}")
        w = weights.reindex(cols).to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
    if w.size != n:
        raise SensitivityError(f"got {w.size} weights for {n} components")
    if not np.all(np.isfinite(w)) or w.min() < 0 or w.sum() <= 0:
        raise SensitivityError("weights must be non-negative, finite and not all zero")
    return w / w.sum()


def _position(k, cols: pd.Index | None, n: int) -> int:
    if cols is not None and k in cols:
        pos = cols.get_loc(k)
        if not isinstance(pos, (int, np.integer)):
            raise SensitivityError(f"component {k!r} is not unique")
        return int(pos)
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool) and 0 <= k < n:
        return int(k)
    raise SensitivityError(f"unknown component {k!r}" + (f"; components are {list(cols)!r}" if cols is not None
                                                         else f"; give a position 0 … {n - 1}"))


def _moved(w: np.ndarray, k: int, t: np.ndarray) -> np.ndarray:
    """Weights with ``w_k = t`` (one row per value of ``t``), the others rescaled."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if np.any(~np.isfinite(t)) or t.min() < 0 or t.max() > 1:
        raise SensitivityError("a weight must lie in [0, 1]")
    rest = 1.0 - w[k]
    if rest <= 0:
        if np.any(t < 1):
            raise SensitivityError("weight k is 1: the other weights are all zero and cannot be rescaled "
                                   "proportionally")
        return np.tile(w, (t.size, 1))
    out = np.outer((1.0 - t) / rest, w)
    out[:, k] = t
    return out


def _wrap_weights(w: np.ndarray, cols):
    return pd.Series(w, index=cols, name="weight") if cols is not None else w


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------


def move_weight(weights, k, value: float):
    """Set weight ``k`` to ``value`` and rescale the others proportionally to sum to 1.

    ``w_k = value``, ``w_j ← w_j (1 − value) / (1 − w_k)`` for ``j ≠ k`` (weights normalised
    to sum to 1 first).

    Parameters
    ----------
    weights : Series or 1-D array
    k : label or int
        Component name (Series) or position.
    value : float in [0, 1]

    Returns
    -------
    Series or ndarray
        Like ``weights``.
    """
    cols = weights.index if isinstance(weights, pd.Series) else None
    w = _weights(weights, cols, len(weights))
    pos = _position(k, cols, w.size)
    return _wrap_weights(_moved(w, pos, value)[0], cols)


def _linear_parts(x: np.ndarray, w: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``x_uk`` and ``R_u`` (the composite of the other components, renormalised)."""
    rest = 1.0 - w[k]
    if rest <= 0:
        raise SensitivityError("weight k is 1: the other weights are all zero and cannot be rescaled "
                               "proportionally")
    others = np.delete(np.arange(w.size), k)
    return x[:, k], x[:, others] @ w[others] / rest


def _crossing(gap_rest: np.ndarray, gap_k: np.ndarray, t0: float, tol: float):
    """Tie weight ``t*`` of each pair (NaN where the order never changes within [0, 1]).

    ``gap_rest = D_R`` and ``gap_k = d_k``; the gap now is ``D(t0)``.
    """
    slope = gap_k - gap_rest
    now = gap_rest + t0 * slope
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = np.where(slope != 0, -gap_rest / slope, np.nan)
    tied_now = np.abs(now) <= tol
    # tied now: the order changes at once in the direction that separates them
    t_star = np.where(tied_now & (slope != 0), t0, t_star)
    up = t_star > t0
    down = t_star < t0
    # the weight must be able to move strictly past t*
    ok = (up & (t_star < 1)) | (down & (t_star > 0)) | (tied_now & (slope != 0))
    return np.where(ok, t_star, np.nan), now, slope


def tipping_point(components, weights, k, a, b) -> TippingPoint | None:
    """How far weight ``k`` must move (others rescaled proportionally) before units ``a`` and
    ``b`` swap places in a weighted-sum composite.

    Closed form (module docstring): ``t* = D_R / (D_R − d_k)``, with ``d_k = x_ak − x_bk`` and
    ``D_R = R_a − R_b`` the gap on the other components with their weights renormalised.

    Parameters
    ----------
    components : DataFrame or 2-D array, units × components
        Component scores, higher = better, complete.
    weights : Series or 1-D array
        One per component, non-negative (normalised to sum to 1).
    k : label or int
        The component whose weight moves.
    a, b : label or int
        The two units (index labels of a DataFrame, or row positions).

    Returns
    -------
    TippingPoint or None
        ``None`` when no weight ``w_k`` in ``[0, 1]`` reverses their current order: they
        never tie, tie only at an end of the simplex, or are tied whatever ``w_k`` is. If
        they are tied now, the tipping point is the current weight (``change = 0``) and
        ``overtaker`` is the unit that goes ahead when ``w_k`` rises (falls, if ``w_k = 1``).

    Examples
    --------
    Two units, two components, equal weights: A = (0.9, 0.2), B = (0.4, 0.6), so
    ``S_A = 0.55 > S_B = 0.50``. Raising the weight of the second component to 5/9 makes
    them tie; past it B leads:

    >>> tp = tipping_point([[0.9, 0.2], [0.4, 0.6]], [0.5, 0.5], 1, 0, 1)
    >>> round(tp.weight, 4), round(tp.change, 4), tp.overtaker
    (0.5556, 0.0556, 1)
    """
    x, units, cols = _components(components)
    w = _weights(weights, cols, x.shape[1])
    kk = _position(k, cols, x.shape[1])
    ia, ib = _position(a, units, x.shape[0]), _position(b, units, x.shape[0])
    if ia == ib:
        raise SensitivityError("a and b must be two different units")
    xk, rest = _linear_parts(x, w, kk)
    tol = _TIE * max(1.0, np.abs(x).max())
    t0 = float(w[kk])
    t_star, now, slope = _crossing(np.array([rest[ia] - rest[ib]]), np.array([xk[ia] - xk[ib]]), t0, tol)
    t_star, now, slope = float(t_star[0]), float(now[0]), float(slope[0])
    if np.isnan(t_star):
        return None
    label_a = units[ia] if units is not None else ia
    label_b = units[ib] if units is not None else ib
    if abs(now) <= tol:
        a_gains_up = slope > 0
        rises = t0 < 1
        overtaker_is_a = a_gains_up == rises
    else:
        overtaker_is_a = now < 0
    overtaker, overtaken = (label_a, label_b) if overtaker_is_a else (label_b, label_a)
    change = t_star - t0
    return TippingPoint(
        component=cols[kk] if cols is not None else kk,
        weight=t_star,
        change=change,
        relative_change=change / t0 if t0 > 0 else float("nan"),
        overtaker=overtaker,
        overtaken=overtaken,
        gap=abs(now) if abs(now) > tol else 0.0,
        weights=_wrap_weights(_moved(w, kk, t_star)[0], cols),
    )


def tipping_points(components, weights, k) -> pd.DataFrame:
    """:func:`tipping_point` for every pair of units, as one table.

    Parameters
    ----------
    components, weights, k
        As for :func:`tipping_point`.

    Returns
    -------
    DataFrame
        One row per pair: ``ahead`` and ``behind`` (by the current composite; a tie is
        listed in table order), ``gap`` (``S_ahead − S_behind ≥ 0``), ``tipping_weight``
        (``t*``, NaN when no ``w_k`` in ``[0, 1]`` reverses them) and ``change``
        (``t* − w_k``). Sorted by ``|change|``, pairs that never swap last.
    """
    x, units, cols = _components(components)
    w = _weights(weights, cols, x.shape[1])
    kk = _position(k, cols, x.shape[1])
    xk, rest = _linear_parts(x, w, kk)
    scores = x @ w
    n = x.shape[0]
    labels = np.asarray(units if units is not None else np.arange(n), dtype=object)
    i, j = np.triu_indices(n, 1)
    swap = scores[j] > scores[i]
    ahead, behind = np.where(swap, j, i), np.where(swap, i, j)
    tol = _TIE * max(1.0, np.abs(x).max())
    t_star, now, _ = _crossing(rest[ahead] - rest[behind], xk[ahead] - xk[behind], w[kk], tol)
    out = pd.DataFrame({
        "ahead": labels[ahead],
        "behind": labels[behind],
        "gap": np.where(np.abs(now) <= tol, 0.0, now),
        "tipping_weight": t_star,
        "change": t_star - w[kk],
    })
    order = np.lexsort((np.arange(len(out)), np.abs(out["change"].to_numpy())))
    out = out.iloc[order].reset_index(drop=True)
    for col in ("ahead", "behind"):
        out[col] = out[col].infer_objects()
    out.attrs["component"] = cols[kk] if cols is not None else kk
    out.attrs["weight"] = w[kk]
    return out


def oat_weight_sweep(components, weights, k, grid, *, values: str = "rank", decimals: int = 12) -> pd.DataFrame:
    """Ranks (or composites) of every unit as weight ``k`` sweeps a grid, the other weights
    rescaled proportionally.

    Parameters
    ----------
    components : DataFrame or 2-D array, units × components
    weights : Series or 1-D array
    k : label or int
    grid : sequence of float in [0, 1]
        Values of ``w_k`` (include the nominal weight to see the published ranking).
    values : {"rank", "score"}, default "rank"
        Ranks (1 = best, ties "min") or the composites themselves.
    decimals : int, default 12
        Composites are rounded to this many decimals before ranking.

    Returns
    -------
    DataFrame
        One row per grid value (index ``weight``), one column per unit.
    """
    if values not in ("rank", "score"):
        raise SensitivityError(f"values must be 'rank' or 'score'; got {values!r}")
    x, units, cols = _components(components)
    w = _weights(weights, cols, x.shape[1])
    kk = _position(k, cols, x.shape[1])
    t = np.asarray(grid, dtype=float).ravel()
    if t.size == 0:
        raise SensitivityError("the grid is empty")
    scores = _moved(w, kk, t) @ x.T  # grid × units
    table = pd.DataFrame(scores, index=pd.Index(t, name="weight"),
                         columns=units if units is not None else pd.RangeIndex(x.shape[0]))
    if values == "score":
        return table
    # the scorer's tie rule ("1224", kernels.rank_min) on the rounded composite
    ranks = pd.DataFrame(rank_min(-np.round(scores, decimals)).astype(int), index=table.index,
                         columns=table.columns)
    ranks.attrs["component"] = cols[kk] if cols is not None else kk
    return ranks
