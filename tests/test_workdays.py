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
