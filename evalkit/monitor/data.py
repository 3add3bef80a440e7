"""Monthly series of the indicators, unit × indicator × month, for the early warnings.

:func:`monthly_series` computes the monitored indicators (:data:`MONITORED`) once per month —
one pass of :func:`evalkit.indicators.compute_indicators` for each month, as the month was
known at its cut-off (:class:`evalkit.periods.Period`) — for the months 1–M of the monitored
year and the whole of the :data:`BASELINE_YEARS` years before it (the baseline of the
charts), and lays them out as the long frame :func:`evalkit.monitor.monitor_warnings` takes:

* a rate of records (on-time, satisfaction …; the indicator's unit is % and it carries a
  Wilson interval) → a p-chart of its numerator and denominator (cases on time out of cases
  due: the month's ``n``);
* any other value (a median of days …) → an XmR chart of the value, in the indicator's unit;
* budget execution against 序时进度 (``budget_execution_path``) → a trajectory of the
  cumulative spending over the available budget, judged against ``m / 12``.

The improvement direction is the catalogue's (:attr:`evalkit.indicators.Indicator.direction`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import EvalkitError
from ..indicators import BY_CODE, compute_indicators
from ..periods import Period, parse_period
from .series import ChartSpec, MonitorSpec

__all__ = ["BASELINE_YEARS", "MONITORED", "SERIES_COLUMNS", "TRAJECTORY_INDICATOR", "MonitorPeriod", "chart_kind",
           "monitor_period", "monitor_spec", "monthly_series"]

#: Budget execution against 序时进度: the one trajectory.
TRAJECTORY_INDICATOR = "budget_execution_path"

#: The indicators watched month by month: rates of records that arrive every month (cases,
#: tickets, documents, requests, tasks and milestones falling due) and the budget path.
#: Left out: what exists once a year (qualitative ratings, votes and surveys, key-task
#: completion, staffing, the data-quality score), year-end budget ratios and 三公 change,
#: audit rectification, cost per case and the project indices (annual by construction); the
#: legal and bad-rating rates (a handful of cases a year per unit); shares that describe the
#: services and the public rather than a month's work (online channel, cases rated, promised-
#: limit compression, speed-up, instant cases); and the median OA handling time, a median of a
#: few dozen whole working days a month: discrete and skewed, its XmR limits are crossed far
#: more often than by chance (10 of the sample's 480 unit-months of 2024 against about 0.6
#: expected). Any catalogue indicator can still be monitored with ``codes=``; a value that is
#: not a rate of records goes on an XmR chart.
MONITORED: tuple[str, ...] = (
    "service_on_time_rate", "service_good_rating_rate", "oa_on_time_rate",
    "hotline_signed_rate", "hotline_contact_rate", "hotline_on_time_rate", "hotline_solved_rate",
    "hotline_satisfaction_rate",
    "disclosure_on_time_rate", "proposal_on_time_rate", "grid_on_time_rate", "grid_rework_rate",
    "supervision_on_time_rate", "milestone_on_time_rate",
    TRAJECTORY_INDICATOR,
)

#: Whole years before the monitored year that form the baseline of the charts.
BASELINE_YEARS = 2

#: Columns of :func:`monthly_series`.
SERIES_COLUMNS = ("unit_id", "indicator", "period", "chart", "direction", "value", "numerator", "denominator",
                  "unit_zh", "unit_en")

#: Units of the XmR indicators as written after a value, Chinese and English.
_UNIT_WORDS = {"工作日": (" 个工作日", " working days"), "件": (" 件", ""), "分": (" 分", " points"),
               "%": ("%", "%"), "pp": (" 个百分点", " pp"), "元/件": (" 元/件", " yuan a case")}


@dataclass(frozen=True)
class MonitorPeriod:
    """What ``--period`` monitors: the months 1–``month`` of ``year``."""

    year: int
    month: int

    @property
    def key(self) -> str:
        """The folder name: ``2024-10``."""
        return f"{self.year}-{self.month:02d}"

    @property
    def period(self) -> Period:
        return Period.month(self.year, self.month)


def monitor_period(text) -> MonitorPeriod:
    """The months a ``--period`` monitors: a month (``2024-10``: January–October 2024), a
    quarter (``2024Q3``: through September), the year to date through a month
    (``2024-YTD-10``) or a year (``2024``: through December). Anything else, or a year to
    date without its month, is a :class:`~evalkit.errors.EvalkitError` saying what to give."""
    p = parse_period(text)
    if not p.resolved:
        raise EvalkitError(f"--period {text}: give the last month to monitor, e.g. {int(p)}-10 or {int(p)}-YTD-10")
    return MonitorPeriod(int(p), p.last_month)


def monitor_spec(period: MonitorPeriod) -> MonitorSpec:
    """The rules of ``evalkit monitor``: limits from the :data:`BASELINE_YEARS` whole years
    before the monitored one (every month of them), exact binomial limits for the rates,
    the default rules and trajectory (:class:`~evalkit.monitor.series.MonitorSpec`)."""
    return MonitorSpec(charts=ChartSpec(baseline_points=None, baseline_until=f"{period.year - 1}-12",
                                        p_limits="exact"))


def chart_kind(code: str, frame: pd.DataFrame) -> str:
    """``"trajectory"``, ``"p"`` or ``"xmr"`` for indicator ``code``: a rate of records (unit
    %, a Wilson interval in ``frame``, its computed rows) is a p-chart, budget execution
    against 序时进度 a trajectory, anything else an XmR chart."""
    if code == TRAJECTORY_INDICATOR:
        return "trajectory"
    if BY_CODE[code].unit == "%" and "ci_low" in frame and frame["ci_low"].notna().any():
        return "p"
    return "xmr"


def monthly_series(dataset, period: MonitorPeriod, *, parameters=None, codes: tuple[str, ...] = MONITORED,
                   baseline_years: int = BASELINE_YEARS) -> pd.DataFrame:
    """The monthly series of ``codes`` for every unit: months 1–``period.month`` of
    ``period.year`` and every month of the ``baseline_years`` years before it that the data
    hold.

    Parameters
    ----------
    dataset:
        A :class:`~evalkit.data.dataset.Dataset` (validated).
    period:
        The monitored months (:func:`monitor_period`).
    parameters:
        The district's indicator settings (``config.indicators``), None for the defaults.
    codes:
        Indicator codes of the catalogue (default :data:`MONITORED`).

    Returns
    -------
    DataFrame with :data:`SERIES_COLUMNS`, one row a unit × indicator × month with a value:
    ``period`` (``YYYY-MM``), ``chart`` (:func:`chart_kind`), ``direction`` (+1 higher is
    better, −1 lower), ``value`` (XmR: the indicator in its unit; p and trajectory: NaN),
    ``numerator`` and ``denominator`` (p: the counts; trajectory: cumulative spending and the
    available budget, yuan), ``unit_zh``/``unit_en`` (how an XmR value's unit is written).
    """
    unknown = [c for c in codes if c not in BY_CODE]
    if unknown:
        raise EvalkitError(f"monitor: unknown indicator(s) {', '.join(unknown)}")
    years = [y for y in dataset.years if period.year - baseline_years <= y <= period.year]
    if period.year not in years:
        raise EvalkitError(f"monitor: the data have no {period.year} (years with data: "
                           f"{', '.join(map(str, dataset.years)) or 'none'})")
    frames = []
    for year in years:
        for month in range(1, (period.month if year == period.year else 12) + 1):
            f = compute_indicators(dataset, Period.month(year, month), list(codes), include_periodic=True,
                                   parameters=parameters)
            if "period" in f.columns:  # a periodic indicator lists every month: keep this one
                f = f[f["period"].isna() | (pd.to_numeric(f["period"], errors="coerce") == month)]
            frames.append(f.assign(period=f"{year}-{month:02d}"))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[frame["status"] == "ok"]
    parts = []
    for code, f in frame.groupby("indicator", sort=False):
        chart = chart_kind(code, f)
        indicator = BY_CODE[code]
        zh, en = _UNIT_WORDS.get(indicator.unit, (f" {indicator.unit}", f" {indicator.unit}"))
        parts.append(pd.DataFrame({
            "unit_id": f["unit_id"].astype(str).to_numpy(), "indicator": code, "period": f["period"].to_numpy(),
            "chart": chart, "direction": 1 if chart == "trajectory" else int(indicator.direction),
            "value": f["value"].to_numpy(dtype=float) if chart == "xmr" else np.nan,
            "numerator": f["numerator"].to_numpy(dtype=float) if chart != "xmr" else np.nan,
            "denominator": f["denominator"].to_numpy(dtype=float) if chart != "xmr" else np.nan,
            "unit_zh": zh if chart == "xmr" else "", "unit_en": en if chart == "xmr" else "",
        }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SERIES_COLUMNS})
    order = {c: i for i, c in enumerate(codes)}
    out = pd.concat(parts, ignore_index=True)
    return (out.assign(_o=out["indicator"].map(order)).sort_values(["unit_id", "_o", "period"], kind="stable")
            .drop(columns="_o").reset_index(drop=True).loc[:, list(SERIES_COLUMNS)])
