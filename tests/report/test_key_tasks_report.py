"""Issue 17's acceptance for key tasks (重点工作任务) on the sample district 2024.

* Marking one unit's key task 未完成 (in the loaded dataset) changes that unit's ``score_100`` by
  exactly the documented amount — Δ = 分值_i / Σ 分值 × (任务得分 before − after) on the
  key-task score, × 15 / 满分 on the 0–100 score (``KEY01``: 15 points, ``linear_band`` 0–100) —
  and no other unit's score.
* The unit report shows the task, its milestones (planned, reached, working days late) and its
  assessment, in Chinese and in English (no Chinese besides the unit's name).
* A unit without tasks shows the key-task leaf as 不适用 with its reason and is re-based; a year
  without a key_tasks file is *not reported* (the missing-data policy), not 不适用.
* The overview shows completion across units.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from evalkit.data.dataset import load_dataset
from evalkit.report import overview, present
from evalkit.resources import sample_data_dir, sample_framework_path
from evalkit.results.compute import compute_results, score_year
from evalkit.configuration import load_configuration

from tests.helpers.text import all_text

YEAR = 2024
UNIT = "D10"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(sample_data_dir())


@pytest.fixture(scope="module")
def framework():
    return load_configuration(sample_data_dir(), sample_framework_path()).framework


@pytest.fixture(scope="module")
def results(dataset):
    return compute_results(sample_data_dir(), sample_framework_path(), YEAR, dataset=dataset)


def _with_tables(dataset, **frames):
    tables = dict(dataset.tables)
    for name, frame in frames.items():
        tables[(YEAR, name)] = frame
    return dataclasses.replace(dataset, tables=tables)


def _without(dataset, *names):
    return dataclasses.replace(dataset, tables={k: v for k, v in dataset.tables.items()
                                                if k not in {(YEAR, n) for n in names}})


def test_every_sample_unit_has_three_to_six_tasks_with_two_to_four_milestones(results):
    tasks = results.table("key_tasks")
    per_unit = tasks.groupby("unit_id").size()
    assert set(per_unit.index) == set(results.units["unit_id"]) and per_unit.between(3, 6).all()
    assert tasks["milestones"].between(2, 4).all()
    assert (tasks["completion"] == "not_completed").sum() >= 5
    assert (tasks["completion"] == "basically_completed").sum() >= 5
    assert (tasks["late_milestones"] > 0).sum() >= 20
    stones = results.table("key_task_milestones")
    assert set(stones["state"]) == {"on_time", "late", "overdue", "open"}
    assert list(tasks.columns[:12]) == ["unit_id", "task_id", "title", "title_en", "category", "points", "due_date",
                                       "acceptance", "acceptance_en", "completion", "completion_pct",
                                       "completed_date"]
    for col in ("assessed_by", "late_milestones", "working_days_late", "task_score"):
        assert col in tasks.columns
    assert results.meta["parameters"]["key_tasks"] == {
        "completion_shares": {"completed": 100.0, "basically_completed": 60.0, "not_completed": 0.0},
        "late_points_per_working_day": 1.0, "late_points_cap_per_task": 20.0}


def test_key_tasks_carry_a_real_share_of_every_unit_points(framework):
    leaf = framework.nodes["KEY01"]
    assert leaf.indicator == "key_task_score"
    for group, klass in (("department", "综合管理类"), ("subdistrict", "街道")):
        assert leaf.points_for(group, klass) == 15
        assert sum(n.points_for(group, klass) for n in framework.leaves()) == 100


def test_marking_one_task_not_completed_changes_only_that_unit_by_the_documented_amount(dataset, framework, results):
    tasks = dataset.table("key_tasks", YEAR)
    mine = results.table("key_tasks").query("unit_id == @UNIT and completion == 'completed'")
    task = mine.sort_values("task_score", ascending=False).iloc[0]
    changed = tasks.copy()
    row = changed["task_id"].astype(str) == task["task_id"]
    changed.loc[row, "completion"] = "not_completed"
    changed.loc[row, "completed_date"] = pd.NaT
    changed.loc[row, "completion_pct"] = np.nan
    before = score_year(dataset, framework, YEAR).set_index("unit_id")
    after = score_year(_with_tables(dataset, key_tasks=changed), framework, YEAR).set_index("unit_id")

    points = results.table("key_tasks").query("unit_id == @UNIT")["points"].sum()  # Σ 分值 of the unit
    new_task_score = max(0.0, 0.0 - task["late_deduction"])
    delta_key = task["points"] / points * (task["task_score"] - new_task_score)  # on the 0–100 key-task score
    leaf_points = framework.nodes["KEY01"].points_for("department", before.loc[UNIT, "unit_class"])
    expected = leaf_points * delta_key / before.loc[UNIT, "max_score"]        # on the unit's 0–100 score
    assert delta_key > 0
    assert before.loc[UNIT, "score_100"] - after.loc[UNIT, "score_100"] == pytest.approx(expected, abs=1e-9)
    others = before.index != UNIT
    assert (after.loc[others, "score_100"] == before.loc[others, "score_100"]).all()
    assert (after["max_score"] == before["max_score"]).all()


def test_the_unit_report_shows_each_task_its_milestones_and_assessment(results):
    tasks = results.table("key_tasks").query("unit_id == @UNIT")
    stones = results.table("key_task_milestones").query("unit_id == @UNIT")
    section = present.key_tasks_section(results, UNIT, "zh")
    assert section["id"] == "key_tasks" and section in present.unit_sections(results, UNIT, "zh", charts=False)
    text = all_text(section)
    for t in tasks.itertuples(index=False):
        assert t.title in text and t.due_date in text and t.assessed_by in text
    for m in stones.itertuples(index=False):
        assert m.milestone in text and m.planned_date in text
        if m.actual_date:
            assert m.actual_date in text
    table = next(b for b in section["blocks"] if b["type"] == "table")
    assert len(table["rows"]) == len(tasks) + len(stones)
    late = stones[stones["working_days_late"] > 0]
    assert not late.empty and "逾期完成" in text
    assert f"{len(tasks)} 项重点工作任务" in text and "每逾期 1 个工作日扣 1 分" in text
    assert "完成 100、基本完成 60、未完成 0" in text  # the rule as the results were scored


def test_the_english_section_holds_no_chinese_besides_the_unit_name(results):
    for unit in ("D10", "D17", "S11"):
        text = all_text(present.key_tasks_section(results, unit, "en"))
        name = results.units.set_index("unit_id").loc[unit, "name_zh"]
        assert not CJK.search(text.replace(name, "")), CJK.findall(text)[:10]
    tasks = results.table("key_tasks").query("unit_id == @UNIT")
    text = all_text(present.key_tasks_section(results, UNIT, "en"))
    assert all(t in text for t in tasks["title_en"]) and "Working days late" in text


def test_a_unit_not_completed_task_is_shown_as_such(results):
    undone = results.table("key_tasks").query("completion == 'not_completed'").iloc[0]
    text = all_text(present.key_tasks_section(results, undone["unit_id"], "zh"))
    assert undone["title"] in text and "未完成" in text
    summary = overview.key_task_summary(results)
    row = summary.set_index("unit_id").loc[undone["unit_id"]]
    assert undone["title"] in row["not_completed_titles"]


def test_the_overview_shows_completion_across_units(results):
    (section,) = overview.key_tasks_section(results, "zh")
    assert section["id"] == "key-tasks"
    tasks = results.table("key_tasks")
    text = all_text(section)
    assert f"共 {len(tasks)} 项重点工作任务" in text
    undone_units = sorted(tasks.loc[tasks["completion"] == "not_completed", "unit_id"].unique())
    names = results.units.set_index("unit_id")["name_zh"]
    tables = [b for b in section["blocks"] if b["type"] == "table"]
    groups, units = tables
    assert [r["cells"][0] for r in groups["rows"]] == ["部门", "街镇"]
    assert sum(int(r["cells"][2]) for r in groups["rows"]) == len(tasks)
    assert sorted(r["cells"][0]["text"] for r in units["rows"]) == sorted(names[u] for u in undone_units)
    en = all_text(overview.key_tasks_section(results, "en")[0])
    for name in sorted(names, key=len, reverse=True):
        en = en.replace(name, "")
    assert not CJK.search(en)


def test_a_unit_without_tasks_is_not_applicable_and_re_based(dataset):
    tasks = dataset.table("key_tasks", YEAR)
    stones = dataset.table("key_task_milestones", YEAR)
    mine = set(tasks.loc[tasks["unit_id"].astype(str) == UNIT, "task_id"].astype(str))
    ds = _with_tables(dataset, key_tasks=tasks[tasks["unit_id"].astype(str) != UNIT],
                      key_task_milestones=stones[~stones["task_id"].astype(str).isin(mine)])
    base = compute_results(sample_data_dir(), sample_framework_path(), YEAR, dataset=dataset)
    res = compute_results(sample_data_dir(), sample_framework_path(), YEAR, dataset=ds)
    node = res.nodes.query("unit_id == @UNIT and code == 'KEY01'").iloc[0]
    assert node["status"] == "not_applicable" and node["points"] == 0
    assert node["na_reason"] == "本年度未下达重点工作任务"
    assert node["na_reason_en"] == "No key tasks were assigned to the unit this year"
    unit, before = res.units.set_index("unit_id").loc[UNIT], base.units.set_index("unit_id").loc[UNIT]
    assert unit["max_score"] == before["max_score"] - 15
    assert unit["score_100"] == pytest.approx(100 * unit["base_score"] / unit["max_score"]
                                              + unit["bonus"] - unit["deduction"])
    # the other units keep their key-task leaf
    assert (res.nodes.query("unit_id != @UNIT and code == 'KEY01'")["status"] == "data").all()
    text = all_text(present.key_tasks_section(res, UNIT, "zh"))
    assert "不适用" in text and "本年度未下达重点工作任务" in text and "折算为百分制" in text
    rows = all_text(present.indicators_section(res, UNIT, "zh"))
    assert "重点工作任务完成情况" in rows and "本年度未下达重点工作任务" in rows
    en = all_text(present.key_tasks_section(res, UNIT, "en"))
    assert "Not applicable" in en and "No key tasks were assigned" in en
    assert UNIT not in set(overview.key_task_summary(res)["unit_id"])
    assert "1 个单位本年度未下达重点工作任务" in all_text(overview.key_tasks_section(res, "zh")[0])


def test_a_year_without_a_key_tasks_file_is_not_reported_not_not_applicable(dataset, framework):
    totals = score_year(_without(dataset, "key_tasks", "key_task_milestones"), framework, YEAR)
    nodes = totals.attrs["nodes"]
    key = nodes[nodes["code"] == "KEY01"]
    assert len(key) == len(totals) and (key["status"] != "not_applicable").all()
    assert (key["points"] == 15).all()
