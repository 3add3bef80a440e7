"""The district overview: every unit of one year on a few pages.

The outline (:data:`OVERVIEW_SECTIONS`) is what a leader reads first:

1. headline figures and their trend — units evaluated, mean and median score per peer group
   this year and last year (the ``history`` table: last year scored with this year's
   framework, one basis), units per grade, 一票否决, 一票否优, provisional grades;
2. decisions — each 一票否决 and 一票否优 with its reason, and the bonus and deduction points
   (capped ones with the points asked and the cap);
3. the short attention list, ranked by the stated rules
   (:data:`evalkit.results.analysis.ATTENTION_RULES`), each unit with its reason;
4. the grade distribution, the biggest movers on last year (same basis);
5. one league table per peer group — published rank (并列 for equal published scores),
   score at the published precision, grade (暂定 marked), rank interval with what was
   varied and its band, change — with each decision and provisional grade named;
6. one unit × area heat map per peer group, not-applicable areas and areas resting mostly
   on filled-in values never shown as data;
7. key-task completion across units (:func:`key_tasks_section`: per peer group, and the units
   with a task not completed);
8. the technical annex (:func:`evalkit.report.present.provenance_section`).

Pure functions from :class:`evalkit.results.store.Results` to report blocks
(:mod:`evalkit.report.blocks`); the numbers come from :mod:`evalkit.results.analysis`, every
label from :mod:`evalkit.report.messages`, scores and ranks are printed with the unit
report's helpers (:func:`~evalkit.report.present.fmt_score`,
:func:`~evalkit.report.present.tie_count`, :func:`~evalkit.report.present.grade_phrase` …) so
both reports read alike. The notebook ``notebooks/district_overview.ipynb`` displays
:func:`overview_sections` in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from evalkit.report import blocks
from evalkit.report.messages import catalogue, label, msg
from evalkit.report.present import period_name
from evalkit.report.present import (_fmt_share, _name, _table_of, _year, change_class, change_text,
                                    comparable_notes, fmt_compact, fmt_fixed, fmt_score, framework_name, grade_bands, grade_phrase,
                                    grade_style, grade_text, is_missing, is_provisional,
                                    provenance_section, rank_phrase, score_decimals, tie_count)
from evalkit.results import analysis
from evalkit.results.analysis import ATTENTION_RANK_DROP, ATTENTION_RULES

#: An area is shown as resting on filled-in values (not as data) in the heat map when less
#: than this share of its points rests on data.
HEATMAP_FILLED_COVERAGE = 0.5


def _groups(results: Any) -> list[str]:
    order = {"department": 0, "subdistrict": 1}
    groups = results.units["peer_group"].astype(str).unique().tolist()
    return sorted(groups, key=lambda g: (order.get(g, 9), g))


def _group_frame(results: Any, group: str) -> pd.DataFrame:
    """The units of ``group``, best published rank first (ties: unit id)."""
    units = results.units
    frame = units[units["peer_group"].astype(str) == group]
    return frame.sort_values(["rank", "unit_id"], kind="stable", na_position="last")


def _flag(value: Any) -> bool:
    return not is_missing(value) and bool(value)


def _parameters(results: Any) -> Mapping[str, Any]:
    return (results.meta or {}).get("parameters") or {}


def _unit_class(row: Mapping[str, Any] | pd.Series, language: str) -> str:
    """The unit's class in ``language`` (``unit_class.<class>`` of the catalogue); a class
    without a translation is left out of a non-Chinese report rather than shown in Chinese."""
    value = row.get("unit_class")
    if is_missing(value) or not str(value).strip():
        return ""
    key = f"unit_class.{value}"
    texts = catalogue(language)
    if key in texts:
        return texts[key]
    return str(value) if language == "zh" else ""


def _reason(row: Any, language: str) -> str:
    """An adjustment's or decision's reason in ``language`` (English when it has one)."""
    zh = "" if is_missing(getattr(row, "reason", None)) else str(row.reason)
    en = "" if is_missing(getattr(row, "reason_en", None)) else str(row.reason_en)
    text = en if language != "zh" and en else zh
    return text.rstrip("。.；; ")


def _rank_cell_text(results: Any, r: Mapping[str, Any] | pd.Series, language: str) -> str:
    """The published rank in a table cell: ``13``, ``13（并列）`` when other units of the
    group share it, with the (short) provisional mark when the unit's rank is provisional."""
    if is_missing(r.get("rank")):
        return "—"
    text = str(int(r["rank"]))
    if tie_count(results, str(r["unit_id"])) > 1:
        text += msg(language, "rank_tied")
    if is_provisional(r):
        text += msg(language, "ov_provisional_rank")
    return text


def _decision_kinds(results: Any) -> dict[str, list[str]]:
    """unit id → its decisions (``veto``, ``bar_top``) in :func:`analysis.decisions` order."""
    out: dict[str, list[str]] = {}
    for r in analysis.decisions(results).itertuples(index=False):
        if r.kind in ("veto", "bar_top"):
            out.setdefault(str(r.unit_id), []).append(str(r.kind))
    return out


# ----------------------------------------------------------------------------------------
# Document
# ----------------------------------------------------------------------------------------

def _groups_text(results: Any, language: str) -> str:
    units = results.units
    return msg(language, "list_sep").join(
        msg(language, "ov_group_count", group=label(language, "peer_group_count", g),
            n=int((units["peer_group"].astype(str) == g).sum())) for g in _groups(results))


def overview_document(results: Any, language: str = "zh") -> dict:
    year = _year(results)
    units = results.units
    fw = framework_name(results, language)
    groups = _groups_text(results, language)
    cover = {
        "kicker": fw,
        "title": msg(language, "cover_title", year=year),
        "name": msg(language, "ov_cover_name"),
        "lines": [[msg(language, "ov_units"), msg(language, "ov_units_value", n=len(units))],
                  [msg(language, "cover_group"), groups],
                  [msg(language, "cover_year"), msg(language, "year_text", year=year)],
                  [msg(language, "framework"),
                   " ".join(x for x in (fw, str((results.meta or {}).get("framework_version", ""))) if x)]],
        "note": msg(language, "cover_note"),
    }
    period = period_name(results, language)
    if period is not None:  # an in-year period: named wherever the year would be
        cover["title"] = msg(language, "p_cover_title", period=period)
        cover["lines"][2] = [msg(language, "p_cover_period"), period]
    named = {"year": year} if period is None else {"period": period}
    prefix = "" if period is None else "p_"
    return blocks.document(kind="overview", title=msg(language, prefix + "ov_title", **named),
                           subtitle=msg(language, "ov_subtitle", n=len(units), groups=groups),
                           lang=msg(language, "html_lang"), language=language,
                           running_header=msg(language, prefix + "ov_running_header", **named),
                           footer=msg(language, prefix + "ov_footer", **named), cover=cover)


# ----------------------------------------------------------------------------------------
# Headline figures
# ----------------------------------------------------------------------------------------

def headline_figures(results: Any) -> dict[str, Any]:
    """The district's headline numbers, from the ``units`` table (this year) and the
    ``history`` table (last year, scored with this year's framework).

    Returns
    -------
    dict
        ``units`` (int), ``grades`` (band → count, best first), ``veto``, ``bar_top``,
        ``provisional`` (lists of unit ids in ``results.units`` order), ``flagged`` (unit ids
        of the attention list) and ``trend``: a DataFrame with one row per peer group and a
        last row ``all`` — ``group, n, mean, median, prev_n, prev_mean, prev_median`` (0–100
        scores; ``prev_*`` NaN without last year's history).
    """
    units = results.units
    bands = grade_bands(results)
    grade = units["grade"].astype(str)
    year = _year(results)
    hist = _table_of(results, "history")
    prev = pd.DataFrame(columns=["unit_id", "score_100"])
    if hist is not None and not hist.empty and {"year", "score_100"} <= set(hist.columns):
        prev = hist[pd.to_numeric(hist["year"], errors="coerce") == year - 1]
    group_of = dict(zip(units["unit_id"].astype(str), units["peer_group"].astype(str)))
    prev = prev.assign(peer_group=prev["unit_id"].astype(str).map(group_of))
    prev = prev[prev["peer_group"].notna()]
    rows = []
    for g in [*_groups(results), "all"]:
        now = units if g == "all" else units[units["peer_group"].astype(str) == g]
        before = prev if g == "all" else prev[prev["peer_group"] == g]
        s = pd.to_numeric(now["score_100"], errors="coerce").dropna()
        p = pd.to_numeric(before["score_100"], errors="coerce").dropna()
        rows.append({"group": g, "n": len(now),
                     "mean": float(s.mean()) if len(s) else math.nan,
                     "median": float(s.median()) if len(s) else math.nan,
                     "prev_n": len(p),
                     "prev_mean": float(p.mean()) if len(p) else math.nan,
                     "prev_median": float(p.median()) if len(p) else math.nan})
    ids = units["unit_id"].astype(str)
    return {
        "units": len(units),
        "grades": {b: int((grade == b).sum()) for b in bands.names},
        "veto": ids[units["veto"].map(_flag)].tolist() if "veto" in units.columns else [],
        "bar_top": ids[units["bar_top"].map(_flag)].tolist() if "bar_top" in units.columns else [],
        "provisional": ids[units.apply(is_provisional, axis=1)].tolist() if len(units) else [],
        "flagged": list(dict.fromkeys(analysis.attention_flags(results)["unit_id"].astype(str))),
        "trend": pd.DataFrame(rows, columns=["group", "n", "mean", "median", "prev_n", "prev_mean",
                                             "prev_median"]),
    }


def _names(results: Any, ids: list[str], language: str) -> str:
    units = results.units.set_index(results.units["unit_id"].astype(str))
    return msg(language, "list_sep").join(_name(units.loc[i], language) for i in ids)


def _delta(now: float, before: float) -> str:
    if math.isnan(now) or math.isnan(before):
        return "—"
    d = round(now, score_decimals()) - round(before, score_decimals())
    return "±0" if abs(d) < 0.5 * 10 ** -score_decimals() else f"{d:+.{score_decimals()}f}"


def summary_section(results: Any, language: str = "zh") -> dict:
    """The headline figures (:func:`headline_figures`) as a lead sentence, two rows of cards
    and the table of mean and median scores per peer group against last year."""
    figures = headline_figures(results)
    bands = grade_bands(results)
    year = _year(results)
    trend = figures["trend"]
    sep = msg(language, "list_sep")
    means = sep.join(
        msg(language, "ov_lead_mean", group=label(language, "peer_group", t.group), mean=fmt_score(t.mean))
        + ("" if math.isnan(t.prev_mean) else msg(language, "ov_lead_prev", prev=fmt_score(t.prev_mean)))
        for t in trend.itertuples(index=False) if t.group != "all")
    lead = msg(language, "ov_lead", year=year, n=figures["units"], groups=_groups_text(results, language),
               means=means, top=grade_text(bands.top, bands, language), n_top=figures["grades"][bands.top],
               fail=grade_text(bands.fail, bands, language), n_fail=figures["grades"][bands.fail],
               n_veto=len(figures["veto"]), n_bar=len(figures["bar_top"]),
               n_prov=len(figures["provisional"]), flagged=len(figures["flagged"]))
    count = lambda n: msg(language, "ov_units_value", n=n)  # noqa: E731
    first = [
        blocks.card(msg(language, "ov_units"), count(figures["units"]), _groups_text(results, language), "main"),
        blocks.card(msg(language, "ov_veto"), count(len(figures["veto"])),
                    _names(results, figures["veto"], language), "change-down" if figures["veto"] else "change-same"),
        blocks.card(msg(language, "ov_bar_top"), count(len(figures["bar_top"])),
                    _names(results, figures["bar_top"], language),
                    "change-down" if figures["bar_top"] else "change-same"),
        blocks.card(msg(language, "ov_provisional"), count(len(figures["provisional"])),
                    _names(results, figures["provisional"], language),
                    "change-down" if figures["provisional"] else "change-same"),
        blocks.card(msg(language, "ov_flagged"), count(len(figures["flagged"])),
                    msg(language, "ov_flagged_note"), "change-down" if figures["flagged"] else "change-same"),
    ]
    second = [blocks.card(msg(language, "ov_grade_count", grade=grade_text(b, bands, language)),
                          count(n), msg(language, "ov_share", share=_fmt_share(n / max(1, figures["units"]))),
                          f"grade-{grade_style(b, bands)}")
              for b, n in figures["grades"].items()]
    cols = [blocks.column(msg(language, "cover_group"), width=1.3),
            blocks.column(msg(language, "ov_col_n"), "right", 0.6),
            blocks.column(msg(language, "ov_col_mean", year=year), "right", 0.9),
            blocks.column(msg(language, "ov_col_mean", year=year - 1), "right", 0.9),
            blocks.column(msg(language, "ov_col_delta"), "right", 0.7),
            blocks.column(msg(language, "ov_col_median", year=year), "right", 0.9),
            blocks.column(msg(language, "ov_col_median", year=year - 1), "right", 0.9),
            blocks.column(msg(language, "ov_col_delta"), "right", 0.7)]

    def cells(t: Any) -> list:
        name = msg(language, "ov_all_units") if t.group == "all" else label(language, "peer_group", t.group)
        return [name, str(t.n), blocks.cell(fmt_score(t.mean), style="strong"), fmt_score(t.prev_mean),
                blocks.cell(_delta(t.mean, t.prev_mean), style=_delta_style(t.mean, t.prev_mean)),
                blocks.cell(fmt_score(t.median), style="strong"), fmt_score(t.prev_median),
                blocks.cell(_delta(t.median, t.prev_median), style=_delta_style(t.median, t.prev_median))]

    body = [blocks.row(cells(t)) for t in trend.itertuples(index=False) if t.group != "all"]
    footer = [blocks.row(cells(t)) for t in trend.itertuples(index=False) if t.group == "all"]
    notes = [msg(language, "ov_trend_note", year=year - 1)]
    return blocks.section("summary", msg(language, "ov_summary_heading"), [
        blocks.paragraph(lead, "lead"), blocks.cards(first), blocks.cards(second),
        blocks.paragraph(msg(language, "ov_trend_heading", year=year, prev=year - 1), "subhead"),
        blocks.table(cols, body, footer=footer, notes=notes, style="compact", keep=True)])


def _delta_style(now: float, before: float) -> str:
    text = _delta(now, before)
    return "same" if text in ("—", "±0") else "up" if text.startswith("+") else "down"


# ----------------------------------------------------------------------------------------
# Decisions
# ----------------------------------------------------------------------------------------

#: Order of the decision rows in :func:`decisions_section`.
DECISION_ORDER = ("veto", "bar_top", "bonus", "deduction")


def decision_rows(results: Any, language: str = "zh") -> pd.DataFrame:
    """Every decision and adjustment of the year, in words: 一票否决, 一票否优
    (:func:`evalkit.results.analysis.decisions`) and the bonus and deduction points of each
    unit (capped ones with the points asked and the cap).

    Columns: ``unit_id, name, kind`` (:data:`DECISION_ORDER`), ``decision`` (its name),
    ``reason`` (in ``language``), ``effect`` (what it did to grade or total); rows by kind,
    then in ``results.units`` order.
    """
    units = results.units.set_index(results.units["unit_id"].astype(str))
    bands = grade_bands(results)
    top, fail = grade_text(bands.top, bands, language), grade_text(bands.fail, bands, language)
    table = analysis.decisions(results)
    caps = {(str(r.unit_id), str(r.kind)[:-4]): r for r in table.itertuples(index=False)
            if str(r.kind).endswith("_cap")}
    adj = _table_of(results, "adjustments")
    rows = []
    for r in table.itertuples(index=False):
        if r.kind not in ("veto", "bar_top"):
            continue
        u = units.loc[str(r.unit_id)]
        if r.kind == "veto":
            effect = msg(language, "ov_effect_veto", fail=fail, score=fmt_score(u["score_100"]))
        else:
            effect = msg(language, "ov_effect_bar_top", top=top, score=fmt_score(u["score_100"]),
                         rank=rank_phrase(results, str(r.unit_id), language),
                         grade=grade_phrase(results, str(r.unit_id), language))
        rows.append({"unit_id": str(r.unit_id), "name": _name(u, language), "kind": r.kind,
                     "reason": _reason(r, language), "effect": effect})
    if adj is not None and not adj.empty:
        for kind in ("bonus", "deduction"):
            for uid in units.index:
                mine = adj[(adj["unit_id"].astype(str) == uid) & (adj["kind"].astype(str) == kind)]
                if mine.empty:
                    continue
                sep = msg(language, "ov_reason_sep")
                reason = sep.join(_reason(x, language) for x in mine.itertuples(index=False))
                requested = float(pd.to_numeric(mine["points"], errors="coerce").sum())
                applied = float(units.loc[uid, kind]) if kind in units.columns and not is_missing(
                    units.loc[uid, kind]) else requested
                cap = caps.get((uid, kind))
                effect = msg(language, f"ov_effect_{kind}", points=fmt_compact(applied))
                if cap is not None:
                    effect += msg(language, "ov_effect_capped", requested=fmt_compact(cap.requested),
                                  cap=fmt_compact(cap.cap))
                rows.append({"unit_id": uid, "name": _name(units.loc[uid], language), "kind": kind,
                             "reason": reason, "effect": effect})
    out = pd.DataFrame(rows, columns=["unit_id", "name", "kind", "reason", "effect"])
    out.insert(3, "decision", [msg(language, f"ov_decision.{k}") for k in out["kind"]])
    order = {uid: i for i, uid in enumerate(units.index)}
    out["_k"] = out["kind"].map(DECISION_ORDER.index)
    out["_u"] = out["unit_id"].map(order)
    return out.sort_values(["_k", "_u"], kind="stable").drop(columns=["_k", "_u"]).reset_index(drop=True)


def decisions_section(results: Any, language: str = "zh") -> dict:
    """Each 一票否决 and 一票否优 with its reason and effect, then the bonus and deduction
    points (capped ones named)."""
    rows = decision_rows(results, language)
    heading = msg(language, "ov_decisions_heading")
    if rows.empty:
        return blocks.section("decisions", heading, [blocks.notice(msg(language, "ov_decisions_none"))])
    cols = [blocks.column(msg(language, "ov_col_unit"), width=1.7 if language == "zh" else 2.4),
            blocks.column(msg(language, "ov_col_decision"), width=0.8 if language == "zh" else 1.0),
            blocks.column(msg(language, "ov_col_reason"), width=2.6 if language == "zh" else 2.4),
            blocks.column(msg(language, "ov_col_effect"), width=2.6 if language == "zh" else 2.4)]
    body = [blocks.row([blocks.cell(r.name, style="strong"),
                        blocks.cell(r.decision, style="down" if r.kind in ("veto", "bar_top", "deduction") else "up"),
                        r.reason, r.effect])
            for r in rows.itertuples(index=False)]
    return blocks.section("decisions", heading, [
        blocks.table(cols, body, notes=[msg(language, "ov_decisions_note")], keep=True)])


# ----------------------------------------------------------------------------------------
# Attention
# ----------------------------------------------------------------------------------------

def _pct(share: Any) -> str:
    """A threshold share as a percentage without needless decimals (``70%``, ``62.5%``)."""
    return "—" if is_missing(share) else f"{fmt_compact(100 * float(share))}%"


def _threshold(results: Any) -> str:
    """The framework's publication coverage threshold (``70%``)."""
    return _pct(_parameters(results).get("publication_coverage"))


def attention_flags(results: Any, language: str = "zh") -> pd.DataFrame:
    """The attention list (:func:`evalkit.results.analysis.attention_flags`) in words, in
    its order (most serious rule first).

    Columns: ``unit_id, name, peer_group, score, grade, rank, rule`` (the most serious rule),
    ``rules`` (every rule that holds) and ``reasons`` (a text per rule).
    """
    flags = analysis.attention_flags(results)
    bands = grade_bands(results)
    fail = grade_text(bands.fail, bands, language)
    units = results.units.set_index(results.units["unit_id"].astype(str))
    vetoes = {str(r.unit_id): _reason(r, language) for r in analysis.decisions(results).itertuples(index=False)
              if r.kind == "veto"}
    rows = []
    for uid, part in flags.groupby(flags["unit_id"].astype(str), sort=False):
        u = units.loc[uid]
        reasons = []
        for rule, value in zip(part["rule"], part["value"]):
            if rule == "veto":
                reasons.append(msg(language, "ov_flag_veto", reason=vetoes.get(uid, "—"), fail=fail))
            elif rule == "fail":
                reasons.append(msg(language, "ov_flag_fail", fail=fail))
            elif rule == "provisional":
                reasons.append(msg(language, "ov_flag_provisional", coverage=_fmt_share(float(value)),
                                   threshold=_threshold(results)))
            elif rule == "rank_drop":
                prev = u.get("prev_rank")
                reasons.append(msg(language, "ov_flag_rank_drop", n=int(value),
                                   prev="—" if is_missing(prev) else int(prev),
                                   rank="—" if is_missing(u.get("rank")) else int(u["rank"])))
            else:  # a rule this version does not word
                reasons.append(str(rule))
        rows.append({"unit_id": uid, "name": _name(u, language), "peer_group": str(u["peer_group"]),
                     "score": float(u["score_100"]), "grade": u.get("grade"), "rank": u.get("rank"),
                     "rule": str(part["rule"].iloc[0]), "rules": list(part["rule"]), "reasons": reasons})
    return pd.DataFrame(rows, columns=["unit_id", "name", "peer_group", "score", "grade", "rank", "rule",
                                       "rules", "reasons"])


def attention_rules_text(results: Any, language: str = "zh") -> str:
    """The attention rules in words, in their order, from the constants that apply them."""
    bands = grade_bands(results)
    words = {"veto": msg(language, "ov_rule_veto", fail=grade_text(bands.fail, bands, language)),
             "fail": msg(language, "ov_rule_fail", fail=grade_text(bands.fail, bands, language)),
             "provisional": msg(language, "ov_rule_provisional", threshold=_threshold(results)),
             "rank_drop": msg(language, "ov_rule_rank_drop", n=ATTENTION_RANK_DROP)}
    return msg(language, "ov_attention_rules", rules=msg(language, "ov_rule_sep").join(
        msg(language, "ov_rule_item", i=i, rule=words.get(rule, rule)) for i, rule in enumerate(ATTENTION_RULES, 1)))


def attention_section(results: Any, language: str = "zh") -> dict:
    flagged = attention_flags(results, language)
    rules = attention_rules_text(results, language)
    heading = msg(language, "ov_attention_heading")
    if flagged.empty:
        return blocks.section("attention", heading, [blocks.paragraph(rules, "note"),
                                                     blocks.notice(msg(language, "ov_attention_none"))])
    bands = grade_bands(results)
    cols = [blocks.column(msg(language, "ov_col_no"), "right", 0.35),
            blocks.column(msg(language, "ov_col_unit"), width=2.2),
            blocks.column(msg(language, "col_score"), "right", 0.65),
            blocks.column(msg(language, "grade"), "center", 0.9),
            blocks.column(msg(language, "ov_col_rank"), "right", 0.6),
            blocks.column(msg(language, "ov_col_reasons"), width=2.8)]
    sep = msg(language, "ov_reason_sep")
    units = results.units.set_index(results.units["unit_id"].astype(str))
    rows = []
    for i, r in enumerate(flagged.itertuples(index=False), 1):
        u = units.loc[r.unit_id]
        rows.append(blocks.row([str(i), blocks.cell(r.name, style="strong",
                                                    sub=label(language, "peer_group", r.peer_group)),
                                fmt_score(r.score),
                                blocks.cell(grade_phrase(results, r.unit_id, language),
                                            style=f"grade-{grade_style(r.grade, bands)}"),
                                _rank_cell_text(results, u, language), sep.join(r.reasons)]))
    return blocks.section("attention", heading, [blocks.table(cols, rows, notes=[rules], style="compact", keep=True)])


# ----------------------------------------------------------------------------------------
# Grades and movers
# ----------------------------------------------------------------------------------------

def area_rates(results: Any, language: str = "zh") -> pd.DataFrame:
    """Unit × level-1 area score rates (:func:`evalkit.results.analysis.area_rates`), rows
    in ``results.units`` order, columns named in ``language`` in framework order. Areas that
    share a name are told apart by their code: ``服务效能 (A1)``, ``服务效能 (A2)``."""
    table = analysis.area_rates(results)
    level1 = results.nodes[results.nodes["level"].astype(int) == 1]
    names = {}
    for code in table.columns:
        first = level1[level1["code"].astype(str) == code].iloc[0]
        names[code] = _name(first, language)
    shared = {n for n in names.values() if list(names.values()).count(n) > 1}
    table.columns = [f"{names[c]} ({c})" if names[c] in shared else names[c] for c in table.columns]
    return table


def area_status(results: Any) -> pd.DataFrame:
    """Unit × level-1 area status for the heat map, same shape and order as
    :func:`evalkit.results.analysis.area_rates`: ``not_applicable`` when the area's node is
    not applicable to the unit, ``filled`` when less than :data:`HEATMAP_FILLED_COVERAGE` of
    its points rest on data (its rate is mostly the missing-data policy's, not performance),
    ``data`` otherwise (a ``data`` area without a score has no data at all)."""
    rates = analysis.area_rates(results)
    nodes = results.nodes
    level1 = nodes[nodes["level"].astype(int) == 1]
    status = (level1["status"].astype(str) if "status" in level1.columns
              else pd.Series("data", index=level1.index))
    coverage = pd.to_numeric(level1["coverage"], errors="coerce") if "coverage" in level1.columns else \
        pd.Series(1.0, index=level1.index)
    score = pd.to_numeric(level1["score"], errors="coerce")
    filled = score.notna() & ((status == "filled") | (coverage < HEATMAP_FILLED_COVERAGE))
    cell = np.where(status == "not_applicable", "not_applicable", np.where(filled, "filled", "data"))
    frame = pd.DataFrame({"unit_id": level1["unit_id"].astype(str), "code": level1["code"].astype(str),
                          "cell": cell})
    table = frame.pivot_table(index="unit_id", columns="code", values="cell", aggfunc="first")
    return table.reindex(index=rates.index, columns=rates.columns).fillna("not_applicable")


def grades_section(results: Any, language: str = "zh") -> dict:
    from evalkit.report import charts

    bands = grade_bands(results)
    groups = _groups(results)
    counts = analysis.grade_counts(results).reindex(groups).to_numpy()
    group_labels = [label(language, "peer_group", g) for g in groups]
    grade_labels = [grade_text(g, bands, language) for g in bands.names]
    colours = [charts.GRADE_STYLE_COLOURS[grade_style(g, bands)] for g in bands.names]
    svg = charts.grade_chart(group_labels, grade_labels, colours, counts)
    cols = ([blocks.column(msg(language, "cover_group"))]
            + [blocks.column(label_, "right") for label_ in grade_labels]
            + [blocks.column(msg(language, "ov_total"), "right")])
    rows = [blocks.row([lab, *[str(int(c)) for c in counts[i]], blocks.cell(str(int(counts[i].sum())), style="strong")])
            for i, lab in enumerate(group_labels)]
    footer = [blocks.row([msg(language, "total_row"), *[str(int(c)) for c in counts.sum(axis=0)],
                          str(int(counts.sum()))])]
    quota = bands.top_quota
    notes = [msg(language, "ov_quota_note", share=f"{100 * float(quota):.0f}%",
                 top=grade_text(bands.top, bands, language))] if quota else []
    figures = headline_figures(results)
    if figures["veto"]:
        notes.append(msg(language, "ov_grades_veto_note", fail=grade_text(bands.fail, bands, language),
                         names=_names(results, figures["veto"], language)))
    if figures["bar_top"]:
        notes.append(msg(language, "ov_grades_bar_top_note", top=grade_text(bands.top, bands, language),
                         names=_names(results, figures["bar_top"], language)))
    if figures["provisional"]:
        notes.append(msg(language, "ov_grades_provisional_note", n=len(figures["provisional"]),
                         names=_names(results, figures["provisional"], language)))
    return blocks.section("grades", msg(language, "ov_grades_heading"), [
        blocks.figure(svg, msg(language, "ov_grades_caption"), 0.85),
        blocks.table(cols, rows, footer=footer, notes=notes, style="compact")])


def movers_section(results: Any, language: str = "zh") -> dict:
    """The units that rose and fell most in rank on last year, on one basis (last year
    scored with this year's framework: ``prev_rank``/``prev_score`` come from the
    ``history`` table)."""
    up, down = analysis.movers(results)
    if up.empty and down.empty:
        return blocks.section("movers", msg(language, "ov_movers_heading"),
                              [blocks.notice(msg(language, "ov_movers_none"))])
    cols = [blocks.column(msg(language, "ov_col_unit"), width=2.6),
            blocks.column(msg(language, "cover_group"), width=0.9),
            blocks.column(msg(language, "ov_col_rank_prev"), "right", 0.8),
            blocks.column(msg(language, "ov_col_rank_now"), "right", 0.8),
            blocks.column(msg(language, "ov_col_rank_change"), "right", 0.8),
            blocks.column(msg(language, "ov_col_score_change"), "right", 0.8)]
    rows = []
    for heading, frame in ((msg(language, "ov_risers"), up), (msg(language, "ov_fallers"), down)):
        rows.append(blocks.row([heading], "group"))
        if frame.empty:
            rows.append(blocks.row([blocks.cell(msg(language, "ov_movers_none"), style="muted"), "", "", "", "", ""]))
        for _, r in frame.iterrows():
            rows.append(blocks.row([
                _name(r, language), label(language, "peer_group", r["peer_group"]),
                "—" if is_missing(r.get("prev_rank")) else str(int(r["prev_rank"])),
                _rank_cell_text(results, r, language),
                blocks.cell(change_text(r["rank_change"], language), style="strong " + change_class(r["rank_change"])),
                _delta(float(r["score_100"]), float(r["prev_score"]))]))
    return blocks.section("movers", msg(language, "ov_movers_heading"), [
        blocks.table(cols, rows, notes=[msg(language, "ov_movers_note", year=_year(results) - 1),
                                        *comparable_notes(results, language)[1:]],
                     style="compact", keep=True)])


# ----------------------------------------------------------------------------------------
# League tables
# ----------------------------------------------------------------------------------------

def _interval_note(results: Any, intervals: pd.DataFrame, language: str) -> str:
    spec = _parameters(results).get("rank_intervals") or {}
    varied = intervals["varied"].dropna().astype(str) if "varied" in intervals.columns else pd.Series(dtype=str)
    what = str(spec.get("varied") or (varied.iloc[0] if len(varied) else "weights"))
    n = spec.get("n_scenarios")
    if is_missing(n) and "n_scenarios" in intervals.columns and intervals["n_scenarios"].notna().any():
        n = intervals["n_scenarios"].dropna().iloc[0]
    pct = spec.get("percentiles") or [5, 95]
    bands = msg(language, "list_sep").join(msg(language, f"rank_band_{b}") for b in ("top", "middle", "bottom"))
    return msg(language, "ov_interval_note", varied=label(language, "ov_varied", what),
               n="—" if is_missing(n) else int(n), low=fmt_compact(pct[0]), high=fmt_compact(pct[-1]),
               bands=bands)


def league_sections(results: Any, language: str = "zh") -> list[dict]:
    """One league table per peer group, best published rank first: rank (并列 where the
    published scores are equal), unit, class, score at the published precision, grade
    (暂定 marked; 一票否决 / 一票否优 named under it), rank interval with its band, change
    on last year; notes below name each decision and provisional grade with its reason."""
    bands = grade_bands(results)
    intervals = _table_of(results, "rank_intervals")
    has_interval = (intervals is not None and not intervals.empty
                    and {"unit_id", "rank_low", "rank_high"} <= set(intervals.columns))
    iv = intervals.set_index(intervals["unit_id"].astype(str)) if has_interval else None
    decided = _decision_kinds(results)
    reasons = {(str(r.unit_id), str(r.kind)): _reason(r, language)
               for r in analysis.decisions(results).itertuples(index=False)}
    top, fail = grade_text(bands.top, bands, language), grade_text(bands.fail, bands, language)
    tie_rule = msg(language, "ov_tie_note", decimals=score_decimals())
    out = []
    for g in _groups(results):
        frame = _group_frame(results, g)
        group_label = label(language, "peer_group", g)
        classes = [_unit_class(r, language) for _, r in frame.iterrows()]
        if language != "zh":  # a class that only repeats the peer group says nothing
            classes = ["" if c == group_label else c for c in classes]
        # Chinese class names are short: a column of their own; longer (English) ones go under
        # the unit's name, so that the name column keeps the width names need
        class_column = any(classes) and language == "zh"
        cols = [blocks.column(msg(language, "ov_col_rank"), "right", 0.75),
                blocks.column(msg(language, "ov_col_unit"), width=2.0)]
        if class_column:
            cols.append(blocks.column(msg(language, "ov_col_class"), width=0.9))
        cols += [blocks.column(msg(language, "col_score"), "right", 0.75),
                 blocks.column(msg(language, "grade"), "center", 0.95)]
        if has_interval:
            cols.append(blocks.column(msg(language, "ov_col_interval"), "right", 0.85))
        cols += [blocks.column(msg(language, "ov_col_rank_change"), "right", 0.75),
                 blocks.column(msg(language, "ov_col_score_change"), "right", 0.75)]
        rows, notes = [], []
        for (_, r), cls in zip(frame.iterrows(), classes):
            uid = str(r["unit_id"])
            kinds = decided.get(uid, [])
            mark = msg(language, "ov_decision_mark") if kinds else ""
            rank = _rank_cell_text(results, r, language)
            marks = ([msg(language, "ov_provisional_short")] if is_provisional(r) else []) + [
                msg(language, f"ov_decision_short.{k}") for k in kinds]
            grade = blocks.cell(grade_text(r.get("grade"), bands, language),
                                style=f"grade-{grade_style(r.get('grade'), bands)}",
                                sub=msg(language, "list_sep").join(marks))
            cells = [rank, blocks.cell(_name(r, language) + mark, style="strong" if kinds else "",
                                       sub="" if class_column else cls)]
            if class_column:
                cells.append(blocks.cell(cls, style="muted"))
            cells += [blocks.cell(fmt_score(r["score_100"]), style="strong"), grade]
            if has_interval:
                if uid in iv.index and not is_missing(iv.loc[uid, "rank_low"]):
                    row_iv = iv.loc[uid]
                    band = "" if is_missing(row_iv.get("rank_band")) else str(row_iv.get("rank_band") or "")
                    lo, hi = int(row_iv["rank_low"]), int(row_iv["rank_high"])
                    text = str(lo) if lo == hi else f"{lo}–{hi}"
                    cells.append(blocks.cell(text, sub=msg(language, f"rank_band_{band}") if band else ""))
                else:
                    cells.append("—")
            cells.append(blocks.cell(change_text(r.get("rank_change"), language),
                                     style=change_class(r.get("rank_change"))))
            cells.append("—" if is_missing(r.get("prev_score"))
                         else _delta(float(r["score_100"]), float(r["prev_score"])))
            rows.append(blocks.row(cells))
            name = _name(r, language)
            for k in kinds:
                notes.append(msg(language, f"ov_league_{k}_note", mark=mark, name=name,
                                 reason=reasons.get((uid, k), "—"), top=top, fail=fail))
            if is_provisional(r):
                notes.append(msg(language, "ov_league_provisional_note", name=name,
                                 coverage=_fmt_share(float(r["coverage"])), threshold=_threshold(results)))
        notes.append(tie_rule)
        notes.append(_interval_note(results, intervals, language) if has_interval
                     else msg(language, "ov_interval_missing"))
        notes.append(msg(language, "ov_change_note", year=_year(results) - 1))
        out.append(blocks.section(f"league-{g}", msg(language, "ov_league_heading",
                                                     group=label(language, "peer_group", g)),
                                  [blocks.table(cols, rows, notes=notes, style="compact", keep=len(rows) <= 25)]))
    return out


# ----------------------------------------------------------------------------------------
# Heat maps
# ----------------------------------------------------------------------------------------

#: Height (mm) a heat map may take on an A4 page, leaving room for its heading, caption and
#: notes; a taller map is set narrower (:func:`_figure_width`).
HEATMAP_MAX_HEIGHT_MM = 205.0
#: Width (mm) of the PDF's text block (A4 less the template's margins).
TEXT_WIDTH_MM = 174.0


def _figure_width(svg: str) -> float:
    """Share of the text width at which a chart fits :data:`HEATMAP_MAX_HEIGHT_MM`."""
    import re

    m = re.search(r'<svg[^>]*?width="([0-9.]+)pt"[^>]*?height="([0-9.]+)pt"', svg)
    if not m or float(m.group(1)) <= 0:
        return 1.0
    aspect = float(m.group(2)) / float(m.group(1))
    return round(min(1.0, HEATMAP_MAX_HEIGHT_MM / (TEXT_WIDTH_MM * aspect)), 2)


def heatmap_sections(results: Any, language: str = "zh") -> list[dict]:
    """One unit × area heat map of score rates per peer group (units in rank order).

    Areas not applicable to a unit and areas resting mostly on filled-in values
    (:func:`area_status`) are never shown as data: their value is left out and the chart
    marks the cell as such (``status``, with a key); provisional units are marked in the row
    labels."""
    from evalkit.report import charts

    rates = area_rates(results, language)
    status = area_status(results)
    status.columns = rates.columns
    out = []
    for g in _groups(results):
        frame = _group_frame(results, g)
        ids = frame["unit_id"].astype(str).tolist()
        sub, st = rates.loc[ids], status.loc[ids]
        keep = [c for c in sub.columns if (st[c] != "not_applicable").any()]
        sub, st = sub[keep], st[keep]
        values = sub.to_numpy(dtype=float).copy()
        values[(st != "data").to_numpy()] = np.nan  # filled and not-applicable values are no data
        row_labels = [f"{'—' if is_missing(r['rank']) else int(r['rank'])}. {_name(r, language)}"
                      + (msg(language, "provisional_mark") if is_provisional(r) else "")
                      for _, r in frame.iterrows()]
        svg = charts.heatmap_chart(row_labels, list(sub.columns), values, status=st.to_numpy(dtype=object),
                                   no_data_label=msg(language, "ov_heatmap_no_data"),
                                   filled_label=msg(language, "ov_heatmap_filled"),
                                   na_label=msg(language, "ov_heatmap_na"),
                                   missing_label=msg(language, "ov_heatmap_missing"),
                                   scale_label=msg(language, "ov_heatmap_scale"))
        group = label(language, "peer_group", g)
        n_filled = int((st == "filled").to_numpy().sum())
        n_na = int((st == "not_applicable").to_numpy().sum())
        notes = [msg(language, "ov_heatmap_note")]
        if n_filled:
            notes.append(msg(language, "ov_heatmap_filled_note", share=_pct(HEATMAP_FILLED_COVERAGE), n=n_filled))
        if n_na:
            notes.append(msg(language, "ov_heatmap_na_note", n=n_na))
        if any(is_provisional(r) for _, r in frame.iterrows()):
            notes.append(msg(language, "ov_heatmap_provisional_note", mark=msg(language, "provisional_mark").strip()))
        out.append(blocks.section(f"heatmap-{g}", msg(language, "ov_heatmap_heading", group=group), [
            blocks.figure(svg, msg(language, "ov_heatmap_caption", group=group), _figure_width(svg)),
            blocks.paragraph("\n".join(notes), "note")], break_before=True))
    return out


def key_task_summary(results: Any) -> pd.DataFrame | None:
    """Each unit's key tasks in numbers (None when the results carry no key tasks):
    ``unit_id, peer_group, tasks, completed, basic, not_completed, late_milestones, score``
    (``score``: the points-weighted mean task score, the ``key_task_score`` indicator) and
    ``not_completed_titles`` / ``not_completed_titles_en`` (lists), one row per unit with
    tasks, in the order of ``results.units``."""
    tasks = _table_of(results, "key_tasks")
    if tasks is None:
        return None
    rows = []
    for u in results.units.itertuples(index=False):
        mine = tasks[tasks["unit_id"].astype(str) == str(u.unit_id)]
        if mine.empty:
            continue
        level = mine["completion"].astype(str)
        points = mine["points"].astype(float)
        undone = mine[level == "not_completed"]
        rows.append({"unit_id": str(u.unit_id), "peer_group": str(u.peer_group), "tasks": len(mine),
                     "completed": int((level == "completed").sum()),
                     "basic": int((level == "basically_completed").sum()),
                     "not_completed": len(undone), "late_milestones": int(mine["late_milestones"].sum()),
                     "score": float((points * mine["task_score"].astype(float)).sum() / points.sum()),
                     "not_completed_titles": [str(t) for t in undone["title"]],
                     "not_completed_titles_en": [str(e) if not is_missing(e) and str(e).strip() else str(t)
                                                 for t, e in zip(undone["title"], undone["title_en"])]})
    return pd.DataFrame(rows, columns=["unit_id", "peer_group", "tasks", "completed", "basic", "not_completed",
                                       "late_milestones", "score", "not_completed_titles",
                                       "not_completed_titles_en"])


def key_tasks_section(results: Any, language: str = "zh") -> list[dict]:
    """Key-task completion across units: district counts, one row per peer group (units,
    tasks, completed, basically completed, not completed, late milestones, mean key-task
    score) and the units with a task not completed, each with those tasks; units without
    tasks are named as not applicable. Nothing when the results carry no key tasks."""
    summary = key_task_summary(results)
    if summary is None:
        return []
    units = results.units.set_index(results.units["unit_id"].astype(str))
    total = summary[["tasks", "completed", "basic", "not_completed", "late_milestones"]].sum()
    n = int(total["tasks"])
    parts: list = [blocks.paragraph(msg(
        language, "kt_ov_lead", units=len(summary), n=n, completed=int(total["completed"]),
        share=f"{fmt_fixed(100 * total['completed'] / n, 1)}%" if n else "—", basic=int(total["basic"]),
        not_done=int(total["not_completed"]), late=int(total["late_milestones"])), "")]
    cols = [blocks.column(msg(language, "kt_ov_col_group"), width=1.4)] + [
        blocks.column(msg(language, key), "right") for key in
        ("kt_ov_col_units", "kt_ov_col_tasks", "kt_ov_col_completed", "kt_ov_col_basic", "kt_ov_col_not",
         "kt_ov_col_late", "kt_ov_col_score")]
    rows = []
    for g in _groups(results):
        sub = summary[summary["peer_group"] == g]
        if sub.empty:
            continue
        rows.append(blocks.row([label(language, "peer_group", g), str(len(sub)), str(int(sub["tasks"].sum())),
                                str(int(sub["completed"].sum())), str(int(sub["basic"].sum())),
                                blocks.cell(str(int(sub["not_completed"].sum())),
                                            style="down" if sub["not_completed"].sum() else ""),
                                str(int(sub["late_milestones"].sum())),
                                blocks.cell(fmt_score(sub["score"].mean()), style="strong")]))
    notes = [msg(language, "kt_ov_note")]
    missing = [u for u in units.index if u not in set(summary["unit_id"])]
    if missing:
        notes.append(msg(language, "kt_ov_na_note", n=len(missing), names=_names(results, missing, language)))
    parts.append(blocks.table(cols, rows, style="compact"))
    parts.append(blocks.paragraph(msg(language, "kt_ov_units_heading"), "subhead"))
    undone = summary[summary["not_completed"] > 0]
    if undone.empty:
        parts.append(blocks.paragraph(msg(language, "kt_ov_none"), "muted"))
    else:
        order = {g: i for i, g in enumerate(_groups(results))}
        undone = undone.assign(_g=undone["peer_group"].map(order)).sort_values(
            ["_g", "not_completed", "score", "unit_id"], ascending=[True, False, True, True], kind="stable")
        cols = [blocks.column(msg(language, "kt_ov_col_unit"), width=1.6),
                blocks.column(msg(language, "kt_ov_col_not_tasks"), width=3.4),
                blocks.column(msg(language, "kt_ov_col_unit_score"), "right")]
        titles = "not_completed_titles" if language == "zh" else "not_completed_titles_en"
        body = [blocks.row([blocks.cell(_name(units.loc[r.unit_id], language),
                                        sub=msg(language, "kt_ov_unit_sub", tasks=r.tasks, basic=r.basic,
                                                late=r.late_milestones)),
                            msg(language, "list_sep").join(getattr(r, titles)),
                            blocks.cell(fmt_score(r.score), style="strong")])
                for r in undone.itertuples(index=False)]
        parts.append(blocks.table(cols, body, style="compact", notes=notes))
        notes = []
    if notes:
        parts.append(blocks.paragraph("\n".join(notes), "note"))
    return [blocks.section("key-tasks", msg(language, "kt_ov_heading"), parts, break_before=True)]


#: The district overview's outline: ``(id, builder)`` in order; a builder takes ``(results,
#: language, parameters)`` and returns one block or a list of blocks (one per peer group).
OVERVIEW_SECTIONS: tuple[tuple[str, Callable[..., dict | list[dict]]], ...] = (
    ("document", lambda res, lang, params: overview_document(res, lang)),
    ("summary", lambda res, lang, params: summary_section(res, lang)),
    ("decisions", lambda res, lang, params: decisions_section(res, lang)),
    ("attention", lambda res, lang, params: attention_section(res, lang)),
    ("grades", lambda res, lang, params: grades_section(res, lang)),
    ("movers", lambda res, lang, params: movers_section(res, lang)),
    ("league", lambda res, lang, params: league_sections(res, lang)),
    ("heatmap", lambda res, lang, params: heatmap_sections(res, lang)),
    ("key_tasks", lambda res, lang, params: key_tasks_section(res, lang)),
    ("provenance", lambda res, lang, params: provenance_section(res, lang, params)),
)


def overview_sections(results: Any, language: str = "zh",
                      parameters: Mapping[str, Any] | None = None) -> list[dict]:
    """Every block of the district overview in order (:data:`OVERVIEW_SECTIONS`)."""
    out: list[dict] = []
    for _, build in OVERVIEW_SECTIONS:
        made = build(results, language, parameters)
        out.extend(made if isinstance(made, list) else [made])
    return out
