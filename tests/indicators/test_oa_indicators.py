"""Office-automation indicators (岗位履职, ``oa_documents``) worked by hand across holiday weeks.

Holidays of 2024 per the State Council notice 国办发明电〔2023〕7号 (国务院办公厅关于2024年部分节假日
安排的通知):

* Spring Festival: Sat 10 – Sat 17 February off; Sun 4 February and Sun 18 February are
  make-up working days (调休). Fri 9 February (除夕) is a working day.
* National Day: Tue 1 – Mon 7 October off; Sun 29 September and Sat 12 October are make-up
  working days.
* 1 January 2025 (Wed) is a holiday; Tue 31 December 2024 is a working day.

Conventions (evalkit.indicators.oa): handling days = working days in (received, closed] — the
day received is day 0, times of day ignored; on time when ≤ ``limit_days``; 应办结 = closed
documents + open ones whose limit ran out by 31 December (late); overdue backlog = open at
the end of 31 December and past the limit; the median of an even count is the mean of the
two middle values.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit import working_days_between
from evalkit.cli import main
from evalkit.data.dataset import load_dataset, validate_directory
from evalkit.indicators import compute_indicators
from evalkit.indicators import oa
from evalkit.qualitative.rubric import ANONYMITY_FLOOR
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024
UNITS = ("D01", "D02", "D03", "S01")


def doc(unit, received, closed=None, limit=5, post="clerk", kind="incoming", assigned=None):
    return {"unit_id": unit, "post_type": post, "kind": kind, "received_at": received,
            "assigned_at": assigned, "closed_at": closed, "limit_days": limit}


# D01: the two holiday weeks, every document closed.
HOLIDAY_DOCS = [
    # A1 Fri 2 Feb → Thu 8 Feb: Sun 4 (调休, 1), Mon 5 (2), Tue 6 (3), Wed 7 (4), Thu 8 (5)
    #    = 5 ≤ 5 → on time. Without the make-up Sunday it would be 4.
    doc("D01", "2024-02-02 10:00", "2024-02-08 16:00", limit=5),
    # A2 Fri 2 Feb → Fri 9 Feb: 6 > 5 → late (Mon–Fri counting gives 5: "on time").
    doc("D01", "2024-02-02 10:00", "2024-02-09 09:00", limit=5),
    # B  Thu 8 Feb, before the holiday → Mon 19 Feb, after it: Fri 9 (1), [10–17 off],
    #    Sun 18 (调休, 2), Mon 19 (3) = 3 ≤ 3 → on time (11 calendar days).
    doc("D01", "2024-02-08 17:20", "2024-02-19 11:00", limit=3, post="section_chief"),
    # D  received Sat 10 Feb, a holiday (day 0 all the same) → Mon 19 Feb: Sun 18 (1),
    #    Mon 19 (2) = 2 > 1 → late.
    doc("D01", "2024-02-10 09:00", "2024-02-19 09:00", limit=1, post="section_chief"),
    # E  Fri 27 Sep → Tue 8 Oct: Sun 29 Sep (调休, 1), Mon 30 (2), [1–7 Oct off], Tue 8 (3)
    #    = 3 ≤ 3 → on time.
    doc("D01", "2024-09-27 15:00", "2024-10-08 10:00", limit=3, post="deputy_head"),
    # F  Mon 30 Sep 17:30 → Sat 12 Oct (调休): Tue 8 (1) … Fri 11 (4), Sat 12 (5) = 5 > 4 → late.
    doc("D01", "2024-09-30 17:30", "2024-10-12 16:00", limit=4, post="deputy_head"),
]

# D02: year end and the rest of the holiday cases.
YEAR_END_DOCS = [
    # I  open, received Fri 20 Dec, limit 5: (20 Dec, 31 Dec] = 23–27 (5) + 30, 31 (2) = 7 ≥ 5
    #    → due, late, overdue backlog.
    doc("D02", "2024-12-20 09:00", None, limit=5),
    # J  open, received Tue 24 Dec, limit 5: 25, 26, 27, 30, 31 = 5 ≥ 5 → the deadline is
    #    Tue 31 Dec itself: open at the end of that day → due, late, backlog.
    doc("D02", "2024-12-24 09:00", None, limit=5),
    # K  open, received Wed 25 Dec, limit 5: 26, 27, 30, 31 = 4 < 5 → not yet due: left out
    #    of the rate, not backlog.
    doc("D02", "2024-12-25 09:00", None, limit=5),
    # L  received Fri 20 Dec, closed Fri 3 Jan 2025: 7 + Thu 2 Jan (1 Jan off), Fri 3 = 9 > 5
    #    → late; open at year end and past its limit → backlog too.
    doc("D02", "2024-12-20 09:00", "2025-01-03 10:00", limit=5),
    # M  received Thu 26 Dec, closed Thu 2 Jan 2025: 27, 30, 31, 2 Jan = 4 ≤ 5 → on time;
    #    open at year end but only 3 working days had passed → not backlog.
    doc("D02", "2024-12-26 09:00", "2025-01-02 10:00", limit=5),
    # C  Fri 9 Feb (除夕, a working day) → Sun 18 Feb (调休): 1 ≤ 1 → on time.
    doc("D02", "2024-02-09 16:00", "2024-02-18 10:00", limit=1),
    # G  received Tue 1 Oct, a holiday → Tue 8 Oct: 1 ≤ 1 → on time.
    doc("D02", "2024-10-01 10:00", "2024-10-08 09:00", limit=1),
    # H  closed the day it came in: 0 ≤ 1 → on time (times of day ignored).
    doc("D02", "2024-03-05 09:00", "2024-03-05 17:00", limit=1),
]

# S01: one open document not yet due at year end (received Mon 30 Dec, limit 3: 1 day passed).
NOT_DUE_DOCS = [doc("S01", "2024-12-30 10:00", None, limit=3)]


def oa_ds(rows=None, units=UNITS):
    rows = HOLIDAY_DOCS + YEAR_END_DOCS + NOT_DUE_DOCS if rows is None else rows
    return make_dataset(units=units, tables={(Y, "oa_documents"): rows})


def test_the_hand_counts_agree_with_the_public_working_day_function():
    # the same helper as every other time limit: evalkit.working_days_between
    for start, end, days in [("2024-02-02", "2024-02-08", 5), ("2024-02-02", "2024-02-09", 6),
                             ("2024-02-08", "2024-02-19", 3), ("2024-02-10", "2024-02-19", 2),
                             ("2024-09-27", "2024-10-08", 3), ("2024-09-30", "2024-10-12", 5),
                             ("2024-12-20", "2024-12-31", 7), ("2024-12-24", "2024-12-31", 5),
                             ("2024-12-25", "2024-12-31", 4), ("2024-12-20", "2025-01-03", 9),
                             ("2024-12-26", "2025-01-02", 4), ("2024-02-09", "2024-02-18", 1),
                             ("2024-10-01", "2024-10-08", 1), ("2024-03-05", "2024-03-05", 0)]:
        assert working_days_between(start, end) == days, (start, end)
    rows = oa.document_days(oa_ds(), Y)
    assert rows["handling_days"].head(6).tolist() == [5, 6, 3, 2, 3, 5]


def test_on_time_rate_across_holiday_weeks():
    out = oa.oa_on_time_rate(oa_ds(), Y)
    assert_shape(out, list(UNITS))
    # D01: on time A1, B, E = 3 of 6 closed → 50 %.
    assert_row(out, "D01", 50.0, 3, 6, n=6)


def test_on_time_rate_counts_open_documents_past_their_limit_as_late():
    out = oa.oa_on_time_rate(oa_ds(), Y)
    # D02: due I, J, L, M, C, G, H = 7 (K not yet due); on time M, C, G, H = 4 → 4/7.
    assert_row(out, "D02", 400.0 / 7, 4, 7, n=7)
    assert_no_data(out, "D03")           # no document at all
    assert_no_data(out, "S01")           # its only document is not yet due


def test_median_handling_days_even_and_odd_counts():
    out = oa.oa_median_handling_days(oa_ds(), Y)
    # D01: 5, 6, 3, 2, 3, 5 → 2, 3, 3, 5, 5, 6: an even count, the mean of 3 and 5 = 4.
    assert_row(out, "D01", 4.0, n=6)
    # D02: closed L 9, M 4, C 1, G 1, H 0 → 0, 1, 1, 4, 9: the middle value 1 (open ones left out).
    assert_row(out, "D02", 1.0, n=5)
    assert_no_data(out, "D03")
    assert_no_data(out, "S01")           # nothing closed


def test_overdue_backlog_at_year_end():
    out = oa.oa_overdue_backlog(oa_ds(), Y)
    assert_row(out, "D01", 0.0, n=6)     # a count: 0, not "no data", for a unit with documents
    assert_row(out, "D02", 3.0, n=8)     # I, J and L (closed only in January)
    assert_row(out, "S01", 0.0, n=1)     # open but not yet due
    assert_no_data(out, "D03")


def test_a_working_day_override_moves_the_deadline():
    # With 除夕 (Fri 9 Feb 2024) declared a day off in workdays.csv, A2 takes 5 working days
    # and is on time: D01 4 of 6.
    overrides = pd.DataFrame({"date": pd.to_datetime(["2024-02-09"]), "workday": [False]})
    ds = dataclasses.replace(oa_ds(HOLIDAY_DOCS), workday_overrides=overrides)
    assert_row(oa.oa_on_time_rate(ds, Y), "D01", 400.0 / 6, 4, 6, n=6)


def test_compute_indicators_gives_the_same_values():
    ds = oa_ds()
    table = compute_indicators(ds, Y, ["oa_on_time_rate", "oa_median_handling_days", "oa_overdue_backlog"])
    for code, fn in (("oa_on_time_rate", oa.oa_on_time_rate), ("oa_median_handling_days", oa.oa_median_handling_days),
                     ("oa_overdue_backlog", oa.oa_overdue_backlog)):
        got = table[table["indicator"] == code].drop(columns="indicator").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, fn(ds, Y))


def test_no_oa_file_gives_no_data():
    ds = make_dataset(units=UNITS)
    for fn in (oa.oa_on_time_rate, oa.oa_median_handling_days, oa.oa_overdue_backlog):
        out = fn(ds, Y)
        for unit in UNITS:
            assert_no_data(out, unit)
    assert oa.oa_by_post(ds, Y).empty and oa.oa_unit_table(ds, Y).empty


# ----------------------------------------------------------------------------------------
# Per post type: office only, suppressed below the anonymity floor
# ----------------------------------------------------------------------------------------

def test_per_post_figures_follow_the_unit_conventions_and_suppress_small_posts():
    assert ANONYMITY_FLOOR == 3
    rows = HOLIDAY_DOCS + [
        # three more 科员 documents in D01, so that 科员 (A1, A2 + these) has 5
        doc("D01", "2024-03-04 09:00", "2024-03-06 09:00", limit=2),      # 2 ≤ 2 on time
        doc("D01", "2024-03-04 09:00", "2024-03-08 09:00", limit=2),      # 4 > 2 late
        doc("D01", "2024-12-02 09:00", None, limit=5),                    # open, overdue
    ]
    table = oa.oa_by_post(oa_ds(rows), Y)
    assert list(table.columns) == oa.POST_COLUMNS
    by_post = table.set_index("post_type")
    assert list(by_post.index) == ["clerk", "section_chief", "deputy_head"]  # the contract's order
    clerk = by_post.loc["clerk"]
    # 科员: A1 (5, on time), A2 (6, late), 2 (on time), 4 (late), open overdue
    assert not clerk["suppressed"] and clerk["n_documents"] == 5
    assert clerk["n_due"] == 5 and clerk["n_closed"] == 4
    assert clerk["oa_on_time_rate"] == pytest.approx(40.0)
    assert clerk["oa_median_handling_days"] == pytest.approx(4.5)   # 2, 4, 5, 6 → (4 + 5) / 2
    assert clerk["oa_overdue_backlog"] == 1
    # 科长 (B, D) and 分管领导 (E, F): two documents each, below the floor of 3
    for post in ("section_chief", "deputy_head"):
        r = by_post.loc[post]
        assert r["suppressed"] and r["n_documents"] == 2
        assert np.isnan(r["oa_on_time_rate"]) and np.isnan(r["oa_median_handling_days"])
        assert np.isnan(r["oa_overdue_backlog"]) and pd.isna(r["n_due"]) and pd.isna(r["n_closed"])
    assert by_post.loc["section_chief", "post_type_zh"] == "科长"


def test_a_post_at_the_floor_is_shown():
    rows = [doc("D01", "2024-03-04 09:00", "2024-03-05 09:00", limit=1, post="head")] * 3
    rows = [dict(r, closed_at=c) for r, c in zip(rows, ["2024-03-05 09:00", "2024-03-06 09:00", None])]
    r = oa.oa_by_post(oa_ds(rows), Y).iloc[0]
    # 3 documents = the floor: published. Due 3 (the open one since 5 March), on time 1.
    assert not r["suppressed"] and r["n_documents"] == 3
    assert r["oa_on_time_rate"] == pytest.approx(100 / 3) and r["oa_overdue_backlog"] == 1
    assert r["oa_median_handling_days"] == 1.5


def test_unit_table_holds_no_post_type():
    table = oa.oa_unit_table(oa_ds(), Y)
    assert list(table.columns) == oa.UNIT_COLUMNS and "post_type" not in table.columns
    d02 = table.set_index("unit_id").loc["D02"]
    assert (d02["n_documents"], d02["n_due"], d02["n_closed"], d02["oa_overdue_backlog"]) == (8, 7, 5, 3)
    assert d02["oa_on_time_rate"] == pytest.approx(400 / 7) and d02["oa_median_handling_days"] == 1.0
    assert "D03" not in set(table["unit_id"])  # units without documents are left out


# ----------------------------------------------------------------------------------------
# Validation: file, row and column of every bad cell
# ----------------------------------------------------------------------------------------

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "malformed" / "_base"
HEADER = "doc_id,unit_id,post_type,kind,received_at,assigned_at,closed_at,limit_days\n"


def _data_dir(tmp_path: Path, body: str, name: str = "oa_documents.csv", header: str = HEADER) -> Path:
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    (data / "2024" / name).write_text(header + body, encoding="utf-8")
    return data


def _errors(data: Path):
    return [p for p in validate_directory(data) if p.severity == "error"]


def test_a_valid_file_with_chinese_labels_and_headers_loads(tmp_path):
    header = "文件编号,单位编码,办理岗位,文件类型,收文时间,分办时间,办结时间,办理时限\n"
    data = _data_dir(tmp_path, "OA1,D01,科员,收文,2024-02-08 09:00,2024-02-08 10:00,2024-02-19 11:00,3\n"
                               "OA2,S01,分管领导,会议纪要落实,2024-12-20 09:00,,,5\n",
                     name="办公自动化公文办理.csv", header=header)
    assert _errors(data) == []
    table = load_dataset(data).table("oa_documents", 2024)
    assert table["post_type"].tolist() == ["clerk", "deputy_head"]
    assert table["kind"].tolist() == ["incoming", "minutes"]


def test_bad_rows_are_named_by_file_row_and_column(tmp_path):
    data = _data_dir(tmp_path,
                     "OA1,D01,张三,收文,2024-02-08 09:00,,2024-02-19 11:00,3\n"        # row 2: a name
                     "OA2,D01,clerk,收文,2024-02-08 09:00,,2024-02-07 11:00,3\n"       # row 3: closed first
                     "OA3,D01,clerk,发文,2024-02-08 09:00,2024-02-09 09:00,2024-02-08 18:00,3\n"  # row 4
                     "OA4,D01,clerk,督办,2024-02-08 09:00,,,0\n"                        # row 5: limit 0
                     "OA5,D01,clerk,督办,2023-12-29 09:00,,,5\n"                        # row 6: 2023
                     "OA6,X99,clerk,督办,2024-03-01 09:00,,,5\n")                       # row 7: unit
    errors = {(p.row, p.column): p for p in _errors(data)}
    assert all(p.file.endswith("oa_documents.csv") for p in errors.values())
    assert set(errors) == {(2, "post_type"), (3, "closed_at"), (4, "closed_at"), (5, "limit_days"),
                           (6, "received_at"), (7, "unit_id")}
    name = errors[(2, "post_type")]
    assert "'张三'" in name.found and "clerk (科员)" in name.expected and "head (主要领导)" in name.expected
    assert "closed_at ≥ received_at" in errors[(3, "closed_at")].expected
    assert "closed_at ≥ assigned_at" in errors[(4, "closed_at")].expected
    assert "1 to 365 working days" in errors[(5, "limit_days")].expected
    assert "a date in 2024" in errors[(6, "received_at")].expected
    assert "X99" in errors[(7, "unit_id")].found


def test_free_text_post_is_refused(tmp_path):
    # a job title written out, a role with a person's name, a staff number: none is a code
    data = _data_dir(tmp_path, "OA1,D01,办公室科员李四,收文,2024-02-08 09:00,,,3\n"
                               "OA2,D01,科长(王五),收文,2024-02-08 09:00,,,3\n"
                               "OA3,D01,0012345,收文,2024-02-08 09:00,,,3\n")
    assert {(p.row, p.column) for p in _errors(data)} == {(2, "post_type"), (3, "post_type"), (4, "post_type")}


# ----------------------------------------------------------------------------------------
# The office-only command
# ----------------------------------------------------------------------------------------

def test_oa_posts_command_writes_the_office_table(tmp_path, capsys):
    data = _data_dir(tmp_path, "".join(
        f"OA{i},D01,{post},收文,2024-03-0{4 + i % 3} 09:00,,2024-03-11 09:00,5\n"
        for i, post in enumerate(["clerk"] * 4 + ["head"] * 2)))
    out = tmp_path / "posts.csv"
    assert main(["oa-posts", "--data", str(data), "--year", "2024", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "EVALUATION OFFICE ONLY" in printed and "2 rows" in printed and "1 with fewer than 3" in printed
    table = pd.read_csv(out)
    assert table["post_type"].tolist() == ["clerk", "head"]
    assert table["suppressed"].tolist() == [False, True] and table["oa_on_time_rate"].isna().tolist() == [False, True]
    assert main(["oa-posts", "--data", str(data), "--out", str(tmp_path / "x.txt")]) == 2
