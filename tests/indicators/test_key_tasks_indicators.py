"""Key tasks (重点工作任务, 个性指标): the ``key_task_score`` indicator hand-worked across a holiday
week with make-up working days, and the contract's checks of ``key_tasks`` and
``key_task_milestones``.

The 2024 National Day holiday (国务院办公厅关于2024年部分节假日安排的通知, 国办发明电〔2023〕7号):
1–7 October off; Sunday 29 September and Saturday 12 October are working days (调休). The
Mid-Autumn Festival (15–17 September off, Saturday 14 September worked) and the 2024 year end
(Monday 30 and Tuesday 31 December are working days) are used too.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.data.contract import TABLES
from evalkit.data.loading import read_csv
from evalkit.data.validation import check_table
from evalkit.data.workdays import working_days_between
from evalkit.indicators import BY_CODE
from evalkit.indicators import key_tasks as kt
from indicator_kit import assert_no_data, assert_shape, make_dataset

Y = 2024
UNITS = ("D01", "D02", "D03")


def task(tid, unit, points, completion, pct=None, done=None):
    return {"task_id": tid, "unit_id": unit, "title": f"任务{tid}", "category": "annual_goal",
            "points": points, "due_date": "2024-12-31", "acceptance": "按期完成并通过验收",
            "completion": completion, "completion_pct": pct, "completed_date": done,
            "assessed_by": "区委督查室"}


def stone(tid, name, planned, actual=None):
    return {"task_id": tid, "milestone": name, "planned_date": planned, "actual_date": actual}


TASKS = [
    task("T1", "D01", 3, "completed", done="2024-11-29"),
    task("T2", "D01", 2, "basically_completed"),
    task("T3", "D01", 5, "not_completed"),
    task("T4", "D02", 1, "basically_completed", pct=80, done="2024-12-20"),
    task("T5", "D02", 1, "completed", done="2024-08-01"),
]
MILESTONES = [
    stone("T1", "方案", "2024-09-27", "2024-10-08"),  # Fri → Tue after the holiday: Sun 29, Mon 30, Tue 8 = 3
    stone("T1", "实施", "2024-09-30", "2024-10-12"),  # Mon → Sat 12 (调休): 8, 9, 10, 11, 12 Oct = 5
    stone("T2", "方案", "2024-10-01", "2024-10-07"),  # a holiday → a holiday: 0 working days, not late
    stone("T2", "实施", "2024-09-28", "2024-09-29"),  # Sat → Sun 29 (调休): 1 working day late
    stone("T3", "验收", "2024-12-20"),                # not reached: counted to 31 Dec: 23–27, 30, 31 Dec = 7
    stone("T4", "验收", "2024-12-31"),                # not reached, due 31 Dec: 0, not late yet
    stone("T4", "实施", "2024-12-27", "2025-01-06"),  # reached next year: counted to 31 Dec: 30, 31 = 2
    stone("T5", "实施", "2024-06-03", "2024-07-31"),  # 41 working days late (10 June off): capped at 20
]


@pytest.fixture(scope="module")
def ds():
    return make_dataset(units=UNITS, tables={(Y, "key_tasks"): TASKS, (Y, "key_task_milestones"): MILESTONES})


def test_working_days_late_across_national_day_with_make_up_days():
    assert working_days_between("2024-09-27", "2024-10-08") == 3
    assert working_days_between("2024-09-30", "2024-10-12") == 5
    assert working_days_between("2024-10-01", "2024-10-07") == 0
    assert working_days_between("2024-09-28", "2024-09-29") == 1
    assert working_days_between("2024-12-20", "2024-12-31") == 7
    assert working_days_between("2024-12-27", "2024-12-31") == 2
    assert working_days_between("2024-06-03", "2024-07-31") == 41


def test_milestones_count_working_days_late(ds):
    _, m = kt.key_task_details(ds, Y)
    got = {(r.task_id, r.milestone): (r.state, r.working_days_late) for r in m.itertuples(index=False)}
    assert got == {
        ("T1", "方案"): ("late", 3), ("T1", "实施"): ("late", 5),
        ("T2", "方案"): ("on_time", 0), ("T2", "实施"): ("late", 1),
        ("T3", "验收"): ("overdue", 7),
        ("T4", "验收"): ("open", 0), ("T4", "实施"): ("late", 2),
        ("T5", "实施"): ("late", 41),
    }


def test_task_scores_by_hand(ds):
    t, _ = kt.key_task_details(ds, Y)
    t = t.set_index("task_id")
    # T1 完成 100 − 8 = 92; T2 基本完成 60 − 1 = 59; T3 未完成 max(0, 0 − 7) = 0;
    # T4 基本完成 with 80 % done: 80 − 2 = 78; T5 完成 100 − min(20, 41) = 80.
    assert t["share"].to_dict() == {"T1": 100.0, "T2": 60.0, "T3": 0.0, "T4": 80.0, "T5": 100.0}
    assert t["late_deduction"].to_dict() == {"T1": 8.0, "T2": 1.0, "T3": 7.0, "T4": 2.0, "T5": 20.0}
    assert t["task_score"].to_dict() == {"T1": 92.0, "T2": 59.0, "T3": 0.0, "T4": 78.0, "T5": 80.0}
    assert t["late_milestones"].to_dict() == {"T1": 2, "T2": 1, "T3": 1, "T4": 1, "T5": 1}
    assert t["working_days_late"].to_dict() == {"T1": 8, "T2": 1, "T3": 7, "T4": 2, "T5": 41}


def test_key_task_score_by_hand(ds):
    out = kt.key_task_score(ds, Y)
    assert_shape(out, list(UNITS))
    r = out.set_index("unit_id")
    # D01: (3 × 92 + 2 × 59 + 5 × 0) / 10 = 39.4; D02: (1 × 78 + 1 × 80) / 2 = 79.
    assert r.loc["D01", "value"] == pytest.approx(39.4, abs=1e-12) and r.loc["D01", "n"] == 3
    assert r.loc["D02", "value"] == pytest.approx(79.0, abs=1e-12) and r.loc["D02", "n"] == 2
    assert_no_data(out, "D03", n=0)  # no task: no value (and, in a framework, not applicable)


def test_marking_a_task_not_completed_moves_only_its_unit_by_its_weight(ds):
    before = kt.key_task_score(ds, Y).set_index("unit_id")["value"]
    tasks = [dict(t) for t in TASKS]
    tasks[0].update(completion="not_completed", completed_date=None)   # T1: 92 → max(0, 0 − 8) = 0
    changed = make_dataset(units=UNITS, tables={(Y, "key_tasks"): tasks, (Y, "key_task_milestones"): MILESTONES})
    after = kt.key_task_score(changed, Y).set_index("unit_id")["value"]
    assert before["D01"] - after["D01"] == pytest.approx(3 / 10 * 92)
    assert after["D02"] == before["D02"]


def test_parameters_change_the_shares_and_the_late_points(ds):
    out = kt.key_task_score(ds, Y, shares={"completed": 100, "basically_completed": 50, "not_completed": 0},
                            per_day=2, cap=10).set_index("unit_id")["value"]
    # D01: T1 100 − min(10, 16) = 90, T2 50 − 2 = 48, T3 0 → (270 + 96) / 10 = 36.6
    assert out["D01"] == pytest.approx(36.6)
    # D02: T4 80 − 4 = 76, T5 100 − 10 = 90 → 83
    assert out["D02"] == pytest.approx(83.0)


def test_catalogue_entry_says_absence_means_not_applicable():
    ind = BY_CODE["key_task_score"]
    assert ind.absent_means_not_applicable == kt.NO_TASKS_REASON
    assert ind.absent_means_not_applicable[0] == "本年度未下达重点工作任务"
    assert ind.area == "key_tasks" and ind.unit == "分" and ind.direction == 1


def test_without_tasks_every_unit_has_no_data():
    out = kt.key_task_score(make_dataset(units=UNITS), Y)
    assert (out["status"] == "no_data").all() and (out["n"] == 0).all()


# ----------------------------------------------------------------------------------------
# The contract's checks
# ----------------------------------------------------------------------------------------

HEADER = ("task_id,unit_id,title,category,points,due_date,acceptance,completion,completion_pct,"
          "completed_date,assessed_by\n")


def _check(tmp_path, body: str, name: str = "key_tasks"):
    path = tmp_path / f"{name}.csv"
    path.write_text((HEADER if name == "key_tasks" else "") + body, encoding="utf-8")
    raw, problems = read_csv(path, f"2024/{name}.csv")
    assert not problems
    _, problems = check_table(raw, TABLES[name], Y)
    return problems


def test_valid_tasks_with_chinese_labels_pass(tmp_path):
    assert _check(tmp_path, "T1,D01,任务,区委区政府重点工作,20,2024-12-31,验收,完成,,2024-12-20,区委督查室\n"
                            "T2,D01,任务,民生实事,10,2024-12-31,验收,基本完成,75,,区委督查室\n"
                            "T3,D01,任务,部门年度目标,10,2024-06-30,验收,未完成,40,,区委督查室\n") == []


def test_completed_without_date_and_not_completed_with_date(tmp_path):
    problems = _check(tmp_path, "T1,D01,任务,annual_goal,20,2024-12-31,验收,完成,,,区委督查室\n"
                                "T2,D01,任务,annual_goal,20,2024-12-31,验收,未完成,,2024-12-01,区委督查室\n")
    assert [(p.file, p.row, p.column, p.severity) for p in problems] == [
        ("2024/key_tasks.csv", 2, "completed_date", "error"), ("2024/key_tasks.csv", 3, "completed_date", "error")]
    assert "completed (完成)" in problems[0].expected and problems[0].found == "an empty cell"
    assert "not completed (未完成)" in problems[1].expected and "'2024-12-01'" in problems[1].found


@pytest.mark.parametrize("level, pct, ok", [
    ("完成", 100, True), ("完成", 95, False), ("基本完成", 60, True), ("基本完成", 100, False),
    ("基本完成", 55, False), ("未完成", 59.5, True), ("未完成", 60, False)])
def test_completion_pct_fits_its_level(tmp_path, level, pct, ok):
    done = "2024-12-20" if level == "完成" else ""
    problems = _check(tmp_path, f"T1,D01,任务,annual_goal,20,2024-12-31,验收,{level},{pct},{done},区委督查室\n")
    if ok:
        assert problems == []
    else:
        (p,) = problems
        assert (p.row, p.column) == (2, "completion_pct") and f"'{pct:g}'" == p.found


def test_points_must_be_above_zero_and_levels_are_a_closed_list(tmp_path):
    problems = _check(tmp_path, "T1,D01,任务,annual_goal,0,2024-12-31,验收,完成,,2024-12-20,区委督查室\n"
                                "T2,D01,任务,annual_goal,-5,2024-12-31,验收,完成,,2024-12-20,区委督查室\n"
                                "T3,D01,任务,annual_goal,5,2024-12-31,验收,大部分完成,,,区委督查室\n")
    by_row = {p.row: p for p in problems}
    assert set(by_row) == {2, 3, 4}
    assert by_row[2].column == "points" and "greater than 0" in by_row[2].expected
    assert by_row[3].column == "points" and "negative" in by_row[3].expected
    assert by_row[4].column == "completion" and "basically_completed (基本完成)" in by_row[4].expected


def test_due_date_must_fall_in_the_folder_year(tmp_path):
    (p,) = _check(tmp_path, "T1,D01,任务,annual_goal,5,2025-01-15,验收,未完成,,,区委督查室\n")
    assert (p.row, p.column) == (2, "due_date") and "a date in 2024" in p.expected


def test_milestones_reference_tasks_and_are_unique_per_task(tmp_path):
    from evalkit.data.dataset import validate_directory

    root = tmp_path / "data"
    (root / "2024").mkdir(parents=True)
    (root / "units.csv").write_text("unit_id,name_zh,peer_group,unit_class\nD01,区甲局,部门,综合管理类\n",
                                    encoding="utf-8")
    (root / "2024" / "key_tasks.csv").write_text(
        HEADER + "T1,D01,任务,annual_goal,5,2024-12-31,验收,未完成,,,区委督查室\n", encoding="utf-8")
    (root / "2024" / "重点工作任务节点.csv").write_text(
        "任务编号,节点名称,计划完成日期,实际完成日期\nT1,方案,2024-03-01,2024-03-05\nT1,方案,2024-04-01,\n"
        "T9,方案,2024-03-01,\n", encoding="utf-8")
    problems = [p for p in validate_directory(root) if p.severity == "error"]
    got = sorted((p.row, p.column) for p in problems if p.file.endswith("重点工作任务节点.csv"))
    assert got == [(3, "任务编号+节点名称"), (4, "任务编号")]
    missing = next(p for p in problems if p.row == 4)
    assert "task_id listed in 2024/key_tasks.csv" in missing.expected and "'T9'" in missing.found


def test_the_contract_page_lists_the_rules():
    rules = " ".join(TABLES["key_tasks"].rules)
    assert "greater than 0" in rules and "completed_date" in rules and "completion_pct" in rules
    assert TABLES["key_task_milestones"].column("task_id").references == "key_tasks.task_id"
    assert pd.Series(TABLES["key_tasks"].column("completion").categories).to_dict() == {
        "completed": "完成", "basically_completed": "基本完成", "not_completed": "未完成"}
