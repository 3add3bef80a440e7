"""Supervision tasks, major-project milestones and deputies' proposals."""

from __future__ import annotations

import pandas as pd

from ._common import due_by_year_end, year_end
from .base import count_by_unit, rate_frame


def supervision_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """督查事项按期办结率 — supervision tasks completed by their deadline.

    按期办结率 = 按期办结事项数 / 应办结事项数 × 100%. Unit: %. Direction: higher is
    better. Source: domain brief §1.5 (95–100 %).
    """
    t = dataset.table("supervision_tasks", year)
    units = dataset.units["unit_id"]
    due = due_by_year_end(t["completed_date"], t["due_date"], year).to_numpy()
    on_time = (t["completed_date"].notna() & (t["completed_date"] <= t["due_date"])).to_numpy()
    return rate_frame(units, year, count_by_unit(t, on_time), count_by_unit(t, due))


def milestone_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """重大项目节点按期完成率 — milestones due in the year reached on time.

    节点按期完成率 = 按计划日期完成的节点数 / 计划在本年完成的节点数 × 100%; a milestone
    belongs to the project's lead unit. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (重大项目跟踪问效; Shenzhen 政府投资项目完成率, S1).
    """
    m = dataset.table("project_milestones", year)
    p = dataset.table("projects", year)
    units = dataset.units["unit_id"]
    m = m.merge(p[["project_id", "unit_id"]], on="project_id", how="inner")
    due = (m["planned_date"] <= year_end(year)).to_numpy()
    on_time = due & (m["actual_date"].notna() & (m["actual_date"] <= m["planned_date"])).to_numpy()
    return rate_frame(units, year, count_by_unit(m, on_time), count_by_unit(m, due))


def proposal_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """建议提案按时办复率 — suggestions and proposals answered by the deadline.

    按时办复率 = 按时办复件数 / 应办复件数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (办复 100 %, S41).
    """
    t = dataset.table("proposals", year)
    units = dataset.units["unit_id"]
    due = due_by_year_end(t["replied_date"], t["due_date"], year).to_numpy()
    on_time = (t["replied_date"].notna() & (t["replied_date"] <= t["due_date"])).to_numpy()
    return rate_frame(units, year, count_by_unit(t, on_time), count_by_unit(t, due))


def _milestones(dataset, year: int) -> pd.DataFrame:
    m = dataset.table("project_milestones", year)
    p = dataset.table("projects", year)
    return m.merge(p[["project_id", "unit_id"]], on="project_id", how="inner")


def project_schedule_performance(dataset, year: int) -> pd.DataFrame:
    """重大项目进度绩效指数 SPI — earned value against planned value at year end.

    SPI = EV / PV; PV = Σ planned cost of milestones planned by 31 December; EV = Σ planned
    cost of milestones actually reached by then. 1 = on schedule, < 1 = behind. Unit: index.
    Direction: higher is better. Source: earned-value management (PMI PMBOK; ANSI/EIA-748),
    applied to 重大项目跟踪问效 (domain brief §1.5).
    """
    m = _milestones(dataset, year)
    units = dataset.units["unit_id"]
    end = year_end(year)
    planned = m["planned_date"] <= end
    done = m["actual_date"].notna() & (m["actual_date"] <= end)
    pv = m["planned_cost_yuan"].where(planned, 0.0).groupby(m["unit_id"]).sum()
    ev = m["planned_cost_yuan"].where(done, 0.0).groupby(m["unit_id"]).sum()
    return rate_frame(units, year, ev, pv.where(pv > 0), n=m.groupby("unit_id").size().astype("float64"), scale=1.0)


def project_cost_performance(dataset, year: int) -> pd.DataFrame:
    """重大项目成本绩效指数 CPI — earned value against actual cost.

    CPI = EV / AC over milestones reached by 31 December (EV = their planned cost, AC =
    their actual cost). 1 = on budget, < 1 = over budget. Unit: index. Direction: higher is
    better. Source: earned-value management (PMI PMBOK).
    """
    m = _milestones(dataset, year)
    units = dataset.units["unit_id"]
    done = (m["actual_date"].notna() & (m["actual_date"] <= year_end(year)) & m["actual_cost_yuan"].notna())
    d = m[done.to_numpy()]
    ev = d.groupby("unit_id")["planned_cost_yuan"].sum()
    ac = d.groupby("unit_id")["actual_cost_yuan"].sum()
    return rate_frame(units, year, ev, ac.where(ac > 0), n=d.groupby("unit_id").size().astype("float64"), scale=1.0)


def proposal_satisfaction_rate(dataset, year: int) -> pd.DataFrame:
    """建议提案 满意率 — deputies' and members' feedback 满意 or 基本满意.

    满意率 = (满意 + 基本满意) / 有反馈件数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (92.5–100 %, S41).
    """
    t = dataset.table("proposals", year)
    units = dataset.units["unit_id"]
    fed = t["satisfaction"].notna().to_numpy()
    good = t["satisfaction"].isin(["satisfied", "fairly_satisfied"]).to_numpy()
    return rate_frame(units, year, count_by_unit(t, good), count_by_unit(t, fed))
