"""``evalkit rectify …``: rectification follow-up (整改跟踪) from the command line.

``create --year Y`` makes the improvement priorities of year Y's unit reports into items
(idempotent); ``list`` shows them (``--out FILE.xlsx``: the workbook a unit fills in);
``update --from FILE.xlsx`` applies a returned workbook, ``update --id ID …`` the office's
own changes (verification, cancellation, a new due date), all or nothing; ``overdue``
lists the items overdue at a date. The items and their notes are the data contract's
``rectification_items`` and ``rectification_notes`` tables of the report's year: files in
the data directory (``DIR/<year>/rectification_items.csv``, written atomically under a lock)
or, with ``--db``, the efficiency database (one import batch per change, with the name
given in ``--by`` and the command as its note). The rules are :mod:`evalkit.rectification`;
this module reads and writes. See docs/rectification.md.

This module sits below :mod:`evalkit.cli` in the layers, so the top-level CLI hands it the
helper that reads ``--data`` / ``--db`` for a results computation (``inputs``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from .errors import DataValidationError, EvalkitError, Problem

EXIT_OK, EXIT_INVALID = 0, 1


def _date(text: str | None, option: str) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise EvalkitError(f"{option}: expected a date YYYY-MM-DD; found '{text}'") from None


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        where = ", ".join(x for x in (f"row {p.row}" if p.row is not None else "",
                                      f"column '{p.column}'" if p.column else "") if x) or "file"
        print(f"{p.file}: {where}: expected {p.expected}; found {p.found}", file=sys.stderr)


# ----------------------------------------------------------------------------------------
# The tracker: read and written in a data directory or the efficiency database
# ----------------------------------------------------------------------------------------

@dataclass
class Tracker:
    """Every year's items and notes (column ``year``: the report's year) and the unit ids."""

    items: pd.DataFrame
    notes: pd.DataFrame
    units: set[str]


def _where(args) -> tuple[Path | None, str | None]:
    if getattr(args, "data", None) and getattr(args, "db", None):
        raise EvalkitError("give the tracker either as --data DIR or as --db PATH_OR_URL, not both")
    if getattr(args, "db", None):
        return None, args.db
    if getattr(args, "data", None):
        from .data.dataset import _data_root

        return _data_root(args.data), None
    raise EvalkitError("give the data: --data DIR (a data directory) or --db PATH_OR_URL (the efficiency "
                       "database); the items are kept there")


def _read_directory(root: Path) -> tuple[Tracker, dict]:
    """The tracker of a data directory, checked against the contract; also the files found."""
    from .data.dataset import _rel, discover
    from .data.loading import read_file
    from .data.validation import check_references, check_table
    from .rectification.items import ITEMS_TABLE, NOTES_TABLE, empty_items, empty_notes

    files, _years, _problems = discover(root, None)  # problems of other tables are not ours
    problems: list[Problem] = []
    checked = []
    frames: dict[str, list[pd.DataFrame]] = {ITEMS_TABLE: [], NOTES_TABLE: []}
    units: set[str] = set()
    for (year, name), path in sorted(files.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
        if name not in (ITEMS_TABLE, NOTES_TABLE, "units"):
            continue
        from .data.contract import TABLES

        raw, more = read_file(path, _rel(root, path))
        problems += more
        if raw is None:
            continue
        ct, more = check_table(raw, TABLES[name], year)
        problems += more
        if ct is None:
            continue
        checked.append(ct)
        if name == "units":
            units = set(ct.frame["unit_id"].astype(str))
        else:
            frames[name].append(ct.frame.assign(year=year))
    problems += check_references(checked)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataValidationError(errors)
    if not units:
        raise EvalkitError(f"{root}: no units table (units.csv)")

    def joined(name, empty):
        got = frames[name]
        return pd.concat(got, ignore_index=True) if got else empty().assign(year=pd.Series(dtype=int))

    return Tracker(joined(ITEMS_TABLE, empty_items), joined(NOTES_TABLE, empty_notes), units), files


def _read_store(url: str) -> Tracker:
    from .rectification.items import ITEMS_TABLE, NOTES_TABLE
    from .store import open_store

    with open_store(url, read_only=True) as store:
        units = set(store.rows("units")["unit_id"].astype(str))
        items = store.rows(ITEMS_TABLE, system=True)
        notes = store.rows(NOTES_TABLE, system=True)
    items = items.rename(columns={"_year": "year"}).drop(columns=["_origin", "_batch", "_file", "_row"])
    notes = notes.rename(columns={"_year": "year"}).drop(columns=["_origin", "_batch", "_file", "_row"])
    return Tracker(items, notes, units)


@contextmanager
def _locked(root: Path):
    """One writer at a time per data directory (read, change, write)."""
    from .data.files import flock

    fd = os.open(root, os.O_RDONLY)
    try:
        if not flock(fd, exclusive=True, block=False):
            print(f"evalkit: waiting for another `evalkit rectify` on {root}", file=sys.stderr, flush=True)
            flock(fd, exclusive=True)
        yield
    finally:
        os.close(fd)


def _read(args) -> Tracker:
    root, url = _where(args)
    return _read_store(url) if url else _read_directory(root)[0]


def _year_frames(tracker: Tracker, years) -> dict[int, tuple[pd.DataFrame, pd.DataFrame]]:
    from .rectification.items import ITEM_COLUMNS, NOTE_COLUMNS

    out = {}
    for y in sorted(set(int(y) for y in years)):
        items = tracker.items[tracker.items["year"] == y][list(ITEM_COLUMNS)].reset_index(drop=True)
        notes = tracker.notes[tracker.notes["year"] == y][list(NOTE_COLUMNS)].reset_index(drop=True)
        out[y] = (items.sort_values("item_id", kind="stable"),
                  notes.sort_values(["item_id", "note_no"], kind="stable"))
    return out


def _write_directory(root: Path, files: dict, tables: dict[int, tuple[pd.DataFrame, pd.DataFrame]]) -> list[Path]:
    """Write each year's two files (notes first, then items: a reader never sees an item
    change without its note); each file is replaced atomically."""
    from .data.writers import write_table
    from .rectification.items import ITEMS_TABLE, NOTES_TABLE

    written = []
    for year, (items, notes) in tables.items():
        for name, frame in ((NOTES_TABLE, notes), (ITEMS_TABLE, items)):
            target = root / str(year) / f"{name}.csv"
            have = files.get((year, name))
            if have is not None and Path(have).resolve() != target.resolve():
                raise EvalkitError(f"{have} holds the {name} table; `evalkit rectify` keeps it in {target.name}: "
                                   f"save that file as {target.name} (CSV) first")
            write_table(frame, target, raw_csv=True)  # evalkit's data, read back exactly (as the sample's)
            written.append(target)
    return written


def _write_store(url: str, tables: dict[int, tuple[pd.DataFrame, pd.DataFrame]], *, by: str, note: str) -> str:
    """Import the changed years' two tables as one batch (it supersedes the store's earlier
    files of those tables and years), with ``by`` and ``note`` as its provenance."""
    from .data.writers import write_table
    from .rectification.items import ITEMS_TABLE, NOTES_TABLE
    from .store import open_store

    with tempfile.TemporaryDirectory(prefix="evalkit-rectify-") as tmp:
        for year, (items, notes) in tables.items():
            write_table(items, Path(tmp) / str(year) / f"{ITEMS_TABLE}.csv", raw_csv=True)
            write_table(notes, Path(tmp) / str(year) / f"{NOTES_TABLE}.csv", raw_csv=True)
        with open_store(url) as store:
            result = store.import_directory(tmp, by=by, note=note)
    if result.status == "rejected":
        _print_problems(result.errors)
        raise EvalkitError(f"the efficiency database refused the change ({result.describe()}); nothing was written")
    return result.describe()


def _save(args, tracker_files, tables, *, note: str) -> str:
    root, url = _where(args)
    tables = {y: (items.sort_values("item_id", kind="stable").reset_index(drop=True),
                  notes.sort_values(["item_id", "note_no"], kind="stable").reset_index(drop=True))
              for y, (items, notes) in tables.items()}
    if url:
        return f"{url}: {_write_store(url, tables, by=args.by, note=note)}"
    written = _write_directory(root, tracker_files, tables)
    return "wrote " + ", ".join(str(p) for p in written)


def _check_by(args) -> None:
    if not str(args.by or "").strip():
        raise EvalkitError("--by: give the name of the person recording the change")


def _check_unit(tracker: Tracker, unit: str | None) -> None:
    if unit is not None and unit not in tracker.units:
        raise EvalkitError(f"--unit {unit}: no such unit in the units table")


# ----------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------

def cmd_create(args: argparse.Namespace, *, inputs: Callable) -> int:
    from .configuration import load_configuration
    from .rectification.items import add_items, priorities
    from .report.present import improvement_suggestions
    from .results.compute import compute_results

    _check_by(args)
    root, url = _where(args)
    created = _date(args.date, "--date")
    due = _date(args.due, "--due") if args.due else dt.date(args.year + 1, 6, 30)
    if due < created:
        raise EvalkitError(f"--due {due} is before the creation date {created} (--date)")
    args.as_of = None
    with inputs(args) as (data, framework, dataset, _store):
        config = load_configuration(data, framework)  # every configuration file, checked before any work
        results = compute_results(data, year=args.year, config=config, dataset=dataset)
    year = int(results.meta["year"])

    def findings(res, unit, n):  # the report's own wording of its priorities
        return improvement_suggestions(res, unit, "zh", n=n, short=True)

    candidates = priorities(results, findings=findings)

    def change(tracker: Tracker, files) -> tuple[str, int, int]:
        items, notes = _year_frames(tracker, [year])[year]
        items, notes, added = add_items(items, notes, candidates, year=year, created=created, due=due, by=args.by)
        if added.empty:
            return "nothing written", 0, len(items)
        where = _save(args, files, {year: (items, notes)}, note=f"evalkit rectify create --year {year}")
        return where, len(added), len(items)

    if url:
        where, n_added, n_all = change(_read_store(url), {})
    else:
        with _locked(root):
            tracker, files = _read_directory(root)
            where, n_added, n_all = change(tracker, files)
    print(f"Created {n_added} rectification item(s) from the {year} reports' priorities "
          f"({n_all - n_added} already there; {n_all} for {year}), due {due}: {where}")
    return EXIT_OK


def _filtered(args, tracker: Tracker, as_of: dt.date):
    from .data.contract import RECTIFICATION_STATUSES
    from .rectification.items import select_items

    _check_unit(tracker, args.unit)
    status = getattr(args, "status", None)
    if status is not None and status not in RECTIFICATION_STATUSES:
        raise EvalkitError(f"--status: expected one of {', '.join(RECTIFICATION_STATUSES)}; found '{status}'")
    items = tracker.items
    if args.year is not None:
        items = items[items["year"] == args.year]
    return select_items(items, as_of=as_of, unit=args.unit, status=status)


def _print_items(items: pd.DataFrame, *, overdue: bool = False) -> None:
    from .data.contract import RECTIFICATION_STATUSES

    for r in items.itertuples(index=False):
        state = f"{r.current_status} {RECTIFICATION_STATUSES[r.current_status]}"
        late = f", {r.days_overdue} day(s) overdue" if overdue or r.current_status == "overdue" else ""
        print(f"{r.item_id}  {r.unit_id}  {state:16}  due {pd.Timestamp(r.due_date).date()}{late}  "
              f"{str(r.finding)[:80]}")


def cmd_list(args: argparse.Namespace) -> int:
    as_of = _date(args.as_of, "--as-of")
    tracker = _read(args)
    items = _filtered(args, tracker, as_of)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() == ".xlsx":
            from .rectification.workbook import write_workbook

            title = " · ".join(x for x in (args.unit or "全部单位 all units",
                                           str(args.year) if args.year else "") if x)
            write_workbook(items, out, title=title, as_of=as_of)
        elif out.name.lower().endswith((".csv", ".parquet")):
            from .data.writers import write_table

            write_table(items, out)
        else:
            raise EvalkitError(f"--out: expected a file ending in .xlsx (the unit's workbook), .csv or .parquet; "
                               f"found '{out.name}'")
        print(f"Wrote {len(items)} item(s) to {out}" + (
            f": give it to {args.unit}; record the returned workbook with `evalkit rectify update --from {out.name} "
            "--by NAME`" if out.suffix.lower() == ".xlsx" else ""))
        return EXIT_OK
    _print_items(items)
    counts = items["current_status"].value_counts().to_dict() if len(items) else {}
    print(f"{len(items)} item(s) as of {as_of}" + (": " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                                                  if counts else ""))
    return EXIT_OK


def cmd_overdue(args: argparse.Namespace) -> int:
    from .rectification.items import overdue_items

    as_of = _date(args.as_of, "--as-of")
    tracker = _read(args)
    _check_unit(tracker, args.unit)
    items = tracker.items if args.year is None else tracker.items[tracker.items["year"] == args.year]
    late = overdue_items(items, as_of=as_of, unit=args.unit)
    _print_items(late, overdue=True)
    print(f"{len(late)} item(s) overdue as of {as_of}" + (f" ({late['unit_id'].nunique()} unit(s))" if len(late) else ""))
    return EXIT_OK


def _office_changes(args) -> tuple[pd.DataFrame, object]:
    from .rectification.items import CHANGE_COLUMNS, ChangeSource

    ids = [x.strip() for x in str(args.id).split(",") if x.strip()]
    if not ids:
        raise EvalkitError("--id: give one or more item ids, e.g. 2023-D01-01")
    status = args.status
    if status is not None:
        from .rectification.workbook import parse_status

        code = parse_status(status)
        if code is None:
            from .data.contract import RECTIFICATION_STATUSES

            raise EvalkitError(f"--status: expected one of {', '.join(RECTIFICATION_STATUSES)}; found '{status}'")
        status = code
    if not any((status, args.note, args.due, args.action, args.owner)):
        raise EvalkitError("update --id: give what changes: --status, --note, --due, --action or --owner")
    due = _date(args.due, "--due") if args.due else None
    when = _date(args.date, "--date") if args.date else None
    rows = [{"row": None, "item_id": i, "unit_id": None, "status": status, "action": args.action,
             "owner": args.owner, "note": args.note, "note_date": when, "due_date": due} for i in ids]
    headers = {"item_id": "--id", "unit_id": "--id", "status": "--status", "action": "--action",
               "owner": "--owner", "note": "--note", "note_date": "--date", "due_date": "--due"}
    return (pd.DataFrame(rows, columns=list(CHANGE_COLUMNS)),
            ChangeSource(display="evalkit rectify update --id", headers=headers,
                         via="evalkit rectify update --id", office=True))


def cmd_update(args: argparse.Namespace) -> int:
    from .rectification.items import apply_changes
    from .rectification.workbook import read_workbook

    _check_by(args)
    if bool(args.from_file) == bool(args.id):
        raise EvalkitError("update: give either --from FILE.xlsx (a unit's returned workbook) or --id ID "
                           "(the office's change), not both")
    root, url = _where(args)
    today = _date(args.today, "--today")
    if args.from_file:
        if args.status or args.due or args.action or args.owner or args.note:
            raise EvalkitError("--status, --note, --due, --action and --owner go with --id; with --from the "
                               "workbook gives them")
        changes, source, problems = read_workbook(Path(args.from_file), str(args.from_file))
        if args.date:
            changes["note_date"] = changes["note_date"].where(changes["note_date"].notna(), _date(args.date, "--date"))
        if changes.empty and problems:  # the file or its header cannot be read
            _print_problems(problems)
            print(f"evalkit: error: {args.from_file}: {len(problems)} problem(s); nothing was applied", file=sys.stderr)
            return EXIT_INVALID
    else:
        changes, source = _office_changes(args)
        problems = []
    read_problems = problems

    def change(tracker: Tracker, files) -> tuple[str, int] | list[Problem]:
        from .rectification.items import NOTE_COLUMNS

        if tracker.items.empty:
            return [Problem(source.display, None, None, "items to update: create them first with "
                            "`evalkit rectify create --year Y`", "no rectification item in the tracker")]
        year_of = dict(zip(tracker.items["item_id"].astype(str), tracker.items["year"].astype(int)))
        items, notes, n, problems = apply_changes(tracker.items, tracker.notes[list(NOTE_COLUMNS)], changes, source,
                                                  by=args.by, today=today)
        problems = read_problems + [p for p in problems if (p.row, p.column) not in
                                    {(q.row, q.column) for q in read_problems}]
        if problems:
            return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
        if not n:
            return "nothing to change", 0
        notes = notes.assign(year=notes["item_id"].astype(str).map(year_of))
        years = {year_of[str(i)] for i in changes["item_id"].astype(str)}
        note = f"evalkit rectify update --from {Path(args.from_file).name}" if args.from_file else \
            f"evalkit rectify update --id {args.id}"
        return _save(args, files, _year_frames(Tracker(items, notes, tracker.units), years), note=note), n

    if url:
        outcome = change(_read_store(url), {})
    else:
        with _locked(root):
            tracker, files = _read_directory(root)
            outcome = change(tracker, files)
    if isinstance(outcome, list):
        _print_problems(outcome)
        what = args.from_file or f"--id {args.id}"
        print(f"evalkit: error: {what}: {len(outcome)} problem(s); nothing was applied", file=sys.stderr)
        return EXIT_INVALID
    where, n = outcome
    print(f"Updated {n} item(s) ({len(changes) - n} row(s) without a change): {where}")
    return EXIT_OK


def add_rectify_parser(sub, inputs: Callable) -> None:
    """Add ``rectify`` and its commands to the subparsers ``sub``. ``inputs``: the context
    manager giving (data directory, framework file, dataset, store entry) of the parsed
    arguments (:func:`evalkit.cli._inputs`), for the results ``create`` reads."""
    rect = sub.add_parser("rectify", help="rectification follow-up (整改跟踪): items from the reports' priorities",
                          description="Rectification follow-up (整改跟踪): make a year's report priorities into "
                                      "items with an action, owner, due date and status; hand units their "
                                      "workbook and apply the returned one (all or nothing); list overdue items. "
                                      "The next year's unit reports check each item's indicator against its "
                                      "baseline. Kept in the data directory (DIR/<year>/rectification_items.csv "
                                      "and rectification_notes.csv) or the efficiency database (--db). "
                                      "See docs/rectification.md.")
    subs = rect.add_subparsers(dest="rectify_command", metavar="COMMAND")

    def where(p, *, required_year: bool = False) -> None:
        p.add_argument("--data", metavar="DIR", help="data directory holding the tracker")
        p.add_argument("--db", metavar="PATH_OR_URL", help="the efficiency database (DuckDB file or postgresql://…)")
        p.add_argument("--year", type=int, required=required_year,
                       help="the report's year" + ("" if required_year else " (default: every year)"))

    p = subs.add_parser("create", help="make the year's report priorities into items (idempotent)",
                        description="Compute year Y's results and make each unit's improvement priorities (the "
                                    "report's key priorities: a veto's cause first, then the largest recoverable "
                                    "losses) into open items with the indicator's value as baseline. Running it "
                                    "again adds only priorities not yet tracked.")
    where(p, required_year=True)
    p.add_argument("--framework", help="framework YAML (default: DATA/framework.yaml)")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="due date of the new items (default: 30 June of Y+1)")
    p.add_argument("--by", required=True, help="who creates the items (recorded in the notes and the database)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="creation date (default: today)")
    p.set_defaults(func=partial(cmd_create, inputs=inputs))

    p = subs.add_parser("list", help="list items, or write a unit's workbook (--out FILE.xlsx)",
                        description="List the items with their status at --as-of (overdue judged from the due "
                                    "date). --out FILE.xlsx writes the workbook a unit fills in and returns "
                                    "(give --unit); .csv or .parquet writes the table.")
    where(p)
    p.add_argument("--unit", help="one unit's items")
    p.add_argument("--status", help="only items with this status at --as-of (open, in_progress, done, verified, "
                                    "overdue, cancelled)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date statuses are judged at (default: today)")
    p.add_argument("--out", metavar="FILE", help="write FILE.xlsx (the unit's workbook), .csv or .parquet")
    p.set_defaults(func=cmd_list)

    p = subs.add_parser("update", help="apply a returned workbook (--from) or the office's change (--id)",
                        description="Apply the changes of a unit's returned workbook (--from FILE.xlsx: status "
                                    "in_progress or done, action, owner, a dated note) or the office's change to "
                                    "items (--id ID[,ID…] with --status, --note, --due, --action, --owner). Every "
                                    "problem names the file, row and column; if there is any, nothing is applied.")
    where(p)
    p.add_argument("--from", dest="from_file", metavar="FILE.xlsx", help="the unit's returned workbook")
    p.add_argument("--id", help="item id(s), comma-separated (the office's change)")
    p.add_argument("--status", help="with --id: the new status (verified and cancelled need --note)")
    p.add_argument("--note", help="with --id: the note (the verification's finding, the cancel reason …)")
    p.add_argument("--due", metavar="YYYY-MM-DD", help="with --id: a new due date")
    p.add_argument("--action", help="with --id: the action")
    p.add_argument("--owner", help="with --id: the owner")
    p.add_argument("--by", required=True, help="who records the change")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="date of the notes that give none (default: today)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help=argparse.SUPPRESS)  # tests: the day it runs
    p.set_defaults(func=cmd_update)

    p = subs.add_parser("overdue", help="list the items overdue at a date",
                        description="List the items still open or in progress after their due date (or marked "
                                    "overdue by the office) at --as-of, longest overdue first.")
    where(p)
    p.add_argument("--unit", help="one unit's items")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date (default: today)")
    p.set_defaults(func=cmd_overdue)

    def no_command(args: argparse.Namespace) -> int:
        raise EvalkitError("rectify: give a command: create, list, update or overdue "
                           "(e.g. `evalkit rectify list --data DIR`)")

    rect.set_defaults(func=no_command)
