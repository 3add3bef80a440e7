"""Qualitative evaluation: the rater registry, rubric ratings, votes and surveys.

Rater groups follow the domain brief §1.3 (区领导, 部门/街镇互评, 服务对象, 第三方专家) and
magnitudes §4.3: leader ratings concentrated (mean ≈ 88, sd ≈ 4), peer ratings a little
lower and more spread, service users 80–95.

The registry carries synthetic names (seeded; for the evaluation office only), organisations,
qualifications and terms covering the sample's years. Each year's assignments
(``rater_assignments``) are the rater–unit pairs of that year's ratings, less the raters' own
units and declared conflicts: the office assigned what was rated, so the registry rules
exclude no sample rating beyond the self-rating below.

Special cases the tests and the aggregation rules rely on:

* :data:`SELF_RATER_ID`, a peer, also rates their own unit (it must be dropped; the office
  did not assign it);
* :data:`DECLARED_CONFLICTS`: the self-rater's own unit, declared, and two conflicts with
  units the declaring raters were not assigned to and did not rate in the committed
  sample's years;
* :data:`HARSH_RATER_ID`, a peer, scores about 20 points below everyone else;
* the expert group rates the 社会服务类 units with only 3–4 experts, below the usual
  minimum of 5 raters per group (:data:`SHORT_EXPERT_CLASS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import choose_rowwise, dates, labels, sequential_ids
from .context import YearContext
from .district import units_table
from .spec import DISTRICT, SampleSpec, child_rng

N_LEADERS = 8
N_SERVICE_USERS = 60
N_EXPERTS = 6
#: The peer rater who also rates their own unit, and that unit.
SELF_RATER_ID, SELF_RATED_UNIT = "PR05", "D05"
#: The deliberately harsh peer rater and how far below the others they score.
HARSH_RATER_ID, HARSH_OFFSET = "PR42", -20.0
#: Unit class rated by only 3–4 experts.
SHORT_EXPERT_CLASS = "社会服务类"

CRITERIA = ("attitude", "efficiency", "integrity", "innovation")
CRITERION_OFFSET = np.array([0.5, 0.0, 1.0, -1.5])
#: Per rater group: mean score, effect of one sd of unit quality, sd of the rater's own
#: leniency, sd of the noise of one score; and raters per unit (low, high inclusive).
GROUP_MODEL = {
    "leader": (88.0, 2.0, 2.0, 2.5, (5, 8)),
    "peer": (85.0, 2.0, 3.0, 3.5, (20, 30)),
    "service_user": (87.0, 2.5, 3.0, 4.5, (20, 40)),
    "expert": (84.0, 2.2, 2.0, 3.0, (5, 6)),
}
SHORT_EXPERT_RANGE = (3, 4)
#: A rater rating their own unit is lenient by this much.
SELF_RATING_BONUS = 5.0


#: Conflicts of interest declared by raters (rater_id, unit_id, reason): the self-rater's
#: own unit, and two conflicts with units the raters never rated in the committed sample
#: (seed 20241, 2022–2024), so they exclude nothing there.
DECLARED_CONFLICTS = (
    (SELF_RATER_ID, SELF_RATED_UNIT, "本人所在单位"),
    ("LD06", "D33", "近亲属在该单位任职"),
    ("ZJ02", "D24", "近三年曾受托为该单位提供咨询服务"),
)

#: Characters the synthetic names (surname + two characters) are drawn from.
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶"
                 "程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺")
GIVEN_CHARS = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建国红飞宇晨浩然欣怡婷"
                    "雪琳晓斌宏志文博思远佳慧颖嘉俊峰海燕凯亮蕾诗雨梦涵瑞泽睿哲")
LEADER_ORGANISATIONS = ("中共示例区委员会", "示例区人民政府", "示例区人大常委会", "示例区政协")
ENTERPRISE_WORDS = ("启明", "恒通", "嘉禾", "远航", "瑞丰", "华信", "同创", "新源", "博纳", "鼎盛")
ENTERPRISE_KINDS = ("科技有限公司", "商贸有限公司", "餐饮管理有限公司", "建筑工程有限公司", "物业管理有限公司")
COMMUNITY_WORDS = ("青枫", "南湖", "松林", "丹霞", "北苑", "翠竹", "云锦", "金桥")
EXPERTS = (("示例大学公共管理学院", "教授（公共管理）"), ("示例区委党校", "副教授（行政管理）"),
           ("示例市社会科学院", "研究员（社会学）"), ("示例评估咨询有限公司", "高级经济师"),
           ("示例会计师事务所", "注册会计师"), ("示例大学法学院", "副教授（行政法）"))


def _registry() -> pd.DataFrame:
    """Who the raters are: ``rater_id, rater_group, own_unit_id``, sorted by id."""
    units = units_table()["unit_id"].tolist()
    rows = [(f"LD{i:02d}", "leader", None) for i in range(1, N_LEADERS + 1)]
    rows += [(f"PR{i:02d}", "peer", unit) for i, unit in enumerate(units, start=1)]
    rows += [(f"FW{i:03d}", "service_user", None) for i in range(1, N_SERVICE_USERS + 1)]
    rows += [(f"ZJ{i:02d}", "expert", None) for i in range(1, N_EXPERTS + 1)]
    frame = pd.DataFrame(rows, columns=["rater_id", "rater_group", "own_unit_id"])
    frame["own_unit_id"] = frame["own_unit_id"].astype("str")
    return frame.sort_values("rater_id", ignore_index=True)


def raters_table(spec: SampleSpec = SampleSpec()) -> pd.DataFrame:
    """The ``raters`` registry: 8 leaders (``LD``), one peer per unit (``PR``, with
    ``own_unit_id``), 60 service users (``FW``) and 6 experts (``ZJ``), sorted by id; each
    with a synthetic three-character name, an organisation, a qualification and a term
    starting 0–2 years before the first of ``spec.years`` and ending 0–1 year after the last
    (so every term covers every year of the sample)."""
    frame = _registry()
    rng = child_rng(spec.seed, DISTRICT, "rater_details")
    n = len(frame)
    surname = rng.integers(0, len(SURNAMES), n)
    given = rng.integers(0, len(GIVEN_CHARS), (n, 2))
    frame["name"] = [SURNAMES[a] + GIVEN_CHARS[b] + GIVEN_CHARS[c] for a, (b, c) in zip(surname, given)]
    unit_names = units_table().set_index("unit_id")["name_zh"]
    enterprise = rng.random(n) < 0.5
    organisation, qualification = [], []
    for i, row in enumerate(frame.itertuples(index=False)):
        number = int(row.rater_id[2:])
        if row.rater_group == "leader":
            organisation.append(LEADER_ORGANISATIONS[(number - 1) % len(LEADER_ORGANISATIONS)])
            qualification.append("区级领导")
        elif row.rater_group == "peer":
            organisation.append(unit_names[row.own_unit_id])
            qualification.append("本单位效能评估联络员")
        elif row.rater_group == "service_user" and enterprise[i]:
            organisation.append(f"示例区{ENTERPRISE_WORDS[number % len(ENTERPRISE_WORDS)]}"
                                f"{ENTERPRISE_KINDS[number % len(ENTERPRISE_KINDS)]}")
            qualification.append("服务对象代表（企业）")
        elif row.rater_group == "service_user":
            organisation.append(f"{COMMUNITY_WORDS[number % len(COMMUNITY_WORDS)]}社区居民委员会")
            qualification.append("服务对象代表（居民）")
        else:
            org, title = EXPERTS[(number - 1) % len(EXPERTS)]
            organisation.append(org)
            qualification.append(title)
    frame["organisation"] = organisation
    frame["qualification"] = qualification
    first, last = min(spec.years), max(spec.years)
    frame["term_start"] = pd.to_datetime([f"{first - k}-01-01" for k in rng.integers(0, 3, n)])
    frame["term_end"] = pd.to_datetime([f"{last + k}-12-31" for k in rng.integers(0, 2, n)])
    for name in ("name", "organisation", "qualification"):
        frame[name] = frame[name].astype("str")
    return frame


def rater_conflicts(spec: SampleSpec = SampleSpec()) -> pd.DataFrame:
    """The ``rater_conflicts`` table: :data:`DECLARED_CONFLICTS`, each declared at the start
    of the first year of the sample."""
    frame = pd.DataFrame(DECLARED_CONFLICTS, columns=["rater_id", "unit_id", "reason"])
    frame["declared_date"] = pd.Timestamp(year=min(spec.years), month=1, day=10)
    return frame.sort_values(["rater_id", "unit_id"], ignore_index=True)


def rater_assignments(ratings_of_year: pd.DataFrame) -> pd.DataFrame:
    """The year's ``rater_assignments``: the rater–unit pairs of ``ratings_of_year`` less
    each rater's own unit and the units of :data:`DECLARED_CONFLICTS` (never assigned)."""
    pairs = ratings_of_year[["rater_id", "unit_id"]].drop_duplicates()
    own = pairs["rater_id"].map(_registry().set_index("rater_id")["own_unit_id"])
    declared = pd.MultiIndex.from_tuples([(r, u) for r, u, _ in DECLARED_CONFLICTS])
    keep = (own != pairs["unit_id"]) & ~pd.MultiIndex.from_frame(pairs).isin(declared)
    out = pairs[keep.to_numpy()].sort_values(["rater_id", "unit_id"], ignore_index=True)
    for name in ("rater_id", "unit_id"):
        out[name] = out[name].astype("str")
    return out


def _rater_leniency(seed: int, registry: pd.DataFrame) -> pd.Series:
    """Each rater's stable leniency (points), drawn once for the district."""
    rng = child_rng(seed, DISTRICT, "rater_leniency")
    sd = registry["rater_group"].map({g: m[2] for g, m in GROUP_MODEL.items()}).to_numpy()
    leniency = pd.Series(rng.normal(0.0, 1.0, len(registry)) * sd, index=registry["rater_id"].to_numpy())
    leniency[HARSH_RATER_ID] = HARSH_OFFSET
    return leniency


def ratings(ctx: YearContext) -> pd.DataFrame:
    """The ``ratings`` table: every unit rated on :data:`CRITERIA` (0–100) by leaders
    (5–8), peers (20–30), service users (20–40) and experts (5–6, or 3–4 for the
    :data:`SHORT_EXPERT_CLASS` units)."""
    rng = ctx.rng("ratings")
    registry = _registry()
    leniency = _rater_leniency(ctx.spec.seed, registry)
    by_group = {g: registry.loc[registry["rater_group"] == g, "rater_id"].to_numpy()
                for g in GROUP_MODEL}
    own_unit = dict(zip(registry["rater_id"], registry["own_unit_id"]))
    rater_ids, unit_ids, groups, means = [], [], [], []
    for unit in ctx.units.itertuples(index=False):
        for group, (mean, effect, _, _, (low, high)) in GROUP_MODEL.items():
            if group == "expert" and unit.unit_class == SHORT_EXPERT_CLASS:
                low, high = SHORT_EXPERT_RANGE
            pool = by_group[group]
            if group == "peer":
                pool = pool[np.array([own_unit[r] != unit.unit_id for r in pool])]
            chosen = np.sort(rng.choice(pool, size=int(rng.integers(low, high + 1)), replace=False))
            if group == "peer" and unit.unit_id == SELF_RATED_UNIT:
                chosen = np.sort(np.append(chosen, SELF_RATER_ID))
            centre = mean + effect * unit.quality
            rater_ids.append(chosen)
            unit_ids.append(np.full(len(chosen), unit.unit_id, dtype=object))
            groups.append(np.full(len(chosen), group, dtype=object))
            means.append(np.full(len(chosen), centre))
    rater = np.concatenate(rater_ids)
    unit = np.concatenate(unit_ids)
    group = np.concatenate(groups)
    centre = np.concatenate(means) + leniency[rater].to_numpy()
    centre += np.where((rater == SELF_RATER_ID) & (unit == SELF_RATED_UNIT), SELF_RATING_BONUS, 0.0)
    noise_sd = pd.Series(group).map({g: m[3] for g, m in GROUP_MODEL.items()}).to_numpy()

    k = len(CRITERIA)
    score = (np.repeat(centre, k) + np.tile(CRITERION_OFFSET, len(rater))
             + rng.normal(0.0, 1.0, len(rater) * k) * np.repeat(noise_sd, k))
    frame = pd.DataFrame({
        "rater_id": np.repeat(rater, k),
        "rater_group": np.repeat(group, k),
        "unit_id": np.repeat(unit, k),
        "criterion": np.tile(np.array(CRITERIA, dtype=object), len(rater)),
        "score": np.round(np.clip(score, 0.0, 100.0), 1),
    })
    frame = frame.sort_values(["rater_id", "unit_id", "criterion"], ignore_index=True)
    for name in ("rater_id", "rater_group", "unit_id", "criterion"):
        frame[name] = frame[name].astype("str")
    return frame


VOTER_GROUPS = ("deputies", "leaders", "public", "staff")
#: Shift of the share of 优秀 votes per voter group.
VOTER_EXCELLENT_SHIFT = {"deputies": 0.0, "leaders": 0.05, "public": -0.05, "staff": 0.08}


def votes(ctx: YearContext) -> pd.DataFrame:
    """The ``votes`` table (民主测评): vote counts per unit and voter group; 优秀
    ≈ 55–85 %, 不称职 rare."""
    rng = ctx.rng("votes")
    u = ctx.units
    n = len(u)
    z = np.repeat(u["quality"].to_numpy(), len(VOTER_GROUPS))
    group = np.tile(np.array(VOTER_GROUPS), n)
    staff = np.rint(np.repeat(u["size"].to_numpy(), len(VOTER_GROUPS)) * 36).astype(np.int64)
    voters = np.select(
        [group == "leaders", group == "staff", group == "deputies"],
        [rng.integers(5, 13, len(z)), np.maximum(staff, 12), rng.integers(10, 31, len(z))],
        rng.integers(20, 61, len(z)))
    shift = pd.Series(group).map(VOTER_EXCELLENT_SHIFT).to_numpy()
    excellent = np.clip(0.64 + 0.07 * z + shift + rng.normal(0, 0.03, len(z)), 0.3, 0.92)
    basic = np.clip(0.03 - 0.012 * z, 0.004, 0.09)
    incompetent = np.clip(0.004 - 0.002 * z, 0.0, 0.02)
    competent = 1.0 - excellent - basic - incompetent
    p = np.column_stack([excellent, competent, basic, incompetent])
    counts = np.array([rng.multinomial(v, row) for v, row in zip(voters, p)])
    return pd.DataFrame({
        "unit_id": np.repeat(u["unit_id"].to_numpy(), len(VOTER_GROUPS)),
        "voter_group": group,
        "excellent": counts[:, 0], "competent": counts[:, 1],
        "basically_competent": counts[:, 2], "incompetent": counts[:, 3],
    })


ANSWERS = ("very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied", "very_dissatisfied")
EXTRA_QUESTIONS = ("timeliness", "attitude", "convenience")
#: Share of enterprise respondents by unit class; the rest are residents.
ENTERPRISE_SHARE = {"综合管理类": 0.6, "执法监管类": 0.5, "社会服务类": 0.25, "街道": 0.15, "镇": 0.2}


def survey_responses(ctx: YearContext) -> pd.DataFrame:
    """The ``survey_responses`` table: 30–80 responses per unit, each answering
    ``overall`` plus 1–2 of :data:`EXTRA_QUESTIONS`, stratified 企业/居民 (a few unknown)."""
    rng = ctx.rng("survey_responses")
    u = ctx.units
    counts = rng.integers(30, 81, len(u))
    unit = np.repeat(np.arange(len(u)), counts)
    days = np.arange(np.datetime64(f"{ctx.year}-06-01"), np.datetime64(f"{ctx.year}-12-01"))
    answered = days[rng.integers(0, len(days), len(unit))]
    order = np.lexsort((unit, answered))
    unit, answered = unit[order], answered[order]
    n = len(unit)
    enterprise = u["unit_class"].map(ENTERPRISE_SHARE).to_numpy()[unit]
    stratum = np.where(rng.random(n) < enterprise, 0, 1)
    stratum = np.where(rng.random(n) < 0.02, -1, stratum)

    extra_count = rng.integers(1, 3, n)
    extra_order = np.argsort(rng.random((n, len(EXTRA_QUESTIONS))), axis=1)
    asked = np.column_stack([np.ones(n, bool)] + [extra_count > i for i in range(len(EXTRA_QUESTIONS))])
    question_codes = np.column_stack([np.full(n, -1), extra_order])  # -1 = overall
    row, col = np.nonzero(asked)
    question = question_codes[row, col]

    z = u["quality"].to_numpy()[unit[row]]
    p = np.column_stack([
        np.clip(0.55 + 0.07 * z, 0.3, 0.8), np.full(len(z), 0.33),
        np.clip(0.08 - 0.02 * z, 0.02, 0.2), np.clip(0.03 - 0.01 * z, 0.005, 0.08),
        np.clip(0.01 - 0.004 * z, 0.001, 0.03)])
    p /= p.sum(axis=1, keepdims=True)
    frame = pd.DataFrame({
        "response_id": sequential_ids(f"WJ{ctx.year}", n, 6).to_numpy()[row],
        "unit_id": u["unit_id"].to_numpy()[unit[row]],
        "response_date": dates(answered[row]),
        "question": np.where(question < 0, "overall", np.array(EXTRA_QUESTIONS)[np.maximum(question, 0)]),
        "answer": labels(choose_rowwise(rng, p), ANSWERS).to_numpy(),
        "stratum": labels(stratum[row], ("企业", "居民")).to_numpy(),
    })
    frame = frame.sort_values(["response_id", "question"], ignore_index=True)
    for name in ("response_id", "unit_id", "question", "answer", "stratum"):
        frame[name] = frame[name].astype("str")
    return frame
