"""Administrative review and litigation indicators (lower is better) on a hand-made table."""

import pytest

from evalkit.indicators import BY_CODE
from evalkit.indicators import legal
from indicator_kit import assert_no_data, assert_row, assert_shape, make_dataset

Y = 2024


def lcase(unit, kind, outcome=None, concluded="2024-09-30"):
    return {"unit_id": unit, "kind": kind, "filed_date": "2024-03-01",
            "concluded_date": concluded if outcome else None, "outcome": outcome}


CASES = [
    # D01 reviews: 7 concluded (4 corrections) + 1 pending.
    lcase("D01", "review", "upheld"),
    lcase("D01", "review", "dismissed"),
    lcase("D01", "review", "revoked"),               # 撤销  — correction
    lcase("D01", "review", "varied"),                # 变更  — correction
    lcase("D01", "review", "confirmed_unlawful"),    # 确认违法 — correction
    lcase("D01", "review", "ordered_to_perform"),    # 责令履行 — correction
    lcase("D01", "review", "terminated"),
    lcase("D01", "review"),                          # pending: not concluded
    # D01 litigation: won, lost, withdrawn + 1 pending.
    lcase("D01", "litigation", "won"),
    lcase("D01", "litigation", "lost"),
    lcase("D01", "litigation", "withdrawn"),
    lcase("D01", "litigation"),
    # D02: two concluded reviews, no correction; no litigation.
    lcase("D02", "review", "upheld"),
    lcase("D02", "review", "dismissed"),
    # S01: only a pending lawsuit.
    lcase("S01", "litigation"),
]


@pytest.fixture(scope="module")
def ds():
    return make_dataset(units=("D01", "D02", "S01", "S02"), tables={(Y, "legal_cases"): CASES})


def test_both_are_lower_is_better():
    assert BY_CODE["review_correction_rate"].direction == -1
    assert BY_CODE["litigation_loss_rate"].direction == -1


def test_review_correction_rate(ds):
    out = legal.review_correction_rate(ds, Y)
    assert_shape(out, ["D01", "D02", "S01", "S02"])
    # D01: (撤销 + 变更 + 确认违法 + 责令履行) 4 / 审结 7 = 57.14 %; the pending review and the
    # lost lawsuit are not counted.
    assert_row(out, "D01", 100.0 * 4 / 7, 4, 7, n=7)
    # D02: 0 of 2 → 0 % (the best value; a real zero, status ok).
    assert_row(out, "D02", 0.0, 0, 2, n=2)
    # S01 only a lawsuit, S02 nothing: no data.
    assert_no_data(out, "S01")
    assert_no_data(out, "S02")


def test_litigation_loss_rate(ds):
    out = legal.litigation_loss_rate(ds, Y)
    # D01: lost 1 / concluded 3 (won, lost, withdrawn) = 33.33 %; pending one left out.
    assert_row(out, "D01", 100.0 / 3, 1, 3, n=3)
    # D02: reviews only → no data; S01: a pending lawsuit only → no data; S02: nothing.
    for unit in ("D02", "S01", "S02"):
        assert_no_data(out, unit)


@pytest.mark.parametrize("code", ["review_correction_rate", "litigation_loss_rate"])
def test_absent_or_empty_table_gives_no_data(code):
    # legal_cases may be an empty file (allow_empty): a header and no rows.
    for ds in (make_dataset(units=("D01",)),
               make_dataset(units=("D01",), tables={(Y, "legal_cases"): []})):
        assert_no_data(BY_CODE[code](ds, Y), "D01")
