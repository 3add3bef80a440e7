"""Ranks and grades within peer groups, on a table of unit totals.

The conventions (published rounding, "1224" ties, bands, the top-grade quota with its tie
rule, 一票否决 and 一票否优) are those of the one scorer's kernels
(:func:`evalkit.scoring.kernels.published_ranks`, :func:`~evalkit.scoring.kernels.grade_indices`;
see :mod:`evalkit.scoring.kernels`): units are ranked within their peer group by
``score_100`` rounded to two decimals, highest first, equal scores sharing the best rank;
a unit's band is the first whose lower bound its published (rounded) ``score_100`` reaches; the top band holds
at most ``floor(top_quota × group size)`` units of a peer group, and when the units sharing
the rank at the quota line would exceed it together, all of them get the next band.
Veto flags (boolean columns ``veto`` / ``bar_top`` when present): 一票否决 forces the
lowest band whatever the score; 一票否优 caps the unit at the second band and it takes no
top-band place. Ranks are by score either way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .framework import GradeRules
from .kernels import PUBLISHED_DECIMALS, band_indices, grade_indices, published_ranks

__all__ = ["band_of", "rank_and_grade"]


def band_of(score: float, rules: GradeRules) -> str | None:
    """The band (name) whose lower bound ``score`` reaches first; None for a missing score."""
    if score is None or np.isnan(score):
        return None
    rounded = np.round(np.array([float(score)]), PUBLISHED_DECIMALS)  # as published, as ranked
    return rules.bands[int(band_indices(rounded, [b[1] for b in rules.bands])[0])][0]


def rank_and_grade(totals: pd.DataFrame, rules: GradeRules) -> pd.DataFrame:
    """Add ``rank``, ``n_in_group`` and ``grade`` to ``totals`` (needs ``unit_id``,
    ``peer_group``, ``score_100``; uses ``veto`` / ``bar_top`` when present)."""
    out = totals.copy()
    codes, _ = pd.factorize(out["peer_group"].astype(str))
    members = [np.flatnonzero(codes == k) for k in range(codes.max() + 1)] if len(codes) else []
    scores = out["score_100"].to_numpy(dtype="float64")
    ranks = published_ranks(scores, members)
    flag = {k: (out[k].fillna(False).astype(bool).to_numpy() if k in out else np.zeros(len(out), dtype=bool))
            for k in ("veto", "bar_top")}
    grades = grade_indices(scores, ranks, members, [b[1] for b in rules.bands], rules.top_quota,
                           flag["veto"], flag["bar_top"])
    out["rank"] = pd.array(ranks, dtype="Int64")
    out["n_in_group"] = out.groupby("peer_group")["unit_id"].transform("size").astype(int)
    names = [b[0] for b in rules.bands]
    out["grade"] = pd.Series([names[g] if g >= 0 else None for g in grades], index=out.index)
    return out
