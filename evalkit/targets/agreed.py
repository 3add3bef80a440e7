"""The agreed targets (商定的效能目标): the file that sets a year's per-unit leaf targets.

Where it lives
--------------
``DATA/targets/<year>.xlsx`` (or ``.csv``, ``.csv.gz``, ``.xlsm``, ``.xls``, ``.parquet``):
the agreed targets *for* that year's scoring — ``targets/2024.xlsx`` sets the targets of
the 2024 evaluation. The file is typically the workbook ``evalkit targets --year 2023``
wrote, with the column 商定目标 (``agreed_target``) filled in by the evaluation office and
saved there; its first visible worksheet is read, as for every data file (the workbook's
说明 sheet is not read), and CSV text may be UTF-8, UTF-8 with BOM or GB18030. One file per
year: two (``2024.csv`` and ``2024.xlsx``) are an error.

What is checked (:func:`read_agreed_targets`)
---------------------------------------------
The columns of :data:`AGREED_TARGETS` by English name or Chinese label, cell types (a
number in 商定目标), and, for every row with an agreed target: the unit is listed in the
units table; the indicator (指标编号) names a leaf of the year's framework — by its code
(``EFF01``), its catalogue indicator (``service_on_time_rate``) or its Chinese name — that
takes a unit's own target (:func:`evalkit.targets.leaves.is_target_leaf`) and applies to
the unit; the target lies in the indicator's range and is not easier than the leaf's policy
target; each unit and leaf has one row. Every problem names the file, row and column.
Rows with an empty 商定目标 are left alone: the unit keeps the framework's target there.
The other columns of the workbook are for reading and are not checked.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.contract import SUFFIXES, Column, Table
from ..data.files import sha256_file
from ..data.loading import read_file
from ..data.validation import check_table
from ..errors import DataValidationError, Problem
from ..scoring.framework import Framework, Node
from ..scoring.rules import TARGET_RULE_TYPES, fmt_number, rule_at_target
from .leaves import direction_of, is_target_leaf, more_demanding, policy_target, unit_of, value_range

__all__ = ["AGREED_TARGETS", "AgreedTargets", "RESULT_COLUMNS", "TARGETS_DIR", "agreed_file", "agreed_target_table",
           "check_agreed_files", "load_agreed_targets", "with_agreed_targets",
           "read_agreed_targets", "WORKBOOK_COLUMNS", "NOTES_SHEET", "TABLE_SHEET"]

#: The folder of a data directory holding the agreed targets, one file per year.
TARGETS_DIR = "targets"
#: The worksheet names of the workbook ``evalkit targets`` writes: the table first (the
#: worksheet read back), then the notes.
TABLE_SHEET = "效能目标"
NOTES_SHEET = "说明"


@dataclass(frozen=True)
class WorkbookColumn:
    """One column of the target workbook: key, Chinese header, English name, what it holds
    (zh, en), whether the agreed file must have it, and its type when read back."""

    key: str
    zh: str
    en: str
    note_zh: str
    note_en: str
    required: bool = False
    dtype: str = "text"


#: The workbook's columns, in order: the one definition of the workbook, its notes sheet
#: and the agreed file's schema (:data:`AGREED_TARGETS`).
WORKBOOK_COLUMNS: tuple[WorkbookColumn, ...] = (
    WorkbookColumn("unit_id", "单位编码", "Unit code", "被评价单位的编码（units 表）。", "The unit's code (units table).",
                   True, "id"),
    WorkbookColumn("unit_name", "单位名称", "Unit name", "单位名称。", "The unit's name."),
    WorkbookColumn("peer_group", "对比组", "Peer group", "单位所在的对比组（部门或街镇）；中位数和最优值在组内计算。",
                   "The unit's peer group; median and best are taken within it."),
    WorkbookColumn("leaf", "指标编号", "Indicator code", "评价体系中的三级指标编号（如 EFF01）；也可填指标名称。",
                   "The framework leaf (e.g. EFF01); its Chinese name is accepted too.", True, "id"),
    WorkbookColumn("indicator_name", "指标名称", "Indicator", "指标名称。", "The indicator's name."),
    WorkbookColumn("value_unit", "计量单位", "Unit of measure", "指标值的单位（% 为百分比）。",
                   "The indicator's unit (% for a percentage)."),
    WorkbookColumn("direction", "方向", "Direction", "越高越好或越低越好。", "Higher is better, or lower is better."),
    WorkbookColumn("current_value", "本年值", "Current value", "单位本年（提出目标所依据年度）的指标值；空白表示无数据。",
                   "The unit's value in the year the proposal is based on; empty: no data."),
    WorkbookColumn("peer_median", "对比组中位数", "Peer median", "对比组内有数据单位的中位数。",
                   "Median of the peer group's units with data."),
    WorkbookColumn("peer_best", "对比组最优值", "Peer best", "对比组内有数据单位的最优值（按指标方向）。",
                   "Best value of the peer group's units with data (in the indicator's direction)."),
    WorkbookColumn("policy_target", "政策目标", "Policy target", "评价体系规定的目标值（计分规则的满分线），目标不得低于此值。",
                   "The framework's target (the rule's full-marks value); no target may be easier."),
    WorkbookColumn("proposed_target", "建议目标", "Proposed target", "按下列规则计算的下一年度建议目标。",
                   "Next year's target proposed by the rules below."),
    WorkbookColumn("bound_by", "确定规则", "Set by", "确定建议目标的规则（见下）。", "The rule that set the proposal (below)."),
    WorkbookColumn("basis", "计算说明", "Working", "建议目标的计算过程。", "How the proposal was computed."),
    WorkbookColumn("agreed_target", "商定目标", "Agreed target",
                   "由评价办与单位商定后填写的目标（数字，单位同本行指标）；留空表示沿用评价体系目标。",
                   "The target agreed with the unit, filled in by the evaluation office (a number in the row's "
                   "unit); empty: the framework's target holds.", True, "float"),
)

#: The agreed file's schema, for the contract's readers and checks
#: (:func:`evalkit.data.validation.check_table`); only 单位编码, 指标编号 and 商定目标 must be
#: there, the other columns are read as text and not checked.
AGREED_TARGETS = Table(
    name="agreed_targets",
    label_zh="效能目标",
    description="Agreed per-unit targets (效能目标) for a year's scoring, one row per unit and framework leaf "
                "(DATA/targets/<year>.xlsx; docs/targets.md).",
    scope="year",
    kind="reference",
    key=("unit_id", "leaf"),
    allow_empty=True,
    columns=tuple(
        Column(c.key, c.dtype if c.required else "text", c.zh, c.note_en,
               nullable=c.key == "agreed_target" or not c.required, required=c.required)
        for c in WORKBOOK_COLUMNS),
)


@dataclass(frozen=True)
class AgreedTargets:
    """A year's agreed targets as checked: ``table`` has ``unit_id, leaf, indicator,
    framework_target, target`` (one row per unit and leaf with an agreed target); ``file``
    is the file's path relative to the data directory, ``sha256`` its digest."""

    year: int
    file: str
    sha256: str
    table: pd.DataFrame

    def describe(self) -> dict:
        """For the results' provenance: file, SHA-256, number of units and targets."""
        return {"year": self.year, "file": self.file, "sha256": self.sha256,
                "units": int(self.table["unit_id"].nunique()), "targets": int(len(self.table))}


def agreed_file(data_dir: str | Path, year: int) -> Path | None:
    """The agreed-targets file of ``year`` in ``data_dir`` (``targets/<year>.<suffix>``), None
    when there is none; two files for one year are a :class:`DataValidationError`."""
    folder = Path(data_dir) / TARGETS_DIR
    if not folder.is_dir():
        return None
    found = [folder / f"{year}{s}" for s in SUFFIXES if (folder / f"{year}{s}").is_file()]
    if len(found) > 1:
        raise DataValidationError([Problem(f"{TARGETS_DIR}/", None, None,
                                           f"one agreed-targets file for {year}",
                                           ", ".join(p.name for p in found))])
    return found[0] if found else None


def _leaf_lookup(framework: Framework) -> dict[str, Node]:
    """Every way a row may name a leaf (code, catalogue indicator, Chinese name) → leaf."""
    out: dict[str, Node] = {}
    for node in framework.leaves():
        for key in (node.indicator, node.name_zh, node.code):  # the code wins a clash
            if key:
                out[str(key).strip()] = node
    return out


def read_agreed_targets(path: Path, display: str, framework: Framework, units: pd.DataFrame
                        ) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check one agreed-targets file (see the module docstring).

    Returns ``(table, problems)``: ``table`` has ``unit_id, leaf, indicator,
    framework_target, target`` for every row with an agreed target and no error; problems
    are errors and warnings with file, row and column.
    """
    empty = pd.DataFrame({"unit_id": pd.Series(dtype=object), "leaf": pd.Series(dtype=object),
                          "indicator": pd.Series(dtype=object), "framework_target": pd.Series(dtype="float64"),
                          "target": pd.Series(dtype="float64")})
    raw, problems = read_file(path, display)
    # the workbook's own notes sheet is meant to be there and not read: no warning for it
    problems = [p for p in problems if not (p.severity == "warning" and p.found.endswith(f"'{NOTES_SHEET}'")
                                            and p.found.startswith("data on other worksheets"))]
    if raw is None:
        return empty, problems
    checked, more = check_table(raw, AGREED_TARGETS, None)
    problems += more
    if checked is not None and "agreed_target" not in checked.headers:  # nullable, but the column must be there
        column = AGREED_TARGETS.column("agreed_target")
        problems.append(Problem(raw.display, 1, "agreed_target", f"a column '{column.label_zh}' (agreed_target): "
                                f"{column.description}", "no such column in the header"))
    if checked is None or any(p.severity == "error" for p in problems):
        return empty, problems
    frame, rows = checked.frame, checked.rows
    where = raw.display
    units = units.assign(unit_id=units["unit_id"].astype(str)).set_index("unit_id")
    leaves = _leaf_lookup(framework)
    examples = ", ".join(n.code for n in framework.leaves() if is_target_leaf(n))
    out, seen = [], {}
    for i in range(len(frame)):
        target = frame["agreed_target"].iloc[i]
        if target is None or pd.isna(target):
            continue
        target = float(target)
        row = int(rows[i])
        unit_id = str(frame["unit_id"].iloc[i]).strip()
        named = str(frame["leaf"].iloc[i]).strip()

        def problem(column: str, expected: str, found: str) -> None:
            problems.append(Problem(where, row, checked.header(column), expected, found))

        if unit_id not in units.index:
            problem("unit_id", "a unit_id listed in the units table", f"'{unit_id}', which is not there")
            continue
        node = leaves.get(named)
        if node is None:
            problem("leaf", f"a leaf of the framework {framework.code} {framework.version} (e.g. {examples})",
                    f"'{named}', which is not one")
            continue
        if not is_target_leaf(node):
            why = (f"its rule {node.rule.type} does not score against a target"
                   if getattr(node.rule, "type", "") not in TARGET_RULE_TYPES
                   else "its policy target is already the best value the indicator can take")
            problem("leaf", f"a leaf that takes a unit's own target ({examples})", f"'{named}': {why}")
            continue
        u = units.loc[unit_id]
        if node.points_for(str(u["peer_group"]), str(u["unit_class"])) <= 0:
            problem("leaf", f"a leaf that applies to unit {unit_id}", f"'{named}', which does not apply to it")
            continue
        d, unit = direction_of(node), unit_of(node)
        low, high = value_range(unit)
        shown = f"{fmt_number(target)}{'%' if unit == '%' else ''}"
        if not low <= target <= high:
            problem("agreed_target", f"a target of {node.code} within its range {fmt_number(low)}–"
                    f"{fmt_number(high)}{' (a percentage)' if unit == '%' else ''}", shown)
            continue
        policy = policy_target(node)
        if more_demanding(target, policy, d) != target:
            problem("agreed_target", f"a target of {node.code} at least as demanding as the framework's "
                    f"{fmt_number(policy)}{'%' if unit == '%' else ''} ({'higher' if d > 0 else 'lower'} is better)", shown)
            continue
        try:
            rule_at_target(node.rule, target, d)
        except ValueError as exc:
            problem("agreed_target", f"a target the rule of {node.code} can score against", str(exc))
            continue
        key = (unit_id, node.code)
        if key in seen:
            problem("leaf", f"one agreed target per unit and leaf ({unit_id}, {node.code})",
                    f"a second one (the first is on row {seen[key]})")
            continue
        seen[key] = row
        out.append({"unit_id": unit_id, "leaf": node.code, "indicator": node.indicator,
                    "framework_target": np.nan if node.target is None else float(node.target), "target": target})
    return (pd.DataFrame(out, columns=list(empty.columns)) if out else empty), problems


def load_agreed_targets(data_dir: str | Path, year: int, framework: Framework,
                        units: pd.DataFrame) -> AgreedTargets | None:
    """The agreed targets of ``year`` in ``data_dir`` (None when there is no file), checked
    against ``framework`` and ``units`` (``unit_id, peer_group, unit_class``). Any error raises
    a :class:`DataValidationError` with every problem; warnings are issued as warnings."""
    path = agreed_file(data_dir, year)
    if path is None:
        return None
    display = f"{TARGETS_DIR}/{path.name}"
    table, problems = read_agreed_targets(path, display, framework, units)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataValidationError(problems)
    for p in problems:
        warnings.warn(str(p), UserWarning, stacklevel=2)
    return AgreedTargets(year=year, file=display, sha256=sha256_file(path), table=table)


#: Columns of the results' ``agreed_targets`` table (:func:`agreed_target_table`).
RESULT_COLUMNS = ["unit_id", "code", "indicator", "name_zh", "name_en", "value_unit", "direction",
                  "framework_target", "agreed_target", "raw_value", "status", "met", "score", "points"]


def with_agreed_targets(nodes: pd.DataFrame, framework: Framework, table: pd.DataFrame) -> pd.DataFrame:
    """The results' node table with each agreed cell's ``target``, ``rule``/``rule_en`` and
    ``explain``/``explain_en`` those of the unit's own target: the leaf's rule at that target
    (:func:`evalkit.scoring.rules.rule_at_target`, the object the scorer used) describes
    itself and explains the value, so that the texts and the score come from one rule."""
    if table is None or table.empty:
        return nodes
    nodes = nodes.copy()
    agreed = {(str(u), str(c)): float(t) for u, c, t in zip(table["unit_id"], table["leaf"], table["target"])}
    keys = list(zip(nodes["unit_id"].astype(str), nodes["code"].astype(str)))
    for i, key in enumerate(keys):
        if key not in agreed:
            continue
        node, t = framework.nodes[key[1]], agreed[key]
        d, unit = direction_of(node), str(nodes["value_unit"].iloc[i] or "")
        rule = rule_at_target(node.rule, t, d)
        nodes.iloc[i, nodes.columns.get_loc("target")] = t
        nodes.iloc[i, nodes.columns.get_loc("rule")] = rule.describe(t, d, unit)
        nodes.iloc[i, nodes.columns.get_loc("rule_en")] = rule.describe(t, d, unit, language="en")
        value = nodes["raw_value"].iloc[i]
        if str(nodes["status"].iloc[i]) == "data" and not pd.isna(value):
            args = (float(value), float(nodes["points"].iloc[i]), t, d, unit)
            nodes.iloc[i, nodes.columns.get_loc("explain")] = rule.explain(*args, language="zh")
            nodes.iloc[i, nodes.columns.get_loc("explain_en")] = rule.explain(*args, language="en")
    return nodes


def agreed_target_table(nodes: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The results' ``agreed_targets`` table: one row per unit and leaf with an agreed target
    (:data:`RESULT_COLUMNS`): the framework's and the agreed target, the unit's value and
    status, ``met`` (the value reaches the agreed target in the indicator's direction; NA
    without a value), the leaf's score and points."""
    keyed = nodes.assign(unit_id=nodes["unit_id"].astype(str), code=nodes["code"].astype(str))
    merged = table.rename(columns={"leaf": "code", "target": "agreed_target"}).assign(
        unit_id=table["unit_id"].astype(str)).merge(
        keyed[["unit_id", "code", "name_zh", "name_en", "value_unit", "direction", "raw_value", "status", "score",
               "points"]], on=["unit_id", "code"], how="left")
    value = pd.to_numeric(merged["raw_value"], errors="coerce")
    has = value.notna() & (merged["status"].astype(str) == "data")
    gap = (value - merged["agreed_target"]) * merged["direction"].astype(float)
    merged["met"] = pd.array([bool(g >= -1e-9) if h else pd.NA for g, h in zip(gap, has)], dtype="boolean")
    return merged[RESULT_COLUMNS].reset_index(drop=True)


def check_agreed_files(data_dir: str | Path, framework: Framework) -> list[Problem]:
    """Every problem of every agreed-targets file in ``data_dir/targets/`` (for ``evalkit
    validate``): each file checked as :func:`read_agreed_targets` checks it, against the
    units table and ``framework``; a file not named ``<year>.<suffix>`` and two files for one
    year are errors too. Empty when there is no ``targets`` folder or no units file (whose
    absence is reported on its own)."""
    from ..data.contract import TABLES
    from ..data.dataset import discover

    root = Path(data_dir)
    folder = root / TARGETS_DIR
    if not folder.is_dir():
        return []
    found, _years, _problems = discover(root)
    units_path = found.get((None, "units"))
    if units_path is None:
        return []
    raw, _ = read_file(units_path, units_path.name)
    checked, _ = (None, None) if raw is None else check_table(raw, TABLES["units"], None)
    if checked is None:
        return []  # the units file's own problems are reported with the data's
    problems: list[Problem] = []
    by_year: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))):
        suffix = next((s for s in sorted(SUFFIXES, key=len, reverse=True) if path.name.lower().endswith(s)), None)
        stem = path.name[: -len(suffix)] if suffix else ""
        display = f"{TARGETS_DIR}/{path.name}"
        if suffix is None or not (stem.isdigit() and len(stem) == 4):
            problems.append(Problem(display, None, None, "an agreed-targets file named <year>.xlsx (or .csv …), "
                                    "e.g. 2024.xlsx", f"'{path.name}'"))
            continue
        by_year.setdefault(stem, []).append(path.name)
        problems += read_agreed_targets(path, display, framework, checked.frame)[1]
    for year, names in by_year.items():
        if len(names) > 1:
            problems.append(Problem(f"{TARGETS_DIR}/", None, None, f"one agreed-targets file for {year}",
                                    ", ".join(names)))
    return problems
