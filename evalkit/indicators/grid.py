"""Urban grid-management cases (网格化管理案件)."""

from __future__ import annotations

import pandas as pd

from ._common import counted, tally_rule, year_end
from .base import rate_frame


# What the grid indicators count (see evalkit.indicators._common).
T = "grid_cases"


@tally_rule(T, "closed", used_by=["grid_rework_rate", "cost_per_case"])
def _closed(year: int):
    return lambda b: {"n": b.present("closed_date")}


@tally_rule(T, "on_time", used_by=["grid_on_time_rate"])
def _on_time(year: int):
    last = year_end(year).to_datetime64()

    def rows(b):
        closed = b.present("closed_date")
        return {"on_time": closed & (b.times("closed_date") <= b.times("due_date")),  # NaT compares false
                "due": closed | (b.times("due_date") <= last)}
    return rows


@tally_rule(T, "reworked", used_by=["grid_rework_rate"])
def _reworked(year: int):
    return lambda b: {"n": b.present("closed_date") & b.flags("reworked")}


def grid_on_time_rate(dataset, year: int) -> pd.DataFrame:
    """网格 按期结案率 — grid cases closed by their due date.

    按期结案率 = 按期结案数 / 应结案数 × 100%; 应结案 = closed cases plus open cases past
    their due date at year end. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (99.8–99.9 %, Fuzhou S31; 75.8 % weak example S32).
    """
    t = counted(dataset, T, year, "on_time")
    return rate_frame(dataset.units["unit_id"], year, t["on_time"], t["due"])


def grid_rework_rate(dataset, year: int) -> pd.DataFrame:
    """网格 返工率 — closed grid cases that were sent back for rework.

    返工率 = 返工案件数 / 结案数 × 100%. Unit: %. Direction: lower is better.
    Source: domain brief §1.5 (0.05–0.11 %, Fuzhou S31).
    """
    return rate_frame(dataset.units["unit_id"], year, counted(dataset, T, year, "reworked")["n"],
                      counted(dataset, T, year, "closed")["n"])
