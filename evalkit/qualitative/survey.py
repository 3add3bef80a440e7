"""Satisfaction surveys (群众/服务对象满意度): rates with Wilson intervals, post-stratified.

:func:`satisfaction_rates` gives per unit the share of satisfied answers to one question
(满意率 = (非常满意 + 满意 + 基本满意) / 有效回答数 by default) with a Wilson score interval,
optionally post-stratified; :func:`survey_scores` gives the mean points of the answers on
a rubric scale (e.g. 100/80/60/30/0).

Post-stratification
-------------------
With population shares P_h of the strata (e.g. 企业 40 %, 居民 60 %), each answer in stratum
h gets the weight P_h / (n_h / n), so the estimate is Σ_h P_h · p_h. Shares are rescaled
over the strata present in the unit's sample (a stratum nobody from answered cannot be
represented); answers with no stratum, or a stratum without a share, are left out of the
weighted estimate and counted in ``n_unweighted_only``. The interval is then the Wilson
interval at Kish's effective sample size n_eff = (Σw)²/Σw² — an approximation that keeps the
Wilson shape (Kish, L. 1965, *Survey Sampling*; Korn, E. L. & Graubard, B. I. 1998,
Confidence intervals for proportions with small expected number of positive counts
estimated from survey data, *Survey Methodology* 24, 193–201).

Units with fewer than ``min_responses`` answers get no rate (status
``below_min_responses``): like rater groups, tiny breakdowns are suppressed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..stats.intervals import wilson_intervals, wilson_limit
from .rubric import ANONYMITY_FLOOR, Scale, SurveyPolicy

__all__ = ["satisfaction_rates", "survey_scores", "SURVEY_COLUMNS"]

SURVEY_COLUMNS = ["unit_id", "question", "n", "n_satisfied", "rate", "ci_low", "ci_high", "method",
                  "n_effective", "rate_unweighted", "n_unweighted_only", "status"]


def _wilson_effective(p: np.ndarray, n_eff: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``p`` at a (possibly fractional) effective
    sample size: :func:`evalkit.stats.intervals.wilson_limit` with ``x = p · n_eff``."""
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    x = np.asarray(p, dtype="float64") * np.asarray(n_eff, dtype="float64")
    return wilson_limit(x, n_eff, -z), wilson_limit(x, n_eff, z)


def satisfaction_rates(responses: pd.DataFrame, policy: SurveyPolicy | None = None) -> pd.DataFrame:
    """Per unit: satisfaction rate (%) of one survey question with a Wilson interval.

    Parameters
    ----------
    responses
        The ``survey_responses`` table: ``response_id, unit_id, question, answer,
        stratum`` (answers as five-level codes).
    policy
        :class:`~evalkit.qualitative.rubric.SurveyPolicy`: question (default ``overall``),
        satisfied answers, minimum responses (5), confidence (0.95) and optional
        ``stratum_shares`` for post-stratification.

    Returns
    -------
    pandas.DataFrame
        :data:`SURVEY_COLUMNS`, one row per unit with answers (sorted): ``n`` answers,
        ``n_satisfied``, ``rate`` and ``ci_low``/``ci_high`` in per cent (post-stratified
        when ``method == "post_stratified"``), ``n_effective`` (= n unweighted),
        ``rate_unweighted``, ``n_unweighted_only`` (answers left out of the weighted
        estimate) and ``status`` (``ok`` | ``below_min_responses``). Values are NaN unless
        ``status == "ok"``.
    """
    policy = policy or SurveyPolicy()
    s = responses[responses["question"] == policy.question]
    good = s["answer"].isin(policy.satisfied).astype(float)
    frame = pd.DataFrame({"unit_id": s["unit_id"].to_numpy(), "good": good.to_numpy(),
                          "stratum": (s["stratum"] if "stratum" in s else pd.Series(np.nan, index=s.index)).to_numpy()})
    g = frame.groupby("unit_id", sort=True)
    out = pd.DataFrame({"n": g.size().astype("int64"), "n_satisfied": g["good"].sum().astype("int64")})
    out.insert(0, "question", policy.question)
    ok = out["n"] >= max(policy.min_responses, ANONYMITY_FLOOR)
    lo, hi = wilson_intervals(out["n_satisfied"].to_numpy(), out["n"].to_numpy(), policy.confidence)
    rate_u = out["n_satisfied"] / out["n"]
    out["rate_unweighted"] = 100.0 * rate_u
    if policy.stratum_shares is None:
        out["rate"] = 100.0 * rate_u
        out["ci_low"], out["ci_high"] = 100.0 * lo, 100.0 * hi
        out["method"] = "unweighted"
        out["n_effective"] = out["n"].astype(float)
        out["n_unweighted_only"] = 0
    else:
        shares = pd.Series(policy.stratum_shares, dtype=float)
        f = frame[frame["stratum"].isin(shares.index)].copy()
        cell = f.groupby(["unit_id", "stratum"], sort=True).agg(n_h=("good", "size"), p_h=("good", "mean"))
        cell["P"] = cell.index.get_level_values("stratum").map(shares).to_numpy()
        cell["P"] = cell["P"] / cell.groupby(level="unit_id")["P"].transform("sum")
        n_w = cell.groupby(level="unit_id")["n_h"].sum()
        rate_w = (cell["P"] * cell["p_h"]).groupby(level="unit_id").sum()
        # weights w = P_h·n/n_h per answer: Σw = n, Σw² = Σ_h n_h (P_h n / n_h)²
        n_rep = cell.index.get_level_values("unit_id").map(n_w).to_numpy()
        sum_w2 = (cell["n_h"] * (cell["P"] * n_rep / cell["n_h"]) ** 2).groupby(level="unit_id").sum()
        n_eff = (n_w.astype(float) ** 2 / sum_w2).reindex(out.index)
        rate_w = rate_w.reindex(out.index)
        wlo, whi = _wilson_effective(rate_w.to_numpy(), n_eff.to_numpy(), policy.confidence)
        out["rate"] = 100.0 * rate_w
        out["ci_low"], out["ci_high"] = 100.0 * wlo, 100.0 * whi
        out["method"] = "post_stratified"
        out["n_effective"] = n_eff
        out["n_unweighted_only"] = (out["n"] - n_w.reindex(out.index).fillna(0)).astype("int64")
    for col in ("rate", "ci_low", "ci_high", "rate_unweighted", "n_effective"):
        out[col] = out[col].where(ok)
    out["status"] = np.where(ok, "ok", "below_min_responses")
    out["n_unweighted_only"] = out["n_unweighted_only"].astype("int64")
    return out.reset_index()[SURVEY_COLUMNS]


def survey_scores(responses: pd.DataFrame, scale: Scale, *, question: str = "overall",
                  min_responses: int = 5) -> pd.DataFrame:
    """Per unit: mean points of the answers to ``question`` on ``scale`` (e.g. 非常满意 100 …
    非常不满意 0), rescaled to 0–100.

    Returns ``unit_id, n, score, status``; ``score`` is NaN and ``status``
    ``below_min_responses`` when a unit has fewer than ``min_responses`` answers.
    """
    s = responses[responses["question"] == question]
    pts = scale.points_of(s["answer"]) * 100.0 / scale.maximum
    g = pts.groupby(s["unit_id"].to_numpy(), sort=True)
    out = pd.DataFrame({"n": g.size().astype("int64"), "score": g.mean()})
    out.index.name = "unit_id"
    ok = out["n"] >= max(min_responses, ANONYMITY_FLOOR)
    out["score"] = out["score"].where(ok)
    out["status"] = np.where(ok, "ok", "below_min_responses")
    return out.reset_index()[["unit_id", "n", "score", "status"]]
