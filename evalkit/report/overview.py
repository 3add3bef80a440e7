"""The district overview: every unit of one year on a few pages.

League tables per peer group, the grade distribution, a unit × area heat map, the biggest
movers on last year and the units flagged for attention. Pure functions from
:class:`evalkit.results.store.Results` to report blocks (:mod:`evalkit.report.blocks`); the
notebook ``notebooks/district_overview.ipynb`` only displays them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evalkit.report import blocks
from evalkit.report.messages import label, msg
from evalkit.report.present import (GRADE_CLASS, _name, _table_of, _year, change_class,
                                    change_text, fmt_compact, fmt_fixed, framework_name,
                                    grade_text, is_missing)

#: Grades in display order.
GRADES = ("优秀", "良好", "合格", "不合格")

#: Attention rules: a unit is flagged when any of them holds.
ATTENTION_RANK_DROP = 10         # places lost on last year, or more
ATTENTION_SCORE_DROP = 5.0       # points (0–100 scale) lost on last year, or more
ATTENTION_AREA_RATE = 0.5        # an area scored below half its points
ATTENTION_COVERAGE = 0.6         # less than this share of the points had data

#: Movers listed in each direction.
TOP_MOVERS = 5


def _groups(results: Any) -> list[str]:
    order = {"department": 0, "subdistrict": 1}
    groups = results.units["peer_group"].astype(str).unique().tolist()
    return sorted(groups, key=lambda g: (order.get(g, 9), g))


def page_info(results: Any, language: str = "zh") -> dict[str, str]:
    return {"title": msg(language, "ov_title", year=_year(results)), "lang": msg(language, "html_lang")}


def overview_document(results: Any, language: str = "zh") -> dict:
    year = _year(results)
    units = results.units
    fw = framework_name(results, language)
    groups = msg(language, "list_sep").join(
        msg(language, "ov_group_count", group=label(language, "peer_group_count", g),
            n=int((units["peer_group"].astype(str) == g).sum())) for g in _groups(results))
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
    return blocks.document(kind="overview", title=msg(language, "ov_title", year=year),
                           subtitle=msg(language, "ov_subtitle", n=len(units), groups=groups),
                           lang=msg(language, "html_lang"), language=language,
                           running_header=msg(language, "ov_running_header", year=year),
                           footer=msg(language, "ov_footer", year=year), cover=cover)


def area_rates(results: Any, language: str = "zh") -> pd.DataFrame:
    """Unit × level-1 area score rates (score / points, NaN without data), rows in
    ``results.units`` order, columns named in ``language`` in framework order."""
    nodes = results.nodes
    level1 = nodes[nodes["level"].astype(int) == 1].copy()
    level1["rate"] = (pd.to_numeric(level1["score"], errors="coerce")
                      / pd.to_numeric(level1["points"], errors="coerce").where(lambda p: p > 0))
    codes = list(dict.fromkeys(level1["code"].astype(str)))
    names = {}
    for code in codes:
        first = level1[level1["code"].astype(str) == code].iloc[0]
        names[code] = _name(first, language)
    table = level1.pivot_table(index="unit_id", columns="code", values="rate", aggfunc="first",
                               dropna=False)
    table = table.reindex(index=results.units["unit_id"].astype(str), columns=codes)
    table.columns = [names[c] for c in codes]
    return table


def attention_flags(results: Any, language: str = "zh") -> pd.DataFrame:
    """Units flagged for attention, with every reason in words.

    Columns: ``unit_id, name, peer_group, score, grade, rank, reasons`` (list of texts).
    Rules: grade 不合格; rank dropped by :data:`ATTENTION_RANK_DROP` places or more; score
    dropped by :data:`ATTENTION_SCORE_DROP` points or more; an area below
    :data:`ATTENTION_AREA_RATE` of its points; data coverage below
    :data:`ATTENTION_COVERAGE`.
    """
    units = results.units
    rates = area_rates(results, language)
    sep = msg(language, "list_sep")
    rows = []
    for _, u in units.iterrows():
        reasons = []
        if str(u.get("grade")) == "不合格":
            reasons.append(msg(language, "ov_flag_fail"))
        change = u.get("rank_change")
        if not is_missing(change) and int(change) <= -ATTENTION_RANK_DROP:
            reasons.append(msg(language, "ov_flag_rank_drop", n=-int(change)))
        if not is_missing(u.get("prev_score")) and not is_missing(u.get("score_100")):
            delta = float(u["score_100"]) - float(u["prev_score"])
            if delta <= -ATTENTION_SCORE_DROP:
                reasons.append(msg(language, "ov_flag_score_drop", delta=fmt_fixed(-delta, 1)))
        low = rates.loc[str(u["unit_id"])] if str(u["unit_id"]) in rates.index else pd.Series(dtype=float)
        low = low[low < ATTENTION_AREA_RATE]
        if not low.empty:
            reasons.append(msg(language, "ov_flag_low_area",
                               areas=sep.join(f"{a} {100 * v:.0f}%" for a, v in low.items())))
        cov = u.get("coverage")
        if not is_missing(cov) and float(cov) < ATTENTION_COVERAGE:
            reasons.append(msg(language, "ov_flag_coverage", coverage=f"{100 * float(cov):.0f}%"))
        if reasons:
            rows.append({"unit_id": str(u["unit_id"]), "name": _name(u, language),
                         "peer_group": str(u["peer_group"]), "score": float(u["score_100"]),
                         "grade": u.get("grade"), "rank": u.get("rank"), "reasons": reasons})
    out = pd.DataFrame(rows, columns=["unit_id", "name", "peer_group", "score", "grade", "rank",
                                      "reasons"])
    return out.sort_values(["score", "unit_id"], kind="stable").reset_index(drop=True)


def summary_section(results: Any, language: str = "zh") -> dict:
    units = results.units
    year = _year(results)
    scores = pd.to_numeric(units["score_100"], errors="coerce")
    grades = units["grade"].astype(str).value_counts()
    flagged = attention_flags(results, language)
    lead = msg(language, "ov_lead", year=year, n=len(units), mean=fmt_fixed(scores.mean(), 1),
               low=fmt_fixed(scores.min(), 1), high=fmt_fixed(scores.max(), 1),
               excellent=int(grades.get("优秀", 0)), fail=int(grades.get("不合格", 0)),
               flagged=len(flagged))
    items = [blocks.card(msg(language, "ov_units"), msg(language, "ov_units_value", n=len(units)), (), "main"),
             blocks.card(msg(language, "ov_mean"), fmt_fixed(scores.mean(), 1),
                         msg(language, "ov_range", low=fmt_fixed(scores.min(), 1),
                             high=fmt_fixed(scores.max(), 1)))]
    for grade in ("优秀", "不合格"):
        items.append(blocks.card(msg(language, "ov_grade_count", grade=grade_text(grade, language)),
                                 msg(language, "ov_units_value", n=int(grades.get(grade, 0))), (),
                                 f"grade-{GRADE_CLASS[grade]}"))
    items.append(blocks.card(msg(language, "ov_flagged"),
                             msg(language, "ov_units_value", n=len(flagged)), (),
                             "change-down" if len(flagged) else "change-same"))
    return blocks.section("summary", msg(language, "summary_heading"),
                          [blocks.paragraph(lead, "lead"), blocks.cards(items)])


def grades_section(results: Any, language: str = "zh") -> dict:
    from evalkit.report import charts

    units = results.units
    groups = _groups(results)
    counts = np.array([[int(((units["peer_group"].astype(str) == g) & (units["grade"].astype(str) == gr)).sum())
                        for gr in GRADES] for g in groups])
    group_labels = [label(language, "peer_group", g) for g in groups]
    svg = charts.grade_chart(group_labels, list(GRADES), [grade_text(g, language) for g in GRADES], counts)
    cols = ([blocks.column(msg(language, "cover_group"))]
            + [blocks.column(grade_text(g, language), "right") for g in GRADES]
            + [blocks.column(msg(language, "ov_total"), "right")])
    rows = [blocks.row([lab, *[str(int(c)) for c in counts[i]], blocks.cell(str(int(counts[i].sum())), style="strong")])
            for i, lab in enumerate(group_labels)]
    footer = [blocks.row([msg(language, "total_row"), *[str(int(c)) for c in counts.sum(axis=0)],
                          str(int(counts.sum()))])]
    quota = ((results.meta or {}).get("parameters") or {}).get("top_quota")
    notes = [msg(language, "ov_quota_note", share=f"{100 * float(quota):.0f}%")] if quota else []
    return blocks.section("grades", msg(language, "ov_grades_heading"), [
        blocks.figure(svg, msg(language, "ov_grades_caption"), 0.85),
        blocks.table(cols, rows, footer=footer, notes=notes, style="compact")])


def attention_section(results: Any, language: str = "zh") -> dict:
    flagged = attention_flags(results, language)
    rules = msg(language, "ov_attention_rules", drop=ATTENTION_RANK_DROP,
                score=fmt_compact(ATTENTION_SCORE_DROP), area=f"{100 * ATTENTION_AREA_RATE:.0f}%",
                coverage=f"{100 * ATTENTION_COVERAGE:.0f}%")
    if flagged.empty:
        return blocks.section("attention", msg(language, "ov_attention_heading"),
                              [blocks.paragraph(rules, "note"),
                               blocks.notice(msg(language, "ov_attention_none"))])
    cols = [blocks.column(msg(language, "ov_col_unit"), width=1.6),
            blocks.column(msg(language, "cover_group"), width=0.7),
            blocks.column(msg(language, "col_score"), "right", 0.6),
            blocks.column(msg(language, "grade"), "center", 0.8),
            blocks.column(msg(language, "ov_col_reasons"), width=3.4)]
    sep = msg(language, "ov_reason_sep")
    rows = [blocks.row([r.name, label(language, "peer_group", r.peer_group),
                        blocks.cell(fmt_fixed(r.score, 1), style="strong"),
                        blocks.cell(grade_text(r.grade, language),
                                    style=f"grade-{GRADE_CLASS.get(str(r.grade), 'other')}"),
                        sep.join(r.reasons)])
            for r in flagged.itertuples(index=False)]
    return blocks.section("attention", msg(language, "ov_attention_heading"),
                          [blocks.paragraph(rules, "note"), blocks.table(cols, rows)])


def movers(results: Any, n: int = TOP_MOVERS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` units that rose most and fell most in rank (ties: larger score change)."""
    units = results.units.copy()
    units = units[units["rank_change"].notna()].copy()
    units["score_change"] = pd.to_numeric(units["score_100"], errors="coerce") - pd.to_numeric(
        units["prev_score"], errors="coerce")
    units["rank_change"] = units["rank_change"].astype(int)
    up = units[units["rank_change"] > 0].sort_values(["rank_change", "score_change", "unit_id"],
                                                     ascending=[False, False, True], kind="stable").head(n)
    down = units[units["rank_change"] < 0].sort_values(["rank_change", "score_change", "unit_id"],
                                                       ascending=[True, True, True], kind="stable").head(n)
    return up.reset_index(drop=True), down.reset_index(drop=True)


def movers_section(results: Any, language: str = "zh") -> dict:
    up, down = movers(results)
    if up.empty and down.empty:
        return blocks.section("movers", msg(language, "ov_movers_heading"),
                              [blocks.notice(msg(language, "ov_movers_none"))])
    cols = [blocks.column(msg(language, "ov_col_unit"), width=1.9),
            blocks.column(msg(language, "ov_col_rank_now"), "right"),
            blocks.column(msg(language, "change"), "right"),
            blocks.column(msg(language, "col_score_delta"), "right")]

    def rows(frame: pd.DataFrame) -> list:
        return [blocks.row([f"{_name(r, language)}",
                            f"{int(r['rank'])} / {int(r['n_in_group'])}",
                            blocks.cell(change_text(r["rank_change"], language),
                                        style="strong " + change_class(r["rank_change"])),
                            f"{r['score_change']:+.1f}"])
                for _, r in frame.iterrows()]

    left = [blocks.paragraph(msg(language, "ov_risers"), "subhead"),
            blocks.table(cols, rows(up), style="compact") if not up.empty
            else blocks.paragraph(msg(language, "ov_movers_none"), "muted")]
    right = [blocks.paragraph(msg(language, "ov_fallers"), "subhead"),
             blocks.table(cols, rows(down), style="compact") if not down.empty
             else blocks.paragraph(msg(language, "ov_movers_none"), "muted")]
    return blocks.section("movers", msg(language, "ov_movers_heading"),
                          [blocks.columns(left, right),
                           blocks.paragraph(msg(language, "ov_movers_note"), "note")])


def league_sections(results: Any, language: str = "zh") -> list[dict]:
    """One league table per peer group, best first."""
    units = results.units
    intervals = _table_of(results, "rank_intervals")
    has_interval = intervals is not None and not intervals.empty and {"unit_id", "rank_low", "rank_high"} <= set(intervals.columns)
    iv = intervals.set_index(intervals["unit_id"].astype(str)) if has_interval else None
    out = []
    for i, g in enumerate(_groups(results)):
        frame = units[units["peer_group"].astype(str) == g].sort_values(["rank", "unit_id"], kind="stable")
        cols = [blocks.column(msg(language, "ov_col_rank"), "right", 0.45),
                blocks.column(msg(language, "ov_col_unit"), width=2.2),
                blocks.column(msg(language, "ov_col_class"), width=1.0),
                blocks.column(msg(language, "col_score"), "right", 0.8),
                blocks.column(msg(language, "grade"), "center", 0.7),
                blocks.column(msg(language, "change"), "right", 0.95)]
        if has_interval:
            cols.append(blocks.column(msg(language, "rank_interval"), "right", 0.8))
        rows = []
        for _, r in frame.iterrows():
            cells = ["—" if is_missing(r["rank"]) else str(int(r["rank"])), _name(r, language),
                     blocks.cell("" if is_missing(r.get("unit_class")) else str(r["unit_class"]), style="muted"),
                     blocks.cell(fmt_fixed(r["score_100"], 1), style="strong"),
                     blocks.cell(grade_text(r.get("grade"), language),
                                 style=f"grade-{GRADE_CLASS.get(str(r.get('grade')), 'other')}"),
                     blocks.cell(change_text(r.get("rank_change"), language), style=change_class(r.get("rank_change")))]
            if has_interval:
                uid = str(r["unit_id"])
                if uid in iv.index and not is_missing(iv.loc[uid, "rank_low"]):
                    cells.append(f"{int(iv.loc[uid, 'rank_low'])}–{int(iv.loc[uid, 'rank_high'])}")
                else:
                    cells.append("—")
            rows.append(blocks.row(cells))
        notes = [] if has_interval else [msg(language, "ov_interval_missing")]
        out.append(blocks.section(f"league-{g}", msg(language, "ov_league_heading",
                                                     group=label(language, "peer_group", g)),
                                  [blocks.table(cols, rows, notes=notes, keep=len(rows) <= 25)],
                                  break_before=i == 0))
    return out


def heatmap_sections(results: Any, language: str = "zh") -> list[dict]:
    """One unit × area heat map of score rates per peer group (units in rank order)."""
    from evalkit.report import charts

    rates = area_rates(results, language)
    units = results.units
    out = []
    for i, g in enumerate(_groups(results)):
        frame = units[units["peer_group"].astype(str) == g].sort_values(["rank", "unit_id"], kind="stable")
        ids = frame["unit_id"].astype(str).tolist()
        sub = rates.loc[ids]
        keep = [c for c in sub.columns if sub[c].notna().any()]
        sub = sub[keep]
        row_labels = [f"{'' if is_missing(r['rank']) else int(r['rank'])}. {_name(r, language)}"
                      for _, r in frame.iterrows()]
        svg = charts.heatmap_chart(row_labels, list(sub.columns), sub.to_numpy(dtype=float))
        group = label(language, "peer_group", g)
        out.append(blocks.section(f"heatmap-{g}", msg(language, "ov_heatmap_heading", group=group), [
            blocks.figure(svg, msg(language, "ov_heatmap_caption", group=group), 1.0),
            blocks.paragraph(msg(language, "ov_heatmap_note"), "note")], break_before=True))
    return out


def overview_sections(results: Any, language: str = "zh") -> list[dict]:
    return [overview_document(results, language), summary_section(results, language),
            grades_section(results, language), attention_section(results, language),
            movers_section(results, language), *league_sections(results, language),
            *heatmap_sections(results, language)]
