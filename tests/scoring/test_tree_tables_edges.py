"""The published node and unit tables at their edges, worked by hand.

What a leader reads for an inner node (its status when everything under it is not applicable
or has no data), a unit with nothing left to score, leaves and units worth less than a
point, and ``rank_and_grade`` on frames as callers build them (a missing veto flag, an index
that is not 0 … n − 1). Written for the mutation testing of issue 18
(``python benchmarks/mutation.py scoring``); the expectations are worked in the comments.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit.scoring import GradeRules, parse_framework, rank_and_grade
from evalkit.sensitivity import ScoringModel

A, B, C = "service_on_time_rate", "hotline_on_time_rate", "hotline_contact_rate"
LINEAR = {"type": "linear_band", "low": 0, "high": 100}


def _framework(children, **top):
    return parse_framework({"code": "edges", "version": "1", "grades": {"top_quota": 1.0},
                            "nodes": [{"code": "R", "area": "efficiency", "children": children}], **top})


def _leaf(code, indicator, points):
    return {"code": code, "indicator": indicator, "points": points, "direction": 1, "rule": LINEAR}


def _units(*ids):
    return pd.DataFrame([(u, "department", "综合") for u in ids], columns=["unit_id", "peer_group", "unit_class"])


def _values(rows):
    return pd.DataFrame(rows, columns=["indicator", "unit_id", "value"]).assign(n=1.0)


def _published(framework, units, values, not_applicable=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no floating-point warning on any edge
        return ScoringModel.from_values(framework, units, values, not_applicable=not_applicable).published()


def _na(rows):
    return pd.DataFrame(rows, columns=["unit_id", "indicator"])


# G1 = L1 (6) + L2 (4); G2 = L3 (10); total 20.
TREE = [
    {"code": "G1", "children": [_leaf("L1", A, 6), _leaf("L2", B, 4)]},
    {"code": "G2", "children": [_leaf("L3", C, 10)]},
]


def test_inner_node_status_follows_what_is_under_it():
    fw = _framework(TREE)
    # U1: everything reported. U2: L3 not applicable → G2 not applicable, no score, 0 points.
    # U3: no value for L1 nor L2 → G1 has no score (the default policy re-bases on data):
    #     not reported.
    values = _values([(A, "U1", 50), (B, "U1", 50), (C, "U1", 50),
                      (A, "U2", 50), (B, "U2", 50),
                      (C, "U3", 80)])
    totals, nodes = _published(fw, _units("U1", "U2", "U3"), values, _na([("U2", C)]))
    n = nodes.set_index(["code", "unit_id"])
    assert n.loc[("G1", "U1"), "status"] == "data" and n.loc[("G2", "U1"), "status"] == "data"
    assert n.loc[("G2", "U2"), "status"] == "not_applicable"
    assert n.loc[("G2", "U2"), "points"] == 0 and math.isnan(n.loc[("G2", "U2"), "score"])
    assert n.loc[("L3", "U2"), "status"] == "not_applicable"
    assert n.loc[("G1", "U3"), "status"] == "not_reported" and math.isnan(n.loc[("G1", "U3"), "score"])
    assert n.loc[("G1", "U3"), "no_data"]
    # U2: (3 + 2) of 10 → 50; U3: 8 of 10 on the leaves with data → 80, coverage 10/20
    t = totals.set_index("unit_id")
    assert t.loc["U2", "max_score"] == 10 and t.loc["U2", "score_100"] == pytest.approx(50)
    assert t.loc["U3", "score_100"] == pytest.approx(80) and t.loc["U3", "coverage"] == pytest.approx(0.5)


def test_a_unit_with_nothing_left_to_score_has_no_score_and_no_warning():
    fw = _framework(TREE)
    values = _values([(A, "U1", 50), (B, "U1", 50), (C, "U1", 50), (A, "U2", 90)])
    na = _na([("U2", A), ("U2", B), ("U2", C)])  # every leaf declared not applicable to U2
    totals, nodes = _published(fw, _units("U1", "U2"), values, na)
    t = totals.set_index("unit_id")
    assert t.loc["U2", "max_score"] == 0
    assert math.isnan(t.loc["U2", "score_100"]) and math.isnan(t.loc["U2", "total_score"])
    assert pd.isna(t.loc["U2", "rank"]) and pd.isna(t.loc["U2", "grade"])
    assert t.loc["U1", "score_100"] == pytest.approx(50) and t.loc["U1", "rank"] == 1
    n = nodes[nodes["unit_id"] == "U2"].set_index("code")
    assert set(n["status"]) == {"not_applicable"} and n["score"].isna().all()


def test_leaves_and_units_worth_less_than_a_point():
    # one leaf of 0.5 points, linear 0 → 100: 1 % gives 0.005 points → 1 of 100, a unit score
    # below 1 stays as it is (only negative scores are raised to 0); 60 % → 60.
    fw = _framework([_leaf("L1", A, 0.5)])
    totals, nodes = _published(fw, _units("U1", "U2"), _values([(A, "U1", 1), (A, "U2", 60)]))
    t = totals.set_index("unit_id")
    assert t["max_score"].tolist() == [0.5, 0.5]
    assert t.loc["U1", "score_100"] == pytest.approx(1.0)
    assert t.loc["U2", "score_100"] == pytest.approx(60.0)
    assert t["coverage"].tolist() == [1.0, 1.0]
    leaf = nodes[nodes["code"] == "L1"].set_index("unit_id")
    assert leaf.loc["U1", "points"] == 0.5 and leaf.loc["U1", "score"] == pytest.approx(0.005)
    # a group of less than a point with no data under it is not reported
    fw = _framework([{"code": "G", "children": [_leaf("L1", A, 0.5)]}, _leaf("L2", B, 10)])
    totals, nodes = _published(fw, _units("U1"), _values([(B, "U1", 70)]))
    g = nodes.set_index("code")
    assert g.loc["G", "status"] == "not_reported" and g.loc["G", "no_data"]
    assert totals["score_100"].iloc[0] == pytest.approx(70)  # re-based on L2


def test_a_unit_score_just_above_zero_is_kept():
    fw = _framework([_leaf("L1", A, 10)])
    totals, _ = _published(fw, _units("U1"), _values([(A, "U1", 0.4)]))
    assert totals["score_100"].iloc[0] == pytest.approx(0.4)  # 0.04 of 10 points → 0.4


RULES = GradeRules(bands=(("优秀", 90.0), ("良好", 80.0), ("合格", 60.0), ("不合格", 0.0)), top_quota=1.0)


def test_rank_and_grade_reads_a_missing_veto_as_none_and_keeps_the_callers_index():
    totals = pd.DataFrame({
        "unit_id": ["A", "B", "C"], "peer_group": ["department"] * 3,
        "score_100": [95.0, 85.0, 70.0],
        "veto": pd.array([None, True, None], dtype="boolean"),  # A and C: no veto recorded
    }, index=[10, 20, 30])
    out = rank_and_grade(totals, RULES)
    assert out.index.tolist() == [10, 20, 30]
    assert out["grade"].tolist() == ["优秀", "不合格", "合格"]  # B's veto: the failing grade
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["n_in_group"].dtype == np.int64 and out["n_in_group"].tolist() == [3, 3, 3]
    empty = rank_and_grade(totals.iloc[:0], RULES)
    assert empty.empty and str(empty["rank"].dtype) == "Int64"


def test_min_coverage_on_points_below_one():
    # min_coverage 0.5; leaves of 0.5 and 0.25 points: with data on the 0.5 leaf only, 0.5 of
    # 0.75 points (0.667) rest on data → scored, 0.5 of 0.5 re-based: 60 % → 60; with data on
    # the 0.25 leaf only, 0.25/0.75 = 0.333 < 0.5 → no score.
    fw = _framework([_leaf("L1", A, 0.5), _leaf("L2", B, 0.25)], min_coverage=0.5)
    totals, _ = _published(fw, _units("U1", "U2"), _values([(A, "U1", 60), (B, "U2", 60)]))
    t = totals.set_index("unit_id")
    assert t.loc["U1", "score_100"] == pytest.approx(60) and t.loc["U1", "coverage"] == pytest.approx(2 / 3)
    assert math.isnan(t.loc["U2", "score_100"]) and t.loc["U2", "coverage"] == pytest.approx(1 / 3)
