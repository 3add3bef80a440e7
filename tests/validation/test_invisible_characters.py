"""Text never breaks a report: invisible characters are removed with a warning, names are NFC.

Zero-width characters and bidirectional controls used to pass ``evalkit validate`` and then
fail the report (no font draws them) without naming the file or the field. Now every cell
is cleaned when a table is checked (:mod:`evalkit.data.text`): the characters are removed,
and a warning names the file, the row as the user sees it, the column and the characters.
"""

from __future__ import annotations

import shutil
import sys
import unicodedata
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.data.dataset import load_dataset, validate_directory
from evalkit.data.text import INVISIBLE, clean_column, clean_text

BASE = Path(__file__).resolve().parent.parent / "fixtures" / "malformed" / "_base"

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]


@pytest.fixture
def data(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(BASE, root)
    return root


def _rewrite(path: Path, edit) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False, encoding="utf-8")


# ----------------------------------------------------------------------------------------
# The text rules
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("char", ZERO_WIDTH + BIDI + ["\x07", "\x1b", "\x7f", "\x85"])
def test_invisible_characters_are_removed(char):
    assert clean_text(f"区{char}市场{char}监管局{char}") == "区市场监管局"
    assert clean_text(f"D01{char}") == "D01"


def test_tabs_newlines_and_visible_text_are_kept():
    for text in ("第一行\n第二行", "a\tb\r\n", "区市场监管局", "Bureau (X) #1 — 100%", "ｘ１２", "é"):
        assert clean_text(text) == text


def test_names_are_nfc_normalised():
    decomposed = "Cafe\u0301 ku\u0308che"
    assert clean_text(decomposed) == "Café küche"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))
    assert clean_text("ｘ１２") == "ｘ１２"  # NFC, not NFKC: full-width digits stay as typed


def test_the_removed_set_covers_every_format_and_control_character():
    """Unicode categories Cf and Cc (but tab, LF, CR), as this Python's database has them."""
    missing = [f"U+{c:04X}" for c in range(sys.maxunicode + 1)
               if unicodedata.category(chr(c)) in ("Cf", "Cc") and chr(c) not in "\t\n\r"
               and not INVISIBLE.match(chr(c))]
    assert missing == []
    assert not INVISIBLE.search("\t\n\r 区市场监管局 ABC xyz 123 ½ é —")


def test_clean_column_arrow_strings_objects_and_other_types():
    arrow = pd.Series(["D01", "D0\u200b2", None, "区\u202e局", "e\u0301"], dtype="str")
    cleaned, removed = clean_column(arrow)
    assert cleaned.dtype == arrow.dtype
    assert cleaned.tolist()[:2] == ["D01", "D02"] and cleaned.tolist()[3:] == ["区局", "é"]
    assert pd.isna(cleaned.iloc[2])
    assert removed.tolist() == [False, True, False, True, False]  # NFC alone is not reported
    objects = pd.Series(["x\u200d", 3, None, "y"], dtype=object)
    cleaned, removed = clean_column(objects)
    assert cleaned.tolist()[:2] == ["x", 3] and removed.tolist() == [True, False, False, False]
    numbers = pd.Series([1.0, 2.0])
    assert clean_column(numbers)[0] is numbers
    plain = pd.Series(["D01", "D02"], dtype="str")
    cleaned, removed = clean_column(plain)
    assert cleaned is plain and not removed.any()


# ----------------------------------------------------------------------------------------
# In a data directory
# ----------------------------------------------------------------------------------------

def test_validation_removes_them_and_names_file_row_column(data):
    def edit(units):
        units.loc[0, "name_zh"] = "区市场\u200b监管局"
        units.loc[1, "name_zh"] = "\u202e区人力社保局\u202c"
        units.loc[2, "name_en"] = "Bureau\ufeff of\u2066 Works\u2069"
    _rewrite(data / "units.csv", edit)
    _rewrite(data / "2024" / "service_cases.csv",
             lambda cases: cases.__setitem__("unit_id", cases["unit_id"].where(cases.index != 0, "D01\u200d")))
    problems = validate_directory(data)
    assert [p for p in problems if p.severity == "error"] == []  # "D01\u200d" is D01
    found = {(p.file, p.row, p.column): p.found for p in problems
             if "invisible" in p.expected}
    assert set(found) == {("units.csv", 2, "name_zh"), ("units.csv", 3, "name_zh"),
                          ("units.csv", 4, "name_en"), ("2024/service_cases.csv", 2, "unit_id")}
    assert "U+200B ZERO WIDTH SPACE" in found[("units.csv", 2, "name_zh")]
    assert "'区市场监管局'" in found[("units.csv", 2, "name_zh")]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in found[("units.csv", 3, "name_zh")]
    assert "U+202C POP DIRECTIONAL FORMATTING" in found[("units.csv", 3, "name_zh")]
    assert "U+2066 LEFT-TO-RIGHT ISOLATE" in found[("units.csv", 4, "name_en")]
    assert "U+FEFF" in found[("units.csv", 4, "name_en")]
    assert all(p.severity == "warning" for p in problems if "invisible" in p.expected)
    ds = load_dataset(data)
    names = ds.units.set_index("unit_id")
    assert names.loc["D01", "name_zh"] == "区市场监管局"
    assert names.loc["D02", "name_zh"] == "区人力社保局"
    assert not ds.units.apply(lambda c: c.astype(str).str.contains(INVISIBLE)).any().any()
    assert (ds.table("service_cases", 2024)["unit_id"].astype(str) == "D01").sum() >= 1


def test_nfc_names_load_composed_without_a_warning(data):
    _rewrite(data / "units.csv", lambda u: u.__setitem__(
        "name_en", u["name_en"].where(u.index != 0, "Cafe\u0301 Bureau")))
    problems = validate_directory(data)
    assert not [p for p in problems if p.file == "units.csv"]
    assert load_dataset(data).units["name_en"].iloc[0] == "Café Bureau"


def test_many_rows_are_summarised(data):
    path = data / "2024" / "service_cases.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.concat([frame] * 8, ignore_index=True)
    frame["case_id"] = [f"C{i:04d}\u200b" for i in range(len(frame))]
    frame.to_csv(path, index=False)
    warned = [p for p in validate_directory(data) if "invisible" in p.expected]
    assert len(frame) > 11 and len(warned) == 11
    assert [p.row for p in warned[:10]] == list(range(2, 12))
    assert warned[10].row is None and f"{len(frame) - 10:,} more row(s)" in warned[10].found


def test_xlsx_cells_are_cleaned_too(data):
    (data / "units.csv").unlink()
    units = pd.read_csv(BASE / "units.csv", dtype=str, keep_default_na=False)
    wb = openpyxl.Workbook()
    wb.active.append(list(units.columns))
    for row in units.itertuples(index=False):
        wb.active.append(list(row))
    wb.active["B3"] = "区人力\u2067社保局"
    wb.save(data / "units.xlsx")
    warned = [p for p in validate_directory(data) if "invisible" in p.expected]
    assert [(p.file, p.row, p.column) for p in warned] == [("units.xlsx", 3, "name_zh")]
    assert "U+2067 RIGHT-TO-LEFT ISOLATE" in warned[0].found


def test_cli_prints_the_warning(data, capsys):
    _rewrite(data / "units.csv", lambda u: u.__setitem__(
        "name_zh", u["name_zh"].where(u.index != 0, "区市场监管局\u200b")))
    assert main(["validate", str(data)]) == 0
    out = capsys.readouterr().out
    assert "units.csv\n" in out
    assert "WARNING row 2, column 'name_zh'" in out and "U+200B ZERO WIDTH SPACE" in out
    assert "\u200b" not in out  # the report itself is clean text


def test_cleaning_a_long_ascii_column_is_cheap():
    import time

    column = pd.Series([f"C{i:09d}" for i in range(1_000_000)], dtype="str")
    start = time.perf_counter()
    cleaned, removed = clean_column(column)
    assert time.perf_counter() - start < 2.0  # one vectorised pass (about 0.05 s)
    assert cleaned is column and not removed.any()
    assert np.asarray(removed).dtype == bool


def test_a_header_with_an_invisible_character_still_names_its_column(tmp_path):
    # "unit_id" with a zero-width space inside: matched as unit_id, with a warning naming the column
    import shutil

    from evalkit.data.dataset import validate_directory

    sample = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"
    data = tmp_path / "d"
    shutil.copytree(sample, data)
    units = data / "units.csv"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("unit_id", "unit\u200b_id", 1), encoding="utf-8")
    problems = validate_directory(data, [2024])
    assert not [p for p in problems if p.severity == "error"]
    warned = [p for p in problems if p.file.endswith("units.csv") and p.column == "unit_id"]
    assert warned and "U+200B" in warned[0].found
