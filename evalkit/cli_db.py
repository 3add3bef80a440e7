"""``evalkit db …``: the efficiency database (效能数据库) from the command line.

``init``, ``migrate``, ``import``, ``correct``, ``history``, ``status``, ``restate``, ``raters``
and ``export``; every command takes ``--db PATH_OR_URL`` (default: the ``EVALKIT_DB``
environment variable). ``evalkit run|score|indicators --db … [--as-of …]`` read from the
store (:mod:`evalkit.store.source`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import EvalkitError

EXIT_OK, EXIT_INVALID = 0, 1


def _url(args) -> str:
    url = args.db or os.environ.get("EVALKIT_DB")
    if not url:
        raise EvalkitError("--db: give the efficiency database (a DuckDB file such as evalkit.duckdb, "
                           "or postgresql://user@host/db), or set EVALKIT_DB")
    return url


def _table(frame, stream=None) -> None:
    import pandas as pd

    stream = stream or sys.stdout
    if frame.empty:
        print("(none)", file=stream)
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(frame.astype(object).where(frame.notna(), "").to_string(index=False), file=stream)


def cmd_init(args) -> int:
    from .store import init_store

    store, created = init_store(_url(args))
    with store:
        print(("Created" if created else "Already exists:") + f" efficiency database {store.url} "
              f"({store.db.dialect}, snapshot {store.snapshot()})")
    return EXIT_OK


def cmd_migrate(args) -> int:
    from .store import open_store

    with open_store(_url(args), check=False) as store:
        statements = store.migrate()
        print(f"{store.url}: schema up to date ({len(statements)} statement(s) run; nothing dropped)")
    return EXIT_OK


def cmd_import(args) -> int:
    from .errors import DataValidationError
    from .store import open_store

    with open_store(_url(args)) as store:
        progress = (lambda msg: print(f"  {msg}", file=sys.stderr, flush=True)) if args.progress else None
        result = store.import_directory(args.data_dir, by=args.by, year=args.year, unit=args.unit,
                                        note=args.note, progress=progress)
    if result.status == "rejected":
        print(f"evalkit: {result.describe()}", file=sys.stderr)
        raise DataValidationError(result.problems)  # the problems, file by file, and exit 1
    print(result.describe())
    return EXIT_OK


def _sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise EvalkitError(f"--set: expected COLUMN=VALUE; found '{item}'")
        column, value = item.split("=", 1)
        if column.strip() in out:
            raise EvalkitError(f"--set: column '{column.strip()}' given twice")
        out[column.strip()] = value
    return out


def cmd_correct(args) -> int:
    from .store import open_store

    with open_store(_url(args)) as store:
        result = store.correct(args.table, args.id, _sets(args.set), reason=args.reason, by=args.by,
                               year=args.year, evidence=args.evidence)
    print(result.describe())
    return EXIT_OK


def cmd_history(args) -> int:
    from .store import open_store

    with open_store(_url(args), read_only=True) as store:
        frame = store.history(unit=args.unit, table=args.table, key=args.id, by=args.by, since=args.since)
    frame = frame.drop(columns=["evidence_sha256"]) if not args.hashes else frame
    frame["at"] = frame["at"].map(lambda t: t.isoformat(sep=" ", timespec="seconds") + "Z")
    if args.out:
        from .data.writers import write_table

        write_table(frame, Path(args.out))
        print(f"Wrote {len(frame)} entr{'y' if len(frame) == 1 else 'ies'} to {args.out}")
    else:
        _table(frame)
    return EXIT_OK


def cmd_status(args) -> int:
    from .store import open_store

    with open_store(_url(args), read_only=True) as store:
        snapshot = store.snapshot()
        info = store.snapshot_info(snapshot)
        frame = store.status()
    print(f"{store.url}: snapshot {snapshot}"
          + (f" ({info.get('kind')} by {info.get('by')}, {info.get('at')})" if snapshot else " (empty)"))
    _table(frame)
    return EXIT_OK


def cmd_restate(args) -> int:
    from .store.restate import restate

    table, before, after = restate(_url(args), args.year, args.since, args.framework)
    moved = table[table["changed"]]
    print(f"{args.year}: snapshot {before['snapshot']} → {after['snapshot']}; "
          f"{len(moved)} of {len(table)} unit(s) moved")
    shown = table if args.all else moved
    from .scoring.kernels import PUBLISHED_DECIMALS

    shown = shown.drop(columns=["changed"]).astype(object)
    for col in ("score_before", "score_after"):
        shown[col] = [None if v is None or v != v else f"{float(v):.{PUBLISHED_DECIMALS}f}" for v in shown[col]]
    _table(shown)
    if args.out:
        from .data.writers import write_table

        write_table(table, Path(args.out))
        print(f"Wrote {len(table)} rows to {args.out}")
    return EXIT_OK


def cmd_raters(args) -> int:
    from .store import open_store
    from .store.raters import rater_registry

    with open_store(_url(args), read_only=True) as store:
        frame = rater_registry(store, store.resolve(args.as_of), year=args.year)
    if args.out:
        from .data.writers import write_table

        write_table(frame, Path(args.out))
        print(f"Wrote {len(frame)} rater(s) to {args.out}. FOR THE EVALUATION OFFICE ONLY "
              "(仅供效能办内部使用): names and assignments are never published.")
    else:
        _table(frame)
    return EXIT_OK


def cmd_export(args) -> int:
    from .store import open_store

    out = Path(args.out_dir)
    if out.exists() and any(out.iterdir()) and not args.force:
        raise EvalkitError(f"{out} is not empty; choose an empty directory or pass --force")
    with open_store(_url(args), read_only=True) as store:
        snapshot = store.resolve(args.as_of)
        provenance = store.export(out, snapshot, [args.year] if args.year else None)
    print(f"Exported snapshot {snapshot} to {out} ({len(provenance)} submitted file(s) behind it); "
          f"check it with `evalkit validate {out}`")
    return EXIT_OK


def add_db_parser(sub) -> None:
    db = sub.add_parser("db", help="the efficiency database: submissions, corrections, history, snapshots",
                        description="The efficiency database (效能数据库): an embedded DuckDB file by default, "
                                    "or a PostgreSQL server (postgresql://…) for an office where several "
                                    "evaluators work at once.")
    dbs = db.add_subparsers(dest="db_command", metavar="COMMAND")

    def command(name: str, help: str, func, description: str | None = None):
        p = dbs.add_parser(name, help=help, description=description or help)
        p.add_argument("--db", help="DuckDB file or postgresql:// URL (default: $EVALKIT_DB)")
        p.set_defaults(func=func)
        return p

    command("init", "create the database (or check an existing one)", cmd_init)
    command("migrate", "bring the database up to this evalkit's data contract (additive)", cmd_migrate)
    p = command("import", "validate a data directory and append it as one batch", cmd_import,
                "Validate DIR with the checks of `evalkit validate` and, only when it is valid, append "
                "it as one batch in one transaction. An invalid submission writes nothing to the data "
                "tables and is recorded with its problems. Identical files are recognised and skipped.")
    p.add_argument("data_dir", metavar="DIR", help="data directory")
    p.add_argument("--year", type=int, help="only this year's folder (and the district tables)")
    p.add_argument("--unit", help="only this unit's records (they supersede only its earlier records)")
    p.add_argument("--by", required=True, help="who submits the data")
    p.add_argument("--note", help="a note kept with the batch")
    p.add_argument("--progress", action="store_true", help="say what is being checked and written")
    p = command("correct", "append a corrected version of one record, with its reason", cmd_correct,
                "Correct one record: a new version is appended (nothing is changed in place) and every "
                "changed value lands in the audit log with who, when, the reason and the evidence's "
                "SHA-256. Values are validated like imported data; key columns cannot be corrected.")
    p.add_argument("--table", required=True, help="the data-contract table, e.g. service_cases")
    p.add_argument("--id", required=True, metavar="KEY",
                   help="the record's key: the value of a one-column key, or col=value,col=value")
    p.add_argument("--set", action="append", required=True, metavar="COLUMN=VALUE", help="a new value (repeatable)")
    p.add_argument("--reason", required=True, help="why the record is corrected")
    p.add_argument("--by", required=True, help="who corrects it")
    p.add_argument("--evidence", metavar="FILE", help="a supporting document (its SHA-256 is recorded)")
    p.add_argument("--year", type=int, help="the record's year, when its key occurs in several years")
    p = command("history", "print the audit trail (corrections, imports, rejected submissions)", cmd_history)
    p.add_argument("--unit")
    p.add_argument("--table")
    p.add_argument("--id", metavar="KEY", help="one record (needs --table)")
    p.add_argument("--by")
    p.add_argument("--since", metavar="SNAPSHOT|ISO-DATETIME")
    p.add_argument("--hashes", action="store_true", help="show the evidence SHA-256")
    p.add_argument("--out", help="write to a file (.csv, .xlsx or .parquet) instead")
    command("status", "row counts per table and year, and the current snapshot", cmd_status)
    p = command("restate", "what changes since a snapshot did to a year's scores, ranks and grades", cmd_restate)
    p.add_argument("year", type=int)
    p.add_argument("--since", required=True, metavar="SNAPSHOT|ISO-DATETIME")
    p.add_argument("--framework", help="framework file (default: the store's framework.yaml)")
    p.add_argument("--all", action="store_true", help="list every unit, not only those that moved")
    p.add_argument("--out", help="also write the table (.csv, .xlsx or .parquet)")
    p = command("raters", "list or export the evaluator database (office only)", cmd_raters)
    p.add_argument("--year", type=int, help="with each rater's assignments and ratings of this year")
    p.add_argument("--as-of", metavar="SNAPSHOT|ISO-DATETIME")
    p.add_argument("--out", help="write to a file (.csv, .xlsx or .parquet)")
    p = command("export", "write a year's data (or all) as a Parquet data directory", cmd_export)
    p.add_argument("out_dir", metavar="DIR")
    p.add_argument("--year", type=int)
    p.add_argument("--as-of", metavar="SNAPSHOT|ISO-DATETIME")
    p.add_argument("--force", action="store_true", help="write into a non-empty directory")
    db.set_defaults(func=lambda args: (db.print_help(), 2)[1])
