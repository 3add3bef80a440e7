"""Checking a large file chunk by chunk, with the problems of the whole file.

A ten-million-row file checked whole is held several times over (the cells as read, the
converted table, a copy for the database). :func:`check_chunks` instead converts and checks
one chunk of rows at a time with :func:`~evalkit.data.validation.check_table` — the same
code, so the same conversions and messages — and hands each checked chunk to the caller
(the efficiency database appends it), keeping of the whole table only what the checks
across rows need: the key, the columns of constant values and their groups, and the
columns the checks across tables read (``keep``).

The problems are those :func:`check_table` gives for the whole file, in its order:

1. the checks within a row (cells, ranges, dates, orders, the table's rules in
   ``_TABLE_RULES``, which must stay row-local) run on every chunk; each list stops after
   ``MAX_ROWS_PER_CHECK`` rows with a count of the rest, so a chunk names at least the first
   rows of the file that each check lists;
2. the checks across rows (unique key, values constant within a group) need only the rows
   of a repeated key or of a group whose value varies, found on the kept columns;
3. the rows of 1 and 2 are read again and checked together as one table with
   :func:`check_table`: its problems come out in the whole file's order with the whole
   file's messages, and the counts a list summarises (``the same problem on N more
   row(s)``, ``… on N row(s), first …``) are then set to the sums over the chunks.

Only a file with problems is read twice, and the second time only its rows named above are
kept. One conversion depends on the whole column and may differ by chunk: a Parquet float
column read as text (an id column written as floats) is shown as whole numbers only when
every value of the column — here: of the chunk — is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Problem
from .contract import Table
from .loading import RawFile
from .validation import CheckedTable, _match_headers, check_table

__all__ = ["check_chunks"]

#: A summary line of a capped list (row_problems, invisible characters): the rows not listed.
_MORE = re.compile(r"^(the same (?:problem )?on )([\d,]+)( more row\(s\).*)$", re.S)
#: A warning that counts its rows in one line (full-width digits, dates without a time).
_COUNTED = re.compile(r"^((?:full-width digits or signs|a date without a time) on )([\d,]+)( row\(s\), first .*)$",
                      re.S)


@dataclass
class _Tally:
    """One check's problems over the chunks: rows found, and a summary line to copy."""

    count: int = 0
    summary: Problem | None = None
    counted: bool = False


def _check_of(p: Problem) -> tuple:
    # What tells one check's problems from another's: no two checks share column,
    # expectation and severity.
    return (p.column, p.expected, p.severity)


def _add(tallies: dict[tuple, _Tally], problems: list[Problem]) -> None:
    for p in problems:
        t = tallies.setdefault(_check_of(p), _Tally())
        counted = _COUNTED.match(p.found) if p.row is not None else None
        more = _MORE.match(p.found) if p.row is None else None
        if counted:
            t.count += int(counted.group(2).replace(",", ""))
            t.counted = True
        elif more:
            t.count += int(more.group(2).replace(",", ""))
            t.summary = p
        elif p.row is not None:
            t.count += 1


def _with_counts(problems: list[Problem], tallies: dict[tuple, _Tally]) -> list[Problem]:
    """The problems of the rows read again, with the counts of the whole file. A check's
    problems are consecutive: its listed rows, then the line counting the rest."""
    out: list[Problem] = []
    i = 0
    while i < len(problems):
        check = _check_of(problems[i])
        j = i
        while j < len(problems) and _check_of(problems[j]) == check:
            j += 1
        run, i = problems[i:j], j
        t = tallies.get(check)
        if t is None:  # a check across rows: it saw every row that matters to it
            out += run
        elif t.counted:
            out += [replace(p, found=_COUNTED.sub(lambda m: f"{m.group(1)}{t.count:,}{m.group(3)}", p.found))
                    for p in run]
        else:
            listed = [p for p in run if p.row is not None]
            out += listed
            rest = t.count - len(listed)
            template = next((p for p in run if p.row is None), t.summary)
            if rest > 0 and template is not None:
                out.append(replace(template, found=_MORE.sub(lambda m: f"{m.group(1)}{rest:,}{m.group(3)}",
                                                             template.found)))
    return out


def _combined(parts: list[pa.Array]) -> pa.ChunkedArray:
    """The chunks' arrays of one column as one (a chunk without any value is untyped)."""
    types = {a.type for a in parts if not pa.types.is_null(a.type)}
    typ = types.pop() if len(types) == 1 else pa.string() if types else pa.null()
    return pa.chunked_array([a if a.type == typ else a.cast(typ) for a in parts], type=typ)


def _arrow(series: pd.Series) -> pa.Array:
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                         for v in series], type=pa.string())


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Codes of equal values; a missing text value and the text 'None' share one, as they
    do for ``check_table`` (which compares keys as text)."""
    if pa.types.is_null(column.type):
        column = column.cast(pa.string())
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = pc.fill_null(column, "None")
    encoded = pc.dictionary_encode(column).combine_chunks()
    return pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _repeated_keys(columns: list[pa.ChunkedArray]) -> np.ndarray:
    """True for each row whose key occurs on another row too (a superset of what the
    unique-key check compares, never a subset)."""
    codes = [_codes(c) for c in columns]
    if len(codes) == 1:
        if codes[0].size == 0 or codes[0].max() + 1 == codes[0].size and (codes[0] >= 0).all():
            return np.zeros(codes[0].size, dtype=bool)  # as many distinct values as rows
        return pd.Series(codes[0]).duplicated(keep=False).to_numpy()
    return pd.DataFrame(dict(enumerate(codes))).duplicated(keep=False).to_numpy()


def _varying_groups(kept: dict[str, pa.ChunkedArray], table: Table, headers: dict[str, str]) -> np.ndarray:
    """True for each row of a group in which a column that should be constant varies."""
    n = len(next(iter(kept.values()))) if kept else 0
    out = np.zeros(n, dtype=bool)
    columns = [c for c in table.constant_columns if c in headers]
    if not columns or n == 0:
        return out
    frame = pd.DataFrame({c: kept[c].to_pandas() for c in set(table.constant_within) | set(columns)})
    groups = frame.groupby(list(table.constant_within), sort=False, dropna=True)
    for col in columns:
        out |= (groups[col].transform("nunique") > 1).fillna(False).to_numpy(dtype=bool)
    return out


def _rows_again(chunks: Iterator[RawFile], wanted: np.ndarray, first: RawFile) -> RawFile:
    """The records of the file whose row numbers are in ``wanted``, as one :class:`RawFile`."""
    frames, rows = [], []
    for raw in chunks:
        pick = np.isin(raw.row_numbers, wanted)
        if pick.any():
            frames.append(raw.frame[pick])
            rows.append(raw.row_numbers[pick])
    frame = pd.concat(frames, ignore_index=True) if frames else first.frame
    return replace(first, frame=frame, row_numbers=np.concatenate(rows) if rows else first.row_numbers)


def check_chunks(chunks: Callable[[], Iterator[RawFile]], table: Table, year: int | None, *,
                 keep: Iterable[str] = (), on_chunk: Callable[[CheckedTable], None] | None = None
                 ) -> tuple[CheckedTable | None, list[Problem]]:
    """Check a file given as chunks of rows (``chunks()``: a fresh iterator over them, in
    file order, called a second time only when the file has problems) as
    :func:`~evalkit.data.validation.check_table` checks it whole.

    ``on_chunk`` receives each checked chunk (contract types, the file's row numbers) while
    no error has been found in the file. Returns the problems — those of ``check_table`` on
    the whole file — and, unless the header is wrong, a :class:`CheckedTable` of the whole
    file holding only the columns ``keep`` (their rows and row numbers: what the checks
    across tables read; text as categorical) — or ``(None, problems)`` as ``check_table``.
    """
    header_problems: list[Problem] | None = None
    headers: dict[str, str] = {}
    first: RawFile | None = None
    tallies: dict[tuple, _Tally] = {}
    named: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    wanted_columns: list[str] = []
    kept: dict[str, list[pa.Array]] = {}
    failed = False
    for raw in chunks():
        if first is None:
            headers, header_problems = _match_headers(raw, table)
            if len(raw.frame) == 0 or any(p.severity == "error" for p in header_problems):
                ct, problems = check_table(raw, table, year)
                if ct is not None and on_chunk is not None and not any(p.severity == "error" for p in problems):
                    on_chunk(ct)
                return ct, problems
            first = replace(raw, frame=raw.frame.iloc[:0].copy(), row_numbers=raw.row_numbers[:0].copy())
            wanted_columns = list(dict.fromkeys([*table.key, *table.constant_within, *table.constant_columns,
                                                 *keep]))
            kept = {c: [] for c in wanted_columns}
        if len(raw.frame) == 0:
            continue
        ct, problems = check_table(raw, table, year, whole_table=False)
        found = [p for p in problems if p not in header_problems]
        _add(tallies, found)
        named.append(np.asarray([p.row for p in found if p.row is not None], dtype=np.int64))
        failed |= any(p.severity == "error" for p in found)
        for c in wanted_columns:
            kept[c].append(_arrow(ct.frame[c]))
        rows.append(np.asarray(ct.rows, dtype=np.int64))
        if on_chunk is not None and not failed:
            on_chunk(ct)
        del ct, raw
    columns = {c: _combined(parts) for c, parts in kept.items()}
    all_rows = np.concatenate(rows)
    across = _repeated_keys([columns[c] for c in table.key]) | _varying_groups(columns, table, headers)
    again = np.union1d(np.concatenate(named), all_rows[across])
    if again.size:
        _, problems = check_table(_rows_again(chunks(), again, first), table, year)
        problems = _with_counts(problems, tallies)
    else:
        problems = list(header_problems)
    frame = pd.DataFrame({c: (columns[c].dictionary_encode() if pa.types.is_string(columns[c].type)
                              else columns[c]).to_pandas() for c in keep})
    whole = replace(first, row_numbers=all_rows)
    return CheckedTable(table, whole, frame, all_rows, headers), problems
