"""Staffing indicator (人员配置) on a hand-made table."""

from evalkit.indicators import BY_CODE
from evalkit.indicators import staffing
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024


def test_staffing_control_rate_lower_is_better():
    assert BY_CODE["staffing_control_rate"].direction == -1
    ds = make_dataset(units=("D01", "D02", "D03", "S01"), tables={(Y, "staffing"): [
        {"unit_id": "D01", "authorised_posts": 50, "staff_in_post": 46},
        {"unit_id": "D02", "authorised_posts": 44, "staff_in_post": 46},   # over establishment
        {"unit_id": "S01", "authorised_posts": 0, "staff_in_post": 0},
    ]})
    out = staffing.staffing_control_rate(ds, Y)
    assert_shape(out, ["D01", "D02", "D03", "S01"])
    # D01: 46 / 50 = 92 %; n = 50 posts.
    assert_row(out, "D01", 92.0, 46, 50, n=50)
    # D02: 46 / 44 = 104.55 % (more staff than posts, like the sample's D24).
    assert_row(out, "D02", 100.0 * 46 / 44, 46, 44, n=44)
    # D03 has no row; S01 has no authorised post → no data.
    assert_no_data(out, "D03")
    assert_no_data(out, "S01")


def test_staffing_absent_table():
    assert_no_data(staffing.staffing_control_rate(make_dataset(units=("D01",)), Y), "D01")
