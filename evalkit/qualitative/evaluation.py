"""The whole rubric evaluation of one year in one call: :func:`evaluate_ratings`.

registry (own-unit exclusion) → per-criterion aggregation → group scores → combined unit
scores, plus reliability per group and criterion and rater diagnostics. Every table it
returns is safe to hand on: aggregates carry counts but no rater ids; the two tables keyed
by rater id (``diagnostics``, ``exclusions``) carry no scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .aggregate import aggregate_ratings, combine_groups, group_scores
from .diagnostics import rater_diagnostics
from .registry import exclude_own_unit
from .reliability import reliability_table
from .rubric import DEFAULT_RUBRIC, AggregationPolicy, Rubric

__all__ = ["RatingEvaluation", "evaluate_ratings"]


@dataclass(frozen=True)
class RatingEvaluation:
    """Results of :func:`evaluate_ratings`.

    criterion_scores
        Per unit, rater group and criterion (:data:`~evalkit.qualitative.aggregate.CELL_COLUMNS`).
    group_scores
        Per unit and rater group (:data:`~evalkit.qualitative.aggregate.GROUP_COLUMNS`).
    unit_scores
        Per unit, groups combined (:data:`~evalkit.qualitative.aggregate.UNIT_COLUMNS`).
    reliability
        Per rater group and criterion, with the low-agreement flag
        (:func:`~evalkit.qualitative.reliability.reliability_table`).
    diagnostics
        Per rater: severity category and flags, no scores — for the evaluation office.
    exclusions
        Per rater and unit excluded, with the reason, no scores — for the evaluation office.
    policy
        The aggregation policy applied.
    """

    criterion_scores: pd.DataFrame
    group_scores: pd.DataFrame
    unit_scores: pd.DataFrame
    reliability: pd.DataFrame | None
    diagnostics: pd.DataFrame | None
    exclusions: pd.DataFrame
    policy: AggregationPolicy

    #: Tables meant for publication (no rater ids anywhere in them).
    PUBLIC_TABLES = ("criterion_scores", "group_scores", "unit_scores", "reliability")
    #: Tables keyed by rater id, for the evaluation office only (never a score in them).
    OFFICE_TABLES = ("diagnostics", "exclusions")


def evaluate_ratings(ratings: pd.DataFrame, raters: pd.DataFrame | None = None, *,
                     rubric: Rubric | None = None, policy: AggregationPolicy | None = None,
                     reliability: bool = True, diagnostics: bool = True) -> RatingEvaluation:
    """Aggregate one year's rubric ratings and check their reliability.

    Parameters
    ----------
    ratings
        The ``ratings`` table (``rater_id, rater_group, unit_id, criterion, score`` 0–100).
    raters
        The ``raters`` registry; None skips the own-unit exclusion (a warning is logged).
    rubric
        Gives the criterion weights, the scale (for Fleiss' kappa) and the default policy;
        ratings with a criterion the rubric lacks raise
        :class:`~evalkit.qualitative.rubric.RubricError`. Default:
        :data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`.
    policy
        Overrides ``rubric.aggregation``.
    reliability, diagnostics
        Compute the reliability table and the rater diagnostics (default True).
    """
    rubric = rubric if rubric is not None else DEFAULT_RUBRIC
    rubric.check_ratings(ratings)
    policy = policy or rubric.aggregation
    excl = exclude_own_unit(ratings, raters)
    eligible = excl.eligible
    cells = aggregate_ratings(eligible, policy)
    groups = group_scores(eligible, policy, rubric.criterion_weights, cells=cells)
    units = combine_groups(groups, policy.group_weights, missing_group=policy.missing_group)
    return RatingEvaluation(
        criterion_scores=cells, group_scores=groups, unit_scores=units,
        reliability=reliability_table(eligible, rubric=rubric) if reliability else None,
        diagnostics=rater_diagnostics(eligible) if diagnostics else None,
        exclusions=excl.exclusions, policy=policy)
