"""Each unit's own key tasks (重点工作任务) and their milestones in the sample district.

Every unit gets 3–6 tasks a year (区委区政府重点工作, 部门年度目标, 民生实事) weighted 10–30
points within the unit, each with 2–4 milestones spread from the first quarter to the due
date. Most tasks are 完成; a unit of lower latent quality has more 基本完成 and 未完成 tasks
and more late milestones (late by 1–25 working days, across holidays and 调休 as the
working-day calendar has them). A task's last milestone is its completion: reached for a
完成 task (on or before the due date; the task's completed date), late or not reached for
a 基本完成 one, not reached for a 未完成 one. Both tables come from the one seeded stream
``key_tasks`` of the year, so they always agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import dates
from .context import YearContext

NAT = np.datetime64("NaT")

#: (Chinese title, English title) per category.
TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    "district_priority": (
        ("推进营商环境优化改革", "Advance the business-environment reform"),
        ("落实安全生产专项整治行动", "Carry out the special campaign on work safety"),
        ("推进政务服务“一网通办”全覆盖", "Bring every service item onto the one-stop online platform"),
        ("完成重点区域生态环境整治", "Complete the environmental clean-up of key areas"),
        ("推进数字化转型重点项目", "Drive the key digital-transformation projects"),
        ("推进城市更新重点地块征收", "Advance land acquisition on key urban-renewal plots"),
        ("落实基层治理能力提升行动", "Carry out the grassroots governance capacity programme"),
    ),
    "annual_goal": (
        ("完成年度预算绩效评价", "Complete the annual budget performance evaluation"),
        ("完成政务服务事项标准化梳理", "Standardise the unit's government service items"),
        ("推进执法规范化建设", "Standardise law enforcement procedures"),
        ("完成年度干部教育培训计划", "Complete the annual staff training plan"),
        ("建立重点工作督办台账", "Set up a follow-up ledger of key work"),
        ("完成政府信息公开目录更新", "Update the government information disclosure catalogue"),
        ("完成内部控制制度修订", "Revise the internal control rules"),
    ),
    "livelihood": (
        ("新增养老床位", "Add elderly-care beds"),
        ("完成老旧小区综合改造", "Renovate old residential compounds"),
        ("新建社区长者食堂", "Open community canteens for the elderly"),
        ("新增公共停车泊位", "Add public parking spaces"),
        ("改造提升口袋公园", "Upgrade pocket parks"),
        ("加装既有住宅电梯", "Install lifts in existing residential buildings"),
        ("新增普惠托育托位", "Add affordable childcare places"),
    ),
}
CATEGORIES = tuple(TITLES)
#: Share of each category among a department's and a sub-district's tasks.
CATEGORY_SHARE = {"department": (0.35, 0.45, 0.20), "subdistrict": (0.30, 0.25, 0.45)}
#: (Chinese, English) acceptance criteria.
ACCEPTANCE = (
    ("按期完成全部工作内容并通过验收", "All work done on time and accepted"),
    ("年度目标任务量完成率达到100%", "100 % of the annual target reached"),
    ("形成工作总结报告并经区政府审定", "A final report approved by the district government"),
    ("完成主体工作并建立长效机制", "Main work done and a standing mechanism in place"),
)
#: The assessing office of each category (Chinese, English).
ASSESSORS = {
    "district_priority": ("区委督查室", "Supervision Office of the District Committee"),
    "annual_goal": ("区绩效办", "District Performance Office"),
    "livelihood": ("区政府督查室", "Supervision Office of the District Government"),
}
#: Milestones of a task with 2, 3 or 4 of them (Chinese, English), in order; the last is completion.
MILESTONES = {
    2: (("制定实施方案", "Adopt the implementation plan"), ("完成并通过验收", "Complete and pass acceptance")),
    3: (("制定实施方案", "Adopt the implementation plan"), ("完成主体工作", "Finish the main work"),
        ("完成并通过验收", "Complete and pass acceptance")),
    4: (("制定实施方案", "Adopt the implementation plan"), ("启动实施", "Start implementation"),
        ("完成主体工作", "Finish the main work"), ("完成并通过验收", "Complete and pass acceptance")),
}
#: Due dates (month-day) and how often each is used.
DUE_DAYS = ("06-30", "09-30", "11-30", "12-31")
DUE_SHARE = (0.10, 0.15, 0.25, 0.50)
LEVELS = ("completed", "basically_completed", "not_completed")
#: Tasks per unit and year: from MIN_TASKS to MAX_TASKS.
MIN_TASKS, MAX_TASKS = 3, 6


def _workday_before(cal, days: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The ``k``-th working day before the last working day on or before each of ``days``
    (``k = 0``: that working day itself)."""
    offset = (np.asarray(days, dtype="datetime64[D]") - cal.first_day).astype(np.int64)
    return cal.workdays[np.maximum(cal.through[offset] - 1 - np.asarray(k), 0)]


def _plan(ctx: YearContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year's ``key_tasks`` and ``key_task_milestones`` tables."""
    rng = ctx.rng("key_tasks")
    cal = ctx.calendar
    starts = ctx.workdays("01-08", "03-29")
    tasks, milestones = [], []
    for u in ctx.units.itertuples(index=False):
        k = int(rng.integers(MIN_TASKS, MAX_TASKS + 1))
        share = CATEGORY_SHARE.get(u.peer_group, CATEGORY_SHARE["department"])
        cats = rng.choice(len(CATEGORIES), size=k, p=np.asarray(share) / sum(share))
        used: set[tuple[int, int]] = set()
        q = float(u.quality)
        # worse units: more 基本完成 / 未完成 and more late milestones
        p_not = float(np.clip(0.06 - 0.04 * q, 0.01, 0.25))
        p_basic = float(np.clip(0.16 - 0.06 * q, 0.05, 0.35))
        p_late = float(np.clip(0.15 - 0.07 * q, 0.03, 0.45))
        for i in range(k):
            c = int(cats[i])
            pool = TITLES[CATEGORIES[c]]
            j = int(rng.integers(0, len(pool)))
            while (c, j) in used:
                j = (j + 1) % len(pool)
            used.add((c, j))
            title, title_en = pool[j]
            due = np.datetime64(f"{ctx.year}-{DUE_DAYS[int(rng.choice(len(DUE_DAYS), p=DUE_SHARE))]}", "D")
            start = starts[int(rng.integers(0, len(starts)))]
            draw = rng.random()
            level = "not_completed" if draw < p_not else "basically_completed" if draw < p_not + p_basic \
                else "completed"
            m = int(rng.integers(2, 5))
            span = (due - start).astype(np.int64)
            planned = start + np.rint(span * (np.arange(1, m + 1) / m)).astype("timedelta64[D]")
            planned[:-1] = cal.add_workdays(planned[:-1], 0)  # a working day (0: the next one if not)
            planned[-1] = due
            late = rng.random(m) < p_late
            delay = rng.integers(1, 26, m)
            early = rng.integers(0, 6, m)
            actual = np.where(late, cal.add_workdays(planned, delay), _workday_before(cal, planned, early))
            if level == "completed":
                actual[-1] = min(planned[-1], actual[-1])  # the completion milestone is met
            elif level == "basically_completed":
                actual[-1] = NAT if rng.random() < 0.5 else cal.add_workdays(planned[-1:], delay[-1:])[0]
            else:
                actual[-1] = NAT
                if m > 2 and rng.random() < 0.5:
                    actual[-2] = NAT
            actual = ctx.known(actual.astype("datetime64[D]"))
            pct = np.nan
            if level == "basically_completed" and rng.random() < 0.5:
                pct = float(5 * rng.integers(12, 20))  # 60–95 %
            elif level == "not_completed" and rng.random() < 0.5:
                pct = float(5 * rng.integers(4, 12))   # 20–55 %
            accept, accept_en = ACCEPTANCE[int(rng.integers(0, len(ACCEPTANCE)))]
            assessor, assessor_en = ASSESSORS[CATEGORIES[c]]
            task_id = f"ZD{ctx.year}{u.unit_id}{i + 1:02d}"
            tasks.append({
                "task_id": task_id, "unit_id": u.unit_id, "title": title, "title_en": title_en,
                "category": CATEGORIES[c], "points": float(5 * rng.integers(2, 7)),
                "due_date": due, "acceptance": accept, "acceptance_en": accept_en, "completion": level,
                "completion_pct": pct, "completed_date": actual[-1] if level == "completed" else NAT,
                "assessed_by": assessor, "assessed_by_en": assessor_en,
                "evidence": f"{assessor}验收意见〔{ctx.year}〕{int(rng.integers(1, 90))}号"
                if level == "completed" else None,
            })
            names = MILESTONES[m]
            milestones += [{"task_id": task_id, "milestone": names[n][0], "milestone_en": names[n][1],
                            "planned_date": planned[n], "actual_date": actual[n]} for n in range(m)]
    t = pd.DataFrame(tasks)
    for col in ("due_date", "completed_date"):
        t[col] = dates(t[col].to_numpy(dtype="datetime64[D]"))
    mm = pd.DataFrame(milestones)
    for col in ("planned_date", "actual_date"):
        mm[col] = dates(mm[col].to_numpy(dtype="datetime64[D]"))
    return t, mm


def key_tasks(ctx: YearContext) -> pd.DataFrame:
    """The ``key_tasks`` table: 3–6 tasks per unit (see the module docstring)."""
    return _plan(ctx)[0]


def key_task_milestones(ctx: YearContext) -> pd.DataFrame:
    """The ``key_task_milestones`` table: 2–4 milestones per task (see the module docstring)."""
    return _plan(ctx)[1]
