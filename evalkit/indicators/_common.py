"""Small helpers shared by indicator modules (year boundaries, due-by-year-end tests)."""

from __future__ import annotations

import pandas as pd


def year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year=year, month=12, day=31, hour=23, minute=59, second=59)


def due_by_year_end(done: pd.Series, due: pd.Series, year: int) -> pd.Series:
    """Records that *should* be finished by the end of ``year`` (应办结): finished ones,
    plus unfinished ones whose deadline has passed."""
    return done.notna() | (due <= year_end(year))
