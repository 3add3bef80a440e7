"""Benchmark: rendering a full sample year — every unit's HTML and PDF plus the district
overview — with ``evalkit run`` against the route a user would script by hand.

In the same run, on the same notebooks and the same precomputed results:

* **evalkit**: ``run_batch(..., jobs=N, force=True)`` — results computed once, ``N`` worker
  processes each keeping one warm kernel, HTML and PDF from one execution per report;
* **naive**: a loop over the units (and the overview) of three command-line tools per
  report: ``papermill`` (a fresh kernel each time), ``jupyter nbconvert --to evalkit_html``
  (evalkit's template) and ``jupyter nbconvert --to evalkit_pdf`` for the PDF.

The outputs of both routes are checked to be byte-identical. The last line prints the
figures, e.g. ``reports=49 cores=2 jobs=2 evalkit_s=… naive_s=… speedup=…``.

Usage: ``python benchmarks/bench_reports.py [--jobs 2] [--naive-units N]`` (``--naive-units``
times the naive loop on the first N units only and scales it to the full year).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evalkit.report.render import safe_filename
from evalkit.resources import notebook_path, sample_data_dir, sample_framework_path
from evalkit.results.store import load_results
from evalkit.run import run_batch


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def naive_report(kind: str, params: dict, work: Path, stem: str) -> None:
    executed = work / f"{stem}.ipynb"
    cmd = [tool("papermill"), str(notebook_path(kind)), str(executed), "--no-progress-bar",
           "--cwd", str(work)]
    for key, value in params.items():
        cmd += ["-p", key, str(value)]
    subprocess.run(cmd, check=True, capture_output=True)
    subprocess.run([tool("jupyter"), "nbconvert", "--to", "evalkit_html", "--output", stem,
                    "--output-dir", str(work), str(executed)], check=True, capture_output=True)
    subprocess.run([tool("jupyter"), "nbconvert", "--to", "evalkit_pdf", "--output", stem,
                    "--output-dir", str(work), str(executed)], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--naive-units", type=int, default=None,
                        help="time the naive loop on this many units only and scale it up")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        summary = run_batch(sample_data_dir(), sample_framework_path(), None, out_dir=tmp / "fast",
                            jobs=args.jobs, progress=False, force=True)
        fast_s = time.perf_counter() - t0
        assert summary.ok, summary.describe()
        year_dir = summary.out_dir
        results_dir = year_dir / "results"
        units = sorted(load_results(results_dir).units["unit_id"].astype(str))
        n_reports = len(units) + 1

        naive_units = units if args.naive_units is None else units[:args.naive_units]
        work = tmp / "naive"
        work.mkdir()
        t0 = time.perf_counter()
        for unit in naive_units:
            naive_report("unit_report", {"unit": unit, "year": summary.year, "language": "zh",
                                         "results": results_dir}, work, safe_filename(unit))
        naive_report("district_overview", {"year": summary.year, "language": "zh",
                                           "results": results_dir}, work, "overview")
        naive_s = time.perf_counter() - t0
        measured = len(naive_units) + 1
        if measured < n_reports:
            naive_s *= n_reports / measured

        same = all((work / f"{safe_filename(u)}.{ext}").read_bytes()
                   == (year_dir / f"{safe_filename(u)}.{ext}").read_bytes()
                   for u in naive_units for ext in ("html", "pdf"))
        print(f"evalkit route: {fast_s:.1f} s for {n_reports} reports (HTML + PDF); naive route: "
              f"{naive_s:.1f} s{' (scaled from %d reports)' % measured if measured < n_reports else ''}; "
              f"outputs identical: {same}")
        print(f"reports={n_reports} cores={os.cpu_count()} jobs={args.jobs} evalkit_s={fast_s:.1f} "
              f"naive_s={naive_s:.1f} speedup={naive_s / fast_s:.1f} identical={same}")


if __name__ == "__main__":
    main()
