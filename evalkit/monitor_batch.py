"""``evalkit monitor``: the early warnings of the months monitored, saved and rendered.

Reads a data directory (validated as ``evalkit run`` reads it) or the efficiency database
(``--db``, ``--as-of``), builds the monthly series of the monitored indicators
(:func:`evalkit.monitor.data.monthly_series`: one pass of the indicators per month), puts
every series on its chart and applies the rules (:func:`evalkit.monitor.monitor_warnings`
with :func:`evalkit.monitor.data.monitor_spec`), and writes into ``OUT/<period>/monitor/``:

* ``warnings.csv`` — one row a warning whose signal falls in the months monitored:
  ``unit_id, indicator, rule, since, value, limit, evidence`` (:data:`CSV_COLUMNS`; rates
  and shares as fractions 0–1, other values in the indicator's unit);
* the bundle the report reads (Parquet, :class:`evalkit.report.monitor.MonitorBundle`);
* the early-warning report ``warnings.html`` and ``warnings.pdf``, a chart per warned series.

Warnings are findings, not errors: the command exits 0 when it raises warnings.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__
from .data.writers import write_table
from .errors import EvalkitError
from .monitor import monitor_warnings
from .monitor.data import MonitorPeriod, monitor_spec, monthly_series
from .report.monitor import MonitorBundle, indicator_name
from .run import RenderJob, RenderOutcome, _run_local, disk_error_message

MONITOR_DIR = "monitor"
#: The report's file stem: ``warnings.html`` and ``warnings.pdf`` next to ``warnings.csv``.
REPORT_STEM = "warnings"
#: Columns of ``warnings.csv``: the seven of the issue, then the rest.
CSV_COLUMNS = ("unit_id", "indicator", "rule", "since", "value", "limit", "evidence",
               "evidence_zh", "period", "points", "chart", "direction", "centre", "active", "unit_name",
               "indicator_name")


@dataclass
class MonitorSummary:
    period: MonitorPeriod
    out_dir: Path
    series: int = 0
    warnings: int = 0
    units: int = 0
    written: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def describe(self) -> str:
        lines = [f"Early warnings {self.period.key}: {self.series} monthly series; {self.warnings} warning(s) "
                 f"for {self.units} unit(s) (findings, see warnings.csv)",
                 f"written to {self.out_dir}: warnings.csv and {len(self.written)} report(s) (HTML and PDF)"]
        for key, why in sorted(self.failures.items()):
            lines.append(f"FAILED {key}: {why}")
        return "\n".join(lines)


def compute_bundle(dataset, data_dir: Path, period: MonitorPeriod, *, parameters=None,
                   store: dict | None = None) -> MonitorBundle:
    """The monthly series, their charts and the warnings of the months monitored, as the
    bundle the report reads."""
    series = monthly_series(dataset, period, parameters=parameters)
    spec = monitor_spec(period)
    result = monitor_warnings(series, spec, verbose=True)
    first = f"{period.year}-01"
    warnings = result.warnings[result.warnings["period"] >= first].reset_index(drop=True)
    units = series.drop_duplicates("indicator").set_index("indicator")[["unit_zh", "unit_en"]]
    warnings = warnings.join(units, on="indicator")
    warned = warnings[["unit_id", "indicator"]].drop_duplicates()
    points = result.points.merge(warned, on=["unit_id", "indicator"])
    keys = result.points[["unit_id", "indicator"]].drop_duplicates()
    charted = result.points.groupby(["unit_id", "indicator"])["in_baseline"].any()
    trajectories = (result.points.groupby(["unit_id", "indicator"])["chart"].first() == "trajectory")
    baseline = series.loc[series["period"] <= spec.charts.baseline_until, "period"]
    unit_table = dataset.units[["unit_id", "name_zh", "name_en"]].copy()
    unit_table["unit_id"] = unit_table["unit_id"].astype(str)
    meta = {
        "period": period.key, "series": len(keys), "charted": int((charted | trajectories).sum()),
        "units": len(unit_table), "baseline_first": baseline.min() if len(baseline) else "",
        "baseline_until": spec.charts.baseline_until if len(baseline) else "",
        "trajectory_margin": spec.trajectory.margin,
        "method_zh": spec.describe("zh"), "method_en": spec.describe("en"),
        "rule_texts_zh": {**{r: spec.rules.rule_text(r, "zh") for r in spec.rules.enabled()},
                          "trajectory": spec.trajectory.describe("zh")},
        "rule_texts_en": {**{r: spec.rules.rule_text(r, "en") for r in spec.rules.enabled()},
                          "trajectory": spec.trajectory.describe("en")},
        "data_hashes": dict(dataset.files), "evalkit_version": __version__,
        "source": "efficiency database" if store else str(data_dir),
    }
    if store:
        meta["store"] = store
    return MonitorBundle(year=period.year, month=period.month, warnings=warnings, points=points,
                         units=unit_table, meta=meta)


def warnings_table(bundle: MonitorBundle) -> pd.DataFrame:
    """``warnings.csv``: :data:`CSV_COLUMNS`, unit and indicator named in Chinese."""
    w = bundle.warnings.copy()
    w["unit_name"] = [bundle.unit_name(u, "zh") for u in w["unit_id"]]
    w["indicator_name"] = [indicator_name(c, "zh") for c in w["indicator"]]
    return w.loc[:, list(CSV_COLUMNS)]


def run_monitor(dataset, data_dir: Path, period: MonitorPeriod, *, out_dir: Path = Path("reports"),
                parameters=None, language: str = "zh", renderer: str = "typst", reports: bool = True,
                store: dict | None = None, progress: bool = True) -> MonitorSummary:
    """Compute, save and render the early warnings of ``period`` into
    ``out_dir/<period key>/monitor/``."""
    from .report.render import CELL_TIMEOUT, START_TIMEOUT

    bundle = compute_bundle(dataset, data_dir, period, parameters=parameters, store=store)
    folder = (Path(out_dir) / period.key / MONITOR_DIR).resolve()
    try:
        bundle.save(folder)
        write_table(warnings_table(bundle), folder / "warnings.csv")
    except OSError as exc:
        raise EvalkitError(disk_error_message(exc, f"the warnings in {folder}")) from exc
    w = bundle.warnings
    summary = MonitorSummary(period=period, out_dir=folder, series=int(bundle.meta["series"]), warnings=len(w),
                             units=int(w["unit_id"].nunique()) if len(w) else 0)
    if not reports:
        return summary
    job = RenderJob(kind="monitor", unit="", stem=REPORT_STEM, year=period.year, language=language,
                    results_dir=str(folder), out_dir=str(folder), renderer=renderer, input_key="",
                    timeout=int(CELL_TIMEOUT), start_timeout=int(START_TIMEOUT))
    if progress:
        print(f"Rendering the early-warning report {period.key} …", file=sys.stderr, flush=True)

    def done(outcome: RenderOutcome) -> None:
        if outcome.ok:
            summary.written.append(folder / outcome.outputs["html"]["file"])
        else:
            summary.failures[outcome.key] = outcome.error

    _run_local([job], 1, done)
    return summary


__all__ = ["CSV_COLUMNS", "MONITOR_DIR", "REPORT_STEM", "MonitorSummary", "compute_bundle", "run_monitor",
           "warnings_table"]
