"""Reading input files and converting cells: encodings, Excel, headers, labels, row numbers.

Unit tests of :mod:`evalkit.data.loading` and the cell/row checks of :mod:`evalkit.data.validation`
on tiny in-memory or ``tmp_path`` files; the end-to-end defects live in
``test_malformed.py``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import random
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evalkit.cli import _print_problems
from evalkit.data.contract import TABLES
from evalkit.errors import Problem
from evalkit.data.loading import detect_encoding, read_csv, read_file, read_xlsx
from evalkit.data.validation import MAX_ROWS_PER_CHECK, check_table, convert_column

BASE = Path(__file__).resolve().parent.parent / "fixtures" / "malformed" / "_base"
UNITS_TEXT = (BASE / "units.csv").read_text(encoding="utf-8")
RATINGS_TEXT = (BASE / "2024" / "ratings.csv").read_text(encoding="utf-8")
TRADITIONAL = str.maketrans({"区": "區", "场": "場", "监": "監", "东": "東", "镇": "鎮",
                             "执": "執", "类": "類", "会": "會", "务": "務"})


def write(tmp_path: Path, data: bytes | str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read(tmp_path: Path, data: bytes | str, name: str = "t.csv"):
    return read_csv(write(tmp_path, data, name), name)


def the_problem(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    assert problems[0].severity == "error"
    return problems[0]


# ----------------------------------------------------------------------------------------
# Encoding detection
# ----------------------------------------------------------------------------------------

ACCEPTED = {
    "utf-8": UNITS_TEXT.encode("utf-8"),
    "utf-8-sig": codecs.BOM_UTF8 + UNITS_TEXT.encode("utf-8"),
    "gb18030": UNITS_TEXT.encode("gb18030"),
    "gbk-crlf": UNITS_TEXT.replace("\n", "\r\n").encode("gbk"),
    "utf-8-sig-crlf": codecs.BOM_UTF8 + UNITS_TEXT.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("variant", sorted(ACCEPTED))
def test_accepted_encodings_decode_to_the_same_frame(variant, tmp_path):
    raw, problems = read(tmp_path, ACCEPTED[variant])
    assert problems == []
    assert raw.encoding == {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gb18030": "gb18030",
                            "gbk-crlf": "gb18030", "utf-8-sig-crlf": "utf-8-sig"}[variant]
    expected = pd.read_csv(io.StringIO(UNITS_TEXT), dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(raw.frame, expected)
    assert list(raw.frame.columns)[0] == "unit_id"  # no BOM left on the first header
    assert raw.frame.loc[0, "name_zh"] == "区市场监管局"
    assert raw.row_numbers.tolist() == [2, 3, 4, 5]


def test_plain_ascii_is_utf8():
    assert detect_encoding(b"a,b\n1,2\n", "t.csv") == ("utf-8", None)


def test_gb18030_rare_characters_in_a_chinese_file_are_accepted():
    # A few characters outside GBK (4-byte GB18030) among ordinary Chinese text.
    text = "name\n" + "区市场监管局东湖街道西山镇人力社保局" * 3 + "𠀀\n"
    assert detect_encoding(text.encode("gb18030"), "t.csv")[0] == "gb18030"


REJECTED = {
    # name: (bytes, row, words of the message)
    "big5": (UNITS_TEXT.translate(TRADITIONAL).encode("big5"), 2, "unrecognised encoding"),
    "latin-1": ("name,city\nA,Café,x\n".encode("latin-1"), 2, "neither UTF-8 nor GB18030"),
    "utf-16-bom": (UNITS_TEXT.encode("utf-16"), None, "UTF-16"),
    "utf-16-be-bom": (codecs.BOM_UTF16_BE + UNITS_TEXT.encode("utf-16-be"), None, "UTF-16"),
    "utf-32-bom": (UNITS_TEXT.encode("utf-32"), None, "UTF-32"),
    "utf-16-le-no-bom": (UNITS_TEXT.encode("utf-16-le"), 1, "NUL bytes"),
    "utf-16-be-no-bom": (UNITS_TEXT.encode("utf-16-be"), 1, "NUL bytes"),
    "nul-in-utf8": (b"a,b\n1,2\n3,\x004\n", 3, "NUL bytes"),
    "bom-then-invalid-utf8": (codecs.BOM_UTF8 + b"a,b\n1,2\n\xff\xfe,3\n", 3,
                              "a UTF-8 byte-order mark but invalid UTF-8 bytes on line 3"),
    "neither-utf8-nor-gb18030": (b"a,b\n1,2\n3,\xff\n", 3, "neither UTF-8 nor GB18030"),
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_other_encodings_are_rejected_with_the_line(name, tmp_path):
    data, row, words = REJECTED[name]
    raw, problems = read(tmp_path, data)
    assert raw is None
    p = the_problem(problems)
    assert (p.file, p.row, p.column) == ("t.csv", row, None)
    assert words in p.found
    assert "UTF-8" in p.expected and "GB18030" in p.expected




@pytest.mark.parametrize("text, encoding", [
    pytest.param("unit_id,name_zh\nD01,市場監督管理局\n", "big5", id="big5-unit-name"),
    pytest.param("unit_id,name_zh\nS01,東湖街道辦事處\n", "big5", id="big5-subdistrict"),
    pytest.param("名前\n東京都庁\nこんにちは\n", "shift_jis", id="shift-jis"),
    pytest.param("name\nZürich\n", "latin-1", id="latin-1-accent-before-letter"),
])
def test_legacy_encodings_that_decode_as_gbk_characters_are_rejected(text, encoding):
    enc, problem = detect_encoding(text.encode(encoding), "t.csv")
    assert enc is None and problem is not None


@pytest.mark.parametrize("data", [b"", b"\n\n\r\n", b"   \n", codecs.BOM_UTF8, b"\x00\x00"])
def test_empty_files(data, tmp_path):
    raw, problems = read(tmp_path, data)
    assert raw is None
    p = the_problem(problems)
    assert (p.row, p.column, p.found) == (None, None, "an empty file")


def _blobs() -> dict[str, bytes]:
    rng = random.Random(20240)
    blobs = {f"random-{i}": bytes(rng.randrange(256) for _ in range(300)) for i in range(4)}
    blobs["png"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(40))
    blobs["zip"] = b"PK\x03\x04" + bytes(60)
    blobs["quote-soup"] = b'a,b\n"1,"2""\n"""\n,,,\n"'
    blobs["header-commas"] = b",,,\n1,2,3\n"
    return blobs


@pytest.mark.parametrize("name", sorted(_blobs()))
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".xlsx", ".xlsm", ".xls", ".parquet"])
def test_garbage_never_raises(name, suffix, tmp_path):
    """Any bytes give problems (or a frame), never an exception."""
    path = write(tmp_path, _blobs()[name], "ratings" + suffix)
    raw, problems = read_file(path, path.name)
    if raw is None:
        assert problems and all(isinstance(p, Problem) for p in problems)
    else:
        check_table(raw, TABLES["ratings"], 2024)


# ----------------------------------------------------------------------------------------
# CSV structure and line numbers
# ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, rows", [
    ("a,b\n1,2\n3,4\n", [2, 3]),
    ("a,b\n1,2\n\n3,4\n\n\n5,6\n", [2, 4, 7]),                # blank lines are skipped
    ('a,b\n"x\ny",2\n3,4\n', [2, 4]),                          # a quoted newline
    ('a,b\r\n"x\r\ny",2\r\n\r\n3,4\r\n', [2, 5]),             # both, with CRLF
    ('a,b\n"one\ntwo\nthree",2\n\n"1,5",6\n', [2, 6]),        # three-line field, quoted comma
    ("a,b\n1,2\n\n", [2]),                                     # trailing blank line
    ("\n\na,b\n1,2\n", [4]),                                   # blank lines above the header
    ("a,b\n1,2\n,\n3,4\n,\n , \n", [2, 4]),                      # rows of only commas (and blanks)
    ('a,b\n"x\ny",2\n,\n3,4\n,,\n', [2, 5]),                     # … after a quoted newline
    ("a\tb\n1\t2\n\t\n3\t4\n", [2, 4]),                         # tab-separated
])
def test_csv_line_numbers(text, rows, tmp_path):
    raw, problems = read(tmp_path, text)
    assert problems == []
    assert raw.row_numbers.tolist() == rows
    assert len(raw.frame) == len(rows)


def test_quoted_newline_kept_in_value(tmp_path):
    raw, _ = read(tmp_path, 'a,b\n"预算\n执行",2\n')
    assert raw.frame.loc[0, "a"] == "预算\n执行"


def test_trailing_commas_on_every_data_row_are_tolerated(tmp_path):
    raw, problems = read(tmp_path, "a,b\n1,2,\n3,4,\n")
    assert problems == []
    assert raw.frame.to_dict("list") == {"a": ["1", "3"], "b": ["2", "4"]}


@pytest.mark.parametrize("text, line, fields", [
    ("a,b\n1,2,3\n4,5,6\n", 2, 3),     # pandas used to make column a the index and shift b
    ("a,b\n1,2,3\n4,5\n", 2, 3),
    ("a,b\n1,2\n4,5,6\n", 3, 3),
    ('a,b\n"x\ny",2\n4,5,6,7\n', 4, 4),
])
def test_rows_longer_than_the_header_are_rejected_with_their_line(text, line, fields, tmp_path):
    raw, problems = read(tmp_path, text)
    assert raw is None
    p = the_problem(problems)
    assert p.row == line
    assert p.found == f"{fields} fields on line {line}, the header has 2"


def test_short_rows_are_padded_and_reported_per_cell(tmp_path):
    text = "unit_id,name_zh,name_en,peer_group,unit_class\nD01,区财政局,,department,综合管理类\nD02,区教育局\n"
    raw, problems = read(tmp_path, text, "units.csv")
    assert problems == []
    _, problems = check_table(raw, TABLES["units"], None)
    assert {(p.row, p.column) for p in problems} == {(3, "peer_group"), (3, "unit_class")}


def test_duplicate_headers_are_kept_as_written(tmp_path):
    raw, _ = read(tmp_path, "a,b,a\n1,2,3\n")
    assert list(raw.frame.columns) == ["a", "b", "a"]


# ----------------------------------------------------------------------------------------
# Excel
# ----------------------------------------------------------------------------------------

def _xlsx(path: Path, rows: list[list], sheets: int = 1, merge: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位"
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    for extra in range(len(rows) + 1, len(rows) + 4):  # formatted but empty trailing rows
        ws.cell(extra, 1).number_format = "0.00"
    for k in range(1, sheets):
        wb.create_sheet(f"Sheet{k + 1}").append(["ignored"])
    wb.save(path)
    return path


def test_xlsx_cells_become_text_and_sheet_rows(tmp_path):
    path = _xlsx(tmp_path / "t.xlsx", [
        ["id", "code", "day", "at", "flag", "amount", "text"],
        [1001, 1001.0, dt.datetime(2024, 1, 8), dt.datetime(2024, 1, 10, 9, 30), True, 76.5, "007"],
        [None, None, None, None, None, None, None],  # blank sheet row 3
        ["D02", 42, dt.date(2024, 12, 31), dt.datetime(2024, 12, 30, 16, 0, 5), False, 1e20, " x "],
    ])
    raw, problems = read_xlsx(path, "t.xlsx")
    assert problems == []
    assert raw.fmt == "xlsx" and raw.display == "t.xlsx"
    assert raw.row_numbers.tolist() == [2, 4]  # blank and trailing rows dropped
    assert raw.frame.iloc[0].tolist() == ["1001", "1001", "2024-01-08", "2024-01-10 09:30:00",
                                          "1", "76.5", "007"]
    assert raw.frame.iloc[1].tolist()[:5] == ["D02", "42", "2024-12-31", "2024-12-30 16:00:05", "0"]


def test_xlsx_numeric_unit_ids_and_excel_dates_through_the_contract(tmp_path):
    path = _xlsx(tmp_path / "units.xlsx", [
        ["单位编码", "单位名称", "考核组别", "单位类别"],
        [1001, "区财政局", "部门", "综合管理类"],
        [1002, "东湖街道", "subdistrict", "街道"],
    ])
    raw, _ = read_xlsx(path, "units.xlsx")
    ct, problems = check_table(raw, TABLES["units"], None)
    assert [p for p in problems if p.severity == "error"] == []
    assert ct.frame["unit_id"].tolist() == ["1001", "1002"]
    assert ct.frame["peer_group"].tolist() == ["department", "subdistrict"]


@pytest.mark.parametrize("merge, row", [("A1:C1", 1), ("A2:B2", 2)])
def test_xlsx_merged_header_cells_are_rejected(merge, row, tmp_path):
    rows = [["2024年台账", None, None], ["unit_id", "name_zh", "x"], ["D01", "区财政局", 1]]
    path = _xlsx(tmp_path / "t.xlsx", rows, merge=merge)
    raw, problems = read_xlsx(path, "t.xlsx")
    assert raw is None
    p = the_problem(problems)
    assert (p.row, p.column) == (row, None)
    assert p.found.startswith(f"merged cells {merge}")


def test_xlsx_only_the_first_sheet_is_read_and_named(tmp_path):
    path = _xlsx(tmp_path / "t.xlsx", [["a", "b"], [None, None], ["1", "2"]], sheets=2)
    raw, _ = read_xlsx(path, "t.xlsx")
    assert raw.display == "t.xlsx (sheet '单位')"
    assert raw.frame.to_dict("list") == {"a": ["1"], "b": ["2"]}
    assert raw.row_numbers.tolist() == [3]


def test_xlsx_empty_sheet_and_empty_first_row(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    assert the_problem(read_xlsx(path, "e.xlsx")[1]).found == "an empty sheet"
    path = _xlsx(tmp_path / "gap.xlsx", [[None, None], ["a", "b"], ["1", "2"]])
    p = the_problem(read_xlsx(path, "g.xlsx")[1])
    assert (p.row, p.found) == (1, "an empty first row")


# ----------------------------------------------------------------------------------------
# Headers, categories and cell conversion
# ----------------------------------------------------------------------------------------

UNITS_ZH = ("单位编码,单位名称,英文名称,考核组别,单位类别\n"
            "D01,区市场监管局,,部门,执法监管类\n"
            "S01,东湖街道,,街镇,街道\n"
            "S02,西山镇,,乡镇,镇\n")


def test_chinese_header_aliases_and_problems_name_the_written_header(tmp_path):
    raw, _ = read(tmp_path, UNITS_ZH, "units.csv")
    ct, problems = check_table(raw, TABLES["units"], None)
    assert ct.headers["unit_id"] == "单位编码"
    assert ct.frame["unit_id"].tolist() == ["D01", "S01", "S02"]
    # 乡镇 is not a label of peer_group: reported under the header as written, on line 4.
    p = the_problem(problems)
    assert (p.file, p.row, p.column) == ("units.csv", 4, "考核组别")
    assert "department (部门), subdistrict (街镇)" in p.expected


def test_english_headers_are_case_insensitive_and_unknown_columns_warn(tmp_path):
    text = "Unit_ID,NAME_ZH,peer_group,unit_class,备注\nD01,区财政局,department,综合管理类,ok\n"
    raw, _ = read(tmp_path, text, "units.csv")
    ct, problems = check_table(raw, TABLES["units"], None)
    assert ct is not None and ct.frame["name_zh"].tolist() == ["区财政局"]
    assert [(p.severity, p.row, p.column) for p in problems] == [("warning", 1, "备注")]


def _convert(values: list, table: str, column: str):
    col = TABLES[table].column(column)
    return convert_column(pd.Series(values, dtype=object), col)


def test_chinese_category_labels_are_normalised_to_codes():
    values, empty, bad = _convert(["全程网办", "窗口办理", "online", "OFFLINE", " online ", "",
                                   "网办"], "service_cases", "channel")
    assert values.tolist()[:5] == ["online", "offline", "online", "offline", "online"]
    assert empty.tolist() == [False] * 5 + [True, False]
    assert bad.tolist() == [False] * 6 + [True]
    values, _, bad = _convert(["非常满意", "不满意", "very_dissatisfied", "基本满意"],
                              "service_cases", "rating")
    assert values.tolist() == ["very_satisfied", "dissatisfied", "very_dissatisfied",
                               "fairly_satisfied"]
    assert not bad.any()


def test_bool_spellings():
    values, _, bad = _convert(["是", "否", "Y", "n", "TRUE", "false", "1", "0", "√", "×", "maybe"],
                              "service_cases", "instant")
    assert values.tolist()[:10] == [True, False] * 5
    assert bad.tolist() == [False] * 10 + [True]


def test_money_and_date_spellings():
    values, _, bad = _convert(["¥1,200", "1，200元", "-50", "1.5万"], "budget_lines",
                              "adjustment_yuan")
    assert values.tolist()[:3] == [1200.0, 1200.0, -50.0]
    assert bad.tolist() == [False, False, False, True]
    values, _, bad = _convert(["2024-01-08", "2024/1/8", "2024年1月8日", "2024.01.08",
                               "2024-02-30"], "service_cases", "received_date")
    assert values.iloc[:4].tolist() == [pd.Timestamp("2024-01-08")] * 4
    assert bad.tolist() == [False] * 4 + [True]


def test_datetime_cells_that_used_to_raise():
    values, _, bad = _convert(["2024-01-10 09:00:00.123", "2024-01-10T09:00:00+08:00",
                               "2024-01-10 09:00Z", "2024.01.10 09:00", "9999-12-31 00:00",
                               "0001-01-01 00:00"], "hotline_tickets", "dispatched_at")
    assert values.iloc[0] == pd.Timestamp("2024-01-10 09:00:00.123")
    assert values.iloc[3] == pd.Timestamp("2024-01-10 09:00")
    assert bad.tolist() == [False, True, True, False, True, True]
    assert str(values.dtype) == "datetime64[ns]"


def test_stored_datetimes_time_zones_and_out_of_range():
    col = TABLES["hotline_tickets"].column("dispatched_at")
    aware = pd.Series(pd.to_datetime(["2024-01-10 09:00"]).tz_localize("Asia/Shanghai"))
    values, _, bad = convert_column(aware, col)
    assert values.tolist() == [pd.Timestamp("2024-01-10 09:00")] and not bad.any()
    wide = pd.Series(pd.array([dt.datetime(9999, 12, 31), dt.datetime(2024, 1, 1), None],
                              dtype="datetime64[ms]"))
    values, empty, bad = convert_column(wide, col)
    assert bad.tolist() == [True, False, False] and empty.tolist() == [False, False, True]
    assert str(values.dtype) == "datetime64[ns]"


def test_numbers_that_are_infinite_or_too_large_are_reported():
    _, _, bad = _convert(["inf", "-inf", "nan", "1e400", "12.5"], "budget_lines", "spending_yuan")
    assert bad.tolist() == [True, True, True, True, False]
    values, _, bad = _convert(["99999999999999999999999", "inf", "1e3", "-0"], "budget_lines",
                              "month")
    assert bad.tolist() == [True, True, False, False]
    assert values.iloc[2:].tolist() == [1000, 0]
    col = TABLES["budget_lines"].column("month")
    values, empty, bad = convert_column(pd.Series([1e23, np.inf, 3.0, np.nan]), col)
    assert bad.tolist() == [True, True, False, False] and empty.tolist() == [False] * 3 + [True]
    assert str(values.dtype) == "Int64"


def test_int_column_rejects_fractions_but_accepts_integral_floats():
    values, _, bad = _convert(["3", "3.0", "3.5", "三"], "budget_lines", "month")
    assert values.iloc[:2].tolist() == [3, 3]
    assert bad.tolist() == [False, False, True, True]


# ----------------------------------------------------------------------------------------
# At most 10 rows per check, then one summary line
# ----------------------------------------------------------------------------------------

def _ratings(n: int, score: str, group: str = "leader") -> str:
    rows = [f"R001,{group},U{i:03d},overall,{score}" for i in range(n)]
    return "rater_id,rater_group,unit_id,criterion,score\n" + "\n".join(rows) + "\n"


def test_ten_rows_per_check_then_a_summary(tmp_path):
    assert MAX_ROWS_PER_CHECK == 10
    raw, _ = read(tmp_path, _ratings(13, "150"), "2024/ratings.csv")
    _, problems = check_table(raw, TABLES["ratings"], 2024)
    assert [(p.row, p.column) for p in problems] == [(r, "score") for r in range(2, 12)] + [
        (None, "score")]
    assert problems[-1].found == "the same problem on 3 more row(s) (first rows listed above)"
    assert problems[0].expected == "a value from 0 to 100"


def test_the_cap_applies_per_column_and_check(tmp_path):
    raw, _ = read(tmp_path, _ratings(12, "abc", group="boss"), "2024/ratings.csv")
    _, problems = check_table(raw, TABLES["ratings"], 2024)
    by_column = {c: [p for p in problems if p.column == c] for c in ("rater_group", "score")}
    for column, items in by_column.items():
        assert len(items) == 11, column
        assert items[-1].row is None and "2 more row(s)" in items[-1].found
    assert len(problems) == 22


def test_exactly_ten_bad_rows_give_no_summary(tmp_path):
    raw, _ = read(tmp_path, _ratings(10, "-1"), "2024/ratings.csv")
    _, problems = check_table(raw, TABLES["ratings"], 2024)
    assert [p.row for p in problems] == list(range(2, 12))


def test_printed_report_lists_the_summary_after_the_rows(tmp_path):
    raw, _ = read(tmp_path, _ratings(12, "150"), "2024/ratings.csv")
    _, problems = check_table(raw, TABLES["ratings"], 2024)
    problems.append(Problem("2024/ratings.csv", None, None, "x", "a whole-file problem"))
    out = io.StringIO()
    _print_problems(problems, stream=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2024/ratings.csv"
    assert lines[1].startswith("  ERROR   file: ")
    assert lines[2].startswith("  ERROR   row 2, column 'score': ")
    assert lines[11].startswith("  ERROR   row 11, column 'score': ")
    assert lines[12].startswith("  ERROR   column 'score': ") and "2 more row(s)" in lines[12]


def test_printed_report_limit_stops_before_the_next_file():
    problems = [Problem(f"f{i}.csv", 2, "a", "x", "y") for i in range(5)]
    out = io.StringIO()
    _print_problems(problems, stream=out, limit=2)
    assert out.getvalue().splitlines() == [
        "f0.csv", "  ERROR   row 2, column 'a': expected x; found y",
        "f1.csv", "  ERROR   row 2, column 'a': expected x; found y"]


def test_row_numbers_are_numpy_ints_usable_as_python_ints(tmp_path):
    raw, _ = read(tmp_path, _ratings(2, "500"), "2024/ratings.csv")
    _, problems = check_table(raw, TABLES["ratings"], 2024)
    assert all(type(p.row) is int for p in problems)
    assert isinstance(raw.row_numbers, np.ndarray)
