"""Vectorised working-day and working-time arithmetic for the sample generator.

Working days come from :class:`evalkit.data.workdays.WorkCalendar` (``chinese_calendar``:
Monday–Friday minus public holidays plus 调休 make-up days), so generated deadlines agree
with the ones the indicators compute. Years the package does not cover fall back to
Monday–Friday.

Working time is counted in seconds of the office day 08:30–17:30 (32,400 s per working
day): a *work-second index* ``t`` means working day ``t // 32400`` of the calendar at
``08:30 + t % 32400`` seconds, so adding working hours to a time stamp is an integer
addition and every generated time falls inside office hours on a working day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.workdays import WorkCalendar

#: Length of the office day (08:30–17:30) in seconds.
WORKDAY_SECONDS = 9 * 3600
#: Start of the office day as an offset from midnight.
OFFICE_OPENS = np.timedelta64(8 * 3600 + 30 * 60, "s")

_FIRST_COVERED, _LAST_COVERED = 2004, 2026


def _weekday_overrides(first_year: int, last_year: int) -> pd.DataFrame | None:
    """Monday–Friday rows for the years ``chinese_calendar`` does not cover."""
    days = [d for y in range(first_year, last_year + 1)
            if not _FIRST_COVERED <= y <= _LAST_COVERED
            for d in pd.date_range(f"{y}-01-01", f"{y}-12-31", freq="D")]
    if not days:
        return None
    index = pd.DatetimeIndex(days)
    return pd.DataFrame({"date": index, "workday": index.dayofweek < 5})


@dataclass(frozen=True, eq=False)
class SampleCalendar:
    """Working days from 1 January of ``first_year`` to 31 December of ``last_year``.

    Attributes
    ----------
    first_day:
        The first calendar day covered (``datetime64[D]``).
    through:
        ``through[i]`` = working days from ``first_day`` up to and including day ``i``.
    workdays:
        The working days in order (``datetime64[D]``).
    """

    first_day: np.datetime64
    through: np.ndarray
    workdays: np.ndarray

    @classmethod
    def build(cls, first_year: int, last_year: int) -> "SampleCalendar":
        """Build the calendar for the whole years ``first_year``..``last_year``."""
        base = WorkCalendar.build(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31),
                                  _weekday_overrides(first_year, last_year))
        through = np.asarray(base.cumulative, dtype=np.int64)
        is_work = np.diff(through, prepend=0).astype(bool)
        first = np.datetime64(dt.date(first_year, 1, 1), "D")
        workdays = first + np.flatnonzero(is_work).astype("timedelta64[D]")
        return cls(first, through, workdays)

    # -- days -------------------------------------------------------------------------

    def workdays_between(self, start: str, end: str) -> np.ndarray:
        """Working days ``start``..``end`` (inclusive, ISO dates)."""
        lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
        return self.workdays[(self.workdays >= lo) & (self.workdays <= hi)]

    def add_workdays(self, dates: np.ndarray, n) -> np.ndarray:
        """The date ``n`` working days after each date (``n = 0``: the date itself if it is a
        working day, else the next working day).

        Matches :meth:`evalkit.data.workdays.WorkCalendar.working_days_between`: the result ``r``
        of a working day ``d`` has exactly ``n`` working days in ``(d, r]``.
        """
        d = np.asarray(dates, dtype="datetime64[D]")
        offset = (d - self.first_day).astype(np.int64)
        index = self.through[offset] + np.asarray(n, dtype=np.int64) - 1
        index = np.where((~self._is_workday_offset(offset)) & (np.asarray(n) == 0), index + 1, index)
        return self.workdays[np.clip(index, 0, len(self.workdays) - 1)]

    def _is_workday_offset(self, offset: np.ndarray) -> np.ndarray:
        prev = np.where(offset > 0, self.through[np.maximum(offset - 1, 0)], 0)
        return (self.through[offset] - prev) == 1

    def workday_number(self, dates: np.ndarray) -> np.ndarray:
        """Position in :attr:`workdays` of each date (which must be a working day)."""
        d = np.asarray(dates, dtype="datetime64[D]")
        return self.through[(d - self.first_day).astype(np.int64)] - 1

    # -- working time ------------------------------------------------------------------

    def to_datetime(self, work_seconds: np.ndarray) -> np.ndarray:
        """Convert work-second indices to ``datetime64[s]`` time stamps."""
        t = np.asarray(work_seconds, dtype=np.int64)
        day = np.clip(t // WORKDAY_SECONDS, 0, len(self.workdays) - 1)
        second = (t % WORKDAY_SECONDS).astype("timedelta64[s]")
        return self.workdays[day].astype("datetime64[s]") + OFFICE_OPENS + second

    def work_second_of_day_start(self, dates: np.ndarray) -> np.ndarray:
        """Work-second index of 08:30 on each (working) date."""
        return self.workday_number(dates) * WORKDAY_SECONDS
