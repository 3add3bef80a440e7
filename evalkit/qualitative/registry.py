"""The evaluator registry (评估人员数据库) and the own-unit rule (回避).

The ``raters`` table lists every rater, their group and the unit they work in. Before any
aggregation, :func:`exclude_own_unit` removes

* every rating a rater gave to their own unit (``own_unit``: a rater never counts for
  their own unit);
* ratings by a rater missing from the registry (``not_in_registry``) and ratings whose
  ``rater_group`` differs from the registry's (``group_mismatch``) — the registry is the
  authority on who may rate, and in which group.

Each exclusion is returned in an exclusions table and logged (logger
``evalkit.qualitative``, level INFO). Neither ever holds a score: only who, which unit, how
many ratings and why. The exclusions table is for the evaluation office; it names raters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger("evalkit.qualitative")

EXCLUSION_COLUMNS = ["rater_id", "rater_group", "unit_id", "n_ratings", "reason", "reason_zh"]
REASONS_ZH = {
    "own_unit": "本单位人员不评本单位（回避）",
    "not_in_registry": "评估人员库中无此人",
    "group_mismatch": "评估群体与评估人员库不符",
}


@dataclass(frozen=True)
class Exclusion:
    """Eligible ratings and the log of what was excluded.

    ``eligible`` has the columns of the input ratings (``rater_group`` taken from the
    registry). ``exclusions`` has one row per rater, unit and reason:
    ``rater_id, rater_group, unit_id, n_ratings, reason, reason_zh`` — never a score.
    """

    eligible: pd.DataFrame
    exclusions: pd.DataFrame


def _empty_exclusions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "n_ratings" else object)
                         for c in EXCLUSION_COLUMNS})


def exclude_own_unit(ratings: pd.DataFrame, raters: pd.DataFrame | None) -> Exclusion:
    """Drop ratings of a rater's own unit (and unregistered or mis-grouped ratings).

    Parameters
    ----------
    ratings
        The ``ratings`` table: ``rater_id, rater_group, unit_id, criterion, score``.
    raters
        The ``raters`` registry: ``rater_id, rater_group, own_unit_id``. ``None`` or an
        empty frame: no registry, nothing can be checked; the ratings are returned
        unchanged and a warning is logged.

    Returns
    -------
    Exclusion
        ``eligible`` ratings and the ``exclusions`` table (see :class:`Exclusion`).
    """
    if raters is None or raters.empty:
        if not ratings.empty:
            logger.warning("no rater registry: own-unit exclusion (回避) not applied to %d rating(s)",
                           len(ratings))
        return Exclusion(ratings.copy(), _empty_exclusions())
    registry = raters.drop_duplicates("rater_id")
    # integer codes, not string comparisons: each key is factorised once and the registry
    # is looked up through the (few) distinct values
    r_codes, r_values = pd.factorize(ratings["rater_id"])
    lookup = pd.Index(registry["rater_id"]).get_indexer(r_values)
    pos = np.where(r_codes >= 0, lookup[np.maximum(r_codes, 0)] if len(lookup) else -1, -1)
    known = pos >= 0
    at = np.where(known, pos, 0)
    g_codes, g_values = pd.factorize(ratings["rater_group"])
    reg_group_code = pd.Index(g_values).get_indexer(registry["rater_group"])
    mismatch = known & (g_codes >= 0) & (g_codes != reg_group_code[at])
    u_codes, u_values = pd.factorize(ratings["unit_id"])
    own_code = pd.Index(u_values).get_indexer(registry["own_unit_id"])[at]
    own_unit = known & (own_code >= 0) & (own_code == u_codes)
    reason = np.select([~known, mismatch, own_unit], ["not_in_registry", "group_mismatch", "own_unit"], "")
    reg_group = pd.Series(np.where(known, registry["rater_group"].to_numpy(dtype=object)[at], None),
                          index=ratings.index, dtype=object)
    excluded = reason != ""
    eligible = ratings[~excluded].copy()
    eligible["rater_group"] = reg_group[~excluded].to_numpy()
    if not excluded.any():
        return Exclusion(eligible, _empty_exclusions())
    dropped = ratings.loc[excluded, ["rater_id", "rater_group", "unit_id"]].assign(reason=reason[excluded])
    table = (dropped.groupby(["rater_id", "unit_id", "reason"], sort=True, dropna=False)
             .agg(rater_group=("rater_group", "first"), n_ratings=("unit_id", "size")).reset_index())
    table["reason_zh"] = table["reason"].map(REASONS_ZH)
    table["n_ratings"] = table["n_ratings"].astype("int64")
    table = table[EXCLUSION_COLUMNS]
    for why, part in table.groupby("reason", sort=True):
        pairs = ", ".join(f"{a}→{b}" for a, b in zip(part["rater_id"], part["unit_id"]))
        logger.info("excluded %d rating(s) (%s, %s): %s", int(part["n_ratings"].sum()), why,
                    REASONS_ZH[why], pairs)
    return Exclusion(eligible, table)
