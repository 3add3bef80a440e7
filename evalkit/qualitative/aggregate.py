"""Aggregating rubric ratings: per criterion, per rater group, across groups.

This is the aggregation layer: individual ratings come in, and only aggregates with counts
go out. Three steps, each a pure function on DataFrames:

1. :func:`aggregate_ratings` — per ``unit_id, rater_group, criterion``: mean, median,
   trimmed mean or 去掉最高分和最低分, optionally after rater-severity adjustment;
   suppressed below the minimum number of raters.
2. :func:`group_scores` — per ``unit_id, rater_group``: the criteria combined with the
   rubric's criterion weights.
3. :func:`combine_groups` — per ``unit_id``: the rater groups combined with configurable
   group weights (default 区领导 30 %, 互评 20 %, 服务对象 40 %, 专家 10 %, domain brief §1.3).

Missing and thin data (the policy)
----------------------------------
* A missing rating (no row, or an empty score) is never imputed and never read as 0: a
  cell rests on the raters who did rate.
* A cell (unit, group, criterion) with fewer distinct raters than ``min_raters`` (default 5)
  is **suppressed**: ``status = "below_min_raters"``, ``published = False`` and no score —
  its mean would nearly reveal individual ratings, and it is too thin to trust. The minimum
  is checked before trimming, and is never below the anonymity floor
  (:data:`~evalkit.qualitative.rubric.ANONYMITY_FLOOR`, 3 raters) whatever the policy says.
* A group score uses the criteria published for that unit, their weights rescaled to sum
  to 1 (``criteria_used`` counts them); with none published the group is suppressed.
* The combined score uses the published groups, their weights rescaled to sum to 1
  (``weight_covered`` is the share of the configured weight they carry); with
  ``missing_group="no_data"`` a unit missing any weighted group gets no score instead.
  A unit with no published group has ``status = "no_data"`` — never a score of 0.
* Ratings by a rater of their own unit must be removed first
  (:func:`evalkit.qualitative.registry.exclude_own_unit`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._coded import CodedRatings, code_ratings, distinct_count, group_ids, split_key
from .rubric import ANONYMITY_FLOOR, AggregationPolicy

__all__ = ["trimmed_mean", "drop_extremes_mean", "aggregate_ratings", "group_scores", "combine_groups",
           "CELL_COLUMNS", "GROUP_COLUMNS", "UNIT_COLUMNS"]

CELL_COLUMNS = ["unit_id", "rater_group", "criterion", "n_raters", "score", "published", "status"]
GROUP_COLUMNS = ["unit_id", "rater_group", "n_raters", "criteria_used", "score", "published", "status"]
UNIT_COLUMNS = ["unit_id", "score", "n_raters", "groups_used", "weight_covered", "status"]


def _clean(values) -> np.ndarray:
    a = np.asarray(values, dtype=float).ravel()
    return a[~np.isnan(a)]


def trimmed_mean(values, proportion: float) -> float:
    """Mean after cutting ``floor(proportion · n)`` values from each end.

    Parameters
    ----------
    values
        Numbers; NaN (missing ratings) are dropped first, so n counts present values.
    proportion
        Share to cut from *each* end, in [0, 0.5). The number cut is rounded down, as in
        ``scipy.stats.trim_mean``: with n = 12 and 0.25, 3 values go from each end (the
        interquartile mean); with n = 8 and 0.1, none.

    Returns
    -------
    float
        The trimmed mean; NaN when no value is present.
    """
    if not (isinstance(proportion, (int, float)) and 0 <= proportion < 0.5):
        raise ValueError(f"trimmed_mean: expected a proportion in [0, 0.5); found {proportion!r}")
    a = np.sort(_clean(values))
    if a.size == 0:
        return float("nan")
    g = int(math.floor(proportion * a.size))
    return float(a[g:a.size - g].mean())


def drop_extremes_mean(values, k: int = 1) -> float:
    """Mean after dropping the ``k`` highest and ``k`` lowest values (去掉最高分和最低分).

    NaN values are dropped first. Ties at the extremes drop only ``k`` copies. NaN when no
    more than ``2k`` values are present (nothing would remain).
    """
    if not isinstance(k, int) or k < 0:
        raise ValueError(f"drop_extremes_mean: expected k a whole number ≥ 0; found {k!r}")
    a = np.sort(_clean(values))
    if a.size <= 2 * k:
        return float("nan")
    return float(a[k:a.size - k].mean())


def _adjust_severity(cd: CodedRatings, min_ratings: int, score_max: float) -> np.ndarray:
    """Severity-adjusted scores: each rater standardised, then rescaled to a typical rater.

    For rater j of group g with ratings x (all units and criteria): z = (x − m_j)/s_j, and
    x' = M_g + S_g·z, where M_g and S_g are the medians, over the group's raters with at
    least ``min_ratings`` ratings, of the raters' means m_j and standard deviations s_j
    (medians, so that one extreme rater does not move everyone else). A rater with fewer
    than ``min_ratings`` ratings keeps their raw scores (too few to estimate a severity); a
    rater with no spread (s_j = 0) gets M_g. Results are clipped to [0, score_max].
    Assumes raters rate comparable sets of units.
    """
    x = cd.score
    rid, keys = group_ids((cd.group, cd.n_groups), (cd.rater, cd.n_raters))
    n = np.bincount(rid).astype(float)
    m = np.bincount(rid, weights=x) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.bincount(rid, weights=(x - m[rid]) ** 2) / (n - 1)
    sd = np.sqrt(var)
    rater_group = keys // cd.n_raters
    enough = n >= min_ratings
    big_m = np.full(cd.n_groups, np.nan)
    big_s = np.full(cd.n_groups, np.nan)
    for g in range(cd.n_groups):
        sel = enough & (rater_group == g)
        if sel.any():
            big_m[g] = np.median(m[sel])
            big_s[g] = np.median(sd[sel])
    bm, bs, mj, sj = big_m[cd.group], big_s[cd.group], m[rid], sd[rid]
    with np.errstate(divide="ignore", invalid="ignore"):
        adjusted = np.where(sj > 0, bm + bs * (x - mj) / sj, bm)
    adjusted = np.where(enough[rid] & ~np.isnan(bm), adjusted, x)
    return np.clip(adjusted, 0.0, score_max)


def _trimmed_by_cell(codes: np.ndarray, x: np.ndarray, n_cells: int, proportion: float | None,
                     k: int | None) -> np.ndarray:
    """Vectorised trimmed mean (proportion) or drop-k mean per cell code."""
    order = np.lexsort((x, codes))
    c, v = codes[order], x[order]
    size = np.bincount(c, minlength=n_cells)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    rank = np.arange(len(c)) - start[c]
    cut = np.floor(proportion * size).astype(np.int64) if proportion is not None else np.full(n_cells, k)
    keep = (rank >= cut[c]) & (rank < size[c] - cut[c])
    total = np.bincount(c[keep], weights=v[keep], minlength=n_cells)
    count = np.bincount(c[keep], minlength=n_cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(count > 0, total / count, np.nan)


def _median_by_cell(codes: np.ndarray, x: np.ndarray, n_cells: int) -> np.ndarray:
    order = np.lexsort((x, codes))
    v = x[order]
    size = np.bincount(codes, minlength=n_cells)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    lo = start + (size - 1) // 2
    hi = start + size // 2
    return (v[np.minimum(lo, len(v) - 1)] + v[np.minimum(hi, len(v) - 1)]) / 2.0


def _present(ratings: pd.DataFrame) -> pd.DataFrame:
    r = ratings[["rater_id", "rater_group", "unit_id", "criterion", "score"]]
    return r[r["score"].notna()]


def _empty(columns: list[str], types: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, object)) for c in columns})


def aggregate_ratings(ratings: pd.DataFrame, policy: AggregationPolicy | None = None, *,
                      score_max: float = 100.0) -> pd.DataFrame:
    """Per unit, rater group and criterion: the aggregated score of eligible ratings.

    Parameters
    ----------
    ratings
        Eligible ratings (own-unit ratings removed) with ``rater_id, rater_group, unit_id,
        criterion, score``; one row per rater, unit and criterion; empty scores are missing.
    policy
        :class:`~evalkit.qualitative.rubric.AggregationPolicy` (method, trimming, severity
        adjustment, minimum raters). Default: plain mean, minimum 5 raters.
    score_max
        Top of the score scale (100 for the ``ratings`` table); severity-adjusted scores
        are clipped to [0, score_max].

    Returns
    -------
    pandas.DataFrame
        :data:`CELL_COLUMNS`: ``unit_id, rater_group, criterion, n_raters`` (distinct raters
        with a score), ``score`` (NaN when suppressed), ``published`` and ``status``
        (``ok`` | ``below_min_raters``). Sorted by the three keys.
    """
    policy = policy or AggregationPolicy()
    r = _present(ratings)
    if r.empty:
        return _empty(CELL_COLUMNS, {"score": "float64", "n_raters": "int64", "published": "bool"})
    cd = code_ratings(r)
    x = _adjust_severity(cd, policy.min_rater_ratings, score_max) if policy.adjust_severity else cd.score
    sizes = [cd.n_units, cd.n_groups, cd.n_criteria]
    ids, keys = group_ids((cd.unit, sizes[0]), (cd.group, sizes[1]), (cd.criterion, sizes[2]))
    n_cells = len(keys)
    n_raters = distinct_count(ids, n_cells, cd.rater, cd.n_raters)
    if policy.method == "mean":
        score = np.bincount(ids, weights=x, minlength=n_cells) / np.bincount(ids, minlength=n_cells)
    elif policy.method == "median":
        score = _median_by_cell(ids, x, n_cells)
    elif policy.method == "trimmed_mean":
        score = _trimmed_by_cell(ids, x, n_cells, policy.trim_proportion, None)
    else:
        score = _trimmed_by_cell(ids, x, n_cells, None, policy.drop_k)
    published = n_raters >= max(policy.min_raters, ANONYMITY_FLOOR)
    u, g, c = split_key(keys, sizes)
    return pd.DataFrame({
        "unit_id": cd.unit_names[u], "rater_group": cd.group_names[g], "criterion": cd.criterion_names[c],
        "n_raters": n_raters.astype("int64"), "score": np.where(published, score, np.nan),
        "published": published, "status": np.where(published, "ok", "below_min_raters")})


def group_scores(ratings: pd.DataFrame, policy: AggregationPolicy | None = None,
                 criterion_weights: Mapping[str, float] | None = None, *,
                 cells: pd.DataFrame | None = None, score_max: float = 100.0) -> pd.DataFrame:
    """Per unit and rater group: the published criteria combined with criterion weights.

    ``criterion_weights`` default to equal weights; criteria absent from a given mapping
    weigh 0. ``cells`` may pass the output of :func:`aggregate_ratings` to avoid
    recomputing it. Returns :data:`GROUP_COLUMNS`: ``n_raters`` is the number of distinct
    raters of the unit in the group; ``score`` = Σ_c w_c·score_c / Σ_c w_c over published
    criteria (NaN when none is published, ``status`` then ``below_min_raters``).
    """
    policy = policy or AggregationPolicy()
    cells = cells if cells is not None else aggregate_ratings(ratings, policy, score_max=score_max)
    r = _present(ratings)
    if r.empty:
        return _empty(GROUP_COLUMNS, {"score": "float64", "n_raters": "int64", "criteria_used": "int64",
                                      "published": "bool"})
    cd = code_ratings(r)
    ids, keys = group_ids((cd.unit, cd.n_units), (cd.group, cd.n_groups))
    u, g = split_key(keys, [cd.n_units, cd.n_groups])
    distinct = pd.Series(distinct_count(ids, len(keys), cd.rater, cd.n_raters),
                         index=pd.MultiIndex.from_arrays([cd.unit_names[u], cd.group_names[g]],
                                                         names=["unit_id", "rater_group"]), name="n_raters")
    c = cells.copy()
    c["w"] = (c["criterion"].map(criterion_weights).fillna(0.0).astype(float)
              if criterion_weights is not None else 1.0)
    c = c[c["published"] & (c["w"] > 0)]
    c["ws"] = c["w"] * c["score"]
    agg = c.groupby(["unit_id", "rater_group"], sort=True).agg(ws=("ws", "sum"), w=("w", "sum"),
                                                                criteria_used=("criterion", "size"))
    out = distinct.to_frame().join(agg, how="left")
    out["criteria_used"] = out["criteria_used"].fillna(0).astype("int64")
    out["score"] = out["ws"] / out["w"]
    out["published"] = out["criteria_used"] > 0
    out["status"] = np.where(out["published"], "ok", "below_min_raters")
    out["n_raters"] = out["n_raters"].astype("int64")
    return out.reset_index()[GROUP_COLUMNS]


def combine_groups(groups: pd.DataFrame, weights: Mapping[str, float] | None = None, *,
                   missing_group: str = "renormalise") -> pd.DataFrame:
    """Per unit: the published rater-group scores combined with group weights.

    Parameters
    ----------
    groups
        Output of :func:`group_scores`.
    weights
        Rater-group weights (default: the policy default 0.3/0.2/0.4/0.1); groups absent
        from the mapping weigh 0.
    missing_group
        ``renormalise``: weights rescaled over the published groups; ``no_data``: a unit
        missing any group with a positive weight gets no score.

    Returns
    -------
    pandas.DataFrame
        :data:`UNIT_COLUMNS`: ``score`` = Σ_g w_g·score_g / Σ_g w_g over published groups,
        ``n_raters`` (distinct raters in those groups), ``groups_used``, ``weight_covered``
        (Σ of their weights / Σ of all positive weights) and ``status`` (``ok`` | ``no_data``).
    """
    weights = dict(weights) if weights is not None else dict(AggregationPolicy().group_weights)
    total_w = sum(w for w in weights.values() if w > 0)
    g = groups.copy()
    g["w"] = g["rater_group"].map(weights).fillna(0.0).astype(float)
    units = pd.Index(sorted(g["unit_id"].unique()), name="unit_id")
    used = g[g["published"] & (g["w"] > 0)].copy()
    used["ws"] = used["w"] * used["score"]
    agg = used.groupby("unit_id", sort=True).agg(ws=("ws", "sum"), w=("w", "sum"), n_raters=("n_raters", "sum"),
                                                 groups_used=("rater_group", "size")).reindex(units)
    out = pd.DataFrame(index=units)
    out["score"] = agg["ws"] / agg["w"]
    out["n_raters"] = agg["n_raters"].fillna(0).astype("int64")
    out["groups_used"] = agg["groups_used"].fillna(0).astype("int64")
    out["weight_covered"] = (agg["w"].fillna(0.0) / total_w) if total_w > 0 else 0.0
    if missing_group == "no_data":
        needed = sum(1 for w in weights.values() if w > 0)
        out.loc[out["groups_used"] < needed, "score"] = np.nan
    elif missing_group != "renormalise":
        raise ValueError(f"combine_groups: expected missing_group renormalise or no_data; found {missing_group!r}")
    out["status"] = np.where(out["score"].notna(), "ok", "no_data")
    return out.reset_index()[UNIT_COLUMNS]
