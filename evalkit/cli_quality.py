"""``evalkit audit …``: inspection audits (抽查核验) from the command line.

``audit sample`` draws a reproducible, month-stratified random sample of one unit's records
into a worksheet for the auditor; ``audit record`` reads the returned worksheet, stores the
verdicts in the ``verification_audits`` table (a data directory's
``<year>/verification_audits.csv``, or the efficiency database) and prints the unit's
verified error rate with its 95 % Wilson interval. The sampling, the worksheet and the
estimate are :mod:`evalkit.quality.audit`; this module reads and writes the data.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import DataValidationError, EvalkitError

EXIT_OK = 0


def _date(text: str | None, option: str = "--date") -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise EvalkitError(f"{option}: expected a date YYYY-MM-DD; found '{text}'") from None


def _db_url(args) -> str | None:
    if args.data:
        return None
    url = args.db or os.environ.get("EVALKIT_DB")
    if not url:
        raise EvalkitError("give the data: --data DIR (a data directory) or --db PATH_OR_URL "
                           "(the efficiency database; default $EVALKIT_DB)")
    return url


def _read_one(root: Path, files: dict, key: tuple, display_problems: list):
    """A table of a data directory, checked against the contract (its own checks)."""
    from .data.contract import TABLES
    from .data.dataset import _rel
    from .data.loading import read_file
    from .data.validation import check_table

    path = files[key]
    raw, problems = read_file(path, _rel(root, path))
    ct = None
    if raw is not None:
        ct, more = check_table(raw, TABLES[key[1]], key[0])
        problems += more
    display_problems += problems
    if ct is None or any(p.severity == "error" for p in problems):
        raise DataValidationError(display_problems)
    return ct.frame, path


def _directory_tables(root: str, year: int, names: tuple[str, ...]) -> dict:
    """``units`` and the year tables ``names`` of a data directory (absent → None)."""
    from .data.dataset import _data_root, discover

    root = _data_root(root)
    files, _years, problems = discover(root, [year])
    missing_year = [p for p in problems if p.found == "no such folder"]
    if missing_year:
        raise EvalkitError(f"{root}: no {year} folder")
    if (None, "units") not in files:
        raise EvalkitError(f"{root}: no units table (units.csv)")
    collected: list = []
    out = {"units": _read_one(root, files, (None, "units"), collected)[0]}
    for name in names:
        out[name] = _read_one(root, files, (year, name), collected) if (year, name) in files else None
    out["_root"] = root
    return out


def _check_unit(units, unit: str) -> None:
    known = set(units["unit_id"].astype(str))
    if unit not in known:
        raise EvalkitError(f"--unit {unit}: no such unit in the units table")


def _population(args, table: str, year: int, unit: str):
    """The year's records of ``table`` (all units) from --data or --db."""
    url = _db_url(args)
    if url is None:
        tables = _directory_tables(args.data, year, (table,))
        _check_unit(tables["units"], unit)
        if tables[table] is None:
            raise EvalkitError(f"{tables['_root']}/{year}: no {table} table; nothing to audit")
        return tables[table][0]
    from .store import open_store

    with open_store(url, read_only=True) as store:
        _check_unit(store.rows("units"), unit)
        return store.rows(table, year=year)


def cmd_audit_sample(args) -> int:
    from .quality.audit import audit_table, draw_audit_sample, write_audit_workbook

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise EvalkitError(f"--out: expected a workbook FILE.xlsx; found '{args.out}'")
    if out.exists() and not args.force:
        raise EvalkitError(f"{out} exists (an audit in progress?); choose another name or pass --force")
    table = audit_table(args.table)
    if not 0 <= args.seed < 2 ** 63:
        raise EvalkitError(f"--seed: expected a whole number from 0 to 2^63−1; found {args.seed}")
    records = _population(args, table.name, args.year, args.unit)
    sample = draw_audit_sample(records, table, year=args.year, unit_id=args.unit, n=args.n, seed=args.seed,
                               drawn_date=_date(args.date))
    write_audit_workbook(sample, out)
    by = "month" if sample.stratum_column == "month" else f"month of {sample.stratum_column}"
    strata = (f"stratified by {by}: "
              + ", ".join(f"{int(r.stratum)}:{int(r.drawn)}/{int(r.records)}" for r in sample.allocation.itertuples())
              if sample.stratum_column else "one stratum (the table has no date)")
    print(f"Drew {sample.sample_size} of {sample.population} {table.name} records of {sample.unit_id} in "
          f"{sample.year} (seed {sample.seed}; {strata}).")
    print(f"Wrote {out} (audit {sample.audit_id}): give it to the auditor, then record it with "
          f"`evalkit audit record {out} --data DIR|--db URL --by NAME`.")
    return EXIT_OK


def _check_keys(returned, records, display: str) -> list:
    """Problems for rows whose record key is not a record of the unit in the table."""
    from .data.contract import TABLES
    from .errors import Problem
    from .quality.audit import record_keys

    table = TABLES[returned.table]
    mine = records[records["unit_id"].astype(str) == returned.unit_id]
    known = set(record_keys(mine, table))
    out = []
    for row in returned.outcomes.itertuples():
        if row.record_key not in known:
            out.append(Problem(display, int(row.row), "记录主键 record_key",
                               f"a record of {returned.unit_id} in {returned.table} ({returned.year})",
                               f"'{row.record_key}' — no such record in the data"))
    return out


@contextmanager
def _locked_folder(folder: Path):
    """One ``audit record`` at a time per year folder (read, merge, write)."""
    from .data.files import flock

    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory descriptors
        yield
        return
    try:
        if not flock(fd, exclusive=True, block=False):
            print(f"evalkit: waiting for another `evalkit audit record` on {folder}", file=sys.stderr, flush=True)
            flock(fd, exclusive=True)
        yield
    finally:
        os.close(fd)


def _record_in_directory(args, returned, outcomes) -> str:
    from .data.writers import write_table
    from .quality.audit import AUDIT_TABLE, merge_audit_outcomes

    root = Path(args.data)
    with _locked_folder(root / str(returned.year)):
        tables = _directory_tables(args.data, returned.year, (returned.table, AUDIT_TABLE))
        _check_unit(tables["units"], returned.unit_id)
        if tables[returned.table] is None:
            raise EvalkitError(f"{root}/{returned.year}: no {returned.table} table to check the records against")
        problems = _check_keys(returned, tables[returned.table][0], args.display)
        if problems:
            raise DataValidationError(problems)
        target = tables["_root"] / str(returned.year) / f"{AUDIT_TABLE}.csv"
        existing = None
        if tables[AUDIT_TABLE] is not None:
            existing, path = tables[AUDIT_TABLE]
            if path.resolve() != target.resolve():
                raise EvalkitError(f"{path} holds the verification audits; `evalkit audit record` keeps them in "
                                   f"{target.name}: save that file as {target.name} (CSV) first")
        merged = merge_audit_outcomes(existing, outcomes)
        write_table(merged, target)  # atomic: a reader sees the old file or the new one
    return f"Stored {len(outcomes)} outcome(s) in {target} ({len(merged)} audit record(s) in the file)."


def _record_in_store(args, url: str, returned, outcomes) -> str:
    from .data.writers import write_table
    from .quality.audit import AUDIT_TABLE, merge_audit_outcomes
    from .store import open_store

    with open_store(url) as store:
        _check_unit(store.rows("units"), returned.unit_id)
        problems = _check_keys(returned, store.rows(returned.table, year=returned.year), args.display)
        if problems:
            raise DataValidationError(problems)
        existing = store.rows(AUDIT_TABLE, year=returned.year)
        merged = merge_audit_outcomes(existing, outcomes)
        with tempfile.TemporaryDirectory(prefix="evalkit-audit-") as tmp:
            # a folder holding only <year>/verification_audits.csv with every audit of the
            # year: it supersedes the store's earlier file for that table and year
            write_table(merged, Path(tmp) / str(returned.year) / f"{AUDIT_TABLE}.csv")
            result = store.import_directory(tmp, by=args.by, year=returned.year,
                                            note=f"evalkit audit record {returned.audit_id}")
    if result.status == "rejected":
        print(f"evalkit: {result.describe()}", file=sys.stderr)
        raise DataValidationError(result.problems)
    return f"Stored {len(outcomes)} outcome(s) in {url}: {result.describe()}"


def cmd_audit_record(args) -> int:
    from .quality.audit import audit_error_rate, audit_outcomes, read_audit_workbook

    url = _db_url(args)
    args.display = str(args.workbook)
    returned, problems = read_audit_workbook(args.workbook, args.display)
    if returned is None:
        raise DataValidationError(problems)
    outcomes = audit_outcomes(returned, auditor=args.by, recorded_date=_date(args.date))
    stored = (_record_in_directory(args, returned, outcomes) if url is None
              else _record_in_store(args, url, returned, outcomes))
    estimate = audit_error_rate(returned.outcomes["verified"].to_numpy(), returned.population)
    print(f"Audit {returned.audit_id} ({returned.unit_id}, {returned.table}, {returned.year}): "
          f"{estimate.errors} of {estimate.checked} records not verified (否).")
    print(f"Verified error rate: {estimate.rate * 100:.1f} % "
          f"(95 % Wilson interval {estimate.lower * 100:.1f} %–{estimate.upper * 100:.1f} %).")
    print(f"Estimated erroneous records in the table: {estimate.errors_estimate:.1f} of {estimate.population} "
          f"(95 %: {estimate.errors_lower:.1f}–{estimate.errors_upper:.1f}; no finite-population correction).")
    print(stored)
    return EXIT_OK


def add_audit_parser(sub) -> None:
    audit = sub.add_parser("audit", help="inspection audits: sample records for checking, record the verdicts",
                           description="Inspection audits (抽查核验): draw a reproducible random sample of a "
                                       "unit's records for an auditor to check against the source documents, "
                                       "then record the verdicts and estimate the unit's error rate.")
    subs = audit.add_subparsers(dest="audit_command", metavar="COMMAND")

    def data_options(p) -> None:
        where = p.add_mutually_exclusive_group()
        where.add_argument("--data", metavar="DIR", help="data directory")
        where.add_argument("--db", metavar="PATH_OR_URL",
                           help="the efficiency database (DuckDB file or postgresql://…; default $EVALKIT_DB)")

    p = subs.add_parser("sample", help="draw a random sample of a unit's records into a worksheet",
                        description="Draw N of the unit's records of TABLE in YEAR at random, stratified by "
                                    "month (proportional allocation, largest remainder), into FILE.xlsx: "
                                    "instructions (Chinese and English), then one row per record with its "
                                    "key and fields (no free-text columns) and the blank columns verified "
                                    "(是/否) and note. The same data, seed and N draw the same records.")
    data_options(p)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--unit", required=True, help="unit id, e.g. D03")
    p.add_argument("--table", required=True, help="data-contract table, e.g. service_cases")
    p.add_argument("--n", type=int, required=True, help="records to draw")
    p.add_argument("--seed", type=int, required=True, help="random seed (write it down: it reproduces the draw)")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="the auditor's workbook")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date drawn (default: today)")
    p.add_argument("--force", action="store_true", help="overwrite an existing workbook")
    p.set_defaults(func=cmd_audit_sample)

    p = subs.add_parser("record", help="record a returned worksheet and print the unit's error rate",
                        description="Check the returned FILE.xlsx like any input (every problem names the "
                                    "file, row and column), store the verdicts in the verification_audits "
                                    "table (DIR/<year>/verification_audits.csv, or the efficiency database) "
                                    "and print the verified error rate with its 95 % Wilson interval and the "
                                    "estimated number of erroneous records in the table. Recording an "
                                    "audit again replaces its earlier verdicts.")
    p.add_argument("workbook", metavar="FILE.xlsx", help="the returned audit workbook")
    data_options(p)
    p.add_argument("--by", required=True, help="the auditor who checked the records")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date recorded (default: today)")
    p.set_defaults(func=cmd_audit_record)
    audit.set_defaults(func=lambda args: (audit.print_help(), 2)[1])
