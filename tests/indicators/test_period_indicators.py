"""Indicators of a month, a quarter or the year to date, worked out by hand (docs/periods.md).

Working days of 2024 around National Day (国办发明电〔2023〕7号): 1–7 October are holidays,
Sunday 29 September and Saturday 12 October are make-up working days (调休). The day of
receipt is day 0. So a case received on Wednesday 25 September with a 5-working-day limit
is due on 8 October (26, 27, 29, 30 September, 8 October); one received on Tuesday
24 September is due on Monday 30 September (25, 26, 27, 29, 30 — the make-up Sunday counts);
one received on Friday 20 September is due on Friday 27 September.
"""

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.indicators import compute_indicators
from evalkit.indicators.catalogue import BY_CODE, annual_only_codes
from evalkit.periods import parse_period
from evalkit.scoring.framework import parse_framework
from evalkit.scoring.model import NOT_IN_PERIOD_REASON, period_not_assessed, scoring_model
from evalkit.errors import FrameworkError
from indicator_kit import make_dataset, row_of

Y = 2024
Q3 = parse_period("2024Q3")


def case(received, completed=None, limit=5, rating=None):
    return {"unit_id": "D01", "received_date": received, "promised_limit_days": limit,
            "statutory_limit_days": 20, "completed_date": completed, "channel": "offline",
            "instant": False, "rating": rating}


CASES = [
    case("2024-09-25"),                    # a) open, due 8 October: not yet due at 30 September
    case("2024-09-20"),                    # b) open, due 27 September: late at the Q3 cut-off
    case("2024-09-24"),                    # c) open, due 30 September (the make-up Sunday): late
    case("2024-09-25", "2024-10-08", rating="satisfied"),  # d) completed after the Q3 cut-off
    case("2024-06-28", "2024-07-01"),      # e) received in Q2: not a case of Q3
    case("2024-07-01", "2024-07-03", rating="dissatisfied"),  # f) on time
]


def on_time(period):
    ds = make_dataset(units=("D01",), tables={(Y, "service_cases"): CASES})
    out = compute_indicators(ds, period, ["service_on_time_rate", "service_rating_participation_rate",
                                          "service_good_rating_rate"])
    return {code: row_of(out[out["indicator"] == code], "D01") for code in out["indicator"].unique()}


def test_a_case_not_yet_due_at_the_cutoff_is_not_late():
    r = on_time(Q3)["service_on_time_rate"]
    # in Q3: a, b, c, d, f; due: b, c (late) and f (on time); a and d are not yet due — d's
    # completion on 8 October has not happened at 30 September
    assert (r["numerator"], r["denominator"], r["n"]) == (1, 3, 3)
    assert r["value"] == pytest.approx(100 / 3)


def test_the_holiday_week_counts_for_the_year_to_date_through_october():
    r = on_time(parse_period("2024-YTD-10"))["service_on_time_rate"]
    # every case; d took 5 working days (26, 27, 29, 30 September, 8 October): on time;
    # a is due 8 October and still open on 31 October: late
    assert (r["numerator"], r["denominator"]) == (3, 6)


def test_a_plain_year_is_unchanged():
    assert on_time(Y)["service_on_time_rate"]["value"] == pytest.approx(50.0)


def test_a_rating_given_after_the_cutoff_is_not_known_yet():
    r = on_time(Q3)
    # rated in Q3: f only (d's rating comes with its completion on 8 October)
    assert (r["service_rating_participation_rate"]["numerator"],
            r["service_rating_participation_rate"]["denominator"]) == (1, 5)
    assert r["service_good_rating_rate"]["value"] == 0.0


def test_a_month_keeps_only_its_records():
    r = on_time(parse_period("2024-07"))["service_on_time_rate"]
    assert (r["numerator"], r["denominator"]) == (1, 1)  # f alone; e was received in June


def ticket(dispatched, due, closed=None, satisfaction=None):
    return {"unit_id": "D01", "dispatched_at": dispatched, "due_at": due, "closed_at": closed,
            "callback_satisfaction": satisfaction}


def test_hotline_deadline_at_the_cutoff():
    tickets = [ticket("2024-09-26 09:00", "2024-09-27 18:00"),                   # open, past due: late
               ticket("2024-09-29 09:00", "2024-10-08 18:00", "2024-10-02 10:00", "satisfied"),  # not due yet
               ticket("2024-09-10 09:00", "2024-09-15 18:00", "2024-09-12 10:00", "satisfied")]
    ds = make_dataset(units=("D01",), tables={(Y, "hotline_tickets"): tickets})
    out = compute_indicators(ds, Q3, ["hotline_on_time_rate", "hotline_satisfaction_rate"])
    t = row_of(out[out["indicator"] == "hotline_on_time_rate"], "D01")
    assert (t["numerator"], t["denominator"]) == (1, 2)
    s = row_of(out[out["indicator"] == "hotline_satisfaction_rate"], "D01")
    assert (s["numerator"], s["denominator"]) == (1, 1)  # the 2 October callback is not known yet


def test_year_over_year_compares_the_same_months():
    lines = []
    for year, spend in ((2023, 100.0), (2024, 90.0)):
        for month in range(1, 13):
            lines.append({"unit_id": "D01", "month": month, "line": "three_public", "budget_yuan": 5000.0,
                          "adjustment_yuan": 0.0,
                          "spending_yuan": spend * (3 if month >= 10 else 1)})  # an autumn rush
    ds = make_dataset(units=("D01",), tables={(2023, "budget_lines"): [r for r in lines[:12]],
                                              (2024, "budget_lines"): [r for r in lines[12:]]})
    q3 = row_of(compute_indicators(ds, Q3, ["three_public_change_rate"]), "D01")
    assert (q3["numerator"], q3["denominator"]) == (-30.0, 300.0)  # Q3 2024 against Q3 2023
    q4 = row_of(compute_indicators(ds, parse_period("2024Q4"), ["three_public_change_rate"]), "D01")
    assert q4["denominator"] == 900.0


def test_budget_schedule_is_cumulative_from_january_in_a_quarter():
    lines = [{"unit_id": "D01", "month": m, "line": "basic", "budget_yuan": 1200.0, "adjustment_yuan": 0.0,
              "spending_yuan": 100.0} for m in range(1, 13)]
    ds = make_dataset(units=("D01",), tables={(Y, "budget_lines"): lines})
    path = compute_indicators(ds, Q3, ["budget_execution_path"], include_periodic=True)
    ok = path[path["status"] == "ok"]
    assert ok["period"].tolist() == [7, 8, 9]
    assert ok["value"].tolist() == pytest.approx([700 / 12, 800 / 12, 900 / 12])  # on 序时进度 exactly


def test_annual_only_indicators_are_not_computed_in_a_period():
    assert {"rating_score", "vote_score", "survey_satisfaction_rate", "staffing_control_rate",
            "proactive_disclosure_rate", "key_task_score"} <= annual_only_codes()
    assert "service_on_time_rate" not in annual_only_codes()
    ds = make_dataset(units=("D01",), tables={(Y, "staffing"): [{"unit_id": "D01", "authorised_posts": 10,
                                                                 "staff_in_post": 9}]})
    year = row_of(compute_indicators(ds, Y, ["staffing_control_rate"]), "D01")
    period = row_of(compute_indicators(ds, Q3, ["staffing_control_rate"]), "D01")
    assert year["value"] == 90.0 and year["status"] == "ok"
    assert math.isnan(period["value"]) and period["status"] == "annual_only" and period["n"] == 0


def test_an_unresolved_year_to_date_is_refused_by_name():
    ds = make_dataset(units=("D01",), tables={(Y, "service_cases"): CASES})
    with pytest.raises(Exception, match="2024-YTD"):
        compute_indicators(ds, parse_period("2024-YTD"), ["service_on_time_rate"])


# ---------------------------------------------------------------------------------------
# Period scoring: annual-only leaves are not applicable, their points re-based
# ---------------------------------------------------------------------------------------

FRAMEWORK = {"code": "t", "version": "1", "nodes": [
    {"code": "A", "area": "efficiency", "children": [
        {"code": "A1", "indicator": "service_on_time_rate", "points": 60,
         "rule": {"type": "linear_band", "low": 0, "high": 100}},
        {"code": "A2", "indicator": "staffing_control_rate", "points": 40, "direction": -1,
         "rule": {"type": "linear_band", "low": 80, "high": 120}}]}]}


def _scored(period, framework=FRAMEWORK):
    ds = make_dataset(units=("D01",), tables={
        (Y, "service_cases"): CASES,
        (Y, "staffing"): [{"unit_id": "D01", "authorised_posts": 10, "staff_in_post": 10}]})
    totals, nodes = scoring_model(ds, parse_framework(framework), period).published()
    return totals.set_index("unit_id").loc["D01"], nodes.set_index("code")


def test_period_scoring_rebases_the_annual_only_leaf():
    unit, nodes = _scored(Q3)
    assert nodes.loc["A2", "status"] == "not_applicable"
    assert nodes.loc["A1", "status"] == "data"
    # A1 alone carries the unit: 60 × 33.3 % on 60 applicable points → 33.3 on the 0–100 scale
    assert unit["score_100"] == pytest.approx(100 / 3, abs=0.01)
    year_unit, year_nodes = _scored(Y)
    assert year_nodes.loc["A2", "status"] == "data"


def test_framework_periods_option_overrides_the_catalogue():
    doc = dict(FRAMEWORK, periods={"assess_in_period": ["staffing_control_rate"]})
    _, nodes = _scored(Q3, doc)
    assert nodes.loc["A2", "status"] == "data"
    fw = parse_framework(dict(FRAMEWORK, periods={"annual_only": ["service_on_time_rate"]}))
    assert fw.periods.not_assessed({"service_on_time_rate", "staffing_control_rate"}) == {
        "service_on_time_rate", "staffing_control_rate"}
    units = pd.DataFrame({"unit_id": ["D01", "D02"]})
    cells = period_not_assessed(fw, units, Q3)
    assert len(cells) == 4 and set(cells["reason"]) == {NOT_IN_PERIOD_REASON[0]}
    assert period_not_assessed(fw, units, Y).empty


@pytest.mark.parametrize("periods, match", [
    ({"annual_only": ["no_such_indicator"]}, "indicator codes of the catalogue"),
    ({"anual_only": ["rating_score"]}, "did you mean"),
    ({"annual_only": ["rating_score"], "assess_in_period": ["rating_score"]}, "not both"),
    ("rating_score", "a mapping"),
])
def test_framework_periods_option_is_checked(periods, match):
    with pytest.raises(FrameworkError, match=match):
        parse_framework(dict(FRAMEWORK, periods=periods))


def test_every_annual_only_default_reads_an_annual_table_or_says_so():
    for code in annual_only_codes():
        ind = BY_CODE[code]
        assert ind.annual_only is True or ind.annual_only is None
    assert np.all([not BY_CODE[c].periodic for c in annual_only_codes()])
