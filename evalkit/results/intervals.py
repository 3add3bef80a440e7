"""The ``rank_intervals`` table of the results: each unit's rank interval under uncertainty in
the construction choices (the weighting-scheme lab's uncertainty analysis of the one scorer)."""

from __future__ import annotations

import pandas as pd

from ..data.dataset import Dataset
from ..scoring.framework import Framework
from ..scoring.model import ScoringModel, scoring_model

__all__ = ["RANK_INTERVAL_N", "RANK_INTERVAL_SEED", "RANK_INTERVAL_WEIGHT_SD", "rank_interval_table"]

#: Seed of the rank intervals in the results (fixed, so the same data give the same intervals).
RANK_INTERVAL_SEED = 20240601
#: Replications behind each unit's rank interval.
RANK_INTERVAL_N = 1000
#: Relative standard deviation of the leaf weights in the rank intervals' scenarios.
RANK_INTERVAL_WEIGHT_SD = 0.2


def rank_interval_table(dataset: Dataset, framework: Framework, year: int, n: int = RANK_INTERVAL_N,
                        seed: int = RANK_INTERVAL_SEED, relative_sd: float = RANK_INTERVAL_WEIGHT_SD,
                        value_noise: bool = False, model: ScoringModel | None = None) -> pd.DataFrame:
    """Each unit's rank interval over ``n`` scenarios: the ``rank_intervals`` results table.

    The published scenarios vary the construction choice leaders ask about — every leaf's
    weight (分值), independently, uniformly within ± √3 × 20 % of its points (relative
    standard deviation 20 %; COINr's noise factor 0.35), :class:`evalkit.sensitivity.WeightNoise`
    — as the OECD/JRC handbook's step 7 does. With ``value_noise=True`` every rate of records
    is also redrawn within its 95 % Wilson interval (:class:`evalkit.sensitivity.IndicatorValueNoise`).
    That is off by default for the published table: rates at their 100 % ceiling can only be
    redrawn downwards, so the data noise moves full-marks units down systematically and its
    intervals (about 24 of 35 department ranks on the sample) say more about small counts
    than about the ranking; the weights lab shows both.

    Everything else (rules, missing-data policy, bonus points, grades) stays as published.
    ``rank_low`` and ``rank_high`` are the 5th and 95th percentiles of the unit's rank within
    its peer group (ranks that occurred: ``inverted_cdf``), ``rank_median`` the median.

    Returns
    -------
    DataFrame
        ``unit_id, rank_low, rank_high, rank_median, n_scenarios``;
        ``attrs["parameters"]`` records the method, ``n``, the seed and the noise, and goes
        into ``meta["parameters"]["rank_intervals"]``.

    References
    ----------
    Saisana, M., Saltelli, A. & Tarantola, S. (2005). *J. R. Statist. Soc. A* 168(2), 307–323.
    Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their limitations.
    *J. R. Statist. Soc. A* 159(3), 385–443 (rank intervals from sampling uncertainty).
    """
    from ..sensitivity import IndicatorValueNoise, WeightNoise, uncertainty_analysis

    model = model if model is not None else scoring_model(dataset, framework, year)
    specs = [WeightNoise(relative_sd)]
    with_values = value_noise and bool(model.steps["values"].alternatives)
    if with_values:
        specs.append(IndicatorValueNoise("wilson"))
    table = uncertainty_analysis(model, specs, n, seed=seed).rank_intervals()
    table.attrs["parameters"] = {
        "method": "uncertainty analysis (evalkit.sensitivity.uncertainty_analysis)",
        "n_scenarios": int(n), "seed": int(seed), "weight_relative_sd": float(relative_sd),
        "value_noise": "wilson" if with_values else "none",
        "percentiles": [5, 95], "percentile_method": "inverted_cdf",
    }
    return table
