"""Scoring: the framework (指标体系) and its table form, leaf rules, the batch kernels, the one
scoring model, adjustments, ranks and grades.

Every path that scores — the published results, the weighting-scheme lab's replications,
the composite pipeline's points sum — goes through :mod:`evalkit.scoring.kernels`, most of
it through :class:`~evalkit.scoring.model.ScoringModel`.
"""

from __future__ import annotations

from .adjustments import apply_adjustments, capped_adjustments
from .framework import AdjustmentRules, Framework, GradeRules, Node, load_framework, parse_framework
from .grades import band_of, rank_and_grade
from .model import Replications, Runs, ScoringModel, score_tree, scoring_model
from .rules import parse_rule

__all__ = ["AdjustmentRules", "Framework", "GradeRules", "Node", "Replications", "Runs", "ScoringModel",
           "apply_adjustments", "band_of", "capped_adjustments", "load_framework", "parse_framework",
           "parse_rule", "rank_and_grade", "score_tree", "scoring_model"]
