"""An office's own data (issue 16, item 9): what the fixtures in ``tests/fixtures/malformed``
cannot show because it is not a message of ``evalkit validate``.

* the default year is the latest with data for scoring; a year folder holding only
  follow-up tables is not it, and asking for such a year is an error (not exit 0 with every
  unit ``no_score``);
* the "missing optional tables" warning is given once for all the years that miss the same
  tables, not once per year;
* results files are world-readable (0644) like every other output;
* the CSV delimiter is read off the header line; cells are converted as the contract says
  (full-width digits, dates without a time).
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.data.contract import TABLES
from evalkit.data.dataset import load_dataset, validate_directory
from evalkit.data.loading import csv_delimiter, read_csv
from evalkit.data.validation import check_table
from evalkit.errors import EvalkitError

BASE = Path(__file__).resolve().parent.parent / "fixtures" / "malformed" / "_base"


@pytest.fixture
def with_2025_follow_up(tmp_path) -> Path:
    """The base (2024) plus a 2025 folder holding only rectifications opened early in 2025."""
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    (data / "2025").mkdir()
    text = (BASE / "2024" / "rectifications.csv").read_text(encoding="utf-8")
    (data / "2025" / "rectifications.csv").write_text(text.replace("2024-", "2025-"), encoding="utf-8")
    return data


# ----------------------------------------------------------------------------------------
# The default year
# ----------------------------------------------------------------------------------------

def test_a_year_with_only_follow_up_tables_is_not_the_default(with_2025_follow_up):
    ds = load_dataset(with_2025_follow_up)
    assert ds.years == (2024, 2025)
    assert ds.scoreable_years == (2024,)
    assert ds.evaluation_year() == 2024
    assert ds.evaluation_year(2024) == 2024


def test_a_year_without_data_for_scoring_asked_for_is_an_error(with_2025_follow_up):
    ds = load_dataset(with_2025_follow_up)
    with pytest.raises(EvalkitError, match=r"no data for scoring in 2025 .*: the 2025 folder holds "
                                           r"rectifications .*years with data for scoring: 2024"):
        ds.evaluation_year(2025)
    with pytest.raises(EvalkitError, match="no data for 2023 .*years with data for scoring: 2024"):
        ds.evaluation_year(2023)


def test_header_only_tables_are_no_data_for_scoring(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    (data / "2025").mkdir()
    (data / "2025" / "legal_cases.csv").write_text(
        "case_id,unit_id,kind,filed_date,concluded_date,outcome\n", encoding="utf-8")
    assert load_dataset(data).scoreable_years == (2024,)


def test_score_defaults_to_the_latest_year_with_data_and_refuses_the_other(with_2025_follow_up,
                                                                         tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["score", "--data", str(with_2025_follow_up), "--out", str(out)]) == 0
    assert "for 2024" in capsys.readouterr().out
    assert (out / "2024" / "scores.csv").is_file() and not (out / "2025").exists()
    # Results are world-readable like the other outputs (they were written 0600).
    results = sorted((out / "2024" / "results").iterdir())
    assert results and {p.name: stat.S_IMODE(p.stat().st_mode) for p in results} == \
        {p.name: 0o644 for p in results}

    code = main(["score", "--data", str(with_2025_follow_up), "--year", "2025", "--out", str(out)])
    captured = capsys.readouterr()
    assert code != 0
    assert "no data for scoring in 2025" in captured.err + captured.out
    assert "Traceback" not in captured.err
    assert not (out / "2025").exists()


def test_indicators_command_uses_the_same_rule(with_2025_follow_up, tmp_path, capsys):
    target = tmp_path / "ind.csv"
    assert main(["indicators", "--data", str(with_2025_follow_up), "--out", str(target)]) == 0
    assert "2024" in capsys.readouterr().out
    assert main(["indicators", "--data", str(with_2025_follow_up), "--year", "2025",
                 "--out", str(target)]) != 0


# ----------------------------------------------------------------------------------------
# Warnings given once
# ----------------------------------------------------------------------------------------

def test_missing_optional_tables_are_summarised_once_for_all_years(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    shutil.copytree(BASE / "2024", data / "2023")
    for f in (data / "2023").iterdir():
        f.write_text(f.read_text(encoding="utf-8").replace("2024-", "2023-").replace("2025-", "2024-"),
                     encoding="utf-8")
    (data / "2023" / "ratings.csv").unlink()
    warnings = [p for p in validate_directory(data) if p.severity == "warning"]
    assert [p for p in validate_directory(data) if p.severity == "error"] == []
    missing = [p for p in warnings if "no file for" in p.found]
    # The tables both years miss: one warning naming both folders; ratings: 2023 only.
    assert [(p.file, p.found.startswith("no file for grid_cases,")) for p in missing] == \
        [("2023/, 2024/", True), ("2023/", False)]
    assert missing[1].found == "no file for ratings"


# ----------------------------------------------------------------------------------------
# Reading and converting cells
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, sep", [
    ("a,b\n1,2\n", ","),
    ("a\tb\n1\t2\n", "\t"),
    ("\n\na\tb\tc\n1,5\t2\t3\n", "\t"),        # commas in the values do not count
    ("单位编码,单位名称\tx\n", ","),             # more commas than tabs
    ("", ","),
])
def test_csv_delimiter_is_read_off_the_header_line(text, sep):
    assert csv_delimiter(text.encode("utf-8"), "utf-8") == sep


def test_tab_separated_file_keeps_commas_in_values(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\tb\n1,000\t预算,执行\n", encoding="utf-8")
    raw, problems = read_csv(path, "t.csv")
    assert problems == []
    assert raw.frame.to_dict("list") == {"a": ["1,000"], "b": ["预算,执行"]}


def test_a_long_tab_separated_row_is_reported_as_such(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\tb\n1\t2\t3\n", encoding="utf-8")
    raw, problems = read_csv(path, "t.csv")
    assert raw is None
    assert problems[0].expected.startswith("tab-separated rows")


def _ticket_rows(**overrides) -> str:
    row = {"ticket_id": "T1", "unit_id": "D01", "category": "", "dispatched_at": "2024-01-10 09:00",
           "signed_at": "", "contacted_at": "", "closed_at": "", "due_at": "2024-01-20 17:00",
           "callback_satisfaction": "", "solved": ""}
    rows = []
    for k, over in enumerate(overrides.get("rows", [{}])):
        r = dict(row, ticket_id=f"T{k}", **over)
        rows.append(",".join(r.values()))
    return ",".join(row) + "\n" + "\n".join(rows) + "\n"


def _check_tickets(tmp_path, text):
    path = tmp_path / "hotline_tickets.csv"
    path.write_text(text, encoding="utf-8")
    raw, problems = read_csv(path, "2024/hotline_tickets.csv")
    ct, table_problems = check_table(raw, TABLES["hotline_tickets"], 2024)
    return ct, problems + table_problems


def test_dates_without_a_time_are_counted_in_one_warning_per_file_and_column(tmp_path):
    ct, problems = _check_tickets(tmp_path, _ticket_rows(rows=[
        {}, {"due_at": "2024-01-20"}, {"due_at": "2024年1月21日"}, {"due_at": "2024/1/22 8:00"},
        {"signed_at": "2024-01-11"}]))
    assert [p.severity for p in problems] == ["warning", "warning"]
    due, signed = sorted(problems, key=lambda p: p.column)
    assert (due.file, due.row, due.column) == ("2024/hotline_tickets.csv", 3, "due_at")
    assert due.found == "a date without a time on 2 row(s), first '2024-01-20': read as 00:00 that day"
    assert (signed.row, signed.column) == (6, "signed_at")
    assert ct.frame["due_at"].iloc[1] == pd.Timestamp("2024-01-20 00:00")
    assert ct.frame["due_at"].iloc[3] == pd.Timestamp("2024-01-22 08:00")


def test_full_width_digits_are_read_with_a_warning_and_other_text_is_still_an_error(tmp_path):
    ct, problems = _check_tickets(tmp_path, _ticket_rows(rows=[
        {"due_at": "２０２４－０１－２０　１７：００"}, {"solved": "１"}, {"due_at": "２０２４年１月２０日下午"}]))
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    assert [(p.row, p.column) for p in errors] == [(4, "due_at")]
    assert sorted((p.row, p.column) for p in warnings) == [(2, "due_at"), (3, "solved")]
    assert ct.frame["due_at"].iloc[0] == pd.Timestamp("2024-01-20 17:00")
    assert bool(ct.frame["solved"].iloc[1]) is True


def test_full_width_numbers_keep_their_column_type(tmp_path):
    path = tmp_path / "budget_lines.csv"
    path.write_text("unit_id,month,line,budget_yuan,adjustment_yuan,spending_yuan\n"
                    "D01,１２,basic,１２００．５,－１０,９５０００\n"
                    "D01,11,basic,1200.5,0,5\n", encoding="utf-8")
    raw, _ = read_csv(path, "b.csv")
    ct, problems = check_table(raw, TABLES["budget_lines"], 2024)
    assert all(p.severity == "warning" and p.row == 2 for p in problems)
    assert {p.column for p in problems} == {"month", "budget_yuan", "adjustment_yuan", "spending_yuan"}
    assert str(ct.frame["month"].dtype) == "Int64" and ct.frame["month"].tolist() == [12, 11]
    assert ct.frame["adjustment_yuan"].tolist() == [-10.0, 0.0]
    assert np.isclose(ct.frame["budget_yuan"].iloc[0], 1200.5)


def test_full_width_value_out_of_range_is_reported_once_as_out_of_range(tmp_path):
    path = tmp_path / "budget_lines.csv"
    path.write_text("unit_id,month,line,budget_yuan,adjustment_yuan,spending_yuan\n"
                    "D01,１３,basic,1,0,5\n", encoding="utf-8")
    raw, _ = read_csv(path, "b.csv")
    _, problems = check_table(raw, TABLES["budget_lines"], 2024)
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.column, p.found) for p in errors] == [(2, "month", "'１３'")]
    assert errors[0].expected.startswith("a value from 1 to 12")


@pytest.mark.parametrize("content, found", [
    (b"<html><body><table><tr><td>unit_id</td></tr></table></body></html>", "a web page or text file named .xls"),
    ("unit_id\tname_zh\nD01\t区市场监管局\n".encode("gbk"), "a web page or text file named .xls"),
    (b"PK\x03\x04" + bytes(60), "an .xlsx workbook named .xls — rename it to .xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "a file Excel cannot open"),
])
def test_files_named_xls_that_are_not_xls_workbooks_say_what_they_are(content, found, tmp_path):
    from evalkit.data.loading import read_file

    path = tmp_path / "units.xls"
    path.write_bytes(content)
    raw, problems = read_file(path, "units.xls")
    assert raw is None
    assert [(p.file, p.row, p.column) for p in problems] == [("units.xls", None, None)]
    assert found in problems[0].found


def test_a_file_named_after_the_grid_case_label_is_read(tmp_path):
    """``2024/网格化管理案件.csv`` (the grid-case table's Chinese label) is the grid_cases table:
    it used to be skipped without a hint."""
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    sample = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district" / "2024"
    units = set(pd.read_csv(BASE / "units.csv", dtype=str)["unit_id"])
    grid = pd.read_csv(sample / "grid_cases.csv.gz", dtype=str, keep_default_na=False)
    grid = grid[grid["unit_id"].isin(units)].head(6)
    assert len(grid) == 6
    grid.to_csv(data / "2024" / "网格化管理案件.csv", index=False)
    problems = validate_directory(data)
    assert [str(p) for p in problems if p.severity == "error"] == []
    assert not [p for p in problems if "网格化管理案件" in str(p)]
    assert not [p for p in problems if "grid_cases" in p.found]  # no longer "no file for grid_cases"
    table = load_dataset(data).table("grid_cases", 2024)
    assert table["case_id"].astype(str).tolist() == grid["case_id"].tolist()
