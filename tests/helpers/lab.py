"""The weighting-scheme lab's synthetic test case (used by ``tests/sensitivity``).

``synthetic_case(seed, policy, ...)`` returns ``(framework, units, values, adjustments)``:
a three-level framework with every rule type, random indicator values and adjustments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.scoring.framework import parse_framework
from evalkit.stats import wilson_intervals

__all__ = ["synthetic_case"]


def synthetic_case(seed: int = 0, policy: str = "renormalise", n_units: int = 12, missing: float = 0.15,
                   adjustments: bool = True, min_coverage: float = 0.0):
    """A three-level framework with every rule type, group- and class-specific points, a leaf
    that applies to one group only, a leaf with its own missing policy, a leaf with its own
    direction, missing values, Wilson-type intervals, and bonus/deduction/veto/bar_top
    adjustments."""
    rng = np.random.default_rng(seed)
    doc = {
        "code": "synthetic", "version": "1", "missing_policy": policy, "min_coverage": min_coverage,
        "grades": {"bands": [["优秀", 90], ["良好", 80], ["合格", 60], ["不合格", 0]], "top_quota": 0.25},
        "nodes": [
            {"code": "A", "area": "efficiency", "children": [
                {"code": "A1", "area": "efficiency", "children": [
                    {"code": "A11", "indicator": "service_on_time_rate", "points": 8, "target": 99,
                     "rule": {"type": "threshold_deduct", "per": 1, "deduct": 2}},
                    {"code": "A12", "indicator": "service_online_rate", "points": {"department": 4, "subdistrict": 6},
                     "target": 80, "rule": {"type": "linear_band", "low": 50, "high": 80}},
                ]},
                {"code": "A2", "indicator": "supervision_on_time_rate", "points": 5, "target": 100,
                 "rule": {"type": "threshold_deduct", "per": 2, "deduct": 1, "whole_steps": True}},
            ]},
            {"code": "B", "area": "public_service", "children": [
                {"code": "B1", "indicator": "hotline_on_time_rate", "points": {"department": 6, "街道": 9, "*": 7},
                 "target": 95, "rule": {"type": "ratio_to_best"}},
                {"code": "B2", "indicator": "review_correction_rate", "points": 4, "target": 15,
                 "rule": {"type": "binary"}, "missing": "zero"},
                {"code": "B3", "indicator": "grid_on_time_rate", "points": 5, "target": 98,
                 "applies_to": ["subdistrict"], "rule": {"type": "threshold_deduct", "per": 1, "deduct": 1}},
            ]},
            {"code": "C", "area": "qualitative", "children": [
                {"code": "C1", "indicator": "rating_score", "points": 7, "target": 100,
                 "rule": {"type": "linear_band", "low": 0, "high": 100}},
            ]},
            {"code": "D", "area": "finance", "children": [
                {"code": "D1", "indicator": "budget_execution_rate", "points": 6,
                 "rule": {"type": "band_table", "bands": [[98, 6], [95, 4], [90, 2]]}},
                {"code": "D2", "indicator": "proposal_on_time_rate", "points": 5,
                 "rule": {"type": "rank_points", "step": 0.5, "floor": 1}},
                {"code": "D3", "indicator": "litigation_loss_rate", "points": 3, "direction": 1,
                 "rule": {"type": "goalposts", "lower": 0, "upper": 20}},
                {"code": "D4", "indicator": "audit_rectification_rate", "points": 4,
                 "rule": {"type": "checklist_deduct", "per_item": 0.5, "zero_at": 6}},
            ]},
        ],
    }
    framework = parse_framework(doc)
    ids = [f"U{i:02d}" for i in range(n_units)]
    groups = np.where(np.arange(n_units) % 3 == 0, "subdistrict", "department")
    classes = np.where(groups == "subdistrict", np.where(np.arange(n_units) % 2, "街道", "镇"), "综合")
    units = pd.DataFrame({"unit_id": ids, "name_zh": ids, "peer_group": groups, "unit_class": classes})
    rows = []
    centre = {"service_on_time_rate": 97, "service_online_rate": 70, "supervision_on_time_rate": 96,
              "hotline_on_time_rate": 93, "review_correction_rate": 12, "grid_on_time_rate": 96, "rating_score": 85,
              "budget_execution_rate": 95, "proposal_on_time_rate": 90, "litigation_loss_rate": 10,
              "audit_rectification_rate": 3}
    for ind, c in centre.items():
        for u in ids:
            if rng.random() < missing:
                rows.append((ind, u, np.nan, np.nan, np.nan, np.nan, np.nan))
                continue
            if ind in ("rating_score", "budget_execution_rate", "audit_rectification_rate"):
                # a score, a money ratio and (standing in for) a count of items found: no interval
                v = float(rng.poisson(c)) if ind == "audit_rectification_rate" else float(
                    np.clip(rng.normal(c, 4), 0, 100))
                rows.append((ind, u, v, np.nan, np.nan, np.nan, np.nan))
                continue
            den = int(rng.integers(5, 400))
            num = int(rng.binomial(den, np.clip(rng.normal(c, 4), 1, 100) / 100))
            lo, hi = wilson_intervals(num, den)
            rows.append((ind, u, 100 * num / den, float(num), float(den), 100 * float(lo), 100 * float(hi)))
    values = pd.DataFrame(rows, columns=["indicator", "unit_id", "value", "numerator", "denominator",
                                         "ci_low", "ci_high"])
    values["n"] = values["denominator"].fillna(0)
    adj = pd.DataFrame({"unit_id": [ids[1], ids[2], ids[4], ids[5], ids[3]],
                        "kind": ["bonus", "deduction", "veto", "bar_top", "bonus"],
                        "points": [2.5, 1.0, np.nan, np.nan, 5.0]}) if adjustments else None
    return framework, units, values, adj
