"""Batch runs: compute a year's results once, then render one report per unit.

Reports are rendered in parallel worker threads (each notebook runs in its own kernel
process, so threads only wait). A failing unit does not stop the others: the summary lists
it and the run's exit code is non-zero.
"""

from __future__ import annotations

import concurrent.futures as cf
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EvalkitError
from .pipeline import compute_results
from .results import save_results


@dataclass
class BatchSummary:
    year: int
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def describe(self) -> str:
        lines = [f"{len(self.written)} report(s) for {self.year} written to {self.out_dir}"]
        if self.failed:
            lines.append(f"{len(self.failed)} report(s) failed:")
            lines += [f"  {unit}: {msg}" for unit, msg in sorted(self.failed.items())]
        return "\n".join(lines)


def run_batch(data: Path, framework: Path, year: int | None = None, units: list[str] | None = None,
              out_dir: Path = Path("reports"), jobs: int = 2, language: str = "zh",
              progress: bool = True) -> BatchSummary:
    from .report.render import render_unit_report

    results = compute_results(data, framework, year)
    year = int(results.meta["year"])
    known = list(results.units["unit_id"])
    if units:
        unknown = [u for u in units if u not in known]
        if unknown:
            raise EvalkitError(f"unknown unit id(s) {', '.join(unknown)}; the data have "
                               f"{', '.join(known[:8])}{' …' if len(known) > 8 else ''}")
        chosen = units
    else:
        chosen = sorted(known)
    year_dir = Path(out_dir) / str(year)
    results_dir = save_results(results, year_dir / "results")
    summary = BatchSummary(year=year, out_dir=year_dir)

    def render(unit: str) -> Path:
        return render_unit_report(results_dir, unit, year, year_dir, data=str(data),
                                  framework=str(framework), language=language)

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(chosen), desc=f"Rendering {year} reports", unit="report", file=sys.stderr)
    with cf.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(render, u): u for u in chosen}
        for fut in cf.as_completed(futures):
            unit = futures[fut]
            try:
                summary.written.append(fut.result())
            except EvalkitError as exc:
                summary.failed[unit] = str(exc)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    summary.written.sort()
    return summary
