"""What an indicator is, and the shared shape of indicator output.

Every indicator function takes a validated :class:`~evalkit.data.dataset.Dataset` and a year and
returns a tidy frame with one row per evaluated unit (every unit of ``units``, so that
"nothing to count" is explicit) and the columns

``unit_id, year, value, numerator, denominator, n, status, ci_low, ci_high``

* ``value``: the indicator in its unit (rates in per cent, 0–100); NaN when there is no data;
* ``numerator``/``denominator``: the counts or amounts behind a ratio (NaN otherwise);
* ``n``: number of records the value rests on (0 when there is none);
* ``status``: ``"ok"`` or ``"no_data"`` (nothing to count: never reported as 0 % or 100 %);
* ``ci_low``, ``ci_high``: the 95 % Wilson score interval of a rate of records, on the
  scale of ``value`` (NaN for other ratios and for no data): a rate from 3 tickets is
  visibly less certain than one from 3,000.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.contract import TABLES
from ._common import per_unit, unit_codes

#: The evaluation areas of section 七 of the implementation opinion, plus major projects
#: and supervision, in report order.
AREAS: dict[str, dict[str, str]] = {
    "power": {"zh": "权力行使", "en": "Exercise of power"},
    "efficiency": {"zh": "行政效率", "en": "Administrative efficiency"},
    "openness": {"zh": "信息公开", "en": "Information disclosure"},
    "staffing": {"zh": "人员配置", "en": "Staffing"},
    "finance": {"zh": "财政资金使用", "en": "Use of public funds"},
    "regulation": {"zh": "市场监管", "en": "Market and urban regulation"},
    "public_service": {"zh": "公共服务", "en": "Public service"},
    "satisfaction": {"zh": "群众满意度", "en": "Public satisfaction"},
    "projects": {"zh": "重大项目推进", "en": "Major projects"},
    "supervision": {"zh": "督查督办", "en": "Supervision"},
    "key_tasks": {"zh": "重点工作任务", "en": "Key tasks"},
    "qualitative": {"zh": "效能评价", "en": "Qualitative evaluation"},
}

OUTPUT_COLUMNS = ["unit_id", "year", "value", "numerator", "denominator", "n", "status", "ci_low", "ci_high"]


@dataclass(frozen=True)
class Indicator:
    """Catalogue entry of one indicator.

    ``direction`` is +1 when a higher value is better and −1 when lower is better.
    ``periodic`` indicators return one row per unit and period (column ``period``) and are
    for monitoring; a framework leaf reads a yearly indicator. The formula (Chinese and
    English), unit, direction and source are stated in the compute function's docstring,
    which is also what the catalogue page shows.
    """

    code: str
    name_zh: str
    name_en: str
    area: str
    unit: str
    direction: int
    tables: tuple[str, ...]
    compute: Callable[..., pd.DataFrame]
    periodic: bool = False
    #: Columns the computation reads, as ``"table.column"``; ``None`` = every column of
    #: ``tables``. :func:`evalkit.data.dataset.read_dataset` reads only these (``unit_id`` is
    #: always read), so a declaration must name every column the function touches.
    columns: tuple[str, ...] | None = None
    #: ``(reason in Chinese, reason in English)`` when a unit without any record of the
    #: indicator's (first) table in the year has no such duty rather than no data (e.g. a unit
    #: assigned no key task): :func:`evalkit.scoring.model.scoring_model` then treats its leaf
    #: as not applicable (excluded, points re-based, shown 不适用 with this reason) instead of
    #: applying the missing-data policy — provided the year has that table's file at all.
    #: None (the default): no value is *not reported*.
    absent_means_not_applicable: tuple[str, str] | None = None
    #: Whether a month, a quarter or the year to date assesses the indicator (docs/periods.md):
    #: None (the default) derives it from the data contract — annual-only when it reads a
    #: table returned once a year (:attr:`evalkit.data.contract.Table.annual_only`: ratings,
    #: votes, surveys, staffing, disclosure_documents, key tasks …); True or False overrides it
    #: for a year-end figure computed from in-year records (e.g. 年末 budget execution). A
    #: framework may override it again (``periods:``, :mod:`evalkit.scoring.framework`).
    annual_only: bool | None = None

    @property
    def is_annual_only(self) -> bool:
        """True when a period shorter than the year does not assess the indicator."""
        if self.annual_only is not None:
            return self.annual_only
        return any(TABLES[t].annual_only for t in self.tables if t in TABLES)

    def reads(self) -> dict[str, tuple[str, ...] | None]:
        """Table → the columns this indicator reads (``None``: all of them)."""
        if self.columns is None:
            return {t: None for t in self.tables}
        out: dict[str, list[str]] = {t: [] for t in self.tables}
        for qualified in self.columns:
            table, column = qualified.split(".", 1)
            out[table].append(column)  # a column of a table the indicator does not list: a KeyError
        return {t: tuple(cols) for t, cols in out.items()}

    def __call__(self, dataset, year: int, **params) -> pd.DataFrame:
        return self.compute(dataset, year, **params)

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.compute) or ""


def rate_frame(unit_ids: pd.Series, year: int, numerator: pd.Series, denominator: pd.Series,
               n: pd.Series | None = None, scale: float = 100.0, binomial: bool | None = None) -> pd.DataFrame:
    """Per-unit ratio ``scale × numerator / denominator`` for every unit in ``unit_ids``.

    ``numerator`` and ``denominator`` are indexed by unit id; units absent from
    ``denominator`` or with a zero denominator get status ``no_data`` and value NaN.

    ``binomial``: the ratio is a share of records (``numerator`` successes out of
    ``denominator`` records). Its ``ci_low``/``ci_high`` columns then hold the 95 % Wilson
    score interval on the same scale as ``value`` (Wilson 1927; see
    :func:`evalkit.stats.wilson_intervals`); for other ratios (sums of days or money) they
    are NaN. By default a ratio is binomial when ``n`` is not given and ``scale`` is 100.
    """
    from ..stats import wilson_intervals

    if binomial is None:
        binomial = n is None and scale == 100.0
    units = pd.Index(unit_ids.astype(str))
    num = numerator.reindex(units).astype("float64").fillna(0.0)
    den = denominator.reindex(units).astype("float64")
    count = (n if n is not None else denominator).reindex(units).astype("float64").fillna(0.0)
    ok = den.notna() & (den > 0)
    value = np.where(ok, scale * num / den, np.nan)  # pandas divides by 0 without a warning
    if binomial:
        lo, hi = wilson_intervals(np.where(ok, num, np.nan), np.where(ok, den, np.nan))
        lo, hi = scale * lo, scale * hi
    else:
        lo = hi = np.full(len(units), np.nan)
    return pd.DataFrame({
        "unit_id": units.to_numpy(),
        "year": year,
        "value": value,
        "numerator": np.where(ok, num, np.nan),
        "denominator": np.where(ok, den, np.nan),
        "n": count.astype("int64").to_numpy(),
        "status": np.where(ok, "ok", "no_data"),
        "ci_low": lo,
        "ci_high": hi,
    })


def value_frame(unit_ids: pd.Series, year: int, value: pd.Series, n: pd.Series) -> pd.DataFrame:
    """Per-unit plain value (not a ratio) for every unit; missing → ``no_data``."""
    units = pd.Index(unit_ids.astype(str))
    v = value.reindex(units).astype("float64")
    count = n.reindex(units).astype("float64").fillna(0.0)
    ok = v.notna() & (count > 0)
    return pd.DataFrame({
        "unit_id": units.to_numpy(),
        "year": year,
        "value": np.where(ok, v, np.nan),
        "numerator": np.nan,
        "denominator": np.nan,
        "n": count.astype("int64").to_numpy(),
        "status": np.where(ok, "ok", "no_data"),
        "ci_low": np.nan,
        "ci_high": np.nan,
    })


def _unit_codes(unit_ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a unit-id column and the ids they index (−1 = missing)."""
    return unit_codes(unit_ids)


def count_by_unit(frame: pd.DataFrame, mask=None) -> pd.Series:
    """Number of records per unit id (optionally of those where ``mask`` is true).

    Counts with ``np.bincount`` on the unit codes instead of filtering the frame, so it
    costs one pass over one column (large event tables keep ``unit_id`` categorical).
    """
    return sum_by_unit(frame, None, mask)


def sum_by_unit(frame: pd.DataFrame, values, mask=None) -> pd.Series:
    """Sum of ``values`` (or a count when None) per unit id over rows where ``mask`` is true.

    Units without such a row are absent from the result; NaN values count as 0.
    """
    codes, ids = _unit_codes(frame["unit_id"])
    counts, sums = per_unit(codes, len(ids), mask, values)
    present = counts > 0
    out = counts.astype("float64") if sums is None else sums
    return pd.Series(out, index=ids)[present]
