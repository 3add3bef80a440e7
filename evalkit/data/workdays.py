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
        """The date ``n`` working days after ``start`` (the first date whose count reaches n)."""
        s = pd.to_datetime(pd.Series(start)).to_numpy(dtype="datetime64[D]")
        n = np.broadcast_to(np.asarray(n, dtype=np.int64), s.shape)
        target = self.cumulative[self._index(s)] + n
        pos = np.searchsorted(self.cumulative, target, side="left")
        if (pos >= len(self.cumulative)).any():
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
