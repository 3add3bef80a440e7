"""Per-unit data-quality metrics: every check for every unit of a year, one row each.

:func:`quality_metrics` runs the checks (:mod:`evalkit.quality.checks`) on a dataset's year.
The rules on the large event tables (service cases, 12345 tickets, grid cases) are counted
in **one pass per table** for all their checks — batch by batch over a Parquet table that
:func:`~evalkit.data.dataset.read_dataset` left unread (never held whole), or over the
loaded frame in slices — so that the cost is about one more read of the columns they need.
The other rules run on their (small) tables.

Row references
--------------
``examples`` names up to three failing items per unit and check as
``"<file> row N"`` — the file as the data directory holds it and the row as a spreadsheet
numbers it (header = row 1, so the first record is row 2; a file with blank rows skipped
at reading numbers later rows one lower here), ``"<file> record N"`` for a Parquet file
(1-based), or a short text (``"month 11 (basic)"``, ``"2024-08: 3 records (control limits
18–52)"``). Never a cell's content: no personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.contract import TABLES
from ..errors import EvalkitError
from .checks import DEFAULT_CHECKS, Check
from .rules import (EXAMPLES_PER_UNIT, QualityContext, RecordRule, RULES, _TALLY_PARAMS, _first_examples,
                    _unit_positions, column_view, frame_view)

__all__ = ["METRIC_COLUMNS", "STATUSES", "quality_metrics", "metric_status"]

#: Columns of :func:`quality_metrics`, in order.
METRIC_COLUMNS = ["unit_id", "year", "table", "period", "dimension", "check", "numerator", "denominator",
                  "value", "threshold", "severity", "status", "examples", "description", "description_zh"]
#: The statuses of a metric row.
STATUSES = ("ok", "warn", "error", "not_applicable")
#: Tables whose record rules are counted in one pass (batch by batch when unread).
EVENT_TABLES = ("service_cases", "hotline_tickets", "grid_cases")
#: Rows per slice when a loaded event table is counted (bounds the temporaries).
SLICE_ROWS = 1 << 20


def metric_status(value, denominator, threshold, severity) -> np.ndarray:
    """``ok`` when ``value ≥ threshold``, the check's severity when below, ``not_applicable``
    when the denominator is 0 or missing (vectorised)."""
    value = np.asarray(value, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    applicable = np.isfinite(den) & (den > 0)
    passed = value >= np.asarray(threshold, dtype="float64") - 1e-9
    return np.where(~applicable, "not_applicable", np.where(passed, "ok", np.asarray(severity, dtype=object)))


def _through_month(year: int, period) -> int:
    if period is None:
        return 12
    if isinstance(period, int | np.integer) and not isinstance(period, bool):
        month = int(period)
    else:
        text = str(period).strip()
        try:
            y, m = text.split("-")
            month = int(m)
            if int(y) != year:
                raise ValueError
        except ValueError:
            raise EvalkitError(f"period: expected a month of {year} as {year}-MM (or 1–12); found {period!r}") from None
    if not 1 <= month <= 12:
        raise EvalkitError(f"period: expected a month from 1 to 12; found {period!r}")
    return month


def _file_of(dataset, year: int, table: str) -> str | None:
    """The data directory's file holding ``table`` (as ``Dataset.files`` names it), or None."""
    from ..data.dataset import _table_name

    scope_year = year if TABLES[table].scope == "year" else None
    for rel in getattr(dataset, "files", {}) or {}:
        path = Path(rel)
        folder = path.parent.as_posix()
        if (folder == str(scope_year) if scope_year is not None else folder in ("", ".")) \
                and _table_name(path) == table:
            return rel
    return None


#: The forms an example takes (see "Row references" above), as regular expressions with named
#: groups, so that a report can say them in its own language: kind → pattern.
EXAMPLE_FORMS: dict[str, re.Pattern] = {
    "row": re.compile(r"^(?P<file>.+) row (?P<n>\d+)$"),
    "record": re.compile(r"^(?P<file>.+) record (?P<n>\d+)$"),
    "month_missing": re.compile(r"^month (?P<month>\d+) \((?P<codes>[^()]*)\)$"),
    "month_volume": re.compile(r"^(?P<month>\d{4}-\d{2}): (?P<n>\d+) records "
                               r"\((?:control limits (?P<low>[\d.]+)–(?P<high>[\d.]+)|(?P<flat>the same count as "
                               r"the neighbouring months))\)$"),
}


def parse_example(text: str) -> tuple[str, dict[str, str]] | None:
    """The kind and fields of one example (one of :data:`EXAMPLE_FORMS`), or None for other text."""
    for kind, pattern in EXAMPLE_FORMS.items():
        m = pattern.match(text.strip())
        if m:
            return kind, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def _reference(file: str | None, table: str, item) -> str:
    if isinstance(item, str):
        return item
    if file is None:
        return f"{table} record {int(item) + 1}"
    if file.lower().endswith(".parquet"):
        return f"{file} record {int(item) + 1}"
    return f"{file} row {int(item) + 2}"


class _Data:
    """The dataset as the rules see it: the year's frames, loaded once each."""

    def __init__(self, dataset, year: int):
        self.dataset, self.year = dataset, year

    def key(self, name: str):
        return self.year if TABLES[name].scope == "year" else None

    def has(self, name: str) -> bool:
        return name in TABLES and self.dataset.has(name, self.key(name))

    def frame(self, name: str) -> pd.DataFrame:
        return self.dataset.table(name, self.key(name))


def _batch_view(batch, units: pd.Index, columns, dtypes) -> dict:
    """A rule view (:mod:`evalkit.quality.rules`) of one :class:`~evalkit.data.reading.Batch`."""
    view = {}
    for c in columns:
        a = batch[c]
        if isinstance(a, pd.Series):  # a storage type that needed the general conversion
            if c == "unit_id":
                view["unit"] = _unit_positions(units, a)
            else:
                view[c] = column_view(a, dtypes[c])
            continue
        dtype = dtypes[c]
        if c == "unit_id":
            mapping = np.append(units.get_indexer(pd.Index(a.categories).astype(str)), -1)
            view["unit"] = mapping[np.where(a.data >= 0, a.data, len(mapping) - 1)].astype(np.int64)
        elif dtype in ("date", "datetime"):
            view[c] = a.data.astype("datetime64[ns]")
        elif dtype == "bool":
            values = a.data.astype("float64")
            if a.missing is not None:
                values[a.missing] = np.nan
            view[c] = values
        elif a.kind == "codes":
            view[c] = a.data >= 0
        elif a.kind == "time":
            view[c] = ~np.isnat(a.data)
        elif a.kind == "present":
            view[c] = a.data.astype(bool)
        else:
            present = ~np.isnan(a.data) if a.data.dtype.kind == "f" else np.ones(len(a.data), bool)
            view[c] = present if a.missing is None else present & ~a.missing
    return view


def _record_pass(data: _Data, context: QualityContext, table: str, checks: list[Check]) -> dict[str, pd.DataFrame]:
    """Every record-rule check of an event table in one pass: check id → kernel frame."""
    t = TABLES[table]
    dtypes = {c.name: c.dtype for c in t.columns}
    columns = ["unit_id"]
    for check in checks:
        columns += [c for c in check.reads()[table] if c not in columns]
    anchor = t.anchor_date if context.through_month < 12 else None
    if anchor and anchor not in columns:
        columns.append(anchor)
    units = context.units

    def tally_all(view: dict, n: int):
        if anchor:
            after = view[anchor] > np.datetime64(context.as_of, "ns")
            view = {**view, "unit": np.where(after, -1, view["unit"])}
        out = []
        for check in checks:
            rule = RULES[check.rule]
            params = {k: v for k, v in check.rule_params.items() if k in _TALLY_PARAMS.get(rule.name, ())}
            sums, failing = rule.tally(view, context, **params)
            out.append((sums, None if failing is None else _first_examples(view["unit"], failing)))
        return n, out

    deferred = data.dataset.deferred(table, data.year) if hasattr(data.dataset, "deferred") else None
    if deferred is not None:
        source = deferred
        if any(c not in deferred.columns for c in columns):
            from ..data.reading import ParquetTable

            source = ParquetTable(deferred.path, deferred.display, t, columns, deferred.unit_ids, True)
        parts = source.map_batches(lambda b: tally_all(_batch_view(b, units, columns, dtypes), b.rows))
    else:
        frame = data.frame(table)
        missing = [c for c in columns if c not in frame]
        if missing:
            raise KeyError(missing[0])
        parts = [tally_all(frame_view(frame.iloc[s:s + SLICE_ROWS], units, columns, dtypes),
                           len(frame.iloc[s:s + SLICE_ROWS]))
                 for s in range(0, max(len(frame), 1), SLICE_ROWS)]
    results: dict[str, pd.DataFrame] = {}
    for k, check in enumerate(checks):
        total: dict[str, np.ndarray] = {}
        examples: dict[int, list] = {}
        offset = 0
        for n, out in parts:
            sums, ex = out[k]
            for name, values in sums.items():
                total[name] = total[name] + values if name in total else values.copy()
            for unit, rows in (ex or {}).items():
                have = examples.setdefault(unit, [])
                have.extend(r + offset for r in rows[: EXAMPLES_PER_UNIT - len(have)])
            offset += n
        if examples:
            total["examples"] = examples
        finish_params = check.rule_params
        results[check.check_id] = RULES[check.rule].finish(total, context, **finish_params)
    return results


def quality_metrics(dataset, year: int, checks: Iterable[Check] = DEFAULT_CHECKS,
                    submissions: pd.DataFrame | None = None, period=None) -> pd.DataFrame:
    """Every check for every unit of ``year``: the data-quality metrics.

    Parameters
    ----------
    dataset
        A :class:`~evalkit.data.dataset.Dataset` (loaded or read; large Parquet tables may
        be unread).
    year
        The year looked at.
    checks
        The checks (default :data:`~evalkit.quality.checks.DEFAULT_CHECKS`; an office's
        from :func:`~evalkit.quality.checks.load_checks`).
    submissions
        The submission log ``unit_id, table, period, deadline, submitted_date`` (e.g. batch
        submission times from the efficiency database). None: the data's ``submissions``
        table of the year when it has one.
    period
        None for the whole year; a month (``"2024-06"`` or ``6``) for the year to date
        through that month: records anchored later are ignored and later months are not
        expected.

    Returns
    -------
    DataFrame
        One row per unit (every unit of ``units``, in its order) and check (in the order
        given), columns :data:`METRIC_COLUMNS`:

        * ``unit_id``, ``year``, ``table``, ``period`` (``"2024"``, or ``"2024-06"`` for the
          year to date), ``dimension``, ``check`` (the check id);
        * ``numerator`` (items that pass), ``denominator`` (items looked at), ``value`` =
          100 × numerator / denominator (NaN when nothing was looked at);
        * ``threshold`` (per cent), ``severity`` (``warn``/``error``), ``status``: ``ok``
          when ``value ≥ threshold``, else the severity; ``not_applicable`` when there is
          nothing to look at (denominator 0, the table absent or a column it needs not read);
        * ``examples``: up to three failing items joined by ``"; "`` (see the module
          docstring; no personal data), ``""`` when none;
        * ``description`` (English) and ``description_zh``.
    """
    checks = list(checks)
    through = _through_month(int(year), period)
    units = pd.Index(dataset.units["unit_id"].astype(str), name="unit_id")
    data = _Data(dataset, int(year))
    log_file = None
    if submissions is None and "submissions" in TABLES and data.has("submissions"):
        submissions = data.frame("submissions")
        log_file = _file_of(dataset, int(year), "submissions")
    context = QualityContext(year=int(year), units=units, frame=data.frame, has=data.has, through_month=through,
                             submissions=submissions, workday_overrides=getattr(dataset, "workday_overrides", None))
    results: dict[str, pd.DataFrame | None] = {}
    # Record rules on the event tables: one pass per table for all their checks.
    by_table: dict[str, list[Check]] = {}
    for check in checks:
        if isinstance(RULES[check.rule], RecordRule) and check.table in EVENT_TABLES and data.has(check.table):
            by_table.setdefault(check.table, []).append(check)
    for table, group in by_table.items():
        try:
            results.update(_record_pass(data, context, table, group))
        except KeyError:  # a column this dataset did not read: the checks cannot be run on it
            results.update({c.check_id: None for c in group})
    for check in checks:
        if check.check_id in results:
            continue
        needed = [name for name in check.reads() if name not in ("submissions", "rater_assignments")]
        if check.table == "submissions":
            available = submissions is not None
        else:
            available = all(data.has(name) for name in needed)
        if not available:
            results[check.check_id] = None
            continue
        try:
            results[check.check_id] = RULES[check.rule].kernel(context, check.table, **check.rule_params)
        except KeyError:
            results[check.check_id] = None
    frames = []
    period_text = str(year) if through == 12 else f"{year}-{through:02d}"
    for check in checks:
        out = results.get(check.check_id)
        base = pd.DataFrame({"unit_id": units.to_numpy()})
        if out is not None and len(out):
            base = base.merge(out, on="unit_id", how="left")
        else:
            base["numerator"], base["denominator"], base["examples"] = np.nan, np.nan, None
        num = base["numerator"].to_numpy(dtype="float64")
        den = base["denominator"].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(den > 0, 100.0 * num / den, np.nan)
        status = metric_status(value, den, check.threshold, check.severity)
        file = log_file if check.table == "submissions" else _file_of(dataset, int(year), check.table)
        shown = "submissions" if check.table == "submissions" and log_file is None else check.table
        examples = ["; ".join(_reference(file, shown, item) for item in (ex or [])[:EXAMPLES_PER_UNIT])
                    if s in ("warn", "error") and isinstance(ex, list) else ""
                    for ex, s in zip(base["examples"], status)]
        frames.append(pd.DataFrame({
            "unit_id": base["unit_id"].to_numpy(), "year": int(year), "table": check.table,
            "period": period_text, "dimension": check.dimension, "check": check.check_id,
            "numerator": np.where(den > 0, num, np.nan), "denominator": np.where(den > 0, den, np.nan),
            "value": value, "threshold": float(check.threshold), "severity": check.severity,
            "status": status, "examples": examples, "description": check.description_en,
            "description_zh": check.description_zh}))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in METRIC_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    out["_u"] = out["unit_id"].map({u: i for i, u in enumerate(units)})
    out["_c"] = out["check"].map({c.check_id: i for i, c in enumerate(checks)})
    out = out.sort_values(["_u", "_c"], kind="stable").drop(columns=["_u", "_c"]).reset_index(drop=True)
    return out[METRIC_COLUMNS]
