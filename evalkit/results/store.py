"""The results of one evaluation year, and how they are saved and read back.

A :class:`Results` holds two tables and the provenance of both:

``units`` — one row per unit: ``unit_id, name_zh, name_en, peer_group, unit_class, year,
total_score, max_score, score_100, coverage, base_score, bonus, deduction, veto, bar_top,
rank, n_in_group, grade, provisional, flags, prev_score, prev_rank, rank_change,
framework_version``. ``max_score`` is the unit's applicable points (less than 100 when
indicators were declared not applicable); ``score_100`` = 100 · base_score / max_score +
bonus − deduction (:func:`evalkit.scoring.kernels.adjusted_scores`); ``provisional`` when
``coverage`` is below the framework's ``publication_coverage``. ``rank_change`` is
positive when the unit moved up (previous rank − rank).

``nodes`` — one row per unit and framework node that applies to it or was declared not
applicable to it: ``unit_id, code, parent, level, name_zh, name_en, area, kind, indicator,
raw_value, value_unit, target, points, score, points_lost, coverage, n, no_data, status,
na_reason, na_reason_en, rule``; ``status`` is one of
:data:`evalkit.scoring.model.NODE_STATUSES` (``data``, ``filled``, ``not_reported``,
``not_applicable``).

``meta`` — ``year, framework_code, framework_version, framework_hash, data_hashes,
parameters, evalkit_version, packages`` (and, from newer versions, ``framework_name_zh``,
``framework_name_en`` and ``grades``: the grade bands as
:func:`evalkit.scoring.framework.grade_meta` writes them — per band ``name``, ``name_en``,
``lower`` and ``role`` (``top``, ``pass``, ``fail``), best first, and ``top_quota``).
:attr:`Results.grades` reads them back as a :class:`~evalkit.scoring.framework.GradeRules`
(older results: from ``parameters["grade_bands"]``, else the default bands), and reports
take every grade label, colour and count from it.

``tables`` — optional further named tables (COINr-style: each step adds a named table and
overwrites none). Known names, all without any rater id:

* ``history`` — one row per unit and evaluation year up to ``meta["year"]`` that the data
  cover: ``unit_id, year, total_score, max_score, score_100, rank, n_in_group, grade``
  (written by :func:`evalkit.results.compute.compute_results`);
* ``node_history`` — every unit's node scores in each of those years (``unit_id, year,
  code, points, score, raw_value, n, status``), for year-over-year comparison by area and
  indicator on one basis;
* ``published_history`` — the earlier years' scores as published (``unit_id, year, score_100,
  rank, n_in_group, grade, framework_version, framework_hash``), found in their result folders;
  ``history`` is the comparable series (:mod:`evalkit.results.comparable`);
* ``adjustments`` — the year's bonus, deduction and veto decisions with their reasons
  (``unit_id, kind, points, reason, reason_en, cap``);
* ``qualitative_groups`` / ``qualitative_units`` — the published aggregates of
  :func:`evalkit.qualitative.evaluate_ratings` (``group_scores`` / ``unit_scores``);
* ``reliability`` — :func:`evalkit.qualitative.reliability_table` (per rater group and
  criterion, with ``agreement`` and plain-language ``message_zh``/``message_en``);
* ``rank_intervals`` — the sensitivity analysis: ``unit_id, rank_low, rank_high`` (and
  optionally ``rank_median, n_scenarios``);
* ``key_tasks`` / ``key_task_milestones`` — every unit's own key tasks with their assessment,
  late milestones (working days) and task score, and their milestones
  (:func:`evalkit.results.compute.key_task_tables`), when the year has a ``key_tasks`` file.
* ``oa`` — office-automation document handling per unit (``unit_id, n_documents, n_due,
  oa_on_time_rate, n_closed, oa_median_handling_days, oa_overdue_backlog``;
  :func:`evalkit.indicators.oa.oa_unit_table`), when the year has an ``oa_documents`` file.
  Never per post type: those figures are for the evaluation office only (``evalkit oa-posts``).

Reports show a section "not computed" when its table is absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

import pandas as pd

from ..data.files import atomic_path, atomic_write_text

if TYPE_CHECKING:
    from ..scoring.framework import GradeRules


@dataclass(frozen=True)
class Results:
    """The results of one evaluation year: ``units`` and ``nodes`` tables, ``meta``
    (provenance, parameters, grade bands) and further named ``tables`` (see the module
    docstring for every column). Immutable; saved and read back by :func:`save_results` /
    :func:`load_results`, which reports and notebooks read instead of recomputing."""

    units: pd.DataFrame
    nodes: pd.DataFrame
    meta: dict
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        """The named table ``name`` (see the module docstring), or None when not computed."""
        frame = self.tables.get(name) if self.tables else None
        return frame if isinstance(frame, pd.DataFrame) else None

    @property
    def grades(self) -> GradeRules:
        """The grade bands of these results (see :func:`grade_rules`)."""
        return grade_rules(self.meta)

    @property
    def history(self) -> pd.DataFrame | None:
        """Score and rank of every unit in every year the data cover (or None)."""
        return self.table("history")

    def unit(self, unit_id: str) -> pd.Series:
        rows = self.units[self.units["unit_id"] == unit_id]
        if rows.empty:
            from ..errors import EvalkitError

            raise EvalkitError(f"unit '{unit_id}' is not in the results for {self.meta.get('year')}")
        return rows.iloc[0]


def grade_rules(meta: Mapping | None) -> GradeRules:
    """The grade bands of results with ``meta``: names, English names, lower bounds and roles.

    From ``meta["grades"]`` (see the module docstring); results saved before it existed
    give their ``parameters["grade_bands"]`` and ``parameters["top_quota"]`` (English names
    and roles follow from the names and positions); results with neither give the default
    bands (:data:`evalkit.scoring.framework.DEFAULT_GRADE_BANDS`).
    """
    # imported here: the framework module pulls in the indicator catalogue, which readers of
    # saved results (the report notebooks) do not need
    from ..scoring.framework import GradeRules

    meta = meta or {}
    if isinstance(meta.get("grades"), Mapping) and meta["grades"].get("bands"):
        return GradeRules.from_meta(meta["grades"])
    params = meta.get("parameters") or {}
    quota = params.get("top_quota")
    quota = GradeRules.top_quota if quota is None else float(quota)
    bands = params.get("grade_bands")
    if bands:
        return GradeRules(bands=tuple((str(b[0]), float(b[1])) for b in bands), top_quota=quota)
    return GradeRules(top_quota=quota)


_TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_RESERVED = frozenset({"units", "nodes", "meta"})


def save_results(results: Results, path: str | Path) -> Path:
    """Write ``units.parquet``, ``nodes.parquet``, ``meta.json`` and one
    ``<name>.parquet`` per named table into directory ``path``."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    named = dict(results.tables or {})
    for name in named:
        if not _TABLE_NAME.fullmatch(name) or name in _RESERVED:
            raise ValueError(f"not a valid results table name: {name!r}")
    for stale in path.glob("*.parquet"):  # tables of an earlier save that are gone now
        if stale.stem not in _RESERVED and stale.stem not in named:
            stale.unlink()
    # Written atomically and world-readable (0644) like every other output.
    for name, frame in (("units", results.units), ("nodes", results.nodes), *sorted(named.items())):
        with atomic_path(path / f"{name}.parquet") as tmp:
            frame.to_parquet(tmp, index=False)
    atomic_write_text(path / "meta.json",
                      json.dumps(results.meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return path


def load_results(path: str | Path) -> Results:
    """Read results saved by :func:`save_results` from the folder ``path`` (``units``,
    ``nodes``, every named table's Parquet file and ``meta.json``)."""
    path = Path(path)
    units = pd.read_parquet(path / "units.parquet")
    nodes = pd.read_parquet(path / "nodes.parquet")
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    tables = {p.stem: pd.read_parquet(p) for p in sorted(path.glob("*.parquet"))
              if p.stem not in _RESERVED and _TABLE_NAME.fullmatch(p.stem)}
    return Results(units=units, nodes=nodes, meta=meta, tables=tables)


def score_table(results: Results) -> pd.DataFrame:
    """One table, unit × node, for evaluators: a ``TOTAL`` row (level 0) per unit followed by
    its nodes, with the unit's rank, grade and flags and the framework version on every row.

    Columns: ``year, framework_version, unit_id, name_zh (unit), peer_group, code, level,
    node_zh, area, indicator, raw_value, value_unit, target, points, weight, score,
    contribution, points_lost, coverage, n, no_data, status, rank, n_in_group, grade,
    provisional, flags, base_score, bonus, deduction, adjustment_reasons``. The ``TOTAL``
    row's ``score`` is the total after the adjustments, its ``points_lost`` the points the
    base lost (never negative), its ``contribution`` the 0–100 score; the unit's
    ``base_score``, ``bonus``, ``deduction`` (capped) and the reasons of its adjustments
    (``adjustment_reasons``, ``；``-separated) are on every row of the unit.
    """
    u = results.units
    adj = results.table("adjustments") if hasattr(results, "table") else None
    reasons: dict[str, str] = {}
    if adj is not None and not adj.empty:
        for uid, rows in adj.groupby(adj["unit_id"].astype(str), sort=False):
            reasons[uid] = "；".join(rows["reason"].astype(str))
    u = u.assign(adjustment_reasons=u["unit_id"].astype(str).map(reasons).fillna(""))
    for col in ("base_score", "bonus", "deduction"):
        if col not in u.columns:
            u = u.assign(**{col: u["total_score"] if col == "base_score" else 0.0})
    if "provisional" not in u.columns:
        u = u.assign(provisional=False)
    unit_cols = ["unit_id", "name_zh", "peer_group", "rank", "n_in_group", "grade", "provisional", "flags",
                 "framework_version", "year", "base_score", "bonus", "deduction", "adjustment_reasons"]
    totals = pd.DataFrame({
        "unit_id": u["unit_id"], "code": "TOTAL", "level": 0, "node_zh": "总分", "area": "",
        "indicator": "", "raw_value": float("nan"), "value_unit": "", "target": float("nan"),
        "points": u["max_score"], "weight": 1.0, "score": u["total_score"],
        "contribution": u["score_100"], "points_lost": u["max_score"] - u["base_score"],
        "coverage": u["coverage"], "n": float("nan"), "no_data": False, "status": "data",
    })
    nodes = results.nodes.rename(columns={"name_zh": "node_zh"})
    if "status" not in nodes.columns:  # results of older versions
        nodes = nodes.assign(status=["filled" if bool(x) else "data" for x in nodes["no_data"]])
    nodes = nodes[list(totals.columns)]
    body = pd.concat([totals, nodes], ignore_index=True)
    order = {code: i for i, code in enumerate(["TOTAL", *results.nodes["code"].drop_duplicates()])}
    body["_order"] = body["code"].map(order)
    table = body.merge(u[unit_cols], on="unit_id", how="left")
    unit_order = {uid: i for i, uid in enumerate(u["unit_id"])}
    table["_unit"] = table["unit_id"].map(unit_order)
    table = table.sort_values(["_unit", "_order"], kind="stable").drop(columns=["_unit", "_order"])
    cols = ["year", "framework_version", "unit_id", "name_zh", "peer_group", "code", "level", "node_zh",
            "area", "indicator", "raw_value", "value_unit", "target", "points", "weight", "score",
            "contribution", "points_lost", "coverage", "n", "no_data", "status", "rank", "n_in_group", "grade",
            "provisional", "flags", "base_score", "bonus", "deduction", "adjustment_reasons"]
    return table[cols].reset_index(drop=True)
