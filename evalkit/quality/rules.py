"""Rule kernels of the data-quality checks: pure functions from a year's tables to per-unit
counts.

A rule kernel answers one question about one unit's records — how many cells of these
columns are filled, how many of the twelve budget months are there, how many reports came
in by their deadline — as a **numerator** (the items that pass) over a **denominator** (the
items looked at), with a few **examples** of items that fail (row positions in the table,
0-based, or a short text such as ``"month 11 (basic)"``; never personal data). A check
(:class:`evalkit.quality.checks.Check`) names a rule, its table and parameters, and a
threshold on ``value = 100 × numerator / denominator``.

Two kinds of kernels:

* **table rules** (:class:`TableRule`): ``kernel(context, table, **params) → frame`` with
  columns ``unit_id, numerator, denominator, examples`` (one row per unit that has
  something to look at), on tables small enough to hold (budget lines, legal cases, audit
  findings, ratings, submissions);
* **record rules** (:class:`RecordRule`) on the large event tables (service cases, 12345
  tickets, grid cases): ``tally(view, context, **params) → (sums, failing)`` counts one
  batch of rows into additive per-unit arrays (and marks the failing rows), and
  ``finish(sums, context, **params) → frame`` turns the totals into the same frame. The
  driver (:func:`evalkit.quality.metrics.quality_metrics`) runs every record rule of a table
  in one pass — over the loaded frame, or batch by batch over an unread Parquet table
  (:meth:`evalkit.data.reading.ParquetTable.map_batches`), so ten million rows are never
  held at once. A *view* is a dict of numpy arrays: ``"unit"`` (position of the row's unit
  in ``context.units``, −1 when none) and, for each column read, ``datetime64[ns]`` for
  dates and date-times, ``float64`` (1/0/NaN) for yes/no columns, a presence mask
  (``True`` = filled) for any other type.

Plausibility uses robust control limits (median and MAD, Iglewicz & Hoaglin 1993) on each
unit's monthly counts, after taking out the district's seasonal pattern and on Anscombe's
variance-stabilised scale (:func:`control_limits`): a month is out of control when its
residual from the expected count lies more than ``k × max(1.4826 × MAD, 1)`` from the
unit's median residual; the floor 1 (Poisson noise on that scale) keeps a unit with a very
regular monthly volume from being flagged for ordinary noise.

References
----------
Iglewicz, B. & Hoaglin, D. C. (1993). *How to Detect and Handle Outliers*. ASQC Quality
Press (the modified z-score: median and MAD).
Anscombe, F. J. (1948). The transformation of Poisson, binomial and negative-binomial data.
*Biometrika* 35(3/4), 246–254.
Kahn, M. G. et al. (2016). A harmonized data quality assessment terminology and framework
for the secondary use of electronic health record data. *eGEMs* 4(1), 1244 (the dimensions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.workdays import WorkCalendar

__all__ = ["EXAMPLES_PER_UNIT", "QualityContext", "RecordRule", "RULES", "TableRule", "control_limits",
           "fields_filled", "periods_present", "submitted_on_time", "legal_pending_overdue",
           "findings_rectified", "ratings_eligible", "budget_duplicated_months", "time_of_day_recorded",
           "instant_same_day", "monthly_volume_limits", "rule_output", "column_view", "frame_view"]

#: Examples (failing rows) kept per unit and check.
EXAMPLES_PER_UNIT = 3
#: Scale of the MAD to a normal standard deviation (1 / Φ⁻¹(3/4)).
MAD_SCALE = 1.4826
_NS_PER_DAY = 86_400 * 10 ** 9


@dataclass(frozen=True)
class QualityContext:
    """What a rule kernel may look at: the year, the evaluated units and the year's tables.

    ``frame(name)`` returns a table as a frame (the year's for a year table, the district's
    for ``units``/``raters``); ``has(name)`` whether the data hold the table at all.
    ``through_month``: 12 for the whole year; ``P`` (1–11) to look at the year to date
    through month ``P`` (records anchored after it are ignored, months after it are not
    expected). ``submissions``: the submission log (``unit_id, table, period, deadline,
    submitted_date``), from the data's ``submissions`` table or from the efficiency
    database; None when there is none.
    """

    year: int
    units: pd.Index
    frame: Callable[[str], pd.DataFrame]
    has: Callable[[str], bool]
    through_month: int = 12
    submissions: pd.DataFrame | None = None
    workday_overrides: pd.DataFrame | None = None

    @property
    def months(self) -> np.ndarray:
        """The months looked at: ``1 … through_month``."""
        return np.arange(1, self.through_month + 1)

    @property
    def as_of(self) -> pd.Timestamp:
        """Last moment of the period looked at (end of ``through_month``)."""
        return (pd.Timestamp(year=self.year, month=self.through_month, day=1)
                + pd.offsets.MonthEnd(0) + pd.Timedelta(hours=23, minutes=59, seconds=59))


def rule_output(units: pd.Index, numerator, denominator, examples: Mapping[int, list] | None = None,
                keep=None) -> pd.DataFrame:
    """The frame a kernel returns: one row per unit position where ``keep`` (default:
    ``denominator > 0``), with its examples (position → list)."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    keep = den > 0 if keep is None else np.asarray(keep, dtype=bool)
    pos = np.flatnonzero(keep)
    ex = examples or {}
    return pd.DataFrame({"unit_id": units.to_numpy()[pos] if len(units) else np.array([], dtype=object),
                         "numerator": num[pos], "denominator": den[pos],
                         "examples": [list(ex.get(int(p), []))[:EXAMPLES_PER_UNIT] for p in pos]})


def _unit_positions(units: pd.Index, values: pd.Series) -> np.ndarray:
    """Position of each row's unit in ``units`` (−1 for none)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        mapping = np.append(units.get_indexer(values.cat.categories.astype(str)), -1)
        codes = values.cat.codes.to_numpy()
        return mapping[np.where(codes >= 0, codes, len(mapping) - 1)].astype(np.int64)
    return units.get_indexer(values.astype(object).where(values.notna(), None).astype(str)).astype(np.int64)


def _first_examples(unit_pos: np.ndarray, failing: np.ndarray, labels=None,
                    out: dict[int, list] | None = None) -> dict[int, list]:
    """The first :data:`EXAMPLES_PER_UNIT` failing rows (or their ``labels``) per unit."""
    out = {} if out is None else out
    idx = np.flatnonzero(failing & (unit_pos >= 0))
    if idx.size == 0:
        return out
    units = unit_pos[idx]
    order = np.argsort(units, kind="stable")
    units, idx = units[order], idx[order]
    starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
    ends = np.r_[starts[1:], len(units)]
    for s, e in zip(starts, ends):
        have = out.setdefault(int(units[s]), [])
        room = EXAMPLES_PER_UNIT - len(have)
        for i in idx[s:e][:max(room, 0)]:
            have.append(int(i) if labels is None else labels[i])
    return out


def _bincount(unit_pos: np.ndarray, mask: np.ndarray | None, n: int) -> np.ndarray:
    ok = unit_pos >= 0 if mask is None else (unit_pos >= 0) & mask
    return np.bincount(unit_pos[ok], minlength=n).astype("float64")


def _months_of(values: np.ndarray, year: int) -> np.ndarray:
    """Month (1–12) of each ``datetime64`` in ``year``; 0 for other years and NaT."""
    m = values.astype("datetime64[M]").astype(np.int64) - (year - 1970) * 12
    return np.where((m >= 0) & (m < 12) & ~np.isnat(values), m + 1, 0)


# ----------------------------------------------------------------------------------------
# Rule objects
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TableRule:
    """A rule on tables small enough to hold: ``kernel(context, table, **params)``."""

    name: str
    kernel: Callable[..., pd.DataFrame]
    defaults: Mapping[str, Any]
    #: ``reads(table, params) → {table: columns}``: what the rule reads.
    reads: Callable[[str, Mapping[str, Any]], dict[str, tuple[str, ...]]]
    #: ``words(table, params) → str``: the rule in words (English), for the checks page.
    words: Callable[[str, Mapping[str, Any]], str]
    #: Tables the rule can be applied to (None: any year table).
    tables: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RecordRule(TableRule):
    """A rule counted batch by batch on a large event table: ``tally`` then ``finish``."""

    tally: Callable[..., tuple[dict[str, np.ndarray], np.ndarray | None]] = field(default=None)
    finish: Callable[..., pd.DataFrame] = field(default=None)


# ----------------------------------------------------------------------------------------
# Completeness
# ----------------------------------------------------------------------------------------

def fields_filled(context: QualityContext, table: str, columns=()) -> pd.DataFrame:
    """Completeness of listed columns: filled cells / (rows × columns), per unit.

    A table rule for small tables; the same counting is a record rule on the event tables
    (:func:`_tally_filled`). Examples: rows with an empty listed cell."""
    frame = context.frame(table)
    frame = _through(frame, table, context)
    units = context.units
    pos = _unit_positions(units, frame["unit_id"])
    view = {"unit": pos, **{c: frame[c].notna().to_numpy() for c in columns}}
    sums, failing = _tally_filled(view, context, columns=columns)
    ex = _first_examples(pos, failing)
    return rule_output(units, sums["numerator"], sums["denominator"], ex)


def _tally_filled(view, context, columns=()):
    pos = view["unit"]
    n = len(context.units)
    filled = np.zeros(len(pos), dtype=np.int64)
    for c in columns:
        filled += view[c].astype(np.int64)
    ok = pos >= 0
    num = np.bincount(pos[ok], weights=filled[ok], minlength=n)
    den = np.bincount(pos[ok], minlength=n).astype("float64") * len(columns)
    return {"numerator": num, "denominator": den}, filled < len(columns)


def _finish_sums(sums, context, **params) -> pd.DataFrame:
    return rule_output(context.units, sums["numerator"], sums["denominator"], sums.get("examples"))


def periods_present(context: QualityContext, table: str, period_column: str = "month",
                    group_columns=("line",)) -> pd.DataFrame:
    """Periods present: the months ``1 … through_month`` reported for each group (e.g. budget
    line) that the district reports, per unit.

    Denominator: months × the groups found anywhere in the table that year (a unit with no
    row at all is counted too: 0 of them); numerator: the (group, month) pairs the unit
    has. Examples: the missing pairs, e.g. ``"month 11 (basic)"``."""
    frame = context.frame(table)
    units = context.units
    groups = list(group_columns)
    months = context.months
    if len(frame) == 0:
        return rule_output(units, np.zeros(len(units)), np.zeros(len(units)))
    combos = frame[groups].drop_duplicates().sort_values(groups).astype(str)
    expected = len(combos) * len(months)
    period = pd.to_numeric(frame[period_column], errors="coerce")
    inside = period.isin(months).to_numpy()
    have = frame.loc[inside, ["unit_id", period_column, *groups]].astype(str).drop_duplicates()
    counts = have.groupby("unit_id").size().reindex(units, fill_value=0).to_numpy(dtype="float64")
    examples: dict[int, list] = {}
    present = set(map(tuple, have.to_numpy()))
    for p, unit in enumerate(units):
        if counts[p] >= expected:
            continue
        missing = []
        for month in months:
            for combo in combos.itertuples(index=False):
                if (unit, str(month), *combo) not in present:
                    missing.append(f"month {month} ({', '.join(combo)})")
        examples[p] = missing
    return rule_output(units, counts, np.full(len(units), float(expected)), examples,
                       keep=np.ones(len(units), bool))


# ----------------------------------------------------------------------------------------
# Timeliness
# ----------------------------------------------------------------------------------------

def submitted_on_time(context: QualityContext, table: str = "submissions", tables=None,
                      grace_days: int = 0) -> pd.DataFrame:
    """Reports submitted by their deadline, in working days.

    Reads the submission log (``context.submissions``: ``unit_id, table, period, deadline,
    submitted_date``; a ``datetime`` submission time is floored to its day). A report counts
    as on time when ``working_days_between(deadline, submitted) ≤ grace_days`` (the
    deadline day itself is on time; :mod:`evalkit.data.workdays`); a report not submitted
    is late. Only reports of the tables listed in ``tables`` (default: all) and, for a year
    to date, of periods up to ``through_month``. Examples: the late rows of the log."""
    log = context.submissions
    units = context.units
    if log is None or len(log) == 0:
        return rule_output(units, np.zeros(len(units)), np.zeros(len(units)))
    log = log.reset_index(drop=True)
    keep = log["deadline"].notna()
    if tables:
        keep &= log["table"].astype(str).isin(list(tables))
    if context.through_month < 12:
        period = log["period"].astype(str)
        keep &= period.str.len().gt(4) & (period <= f"{context.year}-{context.through_month:02d}")
    deadline = pd.to_datetime(log["deadline"]).dt.normalize()
    submitted = pd.to_datetime(log["submitted_date"]).dt.normalize()
    dates = pd.concat([deadline, submitted]).dropna()
    if len(dates) == 0:
        return rule_output(units, np.zeros(len(units)), np.zeros(len(units)))
    calendar = WorkCalendar.build(dates.min().date(), dates.max().date(), context.workday_overrides)
    late_days = calendar.working_days_between(deadline, submitted)
    on_time = (late_days <= grace_days) & ~np.isnan(late_days)
    pos = _unit_positions(units, log["unit_id"])
    keep = keep.to_numpy()
    num = _bincount(pos, keep & on_time, len(units))
    den = _bincount(pos, keep, len(units))
    ex = _first_examples(pos, keep & ~on_time)
    return rule_output(units, num, den, ex)


# ----------------------------------------------------------------------------------------
# Validity (what passes the contract's checks)
# ----------------------------------------------------------------------------------------

def _tally_time_of_day(view, context, column="dispatched_at"):
    """Date-times that carry a time of day (not exactly 00:00:00)."""
    pos = view["unit"]
    values = view[column]
    given = ~np.isnat(values)
    midnight = given & (values.view(np.int64) % _NS_PER_DAY == 0)
    n = len(context.units)
    return {"numerator": _bincount(pos, given & ~midnight, n), "denominator": _bincount(pos, given, n)}, midnight


def time_of_day_recorded(context: QualityContext, table: str, column: str = "dispatched_at") -> pd.DataFrame:
    """Date-times with a time of day: values not at exactly 00:00:00 / values given.

    A date typed without its time is read as 00:00 that day (a warning at validation, per
    file); a unit whose 12345 dispatch times are all at midnight has date-only data and
    its signed-in-time and contact rates are measured from the wrong instant. Examples:
    rows at 00:00:00."""
    return _run_record_rule(context, table, _tally_time_of_day, column=column)


def _tally_instant_same_day(view, context):
    """即办件 completed on the day received (instant cases with a completion date)."""
    pos = view["unit"]
    instant = view["instant"] == 1.0
    received, completed = view["received_date"], view["completed_date"]
    looked = instant & ~np.isnat(completed) & ~np.isnat(received)
    same = looked & (completed.astype("datetime64[D]") == received.astype("datetime64[D]"))
    n = len(context.units)
    return {"numerator": _bincount(pos, same, n), "denominator": _bincount(pos, looked, n)}, looked & ~same


def instant_same_day(context: QualityContext, table: str = "service_cases") -> pd.DataFrame:
    """即办件 (flagged ``instant``) completed on the day received / instant cases completed.

    The contract already refuses an instant case with a promised limit; one completed days
    later passes validation yet is no 即办件. Examples: instant cases completed later."""
    return _run_record_rule(context, table, _tally_instant_same_day)


def legal_pending_overdue(context: QualityContext, table: str = "legal_cases", kinds=("review",),
                          days: int = 90) -> pd.DataFrame:
    """Legal cases concluded, or still within ``days`` calendar days of filing at the end of
    the period / cases of the ``kinds`` filed.

    An administrative review is decided within 60 days (extendable by 30, 行政复议法 art. 62);
    a review still without a conclusion (and so without an outcome) long after is most
    likely a conclusion not entered, which drops the case from the correction rate.
    Examples: the overdue pending cases."""
    frame = _through(context.frame(table), table, context)
    units = context.units
    pos = _unit_positions(units, frame["unit_id"])
    looked = frame["kind"].astype(str).isin(list(kinds)).to_numpy() & frame["filed_date"].notna().to_numpy()
    age = (context.as_of.normalize() - pd.to_datetime(frame["filed_date"])).dt.days.to_numpy()
    pending = frame["concluded_date"].isna().to_numpy()
    overdue = looked & pending & (age > days)
    n = len(units)
    return rule_output(units, _bincount(pos, looked & ~overdue, n), _bincount(pos, looked, n),
                       _first_examples(pos, overdue))


# ----------------------------------------------------------------------------------------
# Consistency across tables
# ----------------------------------------------------------------------------------------

def findings_rectified(context: QualityContext, table: str = "audit_findings") -> pd.DataFrame:
    """Audit findings with a rectification item of the same unit (``rectifications`` with
    ``source = audit`` naming the finding) / audit findings, per audited unit.

    A finding without its rectification item — or tracked under another unit — is missing
    from the audit-rectification rate's denominator or counted for the wrong unit.
    Examples: findings without a matching item."""
    findings = _through(context.frame(table), table, context)
    units = context.units
    pos = _unit_positions(units, findings["unit_id"])
    rect = context.frame("rectifications")
    audit = rect[rect["source"].astype(str) == "audit"]
    pairs = set(zip(audit["finding_id"].astype(str), audit["unit_id"].astype(str)))
    matched = np.array([(f, u) in pairs for f, u in zip(findings["finding_id"].astype(str),
                                                        findings["unit_id"].astype(str))], dtype=bool)
    n = len(units)
    return rule_output(units, _bincount(pos, matched, n), _bincount(pos, None, n),
                       _first_examples(pos, ~matched))


def ratings_eligible(context: QualityContext, table: str = "ratings") -> pd.DataFrame:
    """Ratings given by an eligible rater / ratings, per rated unit.

    Eligible: the rater is in the registry (``raters``), does not work in the rated unit,
    has a term that overlaps the year, and — when the year has ``rater_assignments`` — was
    assigned the unit. Ineligible ratings are excluded from the rating score (the
    qualitative rules); here they are counted, because they show the collection of ratings
    did not follow the registry. Examples: the ineligible rows."""
    ratings = context.frame(table)
    units = context.units
    pos = _unit_positions(units, ratings["unit_id"])
    raters = context.frame("raters").drop_duplicates("rater_id").set_index("rater_id")
    rater = ratings["rater_id"].astype(str)
    unit = ratings["unit_id"].astype(str)
    known = rater.isin(raters.index.astype(str))
    own = rater.map(raters["own_unit_id"].astype(object).where(raters["own_unit_id"].notna(), None)
                    .rename(index=str)).astype(object)
    eligible = known & (own.isna() | (own.astype(str) != unit))
    start, end = pd.Timestamp(year=context.year, month=1, day=1), pd.Timestamp(year=context.year, month=12, day=31)
    for column, bad in (("term_start", lambda s: s > end), ("term_end", lambda s: s < start)):
        if column in raters:
            bound = rater.map(pd.to_datetime(raters[column]).rename(index=str))
            eligible &= ~(bound.notna() & bad(bound))
    if context.has("rater_assignments"):
        assigned = context.frame("rater_assignments")
        pairs = set(zip(assigned["rater_id"].astype(str), assigned["unit_id"].astype(str)))
        eligible &= pd.Series([(r, u) in pairs for r, u in zip(rater, unit)], index=ratings.index)
    ok = eligible.to_numpy(dtype=bool)
    n = len(units)
    return rule_output(units, _bincount(pos, ok, n), _bincount(pos, None, n), _first_examples(pos, ~ok))


# ----------------------------------------------------------------------------------------
# Plausibility against the unit's own history
# ----------------------------------------------------------------------------------------

def _anscombe(x):
    """Anscombe's variance-stabilising transform of Poisson counts, ``2 √(x + 3/8)`` (sd ≈ 1)."""
    return 2.0 * np.sqrt(np.maximum(x, 0.0) + 0.375)


def control_limits(counts: np.ndarray, k: float = 4.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Robust control limits of the monthly counts ``counts`` (units × months), against the
    district's seasonal pattern.

    Each unit's expected count in month ``m`` is its total spread like the district's
    months, ``e[u, m] = N[u] × D[m] / ΣD`` (``D`` = the district's count of the month), so
    that a summer peak every unit shares is no outlier. Counts and expectations are compared
    on Anscombe's scale ``a(x) = 2 √(x + 3/8)``, where Poisson noise has a standard deviation
    of about 1 at any volume (Anscombe 1948): residuals ``r = a(x) − a(e)``, centre
    ``median(r[u, ·])``, spread ``max(1.4826 × MAD(r[u, ·]), 1)`` (the unit's own
    variability, never below the Poisson noise). A month is out of control when its residual
    lies more than ``k`` spreads from the centre. Returns ``(expected, low, high)`` — units ×
    months, the limits back on the count scale."""
    x = np.asarray(counts, dtype="float64")
    district = x.sum(axis=0)
    total = district.sum()
    share = district / total if total > 0 else np.full(x.shape[1], 1.0 / max(x.shape[1], 1))
    expected = x.sum(axis=1, keepdims=True) * share[None, :]
    resid = _anscombe(x) - _anscombe(expected)
    centre = np.median(resid, axis=1, keepdims=True)
    mad = np.median(np.abs(resid - centre), axis=1, keepdims=True)
    spread = np.maximum(MAD_SCALE * mad, 1.0)

    def back(a):
        return np.where(a > 0, (a / 2.0) ** 2 - 0.375, 0.0)

    return expected, back(_anscombe(expected) + centre - k * spread), back(_anscombe(expected) + centre + k * spread)


def _tally_months(view, context, column="received_date", **_):
    pos = view["unit"]
    months = _months_of(view[column], context.year)
    ok = (pos >= 0) & (months > 0)
    n = len(context.units)
    grid = np.bincount(pos[ok] * 12 + (months[ok] - 1), minlength=n * 12).astype("float64")
    return {"months": grid}, None


def _finish_months(sums, context, column="received_date", k: float = 4.0, min_median: float = 5.0,
                   flat_run: int = 0):
    n = len(context.units)
    counts = sums["months"].reshape(n, 12)[:, : context.through_month]
    return _volume_output(context, counts, k, min_median, flat_run)


def _volume_output(context, counts: np.ndarray, k: float, min_median: float, flat_run: int) -> pd.DataFrame:
    expected, low, high = control_limits(counts, k)
    outside = (counts < low) | (counts > high)
    flat = np.zeros_like(outside)
    if flat_run and flat_run > 1 and counts.shape[1] >= flat_run:
        for start in range(counts.shape[1] - flat_run + 1):
            window = counts[:, start:start + flat_run]
            same = (window == window[:, :1]).all(axis=1) & (window[:, 0] > 0)
            flat[same, start:start + flat_run] = True
    failing = outside | flat
    applies = np.median(counts, axis=1) >= min_median if counts.size else np.zeros(len(counts), bool)
    months = counts.shape[1]
    examples: dict[int, list] = {}
    for p in np.flatnonzero(applies & failing.any(axis=1)):
        examples[int(p)] = [
            f"{context.year}-{m + 1:02d}: {int(counts[p, m])} records "
            + ("(the same count as the neighbouring months)" if flat[p, m] and not outside[p, m] else
               f"(control limits {max(low[p, m], 0):.0f}–{high[p, m]:.0f})")
            for m in np.flatnonzero(failing[p])]
    num = np.where(applies, months - failing.sum(axis=1), 0.0)
    den = np.where(applies, float(months), 0.0)
    return rule_output(context.units, num, den, examples, keep=applies)


def monthly_volume_limits(context: QualityContext, table: str, column: str = "received_date",
                          k: float = 4.0, min_median: float = 5.0, flat_run: int = 0) -> pd.DataFrame:
    """Months whose record count lies within the unit's robust control limits and is not part
    of a flat line / months looked at, per unit.

    Counts the records of each month (by ``column``, the anchor date); a month fails when
    it lies outside :func:`control_limits` (a jump or a gap: records missing or counted
    twice) or when it starts or continues a run of ``flat_run`` months with the very same
    non-zero count (a month copied forward). Units with a median below ``min_median``
    records a month are not looked at (too few to judge). Examples: the failing months with
    their counts and limits."""
    return _run_record_rule(context, table, _tally_months, column=column, k=k, min_median=min_median,
                            flat_run=flat_run)


def budget_duplicated_months(context: QualityContext, table: str = "budget_lines") -> pd.DataFrame:
    """Budget months that are not a copy of the month before / months after the first, per unit.

    A month copies the previous one when every budget line the unit reports in both months
    has the very same non-zero ``spending_yuan`` (to the fen): a monthly report filed twice
    instead of the new month's figures. Examples: the rows of the copied month."""
    frame = context.frame(table)
    units = context.units
    months = context.months
    frame = frame[pd.to_numeric(frame["month"], errors="coerce").isin(months).to_numpy()]
    n = len(units)
    num, den = np.zeros(n), np.zeros(n)
    examples: dict[int, list] = {}
    if len(frame):
        f = frame.assign(_row=np.asarray(frame.index), month=frame["month"].astype(int),
                         unit_id=frame["unit_id"].astype(str), line=frame["line"].astype(str))
        wide = f.pivot_table(index=["unit_id", "month"], columns="line", values="spending_yuan", aggfunc="first")
        rows = f.groupby(["unit_id", "month"])["_row"].apply(list)
        for unit, block in wide.groupby(level=0, sort=False):
            p = units.get_loc(unit) if unit in units else None
            if p is None:
                continue
            block = block.droplevel(0).sort_index()
            values = block.to_numpy(dtype="float64")
            present = block.index.to_numpy()
            for i in range(1, len(present)):
                den[p] += 1
                a, b = values[i - 1], values[i]
                both = ~np.isnan(a) & ~np.isnan(b)
                copied = (present[i] == present[i - 1] + 1 and both.any()
                          and bool(np.all(a[both] == b[both])) and bool(np.all(b[both] > 0)))
                if copied:
                    examples.setdefault(p, []).extend(rows[(unit, present[i])])
                else:
                    num[p] += 1
    return rule_output(units, num, den, examples)


# ----------------------------------------------------------------------------------------
# Driving record rules over a frame (the same tally as over batches)
# ----------------------------------------------------------------------------------------

def column_view(series: pd.Series, dtype: str) -> np.ndarray:
    """One column of a view: ``datetime64[ns]`` for dates and date-times, ``float64``
    (1/0/NaN) for yes/no, the presence mask for any other contract type."""
    if dtype in ("date", "datetime"):
        return pd.to_datetime(series).to_numpy(dtype="datetime64[ns]")
    if dtype == "bool":
        return series.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return series.notna().to_numpy()


def frame_view(frame: pd.DataFrame, units: pd.Index, columns, dtypes: Mapping[str, str]) -> dict:
    """A view of ``frame`` (see the module docstring) for ``columns``; KeyError names a
    column the frame does not hold."""
    view = {"unit": _unit_positions(units, frame["unit_id"])}
    for c in columns:
        if c != "unit_id":
            view[c] = column_view(frame[c], dtypes[c])
    return view


def _through(frame: pd.DataFrame, table: str, context: QualityContext) -> pd.DataFrame:
    """The rows anchored up to ``through_month`` (all of them for the whole year)."""
    from ..data.contract import TABLES

    anchor = TABLES[table].anchor_date
    if context.through_month >= 12 or anchor is None or anchor not in frame:
        return frame
    return frame[(pd.to_datetime(frame[anchor]) <= context.as_of).to_numpy()]


def _run_record_rule(context: QualityContext, table: str, tally, **params) -> pd.DataFrame:
    """A record rule over the table as one frame (for a kernel called on its own; the metrics
    driver counts every record rule of a table in one pass instead)."""
    from ..data.contract import TABLES

    t = TABLES[table]
    frame = _through(context.frame(table), table, context)
    rule = next(r for r in RULES.values() if isinstance(r, RecordRule) and r.tally is tally)
    columns = rule.reads(table, {**rule.defaults, **params})[table]
    view = frame_view(frame, context.units, columns, {c.name: c.dtype for c in t.columns})
    tally_params = {k: v for k, v in params.items() if k in _TALLY_PARAMS.get(rule.name, ())}
    sums, failing = tally(view, context, **tally_params)
    if failing is not None:
        sums = {**sums, "examples": _first_examples(view["unit"], failing)}
    return rule.finish(sums, context, **params)


# ----------------------------------------------------------------------------------------
# The registry
# ----------------------------------------------------------------------------------------

def _cols(*names):
    return lambda table, params: {table: ("unit_id", *names)}


#: Parameters of each record rule's ``tally`` (the rest go to ``finish`` only).
_TALLY_PARAMS = {"fields_filled": ("columns",), "time_of_day_recorded": ("column",),
                 "monthly_volume_limits": ("column",)}

_EVENT_TABLES = ("service_cases", "hotline_tickets", "grid_cases")

RULES: dict[str, TableRule] = {r.name: r for r in (
    RecordRule("fields_filled", fields_filled, {"columns": ()},
               lambda t, p: {t: ("unit_id", *p["columns"])},
               lambda t, p: f"cells of {', '.join(f'`{c}`' for c in p['columns'])} filled, of all such cells",
               tally=_tally_filled, finish=_finish_sums),
    TableRule("periods_present", periods_present, {"period_column": "month", "group_columns": ("line",)},
              lambda t, p: {t: ("unit_id", p["period_column"], *p["group_columns"])},
              lambda t, p: (f"(month, {', '.join(p['group_columns'])}) pairs present, of every month of the "
                            f"period × every {', '.join(p['group_columns'])} the district reports"),
              tables=("budget_lines",)),
    TableRule("submitted_on_time", submitted_on_time, {"tables": None, "grace_days": 0},
              lambda t, p: {"submissions": ("unit_id", "table", "period", "deadline", "submitted_date")},
              lambda t, p: ("reports submitted no later than "
                            + (f"{p['grace_days']} working day(s) after " if p["grace_days"] else "")
                            + "their deadline (working days; not submitted = late), of all reports due"
                            + (f" ({', '.join(p['tables'])})" if p["tables"] else "")),
              tables=("submissions",)),
    RecordRule("time_of_day_recorded", time_of_day_recorded, {"column": "dispatched_at"},
               lambda t, p: {t: ("unit_id", p["column"])},
               lambda t, p: f"`{p['column']}` values with a time of day (not exactly 00:00:00), of values given",
               tables=_EVENT_TABLES, tally=_tally_time_of_day, finish=_finish_sums),
    RecordRule("instant_same_day", instant_same_day, {},
               lambda t, p: {t: ("unit_id", "instant", "received_date", "completed_date")},
               lambda t, p: "即办件 (instant) cases completed on the day received, of instant cases completed",
               tables=("service_cases",), tally=_tally_instant_same_day, finish=_finish_sums),
    TableRule("legal_pending_overdue", legal_pending_overdue, {"kinds": ("review",), "days": 90},
              lambda t, p: {t: ("unit_id", "kind", "filed_date", "concluded_date")},
              lambda t, p: (f"{'/'.join(p['kinds'])} cases concluded or pending for at most {p['days']} "
                            "calendar days at the end of the period, of such cases filed"),
              tables=("legal_cases",)),
    TableRule("findings_rectified", findings_rectified, {},
              lambda t, p: {t: ("unit_id", "finding_id"), "rectifications": ("unit_id", "source", "finding_id")},
              lambda t, p: ("audit findings with a rectification item (source audit) of the same unit, "
                            "of audit findings"),
              tables=("audit_findings",)),
    TableRule("ratings_eligible", ratings_eligible, {},
              lambda t, p: {t: ("unit_id", "rater_id"), "raters": ("rater_id", "own_unit_id", "term_start", "term_end"),
                            "rater_assignments": ("unit_id", "rater_id")},
              lambda t, p: ("ratings by a registered rater of another unit, within their term and (when "
                            "the year has assignments) assigned the unit, of ratings"),
              tables=("ratings",)),
    RecordRule("monthly_volume_limits", monthly_volume_limits,
               {"column": "received_date", "k": 4.0, "min_median": 5.0, "flat_run": 0},
               lambda t, p: {t: ("unit_id", p["column"])},
               lambda t, p: (f"months whose count of records (by `{p['column']}`) lies within the unit's "
                             "robust control limits: expected from the unit's total and the district's monthly "
                             "pattern, compared on Anscombe's scale 2√(x + 3/8), out of control beyond the unit's "
                             f"median residual ± {p['k']:g} × max(1.4826 × MAD of its residuals, 1)"
                             + (f" and is not in a run of {p['flat_run']} equal counts" if p["flat_run"] else "")
                             + f", of the months (units with a median below {p['min_median']:g} records a "
                             "month are not looked at)"),
               tables=_EVENT_TABLES, tally=_tally_months, finish=_finish_months),
    TableRule("budget_duplicated_months", budget_duplicated_months, {},
              lambda t, p: {t: ("unit_id", "month", "line", "spending_yuan")},
              lambda t, p: ("months whose spending is not a copy of the previous month's (every line the "
                            "same non-zero amount), of the months after the first"),
              tables=("budget_lines",)),
)}
