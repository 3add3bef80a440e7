"""Render the scoring rules as Markdown (``docs/scoring.md``), from the objects that score.

Every rule's text is its own docstring and its ``describe`` output (Chinese and English),
every row text its ``explain`` output, and the grade rules in words are
:meth:`~evalkit.scoring.framework.GradeRules.describe`; every worked example is computed
here by the rule object or the kernel that scores the published results, so the page cannot
say something the scorer does not do. Run ``python -m evalkit.scoring.scoring_doc
> docs/scoring.md`` after changing a rule or a kernel; ``tests/scoring/test_scoring_doc.py``
fails while the two disagree.
"""

from __future__ import annotations

import inspect
import sys

import numpy as np
import pandas as pd

from . import kernels
from .framework import GradeRules
from .rules import RULES, parse_rule
from .vocabulary import MISSING_POLICIES

__all__ = ["scoring_markdown"]

#: One worked example per rule type: the rule's parameters, the leaf's points, target,
#: direction and unit, and the values to score. For ``ratio_to_best`` the best value of the
#: peer group is the best of the values shown; for ``rank_points`` the ranks are theirs.
RULE_EXAMPLES = {
    "threshold_deduct": ({"type": "threshold_deduct", "per": 1, "deduct": 2}, 8, 99.5, +1, "%",
                         [100.0, 99.5, 99.0, 97.5, 95.0]),
    "linear_band": ({"type": "linear_band", "low": 60, "high": 100}, 10, None, +1, "%",
                    [100.0, 90.0, 80.0, 60.0, 50.0]),
    "ratio_to_best": ({"type": "ratio_to_best"}, 5, None, -1, "天", [2.0, 2.5, 4.0, 8.0]),
    "binary": ({"type": "binary"}, 3, 100.0, +1, "%", [100.0, 99.9]),
    "band_table": ({"type": "band_table", "bands": [[0, 5], [10, 4], [20, 3], [30, 2]]}, 5, None, -1, "%",
                   [0.0, 8.0, 10.0, 25.0, 35.0]),
    "rank_points": ({"type": "rank_points", "table": [6, 5.5, 5, 4.5, 4], "step": 0.5, "floor": 2}, 6, None, +1,
                    "%", [98.0, 97.0, 97.0, 90.0, 88.0, 80.0, 70.0]),
    "checklist_deduct": ({"type": "checklist_deduct", "per_item": 0.5, "zero_at": 2}, 1, None, -1, "项",
                         [0.0, 1.0, 2.0]),
    "goalposts": ({"type": "goalposts", "lower": 50, "upper": 100}, 4, None, +1, "%", [100.0, 75.0, 40.0]),
}


#: A second ``threshold_deduct`` example, with whole steps (each started step counts in full).
WHOLE_STEPS_EXAMPLE = ({"type": "threshold_deduct", "per": 10, "deduct": 3, "whole_steps": True}, 10, 90.0, +1, "%",
                       [90.0, 85.0, 80.0, 75.2, 60.0])


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    return f"{float(x):.4g}"


def _rule_section(kind: str, example: tuple | None = None) -> list[str]:
    spec, points, target, direction, unit, values = example or RULE_EXAMPLES[kind]
    rule = parse_rule(spec)
    v = np.asarray(values, dtype=float)
    pts = np.full(v.shape, float(points))
    ok = np.ones(v.shape, dtype=bool)
    members = [np.arange(v.size)]
    best = kernels.group_best(v, ok, members, direction)
    rank = kernels.group_value_ranks(v, ok, members, direction)
    scores = rule.score(v, pts, target, direction, best, rank)
    doc = inspect.cleandoc(type(rule).__doc__ or "")
    params = ", ".join(f"{k}: {val}" for k, val in spec.items() if k != "type") or "none"
    lines = ([f"### `{kind}`", "", doc, ""] if example is None else [f"#### `{kind}` with whole steps", ""]) + [
             f"**Worked example** — parameters: {params}; points {points:g}"
             + (f"; target {target:g}{unit}" if target is not None else "")
             + f"; {'higher' if direction > 0 else 'lower'} is better.",
             "", "Printed rule (as reports show it):", "",
             f"- zh: {rule.describe(target, direction, unit, 'zh')}",
             f"- en: {rule.describe(target, direction, unit, 'en')}", "",
             "| value | " + ("best in group | " if kind == "ratio_to_best" else "")
             + ("rank | " if kind == "rank_points" else "") + "points |",
             "|---|" + ("---|" if kind == "ratio_to_best" else "") + ("---|" if kind == "rank_points" else "") + "---|"]
    for i, x in enumerate(v):
        extra = (f"{_fmt(best[i])} | " if kind == "ratio_to_best" else "") + \
                (f"{_fmt(rank[i])} | " if kind == "rank_points" else "")
        lines.append(f"| {_fmt(x)}{unit} | {extra}{_fmt(scores[i])} |")
    lines += ["", "Row texts (`explain`, as reports show them):", "", "| value | zh | en |", "|---|---|---|"]
    for i, x in enumerate(v):
        texts = [rule.explain(x, points, target, direction, unit, language, best=best[i], rank=rank[i])
                 for language in ("zh", "en")]
        lines.append(f"| {_fmt(x)}{unit} | " + " | ".join(texts) + " |")
    return lines + [""]


def _missing_section() -> list[str]:
    # Peer group of four units; D has no data. A and B have 10 points, C and D 20 (another
    # class): mean share of the donors = (8/10 + 6/10 + 10/20) / 3 = 0.6333…
    points = np.array([10.0, 10.0, 20.0, 20.0])
    scores = np.array([8.0, 6.0, 10.0, np.nan])
    no_data = np.isnan(scores)
    members = [np.arange(4)]
    lines = ["## Missing data", "", inspect.cleandoc(kernels.fill_missing.__doc__), "",
             "**Worked example** — one peer group; A and B have 10 points, C and D 20; D has no data.", "",
             "| policy | A | B | C | D |", "|---|---|---|---|---|"]
    for policy in MISSING_POLICIES:
        out = kernels.fill_missing(scores, points, no_data, ~no_data, members, policy)
        lines.append(f"| `{policy}` | " + " | ".join(_fmt(x) for x in out) + " |")
    lines += ["", "Under `renormalise` D's parent rescales over the children with a score (next section).", ""]
    return lines


def _sum_section() -> list[str]:
    # Parent of three leaves with points 40, 40, 20; the third has no data for this unit.
    scores = [np.array([30.0]), np.array([40.0]), np.array([np.nan])]
    points = [np.array([40.0]), np.array([40.0]), np.array([20.0])]
    cover = [np.array([1.0]), np.array([1.0]), np.array([0.0])]
    s, p, c = kernels.combine_sum(scores, points, cover)
    s_min, _, _ = kernels.combine_sum(scores, points, cover, min_coverage=0.8)
    return ["## Points sum, coverage and `min_coverage`", "", inspect.cleandoc(kernels.combine_sum.__doc__), "",
            "**Worked example** — children worth 40, 40 and 20 points score 30, 40 and (no data):",
            f"score = (30 + 40) × 100 / 80 = {_fmt(s[0])} of {_fmt(p[0])} points; coverage = 80 / 100 = "
            f"{_fmt(c[0])}; with `min_coverage: 0.8` the score is kept ({_fmt(s_min[0])}), with 0.81 it "
            f"would be missing.", ""]


def _adjustment_section() -> list[str]:
    total, s100 = kernels.adjusted_scores(np.array([96.1, 99.0, 2.0]), np.array([100.0, 100.0, 100.0]),
                                          np.array([2.0, 3.0, 0.0]), np.array([0.0, 1.5, 5.0]))
    return ["## Bonus, deduction, 一票否决 and 一票否优", "", inspect.cleandoc(kernels.adjusted_scores.__doc__), "",
            "**Worked example** (capped points; maximum 100):", "",
            "| base | bonus | deduction | total | score_100 |", "|---|---|---|---|---|",
            f"| 96.1 | 2 | 0 | {_fmt(total[0])} | {_fmt(s100[0])} |",
            f"| 99 | 3 | 1.5 | {_fmt(total[1])} | {_fmt(s100[1])} |",
            f"| 2 | 0 | 5 | {_fmt(total[2])} | {_fmt(s100[2])} |", ""]


def _rank_grade_section() -> list[str]:
    scores = np.array([95.0, 92.004, 91.996, 90.0, 89.994, 70.0, 65.0, 50.0, 85.0, 80.0])
    members = [np.arange(10)]
    ranks = kernels.published_ranks(scores, members)
    veto = np.zeros(10, dtype=bool)
    veto[6] = True
    bar = np.zeros(10, dtype=bool)
    bar[0] = True
    rules = GradeRules()  # the default bands
    lows = [b[1] for b in rules.bands]
    grades = kernels.grade_indices(scores, ranks, members, lows, 0.2, veto, bar)
    names = [b[0] for b in rules.bands]
    lines = ["## Ranks, grades, the quota and vetoes", "",
             inspect.cleandoc(kernels.published_ranks.__doc__), "", inspect.cleandoc(kernels.grade_indices.__doc__), "",
             "The grade rules in words (`GradeRules.describe`, as reports print them; the default bands):", "",
             f"- zh: {rules.describe('zh')}", f"- en: {rules.describe('en')}", "",
             "**Worked example** — one peer group of ten, the default bands ("
             + " / ".join(f"{n} ≥ {lo:g}" for n, lo in GradeRules().bands) + "), top quota 20 % "
             "(⌊0.2 × 10⌋ = 2 places); unit 1 has 一票否优, unit 7 一票否决:", "",
             "| unit | score_100 | published | rank | grade |", "|---|---|---|---|---|"]
    for i, x in enumerate(scores):
        note = " (一票否优)" if bar[i] else " (一票否决)" if veto[i] else ""
        lines.append(f"| {i + 1}{note} | {x:g} | {x:.2f} | {int(ranks[i])} | {names[grades[i]]} |")
    lines += ["", "Units 2 and 3 publish as 92.00 and tie for rank 2; they would take the two top-grade places "
              "together with nobody else (unit 1 is barred and takes no place); unit 4 (90.00) is in the top band "
              "but beyond the quota, so it gets the second band.", ""]
    return lines


def _applicability_section() -> list[str]:
    """Not applicable, not reported and provisional results: from the model's and the
    framework's own docstrings."""
    from .framework import Framework
    from .model import NODE_STATUSES, ScoringModel, _absent_not_applicable

    schema = __import__("evalkit.scoring.schema", fromlist=["framework_schema"]).framework_schema()
    publication = schema["properties"]["publication_coverage"]["description"]
    na_doc = inspect.getdoc(ScoringModel.from_values).split("not_applicable : DataFrame, optional", 1)[1]
    na_doc = inspect.cleandoc(na_doc.split("\n\n", 1)[0])
    return ["## Not applicable, not reported and provisional", "",
            "A leaf that does not apply to a unit (the `not_applicable` table, one row per unit and "
            "indicator, with the reason) and a leaf that applies but has no data are different things:",
            "", f"* **not applicable** — {na_doc}",
            "* **not reported** — the leaf applies and has no data: the framework's missing-data "
            "policy (above) gives its score, and the reports say which policy and how many points it gave; "
            "a filled score is never shown as data.",
            "* **not applicable without a declaration** — "
            + " ".join(inspect.getdoc(_absent_not_applicable).split()),
            f"* **provisional** (`publication_coverage`) — {publication}", "",
            "Every node row of the results carries its `status`: "
            + ", ".join(f"`{s}`" for s in NODE_STATUSES) + f" ({Framework.__name__} keys: "
            "`publication_coverage`, `missing_policy`).", ""]


class _KeyTaskExample:
    """A one-unit dataset of three key tasks across the 2024 National Day holiday."""

    year = 2024
    workday_overrides = None
    units = pd.DataFrame({"unit_id": ["D01"]})
    _tasks = pd.DataFrame({
        "task_id": ["T1", "T2", "T3"], "unit_id": ["D01"] * 3, "points": [3.0, 2.0, 5.0],
        "completion": ["completed", "basically_completed", "not_completed"],
        "completion_pct": [float("nan")] * 3})
    _milestones = pd.DataFrame({
        "task_id": ["T1", "T1", "T2", "T2", "T3"],
        "milestone": ["a", "b", "a", "b", "a"],
        "planned_date": pd.to_datetime(["2024-09-27", "2024-09-30", "2024-10-01", "2024-09-28", "2024-12-20"]),
        "actual_date": pd.to_datetime(["2024-10-08", "2024-10-12", "2024-10-07", "2024-09-29", None])})

    def table(self, name: str, year: int) -> pd.DataFrame:
        return self._tasks if name == "key_tasks" else self._milestones


def _key_task_section() -> list[str]:
    """The key-task rule (the indicator's own docstring) and a worked example computed by it."""
    from ..indicators.key_tasks import key_task_details, key_task_score

    ds = _KeyTaskExample()
    tasks, stones = key_task_details(ds, ds.year)
    value = float(key_task_score(ds, ds.year)["value"].iloc[0])
    lines = ["## Key tasks (个性指标: `key_task_score`)", "",
             "Each unit is scored on its own key tasks (the `key_tasks` and `key_task_milestones` tables); "
             "a framework leaf reads `key_task_score` like any indicator (the sample framework: `KEY01`, "
             "15 points, `linear_band` 0–100, so the leaf's points are 15 × score / 100).", "",
             inspect.getdoc(key_task_score), "",
             "Example (2024: 29 September, a Sunday, and 12 October, a Saturday, are make-up working days; "
             "1–7 October are holidays — 国务院办公厅关于2024年部分节假日安排的通知, 国办发明电〔2023〕7号):", "",
             "| task | points | assessment | milestone planned → reached | working days late | task score |",
             "|---|---|---|---|---|---|"]
    for t in tasks.itertuples(index=False):
        mine = stones[stones["task_id"] == t.task_id]
        plan = "; ".join(f"{m.planned_date:%m-%d} → " + ("not reached" if pd.isna(m.actual_date)
                                                          else f"{m.actual_date:%m-%d}") + f" ({m.working_days_late})"
                         for m in mine.itertuples(index=False))
        lines.append(f"| {t.task_id} | {t.points:g} | {t.completion} | {plan} | {t.working_days_late} | "
                     f"max(0, {t.share:g} − {t.late_deduction:g}) = {t.task_score:g} |")
    weighted = " + ".join(f"{t.points:g} × {t.task_score:g}" for t in tasks.itertuples(index=False))
    lines += ["", f"key_task_score = ({weighted}) / {tasks['points'].sum():g} = **{value:g}**; "
              f"the unit's `KEY01` points are 15 × {value:g} / 100 = {15 * value / 100:g}.", ""]
    return lines


class _OAExample:
    """A one-unit dataset of OA documents across the 2024 holidays and the year end."""

    year = 2024
    workday_overrides = None
    units = pd.DataFrame({"unit_id": ["D01"]})
    _docs = pd.DataFrame({
        "unit_id": ["D01"] * 6, "limit_days": [3, 1, 4, 5, 5, 5],
        "received_at": pd.to_datetime(["2024-02-08 17:20", "2024-02-10 09:00", "2024-09-30 17:30",
                                       "2024-12-20 09:00", "2024-12-25 09:00", "2024-12-26 09:00"]),
        "closed_at": pd.to_datetime(["2024-02-19 11:00", "2024-02-19 09:00", "2024-10-12 16:00", None, None,
                                     "2025-01-02 10:00"])})

    def table(self, name: str, year: int) -> pd.DataFrame:
        return self._docs


def _oa_section() -> list[str]:
    """The OA indicators' counting rules (their module's docstring) and an example computed by them."""
    from ..indicators import oa

    ds = _OAExample()
    rows = oa.document_days(ds, ds.year)
    value = {f.__name__: float(f(ds, ds.year)["value"].iloc[0])
             for f in (oa.oa_on_time_rate, oa.oa_median_handling_days, oa.oa_overdue_backlog)}
    conventions = inspect.getdoc(oa).split("Per unit:")[0].split("\n", 1)[1].strip()
    lines = ["## Office-automation records (岗位履职: `oa_on_time_rate`, `oa_median_handling_days`, "
             "`oa_overdue_backlog`)", "",
             "Per-unit indicators from the `oa_documents` table; a framework leaf reads them like any "
             "indicator, with any leaf rule. Per post type (岗位) they are computed only by `evalkit oa-posts`, "
             f"for the evaluation office: never scored, never in the results, the reports or their JSON, and "
             f"withheld for a post type with fewer than {oa.ANONYMITY_FLOOR} documents.", "", conventions, "",
             "Example (2024: 10–17 February and 1–7 October are holidays, Sunday 18 February and Saturday "
             "12 October make-up working days; 1 January 2025 is a holiday — 国办发明电〔2023〕7号):", "",
             "| received → closed | limit | handling days | due | on time | overdue at year end |",
             "|---|---|---|---|---|---|"]
    yes = {True: "yes", False: "no"}
    for d, r in zip(ds._docs.itertuples(index=False), rows.itertuples(index=False)):
        closed = "open" if pd.isna(d.closed_at) else f"{d.closed_at:%Y-%m-%d}"
        days = "—" if np.isnan(r.handling_days) else f"{r.handling_days:g}"
        lines.append(f"| {d.received_at:%Y-%m-%d} → {closed} | {d.limit_days} | {days} | {yes[bool(r.due)]} | "
                     f"{yes[bool(r.on_time)]} | {yes[bool(r.overdue_open)]} |")
    lines += ["", f"oa_on_time_rate = {int(rows['on_time'].sum())} / {int(rows['due'].sum())} = "
              f"**{value['oa_on_time_rate']:.4g} %**; oa_median_handling_days = "
              f"**{value['oa_median_handling_days']:g}** (of {int(rows['closed'].sum())} closed); "
              f"oa_overdue_backlog = **{value['oa_overdue_backlog']:g}**.", ""]
    return lines


def scoring_markdown() -> str:
    """The whole page."""
    head = inspect.cleandoc(kernels.__doc__).split("Conventions (the rules every path shares)")[1]
    head = head.split("\n", 2)[2] if head.startswith("\n") else head
    lines = ["# How evalkit scores (计分规则)", "",
             "Generated from the code that scores (`python -m evalkit.scoring.scoring_doc > docs/scoring.md`); "
             "every example below was computed by the rule objects and kernels that compute the published "
             "results and every replication of the weighting-scheme lab.", "",
             "## The rules every path shares", "", head.strip("-\n "), "",
             "## Leaf rules", "", "A leaf's rule turns the indicator value into points between 0 and the "
             "leaf's points; no data gives no score (the missing-data policy decides).", ""]
    for kind in RULES:
        lines += _rule_section(kind)
        if kind == WHOLE_STEPS_EXAMPLE[0]["type"]:
            lines += _rule_section(kind, WHOLE_STEPS_EXAMPLE)
    lines += (_missing_section() + _applicability_section() + _key_task_section() + _oa_section() + _sum_section()
              + _adjustment_section()
              + _rank_grade_section())
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(scoring_markdown())
