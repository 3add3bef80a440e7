"""The machine-readable report: ``<unit>.json`` next to ``<unit>.html``/``.pdf``, and
``overview.json`` next to the overview (issue 11, item 11).

A report's JSON holds two things:

* ``data`` — the numbers the report shows, as numbers (never formatted text), taken from
  the saved results by :func:`unit_data` / :func:`overview_data`: pure functions of a
  :class:`~evalkit.results.store.Results`, a unit and a language. Every float is the
  results' own value (the shortest text that reads back to the same number, as
  ``scores.csv`` writes it); a missing or non-finite number is ``null``.
* ``document`` and ``sections`` — the display blocks exactly as the executed notebook
  displayed them (:mod:`evalkit.report.blocks`; what the PDF is laid out from, figures
  included as their SVG text), with every object's keys sorted.

:func:`report_record` puts both under a small header and :func:`dumps` writes it: UTF-8,
2-space indent, a final newline and no time or path, so the same inputs give the same bytes.
The fields and their units are listed once, in :data:`UNIT_FIELDS`, :data:`AREA_FIELDS`,
:data:`INDICATOR_FIELDS`, …; the JSON Schema (``evalkit/schemas/report-payload.schema.json``)
and ``docs/report-payload.md`` are generated from these lists by
:mod:`evalkit.report.payload_schema`.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalkit.results import analysis
from evalkit.results.analysis import is_missing
from evalkit.results.store import grade_rules

__all__ = ["SCHEMA", "Field", "unit_data", "overview_data", "report_record", "dumps",
           "canonical_blocks", "UNIT_FIELDS", "AREA_FIELDS", "INDICATOR_FIELDS",
           "ADJUSTMENT_FIELDS", "HISTORY_FIELDS", "RANK_INTERVAL_FIELDS", "GRADE_FIELDS",
           "HEADER_FIELDS"]

#: Name and version of the layout; a change a reader must know about changes the number.
SCHEMA = "evalkit.report/1"

#: Report kinds (header ``kind``).
KINDS = ("unit", "overview")


@dataclass(frozen=True)
class Field:
    """One key of the JSON: its JSON type, whether it may be ``null``, its unit of
    measure (empty: none), what it means and where its value comes from."""

    name: str
    type: str               # "string", "number", "integer", "boolean", "array", "object"
    nullable: bool
    unit: str
    description: str
    source: str = ""        # results column (``units.total_score``) or how it is derived
    items: str = "strings"  # what an array holds (documentation)

    def value(self, raw: Any) -> Any:
        """``raw`` (from a results table) as this field's JSON value."""
        if self.type == "array":  # only ``flags``: the ;-separated column as a list
            return [] if is_missing(raw) else [f for f in str(raw).split(";") if f]
        if is_missing(raw):
            return None
        if self.type == "number":
            return _number(raw)
        if self.type == "integer":
            return int(raw)
        if self.type == "boolean":
            return bool(raw)
        return str(raw)


def _number(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _flag(value: Any) -> bool:
    """A yes/no column (``no_data``) as the analysis reads it: missing is no."""
    return not is_missing(value) and bool(value)


def _json_value(value: Any) -> Any:
    """A cell of a column no field describes, as JSON: bool, int, float (non-finite and
    missing → null) or text."""
    if is_missing(value):
        return None
    if isinstance(value, (bool,)) or type(value).__name__ in ("bool_", "bool"):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return _number(value)
    return str(value)


# ----------------------------------------------------------------------------------------
# The fields
# ----------------------------------------------------------------------------------------

_PTS = "points (分), on the scale of max_score"

#: One unit: a row of the results' ``units`` table (the unit report's ``data`` starts with
#: these; the overview's ``data.units`` has one such object per unit).
UNIT_FIELDS: tuple[Field, ...] = (
    Field("unit_id", "string", False, "", "The unit's id (units.csv).", "units.unit_id"),
    Field("name_zh", "string", True, "", "The unit's Chinese name.", "units.name_zh"),
    Field("name_en", "string", True, "", "The unit's English name.", "units.name_en"),
    Field("peer_group", "string", True, "", "Peer group the unit is ranked in (department, subdistrict …).",
          "units.peer_group"),
    Field("unit_class", "string", True, "", "The unit's class (类别) within its peer group.", "units.unit_class"),
    Field("year", "integer", False, "year", "Evaluation year.", "units.year"),
    Field("framework_version", "string", True, "", "Version of the indicator framework that scored it.",
          "units.framework_version"),
    Field("total_score", "number", True, _PTS,
          "Total score (总分) after bonus and deduction, on the scale of max_score; null without a score.",
          "units.total_score = scores.csv TOTAL row `score`"),
    Field("base_score", "number", True, _PTS,
          "Base score (基础分): the sum of the areas' scores, before bonus and deduction; null when "
          "the results do not record it.", "units.base_score"),
    Field("bonus", "number", True, "points (分), as the results apply them to score_100",
          "Bonus points (加分) after the framework's cap; null when the results do not record it.",
          "units.bonus"),
    Field("deduction", "number", True, "points (分), as the results apply them to score_100",
          "Deduction points (扣分) after the framework's cap, as a positive number; null when the "
          "results do not record it.", "units.deduction"),
    Field("max_score", "number", True, "points (分)",
          "The unit's applicable points (满分; less than the framework's total when indicators do not "
          "apply to the unit).", "units.max_score = scores.csv TOTAL row `points`"),
    Field("score_100", "number", True, "points on a 0–100 scale",
          "The score ranks and grades are based on: the base score on a 0–100 scale, with bonus and "
          "deduction (see evalkit.results.store for the formula of these results).",
          "units.score_100 = scores.csv TOTAL row `contribution`"),
    Field("coverage", "number", True, "share, 0–1",
          "Share of the unit's points whose indicators had data.", "units.coverage"),
    Field("rank", "integer", True, "place (1 = best)", "Published rank within the peer group.", "units.rank"),
    Field("n_in_group", "integer", True, "units", "Number of units in the peer group.", "units.n_in_group"),
    Field("grade", "string", True, "", "Grade (等次) as the results name it.", "units.grade"),
    Field("grade_label", "string", True, "", "The grade's name in the report's language.",
          "grade bands of the results (meta.grades)"),
    Field("grade_role", "string", True, "",
          "The grade band's role: top (quota and 一票否优 apply), pass, or fail (一票否决 sets it).",
          "grade bands of the results (meta.grades)"),
    Field("provisional", "boolean", True, "",
          "Grade and rank are provisional (暂定: too little data to publish them as final); null "
          "when the results do not record it.", "units.provisional"),
    Field("veto", "boolean", True, "", "一票否决 applied (the grade is set to the failing band).", "units.veto"),
    Field("bar_top", "boolean", True, "", "一票否优 applied (the top grade is barred).", "units.bar_top"),
    Field("flags", "array", False, "", "Flags of the unit (veto, bar_top, low_coverage, no_score …); "
          "empty when none.", "units.flags, split at ';'"),
    Field("prev_score", "number", True, "points on a 0–100 scale", "Last year's score_100.", "units.prev_score"),
    Field("prev_rank", "integer", True, "place (1 = best)", "Last year's rank.", "units.prev_rank"),
    Field("rank_change", "integer", True, "places",
          "prev_rank − rank: positive when the unit moved up.", "units.rank_change"),
)

#: One level-1 area of a unit (``data.areas``).
AREA_FIELDS: tuple[Field, ...] = (
    Field("code", "string", False, "", "The area's framework code.", "nodes.code"),
    Field("name_zh", "string", True, "", "Chinese name.", "nodes.name_zh"),
    Field("name_en", "string", True, "", "English name.", "nodes.name_en"),
    Field("points", "number", True, "points (分)", "The area's points for this unit.", "nodes.points"),
    Field("score", "number", True, "points (分)", "The area's score; null without data.", "nodes.score"),
    Field("points_lost", "number", True, "points (分)", "points − score.", "nodes.points_lost"),
    Field("score_rate", "number", True, "share, 0–1", "score ÷ points.",
          "evalkit.results.analysis.area_scores"),
    Field("peer_median", "number", True, "points (分)",
          "Median score of the area over the unit's peer group.", "evalkit.results.analysis.area_scores"),
    Field("coverage", "number", True, "share, 0–1",
          "Share of the area's points whose indicators had data; null when not recorded.", "nodes.coverage"),
    Field("no_data", "boolean", False, "", "The area had no data at all.", "nodes.no_data"),
    Field("status", "string", True, "",
          "The area's status as the results record it (data, filled, not_reported, not_applicable); "
          "null when they do not.", "nodes.status"),
    Field("n", "number", True, "cases, items or responses",
          "Number of cases the value rests on; null when not recorded.", "nodes.n"),
)

#: One leaf indicator of a unit (``data.indicators``), each area's leaves together.
INDICATOR_FIELDS: tuple[Field, ...] = (
    Field("code", "string", False, "", "The leaf's framework code.", "nodes.code"),
    Field("area_code", "string", False, "", "Code of the level-1 area it belongs to.",
          "evalkit.results.analysis.unit_leaves"),
    Field("parent", "string", True, "", "Code of its parent node.", "nodes.parent"),
    Field("level", "integer", False, "", "Level in the framework tree (1 = area).", "nodes.level"),
    Field("name_zh", "string", True, "", "Chinese name.", "nodes.name_zh"),
    Field("name_en", "string", True, "", "English name.", "nodes.name_en"),
    Field("kind", "string", True, "", "quantitative or qualitative.", "nodes.kind"),
    Field("indicator", "string", True, "", "Code of the catalogue indicator it scores.", "nodes.indicator"),
    Field("raw_value", "number", True, "value_unit",
          "The indicator's value for the unit (percentages in %, 95 not 0.95); null without data.",
          "nodes.raw_value"),
    Field("value_unit", "string", True, "", "Unit of raw_value and target (%, 件, 天, 分 …).", "nodes.value_unit"),
    Field("direction", "number", True, "", "+1: higher is better; −1: lower is better.", "nodes.direction"),
    Field("target", "number", True, "value_unit", "Target value (目标值); null when none.", "nodes.target"),
    Field("points", "number", True, "points (分)", "The leaf's points for this unit.", "nodes.points"),
    Field("score", "number", True, "points (分)", "The leaf's score; null without a score.", "nodes.score"),
    Field("points_lost", "number", True, "points (分)", "points − score.", "nodes.points_lost"),
    Field("coverage", "number", True, "share, 0–1", "1 when the score rests on data, 0 when not.",
          "nodes.coverage"),
    Field("no_data", "boolean", False, "", "The indicator had no data for the unit.", "nodes.no_data"),
    Field("status", "string", True, "",
          "The leaf's status as the results record it: data (scored from data), filled (no data, "
          "score given by the missing-data policy), not_reported, not_applicable; null when they do not.",
          "nodes.status"),
    Field("na_reason", "string", True, "", "Why the leaf does not apply to the unit; null otherwise.",
          "nodes.na_reason"),
    Field("na_reason_en", "string", True, "", "The same in English.", "nodes.na_reason_en"),
    Field("n", "number", True, "cases, items or responses",
          "Number of cases the value rests on; null when not recorded.", "nodes.n"),
    Field("rule", "string", True, "", "The scoring rule as the report prints it.", "nodes.rule"),
)

#: One bonus or deduction decision of a unit (``data.adjustments``).
ADJUSTMENT_FIELDS: tuple[Field, ...] = (
    Field("kind", "string", False, "", "bonus (加分), deduction (扣分), veto … as the data name it.",
          "adjustments.kind"),
    Field("points", "number", True, "points (分)", "Points of this decision, before the cap.",
          "adjustments.points"),
    Field("reason", "string", True, "", "The reason the data give.", "adjustments.reason"),
    Field("reason_en", "string", True, "", "The reason in English; null when the data give none.",
          "adjustments.reason_en"),
    Field("cap", "number", True, "points (分)", "The framework's cap on all points of this kind; null: none.",
          "adjustments.cap"),
)

#: The unit's rank interval from the sensitivity analysis (``data.rank_interval``).
RANK_INTERVAL_FIELDS: tuple[Field, ...] = (
    Field("rank_low", "integer", True, "place (1 = best)", "Best rank over the scenarios.",
          "rank_intervals.rank_low"),
    Field("rank_high", "integer", True, "place (1 = best)", "Worst rank over the scenarios.",
          "rank_intervals.rank_high"),
    Field("rank_median", "number", True, "place (1 = best)", "Median rank over the scenarios.",
          "rank_intervals.rank_median"),
    Field("n_scenarios", "integer", True, "scenarios", "Number of scenarios computed.",
          "rank_intervals.n_scenarios"),
)

#: One year of the unit's history (``data.history``), oldest first.
HISTORY_FIELDS: tuple[Field, ...] = (
    Field("year", "integer", False, "year", "Evaluation year.", "history.year"),
    Field("score_100", "number", True, "points on a 0–100 scale", "The year's score_100.", "history.score_100"),
    Field("rank", "integer", True, "place (1 = best)", "The year's rank.", "history.rank"),
    Field("n_in_group", "integer", True, "units", "Units in the peer group that year.", "history.n_in_group"),
    Field("grade", "string", True, "", "The year's grade.", "history.grade"),
)

#: One grade band (``data.grades`` of the overview), best first.
GRADE_FIELDS: tuple[Field, ...] = (
    Field("name", "string", False, "", "The band's name (as units.grade holds it).", "meta.grades"),
    Field("name_en", "string", False, "", "English name.", "meta.grades"),
    Field("lower", "number", False, "points on a 0–100 scale", "Lower bound of score_100.", "meta.grades"),
    Field("role", "string", False, "", "top, pass or fail.", "meta.grades"),
)

#: The header of every report's JSON, in file order (``data``, ``document`` and
#: ``sections`` follow).
HEADER_FIELDS: tuple[Field, ...] = (
    Field("schema", "string", False, "", f"Name and version of this layout: {SCHEMA!r}."),
    Field("kind", "string", False, "", "unit (a unit report, <unit>.json) or overview (overview.json)."),
    Field("unit_id", "string", True, "", "The unit's id; null for the overview."),
    Field("year", "integer", False, "year", "Evaluation year."),
    Field("period", "string", True, "", "The period's key when the report is of a month, a quarter or the "
          "year to date (2024-09, 2024Q3, 2024-YTD-09; docs/periods.md); null for a whole year.", "meta.period"),
    Field("language", "string", False, "", "Report language: zh or en."),
    Field("framework", "object", False, "", "The framework the results were scored with: code, version, "
          "sha256 (of its file).", "meta.framework_code, framework_version, framework_hash"),
    Field("data", "object", False, "", "The report's numbers, as numbers (see below)."),
    Field("document", "object", False, "", "The report's document block (title, cover …) as displayed."),
    Field("sections", "array", False, "", "Every section block as displayed, in report order.",
          items="section blocks"),
)

#: Keys of a unit report's ``data`` after the unit's fields, in file order.
UNIT_DATA_LISTS = ("other_columns", "rank_interval", "areas", "indicators", "adjustments", "history")

#: Keys of the overview's ``data``, in file order.
OVERVIEW_DATA_KEYS = ("year", "framework_version", "grades", "units")


# ----------------------------------------------------------------------------------------
# Building the data
# ----------------------------------------------------------------------------------------

def _record(fields: Sequence[Field], row: Mapping[str, Any]) -> dict:
    """``{field: value}`` for ``fields`` from ``row`` (a column the row lacks gives null)."""
    return {f.name: f.value(row.get(f.name)) for f in fields}


def _records(fields: Sequence[Field], frame) -> list[dict]:
    if frame is None or len(frame) == 0:
        return []
    return [_record(fields, row) for row in frame.to_dict("records")]


def _grade_info(results: Any, grade: Any, language: str) -> tuple[str | None, str | None]:
    if is_missing(grade):
        return None, None
    rules = grade_rules(getattr(results, "meta", None))
    i = rules.index(grade)
    if i is None:
        return str(grade), None
    return (rules.names_en[i] if language == "en" else rules.names[i]), rules.roles[i]


_UNIT_NAMES = {f.name for f in UNIT_FIELDS}
_INTERVAL_NAMES = {f.name for f in RANK_INTERVAL_FIELDS}


def _others(row: Mapping[str, Any], known: set[str]) -> dict:
    """Every column of ``row`` no field describes, in table order, as JSON values: nothing
    the results hold is lost when they gain a column."""
    return {str(k): _json_value(v) for k, v in row.items() if str(k) not in known}


def _unit_row(results: Any, row: Mapping[str, Any], language: str) -> dict:
    out = _record(UNIT_FIELDS, row)
    out["grade_label"], out["grade_role"] = _grade_info(results, row.get("grade"), language)
    out["other_columns"] = _others(row, _UNIT_NAMES)
    return out


def _table(results: Any, name: str):
    getter = getattr(results, "table", None)
    frame = getter(name) if callable(getter) else None
    return frame if frame is not None and hasattr(frame, "columns") else None


def _unit_rows(frame, unit: str):
    if frame is None or "unit_id" not in frame.columns:
        return None
    return frame[frame["unit_id"].astype(str) == str(unit)]


def unit_data(results: Any, unit: str, language: str = "zh") -> dict:
    """The numbers of the report of ``unit``: the unit's row of ``results.units``
    (:data:`UNIT_FIELDS`, then ``other_columns``: every further column of the table), its
    ``rank_interval`` (:data:`RANK_INTERVAL_FIELDS` and ``other_columns``; null when not
    computed), its level-1
    ``areas`` (:data:`AREA_FIELDS`), its leaf ``indicators`` (:data:`INDICATOR_FIELDS`), its
    ``adjustments`` (:data:`ADJUSTMENT_FIELDS`) and its ``history``
    (:data:`HISTORY_FIELDS`). Raises :class:`~evalkit.errors.EvalkitError` when the results
    do not hold ``unit``."""
    row = analysis.unit_row(results, unit).to_dict()
    out = _unit_row(results, row, language)

    intervals = _unit_rows(_table(results, "rank_intervals"), unit)
    if intervals is not None and len(intervals):
        interval = intervals.iloc[0].to_dict()
        out["rank_interval"] = _record(RANK_INTERVAL_FIELDS, interval)
        out["rank_interval"]["other_columns"] = _others(interval, _INTERVAL_NAMES | {"unit_id"})
    else:
        out["rank_interval"] = None

    nodes = analysis.unit_nodes(results, unit)
    level1 = nodes[nodes["level"].astype(int) == 1]
    scores = analysis.area_scores(results, unit).set_index("code")
    areas = []
    for node in level1.to_dict("records"):
        record = _record(AREA_FIELDS, node)
        code = str(node["code"])
        for derived in ("score_rate", "peer_median"):
            if code in scores.index and derived in scores.columns:
                record[derived] = Field(derived, "number", True, "", "").value(scores.at[code, derived])
        record["no_data"] = _flag(node.get("no_data"))
        areas.append(record)
    out["areas"] = areas

    leaves = []
    for node in analysis.unit_leaves(results, unit).to_dict("records"):
        record = _record(INDICATOR_FIELDS, node)
        record["no_data"] = _flag(node.get("no_data"))
        leaves.append(record)
    out["indicators"] = leaves

    out["adjustments"] = _records(ADJUSTMENT_FIELDS, _unit_rows(_table(results, "adjustments"), unit))
    out["history"] = _records(HISTORY_FIELDS, analysis.unit_history(results, unit))
    return out


def overview_data(results: Any, language: str = "zh") -> dict:
    """The numbers of the district overview: ``year``, ``framework_version``, the grade
    bands (``grades``, :data:`GRADE_FIELDS`, best first) and one object per unit
    (``units``: :data:`UNIT_FIELDS` and ``other_columns``, in the order of
    ``results.units``)."""
    meta = getattr(results, "meta", None) or {}
    rules = grade_rules(meta)
    grades = [{"name": name, "name_en": en, "lower": float(lower), "role": role}
              for (name, lower), en, role in zip(rules.bands, rules.names_en, rules.roles)]
    units = [_unit_row(results, row, language) for row in results.units.to_dict("records")]
    return {"year": None if meta.get("year") is None else int(meta["year"]),
            "framework_version": None if meta.get("framework_version") is None
            else str(meta["framework_version"]),
            "grades": grades, "units": units}


# ----------------------------------------------------------------------------------------
# The file
# ----------------------------------------------------------------------------------------

def canonical_blocks(value: Any) -> Any:
    """``value`` (display blocks) with every object's keys sorted, recursively: the blocks
    read the same whichever way the notebook was executed (a warm kernel's output keeps the
    kernel's key order, a papermill file sorts them)."""
    if isinstance(value, Mapping):
        return {str(k): canonical_blocks(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [canonical_blocks(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def report_record(payload: Mapping[str, Any], *, kind: str, year: int, language: str,
                  unit_id: str | None, data: Mapping[str, Any],
                  meta: Mapping[str, Any] | None = None) -> dict:
    """The JSON of one report: the header (:data:`HEADER_FIELDS`), ``data`` (from
    :func:`unit_data` or :func:`overview_data`) and the display blocks of ``payload``
    (``{"document": …, "sections": […]}``, :func:`evalkit.report.pdf.notebook_payload`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; expected one of {', '.join(KINDS)}")
    meta = meta or {}
    return {
        "schema": SCHEMA,
        "kind": kind,
        "unit_id": None if kind == "overview" else str(unit_id),
        "year": int(year),
        "period": str(meta["period"]) if meta.get("period") else None,
        "language": str(language),
        "framework": {"code": meta.get("framework_code"), "version": meta.get("framework_version"),
                      "sha256": meta.get("framework_hash")},
        "data": dict(data),
        "document": canonical_blocks(payload["document"]),
        "sections": canonical_blocks(list(payload["sections"])),
    }


def dumps(record: Mapping[str, Any]) -> bytes:
    """The bytes of a report's JSON: key order as built (the header, then ``data``, then
    the blocks), 2-space indent, UTF-8 text as it is (no ``\\u`` escapes), a final newline.
    Raises :class:`ValueError` on a non-finite number (the builders give ``null``)."""
    return (json.dumps(record, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
