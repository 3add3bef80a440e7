"""12345 hotline indicators on a hand-made ticket table, answers worked out by hand.

The ticket table of D01 (D02 has no ticket, like the sample's D09):

====  ===================  ==================  ===================  ===================  ===================  ===========  ======
no.   dispatched_at        signed_at           contacted_at         closed_at            due_at               callback     solved
====  ===================  ==================  ===================  ===================  ===================  ===========  ======
T1    2024-03-04 09:00     13:00 (4 h exactly) 03-05 09:00 (24 h)   2024-03-08 17:00     2024-03-11 09:00     satisfied    yes
T2    2024-03-04 09:00     13:00:01 (late)     03-05 09:00:01       2024-03-11 09:00 =due                     fairly_sat.  no
T3    2024-03-04 10:00     10:30               11:00                2024-03-12 10:00     2024-03-11 10:00     dissatisfied  (unknown)
T4    2024-12-20 10:00     10:10               never                open                 2024-12-27 10:00     —            —
T5    2024-12-30 10:00     never               never                open                 2025-01-06 10:00     —            yes (open)
T6    2024-12-24 10:00     10:20               11:00                2025-01-03 10:00     2024-12-31 10:00     satisfied    yes
T7    2024-12-25 10:00     10:05               12-26 09:59          open                 2024-12-31 23:59:59  —            —
====  ===================  ==================  ===================  ===================  ===================  ===========  ======
"""

import pandas as pd
import pytest

from evalkit.indicators import BY_CODE
from evalkit.indicators import hotline as hl
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024
HOTLINE_CODES = [i.code for i in BY_CODE.values() if i.tables == ("hotline_tickets",)]


def ticket(no, dispatched, signed, contacted, closed, due, callback=None, solved=None, unit="D01"):
    return {"ticket_id": no, "unit_id": unit, "dispatched_at": dispatched, "signed_at": signed,
            "contacted_at": contacted, "closed_at": closed, "due_at": due,
            "callback_satisfaction": callback, "solved": solved, "category": "complaint"}


TICKETS = [
    ticket("T1", "2024-03-04 09:00", "2024-03-04 13:00", "2024-03-05 09:00", "2024-03-08 17:00",
           "2024-03-11 09:00", "satisfied", True),
    ticket("T2", "2024-03-04 09:00", "2024-03-04 13:00:01", "2024-03-05 09:00:01", "2024-03-11 09:00",
           "2024-03-11 09:00", "fairly_satisfied", False),
    ticket("T3", "2024-03-04 10:00", "2024-03-04 10:30", "2024-03-04 11:00", "2024-03-12 10:00",
           "2024-03-11 10:00", "dissatisfied", None),
    ticket("T4", "2024-12-20 10:00", "2024-12-20 10:10", None, None, "2024-12-27 10:00"),
    ticket("T5", "2024-12-30 10:00", None, None, None, "2025-01-06 10:00", None, True),
    ticket("T6", "2024-12-24 10:00", "2024-12-24 10:20", "2024-12-24 11:00", "2025-01-03 10:00",
           "2024-12-31 10:00", "satisfied", True),
    ticket("T7", "2024-12-25 10:00", "2024-12-25 10:05", "2024-12-26 09:59", None,
           "2024-12-31 23:59:59"),
]


@pytest.fixture(scope="module")
def ds():
    return make_dataset(units=("D01", "D02"), tables={(Y, "hotline_tickets"): TICKETS})


@pytest.mark.parametrize("code", HOTLINE_CODES)
def test_unit_without_tickets_has_no_data(ds, code):
    out = BY_CODE[code](ds, Y)
    assert_shape(out, ["D01", "D02"])
    assert out.loc[0, "status"] == "ok"
    assert_no_data(out, "D02")


@pytest.mark.parametrize("code", HOTLINE_CODES)
def test_absent_table_gives_no_data(code):
    out = BY_CODE[code](make_dataset(units=("D01",)), Y)
    assert_no_data(out, "D01")


def test_signed_rate(ds):
    # Signed within 4 h of dispatch: T1 (exactly 4 h), T3, T4, T6, T7 = 5; T2 (4 h 1 s) late,
    # T5 never signed. Denominator: all 7 dispatched tickets → 5 / 7.
    assert_row(hl.hotline_signed_rate(ds, Y), "D01", 100.0 * 5 / 7, 5, 7, n=7)


def test_signed_rate_limit_is_a_parameter(ds):
    # With 8 hours T2 (4 h 1 s) is in time too → 6 / 7; T5 (never) still is not.
    assert_row(hl.hotline_signed_rate(ds, Y, hours=8), "D01", 100.0 * 6 / 7, 6, 7, n=7)


def test_contact_rate(ds):
    # Contacted within 24 h: T1 (exactly 24 h), T3, T6, T7 (23 h 59 min) = 4; T2 (24 h 1 s)
    # late; T4, T5 never. → 4 / 7.
    assert_row(hl.hotline_contact_rate(ds, Y), "D01", 100.0 * 4 / 7, 4, 7, n=7)
    # With a 2-hour limit: T3 (1 h), T6 (1 h) → 2 / 7.
    assert_row(hl.hotline_contact_rate(ds, Y, hours=2), "D01", 100.0 * 2 / 7, 2, 7, n=7)


def test_on_time_rate(ds):
    # 应办结: closed T1, T2, T3, T6 + open past due by year end T4 (27 Dec) and T7 (due
    # 31 Dec 23:59:59, exactly the end of the year) = 6; T5 (due 6 Jan 2025) not yet due.
    # On time: T1 (closed before due), T2 (closed exactly at due) = 2; T3, T6 closed late.
    # → 2 / 6 = 33.33 %.
    assert_row(hl.hotline_on_time_rate(ds, Y), "D01", 100.0 / 3, 2, 6, n=6)


def test_on_time_rate_open_ticket_not_yet_due_is_no_data():
    ds = make_dataset(units=("D01",), tables={(Y, "hotline_tickets"): [TICKETS[4]]})  # T5 only
    assert_no_data(hl.hotline_on_time_rate(ds, Y), "D01")


def test_satisfaction_rate(ds):
    # Reached callbacks: T1 satisfied, T2 fairly satisfied, T3 dissatisfied, T6 satisfied = 4;
    # 满意 + 基本满意 = 3 → 75 %.
    assert_row(hl.hotline_satisfaction_rate(ds, Y), "D01", 75.0, 3, 4, n=4)


def test_solved_rate(ds):
    # Closed and judged: T1 yes, T2 no, T6 yes = 3 (T3 closed but unknown; T5 open although
    # marked solved) → 2 / 3.
    assert_row(hl.hotline_solved_rate(ds, Y), "D01", 100.0 * 2 / 3, 2, 3, n=3)


def test_all_callbacks_unreached_is_no_data():
    rows = [dict(TICKETS[0], callback_satisfaction=None)]
    ds = make_dataset(units=("D01",), tables={(Y, "hotline_tickets"): rows})
    assert_no_data(hl.hotline_satisfaction_rate(ds, Y), "D01")
    # … while the other indicators of the same ticket are fine: T1 is on time.
    assert_row(hl.hotline_on_time_rate(ds, Y), "D01", 100.0, 1, 1, n=1)


def test_hand_table_types_are_those_of_load_dataset(ds):
    t = ds.table("hotline_tickets", Y)
    assert str(t["dispatched_at"].dtype) == "datetime64[ns]"
    assert str(t["solved"].dtype) == "boolean"
    assert t["due_at"].iloc[6] == pd.Timestamp("2024-12-31 23:59:59")
