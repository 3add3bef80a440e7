"""High-volume event tables: service cases, 12345 hotline tickets and grid cases.

Everything is drawn with vectorised numpy operations (no loop over records), so tens of
millions of rows generate in seconds. Rows are sorted by their anchor time and numbered
in that order, so they are also sorted by their id (the key).

Magnitudes follow the domain brief §4.3; see the module constants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import WORKDAY_SECONDS
from .columns import (choose, dates, deficit_rate, labels, prefixed_numbers, sequential_ids,
                      spread_counts)
from . import in_year
from .context import YearContext
from .district import NO_TICKET_UNIT, POOR_GRID_UNIT, POOR_HOTLINE_UNIT, WEAK_HOTLINE_UNITS

NAT = np.datetime64("NaT")

# ----------------------------------------------------------------------------------------
# Service cases (政务服务办件)
# ----------------------------------------------------------------------------------------

#: Statutory time limits (working days) and how often items carry each.
STATUTORY_DAYS = np.array([5, 7, 10, 15, 20], dtype=np.int16)
STATUTORY_SHARE = (0.20, 0.15, 0.30, 0.20, 0.15)
#: Promised limit as a share of the statutory one (承诺时限 = 35–60 % of 法定时限).
PROMISED_SHARE = (0.35, 0.60)
#: Actual time as a share of the promised limit (10–30 %).
ACTUAL_SHARE = (0.10, 0.30)
#: Share of slow cases that take 30–100 % of the promised time.
SLOW_SHARE = 0.08
RATING_CODES = ("very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied",
                "very_dissatisfied")
#: Bad ratings per rated case: the brief's 1–5 per 100,000, but at least ≈ 10 a year in
#: small samples so that the rectification paths appear.
BAD_RATING_RATE = 3e-5
MIN_BAD_RATINGS = 10


def service_cases(ctx: YearContext) -> pd.DataFrame:
    """The ``service_cases`` table of one year (政务服务办件).

    Sub-districts' community service centres get ≈ 3–5 k cases each in the compact sample;
    the district centre's 24 departments share the rest, heavy-tailed. Per unit: 即办件
    30–60 %, 全程网办 70–85 %, 主动评价 60–99 %, 超期 0–0.5 %.
    """
    rng = ctx.rng("service_cases")
    u = ctx.units
    serving = np.flatnonzero(u["w_service"].to_numpy() > 0)
    q = u["quality"].to_numpy()[serving]
    nu = len(serving)
    counts = spread_counts(rng, ctx.spec.total_cases,
                           u["w_service"].to_numpy()[serving] * rng.lognormal(0.0, 0.08, nu))
    instant_share = rng.uniform(0.30, 0.60, nu)
    online_share = rng.uniform(0.70, 0.85, nu)
    rated_share = np.clip(rng.uniform(0.62, 0.97, nu) + 0.01 * q, 0.60, 0.99)
    overdue_share = deficit_rate(rng, q, 0.0012, 0.7, 0.3, cap=0.005)
    fair_share = deficit_rate(rng, q, 0.02, 0.3, 0.3, cap=0.06)
    very_share = rng.uniform(0.72, 0.90, nu)
    bad_weight = np.exp(-0.5 * q)
    n_items = 6 + (u["w_service"].to_numpy()[serving] * 2).astype(int)

    n = int(counts.sum())
    unit = np.repeat(np.arange(nu), counts)
    days = ctx.workdays()
    day = rng.integers(0, len(days), n).astype(np.int32)
    order = np.argsort(day, kind="stable")  # units are in order already: sorts by (day, unit)
    unit, day = unit[order], day[order]
    del order
    received = days[day]

    statutory = STATUTORY_DAYS[choose(rng, STATUTORY_SHARE, n)]
    instant = rng.random(n) < instant_share[unit]
    promised = np.clip(np.rint(statutory * rng.uniform(*PROMISED_SHARE, n)),
                       np.ceil(statutory * PROMISED_SHARE[0]), np.floor(statutory * PROMISED_SHARE[1]))
    promised = np.where(instant, 0, promised).astype(np.int16)
    # most cases take 10–30 % of the promised time; a tail (materials missing …) up to it
    share = np.where(rng.random(n) < SLOW_SHARE, rng.uniform(ACTUAL_SHARE[1], 1.0, n),
                     rng.uniform(*ACTUAL_SHARE, n))
    used = np.rint(promised * share).astype(np.int64)
    overdue = ~instant & (rng.random(n) < overdue_share[unit])
    used = np.where(overdue, promised + rng.integers(1, 4, n), used)
    completed = ctx.known(ctx.calendar.add_workdays(received, used))

    done = ~np.isnat(completed)
    rated = done & (rng.random(n) < rated_share[unit])
    expected_rated = max(float(rated.sum()), 1.0)
    bad_rate = max(BAD_RATING_RATE, MIN_BAD_RATINGS / expected_rated)
    p_bad = bad_rate * bad_weight[unit] / np.average(bad_weight[unit]) if n else np.zeros(0)
    draw = rng.random(n)
    bad = rated & (draw < p_bad)
    fair = rated & ~bad & (rng.random(n) < fair_share[unit])
    very = rated & ~bad & ~fair & (rng.random(n) < very_share[unit])
    very_bad = bad & (rng.random(n) < 0.35)
    rating = np.full(n, -1, dtype=np.int64)
    rating[rated] = 1
    rating[very] = 0
    rating[fair] = 2
    rating[bad] = 3
    rating[very_bad] = 4

    # Bad ratings are rectified within 3–10 working days as a rule; some late, very few never.
    rectified = np.full(n, NAT, dtype="datetime64[D]")
    bad_rows = np.flatnonzero(bad)
    if bad_rows.size:
        r = rng.random(bad_rows.size)
        delay = np.where(r < 0.9, rng.integers(3, 11, bad_rows.size),
                         rng.integers(16, 31, bad_rows.size))
        fixed = ctx.known(ctx.calendar.add_workdays(completed[bad_rows], delay))
        rectified[bad_rows] = np.where(r > 0.99, NAT, fixed)

    item = np.minimum(rng.geometric(0.12, n) - 1, n_items[unit] - 1)
    unit_no = u["unit_no"].to_numpy()[serving]
    no_item = rng.random(n) < 0.005
    online = rng.random(n) < online_share[unit]

    return pd.DataFrame({
        "case_id": sequential_ids(f"SC{ctx.year}", n, 7),
        "unit_id": labels(serving[unit], u["unit_id"]),
        "item_code": prefixed_numbers("SX", unit_no[unit] * 1000 + item, 5, missing=no_item),
        "received_date": dates(received),
        "statutory_limit_days": statutory,
        "promised_limit_days": promised,
        "completed_date": dates(completed),
        "channel": labels(np.where(online, 0, 1), ("online", "offline")),
        "instant": instant,
        "rating": labels(rating, RATING_CODES),
        "bad_rating_rectified_date": dates(rectified),
    })


# ----------------------------------------------------------------------------------------
# 12345 hotline tickets (12345热线工单)
# ----------------------------------------------------------------------------------------

TICKET_CATEGORIES = ("consultation", "help", "complaint", "report", "suggestion")
#: Early Shanghai mix (咨询 47.3 %, 求助 22.7 %, 投诉 14.8 %), the rest split; 1.5 % unknown.
TICKET_CATEGORY_SHARE = (0.473, 0.227, 0.148, 0.085, 0.052, 0.015)
#: Time limit in working days by category (1 / 5 / 15), unknown category: 5.
TICKET_LIMIT_DAYS = np.array([1, 5, 5, 15, 15, 5], dtype=np.int64)
CALLBACK_CODES = ("satisfied", "fairly_satisfied", "dissatisfied")
HOUR = 3600


def _summer_weights(days: np.ndarray, peak_doy: int = 200, width: float = 35.0,
                    lift: float = 0.4) -> np.ndarray:
    """Relative daily volume with a summer peak (heat, water, noise)."""
    doy = (days - days.astype("datetime64[Y]")).astype(np.int64)
    w = 1.0 + lift * np.exp(-(((doy - peak_doy) / width) ** 2))
    return w / w.sum()


def _daytime(times: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move time stamps outside 08:00–20:00 to the next morning (08:30–10:00)."""
    day = times.astype("datetime64[D]")
    second = (times - day.astype("datetime64[s]")).astype(np.int64)
    night = (second < 8 * HOUR) | (second >= 20 * HOUR)
    next_day = np.where(second >= 20 * HOUR, day + np.timedelta64(1, "D"), day)
    morning = next_day.astype("datetime64[s]") + (8.5 * HOUR + rng.uniform(0, 1.5 * HOUR, len(times))
                                                   ).astype(np.int64).astype("timedelta64[s]")
    return np.where(night, morning, times)


def hotline_tickets(ctx: YearContext) -> pd.DataFrame:
    """The ``hotline_tickets`` table of one year (12345 工单).

    Tickets are dispatched in office hours (08:30–17:30) on working days, with a summer
    peak, and closed in office hours as a rule. Signed for within 0.1–4 h (clock time) as a rule;
    citizen contacted within the day (never at night); deadline 1, 5 or 15 working days by
    category. Per unit: on-time 96–100 % (median ≈ 99 %, one unit ≈ 84 %), callback
    satisfaction 85–97 % of reached callbacks (≈ 10 % not reached), solved 75–90 %.
    :data:`~evalkit.sample.district.NO_TICKET_UNIT` receives no ticket.
    """
    rng = ctx.rng("hotline_tickets")
    cal = ctx.calendar
    u = ctx.units
    weights = u["w_hotline"].to_numpy().copy()
    weights[(u["unit_id"] == NO_TICKET_UNIT).to_numpy()] = 0.0
    serving = np.flatnonzero(weights > 0)
    q = u["quality"].to_numpy()[serving]
    ids = u["unit_id"].to_numpy()[serving]
    nu = len(serving)
    counts = spread_counts(rng, ctx.spec.total_tickets,
                           weights[serving] * rng.lognormal(0.0, 0.1, nu))
    late_share = deficit_rate(rng, q, 0.009, 0.6, 0.35, cap=0.05)
    weak = np.isin(ids, WEAK_HOTLINE_UNITS)
    late_share[weak] = rng.uniform(0.04, 0.08, weak.sum())
    poor = ids == POOR_HOTLINE_UNIT
    late_share[poor] = rng.uniform(0.12, 0.18, poor.sum())
    late_sign_share = deficit_rate(rng, q, 0.006, 0.5, 0.3, cap=0.03)
    unhappy_share = deficit_rate(rng, q, 0.065, 0.3, 0.25, floor=0.025, cap=0.15)
    unhappy_share[poor] = rng.uniform(0.18, 0.24, poor.sum())
    solved_share = np.clip(0.83 + 0.025 * q + rng.normal(0.0, 0.02, nu), 0.76, 0.90)
    unreached_share = rng.uniform(0.07, 0.13, nu)

    n = int(counts.sum())
    unit = np.repeat(np.arange(nu), counts)[rng.permutation(n)]
    days = ctx.workdays()
    day = rng.choice(len(days), size=n, p=_summer_weights(days))
    dispatched = cal.work_second_of_day_start(days[day]) + rng.integers(0, WORKDAY_SECONDS, n)
    order = np.argsort(dispatched, kind="stable")
    dispatched, unit = dispatched[order], unit[order]

    category = choose(rng, TICKET_CATEGORY_SHARE, n)
    limit = TICKET_LIMIT_DAYS[category]
    category = np.where(category == len(TICKET_CATEGORIES), -1, category)
    due = dispatched + limit * WORKDAY_SECONDS

    # Signing and first contact are clock time (units sign on the app in the evening too);
    # contact never happens at night: it moves to the next morning.
    dispatched_at = cal.to_datetime(dispatched)
    sign_delay = np.clip(rng.lognormal(np.log(0.6 * HOUR), 0.9, n), 0.1 * HOUR, 4 * HOUR)
    late_sign = rng.random(n) < late_sign_share[unit]
    sign_delay = np.where(late_sign, rng.uniform(4 * HOUR, 20 * HOUR, n), sign_delay)
    signed = dispatched_at + sign_delay.astype("timedelta64[s]")
    never_signed = rng.random(n) < 0.0005
    contact_delay = np.clip(rng.lognormal(np.log(1.2 * HOUR), 0.8, n), 0.05 * HOUR, 6 * HOUR)
    late_contact = rng.random(n) < 0.005
    contact_delay = np.where(late_contact, rng.uniform(24 * HOUR, 72 * HOUR, n), contact_delay)
    contacted = _daytime(signed + contact_delay.astype("timedelta64[s]"), rng)
    never_contacted = never_signed | (rng.random(n) < 0.002)

    # Closing is office work: a share of the allowed working time, after the contact.
    allowed = limit * WORKDAY_SECONDS
    closed = cal.to_datetime(dispatched + (allowed * rng.uniform(0.15, 0.98, n)).astype(np.int64))
    earliest = np.where(never_contacted, signed, contacted) + np.timedelta64(600, "s")
    closed = np.maximum(closed, earliest)
    month = dispatched_at.astype("datetime64[M]").astype(np.int64) % 12 + 1
    late = rng.random(n) < in_year.hotline_late_share(ctx.year, ids[unit], month, late_share[unit])
    overdue = cal.to_datetime(due + (rng.uniform(0.05, 5.0, n) * WORKDAY_SECONDS).astype(np.int64))
    closed = np.where(late, np.maximum(overdue, earliest), closed)

    signed_at = ctx.known(np.where(never_signed, NAT, signed))
    contacted_at = ctx.known(np.where(never_contacted, NAT, contacted))
    closed_at = ctx.known(np.where(never_signed, NAT, closed))
    is_closed = ~np.isnat(closed_at)

    reached = is_closed & (rng.random(n) >= unreached_share[unit])
    unhappy = rng.random(n) < unhappy_share[unit]
    callback = np.where(unhappy, 2, np.where(rng.random(n) < 0.78, 0, 1))
    callback = np.where(reached, callback, -1)
    solved = rng.random(n) < solved_share[unit]
    solved_known = is_closed & (rng.random(n) >= 0.03)

    return pd.DataFrame({
        "ticket_id": sequential_ids(f"RX{ctx.year}", n, 7),
        "unit_id": labels(serving[unit], u["unit_id"]),
        "category": labels(category, TICKET_CATEGORIES),
        "dispatched_at": dates(dispatched_at),
        "signed_at": dates(signed_at),
        "contacted_at": dates(contacted_at),
        "closed_at": dates(closed_at),
        "due_at": dates(cal.to_datetime(due)),
        "callback_satisfaction": labels(callback, CALLBACK_CODES),
        "solved": pd.arrays.BooleanArray(solved, ~solved_known),
    })


# ----------------------------------------------------------------------------------------
# Grid cases (网格化管理案件)
# ----------------------------------------------------------------------------------------

#: Grid case categories and their disposal limit in working days.
GRID_CATEGORIES = (
    ("事件-暴露垃圾", 1), ("事件-占道经营", 1), ("事件-乱张贴", 2), ("事件-噪声扰民", 2),
    ("事件-违规装修", 5), ("事件-群租", 10), ("部件-井盖破损", 1), ("部件-路灯损坏", 3),
    ("部件-人行道板破损", 5), ("部件-垃圾箱破损", 3),
)
GRID_CATEGORY_SHARE = (0.22, 0.16, 0.12, 0.10, 0.07, 0.03, 0.06, 0.08, 0.09, 0.07)


def grid_cases(ctx: YearContext) -> pd.DataFrame:
    """The ``grid_cases`` table of one year (网格化管理案件).

    Mostly sub-districts, plus the city-management departments. Per unit: 结案 ≥ 99.5 %,
    按期结案 96–100 % (one sub-district ≈ 80–88 %), 返工 0.05–0.5 %, 延期 0.02–0.2 %.
    """
    rng = ctx.rng("grid_cases")
    cal = ctx.calendar
    u = ctx.units
    serving = np.flatnonzero(u["w_grid"].to_numpy() > 0)
    q = u["quality"].to_numpy()[serving]
    ids = u["unit_id"].to_numpy()[serving]
    nu = len(serving)
    counts = spread_counts(rng, ctx.spec.total_grid_cases,
                           u["w_grid"].to_numpy()[serving] * rng.lognormal(0.0, 0.1, nu))
    late_share = deficit_rate(rng, q, 0.012, 0.6, 0.35, cap=0.04)
    poor = ids == POOR_GRID_UNIT
    late_share[poor] = rng.uniform(0.12, 0.19, poor.sum())
    open_share = deficit_rate(rng, q, 0.001, 0.5, 0.3, cap=0.005)
    rework_share = deficit_rate(rng, q, 0.0015, 0.5, 0.4, floor=0.0005, cap=0.005)
    extend_share = rng.uniform(0.0002, 0.002, nu)

    n = int(counts.sum())
    unit = np.repeat(np.arange(nu), counts)
    all_days = np.arange(ctx.year_start, ctx.year_end + np.timedelta64(1, "D"))
    day = rng.choice(len(all_days), size=n, p=_summer_weights(all_days, lift=0.3))
    order = np.argsort(day, kind="stable")  # by (day, unit)
    unit, opened = unit[order], all_days[day[order]]

    category = choose(rng, GRID_CATEGORY_SHARE, n)
    limit = np.array([k for _, k in GRID_CATEGORIES], dtype=np.int64)[category]
    due = cal.add_workdays(opened, limit)
    late = rng.random(n) < late_share[unit]
    closed = np.where(late, cal.add_workdays(due, rng.integers(1, 16, n)),
                      cal.add_workdays(opened, (limit * rng.random(n)).astype(np.int64)))
    closed = ctx.known(np.where(rng.random(n) < open_share[unit], NAT, closed))
    is_closed = ~np.isnat(closed)
    names = tuple(name for name, _ in GRID_CATEGORIES)
    category = np.where(rng.random(n) < 0.01, -1, category)

    return pd.DataFrame({
        "case_id": sequential_ids(f"WG{ctx.year}", n, 6),
        "unit_id": labels(serving[unit], u["unit_id"]),
        "category": labels(category, names),
        "opened_date": dates(opened),
        "due_date": dates(due),
        "closed_date": dates(closed),
        "reworked": is_closed & (rng.random(n) < rework_share[unit]),
        "extended": rng.random(n) < extend_share[unit],
    })
