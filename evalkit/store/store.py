"""The efficiency database (效能数据库): submissions with provenance, corrections with an audit
trail, and the data as of any moment.

A :class:`Store` is opened on a DuckDB file or a PostgreSQL URL (:mod:`evalkit.store.backend`)
whose tables :mod:`evalkit.store.schema` derives from the data contract.

Snapshots
    Every import, rejected submission and correction is one *batch*; batch ids grow by one
    and are handed out in commit order (one writer at a time), so a batch id is also a
    snapshot: the store "as of snapshot N" is everything batches 1…N wrote. A moment
    (ISO date-time) means the last batch committed at or before it. Times are stored in
    UTC; a date-time given without a zone is read in the machine's local zone.

What a snapshot holds (visibility)
    An import writes one file per (table, year) and *scope* — the whole table, or one unit
    (``--unit``). A record is visible at snapshot S when its batch is ≤ S, no later import
    ≤ S covers its (table, year) with a scope that includes its unit (a re-submission
    supersedes, the history stays), and no later correction ≤ S wrote a newer version of
    it. Nothing is updated in place or deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..configuration import CONFIGURATION_FILES
from ..data.contract import TABLES, Table
from ..data.dataset import WORKDAYS_FILE, Dataset, _data_root, _rel, discover
from ..data.files import atomic_path, sha256_file
from ..data.chunked import check_chunks
from ..data.loading import (RawFile, UnreadableChunk, file_format, parquet_rows, read_file,
                            read_parquet_chunks)
from ..data.validation import CheckedTable, check_references, check_table
from ..errors import Problem
from .backend import Backend, StoreError, connect, redact
from .schema import (SCHEMA_VERSION, SYSTEM_COLUMNS, contract_fingerprint, data_ddl, data_table,
                     pending_changes, system_ddl)

__all__ = ["Store", "ImportResult", "CorrectionResult", "init_store", "open_store", "parse_moment",
           "ARROW_TYPES", "DOCUMENT_NAMES"]

#: Contract type → the Arrow type a table is stored and exported in.
ARROW_TYPES = {"id": pa.string(), "text": pa.string(), "category": pa.string(), "int": pa.int64(),
               "float": pa.float64(), "money": pa.float64(), "bool": pa.bool_(), "date": pa.date32(),
               "datetime": pa.timestamp("us")}
#: Top-level files of a data directory kept with its data: the configuration and the
#: working-day overrides (a framework may also be a node table: framework.csv/.xlsx).
DOCUMENT_NAMES = tuple(CONFIGURATION_FILES) + (WORKDAYS_FILE, "framework.csv", "framework.xlsx",
                                               "quality_checks.yaml")
#: Columns of the cross-table checks kept after a large table has been written.
_CROSS_CHECK_TABLES = ("units", "raters", "ratings", "audit_findings", "rectifications")
#: Records of a Parquet file above which an import checks and writes it in chunks of as
#: many (the peak memory of a 10-million-record import: see benchmarks/README.md).
CHUNK_ROWS = 1_000_000
SEP = "\x1f"  # between the values of a composite key in a record id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def parse_moment(text: str) -> dt.datetime:
    """An ISO date or date-time as a naive UTC date-time (a value without zone is local)."""
    try:
        moment = dt.datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise StoreError(f"expected a snapshot number or an ISO date-time such as 2025-03-01T12:00; "
                         f"found '{text}'") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local wall time
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def record_id(values) -> str:
    """The record id of a key: its values as text, joined (what ``--id`` names)."""
    return SEP.join("" if v is None else str(v) for v in values)


def show_record(record: str) -> str:
    return record.replace(SEP, ",")


@dataclass
class ImportResult:
    status: str                       # imported | unchanged | rejected
    batch_id: int | None
    files: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def describe(self) -> str:
        if self.status == "rejected":
            return (f"Rejected: {len(self.errors)} error(s); nothing was written to the data tables "
                    f"(recorded as batch {self.batch_id}).")
        new = [f for f in self.files if f["status"] == "imported"]
        same = [f for f in self.files if f["status"] == "unchanged"]
        if self.status == "unchanged":
            return f"Nothing to import: every file ({len(same)}) is identical to what the store holds."
        rows = sum(f["rows"] for f in new)
        return (f"Imported batch {self.batch_id}: {len(new)} file(s), {rows:,} record(s)"
                + (f"; {len(same)} identical file(s) skipped" if same else "") + ".")


@dataclass
class CorrectionResult:
    batch_id: int
    table: str
    record: str
    changes: list[tuple[str, str | None, str | None]]

    def describe(self) -> str:
        what = "; ".join(f"{c}: {o if o is not None else '(empty)'} → {n if n is not None else '(empty)'}"
                         for c, o, n in self.changes)
        return f"Correction recorded as batch {self.batch_id}: {self.table} {show_record(self.record)} — {what}"


class _Rejected(Exception):
    pass


def _sha_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key_sql(table: Table, alias: str = "d") -> str:
    parts = [f'CAST({alias}."{c}" AS VARCHAR)' for c in table.key]
    if len(parts) == 1:
        return f"COALESCE({parts[0]}, '')"
    return "concat_ws(chr(31), " + ", ".join(f"COALESCE({p}, '')" for p in parts) + ")"


def _text(value, dtype: str | None = None) -> str | None:
    """A typed value as the text a data file would hold (what validation reads back)."""
    if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, pd.Timestamp) or isinstance(value, dt.datetime):
        ts = pd.Timestamp(value)
        if dtype == "datetime" or (dtype is None and (ts.hour or ts.minute or ts.second)):
            return ts.strftime("%Y-%m-%d %H:%M:%S")
        return ts.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return str(int(f)) if f.is_integer() else repr(f)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def _arrow_of(frame: pd.DataFrame, table: Table, extra: dict[str, np.ndarray | int]) -> pa.Table:
    """The contract columns of a checked frame plus system columns, in the stored types."""
    n = len(frame)
    arrays, names = [], []
    for col in table.columns:
        series = frame[col.name] if col.name in frame else pd.Series([None] * n, dtype=object)
        typ = ARROW_TYPES[col.dtype]
        if col.dtype in ("id", "text", "category"):
            try:
                arr = pa.array(series.astype(object), type=typ, from_pandas=True)
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                arr = pa.array([None if pd.isna(v) else str(v) for v in series], type=typ)
        elif col.dtype in ("date", "datetime"):
            s = pd.to_datetime(series)
            arr = pa.array(s.dt.floor("D") if col.dtype == "date" else s, type=pa.timestamp("us"))
            if col.dtype == "date":
                arr = arr.cast(pa.date32())
        elif col.dtype == "bool":
            arr = pa.array(series.astype("boolean"), type=typ)
        elif col.dtype == "int":
            arr = pa.array(pd.array(series, dtype="Int64"), type=typ)
        else:
            arr = pa.array(pd.to_numeric(series, errors="coerce").astype("float64"), type=typ, from_pandas=True)
        arrays.append(arr)
        names.append(col.name)
    for name in SYSTEM_COLUMNS:
        value = extra[name]
        arrays.append(pa.array(np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)), type=pa.int64())
                      if name != "_year" else pa.array(np.full(n, int(value), dtype=np.int32)))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _light_columns(table: Table) -> list[str]:
    """The columns of ``table`` the cross-table checks read: its references and the
    columns other tables reference."""
    targets = {c.references.split(".")[1] for t in TABLES.values() for c in t.columns
               if c.references and c.references.split(".")[0] == table.name}
    return [c.name for c in table.columns if c.references or c.name in targets]


def _light(ct: CheckedTable) -> CheckedTable:
    """What the cross-table checks need of a checked table, once it has been written."""
    if ct.table.name in _CROSS_CHECK_TABLES:
        return ct
    keep = [c for c in _light_columns(ct.table) if c in ct.frame]
    return replace(ct, frame=ct.frame[keep].copy())


class Store:
    """An open efficiency database. Use :func:`open_store` / :func:`init_store`."""

    def __init__(self, backend: Backend):
        self.db = backend
        self._snapshots: dict[int, dict] = {}  # snapshot → its files and corrected tables

    # --- opening --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return redact(self.db.url)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _meta(self) -> dict[str, str]:
        return dict(self.db.query("SELECT key, value FROM evalkit_meta"))

    def check_schema(self) -> None:
        """Refuse a store of another schema version, or one behind the data contract."""
        tables = self.db.table_columns()
        if "evalkit_meta" not in tables:
            raise StoreError(f"{self.url} is not an efficiency database: create it with `evalkit db init`")
        meta = self._meta()
        version = int(meta.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.url} has schema version {version}, newer than this evalkit "
                             f"({SCHEMA_VERSION}): upgrade evalkit")
        if version < SCHEMA_VERSION or pending_changes(tables, self.db.dialect):
            raise StoreError(f"{self.url} was made for an earlier data contract (schema version {version}): "
                             f"run `evalkit db migrate --db {self.url}` (additive: nothing is dropped)")

    def migrate(self) -> list[str]:
        """Bring the store up to this evalkit's schema and data contract; the statements run."""
        with self.db.transaction():
            statements = system_ddl(self.db.dialect) + pending_changes(self.db.table_columns(), self.db.dialect)
            for sql in statements:
                self.db.execute(sql)
            self._set_meta({"schema_version": str(SCHEMA_VERSION), "contract_sha256": contract_fingerprint()})
        return statements

    def _set_meta(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.db.execute("DELETE FROM evalkit_meta WHERE key = ?", [key])
            self.db.execute("INSERT INTO evalkit_meta (key, value) VALUES (?, ?)", [key, value])

    # --- snapshots ------------------------------------------------------------------------
    def snapshot(self) -> int:
        """The current snapshot (the last batch; 0 for an empty store)."""
        return int(self.db.scalar("SELECT COALESCE(MAX(batch_id), 0) FROM batches") or 0)

    def resolve(self, as_of: str | int | None) -> int:
        """A snapshot number from ``--as-of`` (a number, an ISO date-time or None = now)."""
        current = self.snapshot()
        if as_of is None or str(as_of).strip() == "":
            return current
        text = str(as_of).strip()
        if text.isdigit():
            n = int(text)
            if n > current:
                raise StoreError(f"--as-of {n}: the store's latest snapshot is {current}")
            return n
        moment = parse_moment(text)
        return int(self.db.scalar("SELECT COALESCE(MAX(batch_id), 0) FROM batches WHERE submitted_at <= ?",
                                  [moment]) or 0)

    def snapshot_info(self, snapshot: int) -> dict:
        row = self.db.query("SELECT batch_id, kind, submitted_by, submitted_at FROM batches WHERE batch_id = ?",
                            [snapshot])
        info = {"snapshot": snapshot, "store_id": self._meta().get("store_id", "")}
        if row:
            info.update(kind=row[0][1], by=row[0][2], at=row[0][3].isoformat(timespec="seconds") + "Z")
        return info

    def _next_batch(self) -> int:
        return self.snapshot() + 1

    # --- visibility -----------------------------------------------------------------------
    def _index(self, snapshot: int) -> dict:
        """The imported files and corrected tables up to ``snapshot``, read once: what a
        snapshot holds never changes (the store is append-only and numbers follow commits)."""
        cached = self._snapshots.get(snapshot)
        if cached is None:
            files: dict[str, list[tuple]] = {}
            for row in self.db.query("SELECT tbl, file_id, batch_id, year, unit_id, path, sha256, row_count "
                                     "FROM batch_files WHERE status = 'imported' AND batch_id <= ? "
                                     "ORDER BY batch_id, file_id", [snapshot]):
                files.setdefault(row[0], []).append(tuple(row[1:]))
            corrected = {r[0] for r in self.db.query("SELECT DISTINCT tbl FROM corrections WHERE batch_id <= ?",
                                                     [snapshot])}
            cached = self._snapshots[snapshot] = {"files": files, "corrected": corrected}
        return cached

    def _files(self, name: str, snapshot: int) -> list[tuple]:
        return self._index(snapshot)["files"].get(name, [])

    def effective_files(self, name: str, snapshot: int, year: int | None = None) -> list[dict]:
        """The imported files of ``name`` with records visible at ``snapshot``, each with the
        units later imports took over (``hidden``: None = all; a set of unit ids)."""
        files = self._files(name, snapshot)
        out = []
        for fid, batch, fyear, unit, path, sha, rows in files:
            if year is not None and fyear != (year if TABLES[name].scope == "year" else 0):
                continue
            later = [f for f in files if f[1] > batch and f[2] == fyear]
            if any(f[3] is None for f in later) or (unit is not None and any(f[3] == unit for f in later)):
                continue  # wholly superseded
            hidden = {f[3] for f in later if f[3] is not None}
            out.append({"file_id": fid, "batch": batch, "year": fyear, "unit": unit, "path": path,
                        "sha256": sha, "rows": rows, "hidden": hidden})
        return out

    def _visible(self, name: str, snapshot: int, year: int | None = None) -> tuple[str, list]:
        """``WHERE`` clause (alias ``d``) and parameters selecting the records of ``name``
        visible at ``snapshot`` (of ``year`` for a year table)."""
        table = TABLES[name]
        files = self.effective_files(name, snapshot, year)
        if not files:
            return "FALSE", []
        terms, params = [], []
        for f in files:
            term = "(d._file = ?"
            params.append(f["file_id"])
            if f["hidden"] and "unit_id" in table.column_names:
                term += " AND d.unit_id NOT IN (" + ", ".join("?" * len(f["hidden"])) + ")"
                params += sorted(f["hidden"])
            terms.append(term + ")")
        where = "d._batch <= ? AND (" + " OR ".join(terms) + ")"
        params = [snapshot] + params
        if name in self._index(snapshot)["corrected"]:
            where += (" AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.tbl = ? AND c.batch_id <= ? "
                      f"AND c.batch_id > d._batch AND c.origin = d._origin AND c.record = {_key_sql(table)})")
            params += [name, snapshot]
        return where, params

    def rows(self, name: str, snapshot: int | None = None, year: int | None = None, *,
             system: bool = False, where: str = "", params: list | None = None) -> pd.DataFrame:
        """The records of ``name`` visible at ``snapshot`` (default: now), in file order."""
        snapshot = self.snapshot() if snapshot is None else snapshot
        table = TABLES[name]
        vis, vparams = self._visible(name, snapshot, year)
        cols = ", ".join(f'd."{c}"' for c in table.column_names + (SYSTEM_COLUMNS if system else ()))
        sql = (f'SELECT {cols} FROM "{data_table(name)}" d WHERE {vis}' + (f" AND ({where})" if where else "")
               + " ORDER BY d._year, d._origin, d._row")
        arrow = self.db.arrow(sql, vparams + list(params or []))
        return _typed(arrow, table, system).to_pandas()

    # --- imports --------------------------------------------------------------------------
    def import_directory(self, root: str | Path, *, by: str, year: int | None = None, unit: str | None = None,
                         note: str | None = None, progress: Callable[[str], None] | None = None,
                         chunk_rows: int = CHUNK_ROWS) -> ImportResult:
        """Validate the data directory ``root`` (with ``evalkit validate``'s checks) and, only
        when it is valid, append it as one batch (one transaction). ``year``: only that
        year's folder (and the district tables); ``unit``: only that unit's records, which
        supersede only that unit's earlier ones. A file identical to the one the store holds
        for the same scope is skipped; nothing changed → no batch. An invalid submission
        writes nothing to the data tables and is recorded as a rejected batch.

        A Parquet file of more than ``chunk_rows`` records is checked and written chunk by
        chunk (:meth:`_check_file`), with the problems of the whole file."""
        say = progress or (lambda _msg: None)
        if not str(by or "").strip():
            raise StoreError("--by: give the name of the person submitting the data")
        root = _data_root(root)
        if unit is not None and unit not in set(self.rows("units")["unit_id"].astype(str)) \
                and not any((root / s).is_file() for s in ("units.csv",)):
            raise StoreError(f"--unit {unit}: no such unit in the store's units table")
        files, years, problems = discover(root, [year] if year else None)
        # a partial submission (one unit's folder) relies on the store's district tables
        stored_district = {n for n in ("units", "raters") if self.effective_files(n, self.snapshot())}
        problems = [p for p in problems if not (p.row is None and p.found == "no such file"
                                                and p.file.split(".")[0] in stored_district)]
        documents = self._documents_of(root)
        hashes = {key: sha256_file(path) for key, path in files.items()}
        if any(p.severity == "error" for p in problems):
            return self._reject(by, note, root, year, unit, problems, files, hashes)
        batch = self._next_batch()
        current = self.snapshot()
        results: list[dict] = []
        try:
            with self.db.transaction():
                batch = self._next_batch()
                checked: list[CheckedTable] = []
                next_file = int(self.db.scalar("SELECT COALESCE(MAX(file_id), 0) FROM batch_files") or 0) + 1
                order = sorted(files.items(), key=lambda kv: (kv[0][0] is not None, kv[0][0] or 0, kv[0][1]))
                for (fyear, name), path in order:
                    table = TABLES[name]
                    scope_unit = unit if "unit_id" in table.column_names else None
                    if unit is not None and scope_unit is None:
                        continue  # a unit's submission never replaces a district table
                    display = _rel(root, path)
                    yr = fyear if table.scope == "year" else 0
                    entry = {"table": name, "year": fyear, "unit": scope_unit, "path": display,
                             "sha256": hashes[(fyear, name)], "rows": 0}
                    unchanged = self._same_as_current(name, yr, scope_unit, entry["sha256"], current)
                    entry["status"] = "unchanged" if unchanged else "imported"
                    earlier_errors = any(p.severity == "error" for p in problems)

                    def write(ct: CheckedTable, entry=entry, yr=yr, scope_unit=scope_unit, table=table,
                              name=name, earlier_errors=earlier_errors) -> None:
                        """Append one checked table or chunk of the file (in this transaction)."""
                        frame, rows = ct.frame, ct.rows
                        if scope_unit is not None:
                            mine = (frame["unit_id"].astype(str) == unit).to_numpy()
                            frame, rows = frame[mine].reset_index(drop=True), rows[mine]
                        entry["rows"] += int(len(frame))
                        if entry["status"] == "imported" and not earlier_errors:
                            data = _arrow_of(frame, table, {"_origin": batch, "_batch": batch, "_file": next_file,
                                                            "_year": yr, "_row": np.asarray(rows, dtype=np.int64)})
                            self.db.insert_arrow(data_table(name), data)

                    say(f"checking {display}")
                    ct, file_problems = self._check_file(path, display, table, fyear, write, chunk_rows)
                    problems += file_problems
                    if ct is None:
                        continue
                    checked.append(_light(ct))
                    del ct
                    if any(p.severity == "error" for p in problems):
                        continue
                    if entry["status"] == "imported":
                        self.db.execute("INSERT INTO batch_files (file_id, batch_id, tbl, year, unit_id, path, "
                                        "sha256, row_count, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'imported')",
                                        [next_file, batch, name, yr, scope_unit, display, entry["sha256"],
                                         entry["rows"]])
                        next_file += 1
                        say(f"wrote {display} ({entry['rows']:,} records)")
                    results.append(entry)
                checked += self._stored_targets(checked)
                problems += check_references(checked)
                if any(p.severity == "error" for p in problems):
                    raise _Rejected()
                new_docs = [d for d in documents if unit is None and d[1] != self._document_sha(d[0])]
                if not any(e["status"] == "imported" for e in results) and not new_docs:
                    raise _Unchanged()
                for name, sha, content in new_docs:
                    self.db.execute("INSERT INTO documents (batch_id, name, sha256, content) VALUES (?, ?, ?, ?)",
                                    [batch, name, sha, content])
                    results.append({"table": "(document)", "year": None, "unit": None, "path": name,
                                    "sha256": sha, "rows": 0, "status": "imported"})
                self.db.execute("INSERT INTO batches (batch_id, kind, status, submitted_by, submitted_at, note, "
                                "source, year_filter, unit_filter, row_count, problems) "
                                "VALUES (?, 'import', 'accepted', ?, ?, ?, ?, ?, ?, ?, ?)",
                                [batch, by, _now(), note, str(root), year, unit,
                                 sum(e["rows"] for e in results if e["status"] == "imported"),
                                 json.dumps(_problem_list(problems), ensure_ascii=False)])
        except _Rejected:
            return self._reject(by, note, root, year, unit, problems, files, hashes)
        except _Unchanged:
            return ImportResult("unchanged", None, results, problems)
        return ImportResult("imported", batch, results, problems)

    @staticmethod
    def _check_file(path: Path, display: str, table: Table, year: int | None,
                    write: Callable[[CheckedTable], None], chunk_rows: int) -> tuple[CheckedTable | None, list[Problem]]:
        """Read and check one file as ``evalkit validate`` does, handing what passes to
        ``write`` while the file shows no error: a Parquet file of more than ``chunk_rows``
        records in chunks of that many (:func:`~evalkit.data.chunked.check_chunks`: the
        same checks and problems, at most one chunk converted at a time; the whole table
        is kept only in the columns the checks across tables read), any other whole."""
        if file_format(path) == "parquet" and table.name not in _CROSS_CHECK_TABLES \
                and (parquet_rows(path) or 0) > chunk_rows:
            try:
                return check_chunks(lambda: read_parquet_chunks(path, display, chunk_rows), table, year,
                                    keep=_light_columns(table), on_chunk=write)
            except UnreadableChunk as exc:
                return None, [exc.problem]
        raw, problems = read_file(path, display)
        if raw is None:
            return None, problems
        ct, table_problems = check_table(raw, table, year)
        problems = problems + table_problems
        if ct is not None and not any(p.severity == "error" for p in problems):
            write(ct)
        return ct, problems

    def _same_as_current(self, name: str, year: int, unit: str | None, sha: str, snapshot: int) -> bool:
        for f in self.effective_files(name, snapshot):
            if f["year"] == year and f["unit"] == unit and f["sha256"] == sha and not f["hidden"]:
                later = [g for g in self.effective_files(name, snapshot) if g["year"] == year and g["batch"] > f["batch"]]
                return not later
        return False

    def _stored_targets(self, checked: list[CheckedTable]) -> list[CheckedTable]:
        """The store's current district and referenced tables that the submission lacks,
        for the checks across tables (a unit's own folder holds no units table)."""
        have = {(ct.table.name) for ct in checked}
        out = []
        for name in ("units", "raters"):
            if name in have:
                continue
            frame = self.rows(name)
            if frame.empty:
                continue
            raw = RawFile(Path(f"<store>/{name}"), f"{name} (in the store)", "parquet", frame,
                          np.arange(1, len(frame) + 1))
            out.append(CheckedTable(TABLES[name], raw, frame, raw.row_numbers,
                                    {c: c for c in TABLES[name].column_names}))
        return out

    def _documents_of(self, root: Path) -> list[tuple[str, str, bytes]]:
        docs = []
        for name in DOCUMENT_NAMES:
            path = root / name
            if path.is_file():
                content = path.read_bytes()
                docs.append((name, _sha_bytes(content), content))
        return docs

    def _document_sha(self, name: str, snapshot: int | None = None) -> str | None:
        snapshot = self.snapshot() if snapshot is None else snapshot
        return self.db.scalar("SELECT sha256 FROM documents WHERE name = ? AND batch_id <= ? "
                              "ORDER BY batch_id DESC LIMIT 1", [name, snapshot])

    def documents(self, snapshot: int) -> dict[str, bytes]:
        out = {}
        for name, batch, content in self.db.query(
                "SELECT name, batch_id, content FROM documents WHERE batch_id <= ? ORDER BY batch_id", [snapshot]):
            out[name] = bytes(content)
        return out

    def _reject(self, by, note, root, year, unit, problems, files, hashes) -> ImportResult:
        with self.db.transaction():
            batch = self._next_batch()
            record = _problem_list(problems)
            files_info = [{"path": _rel(root, path), "sha256": hashes.get(key)} for key, path in sorted(
                files.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1]))]
            self.db.execute("INSERT INTO batches (batch_id, kind, status, submitted_by, submitted_at, note, source, "
                            "year_filter, unit_filter, row_count, problems) "
                            "VALUES (?, 'import', 'rejected', ?, ?, ?, ?, ?, ?, 0, ?)",
                            [batch, by, _now(), note, str(root), year, unit,
                             json.dumps({"problems": record, "files": files_info}, ensure_ascii=False)])
        return ImportResult("rejected", batch, [], list(problems))

    # --- corrections ----------------------------------------------------------------------
    def find(self, name: str, key: str, year: int | None = None, snapshot: int | None = None) -> pd.DataFrame:
        """The visible record(s) of ``name`` whose key is ``key`` (text as ``--id`` gives it)."""
        if name not in TABLES:
            raise StoreError(f"--table: no table '{name}' in the data contract (tables: {', '.join(TABLES)})")
        table = TABLES[name]
        values = parse_key(table, key)
        return self.rows(name, snapshot, year, system=True, where=f"{_key_sql(table)} = ?",
                         params=[record_id(values)])

    def correct(self, name: str, key: str, sets: dict[str, str], *, reason: str, by: str,
                year: int | None = None, evidence: str | Path | None = None) -> CorrectionResult:
        """Append a corrected version of one record (validated like imported data) and one
        audit-log entry per changed value."""
        if not str(reason or "").strip():
            raise StoreError("--reason: say why the record is corrected")
        if not str(by or "").strip():
            raise StoreError("--by: give the name of the person correcting the record")
        table = TABLES.get(name)
        if table is None:
            raise StoreError(f"--table: no table '{name}' in the data contract (tables: {', '.join(TABLES)})")
        unknown = [c for c in sets if c not in table.column_names]
        if unknown:
            raise StoreError(f"--set: the '{name}' table has no column {', '.join(unknown)} "
                             f"(columns: {', '.join(table.column_names)})")
        keys = [c for c in sets if c in table.key]
        if keys:
            raise StoreError(f"--set {keys[0]}: a key column cannot be corrected; submit the file again "
                             "with the right key")
        evidence_sha = evidence_name = None
        if evidence is not None:
            path = Path(evidence)
            if not path.is_file():
                raise StoreError(f"--evidence: no such file: {path}")
            evidence_sha, evidence_name = sha256_file(path), path.name
        with self.db.transaction():
            found = self.find(name, key, year)
            if found.empty:
                raise StoreError(f"no record of '{name}' with {'/'.join(table.key)} = {key}"
                                 + (f" in {year}" if year else "") + " in the store")
            if len(found) > 1:
                years = sorted(set(int(y) for y in found["_year"]))
                raise StoreError(f"{len(found)} records of '{name}' have {'/'.join(table.key)} = {key} "
                                 f"(years {', '.join(map(str, years))}): add --year")
            record = found.iloc[0]
            fyear = int(record["_year"])
            slice_where, slice_params = "", []
            if "unit_id" in table.column_names and record["unit_id"] is not None:
                slice_where, slice_params = "d.unit_id = ?", [str(record["unit_id"])]
            rows = self.rows(name, None, fyear if table.scope == "year" else None, system=True,
                             where=slice_where, params=slice_params)
            target = (rows["_origin"] == record["_origin"]) & (rows["_row"] == record["_row"]) \
                & (rows["_batch"] == record["_batch"])
            position = int(np.flatnonzero(target.to_numpy())[0])
            text = pd.DataFrame({c.name: [_text(v, c.dtype) or "" for v in rows[c.name]] for c in table.columns})
            for column, value in sets.items():
                text.at[position, column] = value
            display = f"correction of {name} {key}"
            raw = RawFile(Path(display), display, "csv", text, np.arange(2, len(text) + 2))
            ct, problems = check_table(raw, table, fyear if table.scope == "year" else None)
            if ct is not None:
                others = self._stored_targets([ct])
                if name == "units":
                    others = []
                problems += [p for p in check_references([ct] + others) if p.row == position + 2 or p.row is None]
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise StoreError("the correction breaks the data contract: "
                                 + "; ".join(f"{p.column or 'record'}: expected {p.expected}; found {p.found}"
                                             for p in errors[:5]))
            new = ct.frame.iloc[[position]].reset_index(drop=True)
            changes = []
            for col in table.columns:
                old, now = _text(record[col.name], col.dtype), _text(new.at[0, col.name], col.dtype)
                if old != now:
                    changes.append((col.name, old, now))
            if not changes:
                raise StoreError(f"the record already holds {', '.join(f'{c}={v}' for c, v in sets.items())}: "
                                 "nothing to correct")
            batch = self._next_batch()
            rec = record_id(parse_key(table, key))
            data = _arrow_of(new, table, {"_origin": int(record["_origin"]), "_batch": batch,
                                          "_file": int(record["_file"]), "_year": fyear, "_row": int(record["_row"])})
            self.db.insert_arrow(data_table(name), data)
            at = _now()
            self.db.execute("INSERT INTO batches (batch_id, kind, status, submitted_by, submitted_at, note, source, "
                            "year_filter, unit_filter, row_count, problems) "
                            "VALUES (?, 'correction', 'accepted', ?, ?, ?, ?, ?, ?, 1, NULL)",
                            [batch, by, at, reason, name, fyear or None,
                             str(record["unit_id"]) if "unit_id" in table.column_names else None])
            self.db.execute("INSERT INTO corrections (batch_id, tbl, origin, record) VALUES (?, ?, ?, ?)",
                            [batch, name, int(record["_origin"]), rec])
            audit = int(self.db.scalar("SELECT COALESCE(MAX(audit_id), 0) FROM audit_log") or 0)
            for i, (column, old, now) in enumerate(changes, start=1):
                self.db.execute("INSERT INTO audit_log (audit_id, batch_id, changed_at, by_name, tbl, year, unit_id, record, "
                                "col, old_value, new_value, reason, evidence, evidence_sha256) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [audit + i, batch, at, by, name, fyear,
                                 str(record["unit_id"]) if "unit_id" in table.column_names else None,
                                 rec, column, old, now, reason, evidence_name, evidence_sha])
        return CorrectionResult(batch, name, rec, changes)

    # --- reading --------------------------------------------------------------------------
    def history(self, *, unit: str | None = None, table: str | None = None, key: str | None = None,
                by: str | None = None, since: str | None = None) -> pd.DataFrame:
        """The audit trail: every correction (one row per changed value) and every import or
        rejected submission, oldest first."""
        where, params = [], []
        if since:
            snap_or_time = str(since).strip()
            if snap_or_time.isdigit():
                where.append("batch_id >= ?")
                params.append(int(snap_or_time))
            else:
                where.append("changed_at >= ?")
                params.append(parse_moment(snap_or_time))
        if by:
            where.append("by_name = ?")
            params.append(by)
        corrections_where = list(where)
        cparams = list(params)
        if unit:
            corrections_where.append("unit_id = ?")
            cparams.append(unit)
        if table:
            corrections_where.append("tbl = ?")
            cparams.append(table)
        if key:
            if table is None:
                raise StoreError("--id needs --table")
            corrections_where.append("record = ?")
            cparams.append(record_id(parse_key(TABLES[table], key)))
        sql = ("SELECT batch_id, changed_at, by_name, 'correction', tbl, year, unit_id, record, col, old_value, new_value, "
               "reason, evidence, evidence_sha256 FROM audit_log"
               + (" WHERE " + " AND ".join(corrections_where) if corrections_where else ""))
        rows = self.db.query(sql, cparams)
        if key is None:
            bwhere = [w.replace("changed_at >=", "submitted_at >=").replace("by_name", "submitted_by") for w in where]
            bparams = list(params)
            if unit:
                bwhere.append("(unit_filter IS NULL OR unit_filter = ?)")
                bparams.append(unit)
            bsql = ("SELECT batch_id, submitted_at, submitted_by, kind, status, year_filter, unit_filter, note, "
                    "row_count, problems, source FROM batches WHERE kind = 'import'"
                    + ("".join(" AND " + w for w in bwhere)))
            for b, at, who, kind, status, yf, uf, note, count, probs, source in self.db.query(bsql, bparams):
                if table:
                    tables = {r[0] for r in self.db.query("SELECT tbl FROM batch_files WHERE batch_id = ?", [b])}
                    if table not in tables and status != "rejected":
                        continue
                n_problems = len((json.loads(probs) or {}).get("problems", [])) if status == "rejected" and probs else 0
                rows.append((b, at, who, "import" if status == "accepted" else "rejected", table, yf, uf, None, None,
                             None, f"{count:,} record(s)" if status == "accepted" else f"{n_problems} problem(s)",
                             note, source, None))
        columns = ["batch", "at", "by", "kind", "table", "year", "unit_id", "record", "column", "old", "new",
                   "reason", "evidence", "evidence_sha256"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["record"] = frame["record"].map(lambda r: show_record(r) if isinstance(r, str) else None)
        frame["year"] = frame["year"].map(lambda y: None if y is None or pd.isna(y) or int(y) == 0 else int(y)).astype("Int64")
        return frame.sort_values(["batch", "column"], na_position="first", kind="stable").reset_index(drop=True)

    def status(self) -> pd.DataFrame:
        """Visible record counts per table and year at the current snapshot."""
        snapshot = self.snapshot()
        out = []
        for name, table in TABLES.items():
            files = self.effective_files(name, snapshot)
            for yr in sorted({f["year"] for f in files}):
                vis, params = self._visible(name, snapshot, yr if table.scope == "year" else None)
                n = self.db.scalar(f'SELECT COUNT(*) FROM "{data_table(name)}" d WHERE {vis}', params)
                batches = sorted({f["batch"] for f in files if f["year"] == yr})
                out.append({"table": name, "year": yr or pd.NA, "records": int(n),
                            "batches": ", ".join(map(str, batches))})
        frame = pd.DataFrame(out, columns=["table", "year", "records", "batches"])
        frame["year"] = frame["year"].astype("Int64")
        return frame

    def counts(self) -> dict[str, int]:
        """Stored rows per data table and system table (every version; for checks)."""
        out = {}
        for name in TABLES:
            out[data_table(name)] = int(self.db.scalar(f'SELECT COUNT(*) FROM "{data_table(name)}"'))
        for name in ("batches", "batch_files", "corrections", "audit_log", "documents"):
            out[name] = int(self.db.scalar(f"SELECT COUNT(*) FROM {name}"))
        return out

    def years(self, snapshot: int) -> list[int]:
        rows = self.db.query("SELECT DISTINCT year FROM batch_files WHERE status = 'imported' AND year > 0 "
                             "AND batch_id <= ? ORDER BY year", [snapshot])
        return [int(r[0]) for r in rows]

    # --- export ---------------------------------------------------------------------------
    def _slices(self, snapshot: int, years: list[int] | None) -> list[tuple[str, int | None, list[dict]]]:
        """(table, year or None, effective files) of every table-year visible at ``snapshot``
        (of ``years`` only, when given; district tables always)."""
        stored_years = self.years(snapshot)
        wanted = stored_years if years is None else [y for y in years if y in stored_years]
        if years is not None and not wanted:
            raise StoreError(f"no data for {', '.join(map(str, years))} in the store at snapshot {snapshot} "
                             f"(years: {', '.join(map(str, stored_years)) or 'none'})")
        out = []
        for name, table in TABLES.items():
            for yr in ([None] if table.scope == "district" else wanted):
                files = self.effective_files(name, snapshot, yr)
                if files:
                    out.append((name, yr, files))
        return out

    def _select(self, name: str, snapshot: int, year: int | None,
                columns: Iterable[str] | None = None) -> tuple[str, list]:
        """The query of the records of ``name`` (of ``year``) visible at ``snapshot``, in file
        order. DuckDB returns a table's rows in the order they were written, which is file
        order unless a correction appended a newer version: only then (and always on
        PostgreSQL, which promises no order) is the query sorted."""
        table = TABLES[name]
        vis, params = self._visible(name, snapshot, year)
        wanted = table.column_names if columns is None else [c for c in table.column_names
                                                             if c in set(columns) | {"unit_id"}]
        cols = ", ".join(f'd."{c}"' for c in wanted)
        sql = f'SELECT {cols} FROM "{data_table(name)}" d WHERE {vis}'
        if self.db.dialect != "duckdb" or name in self._index(snapshot)["corrected"]:
            sql += " ORDER BY d._origin, d._row"
        return sql, params

    def provenance(self, snapshot: int, slices) -> dict[str, str]:
        """What the data visible at ``snapshot`` rest on: every submitted file behind
        ``slices`` (its path in the submitted folder → SHA-256; a path submitted in several
        batches is told apart by ``(batch N)``), ``workdays.csv`` when submitted, and every
        correction (``correction N: table key`` → SHA-256 of its audit entries)."""
        provenance: dict[str, str] = {}
        for _name, _yr, files in slices:
            paths: dict[str, list[dict]] = {}
            for f in files:
                paths.setdefault(f["path"], []).append(f)
            for path, fs in paths.items():
                for f in fs:
                    label = path if len(fs) == 1 and path not in provenance else f"{path} (batch {f['batch']})"
                    provenance[label] = f["sha256"]
        documents = self.documents(snapshot)
        if WORKDAYS_FILE in documents:
            provenance[WORKDAYS_FILE] = _sha_bytes(documents[WORKDAYS_FILE])
        for batch, tbl, record in self.db.query(
                "SELECT batch_id, tbl, record FROM corrections WHERE batch_id <= ? ORDER BY batch_id", [snapshot]):
            audit = self.db.query("SELECT col, old_value, new_value, reason FROM audit_log WHERE batch_id = ? "
                                  "ORDER BY col", [batch])
            provenance[f"correction {batch}: {tbl} {show_record(record)}"] = _sha_bytes(
                json.dumps(audit, ensure_ascii=False, default=str).encode())
        return dict(sorted(provenance.items()))

    def write_documents(self, dest: str | Path, snapshot: int) -> None:
        """The configuration documents visible at ``snapshot`` into the folder ``dest``."""
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        for name, content in self.documents(snapshot).items():
            (dest / name).write_bytes(content)

    def export(self, dest: str | Path, snapshot: int | None = None, years: list[int] | None = None) -> dict[str, str]:
        """Write the data visible at ``snapshot`` as a data directory: every table as Parquet
        (``units.parquet``, ``2024/service_cases.parquet`` …, in the stored types, in file
        order) and the configuration documents. Returns the *provenance* of that data
        (:meth:`provenance`)."""
        snapshot = self.snapshot() if snapshot is None else snapshot
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        slices = self._slices(snapshot, years)
        for name, yr, _files in slices:
            target = dest / (f"{name}.parquet" if yr is None else f"{yr}/{name}.parquet")
            target.parent.mkdir(parents=True, exist_ok=True)
            sql, params = self._select(name, snapshot, yr)
            with atomic_path(target, fsync=False) as tmp:
                if hasattr(self.db, "copy_parquet"):
                    self.db.copy_parquet(sql, params, tmp)
                else:
                    pq.write_table(_typed(self.db.arrow(sql, params), TABLES[name], False), tmp)
        self.write_documents(dest, snapshot)
        return self.provenance(snapshot, slices)

    def read(self, snapshot: int | None = None, years: list[int] | None = None, *,
             root: Path | None = None, columns: Mapping[str, Iterable[str] | None] | None = None) -> Dataset:
        """The data visible at ``snapshot`` as a :class:`~evalkit.data.dataset.Dataset`, read
        straight from the query results as :func:`~evalkit.data.dataset.read_dataset` reads
        Parquet files (:class:`~evalkit.data.reading.ArrowTable`: the same conversions; the
        large event tables deferred), without writing anything. ``files`` is the snapshot's
        provenance (:meth:`provenance`); ``workday_overrides`` come from the submitted
        ``workdays.csv``; ``root`` (default ``<store>``) names the data in messages;
        ``columns``: table → the columns to read, as for ``read_dataset`` (``unit_id``
        always; tables not named are read whole)."""
        from ..data.dataset import CATEGORICAL_UNIT_TABLES
        from ..data.reading import ArrowTable
        from ..data.workdays import load_overrides

        snapshot = self.snapshot() if snapshot is None else snapshot
        slices = self._slices(snapshot, years)
        tables: dict = {}
        unit_ids = None
        order = sorted(slices, key=lambda sl: (sl[1] is not None, sl[1] or 0, sl[0] != "units", sl[0]))
        for name, yr, _files in order:
            table = TABLES[name]
            wanted = None if columns is None else columns.get(name)
            sql, params = self._select(name, snapshot, yr, wanted)
            data = _typed(self.db.arrow(sql, params), table, False, partial=wanted is not None)
            display = f"{name} (store, snapshot {snapshot})" if yr is None else f"{yr}/{name} (store, snapshot {snapshot})"
            categorical = name in CATEGORICAL_UNIT_TABLES
            source = ArrowTable(data, display, table, wanted, unit_ids, categorical)
            tables[(yr, name)] = source if categorical and source.num_rows else source.load()
            if name == "units":
                unit_ids = pd.Index(tables[(yr, name)]["unit_id"].astype(str))
        documents = self.documents(snapshot)
        overrides = None
        if WORKDAYS_FILE in documents:
            with tempfile.TemporaryDirectory(prefix="evalkit-workdays-") as tmp:
                (Path(tmp) / WORKDAYS_FILE).write_bytes(documents[WORKDAYS_FILE])
                overrides = load_overrides(Path(tmp) / WORKDAYS_FILE)
        found_years = sorted({yr for _n, yr, _f in slices if yr is not None})
        return Dataset(root=root or Path("<store>"), years=tuple(found_years), tables=tables,
                       files=self.provenance(snapshot, slices), warnings=(), validated=False,
                       workday_overrides=overrides)

    @contextmanager
    def dataset(self, snapshot: int | None = None, *, columns=None) -> Iterator[tuple]:
        """``(dataset, data_dir)`` of the data at ``snapshot`` (:meth:`read`), with the
        configuration documents written into a temporary folder (removed afterwards)."""
        snapshot = self.snapshot() if snapshot is None else snapshot
        with tempfile.TemporaryDirectory(prefix="evalkit-store-") as tmp:
            self.write_documents(tmp, snapshot)
            yield self.read(snapshot, root=Path(tmp)), Path(tmp)


class _Unchanged(Exception):
    pass


def _problem_list(problems: list[Problem]) -> list[dict]:
    return [{"file": p.file, "row": p.row, "column": p.column, "expected": p.expected, "found": p.found,
             "severity": p.severity} for p in problems]


def parse_key(table: Table, key: str) -> list[str]:
    """``--id`` text as the key's values in order: ``VALUE`` for a one-column key, else
    ``col=value,col=value`` or the values comma-separated in the key's order."""
    text = str(key).strip()
    parts = [p.strip() for p in text.split(",")] if len(table.key) > 1 else [text]
    if len(table.key) > 1 and all("=" in p for p in parts):
        named = dict(p.split("=", 1) for p in parts)
        named = {k.strip(): v.strip() for k, v in named.items()}
        if set(named) != set(table.key):
            raise StoreError(f"--id: the key of '{table.name}' is {', '.join(table.key)}; found "
                             f"{', '.join(named)}")
        return [named[k] for k in table.key]
    if len(parts) != len(table.key):
        raise StoreError(f"--id: the key of '{table.name}' has {len(table.key)} columns "
                         f"({', '.join(table.key)}): give them as {','.join(table.key)} values or "
                         f"{','.join(k + '=…' for k in table.key)}; found '{text}'")
    return parts


def _typed(arrow: pa.Table, table: Table, system: bool, *, partial: bool = False) -> pa.Table:
    """A query result in the stored Arrow types (PostgreSQL's rows come untyped);
    ``partial``: only the contract columns the query selected."""
    fields = [pa.field(c.name, ARROW_TYPES[c.dtype]) for c in table.columns
              if not partial or c.name in arrow.column_names]
    if system:
        fields += [pa.field(n, pa.int64()) for n in SYSTEM_COLUMNS]
    arrays = []
    for f in fields:
        col = arrow.column(f.name)
        if col.type != f.type:
            col = col.cast(f.type) if not pa.types.is_null(col.type) else pa.nulls(len(col), f.type)
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def init_store(url: str | Path) -> tuple[Store, bool]:
    """Create the store at ``url`` (or open it when it exists); (store, created)."""
    backend = connect(url, create=True)
    store = Store(backend)
    tables = backend.table_columns()
    created = "evalkit_meta" not in tables
    if created:
        with backend.transaction():
            for sql in system_ddl(backend.dialect):
                backend.execute(sql)
            for table in TABLES.values():
                backend.execute(data_ddl(table, backend.dialect))
            store._set_meta({"schema_version": str(SCHEMA_VERSION), "contract_sha256": contract_fingerprint(),
                             "store_id": str(uuid.uuid4()),
                             "created_at": _now().isoformat(timespec="seconds") + "Z"})
    else:
        store.check_schema()
    return store, created


def open_store(url: str | Path, *, read_only: bool = False, check: bool = True,
               busy_timeout: float | None = None) -> Store:
    """Open an existing store (DuckDB path or PostgreSQL URL)."""
    kwargs = {} if busy_timeout is None else {"busy_timeout": busy_timeout}
    if os.environ.get("EVALKIT_DB_BUSY_TIMEOUT"):
        kwargs["busy_timeout"] = float(os.environ["EVALKIT_DB_BUSY_TIMEOUT"])
    store = Store(connect(url, read_only=read_only, **kwargs))
    if check:
        try:
            store.check_schema()
        except Exception:
            store.close()
            raise
    return store
