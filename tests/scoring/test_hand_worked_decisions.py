"""Every scoring decision, worked by hand.

Each case is a tiny framework (built from a dict, as a framework YAML would be), a few units
and their indicator values; the expected scores, ranks and grades are written out in the
test with the arithmetic in a comment — never computed by evalkit. Every case runs through
both scoring paths:

* the engine: ``score_tree`` → ``apply_adjustments`` → ``rank_and_grade`` (what
  ``score_year`` does), and
* the lab's vectorised model: ``ScoringModel.from_values(...).nominal()``.

Covered: every rule at and around its edges in both directions; grade-band boundaries; the
优秀 quota with a non-default ``top_quota`` and ties at the quota line; bonus and deduction
caps; 一票否决 / 一票否优 with caps and the quota; the three missing-data policies with
several donors of different points; ``min_coverage`` at and just below its value; ranks of
near-ties under the published rounding; the qualitative trimmed and drop-k means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

from evalkit.qualitative import AggregationPolicy, aggregate_ratings, drop_extremes_mean, trimmed_mean
from evalkit.scoring import GradeRules, apply_adjustments, band_of, parse_framework, rank_and_grade, score_tree
from evalkit.sensitivity import ScoringModel

IND = "service_on_time_rate"  # any yearly indicator of the catalogue; directions are set per leaf
IND2 = "hotline_on_time_rate"
TOP, GOOD, PASS, FAIL = "优秀", "良好", "合格", "不合格"


# ---------------------------------------------------------------------------------------
# Cases: framework document + units + values (+ adjustments) → hand-worked expectations
# ---------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    doc: dict
    units: list  # (unit_id, peer_group, unit_class)
    values: list  # (indicator, unit_id, value); a missing row is no data
    adjustments: list = field(default_factory=list)  # (unit_id, kind, points)
    score_100: dict = field(default_factory=dict)  # unit → score on the 0–100 scale (NaN: no score)
    rank: dict = field(default_factory=dict)
    grade: dict = field(default_factory=dict)

    def __str__(self):
        return self.name


def doc(nodes, **top) -> dict:
    return {"code": "hand", "version": "1", "nodes": [{"code": "R", "area": "efficiency", "children": nodes}], **top}


def leaf(code, rule, points, *, indicator=IND, direction=1, target=None, **extra) -> dict:
    node = {"code": code, "indicator": indicator, "points": points, "rule": rule, "direction": direction, **extra}
    if target is not None:
        node["target"] = target
    return node


def rule_case(name, rule, direction, rows, *, points=10, target=None) -> Case:
    """One leaf worth ``points``; ``rows`` = [(value, points the rule gives by hand)], one unit
    each, all in one peer group; score_100 = 100 · leaf points / ``points``."""
    units = [(f"U{i}", "department", "综合") for i in range(len(rows))]
    values = [(IND, f"U{i}", v) for i, (v, _) in enumerate(rows) if v is not None]
    return Case(name, doc([leaf("L", rule, points, direction=direction, target=target)], grades={"top_quota": 1.0}),
                units, values, score_100={f"U{i}": 100 * p / points for i, (_, p) in enumerate(rows)})


RULE_CASES = [
    # threshold_deduct, target 95, 2 points off per 1 point short (points 10):
    # 95 → 10 (at target); 96 → 10 (beyond); 94.5 → 10 − 2·0.5 = 9; 94 → 10 − 2·1 = 8;
    # 90 → 10 − 2·5 = 0; 89 → 10 − 2·6 = −2 → clamped to 0.
    rule_case("threshold_deduct up", {"type": "threshold_deduct", "per": 1, "deduct": 2}, 1,
              [(95, 10), (96, 10), (94.5, 9), (94, 8), (90, 0), (89, 0)], target=95),
    # lower is better, target 5: 5 → 10; 4 → 10; 5.5 → 10 − 2·0.5 = 9; 10 → 10 − 2·5 = 0; 11 → 0.
    rule_case("threshold_deduct down", {"type": "threshold_deduct", "per": 1, "deduct": 2}, -1,
              [(5, 10), (4, 10), (5.5, 9), (10, 0), (11, 0)], target=5),
    # whole_steps, target 100, 1 point per started 2 points short (points 5):
    # 100 → 5; 99.9 → ⌈0.1/2⌉ = 1 step → 4; 98 → ⌈2/2⌉ = 1 → 4; 97.9 → ⌈2.1/2⌉ = 2 → 3;
    # 90 → ⌈10/2⌉ = 5 → 0; 80 → 10 steps → 0.
    rule_case("threshold_deduct whole steps up", {"type": "threshold_deduct", "per": 2, "deduct": 1,
                                                  "whole_steps": True}, 1,
              [(100, 5), (99.9, 4), (98, 4), (97.9, 3), (90, 0), (80, 0)], points=5, target=100),
    # lower is better, target 0: 0 → 5; 2 → 1 step → 4; 2.5 → ⌈1.25⌉ = 2 → 3; 4 → 2 → 3; 4.1 → 3 → 2.
    rule_case("threshold_deduct whole steps down", {"type": "threshold_deduct", "per": 2, "deduct": 1,
                                                    "whole_steps": True}, -1,
              [(0, 5), (2, 4), (2.5, 3), (4, 3), (4.1, 2)], points=5, target=0),
    # linear_band 50 → 0 points, 80 → 10: 49 → 0; 50 → 0; 56 → 10·6/30 = 2; 65 → 10·15/30 = 5;
    # 80 → 10; 81 → 10.
    rule_case("linear_band up", {"type": "linear_band", "low": 50, "high": 80}, 1,
              [(49, 0), (50, 0), (56, 2), (65, 5), (80, 10), (81, 10)]),
    # lower is better: 50 and below → 10, 80 and above → 0: 40 → 10; 50 → 10;
    # 74 → 10·(1 − 24/30) = 2; 65 → 5; 80 → 0; 90 → 0.
    rule_case("linear_band down", {"type": "linear_band", "low": 50, "high": 80}, -1,
              [(40, 10), (50, 10), (74, 2), (65, 5), (80, 0), (90, 0)]),
    # ratio_to_best, best of the group 80: 80 → 10; 80 (a second best) → 10; 60 → 10·60/80 = 7.5;
    # 40 → 10·40/80 = 5; 0 → 0.
    rule_case("ratio_to_best up", {"type": "ratio_to_best"}, 1, [(80, 10), (80, 10), (60, 7.5), (40, 5), (0, 0)]),
    # lower is better, best 2: 2 → 10; 4 → 10·2/4 = 5; 8 → 10·2/8 = 2.5; 20 → 1.
    rule_case("ratio_to_best down", {"type": "ratio_to_best"}, -1, [(2, 10), (4, 5), (8, 2.5), (20, 1)]),
    # lower is better and the best is 0: the best gets full marks (0/0 → 1), everyone else
    # 10·0/x = 0.
    rule_case("ratio_to_best down, best 0", {"type": "ratio_to_best"}, -1, [(0, 10), (0, 10), (1, 0), (5, 0)]),
    # binary, target 95, 4 points: 95 → 4; 100 → 4; 94.99 → 0.
    rule_case("binary up", {"type": "binary"}, 1, [(95, 4), (100, 4), (94.99, 0)], points=4, target=95),
    # lower is better, target 15: 15 → 4; 0 → 4; 15.01 → 0.
    rule_case("binary down", {"type": "binary"}, -1, [(15, 4), (0, 4), (15.01, 0)], points=4, target=15),
    # band_table ≥98 → 6, ≥95 → 4, ≥90 → 2, else 0: 100 → 6; 98 → 6; 97.99 → 4; 95 → 4;
    # 94.99 → 2; 90 → 2; 89.99 → 0.
    rule_case("band_table up", {"type": "band_table", "bands": [[98, 6], [95, 4], [90, 2]]}, 1,
              [(100, 6), (98, 6), (97.99, 4), (95, 4), (94.99, 2), (90, 2), (89.99, 0)], points=6),
    # band points above the leaf's points are capped: ≥90 → 8, but the leaf is worth 6.
    rule_case("band_table capped", {"type": "band_table", "bands": [[90, 8]]}, 1, [(90, 6), (89, 0)], points=6),
    # lower is better (预算控制率): 0 → 5, ≤10 → 4, ≤20 → 3, ≤30 → 2, more → 0:
    # 0 → 5; 0.01 → 4; 10 → 4; 10.01 → 3; 20 → 3; 30 → 2; 30.01 → 0.
    rule_case("band_table down", {"type": "band_table", "bands": [[0, 5], [10, 4], [20, 3], [30, 2]]}, -1,
              [(0, 5), (0.01, 4), (10, 4), (10.01, 3), (20, 3), (30, 2), (30.01, 0)], points=5),
    # rank_points, table 6/5/4 then −1 per further rank, floor 1.5 (points 6); values
    # 99, 98, 98, 90, 80, 70 → ranks 1, 2, 2, 4, 5, 6 (ties share the best rank):
    # rank 1 → 6; rank 2 → 5 (both); rank 4 → 4 − 1·(4 − 3) = 3; rank 5 → 4 − 2 = 2;
    # rank 6 → 4 − 3 = 1 → floor 1.5.
    rule_case("rank_points table", {"type": "rank_points", "table": [6, 5, 4], "step": 1, "floor": 1.5}, 1,
              [(99, 6), (98, 5), (98, 5), (90, 3), (80, 2), (70, 1.5)], points=6),
    # rank_points by step 0.5, floor 1 (points 3), lower is better: values 1, 2, 2, 5, 9, 10
    # → ranks 1, 2, 2, 4, 5, 6 → 3 − 0.5·(r − 1) = 3, 2.5, 2.5, 1.5, 1, 0.5 → floor 1.
    rule_case("rank_points step down", {"type": "rank_points", "step": 0.5, "floor": 1}, -1,
              [(1, 3), (2, 2.5), (2, 2.5), (5, 1.5), (9, 1), (10, 1)], points=3),
    # checklist_deduct 0.5 per item, none from 2 items on ("发现一次扣0.5分，两次及以上不得分"),
    # points 2: 0 → 2; 1 → 1.5; 2 → 0 (zero_at); 3 → 0.
    rule_case("checklist_deduct zero_at 2", {"type": "checklist_deduct", "per_item": 0.5, "zero_at": 2}, -1,
              [(0, 2), (1, 1.5), (2, 0), (3, 0)], points=2),
    # per_item 0.5, zero_at 6, points 4: 5 → 4 − 2.5 = 1.5; 6 → 0 (not 4 − 3 = 1); 7 → 0.
    rule_case("checklist_deduct zero_at 6", {"type": "checklist_deduct", "per_item": 0.5, "zero_at": 6}, -1,
              [(5, 1.5), (6, 0), (7, 0)], points=4),
    # no zero_at: 3 → 2 − 1.5 = 0.5; 4 → 0; 5 → −0.5 → 0 (扣完为止).
    rule_case("checklist_deduct uncapped", {"type": "checklist_deduct", "per_item": 0.5}, -1,
              [(3, 0.5), (4, 0), (5, 0)], points=2),
    # goalposts 0 → 20 (points 3): −5 → 0; 0 → 0; 10 → 1.5; 20 → 3; 25 → 3.
    rule_case("goalposts up", {"type": "goalposts", "lower": 0, "upper": 20}, 1,
              [(-5, 0), (0, 0), (10, 1.5), (20, 3), (25, 3)], points=3),
    # lower is better: −1 → 3; 0 → 3; 5 → 3·(1 − 5/20) = 2.25; 20 → 0; 25 → 0.
    rule_case("goalposts down", {"type": "goalposts", "lower": 0, "upper": 20}, -1,
              [(-1, 3), (0, 3), (5, 2.25), (20, 0), (25, 0)], points=3),
]


def percent_leaf(code="L", points=100, **extra) -> dict:
    """A leaf whose score is its value as a percentage of its points (linear 0 → 100)."""
    return leaf(code, {"type": "linear_band", "low": 0, "high": 100}, points, **extra)


def direct_case(name, scores, *, groups=None, adj=(), rank=None, grade=None, score_100=None, **top) -> Case:
    """Units whose base score_100 is the given value (one percent leaf worth 100 points);
    ``adj`` = adjustment rows, ``top`` = top-level framework entries."""
    groups = groups or {}
    units = [(u, groups.get(u, "department"), "综合") for u in scores]
    values = [(IND, u, v) for u, v in scores.items()]
    return Case(name, doc([percent_leaf()], **top), units, values, list(adj),
                score_100=score_100 if score_100 is not None else dict(scores), rank=rank or {}, grade=grade or {})


GRADE_CASES = [
    # Band boundaries (default bands 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60): on a bound is the
    # better band, 0.01 below is the next. Quota 1.0 so that it cannot interfere.
    direct_case("grade boundaries",
                {"A": 100, "B": 90, "C": 89.99, "D": 80, "E": 79.99, "F": 60, "G": 59.99, "H": 0},
                grades={"top_quota": 1.0},
                grade={"A": TOP, "B": TOP, "C": GOOD, "D": GOOD, "E": PASS, "F": PASS, "G": FAIL, "H": FAIL},
                rank={"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8}),
    # top_quota 0.3 from the framework document: 10 units → ⌊0.3·10⌋ = 3 优秀 places (the
    # default 0.2 would give 2). Five reach 90: the best three are 优秀, 96 and 95 良好.
    # A second peer group of 5: ⌊0.3·5⌋ = ⌊1.5⌋ = 1 place.
    direct_case("quota 0.3 from the framework",
                {"D1": 99, "D2": 98, "D3": 97, "D4": 96, "D5": 95, "D6": 85, "D7": 80, "D8": 70, "D9": 60, "D10": 50,
                 "S1": 95, "S2": 94, "S3": 70, "S4": 60, "S5": 50},
                groups={f"S{i}": "subdistrict" for i in range(1, 6)},
                grades={"top_quota": 0.3},
                grade={"D1": TOP, "D2": TOP, "D3": TOP, "D4": GOOD, "D5": GOOD, "D6": GOOD, "D7": GOOD,
                       "D8": PASS, "D9": PASS, "D10": FAIL, "S1": TOP, "S2": GOOD, "S3": PASS, "S4": PASS, "S5": FAIL},
                rank={"D1": 1, "D2": 2, "D3": 3, "D4": 4, "D5": 5, "D6": 6, "D7": 7, "D8": 8, "D9": 9, "D10": 10,
                      "S1": 1, "S2": 2, "S3": 3, "S4": 4, "S5": 5}),
    # Ties at the quota line, quota ⌊0.3·10⌋ = 3: 99 (rank 1), 98 (rank 2), 97 and 97 (rank 3
    # both). Taking both 97s would make 4 > 3, so both are demoted together: only 2 优秀.
    # 93 (rank 5) is beyond the line as well.
    direct_case("quota tie at the line",
                {"A": 99, "B": 98, "C": 97, "D": 97, "E": 93, "F": 85, "G": 80, "H": 70, "I": 60, "J": 50},
                grades={"top_quota": 0.3},
                grade={"A": TOP, "B": TOP, "C": GOOD, "D": GOOD, "E": GOOD, "F": GOOD, "G": GOOD, "H": PASS,
                       "I": PASS, "J": FAIL},
                rank={"A": 1, "B": 2, "C": 3, "D": 3, "E": 5, "F": 6, "G": 7, "H": 8, "I": 9, "J": 10}),
    # Tie just inside the line: 99, 98, 98 take 3 places with quota 3 → all three 优秀.
    direct_case("quota tie inside the line",
                {"A": 99, "B": 98, "C": 98, "D": 97, "E": 85, "F": 80, "G": 75, "H": 70, "I": 60, "J": 50},
                grades={"top_quota": 0.3},
                grade={"A": TOP, "B": TOP, "C": TOP, "D": GOOD, "E": GOOD, "F": GOOD, "G": PASS, "H": PASS,
                       "I": PASS, "J": FAIL},
                rank={"A": 1, "B": 2, "C": 2, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8, "I": 9, "J": 10}),
]

ADJUSTMENT_CASES = [
    # Caps from the framework: bonus ≤ 3, deduction ≤ 2; base scores out of 100.
    # A: 80 + min(2 + 2.5, 3) = 83.          B: 80 − min(1.5 + 1, 2) = 78.
    # C: 80 + 1 − 0.5 = 80.5 (under caps).   D: 80 + min(5, 3) − min(4, 2) = 81.
    # E: 80 + 3 − 2 = 81 (exactly at both caps).
    # F: 1 − min(5, 2) = −1 → floored at 0.  G: 99 + 3 = 102 (a bonus may pass 100).
    direct_case("bonus and deduction caps",
                {"A": 80, "B": 80, "C": 80, "D": 80, "E": 80, "F": 1, "G": 99},
                adj=[("A", "bonus", 2), ("A", "bonus", 2.5), ("B", "deduction", 1.5), ("B", "deduction", 1),
                             ("C", "bonus", 1), ("C", "deduction", 0.5), ("D", "bonus", 5), ("D", "deduction", 4),
                             ("E", "bonus", 3), ("E", "deduction", 2), ("F", "deduction", 5), ("G", "bonus", 3)],
                adjustments={"bonus_cap": 3, "deduction_cap": 2}, grades={"top_quota": 1.0},
                score_100={"A": 83, "B": 78, "C": 80.5, "D": 81, "E": 81, "F": 0, "G": 102},
                rank={"G": 1, "A": 2, "D": 3, "E": 3, "C": 5, "B": 6, "F": 7}),
    # Without an adjustments entry the defaults hold: bonus capped at 3, deduction uncapped.
    # A: 80 + min(4, 3) = 83; B: 80 − 5 = 75.
    direct_case("default caps", {"A": 80, "B": 80},
                adj=[("A", "bonus", 4), ("B", "deduction", 5)],
                score_100={"A": 83, "B": 75}, grades={"top_quota": 1.0}),
    # 一票否决 and 一票否优 with caps and the quota. 10 units, top_quota 0.3 → 3 places;
    # caps bonus 3, deduction 2.
    #   A 95, 一票否优 → 良好 and takes no place;     B 94;
    #   C 90 + 2 = 92, 一票否决 → 不合格 (its rank still counts);
    #   D 89 + min(4, 3) = 92;  E 91;  F 90.5 − min(3, 2) = 88.5 → 良好;  G 85, H 80, I 70, J 60.
    # Ranks: A 1, B 2, C 3, D 3, E 5, F 6, G 7, H 8, I 9, J 10.
    # Reaching 90 and not barred or vetoed: B, D, E = 3 ≤ 3 places → all 优秀 (had A taken
    # a place, E would have been demoted).
    direct_case("veto, bar_top, caps and quota",
                {"A": 95, "B": 94, "C": 90, "D": 89, "E": 91, "F": 90.5, "G": 85, "H": 80, "I": 70, "J": 60},
                adj=[("A", "bar_top", None), ("C", "veto", None), ("C", "bonus", 2), ("D", "bonus", 4),
                             ("F", "deduction", 3)],
                adjustments={"bonus_cap": 3, "deduction_cap": 2}, grades={"top_quota": 0.3},
                score_100={"A": 95, "B": 94, "C": 92, "D": 92, "E": 91, "F": 88.5, "G": 85, "H": 80, "I": 70, "J": 60},
                rank={"A": 1, "B": 2, "C": 3, "D": 3, "E": 5, "F": 6, "G": 7, "H": 8, "I": 9, "J": 10},
                grade={"A": GOOD, "B": TOP, "C": FAIL, "D": TOP, "E": TOP, "F": GOOD, "G": GOOD, "H": GOOD,
                       "I": PASS, "J": PASS}),
]


def missing_case(policy: str, d: float, e: float) -> Case:
    """Two percent leaves: L1 worth 10 points for class 甲 and 20 for class 乙, L2 worth 10.

    Department donors of L1: A (甲) 80 → 8 of 10 (share 0.8), B (乙) 50 → 10 of 20 (0.5),
    C (乙) 20 → 4 of 20 (0.2). Mean share (0.8 + 0.5 + 0.2)/3 = 0.5; mean score
    (8 + 10 + 4)/3 = 7.33 — they differ. D (甲) and E (乙) have no L1 value; everyone has
    L2 = 60 → 6 of 10. F (subdistrict) has L1 = 100 and must not be a department donor.
    """
    nodes = [percent_leaf("L1", {"甲": 10, "乙": 20}), percent_leaf("L2", 10, indicator=IND2)]
    units = [("A", "department", "甲"), ("B", "department", "乙"), ("C", "department", "乙"),
             ("D", "department", "甲"), ("E", "department", "乙"), ("F", "subdistrict", "甲")]
    values = [(IND, "A", 80), (IND, "B", 50), (IND, "C", 20), (IND, "F", 100)] + \
             [(IND2, u, 60) for u in "ABCDEF"]
    # donors: A (8 + 6)/20 = 70; B (10 + 6)/30 = 53.33; C (4 + 6)/30 = 33.33; F (10 + 6)/20 = 80
    base = {"A": 70, "B": 100 * 16 / 30, "C": 100 * 10 / 30, "F": 80}
    return Case(f"missing policy {policy}", doc(nodes, missing_policy=policy, grades={"top_quota": 1.0}),
                units, values, score_100={**base, "D": d, "E": e})


MISSING_CASES = [
    # renormalise: only L2 rests on data; D: 6 · 20/10 = 12 of 20 = 60; E: 6 · 30/10 = 18 of 30 = 60.
    missing_case("renormalise", 60, 60),
    # zero: D (0 + 6)/20 = 30; E (0 + 6)/30 = 20.
    missing_case("zero", 30, 20),
    # peer_mean imputes the mean *share* 0.5: D 0.5·10 + 6 = 11 of 20 = 55;
    # E 0.5·20 + 6 = 16 of 30 = 53.33. (The mean score 7.33 would give 66.67 and 44.44.)
    missing_case("peer_mean", 55, 100 * 16 / 30),
]

# min_coverage 0.5 with L1 worth 50 (甲) / 49 (乙) and L2 worth 50 (甲) / 51 (乙):
# A (甲) has only L1 = 80: coverage 50/100 = 0.5 = min_coverage → keeps its score,
#   renormalised: 40 · 100/50 = 80.
# B (乙) has only L1 = 80: coverage 49/100 = 0.49 < 0.5 → no score.
# C (乙) has only L2 = 70: coverage 51/100 = 0.51 → 35.7 · 100/51 = 70.
COVERAGE_CASES = [
    Case("min_coverage at and below",
         doc([percent_leaf("L1", {"甲": 50, "乙": 49}), percent_leaf("L2", {"甲": 50, "乙": 51}, indicator=IND2)],
             min_coverage=0.5, grades={"top_quota": 1.0}),
         [("A", "department", "甲"), ("B", "department", "乙"), ("C", "department", "乙")],
         [(IND, "A", 80), (IND, "B", 80), (IND2, "C", 70)],
         score_100={"A": 80, "B": math.nan, "C": 70}, rank={"A": 1, "C": 2}),
]

RANK_CASES = [
    # Ranks are on score_100 rounded to 2 decimals, ties share the best rank ("1224"):
    # 90.004 → 90.00, 89.996 → 90.00, 89.9951 → 90.00 (tied, rank 1);
    # 89.994 → 89.99, 89.9949 → 89.99 (tied, rank 4); 80 → rank 6.
    direct_case("near ties under rounding",
                {"A": 90.004, "B": 89.996, "C": 89.994, "D": 89.9951, "E": 89.9949, "F": 80},
                grades={"top_quota": 1.0},
                rank={"A": 1, "B": 1, "D": 1, "C": 4, "E": 4, "F": 6}),
    # Two units only: 89.996 → 90.00 (rank 1) and 89.994 → 89.99 (rank 2) are different.
    direct_case("near tie split by rounding", {"A": 89.996, "B": 89.994}, grades={"top_quota": 1.0},
                rank={"A": 1, "B": 2}),
]

CASES = RULE_CASES + GRADE_CASES + ADJUSTMENT_CASES + MISSING_CASES + COVERAGE_CASES + RANK_CASES


def _frames(case: Case):
    framework = parse_framework(case.doc)
    units = pd.DataFrame(case.units, columns=["unit_id", "peer_group", "unit_class"])
    values = pd.DataFrame(case.values, columns=["indicator", "unit_id", "value"]).assign(n=1.0)
    adjustments = pd.DataFrame(case.adjustments, columns=["unit_id", "kind", "points"]).astype({"points": "float64"})
    return framework, units, values, adjustments


def engine_path(case: Case) -> pd.DataFrame:
    framework, units, values, adjustments = _frames(case)
    totals, _ = score_tree(framework, units, values)
    totals = units.merge(totals, on="unit_id")
    totals = apply_adjustments(totals, adjustments, framework)
    return rank_and_grade(totals, framework.grades).set_index("unit_id")


def lab_path(case: Case) -> pd.DataFrame:
    framework, units, values, adjustments = _frames(case)
    return ScoringModel.from_values(framework, units, values, adjustments).nominal().set_index("unit_id")


def _check(case: Case, out: pd.DataFrame) -> None:
    for unit, want in case.score_100.items():
        got = out.loc[unit, "score_100"]
        if math.isnan(want):
            assert pd.isna(got), f"{case}: {unit} should have no score; got {got}"
        else:
            assert got == pytest.approx(want, abs=1e-9), f"{case}: score_100 of {unit}"
    for unit, want in case.rank.items():
        assert out.loc[unit, "rank"] == want, f"{case}: rank of {unit}"
    for unit, want in case.grade.items():
        assert out.loc[unit, "grade"] == want, f"{case}: grade of {unit}"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_engine_by_hand(case):
    _check(case, engine_path(case))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_lab_model_by_hand(case):
    _check(case, lab_path(case))


# ---------------------------------------------------------------------------------------
# Details the case table does not show
# ---------------------------------------------------------------------------------------


def test_framework_top_quota_is_parsed():
    assert parse_framework(doc([percent_leaf()], grades={"top_quota": 0.3})).grades.top_quota == 0.3
    assert parse_framework(doc([percent_leaf()])).grades.top_quota == 0.2  # the default


def test_framework_caps_are_parsed():
    caps = parse_framework(doc([percent_leaf()], adjustments={"bonus_cap": 3, "deduction_cap": 2})).adjustments
    assert (caps.bonus_cap, caps.deduction_cap) == (3.0, 2.0)


def test_capped_adjustment_columns():
    # bonus min(2 + 2.5, 3) = 3; deduction min(1.5 + 1, 2) = 2; the base score is kept.
    out = engine_path(ADJUSTMENT_CASES[0])
    assert out.loc["A", ["base_score", "bonus", "deduction", "total_score"]].tolist() == [80, 3, 0, 83]
    assert out.loc["B", ["base_score", "bonus", "deduction", "total_score"]].tolist() == [80, 0, 2, 78]
    assert out.loc["D", ["bonus", "deduction"]].tolist() == [3, 2]


# Bands read the published score (rounded to 2 decimals, as ranks do): 89.999 and 89.995
# publish as 90.00 (top band); 89.9949 publishes as 89.99.
@pytest.mark.parametrize("score, band", [
    (100.0, TOP), (90.0, TOP), (89.99, GOOD), (89.999, TOP), (89.995, TOP), (89.9949, GOOD), (80.0, GOOD), (79.99, PASS),
    (60.0, PASS), (59.99, FAIL), (0.0, FAIL),
    # floating-point noise around a bound (27/30 of 100 points) still reaches it
    (89.99999999999999, TOP),
])
def test_band_of_boundaries(score, band):
    assert band_of(score, GradeRules()) == band


def test_band_of_custom_bands_and_no_score():
    rules = GradeRules(bands=(("A", 85.0), ("B", 70.0), ("C", 0.0)))
    assert [band_of(s, rules) for s in (85.0, 84.99, 70.0, 69.99)] == ["A", "B", "B", "C"]
    assert band_of(float("nan"), rules) is None


def test_missing_policy_coverage():
    # Imputed scores are not data: D's coverage is L2's 10 of 20 points = 0.5, E's 10 of 30
    # = 1/3 under every policy; A has everything: 1.
    for case in MISSING_CASES:
        out = engine_path(case)
        assert out.loc["D", "coverage"] == pytest.approx(0.5)
        assert out.loc["E", "coverage"] == pytest.approx(1 / 3)
        assert out.loc["A", "coverage"] == pytest.approx(1.0)


def test_leaf_missing_policy_overrides_the_framework():
    # The framework says renormalise, leaf L1 says peer_mean: D gets 0.5·10 + 6 = 11 of 20 = 55.
    case = missing_case("renormalise", 60, 60)
    case.doc["nodes"][0]["children"][0]["missing"] = "peer_mean"
    case.score_100 = {"D": 55, "E": 100 * 16 / 30}
    _check(case, engine_path(case))
    _check(case, lab_path(case))


def test_min_coverage_nodes_are_missing_below_it():
    framework, units, values, _ = _frames(COVERAGE_CASES[0])
    _, nodes = score_tree(framework, units, values)
    root = nodes[nodes["code"] == "R"].set_index("unit_id")
    # R: A 50/100 = 0.5 (kept), B 49/100 = 0.49 (missing), C 51/100 = 0.51 (kept)
    assert root["coverage"].tolist() == pytest.approx([0.5, 0.49, 0.51])
    assert root.loc["A", "score"] == pytest.approx(80) and pd.isna(root.loc["B", "score"])
    out = engine_path(COVERAGE_CASES[0])
    assert pd.isna(out.loc["B", "rank"]) and pd.isna(out.loc["B", "grade"])


def test_a_unit_below_min_coverage_reports_its_coverage():
    # B has data for L1 only: 49 of its 100 points → coverage 0.49 (below 0.5: no score)
    out = engine_path(COVERAGE_CASES[0])
    assert pd.isna(out.loc["B", "score_100"])
    assert out.loc["B", "coverage"] == pytest.approx(0.49)


def test_units_tied_in_rank_get_the_same_band():
    # 90.004 and 89.996 both publish as 90.00: the same rank (1) and the same band (≥ 90),
    # because bands, like ranks, read the published (rounded) score
    out = engine_path(RANK_CASES[0])
    assert out.loc["A", "rank"] == out.loc["B", "rank"] == 1
    assert out.loc["A", "grade"] == out.loc["B", "grade"]


# ---------------------------------------------------------------------------------------
# Qualitative: trimmed mean and 去掉最高分和最低分
# ---------------------------------------------------------------------------------------

# Twelve ratings whose middle is not evenly spaced, so trimming one value more or less
# from each end changes the mean.
FIB = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144]  # Σ = 375


def test_trimmed_mean_by_hand():
    # 0.25 · 12 = 3 from each end: (3 + 5 + 8 + 13 + 21 + 34)/6 = 84/6 = 14
    # (2 cut: 141/8 = 17.625; 4 cut: 47/4 = 11.75)
    assert trimmed_mean(FIB, 0.25) == 14.0
    # ⌊0.1 · 12⌋ = ⌊1.2⌋ = 1 from each end: (375 − 0 − 144)/10 = 23.1 (0 cut: 31.25)
    assert trimmed_mean(FIB, 0.1) == pytest.approx(23.1)
    # NaN is dropped before counting: still 12 values, still 14
    assert trimmed_mean(FIB + [np.nan], 0.25) == 14.0
    # ⌊0.1 · 9⌋ = 0: nothing is cut, the plain mean (0+1+2+3+5+8+13+21+34)/9 = 87/9
    assert trimmed_mean(FIB[:9], 0.1) == pytest.approx(87 / 9)


def test_drop_extremes_mean_by_hand():
    # drop the highest and lowest: (1 + 2 + 3 + 5)/4 = 2.75 (k = 2: (2 + 3)/2 = 2.5)
    assert drop_extremes_mean([0, 1, 2, 3, 5, 80], 1) == 2.75
    assert drop_extremes_mean([0, 1, 2, 3, 5, 80], 2) == 2.5
    # ties at the extremes: only k copies go: (5 + 5 + 5)/3 = 5
    assert drop_extremes_mean([5, 5, 5, 5, 5], 1) == 5.0
    assert math.isnan(drop_extremes_mean([1, 2], 1))


def _ratings(scores, unit="D01", group="expert", criterion="c1"):
    return pd.DataFrame({"rater_id": [f"R{i:02d}" for i in range(len(scores))], "rater_group": group,
                         "unit_id": unit, "criterion": criterion, "score": np.asarray(scores, dtype=float)})


def test_aggregated_trimmed_and_drop_k_cells_by_hand():
    # the vectorised per-cell aggregation gives the same hand values as above
    r = pd.concat([_ratings(FIB, unit="D01"), _ratings([0, 1, 2, 3, 5, 80], unit="D02")], ignore_index=True)
    trimmed = aggregate_ratings(r, AggregationPolicy(method="trimmed_mean", trim_proportion=0.25, min_raters=5))
    assert trimmed.set_index("unit_id").loc["D01", "score"] == 14.0
    # D02: 6 ratings, ⌊0.25 · 6⌋ = 1 from each end: (1 + 2 + 3 + 5)/4 = 2.75
    assert trimmed.set_index("unit_id").loc["D02", "score"] == 2.75
    ten = aggregate_ratings(r, AggregationPolicy(method="trimmed_mean", trim_proportion=0.1, min_raters=5))
    # D01: ⌊1.2⌋ = 1 → 23.1; D02: ⌊0.6⌋ = 0 → (0 + 1 + 2 + 3 + 5 + 80)/6 = 91/6
    assert ten.set_index("unit_id").loc["D01", "score"] == pytest.approx(23.1)
    assert ten.set_index("unit_id").loc["D02", "score"] == pytest.approx(91 / 6)
    drop = aggregate_ratings(r, AggregationPolicy(method="drop_extremes", drop_k=1, min_raters=5))
    # D01: (375 − 0 − 144)/10 = 23.1; D02: 2.75
    assert drop.set_index("unit_id").loc["D01", "score"] == pytest.approx(23.1)
    assert drop.set_index("unit_id").loc["D02", "score"] == 2.75
