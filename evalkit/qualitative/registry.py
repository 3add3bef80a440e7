"""The evaluator registry (评估人员数据库) and the rules on who counts for which unit (回避).

The ``raters`` table lists every rater, their group, the unit they work in and, optionally,
their term; ``rater_assignments`` (per year, optional) lists the units each rater is
assigned to rate; ``rater_conflicts`` (optional) lists the conflicts of interest raters
declared. Before any aggregation, :func:`exclude_ineligible` removes

* ratings by a rater missing from the registry (``not_in_registry``) and ratings whose
  ``rater_group`` differs from the registry's (``group_mismatch``) — the registry is the
  authority on who may rate, and in which group;
* every rating a rater gave to their own unit (``own_unit``: a rater never counts for
  their own unit);
* every rating of a unit its rater declared a conflict of interest with
  (``conflict_of_interest``), in any year;
* ratings of a year the rater's term does not overlap (``outside_term``; the term is
  ``term_start``..``term_end``, an empty end open-ended; checked when the year is given);
* when the year has assignments, ratings of a unit the rater was not assigned to that
  year (``not_assigned``).

A rating breaking several rules is excluded once, under the first reason of that list.
:func:`exclude_own_unit` applies the registry alone (the first three rules).

Each exclusion is returned in an exclusions table and logged (logger
``evalkit.qualitative``, level INFO). Neither ever holds a score: only who, which unit, how
many ratings and why. The exclusions table is for the evaluation office; it names raters
(by their pseudonymous id, never by name). The log names rater and unit for the registry
rules; for a declared conflict, a term or an assignment it gives counts only, since who
declared a conflict with which unit is the rater's own declaration.
:func:`exclusion_counts` gives the counts per reason without any rater or unit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

logger = logging.getLogger("evalkit.qualitative")

EXCLUSION_COLUMNS = ["rater_id", "rater_group", "unit_id", "n_ratings", "reason", "reason_zh"]
#: Every reason a rating is excluded for, in the order they are tested (a rating breaking
#: several rules is excluded under the first).
REASONS_ZH = {
    "not_in_registry": "评估人员库中无此人",
    "group_mismatch": "评估群体与评估人员库不符",
    "own_unit": "本单位人员不评本单位（回避）",
    "conflict_of_interest": "申报利益冲突（回避）",
    "outside_term": "不在评估人员聘期内",
    "not_assigned": "未分配评估该单位",
}
#: Reasons the log reports by count alone (no rater, no unit).
COUNT_ONLY_REASONS = frozenset({"conflict_of_interest", "outside_term", "not_assigned"})
COUNT_COLUMNS = ["reason", "reason_zh", "n_ratings", "n_pairs"]


@dataclass(frozen=True)
class Exclusion:
    """Eligible ratings and the log of what was excluded.

    ``eligible`` has the columns of the input ratings (``rater_group`` taken from the
    registry). ``exclusions`` has one row per rater, unit and reason:
    ``rater_id, rater_group, unit_id, n_ratings, reason, reason_zh`` — never a score, never
    a name.
    """

    eligible: pd.DataFrame
    exclusions: pd.DataFrame


def _empty_exclusions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "n_ratings" else object)
                         for c in EXCLUSION_COLUMNS})


def exclude_own_unit(ratings: pd.DataFrame, raters: pd.DataFrame | None) -> Exclusion:
    """Drop ratings of a rater's own unit (and unregistered or mis-grouped ratings).

    The registry rules of :func:`exclude_ineligible` alone: no term, assignment or declared
    conflict is looked at.

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
    return exclude_ineligible(ratings, raters)


def _pairs_listed(ratings: pd.DataFrame, listed: pd.DataFrame) -> np.ndarray:
    """Whether each rating's (rater_id, unit_id) is a row of ``listed``."""
    def pairs(frame: pd.DataFrame) -> pd.MultiIndex:
        return pd.MultiIndex.from_arrays([frame["rater_id"].astype(str).to_numpy(),
                                          frame["unit_id"].astype(str).to_numpy()])
    return pairs(ratings).isin(pairs(listed))


def _in_term(registry: pd.DataFrame, year: int) -> np.ndarray:
    """Per registry row: whether the rater's term overlaps ``year`` (an empty start or end
    is unbounded on that side; no term columns: every rater is in term)."""
    first, last = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
    ok = np.ones(len(registry), dtype=bool)
    if "term_start" in registry.columns:
        start = pd.to_datetime(registry["term_start"])
        ok &= (start.isna() | (start <= last)).to_numpy(dtype=bool)
    if "term_end" in registry.columns:
        end = pd.to_datetime(registry["term_end"])
        ok &= (end.isna() | (end >= first)).to_numpy(dtype=bool)
    return ok


def exclude_ineligible(ratings: pd.DataFrame, raters: pd.DataFrame | None, *, year: int | None = None,
                       assignments: pd.DataFrame | None = None,
                       conflicts: pd.DataFrame | None = None) -> Exclusion:
    """Drop every rating that must not count: the rules of the module docstring.

    Parameters
    ----------
    ratings
        The ``ratings`` table of one year: ``rater_id, rater_group, unit_id, criterion, score``.
    raters
        The ``raters`` registry: ``rater_id, rater_group, own_unit_id`` and optionally
        ``term_start, term_end`` (other columns, e.g. ``name``, are not read). ``None`` or
        an empty frame: no registry, nothing can be checked; the ratings are returned
        unchanged and a warning is logged.
    year
        The ratings' year, for the term rule; None: terms are not checked.
    assignments
        The year's ``rater_assignments`` (``rater_id, unit_id``); None or empty: the year
        has none and every unit may be rated.
    conflicts
        The ``rater_conflicts`` declared (``rater_id, unit_id``); None or empty: none.

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
    no = np.zeros(len(ratings), dtype=bool)
    conflict = (_pairs_listed(ratings, conflicts) if conflicts is not None and not conflicts.empty else no)
    outside = (known & ~_in_term(registry, int(year))[at]) if year is not None else no
    unassigned = (~_pairs_listed(ratings, assignments) if assignments is not None and not assignments.empty
                  else no)
    reason = np.select([~known, mismatch, own_unit, conflict, outside, unassigned], list(REASONS_ZH), "")
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
        if why in COUNT_ONLY_REASONS:
            logger.info("excluded %d rating(s) (%s, %s) of %d rater–unit pair(s)", int(part["n_ratings"].sum()),
                        why, REASONS_ZH[why], len(part))
            continue
        pairs = ", ".join(f"{a}→{b}" for a, b in zip(part["rater_id"], part["unit_id"]))
        logger.info("excluded %d rating(s) (%s, %s): %s", int(part["n_ratings"].sum()), why,
                    REASONS_ZH[why], pairs)
    return Exclusion(eligible, table)


def exclusion_counts(exclusions: pd.DataFrame) -> pd.DataFrame:
    """Ratings excluded per reason, without any rater or unit: one row per reason of
    :data:`REASONS_ZH` (in that order, zeros included), columns ``reason, reason_zh,
    n_ratings`` (ratings excluded) and ``n_pairs`` (distinct rater–unit pairs)."""
    grouped = exclusions.groupby("reason", sort=False)
    n_ratings = grouped["n_ratings"].sum() if len(exclusions) else pd.Series(dtype="int64")
    n_pairs = grouped.size() if len(exclusions) else pd.Series(dtype="int64")
    reasons = list(REASONS_ZH)
    return pd.DataFrame({
        "reason": reasons, "reason_zh": [REASONS_ZH[r] for r in reasons],
        "n_ratings": [int(n_ratings.get(r, 0)) for r in reasons],
        "n_pairs": [int(n_pairs.get(r, 0)) for r in reasons]})[COUNT_COLUMNS]
