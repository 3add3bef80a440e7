"""The district overview: every unit of one year on a few pages.

League tables per peer group, the grade distribution, a unit × area heat map, the biggest
movers on last year and the units flagged for attention. Pure functions from
:class:`evalkit.results.store.Results` to report blocks (:mod:`evalkit.report.blocks`); the
numbers come from :mod:`evalkit.results.analysis` (grade counts, area rates, movers,
attention rules) and the grade names, colours and counts from the results' own grade bands.
:data:`OVERVIEW_SECTIONS` is the overview's outline; the notebook
``notebooks/district_overview.ipynb`` displays :func:`overview_sections` in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from evalkit.report import blocks
from evalkit.report.messages import label, msg
from evalkit.report.present import (_name, _table_of, _year, change_class, change_text, fmt_compact,
                                    fmt_fixed, framework_name, grade_bands, grade_style, grade_text,
                                    is_missing, provenance_section)
from evalkit.results import analysis
from evalkit.results.analysis import (ATTENTION_AREA_RATE, ATTENTION_COVERAGE, ATTENTION_RANK_DROP,
                                      ATTENTION_SCORE_DROP)


def _groups(results: Any) -> list[str]:
    order = {"department": 0, "subdistrict": 1}
    groups = results.units["peer_group"].astype(str).unique().tolist()
    return sorted(groups, key=lambda g: (order.get(g, 9), g))


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


def attention_flags(results: Any, language: str = "zh") -> pd.DataFrame:
    """Units flagged for attention (:func:`evalkit.results.analysis.attention_flags`), with
    every reason in words.

    Columns: ``unit_id, name, peer_group, score, grade, rank, reasons`` (list of texts),
    lowest score first.
    """
    flags = analysis.attention_flags(results)
    bands = grade_bands(results)
    fail = grade_text(bands.fail, bands, language)
    area_names = dict(zip(analysis.area_rates(results).columns, area_rates(results, language).columns))
    sep = msg(language, "list_sep")
    by_unit = {uid: part for uid, part in flags.groupby("unit_id", sort=False)}
    rows = []
    for _, u in results.units.iterrows():
        part = by_unit.get(str(u["unit_id"]))
        if part is None:
            continue
        reasons = []
        for rule in analysis.ATTENTION_RULES:
            hits = part[part["rule"] == rule]
            if hits.empty:
                continue
            if rule == "fail":
                reasons.append(msg(language, "ov_flag_fail", fail=fail))
            elif rule == "rank_drop":
                reasons.append(msg(language, "ov_flag_rank_drop", n=int(hits["value"].iloc[0])))
            elif rule == "score_drop":
                reasons.append(msg(language, "ov_flag_score_drop", delta=fmt_fixed(hits["value"].iloc[0], 1)))
            elif rule == "low_area":
                reasons.append(msg(language, "ov_flag_low_area", areas=sep.join(
                    f"{area_names[a]} {100 * v:.0f}%" for a, v in zip(hits["area"], hits["value"]))))
            else:
                reasons.append(msg(language, "ov_flag_coverage", coverage=f"{100 * float(hits['value'].iloc[0]):.0f}%"))
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
    bands = grade_bands(results)
    grades = analysis.grade_counts(results).sum(axis=0)
    flagged = attention_flags(results, language)
    lead = msg(language, "ov_lead", year=year, n=len(units), mean=fmt_fixed(scores.mean(), 1),
               low=fmt_fixed(scores.min(), 1), high=fmt_fixed(scores.max(), 1),
               top=grade_text(bands.top, bands, language), n_top=int(grades[bands.top]),
               fail=grade_text(bands.fail, bands, language), n_fail=int(grades[bands.fail]),
               flagged=len(flagged))
    items = [blocks.card(msg(language, "ov_units"), msg(language, "ov_units_value", n=len(units)), (), "main"),
             blocks.card(msg(language, "ov_mean"), fmt_fixed(scores.mean(), 1),
                         msg(language, "ov_range", low=fmt_fixed(scores.min(), 1),
                             high=fmt_fixed(scores.max(), 1)))]
    for grade in dict.fromkeys((bands.top, bands.fail)):
        items.append(blocks.card(msg(language, "ov_grade_count", grade=grade_text(grade, bands, language)),
                                 msg(language, "ov_units_value", n=int(grades[grade])), (),
                                 f"grade-{grade_style(grade, bands)}"))
    items.append(blocks.card(msg(language, "ov_flagged"),
                             msg(language, "ov_units_value", n=len(flagged)), (),
                             "change-down" if len(flagged) else "change-same"))
    return blocks.section("summary", msg(language, "summary_heading"),
                          [blocks.paragraph(lead, "lead"), blocks.cards(items)])


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
    return blocks.section("grades", msg(language, "ov_grades_heading"), [
        blocks.figure(svg, msg(language, "ov_grades_caption"), 0.85),
        blocks.table(cols, rows, footer=footer, notes=notes, style="compact")])


def attention_section(results: Any, language: str = "zh") -> dict:
    flagged = attention_flags(results, language)
    bands = grade_bands(results)
    rules = msg(language, "ov_attention_rules", fail=grade_text(bands.fail, bands, language),
                drop=ATTENTION_RANK_DROP,
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
                        blocks.cell(grade_text(r.grade, bands, language),
                                    style=f"grade-{grade_style(r.grade, bands)}"),
                        sep.join(r.reasons)])
            for r in flagged.itertuples(index=False)]
    return blocks.section("attention", msg(language, "ov_attention_heading"),
                          [blocks.paragraph(rules, "note"), blocks.table(cols, rows)])


def movers_section(results: Any, language: str = "zh") -> dict:
    up, down = analysis.movers(results)
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
    bands = grade_bands(results)
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
                     blocks.cell(grade_text(r.get("grade"), bands, language),
                                 style=f"grade-{grade_style(r.get('grade'), bands)}"),
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


#: The district overview's outline: ``(id, builder)`` in order; a builder takes ``(results,
#: language, parameters)`` and returns one block or a list of blocks (one per peer group).
OVERVIEW_SECTIONS: tuple[tuple[str, Callable[..., dict | list[dict]]], ...] = (
    ("document", lambda res, lang, params: overview_document(res, lang)),
    ("summary", lambda res, lang, params: summary_section(res, lang)),
    ("grades", lambda res, lang, params: grades_section(res, lang)),
    ("attention", lambda res, lang, params: attention_section(res, lang)),
    ("movers", lambda res, lang, params: movers_section(res, lang)),
    ("league", lambda res, lang, params: league_sections(res, lang)),
    ("heatmap", lambda res, lang, params: heatmap_sections(res, lang)),
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
