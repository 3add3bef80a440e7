"""Checking a file chunk by chunk (evalkit.data.chunked) gives the problems of the whole file:
the same messages, rows, columns, order and caps, with errors spread across the chunks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.data.chunked import check_chunks
from evalkit.data.contract import TABLES
from evalkit.data.loading import parquet_rows, read_file, read_parquet_chunks
from evalkit.data.validation import MAX_ROWS_PER_CHECK, check_table

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "sample_district"


def _chunks(raw, size):
    def chunks():
        for start in range(0, max(len(raw.frame), 1), size):
            yield replace(raw, frame=raw.frame.iloc[start:start + size].reset_index(drop=True),
                          row_numbers=raw.row_numbers[start:start + size])
    return chunks


def _both(raw, name, year, size, keep=()):
    whole, expected = check_table(raw, TABLES[name], year)
    written = []
    light, problems = check_chunks(_chunks(raw, size), TABLES[name], year, keep=keep,
                                   on_chunk=lambda ct: written.append(ct))
    return whole, expected, light, problems, written


def _sample(name: str, rows: int) -> "object":
    raw, problems = read_file(next((SAMPLE / "2024").glob(f"{name}.csv*")), f"2024/{name}.csv")
    assert raw is not None and not problems
    return replace(raw, frame=raw.frame.iloc[:rows].reset_index(drop=True), row_numbers=raw.row_numbers[:rows])


def _service_cases_with_errors():
    raw = _sample("service_cases", 400)
    f = raw.frame.copy()
    rng = np.random.default_rng(7)
    spread = rng.choice(np.arange(len(f)), size=120, replace=False)
    bad_dates, bad_ints, empty_units, wide, invisible, dup = np.array_split(spread, 6)
    f.loc[bad_dates, "received_date"] = "2024-13-45"                 # 20 rows: > MAX_ROWS_PER_CHECK
    f.loc[bad_ints[:5], "statutory_limit_days"] = "many"             # 5 rows: fewer than the cap
    f.loc[bad_ints[5:], "statutory_limit_days"] = "400"              # above the range
    f.loc[empty_units, "unit_id"] = ""                               # empty in a non-nullable column
    f.loc[wide, "promised_limit_days"] = "１"                         # full-width digits (a warning)
    f.loc[invisible, "item_code"] = "A\u200bB"                       # invisible characters (warnings)
    f.loc[dup, "case_id"] = f.loc[spread[:len(dup)], "case_id"].to_numpy()  # repeated keys, far apart
    f.loc[3, "case_id"] = f.loc[len(f) - 1, "case_id"]
    f.loc[7, "completed_date"] = "2023-01-01"                        # before received (an order)
    f.loc[len(f) - 2, "received_date"] = "2022-06-01"                # outside the folder's year
    f["extra column"] = "x"                                          # an unrecognised column (a warning)
    return replace(raw, frame=f)


@pytest.mark.parametrize("size", [3, 7, 64, 399, 400, 1000])
def test_errors_across_chunks_give_the_whole_files_problems(size):
    raw = _service_cases_with_errors()
    whole, expected, light, problems, written = _both(raw, "service_cases", 2024, size, keep=("unit_id",))
    assert problems == expected
    kinds = {(p.column, p.severity) for p in expected}
    assert len(expected) > 6 * MAX_ROWS_PER_CHECK and ("case_id", "error") in kinds
    assert any(p.row is None and "more row(s)" in p.found for p in expected)  # a capped list
    assert any(p.severity == "warning" and "full-width" in p.found for p in expected)
    assert list(light.rows) == list(raw.row_numbers) and list(light.frame.columns) == ["unit_id"]
    ids = light.frame["unit_id"].astype(object)
    assert ids.where(ids.notna(), None).tolist() == whole.frame["unit_id"].astype(object).where(
        whole.frame["unit_id"].notna(), None).tolist()
    # Chunks are handed on only until the first error.
    assert sum(len(ct.frame) for ct in written) < len(raw.frame)


@pytest.mark.parametrize("size", [5, 100])
def test_a_valid_file_in_chunks_is_the_whole_file(size):
    raw = _sample("service_cases", 300)
    raw.frame.loc[11, "item_code"] = "A\u200bB"  # a warning alone: still valid
    whole, expected, light, problems, written = _both(raw, "service_cases", 2024, size)
    assert problems == expected and len(problems) == 1 and problems[0].severity == "warning"
    together = pd.concat([ct.frame for ct in written], ignore_index=True)
    pd.testing.assert_frame_equal(together, whole.frame)
    assert np.array_equal(np.concatenate([ct.rows for ct in written]), whole.rows)


def test_values_constant_within_groups_across_chunks():
    raw = _sample("budget_lines", 200)
    f = raw.frame
    f.loc[150, "budget_yuan"] = "1"
    f.loc[[2, 190], "month"] = f.loc[[1, 189], "month"].to_numpy()  # repeated (unit, month, line)
    for size in (3, 50):
        _, expected, _, problems, _ = _both(raw, "budget_lines", 2024, size)
        assert problems == expected and any("the same budget_yuan" in p.expected for p in expected)


def test_header_errors_and_empty_files_as_the_whole_file():
    raw = _sample("service_cases", 30)
    broken = replace(raw, frame=raw.frame.drop(columns=["unit_id", "received_date"]))
    _, expected, light, problems, written = _both(broken, "service_cases", 2024, 4)
    assert light is None and problems == expected and not written
    empty = replace(raw, frame=raw.frame.iloc[:0], row_numbers=raw.row_numbers[:0])
    _, expected, light, problems, _ = _both(empty, "service_cases", 2024, 4)
    assert light is None and problems == expected


def test_parquet_chunks_read_as_the_whole_file(tmp_path):
    raw = _service_cases_with_errors()
    typed = raw.frame.copy()
    typed["received_date"] = pd.to_datetime(typed["received_date"], errors="coerce").dt.date
    typed["instant"] = typed["instant"].map({"1": True, "0": False, "true": True, "false": False})
    path = tmp_path / "service_cases.parquet"
    typed.to_parquet(path, row_group_size=50)
    whole_raw, read_problems = read_file(path, "2024/service_cases.parquet")
    assert not read_problems and parquet_rows(path) == len(typed)
    chunks = list(read_parquet_chunks(path, "2024/service_cases.parquet", 33))
    assert [c.row_numbers[0] for c in chunks] == list(range(1, len(typed) + 1, 33))
    pd.testing.assert_frame_equal(pd.concat([c.frame for c in chunks], ignore_index=True), whole_raw.frame)
    _, expected = check_table(whole_raw, TABLES["service_cases"], 2024)
    _, problems = check_chunks(lambda: read_parquet_chunks(path, "2024/service_cases.parquet", 33),
                               TABLES["service_cases"], 2024)
    assert problems == expected and any(p.severity == "error" for p in expected)


def test_an_unreadable_parquet_chunk_is_a_problem_not_a_crash(tmp_path):
    from evalkit.data.loading import UnreadableChunk

    path = tmp_path / "service_cases.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")
    assert parquet_rows(path) is None
    with pytest.raises(UnreadableChunk) as caught:
        list(read_parquet_chunks(path, "2024/service_cases.parquet", 10))
    _, whole = read_file(path, "2024/service_cases.parquet")
    assert caught.value.problem.expected == whole[0].expected


def test_warnings_that_count_their_rows_add_up_over_the_chunks():
    raw = _sample("hotline_tickets", 300)
    f = raw.frame
    f.loc[range(3, 300, 9), "closed_at"] = f.loc[range(3, 300, 9), "closed_at"].str[:10]  # date only
    f.loc[[41, 251], "signed_at"] = "soon"
    for size in (7, 50):
        _, expected, _, problems, _ = _both(raw, "hotline_tickets", 2024, size)
        assert problems == expected
        assert any(p.found.startswith("a date without a time on 33 row(s)") for p in expected)
