"""Each rule kernel on a small hand-made table, with hand-worked numerators and denominators."""

import numpy as np
import pandas as pd
import pytest

from evalkit.quality.rules import (budget_duplicated_months, control_limits, fields_filled, findings_rectified,
                                   instant_same_day, legal_pending_overdue, monthly_volume_limits, periods_present,
                                   ratings_eligible, submitted_on_time, time_of_day_recorded)
from quality_kit import YEAR, context, make_dataset, row


def _tickets(*rows):
    return [{"unit_id": u, "dispatched_at": d, "due_at": "2024-12-31 17:00:00", **extra} for u, d, extra in rows]


def test_fields_filled_counts_cells_of_the_listed_columns():
    ds = make_dataset(tables={(YEAR, "hotline_tickets"): _tickets(
        ("D01", "2024-03-01 09:00:00", {"category": "help"}),
        ("D01", "2024-03-01 10:00:00", {"category": "complaint"}),
        ("D01", "2024-03-02 09:00:00", {}),
        ("D01", "2024-03-03 09:00:00", {"category": "help"}))})
    out = fields_filled(context(ds), "hotline_tickets", columns=("category",))
    r = row(out, "D01")
    assert (r["numerator"], r["denominator"], r["examples"]) == (3, 4, [2])
    assert "D02" not in set(out["unit_id"])  # nothing to look at: no row
    two = fields_filled(context(ds), "hotline_tickets", columns=("category", "signed_at"))
    assert (row(two, "D01")["numerator"], row(two, "D01")["denominator"]) == (3, 8)


def _budget(unit, line, months, spending=lambda m: 100.0 * m):
    return [{"unit_id": unit, "month": m, "line": line, "budget_yuan": 5000.0, "adjustment_yuan": 0.0,
             "spending_yuan": spending(m)} for m in months]


def test_periods_present_expects_every_month_of_every_line_the_district_reports():
    rows = (_budget("D01", "basic", range(1, 13)) + _budget("D01", "project", range(1, 11))
            + _budget("D02", "basic", range(1, 13)))
    ds = make_dataset(tables={(YEAR, "budget_lines"): rows})
    out = periods_present(context(ds), "budget_lines")
    # two lines × 12 months = 24 expected
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"]) == (22, 24)
    assert row(out, "D01")["examples"] == ["month 11 (project)", "month 12 (project)"]
    assert (row(out, "D02")["numerator"], row(out, "D02")["denominator"]) == (12, 24)
    to_october = periods_present(context(ds, through_month=10), "budget_lines")
    assert (row(to_october, "D01")["numerator"], row(to_october, "D01")["denominator"]) == (20, 20)
    assert (row(to_october, "D02")["numerator"], row(to_october, "D02")["denominator"]) == (10, 20)


def test_a_unit_without_any_budget_row_has_none_of_the_months():
    ds = make_dataset(units=("D01", "D02"), tables={(YEAR, "budget_lines"): _budget("D01", "basic", range(1, 13))})
    out = periods_present(context(ds), "budget_lines")
    assert (row(out, "D02")["numerator"], row(out, "D02")["denominator"]) == (0, 12)


def _log(*rows):
    return pd.DataFrame([{"unit_id": u, "table": "budget_lines", "period": p, "deadline": pd.Timestamp(d),
                          "submitted_date": pd.Timestamp(s) if s else pd.NaT} for u, p, d, s in rows])


def test_submitted_on_time_counts_working_days_after_the_deadline():
    log = _log(("D01", "2024-08", "2024-10-08", "2024-10-08"),   # on the deadline day: on time
               ("D01", "2024-09", "2024-09-30", "2024-10-08"),   # (30 Sep, 8 Oct]: 1 working day (国庆)
               ("D02", "2024-08", "2024-09-06", "2024-09-02"),   # early
               ("D02", "2024-09", "2024-10-12", None))           # never submitted: late
    ds = make_dataset()
    out = submitted_on_time(context(ds, submissions=log))
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"], row(out, "D01")["examples"]) == (1, 2, [1])
    assert (row(out, "D02")["numerator"], row(out, "D02")["denominator"], row(out, "D02")["examples"]) == (1, 2, [3])
    graced = submitted_on_time(context(ds, submissions=log), grace_days=1)
    assert row(graced, "D01")["numerator"] == 2 and row(graced, "D02")["numerator"] == 1
    # the year to date through August: only the August reports
    august = submitted_on_time(context(ds, through_month=8, submissions=log))
    assert (row(august, "D01")["numerator"], row(august, "D01")["denominator"]) == (1, 1)
    assert submitted_on_time(context(ds, submissions=None))["denominator"].sum() == 0


def test_time_of_day_recorded_flags_values_at_exactly_midnight():
    ds = make_dataset(tables={(YEAR, "hotline_tickets"): _tickets(
        ("D01", "2024-03-01 00:00:00", {}), ("D01", "2024-03-01 09:15:00", {}),
        ("D02", "2024-03-01 00:00:01", {}))})
    out = time_of_day_recorded(context(ds), "hotline_tickets", column="dispatched_at")
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"], row(out, "D01")["examples"]) == (1, 2, [0])
    assert (row(out, "D02")["numerator"], row(out, "D02")["denominator"]) == (1, 1)
    signed = time_of_day_recorded(context(ds), "hotline_tickets", column="signed_at")
    assert signed["denominator"].sum() == 0  # no value given: nothing to look at


def _case(unit, received, completed, instant):
    return {"unit_id": unit, "received_date": received, "completed_date": completed, "instant": instant,
            "statutory_limit_days": 0 if instant else 20, "promised_limit_days": 0 if instant else 10,
            "channel": "offline"}


def test_instant_cases_are_completed_on_the_day_received():
    ds = make_dataset(tables={(YEAR, "service_cases"): [
        _case("D01", "2024-03-01", "2024-03-01", True),
        _case("D01", "2024-03-01", "2024-03-04", True),    # 即办件 completed 3 days later
        _case("D01", "2024-03-01", None, True),            # not completed: not looked at
        _case("D01", "2024-03-01", "2024-03-05", False)]})  # not instant: not looked at
    out = instant_same_day(context(ds))
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"], row(out, "D01")["examples"]) == (1, 2, [1])


def test_legal_reviews_pending_beyond_the_period_are_overdue():
    ds = make_dataset(tables={(YEAR, "legal_cases"): [
        {"unit_id": "D01", "kind": "review", "filed_date": "2024-03-04"},                       # 302 days
        {"unit_id": "D01", "kind": "review", "filed_date": "2024-11-15"},                       # 46 days
        {"unit_id": "D01", "kind": "litigation", "filed_date": "2024-01-05"},                   # not a review
        {"unit_id": "D01", "kind": "review", "filed_date": "2024-01-10", "concluded_date": "2024-02-20",
         "outcome": "upheld"}]})
    out = legal_pending_overdue(context(ds))
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"], row(out, "D01")["examples"]) == (2, 3, [0])
    strict = legal_pending_overdue(context(ds), days=30)
    assert row(strict, "D01")["numerator"] == 1
    both = legal_pending_overdue(context(ds), kinds=("review", "litigation"))
    assert (row(both, "D01")["numerator"], row(both, "D01")["denominator"]) == (2, 4)


def test_findings_need_a_rectification_item_of_the_same_unit():
    ds = make_dataset(tables={
        (YEAR, "audit_findings"): [{"finding_id": "F1", "unit_id": "D01", "found_date": "2024-04-01"},
                                   {"finding_id": "F2", "unit_id": "D01", "found_date": "2024-04-01"},
                                   {"finding_id": "F3", "unit_id": "D02", "found_date": "2024-05-01"}],
        (YEAR, "rectifications"): [
            {"unit_id": "D01", "source": "audit", "finding_id": "F1", "opened_date": "2024-04-02",
             "deadline": "2024-06-30", "status": "open"},
            {"unit_id": "D01", "source": "audit", "finding_id": "F3", "opened_date": "2024-05-02",
             "deadline": "2024-06-30", "status": "open"},   # F3 is D02's finding
            {"unit_id": "D02", "source": "complaint", "opened_date": "2024-05-02", "deadline": "2024-06-30",
             "status": "open"}]})
    out = findings_rectified(context(ds))
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"], row(out, "D01")["examples"]) == (1, 2, [1])
    assert (row(out, "D02")["numerator"], row(out, "D02")["denominator"]) == (0, 1)


def _rating(rater, unit):
    group = "peer" if rater == "R1" else "expert"
    return {"rater_id": rater, "rater_group": group, "unit_id": unit, "criterion": "overall", "score": 80.0}


def test_ratings_come_from_eligible_raters():
    raters = [{"rater_id": "R1", "rater_group": "peer", "own_unit_id": "D01"},
              {"rater_id": "R2", "rater_group": "expert", "term_end": "2023-12-31"},
              {"rater_id": "R3", "rater_group": "expert"}]
    ratings = [_rating("R1", "D01"), _rating("R1", "D02"), _rating("R2", "D02"), _rating("R3", "D01")]
    ds = make_dataset(tables={(None, "raters"): raters, (YEAR, "ratings"): ratings})
    out = ratings_eligible(context(ds))
    # D01: R1 rates its own unit (row 0), R3 counts; D02: R1 counts, R2's term ended in 2023 (row 2)
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"], row(out, "D01")["examples"]) == (1, 2, [0])
    assert (row(out, "D02")["numerator"], row(out, "D02")["denominator"], row(out, "D02")["examples"]) == (1, 2, [2])
    assigned = make_dataset(tables={(None, "raters"): raters, (YEAR, "ratings"): ratings,
                                    (YEAR, "rater_assignments"): [{"rater_id": "R1", "unit_id": "D02"},
                                                                  {"rater_id": "R2", "unit_id": "D02"}]})
    out = ratings_eligible(context(assigned))
    assert row(out, "D01")["numerator"] == 0  # R3 was not assigned D01
    assert row(out, "D02")["numerator"] == 1


def test_control_limits_by_hand():
    # every unit with the district's own pattern: residuals 0, MAD 0, spread 1 (the floor);
    # limits a⁻¹(a(100) ± 4) with a(x) = 2√(x + 3/8): a(100) = 20.0375
    counts = np.array([[100.0, 100.0, 100.0], [50.0, 50.0, 50.0]])
    expected, low, high = control_limits(counts, k=4.0)
    np.testing.assert_allclose(expected, counts)
    a = 2 * np.sqrt(100.375)
    assert low[0, 0] == pytest.approx(((a - 4) / 2) ** 2 - 0.375) == pytest.approx(63.925, abs=1e-3)
    assert high[0, 0] == pytest.approx(((a + 4) / 2) ** 2 - 0.375) == pytest.approx(144.075, abs=1e-3)


def test_a_seasonal_peak_shared_by_the_district_is_no_outlier():
    counts = np.array([[30.0] * 6 + [90.0] + [30.0] * 5, [60.0] * 6 + [180.0] + [60.0] * 5])
    expected, low, high = control_limits(counts)
    assert ((counts >= low) & (counts <= high)).all()


def _monthly_tickets(unit, per_month, skip_month=None):
    rows = []
    for month in range(1, 13):
        if month == skip_month:
            continue
        rows += _tickets(*[(unit, f"2024-{month:02d}-{1 + i % 28:02d} 09:{i % 60:02d}:00", {})
                           for i in range(per_month)])
    return rows


def test_monthly_volume_flags_a_month_missing_from_a_unit():
    ds = make_dataset(tables={(YEAR, "hotline_tickets"): _monthly_tickets("D01", 30, skip_month=8)
                              + _monthly_tickets("D02", 30)})
    out = monthly_volume_limits(context(ds), "hotline_tickets", column="dispatched_at")
    d01, d02 = row(out, "D01"), row(out, "D02")
    assert (d01["numerator"], d01["denominator"]) == (11, 12)
    assert d01["examples"][0].startswith("2024-08: 0 records (control limits")
    assert (d02["numerator"], d02["denominator"]) == (12, 12)
    # too few records a month to judge: not looked at
    few = monthly_volume_limits(context(ds), "hotline_tickets", column="dispatched_at", min_median=31)
    assert len(few) == 0


def test_monthly_volume_flat_lines_when_asked():
    ds = make_dataset(tables={(YEAR, "hotline_tickets"): _monthly_tickets("D01", 30)})
    out = monthly_volume_limits(context(ds), "hotline_tickets", column="dispatched_at", flat_run=3)
    assert row(out, "D01")["numerator"] == 0   # twelve equal months: one flat line
    assert row(monthly_volume_limits(context(ds), "hotline_tickets", column="dispatched_at"), "D01")["numerator"] == 12


def test_a_budget_month_copied_from_the_month_before():
    copied = {1: 100.0, 2: 200.0, 3: 200.0, 4: 400.0}
    rows = (_budget("D01", "basic", range(1, 5), copied.get) + _budget("D01", "project", range(1, 5), copied.get)
            + _budget("D02", "basic", range(1, 5), copied.get) + _budget("D02", "project", range(1, 5)))
    ds = make_dataset(tables={(YEAR, "budget_lines"): rows})
    out = budget_duplicated_months(context(ds))
    # D01: month 3 repeats month 2 on both lines (rows 2 and 6); D02: only the basic line does
    assert (row(out, "D01")["numerator"], row(out, "D01")["denominator"], row(out, "D01")["examples"]) == (2, 3, [2, 6])
    assert (row(out, "D02")["numerator"], row(out, "D02")["denominator"]) == (3, 3)
