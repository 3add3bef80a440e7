"""Ranks and grades within peer groups.

Ranking convention: units are ranked within their peer group by ``score_100`` rounded to
two decimals, highest first; equal scores share the best rank of the tie ("1224"
competition ranking, pandas ``method="min"``).

Grade convention: a unit's band is the first band whose lower bound its ``score_100``
reaches (default 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 below). The top grade is capped at
``floor(top_quota × group size)`` units per peer group (e.g. ≤ 7 of 35 部门, ≤ 2 of 13
街镇 at 20 %). Units in the top band beyond the quota get the next grade. Ties at the quota
boundary: if the units sharing the boundary rank would exceed the quota together, *all*
of them get the next grade — the quota is never exceeded and tied units are never split.

Veto flags (when ``totals`` has boolean columns ``veto`` / ``bar_top``): 一票否决 forces
the lowest grade whatever the score; 一票否优 bars the top grade (the unit gets at most the
second) and the unit does not take a top-grade quota place. Ranks are by score either way.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .framework import GradeRules


def band_of(score: float, rules: GradeRules) -> str | None:
    if score is None or np.isnan(score):
        return None
    for grade, lower in rules.bands:
        if score >= lower - 1e-9:
            return grade
    return rules.bands[-1][0]


def rank_and_grade(totals: pd.DataFrame, rules: GradeRules) -> pd.DataFrame:
    """Add ``rank``, ``n_in_group`` and ``grade`` to ``totals`` (needs ``peer_group``, ``score_100``)."""
    out = totals.copy()
    key = out["score_100"].round(2)
    out["rank"] = key.groupby(out["peer_group"]).rank(method="min", ascending=False).astype("Int64")
    out["n_in_group"] = out.groupby("peer_group")["unit_id"].transform("size").astype(int)
    grades = out["score_100"].map(lambda s: band_of(s, rules))
    top, second = rules.bands[0][0], rules.bands[1][0] if len(rules.bands) > 1 else rules.bands[0][0]
    bar_top = out["bar_top"].fillna(False).astype(bool) if "bar_top" in out else pd.Series(False, index=out.index)
    grades[(grades == top) & bar_top] = second
    if "veto" in out:
        grades[out["veto"].fillna(False).astype(bool)] = rules.bands[-1][0]
    for group, idx in out.groupby("peer_group").groups.items():
        quota = math.floor(rules.top_quota * len(idx) + 1e-9)
        cand = out.loc[idx][grades.loc[idx] == top].sort_values("rank")
        if len(cand) <= quota:
            continue
        # Places taken up to and including a candidate's tie group, among candidates only
        # (units barred from the top grade take no place).
        ranks = cand["rank"].to_numpy()
        through = np.array([(ranks <= r).sum() for r in ranks])
        grades.loc[cand.index[through > quota]] = second
    out["grade"] = grades
    return out
