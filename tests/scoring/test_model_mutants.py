"""The one scorer's model (:mod:`evalkit.scoring.model`) by hand: every step of a run and
every table it writes, on a tiny framework whose numbers can be followed on paper.

Written for the mutation testing of issue 18 (``python benchmarks/mutation.py scoring``):
each test pins a behaviour a plausible bug would change. Expected values are worked by hand
in the comments, never computed by evalkit.

The model of most tests (``_model()``): root R with two leaves

* L1 (service_on_time_rate, higher is better, target 90) worth 60 points,
* L2 (hotline_on_time_rate, *lower* is better, target 10) worth 40 points,

both ``linear_band`` 0 → 100, so L1 scores 0.6·v and L2 scores 40·(1 − v/100).
Units A, B, C (department) and D, E (subdistrict), all class 综合; B has a bonus of 2,
C a deduction of 1.

======  ====  ====  ===================================
unit    L1    L2    rules: L1 + L2 = base (+ adjustments)
======  ====  ====  ===================================
A       90    20    54 + 32 = 86
B       70    50    42 + 20 = 62 (+2 = 64)
C       50    30    30 + 28 = 58 (−1 = 57)
D       90    10    54 + 36 = 90
E       50    30    30 + 28 = 58
======  ====  ====  ===================================
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import ScoringError
from evalkit.scoring import parse_framework
from evalkit.scoring.model import Replications, ScoringModel, score_tree, scoring_model
from evalkit.scoring.vocabulary import AGGREGATIONS, MISSING_POLICIES, NORMALISATIONS

IND, IND2 = "service_on_time_rate", "hotline_on_time_rate"
TOP, GOOD, PASS, FAIL = "优秀", "良好", "合格", "不合格"
LINEAR = {"type": "linear_band", "low": 0, "high": 100}


def _leaf(code, indicator, points, direction=None, target=None, rule=None, **extra):
    node = {"code": code, "indicator": indicator, "points": points, "rule": rule or LINEAR, **extra}
    if direction is not None:
        node["direction"] = direction
    if target is not None:
        node["target"] = target
    return node


def _doc(children, **top):
    return {"code": "m", "version": "1", "nodes": [{"code": "R", "area": "efficiency", "children": children}],
            **top}


def _units(rows):
    return pd.DataFrame(rows, columns=["unit_id", "peer_group", "unit_class"])


def _values(rows, **extra):
    frame = pd.DataFrame(rows, columns=["indicator", "unit_id", "value"])
    for k, v in extra.items():
        frame[k] = v
    return frame


UNITS = [("A", "department", "综合"), ("B", "department", "综合"), ("C", "department", "综合"),
         ("D", "subdistrict", "综合"), ("E", "subdistrict", "综合")]
L1_VALUES = {"A": 90, "B": 70, "C": 50, "D": 90, "E": 50}
L2_VALUES = {"A": 20, "B": 50, "C": 30, "D": 10, "E": 30}
ADJ = pd.DataFrame({"unit_id": ["B", "C"], "kind": ["bonus", "deduction"], "points": [2.0, 1.0]})


def _model(adj=ADJ, **top) -> ScoringModel:
    top.setdefault("grades", {"top_quota": 1.0})
    doc = _doc([_leaf("L1", IND, 60, direction=1, target=90), _leaf("L2", IND2, 40, direction=-1, target=10)],
               **top)
    values = _values([(IND, u, v) for u, v in L1_VALUES.items()] + [(IND2, u, v) for u, v in L2_VALUES.items()])
    return ScoringModel.from_values(parse_framework(doc), _units(UNITS), values, adj)


def _reps(model, n=1, **choices) -> Replications:
    reps = model.nominal_replications(n)
    for name, value in choices.items():
        if name in ("normalisation", "aggregation", "missing"):
            table = {"normalisation": NORMALISATIONS, "aggregation": AGGREGATIONS, "missing": MISSING_POLICIES}[name]
            getattr(reps, name)[:] = table.index(value)
    return reps


def _approx(values):
    if values and isinstance(values[0], list):
        return [pytest.approx(row, abs=1e-9, nan_ok=True) for row in values]
    return pytest.approx(values, abs=1e-9, nan_ok=True)


# ---------------------------------------------------------------------------------------
# The nominal run and the published tables
# ---------------------------------------------------------------------------------------


def test_nominal_run_scores_ranks_and_grades():
    model = _model()
    runs = model.run(model.nominal_replications(1))
    # A 86, B 62 + 2 = 64, C 58 − 1 = 57, D 90, E 58 (table of the module docstring)
    assert runs.scores[0].tolist() == _approx([86, 64, 57, 90, 58])
    # department: A 1, B 2, C 3; subdistrict: D 1, E 2
    assert runs.ranks[0].tolist() == [1, 2, 3, 1, 2]
    # bands 90/80/60 (quota 1.0): A 86 良好 (1), B 64 合格 (2), C 57 不合格 (3), D 90 优秀 (0), E 58 (3)
    assert runs.grades[0].tolist() == [1, 2, 3, 0, 3]
    assert runs.grades.dtype == np.int8


def test_nominal_and_published_tables():
    model = _model()
    nominal = model.nominal()
    assert list(nominal.columns) == ["unit_id", "peer_group", "score_100", "rank", "grade"]
    assert nominal["unit_id"].tolist() == list("ABCDE")
    assert nominal["peer_group"].tolist() == ["department"] * 3 + ["subdistrict"] * 2
    assert nominal["grade"].tolist() == [GOOD, PASS, FAIL, TOP, FAIL]
    assert nominal["rank"].tolist() == [1, 2, 3, 1, 2]
    assert str(nominal["rank"].dtype) == "Int64"

    totals, nodes = model.published()
    t = totals.set_index("unit_id")
    assert t["base_score"].tolist() == _approx([86, 62, 58, 90, 58])
    assert t["bonus"].tolist() == [0, 2, 0, 0, 0]
    assert t["deduction"].tolist() == [0, 0, 1, 0, 0]
    # total = base + bonus − deduction: 86, 64, 57, 90, 58 (max 100: score_100 the same)
    assert t["total_score"].tolist() == _approx([86, 64, 57, 90, 58])
    assert t["score_100"].tolist() == _approx([86, 64, 57, 90, 58])
    assert t["max_score"].tolist() == [100] * 5
    assert t["rank"].tolist() == [1, 2, 3, 1, 2]
    assert t["n_in_group"].tolist() == [3, 3, 3, 2, 2]
    assert t["grade"].tolist() == [GOOD, PASS, FAIL, TOP, FAIL]
    assert t["veto"].tolist() == [False] * 5 and t["bar_top"].tolist() == [False] * 5
    assert len(nodes) == 15  # 5 units × (R, L1, L2)


def test_published_floors_the_total_and_flags_vetoes():
    # C: 58 − 60 = −2 → 0 (floored); A vetoed (一票否决 → 不合格 although 86); D 一票否优 → 良好
    adj = pd.DataFrame({"unit_id": ["C", "A", "D"], "kind": ["deduction", "veto", "bar_top"],
                        "points": [60.0, np.nan, np.nan]})
    totals, _ = _model(adj).published()
    t = totals.set_index("unit_id")
    assert t.loc["C", "total_score"] == 0 and t.loc["C", "score_100"] == 0
    assert t.loc["C", "deduction"] == 60  # no deduction cap by default
    assert t["veto"].tolist() == [True, False, False, False, False]
    assert t["bar_top"].tolist() == [False, False, False, True, False]
    assert t["grade"].tolist() == [FAIL, PASS, FAIL, GOOD, FAIL]


def test_tree_tables_by_hand():
    # R → G → (L1, L2) and R → L3 (worth 0 for the subdistrict: it does not apply there);
    # L3 is a percent leaf worth 50 (department), higher is better.
    doc = _doc([{"code": "G", "area": "efficiency", "children": [
                    _leaf("L1", IND, 60, direction=1), _leaf("L2", IND2, 40, direction=-1)]},
                _leaf("L3", "supervision_on_time_rate", {"department": 50, "subdistrict": 0}, direction=1)],
               missing_policy="renormalise")
    values = _values([(IND, "A", 90), (IND, "B", 70), (IND2, "A", 20), (IND2, "D", 10),
                      ("supervision_on_time_rate", "A", 80)], n=[10.0, 20.0, 30.0, 40.0, 50.0])
    units = _units([("A", "department", "综合"), ("B", "department", "综合"), ("D", "subdistrict", "综合")])
    totals, nodes = score_tree(parse_framework(doc), units, values)
    # A: G = 54 + 32 = 86 of 100; L3 = 40 of 50 → R = 126 of 150 = 84 %
    # B: G = 42 of 60 with data → renormalised 42·100/60 = 70; L3 no data → R = 70·150/100 = 105 of 150
    #    (70 %); coverage = 60/150 = 0.4
    # D: L1 missing, L2 = 40·0.9 = 36 → G = 36·100/40 = 90; L3 does not apply → R = 90 of 100;
    #    coverage 40/100 = 0.4
    t = totals.set_index("unit_id")
    assert list(totals.columns) == ["unit_id", "total_score", "max_score", "score_100", "coverage"]
    assert t["total_score"].tolist() == _approx([126, 105, 90])
    assert t["max_score"].tolist() == [150, 150, 100]
    assert t["score_100"].tolist() == _approx([84, 70, 90])
    assert t["coverage"].tolist() == _approx([1.0, 0.4, 0.4])
    assert list(nodes.columns) == ["unit_id", "code", "points", "score", "points_lost", "coverage", "raw_value",
                                   "n", "no_data", "status"]
    # document order R, G, L1, L2, L3; the subdistrict has no L3 row (points 0)
    assert nodes["code"].tolist() == ["R"] * 3 + ["G"] * 3 + ["L1"] * 3 + ["L2"] * 3 + ["L3"] * 2
    assert nodes["unit_id"].tolist() == ["A", "B", "D"] * 4 + ["A", "B"]
    n = nodes.set_index(["code", "unit_id"])
    assert n.loc[("L1", "B"), ["points", "score", "points_lost", "raw_value", "n"]].tolist() == _approx(
        [60, 42, 18, 70, 20])
    assert n.loc[("L2", "B"), "no_data"] and math.isnan(n.loc[("L2", "B"), "score"])
    assert n.loc[("L2", "B"), "n"] == 0  # no row: count 0
    assert n.loc[("L3", "A"), ["points", "score", "points_lost", "n"]].tolist() == _approx([50, 40, 10, 50])
    # inner nodes have no raw value nor count; their no_data means "no score"
    assert math.isnan(n.loc[("G", "A"), "raw_value"]) and math.isnan(n.loc[("G", "A"), "n"])
    assert n.loc[("G", "B"), ["score", "points_lost", "coverage"]].tolist() == _approx([70, 30, 0.6])
    assert not n.loc[("G", "B"), "no_data"]
    assert n.loc[("R", "D"), ["points", "score", "coverage"]].tolist() == _approx([100, 90, 0.4])
    assert n.loc[("L1", "D"), "no_data"] and n.loc[("L1", "D"), "coverage"] == 0


def test_not_applicable_cells_are_excluded_and_the_score_re_based():
    # L1 (60 points) does not apply to B (declared); B's L2 = 40 · 0.5 = 20 of 40 → base 20
    # of max 40, re-based 50, + bonus 2 → 52 (20.8 on B's 40 points). A unchanged: 54 + 32
    # = 86. The peer_mean donors of L1 exclude B; C has no L1 value: it is "filled" with the
    # mean share of the donors (A only: 0.9) = 54, while B's L1 row says not_applicable.
    doc = _doc([_leaf("L1", IND, 60, direction=1), _leaf("L2", IND2, 40, direction=-1)],
               missing_policy="peer_mean")
    units = _units([("A", "department", "综合"), ("B", "department", "综合"), ("C", "department", "综合")])
    values = _values([(IND, "A", 90), (IND, "B", 10), (IND2, "A", 20), (IND2, "B", 50), (IND2, "C", 80)])
    na = pd.DataFrame({"unit_id": ["B", "X"], "indicator": [IND, IND]})  # X: unknown units are left out
    adj = pd.DataFrame({"unit_id": ["B"], "kind": ["bonus"], "points": [2.0]})
    model = ScoringModel.from_values(parse_framework(doc), units, values, adj, not_applicable=na)
    totals, nodes = model.published()
    t = totals.set_index("unit_id")
    assert t["max_score"].tolist() == [100, 40, 100]
    assert t["base_score"].tolist() == _approx([86, 20, 54 + 8])
    assert t["score_100"].tolist() == _approx([86, 52, 62])
    assert t.loc["B", "total_score"] == pytest.approx(20.8)
    assert t.loc["B", "coverage"] == 1.0  # nothing applicable is missing
    n = nodes.set_index(["code", "unit_id"])
    assert n.loc[("L1", "B"), "status"] == "not_applicable" and n.loc[("L1", "B"), "points"] == 0
    assert math.isnan(n.loc[("L1", "B"), "score"]) and math.isnan(n.loc[("L1", "B"), "raw_value"])
    assert n.loc[("L1", "C"), "status"] == "filled" and n.loc[("L1", "C"), "score"] == pytest.approx(54)
    assert n.loc[("L1", "A"), "status"] == "data" and n.loc[("R", "B"), "status"] == "data"
    # an indicator of the catalogue the framework does not score is left out; one the
    # catalogue does not know is an error naming it
    same = ScoringModel.from_values(parse_framework(doc), units, values, adj,
                                    not_applicable=pd.concat([na, pd.DataFrame({"unit_id": ["A"],
                                                                                "indicator": ["vote_score"]})]))
    assert same.published()[0]["score_100"].tolist() == _approx([86, 52, 62])
    with pytest.raises(ScoringError, match="found 'no_such_rate'"):
        ScoringModel.from_values(parse_framework(doc), units, values,
                                 not_applicable=pd.DataFrame({"unit_id": ["A"], "indicator": ["no_such_rate"]}))


def test_inner_node_without_any_score_is_no_data():
    # B has no value at all: G and R have no score; no_data is True on the inner nodes too
    doc = _doc([{"code": "G", "area": "efficiency", "children": [_leaf("L1", IND, 10, direction=1)]}])
    totals, nodes = score_tree(parse_framework(doc), _units([("A", "department", "综合"), ("B", "department", "综合")]),
                               _values([(IND, "A", 50)]))
    n = nodes.set_index(["code", "unit_id"])
    assert n.loc[("G", "B"), "no_data"] and n.loc[("R", "B"), "no_data"]
    assert not n.loc[("G", "A"), "no_data"]
    assert math.isnan(totals.set_index("unit_id").loc["B", "score_100"])
    assert totals.set_index("unit_id").loc["A", "score_100"] == 50


# ---------------------------------------------------------------------------------------
# Alternative normalisations (within each peer group)
# ---------------------------------------------------------------------------------------


def test_minmax_normalisation():
    model = _model()
    runs = model.run(_reps(model, normalisation="minmax"))
    # department: L1 (50 … 90) A 1, B 0.5, C 0; L2 lower is better (20 … 50): A 1, B 0, C 20/30
    # A 60 + 40 = 100; B 30 + 0 + 2 = 32; C 0 + 40·2/3 − 1 = 25.667
    # subdistrict: D best on both = 100, E 0
    assert runs.scores[0].tolist() == _approx([100, 32, 80 / 3 - 1, 100, 0])
    assert runs.ranks[0].tolist() == [1, 2, 3, 1, 2]
    assert runs.grades[0].tolist() == [-1] * 5  # only the framework's rules are graded


def test_percentile_normalisation():
    model = _model()
    runs = model.run(_reps(model, normalisation="percentile"))
    # department ranks (1 = worst): L1 C 1, B 2, A 3 → 0, 0.5, 1; L2 B 1, C 2, A 3 → B 0, C 0.5, A 1
    # A 100; B 30 + 0 + 2 = 32; C 0 + 20 − 1 = 19; subdistrict D 100, E 0
    assert runs.scores[0].tolist() == _approx([100, 32, 19, 100, 0])
    assert runs.grades[0].tolist() == [-1] * 5


def test_distance_to_target_normalisation():
    model = _model()
    runs = model.run(_reps(model, normalisation="distance_to_target"))
    # L1 target 90: (x − 50)/(90 − 50): A 1, B 0.5, C 0.
    # L2 target 10, lower is better: (50 − x)/(50 − 10): A 0.75, B 0, C 0.5.
    # A 60 + 30 = 90; B 30 + 2 = 32; C 20 − 1 = 19.
    # subdistrict: L1 (x − 50)/40: D 1, E 0; L2 (30 − x)/(30 − 10): D 1, E 0 → D 100, E 0
    assert runs.scores[0].tolist() == _approx([90, 32, 19, 100, 0])


def test_distance_to_target_everyone_on_target_gets_full_marks_and_is_capped():
    # one unit per group: its value reaches the target (90 ≥ 90, 10 ≤ 10) → full marks;
    # a unit beyond the target (95) is capped at 1.
    doc = _doc([_leaf("L1", IND, 10, direction=1, target=90)])
    units = _units([("A", "department", "综合"), ("B", "department", "综合"), ("D", "subdistrict", "综合")])
    model = ScoringModel.from_values(parse_framework(doc), units, _values([(IND, "A", 95), (IND, "B", 50),
                                                                         (IND, "D", 90)]))
    runs = model.run(_reps(model, normalisation="distance_to_target"))
    # A (95 − 50)/(90 − 50) = 1.125 → capped 1 → 100; B 0; D alone and on target → 100
    assert runs.scores[0].tolist() == _approx([100, 0, 100])


def test_zscore_normalisation_is_not_on_the_points_scale():
    model = _model()
    runs = model.run(_reps(model, normalisation="zscore"))
    # department L1 90, 70, 50: mean 70, sd 20 → A 1, B 0, C −1.
    # L2 20, 50, 30 (lower is better): mean 100/3, squares (40/3)² + (50/3)² + (10/3)² = 4200/9,
    # sd = √(4200/9/2) = √(2100/9); z = −(x − mean)/sd: A (40/3)/sd, B −(50/3)/sd, C (10/3)/sd.
    sd = math.sqrt(2100 / 9)
    # composite = (60·z1 + 40·z2)/100, no bonus or deduction on this scale
    want = [0.6 + 0.4 * (40 / 3) / sd, 0.4 * -(50 / 3) / sd, -0.6 + 0.4 * (10 / 3) / sd]
    # subdistrict (two units): z = ±1/√2 on both leaves → D +1/√2, E −1/√2
    want += [1 / math.sqrt(2), -1 / math.sqrt(2)]
    assert runs.scores[0].tolist() == _approx(want)
    assert runs.ranks[0].tolist() == [1, 2, 3, 1, 2]
    assert runs.grades[0].tolist() == [-1] * 5


def test_rank_normalisation():
    model = _model()
    runs = model.run(_reps(model, normalisation="rank"))
    # ranks 1 = worst: L1 C 1, B 2, A 3; L2 B 1, C 2, A 3. Composite 0.6·r1 + 0.4·r2:
    # A 3, B 1.2 + 0.4 = 1.6, C 0.6 + 0.8 = 1.4; subdistrict D 2, E 1 (no adjustments)
    assert runs.scores[0].tolist() == _approx([3, 1.6, 1.4, 2, 1])
    assert runs.ranks[0].tolist() == [1, 2, 3, 1, 2]


def test_flat_group_gives_the_midpoint():
    # both department units have the same value: min-max gives the midpoint 0.5 (50 of 100),
    # z-scores 0; percentile ranks them both 1 ("min" ties): (1 − 1)/(2 − 1) = 0
    doc = _doc([_leaf("L1", IND, 10, direction=1, target=100)])
    units = _units([("A", "department", "综合"), ("B", "department", "综合"), ("D", "subdistrict", "综合")])
    model = ScoringModel.from_values(parse_framework(doc), units, _values([(IND, "A", 70), (IND, "B", 70),
                                                                         (IND, "D", 40)]))
    reps = model.nominal_replications(3)
    reps.normalisation[:] = [NORMALISATIONS.index(m) for m in ("minmax", "zscore", "percentile")]
    runs = model.run(reps)
    # D alone in its group: minmax midpoint 50, z 0, percentile (one unit) midpoint 50
    assert runs.scores.tolist() == [_approx([50, 50, 50]), _approx([0, 0, 0]), _approx([0, 0, 50])]
    assert runs.ranks.tolist() == [[1, 1, 1]] * 3


def test_non_share_ranks_use_twelve_decimals():
    # rank normalisation: B has ranks (L1 2, L2 1), C (1, 2). With leaf weights a = 60·1 and
    # b = 40·1.5·(1 − 1e-6) the composites are B (2a + b)/(a + b), C (a + 2b)/(a + b): they
    # differ by (a − b)/(a + b) ≈ 5e-7 — equal at 2 decimals, different at 12: B 2, C 3.
    model = _model()
    reps = _reps(model, normalisation="rank")
    reps.multipliers[0] = [1.0, 1.5 * (1 - 1e-6)]
    runs = model.run(reps)
    a, b = 60.0, 60.0 * (1 - 1e-6)
    assert runs.scores[0, 1] == pytest.approx((2 * a + b) / (a + b), abs=1e-12)
    assert runs.scores[0, 2] == pytest.approx((a + 2 * b) / (a + b), abs=1e-12)
    assert runs.ranks[0].tolist() == [1, 2, 3, 1, 2]


def test_share_scale_ranks_use_the_published_rounding():
    # minmax: B's base is 30, C's 40·2/3 = 26.667; bonuses 0.004 (B) and 30 − 80/3 (C)
    adj = pd.DataFrame({"unit_id": ["B", "C"], "kind": ["bonus", "bonus"], "points": [0.004, 30 - 80 / 3]})
    model = _model(adj, adjustments={"bonus_cap": 10})
    runs = model.run(_reps(model, normalisation="minmax"))
    # B 30 + 0.004 = 30.004 → 30.00; C 80/3 + (30 − 80/3) = 30 → 30.00: tied at rank 2
    assert runs.scores[0, 1:3].tolist() == _approx([30.004, 30])
    assert runs.ranks[0].tolist() == [1, 2, 2, 1, 2]


# ---------------------------------------------------------------------------------------
# Weights, schemes, values and missing-data policies of a replication
# ---------------------------------------------------------------------------------------


def test_multipliers_scale_the_leaf_weights():
    model = _model()
    reps = model.nominal_replications(2)
    reps.multipliers[1] = [2.0, 1.0]
    runs = model.run(reps)
    # L1 twice its weight: weights 120 + 40 = 160, put back on the maximum 100:
    # A (108 + 32)/160 = 87.5; B (84 + 20)/160 = 65 (+2 = 67); C (60 + 28)/160 = 55 (−1 = 54);
    # D (108 + 36)/160 = 90; E (60 + 28)/160 = 55
    assert runs.scores[1].tolist() == _approx([87.5, 67, 54, 90, 55])
    assert runs.scores[0].tolist() == _approx([86, 64, 57, 90, 58])
    # graded with the framework's rules: A 良好, B 合格, C 不合格, D 优秀, E 不合格
    assert runs.grades[1].tolist() == [1, 2, 3, 0, 3]


def test_a_weighting_scheme_replaces_the_points():
    model = _model()
    reps = model.nominal_replications(1)
    reps.scheme[0] = 1
    equal = np.ones((5, 2))
    runs = model.run(reps, schemes=(None, equal))
    # equal weights on the shares: A (0.9 + 0.8)/2 = 85; B (0.7 + 0.5)/2 = 60 (+2 = 62);
    # C (0.5 + 0.7)/2 = 60 (−1 = 59); D (0.9 + 0.9)/2 = 90; E (0.5 + 0.7)/2 = 60
    assert runs.scores[0].tolist() == _approx([85, 62, 59, 90, 60])


def test_a_scheme_with_multipliers():
    model = _model()
    reps = model.nominal_replications(1)
    reps.scheme[0] = 1
    reps.multipliers[0] = [3.0, 1.0]
    runs = model.run(reps, schemes=(None, np.ones((5, 2))))
    # weights 3 and 1: A (3·0.9 + 0.8)/4 = 87.5; B (2.1 + 0.5)/4 = 65 (+2); C (1.5 + 0.7)/4 = 55 (−1);
    # D (2.7 + 0.9)/4 = 90; E (1.5 + 0.7)/4 = 55
    assert runs.scores[0].tolist() == _approx([87.5, 67, 54, 90, 55])


def test_replication_values_replace_the_observed_ones():
    model = _model()
    reps = model.nominal_replications(2)
    values = np.array([[[L1_VALUES[u], L2_VALUES[u]] for u in "ABCDE"]] * 2, dtype=float)
    values[1, 0] = [100, 0]  # A perfect: 60 + 40 = 100
    values[1, 1] = [np.nan, 50]  # B without L1: 20 of 40 → 50 (renormalised) + 2 = 52
    reps = Replications(reps.normalisation, reps.aggregation, reps.missing, reps.scheme, reps.multipliers, values)
    runs = model.run(reps)
    assert runs.scores[0].tolist() == _approx([86, 64, 57, 90, 58])
    assert runs.scores[1].tolist() == _approx([100, 52, 57, 90, 58])
    # the observed leaf scores were not overwritten by the replication's values
    assert model.run(model.nominal_replications(1)).scores[0].tolist() == _approx([86, 64, 57, 90, 58])


def test_missing_policy_of_a_replication_and_of_a_leaf():
    # A, B, C department; C has no L1 value. L1 worth 60 (linear 0 → 100), L2 worth 40.
    # L1 values A 90 (share 0.9), B 70 (0.7); L2 A 20, B 50, C 30 (lower is better).
    doc = _doc([_leaf("L1", IND, 60, direction=1), _leaf("L2", IND2, 40, direction=-1)],
               missing_policy="renormalise")
    units = _units(UNITS[:3])
    rows = [(IND, "A", 90), (IND, "B", 70), (IND2, "A", 20), (IND2, "B", 50), (IND2, "C", 30)]
    model = ScoringModel.from_values(parse_framework(doc), units, _values(rows))
    reps = model.nominal_replications(3)
    reps.missing[:] = [MISSING_POLICIES.index(p) for p in ("renormalise", "zero", "peer_mean")]
    runs = model.run(reps)
    # C: L2 = 28 of 40. renormalise 28·100/40 = 70; zero 28; peer_mean (0.9 + 0.7)/2 = 0.8 → 48 + 28 = 76
    assert runs.scores[:, 2].tolist() == _approx([70, 28, 76])
    assert runs.scores[:, 0].tolist() == _approx([86, 86, 86])
    # the leaf's own policy wins over the replication's
    doc["nodes"][0]["children"][0]["missing"] = "zero"
    model = ScoringModel.from_values(parse_framework(doc), units, _values(rows))
    runs = model.run(reps)
    assert runs.scores[:, 2].tolist() == _approx([28, 28, 28])


# ---------------------------------------------------------------------------------------
# The geometric aggregation
# ---------------------------------------------------------------------------------------


def _geo(shares, weights):
    """100 × the weighted geometric mean of the shares on the 0.01 … 1 scale, mapped back."""
    logs = sum(w * math.log(0.01 + 0.99 * y) for y, w in zip(shares, weights)) / sum(weights)
    return 100 * (math.exp(logs) - 0.01) / 0.99


def test_geometric_aggregation_by_hand():
    model = _model()
    runs = model.run(_reps(model, aggregation="geometric"))
    # shares (L1, L2): A (0.9, 0.8), B (0.7, 0.5), C (0.5, 0.7), D (0.9, 0.9), E (0.5, 0.7);
    # weights 60, 40; B +2, C −1. D: both 0.9 → exactly 90.
    want = [_geo((0.9, 0.8), (60, 40)), _geo((0.7, 0.5), (60, 40)) + 2, _geo((0.5, 0.7), (60, 40)) - 1, 90,
            _geo((0.5, 0.7), (60, 40))]
    assert runs.scores[0].tolist() == _approx(want)
    # below the points sum (AM–GM) where the shares differ: A 86, B 64
    assert runs.scores[0, 0] < 86 and runs.scores[0, 1] < 64
    assert runs.grades[0].tolist() == [1, 2, 3, 0, 3]


def test_geometric_aggregation_of_ranks_is_not_rescaled():
    model = _model()
    runs = model.run(_reps(model, aggregation="geometric", normalisation="rank"))
    # ranks used as they are: A (3, 3) → 3; B (2, 1) → 2^0.6 · 1^0.4; C (1, 2) → 2^0.4;
    # D (2, 2) → 2; E (1, 1) → 1
    assert runs.scores[0].tolist() == _approx([3, 2 ** 0.6, 2 ** 0.4, 2, 1])


def test_geometric_over_children_with_data_and_min_coverage():
    # L1 worth 60, L2 worth 40; min_coverage 0.5. B has L1 only (coverage 0.6 ≥ 0.5),
    # C has L2 only (0.4 < 0.5: no score).
    doc = _doc([_leaf("L1", IND, 60, direction=1), _leaf("L2", IND2, 40, direction=-1)], min_coverage=0.5)
    units = _units(UNITS[:3])
    rows = [(IND, "A", 90), (IND, "B", 70), (IND2, "A", 20), (IND2, "C", 30)]
    model = ScoringModel.from_values(parse_framework(doc), units, _values(rows))
    runs = model.run(_reps(model, aggregation="geometric", missing="renormalise"))
    # A (0.9, 0.8); B its L1 share 0.7 alone → 70; C none
    assert runs.scores[0].tolist() == _approx([_geo((0.9, 0.8), (60, 40)), 70, math.nan])
    assert runs.ranks[0, :2].tolist() == [1, 2] and math.isnan(runs.ranks[0, 2])
    assert runs.grades[0, 2] == -1


def test_geometric_with_zero_share_uses_the_floor():
    # a share of 0 is 0.01 on the 1–100 scale: (0.01^0.6 · 1^0.4 − 0.01)/0.99
    doc = _doc([_leaf("L1", IND, 60, direction=1), _leaf("L2", IND2, 40, direction=-1)])
    model = ScoringModel.from_values(parse_framework(doc), _units(UNITS[:1]),
                                     _values([(IND, "A", 0), (IND2, "A", 0)]))
    runs = model.run(_reps(model, aggregation="geometric"))
    assert runs.scores[0, 0] == pytest.approx(100 * (0.01 ** 0.6 - 0.01) / 0.99, abs=1e-9)


def test_geometric_with_zscores_is_refused():
    model = _model()
    with pytest.raises(ScoringError, match="geometric mean needs positive values"):
        model.run(_reps(model, aggregation="geometric", normalisation="zscore"))


# ---------------------------------------------------------------------------------------
# Checks of a batch of replications
# ---------------------------------------------------------------------------------------


def test_replications_take_and_n():
    model = _model()
    reps = model.nominal_replications(3)
    reps.multipliers[2] = [2.0, 1.0]
    part = reps.take(slice(1, 3))
    assert part.n == 2 and part.values is None
    assert part.multipliers.tolist() == [[1, 1], [2, 1]]
    assert part.normalisation.tolist() == [0, 0] and part.scheme.tolist() == [0, 0]
    values = np.zeros((3, 5, 2))
    values[2] = 7
    full = Replications(reps.normalisation, reps.aggregation, reps.missing, reps.scheme, reps.multipliers, values)
    assert full.take(np.array([2])).values.tolist() == [[[7, 7]] * 5]


def test_nominal_replications_use_the_framework_policy():
    model = _model(missing_policy="peer_mean")
    reps = model.nominal_replications(2)
    assert reps.missing.tolist() == [2, 2]
    assert reps.normalisation.tolist() == [0, 0] and reps.aggregation.tolist() == [0, 0]
    assert reps.scheme.tolist() == [0, 0] and reps.values is None
    assert reps.multipliers.tolist() == [[1, 1], [1, 1]]
    assert model.nominal_replications().n == 1
    # the copies are independent arrays
    reps.normalisation[0] = 1
    assert reps.scheme.tolist() == [0, 0] and reps.aggregation.tolist() == [0, 0]


@pytest.mark.parametrize("change, message", [
    (lambda r: r.multipliers.resize((1, 3), refcheck=False), r"multipliers must have shape \(1, 2\)"),
    (lambda r: r.normalisation.__setitem__(0, 6), r"normalisation indexes must be 1 integers in 0 … 5"),
    (lambda r: r.normalisation.__setitem__(0, -1), r"normalisation indexes must be 1 integers in 0 … 5"),
    (lambda r: r.aggregation.__setitem__(0, 2), r"aggregation indexes must be 1 integers in 0 … 1"),
    (lambda r: r.missing.__setitem__(0, 3), r"missing indexes must be 1 integers in 0 … 2"),
    (lambda r: r.scheme.__setitem__(0, 1), r"scheme indexes must be 1 integers in 0 … 0"),
])
def test_bad_replications_are_refused(change, message):
    model = _model()
    reps = model.nominal_replications(1)
    change(reps)
    with pytest.raises(ScoringError, match=message):
        model.run(reps)


def test_bad_replication_shapes_and_schemes_are_refused():
    model = _model()
    reps = model.nominal_replications(1)
    bad = Replications(reps.normalisation, reps.aggregation, reps.missing, reps.scheme, reps.multipliers,
                       np.zeros((1, 5, 3)))
    with pytest.raises(ScoringError, match=r"values must have shape \(1, 5, 2\)"):
        model.run(bad)
    short = Replications(np.zeros(2, dtype=int), reps.aggregation, reps.missing, reps.scheme, reps.multipliers)
    with pytest.raises(ScoringError, match="normalisation indexes must be 1 integers"):
        model.run(short)
    with pytest.raises(ScoringError, match="scheme 0 must be the framework's points"):
        model.run(reps, schemes=(np.ones((5, 2)),))
    with pytest.raises(ScoringError, match=r"scheme indexes must be 1 integers in 0 … -1"):
        model.run(reps, schemes=())
    # no replications at all: empty outputs
    empty = model.run(model.nominal_replications(0))
    assert empty.scores.shape == (0, 5) and empty.ranks.shape == (0, 5) and empty.grades.shape == (0, 5)


def test_a_large_batch_runs_in_chunks_with_the_same_results(monkeypatch):
    import evalkit.scoring.model as model_module

    model = _model()
    reps = model.nominal_replications(5)
    reps.multipliers[3] = [2.0, 1.0]
    reps.normalisation[4] = NORMALISATIONS.index("minmax")
    whole = model.run(reps)
    monkeypatch.setattr(model_module, "_CHUNK_ELEMENTS", 10)  # 10 // (5 units · 2 leaves) = 1 row a chunk
    parts = model.run(reps)
    for a, b in ((whole.scores, parts.scores), (whole.ranks, parts.ranks), (whole.grades, parts.grades)):
        assert np.array_equal(a, b, equal_nan=True)
    assert whole.scores[3].tolist() == _approx([87.5, 67, 54, 90, 55])
    assert whole.scores[4].tolist() == _approx([100, 32, 80 / 3 - 1, 100, 0])


# ---------------------------------------------------------------------------------------
# Construction and description
# ---------------------------------------------------------------------------------------


def test_from_values_arrays_and_flags():
    doc = _doc([_leaf("L1", IND, {"甲": 10, "乙": 20}), _leaf("L2", "review_correction_rate", 5, target=15)])
    units = pd.DataFrame({"unit_id": [1, 2, 3], "name_zh": ["一", "二", "三"], "peer_group": ["g", "g", "h"],
                          "unit_class": ["甲", "乙", "甲"]})
    values = pd.DataFrame({"indicator": [IND, IND, "review_correction_rate", IND, "unknown_indicator"],
                           "unit_id": ["1", "2", "3", "99", "1"], "value": [80.0, "x", 12.0, 50.0, 1.0],
                           "numerator": [8.0, 1.0, np.nan, 5.0, 1.0], "denominator": [10.0, 2.0, np.nan, 10.0, 1.0],
                           "ci_low": [50.0, 10.0, np.nan, 20.0, 0.0], "ci_high": [95.0, 90.0, np.nan, 80.0, 1.0],
                           "n": [10.0, 2.0, 4.0, 10.0, 1.0]})
    model = ScoringModel.from_values(parse_framework(doc), units, values, year=2024)
    assert model.year == 2024 and model.leaves == ("L1", "L2")
    assert model.units.columns.tolist() == ["unit_id", "name_zh", "peer_group", "unit_class"]
    assert model.units["unit_id"].tolist() == ["1", "2", "3"] and model.units["name_zh"].tolist() == ["一", "二", "三"]
    # unit 99 and the unknown indicator are left out; "x" is no value
    assert model.values.tolist() == _approx([[80, math.nan], [math.nan, math.nan], [math.nan, 12]])
    assert model.numerator.tolist() == _approx([[8, math.nan], [1, math.nan], [math.nan, math.nan]])
    assert model.denominator.tolist() == _approx([[10, math.nan], [2, math.nan], [math.nan, math.nan]])
    assert model.ci_low.tolist() == _approx([[50, math.nan], [10, math.nan], [math.nan, math.nan]])
    assert model.ci_high.tolist() == _approx([[95, math.nan], [90, math.nan], [math.nan, math.nan]])
    assert model.counts.tolist() == [[10, 0], [2, 0], [0, 4]]
    # points by class: 甲 10, 乙 20, L2 5 for all
    assert model.points.tolist() == [[10, 5], [20, 5], [10, 5]]
    assert model.max_score.tolist() == [15, 25, 15]
    # directions: the catalogue's (service_on_time_rate +1, review_correction_rate −1)
    assert model.directions.tolist() == [1, -1]
    assert model.targets == (None, 15) and model.leaf_missing == (None, None)
    # only unit 1 has a value with both bounds (unit 2's value is not a number)
    assert model.has_intervals.tolist() == [[True, False], [False, False], [False, False]]
    assert model.steps["values"].alternatives == ("wilson", "uniform", "jeffreys")
    for arr in (model.values, model.points, model.counts, model.bonus, model.veto, model.directions,
                model.numerator, model.denominator, model.ci_low, model.ci_high, model.deduction, model.bar_top):
        assert not arr.flags.writeable
    assert model.n_units == 3 and model.n_leaves == 2
    assert model.peer_groups == ["g", "h"]
    assert model.unit_ids.tolist() == ["1", "2", "3"] and model.unit_ids.name == "unit_id"
    assert model.bonus.tolist() == [0, 0, 0] and model.veto.tolist() == [False] * 3


def test_from_values_without_names_or_intervals():
    model = _model()
    assert model.units["name_zh"].tolist() == [""] * 5
    assert model.steps["values"].alternatives == ()
    assert model.has_intervals.sum() == 0
    assert model.counts.tolist() == [[0, 0]] * 5
    assert model.bonus.tolist() == [0, 2, 0, 0, 0] and model.deduction.tolist() == [0, 0, 1, 0, 0]
    assert model.year is None


def test_a_value_with_interval_but_no_points_offers_no_value_draws():
    # the interval lies on a leaf worth 0 to that unit: nothing to redraw
    doc = _doc([_leaf("L1", IND, {"department": 10, "subdistrict": 0})])
    values = _values([(IND, "D", 80)], ci_low=[70.0], ci_high=[90.0])
    model = ScoringModel.from_values(parse_framework(doc), _units([("A", "department", "综合"),
                                                                  ("D", "subdistrict", "综合")]), values)
    assert model.steps["values"].alternatives == ()
    assert model.has_intervals.tolist() == [[False], [False]]


def test_the_recorded_steps():
    model = _model(missing_policy="zero")
    steps = model.steps
    assert list(steps) == ["values", "normalise", "missing", "weights", "aggregate"]
    assert steps["normalise"].nominal == "rules"
    # every leaf has a target: distance_to_target is offered
    assert steps["normalise"].alternatives == ("minmax", "zscore", "rank", "percentile", "distance_to_target")
    assert steps["missing"].nominal == "zero" and steps["missing"].alternatives == ("renormalise", "peer_mean")
    assert steps["weights"].nominal == "points" and steps["weights"].alternatives == ("noise", "dirichlet", "schemes")
    assert steps["aggregate"].nominal == "points_sum" and steps["aggregate"].alternatives == ("geometric",)
    assert steps["values"].nominal == "observed"
    table = model.describe()
    assert table.columns.tolist() == ["step", "nominal", "alternatives", "description"]
    assert table["alternatives"].tolist()[1] == "minmax, zscore, rank, percentile, distance_to_target"
    assert table["nominal"].tolist() == ["observed", "rules", "zero", "points", "points_sum"]
    # a leaf without a target: no distance_to_target
    doc = _doc([_leaf("L1", IND, 10, direction=1)])
    lone = ScoringModel.from_values(parse_framework(doc), _units(UNITS[:1]), _values([(IND, "A", 1)]))
    assert lone.steps["normalise"].alternatives == ("minmax", "zscore", "rank", "percentile")


def test_leaf_table_and_reference_weights():
    doc = _doc([_leaf("L1", IND, {"department": 4, "subdistrict": 8}, target=90,
                      rule={"type": "binary"}, name_zh="一", name_en="one"),
                _leaf("L2", IND2, {"department": 4, "subdistrict": 0}, direction=-1)])
    values = _values([(IND, "A", 90), (IND, "D", 80), (IND2, "A", 5)], ci_low=[80.0, 70.0, np.nan],
                     ci_high=[95.0, 90.0, np.nan])
    model = ScoringModel.from_values(parse_framework(doc), _units([("A", "department", "综合"),
                                                                  ("D", "subdistrict", "综合")]), values)
    table = model.leaf_table().set_index("leaf")
    assert table.columns.tolist() == ["parent", "name_zh", "name_en", "indicator", "direction", "target", "rule",
                                      "points", "reference_weight", "n_intervals"]
    assert table.loc["L1", "points"] == "4 / 8" and table.loc["L2", "points"] == "4"
    assert table["parent"].tolist() == ["R", "R"]
    assert table.loc["L1", "name_zh"] == "一" and table.loc["L1", "name_en"] == "one"
    assert table["indicator"].tolist() == [IND, IND2]
    assert table["direction"].tolist() == [1, -1]
    assert table.loc["L1", "target"] == 90 and table["rule"].tolist() == ["binary", "linear_band"]
    assert table["n_intervals"].tolist() == [2, 0]
    # reference weights: A 4/8 and 4/8, D 8/8 and 0 → mean (0.75, 0.25)
    assert table["reference_weight"].tolist() == _approx([0.75, 0.25])
    assert model.reference_weights().tolist() == _approx([0.75, 0.25])
    assert model.reference_weights("department").tolist() == _approx([0.5, 0.5])
    assert model.reference_weights("subdistrict").tolist() == _approx([1.0, 0.0])


def test_reference_weights_skip_units_without_points_and_refuse_none():
    doc = _doc([_leaf("L1", IND, {"department": 6, "subdistrict": 0}), _leaf("L2", IND2, {"department": 2,
                                                                                          "subdistrict": 0})])
    units = _units([("A", "department", "综合"), ("D", "subdistrict", "综合")])
    model = ScoringModel.from_values(parse_framework(doc), units, _values([(IND, "A", 1)]))
    # D has no points at all and is left out: A's 6/8, 2/8
    assert model.reference_weights().tolist() == _approx([0.75, 0.25])
    with pytest.raises(ScoringError, match="no unit has any points"):
        model.reference_weights("subdistrict")


def test_lookups_and_their_errors():
    doc = _doc([{"code": "G", "area": "efficiency", "children": [_leaf("L1", IND, 1), _leaf("L2", IND2, 1)]},
                _leaf("L3", "supervision_on_time_rate", 1)])
    model = ScoringModel.from_values(parse_framework(doc), _units(UNITS), _values([(IND, "A", 1)]))
    assert model.group_members("subdistrict").tolist() == [3, 4]
    assert model.group_members("department").tolist() == [0, 1, 2]
    with pytest.raises(ScoringError, match=r"unknown peer group 'x'; the groups are \['department', 'subdistrict'\]"):
        model.group_members("x")
    assert model.leaves_under("G").tolist() == [0, 1]
    assert model.leaves_under("R").tolist() == [0, 1, 2]
    assert model.leaves_under("L3").tolist() == [2]
    with pytest.raises(ScoringError, match=r"unknown framework node 'Q'; leaves are \['L1', 'L2', 'L3'\]"):
        model.leaves_under("Q")
    assert model.unit_position("C") == 2 and model.unit_position("E") == 4
    with pytest.raises(ScoringError, match="unknown unit 'Z'"):
        model.unit_position("Z")


@pytest.mark.parametrize("units, values, message", [
    (pd.DataFrame({"unit_id": ["A"], "peer_group": ["g"]}), _values([]),
     r"units must have the columns unit_id, peer_group, unit_class; missing \['unit_class'\]"),
    (_units([("A", "g", "c")]), pd.DataFrame({"indicator": [], "unit_id": []}),
     "values must have the columns indicator, unit_id, value; missing 'value'"),
    (_units([("A", "g", "c")]), pd.DataFrame({"unit_id": [], "value": []}),
     "missing 'indicator'"),
    (_units([("A", "g", "c"), ("A", "g", "c")]), _values([]), "units must list every unit once"),
    (_units([("A", "g", "c"), ("B", "g", "c")]), _values([(IND, "A", 1), (IND, "B", 2), (IND, "A", 3)]),
     "values must hold one row per indicator and unit"),
])
def test_from_values_refuses(units, values, message):
    fw = parse_framework(_doc([_leaf("L1", IND, 1)]))
    with pytest.raises(ScoringError, match=message):
        ScoringModel.from_values(fw, units, values)


def test_one_row_per_indicator_and_unit_across_indicators():
    # the same unit under two indicators, and two units under one, are not duplicates
    fw = parse_framework(_doc([_leaf("L1", IND, 1), _leaf("L2", IND2, 1)]))
    units = _units([("A", "g", "c"), ("B", "g", "c")])
    model = ScoringModel.from_values(fw, units, _values([(IND, "A", 1), (IND2, "A", 2), (IND, "B", 3),
                                                         (IND2, "B", 4)]))
    assert model.values.tolist() == [[1, 2], [3, 4]]


def test_scoring_model_refuses_a_year_without_data():
    class Dataset:
        years = [2023, 2024]

    with pytest.raises(ScoringError, match=r"no data for 2031 \(years present: 2023, 2024\)"):
        scoring_model(Dataset(), parse_framework(_doc([_leaf("L1", IND, 1)])), 2031)

    class Empty:
        years = []

    with pytest.raises(ScoringError, match=r"no data for 2031 \(years present: none\)"):
        scoring_model(Empty(), parse_framework(_doc([_leaf("L1", IND, 1)])), 2031)


# ---------------------------------------------------------------------------------------
# More edges: empty models, units without points, ties, non-applicable values, rounding
# ---------------------------------------------------------------------------------------


def test_a_model_without_units():
    fw = parse_framework(_doc([_leaf("L1", IND, 10)]))
    model = ScoringModel.from_values(fw, _units([]), _values([(IND, "X", 50.0)]))
    assert model.points.shape == (0, 1) and model.values.shape == (0, 1)
    assert len(model.nominal()) == 0
    totals, nodes = model.published()
    assert len(totals) == 0 and len(nodes) == 0
    assert str(totals["rank"].dtype) == "Int64"


def test_a_unit_without_any_points_has_no_score():
    # L1 applies to the department only: the subdistrict unit D has a maximum of 0 → no score
    # (also when a weight scheme or another normalisation is used)
    doc = _doc([_leaf("L1", IND, {"department": 10, "subdistrict": 0}, direction=1, target=90)])
    units = _units([("A", "department", "综合"), ("B", "department", "综合"), ("D", "subdistrict", "综合")])
    model = ScoringModel.from_values(parse_framework(doc), units, _values([(IND, "A", 80), (IND, "B", 40),
                                                                         (IND, "D", 99)]))
    reps = model.nominal_replications(3)
    reps.normalisation[1] = NORMALISATIONS.index("minmax")
    reps.normalisation[2] = NORMALISATIONS.index("rank")
    runs = model.run(reps)
    # A 80, B 40; minmax (A 1, B 0) → 100, 0; rank (B 1, A 2) → 2, 1. D: nothing
    assert runs.scores.tolist() == [_approx([80, 40, math.nan]), _approx([100, 0, math.nan]),
                                    _approx([2, 1, math.nan])]
    assert math.isnan(runs.ranks[0, 2]) and runs.grades[0, 2] == -1
    assert model.max_score.tolist() == [10, 10, 0]


def test_values_of_units_a_leaf_does_not_apply_to_are_not_counted():
    # department units A, B (class 综合) and D (class 乙); L1 is worth 0 to class 乙, yet D has
    # an L1 value of 160. The best (ratio_to_best), the min-max range and the ranks are over
    # A and B only. L2 (10 points, linear 0 → 100) is 50 for everyone.
    doc = _doc([_leaf("L1", IND, {"综合": 10, "乙": 0}, direction=1, rule={"type": "ratio_to_best"}),
                _leaf("L2", IND2, 10, direction=1)])
    units = _units([("A", "department", "综合"), ("B", "department", "综合"), ("D", "department", "乙")])
    values = _values([(IND, "A", 80), (IND, "B", 40), (IND, "D", 160), (IND2, "A", 50), (IND2, "B", 50),
                      (IND2, "D", 50)])
    model = ScoringModel.from_values(parse_framework(doc), units, values)
    reps = model.nominal_replications(2)
    reps.normalisation[1] = NORMALISATIONS.index("minmax")
    runs = model.run(reps)
    # rules: best 80 → A 10, B 10·40/80 = 5; L2 5 each → A 15 of 20 = 75, B 10 of 20 = 50,
    # D 5 of 10 = 50 (with D's 160 as the best: A 5 + 5 → 50, B 2.5 + 5 → 37.5)
    assert runs.scores[0].tolist() == _approx([75, 50, 50])
    # minmax: L1 over 40 … 80 → A 1, B 0; L2 flat → midpoint 0.5: A (10 + 5)/20 = 75,
    # B 5/20 = 25, D 5/10 = 50
    assert runs.scores[1].tolist() == _approx([75, 25, 50])


def test_rank_and_percentile_normalisations_with_ties():
    # L1 only (10 points), department A 80, B 80, C 60: ranks "min" (1 = worst): C 1, A 2, B 2
    # → rank composite 2, 2, 1; percentile (r − 1)/(n − 1): A 0.5, B 0.5, C 0 → 50, 50, 0
    doc = _doc([_leaf("L1", IND, 10, direction=1)])
    model = ScoringModel.from_values(parse_framework(doc), _units(UNITS[:3]),
                                     _values([(IND, "A", 80), (IND, "B", 80), (IND, "C", 60)]))
    reps = model.nominal_replications(2)
    reps.normalisation[:] = [NORMALISATIONS.index("rank"), NORMALISATIONS.index("percentile")]
    runs = model.run(reps)
    assert runs.scores.tolist() == [_approx([2, 2, 1]), _approx([50, 50, 0])]
    assert runs.ranks.tolist() == [[1, 1, 3], [1, 1, 3]]


@pytest.mark.parametrize("gap, ranks", [
    # composites B, C = 1.5 ± gap/2 (rank normalisation, see below): a gap of 5e-13 is
    # floating-point noise at 12 decimals (tied, rank 2 both); 5e-12 is a real difference
    (5e-13, [1, 2, 2, 1, 2]),
    (5e-12, [1, 2, 3, 1, 2]),
])
def test_non_share_rounding_is_twelve_decimals(gap, ranks):
    # B has ranks (L1 2, L2 1), C (1, 2); with leaf weights a and b the composites are
    # (2a + b)/(a + b) and (a + 2b)/(a + b), 1.5 ± (a − b)/(2(a + b)): the gap is (a − b)/(a + b).
    # a = 60, b = 40·m2 with m2 = 1.5·(1 − gap)/(1 + gap) → (a − b)/(a + b) = gap.
    model = _model()
    reps = _reps(model, normalisation="rank")
    reps.multipliers[0] = [1.0, 1.5 * (1 - gap) / (1 + gap)]
    runs = model.run(reps)
    assert runs.scores[0, 1] - runs.scores[0, 2] == pytest.approx(gap, rel=1e-3)
    assert runs.ranks[0].tolist() == ranks


def test_observed_leaf_scores_are_cached_read_only():
    model = _model()
    model.run(model.nominal_replications(1))
    model.run(_reps(model, normalisation="minmax"))
    cache = model._derived["observed_leaf_scores"]
    assert set(cache) == {(0, 0), (1, 0)}  # (normalisation, policy)
    assert all(not arr.flags.writeable for arr in cache.values())
    # the cached rules scores: A 54 and 32 (L1, L2)
    assert cache[(0, 0)][0, 0].tolist() == [54, 32]


def test_score_tree_resets_the_units_index():
    # a units table with a non-default index and an unrelated "index" column is scored as is
    doc = _doc([_leaf("L1", IND, 10, direction=1)])
    units = _units([("A", "g", "c"), ("B", "g", "c")]).set_index(pd.Index([7, 3]))
    units["index"] = ["x", "y"]
    totals, _ = score_tree(parse_framework(doc), units, _values([(IND, "A", 30), (IND, "B", 60)]))
    assert totals["unit_id"].tolist() == ["A", "B"] and totals["score_100"].tolist() == _approx([30, 60])


def test_values_of_several_unknown_units_are_left_out():
    fw = parse_framework(_doc([_leaf("L1", IND, 10, direction=1)]))
    # X and Y are not in the units table: their rows are left out, A scores 50
    model = ScoringModel.from_values(fw, _units([("A", "g", "c")]),
                                     _values([(IND, "A", 50), (IND, "X", 60), (IND, "Y", 70)]))
    assert model.values.tolist() == [[50]]


def test_published_types_and_a_unit_without_a_score():
    # E has no value at all: no score, no rank, no grade (not the last band)
    doc = _doc([_leaf("L1", IND, 60, direction=1), _leaf("L2", IND2, 40, direction=-1)],
               grades={"top_quota": 1.0})
    values = _values([(IND, u, v) for u, v in L1_VALUES.items() if u != "E"]
                     + [(IND2, u, v) for u, v in L2_VALUES.items() if u != "E"])
    model = ScoringModel.from_values(parse_framework(doc), _units(UNITS), values, ADJ)
    nominal = model.nominal()
    assert pd.isna(nominal["grade"].tolist()[4]) and pd.isna(nominal["rank"].tolist()[4])
    assert math.isnan(nominal["score_100"].tolist()[4])
    totals, _ = model.published()
    assert str(totals["rank"].dtype) == "Int64"
    assert totals["rank"].tolist()[:4] == [1, 2, 3, 1] and pd.isna(totals["rank"].tolist()[4])
    grades = totals["grade"].tolist()
    assert pd.isna(grades[4]) and grades[:4] == [GOOD, PASS, FAIL, TOP]
    assert totals["n_in_group"].tolist() == [3, 3, 3, 2, 2]
    assert totals.index.tolist() == [0, 1, 2, 3, 4]


def test_reference_weights_with_different_totals():
    # A (department) 3 + 1 = 4 points: shares 0.75, 0.25; D (subdistrict) 0.5 + 0.5 = 1: 0.5, 0.5
    # → mean (0.625, 0.375). Weighting by the totals instead would give (3·4 + 0.5)/… ≠.
    doc = _doc([_leaf("L1", IND, {"department": 3, "subdistrict": 0.5}),
                _leaf("L2", IND2, {"department": 1, "subdistrict": 0.5})])
    units = _units([("A", "department", "综合"), ("D", "subdistrict", "综合")])
    model = ScoringModel.from_values(parse_framework(doc), units, _values([(IND, "A", 1)]))
    assert model.reference_weights().tolist() == _approx([0.625, 0.375])
    assert model.reference_weights("subdistrict").tolist() == _approx([0.5, 0.5])
    # a leaf worth half a point is listed with its points
    assert model.leaf_table()["points"].tolist() == ["0.5 / 3", "0.5 / 1"]


def test_reference_weights_error_message_is_exact():
    doc = _doc([_leaf("L1", IND, {"department": 1, "subdistrict": 0})])
    model = ScoringModel.from_values(parse_framework(doc), _units([("A", "department", "综合"),
                                                                  ("D", "subdistrict", "综合")]), _values([]))
    with pytest.raises(ScoringError, match=r"^no unit has any points$"):
        model.reference_weights("subdistrict")


def test_leaf_table_of_a_leaf_without_a_rule():
    import dataclasses

    fw = parse_framework(_doc([_leaf("L1", IND, 10), _leaf("L2", IND2, 10)]))
    nodes = dict(fw.nodes)
    nodes["L1"] = dataclasses.replace(nodes["L1"], rule=None)
    model = ScoringModel.from_values(dataclasses.replace(fw, nodes=nodes), _units(UNITS[:1]), _values([]))
    assert model.leaf_table()["rule"].tolist() == ["", "linear_band"]


def test_scoring_model_computes_the_framework_indicators_of_the_year(monkeypatch):
    import evalkit.indicators.catalogue as catalogue

    # L1 and L3 read the same indicator: it is computed once; the parameters are passed on
    doc = _doc([_leaf("L1", IND, 60, direction=1), _leaf("L2", IND2, 40, direction=-1),
                _leaf("L3", IND, 0, direction=1)])
    calls = []

    def fake(dataset, year, codes, parameters=None):
        calls.append((year, list(codes), parameters))
        return _values([(IND, "A", 90), (IND2, "A", 20), (IND, "B", 70), (IND2, "B", 50)])

    class Dataset:
        years = [2023, 2024]
        units = pd.DataFrame({"unit_id": ["A", "B"], "name_zh": ["甲", "乙"], "peer_group": "department",
                              "unit_class": "综合", "other": [1, 2]})

        def table(self, name, year):
            assert year == 2024 and name in ("adjustments", "not_applicable")
            if name == "not_applicable":
                return pd.DataFrame({"unit_id": [], "indicator": []})
            return pd.DataFrame({"unit_id": ["B"], "kind": ["bonus"], "points": [2.0]})

    monkeypatch.setattr(catalogue, "compute_indicators", fake)
    params = object()
    model = scoring_model(Dataset(), parse_framework(doc), 2024, parameters=params)
    assert calls == [(2024, [IND2, IND], params)]  # sorted, each once
    assert model.year == 2024 and model.units["name_zh"].tolist() == ["甲", "乙"]
    # A 54 + 32 = 86; B 42 + 20 + 2 = 64
    assert model.nominal()["score_100"].tolist() == _approx([86, 64])


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_scoring_with_gaps_emits_no_floating_point_warnings():
    # missing values, a leaf that does not apply to a whole group, a unit with no points at all,
    # a best value of 0, min_coverage: every step of every normalisation and aggregation runs
    # without a RuntimeWarning (0/0, log 0 and NaN comparisons are all masked on purpose)
    doc = _doc([_leaf("L1", IND, {"department": 60, "subdistrict": 0}, direction=-1, target=10,
                      rule={"type": "ratio_to_best"}),
                _leaf("L2", IND2, {"department": 40, "subdistrict": 0}, direction=1, target=90),
                _leaf("L3", "supervision_on_time_rate", {"department": 10, "subdistrict": 0}, direction=1,
                      target=95, rule={"type": "rank_points", "step": 1})],
               min_coverage=0.3, missing_policy="peer_mean")
    units = _units([("A", "department", "综合"), ("B", "department", "综合"), ("C", "department", "综合"),
                    ("D", "subdistrict", "综合")])
    values = _values([(IND, "A", 0), (IND, "B", 0), (IND2, "A", 0), (IND2, "B", 50), (IND, "D", 5),
                      ("supervision_on_time_rate", "A", 90)])
    model = ScoringModel.from_values(parse_framework(doc), units, values)
    n = len(NORMALISATIONS) * len(AGGREGATIONS) * len(MISSING_POLICIES)
    reps = model.nominal_replications(n)
    combos = [(k, a, p) for k in range(len(NORMALISATIONS)) for a in range(len(AGGREGATIONS))
              for p in range(len(MISSING_POLICIES))]
    reps.normalisation[:], reps.aggregation[:], reps.missing[:] = (np.array(c) for c in zip(*combos))
    ok = ~((reps.normalisation == NORMALISATIONS.index("zscore")) & (reps.aggregation == 1))
    runs = model.run(reps.take(np.flatnonzero(ok)))
    assert np.isnan(runs.scores[:, 3]).all()  # D: no points
    assert np.isfinite(runs.scores[:, 0]).all()
    totals, nodes = model.published()
    # A: L1 0 is the best (0 → full 60), L2 0 → 0, L3 rank 1 → 10: 70 of 110
    assert totals["score_100"].tolist()[0] == pytest.approx(700 / 11)
    assert len(nodes)
