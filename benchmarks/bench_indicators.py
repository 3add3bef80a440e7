"""Benchmark: every yearly indicator of a big district-year against hand-written DuckDB SQL.

Generates one synthetic year (``--cases`` service cases, ``--tickets`` 12345 tickets; by
default 10 million and 2 million, written as Parquet) in a temporary directory, or uses
``--data DIR``, then times, each in a fresh process (so that each side's peak memory is
its own):

* evalkit: ``read_dataset`` (Parquet that passed validation: no contract checks, only the
  columns the indicators read, see ``required_columns``) and ``compute_indicators`` — every
  yearly indicator for every unit;
* DuckDB: hand-written SQL over the same Parquet files computing the numerators,
  denominators and record counts of the same indicators (the three qualitative ones,
  whose rules live in ``evalkit.qualitative``, excepted: evalkit's time includes them,
  DuckDB's does not). Working days come from a joined calendar table of cumulative
  working days, built before the clock starts (reference data, like a holiday table).
  DuckDB runs with its default threads (all cores).

Each side runs ``--repeat`` times (alternating); the best time of each is reported. The
numbers are then compared indicator by indicator and unit by unit: the set of units with
data, the record counts ``n`` and every numerator and denominator. Counts and sums of
whole numbers (cases, working days) must be equal; sums of money (yuan with cents) may
differ in the last bits because the two sides add in a different order, so they must agree
to 1e-9 relative. The last line prints the figures, e.g.
``rows=12463168 evalkit_s=… duckdb_s=… ratio=… peak_mb=… identical=yes``
(``peak_mb``: the peak resident memory of evalkit's process, interpreter and libraries
included; ``rows``: records in all tables of the year).

Usage: ``python benchmarks/bench_indicators.py [--cases 10000000] [--tickets 2000000]
[--data DIR] [--year 2024] [--repeat 5]``. Needs the ``bench`` extra (duckdb).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

#: Indicators not written in SQL: the qualitative ones (their rules live in
#: evalkit.qualitative), and those on small tables that need the working-day calendar
#: (key tasks' lateness, OA time limits) — pinned by hand-computed tests in tests/indicators
#: instead. None of them reads the 10 M-row tables this benchmark is about.
NOT_IN_SQL = ("rating_score", "vote_score", "survey_satisfaction_rate",
              "key_task_score", "oa_on_time_rate", "oa_median_handling_days", "oa_overdue_backlog")
#: Numerators/denominators that are amounts of money (compared to 1e-9 relative).
MONEY = ("budget_execution_rate", "budget_completion_rate", "budget_adjustment_rate",
         "three_public_change_rate", "cost_per_case", "project_schedule_performance",
         "project_cost_performance", "budget_schedule_lag")


# ----------------------------------------------------------------------------------------
# evalkit
# ----------------------------------------------------------------------------------------

def run_evalkit(data: Path, year: int) -> tuple[float, pd.DataFrame]:
    from evalkit.data.dataset import read_dataset
    from evalkit.indicators.catalogue import CATALOGUE, compute_indicators, required_columns

    # data_quality_score is every data-quality check: benchmarks/bench_quality.py times those
    codes = [i.code for i in CATALOGUE if not i.periodic and i.code != "data_quality_score"]
    t0 = time.perf_counter()
    ds = read_dataset(data, [year], columns=required_columns(codes))
    table = compute_indicators(ds, year, codes)
    return time.perf_counter() - t0, table


# ----------------------------------------------------------------------------------------
# DuckDB
# ----------------------------------------------------------------------------------------

def _sql(year: int) -> dict[str, str]:
    """One query per source table; each returns (indicator, unit_id, num, den, n)."""
    end_day = f"DATE '{year}-12-31'"
    end_ts = f"TIMESTAMP '{year}-12-31 23:59:59'"
    on_end = f"(SELECT cum FROM cal WHERE d = {end_day})"
    good5 = "('very_satisfied', 'satisfied', 'fairly_satisfied')"
    good3 = "('satisfied', 'fairly_satisfied')"
    rate = "SELECT '{code}' AS indicator, unit_id, {num} AS num, {den} AS den, {n} AS n FROM {src}"

    def unpivot(src: str, specs: list[tuple[str, str, str, str]]) -> str:
        return "\nUNION ALL\n".join(rate.format(code=c, num=a, den=b, n=n, src=src) for c, a, b, n in specs)

    service = f"""
WITH c AS (
  SELECT s.unit_id, s.statutory_limit_days AS st, s.promised_limit_days AS p,
         s.completed_date AS cd, s.channel, s.instant, s.rating,
         cc.cum - cr.cum AS used, {on_end} - cr.cum AS elapsed_end
  FROM read_parquet($service) s
  JOIN cal cr ON cr.d = s.received_date
  LEFT JOIN cal cc ON cc.d = s.completed_date
), agg AS (
  SELECT unit_id,
    count(*) AS cases,
    count(*) FILTER (cd IS NOT NULL AND used <= p) AS on_time,
    count(*) FILTER (cd IS NOT NULL OR elapsed_end >= p) AS due,
    count(cd) AS done,
    count(*) FILTER (cd IS NOT NULL AND channel = 'online') AS online,
    count(*) FILTER (instant) AS instant,
    count(rating) AS rated,
    count(*) FILTER (rating IN {good5}) AS good,
    sum(st - p) FILTER (st > 0) AS comp_num, sum(st) FILTER (st > 0) AS comp_den,
    count(*) FILTER (st > 0) AS comp_n,
    sum(p - used) FILTER (cd IS NOT NULL AND p > 0) AS speed_num,
    sum(p) FILTER (cd IS NOT NULL AND p > 0) AS speed_den,
    count(*) FILTER (cd IS NOT NULL AND p > 0) AS speed_n
  FROM c GROUP BY unit_id
)
""" + unpivot("agg", [
        ("service_on_time_rate", "on_time", "due", "due"),
        ("service_online_rate", "online", "done", "done"),
        ("service_instant_share", "instant", "cases", "cases"),
        ("service_good_rating_rate", "good", "rated", "rated"),
        ("service_rating_participation_rate", "rated", "cases", "cases"),
        ("service_time_compression_rate", "comp_num", "comp_den", "comp_n"),
        ("service_speedup_rate", "speed_num", "speed_den", "speed_n"),
        ("_service_done", "done", "done", "done"),
    ])
    bad_fix = f"""
WITH b AS (
  SELECT s.unit_id, s.bad_rating_rectified_date AS fixed_on, cf.cum - cs.cum AS used
  FROM read_parquet($service) s
  JOIN cal cs ON cs.d = coalesce(s.completed_date, s.received_date)
  LEFT JOIN cal cf ON cf.d = s.bad_rating_rectified_date
  WHERE s.rating IN ('dissatisfied', 'very_dissatisfied')
)
SELECT 'service_bad_rating_fix_rate' AS indicator, unit_id,
       count(*) FILTER (fixed_on IS NOT NULL AND used <= 15) AS num, count(*) AS den, count(*) AS n
FROM b GROUP BY unit_id
"""
    hotline = f"""
WITH agg AS (
  SELECT unit_id,
    count(*) AS tickets,
    count(*) FILTER (signed_at IS NOT NULL
                     AND epoch_ms(signed_at) - epoch_ms(dispatched_at) <= 4 * 3600 * 1000) AS signed,
    count(*) FILTER (contacted_at IS NOT NULL
                     AND epoch_ms(contacted_at) - epoch_ms(dispatched_at) <= 24 * 3600 * 1000) AS contacted,
    count(*) FILTER (closed_at IS NOT NULL AND closed_at <= due_at) AS on_time,
    count(*) FILTER (closed_at IS NOT NULL OR due_at <= {end_ts}) AS due,
    count(*) FILTER (closed_at IS NOT NULL AND solved IS NOT NULL) AS judged,
    count(*) FILTER (closed_at IS NOT NULL AND solved) AS solved,
    count(callback_satisfaction) AS reached,
    count(*) FILTER (callback_satisfaction IN {good3}) AS satisfied,
    count(closed_at) AS closed
  FROM read_parquet($hotline) GROUP BY unit_id
)
""" + unpivot("agg", [
        ("hotline_signed_rate", "signed", "tickets", "tickets"),
        ("hotline_contact_rate", "contacted", "tickets", "tickets"),
        ("hotline_on_time_rate", "on_time", "due", "due"),
        ("hotline_solved_rate", "solved", "judged", "judged"),
        ("hotline_satisfaction_rate", "satisfied", "reached", "reached"),
        ("_hotline_closed", "closed", "closed", "closed"),
    ])
    grid = f"""
WITH agg AS (
  SELECT unit_id,
    count(*) FILTER (closed_date IS NOT NULL AND closed_date <= due_date) AS on_time,
    count(*) FILTER (closed_date IS NOT NULL OR due_date <= {end_ts}) AS due,
    count(closed_date) AS closed,
    count(*) FILTER (closed_date IS NOT NULL AND reworked) AS reworked
  FROM read_parquet($grid) GROUP BY unit_id
)
""" + unpivot("agg", [
        ("grid_on_time_rate", "on_time", "due", "due"),
        ("grid_rework_rate", "reworked", "closed", "closed"),
        ("_grid_closed", "closed", "closed", "closed"),
    ])
    budget = f"""
WITH lines AS (
  SELECT unit_id, line, any_value(budget_yuan) AS budget FROM read_parquet($budget) GROUP BY unit_id, line
), base AS (SELECT unit_id, sum(budget) AS budget FROM lines GROUP BY unit_id
), tot AS (
  SELECT unit_id, sum(adjustment_yuan) AS adjust, sum(spending_yuan) AS spent, count(*) AS months,
         sum(spending_yuan) FILTER (line = 'three_public') AS three_public
  FROM read_parquet($budget) GROUP BY unit_id
), agg AS (SELECT * FROM tot JOIN base USING (unit_id)
), monthly AS (
  SELECT unit_id, month, sum(adjustment_yuan) AS adj, sum(spending_yuan) AS spend
  FROM read_parquet($budget) GROUP BY unit_id, month
), path AS (
  SELECT m.unit_id, m.month, b.budget + sum(m.adj) OVER w AS available, sum(m.spend) OVER w AS spent
  FROM monthly m JOIN base b USING (unit_id)
  WINDOW w AS (PARTITION BY m.unit_id ORDER BY m.month)
), lag AS (
  SELECT unit_id, avg(greatest(0.0, 100.0 * month / 12.0 - 100.0 * spent / available)) AS lag,
         count(*) AS n
  FROM path WHERE available > 0 GROUP BY unit_id
)
""" + unpivot("agg", [
        ("budget_execution_rate", "spent", "budget + adjust", "months"),
        ("budget_completion_rate", "spent", "budget + adjust", "months"),
        ("budget_adjustment_rate", "adjust", "budget", "months"),
        ("_budget_spent", "spent", "spent", "months"),
    ]) + "\nUNION ALL\n" + rate.format(code="budget_schedule_lag", num="lag", den="NULL", n="n", src="lag")
    small = f"""
SELECT 'disclosure_on_time_rate' AS indicator, unit_id,
  count(*) FILTER (replied_date IS NOT NULL AND used <= lim) AS num,
  count(*) FILTER (replied_date IS NOT NULL OR elapsed_end >= lim) AS den,
  count(*) FILTER (replied_date IS NOT NULL OR elapsed_end >= lim) AS n
FROM (SELECT r.unit_id, r.replied_date, 20 + CASE WHEN coalesce(r.extended, false) THEN 20 ELSE 0 END AS lim,
             cp.cum - cr.cum AS used, {on_end} - cr.cum AS elapsed_end
      FROM read_parquet($requests) r JOIN cal cr ON cr.d = r.received_date
      LEFT JOIN cal cp ON cp.d = r.replied_date) GROUP BY unit_id
UNION ALL
SELECT 'proactive_disclosure_rate', unit_id, documents_disclosed, documents_issued, documents_issued
FROM read_parquet($documents)
UNION ALL
SELECT 'review_correction_rate', unit_id,
  count(*) FILTER (outcome IN ('revoked', 'varied', 'confirmed_unlawful', 'ordered_to_perform')), count(*), count(*)
FROM read_parquet($legal) WHERE kind = 'review' AND concluded_date IS NOT NULL AND outcome IS NOT NULL
GROUP BY unit_id
UNION ALL
SELECT 'litigation_loss_rate', unit_id, count(*) FILTER (outcome = 'lost'), count(*), count(*)
FROM read_parquet($legal) WHERE kind = 'litigation' AND concluded_date IS NOT NULL AND outcome IS NOT NULL
GROUP BY unit_id
UNION ALL
SELECT 'proposal_on_time_rate', unit_id,
  count(*) FILTER (replied_date IS NOT NULL AND replied_date <= due_date),
  count(*) FILTER (replied_date IS NOT NULL OR due_date <= {end_ts}),
  count(*) FILTER (replied_date IS NOT NULL OR due_date <= {end_ts})
FROM read_parquet($proposals) GROUP BY unit_id
UNION ALL
SELECT 'proposal_satisfaction_rate', unit_id, count(*) FILTER (satisfaction IN {good3}),
  count(satisfaction), count(satisfaction)
FROM read_parquet($proposals) GROUP BY unit_id
UNION ALL
SELECT 'supervision_on_time_rate', unit_id,
  count(*) FILTER (completed_date IS NOT NULL AND completed_date <= due_date),
  count(*) FILTER (completed_date IS NOT NULL OR due_date <= {end_ts}),
  count(*) FILTER (completed_date IS NOT NULL OR due_date <= {end_ts})
FROM read_parquet($supervision) GROUP BY unit_id
UNION ALL
SELECT 'staffing_control_rate', unit_id, staff_in_post, authorised_posts, authorised_posts
FROM read_parquet($staffing)
UNION ALL
SELECT 'audit_rectification_rate', f.unit_id, count(*) FILTER (r.finding_id IS NOT NULL), count(*), count(*)
FROM read_parquet($findings) f
LEFT JOIN (SELECT DISTINCT finding_id FROM read_parquet($rectifications)
           WHERE source = 'audit' AND status = 'closed') r ON r.finding_id = f.finding_id
GROUP BY f.unit_id
UNION ALL
SELECT 'milestone_on_time_rate', p.unit_id,
  count(*) FILTER (m.planned_date <= {end_ts} AND m.actual_date IS NOT NULL AND m.actual_date <= m.planned_date),
  count(*) FILTER (m.planned_date <= {end_ts}), count(*) FILTER (m.planned_date <= {end_ts})
FROM read_parquet($milestones) m JOIN read_parquet($projects) p USING (project_id) GROUP BY p.unit_id
UNION ALL
SELECT 'project_schedule_performance', p.unit_id,
  sum(CASE WHEN m.actual_date IS NOT NULL AND m.actual_date <= {end_ts} THEN m.planned_cost_yuan ELSE 0 END),
  sum(CASE WHEN m.planned_date <= {end_ts} THEN m.planned_cost_yuan ELSE 0 END), count(*)
FROM read_parquet($milestones) m JOIN read_parquet($projects) p USING (project_id) GROUP BY p.unit_id
UNION ALL
SELECT 'project_cost_performance', p.unit_id, sum(m.planned_cost_yuan), sum(m.actual_cost_yuan), count(*)
FROM read_parquet($milestones) m JOIN read_parquet($projects) p USING (project_id)
WHERE m.actual_date IS NOT NULL AND m.actual_date <= {end_ts} AND m.actual_cost_yuan IS NOT NULL
GROUP BY p.unit_id
"""
    return {"service": service, "bad_fix": bad_fix, "hotline": hotline, "grid": grid, "budget": budget,
            "small": small}


def _calendar_table(con, data: Path, year: int) -> None:
    """``cal(d, cum)``: cumulative working days over every date the queries look up."""
    from evalkit.data.workdays import WorkCalendar

    y = data / str(year)
    lo, hi = con.execute(f"""
        SELECT least(min(received_date), min(completed_date), min(bad_rating_rectified_date)),
               greatest(max(received_date), max(completed_date), max(bad_rating_rectified_date),
                        DATE '{year}-12-31')
        FROM read_parquet('{y / "service_cases.parquet"}')""").fetchall()[0]
    lo2, hi2 = con.execute(f"""SELECT min(received_date), max(replied_date)
                              FROM read_parquet('{y / "disclosure_requests.parquet"}')""").fetchall()[0]
    lo, hi = min(lo, lo2 or lo), max(hi, hi2 or hi)
    cal = WorkCalendar.build(lo, hi)
    days = np.arange(cal.start, cal.end + 1, dtype="datetime64[D]")
    frame = pd.DataFrame({"d": days.astype("datetime64[s]"), "cum": cal.cumulative.astype("int64")})
    con.register("cal_frame", frame)
    con.execute("CREATE TABLE cal AS SELECT CAST(d AS DATE) AS d, cum FROM cal_frame")


def _finish(sql_out: pd.DataFrame) -> pd.DataFrame:
    """The helper rows (_service_done …) become cost_per_case, as evalkit computes it."""
    helpers = sql_out[sql_out["indicator"].str.startswith("_")]
    rest = sql_out[~sql_out["indicator"].str.startswith("_")]
    handled = helpers[helpers["indicator"].isin(["_service_done", "_hotline_closed", "_grid_closed"])]
    handled = handled.groupby("unit_id")["num"].sum()
    spent = helpers[helpers["indicator"] == "_budget_spent"].set_index("unit_id")["num"]
    both = handled.index.intersection(spent.index)
    cost = pd.DataFrame({"indicator": "cost_per_case", "unit_id": both, "num": spent.reindex(both).to_numpy(),
                         "den": handled.reindex(both).to_numpy(), "n": handled.reindex(both).to_numpy()})
    return pd.concat([rest, cost], ignore_index=True)


def run_duckdb(data: Path, year: int) -> tuple[float, pd.DataFrame]:
    import duckdb

    y = data / str(year)
    params = {name: str(y / f"{table}.parquet") for name, table in (
        ("service", "service_cases"), ("hotline", "hotline_tickets"), ("grid", "grid_cases"),
        ("budget", "budget_lines"), ("requests", "disclosure_requests"), ("documents", "disclosure_documents"),
        ("legal", "legal_cases"), ("proposals", "proposals"), ("supervision", "supervision_tasks"),
        ("staffing", "staffing"), ("findings", "audit_findings"), ("rectifications", "rectifications"),
        ("milestones", "project_milestones"), ("projects", "projects"))}
    con = duckdb.connect()
    _calendar_table(con, data, year)
    queries = _sql(year)
    t0 = time.perf_counter()
    frames = []
    for sql in queries.values():
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        frames.append(con.execute(sql, used).df())
    out = _finish(pd.concat(frames, ignore_index=True))
    return time.perf_counter() - t0, out


# ----------------------------------------------------------------------------------------
# Comparison
# ----------------------------------------------------------------------------------------

def compare(ours: pd.DataFrame, sql: pd.DataFrame) -> tuple[int, int, list[str]]:
    """``(values compared, mismatches, first mismatch descriptions)``."""
    ok = ours[(ours["status"] == "ok") & ~ours["indicator"].isin(NOT_IN_SQL)]
    sql = sql.copy()
    # Units with a zero or missing denominator have no data in evalkit (value-only
    # indicators: a missing value).
    value_only = sql["den"].isna() & sql["num"].notna()
    sql = sql[value_only | (sql["den"].astype("float64") > 0)]
    a = ok.set_index(["indicator", "unit_id"])
    b = sql.set_index(["indicator", "unit_id"])
    problems: list[str] = []
    missing = a.index.difference(b.index)
    extra = b.index.difference(a.index)
    problems += [f"{k}: evalkit has data, SQL has none" for k in missing[:5]]
    if len(missing):
        problems.append("indicators evalkit has and SQL lacks: " + ", ".join(sorted(set(missing.get_level_values(0)))))
    problems += [f"{k}: SQL has data, evalkit has none" for k in extra[:5]]
    mismatches = len(missing) + len(extra)
    compared = 0
    common = a.index.intersection(b.index)
    for key in common:
        code = key[0]
        ra, rb = a.loc[key], b.loc[key]
        if pd.isna(rb["den"]):  # value-only indicator
            pairs = [("value", ra["value"], rb["num"]), ("n", ra["n"], rb["n"])]
        else:
            pairs = [("numerator", ra["numerator"], rb["num"]), ("denominator", ra["denominator"], rb["den"]),
                     ("n", ra["n"], rb["n"])]
        for name, x, y in pairs:
            compared += 1
            x, y = float(x), float(y)
            same = x == y if (code not in MONEY or name == "n") else abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1.0)
            if not same:
                mismatches += 1
                if len(problems) < 10:
                    problems.append(f"{key} {name}: evalkit {x!r}, SQL {y!r}")
    return compared, mismatches, problems


# ----------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------

def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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


def worker(side: str, data: Path, year: int, out: Path) -> None:
    cpu = _cpu()
    seconds, frame = (run_evalkit if side == "evalkit" else run_duckdb)(data, year)
    cpu = _cpu() - cpu  # CPU time of every thread (DuckDB's includes its calendar table)
    peak_mb = _peak_mb()
    frame.to_pickle(out)
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "peak_mb": peak_mb}))


def spawn(side: str, data: Path, year: int, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--worker", side, "--data", str(data), "--year", str(year), "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{side} worker failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def count_rows(data: Path, year: int) -> int:
    import pyarrow.parquet as pq

    rows = 0
    for path in sorted((data / str(year)).glob("*.parquet")):
        rows += pq.ParquetFile(path).metadata.num_rows
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--tickets", type=int, default=2_000_000)
    parser.add_argument("--data", help="use this data directory (Parquet year tables) instead of generating one")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--worker", choices=("evalkit", "duckdb"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, Path(args.data), args.year, Path(args.out))
        return
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
        ours, theirs = [], []
        for i in range(args.repeat):
            ours.append(spawn("evalkit", data, args.year, tmp / "evalkit.pkl"))
            theirs.append(spawn("duckdb", data, args.year, tmp / "duckdb.pkl"))
            print(f"run {i + 1}: evalkit {ours[-1]['seconds']:.2f} s (CPU {ours[-1]['cpu_s']:.2f} s, "
                  f"{ours[-1]['peak_mb']:.0f} MB), duckdb {theirs[-1]['seconds']:.2f} s "
                  f"(CPU {theirs[-1]['cpu_s']:.2f} s, {theirs[-1]['peak_mb']:.0f} MB)")
        compared, mismatches, problems = compare(pd.read_pickle(tmp / "evalkit.pkl"),
                                                 pd.read_pickle(tmp / "duckdb.pkl"))
        for p in problems:
            print("mismatch:", p)
        e = min(r["seconds"] for r in ours)
        d = min(r["seconds"] for r in theirs)
        peak = max(r["peak_mb"] for r in ours)
        print(f"best of {args.repeat}; {compared} numerators/denominators/counts compared, {mismatches} mismatches; "
              f"duckdb peak {max(r['peak_mb'] for r in theirs):.0f} MB")
        print(f"rows={count_rows(data, args.year)} evalkit_s={e:.2f} duckdb_s={d:.2f} ratio={e / d:.2f} "
              f"peak_mb={peak:.0f} identical={'yes' if mismatches == 0 else 'no'}")


if __name__ == "__main__":
    main()
