"""Checking input tables against the data contract.

Every check collects *all* its problems (capped per file, column and check so that a
10-million-row file with one systematic error gives a readable report), and each problem
names the file, the row as the user sees it, the column, what was expected and what was
found. Conversions are vectorised; a table is converted to its contract types here, once.

Checks, in order
----------------
1. header: duplicated names, missing required columns, unrecognised columns (warning);
2. cells: type (number, date …), empty cells in non-nullable columns, ranges, categories;
3. rows: unique key, anchor date inside the folder's year, other dates within plausible
   years, order constraints (received ≤ completed …), values constant within a group;
4. table rules that need several columns (e.g. status *closed* ⇔ a closed date);
5. references across tables (every unit id exists in ``units`` …).
"""

from __future__ import annotations

from dataclasses import dataclass

import datetime as dt

import numpy as np
import pandas as pd

from .contract import COMPLETION_PCT_BANDS, DTYPE_DESCRIPTION, LEGAL_OUTCOMES_BY_KIND, Column, Table
from ..errors import Problem
from .loading import RawFile
from .text import clean_cells, clean_text, describe, removed_characters

#: Problems reported per (file, column, check) before the rest are summarised in one line.
MAX_ROWS_PER_CHECK = 10

_TRUE = {"1", "true", "t", "yes", "y", "是", "真", "√"}
_FALSE = {"0", "false", "f", "no", "n", "否", "假", "×"}


@dataclass
class CheckedTable:
    """A table converted to contract types, with the user-visible row number of each record."""

    table: Table
    raw: RawFile
    frame: pd.DataFrame
    rows: np.ndarray
    headers: dict[str, str]  # contract column -> header as written in the file

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "an empty cell"
    if isinstance(value, pd.Timestamp):
        if value == value.normalize():
            return f"'{value:%Y-%m-%d}'"
        return f"'{value:%Y-%m-%d %H:%M:%S}'"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{text}'"


def row_problems(display: str, rows: np.ndarray, mask: np.ndarray, column: str | None,
                 expected: str, found: list[str]) -> list[Problem]:
    """One problem per offending row (capped), plus a summary line for the rest."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    out = [Problem(display, int(rows[i]), column, expected, found[k])
           for k, i in enumerate(idx[:MAX_ROWS_PER_CHECK])]
    if idx.size > MAX_ROWS_PER_CHECK:
        rest = idx.size - MAX_ROWS_PER_CHECK
        out.append(Problem(display, None, column, expected,
                           f"the same problem on {rest:,} more row(s) (first rows listed above)"))
    return out


def _found(values: pd.Series, mask: np.ndarray) -> list[str]:
    picked = values[mask].iloc[:MAX_ROWS_PER_CHECK]
    return [_fmt(v) for v in picked]


# ----------------------------------------------------------------------------------------
# Cell conversion
# ----------------------------------------------------------------------------------------

def _as_text(series: pd.Series) -> pd.Series:
    """Strings with surrounding whitespace removed; missing → ''."""
    if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
        return series.fillna("").str.strip()
    if pd.api.types.is_float_dtype(series) and series.dropna().apply(float.is_integer).all():
        series = series.astype("Int64")
    s = series.astype(object).where(series.notna(), "")
    return s.astype(str).str.strip()


def _map_small(text: pd.Series, mapping) -> pd.Series:
    """``text.map(mapping)`` computed once per distinct value (fast for long columns)."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    mapped = np.array([mapping(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else np.array([], dtype=object), index=text.index,
                     dtype=object)


def _is_date_objects(series: pd.Series) -> bool:
    if not pd.api.types.is_object_dtype(series):
        return False
    first = series.dropna()
    return len(first) > 0 and isinstance(first.iloc[0], dt.date) and \
        first.map(type).isin([dt.date, dt.datetime, pd.Timestamp]).all()


def _expected(col: Column) -> str:
    if col.dtype == "category":
        codes = ", ".join(f"{k} ({v})" for k, v in col.categories.items())
        return f"one of {codes}"
    return DTYPE_DESCRIPTION[col.dtype]


#: Largest whole number a float holds exactly; larger "int" cells are reported, not wrapped.
_MAX_EXACT_INT = 2.0 ** 53
#: A time followed by a UTC offset or "Z": not in the contract (local times only).
_UTC_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _numeric_bad(num: pd.Series, empty: np.ndarray, dtype: str) -> np.ndarray:
    """Non-empty cells that are infinite, or (``int``) not an exactly held whole number."""
    arr = num.to_numpy(dtype="float64", na_value=np.nan)
    finite = np.isfinite(arr)
    bad = ~empty & ~finite
    if dtype == "int":
        whole = np.zeros(len(arr), bool)
        whole[finite] = (np.mod(arr[finite], 1) == 0) & (np.abs(arr[finite]) <= _MAX_EXACT_INT)
        bad |= ~empty & finite & ~whole
    return bad


def _naive_ns(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Datetimes as naive ``datetime64[ns]`` (local wall time), and the mask of values outside
    the range it holds (years 1677–2262, e.g. a 9999-12-31 "no end" placeholder)."""
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    out = (values.notna() & ((values < pd.Timestamp.min) | (values > pd.Timestamp.max))).to_numpy()
    return values.where(~out).astype("datetime64[ns]"), out


def convert_column(series: pd.Series, col: Column) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Convert one column; return ``(values, empty_mask, bad_mask)``.

    ``bad_mask`` marks non-empty cells that are not a valid value of the column's type.
    """
    n = len(series)
    dtype = col.dtype
    if dtype in ("date", "datetime") and _is_date_objects(series):
        series = pd.to_datetime(series)  # Parquet date32 columns arrive as datetime.date
    if dtype in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(series):
        empty = series.isna().to_numpy()
        values, bad = _naive_ns(pd.to_datetime(series))
        if dtype == "date":
            values = values.dt.normalize()
        return values, empty, bad
    if dtype in ("int", "float", "money") and pd.api.types.is_numeric_dtype(series) \
            and not pd.api.types.is_bool_dtype(series):
        values = pd.to_numeric(series).astype("float64")
        empty = values.isna().to_numpy()
        bad = _numeric_bad(values, empty, dtype)
        values = values.where(~bad)
        if dtype == "int":
            values = values.round().astype("Int64")
        return values, empty, bad
    if dtype == "bool" and pd.api.types.is_bool_dtype(series):
        values = series.astype("boolean")
        return values, values.isna().to_numpy(), np.zeros(n, bool)

    text = _as_text(series)
    empty = (text == "").to_numpy()
    if dtype in ("id", "text"):
        values = text.where(~empty, None)
        if pd.api.types.is_object_dtype(values):
            values = values.astype(object)
        return values, empty, np.zeros(n, bool)
    if dtype in ("int", "float", "money"):
        cleaned = text.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
        if dtype == "money":
            cleaned = cleaned.str.replace(r"^[¥￥]|元$", "", regex=True)
        num = pd.to_numeric(cleaned.where(~empty, None), errors="coerce").astype("float64")
        bad = (~empty & num.isna().to_numpy()) | _numeric_bad(num, empty, dtype)
        num = num.where(~bad)
        if dtype == "int":
            num = num.round().astype("Int64")
        return num, empty, bad
    if dtype == "bool":
        def truth(v: str):
            low = v.lower()
            return True if low in _TRUE else False if low in _FALSE else None
        values = _map_small(text, truth).astype("boolean")
        bad = ~empty & values.isna().to_numpy()
        return values, empty, bad
    if dtype in ("date", "datetime"):
        # Fast path for the contract's own format; the slow path only sees the rest.
        fmt = "%Y-%m-%d" if dtype == "date" else "%Y-%m-%d %H:%M:%S"
        quick = pd.to_datetime(text.where(~empty, None), format=fmt, errors="coerce")
        if not quick.isna().to_numpy()[~empty].any():
            values, out_of_range = _naive_ns(quick)
            return values, empty, out_of_range
        norm = (text.str.replace("年", "-", regex=False).str.replace("月", "-", regex=False)
                .str.replace("日", "", regex=False)
                # "/" and "." separate the date parts only: keep "09:00:00.123" as it is.
                .str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
                .str.replace("T", " ", regex=False))
        # A UTC offset is reported rather than parsed (mixed offsets make pandas raise).
        offset = norm.str.contains(_UTC_OFFSET, regex=True).to_numpy()
        values = pd.to_datetime(norm.where(~empty & ~offset, None), format="ISO8601",
                                errors="coerce")
        values, _ = _naive_ns(values)
        bad = ~empty & values.isna().to_numpy()
        if dtype == "date":
            values = values.dt.normalize()
        return values, empty, bad
    if dtype == "category":
        lookup: dict[str, str] = {}
        for code, label in col.categories.items():
            lookup[code.lower()] = code
            lookup[label] = code
        values = _map_small(text, lambda v: lookup.get(v.lower(), lookup.get(v)))
        bad = ~empty & pd.isna(values).to_numpy()
        return values, empty, bad
    raise AssertionError(f"unknown dtype {dtype}")


# ----------------------------------------------------------------------------------------
# Table checks
# ----------------------------------------------------------------------------------------

def _match_headers(raw: RawFile, table: Table) -> tuple[dict[str, str], list[Problem]]:
    problems: list[Problem] = []
    written = [str(h).strip().lstrip("\ufeff") for h in raw.frame.columns]
    aliases: dict[str, str] = {}
    for c in table.columns:
        aliases[c.name.lower()] = c.name
        aliases[c.label_zh] = c.name
    headers: dict[str, str] = {}
    seen: dict[str, str] = {}
    first_row = 1
    unrecognised: list[str] = []
    for h in written:
        key = clean_text(h)  # a header is text like any cell: NFC, no invisible characters
        if key != h and removed_characters(h):
            problems.append(Problem(raw.display, first_row, key, "a column name without invisible characters",
                                    f"{describe(removed_characters(h))} (removed)", severity="warning"))
        name = aliases.get(key.lower(), aliases.get(key))
        if name is None:
            unrecognised.append(h)
            continue
        if name in seen:
            problems.append(Problem(raw.display, first_row, h, "each column once",
                                    f"a second column for '{name}' (first written as '{seen[name]}')"))
            continue
        seen[name] = h
        headers[name] = h
    # One warning per unrecognised column, then one line for the rest (not 100,000 lines).
    for h in unrecognised[:MAX_ROWS_PER_CHECK]:
        problems.append(Problem(raw.display, first_row, h, f"a column of the '{table.name}' table",
                                "an unrecognised column (ignored)", severity="warning"))
    if len(unrecognised) > MAX_ROWS_PER_CHECK:
        problems.append(Problem(raw.display, first_row, None, f"columns of the '{table.name}' table",
                                f"{len(unrecognised) - MAX_ROWS_PER_CHECK:,} more unrecognised "
                                "columns (ignored; the first are listed above)", severity="warning"))
    missing = [c for c in table.columns if c.required and not c.nullable and c.name not in headers]
    if len(missing) > 3 and len(missing) > len(headers):
        # Most columns are missing: probably a different table saved under this name.
        problems = [Problem(raw.display, first_row, None,
                            f"the columns of the '{table.name}' table ({table.label_zh}): "
                            + ", ".join(c.name for c in table.columns),
                            "the columns " + ", ".join(written[:20])
                            + (f" … ({len(written):,} in all)" if len(written) > 20 else ""))]
    else:
        for c in missing:
            problems.append(Problem(raw.display, first_row, c.name,
                                    f"a column '{c.name}' ({c.label_zh}): {c.description}",
                                    "no such column in the header"))
    return headers, problems


def check_table(raw: RawFile, table: Table, year: int | None, *,
                whole_table: bool = True) -> tuple[CheckedTable | None, list[Problem]]:
    """Convert ``raw`` to the contract types of ``table`` and check everything within it.

    ``whole_table=False`` leaves out the checks that compare rows with each other (unique
    key, values constant within a group): for one chunk of a larger file
    (:func:`evalkit.data.chunked.check_chunks`), which checks them over the whole file."""
    headers, problems = _match_headers(raw, table)
    if any(p.severity == "error" for p in problems):
        return None, problems
    if len(raw.frame) == 0:
        if not table.allow_empty:
            problems.append(Problem(raw.display, None, None, "at least one data row below the header",
                                    "a header with no data rows"))
            return None, problems
    display, rows = raw.display, raw.row_numbers
    data: dict[str, pd.Series] = {}
    position = {h: i for i, h in enumerate(str(c).strip().lstrip("\ufeff") for c in raw.frame.columns)}
    for col in table.columns:
        if col.name not in headers:
            data[col.name] = pd.Series([None] * len(raw.frame), dtype=object)
            continue
        header = headers[col.name]
        series = raw.frame.iloc[:, position[header]].reset_index(drop=True)
        series, text_problems = clean_cells(series, display, rows, header)  # NFC, no invisibles
        problems += text_problems
        values, empty, bad = convert_column(series, col)
        if bad.any() and col.dtype in _FULL_WIDTH_TYPES:
            values, bad, fixed = _read_full_width(series, col, values, bad)
            problems += _full_width_warning(display, rows, header, col, series, values, fixed)
        if col.dtype == "datetime":
            problems += _date_only_warning(display, rows, header, series, ~empty & ~bad)
        if bad.any():
            problems += row_problems(display, rows, bad, header, _expected(col), _found(series, bad))
        if not col.nullable and empty.any():
            problems += row_problems(display, rows, empty, header,
                                     f"{_expected(col)} (this column may not be empty)",
                                     ["an empty cell"] * int(min(empty.sum(), MAX_ROWS_PER_CHECK)))
        if col.minimum is not None or col.maximum is not None:
            num = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
            low = np.zeros(len(num), bool) if col.minimum is None else (num < col.minimum)
            high = np.zeros(len(num), bool) if col.maximum is None else (num > col.maximum)
            out = (low | high) & ~np.isnan(num)
            if out.any():
                rng = _range_text(col)
                problems += row_problems(display, rows, out, header, rng, _found(series, out))
        data[col.name] = values.reset_index(drop=True)
    frame = pd.DataFrame(data)
    checked = CheckedTable(table, raw, frame, rows, headers)
    problems += _check_rows(checked, year, whole_table)
    problems += _TABLE_RULES.get(table.name, lambda c: [])(checked)
    return checked, problems


#: Full-width digits and signs (as a Chinese input method types them) and their ASCII form.
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)},
                             "．": ".", "－": "-", "＋": "+", "：": ":", "／": "/", "　": " "})
_FULL_WIDTH_TYPES = ("int", "float", "money", "bool", "date", "datetime")


def _read_full_width(series: pd.Series, col: Column, values: pd.Series,
                     bad: np.ndarray) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Convert again the bad cells that hold full-width digits or signs, read as ASCII.

    Returns the values and bad mask with those cells converted, and the mask of the cells
    that were read this way."""
    fixed = np.zeros(len(series), dtype=bool)
    idx = np.flatnonzero(bad)
    text = series.iloc[idx].astype(str)
    ascii_text = text.str.translate(_FULL_WIDTH)
    changed = (ascii_text != text).to_numpy()
    if not changed.any():
        return values, bad, fixed
    pos = idx[changed]
    again, again_empty, again_bad = convert_column(ascii_text[changed].reset_index(drop=True), col)
    ok = ~again_bad & ~again_empty
    if not ok.any():
        return values, bad, fixed
    values, bad = values.copy(), bad.copy()
    values.iloc[pos[ok]] = again[ok].to_numpy()
    bad[pos[ok]] = False
    fixed[pos[ok]] = True
    return values, bad, fixed


def _full_width_warning(display: str, rows: np.ndarray, header: str, col: Column, series: pd.Series,
                        values: pd.Series, fixed: np.ndarray) -> list[Problem]:
    """One warning per file and column that held full-width digits (read as ASCII)."""
    if not fixed.any():
        return []
    first = int(np.flatnonzero(fixed)[0])
    return [Problem(display, int(rows[first]), header, f"{_expected(col)} in ASCII digits",
                    f"full-width digits or signs on {int(fixed.sum()):,} row(s), first "
                    f"{_fmt(series.iloc[first])}, read as {_fmt(values.iloc[first])}",
                    severity="warning")]


def _date_only_warning(display: str, rows: np.ndarray, header: str, series: pd.Series,
                       valid: np.ndarray) -> list[Problem]:
    """One warning per file and datetime column counting the cells that gave a date alone
    (read as 00:00 that day)."""
    if pd.api.types.is_datetime64_any_dtype(series) or not valid.any():
        return []
    if _is_date_objects(series):  # Parquet date32 for a date-time column
        date_only = series.map(lambda v: type(v) is dt.date).to_numpy(dtype=bool)
    else:
        # No time written: a date is at most 11 characters (2024-01-08, 2024年01月08日),
        # a date-time at least 13 (2024-1-8 9:00).
        date_only = (_as_text(series).str.len() <= 11).to_numpy(dtype=bool)
    date_only = date_only & valid
    if not date_only.any():
        return []
    first = int(np.flatnonzero(date_only)[0])
    return [Problem(display, int(rows[first]), header, DTYPE_DESCRIPTION["datetime"],
                    f"a date without a time on {int(date_only.sum()):,} row(s), first "
                    f"{_fmt(series.iloc[first])}: read as 00:00 that day", severity="warning")]


def _range_text(col: Column) -> str:
    unit = f" {col.unit}" if col.unit else ""
    if col.minimum is not None and col.maximum is not None:
        return f"a value from {col.minimum:g} to {col.maximum:g}{unit}"
    if col.minimum is not None:
        if col.minimum == 0:
            return f"a value of 0 or more{unit} (negative values are not allowed)"
        return f"a value of {col.minimum:g} or more{unit}"
    return f"a value of at most {col.maximum:g}{unit}"


def _check_rows(ct: CheckedTable, year: int | None, whole_table: bool = True) -> list[Problem]:
    problems: list[Problem] = []
    t, f, rows, display = ct.table, ct.frame, ct.rows, ct.raw.display
    if len(f) == 0:
        return problems
    # Unique key (not within one chunk of a file: ``whole_table``).
    key = list(t.key)
    dup = np.zeros(len(f), dtype=bool)
    if whole_table:
        keyed = f[key].astype(str)
        # Rows with an empty key cell are reported as empty cells, not as duplicates of each other.
        complete = f[key].notna().all(axis=1).to_numpy()
        dup = keyed.duplicated(keep="first").to_numpy() & complete
    if dup.any():
        first_pos = keyed.groupby(key, sort=False).ngroup()
        first_row_of_group = pd.Series(rows).groupby(first_pos.to_numpy()).transform("min").to_numpy()
        idx = np.flatnonzero(dup)[:MAX_ROWS_PER_CHECK]
        found = []
        for i in idx:
            val = ", ".join(str(f[k].iloc[i]) for k in key)
            found.append(f"'{val}', which is already on row {first_row_of_group[i]}")
        problems += row_problems(display, rows, dup, ct.header(key[0]) if len(key) == 1 else
                                 "+".join(ct.header(k) for k in key),
                                 f"a unique value of ({', '.join(key)}) on every row", found)
    # Dates in the folder's year.
    if year is not None:
        for col in t.columns:
            if col.dtype not in ("date", "datetime") or col.name not in ct.headers:
                continue
            values = f[col.name]
            years = values.dt.year
            if col.name == t.anchor_date:
                outside = (values.notna() & (years != year)).to_numpy()
                expected = (f"a date in {year} (records are filed under the year of their "
                            f"{col.name}; this file is in the {year} folder)")
            else:
                outside = (values.notna() & ((years < year - 5) | (years > year + 2))).to_numpy()
                expected = f"a plausible date for the {year} records (between {year - 5} and {year + 2})"
            if outside.any():
                problems += row_problems(display, rows, outside, ct.header(col.name), expected,
                                         _found(values, outside))
    # Orders.
    for order in t.orders:
        if order.earlier not in ct.headers or order.later not in ct.headers:
            continue
        a, b = f[order.earlier], f[order.later]
        if t.column(order.earlier).dtype in ("int", "float", "money"):
            a = pd.to_numeric(a).astype("float64")
            b = pd.to_numeric(b).astype("float64")
        broken = (a.notna() & b.notna() & (b < a)).to_numpy()
        if broken.any():
            found = [f"{_fmt(b.iloc[i])}, before/below {order.earlier} {_fmt(a.iloc[i])}"
                     for i in np.flatnonzero(broken)[:MAX_ROWS_PER_CHECK]]
            problems += row_problems(display, rows, broken, ct.header(order.later),
                                     f"{order.later} ≥ {order.earlier} ({order.meaning})", found)
    # Values constant within groups.
    for col in t.constant_columns if whole_table else ():
        if col not in ct.headers:
            continue
        grp = f.groupby(list(t.constant_within), sort=False)[col]
        first = grp.transform("first")
        differs = (f[col].notna() & first.notna() & (f[col] != first)).to_numpy()
        if differs.any():
            found = [f"{_fmt(f[col].iloc[i])}, but {_fmt(first.iloc[i])} on an earlier row of the "
                     f"same {'/'.join(t.constant_within)}" for i in np.flatnonzero(differs)[:MAX_ROWS_PER_CHECK]]
            problems += row_problems(display, rows, differs, ct.header(col),
                                     f"the same {col} on every row of one {'/'.join(t.constant_within)}",
                                     found)
    return problems


# ----------------------------------------------------------------------------------------
# Rules that need several columns of one table
# ----------------------------------------------------------------------------------------

def _rule_rectifications(ct: CheckedTable) -> list[Problem]:
    f, rows, display = ct.frame, ct.rows, ct.raw.display
    problems: list[Problem] = []
    if "status" in ct.headers and "closed_date" in ct.headers:
        closed = (f["status"] == "closed").to_numpy()
        has_date = f["closed_date"].notna().to_numpy()
        problems += row_problems(display, rows, closed & ~has_date, ct.header("closed_date"),
                                 "a closed date for an item whose status is closed (已整改)",
                                 ["an empty cell"] * MAX_ROWS_PER_CHECK)
        bad = ~closed & has_date
        problems += row_problems(display, rows, bad, ct.header("status"),
                                 "status closed (已整改) for an item with a closed date",
                                 _found(f["status"], bad))
    if "finding_id" in ct.headers:
        audit_without = ((f["source"] == "audit") & f["finding_id"].isna()).to_numpy()
        problems += row_problems(display, rows, audit_without, ct.header("finding_id"),
                                 "the audit finding's id when source is audit (审计)",
                                 ["an empty cell"] * MAX_ROWS_PER_CHECK)
    return problems


def _rule_rectification_items(ct: CheckedTable) -> list[Problem]:
    """Rectification follow-up items (issue 14): a cancel reason exactly for a cancelled
    item; a direction for an item about an indicator."""
    f, rows, display = ct.frame, ct.rows, ct.raw.display
    problems: list[Problem] = []
    if "status" in ct.headers:
        cancelled = (f["status"] == "cancelled").to_numpy()
        reason = (f["cancel_reason"].fillna("").astype(str).str.strip() != "").to_numpy() \
            if "cancel_reason" in ct.headers else np.zeros(len(f), dtype=bool)
        problems += row_problems(display, rows, cancelled & ~reason,
                                 ct.header("cancel_reason") if "cancel_reason" in ct.headers else "cancel_reason",
                                 "the reason a cancelled (已撤销) item was cancelled",
                                 ["an empty cell"] * MAX_ROWS_PER_CHECK)
        stray = ~cancelled & reason
        problems += row_problems(display, rows, stray, ct.header("status"),
                                 "status cancelled (已撤销) for an item with a cancel reason",
                                 _found(f["status"], stray))
    if "indicator" in ct.headers:
        no_direction = (f["indicator"].notna() & (f["direction"].isna() if "direction" in ct.headers
                                                  else True)).to_numpy()
        problems += row_problems(display, rows, no_direction,
                                 ct.header("direction") if "direction" in ct.headers else "direction",
                                 "+1 or -1 for an item about an indicator", ["an empty cell"] * MAX_ROWS_PER_CHECK)
    return problems


def _rule_service_cases(ct: CheckedTable) -> list[Problem]:
    f = ct.frame
    problems: list[Problem] = []
    if "instant" in ct.headers and "promised_limit_days" in ct.headers:
        # 即办件 are completed on the spot: a promised limit would make them ordinary cases
        # for the time-limit indicators while the instant share counts them as 即办件.
        promised = f["promised_limit_days"].astype("float64").to_numpy()
        limited = f["instant"].fillna(False).to_numpy(dtype=bool) & (promised > 0)
        problems += row_problems(ct.raw.display, ct.rows, limited, ct.header("promised_limit_days"),
                                 "a promised limit of 0 for a case flagged 即办件 (instant)",
                                 [f"{_fmt(v)} for a case flagged 即办件 in column '{ct.header('instant')}'"
                                  for v in f["promised_limit_days"][limited].iloc[:MAX_ROWS_PER_CHECK]])
    if "bad_rating_rectified_date" in ct.headers and "rating" in ct.headers:
        stray = (f["bad_rating_rectified_date"].notna()
                 & ~f["rating"].isin(["dissatisfied", "very_dissatisfied"])).to_numpy()
        problems += row_problems(ct.raw.display, ct.rows, stray, ct.header("bad_rating_rectified_date"),
                                 "a rectification date only for a bad rating (不满意/非常不满意)",
                                 [f"a date for a case rated {_fmt(v)}"
                                  for v in f["rating"][stray].iloc[:MAX_ROWS_PER_CHECK]])
    return problems


_KIND_NAMES = {"review": "an administrative review (行政复议)", "litigation": "a lawsuit (行政诉讼)"}


def _rule_legal_cases(ct: CheckedTable) -> list[Problem]:
    f = ct.frame
    display, rows = ct.raw.display, ct.rows
    problems: list[Problem] = []
    concluded = f["concluded_date"].notna() if "concluded_date" in ct.headers else pd.Series(False, index=f.index)
    outcome = f["outcome"] if "outcome" in ct.headers else pd.Series(None, index=f.index, dtype=object)
    if "concluded_date" in ct.headers:
        bad = (outcome.notna() & ~concluded).to_numpy()
        problems += row_problems(display, rows, bad, ct.header("concluded_date"),
                                 "a concluded date for a case with an outcome",
                                 ["an empty cell"] * MAX_ROWS_PER_CHECK)
        # A concluded case without an outcome would be left out of every legal indicator.
        bad = (concluded & outcome.isna()).to_numpy()
        problems += row_problems(display, rows, bad, ct.header("outcome"),
                                 "an outcome for a concluded case (审结日期 given)",
                                 ["an empty cell" if "outcome" in ct.headers else "no outcome column"]
                                 * MAX_ROWS_PER_CHECK)
    labels = ct.table.column("outcome").categories
    for kind, allowed in LEGAL_OUTCOMES_BY_KIND.items():
        wrong = ((f["kind"] == kind) & outcome.notna() & ~outcome.isin(allowed)).to_numpy()
        if not wrong.any():
            continue
        other = [k for k in LEGAL_OUTCOMES_BY_KIND if k != kind]
        found = [f"{_fmt(v)} ({labels.get(v, v)}), an outcome of {_KIND_NAMES[other[0]]}"
                 for v in outcome[wrong].iloc[:MAX_ROWS_PER_CHECK]]
        problems += row_problems(display, rows, wrong, ct.header("outcome"),
                                 f"an outcome of {_KIND_NAMES[kind]} (column '{ct.header('kind')}'): "
                                 + ", ".join(f"{c} ({labels[c]})" for c in allowed), found)
    return problems


def _rule_adjustments(ct: CheckedTable) -> list[Problem]:
    f = ct.frame
    if "points" not in ct.headers:
        return []
    needs = (f["kind"].isin(["bonus", "deduction"]) & f["points"].isna()).to_numpy()
    return row_problems(ct.raw.display, ct.rows, needs, ct.header("points"),
                        "points for a bonus (加分) or deduction (扣分)", ["an empty cell"] * MAX_ROWS_PER_CHECK)


def _rule_key_tasks(ct: CheckedTable) -> list[Problem]:
    """Points above 0; a completed date for 完成 and none for 未完成; a completion percentage
    within its level's band (:data:`~evalkit.data.contract.COMPLETION_PCT_BANDS`)."""
    f, rows, display = ct.frame, ct.rows, ct.raw.display
    problems: list[Problem] = []
    if "points" in ct.headers:
        zero = (pd.to_numeric(f["points"], errors="coerce") == 0).to_numpy()
        problems += row_problems(display, rows, zero, ct.header("points"),
                                 "points greater than 0 (the task's weight within the unit)",
                                 _found(f["points"], zero))
    completion = f["completion"] if "completion" in ct.headers else pd.Series(None, index=f.index, dtype=object)
    labels = ct.table.column("completion").categories
    has_date = (f["completed_date"].notna() if "completed_date" in ct.headers
                else pd.Series(False, index=f.index)).to_numpy()
    done = (completion == "completed").to_numpy()
    problems += row_problems(display, rows, done & ~has_date,
                             ct.header("completed_date") if "completed_date" in ct.headers else "completed_date",
                             f"a completed date for a task assessed completed ({labels['completed']})",
                             ["an empty cell" if "completed_date" in ct.headers else "no completed_date column"]
                             * MAX_ROWS_PER_CHECK)
    undone = (completion == "not_completed").to_numpy() & has_date
    problems += row_problems(display, rows, undone, ct.header("completed_date"),
                             f"no completed date for a task assessed not completed ({labels['not_completed']})",
                             [f"{v}, but the task is assessed {labels['not_completed']}"
                              for v in _found(f["completed_date"], undone)])
    if "completion_pct" in ct.headers:
        pct = pd.to_numeric(f["completion_pct"], errors="coerce").astype("float64")
        for level, (low, high, inclusive) in COMPLETION_PCT_BANDS.items():
            inside = (pct >= low) & ((pct <= high) if inclusive else (pct < high))
            wrong = ((completion == level) & pct.notna() & ~inside).to_numpy()
            if not wrong.any():
                continue
            band = (f"{high:g}" if low == high else
                    f"{low:g} or more and {'at most' if inclusive else 'below'} {high:g}")
            problems += row_problems(display, rows, wrong, ct.header("completion_pct"),
                                     f"a percentage of {band} for a task assessed {level} ({labels[level]})",
                                     _found(f["completion_pct"], wrong))
    return problems


_TABLE_RULES = {
    "rectifications": _rule_rectifications,
    "rectification_items": _rule_rectification_items,
    "service_cases": _rule_service_cases,
    "legal_cases": _rule_legal_cases,
    "adjustments": _rule_adjustments,
    "key_tasks": _rule_key_tasks,
}


# ----------------------------------------------------------------------------------------
# References across tables
# ----------------------------------------------------------------------------------------

def check_references(checked: list[CheckedTable]) -> list[Problem]:
    """Every value of a referencing column exists in the referenced table."""
    by_name: dict[str, list[CheckedTable]] = {}
    for ct in checked:
        by_name.setdefault(ct.table.name, []).append(ct)
    problems: list[Problem] = []
    for ct in checked:
        for col in ct.table.columns:
            if not col.references or col.name not in ct.headers:
                continue
            ref_table, ref_col = col.references.split(".")
            targets = by_name.get(ref_table)
            if not targets:
                if ref_table in ("units",):
                    continue  # a missing units file is reported on its own
                ref_display = f"{ref_table} (no such file)"
                known: set = set()
            else:
                ref_display = targets[0].raw.display if len(targets) == 1 else f"the {ref_table} files"
                known = set()
                for tgt in targets:
                    if tgt.table.scope == "year" and ct.table.scope == "year" and tgt.raw.path.parent != ct.raw.path.parent:
                        continue
                    known.update(tgt.frame[ref_col].dropna().astype(str))
            values = ct.frame[col.name]
            missing = (values.notna() & ~values.astype(str).isin(known)).to_numpy()
            if missing.any():
                problems += row_problems(ct.raw.display, ct.rows, missing, ct.header(col.name),
                                         f"a {ref_col} listed in {ref_display}",
                                         [f"{_fmt(v)}, which is not there" for v in
                                          values[missing].iloc[:MAX_ROWS_PER_CHECK]])
    problems += _check_rater_groups(by_name)
    problems += _check_audit_rectifications(by_name)
    return problems


def _check_rater_groups(by_name: dict[str, list[CheckedTable]]) -> list[Problem]:
    raters = by_name.get("raters")
    if not raters:
        return []
    registry = raters[0].frame.set_index("rater_id")["rater_group"]
    registry = registry[~registry.index.duplicated()]
    problems: list[Problem] = []
    for ct in by_name.get("ratings", []):
        if "rater_group" not in ct.headers:
            continue
        expected_group = ct.frame["rater_id"].map(registry)
        bad = (expected_group.notna() & ct.frame["rater_group"].notna()
               & (expected_group != ct.frame["rater_group"])).to_numpy()
        found = [f"{_fmt(g)}, but the registry ({raters[0].raw.display}) has {_fmt(e)} for this rater"
                 for g, e in zip(ct.frame["rater_group"][bad].iloc[:MAX_ROWS_PER_CHECK],
                                 expected_group[bad].iloc[:MAX_ROWS_PER_CHECK])]
        problems += row_problems(ct.raw.display, ct.rows, bad, ct.header("rater_group"),
                                 "the rater's group as registered", found)
    return problems


def _check_audit_rectifications(by_name: dict[str, list[CheckedTable]]) -> list[Problem]:
    findings: set[str] = set()
    for ct in by_name.get("audit_findings", []):
        findings.update(ct.frame["finding_id"].dropna().astype(str))
    problems: list[Problem] = []
    for ct in by_name.get("rectifications", []):
        if "finding_id" not in ct.headers or not by_name.get("audit_findings"):
            continue
        f = ct.frame
        bad = ((f["source"] == "audit") & f["finding_id"].notna()
               & ~f["finding_id"].astype(str).isin(findings)).to_numpy()
        problems += row_problems(ct.raw.display, ct.rows, bad, ct.header("finding_id"),
                                 "a finding_id listed in an audit_findings file",
                                 [f"{_fmt(v)}, which is not there" for v in
                                  f["finding_id"][bad].iloc[:MAX_ROWS_PER_CHECK]])
    return problems
