"""Qualitative indicators (效能评价, 民主测评, 满意度调查) on hand-made tables.

Tested against their documented behaviour: raters' ratings of their own unit are excluded
(回避); a rater group counts only with at least 5 raters (fewer: left out, weights
rescaled over the other groups); default group weights 区领导 0.3, 互评 0.2, 服务对象 0.4,
专家 0.1; democratic-vote points 优秀 100, 称职 80, 基本称职 60, 不称职 0; survey rate
= (非常满意 + 满意 + 基本满意) / answers.

The rating table is balanced — every rater of a group rates both criteria C1 and C2 of a
unit — so "mean per rater, then over raters" and "mean per criterion, then over criteria"
give the same group score, and the 5-rater minimum holds (or fails) for the group and for
each of its criteria alike.
"""

import pytest

from evalkit.indicators import BY_CODE
from evalkit.indicators import qualitative as ql
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024
UNITS = ("D01", "D02", "D03", "D04")

RATERS = ([{"rater_id": f"L{i}", "rater_group": "leader"} for i in range(1, 6)]
          + [{"rater_id": "P1", "rater_group": "peer", "own_unit_id": "D01"},
             {"rater_id": "P2", "rater_group": "peer", "own_unit_id": "D02"},
             {"rater_id": "P3", "rater_group": "peer", "own_unit_id": "D03"},
             {"rater_id": "P4", "rater_group": "peer", "own_unit_id": "D04"},
             {"rater_id": "P5", "rater_group": "peer"},
             {"rater_id": "P6", "rater_group": "peer"}]
          + [{"rater_id": f"U{i}", "rater_group": "service_user"} for i in range(1, 5)]
          + [{"rater_id": f"E{i}", "rater_group": "expert"} for i in range(1, 6)])
GROUP = {r["rater_id"]: r["rater_group"] for r in RATERS}


def rate(unit, scores: dict[str, tuple[float, float]]):
    """Rows for ``unit``: rater id → (score on C1, score on C2)."""
    return [{"rater_id": rid, "rater_group": GROUP[rid], "unit_id": unit, "criterion": crit, "score": s}
            for rid, pair in scores.items() for crit, s in zip(("C1", "C2"), pair)]


RATINGS = (
    # D01 — leaders: per rater 85, 90, 80, 90, 95 → 88 (C1 mean 86, C2 mean 90 → 88).
    rate("D01", {"L1": (80, 90), "L2": (90, 90), "L3": (80, 80), "L4": (90, 90), "L5": (90, 100)})
    # peers: P1 rates their own unit (100) → excluded; P2–P6: 70, 75, 80, 85, 90 → 80.
    + rate("D01", {"P1": (100, 100), "P2": (70, 70), "P3": (75, 75), "P4": (80, 80), "P5": (85, 85),
                   "P6": (90, 90)})
    # service users: only 4 raters (50 each) → below 5 → group left out.
    + rate("D01", {f"U{i}": (50, 50) for i in range(1, 5)})
    # experts: 60, 70, 80, 80, 80 → 74.
    + rate("D01", {"E1": (60, 60), "E2": (70, 70), "E3": (80, 80), "E4": (80, 80), "E5": (80, 80)})
    # D02 — leaders all 70; peers P2–P6 give 100, but P2 works in D02 → 4 peers left → out.
    + rate("D02", {f"L{i}": (70, 70) for i in range(1, 6)})
    + rate("D02", {f"P{i}": (100, 100) for i in range(2, 7)})
    # D03 — only 4 service users (60) → no group qualifies.
    + rate("D03", {f"U{i}": (60, 60) for i in range(1, 5)})
    # D04 — not rated at all.
)


def ratings_ds(raters=RATERS):
    return make_dataset(units=UNITS, tables={(None, "raters"): raters, (Y, "ratings"): RATINGS})


def test_rating_score_default_weights():
    out = ql.rating_score(ratings_ds(), Y)
    assert_shape(out, list(UNITS))
    # D01: groups used leader 88 (w 0.3), peer 80 (0.2), expert 74 (0.1); service users out.
    #      (0.3 × 88 + 0.2 × 80 + 0.1 × 74) / (0.3 + 0.2 + 0.1) = (26.4 + 16 + 7.4) / 0.6
    #      = 49.8 / 0.6 = 83.0; n = 5 + 5 + 5 = 15 raters.
    assert_row(out, "D01", 83.0, None, None, n=15)
    # D02: leaders only (peers fell to 4 after excluding P2) → 70.0; n = 5.
    assert_row(out, "D02", 70.0, None, None, n=5)
    # D03: no group with 5 raters → no data (never a score from 4 raters, never 0).
    assert_no_data(out, "D03")
    assert_no_data(out, "D04")


def test_rating_score_excludes_own_unit():
    # Register P1 as working outside the evaluated units: their 100 for D01 now counts.
    raters = [dict(r, own_unit_id=None) if r["rater_id"] == "P1" else r for r in RATERS]
    out = ql.rating_score(ratings_ds(raters), Y)
    # Peers: (100 + 70 + 75 + 80 + 85 + 90) / 6 = 500 / 6 = 83.33;
    # (26.4 + 0.2 × 83.33 + 7.4) / 0.6 = 84.11 (≠ 83.0 with the exclusion); n = 16.
    assert_row(out, "D01", (26.4 + 0.2 * 500 / 6 + 7.4) / 0.6, None, None, n=16)
    # And P2's exclusion is what keeps D02's peer group below 5: register P2 outside too.
    raters = [dict(r, own_unit_id=None) if r["rater_id"] == "P2" else r for r in RATERS]
    out = ql.rating_score(ratings_ds(raters), Y)
    # (0.3 × 70 + 0.2 × 100) / 0.5 = 41 / 0.5 = 82.0; n = 10.
    assert_row(out, "D02", 82.0, None, None, n=10)


def test_rating_score_group_weights_are_a_parameter():
    out = ql.rating_score(ratings_ds(), Y, group_weights={"leader": 0.5, "peer": 0.5})
    # D01: (0.5 × 88 + 0.5 × 80) / 1.0 = 84.0 (experts carry no weight); n = 10.
    assert_row(out, "D01", 84.0, None, None, n=10)
    assert_row(out, "D02", 70.0, None, None, n=5)


def test_rating_score_minimum_raters_is_a_parameter():
    from evalkit.qualitative.rubric import AnonymityWarning

    with pytest.warns(AnonymityWarning, match="min_raters: 4 is below 5"):  # published, and said
        out = ql.rating_score(ratings_ds(), Y, min_raters=4)
    # With 4 raters enough, D01's service users (50, w 0.4) count:
    # 0.3 × 88 + 0.2 × 80 + 0.4 × 50 + 0.1 × 74 = 26.4 + 16 + 20 + 7.4 = 69.8; n = 19.
    assert_row(out, "D01", 69.8, None, None, n=19)
    # D02: peers P3–P6 (100) now count: (0.3 × 70 + 0.2 × 100) / 0.5 = 82.0; n = 9.
    assert_row(out, "D02", 82.0, None, None, n=9)
    # D03: 4 service users at 60 → 60.0.
    assert_row(out, "D03", 60.0, None, None, n=4)


# ---------------------------------------------------------------------------------------
# 民主测评
# ---------------------------------------------------------------------------------------

def votes(unit, group, excellent, competent, basically, incompetent):
    return {"unit_id": unit, "voter_group": group, "excellent": excellent, "competent": competent,
            "basically_competent": basically, "incompetent": incompetent}


VOTES = [
    votes("D01", "leaders", 6, 3, 1, 0),
    votes("D01", "staff", 10, 8, 1, 1),
    votes("D02", "staff", 0, 0, 0, 0),      # a row with no vote cast
    votes("D03", "public", 4, 0, 0, 0),     # 4 votes: fewer than 5
]


def test_vote_score_default_points():
    out = ql.vote_score(make_dataset(units=UNITS, tables={(Y, "votes"): VOTES}), Y)
    assert_shape(out, list(UNITS))
    # D01 over both groups: 优秀 16, 称职 11, 基本称职 2, 不称职 1 = 30 votes.
    # (16 × 100 + 11 × 80 + 2 × 60 + 1 × 0) / 30 = (1600 + 880 + 120) / 30 = 2600 / 30 = 86.67.
    assert_row(out, "D01", 2600 / 30, None, None, n=30)
    # D02: no vote → no data (not 0 points).
    assert_no_data(out, "D02")
    # D03: 4 votes, below the minimum of 5 → no data (not 100 points).
    assert_no_data(out, "D03")
    assert_no_data(out, "D04")


def test_vote_points_are_a_parameter():
    ds = make_dataset(units=UNITS, tables={(Y, "votes"): VOTES})
    pts = {"excellent": 95.0, "competent": 85.0, "basically_competent": 70.0, "incompetent": 40.0}
    # (16 × 95 + 11 × 85 + 2 × 70 + 1 × 40) / 30 = (1520 + 935 + 140 + 40) / 30 = 2635 / 30.
    assert_row(ql.vote_score(ds, Y, points=pts), "D01", 2635 / 30, None, None, n=30)


def test_default_vote_points_are_100_80_60_0():
    assert ql.VOTE_POINTS == {"excellent": 100.0, "competent": 80.0, "basically_competent": 60.0,
                              "incompetent": 0.0}


# ---------------------------------------------------------------------------------------
# 群众满意率 (survey)
# ---------------------------------------------------------------------------------------

def answers(unit, question, *codes):
    return [{"unit_id": unit, "response_date": "2024-06-15", "question": question, "answer": a}
            for a in codes]


SURVEY = (answers("D01", "overall", "very_satisfied", "very_satisfied", "satisfied", "satisfied",
                  "satisfied", "fairly_satisfied", "dissatisfied", "very_dissatisfied")
          + answers("D01", "timeliness", "satisfied", "dissatisfied", "dissatisfied", "dissatisfied",
                    "very_dissatisfied")
          + answers("D02", "timeliness", *["satisfied"] * 5)
          + answers("D03", "overall", *["satisfied"] * 4))


@pytest.fixture(scope="module")
def survey_ds():
    return make_dataset(units=UNITS, tables={(Y, "survey_responses"): SURVEY})


def test_survey_satisfaction_rate(survey_ds):
    out = ql.survey_satisfaction_rate(survey_ds, Y)
    assert_shape(out, list(UNITS))
    # D01, question "overall": 非常满意 2 + 满意 3 + 基本满意 1 = 6 of 8 answers = 75 %
    # (the "timeliness" answers are another question).
    assert_row(out, "D01", 75.0, 6, 8, n=8)
    # D02 answered only "timeliness" → no overall data; D03: 4 answers, below 5 → no data
    # (not 100 %); D04: none.
    for unit in ("D02", "D03", "D04"):
        assert_no_data(out, unit)


def test_survey_question_is_a_parameter(survey_ds):
    out = ql.survey_satisfaction_rate(survey_ds, Y, question="timeliness")
    # D01: 1 satisfied of 5 = 20 %; D02: 5 of 5 = 100 %.
    assert_row(out, "D01", 20.0, 1, 5, n=5)
    assert_row(out, "D02", 100.0, 5, 5, n=5)


@pytest.mark.parametrize("code", ["rating_score", "vote_score", "survey_satisfaction_rate"])
def test_absent_tables_give_no_data(code):
    out = BY_CODE[code](make_dataset(units=("D01", "S01")), Y)
    assert_no_data(out, "D01")
    assert_no_data(out, "S01")
