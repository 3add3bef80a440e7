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
