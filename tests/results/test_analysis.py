"""The analysis reports show (evalkit.results.analysis), on a district small enough to work by hand.

Four units, two areas, four leaves. Departments D1, D2, D3 form one peer group; the
sub-district S1 scores 0 everywhere and sits alone in its own group, so any leak of another
group into a peer median shows at once.

Leaf points: A1 20 (target 95 %, higher is better), A2 20 (target 5 %, lower is better),
B1 30 and B2 30 (no target). Score rates of the departments:

====  ====  ====  ====  ====
unit   A1    A2    B1    B2
====  ====  ====  ====  ====
D1    1.0   0.5   0.5   1.0
D2    0.5   1.0   1.0   0.8
D3    0.8   0.8   0.7   0.5
====  ====  ====  ====  ====

Peer medians: A1 0.8, A2 0.8, B1 0.7, B2 0.8.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import EvalkitError
from evalkit.results import analysis
from evalkit.results.store import Results
from evalkit.scoring.framework import GradeRules, grade_meta

BANDS = GradeRules(bands=(("甲等", 90.0), ("乙等", 80.0), ("丙等", 60.0), ("丁等", 0.0)))

#: code, parent, level, points, target, direction, unit
_TREE = [("A", None, 1, 40.0, None, None, ""), ("A1", "A", 2, 20.0, 95.0, 1, "%"),
         ("A2", "A", 2, 20.0, 5.0, -1, "%"), ("B", None, 1, 60.0, None, None, ""),
         ("B1", "B", 2, 30.0, None, 1, "件"), ("B2", "B", 2, 30.0, None, 1, "件")]
#: unit → leaf → score (None: no data)
_SCORES = {"D1": {"A1": 20.0, "A2": 10.0, "B1": 15.0, "B2": 30.0},
           "D2": {"A1": 10.0, "A2": 20.0, "B1": 30.0, "B2": 24.0},
           "D3": {"A1": 16.0, "A2": 16.0, "B1": 21.0, "B2": 15.0},
           "S1": {"A1": 0.0, "A2": 0.0, "B1": 0.0, "B2": None}}


def district() -> Results:
    rows = []
    for unit, leaves in _SCORES.items():
        for code, parent, level, points, target, direction, vunit in _TREE:
            if level == 1:
                kids = [c for c in _TREE if c[1] == code]
                score = sum(leaves[k[0]] or 0.0 for k in kids)
                no_data = False
            else:
                score = leaves[code]
                no_data = score is None
                score = math.nan if score is None else score
            rows.append(dict(unit_id=unit, code=code, parent=parent, level=level,
                             name_zh=f"指标{code}", name_en=f"Indicator {code}",
                             raw_value=math.nan if level == 1 or no_data else 50.0, value_unit=vunit,
                             direction=math.nan if direction is None else float(direction),
                             target=math.nan if target is None else target, points=points, score=score,
                             points_lost=points - (0.0 if math.isnan(score) else score),
                             coverage=1.0, no_data=no_data))
    nodes = pd.DataFrame(rows)
    units = pd.DataFrame({
        "unit_id": ["D1", "D2", "D3", "S1"], "name_zh": ["一", "二", "三", "四"],
        "peer_group": ["department", "department", "department", "subdistrict"],
        "score_100": [75.0, 84.0, 68.0, 0.0], "grade": ["丙等", "乙等", "丙等", "丁等"],
        "rank": pd.array([2, 1, 3, 1], dtype="Int64"),
        "rank_change": pd.array([2, 1, -10, pd.NA], dtype="Int64"),
        "prev_score": [70.0, 80.0, 80.0, np.nan], "coverage": [1.0, 0.5, 1.0, 0.7],
    })
    history = pd.DataFrame({"unit_id": ["D1", "D1", "D2"], "year": [2024, 2023, 2024],
                            "score_100": [75.0, 70.0, 84.0], "rank": pd.array([2, 3, 1], dtype="Int64"),
                            "n_in_group": [3, 3, 3], "grade": ["丙等", "丙等", "乙等"]})
    return Results(units=units, nodes=nodes, meta={"year": 2024, "grades": grade_meta(BANDS)},
                   tables={"history": history})


# ----------------------------------------------------------------------------------------
# One unit
# ----------------------------------------------------------------------------------------

def test_unit_leaves_are_grouped_by_area_in_framework_order():
    leaves = analysis.unit_leaves(district(), "D1")
    assert list(leaves["code"]) == ["A1", "A2", "B1", "B2"]
    assert list(leaves["area_code"]) == ["A", "A", "B", "B"]


def test_area_scores_use_the_peer_group_only():
    areas = analysis.area_scores(district(), "D1").set_index("code")
    assert list(areas.columns) == ["name_zh", "name_en", "points", "score", "points_lost", "score_rate",
                                   "peer_median", "no_data", "coverage"]
    # A: D1 30, D2 30, D3 32 → median 30 (S1's 0 is another group); B: 45, 54, 36 → 45
    assert areas.loc["A", "peer_median"] == 30.0 and areas.loc["B", "peer_median"] == 45.0
    assert areas.loc["A", "score_rate"] == pytest.approx(0.75)
    assert areas.loc["B", "points_lost"] == 15.0


def test_leaf_comparison_by_hand():
    comp = analysis.leaf_comparison(district(), "D1").set_index("code")
    assert comp["peer_rate"].to_dict() == pytest.approx({"A1": 0.8, "A2": 0.8, "B1": 0.7, "B2": 0.8})
    # (rate − peer rate) × points
    assert comp["vs_peer"].to_dict() == pytest.approx({"A1": 4.0, "A2": -6.0, "B1": -6.0, "B2": 6.0})
    assert comp["rate"].to_dict() == pytest.approx({"A1": 1.0, "A2": 0.5, "B1": 0.5, "B2": 1.0})


def test_strengths_and_weaknesses_by_hand():
    res = district()
    assert list(analysis.strengths(res, "D1")["code"]) == ["B2", "A1"]       # +6.0, +4.0 points
    assert list(analysis.weaknesses(res, "D1")["code"]) == ["B1", "A2"]      # 15 and 10 lost
    assert list(analysis.weaknesses(res, "D1", n=1)["code"]) == ["B1"]
    # alone in its group and never at full marks: no strength; the no-data leaf is no weakness
    assert analysis.strengths(res, "S1").empty
    assert list(analysis.weaknesses(res, "S1")["code"]) == ["B1", "A1", "A2"]


def test_no_strengths_when_nobody_beats_the_median():
    res = district()
    units = res.units.assign(peer_group=["department", "solo", "department", "subdistrict"])
    solo = Results(units=units, nodes=res.nodes, meta=res.meta)
    # D2 is alone: every vs_peer is 0 — full marks where the median has full marks too are
    # no strength, so it has none (the report says so)
    assert analysis.strengths(solo, "D2").empty


def test_strengths_and_weaknesses_never_share_an_indicator():
    res = district()
    for unit in ("D1", "D2", "D3", "S1"):
        s = set(analysis.strengths(res, unit, n=10)["code"])
        w = set(analysis.weaknesses(res, unit, n=10)["code"])
        assert not s & w
    # an indicator that lost points is never a strength, even above the peer median
    assert all(analysis.leaf_comparison(res, "D3").set_index("code").loc[c, "points_lost"] <= 0.005
               for c in analysis.strengths(res, "D3")["code"])


def test_suggestions_say_what_closing_each_gap_means():
    res = district()
    d1 = analysis.suggestions(res, "D1")
    assert list(d1["code"]) == ["B1", "A2"] and list(d1["action"]) == ["peer", "lower"]
    assert d1["points_lost"].tolist() == [15.0, 10.0] and d1["recoverable"].tolist() == [15.0, 10.0]
    # B1 has no target: the goal is the median value of the peers with data (all 50.0)
    assert d1["goal"].tolist() == [50.0, 5.0]
    s1 = analysis.suggestions(res, "S1")
    # 30, 30, 20, 20 points lost, ties in framework order; B2 applies but was not reported
    assert list(s1["code"]) == ["B1", "B2", "A1", "A2"]
    assert list(s1["action"]) == ["peer", "report", "raise", "lower"]
    assert len(analysis.suggestions(res, "S1", n=2)) == 2


def test_suggestion_goals_stay_inside_the_indicator_range():
    res = district()
    nodes = res.nodes.copy()
    nodes.loc[nodes["code"] == "A1", "target"] = 120.0  # a target above 100 %: never suggested
    capped = analysis.suggestions(Results(units=res.units, nodes=nodes, meta=res.meta), "S1")
    assert capped.set_index("code").loc["A1", "goal"] == 100.0


def test_vetoed_unit_gets_a_suggestion_for_the_cause_first():
    res = district()
    units = res.units.assign(veto=[True, False, False, False], bar_top=False)
    adj = pd.DataFrame({"unit_id": ["D1"], "kind": ["veto"], "points": [np.nan], "reason": ["重大责任事件"],
                        "reason_en": ["A major accident"], "cap": [np.nan]})
    out = analysis.suggestions(Results(units=units, nodes=res.nodes, meta=res.meta, tables={"adjustments": adj}), "D1")
    assert out["action"].tolist()[0] == "veto" and out["reason"].tolist()[0] == "重大责任事件"


def test_reconciled_rounding_adds_up_by_hand():
    # 3 × 33.333… = 100: floors 33.33 × 3 = 99.99, one cent to the first largest remainder
    assert analysis.reconciled([100 / 3] * 3, 100.0, 2) == [33.34, 33.33, 33.33]
    # 94.11 + 1.945 + 0.004 = 96.059 → 96.06: floors 94.11, 1.94, 0.00 = 96.05; the largest
    # remainder (1.945 → .5) gets the cent
    assert analysis.reconciled([94.11, 1.945, 0.004], 96.059, 2) == [94.11, 1.95, 0.0]
    # NaN parts stay NaN and take nothing
    out = analysis.reconciled([1.25, float("nan"), 2.25], 3.5, 1)
    assert out[0] + out[2] == pytest.approx(3.5) and math.isnan(out[1])


def test_unit_history_is_oldest_first_and_empty_without_a_table():
    res = district()
    hist = analysis.unit_history(res, "D1")
    assert hist["year"].tolist() == [2023, 2024] and hist["score_100"].tolist() == [70.0, 75.0]
    bare = Results(units=res.units, nodes=res.nodes, meta=res.meta)
    assert analysis.unit_history(bare, "D1").empty


def test_unknown_unit_is_an_evalkit_error():
    with pytest.raises(EvalkitError, match="X9"):
        analysis.area_scores(district(), "X9")


# ----------------------------------------------------------------------------------------
# Every unit
# ----------------------------------------------------------------------------------------

def test_grade_counts_use_the_results_bands():
    counts = analysis.grade_counts(district())
    assert list(counts.columns) == ["甲等", "乙等", "丙等", "丁等"]
    assert counts.loc["department"].tolist() == [0, 1, 2, 0]
    assert counts.loc["subdistrict"].tolist() == [0, 0, 0, 1]
    assert int(counts.to_numpy().sum()) == 4


def test_area_rates():
    rates = analysis.area_rates(district())
    assert list(rates.columns) == ["A", "B"] and list(rates.index) == ["D1", "D2", "D3", "S1"]
    assert rates.loc["D1"].tolist() == pytest.approx([0.75, 0.75])
    assert rates.loc["S1"].tolist() == [0.0, 0.0]


def test_movers():
    up, down = analysis.movers(district())
    assert up["unit_id"].tolist() == ["D1", "D2"] and down["unit_id"].tolist() == ["D3"]
    assert down["score_change"].tolist() == [-12.0]
    assert analysis.movers(district(), n=1)[0]["unit_id"].tolist() == ["D1"]


def test_attention_flags_by_hand():
    res = district()
    units = res.units.assign(provisional=[False, True, False, False], veto=[False, False, False, False])
    flags = analysis.attention_flags(Results(units=units, nodes=res.nodes, meta=res.meta))
    got = [(r.unit_id, r.rule, None if math.isnan(r.value) else round(r.value, 6))
           for r in flags.itertuples(index=False)]
    # most serious rule first: S1 fails (丁等, the last band), D2 is provisional (coverage
    # 0.5), D3 lost 10 places
    assert got == [("S1", "fail", None), ("D2", "provisional", 0.5), ("D3", "rank_drop", 10.0)]
    assert analysis.attention_flags(Results(units=units, nodes=res.nodes, meta=res.meta),
                                    rank_drop=11)["rule"].tolist().count("rank_drop") == 0
    vetoed = units.assign(veto=[False, False, True, False])
    first = analysis.attention_flags(Results(units=vetoed, nodes=res.nodes, meta=res.meta)).iloc[0]
    assert (first["unit_id"], first["rule"]) == ("D3", "veto")


def test_score_composition_adds_up_by_hand():
    # D1 with 6 points not applicable (max 94), base 75 − 6 + … : areas A 30, B 45 → base 75
    # of 94 → re-based 79.787…; bonus 4 capped at 3, deduction 1 → 81.787… shown 81.79
    res = district()
    units = res.units.assign(max_score=[94.0, 100, 100, 100], base_score=[75.0, 84, 68, 0],
                             total_score=[75.0, 84, 68, 0], bonus=[3.0, 0, 0, 0], deduction=[1.0, 0, 0, 0])
    units.loc[0, "score_100"] = 100 * 75 / 94 + 3 - 1
    adj = pd.DataFrame({"unit_id": ["D1", "D1"], "kind": ["bonus", "deduction"], "points": [4.0, 1.0],
                        "reason": ["创新", "通报"], "reason_en": ["Innovation", "Reprimand"], "cap": [3.0, np.nan]})
    comp = analysis.score_composition(Results(units=units, nodes=res.nodes, meta=res.meta,
                                              tables={"adjustments": adj}), "D1", 2).set_index("row", drop=False)
    assert comp["row"].tolist() == ["area", "area", "base", "rebased", "bonus", "deduction", "total"]
    areas = comp[comp["row"] == "area"]["shown"].sum()
    assert areas == pytest.approx(comp.loc["base", "shown"]) == pytest.approx(75.0)
    assert comp.loc["rebased", "shown"] == pytest.approx(79.79)
    assert (comp.loc["rebased", "shown"] + comp.loc["bonus", "shown"] - comp.loc["deduction", "shown"]
            == pytest.approx(comp.loc["total", "shown"]))
    assert comp.loc["total", "shown"] == 81.79
    assert comp.loc["bonus", "requested"] == 4.0 and comp.loc["bonus", "cap"] == 3.0
    assert comp.loc["bonus", "reasons"] == [("创新", "Innovation")]


def test_area_changes_compare_on_one_basis():
    res = district()
    hist = pd.DataFrame({"unit_id": ["D1", "D1"], "year": [2023, 2023], "code": ["A", "B"],
                         "points": [40.0, 60.0], "score": [20.0, 60.0], "raw_value": [np.nan, np.nan],
                         "n": [np.nan, np.nan], "status": ["data", "data"]})
    out = analysis.area_changes(Results(units=res.units, nodes=res.nodes, meta=res.meta,
                                        tables={"node_history": hist}), "D1").set_index("code")
    # A: 30/40 = 75 % now, 50 % last year → +25 points; B: 45/60 = 75 % vs 100 % → −25
    assert out["change"].to_dict() == pytest.approx({"A": 25.0, "B": -25.0})
