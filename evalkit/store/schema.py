"""The efficiency database's schema, derived from the data contract.

Every contract table ``T`` (:data:`evalkit.data.contract.TABLES`) becomes ``data_T`` with the
contract's columns in SQL types plus five system columns:

``_origin``
    the import batch the record came in with;
``_batch``
    the batch that wrote this version (= ``_origin`` for the imported version, a
    correction's batch for a corrected one);
``_file``
    the ``batch_files`` row of the file it came from (path, SHA-256; submitter and time
    through ``batches``);
``_year``
    the year folder (0 for district tables);
``_row``
    the row number in that file as the user sees it.

Nothing in a data table is ever updated or deleted: a correction appends a version, a
re-submission appends a batch that supersedes the earlier one for its scope. The system
tables record the rest: ``batches`` (one per import, rejected submission or correction;
its id is the store's *snapshot* number), ``batch_files`` (each file of an import with its
scope and SHA-256), ``corrections`` (the record versions a correction wrote),
``audit_log`` (every changed value with its reason), ``documents`` (the configuration files
and working-day overrides submitted with the data) and ``evalkit_meta`` (schema version,
the contract's fingerprint, the store's id).

:data:`SCHEMA_VERSION` numbers the layout of the system tables; a change of the data
contract (a new table or column) is found by comparing the store with the contract and
applied by ``evalkit db migrate`` (additive only: a column is never dropped or retyped).
"""

from __future__ import annotations

import hashlib
import json

from ..data.contract import TABLES, Table

#: Version of the system tables' layout; a store with another is refused until migrated.
SCHEMA_VERSION = 1

#: Contract type → SQL type, per dialect.
SQL_TYPES = {
    "duckdb": {"id": "VARCHAR", "text": "VARCHAR", "category": "VARCHAR", "int": "BIGINT",
               "float": "DOUBLE", "money": "DOUBLE", "bool": "BOOLEAN", "date": "DATE",
               "datetime": "TIMESTAMP"},
    "postgresql": {"id": "TEXT", "text": "TEXT", "category": "TEXT", "int": "BIGINT",
                   "float": "DOUBLE PRECISION", "money": "DOUBLE PRECISION", "bool": "BOOLEAN",
                   "date": "DATE", "datetime": "TIMESTAMP"},
}
_BLOB = {"duckdb": "BLOB", "postgresql": "BYTEA"}
_TEXT = {"duckdb": "VARCHAR", "postgresql": "TEXT"}

#: System columns of every data table, in order.
SYSTEM_COLUMNS = ("_origin", "_batch", "_file", "_year", "_row")


def data_table(name: str) -> str:
    """The SQL table holding contract table ``name``."""
    return f"data_{name}"


def system_ddl(dialect: str) -> list[str]:
    t, blob = _TEXT[dialect], _BLOB[dialect]
    return [
        f"CREATE TABLE IF NOT EXISTS evalkit_meta (key {t} PRIMARY KEY, value {t})",
        f"""CREATE TABLE IF NOT EXISTS batches (
            batch_id BIGINT PRIMARY KEY, kind {t} NOT NULL, status {t} NOT NULL,
            submitted_by {t} NOT NULL, submitted_at TIMESTAMP NOT NULL, note {t},
            source {t}, year_filter INTEGER, unit_filter {t}, row_count BIGINT, problems {t})""",
        f"""CREATE TABLE IF NOT EXISTS batch_files (
            file_id BIGINT PRIMARY KEY, batch_id BIGINT NOT NULL, tbl {t} NOT NULL,
            year INTEGER NOT NULL, unit_id {t}, path {t} NOT NULL, sha256 {t} NOT NULL,
            row_count BIGINT NOT NULL, status {t} NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS corrections (
            batch_id BIGINT NOT NULL, tbl {t} NOT NULL, origin BIGINT NOT NULL, record {t} NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS audit_log (
            audit_id BIGINT PRIMARY KEY, batch_id BIGINT NOT NULL, changed_at TIMESTAMP NOT NULL,
            by_name {t} NOT NULL, tbl {t} NOT NULL, year INTEGER NOT NULL, unit_id {t},
            record {t} NOT NULL, col {t} NOT NULL, old_value {t}, new_value {t},
            reason {t} NOT NULL, evidence {t}, evidence_sha256 {t})""",
        f"""CREATE TABLE IF NOT EXISTS documents (
            batch_id BIGINT NOT NULL, name {t} NOT NULL, sha256 {t} NOT NULL, content {blob} NOT NULL)""",
    ]


def column_ddl(table: Table, dialect: str) -> list[tuple[str, str]]:
    types = SQL_TYPES[dialect]
    cols = [(c.name, types[c.dtype]) for c in table.columns]
    cols += [("_origin", "BIGINT NOT NULL"), ("_batch", "BIGINT NOT NULL"), ("_file", "BIGINT NOT NULL"),
             ("_year", "INTEGER NOT NULL"), ("_row", "BIGINT NOT NULL")]
    return cols


def data_ddl(table: Table, dialect: str) -> str:
    cols = ", ".join(f'"{n}" {t}' for n, t in column_ddl(table, dialect))
    return f'CREATE TABLE IF NOT EXISTS "{data_table(table.name)}" ({cols})'


def contract_fingerprint() -> str:
    """SHA-256 of the contract's tables, columns and types (what the data tables hold)."""
    shape = {name: [(c.name, c.dtype) for c in t.columns] for name, t in sorted(TABLES.items())}
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


def pending_changes(existing: dict[str, list[str]], dialect: str) -> list[str]:
    """The statements that bring a store's data tables up to the contract (new tables, new
    columns; all additive), given its tables → columns."""
    out = []
    for name, table in TABLES.items():
        sql_name = data_table(name)
        if sql_name not in existing:
            out.append(data_ddl(table, dialect))
            continue
        have = set(existing[sql_name])
        for col, typ in column_ddl(table, dialect):
            if col not in have:
                out.append(f'ALTER TABLE "{sql_name}" ADD COLUMN "{col}" {typ.replace(" NOT NULL", "")}')
    return out
