"""Edges of the working-day calendar (evalkit/data/workdays.py), pinned by hand.

Written against the surviving mutants of ``python benchmarks/mutation.py workdays``
(issue 18): the first and last day of a calendar, a deadline one day past its end, the
exact error messages (they name the row and column of a bad override file), several date
columns, an empty input, ``margin_days``, and the ``true``/``false`` spelling of override
flags.

Calendar facts used below (2024, State Council notice 国办发明电〔2023〕7号, as packaged
by ``chinese_calendar``): Fri 1 March and Mon 4 – Fri 8 March are working days, Sat 2 and
Sun 3 March are not; Qingming is Thu 4 – Sat 6 April, with Sun 7 April worked; Labour Day
is 1–5 May with Sun 28 April and Sat 11 May worked.
"""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from evalkit.data.workdays import WorkCalendar, calendar_for_dates, load_overrides
from evalkit.errors import EvalkitError

D = "datetime64[D]"
# Fri 1 March .. Sun 31 March 2024: 21 working days (4 full weeks of 5, plus Fri 1 March).
MARCH = WorkCalendar.build("2024-03-01", "2024-03-31")
OUTSIDE = re.escape("working-day calendar covers 2024-03-01..2024-03-31; a date outside it was given")


def dates(*values):
    return np.array(values, dtype=D)


# --- build ---------------------------------------------------------------------------------

def test_cumulative_counts_each_day_of_the_first_week():
    # Fri 1 (work) Sat 2, Sun 3 (off) Mon 4 .. Fri 8 (work): running count 1 1 1 2 3 4 5 6
    assert MARCH.cumulative[:8].tolist() == [1, 1, 1, 2, 3, 4, 5, 6]
    # 31 entries, one per day of March, and 21 working days in all
    assert len(MARCH.cumulative) == 31 and MARCH.cumulative[-1] == 21
    assert MARCH.start == np.datetime64("2024-03-01") and MARCH.end == np.datetime64("2024-03-31")


def test_a_year_without_holiday_data_asks_for_an_override_file():
    msg = ("the chinese_calendar package has no holiday data for 2099; supply a working-day "
           "override file (columns date, workday) for that year")
    with pytest.raises(EvalkitError, match=f"^{re.escape(msg)}$") as info:
        WorkCalendar.build("2099-01-01", "2099-01-02")
    assert isinstance(info.value.__cause__, NotImplementedError)


def test_overrides_cover_a_year_the_package_does_not_know():
    # 2099: Thu 1 Jan worked, Fri 2 Jan off (given), Sat 3 Jan worked (given)
    over = pd.DataFrame({"date": pd.to_datetime(["2099-01-01", "2099-01-02", "2099-01-03"]),
                         "workday": [True, False, True]})
    cal = WorkCalendar.build("2099-01-01", "2099-01-03", over)
    assert cal.cumulative.tolist() == [1, 1, 2]


# --- is_workday ----------------------------------------------------------------------------

def test_is_workday_on_the_first_days_and_the_last_day():
    # index 0 (Fri 1, worked), 1 (Sat 2), 2 (Sun 3), 3 (Mon 4), 4 (Tue 5), 30 (Sun 31)
    got = MARCH.is_workday(dates("2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04",
                                 "2024-03-05", "2024-03-31"))
    assert got.tolist() == [True, False, False, True, True, False]


def test_is_workday_on_the_second_day_of_a_calendar_starting_monday():
    cal = WorkCalendar.build("2024-03-04", "2024-03-10")  # Mon 4 .. Sun 10
    # cumulative 1 2 3 4 5 5 5: Tue 5 (index 1) is a working day, so is Mon 4 (index 0)
    assert cal.is_workday(dates("2024-03-04", "2024-03-05", "2024-03-09")).tolist() == [True, True, False]


def test_is_workday_accepts_date_strings():
    assert MARCH.is_workday(["2024-03-01", "2024-03-02"]).tolist() == [True, False]


def test_dates_on_the_calendar_edges_are_accepted_and_outside_refused():
    assert MARCH.working_days_between(pd.Series([pd.Timestamp("2024-03-01")]),
                                      pd.Series([pd.Timestamp("2024-03-31")]))[0] == 20  # 21 − Fri 1
    with pytest.raises(EvalkitError, match=f"^{OUTSIDE}$"):
        MARCH.is_workday(dates("2024-02-29"))
    with pytest.raises(EvalkitError, match=f"^{OUTSIDE}$"):
        MARCH.is_workday(dates("2024-04-01"))


def test_working_days_between_floors_times_of_day():
    # (Fri 1 March 23:00, Mon 4 March 08:00] → (Fri 1, Mon 4] = 1
    out = MARCH.working_days_between(pd.Series([pd.Timestamp("2024-03-01 23:00")]),
                                     pd.Series([pd.Timestamp("2024-03-04 08:00")]))
    assert out.tolist() == [1.0]


# --- add_working_days ----------------------------------------------------------------------

def test_add_working_days_up_to_the_last_day_and_one_past_it():
    cal = WorkCalendar.build("2024-03-04", "2024-03-08")  # Mon .. Fri, cumulative 1..5
    # 4 working days after Mon 4 is Fri 8, the last day of the calendar
    assert str(cal.add_working_days(pd.Series([pd.Timestamp("2024-03-04")]), 4)[0]) == "2024-03-08"
    # 0 working days after Mon 4: Mon 4 itself
    assert str(cal.add_working_days(pd.Series([pd.Timestamp("2024-03-04")]), 0)[0]) == "2024-03-04"
    # 5 would be Mon 11, one day past the end: refused, not a date past the calendar
    with pytest.raises(EvalkitError, match="^working-day calendar too short for the requested deadline$"):
        cal.add_working_days(pd.Series([pd.Timestamp("2024-03-04")]), 5)


def test_add_working_days_zero_and_backwards():
    # n = 0 is the start itself, even on a weekend at the very start of the calendar
    # (Sat 2 March, cumulative 0 there)
    cal = WorkCalendar.build("2024-03-02", "2024-03-10")
    assert str(cal.add_working_days(pd.Series([pd.Timestamp("2024-03-02")]), 0)[0]) == "2024-03-02"
    # backwards: 1 working day before Tue 5 is Mon 4; 1 before Mon 4 is Fri 1 (the weekend skipped)
    got = MARCH.add_working_days(pd.Series(pd.to_datetime(["2024-03-05", "2024-03-04"])), [-1, -1])
    assert [str(d) for d in got] == ["2024-03-04", "2024-03-01"]
    # 2 before Mon 4 would be Thu 29 February, before the calendar: refused, not Fri 1
    with pytest.raises(EvalkitError, match="^working-day calendar too short for the requested deadline$"):
        MARCH.add_working_days(pd.Series([pd.Timestamp("2024-03-04")]), -2)


def test_add_working_days_from_a_weekend_per_row():
    # Sat 2 March + 1 → Mon 4; Fri 1 March + 2 → Tue 5 (Mon 4, Tue 5)
    got = MARCH.add_working_days(pd.Series(pd.to_datetime(["2024-03-02", "2024-03-01"])), [1, 2])
    assert [str(d) for d in got] == ["2024-03-04", "2024-03-05"]


# --- cumulative_at -------------------------------------------------------------------------

def test_cumulative_at_on_both_edges_and_one_past_the_end():
    got = MARCH.cumulative_at(dates("2024-03-01", "NaT", "2024-03-04", "2024-03-31"))
    assert got.dtype == np.float64
    assert got[0] == 1 and np.isnan(got[1]) and got[2] == 2 and got[3] == 21
    with pytest.raises(EvalkitError, match=f"^{OUTSIDE}$"):
        MARCH.cumulative_at(dates("2024-04-01"))  # index 31 == len(cumulative)
    with pytest.raises(EvalkitError, match=f"^{OUTSIDE}$"):
        MARCH.cumulative_at(dates("2024-02-29"))  # index −1


def test_cumulative_at_of_nothing_is_empty():
    assert MARCH.cumulative_at(np.array([], dtype=D)).shape == (0,)


def test_cumulative_at_leaves_its_input_alone():
    days = dates("2024-03-05", "NaT")
    MARCH.cumulative_at(days)
    assert str(days[0]) == "2024-03-05" and np.isnat(days[1])


def test_covers_is_inclusive_on_both_ends():
    first, last = np.datetime64("2024-03-01"), np.datetime64("2024-03-31")
    assert MARCH.covers(first, last) is True
    assert MARCH.covers(first - 1, last) is False
    assert MARCH.covers(first, last + 1) is False
    assert MARCH.covers(first + 1, last - 1) is True


# --- load_overrides ------------------------------------------------------------------------

def _csv(tmp_path, text):
    f = tmp_path / "workdays.csv"
    f.write_text(text, encoding="utf-8")
    return f


def test_override_flags_accept_true_and_false(tmp_path):
    got = load_overrides(_csv(tmp_path, "date,workday\n2024-03-02,true\n2024-03-04,false\n"
                                        "2024-03-03, 1\n2024-03-05,0\n"))
    assert got["workday"].tolist() == [True, False, True, False]
    assert got["workday"].dtype == bool
    assert got["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-02", "2024-03-04",
                                                            "2024-03-03", "2024-03-05"]


def test_override_file_missing_columns_names_them(tmp_path):
    f = _csv(tmp_path, "day,flag\n2024-03-02,1\n")
    with pytest.raises(EvalkitError, match=re.escape(f"{f}: expected columns date, workday; "
                                                     "missing date, workday") + "$"):
        load_overrides(f)
    g = _csv(tmp_path, "date,flag\n2024-03-02,1\n")
    with pytest.raises(EvalkitError, match=re.escape("; missing workday") + "$"):
        load_overrides(g)


def test_override_dates_must_be_iso(tmp_path):
    # 2024/03/05 is a date pandas would guess; the file format says YYYY-MM-DD. The value is
    # on data row 2 = line 3 of the file (line 1 is the header).
    f = _csv(tmp_path, "date,workday\n2024-03-04,1\n2024/03/05,0\n")
    with pytest.raises(EvalkitError, match=re.escape(
            f"{f}, row 3, column 'date': expected YYYY-MM-DD; found '2024/03/05'") + "$"):
        load_overrides(f)
    # first row: without the explicit format pandas would infer %Y/%m/%d from it and accept
    # the whole column
    g = _csv(tmp_path, "date,workday\n2024/03/04,1\n2024/03/05,0\n")
    with pytest.raises(EvalkitError, match=re.escape(
            f"{g}, row 2, column 'date': expected YYYY-MM-DD; found '2024/03/04'") + "$"):
        load_overrides(g)


def test_override_flag_error_names_row_and_value(tmp_path):
    f = _csv(tmp_path, "date,workday\n2024-03-04,1\n2024-03-05,0\n2024-03-06,yes\n2024-03-07,no\n")
    # the first bad flag is on data row 3 = line 4
    with pytest.raises(EvalkitError, match=re.escape(
            f"{f}, row 4, column 'workday': expected 1 or 0; found 'yes'") + "$"):
        load_overrides(f)


# --- calendar_for_dates ---------------------------------------------------------------------

def test_calendar_for_dates_spans_every_column():
    # the earliest date is in the first column, the latest in the first too
    cal = calendar_for_dates(["2024-03-01", "2024-03-31"], ["2024-03-10", None])
    assert (str(cal.start), str(cal.end)) == ("2024-03-01", "2024-03-31")
    # the earliest in the second column, the latest in the second
    cal = calendar_for_dates(["2024-03-10"], [None, "2024-03-05", "2024-03-20"], [])
    assert (str(cal.start), str(cal.end)) == ("2024-03-05", "2024-03-20")


def test_calendar_for_dates_margin_and_overrides():
    over = pd.DataFrame({"date": pd.to_datetime(["2024-03-09"]), "workday": [True]})  # Sat 9 worked
    cal = calendar_for_dates(["2024-03-04", "2024-03-08"], overrides=over, margin_days=3)
    assert str(cal.end) == "2024-03-11"  # Fri 8 + 3 days
    # Mon 4 .. Mon 11: 5 weekdays + Sat 9 + Mon 11 = 7
    assert cal.cumulative[-1] == 7


def test_calendar_for_no_dates_is_a_single_day_in_2000():
    # With no date at all the calendar is the single day 2000-01-01. chinese_calendar starts in
    # 2004, so this only works with an override for that day (without one it raises "no
    # holiday data for 2000"; callers always pass at least the period's end date).
    over = pd.DataFrame({"date": pd.to_datetime(["2000-01-01"]), "workday": [False]})
    cal = calendar_for_dates([None], pd.Series([], dtype="datetime64[ns]"), overrides=over)
    assert (str(cal.start), str(cal.end)) == ("2000-01-01", "2000-01-01")
    assert cal.cumulative.tolist() == [0]


# --- the scalar functions (evalkit.add_working_days / evalkit.working_days_between) ----------

def test_scalar_functions_name_the_bad_argument():
    from evalkit.data.workdays import add_working_days, working_days_between

    iso = "expected an ISO date such as '2024-10-08'; found '2024-13-01'"
    with pytest.raises(EvalkitError, match=re.escape(f"start: {iso}") + "$"):
        working_days_between("2024-13-01", "2024-10-08")
    with pytest.raises(EvalkitError, match=re.escape(f"end: {iso}") + "$"):
        working_days_between("2024-10-08", "2024-13-01")
    with pytest.raises(EvalkitError, match=re.escape(f"date: {iso}") + "$"):
        add_working_days("2024-13-01", 1)


def test_scalar_add_working_days_near_the_end_of_the_packaged_years():
    """chinese_calendar has holiday data up to 2026 (State Council notice 国办发明电〔2025〕7号
    for 2026: 1–3 January off, Sunday 4 January worked). A deadline inside the last year must
    not ask for the next one."""
    from evalkit.data.workdays import add_working_days

    assert add_working_days("2026-03-02", 1) == dt.date(2026, 3, 3)  # Mon → Tue
    # Tue 29 Dec 2026 + 2: Wed 30, Thu 31 — the last day of the calendar built for 2026
    assert add_working_days("2026-12-29", 2) == dt.date(2026, 12, 31)


def test_scalar_add_working_days_crosses_one_year_at_a_time():
    from evalkit.data.workdays import add_working_days, working_days_between

    # Mon 1 Dec 2025 + 30: 22 working days in (1 Dec, 31 Dec] (Tue 2 .. Wed 31, no holiday),
    # then 2026: Sun 4 (make-up), Mon 5 .. Fri 9, Mon 12, Tue 13 → 22 + 8 = 30 → Tue 13 Jan.
    # The calendar is widened to 2026 only (widening to 2027 would fail: no data).
    assert add_working_days("2025-12-01", 30) == dt.date(2026, 1, 13)
    assert working_days_between("2025-12-01", "2026-01-13") == 30
    # two widenings: 300 working days from Mon 30 Dec 2024 end in 2026
    assert add_working_days("2024-12-30", 300) == dt.date(2026, 3, 19)
    assert working_days_between("2024-12-30", "2026-03-19") == 300


def test_scalar_add_working_days_backwards_to_the_first_packaged_year():
    """2004 is chinese_calendar's first year: 1 January (Thu) off, Fri 2 worked, Sat 3 and
    Sun 4 off, Mon 5 worked. One working day before Mon 5 is Fri 2 — found in the 2004
    calendar without asking for 2003 (which has no data)."""
    from evalkit.data.workdays import add_working_days

    assert add_working_days("2004-01-05", -1) == dt.date(2004, 1, 2)
