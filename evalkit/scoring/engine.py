"""Scoring a framework tree for every unit: leaf rules, missing data, points-sum aggregation.

Aggregation is the points sum of district practice (分值相加). With the default missing-data
policy ``renormalise`` a parent's score is the sum of its scored children scaled up by
(applicable points / points of children with data), so a unit is neither punished nor
rewarded for an indicator it has nothing to count; ``coverage`` reports the share of
points that rest on data. ``zero`` scores no-data as 0 and ``peer_mean`` imputes the mean
score of the unit's peer group (as the 机构编制 rules do, domain brief §1.1). A framework's
``min_coverage`` (default 0) makes a parent missing when less than that share of its points
rests on data (imputed scores do not count as data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .framework import Framework, Node
from ..indicators.catalogue import BY_CODE


class _UnitIndex:
    """What every leaf needs about the units, computed once per scoring run."""

    def __init__(self, units: pd.DataFrame, values: pd.DataFrame):
        ids = units["unit_id"].astype(str).to_numpy()
        pairs = pd.MultiIndex.from_arrays([units["peer_group"].astype(str), units["unit_class"].astype(str)])
        self.pair_codes, self.pairs = pd.factorize(pairs)
        group_codes, groups = pd.factorize(units["peer_group"].astype(str))
        self.group_masks = [group_codes == k for k in range(len(groups))]
        # indicator → (value, n) arrays aligned with ``units``; one pass over ``values``.
        self.values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if len(values):
            pos = pd.Index(ids).get_indexer(values["unit_id"].astype(str))
            ok = pos >= 0
            for ind, idx in pd.Series(np.arange(len(values))[ok]).groupby(values["indicator"].to_numpy()[ok]):
                rows = idx.to_numpy()
                v = np.full(len(ids), np.nan)
                n = np.zeros(len(ids))
                v[pos[rows]] = values["value"].to_numpy(dtype="float64")[rows]
                n[pos[rows]] = np.nan_to_num(values["n"].to_numpy(dtype="float64")[rows])
                self.values[str(ind)] = (v, n)
        self.size = len(ids)

    def leaf_points(self, node: Node) -> np.ndarray:
        """Points of a leaf for every unit, looked up once per (peer group, class) pair."""
        table = np.array([node.points_for(g, c) for g, c in self.pairs], dtype="float64")
        return table[self.pair_codes]


def _leaf_frame(node: Node, index: _UnitIndex, policy: str) -> dict:
    direction = node.direction or BY_CODE[node.indicator].direction
    value, n = index.values.get(node.indicator, (np.full(index.size, np.nan), np.zeros(index.size)))
    points = index.leaf_points(node)
    applicable = points > 0
    best = np.full(index.size, np.nan)
    for g in index.group_masks:
        m = g & applicable & ~np.isnan(value)
        if m.any():
            best[g] = np.max(value[m]) if direction > 0 else np.min(value[m])
    rank = None
    if getattr(node.rule, "type", "") == "rank_points":
        rank = np.full(index.size, np.nan)
        key = value * (1 if direction > 0 else -1)
        for g in index.group_masks:
            m = g & applicable & ~np.isnan(value)
            if m.any():
                rank[m] = pd.Series(key[m]).rank(method="min", ascending=False).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        score = node.rule.score(value, points, node.target, direction, best, rank)
    score = np.where(applicable & ~np.isnan(value), score, np.nan)
    no_data = applicable & np.isnan(value)
    policy = node.missing or policy
    if policy == "zero":
        score = np.where(no_data, 0.0, score)
    elif policy == "peer_mean":
        for g in index.group_masks:
            have = g & applicable & ~np.isnan(score)
            if have.any():
                # Impute the mean *share* of points, so units with other points are fair.
                share = np.mean(score[have] / points[have])
                fill = g & no_data
                score[fill] = share * points[fill]
    return {"points": points, "score": score, "value": value, "n": n, "no_data": no_data,
            "applicable": applicable}


def score_tree(framework: Framework, units: pd.DataFrame, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every unit on every node.

    Parameters
    ----------
    framework: the indicator tree.
    units: ``unit_id, peer_group, unit_class`` (one row per unit).
    values: long indicator frame ``indicator, unit_id, value, n`` (see
        :func:`evalkit.indicators.compute_indicators`).

    Returns
    -------
    (totals, nodes): ``totals`` has one row per unit with ``total_score, max_score,
    score_100, coverage``; ``nodes`` one row per unit and applicable node with ``code,
    points, score, points_lost, coverage, raw_value, n, no_data``.
    """
    units = units.reset_index(drop=True)
    index = _UnitIndex(units, values)
    computed: dict[str, dict] = {}

    def visit(code: str) -> dict:
        node = framework.nodes[code]
        if node.is_leaf:
            res = _leaf_frame(node, index, framework.missing_policy)
            # Coverage is the share resting on data: an imputed score does not count.
            res["coverage"] = np.where(res["applicable"], (~res["no_data"]).astype(float), np.nan)
        else:
            kids = [visit(c) for c in node.children]
            res = _combine(kids, framework.min_coverage)
        computed[code] = res
        return res

    top = _combine([visit(r) for r in framework.roots], framework.min_coverage)
    totals = pd.DataFrame({
        "unit_id": units["unit_id"],
        "total_score": top["score"],
        "max_score": top["points"],
        "score_100": np.where(top["points"] > 0, 100.0 * top["score"] / np.where(top["points"] > 0, top["points"], 1), np.nan),
        "coverage": top["coverage"],
    })
    rows = []
    for node in framework.walk():
        res = computed[node.code]
        part = pd.DataFrame({
            "unit_id": units["unit_id"],
            "code": node.code,
            "points": res["points"],
            "score": res["score"],
            "points_lost": res["points"] - res["score"],
            "coverage": res["coverage"],
            "raw_value": res.get("value", np.full(len(units), np.nan)),
            "n": res.get("n", np.full(len(units), np.nan)),
            "no_data": res.get("no_data", np.isnan(res["score"]) & (res["points"] > 0)),
        })
        rows.append(part[res["points"] > 0])
    nodes = pd.concat(rows, ignore_index=True)
    return totals, nodes


def _combine(kids: list[dict], min_coverage: float = 0.0) -> dict:
    """Points-sum of children, renormalised over the children that have a score; the result
    is missing where the share of points resting on data is below ``min_coverage``."""
    points = np.sum([k["points"] for k in kids], axis=0)
    covered_points = np.sum([np.where(np.isnan(k["score"]), 0.0, k["points"] * _cov(k)) for k in kids], axis=0)
    raw = np.sum([np.nan_to_num(k["score"]) for k in kids], axis=0)
    has = np.sum([~np.isnan(k["score"]) for k in kids], axis=0) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        # Children already renormalised their own scores to their full points, so the
        # parent scales by applicable points over points of children that have a score.
        scored_points = np.sum([np.where(np.isnan(k["score"]), 0.0, k["points"]) for k in kids], axis=0)
        score = np.where(has & (scored_points > 0), raw * points / np.where(scored_points > 0, scored_points, 1), np.nan)
        coverage = np.where(points > 0, covered_points / np.where(points > 0, points, 1), np.nan)
    if min_coverage > 0:
        score = np.where(np.nan_to_num(coverage) >= min_coverage - 1e-12, score, np.nan)
    return {"points": points, "score": score, "coverage": coverage}


def _cov(k: dict) -> np.ndarray:
    return np.nan_to_num(k["coverage"])
