"""Uncertainty analysis of the ranking: many replications of the scoring under random choices.

For ``N`` replications, the uncertain steps named by the specs are drawn at random
(everything else at its nominal choice), every unit is scored, ranked within its peer group
and graded, and each unit's ranks are summarised against its nominal (published) rank: the
median, the 5th and 95th percentiles (an interval of ranks that occurred), the mean absolute
rank shift, and the probability of each grade (Saisana, Saltelli & Tarantola, 2005; OECD/JRC
Handbook, step 7). Every replication's sampled parameters are kept.

The same seed gives the same numbers (one :class:`numpy.random.Generator` drives every
draw).

References
----------
Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *Journal of the
Royal Statistical Society A* 168(2), 307–323.
Nardo, M. et al. (2008). *Handbook on Constructing Composite Indicators*. OECD/JRC, step 7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import SensitivityError
from ..scoring.model import Runs, ScoringModel
from .ranks import grade_probabilities, rank_summary
from .sobol import _generator, _positive_int, _unit_sample
from .specs import Plan, make_plan

__all__ = ["UncertaintyResult", "uncertainty_analysis"]

#: A unit is *stable* when its 90 % rank interval (p05 … p95) is at most this wide.
STABLE_WIDTH = 0


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Result of :func:`uncertainty_analysis`.

    Attributes
    ----------
    summary : DataFrame
        One row per unit (index ``unit_id``): ``name_zh, peer_group, n_in_group,
        nominal_score, nominal_rank, median_rank, rank_p05, rank_p95, rank_width`` (p95 −
        p05), ``mean_abs_shift``, ``stable`` (the 90 % interval is a single rank),
        ``nominal_grade`` and ``p_<grade>`` for each grade band (plus ``p_no_grade`` when
        some replications give a unit no grade). Percentiles are ``"inverted_cdf"``
        (ranks that occurred; :func:`~evalkit.sensitivity.ranks.rank_summary`).
    grade_probabilities : DataFrame
        Units × grades: the share of replications with each grade.
    ranks, scores : DataFrame
        Replications × units (columns ``unit_id``).
    grades : DataFrame
        Replications × units, categorical grades (missing = no grade).
    samples : DataFrame
        One row per replication: the choices drawn and the weight multipliers
        (see :meth:`Plan.samples`).
    value_draws : ndarray or None
        The indicator values of every replication (replications × units × leaves) when
        values were varied.
    nominal : DataFrame
        ``unit_id, peer_group, score_100, rank, grade`` of the nominal scoring.
    plan : Plan
        The specs and factors.
    n, seed
    """

    summary: pd.DataFrame
    grade_probabilities: pd.DataFrame
    ranks: pd.DataFrame
    scores: pd.DataFrame
    grades: pd.DataFrame
    samples: pd.DataFrame
    value_draws: np.ndarray | None
    nominal: pd.DataFrame
    plan: Plan
    n: int
    seed: object

    def rank_intervals(self) -> pd.DataFrame:
        """The results' ``rank_intervals`` table: ``unit_id, rank_low`` (p05), ``rank_high``
        (p95), ``rank_median, n_scenarios`` (see :mod:`evalkit.results.store`)."""
        s = self.summary
        return pd.DataFrame({
            "unit_id": s.index.to_numpy(),
            "rank_low": s["rank_p05"].round().astype("Int64").to_numpy(),
            "rank_high": s["rank_p95"].round().astype("Int64").to_numpy(),
            "rank_median": s["median_rank"].to_numpy(dtype=float),
            "n_scenarios": np.full(len(s), self.n, dtype="int64"),
        })

    def mean_rank_shift(self) -> float:
        """``R̄_S``: the mean absolute rank shift over units and replications (Saisana et al., 2005)."""
        return float(np.nanmean(self.summary["mean_abs_shift"].to_numpy(dtype=float)))


def uncertainty_analysis(model: ScoringModel, specs, n: int = 1000, *, seed=None,
                         sampler="random") -> UncertaintyResult:
    """Replicate the scoring ``n`` times under the uncertainties of ``specs``.

    Parameters
    ----------
    model : ScoringModel
    specs : spec or sequence of specs
        :class:`~evalkit.sensitivity.specs.WeightNoise`, ``NormalisationChoice`` … (or
        mappings for :func:`~evalkit.sensitivity.specs.parse_spec`).
    n : int
        Replications (≥ 2).
    seed : int, numpy.random.Generator or None
        The same seed gives the same numbers.
    sampler : {"random", "sobol"}
        Pseudo-random uniforms (default) or scrambled Sobol' points (``n`` a power of two).

    Returns
    -------
    UncertaintyResult

    Examples
    --------
    >>> from evalkit.sensitivity import WeightNoise, IndicatorValueNoise  # doctest: +SKIP
    >>> res = uncertainty_analysis(model, [WeightNoise(0.2), IndicatorValueNoise()], 1000, seed=1)  # doctest: +SKIP
    >>> res.summary[["nominal_rank", "rank_p05", "rank_p95"]]  # doctest: +SKIP
    """
    plan = make_plan(model, specs)
    n = _positive_int(n, "n", 2)
    gen = _generator(seed)
    if sampler == "sobol" and plan.width > 21201:  # scipy's Sobol' direction numbers
        raise SensitivityError(f"{plan.width} uniform columns per replication are more than Sobol' points offer "
                               "(21201); use sampler='random'")
    u = _unit_sample(n, plan.width, gen, sampler)
    reps = plan.replications(u)
    runs = model.run(reps, plan.schemes)
    return _result(model, plan, runs, reps, n, seed)


def _result(model: ScoringModel, plan: Plan, runs: Runs, reps, n: int, seed) -> UncertaintyResult:
    ids = model.unit_ids
    nominal = model.nominal()
    nom_rank = nominal["rank"].astype("float64").to_numpy()
    ranks = pd.DataFrame(runs.ranks, columns=ids)
    scores = pd.DataFrame(runs.scores, columns=ids)
    bands = [b[0] for b in model.framework.grades.bands]
    grades = pd.DataFrame({uid: pd.Categorical.from_codes(runs.grades[:, j].astype(np.int64), categories=bands)
                           for j, uid in enumerate(ids)})
    grades.columns.name = "unit_id"
    probs = grade_probabilities(grades, levels=bands)
    probs.index.name = "unit_id"

    complete = np.all(np.isfinite(runs.ranks), axis=0) & np.isfinite(nom_rank)
    summary = pd.DataFrame(index=ids, columns=["nominal_rank", "median_rank", "p05", "p95", "mean_abs_shift"],
                           dtype=float)
    if complete.any():
        part = rank_summary(ranks.loc[:, complete], pd.Series(nom_rank[complete], index=ids[complete]),
                            method="inverted_cdf")
        summary.loc[part.index, part.columns] = part
    for j in np.flatnonzero(~complete):  # units without a score in some (or all) replications
        r = runs.ranks[:, j]
        r = r[np.isfinite(r)]
        summary.iloc[j, 0] = nom_rank[j]
        if r.size:
            summary.iloc[j, 1] = float(np.median(r))
            summary.iloc[j, 2], summary.iloc[j, 3] = np.percentile(r, [5, 95], method="inverted_cdf")
            summary.iloc[j, 4] = float(np.mean(np.abs(r - nom_rank[j]))) if np.isfinite(nom_rank[j]) else np.nan
    out = pd.DataFrame({
        "name_zh": model.units["name_zh"].to_numpy(),
        "peer_group": model.units["peer_group"].to_numpy(),
        "n_in_group": model.units.groupby("peer_group")["unit_id"].transform("size").to_numpy(),
        "nominal_score": nominal["score_100"].to_numpy(),
        "nominal_rank": nominal["rank"].array,
        "median_rank": summary["median_rank"].to_numpy(dtype=float),
        "rank_p05": summary["p05"].to_numpy(dtype=float),
        "rank_p95": summary["p95"].to_numpy(dtype=float),
    }, index=ids)
    out["rank_width"] = out["rank_p95"] - out["rank_p05"]
    out["mean_abs_shift"] = summary["mean_abs_shift"].to_numpy(dtype=float)
    out["stable"] = (out["rank_width"] <= STABLE_WIDTH).astype("boolean").mask(out["rank_width"].isna())
    out["nominal_grade"] = nominal["grade"].to_numpy()
    for g in bands:
        out[f"p_{g}"] = probs[g].to_numpy()
    none = 1.0 - probs.sum(axis=1).to_numpy()
    if np.any(none > 1e-12):
        out["p_no_grade"] = np.clip(none, 0.0, 1.0)
    out.attrs.update({"n_replications": n, "percentile_method": "inverted_cdf",
                      "stable": f"rank_p95 − rank_p05 ≤ {STABLE_WIDTH}"})
    return UncertaintyResult(summary=out, grade_probabilities=probs, ranks=ranks, scores=scores, grades=grades,
                             samples=plan.samples(reps), value_draws=reps.values, nominal=nominal, plan=plan,
                             n=n, seed=seed)


def _check_units(model: ScoringModel, units) -> list[str]:
    ids = list(model.unit_ids)
    out = [str(u) for u in (units or ())]
    unknown = [u for u in out if u not in ids]
    if unknown:
        raise SensitivityError(f"unknown unit(s) {unknown}")
    return out
