"""Early warnings for many monthly series at once: unit × indicator × month in, warnings out.

:func:`monitor_warnings` lays the long frame out as one ``(series, month)`` array, computes
every chart with the kernels of :mod:`evalkit.monitor.spc`, applies the rules of
:mod:`evalkit.monitor.rules` and lists one warning per pattern. The one-series functions
(:func:`~evalkit.monitor.spc.xmr_chart`, :func:`~evalkit.monitor.spc.p_chart`) call the
same kernels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import EvalkitError
from .rules import RULES, RuleSet, Trajectory, episodes, evidence_texts, special_cause_masks, trajectory_lag_mask
from .spc import (D2, TAIL_2SIGMA, XMR_FACTOR, baseline_mask, laney_sigma_z, p_limits, p_probability_limits, p_sigma,
                  xmr_limits)

#: Chart types of the ``chart`` column.
CHARTS = ("xmr", "p", "trajectory")
#: Columns of the warnings frame; the first seven are those of ``warnings.csv`` (issue 14).
WARNING_COLUMNS = ("unit_id", "indicator", "rule", "since", "value", "limit", "evidence",
                   "evidence_zh", "period", "points", "chart", "direction", "centre", "active")
#: Columns of the points frame (``verbose=True``).
POINT_COLUMNS = ("unit_id", "indicator", "period", "chart", "direction", "value", "in_baseline",
                 "centre", "lower", "upper", "lower_2sigma", "upper_2sigma") + tuple(f"is_{r}" for r in RULES)


class MonitorInputError(EvalkitError, ValueError):
    """The series handed to the monitor break its input contract (missing column, unknown
    chart, a direction other than ±1, a month given twice …)."""


@dataclass(frozen=True)
class ChartSpec:
    """How the limits of every chart are formed.

    Attributes
    ----------
    baseline_points:
        The first this many observed months of each series form its limits (None: every
        month). The default, 24, fixes the limits on the first two years of a series, so
        that the current year is judged against them and an improvement in it cannot make
        earlier months look worse (a series with fewer months uses all of them). Shorter
        baselines give noisier limits: on in-control normal series of 34 months, a
        worse-direction warning somewhere in the last 10 months came for 13.7 % of series
        with 12 baseline points, 7.8 % with 24 and 4.1 % with all 34 (4,000 series,
        seed 20241; beyond-limit alarms 7.9 %, 3.9 % and 1.2 %).
    baseline_until:
        Alternatively (or as well), only months up to and including this one (``"2023-12"``).
    min_baseline_points:
        A series with fewer baseline months has no chart and no chart warnings
        (NHSRplotthedots calls limits from fewer than 12 points "trial limits").
    screen_moving_ranges:
        Screen moving ranges ≥ 3.267 × MR̄ out of the XmR limits (Nelson 1982).
    laney:
        Laney's p′ limits for the rates (sigma times ``sigma_z``), for over-dispersed rates
        with large denominators — e.g. thousands of 12345 tickets a month, where binomial
        limits are so narrow that nearly every month falls outside them.
    p_limits:
        ``"normal"`` (the default): the p-chart's ``p̄ ± 3√(p̄(1 − p̄)/n)``; ``"exact"``:
        binomial probability limits with the same tail probabilities
        (:func:`~evalkit.monitor.spc.p_probability_limits`), for rates near 0 or 100 % with
        small monthly denominators, where the normal approximation raises false alarms.

    Either way, a rate series whose baseline has no variation at all (``p̄`` = 0 or 1: every
    case on time in two years) has no chart: its limits would make a single late case a
    special cause.
    """

    baseline_points: int | None = 24
    baseline_until: str | None = None
    min_baseline_points: int = 12
    screen_moving_ranges: bool = False
    laney: bool = False
    p_limits: str = "normal"

    def __post_init__(self):
        if self.p_limits not in ("normal", "exact"):
            raise ValueError(f"expected p_limits 'normal' or 'exact'; found {self.p_limits!r}")
        if self.laney and self.p_limits == "exact":
            raise ValueError("expected either Laney's p′ limits or exact binomial limits, not both")
        if self.baseline_points is not None and self.baseline_points < 2:
            raise ValueError(f"expected a baseline of at least 2 points or None; found {self.baseline_points}")
        if self.min_baseline_points < 2:
            raise ValueError(f"expected min_baseline_points of at least 2; found {self.min_baseline_points}")
        if self.baseline_until is not None:
            try:
                pd.Period(self.baseline_until, freq="M")
            except (ValueError, TypeError) as exc:
                raise ValueError(f"expected baseline_until as a month, e.g. '2023-12'; "
                                 f"found {self.baseline_until!r}") from exc


@dataclass(frozen=True)
class MonitorSpec:
    """Everything :func:`monitor_warnings` needs besides the data: the rules, how the limits
    are formed, and the trajectory of ``chart == "trajectory"`` series."""

    rules: RuleSet = field(default_factory=RuleSet)
    charts: ChartSpec = field(default_factory=ChartSpec)
    trajectory: Trajectory = field(default_factory=Trajectory)

    def describe(self, language: str = "en") -> list[str]:
        """The method as a report states it: the limits, the baseline, each rule, the
        trajectory — one sentence a line, in English (``en``) or Chinese (``zh``)."""
        rules = self.rules.describe(language)  # refuses a language other than en, zh
        zh = language == "zh"
        c = self.charts
        if zh:
            base = ("全部月份" if c.baseline_points is None else f"每个序列最初 {c.baseline_points} 个月") + \
                   (f"（截至 {c.baseline_until}）" if c.baseline_until else "")
            lines = [f"计数与金额用 XmR 图：中心线为基期均值，控制限 = 均值 ± {XMR_FACTOR} × 平均移动极差"
                     f"（3/d2，d2 = {D2}）" + ("，剔除 ≥ 3.267 × 平均移动极差的移动极差" if c.screen_moving_ranges else ""),
                     ("比率用 p 图（漏斗限）：中心线 p̄ = 基期分子合计 / 分母合计，控制限为二项分布的概率限"
                      "（每侧尾部概率 0.135%，与 3σ 相当），基期比率全为 0 或 100% 的序列不作判断"
                      if c.p_limits == "exact" else
                      "比率用 p 图（漏斗限）：中心线 p̄ = 基期分子合计 / 分母合计，控制限 = p̄ ± 3√(p̄(1−p̄)/n)"
                      + ("× σz（Laney p′）" if c.laney else "") + "，截断于 [0, 1]"),
                     f"基期：{base}；基期少于 {c.min_baseline_points} 个月的序列不作判断",
                     "只对不利方向的特殊原因变异预警："]
        else:
            base = ("every month" if c.baseline_points is None else f"the first {c.baseline_points} months of each "
                    "series") + (f" up to {c.baseline_until}" if c.baseline_until else "")
            lines = [f"counts and amounts: XmR chart, centre = baseline mean, limits = mean ± {XMR_FACTOR} × mean "
                     f"moving range (3/d2, d2 = {D2})"
                     + ("; moving ranges ≥ 3.267 × the mean left out" if c.screen_moving_ranges else ""),
                     ("rates: p-chart (funnel limits), centre p̄ = Σ numerators / Σ denominators over the "
                      "baseline, exact binomial probability limits (0.135 % in each tail, as 3 sigma); a rate "
                      "whose baseline is all 0 or all 100 % is not judged"
                      if c.p_limits == "exact" else
                      "rates: p-chart (funnel limits), centre p̄ = Σ numerators / Σ denominators over the baseline, "
                      "limits p̄ ± 3 √(p̄(1 − p̄)/n)" + (" × sigma_z (Laney p′)" if c.laney else "")
                      + ", clipped to [0, 1]"),
                     f"baseline: {base}; a series with fewer than {c.min_baseline_points} baseline months is not "
                     "judged",
                     "warnings only for special causes in the worse direction:"]
        return lines + rules + [self.trajectory.describe(language)]


@dataclass(frozen=True)
class MonitorResult:
    """``warnings`` (columns :data:`WARNING_COLUMNS`) and ``points`` (one row a unit ×
    indicator × month with its chart lines and rule flags, columns :data:`POINT_COLUMNS`)."""

    warnings: pd.DataFrame
    points: pd.DataFrame


def _months(column: pd.Series) -> pd.PeriodIndex:
    """The months of a ``period`` column; each distinct value is parsed once."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    uniques = pd.Series(uniques)
    try:
        if isinstance(uniques.dtype, pd.PeriodDtype):
            months = pd.PeriodIndex(uniques).asfreq("M")
        elif pd.api.types.is_datetime64_any_dtype(uniques):
            months = pd.PeriodIndex(uniques, freq="M")
        else:
            months = pd.PeriodIndex(uniques.astype(str), freq="M")
    except (ValueError, TypeError) as exc:
        raise MonitorInputError(f"expected every period as a month such as '2024-10'; found {exc}") from exc
    return months[codes]


def _check(series: pd.DataFrame) -> None:
    required = ("unit_id", "indicator", "period", "chart", "direction")
    missing = [c for c in required if c not in series.columns]
    if "value" not in series.columns and not {"numerator", "denominator"} <= set(series.columns):
        missing.append("value (or numerator and denominator)")
    if missing:
        raise MonitorInputError(f"expected the columns {', '.join(missing)} in the series; "
                                f"found {', '.join(map(str, series.columns))}")
    bad_chart = sorted(set(map(str, pd.unique(series["chart"]))) - set(CHARTS))
    if bad_chart:
        raise MonitorInputError(f"expected chart among {', '.join(CHARTS)}; found {', '.join(bad_chart)}")
    bad_direction = sorted(set(pd.unique(series["direction"])) - {1, -1})
    if bad_direction:
        raise MonitorInputError(f"expected direction +1 (higher is better) or -1 (lower is better); "
                                f"found {', '.join(map(str, bad_direction))}")
    if "numerator" not in series.columns and (series["chart"] == "p").any():
        raise MonitorInputError("expected numerator and denominator columns for the p-chart series")


def monitor_warnings(series: pd.DataFrame, spec: MonitorSpec = MonitorSpec(), *,
                     verbose: bool = False) -> pd.DataFrame | MonitorResult:
    """Worse-direction special causes and missed trajectories of many monthly series.

    Parameters
    ----------
    series:
        Long frame, one row a unit × indicator × month:

        ``unit_id``, ``indicator``
            the series' key;
        ``period``
            the month (``"2024-10"``, a pandas ``Period`` or a date);
        ``chart``
            ``"xmr"`` (counts, amounts: XmR chart), ``"p"`` (rates with a denominator:
            p-chart / funnel limits) or ``"trajectory"`` (a cumulative share of an annual
            total against a schedule, e.g. budget execution against 序时进度); one per series;
        ``direction``
            +1 when higher is better, −1 when lower is better; one per series (a trajectory
            is always "higher is better");
        ``value``
            the month's value (xmr), or the cumulative share (trajectory);
        ``numerator``, ``denominator``
            counts of a rate (p; the value is then ``numerator / denominator``); for a
            trajectory, optionally the cumulative amount and the annual total;
        ``unit_en``, ``unit_zh`` (optional)
            text written after an XmR value in the evidence (``" working days"``).

        A month with no value (NaN, or absent) ends any run or trend.
    spec:
        Rules, baseline and trajectory (:class:`MonitorSpec`).
    verbose:
        Also return every point with its chart lines and rule flags.

    Returns
    -------
    DataFrame with one row a pattern (a maximal stretch of consecutive months belonging to
    one rule's signal), columns :data:`WARNING_COLUMNS`:

    ``unit_id``, ``indicator``; ``rule`` (see :data:`evalkit.monitor.rules.RULES`);
    ``since`` (first month of the pattern) and ``period`` (its last month), as ``YYYY-MM``;
    ``points`` (its length in months); ``value`` (the value at ``period``); ``limit`` (the
    line the rule judges by, at ``period``: the crossed process limit for ``beyond_limit``,
    the centre line for ``run``, the value at ``since`` for ``trend``, the 2-sigma line for
    ``two_of_three``, the schedule minus the margin for ``trajectory``); ``centre`` (the
    centre line; the schedule for a trajectory); ``evidence`` (English) and ``evidence_zh``
    (Chinese) sentences built from these numbers; ``chart``, ``direction``; ``active``
    (True when the pattern reaches the series' last month). Rates and shares are fractions
    (0–1). Ordered by unit, indicator, rule, since. With ``verbose=True`` a
    :class:`MonitorResult`.

    References
    ----------
    See :mod:`evalkit.monitor.spc` (limits) and :mod:`evalkit.monitor.rules` (rules).
    """
    _check(series)
    frame = series.reset_index(drop=True)
    if frame.empty:
        warnings = pd.DataFrame({c: pd.Series(dtype=object) for c in WARNING_COLUMNS})
        points = pd.DataFrame({c: pd.Series(dtype=object) for c in POINT_COLUMNS})
        return MonitorResult(warnings, points) if verbose else warnings
    months = _months(frame["period"])
    if months.isna().any():
        raise MonitorInputError(f"expected a month in every row; found {int(months.isna().sum())} rows without one")
    unit_code, units = pd.factorize(frame["unit_id"])
    indicator_code, indicators = pd.factorize(frame["indicator"])
    series_code, pair = pd.factorize(unit_code.astype(np.int64) * len(indicators) + indicator_code)
    unit_of, indicator_of = units[pair // len(indicators)], indicators[pair % len(indicators)]
    ordinal = months.asi8
    axis = pd.period_range(months.min(), months.max(), freq="M")
    month_code = ordinal - ordinal.min()
    n_series, n_months = len(pair), len(axis)

    flat = series_code * n_months + month_code
    if len(np.unique(flat)) != len(flat):
        dup = frame.loc[pd.Series(flat).duplicated(keep=False).to_numpy(), ["unit_id", "indicator", "period"]]
        first = dup.iloc[0]
        raise MonitorInputError(f"expected one row a unit × indicator × month; found {len(dup)} rows for "
                                f"{first['unit_id']} / {first['indicator']} / {first['period']} and others")

    chart_of = pd.Series(frame["chart"].astype(str).to_numpy()).groupby(series_code)
    direction_of = pd.Series(frame["direction"].to_numpy()).groupby(series_code)
    if (chart_of.nunique() > 1).any() or (direction_of.nunique() > 1).any():
        bad = int(np.flatnonzero((chart_of.nunique() > 1).to_numpy() | (direction_of.nunique() > 1).to_numpy())[0])
        raise MonitorInputError(f"expected one chart and one direction a series; found several for "
                                f"{unit_of[bad]} / {indicator_of[bad]}")
    chart = chart_of.first().to_numpy().astype(str)
    unit_en = unit_zh = None  # optional: how an XmR value's unit is written in the evidence
    if "unit_en" in frame.columns and "unit_zh" in frame.columns:
        unit_en = pd.Series(frame["unit_en"].fillna("").astype(str).to_numpy()).groupby(series_code).first().to_numpy()
        unit_zh = pd.Series(frame["unit_zh"].fillna("").astype(str).to_numpy()).groupby(series_code).first().to_numpy()
    direction = direction_of.first().to_numpy().astype(float)

    def grid(column: str) -> np.ndarray:
        out = np.full(n_series * n_months, np.nan)
        if column in frame.columns:
            out[flat] = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        return out.reshape(n_series, n_months)

    num, den, raw = grid("numerator"), grid("denominator"), grid("value")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(~np.isnan(num) & (den > 0), num / np.where(den > 0, den, np.nan), np.nan)
    is_p = (chart == "p")[:, None]
    is_traj = chart == "trajectory"
    # p: the rate; xmr: the value; trajectory: the share numerator / denominator when given
    values = np.where(is_p | (is_traj[:, None] & ~np.isnan(rate)), rate, raw)

    # --- charts ----------------------------------------------------------------------------
    cs = spec.charts
    until = None
    if cs.baseline_until is not None:
        until = (axis <= pd.Period(cs.baseline_until, freq="M"))
    observed = ~np.isnan(values)
    base = baseline_mask(observed, cs.baseline_points, until) & ~is_traj[:, None]
    centre_x, mean_mr, count_x = xmr_limits(values, base, cs.screen_moving_ranges)
    p_bar, count_p = p_limits(num, den, base)
    count = np.where(chart == "p", count_p, count_x)
    degenerate = (chart == "p") & ((p_bar <= 0) | (p_bar >= 1))  # no variation in the baseline
    has_chart = (count >= cs.min_baseline_points) & ~is_traj & ~degenerate
    sigma_p = p_sigma(p_bar, den)
    if cs.laney:
        sigma_p = sigma_p * laney_sigma_z(num, den, p_bar, base)[:, None]
    half_x = (XMR_FACTOR * mean_mr)[:, None]
    centre = np.where(is_p, p_bar[:, None], centre_x[:, None]) * np.ones((1, n_months))
    centre = np.where(has_chart[:, None], centre, np.nan)
    half = np.where(is_p, 3 * sigma_p, half_x)
    lower, upper = centre - half, centre + half
    lower2, upper2 = centre - 2 / 3 * half, centre + 2 / 3 * half
    lower, upper, lower2, upper2 = (np.where(is_p, np.clip(v, 0.0, 1.0), v) for v in (lower, upper, lower2, upper2))
    if cs.p_limits == "exact" and is_p.any():
        charted = np.where(has_chart, p_bar, np.nan)
        exact = p_probability_limits(charted, den) + p_probability_limits(charted, den, TAIL_2SIGMA)
        lower, upper, lower2, upper2 = (np.where(is_p, e, v) for e, v in zip(exact, (lower, upper, lower2, upper2)))
    masks = special_cause_masks(values, centre, lower, upper, lower2, upper2, direction, spec.rules)

    # --- trajectory ------------------------------------------------------------------------
    schedule = np.broadcast_to(spec.trajectory.expected(axis.month.to_numpy()), (n_series, n_months))
    traj_values = np.where(is_traj[:, None], values, np.nan)
    masks["trajectory"] = trajectory_lag_mask(traj_values, schedule, spec.trajectory,
                                              year_starts=axis.month.to_numpy() == 1)

    last_observed = np.where(observed.any(axis=1), n_months - 1 - np.argmax(observed[:, ::-1], axis=1), -1)
    labels = np.asarray(axis.strftime("%Y-%m"))
    parts = []
    for rule in RULES:
        if rule not in masks:
            continue
        rows, first, last = episodes(masks[rule])
        if not len(rows):
            continue
        v = values[rows, last]
        if rule == "trajectory":
            c = schedule[rows, last]
            limit = c - spec.trajectory.margin
        else:
            c = centre[rows, last]
            worse_low = direction[rows] > 0
            limit = {"beyond_limit": np.where(worse_low, lower[rows, last], upper[rows, last]),
                     "run": c,
                     "trend": values[rows, first],
                     "two_of_three": np.where(worse_low, lower2[rows, last], upper2[rows, last])}[rule]
        points = last - first + 1
        en, zh = evidence_texts(rule, chart[rows], direction[rows], labels[first], labels[last], points, v, limit,
                                c, values[rows, first], spec.trajectory.margin,
                                unit_en=None if unit_en is None else unit_en[rows],
                                unit_zh=None if unit_zh is None else unit_zh[rows])
        parts.append(pd.DataFrame({
            "unit_id": unit_of[rows], "indicator": indicator_of[rows],
            "rule": rule, "since": labels[first], "value": v, "limit": limit, "evidence": en, "evidence_zh": zh,
            "period": labels[last], "points": points, "chart": chart[rows], "direction": direction[rows].astype(int),
            "centre": c, "active": last == last_observed[rows],
        }))
    if parts:
        warnings = pd.concat(parts, ignore_index=True)
        order = {r: i for i, r in enumerate(RULES)}
        warnings = (warnings.assign(_rule=warnings["rule"].map(order))
                    .sort_values(["unit_id", "indicator", "_rule", "since"], kind="stable")
                    .drop(columns="_rule").reset_index(drop=True))
    else:
        warnings = pd.DataFrame({c: pd.Series(dtype=object) for c in WARNING_COLUMNS})
    warnings = warnings.loc[:, list(WARNING_COLUMNS)]
    if not verbose:
        return warnings

    rows, cols = np.divmod(flat, n_months)
    points_frame = pd.DataFrame({
        "unit_id": frame["unit_id"].to_numpy(), "indicator": frame["indicator"].to_numpy(),
        "period": labels[cols], "chart": chart[rows], "direction": direction[rows].astype(int),
        "value": values[rows, cols], "in_baseline": base[rows, cols] & has_chart[rows],
        "centre": np.where(is_traj[rows], schedule[rows, cols], centre[rows, cols]),
        "lower": lower[rows, cols], "upper": upper[rows, cols],
        "lower_2sigma": lower2[rows, cols], "upper_2sigma": upper2[rows, cols],
        **{f"is_{r}": (masks[r][rows, cols] if r in masks else np.zeros(len(rows), bool)) for r in RULES},
    }).sort_values(["unit_id", "indicator", "period"], kind="stable").reset_index(drop=True)
    return MonitorResult(warnings=warnings, points=points_frame.loc[:, list(POINT_COLUMNS)])
