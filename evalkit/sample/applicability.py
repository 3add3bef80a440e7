"""Indicators that do not apply to a unit (不适用指标) in the sample district.

Declared where a unit has no such duty, from the traits the generators use: a unit with
no service windows (service-case weight 0) has no service indicators, a department outside
the grid (grid weight 0) no grid cases, the department that is never assigned a 12345
ticket (:data:`~evalkit.sample.district.NO_TICKET_UNIT`) no hotline indicators, and a
unit without an active major project in the year no project milestones. Deterministic
(no random draws); the same rows every run.
"""

from __future__ import annotations

import pandas as pd

from .context import YearContext
from .district import NO_TICKET_UNIT

#: (indicator codes, reason in Chinese, reason in English) per duty.
SERVICE = (("service_on_time_rate", "service_online_rate", "service_instant_share",
            "service_good_rating_rate"), "本单位无政务服务事项", "The unit handles no government service cases")
GRID = (("grid_on_time_rate",), "本单位不承担网格案件处置", "The unit handles no grid cases")
HOTLINE = (("hotline_signed_rate", "hotline_contact_rate", "hotline_on_time_rate", "hotline_solved_rate",
            "hotline_satisfaction_rate"),
           "本单位不承办12345热线工单", "No 12345 tickets are assigned to the unit")
PROJECTS = (("milestone_on_time_rate",), "本单位本年度无区重大项目", "The unit runs no major district project this year")


def not_applicable(ctx: YearContext, projects: pd.DataFrame) -> pd.DataFrame:
    """The ``not_applicable`` table of ``ctx.year`` (``projects``: the year's projects)."""
    units = ctx.units
    with_projects = set(projects["unit_id"].astype(str))
    rows = []
    for u in units.itertuples(index=False):
        duties = []
        if u.w_service == 0:
            duties.append(SERVICE)
        if u.w_grid == 0:
            duties.append(GRID)
        if u.unit_id == NO_TICKET_UNIT:
            duties.append(HOTLINE)
        if u.unit_id not in with_projects:
            duties.append(PROJECTS)
        for indicators, reason, reason_en in duties:
            rows += [(u.unit_id, code, reason, reason_en) for code in indicators]
    frame = pd.DataFrame(rows, columns=["unit_id", "indicator", "reason", "reason_en"])
    return frame.sort_values(["unit_id", "indicator"], ignore_index=True)
