"""Data-quality defects planted in the sample district, in named units (issue 13, item 5).

Each :class:`PlantedDefect` names the unit, the year, the table changed, what was done and
the data-quality check (:data:`evalkit.quality.DEFAULT_CHECKS`) that must find it;
:func:`plant_defects` applies them to a year's generated tables. Every defect passes
``evalkit validate`` (a defect the contract already refuses — a concluded legal case with
no outcome, an outcome that does not fit the case kind, an instant case with a promised
limit — is an error there and cannot be planted): they are findings of the quality checks,
not validation errors. :data:`KNOWN_FINDINGS` lists the sample's older deliberate cases that
the checks find as well (a rater who rates their own unit, a table not reported).

Some defects move indicators, as such defects do in real data: the missing 三公 months cut
the unit's 三公经费 change rate (and its budget execution by a fraction of a point), the
copied month changes its budget execution slightly, the date-only dispatch times its 12345
signed-in-time and contact rates (indicators the sample framework does not score), the
dropped month its service-case counts (its rates hardly move).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .district import NOT_REPORTED
from .qualitative import SELF_RATED_UNIT, SELF_RATER_ID

__all__ = ["KNOWN_FINDINGS", "PLANTED_DEFECTS", "PlantedDefect", "plant_defects"]


@dataclass(frozen=True)
class PlantedDefect:
    """One defect: in ``year``, ``unit_id``'s ``table`` is changed as ``what`` says, and the
    quality check ``check`` finds it."""

    unit_id: str
    year: int
    table: str
    check: str
    kind: str
    what_en: str
    what_zh: str


#: The defects planted in the sample district (all in 2024, the evaluated year).
PLANTED_DEFECTS: tuple[PlantedDefect, ...] = (
    PlantedDefect("D03", 2024, "budget_lines", "budget_months_present", "missing_months",
                  "the November and December reports of the 三公经费 budget line are missing",
                  "预算执行月报缺三公经费科目11月、12月"),
    PlantedDefect("D07", 2024, "hotline_tickets", "hotline_dispatch_time_recorded", "date_only_times",
                  "every 12345 dispatch time is a date alone (read as 00:00)",
                  "12345工单派单时间只填日期(读作00:00)"),
    PlantedDefect("D14", 2024, "legal_cases", "legal_review_pending_overdue", "pending_without_conclusion",
                  "an administrative review filed on 4 March is still without a conclusion or outcome",
                  "3月4日受理的行政复议案件至年底仍无审结日期和结果"),
    PlantedDefect("D20", 2024, "budget_lines", "budget_month_not_copied", "copied_month",
                  "the July budget report repeats June's spending on every line",
                  "7月预算执行月报照抄6月支出(全部科目)"),
    PlantedDefect("D26", 2024, "service_cases", "service_monthly_volume", "dropped_month",
                  "the service cases received in August are missing (a month lost in the export)",
                  "8月受理的政务服务办件缺失(导出遗漏一个月)"),
    PlantedDefect("S02", 2024, "submissions", "reports_submitted_on_time", "late_submissions",
                  "the budget reports of March to June came in 3–6 working days after their deadline",
                  "3—6月预算执行月报迟报3—6个工作日"),
)

#: Older deliberate cases of the sample that the quality checks find too: (unit, year or
#: None for every year, check, why).
KNOWN_FINDINGS: tuple[tuple[str, int | None, str, str], ...] = (
    (SELF_RATED_UNIT, None, "ratings_from_eligible_raters",
     f"peer rater {SELF_RATER_ID} also rates their own unit"),
    *((unit, year, check, f"{', '.join(tables)} not reported (未报送) in {year}")
      for year, units in NOT_REPORTED.items() for unit, tables in units.items()
      for check in (("budget_months_present", "reports_submitted_on_time") if "budget_lines" in tables else ())),
)

#: The months and the budget line of the ``missing_months`` defect: the small 三公 line, so that
#: the unit's budget execution hardly moves (the whole of November and December missing
#: would cut it by some 20 points, which the check finds just the same).
_MISSING_MONTHS, _MISSING_LINE = (11, 12), "three_public"
#: The review case added for the ``pending_without_conclusion`` defect: id suffix and filing day.
_PENDING_CASE = ("9001", "03-04")
#: Working days each late report of the ``late_submissions`` defect is late by (March–June).
_LATE_BY = {"03": 3, "04": 5, "05": 4, "06": 6}


def _without(frame: pd.DataFrame, mask) -> pd.DataFrame:
    return frame[~np.asarray(mask, dtype=bool)].reset_index(drop=True)


def plant_defects(tables: dict[str, pd.DataFrame], year: int, calendar=None,
                  defects: tuple[PlantedDefect, ...] = PLANTED_DEFECTS) -> dict[str, pd.DataFrame]:
    """``tables`` (one year's generated tables by name) with the ``defects`` of ``year``
    planted; the frames given are not changed. ``calendar``: the sample's working-day
    calendar (:class:`~evalkit.sample.calendar.SampleCalendar`), needed for late submissions."""
    out = dict(tables)
    for d in defects:
        if d.year != year or d.table not in out:
            continue
        f = out[d.table].copy()
        unit = (f["unit_id"].astype(str) == d.unit_id).to_numpy() if len(f) else np.zeros(0, bool)
        if d.kind == "missing_months":
            f = _without(f, unit & f["month"].isin(_MISSING_MONTHS).to_numpy()
                         & (f["line"].astype(str) == _MISSING_LINE).to_numpy())
        elif d.kind == "date_only_times":
            f.loc[unit, "dispatched_at"] = pd.to_datetime(f.loc[unit, "dispatched_at"]).dt.normalize()
        elif d.kind == "pending_without_conclusion":
            row = {c: None for c in f.columns}
            row.update({"case_id": f"FZ{year}{_PENDING_CASE[0]}", "unit_id": d.unit_id, "kind": "review",
                        "filed_date": pd.Timestamp(f"{year}-{_PENDING_CASE[1]}")})
            added = pd.DataFrame([row]).astype({c: f[c].dtype for c in f.columns if c in ("filed_date",
                                                                                          "concluded_date")})
            f = pd.concat([f, added], ignore_index=True)  # its id sorts last: the table stays in key order
        elif d.kind == "copied_month":
            june = f[unit & (f["month"] == 6).to_numpy()].set_index("line")["spending_yuan"]
            july = unit & (f["month"] == 7).to_numpy()
            f.loc[july, "spending_yuan"] = f.loc[july, "line"].map(june).to_numpy()
        elif d.kind == "dropped_month":
            month = pd.to_datetime(f["received_date"]).dt.month.to_numpy()
            f = _without(f, unit & (month == 8))
        elif d.kind == "late_submissions":
            if calendar is None:
                raise ValueError("plant_defects: late submissions need the sample's working-day calendar")
            for month, late in _LATE_BY.items():
                row = unit & (f["period"].astype(str) == f"{year}-{month}").to_numpy()
                deadline = f.loc[row, "deadline"].to_numpy(dtype="datetime64[D]")
                f.loc[row, "submitted_date"] = pd.to_datetime(calendar.add_workdays(deadline, late))
        else:
            raise ValueError(f"plant_defects: unknown kind of defect {d.kind!r}")
        out[d.table] = f
    return out
