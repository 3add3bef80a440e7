"""Reading input files: CSV (UTF-8, UTF-8 with BOM, GB18030), Excel (.xlsx, .xlsm, .xls)
and Parquet.

This module only *reads*: it turns a file into a frame of raw cell values plus the row
number a user would see for each record, or into :class:`~evalkit.errors.Problem` records
when the file cannot be read at all. Type checks and contract rules live in
:mod:`evalkit.data.validation`.

Encoding detection (CSV)
------------------------
1. A UTF-8 byte-order mark → UTF-8 with BOM. A UTF-16/32 BOM is rejected with a request to
   save as UTF-8.
2. Otherwise the whole file must decode as strict UTF-8 → UTF-8.
3. Otherwise it must decode as strict GB18030 *and* its non-ASCII characters must be
   ordinary Simplified Chinese text (at least 90 % of them in GB2312, no private-use or
   control characters) → GB18030. This rejects files in other legacy encodings
   (Big5, Shift-JIS, Latin-1 …) that happen to decode as GB18030 into nonsense, instead
   of guessing silently wrong.
4. Otherwise the file is rejected, naming the line of the first undecodable byte.

CSV delimiter
-------------
The delimiter is read off the header line: a header with more tabs than commas makes a
tab-separated file (as Excel's "Text (Tab delimited)" and many database exports write
them); otherwise fields are separated by commas. Records whose every field is empty (the
",,,,," rows a spreadsheet leaves below its data) are skipped, as empty sheet rows are.

Worksheet rule (Excel)
----------------------
The first *visible* worksheet (the leftmost tab that is not hidden) is read: column names
in row 1, one record per row below, empty rows skipped, formulas read as the values Excel
last saved. Other worksheets are not read; when one of them holds data a warning names it.
Merged cells in the first two rows (a title above the header) are an error.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import unicodedata
from collections import Counter
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ..errors import Problem
from .limits import (InputTooLarge, check_columns, check_parquet, check_xlsx, count_header_fields,
                     read_gzip, refuses_hostile_files)

#: Row number of the first data record, per format (the header is row/line 1).
FIRST_DATA_ROW = {"csv": 2, "xlsx": 2, "xls": 2, "parquet": 1}


@dataclass
class RawFile:
    """Cell values of one file as read, before any type conversion.

    ``frame`` holds strings for CSV and XLSX (empty string = empty cell) and the stored
    types for Parquet. ``row_numbers[i]`` is the row number the user sees for record ``i``.
    """

    path: Path
    display: str
    fmt: str
    frame: pd.DataFrame
    row_numbers: np.ndarray
    encoding: str | None = None


def file_format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return "csv"
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith(".xls"):
        return "xls"
    if name.endswith(".parquet"):
        return "parquet"
    raise ValueError(f"unsupported file type: {path.name}")


def _line_of_offset(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _looks_like_chinese_text(text: str) -> bool:
    """True when the non-ASCII characters of ``text`` look like ordinary Simplified Chinese.

    At least 90 % of them must be in GB2312 (the 6,763 common Simplified characters and
    Chinese punctuation) and none may be private-use or control characters. Text in another
    legacy encoding that happens to decode as GB18030 lands mostly outside GB2312 (about
    half of Big5 and seven in eight Shift-JIS characters do; Latin-1 accents almost always),
    so it is refused rather than read as nonsense. A GBK file written in Traditional
    characters is refused too: save it as UTF-8.
    """
    counts = Counter(ch for ch in text if ord(ch) > 127)
    if not counts:
        return True
    outside = 0
    for ch, n in counts.items():
        if unicodedata.category(ch) in ("Co", "Cc", "Cn", "Cs"):
            return False
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            outside += n
    return outside <= 0.10 * sum(counts.values())


def detect_encoding(raw: bytes, display: str) -> tuple[str | None, Problem | None]:
    """Return ``(encoding, None)`` or ``(None, problem)`` for the bytes of a CSV file."""
    expected = "text encoded as UTF-8, UTF-8 with BOM or GB18030/GBK"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                       codecs.BOM_UTF32_BE)):
        return None, Problem(display, None, None, expected,
                             "a UTF-16/UTF-32 file (save it as 'CSV UTF-8')")
    nul = raw.find(b"\x00")
    if nul >= 0:  # valid UTF-8, but never CSV text: UTF-16 without a BOM, or a binary file
        line = _line_of_offset(raw, nul)
        return None, Problem(display, line, None, expected,
                             f"NUL bytes (first on line {line}): a UTF-16 file without "
                             "byte-order mark or a binary file (save it as 'CSV UTF-8')")
    if raw.startswith(codecs.BOM_UTF8):
        try:
            raw[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as exc:  # offsets count from after the BOM
            line = _line_of_offset(raw, exc.start + len(codecs.BOM_UTF8))
            return None, Problem(display, line, None, expected,
                                 f"a UTF-8 byte-order mark but invalid UTF-8 bytes on line {line}")
        return "utf-8-sig", None
    try:
        raw.decode("utf-8")
        return "utf-8", None
    except UnicodeDecodeError as utf8_exc:
        # ``utf8_exc`` is unbound after this block: keep its offset.
        utf8_start = utf8_exc.start
        utf8_line = _line_of_offset(raw, utf8_start)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = _line_of_offset(raw, min(exc.start, utf8_start))
        return None, Problem(display, line, None, expected,
                             f"bytes that are neither UTF-8 nor GB18030 (first on line {line})")
    if not _looks_like_chinese_text(text):
        return None, Problem(
            display, utf8_line, None, expected,
            "an unrecognised encoding (not UTF-8; decoding as GB18030 gives unreadable "
            f"characters; first non-UTF-8 byte on line {utf8_line}) — save the file as UTF-8")
    return "gb18030", None


def _read_bytes(path: Path, display: str) -> bytes:
    if path.name.lower().endswith(".gz"):
        return read_gzip(path, display)  # streamed, refused past the limits (limits.py)
    return path.read_bytes()


@refuses_hostile_files
def read_csv(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    try:
        raw = _read_bytes(path, display)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return None, [Problem(display, None, None, "a readable CSV file", f"an unreadable file ({exc})")]
    if not raw.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        return None, [Problem(display, None, None, "a header row and data rows", "an empty file")]
    encoding, problem = detect_encoding(raw, display)
    if problem:
        return None, [problem]
    sep = csv_delimiter(raw, encoding)
    check_columns(count_header_fields(raw, encoding, sep), display)
    kind = "tab" if sep == "\t" else "comma"
    same_width = f"{kind}-separated rows with the same number of fields as the header"
    def parse(usecols=None) -> pd.DataFrame:
        # index_col=False: never turn the first column into the index when the first data row
        # has more fields than the header (that shifted every value one column to the left).
        return pd.read_csv(io.BytesIO(raw), encoding=encoding, dtype=str, sep=sep, usecols=usecols,
                           keep_default_na=False, na_filter=False, skip_blank_lines=True,
                           skipinitialspace=False, index_col=False)

    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = parse()
    except pd.errors.ParserError as exc:
        long = _first_long_record(raw, encoding, empty_extra_ok=False, sep=sep)
        header = _csv_header(raw, encoding, sep)
        frame = None
        if long is not None and header and _first_long_record(raw, encoding, empty_extra_ok=True,
                                                              sep=sep) is None:
            # Only empty extra fields (",,,,," rows wider than the header): drop them.
            try:
                frame = parse(range(len(header)))
            except (pd.errors.ParserError, ValueError):
                frame = None
        if frame is None:
            if long is not None:
                return None, [Problem(display, long[0], None, same_width, long[1])]
            return None, [Problem(display, None, None, same_width,
                                  f"a malformed CSV file ({' '.join(str(exc).split())})")]
    except pd.errors.EmptyDataError:
        return None, [Problem(display, None, None, "a header row and data rows", "an empty file")]
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        # pandas dropped extra fields of longer rows; only empty ones (trailing commas) may go.
        long = _first_long_record(raw, encoding, empty_extra_ok=True, sep=sep)
        if long is not None:
            return None, [Problem(display, long[0], None, same_width, long[1])]
    header = _csv_header(raw, encoding, sep)
    if header is not None and len(header) == frame.shape[1]:
        frame.columns = header  # pandas renames duplicates to "x.1"; keep them as written
    rows = _csv_line_numbers(raw, len(frame), encoding, sep)
    blank = _empty_records(frame)
    if blank.any():  # ",,,,," rows (a spreadsheet's formatted empty rows): skipped as in XLSX
        frame, rows = frame[~blank].reset_index(drop=True), rows[~blank]
    return RawFile(path, display, "csv", frame, rows, encoding), []


def csv_delimiter(raw: bytes, encoding: str) -> str:
    """The field delimiter of a CSV file: a tab when its header line (the first non-blank
    line) holds more tabs than commas, else a comma."""
    text = raw[: 1 << 16].decode(encoding, errors="ignore")
    for line in text.splitlines():
        if line.strip():
            return "\t" if line.count("\t") > line.count(",") else ","
    return ","


def _empty_records(frame: pd.DataFrame) -> np.ndarray:
    """True for each record whose every field is empty or blank."""
    if frame.empty or frame.shape[1] == 0:
        return np.zeros(len(frame), dtype=bool)
    first = frame.iloc[:, 0].str.strip().eq("").to_numpy()
    if not first.any():  # the usual case: one cheap column decides
        return first
    idx = np.flatnonzero(first)
    rest = frame.iloc[idx]
    empty = np.ones(len(idx), dtype=bool)
    for k in range(1, frame.shape[1]):
        empty &= rest.iloc[:, k].str.strip().eq("").to_numpy()
    out = np.zeros(len(frame), dtype=bool)
    out[idx[empty]] = True
    return out


def _first_long_record(raw: bytes, encoding: str, empty_extra_ok: bool,
                       sep: str = ",") -> tuple[int, str] | None:
    """``(line, description)`` of the first record with more fields than the header.

    With ``empty_extra_ok``, extra fields that are all empty (trailing commas) do not count.
    """
    import csv

    reader = csv.reader(io.StringIO(raw.decode(encoding), newline=""), delimiter=sep)
    width, line = None, 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not record:
                continue
            if width is None:
                width = len(record)
            elif len(record) > width and not (empty_extra_ok
                                              and not any(f.strip() for f in record[width:])):
                return start, f"{len(record)} fields on line {start}, the header has {width}"
    except csv.Error:
        return None
    return None


def _csv_header(raw: bytes, encoding: str, sep: str = ",") -> list[str] | None:
    import csv

    text = raw[: 1 << 16].decode(encoding, errors="ignore")
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
        if record:
            return [h.strip() for h in record]
    return None


def _csv_line_numbers(raw: bytes, n: int, encoding: str, sep: str = ",") -> np.ndarray:
    """Line number of each record, accounting for blank lines and quoted newlines."""
    simple = np.arange(FIRST_DATA_ROW["csv"], FIRST_DATA_ROW["csv"] + n)
    if b'"' not in raw and b"\n\n" not in raw.replace(b"\r\n", b"\n"):
        return simple
    import csv

    text = raw.decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    seen_header = False
    line = 1
    for record in reader:
        start, line = line, reader.line_num + 1
        if not record:  # a blank line; pandas skips it too
            continue
        if not seen_header:
            seen_header = True
            continue
        starts.append(start)
    if len(starts) != n:
        return simple
    return np.asarray(starts)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _column_letter(index: int) -> str:
    """Excel's name of the 1-based column ``index`` (1 → A, 27 → AA)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _has_data(rows) -> bool:
    return any(v is not None and str(v).strip() for r in rows for v in r)


def _other_sheets_problem(display: str, read: str, others: list[str]) -> list[Problem]:
    """The warning naming worksheets that hold data but are not read (the worksheet rule)."""
    if not others:
        return []
    return [Problem(display, None, None,
                    f"the table on the first visible worksheet ('{read}'), which is the one read",
                    "data on other worksheets too, not read: " + ", ".join(f"'{n}'" for n in others),
                    severity="warning")]


def _sheet_frame(path: Path, sheet: str, fmt: str, rows: list,
                 merged: list[tuple[int, int, int, int]]) -> tuple[RawFile | None, list[Problem]]:
    """A worksheet's cell values (``rows``, row 1 first) as a :class:`RawFile`.

    ``merged``: merged ranges as ``(first row, first column, last row, last column)``, 1-based.
    """
    top = sorted(m for m in merged if m[0] <= 2)
    if top:
        r0, c0, r1, c1 = top[0]
        title = rows[r0 - 1][c0 - 1] if r0 <= len(rows) and c0 <= len(rows[r0 - 1]) else None
        coord = f"{_column_letter(c0)}{r0}:{_column_letter(c1)}{r1}"
        return None, [Problem(sheet, r0, None,
                              "one header row of column names in row 1, without merged cells",
                              f"merged cells {coord}" + (f" ('{title}')" if title else ""))]
    # Drop fully-empty rows, and remember the sheet row of each kept record.
    if not rows or all(v is None or str(v).strip() == "" for v in rows[0]):
        if not _has_data(rows):
            return None, [Problem(sheet, None, None, "a header row and data rows", "an empty sheet")]
        return None, [Problem(sheet, 1, None, "column names in row 1", "an empty first row")]
    header = [_cell_text(v).strip() for v in rows[0]]
    while header and header[-1] == "":
        header.pop()
    check_columns(len(header), sheet)
    width = len(header)
    records, numbers = [], []
    for idx, r in enumerate(rows[1:], start=2):
        cells = [_cell_text(v) for v in r[:width]]
        cells += [""] * (width - len(cells))
        if all(c.strip() == "" for c in cells):
            continue
        records.append(cells)
        numbers.append(idx)
    for i, name in enumerate(header):
        if name == "":
            return None, [Problem(sheet, 1, _column_letter(i + 1), "a column name in every header cell",
                                  "an empty cell")]
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(
        columns=header, dtype=object)
    return RawFile(path, sheet, fmt, frame, np.asarray(numbers, dtype=int)), []


@refuses_hostile_files
def read_xlsx(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    """An Excel workbook (.xlsx, .xlsm): its first visible worksheet (the worksheet rule in
    the module docstring)."""
    import zipfile

    import openpyxl

    check_xlsx(path, display)  # sizes from the zip directory, before any XML is parsed
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        return None, [Problem(display, None, None, "an Excel .xlsx workbook",
                              f"a file Excel cannot open ({type(exc).__name__}: {exc})")]
    sheets = wb.worksheets
    visible = [w for w in sheets if w.sheet_state == "visible"] or sheets
    ws = visible[0]
    sheet = f"{display} (sheet '{ws.title}')" if len(sheets) > 1 else display
    merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    raw, problems = _sheet_frame(path, sheet, "xlsx", list(ws.iter_rows(values_only=True)), merged)
    others = [w.title for w in sheets if w is not ws and _has_data(w.iter_rows(values_only=True))]
    return raw, problems + _other_sheets_problem(display, ws.title, others)


def _xls_value(cell, datemode: int):
    import xlrd

    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value  # not a valid date: reported as the number it holds
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell.value


@refuses_hostile_files
def read_xls(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    """An Excel 97–2003 workbook (.xls, read with ``xlrd``): its first visible worksheet."""
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency of evalkit
        return None, [Problem(display, None, None, "a workbook evalkit can read",
                              "an Excel 97–2003 .xls workbook, which needs the xlrd package "
                              "— save it as .xlsx or .csv")]
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return None, [Problem(display, None, None, "an Excel 97–2003 workbook (.xls)",
                              "an .xlsx workbook named .xls — rename it to .xlsx")]
    if head and not head.startswith(b"\xd0\xcf\x11\xe0"):  # not an OLE2 compound file
        # Many office systems "export to Excel" as a web page or text named .xls.
        return None, [Problem(display, None, None, "an Excel 97–2003 workbook (.xls)",
                              "a web page or text file named .xls (as some systems export) — "
                              "open it in Excel and save it as .xlsx or .csv")]
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises many unrelated types for a corrupt file
        return None, [Problem(display, None, None, "an Excel .xls workbook",
                              f"a file Excel cannot open ({type(exc).__name__}: {exc})")]
    try:
        sheets = [book.sheet_by_index(i) for i in range(book.nsheets)]
        if not sheets:
            return None, [Problem(display, None, None, "a header row and data rows", "an empty workbook")]
        visible = [s for s in sheets if s.visibility == 0] or sheets
        ws = visible[0]

        def values(s):
            return [[_xls_value(c, book.datemode) for c in s.row(i)] for i in range(s.nrows)]

        sheet = f"{display} (sheet '{ws.name}')" if len(sheets) > 1 else display
        merged = [(r0 + 1, c0 + 1, r1, c1) for r0, r1, c0, c1 in ws.merged_cells]
        raw, problems = _sheet_frame(path, sheet, "xls", values(ws), merged)
        others = [s.name for s in sheets if s is not ws and _has_data(values(s))]
    finally:
        book.release_resources()
    return raw, problems + _other_sheets_problem(display, ws.name, others)


@refuses_hostile_files
def read_parquet(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    check_parquet(path, display)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        return None, [Problem(display, None, None, "a Parquet file",
                              f"a file that cannot be read as Parquet ({type(exc).__name__})")]
    frame = frame.reset_index(drop=True)
    return RawFile(path, display, "parquet", frame, np.arange(1, len(frame) + 1)), []


class UnreadableChunk(Exception):
    """A chunk of a file could not be read (:func:`read_parquet_chunks`); ``problem`` says
    so as :func:`read_file` would."""

    def __init__(self, problem: Problem):
        super().__init__(problem.found)
        self.problem = problem


def parquet_rows(path: Path) -> int | None:
    """The number of records a Parquet file declares (None when its footer cannot be read)."""
    import pyarrow.parquet as pq

    try:
        return int(pq.read_metadata(path).num_rows)
    except Exception:  # noqa: BLE001 - pyarrow raises several types; read_file reports it
        return None


def read_parquet_chunks(path: Path, display: str, rows: int) -> Iterator[RawFile]:
    """The records of a Parquet file as :class:`RawFile` chunks of at most ``rows`` records
    (their row numbers those of the file), each converted as :func:`read_parquet` converts
    the whole file (the pandas metadata applied, the index dropped); one empty chunk for a
    file without records. Raises :class:`UnreadableChunk` where ``read_parquet`` would
    report an unreadable file or one over the limits."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def unreadable(exc: Exception) -> UnreadableChunk:
        return UnreadableChunk(Problem(display, None, None, "a Parquet file",
                                       f"a file that cannot be read as Parquet ({type(exc).__name__})"))

    try:
        check_parquet(path, display)
    except InputTooLarge as exc:
        raise UnreadableChunk(exc.problem) from None
    try:
        parquet = pq.ParquetFile(path)
        batches = parquet.iter_batches(batch_size=rows, use_pandas_metadata=True)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise unreadable(exc) from None
    start = 0
    while True:
        try:
            batch = next(batches, None)
            if batch is None and start > 0:
                return
            table = (pa.Table.from_batches([batch]) if batch is not None
                     else parquet.schema_arrow.empty_table())
            frame = table.to_pandas().reset_index(drop=True)
        except Exception as exc:  # noqa: BLE001 - as in read_parquet
            raise unreadable(exc) from None
        n = len(frame)
        yield RawFile(path, display, "parquet", frame, np.arange(start + 1, start + n + 1))
        if batch is None:
            return
        del batch, table, frame  # not held while the next chunk is read
        start += n


def read_file(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    """Read any supported file; never raises for bad content."""
    fmt = file_format(path)
    if fmt == "csv":
        return read_csv(path, display)
    if fmt == "xlsx":
        return read_xlsx(path, display)
    if fmt == "xls":
        return read_xls(path, display)
    return read_parquet(path, display)
