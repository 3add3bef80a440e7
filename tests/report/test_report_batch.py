"""Batch rendering end to end on the sample district: worker processes with warm kernels,
the manifest, skipping unchanged reports, failures that do not stop the others, kernel
timeouts and retries, `evalkit verify`, and the same batch on a real local Dask cluster.

An honest batch (issue 16): a unit named ``overview`` is a unit like any other, file names
are injective, a failing report fails the run, a run killed with ``kill -9`` leaves no
process or kernel file and resumes, concurrent runs on one folder merge their reports, and
a full disk is one clear message and never leaves an HTML without its PDF.

One batch (2 units + the overview) is rendered by a module-scoped fixture; verification
and the Dask run each render it once more; the kill -9 and concurrency tests run
``evalkit run`` in subprocesses.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_notebook

from evalkit.cli import main
from evalkit.errors import EvalkitError, ReportError
from evalkit.report.render import NotebookFailed, NotebookRunner, report_filenames, safe_filename
from evalkit.resources import sample_data_dir, sample_framework_path
from evalkit.run import (SCRATCH_PREFIX, RenderJob, _run_local, folder_lock, read_manifest,
                         remove_stale_scratch, render_job, run_batch, verify_reports)

UNITS = ["D01", "S01"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=UNITS, out_dir=out,
                        jobs=2, progress=False)
    year_dir = out / "2024"
    return SimpleNamespace(summary=summary, out=out, year_dir=year_dir,
                           manifest=read_manifest(year_dir),
                           manifest_bytes=(year_dir / "manifest.json").read_bytes())


def test_batch_writes_html_pdf_overview_and_manifest(batch):
    s = batch.summary
    assert s.ok and s.overview == "written" and not s.skipped
    assert [p.name for p in s.written] == ["D01.html", "S01.html"]
    names = sorted(p.name for p in batch.year_dir.iterdir())
    assert names == [".evalkit.lock", "D01.html", "D01.json", "D01.pdf", "S01.html", "S01.json", "S01.pdf",
                     "manifest.json", "overview.html", "overview.json", "overview.pdf", "results"]
    m = batch.manifest
    assert m["manifest_version"] == 2
    assert m["year"] == 2024 and m["language"] == "zh" and m["renderer"] == "typst"
    assert set(m["reports"]) == {"unit/D01", "unit/S01", "overview"} and m["failed"] == {}
    assert m["inputs"]["framework"]["version"] == "2024.1"
    assert len(m["inputs"]["data_files"]) > 40
    # every configuration file the reports rest on, with its SHA-256
    assert set(m["inputs"]["configuration"]) == {"framework", "rubric", "schemes"}
    assert m["inputs"]["configuration"]["rubric"]["file"] == "rubric.yaml"
    # the results tables the reports were rendered from
    assert {"units.parquet", "nodes.parquet", "meta.json"} <= set(m["results"]["files"])
    assert set(m["results"]["files"]) == {p.name for p in (batch.year_dir / "results").iterdir()}
    assert {"typst", "matplotlib", "nbconvert", "evalkit"} <= set(m["packages"])
    assert "NotoSansSC-Regular.otf" in m["fonts"]["bundled"]
    for entry in m["reports"].values():
        assert set(entry["outputs"]) == {"html", "pdf", "json"}
        for out in entry["outputs"].values():
            assert len(out["sha256"]) == 64
    text = batch.manifest_bytes.decode("utf-8")
    for volatile in ("time", "duration", "seconds"):
        assert volatile not in text


def test_overview_report(batch):
    page = (batch.year_dir / "overview.html").read_text(encoding="utf-8")
    for heading in ("2024年度政府效能评估总览", "等次分布", "需关注单位", "排名变化最大的单位",
                    "排名表：部门", "排名表：街镇", "一级指标得分率热力图：部门"):
        assert heading in page, heading
    assert "data:image/svg+xml;base64," in page
    assert (batch.year_dir / "overview.pdf").read_bytes().startswith(b"%PDF-")
    data = json.loads((batch.year_dir / "overview.json").read_text(encoding="utf-8"))
    assert data["kind"] == "overview" and data["unit_id"] is None and data["year"] == 2024
    assert len(data["data"]["units"]) == len(pd.read_parquet(batch.year_dir / "results" / "units.parquet"))


def test_rerun_skips_unchanged_reports_and_keeps_the_manifest(batch):
    before = {p.name: p.stat().st_mtime_ns for p in batch.year_dir.glob("*.*")}
    summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=UNITS,
                        out_dir=batch.out, jobs=2, progress=False)
    assert sorted(summary.skipped) == UNITS and not summary.written and summary.overview == "unchanged"
    assert (batch.year_dir / "manifest.json").read_bytes() == batch.manifest_bytes
    after = {p.name: p.stat().st_mtime_ns for p in batch.year_dir.glob("*.html")}
    assert all(after[n] == before[n] for n in after)
    assert "2 unchanged, skipped" in summary.describe()


def test_verify_passes_then_finds_a_tampered_report(batch, tmp_path, capsys):
    result = verify_reports(batch.year_dir, jobs=1)
    assert result.ok, result.describe()
    assert result.checked == 9 + len(batch.manifest["results"]["files"])
    # tamper with a copy: verify reports the difference and exits non-zero
    copy = tmp_path / "2024"
    shutil.copytree(batch.year_dir, copy)
    page = copy / "D01.html"
    page.write_text(page.read_text(encoding="utf-8").replace("区政府办公室", "区政府办"), encoding="utf-8")
    (copy / "S01.pdf").unlink()
    # the results tables the reports rest on: +10 points for D01
    units = pd.read_parquet(copy / "results" / "units.parquet")
    units.loc[units["unit_id"] == "D01", "total_score"] += 10
    units.to_parquet(copy / "results" / "units.parquet", index=False)
    # a report left by an earlier run, and a stray file
    (copy / "D02.html").write_text("<html>an earlier run</html>", encoding="utf-8")
    (copy / "notes.txt").write_text("mine", encoding="utf-8")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["reports"]["unit/S01"]["outputs"]["html"]["sha256"] = "0" * 64  # recorded ≠ recomputed
    manifest["reports"]["overview"]["results_key"] = "0" * 64    # rendered from other inputs
    manifest["inputs"]["configuration"]["rubric"]["sha256"] = "0" * 64  # rubric.yaml edited since
    del manifest["inputs"]["configuration"]["schemes"]              # schemes.yaml added since
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["verify", str(copy), "--quiet", "--jobs", "1"]) == 4
    out = capsys.readouterr().out
    assert "D01.html: changed on disk" in out and "S01.pdf: missing" in out
    assert "S01.html: re-rendering gives different bytes" in out
    assert "results/units.parquet: changed on disk" in out
    assert "D02.html: stray file" in out and "notes.txt: stray file" in out
    assert "overview (overview.html, overview.json, overview.pdf): stale" in out
    assert "rubric file rubric.yaml: changed since the run" in out
    assert "schemes file schemes.yaml: added since the run" in out


def test_verify_without_manifest_is_a_clear_error(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_a_failing_report_does_not_stop_the_others(batch, tmp_path):
    good = RenderJob(kind="unit", unit="D01", stem="D01", year=2024, language="zh",
                     results_dir=str(batch.year_dir / "results"), out_dir=str(tmp_path),
                     renderer="typst", input_key="k1", timeout=120, start_timeout=60)
    bad = RenderJob(**{**good.__dict__, "unit": "X99", "stem": safe_filename("X99"), "input_key": "k2"})
    outcomes = []
    _run_local([bad, good], 1, outcomes.append)
    by_key = {o.key: o for o in outcomes}
    assert not by_key["unit/X99"].ok and "X99" in by_key["unit/X99"].error
    assert by_key["unit/D01"].ok and (tmp_path / "D01.pdf").is_file()
    failed = tmp_path / "X99.failed.ipynb"
    assert failed.is_file()
    nb = nbformat.read(failed, as_version=4)
    assert any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    assert not (tmp_path / "X99.html").exists()


def _sleepy_notebook(path: Path) -> Path:
    nb = new_notebook(cells=[new_code_cell("seconds = 0", metadata={"tags": ["parameters"]}),
                             new_code_cell("import time\ntime.sleep(seconds)\nx = 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_cell_timeout_fails_the_report_and_the_next_one_gets_a_fresh_kernel(tmp_path):
    notebook = _sleepy_notebook(tmp_path / "sleepy.ipynb")
    with NotebookRunner(cell_timeout=2, start_timeout=60) as runner:
        with pytest.raises(NotebookFailed, match="could not finish"):
            runner.run(notebook, {"seconds": 30}, tmp_path)
        nb = runner.run(notebook, {"seconds": 0}, tmp_path)
        assert runner.kernel_starts == 2
        assert "injected-parameters" in nb.cells[1].metadata["tags"]


def test_kernel_start_is_retried_once_then_fails_clearly(tmp_path):
    runner = NotebookRunner(kernel_name="no-such-kernel", start_timeout=5)
    with pytest.raises(ReportError, match="tried 2 times"):
        runner.start()
    runner.close()


def test_render_job_reports_unexpected_errors_as_failures(tmp_path):
    job = RenderJob(kind="unit", unit="D01", stem="D01", year=2024, language="zh",
                    results_dir=str(tmp_path / "missing"), out_dir=str(tmp_path), renderer="typst",
                    input_key="k", timeout=60, start_timeout=60)

    class Broken:
        def run(self, *a, **k):
            raise RuntimeError("boom")

    outcome = render_job(job, runner=Broken())
    assert not outcome.ok and "boom" in outcome.error


def test_the_same_batch_on_a_local_dask_cluster(batch, sample_results, monkeypatch, tmp_path):
    distributed = pytest.importorskip("distributed")
    _use_results(monkeypatch, sample_results)  # the sample's 2024 results, computed once per module
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=["D01"], overview=False,
                            out_dir=tmp_path, progress=False, scheduler=cluster.scheduler_address)
    assert summary.ok, summary.describe()
    m = read_manifest(tmp_path / "2024")
    # one local run, one on Dask: the same report (output hashes) from the same results
    assert m["reports"] == {"unit/D01": batch.manifest["reports"]["unit/D01"]}
    assert m["results"] == batch.manifest["results"]


# ----------------------------------------------------------------------------------------
# An honest batch (issue 16, item 6): keys and file names, failures, kill -9, concurrent
# runs, a full disk
# ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_results(sample_2024):
    return sample_2024()


def _use_results(monkeypatch, results) -> None:
    """Let run_batch take ``results`` instead of computing them (the sample's, maybe renamed)."""
    import evalkit.run

    monkeypatch.setattr(evalkit.run, "compute_results", lambda *args, **kwargs: results)


def _renamed(results, old: str, new: str):
    """``results`` with the unit ``old`` called ``new`` in every table."""
    from evalkit.results.store import Results

    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        if "unit_id" not in frame.columns:
            return frame
        frame = frame.copy()
        col = frame["unit_id"]
        if isinstance(col.dtype, pd.CategoricalDtype):
            frame["unit_id"] = col.cat.rename_categories({old: new})
        else:
            frame["unit_id"] = col.replace({old: new})
        return frame

    return Results(units=rename(results.units), nodes=rename(results.nodes), meta=results.meta,
                   tables={name: rename(frame) for name, frame in results.tables.items()})


def _fake_render(failing: set[str]):
    """A render_job that writes small files, or fails for the keys in ``failing``."""
    from evalkit.data.files import sha256_file
    from evalkit.run import RenderOutcome

    def render(job, runner=None):
        if job.key in failing:
            return RenderOutcome(job.key, job.kind, job.input_key, ok=False, error="boom")
        outputs = {}
        for fmt in ("html", "pdf", "json"):
            path = Path(job.out_dir) / f"{job.stem}.{fmt}"
            path.write_text(f"{job.key} {fmt}", encoding="utf-8")
            outputs[fmt] = {"file": path.name, "sha256": sha256_file(path)}
        return RenderOutcome(job.key, job.kind, job.input_key, ok=True, outputs=outputs)

    return render


def test_file_names_are_injective_and_ids_differing_in_case_are_refused():
    assert safe_filename("a/b") == "a_b-c14cddc0"                  # the documented mapping
    assert safe_filename("a_b-c14cddc0") not in ("a_b-c14cddc0", safe_filename("a/b"))
    ids = ["a/b", "a_b-c14cddc0", "a_b", "overview", "OVERVIEW", "D01", "a_b-C14CDDC0", "区01", "_01"]
    names = report_filenames(ids)
    assert len({n.casefold() for n in names.values()}) == len(ids)
    assert not {n.casefold() for n in names.values()} & {"overview", "manifest", "results"}
    with pytest.raises(ReportError, match="'D01' and 'd01' would write the same report file"):
        report_filenames(["D01", "d01"])


@given(st.text(max_size=12), st.text(max_size=12))
def test_two_different_ids_never_get_one_file_name(a, b):
    assume(a != b)
    assert safe_filename(a) != safe_filename(b)


def test_a_unit_named_overview_is_a_unit_like_any_other(sample_results, monkeypatch, tmp_path):
    _use_results(monkeypatch, _renamed(sample_results, "D01", "overview"))
    summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=["overview"],
                        out_dir=tmp_path, jobs=1, progress=False)
    assert summary.ok and summary.overview == "written", summary.describe()
    m = read_manifest(tmp_path / "2024")
    assert set(m["reports"]) == {"unit/overview", "overview"}
    unit_file = m["reports"]["unit/overview"]["outputs"]["html"]["file"]
    assert unit_file == f"{safe_filename('overview')}.html" != "overview.html"
    assert "区政府办公室" in (tmp_path / "2024" / unit_file).read_text(encoding="utf-8")  # D01's report
    assert "等次分布" in (tmp_path / "2024" / "overview.html").read_text(encoding="utf-8")


def test_a_failing_unit_named_overview_fails_the_run_and_is_listed(sample_results, monkeypatch,
                                                                   tmp_path, capsys):
    import evalkit.run

    _use_results(monkeypatch, _renamed(sample_results, "D01", "overview"))
    monkeypatch.setattr(evalkit.run, "render_job", _fake_render({"unit/overview"}))
    code = main(["run", "--units", "overview,S01", "--out", str(tmp_path), "--quiet", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 3, out
    assert "1 report(s) failed:\n  unit/overview: boom" in out and "district overview: written" in out
    m = read_manifest(tmp_path / "2024")
    assert m["failed"] == {"unit/overview": "boom"}
    assert set(m["reports"]) == {"unit/S01", "overview"}


def test_a_full_disk_never_leaves_an_html_without_its_pdf(sample_results, monkeypatch, tmp_path):
    import evalkit.report.render as render

    _use_results(monkeypatch, sample_results)
    real = render._write_temporary

    def disk_full_at_the_pdf(path, data):
        if path.suffix == ".pdf":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(render, "_write_temporary", disk_full_at_the_pdf)
    summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=["D01"],
                        out_dir=tmp_path, jobs=1, progress=False, overview=False)
    year_dir = tmp_path / "2024"
    assert not summary.ok and "the disk is full" in summary.failed["unit/D01"]
    assert "unit/D01: the disk is full" in summary.describe()
    assert not (year_dir / "D01.html").exists() and not (year_dir / "D01.pdf").exists()
    assert not (year_dir / "D01.json").exists()
    assert [p.name for p in year_dir.iterdir() if p.name.startswith(".")] == [".evalkit.lock"]
    assert read_manifest(year_dir)["failed"]["unit/D01"] == summary.failed["unit/D01"]


def test_publish_together_removes_both_when_a_rename_fails(monkeypatch, tmp_path):
    import evalkit.report.render as render

    (tmp_path / "r.html").write_text("old html", encoding="utf-8")
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.EIO, "I/O error")
        return real(src, dst)

    monkeypatch.setattr(render.os, "replace", replace)
    with pytest.raises(OSError):
        render.publish_together(tmp_path, {"r.html": b"new html", "r.pdf": b"new pdf"})
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no pair of two runs, no temporary file


def test_a_full_disk_at_the_start_is_one_clear_message(sample_results, monkeypatch, tmp_path, capsys):
    import evalkit.run

    _use_results(monkeypatch, sample_results)
    args = ["run", "--units", "D01", "--out", str(tmp_path), "--quiet", "--jobs", "1"]
    with monkeypatch.context() as m:
        m.setattr(evalkit.run.shutil, "disk_usage", lambda path: SimpleNamespace(total=10, used=9, free=1000))
        assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not enough free space" in err[0]
    assert "MB needed for 2 report(s)" in err[0]  # D01 and the overview
    assert not (tmp_path / "2024" / "results").exists()

    def pyarrow_full(*args, **kwargs):  # what pyarrow raises when the disk fills
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")

    with monkeypatch.context() as m:
        m.setattr(evalkit.run, "save_results", pyarrow_full)
        assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "the disk is full" in err and "results tables" in err


def test_a_second_run_on_a_folder_in_use_waits_then_says_why(tmp_path, capsys):
    year_dir = tmp_path / "2024"
    with folder_lock(year_dir):
        with pytest.raises(EvalkitError, match=r"in use by another evalkit command \(evalkit run, pid"):
            with folder_lock(year_dir, timeout=0.5):
                pass
        assert "waiting for it to finish" in capsys.readouterr().err
        with pytest.raises(EvalkitError, match="gave up"):
            with folder_lock(year_dir, shared=True, timeout=0.3, command="evalkit verify"):
                pass
    with folder_lock(year_dir, timeout=0):  # free again
        pass


def test_two_concurrent_runs_on_one_folder_list_both_sets_of_reports(tmp_path):
    def run(units: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "evalkit", "run", "--units", units, "--no-overview",
                                 "--jobs", "1", "--quiet", "--out", str(tmp_path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    procs = [run("D01"), run("S01")]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    m = read_manifest(tmp_path / "2024")
    assert set(m["reports"]) == {"unit/D01", "unit/S01"} and m["failed"] == {}
    for entry in m["reports"].values():
        for out in entry["outputs"].values():
            assert (tmp_path / "2024" / out["file"]).is_file()


def _process_states() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, state) of every process (Linux /proc)."""
    states = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        states[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return states


def _descendants(pid: int) -> set[int]:
    states, found, todo = _process_states(), set(), [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, (ppid, _) in states.items() if ppid == parent]
        found.update(children)
        todo += children
    return found


def _alive(pids: set[int]) -> set[int]:
    states = _process_states()
    return {p for p in pids if p in states and states[p][1] not in ("Z", "X")}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_run_killed_with_kill_9_leaves_nothing_running_and_resumes(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    out = tmp_path / "out"
    year_dir = out / "2024"
    units = ["D01", "D02", "D03"]  # two workers: the third starts after a report is done
    cmd = [sys.executable, "-m", "evalkit", "run", "--units", ",".join(units), "--no-overview",
           "--jobs", "2", "--quiet", "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not (read_manifest(year_dir) or {}).get("reports"):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no report finished in time"
            time.sleep(0.1)
        started = _descendants(proc.pid)
        assert started  # the worker processes and their kernels
    finally:
        proc.kill()
        proc.wait()
    finished = set(read_manifest(year_dir)["reports"])
    assert finished and finished < {f"unit/{u}" for u in units}
    mtimes = {p.name: p.stat().st_mtime_ns for p in year_dir.glob("D0*.*")}
    # every process the run started stops by itself, and removes its kernel files
    deadline = time.monotonic() + 20
    while _alive(started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(started), "orphan processes after kill -9"
    assert not list(tmp.rglob("*.json")) and not list(tmp.glob("evalkit-scratch-*"))
    # the next run renders only what was not finished
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert f"{len(finished)} unchanged, skipped" in again.stdout
    m = read_manifest(year_dir)
    assert set(m["reports"]) == {f"unit/{u}" for u in units} and m["failed"] == {}
    for key in finished:
        for o in m["reports"][key]["outputs"].values():
            assert (year_dir / o["file"]).stat().st_mtime_ns == mtimes[o["file"]]  # not re-rendered
    assert not [p for p in year_dir.iterdir() if p.name.endswith(".tmp")]
    assert not list(tmp.iterdir())


def test_scratch_directories_of_dead_processes_are_removed(tmp_path):
    import fcntl

    dead = tmp_path / f"{SCRATCH_PREFIX}999999-abc"
    dead.mkdir()
    (dead / "owner.lock").touch()
    (dead / "kernel-1.json").write_text("{}", encoding="utf-8")
    alive = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def"
    alive.mkdir()
    fd = os.open(alive / "owner.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert remove_stale_scratch(tmp_path) == [dead]
        assert not dead.exists() and alive.is_dir()
    finally:
        os.close(fd)


def test_verify_fails_when_only_results_units_parquet_is_edited(batch, tmp_path, capsys):
    """`evalkit verify` after the one edit the issue names (+10 points for D01 in
    ``results/units.parquet``, nothing else touched): exit 4 and that file, and only it, listed
    — it used to pass. The units and raters files are among the hashed inputs."""
    assert {"units.csv", "raters.csv"} <= set(batch.manifest["inputs"]["data_files"])
    copy = tmp_path / "2024"
    shutil.copytree(batch.year_dir, copy)
    units = pd.read_parquet(copy / "results" / "units.parquet")
    units.loc[units["unit_id"] == "D01", "total_score"] += 10
    units.to_parquet(copy / "results" / "units.parquet", index=False)
    assert main(["verify", str(copy), "--quiet", "--jobs", "1"]) == 4
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].endswith("1 difference(s):"), out
    assert len(out) == 2 and out[1].startswith("  results/units.parquet: changed on disk since the run"), out
