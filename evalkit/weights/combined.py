"""Combined subjective–objective weights (主客观组合赋权).

Two standard ways of merging a subjective weight vector ``s`` (e.g. AHP, expert points)
with an objective one ``o`` (e.g. entropy, CRITIC) over the same criteria:

* multiplicative (乘法合成归一化): ``w_j = s_j o_j / Σ_k s_k o_k``. A criterion needs
  support from both sources; this is the aggregation used by IDOCRIW to merge entropy and
  CILOS weights (Zavadskas & Podvezko, 2016).
* linear (线性加权组合): ``w_j = α s_j + (1 - α) o_j`` with ``0 ≤ α ≤ 1`` the share given to
  the subjective weights. Choosing α is a judgment; Ma, Fan & Huang (1999) and Xu (2004)
  discuss integrating subjective and objective information in one model.

Both inputs are first normalised to sum to 1. Series are aligned by criterion name (the
two must name the same criteria); arrays must have the same length. Results are
non-negative and sum to 1.

References
----------
Zavadskas, E. K. & Podvezko, V. (2016). Integrated determination of objective criteria
weights in MCDM. *International Journal of Information Technology & Decision Making* 15(2),
267–283.
Ma, J., Fan, Z.-P. & Huang, L.-H. (1999). A subjective and objective integrated approach to
determine attribute weights. *European Journal of Operational Research* 112(2), 397–404.
Xu, X. (2004). A note on the subjective and objective integrated approach to determine
attribute weights. *European Journal of Operational Research* 156(2), 530–532.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["combine_linear", "combine_multiplicative"]


def combine_multiplicative(subjective, objective):
    """Multiplicative combination ``w_j = s_j o_j / Σ_k s_k o_k`` (Zavadskas & Podvezko, 2016).

    Raises ``ValueError`` if no criterion has positive weight in both vectors.
    """
    s, o, index = _aligned(subjective, objective)
    product = s * o
    if not product.sum() > 0:
        raise ValueError("no criterion has positive weight in both vectors; the product is undefined")
    return _wrap(product / product.sum(), index)


def combine_linear(subjective, objective, alpha: float = 0.5):
    """Linear combination ``w_j = α s_j + (1 - α) o_j``.

    Parameters
    ----------
    subjective, objective : Series, mapping or sequence
        Weight vectors over the same criteria (normalised to sum to 1 before mixing).
    alpha : float in [0, 1], default 0.5
        Share of the subjective weights.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1]; got {alpha}")
    s, o, index = _aligned(subjective, objective)
    return _wrap(alpha * s + (1.0 - alpha) * o, index)


def _vector(w, what: str):
    if isinstance(w, Mapping):
        w = pd.Series(w, dtype="float64")
    if isinstance(w, pd.Series):
        values, index = w.to_numpy(dtype=float), w.index
    else:
        values, index = np.asarray(w, dtype=float).ravel(), None
    if values.size == 0:
        raise ValueError(f"{what} weights are empty")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"{what} weights must be finite and non-negative")
    if not values.sum() > 0:
        raise ValueError(f"{what} weights are all zero")
    return values / values.sum(), index


def _aligned(subjective, objective):
    s, s_index = _vector(subjective, "subjective")
    o, o_index = _vector(objective, "objective")
    if s_index is not None and o_index is not None:
        if set(s_index) != set(o_index) or len(s_index) != len(o_index):
            raise ValueError(f"the two weight vectors name different criteria: {list(s_index)} "
                             f"vs {list(o_index)}")
        o = pd.Series(o, index=o_index).reindex(s_index).to_numpy()
        return s, o, s_index
    if s.size != o.size:
        raise ValueError(f"weight vectors differ in length ({s.size} vs {o.size})")
    return s, o, s_index if s_index is not None else o_index


def _wrap(w: np.ndarray, index):
    if index is not None:
        return pd.Series(w, index=index, name="weight")
    return w
