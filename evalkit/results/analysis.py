"""The analysis the reports show, as functions of saved results: pandas in, tidy DataFrames out.

Every function takes a :class:`~evalkit.results.store.Results` (or anything with its
``units``, ``nodes``, ``meta`` and, optionally, ``table(name)``) and returns a DataFrame
whose columns are listed in its docstring. Nothing here formats text: the reports
(:mod:`evalkit.report.present`, :mod:`evalkit.report.overview`) word and lay out what these
functions compute, so the same numbers can be checked in a test or used in a notebook.

Unit report
    :func:`unit_nodes`, :func:`unit_leaves`, :func:`area_scores`, :func:`leaf_comparison`,
    :func:`strengths`, :func:`weaknesses`, :func:`suggestions`, :func:`unit_history`,
    :func:`area_changes`, :func:`score_composition` (with :func:`reconciled`).
District overview
    :func:`grade_counts`, :func:`area_rates`, :func:`movers`, :func:`attention_flags`,
    :func:`decisions`.

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

import numpy as np
import pandas as pd

from ..errors import EvalkitError
from .store import grade_rules

#: Points lost up to this are treated as none (rounding of the scores).
LOSS_TOLERANCE = 0.005

#: A strength is at least this far above the peer median's score rate (1 percentage point):
#: less is within the rounding of the printed rates, no strength a reader could see.
STRENGTH_MIN_GAP = 0.01

#: Number of strengths and weaknesses a unit report lists.
TOP_N = 3
#: Number of improvement suggestions a unit report lists.
TOP_SUGGESTIONS = 5

#: The district overview's attention rules: a unit is flagged when any of them holds.
ATTENTION_RANK_DROP = 10         # places lost on last year, or more

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


def _status(nodes: pd.DataFrame) -> pd.Series:
    """The ``status`` of node rows (:data:`evalkit.scoring.model.NODE_STATUSES`); results of
    older versions without the column: ``filled`` where ``no_data`` and a score, ``data``
    otherwise."""
    if "status" in nodes.columns:
        return nodes["status"].astype(str)
    nd = nodes["no_data"].map(_no_data).astype(bool)
    has = pd.to_numeric(nodes["score"], errors="coerce").notna()
    return pd.Series(np.where(nd & has, "filled", np.where(nd, "not_reported", "data")), index=nodes.index)


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
        below (−) the median unit of its peer group on this indicator;
        ``status`` — :data:`evalkit.scoring.model.NODE_STATUSES`.

        Peer rates use the peers' data only (scores filled in by the missing-data policy
        and not-applicable rows are left out).
    """
    leaves = unit_leaves(results, unit)
    nodes = results.nodes
    peer_nodes = nodes[nodes["unit_id"].astype(str).isin(set(_peer_ids(results, unit)))]
    peer_nodes = peer_nodes[_status(peer_nodes) == "data"]  # filled values are not performance
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
        "status": _status(leaves).to_numpy(),
    })
    out["no_data"] = out["no_data"].astype(bool)
    out["rate"] = out["score"] / out["points"].where(out["points"] > 0)
    out["peer_rate"] = out["code"].map(peer_rate).astype("float64")
    out["vs_peer"] = (out["rate"] - out["peer_rate"]) * out["points"]
    return out.reset_index(drop=True)


def strengths(results: Any, unit: str, n: int = TOP_N) -> pd.DataFrame:
    """The unit's strengths: the indicators with data on which it is furthest above the
    median unit of its peer group.

    The ``n`` leaves with data (``status == "data"``), a score rate at least
    :data:`STRENGTH_MIN_GAP` above the peer rate (``vs_peer`` > :data:`LOSS_TOLERANCE`) and
    no points lost beyond the tolerance, by ``vs_peer`` then ``rate``, largest first.
    An indicator that lost points is never a strength (it may be a weakness), and full
    marks where the peer median has full marks too are no strength. Empty when nothing
    beats the median.

    Returns
    -------
    DataFrame
        Rows of :func:`leaf_comparison` (same columns), index 0…n−1.
    """
    comp = leaf_comparison(results, unit)
    scored = comp[(comp["status"] == "data") & comp["score"].notna()]
    ok = ((scored["vs_peer"] > LOSS_TOLERANCE) & (scored["rate"] - scored["peer_rate"] >= STRENGTH_MIN_GAP - 1e-12)
          & ~(scored["points_lost"] > LOSS_TOLERANCE))
    out = scored[ok].sort_values(["vs_peer", "rate"], ascending=[False, False], kind="stable").head(n)
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
    scored = comp[(comp["status"] == "data") & comp["score"].notna()]
    return scored[scored["points_lost"] > LOSS_TOLERANCE].sort_values(
        "points_lost", ascending=False, kind="stable").head(n).reset_index(drop=True)


#: Upper end of the range of an indicator measured in these units (a target above it can
#: never be reached; a suggestion is bounded by it).
UNIT_UPPER = {"%": 100.0, "％": 100.0, "percent": 100.0}


def _upper(node: pd.Series) -> float:
    """The indicator's upper bound: 100 for a percentage or a 0–100 rating (a ``linear_band``
    leaf's score saturates at its ``high``), else +∞."""
    unit = "" if is_missing(node.get("value_unit")) else str(node.get("value_unit")).strip()
    if unit in UNIT_UPPER:
        return UNIT_UPPER[unit]
    if node.get("kind") == "qualitative" or unit in ("分", "points"):
        return 100.0
    return math.inf


def suggestions(results: Any, unit: str, n: int = TOP_SUGGESTIONS) -> pd.DataFrame:
    """What the unit could improve, most recoverable points first: one row per leaf among
    its ``n`` largest recoverable losses, plus one row per 一票否决 / 一票否优 decision.

    ``action`` says what closing the gap means:

    * ``veto`` / ``bar_top`` — the decision's cause (``reason``) is to be rectified; always
      listed first;
    * ``report`` — the indicator applies but was not reported (its score is the
      missing-data policy's): report it;
    * ``raise`` / ``lower`` — bring the value up / down to ``goal``: the target, bounded by
      the indicator's range (a percentage never above 100 %);
    * ``peer`` — no target: reach the median value of the peer group (``goal``).

    ``recoverable`` is the points the unit would gain by closing the gap (the points lost;
    for a filled score: the points the policy did not give). Not-applicable indicators are
    never suggested. A leaf listed here is never among :func:`strengths`.

    Returns
    -------
    DataFrame
        ``code, area_code, name_zh, name_en, action, raw_value, goal, target, value_unit,
        direction, points_lost, recoverable, rate, peer_rate, peer_value, prev_value,
        reason, reason_en``: ``peer_value`` the median value of the peers with data,
        ``prev_value`` last year's value (NaN when unknown), ``reason``/``reason_en`` the
        decision's reason (decisions only).
    """
    cols = ["code", "area_code", "name_zh", "name_en", "action", "raw_value", "goal", "target", "value_unit",
            "direction", "points_lost", "recoverable", "rate", "peer_rate", "peer_value", "prev_value", "reason",
            "reason_en"]
    rows = []
    rec = unit_row(results, unit)
    adj = _table(results, "adjustments")
    for kind in ("veto", "bar_top"):
        if not is_missing(rec.get(kind)) and bool(rec.get(kind)):
            mine = (adj[(adj["unit_id"].astype(str) == str(unit)) & (adj["kind"] == kind)]
                    if adj is not None else pd.DataFrame(columns=["reason", "reason_en"]))
            en = mine["reason_en"].fillna("").astype(str) if "reason_en" in mine.columns else pd.Series([], dtype=str)
            rows.append({"code": "", "area_code": "", "name_zh": "", "name_en": "", "action": kind,
                         "reason": "；".join(mine["reason"].astype(str)),
                         "reason_en": "; ".join(x for x in en if x)})
    comp = leaf_comparison(results, unit)
    comp = comp[comp["status"] != "not_applicable"]
    lost = comp[comp["points_lost"] > LOSS_TOLERANCE].sort_values(
        "points_lost", ascending=False, kind="stable").head(n)
    nodes = unit_nodes(results, unit)
    nodes.index = nodes["code"].astype(str)
    peer_values = _peer_values(results, unit)
    prev = previous_values(results, unit)
    for r in lost.itertuples(index=False):
        node = nodes.loc[r.code] if r.code in nodes.index else pd.Series(dtype=object)
        direction = node.get("direction")
        target = node.get("target")
        upper = _upper(node)
        peer_value = peer_values.get(r.code, float("nan"))
        goal = float("nan")
        if r.status != "data":
            action = "report"
        elif not is_missing(target) and not is_missing(direction) and float(direction) != 0:
            action = "raise" if float(direction) > 0 else "lower"
            goal = min(float(target), upper)
        else:
            action = "peer"
            goal = peer_value
        rows.append({"code": r.code, "area_code": r.area_code, "name_zh": r.name_zh,
                     "name_en": r.name_en, "action": action, "raw_value": node.get("raw_value"),
                     "goal": goal, "target": target, "value_unit": node.get("value_unit"),
                     "direction": direction, "points_lost": r.points_lost, "recoverable": r.points_lost,
                     "rate": r.rate, "peer_rate": r.peer_rate, "peer_value": peer_value,
                     "prev_value": prev.get(r.code, float("nan")), "reason": "", "reason_en": ""})
    return pd.DataFrame(rows, columns=cols)


def _peer_values(results: Any, unit: str) -> dict[str, float]:
    """Median raw value of each leaf over the unit's peers with data."""
    nodes = results.nodes
    peers = nodes[nodes["unit_id"].astype(str).isin(set(_peer_ids(results, unit)))]
    peers = peers[_status(peers) == "data"]
    values = pd.to_numeric(peers["raw_value"], errors="coerce")
    return values.groupby(peers["code"].astype(str)).median().dropna().to_dict()


def previous_values(results: Any, unit: str) -> dict[str, float]:
    """Last year's raw value of each leaf of ``unit`` that had data last year (from the
    ``node_history`` table: scored with the same framework, so comparable); {} without it."""
    hist = _table(results, "node_history")
    if hist is None or hist.empty:
        return {}
    year = int((results.meta or {}).get("year") or unit_row(results, unit)["year"])
    rows = hist[(hist["unit_id"].astype(str) == str(unit)) & (hist["year"] == year - 1)]
    rows = rows[_status(rows) == "data"]
    return pd.to_numeric(rows["raw_value"], errors="coerce").groupby(rows["code"].astype(str)).first().dropna().to_dict()


def area_changes(results: Any, unit: str) -> pd.DataFrame:
    """The unit's level-1 areas this year and last year, on one basis (both years scored with
    the same framework, :func:`evalkit.results.history.node_history_table`).

    Returns
    -------
    DataFrame
        ``code, name_zh, name_en, points, score, rate, prev_points, prev_score, prev_rate,
        change`` — ``change`` is the change of the score rate in percentage points (NaN when
        either year has no score for the area); areas in framework order.
    """
    areas = area_scores(results, unit)
    hist = _table(results, "node_history")
    year = int((results.meta or {}).get("year") or unit_row(results, unit)["year"])
    prev = pd.DataFrame(columns=["code", "points", "score"])
    if hist is not None and not hist.empty:
        prev = hist[(hist["unit_id"].astype(str) == str(unit)) & (hist["year"] == year - 1)]
    prev = prev.set_index(prev["code"].astype(str))
    out = areas[["code", "name_zh", "name_en", "points", "score"]].copy()
    out["rate"] = areas["score_rate"]
    out["prev_points"] = out["code"].map(pd.to_numeric(prev.get("points"), errors="coerce")).astype("float64")
    out["prev_score"] = out["code"].map(pd.to_numeric(prev.get("score"), errors="coerce")).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["prev_rate"] = out["prev_score"] / out["prev_points"].where(out["prev_points"] > 0)
    out["change"] = 100.0 * (out["rate"] - out["prev_rate"])
    return out.reset_index(drop=True)


def reconciled(values: Any, total: float, decimals: int) -> list[float]:
    """``values`` rounded to ``decimals`` so that the rounded parts add up exactly to
    ``total`` rounded to ``decimals`` (largest-remainder method, Hamilton's): each part is
    rounded down, then the parts with the largest remainders get one unit of the last
    decimal until the sum is reached (ties: the earlier part). NaN parts stay NaN and take
    no share. Used so that a printed column of area scores adds up to its printed total.

    Reference: Balinski, M. L. & Young, H. P. (2001). *Fair Representation*, 2nd ed.,
    Brookings, ch. 2 (Hamilton's method).
    """
    vals = [float("nan") if is_missing(v) else float(v) for v in values]
    unit = 10.0 ** -decimals
    scaled = [v / unit for v in vals]
    floors = [math.floor(x + 1e-9) if not math.isnan(x) else float("nan") for x in scaled]
    want = round(float(total) / unit)
    short = want - sum(f for f in floors if not math.isnan(f))
    order = sorted((i for i, x in enumerate(scaled) if not math.isnan(x)),
                   key=lambda i: (-(scaled[i] - floors[i]), i))
    out = list(floors)
    if order:
        k = 0
        while short > 0:
            out[order[k % len(order)]] += 1
            short -= 1
            k += 1
        k = 0
        while short < 0:  # a total below the sum of the floors (negative parts): take back
            i = order[::-1][k % len(order)]
            out[i] -= 1
            short += 1
            k += 1
    return [float("nan") if math.isnan(x) else round(x * unit, decimals) for x in out]


def score_composition(results: Any, unit: str, decimals: int) -> pd.DataFrame:
    """How the unit's total is made: its level-1 areas, their sum (基础分), the re-basing to
    100 when indicators were declared not applicable, the bonus and deduction points with
    their reasons and caps, and the total — each row's ``shown`` value rounded to
    ``decimals`` so that the printed rows add up exactly (:func:`reconciled`): the areas to
    the base, and base (re-based) + bonus − deduction to the total.

    Returns
    -------
    DataFrame
        ``row`` (``area``, ``base``, ``rebased``, ``bonus``, ``deduction``, ``total``),
        ``code, name_zh, name_en, points, score, shown, points_shown, lost_shown, reasons,
        requested, cap`` — ``requested`` the points asked before the cap (bonus and
        deduction), ``cap`` the framework's cap; ``reasons`` a list of (zh, en) pairs.
    """
    rec = unit_row(results, unit)
    areas = area_scores(results, unit)
    max_score = float(rec["max_score"])
    base = float(rec.get("base_score", rec["total_score"]))
    total = float(rec["score_100"])
    bonus = 0.0 if is_missing(rec.get("bonus")) else float(rec["bonus"])
    deduction = 0.0 if is_missing(rec.get("deduction")) else float(rec["deduction"])
    rebased = 100.0 * base / max_score if max_score > 0 else float("nan")
    applicable = areas[areas["points"] > 0]
    shown_base = round(base, decimals)
    parts = reconciled(applicable["score"].tolist(), shown_base, decimals)
    rows = []
    for (r, shown) in zip(applicable.itertuples(index=False), parts):
        rows.append({"row": "area", "code": r.code, "name_zh": r.name_zh, "name_en": r.name_en,
                     "points": r.points, "score": r.score, "shown": shown,
                     "lost_shown": round(r.points - shown, decimals) if not math.isnan(shown) else float("nan")})
    rows.append({"row": "base", "points": max_score, "score": base, "shown": shown_base,
                 "lost_shown": round(max_score - shown_base, decimals)})
    adj = _table(results, "adjustments")
    mine = adj[adj["unit_id"].astype(str) == str(unit)] if adj is not None else pd.DataFrame()
    # the total's printed parts: rebased + bonus − deduction = total, exactly
    shown_total = round(total, decimals)
    if abs(max_score - 100.0) > 1e-9:
        rows.append({"row": "rebased", "points": 100.0, "score": rebased,
                     "shown": round(shown_total - round(bonus, decimals) + round(deduction, decimals), decimals)
                     if total > 0 or rebased + bonus - deduction >= 0 else round(rebased, decimals)})
    for kind, value in (("bonus", bonus), ("deduction", deduction)):
        rs = mine[mine["kind"] == kind] if not mine.empty else mine
        if value == 0 and (rs is None or len(rs) == 0):
            continue
        reasons = [] if len(rs) == 0 else list(zip(rs["reason"].astype(str),
                                                   rs.get("reason_en", pd.Series([""] * len(rs))).fillna("").astype(str)))
        requested = float(pd.to_numeric(rs["points"], errors="coerce").sum()) if len(rs) else value
        cap = float(rs["cap"].iloc[0]) if len(rs) and "cap" in rs.columns and not is_missing(rs["cap"].iloc[0]) else float("nan")
        rows.append({"row": kind, "score": value, "shown": round(value, decimals), "reasons": reasons,
                     "requested": requested, "cap": cap})
    rows.append({"row": "total", "points": 100.0, "score": total, "shown": shown_total})
    out = pd.DataFrame(rows, columns=["row", "code", "name_zh", "name_en", "points", "score", "shown",
                                      "lost_shown", "reasons", "requested", "cap"])
    return out


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


#: The attention rules of :func:`attention_flags`, most serious first: the order the
#: overview lists units in.
ATTENTION_RULES = ("veto", "fail", "provisional", "rank_drop")


def attention_flags(results: Any, *, rank_drop: int = ATTENTION_RANK_DROP) -> pd.DataFrame:
    """The units that need a leader's attention, with every reason, most serious first.

    Rules (:data:`ATTENTION_RULES`): ``veto`` — 一票否决 (the failing grade whatever the
    score); ``fail`` — graded in the failing band without a veto; ``provisional`` — its
    grade and rank are provisional (too little of its points rests on data); ``rank_drop``
    — lost ``rank_drop`` places or more on last year.

    Returns
    -------
    DataFrame
        ``unit_id, rule, value``: one row per unit and reason; ``value`` the places lost or
        the coverage (NaN otherwise). Units ordered by their most serious rule, then by
        ``results.units`` order; a unit's rules in :data:`ATTENTION_RULES` order.
    """
    fail = grade_rules(results.meta).fail
    rows = []
    for pos, (_, u) in enumerate(results.units.iterrows()):
        uid = str(u["unit_id"])
        found = []
        veto = not is_missing(u.get("veto")) and bool(u.get("veto"))
        if veto:
            found.append(("veto", float("nan")))
        elif str(u.get("grade")) == fail:
            found.append(("fail", float("nan")))
        if not is_missing(u.get("provisional")) and bool(u.get("provisional")):
            found.append(("provisional", float(u["coverage"])))
        change = u.get("rank_change")
        if not is_missing(change) and int(change) <= -rank_drop:
            found.append(("rank_drop", float(-int(change))))
        for rule, value in found:
            rows.append((ATTENTION_RULES.index(found[0][0]), pos, uid, rule, value))
    rows.sort(key=lambda r: (r[0], r[1]))
    return pd.DataFrame([r[2:] for r in rows], columns=["unit_id", "rule", "value"])


def decisions(results: Any) -> pd.DataFrame:
    """Every decision that changed a unit's grade or total beyond its points: 一票否决,
    一票否优, and bonus or deduction points cut by the framework's cap.

    Returns
    -------
    DataFrame
        ``unit_id, kind, reason, reason_en, requested, applied, cap`` — for ``veto`` and
        ``bar_top`` the decision's reasons; for a capped ``bonus``/``deduction`` the points
        requested, applied and the cap. Units in ``results.units`` order.
    """
    adj = _table(results, "adjustments")
    cols = ["unit_id", "kind", "reason", "reason_en", "requested", "applied", "cap"]
    if adj is None or adj.empty:
        return pd.DataFrame(columns=cols)
    units = results.units.set_index(results.units["unit_id"].astype(str))
    # split once: a district export asks for every unit's decisions (one pass, not one per unit)
    by_unit = dict(tuple(adj.groupby(adj["unit_id"].astype(str), sort=False)))
    rows = []
    for uid in units.index:
        mine = by_unit.get(uid)
        if mine is None or mine.empty:
            continue
        for kind in ("veto", "bar_top"):
            rs = mine[mine["kind"] == kind]
            if len(rs):
                rows.append({"unit_id": uid, "kind": kind, "reason": "；".join(rs["reason"].astype(str)),
                             "reason_en": "; ".join(x for x in rs.get("reason_en", pd.Series(dtype=str)).fillna("").astype(str) if x)})
        for kind in ("bonus", "deduction"):
            rs = mine[mine["kind"] == kind]
            if not len(rs):
                continue
            requested = float(pd.to_numeric(rs["points"], errors="coerce").sum())
            applied = float(units.loc[uid, kind]) if kind in units.columns else requested
            if applied < requested - LOSS_TOLERANCE:
                cap = rs["cap"].iloc[0] if "cap" in rs.columns else float("nan")
                rows.append({"unit_id": uid, "kind": f"{kind}_cap", "reason": "；".join(rs["reason"].astype(str)),
                             "reason_en": "; ".join(x for x in rs.get("reason_en", pd.Series(dtype=str)).fillna("").astype(str) if x),
                             "requested": requested, "applied": applied, "cap": cap})
    return pd.DataFrame(rows, columns=cols)
