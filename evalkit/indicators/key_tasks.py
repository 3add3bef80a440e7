"""Each unit's own key tasks (个性指标: 重点工作任务) — the unit-specific part of the evaluation.

Every unit is scored on *its own* tasks (``key_tasks``: 区委区政府重点工作, 部门年度目标,
民生实事), weighted by their points within the unit, from their year-end assessment
(完成 / 基本完成 / 未完成) and the working days their milestones (``key_task_milestones``)
were late. The score never depends on another unit's tasks.

:func:`key_task_details` computes the per-task and per-milestone tables (what the results
publish and the unit report shows); :func:`key_task_score` is the indicator the framework
reads, the points-weighted mean of the task scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.workdays import calendar_for_dates
from ._common import last_day
from .base import value_frame

#: Share of a task's 100 points each completion level earns when the assessment gives no
#: ``completion_pct`` (完成 100, 基本完成 60, 未完成 0).
COMPLETION_SHARES: dict[str, float] = {"completed": 100.0, "basically_completed": 60.0, "not_completed": 0.0}
#: Points (of the task's 100) deducted per working day a milestone is late.
LATE_POINTS_PER_DAY = 1.0
#: At most this many points (of the task's 100) are deducted for late milestones per task.
LATE_POINTS_CAP = 20.0
#: Why the indicator does not apply to a unit without a task in the year (Chinese, English):
#: the not-applicable rule, not the missing-data policy (:attr:`Indicator.absent_means_not_applicable`).
NO_TASKS_REASON = ("本年度未下达重点工作任务", "No key tasks were assigned to the unit this year")

TASK_COLUMNS = ["unit_id", "task_id", "title", "title_en", "category", "points", "due_date", "acceptance",
                "acceptance_en", "completion", "completion_pct", "completed_date", "assessed_by",
                "assessed_by_en", "milestones", "late_milestones", "working_days_late", "share",
                "late_deduction", "task_score"]
MILESTONE_COLUMNS = ["unit_id", "task_id", "milestone", "milestone_en", "planned_date", "actual_date",
                     "state", "working_days_late"]


def _column(frame: pd.DataFrame, name: str, dtype=object) -> pd.Series:
    """``frame[name]``, or a column of missing values when the reader left it out."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(np.nan if dtype is float else None, index=frame.index, dtype=dtype)


def rule_parameters(shares: dict[str, float] | None = None, per_day: float = LATE_POINTS_PER_DAY,
                    cap: float = LATE_POINTS_CAP) -> dict:
    """The key-task rule's settings as plain values (published with the results, so that the
    reports print the rule that scored): ``completion_shares``, ``late_points_per_working_day``,
    ``late_points_cap_per_task``."""
    shares = COMPLETION_SHARES if shares is None else shares
    return {"completion_shares": {k: float(v) for k, v in shares.items()},
            "late_points_per_working_day": float(per_day), "late_points_cap_per_task": float(cap)}


def key_task_details(dataset, year: int, *, shares: dict[str, float] | None = None,
                     per_day: float = LATE_POINTS_PER_DAY,
                     cap: float = LATE_POINTS_CAP) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year's key tasks with their scores, and their milestones with the days late.

    Returns ``(tasks, milestones)``:

    * ``tasks`` — one row per task (:data:`TASK_COLUMNS`): the contract's columns plus
      ``milestones`` (count), ``late_milestones`` (milestones at least one working day late),
      ``working_days_late`` (their sum), ``share`` (the completion share, 0–100),
      ``late_deduction`` (``min(cap, per_day × working_days_late)``) and ``task_score``
      (``max(0, share − late_deduction)``, 0–100); by unit and task id.
    * ``milestones`` — one row per milestone (:data:`MILESTONE_COLUMNS`): ``state`` is
      ``on_time``, ``late`` (reached at least one working day after the planned date),
      ``overdue`` (not reached, planned date passed by 31 December, late by at least one
      working day), ``open`` (not reached, not yet late by 31 December); ``working_days_late``
      is counted up to the date reached, at most to 31 December (0 when not late).

    See :func:`key_task_score` for the rule.
    """
    shares = COMPLETION_SHARES if shares is None else shares
    t = dataset.table("key_tasks", year)
    m = dataset.table("key_task_milestones", year)
    units = set(dataset.units["unit_id"].astype(str))
    t = t[t["unit_id"].astype(str).isin(units)]
    owners = pd.DataFrame({"task_id": t["task_id"].astype(str).to_numpy(),
                           "unit_id": t["unit_id"].astype(str).to_numpy()})
    m = m.assign(task_id=m["task_id"].astype(str)).merge(owners, on="task_id", how="inner")
    end = last_day(year)
    planned = pd.to_datetime(m["planned_date"]).dt.normalize()
    actual = pd.to_datetime(_column(m, "actual_date", "datetime64[ns]")).dt.normalize()
    upto = actual.where(actual.notna() & (actual <= end), end)
    if len(m):
        cal = calendar_for_dates(planned, upto, [end], overrides=getattr(dataset, "workday_overrides", None))
        days = np.maximum(cal.working_days_between(planned, upto), 0.0)
    else:
        days = np.zeros(0)
    reached = actual.notna().to_numpy()
    late = days >= 1
    state = np.where(reached, np.where(late, "late", "on_time"), np.where(late, "overdue", "open"))
    milestones = pd.DataFrame({
        "unit_id": m["unit_id"].astype(str).to_numpy(), "task_id": m["task_id"].astype(str).to_numpy(),
        "milestone": _column(m, "milestone").to_numpy(),
        "milestone_en": _column(m, "milestone_en").to_numpy(),
        "planned_date": planned.to_numpy(), "actual_date": actual.to_numpy(),
        "state": state, "working_days_late": days.astype("int64"),
    })
    milestones = milestones.sort_values(["unit_id", "task_id", "planned_date", "milestone"],
                                        kind="stable").reset_index(drop=True)[MILESTONE_COLUMNS]

    by_task = milestones.groupby("task_id")
    count = by_task.size()
    late_n = milestones[milestones["working_days_late"] >= 1].groupby("task_id").size()
    late_days = by_task["working_days_late"].sum()
    ids = t["task_id"].astype(str)
    pct = pd.to_numeric(_column(t, "completion_pct", float), errors="coerce").astype("float64")
    level = t["completion"].astype(str).map(shares).astype("float64")
    share = pct.where(pct.notna(), level).to_numpy(dtype="float64")
    wd_late = ids.map(late_days).fillna(0).to_numpy(dtype="float64")
    deduction = np.minimum(cap, per_day * wd_late)
    tasks = pd.DataFrame({
        "unit_id": t["unit_id"].astype(str).to_numpy(), "task_id": ids.to_numpy(),
        "title": _column(t, "title").to_numpy(), "title_en": _column(t, "title_en").to_numpy(),
        "category": _column(t, "category").to_numpy(),
        "points": pd.to_numeric(t["points"]).astype("float64").to_numpy(),
        "due_date": pd.to_datetime(_column(t, "due_date", "datetime64[ns]")).to_numpy(),
        "acceptance": _column(t, "acceptance").to_numpy(), "acceptance_en": _column(t, "acceptance_en").to_numpy(),
        "completion": t["completion"].astype(str).to_numpy(), "completion_pct": pct.to_numpy(),
        "completed_date": pd.to_datetime(_column(t, "completed_date", "datetime64[ns]")).to_numpy(),
        "assessed_by": _column(t, "assessed_by").to_numpy(),
        "assessed_by_en": _column(t, "assessed_by_en").to_numpy(),
        "milestones": ids.map(count).fillna(0).astype("int64").to_numpy(),
        "late_milestones": ids.map(late_n).fillna(0).astype("int64").to_numpy(),
        "working_days_late": wd_late.astype("int64"),
        "share": share, "late_deduction": deduction,
        "task_score": np.maximum(0.0, share - deduction),
    })
    tasks = tasks.sort_values(["unit_id", "task_id"], kind="stable").reset_index(drop=True)
    return tasks[TASK_COLUMNS], milestones


def key_task_score(dataset, year: int, *, shares: dict[str, float] | None = None,
                   per_day: float = LATE_POINTS_PER_DAY, cap: float = LATE_POINTS_CAP) -> pd.DataFrame:
    """重点工作任务完成得分 — the points-weighted completion of the unit's own key tasks (0–100).

    得分 = Σ_i 分值_i × 任务得分_i / Σ_i 分值_i over the unit's tasks i of the year
    (``key_tasks``), where

    * 任务得分 = max(0, 完成份额 − 逾期扣分);
    * 完成份额 = ``completion_pct`` when the assessment gives one, else by level:
      完成 (completed) 100, 基本完成 (basically completed) 60, 未完成 (not completed) 0;
    * 逾期扣分 = min(20, 1 × Σ 逾期工作日): each working day a milestone of the task
      (``key_task_milestones``) is late costs 1 point, at most 20 points per task. A milestone's
      working days late are those in (planned date, date reached], counted at most to
      31 December for one reached later or not reached (working days follow China's
      statutory holidays and 调休, :mod:`evalkit.data.workdays`); a milestone is late when
      this count is at least 1 (one reached on the weekend after a Friday plan is not).

    So when task i's assessment changes, the unit's key-task score falls by
    Δ = 分值_i / Σ 分值 × (任务得分_i before − after) (e.g. 完成 → 未完成 with no late
    milestone: Δ = 100 × 分值_i / Σ 分值), and a leaf of ``P`` points scoring it with
    ``linear_band`` 0–100 moves the unit's 0–100 score by P × Δ / 满分 (满分: the unit's
    applicable points, 100 unless something is not applicable; the sample's ``KEY01``:
    0.15 × Δ); another unit's tasks never change it. ``n`` is the number of tasks.

    A unit without a task in the year has no value, and the indicator does **not apply** to
    it (不适用, reason 本年度未下达重点工作任务): a framework leaf reading it is excluded from
    the unit's points and its other points are re-based (the not-applicable rule, not the
    missing-data policy; :attr:`~evalkit.indicators.base.Indicator.absent_means_not_applicable`)
    — as long as the year has a ``key_tasks`` file; a year without the file is *not reported*.
    Parameters ``shares``, ``per_day``, ``cap`` change the defaults
    (:data:`COMPLETION_SHARES`, :data:`LATE_POINTS_PER_DAY`, :data:`LATE_POINTS_CAP`).
    Unit: points (0–100). Direction: higher is better. Source: issue 17 (个性指标: 区委区政府
    重点工作, 部门年度目标, 民生实事; section 七.3 共性与个性相结合); domain brief §1.5
    (督查督办, 时间节点).
    """
    tasks, _ = key_task_details(dataset, year, shares=shares, per_day=per_day, cap=cap)
    units = dataset.units["unit_id"]
    g = tasks.assign(weighted=tasks["points"] * tasks["task_score"]).groupby("unit_id")
    points = g["points"].sum()
    value = (g["weighted"].sum() / points.where(points > 0)).astype("float64")
    return value_frame(units, year, value, g.size().astype("float64"))
