"""The one vocabulary of method names: scoring rules, normalisations, aggregations,
missing-data policies and value draws.

The framework parser, the weighting-scheme lab's specs, the composite pipeline's steps and
the framework JSON Schema (generated from these tuples, :mod:`evalkit.scoring.schema`) all
read the names from here, so a new method is added in one place.
"""

from __future__ import annotations

from .rules import RULES
from .wording import PERCENT_UNITS, TEXT_LANGUAGES, UNIT_WORDS, unit_word

__all__ = ["AGGREGATIONS", "COMPOSITE_AGGREGATIONS", "COMPOSITE_NORMALISATIONS", "DIRECTION_WORDS", "LEAF_KINDS", "MISSING_POLICIES",
           "NORMALISATIONS", "PERCENT_UNITS", "RULE_TYPES", "SHARE_SCALE", "TEXT_LANGUAGES", "UNIT_WORDS", "VALUE_METHODS",
           "unit_word"]

#: Leaf scoring rules (计分规则) of a framework, :mod:`evalkit.scoring.rules`.
RULE_TYPES: tuple[str, ...] = tuple(RULES)
#: What a leaf without data counts for (see :func:`evalkit.scoring.kernels.fill_missing`).
MISSING_POLICIES: tuple[str, ...] = ("renormalise", "zero", "peer_mean")
#: How leaf values reach a common scale in the scoring model; ``rules`` is the framework's own.
NORMALISATIONS: tuple[str, ...] = ("rules", "minmax", "zscore", "rank", "percentile", "distance_to_target")
#: Normalisations whose composite lies on the framework's 0–100 scale (bands and adjustments apply).
SHARE_SCALE: tuple[str, ...] = ("rules", "minmax", "percentile", "distance_to_target")
#: How leaf scores combine up the framework tree in the scoring model.
AGGREGATIONS: tuple[str, ...] = ("points_sum", "geometric")
#: How a rate is redrawn within its uncertainty in the lab's value noise: ``wilson`` (its
#: Wilson confidence distribution), ``uniform`` (within its Wilson interval), ``jeffreys``
#: (its Jeffreys posterior Beta(x + 1/2, n − x + 1/2), :mod:`evalkit.sensitivity.posterior`).
VALUE_METHODS: tuple[str, ...] = ("wilson", "uniform", "jeffreys")
#: Normalisations of the composite pipeline's ``Normalise`` step (COINr names); ``target``
#: is ``distance_to_target`` under COINr's name.
COMPOSITE_NORMALISATIONS: tuple[str, ...] = ("minmax", "zscore", "rank", "percentile", "target")
#: Aggregations of the composite pipeline's ``Aggregate`` step; ``points_sum`` is the
#: scoring model's, ``geom_mean`` the weighted geometric mean (``geometric`` here).
COMPOSITE_AGGREGATIONS: tuple[str, ...] = ("arith_mean", "geom_mean", "points_sum", "topsis")
#: Kinds of a leaf: 效能考核 (counted) or 效能评价 (rated).
LEAF_KINDS: tuple[str, ...] = ("quantitative", "qualitative")
#: How a framework may write a leaf's direction → +1 (higher is better) or −1 (lower is better).
DIRECTION_WORDS: dict = {1: 1, -1: -1, "+1": 1, "-1": -1, "higher": 1, "lower": -1}
