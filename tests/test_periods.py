"""Evaluation periods (evalkit.periods): parsing, cut-offs, names, and the as-at rules of
evalkit.data.as_at read from the data contract."""

import pickle

import pandas as pd
import pytest

from evalkit.data.as_at import in_period, known_at, restricts
from evalkit.data.contract import TABLES
from evalkit.periods import Period, PeriodError, as_period, cutoff, parse_period, period_start


@pytest.mark.parametrize("text, key, kind, months", [
    ("2024", "2024", "year", (1, 12)),
    ("2024-09", "2024-09", "month", (9, 9)),
    ("2024-9", "2024-09", "month", (9, 9)),
    ("2024Q3", "2024Q3", "quarter", (7, 9)),
    ("2024-q1", "2024Q1", "quarter", (1, 3)),
    ("2024-YTD-09", "2024-YTD-09", "ytd", (1, 9)),
    (" 2024-ytd-9 ", "2024-YTD-09", "ytd", (1, 9)),
])
def test_parse_period(text, key, kind, months):
    p = parse_period(text)
    assert (p.key, p.kind, (p.first_month, p.last_month)) == (key, kind, months)
    assert p == 2024 and int(p) == 2024 and isinstance(p, int)
    assert parse_period(p.key).key == p.key  # the key reads back


@pytest.mark.parametrize("text", ["2024Q5", "2024-13", "2024-00", "24Q3", "2024-YTD-13", "", "Q3 2024", "2024H1"])
def test_bad_period_text_is_one_clear_error(text):
    with pytest.raises(PeriodError, match="period"):
        parse_period(text)


def test_cutoffs_and_starts():
    assert cutoff(2024) == pd.Timestamp("2024-12-31 23:59:59")  # a plain year: as before
    assert parse_period("2024-09").cutoff == pd.Timestamp("2024-09-30 23:59:59")
    assert parse_period("2024-02").cutoff == pd.Timestamp("2024-02-29 23:59:59")  # leap year
    assert parse_period("2023-02").end_date == pd.Timestamp("2023-02-28")
    assert parse_period("2024Q3").start == pd.Timestamp("2024-07-01")
    assert period_start(2024) == pd.Timestamp("2024-01-01")
    assert parse_period("2024Q3").months == (7, 8, 9)


def test_year_to_date_resolves_and_refuses_until_then():
    ytd = parse_period("2024-YTD")
    assert not ytd.resolved and ytd.key == "2024-YTD"
    with pytest.raises(PeriodError, match="not known yet"):
        ytd.cutoff
    assert ytd.through(10).key == "2024-YTD-10"
    assert ytd.through(10).cutoff == pd.Timestamp("2024-10-31 23:59:59")


def test_in_year_and_same_period():
    assert not Period.year_of(2024).in_year and parse_period("2024-YTD-12").in_year
    assert parse_period("2024-YTD-12").is_full_year  # all months, yet as known at 31 December
    q = parse_period("2024Q3").same_period(2023)
    assert (q.key, int(q), q.months) == ("2023Q3", 2023, (7, 8, 9))
    assert as_period(2024).key == "2024" and as_period(q) is q


def test_names():
    assert parse_period("2024Q3").name("zh") == "2024 年第三季度"
    assert parse_period("2024Q3").name("en") == "Q3 2024"
    assert parse_period("2024-09").name("zh") == "2024 年 9 月"
    assert parse_period("2024-09").name("en") == "September 2024"
    assert parse_period("2024-YTD-09").name("zh") == "2024 年 1—9 月"
    assert parse_period("2024").name("zh") == "2024 年度"


def test_a_period_reads_as_its_year_in_paths_and_pickles():
    p = parse_period("2024Q3")
    assert f"{p}" == "2024" and str(p) == "2024" and repr(p) == "Period('2024Q3')"
    assert pickle.loads(pickle.dumps(p)).key == "2024Q3"
    assert {2024: "x"}[p] == "x"  # keyed by year


# ---------------------------------------------------------------------------------------
# The as-at rules come from the contract
# ---------------------------------------------------------------------------------------

def test_contract_declares_timing_once_and_consistently():
    for table in TABLES.values():
        for column in table.columns:
            if column.timing in ("outcome", "deadline"):
                assert column.dtype in ("date", "datetime"), (table.name, column.name)
            if column.recorded_with:
                assert table.column(column.recorded_with).timing == "outcome", (table.name, column.name)
    service = TABLES["service_cases"]
    assert service.column("completed_date").timing == "outcome"
    assert service.column("rating").recorded_with == "completed_date"
    assert TABLES["hotline_tickets"].column("due_at").timing == "deadline"
    assert TABLES["budget_lines"].column("month").timing == "month"
    assert {t.name for t in TABLES.values() if t.annual_only} >= {
        "ratings", "votes", "survey_responses", "staffing", "disclosure_documents", "key_tasks"}


def _tickets():
    return pd.DataFrame({
        "unit_id": ["D01"] * 4,
        "dispatched_at": pd.to_datetime(["2024-06-30 10:00", "2024-09-29 09:00", "2024-09-10 09:00",
                                         "2024-10-01 09:00"]),
        "closed_at": pd.to_datetime(["2024-07-02 10:00", "2024-10-01 12:00", "2024-09-12 10:00", None]),
        "due_at": pd.to_datetime(["2024-07-05", "2024-10-08", "2024-09-15", "2024-10-09"]),
        "callback_satisfaction": ["satisfied", "dissatisfied", "satisfied", None],
        "solved": pd.array([True, False, True, pd.NA], dtype="boolean"),
    })


def test_in_period_keeps_the_periods_records_as_known_at_the_cutoff():
    out = in_period(_tickets(), TABLES["hotline_tickets"], parse_period("2024Q3"))
    assert list(out["dispatched_at"].dt.strftime("%m-%d")) == ["09-29", "09-10"]  # anchored in Q3
    late = out.iloc[0]  # closed on 1 October: not yet at the Q3 cut-off
    assert pd.isna(late["closed_at"]) and pd.isna(late["callback_satisfaction"]) and pd.isna(late["solved"])
    assert late["due_at"] == pd.Timestamp("2024-10-08")  # a deadline is known in advance
    assert out.iloc[1]["callback_satisfaction"] == "satisfied"


def test_a_whole_year_is_the_data_as_they_are():
    frame = _tickets()
    assert in_period(frame, TABLES["hotline_tickets"], 2024) is frame
    assert in_period(frame, TABLES["hotline_tickets"], Period.year_of(2024)) is frame
    assert not restricts(2024) and not restricts(Period.year_of(2024)) and restricts(parse_period("2024-09"))


def test_known_at_blanks_a_non_nullable_value_with_its_nullable_type():
    rect = pd.DataFrame({"unit_id": ["D01", "D01"], "opened_date": pd.to_datetime(["2024-03-01", "2024-03-01"]),
                         "status": ["closed", "closed"],
                         "closed_date": pd.to_datetime(["2024-05-01", "2024-11-01"])})
    out = known_at(rect, TABLES["rectifications"], pd.Timestamp("2024-09-30 23:59:59"))
    assert out["status"].tolist()[0] == "closed" and pd.isna(out["status"].iloc[1])
    assert rect["status"].tolist() == ["closed", "closed"]  # the input is not modified


def test_monthly_tables_keep_the_periods_months():
    lines = pd.DataFrame({"unit_id": ["D01"] * 12, "month": pd.array(range(1, 13), dtype="Int64")})
    out = in_period(lines, TABLES["budget_lines"], parse_period("2024Q3"))
    assert out["month"].tolist() == [7, 8, 9]
    assert in_period(lines, TABLES["budget_lines"], parse_period("2024-YTD-05"))["month"].tolist() == [1, 2, 3, 4, 5]
