"""Government information disclosure on request (依申请公开)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.workdays import calendar_for_dates
from ._common import last_day
from .base import count_by_unit, rate_frame

#: Statutory answer period in working days, and the maximum approved extension
#: (政府信息公开条例 第三十三条); ``indicators.yaml`` may set others
#: (:class:`~evalkit.indicators.parameters.IndicatorParameters`).
ANSWER_DAYS = 20
EXTENSION_DAYS = 20


def disclosure_on_time_rate(dataset, year: int, answer_days: int = ANSWER_DAYS,
                            extension_days: int = EXTENSION_DAYS) -> pd.DataFrame:
    """依申请公开 按时答复率 — requests answered within the statutory period.

    按时答复率 = 期限内答复数 / 应答复数 × 100%. The period is 20 working days, 40 when an
    extension was approved (政府信息公开条例 第三十三条; parameters ``answer_days`` and
    ``extension_days``). 应答复 = answered requests plus unanswered ones whose period ended
    on or before 31 December. Unit: %. Direction: higher is better. Source: domain brief
    §1.5 (S39).
    """
    r = dataset.table("disclosure_requests", year)
    units = dataset.units["unit_id"]
    if r.empty:
        return rate_frame(units, year, pd.Series(dtype=float), pd.Series(dtype=float))
    end = last_day(year)
    cal = calendar_for_dates(r["received_date"], r["replied_date"], [end],
                             overrides=getattr(dataset, "workday_overrides", None))
    limit = answer_days + np.where(r["extended"].fillna(False).astype(bool), extension_days, 0)
    used = cal.working_days_between(r["received_date"], r["replied_date"])
    replied = r["replied_date"].notna().to_numpy()
    elapsed = cal.working_days_between(r["received_date"], pd.Series(end, index=r.index))
    due = replied | (elapsed >= limit)  # period ended on or before 31 December
    on_time = replied & (used <= limit)
    return rate_frame(units, year, count_by_unit(r, on_time), count_by_unit(r, due))


def proactive_disclosure_rate(dataset, year: int) -> pd.DataFrame:
    """主动公开率 (公文) — official documents proactively disclosed.

    主动公开率 = 主动公开公文数 / 制发公文数 × 100%. Unit: %. Direction: higher is better.
    Source: domain brief §1.5 (95.19 %, Putuo H1 2022, S37).
    """
    d = dataset.table("disclosure_documents", year).set_index("unit_id")
    units = dataset.units["unit_id"]
    return rate_frame(units, year, d["documents_disclosed"].astype("float64"),
                      d["documents_issued"].astype("float64"))
