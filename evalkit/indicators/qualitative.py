"""Qualitative evaluation (效能评价) summarised per unit: ratings, votes, surveys.

Thin adapters from a :class:`~evalkit.data.dataset.Dataset` to :mod:`evalkit.qualitative`, which
holds the rules (rater groups and weights, minimum raters, own-unit and declared-conflict
exclusions, raters' terms and assignments, trimming, vote rules, survey rates). Individual
ratings never leave :mod:`evalkit.qualitative`; the frames returned here carry per-unit
values and counts only.

Each function takes its rules from a rubric (``rubric``, or one of its policies: ``policy``,
``rule``). :func:`~evalkit.indicators.compute_indicators` passes the rubric of its
:class:`~evalkit.indicators.parameters.IndicatorParameters` — the data's ``rubric.yaml``
when the caller loaded the evaluation configuration. Called with (dataset, year) alone, a
function applies :data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`, the documented defaults.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..qualitative.evaluation import evaluate_ratings
from ..qualitative.registry import exclude_ineligible
from ..qualitative.rubric import (DEFAULT_GROUP_WEIGHTS, DEFAULT_RUBRIC, MIN_RATERS, VOTE_POINTS, AggregationPolicy,
                                  Rubric, SurveyPolicy, VoteRule)
from ..qualitative.survey import satisfaction_rates
from ..qualitative.votes import vote_scores
from .base import rate_frame, value_frame

__all__ = ["DEFAULT_GROUP_WEIGHTS", "MIN_RATERS", "VOTE_POINTS", "eligible_ratings", "rater_registry",
           "rating_score", "survey_satisfaction_rate", "vote_score"]


def rater_registry(dataset, year: int) -> dict:
    """What the rater rules read for ``year``, as the keywords of
    :func:`evalkit.qualitative.registry.exclude_ineligible` (and
    :func:`~evalkit.qualitative.evaluate_ratings`): ``raters`` (the registry), ``year``,
    ``assignments`` (the year's ``rater_assignments``) and ``conflicts`` (the declared
    ``rater_conflicts``); None for a table the data do not have."""
    return {"raters": dataset.table("raters") if dataset.has("raters") else None, "year": year,
            "assignments": (dataset.table("rater_assignments", year)
                            if dataset.has("rater_assignments", year) else None),
            "conflicts": dataset.table("rater_conflicts") if dataset.has("rater_conflicts") else None}


def eligible_ratings(dataset, year: int) -> pd.DataFrame:
    """Ratings that count: every rater's rating of their own unit, of a unit they declared a
    conflict of interest with, outside their term or (when the year has assignments) of a
    unit they were not assigned to removed (回避); see
    :func:`evalkit.qualitative.registry.exclude_ineligible`."""
    registry = rater_registry(dataset, year)
    return exclude_ineligible(dataset.table("ratings", year), registry.pop("raters"), **registry).eligible


def rating_score(dataset, year: int, group_weights: dict[str, float] | None = None,
                 min_raters: int | None = None, *, rubric: Rubric | None = None,
                 policy: AggregationPolicy | None = None) -> pd.DataFrame:
    """效能评价得分 — weighted mean rubric score across rater groups (0–100).

    得分 = Σ_g w_g · 组得分_g / Σ_g w_g over the published rater groups g (区领导 30 %,
    部门/街镇互评 20 %, 服务对象 40 %, 第三方专家 10 % by default). A group's score is the
    weighted mean over criteria of the per-criterion mean (or median, trimmed mean,
    去掉最高最低分, severity-adjusted — per the rubric's aggregation policy) of the group's
    raters. A criterion rated by fewer than ``min_raters`` (default 5) distinct raters of a
    group is suppressed for that unit, and a group with no published criterion is left
    out (weights rescaled over the rest). Raters' ratings of their own unit, of units they
    declared a conflict of interest with (``rater_conflicts``), outside their term and —
    when the year has ``rater_assignments`` — of units they were not assigned to are
    excluded first. ``n`` is the number of distinct raters in the groups used. Unit: points
    (0–100). Direction: higher is better. Source: domain brief §1.3 (rater groups and
    weights) and §5.4; :mod:`evalkit.qualitative.aggregate`.

    The rules come from ``rubric`` (default
    :data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`): its aggregation policy (or
    ``policy``, or ``group_weights``/``min_raters`` in place of the policy's) and its
    criterion weights. The value equals the combined score of
    :func:`evalkit.qualitative.evaluate_ratings` with the same rubric, which computes it.
    """
    rubric = rubric if rubric is not None else DEFAULT_RUBRIC
    pol = policy or rubric.aggregation
    if group_weights is not None or min_raters is not None:
        pol = AggregationPolicy(**{**pol.__dict__,
                                   **({"group_weights": dict(group_weights)} if group_weights is not None else {}),
                                   **({"min_raters": int(min_raters)} if min_raters is not None else {})})
    ratings = dataset.table("ratings", year)
    units = dataset.units["unit_id"]
    if not ratings["score"].notna().any():
        return value_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    registry = rater_registry(dataset, year)
    ev = evaluate_ratings(ratings, registry.pop("raters"), rubric=rubric, policy=pol, reliability=False,
                          diagnostics=False, **registry)
    combined = ev.unit_scores.set_index("unit_id")
    n = combined["n_raters"].where(combined["status"] == "ok", 0)
    return value_frame(units, year, combined["score"], n)


def survey_satisfaction_rate(dataset, year: int, question: str | None = None, *,
                             policy: SurveyPolicy | None = None) -> pd.DataFrame:
    """群众满意率 — share of survey answers 非常满意, 满意 or 基本满意 (question ``overall``).

    满意率 = (非常满意 + 满意 + 基本满意) / 有效回答数 × 100%. Units with fewer than 5 answers
    (``policy.min_responses``) show no data: so few answers would identify respondents and
    say little. With ``policy.stratum_shares`` the value is post-stratified (numerator and
    denominator stay the raw counts). Wilson intervals:
    :func:`evalkit.qualitative.survey.satisfaction_rates`. Unit: %. Direction: higher is
    better. Source: domain brief §1.3 (服务对象评价, five-level scale). Default policy:
    ``DEFAULT_RUBRIC.survey``; :func:`~evalkit.indicators.compute_indicators` passes its
    rubric's.
    """
    pol = policy or DEFAULT_RUBRIC.survey
    if question is not None:
        pol = SurveyPolicy(**{**pol.__dict__, "question": question})
    units = dataset.units["unit_id"]
    rates = satisfaction_rates(dataset.table("survey_responses", year), pol)
    rates = rates[rates["status"] == "ok"].set_index("unit_id")
    if pol.stratum_shares is None:
        return rate_frame(units, year, rates["n_satisfied"].astype("float64"), rates["n"].astype("float64"))
    out = rate_frame(units, year, rates["n_satisfied"].astype("float64"), rates["n"].astype("float64"))
    weighted = out["unit_id"].map(rates["rate"]).astype("float64")
    out["value"] = np.where(out["status"] == "ok", weighted, np.nan)
    return out


def vote_score(dataset, year: int, points: dict[str, float] | None = None, *,
               rule: VoteRule | None = None) -> pd.DataFrame:
    """民主测评得分 — vote shares turned into a 0–100 score.

    score = Σ_c share_c · points_c with 优秀 100, 称职 80, 基本称职 60, 不称职 0 by default,
    over all voter groups; or another :class:`~evalkit.qualitative.rubric.VoteRule`
    (e.g. the 优秀率, or voter-group weights). Units with fewer than 5 votes show no data.
    ``n`` is the number of votes. Unit: points. Direction: higher is better. Source: domain
    brief §1.3 (民主测评); :mod:`evalkit.qualitative.votes`. Default rule:
    ``DEFAULT_RUBRIC.votes``; :func:`~evalkit.indicators.compute_indicators` passes its
    rubric's.
    """
    r = rule or DEFAULT_RUBRIC.votes
    if points is not None:
        r = VoteRule(**{**r.__dict__, "points": dict(points)})
    units = dataset.units["unit_id"]
    scores = vote_scores(dataset.table("votes", year), r).set_index("unit_id")
    n = scores["n_votes"].where(scores["status"] == "ok", 0)
    return value_frame(units, year, scores["score"], n)
