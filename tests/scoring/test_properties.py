"""Property tests (hypothesis) of the scoring engine's promises (issue 5 acceptance)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from evalkit.scoring.framework import GradeRules, parse_framework
from evalkit.scoring.model import score_tree
from evalkit.scoring.grades import rank_and_grade
from evalkit.scoring.rules import Binary, LinearBand, RatioToBest, ThresholdDeduct

values = st.floats(min_value=0, max_value=200, allow_nan=False)
rules = st.one_of(
    st.builds(ThresholdDeduct, per=st.floats(0.1, 10), deduct=st.floats(0, 5), whole_steps=st.booleans()),
    st.builds(lambda lo, width: LinearBand(low=lo, high=lo + width), st.floats(0, 100), st.floats(0.5, 100)),
    st.just(RatioToBest()),
    st.just(Binary()),
)


@given(rule=rules, a=values, b=values, target=st.floats(0, 150), direction=st.sampled_from([1, -1]),
       points=st.floats(0.5, 20), best=st.floats(1, 200))
def test_a_better_raw_value_never_lowers_a_score(rule, a, b, target, direction, points, best):
    worse, better = sorted([a, b]) if direction > 0 else sorted([a, b], reverse=True)
    best = max(best, better) if direction > 0 else min(best, better)
    s_worse = rule.score(np.array([worse]), points, target, direction, np.array([best]))[0]
    s_better = rule.score(np.array([better]), points, target, direction, np.array([best]))[0]
    assert s_better >= s_worse - 1e-9
    assert -1e-9 <= s_better <= points + 1e-9


@st.composite
def trees(draw):
    """A two-level framework of linear-band leaves with random bands, directions and points
    (a number, or per peer group); returns the framework and, per leaf, (indicator, low,
    high, direction, points by peer group) read from the drawn document."""
    inds = ["service_on_time_rate", "hotline_on_time_rate", "grid_on_time_rate", "budget_execution_rate",
            "staffing_control_rate", "supervision_on_time_rate"]
    groups, spec = [], []
    k = 0
    for g in range(draw(st.integers(1, 3))):
        children = []
        for _ in range(draw(st.integers(1, 3))):
            # points per peer group may be 0 (the leaf does not apply), else at least 0.5
            # (points like 1e-271 would only test floating-point underflow)
            group_points = st.one_of(st.just(0.0), st.floats(0.5, 20))
            pts = draw(st.one_of(st.floats(0.5, 20), st.fixed_dictionaries(
                {"department": group_points, "subdistrict": group_points})))
            low = draw(st.floats(0, 80))
            high = low + draw(st.floats(1, 50))
            direction = draw(st.sampled_from([1, -1]))
            ind = inds[k % len(inds)]
            children.append({"code": f"L{k}", "indicator": ind, "points": pts, "direction": direction,
                             "rule": {"type": "linear_band", "low": low, "high": high}})
            by_group = pts if isinstance(pts, dict) else {"department": pts, "subdistrict": pts}
            spec.append((ind, low, high, direction, by_group))
            k += 1
        groups.append({"code": f"G{g}", "area": "efficiency", "children": children})
    return parse_framework({"code": "p", "version": "1", "nodes": groups}), spec


@settings(max_examples=60, deadline=None)
@given(tree=trees(), seed=st.integers(0, 10_000))
def test_score_is_the_points_weighted_sum_of_leaf_shares(tree, seed):
    # With every value present, a unit's total is Σ points · share over its leaves, where the
    # share of a linear band is clamp((v − low)/(high − low), 0, 1) (1 − that for direction
    # −1), and score_100 = 100 · total / Σ points — computed here without evalkit.
    fw, spec = tree
    rng = np.random.default_rng(seed)
    units = pd.DataFrame({"unit_id": ["D1", "D2", "S1"], "peer_group": ["department", "department", "subdistrict"],
                          "unit_class": ["x", "y", "街道"]})
    value = {(ind, u): float(rng.uniform(0, 140)) for ind, *_ in spec for u in units["unit_id"]}
    vals = pd.DataFrame([(ind, u, v, 10) for (ind, u), v in value.items()],
                        columns=["indicator", "unit_id", "value", "n"])
    totals, _ = score_tree(fw, units, vals)
    totals = totals.set_index("unit_id")
    for uid, group in zip(units["unit_id"], units["peer_group"]):
        total = maximum = 0.0
        for ind, low, high, direction, by_group in spec:
            share = min(max((value[(ind, uid)] - low) / (high - low), 0.0), 1.0)
            total += by_group[group] * (share if direction > 0 else 1.0 - share)
            maximum += by_group[group]
        assert totals.loc[uid, "max_score"] == pytest.approx(maximum, rel=1e-9)
        if maximum == 0:
            assert np.isnan(totals.loc[uid, "score_100"])
            continue
        assert totals.loc[uid, "total_score"] == pytest.approx(total, rel=1e-9, abs=1e-9)
        assert totals.loc[uid, "score_100"] == pytest.approx(100 * total / maximum, rel=1e-9, abs=1e-9)


scores = st.lists(st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)), min_size=1, max_size=40)


def _expected_grades(scores, quota, bar):
    """The grades by the documented rule, worked without evalkit: bands 90/80/60; 一票否优
    units reaching 90 get 良好 and take no place; of the other units reaching 90 (ranked by
    score, ties sharing a rank) the top grade goes to as many as fit in ⌊quota·n⌋ places,
    a tie group that does not fit as a whole gets 良好 altogether."""
    n = len(scores)
    places = math.floor(quota * n + 1e-9)
    band = ["优秀" if s >= 90 else "良好" if s >= 80 else "合格" if s >= 60 else "不合格" for s in scores]
    out = ["良好" if b == "优秀" and barred else b for b, barred in zip(band, bar)]
    cand = [i for i in range(n) if out[i] == "优秀"]
    for i in cand:
        # places taken by the candidates scoring at least as much as i (its tie group included)
        if sum(scores[j] >= scores[i] for j in cand) > places:
            out[i] = "良好"
    return out


near_line = st.sampled_from([100.0, 99.9, 95.0, 95.0, 92.5, 90.0, 90.0, 89.9, 80.0])
scores = st.lists(st.one_of(st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)), near_line),
                  min_size=1, max_size=40)


@settings(deadline=None)
@given(scores=scores, quota=st.floats(0, 1), bar=st.lists(st.booleans(), max_size=40))
@example(scores=[99.0, 98.0, 97.0, 97.0, 93.0, 85.0, 80.0, 70.0, 60.0, 50.0], quota=0.3, bar=[])  # tie at the line
@example(scores=[95.0, 94.0, 93.0, 92.0, 91.0], quota=0.4, bar=[True])  # barred unit takes no place
def test_top_grade_quota_is_filled_exactly_and_never_exceeded(scores, quota, bar):
    n = len(scores)
    bar = (bar + [False] * n)[:n]
    totals = pd.DataFrame({"unit_id": [f"U{i}" for i in range(n)], "peer_group": "g", "score_100": scores,
                           "bar_top": bar})
    out = rank_and_grade(totals, GradeRules(top_quota=quota))
    places = math.floor(quota * n + 1e-9)
    top = out["grade"] == "优秀"
    assert top.sum() <= places
    assert not (top & out["bar_top"]).any()
    assert list(out["grade"]) == _expected_grades(scores, quota, bar)
    # with no tie at the quota line and enough qualifying units, exactly ⌊quota·n⌋ get 优秀
    cand = sorted((s for s, b in zip(scores, bar) if s >= 90 and not b), reverse=True)
    if 0 < places < len(cand) and cand[places - 1] > cand[places]:
        assert top.sum() == places
    if len(cand) <= places:
        assert top.sum() == len(cand)


@given(scores=scores, vetoed=st.lists(st.booleans(), min_size=1, max_size=40))
def test_a_veto_always_binds(scores, vetoed):
    n = len(scores)
    veto = (vetoed * n)[:n]
    totals = pd.DataFrame({"unit_id": [f"U{i}" for i in range(n)], "peer_group": "g", "score_100": scores,
                           "veto": veto})
    out = rank_and_grade(totals, GradeRules(top_quota=1.0))
    assert (out.loc[out["veto"], "grade"] == "不合格").all()
