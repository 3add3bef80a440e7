"""Weighting schemes for composite indicators.

* :mod:`~evalkit.weights.expert` — equal weights, expert point allocation.
* :mod:`~evalkit.weights.ahp` — AHP (eigenvector, row geometric mean), consistency ratio,
  group AHP (AIJ, AIP).
* :mod:`~evalkit.weights.objective` — entropy, CRITIC, standard deviation, coefficient of
  variation.
* :mod:`~evalkit.weights.combined` — subjective–objective combinations.

Every function returns non-negative weights that sum to 1, as a Series indexed by
criterion when the input named the criteria and as a numpy array otherwise.
"""

from .ahp import (
    RANDOM_INDEX,
    AHPResult,
    ConsistencyWarning,
    GroupAHPResult,
    PairwiseMatrixError,
    ahp_weights,
    group_ahp,
)
from .combined import combine_linear, combine_multiplicative
from .expert import equal_weights, points_to_weights
from .objective import (
    CriticResult,
    EntropyResult,
    coefficient_of_variation_weights,
    critic_weights,
    entropy_weights,
    standard_deviation_weights,
)

__all__ = [
    "AHPResult",
    "ConsistencyWarning",
    "CriticResult",
    "EntropyResult",
    "GroupAHPResult",
    "PairwiseMatrixError",
    "RANDOM_INDEX",
    "ahp_weights",
    "coefficient_of_variation_weights",
    "combine_linear",
    "combine_multiplicative",
    "critic_weights",
    "entropy_weights",
    "equal_weights",
    "group_ahp",
    "points_to_weights",
    "standard_deviation_weights",
]
