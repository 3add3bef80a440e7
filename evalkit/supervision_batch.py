"""``evalkit supervise``: the quarterly supervision report (效能督查通报), computed, saved and
rendered.

:func:`evalkit.supervision.compute_supervision` gathers the quarter's scores, key rates,
early warnings and overdue items (through the period kernels every report uses); this module
writes them into ``OUT/<period>/supervision/`` as the bundle the report reads (Parquet and
``supervision_meta.json``, :class:`evalkit.supervision.SupervisionBundle`) and renders
``report.html`` and ``report.pdf`` from ``notebooks/supervision_report.ipynb`` in
``--language``. Problems reported are findings: the command exits 0 when it ran.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import EvalkitError
from .periods import Period
from .run import RenderJob, RenderOutcome, _run_local, disk_error_message
from .supervision import commended, compute_supervision, reported

SUPERVISION_DIR = "supervision"
#: The report's file stem in the supervision folder.
REPORT_STEM = "report"


@dataclass
class SupervisionSummary:
    period: Period
    out_dir: Path
    units: int = 0
    reported: int = 0
    commended: int = 0
    written: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures

    def describe(self) -> str:
        lines = [f"Supervision bulletin {self.period.key} ({self.period.name('en')}): {self.units} units; "
                 f"{self.reported} reported with problems, {self.commended} commended (findings, see the report)",
                 f"written to {self.out_dir}: the bundle and {len(self.written)} report(s) (HTML and PDF)"]
        for key, why in sorted(self.failures.items()):
            lines.append(f"FAILED {key}: {why}")
        return "\n".join(lines)


def run_supervision(dataset, config, period: Period, *, data_dir: Path, out_dir: Path = Path("reports"),
                    units: list[str] | None = None, language: str = "zh", renderer: str = "typst",
                    reports: bool = True, store: dict | None = None, progress: bool = True,
                    timeout: int | None = None, start_timeout: int | None = None) -> SupervisionSummary:
    """Compute, save and render the supervision report of ``period`` into
    ``out_dir/<period key>/supervision/``. ``units`` restricts the unit pages; the district
    parts always cover every unit."""
    from .report.render import CELL_TIMEOUT, START_TIMEOUT

    bundle = compute_supervision(dataset, config, period, data_dir=data_dir, store=store)
    known = set(bundle.units["unit_id"].astype(str))
    unknown = [u for u in (units or []) if u not in known]
    if unknown:
        raise EvalkitError(f"--units: no unit {', '.join(unknown)} in units.csv")
    folder = (Path(out_dir) / period.key / SUPERVISION_DIR).resolve()
    bundle = replace(bundle, meta={**bundle.meta, "unit_pages": list(units or [])})
    try:
        bundle.save(folder)
    except OSError as exc:
        raise EvalkitError(disk_error_message(exc, f"the supervision bundle in {folder}")) from exc
    summary = SupervisionSummary(period=period, out_dir=folder, units=len(bundle.units),
                                 reported=len(reported(bundle.findings, bundle.units)),
                                 commended=len(commended(bundle.findings, bundle.units)))
    if not reports:
        return summary
    job = RenderJob(kind="supervision", unit="", stem=REPORT_STEM, year=int(period), language=language,
                    results_dir=str(folder), out_dir=str(folder), renderer=renderer, input_key="",
                    timeout=int(timeout or CELL_TIMEOUT), start_timeout=int(start_timeout or START_TIMEOUT))
    if progress:
        print(f"Rendering the supervision bulletin {period.key} …", file=sys.stderr, flush=True)

    def done(outcome: RenderOutcome) -> None:
        if outcome.ok:
            summary.written.append(folder / outcome.outputs["html"]["file"])
        else:
            summary.failures[outcome.key] = outcome.error

    _run_local([job], 1, done)
    return summary


__all__ = ["REPORT_STEM", "SUPERVISION_DIR", "SupervisionSummary", "run_supervision"]
