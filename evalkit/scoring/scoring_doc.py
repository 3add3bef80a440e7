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
    from .model import NODE_STATUSES, ScoringModel

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
            f"* **provisional** (`publication_coverage`) — {publication}", "",
            "Every node row of the results carries its `status`: "
            + ", ".join(f"`{s}`" for s in NODE_STATUSES) + f" ({Framework.__name__} keys: "
            "`publication_coverage`, `missing_policy`).", ""]


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
    lines += (_missing_section() + _applicability_section() + _sum_section() + _adjustment_section()
              + _rank_grade_section())
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(scoring_markdown())
