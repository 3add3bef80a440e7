"""evalkit: evaluate government efficiency (政府效能评估) and produce reproducible annual reports.

The public API is importable from the top level; names load lazily so that ``import
evalkit`` (and the command line) starts fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name → module that defines it
_API = {
    # data
    "load_dataset": "evalkit.data.dataset",
    "read_dataset": "evalkit.data.dataset",
    "validate_directory": "evalkit.data.dataset",
    "Dataset": "evalkit.data.dataset",
    "add_working_days": "evalkit.data.workdays",
    "working_days_between": "evalkit.data.workdays",
    "load_configuration": "evalkit.configuration",
    # indicators (效能考核)
    "compute_indicators": "evalkit.indicators",
    "CATALOGUE": "evalkit.indicators",
    "wilson_interval": "evalkit.stats",
    "wilson_intervals": "evalkit.stats",
    "beta_binomial_shrinkage": "evalkit.stats",
    "dea": "evalkit.frontier",
    # qualitative evaluation (效能评价)
    "icc": "evalkit.qualitative",
    "krippendorff_alpha": "evalkit.qualitative",
    "kendall_w": "evalkit.qualitative",
    "KendallW": "evalkit.qualitative",
    "fleiss_kappa": "evalkit.qualitative",
    "trimmed_mean": "evalkit.qualitative",
    "load_rubric": "evalkit.qualitative",
    "evaluate_ratings": "evalkit.qualitative",
    # weighting, normalisation and composites (researchers)
    "ahp_weights": "evalkit.weights",
    "group_ahp": "evalkit.weights",
    "entropy_weights": "evalkit.weights",
    "critic_weights": "evalkit.weights",
    "standard_deviation_weights": "evalkit.weights",
    "coefficient_of_variation_weights": "evalkit.weights",
    "equal_weights": "evalkit.weights",
    "points_to_weights": "evalkit.weights",
    "combine_linear": "evalkit.weights",
    "combine_multiplicative": "evalkit.weights",
    "ConsistencyWarning": "evalkit.weights",
    "topsis": "evalkit.composite",
    "Coin": "evalkit.composite",
    "Denominate": "evalkit.composite",
    "Impute": "evalkit.composite",
    "Screen": "evalkit.composite",
    "Treat": "evalkit.composite",
    "Normalise": "evalkit.composite",
    "Weights": "evalkit.composite",
    "Aggregate": "evalkit.composite",
    "read_meta": "evalkit.composite",
    "treat_outliers": "evalkit.composite",
    # sensitivity of rankings (weighting-scheme lab)
    "sobol_indices": "evalkit.sensitivity",
    "sobol_analysis": "evalkit.sensitivity",
    "saltelli_design": "evalkit.sensitivity",
    "rank_summary": "evalkit.sensitivity",
    "ranking_agreement": "evalkit.sensitivity",
    "tipping_point": "evalkit.sensitivity",
    "scoring_model": "evalkit.sensitivity",
    "ScoringModel": "evalkit.sensitivity",
    "uncertainty_analysis": "evalkit.sensitivity",
    "sensitivity_analysis": "evalkit.sensitivity",
    "compare_schemes": "evalkit.sensitivity",
    "weight_sweep": "evalkit.sensitivity",
    "weight_tipping_points": "evalkit.sensitivity",
    "load_schemes": "evalkit.sensitivity",
    "WeightNoise": "evalkit.sensitivity",
    "DirichletWeights": "evalkit.sensitivity",
    "AlternativeSchemes": "evalkit.sensitivity",
    "NormalisationChoice": "evalkit.sensitivity",
    "AggregationChoice": "evalkit.sensitivity",
    "MissingPolicyChoice": "evalkit.sensitivity",
    "IndicatorValueNoise": "evalkit.sensitivity",
    "rank_interval_table": "evalkit.results.intervals",
    # scoring and results
    "load_framework": "evalkit.scoring.framework",
    "Framework": "evalkit.scoring.framework",
    "compute_results": "evalkit.results.compute",
    "Results": "evalkit.results.store",
    "load_results": "evalkit.results.store",
    "save_results": "evalkit.results.store",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
