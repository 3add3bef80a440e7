"""Composite indicators in the COINr tradition, and distance-to-ideal composites (TOPSIS).

* :mod:`~evalkit.composite.meta` — the tree as a COINr-style ``iMeta`` table; effective
  (global) weights.
* One module per construction step, pure functions on DataFrames:
  :mod:`~evalkit.composite.denominate`, :mod:`~evalkit.composite.impute`,
  :mod:`~evalkit.composite.screen`, :mod:`~evalkit.composite.treat` (JRC outlier
  treatment), normalisation in :mod:`evalkit.scoring.normalise`,
  :mod:`~evalkit.composite.aggregate` (arithmetic and geometric means, points sum,
  TOPSIS).
* :mod:`~evalkit.composite.pipeline` — :class:`Coin`, the immutable container of named
  datasets with a log of typed steps that regenerates it exactly.
* :mod:`~evalkit.composite.topsis` — TOPSIS closeness (Hwang & Yoon, 1981).
"""

from .aggregate import AGGREGATION_METHODS, aggregate, aggregate_group
from .denominate import denominate
from .impute import impute
from .meta import CompositeMeta, MetaError, MetaNode, read_data, read_meta
from .pipeline import Aggregate, Coin, Denominate, Impute, Normalise, Screen, Step, Treat, Weights, step_from_dict
from .screen import data_availability, screen_units
from .topsis import TopsisResult, topsis
from .treat import (
    TreatmentResult,
    check_skew_kurt,
    kurtosis,
    log_ct,
    skewness,
    treat_outliers,
    winsorise,
)

__all__ = [
    "AGGREGATION_METHODS",
    "Aggregate",
    "Coin",
    "CompositeMeta",
    "Denominate",
    "Impute",
    "MetaError",
    "MetaNode",
    "Normalise",
    "Screen",
    "Step",
    "TopsisResult",
    "Treat",
    "TreatmentResult",
    "Weights",
    "aggregate",
    "aggregate_group",
    "check_skew_kurt",
    "data_availability",
    "denominate",
    "impute",
    "kurtosis",
    "log_ct",
    "read_data",
    "read_meta",
    "screen_units",
    "skewness",
    "step_from_dict",
    "topsis",
    "treat_outliers",
    "winsorise",
]
