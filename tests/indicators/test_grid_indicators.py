"""Grid-management indicators (网格化管理) on a hand-made case table."""

import pytest

from evalkit.indicators import BY_CODE
from evalkit.indicators import grid
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024


def gcase(unit, opened, due, closed=None, reworked=False, extended=False):
    return {"unit_id": unit, "opened_date": opened, "due_date": due, "closed_date": closed,
            "reworked": reworked, "extended": extended, "category": "事件-暴露垃圾"}


CASES = [
    gcase("S01", "2024-03-04", "2024-03-05", "2024-03-05"),                  # G1 closed on the due date
    gcase("S01", "2024-03-04", "2024-03-05", "2024-03-06", reworked=True),   # G2 a day late, reworked
    gcase("S01", "2024-12-20", "2024-12-27"),                                # G3 open, past due at year end
    gcase("S01", "2024-12-30", "2025-01-03", reworked=True),                 # G4 open (back for rework), not yet due
    gcase("S01", "2024-12-27", "2024-12-31"),                                # G5 open, due 31 Dec itself
    gcase("S01", "2024-12-23", "2024-12-30", "2025-01-02"),                  # G6 closed next year, late
    gcase("S01", "2024-06-03", "2024-06-10", "2024-06-07", reworked=True),   # G7 early, reworked
    gcase("S02", "2024-05-06", "2024-05-08", "2024-05-07"),                  # S02: two clean cases
    gcase("S02", "2024-05-06", "2024-05-08", "2024-05-08", extended=True),
]


@pytest.fixture(scope="module")
def ds():
    return make_dataset(units=("S01", "S02", "D01"), tables={(Y, "grid_cases"): CASES})


def test_on_time_rate(ds):
    out = grid.grid_on_time_rate(ds, Y)
    assert_shape(out, ["S01", "S02", "D01"])
    # S01 应结案: closed G1, G2, G6, G7 + open past due G3 (27 Dec) and G5 (due 31 Dec) = 6;
    # G4 (due 3 Jan 2025) not yet. On time: G1 (on the due date), G7 = 2 → 2 / 6 = 33.33 %.
    assert_row(out, "S01", 100.0 / 3, 2, 6, n=6)
    # S02: 2 / 2 (one closed exactly on the due date).
    assert_row(out, "S02", 100.0, 2, 2, n=2)
    # D01 handles no grid case: no data, not 100 %.
    assert_no_data(out, "D01")


def test_rework_rate_lower_is_better(ds):
    assert BY_CODE["grid_rework_rate"].direction == -1
    out = grid.grid_rework_rate(ds, Y)
    # S01 closed: G1, G2, G6, G7 = 4; reworked among them: G2, G7 = 2 → 50 %. G4 is marked
    # reworked but open again: not in either count.
    assert_row(out, "S01", 50.0, 2, 4, n=4)
    # S02: 0 reworked of 2 closed → a real 0 % (the best value), status ok.
    assert_row(out, "S02", 0.0, 0, 2, n=2)
    assert_no_data(out, "D01")


def test_only_open_cases_not_yet_due_is_no_data():
    ds = make_dataset(units=("S01",), tables={(Y, "grid_cases"): [CASES[3]]})  # G4 only
    assert_no_data(grid.grid_on_time_rate(ds, Y), "S01")
    assert_no_data(grid.grid_rework_rate(ds, Y), "S01")


@pytest.mark.parametrize("code", ["grid_on_time_rate", "grid_rework_rate"])
def test_absent_table_gives_no_data(code):
    assert_no_data(BY_CODE[code](make_dataset(units=("S01",)), Y), "S01")
