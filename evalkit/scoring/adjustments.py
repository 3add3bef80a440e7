"""Bonus (加分), deduction (扣分), 一票否决 and 一票否优 outside the base tree.

The ``adjustments`` table of a year holds one row per decision (``unit_id, kind, points,
reason``; kind ``bonus``, ``deduction``, ``veto`` or ``bar_top``). The framework's
:class:`~evalkit.scoring.framework.AdjustmentRules` caps the bonus and the deduction
points. The arithmetic (capped sums, the total floored at 0, ``score_100``) is the
scorer's kernel :func:`evalkit.scoring.kernels.adjusted_scores`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .framework import AdjustmentRules, Framework
from .kernels import adjusted_scores

__all__ = ["ADJUSTMENT_KINDS", "apply_adjustments", "capped_adjustments"]

#: Kinds of the ``adjustments`` table.
ADJUSTMENT_KINDS = ("bonus", "deduction", "veto", "bar_top")


def capped_adjustments(adjustments: pd.DataFrame, unit_ids, rules: AdjustmentRules) -> pd.DataFrame:
    """Per unit of ``unit_ids`` (in that order): ``unit_id, bonus, deduction, veto, bar_top``.

    ``bonus`` = min(Σ bonus points, ``rules.bonus_cap``), ``deduction`` = min(Σ deduction
    points, ``rules.deduction_cap``) (a cap of None: uncapped; missing points count 0);
    ``veto`` (一票否决) and ``bar_top`` (一票否优) are True for units with such a row.
    """
    ids = pd.Series(np.asarray(unit_ids, dtype=object)).astype(str)
    adj = adjustments.copy()
    adj["unit_id"] = adj["unit_id"].astype(str)
    pts = adj.assign(points=adj["points"].astype("float64").fillna(0.0))
    out = pd.DataFrame({"unit_id": ids})
    for kind, cap in (("bonus", rules.bonus_cap), ("deduction", rules.deduction_cap)):
        total = pts[pts["kind"] == kind].groupby("unit_id")["points"].sum()
        col = ids.map(total).fillna(0.0)
        out[kind] = col.clip(upper=cap) if cap is not None else col
    for kind in ("veto", "bar_top"):
        out[kind] = ids.isin(set(adj.loc[adj["kind"] == kind, "unit_id"]))
    return out


def apply_adjustments(totals: pd.DataFrame, adjustments: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Add capped bonus and deduction points and the veto flags to unit totals.

    ``totals`` needs ``unit_id, total_score, max_score``. Adds ``base_score`` (the tree's
    score), ``bonus``, ``deduction`` (capped, :func:`capped_adjustments`), ``veto`` and
    ``bar_top``; ``score_100`` becomes the base re-based to 100 plus bonus minus deduction
    (floored at 0) and ``total_score`` the same on the unit's points scale
    (:func:`~evalkit.scoring.kernels.adjusted_scores`; a bonus can lift the score above 100,
    as 加分项 outside the base 100 do in practice).
    """
    out = totals.copy()
    capped = capped_adjustments(adjustments, out["unit_id"].to_numpy(), framework.adjustments)
    out["base_score"] = out["total_score"]
    out["bonus"] = capped["bonus"].to_numpy()
    out["deduction"] = capped["deduction"].to_numpy()
    total, score_100 = adjusted_scores(out["base_score"].to_numpy(dtype="float64"),
                                       out["max_score"].to_numpy(dtype="float64"),
                                       out["bonus"].to_numpy(dtype="float64"),
                                       out["deduction"].to_numpy(dtype="float64"))
    out["total_score"] = total
    out["score_100"] = score_100
    out["veto"] = capped["veto"].to_numpy()
    out["bar_top"] = capped["bar_top"].to_numpy()
    return out
