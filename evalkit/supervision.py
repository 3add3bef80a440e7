"""The quarterly supervision report's findings (效能督查通报; issue 14, item 1; section 六's
quarterly supervision).

:func:`compute_supervision` gathers, for one quarter (any in-year :class:`~evalkit.periods.Period`
works), what the supervision report shows, through the kernels every other report uses — it
re-implements none of them:

* the quarter's scores and ranks (:func:`evalkit.results.compute.compute_results` with the
  quarter, with the previous quarter and, through its history, the same quarter last year);
* the key rates of records (:data:`KEY_INDICATORS`) for every unit and pooled over the
  district — Σ numerators / Σ denominators with ``n`` the Σ denominators — for the quarter,
  the previous quarter and the same quarter last year (:func:`evalkit.indicators.compute_indicators`
  with :class:`~evalkit.periods.Period` objects: the data as known at each cut-off);
* the early warnings whose signal reaches into the quarter's months
  (:func:`evalkit.monitor.data.monthly_series` + :func:`evalkit.monitor.monitor_warnings`, the
  rules of ``evalkit monitor``);
* supervision tasks (督办事项) overdue at the cut-off, rectifications of the units' ledger
  (``rectifications``) overdue at the cut-off and rectification follow-up items
  (``rectification_items``, :func:`evalkit.rectification.items.overdue_items`) overdue then;
* each unit's findings (:func:`unit_findings`), and the units commended and reported
  (:func:`commended`, :func:`reported`) with the rule that put them there.

Everything is returned as a :class:`SupervisionBundle` of DataFrames (columns documented on
it) that ``evalkit supervise`` saves and the report (:mod:`evalkit.report.supervision`) reads.
No personal data: tasks and items are shown by source, dates and finding, never by owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import __version__
from .data.as_at import known_at
from .data.contract import TABLES
from .errors import EvalkitError
from .indicators import BY_CODE, compute_indicators
from .monitor import monitor_warnings
from .monitor.data import MonitorPeriod, monitor_spec, monthly_series
from .periods import Period
from .rectification.items import overdue_items
from .results.compute import compute_results

__all__ = ["KEY_INDICATORS", "SupervisionBundle", "compute_supervision", "district_rates", "overdue_tasks",
           "overdue_rectifications", "quarter_warnings", "unit_findings", "commended", "reported",
           "previous_quarter", "issuer_names", "FINDING_KINDS"]

#: The key figures of the report, district-wide and per unit: rates of records that arrive
#: every month (pooled over the units as Σ numerator / Σ denominator) and the budget's lag
#: behind 序时进度 (per unit only: a lag in percentage points does not pool).
KEY_INDICATORS: tuple[str, ...] = ("service_on_time_rate", "hotline_on_time_rate", "hotline_satisfaction_rate",
                                   "oa_on_time_rate", "grid_on_time_rate", "supervision_on_time_rate",
                                   "budget_schedule_lag")

#: Finding kinds, most serious first (the order of a unit's findings and required actions).
FINDING_KINDS: tuple[str, ...] = ("warning", "overdue_task", "overdue_rectification", "overdue_followup",
                                  "low_score")

#: The saved bundle: one Parquet file a frame, and the meta.
BUNDLE_FRAMES = ("units", "district", "unit_values", "warnings", "points", "tasks", "rectifications", "findings")
META_FILE = "supervision_meta.json"


@dataclass(frozen=True)
class SupervisionBundle:
    """What the supervision report shows.

    Frames:

    * ``units`` — one row a unit: ``unit_id, name_zh, name_en, peer_group, score_100, rank,
      n_in_group, coverage, provisional, rank_low, rank_high, rank_band`` (the quarter),
      ``prev_q_score, prev_q_rank`` (the previous quarter), ``yoy_score`` (the same quarter
      last year), ``scored`` (False: no score this quarter);
    * ``district`` — ``indicator, which, period, numerator, denominator, value, units``: the
      pooled key rates, ``which`` ∈ ``current``, ``previous``, ``last_year``; ``value`` in %;
    * ``unit_values`` — ``unit_id, indicator, which, value, n, status`` (``which``:
      ``current`` or ``previous``);
    * ``warnings`` / ``points`` — the monitor's warnings reaching into the quarter and the chart
      lines of the warned series (the columns of :mod:`evalkit.monitor`), the year's months;
    * ``tasks`` — ``unit_id, source, assigned_date, due_date, days_overdue``;
    * ``rectifications`` — ``unit_id, kind`` (``ledger``/``followup``), ``source, finding,
      indicator, due_date, days_overdue``;
    * ``findings`` — :func:`unit_findings`.
    """

    units: pd.DataFrame
    district: pd.DataFrame
    unit_values: pd.DataFrame
    warnings: pd.DataFrame
    points: pd.DataFrame
    tasks: pd.DataFrame
    rectifications: pd.DataFrame
    findings: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> Period:
        from .periods import parse_period

        return parse_period(self.meta["period"])

    def save(self, folder: Path) -> list[Path]:
        from .data.files import save_frames

        return save_frames(folder, {f"{name}.parquet": getattr(self, name) for name in BUNDLE_FRAMES},
                           META_FILE, dict(self.meta))

    @classmethod
    def load(cls, folder: str | Path) -> "SupervisionBundle":
        from .data.files import load_frames

        frames, meta = load_frames(folder, [f"{name}.parquet" for name in BUNDLE_FRAMES], META_FILE)
        return cls(meta=meta, **{name: frames[f"{name}.parquet"] for name in BUNDLE_FRAMES})


# ----------------------------------------------------------------------------------------
# Periods and names
# ----------------------------------------------------------------------------------------

def previous_quarter(period: Period) -> Period | None:
    """The quarter before ``period`` (a quarter) in the same year; None for a first quarter
    (the previous year's fourth quarter is another year's data, compared as such nowhere
    else) and for periods that are not quarters."""
    if period.kind != "quarter" or period.quarter_number == 1:
        return None
    return Period.quarter(int(period), period.quarter_number - 1)


def issuer_names(framework_name_zh: str, framework_name_en: str) -> tuple[str, str]:
    """The issuing office of the 通报, from the framework's names (no district is written into
    the code): the part before ``政府效能`` (``示例区``) + ``政府效能建设办公室``, and the part
    before ``efficiency`` (``Sample District``) + ``Efficiency Office``; a name without those
    words gives ``<framework name>评价办公室`` / ``Evaluation office, <framework name>``."""
    zh = str(framework_name_zh or "")
    en = str(framework_name_en or "")
    cut = zh.find("政府效能")
    office_zh = f"{zh[:cut]}政府效能建设办公室" if cut > 0 else f"{zh}评价办公室"
    low = en.lower().find(" efficiency")
    office_en = f"{en[:low]} Efficiency Office" if low > 0 else f"Evaluation office, {en}"
    return office_zh, office_en


# ----------------------------------------------------------------------------------------
# Rates
# ----------------------------------------------------------------------------------------

def _is_rate(code: str) -> bool:
    return BY_CODE[code].unit == "%"


def district_rates(frames: Mapping[str, tuple[Period, pd.DataFrame]]) -> pd.DataFrame:
    """The pooled key rates: for each ``which`` → (period, :func:`compute_indicators` frame),
    every rate of :data:`KEY_INDICATORS` as Σ numerator / Σ denominator over the units with a
    value (``status == "ok"``). Columns ``indicator, which, period, numerator, denominator,
    value`` (%), ``units`` (units contributing); a rate without any record has no row."""
    rows = []
    for which, (period, frame) in frames.items():
        ok = frame[(frame["status"] == "ok") & frame["indicator"].isin(KEY_INDICATORS)]
        for code in KEY_INDICATORS:
            if not _is_rate(code):
                continue
            f = ok[ok["indicator"] == code]
            den = float(f["denominator"].sum())
            if den <= 0:
                continue
            num = float(f["numerator"].sum())
            rows.append({"indicator": code, "which": which, "period": period.key, "numerator": num,
                         "denominator": den, "value": 100.0 * num / den, "units": int(len(f))})
    return pd.DataFrame(rows, columns=["indicator", "which", "period", "numerator", "denominator", "value",
                                       "units"])


def _unit_values(frames: Mapping[str, tuple[Period, pd.DataFrame]]) -> pd.DataFrame:
    parts = []
    for which in ("current", "previous"):
        if which not in frames:
            continue
        f = frames[which][1]
        f = f[f["indicator"].isin(KEY_INDICATORS)]
        parts.append(pd.DataFrame({"unit_id": f["unit_id"].astype(str), "indicator": f["indicator"].astype(str),
                                   "which": which, "value": f["value"].astype(float),
                                   "n": f["n"].astype(float), "status": f["status"].astype(str)}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["unit_id", "indicator", "which", "value", "n", "status"])


# ----------------------------------------------------------------------------------------
# Overdue at the cut-off
# ----------------------------------------------------------------------------------------

def _tables_to_cutoff(dataset, name: str, period: Period) -> pd.DataFrame:
    """Table ``name`` of the period's year and the year before, as known at the cut-off:
    what was assigned by then, with outcomes after it not yet happened."""
    frames = []
    for year in (int(period) - 1, int(period)):
        if year in dataset.years and dataset.has(name, year):
            frames.append(known_at(dataset.table(name, year), TABLES[name], period.cutoff))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _days_after(due: pd.Series, period: Period) -> np.ndarray:
    return (period.end_date - pd.to_datetime(due)).dt.days.to_numpy()


def overdue_tasks(dataset, period: Period) -> pd.DataFrame:
    """The supervision tasks (督办事项) overdue at the period's cut-off: assigned by then (this
    year or last), due before the period's last day (a task due on that day is not overdue
    yet), not completed as known then. Columns
    ``unit_id, source, assigned_date, due_date, days_overdue`` (calendar days from the due
    date to the period's last day), longest overdue first. No task id: the report names
    tasks by source and dates."""
    cols = ["unit_id", "source", "assigned_date", "due_date", "days_overdue"]
    t = _tables_to_cutoff(dataset, "supervision_tasks", period)
    if t.empty:
        return pd.DataFrame(columns=cols)
    late = t["completed_date"].isna() & (pd.to_datetime(t["due_date"]) < period.end_date)
    t = t[late]
    out = pd.DataFrame({"unit_id": t["unit_id"].astype(str),
                        "source": t["source"].astype("string").fillna("").astype(str),
                        "assigned_date": pd.to_datetime(t["assigned_date"]).dt.strftime("%Y-%m-%d"),
                        "due_date": pd.to_datetime(t["due_date"]).dt.strftime("%Y-%m-%d"),
                        "days_overdue": _days_after(t["due_date"], period).astype(int)})
    return out.sort_values(["days_overdue", "unit_id", "due_date"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)[cols]


def overdue_rectifications(dataset, period: Period) -> pd.DataFrame:
    """Rectifications overdue at the cut-off: the units' ledger (``rectifications``: opened by
    then, deadline passed, not closed as known then) and the follow-up items of the
    evaluation's reports (``rectification_items``, overdue at the period's last day by
    :func:`evalkit.rectification.items.overdue_items`). Columns ``unit_id, kind``
    (``ledger``/``followup``), ``source`` (the ledger's source category), ``finding`` and
    ``indicator`` (a follow-up item's), ``due_date``, ``days_overdue``, longest first. No owner."""
    cols = ["unit_id", "kind", "source", "finding", "indicator", "due_date", "days_overdue"]
    parts = []
    r = _tables_to_cutoff(dataset, "rectifications", period)
    if not r.empty:
        open_ = r["closed_date"].isna() & (pd.to_datetime(r["deadline"]) < period.end_date)
        r = r[open_]
        parts.append(pd.DataFrame({"unit_id": r["unit_id"].astype(str), "kind": "ledger",
                                   "source": r["source"].astype(str), "finding": "", "indicator": "",
                                   "due_date": pd.to_datetime(r["deadline"]).dt.strftime("%Y-%m-%d"),
                                   "days_overdue": _days_after(r["deadline"], period).astype(int)}))
    items = [dataset.table("rectification_items", y) for y in dataset.years
             if y <= int(period) and dataset.has("rectification_items", y)]
    items = [i for i in items if not i.empty]
    if items:
        i = pd.concat(items, ignore_index=True)
        i = i[pd.to_datetime(i["created_date"]) <= period.cutoff]
        late = overdue_items(i, as_of=period.end_date.date())
        if len(late):
            parts.append(pd.DataFrame({
                "unit_id": late["unit_id"].astype(str), "kind": "followup", "source": "",
                "finding": late["finding"].astype("string").fillna("").astype(str),
                "indicator": late["indicator"].astype("string").fillna("").astype(str),
                "due_date": pd.to_datetime(late["due_date"]).dt.strftime("%Y-%m-%d"),
                "days_overdue": late["days_overdue"].astype(int).to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["days_overdue", "unit_id", "due_date"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)[cols]


# ----------------------------------------------------------------------------------------
# Warnings
# ----------------------------------------------------------------------------------------

def quarter_warnings(dataset, period: Period, *, parameters=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The early warnings of ``evalkit monitor`` through the period's last month whose signal
    reaches into the period (its last month, ``period``, is one of the period's months), and
    the chart lines of the warned series for the months of the year. Returns
    ``(warnings, points)`` with the columns of :mod:`evalkit.monitor`."""
    monitored = MonitorPeriod(int(period), period.last_month)
    series = monthly_series(dataset, monitored, parameters=parameters)
    result = monitor_warnings(series, monitor_spec(monitored), verbose=True)
    first = f"{int(period)}-{period.first_month:02d}"
    w = result.warnings[result.warnings["period"] >= first].reset_index(drop=True)
    units = series.drop_duplicates("indicator").set_index("indicator")[["unit_zh", "unit_en"]]
    w = w.join(units, on="indicator")
    warned = w[["unit_id", "indicator"]].drop_duplicates()
    points = result.points.merge(warned, on=["unit_id", "indicator"])
    points = points[points["period"] >= f"{int(period)}-01"].reset_index(drop=True)
    return w, points


# ----------------------------------------------------------------------------------------
# Findings
# ----------------------------------------------------------------------------------------

#: Columns of :func:`unit_findings`.
FINDING_COLUMNS = ("unit_id", "kind", "indicator", "rule", "since", "value", "limit", "chart", "count",
                   "days_overdue", "evidence", "evidence_zh")


def unit_findings(units: pd.DataFrame, warnings: pd.DataFrame, tasks: pd.DataFrame,
                  rectifications: pd.DataFrame) -> pd.DataFrame:
    """Every unit's findings of the quarter, most serious kind first (:data:`FINDING_KINDS`):

    * ``warning`` — one a warning reaching into the quarter (rule, since, value, limit, chart,
      evidence in English and Chinese): special-cause variation in the worse direction or a
      lag behind the budget schedule, not noise;
    * ``overdue_task`` / ``overdue_rectification`` / ``overdue_followup`` — one a unit with
      such items at the cut-off: ``count`` and the longest ``days_overdue``;
    * ``low_score`` — a scored unit, not provisional, whose rank interval puts it in the bottom
      third of its peer group in the uncertainty analysis (``rank_band == "bottom"``: even
      with other weights and the data's sampling error it stays there), not merely last.

    Columns :data:`FINDING_COLUMNS`."""
    rows: list[dict] = []
    for r in warnings.itertuples(index=False):
        rows.append({"unit_id": str(r.unit_id), "kind": "warning", "indicator": r.indicator, "rule": r.rule,
                     "since": r.since, "value": float(r.value) if pd.notna(r.value) else np.nan,
                     "limit": float(r.limit) if pd.notna(r.limit) else np.nan, "chart": r.chart,
                     "evidence": r.evidence, "evidence_zh": r.evidence_zh})
    for kind, frame in (("overdue_task", tasks),
                        ("overdue_rectification", rectifications[rectifications["kind"] == "ledger"]),
                        ("overdue_followup", rectifications[rectifications["kind"] == "followup"])):
        for unit, f in frame.groupby("unit_id", sort=True):
            rows.append({"unit_id": str(unit), "kind": kind, "count": int(len(f)),
                         "days_overdue": int(f["days_overdue"].max())})
    low = units[units["scored"] & ~units["provisional"].astype(bool) & (units["rank_band"] == "bottom")]
    for r in low.itertuples(index=False):
        rows.append({"unit_id": str(r.unit_id), "kind": "low_score", "value": float(r.score_100)})
    out = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    out["count"] = out["count"].astype("Int64")
    out["days_overdue"] = out["days_overdue"].astype("Int64")
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    return (out.assign(_k=out["kind"].map(order)).sort_values(["unit_id", "_k"], kind="stable")
            .drop(columns="_k").reset_index(drop=True))


def reported(findings: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """The units the 通报 names for problems: every unit with a finding, in the order of its
    most serious kind, then by peer group and rank. Columns ``unit_id`` and ``kinds`` (its
    finding kinds, most serious first, ``;``-separated)."""
    if findings.empty:
        return pd.DataFrame(columns=["unit_id", "kinds"])
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    g = findings.groupby("unit_id", sort=False)["kind"].apply(
        lambda s: ";".join(sorted(dict.fromkeys(s), key=order.get)))
    out = g.rename("kinds").reset_index()
    out["_first"] = out["kinds"].str.split(";").str[0].map(order)
    ranks = units.set_index(units["unit_id"].astype(str))
    out["_group"] = out["unit_id"].map(ranks["peer_group"]).astype(str)
    out["_rank"] = out["unit_id"].map(ranks["rank"]).astype(float)
    return (out.sort_values(["_first", "_group", "_rank", "unit_id"], kind="stable")
            .reset_index(drop=True)[["unit_id", "kinds"]])


#: Share of a peer group a commended unit's rank must lie in (the top fifth, as the top grade's
#: quota of the sample framework).
COMMEND_SHARE = 0.2


def commended(findings: pd.DataFrame, units: pd.DataFrame, share: float = COMMEND_SHARE) -> pd.DataFrame:
    """The units the 通报 commends (表扬): scored, not provisional (their score rests on data),
    ranked in the top ``share`` of their peer group (rank ≤ ⌈share × n⌉) and without any
    finding this quarter — no warning, nothing overdue. The ``units`` rows, by peer group and
    rank. (A low score is reported only on firmer evidence, its rank interval:
    :func:`unit_findings`.)"""
    flagged = set(findings["unit_id"].astype(str))
    top = units["rank"].astype(float) <= np.ceil(share * units["n_in_group"].astype(float))
    ok = units[units["scored"] & ~units["provisional"].astype(bool) & top
               & ~units["unit_id"].astype(str).isin(flagged)]
    return ok.sort_values(["peer_group", "rank", "unit_id"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# The bundle
# ----------------------------------------------------------------------------------------

def _unit_table(current, previous) -> pd.DataFrame:
    u = current.units
    out = u[["unit_id", "name_zh", "name_en", "peer_group", "score_100", "rank", "n_in_group", "coverage",
             "provisional"]].copy()
    out["unit_id"] = out["unit_id"].astype(str)
    iv = current.table("rank_intervals") if callable(getattr(current, "table", None)) else None
    if iv is not None and len(iv):
        iv = iv.set_index(iv["unit_id"].astype(str))
        out["rank_low"] = out["unit_id"].map(iv["rank_low"]).astype("float64")
        out["rank_high"] = out["unit_id"].map(iv["rank_high"]).astype("float64")
        out["rank_band"] = out["unit_id"].map(iv["rank_band"]).fillna("").astype(str)
    else:
        out["rank_low"] = out["rank_high"] = np.nan
        out["rank_band"] = ""
    if previous is not None:
        p = previous.units.set_index(previous.units["unit_id"].astype(str))
        out["prev_q_score"] = out["unit_id"].map(p["score_100"]).astype("float64")
        out["prev_q_rank"] = out["unit_id"].map(p["rank"]).astype("float64")
    else:
        out["prev_q_score"] = out["prev_q_rank"] = np.nan
    out["yoy_score"] = u["prev_score"].astype("float64").to_numpy()
    out["scored"] = out["score_100"].notna().to_numpy()
    out["provisional"] = out["provisional"].astype(bool)
    weak = _weakest_leaves(current.nodes)
    for language in ("zh", "en"):
        out[f"weak_{language}"] = out["unit_id"].map(weak[language]).fillna("").astype(str)
    return out.reset_index(drop=True)


#: How many of a unit's indicators a low score's required action names.
WEAK_LEAVES = 2


def _weakest_leaves(nodes: pd.DataFrame) -> dict[str, pd.Series]:
    """Each unit's :data:`WEAK_LEAVES` scored leaves (with data: never a value filled in by the
    missing-data policy, never one not assessed) that lost the most points, by name
    (``、``-joined in Chinese, ``; `` in English)."""
    leaf = nodes[(nodes["status"].astype(str) == "data") & nodes["indicator"].notna()
                 & (nodes["points_lost"].astype(float) > 0)]
    leaf = leaf.sort_values(["unit_id", "points_lost", "code"], ascending=[True, False, True], kind="stable")
    top = leaf.groupby(leaf["unit_id"].astype(str), sort=False).head(WEAK_LEAVES)
    by = top.groupby(top["unit_id"].astype(str), sort=False)
    return {"zh": by["name_zh"].apply(lambda s: "、".join(map(str, s))),
            "en": by["name_en"].apply(lambda s: "; ".join(map(str, s)))}


def compute_supervision(dataset, config, period: Period, *, data_dir: str | Path = "",
                        store: dict | None = None) -> SupervisionBundle:
    """Everything the supervision report of ``period`` (an in-year period, normally a quarter)
    shows, for every unit of the data (see the module docstring)."""
    if not isinstance(period, Period) or not period.in_year or not period.resolved:
        raise EvalkitError(f"supervision: expected a quarter (2024Q3) or another in-year period; found {period!r}")
    if int(period) not in dataset.years:
        raise EvalkitError(f"supervision: the data have no {int(period)} (years with data: "
                           f"{', '.join(map(str, dataset.years)) or 'none'})")
    params = config.indicators
    current = compute_results(data_dir or None, dataset=dataset, config=config, year=period)
    prev_period = previous_quarter(period)
    previous = (compute_results(data_dir or None, dataset=dataset, config=config, year=prev_period)
                if prev_period is not None else None)
    last_year = period.same_period(int(period) - 1)
    frames = {"current": (period, compute_indicators(dataset, period, list(KEY_INDICATORS), parameters=params))}
    if prev_period is not None:
        frames["previous"] = (prev_period, compute_indicators(dataset, prev_period, list(KEY_INDICATORS),
                                                              parameters=params))
    if int(last_year) in dataset.years:
        frames["last_year"] = (last_year, compute_indicators(dataset, last_year, list(KEY_INDICATORS),
                                                             parameters=params))
    units = _unit_table(current, previous)
    warnings, points = quarter_warnings(dataset, period, parameters=params)
    tasks = overdue_tasks(dataset, period)
    rect = overdue_rectifications(dataset, period)
    findings = unit_findings(units, warnings, tasks, rect)
    fw = config.framework
    not_assessed = sorted(fw.periods.not_assessed({str(n.indicator) for n in fw.leaves()}))
    leaves = {str(n.indicator): n for n in fw.leaves()}
    office_zh, office_en = issuer_names(fw.name_zh, fw.name_en)
    meta = {
        "period": period.key, "period_name_zh": period.name("zh"), "period_name_en": period.name("en"),
        "period_start": period.start.date().isoformat(), "cutoff": period.end_date.date().isoformat(),
        "previous": prev_period.key if prev_period is not None else "",
        "previous_name_zh": prev_period.name("zh") if prev_period is not None else "",
        "previous_name_en": prev_period.name("en") if prev_period is not None else "",
        "last_year": last_year.key if "last_year" in frames else "",
        "last_year_name_zh": last_year.name("zh"), "last_year_name_en": last_year.name("en"),
        "number": period.quarter_number or period.last_month,
        "office_zh": office_zh, "office_en": office_en,
        "framework_name_zh": fw.name_zh, "framework_name_en": fw.name_en, "framework_version": fw.version,
        "not_assessed_zh": [str(getattr(leaves[c], "name_zh", c)) for c in not_assessed if c in leaves],
        "not_assessed_en": [str(getattr(leaves[c], "name_en", None) or c) for c in not_assessed if c in leaves],
        "publication_coverage": fw.publication_coverage,
        "baseline_until": monitor_spec(MonitorPeriod(int(period), period.last_month)).charts.baseline_until,
        "data_hashes": dict(dataset.files), "evalkit_version": __version__,
        "source": "efficiency database" if store else str(data_dir),
    }
    if store:
        meta["store"] = store
    return SupervisionBundle(units=units, district=district_rates(frames), unit_values=_unit_values(frames),
                             warnings=warnings, points=points, tasks=tasks, rectifications=rect, findings=findings,
                             meta=meta)
