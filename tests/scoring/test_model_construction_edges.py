"""How the scoring model is built, at its edges (issue 18, found with
``python benchmarks/mutation.py scoring``): the messages of a bad values or units table,
a leaf no unit has data for, a framework of two roots, the first unit's declarations, the
read-only arrays, the step table the lab prints, grades of a two-band scheme and a peer
group without donors. Expected values are worked in the comments."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ScoringError
from evalkit.scoring import GradeRules, parse_framework
from evalkit.scoring.kernels import group_best
from evalkit.sensitivity import ScoringModel

A, B, C, D = "service_on_time_rate", "hotline_on_time_rate", "hotline_contact_rate", "grid_on_time_rate"
LINEAR = {"type": "linear_band", "low": 0, "high": 100}


def _leaf(code, indicator, points):
    return {"code": code, "indicator": indicator, "points": points, "direction": 1, "rule": LINEAR}


def _framework(roots, **top):
    return parse_framework({"code": "m", "version": "1", "grades": {"top_quota": 1.0}, "nodes": roots, **top})


def _one_root(children, **top):
    return _framework([{"code": "R", "area": "efficiency", "children": children}], **top)


def _units(*ids):
    return pd.DataFrame([(u, "department", "综合") for u in ids], columns=["unit_id", "peer_group", "unit_class"])


def _values(rows):
    return pd.DataFrame(rows, columns=["indicator", "unit_id", "value"]).assign(n=1.0)


def test_bad_tables_are_refused_with_a_message_naming_the_fault():
    fw = _one_root([_leaf("L1", A, 10)])
    with pytest.raises(ScoringError, match="^units must list every unit once$"):
        ScoringModel.from_values(fw, _units("U1", "U1"), _values([(A, "U1", 50)]))
    with pytest.raises(ScoringError, match="^values must hold one row per indicator and unit$"):
        ScoringModel.from_values(fw, _units("U1", "U2"), _values([(A, "U1", 50), (A, "U1", 60)]))
    # the same unit under two indicators, and two units under one: not duplicates
    ScoringModel.from_values(_one_root([_leaf("L1", A, 5), _leaf("L2", B, 5)]), _units("U1", "U2"),
                             _values([(A, "U1", 50), (B, "U1", 60), (A, "U2", 70)]))
    fw4 = _one_root([_leaf("L1", A, 5), _leaf("L2", B, 5), _leaf("L3", C, 5), _leaf("L4", D, 5)])
    na = pd.DataFrame({"unit_id": ["U1", "U1"], "indicator": ["not_an_indicator", "nor_this"]})
    with pytest.raises(ScoringError) as err:
        ScoringModel.from_values(fw4, _units("U1"), _values([(A, "U1", 50)]), not_applicable=na)
    assert str(err.value) == ("not_applicable, column indicator: expected an indicator code of the catalogue "
                              f"(e.g. {', '.join(sorted([A, B, C, D])[:3])}), found 'nor_this', 'not_an_indicator'")


def test_a_leaf_nobody_reported_does_not_stop_the_leaves_after_it():
    # L1 has no row at all; L2 (after it) is read: U1 70 of 10 → 7, re-based on L2 → 70
    fw = _one_root([_leaf("L1", A, 10), _leaf("L2", B, 10)])
    out = ScoringModel.from_values(fw, _units("U1"), _values([(B, "U1", 70)])).nominal()
    assert out["score_100"].iloc[0] == pytest.approx(70)


def test_two_roots_add_up_to_the_maximum():
    fw = _framework([{"code": "R1", "area": "efficiency", "children": [_leaf("L1", A, 60)]},
                     {"code": "R2", "area": "efficiency", "children": [_leaf("L2", B, 40)]}])
    model = ScoringModel.from_values(fw, _units("U1"), _values([(A, "U1", 50), (B, "U1", 100)]))
    assert model.max_score.tolist() == [100.0]
    assert model.nominal()["score_100"].iloc[0] == pytest.approx(70)  # 30 + 40 of 100


def test_the_first_unit_s_declarations_count_and_the_arrays_are_read_only():
    fw = _one_root([_leaf("L1", A, 60), _leaf("L2", B, 40)])
    na = pd.DataFrame({"unit_id": ["U1"], "indicator": [B]})  # U1: the first unit of the table
    targets = pd.DataFrame({"unit_id": ["U1"], "leaf": ["L1"], "target": [80.0]})
    model = ScoringModel.from_values(fw, _units("U1", "U2"), _values([(A, "U1", 40), (B, "U1", 90), (A, "U2", 40)]),
                                     not_applicable=na, targets=targets)
    assert model.excluded.tolist() == [[False, True], [False, False]]
    assert model.points.tolist() == [[60.0, 0.0], [60.0, 40.0]]
    for arr in (model.excluded, model.unit_targets, model.points, model.values):
        assert not arr.flags.writeable
    # U1: L1 at its agreed 80: 60 × 40/80 = 30 of 60 → 50; U2: 60 × 40/100 = 24 of 100 (no L2 data,
    # re-based on L1: 24 of 60) → 40
    scores = model.nominal().set_index("unit_id")["score_100"]
    assert scores["U1"] == pytest.approx(50) and scores["U2"] == pytest.approx(40)


def test_the_step_table_the_lab_prints():
    fw = _one_root([_leaf("L1", A, 0.5)])
    values = _values([(A, "U1", 50)]).assign(ci_low=40.0, ci_high=60.0)
    steps = ScoringModel.from_values(fw, _units("U1"), values).steps
    assert {k: s.description for k, s in steps.items()} == {
        "values": "indicator values; rates of records may be redrawn within their Wilson intervals or from "
                  "their Jeffreys posteriors",
        "normalise": "leaf values onto a common, higher-is-better scale",
        "missing": "what a leaf without data counts for",
        "weights": "relative weight of each leaf",
        "aggregate": "how leaf scores combine up the tree",
    }
    assert steps["values"].alternatives  # a leaf of half a point with an interval may be redrawn


def test_two_bands_and_a_bar_on_the_top_grade():
    # bands 达标 (≥ 60) and 不达标: a unit barred from the top (一票否优) gets the second band
    fw = _one_root([_leaf("L1", A, 10)], grades={"top_quota": 1.0, "bands": [["达标", 60], ["不达标", 0]]})
    adj = pd.DataFrame({"unit_id": ["U2"], "kind": ["bar_top"], "points": [np.nan]})
    out = ScoringModel.from_values(fw, _units("U1", "U2"), _values([(A, "U1", 90), (A, "U2", 95)]), adj).nominal()
    assert out.set_index("unit_id")["grade"].to_dict() == {"U1": "达标", "U2": "不达标"}


def test_a_peer_group_without_donors_leaves_the_leaf_unfilled_without_a_warning():
    # peer_mean, but nobody has L1: nothing to fill from; each unit re-based on L2
    fw = _one_root([_leaf("L1", A, 50), _leaf("L2", B, 50)], missing_policy="peer_mean")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ScoringModel.from_values(fw, _units("U1", "U2"), _values([(B, "U1", 80), (B, "U2", 60)])).nominal()
    assert out.set_index("unit_id")["score_100"].to_dict() == pytest.approx({"U1": 80.0, "U2": 60.0})


def test_group_best_per_replication_for_lower_is_better():
    # two replications (rows) of three units in one group: the best is each row's own minimum
    values = np.array([[3.0, 1.0, 2.0], [5.0, 6.0, 4.0]])
    best = group_best(values, np.ones_like(values, dtype=bool), [np.arange(3)], -1)
    assert best.tolist() == [[1.0, 1.0, 1.0], [4.0, 4.0, 4.0]]
    assert group_best(values, np.ones_like(values, dtype=bool), [np.arange(3)], 1).tolist() == \
        [[3.0, 3.0, 3.0], [6.0, 6.0, 6.0]]


def test_a_group_below_a_point_with_one_leaf_not_applicable_still_applies():
    # G (0.5 + 0.25 points): L2 declared not applicable to U1, G keeps 0.5 points on L1 → data
    fw = _one_root([{"code": "G", "children": [_leaf("L1", A, 0.5), _leaf("L2", B, 0.25)]}])
    na = pd.DataFrame({"unit_id": ["U1"], "indicator": [B]})
    _, nodes = ScoringModel.from_values(fw, _units("U1"), _values([(A, "U1", 80)]), not_applicable=na).published()
    g = nodes.set_index("code")
    assert g.loc["G", "status"] == "data" and g.loc["G", "points"] == 0.5
    assert g.loc["G", "score"] == pytest.approx(0.4) and g.loc["L2", "status"] == "not_applicable"
