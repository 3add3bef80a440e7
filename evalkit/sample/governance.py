"""Openness, legality and follow-through: disclosure, legal cases, supervision tasks,
major projects and deputies' proposals.

Magnitudes follow the domain brief §4.3: 依申请公开 0–150 a year per department
(district total 500–1,500), answered on time 98–100 %; 行政复议纠错率 5–15 %; litigation
lost 3–10 %; proposals A/B/C/D ≈ 55/32/10/3 %, all answered, satisfaction 95–100 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import choose, dates, deficit_rate, labels, sequential_ids, spread_counts
from .context import YearContext
from .spec import child_rng

NAT = np.datetime64("NaT")


def _days(n) -> np.ndarray:
    return np.asarray(n, dtype=np.int64).astype("timedelta64[D]")


# ----------------------------------------------------------------------------------------
# Disclosure (依申请公开, 公文公开)
# ----------------------------------------------------------------------------------------

DISCLOSURE_OUTCOMES = ("disclosed", "partly", "refused", "unavailable", "not_processed", "other")
#: Outcome mix of a district's year (S38), 公开 66.5 %, 部分 4.6 %, 不予 5.6 % …
DISCLOSURE_OUTCOME_SHARE = (0.665, 0.046, 0.056, 0.125, 0.042, 0.066)
#: Requests per unit of disclosure weight and year.
REQUESTS_PER_WEIGHT = 11.0


def disclosure_requests(ctx: YearContext) -> pd.DataFrame:
    """The ``disclosure_requests`` table: answered within 20 working days (40 with an
    approved extension, a few % of requests); late answers are rare."""
    rng = ctx.rng("disclosure_requests")
    u = ctx.units
    lam = u["w_disclosure"].to_numpy() * REQUESTS_PER_WEIGHT * rng.lognormal(0.0, 0.2, len(u))
    counts = np.minimum(rng.poisson(lam), 150)
    unit = np.repeat(np.arange(len(u)), counts)
    days = ctx.workdays()
    received = days[rng.integers(0, len(days), len(unit))]
    order = np.lexsort((unit, received))
    unit, received = unit[order], received[order]
    n = len(unit)
    late_share = deficit_rate(rng, u["quality"].to_numpy(), 0.006, 0.5, 0.3, cap=0.03)
    extended = rng.random(n) < 0.03
    late = ~extended & (rng.random(n) < late_share[unit])
    taken = np.where(extended, rng.integers(21, 41, n),
                     np.where(late, rng.integers(21, 31, n), rng.integers(3, 21, n)))
    replied = ctx.known(ctx.calendar.add_workdays(received, taken))
    outcome = np.where(np.isnat(replied), -1, choose(rng, DISCLOSURE_OUTCOME_SHARE, n))
    return pd.DataFrame({
        "request_id": sequential_ids(f"YS{ctx.year}", n, 5),
        "unit_id": labels(unit, u["unit_id"]),
        "received_date": dates(received),
        "extended": extended,
        "replied_date": dates(replied),
        "outcome": labels(outcome, DISCLOSURE_OUTCOMES),
    })


def disclosure_documents(ctx: YearContext) -> pd.DataFrame:
    """The ``disclosure_documents`` table: documents issued and proactively disclosed
    (≈ 85–99 % disclosed, cf. 95.19 % in S37) for every unit."""
    rng = ctx.rng("disclosure_documents")
    u = ctx.units
    n = len(u)
    is_sub = (u["peer_group"] == "subdistrict").to_numpy()
    issued = np.where(is_sub, rng.lognormal(np.log(60), 0.4, n), rng.lognormal(np.log(80), 0.6, n))
    issued = np.clip(np.rint(issued), 15, 400).astype(np.int64)
    share = np.clip(rng.uniform(0.85, 0.99, n) + 0.01 * u["quality"].to_numpy(), 0.80, 1.0)
    disclosed = np.minimum(np.rint(issued * share), issued).astype(np.int64)
    return pd.DataFrame({"unit_id": u["unit_id"].to_numpy(), "documents_issued": issued,
                         "documents_disclosed": disclosed})


# ----------------------------------------------------------------------------------------
# Administrative review and litigation (行政复议与诉讼)
# ----------------------------------------------------------------------------------------

REVIEW_CORRECTIONS = ("revoked", "varied", "confirmed_unlawful", "ordered_to_perform")
REVIEW_CORRECTION_SHARE = (0.40, 0.15, 0.30, 0.15)
REVIEW_OTHERS = ("upheld", "dismissed", "terminated")
REVIEW_OTHER_SHARE = (0.60, 0.28, 0.12)
LITIGATION_OTHERS = ("won", "dismissed", "withdrawn", "terminated")
LITIGATION_OTHER_SHARE = (0.68, 0.17, 0.12, 0.03)
#: Litigation cases per review case.
LITIGATION_PER_REVIEW = 0.4


def legal_cases(ctx: YearContext) -> pd.DataFrame:
    """The ``legal_cases`` table: reviews and lawsuits, mostly against law-enforcement
    departments. Reviews conclude in 1–2.5 months, lawsuits in 3–8 months; cases still
    open at the extraction date have no conclusion or outcome."""
    rng = ctx.rng("legal_cases")
    u = ctx.units
    n_units = len(u)
    w = u["w_legal"].to_numpy() * rng.lognormal(0.0, 0.2, n_units)
    reviews = rng.poisson(w)
    suits = rng.poisson(w * LITIGATION_PER_REVIEW)
    unit = np.concatenate([np.repeat(np.arange(n_units), reviews), np.repeat(np.arange(n_units), suits)])
    kind = np.repeat([0, 1], [reviews.sum(), suits.sum()])
    days = ctx.workdays()
    filed = days[rng.integers(0, len(days), len(unit))]
    order = np.lexsort((kind, unit, filed))
    unit, kind, filed = unit[order], kind[order], filed[order]
    n = len(unit)
    duration = np.where(kind == 0, rng.integers(30, 76, n), rng.integers(90, 241, n))
    concluded = ctx.known(filed + _days(duration))

    q = u["quality"].to_numpy()
    correction_share = deficit_rate(rng, q, 0.10, 0.3, 0.3, floor=0.03, cap=0.25)
    loss_share = deficit_rate(rng, q, 0.07, 0.3, 0.3, floor=0.02, cap=0.15)
    codes = ("upheld", "dismissed", "revoked", "varied", "confirmed_unlawful",
             "ordered_to_perform", "terminated", "won", "lost", "withdrawn")
    index = {c: i for i, c in enumerate(codes)}
    review_fixed = np.array([index[c] for c in REVIEW_CORRECTIONS])[
        choose(rng, REVIEW_CORRECTION_SHARE, n)]
    review_other = np.array([index[c] for c in REVIEW_OTHERS])[choose(rng, REVIEW_OTHER_SHARE, n)]
    suit_other = np.array([index[c] for c in LITIGATION_OTHERS])[choose(rng, LITIGATION_OTHER_SHARE, n)]
    draw = rng.random(n)
    review_outcome = np.where(draw < correction_share[unit], review_fixed, review_other)
    suit_outcome = np.where(draw < loss_share[unit], index["lost"], suit_other)
    outcome = np.where(kind == 0, review_outcome, suit_outcome)
    outcome = np.where(np.isnat(concluded), -1, outcome)
    return pd.DataFrame({
        "case_id": sequential_ids(f"FZ{ctx.year}", n, 4),
        "unit_id": labels(unit, u["unit_id"]),
        "kind": labels(kind, ("review", "litigation")),
        "filed_date": dates(filed),
        "concluded_date": dates(concluded),
        "outcome": labels(outcome, codes),
    })


# ----------------------------------------------------------------------------------------
# Supervision tasks (督查督办)
# ----------------------------------------------------------------------------------------

SUPERVISION_SOURCES = ("常务会议", "领导批示", "交办事项", "专题会议", "区委督查")
SUPERVISION_SOURCE_SHARE = (0.30, 0.28, 0.22, 0.12, 0.08)
SUPERVISION_LIMIT_DAYS = np.array([10, 15, 20, 30, 60])
#: Tasks a year per unit class (before the unit's size factor).
TASKS_PER_CLASS = {"综合管理类": 8.0, "执法监管类": 6.0, "社会服务类": 5.0, "街道": 6.0, "镇": 6.0}


def supervision_tasks(ctx: YearContext) -> pd.DataFrame:
    """The ``supervision_tasks`` table: on time 88–100 % per unit, a few open."""
    rng = ctx.rng("supervision_tasks")
    u = ctx.units
    n_units = len(u)
    lam = u["unit_class"].map(TASKS_PER_CLASS).to_numpy() * np.sqrt(u["size"].to_numpy())
    counts = rng.poisson(lam)
    unit = np.repeat(np.arange(n_units), counts)
    days = ctx.workdays()
    assigned = days[rng.integers(0, len(days), len(unit))]
    order = np.lexsort((unit, assigned))
    unit, assigned = unit[order], assigned[order]
    n = len(unit)
    limit = SUPERVISION_LIMIT_DAYS[rng.integers(0, len(SUPERVISION_LIMIT_DAYS), n)]
    due = ctx.calendar.add_workdays(assigned, limit)
    late_share = deficit_rate(rng, u["quality"].to_numpy(), 0.025, 0.5, 0.3, cap=0.12)
    late = rng.random(n) < late_share[unit]
    completed = np.where(late, ctx.calendar.add_workdays(due, rng.integers(1, 21, n)),
                         ctx.calendar.add_workdays(assigned, np.floor(limit * rng.uniform(0.3, 1.0, n))))
    completed = ctx.known(np.where(rng.random(n) < 0.01, NAT, completed))
    source = choose(rng, SUPERVISION_SOURCE_SHARE, n)
    source = np.where(rng.random(n) < 0.03, -1, source)
    return pd.DataFrame({
        "task_id": sequential_ids(f"DB{ctx.year}", n, 4),
        "unit_id": labels(unit, u["unit_id"]),
        "source": labels(source, SUPERVISION_SOURCES),
        "assigned_date": dates(assigned),
        "due_date": dates(due),
        "completed_date": dates(completed),
    })


# ----------------------------------------------------------------------------------------
# Major projects (重大项目) and their milestones
# ----------------------------------------------------------------------------------------

#: Units that lead major projects, with the kinds of project they lead.
PROJECT_KINDS: dict[str, tuple[str, ...]] = {
    "D02": ("产业园区二期建设", "科创载体更新项目"),
    "D15": ("城市更新单元实施项目", "历史风貌区保护修缮"),
    "D16": ("道路综合改造工程", "轨道交通站点配套工程", "过街天桥新建工程"),
    "D18": ("公园提升改造工程", "滨河绿道贯通工程"),
    "D20": ("雨污混接改造工程", "泵站改造工程"),
    "D23": ("中学新建工程", "实验小学改扩建工程"),
    "D24": ("养老院新建工程", "长者照护之家建设"),
    "D25": ("社区卫生服务中心改建", "区中心医院扩建工程"),
    "D27": ("文化活动中心改造", "图书馆新馆建设"),
    "S": ("社区综合体新建工程", "旧住房成套改造", "15分钟社区生活圈建设"),
}
PROJECT_STAGES = ("前期研究", "立项批复", "方案设计", "初步设计批复", "施工招标", "开工建设",
                  "主体结构完工", "设备安装", "竣工验收", "交付使用")
#: How many years a cohort of projects can stay active.
MAX_PROJECT_YEARS = 4


def _project_cohort(seed: int, start_year: int, units: pd.DataFrame) -> pd.DataFrame:
    """The major projects started in ``start_year`` (6–9 of them, running 2–4 years)."""
    rng = child_rng(seed, start_year, "project_cohort")
    k = int(rng.integers(6, 10))
    leads = sorted(PROJECT_KINDS)
    subdistricts = units.loc[units["peer_group"] == "subdistrict", ["unit_id", "name_zh"]]
    places = [name.removesuffix("街道").removesuffix("镇") for name in subdistricts["name_zh"]]
    rows = []
    for i in range(k):
        lead = leads[int(rng.integers(0, len(leads)))]
        kinds = PROJECT_KINDS[lead]
        what = kinds[int(rng.integers(0, len(kinds)))]
        j = int(rng.integers(0, len(places)))
        if lead == "S":
            unit_id = subdistricts["unit_id"].iloc[j]
        else:
            unit_id = lead
        rows.append({
            "project_id": f"XM{start_year}{i + 1:02d}",
            "unit_id": unit_id,
            "name_zh": f"{places[j]}{what}",
            "total_budget_yuan": float(np.round(np.clip(rng.lognormal(np.log(3e8), 0.8), 5e7, 3e9), -4)),
            "start_year": start_year,
            "years": int(rng.integers(2, MAX_PROJECT_YEARS + 1)),
        })
    return pd.DataFrame(rows)


def active_projects(ctx: YearContext) -> pd.DataFrame:
    """Projects active in the year (≈ 15–25), with ``start_year`` and ``years`` columns."""
    cohorts = [_project_cohort(ctx.spec.seed, t, ctx.units)
               for t in range(ctx.year - MAX_PROJECT_YEARS + 1, ctx.year + 1)]
    frame = pd.concat(cohorts, ignore_index=True)
    active = frame["start_year"] + frame["years"] - 1 >= ctx.year
    return frame[active].sort_values("project_id", ignore_index=True)


def projects(ctx: YearContext) -> pd.DataFrame:
    """The ``projects`` table: major projects active in the year."""
    return active_projects(ctx)[["project_id", "unit_id", "name_zh", "total_budget_yuan"]]


def project_milestones(ctx: YearContext) -> pd.DataFrame:
    """The ``project_milestones`` table: 3–6 milestones per active project planned in the
    year; ≈ 90 % reached by the planned date, some late, some not reached yet."""
    rng = ctx.rng("project_milestones")
    active = active_projects(ctx)
    quality = ctx.units.set_index("unit_id")["quality"]
    days = ctx.workdays()
    frames = []
    for project in active.itertuples(index=False):
        m = int(rng.integers(3, 7))
        planned = days[np.sort(rng.choice(len(days), size=m, replace=False))]
        phase = ctx.year - project.start_year
        stage = np.floor((phase + (np.arange(m) + 0.5) / m) / project.years * len(PROJECT_STAGES))
        names = np.array(PROJECT_STAGES)[stage.astype(int)]
        on_time_share = np.clip(0.90 + 0.03 * quality[project.unit_id], 0.7, 0.99)
        late = rng.random(m) >= on_time_share
        actual = np.where(late, planned + _days(rng.integers(5, 61, m)),
                          planned - _days(rng.integers(0, 21, m)))
        actual = ctx.known(np.where(rng.random(m) < 0.04, NAT, actual))
        planned_cost = np.round(project.total_budget_yuan / (project.years * m)
                                * rng.uniform(0.6, 1.4, m), -2)
        reached = ~np.isnat(actual)
        partial = rng.random(m) < 0.5
        actual_cost = np.where(reached, planned_cost * rng.uniform(0.9, 1.08, m),
                               np.where(partial, planned_cost * rng.uniform(0.2, 0.8, m), np.nan))
        frames.append(pd.DataFrame({
            "project_id": project.project_id,
            "milestone_no": np.arange(1, m + 1),
            "name_zh": names,
            "planned_date": dates(planned),
            "actual_date": dates(actual),
            "planned_cost_yuan": planned_cost,
            "actual_cost_yuan": np.round(actual_cost, 2),
        }))
    return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------------------
# Deputies' suggestions and proposals (人大建议, 政协提案)
# ----------------------------------------------------------------------------------------

#: Relative share of suggestions/proposals handled by each lead unit (default 1;
#: sub-districts 1.5; small offices 0.3).
PROPOSAL_WEIGHTS = {"D16": 8, "D17": 7, "D23": 6, "D25": 6, "D18": 5, "D15": 5, "D24": 4,
                    "D26": 4, "D11": 3, "D12": 3, "D19": 3, "D20": 3, "D27": 2, "D02": 2,
                    "D06": 0.3, "D07": 0.3, "D09": 0.3, "D31": 0.3, "D33": 0.3, "D35": 0.3}
RESULT_CATEGORIES = ("A", "B", "C", "D")
RESULT_SHARE = (0.55, 0.32, 0.10, 0.03)
PROPOSAL_SATISFACTION = ("satisfied", "fairly_satisfied", "dissatisfied")
PROPOSAL_SATISFACTION_SHARE = (0.86, 0.11, 0.02, 0.01)  # last: no feedback


def proposals(ctx: YearContext) -> pd.DataFrame:
    """The ``proposals`` table: 人大建议 (``RD…``) and 政协提案 (``ZX…``), mostly assigned
    right after the sessions in February–March (the rest April–mid September), answered
    within three months, so all are answered by the end of the year."""
    rng = ctx.rng("proposals")
    u = ctx.units
    is_sub = (u["peer_group"] == "subdistrict").to_numpy()
    weights = np.where(is_sub, 1.5, u["unit_id"].map(PROPOSAL_WEIGHTS).fillna(1.0).to_numpy())
    session = ctx.workdays("02-20", "03-31")
    rest = ctx.workdays("04-01", "09-15")
    frames = []
    for kind, prefix, low, high in (("npc_suggestion", "RD", 180, 241),
                                    ("cppcc_proposal", "ZX", 220, 301)):
        counts = spread_counts(rng, int(rng.integers(low, high)), weights)
        unit = np.repeat(np.arange(len(u)), counts)
        n = len(unit)
        received = np.where(rng.random(n) < 0.85, session[rng.integers(0, len(session), n)],
                            rest[rng.integers(0, len(rest), n)])
        order = np.lexsort((unit, received))
        unit, received = unit[order], received[order]
        due = received + np.timedelta64(90, "D")
        late = rng.random(n) < 0.01
        replied = np.where(late, due + _days(rng.integers(1, 21, n)),
                           received + _days(rng.integers(20, 86, n)))
        replied = ctx.known(replied)
        answered = ~np.isnat(replied)
        result = np.where(answered, choose(rng, RESULT_SHARE, n), -1)
        satisfaction = choose(rng, PROPOSAL_SATISFACTION_SHARE, n)
        satisfaction = np.where(answered & (satisfaction < 3), satisfaction, -1)
        frames.append(pd.DataFrame({
            "proposal_id": sequential_ids(f"{prefix}{ctx.year}", n, 4),
            "unit_id": labels(unit, u["unit_id"]),
            "kind": kind,
            "received_date": dates(received),
            "due_date": dates(due),
            "replied_date": dates(replied),
            "result_category": labels(result, RESULT_CATEGORIES),
            "satisfaction": labels(satisfaction, PROPOSAL_SATISFACTION),
        }))
    return pd.concat(frames, ignore_index=True).sort_values("proposal_id", ignore_index=True)
