"""Benchmark: every default data-quality check of a big district-year against computing the
year's indicators from the same Parquet files (issue 13: quality ≤ 2 × indicators, ≤ 4 GB).

Generates one synthetic year (``--cases`` service cases, ``--tickets`` 12345 tickets; by
default 10 million and 2 million, written as Parquet) in a temporary directory, or uses
``--data DIR``, then times, each in a fresh process (so that each side's peak memory is its
own):

* indicators: ``read_dataset`` (only the columns the indicators read) and
  ``compute_indicators`` — every yearly indicator but ``data_quality_score`` (which *is*
  the quality checks);
* quality: ``read_dataset`` and ``quality_metrics`` with every default check
  (:data:`evalkit.quality.DEFAULT_CHECKS`): the large event tables are counted batch by
  batch, never read whole.

Each side runs ``--repeat`` times (alternating); the best time of each is reported. The last
line prints the figures, e.g. ``rows=12463168 indicators_s=… quality_s=… ratio=…
peak_mb=… metrics_rows=…`` (``peak_mb``: the quality process's peak resident memory).

Usage: ``python benchmarks/bench_quality.py [--cases 10000000] [--tickets 2000000]
[--data DIR] [--year 2024] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_indicators import _peak_mb, count_rows  # noqa: E402


def run_indicators(data: Path, year: int) -> tuple[float, int]:
    from evalkit.data.dataset import read_dataset
    from evalkit.indicators.catalogue import CATALOGUE, compute_indicators, required_columns

    codes = [i.code for i in CATALOGUE if not i.periodic and i.code != "data_quality_score"]
    t0 = time.perf_counter()
    ds = read_dataset(data, [year], columns=required_columns(codes))
    table = compute_indicators(ds, year, codes)
    return time.perf_counter() - t0, len(table)


def run_quality(data: Path, year: int) -> tuple[float, int]:
    from evalkit.data.dataset import read_dataset
    from evalkit.quality import quality_metrics
    from evalkit.quality.checks import required_columns

    t0 = time.perf_counter()
    ds = read_dataset(data, [year], columns=required_columns())
    metrics = quality_metrics(ds, year)
    return time.perf_counter() - t0, len(metrics)


def worker(side: str, data: Path, year: int) -> None:
    seconds, rows = (run_indicators if side == "indicators" else run_quality)(data, year)
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}))


def spawn(side: str, data: Path, year: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", side, "--data", str(data), "--year", str(year)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{side} worker failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--tickets", type=int, default=2_000_000)
    parser.add_argument("--data", help="use this data directory (Parquet year tables) instead of generating one")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=("indicators", "quality"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, Path(args.data), args.year)
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.data:
            data = Path(args.data)
            print(f"data: {data}")
        else:
            from evalkit.sample import SampleSpec, generate_sample

            data = Path(tmp) / "data"
            t0 = time.perf_counter()
            generate_sample(data, SampleSpec(years=(args.year,), cases=args.cases, tickets=args.tickets,
                                             fmt="parquet"))
            print(f"generated {args.cases:,} cases and {args.tickets:,} tickets in {time.perf_counter() - t0:.1f} s")
        ind, qual = [], []
        for i in range(args.repeat):
            ind.append(spawn("indicators", data, args.year))
            qual.append(spawn("quality", data, args.year))
            print(f"run {i + 1}: indicators {ind[-1]['seconds']:.2f} s ({ind[-1]['peak_mb']:.0f} MB), "
                  f"quality {qual[-1]['seconds']:.2f} s ({qual[-1]['peak_mb']:.0f} MB)")
        i_s = min(r["seconds"] for r in ind)
        q_s = min(r["seconds"] for r in qual)
        print(f"rows={count_rows(data, args.year)} indicators_s={i_s:.2f} quality_s={q_s:.2f} ratio={q_s / i_s:.2f} "
              f"peak_mb={max(r['peak_mb'] for r in qual):.0f} metrics_rows={qual[-1]['rows']}")


if __name__ == "__main__":
    main()
