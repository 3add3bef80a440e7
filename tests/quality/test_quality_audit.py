"""Inspection audits (抽查核验, issue 13 item 3): ``evalkit audit sample`` / ``audit record`` and
the kernels of :mod:`evalkit.quality.audit`.

The Wilson interval is pinned to hand-worked values and to Newcombe (1998), Table I
(Newcombe, R. G., Two-sided confidence intervals for the single proportion: comparison of seven
methods, *Statistics in Medicine* 17, 857–872; method 3 = Wilson, 1927).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.data.contract import TABLES
from evalkit.data.dataset import validate_directory
from evalkit.errors import EvalkitError
from evalkit.quality.audit import (AUDIT_TABLE, SHEET_AUDIT, audit_error_rate, audit_fields, audit_outcomes,
                                   auditable_tables, draw_audit_sample, largest_remainder, merge_audit_outcomes,
                                   parse_verified, read_audit_workbook, record_keys)

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"
YEAR, UNIT, TABLE = 2024, "D03", "service_cases"
DRAWN = dt.date(2025, 1, 10)


# --------------------------------------------------------------------------------------
# Allocation (largest remainder), worked by hand
# --------------------------------------------------------------------------------------

def test_largest_remainder_hand_worked():
    # 7·(50, 30, 20)/100 = 3.5, 2.1, 1.4 → floors 3, 2, 1 (6); one left → the largest remainder (0.5)
    assert largest_remainder([50, 30, 20], 7).tolist() == [4, 2, 1]
    # 4·(5, 3, 2)/10 = 2.0, 1.2, 0.8 → floors 2, 1, 0; remainders 0, 2, 8 (of 10) → the third
    assert largest_remainder([5, 3, 2], 4).tolist() == [2, 1, 1]
    # equal remainders: the earlier stratum first
    assert largest_remainder([3, 3, 3], 2).tolist() == [1, 1, 0]
    assert largest_remainder([4, 6], 10).tolist() == [4, 6]        # a census
    assert largest_remainder([4, 6], 0).tolist() == [0, 0]
    with pytest.raises(ValueError):
        largest_remainder([4, 6], 11)


def test_largest_remainder_is_proportional_and_exact():
    rng = np.random.default_rng(5)
    for _ in range(300):
        sizes = rng.integers(1, 60, size=rng.integers(1, 13))
        n = int(rng.integers(0, sizes.sum() + 1))
        alloc = largest_remainder(sizes, n)
        share = n * sizes / sizes.sum()
        assert alloc.sum() == n
        assert (alloc <= sizes).all()
        assert (np.abs(alloc - share) < 1).all()           # within one record of proportional


# --------------------------------------------------------------------------------------
# The Wilson interval of the error rate
# --------------------------------------------------------------------------------------

def test_error_rate_3_of_40_hand_worked():
    # z = 1.959964, z² = 3.841459: centre = (3 + z²/2)/(40 + z²) = 4.920729/43.841459 = 0.112240;
    # half = z·√40/(40 + z²)·√(0.075·0.925 + z²/160) = 0.282744·0.305588 = 0.086403
    # → 0.025836 … 0.198642, i.e. 2.6 %–19.9 %.
    e = audit_error_rate([True] * 37 + [False] * 3, population=201)
    assert (e.checked, e.errors) == (40, 3)
    assert e.rate == pytest.approx(0.075)
    assert e.lower == pytest.approx(0.025836, abs=2e-6)
    assert e.upper == pytest.approx(0.198642, abs=2e-6)
    # the count scaled the same way: 201 × (0.075, 0.025836, 0.198642)
    assert e.errors_estimate == pytest.approx(15.075)
    assert e.errors_lower == pytest.approx(201 * 0.025836, abs=1e-3)
    assert e.errors_upper == pytest.approx(201 * 0.198642, abs=1e-3)
    assert "7.5 %" in e.describe() and "2.6 %–19.9 %" in e.describe()


@pytest.mark.parametrize("errors, n, lower, upper", [
    (81, 263, 0.2553, 0.3662),   # Newcombe (1998), Table I
    (15, 148, 0.0624, 0.1605),   # Newcombe (1998), Table I
    (0, 20, 0.0, 0.1611),        # Newcombe (1998), Table I
])
def test_error_rate_interval_matches_newcombe_1998(errors, n, lower, upper):
    e = audit_error_rate([False] * errors + [True] * (n - errors), population=10 * n)
    assert round(e.lower, 4) == lower and round(e.upper, 4) == upper


def test_error_rate_refuses_nonsense():
    with pytest.raises(EvalkitError):
        audit_error_rate([], population=10)
    with pytest.raises(EvalkitError):
        audit_error_rate([True] * 5, population=4)


# --------------------------------------------------------------------------------------
# Drawing: reproducible, order-free, stratified, no personal data
# --------------------------------------------------------------------------------------

def _cases(n_per_month=(6, 2, 0, 4), units=("U1", "U2")) -> pd.DataFrame:
    rows = []
    for unit in units:
        for month, k in enumerate(n_per_month, start=1):
            for i in range(k):
                rows.append({"case_id": f"{unit}-{month:02d}-{i}", "unit_id": unit, "item_code": None,
                             "received_date": pd.Timestamp(2024, month, 1 + i), "statutory_limit_days": 10,
                             "promised_limit_days": 5, "completed_date": pd.NaT, "channel": "online",
                             "instant": False, "rating": None, "bad_rating_rectified_date": pd.NaT})
    return pd.DataFrame(rows)


def test_draw_is_reproducible_and_does_not_depend_on_file_order():
    records = _cases()
    a = draw_audit_sample(records, TABLE, year=YEAR, unit_id="U1", n=6, seed=11, drawn_date=DRAWN)
    b = draw_audit_sample(records.sample(frac=1, random_state=3), TABLE, year=YEAR, unit_id="U1", n=6,
                          seed=11, drawn_date=DRAWN)
    pd.testing.assert_frame_equal(a.records, b.records)
    assert set(a.records["record_key"]).issubset(set(records.loc[records.unit_id == "U1", "case_id"]))
    others = {tuple(draw_audit_sample(records, TABLE, year=YEAR, unit_id="U1", n=6, seed=s,
                                      drawn_date=DRAWN).records["record_key"]) for s in range(20)}
    assert len(others) > 1                                  # the seed matters
    assert a.audit_id == "2024-U1-service_cases-s11-n6"


def test_draw_is_stratified_by_month_proportionally():
    # U1: 6, 2, 0, 4 records in January, February, (none in March), April; n = 6 of 12:
    # 6·(6, 2, 4)/12 = 3, 1, 2 exactly
    s = draw_audit_sample(_cases(), TABLE, year=YEAR, unit_id="U1", n=6, seed=2, drawn_date=DRAWN)
    assert s.allocation.to_dict("list") == {"stratum": [1, 2, 4], "records": [6, 2, 4], "drawn": [3, 1, 2]}
    assert s.records["stratum"].value_counts().sort_index().to_dict() == {1: 3, 2: 1, 4: 2}
    assert s.records["item"].tolist() == [1, 2, 3, 4, 5, 6]
    assert (s.population, s.sample_size, s.stratum_column) == (12, 6, "received_date")
    # n = 5: 5·(6, 2, 4)/12 = 2.5, 0.83, 1.67 → floors 2, 0, 1; remainders 6, 10, 8 (of 12)
    # → the two largest (February, April) get one more: 2, 1, 2
    s = draw_audit_sample(_cases(), TABLE, year=YEAR, unit_id="U1", n=5, seed=2, drawn_date=DRAWN)
    assert s.allocation["drawn"].tolist() == [2, 1, 2]


def test_draw_refuses_what_cannot_be_drawn():
    with pytest.raises(EvalkitError, match="1 to 12"):
        draw_audit_sample(_cases(), TABLE, year=YEAR, unit_id="U1", n=13, seed=1, drawn_date=DRAWN)
    with pytest.raises(EvalkitError, match="no records"):
        draw_audit_sample(_cases(), TABLE, year=YEAR, unit_id="U9", n=1, seed=1, drawn_date=DRAWN)
    with pytest.raises(EvalkitError, match="aggregation layer"):
        draw_audit_sample(_cases(), "ratings", year=YEAR, unit_id="U1", n=1, seed=1, drawn_date=DRAWN)


def test_no_free_text_column_reaches_the_auditor():
    for name in auditable_tables():
        table = TABLES[name]
        shown = audit_fields(table)
        assert all(table.column(c).dtype != "text" for c in shown), name
        assert set(table.key) <= set(shown) | {"unit_id"}
    assert "title" not in audit_fields(TABLES["key_tasks"])
    assert "reason" not in audit_fields(TABLES["adjustments"])
    assert not {AUDIT_TABLE, "submissions", "ratings", "survey_responses"} & set(auditable_tables())
    assert {"service_cases", "hotline_tickets", "budget_lines", "rectifications"} <= set(auditable_tables())


def test_record_keys_of_a_composite_key():
    frame = pd.DataFrame({"unit_id": ["D03"], "month": pd.array([3], dtype="Int64"), "line": ["basic"]})
    assert record_keys(frame, TABLES["budget_lines"]).tolist() == ["D03,3,basic"]


@pytest.mark.parametrize("value, verdict", [("是", True), ("否", False), ("Y", True), ("n", False), ("1", True),
                                            (0, False), (1, True), (True, True), (" 否 ", False), (None, None),
                                            ("", None)])
def test_parse_verified(value, verdict):
    assert parse_verified(value) is verdict


@pytest.mark.parametrize("value", ["maybe", "2", 2, "是的"])
def test_parse_verified_refuses(value):
    with pytest.raises(ValueError):
        parse_verified(value)


# --------------------------------------------------------------------------------------
# The round trip on the shipped sample district
# --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """The shipped sample district: the district tables and the 2024 folder."""
    dest = tmp_path_factory.mktemp("district") / "data"
    dest.mkdir()
    for path in SAMPLE.iterdir():
        if path.is_file():
            shutil.copy(path, dest / path.name)
    shutil.copytree(SAMPLE / "2024", dest / "2024")
    # the audits start from none (a regenerated sample may ship one of D10's)
    (dest / "2024" / "verification_audits.csv").unlink(missing_ok=True)
    return dest


def _sample(data: Path, out: Path, seed: int = 7, n: int = 40, where: tuple = ()) -> int:
    where = where or ("--data", str(data))
    return main(["audit", "sample", *where, "--year", str(YEAR), "--unit", UNIT, "--table", TABLE,
                 "--n", str(n), "--seed", str(seed), "--out", str(out), "--date", DRAWN.isoformat()])


def _sheet_rows(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[SHEET_AUDIT].iter_rows(values_only=True))


def _fill(path: Path, out: Path, wrong: set[int], value_of=None) -> None:
    """The auditor's work: 否 on the sheet rows ``wrong``, 是 on the others."""
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET_AUDIT]
    header = [c.value for c in ws[1]]
    col = header.index("核验结果 verified (是/否)") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=col).value = "否" if r in wrong else "是"
        if value_of and r in value_of:
            ws.cell(row=r, column=col).value = value_of[r]
    ws.cell(row=min(wrong), column=col + 1).value = "办结日期与办件材料不符"
    wb.save(out)


def test_audit_round_trip_on_the_sample_district(district, tmp_path, capsys):
    first, again = tmp_path / "audit.xlsx", tmp_path / "again.xlsx"
    assert _sample(district, first) == 0
    out = capsys.readouterr().out
    assert "Drew 40 of 201 service_cases records of D03 in 2024 (seed 7" in out
    assert _sample(district, again) == 0
    rows, rows_again = _sheet_rows(first), _sheet_rows(again)
    assert rows == rows_again                                    # the same seed draws the same records
    header = rows[0]
    assert header[:3] == ("序号 item", "核验批次编号 audit_id", "记录主键 record_key")
    assert header[-2:] == ("核验结果 verified (是/否)", "核验说明 note")
    assert len(rows) == 41 and all(r[-2] is None and r[-1] is None for r in rows[1:])
    ws = openpyxl.load_workbook(first)[SHEET_AUDIT]
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"是,否"' and str(dv.sqref) == "O2:O41"

    # stratified by month, proportionally: D03's 201 cases of 2024 by month of received_date
    cases = pd.read_csv(district / "2024" / "service_cases.csv.gz", dtype=str)
    mine = cases[cases.unit_id == UNIT]
    sizes = pd.to_datetime(mine.received_date).dt.month.value_counts().sort_index()
    drawn = pd.Series([int(r[6][5:7]) for r in rows[1:]]).value_counts().sort_index()
    assert sizes.sum() == 201
    assert drawn.tolist() == largest_remainder(sizes.to_numpy(), 40).tolist()
    assert set(r[2] for r in rows[1:]) <= set(mine.case_id)

    done = tmp_path / "returned.xlsx"
    _fill(first, done, wrong={3, 17, 30})
    code = main(["audit", "record", str(done), "--data", str(district), "--by", "李审核", "--date", "2025-01-20"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 of 40 records not verified" in out
    assert "Verified error rate: 7.5 % (95 % Wilson interval 2.6 %–19.9 %)" in out
    assert "15.1 of 201" in out                                   # 201 × 0.075
    returned, problems = read_audit_workbook(done)
    estimate = audit_error_rate(returned.outcomes["verified"], returned.population)
    assert problems == [] and (round(estimate.rate, 3), round(estimate.lower, 3), round(estimate.upper, 3)) == (
        0.075, 0.026, 0.199)

    stored = pd.read_csv(district / "2024" / "verification_audits.csv", dtype=str)
    assert list(stored.columns) == list(TABLES[AUDIT_TABLE].column_names)
    assert len(stored) == 40 and (stored.verified == "0").sum() == 3
    assert set(stored.audit_id) == {"2024-D03-service_cases-s7-n40"}
    assert stored.loc[stored.verified == "0", "record_key"].tolist() == [rows[r - 1][2] for r in (3, 17, 30)]
    assert stored.population.unique().tolist() == ["201"] and stored.auditor.unique().tolist() == ["李审核"]
    assert not [p for p in validate_directory(district, [YEAR]) if p.severity == "error"]

    # recorded again: replaced, not duplicated; another audit is added next to it
    assert main(["audit", "record", str(done), "--data", str(district), "--by", "李审核",
                 "--date", "2025-01-21"]) == 0
    other = tmp_path / "other.xlsx"
    assert _sample(district, other, seed=8, n=10) == 0
    _fill(other, tmp_path / "other_done.xlsx", wrong={2})
    assert main(["audit", "record", str(tmp_path / "other_done.xlsx"), "--data", str(district),
                 "--by", "王核验", "--date", "2025-01-21"]) == 0
    capsys.readouterr()
    stored = pd.read_csv(district / "2024" / "verification_audits.csv", dtype=str)
    assert stored.audit_id.value_counts().to_dict() == {"2024-D03-service_cases-s7-n40": 40,
                                                        "2024-D03-service_cases-s8-n10": 10}
    assert not [p for p in validate_directory(district, [YEAR]) if p.severity == "error"]


def test_a_bad_verdict_is_one_clear_problem(district, tmp_path, capsys):
    sheet = tmp_path / "audit.xlsx"
    assert _sample(district, sheet, seed=3, n=12) == 0
    bad = tmp_path / "bad.xlsx"
    _fill(sheet, bad, wrong={2}, value_of={5: "maybe"})
    returned, problems = read_audit_workbook(bad, "bad.xlsx")
    assert returned is None
    assert [(p.file, p.row, p.column, p.expected, p.found) for p in problems] == [
        ("bad.xlsx", 5, "核验结果 verified (是/否)", "是 or 否 (also Y/N, 1/0)", "'maybe'")]
    before = (district / "2024" / "verification_audits.csv").read_bytes() \
        if (district / "2024" / "verification_audits.csv").exists() else None
    capsys.readouterr()
    assert main(["audit", "record", str(bad), "--data", str(district), "--by", "x"]) == 1
    err = capsys.readouterr().err
    assert "bad.xlsx" in err and "row 5" in err and "verified" in err and "'maybe'" in err
    assert "Traceback" not in err
    after = (district / "2024" / "verification_audits.csv").read_bytes() \
        if (district / "2024" / "verification_audits.csv").exists() else None
    assert before == after                                        # nothing stored

    blank = tmp_path / "blank.xlsx"
    _fill(sheet, blank, wrong={2}, value_of={7: None})
    _, problems = read_audit_workbook(blank, "blank.xlsx")
    assert [(p.row, p.found, p.severity) for p in problems] == [(7, "an empty cell", "error")]


def test_a_tampered_sheet_names_row_and_column(district, tmp_path):
    sheet = tmp_path / "audit.xlsx"
    assert _sample(district, sheet, seed=4, n=5) == 0
    wb = openpyxl.load_workbook(sheet)
    ws = wb[SHEET_AUDIT]
    for r in range(2, 7):
        ws.cell(row=r, column=15).value = "是"
    ws.cell(row=4, column=2).value = "2024-D03-service_cases-s5-n5"     # another audit's id
    ws.cell(row=6, column=3).value = ws.cell(row=5, column=3).value      # a key twice
    wb.save(tmp_path / "tampered.xlsx")
    _, problems = read_audit_workbook(tmp_path / "tampered.xlsx", "tampered.xlsx")
    assert [(p.row, p.column) for p in problems] == [(4, "核验批次编号 audit_id"), (6, "记录主键 record_key")]
    assert "this workbook's audit" in problems[0].expected and "first on row 5" in problems[1].found


def test_a_key_not_in_the_data_is_refused(district, tmp_path, capsys):
    sheet = tmp_path / "audit.xlsx"
    assert _sample(district, sheet, seed=6, n=3) == 0
    wb = openpyxl.load_workbook(sheet)
    ws = wb[SHEET_AUDIT]
    for r in range(2, 5):
        ws.cell(row=r, column=15).value = "Y"
    ws.cell(row=3, column=3).value = "SC-NOT-THERE"
    wb.save(tmp_path / "moved.xlsx")
    capsys.readouterr()
    assert main(["audit", "record", str(tmp_path / "moved.xlsx"), "--data", str(district), "--by", "x"]) == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "SC-NOT-THERE" in err and "no such record" in err


@pytest.mark.parametrize("argv, message", [
    (["--table", "ratings"], "aggregation layer"),
    (["--unit", "X99"], "--unit X99"),
    (["--n", "500"], "--n: expected 1 to 201"),
    (["--year", "2019"], "no 2019 folder"),
    (["--out", "audit.csv"], "--out"),
])
def test_sample_mistakes_are_one_line(district, tmp_path, capsys, argv, message):
    args = {"--year": str(YEAR), "--unit": UNIT, "--table": TABLE, "--n": "5", "--seed": "1",
            "--out": str(tmp_path / "a.xlsx")}
    args.update(dict(zip(argv[::2], argv[1::2])))
    flat = [x for kv in args.items() for x in kv]
    assert main(["audit", "sample", "--data", str(district), *flat]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("evalkit: error:") and message in err[0]


# --------------------------------------------------------------------------------------
# With the efficiency database
# --------------------------------------------------------------------------------------

def test_audit_round_trip_with_the_database(district, tmp_path, capsys):
    small = tmp_path / "small"
    (small / "2024").mkdir(parents=True)
    shutil.copy(district / "units.csv", small / "units.csv")
    cases = pd.read_csv(district / "2024" / "service_cases.csv.gz", dtype=str, keep_default_na=False)
    cases[cases.unit_id.isin([UNIT, "D04"])].to_csv(small / "2024" / "service_cases.csv", index=False)
    db = str(tmp_path / "evalkit.duckdb")
    assert main(["db", "init", "--db", db]) == 0
    assert main(["db", "import", str(small), "--db", db, "--by", "x"]) == 0

    from_db, from_dir = tmp_path / "db.xlsx", tmp_path / "dir.xlsx"
    assert _sample(small, from_db, where=("--db", db)) == 0
    assert _sample(small, from_dir) == 0
    assert _sheet_rows(from_db) == _sheet_rows(from_dir)          # the same draw from either source

    _fill(from_db, tmp_path / "done.xlsx", wrong={4, 5, 41})
    capsys.readouterr()
    assert main(["audit", "record", str(tmp_path / "done.xlsx"), "--db", db, "--by", "李审核",
                 "--date", "2025-01-20"]) == 0
    out = capsys.readouterr().out
    assert "Verified error rate: 7.5 % (95 % Wilson interval 2.6 %–19.9 %)" in out
    assert "Imported batch" in out

    from evalkit.store import open_store

    with open_store(db, read_only=True) as store:
        audits = store.rows(AUDIT_TABLE, year=YEAR)
        assert len(store.rows(TABLE, year=YEAR)) == len(cases[cases.unit_id.isin([UNIT, "D04"])])
    assert len(audits) == 40 and int((~audits["verified"].astype(bool)).sum()) == 3

    # a second audit: the store then holds both (the year's file is replaced by all audits)
    second = tmp_path / "second.xlsx"
    assert _sample(small, second, seed=9, n=8, where=("--db", db)) == 0
    _fill(second, tmp_path / "second_done.xlsx", wrong={2})
    assert main(["audit", "record", str(tmp_path / "second_done.xlsx"), "--db", db, "--by", "王核验",
                 "--date", "2025-01-21"]) == 0
    with open_store(db, read_only=True) as store:
        audits = store.rows(AUDIT_TABLE, year=YEAR)
    assert audits["audit_id"].value_counts().to_dict() == {"2024-D03-service_cases-s7-n40": 40,
                                                           "2024-D03-service_cases-s9-n8": 8}


# --------------------------------------------------------------------------------------
# Rows of the verification_audits table
# --------------------------------------------------------------------------------------

def test_merge_replaces_an_audit_recorded_again(district, tmp_path):
    sheet = tmp_path / "a.xlsx"
    assert _sample(district, sheet, seed=21, n=4) == 0
    _fill(sheet, tmp_path / "done.xlsx", wrong={2})
    returned, _ = read_audit_workbook(tmp_path / "done.xlsx")
    first = audit_outcomes(returned, auditor="甲", recorded_date=dt.date(2025, 1, 11))
    second = audit_outcomes(returned, auditor="乙", recorded_date=dt.date(2025, 1, 12))
    merged = merge_audit_outcomes(merge_audit_outcomes(None, first), second)
    assert len(merged) == 4 and merged.auditor.unique().tolist() == ["乙"]
    with pytest.raises(EvalkitError, match="before the sample was drawn"):
        audit_outcomes(returned, auditor="甲", recorded_date=dt.date(2024, 12, 31))
