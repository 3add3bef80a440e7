"""Qualitative evaluation (效能评价) summarised per unit: ratings, votes, surveys.

This is the first, simple aggregation: arithmetic means per rater group, combined with
group weights. Individual ratings never leave this module; outputs carry counts only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import rate_frame, value_frame

#: Default rater-group weights (domain brief §1.3, a suggestion to be configured).
DEFAULT_GROUP_WEIGHTS = {"leader": 0.30, "peer": 0.20, "service_user": 0.40, "expert": 0.10}
#: Minimum raters of a group for its mean to count (below it the group is left out).
MIN_RATERS = 5
#: Points per democratic-vote category (优秀/称职/基本称职/不称职).
VOTE_POINTS = {"excellent": 100.0, "competent": 80.0, "basically_competent": 60.0, "incompetent": 0.0}


def eligible_ratings(dataset, year: int) -> pd.DataFrame:
    """Ratings with every rater's rating of their own unit removed (回避)."""
    r = dataset.table("ratings", year)
    if not dataset.has("raters"):
        return r
    own = dataset.table("raters").set_index("rater_id")["own_unit_id"]
    own_unit = r["rater_id"].map(own)
    return r[~(own_unit.notna() & (own_unit == r["unit_id"])).to_numpy()]


def rating_score(dataset, year: int, group_weights: dict[str, float] | None = None,
                 min_raters: int = MIN_RATERS) -> pd.DataFrame:
    """效能评价得分 — weighted mean rubric score across rater groups (0–100).

    score = Σ_g w_g · mean_g / Σ_g w_g over rater groups g with at least ``min_raters``
    distinct raters for the unit; each rater's criteria are averaged first, so every rater
    counts once. Raters' ratings of their own unit are excluded. Unit: points (0–100).
    Direction: higher is better. Source: domain brief §1.3 (rater groups and weights).
    """
    weights = group_weights or DEFAULT_GROUP_WEIGHTS
    r = eligible_ratings(dataset, year)
    units = dataset.units["unit_id"]
    if r.empty:
        return value_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    per_rater = r.groupby(["unit_id", "rater_group", "rater_id"], sort=True)["score"].mean()
    groups = per_rater.groupby(level=["unit_id", "rater_group"]).agg(["mean", "size"])
    groups = groups[groups["size"] >= min_raters].reset_index()
    groups["w"] = groups["rater_group"].map(weights).fillna(0.0)
    groups = groups[groups["w"] > 0]
    groups["wm"] = groups["w"] * groups["mean"]
    agg = groups.groupby("unit_id").agg(wm=("wm", "sum"), w=("w", "sum"), n=("size", "sum"))
    return value_frame(units, year, agg["wm"] / agg["w"], agg["n"])


def survey_satisfaction_rate(dataset, year: int, question: str = "overall") -> pd.DataFrame:
    """群众满意度 — share of survey answers 非常满意, 满意 or 基本满意 (question ``overall``).

    满意率 = (非常满意 + 满意 + 基本满意) / 有效回答数 × 100%. Unit: %. Direction: higher is
    better. Source: domain brief §1.3 (服务对象评价, five-level scale).
    """
    s = dataset.table("survey_responses", year)
    units = dataset.units["unit_id"]
    s = s[s["question"] == question]
    good = s["answer"].isin(["very_satisfied", "satisfied", "fairly_satisfied"]).to_numpy()
    num = s[good].groupby("unit_id").size().astype("float64")
    den = s.groupby("unit_id").size().astype("float64")
    return rate_frame(units, year, num, den)


def vote_score(dataset, year: int, points: dict[str, float] | None = None) -> pd.DataFrame:
    """民主测评得分 — vote shares turned into a 0–100 score.

    score = Σ_c share_c · points_c with 优秀 100, 称职 80, 基本称职 60, 不称职 0 by default,
    over all voter groups. Unit: points. Direction: higher is better. Source: domain
    brief §1.3 (民主测评), scale as in §1.3 (100/80/60/0).
    """
    pts = points or VOTE_POINTS
    v = dataset.table("votes", year)
    units = dataset.units["unit_id"]
    cols = list(pts)
    totals = v.groupby("unit_id")[cols].sum().astype("float64")
    n = totals.sum(axis=1)
    score = sum(totals[c] * pts[c] for c in cols) / n.replace(0, np.nan)
    return value_frame(units, year, score, n)
