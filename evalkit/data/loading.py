"""Reading input files: CSV (UTF-8, UTF-8 with BOM, GB18030), XLSX and Parquet.

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

import numpy as np
import pandas as pd

from ..errors import Problem

#: Row number of the first data record, per format (the header is row/line 1).
FIRST_DATA_ROW = {"csv": 2, "xlsx": 2, "parquet": 1}


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
    if name.endswith(".xlsx"):
        return "xlsx"
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


def _read_bytes(path: Path) -> bytes:
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def read_csv(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    try:
        raw = _read_bytes(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return None, [Problem(display, None, None, "a readable CSV file", f"an unreadable file ({exc})")]
    if not raw.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        return None, [Problem(display, None, None, "a header row and data rows", "an empty file")]
    encoding, problem = detect_encoding(raw, display)
    if problem:
        return None, [problem]
    same_width = "comma-separated rows with the same number of fields as the header"
    try:
        # index_col=False: never turn the first column into the index when the first data row
        # has more fields than the header (that shifted every value one column to the left).
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(io.BytesIO(raw), encoding=encoding, dtype=str,
                                keep_default_na=False, na_filter=False, skip_blank_lines=True,
                                skipinitialspace=False, index_col=False)
    except pd.errors.ParserError as exc:
        long = _first_long_record(raw, encoding, empty_extra_ok=False)
        if long is not None:
            return None, [Problem(display, long[0], None, same_width, long[1])]
        return None, [Problem(display, None, None, same_width,
                              f"a malformed CSV file ({' '.join(str(exc).split())})")]
    except pd.errors.EmptyDataError:
        return None, [Problem(display, None, None, "a header row and data rows", "an empty file")]
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        # pandas dropped extra fields of longer rows; only empty ones (trailing commas) may go.
        long = _first_long_record(raw, encoding, empty_extra_ok=True)
        if long is not None:
            return None, [Problem(display, long[0], None, same_width, long[1])]
    header = _csv_header(raw, encoding)
    if header is not None and len(header) == frame.shape[1]:
        frame.columns = header  # pandas renames duplicates to "x.1"; keep them as written
    rows = _csv_line_numbers(raw, len(frame), encoding)
    return RawFile(path, display, "csv", frame, rows, encoding), []


def _first_long_record(raw: bytes, encoding: str, empty_extra_ok: bool) -> tuple[int, str] | None:
    """``(line, description)`` of the first record with more fields than the header.

    With ``empty_extra_ok``, extra fields that are all empty (trailing commas) do not count.
    """
    import csv

    reader = csv.reader(io.StringIO(raw.decode(encoding), newline=""))
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


def _csv_header(raw: bytes, encoding: str) -> list[str] | None:
    import csv

    text = raw[: 1 << 16].decode(encoding, errors="ignore")
    for record in csv.reader(io.StringIO(text, newline="")):
        if record:
            return [h.strip() for h in record]
    return None


def _csv_line_numbers(raw: bytes, n: int, encoding: str) -> np.ndarray:
    """Line number of each record, accounting for blank lines and quoted newlines."""
    simple = np.arange(FIRST_DATA_ROW["csv"], FIRST_DATA_ROW["csv"] + n)
    if b'"' not in raw and b"\n\n" not in raw.replace(b"\r\n", b"\n"):
        return simple
    import csv

    text = raw.decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
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


def read_xlsx(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        return None, [Problem(display, None, None, "an Excel .xlsx workbook",
                              f"a file Excel cannot open ({type(exc).__name__}: {exc})")]
    ws = wb.worksheets[0]
    sheet = f"{display} (sheet '{ws.title}')" if len(wb.worksheets) > 1 else display
    merged = [r for r in ws.merged_cells.ranges if r.min_row <= 2]
    if merged:
        first = sorted(merged, key=lambda r: (r.min_row, r.min_col))[0]
        title = ws.cell(first.min_row, first.min_col).value
        return None, [Problem(sheet, first.min_row, None,
                              "one header row of column names in row 1, without merged cells",
                              f"merged cells {first.coord}" + (f" ('{title}')" if title else ""))]
    rows = list(ws.iter_rows(values_only=True))
    # Drop trailing fully-empty rows, and remember the sheet row of each kept record.
    if not rows or all(v is None or str(v).strip() == "" for v in rows[0]):
        if not any(any(v is not None and str(v).strip() for v in r) for r in rows):
            return None, [Problem(sheet, None, None, "a header row and data rows", "an empty sheet")]
        return None, [Problem(sheet, 1, None, "column names in row 1", "an empty first row")]
    header = [_cell_text(v).strip() for v in rows[0]]
    while header and header[-1] == "":
        header.pop()
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
            col = openpyxl.utils.get_column_letter(i + 1)
            return None, [Problem(sheet, 1, col, "a column name in every header cell", "an empty cell")]
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(
        columns=header, dtype=object)
    return RawFile(path, sheet, "xlsx", frame, np.asarray(numbers, dtype=int)), []


def read_parquet(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        return None, [Problem(display, None, None, "a Parquet file",
                              f"a file that cannot be read as Parquet ({type(exc).__name__})")]
    frame = frame.reset_index(drop=True)
    return RawFile(path, display, "parquet", frame, np.arange(1, len(frame) + 1)), []


def read_file(path: Path, display: str) -> tuple[RawFile | None, list[Problem]]:
    """Read any supported file; never raises for bad content."""
    fmt = file_format(path)
    if fmt == "csv":
        return read_csv(path, display)
    if fmt == "xlsx":
        return read_xlsx(path, display)
    return read_parquet(path, display)
