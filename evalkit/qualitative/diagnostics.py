"""Rater diagnostics for the evaluation office: severity, distance from consensus, straight-lining.

Output is keyed by rater id, so it carries **no scores and no numbers derived from scores**
— only counts, categories and flags. Why: a rater's mean deviation or z-score printed next
to their id is a statement about what that rater gave; combined with the published group
means and counts it narrows down their individual ratings, and it would let anyone who sees
the table single out a rater's marks. The office needs to know *whom to talk to and why*
(偏严 / 偏松, far from consensus, same score everywhere), not by how many points, so the
numbers stay inside this module and only their categories leave it.

Method
------
For each rating, the consensus is the leave-one-out mean of the *other* raters of the same
group for the same unit and criterion; the residual is rating − consensus.

* **Severity (leniency).** A rater's mean residual, compared with the other raters of the
  group by a robust z-score (median and 1.4826·MAD, [L13]): ``severe`` (偏严) when
  z ≤ −``threshold`` (default 2.5) and the mean residual is at least ``min_points``
  (default 5) below 0, ``lenient`` (偏松) symmetrically, else ``typical``. The floor keeps
  a group of very consistent raters from flagging differences of a point or two.
* **Far from consensus.** The mean square of a rater's residuals after removing their own
  mean residual (disagreement in *pattern*, not level), divided by the group's median of
  the same; flagged above ``misfit_ratio`` (default 1.5, the upper bound of mean squares
  "productive for measurement" in Rasch practice, [L02]).
* **Straight-lining.** The rater gave the same score to every criterion of a unit for at
  least ``straight_line_share`` (default 80 %) of the units they rated with two or more
  criteria.

Raters with fewer than ``min_units`` rated units (default 3) are ``insufficient_data``
and never flagged.

.. [L13] Leys, C., Ley, C., Klein, O., Bernard, P., & Licata, L. (2013). Detecting outliers:
   do not use standard deviation around the mean, use absolute deviation around the median.
   *Journal of Experimental Social Psychology*, 49(4), 764–766.
.. [L02] Linacre, J. M. (2002). What do infit and outfit, mean-square and standardized mean?
   *Rasch Measurement Transactions*, 16(2), 878.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._coded import code_ratings, group_ids, split_key

__all__ = ["rater_diagnostics", "DIAGNOSTIC_COLUMNS", "SEVERITY_ZH"]

DIAGNOSTIC_COLUMNS = ["rater_id", "rater_group", "n_units", "n_ratings", "severity", "severity_zh",
                      "far_from_consensus", "straight_lining", "flagged"]
SEVERITY_ZH = {"severe": "偏严", "lenient": "偏松", "typical": "正常", "insufficient_data": "数据不足"}


def _robust_z(values: pd.Series, groups: pd.Series) -> pd.Series:
    """(x − median) / (1.4826·MAD) within each group; falls back to 1.2533·mean absolute
    deviation when the MAD is 0, and to 0 when there is no spread at all."""
    med = values.groupby(groups).transform("median")
    dev = (values - med).abs()
    mad = dev.groupby(groups).transform("median") * 1.4826
    meanad = dev.groupby(groups).transform("mean") * 1.2533
    scale = mad.where(mad > 0, meanad)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (values - med) / scale
    return z.where(scale > 0, 0.0).fillna(0.0)


def rater_diagnostics(ratings: pd.DataFrame, *, threshold: float = 2.5, min_points: float = 5.0,
                      misfit_ratio: float = 1.5, straight_line_share: float = 0.8,
                      min_units: int = 3) -> pd.DataFrame:
    """Flag raters who are unusually severe or lenient, far from consensus, or straight-lining.

    Parameters
    ----------
    ratings
        Eligible ratings (own-unit ratings removed): ``rater_id, rater_group, unit_id,
        criterion, score``.
    threshold
        Robust z of the mean residual beyond which a rater is severe or lenient (default
        2.5, "moderately conservative" in [L13]).
    min_points
        Smallest mean residual (points on the 0–100 scale) that can count as severe or
        lenient.
    misfit_ratio
        Residual mean square, relative to the group's median, above which a rater is far
        from consensus.
    straight_line_share
        Share of a rater's multi-criterion units rated identically on every criterion from
        which they are flagged as straight-lining.
    min_units
        Fewest rated units for a diagnosis.

    Returns
    -------
    pandas.DataFrame
        :data:`DIAGNOSTIC_COLUMNS`, one row per rater, sorted by group and id:
        ``n_units``, ``n_ratings`` (counts), ``severity`` (``severe`` | ``lenient`` |
        ``typical`` | ``insufficient_data``) and ``severity_zh``, booleans
        ``far_from_consensus``, ``straight_lining`` and ``flagged`` (any of the three).
        No score, mean, deviation or z-score is returned (see the module notes).
    """
    r = ratings[["rater_id", "rater_group", "unit_id", "criterion", "score"]]
    r = r[r["score"].notna()]
    if r.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DIAGNOSTIC_COLUMNS})
    cd = code_ratings(r)
    x = cd.score
    # leave-one-out consensus of the other raters of the group, per unit and criterion
    cell, cell_keys = group_ids((cd.unit, cd.n_units), (cd.group, cd.n_groups), (cd.criterion, cd.n_criteria))
    total = np.bincount(cell, weights=x)[cell]
    count = np.bincount(cell)[cell]
    has_others = count > 1
    with np.errstate(divide="ignore", invalid="ignore"):
        resid = np.where(has_others, x - (total - x) / (count - 1), 0.0)
    # per rater (within group)
    rid, rkeys = group_ids((cd.group, cd.n_groups), (cd.rater, cd.n_raters))
    n_r = len(rkeys)
    n_resid = np.bincount(rid, weights=has_others, minlength=n_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        lean = np.bincount(rid, weights=resid, minlength=n_r) / n_resid
        centred = np.where(has_others, resid - lean[rid], 0.0)
        misfit_ms = np.bincount(rid, weights=centred ** 2, minlength=n_r) / n_resid
    g_code, r_code = split_key(rkeys, [cd.n_groups, cd.n_raters])
    ru, ru_keys = group_ids((rid, n_r), (cd.unit, cd.n_units))
    n_units = np.bincount(ru_keys // cd.n_units, minlength=n_r)
    out = pd.DataFrame({"rater_id": cd.rater_names[r_code], "rater_group": cd.group_names[g_code],
                        "n_units": n_units, "n_ratings": np.bincount(rid, minlength=n_r),
                        "lean": lean, "ms": misfit_ms})
    enough = (out["n_units"] >= min_units) & (n_resid > 0)
    grp = out["rater_group"]
    z_lean = pd.Series(np.nan, index=out.index)
    ms_ratio = pd.Series(np.nan, index=out.index)
    if enough.any():
        z_lean[enough] = _robust_z(out.loc[enough, "lean"], grp[enough])
        ms = out.loc[enough, "ms"]
        median_ms = ms.groupby(grp[enough]).transform("median")
        ms_ratio[enough] = (ms / median_ms).where(median_ms > 0, 1.0)
    lean_s = out["lean"]
    out["severity"] = np.select(
        [~enough, (z_lean <= -threshold) & (lean_s <= -min_points), (z_lean >= threshold) & (lean_s >= min_points)],
        ["insufficient_data", "severe", "lenient"], "typical")
    out["far_from_consensus"] = enough & (ms_ratio > misfit_ratio)
    # straight-lining: identical scores across the criteria of a unit
    n_ru = len(ru_keys)
    lo = np.full(n_ru, np.inf)
    hi = np.full(n_ru, -np.inf)
    np.minimum.at(lo, ru, x)
    np.maximum.at(hi, ru, x)
    size = np.bincount(ru, minlength=n_ru)
    multi = size >= 2
    owner = ru_keys // cd.n_units
    n_multi = np.bincount(owner, weights=multi, minlength=n_r)
    n_flat = np.bincount(owner, weights=multi & (hi == lo), minlength=n_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        flat_share = np.where(n_multi > 0, n_flat / n_multi, 0.0)
    out["straight_lining"] = enough & (n_multi >= min_units) & (flat_share >= straight_line_share)
    out["severity_zh"] = out["severity"].map(SEVERITY_ZH)
    out["flagged"] = out["severity"].isin(["severe", "lenient"]) | out["far_from_consensus"] | out["straight_lining"]
    for col in ("n_units", "n_ratings"):
        out[col] = out[col].astype("int64")
    for col in ("far_from_consensus", "straight_lining", "flagged"):
        out[col] = out[col].astype(bool)
    return out[DIAGNOSTIC_COLUMNS]
