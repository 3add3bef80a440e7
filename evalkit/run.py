"""Batch runs: compute a year's results once, then render every unit report (HTML, PDF and
JSON from one notebook execution) and the district overview, and record everything in a manifest.

* **Workers.** ``jobs`` worker processes each keep one warm notebook kernel
  (:class:`evalkit.report.render.NotebookRunner`) for all the reports they render; with
  ``scheduler=ADDRESS`` the same jobs run on a Dask distributed cluster instead (the
  workers must see the same file system and have evalkit installed). A worker whose parent
  process dies (even by ``kill -9``) stops its kernel and exits within a second.
* **Keys and file names.** A report's key is ``unit/<unit id>`` or ``overview`` (the
  district overview), so a unit whose id is ``overview`` is a unit like any other. Unit ids
  become file names by :func:`evalkit.report.render.safe_filename`, which never gives two
  ids one name; a set of ids that would share a file (ids differing only in case) is
  refused before anything is written.
* **Isolation.** Each render runs in its own temporary directory and writes its HTML, PDF
  and JSON together (all or none, :func:`evalkit.report.render.publish_together`; the JSON
  holds the report's numbers and display blocks, see ``docs/report-payload.md``). A failing
  report does not stop the others: the summary lists it, the exit code is non-zero and the
  executed notebook is kept as ``<file name>.failed.ipynb``.
* **Limits.** Every cell has a timeout, every kernel start too; a kernel that fails to
  start is retried once. Before writing, the batch checks that the output folder's disk has
  room for the reports (:data:`REPORT_SPACE` each) and the results; a full disk is one clear
  message, never a half-written report.
* **Incremental and resumable.** Each report has an *input key* (results, code, templates,
  fonts, packages, language, renderer); a rerun skips the reports whose key and files are
  unchanged. The manifest is rewritten (atomically) after every finished report, so a run
  that is killed resumes where it stopped.
* **One run per folder.** A run holds a lock on ``OUT/<year>/`` (``fcntl.flock`` on
  :data:`LOCK_FILE`) for its whole duration; a second run on the same folder waits for it
  (saying so) and then adds its reports to the same manifest. ``evalkit verify`` takes the
  lock shared. Temporary files of a process live in a scratch directory of its own
  (``<tmp>/evalkit-scratch-<pid>-*``), removed when it ends; one left by a killed process
  is removed by the next run.
* **Reproducible.** ``OUT/<year>/manifest.json`` records the inputs' hashes (data files and
  every configuration file), the framework, parameters, package versions, the results
  tables' and every output's SHA-256, with no time in it; the same inputs give the same
  bytes (see :func:`verify_reports`).

Manifest (``manifest_version`` 2)::

    {"manifest_version": 2, "year": 2024, "language": "zh", "renderer": "typst",
     "inputs": {"data_dir": …, "data_files": {"units.csv": sha256, "2024/…": …},
                "framework_file": …, "framework": {"code", "version", "sha256"},
                "configuration": {"framework" | "rubric" | "schemes" | "indicators":
                                  {"file": name in the data directory, "sha256": …}}},
     "parameters": …, "evalkit_version": …, "packages": …, "code": …, "fonts": …,
     "results": {"sha256": digest of the results' content,
                 "files": {"units.parquet": sha256, …, "meta.json": sha256}},
     "reports": {"overview": entry, "unit/D01": entry, …},
     "failed": {"unit/D07": "why", …}}

with ``entry = {"input_key": …, "results_key": …, "outputs": {"html": {"file", "sha256"},
"pdf": {…}, "json": {…}}}`` (one key per :data:`evalkit.report.render.OUTPUT_FORMATS`; an
entry of an earlier version without ``json`` counts as a report with a missing file and is
rendered again). ``results_key`` identifies what the report shows (results, language,
renderer, year): an entry whose ``results_key`` differs from the current one is *stale* —
rendered from other inputs by an earlier run and not rendered again since (``--units``).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import errno
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .configuration import load_configuration
from .data.files import atomic_write_text, flock, sha256_file
from .errors import EvalkitError
from .periods import parse_period
from .provenance import package_versions
from .results.compute import compute_results
from .results.store import save_results

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
#: Key (and file stem) of the district overview; a unit's key is ``unit/<id>``.
OVERVIEW = "overview"
UNIT_PREFIX = "unit/"
RESULTS_DIR = "results"
#: The lock file of a year folder (hidden; ``flock``-ed by a run, shared by ``verify``).
LOCK_FILE = ".evalkit.lock"
#: Prefix of a process's scratch directory in the system's temporary directory.
SCRATCH_PREFIX = "evalkit-scratch-"
_SCRATCH_LOCK = "owner.lock"
#: Free space a batch asks for: per report (HTML + PDF + JSON; the sample's take ≈ 0.7 MB) …
REPORT_SPACE = 2 * 2 ** 20
#: … and for the results tables.
RESULTS_SPACE = 32 * 2 ** 20

#: Packages whose version can change the bytes of a report.
_RENDER_PACKAGES = ("evalkit", "typst", "matplotlib", "nbconvert", "nbformat", "papermill",
                    "nbclient", "ipykernel", "pandas", "numpy", "fonttools",
                    "pylopdf-fonts-zh-cn", "jinja2")

#: Temporary files of :func:`evalkit.data.files.atomic_path` (the manifest, the results tables)
#: and :func:`evalkit.report.render.publish_together` (``.<name>.<random>.tmp``), and of older
#: versions of :func:`evalkit.results.store.save_results` (``tmp<random>.tmp``): what a killed
#: run leaves behind.
_PARTIAL_WRITE = re.compile(r"(\..+\.[A-Za-z0-9_]{8}|tmp[A-Za-z0-9_]{8})\.tmp")


def unit_key(unit_id: str) -> str:
    """The manifest key of the report of ``unit_id``: ``unit/<id>``."""
    return f"{UNIT_PREFIX}{unit_id}"


def _key_unit(key: str) -> str | None:
    return key[len(UNIT_PREFIX):] if key.startswith(UNIT_PREFIX) else None


@dataclass(frozen=True)
class RenderJob:
    """One report to render (picklable: it travels to worker processes and Dask)."""

    kind: str                 # "unit", "overview", "quality" (a data-quality report), "monitor", "theme"
    #                           or "supervision" (the quarterly supervision report)
    unit: str                 # the unit id ("" for the overview; the theme's name for a theme)
    stem: str                 # file name stem in the year folder
    year: int
    language: str
    results_dir: str
    out_dir: str
    renderer: str
    input_key: str
    timeout: int
    start_timeout: int

    @property
    def key(self) -> str:
        """The report's manifest key: ``unit/<id>`` or ``overview`` (a data-quality report:
        ``quality/<id>`` or ``quality/district``)."""
        if self.kind == "quality":
            return f"quality/{self.unit or 'district'}"
        if self.kind == "monitor":
            return "monitor/district"
        if self.kind == "theme":
            return f"theme/{self.unit}"
        if self.kind == "supervision":
            return "supervision/district"
        return unit_key(self.unit) if self.kind == "unit" else OVERVIEW


@dataclass
class RenderOutcome:
    key: str                  # manifest key
    kind: str
    input_key: str
    ok: bool
    outputs: dict = field(default_factory=dict)   # "html"/"pdf"/"json" → {"file", "sha256"}
    error: str = ""
    skipped: bool = False


@dataclass
class BatchSummary:
    year: int
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)       # unit ids
    failed: dict[str, str] = field(default_factory=dict)   # manifest key → why
    stale: list[str] = field(default_factory=list)         # manifest keys
    overview: str = ""          # "written", "unchanged", "failed" or "" (not rendered)
    manifest: Path | None = None
    portal: str = ""            # what refreshing the portal of the reports folder said ("": none there)
    period: str = ""            # an in-year period's key (2024Q3); "" for a whole year

    @property
    def ok(self) -> bool:
        return not self.failed

    def describe(self) -> str:
        line = (f"{len(self.written)} report(s) for {self.period or self.year} written to {self.out_dir} "
                "(HTML, PDF and JSON)")
        if self.skipped:
            line += f"; {len(self.skipped)} unchanged, skipped"
        lines = [line]
        if self.overview:
            lines.append(f"district overview: {self.overview}")
        if self.manifest is not None:
            lines.append(f"manifest: {self.manifest}")
        if self.portal:
            lines.append(self.portal)
        if self.stale:
            shown = ", ".join(self.stale[:8]) + (" …" if len(self.stale) > 8 else "")
            lines.append(f"{len(self.stale)} earlier report(s) in the folder were rendered from other "
                         f"inputs, or are of units no longer in the data, and were not rendered by this "
                         f"run: {shown}; run without --units to bring them up to date")
        if self.failed:
            lines.append(f"{len(self.failed)} report(s) failed:")
            lines += [f"  {key}: {msg}" for key, msg in sorted(self.failed.items())]
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


@dataclass
class _Plan:
    """What a batch renders from, computed once and written nowhere: the results, the
    inputs' hashes and the parts of every report's input key."""

    data: Path
    framework: Path
    year: int
    language: str
    renderer: str
    results: object
    inputs: dict
    digest: str
    fingerprint: dict
    fonts: dict
    packages: dict
    stems: dict[str, str]     # unit id → file stem, for every unit of the year

    @property
    def results_key(self) -> str:
        """What every report shows: the results, language, renderer and year."""
        return _key(self.digest, self.language, self.renderer, self.year)

    def input_key(self, kind: str, unit: str = "") -> str:
        """Everything the report ``kind``/``unit`` is rendered from: its skip key."""
        return _key(kind, unit if kind == "unit" else OVERVIEW, self.digest, self.fingerprint,
                    self.fonts, self.packages, self.language, self.renderer, self.year)

    def expected_key(self, key: str) -> str | None:
        """The input key the report ``key`` would have now; None for a unit not in the data."""
        unit = _key_unit(key)
        if unit is None:
            return self.input_key("overview") if key == OVERVIEW else None
        return self.input_key("unit", unit) if unit in self.stems else None


def _plan(data: Path, framework: Path, year: int | None, language: str, renderer: str, *,
          dataset=None, store: dict | None = None, published_root: Path | None = None) -> _Plan:
    """``dataset``/``store``: the data come from the efficiency database (exported to the
    folder ``data``; ``store`` is its manifest entry: id, URL, snapshot). ``published_root``:
    the output folder whose ``<year>/results/`` hold the earlier years' results as published
    (:func:`evalkit.results.comparable.read_published`), kept beside the comparable series."""
    from .fonts import font_manifest
    from .report.render import report_filenames

    data, framework = Path(data).resolve(), Path(framework).resolve()
    config = load_configuration(data, framework)
    published = None
    if published_root is not None:
        from .results.comparable import read_published

        # compute_results keeps the years before its own; a period is set beside the same period
        published = read_published(published_root, period=year)
    results = compute_results(data, year=year, config=config, dataset=dataset, published=published)
    meta = results.meta
    framework_file = str(framework)
    if store is not None and framework.parent == data:
        framework_file = f"store:{framework.name}"  # a document of the store
    inputs = {"data_dir": None if store is not None else str(data),
              "data_files": dict(sorted(meta["data_hashes"].items())),
              "framework_file": framework_file,
              "framework": {"code": meta.get("framework_code"), "version": meta.get("framework_version"),
                            "sha256": meta.get("framework_hash")},
              "configuration": {s.role: {"file": s.name, "sha256": s.sha256} for s in config.sources}}
    if store is not None:
        inputs["store"] = store
    units = [str(u) for u in results.units["unit_id"]]
    return _Plan(data=data, framework=framework, year=int(meta["year"]), language=language,
                 renderer=renderer, results=results, inputs=inputs, digest=results_digest(results),
                 fingerprint=code_fingerprint(), fonts=font_manifest(),
                 packages=package_versions(_RENDER_PACKAGES), stems=report_filenames(units))


# ----------------------------------------------------------------------------------------
# A process's scratch directory, and the workers' watchdog
# ----------------------------------------------------------------------------------------

_scratch: dict[int, tuple[Path, int]] = {}   # pid → (directory, fd of its held lock file)
_scratch_guard = threading.Lock()


def _flock(fd: int, exclusive: bool = True, block: bool = True) -> bool:
    """:func:`evalkit.data.files.flock` (the one advisory-lock primitive)."""
    return flock(fd, exclusive, block)


def process_scratch() -> Path:
    """This process's scratch directory, ``<tmp>/evalkit-scratch-<pid>-<random>``: kernel
    homes and connection files, and each report's temporary directory. Made on first use,
    held (``flock`` on its ``owner.lock``) while the process lives and removed when it ends;
    :func:`remove_stale_scratch` removes one whose process died without removing it."""
    pid = os.getpid()
    with _scratch_guard:
        if pid in _scratch:  # (a forked child inherits the dict: it keys on the pid)
            return _scratch[pid][0]
        path = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{pid}-"))
        fd = os.open(path / _SCRATCH_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        _flock(fd)
        _scratch[pid] = (path, fd)
        atexit.register(_remove_scratch)
        multiprocessing.util.Finalize(None, _remove_scratch, exitpriority=0)
        return path


def _remove_scratch() -> None:
    entry = _scratch.pop(os.getpid(), None)
    if entry is not None:
        shutil.rmtree(entry[0], ignore_errors=True)
        os.close(entry[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or not a pid: assume it lives
    return True


def remove_stale_scratch(root: str | Path | None = None, *, min_age: float = 600.0) -> list[Path]:
    """Remove the scratch directories under ``root`` (default: the system's temporary
    directory) whose process has died: their ``owner.lock`` is free (a lock dies with its
    process, even after ``kill -9``) and their process is gone (or the directory is older
    than ``min_age`` seconds: the pid was reused). A directory without a lock file is
    removed when older than ``min_age``. Returns the directories removed."""
    root = Path(root) if root is not None else Path(tempfile.gettempdir())
    removed = []
    try:
        candidates = sorted(root.glob(f"{SCRATCH_PREFIX}*"))
    except OSError:
        return removed
    for path in candidates:
        if not path.is_dir() or path.is_symlink() or path == _scratch.get(os.getpid(), (None,))[0]:
            continue
        lock = path / _SCRATCH_LOCK
        try:
            fd = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            try:
                old = time.time() - path.stat().st_mtime > min_age
            except OSError:
                continue
            if old:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
            continue
        except OSError:
            continue  # another user's, or unreadable
        try:
            match = re.match(rf"{SCRATCH_PREFIX}(\d+)-", path.name)
            if _flock(fd, block=False) and not (
                    match and _pid_alive(int(match.group(1)))
                    and time.time() - path.stat().st_mtime < min_age):  # being made right now
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _worker_init(parent_pid: int) -> None:
    """Initialiser of a batch worker process: a watchdog thread that, when the parent
    process is gone (the worker has been re-parented, e.g. after ``kill -9`` of the run),
    kills this worker's kernels, removes its scratch directory and exits at once.
    (A pool's worker would otherwise wait forever on its task queue.)"""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        for runner in list(_all_runners):
            try:
                runner.kill()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
        entry = _scratch.get(os.getpid())
        if entry is not None:
            shutil.rmtree(entry[0], ignore_errors=True)
        os._exit(1)

    threading.Thread(target=watch, name="evalkit-parent-watchdog", daemon=True).start()


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
        runner = NotebookRunner(cell_timeout=timeout, start_timeout=start_timeout,
                                tmp_dir=process_scratch())
        _local.runner = runner
        if not _all_runners:
            atexit.register(_close_runners)
            # worker processes of multiprocessing leave through os._exit: no atexit there
            multiprocessing.util.Finalize(None, _close_runners, exitpriority=10)
        _all_runners.append(runner)
    return runner


def disk_error_message(exc: OSError, what: str) -> str:
    """One line for an :class:`OSError` met while writing ``what``; a full disk says so."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)) or "No space left" in str(exc) \
            or "Disk quota" in str(exc):
        return (f"the disk is full: no space left on the device while writing {what}; "
                "free some space and run again")
    return f"cannot write {what}: {exc.strerror or exc}"


def render_job(job: RenderJob, runner=None) -> RenderOutcome:
    """Render one job; never raises for a report's own failure (the outcome says it)."""
    from .report.render import OUTPUT_FORMATS, render_overview, render_unit_report

    out_dir = Path(job.out_dir)
    try:
        runner = runner if runner is not None else _runner(job.timeout, job.start_timeout)
        if job.kind == "monitor":  # the early-warning report: HTML and PDF, no JSON
            from .report.render import render_monitor_report

            written = render_monitor_report(job.results_dir, out_dir, job.stem, language=job.language,
                                            renderer=job.renderer, runner=runner, tmp_dir=process_scratch())
            outputs = {fmt: {"file": path.name, "sha256": sha256_file(path)} for fmt, path in written.items()}
            return RenderOutcome(job.key, job.kind, job.input_key, ok=True, outputs=outputs)
        if job.kind == "quality":  # the data-quality reports: HTML and PDF, no JSON
            from .report.render import render_quality_report

            written = render_quality_report(job.results_dir, job.year, out_dir, job.stem, unit=job.unit,
                                            language=job.language, renderer=job.renderer, runner=runner,
                                            tmp_dir=process_scratch())
            outputs = {fmt: {"file": path.name, "sha256": sha256_file(path)} for fmt, path in written.items()}
            return RenderOutcome(job.key, job.kind, job.input_key, ok=True, outputs=outputs)
        if job.kind == "supervision":  # the supervision report (督查通报): HTML and PDF, no JSON
            from .report.render import render_supervision_report

            written = render_supervision_report(job.results_dir, out_dir, job.stem, language=job.language,
                                                renderer=job.renderer, runner=runner, tmp_dir=process_scratch())
            outputs = {fmt: {"file": path.name, "sha256": sha256_file(path)} for fmt, path in written.items()}
            return RenderOutcome(job.key, job.kind, job.input_key, ok=True, outputs=outputs)
        if job.kind == "theme":  # a thematic report (专项评价): HTML and PDF, no JSON
            from .report.render import render_theme_report

            written = render_theme_report(job.results_dir, job.year, out_dir, job.stem, theme=job.unit,
                                          language=job.language, renderer=job.renderer, runner=runner,
                                          tmp_dir=process_scratch())
            outputs = {fmt: {"file": path.name, "sha256": sha256_file(path)} for fmt, path in written.items()}
            return RenderOutcome(job.key, job.kind, job.input_key, ok=True, outputs=outputs)
        if job.kind == "overview":
            render_overview(job.results_dir, job.year, out_dir, language=job.language,
                            renderer=job.renderer, runner=runner, tmp_dir=process_scratch())
        else:
            render_unit_report(job.results_dir, job.unit, job.year, out_dir, language=job.language,
                               renderer=job.renderer, runner=runner, tmp_dir=process_scratch())
        outputs = {fmt: {"file": f"{job.stem}.{fmt}", "sha256": sha256_file(out_dir / f"{job.stem}.{fmt}")}
                   for fmt in OUTPUT_FORMATS}
    except EvalkitError as exc:
        return RenderOutcome(job.key, job.kind, job.input_key, ok=False, error=str(exc))
    except OSError as exc:
        return RenderOutcome(job.key, job.kind, job.input_key, ok=False,
                             error=disk_error_message(exc, f"{job.stem}.html, .pdf and .json"))
    except Exception as exc:  # noqa: BLE001 - a bug in one report must not stop the batch
        return RenderOutcome(job.key, job.kind, job.input_key, ok=False,
                             error=f"unexpected {type(exc).__name__}: {exc}")
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
    pool = cf.ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx,
                                  initializer=_worker_init, initargs=(os.getpid(),))
    try:
        futures = {pool.submit(render_job, job): job for job in jobs}
        for fut in cf.as_completed(futures):
            job = futures[fut]
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker process died
                outcome = RenderOutcome(job.key, job.kind, job.input_key, ok=False,
                                        error=f"worker failed: {type(exc).__name__}: {exc}")
            on_done(outcome)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # interrupted: do not start more
        raise
    pool.shutdown(wait=True)


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
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died
                outcome = RenderOutcome(job.key, job.kind, job.input_key, ok=False,
                                        error=f"Dask worker failed: {type(exc).__name__}: {exc}")
            on_done(outcome)
        try:  # stop the warm kernels: the workers outlive this batch
            client.run(_close_runners)
        except Exception:  # noqa: BLE001 - best effort
            pass


# ----------------------------------------------------------------------------------------
# Manifest and the year folder
# ----------------------------------------------------------------------------------------

def _upgrade(manifest: dict) -> dict:
    """A version-1 manifest (reports keyed by unit id, the overview apart) in version 2."""
    if manifest.get("manifest_version", 1) >= 2:
        return manifest
    reports = {unit_key(k): v for k, v in (manifest.get("reports") or {}).items()}
    if manifest.get("overview"):
        reports[OVERVIEW] = manifest["overview"]
    failed = {(k if k == OVERVIEW else unit_key(k)): v for k, v in (manifest.get("failed") or {}).items()}
    upgraded = {k: v for k, v in manifest.items() if k not in ("overview", "results_sha256")}
    upgraded.update(manifest_version=MANIFEST_VERSION, reports=reports, failed=failed,
                    results={"sha256": manifest.get("results_sha256"), "files": {}})
    return upgraded


def read_manifest(year_dir: Path) -> dict | None:
    """The manifest of ``year_dir`` (in the current format), or None when there is none or
    it cannot be read."""
    path = Path(year_dir) / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return _upgrade(manifest) if isinstance(manifest, dict) else None


def _write_manifest(year_dir: Path, manifest: dict) -> Path:
    path = Path(year_dir) / MANIFEST
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise EvalkitError(disk_error_message(exc, str(path))) from exc
    return path


def _unchanged(entry: dict | None, input_key: str, year_dir: Path) -> bool:
    """True when the report of ``entry`` need not be rendered again: same input key, and
    every output a report has (HTML, PDF, JSON) recorded and on disk with its SHA-256."""
    from .report.render import OUTPUT_FORMATS

    if not entry or entry.get("input_key") != input_key:
        return False
    if not set(OUTPUT_FORMATS) <= set(entry.get("outputs") or {}):
        return False  # an entry of an earlier version (no JSON): render it again
    for out in entry.get("outputs", {}).values():
        path = year_dir / out["file"]
        if not path.is_file() or sha256_file(path) != out["sha256"]:
            return False
    return bool(entry.get("outputs"))


@contextmanager
def folder_lock(year_dir: Path, *, shared: bool = False, timeout: float | None = None,
                command: str = "evalkit run") -> Iterator[None]:
    """Hold the lock of ``year_dir`` (``flock`` on its :data:`LOCK_FILE`): exclusive for a
    run, ``shared`` for a verification. When another process holds it, say so on stderr and
    wait — at most ``timeout`` seconds (None: until it is free), then raise
    :class:`EvalkitError` naming the holder. The lock dies with its process, even after
    ``kill -9``; the lock file stays (it is empty of meaning)."""
    year_dir = Path(year_dir)
    path = year_dir / LOCK_FILE
    try:
        if not shared:
            year_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if shared:  # a read-only copy of a report folder: nothing can write it anyway
            yield
            return
        raise EvalkitError(disk_error_message(exc, str(path))) from exc
    try:
        if not _flock(fd, exclusive=not shared, block=False):
            try:
                holder = path.read_text(encoding="utf-8").strip() or "another process"
            except OSError:
                holder = "another process"
            busy = f"{year_dir} is in use by another evalkit command ({holder})"
            if timeout is not None and timeout <= 0:
                raise EvalkitError(f"{busy}; try again when it has finished")
            print(f"evalkit: {busy}; waiting for it to finish …", file=sys.stderr, flush=True)
            deadline = None if timeout is None else time.monotonic() + timeout
            while not _flock(fd, exclusive=not shared, block=False):
                if deadline is not None and time.monotonic() > deadline:
                    raise EvalkitError(f"{busy}; gave up waiting after {timeout:g} s — try again "
                                       "when it has finished")
                time.sleep(0.2)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{command}, pid {os.getpid()}\n".encode("utf-8"), 0)
        except (OSError, AttributeError):  # (no os.pwrite on Windows)
            pass  # only informative
        yield
    finally:
        os.close(fd)


def _remove_partial_writes(year_dir: Path) -> None:
    """Remove the hidden temporary files an interrupted run left in ``year_dir`` and its
    results folder (they are never a finished output)."""
    for folder in (year_dir, year_dir / RESULTS_DIR):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.is_file() and _PARTIAL_WRITE.fullmatch(p.name):
                    p.unlink(missing_ok=True)


def _check_free_space(folder: Path, reports: int, results: bool = True) -> None:
    need = reports * REPORT_SPACE + (RESULTS_SPACE if results else 0)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < need:
        raise EvalkitError(
            f"not enough free space in {folder}: {free / 1e6:.1f} MB free, about {need / 1e6:.0f} MB "
            f"needed for {reports} report(s) (HTML, PDF and JSON) and the results tables; free some space "
            "or choose another --out")


def _results_files(results_dir: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted(results_dir.iterdir())
            if p.is_file() and (p.suffix == ".parquet" or p.name == "meta.json")}


# ----------------------------------------------------------------------------------------
# The batch
# ----------------------------------------------------------------------------------------

def _check_options(language: str, renderer: str) -> None:
    from .report.messages import LANGUAGES
    from .report.pdf import RENDERERS, quarto_available

    if language not in LANGUAGES:
        raise EvalkitError(f"unknown report language {language!r}; choose one of {', '.join(LANGUAGES)}")
    if renderer not in RENDERERS:
        raise EvalkitError(f"unknown renderer {renderer!r}; choose one of {', '.join(RENDERERS)}")
    if renderer == "quarto" and not quarto_available():
        raise EvalkitError("--renderer quarto: no 'quarto' executable on the PATH")


def _choose(plan: _Plan, units: list[str] | None) -> list[str]:
    known = list(plan.stems)
    if not units:
        return sorted(known)
    unknown = [u for u in units if u not in plan.stems]
    if unknown:
        raise EvalkitError(f"unknown unit id(s) {', '.join(unknown)}; the data have "
                           f"{', '.join(known[:8])}{' …' if len(known) > 8 else ''}")
    return list(dict.fromkeys(units))


def run_batch(data: Path, framework: Path, year: int | None = None, units: list[str] | None = None,
              out_dir: Path = Path("reports"), jobs: int = 2, language: str = "zh",
              progress: bool = True, *, renderer: str = "typst", overview: bool = True,
              force: bool = False, scheduler: str | None = None, timeout: int | None = None,
              start_timeout: int | None = None, lock_timeout: float | None = None,
              dataset=None, store: dict | None = None) -> BatchSummary:
    """Compute ``year`` once and render the reports of ``units`` (default: every unit) and
    the district overview into ``out_dir/<year>/``; write ``manifest.json`` there (after
    every finished report, so that a killed run resumes).

    Another run on the same folder is waited for (at most ``lock_timeout`` seconds; None:
    as long as it takes); its reports stay in the manifest. Raises :class:`EvalkitError`
    for a bad option, unknown units, ids that would share a file, too little free space or
    a disk that fills while the results or the manifest are written; a report that fails
    is listed in the summary and the others are still rendered. Then the portal of
    ``out_dir`` (``evalkit portal``), if there is one, is rebuilt (:func:`refresh_portal_of`).

    ``dataset`` and ``store``: the data were exported from the efficiency database into
    ``data`` (:func:`evalkit.store.source.store_source`); the manifest records the store's
    entry instead of the folder."""
    _check_options(language, renderer)
    plan = _plan(data, framework, year, language, renderer, dataset=dataset, store=store,
                 published_root=Path(out_dir))
    chosen = _choose(plan, units)
    # a period's reports go to OUT/<period key>/ (reports/2024Q3/), never over the year's
    year_dir = (Path(out_dir) / str(plan.results.meta.get("period") or plan.year)).resolve()
    remove_stale_scratch()
    with folder_lock(year_dir, timeout=lock_timeout):
        summary = _render(plan, chosen, year_dir, jobs=jobs, progress=progress, overview=overview,
                          force=force, scheduler=scheduler, timeout=timeout, start_timeout=start_timeout)
    summary.portal = refresh_portal_of(year_dir.parent)  # after the lock: the portal reads it shared
    return summary


def refresh_portal_of(out_dir: Path) -> str:
    """Rebuild the portal of ``out_dir`` when it has one (``evalkit portal``); what to say
    about it ("" when there is none). A portal that cannot be rebuilt is left as it was
    and said so; the reports are written either way."""
    from .portal import refresh_portal

    try:
        result = refresh_portal(out_dir)
    except (EvalkitError, OSError) as exc:
        return f"portal: not refreshed ({exc}); run `evalkit portal --out {out_dir}`"
    return "" if result is None else f"{result.describe()} (refreshed)"


def _render(plan: _Plan, chosen: list[str], year_dir: Path, *, jobs: int, progress: bool,
            overview: bool, force: bool, scheduler: str | None, timeout: int | None,
            start_timeout: int | None) -> BatchSummary:
    """Render ``chosen`` (and the overview) of ``plan`` into ``year_dir``, which the caller
    has locked."""
    from .report.render import CELL_TIMEOUT, START_TIMEOUT

    timeout = int(timeout or CELL_TIMEOUT)
    start_timeout = int(start_timeout or START_TIMEOUT)
    year = plan.year
    year_dir.mkdir(parents=True, exist_ok=True)
    results_dir = year_dir / RESULTS_DIR

    def job(kind: str, unit: str, stem: str) -> RenderJob:
        return RenderJob(kind=kind, unit=unit, stem=stem, year=year, language=plan.language,
                         results_dir=str(results_dir), out_dir=str(year_dir), renderer=plan.renderer,
                         input_key=plan.input_key(kind, unit), timeout=timeout,
                         start_timeout=start_timeout)

    all_jobs = [job("unit", u, plan.stems[u]) for u in chosen]
    if overview:
        all_jobs.append(job("overview", "", OVERVIEW))

    _remove_partial_writes(year_dir)
    old = read_manifest(year_dir) or {}
    # earlier reports whose files are all still there (whatever inputs they came from)
    reports = {k: v for k, v in (old.get("reports") or {}).items()
               if v.get("outputs") and all((year_dir / o["file"]).is_file() for o in v["outputs"].values())}
    # failures of units no longer in the data cannot be retried: forget them
    failed = {k: v for k, v in (old.get("failed") or {}).items() if plan.expected_key(k) is not None}

    summary = BatchSummary(year=year, out_dir=year_dir, period=str(plan.results.meta.get("period") or ""))
    todo: list[RenderJob] = []
    for j in all_jobs:
        if not force and _unchanged(reports.get(j.key), j.input_key, year_dir):
            failed.pop(j.key, None)
            if j.kind == "overview":
                summary.overview = "unchanged"
            else:
                summary.skipped.append(j.unit)
        else:
            todo.append(j)

    _check_free_space(year_dir, len(todo))
    try:
        save_results(plan.results, results_dir)
    except OSError as exc:
        raise EvalkitError(disk_error_message(exc, f"the results tables in {results_dir}")) from exc

    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "year": year,
        **({"period": plan.results.meta["period"]} if plan.results.meta.get("period") else {}),
        "language": plan.language,
        "renderer": plan.renderer,
        "inputs": plan.inputs,
        "parameters": plan.results.meta.get("parameters", {}),
        "evalkit_version": __version__,
        "packages": plan.packages,
        "code": plan.fingerprint,
        "results": {"sha256": plan.digest, "files": _results_files(results_dir)},
        "fonts": plan.fonts,
        "reports": reports,
        "failed": failed,
    }

    def save() -> None:
        manifest["reports"] = dict(sorted(reports.items()))
        manifest["failed"] = dict(sorted(failed.items()))
        summary.manifest = _write_manifest(year_dir, manifest)

    save()

    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"Rendering {year} reports", unit="report", file=sys.stderr)

    done: set[str] = set()

    def on_done(outcome: RenderOutcome) -> None:
        done.add(outcome.key)
        if outcome.ok:
            reports[outcome.key] = {"input_key": outcome.input_key, "results_key": plan.results_key,
                                    "outputs": outcome.outputs}
            failed.pop(outcome.key, None)
        else:
            # an earlier report of this key stays listed (its files are still there: stale)
            failed[outcome.key] = outcome.error
        save()  # after every report: a killed run resumes from here
        if outcome.kind == "overview":
            summary.overview = "written" if outcome.ok else "failed"
        elif outcome.ok:
            summary.written.append(year_dir / outcome.outputs["html"]["file"])
        if not outcome.ok:
            summary.failed[outcome.key] = outcome.error
        if bar is not None:
            bar.update(1)

    try:
        if scheduler:
            _run_dask(todo, scheduler, on_done)
        else:
            _run_local(todo, jobs, on_done)
        lost = [j for j in todo if j.key not in done]
        for j in lost:
            on_done(RenderOutcome(j.key, j.kind, j.input_key, ok=False,
                                  error="no result: the process rendering it stopped"))
    finally:
        if bar is not None:
            bar.close()

    summary.written.sort()
    rendered = {j.key for j in all_jobs}
    summary.stale = sorted(k for k, v in reports.items()
                           if k not in rendered and v.get("results_key") not in (None, plan.results_key))
    save()
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
            return (f"{self.year_dir}: {self.checked} file(s) verified; inputs, results and every "
                    "report match the manifest")
        return "\n".join([f"{self.year_dir}: {len(self.differences)} difference(s):",
                          *(f"  {d}" for d in self.differences)])


def _expected_files(manifest: dict) -> set[str]:
    """The files of a year folder that the manifest accounts for (relative paths)."""
    from .report.render import safe_filename

    names = {MANIFEST, LOCK_FILE}
    for entry in (manifest.get("reports") or {}).values():
        names |= {out["file"] for out in entry.get("outputs", {}).values()}
    for key in manifest.get("failed") or {}:
        unit = _key_unit(key)
        names.add(f"{safe_filename(unit) if unit is not None else OVERVIEW}.failed.ipynb")
    names |= {f"{RESULTS_DIR}/{name}" for name in (manifest.get("results") or {}).get("files", {})}
    return names


def _stray_files(year_dir: Path, manifest: dict) -> list[str]:
    expected = _expected_files(manifest)
    stray = []
    for p in sorted(year_dir.rglob("*")):
        rel = p.relative_to(year_dir).as_posix()
        if p.is_dir():
            if rel != RESULTS_DIR:
                if not any(q.is_file() for q in p.rglob("*")):
                    stray.append(f"{rel}/")
            continue
        if rel not in expected:
            stray.append(rel)
    return stray


def verify_reports(year_dir: Path, jobs: int = 2, progress: bool = False,
                   scheduler: str | None = None, lock_timeout: float | None = None) -> Verification:
    """Check a year folder against its ``manifest.json`` and list every difference:

    * the **outputs** on disk — every report's HTML, PDF and JSON and every results table — have
      the recorded SHA-256, and every report records all three;
    * no **stray** file lies in the folder (one the manifest does not account for, e.g. a
      report of an earlier run with other inputs) and no report is **stale** (rendered from
      other results than the current inputs give) or recorded as failed;
    * the **inputs** — every data file (units, raters, each year's tables, ``workdays.csv``)
      and every configuration file (framework, ``rubric.yaml``, ``schemes.yaml``,
      ``indicators.yaml``) — have the recorded SHA-256, and none was added;
    * recomputing the results gives the recorded tables, and re-rendering every report gives
      the recorded bytes.

    The folder is locked shared while it is checked (a run on it is waited for)."""
    year_dir = Path(year_dir).resolve()
    if not (year_dir / MANIFEST).is_file():
        raise EvalkitError(f"no {MANIFEST} in {year_dir}; run `evalkit run` first")
    remove_stale_scratch()
    with folder_lock(year_dir, shared=True, timeout=lock_timeout, command="evalkit verify"):
        return _verify(year_dir, jobs=jobs, progress=progress, scheduler=scheduler)


def _verify(year_dir: Path, *, jobs: int, progress: bool, scheduler: str | None) -> Verification:
    manifest = read_manifest(year_dir)
    if manifest is None:
        raise EvalkitError(f"no readable {MANIFEST} in {year_dir}; run `evalkit run` first")
    inputs = manifest["inputs"]
    if inputs.get("store"):
        return _verify_from_store(year_dir, manifest, jobs=jobs, progress=progress, scheduler=scheduler)
    data, framework = Path(inputs["data_dir"]), Path(inputs["framework_file"])
    return _verify_inputs(year_dir, manifest, data, framework, jobs=jobs, progress=progress,
                          scheduler=scheduler)


def _verify_from_store(year_dir: Path, manifest: dict, *, jobs: int, progress: bool,
                       scheduler: str | None) -> Verification:
    """Verify a folder rendered from the efficiency database: export the recorded snapshot
    again (the store is append-only, so a snapshot never changes) and check as for files."""
    from .store import StoreError
    from .store.source import store_source

    entry = manifest["inputs"]["store"]
    try:
        source = store_source(entry["url"], str(entry["snapshot"]))
        src = source.__enter__()
    except StoreError as exc:
        raise EvalkitError(f"the efficiency database recorded in the manifest cannot be read: {exc}") from None
    try:
        if src.entry.get("store_id") != entry.get("store_id"):
            raise EvalkitError(f"{entry['url']} is not the efficiency database the reports were made from "
                               f"(store id {src.entry.get('store_id')}, recorded {entry.get('store_id')})")
        recorded = manifest["inputs"]["framework_file"]
        framework = src.data_dir / recorded[len("store:"):] if recorded.startswith("store:") else Path(recorded)
        return _verify_inputs(year_dir, manifest, src.data_dir, framework, jobs=jobs, progress=progress,
                              scheduler=scheduler, dataset=src.dataset, store=entry)
    finally:
        source.__exit__(None, None, None)


def _verify_inputs(year_dir: Path, manifest: dict, data: Path, framework: Path, *, jobs: int, progress: bool,
                   scheduler: str | None, dataset=None, store: dict | None = None) -> Verification:
    result = Verification(year_dir=year_dir)
    diffs = result.differences
    inputs = manifest["inputs"]
    if not data.is_dir():
        raise EvalkitError(f"the data directory recorded in the manifest is missing: {data}")
    if not framework.is_file():
        raise EvalkitError(f"the framework recorded in the manifest is missing: {framework}")
    recorded = dict(manifest.get("reports") or {})
    results_files = dict((manifest.get("results") or {}).get("files") or {})

    # 1. the outputs and results tables on disk are the recorded ones
    def check(rel: str, sha: str) -> None:
        result.checked += 1
        path = year_dir / rel
        if not path.is_file():
            diffs.append(f"{rel}: missing")
        elif sha256_file(path) != sha:
            diffs.append(f"{rel}: changed on disk since the run (sha256 differs)")

    from .report.render import OUTPUT_FORMATS

    for key, entry in sorted(recorded.items()):
        for out in entry["outputs"].values():
            check(out["file"], out["sha256"])
        for fmt in OUTPUT_FORMATS:
            if fmt not in entry["outputs"]:
                diffs.append(f"{key}: no {fmt.upper()} recorded in the manifest (written by an older "
                             "version: run `evalkit run` again)")
    for name, sha in sorted(results_files.items()):
        check(f"{RESULTS_DIR}/{name}", sha)
    if not results_files:
        diffs.append(f"{RESULTS_DIR}/: no results tables recorded in the manifest (an older "
                     "manifest: run `evalkit run` again)")
    for key, msg in sorted((manifest.get("failed") or {}).items()):
        diffs.append(f"{key}: the run could not render this report: {msg}")
    for rel in _stray_files(year_dir, manifest):
        diffs.append(f"{rel}: stray file: the manifest does not list it (left by an earlier run "
                     "or put there by hand)")

    # 2. the inputs are the recorded ones (from a store: the snapshot's provenance, below)
    for rel, sha in sorted(inputs.get("data_files", {}).items() if store is None else ()):
        path = data / rel
        if not path.is_file():
            diffs.append(f"input {rel}: removed since the run")
        elif sha256_file(path) != sha:
            diffs.append(f"input {rel}: changed since the run")
    configuration = inputs.get("configuration")
    if configuration is None:
        diffs.append("the manifest records no configuration files (an older manifest: run "
                     "`evalkit run` again)")
    configuration = configuration or {}
    for role, source in sorted(configuration.items()):
        if role == "framework":
            continue  # its hash also covers a node table: compared after loading it below
        path = data / source["file"]
        if not path.is_file():
            diffs.append(f"{role} file {source['file']}: removed since the run")
        elif sha256_file(path) != source["sha256"]:
            diffs.append(f"{role} file {source['file']}: changed since the run")

    # 3. recompute
    try:
        plan = _plan(data, framework, parse_period(manifest["period"]) if manifest.get("period")
                     else int(manifest["year"]), manifest.get("language", "zh"),
                     manifest.get("renderer", "typst"), dataset=dataset, store=store,
                     published_root=year_dir.parent)
    except EvalkitError as exc:
        diffs.append(f"the results cannot be recomputed from the inputs now: {exc}")
        return result
    now = plan.inputs
    for rel in sorted(set(now["data_files"]) - set(inputs.get("data_files", {}))):
        diffs.append(f"input {rel}: added since the run")
    if store is not None:
        for rel, sha in sorted(inputs.get("data_files", {}).items()):
            if rel not in now["data_files"]:
                diffs.append(f"input {rel}: not in the store's snapshot {store.get('snapshot')}")
            elif now["data_files"][rel] != sha:
                diffs.append(f"input {rel}: differs in the store's snapshot {store.get('snapshot')}")
    for role in sorted(set(now["configuration"]) - set(configuration) if "configuration" in inputs else ()):
        diffs.append(f"{role} file {now['configuration'][role]['file']}: added since the run")
    if inputs.get("framework") != now["framework"]:
        diffs.append(f"framework {framework.name}: changed since the run")

    current, stale = {}, []
    for key, entry in sorted(recorded.items()):
        if plan.expected_key(key) is None:
            diffs.append(f"{key}: the unit is no longer in the data (stale report)")
        elif entry.get("results_key") not in (None, plan.results_key):
            stale.append(key)
            files = ", ".join(o["file"] for o in entry["outputs"].values())
            diffs.append(f"{key} ({files}): stale: rendered from other inputs than the current ones "
                         "(run `evalkit run` to bring it up to date)")
        else:
            current[key] = entry

    with tempfile.TemporaryDirectory(prefix="evalkit-verify-") as tmp:
        tmp_year = Path(tmp) / str(plan.year)
        units = [u for u in (_key_unit(k) for k in current) if u is not None]
        summary = _render(plan, units, tmp_year, jobs=jobs, progress=progress,
                          overview=OVERVIEW in current, force=True, scheduler=scheduler,
                          timeout=None, start_timeout=None)
        fresh = read_manifest(summary.out_dir) or {}
    fresh_results = (fresh.get("results") or {}).get("files", {})
    for name, sha in sorted(results_files.items()):
        if fresh_results.get(name) != sha:
            diffs.append(f"{RESULTS_DIR}/{name}: recomputing gives "
                         + ("different bytes" if name in fresh_results else "no such table"))
    for name in sorted(set(fresh_results) - set(results_files)):
        if results_files:
            diffs.append(f"{RESULTS_DIR}/{name}: recomputing gives a table the run did not write")
    for key, msg in sorted(summary.failed.items()):
        diffs.append(f"{key}: could not be re-rendered: {msg}")
    again = fresh.get("reports") or {}
    for key, entry in sorted(current.items()):
        for fmt, out in sorted(entry["outputs"].items()):
            new = again.get(key, {}).get("outputs", {}).get(fmt)
            if new is None:
                continue  # reported as a failure above
            if new["sha256"] != out["sha256"]:
                diffs.append(f"{out['file']}: re-rendering gives different bytes")
    return result
