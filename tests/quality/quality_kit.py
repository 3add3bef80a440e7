"""Helpers of the data-quality tests: hand-made datasets (the indicator tests' kit) and the
context a rule kernel takes."""

from __future__ import annotations

import pandas as pd

from evalkit.data.contract import TABLES
from evalkit.quality.rules import QualityContext
from tests.indicators.indicator_kit import make_dataset, typed_frame  # noqa: F401  (re-exported)

YEAR = 2024


def context(ds, year: int = YEAR, through_month: int = 12, submissions=None) -> QualityContext:
    """The :class:`QualityContext` of ``ds``'s ``year``, as :func:`quality_metrics` builds it."""
    def key(name):
        return year if TABLES[name].scope == "year" else None

    return QualityContext(year=year, units=pd.Index(ds.units["unit_id"].astype(str)),
                          frame=lambda name: ds.table(name, key(name)),
                          has=lambda name: ds.has(name, key(name)), through_month=through_month,
                          submissions=submissions)


def row(out: pd.DataFrame, unit: str) -> pd.Series:
    rows = out[out["unit_id"] == unit]
    assert len(rows) == 1, f"{unit}: {len(rows)} rows"
    return rows.iloc[0]
