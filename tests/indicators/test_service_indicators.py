"""Service-case indicators (政务服务办件) on hand-made tables, answers worked out by hand.

Working days: Monday–Friday minus statutory holidays plus make-up working days (调休), counted
in (start, end] (the day of receipt is day 0). Holidays of 2024 are those of the State
Council's notice 国办发明电〔2023〕7号:

* Spring Festival: 10–17 February off; Sunday 4 and Sunday 18 February worked
  (Friday 9 February, 除夕, is a working day);
* National Day: 1–7 October off; Sunday 29 September and Saturday 12 October worked.

New Year 2024 (same notice): 30 December 2023 – 1 January 2024 off (a weekend plus Monday).
"""

import pytest

from evalkit.indicators import BY_CODE
from evalkit.indicators import service as svc
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024
SERVICE_CODES = [i.code for i in BY_CODE.values() if i.tables == ("service_cases",)]


def case(unit, received, limit=5, completed=None, *, statutory=None, channel="offline",
         instant=None, rating=None, rectified=None):
    return {"unit_id": unit, "received_date": received, "promised_limit_days": limit,
            "statutory_limit_days": max(20, limit) if statutory is None else statutory,
            "completed_date": completed, "channel": channel,
            "instant": (limit == 0) if instant is None else instant,
            "rating": rating, "bad_rating_rectified_date": rectified}


def dataset(rows, units=("D01", "D02", "D03"), year=Y):
    return make_dataset(units=units, tables={(year, "service_cases"): rows})


# ---------------------------------------------------------------------------------------
# The no-data case, for every service indicator
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", SERVICE_CODES)
def test_unit_without_cases_has_no_data(code):
    # D01 has one ordinary completed, rated (badly, then rectified) case; D02 has none.
    ds = dataset([case("D01", "2024-03-04", 5, "2024-03-06", rating="dissatisfied",
                       rectified="2024-03-08")], units=("D01", "D02"))
    out = BY_CODE[code](ds, Y)
    assert_shape(out, ["D01", "D02"])
    assert out["status"].tolist() == ["ok", "no_data"]
    assert_no_data(out, "D02")


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_absent_table_gives_no_data_everywhere(code):
    out = BY_CODE[code](make_dataset(units=("D01", "S01")), Y)
    assert_shape(out, ["D01", "S01"])
    assert_no_data(out, "D01")
    assert_no_data(out, "S01")


# ---------------------------------------------------------------------------------------
# 按时办结率
# ---------------------------------------------------------------------------------------

def test_on_time_rate_hand_table():
    ds = dataset([
        # 1. (Mon 4 Mar, Mon 11 Mar] = Tue 5, Wed 6, Thu 7, Fri 8, Mon 11 = 5 ≤ 5: on time
        #    (exactly at the limit counts as on time).
        case("D01", "2024-03-04", 5, "2024-03-11"),
        # 2. (Mon 4 Mar, Tue 12 Mar] = 6 > 5: late.
        case("D01", "2024-03-04", 5, "2024-03-12"),
        # 3. 即办件: limit 0, completed on the day of receipt → 0 ≤ 0: on time.
        case("D01", "2024-03-04", 0, "2024-03-04"),
        # 4. Pending, received Mon 2 Dec, limit 10: (2 Dec, 31 Dec] = 4+5+5+5+2 = 21 > 10:
        #    its deadline has passed → 应办结, not on time.
        case("D01", "2024-12-02", 10),
        # 5. Pending, received Fri 27 Dec, limit 5: (27 Dec, 31 Dec] = Mon 30, Tue 31 = 2:
        #    deadline not reached at year end → not yet 应办结, left out.
        case("D01", "2024-12-27", 5),
        # 6. Completed next year: received Mon 23 Dec, completed Thu 2 Jan 2025:
        #    24, 25, 26, 27, 30, 31 Dec, [1 Jan off], 2 Jan = 7 > 5: late, but counted.
        case("D01", "2024-12-23", 5, "2025-01-02"),
    ])
    out = svc.service_on_time_rate(ds, Y)
    assert_shape(out, ["D01", "D02", "D03"])
    # on time: cases 1, 3 = 2; 应办结: cases 1, 2, 3, 4, 6 = 5 → 2 / 5 = 40 %.
    assert_row(out, "D01", 40.0, 2, 5, n=5)
    assert_no_data(out, "D02")


def test_on_time_rate_national_day_week():
    # National Day 2024 (国办发明电〔2023〕7号): 1–7 Oct off; Sun 29 Sep, Sat 12 Oct worked.
    ds = dataset([
        # D01-A. Received Fri 27 Sep, limit 5, completed Thu 10 Oct.
        #    Working days: Sun 29 Sep (调休), Mon 30 Sep, Tue 8, Wed 9, Thu 10 Oct = 5 → on time.
        #    Calendar days: 13 (late); plain Mon–Fri: 30 Sep, 1–4, 7–10 Oct = 9 (late).
        case("D01", "2024-09-27", 5, "2024-10-10"),
        # D01-B. Same, completed Fri 11 Oct: 6 working days → late. Ignoring the make-up
        #    Sunday 29 Sep (holidays only) would give 5 → wrongly on time.
        case("D01", "2024-09-27", 5, "2024-10-11"),
        # D02-C. Received Fri 11 Oct, limit 1, completed Mon 14 Oct: Sat 12 Oct (调休) + Mon 14
        #    = 2 > 1 → late. Plain Mon–Fri (or holidays without 调休) give 1 → wrongly on time.
        case("D02", "2024-10-11", 1, "2024-10-14"),
    ])
    out = svc.service_on_time_rate(ds, Y)
    # D01: 1 on time / 2 = 50 % (calendar days or Mon–Fri: 0 %; without 调休: 100 %).
    assert_row(out, "D01", 50.0, 1, 2, n=2)
    # D02: 0 / 1 = 0 % (Mon–Fri or without 调休: 100 %).
    assert_row(out, "D02", 0.0, 0, 1, n=1)


def test_on_time_rate_spring_festival_week():
    # Spring Festival 2024 (国办发明电〔2023〕7号): 10–17 Feb off; Sun 4, Sun 18 Feb worked.
    ds = dataset([
        # S01. Received Fri 9 Feb (除夕, a working day), limit 1, completed Sun 18 Feb (调休):
        #    (9 Feb, 18 Feb] = Sun 18 Feb only = 1 ≤ 1 → on time.
        #    Calendar days: 9 (late); Mon–Fri: 12–16 Feb = 5 (late).
        case("S01", "2024-02-09", 1, "2024-02-18"),
        # S02. Received Thu 1 Feb, limit 3, completed Tue 6 Feb: Fri 2, Sun 4 (调休), Mon 5,
        #    Tue 6 = 4 > 3 → late. Plain Mon–Fri: Fri 2, Mon 5, Tue 6 = 3 → wrongly on time.
        case("S02", "2024-02-01", 3, "2024-02-06"),
    ], units=("S01", "S02"))
    out = svc.service_on_time_rate(ds, Y)
    assert_row(out, "S01", 100.0, 1, 1, n=1)   # calendar days or Mon–Fri: 0 %
    assert_row(out, "S02", 0.0, 0, 1, n=1)     # Mon–Fri: 100 %


def test_on_time_rate_pending_case_due_on_last_day_of_year():
    # Tue 31 Dec 2024 is a working day. Pending cases at year end:
    ds = dataset([
        # Received Mon 23 Dec, limit 6: 24, 25, 26, 27, 30, 31 Dec = 6 → its deadline is
        # 31 Dec itself; still pending when the year's data close → 应办结, overdue.
        case("D01", "2024-12-23", 6),
        # Received Tue 24 Dec, limit 6: 5 working days by 31 Dec → deadline Thu 2 Jan 2025,
        # not yet due → left out.
        case("D01", "2024-12-24", 6),
    ])
    out = svc.service_on_time_rate(ds, Y)
    # 0 on time / 1 应办结 → 0 % (a real 0 %, status ok).
    assert_row(out, "D01", 0.0, 0, 1, n=1)


def test_on_time_rate_pending_case_due_before_a_new_year_weekend():
    # 2023 ends on a weekend that is part of the New Year holiday (30 Dec 2023 – 1 Jan 2024
    # off, 国办发明电〔2023〕7号). A case received Fri 22 Dec 2023 with limit 5 is due on
    # Fri 29 Dec (25, 26, 27, 28, 29 Dec = 5). Still pending when the 2023 data close, its
    # deadline has passed → 应办结 and overdue. Counting only "working days elapsed by
    # 31 Dec > limit" would miss it (the count is still 5 on Sat 30 and Sun 31 Dec).
    ds = dataset([case("D01", "2023-12-22", 5)], year=2023)
    out = svc.service_on_time_rate(ds, 2023)
    assert_row(out, "D01", 0.0, 0, 1, n=1)


def test_on_time_rate_all_pending_and_not_yet_due_is_no_data():
    # Only a case received on 30 Dec with limit 5: nothing 应办结 yet → no data, not 0 %.
    out = svc.service_on_time_rate(dataset([case("D01", "2024-12-30", 5)]), Y)
    assert_no_data(out, "D01")


# ---------------------------------------------------------------------------------------
# 承诺时限压缩率
# ---------------------------------------------------------------------------------------

def test_time_compression_rate_hand_table():
    ds = dataset([
        case("D01", "2024-03-04", 8, statutory=20),
        case("D01", "2024-03-04", 5, statutory=10),
        case("D01", "2024-03-04", 0, statutory=5),   # 即办件: promised 0
        case("D01", "2024-03-04", 0, statutory=0),   # no statutory limit → left out
        case("D02", "2024-03-04", 0, statutory=0),   # D02 only has such cases
    ])
    out = svc.service_time_compression_rate(ds, Y)
    # D01: Σ法定 = 20 + 10 + 5 = 35; Σ承诺 = 8 + 5 + 0 = 13; saved 35 − 13 = 22;
    #      1 − 13 / 35 = 22 / 35 = 62.857 %; n = 3 cases.
    assert_row(out, "D01", 100.0 * 22 / 35, 22, 35, n=3)
    # D02: no case with a statutory limit > 0 → no data.
    assert_no_data(out, "D02")
    assert_no_data(out, "D03")


# ---------------------------------------------------------------------------------------
# 实际提速率
# ---------------------------------------------------------------------------------------

def test_speedup_rate_hand_table():
    ds = dataset([
        # (Mon 4 Mar, Mon 11 Mar] = 5 working days, promised 10.
        case("D01", "2024-03-04", 10, "2024-03-11"),
        # (Mon 4 Mar, Wed 6 Mar] = 2 working days, promised 5.
        case("D01", "2024-03-04", 5, "2024-03-06"),
        # 即办件 (promised 0) and a pending case: left out.
        case("D01", "2024-03-04", 0, "2024-03-04"),
        case("D01", "2024-12-02", 10),
        # Late case: (Mon 4 Mar, Mon 18 Mar] = 10 working days against promised 5.
        case("D02", "2024-03-04", 5, "2024-03-18"),
    ])
    out = svc.service_speedup_rate(ds, Y)
    # D01: Σ承诺 = 10 + 5 = 15; Σ实际 = 5 + 2 = 7; 1 − 7 / 15 = 8 / 15 = 53.33 %; n = 2.
    assert_row(out, "D01", 100.0 * 8 / 15, 8, 15, n=2)
    # D02: 1 − 10 / 5 = −100 % (slower than promised: negative, not clipped).
    assert_row(out, "D02", -100.0, -5, 5, n=1)
    assert_no_data(out, "D03")


def test_speedup_rate_holiday_weeks():
    ds = dataset([
        # National Day 2024 (国办发明电〔2023〕7号): received Fri 27 Sep, promised 10, completed
        # Sat 12 Oct (调休): Sun 29 Sep, Mon 30 Sep, Tue 8 … Fri 11 Oct, Sat 12 Oct = 7.
        # → 1 − 7 / 10 = 30 %. Calendar days (15) would give −50 %; Mon–Fri (30 Sep, 1–4,
        # 7–11 Oct = 10) would give 0 %.
        case("D01", "2024-09-27", 10, "2024-10-12"),
        # Spring Festival 2024: received Fri 2 Feb, promised 10, completed Tue 20 Feb:
        # Sun 4 (调休), Mon 5 … Fri 9, [10–17 off], Sun 18 (调休), Mon 19, Tue 20 = 9.
        # → 1 − 9 / 10 = 10 %. Mon–Fri (5–9, 12–16, 19, 20 Feb = 12) would give −20 %.
        case("S01", "2024-02-02", 10, "2024-02-20"),
    ], units=("D01", "S01"))
    out = svc.service_speedup_rate(ds, Y)
    assert_row(out, "D01", 30.0, 3, 10, n=1)
    assert_row(out, "S01", 10.0, 1, 10, n=1)


def test_speedup_rate_only_instant_cases_is_no_data():
    ds = dataset([case("D01", "2024-03-04", 0, "2024-03-04")])
    assert_no_data(svc.service_speedup_rate(ds, Y), "D01")


def test_speedup_rate_leaves_out_instant_cases_by_their_flag():
    # A 即办件 promised in 1 working day (validation reports it; unvalidated data keep it):
    # left out by the flag, as the docstring says, not counted because its limit is > 0.
    ds = dataset([
        case("D01", "2024-03-04", 10, "2024-03-11"),                 # 5 of 10 working days
        case("D01", "2024-03-04", 1, "2024-03-04", instant=True),     # 即办件 with a limit
    ])
    assert_row(svc.service_speedup_rate(ds, Y), "D01", 50.0, 5, 10, n=1)


# ---------------------------------------------------------------------------------------
# 即办件比例, 全程网办率
# ---------------------------------------------------------------------------------------

def test_instant_share_hand_table():
    ds = dataset([
        case("D01", "2024-03-04", 0, "2024-03-04"),            # instant
        case("D01", "2024-03-05", 0, "2024-03-05"),            # instant
        case("D01", "2024-03-04", 5, "2024-03-06"),
        case("D01", "2024-03-04", 5, "2024-03-07"),
        case("D01", "2024-12-30", 5),                          # pending: still a case
    ])
    out = svc.service_instant_share(ds, Y)
    # 2 instant / 5 cases = 40 %.
    assert_row(out, "D01", 40.0, 2, 5, n=5)
    assert_no_data(out, "D02")


def test_online_rate_hand_table():
    ds = dataset([
        case("D01", "2024-03-04", 5, "2024-03-05", channel="online"),
        case("D01", "2024-03-04", 5, "2024-03-06", channel="online"),
        case("D01", "2024-03-04", 0, "2024-03-04", channel="online"),
        case("D01", "2024-03-04", 5, "2024-03-06", channel="offline"),
        case("D01", "2024-12-30", 5, channel="online"),        # pending: not 办结 → left out
        case("D02", "2024-12-30", 5, channel="online"),        # D02: only a pending case
    ])
    out = svc.service_online_rate(ds, Y)
    # D01: 3 online of 4 completed = 75 %.
    assert_row(out, "D01", 75.0, 3, 4, n=4)
    # D02: nothing completed → no data (not 0 % or 100 %).
    assert_no_data(out, "D02")


# ---------------------------------------------------------------------------------------
# 好评率, 主动评价率
# ---------------------------------------------------------------------------------------

RATED = [
    case("D01", "2024-03-04", 5, "2024-03-05", rating="very_satisfied"),
    case("D01", "2024-03-04", 5, "2024-03-05", rating="very_satisfied"),
    case("D01", "2024-03-04", 5, "2024-03-05", rating="satisfied"),
    case("D01", "2024-03-04", 5, "2024-03-05", rating="fairly_satisfied"),
    case("D01", "2024-03-04", 5, "2024-03-05", rating="dissatisfied", rectified="2024-03-08"),
    case("D01", "2024-03-04", 5, "2024-03-05", rating="very_dissatisfied"),
    case("D01", "2024-03-04", 5, "2024-03-05"),                # not rated
    case("D01", "2024-12-30", 5),                              # pending, not rated
    case("D02", "2024-03-04", 5, "2024-03-05"),                # D02: cases, none rated
]


def test_good_rating_rate_hand_table():
    out = svc.service_good_rating_rate(dataset(RATED), Y)
    # good = 非常满意 2 + 满意 1 + 基本满意 1 = 4; rated = 6 → 66.67 %.
    assert_row(out, "D01", 100.0 * 4 / 6, 4, 6, n=6)
    assert_no_data(out, "D02")        # no rating at all: no data, not 0 %
    assert_no_data(out, "D03")


def test_rating_participation_rate_hand_table():
    out = svc.service_rating_participation_rate(dataset(RATED), Y)
    # rated 6 / all 8 cases of D01 = 75 %.
    assert_row(out, "D01", 75.0, 6, 8, n=8)
    # D02: 0 rated of 1 case → a real 0 %.
    assert_row(out, "D02", 0.0, 0, 1, n=1)
    assert_no_data(out, "D03")


# ---------------------------------------------------------------------------------------
# 差评整改率 (15 working days from completion)
# ---------------------------------------------------------------------------------------

def test_bad_rating_fix_rate_hand_table():
    ds = dataset([
        # Completed Mon 4 Mar; rectified Mon 25 Mar: Mar 5–8 (4) + 11–15 (5) + 18–22 (5)
        # + 25 (1) = 15 ≤ 15 → in time (exactly at the limit).
        case("D01", "2024-03-01", 5, "2024-03-04", rating="dissatisfied", rectified="2024-03-25"),
        # Rectified Tue 26 Mar: 16 > 15 → late.
        case("D01", "2024-03-01", 5, "2024-03-04", rating="very_dissatisfied", rectified="2024-03-26"),
        # Never rectified.
        case("D01", "2024-03-01", 5, "2024-03-04", rating="dissatisfied"),
        # Good ratings are not in the denominator.
        case("D01", "2024-03-01", 5, "2024-03-04", rating="satisfied"),
        # D02: cases rated, none badly → no data (no 差评 to rectify).
        case("D02", "2024-03-01", 5, "2024-03-04", rating="very_satisfied"),
    ])
    out = svc.service_bad_rating_fix_rate(ds, Y)
    # 1 rectified in time / 3 bad ratings = 33.33 %.
    assert_row(out, "D01", 100.0 / 3, 1, 3, n=3)
    assert_no_data(out, "D02")
    assert_no_data(out, "D03")


def test_bad_rating_fix_rate_national_day():
    # National Day 2024 (国办发明电〔2023〕7号): 1–7 Oct off; Sun 29 Sep, Sat 12 Oct worked.
    ds = dataset([
        # Completed Fri 27 Sep, rectified Tue 22 Oct: Sun 29, Mon 30 Sep (2), Tue 8 – Sat 12
        # Oct (5), Mon 14 – Fri 18 (5), Mon 21, Tue 22 (2) = 14 ≤ 15 → in time.
        # Plain Mon–Fri: 30 Sep, 1–4, 7–11, 14–18, 21–22 Oct = 17 → wrongly late;
        # calendar days: 25 → wrongly late.
        case("D01", "2024-09-26", 1, "2024-09-27", rating="dissatisfied", rectified="2024-10-22"),
        # Rectified Thu 24 Oct: 14 + Wed 23 + Thu 24 = 16 > 15 → late. Ignoring both
        # make-up days (29 Sep, 12 Oct) would give 14 → wrongly in time.
        case("D01", "2024-09-26", 1, "2024-09-27", rating="dissatisfied", rectified="2024-10-24"),
    ])
    out = svc.service_bad_rating_fix_rate(ds, Y)
    assert_row(out, "D01", 50.0, 1, 2, n=2)


def test_bad_rating_fix_rate_counts_every_bad_rating_of_the_year():
    # By its definition (15个工作日内整改的差评数 / 差评数) every bad rating of the year is in
    # the denominator — also one whose 15 working days run into the next year: completed
    # Fri 20 Dec 2024, its window ends Mon 13 Jan 2025 (23–27, 30, 31 Dec, [1 Jan off],
    # 2, 3, 6–10, 13 Jan = 15), unrectified when the year's data close → counted as not
    # rectified (unlike the 应办结 rule of the on-time rates; see the test report).
    ds = dataset([case("D01", "2024-12-19", 1, "2024-12-20", rating="dissatisfied")])
    assert_row(svc.service_bad_rating_fix_rate(ds, Y), "D01", 0.0, 0, 1, n=1)


def test_bad_rating_fix_days_is_a_parameter():
    ds = dataset([
        case("D01", "2024-03-01", 5, "2024-03-04", rating="dissatisfied", rectified="2024-03-26"),
    ])
    # 16 working days: late against 15, in time against 20.
    assert_row(svc.service_bad_rating_fix_rate(ds, Y), "D01", 0.0, 0, 1, n=1)
    assert_row(svc.service_bad_rating_fix_rate(ds, Y, days=20), "D01", 100.0, 1, 1, n=1)


def test_catalogue_entries_of_service_indicators():
    assert set(SERVICE_CODES) == {
        "service_on_time_rate", "service_time_compression_rate", "service_speedup_rate",
        "service_instant_share", "service_online_rate", "service_good_rating_rate",
        "service_bad_rating_fix_rate", "service_rating_participation_rate"}
    assert all(BY_CODE[c].direction == +1 and BY_CODE[c].unit == "%" for c in SERVICE_CODES)
