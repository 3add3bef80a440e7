"""The thematic evaluation report (专项评价报告): one theme, every unit of it, one period.

Built from the results :func:`evalkit.results.themes.compute_theme` computed and
``evalkit run --theme NAME`` saved in ``OUT/<year>/themes/<name>/results/``, as the same
display blocks as the efficiency reports (:mod:`evalkit.report.blocks`): HTML and PDF, in
Chinese and English. Sections (:data:`THEME_SECTIONS`): the summary, the indicators with
the district's figures, the ranking of the units per peer group with each unit's position
against its group's median and its value on every indicator, the scoring method, and the
provenance annex.

Shares are shown with what they rest on (the number of records ``n``) and with no more
precision than that supports (:func:`share_text`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


from . import blocks
from .messages import label, msg
from ..results.analysis import is_missing
from .present import fmt_score, format_value, missing_policy_text, provenance_section

__all__ = ["THEME_SECTIONS", "share_text", "theme_sections"]

#: The sections of a thematic report, in order.
THEME_SECTIONS = ("summary", "indicators", "ranking", "method", "provenance")
#: Below this many records a unit's share is shown without decimals: one record moves it by
#: more than a whole percentage point.
FEW_RECORDS = 100


def share_text(value: Any, n: Any, value_unit: Any, language: str = "zh") -> str:
    """An indicator value as the report prints it: a share (``%``) resting on fewer than
    :data:`FEW_RECORDS` records without decimals (95%, not 95.2% for 20 of 21), else with
    one; other units as :func:`evalkit.report.present.format_value` prints them."""
    if is_missing(value):
        return "—"
    unit = "" if is_missing(value_unit) else str(value_unit)
    if unit == "%" and not is_missing(n) and float(n) < FEW_RECORDS:
        return f"{float(value):.0f}%"
    return format_value(value, value_unit, language)


def _name(row: Any, language: str) -> str:
    en = getattr(row, "name_en", "") if not isinstance(row, dict) else row.get("name_en", "")
    zh = getattr(row, "name_zh", "") if not isinstance(row, dict) else row.get("name_zh", "")
    return str(en) if language != "zh" and isinstance(en, str) and en else str(zh)


def _meets(value: float, target: Any, direction: Any) -> bool | None:
    if is_missing(value) or is_missing(target):
        return None
    return value >= float(target) if float(direction or 1) > 0 else value <= float(target)


def _n(n: Any) -> str:
    return "" if is_missing(n) or float(n) <= 0 else f"n = {int(n):,d}"


class _Theme:
    """The saved results of a theme with what the sections share."""

    def __init__(self, results, language: str):
        self.results = results
        self.language = language
        self.meta = results.meta
        self.units = results.units
        self.nodes = results.nodes
        self.indicators = results.table("indicators")
        self.theme_name = (self.meta.get("theme_name_en") if language != "zh" else None) or self.meta["theme_name_zh"]
        self.period = self.meta["period_name_zh" if language == "zh" else "period_name_en"]

    def m(self, key: str, **fields: Any) -> str:
        return msg(self.language, key, **fields)


def _document(t: _Theme) -> dict:
    title = t.m("t_title", period=t.period, theme=t.theme_name)
    groups = t.units["peer_group"].value_counts()
    parts = t.m("list_sep").join(t.m("t_group_n", group=label(t.language, "peer_group", g), n=int(n))
                                 for g, n in groups.items())
    cover = {"kicker": t.m("t_kicker"), "title": t.theme_name, "name": t.period,
             "lines": [[t.m("t_period"), t.period], [t.m("t_units"), f"{len(t.units)}（{parts}）" if t.language == "zh"
                                                     else f"{len(t.units)} ({parts})"],
                       [t.m("t_indicators"), str(len(t.indicators))]],
             "note": t.m("t_cover_note")}
    return blocks.document(kind="overview", title=title, subtitle=t.m("t_subtitle", n=len(t.units),
                                                                       k=len(t.indicators)),
                           lang=t.m("html_lang"), language=t.language, running_header=title,
                           footer=t.m("t_footer", period=t.period, theme=t.theme_name), cover=cover)


def _outside_note(t: _Theme) -> dict | None:
    outside = t.meta.get("units_not_applicable") or []
    if not outside:
        return None
    names = t.m("list_sep").join(f"{_name(u, t.language)}（{u['unit_id']}）" if t.language == "zh"
                                 else f"{_name(u, t.language)} ({u['unit_id']})" for u in outside)
    return blocks.notice(t.m("t_outside_note", units=names))


def summary_section(t: _Theme) -> dict:
    ind = t.indicators
    scored = t.units["score_100"].dropna()
    with_target = ind[ind["target"].notna() & ind["value"].notna()]
    met = sum(bool(_meets(r.value, r.target, r.direction)) for r in with_target.itertuples(index=False))
    cards = [blocks.card(t.m("t_card_units"), str(len(t.units))),
             blocks.card(t.m("t_card_median"), fmt_score(scored.median()) if len(scored) else "—",
                         t.m("t_card_range", low=fmt_score(scored.min()), high=fmt_score(scored.max()))
                         if len(scored) else ()),
             blocks.card(t.m("t_card_met"), f"{met} / {len(with_target)}", t.m("t_card_met_note"))]
    weakest = []
    for r in with_target.itertuples(index=False):
        if not _meets(r.value, r.target, r.direction):
            weakest.append(t.m("t_below_item", name=_name(r, t.language),
                               value=share_text(r.value, r.denominator, r.value_unit, t.language),
                               target=format_value(r.target, r.value_unit, t.language)))
    lead = t.m("t_lead", period=t.period, theme=t.theme_name, n=len(t.units), k=len(ind))
    parts: list = [blocks.paragraph(lead, "lead"), blocks.cards(cards), _outside_note(t)]
    if weakest:
        parts += [blocks.paragraph(t.m("t_below_heading"), "subhead"), blocks.bullets(weakest)]
    return blocks.section("summary", t.m("t_summary_heading"), parts)


def indicators_section(t: _Theme) -> dict:
    cols = [blocks.column(t.m("t_col_indicator"), width=2.4),
            blocks.column(t.m("t_col_district"), "right", 1.5),
            blocks.column(t.m("t_col_target"), "right", 0.7),
            blocks.column(t.m("t_col_met"), "right", 0.8),
            blocks.column(t.m("t_col_median"), "right", 0.8),
            blocks.column(t.m("t_col_range"), "left", 1.1),
            blocks.column(t.m("t_col_points"), "right", 0.7)]
    rows = []
    for r in t.indicators.itertuples(index=False):
        if is_missing(r.value):
            district = blocks.cell("—", sub=t.m("t_no_pooled"))
        else:
            meets = _meets(r.value, r.target, r.direction)
            district = blocks.cell(share_text(r.value, r.denominator, r.value_unit, t.language),
                                   style="strong" if meets is not False else "bad",
                                   sub=t.m("t_pooled_sub", n=f"{int(r.denominator):,d}",
                                           low=f"{r.ci_low:.1f}", high=f"{r.ci_high:.1f}"))
        met = "—" if is_missing(r.meeting_target) else f"{int(r.meeting_target)} / {int(r.units_with_data)}"
        rng = ("—" if is_missing(r.low) else
               f"{format_value(r.low, r.value_unit, t.language)} – {format_value(r.high, r.value_unit, t.language)}")
        rows.append(blocks.row([blocks.cell(_name(r, t.language), sub=r.code), district,
                                format_value(r.target, r.value_unit, t.language, missing="—"), met,
                                format_value(r.median, r.value_unit, t.language, missing="—"), rng,
                                fmt_score(r.points).rstrip("0").rstrip(".")]))
    notes = [t.m("t_indicators_note"), t.m("t_units_data_note")]
    return blocks.section("indicators", t.m("t_indicators_heading"),
                          [blocks.table(cols, rows, notes=notes, style="compact")])


def _value_cell(t: _Theme, node: Any) -> dict | str:
    if node is None or node.status == "not_applicable":
        return blocks.cell(t.m("not_applicable_text"), style="muted")
    if node.status != "data" or is_missing(node.raw_value):
        return blocks.cell("—", style="nodata", sub=t.m("t_filled") if node.status == "filled" else "")
    meets = _meets(node.raw_value, node.target, node.direction)
    return blocks.cell(share_text(node.raw_value, node.n, node.value_unit, t.language),
                       style="bad" if meets is False else "", sub=_n(node.n))


def short_names(names: list[str]) -> tuple[list[str], str]:
    """The names without the words they all begin with (a column header needs only what
    tells them apart), and those words: ``["12345热线按时办结率", "12345热线实际解决率"]`` →
    ``(["按时办结率", "实际解决率"], "12345热线")``. In English the shared part ends at a
    space. Names that share nothing (or a single name) come back unchanged with ``""``."""
    if len(names) < 2:
        return list(names), ""
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    if any(ord(c) < 128 for c in prefix[-1:]) and " " in prefix:
        prefix = prefix[:prefix.rindex(" ") + 1]   # whole words only
    elif prefix.isascii():
        prefix = ""
    if len(prefix.strip()) < 2 or any(not n[len(prefix):].strip() for n in names):
        return list(names), ""
    return [n[len(prefix):].strip() for n in names], prefix.strip()


def ranking_section(t: _Theme) -> dict:
    leaves = list(t.indicators["code"])
    names, common = short_names([_name(r, t.language) for r in t.indicators.itertuples(index=False)])
    short = dict(zip(leaves, names))
    by_unit = {(str(r.unit_id), str(r.code)): r for r in t.nodes.itertuples(index=False)}
    # the indicator columns share the width with the unit's name (as text columns do), so that
    # long indicator names wrap in their headers instead of squeezing the names
    width = max(0.7, min(1.0, 5.0 / max(1, len(leaves))))
    parts: list = []
    for group, members in t.units.groupby("peer_group", sort=False):
        cols = [blocks.column(t.m("t_col_rank"), "right", 0.6), blocks.column(t.m("t_col_unit"), width=2.0),
                blocks.column(t.m("t_col_score"), "right", 0.9), blocks.column(t.m("t_col_vs_median"), "right", 0.9)]
        cols += [blocks.column(short[c], "left", width) for c in leaves]
        rows = []
        for u in members.itertuples(index=False):
            rank = "—" if is_missing(u.rank) else str(int(u.rank))
            if u.provisional:
                rank += t.m("t_provisional_mark")
            vs = "—" if is_missing(u.vs_median) else f"{u.vs_median:+.{2}f}"
            cells = [rank, blocks.cell(_name(u, t.language), sub=str(u.unit_id)),
                     blocks.cell(fmt_score(u.score_100), style="strong"),
                     blocks.cell(vs, style="" if is_missing(u.vs_median) or abs(u.vs_median) < 0.005
                                 else ("up" if u.vs_median > 0 else "down"))]
            cells += [_value_cell(t, by_unit.get((str(u.unit_id), c))) for c in leaves]
            rows.append(blocks.row(cells))
        median = members["score_100"].median()
        heading = t.m("t_group_heading", group=label(t.language, "peer_group", group), n=len(members),
                      median=fmt_score(median))
        parts += [blocks.paragraph(heading, "subhead"), blocks.table(cols, rows, style="compact")]
    notes = [t.m("t_ranking_note"), t.m("t_value_note", few=FEW_RECORDS)]
    if common:
        notes.append(t.m("t_prefix_note", prefix=common))
    notes.append(t.m("t_missing_note", policy=missing_policy_text(t.results, t.language)))
    if t.units["provisional"].any():
        notes.append(t.m("t_provisional_note"))
    parts.append(blocks.bullets(notes))
    return blocks.section("ranking", t.m("t_ranking_heading"), parts, break_before=True)


def method_section(t: _Theme) -> dict:
    rule_col = "rule" if t.language == "zh" else "rule_en"
    first = t.nodes.drop_duplicates("code").set_index("code")
    items = []
    for r in t.indicators.itertuples(index=False):
        rule = str(first.loc[r.code, rule_col]) if r.code in first.index else ""
        items.append(t.m("t_rule_item", name=_name(r, t.language),
                         points=fmt_score(r.points).rstrip("0").rstrip("."), rule=rule))
    params = t.meta.get("parameters") or {}
    names = {r.code: _name(r, t.language) for r in t.indicators.itertuples(index=False)}
    own = [names.get(c, c) for c in params.get("indicators") or []]
    parts = [blocks.paragraph(t.m("t_method_intro")), blocks.bullets(items),
             blocks.paragraph(t.m("t_method_scale")),
             blocks.paragraph(t.m("t_method_own", codes=t.m("list_sep").join(own)) if own else t.m("t_method_none_own"),
                              "note")]
    return blocks.section("method", t.m("t_method_heading"), parts)


def theme_provenance(t: _Theme) -> dict:
    section = provenance_section(t.results, t.language)
    selected = t.meta.get("units_selected") or ["all"]
    rows = [blocks.kv(t.m("t_theme"), f"{t.meta['theme']} · {t.theme_name}"),
            blocks.kv(t.m("t_period"), f"{t.meta['period']} · {t.period}"),
            blocks.kv(t.m("t_units_selected"), t.m("t_all_units") if selected == ["all"]
                      else t.m("list_sep").join(map(str, selected)))]
    for b in section["blocks"]:
        if b.get("type") == "keyvalue":
            b["rows"] = rows + list(b["rows"])
            break
    return section


def theme_sections(results_dir: str | Path, language: str = "zh") -> list[dict]:
    """Every block of the thematic report from the results saved in ``results_dir``: the
    document, then the sections of :data:`THEME_SECTIONS`."""
    from ..results.store import load_results

    t = _Theme(load_results(results_dir), language)
    return [_document(t), summary_section(t), indicators_section(t), ranking_section(t), method_section(t),
            theme_provenance(t)]

