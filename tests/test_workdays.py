"""Working-day counts on real holiday weeks.

Holidays and make-up working days (调休) of 2024 are from the State Council's notice
国办发明电〔2023〕7号: Spring Festival 10–17 February off, Sunday 4 and Sunday 18 February
worked; National Day 1–7 October off, Sunday 29 September and Saturday 12 October worked.
"""

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import EvalkitError
from evalkit.data.workdays import WorkCalendar, calendar_for_dates, load_overrides

CAL = WorkCalendar.build("2024-01-01", "2024-12-31")


def days(a, b):
    return CAL.working_days_between(pd.Series([pd.Timestamp(a)]), pd.Series([pd.Timestamp(b)]))[0]


def test_same_day_is_zero_working_days():
    assert days("2024-03-05", "2024-03-05") == 0


def test_plain_week():
    # Mon 4 March → Mon 11 March: Tue..Fri + Mon = 5.
    assert days("2024-03-04", "2024-03-11") == 5


def test_national_day_week_with_make_up_days():
    # (Fri 27 Sep, Tue 8 Oct]: Sun 29 Sep (make-up), Mon 30 Sep, [1–7 Oct off], Tue 8 Oct = 3.
    assert days("2024-09-27", "2024-10-08") == 3
    # Saturday 12 October is a make-up working day: (Fri 11 Oct, Mon 14 Oct] = Sat 12 + Mon 14.
    assert days("2024-10-11", "2024-10-14") == 2


def test_spring_festival():
    # (Fri 9 Feb, Sun 18 Feb]: 10–17 Feb off, Sun 18 Feb worked = 1.
    assert days("2024-02-09", "2024-02-18") == 1
    # Sun 4 Feb is a make-up working day.
    assert CAL.is_workday(np.array(["2024-02-04", "2024-02-10", "2024-02-18"], dtype="datetime64[D]")).tolist() == [True, False, True]


def test_missing_dates_give_nan():
    out = CAL.working_days_between(pd.Series([pd.Timestamp("2024-01-02"), pd.NaT]),
                                   pd.Series([pd.NaT, pd.Timestamp("2024-01-05")]))
    assert np.isnan(out).all()


def test_add_working_days_skips_holidays():
    # 1 working day after Mon 30 Sep 2024 is Tue 8 Oct.
    assert str(CAL.add_working_days(pd.Series([pd.Timestamp("2024-09-30")]), 1)[0]) == "2024-10-08"


def test_override_file_takes_precedence(tmp_path):
    f = tmp_path / "overrides.csv"
    f.write_text("date,workday\n2024-03-05,0\n2024-03-09,1\n", encoding="utf-8")
    cal = WorkCalendar.build("2024-03-01", "2024-03-31", load_overrides(f))
    # (Mon 4, Mon 11]: Tue 5 now off, Sat 9 now worked → still 5.
    assert cal.working_days_between(pd.Series([pd.Timestamp("2024-03-04")]),
                                    pd.Series([pd.Timestamp("2024-03-11")]))[0] == 5


def test_bad_override_file_names_row_and_column(tmp_path):
    f = tmp_path / "overrides.csv"
    f.write_text("date,workday\n2024-03-05,0\n2024-13-40,1\n", encoding="utf-8")
    with pytest.raises(EvalkitError, match=r"row 3, column 'date'"):
        load_overrides(f)


def test_dates_outside_calendar_are_refused():
    with pytest.raises(EvalkitError):
        CAL.working_days_between(pd.Series([pd.Timestamp("2023-12-01")]), pd.Series([pd.Timestamp("2024-01-02")]))


def test_calendar_for_dates_spans_inputs():
    cal = calendar_for_dates(pd.Series([pd.Timestamp("2024-05-01"), pd.Timestamp("2024-06-01")]))
    assert str(cal.start) == "2024-05-01" and str(cal.end) == "2024-06-01"


# -- the public one-date functions (evalkit.add_working_days / evalkit.working_days_between)

import datetime as dt  # noqa: E402

import evalkit  # noqa: E402


@pytest.mark.parametrize("start, end, expected", [
    # National Day 2024: Sat 28 Sep off, Sun 29 Sep worked, Mon 30 Sep worked, 1–7 Oct off,
    # Tue 8 Oct – Fri 11 Oct worked, Sat 12 Oct worked (调休), Sun 13 Oct off.
    ("2024-09-27", "2024-10-08", 3),   # Sun 29, Mon 30 Sep, Tue 8 Oct
    ("2024-09-28", "2024-09-29", 1),   # a Sunday that is worked
    ("2024-09-30", "2024-10-08", 1),   # the whole holiday is skipped
    ("2024-10-01", "2024-10-08", 1),   # a holiday start is not counted, like any start
    ("2024-10-03", "2024-10-07", 0),   # inside the holiday
    ("2024-10-08", "2024-10-14", 5),   # Wed 9, Thu 10, Fri 11, Sat 12 (调休), Mon 14
    ("2024-09-26", "2024-10-14", 9),   # 27, 29, 30 Sep + 8, 9, 10, 11, 12, 14 Oct
    ("2024-10-08", "2024-10-08", 0),   # same day
    ("2024-10-08", "2024-09-27", -3),  # reversed
    # Spring Festival 2024: Sun 4 Feb worked, 10–17 Feb off, Sun 18 Feb worked.
    ("2024-02-02", "2024-02-05", 2),   # Sun 4 Feb (调休), Mon 5 Feb
    ("2024-02-09", "2024-02-19", 2),   # Sun 18, Mon 19 Feb
    ("2024-02-08", "2024-02-18", 2),   # Fri 9 (除夕 is a working day in 2024), Sun 18
    ("2024-02-10", "2024-02-17", 0),   # the eight days off
])
def test_working_days_between_hand_worked(start, end, expected):
    got = evalkit.working_days_between(start, end)
    assert got == expected and type(got) is int


@pytest.mark.parametrize("start, n, expected", [
    ("2024-09-27", 1, "2024-09-29"),   # Sun 29 Sep is a make-up working day
    ("2024-09-27", 3, "2024-10-08"),
    ("2024-09-30", 1, "2024-10-08"),
    ("2024-10-01", 1, "2024-10-08"),   # from a holiday: its next working day is day 1
    ("2024-10-05", 5, "2024-10-12"),   # 8, 9, 10, 11, Sat 12 (调休)
    ("2024-10-11", 2, "2024-10-14"),   # Sat 12, Mon 14
    ("2024-10-03", 0, "2024-10-03"),   # n = 0: the date itself, even on a holiday
    ("2024-10-08", -1, "2024-09-30"),  # backwards: (Sep 30, Oct 8] holds 1 working day
    ("2024-10-08", -3, "2024-09-27"),
    ("2024-02-09", 1, "2024-02-18"),   # Spring Festival: 10–17 Feb off, Sun 18 worked
    ("2024-02-03", 1, "2024-02-04"),   # Sun 4 Feb worked
    ("2024-02-08", 2, "2024-02-18"),
    ("2023-12-29", 1, "2024-01-02"),   # across a year end (1 Jan off)
    # 2024 has 251 working days: 262 weekdays − 19 weekday holidays + 8 make-up days; Tue 2 Jan
    # is the first, Tue 31 Dec the last. 1 Jan 2025 is off: the calendar grows into 2025.
    ("2024-01-02", 250, "2024-12-31"),
    ("2024-01-02", 251, "2025-01-02"),
    ("2025-01-02", -251, "2024-01-02"),
])
def test_add_working_days_hand_worked(start, n, expected):
    got = evalkit.add_working_days(start, n)
    assert got == dt.date.fromisoformat(expected) and type(got) is dt.date


@pytest.mark.parametrize("value", [
    "2024-09-30", dt.date(2024, 9, 30), dt.datetime(2024, 9, 30, 23, 59), pd.Timestamp("2024-09-30 18:00"),
    np.datetime64("2024-09-30"), np.datetime64("2024-09-30T08:30"), "2024-09-30T17:00",
])
def test_every_kind_of_date_is_accepted_and_times_are_ignored(value):
    assert evalkit.add_working_days(value, 1) == dt.date(2024, 10, 8)
    assert evalkit.working_days_between(value, "2024-10-08") == 1


def test_add_working_days_inverts_working_days_between():
    for start in pd.date_range("2024-09-20", "2024-10-20"):
        for n in (1, 2, 5):
            end = evalkit.add_working_days(start, n)
            assert evalkit.working_days_between(start, end) == n
            assert CAL.is_workday(np.array([end], dtype="datetime64[D]"))[0]
            assert evalkit.working_days_between(start, end - dt.timedelta(days=1)) == n - 1
            assert evalkit.working_days_between(evalkit.add_working_days(end, -n), end) == n


def test_vectorised_add_with_zero_days_keeps_a_holiday_start():
    out = CAL.add_working_days(pd.Series(pd.to_datetime(["2024-10-03", "2024-10-08"])), 0)
    assert [str(d) for d in out] == ["2024-10-03", "2024-10-08"]


def test_scalar_functions_honour_overrides(tmp_path):
    f = tmp_path / "overrides.csv"
    f.write_text("date,workday\n2024-10-07,1\n", encoding="utf-8")
    overrides = load_overrides(f)
    assert evalkit.working_days_between("2024-09-30", "2024-10-08", overrides=overrides) == 2
    assert evalkit.add_working_days("2024-09-30", 1, overrides=overrides) == dt.date(2024, 10, 7)


@pytest.mark.parametrize("date, n, message", [
    ("30/09/2024", 1, "ISO date"),
    ("", 1, "ISO date"),
    (None, 1, "expected a date"),
    (pd.NaT, 1, "expected a date"),
    (20240930, 1, "expected a date"),
    ("2024-09-30", 1.5, "whole number"),
    ("2024-09-30", True, "whole number"),
])
def test_bad_arguments_give_a_clear_error(date, n, message):
    with pytest.raises(EvalkitError, match=message):
        evalkit.add_working_days(date, n)


def test_years_without_holiday_data_are_named():
    with pytest.raises(EvalkitError, match="no holiday data for 2099"):
        evalkit.working_days_between("2099-01-01", "2099-01-05")
