"""The whole rubric evaluation of one year in one call: :func:`evaluate_ratings`.

registry (own-unit, declared-conflict, term and assignment exclusions) → per-criterion
aggregation → group scores → combined unit scores, plus reliability per group and criterion
and rater diagnostics. Every table it returns is safe to hand on: aggregates carry counts
but no rater ids; the two tables keyed by rater id (``diagnostics``, ``exclusions``) carry
no scores; and nothing in the public tables rests on fewer than
:data:`~evalkit.qualitative.rubric.ANONYMITY_FLOOR` raters — the reliability of a rater
group that small is not published either. No table carries a rater's name or any other
column of the registry.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..data.contract import RATER_GROUPS
from .aggregate import aggregate_ratings, combine_groups, group_scores
from .diagnostics import rater_diagnostics
from .registry import exclude_ineligible
from .reliability import reliability_table
from .rubric import ANONYMITY_FLOOR, DEFAULT_RUBRIC, AggregationPolicy, Rubric

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
        Per rater and unit excluded, with the reason, no scores — for the evaluation office
        (:func:`~evalkit.qualitative.registry.exclusion_counts` gives the counts per reason
        alone).
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
                     reliability: bool = True, diagnostics: bool = True, year: int | None = None,
                     assignments: pd.DataFrame | None = None,
                     conflicts: pd.DataFrame | None = None) -> RatingEvaluation:
    """Aggregate one year's rubric ratings and check their reliability.

    Parameters
    ----------
    ratings
        The ``ratings`` table (``rater_id, rater_group, unit_id, criterion, score`` 0–100).
    raters
        The ``raters`` registry; None skips every exclusion (a warning is logged).
    rubric
        Gives the criterion weights, the scale (for Fleiss' kappa) and the default policy;
        ratings with a criterion the rubric lacks raise
        :class:`~evalkit.qualitative.rubric.RubricError`. Default:
        :data:`~evalkit.qualitative.rubric.DEFAULT_RUBRIC`.
    policy
        Overrides ``rubric.aggregation``.
    reliability, diagnostics
        Compute the reliability table and the rater diagnostics (default True).
    year, assignments, conflicts
        The ratings' year (for the raters' terms), the year's ``rater_assignments`` and the
        declared ``rater_conflicts``; see
        :func:`~evalkit.qualitative.registry.exclude_ineligible`. None: not checked.
    """
    rubric = rubric if rubric is not None else DEFAULT_RUBRIC
    rubric.check_ratings(ratings)
    policy = policy or rubric.aggregation
    excl = exclude_ineligible(ratings, raters, year=year, assignments=assignments, conflicts=conflicts)
    eligible = excl.eligible
    cells = aggregate_ratings(eligible, policy)
    groups = group_scores(eligible, policy, rubric.criterion_weights, cells=cells)
    units = combine_groups(groups, policy.group_weights, missing_group=policy.missing_group)
    return RatingEvaluation(
        criterion_scores=cells, group_scores=groups, unit_scores=units,
        reliability=_below_floor_withheld(reliability_table(eligible, rubric=rubric)) if reliability else None,
        diagnostics=rater_diagnostics(eligible) if diagnostics else None,
        exclusions=excl.exclusions, policy=policy)


def _below_floor_withheld(table: pd.DataFrame) -> pd.DataFrame:
    """The reliability table with every statistic of a rater group (per criterion) of fewer
    than :data:`~evalkit.qualitative.rubric.ANONYMITY_FLOOR` raters withheld: numbers NaN,
    ``agreement`` ``not_assessable``, no low-agreement flag, and a message saying why.
    Counts stay (they are what the report shows for a withheld group)."""
    thin = table["n_raters"] < ANONYMITY_FLOOR
    if table.empty or not thin.any():
        return table
    out = table.copy()
    counts = {"rater_group", "criterion", "n_units", "n_raters", "n_ratings", "agreement", "low_agreement",
              "message_zh", "message_en"}
    for column in out.columns:
        if column not in counts and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].mask(thin)
    out.loc[thin, "agreement"] = "not_assessable"
    out.loc[thin, "low_agreement"] = False
    groups = out.loc[thin, "rater_group"].astype(str)
    out.loc[thin, "message_zh"] = [f"{RATER_GROUPS.get(g, g)}评价人少于{ANONYMITY_FLOOR}人，不公布评价一致性。" for g in groups]
    out.loc[thin, "message_en"] = [f"Fewer than {ANONYMITY_FLOOR} {g} raters: agreement is not published." for g in groups]
    return out
