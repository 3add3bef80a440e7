"""Staffing (人员配置)."""

from __future__ import annotations

import pandas as pd

from .base import rate_frame


def staffing_control_rate(dataset, year: int) -> pd.DataFrame:
    """在职人员控制率 — staff in post against authorised posts.

    在职人员控制率 = 在编人数 / 编制数 × 100%. Full marks at ≤ 100 %. Unit: %.
    Direction: lower is better. Source: domain brief §1.1 (部门整体支出绩效评价, S6).
    """
    s = dataset.table("staffing", year)
    units = dataset.units["unit_id"]
    s = s.set_index("unit_id")
    return rate_frame(units, year, s["staff_in_post"].astype("float64"),
                      s["authorised_posts"].astype("float64"), n=s["authorised_posts"].astype("float64"))
