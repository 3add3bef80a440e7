"""Information-disclosure indicators (依申请公开, 主动公开) on hand-made tables.

The answer period is 20 working days, 40 with an approved extension (政府信息公开条例
第三十三条), counted in (receipt, reply]. Holidays of 2024 per 国办发明电〔2023〕7号
(National Day: 1–7 October off, Sunday 29 September and Saturday 12 October worked;
Qingming: 4–6 April off, Sunday 7 April worked).
"""

from evalkit.indicators import disclosure as dis
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024


def request(unit, received, replied=None, extended=False):
    return {"unit_id": unit, "received_date": received, "replied_date": replied,
            "extended": extended, "outcome": "disclosed" if replied else None}


def requests_ds(rows, units=("D01", "D02", "D03")):
    return make_dataset(units=units, tables={(Y, "disclosure_requests"): rows})


def test_on_time_rate_hand_table():
    ds = requests_ds([
        # R1: (Mon 4 Mar, Mon 1 Apr] = Mar 5–8 (4) + 11–15 (5) + 18–22 (5) + 25–29 (5)
        #     + Apr 1 (1) = 20 ≤ 20 → on time (exactly at the limit).
        request("D01", "2024-03-04", "2024-04-01"),
        # R2: replied Tue 2 Apr → 21 > 20 → late.
        request("D01", "2024-03-04", "2024-04-02"),
        # R3: the same 21 days with an approved extension → 21 ≤ 40 → on time.
        request("D01", "2024-03-04", "2024-04-02", extended=True),
        # R4: pending, received Mon 2 Dec: (2 Dec, 31 Dec] = 4+5+5+5+2 = 21 > 20 → overdue.
        request("D01", "2024-12-02"),
        # R5: pending, received Mon 2 Dec, extended: 21 < 40 → not yet due.
        request("D01", "2024-12-02", extended=True),
    ])
    out = dis.disclosure_on_time_rate(ds, Y)
    assert_shape(out, ["D01", "D02", "D03"])
    # on time R1, R3 = 2; 应答复 R1, R2, R3, R4 = 4 → 50 %.
    assert_row(out, "D01", 50.0, 2, 4, n=4)
    assert_no_data(out, "D02")


def test_on_time_rate_national_day():
    # National Day 2024 (国办发明电〔2023〕7号). Received Fri 20 Sep; working days after it:
    # Mon 23 – Fri 27 Sep (5), Sun 29 Sep 调休 (6), Mon 30 Sep (7), [1–7 Oct off],
    # Tue 8 – Fri 11 Oct (11), Sat 12 Oct 调休 (12), Mon 14 – Fri 18 (17), Mon 21 (18),
    # Tue 22 (19), Wed 23 Oct (20) → the 20th working day is Wed 23 Oct.
    ds = requests_ds([
        # Replied Wed 23 Oct: 20 → on time. Calendar days (33) or Mon–Fri (23) → late.
        request("D02", "2024-09-20", "2024-10-23"),
        # Replied Thu 24 Oct: 21 → late. Without the two make-up days it would be 19 → on time.
        request("D02", "2024-09-20", "2024-10-24"),
    ])
    assert_row(dis.disclosure_on_time_rate(ds, Y), "D02", 50.0, 1, 2, n=2)


def test_on_time_rate_pending_at_year_end_boundary():
    # 20 working days counted back from Tue 31 Dec 2024: 31, 30, 27, 26, 25, 24, 23, 20, 19,
    # 18, 17, 16, 13, 12, 11, 10, 9, 6, 5, 4 Dec → received Tue 3 Dec is due on 31 Dec.
    ds = requests_ds([
        request("D01", "2024-12-03"),   # period ends 31 Dec, unanswered → 应答复, late
        request("D01", "2024-12-04"),   # 19 working days by 31 Dec → not yet due
    ])
    assert_row(dis.disclosure_on_time_rate(ds, Y), "D01", 0.0, 0, 1, n=1)


def test_on_time_rate_only_pending_not_due_is_no_data():
    ds = requests_ds([request("D01", "2024-12-20")])
    assert_no_data(dis.disclosure_on_time_rate(ds, Y), "D01")


def test_on_time_rate_absent_table():
    assert_no_data(dis.disclosure_on_time_rate(make_dataset(units=("D01",)), Y), "D01")


def test_proactive_disclosure_rate():
    ds = make_dataset(units=("D01", "D02", "D03"), tables={(Y, "disclosure_documents"): [
        {"unit_id": "D01", "documents_issued": 40, "documents_disclosed": 38},
        {"unit_id": "D02", "documents_issued": 0, "documents_disclosed": 0},
    ]})
    out = dis.proactive_disclosure_rate(ds, Y)
    assert_shape(out, ["D01", "D02", "D03"])
    # D01: 38 / 40 = 95 %; n = 40 documents.
    assert_row(out, "D01", 95.0, 38, 40, n=40)
    # D02 issued nothing → no data (not 0 % nor 100 %); D03 has no row.
    assert_no_data(out, "D02")
    assert_no_data(out, "D03")


def test_proactive_disclosure_absent_table():
    assert_no_data(dis.proactive_disclosure_rate(make_dataset(units=("D01",)), Y), "D01")
