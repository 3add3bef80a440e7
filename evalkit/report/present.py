"""Presentation of one unit's results: report blocks (:mod:`evalkit.report.blocks`) built
from saved results, and the display texts of the tables they show.

The analysis behind the blocks (area scores against the peer median, leaf comparison,
strengths, weaknesses, suggestions, history) is computed by :mod:`evalkit.results.analysis`;
this module only words and lays it out. :data:`UNIT_SECTIONS` is the one outline of the unit
report: the notebook iterates it (:func:`unit_sections`, :func:`show`: HTML plus the
machine-readable payload the PDF is laid out from), and so does everything else that builds
the report. Rules kept throughout:

* every text that comes from data is escaped (:func:`html.escape` in HTML; Typst sets
  payload strings as text, never as markup);
* every label comes from the message catalogue :mod:`evalkit.report.messages`, every grade
  name, colour and count from the grade bands the results carry (:attr:`Results.grades
  <evalkit.results.store.Results.grades>`);
* the output depends only on the inputs (no clock, no paths of the machine), so the same
  results always give byte-identical HTML;
* nothing about individual raters is ever shown (the results hold none).

``results`` is an :class:`evalkit.results.store.Results` (or anything with the same ``units``,
``nodes`` and ``meta`` attributes).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from evalkit.errors import ReportError
from evalkit.report import blocks
from evalkit.report.messages import catalogue, label, msg
from evalkit.results import analysis, comparable
from evalkit.results.analysis import is_missing
from evalkit.results.store import grade_rules

#: Style of a grade badge or cell by the band's position, best first (colours in
#: ``templates/html/report.css``, ``templates/typst/report.typ`` and
#: :data:`evalkit.report.charts.GRADE_STYLE_COLOURS`): the top band, the first band below
#: it, the other pass bands, the failing band; a grade that is no band is ``other``.
GRADE_STYLES = ("excellent", "good", "pass", "fail")

#: Units of measure whose values are counts (shown as whole numbers with separators).
COUNT_UNITS = frozenset({"件", "个", "次", "人", "人次", "项", "份", "条", "户", "家", "篇", "起", "宗",
                         "count", "cases", "items"})

#: A leaf that lost at least this share of its points is shaded in the indicator table.
HIGHLIGHT_LOSS_SHARE = 0.5

#: Number of hex digits of a SHA-256 shown in the provenance block.
HASH_DIGITS = 12


# ----------------------------------------------------------------------------------------
# Small formatting helpers
# ----------------------------------------------------------------------------------------

def esc(value: Any) -> str:
    """``html.escape`` of ``str(value)`` (quotes escaped too)."""
    return html.escape(str(value), quote=True)


def fmt_fixed(value: Any, digits: int = 1, missing: str = "—") -> str:
    """A number with exactly ``digits`` decimals and thousands separators."""
    if is_missing(value):
        return missing
    v = float(value)
    if v == 0:
        v = 0.0  # no "-0.0"
    return f"{v:,.{digits}f}"


def fmt_compact(value: Any, missing: str = "—") -> str:
    """A number without needless decimals: ``10``, ``2.5``, ``1,234``, ``0.75``."""
    if is_missing(value):
        return missing
    v = float(value)
    if math.isfinite(v) and v == round(v):
        return f"{round(v):,d}"
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: Any, value_unit: Any, language: str = "zh", *,
                 missing: str | None = None) -> str:
    """Format an indicator's raw value or target for display.

    * missing → ``missing`` (default: the catalogue's "无数据" / "No data");
    * ``%`` → one decimal and a percent sign (``95.3%``); the value is taken to be in
      percent already (95.3, not 0.953);
    * counts (件, 个, 次 …) → whole number with thousands separators (``1,234 件``);
    * everything else → without needless decimals (``3.25 工作日``, ``86.5 分``).
    """
    if is_missing(value):
        return msg(language, "no_data") if missing is None else missing
    unit = "" if is_missing(value_unit) else str(value_unit).strip()
    v = float(value)
    if unit in ("%", "％", "percent"):
        return f"{fmt_fixed(v, 1)}%"
    if unit in COUNT_UNITS:
        text = f"{round(v):,d}" if v == round(v) else fmt_compact(v)
    elif unit in ("分", "points"):
        text = fmt_fixed(v, 1)
    else:
        text = fmt_compact(v)
    if language != "zh":  # the unit's word from the one table of units (never Chinese)
        from evalkit.scoring.vocabulary import unit_word

        unit = unit_word(unit, "en", plural=v != 1)
    return f"{text} {unit}" if unit else text


def short_hash(digest: Any, digits: int = HASH_DIGITS) -> str:
    """The first ``digits`` characters of a hex digest (``sha256:`` prefixes dropped)."""
    if is_missing(digest) or not str(digest):
        return "—"
    text = str(digest)
    if ":" in text:
        text = text.split(":", 1)[1]
    return text[:digits]


def fmt_score(value: Any, missing: str = "—") -> str:
    """A published score: exactly :data:`~evalkit.scoring.kernels.PUBLISHED_DECIMALS`
    decimals, the precision ranks and grades are decided on (so that two units printed
    with the same score always share their rank and band)."""
    from evalkit.scoring.kernels import PUBLISHED_DECIMALS

    return fmt_fixed(value, PUBLISHED_DECIMALS, missing)


def score_decimals() -> int:
    """Decimals of every printed score (:data:`~evalkit.scoring.kernels.PUBLISHED_DECIMALS`)."""
    from evalkit.scoring.kernels import PUBLISHED_DECIMALS

    return PUBLISHED_DECIMALS


def tie_count(results: Any, unit: str) -> int:
    """How many units of ``unit``'s peer group share its published rank (1 = no tie)."""
    units = results.units
    rec = unit_record(results, unit)
    if is_missing(rec.get("rank")):
        return 1
    same = (units["peer_group"].astype(str) == str(rec["peer_group"])) & (
        pd.to_numeric(units["rank"], errors="coerce") == float(rec["rank"]))
    return int(same.sum())


def _interval_row(results: Any, unit: str) -> Mapping[str, Any] | None:
    table = _table_of(results, "rank_intervals")
    if table is None or table.empty or "unit_id" not in table.columns:
        return None
    rows = table[table["unit_id"].astype(str) == str(unit)]
    return None if rows.empty else rows.iloc[0].to_dict()


def is_provisional(rec: Mapping[str, Any] | pd.Series) -> bool:
    value = rec.get("provisional")
    return not is_missing(value) and bool(value)


def rank_phrase(results: Any, unit: str, language: str = "zh", *, with_group: bool = True) -> str:
    """The unit's published rank as a leader should read it: ``第 3 名 / 共 35 个部门``, with
    ``（并列）`` when other units share it, the rank band instead of the exact place when
    the rank interval is wide (``前列（第 1–6 名之间）``), and ``（暂定）`` when provisional."""
    rec = unit_record(results, unit)
    if is_missing(rec.get("rank")):
        return msg(language, "rank_missing")
    n = "?" if is_missing(rec.get("n_in_group")) else int(rec["n_in_group"])
    group = label(language, "peer_group_count", rec["peer_group"])
    interval = _interval_row(results, unit)
    band = rank_band_of(interval)
    wide = interval is not None and not is_missing(interval.get("wide")) and bool(interval.get("wide"))
    if wide and band:
        text = msg(language, "rank_band_value", band=msg(language, f"rank_band_{band}"),
                   low=int(interval["rank_low"]), high=int(interval["rank_high"]))
        if with_group:
            text += msg(language, "rank_of_group", n=n, group=group)
    else:
        text = msg(language, "rank_place", rank=int(rec["rank"]))
        if tie_count(results, unit) > 1:
            text += msg(language, "rank_tied")
        if with_group:
            text += msg(language, "rank_of_group", n=n, group=group)
    if is_provisional(rec):
        text += msg(language, "provisional_mark")
    return text


#: A wide interval whose scenarios fall at least this often in one third of the peer group
#: is reported as that third (the band), when the interval itself crosses a boundary.
BAND_MAJORITY = 2 / 3


def rank_band_of(interval: Mapping[str, Any] | None) -> str:
    """The rank band (``top``/``middle``/``bottom``) of a ``rank_intervals`` row: its
    ``rank_band`` when the whole interval lies in one third, else the third holding at
    least :data:`BAND_MAJORITY` of the scenarios (``p_top``, ``p_middle``, ``p_bottom``);
    ``""`` when neither."""
    if interval is None:
        return ""
    band = str(interval.get("rank_band") or "")
    if band and band != "nan":
        return band
    for name in ("top", "middle", "bottom"):
        p = interval.get(f"p_{name}")
        if not is_missing(p) and float(p) >= BAND_MAJORITY:
            return name
    return ""


def grade_phrase(results: Any, unit: str, language: str = "zh") -> str:
    """The unit's grade name, with ``（暂定）`` when provisional."""
    rec = unit_record(results, unit)
    text = grade_text(rec.get("grade"), grade_bands(results), language)
    if text != "—" and is_provisional(rec):
        text += msg(language, "provisional_mark")
    return text


def provisional_reason(results: Any, unit: str, language: str = "zh") -> str:
    """Why the unit's grade and rank are provisional ("" when they are not)."""
    rec = unit_record(results, unit)
    if not is_provisional(rec):
        return ""
    threshold = ((results.meta or {}).get("parameters") or {}).get("publication_coverage")
    return msg(language, "provisional_reason", coverage=_fmt_share(float(rec["coverage"])),
               threshold="—" if threshold is None else f"{fmt_compact(100 * float(threshold))}%")


def decision_texts(results: Any, unit: str, language: str = "zh") -> list[str]:
    """Every decision that set the unit's grade or total apart from its points, in words:
    一票否决 and 一票否优 with their reasons, capped bonus or deduction points, and a
    provisional grade with its reason."""
    out = []
    table = analysis.decisions(results)
    mine = table[table["unit_id"].astype(str) == str(unit)]
    bands = grade_bands(results)
    for r in mine.itertuples(index=False):
        reason = r.reason_en if language != "zh" and r.reason_en else r.reason
        if r.kind == "veto":
            out.append(msg(language, "decision_veto", reason=reason, fail=grade_text(bands.fail, bands, language)))
        elif r.kind == "bar_top":
            out.append(msg(language, "decision_bar_top", reason=reason, top=grade_text(bands.top, bands, language)))
        else:
            key = "decision_bonus_cap" if r.kind == "bonus_cap" else "decision_deduction_cap"
            out.append(msg(language, key, requested=fmt_compact(r.requested), applied=fmt_compact(r.applied),
                           cap=fmt_compact(r.cap), reason=reason))
    why = provisional_reason(results, unit, language)
    if why:
        out.append(why)
    return out


def unit_class_text(unit_class: Any, language: str = "zh") -> str:
    """A unit class (``综合管理类`` …) in ``language``: the catalogue's ``unit_class.<name>``,
    else the class as the data write it (Chinese only in Chinese reports)."""
    if is_missing(unit_class):
        return ""
    text = label(language, "unit_class", str(unit_class))
    if language != "zh" and any("\u3400" <= ch <= "\u9fff" for ch in text):
        return ""
    return text


def rank_text(rank: Any, n_in_group: Any, peer_group: Any, language: str = "zh") -> str:
    """``第 3 名 / 共 35 个部门`` (or ``3 of 35 departments``)."""
    if is_missing(rank):
        return msg(language, "rank_missing")
    n = "?" if is_missing(n_in_group) else int(n_in_group)
    group = label(language, "peer_group_count", peer_group)
    return msg(language, "rank_value", rank=int(rank), n=n, group=group)


def change_text(rank_change: Any, language: str = "zh") -> str:
    """``↑2`` (moved up 2 places), ``↓1``, ``持平`` or ``无上年数据``."""
    if is_missing(rank_change):
        return msg(language, "change_none")
    n = int(rank_change)
    if n > 0:
        return msg(language, "change_up", n=n)
    if n < 0:
        return msg(language, "change_down", n=-n)
    return msg(language, "change_same")


def change_class(rank_change: Any) -> str:
    if is_missing(rank_change):
        return "none"
    n = int(rank_change)
    return "up" if n > 0 else "down" if n < 0 else "same"


def grade_text(grade: Any, bands, language: str = "zh") -> str:
    """The name of ``grade`` in ``language`` from the results' grade bands ``bands``
    (:class:`~evalkit.scoring.framework.GradeRules`); ``—`` when there is none."""
    if is_missing(grade):
        return "—"
    return bands.label(grade, language)


def grade_style(grade: Any, bands) -> str:
    """The style of ``grade`` (:data:`GRADE_STYLES`) by its band's role and position."""
    i = None if is_missing(grade) else bands.index(grade)
    if i is None:
        return "other"
    role = bands.roles[i]
    if role == "top":
        return GRADE_STYLES[0]
    if role == "fail":
        return GRADE_STYLES[3]
    return GRADE_STYLES[1] if i == 1 else GRADE_STYLES[2]


def grade_bands(results: Any):
    """The grade bands of ``results`` (:func:`evalkit.results.store.grade_rules`)."""
    return grade_rules(results.meta)


def unit_name(units: pd.DataFrame, unit: str, language: str) -> str:
    """The name of ``unit`` in a ``units`` frame (``unit_id, name_zh, name_en``) in ``language``
    (the Chinese name without an English one); the id itself for a unit not in the frame."""
    rows = units[units["unit_id"].astype(str) == str(unit)]
    return str(unit) if rows.empty else (_name(rows.iloc[0], language) or str(unit))


def _name(row: Mapping[str, Any] | pd.Series, language: str) -> str:
    """The node's or unit's name in ``language`` (falls back to the Chinese name)."""
    if language != "zh":
        en = row.get("name_en")
        if not is_missing(en) and str(en).strip():
            return str(en)
    zh = row.get("name_zh")
    return "" if is_missing(zh) else str(zh)


# ----------------------------------------------------------------------------------------
# Selecting one unit's data
# ----------------------------------------------------------------------------------------

def unit_record(results: Any, unit: str, year: int | None = None) -> pd.Series:
    """The row of ``results.units`` for ``unit``; :class:`ReportError` when it is not there."""
    units = results.units
    rows = units[units["unit_id"].astype(str) == str(unit)]
    if year is not None and "year" in rows.columns:
        in_year = rows[rows["year"].astype("Int64") == int(year)]
        if in_year.empty and not rows.empty:
            years = ", ".join(sorted({str(y) for y in rows["year"]}))
            raise ReportError(f"the results hold unit {unit!r} for {years}, not for {year}")
        rows = in_year
    if rows.empty:
        raise ReportError(f"unit {unit!r} is not in the results"
                          + (f" for {year}" if year is not None else ""))
    if len(rows) > 1:
        raise ReportError(f"unit {unit!r} appears {len(rows)} times in the results")
    return rows.iloc[0]


def check_unit(results: Any, unit: str, year: int | None = None) -> None:
    """Raise :class:`ReportError` unless the results hold ``unit`` for ``year``."""
    unit_record(results, unit, year)


def area_table(results: Any, unit: str, language: str = "zh") -> pd.DataFrame:
    """Level-1 areas of ``unit`` (:func:`evalkit.results.analysis.area_scores`) with their
    names in ``language``.

    Columns: ``code, name, points, score, points_lost, score_rate, peer_median, no_data,
    coverage``.
    """
    unit_record(results, unit)
    table = analysis.area_scores(results, unit)
    table.insert(1, "name", [_name(r, language) for _, r in table.iterrows()])
    return table.drop(columns=["name_zh", "name_en"])


def _coverage(row: Mapping[str, Any] | pd.Series) -> float:
    """Share (0–1) of the points whose indicators had data; 1.0 when not recorded."""
    value = row.get("coverage") if hasattr(row, "get") else None
    return 1.0 if is_missing(value) else float(value)


def _fmt_share(share: float) -> str:
    return f"{100 * share:.0f}%" if share >= 0.995 or share <= 0.005 else f"{100 * share:.1f}%"


def missing_policy_text(results: Any, language: str = "zh") -> str:
    """How the framework treats indicators without data, in words."""
    policy = str(((results.meta or {}).get("parameters") or {}).get("missing_policy", "other"))
    texts = catalogue(language)
    return texts.get(f"policy.{policy}", texts["policy.other"])


def indicator_table(results: Any, unit: str, language: str = "zh") -> pd.DataFrame:
    """Leaf indicators of ``unit`` (:func:`evalkit.results.analysis.unit_leaves`) with their
    display texts.

    Columns: ``code, area_code, area, name, kind, rule, raw_value, target, value_unit,
    score, points, points_lost, no_data`` and the formatted ``raw_text, target_text,
    score_text, lost_text``. A leaf without data shows "无数据" as its value (never 0).
    """
    nodes = analysis.unit_nodes(results, unit)
    names = {str(c): _name(r, language) for c, (_, r) in zip(nodes["code"], nodes.iterrows())}
    leaves = analysis.unit_leaves(results, unit)
    no_data_text = msg(language, "no_data")
    na = msg(language, "not_applicable")
    rows = []
    for _, node in leaves.iterrows():
        code = str(node["code"])
        no_data = (not is_missing(node["no_data"]) and bool(node["no_data"]))
        raw = node["raw_value"]
        score = node["score"]
        points = float(node["points"])
        lost = node["points_lost"]
        raw_text = no_data_text if no_data else format_value(raw, node["value_unit"], language)
        target_text = format_value(node["target"], node["value_unit"], language, missing=na)
        direction = node.get("direction")
        if not is_missing(node["target"]) and not is_missing(direction) and float(direction) != 0:
            target_text = ("≥" if float(direction) > 0 else "≤") + target_text
        if is_missing(score):
            score_text = f"{no_data_text} / {fmt_compact(points)}"
        else:
            score_text = f"{fmt_fixed(score, 1)} / {fmt_compact(points)}"
        rows.append({
            "code": code,
            "area_code": node["area_code"],
            "area": names.get(node["area_code"], ""),
            "name": _name(node, language),
            "kind": "" if is_missing(node.get("kind")) else str(node.get("kind")),
            "rule": "" if is_missing(node.get("rule")) else str(node.get("rule")),
            "raw_value": raw,
            "target": node["target"],
            "value_unit": node["value_unit"],
            "score": score,
            "points": points,
            "points_lost": lost,
            "no_data": no_data,
            "raw_text": raw_text,
            "target_text": target_text,
            "score_text": score_text,
            "lost_text": fmt_fixed(lost, 1, missing=na),
        })
    return pd.DataFrame(rows, columns=[
        "code", "area_code", "area", "name", "kind", "rule", "raw_value", "target", "value_unit",
        "score", "points", "points_lost", "no_data", "raw_text", "target_text", "score_text",
        "lost_text"])


# ----------------------------------------------------------------------------------------
# HTML blocks
# ----------------------------------------------------------------------------------------

def report_title(results: Any, unit: str, language: str = "zh") -> str:
    """The plain-text title, e.g. ``2024年度 区市场监管局 政府效能评估报告``."""
    rec = unit_record(results, unit)
    year = rec.get("year") if "year" in rec.index else results.meta.get("year")
    period = period_name(results, language)
    if period is not None:
        return msg(language, "p_title", period=period, name=_name(rec, language))
    return msg(language, "title", year=year, name=_name(rec, language))


def _is_private_key(key: str) -> bool:
    k = key.lower()
    return "rater" in k and "id" in k


def _param_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def _flat_parameters(params: Mapping[str, Any], prefix: str = "", bands: Any = None,
                     language: str = "zh") -> list[tuple[str, str]]:
    """Parameters as ``a.b = value`` lines for reading (nested mappings flattened, lists
    joined with commas, numbers without needless decimals), sorted by name."""
    out: list[tuple[str, str]] = []
    for key in sorted(params, key=str):
        if _is_private_key(str(key)):
            continue
        value = params[key]
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out += _flat_parameters(value, f"{name}.", bands, language)
        elif key == "grade_bands" and bands is not None and isinstance(value, (list, tuple)):
            out.append((name, ", ".join(f"{bands.label(v[0], language)} {fmt_compact(v[1])}" for v in value
                                        if isinstance(v, (list, tuple)) and len(v) >= 2)))
        elif isinstance(value, (list, tuple)):
            out.append((name, ", ".join(" ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
                                        for v in value)))
        elif isinstance(value, float):
            out.append((name, fmt_compact(value)))
        else:
            out.append((name, str(value)))
    return out


def dataset_digest(data_hashes: Mapping[str, str]) -> str:
    """One SHA-256 over all data files: of the sorted lines ``<path>  <sha256>``."""
    lines = "".join(f"{path}  {digest}\n" for path, digest in
                    sorted((str(p), str(d)) for p, d in data_hashes.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------
# Shared pieces of the unit report and the district overview
# ----------------------------------------------------------------------------------------

def show(block: Mapping[str, Any]) -> None:
    """Display one block in the notebook: as HTML and as the machine-readable payload
    (:data:`evalkit.report.blocks.MIME_TYPE`) that the PDF is laid out from. A document
    block also carries the page's title and language (output metadata ``evalkit``), which
    the HTML template uses."""
    from IPython.display import display

    page = ({"title": block.get("title", ""), "lang": block.get("lang", "")}
            if block.get("type") == "document" else None)
    metadata = {"evalkit": page} if page else None
    display({"text/html": blocks.block_html(block), blocks.MIME_TYPE: dict(block)}, raw=True,
            metadata=metadata)


def framework_name(results: Any, language: str = "zh") -> str:
    meta = results.meta or {}
    if language != "zh" and meta.get("framework_name_en"):
        return str(meta["framework_name_en"])
    return str(meta.get("framework_name_zh") or meta.get("framework_code") or "")


def _year(results: Any) -> int:
    return int((results.meta or {}).get("year") or results.units["year"].iloc[0])


def period_name(results: Any, language: str = "zh") -> str | None:
    """The name of an in-year period the results are of (``2024 年第三季度``, ``Q3 2024``), from
    their meta (:func:`evalkit.results.compute.period_meta`); None for a whole year."""
    meta = results.meta or {}
    if not meta.get("period"):
        return None
    return str(meta.get("period_name_zh" if language == "zh" else "period_name_en") or meta["period"])


def year_or_period_text(results: Any, year: int, language: str = "zh") -> str:
    """``2023年度``, or for a period's results the same period of ``year`` (``2023 年第三季度``):
    a period's history holds the same months of the earlier years."""
    key = (results.meta or {}).get("period")
    if not key:
        return msg(language, "year_text", year=year)
    from evalkit.periods import parse_period

    return parse_period(key).same_period(year).name(language)


def period_msg(results: Any, language: str, key: str, **fields: Any) -> str:
    """The text of ``key``, or for a period's results its period variant ``p_<key>`` (which says
    本期 / this period, never 本年度) with ``period`` (the period's name) among the fields."""
    period = period_name(results, language)
    if period is not None and f"p_{key}" in catalogue(language):
        return msg(language, f"p_{key}", period=period, **fields)
    return msg(language, key, **fields)


def _not_assessed(node, language: str) -> bool:
    """A leaf a period does not assess (annual-only: its not-applicable reason says so)."""
    from evalkit.scoring.model import NOT_IN_PERIOD_REASON

    return str(node.get("na_reason") or "") == NOT_IN_PERIOD_REASON[0]


def period_notes(results: Any, unit: str, language: str = "zh") -> list[str]:
    """What a period's report says first: the cut-off and its rules, and which annual-only
    indicators are not yet assessed (none for a whole year)."""
    period = period_name(results, language)
    if period is None:
        return []
    cutoff = str((results.meta or {}).get("period_cutoff", ""))[:10]
    notes = [msg(language, "p_note", period=period, cutoff=cutoff)]
    nodes = results.nodes[results.nodes["unit_id"].astype(str) == str(unit)]
    names = [_name(r, language) for _, r in nodes.iterrows()
             if str(r.get("status")) == "not_applicable" and _not_assessed(r, language)]
    if names:
        notes.append(msg(language, "p_annual_only_note", names="、".join(names) if language == "zh"
                         else ", ".join(names)))
    return notes


def _public(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """Drop any column that could identify a rater (defence in depth: the tables evalkit
    writes have none)."""
    if frame is None:
        return None
    return frame[[c for c in frame.columns if not _is_private_key(str(c))]]


def _table_of(results: Any, name: str) -> pd.DataFrame | None:
    getter = getattr(results, "table", None)
    frame = getter(name) if callable(getter) else None
    return _public(frame)


def rater_group_text(group: Any, language: str = "zh") -> str:
    from evalkit.data.contract import RATER_GROUPS

    key = f"rater_group.{group}"
    texts = catalogue(language)
    if key in texts:
        return texts[key]
    return RATER_GROUPS.get(str(group), str(group)) if language == "zh" else str(group)


def provenance_section(results: Any, language: str = "zh",
                       parameters: Mapping[str, Any] | None = None) -> dict:
    """Framework version and checksum, data file checksums, tool and package versions and
    the parameters of the computation and of the report."""
    meta = results.meta or {}
    none = msg(language, "none")
    rows = [
        blocks.kv(msg(language, "framework"),
                  " ".join(x for x in (framework_name(results, language),
                                       str(meta.get("framework_version", "—"))) if x)),
        blocks.kv(msg(language, "framework_hash"), short_hash(meta.get("framework_hash")), mono=True),
    ]
    data_hashes = meta.get("data_hashes") or {}
    if data_hashes:
        rows.append(blocks.kv(msg(language, "dataset_hash"),
                              f"{short_hash(dataset_digest(data_hashes))} "
                              + msg(language, "dataset_hash_files", n=len(data_hashes)), mono=True))
        rows.append(blocks.kv(msg(language, "data_files"),
                              [f"{path}  {short_hash(digest)}" for path, digest in
                               sorted(data_hashes.items(), key=lambda kv: str(kv[0]))], mono=True))
    else:
        rows.append(blocks.kv(msg(language, "data_files"), none))
    rows.append(blocks.kv(msg(language, "evalkit_version"), str(meta.get("evalkit_version", "—"))))
    packages = meta.get("package_versions") or meta.get("packages") or {}
    if packages:
        rows.append(blocks.kv(msg(language, "package_versions"),
                              ", ".join(f"{k} {v}" for k, v in sorted(packages.items()))))
    params = {k: v for k, v in (meta.get("parameters") or {}).items() if not _is_private_key(str(k))}
    params.update({f"report.{k}": v for k, v in (parameters or {}).items()
                   if not _is_private_key(str(k))})
    if params:
        rows.append(blocks.kv(msg(language, "parameters"),
                              [f"{k} = {v}" for k, v in _flat_parameters(params, bands=grade_bands(results),
                                                                           language=language)]))
    else:
        rows.append(blocks.kv(msg(language, "parameters"), none))
    return blocks.section("provenance", msg(language, "provenance_heading"), [
        blocks.paragraph(msg(language, "provenance_intro"), "note"),
        blocks.keyvalue(rows),
        blocks.paragraph(msg(language, "checksum_note"), "note"),
    ], break_before=True)


# ----------------------------------------------------------------------------------------
# Unit report: sections
# ----------------------------------------------------------------------------------------

def unit_document(results: Any, unit: str, language: str = "zh") -> dict:
    """Title, subtitle, running header/footer and the PDF cover of a unit report."""
    rec = unit_record(results, unit)
    year = _year(results)
    name = _name(rec, language)
    unit_class = unit_class_text(rec.get("unit_class"), language)
    group = label(language, "peer_group", rec["peer_group"])
    subtitle = msg(language, "subtitle", peer_group=group, unit_class=unit_class,
                   unit_id=rec["unit_id"])
    fw = framework_name(results, language)
    cover = {
        "kicker": fw,
        "title": msg(language, "cover_title", year=year),
        "name": name,
        "lines": [[msg(language, "cover_unit_id"), str(rec["unit_id"])],
                  [msg(language, "cover_group"), " · ".join(x for x in (group, unit_class) if x)],
                  [msg(language, "cover_year"), msg(language, "year_text", year=year)],
                  [msg(language, "framework"),
                   " ".join(x for x in (fw, str((results.meta or {}).get("framework_version", ""))) if x)]],
        "note": msg(language, "cover_note"),
    }
    running_header = msg(language, "running_header", name=name, year=year)
    period = period_name(results, language)
    if period is not None:  # an in-year period: named wherever the year would be
        cover["title"] = msg(language, "p_cover_title", period=period)
        cover["lines"][2] = [msg(language, "p_cover_period"), period]
        running_header = msg(language, "p_running_header", name=name, period=period)
    return blocks.document(
        kind="unit", title=report_title(results, unit, language), subtitle=subtitle,
        lang=msg(language, "html_lang"), language=language,
        running_header=running_header,
        footer=msg(language, "footer", name=name, unit_id=rec["unit_id"], year=year),
        cover=cover)


def _rank_interval(results: Any, unit: str) -> tuple[int, int, int | None] | None:
    table = _table_of(results, "rank_intervals")
    if table is None or table.empty or not {"unit_id", "rank_low", "rank_high"} <= set(table.columns):
        return None
    rows = table[table["unit_id"].astype(str) == str(unit)]
    if rows.empty or is_missing(rows.iloc[0]["rank_low"]) or is_missing(rows.iloc[0]["rank_high"]):
        return None
    row = rows.iloc[0]
    n = row.get("n_scenarios") if "n_scenarios" in rows.columns else None
    return int(row["rank_low"]), int(row["rank_high"]), None if is_missing(n) else int(n)


def _score_change(rec: pd.Series) -> float | None:
    prev = rec.get("prev_score")
    if is_missing(prev) or is_missing(rec.get("score_100")):
        return None
    return float(rec["score_100"]) - float(prev)


def summary_lead(results: Any, unit: str, language: str = "zh") -> str:
    """The first sentence a leader reads: score, grade, rank and the change on last year."""
    rec = unit_record(results, unit)
    change = rec.get("rank_change")
    if is_missing(change):
        change_phrase = msg(language, "lead_change_none")
    else:
        n = int(change)
        key = "lead_change_up" if n > 0 else "lead_change_down" if n < 0 else "lead_change_same"
        change_phrase = msg(language, key, n=abs(n), prev_rank=int(rec["prev_rank"]))
    delta = _score_change(rec)
    if delta is not None:
        step = 10.0 ** -score_decimals() / 2
        key = "lead_score_up" if delta >= step else "lead_score_down" if delta <= -step else "lead_score_same"
        change_phrase += msg(language, key, delta=fmt_score(abs(delta)))
    period = period_name(results, language)
    return msg(language, "lead_v2" if period is None else "p_lead", year=_year(results), period=period,
               name=_name(rec, language), score=fmt_score(rec["score_100"]),
               grade=grade_phrase(results, unit, language), rank=rank_phrase(results, unit, language),
               change=change_phrase)


def _composition_text(comp: pd.DataFrame, language: str) -> str:
    """``基础分 86.00 + 加分 2.00 = 88.00`` from :func:`evalkit.results.analysis.score_composition`."""
    rows = {r.row: r for r in comp.itertuples(index=False)}
    base = rows["base"]
    text = msg(language, "formula_base", base=fmt_score(base.shown), points=fmt_compact(base.points))
    if "rebased" in rows:
        text += msg(language, "formula_rebased", rebased=fmt_score(rows["rebased"].shown))
    if "bonus" in rows:
        text += msg(language, "formula_bonus", bonus=fmt_score(rows["bonus"].shown))
    if "deduction" in rows:
        text += msg(language, "formula_deduction", deduction=fmt_score(rows["deduction"].shown))
    if "bonus" not in rows and "deduction" not in rows:
        return text  # the total is the (re-based) base: nothing to add
    return text + msg(language, "formula_total", total=fmt_score(rows["total"].shown))


def summary_section(results: Any, unit: str, language: str = "zh") -> dict:
    """The leader's first page: score (with how it is made), grade, rank or band, change on
    last year; every decision (veto, cap, provisional grade) with its reason; the change by
    area; three strengths and three priorities."""
    catalogue(language)
    rec = unit_record(results, unit)
    bands = grade_bands(results)
    grade = rec.get("grade")
    comp = analysis.score_composition(results, unit, score_decimals())
    total_notes = [_composition_text(comp, language)]
    coverage = _coverage(rec)
    if coverage < 0.9995:
        total_notes.append(msg(language, "coverage_total", coverage=_fmt_share(coverage)))
    change = rec.get("rank_change")
    prev_note = []
    if not is_missing(rec.get("prev_score")):
        prev_note.append(msg(language, "prev_score_note", score=fmt_score(rec["prev_score"])))
        prev_note.append(msg(language, "cy_card_note"))
    if not is_missing(rec.get("prev_rank")):
        prev_note.append(msg(language, "prev_rank_note", rank=int(rec["prev_rank"])))
    group = label(language, "peer_group_count", rec["peer_group"])
    n = "?" if is_missing(rec.get("n_in_group")) else int(rec["n_in_group"])
    items = [
        blocks.card(msg(language, "total_score"), msg(language, "total_score_value", score=fmt_score(rec["score_100"])),
                    total_notes, "main"),
        blocks.card(msg(language, "grade"), grade_phrase(results, unit, language), (),
                    f"grade-{grade_style(grade, bands)}"),
        blocks.card(msg(language, "rank"), rank_phrase(results, unit, language, with_group=False),
                    [msg(language, "rank_group_note", n=n, group=group), *_published_place_note(results, unit, language)],
                    "rank"),
        blocks.card(msg(language, "change"), change_text(change, language), prev_note,
                    f"change-{change_class(change)}"),
    ]
    parts: list = [blocks.paragraph(summary_lead(results, unit, language), "lead"), blocks.cards(items)]
    parts += [blocks.notice(text, "info") for text in period_notes(results, unit, language)]
    parts += [blocks.notice(text, "warning") for text in decision_texts(results, unit, language)]
    changes = analysis.area_changes(results, unit)
    if changes["prev_rate"].notna().any():
        rows = []
        areas = analysis.area_scores(results, unit)
        coverage = dict(zip(areas["code"], areas["coverage"]))
        mark = msg(language, "coverage_mark")
        for r in _with_names(changes, language).itertuples(index=False):
            if r.points <= 0:
                rows.append(blocks.row([r.name, blocks.cell(msg(language, "not_applicable_text"), style="muted"),
                                        "", ""], "nodata"))
                continue
            ch = "—" if is_missing(r.change) else f"{r.change:+.1f}"
            style = "" if is_missing(r.change) or abs(r.change) < 0.05 else ("up" if r.change > 0 else "down")
            rate = _pct(r.rate)
            if coverage.get(r.code, 1.0) < 0.9995 and rate != "—":
                rate = f"{mark}{rate}"
            rows.append(blocks.row([r.name, rate, blocks.cell(_pct(r.prev_rate), style="muted"),
                                    blocks.cell(ch, style=style)]))
        parts.append(blocks.paragraph(msg(language, "area_change_heading"), "subhead"))
        parts.append(blocks.table([blocks.column(msg(language, "col_area"), width=2.4),
                                   blocks.column(msg(language, "col_score_rate"), "right"),
                                   blocks.column(msg(language, "col_prev_rate"), "right"),
                                   blocks.column(msg(language, "col_change_pp"), "right")],
                                  rows, style="compact", notes=[msg(language, "area_change_note"),
                                                                period_msg(results, language, "area_mark_note") if any(
                                                                    v < 0.9995 for v in coverage.values()) else ""]))
    strengths = _with_names(analysis.strengths(results, unit), language)
    priorities = improvement_suggestions(results, unit, language, n=analysis.TOP_N, short=True)
    left = [blocks.paragraph(msg(language, "key_strengths"), "subhead"),
            blocks.bullets([msg(language, "strength_item", name=r.name, rate=_pct(r.rate),
                                peer=_pct(r.peer_rate)) for r in strengths.itertuples(index=False)])
            if len(strengths) else blocks.paragraph(_no_strengths_text(results, unit, language), "muted")]
    right = [blocks.paragraph(msg(language, "key_priorities"), "subhead"),
             blocks.bullets(priorities) if priorities else blocks.paragraph(msg(language, "suggestions_none"), "muted")]
    parts.append(blocks.columns(left, right))
    return blocks.section("summary", msg(language, "summary_heading"), parts)


def _no_strengths_text(results: Any, unit: str, language: str) -> str:
    """Why no strength is listed: nothing beats the peer median (with the number of
    indicators at full marks, when there are any)."""
    comp = analysis.leaf_comparison(results, unit)
    full = int(((comp["status"] == "data") & (comp["rate"] >= 0.9995)).sum())
    return msg(language, "strengths_none_full", n=full) if full else msg(language, "strengths_none")


def _published_place_note(results: Any, unit: str, language: str) -> list[str]:
    """When the rank is shown as a band, the published place beside it."""
    rec = unit_record(results, unit)
    interval = _interval_row(results, unit)
    wide = interval is not None and not is_missing(interval.get("wide")) and bool(interval.get("wide"))
    if is_missing(rec.get("rank")) or not (wide and rank_band_of(interval)):
        return []
    tied = msg(language, "rank_tied") if tie_count(results, unit) > 1 else ""
    return [msg(language, "rank_published_note", rank=int(rec["rank"]), tied=tied)]


def _pct(rate: Any) -> str:
    return "—" if is_missing(rate) else f"{100 * float(rate):.1f}%"


def areas_section(results: Any, unit: str, language: str = "zh", *, chart: bool = True) -> dict:
    """How the total is made: the level-1 areas (points, score, points lost, score rate, peer
    median), their sum (the base), the re-basing to 100 when indicators do not apply, the
    bonus and deduction points with their reasons and caps, and the total — printed so that
    every column adds up (:func:`evalkit.results.analysis.score_composition`)."""
    from evalkit.report import charts

    rec = unit_record(results, unit)
    d = score_decimals()
    table = area_table(results, unit, language)
    comp = analysis.score_composition(results, unit, d)
    no_data = msg(language, "no_data")
    na_text = msg(language, "not_applicable_text")
    cols = [blocks.column(msg(language, "col_area"), width=2.6),
            blocks.column(msg(language, "col_points"), "right"),
            blocks.column(msg(language, "col_score"), "right"),
            blocks.column(msg(language, "col_points_lost"), "right"),
            blocks.column(msg(language, "col_score_rate"), "right", 1.5),
            blocks.column(msg(language, "col_peer_median"), "right")]
    shown = {r.code: r for r in comp[comp["row"] == "area"].itertuples(index=False)}
    mark = msg(language, "coverage_mark")
    rows = []
    for r in table.itertuples(index=False):
        if r.points <= 0:
            rows.append(blocks.row([r.name, blocks.cell(na_text, style="muted"), "", "", "", ""], "nodata"))
            continue
        c = shown.get(r.code)
        if c is None or is_missing(c.shown):
            rows.append(blocks.row([r.name, fmt_compact(r.points), blocks.cell(no_data, style="nodata"), "", "", ""]))
            continue
        score = fmt_score(c.shown)
        if r.coverage < 0.9995:
            score = f"{mark}{score}"
        rate = min(1.0, c.shown / r.points) if r.points else float("nan")
        rows.append(blocks.row([
            r.name, fmt_compact(r.points), blocks.cell(score, style="strong"), fmt_score(c.lost_shown),
            blocks.cell(_pct(rate), bar=None if math.isnan(rate) else rate),
            blocks.cell(fmt_score(r.peer_median, missing="—"), style="muted")]))
    footer = []
    for c in comp[comp["row"] != "area"].itertuples(index=False):
        if c.row == "base":
            rate = c.shown / c.points if c.points else float("nan")
            footer.append(blocks.row([msg(language, "base_row"), fmt_compact(c.points),
                                      blocks.cell(fmt_score(c.shown), style="strong"), fmt_score(c.lost_shown),
                                      blocks.cell(_pct(rate), bar=None if math.isnan(rate) else rate), ""]))
        elif c.row == "rebased":
            footer.append(blocks.row([msg(language, "rebased_row", points=fmt_compact(rec["max_score"])), "100",
                                      blocks.cell(fmt_score(c.shown), style="strong"), "", "", ""]))
        elif c.row in ("bonus", "deduction"):
            sign = "+" if c.row == "bonus" else "−"
            reasons = c.reasons if isinstance(c.reasons, list) else []
            why = msg(language, "list_sep").join((en if language != "zh" and en else zh) for zh, en in reasons)
            sub = why
            if not is_missing(c.cap) and not is_missing(c.requested) and c.requested > c.score + 1e-9:
                sub = msg(language, "capped_sub", requested=fmt_compact(c.requested), cap=fmt_compact(c.cap),
                          reason=why)
            footer.append(blocks.row([blocks.cell(msg(language, f"{c.row}_row"), sub=sub), "",
                                      blocks.cell(f"{sign}{fmt_score(c.shown)}", style="strong"), "", "", ""]))
        elif c.row == "total":
            footer.append(blocks.row([msg(language, "total_row_v2"), "100",
                                      blocks.cell(fmt_score(c.shown), style="strong"), "", "", ""]))
    group = label(language, "peer_group", rec["peer_group"])
    notes = [msg(language, "reconcile_note", decimals=d),
             msg(language, "peer_median_note_v2", group=group)]
    sep = msg(language, "list_sep")
    partial = table[(table["coverage"] < 0.9995) & table["score"].notna() & (table["points"] > 0)]
    if not partial.empty:
        items = sep.join(msg(language, "coverage_item", area=r.name, coverage=_fmt_share(r.coverage))
                         for r in partial.itertuples(index=False))
        notes.append(msg(language, "coverage_note", policy=missing_policy_text(results, language), areas=items))
    if (table["points"] <= 0).any():
        notes.append(msg(language, "na_area_note"))
    if float(rec["max_score"]) != 100.0:
        notes.append(msg(language, "rebased_note", points=fmt_compact(rec["max_score"])))
    figure = None
    if chart and not table.empty:
        t = table[table["points"] > 0]
        peer_rates = (t["peer_median"] / t["points"]).where(t["points"] > 0)
        names = [f"{mark}{n}" if c < 0.9995 else n for n, c in zip(t["name"], t["coverage"])]
        svg = charts.area_chart(names, list(t["score_rate"].clip(upper=1.0)), list(peer_rates),
                                unit_label=msg(language, "chart_unit_rate"),
                                median_label=msg(language, "chart_peer_median_rate", group=group),
                                no_data_label=no_data)
        figure = blocks.figure(svg, msg(language, "chart_areas_caption"), 0.92, alt=msg(language, "areas_heading"))
    return blocks.section("areas", msg(language, "areas_heading"), [
        blocks.table(cols, rows, footer=footer, notes=notes), figure])




def trend_section(results: Any, unit: str, language: str = "zh", *, chart: bool = True) -> dict:
    """Score and rank over the years the data cover (:func:`evalkit.results.analysis.unit_history`)."""
    from evalkit.report import charts

    hist = analysis.unit_history(results, unit)
    title = msg(language, "trend_heading")
    if hist.empty:
        return blocks.section("trend", title, [blocks.notice(msg(language, "trend_not_computed"))])
    rec = unit_record(results, unit)
    bands = grade_bands(results)
    # year over year on the comparable series (history: every year under this year's
    # framework); the scores as published beside it when the earlier years' results were found
    published = comparable.unit_published(results, unit).set_index("year")["score_100"]
    rows = []
    prev = None
    for r in hist.itertuples(index=False):
        delta = ("—" if prev is None or is_missing(prev)
                 else f"{float(r.score_100) - float(prev):+.{score_decimals()}f}")
        cells = [year_or_period_text(results, int(r.year), language),
                 blocks.cell(fmt_score(r.score_100), style="strong"), delta,
                 rank_text(r.rank, r.n_in_group, rec["peer_group"], language),
                 grade_text(r.grade, bands, language)]
        if len(published):
            shown = rec["score_100"] if int(r.year) == _year(results) else published.get(int(r.year))
            cells.insert(2, blocks.cell(fmt_score(shown), style="muted"))
        rows.append(blocks.row(cells))
        prev = r.score_100
    cols = [blocks.column(msg(language, "col_year")),
            blocks.column(msg(language, "cy_col_comparable") if len(published) else msg(language, "col_score_100"),
                          "right"),
            blocks.column(msg(language, "col_score_delta"), "right"),
            blocks.column(msg(language, "rank"), "right"),
            blocks.column(msg(language, "grade"), "center")]
    if len(published):
        cols.insert(2, blocks.column(msg(language, "cy_col_published"), "right"))
    notes = comparable_notes(results, language) if len(hist) >= 2 else []
    out: list = []
    if len(hist) >= 2:
        if chart:
            svg = charts.trend_chart(list(hist["year"]), list(hist["score_100"]), list(hist["rank"]),
                                     list(hist["n_in_group"]),
                                     score_label=msg(language, "chart_trend_score"),
                                     rank_label=msg(language, "chart_trend_rank"))
            out.append(blocks.figure(svg, msg(language, "chart_trend_caption"), 0.92, alt=title))
            if charts.score_axis_is_cut(list(hist["score_100"])):
                out.append(blocks.paragraph(msg(language, "trend_axis_note"), "note"))
    else:
        out.append(blocks.paragraph(msg(language, "trend_one_year"), "note"))
    out.append(blocks.table(cols, rows, style="compact", notes=notes))
    return blocks.section("trend", title, out)


def comparable_notes(results: Any, language: str = "zh") -> list[str]:
    """What the year-over-year figures rest on (:mod:`evalkit.results.comparable`): the
    comparable series — every earlier year recomputed under this year's framework — and,
    when an earlier year was published under another framework, which one and where its
    published figures are."""
    meta = results.meta or {}
    basis = meta.get("comparable") or {}
    version = basis.get("framework_version") or meta.get("framework_version", "")
    notes = [msg(language, "cy_basis_note", year=_year(results), version=version)]
    changed = comparable.changed_frameworks(results)
    if changed:
        sep = msg(language, "list_sep")
        notes.append(msg(language, "cy_changed_note", years=sep.join(str(y) for y, _ in changed),
                         versions=sep.join(v for _, v in changed)))
    elif basis.get("published"):
        notes.append(msg(language, "cy_same_note"))
    return notes


#: A rate resting on fewer cases than this shows its 95 % interval in the indicator table.
SMALL_N = 30


def _n_text(n: Any, language: str) -> str:
    return "" if is_missing(n) or float(n) <= 0 else msg(language, "n_cases", n=f"{int(n):,d}")


def indicators_section(results: Any, unit: str, language: str = "zh") -> dict:
    """Leaf indicators grouped by area: value (and what it rests on: n cases, items or
    responses; the 95 % interval of a rate on few cases), target, score / points, points
    lost, and how the value scored under its rule. Not-applicable indicators say so and why;
    indicators that apply but were not reported say which policy gave their points."""
    table = indicator_table(results, unit, language)
    nodes = analysis.unit_leaves(results, unit).set_index("code")
    status = analysis._status(nodes.reset_index()).to_numpy()
    status_of = dict(zip(nodes.index.astype(str), status))
    prev = analysis.previous_values(results, unit)
    cols = [blocks.column(msg(language, "col_indicator"), width=2.6),
            blocks.column(msg(language, "col_raw_value"), "right", 1.3),
            blocks.column(msg(language, "col_prev_value"), "right", 0.8),
            blocks.column(msg(language, "col_target"), "right", 0.9),
            blocks.column(msg(language, "col_score_points"), "right", 1.1),
            blocks.column(msg(language, "col_points_lost"), "right", 0.8)]
    policy = missing_policy_text(results, language)
    rows = []
    current = None
    explain_col = "explain" if language == "zh" else "explain_en"
    agreed = _agreed_codes(results, unit)  # leaves scored against the unit's agreed target (效能目标)
    for r in table.itertuples(index=False):
        if r.area_code != current:
            current = r.area_code
            rows.append(blocks.row([r.area], "group"))
        node = nodes.loc[r.code]
        st = status_of.get(r.code, "data")
        if st == "not_applicable":
            reason = node.get("na_reason_en") if language != "zh" and node.get("na_reason_en") else node.get("na_reason")
            not_assessed = _not_assessed(node, language)  # a period's annual-only leaf: 本期不评价
            rows.append(blocks.row([blocks.cell(r.name, sub="" if not_assessed else str(reason or "")),
                                    blocks.cell(msg(language, "p_not_assessed" if not_assessed
                                                    else "not_applicable_text"), style="muted"),
                                    blocks.cell("—", style="muted"),
                                    blocks.cell(r.target_text, style="muted"), blocks.cell("—", style="muted"), "—"],
                                   "nodata"))
            continue
        if st in ("filled", "not_reported"):
            how = (period_msg(results, language, "filled_sub", policy=policy, score=fmt_score(r.score))
                   if st == "filled" else period_msg(results, language, "not_reported_sub"))
            rows.append(blocks.row([blocks.cell(r.name, sub=how),
                                    blocks.cell(msg(language, "not_reported_text"), style="nodata"),
                                    blocks.cell(format_value(prev.get(r.code), r.value_unit, language, missing="—"),
                                                style="muted"),
                                    blocks.cell(r.target_text, style="muted"),
                                    blocks.cell(f"{fmt_score(r.score, missing='—')} / {fmt_compact(r.points)}",
                                                style="muted"),
                                    fmt_score(r.points_lost, missing="—")], "nodata"))
            continue
        n = node.get("n")
        value = r.raw_text
        sub = _n_text(n, language)
        unit_text = "" if is_missing(r.value_unit) else str(r.value_unit)
        if unit_text in ("%", "％") and not is_missing(n) and 0 < float(n) < SMALL_N:
            lo, hi = _jeffreys_interval(float(r.raw_value), float(n))
            sub = msg(language, "n_interval", n=int(n), low=f"{lo:.0f}", high=f"{hi:.0f}")
        explanation = node.get(explain_col) if explain_col in nodes.columns else ""
        style = "lost" if (not is_missing(r.points_lost) and r.points and float(r.points_lost) / float(r.points)
                           >= HIGHLIGHT_LOSS_SHARE) else ""
        rows.append(blocks.row([blocks.cell(r.name, sub=str(explanation or "")),
                                blocks.cell(value, sub=sub),
                                blocks.cell(format_value(prev.get(r.code), r.value_unit, language, missing="—"),
                                            style="muted"),
                                blocks.cell(r.target_text, style="muted",
                                            sub=msg(language, "targets_agreed_mark") if r.code in agreed else ""),
                                blocks.cell(f"{fmt_score(r.score)} / {fmt_compact(r.points)}", style="strong"),
                                fmt_score(r.points_lost)], style))
    notes = [msg(language, "indicator_notes", small=SMALL_N), period_msg(results, language, "not_reported_note", policy=policy),
             msg(language, "prev_value_note")]
    return blocks.section("indicators", msg(language, "indicators_heading"), [
        blocks.table(cols, rows, notes=notes)], break_before=True)


def _jeffreys_interval(percent: float, n: float) -> tuple[float, float]:
    """The 95 % Jeffreys interval (in percent) of a rate of ``percent`` % on ``n`` cases:
    the 2.5 % and 97.5 % quantiles of Beta(x + ½, n − x + ½), x = rate × n (Brown, Cai &
    DasGupta 2001); the bounds are 0 when x = 0 and 100 when x = n, as they recommend."""
    from scipy.stats import beta

    x = round(percent / 100.0 * n)
    lo = 0.0 if x <= 0 else float(beta.ppf(0.025, x + 0.5, n - x + 0.5))
    hi = 1.0 if x >= n else float(beta.ppf(0.975, x + 0.5, n - x + 0.5))
    return 100 * lo, 100 * hi


def _with_names(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``frame`` (with ``name_zh``, ``name_en``) plus ``name``: the name in ``language``."""
    return frame.assign(name=[_name(r, language) for _, r in frame.iterrows()] if len(frame) else [])


def _rate_text(rate: Any) -> str:
    return _pct(rate)


def improvement_suggestions(results: Any, unit: str, language: str = "zh",
                            n: int = analysis.TOP_SUGGESTIONS, *, short: bool = False) -> list[str]:
    """The suggestions of :func:`evalkit.results.analysis.suggestions` in plain words: a
    veto's or bar's cause first, then the largest recoverable losses — what the value was,
    where it should get to (the target, within the indicator's range, or the peer median),
    last year's value, and how many points that recovers. ``short``: one line each."""
    out = []
    table = analysis.suggestions(results, unit, n)
    for r in _with_names(table, language).itertuples(index=False):
        if r.action in ("veto", "bar_top"):
            reason = r.reason_en if language != "zh" and r.reason_en else r.reason
            out.append(msg(language, f"suggest_{r.action}", reason=reason or "—"))
            continue
        unit_ = r.value_unit
        fields = dict(name=r.name, raw=format_value(r.raw_value, unit_, language),
                      goal=format_value(r.goal, unit_, language, missing="—"),
                      peer=format_value(r.peer_value, unit_, language, missing="—"),
                      prev=format_value(r.prev_value, unit_, language, missing="—"),
                      points=fmt_score(r.recoverable))
        key = {"report": "suggest_report", "raise": "suggest_raise_v2", "lower": "suggest_lower_v2"}.get(
            r.action, "suggest_peer_v2")
        if short:
            key += "_short"
        text = period_msg(results, language, key, **fields)
        if not short and not is_missing(r.prev_value) and r.action != "report":
            text += msg(language, "suggest_prev", prev=fields["prev"])
        out.append(text)
    return out


def strengths_section(results: Any, unit: str, language: str = "zh") -> dict:
    """Strengths, weaknesses (never the same indicator) and the improvement suggestions,
    with the unit's rectification items when the data has them."""
    strengths = _with_names(analysis.strengths(results, unit), language)
    weaknesses = _with_names(analysis.weaknesses(results, unit), language)
    cols_s = [blocks.column(msg(language, "col_indicator"), width=2.4),
              blocks.column(msg(language, "col_score_rate"), "right"),
              blocks.column(msg(language, "col_peer_median_rate"), "right")]
    cols_w = [blocks.column(msg(language, "col_indicator"), width=2.4),
              blocks.column(msg(language, "col_points_lost"), "right"),
              blocks.column(msg(language, "col_peer_median_rate"), "right")]
    s_rows = [blocks.row([r.name, blocks.cell(_rate_text(r.rate), style="strong up"),
                          blocks.cell(_rate_text(r.peer_rate), style="muted")])
              for r in strengths.itertuples(index=False)]
    w_rows = [blocks.row([r.name, blocks.cell(fmt_score(r.points_lost), style="strong down"),
                          blocks.cell(_rate_text(r.peer_rate), style="muted")])
              for r in weaknesses.itertuples(index=False)]
    left = [blocks.paragraph(msg(language, "strengths_heading"), "subhead"),
            blocks.table(cols_s, s_rows, style="compact") if s_rows
            else blocks.paragraph(_no_strengths_text(results, unit, language), "muted")]
    right = [blocks.paragraph(msg(language, "weaknesses_heading"), "subhead"),
             blocks.table(cols_w, w_rows, style="compact") if w_rows
             else blocks.paragraph(msg(language, "weaknesses_none"), "muted")]
    suggestions = improvement_suggestions(results, unit, language)
    parts = [blocks.columns(left, right), blocks.paragraph(msg(language, "suggestions_heading"), "subhead")]
    if suggestions:
        parts.append(blocks.paragraph(msg(language, "suggestions_lead_v2"), ""))
        parts.append(blocks.bullets(suggestions, ordered=True))
    else:
        parts.append(blocks.paragraph(msg(language, "suggestions_none"), "muted"))
    items = _table_of(results, "rectifications")
    mine = None if items is None else items[items["unit_id"].astype(str) == str(unit)]
    if mine is not None and not mine.empty:
        parts.append(blocks.paragraph(msg(language, "rectification_heading"), "subhead"))
        cols = [blocks.column(msg(language, "col_rect_source")), blocks.column(msg(language, "col_rect_owner")),
                blocks.column(msg(language, "col_rect_deadline"), "right"),
                blocks.column(msg(language, "col_rect_status"), "center")]
        rows = [blocks.row([label(language, "rect_source", r.source),
                            "—" if is_missing(getattr(r, "owner", None)) else str(r.owner),
                            str(r.deadline)[:10], label(language, "rect_status", r.state)])
                for r in mine.itertuples(index=False)]
        parts.append(blocks.table(cols, rows, style="compact", notes=[msg(language, "rectification_note")]))
    return blocks.section("strengths", msg(language, "strengths_section_heading"), parts)




def qualitative_section(results: Any, unit: str, language: str = "zh") -> dict:
    """The qualitative evaluation (scores of the qualitative indicators, the rater groups'
    scores and the reliability in plain words) and the rank interval of the sensitivity
    analysis. Parts the results do not carry say "not computed"."""
    parts: list = []
    table = indicator_table(results, unit, language)
    qual = table[table["kind"] == "qualitative"]
    if not qual.empty:
        cols = [blocks.column(msg(language, "col_indicator"), width=2.4),
                blocks.column(msg(language, "col_raw_value"), "right"),
                blocks.column(msg(language, "col_score_points"), "right")]
        parts.append(blocks.table(cols, [blocks.row([r.name, r.raw_text,
                                                     blocks.cell(r.score_text, style="strong")])
                                         for r in qual.itertuples(index=False)], style="compact"))
    groups = _table_of(results, "qualitative_groups")
    rows = None if groups is None else groups[groups["unit_id"].astype(str) == str(unit)]
    parts.append(blocks.paragraph(msg(language, "rater_groups_heading"), "subhead"))
    if rows is None or rows.empty:
        parts.append(blocks.notice(msg(language, "qualitative_not_computed")))
    else:
        cols = [blocks.column(msg(language, "col_rater_group"), width=2.0),
                blocks.column(msg(language, "col_n_raters"), "right"),
                blocks.column(msg(language, "col_group_score"), "right")]
        body = []
        for r in rows.itertuples(index=False):
            published = bool(getattr(r, "published", True)) and not is_missing(getattr(r, "score", None))
            score = fmt_fixed(r.score, 1) if published else msg(language, "suppressed")
            n = getattr(r, "n_raters", None)
            body.append(blocks.row([rater_group_text(r.rater_group, language),
                                    "—" if is_missing(n) else str(int(n)),
                                    blocks.cell(score, style="strong" if published else "muted")]))
        parts.append(blocks.table(cols, body, style="compact",
                                  notes=[msg(language, "suppressed_note")]))
    parts.append(blocks.paragraph(msg(language, "reliability_heading"), "subhead"))
    rel = _table_of(results, "reliability")
    if rel is None or rel.empty:
        parts.append(blocks.notice(msg(language, "reliability_not_computed")))
    else:
        column = "message_zh" if language == "zh" else "message_en"
        low = rel[rel["low_agreement"].astype(bool)] if "low_agreement" in rel.columns else rel.iloc[0:0]
        levels = rel["agreement"].astype(str) if "agreement" in rel.columns else pd.Series(dtype=str)
        assessable = levels[levels != "not_assessable"]
        if assessable.empty:
            parts.append(blocks.paragraph(msg(language, "reliability_not_assessable"), ""))
        elif low.empty:
            parts.append(blocks.paragraph(msg(language, "reliability_ok", n=len(assessable)), ""))
        else:
            parts.append(blocks.paragraph(msg(language, "reliability_low", n=len(low),
                                              total=len(assessable)), "warning"))
            if column in low.columns:
                parts.append(blocks.bullets(sorted(set(low[column].astype(str)))))
    parts.append(blocks.paragraph(msg(language, "rank_interval_heading"), "subhead"))
    interval = _rank_interval(results, unit)
    if interval is None:
        parts.append(blocks.notice(msg(language, "rank_interval_not_computed")))
    else:
        lo, hi, n = interval
        rec = unit_record(results, unit)
        row = _interval_row(results, unit) or {}
        varied = str(row.get("varied") or "weights")
        key = "rank_interval_text_same_v2" if lo == hi else "rank_interval_text_v2"
        parts.append(blocks.paragraph(msg(language, key, low=lo, high=hi,
                                          varied=msg(language, f"varied_{varied.replace('+', '_')}"),
                                          rank="—" if is_missing(rec["rank"]) else int(rec["rank"]),
                                          n=n or "—"), ""))
        band = rank_band_of(row)
        if not is_missing(row.get("wide")) and bool(row.get("wide")) and band:
            parts.append(blocks.paragraph(msg(language, "rank_band_note", band=msg(language, f"rank_band_{band}")),
                                          "note"))
        if not is_missing(rec["rank"]) and not lo <= int(rec["rank"]) <= hi:
            parts.append(blocks.paragraph(msg(language, "rank_outside_note"), "note"))
    return blocks.section("qualitative", msg(language, "qualitative_heading"), parts)


def grade_rules_text(results: Any, language: str = "zh") -> str:
    """The grade bands and the top-grade quota in words, from the results' grade rules
    (:meth:`evalkit.scoring.framework.GradeRules.describe`: the text of the object that
    grades)."""
    return grade_bands(results).describe(language)


def method_section(results: Any, unit: str, language: str = "zh") -> dict:
    """Appendix: framework version, grades and quota, missing-data and not-applicable rules,
    ranking and ties, and every indicator's points (for this unit), target and scoring rule,
    each rule's text written by the rule object that scores."""
    rec = unit_record(results, unit)
    meta = results.meta or {}
    intro = blocks.keyvalue([
        blocks.kv(msg(language, "framework"),
                  " ".join(x for x in (framework_name(results, language),
                                       str(meta.get("framework_version", ""))) if x)),
        blocks.kv(msg(language, "method_grades"), grade_rules_text(results, language)),
        blocks.kv(msg(language, "method_missing"), missing_policy_text(results, language)),
        blocks.kv(msg(language, "method_na"), msg(language, "method_na_text")),
        blocks.kv(msg(language, "method_rank"), msg(language, "method_rank_text_v2", decimals=score_decimals())),
    ])
    nodes = analysis.unit_nodes(results, unit)
    table = indicator_table(results, unit, language)
    leaves = analysis.unit_leaves(results, unit).set_index("code")
    rule_col = "rule" if language == "zh" else "rule_en"
    areas = nodes[nodes["level"].astype(int) == 1]
    cols = [blocks.column(msg(language, "col_indicator"), width=2.2),
            blocks.column(msg(language, "col_points"), "right", 0.6),
            blocks.column(msg(language, "col_target"), "right", 0.9),
            blocks.column(msg(language, "col_rule"), width=3.2)]
    rows = []
    for _, area in areas.iterrows():
        pts = msg(language, "not_applicable_text") if float(area["points"]) <= 0 else fmt_compact(area["points"])
        rows.append(blocks.row([msg(language, "method_area", name=_name(area, language), points=pts)], "group"))
        for r in table[table["area_code"] == str(area["code"])].itertuples(index=False):
            kind = label(language, "kind", r.kind) if r.kind else ""
            rule = leaves.loc[r.code].get(rule_col) if rule_col in leaves.columns else r.rule
            pts = msg(language, "not_applicable_text") if float(r.points) <= 0 else fmt_compact(r.points)
            rows.append(blocks.row([blocks.cell(r.name, sub=kind), pts,
                                    blocks.cell(r.target_text, style="muted"),
                                    blocks.cell(str(rule or "—"), style="small")]))
    group = label(language, "peer_group", rec["peer_group"])
    return blocks.section("method", msg(language, "method_heading"), [
        intro,
        blocks.paragraph(msg(language, "method_weights", group=group), "subhead"),
        blocks.table(cols, rows, style="compact"),
    ], break_before=True)


def _data_text(row: Any, column: str, language: str) -> str:
    """A data text in ``language``: the ``<column>_en`` cell in English when it is given,
    else the ``column`` cell (data with no English stay as written)."""
    if language != "zh":
        en = getattr(row, f"{column}_en", None)
        if not is_missing(en) and str(en).strip():
            return str(en)
    value = getattr(row, column, None)
    return "" if is_missing(value) else str(value)


def key_task_rule_text(results: Any, language: str = "zh") -> str:
    """The key-task rule in words, from the settings the results were scored with
    (``meta["parameters"]["key_tasks"]``, :func:`evalkit.indicators.key_tasks.rule_parameters`);
    "" when the results carry none."""
    rule = ((results.meta or {}).get("parameters") or {}).get("key_tasks")
    if not rule:
        return ""
    shares = msg(language, "list_sep").join(
        f"{label(language, 'kt_completion', level)} {fmt_compact(share)}"
        for level, share in rule["completion_shares"].items())
    return msg(language, "kt_note_rule", shares=shares, per_day=fmt_compact(rule["late_points_per_working_day"]),
               cap=fmt_compact(rule["late_points_cap_per_task"]))


def key_tasks_section(results: Any, unit: str, language: str = "zh") -> dict | None:
    """The unit's own key tasks (重点工作任务): every task with its category, points,
    acceptance criterion, due and completion dates, assessment (level, percentage done,
    assessing office) and task score, each followed by its milestones (planned and actual
    date, working days late); a lead sentence with the counts and the leaf's points, and the
    rule. A unit without tasks shows the key-task leaf as not applicable (不适用) with its
    reason; results without key tasks say so when the framework scores them, and give no
    section (None) when it does not."""
    title = msg(language, "kt_heading")
    tasks = _table_of(results, "key_tasks")
    leaves = analysis.unit_leaves(results, unit)
    leaf = leaves[leaves["indicator"].astype(str) == "key_task_score"] if "indicator" in leaves.columns \
        else leaves.iloc[0:0]
    node = leaf.iloc[0] if len(leaf) else None
    if tasks is None:
        if node is None:
            return None  # no key tasks in these results and no leaf scoring them: nothing to show
        return blocks.section("key_tasks", title, [blocks.notice(period_msg(results, language, "kt_none"))])
    mine = tasks[tasks["unit_id"].astype(str) == str(unit)]
    parts: list = []
    if mine.empty:
        if node is not None and str(node.get("status")) == "not_applicable":
            reason = node.get("na_reason_en") if language != "zh" and node.get("na_reason_en") else node.get("na_reason")
            parts.append(blocks.paragraph(msg(language, "kt_not_applicable", leaf=_name(node, language),
                                              na=msg(language, "not_applicable_text"),
                                              reason=str(reason or "—")), ""))
        else:
            parts.append(blocks.notice(period_msg(results, language, "kt_no_tasks")))
        return blocks.section("key_tasks", title, parts)
    stones = _table_of(results, "key_task_milestones")
    stones = stones[stones["unit_id"].astype(str) == str(unit)] if stones is not None else None
    levels = mine["completion"].astype(str)
    parts.append(blocks.paragraph(msg(
        language, "kt_lead", n=len(mine), points=fmt_compact(mine["points"].astype(float).sum()),
        completed=int((levels == "completed").sum()), basic=int((levels == "basically_completed").sum()),
        not_done=int((levels == "not_completed").sum()), late=int(mine["late_milestones"].sum()),
        days=int(mine["working_days_late"].sum())), ""))
    if node is not None and str(node.get("status")) == "data":
        parts.append(blocks.paragraph(msg(language, "kt_lead_score", score=fmt_fixed(node.get("raw_value"), 1),
                                          leaf=_name(node, language), leaf_score=fmt_score(node.get("score")),
                                          leaf_points=fmt_compact(node.get("points"))), ""))
    cols = [blocks.column(msg(language, "kt_col_task"), width=3.0),
            blocks.column(msg(language, "kt_col_planned"), "right", 0.9),
            blocks.column(msg(language, "kt_col_actual"), "right", 0.9),
            blocks.column(msg(language, "kt_col_late"), "right", 0.8),
            blocks.column(msg(language, "kt_col_assessment"), "left", 1.7)]
    rows = []
    for k, t in enumerate(mine.itertuples(index=False), start=1):
        level = str(t.completion)
        assessment = label(language, "kt_completion", level)
        if not is_missing(t.completion_pct):
            assessment += msg(language, "kt_pct", pct=fmt_compact(t.completion_pct))
        sub_key = "kt_assessed_sub_late" if float(t.late_deduction) > 0 else "kt_assessed_sub"
        sub = msg(language, sub_key, score=fmt_fixed(t.task_score, 1), deduction=fmt_compact(t.late_deduction),
                  by=_data_text(t, "assessed_by", language) or "—")
        style = "down" if level == "not_completed" else "strong"
        late = int(t.late_milestones)
        rows.append(blocks.row([
            blocks.cell(msg(language, "kt_task_title", k=k, title=_data_text(t, "title", language)), style="strong",
                        sub=msg(language, "kt_task_sub", category=label(language, "kt_category", t.category),
                                points=fmt_compact(t.points), acceptance=_data_text(t, "acceptance", language) or "—")),
            blocks.cell(str(t.due_date or "—")),
            blocks.cell(str(t.completed_date) if not is_missing(t.completed_date) else "—"),
            blocks.cell(str(int(t.working_days_late)), style="down" if late else "muted",
                        sub=msg(language, "kt_task_late_sub", late=late, total=int(t.milestones))),
            blocks.cell(assessment, style=style, sub=sub)], "lost" if level == "not_completed" else ""))
        if stones is None:
            continue
        for m in stones[stones["task_id"].astype(str) == str(t.task_id)].itertuples(index=False):
            days = int(m.working_days_late)
            rows.append(blocks.row([
                blocks.cell(msg(language, "kt_milestone", name=_data_text(m, "milestone", language))),
                blocks.cell(str(m.planned_date or "—"), style="muted"),
                blocks.cell(str(m.actual_date) if not is_missing(m.actual_date) else msg(language, "kt_not_reached"),
                            style="" if not is_missing(m.actual_date) else "muted"),
                blocks.cell(str(days) if days else "—", style="down" if days else "muted"),
                blocks.cell(label(language, "kt_state", m.state), style="down" if days else "muted")]))
    notes = [key_task_rule_text(results, language)]
    parts.append(blocks.table(cols, rows, notes=notes))
    return blocks.section("key_tasks", title, parts, break_before=True)


#: A builder of one section of the unit report: ``(results, unit, language, parameters,
#: charts) → block`` (or None: nothing to show); ``parameters`` are the report's own (shown
#: in the provenance) and ``charts=False`` leaves the charts out.
SectionBuilder = Callable[[Any, str, str, "Mapping[str, Any] | None", bool], "dict | None"]

#: The unit report's outline: its sections in order, as ``(id, builder)``. The one
#: definition the notebook (through :func:`unit_sections`) and every other caller use.
def _agreed_codes(results: Any, unit: str) -> set[str]:
    """The leaves ``unit`` was scored on against its agreed target (the results'
    ``agreed_targets`` table); empty when none."""
    table = _table_of(results, "agreed_targets")
    if table is None or table.empty:
        return set()
    return set(table.loc[table["unit_id"].astype(str) == str(unit), "code"].astype(str))


def targets_section(results: Any, unit: str, language: str = "zh") -> dict | None:
    """The unit's agreed targets (效能目标) of the year and whether each was met: framework
    target, agreed target, value, met, score / points (the results' ``agreed_targets``
    table, :func:`evalkit.targets.agreed.agreed_target_table`), with the file and its
    checksum; None when the unit has no agreed target."""
    table = _table_of(results, "agreed_targets")
    mine = None if table is None else table[table["unit_id"].astype(str) == str(unit)]
    if mine is None or mine.empty:
        return None
    source = (results.meta or {}).get("targets") or {}
    cols = [blocks.column(msg(language, "col_indicator"), width=2.4),
            blocks.column(msg(language, "targets_col_framework"), "right"),
            blocks.column(msg(language, "targets_col_agreed"), "right"),
            blocks.column(msg(language, "targets_col_value"), "right"),
            blocks.column(msg(language, "targets_col_met"), "center"),
            blocks.column(msg(language, "col_score_points"), "right")]
    rows = []
    for r in mine.itertuples(index=False):
        sign = "≥" if float(r.direction) > 0 else "≤"
        met = (msg(language, "targets_no_data") if is_missing(r.met)
               else msg(language, "targets_met" if bool(r.met) else "targets_not_met"))
        rows.append(blocks.row([
            _name(r._asdict(), language),
            blocks.cell(sign + format_value(r.framework_target, r.value_unit, language), style="muted"),
            blocks.cell(sign + format_value(r.agreed_target, r.value_unit, language), style="strong"),
            format_value(r.raw_value, r.value_unit, language, missing=msg(language, "targets_no_data")),
            blocks.cell(met, style="" if is_missing(r.met) else ("up" if bool(r.met) else "down")),
            f"{fmt_score(r.score, missing='—')} / {fmt_compact(r.points)}"]))
    n_met = int(mine["met"].fillna(False).astype(bool).sum())
    # the table right under the heading (kept whole; the PDF's heading sticks to it), the
    # summary after it: a heading is never left alone at the foot of a page
    return blocks.section("targets", msg(language, "targets_heading"), [
        blocks.table(cols, rows, style="compact", keep=True,
                     notes=[msg(language, "targets_note", file=source.get("file", "—"),
                                hash=short_hash(source.get("sha256")))]),
        blocks.paragraph(msg(language, "targets_lead", year=_year(results), n=len(mine), met=n_met))])


def quality_section(results: Any, unit: str, language: str = "zh") -> dict | None:
    """A short data-quality paragraph (数据质量): the unit's data-quality score against the
    district median and the checks its data failed (from the results' ``quality`` table,
    :func:`evalkit.results.compute.quality_table`); None when the results have none."""
    table = _table_of(results, "quality")
    if table is None or table.empty:
        return None
    rows = table[table["unit_id"].astype(str) == str(unit)]
    if rows.empty or pd.isna(rows.iloc[0]["score"]):
        return None
    r = rows.iloc[0]
    year = _year(results)
    median = table["score"].median()
    failed = int(r["failed"])
    if failed:
        text = period_msg(results, language, "unit_quality_text", year=year, score=fmt_fixed(r["score"], 1),
                          median=fmt_fixed(median, 1), failed=failed)
    else:
        text = period_msg(results, language, "unit_quality_none", year=year, score=fmt_fixed(r["score"], 1))
    out = [blocks.paragraph(text)]
    items = r["failed_checks_zh" if language == "zh" else "failed_checks_en"]
    if failed and isinstance(items, str) and items:
        out.append(blocks.paragraph(msg(language, "unit_quality_items",
                                        items=msg(language, "list_sep").join(items.split("\n")))))
    out.append(blocks.paragraph(msg(language, "unit_quality_note"), "note"))
    return blocks.section("quality", msg(language, "unit_quality_heading"), out)


def _signed_change(change: float, value_unit: Any, language: str) -> str:
    """A change with its sign: percentage points for a percentage, else the value's unit."""
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    unit = "" if is_missing(value_unit) else str(value_unit).strip()
    if unit in ("%", "％", "percent"):
        return msg(language, "rf_change_pp", sign=sign, value=fmt_fixed(abs(change), 1))
    return sign + format_value(abs(change), value_unit, language)


def rectification_section(results: Any, unit: str, language: str = "zh") -> dict | None:
    """Last year's rectification items of the unit (整改跟踪, issue 14): what the report
    asked for, what the unit did (action, status at the end of this year) and whether each
    indicator moved from its baseline — an observed change, not an effect shown to be caused
    (:func:`evalkit.rectification.effect.effect_check`). None when the results hold no items
    of the unit (the results' ``rectification_followup`` table)."""
    import datetime as _dt

    from evalkit.rectification.effect import EFFECT_TOLERANCE, effect_check, effect_counts
    from evalkit.rectification.status import STATUSES

    items = _table_of(results, "rectification_followup")
    if items is None or items.empty:
        return None
    mine = items[items["unit_id"].astype(str) == str(unit)]
    if mine.empty:
        return None
    year = _year(results)
    checked = effect_check(mine, results.nodes, as_of=_dt.date(year, 12, 31))
    sep = msg(language, "list_sep")
    statuses = checked["status"].value_counts()
    status_text = sep.join(msg(language, "rf_count", label=label(language, "rf_status", code), n=int(statuses[code]))
                           for code in STATUSES if code in statuses)
    parts = [blocks.paragraph(msg(language, "rf_lead", prev=year - 1, year=year, n=len(checked),
                                  statuses=status_text))]
    counts = effect_counts(checked)
    compared = sum(counts[e] for e in ("improved", "unchanged", "worse"))
    if compared:
        effects = sep.join(msg(language, "rf_count", label=label(language, "rf_effect", e), n=counts[e])
                           for e in ("improved", "unchanged", "worse") if counts[e])
        parts.append(blocks.paragraph(msg(language, "rf_effects", prev=year - 1, compared=compared, effects=effects)))
    else:
        parts.append(blocks.paragraph(msg(language, "rf_effects_none"), "muted"))
    cols = [blocks.column(msg(language, "rf_col_item"), width=2.0),
            blocks.column(msg(language, "rf_col_action"), width=2.0),
            blocks.column(msg(language, "rf_col_status"), "center"),
            blocks.column(msg(language, "rf_col_baseline", year=year - 1), "right"),
            blocks.column(msg(language, "rf_col_current", year=year), "right"),
            blocks.column(msg(language, "rf_col_change"), "right")]
    names = {str(r.code): _name(r._asdict(), language)
             for r in results.nodes[results.nodes["unit_id"].astype(str) == str(unit)].itertuples(index=False)}
    rows = []
    for r in checked.itertuples(index=False):
        if r.indicator is None:
            item = msg(language, "rf_decision_item")
        else:
            item = names.get(r.indicator) or (r.indicator_name if isinstance(r.indicator_name, str) else r.indicator)
        action = r.action if isinstance(r.action, str) and r.action.strip() else None
        effect = label(language, "rf_effect", r.effect)
        style = {"improved": "up", "worse": "down"}.get(r.effect, "muted")
        change = (blocks.cell(effect, style="muted") if is_missing(r.change) else
                  blocks.cell(_signed_change(r.change, r.value_unit, language), style=style, sub=effect))
        rows.append(blocks.row([
            item,
            blocks.cell(action, style="") if action else blocks.cell(msg(language, "rf_no_action"), style="muted"),
            label(language, "rf_status", r.status),
            format_value(r.baseline_value, r.value_unit, language, missing="—"),
            format_value(r.current_value, r.value_unit, language, missing="—"),
            change]))
    parts.append(blocks.table(cols, rows, style="compact",
                              notes=[msg(language, "rf_note", year=year, tolerance=fmt_fixed(EFFECT_TOLERANCE, 2))]))
    return blocks.section("rectification", msg(language, "rf_heading"), parts)


UNIT_SECTIONS: tuple[tuple[str, SectionBuilder], ...] = (
    ("document", lambda res, unit, lang, params, charts: unit_document(res, unit, lang)),
    ("summary", lambda res, unit, lang, params, charts: summary_section(res, unit, lang)),
    ("areas", lambda res, unit, lang, params, charts: areas_section(res, unit, lang, chart=charts)),
    ("trend", lambda res, unit, lang, params, charts: trend_section(res, unit, lang, chart=charts)),
    ("strengths", lambda res, unit, lang, params, charts: strengths_section(res, unit, lang)),
    ("rectification", lambda res, unit, lang, params, charts: rectification_section(res, unit, lang)),
    ("qualitative", lambda res, unit, lang, params, charts: qualitative_section(res, unit, lang)),
    ("targets", lambda res, unit, lang, params, charts: targets_section(res, unit, lang)),
    ("indicators", lambda res, unit, lang, params, charts: indicators_section(res, unit, lang)),
    ("key_tasks", lambda res, unit, lang, params, charts: key_tasks_section(res, unit, lang)),
    ("quality", lambda res, unit, lang, params, charts: quality_section(res, unit, lang)),
    ("method", lambda res, unit, lang, params, charts: method_section(res, unit, lang)),
    ("provenance", lambda res, unit, lang, params, charts: provenance_section(res, lang, params)),
)


def unit_sections(results: Any, unit: str, language: str = "zh",
                  parameters: Mapping[str, Any] | None = None, *, charts: bool = True) -> list[dict]:
    """Every block of the unit report in order (:data:`UNIT_SECTIONS`): what the notebook
    displays and the PDF is laid out from. A builder that returns None (nothing to show, e.g.
    no key tasks in the results) gives no block."""
    built = (build(results, unit, language, parameters, charts) for _, build in UNIT_SECTIONS)
    return [b for b in built if b is not None]


def report_html(results: Any, unit: str, language: str = "zh") -> str:
    """The whole unit report as one HTML string without charts (no kernel needed)."""
    return "".join(blocks.block_html(b) for b in unit_sections(results, unit, language, charts=False))
