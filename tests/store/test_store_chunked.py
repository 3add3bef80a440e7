"""Large Parquet files are imported chunk by chunk (Store.import_directory(chunk_rows=…)) with
the same records and, for an invalid file, the same problems as a whole-file import — and
still nothing written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evalkit.data.dataset import validate_directory
from evalkit.store import init_store
from tests.store.conftest import SAMPLE

CHUNK = 64


@pytest.fixture
def second_url(store_url, tmp_path, request) -> str:
    """Another empty store on the same engine as ``store_url``."""
    if "://" not in store_url:
        return str(tmp_path / "second.duckdb")
    return request.getfixturevalue("pg_cluster").create_database()


def _with_cases(mini, rows: int = 500) -> pd.DataFrame:
    cases = pd.read_csv(SAMPLE / "2024" / "service_cases.csv.gz", dtype=str, keep_default_na=False).iloc[:rows]
    cases.to_parquet(mini / "2024" / "service_cases.parquet", row_group_size=100)
    return cases


def test_a_chunked_import_stores_what_a_whole_import_stores(store_url, second_url, mini):
    cases = _with_cases(mini)
    whole, _ = init_store(store_url)
    chunked, _ = init_store(second_url)
    with whole, chunked:
        a = whole.import_directory(mini, by="a")
        b = chunked.import_directory(mini, by="a", chunk_rows=CHUNK)
        assert a.status == b.status == "imported" and a.problems == b.problems
        assert [f["rows"] for f in a.files] == [f["rows"] for f in b.files]
        pd.testing.assert_frame_equal(whole.rows("service_cases", system=True),
                                      chunked.rows("service_cases", system=True))
        assert len(chunked.rows("service_cases")) == len(cases)


def test_a_chunked_unit_submission_takes_only_that_units_records(store_url, mini):
    cases = _with_cases(mini)
    store, _ = init_store(store_url)
    with store:
        assert store.import_directory(mini, by="office").status == "imported"
        unit = cases["unit_id"].iloc[0]
        cases.iloc[::-1].to_parquet(mini / "2024" / "service_cases.parquet", row_group_size=100)  # a new file
        result = store.import_directory(mini, by="unit", unit=unit, chunk_rows=CHUNK)
        assert result.status == "imported"
        entry = next(f for f in result.files if f["table"] == "service_cases")
        assert entry["rows"] == int((cases["unit_id"] == unit).sum())
        assert len(store.rows("service_cases")) == len(cases)


def test_an_invalid_chunked_file_writes_nothing_and_records_the_whole_files_problems(store_url, mini):
    cases = _with_cases(mini)
    spread = np.arange(5, len(cases), 37)  # every chunk of 64 rows has some
    cases.loc[spread, "received_date"] = "someday"
    cases.loc[spread[::3], "case_id"] = cases.loc[0, "case_id"]
    cases.loc[len(cases) - 1, "unit_id"] = "D99"  # no such unit: a check across tables
    cases.to_parquet(mini / "2024" / "service_cases.parquet", row_group_size=100)
    expected = validate_directory(mini)
    store, _ = init_store(store_url)
    with store:
        result = store.import_directory(mini, by="careless", chunk_rows=CHUNK)
        assert result.status == "rejected" and result.problems == expected
        assert all(n == 0 for t, n in store.counts().items() if t.startswith("data_"))
        assert store.counts()["batch_files"] == 0
        (status, problems), = store.db.query("SELECT status, problems FROM batches")
        recorded = json.loads(problems)["problems"]
        assert status == "rejected" and len(recorded) == len(expected)
        assert any(p["column"] == "unit_id" and "D99" in p["found"] for p in recorded)
        assert any(p["row"] is None and "more row(s)" in p["found"] for p in recorded)
