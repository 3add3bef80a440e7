"""The editable target workbook ``evalkit targets`` writes (效能目标建议表).

Two worksheets, written with :func:`evalkit.data.writers.write_workbook` (plain values, no
formulas):

* **效能目标** — one row per unit and leaf (:func:`evalkit.targets.propose.propose_targets`)
  under the headers of :data:`evalkit.targets.agreed.WORKBOOK_COLUMNS`, with an empty
  商定目标 column for the evaluation office to fill in. It is the first sheet, the one read
  back when the workbook is saved as ``DATA/targets/<year + 1>.xlsx``;
* **说明** — what each column holds and each proposal rule says, the parameters, and how to
  return the workbook; generated from the same column and rule definitions
  (:data:`~evalkit.targets.agreed.WORKBOOK_COLUMNS`, :data:`~evalkit.targets.propose.BOUNDS`,
  :class:`~evalkit.targets.parameters.TargetParameters`), so the notes cannot drift from
  what the code does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.contract import PEER_GROUPS
from ..data.writers import Sheet, write_workbook
from ..scoring.framework import Framework
from .agreed import NOTES_SHEET, TABLE_SHEET, TARGETS_DIR, WORKBOOK_COLUMNS
from .leaves import target_leaves
from .parameters import TargetParameters
from .propose import BOUNDS, basis_text

__all__ = ["notes_table", "proposal_table", "write_target_workbook"]

_DIRECTION = {1: "越高越好", -1: "越低越好"}
_NUMBER_FORMAT = "0.0#"


def proposal_table(proposals: pd.DataFrame) -> pd.DataFrame:
    """The 效能目标 sheet: the proposals under the workbook's Chinese headers, 商定目标 empty."""
    values = {
        "unit_id": proposals["unit_id"].astype(str),
        "unit_name": proposals["unit_name"].astype(str),
        "peer_group": proposals["peer_group"].map(lambda g: PEER_GROUPS.get(str(g), str(g))),
        "leaf": proposals["leaf"].astype(str),
        "indicator_name": proposals["name_zh"].astype(str),
        "value_unit": proposals["value_unit"].astype(str),
        "direction": proposals["direction"].map(_DIRECTION),
        "current_value": proposals["current_value"],
        "peer_median": proposals["peer_median"],
        "peer_best": proposals["peer_best"],
        "policy_target": proposals["policy_target"],
        "proposed_target": proposals["proposed_target"],
        "bound_by": proposals["bound_zh"],
        "basis": [basis_text(r, "zh") for _, r in proposals.iterrows()],
        "agreed_target": pd.Series(np.nan, index=proposals.index, dtype="float64"),
    }
    return pd.DataFrame({c.zh: values[c.key] for c in WORKBOOK_COLUMNS})


def notes_table(year: int, parameters: TargetParameters, framework: Framework, *,
                generated: dt.date | None = None) -> pd.DataFrame:
    """The 说明 sheet: ``项目 / Item``, ``说明``, ``Notes`` rows on the workbook, its columns,
    the proposal rules, the parameters and how to return it."""
    nxt = year + 1
    share = f"{parameters.share:g}"
    ref_zh = {"median": "中位数", "best": "最优值"}[parameters.reference]
    leaves = ", ".join(n.code for n in target_leaves(framework))
    rows = [
        ("用途 / Purpose",
         f"依据 {year} 年评价结果，按下列规则提出各单位 {nxt} 年效能目标建议，供评价办与单位商定。",
         f"Targets for {nxt} proposed for each unit from the {year} results by the rules below, for the "
         "evaluation office to agree with the units."),
        ("评价体系 / Framework", f"{framework.name_zh}（{framework.code} {framework.version}）",
         f"{framework.name_en or framework.code} ({framework.code} {framework.version})"),
        ("生成日期 / Generated", (generated or dt.date.today()).isoformat(), ""),
        ("填写方法 / How to return",
         f"在“商定目标”列填写商定的目标值（数字，单位同本行指标；留空表示沿用评价体系目标），不要改动单位编码和指标编号，"
         f"将本工作簿保存为数据目录下的 {TARGETS_DIR}/{nxt}.xlsx（第一个工作表被读取）。{nxt} 年评分时，"
         "有商定目标的单位按其商定目标计分，其余单位按评价体系目标计分。",
         f"Fill in the column 商定目标 (a number in the row's unit; empty: the framework's target holds), keep "
         f"the unit and indicator codes, and save the workbook in the data directory as {TARGETS_DIR}/{nxt}.xlsx "
         f"(its first sheet is read). The {nxt} scoring then scores each unit with an agreed target against it, "
         "every other unit against the framework's."),
        ("检查 / Checks",
         "商定目标须为数字、在指标取值范围内、不低于政策目标；单位和指标须存在且该指标适用于该单位。"
         "不符合的行会以文件、行号和列名报错。",
         "An agreed target must be a number within the indicator's range and no easier than the policy "
         "target; the unit and the indicator must exist and the indicator must apply to the unit. Any row "
         "that breaks this is reported with file, row and column."),
        ("参数 / Parameters",
         f"缩小差距比例 {share}；参照值为对比组{ref_zh}；建议目标保留 {parameters.decimals} 位小数："
         "缩小差距的结果四舍五入，自身水平向更高要求方向取整（越高越好的指标向上取，越低越好的向下取），"
         "政策目标和取值范围端点按原值。",
         f"Share of the gap closed {share}; reference: the peer group's {parameters.reference}; proposals "
         f"have {parameters.decimals} decimal(s): the gap-closing value rounded to the nearest, the unit's "
         "own level towards the more demanding side (up where higher is better, down where lower is "
         "better), the policy target and the range's ends as written."),
        ("规则组合 / Combining the rules",
         "建议目标取“缩小差距”“保持自身水平”“政策目标底线”中要求最高者，再受“取值范围上限”约束；"
         "几条规则结果相同时，按取值范围上限、政策目标底线、保持自身水平、缩小差距的顺序标注。",
         "The proposal is the most demanding of gap-closing, own level and policy floor, then held within the "
         "range cap; when rules give the same value the first of range cap, policy floor, own level, "
         "gap-closing is named."),
        ("所列指标 / Indicators listed",
         f"计分规则按目标值计分、且政策目标尚未达到取值上限的三级指标：{leaves}；不适用于该单位的指标不列出。",
         f"Leaves whose rule scores against a target and whose policy target is not already the best value "
         f"possible: {leaves}; leaves that do not apply to a unit are not listed."),
    ]
    rows += [(f"规则 / Rule: {b.zh} ({b.en})", b.rule_zh, b.rule_en) for b in BOUNDS]
    rows += [(f"列 / Column: {c.zh} ({c.en})", c.note_zh, c.note_en) for c in WORKBOOK_COLUMNS]
    return pd.DataFrame(rows, columns=["项目 / Item", "说明", "Notes"])


def write_target_workbook(proposals: pd.DataFrame, path: str | Path, year: int, parameters: TargetParameters,
                          framework: Framework, *, generated: dt.date | None = None) -> Path:
    """Write the workbook (the module docstring) to ``path`` (``.xlsx``), atomically."""
    table = proposal_table(proposals)
    numbers = {c.zh: _NUMBER_FORMAT for c in WORKBOOK_COLUMNS
               if c.key in ("current_value", "peer_median", "peer_best", "policy_target", "proposed_target",
                            "agreed_target")}
    return write_workbook([
        Sheet(TABLE_SHEET, table, number_formats=numbers),
        Sheet(NOTES_SHEET, notes_table(year, parameters, framework, generated=generated),
              wrap=("说明", "Notes"), auto_filter=False),
    ], path)
