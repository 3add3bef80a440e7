"""Administrative service cases (政务服务办件): time limits, online handling, ratings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import Rows, counted, last_day, records, tally_rule
from .base import rate_frame

GOOD_RATINGS = ("very_satisfied", "satisfied", "fairly_satisfied")


# What the service-case indicators count (see evalkit.indicators._common: compute_indicators
# counts the rules of every requested indicator in one pass over the cases).
T = "service_cases"


@tally_rule(T, "cases", used_by=["service_instant_share", "service_rating_participation_rate"])
def _cases(year: int):
    return lambda b: {"n": None}


@tally_rule(T, "completed", used_by=["service_online_rate", "cost_per_case"])
def _completed(year: int):
    return lambda b: {"n": b.present("completed_date")}


@tally_rule(T, "rated", used_by=["service_good_rating_rate", "service_rating_participation_rate"])
def _rated(year: int):
    return lambda b: {"n": b.present("rating")}


@tally_rule(T, "on_time", used_by=["service_on_time_rate"])
def _on_time(year: int):
    end = last_day(year)

    def rows(b):
        completed = b.present("completed_date")
        limit = b.floats("promised_limit_days")
        used = b.working_days("received_date", "completed_date")
        elapsed_at_end = b.working_days("received_date", end)
        # deadline ≤ 31 Dec ⇔ the limit is reached by then (a case due on a Friday before a
        # year-end weekend is overdue although the count stays at the limit until 31 Dec)
        return {"on_time": completed & (used <= limit), "due": completed | (elapsed_at_end >= limit)}
    return rows


@tally_rule(T, "online", used_by=["service_online_rate"])
def _online(year: int):
    return lambda b: {"online": b.present("completed_date") & b.isin("channel", ["online"])}


@tally_rule(T, "instant", used_by=["service_instant_share"])
def _instant(year: int):
    return lambda b: {"instant": b.flags("instant")}


@tally_rule(T, "good", used_by=["service_good_rating_rate"])
def _good(year: int):
    return lambda b: {"good": b.isin("rating", GOOD_RATINGS)}


@tally_rule(T, "compression", used_by=["service_time_compression_rate"])
def _compression(year: int):
    def rows(b):
        statutory = b.floats("statutory_limit_days")
        promised = b.floats("promised_limit_days")
        keep = statutory > 0  # NaN compares false: nan_to_num(statutory) > 0
        return {"cut": (statutory - promised, keep), "statutory": (statutory, keep)}
    return rows


@tally_rule(T, "speedup", used_by=["service_speedup_rate"])
def _speedup(year: int):
    def rows(b):
        promised = b.floats("promised_limit_days")
        # 即办件 are left out by their flag; the contract gives them a promised limit of 0,
        # and a case with no promised limit has no speed-up to measure either.
        keep = b.present("completed_date") & ~b.flags("instant") & (promised > 0)
        # no calendar is needed (nor built) for blocks without a kept case
        used = b.working_days("received_date", "completed_date") if keep.any() else 0.0
        return {"saved": (promised - used, keep), "promised": (promised, keep)}
    return rows


def service_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """政务服务按时办结率 — on-time completion rate of service cases.

    按时办结率 = 在承诺时限内办结的办件数 / 应办结办件数 × 100%.
    On-time: working days from receipt to completion (receipt day = day 0) ≤ the promised
    limit. 应办结 (due) = completed cases plus pending cases whose promised deadline (the
    day the limit-th working day after receipt is reached) fell on or before 31 December.
    Unit: %. Direction: higher is better. Source: domain brief §1.5 (按时办结数 / 应办结数),
    Fujian 限时办结 rules (S48).
    """
    units = dataset.units["unit_id"]
    if records(dataset, T, year).empty:
        return rate_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    t = counted(dataset, T, year, "on_time")
    return rate_frame(units, year, t["on_time"], t["due"])


def service_online_rate(dataset, year: int) -> pd.DataFrame:
    """全程网办率 — share of completed cases handled online end to end.

    全程网办率 = 全程网办办结数 / 办结总数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (Shanghai 一网通办 >70–80 %).
    """
    units = dataset.units["unit_id"]
    return rate_frame(units, year, counted(dataset, T, year, "online")["online"],
                      counted(dataset, T, year, "completed")["n"])


def service_instant_share(dataset, year: int) -> pd.DataFrame:
    """即办件比例 — share of cases completed on the spot.

    即办件比例 = 即办件数 / 全部办件数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5; implementation opinion 五.1 (扩大即办事项比例).
    """
    units = dataset.units["unit_id"]
    return rate_frame(units, year, counted(dataset, T, year, "instant")["instant"],
                      counted(dataset, T, year, "cases")["n"])


def service_good_rating_rate(dataset, year: int) -> pd.DataFrame:
    """好差评 好评率 — share of rated cases rated 非常满意, 满意 or 基本满意.

    好评率 = 好评数 / 评价数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (99 %+ typical; S26–S28).
    """
    units = dataset.units["unit_id"]
    return rate_frame(units, year, counted(dataset, T, year, "good")["good"],
                      counted(dataset, T, year, "rated")["n"])


def service_time_compression_rate(dataset, year: int) -> pd.DataFrame:
    """承诺时限压缩率 — how much shorter the promised limits are than the statutory ones.

    压缩率 = 1 − Σ承诺时限 / Σ法定时限 (× 100%), over the year's cases with a statutory
    limit > 0 (case-weighted: busy items count more). Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (办理时限平均减少 62 %, Shanghai 2021, S28; 承诺 must be
    shorter than 法定, S48).
    """
    units = dataset.units["unit_id"]
    t = counted(dataset, T, year, "compression")
    return rate_frame(units, year, t["cut"], t["statutory"], n=t.counts["statutory"])


def service_speedup_rate(dataset, year: int) -> pd.DataFrame:
    """实际提速率 — how much faster cases were completed than promised.

    提速率 = 1 − Σ实际用时 / Σ承诺时限 (× 100%), actual time in working days (receipt day
    = day 0), over completed cases that are not 即办件 (flag ``instant`` false) and have a
    promised limit > 0. A 即办件 is left out by its flag (the contract requires its promised
    limit to be 0; validation reports one with a limit). Unit: %. Direction: higher is
    better. Source: domain brief §1.5 (72–93 %, Fangchenggang 2011, S29).
    """
    units = dataset.units["unit_id"]
    t = counted(dataset, T, year, "speedup")
    if t.counts["promised"].empty:
        return rate_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    return rate_frame(units, year, t["saved"], t["promised"], n=t.counts["promised"])


#: Working days within which a bad rating must be rectified (差评整改时限); a district sets
#: its own in ``indicators.yaml`` (``IndicatorParameters.bad_rating_fix_days``).
BAD_RATING_FIX_DAYS = 15
BAD_RATINGS = ("dissatisfied", "very_dissatisfied")


def service_bad_rating_fix_rate(dataset, year: int, days: int = BAD_RATING_FIX_DAYS) -> pd.DataFrame:
    """好差评 差评整改率 — bad ratings rectified within 15 working days.

    差评整改率 = 15个工作日内整改的差评数 / 差评数 × 100%; the clock starts on the case's
    completion date (the rating follows completion). The limit, 15 working days by
    default, is a parameter (``days``). Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (S25, S27: 差评 rectified within 15 working days).
    """
    units = dataset.units["unit_id"]
    t = counted(dataset, T, year, "bad_fix", days)
    return rate_frame(units, year, t["fixed"], t["bad"])


@tally_rule(T, "bad_fix", used_by=["service_bad_rating_fix_rate"], settings=lambda p: (p.bad_rating_fix_days,))
def _bad_fix(year: int, days: int):
    return _bad_fix_rows(days)


def _bad_fix_rows(days: int):
    def rows(b):
        at = np.flatnonzero(b.isin("rating", BAD_RATINGS))  # a small share of the cases
        fixed = at[:0]
        if at.size:
            day = lambda column: b.times(column)[at].astype("datetime64[D]")  # noqa: E731
            completed = day("completed_date")
            start = np.where(np.isnat(completed), day("received_date"), completed)
            rectified = day("bad_rating_rectified_date")
            cal = b.records.calendar_for("received_date", "completed_date", "bad_rating_rectified_date")
            used = cal.cumulative_at(rectified) - cal.cumulative_at(start)
            fixed = at[~np.isnat(rectified) & (used <= days)]
        return {"fixed": Rows(fixed), "bad": Rows(at)}
    return rows


def service_rating_participation_rate(dataset, year: int) -> pd.DataFrame:
    """好差评 主动评价率 — share of cases the applicant rated.

    主动评价率 = 评价数 / 办件数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (64 %, Shanwei S26; 99.8 % one district, S25).
    """
    units = dataset.units["unit_id"]
    return rate_frame(units, year, counted(dataset, T, year, "rated")["n"], counted(dataset, T, year, "cases")["n"])
