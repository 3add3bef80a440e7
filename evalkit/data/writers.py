"""Deterministic, atomic table writers (CSV, gzip-compressed CSV, Parquet, XLSX).

The same DataFrame always gives the same bytes, so generated files can be committed and
compared, and a re-run that changes nothing changes no file. Conventions:

* CSV: UTF-8 without BOM, ``\\n`` line ends, header of column names, no index.
  Missing values are empty cells. Booleans are written ``1``/``0``. A datetime column whose
  values all fall at midnight is written as dates ``YYYY-MM-DD``; any other datetime column
  as ``YYYY-MM-DD HH:MM:SS``. Floats use the shortest text that reads back to the same
  number (Python ``repr``), so round them before writing if you want fixed decimals.
* ``.csv.gz``: the CSV bytes in a gzip stream with no file name and a zero time stamp in
  its header (RFC 1952), at compression level 6.
* ``.parquet``: written with pyarrow and zstd compression, without the pandas index or
  pandas schema metadata. Datetime columns that are dates (see above) are stored as
  ``date32``, other datetimes as timestamps (whole seconds; Parquet stores them in
  milliseconds).
* ``.xlsx``: one formatted sheet ``data`` for people (see :func:`_write_xlsx`);
  :func:`write_workbook` writes several such sheets into one workbook.

Exports never carry formulas. A text cell whose first character is one of
:data:`FORMULA_TRIGGERS` (``=``, ``+``, ``-``, ``@``, tab, carriage return) would be run as a
formula by a spreadsheet (CSV injection, including DDE payloads such as
``=cmd|' /C calc'!A0``). In XLSX such a cell is written as a text cell with the quote prefix
set, so it shows (and stays, when edited) as the text it is. In CSV (and ``.csv.gz``) it is
prefixed with ``'`` as the OWASP rule asks (:func:`neutralise_formulas`); ``raw_csv=True``
writes the text as it is, for files that programs read back (the synthetic sample's data).
Numbers are never changed: ``-1.5`` in a numeric column is a number, not a formula.
Parquet is for programs and keeps every value as it is.

Every file is written to a temporary file in the target directory and then moved over
the target with :func:`os.replace`, so a reader never sees a half-written file.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .files import atomic_path

__all__ = ["write_table", "write_workbook", "Sheet", "table_suffix", "neutralise_formulas", "FORMULA_TRIGGERS",
           "SUFFIX_CSV", "SUFFIX_CSV_GZ", "SUFFIX_PARQUET", "SUFFIX_XLSX"]

SUFFIX_CSV = ".csv"
SUFFIX_CSV_GZ = ".csv.gz"
SUFFIX_PARQUET = ".parquet"
SUFFIX_XLSX = ".xlsx"

#: gzip compression level: a fixed value keeps the bytes reproducible.
_GZIP_LEVEL = 6

#: First characters that make a spreadsheet read a text cell as a formula (OWASP, CSV
#: injection): equals, plus, minus, at, tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells starting with a :data:`FORMULA_TRIGGERS` character
    are prefixed with ``'`` (the OWASP rule for CSV exports); numbers, missing values and
    other text are left as they are, and so is ``df``."""
    out = {}
    for name, col in df.items():
        if isinstance(col.dtype, pd.CategoricalDtype) and any(_formula_like(c) for c in col.cat.categories):
            col = col.astype(object)  # text categories (unit ids, names) are text cells too
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            values = col.tolist()
            if any(_formula_like(v) for v in values):
                col = pd.Series(["'" + v if _formula_like(v) else v for v in values],
                                index=col.index, dtype=col.dtype, name=name)
        out[name] = col
    return pd.DataFrame(out, index=df.index)


def table_suffix(path: Path | str) -> str:
    """Return the table-format suffix of ``path`` (``.csv``, ``.csv.gz`` or ``.parquet``).

    Raises
    ------
    ValueError
        If the file name ends in none of the supported suffixes.
    """
    name = Path(path).name.lower()
    for suffix in (SUFFIX_CSV_GZ, SUFFIX_CSV, SUFFIX_PARQUET, SUFFIX_XLSX):
        if name.endswith(suffix):
            return suffix
    raise ValueError(
        f"cannot choose a table format for {Path(path).name!r}: "
        f"the name must end in {SUFFIX_CSV}, {SUFFIX_CSV_GZ}, {SUFFIX_PARQUET} or {SUFFIX_XLSX}"
    )


def write_table(df: pd.DataFrame, path: Path | str, *, float_format: str | None = None,
                raw_csv: bool = False) -> Path:
    """Write ``df`` to ``path`` deterministically, choosing the format by the suffix.

    Parameters
    ----------
    df:
        The table. Its index is not written. Column order is kept.
    path:
        Target file ending in ``.csv``, ``.csv.gz``, ``.parquet`` or ``.xlsx``. The parent
        directory is created if needed; an existing file is replaced atomically.
    float_format:
        CSV only: a ``%`` format for every float column (e.g. ``"%.2f"``). The default
        writes the shortest text that reads back to the same number.
    raw_csv:
        CSV only: write text cells as they are. By default a text cell starting with
        ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with ``'`` so that no
        spreadsheet runs it as a formula (see the module docstring). XLSX cells are always
        written as text, whatever this says.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    suffix = table_suffix(path)
    # Not synced to disk: tables are regenerated from their inputs, and a large sample
    # writes many of them.
    with atomic_path(path, fsync=False) as tmp:
        if suffix == SUFFIX_PARQUET:
            _write_parquet(df, tmp)
        elif suffix == SUFFIX_XLSX:
            _write_xlsx(df, tmp)
        else:
            data = _csv_bytes(df if raw_csv else neutralise_formulas(df), float_format)
            tmp.write_bytes(_gzip_bytes(data) if suffix == SUFFIX_CSV_GZ else data)
    return path


# ----------------------------------------------------------------------------------------
# XLSX (for people: bold frozen header, readable widths, number formats)
# ----------------------------------------------------------------------------------------


def _xlsx_value(v):
    """A cell value for openpyxl: missing → empty, numpy scalars → Python, and characters
    an XLSX file cannot hold (control characters other than tab, newline and carriage
    return) → U+FFFD, so that a stray control character never stops an export."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        v = ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
    return v


def _append_text_safe(ws, values: list) -> None:
    """Append a row; every text cell that a spreadsheet would read as a formula is typed
    as text with the quote prefix set (never a formula cell)."""
    ws.append(values)
    if any(_formula_like(v) for v in values):
        r = ws.max_row
        for j, v in enumerate(values, start=1):
            if _formula_like(v):
                cell = ws.cell(row=r, column=j)
                cell.data_type = "s"
                cell.quotePrefix = True


@dataclass(frozen=True)
class Sheet:
    """One worksheet of :func:`write_workbook`: ``table`` under one bold, frozen header row
    (its column names). ``number_formats``: column → Excel number format (default for float
    columns ``#,##0.00``); ``wrap``: columns whose text wraps (multi-line cells such as
    reasons), ``auto_filter``: put a filter on the header row."""

    name: str
    table: pd.DataFrame
    number_formats: Mapping[str, str] = field(default_factory=dict)
    wrap: tuple[str, ...] = ()
    auto_filter: bool = True


def write_workbook(sheets: Sequence[Sheet], path: Path | str) -> Path:
    """Write ``sheets`` as one XLSX workbook at ``path``, atomically, with the conventions of
    :func:`write_table`'s XLSX (bold frozen header, widths fitted to the content, plain
    values: a text cell that a spreadsheet would read as a formula is a quoted text cell).

    Raises
    ------
    ValueError
        If ``path`` does not end in ``.xlsx`` or two sheets share a name.
    """
    from openpyxl import Workbook

    path = Path(path)
    if table_suffix(path) != SUFFIX_XLSX:
        raise ValueError(f"a workbook must be written to a {SUFFIX_XLSX} file; found {path.name!r}")
    names = [s.name for s in sheets]
    if len(set(names)) != len(names):
        raise ValueError(f"sheet names must differ; found {names}")
    with atomic_path(path, fsync=False) as tmp:
        wb = Workbook()
        wb.remove(wb.active)
        for sheet in sheets:
            _fill_sheet(wb.create_sheet(sheet.name), sheet)
        wb.save(tmp)
    return path


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """A formatted sheet: bold frozen header, auto-filter, widths fitted to the content.

    Text cells starting with a :data:`FORMULA_TRIGGERS` character are text cells with the
    quote prefix, never formulas. Excel workbooks carry creation times, so unlike CSV and
    Parquet they are not byte-reproducible; their cell contents are.
    """
    from openpyxl import Workbook

    wb = Workbook()
    _fill_sheet(wb.active, Sheet("data", df))
    wb.save(path)


def _fill_sheet(ws, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    df = sheet.table
    ws.title = sheet.name
    _append_text_safe(ws, [_xlsx_value(str(c)) for c in df.columns])
    ready = _csv_ready(df)
    for row in ready.itertuples(index=False):
        _append_text_safe(ws, [_xlsx_value(v) for v in row])
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    if len(df.columns) and sheet.auto_filter:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, name in enumerate(df.columns, start=1):
        col = ready[name]
        number_format = sheet.number_formats.get(name)
        if number_format is None and pd.api.types.is_float_dtype(col):
            number_format = "#,##0.00"
        wrapped = name in sheet.wrap
        if number_format is not None or wrapped:
            for cells in ws.iter_cols(min_col=j, max_col=j, min_row=2, values_only=False):
                for c in cells:
                    if number_format is not None:
                        c.number_format = number_format
                    if wrapped:
                        c.alignment = wrap
        # the widest line decides (a wrapped cell's lines are shown one under the other)
        values = [str(v) for v in col.head(200).tolist()]
        sample = [str(name)] + ([line for v in values for line in v.split("\n")] if wrapped else values)
        width = max(_display_width(t) for t in sample)
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width + 2))


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


# ----------------------------------------------------------------------------------------
# CSV
# ----------------------------------------------------------------------------------------


def _is_date_only(values: pd.Series) -> bool:
    """True when every non-missing value of a datetime column falls at midnight."""
    present = values.dropna()
    return bool((present == present.dt.normalize()).all())


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose booleans and datetimes are already text."""
    out = {}
    for name, col in df.items():
        dtype = col.dtype
        if pd.api.types.is_bool_dtype(dtype):
            # plain bool and nullable "boolean" both become 1/0 (missing stays missing)
            out[name] = col.astype("Int8")
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            fmt = "%Y-%m-%d" if _is_date_only(col) else "%Y-%m-%d %H:%M:%S"
            text = col.dt.strftime(fmt)
            out[name] = text.where(col.notna(), "")
        else:
            out[name] = col
    return pd.DataFrame(out, index=df.index)


def _holds_carriage_return(df: pd.DataFrame) -> bool:
    for _, col in df.items():
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            if col.map(lambda v: isinstance(v, str) and "\r" in v, na_action="ignore").fillna(False).any():
                return True
    return False


def _csv_bytes(df: pd.DataFrame, float_format: str | None = None) -> bytes:
    buffer = io.StringIO()
    ready = _csv_ready(df)
    # With "\n" line ends Python's csv module quotes a field holding "\n" but not one holding
    # a bare "\r", which readers take for a line break: such a table quotes every text field.
    quoting = csv.QUOTE_NONNUMERIC if _holds_carriage_return(ready) else csv.QUOTE_MINIMAL
    ready.to_csv(buffer, index=False, lineterminator="\n", na_rep="", float_format=float_format,
                 quoting=quoting)
    return buffer.getvalue().encode("utf-8")


def _gzip_bytes(data: bytes) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0,
                       compresslevel=_GZIP_LEVEL) as gz:
        gz.write(data)
    return out.getvalue()


# ----------------------------------------------------------------------------------------
# Parquet
# ----------------------------------------------------------------------------------------


def _arrow_column(col: pd.Series) -> pa.Array:
    dtype = col.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = col.to_numpy(dtype="datetime64[s]")
        mask = np.isnat(values)
        if _is_date_only(col):
            return pa.array(values.astype("datetime64[D]"), type=pa.date32(), mask=mask)
        return pa.array(values, type=pa.timestamp("s"), mask=mask)
    if pd.api.types.is_bool_dtype(dtype):
        return pa.array(col, type=pa.bool_(), from_pandas=True)
    if pd.api.types.is_string_dtype(dtype) or dtype == object:
        return pa.array(col, type=pa.string(), from_pandas=True)
    return pa.array(col, from_pandas=True)


def _write_parquet(df: pd.DataFrame, target: Path) -> None:
    arrays = [_arrow_column(df[name]) for name in df.columns]
    table = pa.Table.from_arrays(arrays, names=[str(c) for c in df.columns])
    pq.write_table(table, target, compression="zstd")
