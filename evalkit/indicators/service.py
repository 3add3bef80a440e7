"""Administrative service cases (政务服务办件): time limits, online handling, ratings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..workdays import calendar_for_dates
from .base import count_by_unit, rate_frame

GOOD_RATINGS = ("very_satisfied", "satisfied", "fairly_satisfied")


def service_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """政务服务按时办结率 — on-time completion rate of service cases.

    按时办结率 = 在承诺时限内办结的办件数 / 应办结办件数 × 100%.
    On-time: working days from receipt to completion (receipt day = day 0) ≤ the promised
    limit. 应办结 (due) = completed cases plus pending cases whose promised deadline passed
    by 31 December. Unit: %. Direction: higher is better. Source: domain brief §1.5
    (按时办结数 / 应办结数), Fujian 限时办结 rules (S48).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    if cases.empty:
        return rate_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    received = cases["received_date"]
    end = pd.Timestamp(year=year, month=12, day=31)
    cal = calendar_for_dates(received, cases["completed_date"], [end])
    completed = cases["completed_date"].notna().to_numpy()
    limit = cases["promised_limit_days"].astype("float64").to_numpy()
    used = cal.working_days_between(received, cases["completed_date"])
    on_time = completed & (used <= limit)
    elapsed_at_end = cal.working_days_between(received, pd.Series(end, index=cases.index))
    overdue_pending = ~completed & (elapsed_at_end > limit)
    due = completed | overdue_pending
    return rate_frame(units, year, count_by_unit(cases, on_time), count_by_unit(cases, due))


def service_online_rate(dataset, year: int) -> pd.DataFrame:
    """全程网办率 — share of completed cases handled online end to end.

    全程网办率 = 全程网办办结数 / 办结总数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (Shanghai 一网通办 >70–80 %).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    done = cases["completed_date"].notna().to_numpy()
    online = done & (cases["channel"] == "online").to_numpy()
    return rate_frame(units, year, count_by_unit(cases, online), count_by_unit(cases, done))


def service_instant_share(dataset, year: int) -> pd.DataFrame:
    """即办件比例 — share of cases completed on the spot.

    即办件比例 = 即办件数 / 全部办件数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5; implementation opinion 五.1 (扩大即办事项比例).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    instant = cases["instant"].fillna(False).astype(bool).to_numpy()
    return rate_frame(units, year, count_by_unit(cases, instant), count_by_unit(cases))


def service_good_rating_rate(dataset, year: int) -> pd.DataFrame:
    """好差评 好评率 — share of rated cases rated 非常满意, 满意 or 基本满意.

    好评率 = 好评数 / 评价数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (99 %+ typical; S26–S28).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    rated = cases["rating"].notna().to_numpy()
    good = cases["rating"].isin(GOOD_RATINGS).to_numpy()
    return rate_frame(units, year, count_by_unit(cases, good), count_by_unit(cases, rated))
