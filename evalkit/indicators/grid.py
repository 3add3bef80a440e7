"""Urban grid-management cases (网格化管理案件)."""

from __future__ import annotations

import pandas as pd

from ._common import due_by_year_end
from .base import count_by_unit, rate_frame


def grid_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """网格 按期结案率 — grid cases closed by their due date.

    按期结案率 = 按期结案数 / 应结案数 × 100%; 应结案 = closed cases plus open cases past
    their due date at year end. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (99.8–99.9 %, Fuzhou S31; 75.8 % weak example S32).
    """
    g = dataset.table("grid_cases", year)
    units = dataset.units["unit_id"]
    due = due_by_year_end(g["closed_date"], g["due_date"], year).to_numpy()
    on_time = (g["closed_date"].notna() & (g["closed_date"] <= g["due_date"])).to_numpy()
    return rate_frame(units, year, count_by_unit(g, on_time), count_by_unit(g, due))


def grid_rework_rate(dataset, year: int) -> pd.DataFrame:
    """网格 返工率 — closed grid cases that were sent back for rework.

    返工率 = 返工案件数 / 结案数 × 100%. Unit: %. Direction: lower is better.
    Source: domain brief §1.5 (0.05–0.11 %, Fuzhou S31).
    """
    g = dataset.table("grid_cases", year)
    units = dataset.units["unit_id"]
    closed = g["closed_date"].notna().to_numpy()
    reworked = closed & g["reworked"].fillna(False).astype(bool).to_numpy()
    return rate_frame(units, year, count_by_unit(g, reworked), count_by_unit(g, closed))
