"""Administrative review and litigation (行政复议, 行政诉讼)."""

from __future__ import annotations

import pandas as pd

from .base import count_by_unit, rate_frame

CORRECTED = ("revoked", "varied", "confirmed_unlawful", "ordered_to_perform")


def review_correction_rate(dataset, year: int) -> pd.DataFrame:
    """行政复议纠错率 — share of concluded reviews that corrected the unit's act.

    纠错率 = (撤销 + 变更 + 确认违法 + 责令履行) / 审结数 × 100%. Unit: %. Direction:
    lower is better. Source: domain brief §1.5 (national 12.07 % in 2024, S40).
    """
    c = dataset.table("legal_cases", year)
    units = dataset.units["unit_id"]
    review = (c["kind"] == "review") & c["concluded_date"].notna() & c["outcome"].notna()
    corrected = review & c["outcome"].isin(CORRECTED)
    return rate_frame(units, year, count_by_unit(c, corrected.to_numpy()),
                      count_by_unit(c, review.to_numpy()))


def litigation_loss_rate(dataset, year: int) -> pd.DataFrame:
    """行政诉讼败诉率 — concluded lawsuits the unit lost.

    败诉率 = 败诉案件数 / 审结案件数 × 100%. Unit: %. Direction: lower is better.
    Source: domain brief §1.5 (3–10 %).
    """
    c = dataset.table("legal_cases", year)
    units = dataset.units["unit_id"]
    concluded = (c["kind"] == "litigation") & c["concluded_date"].notna() & c["outcome"].notna()
    lost = concluded & (c["outcome"] == "lost")
    return rate_frame(units, year, count_by_unit(c, lost.to_numpy()), count_by_unit(c, concluded.to_numpy()))
