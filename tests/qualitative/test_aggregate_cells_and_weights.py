"""Cells keyed by unit, group and criterion, integer counts, zero criterion weights and the
default top of the scale of evalkit/qualitative/aggregate.py, pinned by hand.

Written against surviving mutants of ``python benchmarks/mutation.py qualitative`` (issue 18):
the mixed-radix cell key must use the number of groups as the group digit's radix (a design
with as many groups as criteria, or a single unit, cannot tell), the counts must stay
integers in non-empty outputs, a criterion weighing 0 is not "used", and
``aggregate_ratings`` clips severity-adjusted scores at 100 unless told otherwise.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.qualitative import AggregationPolicy
from evalkit.qualitative.aggregate import CELL_COLUMNS, GROUP_COLUMNS, aggregate_ratings, group_scores
from evalkit.qualitative.rubric import AnonymityWarning


def _ratings(cells) -> pd.DataFrame:
    """One row per rating from ``(unit, group, criterion, {rater: score})``."""
    return pd.DataFrame([{"rater_id": rater, "rater_group": group, "unit_id": unit, "criterion": crit,
                          "score": float(score)}
                         for unit, group, crit, scores in cells for rater, score in scores.items()])


def _three_rater_policy(**kw) -> AggregationPolicy:
    with pytest.warns(AnonymityWarning):
        return AggregationPolicy(min_raters=3, **kw)


def test_two_units_two_groups_one_criterion_keep_their_own_cells():
    """2 units × 2 groups × 1 criterion, 3 raters per cell, plain mean:

    U1/expert 60, 70, 80 → 70;  U1/peer 90, 90, 90 → 90;
    U2/expert 50, 50, 80 → 60;  U2/peer 10, 20, 30 → 20.

    (A cell key built with the number of criteria, 1, as the radix of the group digit would
    make U1/peer (0·1 + 1) and U2/expert (1·1 + 0) the same cell.)"""
    e, p = ("E1", "E2", "E3"), ("P1", "P2", "P3")
    df = _ratings([("U1", "expert", "c1", dict(zip(e, (60, 70, 80)))),
                   ("U1", "peer", "c1", dict(zip(p, (90, 90, 90)))),
                   ("U2", "expert", "c1", dict(zip(e, (50, 50, 80)))),
                   ("U2", "peer", "c1", dict(zip(p, (10, 20, 30))))])
    cells = aggregate_ratings(df, _three_rater_policy())
    assert list(cells.columns) == CELL_COLUMNS
    assert cells[["unit_id", "rater_group", "criterion"]].values.tolist() == [
        ["U1", "expert", "c1"], ["U1", "peer", "c1"], ["U2", "expert", "c1"], ["U2", "peer", "c1"]]
    assert cells["score"].tolist() == [70.0, 90.0, 60.0, 20.0]
    assert cells["n_raters"].tolist() == [3, 3, 3, 3]


def test_two_units_one_group_two_criteria_keep_their_own_cells():
    """2 units × 1 group × 2 criteria, raters R1–R3, plain mean:

    U1/c1 10, 20, 30 → 20;  U1/c2 40, 50, 60 → 50;
    U2/c1 70, 80, 90 → 80;  U2/c2 0, 0, 30 → 10.

    (With the number of criteria, 2, as the radix of the group digit, U2's keys 4 and 5 would
    decode to unit 2·1 mod 2 = 0, i.e. U1.)"""
    r = ("R1", "R2", "R3")
    df = _ratings([("U1", "expert", "c1", dict(zip(r, (10, 20, 30)))),
                   ("U1", "expert", "c2", dict(zip(r, (40, 50, 60)))),
                   ("U2", "expert", "c1", dict(zip(r, (70, 80, 90)))),
                   ("U2", "expert", "c2", dict(zip(r, (0, 0, 30))))])
    cells = aggregate_ratings(df, _three_rater_policy())
    assert cells[["unit_id", "criterion"]].values.tolist() == [["U1", "c1"], ["U1", "c2"], ["U2", "c1"], ["U2", "c2"]]
    assert cells["score"].tolist() == [20.0, 50.0, 80.0, 10.0]


def test_counts_are_integers_in_non_empty_outputs():
    # U2 has a suppressed cell only (2 raters), so its group row comes from the left join
    # with no aggregate (criteria_used filled with 0) — the counts must still be int64
    r = ("R1", "R2", "R3", "R4", "R5")
    df = _ratings([("U1", "expert", "c1", dict(zip(r, (70, 75, 80, 85, 90)))),
                   ("U2", "expert", "c1", {"R1": 50, "R2": 60})])
    cells = aggregate_ratings(df)
    assert str(cells["n_raters"].dtype) == "int64" and cells["n_raters"].tolist() == [5, 2]
    groups = group_scores(df)
    assert list(groups.columns) == GROUP_COLUMNS
    assert (str(groups["n_raters"].dtype), str(groups["criteria_used"].dtype)) == ("int64", "int64")
    assert groups["n_raters"].tolist() == [5, 2] and groups["criteria_used"].tolist() == [1, 0]
    # U1: c1 mean (70 + 75 + 80 + 85 + 90)/5 = 80; U2: nothing published
    assert groups["score"].iloc[0] == 80.0 and groups["score"].isna().iloc[1]


def test_a_criterion_weighing_zero_is_not_used():
    """Default policy (5 raters). U1: c1 70..90 → 80, c2 50..70 → 60; U2: c2 only, 20..60 → 40.
    Weights c1 = 1, c2 = 0: U1 → 1·80/1 = 80 from 1 criterion (c2 is published but weighs
    nothing, so it is not counted); U2 → no criterion with a positive weight: not published."""
    r = ("R1", "R2", "R3", "R4", "R5")
    df = _ratings([("U1", "expert", "c1", dict(zip(r, (70, 75, 80, 85, 90)))),
                   ("U1", "expert", "c2", dict(zip(r, (50, 55, 60, 65, 70)))),
                   ("U2", "expert", "c2", dict(zip(r, (20, 30, 40, 50, 60))))])
    out = group_scores(df, criterion_weights={"c1": 1.0, "c2": 0.0}).set_index("unit_id")
    assert out.loc["U1", "score"] == 80.0 and out.loc["U1", "criteria_used"] == 1
    assert out.loc["U2", "criteria_used"] == 0 and pd.isna(out.loc["U2", "score"])
    assert bool(out.loc["U2", "published"]) is False and out.loc["U2", "status"] == "below_min_raters"


def test_aggregate_ratings_clips_at_100_by_default():
    """min_ratings 3, one group (as in test_group_scores_pass_score_max_to_the_severity_adjustment,
    but through aggregate_ratings without score_max). A and B rate U1–U3 80, 90, 100 (mean 90,
    sd √(200/2) = 10); C rates 50, 50, 100 (mean 200/3, sd √((2·(50/3)² + (100/3)²)/2) = √(2500/3)
    = 28.8675). M = median(90, 90, 66.667) = 90, S = median(10, 10, 28.8675) = 10, so A and B keep
    their scores and C's 100 becomes 90 + 10·(100/3)/28.8675 = 101.547, clipped to 100:
    U3 = (100 + 100 + 100)/3 = 100 exactly (clipping at 101 would give 301/3)."""
    df = _ratings([(f"U{i + 1}", "expert", "c1", {"A": a, "B": a, "C": c})
                   for i, (a, c) in enumerate([(80, 50), (90, 50), (100, 100)])])
    cells = aggregate_ratings(df, _three_rater_policy(adjust_severity=True, min_rater_ratings=3))
    assert cells.set_index("unit_id").loc["U3", "score"] == 100.0
