"""The analysis the reports show, as functions of saved results: pandas in, tidy DataFrames out.

Every function takes a :class:`~evalkit.results.store.Results` (or anything with its
``units``, ``nodes``, ``meta`` and, optionally, ``table(name)``) and returns a DataFrame
whose columns are listed in its docstring. Nothing here formats text: the reports
(:mod:`evalkit.report.present`, :mod:`evalkit.report.overview`) word and lay out what these
functions compute, so the same numbers can be checked in a test or used in a notebook.

Unit report
    :func:`unit_nodes`, :func:`unit_leaves`, :func:`area_scores`, :func:`leaf_comparison`,
    :func:`strengths`, :func:`weaknesses`, :func:`suggestions`, :func:`unit_history`.
District overview
    :func:`grade_counts`, :func:`area_rates`, :func:`movers`, :func:`attention_flags`.

Conventions
-----------
* A *score rate* is score ÷ points (0–1; NaN when the node has no score or no points).
* The *peer median* of a node is the median over every unit of the same peer group that
  has a value (NaN values are skipped, as :meth:`pandas.Series.median` does).
* Points lost below :data:`LOSS_TOLERANCE` (0.005) count as none: they are rounding, not
  a loss a reader could act on.
* Ties keep framework order (stable sorts throughout).

References
----------
.. [COINr] Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. &
   Saisana, M. (2022). COINr: An R package for developing composite indicators. *Journal
   of Open Source Software* 7(78), 4567 (``get_str_weak``: strengths and weaknesses of a
   unit as the indicators it ranks best and worst on).
.. [JRC08] OECD & JRC (2008). *Handbook on Constructing Composite Indicators:
   Methodology and User Guide*. OECD Publishing, step 10 (links to other indicators and
   country profiles).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..errors import EvalkitError
from .store import grade_rules

#: Points lost up to this are treated as none (rounding of the scores).
LOSS_TOLERANCE = 0.005

#: Number of strengths and weaknesses a unit report lists.
TOP_N = 3
#: Number of improvement suggestions a unit report lists.
TOP_SUGGESTIONS = 5

#: The district overview's attention rules: a unit is flagged when any of them holds.
ATTENTION_RANK_DROP = 10         # places lost on last year, or more
ATTENTION_SCORE_DROP = 5.0       # points (0–100 scale) lost on last year, or more
ATTENTION_AREA_RATE = 0.5        # an area scored below half its points
ATTENTION_COVERAGE = 0.6         # less than this share of the points had data

#: Units listed in each direction by :func:`movers`.
TOP_MOVERS = 5


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------

def is_missing(value: Any) -> bool:
    """True for ``None``, ``NaN``, ``pd.NA`` and ``NaT`` (the one missing-value test of the
    analysis and the reports)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _table(results: Any, name: str) -> pd.DataFrame | None:
    getter = getattr(results, "table", None)
    frame = getter(name) if callable(getter) else None
    return frame if isinstance(frame, pd.DataFrame) else None


def unit_row(results: Any, unit: str) -> pd.Series:
    """The row of ``results.units`` for ``unit``; :class:`~evalkit.errors.EvalkitError`
    when the results do not hold it."""
    units = results.units
    rows = units[units["unit_id"].astype(str) == str(unit)]
    if rows.empty:
        raise EvalkitError(f"unit {unit!r} is not in the results")
    return rows.iloc[0]


def _peer_ids(results: Any, unit: str) -> pd.Series:
    """Unit ids of ``unit``'s peer group (``unit`` included), as strings."""
    units = results.units
    group = str(unit_row(results, unit)["peer_group"])
    return units.loc[units["peer_group"].astype(str) == group, "unit_id"].astype(str)


def _is_leaf(nodes: pd.DataFrame) -> pd.Series:
    parents = {str(p) for p in nodes["parent"] if not is_missing(p)}
    return ~nodes["code"].astype(str).isin(parents)


def _area_of(nodes: pd.DataFrame) -> dict[str, str]:
    """Each node code → the code of its level-1 ancestor (itself for level 1)."""
    parent = {str(c): (None if is_missing(p) else str(p)) for c, p in zip(nodes["code"], nodes["parent"])}
    level = {str(c): int(lv) for c, lv in zip(nodes["code"], nodes["level"])}
    out: dict[str, str] = {}
    for code in parent:
        cur, seen = code, set()
        while level.get(cur, 1) > 1 and parent.get(cur) is not None and cur not in seen:
            seen.add(cur)
            cur = parent[cur]
        out[code] = cur
    return out


def _no_data(value: Any) -> bool:
    return not is_missing(value) and bool(value)


# ----------------------------------------------------------------------------------------
# One unit
# ----------------------------------------------------------------------------------------

def unit_nodes(results: Any, unit: str) -> pd.DataFrame:
    """The rows of ``results.nodes`` for ``unit``, in framework order.

    Returns
    -------
    DataFrame
        The columns of the ``nodes`` table (see :mod:`evalkit.results.store`), index 0…n−1.
    """
    nodes = results.nodes
    return nodes[nodes["unit_id"].astype(str) == str(unit)].reset_index(drop=True)


def unit_leaves(results: Any, unit: str) -> pd.DataFrame:
    """The unit's leaf indicators, each area's leaves together, areas in framework order.

    Returns
    -------
    DataFrame
        The ``nodes`` columns of the leaves plus ``area_code`` (the code of the leaf's
        level-1 ancestor); index 0…n−1.
    """
    nodes = unit_nodes(results, unit)
    area_of = _area_of(nodes)
    leaves = nodes[_is_leaf(nodes)]
    level1 = nodes.loc[nodes["level"].astype(int) == 1, "code"].astype(str)
    area_rank = {c: i for i, c in enumerate(level1)}
    codes = leaves["code"].astype(str)
    order = codes.map(lambda c: area_rank.get(area_of.get(c, c), len(area_rank)))
    leaves = leaves.assign(area_code=codes.map(lambda c: area_of.get(c, c)).to_numpy(),
                           _order=order.to_numpy())
    return leaves.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def area_scores(results: Any, unit: str) -> pd.DataFrame:
    """The unit's level-1 areas with the peer-group median score of each.

    Returns
    -------
    DataFrame
        One row per area in framework order:

        ``code, name_zh, name_en``
        ``points`` — the area's points for this unit;
        ``score`` — its score (NaN without data);
        ``points_lost`` — points − score (from the results, else computed);
        ``score_rate`` — score ÷ points;
        ``peer_median`` — median score of the area over the unit's peer group;
        ``no_data`` — bool;
        ``coverage`` — share (0–1) of the area's points whose indicators had data
        (1.0 when the results do not record it).
    """
    units_peers = set(_peer_ids(results, unit))
    nodes = unit_nodes(results, unit)
    areas = nodes[nodes["level"].astype(int) == 1]
    all_nodes = results.nodes
    peer_level1 = all_nodes[all_nodes["unit_id"].astype(str).isin(units_peers)
                            & (all_nodes["level"].astype(int) == 1)]
    medians = (peer_level1.assign(score=pd.to_numeric(peer_level1["score"], errors="coerce"))
               .groupby("code")["score"].median())
    rows = []
    for _, node in areas.iterrows():
        points = float(node["points"])
        score = float("nan") if is_missing(node["score"]) else float(node["score"])
        lost = node["points_lost"]
        if is_missing(lost) and not math.isnan(score):
            lost = points - score
        coverage = node.get("coverage")
        rows.append({
            "code": str(node["code"]),
            "name_zh": node.get("name_zh"),
            "name_en": node.get("name_en"),
            "points": points,
            "score": score,
            "points_lost": float("nan") if is_missing(lost) else float(lost),
            "score_rate": score / points if points and not math.isnan(score) else float("nan"),
            "peer_median": float(medians.get(str(node["code"]), float("nan"))),
            "no_data": _no_data(node["no_data"]),
            "coverage": 1.0 if is_missing(coverage) else float(coverage),
        })
    return pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "points", "score", "points_lost",
                                       "score_rate", "peer_median", "no_data", "coverage"])


def leaf_comparison(results: Any, unit: str) -> pd.DataFrame:
    """Every leaf indicator of ``unit`` against the median unit of its peer group.

    Returns
    -------
    DataFrame
        One row per leaf in :func:`unit_leaves` order:

        ``code, area_code, name_zh, name_en``
        ``score, points, points_lost`` — from the results (NaN score: no score);
        ``no_data`` — bool: the indicator had no data;
        ``rate`` — score ÷ points;
        ``peer_rate`` — median score rate of the indicator over the peer group;
        ``vs_peer`` — (rate − peer_rate) × points: the points the unit is above (+) or
        below (−) the median unit of its peer group on this indicator.
    """
    leaves = unit_leaves(results, unit)
    nodes = results.nodes
    peer_nodes = nodes[nodes["unit_id"].astype(str).isin(set(_peer_ids(results, unit)))]
    score = pd.to_numeric(peer_nodes["score"], errors="coerce")
    points = pd.to_numeric(peer_nodes["points"], errors="coerce")
    peer_rate = (score / points.where(points > 0)).groupby(peer_nodes["code"].astype(str)).median()
    out = pd.DataFrame({
        "code": leaves["code"].astype(str),
        "area_code": leaves["area_code"],
        "name_zh": leaves["name_zh"],
        "name_en": leaves["name_en"] if "name_en" in leaves.columns else None,
        "score": pd.to_numeric(leaves["score"], errors="coerce"),
        "points": leaves["points"].astype(float),
        "points_lost": pd.to_numeric(leaves["points_lost"], errors="coerce"),
        "no_data": [_no_data(v) for v in leaves["no_data"]],
    })
    out["no_data"] = out["no_data"].astype(bool)
    out["rate"] = out["score"] / out["points"].where(out["points"] > 0)
    out["peer_rate"] = out["code"].map(peer_rate).astype("float64")
    out["vs_peer"] = (out["rate"] - out["peer_rate"]) * out["points"]
    return out.reset_index(drop=True)


def strengths(results: Any, unit: str, n: int = TOP_N) -> pd.DataFrame:
    """The unit's strengths: the scored indicators furthest above the peer-group median.

    The ``n`` leaves with data and ``vs_peer`` > :data:`LOSS_TOLERANCE`, by ``vs_peer``
    then ``rate``, largest first. When no leaf beats the median, the first ``n`` leaves
    with full marks (rate ≥ 99.95 %) instead.

    Returns
    -------
    DataFrame
        Rows of :func:`leaf_comparison` (same columns), index 0…n−1.
    """
    comp = leaf_comparison(results, unit)
    scored = comp[comp["score"].notna() & ~comp["no_data"]]
    out = scored[scored["vs_peer"] > LOSS_TOLERANCE].sort_values(
        ["vs_peer", "rate"], ascending=[False, False], kind="stable").head(n)
    if out.empty:  # nobody beats the median: the fullest marks instead
        out = scored[scored["rate"] >= 0.9995].head(n)
    return out.reset_index(drop=True)


def weaknesses(results: Any, unit: str, n: int = TOP_N) -> pd.DataFrame:
    """The unit's weaknesses: the ``n`` scored indicators that lost the most points
    (more than :data:`LOSS_TOLERANCE`), largest loss first.

    Returns
    -------
    DataFrame
        Rows of :func:`leaf_comparison` (same columns), index 0…n−1.
    """
    comp = leaf_comparison(results, unit)
    scored = comp[comp["score"].notna() & ~comp["no_data"]]
    return scored[scored["points_lost"] > LOSS_TOLERANCE].sort_values(
        "points_lost", ascending=False, kind="stable").head(n).reset_index(drop=True)


def suggestions(results: Any, unit: str, n: int = TOP_SUGGESTIONS) -> pd.DataFrame:
    """What the unit could improve: one row per indicator among its ``n`` largest point
    losses (leaves without data included), largest first.

    ``action`` says what closing the gap means:

    * ``no_data`` — the indicator had no data: report it;
    * ``raise`` / ``lower`` — bring the value above / below the target (the leaf has a
      target and a direction, +1 higher is better, −1 lower is better);
    * ``peer`` — no target: compare with the best units of the peer group.

    Returns
    -------
    DataFrame
        ``code, area_code, name_zh, name_en, action, raw_value, target, value_unit,
        direction, points_lost, rate, peer_rate`` (rate and peer rate as in
        :func:`leaf_comparison`).
    """
    comp = leaf_comparison(results, unit)
    lost = comp[comp["points_lost"] > LOSS_TOLERANCE].sort_values(
        "points_lost", ascending=False, kind="stable").head(n)
    nodes = unit_nodes(results, unit)
    nodes.index = nodes["code"].astype(str)
    rows = []
    for r in lost.itertuples(index=False):
        node = nodes.loc[r.code] if r.code in nodes.index else pd.Series(dtype=object)
        direction = node.get("direction")
        target = node.get("target")
        if r.no_data:
            action = "no_data"
        elif not is_missing(target) and not is_missing(direction) and float(direction) != 0:
            action = "raise" if float(direction) > 0 else "lower"
        else:
            action = "peer"
        rows.append({"code": r.code, "area_code": r.area_code, "name_zh": r.name_zh,
                     "name_en": r.name_en, "action": action, "raw_value": node.get("raw_value"),
                     "target": target, "value_unit": node.get("value_unit"),
                     "direction": direction, "points_lost": r.points_lost, "rate": r.rate,
                     "peer_rate": r.peer_rate})
    return pd.DataFrame(rows, columns=["code", "area_code", "name_zh", "name_en", "action", "raw_value",
                                       "target", "value_unit", "direction", "points_lost", "rate",
                                       "peer_rate"])


def unit_history(results: Any, unit: str) -> pd.DataFrame:
    """The unit's score, rank and grade in every year of the ``history`` table.

    Returns
    -------
    DataFrame
        ``year, score_100, rank, n_in_group, grade``, oldest first; empty when the results
        carry no history.
    """
    hist = _table(results, "history")
    cols = ["year", "score_100", "rank", "n_in_group", "grade"]
    if hist is None or hist.empty:
        return pd.DataFrame(columns=cols)
    rows = hist[hist["unit_id"].astype(str) == str(unit)].sort_values("year")
    return rows[[c for c in cols if c in rows.columns]].reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# Every unit
# ----------------------------------------------------------------------------------------

def grade_counts(results: Any) -> pd.DataFrame:
    """Number of units in each grade band per peer group.

    The bands are the results' own (:attr:`Results.grades
    <evalkit.results.store.Results.grades>`), so the counts equal those of the ``grade``
    column of ``scores.csv``; a unit without a grade is in no column.

    Returns
    -------
    DataFrame
        Index ``peer_group`` (sorted), one int column per band, best first.
    """
    units = results.units
    bands = grade_rules(results.meta).names
    groups = sorted(units["peer_group"].astype(str).unique())
    grade = units["grade"].astype(str)
    group = units["peer_group"].astype(str)
    table = pd.DataFrame([[int(((group == g) & (grade == b)).sum()) for b in bands] for g in groups],
                         index=pd.Index(groups, name="peer_group"), columns=list(bands), dtype="int64")
    table.columns.name = "grade"
    return table


def area_rates(results: Any) -> pd.DataFrame:
    """Unit × level-1 area score rates (score ÷ points; NaN without data).

    Returns
    -------
    DataFrame
        Index ``unit_id`` in ``results.units`` order, one column per area code in framework
        order.
    """
    nodes = results.nodes
    level1 = nodes[nodes["level"].astype(int) == 1].copy()
    level1["rate"] = (pd.to_numeric(level1["score"], errors="coerce")
                      / pd.to_numeric(level1["points"], errors="coerce").where(lambda p: p > 0))
    codes = list(dict.fromkeys(level1["code"].astype(str)))
    table = level1.pivot_table(index="unit_id", columns="code", values="rate", aggfunc="first",
                               dropna=False)
    return table.reindex(index=results.units["unit_id"].astype(str), columns=codes)


def movers(results: Any, n: int = TOP_MOVERS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` units that rose most and the ``n`` that fell most in rank on last year.

    Ties: the larger score change first (for risers; the larger fall for fallers), then
    the unit id.

    Returns
    -------
    (DataFrame, DataFrame)
        Risers and fallers: rows of ``results.units`` with ``rank_change`` as int and
        ``score_change`` (``score_100`` − ``prev_score``).
    """
    units = results.units.copy()
    units = units[units["rank_change"].notna()].copy()
    units["score_change"] = pd.to_numeric(units["score_100"], errors="coerce") - pd.to_numeric(
        units["prev_score"], errors="coerce")
    units["rank_change"] = units["rank_change"].astype(int)
    up = units[units["rank_change"] > 0].sort_values(["rank_change", "score_change", "unit_id"],
                                                     ascending=[False, False, True], kind="stable").head(n)
    down = units[units["rank_change"] < 0].sort_values(["rank_change", "score_change", "unit_id"],
                                                       ascending=[True, True, True], kind="stable").head(n)
    return up.reset_index(drop=True), down.reset_index(drop=True)


#: The attention rules of :func:`attention_flags`, in the order reports list them.
ATTENTION_RULES = ("fail", "rank_drop", "score_drop", "low_area", "low_coverage")


def attention_flags(results: Any, *, rank_drop: int = ATTENTION_RANK_DROP,
                    score_drop: float = ATTENTION_SCORE_DROP, area_rate: float = ATTENTION_AREA_RATE,
                    coverage: float = ATTENTION_COVERAGE) -> pd.DataFrame:
    """Every reason to flag a unit for attention, one row per unit and reason.

    Rules (:data:`ATTENTION_RULES`): ``fail`` — graded in the results' failing band;
    ``rank_drop`` — lost ``rank_drop`` places or more on last year; ``score_drop`` — its
    0–100 score fell by ``score_drop`` or more; ``low_area`` — a level-1 area scored below
    ``area_rate`` of its points (one row per such area); ``low_coverage`` — less than
    ``coverage`` of its points had data.

    Returns
    -------
    DataFrame
        ``unit_id, rule, value, area``: ``value`` is the places lost, the points lost, the
        area's score rate or the coverage (NaN for ``fail``); ``area`` is the area code for
        ``low_area`` rows (else missing). Units in ``results.units`` order, rules in
        :data:`ATTENTION_RULES` order, areas in framework order.
    """
    fail = grade_rules(results.meta).fail
    rates = area_rates(results)
    rows = []
    for _, u in results.units.iterrows():
        uid = str(u["unit_id"])
        if str(u.get("grade")) == fail:
            rows.append((uid, "fail", float("nan"), None))
        change = u.get("rank_change")
        if not is_missing(change) and int(change) <= -rank_drop:
            rows.append((uid, "rank_drop", float(-int(change)), None))
        if not is_missing(u.get("prev_score")) and not is_missing(u.get("score_100")):
            delta = float(u["score_100"]) - float(u["prev_score"])
            if delta <= -score_drop:
                rows.append((uid, "score_drop", -delta, None))
        if uid in rates.index:
            low = rates.loc[uid]
            for code, rate in low[low < area_rate].items():
                rows.append((uid, "low_area", float(rate), str(code)))
        cov = u.get("coverage")
        if not is_missing(cov) and float(cov) < coverage:
            rows.append((uid, "low_coverage", float(cov), None))
    return pd.DataFrame(rows, columns=["unit_id", "rule", "value", "area"])
