"""Supervision tasks, deputies' proposals and major-project milestones on hand-made tables."""

import pytest

from evalkit.indicators import BY_CODE
from evalkit.indicators import followup as fu
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024
UNITS = ("D01", "D02", "D03")


# ---------------------------------------------------------------------------------------
# 督查事项按期办结率
# ---------------------------------------------------------------------------------------

def task(unit, assigned, due, completed=None):
    return {"unit_id": unit, "assigned_date": assigned, "due_date": due, "completed_date": completed,
            "source": "常务会议"}


def test_supervision_on_time_rate():
    ds = make_dataset(units=UNITS, tables={(Y, "supervision_tasks"): [
        task("D01", "2024-03-01", "2024-03-31", "2024-03-31"),   # S1 on the due date → on time
        task("D01", "2024-03-01", "2024-03-31", "2024-04-01"),   # S2 a day late
        task("D01", "2024-11-01", "2024-12-15"),                 # S3 open, past due at year end
        task("D01", "2024-12-01", "2025-01-31"),                 # S4 open, not yet due → left out
        task("D01", "2024-12-01", "2024-12-31"),                 # S5 open, due 31 Dec → 应办结
        task("D01", "2024-12-01", "2025-01-15", "2024-12-20"),   # S6 done early (due next year)
        task("D02", "2024-12-01", "2025-01-31"),                 # D02: only a task not yet due
    ]})
    out = fu.supervision_on_time_rate(ds, Y)
    assert_shape(out, list(UNITS))
    # D01 应办结: S1, S2, S3, S5, S6 = 5; on time: S1, S6 = 2 → 40 %.
    assert_row(out, "D01", 40.0, 2, 5, n=5)
    assert_no_data(out, "D02", n=0)
    assert_no_data(out, "D03")


# ---------------------------------------------------------------------------------------
# 建议提案按时办复率, 满意率
# ---------------------------------------------------------------------------------------

def proposal(unit, due, replied=None, satisfaction=None, kind="npc_suggestion"):
    return {"unit_id": unit, "kind": kind, "received_date": "2024-03-15", "due_date": due,
            "replied_date": replied, "satisfaction": satisfaction,
            "result_category": "A" if replied else None}


PROPOSALS = [
    proposal("D01", "2024-06-30", "2024-06-30", "satisfied"),                 # P1 on the deadline
    proposal("D01", "2024-06-30", "2024-07-01", "fairly_satisfied", "cppcc_proposal"),  # P2 late
    proposal("D01", "2024-09-30", None),                                      # P3 unanswered, overdue
    proposal("D01", "2025-03-31", "2024-12-10", "dissatisfied"),              # P4 early, deadline next year
    proposal("D01", "2025-03-31", None),                                      # P5 not yet due
    proposal("D02", "2024-06-30", "2024-06-20", None),                        # D02: no feedback yet
]


@pytest.fixture(scope="module")
def proposals_ds():
    return make_dataset(units=UNITS, tables={(Y, "proposals"): PROPOSALS})


def test_proposal_on_time_rate(proposals_ds):
    out = fu.proposal_on_time_rate(proposals_ds, Y)
    # D01 应办复: P1, P2, P3, P4 = 4 (P5 not yet due); on time: P1, P4 = 2 → 50 %.
    assert_row(out, "D01", 50.0, 2, 4, n=4)
    assert_row(out, "D02", 100.0, 1, 1, n=1)
    assert_no_data(out, "D03")


def test_proposal_satisfaction_rate(proposals_ds):
    out = fu.proposal_satisfaction_rate(proposals_ds, Y)
    # D01 feedback: satisfied, fairly satisfied, dissatisfied = 3; good 2 → 66.67 %.
    assert_row(out, "D01", 100.0 * 2 / 3, 2, 3, n=3)
    # D02 replied but no feedback → no data (not 0 %).
    assert_no_data(out, "D02")
    assert_no_data(out, "D03")


# ---------------------------------------------------------------------------------------
# Major projects: milestone on-time rate, SPI, CPI
# ---------------------------------------------------------------------------------------

def milestone(pid, no, planned, actual, cost, actual_cost):
    return {"project_id": pid, "milestone_no": no, "planned_date": planned, "actual_date": actual,
            "planned_cost_yuan": cost, "actual_cost_yuan": actual_cost, "name_zh": f"节点{no}"}


PROJECT_TABLES = {
    (Y, "projects"): [
        {"project_id": "PJ1", "unit_id": "D01", "name_zh": "项目一", "total_budget_yuan": 2000},
        {"project_id": "PJ2", "unit_id": "D01", "name_zh": "项目二", "total_budget_yuan": 1500},
        {"project_id": "PJ3", "unit_id": "D02", "name_zh": "项目三", "total_budget_yuan": 1000},
    ],
    (Y, "project_milestones"): [
        milestone("PJ1", 1, "2024-03-31", "2024-03-31", 100, 120),     # on the planned date
        milestone("PJ1", 2, "2024-06-30", "2024-07-15", 200, 180),     # late, reached
        milestone("PJ1", 3, "2024-12-31", None, 300, None),            # not reached
        milestone("PJ2", 1, "2024-09-30", "2024-09-01", 400, 350),     # early
        milestone("PJ2", 2, "2024-12-15", "2025-01-10", 500, 450),     # reached only next year
        milestone("PJ2", 3, "2024-10-31", "2024-10-31", 100, None),    # reached, cost not reported
        milestone("PJ3", 1, "2024-05-31", "2024-05-20", 1000, 1250),
    ],
}


@pytest.fixture(scope="module")
def projects_ds():
    return make_dataset(units=UNITS, tables=PROJECT_TABLES)


def test_milestone_on_time_rate(projects_ds):
    out = fu.milestone_on_time_rate(projects_ds, Y)
    assert_shape(out, list(UNITS))
    # D01 (lead of PJ1, PJ2): 6 milestones planned in 2024; reached by the planned date:
    # PJ1-1 (same day), PJ2-1 (early), PJ2-3 (same day) = 3 → 50 %.
    assert_row(out, "D01", 50.0, 3, 6, n=6)
    assert_row(out, "D02", 100.0, 1, 1, n=1)
    # D03 leads no project → no data.
    assert_no_data(out, "D03")


def test_schedule_performance_index(projects_ds):
    out = fu.project_schedule_performance(projects_ds, Y)
    assert BY_CODE["project_schedule_performance"].unit == "指数"
    # D01: PV = Σ planned cost of milestones planned by 31 Dec = 100 + 200 + 300 + 400 + 500
    #      + 100 = 1,600; EV = planned cost of those reached by 31 Dec = 100 + 200 + 400 + 100
    #      = 800 (PJ2-2 reached in January 2025 does not count) → SPI = 800 / 1,600 = 0.5
    #      (an index, not a percentage); n = 6 milestones.
    assert_row(out, "D01", 0.5, 800, 1600, n=6)
    # D02: EV 1,000 / PV 1,000 = 1.0 (on schedule).
    assert_row(out, "D02", 1.0, 1000, 1000, n=1)
    assert_no_data(out, "D03")


def test_cost_performance_index(projects_ds):
    out = fu.project_cost_performance(projects_ds, Y)
    # D01, milestones reached by 31 Dec with an actual cost: PJ1-1 (EV 100, AC 120), PJ1-2
    #      (200, 180), PJ2-1 (400, 350); PJ2-3 has no actual cost, PJ2-2 was reached in 2025.
    #      CPI = EV / AC = 700 / 650 = 1.0769 (under budget); n = 3.
    assert_row(out, "D01", 700 / 650, 700, 650, n=3)
    # D02: 1,000 / 1,250 = 0.8 (over budget).
    assert_row(out, "D02", 0.8, 1000, 1250, n=1)
    assert_no_data(out, "D03")


def test_project_indicators_with_nothing_reached():
    ds = make_dataset(units=("D01",), tables={
        (Y, "projects"): PROJECT_TABLES[(Y, "projects")][:1],
        (Y, "project_milestones"): [milestone("PJ1", 3, "2024-12-31", None, 300, None)]})
    # Planned but not reached: milestone rate 0 %, SPI 0 (real zeros); CPI has no reached
    # milestone → no data.
    assert_row(fu.milestone_on_time_rate(ds, Y), "D01", 0.0, 0, 1, n=1)
    assert_row(fu.project_schedule_performance(ds, Y), "D01", 0.0, 0, 300, n=1)
    assert_no_data(fu.project_cost_performance(ds, Y), "D01")


@pytest.mark.parametrize("code", ["supervision_on_time_rate", "proposal_on_time_rate",
                                  "proposal_satisfaction_rate", "milestone_on_time_rate",
                                  "project_schedule_performance", "project_cost_performance"])
def test_absent_tables_give_no_data(code):
    out = BY_CODE[code](make_dataset(units=("D01", "S01")), Y)
    assert_no_data(out, "D01")
    assert_no_data(out, "S01")
