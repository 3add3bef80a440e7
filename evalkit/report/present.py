"""Presentation of one unit's results: pure functions returning DataFrames or HTML strings.

The unit report notebook only calls these functions and displays what they return, so
everything shown to a reader is built (and tested) here. Rules kept throughout:

* every text that comes from data is escaped with :func:`html.escape`;
* every label comes from the message catalogue :mod:`evalkit.report.messages`;
* the output depends only on the inputs (no clock, no paths of the machine), so the same
  results always give byte-identical HTML;
* nothing about individual raters is ever shown (the results hold none).

``results`` is an :class:`evalkit.results.Results` (or anything with the same ``units``,
``nodes`` and ``meta`` attributes).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from evalkit.errors import ReportError
from evalkit.report.messages import catalogue, label, msg

#: CSS class of each grade (colour of the grade badge).
GRADE_CLASS = {"优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail"}

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


def is_missing(value: Any) -> bool:
    """True for ``None``, ``NaN``, ``pd.NA`` and ``NaT``."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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


def grade_text(grade: Any, language: str = "zh") -> str:
    if is_missing(grade):
        return "—"
    return label(language, "grade", grade)


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


def unit_nodes(results: Any, unit: str) -> pd.DataFrame:
    """The unit's framework nodes, in framework order."""
    nodes = results.nodes
    return nodes[nodes["unit_id"].astype(str) == str(unit)].reset_index(drop=True)


def _is_leaf(nodes: pd.DataFrame) -> pd.Series:
    parents = {str(p) for p in nodes["parent"] if not is_missing(p)}
    return ~nodes["code"].astype(str).isin(parents)


def _area_of(nodes: pd.DataFrame) -> dict[str, str]:
    """Map each node code to the code of its level-1 ancestor (itself for level 1)."""
    parent = {str(c): (None if is_missing(p) else str(p))
              for c, p in zip(nodes["code"], nodes["parent"])}
    level = {str(c): int(lv) for c, lv in zip(nodes["code"], nodes["level"])}
    out: dict[str, str] = {}
    for code in parent:
        cur, seen = code, set()
        while level.get(cur, 1) > 1 and parent.get(cur) is not None and cur not in seen:
            seen.add(cur)
            cur = parent[cur]
        out[code] = cur
    return out


def area_table(results: Any, unit: str, language: str = "zh") -> pd.DataFrame:
    """Level-1 areas of ``unit``: points, score, points lost and the peer-group median score.

    Columns: ``code, name, points, score, points_lost, score_rate, peer_median, no_data``.
    The peer median is the median score of the area over every unit of the same peer group
    that has a score for it.
    """
    rec = unit_record(results, unit)
    nodes = unit_nodes(results, unit)
    areas = nodes[nodes["level"].astype(int) == 1]

    units = results.units
    peers = units.loc[units["peer_group"].astype(str) == str(rec["peer_group"]), "unit_id"]
    all_nodes = results.nodes
    peer_level1 = all_nodes[all_nodes["unit_id"].isin(peers)
                            & (all_nodes["level"].astype(int) == 1)]
    medians = (peer_level1.assign(score=pd.to_numeric(peer_level1["score"], errors="coerce"))
               .groupby("code")["score"].median())

    rows = []
    for _, node in areas.iterrows():
        points = float(node["points"])
        score = node["score"]
        score = float("nan") if is_missing(score) else float(score)
        lost = node["points_lost"]
        if is_missing(lost) and not math.isnan(score):
            lost = points - score
        rows.append({
            "code": str(node["code"]),
            "name": _name(node, language),
            "points": points,
            "score": score,
            "points_lost": float("nan") if is_missing(lost) else float(lost),
            "score_rate": score / points if points and not math.isnan(score) else float("nan"),
            "peer_median": float(medians.get(str(node["code"]), float("nan"))),
            "no_data": bool(node["no_data"]) if not is_missing(node["no_data"]) else False,
            "coverage": _coverage(node),
        })
    return pd.DataFrame(rows, columns=["code", "name", "points", "score", "points_lost",
                                       "score_rate", "peer_median", "no_data", "coverage"])


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
    """Leaf indicators of ``unit`` with their display texts.

    Columns: ``code, area_code, area, name, kind, rule, raw_value, target, value_unit,
    score, points, points_lost, no_data`` and the formatted ``raw_text, target_text,
    score_text, lost_text``. A leaf without data shows "无数据" as its value (never 0).
    """
    nodes = unit_nodes(results, unit)
    area_of = _area_of(nodes)
    names = {str(c): _name(r, language) for c, (_, r) in zip(nodes["code"], nodes.iterrows())}
    leaves = nodes[_is_leaf(nodes)]
    # keep framework order, but group each area's leaves together
    level1 = nodes.loc[nodes["level"].astype(int) == 1, "code"].astype(str)
    area_rank = {c: i for i, c in enumerate(level1)}
    order = leaves["code"].astype(str).map(
        lambda c: area_rank.get(area_of.get(c, c), len(area_rank)))
    leaves = leaves.assign(_order=order.to_numpy()).sort_values("_order", kind="stable")
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
            "area_code": area_of.get(code, code),
            "area": names.get(area_of.get(code, code), ""),
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


def page_info(results: Any, unit: str, language: str = "zh") -> dict[str, str]:
    """Page title and HTML language code; the notebook attaches them to its first output
    (``metadata={"evalkit": page_info(...)}``) and the HTML template uses them."""
    return {"title": report_title(results, unit, language), "lang": msg(language, "html_lang")}


def _card(label_text: str, value_html: str, note: str | list[str] = "", cls: str = "") -> str:
    notes = [note] if isinstance(note, str) else note
    note_html = "".join(f'<div class="ek-card-note">{esc(n)}</div>' for n in notes if n)
    cls_attr = f"ek-card {cls}".strip()
    return (f'<div class="{cls_attr}"><div class="ek-card-label">{esc(label_text)}</div>'
            f'<div class="ek-card-value">{value_html}</div>{note_html}</div>')


def header_html(results: Any, unit: str, language: str = "zh") -> str:
    """Title, subtitle and the summary cards (score, grade, rank, change)."""
    catalogue(language)
    rec = unit_record(results, unit)
    title = report_title(results, unit, language)
    unit_class = "" if is_missing(rec.get("unit_class")) else str(rec.get("unit_class"))
    subtitle = msg(language, "subtitle",
                   peer_group=label(language, "peer_group", rec["peer_group"]),
                   unit_class=unit_class, unit_id=rec["unit_id"])

    total_note = [msg(language, "total_score_note", max_score=fmt_compact(rec["max_score"]))]
    coverage = _coverage(rec)
    if coverage < 0.9995:
        total_note.append(msg(language, "coverage_total", coverage=_fmt_share(coverage)))
    total = _card(msg(language, "total_score"),
                  esc(msg(language, "total_score_value", score=fmt_fixed(rec["total_score"], 1))),
                  total_note, "ek-card-main")
    score100 = _card(msg(language, "score_100"), esc(fmt_fixed(rec["score_100"], 1)))
    grade = rec.get("grade")
    grade_cls = GRADE_CLASS.get("" if is_missing(grade) else str(grade), "other")
    grade_card = _card(msg(language, "grade"),
                       f'<span class="ek-grade ek-grade-{grade_cls}">'
                       f"{esc(grade_text(grade, language))}</span>")
    rank_card = _card(msg(language, "rank"),
                      esc(rank_text(rec["rank"], rec["n_in_group"], rec["peer_group"], language)),
                      cls="ek-card-rank")
    change = rec.get("rank_change")
    prev_score, prev_rank = rec.get("prev_score"), rec.get("prev_rank")
    prev_note = []
    if not is_missing(prev_score):
        prev_note.append(msg(language, "prev_score_note", score=fmt_fixed(prev_score, 1)))
    if not is_missing(prev_rank):
        prev_note.append(msg(language, "prev_rank_note", rank=int(prev_rank)))
    change_card = _card(msg(language, "change"),
                        f'<span class="ek-change ek-change-{change_class(change)}">'
                        f"{esc(change_text(change, language))}</span>", prev_note)
    return (
        '<header class="ek-header">'
        f'<h1 class="ek-title">{esc(title)}</h1>'
        f'<p class="ek-subtitle">{esc(subtitle)}</p>'
        "</header>"
        f'<section class="ek-summary"><h2>{esc(msg(language, "summary_heading"))}</h2>'
        f'<div class="ek-cards">{total}{score100}{grade_card}{rank_card}{change_card}</div>'
        "</section>"
    )


def _bar(rate: float) -> str:
    if is_missing(rate):
        return ""
    pct = max(0.0, min(100.0, 100.0 * float(rate)))
    return (f'<span class="ek-bar"><span class="ek-bar-fill" style="width:{pct:.1f}%"></span>'
            "</span>")


def areas_html(results: Any, unit: str, language: str = "zh") -> str:
    """The table of level-1 areas with the peer-group median of each area."""
    rec = unit_record(results, unit)
    table = area_table(results, unit, language)
    no_data = msg(language, "no_data")
    na = msg(language, "not_applicable")

    units = results.units
    peer_totals = pd.to_numeric(
        units.loc[units["peer_group"].astype(str) == str(rec["peer_group"]), "total_score"],
        errors="coerce")
    head = "".join(
        f'<th class="{cls}">{esc(msg(language, key))}</th>'
        for key, cls in (("col_area", "ek-text"), ("col_points", "ek-num"),
                         ("col_score", "ek-num"), ("col_score_rate", "ek-rate"),
                         ("col_points_lost", "ek-num"), ("col_peer_median", "ek-num")))
    body = []
    mark = msg(language, "coverage_mark")
    partial = table[table["coverage"] < 0.9995]
    for row in table.itertuples(index=False):
        score = no_data if math.isnan(row.score) else fmt_fixed(row.score, 1)
        if row.coverage < 0.9995 and not math.isnan(row.score):
            score = f"{mark}{score}"
        rate = "" if math.isnan(row.score_rate) else f"{100 * row.score_rate:.1f}%"
        body.append(
            "<tr>"
            f'<td class="ek-text">{esc(row.name)}</td>'
            f'<td class="ek-num">{esc(fmt_compact(row.points))}</td>'
            f'<td class="ek-num ek-strong">{esc(score)}</td>'
            f'<td class="ek-rate">{_bar(row.score_rate)}<span class="ek-rate-text">{esc(rate)}'
            "</span></td>"
            f'<td class="ek-num">{esc(fmt_fixed(row.points_lost, 1, missing=na))}</td>'
            f'<td class="ek-num ek-muted">{esc(fmt_fixed(row.peer_median, 1, missing=na))}</td>'
            "</tr>")
    total_lost = float(rec["max_score"]) - float(rec["total_score"])
    max_score = float(rec["max_score"])
    total_rate = float(rec["total_score"]) / max_score if max_score else float("nan")
    foot = (
        '<tr class="ek-total">'
        f'<td class="ek-text">{esc(msg(language, "total_row"))}</td>'
        f'<td class="ek-num">{esc(fmt_compact(rec["max_score"]))}</td>'
        f'<td class="ek-num ek-strong">{esc(fmt_fixed(rec["total_score"], 1))}</td>'
        f'<td class="ek-rate">{_bar(total_rate)}<span class="ek-rate-text">'
        f'{esc("" if math.isnan(total_rate) else f"{100 * total_rate:.1f}%")}</span></td>'
        f'<td class="ek-num">{esc(fmt_fixed(total_lost, 1))}</td>'
        f'<td class="ek-num ek-muted">{esc(fmt_fixed(peer_totals.median(), 1, missing=na))}</td>'
        "</tr>")
    note = msg(language, "peer_median_note", group=label(language, "peer_group", rec["peer_group"]),
               n=int(peer_totals.notna().sum()))
    notes = [note]
    sep = msg(language, "list_sep")
    scored_partial = partial[partial["score"].notna()]
    if not scored_partial.empty:
        items = sep.join(msg(language, "coverage_item", area=row.name,
                             coverage=_fmt_share(row.coverage))
                         for row in scored_partial.itertuples(index=False))
        notes.append(msg(language, "coverage_note", policy=missing_policy_text(results, language),
                         areas=items))
    unscored = table[table["score"].isna()]
    if not unscored.empty:
        notes.append(msg(language, "area_no_data_note", areas=sep.join(unscored["name"])))
    notes_html = "".join(f'<p class="ek-note">{esc(n)}</p>' for n in notes)
    return (
        f'<section class="ek-areas"><h2>{esc(msg(language, "areas_heading"))}</h2>'
        f'<table class="ek-table"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody><tfoot>{foot}</tfoot></table>'
        f'{notes_html}</section>'
    )


def indicators_html(results: Any, unit: str, language: str = "zh") -> str:
    """The table of leaf indicators, grouped under their level-1 area."""
    table = indicator_table(results, unit, language)
    head = "".join(
        f'<th class="{cls}">{esc(msg(language, key))}</th>'
        for key, cls in (("col_indicator", "ek-text"), ("col_raw_value", "ek-num"),
                         ("col_target", "ek-num"), ("col_score_points", "ek-num"),
                         ("col_points_lost", "ek-num")))
    body = []
    current_area = None
    for row in table.itertuples(index=False):
        if row.area_code != current_area:
            current_area = row.area_code
            body.append(f'<tr class="ek-group"><th colspan="5" class="ek-text">{esc(row.area)}'
                        "</th></tr>")
        classes = []
        if row.no_data:
            classes.append("ek-nodata")
        lost, points = row.points_lost, row.points
        if (not is_missing(lost) and points and float(lost) > 0
                and float(lost) / float(points) >= HIGHLIGHT_LOSS_SHARE):
            classes.append("ek-lost")
        cls_attr = f' class="{" ".join(classes)}"' if classes else ""
        rule = f'<div class="ek-rule">{esc(row.rule)}</div>' if row.rule else ""
        body.append(
            f"<tr{cls_attr}>"
            f'<td class="ek-text"><div class="ek-ind-name">{esc(row.name)}</div>{rule}</td>'
            f'<td class="ek-num">{esc(row.raw_text)}</td>'
            f'<td class="ek-num ek-muted">{esc(row.target_text)}</td>'
            f'<td class="ek-num ek-strong">{esc(row.score_text)}</td>'
            f'<td class="ek-num">{esc(row.lost_text)}</td>'
            "</tr>")
    notes = f'{esc(msg(language, "no_data_note"))} {esc(msg(language, "lost_points_note"))}'
    return (
        f'<section class="ek-indicators"><h2>{esc(msg(language, "indicators_heading"))}</h2>'
        f'<table class="ek-table"><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table>'
        f'<p class="ek-note">{notes}</p></section>'
    )


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


def provenance_html(results: Any, language: str = "zh") -> str:
    """Framework version and checksum, data file checksums, tool and package versions and
    the computation parameters."""
    meta = results.meta or {}
    none = msg(language, "none")
    rows = []

    def row(key: str, value_html: str) -> None:
        rows.append(f'<tr><th class="ek-text">{esc(msg(language, key))}</th>'
                    f'<td class="ek-text">{value_html}</td></tr>')

    row("framework", esc(meta.get("framework_version", "—")))
    row("framework_hash", f'<code>{esc(short_hash(meta.get("framework_hash")))}</code>')
    data_hashes = meta.get("data_hashes") or {}
    if data_hashes:
        row("dataset_hash", f"<code>{esc(short_hash(dataset_digest(data_hashes)))}</code> "
                            + esc(msg(language, "dataset_hash_files", n=len(data_hashes))))
        items = "".join(
            f'<li><span class="ek-file">{esc(path)}</span> '
            f"<code>{esc(short_hash(digest))}</code></li>"
            for path, digest in sorted(data_hashes.items(), key=lambda kv: str(kv[0])))
        cls = "ek-list ek-list-files" if len(data_hashes) > 6 else "ek-list"
        row("data_files", f'<ul class="{cls}">{items}</ul>')
    else:
        row("data_files", esc(none))
    row("evalkit_version", esc(meta.get("evalkit_version", "—")))
    packages = meta.get("package_versions") or meta.get("packages") or {}
    if packages:
        row("package_versions", esc(", ".join(f"{k} {v}" for k, v in sorted(packages.items()))))
    params = {k: v for k, v in (meta.get("parameters") or {}).items()
              if not _is_private_key(str(k))}
    if params:
        items = "".join(f'<li><span class="ek-key">{esc(k)}</span> = {esc(_param_text(v))}</li>'
                        for k, v in sorted(params.items(), key=lambda kv: str(kv[0])))
        row("parameters", f'<ul class="ek-list">{items}</ul>')
    else:
        row("parameters", esc(none))
    return (
        f'<section class="ek-provenance"><h2>{esc(msg(language, "provenance_heading"))}</h2>'
        f'<table class="ek-meta">{"".join(rows)}</table>'
        f'<p class="ek-note">{esc(msg(language, "checksum_note"))}</p></section>'
    )


def report_html(results: Any, unit: str, language: str = "zh") -> str:
    """All blocks of the report in order (what the notebook displays, in one string)."""
    return "".join((header_html(results, unit, language), areas_html(results, unit, language),
                    indicators_html(results, unit, language), provenance_html(results, language)))
