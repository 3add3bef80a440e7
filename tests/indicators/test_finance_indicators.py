"""Public-funds indicators (财政资金使用) on hand-made budget, audit and case tables.

Amounts are small round numbers in yuan so that every answer can be checked by hand.
"""

import numpy as np
import pytest

from evalkit.indicators import BY_CODE
from evalkit.indicators import finance as fin
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset, row_of

Y = 2024


def lines(unit, line, budget, spending, adjustments=None, months=range(1, 13)):
    """Monthly rows of one budget line; ``spending`` a number (every month) or 12 numbers."""
    spend = [spending] * 12 if np.isscalar(spending) else list(spending)
    adj = adjustments or {}
    return [{"unit_id": unit, "month": m, "line": line, "budget_yuan": budget,
             "adjustment_yuan": adj.get(m, 0.0), "spending_yuan": spend[m - 1]} for m in months]


# D01: basic 1,200 (100 a month); project 600, +120 added in June, spent 100 a month
# June–November; 三公 60 (5 a month).
D01 = (lines("D01", "basic", 1200, 100)
       + lines("D01", "project", 600, [0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 100, 0], {6: 120})
       + lines("D01", "three_public", 60, 5))
# D02: one line of 1,000 cut by 50 in March; 76 a month.
D02 = lines("D02", "basic", 1000, 76, {3: -50})
# S01: a zero budget, nothing spent.
S01 = lines("S01", "basic", 0, 0)


@pytest.fixture(scope="module")
def budget_ds():
    return make_dataset(units=("D01", "D02", "D03", "S01"), tables={(Y, "budget_lines"): D01 + D02 + S01})


# ---------------------------------------------------------------------------------------
# Year-end execution, completion, adjustment
# ---------------------------------------------------------------------------------------

def test_budget_execution_rate(budget_ds):
    out = fin.budget_execution_rate(budget_ds, Y)
    assert_shape(out, ["D01", "D02", "D03", "S01"])
    # D01: spent 1,200 + 600 + 60 = 1,860; available = (1,200 + 600 + 60) + 120 = 1,980
    #      → 1,860 / 1,980 = 93.94 %; n = 3 lines × 12 months = 36 rows.
    assert_row(out, "D01", 100.0 * 1860 / 1980, 1860, 1980, n=36)
    # D02: spent 12 × 76 = 912; available 1,000 − 50 = 950 → 96 %.
    assert_row(out, "D02", 96.0, 912, 950, n=12)
    # D03: no budget lines → no data.
    assert_no_data(out, "D03")
    # S01: nothing available → no data (not 0 % or 100 %); its 12 rows are counted.
    assert_no_data(out, "S01", n=12)


def test_budget_completion_rate(budget_ds):
    # Without carried-over funds it is year-end execution: the same numbers.
    out = fin.budget_completion_rate(budget_ds, Y)
    assert_row(out, "D01", 100.0 * 1860 / 1980, 1860, 1980, n=36)
    assert_row(out, "D02", 96.0, 912, 950, n=12)
    assert_no_data(out, "D03")
    assert_no_data(out, "S01", n=12)


def test_budget_adjustment_rate_lower_is_better(budget_ds):
    assert BY_CODE["budget_adjustment_rate"].direction == -1
    out = fin.budget_adjustment_rate(budget_ds, Y)
    # D01: +120 / 1,860 = 6.45 %.
    assert_row(out, "D01", 100.0 * 120 / 1860, 120, 1860, n=36)
    # D02: −50 / 1,000 = −5 % (a net cut).
    assert_row(out, "D02", -5.0, -50, 1000, n=12)
    assert_no_data(out, "D03")
    assert_no_data(out, "S01", n=12)   # initial budget 0: no rate


# ---------------------------------------------------------------------------------------
# Monthly path against 序时进度, and the lag
# ---------------------------------------------------------------------------------------

def test_budget_execution_path_twelve_months_with_schedule(budget_ds):
    out = fin.budget_execution_path(budget_ds, Y)
    assert BY_CODE["budget_execution_path"].periodic
    assert len(out) == 4 * 12
    assert {"period", "schedule", "deviation"} <= set(out.columns)
    d01 = out[out["unit_id"] == "D01"].reset_index(drop=True)
    assert d01["period"].tolist() == list(range(1, 13))
    # 序时进度 = m / 12 × 100 %.
    assert np.allclose(d01["schedule"], [100.0 * m / 12 for m in range(1, 13)])
    # Cumulative spending: months 1–5: 105 m (100 + 5); months 6–11: 100 m + 100 (m − 5)
    # + 5 m = 205 m − 500; month 12: 1,860.
    cum = [105, 210, 315, 420, 525, 730, 935, 1140, 1345, 1550, 1755, 1860]
    # Available: 1,860 until May, 1,980 from June (+120 adjusted in June).
    avail = [1860] * 5 + [1980] * 7
    expected = [100.0 * c / a for c, a in zip(cum, avail)]
    assert np.allclose(d01["numerator"], cum)
    assert np.allclose(d01["denominator"], avail)
    assert np.allclose(d01["value"], expected)
    assert np.allclose(d01["deviation"], [e - 100.0 * m / 12 for e, m in zip(expected, range(1, 13))])
    assert (d01["status"] == "ok").all() and (d01["n"] == 1).all()
    # Spot checks by hand: May 525 / 1,860 = 28.23 % against 41.67 % → −13.44 pp;
    # June 730 / 1,980 = 36.87 % against 50 % → −13.13 pp; December 93.94 % → −6.06 pp.
    may, june, dec = (row_of(out, "D01", period=m) for m in (5, 6, 12))
    assert may["value"] == pytest.approx(28.2258, abs=1e-4) and may["deviation"] == pytest.approx(-13.4409, abs=1e-4)
    assert june["value"] == pytest.approx(36.8687, abs=1e-4) and june["deviation"] == pytest.approx(-13.1313, abs=1e-4)
    assert dec["value"] == pytest.approx(93.9394, abs=1e-4) and dec["deviation"] == pytest.approx(-6.0606, abs=1e-4)
    # D03 (no lines): twelve no-data months, n 0; S01 (zero budget): no data either.
    for unit in ("D03", "S01"):
        rows = out[out["unit_id"] == unit]
        assert len(rows) == 12 and (rows["status"] == "no_data").all()
        assert rows["value"].isna().all() and rows["deviation"].isna().all() and (rows["n"] == 0).all()


def lag_ds():
    return make_dataset(units=("S01", "D05", "D06", "S02", "D03"), tables={(Y, "budget_lines"):
        # S01 back-loaded: 50 a month Jan–Jun, 150 a month Jul–Dec (budget 1,200).
        lines("S01", "basic", 1200, [50] * 6 + [150] * 6)
        # D05 ahead early, then behind: 300 in January, nothing until 900 in December.
        + lines("D05", "basic", 1200, [300] + [0] * 10 + [900])
        # D06 exactly on schedule: 100 a month.
        + lines("D06", "basic", 1200, 100)
        # S02 reported January–June only (on schedule).
        + lines("S02", "basic", 1200, 100, months=range(1, 7))})


def test_budget_schedule_lag_lower_is_better():
    assert BY_CODE["budget_schedule_lag"].direction == -1 and BY_CODE["budget_schedule_lag"].unit == "pp"
    out = fin.budget_schedule_lag(lag_ds(), Y)
    # S01: cumulative 50, 100, …, 300 (Jun), 450, 600, 750, 900, 1,050, 1,200 → execution
    #      4.17, 8.33, 12.5, 16.67, 20.83, 25, 37.5, 50, 62.5, 75, 87.5, 100 % against
    #      8.33, 16.67, …, 100 % → shortfalls in units of 100/24 pp: 1, 2, 3, 4, 5, 6, 5, 4,
    #      3, 2, 1, 0 = 36 → 36 × 100/24 = 150 pp over 12 months → mean 12.5 pp.
    assert_row(out, "S01", 12.5, None, None, n=12)
    # D05: 25 % executed Jan–Nov, 100 % in Dec. Against 序时: Jan +16.67, Feb +8.33 (ahead:
    #      count 0), Mar 0, Apr −8.33, …, Nov −66.67, Dec 0 → shortfalls 8.33 × (1 + … + 8)
    #      = 300 pp → mean 25 pp. (Letting the ahead months offset would give 275 / 12 = 22.92.)
    assert_row(out, "D05", 25.0, None, None, n=12)
    # D06: on schedule every month → 0 pp (a real 0, status ok).
    assert_row(out, "D06", 0.0, None, None, n=12)
    # S02: six reported months, all on schedule → 0 over n = 6 months.
    assert_row(out, "S02", 0.0, None, None, n=6)
    assert_no_data(out, "D03")


def test_budget_execution_path_missing_months_are_no_data():
    out = fin.budget_execution_path(lag_ds(), Y)
    s02 = out[out["unit_id"] == "S02"].set_index("period")
    assert (s02.loc[1:6, "status"] == "ok").all()
    assert np.allclose(s02.loc[1:6, "value"], [100.0 * m / 12 for m in range(1, 7)])
    assert (s02.loc[7:12, "status"] == "no_data").all() and s02.loc[7:12, "value"].isna().all()
    # D05 in February: 300 / 1,200 = 25 % against 16.67 % → +8.33 pp (ahead).
    assert row_of(out, "D05", period=2)["deviation"] == pytest.approx(25.0 - 100.0 * 2 / 12)


# ---------------------------------------------------------------------------------------
# 三公经费变动率 (needs the previous year)
# ---------------------------------------------------------------------------------------

def three_public_tables():
    return {
        (2023, "budget_lines"): (lines("D01", "three_public", 150, 10) + lines("D01", "basic", 1200, 100)
                                 + lines("D03", "three_public", 80, 5)
                                 + lines("D04", "three_public", 10, 0)),
        (2024, "budget_lines"): (lines("D01", "three_public", 150, 9) + lines("D01", "basic", 2400, 200)
                                 + lines("D02", "three_public", 50, 4)
                                 + lines("D03", "three_public", 80, 5.5)
                                 + lines("D04", "three_public", 20, 10)),
    }


def test_three_public_change_rate():
    assert BY_CODE["three_public_change_rate"].direction == -1
    ds = make_dataset(units=("D01", "D02", "D03", "D04", "D05"), tables=three_public_tables())
    out = fin.three_public_change_rate(ds, Y)
    assert_shape(out, ["D01", "D02", "D03", "D04", "D05"])
    # D01: 三公 2023 = 12 × 10 = 120; 2024 = 12 × 9 = 108 → (108 − 120) / 120 = −10 % (the
    #      basic line, which doubled, is not 三公).
    assert_row(out, "D01", -10.0, -12, 120, n=1)
    # D02: no 2023 三公 line → no data.
    assert_no_data(out, "D02")
    # D03: 60 → 66 → +10 %.
    assert_row(out, "D03", 10.0, 6, 60, n=1)
    # D04: nothing spent in 2023 → the change has no base → no data.
    assert_no_data(out, "D04", n=1)
    assert_no_data(out, "D05")


def test_three_public_change_rate_without_previous_year_loaded():
    # Only 2024 loaded (e.g. `--year 2024` on a directory without 2023): no data at all.
    ds = make_dataset(units=("D01", "D03"), tables={(2024, "budget_lines"): three_public_tables()[(2024, "budget_lines")]})
    out = fin.three_public_change_rate(ds, Y)
    assert_no_data(out, "D01")
    assert_no_data(out, "D03")


# ---------------------------------------------------------------------------------------
# 审计问题整改率
# ---------------------------------------------------------------------------------------

def finding(fid, unit):
    return {"finding_id": fid, "unit_id": unit, "found_date": "2024-05-10", "amount_yuan": 1000.0}


def rect(rid, unit, fid, status, source="audit", opened="2024-06-01", closed=None):
    return {"rectification_id": rid, "unit_id": unit, "source": source, "finding_id": fid,
            "opened_date": opened, "deadline": opened[:4] + "-12-31", "status": status,
            "closed_date": closed}


AUDIT = {
    (2024, "audit_findings"): [finding("F1", "D01"), finding("F2", "D01"), finding("F3", "D01"),
                               finding("F4", "D02")],
    (2024, "rectifications"): [
        rect("R1", "D01", "F1", "closed", closed="2024-09-30"),        # F1 rectified
        rect("R2", "D01", "F2", "in_progress"),                         # F2 still open
        rect("R3", "D01", "F3", "closed", source="supervision", closed="2024-08-01"),  # not an audit item
    ],
    (2025, "rectifications"): [
        rect("R4", "D01", "F3", "closed", opened="2025-01-10", closed="2025-02-28"),  # F3, next year
    ],
}


def test_audit_rectification_rate_counts_items_closed_in_any_loaded_year():
    ds = make_dataset(units=("D01", "D02", "D03"), tables=AUDIT)
    assert ds.years == (2024, 2025)
    out = fin.audit_rectification_rate(ds, Y)
    # D01: F1 (closed 2024) and F3 (closed in the 2025 folder) of F1–F3 → 2 / 3.
    #      The supervision item R3 does not rectify the audit finding F3.
    assert_row(out, "D01", 100.0 * 2 / 3, 2, 3, n=3)
    # D02: F4 has no rectification → 0 / 1 = 0 % (a real 0).
    assert_row(out, "D02", 0.0, 0, 1, n=1)
    # D03: no finding → no data (not 100 %).
    assert_no_data(out, "D03")


def test_audit_rectification_rate_with_only_the_year_loaded():
    tables = {k: v for k, v in AUDIT.items() if k[0] == 2024}
    out = fin.audit_rectification_rate(make_dataset(units=("D01", "D02", "D03"), tables=tables), Y)
    # Without the 2025 folder only F1 is rectified: 1 / 3.
    assert_row(out, "D01", 100.0 / 3, 1, 3, n=3)


# ---------------------------------------------------------------------------------------
# 每件成本
# ---------------------------------------------------------------------------------------

def cost_tables():
    svc = [{"unit_id": u, "received_date": "2024-03-04", "statutory_limit_days": 10, "promised_limit_days": 5,
            "completed_date": done, "channel": "online", "instant": False}
           for u, done in [("D01", "2024-03-05"), ("D01", "2024-03-06"), ("D01", "2024-03-07"),
                           ("D01", None), ("D03", "2024-03-05"), ("D03", "2024-03-06")]]
    tickets = [{"unit_id": "D01", "dispatched_at": "2024-04-01 09:00", "due_at": "2024-04-08 09:00",
                "closed_at": closed} for closed in ("2024-04-02 10:00", "2024-04-03 10:00", None)]
    grid_rows = [{"unit_id": "D01", "opened_date": "2024-05-06", "due_date": "2024-05-08",
                  "closed_date": closed, "reworked": False, "extended": False}
                 for closed in ("2024-05-07", None)]
    budget = (lines("D01", "basic", 12000, 1000) + lines("D01", "project", 6000, 500)
              + lines("D02", "basic", 5000, [5000] + [0] * 11))
    return {(Y, "service_cases"): svc, (Y, "hotline_tickets"): tickets, (Y, "grid_cases"): grid_rows,
            (Y, "budget_lines"): budget}


def test_cost_per_case():
    assert BY_CODE["cost_per_case"].direction == -1
    ds = make_dataset(units=("D01", "D02", "D03", "D04"), tables=cost_tables())
    out = fin.cost_per_case(ds, Y)
    assert_shape(out, ["D01", "D02", "D03", "D04"])
    # D01: spending 12 × 1,000 + 12 × 500 = 18,000; handled = 3 completed service cases
    #      + 2 closed tickets + 1 closed grid case = 6 (pending/open ones left out)
    #      → 18,000 / 6 = 3,000 yuan per case.
    assert_row(out, "D01", 3000.0, 18000, 6, n=6)
    # D02: spends 5,000 but handles no case → no data.
    assert_no_data(out, "D02")
    # D03: handles 2 cases but has no budget lines → no data (not 0 yuan per case, which
    #      would make it the cheapest unit of the district).
    assert_no_data(out, "D03", n=2)
    assert_no_data(out, "D04")


def test_cost_per_case_without_budget_table_is_no_data():
    tables = {k: v for k, v in cost_tables().items() if k[1] != "budget_lines"}
    out = fin.cost_per_case(make_dataset(units=("D01", "D03"), tables=tables), Y)
    assert (out["status"] == "no_data").all() and out["value"].isna().all()


@pytest.mark.parametrize("code", ["budget_execution_rate", "budget_schedule_lag", "budget_completion_rate",
                                  "budget_adjustment_rate", "three_public_change_rate",
                                  "audit_rectification_rate", "cost_per_case"])
def test_absent_tables_give_no_data(code):
    out = BY_CODE[code](make_dataset(units=("D01", "S01")), Y)
    assert_no_data(out, "D01")
    assert_no_data(out, "S01")
