"""Reading Parquet files that have passed validation straight into contract types.

:func:`evalkit.data.dataset.read_dataset` uses this module for every ``.parquet`` table. It
reads only the columns asked for (pyarrow, all cores) and converts each to the pandas type
:func:`evalkit.data.dataset.load_dataset` gives, without any contract check:

========== =========================== ===============================================
contract   Parquet storage (fast path)  pandas type
========== =========================== ===============================================
date       date32, timestamp           ``datetime64[ns]`` (timestamps floored to the day)
datetime   timestamp                   ``datetime64[ns]`` (local wall time)
int        integer                     ``Int64``
float      integer, floating           ``float64``
money      integer, floating           ``float64``
bool       bool                        ``boolean``
id, text   string                      ``str`` (surrounding spaces removed, "" → missing)
category   string, dictionary          codes as ``object`` — or ``category`` (see below)
========== =========================== ===============================================

Category values written as their Chinese labels, or with another case or surrounding
spaces, are mapped to the English codes as validation does: the mapping works on the
dictionary of distinct values, not on the rows. A column stored in any other type (text
numbers, text dates …) goes through the same conversion as validation
(:func:`evalkit.data.validation.convert_column`), with its checks ignored.

In the large event tables (``categorical`` tables) ``unit_id`` becomes a categorical over
the units table, as in ``load_dataset``, and the category columns stay categorical (over
the contract's codes) instead of becoming Python strings: ten million ``object`` strings
would cost seconds and gigabytes. Their values compare the same (``==``, ``isin``,
``notna``).

A table is read row group by row group — as many at once as there are cores, one thread
each — straight into preallocated numpy arrays: the decoded Arrow buffers of one row group
are reused for the next and every value is written once, with no Arrow table of the whole
file and no intermediate copy. A large table need not be read at all: a
:class:`ParquetTable` is a file opened but not read, which ``read_dataset`` keeps for the
large event tables; the indicators then count it batch by batch as it is decoded
(:meth:`ParquetTable.map_batches`), holding one batch per thread.

Nothing here checks the contract beyond what the conversion needs: a unit id absent from
the units table, or a category value that is not a code or label, is an error (both are
found on the distinct values, at no cost); everything else (ranges, keys, date orders,
anchor years, references between tables) is trusted.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .contract import EMPTY_DTYPES, Column, Table
from ..errors import EvalkitError
from .limits import InputTooLarge, check_parquet
from .validation import convert_column

_NOT_VALIDATED = "this file has not passed 'evalkit validate'"


def header_map(names: list[str], table: Table) -> dict[str, str]:
    """Contract column → the header that holds it (English name in any case, or the
    Chinese label), as validation matches them; the first of duplicates wins."""
    aliases: dict[str, str] = {}
    for c in table.columns:
        aliases[c.name.lower()] = c.name
        aliases[c.label_zh] = c.name
    out: dict[str, str] = {}
    for h in names:
        key = str(h).strip().lstrip("\ufeff")
        name = aliases.get(key.lower(), aliases.get(key))
        if name is not None and name not in out:
            out[name] = h
    return out


@dataclass
class Arrays:
    """One column as numpy arrays (no pandas): ``kind`` ``codes`` (``data`` holds integer
    codes over ``categories``, −1 = missing), ``bool``, ``number``, ``time`` (``datetime64``
    in the stored unit, NaT = missing) or ``present`` (``data`` is the not-missing mask);
    ``missing`` is the mask of missing values when ``data`` cannot say it (ints, bools)."""

    kind: str
    data: np.ndarray
    missing: np.ndarray | None = None
    categories: pd.Index | None = None


class Batch(dict):
    """A batch of rows: contract column → :class:`Arrays` (or a ``pd.Series`` for a
    storage type that needed the general conversion); ``rows`` is its length."""

    def __init__(self, columns: dict, rows: int):
        super().__init__(columns)
        self.rows = rows


def threads() -> int:
    """Threads for reading and counting large tables: Arrow's CPU count (all cores by
    default; ``pyarrow.set_cpu_count(n)`` or ``OMP_NUM_THREADS`` changes it)."""
    return max(1, pa.cpu_count())


class ParquetTable:
    """One Parquet table, opened (schema and footer read, columns matched) but not read.

    ``load()`` reads it whole into one frame; ``map_batches(fn)`` hands ``fn`` the rows a
    batch at a time as numpy arrays instead, so that a computation over ten million rows
    never holds them all (see ``evalkit.indicators._common``). The file's
    size and modification time are noted when it is opened, and reading it later refuses a
    file that has changed since: the dataset's SHA-256 provenance must describe what was
    read.
    """

    def __init__(self, path: Path, display: str, table: Table, columns: Collection[str] | None,
                 unit_ids: pd.Index | None = None, categorical: bool = False):
        self.path, self.display, self.table = Path(path), display, table
        self.unit_ids, self.categorical = unit_ids, categorical
        stat = self.path.stat()
        self._fingerprint = (stat.st_size, stat.st_mtime_ns)
        try:
            check_parquet(self.path, display)  # footer size and column count first
        except InputTooLarge as exc:
            raise EvalkitError(str(exc.problem)) from None
        try:
            pf = pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
            raise EvalkitError(f"{display}: cannot be read as Parquet ({type(exc).__name__})") from exc
        self.schema = pf.schema_arrow
        self.meta = pf.metadata
        self._match_columns(columns)

    def _match_columns(self, columns: Collection[str] | None) -> None:
        """Match the stored columns (``self.schema``) with the contract's."""
        table, display = self.table, self.display
        self.headers = header_map(self.schema.names, table)
        self.wanted = [c for c in table.columns if columns is None or c.name in columns or c.name == "unit_id"]
        for col in self.wanted:
            if col.name not in self.headers and not col.nullable:
                raise EvalkitError(f"{display}: no column '{col.name}' ({col.label_zh}); {_NOT_VALIDATED}")
        self.present = [c for c in self.wanted if c.name in self.headers]
        self.names = [self.headers[c.name] for c in self.present]
        self.dictionary = [self.headers[c.name] for c in self.present
                           if isinstance(self._sink(c, 0), _CodesSink) and pa.types.is_string(self._type(c))]

    @property
    def num_rows(self) -> int:
        return self.meta.num_rows

    # --- where the rows come from (a Parquet file's row groups; see ArrowTable) -----------
    def _group_count(self) -> int:
        return self.meta.num_row_groups

    def _group_rows(self, group: int) -> int:
        return self.meta.row_group(group).num_rows

    def _reader(self, local: threading.local):
        reader = getattr(local, "reader", None)
        if reader is None:
            reader = local.reader = pq.ParquetFile(self.path, read_dictionary=self.dictionary)
        return reader

    def _read_group(self, local: threading.local, group: int, arrow_threads: bool) -> pa.Table:
        return self._reader(local).read_row_group(group, columns=self.names, use_threads=arrow_threads)

    def _group_batches(self, local: threading.local, group: int):
        return self._reader(local).iter_batches(batch_size=self.BATCH, row_groups=[group], columns=self.names,
                                                use_threads=False)

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.wanted]

    def _type(self, col: Column) -> pa.DataType:
        return self.schema.field(self.headers[col.name]).type

    def _sink(self, col: Column, n: int) -> "_Sink":
        unit_ids = self.unit_ids if col.name == "unit_id" and self.categorical else None
        return _sink(col, self._type(col), n, self.display, unit_ids, self.categorical)

    def _frame(self, sinks: dict, n: int) -> pd.DataFrame:
        out = {c.name: sinks[c.name].series() if c.name in sinks else _missing(c, n, self.categorical)
               for c in self.wanted}
        # Series put together without consolidation: no copy of ten-million-row columns
        return pd.DataFrame(out, columns=self.columns, copy=False)

    def _check_unchanged(self) -> None:
        stat = self.path.stat()
        if (stat.st_size, stat.st_mtime_ns) != self._fingerprint:
            raise EvalkitError(f"{self.display} has changed since the dataset was read; read it again")

    def _groups(self, workers: int, convert) -> list:
        """``[convert(decoded row group, its number) …]`` in file order; ``workers`` row
        groups at once, each decoded by one thread (decoding releases the GIL, and so do
        the numpy copies that convert it). With one worker, Arrow's threads decode each row
        group column by column."""
        self._check_unchanged()
        groups = self._group_count()
        local = threading.local()

        def run(group: int, arrow_threads: bool):
            return convert(self._read_group(local, group, arrow_threads), group)

        workers = min(workers, groups)
        if workers <= 1:
            return [run(group, True) for group in range(groups)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return [done.result() for done in [pool.submit(run, group, False) for group in range(groups)]]

    def load(self) -> pd.DataFrame:
        """The whole table as one frame (each row group converted into its own slice)."""
        n = self.num_rows
        sinks = {c.name: self._sink(c, n) for c in self.present}
        starts = np.cumsum([0] + [self._group_rows(g) for g in range(self._group_count())])

        def convert(part: pa.Table, group: int) -> None:
            for col in self.present:
                at = int(starts[group])
                for chunk in part.column(self.headers[col.name]).chunks:
                    sinks[col.name].put(at, chunk)
                    at += len(chunk)

        if self.present:
            self._groups(threads(), convert)
        return self._frame(sinks, n)

    #: Rows per batch of :meth:`map_batches`: a batch's arrays stay in cache.
    BATCH = 1 << 17

    def map_batches(self, fn, workers: int | None = None) -> list:
        """``[fn(batch) for every batch of rows]`` in file order: each row group is decoded
        ``BATCH`` rows at a time and every batch handed over as a :class:`Batch` of numpy
        arrays in the stored types — dates stay ``datetime64[D]``, integers keep their
        width, categories become codes — so nothing table-sized is ever built and a batch
        is counted while it is in cache. ``workers`` (default :func:`threads`) row groups
        are decoded at once, one thread each; the results come back in file order."""
        self._check_unchanged()
        convert = {c.name: _BatchColumn(c, self._type(c), self.display, self._sink(c, 0), self.categorical)
                   for c in self.present}
        local = threading.local()

        def group(g: int) -> list:
            out = []
            for batch in self._group_batches(local, g):
                n = batch.num_rows
                columns = {c.name: convert[c.name](batch.column(self.headers[c.name])) if c.name in convert
                           else _missing(c, n, self.categorical) for c in self.wanted}
                out.append(fn(Batch(columns, n)))
            return out

        groups = self._group_count()
        if not self.present:  # no column in the file at all: one batch of missing values
            return [fn(Batch({c.name: _missing(c, self.num_rows, self.categorical) for c in self.wanted},
                             self.num_rows))]
        workers = min(workers or threads(), groups)
        if workers <= 1:
            return [r for g in range(groups) for r in group(g)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return [r for done in [pool.submit(group, g) for g in range(groups)] for r in done.result()]

    def day_bounds(self, name: str) -> tuple[np.datetime64, np.datetime64] | None:
        """First and last day of date column ``name`` (None when it has no date): from the
        row groups' statistics when it is stored as dates or times, else by reading it."""
        if name not in self.headers:
            return None
        stored = self._type(self.table.column(name))
        index = self.schema.get_field_index(self.headers[name])
        lows, highs = [], []
        for g in range(self.meta.num_row_groups):
            chunk = self.meta.row_group(g).column(index)
            stats = chunk.statistics
            if not (pa.types.is_date(stored) or pa.types.is_timestamp(stored)) or stats is None \
                    or not stats.has_min_max:
                if stats is not None and stats.has_null_count and stats.null_count == chunk.num_values:
                    continue  # all missing
                return self._scan_bounds(name)
            lows.append(stats.min)
            highs.append(stats.max)
        if not lows:
            return None
        day = lambda v: np.datetime64(pd.Timestamp(v).date(), "D")  # noqa: E731
        return min(day(v) for v in lows), max(day(v) for v in highs)

    def _scan_bounds(self, name: str) -> tuple[np.datetime64, np.datetime64] | None:
        self._check_unchanged()
        values = ParquetTable(self.path, self.display, self.table, [name], self.unit_ids,
                              self.categorical).load()[name].dropna()
        if values.empty:
            return None
        return (np.datetime64(values.min().date(), "D"), np.datetime64(values.max().date(), "D"))


class ArrowTable(ParquetTable):
    """A table already in memory as Arrow (e.g. a query result of the efficiency database),
    read exactly as a :class:`ParquetTable` reads a file: the same conversions, the same
    ``load``/``map_batches``, slices of :data:`GROUP_ROWS` rows standing in for row groups.
    The data are trusted as a validated file's are (they passed the contract's checks when
    they were imported)."""

    #: Rows per slice (a Parquet writer's row group).
    GROUP_ROWS = 1 << 20

    def __init__(self, data: pa.Table, display: str, table: Table, columns: Collection[str] | None,
                 unit_ids: pd.Index | None = None, categorical: bool = False):
        self.path, self.display, self.table = None, display, table
        self.unit_ids, self.categorical = unit_ids, categorical
        self.schema = data.schema
        self._match_columns(columns)
        # category text as dictionaries, as the Parquet path reads it (codes mapped on the
        # distinct values, not on the rows)
        for name in self.dictionary:
            i = data.schema.get_field_index(name)
            data = data.set_column(i, name, pc.dictionary_encode(data.column(i)))
        self.data = data
        self._starts = list(range(0, max(data.num_rows, 1), self.GROUP_ROWS))

    @property
    def num_rows(self) -> int:
        return self.data.num_rows

    def _check_unchanged(self) -> None:
        return None

    def _group_count(self) -> int:
        return len(self._starts) if self.data.num_rows else 0

    def _group_rows(self, group: int) -> int:
        return min(self.GROUP_ROWS, self.data.num_rows - self._starts[group])

    def _read_group(self, local, group: int, arrow_threads: bool) -> pa.Table:
        return self.data.slice(self._starts[group], self._group_rows(group)).select(self.names)

    def _group_batches(self, local, group: int):
        return self._read_group(local, group, False).to_batches(max_chunksize=self.BATCH)

    def day_bounds(self, name: str) -> tuple[np.datetime64, np.datetime64] | None:
        if name not in self.headers:
            return None
        column = self.data.column(self.headers[name])
        if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
            bounds = pc.min_max(column)
            low, high = bounds["min"].as_py(), bounds["max"].as_py()
            if low is None:
                return None
            day = lambda v: np.datetime64(pd.Timestamp(v).date(), "D")  # noqa: E731
            return day(low), day(high)
        return self._scan_bounds(name)

    def _scan_bounds(self, name: str) -> tuple[np.datetime64, np.datetime64] | None:
        values = ArrowTable(self.data, self.display, self.table, [name], self.unit_ids, self.categorical).load()[name]
        values = values.dropna()
        if values.empty:
            return None
        return (np.datetime64(values.min().date(), "D"), np.datetime64(values.max().date(), "D"))


class _BatchColumn:
    """Converts one column of a batch to :class:`Arrays` in the stored types (the general
    conversion for an unusual storage type)."""

    def __init__(self, col: Column, stored: pa.DataType, display: str, sink: "_Sink", categorical: bool):
        self.col, self.display, self.sink, self.categorical = col, display, sink, categorical
        if isinstance(sink, _CodesSink):
            self.kind = "codes"
        elif isinstance(sink, _TimeSink):
            self.kind = "time"
        elif isinstance(sink, _MaskedSink):
            self.kind = "int" if sink.kind == "int" else "bool"
        elif isinstance(sink, _FloatSink):
            self.kind = "number"
        else:
            self.kind = "general"
        self.floor = self.kind == "time" and col.dtype == "date" and pa.types.is_timestamp(stored)
        if self.kind == "codes":
            self.categories = pd.Index(sink.categories)

    def __call__(self, array: pa.Array):
        kind = self.kind
        if kind == "codes":
            codes = self.sink.codes_of(array)
            if isinstance(self.sink, _ObjectCodesSink):  # a small table: as validation gives it
                values = np.array(list(self.sink.categories) + [None], dtype=object)
                return pd.Series(values[codes], dtype=object)
            return Arrays("codes", codes, categories=self.categories)
        if kind == "time":
            values = array.to_numpy(zero_copy_only=False)  # datetime64, NaT where null
            return Arrays("time", values.astype("datetime64[D]") if self.floor else values)
        if kind in ("int", "bool"):
            missing = array.is_null().to_numpy(zero_copy_only=False) if array.null_count else None
            if array.null_count:
                array = array.fill_null(0 if kind == "int" else False)
            return Arrays("number" if kind == "int" else "bool", array.to_numpy(zero_copy_only=False), missing)
        if kind == "number":
            return Arrays("number", array.to_numpy(zero_copy_only=False).astype(np.float64, copy=False))
        sink = _sink(self.col, array.type, len(array), self.display, getattr(self.sink, "unit_ids", None),
                     self.categorical)
        sink.put(0, array)
        return sink.series()


def _missing(col: Column, n: int, categorical: bool) -> pd.Series:

    if col.dtype == "category" and categorical:
        return pd.Series(pd.Categorical.from_codes(np.full(n, -1, np.int8), categories=list(col.categories)))
    return pd.Series(pd.array([None] * n, dtype=EMPTY_DTYPES[col.dtype]))


# ----------------------------------------------------------------------------------------
# Sinks: one preallocated output per column, filled chunk by chunk
# ----------------------------------------------------------------------------------------

class _Sink:
    def put(self, at: int, chunk: pa.Array) -> None:
        raise NotImplementedError

    def series(self) -> pd.Series:
        raise NotImplementedError


class _TimeSink(_Sink):
    """date32 / timestamp → ``datetime64[ns]`` (dates floored to the day); NaT = missing."""

    def __init__(self, n: int, floor_to_day: bool):
        self.out = np.empty(n, dtype="datetime64[ns]")
        self.floor = floor_to_day

    def put(self, at, chunk):
        values = chunk.to_numpy(zero_copy_only=False)  # datetime64, NaT where null
        if self.floor and values.dtype != "datetime64[D]":
            values = values.astype("datetime64[D]")
        self.out[at:at + len(values)] = values

    def series(self):
        return pd.Series(self.out, copy=False)


class _MaskedSink(_Sink):
    """integer → ``Int64``, bool → ``boolean``: values plus the missing mask."""

    def __init__(self, n: int, kind: str):
        self.kind = kind
        self.data = np.empty(n, dtype=np.int64 if kind == "int" else bool)
        self.mask = np.zeros(n, dtype=bool)

    def put(self, at, chunk):
        m = len(chunk)
        if chunk.null_count:
            self.mask[at:at + m] = chunk.is_null().to_numpy(zero_copy_only=False)
            chunk = chunk.fill_null(0 if self.kind == "int" else False)
        self.data[at:at + m] = chunk.to_numpy(zero_copy_only=False)

    def series(self):
        array = (pd.arrays.IntegerArray(self.data, self.mask) if self.kind == "int"
                 else pd.arrays.BooleanArray(self.data, self.mask))
        return pd.Series(array, copy=False)


class _FloatSink(_Sink):
    """integer / floating → ``float64``; NaN = missing."""

    def __init__(self, n: int):
        self.out = np.empty(n, dtype=np.float64)

    def put(self, at, chunk):
        self.out[at:at + len(chunk)] = chunk.to_numpy(zero_copy_only=False)

    def series(self):
        return pd.Series(self.out, copy=False)


class _CodesSink(_Sink):
    """string / dictionary → integer codes over known ``categories``, mapped chunk by chunk
    from each chunk's dictionary (a few distinct values); −1 = missing.

    ``normalise`` maps a distinct stored value to its category (or None when it is empty,
    or ``...`` when it is not allowed: an error naming ``what``).
    """

    def __init__(self, n: int, categories: list, normalise, what: str, display: str):
        self.categories = categories
        self.index = {c: i for i, c in enumerate(categories)}
        self.normalise = normalise
        self.what, self.display = what, display
        self.codes = np.empty(n, dtype=np.int8 if len(categories) < 127 else np.int32)
        self._last: tuple[pa.Array, np.ndarray] | None = None

    def _lookup(self, distinct: list) -> np.ndarray:
        lookup = np.empty(len(distinct) + 1, dtype=self.codes.dtype)
        lookup[-1] = -1  # null index → missing
        for i, value in enumerate(distinct):
            target = None if value is None else self.normalise(value)
            if target is ...:
                lookup[i] = -2
            else:
                lookup[i] = -1 if target is None else self.index[target]
        return lookup

    def codes_of(self, chunk: pa.Array) -> np.ndarray:
        """The codes of one chunk (an error for a value that is not allowed)."""
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        last = self._last  # the batches of a row group share its dictionary: map it once
        if last is not None and last[0].equals(chunk.dictionary):
            lookup = last[1]
        else:
            lookup = self._lookup(chunk.dictionary.to_pylist())
            self._last = (chunk.dictionary, lookup)
        indices = chunk.indices
        idx = (indices.fill_null(-1) if chunk.null_count else indices).to_numpy(zero_copy_only=False)
        codes = lookup[idx]  # index −1 (null) → the last slot (missing)
        if (lookup == -2).any() and (codes == -2).any():
            bad = chunk.dictionary.to_pylist()[int(np.flatnonzero(lookup == -2)[0])]
            raise EvalkitError(f"{self.display}, column '{self.what}': '{bad}' is not "
                               f"{_ALLOWED[self.what == 'unit_id']}; {_NOT_VALIDATED}")
        return codes

    def put(self, at, chunk):
        codes = self.codes_of(chunk)
        self.codes[at:at + len(codes)] = codes

    def categorical(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes, categories=pd.Index(self.categories), validate=False)

    def series(self):
        return pd.Series(self.categorical(), copy=False)


_ALLOWED = {True: "in the units table", False: "one of its codes or labels"}


class _ObjectCodesSink(_CodesSink):
    """A category column of a small table: codes as Python strings (``object``), as
    validation gives them."""

    def series(self):
        values = np.array(list(self.categories) + [None], dtype=object)
        return pd.Series(values[self.codes], dtype=object)  # code −1 → None


class _ArrowSink(_Sink):
    """Anything else: the chunks, converted at the end (text, or validation's conversion
    for a storage type the fast paths do not know)."""

    def __init__(self, col: Column):
        self.col = col
        self.chunks: list[tuple[int, pa.Array]] = []  # (first row, chunk): filled in any order

    def put(self, at, chunk):
        self.chunks.append((at, chunk))

    def series(self):
        chunks = [chunk for _, chunk in sorted(self.chunks, key=lambda item: item[0])]
        t = chunks[0].type if chunks else pa.null()
        values = pa.chunked_array(chunks, type=t)
        if self.col.dtype in ("id", "text") and (pa.types.is_string(t) or pa.types.is_large_string(t)):
            trimmed = pc.utf8_trim_whitespace(values)
            return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed).to_pandas()
        converted, _, _ = convert_column(values.to_pandas(), self.col)
        return converted.reset_index(drop=True)


def _category_normaliser(col: Column):
    lookup: dict[str, str] = {}
    for code, label in col.categories.items():
        lookup[code.lower()] = code
        lookup[label] = code

    def normalise(value):
        v = str(value).strip()
        if v == "":
            return None
        return lookup.get(v.lower(), lookup.get(v, ...))
    return normalise


def _unit_normaliser(unit_ids: pd.Index):
    known = set(unit_ids)

    def normalise(value):
        v = str(value).strip()
        if v == "":
            return None
        return v if v in known else ...
    return normalise


def _sink(col: Column, stored: pa.DataType, n: int, display: str, unit_ids: pd.Index | None,
          categorical: bool) -> _Sink:
    """The fast conversion of ``col`` stored as ``stored``, or the generic one."""
    text = pa.types.is_string(stored) or pa.types.is_large_string(stored) or (
        pa.types.is_dictionary(stored) and pa.types.is_string(stored.value_type))
    if col.dtype in ("date", "datetime") and (pa.types.is_date(stored) or (
            pa.types.is_timestamp(stored) and stored.tz is None)):
        return _TimeSink(n, floor_to_day=col.dtype == "date")
    if col.dtype == "int" and pa.types.is_integer(stored):
        return _MaskedSink(n, "int")
    if col.dtype == "bool" and pa.types.is_boolean(stored):
        return _MaskedSink(n, "bool")
    if col.dtype in ("float", "money") and (pa.types.is_integer(stored) or pa.types.is_floating(stored)):
        return _FloatSink(n)
    if unit_ids is not None and text:
        return _CodesSink(n, list(unit_ids), _unit_normaliser(unit_ids), "unit_id", display)
    if col.dtype == "category" and text:
        kind = _CodesSink if categorical else _ObjectCodesSink
        return kind(n, list(col.categories), _category_normaliser(col), col.name, display)
    if unit_ids is not None:  # unit ids stored as numbers …: convert, then categorical
        return _UnitFallbackSink(col, unit_ids, display)
    return _ArrowSink(col)


class _UnitFallbackSink(_ArrowSink):
    def __init__(self, col: Column, unit_ids: pd.Index, display: str):
        super().__init__(col)
        self.unit_ids, self.display = unit_ids, display

    def series(self):
        text = super().series()
        ids = text.astype(str).where(text.notna())
        unknown = ids.notna() & ~ids.isin(self.unit_ids)
        if unknown.any():
            raise EvalkitError(f"{self.display}, column 'unit_id': '{ids[unknown].iloc[0]}' is not in the units "
                               f"table; {_NOT_VALIDATED}")
        return pd.Series(pd.Categorical(ids, categories=self.unit_ids))
