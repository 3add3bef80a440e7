"""The early-warning report (效能运行监测预警): the warnings of the monitored months, each
with its chart and, in words, the rule that fired and why.

Built from a :class:`MonitorBundle` — what ``evalkit monitor`` computed and saved in
``OUT/<period>/monitor/`` (the warnings, the chart lines of every warned series, the units,
the method) — as the display blocks of :mod:`evalkit.report.blocks`: the same look in HTML and
PDF, in Chinese and English. Indicators are named as the catalogue names them, units as
``units.csv`` does; no code appears in the report.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from . import blocks
from ..indicators import BY_CODE
from ..monitor.rules import RULE_NAMES
from .charts import control_chart
from .messages import msg
from .present import dataset_digest, short_hash, unit_name

#: The files of a saved bundle (``OUT/<period>/monitor/``).
BUNDLE_FILES = {"warnings": "warnings.parquet", "points": "points.parquet", "units": "units.parquet"}
META_FILE = "monitor_meta.json"


@dataclass(frozen=True)
class MonitorBundle:
    year: int
    month: int
    warnings: pd.DataFrame        # evalkit.monitor.WARNING_COLUMNS, of the monitored months
    points: pd.DataFrame          # evalkit.monitor.POINT_COLUMNS, of the warned series
    units: pd.DataFrame           # unit_id, name_zh, name_en
    meta: Mapping[str, Any] = field(default_factory=dict)

    def save(self, folder: Path) -> list[Path]:
        from ..data.files import save_frames

        return save_frames(folder, {file: getattr(self, name) for name, file in BUNDLE_FILES.items()},
                           META_FILE, {"year": self.year, "month": self.month, **self.meta})

    @classmethod
    def load(cls, folder: str | Path) -> "MonitorBundle":
        from ..data.files import load_frames

        frames, meta = load_frames(folder, BUNDLE_FILES.values(), META_FILE)
        return cls(year=int(meta.pop("year")), month=int(meta.pop("month")), meta=meta,
                   **{name: frames[file] for name, file in BUNDLE_FILES.items()})

    def unit_name(self, unit: str, language: str) -> str:
        return unit_name(self.units, unit, language)


def indicator_name(code: str, language: str) -> str:
    """The catalogue's name of an indicator in the report's language."""
    ind = BY_CODE.get(str(code))
    if ind is None:
        return str(code)
    return ind.name_zh if language == "zh" else ind.name_en


def rule_name(rule: str, language: str) -> str:
    return RULE_NAMES[str(rule)]["zh" if language == "zh" else "en"]


def value_text(value: Any, chart: str, unit_text: str = "") -> str:
    """A warning's value as the report writes it: rates and shares in per cent, other values
    in the indicator's unit."""
    if value is None or pd.isna(value):
        return "—"
    if chart in ("p", "trajectory"):
        return f"{100 * float(value):.1f}%"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".") + unit_text


def _months_text(bundle: MonitorBundle, language: str) -> str:
    return msg(language, "m_months", year=bundle.year, month=bundle.month,
               month_name=calendar.month_name[bundle.month])


def document(bundle: MonitorBundle, language: str) -> dict:
    months = _months_text(bundle, language)
    title = msg(language, "m_title", months=months)
    cover = {"kicker": msg(language, "m_kicker"), "title": msg(language, "m_cover_title"), "name": months,
             "lines": [[msg(language, "m_cover_period"), months],
                       [msg(language, "m_cover_series"), f"{int(bundle.meta.get('series', 0)):,}"]],
             "note": msg(language, "m_cover_note")}
    return blocks.document(kind="overview", title=title, subtitle=msg(language, "m_subtitle",
                                                                       units=int(bundle.meta.get("units", 0))),
                           lang=msg(language, "html_lang"), language=language, running_header=title,
                           footer=msg(language, "m_footer", months=months), cover=cover)


def _baseline_text(bundle: MonitorBundle, language: str) -> str:
    first, last = bundle.meta.get("baseline_first"), bundle.meta.get("baseline_until")
    if not first:
        return msg(language, "m_baseline_none")
    return msg(language, "m_baseline", first=first, last=last)


def summary_section(bundle: MonitorBundle, language: str) -> dict:
    w = bundle.warnings
    active = w[w["active"].astype(bool)] if len(w) else w
    lead = msg(language, "m_lead", months=_months_text(bundle, language), series=int(bundle.meta.get("series", 0)),
               warnings=len(w), units=int(w["unit_id"].nunique()) if len(w) else 0,
               baseline=_baseline_text(bundle, language))
    cards = blocks.cards([
        blocks.card(msg(language, "m_card_series"), f"{int(bundle.meta.get('series', 0)):,}",
                    msg(language, "m_card_series_note", charts=int(bundle.meta.get("charted", 0)))),
        blocks.card(msg(language, "m_card_warnings"), f"{len(w)}", msg(language, "m_card_warnings_note")),
        blocks.card(msg(language, "m_card_units"), f"{int(w['unit_id'].nunique()) if len(w) else 0}"),
        blocks.card(msg(language, "m_card_active"), f"{len(active)}", msg(language, "m_card_active_note")),
    ])
    return blocks.section("summary", msg(language, "m_summary_heading"), [blocks.paragraph(lead), cards])


def warnings_table(bundle: MonitorBundle, language: str) -> dict:
    heading = msg(language, "m_table_heading")
    w = bundle.warnings
    if w.empty:
        return blocks.section("warnings", heading, [blocks.notice(msg(language, "m_none"))])
    cols = [blocks.column(msg(language, "m_col_unit"), width=2.0),
            blocks.column(msg(language, "m_col_indicator"), width=2.0),
            blocks.column(msg(language, "m_col_rule"), width=1.3),
            blocks.column(msg(language, "m_col_since"), "center", 0.75),
            blocks.column(msg(language, "m_col_value"), "right", 0.9),
            blocks.column(msg(language, "m_col_limit"), "right", 0.85),
            blocks.column(msg(language, "m_col_state"), "center", 0.6)]
    unit_col = "unit_zh" if language == "zh" else "unit_en"
    rows = []
    for r in w.itertuples(index=False):
        unit_text = str(getattr(r, unit_col, "") or "")
        rows.append(blocks.row([
            blocks.cell(bundle.unit_name(r.unit_id, language)),
            indicator_name(r.indicator, language),
            blocks.cell(rule_name(r.rule, language), style="bad"),
            r.since,
            blocks.cell(value_text(r.value, r.chart, unit_text), sub=r.period),
            value_text(r.limit, r.chart, unit_text),
            blocks.cell(msg(language, "m_state_active" if r.active else "m_state_ended"),
                        style="bad" if r.active else ""),
        ]))
    return blocks.section("warnings", heading, [blocks.table(cols, rows, notes=[msg(language, "m_table_note")],
                                                             style="compact")])


def _series_chart(bundle: MonitorBundle, unit: str, indicator: str, language: str) -> str:
    p = bundle.points
    p = p[(p["unit_id"].astype(str) == str(unit)) & (p["indicator"] == indicator)].sort_values("period")
    chart = str(p["chart"].iloc[0])
    trajectory = chart == "trajectory"
    if trajectory:  # the schedule starts afresh each year: the monitored year alone
        p = p[p["period"] >= f"{bundle.year}-01"]
    flags = [c for c in p.columns if c.startswith("is_")]
    flagged = p[flags].any(axis=1).to_numpy() & (p["period"] >= f"{bundle.year}-01").to_numpy()
    margin = float(bundle.meta.get("trajectory_margin", 0.0))
    lower = p["centre"] - margin if trajectory else p["lower"]
    upper = p["upper"] * float("nan") if trajectory else p["upper"]
    return control_chart(
        p["period"].tolist(), p["value"].tolist(), p["centre"].tolist(), lower.tolist(), upper.tolist(), flagged,
        value_label=indicator_name(indicator, language),
        centre_label=msg(language, "m_chart_schedule" if trajectory else "m_chart_centre"),
        limits_label=msg(language, "m_chart_margin" if trajectory else "m_chart_limits"),
        flagged_label=msg(language, "m_chart_flagged"), baseline_label=msg(language, "m_chart_baseline"),
        baseline_until=None if trajectory else bundle.meta.get("baseline_until"), percent=chart != "xmr",
        steps=not trajectory)


def detail_sections(bundle: MonitorBundle, language: str) -> list[dict]:
    """One section a warned series: its chart, then each warning — the rule's name, what the
    rule looks for and the evidence, in words."""
    w = bundle.warnings
    if w.empty:
        return []
    rules = bundle.meta.get("rule_texts_" + language, {})
    evidence = "evidence_zh" if language == "zh" else "evidence"
    out = []
    for i, ((unit, indicator), group) in enumerate(w.groupby(["unit_id", "indicator"], sort=False)):
        title = msg(language, "m_detail_heading", unit=bundle.unit_name(unit, language),
                    indicator=indicator_name(indicator, language))
        items = [msg(language, "m_detail_item", rule=rule_name(r.rule, language), meaning=rules.get(r.rule, ""),
                     evidence=getattr(r, evidence)) for r in group.itertuples(index=False)]
        direction = int(group["direction"].iloc[0])
        chart = str(group["chart"].iloc[0])
        out.append(blocks.section(f"series-{i + 1}", title, [
            blocks.figure(_series_chart(bundle, unit, indicator, language),
                          caption=msg(language, f"m_caption.{chart}",
                                      better=msg(language, "m_better_up" if direction > 0 else "m_better_down")),
                          alt=title),
            blocks.bullets(items),
        ]))
    return out


def method_section(bundle: MonitorBundle, language: str) -> dict:
    return blocks.section("method", msg(language, "m_method_heading"), [
        blocks.paragraph(msg(language, "m_method_intro")),
        blocks.bullets(list(bundle.meta.get("method_" + language, []))),
        blocks.paragraph(msg(language, "m_method_read"), "note"),
    ], break_before=True)


def provenance_section(bundle: MonitorBundle, language: str) -> dict:
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
    rows.append(blocks.kv(msg(language, "evalkit_version"), str(bundle.meta.get("evalkit_version", "—"))))
    return blocks.section("provenance", msg(language, "provenance_heading"), [blocks.keyvalue(rows)])


def monitor_sections(folder: str | Path, language: str = "zh") -> list[dict]:
    """Every block of the early-warning report from the bundle saved in ``folder``."""
    bundle = MonitorBundle.load(folder)
    return [document(bundle, language), summary_section(bundle, language), warnings_table(bundle, language),
            *detail_sections(bundle, language), method_section(bundle, language),
            provenance_section(bundle, language)]
