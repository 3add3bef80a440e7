"""The data-quality reports (数据质量报告): the district's and one per unit.

Built from a :class:`QualityBundle` — what ``evalkit quality`` computed and saved in
``OUT/<year>/quality/`` (metrics, scores, the scores of earlier years, verification audits,
provenance) — as the same display blocks as the efficiency reports
(:mod:`evalkit.report.blocks`): the same look in HTML and PDF, in Chinese and English. Row
references in failed checks name files and rows, never personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from . import blocks
from ..quality.checks import DIMENSIONS
from ..quality.score import aggregation_text
from .messages import msg
from .present import dataset_digest, fmt_fixed, short_hash, unit_name

#: The files of a saved bundle (``OUT/<year>/quality/``).
BUNDLE_FILES = {"metrics": "metrics.parquet", "scores": "scores.parquet", "history": "score_history.parquet",
                "audits": "audits.parquet", "units": "units.parquet"}
META_FILE = "quality_meta.json"
FAILED = ("warn", "error")


@dataclass(frozen=True)
class QualityBundle:
    year: int
    metrics: pd.DataFrame
    scores: pd.DataFrame          # unit_id, score, <dimension> columns (0–100), failed, errors
    history: pd.DataFrame         # unit_id, year, score
    audits: pd.DataFrame          # unit_id, table, sampled, wrong, rate, low, high, population, est…
    units: pd.DataFrame           # unit_id, name_zh, name_en, peer_group
    meta: Mapping[str, Any] = field(default_factory=dict)

    def save(self, folder: Path) -> list[Path]:
        from ..data.files import save_frames

        return save_frames(folder, {file: getattr(self, name) for name, file in BUNDLE_FILES.items()},
                           META_FILE, {"year": self.year, **self.meta})

    @classmethod
    def load(cls, folder: str | Path) -> "QualityBundle":
        from ..data.files import load_frames

        frames, meta = load_frames(folder, BUNDLE_FILES.values(), META_FILE)
        return cls(year=int(meta.pop("year")), meta=meta,
                   **{name: frames[file] for name, file in BUNDLE_FILES.items()})

    def unit_name(self, unit: str, language: str) -> str:
        return unit_name(self.units, unit, language)


def table_label(name: Any, language: str) -> str:
    """A data-contract table as readers know it: its Chinese label, or its name in English."""
    from ..data.contract import TABLES

    table = TABLES.get(str(name))
    if table is None:
        return str(name)
    return table.label_zh if language == "zh" else table.name.replace("_", " ")


def _pct(value: Any, digits: int = 1) -> str:
    return "—" if value is None or pd.isna(value) else f"{100 * float(value):.{digits}f}%"


def _score(value: Any) -> str:
    return fmt_fixed(value, 1)


def _dim(language: str, dimension: str) -> str:
    return DIMENSIONS[dimension]["zh" if language == "zh" else "en"]


def _status_cell(status: str, language: str) -> dict:
    return blocks.cell(msg(language, f"q_status.{status}"), style={"error": "bad", "warn": "warn"}.get(status, ""))


# ----------------------------------------------------------------------------------------
# Shared sections
# ----------------------------------------------------------------------------------------

def document(bundle: QualityBundle, language: str, unit: str | None = None) -> dict:
    year = bundle.year
    if unit:
        name = bundle.unit_name(unit, language)
        title = msg(language, "q_title_unit", year=year, name=name)
        subtitle = msg(language, "q_subtitle_unit", unit_id=unit)
        kind, cover_name = "unit", name
    else:
        title = msg(language, "q_title", year=year)
        subtitle = msg(language, "q_subtitle", n=len(bundle.units))
        kind, cover_name = "overview", msg(language, "q_cover_name")
    cover = {"kicker": msg(language, "q_kicker"), "title": msg(language, "q_cover_title", year=year),
             "name": cover_name,
             "lines": [[msg(language, "cover_year"), msg(language, "year_text", year=year)],
                       [msg(language, "q_checks"), str(int(bundle.meta.get("checks", 0)))]],
             "note": msg(language, "q_cover_note")}
    return blocks.document(kind=kind, title=title, subtitle=subtitle, lang=msg(language, "html_lang"),
                           language=language, running_header=title,
                           footer=msg(language, "q_footer", year=year), cover=cover)


def _failed(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["status"].isin(FAILED)]


def failed_checks_table(metrics: pd.DataFrame, language: str, *, with_unit: bool,
                        units: QualityBundle | None = None, limit: int = 60) -> dict:
    failed = _failed(metrics).copy()
    failed["order"] = failed["status"].map({"error": 0, "warn": 1})
    failed = failed.sort_values(["order", "dimension", "check", "unit_id"], kind="stable")
    cols = []
    if with_unit:
        cols.append(blocks.column(msg(language, "q_col_unit"), width=1.6))
    cols += [blocks.column(msg(language, "q_col_check"), width=2.6),
             blocks.column(msg(language, "q_col_dimension"), width=0.9),
             blocks.column(msg(language, "q_col_value"), "right", 0.8),
             blocks.column(msg(language, "q_col_threshold"), "right", 0.8),
             blocks.column(msg(language, "q_col_status"), "center", 0.75),
             blocks.column(msg(language, "q_col_examples"), width=2.2)]
    rows = []
    for r in failed.head(limit).itertuples(index=False):
        cells = []
        if with_unit:
            cells.append(units.unit_name(r.unit_id, language) if units is not None else str(r.unit_id))
        text = _check_text(r, language)
        cells += [blocks.cell(text, sub=f"{r.check} · {table_label(r.table, language)}"), _dim(language, r.dimension),
                  _ratio(r), _threshold(r), _status_cell(r.status, language), _examples(r, language)]
        rows.append(blocks.row(cells))
    notes = [msg(language, "q_failed_note")]
    if len(failed) > limit:
        notes.append(msg(language, "q_more_failed", n=len(failed) - limit))
    return blocks.table(cols, rows, notes=notes, style="compact")


def _check_text(r: Any, language: str) -> str:
    text = getattr(r, "description_en" if language != "zh" else "description_zh", None) \
        or getattr(r, "description", None) or r.check
    return str(text)


def _ratio(r: Any):
    """The check's value — the per cent of the items looked at that pass — with the counts."""
    num, den = getattr(r, "numerator", None), getattr(r, "denominator", None)
    value = getattr(r, "value", None)
    text = "—" if value is None or pd.isna(value) else f"{float(value):.1f}%"
    if den is not None and not pd.isna(den) and float(den) > 0 and num is not None and not pd.isna(num):
        return blocks.cell(text, sub=f"{int(num):,}/{int(den):,}")
    return text


def _threshold(r: Any) -> str:
    t = getattr(r, "threshold", None)
    return "—" if t is None or pd.isna(t) else f"≥ {float(t):g}%"


def _examples(r: Any, language: str) -> str:
    ex = getattr(r, "examples", None)
    if ex is None or (not isinstance(ex, str) and pd.isna(ex)):
        return ""
    sep = "；" if language == "zh" else "; "
    return sep.join(example_text(part, str(getattr(r, "table", "") or ""), language)
                    for part in str(ex).split("; ") if part.strip())


def _code_label(table: str, code: str, language: str) -> str:
    from ..data.contract import TABLES

    t = TABLES.get(table)
    for col in (t.columns if t is not None else ()):
        if col.categories and code in col.categories:
            return col.categories[code] if language == "zh" else code.replace("_", " ")
    return code.replace("_", " ")


def example_text(text: str, table: str, language: str) -> str:
    """One example of a failed check (a row reference, a missing month, a month out of its control
    limits) in the report's language, category codes as readers know them."""
    from ..quality.metrics import parse_example

    parsed = parse_example(text)
    if parsed is None:
        return text
    kind, f = parsed
    if kind == "month_missing":
        codes = [_code_label(table, c.strip(), language) for c in f["codes"].split(",") if c.strip()]
        f = {**f, "codes": ("、" if language == "zh" else ", ").join(codes)}
    elif kind == "month_volume":
        kind = "month_flat" if "flat" in f else "month_volume"
    return msg(language, f"q_example.{kind}", **f)


def audits_section(bundle: QualityBundle, language: str, unit: str | None = None) -> dict:
    audits = bundle.audits
    if unit:
        audits = audits[audits["unit_id"].astype(str) == str(unit)]
    heading = msg(language, "q_audits_heading")
    if audits.empty:
        return blocks.section("audits", heading, [blocks.paragraph(msg(language, "q_audits_none"), "note")])
    cols = ([] if unit else [blocks.column(msg(language, "q_col_unit"), width=1.6)]) + [
        blocks.column(msg(language, "q_col_table"), width=1.3),
        blocks.column(msg(language, "q_col_sampled"), "right", 0.7),
        blocks.column(msg(language, "q_col_wrong"), "right", 0.7),
        blocks.column(msg(language, "q_col_rate"), "right", 1.5),
        blocks.column(msg(language, "q_col_estimate"), "right", 1.6)]
    rows = []
    for r in audits.sort_values(["unit_id", "table"]).itertuples(index=False):
        cells = [] if unit else [bundle.unit_name(r.unit_id, language)]
        cells += [table_label(r.table, language), f"{int(r.sampled):,}", f"{int(r.wrong):,}",
                  blocks.cell(_pct(r.rate), sub=msg(language, "q_interval", low=_pct(r.low), high=_pct(r.high))),
                  blocks.cell(f"{r.estimate:,.0f}", sub=msg(language, "q_interval_n", low=f"{r.estimate_low:,.0f}",
                                                            high=f"{r.estimate_high:,.0f}",
                                                            n=f"{int(r.population):,}"))]
        rows.append(blocks.row(cells))
    return blocks.section("audits", heading, [blocks.table(cols, rows, notes=[msg(language, "q_audits_note")],
                                                           style="compact")])


def method_section(bundle: QualityBundle, language: str) -> dict:
    sep = "：" if language == "zh" else ": "
    items = [_dim(language, d) + sep + msg(language, f"q_method.{d}") for d in DIMENSIONS]
    return blocks.section("method", msg(language, "q_method_heading"), [
        blocks.paragraph(msg(language, "q_method_intro")),
        blocks.bullets(items),
        blocks.paragraph(aggregation_text(language), "note"),
    ])


def provenance_section(bundle: QualityBundle, language: str) -> dict:
    hashes = bundle.meta.get("data_hashes") or {}
    rows = [blocks.kv(msg(language, "q_source"), str(bundle.meta.get("source", "—")))]
    if bundle.meta.get("store"):
        store = bundle.meta["store"]
        rows.append(blocks.kv(msg(language, "q_store"), f"{store.get('url', '')} · snapshot {store.get('snapshot')}",
                              mono=True))
    if hashes:
        rows.append(blocks.kv(msg(language, "dataset_hash"),
                              f"{short_hash(dataset_digest(hashes))} " + msg(language, "dataset_hash_files",
                                                                              n=len(hashes)), mono=True))
    rows.append(blocks.kv(msg(language, "q_checks"), str(int(bundle.meta.get("checks", 0)))
                          + (f" · {bundle.meta['checks_file']}" if bundle.meta.get("checks_file") else "")))
    rows.append(blocks.kv(msg(language, "evalkit_version"), str(bundle.meta.get("evalkit_version", "—"))))
    return blocks.section("provenance", msg(language, "provenance_heading"),
                          [blocks.keyvalue(rows)], break_before=True)


# ----------------------------------------------------------------------------------------
# District report
# ----------------------------------------------------------------------------------------

def district_summary(bundle: QualityBundle, language: str) -> dict:
    scores, metrics = bundle.scores, bundle.metrics
    failed = _failed(metrics)
    low = scores[scores["score"] < float(bundle.meta.get("attention_below", 80))]
    cards = blocks.cards([
        blocks.card(msg(language, "q_card_units"), f"{len(scores)}"),
        blocks.card(msg(language, "q_card_median"), _score(scores["score"].median()),
                    msg(language, "q_card_range", low=_score(scores["score"].min()), high=_score(scores["score"].max()))),
        blocks.card(msg(language, "q_card_failed"), f"{int((failed['status'] == 'error').sum())} / "
                    f"{int((failed['status'] == 'warn').sum())}", msg(language, "q_card_failed_note")),
        blocks.card(msg(language, "q_card_low"), f"{len(low)}",
                    msg(language, "q_card_low_note", below=_score(bundle.meta.get("attention_below", 80)))),
    ])
    lead = msg(language, "q_lead", year=bundle.year, n=len(scores), checks=int(bundle.meta.get("checks", 0)),
               failed=int(failed["unit_id"].nunique()))
    return blocks.section("summary", msg(language, "q_summary_heading"), [blocks.paragraph(lead), cards])


def scores_section(bundle: QualityBundle, language: str) -> dict:
    scores = bundle.scores.sort_values(["score", "unit_id"], kind="stable")
    cols = [blocks.column(msg(language, "q_col_unit"), width=1.8),
            blocks.column(msg(language, "q_col_score"), "right", 0.7)]
    cols += [blocks.column(_dim(language, d), "right", 0.75) for d in DIMENSIONS]
    cols += [blocks.column(msg(language, "q_col_failed"), "right", 0.7)]
    rows = []
    below = float(bundle.meta.get("attention_below", 80))
    for r in scores.itertuples(index=False):
        cells = [blocks.cell(bundle.unit_name(r.unit_id, language), sub=str(r.unit_id)),
                 blocks.cell(_score(r.score), style="bad" if r.score < below else "strong")]
        cells += [_score(getattr(r, d, None)) for d in DIMENSIONS]
        cells.append(str(int(getattr(r, "failed", 0))))
        rows.append(blocks.row(cells))
    return blocks.section("scores", msg(language, "q_scores_heading"),
                          [blocks.table(cols, rows, notes=[msg(language, "q_scores_note")], style="compact")])


def trend_section(bundle: QualityBundle, language: str, unit: str | None = None) -> dict:
    history = bundle.history
    if unit:
        history = history[history["unit_id"].astype(str) == str(unit)]
    heading = msg(language, "q_trend_heading")
    if history.empty or history["year"].nunique() < 2:
        return blocks.section("trend", heading, [blocks.paragraph(msg(language, "q_trend_none"), "note")])
    by_year = history.groupby("year")["score"]
    district = bundle.history.groupby("year")["score"].median()
    cols = [blocks.column(msg(language, "cover_year"), width=0.8),
            blocks.column(msg(language, "q_col_score") if unit else msg(language, "q_col_median"), "right", 0.9),
            blocks.column(msg(language, "q_col_district_median"), "right", 0.9)]
    rows = [blocks.row([str(int(y)), _score(by_year.get_group(y).iloc[0] if unit else by_year.get_group(y).median()),
                        _score(district.get(y))]) for y in sorted(by_year.groups)]
    return blocks.section("trend", heading, [blocks.table(cols, rows, style="compact")])


def district_sections(bundle: QualityBundle, language: str = "zh") -> list[dict]:
    return [document(bundle, language), district_summary(bundle, language), scores_section(bundle, language),
            blocks.section("failed", msg(language, "q_failed_heading"),
                           [failed_checks_table(bundle.metrics, language, with_unit=True, units=bundle)]),
            trend_section(bundle, language), audits_section(bundle, language), method_section(bundle, language),
            provenance_section(bundle, language)]


# ----------------------------------------------------------------------------------------
# Unit report
# ----------------------------------------------------------------------------------------

def unit_summary(bundle: QualityBundle, unit: str, language: str) -> dict:
    scores = bundle.scores.set_index(bundle.scores["unit_id"].astype(str))
    rec = scores.loc[str(unit)]
    median = bundle.scores["score"].median()
    rank = int((bundle.scores["score"] > rec["score"]).sum()) + 1
    mine = bundle.metrics[bundle.metrics["unit_id"].astype(str) == str(unit)]
    failed = _failed(mine)
    cards = blocks.cards([
        blocks.card(msg(language, "q_card_score"), _score(rec["score"]),
                    msg(language, "q_card_median_note", median=_score(median))),
        blocks.card(msg(language, "q_card_rank"), msg(language, "q_rank_value", rank=rank, n=len(bundle.scores))),
        blocks.card(msg(language, "q_card_failed"), f"{int((failed['status'] == 'error').sum())} / "
                    f"{int((failed['status'] == 'warn').sum())}", msg(language, "q_card_failed_note")),
    ])
    cols = [blocks.column(msg(language, "q_col_dimension"), width=1.4),
            blocks.column(msg(language, "q_col_score"), "right", 0.8),
            blocks.column(msg(language, "q_col_district_median"), "right", 0.9),
            blocks.column(msg(language, "q_col_checks_failed"), "right", 1.0)]
    rows = []
    for d in DIMENSIONS:
        in_dim = mine[mine["dimension"] == d]
        rows.append(blocks.row([_dim(language, d), _score(rec.get(d)), _score(bundle.scores[d].median())
                                if d in bundle.scores else "—",
                                f"{int(in_dim['status'].isin(FAILED).sum())} / {int((in_dim['status'] != 'not_applicable').sum())}"]))
    return blocks.section("summary", msg(language, "q_summary_heading"),
                          [cards, blocks.table(cols, rows, style="compact", keep=True)])


def unit_sections(bundle: QualityBundle, unit: str, language: str = "zh") -> list[dict]:
    mine = bundle.metrics[bundle.metrics["unit_id"].astype(str) == str(unit)]
    failed = _failed(mine)
    failed_blocks = ([failed_checks_table(mine, language, with_unit=False)] if not failed.empty
                     else [blocks.notice(msg(language, "q_failed_none"))])
    return [document(bundle, language, unit), unit_summary(bundle, unit, language),
            blocks.section("failed", msg(language, "q_failed_heading"), failed_blocks),
            trend_section(bundle, language, unit), audits_section(bundle, language, unit),
            method_section(bundle, language), provenance_section(bundle, language)]


def quality_sections(folder: str | Path, unit: str = "", language: str = "zh") -> list[dict]:
    """Every block of the data-quality report of ``unit`` (empty: the district's) from the
    bundle saved in ``folder``."""
    bundle = QualityBundle.load(folder)
    return unit_sections(bundle, unit, language) if unit else district_sections(bundle, language)
