"""``evalkit quality``: the data-quality metrics of a year, saved and rendered.

Reads a data directory (validated as ``evalkit run`` reads it) or the efficiency database
(``--db``, ``--as-of``), runs every data-quality check (:mod:`evalkit.quality`: the built-in
checks and the office's own ``quality_checks.yaml``), scores each unit, summarises the
verification audits recorded for the year, and writes into ``OUT/<year>/quality/``:

* ``metrics.csv`` and ``metrics.xlsx`` — one row per unit × check: ``unit_id, table,
  dimension, check, numerator, denominator, value, threshold, status`` and more
  (:data:`evalkit.quality.metrics.METRIC_COLUMNS`);
* ``scores.csv`` — the data-quality score per unit (:func:`evalkit.quality.score.quality_score`);
* the bundle the reports read (Parquet, :class:`evalkit.report.quality.QualityBundle`);
* the district's data-quality report ``overview.html``/``.pdf`` and one per unit
  (``<unit>.html``/``.pdf``), rendered in parallel like the efficiency reports.

Failed checks are findings, not errors: the command exits 0 when checks fail and non-zero
only for usage or input errors. With the efficiency database, the times at which each unit's
files were submitted (its ``--unit`` imports) feed the timeliness checks together with the
data's ``submissions`` table.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import __version__
from .data.writers import write_table
from .errors import EvalkitError
from .report.quality import QualityBundle
from .run import RenderJob, RenderOutcome, _run_local, disk_error_message

QUALITY_DIR = "quality"
#: The district's data-quality report in ``OUT/<year>/quality/``.
DISTRICT_STEM = "overview"


@dataclass
class QualitySummary:
    year: int
    out_dir: Path
    units: int = 0
    checks: int = 0
    failed: int = 0
    written: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def describe(self) -> str:
        lines = [f"Data quality {self.year}: {self.checks} checks on {self.units} units; "
                 f"{self.failed} unit × check result(s) failed (findings, see metrics.csv)",
                 f"written to {self.out_dir}: metrics.csv, metrics.xlsx, scores.csv and "
                 f"{len(self.written)} report(s) (HTML and PDF)"]
        for key, why in sorted(self.failures.items()):
            lines.append(f"FAILED {key}: {why}")
        return "\n".join(lines)


def audit_summary(dataset, year: int) -> pd.DataFrame:
    """One row per verification audit recorded for ``year`` (``verification_audits``): the
    unit, the table, records sampled and found wrong, the error rate with its Wilson 95 %
    interval and the estimated number of wrong records in the table
    (:func:`evalkit.quality.audit.audit_error_rate`, the figures ``evalkit audit record``
    prints)."""
    from .quality.audit import audit_error_rate

    columns = ["unit_id", "table", "audit_id", "sampled", "wrong", "rate", "low", "high", "population",
               "estimate", "estimate_low", "estimate_high"]
    if not dataset.has("verification_audits", year):
        return pd.DataFrame(columns=columns)
    audits = dataset.table("verification_audits", year)
    rows = []
    for (unit, table, audit), group in audits.groupby(["unit_id", "table_name", "audit_id"], sort=True):
        verified = group["verified"].dropna()
        if verified.empty:
            continue
        est = audit_error_rate(verified.astype(bool).tolist(), int(group["population"].iloc[0]))
        rows.append({"unit_id": str(unit), "table": str(table), "audit_id": str(audit), "sampled": est.checked,
                     "wrong": est.errors, "rate": est.rate, "low": est.lower, "high": est.upper,
                     "population": est.population, "estimate": est.errors_estimate,
                     "estimate_low": est.errors_lower, "estimate_high": est.errors_upper})
    return pd.DataFrame(rows, columns=columns)


def store_submissions(entry: dict | None, url: str | None, year: int) -> pd.DataFrame | None:
    """The submission times of each unit's own imports (``--unit``) of ``year`` from the
    efficiency database, as ``unit_id, table, period, submitted_date`` rows (no deadline:
    the data's ``submissions`` table or the checks give it)."""
    if not url or entry is None:
        return None
    from .store import open_store

    with open_store(url, read_only=True) as store:
        rows = store.db.query(
            "SELECT f.unit_id, f.tbl, b.submitted_at FROM batch_files f JOIN batches b ON b.batch_id = f.batch_id "
            "WHERE f.status = 'imported' AND f.unit_id IS NOT NULL AND f.year = ? AND b.batch_id <= ? "
            "ORDER BY b.batch_id", [year, int(entry["snapshot"])])
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["unit_id", "table", "submitted_at"])
    frame["submitted_date"] = pd.to_datetime(frame["submitted_at"]).dt.normalize()
    frame["period"] = str(year)
    return frame[["unit_id", "table", "period", "submitted_date"]]


def compute_bundle(dataset, data_dir: Path, year: int | None, *, period=None, store: dict | None = None,
                   store_url: str | None = None) -> QualityBundle:
    """Every check of ``year`` (and of the earlier years, for the trend), the scores and the
    audits, as the bundle the reports read."""
    from .quality.checks import load_checks
    from .quality.metrics import quality_metrics
    from .quality.score import quality_score

    year = dataset.evaluation_year(year)
    checks = load_checks(data_dir)
    submissions = store_submissions(store, store_url, year)
    if submissions is not None and dataset.has("submissions", year):
        own = dataset.table("submissions", year)
        submissions = pd.concat([own, submissions], ignore_index=True)
    metrics = quality_metrics(dataset, year, checks, submissions=submissions, period=period)
    scores = quality_score(metrics)
    history = [scores[["unit_id", "year", "score"]]]
    for earlier in sorted(y for y in dataset.years if y < year):
        try:
            past = quality_score(quality_metrics(dataset, earlier, checks))
        except EvalkitError:
            continue
        history.append(past[["unit_id", "year", "score"]])
    units = dataset.units[["unit_id", "name_zh", "name_en", "peer_group"]].copy()
    units["unit_id"] = units["unit_id"].astype(str)
    meta = {"period": str(period) if period else str(year), "checks": len(checks),
            "data_hashes": dict(dataset.files), "evalkit_version": __version__,
            "source": "efficiency database" if store else str(data_dir),
            "checks_file": "quality_checks.yaml" if (Path(data_dir) / "quality_checks.yaml").is_file() else ""}
    if store:
        meta["store"] = store
    return QualityBundle(year=year, metrics=metrics, scores=scores.drop(columns=["year"]),
                         history=pd.concat(history, ignore_index=True), audits=audit_summary(dataset, year),
                         units=units, meta=meta)


def _job(kind: str, unit: str, stem: str, year: int, folder: Path, language: str, renderer: str) -> RenderJob:
    from .report.render import CELL_TIMEOUT, START_TIMEOUT

    return RenderJob(kind=kind, unit=unit, stem=stem, year=year, language=language, results_dir=str(folder),
                     out_dir=str(folder), renderer=renderer, input_key="", timeout=int(CELL_TIMEOUT),
                     start_timeout=int(START_TIMEOUT))


def run_quality(dataset, data_dir: Path, year: int | None = None, *, out_dir: Path = Path("reports"),
                period=None, language: str = "zh", renderer: str = "typst", jobs: int = 2,
                units: list[str] | None = None, reports: bool = True, store: dict | None = None,
                store_url: str | None = None, progress: bool = True) -> QualitySummary:
    """Compute, save and render the data-quality results of ``year`` into
    ``out_dir/<year>/quality/``."""
    from .report.render import report_filenames

    bundle = compute_bundle(dataset, data_dir, year, period=period, store=store, store_url=store_url)
    folder = (Path(out_dir) / str(bundle.year) / QUALITY_DIR).resolve()
    try:
        bundle.save(folder)
        write_table(bundle.metrics, folder / "metrics.csv")
        write_table(bundle.metrics, folder / "metrics.xlsx")
        write_table(bundle.scores, folder / "scores.csv")
    except OSError as exc:
        raise EvalkitError(disk_error_message(exc, f"the data-quality tables in {folder}")) from exc
    failed = bundle.metrics["status"].isin(("warn", "error"))
    summary = QualitySummary(year=bundle.year, out_dir=folder, units=len(bundle.scores),
                             checks=int(bundle.meta["checks"]), failed=int(failed.sum()))
    if not reports:
        return summary
    all_units = [str(u) for u in bundle.units["unit_id"]]
    chosen = all_units if units is None else units
    unknown = sorted(set(chosen) - set(all_units))
    if unknown:
        raise EvalkitError(f"--units: no unit {', '.join(unknown)} in the data")
    stems = report_filenames(all_units)
    jobs_ = [_job("quality", "", DISTRICT_STEM, bundle.year, folder, language, renderer)]
    jobs_ += [_job("quality", u, stems[u], bundle.year, folder, language, renderer) for u in chosen]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs_), desc=f"Rendering {bundle.year} data-quality reports", unit="report",
                   file=sys.stderr)

    def done(outcome: RenderOutcome) -> None:
        if outcome.ok:
            summary.written.append(folder / outcome.outputs["html"]["file"])
        else:
            summary.failures[outcome.key] = outcome.error
        if bar is not None:
            bar.update(1)

    try:
        _run_local(jobs_, max(1, jobs), done)
    finally:
        if bar is not None:
            bar.close()
    summary.written.sort()
    return summary


__all__ = ["run_quality", "compute_bundle", "audit_summary", "QualitySummary", "QUALITY_DIR"]
