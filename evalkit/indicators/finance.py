"""Budget execution and audit rectification (财政资金使用)."""

from __future__ import annotations

import pandas as pd

from .base import rate_frame


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
    rectification item (source 审计) for it is closed, in any loaded year's folder.
    Unit: %. Direction: higher is better. Source: domain brief §1.5 (95 %, S42).
    """
    findings = dataset.table("audit_findings", year)
    units = dataset.units["unit_id"]
    closed_ids: set[str] = set()
    for y in dataset.years:
        r = dataset.table("rectifications", y)
        done = r[(r["source"] == "audit") & (r["status"] == "closed")]
        closed_ids.update(done["finding_id"].dropna().astype(str))
    fixed = findings["finding_id"].astype(str).isin(closed_ids)
    num = findings[fixed.to_numpy()].groupby("unit_id").size().astype("float64")
    den = findings.groupby("unit_id").size().astype("float64")
    return rate_frame(units, year, num, den)
