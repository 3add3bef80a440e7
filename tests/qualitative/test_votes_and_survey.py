"""Democratic-evaluation votes and satisfaction surveys.

Wilson interval: Newcombe, R. G. (1998), *Statistics in Medicine* 17, 857–872, Table I:
81 of 263 → 0.2553 to 0.3662; 15 of 148 → 0.0624 to 0.1605 (the interval itself comes from
:mod:`evalkit.stats.intervals`; here it is checked through the survey rates).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.indicators.base import OUTPUT_COLUMNS
from evalkit.indicators.qualitative import survey_satisfaction_rate, vote_score
from evalkit.qualitative import FIVE_LEVEL_10, SurveyPolicy, VoteRule, satisfaction_rates, survey_scores, vote_scores
from evalkit.qualitative.survey import _wilson_effective
from evalkit.stats.intervals import wilson_intervals

YEAR = 2024
VOTES = pd.DataFrame({
    "unit_id": ["U1", "U1", "U2", "U2"], "voter_group": ["leaders", "staff", "leaders", "staff"],
    "excellent": [3, 10, 1, 0], "competent": [1, 5, 1, 0],
    "basically_competent": [1, 3, 0, 1], "incompetent": [0, 1, 0, 0]})


def test_vote_rules():
    pts = vote_scores(VOTES).set_index("unit_id")
    # U1: 13×100 + 6×80 + 4×60 + 1×0 over 24 votes
    assert pts.loc["U1", "score"] == pytest.approx((1300 + 480 + 240) / 24)
    assert pts.loc["U1", "share_excellent"] == pytest.approx(13 / 24) and pts.loc["U1", "n_votes"] == 24
    assert np.isnan(pts.loc["U2", "score"]) and pts.loc["U2", "status"] == "below_min_voters"  # 4 votes
    share = vote_scores(VOTES, VoteRule(rule="share", share_of=("excellent",))).set_index("unit_id")
    assert share.loc["U1", "score"] == pytest.approx(100 * 13 / 24)  # 优秀率
    weighted = vote_scores(VOTES, VoteRule(voter_weights={"leaders": 0.5, "staff": 0.5})).set_index("unit_id")
    leaders, staff = (300 + 80 + 60) / 5, (1000 + 400 + 180) / 19
    assert weighted.loc["U1", "score"] == pytest.approx((leaders + staff) / 2)
    # a voter group below the minimum is left out of a weighted score
    few = VOTES.assign(excellent=[1, 10, 1, 0], competent=[1, 5, 1, 0], basically_competent=[0, 3, 0, 1])
    w = vote_scores(few, VoteRule(voter_weights={"leaders": 0.5, "staff": 0.5})).set_index("unit_id")
    assert w.loc["U1", "groups_used"] == 1 and w.loc["U1", "score"] == pytest.approx(staff)


def test_vote_score_indicator(sample_dataset):
    out = vote_score(sample_dataset, YEAR)
    assert list(out.columns) == OUTPUT_COLUMNS and (out["status"] == "ok").all()
    v = sample_dataset.table("votes", YEAR)
    d01 = v[v["unit_id"] == "D01"][["excellent", "competent", "basically_competent", "incompetent"]].sum()
    by_hand = (d01 * [100, 80, 60, 0]).sum() / d01.sum()
    row = out.set_index("unit_id").loc["D01"]
    assert row["value"] == pytest.approx(by_hand) and row["n"] == d01.sum()


def responses(unit: str, good: int, n: int, strata: list[str] | None = None) -> pd.DataFrame:
    answers = ["satisfied"] * good + ["dissatisfied"] * (n - good)
    return pd.DataFrame({"response_id": [f"{unit}{i}" for i in range(n)], "unit_id": unit, "question": "overall",
                         "answer": answers, "stratum": strata if strata is not None else ["居民"] * n})


def test_wilson_interval_newcombe_1998():
    r = pd.concat([responses("A", 81, 263), responses("B", 15, 148)])
    out = satisfaction_rates(r).set_index("unit_id")
    assert out.loc["A", ["ci_low", "ci_high"]].round(2).tolist() == [25.53, 36.62]
    assert out.loc["B", ["ci_low", "ci_high"]].round(2).tolist() == [6.24, 16.05]
    assert out.loc["A", "rate"] == pytest.approx(100 * 81 / 263) and out.loc["A", "method"] == "unweighted"


def test_post_stratification():
    # 10 enterprises (8 satisfied), 30 residents (15 satisfied); population 50/50
    strata = ["企业"] * 10 + ["居民"] * 30
    answers = ["satisfied"] * 8 + ["dissatisfied"] * 2 + ["satisfied"] * 15 + ["dissatisfied"] * 15
    r = pd.DataFrame({"response_id": range(40), "unit_id": "A", "question": "overall", "answer": answers,
                      "stratum": strata})
    r = pd.concat([r, pd.DataFrame({"response_id": [98, 99], "unit_id": "A", "question": "overall",
                                    "answer": "satisfied", "stratum": [np.nan, "其他"]})])
    out = satisfaction_rates(r, SurveyPolicy(stratum_shares={"企业": 0.5, "居民": 0.5})).iloc[0]
    assert out["rate"] == pytest.approx(100 * (0.5 * 0.8 + 0.5 * 0.5))
    assert out["n"] == 42 and out["n_unweighted_only"] == 2 and out["method"] == "post_stratified"
    assert out["rate_unweighted"] == pytest.approx(100 * 25 / 42)
    # Kish: weights 2 (×10) and 2/3 (×30): n_eff = 40² / (10·4 + 30·4/9)
    assert out["n_effective"] == pytest.approx(1600 / (40 + 120 / 9))
    assert out["ci_low"] < out["rate"] < out["ci_high"]


def test_effective_wilson_equals_the_stats_wilson_on_whole_counts():
    x = np.array([0, 1, 5, 29, 30]), np.array([30, 30, 30, 30, 30])
    lo, hi = _wilson_effective(x[0] / x[1], x[1].astype(float), 0.95)
    ref_lo, ref_hi = wilson_intervals(*x)
    np.testing.assert_allclose(lo, ref_lo, atol=1e-12)
    np.testing.assert_allclose(hi, ref_hi, atol=1e-12)


def test_small_units_are_suppressed_and_the_indicator_keeps_its_shape(sample_dataset):
    out = satisfaction_rates(responses("A", 3, 4)).iloc[0]
    assert out["status"] == "below_min_responses" and np.isnan(out["rate"]) and out["n"] == 4
    ind = survey_satisfaction_rate(sample_dataset, YEAR)
    assert list(ind.columns) == OUTPUT_COLUMNS and (ind["status"] == "ok").all()
    s = sample_dataset.table("survey_responses", YEAR)
    d01 = s[(s["unit_id"] == "D01") & (s["question"] == "overall")]
    good = d01["answer"].isin(["very_satisfied", "satisfied", "fairly_satisfied"]).sum()
    row = ind.set_index("unit_id").loc["D01"]
    assert row["value"] == pytest.approx(100 * good / len(d01)) and row["denominator"] == len(d01)
    weighted = survey_satisfaction_rate(sample_dataset, YEAR, policy=SurveyPolicy(stratum_shares={"企业": 0.5, "居民": 0.5}))
    assert not np.allclose(weighted["value"], ind["value"]) and weighted["numerator"].equals(ind["numerator"])


def test_survey_scores_on_a_ten_point_scale():
    r = pd.DataFrame({"unit_id": "A", "question": "overall",
                      "answer": ["very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied", "非常不满意"]})
    out = survey_scores(r, FIVE_LEVEL_10).iloc[0]
    assert out["score"] == pytest.approx((100 + 80 + 60 + 30 + 0) / 5) and out["status"] == "ok"
