"""data_quality_score on a small hand-made table (the score's aggregation is worked by hand
in tests/quality/test_quality_score.py)."""

from indicator_kit import assert_row, make_dataset

from evalkit.indicators.quality import data_quality_score

YEAR = 2024


def _budget(unit, months):
    return [{"unit_id": unit, "month": m, "line": "basic", "budget_yuan": 1200.0, "adjustment_yuan": 0.0,
             "spending_yuan": 100.0 + m} for m in months]


def test_data_quality_score_by_hand():
    ds = make_dataset(units=("D01", "D02", "D03"),
                      tables={(YEAR, "budget_lines"): _budget("D01", range(1, 13)) + _budget("D02", range(1, 11))})
    out = data_quality_score(ds, YEAR)
    # D01: budget months present (completeness 100) and none copied (plausibility 100)
    assert_row(out, "D01", 100.0, n=2)
    # D02: November and December missing (completeness 0), none copied (100): (0 + 100) / 2
    assert_row(out, "D02", 50.0, n=2)
    # D03: no budget row at all (completeness 0); nothing to compare months with
    assert_row(out, "D03", 0.0, n=1)


def test_no_applicable_check_is_no_data():
    out = data_quality_score(make_dataset(units=("D01",)), YEAR)
    assert out.iloc[0]["status"] == "no_data" and out.iloc[0]["n"] == 0
