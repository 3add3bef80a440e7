"""The quarterly supervision report (效能督查通报): the district's quarter in figures, the
units commended and the units reported with the reason for each, then a page per unit.

Built from a :class:`evalkit.supervision.SupervisionBundle` — what ``evalkit supervise``
computed and saved in ``OUT/<period>/supervision/`` — as the display blocks of
:mod:`evalkit.report.blocks` (the same look in HTML and PDF, Chinese and English). Which
unit is commended or reported and why is decided in :mod:`evalkit.supervision`; this module
puts it into words. Units are named as in ``units.csv``, indicators as in the catalogue; no
code or identifier appears. Shares carry their ``n`` and no more precision than it supports
(:func:`evalkit.report.theme.share_text`); a value filled in by the missing-data policy is
never shown as performance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import blocks
from ..indicators import BY_CODE
from ..results.analysis import is_missing
from ..supervision import KEY_INDICATORS, SupervisionBundle, commended, reported
from .charts import control_chart
from .messages import label, msg
from .monitor import indicator_name, rule_name
from .present import dataset_digest, fmt_score, format_value, rank_text, short_hash
from .theme import FEW_RECORDS, share_text

__all__ = ["SUPERVISION_SECTIONS", "RESPONSE_WORKING_DAYS", "required_actions", "supervision_sections"]

#: The report's parts, in order (a unit page per unit follows ``reported``).
SUPERVISION_SECTIONS = ("header", "situation", "commended", "reported", "units", "method", "provenance")
#: Working days a unit has to report back on the required actions (整改要求).
RESPONSE_WORKING_DAYS = 15
#: Items listed by name on a unit page (the rest are counted).
TOP_ITEMS = 3
#: Warning charts drawn on a unit page (the rest are listed in words).
MAX_CHARTS = 2


def _lang_name(row: Any, language: str) -> str:
    en = row.get("name_en") if isinstance(row, dict) else getattr(row, "name_en", "")
    zh = row.get("name_zh") if isinstance(row, dict) else getattr(row, "name_zh", "")
    return str(en) if language != "zh" and isinstance(en, str) and en else str(zh)


def _join(items: list[str], language: str) -> str:
    return ("；" if language == "zh" else "; ").join(i for i in items if i)


class _View:
    """The bundle with the lookups the sections share."""

    def __init__(self, bundle: SupervisionBundle, language: str):
        self.b = bundle
        self.language = language
        self.meta = bundle.meta
        self.units = bundle.units.set_index(bundle.units["unit_id"].astype(str), drop=False)

    def m(self, key: str, **fields: Any) -> str:
        return msg(self.language, key, **fields)

    def name(self, unit: str) -> str:
        if unit not in self.units.index:
            return str(unit)
        return _lang_name(self.units.loc[unit].to_dict(), self.language)

    def period(self, which: str = "") -> str:
        key = {"": "period_name", "previous": "previous_name", "last_year": "last_year_name"}[which]
        return str(self.meta.get(f"{key}_{'zh' if self.language == 'zh' else 'en'}", ""))

    @property
    def office(self) -> str:
        return str(self.meta.get("office_zh" if self.language == "zh" else "office_en", ""))


# ----------------------------------------------------------------------------------------
# Numbers as text
# ----------------------------------------------------------------------------------------

def _n_text(n: Any, language: str) -> str:
    if is_missing(n) or float(n) <= 0:
        return ""
    return msg(language, "sv_n", n=f"{int(n):,d}")


def _value_with_n(value: Any, n: Any, code: str, language: str) -> str:
    unit = BY_CODE[code].unit
    if is_missing(value):
        return msg(language, "sv_no_value")
    if unit == "pp":  # a lag in percentage points: one decimal, the unit in words
        return msg(language, "sv_pp_value", value=f"{float(value):.1f}")
    text = share_text(value, n, unit, language) if unit == "%" else format_value(value, unit, language)
    n_text = _n_text(n, language) if unit == "%" else ""
    return f"{text}（{n_text}）" if n_text and language == "zh" else f"{text} ({n_text})" if n_text else text


def _change_text(now: Any, before: Any, n_now: Any, n_before: Any, code: str, language: str) -> str:
    """A change in percentage points (a share, or a lag in points): whole points when either
    share rests on fewer than :data:`FEW_RECORDS` records, else one decimal."""
    if is_missing(now) or is_missing(before):
        return "—"
    diff = float(now) - float(before)
    few = BY_CODE[code].unit == "%" and any(not is_missing(n) and float(n) < FEW_RECORDS for n in (n_now, n_before))
    digits = 0 if few else 1
    if round(diff, digits) == 0:
        return msg(language, "sv_change_same")
    sign = "+" if diff > 0 else "−"
    return msg(language, "sv_change_pp", sign=sign, value=f"{abs(diff):.{digits}f}")


def _change_cell(now: Any, before: Any, n_now: Any, n_before: Any, code: str, language: str) -> dict:
    """:func:`_change_text` as a cell: green when better, red when worse in the indicator's
    direction, plain when unchanged at the precision shown."""
    text = _change_text(now, before, n_now, n_before, code, language)
    if text in ("—", msg(language, "sv_change_same")):
        return blocks.cell(text, style="muted" if text == "—" else "")
    better = (float(now) - float(before)) * BY_CODE[code].direction > 0
    return blocks.cell(text, style="up" if better else "down")


# ----------------------------------------------------------------------------------------
# Sections
# ----------------------------------------------------------------------------------------

def _document(v: _View) -> dict:
    title = v.m("sv_title", period=v.period())
    n_units = len(v.b.units)
    cover = {"kicker": v.m("sv_kicker"), "title": v.m("sv_cover_title"), "name": v.period(),
             "lines": [[v.m("sv_number_label"), v.m("sv_number", year=int(str(v.meta["period"])[:4]),
                                                      number=v.meta.get("number", ""))],
                       [v.m("sv_office_label"), v.office],
                       [v.m("sv_cutoff_label"), v.meta.get("cutoff", "")],
                       [v.m("sv_units_label"), f"{n_units}"]],
             "note": v.m("sv_cover_note")}
    return blocks.document(kind="overview", title=title, subtitle=v.m("sv_subtitle", office=v.office, units=n_units),
                           lang=v.m("html_lang"), language=v.language, running_header=title,
                           footer=v.m("sv_footer", office=v.office, period=v.period()), cover=cover)


def header_section(v: _View) -> dict:
    """The 通报 title block: number, issuing office, period, cut-off."""
    year = int(str(v.meta["period"])[:4])
    rows = [blocks.kv(v.m("sv_number_label"), v.m("sv_number", year=year, number=v.meta.get("number", ""))),
            blocks.kv(v.m("sv_office_label"), v.office),
            blocks.kv(v.m("sv_period_label"), v.m("sv_period_value", period=v.period(),
                                                   start=v.meta.get("period_start", ""),
                                                   cutoff=v.meta.get("cutoff", ""))),
            blocks.kv(v.m("sv_framework_label"), f"{v.meta.get('framework_name_' + ('zh' if v.language == 'zh' else 'en'), '')}"
                                                 f" {v.meta.get('framework_version', '')}".strip())]
    return blocks.section("header", v.m("sv_header_heading"), [
        blocks.keyvalue(rows), blocks.paragraph(v.m("sv_header_note", cutoff=v.meta.get("cutoff", "")), "note")])


def _district_row(v: _View, code: str) -> dict | None:
    d = v.b.district
    d = d[d["indicator"] == code].set_index("which")
    if "current" not in d.index:
        return None
    cur = d.loc["current"]

    def val(which):
        if which not in d.index:
            return blocks.cell("—", style="muted")
        r = d.loc[which]
        return blocks.cell(share_text(r["value"], r["denominator"], "%", v.language),
                           sub=_n_text(r["denominator"], v.language))

    def change(which):
        if which not in d.index:
            return "—"
        r = d.loc[which]
        return _change_cell(cur["value"], r["value"], cur["denominator"], r["denominator"], code, v.language)

    return blocks.row([indicator_name(code, v.language), val("current"), val("previous"), change("previous"),
                       val("last_year"), change("last_year")])


def _rate_sentence(v: _View, code: str) -> str:
    d = v.b.district
    d = d[d["indicator"] == code].set_index("which")
    cur = d.loc["current"]
    parts = [v.m("sv_rate_now", indicator=indicator_name(code, v.language),
                 value=share_text(cur["value"], cur["denominator"], "%", v.language),
                 n=f"{int(cur['denominator']):,d}", units=int(cur["units"]))]
    for which, key in (("previous", "sv_rate_vs_previous"), ("last_year", "sv_rate_vs_last_year")):
        if which in d.index:
            r = d.loc[which]
            parts.append(v.m(key, change=_change_text(cur["value"], r["value"], cur["denominator"],
                                                      r["denominator"], code, v.language),
                             value=share_text(r["value"], r["denominator"], "%", v.language)))
    return v.m("sv_rate_sentence", parts=("，" if v.language == "zh" else ", ").join(parts))


def situation_section(v: _View) -> dict:
    """总体情况: the quarter's scores and the district's key rates against the previous quarter
    and the same quarter last year, and the counts of warnings and overdue items."""
    b = v.b
    scored = b.units[b.units["scored"]]
    w = b.warnings
    tasks, rect = b.tasks, b.rectifications
    lead = v.m("sv_lead", period=v.period(), units=len(b.units), scored=len(scored),
               warnings=len(w), warned=int(w["unit_id"].nunique()) if len(w) else 0,
               tasks=len(tasks), task_units=int(tasks["unit_id"].nunique()) if len(tasks) else 0,
               rect=len(rect), rect_units=int(rect["unit_id"].nunique()) if len(rect) else 0,
               cutoff=b.meta.get("cutoff", ""))
    codes = [c for c in KEY_INDICATORS if c in set(b.district["indicator"])]
    sentences = [_rate_sentence(v, c) for c in codes]
    cols = [blocks.column(v.m("sv_col_indicator"), width=2.2),
            blocks.column(v.period(), "right", 1.0),
            blocks.column(v.period("previous") or v.m("sv_previous"), "right", 1.0),
            blocks.column(v.m("sv_col_qoq"), "right", 0.8),
            blocks.column(v.period("last_year"), "right", 1.0),
            blocks.column(v.m("sv_col_yoy"), "right", 0.8)]
    rows = [r for r in (_district_row(v, c) for c in codes) if r is not None]
    out = [blocks.paragraph(lead, "lead")]
    if sentences:
        out.append(blocks.paragraph(_join(sentences, v.language) + ("。" if v.language == "zh" else ".")))
    out.append(blocks.table(cols, rows, notes=[v.m("sv_rates_note", few=FEW_RECORDS)], style="compact"))
    if b.meta.get("not_assessed_zh"):
        names = b.meta.get("not_assessed_zh" if v.language == "zh" else "not_assessed_en", [])
        out.append(blocks.paragraph(v.m("sv_not_assessed", names=("、" if v.language == "zh" else ", ").join(names)),
                                    "note"))
    return blocks.section("situation", v.m("sv_situation_heading"), out)


def _rank_cell(v: _View, r: Any) -> str:
    return rank_text(r["rank"], r["n_in_group"], r["peer_group"], v.language)


def commended_section(v: _View) -> dict:
    """表扬: the units commended, each with why."""
    good = commended(v.b.findings, v.b.units)
    heading = v.m("sv_commended_heading")
    if good.empty:
        return blocks.section("commended", heading, [blocks.notice(v.m("sv_commended_none"))])
    cols = [blocks.column(v.m("sv_col_unit"), width=2.0), blocks.column(v.m("sv_col_score"), "right", 0.8),
            blocks.column(v.m("sv_col_rank"), width=1.5), blocks.column(v.m("sv_col_why"), width=3.0)]
    rows = [blocks.row([v.name(str(r["unit_id"])), fmt_score(r["score_100"]), _rank_cell(v, r),
                        v.m("sv_commended_why", rank=int(r["rank"]), n=int(r["n_in_group"]))])
            for r in good.to_dict("records")]
    return blocks.section("commended", heading, [blocks.table(cols, rows, style="compact",
                                                              notes=[v.m("sv_commended_rule")])])


def finding_text(v: _View, f: dict) -> str:
    """Why a finding was made, in words."""
    kind = f["kind"]
    if kind == "warning":
        evidence = f["evidence_zh"] if v.language == "zh" else f["evidence"]
        return v.m("sv_why_warning", indicator=indicator_name(f["indicator"], v.language),
                   rule=rule_name(f["rule"], v.language), evidence=evidence)
    if kind in ("overdue_task", "overdue_rectification", "overdue_followup"):
        return v.m(f"sv_why_{kind}", count=int(f["count"]), days=int(f["days_overdue"]),
                   cutoff=v.meta.get("cutoff", ""))
    if kind == "low_score":
        r = v.units.loc[str(f["unit_id"])]
        return v.m("sv_why_low_score", score=fmt_score(r["score_100"]), rank=_rank_cell(v, r),
                   low=int(r["rank_low"]), high=int(r["rank_high"]))
    return kind


def reported_section(v: _View) -> dict:
    """通报: every unit with a finding, its problems and why."""
    heading = v.m("sv_reported_heading")
    order = reported(v.b.findings, v.b.units)
    if order.empty:
        return blocks.section("reported", heading, [blocks.notice(v.m("sv_reported_none"))])
    cols = [blocks.column(v.m("sv_col_unit"), width=1.8), blocks.column(v.m("sv_col_problem"), width=1.3),
            blocks.column(v.m("sv_col_why"), width=4.2)]
    rows = []
    findings = v.b.findings
    for unit in order["unit_id"]:
        mine = findings[findings["unit_id"].astype(str) == str(unit)].to_dict("records")
        for i, f in enumerate(mine):
            rows.append(blocks.row([blocks.cell(v.name(str(unit)) if i == 0 else "", style="strong" if i == 0 else ""),
                                    blocks.cell(v.m(f"sv_kind.{f['kind']}"), style="down"),
                                    finding_text(v, f)]))
    by_kind = findings.groupby("kind")["unit_id"].nunique().to_dict()
    counts = _join([v.m("sv_kind_count", kind=v.m(f"sv_kind.{k}"), n=int(by_kind[k]))
                    for k in ("warning", "overdue_task", "overdue_rectification", "overdue_followup", "low_score")
                    if k in by_kind], v.language)
    return blocks.section("reported", heading, [
        blocks.paragraph(v.m("sv_reported_lead", units=len(order), counts=counts)),
        blocks.table(cols, rows, style="compact", notes=[v.m("sv_reported_rules")])], break_before=True)


# ----------------------------------------------------------------------------------------
# A page per unit
# ----------------------------------------------------------------------------------------

def required_actions(v: _View, unit: str) -> list[str]:
    """整改要求: one action a finding (most serious first), then the deadline for reporting
    back; a unit without findings is told so."""
    findings = v.b.findings[v.b.findings["unit_id"].astype(str) == str(unit)].to_dict("records")
    actions = []
    for f in findings:
        kind = f["kind"]
        if kind == "warning":
            key = "sv_act_trajectory" if f.get("chart") == "trajectory" else "sv_act_warning"
            actions.append(v.m(key, indicator=indicator_name(f["indicator"], v.language),
                               rule=rule_name(f["rule"], v.language), since=f["since"]))
        elif kind == "low_score":
            weak = str(v.units.loc[str(unit)].get("weak_zh" if v.language == "zh" else "weak_en", "") or "")
            actions.append(v.m("sv_act_low_score_weak", weak=weak) if weak else v.m("sv_act_low_score"))
        else:
            actions.append(v.m(f"sv_act_{kind}", count=int(f["count"]), days=int(f["days_overdue"])))
    if not actions:
        return [v.m("sv_act_none")]
    return actions + [v.m("sv_act_report_back", days=RESPONSE_WORKING_DAYS, office=v.office)]


def _score_cards(v: _View, r: Any) -> list[dict]:
    if not r["scored"]:
        return [blocks.notice(v.m("sv_not_scored"))]
    notes_prev = (v.m("sv_card_prev", period=v.period("previous"), score=fmt_score(r["prev_q_score"]))
                  if not is_missing(r["prev_q_score"]) else "")
    notes_yoy = (v.m("sv_card_prev", period=v.period("last_year"), score=fmt_score(r["yoy_score"]))
                 if not is_missing(r["yoy_score"]) else "")
    score_note = v.m("sv_card_provisional", coverage=f"{100 * float(r['coverage']):.0f}") if r["provisional"] else ""
    cards = blocks.cards([
        blocks.card(v.m("sv_card_score"), fmt_score(r["score_100"]), [score_note], style="main"),
        blocks.card(v.m("sv_card_rank"), _rank_cell(v, r),
                    [v.m("sv_card_interval", low=int(r["rank_low"]), high=int(r["rank_high"]))]
                    if not is_missing(r["rank_low"]) else [], style="rank"),
        blocks.card(v.m("sv_card_vs"), _score_change(v, r["score_100"], r["prev_q_score"]), [notes_prev]),
        blocks.card(v.m("sv_card_vs_yoy"), _score_change(v, r["score_100"], r["yoy_score"]), [notes_yoy]),
    ])
    return [cards]


def _score_change(v: _View, now: Any, before: Any) -> str:
    if is_missing(now) or is_missing(before):
        return v.m("sv_no_value")
    d = float(now) - float(before)
    if abs(d) < 0.05:
        return v.m("sv_change_same")
    return v.m("sv_score_change", sign="+" if d > 0 else "−", value=f"{abs(d):.1f}")


def _indicator_table(v: _View, unit: str) -> dict:
    uv = v.b.unit_values
    uv = uv[uv["unit_id"].astype(str) == str(unit)]
    cols = [blocks.column(v.m("sv_col_indicator"), width=2.4), blocks.column(v.period(), "right", 1.2),
            blocks.column(v.period("previous") or v.m("sv_previous"), "right", 1.2),
            blocks.column(v.m("sv_col_qoq"), "right", 0.9)]
    rows = []
    for code in KEY_INDICATORS:
        cur = uv[(uv["indicator"] == code) & (uv["which"] == "current")]
        prev = uv[(uv["indicator"] == code) & (uv["which"] == "previous")]
        c = cur.iloc[0] if len(cur) else None
        p = prev.iloc[0] if len(prev) else None
        if (c is None or c["status"] != "ok") and (p is None or p["status"] != "ok"):
            continue  # no record in either quarter: nothing to show, the unit has no such work

        def cell(r):
            if r is None or r["status"] != "ok":
                return blocks.cell(v.m("sv_no_value"), style="nodata")
            return _value_with_n(r["value"], r["n"], code, v.language)

        ok_c = c is not None and c["status"] == "ok"
        ok_p = p is not None and p["status"] == "ok"
        change = _change_cell(c["value"], p["value"], c["n"], p["n"], code, v.language) if ok_c and ok_p else "—"
        rows.append(blocks.row([indicator_name(code, v.language), cell(c), cell(p), change]))
    if not rows:
        return blocks.notice(v.m("sv_no_indicators"))
    return blocks.table(cols, rows, style="compact", notes=[v.m("sv_unit_values_note", few=FEW_RECORDS)])


def _warning_chart(v: _View, unit: str, indicator: str) -> str:
    p = v.b.points
    p = p[(p["unit_id"].astype(str) == str(unit)) & (p["indicator"] == indicator)].sort_values("period")
    chart = str(p["chart"].iloc[0])
    trajectory = chart == "trajectory"
    flags = [c for c in p.columns if c.startswith("is_")]
    flagged = p[flags].any(axis=1).to_numpy() if flags else [False] * len(p)
    lower = p["centre"] - 0.10 if trajectory else p["lower"]
    upper = p["upper"] * float("nan") if trajectory else p["upper"]
    return control_chart(p["period"].tolist(), p["value"].tolist(), p["centre"].tolist(), lower.tolist(),
                         upper.tolist(), flagged, value_label=indicator_name(indicator, v.language),
                         centre_label=v.m("m_chart_schedule" if trajectory else "m_chart_centre"),
                         limits_label=v.m("m_chart_margin" if trajectory else "m_chart_limits"),
                         flagged_label=v.m("m_chart_flagged"), percent=chart != "xmr", steps=not trajectory)


def _warnings_blocks(v: _View, unit: str) -> list[dict]:
    w = v.b.warnings
    w = w[w["unit_id"].astype(str) == str(unit)]
    if w.empty:
        return [blocks.paragraph(v.m("sv_unit_no_warnings"), "muted")]
    evidence = "evidence_zh" if v.language == "zh" else "evidence"
    items = [v.m("sv_why_warning", indicator=indicator_name(r.indicator, v.language),
                 rule=rule_name(r.rule, v.language), evidence=getattr(r, evidence)) for r in w.itertuples(index=False)]
    out = [blocks.bullets(items)]
    for i, indicator in enumerate(dict.fromkeys(w["indicator"])):
        if i >= MAX_CHARTS:
            break
        name = indicator_name(indicator, v.language)
        out.append(blocks.figure(_warning_chart(v, unit, indicator), width=0.72,
                                 caption=v.m("sv_chart_caption", indicator=name), alt=name))
    return out


def _items_blocks(v: _View, unit: str) -> list[dict]:
    tasks = v.b.tasks[v.b.tasks["unit_id"].astype(str) == str(unit)]
    rect = v.b.rectifications[v.b.rectifications["unit_id"].astype(str) == str(unit)]
    if tasks.empty and rect.empty:
        return [blocks.paragraph(v.m("sv_unit_no_items", cutoff=v.meta.get("cutoff", "")), "muted")]
    lines = []
    if len(tasks):
        lines.append(v.m("sv_unit_tasks", n=len(tasks), days=int(tasks["days_overdue"].max())))
        for r in tasks.head(TOP_ITEMS).to_dict("records"):
            source = label(v.language, "sv_task_source", r["source"]) if r["source"] else v.m("sv_source_unknown")
            lines.append(v.m("sv_task_item", source=source,
                             assigned=r["assigned_date"], due=r["due_date"], days=int(r["days_overdue"])))
    ledger = rect[rect["kind"] == "ledger"]
    if len(ledger):
        lines.append(v.m("sv_unit_rect", n=len(ledger), days=int(ledger["days_overdue"].max())))
        for r in ledger.head(TOP_ITEMS).to_dict("records"):
            lines.append(v.m("sv_rect_item", source=label(v.language, "sv_rect_source", r["source"]),
                             due=r["due_date"], days=int(r["days_overdue"])))
    follow = rect[rect["kind"] == "followup"]
    if len(follow):
        lines.append(v.m("sv_unit_followup", n=len(follow), days=int(follow["days_overdue"].max())))
        for r in follow.head(TOP_ITEMS).to_dict("records"):
            lines.append(v.m("sv_followup_item", finding=r["finding"], due=r["due_date"], days=int(r["days_overdue"])))
    more = max(len(tasks) - TOP_ITEMS, 0) + max(len(ledger) - TOP_ITEMS, 0) + max(len(follow) - TOP_ITEMS, 0)
    out = [blocks.bullets(lines)]
    if more:
        out.append(blocks.paragraph(v.m("sv_more_items", n=more), "note"))
    return out


def unit_section(v: _View, unit: str) -> dict:
    """One unit's page: score and rank, key indicators against last quarter, warnings with
    their charts, overdue items, required actions."""
    r = v.units.loc[str(unit)]
    group = label(v.language, "peer_group", r["peer_group"])
    parts: list[dict | None] = [blocks.paragraph(v.m("sv_unit_kicker", group=group, period=v.period()), "muted")]
    parts += _score_cards(v, r)
    if r["scored"]:
        parts.append(blocks.paragraph(v.m("sv_unit_score_note"), "note"))
    parts.append(blocks.paragraph(v.m("sv_unit_indicators"), "subhead"))
    parts.append(_indicator_table(v, unit))
    parts.append(blocks.paragraph(v.m("sv_unit_warnings"), "subhead"))
    parts += _warnings_blocks(v, unit)
    parts.append(blocks.paragraph(v.m("sv_unit_items"), "subhead"))
    parts += _items_blocks(v, unit)
    parts.append(blocks.paragraph(v.m("sv_unit_actions"), "subhead"))
    parts.append(blocks.bullets(required_actions(v, unit), ordered=True))
    page = blocks.section(f"unit-{_safe_id(unit)}", v.name(str(unit)), parts, break_before=True)
    page["new_page"] = True  # a page per unit: always a new page in the PDF (report.typ)
    return page


def _safe_id(unit: str) -> str:
    import hashlib

    return hashlib.sha256(str(unit).encode("utf-8")).hexdigest()[:10]


def method_section(v: _View) -> dict:
    b = v.b
    items = [v.m("sv_method_cutoff", cutoff=b.meta.get("cutoff", "")),
             v.m("sv_method_scores"),
             v.m("sv_method_rates", few=FEW_RECORDS),
             v.m("sv_method_warnings", baseline=b.meta.get("baseline_until", "")),
             v.m("sv_method_overdue"),
             v.m("sv_method_commend"), v.m("sv_method_low"),
             v.m("sv_method_actions", days=RESPONSE_WORKING_DAYS)]
    return blocks.section("method", v.m("sv_method_heading"), [blocks.bullets(items)], break_before=True)


def provenance_section(v: _View) -> dict:
    hashes = v.meta.get("data_hashes") or {}
    rows = [blocks.kv(msg(v.language, "q_source"), str(v.meta.get("source", "—")))]
    if v.meta.get("store"):
        store = v.meta["store"]
        rows.append(blocks.kv(msg(v.language, "q_store"), f"{store.get('url', '')} · snapshot {store.get('snapshot')}",
                              mono=True))
    if hashes:
        rows.append(blocks.kv(msg(v.language, "dataset_hash"),
                              f"{short_hash(dataset_digest(hashes))} " + msg(v.language, "dataset_hash_files",
                                                                              n=len(hashes)), mono=True))
    rows.append(blocks.kv(msg(v.language, "evalkit_version"), str(v.meta.get("evalkit_version", "—"))))
    return blocks.section("provenance", msg(v.language, "provenance_heading"), [blocks.keyvalue(rows)])


def supervision_sections(folder: str | Path, language: str = "zh", units: str | list[str] = "") -> list[dict]:
    """Every block of the supervision report from the bundle saved in ``folder``; ``units``
    (a list, or ids separated by commas; default: the bundle's ``unit_pages``, else every
    unit) restricts the unit pages (the district parts always cover every unit)."""
    bundle = SupervisionBundle.load(folder)
    v = _View(bundle, language)
    chosen = [u.strip() for u in units.split(",")] if isinstance(units, str) else [str(u) for u in units]
    chosen = [u for u in chosen if u] or [str(u) for u in bundle.meta.get("unit_pages") or []]
    order = bundle.units.sort_values(["peer_group", "rank", "unit_id"], kind="stable")["unit_id"].astype(str)
    pages = [u for u in order if not chosen or u in chosen]
    return [_document(v), header_section(v), situation_section(v), commended_section(v), reported_section(v),
            *(unit_section(v, u) for u in pages), method_section(v), provenance_section(v)]
