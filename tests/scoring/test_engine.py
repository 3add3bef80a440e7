"""Points-sum aggregation with per-group points and the missing-data policies, by hand."""

import numpy as np
import pandas as pd
import pytest

from evalkit.scoring.framework import parse_framework
from evalkit.scoring.model import score_tree

UNITS = pd.DataFrame({"unit_id": ["D1", "D2", "S1"], "peer_group": ["department", "department", "subdistrict"],
                      "unit_class": ["综合管理类", "执法监管类", "街道"]})


def framework(policy="renormalise"):
    return parse_framework({
        "code": "t", "version": "1", "missing_policy": policy,
        "nodes": [
            {"code": "A", "area": "efficiency", "children": [
                {"code": "A1", "indicator": "service_on_time_rate", "points": 6, "target": 100,
                 "rule": {"type": "threshold_deduct", "per": 1, "deduct": 1}},
                {"code": "A2", "indicator": "hotline_on_time_rate", "points": {"department": 4, "subdistrict": 2},
                 "rule": {"type": "linear_band", "low": 80, "high": 100}},
            ]},
            {"code": "B", "area": "openness", "children": [
                {"code": "B1", "indicator": "disclosure_on_time_rate", "points": 10, "applies_to": ["department"],
                 "target": 100, "rule": {"type": "binary"}},
            ]},
        ]})


def values(rows):
    return pd.DataFrame(rows, columns=["indicator", "unit_id", "value", "n"])


VALUES = values([
    ("service_on_time_rate", "D1", 98.0, 100), ("service_on_time_rate", "D2", 100.0, 100),
    ("service_on_time_rate", "S1", 99.0, 100),
    ("hotline_on_time_rate", "D1", 90.0, 50), ("hotline_on_time_rate", "D2", np.nan, 0),
    ("hotline_on_time_rate", "S1", 100.0, 10),
    ("disclosure_on_time_rate", "D1", 100.0, 5), ("disclosure_on_time_rate", "D2", 95.0, 3),
])


def test_hand_worked_totals():
    totals, nodes = score_tree(framework(), UNITS, VALUES)
    t = totals.set_index("unit_id")
    # D1: A1 = 6 − 2 = 4; A2 = 4 × 0.5 = 2; B1 = 10 → 16 of 20.
    assert t.loc["D1", "total_score"] == pytest.approx(16.0)
    assert t.loc["D1", "max_score"] == 20
    # D2: A1 = 6; A2 no data → A renormalised 6 × 10/6 = 10; B1 = 0 → 10 of 20, coverage 16/20.
    assert t.loc["D2", "total_score"] == pytest.approx(10.0)
    assert t.loc["D2", "coverage"] == pytest.approx(0.8)
    # S1: A1 = 5, A2 = 2 (points 2 for sub-districts); B not applicable → 7 of 8 → 87.5.
    assert t.loc["S1", "max_score"] == 8
    assert t.loc["S1", "score_100"] == pytest.approx(87.5)
    assert not ((nodes["unit_id"] == "S1") & (nodes["code"] == "B1")).any()
    d2 = nodes[(nodes["unit_id"] == "D2") & (nodes["code"] == "A2")].iloc[0]
    assert bool(d2["no_data"]) and np.isnan(d2["score"])


def test_zero_policy_counts_no_data_as_zero():
    totals, _ = score_tree(framework("zero"), UNITS, VALUES)
    assert totals.set_index("unit_id").loc["D2", "total_score"] == pytest.approx(6.0)


def test_peer_mean_policy_imputes_group_mean_share():
    totals, _ = score_tree(framework("peer_mean"), UNITS, VALUES)
    # D2's A2 imputed with D1's share 0.5 of 4 points = 2 → 6 + 2 + 0.
    assert totals.set_index("unit_id").loc["D2", "total_score"] == pytest.approx(8.0)


def test_min_coverage_makes_thin_parents_missing():
    fw = framework()
    fw = type(fw)(**{**fw.__dict__, "min_coverage": 0.7})
    totals, nodes = score_tree(fw, UNITS, VALUES)
    a_d2 = nodes[(nodes["unit_id"] == "D2") & (nodes["code"] == "A")].iloc[0]
    # D2's area A rests on data for 6 of 10 points (60 % < 70 %): missing. Its total then
    # rests on data for only B's 10 of 20 points (50 %): missing too — no score, not zero.
    assert np.isnan(a_d2["score"])
    assert np.isnan(totals.set_index("unit_id").loc["D2", "total_score"])
    # D1 has data everywhere and keeps its score.
    assert totals.set_index("unit_id").loc["D1", "total_score"] == pytest.approx(16.0)


def test_rank_points_rank_within_peer_group():
    fw = parse_framework({"code": "t", "version": "1", "nodes": [{"code": "A", "area": "efficiency", "children": [
        {"code": "A1", "indicator": "service_on_time_rate", "points": 6,
         "rule": {"type": "rank_points", "table": [6, 5, 4]}}]}]})
    totals, _ = score_tree(fw, UNITS, VALUES)
    t = totals.set_index("unit_id")["total_score"]
    # Departments: D2 (100) first → 6, D1 (98) second → 5; S1 is alone in its group → 6.
    assert t.to_dict() == {"D1": 5.0, "D2": 6.0, "S1": 6.0}
