"""Working-day arithmetic for time limits (限时办结).

China's working days are Monday–Friday, minus statutory public holidays, *plus* the
make-up working days (调休) that fall on weekends. Holidays and make-up days come from the
maintained ``chinese_calendar`` package (State Council notices, 2004 onwards); years it
does not cover can be supplied in an override table.

Conventions
-----------
* ``working_days_between(start, end)`` counts working days in the half-open interval
  ``(start, end]``: the day a case is received is day 0, so a case received on Monday and
  completed on Tuesday took 1 working day, and a case completed on the day of receipt took
  0. A time limit of *L* working days is met when this count is ≤ *L*.
* Times of day are ignored (dates are floored).
* The count of a negative interval is negative (validation rejects such records anyway).
* The start day is never counted, whether or not it is a working day: a case received on a
  holiday (1 October 2024) and completed on the next working day (8 October) took 1 working
  day, the same as one received on the last working day before the holiday (30 September).
* ``add_working_days(start, n)`` is the inverse: for ``n ≥ 1`` the working day ``r`` with
  exactly ``n`` working days in ``(start, r]`` (so the deadline of a time limit of ``n``
  working days); for ``n = 0`` ``start`` itself, holiday or not; for ``n < 0`` the working
  day ``r`` with exactly ``-n`` working days in ``(r, start]``.

For one date or one pair use :func:`add_working_days` and :func:`working_days_between`
(``evalkit.add_working_days``, ``evalkit.working_days_between``): they take dates or ISO
strings, build the calendar they need and return a ``datetime.date`` or an ``int``. For
columns of dates build one :class:`WorkCalendar` (or :func:`calendar_for_dates`) and use its
vectorised methods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import EvalkitError


@dataclass(frozen=True)
class WorkCalendar:
    """A precomputed working-day calendar between ``start`` and ``end`` (inclusive).

    ``cumulative[i]`` is the number of working days from ``start`` up to and including
    day ``start + i``, which makes interval counts one vectorised subtraction.
    """

    start: np.datetime64
    end: np.datetime64
    cumulative: np.ndarray

    @classmethod
    def build(cls, start: str | dt.date, end: str | dt.date,
              overrides: pd.DataFrame | None = None) -> "WorkCalendar":
        """Build the calendar for ``start``..``end``.

        ``overrides``: optional frame with columns ``date`` and ``workday`` (bool) that
        takes precedence over the package, e.g. for years it does not cover yet.
        """
        s = np.datetime64(pd.Timestamp(start).date(), "D")
        e = np.datetime64(pd.Timestamp(end).date(), "D")
        days = np.arange(s, e + 1, dtype="datetime64[D]")
        override = {}
        if overrides is not None and len(overrides):
            override = {np.datetime64(pd.Timestamp(d).date(), "D"): bool(w)
                        for d, w in zip(overrides["date"], overrides["workday"])}
        flags = np.empty(len(days), dtype=bool)
        for i, day in enumerate(days):
            if day in override:
                flags[i] = override[day]
            else:
                flags[i] = _package_is_workday(day.astype(dt.date))
        return cls(s, e, np.cumsum(flags))

    def _index(self, dates: np.ndarray) -> np.ndarray:
        d = dates.astype("datetime64[D]")
        if d.size and ((d < self.start).any() or (d > self.end).any()):
            raise EvalkitError(
                f"working-day calendar covers {self.start}..{self.end}; a date outside it was given")
        return (d - self.start).astype(np.int64)

    def is_workday(self, dates) -> np.ndarray:
        idx = self._index(np.asarray(dates, dtype="datetime64[D]"))
        prev = np.where(idx > 0, self.cumulative[np.maximum(idx - 1, 0)], 0)
        return (self.cumulative[idx] - prev) == 1

    def working_days_between(self, start, end) -> np.ndarray:
        """Working days in ``(start, end]``; NaN where either date is missing."""
        s = pd.to_datetime(pd.Series(start)).to_numpy(dtype="datetime64[D]")
        e = pd.to_datetime(pd.Series(end)).to_numpy(dtype="datetime64[D]")
        ok = ~(np.isnat(s) | np.isnat(e))
        out = np.full(len(s), np.nan)
        if ok.any():
            out[ok] = self.cumulative[self._index(e[ok])] - self.cumulative[self._index(s[ok])]
        return out

    def cumulative_at(self, days: np.ndarray) -> np.ndarray:
        """Working days from ``start`` through each day, as float64 (NaN where the day is NaT).

        ``days`` is a ``datetime64[D]`` array. The count of ``(s, e]`` is
        ``cumulative_at(e) - cumulative_at(s)``, exactly :meth:`working_days_between`; a
        date column looked up once serves every interval that starts or ends on it, which
        is how the indicators handle millions of records.
        """
        d = np.asarray(days).astype("datetime64[D]", copy=False)
        n = len(self.cumulative)
        start = self.start.astype(np.int64)
        values = d.view(np.int64)
        if d.size and int(values.max()) - int(start) >= n:  # NaT (the smallest int64) never is
            raise EvalkitError(
                f"working-day calendar covers {self.start}..{self.end}; a date outside it was given")
        idx = values - start  # a fresh array (NaT entries wrap around; overwritten next)
        idx[np.isnat(d)] = n  # → NaN below
        if d.size and idx.min() < 0:
            raise EvalkitError(
                f"working-day calendar covers {self.start}..{self.end}; a date outside it was given")
        table = np.append(self.cumulative.astype(np.float64), np.nan)
        return table[idx]

    def covers(self, first: np.datetime64, last: np.datetime64) -> bool:
        return bool(self.start <= first and last <= self.end)

    def add_working_days(self, start, n) -> np.ndarray:
        """The date ``n`` working days after ``start`` (see the module's conventions).

        For ``n ≥ 1`` the first date whose count from ``start`` reaches ``n`` (a working
        day); ``n = 0`` gives ``start`` itself; ``n < 0`` the working day with ``-n``
        working days in ``(result, start]``.
        """
        s = pd.to_datetime(pd.Series(start)).to_numpy(dtype="datetime64[D]")
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), s.shape)
        idx = self._index(s)
        target = self.cumulative[idx] + n
        pos = np.searchsorted(self.cumulative, target, side="left")
        # n = 0 on a non-working day: the search finds the last working day *before* start.
        pos = np.where(n == 0, idx, pos)
        if (pos >= len(self.cumulative)).any() or ((n != 0) & (target < 1)).any():
            raise EvalkitError("working-day calendar too short for the requested deadline")
        return self.start + pos.astype("timedelta64[D]")


def _package_is_workday(day: dt.date) -> bool:
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise EvalkitError(
            f"the chinese_calendar package has no holiday data for {day.year}; supply a "
            "working-day override file (columns date, workday) for that year") from exc


def load_overrides(path: str | Path) -> pd.DataFrame:
    """Read an override CSV with columns ``date`` (YYYY-MM-DD) and ``workday`` (1/0)."""
    frame = pd.read_csv(path, dtype=str)
    missing = {"date", "workday"} - set(frame.columns)
    if missing:
        raise EvalkitError(f"{path}: expected columns date, workday; missing {', '.join(sorted(missing))}")
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    bad = dates.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise EvalkitError(f"{path}, row {row}, column 'date': expected YYYY-MM-DD; found "
                           f"'{frame['date'].iloc[row - 2]}'")
    flags = frame["workday"].str.strip().map({"1": True, "0": False, "true": True, "false": False})
    if flags.isna().any():
        row = int(np.flatnonzero(flags.isna().to_numpy())[0]) + 2
        raise EvalkitError(f"{path}, row {row}, column 'workday': expected 1 or 0; found "
                           f"'{frame['workday'].iloc[row - 2]}'")
    return pd.DataFrame({"date": dates, "workday": flags.astype(bool)})


def calendar_for_dates(*columns, overrides: pd.DataFrame | None = None,
                       margin_days: int = 0) -> WorkCalendar:
    """A calendar spanning every date in ``columns`` (plus ``margin_days`` after the last)."""
    lo, hi = None, None
    for col in columns:
        values = pd.to_datetime(pd.Series(col)).dropna()
        if len(values):
            lo = values.min() if lo is None else min(lo, values.min())
            hi = values.max() if hi is None else max(hi, values.max())
    if lo is None:
        lo = hi = pd.Timestamp("2000-01-01")
    return WorkCalendar.build(lo.date(), (hi + pd.Timedelta(days=margin_days)).date(), overrides)


# ----------------------------------------------------------------------------------------
# One date at a time (the public evalkit.add_working_days / evalkit.working_days_between)
# ----------------------------------------------------------------------------------------

#: What the scalar functions accept as a date.
DateLike = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64


def _as_date(value: DateLike, what: str) -> dt.date:
    """``value`` as a :class:`datetime.date` (times of day dropped); strings must be ISO 8601."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            raise EvalkitError(f"{what}: expected an ISO date such as '2024-10-08'; found {value!r}") from None
    if isinstance(value, (dt.date, pd.Timestamp, np.datetime64)):
        stamp = pd.Timestamp(value)
        if not pd.isna(stamp):
            return stamp.date()
    raise EvalkitError(f"{what}: expected a date (datetime.date, datetime, pandas Timestamp, "
                       f"numpy datetime64 or an ISO string such as '2024-10-08'); found {value!r}")


def working_days_between(start: DateLike, end: DateLike, *,
                         overrides: pd.DataFrame | None = None) -> int:
    """Working days in ``(start, end]`` under China's working-day calendar.

    The start day is not counted (a case received on Monday and completed on Tuesday took
    1 working day; one completed on the day of receipt took 0); the end day is counted when
    it is a working day. Holidays, weekends and make-up working days (调休) come from
    ``chinese_calendar``; ``overrides`` (from :func:`load_overrides`) takes precedence.
    ``end`` before ``start`` gives a negative count. See the module docstring.

    Parameters
    ----------
    start, end : date-like
        ``datetime.date``, ``datetime`` (time ignored), pandas ``Timestamp``, numpy
        ``datetime64`` or an ISO string (``"2024-10-08"``).

    Returns
    -------
    int

    Examples
    --------
    National Day 2024: 1–7 October off, Sunday 29 September worked.

    >>> working_days_between("2024-09-27", "2024-10-08")  # Sun 29, Mon 30 Sep, Tue 8 Oct
    3
    >>> working_days_between("2024-10-01", "2024-10-08")  # a holiday start counts like any start
    1
    """
    a, b = _as_date(start, "start"), _as_date(end, "end")
    lo, hi = min(a, b), max(a, b)
    cal = WorkCalendar.build(lo, hi, overrides)
    count = int(cal.cumulative[-1] - cal.cumulative[0])
    return count if a <= b else -count


def add_working_days(date: DateLike, n: int, *, overrides: pd.DataFrame | None = None) -> dt.date:
    """The date ``n`` working days after ``date``: the deadline of a limit of ``n`` working days.

    For ``n ≥ 1`` the working day ``r`` with exactly ``n`` working days in ``(date, r]``, so
    that ``working_days_between(date, r) == n`` (the start day is not counted, whether or
    not it is a working day). ``n = 0`` returns ``date`` itself, even on a holiday. ``n < 0``
    counts backwards: the working day ``r`` with ``working_days_between(r, date) == -n``.
    Holidays and make-up days (调休) as in :func:`working_days_between`; the calendar is
    built for as many years as the answer needs.

    Parameters
    ----------
    date : date-like
        As for :func:`working_days_between`.
    n : int
        Working days to add (may be 0 or negative).

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> add_working_days("2024-09-30", 1)  # 1–7 October 2024 are off
    datetime.date(2024, 10, 8)
    >>> add_working_days("2024-09-27", 1)  # Sunday 29 September is a make-up working day
    datetime.date(2024, 9, 29)
    """
    day = _as_date(date, "date")
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        raise EvalkitError(f"n: expected a whole number of working days; found {n!r}")
    n = int(n)
    if n == 0:
        return day
    years = 0
    while True:  # widen a year at a time: years the package lacks are only asked for when needed
        if n > 0:
            lo, hi = day, dt.date(day.year + years, 12, 31)
        else:
            lo, hi = dt.date(day.year - years, 1, 1), day
        years += 1
        cal = WorkCalendar.build(lo, hi, overrides)
        at = int(cal.cumulative[(np.datetime64(day, "D") - cal.start).astype(np.int64)])
        enough = (int(cal.cumulative[-1]) - at >= n) if n > 0 else (at + n >= 1)
        if enough:
            return cal.add_working_days(pd.Series([pd.Timestamp(day)]), n)[0].astype(dt.date)

