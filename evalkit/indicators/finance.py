"""Budget execution and audit rectification (财政资金使用)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.as_at import known_at, restricts
from ..data.contract import TABLES
from ..periods import Period
from ._common import counted
from .base import rate_frame, value_frame


def budget_execution_rate(dataset, year: int) -> pd.DataFrame:
    """预算执行率 (年末) — spending against the adjusted budget at year end.

    预算执行率 = 全年累计支出 / (年初预算 + 预算调整) × 100%, summed over all budget lines
    (基本支出, 项目支出, 三公经费; the 三公 line is reported separately from 基本支出).
    Unit: %. Direction: higher is better (target 100 %). Source: domain brief §1.5 (S43, S44).
    """
    b = dataset.table("budget_lines", year)
    units = dataset.units["unit_id"]
    budget = b.groupby(["unit_id", "line"], sort=False)["budget_yuan"].first().groupby("unit_id").sum()
    adjust = b.groupby("unit_id", sort=False)["adjustment_yuan"].sum()
    spent = b.groupby("unit_id", sort=False)["spending_yuan"].sum()
    available = budget.add(adjust, fill_value=0.0)
    months = b.groupby("unit_id", sort=False).size().astype("float64")
    return rate_frame(units, year, spent, available, n=months)


def audit_rectification_rate(dataset, year: int) -> pd.DataFrame:
    """审计问题整改率 — audit findings of the year that have been rectified.

    整改率 = 已整改问题数 / 审计查出问题数 × 100%. A finding counts as rectified when a
    rectification item (source 审计) for it is closed, in any loaded year's folder. For a
    month, a quarter or the year to date: the period's findings, and the items closed by its
    cut-off (an item closed later is not closed yet).
    Unit: %. Direction: higher is better. Source: domain brief §1.5 (95 %, S42).
    """
    findings = dataset.table("audit_findings", year)
    units = dataset.units["unit_id"]
    closed_ids: set[str] = set()
    for y in dataset.years:
        if restricts(year) and y > int(year):
            continue
        r = dataset.table("rectifications", y)
        if restricts(year):
            r = known_at(r, TABLES["rectifications"], year.cutoff)
        done = r[(r["source"] == "audit") & (r["status"] == "closed")]
        closed_ids.update(done["finding_id"].dropna().astype(str))
    fixed = findings["finding_id"].astype(str).isin(closed_ids)
    num = findings[fixed.to_numpy()].groupby("unit_id").size().astype("float64")
    den = findings.groupby("unit_id").size().astype("float64")
    return rate_frame(units, year, num, den)


def _budget_totals(b: pd.DataFrame) -> pd.DataFrame:
    """Per unit: initial budget (Σ lines), adjustments and spending of the year."""
    budget = b.groupby(["unit_id", "line"], sort=False)["budget_yuan"].first().groupby("unit_id").sum()
    return pd.DataFrame({"budget": budget,
                         "adjust": b.groupby("unit_id")["adjustment_yuan"].sum(),
                         "spent": b.groupby("unit_id")["spending_yuan"].sum()}).fillna(0.0)


def budget_execution_path(dataset, year: int) -> pd.DataFrame:
    """预算执行进度 (月度) — cumulative execution against 序时进度, month by month.

    执行率_m = 1–m 月累计支出 / (年初预算 + 1–m 月累计调整) × 100%; 序时进度_m = m / 12 ×
    100%; 偏离 = 执行率 − 序时进度 (percentage points; negative = behind schedule). One row
    per unit and month (column ``period``), with ``schedule`` and ``deviation``.
    For a month, a quarter or the year to date the execution is still cumulative from
    January (序时进度 is by definition), and only the period's months have a value.
    Unit: %. Direction: higher is better. Source: domain brief §1.5 (56.47 % at end-July
    against 序时 58 %, S43).
    """
    in_period = None
    if isinstance(year, Period) and year.in_year:
        in_period = year.months
        b = dataset.table("budget_lines", Period.ytd(int(year), year.last_month))
    else:
        b = dataset.table("budget_lines", year)
    units = dataset.units["unit_id"].astype(str)
    budget = b.groupby(["unit_id", "line"], sort=False)["budget_yuan"].first().groupby("unit_id").sum()
    monthly = b.groupby(["unit_id", "month"])[["adjustment_yuan", "spending_yuan"]].sum()
    grid = pd.MultiIndex.from_product([units, range(1, 13)], names=["unit_id", "month"])
    monthly = monthly.reindex(grid)
    present = monthly["spending_yuan"].notna()
    cum = monthly.fillna(0.0).groupby(level="unit_id").cumsum()
    base = budget.reindex(units).to_numpy()
    available = np.repeat(base, 12) + cum["adjustment_yuan"].to_numpy()
    has_unit = np.repeat(~np.isnan(base), 12)
    ok = has_unit & present.to_numpy() & (available > 0)
    months = np.tile(np.arange(1, 13), len(units))
    if in_period is not None:
        ok = ok & np.isin(months, in_period)
    value = np.where(ok, 100.0 * cum["spending_yuan"].to_numpy() / np.where(available > 0, available, 1), np.nan)
    schedule = 100.0 * months / 12.0
    return pd.DataFrame({
        "unit_id": np.repeat(units.to_numpy(), 12), "year": year, "period": months,
        "value": value, "numerator": np.where(ok, cum["spending_yuan"].to_numpy(), np.nan),
        "denominator": np.where(ok, available, np.nan), "n": ok.astype("int64"),
        "status": np.where(ok, "ok", "no_data"), "schedule": schedule,
        "deviation": np.where(ok, value - schedule, np.nan),
    })


def budget_schedule_lag(dataset, year: int) -> pd.DataFrame:
    """预算执行序时偏离 — average shortfall of execution behind 序时进度 over the months.

    偏离度 = mean over months m of max(0, 序时进度_m − 执行率_m), in percentage points
    (months ahead of schedule count 0). Unit: pp. Direction: lower is better.
    Source: domain brief §1.5 (序时进度 = 月份 / 12, S43).
    """
    path = budget_execution_path(dataset, year)
    units = dataset.units["unit_id"]
    lag = np.maximum(0.0, -path["deviation"])
    per_unit = lag.groupby(path["unit_id"]).mean()
    n = path.groupby("unit_id")["n"].sum()
    return value_frame(units, year, per_unit, n)


def budget_completion_rate(dataset, year: int) -> pd.DataFrame:
    """预算完成率 — share of the year's available budget actually spent.

    预算完成率 = (年初预算 + 本年调整 − 年末结余) / (年初预算 + 本年调整) × 100% =
    全年支出 / (年初预算 + 本年调整), over all lines. Full marks at 100 %, e.g. −2 points per
    5 % lower. Unit: %. Direction: higher is better. Source: domain brief §1.1 (S6).
    (Without carried-over funds in the contract, this equals year-end 预算执行率.)
    """
    b = dataset.table("budget_lines", year)
    units = dataset.units["unit_id"]
    t = _budget_totals(b)
    return rate_frame(units, year, t["spent"], t["budget"] + t["adjust"],
                      n=b.groupby("unit_id").size().astype("float64"))


def budget_adjustment_rate(dataset, year: int) -> pd.DataFrame:
    """预算调整率 (预算控制率) — net adjustments against the initial budget.

    预算调整率 = 本年调整预算 / 年初预算 × 100% (net of increases and cuts). Band rule in
    practice: 0 → 5, 0–10 % → 4, 10–20 % → 3, 20–30 % → 2, > 30 % → 0 points. Unit: %.
    Direction: lower is better. Source: domain brief §1.1 (S6).
    """
    b = dataset.table("budget_lines", year)
    units = dataset.units["unit_id"]
    t = _budget_totals(b)
    return rate_frame(units, year, t["adjust"], t["budget"], n=b.groupby("unit_id").size().astype("float64"))


def three_public_change_rate(dataset, year: int) -> pd.DataFrame:
    """"三公"经费变动率 — change of 三公 spending against the previous year.

    变动率 = (本年三公经费支出 − 上年三公经费支出) / 上年三公经费支出 × 100%; full marks at
    ≤ 0. Needs the previous year's budget lines; no data without them. For a month, a quarter
    or the year to date: the period's months against the same months of the previous year.
    Unit: %. Direction:
    lower is better. Source: domain brief §1.1 (S6).
    """
    units = dataset.units["unit_id"]

    def spent(y: int) -> pd.Series:
        b = dataset.table("budget_lines", y) if y in dataset.years else dataset.table("budget_lines", year).iloc[:0]
        b = b[b["line"] == "three_public"]
        return b.groupby("unit_id")["spending_yuan"].sum()

    # a period compares with the same months of the previous year (Period.same_period)
    previous = year.same_period(int(year) - 1) if isinstance(year, Period) else year - 1
    now, before = spent(year), spent(previous)
    both = now.index.intersection(before.index)
    change = (now.reindex(both) - before.reindex(both))
    return rate_frame(units, year, change, before.reindex(both), n=pd.Series(1.0, index=both))


def cost_per_case(dataset, year: int) -> pd.DataFrame:
    """每件成本 (经济性) — spending per case handled.

    每件成本 = 全年支出 (基本 + 项目 + 三公) / (办结的政务服务办件 + 办结的12345工单 + 结案的网格案件).
    Unit: yuan per case. Direction: lower is better. Source: 3E/4E economy (domain brief §2,
    I13; 财预〔2020〕10号 经济性, S7). Units that handle no cases, or have no budget lines
    (spending unknown, not zero), have no data.
    """
    units = dataset.units["unit_id"]
    spent = dataset.table("budget_lines", year).groupby("unit_id")["spending_yuan"].sum()
    handled = pd.Series(0.0, index=pd.Index(units.astype(str), name="unit_id"))
    for table, rule in (("service_cases", "completed"), ("hotline_tickets", "closed"), ("grid_cases", "closed")):
        handled = handled.add(counted(dataset, table, year, rule)["n"], fill_value=0.0)
    known = handled.index.isin(spent.index)  # no budget lines: spending unknown, not 0
    return rate_frame(units, year, spent, handled.where((handled > 0) & known), n=handled, scale=1.0)
