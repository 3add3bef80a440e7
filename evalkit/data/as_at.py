"""A table as known at a period's cut-off (issue 14, item 1; docs/periods.md).

For a :class:`~evalkit.periods.Period` shorter than the year, every indicator sees the data
*as known at the period's cut-off, restricted to the period*. The rules are read from the
data contract (:mod:`evalkit.data.contract`), nowhere else:

* a record whose table's ``anchor_date`` lies outside ``[period.start, period.cutoff]`` is
  not in the period (a case received in June is not a case of the third quarter);
* a row of a monthly table (a column with ``timing="month"``, e.g. ``budget_lines.month``)
  is in the period when its month is one of the period's months;
* a date of an ``"outcome"`` column (``timing="outcome"``: completion, reply, closure …) after
  the cut-off has not happened: it reads as missing, and so does every value recorded with it
  (``recorded_with``: a rating, a callback's satisfaction, a lawsuit's outcome …);
* dates known in advance (``timing="deadline"``: ``due_at``, ``due_date``, ``deadline`` …) and
  every other column are kept.

A whole year (a plain ``int`` or ``Period.year_of``) is the data as they are: annual
results do not depend on when they are computed, and outcomes recorded early the next year
(a case received in December, completed in January) count, as they always have.

These are pure functions of a frame, its contract table and the period: they copy, never
modify, the frame they are given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import Period, PeriodError
from .contract import TABLES, Table

__all__ = ["in_period", "known_at", "restricts", "latest_month", "resolve_period"]


def restricts(year) -> bool:
    """True for an in-year period (:attr:`~evalkit.periods.Period.in_year`: a month, a quarter
    or the year to date); a plain year or a whole-year period: False."""
    return isinstance(year, Period) and year.in_year


def _times(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column]
    return values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values, errors="coerce")


def _blank(values: pd.Series, unknown: np.ndarray) -> pd.Series:
    """``values`` with the rows ``unknown`` missing, keeping the column's type where it has a
    missing value (a non-nullable bool or int column becomes its nullable type)."""
    if not unknown.any():
        return values
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        values = values.astype("boolean")
    elif isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = values.astype("Int64")
    return values.mask(unknown)


def known_at(frame: pd.DataFrame, table: Table, cutoff: pd.Timestamp) -> pd.DataFrame:
    """``frame`` as known at ``cutoff``: records anchored after it dropped, outcomes after it
    (and the values recorded with them) missing. Columns the frame lacks are skipped."""
    cutoff = pd.Timestamp(cutoff)
    keep = None
    if table.anchor_date and table.anchor_date in frame.columns:
        anchor = _times(frame, table.anchor_date)
        keep = ~(anchor > cutoff).to_numpy()
    out = frame if keep is None or keep.all() else frame.loc[keep]
    changed: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.timing != "outcome" or column.name not in out.columns:
            continue
        late = (_times(out, column.name) > cutoff).to_numpy()
        if not late.any():
            continue
        changed[column.name] = _blank(out[column.name], late)
        for value in table.columns:
            if value.recorded_with == column.name and value.name in out.columns:
                changed[value.name] = _blank(out[value.name], late)
    if changed:
        out = out.assign(**changed)
    return out if out is not frame else frame.copy(deep=False)


def in_period(frame: pd.DataFrame, table: Table, period: Period) -> pd.DataFrame:
    """``frame`` restricted to ``period`` and as known at its cut-off (the module's rules).

    A plain year or a full-year period returns the frame unchanged (the same object)."""
    if not restricts(period):
        return frame
    keep = np.ones(len(frame), dtype=bool)
    if table.anchor_date and table.anchor_date in frame.columns:
        anchor = _times(frame, table.anchor_date)
        keep &= (anchor >= period.start).to_numpy() & (anchor <= period.cutoff).to_numpy()
    for column in table.columns:
        if column.timing == "month" and column.name in frame.columns:
            month = pd.to_numeric(frame[column.name], errors="coerce")
            keep &= month.isin(period.months).to_numpy()
    return known_at(frame.loc[keep] if not keep.all() else frame, table, period.cutoff)


def latest_month(dataset, year: int) -> int | None:
    """The latest month of ``year`` with data: the last month in which a record of an in-year
    operational table is anchored (received, dispatched, opened …) or a monthly table has a
    row; None when there is none. A table left unread (streamed Parquet) is asked for its
    anchor's last day without reading it."""
    months: list[int] = []
    for (y, name), frame in dataset.tables.items():
        table = TABLES.get(name)
        if y is None or int(y) != int(year) or table is None or table.kind != "operational" or table.annual_only:
            continue
        month_columns = [c.name for c in table.columns if c.timing == "month"]
        if not isinstance(frame, pd.DataFrame):  # deferred: the column statistics
            bounds = frame.day_bounds(table.anchor_date) if table.anchor_date else None
            if bounds is not None:
                months.append(pd.Timestamp(bounds[1]).month)
            continue
        if frame.empty:
            continue
        if table.anchor_date and table.anchor_date in frame.columns:
            top = _times(frame, table.anchor_date).max()
            if pd.notna(top) and top.year == int(year):
                months.append(int(top.month))
        for column in month_columns:
            if column in frame.columns:
                top = pd.to_numeric(frame[column], errors="coerce").max()
                if pd.notna(top):
                    months.append(int(top))
    return max(months) if months else None


def resolve_period(dataset, period: Period) -> Period:
    """``period`` with its last month known: a year to date without one (``2024-YTD``) runs
    to :func:`latest_month` of its year; any other period is returned as it is. A year with
    no dated record is a :class:`~evalkit.periods.PeriodError`."""
    if period.resolved:
        return period
    month = latest_month(dataset, int(period))
    if month is None:
        raise PeriodError(f"period {period.key}: no record of {int(period)} is dated, so the year to date "
                          f"cannot be resolved; give its last month, e.g. {int(period)}-YTD-09")
    return period.through(month)
