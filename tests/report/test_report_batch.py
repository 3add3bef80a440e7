"""Batch rendering end to end on the sample district: worker processes with warm kernels,
the manifest, skipping unchanged reports, failures that do not stop the others, kernel
timeouts and retries, `evalkit verify`, and the same batch on a real local Dask cluster.

One batch (2 units + the overview) is rendered by a module-scoped fixture; verification
and the Dask run each render it once more.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from evalkit.cli import main
from evalkit.errors import ReportError
from evalkit.report.render import NotebookFailed, NotebookRunner, safe_filename
from evalkit.resources import sample_data_dir, sample_framework_path
from evalkit.run import RenderJob, _run_local, read_manifest, render_job, run_batch, verify_reports

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
    assert names == ["D01.html", "D01.pdf", "S01.html", "S01.pdf", "manifest.json", "overview.html",
                     "overview.pdf", "results"]
    m = batch.manifest
    assert m["year"] == 2024 and m["language"] == "zh" and m["renderer"] == "typst"
    assert set(m["reports"]) == set(UNITS) and m["failed"] == {}
    assert m["inputs"]["framework"]["version"] == "2024.1"
    assert len(m["inputs"]["data_files"]) > 40
    assert {"typst", "matplotlib", "nbconvert", "evalkit"} <= set(m["packages"])
    assert "NotoSansSC-Regular.otf" in m["fonts"]["bundled"]
    for entry in [*m["reports"].values(), m["overview"]]:
        assert set(entry["outputs"]) == {"html", "pdf"}
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
    assert result.checked == 6
    # tamper with a copy: verify reports the difference and exits non-zero
    copy = tmp_path / "2024"
    copy.mkdir()
    for p in batch.year_dir.glob("*.*"):
        (copy / p.name).write_bytes(p.read_bytes())
    page = copy / "D01.html"
    page.write_text(page.read_text(encoding="utf-8").replace("区政府办公室", "区政府办"), encoding="utf-8")
    (copy / "S01.pdf").unlink()
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["reports"]["S01"]["outputs"]["html"]["sha256"] = "0" * 64  # recorded ≠ recomputed
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["verify", str(copy), "--quiet", "--jobs", "1"]) == 4
    out = capsys.readouterr().out
    assert "D01.html: changed on disk" in out and "S01.pdf: missing" in out
    assert "S01.html: re-rendering gives different bytes" in out


def test_verify_without_manifest_is_a_clear_error(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


def test_a_failing_report_does_not_stop_the_others(batch, tmp_path):
    good = RenderJob(kind="unit", key="D01", stem="D01", year=2024, language="zh",
                     results_dir=str(batch.year_dir / "results"), out_dir=str(tmp_path),
                     renderer="typst", input_key="k1", timeout=120, start_timeout=60)
    bad = RenderJob(**{**good.__dict__, "key": "X99", "stem": safe_filename("X99"), "input_key": "k2"})
    outcomes = []
    _run_local([bad, good], 1, outcomes.append)
    by_key = {o.key: o for o in outcomes}
    assert not by_key["X99"].ok and "X99" in by_key["X99"].error
    assert by_key["D01"].ok and (tmp_path / "D01.pdf").is_file()
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
    job = RenderJob(kind="unit", key="D01", stem="D01", year=2024, language="zh",
                    results_dir=str(tmp_path / "missing"), out_dir=str(tmp_path), renderer="typst",
                    input_key="k", timeout=60, start_timeout=60)

    class Broken:
        def run(self, *a, **k):
            raise RuntimeError("boom")

    outcome = render_job(job, runner=Broken())
    assert not outcome.ok and "boom" in outcome.error


def test_the_same_batch_on_a_local_dask_cluster(batch, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=50) as cluster:
        summary = run_batch(sample_data_dir(), sample_framework_path(), 2024, units=UNITS,
                            out_dir=tmp_path, progress=False, scheduler=cluster.scheduler_address)
    assert summary.ok, summary.describe()
    m = read_manifest(tmp_path / "2024")
    # two full runs, one local and one on Dask: identical output hashes
    assert m["reports"] == batch.manifest["reports"]
    assert m["overview"] == batch.manifest["overview"]
