"""Benchmark: the efficiency database (issue 12) against DuckDB itself and the Parquet files.

Generates one synthetic year (``--cases`` service cases, ``--tickets`` 12345 tickets, written
as Parquet; by default 300,000 and 60,000 for a quick run, ``--full`` for the issue's 10
million and 2 million) in a temporary directory, or uses ``--data DIR``, then measures,
each part in a fresh process (so that its peak memory is its own), each side against its
baseline in the same process, alternately, ``--repeat`` times (best time of each side):

1. import: ``init_store`` (before the clock) + ``Store.import_directory`` of the data
   directory (every contract check, one batch) + ``close``, into a new DuckDB file;
   baseline: DuckDB's own ``CREATE TABLE … AS SELECT * FROM read_parquet(…)`` (``read_csv``
   for the district CSV tables) of every file into a new DuckDB file + ``close``, plus
   evalkit's ``validate_directory`` of the same directory. Targets: ≤ 1.5 × the baseline,
   ≤ 4 GB peak.
2. indicators: ``store_source(DB, years=[YEAR], columns=required_columns())`` (the year at
   the current snapshot, the columns the indicators need, read straight from the query
   results with the fast reader's conversions) + ``compute_indicators`` — every yearly indicator
   for every unit, the data's indicator parameters (``load_configuration``, read before the
   clock); baseline: the same from the Parquet files as ``bench_indicators.py`` reads them
   (``read_dataset(DIR, [YEAR], columns=required_columns())`` + ``compute_indicators``). The
   two frames must be equal. Target: ≤ 1.5 × the baseline.
3. restate: on the shipped sample district (all three years, imported into a new store
   before the clock): one correction (``budget_lines`` D01, month 1, ``basic``:
   ``spending_yuan``) plus ``restate`` of the year since the snapshot before it. Target:
   ≤ 5 s.

Peak memory (``peak_gb``) is the high-water mark of the resident memory of the import's
process while the store imports (interpreter and libraries included): ``VmHWM`` of
``/proc/self/status``, reset before each side through ``/proc/self/clear_refs`` so that
each side's peak is its own (where the reset is not allowed, the peak covers both sides).

The last line prints the figures and a verdict per target, e.g.
``rows=… import_s=… import_baseline_s=… import_ratio=… peak_gb=… indicators_s=…
indicators_baseline_s=… indicators_ratio=… restate_s=… identical=yes import=PASS peak=PASS
indicators=PASS restate=PASS`` (``rows``: records in all tables of the year).

Usage: ``python benchmarks/bench_db.py [--cases 300000] [--tickets 60000] [--full]
[--data DIR] [--year 2024] [--repeat 3]``. Needs duckdb (a dependency of evalkit's store).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Targets of issue 12 ("Performance").
IMPORT_RATIO = 1.5
PEAK_GB = 4.0
INDICATORS_RATIO = 1.5
RESTATE_S = 5.0
#: The record the restate part corrects (a record of the shipped sample district).
CORRECTION = ("budget_lines", "unit_id=D01,month=1,line=basic", "spending_yuan")
SAMPLE = Path(__file__).resolve().parents[1] / "data_samples" / "sample_district"


# ----------------------------------------------------------------------------------------
# Memory
# ----------------------------------------------------------------------------------------

def _peak_mb() -> float:
    """Peak resident memory of this process. Linux's ``ru_maxrss`` survives ``exec`` (a
    worker would report the peak of the parent that generated the data), so the high-water
    mark of the process's own memory map (``VmHWM``) is read when there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    """Reset ``VmHWM`` to the current resident memory (Linux ≥ 4.0); False if not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# ----------------------------------------------------------------------------------------
# 1. Import
# ----------------------------------------------------------------------------------------

def _fresh(path: Path) -> Path:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    return path


def baseline_import(data: Path, db: Path) -> float:
    """DuckDB's own CREATE TABLE … AS SELECT of every file + evalkit's validation of them."""
    import duckdb

    from evalkit.data.dataset import validate_directory

    con = duckdb.connect(str(_fresh(db)), config={"autoinstall_known_extensions": False,
                                                  "autoload_known_extensions": False})
    t0 = time.perf_counter()
    for path in sorted(data.rglob("*")):
        name = path.name
        if name.endswith(".parquet"):
            reader = "read_parquet"
        elif name.endswith((".csv", ".csv.gz")):
            reader = "read_csv"
        else:
            continue
        stem = name.split(".")[0]
        table = f"{path.parent.name}_{stem}" if path.parent != data else stem
        con.execute(f"CREATE TABLE \"{table}\" AS SELECT * FROM {reader}('{str(path).replace(chr(39), chr(39) * 2)}')")
    con.close()
    problems = validate_directory(data)
    seconds = time.perf_counter() - t0
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise SystemExit(f"the data do not pass validation ({len(errors)} errors), e.g. {errors[0]}")
    return seconds


def store_import(data: Path, db: Path) -> tuple[float, str]:
    from evalkit.store import init_store

    store, _created = init_store(_fresh(db))
    t0 = time.perf_counter()
    try:
        result = store.import_directory(data, by="bench")
    finally:
        store.close()
    seconds = time.perf_counter() - t0
    if result.status != "imported":
        raise SystemExit(f"import: {result.describe()}")
    return seconds, result.describe()


def worker_import(data: Path, year: int, repeat: int, work: Path) -> dict:
    import duckdb  # noqa: F401  (imports before the clock, on both sides)

    import evalkit.data.dataset  # noqa: F401
    import evalkit.store  # noqa: F401

    base, ours, base_peak, our_peak = [], [], [], []
    separate = True
    described = ""
    for _ in range(repeat):
        separate &= _reset_peak()
        base.append(baseline_import(data, work / "baseline.duckdb"))
        base_peak.append(_peak_mb())
        separate &= _reset_peak()
        seconds, described = store_import(data, work / "store.duckdb")  # the last one stays for part 2
        ours.append(seconds)
        our_peak.append(_peak_mb())
    _fresh(work / "baseline.duckdb")
    return {"baseline_s": base, "store_s": ours, "baseline_peak_mb": base_peak, "store_peak_mb": our_peak,
            "peak_separate": separate, "describe": described}


# ----------------------------------------------------------------------------------------
# 2. Indicators
# ----------------------------------------------------------------------------------------

def indicators_from_files(data: Path, year: int, parameters):
    from evalkit.data.dataset import read_dataset
    from evalkit.indicators import compute_indicators
    from evalkit.indicators.catalogue import required_columns

    t0 = time.perf_counter()
    ds = read_dataset(data, [year], columns=required_columns())
    table = compute_indicators(ds, year, parameters=parameters)
    return time.perf_counter() - t0, table


def indicators_from_store(db: Path, year: int, parameters):
    from evalkit.indicators import compute_indicators
    from evalkit.indicators.catalogue import required_columns
    from evalkit.store.source import store_source

    t0 = time.perf_counter()
    with store_source(str(db), years=[year], columns=required_columns()) as src:
        table = compute_indicators(src.dataset, year, parameters=parameters)
    return time.perf_counter() - t0, table


def worker_indicators(data: Path, year: int, repeat: int, db: Path) -> dict:
    from evalkit.configuration import load_configuration

    parameters = load_configuration(data).indicators  # the data's settings, on both sides
    base, ours, base_peak, our_peak = [], [], [], []
    identical = True
    for _ in range(repeat):
        _reset_peak()
        seconds, theirs = indicators_from_files(data, year, parameters)
        base.append(seconds)
        base_peak.append(_peak_mb())
        _reset_peak()
        seconds, mine = indicators_from_store(db, year, parameters)
        ours.append(seconds)
        our_peak.append(_peak_mb())
        identical &= bool(mine.equals(theirs))
    return {"baseline_s": base, "store_s": ours, "baseline_peak_mb": base_peak, "store_peak_mb": our_peak,
            "identical": identical, "rows": len(mine)}


# ----------------------------------------------------------------------------------------
# 3. One correction + restate on the sample district
# ----------------------------------------------------------------------------------------

def worker_restate(year: int, repeat: int, work: Path) -> dict:
    from evalkit.store import init_store, open_store
    from evalkit.store.restate import restate

    db = _fresh(work / "sample.duckdb")
    t0 = time.perf_counter()
    store, _created = init_store(db)
    try:
        result = store.import_directory(SAMPLE, by="bench")
    finally:
        store.close()
    import_s = time.perf_counter() - t0
    if result.status != "imported":
        raise SystemExit(f"sample import: {result.describe()}")
    table, key, column = CORRECTION
    runs, correct_s, moved = [], [], []
    for i in range(repeat):
        t0 = time.perf_counter()
        store = open_store(db)
        try:
            since = store.snapshot()
            store.correct(table, key, {column: str(1000 + i)}, reason="benchmark", by="bench", year=year)
        finally:
            store.close()
        t1 = time.perf_counter()
        frame, _before, _after = restate(str(db), year, since)
        runs.append(time.perf_counter() - t0)
        correct_s.append(t1 - t0)
        moved.append(int(frame["changed"].sum()))
    return {"import_s": import_s, "restate_s": runs, "correct_s": correct_s, "moved": moved,
            "units": len(frame), "peak_mb": _peak_mb()}


# ----------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------

def spawn(part: str, args: argparse.Namespace, data: Path | None, work: Path) -> dict:
    cmd = [sys.executable, __file__, "--worker", part, "--year", str(args.year), "--repeat", str(args.repeat),
           "--work", str(work)]
    if data is not None:
        cmd += ["--data", str(data)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{part} worker failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(args: argparse.Namespace) -> None:
    work = Path(args.work)
    data = Path(args.data) if args.data else None
    if args.worker == "import":
        out = worker_import(data, args.year, args.repeat, work)
    elif args.worker == "indicators":
        out = worker_indicators(data, args.year, args.repeat, work / "store.duckdb")
    else:
        out = worker_restate(args.year, args.repeat, work)
    print(json.dumps(out))


def count_rows(data: Path, year: int) -> int:
    import pyarrow.parquet as pq

    rows = 0
    for path in sorted((data / str(year)).glob("*.parquet")):
        rows += pq.ParquetFile(path).metadata.num_rows
    return rows


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--tickets", type=int, default=60_000)
    parser.add_argument("--full", action="store_true", help="the issue's sizes: 10 M cases + 2 M tickets")
    parser.add_argument("--data", help="use this data directory (Parquet year tables) instead of generating one")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=("import", "indicators", "restate"), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.full:
        args.cases, args.tickets = 10_000_000, 2_000_000
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.data:
            data = Path(args.data)
            print(f"data: {data}")
        else:
            from evalkit.sample import SampleSpec, generate_sample

            data = tmp / "data"
            t0 = time.perf_counter()
            generate_sample(data, SampleSpec(years=(args.year,), cases=args.cases, tickets=args.tickets,
                                             fmt="parquet"))
            print(f"generated {args.cases:,} cases and {args.tickets:,} tickets in {time.perf_counter() - t0:.1f} s")
        work = tmp / "work"
        work.mkdir()

        imp = spawn("import", args, data, work)
        for i, (b, s, bp, sp) in enumerate(zip(imp["baseline_s"], imp["store_s"], imp["baseline_peak_mb"],
                                               imp["store_peak_mb"]), start=1):
            print(f"import run {i}: store {s:.2f} s ({sp:.0f} MB), duckdb CTAS + validation {b:.2f} s ({bp:.0f} MB)")
        print(f"  {imp['describe']}" + ("" if imp["peak_separate"] else
                                        " (peak not resettable: each peak covers both sides)"))

        ind = spawn("indicators", args, data, work)
        for i, (b, s, bp, sp) in enumerate(zip(ind["baseline_s"], ind["store_s"], ind["baseline_peak_mb"],
                                               ind["store_peak_mb"]), start=1):
            print(f"indicators run {i}: store {s:.2f} s ({sp:.0f} MB), Parquet files {b:.2f} s ({bp:.0f} MB)")
        shutil.rmtree(work)
        work.mkdir()

        res = spawn("restate", args, None, work)
        print(f"sample district imported in {res['import_s']:.1f} s")
        for i, (r, c, m) in enumerate(zip(res["restate_s"], res["correct_s"], res["moved"]), start=1):
            print(f"restate run {i}: correction + restate {r:.2f} s (correction {c:.2f} s); "
                  f"{m} of {res['units']} units moved")

        import_s, import_base = min(imp["store_s"]), min(imp["baseline_s"])
        ind_s, ind_base = min(ind["store_s"]), min(ind["baseline_s"])
        restate_s = min(res["restate_s"])
        peak_gb = max(imp["store_peak_mb"]) / 1024
        import_ratio, ind_ratio = import_s / import_base, ind_s / ind_base
        print(f"best of {args.repeat}; targets: import ≤ {IMPORT_RATIO} × baseline, peak ≤ {PEAK_GB:g} GB, "
              f"indicators ≤ {INDICATORS_RATIO} × baseline, correction + restate ≤ {RESTATE_S:g} s")
        print(f"rows={count_rows(data, args.year)} import_s={import_s:.2f} import_baseline_s={import_base:.2f} "
              f"import_ratio={import_ratio:.2f} peak_gb={peak_gb:.2f} indicators_s={ind_s:.2f} "
              f"indicators_baseline_s={ind_base:.2f} indicators_ratio={ind_ratio:.2f} restate_s={restate_s:.2f} "
              f"identical={'yes' if ind['identical'] else 'no'} import={_verdict(import_ratio <= IMPORT_RATIO)} "
              f"peak={_verdict(peak_gb <= PEAK_GB)} indicators={_verdict(ind_ratio <= INDICATORS_RATIO)} "
              f"restate={_verdict(restate_s <= RESTATE_S)}")


if __name__ == "__main__":
    main()
