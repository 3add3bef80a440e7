"""The appraisal export (绩效考核结果表): the table the organisation department takes into the
annual performance appraisal (年度绩效考核), one row per unit, and its notes.

Everything in the table is read from one results computation
(:func:`evalkit.results.compute.compute_results`) and worded by the functions the unit
reports use, so the export and the reports cannot disagree:

* score, base, bonus and deduction: :func:`evalkit.results.analysis.score_composition`, the
  printed parts of the report's score composition, rounded to
  :data:`~evalkit.scoring.kernels.PUBLISHED_DECIMALS` so that base + bonus − deduction =
  score exactly as printed;
* grade names: the results' grade bands (:func:`evalkit.report.present.grade_text`);
* rank as reported (ties, rank band, 暂定): :func:`evalkit.report.present.rank_phrase`;
* 一票否决 / 一票否优 and capped points: :func:`evalkit.results.analysis.decisions` and
  :func:`evalkit.report.present.decision_texts`; the provisional reason:
  :func:`evalkit.report.present.provisional_reason`.

:func:`appraisal_table` and :func:`appraisal_notes` are pure (no clock, no I/O);
:func:`write_appraisal` writes both as a workbook with :func:`evalkit.data.writers.write_workbook`
(plain values, no formulas). The layout is documented in ``docs/appraisal-export.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.data.writers import Sheet, write_workbook
from evalkit.errors import ReportError
from evalkit.report import present
from evalkit.report.messages import label, msg
from evalkit.results import analysis
from evalkit.results.analysis import is_missing

LANGUAGES = ("zh", "en")

#: Sheet names: the table, then the notes.
TABLE_SHEET = {"zh": "考核结果", "en": "Appraisal"}
NOTES_SHEET = "说明 Notes"

_YES = {"zh": "是", "en": "Yes"}
_NO = {"zh": "否", "en": "No"}
_JOIN = {"zh": "；", "en": "; "}


@dataclass(frozen=True)
class AppraisalColumn:
    """One column of the appraisal table: its key (the DataFrame column), its header in
    Chinese and English, what it holds in both languages and, for numbers, its kind
    (``score``: printed with the published decimals; ``count``: a whole number)."""

    key: str
    zh: str
    en: str
    note_zh: str
    note_en: str
    kind: str = "text"

    def header(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


#: The columns, in order. The notes sheet lists each with its explanation.
COLUMNS: tuple[AppraisalColumn, ...] = (
    AppraisalColumn("year", "年度", "Year", "评价年度。", "Evaluation year.", "count"),
    AppraisalColumn("unit_id", "单位编码", "Unit code", "被评价单位的编码（units 表）。",
                    "The unit's code (units table)."),
    AppraisalColumn("name", "单位名称", "Unit name", "单位名称（英文表为英文名称，缺英文名时用中文名）。",
                    "The unit's name (the Chinese name when no English name is given)."),
    AppraisalColumn("peer_group", "对比组", "Peer group", "单位所在的对比组；名次在组内排定。",
                    "The unit's peer group; ranks are within it."),
    AppraisalColumn("score", "综合得分", "Score",
                    "百分制综合得分 = 基础得分 + 加分 − 扣分，保留的小数位数与报告相同（名次和等次按此精度确定）；"
                    "加分可使得分高于 100。",
                    "Score on the 0–100 scale = base + bonus − deduction, with the reports' decimals (ranks and "
                    "grades are decided at this precision); a bonus can take it above 100.", "score"),
    AppraisalColumn("grade", "等次", "Grade",
                    "评估等次，名称取自本次结果的等次档位；已计入一票否决、一票否优和最高等次比例限制。",
                    "The grade, named by the results' grade bands; veto, bar on the top grade and the "
                    "top-grade quota already applied."),
    AppraisalColumn("rank", "名次", "Rank",
                    "组内名次（按得分从高到低；同分并列，并列单位名次相同，下一名次顺延）。",
                    "Rank within the peer group (highest score first; equal scores share a rank and the "
                    "next rank is skipped).", "count"),
    AppraisalColumn("n_in_group", "组内单位数", "Units in group", "对比组内参与排名的单位数。",
                    "Number of ranked units in the peer group.", "count"),
    AppraisalColumn("rank_text", "名次（报告表述）", "Rank as reported",
                    "单位报告中的名次表述：并列时注“（并列）”；排名区间较宽时给出所在区段而非确切名次；暂定时注“（暂定）”。",
                    "The rank as the unit report words it: “(tied)” for a shared rank, the rank band instead "
                    "of the exact place when the rank interval is wide, “(provisional)” when provisional."),
    AppraisalColumn("tied", "并列", "Tied", "是否与组内其他单位名次并列。",
                    "Whether other units of the peer group share the rank."),
    AppraisalColumn("provisional", "暂定", "Provisional",
                    "等次和名次是否为暂定（有实际数据的适用分值占比低于公布门槛）。",
                    "Whether grade and rank are provisional (too small a share of the applicable points "
                    "rests on data)."),
    AppraisalColumn("veto", "一票否决", "Veto", "是否一票否决（无论得分多少，等次定为最低档）。",
                    "Whether a veto applies (the lowest grade whatever the score)."),
    AppraisalColumn("veto_reason", "一票否决事由", "Veto reason", "一票否决的事由（adjustments 表）。",
                    "The reason for the veto (adjustments table)."),
    AppraisalColumn("bar_top", "一票否优", "Barred from top grade", "是否一票否优（不得评为最高档）。",
                    "Whether the unit is barred from the top grade (一票否优)."),
    AppraisalColumn("bar_top_reason", "一票否优事由", "Bar reason", "一票否优的事由（adjustments 表）。",
                    "The reason for the bar (adjustments table)."),
    AppraisalColumn("base", "基础得分", "Base score",
                    "指标得分折算为百分制（不适用指标的分值已剔除后按 100 分折算），未计加分和扣分。",
                    "The indicators' points on the 0–100 scale (re-based to 100 when indicators do not "
                    "apply), before bonus and deduction.", "score"),
    AppraisalColumn("bonus", "加分", "Bonus", "计入总分的加分（已按上限封顶）。",
                    "Bonus points counted in the score (after the cap).", "score"),
    AppraisalColumn("bonus_requested", "申报加分", "Bonus requested", "申报的加分合计（封顶前）；无加分事项时为空。",
                    "Bonus points requested (before the cap); empty when there is none.", "score"),
    AppraisalColumn("bonus_cap", "加分上限", "Bonus cap", "评价体系规定的加分上限；无加分事项时为空。",
                    "The framework's cap on bonus points; empty when there is no bonus.", "score"),
    AppraisalColumn("bonus_reasons", "加分事由", "Bonus reasons", "各项加分的事由。", "The reasons for the bonus points."),
    AppraisalColumn("deduction", "扣分", "Deduction", "计入总分的扣分（已按上限封顶）。",
                    "Deduction points counted in the score (after the cap).", "score"),
    AppraisalColumn("deduction_requested", "应扣分", "Deduction requested", "应扣分合计（封顶前）；无扣分事项时为空。",
                    "Deduction points due (before the cap); empty when there is none.", "score"),
    AppraisalColumn("deduction_cap", "扣分上限", "Deduction cap", "评价体系规定的扣分上限；无扣分事项时为空。",
                    "The framework's cap on deductions; empty when there is no deduction.", "score"),
    AppraisalColumn("deduction_reasons", "扣分事由", "Deduction reasons", "各项扣分的事由。",
                    "The reasons for the deductions."),
    AppraisalColumn("provisional_reason", "暂定原因", "Provisional reason",
                    "等次和名次为暂定的原因（与单位报告相同）；非暂定时为空。",
                    "Why grade and rank are provisional (as in the unit report); empty when they are not."),
    AppraisalColumn("decisions", "评定说明", "Decisions",
                    "单位报告中列出的各项决定（一票否决、一票否优、加分或扣分封顶、暂定），每项一行。",
                    "Every decision the unit report lists (veto, bar on the top grade, capped bonus or "
                    "deduction, provisional), one per line."),
)

_KEYS = [c.key for c in COLUMNS]


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ReportError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")


def _yes_no(value: Any, language: str) -> str:
    return _YES[language] if not is_missing(value) and bool(value) else _NO[language]


def _reason(reason: Any, reason_en: Any, language: str) -> str:
    """The reason in ``language`` as :func:`~evalkit.report.present.decision_texts` picks it:
    the English text in English when there is one, else the data's text."""
    if language != "zh" and not is_missing(reason_en) and str(reason_en):
        return str(reason_en)
    return "" if is_missing(reason) else str(reason)


def _number(value: Any) -> float:
    return float("nan") if is_missing(value) else float(value)


def _composition(results: Any, unit: str, decimals: int) -> dict[str, Any]:
    """The printed parts of the unit's total (base on 100, bonus and deduction with what was
    requested, the cap and the reasons) from :func:`analysis.score_composition`."""
    comp = analysis.score_composition(results, unit, decimals).set_index("row")
    base_row = "rebased" if "rebased" in comp.index else "base"
    out: dict[str, Any] = {"base": _number(comp.at[base_row, "shown"]),
                           "score": _number(comp.at["total", "shown"])}
    for kind in ("bonus", "deduction"):
        if kind in comp.index:
            out[kind] = _number(comp.at[kind, "shown"])
            out[f"{kind}_requested"] = _number(comp.at[kind, "requested"])
            out[f"{kind}_cap"] = _number(comp.at[kind, "cap"])
            out[f"{kind}_reasons"] = comp.at[kind, "reasons"] or []
        else:
            out[kind] = 0.0
            out[f"{kind}_requested"] = out[f"{kind}_cap"] = float("nan")
            out[f"{kind}_reasons"] = []
    return out


def appraisal_table(results: Any, language: str = "zh") -> pd.DataFrame:
    """One row per unit of ``results`` (in ``results.units`` order: peer group, rank), with
    the columns of :data:`COLUMNS` (keys ``year, unit_id, name, peer_group, score, grade,
    rank, n_in_group, rank_text, tied, provisional, veto, veto_reason, bar_top,
    bar_top_reason, base, bonus, bonus_requested, bonus_cap, bonus_reasons, deduction,
    deduction_requested, deduction_cap, deduction_reasons, provisional_reason, decisions``).

    Scores (``score``, ``base``, ``bonus``, ``deduction`` and the requested points and caps)
    are numbers rounded to :data:`~evalkit.scoring.kernels.PUBLISHED_DECIMALS`, and
    ``base + bonus − deduction == score`` holds for the rounded values. Texts (grade names,
    rank as reported, yes/no, reasons, decisions) are in ``language`` (``zh`` or ``en``);
    a unit without a score has empty numbers and the reports' "—". Nothing is recomputed:
    see the module docstring for where each column comes from.
    """
    _check_language(language)
    decimals = present.score_decimals()
    bands = present.grade_bands(results)
    decided = analysis.decisions(results)
    year = int((results.meta or {}).get("year") or results.units["year"].iloc[0])
    rows = []
    for rec in results.units.to_dict("records"):
        uid = str(rec["unit_id"])
        mine = decided[decided["unit_id"].astype(str) == uid]

        def reasons_of(kind: str) -> str:
            rs = mine[mine["kind"] == kind]
            return _JOIN[language].join(_reason(r.reason, r.reason_en, language) for r in rs.itertuples())

        scored = not is_missing(rec.get("score_100"))
        comp = _composition(results, uid, decimals) if scored else {}
        rank = rec.get("rank")
        row = {
            "year": year,
            "unit_id": uid,
            "name": present._name(rec, language),
            "peer_group": label(language, "peer_group", rec.get("peer_group")),
            "score": comp.get("score", float("nan")),
            "grade": present.grade_text(rec.get("grade"), bands, language),
            "rank": pd.NA if is_missing(rank) else int(rank),
            "n_in_group": pd.NA if is_missing(rec.get("n_in_group")) else int(rec["n_in_group"]),
            "rank_text": present.rank_phrase(results, uid, language),
            "tied": _yes_no(not is_missing(rank) and present.tie_count(results, uid) > 1, language),
            "provisional": _yes_no(present.is_provisional(rec), language),
            "veto": _yes_no(rec.get("veto"), language),
            "veto_reason": reasons_of("veto"),
            "bar_top": _yes_no(rec.get("bar_top"), language),
            "bar_top_reason": reasons_of("bar_top"),
            "provisional_reason": present.provisional_reason(results, uid, language),
            "decisions": "\n".join(present.decision_texts(results, uid, language)),
        }
        for key in ("base", "bonus", "deduction", "bonus_requested", "bonus_cap",
                    "deduction_requested", "deduction_cap"):
            row[key] = comp.get(key, float("nan"))
        for kind in ("bonus", "deduction"):
            row[f"{kind}_reasons"] = _JOIN[language].join(
                _reason(zh, en, language) for zh, en in comp.get(f"{kind}_reasons", []))
        rows.append(row)
    table = pd.DataFrame(rows, columns=_KEYS)
    for c in COLUMNS:
        if c.kind == "score":
            table[c.key] = table[c.key].astype("float64")
        elif c.kind == "count":
            table[c.key] = table[c.key].astype("Int64")
    return table


def _source_texts(results: Any) -> tuple[str, str]:
    """Where the data came from: the store (URL, snapshot, its time, ``--as-of``) or the
    data files (their number; their checksums are in the reports' provenance annex)."""
    meta = results.meta or {}
    store = meta.get("store")
    if store:
        parts = [str(store.get("url", "")), f"snapshot {store.get('snapshot')}"]
        if store.get("at"):
            parts.append(str(store["at"]))
        if store.get("as_of"):
            parts.append(f"--as-of {store['as_of']}")
        text = " · ".join(p for p in parts if p)
        return f"效能数据库：{text}", f"Efficiency database: {text}"
    n = len(meta.get("data_hashes") or {})
    return f"数据目录（{n} 个数据文件）", f"Data directory ({n} data files)"


def appraisal_notes(results: Any, language: str = "zh", *, generated: dt.date) -> pd.DataFrame:
    """The notes sheet: three columns (item; Chinese; English) — what the table is, every
    column of :data:`COLUMNS` with its header and explanation in both languages, then the
    provenance: framework and its version and checksum, the data set checksum as the reports'
    provenance annex prints it, the data source (the store's snapshot with ``--db``), the
    evalkit version and the date ``generated`` (given by the caller: no clock here)."""
    _check_language(language)
    meta = results.meta or {}
    year = int(meta.get("year") or results.units["year"].iloc[0])
    headers = ("项目 Item", "中文", "English")
    rows: list[tuple[str, str, str]] = [
        ("表格 Table", f"{year} 年度绩效考核：政府效能评估结果，每个被评价单位一行，按对比组和名次排列。",
         f"Government efficiency evaluation results for the {year} annual performance appraisal: one row "
         "per unit, by peer group and rank."),
        ("语言 Language", f"工作表“{TABLE_SHEET[language]}”的表头和文字为" + ("中文。" if language == "zh" else "英文。"),
         f"The headers and texts of sheet “{TABLE_SHEET[language]}” are in "
         + ("Chinese." if language == "zh" else "English.")),
        ("口径 Basis", "所有数值和文字均取自同一次结果计算，与单位报告一致；表中只有数值和文字，没有公式。",
         "Every value and text comes from one results computation and matches the unit reports; the "
         "workbook holds plain values, no formulas."),
    ]
    from openpyxl.utils import get_column_letter

    for j, c in enumerate(COLUMNS, start=1):
        rows.append((f"{get_column_letter(j)}: {c.zh} / {c.en}", c.note_zh, c.note_en))
    fw = {lang: " ".join(x for x in (present.framework_name(results, lang), str(meta.get("framework_version", "")))
                         if x) for lang in LANGUAGES}
    rows.append((f"{msg('zh', 'framework')} / {msg('en', 'framework')}", fw["zh"], fw["en"]))
    fw_hash = str(meta.get("framework_hash") or "")
    rows.append((f"{msg('zh', 'framework_hash')} / {msg('en', 'framework_hash')}",
                 f"{present.short_hash(fw_hash)}（SHA-256：{fw_hash or '—'}）",
                 f"{present.short_hash(fw_hash)} (SHA-256: {fw_hash or '—'})"))
    hashes = meta.get("data_hashes") or {}
    if hashes:
        digest = present.dataset_digest(hashes)
        rows.append((f"{msg('zh', 'dataset_hash')} / {msg('en', 'dataset_hash')}",
                     f"{present.short_hash(digest)} {msg('zh', 'dataset_hash_files', n=len(hashes))}"
                     f"（SHA-256：{digest}）",
                     f"{present.short_hash(digest)} {msg('en', 'dataset_hash_files', n=len(hashes))} "
                     f"(SHA-256: {digest})"))
    source_zh, source_en = _source_texts(results)
    rows.append(("数据来源 Data source", source_zh, source_en))
    rows.append((f"{msg('zh', 'evalkit_version')} / {msg('en', 'evalkit_version')}",
                 str(meta.get("evalkit_version", "—")), str(meta.get("evalkit_version", "—"))))
    rows.append(("生成日期 Generated on", generated.isoformat(), generated.isoformat()))
    return pd.DataFrame(rows, columns=list(headers))


def appraisal_sheets(results: Any, language: str = "zh", *, generated: dt.date) -> list[Sheet]:
    """The two sheets of the workbook: the table under one header row in ``language`` (the
    other language's headers are in the notes), and the notes."""
    table = appraisal_table(results, language)
    decimals = present.score_decimals()
    score_format = "0." + "0" * decimals if decimals > 0 else "0"
    formats = {c.header(language): (score_format if c.kind == "score" else "0")
               for c in COLUMNS if c.kind in ("score", "count")}
    shown = table.rename(columns={c.key: c.header(language) for c in COLUMNS})
    wrap = tuple(c.header(language) for c in COLUMNS if c.key in ("decisions", "provisional_reason",
                                                                  "bonus_reasons", "deduction_reasons",
                                                                  "veto_reason", "bar_top_reason", "rank_text"))
    notes = appraisal_notes(results, language, generated=generated)
    return [Sheet(TABLE_SHEET[language], shown, number_formats=formats, wrap=wrap),
            Sheet(NOTES_SHEET, notes, wrap=tuple(notes.columns[1:]), auto_filter=False)]


def write_appraisal(results: Any, path: str | Path, language: str = "zh", *,
                    generated: dt.date) -> Path:
    """Write the appraisal workbook (:func:`appraisal_sheets`) to ``path`` (``.xlsx``),
    atomically; returns the path."""
    path = Path(path)
    if not path.name.lower().endswith(".xlsx"):
        raise ReportError(f"--out: expected a file ending in .xlsx; found '{path.name}'")
    return write_workbook(appraisal_sheets(results, language, generated=generated), path)


def columns_markdown() -> str:
    """The column table of ``docs/appraisal-export.md`` (a test keeps the page equal to it)."""
    from openpyxl.utils import get_column_letter

    lines = ["| col | key | 中文表头 | English header | 说明 | meaning |", "|---|---|---|---|---|---|"]
    for j, c in enumerate(COLUMNS, start=1):
        lines.append(f"| {get_column_letter(j)} | `{c.key}` | {c.zh} | {c.en} | {c.note_zh} | {c.note_en} |")
    return "\n".join(lines) + "\n"
