"""The ``rank_intervals`` table of the results: each unit's rank interval under uncertainty in
the weights (分值) and in the data (rates of records resting on few cases) — the
weighting-scheme lab's uncertainty analysis of the one scorer — with a rank band (top,
middle or bottom third of the peer group) for the units whose interval is wide."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.dataset import Dataset
from ..errors import SensitivityError
from ..scoring.framework import Framework
from ..scoring.model import ScoringModel, scoring_model
from ..scoring.vocabulary import VALUE_METHODS

__all__ = ["QUALITY_SHARE_FLOOR", "RANK_BANDS", "RANK_INTERVAL_DATA", "RANK_INTERVAL_N", "RANK_INTERVAL_SEED",
           "RANK_INTERVAL_WEIGHT_SD", "RANK_WIDE_PLACES", "RANK_WIDE_SHARE", "quality_shares", "rank_bands",
           "rank_interval_table", "wide_intervals"]

#: Seed of the rank intervals in the results (fixed, so the same data give the same intervals).
RANK_INTERVAL_SEED = 20240601
#: Replications behind each unit's rank interval.
RANK_INTERVAL_N = 1000
#: Relative standard deviation of the leaf weights in the rank intervals' scenarios.
RANK_INTERVAL_WEIGHT_SD = 0.2
#: How the published scenarios vary the data: every rate of records drawn from its Jeffreys
#: posterior (:class:`evalkit.sensitivity.IndicatorValueNoise` ``"jeffreys"``).
RANK_INTERVAL_DATA = "jeffreys"
#: The values of ``rank_band``: the interval lies in the top, middle or bottom third of the
#: peer group ("" when it does not lie within one third).
RANK_BANDS = ("top", "middle", "bottom")
#: An interval is *wide* — the report shows the unit's band instead of an exact rank — when
#: ``rank_high − rank_low`` is at least RANK_WIDE_PLACES places or at least RANK_WIDE_SHARE
#: of the peer group (whichever is smaller: 5 places in a group of 35, 3 in a group of 13).
RANK_WIDE_PLACES = 5
RANK_WIDE_SHARE = 0.2

_VARIED = {True: "weights+data", False: "weights"}
#: Smallest effective share of a unit's records when its data-quality score widens its
#: interval (a score of 0 would otherwise leave no record to draw from).
QUALITY_SHARE_FLOOR = 0.1


def quality_shares(dataset: Dataset, year: int) -> tuple[tuple[str, float], ...]:
    """``(unit_id, share)`` for the units whose data-quality score is below 100: ``share =
    max(score / 100, QUALITY_SHARE_FLOOR)`` (:func:`evalkit.quality.quality_score` of the
    default checks). Units at 100, or without a score, are left out (share 1)."""
    from ..quality import quality_metrics, quality_score

    scores = quality_score(quality_metrics(dataset, year))
    share = (scores["score"].astype("float64") / 100.0).clip(lower=QUALITY_SHARE_FLOOR, upper=1.0)
    return tuple((str(u), float(s)) for u, s in zip(scores["unit_id"], share) if np.isfinite(s) and s < 1.0)


def rank_bands(rank_low, rank_high, n_in_group) -> np.ndarray:
    """The rank band of each interval ``rank_low … rank_high`` (1 = best) in a group of ``n``.

    With ``t = ⌈n/3⌉`` (the size of the top and of the bottom third):

    * ``"top"`` when ``rank_high ≤ t`` (the whole interval in the top third);
    * ``"bottom"`` when ``rank_low > n − t``;
    * ``"middle"`` when ``t < rank_low`` and ``rank_high ≤ n − t``;
    * ``""`` otherwise: the interval crosses a boundary between thirds (it spans more than
      one third, or straddles a boundary), or a bound is missing.

    Returns an object array of strings.
    """
    lo = pd.to_numeric(pd.Series(np.asarray(rank_low, dtype=object)), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(pd.Series(np.asarray(rank_high, dtype=object)), errors="coerce").to_numpy(dtype=float)
    n = np.broadcast_to(np.asarray(n_in_group, dtype=float), lo.shape)
    t = np.ceil(n / 3.0)
    ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(n) & (n > 0)
    with np.errstate(invalid="ignore"):
        top = ok & (hi <= t)
        bottom = ok & ~top & (lo > n - t)
        middle = ok & ~top & ~bottom & (lo > t) & (hi <= n - t)
    out = np.full(lo.shape, "", dtype=object)
    out[top], out[middle], out[bottom] = RANK_BANDS
    return out


def wide_intervals(rank_low, rank_high, n_in_group) -> np.ndarray:
    """Whether each interval is wide: ``rank_high − rank_low ≥ min(RANK_WIDE_PLACES,
    RANK_WIDE_SHARE × n)`` (False when a bound is missing)."""
    lo = pd.to_numeric(pd.Series(np.asarray(rank_low, dtype=object)), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(pd.Series(np.asarray(rank_high, dtype=object)), errors="coerce").to_numpy(dtype=float)
    n = np.broadcast_to(np.asarray(n_in_group, dtype=float), lo.shape)
    with np.errstate(invalid="ignore"):
        wide = (hi - lo) >= np.minimum(RANK_WIDE_PLACES, RANK_WIDE_SHARE * n)
    return np.where(np.isfinite(lo) & np.isfinite(hi), wide, False).astype(bool)


def _band_shares(ranks: np.ndarray, n_in_group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The share of scenarios (replications × units ``ranks``; NaN = no rank) in which each
    unit ranks in the top, middle and bottom third of its group (the thirds of
    :func:`rank_bands`); NaN for a unit never ranked."""
    n = np.asarray(n_in_group, dtype=float)[None, :]
    t = np.ceil(n / 3.0)
    ranked = np.isfinite(ranks)
    count = ranked.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        top = (ranked & (ranks <= t)).sum(axis=0) / count
        bottom = (ranked & (ranks > n - t) & ~(ranks <= t)).sum(axis=0) / count
        middle = (ranked & (ranks > t) & (ranks <= n - t)).sum(axis=0) / count
    return top, middle, bottom


def _value_method(value_noise) -> str:
    """``value_noise`` → a value method or "none": None = the published default
    (:data:`RANK_INTERVAL_DATA`), False = weights only, True = ``"wilson"`` (its earlier meaning)."""
    if value_noise is None:
        return RANK_INTERVAL_DATA
    if isinstance(value_noise, (bool, np.bool_)):
        return "wilson" if value_noise else "none"
    method = str(value_noise)
    if method != "none" and method not in VALUE_METHODS:
        raise SensitivityError(f"value_noise must be one of {('none',) + VALUE_METHODS}, True or False; "
                               f"got {value_noise!r}")
    return method


def rank_interval_table(dataset: Dataset, framework: Framework, year: int, n: int = RANK_INTERVAL_N,
                        seed: int = RANK_INTERVAL_SEED, relative_sd: float = RANK_INTERVAL_WEIGHT_SD,
                        value_noise: bool | str | None = None, model: ScoringModel | None = None) -> pd.DataFrame:
    """Each unit's rank interval over ``n`` scenarios: the ``rank_intervals`` results table.

    Each published scenario varies two things at once:

    * **the weights** — every leaf's weight (分值), independently, uniformly within
      ± √3 × 20 % of its points (relative standard deviation 20 %; COINr's noise factor
      0.35), :class:`evalkit.sensitivity.WeightNoise`, as the OECD/JRC handbook's step 7
      does;
    * **the data** — every rate of records (``x`` of ``n`` cases, items or responses) is
      drawn from its Jeffreys posterior ``Beta(x + 1/2, n − x + 1/2)``, independently per
      unit and indicator (:class:`evalkit.sensitivity.IndicatorValueNoise` ``"jeffreys"``,
      :mod:`evalkit.sensitivity.posterior`). Every unit is drawn by the same rule, so a
      unit at 100 % of 3 cases moves (its posterior mean is 87.5 %) as much as its counts
      allow, and one at 100 % of 500 cases hardly moves; ranks then compare posteriors
      (Goldstein & Spiegelhalter, 1996). Ratings, vote scores and ratios whose numerator
      and denominator are not counts of records (budget execution, staffing) have no
      such uncertainty in the model and stay as observed. When the framework sets
      ``quality_widens_intervals: true``, a unit's counts enter these draws as an effective
      sample of ``max(score / 100, 0.1)`` of its records, ``score`` being its data-quality
      score (:func:`quality_shares`): the less trustworthy its data, the wider its interval.

    The Wilson draws used before (``value_noise="wilson"``, or ``True``) were off by
    default because their median is the observed rate: a rate at 100 % could only move
    down while the others moved both ways, a bias against the units at the ceiling. The
    posterior has no such asymmetry. ``value_noise=False`` (or ``"none"``) gives the
    weights-only intervals. Everything else (rules, missing-data policy, bonus points,
    grades) stays as published; the scenarios' uniforms come from one generator seeded
    with ``seed`` (the weights' and the data's columns of one ``n × width`` draw), so
    the same data and seed give the same table.

    ``rank_low`` and ``rank_high`` are the 5th and 95th percentiles of the unit's rank within
    its peer group (ranks that occurred: ``inverted_cdf``), ``rank_median`` the median. As
    the data draws pull every rate towards its posterior, the published (observed) rank of
    a unit resting on few cases may lie outside its interval.

    Returns
    -------
    DataFrame
        ``unit_id, rank_low, rank_high, rank_median, n_scenarios`` and

        * ``n_in_group`` — units in the unit's peer group (the population it is ranked in);
        * ``varied`` — what the scenarios varied: ``"weights+data"`` or ``"weights"``;
        * ``rank_band`` — ``"top"``, ``"middle"``, ``"bottom"`` or ``""``
          (:func:`rank_bands`: the third of the group the whole interval lies in, ``""``
          when it crosses a boundary between thirds);
        * ``wide`` — ``rank_high − rank_low ≥ min(RANK_WIDE_PLACES, RANK_WIDE_SHARE × n)``
          (:func:`wide_intervals`): the report shows the band (前列 / 中游 / 后列) instead
          of an exact rank;
        * ``p_top``, ``p_middle``, ``p_bottom`` — the share of scenarios in which the unit
          ranks in each third of its group (same thirds), e.g. for "前列 in 80 % of the
          scenarios" where the interval crosses a boundary.

        ``attrs["parameters"]`` records the method, ``n``, the seed, what was varied and
        how, and the band rules; it goes into ``meta["parameters"]["rank_intervals"]``.

    References
    ----------
    Saisana, M., Saltelli, A. & Tarantola, S. (2005). *J. R. Statist. Soc. A* 168(2), 307–323.
    Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their limitations.
    *J. R. Statist. Soc. A* 159(3), 385–443 (rank intervals from sampling uncertainty).
    Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16(2), 101–133 (the Jeffreys interval).
    """
    from ..sensitivity import IndicatorValueNoise, WeightNoise, uncertainty_analysis

    method = _value_method(value_noise)
    model = model if model is not None else scoring_model(dataset, framework, year)
    specs = [WeightNoise(relative_sd)]
    with_values = method != "none" and method in model.steps["values"].alternatives
    widen = bool(getattr(framework if framework is not None else model.framework, "quality_widens_intervals", False))
    shares = quality_shares(dataset, year) if with_values and widen else ()
    if with_values:
        specs.append(IndicatorValueNoise(method, effective_share=shares))
    result = uncertainty_analysis(model, specs, n, seed=seed)
    table = result.rank_intervals()
    sizes = model.units.groupby("peer_group")["unit_id"].transform("size").to_numpy(dtype="int64")
    table["n_in_group"] = sizes
    table["varied"] = _VARIED[with_values]
    table["rank_band"] = rank_bands(table["rank_low"], table["rank_high"], sizes)
    table["wide"] = wide_intervals(table["rank_low"], table["rank_high"], sizes)
    for band, share in zip(RANK_BANDS, _band_shares(result.ranks.to_numpy(dtype=float), sizes)):
        table[f"p_{band}"] = share
    table.attrs["parameters"] = {
        "method": "uncertainty analysis (evalkit.sensitivity.uncertainty_analysis)",
        "n_scenarios": int(n), "seed": int(seed), "weight_relative_sd": float(relative_sd),
        "value_noise": method if with_values else "none",
        "varied": _VARIED[with_values],
        "weights": f"every leaf weight × U(1 − √3·{relative_sd:g}, 1 + √3·{relative_sd:g}), independently",
        "data": _DATA_TEXT[method] if with_values else "as observed",
        "percentiles": [5, 95], "percentile_method": "inverted_cdf",
        "rank_band": "t = ceil(n_in_group / 3); top: rank_high <= t; bottom: rank_low > n_in_group - t; "
                     "middle: t < rank_low and rank_high <= n_in_group - t; '' otherwise",
        "wide": f"rank_high - rank_low >= min({RANK_WIDE_PLACES}, {RANK_WIDE_SHARE:g} * n_in_group)",
    }
    if widen:
        table.attrs["parameters"]["quality_widens_intervals"] = {
            "effective_share": "max(data-quality score / 100, %g) of each unit's records" % QUALITY_SHARE_FLOOR,
            "shares": dict(shares)}
    return table


_DATA_TEXT = {
    "jeffreys": "every rate of records (x of n) drawn from its Jeffreys posterior Beta(x + 1/2, n - x + 1/2), "
                "independently per unit and indicator; a value with an interval but no counts uniformly within "
                "its interval; values without an interval (ratings, money and staffing ratios) as observed",
    "wilson": "every rate of records drawn from its Wilson confidence distribution (median = the observed rate)",
    "uniform": "every rate of records drawn uniformly within its 95 % Wilson interval",
}
