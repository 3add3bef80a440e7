"""Qualitative evaluation (效能评价): rubrics, rater groups, aggregation and reliability.

* :mod:`~evalkit.qualitative.rubric` — rubric YAML (scale, criteria, policies) → dataclasses;
* :mod:`~evalkit.qualitative.registry` — evaluator registry, own-unit and declared-conflict
  exclusions (回避), terms, assignments, and their log;
* :mod:`~evalkit.qualitative.aggregate` — per criterion / group / unit aggregation, trimming,
  rater-severity adjustment, minimum raters;
* :mod:`~evalkit.qualitative.reliability` — ICC, Krippendorff's alpha, Kendall's W, Fleiss'
  kappa, and the per-group reliability table with a plain-language flag;
* :mod:`~evalkit.qualitative.diagnostics` — rater severity, distance from consensus,
  straight-lining (flags only, no scores);
* :mod:`~evalkit.qualitative.votes` — 民主测评 votes → scores;
* :mod:`~evalkit.qualitative.survey` — satisfaction rates with Wilson intervals and
  post-stratification;
* :mod:`~evalkit.qualitative.evaluation` — all of it in one call.

Anonymity: individual ratings enter these functions and never leave them. Published tables
hold aggregates and counts; cells with fewer than the minimum raters are suppressed; the
two office tables keyed by rater id (diagnostics, exclusions) hold no score. One caution
for callers: publish one version of each cell. Two published means of the same unit, group
and criterion whose rater sets differ by one person (say, with and without an excluded
rater, or two runs with different minimums) let a reader subtract one from the other and
recover that person's rating; the own-unit exclusion is therefore applied before anything
is aggregated, and evalkit never computes the "with" version.
"""

from .aggregate import aggregate_ratings, combine_groups, drop_extremes_mean, group_scores, trimmed_mean
from .diagnostics import rater_diagnostics
from .evaluation import RatingEvaluation, evaluate_ratings
from .registry import Exclusion, exclude_ineligible, exclude_own_unit, exclusion_counts
from .reliability import (KendallW, ReliabilityError, fleiss_kappa, icc, icc_table, kendall_w,
                          krippendorff_alpha, reliability_table)
from .rubric import (DEFAULT_GROUP_WEIGHTS, DEFAULT_RUBRIC, FIVE_LEVEL_10, FIVE_LEVEL_100, MIN_RATERS, AggregationPolicy,
                     Criterion, Level, Rubric, RubricError, Scale, SurveyPolicy, VoteRule, load_rubric,
                     rubric_from_dict)
from .survey import satisfaction_rates, survey_scores
from .votes import vote_scores

__all__ = [
    "AggregationPolicy", "Criterion", "DEFAULT_GROUP_WEIGHTS", "DEFAULT_RUBRIC", "Exclusion", "FIVE_LEVEL_10", "FIVE_LEVEL_100",
    "KendallW", "Level", "MIN_RATERS", "RatingEvaluation", "ReliabilityError", "Rubric", "RubricError", "Scale",
    "SurveyPolicy", "VoteRule", "aggregate_ratings", "combine_groups", "drop_extremes_mean", "evaluate_ratings",
    "exclude_ineligible", "exclude_own_unit", "exclusion_counts", "fleiss_kappa", "group_scores", "icc",
    "icc_table", "kendall_w", "krippendorff_alpha", "load_rubric", "rater_diagnostics", "reliability_table", "rubric_from_dict", "satisfaction_rates",
    "survey_scores", "trimmed_mean", "vote_scores",
]
