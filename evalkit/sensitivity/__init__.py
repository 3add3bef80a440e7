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
"""

from .errors import SensitivityError
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

__all__ = [
    "SaltelliDesign",
    "SensitivityError",
    "SobolAnalysis",
    "TippingPoint",
    "grade_probabilities",
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
