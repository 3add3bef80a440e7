"""Helpers shared by indicator modules: year boundaries, due-by-year-end tests, and the
machinery that counts records by unit (:class:`Records`, :func:`counted`).

Performance model
-----------------
An event table may hold ten million records. Indicators never filter or copy such a table:
they describe, for a :class:`Block` of rows, boolean masks (and values to sum) built from
numpy views of the columns, and :meth:`Records.tally` counts (sums) them by unit block by
block — 131,072 rows at a time, so that the temporaries stay in cache and no table-sized
temporary is made (on a machine where touching fresh memory is slow that is much of the
time saved). All masks of a block are counted with one ``np.bincount`` on a joint key
(:class:`_Counter`). Blocks are counted on several threads (numpy releases the GIL in the
array work) and their totals added in block order, so that sums never depend on threads.

A table that :func:`~evalkit.data.dataset.read_dataset` left unread (a large Parquet table) is
counted as it is read: :class:`StreamedRecords` hands each batch of rows, decoded by
pyarrow, to the same counting, and ten million rows are never held at once.

A count an indicator needs is a *tally rule* registered with :func:`tally_rule` under
the table and a name. :func:`compute_indicators` first runs :func:`prefetch`, which counts
every rule the requested indicators use in a single pass per table — the masks shared by
several indicators (completed cases, working days from receipt to completion …) are then
computed once per block — and keeps the results for the rest of the call (in its
:class:`CallScope`). An indicator called on its own (tests, ``Indicator(...)(ds, year)``)
counts its rules itself. Nothing is cached beyond a call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from ..data._memory import keep_freed_memory
from ..data.reading import Arrays, Batch
from ..data.reading import threads as cpu_threads
from ..data.workdays import WorkCalendar
from ..periods import as_period, cutoff


def year_end(year: int) -> pd.Timestamp:
    """The cut-off of ``year``: 31 December 23:59:59 for a plain year, the end of the
    period's last day for a :class:`~evalkit.periods.Period` (:func:`evalkit.periods.cutoff`)."""
    return cutoff(year)


def last_day(year: int) -> pd.Timestamp:
    """The last day (midnight) of ``year`` or of a period: where working days to the cut-off
    are counted to (31 December for a plain year)."""
    return as_period(year).end_date


def due_by_year_end(done: pd.Series, due: pd.Series, year: int) -> pd.Series:
    """Records that *should* be finished by the cut-off of ``year`` or of a period (应办结):
    finished ones, plus unfinished ones whose deadline has passed by then — a record not yet
    due at the cut-off is not late."""
    return done.notna() | (due <= year_end(year))


# ----------------------------------------------------------------------------------------
# Per-call scope
# ----------------------------------------------------------------------------------------

class CallScope:
    """A dataset as seen by one ``compute_indicators`` call.

    Attribute access is passed through to the dataset (``table``, ``units``, ``years``,
    ``has`` …), so every indicator function accepts it in place of the dataset; in
    addition it holds the memo of the call (the :class:`Records` of each table and what
    was counted in them). The memo dies with the scope: there is no cache across calls.
    """

    def __init__(self, dataset):
        self._dataset = dataset
        self._indicator_memo: dict = {}

    def __getattr__(self, name):
        return getattr(self._dataset, name)

    @property
    def dataset(self):
        return self._dataset


def memo(dataset, key, compute: Callable):
    """``compute()``, remembered for the rest of the ``compute_indicators`` call (when
    ``dataset`` is a :class:`CallScope`; otherwise computed every time)."""
    cache = getattr(dataset, "_indicator_memo", None)
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def records(dataset, name: str, year: int | None = None) -> "Records | StreamedRecords":
    """The :class:`Records` of table ``name`` (shared within a ``compute_indicators`` call):
    :class:`StreamedRecords` when the dataset holds the table unread (see
    :meth:`evalkit.data.dataset.Dataset.deferred`)."""
    def make():
        deferred = getattr(dataset, "deferred", None)
        source = deferred(name, year) if deferred is not None else None
        overrides = getattr(dataset, "workday_overrides", None)
        if source is not None:
            return StreamedRecords(source, overrides=overrides)
        return Records(dataset.table(name, year), overrides=overrides)
    return memo(dataset, ("records", name, year), make)


# ----------------------------------------------------------------------------------------
# Tally rules
# ----------------------------------------------------------------------------------------

#: (table, rule name) → (factory(year, *settings) → rows function, codes of the indicators
#: using it, settings(parameters) → the factory's arguments after the year, or None)
_RULES: dict[tuple[str, str], tuple[Callable[..., Callable], tuple[str, ...], Callable | None]] = {}


def tally_rule(table: str, name: str, used_by: Iterable[str], settings: Callable | None = None):
    """Register ``factory(year, *settings) → rows`` as the tally rule ``name`` of ``table``.

    ``rows(block)`` returns ``{output: mask}`` (count the rows where ``mask`` is true;
    ``None`` counts every row, :class:`Rows` the rows at some positions) or ``{output:
    (values, mask)}`` (sum ``values`` over those rows); see :class:`Records`. ``used_by``: the indicators that read it, so that
    :func:`prefetch` counts it in the shared pass when one of them is requested.
    ``settings``: for a rule that depends on a district's setting (a time limit …),
    ``settings(parameters) → (arg, …)`` takes the factory's arguments after the year from the
    :class:`~evalkit.indicators.parameters.IndicatorParameters`; they are part of the
    tally's key, so the shared pass counts what the indicator asks for.
    """
    def register(factory):
        _RULES[(table, name)] = (factory, tuple(used_by), settings)
        return factory
    return register


def counted(dataset, table: str, year: int, name: str, *args) -> "Tally":
    """The tally rule ``name`` of ``table`` for ``year`` (and the rule's settings ``args``):
    from the call's shared pass, or counted now."""
    factory = _RULES[(table, name)][0]
    return records(dataset, table, year).tally(factory(year, *args), key=(name, year, *args))


def prefetch(dataset, year: int, codes: Iterable[str], parameters) -> None:
    """Count every tally rule the indicators ``codes`` use, with the settings in
    ``parameters`` (:class:`~evalkit.indicators.parameters.IndicatorParameters`), in one
    pass per table."""
    wanted = set(codes)
    by_table: dict[str, dict] = {}
    for (table, name), (factory, used_by, settings) in _RULES.items():
        if wanted.intersection(used_by):
            args = tuple(settings(parameters)) if settings is not None else ()
            by_table.setdefault(table, {})[(name, year, *args)] = factory(year, *args)
    for table, requests in by_table.items():
        records(dataset, table, year).tally_many(requests)


# ----------------------------------------------------------------------------------------
# Per-unit counts and sums
# ----------------------------------------------------------------------------------------

#: Rows per block of the per-unit aggregation: the temporaries of a block stay in cache.
_BLOCK = 1 << 17
#: Largest joint key: 16-bit keys.
_MAX_SLOTS = 1 << 16


def unit_codes(unit_ids) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a unit-id column (a Series or codes :class:`Arrays`) and the ids
    they index (−1 = missing)."""
    if isinstance(unit_ids, Arrays):  # a batch of a streamed table: categories = the unit ids
        return unit_ids.data, unit_ids.categories
    if isinstance(unit_ids.dtype, pd.CategoricalDtype):
        return unit_ids.cat.codes.to_numpy(), pd.Index(unit_ids.cat.categories.astype(str), name="unit_id")
    codes, uniques = pd.factorize(unit_ids)
    return codes, pd.Index(pd.Index(uniques).astype(str), name="unit_id")


class _Counter:
    """Per-code counts (and sums) with ``np.bincount`` on a joint key.

    The key of a row is ``code · 2^m + Σ_j mask_j · 2^j`` for the masks ``mask_0 …
    mask_{m−1}`` counted together: one ``bincount`` counts the rows of every unit under
    every combination of the masks, and the rows of a unit where ``mask_j`` holds are the
    sum of the slots with bit ``j`` set. No boolean indexing, no copy of the table. Codes
    are shifted by one when some are missing (−1), so that code slot 0 collects them.
    """

    def __init__(self, codes: np.ndarray, k: int):
        self.k = k
        self.shift = 1 if len(codes) and codes.min() < 0 else 0
        self.codes = codes
        self.width = max(self.k + self.shift, 1)
        #: masks counted with one key: as many as 16-bit keys hold (at least one)
        self.per_key = 1
        while self.width << (self.per_key + 1) <= _MAX_SLOTS:
            self.per_key += 1

    def slots(self, n_masks: int) -> int:
        return self.width << n_masks

    def key(self, start: int, stop: int, masks: list) -> np.ndarray:
        """The joint key of rows ``start:stop`` for ``masks`` (at most ``per_key``)."""
        m = len(masks)
        slots = self.slots(m)
        dtype = np.uint8 if slots <= 1 << 8 else np.uint16 if slots <= 1 << 16 else np.int64
        key = self.codes[start:stop].astype(dtype)  # a fresh block-sized array
        if self.shift:
            key += 1  # code −1 (wrapped to the type's maximum) becomes slot 0
        if m:
            key <<= m
            for j, mask in enumerate(masks):
                key |= np.asarray(mask, dtype=bool).view(np.uint8).astype(dtype, copy=False) << j
        return key

    def select(self, totals: np.ndarray, n_masks: int, bit: int | None) -> np.ndarray:
        """Per code: the total over the slots with ``bit`` set (all slots when None)."""
        table = totals.reshape(self.width, 1 << n_masks)
        if bit is not None:
            table = table[:, (np.arange(1 << n_masks) >> bit) & 1 == 1]
        return table.sum(axis=1)[self.shift:self.shift + self.k]


def per_unit(codes: np.ndarray, k: int, mask=None, values=None) -> tuple[np.ndarray, np.ndarray | None]:
    """Per code ``0..k-1``: the number of rows where ``mask`` is true (all rows when None)
    and, when ``values`` is given, the sum of ``values`` over those rows (NaN as 0).

    Rows with a negative code (missing unit) are skipped. Block by block, with
    ``np.bincount`` on ``code · 2 + mask`` (see :class:`_Counter`).
    """
    n = len(codes)
    if mask is not None and len(mask) != n or values is not None and len(values) != n:
        raise ValueError("mask and values must have one entry per row")
    counter = _Counter(codes, k)
    m = 0 if mask is None else 1
    slots = counter.slots(m)
    counts = np.zeros(slots, np.int64)
    sums = np.zeros(slots) if values is not None else None
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    values = None if values is None else np.asarray(values)
    for i in range(0, n, _BLOCK):
        key = counter.key(i, i + _BLOCK, [] if mask is None else [mask[i:i + _BLOCK]])
        counts += np.bincount(key, minlength=slots)[:slots]
        if values is not None:
            sums += np.bincount(key, weights=_weights(values[i:i + _BLOCK]), minlength=slots)[:slots]
    bit = None if mask is None else 0
    return counter.select(counts, m, bit), (counter.select(sums, m, bit) if sums is not None else None)


def _weights(w: np.ndarray) -> np.ndarray:
    """Values to sum: NaN as 0 (and ±inf as the largest float, as ``np.nan_to_num``)."""
    w = np.asarray(w)
    if w.dtype.kind == "f" and not np.isfinite(w).all():
        return np.nan_to_num(w)
    return w


# ----------------------------------------------------------------------------------------
# Columns as numpy arrays (no copies) and row blocks
# ----------------------------------------------------------------------------------------

_NAT = np.iinfo(np.int64).min  # NaT as an integer


#: One column as numpy arrays (see :class:`evalkit.data.reading.Arrays`).
_Column = Arrays


def _kept(cache: dict, compute: Callable, key: tuple):
    """``compute()``, kept in ``cache`` under ``key`` and the code of ``compute``: each
    caller has its own keys without naming them."""
    k = (compute.__code__, *key)
    if k not in cache:
        cache[k] = compute()
    return cache[k]


def _masked_parts(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Values and missing mask of a pandas masked array (``boolean``, ``Int64`` …)."""
    arr = series.array
    data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and len(data) == len(series):
        return data, mask
    mask = series.isna().to_numpy()
    return series.to_numpy(dtype=series.dtype.numpy_dtype, na_value=0), mask


def _typed(series: pd.Series) -> _Column | None:
    """A column whose dtype numpy can work on directly (views, no copy); None otherwise."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _Column("codes", series.cat.codes.to_numpy(), categories=dtype.categories)
    if isinstance(dtype, np.dtype):
        if dtype.kind == "M":
            return _Column("time", series.to_numpy())
        if dtype.kind == "b":
            return _Column("bool", series.to_numpy())
        if dtype.kind in "iuf":
            return _Column("number", series.to_numpy())
        return None
    if isinstance(dtype, pd.BooleanDtype):
        return _Column("bool", *_masked_parts(series))
    if dtype.kind in ("i", "u", "f") and hasattr(dtype, "numpy_dtype"):  # Int64, UInt8, Float64 …
        return _Column("number", *_masked_parts(series))
    return None


def _series(a: Arrays) -> pd.Series:
    """An :class:`Arrays` as the pandas Series the readers would give."""
    if a.kind == "codes":
        return pd.Series(pd.Categorical.from_codes(a.data, categories=a.categories, validate=False))
    if a.kind == "bool" and a.missing is not None:
        return pd.Series(pd.arrays.BooleanArray(a.data.astype(bool), a.missing))
    if a.kind == "number" and a.missing is not None:
        return pd.Series(pd.arrays.IntegerArray(a.data.astype(np.int64), a.missing))
    return pd.Series(a.data)


def column_arrays(series: pd.Series, want: str) -> _Column:
    """``series`` as a :class:`_Column` fit for ``want`` (``codes``, ``present``, ``bool``,
    ``number``, ``time``): typed columns as views, others converted once, as the
    row-by-row pandas code did."""
    if want == "codes":
        if isinstance(series.dtype, pd.CategoricalDtype):
            return _typed(series)
        codes, uniques = pd.factorize(series)
        return _Column("codes", codes, categories=pd.Index(uniques))
    typed = _typed(series)
    if typed is not None and (want == "present" or typed.kind == want):
        return typed
    if want == "present":
        return _Column("present", series.notna().to_numpy())
    if want == "time":
        return _Column("time", pd.to_datetime(pd.Series(series)).to_numpy(dtype="datetime64[ns]"))
    if want == "bool":
        # truthiness of each value, missing → false (through object: a masked integer column
        # refuses a False fill)
        return _Column("bool", series.astype(object).where(series.notna(), False).astype(bool).to_numpy())
    if want == "number":
        return _Column("number", series.astype("float64").to_numpy())  # missing → NaN
    raise ValueError(f"unknown column use {want!r}")


class Block:
    """Rows ``start:stop`` of a :class:`Records`: each accessor gives a block-sized numpy
    array (the temporaries of a block stay in cache and no table-sized array is made)."""

    def __init__(self, records: "Records", start: int, stop: int):
        self.records, self.start, self.stop = records, start, stop
        self._cache: dict = {}

    def __len__(self) -> int:
        return self.stop - self.start

    def _slice(self, a: np.ndarray) -> np.ndarray:
        return a[self.start:self.stop]

    def _once(self, compute, *key):
        """``compute()``, kept with this block (see :func:`_kept`)."""
        return _kept(self._cache, compute, key)

    @property
    def codes(self) -> np.ndarray:
        """Unit codes of the rows (−1 = missing)."""
        return self.records.units()[0][self.start:self.stop]

    def present(self, column: str) -> np.ndarray:
        """True where the value is not missing."""
        def compute():
            c = self.records.column(column, "present")
            data = self._slice(c.data)
            if c.kind == "present":
                return data
            if c.kind == "codes":
                out = data >= 0
            elif c.kind == "time":
                out = ~np.isnat(data)
            elif data.dtype.kind == "f":
                out = ~np.isnan(data)
            else:
                out = np.ones(len(data), dtype=bool)
            if c.missing is not None:
                out &= ~self._slice(c.missing)
            return out
        return self._once(compute, column)

    def flags(self, column: str) -> np.ndarray:
        """True where the value is true; missing counts as false."""
        def compute():
            c = self.records.column(column, "bool")
            data = self._slice(c.data).astype(bool, copy=False)
            return data & ~self._slice(c.missing) if c.missing is not None else data
        return self._once(compute, column)

    def isin(self, column: str, values) -> np.ndarray:
        """True where the value is one of ``values`` (a lookup on the codes)."""
        values = tuple(values)
        def compute():
            c = self.records.column(column, "codes")
            # the codes of ``values`` in these categories, kept by the table under the
            # categories' id, together with the categories themselves: while the entry lives no
            # other batch's categories (a text column factorised batch by batch) can take that id
            _, hit = self.records.shared(lambda: (c.categories, np.flatnonzero(c.categories.isin(values))),
                                         values, id(c.categories))
            data = self._slice(c.data)
            if len(hit) <= 4:  # a few codes: comparisons beat a table lookup
                out = np.zeros(len(data), dtype=bool)
                for code in hit.tolist():  # Python ints: compared in the codes' own type
                    out |= data == code
                return out
            table = np.zeros(len(c.categories) + 1, dtype=bool)  # code −1 → the last slot
            table[hit] = True
            return table[data]
        return self._once(compute, column, values)

    def floats(self, column: str) -> np.ndarray:
        """float64 values, NaN where missing."""
        def compute():
            c = self.records.column(column, "number")
            out = self._slice(c.data).astype(np.float64)
            if c.missing is not None:
                out[self._slice(c.missing)] = np.nan
            return out
        return self._once(compute, column)

    def times(self, column: str) -> np.ndarray:
        """``datetime64`` values, NaT where missing."""
        return self._slice(self.records.column(column, "time").data)

    def day_numbers(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Days since 1970-01-01 (int64, floored) and the NaT mask of a date column.

        Integer floor division: several times faster than ``astype("datetime64[D]")``.
        """
        def compute():
            t = self.times(column)
            unit, count = np.datetime_data(t.dtype)
            i = t.view(np.int64)
            days = i if unit == "D" and count == 1 else i // (_TICKS_PER_DAY[unit] // count)
            return days, i == _NAT
        return self._once(compute, column)

    def working_days(self, start: str, end: "str | pd.Timestamp") -> np.ndarray:
        """Working days in ``(start, end]`` (float64; NaN where a date is missing): ``end``
        is a date column or one date for every row. The calendar covers every date of both
        columns (:meth:`Records.calendar_for`), so the lookups need no range check."""
        def cumulative(column, cal, table):
            def compute():
                days, nat = self.day_numbers(column)
                idx = days - cal.start.astype(np.int64)
                idx[nat] = len(table) - 1  # the NaN slot
                return table.take(idx)
            # counts from the calendar's first day: the same in a calendar widened at the end
            return self._once(compute, column, cal.start)

        def compute():
            cal = self.records.calendar_for(start, end) if len(self) else None  # no rows: no calendar
            if cal is None:
                return np.full(len(self), np.nan)
            table = self.records.shared(lambda: np.append(cal.cumulative.astype(np.float64), np.nan),
                                        cal.start, cal.end)
            if isinstance(end, str):
                last = cumulative(end, cal, table)
            else:
                last = cal.cumulative_at(np.array([np.datetime64(pd.Timestamp(end).date(), "D")]))[0]
            return last - cumulative(start, cal, table)
        key = end if isinstance(end, str) else pd.Timestamp(end)
        return self._once(compute, start, key)


#: ``datetime64`` ticks per day, by unit.
_TICKS_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
                  "ns": 86_400_000_000_000}


class Rows:
    """Some rows of a block, by position: a ``rows`` output for a count of a few rows
    (counted from their codes alone, not with a mask over the block)."""

    def __init__(self, positions: np.ndarray):
        self.positions = positions


def _block_totals(block: Block, requests: dict, counter: _Counter) -> dict:
    """``{(key, name): (per-code count, per-code sum or None)}`` of one block."""
    outputs = {key: rows(block) for key, rows in requests.items()}
    masks: list = []
    where: dict[int, int] = {}
    for out in outputs.values():
        for item in out.values():
            mask = _split(item)[1]
            if mask is not None and not isinstance(mask, Rows) and id(mask) not in where:
                where[id(mask)] = len(masks)
                masks.append(mask)
    # counts: one bincount per group of masks, every mask's count from its table
    every = None
    per_mask: list[np.ndarray] = []
    for g in range(0, max(len(masks), 1), counter.per_key):
        group = masks[g:g + counter.per_key]
        table = np.bincount(counter.key(block.start, block.stop, group),
                            minlength=counter.slots(len(group)))[: counter.slots(len(group))]
        table = table.reshape(counter.width, 1 << len(group)).astype(np.float64)
        if every is None:
            every = table.sum(axis=1)[counter.shift:counter.shift + counter.k]
        if group:
            bits = (np.arange(1 << len(group))[:, None] >> np.arange(len(group))) & 1
            per_mask.extend((table @ bits)[counter.shift:counter.shift + counter.k].T)
    # sums: one weighted bincount per (values, mask), on the key of that mask alone
    keys: dict = {}
    out_totals: dict = {}
    for key, out in outputs.items():
        for name, item in out.items():
            values, mask = _split(item)
            if isinstance(mask, Rows):
                codes = counter.codes[block.start + mask.positions].astype(np.int64) + counter.shift
                count = np.bincount(codes, minlength=counter.width)[counter.shift:counter.shift + counter.k]
                out_totals[(key, name)] = (count.astype(np.float64), None)
                continue
            count = every if mask is None else per_mask[where[id(mask)]]
            total = None
            if values is not None:
                m_id = None if mask is None else id(mask)
                if m_id not in keys:
                    keys[m_id] = counter.key(block.start, block.stop, [] if mask is None else [mask]).astype(np.intp)
                n_bits = 0 if mask is None else 1
                w = np.bincount(keys[m_id], weights=_weights(values), minlength=counter.slots(n_bits))
                total = counter.select(w[: counter.slots(n_bits)], n_bits, None if mask is None else 0)
            out_totals[(key, name)] = (count, total)
    return out_totals


class Tally(dict):
    """Per-unit results of :meth:`Records.tally`: ``tally[name]`` is the count (or the sum,
    for ``(values, mask)``) and ``tally.counts[name]`` the number of rows counted; units
    with no counted row are absent. Each is a Series indexed by unit id (index name
    ``unit_id``)."""

    def __init__(self):
        super().__init__()
        self.counts: dict[str, pd.Series] = {}


def _split(item) -> tuple[object, object]:
    """``(values, mask)`` of a rows output (``values`` None for a count)."""
    return item if isinstance(item, tuple) else (None, item)


class _Counting:
    """What :class:`Records` and :class:`StreamedRecords` share: tallies kept by key."""

    def __init__(self, overrides: "pd.DataFrame | None" = None):
        self._cache: dict = {}  # see cached()
        self._tallies: dict = {}  # key → Tally (see tally())
        self.overrides = overrides  # working-day overrides of the dataset (or None)
        self._calendar: WorkCalendar | None = None
        self._calendar_lock = threading.Lock()

    def _column_bounds(self, column: str) -> tuple[np.datetime64, np.datetime64] | None:
        """First and last day of a date column, None when it has no date."""
        raise NotImplementedError

    def calendar_for(self, *dates: "str | pd.Timestamp") -> WorkCalendar | None:
        """A working-day calendar covering every date of the named date columns (or the
        dates given); one calendar per table, widened when needed (shared by the threads).
        None when there is no date at all."""
        spans = []
        for d in dates:
            if isinstance(d, str):
                spans.append(self._column_bounds(d))
            else:
                day = np.datetime64(pd.Timestamp(d).date(), "D")
                spans.append((day, day))
        spans = [span for span in spans if span is not None]
        if not spans:
            return None
        first, last = min(span[0] for span in spans), max(span[1] for span in spans)
        with self._calendar_lock:
            cal = self._calendar
            if cal is None or not cal.covers(first, last):
                if cal is not None:
                    first, last = min(first, cal.start), max(last, cal.end)
                cal = self._calendar = WorkCalendar.build(first.astype(object), last.astype(object),
                                                          self.overrides)
        return cal

    def cached(self, compute, *key):
        """``compute()``, kept with these records (see :func:`_kept`)."""
        return _kept(self._cache, compute, key)

    def tally(self, rows: Callable[[Block], dict], key=None) -> Tally:
        """Per-unit counts and sums of ``rows`` (see :class:`Records`); kept under ``key``
        (when given) for the rest of the call."""
        if key is None:
            return self._count({None: rows})[None]
        if key not in self._tallies:
            self.tally_many({key: rows})
        return self._tallies[key]

    def tally_many(self, requests: dict) -> None:
        """Count ``{key: rows}`` in one pass over the records; each result is then kept
        under its key (see :meth:`tally`)."""
        todo = {key: rows for key, rows in requests.items() if key not in self._tallies}
        if todo:
            self._tallies.update(self._count(todo))

    def _count(self, requests: dict) -> dict:
        raise NotImplementedError


def _tallies(requests: dict, totals: dict, ids: pd.Index) -> dict:
    """``{key: Tally}`` from per-code ``{(key, name): (counts, sums or None)}``."""
    results: dict = {key: Tally() for key in requests}
    for (key, name), (c, s) in totals.items():
        present = c > 0
        t = results[key]
        t.counts[name] = pd.Series(c, index=ids)[present]
        t[name] = pd.Series(s, index=ids)[present] if s is not None else t.counts[name]
    return results


def _add_up(parts: list[dict]) -> dict:
    """Per-code totals of several parts added in their order (the same sums whatever
    thread computed which part)."""
    out = {}
    for name, (c, s) in parts[0].items():
        c = c.copy()
        s = None if s is None else s.copy()
        for part in parts[1:]:
            c += part[name][0]
            if s is not None:
                s += part[name][1]
        out[name] = (c, s)
    return out


class Records(_Counting):
    """The records of one table, for indicators: per-unit counts and sums, block by block
    over numpy views of the columns.

    ``tally(rows)`` calls ``rows(block)`` for every :class:`Block` of rows; ``rows``
    returns ``{name: mask}`` (count the rows where ``mask`` is true, booleans or 0/1;
    ``None``: every row;
    :class:`Rows`: the few rows at these positions of the block) or ``{name: (values,
    mask)}`` (sum ``values`` over them, NaN as 0). ``tally_many`` does several at once,
    sharing each block (and what was derived from it).
    """

    #: Rows per block: large enough that Python overhead is small, small enough that a
    #: block's temporaries stay in cache (and are reused, not freshly allocated).
    BLOCK = _BLOCK

    def __init__(self, frame: "pd.DataFrame | Batch", threads: int | None = None, parent=None,
                 overrides: "pd.DataFrame | None" = None):
        super().__init__(overrides)
        self.frame = frame
        self.n = frame.rows if isinstance(frame, Batch) else len(frame)
        self.threads = threads if threads is not None else cpu_threads()
        self.parent = parent  # the StreamedRecords a batch belongs to (its calendar)

    def __len__(self) -> int:
        return self.n

    @property
    def empty(self) -> bool:
        return self.n == 0

    def units(self) -> tuple[np.ndarray, pd.Index]:
        return self.cached(lambda: unit_codes(self.frame["unit_id"]))

    def shared(self, compute, *key):
        """As :meth:`cached`, but kept by the streamed table a batch belongs to (for what
        does not depend on the batch: lookup tables of the codes, of a calendar)."""
        return (self.parent if self.parent is not None else self).cached(compute, *key)

    def column(self, name: str, want: str) -> _Column:
        """Column ``name`` as numpy arrays fit for ``want`` (see :func:`column_arrays`)."""
        def compute():
            value = self.frame[name]
            if isinstance(value, Arrays):
                if want in ("present", value.kind) or (want == "number" and value.kind == "bool"):
                    return value
                value = _series(value)
            return column_arrays(value, want)
        return self.cached(compute, name, want)

    def _count(self, requests: dict) -> dict:
        return _tallies(requests, self.totals(requests), self.units()[1])

    def totals(self, requests: dict) -> dict:
        """Per-code ``{(key, name): (counts, sums or None)}`` of ``{key: rows}``."""
        if self.n > self.BLOCK and self.parent is None:
            keep_freed_memory()  # many blocks of temporaries ahead (see evalkit.data._memory)
        codes, ids = self.units()
        counter = self.cached(lambda: _Counter(codes, len(ids)))
        stop = self.n
        starts = list(range(0, stop, self.BLOCK)) or [0]  # no rows: one empty block, for the names

        def totals(start: int) -> dict:
            return _block_totals(Block(self, start, min(start + self.BLOCK, stop)), requests, counter)

        # The first block alone (it builds what the others share: column views, the
        # calendar …), then the rest on ``threads`` threads; the per-block totals are added
        # in block order, so sums do not depend on the threads.
        parts = [totals(starts[0])]
        workers = min(self.threads, len(starts) - 1)
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                parts += list(pool.map(totals, starts[1:]))
        else:
            parts += [totals(start) for start in starts[1:]]
        return _add_up(parts)

    # --- working days ---------------------------------------------------------------------
    def _column_bounds(self, column: str) -> tuple[np.datetime64, np.datetime64] | None:
        return self.cached(lambda: _time_bounds(self.column(column, "time").data), column)

    def calendar_for(self, *dates: "str | pd.Timestamp") -> WorkCalendar | None:
        """As :meth:`_Counting.calendar_for`; a batch of a streamed table uses the table's."""
        if self.parent is not None:
            return self.parent.calendar_for(*dates)
        return super().calendar_for(*dates)


class StreamedRecords(_Counting):
    """The records of a table not read into memory (a deferred
    :class:`~evalkit.data.reading.ParquetTable`): a tally reads the file a batch of rows at a
    time (:meth:`~evalkit.data.reading.ParquetTable.map_batches`: several row groups at once,
    one thread each) and counts each batch as :class:`Records` counts a block, so that ten
    million rows are never held at once. The tallies of a ``compute_indicators`` call are
    all counted in one such pass (:func:`prefetch`). Working days use one calendar for the
    table, spanning its date columns' statistics."""

    def __init__(self, source, overrides: "pd.DataFrame | None" = None):
        super().__init__(overrides)
        self.source = source

    def __len__(self) -> int:
        return self.source.num_rows

    @property
    def empty(self) -> bool:
        return self.source.num_rows == 0

    def _count(self, requests: dict) -> dict:
        keep_freed_memory()  # many batches of temporaries ahead (see evalkit.data._memory)
        ids = pd.Index(self.source.unit_ids.astype(str), name="unit_id")
        # never empty: a table without rows is read, not deferred (evalkit.data.dataset)
        # one batch per thread (map_batches runs cpu_threads() of them at once), so each
        # batch is counted in its thread alone
        parts = self.source.map_batches(lambda batch: Records(batch, threads=1, parent=self).totals(requests))
        return _tallies(requests, _add_up(parts), ids)

    def _column_bounds(self, column: str) -> tuple[np.datetime64, np.datetime64] | None:
        return self.cached(lambda: self.source.day_bounds(column), column)


def _time_bounds(values: np.ndarray) -> tuple[np.datetime64, np.datetime64] | None:
    """First and last day of a ``datetime64`` array (NaT ignored), without converting it."""
    i = values.view(np.int64)
    if i.size == 0:
        return None
    top = int(i.max())  # NaT is the smallest int64: never the max unless all are NaT
    if top == _NAT:
        return None
    low = int(i.min())
    if low == _NAT:
        low = int(i.min(where=i != _NAT, initial=top))
    days = np.array([low, top], dtype=np.int64).view(values.dtype).astype("datetime64[D]")
    return days[0], days[1]
