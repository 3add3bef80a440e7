"""Money and people: budget execution, audit findings, rectifications and staffing.

Magnitudes follow the domain brief §4.3: year-end budget execution 90–100 % with a couple
of laggards, spending back-loaded so that mid-year execution lags 序时进度 by 0–10 pp,
三公经费 changing −10 % … +5 % a year, audit rectification 90–100 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import in_year
from .columns import choose, dates, deficit_rate, labels, sequential_ids
from .context import YearContext
from .district import BUDGET_LAGGARDS, OVERSTAFFED_UNIT
from .spec import DISTRICT, child_rng

NAT = np.datetime64("NaT")

# ----------------------------------------------------------------------------------------
# Budget lines (预算执行月报)
# ----------------------------------------------------------------------------------------

BUDGET_LINES = ("basic", "project", "three_public")
#: Monthly spending profile per line (relative; December carries the year-end rush).
MONTHLY_PROFILE = {
    "basic": np.array([8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 12.0]),
    "project": np.array([6, 7, 7, 8, 8, 8, 8, 8, 9, 9, 9, 13.0]),
    "three_public": np.array([6, 6, 7, 8, 8, 9, 8, 8, 9, 9, 10, 12.0]),
}
#: Year of reference for the 三公经费 level; its yearly change is −8 % … +2.5 %.
THREE_PUBLIC_ANCHOR = 2020
THREE_PUBLIC_CHANGE = (-0.08, 0.025)


def _three_public_level(seed: int, year: int, n: int) -> np.ndarray:
    """Cumulative 三公经费 level of every unit relative to :data:`THREE_PUBLIC_ANCHOR`.

    Each year's change comes from that year's own stream, so ``level(y) / level(y−1)`` is
    the same whichever years are generated.
    """
    def change(t: int) -> np.ndarray:
        return 1.0 + child_rng(seed, t, "three_public_change").uniform(*THREE_PUBLIC_CHANGE, n)

    level = np.ones(n)
    for t in range(THREE_PUBLIC_ANCHOR + 1, year + 1):
        level *= change(t)
    for t in range(year + 1, THREE_PUBLIC_ANCHOR + 1):
        level /= change(t)
    return level


def _base_budgets(seed: int, units: pd.DataFrame) -> dict[str, np.ndarray]:
    """District-wide budget size of each unit and line (yuan, before yearly variation)."""
    rng = child_rng(seed, DISTRICT, "budget_base")
    n = len(units)
    is_sub = (units["peer_group"] == "subdistrict").to_numpy()
    size = units["size"].to_numpy()
    basic = np.where(is_sub, 60e6, 18e6) * size * rng.lognormal(0.0, 0.2, n)
    project = np.where(is_sub, basic * rng.uniform(0.8, 1.5, n), basic * rng.lognormal(0.3, 0.6, n))
    three_public = basic * rng.uniform(0.01, 0.03, n)
    return {"basic": basic, "project": project, "three_public": three_public}


def budget_lines(ctx: YearContext) -> pd.DataFrame:
    """The ``budget_lines`` table of one year: 12 months × 3 lines for every unit."""
    rng = ctx.rng("budget_lines")
    u = ctx.units
    n = len(u)
    q = u["quality"].to_numpy()
    base = _base_budgets(ctx.spec.seed, u)
    growth = 1.03 ** (ctx.year - THREE_PUBLIC_ANCHOR)
    budget = {
        "basic": base["basic"] * growth * rng.lognormal(0.0, 0.03, n),
        "project": base["project"] * growth * rng.lognormal(0.0, 0.15, n),
        "three_public": base["three_public"] * _three_public_level(ctx.spec.seed, ctx.year, n),
    }
    execution = 1.0 - deficit_rate(rng, q, 0.04, 0.3, 0.3, floor=0.005, cap=0.095)
    laggard = u["unit_id"].isin(BUDGET_LAGGARDS).to_numpy()
    execution[laggard] = rng.uniform(0.83, 0.88, laggard.sum())
    line_execution = {
        "basic": np.minimum(execution + 0.02, 0.998),
        "project": np.maximum(execution - 0.03, 0.78),
        "three_public": np.clip(0.97 + rng.normal(0.0, 0.005, n), 0.96, 0.98),
    }
    frames = []
    for line in BUDGET_LINES:
        annual = np.round(budget[line], -2)
        adjust = np.zeros((n, 12))
        if line != "three_public":  # 三公经费 are not topped up during the year
            top_up = rng.random(n) < 0.15
            month = rng.integers(3, 11, n)  # April … November
            extra = annual[top_up] * rng.uniform(0.02, 0.10, top_up.sum())
            adjust[top_up, month[top_up]] = np.round(extra, -3)
            if line == "project":
                cut = ~top_up & (rng.random(n) < 0.04)
                month = rng.integers(8, 11, n)  # September … November
                adjust[cut, month[cut]] = -np.round(annual[cut] * rng.uniform(0.01, 0.05, cut.sum()), -3)
        target = (annual + adjust.sum(axis=1)) * line_execution[line]
        profile = MONTHLY_PROFILE[line] * rng.lognormal(0.0, 0.15, (n, 12))
        profile = in_year.budget_profile(ctx.year, u["unit_id"].to_numpy(), profile)  # planted in-year lag
        spending = np.round(target[:, None] * profile / profile.sum(axis=1, keepdims=True), 2)
        frames.append(pd.DataFrame({
            "unit_id": np.repeat(u["unit_id"].to_numpy(), 12),
            "month": np.tile(np.arange(1, 13), n),
            "line": line,
            "budget_yuan": np.repeat(annual, 12),
            "adjustment_yuan": adjust.ravel(),
            "spending_yuan": spending.ravel(),
        }))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["unit_id", "month", "line"], ignore_index=True)


# ----------------------------------------------------------------------------------------
# Audit findings (审计发现问题) and rectifications (整改跟踪)
# ----------------------------------------------------------------------------------------

AUDIT_CATEGORIES = ("预算管理", "政府采购", "资产管理", "三公经费", "项目管理", "财务核算",
                    "内部控制")
AUDIT_CATEGORY_SHARE = (0.22, 0.16, 0.14, 0.08, 0.18, 0.14, 0.08)
#: The audit bureau is not audited by itself.
AUDITOR_UNIT = "D06"


def audit_findings(ctx: YearContext) -> pd.DataFrame:
    """The ``audit_findings`` table: 12–16 units audited a year (reports March–August),
    2–6 findings each; ≈ 65 % of findings involve an amount."""
    rng = ctx.rng("audit_findings")
    u = ctx.units
    eligible = np.flatnonzero((u["unit_id"] != AUDITOR_UNIT).to_numpy())
    audited = np.sort(rng.choice(eligible, size=int(rng.integers(12, 17)), replace=False))
    per_unit = rng.integers(2, 7, len(audited))
    report_days = ctx.workdays("03-01", "08-31")
    report = report_days[rng.integers(0, len(report_days), len(audited))]
    unit = np.repeat(audited, per_unit)
    found = np.repeat(report, per_unit)
    order = np.lexsort((unit, found))
    unit, found = unit[order], found[order]
    n = len(unit)
    monetary = rng.random(n) < 0.65
    amount = np.where(monetary, np.round(rng.lognormal(np.log(3e5), 1.0, n), 2), np.nan)
    return pd.DataFrame({
        "finding_id": sequential_ids(f"SJ{ctx.year}", n, 4),
        "unit_id": labels(unit, u["unit_id"]),
        "found_date": dates(found),
        "category": labels(choose(rng, AUDIT_CATEGORY_SHARE, n), AUDIT_CATEGORIES),
        "amount_yuan": amount,
    })


RECTIFICATION_STATUS = ("open", "in_progress", "closed")


def rectifications(ctx: YearContext, findings: pd.DataFrame) -> pd.DataFrame:
    """The ``rectifications`` table: one item per audit finding, plus supervision,
    complaint and evaluation items. Status is as of the extraction date; an item is
    closed exactly when it has a closed date."""
    rng = ctx.rng("rectifications")
    cal = ctx.calendar
    u = ctx.units
    n_units = len(u)
    unit_index = pd.Series(np.arange(n_units), index=u["unit_id"].to_numpy())

    # audit: opened within two weeks of the report, deadline 2–4 months later
    a_unit = unit_index[findings["unit_id"].to_numpy()].to_numpy()
    a_opened = np.minimum(cal.add_workdays(findings["found_date"].to_numpy().astype("datetime64[D]"),
                                           rng.integers(0, 11, len(findings))), ctx.year_end)
    a_deadline = a_opened + rng.integers(60, 121, len(findings)).astype("timedelta64[D]")
    # supervision: about a third of the units, 1–3 items
    s_unit = np.repeat(np.arange(n_units), np.where(rng.random(n_units) < 0.33,
                                                    rng.integers(1, 4, n_units), 0))
    s_days = ctx.workdays("02-01", "11-30")
    s_opened = s_days[rng.integers(0, len(s_days), len(s_unit))]
    s_deadline = s_opened + rng.integers(30, 91, len(s_unit)).astype("timedelta64[D]")
    # complaints (投诉/差评): 15 working days to fix
    c_unit = np.repeat(np.arange(n_units), np.where(rng.random(n_units) < 0.4,
                                                    rng.integers(1, 5, n_units), 0))
    c_days = ctx.workdays("01-01", "12-31")
    c_opened = c_days[rng.integers(0, len(c_days), len(c_unit))]
    c_deadline = cal.add_workdays(c_opened, 15)
    # evaluation recommendations from last year's results, opened in March
    e_unit = np.sort(rng.choice(n_units, size=8, replace=False))
    e_days = ctx.workdays("03-01", "03-31")
    e_opened = e_days[rng.integers(0, len(e_days), len(e_unit))]
    e_deadline = e_opened + np.timedelta64(180, "D")

    unit = np.concatenate([a_unit, s_unit, c_unit, e_unit])
    source = np.repeat(np.arange(4), [len(a_unit), len(s_unit), len(c_unit), len(e_unit)])
    opened = np.concatenate([a_opened, s_opened, c_opened, e_opened]).astype("datetime64[D]")
    deadline = np.concatenate([a_deadline, s_deadline, c_deadline, e_deadline]).astype("datetime64[D]")
    n = len(unit)
    finding = np.full(n, None, dtype=object)
    finding[: len(a_unit)] = findings["finding_id"].to_numpy()
    complaint_rows = np.flatnonzero(source == 2)
    numbered = complaint_rows[rng.random(len(complaint_rows)) < 0.7]
    finding[numbered] = [f"TS{ctx.year}{k:04d}" for k in rng.choice(9000, len(numbered), replace=False) + 1]

    close_share = 1.0 - deficit_rate(rng, u["quality"].to_numpy(), 0.03, 0.4, 0.3, cap=0.08)
    span = (deadline - opened).astype(np.int64)
    late = rng.random(n) < 0.05
    closing = np.where(late, span + rng.integers(1, 31, n), np.ceil(span * rng.uniform(0.3, 0.95, n)))
    closed = ctx.known(opened + closing.astype("timedelta64[D]"))
    closed = np.where(rng.random(n) < close_share[unit], closed, NAT).astype("datetime64[D]")
    status = np.where(~np.isnat(closed), 2, np.where(rng.random(n) < 0.75, 1, 0))

    frame = pd.DataFrame({
        "unit_id": u["unit_id"].to_numpy()[unit],
        "source": np.array(["audit", "supervision", "complaint", "evaluation"])[source],
        "finding_id": pd.array(finding, dtype="str"),
        "opened_date": dates(opened),
        "deadline": dates(deadline),
        "status": np.array(RECTIFICATION_STATUS)[status],
        "closed_date": dates(closed),
    })
    frame = frame.sort_values(["opened_date", "unit_id", "source"], kind="stable", ignore_index=True)
    frame.insert(0, "rectification_id", sequential_ids(f"ZG{ctx.year}", len(frame), 4))
    return frame


# ----------------------------------------------------------------------------------------
# Staffing (人员编制)
# ----------------------------------------------------------------------------------------


def staffing(ctx: YearContext) -> pd.DataFrame:
    """The ``staffing`` table: authorised posts and staff in post at year end.

    Staff in post stays at or below the authorised posts, except for
    :data:`~evalkit.sample.district.OVERSTAFFED_UNIT` (two over).
    """
    rng = ctx.rng("staffing")
    u = ctx.units
    n = len(u)
    is_sub = (u["peer_group"] == "subdistrict").to_numpy()
    base = np.where(is_sub, 60.0, 45.0) * u["size"].to_numpy()
    authorised = np.clip(np.rint(base + rng.integers(-2, 3, n)), 12, 220).astype(np.int64)
    vacant = rng.integers(0, np.maximum(2, np.rint(0.08 * authorised)).astype(np.int64) + 1)
    staff = authorised - vacant
    over = (u["unit_id"] == OVERSTAFFED_UNIT).to_numpy()
    staff[over] = authorised[over] + 2
    return pd.DataFrame({"unit_id": u["unit_id"].to_numpy(), "authorised_posts": authorised,
                         "staff_in_post": staff})

