"""``evalkit run --theme NAME``: a thematic evaluation (专项评价), computed, saved and rendered.

Scores the framework's theme ``NAME`` (:mod:`evalkit.scoring.themes`) for its units and
period with the one scoring model (:func:`evalkit.results.themes.compute_theme`) and writes
into ``OUT/<year>/themes/<name>/``:

* ``results/`` — the theme's results (``units``, ``nodes``, ``indicators`` and
  ``meta.json``, :func:`evalkit.results.store.save_results`);
* ``ranking.csv`` — one row per unit: score, rank in its peer group, position against the
  group's median (:data:`evalkit.results.themes.UNIT_COLUMNS`);
* ``report.html`` and ``report.pdf`` — the thematic report (``notebooks/theme_report.ipynb``,
  :mod:`evalkit.report.theme`), in ``--language``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .configuration import load_configuration
from .data.writers import write_table
from .errors import EvalkitError
from .results.store import save_results
from .results.themes import compute_theme
from .run import RenderJob, _check_options, disk_error_message, render_job

THEMES_DIR = "themes"
#: The report's file stem in the theme's folder.
REPORT_STEM = "report"


@dataclass
class ThemeSummary:
    theme: str
    period: str
    out_dir: Path
    units: int = 0
    written: list[Path] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def describe(self) -> str:
        lines = [f"Theme {self.theme} ({self.period}): {self.units} units scored; written to {self.out_dir}: "
                 f"results/, ranking.csv" + "".join(f", {p.name}" for p in self.written)]
        if self.error:
            lines.append(f"FAILED theme/{self.theme}: {self.error}")
        return "\n".join(lines)


def run_theme(data: Path, framework: Path, name: str, *, year: int | None = None, units: list[str] | None = None,
              out_dir: Path = Path("reports"), language: str = "zh", renderer: str = "typst", dataset=None,
              timeout: int | None = None, start_timeout: int | None = None) -> ThemeSummary:
    """Compute, save and render the theme ``name`` of the framework into
    ``out_dir/<year>/themes/<name>/`` (see the module docstring). ``units`` restricts the
    theme's units; ``dataset``: the data already loaded (e.g. from the efficiency database)."""
    from .data.dataset import load_dataset
    from .report.render import CELL_TIMEOUT, START_TIMEOUT

    _check_options(language, renderer)
    config = load_configuration(data, framework)
    ds = dataset if dataset is not None else load_dataset(data)
    results = compute_theme(ds, config, name, year, units)
    folder = (Path(out_dir) / str(results.meta["year"]) / THEMES_DIR / name).resolve()
    try:
        save_results(results, folder / "results")
        write_table(results.units, folder / "ranking.csv")
    except OSError as exc:
        raise EvalkitError(disk_error_message(exc, f"the theme's results in {folder}")) from exc
    summary = ThemeSummary(theme=name, period=str(results.meta["period"]), out_dir=folder, units=len(results.units))
    job = RenderJob(kind="theme", unit=name, stem=REPORT_STEM, year=int(results.meta["year"]), language=language,
                    results_dir=str(folder / "results"), out_dir=str(folder), renderer=renderer, input_key="",
                    timeout=int(timeout or CELL_TIMEOUT), start_timeout=int(start_timeout or START_TIMEOUT))
    outcome = render_job(job)
    if outcome.ok:
        summary.written = [folder / o["file"] for o in outcome.outputs.values()]
    else:
        summary.error = outcome.error
    return summary


__all__ = ["run_theme", "ThemeSummary", "THEMES_DIR", "REPORT_STEM"]
