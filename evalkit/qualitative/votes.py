"""Democratic evaluation (民主测评): vote shares turned into scores by a configurable rule.

The ``votes`` table holds counts per unit and voter group of 优秀 (excellent), 称职
(competent), 基本称职 (basically competent) and 不称职 (incompetent). :func:`vote_scores`
turns them into a 0–100 score with a :class:`~evalkit.qualitative.rubric.VoteRule`:

* ``points`` (default): score = Σ_c share_c · points_c, with 优秀 100, 称职 80, 基本称职 60,
  不称职 0 unless configured;
* ``share``: score = 100 × share of the chosen categories (``[excellent]`` → 优秀率,
  ``[excellent, competent]`` → 称职率).

Votes are pooled over voter groups unless ``voter_weights`` are given; then each voter
group's score is weighted, and groups with fewer than ``min_voters`` votes are left out
(weights rescaled over the rest) — a breakdown by a handful of voters would reveal how
they voted. A unit with fewer than ``min_voters`` votes in all gets no score (``no_data``
… ``below_min_voters``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .rubric import ANONYMITY_FLOOR, VOTE_CATEGORIES, VoteRule

__all__ = ["vote_scores", "VOTE_COLUMNS"]

VOTE_COLUMNS = ["unit_id", "n_votes", "share_excellent", "share_competent", "share_basically_competent",
                "share_incompetent", "score", "groups_used", "status"]


def _score(counts: pd.DataFrame, rule: VoteRule) -> pd.Series:
    n = counts[list(VOTE_CATEGORIES)].sum(axis=1).astype(float)
    if rule.rule == "points":
        num = sum(counts[c].astype(float) * rule.points[c] for c in VOTE_CATEGORIES)
    else:
        num = 100.0 * sum(counts[c].astype(float) for c in rule.share_of)
    return num / n.where(n > 0)


def vote_scores(votes: pd.DataFrame, rule: VoteRule | None = None) -> pd.DataFrame:
    """Per unit: vote shares and the score given by ``rule``.

    Parameters
    ----------
    votes
        The ``votes`` table: ``unit_id, voter_group, excellent, competent,
        basically_competent, incompetent`` (counts).
    rule
        :class:`~evalkit.qualitative.rubric.VoteRule`; default: points 100/80/60/0, all
        votes pooled, minimum 5 votes.

    Returns
    -------
    pandas.DataFrame
        :data:`VOTE_COLUMNS`, one row per unit (sorted): ``n_votes`` (all votes),
        ``share_*`` (pooled shares, 0–1), ``score`` (0–100; NaN unless ``status == "ok"``),
        ``groups_used`` (voter groups in the score) and ``status`` (``ok`` |
        ``below_min_voters``).
    """
    rule = rule or VoteRule()
    cols = list(VOTE_CATEGORIES)
    v = votes[["unit_id", "voter_group"] + cols].copy()
    v[cols] = v[cols].astype(float)
    pooled = v.groupby("unit_id", sort=True)[cols].sum()
    n = pooled.sum(axis=1)
    out = pd.DataFrame(index=pooled.index)
    out["n_votes"] = n.astype("int64")
    for c in cols:
        out[f"share_{c}"] = pooled[c] / n.where(n > 0)
    if rule.voter_weights is None:
        score = _score(pooled, rule)
        groups_used = v[v[cols].sum(axis=1) > 0].groupby("unit_id")["voter_group"].nunique()
    else:
        per = v.groupby(["unit_id", "voter_group"], sort=True)[cols].sum()
        size = per.sum(axis=1)
        per = per[size >= max(rule.min_voters, ANONYMITY_FLOOR)]
        g = per.assign(score=_score(per, rule)).reset_index()
        g["w"] = g["voter_group"].map(rule.voter_weights).fillna(0.0)
        g = g[g["w"] > 0]
        g["ws"] = g["w"] * g["score"]
        agg = g.groupby("unit_id").agg(ws=("ws", "sum"), w=("w", "sum"), groups=("voter_group", "size"))
        score = (agg["ws"] / agg["w"]).reindex(out.index)
        groups_used = agg["groups"]
    ok = (n >= max(rule.min_voters, ANONYMITY_FLOOR)) & score.notna()
    for c in cols:  # the shares of one or two votes would say how each was cast
        out[f"share_{c}"] = out[f"share_{c}"].where(n >= ANONYMITY_FLOOR)
    out["score"] = score.where(ok)
    out["groups_used"] = groups_used.reindex(out.index).fillna(0).astype("int64")
    out["status"] = np.where(ok, "ok", "below_min_voters")
    return out.reset_index()[VOTE_COLUMNS]
