"""Evaluation periods: a whole year, a month, a quarter or the year to date (issue 14, item 1).

A :class:`Period` names the months of one year that an evaluation covers and its **cut-off**
— the end (23:59:59) of the period's last day. Everything after the cut-off is unknown to
the evaluation: records anchored after it do not exist yet, and outcomes recorded after it
(a completion, a reply, a closure) have not happened.

``Period`` is an ``int`` equal to its year, so that code keyed on years (the data's year
folders, the year columns of results, ``dataset.table(name, year)``) takes a period
unchanged, while code that needs the cut-off asks for it (:func:`cutoff`,
:attr:`Period.cutoff`). A plain ``int`` year is the whole year: ``cutoff(2024)`` is
2024-12-31 23:59:59. Two periods of the same year compare equal as ints; compare
:attr:`Period.key` to tell them apart.

Text forms (:func:`parse_period`, ``--period``):

========================  =================================================
``2024``                  the whole year
``2024-09``               September 2024 (one month)
``2024Q3``                the third quarter, July–September 2024
``2024-YTD``              January to the latest month with data (resolved by
                          :meth:`Period.through`), or ``2024-YTD-09`` January–September
========================  =================================================
"""

from __future__ import annotations

import calendar as _calendar
import re

import pandas as pd

from .errors import EvalkitError

__all__ = ["Period", "PeriodError", "parse_period", "cutoff", "period_start", "as_period", "KINDS"]

#: The kinds of period, with their Chinese and English names.
KINDS: dict[str, dict[str, str]] = {
    "year": {"zh": "年度", "en": "year"},
    "month": {"zh": "月度", "en": "month"},
    "quarter": {"zh": "季度", "en": "quarter"},
    "ytd": {"zh": "年初至今", "en": "year to date"},
}
_QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}


class PeriodError(EvalkitError):
    """A period that cannot be read."""


class Period(int):
    """The months ``first_month``–``last_month`` of ``year``; an ``int`` equal to the year.

    Build with :meth:`year_of`, :meth:`month`, :meth:`quarter`, :meth:`ytd` or
    :func:`parse_period`. A year-to-date period whose last month is not known yet
    (``2024-YTD``) has ``last_month`` None until :meth:`through` resolves it.
    """

    def __new__(cls, year: int, kind: str = "year", first_month: int = 1, last_month: int | None = 12):
        if kind not in KINDS:
            raise PeriodError(f"period: kind {kind!r} is not one of {', '.join(KINDS)}")
        if not 1 <= first_month <= 12 or (last_month is not None and not first_month <= last_month <= 12):
            raise PeriodError(f"period: months {first_month}–{last_month} are not months of one year")
        self = super().__new__(cls, int(year))
        self._kind = kind
        self._first = int(first_month)
        self._last = None if last_month is None else int(last_month)
        return self

    # -- constructors --------------------------------------------------------------------
    @classmethod
    def year_of(cls, year: int) -> "Period":
        return cls(year, "year", 1, 12)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(year, "month", month, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if quarter not in (1, 2, 3, 4):
            raise PeriodError(f"period: quarter {quarter} is not 1–4")
        return cls(year, "quarter", 3 * quarter - 2, 3 * quarter)

    @classmethod
    def ytd(cls, year: int, through_month: int | None = None) -> "Period":
        return cls(year, "ytd", 1, through_month)

    def __getnewargs__(self):
        return int(self), self._kind, self._first, self._last

    # -- what it covers ------------------------------------------------------------------
    @property
    def year(self) -> int:
        return int(self)

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def first_month(self) -> int:
        return self._first

    @property
    def last_month(self) -> int:
        if self._last is None:
            raise PeriodError(f"period {self.label}: the last month is not known yet; resolve it with "
                              "Period.through(month) (e.g. the latest month with data)")
        return self._last

    @property
    def resolved(self) -> bool:
        return self._last is not None

    @property
    def months(self) -> tuple[int, ...]:
        return tuple(range(self._first, self.last_month + 1))

    @property
    def is_full_year(self) -> bool:
        return self._first == 1 and self._last == 12

    @property
    def in_year(self) -> bool:
        """True for a month, a quarter or the year to date (even one through December): an
        in-year period, evaluated as known at its cut-off with its annual-only indicators not
        assessed; False for the whole year (kind ``year``), evaluated as a plain year is."""
        return self._kind != "year"

    @property
    def quarter_number(self) -> int | None:
        return (self._last // 3) if self._kind == "quarter" else None

    @property
    def start(self) -> pd.Timestamp:
        """The first moment of the period."""
        return pd.Timestamp(year=int(self), month=self._first, day=1)

    @property
    def end_date(self) -> pd.Timestamp:
        """The period's last day (midnight)."""
        last = self.last_month
        return pd.Timestamp(year=int(self), month=last, day=_calendar.monthrange(int(self), last)[1])

    @property
    def cutoff(self) -> pd.Timestamp:
        """The end of the period's last day, 23:59:59: what happened later is unknown."""
        return self.end_date + pd.Timedelta(hours=23, minutes=59, seconds=59)

    def through(self, month: int) -> "Period":
        """This period with its last month set (a year-to-date period resolved against the data)."""
        return Period(int(self), self._kind, self._first, int(month))

    def same_period(self, year: int) -> "Period":
        """The same months of another year (year-over-year comparisons)."""
        return Period(int(year), self._kind, self._first, self._last)

    # -- names ---------------------------------------------------------------------------
    @property
    def key(self) -> str:
        """The period as text: ``2024``, ``2024-09``, ``2024Q3``, ``2024-YTD-09``."""
        y = int(self)
        if self._kind == "year":
            return str(y)
        if self._kind == "month":
            return f"{y}-{self._first:02d}"
        if self._kind == "quarter":
            return f"{y}Q{self.quarter_number}"
        return f"{y}-YTD" if self._last is None else f"{y}-YTD-{self._last:02d}"

    label = key

    def name(self, language: str = "zh") -> str:
        """The period as readers say it: 2024年9月 / September 2024 …"""
        y = int(self)
        if language == "zh":
            if self._kind == "year":
                return f"{y} 年度"
            if self._kind == "month":
                return f"{y} 年 {self._first} 月"
            if self._kind == "quarter":
                return f"{y} 年第{_QUARTER_ZH[self.quarter_number]}季度"
            return f"{y} 年 1—{self.last_month} 月"
        if self._kind == "year":
            return str(y)
        if self._kind == "month":
            return f"{_calendar.month_name[self._first]} {y}"
        if self._kind == "quarter":
            return f"Q{self.quarter_number} {y}"
        return f"January–{_calendar.month_name[self.last_month]} {y}"

    def __repr__(self) -> str:
        return f"Period({self.key!r})"

    def __str__(self) -> str:  # str(period) and f"{period}" in a path read as the year
        return str(int(self))

    def __format__(self, spec: str) -> str:
        return format(int(self), spec)


_FORMS = [
    (re.compile(r"^(\d{4})$"), lambda m: Period.year_of(int(m[1]))),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), lambda m: Period.month(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-?Q([1-4])$", re.I), lambda m: Period.quarter(int(m[1]), int(m[2]))),
    (re.compile(r"^(\d{4})-YTD$", re.I), lambda m: Period.ytd(int(m[1]))),
    (re.compile(r"^(\d{4})-YTD-(\d{1,2})$", re.I), lambda m: Period.ytd(int(m[1]), int(m[2]))),
]


def parse_period(text) -> Period:
    """A :class:`Period` from its text form (see the module docstring); a clear
    :class:`PeriodError` naming what was expected otherwise."""
    if isinstance(text, Period):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Period.year_of(text)
    s = str(text).strip()
    for pattern, build in _FORMS:
        m = pattern.match(s)
        if m:
            try:
                return build(m)
            except PeriodError as exc:
                raise PeriodError(f"period {s!r}: {exc}") from None
    raise PeriodError(f"period: expected a year (2024), a month (2024-09), a quarter (2024Q3) or the "
                      f"year to date (2024-YTD, 2024-YTD-09); found {s!r}")


def as_period(year) -> Period:
    """A :class:`Period` for a period or a plain year (the whole year)."""
    return year if isinstance(year, Period) else Period.year_of(int(year))


def cutoff(year) -> pd.Timestamp:
    """The cut-off of a period, or of a whole year for a plain ``int`` (31 December 23:59:59)."""
    return as_period(year).cutoff


def period_start(year) -> pd.Timestamp:
    """The first day of a period, or 1 January of a plain year."""
    return as_period(year).start
