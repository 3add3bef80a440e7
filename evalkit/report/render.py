"""Render unit reports: execute the report notebook with papermill, convert it to HTML.

* The notebook runs in a temporary directory (its working directory), so a report never
  litters the output folder and never depends on where it was started from.
* The final HTML is written atomically (temporary file + :func:`os.replace`): a report file
  either holds a complete report or does not exist.
* Rendering is reproducible: papermill's timing metadata and random cell ids are removed
  from the executed notebook, and the HTML holds no times and no paths of the machine, so
  the same inputs give byte-identical files.
* A failing notebook raises :class:`evalkit.errors.ReportError` naming the unit and the
  failing cell's error; the executed notebook is kept next to the output as
  ``<unit>.failed.ipynb`` for diagnosis.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from evalkit.errors import ReportError

#: Cell tags whose cells are never shown in a report.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})

#: Papermill metadata that changes from run to run (times, temporary paths).
_VOLATILE_NB_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path")
_VOLATILE_CELL_KEYS = ("start_time", "end_time", "duration")

_SAFE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_MAX_NAME = 80

#: Markers of scripts, embedded frames or anything a browser would fetch from elsewhere.
_EXTERNAL = re.compile(
    r"<script\b|<link\b|<iframe\b|<object\b|<embed\b|@import"
    r"|\b(?:src|href|srcset|action|poster|data)\s*=\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?//"
    r"|url\(\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:)?//",
    re.IGNORECASE)


# ----------------------------------------------------------------------------------------
# File names
# ----------------------------------------------------------------------------------------

def safe_filename(unit_id: str) -> str:
    """A file-name stem for ``unit_id`` that is safe on every file system.

    Keeps ``[A-Za-z0-9_.-]``; anything else becomes ``_``; runs of dots and leading or
    trailing dots are replaced, so the result never contains ``..`` or ``/`` and is never
    hidden. When the id had to change, a short hash of the original is appended so two
    different ids never share a file. The same id always gives the same name.
    """
    original = str(unit_id)
    name = _SAFE_CHARS.sub("_", original)
    name = re.sub(r"\.{2,}", "_", name).strip(".")
    if name.split(".")[0].upper() in _WINDOWS_RESERVED:
        name = f"_{name}"
    name = name[:_MAX_NAME]
    if name != original or not name:
        digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:8]
        name = f"{name}-{digest}" if name.strip("_") else f"unit-{digest}"
    return name


# ----------------------------------------------------------------------------------------
# Notebook execution
# ----------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def normalize_executed(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what varies between two runs of the same notebook on the same inputs:
    papermill's timing metadata and paths, nbclient's execution timestamps and the random
    id of papermill's injected-parameters cell. Changes ``nb`` in place and returns it."""
    pm = nb.metadata.get("papermill")
    if isinstance(pm, dict):
        for key in _VOLATILE_NB_KEYS:
            pm.pop(key, None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cpm = cell.metadata.get("papermill")
        if isinstance(cpm, dict):
            for key in _VOLATILE_CELL_KEYS:
                cpm.pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
        elif "id" in cell and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(cell["id"])):
            cell["id"] = f"cell-{index}"
    return nb


def _rewrite_normalized(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    _write_atomic(path, nbformat.writes(normalize_executed(nb)) + "\n")


def execute_notebook(notebook: Path, parameters: dict, out_ipynb: Path, *,
                     kernel_name: str = "python3", timeout: int = 600,
                     start_timeout: int = 120, cwd: Path | None = None) -> Path:
    """Execute ``notebook`` with papermill, injecting ``parameters``; write ``out_ipynb``.

    The kernel's working directory is ``cwd`` (default: the folder of ``out_ipynb``;
    give it a temporary directory). ``timeout`` bounds each cell, ``start_timeout`` the
    kernel start, in seconds. The executed notebook is normalised (see
    :func:`normalize_executed`). Raises :class:`ReportError` when a cell fails (naming the
    cell and its error; ``out_ipynb`` then holds the failed run) or the kernel cannot run.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    notebook = Path(notebook).resolve()
    out_ipynb = Path(out_ipynb).resolve()
    out_ipynb.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(cwd).resolve() if cwd is not None else out_ipynb.parent
    if not notebook.is_file():
        raise ReportError(f"report notebook not found: {notebook}")
    try:
        pm.execute_notebook(
            str(notebook), str(out_ipynb),
            parameters=_jsonable(dict(parameters)),
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            start_timeout=start_timeout,
            execution_timeout=timeout,
            # The kernel starts in ``workdir``: nbclient passes resources.metadata.path to
            # the kernel manager as its cwd. Papermill's own ``cwd=`` would os.chdir() the
            # whole process, which races when reports render in parallel threads.
            cwd=None,
            resources={"metadata": {"path": str(workdir)}},
            # the kernel's own start-up warnings (e.g. about unencrypted local TCP) would
            # clutter a batch run's console; cell errors still surface as exceptions
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as exc:
        if out_ipynb.exists():
            _rewrite_normalized(out_ipynb)
        evalue = str(exc.evalue).strip().splitlines()
        detail = f"{exc.ename}: {evalue[-1] if evalue else ''}".rstrip(": ")
        raise ReportError(
            f"notebook {notebook.name} failed in cell {exc.exec_count} "
            f"(cell #{exc.cell_index}): {detail}") from exc
    except Exception as exc:  # kernel missing or dead, timeout, unreadable notebook
        if out_ipynb.exists():
            try:
                _rewrite_normalized(out_ipynb)
            except Exception:  # noqa: BLE001 - keep whatever papermill wrote
                pass
        raise ReportError(
            f"notebook {notebook.name} could not be executed: {type(exc).__name__}: {exc}"
        ) from exc
    _rewrite_normalized(out_ipynb)
    return out_ipynb


# ----------------------------------------------------------------------------------------
# HTML conversion
# ----------------------------------------------------------------------------------------

def _strip_for_report(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, dict]:
    """Drop everything a reader must not see (code, stderr, errors, hidden cells) and
    collect the page information the notebook attached to its outputs."""
    info: dict[str, str] = {}
    cells = []
    for cell in nb.cells:
        if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.source = ""
            kept = []
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    continue
                if out.output_type == "stream":
                    continue
                meta = out.get("metadata", {}).get("evalkit")
                if isinstance(meta, dict):
                    info.update({k: str(v) for k, v in meta.items()})
                kept.append(out)
            cell.outputs = kept
        elif cell.cell_type == "raw":
            continue
        cells.append(cell)
    nb.cells = cells
    return nb, info


def _write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _copy_atomic(src: Path, dest: Path) -> None:
    _write_atomic(dest, Path(src).read_text(encoding="utf-8"))


def notebook_to_html(executed_ipynb: Path, out_html: Path) -> Path:
    """Convert an executed report notebook to a self-contained HTML page (written
    atomically) with evalkit's nbconvert template (``templates/html``).

    Code, prompts, stdout/stderr streams and errors are removed; only rich outputs are
    kept. Raises :class:`ReportError` if the page would load anything from outside.
    """
    from nbconvert import HTMLExporter

    from evalkit.resources import HTML_TEMPLATE_NAME, template_dir

    executed_ipynb, out_html = Path(executed_ipynb), Path(out_html)
    nb = nbformat.read(executed_ipynb, as_version=4)
    nb, info = _strip_for_report(nb)

    exporter = HTMLExporter(template_name=HTML_TEMPLATE_NAME,
                            extra_template_basedirs=[str(template_dir())])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    resources = {
        "metadata": {"name": out_html.stem},
        "evalkit_title": info.get("title") or out_html.stem,
        "evalkit_lang": info.get("lang") or "zh-CN",
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    found = _EXTERNAL.search(body)
    if found:
        start = max(found.start() - 60, 0)
        raise ReportError(
            f"the report {out_html.name} would not be self-contained: it refers to "
            f"{found.group(0)!r} near …{body[start:found.end() + 60]!r}…")
    if not body.endswith("\n"):
        body += "\n"
    _write_atomic(out_html, body)
    return out_html


# ----------------------------------------------------------------------------------------
# One unit's report
# ----------------------------------------------------------------------------------------

def render_unit_report(results_dir: Path | str | None, unit: str, year: int, out_dir: Path, *,
                       data: str | Path = "", framework: str | Path = "",
                       language: str = "zh") -> Path:
    """Render the report of ``unit`` for ``year`` into ``out_dir/<safe_unit_id>.html``.

    ``results_dir`` is a directory written by :func:`evalkit.results.save_results`; when
    empty the notebook computes the results itself from ``data`` and ``framework``.
    Returns the HTML path. On failure raises :class:`ReportError` and keeps the executed
    notebook as ``out_dir/<safe_unit_id>.failed.ipynb``.
    """
    from evalkit.report.messages import LANGUAGES
    from evalkit.resources import notebook_path

    if language not in LANGUAGES:
        raise ReportError(f"unknown report language {language!r}; choose one of "
                          f"{', '.join(LANGUAGES)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = safe_filename(unit)
    out_html = out_dir / f"{stem}.html"
    failed = out_dir / f"{stem}.failed.ipynb"

    def absolute(p: str | Path | None) -> str:
        return str(Path(p).resolve()) if p not in (None, "") else ""

    parameters = {
        "unit": str(unit),
        "year": int(year),
        "data": absolute(data),
        "framework": absolute(framework),
        "language": language,
        "results": absolute(results_dir),
    }
    with tempfile.TemporaryDirectory(prefix="evalkit-report-") as tmp:
        executed = Path(tmp) / f"{stem}.ipynb"
        try:
            execute_notebook(notebook_path("unit_report"), parameters, executed, cwd=Path(tmp))
        except ReportError as exc:
            kept = ""
            if executed.exists():
                _copy_atomic(executed, failed)
                kept = f"; the executed notebook is kept as {failed}"
            raise ReportError(f"report of unit {unit} ({year}) failed: {exc}{kept}") from exc
        notebook_to_html(executed, out_html)
    if failed.exists():
        failed.unlink()  # a stale failure from an earlier run
    return out_html
