"""The two database engines behind the efficiency database: embedded DuckDB and PostgreSQL.

Everything above this module speaks one dialect — the SQL both engines share, with ``?``
placeholders — and calls :class:`Backend`'s few methods: ``execute``/``query`` for
statements, ``insert_arrow`` for a bulk insert of an Arrow table, ``arrow`` for a query's
result as an Arrow table, and ``transaction()`` for a unit of work. The differences live
here:

DuckDB (``evalkit db … --db PATH``; the default)
    One file. DuckDB lets one process at a time open a file for writing: a second process
    (a writer, or a reader while someone writes) retries for ``busy_timeout`` seconds and
    then fails with "database busy" — never a half-open or corrupt store. A transaction
    that has not committed when its process dies is rolled back when the file is next
    opened (DuckDB's write-ahead log). Only what the ``duckdb`` wheel bundles is used (no
    extension that downloads at run time).

PostgreSQL (``--db postgresql://…``; ``pip install "evalkit[server]"``)
    Through psycopg 3. Several evaluators work at once: every write transaction first
    takes one transaction-level advisory lock (:data:`WRITE_LOCK`), so that writes are
    serialised and snapshot numbers (:mod:`evalkit.store.store`) are handed out in commit
    order — a snapshot, once visible, never changes. Readers never wait.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pyarrow as pa

from ..errors import EvalkitError

#: Seconds a DuckDB store that another process holds is retried before "database busy".
BUSY_TIMEOUT = 30.0
#: The PostgreSQL advisory-lock key every write transaction holds (serialises writers).
WRITE_LOCK = 0x6576616C6B6974  # "evalkit"


class StoreError(EvalkitError):
    """A problem with the efficiency database (busy, missing, wrong version, bad request)."""


class StoreBusy(StoreError):
    """Another process holds the (DuckDB) store for longer than the caller waits."""


def is_postgres(url: str) -> bool:
    return str(url).startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """``url`` without its password (what messages and manifests show; libpq then takes the
    password from ``PGPASSWORD`` or ``~/.pgpass``)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1@", str(url))


class Backend:
    """One open connection. ``dialect`` is ``duckdb`` or ``postgresql``."""

    dialect: str
    url: str

    def execute(self, sql: str, params: tuple | list = ()) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        raise NotImplementedError

    def arrow(self, sql: str, params: tuple | list = ()) -> pa.Table:
        raise NotImplementedError

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError

    def table_columns(self) -> dict[str, list[str]]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def scalar(self, sql: str, params: tuple | list = ()):
        rows = self.query(sql, params)
        return rows[0][0] if rows else None


# ----------------------------------------------------------------------------------------
# DuckDB
# ----------------------------------------------------------------------------------------

def _duckdb_busy(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text or "lock on file" in text


class DuckDBBackend(Backend):
    dialect = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = False,
                 busy_timeout: float = BUSY_TIMEOUT):
        import duckdb

        self.path = Path(path)
        self.url = str(path)
        if not create and not self.path.is_file():
            raise StoreError(f"no efficiency database at {self.path}: create it with "
                             f"`evalkit db init --db {self.path}`")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + busy_timeout
        delay = 0.05
        while True:
            try:
                self.con = duckdb.connect(str(self.path), read_only=read_only,
                                          config={"autoinstall_known_extensions": False,
                                                  "autoload_known_extensions": False})
                break
            except duckdb.IOException as exc:
                if not _duckdb_busy(exc):
                    raise StoreError(f"{self.path}: cannot be opened as an efficiency database "
                                     f"({str(exc).splitlines()[0]})") from None
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"database busy: another evalkit process is using {self.path}; "
                                    f"waited {busy_timeout:g} s. Try again when it has finished.") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.Error as exc:
                raise StoreError(f"{self.path}: cannot be opened as an efficiency database "
                                 f"({str(exc).splitlines()[0]})") from None
        self._depth = 0

    def execute(self, sql, params=()):
        self.con.execute(sql, list(params))

    def query(self, sql, params=()):
        return self.con.execute(sql, list(params)).fetchall()

    def arrow(self, sql, params=()):
        if hasattr(self.con, "sql"):
            try:
                return self.con.sql(sql, params=list(params) or None).to_arrow_table()
            except (TypeError, AttributeError):
                pass
        result = self.con.execute(sql, list(params))
        for name in ("to_arrow_table", "fetch_arrow_table", "arrow"):  # DuckDB 2 / 1.x
            method = getattr(result, name, None)
            if method is not None:
                table = method()
                return table if isinstance(table, pa.Table) else table.read_all()
        raise StoreError("this duckdb version cannot return Arrow tables")

    def insert_arrow(self, table, data):
        # The Arrow table as a relation named for this statement only. Not through
        # register(): the view it makes is dropped only at commit, which keeps every table
        # inserted in a transaction in memory until then (1.2 GB for 10 M service cases).
        cols = ", ".join(f'"{c}"' for c in data.column_names)
        self.con.from_arrow(data).query("_evalkit_insert",
                                        f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM _evalkit_insert')

    def copy_parquet(self, sql: str, params: tuple | list, path: Path) -> None:
        """Write the result of ``sql`` to a Parquet file (DuckDB's own writer)."""
        import duckdb

        # COPY takes no parameters: bind them by creating a temporary view first
        self.con.execute("CREATE OR REPLACE TEMP VIEW _evalkit_copy AS " + _inline(sql, params))
        try:
            self.con.execute(f"COPY (SELECT * FROM _evalkit_copy) TO '{_quote_path(path)}' "
                             "(FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 1048576)")
        except duckdb.Error as exc:
            raise StoreError(f"cannot write {path}: {str(exc).splitlines()[0]}") from None
        finally:
            self.con.execute("DROP VIEW IF EXISTS _evalkit_copy")

    @contextmanager
    def transaction(self):
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            try:
                self.con.execute("ROLLBACK")
            except Exception:
                pass
            raise
        self._depth = 0
        self.con.execute("COMMIT")

    def table_columns(self):
        out: dict[str, list[str]] = {}
        for table, column in self.query(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"):
            out.setdefault(table, []).append(column)
        return out

    def close(self):
        try:
            self.con.close()
        except Exception:
            pass


def _quote_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _inline(sql: str, params) -> str:
    """``sql`` with its ``?`` placeholders replaced by literals (for statements that take no
    parameters, e.g. DuckDB's COPY; values are quoted, never interpreted)."""
    parts = sql.split("?")
    if len(parts) - 1 != len(params):
        raise ValueError("placeholder count does not match the parameters")
    out = [parts[0]]
    for value, rest in zip(params, parts[1:]):
        out += [_literal(value), rest]
    return "".join(out)


# ----------------------------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------------------------

def _pg_sql(sql: str) -> str:
    """Our ``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresBackend(Backend):
    dialect = "postgresql"

    def __init__(self, url: str, *, read_only: bool = False, create: bool = False,
                 busy_timeout: float = BUSY_TIMEOUT):
        try:
            import psycopg
        except ImportError:
            raise StoreError("a PostgreSQL efficiency database needs psycopg: "
                             'pip install "evalkit[server]"') from None
        self.url = url
        try:
            self.con = psycopg.connect(url, autocommit=True, connect_timeout=int(max(busy_timeout, 1)))
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {redact(url)}: {str(exc).strip().splitlines()[0]}") from None
        self._depth = 0

    def _run(self, sql, params):
        import psycopg

        try:
            cur = self.con.execute(_pg_sql(sql), list(params) or None)
        except psycopg.errors.UndefinedTable as exc:
            raise StoreError(f"{redact(self.url)} is not an efficiency database (or an older one): "
                             f"{str(exc).strip().splitlines()[0]}; run `evalkit db init`") from None
        return cur

    def execute(self, sql, params=()):
        self._run(sql, params)

    def query(self, sql, params=()):
        cur = self._run(sql, params)
        return cur.fetchall() if cur.description else []

    def arrow(self, sql, params=()):
        cur = self._run(sql, params)
        names = [d.name for d in cur.description]
        rows = cur.fetchall()
        columns = list(zip(*rows)) if rows else [[] for _ in names]
        return pa.table({n: pa.array(list(c)) if rows else pa.array([], pa.null())
                         for n, c in zip(names, columns)})

    def insert_arrow(self, table, data):
        """COPY in CSV, written by Arrow a batch at a time (no Python object per value).
        An empty field is NULL; the data hold no empty strings (validation reads "" as
        missing), and Arrow quotes every non-empty text value."""
        import io

        import pyarrow.csv as pacsv

        cols = ", ".join(f'"{c}"' for c in data.column_names)
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        with self.con.cursor() as cur:
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN WITH (FORMAT csv)') as copy:
                for batch in data.to_batches(max_chunksize=100_000):
                    buffer = io.BytesIO()
                    pacsv.write_csv(pa.Table.from_batches([batch]), buffer, options)
                    copy.write(buffer.getvalue())

    @contextmanager
    def transaction(self):
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self.con.transaction():
            self._depth = 1
            try:
                # writers one at a time, so that snapshot numbers follow commit order
                self.con.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                yield
            finally:
                self._depth = 0

    def table_columns(self):
        out: dict[str, list[str]] = {}
        for table, column in self.query(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"):
            out.setdefault(table, []).append(column)
        return out

    def close(self):
        try:
            self.con.close()
        except Exception:
            pass


def connect(url: str | Path, *, read_only: bool = False, create: bool = False,
            busy_timeout: float = BUSY_TIMEOUT) -> Backend:
    """Open the store at ``url``: a PostgreSQL URL or a DuckDB file path."""
    if is_postgres(str(url)):
        return PostgresBackend(str(url), read_only=read_only, create=create, busy_timeout=busy_timeout)
    return DuckDBBackend(url, read_only=read_only, create=create, busy_timeout=busy_timeout)
