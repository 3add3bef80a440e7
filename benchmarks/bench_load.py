"""Benchmark: loading and validating a district-year against plainly reading its files.

Generates one synthetic year (``--cases`` service cases, a fifth as many hotline tickets)
in a temporary directory, then in the same process times

* baseline: reading every table with plain pandas (no checks, no type conversion), and
* evalkit: ``load_dataset`` — encoding detection, type conversion and every contract check.

The last line prints the figures, e.g.
``format=parquet rows=1200000 baseline_s=… evalkit_s=… ratio=… peak_mb=…``.

Usage: ``python benchmarks/bench_load.py [--cases 1000000] [--format parquet|csv]``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

from evalkit.data.dataset import load_dataset
from evalkit.sample import SampleSpec, generate_sample


def plain_read(root: Path) -> int:
    rows = 0
    for path in sorted(root.rglob("*")):
        name = path.name
        if name.endswith(".parquet"):
            rows += len(pd.read_parquet(path))
        elif name.endswith(".csv") or name.endswith(".csv.gz"):
            rows += len(pd.read_csv(path, dtype=str))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        generate_sample(root, SampleSpec(years=(2024,), cases=args.cases, tickets=args.cases // 5, fmt=args.format))
        gen_s = time.perf_counter() - t0
        base, ours, rows = [], [], 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            rows = plain_read(root)
            base.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            load_dataset(root)
            ours.append(time.perf_counter() - t0)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        b, o = min(base), min(ours)
        print(f"generated in {gen_s:.1f} s; best of {args.repeat} runs")
        print(f"format={args.format} rows={rows} baseline_s={b:.2f} evalkit_s={o:.2f} "
              f"ratio={o / b:.2f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
