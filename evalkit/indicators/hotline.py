"""12345 citizen hotline tickets (12345热线工单)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import counted, tally_rule, year_end
from .base import rate_frame


#: Default limits (hours from dispatch) for 及时签收 and 先行联系. A district sets its own in
#: its ``indicators.yaml`` (:class:`~evalkit.indicators.parameters.IndicatorParameters`).
SIGN_HOURS = 4.0
CONTACT_HOURS = 24.0

# What the hotline indicators count (see evalkit.indicators._common).
T = "hotline_tickets"


@tally_rule(T, "tickets", used_by=["hotline_signed_rate", "hotline_contact_rate"])
def _tickets(year: int):
    return lambda b: {"n": None}


@tally_rule(T, "closed", used_by=["cost_per_case"])
def _closed(year: int):
    return lambda b: {"n": b.present("closed_at")}


@tally_rule(T, "on_time", used_by=["hotline_on_time_rate"])
def _on_time(year: int):
    last = year_end(year).to_datetime64()

    def rows(b):
        closed = b.present("closed_at")
        return {"on_time": closed & (b.times("closed_at") <= b.times("due_at")),  # NaT compares false
                "due": closed | (b.times("due_at") <= last)}
    return rows


@tally_rule(T, "satisfaction", used_by=["hotline_satisfaction_rate"])
def _satisfaction(year: int):
    return lambda b: {"good": b.isin("callback_satisfaction", ["satisfied", "fairly_satisfied"]),
                      "reached": b.present("callback_satisfaction")}


@tally_rule(T, "solved", used_by=["hotline_solved_rate"])
def _solved(year: int):
    def rows(b):
        judged = b.present("closed_at") & b.present("solved")
        return {"solved": judged & b.flags("solved"), "judged": judged}
    return rows


def _within_hours_of_dispatch(b, column: str, hours: float) -> np.ndarray:
    """``column`` at most ``hours`` after dispatch, i.e. ``(column − dispatched_at)
    .total_seconds() / 3600 ≤ hours`` (false where either time is missing).

    When the limit is a whole number of clock ticks (4 h, 24 h …) this is exactly the
    integer comparison ``ticks ≤ limit`` (the float formula rounds far less than one tick),
    which needs no division; otherwise the seconds are computed as pandas does.
    """
    gap = b.times(column) - b.times("dispatched_at")  # NaT if either is missing
    known = ~np.isnat(gap)
    unit, count = np.datetime_data(gap.dtype)
    per_second = _TICKS_PER_SECOND[unit] // count
    ticks = gap.view(np.int64)
    limit = hours * 3600.0 * per_second
    if float(limit).is_integer() and abs(limit) < 2.0 ** 53:
        return known & (ticks <= int(limit))
    seconds, rest = np.divmod(ticks, per_second)
    return known & ((seconds + rest / per_second) / 3600.0 <= hours)


_TICKS_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _within_hours(column: str, hours: float):
    return lambda b: {"within": b.present(column) & _within_hours_of_dispatch(b, column, hours)}


@tally_rule(T, "signed", used_by=["hotline_signed_rate"], settings=lambda p: (p.hotline_sign_hours,))
def _signed(year: int, hours: float):
    return _within_hours("signed_at", hours)


@tally_rule(T, "contacted", used_by=["hotline_contact_rate"], settings=lambda p: (p.hotline_contact_hours,))
def _contacted(year: int, hours: float):
    return _within_hours("contacted_at", hours)


def hotline_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """12345 按时办结率 — tickets closed by their deadline.

    按时办结率 = 按时办结工单数 / 应办结工单数 × 100%; 应办结 = closed tickets plus open
    tickets already past their deadline at year end. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (96–100 %; S12, S16). Units with no tickets: no data.
    """
    t = counted(dataset, T, year, "on_time")
    return rate_frame(dataset.units["unit_id"], year, t["on_time"], t["due"])


def hotline_satisfaction_rate(dataset, year: int) -> pd.DataFrame:
    """12345 回访满意率 — callbacks that found the citizen satisfied.

    回访满意率 = (满意 + 基本满意) / 回访成功数 × 100%. Unit: %. Direction: higher is
    better. Source: domain brief §1.5 (80–96 %; S12, S15–S17).
    """
    t = counted(dataset, T, year, "satisfaction")
    return rate_frame(dataset.units["unit_id"], year, t["good"], t["reached"])


def hotline_solved_rate(dataset, year: int) -> pd.DataFrame:
    """12345 实际解决率 — closed tickets whose request was actually solved.

    实际解决率 = 认定已解决工单数 / 办结且已认定工单数 × 100%. Unit: %. Direction:
    higher is better. Source: domain brief §1.5 (≈ 82 %, S16).
    """
    t = counted(dataset, T, year, "solved")
    return rate_frame(dataset.units["unit_id"], year, t["solved"], t["judged"])


def hotline_signed_rate(dataset, year: int, hours: float = SIGN_HOURS) -> pd.DataFrame:
    """12345 及时签收率 — tickets signed for within the limit after dispatch.

    及时签收率 = 规定时间内签收工单数 / 派单数 × 100%; default limit 4 hours (a parameter:
    districts set their own, ``IndicatorParameters.hotline_sign_hours``). Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (99.6 %, Lianyungang S12).
    """
    units = dataset.units["unit_id"]
    within = counted(dataset, T, year, "signed", hours)["within"]
    return rate_frame(units, year, within, counted(dataset, T, year, "tickets")["n"])


def hotline_contact_rate(dataset, year: int, hours: float = CONTACT_HOURS) -> pd.DataFrame:
    """12345 先行联系率 — citizens contacted within the limit after dispatch.

    先行联系率 = 规定时间内先行联系工单数 / 派单数 × 100%; default limit 24 hours (a
    parameter, ``IndicatorParameters.hotline_contact_hours``). Unit: %. Direction: higher is better. Source: domain brief §1.5 (S12, S21).
    """
    units = dataset.units["unit_id"]
    within = counted(dataset, T, year, "contacted", hours)["within"]
    return rate_frame(units, year, within, counted(dataset, T, year, "tickets")["n"])
