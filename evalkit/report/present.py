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
from evalkit.results import analysis
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
    return f"{text} {unit}" if unit else text


def short_hash(digest: Any, digits: int = HASH_DIGITS) -> str:
    """The first ``digits`` characters of a hex digest (``sha256:`` prefixes dropped)."""
    if is_missing(digest) or not str(digest):
        return "—"
    text = str(digest)
    if ":" in text:
        text = text.split(":", 1)[1]
    return text[:digits]


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
                              [f"{k} = {_param_text(v)}" for k, v in
                               sorted(params.items(), key=lambda kv: str(kv[0]))]))
    else:
        rows.append(blocks.kv(msg(language, "parameters"), none))
    return blocks.section("provenance", msg(language, "provenance_heading"), [
        blocks.keyvalue(rows),
        blocks.paragraph(msg(language, "checksum_note"), "note"),
    ])


# ----------------------------------------------------------------------------------------
# Unit report: sections
# ----------------------------------------------------------------------------------------

def unit_document(results: Any, unit: str, language: str = "zh") -> dict:
    """Title, subtitle, running header/footer and the PDF cover of a unit report."""
    rec = unit_record(results, unit)
    year = _year(results)
    name = _name(rec, language)
    unit_class = "" if is_missing(rec.get("unit_class")) else str(rec.get("unit_class"))
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
    return blocks.document(
        kind="unit", title=report_title(results, unit, language), subtitle=subtitle,
        lang=msg(language, "html_lang"), language=language,
        running_header=msg(language, "running_header", name=name, year=year),
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
        key = "lead_score_up" if delta > 0.05 else "lead_score_down" if delta < -0.05 else "lead_score_same"
        change_phrase += msg(language, key, delta=fmt_fixed(abs(delta), 1))
    rank = ("—" if is_missing(rec["rank"]) else int(rec["rank"]))
    return msg(language, "lead", year=_year(results), name=_name(rec, language),
               score=fmt_fixed(rec["total_score"], 1), max_score=fmt_compact(rec["max_score"]),
               grade=grade_text(rec.get("grade"), grade_bands(results), language), rank=rank,
               n="?" if is_missing(rec["n_in_group"]) else int(rec["n_in_group"]),
               group=label(language, "peer_group_count", rec["peer_group"]),
               change=change_phrase)


def summary_section(results: Any, unit: str, language: str = "zh") -> dict:
    """Score, grade, rank, change on last year and the rank interval, with a lead sentence."""
    catalogue(language)
    rec = unit_record(results, unit)
    total_note = [msg(language, "total_score_note", max_score=fmt_compact(rec["max_score"]))]
    if float(rec["max_score"]) != 100.0 and not is_missing(rec.get("score_100")):
        total_note.append(msg(language, "score_100_note", score=fmt_fixed(rec["score_100"], 1)))
    coverage = _coverage(rec)
    if coverage < 0.9995:
        total_note.append(msg(language, "coverage_total", coverage=_fmt_share(coverage)))
    grade = rec.get("grade")
    bands = grade_bands(results)
    change = rec.get("rank_change")
    prev_note = []
    if not is_missing(rec.get("prev_score")):
        prev_note.append(msg(language, "prev_score_note", score=fmt_fixed(rec["prev_score"], 1)))
    if not is_missing(rec.get("prev_rank")):
        prev_note.append(msg(language, "prev_rank_note", rank=int(rec["prev_rank"])))
    interval = _rank_interval(results, unit)
    if interval is None:
        interval_card = blocks.card(msg(language, "rank_interval"), msg(language, "not_computed"),
                                    msg(language, "rank_interval_missing_note"), "muted")
    else:
        lo, hi, n = interval
        interval_card = blocks.card(
            msg(language, "rank_interval"), msg(language, "rank_interval_value", low=lo, high=hi),
            msg(language, "rank_interval_note", n=n) if n else "", "rank")
    items = [
        blocks.card(msg(language, "total_score"),
                    msg(language, "total_score_value", score=fmt_fixed(rec["total_score"], 1)),
                    total_note, "main"),
        blocks.card(msg(language, "grade"), grade_text(grade, bands, language), (),
                    f"grade-{grade_style(grade, bands)}"),
        blocks.card(msg(language, "rank"),
                    rank_text(rec["rank"], rec["n_in_group"], rec["peer_group"], language), (), "rank"),
        blocks.card(msg(language, "change"), change_text(change, language), prev_note,
                    f"change-{change_class(change)}"),
        interval_card,
    ]
    return blocks.section("summary", msg(language, "summary_heading"), [
        blocks.paragraph(summary_lead(results, unit, language), "lead"),
        *[blocks.notice(text, "warning") for text in adjustment_notes(results, unit, language)],
        blocks.cards(items),
    ])


def adjustment_notes(results: Any, unit: str, language: str = "zh") -> list[str]:
    """Plain sentences for the unit's veto, bar-on-top, bonus and deduction decisions."""
    table = _table_of(results, "adjustments")
    if table is None or table.empty:
        return []
    rows = table[table["unit_id"].astype(str) == str(unit)]
    order = {"veto": 0, "bar_top": 1, "bonus": 2, "deduction": 3}
    bands = grade_bands(results)
    grades = {"top": grade_text(bands.top, bands, language), "fail": grade_text(bands.fail, bands, language)}
    notes = []
    for _, r in sorted(rows.iterrows(), key=lambda kv: order.get(str(kv[1]["kind"]), 9)):
        kind = str(r["kind"])
        if kind not in order:
            continue
        reason = str(r["reason"]).rstrip("。.")
        for prefix in ("一票否决", "一票否优", "加分", "扣分"):  # the label is printed already
            if reason.startswith(prefix) and reason[len(prefix):len(prefix) + 1] in ("：", ":"):
                reason = reason[len(prefix) + 1:].strip()
        notes.append(msg(language, f"adjust_{kind}", reason=reason,
                         points=fmt_compact(r.get("points")), **grades))
    for kind in ("bonus", "deduction"):
        part = rows[rows["kind"] == kind]
        if part.empty or is_missing(part["cap"].iloc[0]):
            continue
        total = float(part["points"].astype("float64").sum())
        if total > float(part["cap"].iloc[0]) + 1e-9:
            notes.append(msg(language, "adjust_capped", kind=msg(language, f"adjust_kind_{kind}"),
                             total=fmt_compact(total), cap=fmt_compact(part["cap"].iloc[0])))
    return notes


def areas_section(results: Any, unit: str, language: str = "zh", *, chart: bool = True) -> dict:
    """Level-1 areas: a chart of the score rates against the peer-group median, and the
    table of points, scores, points lost and peer medians."""
    from evalkit.report import charts

    rec = unit_record(results, unit)
    table = area_table(results, unit, language)
    no_data = msg(language, "no_data")
    na = msg(language, "not_applicable")
    units = results.units
    peer_totals = pd.to_numeric(
        units.loc[units["peer_group"].astype(str) == str(rec["peer_group"]), "total_score"],
        errors="coerce")
    cols = [blocks.column(msg(language, "col_area")),
            blocks.column(msg(language, "col_points"), "right"),
            blocks.column(msg(language, "col_score"), "right"),
            blocks.column(msg(language, "col_score_rate"), "right", 1.6),
            blocks.column(msg(language, "col_points_lost"), "right"),
            blocks.column(msg(language, "col_peer_median"), "right")]
    mark = msg(language, "coverage_mark")
    rows = []
    for r in table.itertuples(index=False):
        score = no_data if math.isnan(r.score) else fmt_fixed(r.score, 1)
        if r.coverage < 0.9995 and not math.isnan(r.score):
            score = f"{mark}{score}"
        rate = "" if math.isnan(r.score_rate) else f"{100 * r.score_rate:.1f}%"
        rows.append(blocks.row([
            r.name, fmt_compact(r.points), blocks.cell(score, style="strong"),
            blocks.cell(rate, bar=None if math.isnan(r.score_rate) else r.score_rate),
            fmt_fixed(r.points_lost, 1, missing=na),
            blocks.cell(fmt_fixed(r.peer_median, 1, missing=na), style="muted")]))
    max_score = float(rec["max_score"])
    total_rate = float(rec["total_score"]) / max_score if max_score else float("nan")
    footer = [blocks.row([
        msg(language, "total_row"), fmt_compact(rec["max_score"]),
        blocks.cell(fmt_fixed(rec["total_score"], 1), style="strong"),
        blocks.cell("" if math.isnan(total_rate) else f"{100 * total_rate:.1f}%",
                    bar=None if math.isnan(total_rate) else total_rate),
        fmt_fixed(max_score - float(rec["total_score"]), 1),
        blocks.cell(fmt_fixed(peer_totals.median(), 1, missing=na), style="muted")])]
    group = label(language, "peer_group", rec["peer_group"])
    notes = [msg(language, "peer_median_note", group=group, n=int(peer_totals.notna().sum()))]
    sep = msg(language, "list_sep")
    partial = table[(table["coverage"] < 0.9995) & table["score"].notna()]
    if not partial.empty:
        items = sep.join(msg(language, "coverage_item", area=r.name, coverage=_fmt_share(r.coverage))
                         for r in partial.itertuples(index=False))
        notes.append(msg(language, "coverage_note", policy=missing_policy_text(results, language),
                         areas=items))
    unscored = table[table["score"].isna()]
    if not unscored.empty:
        notes.append(msg(language, "area_no_data_note", areas=sep.join(unscored["name"])))
    figure = None
    if chart and not table.empty:
        peer_rates = (table["peer_median"] / table["points"]).where(table["points"] > 0)
        svg = charts.area_chart(list(table["name"]), list(table["score_rate"]), list(peer_rates),
                                unit_label=msg(language, "chart_unit_rate"),
                                median_label=msg(language, "chart_peer_median_rate", group=group),
                                no_data_label=no_data)
        figure = blocks.figure(svg, msg(language, "chart_areas_caption"), 0.92,
                               alt=msg(language, "areas_heading"))
    return blocks.section("areas", msg(language, "areas_heading"), [
        figure, blocks.table(cols, rows, footer=footer, notes=notes)])


def trend_section(results: Any, unit: str, language: str = "zh", *, chart: bool = True) -> dict:
    """Score and rank over the years the data cover (:func:`evalkit.results.analysis.unit_history`)."""
    from evalkit.report import charts

    hist = analysis.unit_history(results, unit)
    title = msg(language, "trend_heading")
    if hist.empty:
        return blocks.section("trend", title, [blocks.notice(msg(language, "trend_not_computed"))])
    rec = unit_record(results, unit)
    bands = grade_bands(results)
    rows = []
    prev = None
    for r in hist.itertuples(index=False):
        delta = "—" if prev is None or is_missing(prev) else f"{float(r.score_100) - float(prev):+.1f}"
        rows.append(blocks.row([
            msg(language, "year_text", year=int(r.year)),
            blocks.cell(fmt_fixed(r.score_100, 1), style="strong"), delta,
            rank_text(r.rank, r.n_in_group, rec["peer_group"], language),
            grade_text(r.grade, bands, language)]))
        prev = r.score_100
    cols = [blocks.column(msg(language, "col_year")),
            blocks.column(msg(language, "col_score_100"), "right"),
            blocks.column(msg(language, "col_score_delta"), "right"),
            blocks.column(msg(language, "rank"), "right"),
            blocks.column(msg(language, "grade"), "center")]
    out: list = []
    if len(hist) >= 2:
        if chart:
            svg = charts.trend_chart(list(hist["year"]), list(hist["score_100"]), list(hist["rank"]),
                                     list(hist["n_in_group"]),
                                     score_label=msg(language, "chart_trend_score"),
                                     rank_label=msg(language, "chart_trend_rank"))
            out.append(blocks.figure(svg, msg(language, "chart_trend_caption"), 0.92, alt=title))
    else:
        out.append(blocks.paragraph(msg(language, "trend_one_year"), "note"))
    out.append(blocks.table(cols, rows, style="compact"))
    return blocks.section("trend", title, out)


def indicators_section(results: Any, unit: str, language: str = "zh") -> dict:
    """Leaf indicators grouped by area: raw value, target, score / points, points lost."""
    table = indicator_table(results, unit, language)
    cols = [blocks.column(msg(language, "col_indicator"), width=3.2),
            blocks.column(msg(language, "col_raw_value"), "right"),
            blocks.column(msg(language, "col_target"), "right"),
            blocks.column(msg(language, "col_score_points"), "right"),
            blocks.column(msg(language, "col_points_lost"), "right")]
    rows = []
    current = None
    for r in table.itertuples(index=False):
        if r.area_code != current:
            current = r.area_code
            rows.append(blocks.row([r.area], "group"))
        style = []
        if r.no_data:
            style.append("nodata")
        lost, points = r.points_lost, r.points
        if (not is_missing(lost) and points and float(lost) > 0
                and float(lost) / float(points) >= HIGHLIGHT_LOSS_SHARE):
            style.append("lost")
        rows.append(blocks.row([
            r.name, blocks.cell(r.raw_text, style="nodata" if r.no_data else ""),
            blocks.cell(r.target_text, style="muted"), blocks.cell(r.score_text, style="strong"),
            r.lost_text], " ".join(style)))
    return blocks.section("indicators", msg(language, "indicators_heading"), [
        blocks.table(cols, rows, notes=[msg(language, "no_data_note") + " "
                                        + msg(language, "lost_points_note")]),
    ])


def _with_names(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``frame`` (with ``name_zh``, ``name_en``) plus ``name``: the name in ``language``."""
    return frame.assign(name=[_name(r, language) for _, r in frame.iterrows()] if len(frame) else [])


def _rate_text(rate: Any) -> str:
    return "—" if is_missing(rate) else f"{100 * float(rate):.0f}%"


def improvement_suggestions(results: Any, unit: str, language: str = "zh",
                            n: int = analysis.TOP_SUGGESTIONS) -> list[str]:
    """The suggestions of :func:`evalkit.results.analysis.suggestions` in plain words, largest
    point loss first: what the value was, what the target is, and what closing the gap is
    worth."""
    table = indicator_table(results, unit, language).set_index("code")
    out = []
    for r in _with_names(analysis.suggestions(results, unit, n), language).itertuples(index=False):
        t = table.loc[r.code]
        fields = dict(name=r.name, raw=t["raw_text"], target=t["target_text"],
                      lost=fmt_fixed(r.points_lost, 1), peer=_rate_text(r.peer_rate),
                      rate=_rate_text(r.rate))
        key = {"no_data": "suggest_no_data", "raise": "suggest_raise",
               "lower": "suggest_lower"}.get(r.action, "suggest_peer")
        out.append(msg(language, key, **fields))
    return out


def strengths_section(results: Any, unit: str, language: str = "zh") -> dict:
    """Strengths, weaknesses and the improvement suggestions derived from the largest
    point losses (:func:`evalkit.results.analysis.strengths`, ``weaknesses``,
    ``suggestions``)."""
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
    w_rows = [blocks.row([r.name, blocks.cell(fmt_fixed(r.points_lost, 1), style="strong down"),
                          blocks.cell(_rate_text(r.peer_rate), style="muted")])
              for r in weaknesses.itertuples(index=False)]
    left = [blocks.paragraph(msg(language, "strengths_heading"), "subhead"),
            blocks.table(cols_s, s_rows, style="compact") if s_rows
            else blocks.paragraph(msg(language, "strengths_none"), "muted")]
    right = [blocks.paragraph(msg(language, "weaknesses_heading"), "subhead"),
             blocks.table(cols_w, w_rows, style="compact") if w_rows
             else blocks.paragraph(msg(language, "weaknesses_none"), "muted")]
    suggestions = improvement_suggestions(results, unit, language)
    rec = unit_record(results, unit)
    total_lost = float(rec["max_score"]) - float(rec["total_score"])
    top_lost = analysis.suggestions(results, unit)["points_lost"].sum()
    parts = [blocks.columns(left, right),
             blocks.paragraph(msg(language, "suggestions_heading"), "subhead")]
    if suggestions:
        share = top_lost / total_lost if total_lost > 0.005 else float("nan")
        parts.append(blocks.paragraph(msg(language, "suggestions_lead", n=len(suggestions),
                                          lost=fmt_fixed(top_lost, 1),
                                          share=_rate_text(share)), ""))
        parts.append(blocks.bullets(suggestions, ordered=True))
    else:
        parts.append(blocks.paragraph(msg(language, "suggestions_none"), "muted"))
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
        key = "rank_interval_text_same" if lo == hi else "rank_interval_text"
        parts.append(blocks.paragraph(msg(language, key, low=lo, high=hi,
                                          rank="—" if is_missing(rec["rank"]) else int(rec["rank"]),
                                          n=n or "—"), ""))
    return blocks.section("qualitative", msg(language, "qualitative_heading"), parts)


def grade_rules_text(results: Any, language: str = "zh") -> str:
    """The grade bands and the top-grade quota in words (``<band> ≥<lower> 分``, joined, then
    the quota of the top band), with the results' own band names."""
    bands = grade_bands(results)
    parts = [msg(language, "grade_band", grade=grade_text(g, bands, language), low=fmt_compact(lo))
             for g, lo in bands.bands]
    text = msg(language, "list_sep").join(parts)
    quota = bands.top_quota
    if not is_missing(quota):
        text += msg(language, "grade_quota", share=f"{100 * float(quota):.0f}%",
                    top=grade_text(bands.top, bands, language))
    return text


def method_section(results: Any, unit: str, language: str = "zh") -> dict:
    """Appendix: framework version, grades and quota, missing-data rule, and every
    indicator's points (for this unit's peer group), target and scoring rule."""
    rec = unit_record(results, unit)
    meta = results.meta or {}
    intro = blocks.keyvalue([
        blocks.kv(msg(language, "framework"),
                  " ".join(x for x in (framework_name(results, language),
                                       str(meta.get("framework_version", ""))) if x)),
        blocks.kv(msg(language, "method_grades"), grade_rules_text(results, language)),
        blocks.kv(msg(language, "method_missing"), missing_policy_text(results, language)),
        blocks.kv(msg(language, "method_rank"), msg(language, "method_rank_text")),
    ])
    nodes = analysis.unit_nodes(results, unit)
    table = indicator_table(results, unit, language)
    areas = nodes[nodes["level"].astype(int) == 1]
    cols = [blocks.column(msg(language, "col_indicator"), width=2.2),
            blocks.column(msg(language, "col_points"), "right", 0.6),
            blocks.column(msg(language, "col_target"), "right", 0.9),
            blocks.column(msg(language, "col_rule"), width=3.2)]
    rows = []
    for _, area in areas.iterrows():
        rows.append(blocks.row([f"{_name(area, language)}（{fmt_compact(area['points'])}）"
                                if language == "zh" else
                                f"{_name(area, language)} ({fmt_compact(area['points'])})"], "group"))
        for r in table[table["area_code"] == str(area["code"])].itertuples(index=False):
            kind = label(language, "kind", r.kind) if r.kind else ""
            rows.append(blocks.row([blocks.cell(r.name, sub=kind), fmt_compact(r.points),
                                    blocks.cell(r.target_text, style="muted"),
                                    blocks.cell(r.rule or "—", style="small")]))
    group = label(language, "peer_group", rec["peer_group"])
    return blocks.section("method", msg(language, "method_heading"), [
        intro,
        blocks.paragraph(msg(language, "method_weights", group=group), "subhead"),
        blocks.table(cols, rows, style="compact"),
    ], break_before=True)


#: A builder of one section of the unit report: ``(results, unit, language, parameters,
#: charts) → block``; ``parameters`` are the report's own (shown in the provenance) and
#: ``charts=False`` leaves the charts out.
SectionBuilder = Callable[[Any, str, str, "Mapping[str, Any] | None", bool], dict]

#: The unit report's outline: its sections in order, as ``(id, builder)``. The one
#: definition the notebook (through :func:`unit_sections`) and every other caller use.
UNIT_SECTIONS: tuple[tuple[str, SectionBuilder], ...] = (
    ("document", lambda res, unit, lang, params, charts: unit_document(res, unit, lang)),
    ("summary", lambda res, unit, lang, params, charts: summary_section(res, unit, lang)),
    ("areas", lambda res, unit, lang, params, charts: areas_section(res, unit, lang, chart=charts)),
    ("trend", lambda res, unit, lang, params, charts: trend_section(res, unit, lang, chart=charts)),
    ("strengths", lambda res, unit, lang, params, charts: strengths_section(res, unit, lang)),
    ("qualitative", lambda res, unit, lang, params, charts: qualitative_section(res, unit, lang)),
    ("indicators", lambda res, unit, lang, params, charts: indicators_section(res, unit, lang)),
    ("method", lambda res, unit, lang, params, charts: method_section(res, unit, lang)),
    ("provenance", lambda res, unit, lang, params, charts: provenance_section(res, lang, params)),
)


def unit_sections(results: Any, unit: str, language: str = "zh",
                  parameters: Mapping[str, Any] | None = None, *, charts: bool = True) -> list[dict]:
    """Every block of the unit report in order (:data:`UNIT_SECTIONS`): what the notebook
    displays and the PDF is laid out from."""
    return [build(results, unit, language, parameters, charts) for _, build in UNIT_SECTIONS]


def report_html(results: Any, unit: str, language: str = "zh") -> str:
    """The whole unit report as one HTML string without charts (no kernel needed)."""
    return "".join(blocks.block_html(b) for b in unit_sections(results, unit, language, charts=False))
