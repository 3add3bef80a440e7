"""Administrative service cases (政务服务办件): time limits, online handling, ratings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..workdays import calendar_for_dates
from .base import count_by_unit, rate_frame, sum_by_unit

GOOD_RATINGS = ("very_satisfied", "satisfied", "fairly_satisfied")


def service_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """政务服务按时办结率 — on-time completion rate of service cases.

    按时办结率 = 在承诺时限内办结的办件数 / 应办结办件数 × 100%.
    On-time: working days from receipt to completion (receipt day = day 0) ≤ the promised
    limit. 应办结 (due) = completed cases plus pending cases whose promised deadline (the
    day the limit-th working day after receipt is reached) fell on or before 31 December.
    Unit: %. Direction: higher is better. Source: domain brief §1.5 (按时办结数 / 应办结数),
    Fujian 限时办结 rules (S48).
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
    # deadline ≤ 31 Dec ⇔ the limit is reached by then (a case due on a Friday before a
    # year-end weekend is overdue although the count stays at the limit until 31 Dec)
    overdue_pending = ~completed & (elapsed_at_end >= limit)
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


def service_time_compression_rate(dataset, year: int) -> pd.DataFrame:
    """承诺时限压缩率 — how much shorter the promised limits are than the statutory ones.

    压缩率 = 1 − Σ承诺时限 / Σ法定时限 (× 100%), over the year's cases with a statutory
    limit > 0 (case-weighted: busy items count more). Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (办理时限平均减少 62 %, Shanghai 2021, S28; 承诺 must be
    shorter than 法定, S48).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    statutory = cases["statutory_limit_days"].astype("float64").to_numpy()
    promised = cases["promised_limit_days"].astype("float64").to_numpy()
    keep = np.nan_to_num(statutory) > 0
    return rate_frame(units, year, sum_by_unit(cases, statutory - promised, keep),
                      sum_by_unit(cases, statutory, keep), n=count_by_unit(cases, keep))


def service_speedup_rate(dataset, year: int) -> pd.DataFrame:
    """实际提速率 — how much faster cases were completed than promised.

    提速率 = 1 − Σ实际用时 / Σ承诺时限 (× 100%), actual time in working days (receipt day
    = day 0), over completed cases with a promised limit > 0 (即办件 excluded). Unit: %.
    Direction: higher is better. Source: domain brief §1.5 (72–93 %, Fangchenggang 2011, S29).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    promised = cases["promised_limit_days"].astype("float64").to_numpy()
    keep = cases["completed_date"].notna().to_numpy() & (np.nan_to_num(promised) > 0)
    if not keep.any():
        return rate_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    cal = calendar_for_dates(cases["received_date"], cases["completed_date"])
    used = cal.working_days_between(cases["received_date"], cases["completed_date"])
    return rate_frame(units, year, sum_by_unit(cases, promised - used, keep),
                      sum_by_unit(cases, promised, keep), n=count_by_unit(cases, keep))


#: Working days within which a bad rating must be rectified (差评整改时限).
BAD_RATING_FIX_DAYS = 15
BAD_RATINGS = ("dissatisfied", "very_dissatisfied")


def service_bad_rating_fix_rate(dataset, year: int, days: int = BAD_RATING_FIX_DAYS) -> pd.DataFrame:
    """好差评 差评整改率 — bad ratings rectified within 15 working days.

    差评整改率 = 15个工作日内整改的差评数 / 差评数 × 100%; the clock starts on the case's
    completion date (the rating follows completion). Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (S25, S27: 差评 rectified within 15 working days).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    bad = cases[cases["rating"].isin(BAD_RATINGS).to_numpy()]
    if bad.empty:
        return rate_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    start = bad["completed_date"].fillna(bad["received_date"])
    cal = calendar_for_dates(start, bad["bad_rating_rectified_date"])
    used = cal.working_days_between(start, bad["bad_rating_rectified_date"])
    fixed = bad["bad_rating_rectified_date"].notna().to_numpy() & (used <= days)
    return rate_frame(units, year, count_by_unit(bad, fixed), count_by_unit(bad))


def service_rating_participation_rate(dataset, year: int) -> pd.DataFrame:
    """好差评 主动评价率 — share of cases the applicant rated.

    主动评价率 = 评价数 / 办件数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (64 %, Shanwei S26; 99.8 % one district, S25).
    """
    cases = dataset.table("service_cases", year)
    units = dataset.units["unit_id"]
    rated = cases["rating"].notna().to_numpy()
    return rate_frame(units, year, count_by_unit(cases, rated), count_by_unit(cases))
