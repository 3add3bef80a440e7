"""Property tests (hypothesis) of the scoring engine's promises (issue 5 acceptance)."""

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
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
    inds = ["service_on_time_rate", "hotline_on_time_rate", "grid_on_time_rate", "budget_execution_rate",
            "staffing_control_rate", "supervision_on_time_rate"]
    groups = []
    k = 0
    for g in range(draw(st.integers(1, 3))):
        children = []
        for _ in range(draw(st.integers(1, 3))):
            pts = draw(st.one_of(st.floats(0.5, 20), st.fixed_dictionaries(
                {"department": st.floats(0, 20), "subdistrict": st.floats(0, 20)})))
            children.append({"code": f"L{k}", "indicator": inds[k % len(inds)], "points": pts,
                             "rule": {"type": "linear_band", "low": 0, "high": 100}})
            k += 1
        groups.append({"code": f"G{g}", "area": "efficiency", "children": children})
    return parse_framework({"code": "p", "version": "1", "nodes": groups})


@settings(max_examples=60, deadline=None)
@given(fw=trees(), seed=st.integers(0, 10_000))
def test_effective_weights_sum_to_one(fw, seed):
    rng = np.random.default_rng(seed)
    units = pd.DataFrame({"unit_id": ["D1", "D2", "S1"], "peer_group": ["department", "department", "subdistrict"],
                          "unit_class": ["x", "y", "街道"]})
    rows = [(leaf.indicator, u, float(rng.uniform(50, 100)), 10) for leaf in fw.leaves() for u in units["unit_id"]]
    vals = pd.DataFrame(rows, columns=["indicator", "unit_id", "value", "n"]).drop_duplicates(["indicator", "unit_id"])
    totals, nodes = score_tree(fw, units, vals)
    leaves = nodes[nodes["code"].isin([leaf.code for leaf in fw.leaves()])]
    for uid, part in leaves.groupby("unit_id"):
        maximum = totals.set_index("unit_id").loc[uid, "max_score"]
        assert math.isclose((part["points"] / maximum).sum(), 1.0, rel_tol=1e-9)


scores = st.lists(st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)), min_size=1, max_size=40)


@given(scores=scores, quota=st.floats(0, 1), bar=st.lists(st.booleans(), max_size=40))
def test_top_grade_quota_is_never_exceeded(scores, quota, bar):
    n = len(scores)
    totals = pd.DataFrame({"unit_id": [f"U{i}" for i in range(n)], "peer_group": "g", "score_100": scores,
                           "bar_top": (bar + [False] * n)[:n]})
    out = rank_and_grade(totals, GradeRules(top_quota=quota))
    assert (out["grade"] == "优秀").sum() <= math.floor(quota * n + 1e-9)
    assert not ((out["grade"] == "优秀") & out["bar_top"]).any()


@given(scores=scores, vetoed=st.lists(st.booleans(), min_size=1, max_size=40))
def test_a_veto_always_binds(scores, vetoed):
    n = len(scores)
    veto = (vetoed * n)[:n]
    totals = pd.DataFrame({"unit_id": [f"U{i}" for i in range(n)], "peer_group": "g", "score_100": scores,
                           "veto": veto})
    out = rank_and_grade(totals, GradeRules(top_quota=1.0))
    assert (out.loc[out["veto"], "grade"] == "不合格").all()
