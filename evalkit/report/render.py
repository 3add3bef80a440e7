"""Render reports: execute a report notebook once, then convert that one executed notebook
to HTML (nbconvert, ``templates/html``) and to PDF (Typst, :mod:`evalkit.report.pdf`).

* A notebook runs either with papermill in a fresh kernel (:func:`execute_notebook`) or in
  a warm kernel that a :class:`NotebookRunner` keeps for many notebooks (batch runs: the
  kernel start and the imports are paid once per worker, not once per report).
* Each render runs in its own temporary directory (the kernel's working directory), so a
  report never litters the output folder and never depends on where it was started from.
* A report is three files (:data:`OUTPUT_FORMATS`): ``<stem>.html``, ``<stem>.pdf`` and
  ``<stem>.json`` — the report's numbers as numbers and its display blocks
  (:mod:`evalkit.report.payload`, documented in ``docs/report-payload.md``).
* Output files are written atomically and together (:func:`publish_together`: all files
  are written to temporary names first and renamed only when all are complete): a report
  file either holds a complete report or does not exist, and a full disk never leaves an
  HTML without its PDF and JSON.
* Unit ids become file names by :func:`safe_filename`, a documented mapping that never
  gives two ids one name (:func:`report_filenames` refuses a set of ids that would).
* Rendering is reproducible: timing metadata, random cell ids and execution counts are
  normalised in the executed notebook; HTML and PDF hold no times and no paths of the
  machine, so the same inputs give byte-identical files.
* A failing notebook raises :class:`evalkit.errors.ReportError` naming the unit and the
  failing cell's error; the executed notebook is kept next to the output as
  ``<unit>.failed.ipynb`` for diagnosis.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from evalkit.data.files import FILE_MODE, atomic_write_bytes, atomic_write_text
from evalkit.errors import ReportError

#: Default limits, in seconds: one cell, and a kernel's start.
CELL_TIMEOUT = 600
START_TIMEOUT = 60

#: File stems the batch writes besides the unit reports; a unit id never maps to them.
RESERVED_STEMS = frozenset({"overview", "manifest", "results"})

#: The files of one report, ``<stem>.<format>``, in the order they are written (the HTML,
#: which a reader opens, appears last: :func:`publish_together`).
OUTPUT_FORMATS = ("html", "pdf", "json")

#: Report notebook → the ``kind`` of its JSON (:mod:`evalkit.report.payload`).
_JSON_KIND = {"unit_report": "unit", "district_overview": "overview"}

#: Papermill metadata that changes from run to run (times, temporary paths).
_VOLATILE_NB_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path")
_VOLATILE_CELL_KEYS = ("start_time", "end_time", "duration")

_SAFE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
#: The ending of a changed id's name: ``-`` and 8 hex digits of its SHA-256. An id that ends
#: like this itself (in any case) is changed too, so a kept id never looks like a changed one.
_DIGEST_END = re.compile(r"-[0-9A-Fa-f]{8}$")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_MAX_NAME = 80


# ----------------------------------------------------------------------------------------
# File names
# ----------------------------------------------------------------------------------------

def _reserved(name: str) -> bool:
    base = name.split(".")[0]
    return base.upper() in _WINDOWS_RESERVED or base.lower() in RESERVED_STEMS


def safe_filename(unit_id: str) -> str:
    """The file-name stem of the report of ``unit_id``: safe on every file system, the same
    for the same id, and different for different ids.

    The mapping has two rules:

    1. An id that is a safe name already is its own name (``D01`` → ``D01``, ``S-05_b.2``
       → ``S-05_b.2``). Safe means: only ``[A-Za-z0-9_.-]``, no ``..``, not starting or
       ending with ``.``, at most 80 characters, not the name of another output
       (``overview``, ``manifest``, ``results``) or a Windows device name (``CON``, ``LPT1``
       …) in any case and with any extension, and **not ending in ``-`` and 8 hex digits**.
    2. Any other id is *changed*: every other character becomes ``_``, runs of dots become
       ``_``, outer dots are dropped, ``_`` is put before a reserved name, the result is cut
       to 80 characters, and ``-`` and the first 8 hex digits of the SHA-256 of the id's
       UTF-8 bytes are appended (``a/b`` → ``a_b-c14cddc0``; an empty result gives
       ``unit-<digits>``). So ``a_b-c14cddc0`` (rule 2, it ends like a changed name) gets
       ``a_b-c14cddc0-<its own digits>`` and never the name of ``a/b``.

    Names of rule 1 never end in ``-`` and 8 hex digits and names of rule 2 always do, so
    two ids can only share a name when two SHA-256 prefixes coincide — or, on a file system
    that ignores case (Windows, macOS), when two ids differ only in case (``D01``, ``d01``).
    :func:`report_filenames` checks a set of ids for both and refuses it with a clear message.
    """
    original = str(unit_id)
    if (_SAFE_ID.fullmatch(original) and ".." not in original and not original.endswith(".")
            and len(original) <= _MAX_NAME and not _reserved(original)
            and not _DIGEST_END.search(original)):
        return original
    name = _SAFE_CHARS.sub("_", original)
    name = re.sub(r"\.{2,}", "_", name).strip(".")
    if _reserved(name):
        name = f"_{name}"
    name = name[:_MAX_NAME].rstrip(".")
    digest = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{name}-{digest}" if name.strip("_") else f"unit-{digest}"


def report_filenames(unit_ids) -> dict[str, str]:
    """The file-name stem (:func:`safe_filename`) of each of ``unit_ids``.

    Raises :class:`ReportError` when two ids would write the same file, on this file system
    or on one that ignores case (the message names both ids): the batch refuses to start
    rather than let one report overwrite another.
    """
    stems: dict[str, str] = {}
    seen: dict[str, str] = {}  # case-folded stem → the id that has it
    for unit in unit_ids:
        unit = str(unit)
        stem = safe_filename(unit)
        folded = stem.casefold()
        if folded in seen:
            raise ReportError(
                f"unit ids {seen[folded]!r} and {unit!r} would write the same report file "
                f"({stem}.html; file names ignore case on Windows and macOS); give one of the "
                "units another id in units.csv")
        seen[folded] = unit
        stems[unit] = stem
    return stems


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
    papermill's timing metadata and paths, nbclient's execution timestamps, the random
    id of papermill's injected-parameters cell, and execution counts (renumbered from 1,
    as a fresh kernel would). Changes ``nb`` in place and returns it."""
    pm = nb.metadata.get("papermill")
    if isinstance(pm, dict):
        for key in _VOLATILE_NB_KEYS:
            pm.pop(key, None)
    count = 0
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
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
            for out in cell.get("outputs", []):
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = count
    return nb


def _rewrite_normalized(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    atomic_write_text(path, nbformat.writes(normalize_executed(nb)) + "\n")


def execute_notebook(notebook: Path, parameters: dict, out_ipynb: Path, *,
                     kernel_name: str = "python3", timeout: int = CELL_TIMEOUT,
                     start_timeout: int = START_TIMEOUT, cwd: Path | None = None) -> Path:
    """Execute ``notebook`` with papermill in a fresh kernel, injecting ``parameters``;
    write ``out_ipynb``.

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


class NotebookFailed(ReportError):
    """A notebook failed in a :class:`NotebookRunner`; ``notebook`` holds the executed part."""

    def __init__(self, message: str, notebook: nbformat.NotebookNode | None = None):
        super().__init__(message)
        self.notebook = notebook


class NotebookRunner:
    """Executes parameterised notebooks one after another in one warm kernel.

    The kernel starts once (``start_timeout``; one retry when it fails to start) and is
    reused: before each notebook its namespace is reset (``%reset -f``) and its working
    directory moved to that notebook's temporary directory. Parameters are injected
    exactly as papermill does (a cell tagged ``injected-parameters`` after the cell tagged
    ``parameters``). A cell that fails or exceeds ``cell_timeout`` raises
    :class:`NotebookFailed`; after a timeout or a dead kernel the kernel is restarted for
    the next notebook. Use one runner per thread; close it (or use it as a context
    manager) to stop the kernel.

    The kernel's home folder and its connection file live in a temporary directory under
    ``tmp_dir`` (default: the system's temporary directory); a batch passes a directory of
    its own, so that what a killed process leaves behind can be found and removed.
    """

    def __init__(self, *, kernel_name: str = "python3", cell_timeout: int = CELL_TIMEOUT,
                 start_timeout: int = START_TIMEOUT, start_retries: int = 1,
                 tmp_dir: str | Path | None = None):
        self.kernel_name = kernel_name
        self.cell_timeout = cell_timeout
        self.start_timeout = start_timeout
        self.start_retries = start_retries
        self.tmp_dir = tmp_dir
        self._client = None
        self._home: tempfile.TemporaryDirectory | None = None
        self._sources: dict[Path, nbformat.NotebookNode] = {}
        self.kernel_starts = 0

    # kernel lifecycle -------------------------------------------------------------------
    def _new_client(self, nb: nbformat.NotebookNode):
        from nbclient import NotebookClient

        if self._home is None:
            self._home = tempfile.TemporaryDirectory(prefix="evalkit-kernel-", dir=self.tmp_dir,
                                                     ignore_cleanup_errors=True)
        return NotebookClient(
            nb, kernel_name=self.kernel_name, timeout=self.cell_timeout,
            startup_timeout=self.start_timeout, allow_errors=False, record_timing=False,
            interrupt_on_timeout=False, raise_on_iopub_timeout=True,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            resources={"metadata": {"path": self._home.name}})

    def _kernel_manager(self, client):
        """A kernel manager whose connection file lies in the runner's home folder (jupyter's
        default is a ``tmp*.json`` in the system's temporary directory, which a killed
        process would leave there)."""
        import uuid

        km = client.create_kernel_manager()
        km.connection_file = os.path.join(self._home.name, f"kernel-{uuid.uuid4().hex}.json")
        return km

    def start(self) -> None:
        """Start the kernel (no-op when it runs); one retry, then :class:`ReportError`."""
        from jupyter_core.utils import run_sync

        if self._client is not None and self._client.km is not None and self._client.kc is not None:
            return
        last: BaseException | None = None
        for _attempt in range(1 + max(0, self.start_retries)):
            client = self._new_client(nbformat.v4.new_notebook())
            try:
                client.km = self._kernel_manager(client)
                run_sync(client.async_start_new_kernel)()
                run_sync(client.async_start_new_kernel_client)()
                self._client = client
                self.kernel_starts += 1
                return
            except Exception as exc:  # noqa: BLE001 - any start failure gets one retry
                last = exc
                self._shutdown(client)
        raise ReportError(f"the notebook kernel {self.kernel_name!r} did not start within "
                          f"{self.start_timeout} s (tried {1 + max(0, self.start_retries)} times): "
                          f"{type(last).__name__}: {last}")

    @staticmethod
    def _shutdown(client) -> None:
        from jupyter_core.utils import run_sync

        if client is None:
            return
        try:
            run_sync(client._async_cleanup_kernel)()
        except Exception:  # noqa: BLE001 - best effort
            pass

    def close(self) -> None:
        self._shutdown(self._client)
        self._client = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None

    def kill(self) -> None:
        """Stop the kernel at once (SIGKILL to its process group) and remove its files,
        without talking to it: for a process that must exit now (its parent is gone)."""
        import shutil
        import signal

        km = getattr(self._client, "km", None)
        process = getattr(getattr(km, "provisioner", None), "process", None)
        pid = getattr(process, "pid", None)
        if pid:
            try:  # the kernel leads a session of its own (jupyter_client starts it so)
                os.killpg(pid, signal.SIGKILL)
            except (AttributeError, OSError):
                try:
                    os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
                except OSError:
                    pass
        self._client = None
        if self._home is not None:
            shutil.rmtree(self._home.name, ignore_errors=True)

    def __enter__(self) -> NotebookRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # execution --------------------------------------------------------------------------
    def _source(self, notebook: Path) -> nbformat.NotebookNode:
        notebook = Path(notebook).resolve()
        if notebook not in self._sources:
            if not notebook.is_file():
                raise ReportError(f"report notebook not found: {notebook}")
            self._sources[notebook] = nbformat.read(notebook, as_version=4)
        return copy.deepcopy(self._sources[notebook])

    def _prepare_kernel(self, cwd: Path) -> None:
        from jupyter_core.utils import run_sync

        # chdir first: %reset looks at the working directory, and the previous report's
        # temporary directory is gone by now
        code = (f"import os as _os; _os.chdir({str(cwd)!r}); del _os\n"
                "get_ipython().run_line_magic('reset', '-f')")
        reply = run_sync(self._client.kc._async_execute_interactive)(
            code, silent=True, store_history=False, timeout=self.start_timeout,
            output_hook=lambda msg: None)
        if reply.get("content", {}).get("status") != "ok":
            raise ReportError(f"the notebook kernel could not be reset between reports: {reply.get('content')}")

    def run(self, notebook: Path, parameters: Mapping[str, Any], cwd: Path) -> nbformat.NotebookNode:
        """Execute ``notebook`` with ``parameters`` in the warm kernel, working directory
        ``cwd``; return the executed, normalised notebook."""
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from papermill.parameterize import parameterize_notebook

        notebook = Path(notebook)
        nb = self._source(notebook)
        for cell in nb.cells:  # as papermill's loader does
            cell.metadata.setdefault("tags", [])
        nb.metadata["papermill"] = {"input_path": notebook.name, "parameters": {},
                                    "environment_variables": {}, "version": None}
        nb = parameterize_notebook(nb, _jsonable(dict(parameters)), kernel_name=self.kernel_name)
        nb.metadata["papermill"].pop("input_path", None)
        self.start()
        client = self._client
        client.nb = nb
        try:
            self._prepare_kernel(Path(cwd))
            client.execute(cleanup_kc=False)
        except CellExecutionError as exc:
            normalize_executed(nb)
            text = str(exc).strip().splitlines()
            detail = next((line for line in reversed(text) if line.strip()), "")
            index = next((i for i, c in enumerate(nb.cells) if any(
                o.get("output_type") == "error" for o in c.get("outputs", []))), None)
            count = nb.cells[index].get("execution_count") if index is not None else None
            raise NotebookFailed(f"notebook {notebook.name} failed in cell {count} "
                                 f"(cell #{index}): {detail}", nb) from exc
        except (CellTimeoutError, DeadKernelError, TimeoutError, RuntimeError) as exc:
            normalize_executed(nb)
            self._shutdown(self._client)
            self._client = None  # the next notebook starts a fresh kernel
            raise NotebookFailed(f"notebook {notebook.name} could not finish: "
                                 f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
                                 nb) from exc
        return normalize_executed(nb)


# ----------------------------------------------------------------------------------------
# HTML conversion
# ----------------------------------------------------------------------------------------

_exporters: dict = {}


def notebook_html(nb: nbformat.NotebookNode, name: str = "report") -> str:
    """The self-contained HTML page of an executed report notebook, through
    :class:`evalkit.report.nbconvert_exporter.EvalkitHTMLExporter` (one per thread):
    code, prompts, stdout/stderr streams, errors and the PDF payload removed; a subset of
    the bundled Chinese font embedded, so the page reads the same on a machine without
    Chinese fonts."""
    import threading

    from evalkit.report.nbconvert_exporter import EvalkitHTMLExporter

    key = threading.get_ident()
    if key not in _exporters:
        _exporters[key] = EvalkitHTMLExporter()
    body, _ = _exporters[key].from_notebook_node(nb, resources={"metadata": {"name": name}})
    return body


def notebook_to_html(executed_ipynb: Path, out_html: Path) -> Path:
    """Convert an executed report notebook to a self-contained HTML page (written
    atomically) with evalkit's nbconvert template (``templates/html``); see
    :func:`notebook_html`."""
    executed_ipynb, out_html = Path(executed_ipynb), Path(out_html)
    nb = nbformat.read(executed_ipynb, as_version=4)
    atomic_write_text(out_html, notebook_html(nb, out_html.stem))
    return out_html


def _write_temporary(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new hidden temporary file next to ``path``
    (``.<name>.<random>.tmp``, mode 0o644, flushed to disk); return its path. Nothing is
    left behind when writing fails (e.g. the disk is full)."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def publish_together(out_dir: Path, files: Mapping[str, bytes]) -> dict[str, Path]:
    """Write the files ``{name: bytes}`` into ``out_dir`` so that they appear together or not
    at all: each is first written completely to a temporary name in ``out_dir``, and only
    when all are written are they renamed over their final names — the first one named
    last. When a write fails (a full disk) no temporary file is left and the files already
    in ``out_dir`` are untouched; when a rename fails (which a full disk does not cause),
    all of the files are removed, so that no file stands next to a partner of another run.
    Returns ``{name: final path}``."""
    out_dir = Path(out_dir)
    temporary: dict[str, Path] = {}
    try:
        for name, data in files.items():
            temporary[name] = _write_temporary(out_dir / name, data)
    except BaseException:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
        raise
    names = list(files)
    order = names[1:] + names[:1]  # the first file (the HTML a reader opens) appears last
    try:
        for name in order:
            os.replace(temporary[name], out_dir / name)
    except BaseException:
        for name in names:
            temporary[name].unlink(missing_ok=True)
            (out_dir / name).unlink(missing_ok=True)
        raise
    return {name: out_dir / name for name in names}


def report_json(nb: nbformat.NotebookNode, kind: str, parameters: Mapping[str, Any],
                results: Any = None) -> dict:
    """The JSON of one executed report notebook (:func:`evalkit.report.payload.report_record`):
    its display blocks (:func:`evalkit.report.pdf.notebook_payload`) and the numbers of the
    results it showed (:func:`~evalkit.report.payload.unit_data` /
    :func:`~evalkit.report.payload.overview_data`). ``kind`` is ``unit_report`` or
    ``district_overview``; ``parameters`` are the notebook's. ``results`` default: those the
    notebook read (``parameters["results"]``, or computed as the notebook computes them)."""
    from evalkit.report import payload
    from evalkit.report.pdf import notebook_payload
    from evalkit.results.load import load_or_compute

    blocks_ = notebook_payload(nb)
    year = int(parameters["year"])
    language = str(parameters.get("language", "zh"))
    if results is None:
        results = load_or_compute(parameters.get("results", ""), parameters.get("data", ""),
                                  parameters.get("framework", ""), year)
    if kind == "unit_report":
        unit = str(parameters["unit"])
        data = payload.unit_data(results, unit, language)
    else:
        unit = None
        data = payload.overview_data(results, language)
    return payload.report_record(blocks_, kind=_JSON_KIND[kind], year=year, language=language,
                                 unit_id=unit, data=data, meta=results.meta)


def write_outputs(nb: nbformat.NotebookNode, out_dir: Path, stem: str, *, pdf: bool = True,
                  renderer: str = "typst", tmp_dir: str | Path | None = None,
                  record: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``<stem>.html`` (and ``<stem>.pdf``, and ``<stem>.json`` when ``record`` — the
    report's JSON, :func:`report_json` — is given) of one executed notebook into
    ``out_dir``: all from the same execution, and all or none (:func:`publish_together`: a
    full disk never leaves an HTML without its PDF and JSON). The PDF is laid out in a
    temporary directory under ``tmp_dir`` (default: the system's)."""
    from evalkit.report.pdf import payload_to_pdf, notebook_payload

    out_dir = Path(out_dir)
    contents = {"html": notebook_html(nb, stem).encode("utf-8")}
    if pdf:
        payload = notebook_payload(nb)
        with tempfile.TemporaryDirectory(prefix="evalkit-pdf-", dir=tmp_dir) as tmp:
            tmp_pdf = Path(tmp) / f"{stem}.pdf"
            payload_to_pdf(payload, tmp_pdf, renderer=renderer, workdir=Path(tmp))
            contents["pdf"] = tmp_pdf.read_bytes()
    if record is not None:
        from evalkit.report.payload import dumps

        contents["json"] = dumps(record)
    written = publish_together(out_dir, {f"{stem}.{fmt}": data for fmt, data in contents.items()})
    return {fmt: written[f"{stem}.{fmt}"] for fmt in contents}


# ----------------------------------------------------------------------------------------
# One report
# ----------------------------------------------------------------------------------------

def _absolute(p: str | Path | None) -> str:
    return str(Path(p).resolve()) if p not in (None, "") else ""


def render_notebook(kind: str, parameters: Mapping[str, Any], out_dir: Path, stem: str, *,
                    runner: NotebookRunner | None = None, pdf: bool = True,
                    renderer: str = "typst", timeout: int = CELL_TIMEOUT,
                    start_timeout: int = START_TIMEOUT, label: str = "",
                    tmp_dir: str | Path | None = None) -> dict[str, Path]:
    """Execute the report notebook ``kind`` (``unit_report`` or ``district_overview``) once
    in a temporary directory (under ``tmp_dir``; default: the system's) and write its HTML,
    PDF and JSON as ``out_dir/<stem>.{html,pdf,json}`` (:func:`write_outputs`; the JSON:
    :func:`report_json`, from the executed notebook and the results it read).

    With a ``runner`` the notebook runs in its warm kernel, else in a fresh papermill
    kernel. On failure raises :class:`ReportError` and keeps the executed notebook as
    ``out_dir/<stem>.failed.ipynb``; a stale one from an earlier run is removed on success.
    An :class:`OSError` while writing the outputs (a full disk) propagates unchanged.
    """
    from evalkit.resources import notebook_path

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    failed = out_dir / f"{stem}.failed.ipynb"
    label = label or stem
    with tempfile.TemporaryDirectory(prefix="evalkit-report-", dir=tmp_dir) as tmp:
        executed = Path(tmp) / f"{stem}.ipynb"
        try:
            if runner is not None:
                try:
                    nb = runner.run(notebook_path(kind), parameters, Path(tmp))
                except NotebookFailed as exc:
                    if exc.notebook is not None:
                        atomic_write_text(executed, nbformat.writes(exc.notebook) + "\n")
                    raise
            else:
                execute_notebook(notebook_path(kind), dict(parameters), executed, cwd=Path(tmp),
                                 timeout=timeout, start_timeout=start_timeout)
                nb = nbformat.read(executed, as_version=4)
            try:
                # the efficiency reports carry their JSON; the data-quality reports do not
                record = report_json(nb, kind, parameters) if kind in _JSON_KIND else None
            except ReportError:
                raise
            except Exception as exc:  # noqa: BLE001 - the set is incomplete without its JSON
                raise ReportError(f"its JSON could not be built: {type(exc).__name__}: {exc}") from exc
            outputs = write_outputs(nb, out_dir, stem, pdf=pdf, renderer=renderer, tmp_dir=tmp,
                                    record=record)
        except ReportError as exc:
            kept = ""
            if not executed.exists() and "nb" in locals():
                atomic_write_text(executed, nbformat.writes(nb) + "\n")
            if executed.exists():
                atomic_write_bytes(failed, executed.read_bytes())
                kept = f"; the executed notebook is kept as {failed}"
            raise ReportError(f"report of {label} failed: {exc}{kept}") from exc
    if failed.exists():
        failed.unlink()  # a stale failure from an earlier run
    return outputs


def render_unit_report(results_dir: Path | str | None, unit: str, year: int, out_dir: Path, *,
                       data: str | Path = "", framework: str | Path = "",
                       language: str = "zh", pdf: bool = True, renderer: str = "typst",
                       runner: NotebookRunner | None = None, timeout: int = CELL_TIMEOUT,
                       start_timeout: int = START_TIMEOUT, tmp_dir: str | Path | None = None) -> Path:
    """Render the report of ``unit`` for ``year`` into ``out_dir/<safe_unit_id>.html``
    (and ``.pdf`` and ``.json``), all from one execution of ``notebooks/unit_report.ipynb``.

    ``results_dir`` is a directory written by :func:`evalkit.results.store.save_results`; when
    empty the notebook computes the results itself from ``data`` and ``framework``.
    Returns the HTML path. On failure raises :class:`ReportError` and keeps the executed
    notebook as ``out_dir/<safe_unit_id>.failed.ipynb``.
    """
    from evalkit.report.messages import LANGUAGES

    if language not in LANGUAGES:
        raise ReportError(f"unknown report language {language!r}; choose one of "
                          f"{', '.join(LANGUAGES)}")
    parameters = {"unit": str(unit), "year": int(year), "data": _absolute(data),
                  "framework": _absolute(framework), "language": language,
                  "results": _absolute(results_dir)}
    outputs = render_notebook("unit_report", parameters, out_dir, safe_filename(unit),
                              runner=runner, pdf=pdf, renderer=renderer, timeout=timeout,
                              start_timeout=start_timeout, label=f"unit {unit} ({year})",
                              tmp_dir=tmp_dir)
    return outputs["html"]


def render_overview(results_dir: Path | str | None, year: int, out_dir: Path, *,
                    data: str | Path = "", framework: str | Path = "", language: str = "zh",
                    pdf: bool = True, renderer: str = "typst",
                    runner: NotebookRunner | None = None, timeout: int = CELL_TIMEOUT,
                    start_timeout: int = START_TIMEOUT, tmp_dir: str | Path | None = None) -> Path:
    """Render the district overview of ``year`` into ``out_dir/overview.html`` (and
    ``.pdf`` and ``.json``) from one execution of ``notebooks/district_overview.ipynb``."""
    parameters = {"year": int(year), "data": _absolute(data), "framework": _absolute(framework),
                  "language": language, "results": _absolute(results_dir)}
    outputs = render_notebook("district_overview", parameters, out_dir, "overview", runner=runner,
                              pdf=pdf, renderer=renderer, timeout=timeout,
                              start_timeout=start_timeout, label=f"the district overview ({year})",
                              tmp_dir=tmp_dir)
    return outputs["html"]


def render_quality_report(quality_dir: Path | str, year: int, out_dir: Path, stem: str, *, unit: str = "",
                          language: str = "zh", pdf: bool = True, renderer: str = "typst",
                          runner: NotebookRunner | None = None, timeout: int = CELL_TIMEOUT,
                          start_timeout: int = START_TIMEOUT, tmp_dir: str | Path | None = None) -> dict[str, Path]:
    """Render the data-quality report of ``unit`` (empty: the district's) for ``year`` into
    ``out_dir/<stem>.html`` and ``.pdf`` from one execution of
    ``notebooks/quality_report.ipynb`` over the bundle ``evalkit quality`` saved in
    ``quality_dir`` (:class:`evalkit.report.quality.QualityBundle`)."""
    from evalkit.report.messages import LANGUAGES

    if language not in LANGUAGES:
        raise ReportError(f"unknown report language {language!r}; choose one of {', '.join(LANGUAGES)}")
    parameters = {"year": int(year), "unit": str(unit), "quality": _absolute(quality_dir), "language": language}
    label = f"the data-quality report of {unit} ({year})" if unit else f"the district data-quality report ({year})"
    return render_notebook("quality_report", parameters, out_dir, stem, runner=runner, pdf=pdf,
                           renderer=renderer, timeout=timeout, start_timeout=start_timeout, label=label,
                           tmp_dir=tmp_dir)


def render_monitor_report(monitor_dir: Path | str, out_dir: Path, stem: str, *, language: str = "zh",
                          pdf: bool = True, renderer: str = "typst", runner: NotebookRunner | None = None,
                          timeout: int = CELL_TIMEOUT, start_timeout: int = START_TIMEOUT,
                          tmp_dir: str | Path | None = None) -> dict[str, Path]:
    """Render the early-warning report into ``out_dir/<stem>.html`` and ``.pdf`` from one
    execution of ``notebooks/monitor_report.ipynb`` over the bundle ``evalkit monitor`` saved
    in ``monitor_dir`` (:class:`evalkit.report.monitor.MonitorBundle`)."""
    from evalkit.report.messages import LANGUAGES

    if language not in LANGUAGES:
        raise ReportError(f"unknown report language {language!r}; choose one of {', '.join(LANGUAGES)}")
    parameters = {"monitor": _absolute(monitor_dir), "language": language}
    return render_notebook("monitor_report", parameters, out_dir, stem, runner=runner, pdf=pdf,
                           renderer=renderer, timeout=timeout, start_timeout=start_timeout,
                           label="the early-warning report", tmp_dir=tmp_dir)


def render_theme_report(results_dir: Path | str, year: int, out_dir: Path, stem: str, *, theme: str = "",
                        language: str = "zh", pdf: bool = True, renderer: str = "typst",
                        runner: NotebookRunner | None = None, timeout: int = CELL_TIMEOUT,
                        start_timeout: int = START_TIMEOUT, tmp_dir: str | Path | None = None) -> dict[str, Path]:
    """Render the thematic report (专项评价) whose results ``evalkit run --theme`` saved in
    ``results_dir`` (:func:`evalkit.results.themes.compute_theme`) into ``out_dir/<stem>.html``
    and ``.pdf`` from one execution of ``notebooks/theme_report.ipynb``."""
    from evalkit.report.messages import LANGUAGES

    if language not in LANGUAGES:
        raise ReportError(f"unknown report language {language!r}; choose one of {', '.join(LANGUAGES)}")
    parameters = {"year": int(year), "results": _absolute(results_dir), "language": language}
    return render_notebook("theme_report", parameters, out_dir, stem, runner=runner, pdf=pdf, renderer=renderer,
                           timeout=timeout, start_timeout=start_timeout,
                           label=f"the thematic report {theme} ({year})", tmp_dir=tmp_dir)


def render_supervision_report(supervision_dir: Path | str, out_dir: Path, stem: str, *, language: str = "zh",
                              pdf: bool = True, renderer: str = "typst", runner: NotebookRunner | None = None,
                              timeout: int = CELL_TIMEOUT, start_timeout: int = START_TIMEOUT,
                              tmp_dir: str | Path | None = None) -> dict[str, Path]:
    """Render the quarterly supervision report (效能督查通报) into ``out_dir/<stem>.html`` and
    ``.pdf`` from one execution of ``notebooks/supervision_report.ipynb`` over the bundle
    ``evalkit supervise`` saved in ``supervision_dir`` (:class:`evalkit.supervision.SupervisionBundle`)."""
    from evalkit.report.messages import LANGUAGES

    if language not in LANGUAGES:
        raise ReportError(f"unknown report language {language!r}; choose one of {', '.join(LANGUAGES)}")
    parameters = {"supervision": _absolute(supervision_dir), "language": language}
    return render_notebook("supervision_report", parameters, out_dir, stem, runner=runner, pdf=pdf,
                           renderer=renderer, timeout=timeout, start_timeout=start_timeout,
                           label="the supervision report", tmp_dir=tmp_dir)
