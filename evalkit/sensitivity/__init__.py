"""Sensitivity and uncertainty analysis of a composite index (the weighting-scheme lab).

* :mod:`~evalkit.sensitivity.sobol` — variance-based indices: the Saltelli (2010) design,
  first-order (Saltelli 2010) and total (Jansen 1999) estimators, bootstrap intervals, for
  one output or a matrix of outputs (e.g. the rank of every unit).
* :mod:`~evalkit.sensitivity.ranks` — comparing two rankings (Spearman's ρ, Kendall's τ-b,
  weighted Spearman ``r_W``, the WS similarity) and summarising ranks and grades over
  replications.
* :mod:`~evalkit.sensitivity.tipping` — tipping points of a weighted-sum composite (how far
  one weight must move before two units swap) and one-at-a-time weight sweeps.

These are numeric kernels: arrays or pandas objects in, numbers or tidy DataFrames out, no
I/O. Each method is pinned by a test to a published or analytic example.

The weighting-scheme lab applies them to the district scoring model:

* :mod:`~evalkit.scoring.model` — :class:`ScoringModel`, the scoring of a year as
  recorded steps (values, normalise, missing, weights, aggregate) over frozen arrays,
  evaluated for many replications at once; nominally identical to ``score_year``.
* :mod:`~evalkit.sensitivity.specs` — typed uncertainty specs over those steps
  (:class:`WeightNoise`, :class:`DirichletWeights`, :class:`AlternativeSchemes`,
  :class:`NormalisationChoice`, :class:`AggregationChoice`, :class:`MissingPolicyChoice`,
  :class:`IndicatorValueNoise`).
* :mod:`~evalkit.sensitivity.posterior` — the Jeffreys posterior of a rate of records
  (the ``jeffreys`` value draws: data uncertainty that also moves units at 100 %).
* :mod:`~evalkit.sensitivity.uncertainty` — :func:`uncertainty_analysis`: rank intervals,
  grade probabilities, rank shifts.
* :mod:`~evalkit.sensitivity.lab` — :func:`sensitivity_analysis` (Sobol' indices),
  :func:`weight_sweep`, :func:`weight_tipping_points`, :func:`compare_schemes`.
* :mod:`~evalkit.sensitivity.schemes` — weighting schemes and the scheme file.
* :mod:`~evalkit.sensitivity.plots` — the lab's charts.
"""

from ..errors import SensitivityError
from .ranks import (
    grade_probabilities,
    kendall_tau,
    rank_summary,
    ranking_agreement,
    spearman_rho,
    weighted_spearman,
    ws_similarity,
)
from .sobol import (
    SaltelliDesign,
    SobolAnalysis,
    saltelli_design,
    sobol_analysis,
    sobol_indices,
    split_outputs,
)
from .tipping import TippingPoint, move_weight, oat_weight_sweep, tipping_point, tipping_points
from ..scoring.model import Replications, Runs, ScoringModel, scoring_model
from ..scoring.vocabulary import AGGREGATIONS, NORMALISATIONS
from .specs import (
    AggregationChoice,
    AlternativeSchemes,
    DirichletWeights,
    IndicatorValueNoise,
    MissingPolicyChoice,
    NormalisationChoice,
    UncertaintySpec,
    WeightNoise,
    make_plan,
    parse_spec,
)
from .uncertainty import UncertaintyResult, uncertainty_analysis
from .posterior import jeffreys_interval, jeffreys_mean, jeffreys_quantile
from .lab import (
    SchemeComparison,
    SensitivityResult,
    compare_schemes,
    sensitivity_analysis,
    weight_sweep,
    weight_tipping_points,
)
from .schemes import load_schemes, scheme_weights

__all__ = [
    "AGGREGATIONS",
    "AggregationChoice",
    "AlternativeSchemes",
    "DirichletWeights",
    "IndicatorValueNoise",
    "MissingPolicyChoice",
    "NORMALISATIONS",
    "NormalisationChoice",
    "Replications",
    "Runs",
    "SchemeComparison",
    "ScoringModel",
    "SensitivityResult",
    "UncertaintyResult",
    "UncertaintySpec",
    "WeightNoise",
    "compare_schemes",
    "load_schemes",
    "make_plan",
    "parse_spec",
    "scheme_weights",
    "scoring_model",
    "sensitivity_analysis",
    "uncertainty_analysis",
    "weight_sweep",
    "weight_tipping_points",
    "SaltelliDesign",
    "SensitivityError",
    "SobolAnalysis",
    "TippingPoint",
    "grade_probabilities",
    "jeffreys_interval",
    "jeffreys_mean",
    "jeffreys_quantile",
    "kendall_tau",
    "move_weight",
    "oat_weight_sweep",
    "rank_summary",
    "ranking_agreement",
    "saltelli_design",
    "sobol_analysis",
    "sobol_indices",
    "spearman_rho",
    "split_outputs",
    "tipping_point",
    "tipping_points",
    "weighted_spearman",
    "ws_similarity",
]
