"""The batch kernels of the one scorer: every scoring decision, written once, on arrays.

:class:`evalkit.scoring.model.ScoringModel` is built from these functions, and through it
the published results (:func:`evalkit.results.compute_results`), the weighting-scheme lab
(:mod:`evalkit.sensitivity`, thousands of replications at once) and the framework-level
helpers :func:`~evalkit.scoring.model.score_tree`,
:func:`~evalkit.scoring.adjustments.apply_adjustments` and
:func:`~evalkit.scoring.grades.rank_and_grade`. A kernel never loops over replications or
units; it loops at most over peer groups or a node's children.

Array conventions
-----------------
* The **last axis is units**; leading axes are a batch (replications). A ``(units,)``
  array is a batch of one.
* ``members`` is a sequence of integer index arrays, one per peer group, giving the
  positions of the group's units on the last axis.
* NaN means "no score / no data"; it never means 0.

Conventions (the rules every path shares)
-----------------------------------------
* **Best value** of a peer group (``ratio_to_best``): the maximum (direction +1) or
  minimum (−1) over the group's units to which the leaf applies and that have data.
* **Value ranks** (``rank_points``): best value first, ties share the best rank ("1224",
  pandas ``method="min"``).
* **Missing data** (:data:`evalkit.scoring.vocabulary.MISSING_POLICIES`): ``renormalise``
  leaves the score missing (the parent rescales over children with a score); ``zero``
  scores 0; ``peer_mean`` gives the unit the mean *share of points* of the donors in its
  peer group (units to which the leaf applies that have data) times its own points — the
  mean share, not the mean score, so units with other points are treated fairly (domain
  brief §1.1, 按同组平均得分).
* **Points sum** (分值相加): a parent's score is the sum of its children's scores, scaled
  up by (all children's points / points of children with a score); a parent none of whose
  children has a score is missing. **Coverage** is the share of a node's points resting
  on data (imputed scores count 0; a child left without a score by ``min_coverage`` still
  counts the data it has). With ``min_coverage > 0`` a parent is missing when less than
  that share of its points rests on data that reaches its score (children with a score);
  exactly equal keeps the score (comparison tolerance 1e-12).
* **Adjustments**: bonus = min(Σ bonus, bonus cap), deduction = min(Σ deduction,
  deduction cap), both on the 100-point scale; ``score_100 = max(100 · base / max_score +
  bonus − deduction, 0)`` (the base re-based to 100 first: a unit with indicators declared
  not applicable has ``max_score`` < 100); ``total = score_100 · max_score / 100``.
* **Published ranks**: within peer groups on ``score_100`` rounded to
  :data:`PUBLISHED_DECIMALS` decimals (what the reports print), highest first, ties share
  the best rank ("1224").
* **Grades**: the first band whose lower bound the published score (rounded as the
  ranks) reaches (``score ≥ lower − 1e-9``); 一票否优 (``bar_top``) caps a top-band unit at the second band; 一票否决
  (``veto``) sets the last band whatever the score; the top band holds at most
  ``floor(top_quota × group size)`` units of a peer group (units barred from the top take
  no place): when the units sharing the rank at the quota line would exceed it together,
  all of them get the second band — the quota is never exceeded and ties are never split.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "PUBLISHED_DECIMALS",
    "adjusted_scores",
    "band_indices",
    "combine_geometric",
    "combine_sum",
    "fill_missing",
    "grade_indices",
    "group_best",
    "group_value_ranks",
    "published_ranks",
    "rank_min",
]

#: Decimals of the published ``score_100``; ranks are taken on the score so rounded.
PUBLISHED_DECIMALS = 2
#: Tolerance of ``score ≥ lower bound`` in grade bands (floating-point noise only).
BAND_TOLERANCE = 1e-9
#: Tolerance of ``coverage ≥ min_coverage``.
COVERAGE_TOLERANCE = 1e-12
# Groups up to this size are ranked by pairwise comparison, larger ones by sorting.
_PAIRWISE_MAX = 160


def rank_min(x: np.ndarray) -> np.ndarray:
    """Ascending ranks along the last axis, ties sharing the lowest rank; NaN stays NaN.

    ``rank_min([[3, 1, 3, nan]]) == [[2, 1, 2, nan]]`` (pandas ``rank(method="min")``).
    """
    x = np.asarray(x, dtype="float64")
    n = x.shape[-1]
    if n <= _PAIRWISE_MAX:
        below = (x[..., None, :] < x[..., :, None]).sum(axis=-1)
        return np.where(np.isnan(x), np.nan, below + 1.0)
    from scipy.stats import rankdata

    return rankdata(x, method="min", axis=-1, nan_policy="omit").astype(float)


def group_best(values: np.ndarray, ok: np.ndarray, members: Sequence[np.ndarray], direction: float) -> np.ndarray:
    """The best value of each unit's peer group (NaN where the group has no value).

    ``values``: (..., units); ``ok``: which values count (the leaf applies and there is
    data), broadcastable to ``values``.
    """
    best = np.full(values.shape, np.nan)
    up = direction > 0
    ok = np.broadcast_to(ok, values.shape)
    for idx in members:
        x = values[..., idx]
        m = ok[..., idx]
        ext = np.where(m, x, -np.inf if up else np.inf)
        b = ext.max(axis=-1) if up else ext.min(axis=-1)
        b = np.where(m.any(axis=-1), b, np.nan)
        best[..., idx] = b[..., None]
    return best


def group_value_ranks(values: np.ndarray, ok: np.ndarray, members: Sequence[np.ndarray],
                      direction: float) -> np.ndarray:
    """Rank of each unit's value within its peer group, best first, ties sharing the best
    rank; NaN where the value does not count (what ``rank_points`` reads)."""
    ranks = np.full(values.shape, np.nan)
    key = values * (1.0 if direction > 0 else -1.0)
    ok = np.broadcast_to(ok, values.shape)
    for idx in members:
        x = key[..., idx]
        ranks[..., idx] = rank_min(np.where(ok[..., idx], -x, np.nan))
    return ranks


def fill_missing(scores: np.ndarray, points: np.ndarray, no_data: np.ndarray, donors: np.ndarray,
                 members: Sequence[np.ndarray], policy: str) -> np.ndarray:
    """A leaf's scores after the missing-data ``policy`` (see the module docstring).

    ``scores``: (..., units) on the points scale (NaN without data); ``points``: (units,);
    ``no_data``: (units,) the leaf applies and there is no value; ``donors``: (units,) the
    leaf applies and there is a value.
    """
    if policy == "renormalise":
        return scores
    if policy == "zero":
        return np.where(no_data, 0.0, scores)
    if policy != "peer_mean":
        raise ValueError(f"unknown missing-data policy {policy!r}")
    out = np.array(scores, dtype="float64", copy=True)
    for idx in members:
        have = idx[donors[idx]]
        fill = idx[no_data[idx]]
        if have.size and fill.size:
            share = np.mean(out[..., have] / points[have], axis=-1)
            out[..., fill] = share[..., None] * points[fill]
    return out


def _coverage(scores: Sequence[np.ndarray], points: Sequence[np.ndarray], cover: Sequence[np.ndarray],
              total_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(coverage, scored_coverage)``: the share of the parent's points resting on data —
    every child's data count, also a child left without a score by ``min_coverage`` (its data
    exist, too few to score it) — and the share resting on data *that reaches the parent's
    score* (children with a score only), which ``min_coverage`` tests."""
    covered = np.sum([p * np.nan_to_num(c) for p, c in zip(points, cover)], axis=0)
    scored = np.sum([np.where(np.isnan(s), 0.0, p * np.nan_to_num(c)) for s, p, c in zip(scores, points, cover)],
                    axis=0)
    safe = np.where(total_points > 0, total_points, 1)  # no division by 0, so no warning to silence
    return (np.where(total_points > 0, covered / safe, np.nan),
            np.where(total_points > 0, scored / safe, np.nan))


def _with_coverage(value: np.ndarray, pts: np.ndarray, values: Sequence[np.ndarray], points: Sequence[np.ndarray],
                   cover: Sequence[np.ndarray] | None, min_coverage: float):
    """``(value, points, coverage)`` of a parent: its coverage when the children's is given
    (else None), and its value missing below ``min_coverage`` of points resting on data that
    reaches it."""
    if cover is None:
        if min_coverage > 0:
            raise ValueError("min_coverage needs the children's coverage")
        return value, pts, None
    coverage, scored_coverage = _coverage(values, points, cover, pts)
    if min_coverage > 0:
        value = np.where(np.nan_to_num(scored_coverage) >= min_coverage - COVERAGE_TOLERANCE, value, np.nan)
    return value, pts, coverage


def combine_sum(scores: Sequence[np.ndarray], points: Sequence[np.ndarray], cover: Sequence[np.ndarray] | None = None,
                min_coverage: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The points sum of a parent's children: ``(score, points, coverage)``.

    ``score = Σ scores · Σ points / Σ points of children with a score`` (NaN when no child
    has a score); ``coverage`` (the share of points resting on data) is computed when the
    children's ``cover`` is given, else None; below ``min_coverage`` the score is NaN.
    """
    shape = np.broadcast_shapes(*(np.shape(s) for s in scores), *(np.shape(p) for p in points))
    stacked = np.stack([np.broadcast_to(s, shape) for s in scores])
    weights = np.stack([np.broadcast_to(p, shape) for p in points])
    missing = np.isnan(stacked)  # one pass: scores are finite or NaN
    pts = weights.sum(axis=0)
    raw = np.where(missing, 0.0, stacked).sum(axis=0)
    scored = np.where(missing, 0.0, weights).sum(axis=0)  # 0 when no child has a score
    score = np.where(scored > 0, raw * pts / np.where(scored > 0, scored, 1), np.nan)
    return _with_coverage(score, pts, scores, points, cover, min_coverage)


def combine_geometric(logs: Sequence[np.ndarray], points: Sequence[np.ndarray],
                      cover: Sequence[np.ndarray] | None = None,
                      min_coverage: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Weighted mean of the children's log-values over children with a value (NaN when none
    has): the log of the weighted geometric mean. ``(log_mean, points, coverage)``, with
    coverage and ``min_coverage`` as in :func:`combine_sum`."""
    pts = np.sum(points, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = np.sum([np.where(np.isnan(s) | (p <= 0), 0.0, p * s) for s, p in zip(logs, points)], axis=0)
        den = np.sum([np.where(np.isnan(s) | (p <= 0), 0.0, p) for s, p in zip(logs, points)], axis=0)
        mean = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return _with_coverage(mean, pts, logs, points, cover, min_coverage)


def adjusted_scores(base_score: np.ndarray, max_score: np.ndarray, bonus: np.ndarray,
                    deduction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(total_score, score_100)`` after the (already capped) bonus and deduction points.

    The base score is first re-based to 100 (折算为百分制: ``100 · base / max_score``, the
    same number when the unit has all 100 points; a unit with indicators declared not
    applicable has fewer), then the bonus and deduction points, which are on the 100-point
    scale, are added: score_100 = max(100 · base / max_score + bonus − deduction, 0);
    total_score = score_100 · max_score / 100 (the same on the unit's own points scale).
    NaN where the unit has no points."""
    rebased = np.where(max_score > 0, 100.0 * base_score / np.where(max_score > 0, max_score, 1), np.nan)
    score_100 = rebased + bonus - deduction
    score_100 = np.where(score_100 < 0.0, 0.0, score_100)  # as pandas clip(lower=0): NaN stays NaN
    return score_100 * max_score / 100.0, score_100


def published_ranks(scores: np.ndarray, members: Sequence[np.ndarray], decimals: int = PUBLISHED_DECIMALS) -> np.ndarray:
    """Ranks within peer groups, 1 = best, on ``scores`` rounded to ``decimals`` (ties share
    the best rank, "1224"); NaN for a unit without a score."""
    key = np.round(scores, decimals)
    ranks = np.full(np.shape(scores), np.nan)
    for idx in members:
        ranks[..., idx] = rank_min(-key[..., idx])
    return ranks


def band_indices(scores: np.ndarray, lower_bounds: Sequence[float]) -> np.ndarray:
    """Index of the first band (best first) whose lower bound each score reaches; −1 for NaN.

    A score below every bound gets the last band."""
    lows = np.asarray(lower_bounds, dtype=float)
    with np.errstate(invalid="ignore"):
        band = (np.asarray(scores, dtype=float)[..., None] < lows - BAND_TOLERANCE).sum(axis=-1)
    band = np.minimum(band, lows.size - 1).astype(np.int8)
    band[np.isnan(scores)] = -1
    return band


def grade_indices(scores: np.ndarray, ranks: np.ndarray, members: Sequence[np.ndarray],
                  lower_bounds: Sequence[float], top_quota: float, veto: np.ndarray,
                  bar_top: np.ndarray) -> np.ndarray:
    """Grade of every unit as an index into the bands (0 = top), −1 without a score.

    Bands, 一票否优, 一票否决 and the top-grade quota as in the module docstring.
    ``veto``/``bar_top``: boolean (units,) arrays.
    """
    n_b = len(lower_bounds)
    second = 1 if n_b > 1 else 0
    # bands on the published (rounded) score, as the ranks: a unit printed with 90.00 is in
    # the band that starts at 90, and units of equal printed score share their band
    grade = band_indices(np.round(scores, PUBLISHED_DECIMALS), lower_bounds)
    grade[(grade == 0) & bar_top] = second
    grade[..., veto] = n_b - 1
    for idx in members:
        quota = math.floor(top_quota * idx.size + 1e-9)
        g = grade[..., idx]
        cand = g == 0
        if not cand.any():
            continue
        rk = np.where(cand, ranks[..., idx], np.inf)
        # places taken up to and including each candidate's tie group, among candidates
        through = (rk[..., None, :] <= rk[..., :, None]).sum(axis=-1)
        g[cand & (through > quota)] = second
        grade[..., idx] = g
    return grade
