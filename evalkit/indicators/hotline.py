"""12345 citizen hotline tickets (12345热线工单)."""

from __future__ import annotations

import pandas as pd

from ._common import due_by_year_end
from .base import count_by_unit, rate_frame


def hotline_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """12345 按时办结率 — tickets closed by their deadline.

    按时办结率 = 按时办结工单数 / 应办结工单数 × 100%; 应办结 = closed tickets plus open
    tickets already past their deadline at year end. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (96–100 %; S12, S16). Units with no tickets: no data.
    """
    t = dataset.table("hotline_tickets", year)
    units = dataset.units["unit_id"]
    due = due_by_year_end(t["closed_at"], t["due_at"], year).to_numpy()
    on_time = (t["closed_at"].notna() & (t["closed_at"] <= t["due_at"])).to_numpy()
    return rate_frame(units, year, count_by_unit(t, on_time), count_by_unit(t, due))


def hotline_satisfaction_rate(dataset, year: int) -> pd.DataFrame:
    """12345 回访满意率 — callbacks that found the citizen satisfied.

    回访满意率 = (满意 + 基本满意) / 回访成功数 × 100%. Unit: %. Direction: higher is
    better. Source: domain brief §1.5 (80–96 %; S12, S15–S17).
    """
    t = dataset.table("hotline_tickets", year)
    units = dataset.units["unit_id"]
    reached = t["callback_satisfaction"].notna().to_numpy()
    good = t["callback_satisfaction"].isin(["satisfied", "fairly_satisfied"]).to_numpy()
    return rate_frame(units, year, count_by_unit(t, good), count_by_unit(t, reached))


def hotline_solved_rate(dataset, year: int) -> pd.DataFrame:
    """12345 实际解决率 — closed tickets whose request was actually solved.

    实际解决率 = 认定已解决工单数 / 办结且已认定工单数 × 100%. Unit: %. Direction:
    higher is better. Source: domain brief §1.5 (≈ 82 %, S16).
    """
    t = dataset.table("hotline_tickets", year)
    units = dataset.units["unit_id"]
    judged = (t["closed_at"].notna() & t["solved"].notna()).to_numpy()
    solved = judged & t["solved"].fillna(False).astype(bool).to_numpy()
    return rate_frame(units, year, count_by_unit(t, solved), count_by_unit(t, judged))


#: Default limits (hours from dispatch) for 及时签收 and 先行联系; set per district.
SIGN_HOURS = 4.0
CONTACT_HOURS = 24.0


def _within_hours(t: pd.DataFrame, column: str, hours: float):
    elapsed = (t[column] - t["dispatched_at"]).dt.total_seconds() / 3600.0
    return (t[column].notna() & (elapsed <= hours)).to_numpy()


def hotline_signed_rate(dataset, year: int, hours: float = SIGN_HOURS) -> pd.DataFrame:
    """12345 及时签收率 — tickets signed for within the limit after dispatch.

    及时签收率 = 规定时间内签收工单数 / 派单数 × 100%; default limit 4 hours (a parameter:
    districts set their own). Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (99.6 %, Lianyungang S12).
    """
    t = dataset.table("hotline_tickets", year)
    units = dataset.units["unit_id"]
    return rate_frame(units, year, count_by_unit(t, _within_hours(t, "signed_at", hours)), count_by_unit(t))


def hotline_contact_rate(dataset, year: int, hours: float = CONTACT_HOURS) -> pd.DataFrame:
    """12345 先行联系率 — citizens contacted within the limit after dispatch.

    先行联系率 = 规定时间内先行联系工单数 / 派单数 × 100%; default limit 24 hours (a
    parameter). Unit: %. Direction: higher is better. Source: domain brief §1.5 (S12, S21).
    """
    t = dataset.table("hotline_tickets", year)
    units = dataset.units["unit_id"]
    return rate_frame(units, year, count_by_unit(t, _within_hours(t, "contacted_at", hours)), count_by_unit(t))
