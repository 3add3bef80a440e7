"""Hostile and mistaken returned workbooks: each gives one clear message per problem naming the
file, row and column, exit code 1, no traceback, and nothing applied (the tracker's files keep
their bytes)."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.data.writers import write_table
from evalkit.rectification.items import add_items, empty_items, empty_notes
from evalkit.resources import sample_data_dir

ITEMS = "2023/rectification_items.csv"
NOTES = "2023/rectification_notes.csv"


@pytest.fixture
def district(tmp_path) -> Path:
    """A data directory holding the units and a 2023 tracker of two units (five items)."""
    data = tmp_path / "district"
    (data / "2023").mkdir(parents=True)
    shutil.copy(sample_data_dir() / "units.csv", data / "units.csv")
    rows = [("D01", "EFF04", 91.7, 1), ("D01", "LAW02", 50.0, -1), ("D01", "PUB02", 80.0, 1),
            ("D02", "EFF04", 95.0, 1), ("D02", "PUB02", 84.0, 1)]
    candidates = pd.DataFrame([{"unit_id": u, "indicator": c, "indicator_name": c, "finding": f"{c} 提高",
                                "baseline_value": v, "goal_value": 100.0, "value_unit": "%", "direction": d}
                               for u, c, v, d in rows])
    items, notes, _ = add_items(empty_items(), empty_notes(), candidates, year=2023, created=dt.date(2024, 2, 1),
                                due=dt.date(2024, 6, 30), by="效能办")
    write_table(items, data / ITEMS, raw_csv=True)
    write_table(notes, data / NOTES, raw_csv=True)
    return data


def _workbook(district: Path, tmp_path: Path, unit: str = "D01") -> Path:
    out = tmp_path / f"{unit}.xlsx"
    assert main(["rectify", "list", "--data", str(district), "--unit", unit, "--out", str(out),
                 "--as-of", "2024-03-01"]) == 0
    return out


def _edit(path: Path, out: Path, edits: dict) -> Path:
    """``edits``: (sheet row, header starting with) → value."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = {str(c.value).split(" ")[-1]: c.column for c in ws[1]}
    for (row, field), value in edits.items():
        ws.cell(row, col[field]).value = value
    wb.save(out)
    return out


def _bytes(district: Path) -> tuple[bytes, bytes]:
    return (district / ITEMS).read_bytes(), (district / NOTES).read_bytes()


def _update(district: Path, workbook: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["rectify", "update", "--data", str(district), "--from", str(workbook), "--by", "张三",
                 "--today", "2024-06-01"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_the_workbook_is_the_units_items_with_the_guide_second(district, tmp_path):
    wb = openpyxl.load_workbook(_workbook(district, tmp_path))
    assert wb.sheetnames == ["整改事项 Items", "说明 Instructions"]
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]][:2] == ["整改事项编号 item_id", "单位编码 unit_id"]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["2023-D01-01", "2023-D01-02", "2023-D01-03"]
    assert ws.cell(2, 8).value == "待整改 open" and ws.data_validations.dataValidation


@pytest.mark.parametrize("edits, row, column, words", [
    ({(2, "status"): "已核验销号 verified"}, 2, "整改状态 status", "recorded by the evaluation office"),
    ({(2, "status"): "closed"}, 2, "整改状态 status", "one of 整改中 in_progress"),
    ({(3, "status"): "cancelled"}, 3, "整改状态 status", "recorded by the evaluation office"),
    ({(2, "unit_id"): "D02"}, 2, "单位编码 unit_id", "D01, the unit of item"),
    ({(2, "item_id"): "2023-D09-01"}, 2, "整改事项编号 item_id", "an item of the rectification tracker"),
    ({(3, "item_id"): "2023-D01-01"}, 3, "整改事项编号 item_id", "each item once"),
    ({(2, "item_id"): "2023-D02-01"}, 2, "单位编码 unit_id", "D02, the unit of item"),
    ({(2, "due_date"): "2024-12-31"}, 2, "整改期限 due_date", "set by the evaluation office"),
    ({(2, "note_date"): "2024-02-30", (2, "note"): "x"}, 2, "说明日期 note_date", "a date YYYY-MM-DD"),
    ({(2, "note_date"): "2023-12-01", (2, "note"): "x"}, 2, "说明日期 note_date", "on or after 2024-02-01"),
    ({(2, "note_date"): "2030-01-01", (2, "note"): "x"}, 2, "说明日期 note_date", "not after 2024-06-01"),
    ({(2, "action"): "很" * 2001}, 2, "整改措施 action", "at most 2,000 characters"),
])
def test_a_bad_row_is_named_and_nothing_is_applied(district, tmp_path, capsys, edits, row, column, words):
    before = _bytes(district)
    good = {(3, "status"): "整改中 in_progress", (3, "action"): "每周调度"}  # a good row beside the bad one
    wb = _edit(_workbook(district, tmp_path), tmp_path / "returned.xlsx", {**good, **edits})
    code, err = _update(district, wb, capsys)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert any(line.startswith(f"{wb}: row {row}, column '{column}': expected") and words in line
               for line in lines), err
    assert lines[-1] == f"evalkit: error: {wb}: {len(lines) - 1} problem(s); nothing was applied"
    assert _bytes(district) == before


def test_every_problem_of_a_workbook_is_listed_at_once(district, tmp_path, capsys):
    wb = _edit(_workbook(district, tmp_path), tmp_path / "returned.xlsx",
               {(2, "status"): "verified", (3, "note_date"): "someday", (4, "unit_id"): "S01"})
    code, err = _update(district, wb, capsys)
    assert code == 1 and "row 2" in err and "row 3" in err and "row 4" in err


def test_files_that_are_not_the_workbook(district, tmp_path, capsys, monkeypatch):
    before = _bytes(district)
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip")
    code, err = _update(district, garbage, capsys)
    assert code == 1 and "garbage.xlsx" in err and "nothing was applied" in err
    csv = tmp_path / "D01.csv"
    csv.write_text("item_id,status\n2023-D01-01,done\n", encoding="utf-8")
    code, err = _update(district, csv, capsys)
    assert code == 1 and "the .xlsx workbook" in err
    headless = tmp_path / "headless.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "状态"])
    wb.active.append(["2023-D01-01", "done"])
    wb.save(headless)
    code, err = _update(district, headless, capsys)
    assert code == 1 and "row 1" in err and "'整改事项编号 item_id', '整改状态 status'" in err
    code, err = _update(district, tmp_path / "missing.xlsx", capsys)
    assert code == 2 and err.strip() == f"evalkit: error: workbook not found: {tmp_path / 'missing.xlsx'}"
    # a workbook over the size limit (a decompression bomb is refused the same way) is not parsed
    big = _workbook(district, tmp_path)
    from evalkit.data import limits

    monkeypatch.setattr(limits, "_limits", lambda: limits.Limits(xlsx_bytes=2000))
    code, err = _update(district, big, capsys)
    assert code == 1 and "at most" in err and zipfile.is_zipfile(big)
    assert _bytes(district) == before


def test_formula_like_text_is_kept_as_text(district, tmp_path, capsys):
    wb = _edit(_workbook(district, tmp_path), tmp_path / "returned.xlsx",
               {(2, "status"): "整改中", (2, "action"): "@SUM(1+1)", (2, "owner"): "+86 办公室"})
    code, err = _update(district, wb, capsys)
    assert code == 0, err
    items = pd.read_csv(district / ITEMS, dtype=str).set_index("item_id")
    assert items.loc["2023-D01-01", "action"] == "@SUM(1+1)" and items.loc["2023-D01-01", "owner"] == "+86 办公室"
    again = openpyxl.load_workbook(_workbook(district, tmp_path)).worksheets[0]
    cell = again.cell(2, 9)
    assert cell.value == "@SUM(1+1)" and cell.data_type == "s" and cell.quotePrefix


def test_office_changes_and_their_mistakes(district, capsys):
    def office(*args):
        capsys.readouterr()
        code = main(["rectify", "update", "--data", str(district), *args, "--by", "效能办", "--today", "2024-06-01"])
        return code, capsys.readouterr()
    code, (out, err) = office("--id", "2023-D01-01", "--status", "cancelled")
    assert code == 1 and "column '--note': expected a note saying why it is cancelled" in err
    code, (out, err) = office("--id", "2023-D01-01")
    assert code == 2 and "give what changes" in err
    code, (out, err) = office("--id", "2023-D01-01", "--status", "finished")
    assert code == 2 and "--status: expected one of open, in_progress" in err
    code, (out, err) = office("--id", "2023-D01-01,2023-D02-01", "--status", "已撤销", "--note", "职能调整，不再适用")
    assert code == 0 and "Updated 2 item(s)" in out
    items = pd.read_csv(district / ITEMS).set_index("item_id")
    assert items.loc["2023-D02-01", "status"] == "cancelled"
    assert items.loc["2023-D02-01", "cancel_reason"] == "职能调整，不再适用"
    assert main(["validate", str(district), "--year", "2023"]) in (0, 1)  # the rule checker runs on the file
    assert "rectification_items" not in capsys.readouterr().out


def test_usage_mistakes_are_one_line(district, tmp_path, capsys):
    for args, words in [
        (["rectify", "list"], "give the data: --data DIR"),
        (["rectify", "list", "--data", str(district), "--db", "x.duckdb"], "not both"),
        (["rectify", "list", "--data", str(district), "--unit", "X99"], "--unit X99: no such unit"),
        (["rectify", "list", "--data", str(district), "--status", "late"], "--status: expected one of"),
        (["rectify", "list", "--data", str(district), "--out", str(tmp_path / "x.pdf")], "--out: expected a file"),
        (["rectify", "overdue", "--data", str(district), "--as-of", "2024-13-01"], "--as-of: expected a date"),
        (["rectify", "create", "--year", "2023", "--data", str(district), "--by", "x", "--due", "2023-01-01",
          "--date", "2024-02-01"], "before the creation date"),
        (["rectify", "update", "--data", str(district), "--by", "x"], "either --from FILE.xlsx"),
        (["rectify"], "rectify: give a command"),
    ]:
        capsys.readouterr()
        assert main(args) == 2, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("evalkit: error:") and words in err[0], (args, err)


def test_a_damaged_tracker_file_is_named(district, capsys):
    text = (district / ITEMS).read_text(encoding="utf-8").replace(",open,", ",closed,", 1)
    (district / ITEMS).write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["rectify", "list", "--data", str(district)]) == 1
    err = capsys.readouterr().err
    assert "rectification_items.csv" in err and "row 2" in err
