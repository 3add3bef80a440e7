"""Benchmark: the quarterly supervision report (效能督查通报, issue 14) against the annual batch.

Issue 14's target: "a quarterly supervision report for the sample in no more time than the
annual batch". In the same process, on the shipped sample district:

* **supervision**: what ``evalkit supervise --period 2024Q3`` does — load the data, compute the
  bundle (:func:`evalkit.supervision.compute_supervision`: the quarter's, the previous
  quarter's and last year's results and key rates, the early warnings of January–September,
  the overdue items) and render the one report with a page for every unit (HTML and PDF);
* **annual batch**: what ``evalkit run`` does for the sample's 2024 —
  ``run_batch(..., jobs=N, force=True)``: validate, compute the results once, render the 48
  unit reports and the district overview (HTML, PDF and JSON), as ``bench_reports.py`` times it.

Both read the data from disk and render with the same notebooks machinery; ``--jobs`` is the
annual batch's worker count (the supervision report is one notebook: one worker). The last
line prints the figures, e.g. ``units=48 cores=2 jobs=2 supervision_s=… annual_s=… ratio=…``
(``ratio`` = supervision / annual; target ≤ 1).

Usage: ``python benchmarks/bench_supervision.py [--jobs 2] [--period 2024Q3]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from evalkit.configuration import load_configuration
from evalkit.data.dataset import load_dataset
from evalkit.periods import parse_period
from evalkit.resources import sample_data_dir, sample_framework_path
from evalkit.run import run_batch
from evalkit.supervision_batch import run_supervision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--period", default="2024Q3")
    args = parser.parse_args()
    period = parse_period(args.period)
    data, framework = sample_data_dir(), sample_framework_path()

    with tempfile.TemporaryDirectory(prefix="bench-supervision-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        dataset = load_dataset(data)
        config = load_configuration(data, framework)
        summary = run_supervision(dataset, config, period, data_dir=data, out_dir=tmp / "supervision",
                                  progress=False)
        supervision_s = time.perf_counter() - t0
        assert summary.ok, summary.describe()
        pages = summary.units

        t0 = time.perf_counter()
        batch = run_batch(data, framework, int(period), out_dir=tmp / "annual", jobs=args.jobs, progress=False,
                          force=True)
        annual_s = time.perf_counter() - t0
        assert batch.ok, batch.describe()
        reports = len(batch.written)

    print(f"supervision report {period.key} ({pages} unit pages, HTML + PDF): {supervision_s:.1f} s; "
          f"annual batch {int(period)} ({reports} unit reports + the overview, --jobs {args.jobs}): {annual_s:.1f} s")
    print(f"units={pages} cores={os.cpu_count()} jobs={args.jobs} supervision_s={supervision_s:.1f} "
          f"annual_s={annual_s:.1f} ratio={supervision_s / annual_s:.2f}")


if __name__ == "__main__":
    main()
