"""Hostile input files are refused early, with one clear message and bounded resources.

Each hostile file is generated here, in a temporary data directory built from the malformed
fixtures' valid base (``tests/fixtures/malformed/_base``); nothing big is committed. The
refusals that matter most run ``python -m evalkit validate DIR`` in a child process and
measure it from outside: exit code 1, one message naming the file, the wall time, and the
child's peak resident memory (``os.wait4``). Before :mod:`evalkit.data.limits`, the xlsx
zip bomb took 4.5 min and 6.5 GB before a MemoryError traceback, the gzip bomb 6 GB, and a
header of 10⁶ columns aborted at 6.9 GB.

Limits checked: at most :data:`SECONDS` and :data:`PEAK_MB` per refusal (the interpreter,
pandas and pyarrow alone take about 150 MB).
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evalkit.data.dataset import load_dataset, validate_directory
from evalkit.data.limits import InputTooLarge, Limits, check_xlsx, read_gzip
from evalkit.data.loading import read_file
from evalkit.errors import DataValidationError, EvalkitError

BASE = Path(__file__).resolve().parent.parent / "fixtures" / "malformed" / "_base"
REPO = Path(__file__).resolve().parents[2]

#: Wall time and peak memory allowed for refusing one hostile file (issue 16, item 4).
SECONDS = 10.0
PEAK_MB = 1024.0
_MiB = 1 << 20


@pytest.fixture
def data(tmp_path) -> Path:
    """A valid data directory (the malformed fixtures' base) to plant a hostile file in."""
    root = tmp_path / "data"
    shutil.copytree(BASE, root)
    return root


@dataclass
class Child:
    code: int
    output: str
    seconds: float
    peak_mb: float


def validate_in_child(root: Path, env: dict | None = None) -> Child:
    """``python -m evalkit validate ROOT`` in a child process: exit code, output (stdout and
    stderr), wall time and the child's peak resident memory."""
    environ = {**os.environ, **(env or {})}
    # The child imports the evalkit of this checkout, wherever pytest runs from.
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), environ.get("PYTHONPATH")) if p)
    with open(root.parent / "validate.out", "w+b") as out:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "evalkit", "validate", str(root)],
                                stdout=out, stderr=subprocess.STDOUT, env=environ)
        watchdog = threading.Timer(20 * SECONDS, proc.kill)  # a regression must not hang
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    peak = usage.ru_maxrss / 1024  # kB on Linux
    print(f"\n[{root.parent.name}] exit {proc.returncode}, {seconds:.2f} s, peak {peak:.0f} MB")
    return Child(proc.returncode, text, seconds, peak)


def assert_refused(child: Child, file: str, *words: str) -> None:
    assert child.code == 1, child.output
    assert "Traceback" not in child.output, child.output
    assert f"{file}\n" in child.output, child.output  # the report names the file
    lines = [line for line in child.output.splitlines() if file in line or "ERROR" in line]
    assert any(all(w in line for w in words) for line in child.output.splitlines()), child.output
    assert len(lines) <= 3, child.output  # one message, not a cascade
    assert child.seconds <= SECONDS, f"{child.seconds:.1f} s"
    assert child.peak_mb <= PEAK_MB, f"{child.peak_mb:.0f} MB"


# ----------------------------------------------------------------------------------------
# Hostile files
# ----------------------------------------------------------------------------------------

def _workbook_parts() -> dict[str, bytes]:
    """The parts of a small valid workbook, to wrap a hostile sheet in."""
    wb = openpyxl.Workbook()
    wb.active.append(["case_id"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as z:
        return {name: z.read(name) for name in z.namelist()}


_ROW = (b'<row><c t="inlineStr"><is><t>C0001 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is>'
        b'</c></row>')


def xlsx_bomb(path: Path, sheet_mib: int) -> Path:
    """A workbook whose sheet XML holds ``sheet_mib`` MiB of one repeated row: 1024 MiB
    compress to 3.6 MB."""
    block = (_ROW * ((1 << 20) // len(_ROW) + 1))[:1 << 20]
    parts = _workbook_parts()
    sheet = next(n for n in parts if n.startswith("xl/worksheets/"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, content in parts.items():
            if name != sheet:
                z.writestr(name, content)
        with z.open(sheet, "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                     b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for _ in range(sheet_mib):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def gzip_bomb(path: Path, mib: int) -> Path:
    """A gzip file of ``mib`` MiB of one repeated CSV row (a header first): members of 8 MiB
    compressed once and repeated, as a gzip file may hold several members."""
    row = b"C0001,D01,110101,2024-01-08,20,10,2024-01-15,online,0,satisfied,\n"
    member = gzip.compress(row * ((8 << 20) // len(row)), compresslevel=9)
    with open(path, "wb") as fh:
        fh.write(gzip.compress((BASE / "2024" / "service_cases.csv").read_bytes().splitlines(True)[0]))
        for _ in range(mib // 8):
            fh.write(member)
    return path


def wide_csv(path: Path, columns: int) -> Path:
    header = ",".join(f"c{i}" for i in range(columns))
    path.write_text(header + "\n" + "," * (columns - 1) + "\n", encoding="utf-8")
    return path


def test_xlsx_zip_bomb_is_refused_from_the_zip_directory(data):
    (data / "2024" / "service_cases.csv").unlink()
    bomb = xlsx_bomb(data / "2024" / "service_cases.xlsx", 1024)
    assert bomb.stat().st_size < 8 * _MiB
    child = validate_in_child(data)
    assert_refused(child, "2024/service_cases.xlsx", "uncompressed", "not read")


def test_xlsx_bomb_under_the_size_limit_is_refused_by_its_ratio(tmp_path):
    bomb = xlsx_bomb(tmp_path / "units.xlsx", 40)  # 40 MiB of sheet in ~150 kB
    raw, problems = read_file(bomb, "units.xlsx")
    assert raw is None and len(problems) == 1
    assert "decompression bomb" in problems[0].found and "xl/worksheets/" in problems[0].found


def test_a_zip_that_understates_its_sizes_still_gives_one_message(tmp_path):
    """The zip directory is what the limits read; a part that decompresses to more than it
    declares is cut at the declared size by Python's zip reader, and the workbook fails to
    open with a message (no traceback, no unbounded decompression)."""
    bomb = xlsx_bomb(tmp_path / "units.xlsx", 64)
    blob = bytearray(bomb.read_bytes())
    name = next(n for n in zipfile.ZipFile(bomb).namelist() if n.startswith("xl/worksheets/"))
    # Declare 1,000 bytes for the sheet in its central directory entry (what readers trust).
    at = blob.find(b"PK\x01\x02")
    while at >= 0:
        name_len = int.from_bytes(blob[at + 28:at + 30], "little")
        if bytes(blob[at + 46:at + 46 + name_len]) == name.encode():
            blob[at + 24:at + 28] = (1000).to_bytes(4, "little")
            break
        at = blob.find(b"PK\x01\x02", at + 4)
    bomb.write_bytes(bytes(blob))
    with zipfile.ZipFile(bomb) as z:
        assert next(i for i in z.infolist() if i.filename.startswith("xl/worksheets/")).file_size == 1000
    start = time.monotonic()
    raw, problems = read_file(bomb, "units.xlsx")
    assert time.monotonic() - start < SECONDS
    assert raw is None and len(problems) == 1, problems
    assert problems[0].file == "units.xlsx"


def test_gzip_bomb_is_refused_while_streaming(data):
    (data / "2024" / "service_cases.csv").unlink()
    bomb = gzip_bomb(data / "2024" / "service_cases.csv.gz", 1024)
    assert bomb.stat().st_size < 8 * _MiB
    child = validate_in_child(data)
    assert_refused(child, "2024/service_cases.csv.gz", "decompression bomb", "not read")


def test_gzip_over_the_size_limit_is_refused(data):
    """An ordinary ratio but more than the limit (lowered here to 1 MB) when decompressed."""
    (data / "2024" / "service_cases.csv").unlink()
    rows = ["case_id,unit_id,item_code,received_date,statutory_limit_days,promised_limit_days,"
            "completed_date,channel,instant,rating,bad_rating_rectified_date"]
    rows += [f"C{i:07d},D01,{110101 + i % 97},2024-01-{1 + i % 28:02d},20,10,2024-02-{1 + i % 28:02d},"
             f"online,0,satisfied," for i in range(40_000)]
    (data / "2024" / "service_cases.csv.gz").write_bytes(gzip.compress("\n".join(rows).encode()))
    child = validate_in_child(data, {"EVALKIT_MAX_GZIP_MB": "1"})
    assert_refused(child, "2024/service_cases.csv.gz", "more than 1 MB when decompressed")


def test_read_gzip_keeps_memory_bounded_by_the_limit(tmp_path):
    import tracemalloc

    bomb = gzip_bomb(tmp_path / "x.csv.gz", 256)
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLarge) as info:
            read_gzip(bomb, "x.csv.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "decompression bomb" in info.value.problem.found
    assert peak < 2 * Limits().ratio_floor_bytes + 8 * _MiB


@pytest.mark.parametrize("columns", [1_000_000, 100_000])
def test_a_header_of_too_many_columns_is_refused(data, columns):
    wide_csv(data / "2024" / "service_cases.csv", columns)
    child = validate_in_child(data)
    assert_refused(child, "2024/service_cases.csv", f"{columns:,} columns")
    assert len(child.output.splitlines()) < 40  # not 100,000 warnings


def test_unrecognised_columns_below_the_limit_are_summarised(data):
    path = data / "2024" / "budget_lines.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for i in range(500):
        frame[f"extra{i}"] = ""
    frame.to_csv(path, index=False)
    problems = [p for p in validate_directory(data) if p.file == "2024/budget_lines.csv"]
    assert all(p.severity == "warning" for p in problems)
    assert len(problems) == 11
    assert [p.column for p in problems[:10]] == [f"extra{i}" for i in range(10)]
    assert "490 more unrecognised columns" in problems[10].found


def test_wide_workbook_and_parquet_are_refused(data):
    (data / "2024" / "service_cases.csv").unlink()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([f"c{i}" for i in range(1_500)])
    wb.save(data / "2024" / "service_cases.xlsx")
    (data / "2024" / "hotline_tickets.csv").unlink()
    pq.write_table(pa.table({f"c{i}": [1] for i in range(1_500)}),
                   data / "2024" / "hotline_tickets.parquet")
    problems = [p for p in validate_directory(data) if p.severity == "error"]
    by_file = {p.file: p for p in problems}
    assert "1,500 columns" in by_file["2024/service_cases.xlsx"].found
    assert "1,500 columns" in by_file["2024/hotline_tickets.parquet"].found
    assert len(problems) == 2, problems


def test_the_parquet_fast_path_refuses_a_wide_file(data):
    from evalkit.data.dataset import read_dataset

    (data / "2024" / "hotline_tickets.csv").unlink()
    pq.write_table(pa.table({f"c{i}": [1] for i in range(1_500)}),
                   data / "2024" / "hotline_tickets.parquet")
    with pytest.raises(EvalkitError, match="1,500 columns") as info:
        read_dataset(data)
    assert "2024/hotline_tickets.parquet" in str(info.value)


def test_limits_from_the_environment():
    assert Limits.from_environment({}) == Limits()
    raised = Limits.from_environment({"EVALKIT_MAX_XLSX_MB": "256", "EVALKIT_MAX_COLUMNS": "20000"})
    assert raised.xlsx_bytes == 256 * _MiB and raised.max_columns == 20_000
    with pytest.raises(EvalkitError, match="EVALKIT_MAX_GZIP_MB"):
        Limits.from_environment({"EVALKIT_MAX_GZIP_MB": "lots"})


def test_ordinary_files_pass_the_limits(tmp_path):
    sample = REPO / "data_samples" / "sample_district" / "2024"
    for path in sorted(sample.glob("*.csv.gz")):
        assert read_gzip(path, path.name)  # sample CSVs compress 6–11 to 1
    wb = openpyxl.Workbook()
    wb.active.append(["case_id", "unit_id", "received_date", "statutory_limit_days"])
    for i in range(20_000):
        wb.active.append([f"C{i:05d}", "D01", "2024-01-08", 20])
    wb.save(tmp_path / "cases.xlsx")
    check_xlsx(tmp_path / "cases.xlsx", "cases.xlsx")
    raw, problems = read_file(tmp_path / "cases.xlsx", "cases.xlsx")
    assert problems == [] and raw.frame.shape == (20_000, 4)


# ----------------------------------------------------------------------------------------
# Symbolic links out of the data directory
# ----------------------------------------------------------------------------------------

SECRET = "TOP-SECRET-FIRST-LINE,do-not-echo"


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.csv").write_text(SECRET + "\nmore,secret\n", encoding="utf-8")
    return folder


def test_a_file_linked_out_of_the_data_directory_is_refused_and_never_echoed(data, outside):
    (data / "2024" / "budget_lines.csv").unlink()
    (data / "2024" / "budget_lines.csv").symlink_to(outside / "secret.csv")
    child = validate_in_child(data)
    assert child.code == 1
    assert "TOP-SECRET" not in child.output and "do-not-echo" not in child.output
    assert "2024/budget_lines.csv\n" in child.output
    assert "leads out of the data directory" in child.output
    assert "outside" not in child.output  # not even the target's path


def test_a_year_folder_linked_out_is_refused_without_looking_into_it(data, outside):
    (outside / "hotline_tickets.csv").write_text(SECRET + "\n", encoding="utf-8")
    (data / "2023").symlink_to(outside, target_is_directory=True)
    problems = validate_directory(data)
    text = "\n".join(str(p) for p in problems)
    assert "TOP-SECRET" not in text and "secret.csv" not in text and "hotline" not in text
    errors = [p for p in problems if p.severity == "error"]
    assert [p.file for p in errors] == ["2023/"]
    assert "leads out of the data directory" in errors[0].found


def test_links_out_stop_loading_too(data, outside):
    (data / "units.csv").rename(outside / "units.csv")
    (data / "units.csv").symlink_to(outside / "units.csv")
    with pytest.raises(DataValidationError) as info:
        load_dataset(data)
    assert "units.csv" in str(info.value) and "leads out" in str(info.value)
    (data / "workdays.csv").symlink_to(outside / "secret.csv")
    (data / "units.csv").unlink()
    shutil.copyfile(outside / "units.csv", data / "units.csv")
    with pytest.raises(DataValidationError) as info:
        load_dataset(data)
    assert "workdays.csv" in str(info.value) and "TOP-SECRET" not in str(info.value)


def test_links_inside_the_data_directory_are_followed(data):
    (data / "shared").mkdir()
    (data / "2024" / "budget_lines.csv").rename(data / "shared" / "budget_lines.csv")
    (data / "2024" / "budget_lines.csv").symlink_to(Path("..") / "shared" / "budget_lines.csv")
    errors = [p for p in validate_directory(data) if p.severity == "error"]
    assert errors == []
