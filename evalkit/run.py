"""Batch runs: compute a year's results once, then render every unit report (HTML + PDF from
one notebook execution) and the district overview, and record everything in a manifest.

* **Workers.** ``jobs`` worker processes each keep one warm notebook kernel
  (:class:`evalkit.report.render.NotebookRunner`) for all the reports they render; with
  ``scheduler=ADDRESS`` the same jobs run on a Dask distributed cluster instead (the
  workers must see the same file system and have evalkit installed).
* **Isolation.** Each render runs in its own temporary directory and writes its files
  atomically. A failing report does not stop the others: the summary lists it, the exit
  code is non-zero and the executed notebook is kept as ``<unit>.failed.ipynb``.
* **Limits.** Every cell has a timeout, every kernel start too; a kernel that fails to
  start is retried once.
* **Incremental.** Each report has an *input key* (data, framework, code, templates, fonts,
  parameters); a rerun skips the reports whose key and files are unchanged.
* **Reproducible.** ``OUT/<year>/manifest.json`` records the inputs' hashes, framework,
  parameters, package versions and every output's SHA-256, with no time in it; the same
  inputs give the same bytes (see :func:`verify_reports`).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import multiprocessing.util
import sys
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .data.files import atomic_write_text, sha256_file
from .errors import EvalkitError
from .provenance import package_versions
from .results.compute import compute_results
from .results.store import save_results

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
OVERVIEW = "overview"

#: Packages whose version can change the bytes of a report.
_RENDER_PACKAGES = ("evalkit", "typst", "matplotlib", "nbconvert", "nbformat", "papermill",
                    "nbclient", "ipykernel", "pandas", "numpy", "fonttools",
                    "pylopdf-fonts-zh-cn", "jinja2")


@dataclass(frozen=True)
class RenderJob:
    """One report to render (picklable: it travels to worker processes and Dask)."""

    kind: str                 # "unit" or "overview"
    key: str                  # the unit id, or "overview"
    stem: str                 # file name stem in the year folder
    year: int
    language: str
    results_dir: str
    out_dir: str
    renderer: str
    input_key: str
    timeout: int
    start_timeout: int


@dataclass
class RenderOutcome:
    key: str
    kind: str
    input_key: str
    ok: bool
    outputs: dict = field(default_factory=dict)   # "html"/"pdf" → {"file", "sha256"}
    error: str = ""
    skipped: bool = False


@dataclass
class BatchSummary:
    year: int
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    overview: str = ""          # "written", "unchanged", "failed" or "" (not rendered)
    manifest: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def describe(self) -> str:
        line = f"{len(self.written)} report(s) for {self.year} written to {self.out_dir} (HTML and PDF)"
        if self.skipped:
            line += f"; {len(self.skipped)} unchanged, skipped"
        lines = [line]
        if self.overview:
            lines.append(f"district overview: {self.overview}")
        if self.manifest is not None:
            lines.append(f"manifest: {self.manifest}")
        if self.failed:
            lines.append(f"{len(self.failed)} report(s) failed:")
            lines += [f"  {unit}: {msg}" for unit, msg in sorted(self.failed.items())]
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------
# Hashes and input keys
# ----------------------------------------------------------------------------------------

def _tree_digest(paths: Iterable[Path], base: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(base)).encode("utf-8") + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def results_digest(results) -> str:
    """SHA-256 of the content of a :class:`~evalkit.results.store.Results` (every table as CSV,
    and the meta): any change in the computation changes it."""
    h = hashlib.sha256()
    frames = [("units", results.units), ("nodes", results.nodes),
              *sorted((results.tables or {}).items())]
    for name, frame in frames:
        h.update(name.encode("utf-8") + b"\0" + frame.to_csv(index=False).encode("utf-8") + b"\0")
    h.update(json.dumps(results.meta, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    return h.hexdigest()


def code_fingerprint() -> dict[str, str]:
    """Digests of what turns results into reports: evalkit's report code, the notebooks and
    the templates (a changed template re-renders every report). The computation itself is
    covered by :func:`results_digest`."""
    from .resources import notebook_path, template_dir

    package = Path(__file__).resolve().parent
    code = [package / "run.py", *(package / "report").glob("*.py")]
    templates = [p for p in template_dir().rglob("*") if p.is_file()]
    notebooks = [notebook_path("unit_report"), notebook_path("district_overview")]
    return {"code": _tree_digest(code, package),
            "templates": _tree_digest(templates, template_dir()),
            "notebooks": {p.name: sha256_file(p) for p in notebooks}}


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False,
                                     default=str).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------
# Rendering one job (in whatever process runs it)
# ----------------------------------------------------------------------------------------

_local = threading.local()
_all_runners: list = []


def _close_runners() -> None:
    while _all_runners:
        try:
            _all_runners.pop().close()
        except Exception:  # noqa: BLE001 - shutting down
            pass


def _runner(timeout: int, start_timeout: int):
    """This thread's warm notebook runner (one kernel per worker thread)."""
    from .report.render import NotebookRunner

    runner = getattr(_local, "runner", None)
    if runner is None or (runner.cell_timeout, runner.start_timeout) != (timeout, start_timeout):
        if runner is not None:
            runner.close()
        runner = NotebookRunner(cell_timeout=timeout, start_timeout=start_timeout)
        _local.runner = runner
        if not _all_runners:
            atexit.register(_close_runners)
            # worker processes of multiprocessing leave through os._exit: no atexit there
            multiprocessing.util.Finalize(None, _close_runners, exitpriority=10)
        _all_runners.append(runner)
    return runner


def render_job(job: RenderJob, runner=None) -> RenderOutcome:
    """Render one job; never raises for a report's own failure (the outcome says it)."""
    from .report.render import render_overview, render_unit_report

    runner = runner if runner is not None else _runner(job.timeout, job.start_timeout)
    out_dir = Path(job.out_dir)
    try:
        if job.kind == "overview":
            render_overview(job.results_dir, job.year, out_dir, language=job.language,
                            renderer=job.renderer, runner=runner)
        else:
            render_unit_report(job.results_dir, job.key, job.year, out_dir, language=job.language,
                               renderer=job.renderer, runner=runner)
    except EvalkitError as exc:
        return RenderOutcome(job.key, job.kind, job.input_key, ok=False, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in one report must not stop the batch
        return RenderOutcome(job.key, job.kind, job.input_key, ok=False,
                             error=f"unexpected {type(exc).__name__}: {exc}")
    outputs = {fmt: {"file": f"{job.stem}.{fmt}", "sha256": sha256_file(out_dir / f"{job.stem}.{fmt}")}
               for fmt in ("html", "pdf")}
    return RenderOutcome(job.key, job.kind, job.input_key, ok=True, outputs=outputs)


# ----------------------------------------------------------------------------------------
# Executors
# ----------------------------------------------------------------------------------------

def _run_local(jobs: list[RenderJob], workers: int, on_done) -> None:
    if not jobs:
        return
    if workers <= 1 or len(jobs) == 1:
        for job in jobs:
            on_done(render_job(job))
        return
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
        futures = {pool.submit(render_job, job): job for job in jobs}
        for fut in cf.as_completed(futures):
            job = futures[fut]
            try:
                on_done(fut.result())
            except Exception as exc:  # noqa: BLE001 - a worker process died
                on_done(RenderOutcome(job.key, job.kind, job.input_key, ok=False,
                                      error=f"worker failed: {type(exc).__name__}: {exc}"))


def _run_dask(jobs: list[RenderJob], scheduler: str, on_done) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise EvalkitError("--scheduler needs Dask: pip install 'evalkit[dask]'") from exc
    if not jobs:
        return
    try:
        client = Client(scheduler, timeout="30s")
    except Exception as exc:  # noqa: BLE001 - unreachable scheduler
        raise EvalkitError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        futures = {client.submit(render_job, job, pure=False,
                                 key=f"evalkit-{job.year}-{job.stem}-{job.input_key[:12]}"): job
                   for job in jobs}
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                on_done(fut.result())
            except Exception as exc:  # noqa: BLE001 - a worker died
                on_done(RenderOutcome(job.key, job.kind, job.input_key, ok=False,
                                      error=f"Dask worker failed: {type(exc).__name__}: {exc}"))
        try:  # stop the warm kernels: the workers outlive this batch
            client.run(_close_runners)
        except Exception:  # noqa: BLE001 - best effort
            pass


# ----------------------------------------------------------------------------------------
# Manifest
# ----------------------------------------------------------------------------------------

def read_manifest(year_dir: Path) -> dict | None:
    path = Path(year_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_manifest(year_dir: Path, manifest: dict) -> Path:
    path = Path(year_dir) / MANIFEST
    atomic_write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return path


def _unchanged(entry: dict | None, input_key: str, year_dir: Path) -> bool:
    if not entry or entry.get("input_key") != input_key:
        return False
    for out in entry.get("outputs", {}).values():
        path = year_dir / out["file"]
        if not path.is_file() or sha256_file(path) != out["sha256"]:
            return False
    return bool(entry.get("outputs"))


# ----------------------------------------------------------------------------------------
# The batch
# ----------------------------------------------------------------------------------------

def run_batch(data: Path, framework: Path, year: int | None = None, units: list[str] | None = None,
              out_dir: Path = Path("reports"), jobs: int = 2, language: str = "zh",
              progress: bool = True, *, renderer: str = "typst", overview: bool = True,
              force: bool = False, scheduler: str | None = None, timeout: int | None = None,
              start_timeout: int | None = None) -> BatchSummary:
    """Compute ``year`` once and render the reports of ``units`` (default: every unit) and
    the district overview into ``out_dir/<year>/``; write ``manifest.json`` there."""
    from .report.messages import LANGUAGES
    from .report.pdf import RENDERERS, quarto_available
    from .report.render import CELL_TIMEOUT, START_TIMEOUT, safe_filename

    if language not in LANGUAGES:
        raise EvalkitError(f"unknown report language {language!r}; choose one of {', '.join(LANGUAGES)}")
    if renderer not in RENDERERS:
        raise EvalkitError(f"unknown renderer {renderer!r}; choose one of {', '.join(RENDERERS)}")
    if renderer == "quarto" and not quarto_available():
        raise EvalkitError("--renderer quarto: no 'quarto' executable on the PATH")
    timeout = int(timeout or CELL_TIMEOUT)
    start_timeout = int(start_timeout or START_TIMEOUT)

    data, framework = Path(data).resolve(), Path(framework).resolve()
    results = compute_results(data, framework, year)
    year = int(results.meta["year"])
    known = [str(u) for u in results.units["unit_id"]]
    if units:
        unknown = [u for u in units if u not in known]
        if unknown:
            raise EvalkitError(f"unknown unit id(s) {', '.join(unknown)}; the data have "
                               f"{', '.join(known[:8])}{' …' if len(known) > 8 else ''}")
        chosen = list(dict.fromkeys(units))
    else:
        chosen = sorted(known)
    year_dir = (Path(out_dir) / str(year)).resolve()
    results_dir = save_results(results, year_dir / "results")

    from .fonts import font_manifest

    meta = results.meta
    inputs = {"data_dir": str(data), "data_files": dict(sorted(meta["data_hashes"].items())),
              "framework_file": str(framework),
              "framework": {"code": meta.get("framework_code"), "version": meta.get("framework_version"),
                            "sha256": meta.get("framework_hash")}}
    fingerprint = code_fingerprint()
    fonts = font_manifest()
    packages = package_versions(_RENDER_PACKAGES)
    digest = results_digest(results)
    common = (digest, fingerprint, fonts, packages, language, renderer, year)

    def job(kind: str, key: str, stem: str) -> RenderJob:
        return RenderJob(kind=kind, key=key, stem=stem, year=year, language=language,
                         results_dir=str(results_dir), out_dir=str(year_dir), renderer=renderer,
                         input_key=_key(kind, key, *common), timeout=timeout,
                         start_timeout=start_timeout)

    all_jobs = [job("unit", u, safe_filename(u)) for u in chosen]
    if overview:
        all_jobs.append(job("overview", OVERVIEW, OVERVIEW))

    old = read_manifest(year_dir) or {}
    same_inputs = old.get("inputs") == inputs and old.get("language") == language
    old_reports = dict(old.get("reports", {})) if same_inputs else {}
    old_overview = old.get("overview") if same_inputs else None

    summary = BatchSummary(year=year, out_dir=year_dir)
    outcomes: dict[str, RenderOutcome] = {}
    todo = []
    for j in all_jobs:
        entry = old_overview if j.kind == "overview" else old_reports.get(j.key)
        if not force and _unchanged(entry, j.input_key, year_dir):
            outcomes[j.key if j.kind == "unit" else OVERVIEW] = RenderOutcome(
                j.key, j.kind, j.input_key, ok=True, outputs=entry["outputs"], skipped=True)
        else:
            todo.append(j)

    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"Rendering {year} reports", unit="report", file=sys.stderr)

    def on_done(outcome: RenderOutcome) -> None:
        outcomes[outcome.key if outcome.kind == "unit" else OVERVIEW] = outcome
        if bar is not None:
            bar.update(1)

    try:
        if scheduler:
            _run_dask(todo, scheduler, on_done)
        else:
            _run_local(todo, jobs, on_done)
    finally:
        if bar is not None:
            bar.close()

    reports = {k: v for k, v in old_reports.items() if (year_dir / v["outputs"]["html"]["file"]).is_file()} \
        if old_reports else {}
    failed = {}
    for key, outcome in sorted(outcomes.items()):
        if outcome.kind == "overview":
            summary.overview = "failed" if not outcome.ok else "unchanged" if outcome.skipped else "written"
            if not outcome.ok:
                summary.failed[OVERVIEW] = outcome.error
                failed[OVERVIEW] = outcome.error
            continue
        if outcome.ok:
            reports[key] = {"input_key": outcome.input_key, "outputs": outcome.outputs}
            if outcome.skipped:
                summary.skipped.append(key)
            else:
                summary.written.append(year_dir / outcome.outputs["html"]["file"])
        else:
            reports.pop(key, None)
            summary.failed[key] = outcome.error
            failed[key] = outcome.error
    summary.written.sort()

    ov = outcomes.get(OVERVIEW)
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "year": year,
        "language": language,
        "renderer": renderer,
        "inputs": inputs,
        "parameters": meta.get("parameters", {}),
        "evalkit_version": __version__,
        "packages": packages,
        "code": fingerprint,
        "results_sha256": digest,
        "fonts": fonts,
        "reports": dict(sorted(reports.items())),
        "overview": ({"input_key": ov.input_key, "outputs": ov.outputs} if ov is not None and ov.ok
                     else (old_overview if old_overview and ov is None else None)),
        "failed": dict(sorted(failed.items())),
    }
    summary.manifest = _write_manifest(year_dir, manifest)
    return summary


# ----------------------------------------------------------------------------------------
# Verification
# ----------------------------------------------------------------------------------------

@dataclass
class Verification:
    year_dir: Path
    checked: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def describe(self) -> str:
        if self.ok:
            return (f"{self.year_dir}: {self.checked} file(s) verified; inputs and every output "
                    "match the manifest")
        return "\n".join([f"{self.year_dir}: {len(self.differences)} difference(s):",
                          *(f"  {d}" for d in self.differences)])


def verify_reports(year_dir: Path, jobs: int = 2, progress: bool = False,
                   scheduler: str | None = None) -> Verification:
    """Recompute the reports recorded in ``year_dir/manifest.json`` and list every
    difference: changed or missing input files, a changed framework, output files changed
    on disk, and re-rendered outputs whose bytes differ from the recorded ones."""
    year_dir = Path(year_dir).resolve()
    manifest = read_manifest(year_dir)
    if manifest is None:
        raise EvalkitError(f"no readable {MANIFEST} in {year_dir}; run `evalkit run` first")
    result = Verification(year_dir=year_dir)
    diffs = result.differences
    inputs = manifest["inputs"]
    data, framework = Path(inputs["data_dir"]), Path(inputs["framework_file"])
    if not data.is_dir():
        raise EvalkitError(f"the data directory recorded in the manifest is missing: {data}")
    if not framework.is_file():
        raise EvalkitError(f"the framework recorded in the manifest is missing: {framework}")

    recorded = {k: v for k, v in manifest.get("reports", {}).items()}
    overview_entry = manifest.get("overview")
    # 1. the outputs on disk are the recorded ones
    for key, entry in [*recorded.items(), *([(OVERVIEW, overview_entry)] if overview_entry else [])]:
        for out in entry["outputs"].values():
            path = year_dir / out["file"]
            result.checked += 1
            if not path.is_file():
                diffs.append(f"{out['file']}: missing")
            elif sha256_file(path) != out["sha256"]:
                diffs.append(f"{out['file']}: changed on disk since the run (sha256 differs)")
    # 2. recompute and re-render everything into a scratch folder
    with tempfile.TemporaryDirectory(prefix="evalkit-verify-") as tmp:
        summary = run_batch(data, framework, int(manifest["year"]), units=sorted(recorded) or None,
                            out_dir=Path(tmp), jobs=jobs, language=manifest.get("language", "zh"),
                            progress=progress, renderer=manifest.get("renderer", "typst"),
                            overview=overview_entry is not None, force=True, scheduler=scheduler)
        fresh = read_manifest(summary.out_dir) or {}
    now = fresh.get("inputs", {})
    for rel in sorted(set(inputs["data_files"]) | set(now.get("data_files", {}))):
        a, b = inputs["data_files"].get(rel), now.get("data_files", {}).get(rel)
        if a != b:
            diffs.append(f"input {rel}: " + ("added since the run" if a is None else
                                             "removed since the run" if b is None else "changed since the run"))
    if inputs.get("framework") != now.get("framework"):
        diffs.append(f"framework {framework.name}: changed since the run")
    for key, msg in sorted(fresh.get("failed", {}).items()):
        diffs.append(f"{key}: could not be re-rendered: {msg}")
    again = dict(fresh.get("reports", {}))
    if overview_entry and fresh.get("overview"):
        again[OVERVIEW] = fresh["overview"]
    wanted = dict(recorded)
    if overview_entry:
        wanted[OVERVIEW] = overview_entry
    for key, entry in sorted(wanted.items()):
        for fmt, out in sorted(entry["outputs"].items()):
            new = again.get(key, {}).get("outputs", {}).get(fmt)
            if new is None:
                continue  # reported as a failure above
            if new["sha256"] != out["sha256"]:
                diffs.append(f"{out['file']}: re-rendering gives different bytes")
    return result
