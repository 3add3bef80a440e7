"""Special-cause rules in the worse direction, and the budget-schedule (序时进度) trajectory.

Rules follow NHS England & NHS Improvement (2019), *Making data count: getting started*,
as implemented in the R package NHSRplotthedots 0.2.2 (``R/ptd_calculate_point_type.R``),
with the run and trend lengths of the evalkit issue (8 and 6, the Western Electric /
Montgomery lengths) as defaults; :meth:`RuleSet.making_data_count` gives the lengths the
Making Data Count tools use (7 and 7, two-out-of-three on).

``direction`` is +1 when higher values are better and −1 when lower values are better.
Only special causes on the *worse* side are reported — improvement and noise never are:

``beyond_limit``
    a point strictly beyond the process limit on the worse side (below the lower limit when
    higher is better);
``run``
    ``run_length`` or more consecutive points strictly on the worse side of the centre line
    (a point on the line, or a missing month, ends the run);
``trend``
    ``trend_length`` or more consecutive points, each strictly worse than the one before
    (a repeated value or a missing month ends the trend, as in NHSRplotthedots); the trend
    counts wherever it lies relative to the centre;
``two_of_three``
    two of three consecutive points beyond the 2-sigma line on the worse side, all three on
    the worse side of the centre (Making Data Count's logic since November 2023: a point
    beyond the process limit counts as beyond 2 sigma too — NHSRplotthedots issue #194);
``trajectory``
    cumulative execution below the schedule by more than ``margin`` for ``months`` or more
    consecutive months of one year (:class:`Trajectory`).

The rules are evaluated separately: one stretch of points may carry several rules. A
*pattern* is a maximal stretch of consecutive points that belong to one rule's signal; its
``since`` is its first point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Languages of the texts (evidence, descriptions).
LANGUAGES = ("en", "zh")
#: The rule names, in the order warnings are listed.
RULES = ("beyond_limit", "run", "trend", "two_of_three", "trajectory")
#: What each rule is called in a report, in Chinese and English.
RULE_NAMES: dict[str, dict[str, str]] = {
    "beyond_limit": {"zh": "超出控制限", "en": "Beyond the process limit"},
    "run": {"zh": "持续偏离中心线", "en": "Run on the worse side"},
    "trend": {"zh": "连续恶化趋势", "en": "Worsening trend"},
    "two_of_three": {"zh": "逼近控制限", "en": "Two of three near the limit"},
    "trajectory": {"zh": "落后序时进度", "en": "Behind the schedule"},
}


def _is_zh(language: str) -> bool:
    if language not in LANGUAGES:
        raise ValueError(f"expected a language among {', '.join(LANGUAGES)}; found {language!r}")
    return language == "zh"


@dataclass(frozen=True)
class RuleSet:
    """Which special-cause rules run, and their lengths.

    Attributes
    ----------
    beyond_limit:
        A point beyond the process limit on the worse side.
    run_length:
        Consecutive points on the worse side of the centre line that make a run (None: off).
    trend_length:
        Consecutive worsening points that make a trend (None: off); ``trend_length`` points
        are ``trend_length − 1`` worsening steps.
    two_of_three:
        Two of three consecutive points beyond 2 sigma on the worse side.
    """

    beyond_limit: bool = True
    run_length: int | None = 8
    trend_length: int | None = 6
    two_of_three: bool = False

    def __post_init__(self):
        for name in ("run_length", "trend_length"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, np.integer)) or isinstance(value, bool)
                                      or value < 2):
                raise ValueError(f"expected {name} to be a whole number of at least 2 or None; found {value!r}")
        if not (self.beyond_limit or self.run_length or self.trend_length or self.two_of_three):
            raise ValueError("expected at least one rule; found every rule switched off")

    def enabled(self) -> tuple[str, ...]:
        """The chart rules that run, in :data:`RULES` order."""
        on = {"beyond_limit": self.beyond_limit, "run": bool(self.run_length), "trend": bool(self.trend_length),
              "two_of_three": self.two_of_three}
        return tuple(r for r in RULES if on.get(r))

    def rule_text(self, rule: str, language: str = "en") -> str:
        """What chart rule ``rule`` looks for, in one sentence, in English or Chinese."""
        zh = _is_zh(language)
        if rule == "beyond_limit":
            return ("一个点超出不利一侧的控制限（严格超出）" if zh else
                    "a point strictly beyond the process limit on the worse side")
        if rule == "run":
            return (f"连续 {self.run_length} 个及以上的点位于中心线不利一侧（落在中心线上或缺月即中断）" if zh else
                    f"{self.run_length} or more consecutive points on the worse side of the centre line "
                    "(a point on the line or a missing month ends the run)")
        if rule == "trend":
            return (f"连续 {self.trend_length} 个及以上的点逐个向不利方向变化（持平或缺月即中断）" if zh else
                    f"{self.trend_length} or more consecutive points, each worse than the one before "
                    "(a repeated value or a missing month ends the trend)")
        if rule == "two_of_three":
            return ("相邻 3 个点中有 2 个超出不利一侧的 2σ 线，且 3 个点均在中心线不利一侧" if zh else
                    "2 of 3 consecutive points beyond the 2-sigma line on the worse side, all 3 on the worse "
                    "side of the centre line")
        raise ValueError(f"expected a chart rule among {', '.join(RULES[:-1])}; found {rule!r}")

    def describe(self, language: str = "en") -> list[str]:
        """The rules that run, one sentence each, in English (``en``) or Chinese (``zh``)."""
        _is_zh(language)
        return [self.rule_text(r, language) for r in self.enabled()]

    @classmethod
    def making_data_count(cls) -> "RuleSet":
        """The Making Data Count / NHSRplotthedots lengths: runs of 7, trends of 7,
        two-out-of-three on (``ptd_seven_point_one_side_mean``, ``ptd_seven_point_trend``,
        ``ptd_two_in_three``)."""
        return cls(beyond_limit=True, run_length=7, trend_length=7, two_of_three=True)


@dataclass(frozen=True)
class Trajectory:
    """A cumulative schedule that a share must keep up with, e.g. budget execution against
    序时进度 (time-elapsed schedule).

    Attributes
    ----------
    margin:
        How far below the schedule the cumulative share may fall, as a fraction (0.10 =
        10 percentage points); a warning needs a lag of *more* than this.
    months:
        Consecutive months (within one year) the lag must last before it warns.
    schedule:
        Cumulative fractions expected by the end of months 1 … 12; None means the
        time-elapsed schedule ``m / 12``.
    """

    margin: float = 0.10
    months: int = 2
    schedule: tuple[float, ...] | None = None

    def __post_init__(self):
        if not 0 <= self.margin < 1:
            raise ValueError(f"expected a margin between 0 and 1 (a fraction of the annual total); found {self.margin}")
        if not isinstance(self.months, (int, np.integer)) or isinstance(self.months, bool) or self.months < 1:
            raise ValueError(f"expected months to be a whole number of at least 1; found {self.months!r}")
        if self.schedule is not None:
            s = np.asarray(self.schedule, dtype=float)
            if s.shape != (12,) or np.any(np.isnan(s)) or np.any(np.diff(s) < 0) or s[0] < 0 or s[-1] > 1:
                raise ValueError("expected a schedule of 12 cumulative fractions, non-decreasing, between 0 and 1; "
                                 f"found {self.schedule!r}")

    def describe(self, language: str = "en") -> str:
        """The trajectory rule in one sentence, in English (``en``) or Chinese (``zh``)."""
        margin = f"{100 * self.margin:g}"
        if _is_zh(language):
            schedule = "序时进度（第 m 月末应达全年的 m/12）" if self.schedule is None else "设定的累计进度"
            return f"累计执行低于{schedule}超过 {margin} 个百分点，且同一年内连续 {self.months} 个月及以上"
        schedule = ("the time-elapsed schedule (m/12 of the annual total by the end of month m)"
                    if self.schedule is None else "the configured cumulative schedule")
        return (f"cumulative execution below {schedule} by more than {margin} percentage points for "
                f"{self.months} or more consecutive months of one year")

    def expected(self, month_of_year: np.ndarray) -> np.ndarray:
        """The scheduled cumulative fraction at each month of the year (1–12)."""
        month = np.asarray(month_of_year, dtype=int)
        if self.schedule is None:
            return month / 12.0
        return np.asarray(self.schedule, dtype=float)[month - 1]


def run_parts(flags: np.ndarray, length: int, breaks: np.ndarray | None = None) -> np.ndarray:
    """Points that belong to a run of at least ``length`` consecutive True values.

    ``flags`` is a boolean ``(series, period)`` array; ``breaks`` an optional boolean
    ``(period,)`` array, True where a run may not continue from the period before (e.g. each
    January for a within-year rule). Returns a boolean array of the shape of ``flags``.
    """
    flags = np.asarray(flags, dtype=bool)
    n_series, n = flags.shape
    forward = np.zeros(flags.shape, dtype=np.int32)
    backward = np.zeros(flags.shape, dtype=np.int32)
    cut = np.zeros(n, dtype=bool) if breaks is None else np.asarray(breaks, dtype=bool)
    running = np.zeros(n_series, dtype=np.int32)
    for t in range(n):
        running = np.where(flags[:, t], np.where(cut[t], 0, running) + 1, 0)
        forward[:, t] = running
    running = np.zeros(n_series, dtype=np.int32)
    for t in range(n - 1, -1, -1):
        nxt_cut = cut[t + 1] if t + 1 < n else True
        running = np.where(flags[:, t], np.where(nxt_cut, 0, running) + 1, 0)
        backward[:, t] = running
    return flags & (forward + backward - 1 >= length)


def special_cause_masks(values: np.ndarray, centre, lower, upper, lower_2sigma, upper_2sigma,
                        direction, rules: RuleSet = RuleSet()) -> dict[str, np.ndarray]:
    """The points of each series that belong to a worse-direction special-cause pattern.

    Parameters
    ----------
    values:
        ``(series, period)`` float array, NaN for a missing month.
    centre, lower, upper, lower_2sigma, upper_2sigma:
        The chart's lines, each ``(series,)`` or ``(series, period)``; NaN where a series
        has no limits (no point of it then belongs to any pattern).
    direction:
        ``(series,)`` array of +1 (higher is better) or −1 (lower is better).
    rules:
        Which rules run.

    Returns
    -------
    ``{rule: boolean (series, period) array}`` for each rule that runs.
    """
    x = np.asarray(values, dtype=float)
    shape = x.shape

    def line(v):
        v = np.asarray(v, dtype=float)
        return np.broadcast_to(v[:, None] if v.ndim == 1 else v, shape)

    c, lo, hi, lo2, hi2 = (line(v) for v in (centre, lower, upper, lower_2sigma, upper_2sigma))
    d = np.asarray(direction, dtype=float)[:, None]
    better_up = np.broadcast_to(d > 0, shape)
    has_chart = ~np.isnan(c)
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore"):
        worse_side = np.where(better_up, x < c, x > c)
        if rules.beyond_limit:
            out["beyond_limit"] = np.where(better_up, x < lo, x > hi)
        if rules.run_length:
            out["run"] = run_parts(worse_side, rules.run_length)
        if rules.trend_length:
            step = np.sign(np.diff(x, axis=1))  # NaN steps compare False
            worse_step = (step == -d) & has_chart[:, 1:] & has_chart[:, :-1]
            steps = run_parts(worse_step, rules.trend_length - 1)
            trend = np.zeros(shape, dtype=bool)
            trend[:, 1:] |= steps
            trend[:, :-1] |= steps
            out["trend"] = trend
        if rules.two_of_three:
            out["two_of_three"] = _two_of_three(np.where(better_up, x < lo2, x > hi2), worse_side)
    return {k: v & has_chart for k, v in out.items()}


def _two_of_three(beyond_2sigma: np.ndarray, worse_side: np.ndarray) -> np.ndarray:
    """Points from the first to the last 2-sigma point of every window of three consecutive
    points with at least two beyond 2 sigma and all three on the worse side."""
    b, s = beyond_2sigma, worse_side
    out = np.zeros(b.shape, dtype=bool)
    if b.shape[1] < 3:
        return out
    b0, b1, b2 = b[:, :-2], b[:, 1:-1], b[:, 2:]
    same_side = s[:, :-2] & s[:, 1:-1] & s[:, 2:]
    ends = same_side & b0 & b2          # x . x  -> the whole window
    first_two = same_side & b0 & b1     # x x .
    last_two = same_side & b1 & b2      # . x x
    out[:, :-2] |= ends | first_two
    out[:, 1:-1] |= ends | first_two | last_two
    out[:, 2:] |= ends | last_two
    return out


def trajectory_lag_mask(values: np.ndarray, expected: np.ndarray, trajectory: Trajectory,
                        year_starts: np.ndarray | None = None) -> np.ndarray:
    """Months that belong to a stretch of at least ``trajectory.months`` consecutive months in
    which the cumulative share lags the schedule by more than ``trajectory.margin``.

    ``values`` and ``expected`` are ``(series, period)`` arrays of cumulative fractions;
    ``year_starts`` a boolean ``(period,)`` array, True at each January (a lag does not carry
    over into a new year).
    """
    x = np.asarray(values, dtype=float)
    e = np.broadcast_to(np.asarray(expected, dtype=float), x.shape)
    with np.errstate(invalid="ignore"):
        lag = (e - x) > trajectory.margin + 1e-12  # a lag of exactly the margin does not warn
    return run_parts(lag, trajectory.months, year_starts)


def episodes(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The maximal stretches of consecutive True values of a boolean ``(series, period)`` array:
    ``(series_index, first_period_index, last_period_index)``, ordered by series then period."""
    m = np.asarray(mask, dtype=bool)
    padded = np.zeros((m.shape[0], m.shape[1] + 2), dtype=bool)
    padded[:, 1:-1] = m
    starts = padded[:, 1:-1] & ~padded[:, :-2]
    ends = padded[:, 1:-1] & ~padded[:, 2:]
    rows, first = np.nonzero(starts)
    rows_end, last = np.nonzero(ends)
    assert np.array_equal(rows, rows_end)
    return rows, first, last


# --- evidence -----------------------------------------------------------------------------

def _number(x: float) -> str:
    """A value as written in a warning: thousands separated, at most two decimals."""
    if x is None or np.isnan(x):
        return "—"
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _percent(x: float) -> str:
    return "—" if x is None or np.isnan(x) else f"{100 * x:.1f}%"


def evidence_texts(rule: str, chart: Sequence[str], direction: Sequence[float], since: Sequence[str],
                   period: Sequence[str], points: Sequence[int], value: Sequence[float], limit: Sequence[float],
                   centre: Sequence[float], start_value: Sequence[float], margin: float = np.nan,
                   unit_en: Sequence[str] | None = None, unit_zh: Sequence[str] | None = None
                   ) -> tuple[list[str], list[str]]:
    """One English and one Chinese sentence a warning, built from its numbers.

    ``chart`` is ``"xmr"``, ``"p"`` (rates, shown as percentages) or ``"trajectory"``
    (cumulative shares, percentages); ``value`` and ``limit`` are those of the warning (see
    :func:`evalkit.monitor.series.monitor_warnings`), ``start_value`` the value at ``since``
    and ``margin`` the trajectory's margin. ``unit_en``/``unit_zh``: optional text written
    after each value of an XmR warning (``" working days"``, ``" 个工作日"``), one a warning.
    """
    en: list[str] = []
    zh: list[str] = []
    n = len(chart)
    units = zip(unit_en if unit_en is not None else [""] * n, unit_zh if unit_zh is not None else [""] * n)
    for ch, d, s, p, k, v, lim, c, v0, (u_en, u_zh) in zip(chart, direction, since, period, points, value, limit,
                                                            centre, start_value, units):
        if ch == "xmr":
            def f(x, _u=u_en):
                return _number(x) + (_u if not np.isnan(x) else "")

            def g(x, _u=u_zh):
                return _number(x) + (_u if not np.isnan(x) else "")
        else:
            f = g = _percent
        low = d > 0  # the worse side is below
        if rule == "beyond_limit":
            en.append(f"{p}: {f(v)} is {'below the lower' if low else 'above the upper'} process limit {f(lim)} "
                      f"(centre {f(c)})" + (f", {k} points in a row beyond it since {s}" if k > 1 else ""))
            zh.append(f"{p}：{g(v)} {'低于控制下限' if low else '高于控制上限'} {g(lim)}（中心线 {g(c)}）"
                      + (f"，自 {s} 起连续 {k} 个点超出" if k > 1 else ""))
        elif rule == "run":
            en.append(f"{k} consecutive points {'below' if low else 'above'} the centre line {f(lim)} since {s} "
                      f"(latest {p}: {f(v)})")
            zh.append(f"自 {s} 起连续 {k} 个点{'低于' if low else '高于'}中心线 {g(lim)}（最新 {p}：{g(v)}）")
        elif rule == "trend":
            en.append(f"{k} consecutive {'decreasing' if low else 'increasing'} points since {s}: "
                      f"from {f(v0)} to {f(v)} ({p})")
            zh.append(f"自 {s} 起连续 {k} 个点{'下降' if low else '上升'}：由 {g(v0)} 至 {g(v)}（{p}）")
        elif rule == "two_of_three":
            en.append(f"2 of 3 points beyond the 2-sigma line {f(lim)} on the {'low' if low else 'high'} side "
                      f"since {s} (latest {p}: {f(v)}; centre {f(c)})")
            zh.append(f"自 {s} 起 3 个点中有 2 个{'低于' if low else '高于'} 2σ 线 {g(lim)}"
                      f"（最新 {p}：{g(v)}；中心线 {g(c)}）")
        elif rule == "trajectory":
            gap = 100 * (c - v)
            en.append(f"by {p} cumulative execution is {_percent(v)} against a schedule of {_percent(c)}: "
                      f"{gap:.1f} percentage points behind (margin {100 * margin:g}), "
                      f"{k} consecutive months since {s}")
            zh.append(f"截至 {p} 累计执行 {_percent(v)}，序时进度 {_percent(c)}，落后 {gap:.1f} 个百分点"
                      f"（容差 {100 * margin:g} 个百分点），自 {s} 起已连续 {k} 个月")
        else:
            raise ValueError(f"expected a rule among {', '.join(RULES)}; found {rule!r}")
    return en, zh
