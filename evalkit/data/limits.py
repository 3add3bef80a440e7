"""Resource limits that keep a hostile input file from exhausting memory or time.

A data directory may come from anyone. Every reader of :mod:`evalkit.data.loading` checks
what it is about to decompress or parse *before* doing it, from what the file declares about
itself, and refuses a file over a limit with one :class:`~evalkit.errors.Problem` naming the
file — in well under a second and without reading the file's contents into memory:

=====================  ==================================================================
file                   refused when
=====================  ==================================================================
``.xlsx`` / ``.xlsm``  its zip directory declares more than :attr:`Limits.xlsx_bytes`
                       uncompressed in all, more than :attr:`Limits.zip_entries` members,
                       or a member larger than :attr:`Limits.ratio_floor_bytes` that is
                       compressed more than :attr:`Limits.max_ratio` to 1 (a "zip bomb");
                       checked from the zip directory, before any XML is parsed. Python's
                       zip reader never returns more bytes than a member declares, so the
                       declared sizes bound what the parser sees.
``.csv.gz``            decompressing it (streamed, 1 MiB at a time) passes
                       :attr:`Limits.gzip_bytes`, or passes :attr:`Limits.ratio_floor_bytes`
                       at more than :attr:`Limits.max_ratio` times the compressed bytes
                       read so far; decompression stops there (a "gzip bomb").
CSV, Excel             its header has more than :attr:`Limits.max_columns` columns (the
                       widest contract table has a dozen; a million-column header would
                       make a million-column frame).
``.parquet``           its footer (schema and metadata) declares more than
                       :attr:`Limits.parquet_footer_bytes`, or its schema more than
                       :attr:`Limits.max_columns` columns; checked before pyarrow parses
                       the footer.
=====================  ==================================================================

Compression ratios of real tables stay far below the limit (the sample's CSV files compress
6–11 to 1, Excel sheets 10–20 to 1); a file of zeros or of one repeated row compresses
a thousand to one. The size limits are generous for office files — a larger table belongs
in Parquet, which has no size limit here — and every limit can be raised for one run with
an environment variable (``EVALKIT_MAX_XLSX_MB``, ``EVALKIT_MAX_GZIP_MB``,
``EVALKIT_MAX_COLUMNS``; :meth:`Limits.from_environment`).

Files reached through a symbolic link that points out of the data directory are not read
at all (:func:`outside_data_directory`), so a link to ``/etc/passwd`` named ``units.csv``
never has its lines echoed in a validation report.
"""

from __future__ import annotations

import functools
import gzip
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import EvalkitError, Problem

__all__ = ["Limits", "LIMITS", "InputTooLarge", "refuses_hostile_files", "read_gzip",
           "check_xlsx", "check_columns", "count_header_fields", "check_parquet",
           "outside_data_directory"]

_MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """The limits a reader enforces (sizes in bytes)."""

    #: Total uncompressed size of the members of an Excel workbook. openpyxl holds the whole
    #: sheet as cell objects: about 13 MB of memory per MB of sheet XML.
    xlsx_bytes: int = 64 * _MiB
    #: Members of an Excel workbook's zip (a real workbook has a few dozen).
    zip_entries: int = 10_000
    #: Decompressed size of a gzip-compressed CSV file.
    gzip_bytes: int = 512 * _MiB
    #: Compression ratio above which a large member or stream is refused.
    max_ratio: float = 100.0
    #: Size below which the compression ratio is not judged (small files are harmless).
    ratio_floor_bytes: int = 16 * _MiB
    #: Columns of a header.
    max_columns: int = 1_000
    #: Size of a Parquet file's footer (its schema and row-group metadata).
    parquet_footer_bytes: int = 64 * _MiB

    @classmethod
    def from_environment(cls, environ: dict | None = None) -> "Limits":
        """The default limits, raised or lowered by ``EVALKIT_MAX_XLSX_MB``,
        ``EVALKIT_MAX_GZIP_MB`` and ``EVALKIT_MAX_COLUMNS`` (positive whole numbers)."""
        env = os.environ if environ is None else environ
        values = {}
        for var, field, scale in (("EVALKIT_MAX_XLSX_MB", "xlsx_bytes", _MiB),
                                  ("EVALKIT_MAX_GZIP_MB", "gzip_bytes", _MiB),
                                  ("EVALKIT_MAX_COLUMNS", "max_columns", 1)):
            text = str(env.get(var, "")).strip()
            if text:
                try:
                    number = int(text)
                except ValueError:
                    number = 0
                if number <= 0:
                    raise EvalkitError(f"{var}: expected a positive whole number; found '{text}'")
                values[field] = number * scale
        return cls(**values)


#: The default limits (readers use :meth:`Limits.from_environment`: these, unless an
#: environment variable changes one).
LIMITS = Limits()


class InputTooLarge(Exception):
    """A file over a limit; carries the :class:`Problem` to report."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def refuses_hostile_files(reader: Callable) -> Callable:
    """Decorate a ``reader(path, display) -> (RawFile | None, problems)``: a file over a limit
    gives ``(None, [problem])`` instead of an exception."""

    @functools.wraps(reader)
    def read(path, display, *args, **kwargs):
        try:
            return reader(path, display, *args, **kwargs)
        except InputTooLarge as exc:
            return None, [exc.problem]

    return read


def _limits() -> Limits:
    return Limits.from_environment()


def _mb(n: float) -> str:
    return f"{n / _MiB:,.0f} MB" if n >= _MiB else f"{n / 1024:,.0f} kB"


# ----------------------------------------------------------------------------------------
# gzip
# ----------------------------------------------------------------------------------------

def read_gzip(path: Path, display: str, limits: Limits | None = None) -> bytes:
    """The decompressed bytes of a gzip file, streamed; raise :class:`InputTooLarge` as
    soon as the output passes the size limit or, past the ratio floor, the ratio limit
    (decompressed bytes so far to compressed bytes read so far).
    Corrupt data raise what :mod:`gzip` raises (``OSError``, ``EOFError``)."""
    limits = limits or _limits()
    chunks: list[bytes] = []
    total = 0
    with open(path, "rb") as source, gzip.GzipFile(fileobj=source, mode="rb") as fh:
        while True:
            chunk = fh.read(_MiB)
            if not chunk:
                break
            total += len(chunk)
            chunks.append(chunk)
            compressed = max(source.tell(), 1)  # compressed bytes read so far
            too_big = total > limits.gzip_bytes
            bomb = total > limits.ratio_floor_bytes and total > limits.max_ratio * compressed
            if too_big or bomb:
                chunks.clear()
                what = (f"more than {_mb(limits.gzip_bytes)} when decompressed" if too_big else
                        f"more than {_mb(total)} decompressed from {_mb(compressed)} "
                        f"(over {limits.max_ratio:,.0f} times its size: a decompression bomb)")
                raise InputTooLarge(Problem(
                    display, None, None,
                    f"a compressed CSV file of at most {_mb(limits.gzip_bytes)} uncompressed, "
                    f"compressed at most {limits.max_ratio:,.0f} to 1 (save a larger table as "
                    "Parquet, or raise EVALKIT_MAX_GZIP_MB)",
                    f"a file that is {what}; not read"))
    return b"".join(chunks)


# ----------------------------------------------------------------------------------------
# Excel (zip)
# ----------------------------------------------------------------------------------------

#: Size of a zip's central directory (a workbook's lists a few dozen parts in a few kB).
_ZIP_DIRECTORY_BYTES = 16 * _MiB
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"


def _zip_directory_size(path: Path) -> tuple[int, int] | None:
    """``(entries, central directory bytes)`` from a zip's end records, read from the last
    64 kB of the file, or None when they are not found (zipfile then says what is wrong)."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        tail_len = min(size, 22 + 65535 + 20)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        entries, cd_size = struct.unpack("<HI", tail[at + 10:at + 16])
        loc = at - 20
        if loc >= 0 and tail[loc:loc + 4] == _EOCD64_LOCATOR:  # ZIP64: the real counts
            offset = struct.unpack("<Q", tail[loc + 8:loc + 16])[0]
            if offset + 56 <= size:
                fh.seek(offset)
                record = fh.read(56)
                if record[:4] == _EOCD64:
                    entries, cd_size = struct.unpack("<QQ", record[32:48])
    return entries, cd_size


def check_xlsx(path: Path, display: str, limits: Limits | None = None) -> None:
    """Raise :class:`InputTooLarge` when an Excel workbook's zip directory declares too many
    members, too many bytes in all, or a member compressed like a bomb. Nothing is
    decompressed. A file that is not a zip passes (the Excel reader reports it)."""
    limits = limits or _limits()
    expected = (f"an Excel workbook of at most {_mb(limits.xlsx_bytes)} uncompressed, its parts "
                f"compressed at most {limits.max_ratio:,.0f} to 1 (save a larger table as CSV "
                "UTF-8 or Parquet, or raise EVALKIT_MAX_XLSX_MB)")
    try:
        directory = _zip_directory_size(path)
    except OSError:
        return
    if directory is not None:
        entries, cd_size = directory
        if entries > limits.zip_entries or cd_size > _ZIP_DIRECTORY_BYTES:
            raise InputTooLarge(Problem(
                display, None, None, expected,
                f"a zip archive of {entries:,} parts listed in {_mb(cd_size)}; not read"))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error):
        return
    total = sum(m.file_size for m in members)
    if total > limits.xlsx_bytes:
        largest = max(members, key=lambda m: m.file_size)
        raise InputTooLarge(Problem(
            display, None, None, expected,
            f"a workbook of {_mb(total)} uncompressed ('{largest.filename}' alone "
            f"{_mb(largest.file_size)}, stored in {_mb(largest.compress_size)}); not read"))
    for m in members:
        if m.file_size > limits.ratio_floor_bytes and \
                m.file_size > limits.max_ratio * max(m.compress_size, 1):
            raise InputTooLarge(Problem(
                display, None, None, expected,
                f"a part '{m.filename}' of {_mb(m.file_size)} stored in {_mb(m.compress_size)} "
                f"(over {limits.max_ratio:,.0f} to 1: a decompression bomb, or rows of empty "
                "formatted cells down to the end of the sheet — delete them); not read"))


# ----------------------------------------------------------------------------------------
# Columns
# ----------------------------------------------------------------------------------------

#: Header lines up to this size are split as CSV (quotes respected); longer ones, only
#: ever hostile, have their separators counted.
HEADER_SCAN_BYTES = 4 * _MiB


def count_header_fields(raw: bytes, encoding: str | None, sep: str = ",") -> int:
    """Fields of the first non-blank line of a CSV file, separated by ``sep``."""
    import csv
    import io

    start = 0
    while True:  # skip blank lines (and a byte-order mark) before the header
        end = raw.find(b"\n", start)
        line = raw[start:] if end < 0 else raw[start:end]
        if line.strip(b" \t\r\xef\xbb\xbf") or end < 0:
            break
        start = end + 1
    if len(line) > HEADER_SCAN_BYTES:
        return line.count(sep.encode("ascii")) + 1
    text = line.decode(encoding or "utf-8", errors="ignore")
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
            return len(record)
    except csv.Error:  # e.g. a NUL byte: count plainly
        pass
    return text.count(sep) + 1


def check_columns(count: int, display: str, limits: Limits | None = None,
                  row: int | None = 1) -> None:
    """Raise :class:`InputTooLarge` when a header has more than ``max_columns`` columns."""
    limits = limits or _limits()
    if count > limits.max_columns:
        raise InputTooLarge(Problem(
            display, row, None,
            f"a header of at most {limits.max_columns:,} columns (a contract table has a "
            "dozen; raise EVALKIT_MAX_COLUMNS for a wider file)",
            f"{count:,} columns; not read"))


# ----------------------------------------------------------------------------------------
# Parquet
# ----------------------------------------------------------------------------------------

def check_parquet(path: Path, display: str, limits: Limits | None = None) -> None:
    """Raise :class:`InputTooLarge` when a Parquet file's footer is larger than the limit
    or its schema has too many columns (read from the footer's declared length first, then
    the footer). A file that is not Parquet passes (the Parquet reader reports it)."""
    limits = limits or _limits()
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            if size < 12:
                return
            fh.seek(size - 8)
            tail = fh.read(8)
    except OSError:
        return
    if tail[4:] != b"PAR1":
        return
    footer = struct.unpack("<I", tail[:4])[0]
    if footer > limits.parquet_footer_bytes:
        raise InputTooLarge(Problem(
            display, None, None,
            f"a Parquet file whose schema and metadata take at most "
            f"{_mb(limits.parquet_footer_bytes)}",
            f"a footer of {_mb(footer)}; not read"))
    try:
        import pyarrow.parquet as pq

        columns = pq.read_metadata(path).num_columns
    except Exception:  # noqa: BLE001 - pyarrow raises several types; the reader reports it
        return
    check_columns(columns, display, limits, row=None)


# ----------------------------------------------------------------------------------------
# Symbolic links
# ----------------------------------------------------------------------------------------

def outside_data_directory(root: Path, path: Path) -> bool:
    """True when ``path`` (a file or folder found in the data directory ``root``) is, or is
    reached through, a symbolic link that leads out of ``root``."""
    try:
        real = Path(os.path.realpath(path))
        base = Path(os.path.realpath(root))
    except (OSError, RuntimeError, ValueError):
        return True
    return real != base and base not in real.parents
