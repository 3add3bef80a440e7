"""A data directory's ``workdays.csv`` overrides the holiday package in every indicator."""

import shutil

import pandas as pd
import pytest

from evalkit.data.dataset import load_dataset, read_dataset, validate_directory
from evalkit.errors import EvalkitError
from evalkit.indicators import compute_indicators

BASE = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "malformed" / "_base"


def _copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BASE, data)
    return data


def test_overrides_file_is_read_hashed_and_used(tmp_path):
    data = _copy(tmp_path)
    plain = load_dataset(data)
    assert plain.workday_overrides is None
    # Declare every day of 2024 a holiday: no working day passes, so every completed case is
    # on time (0 working days used) — the values must change where they were not 100 %.
    days = pd.date_range("2023-12-01", "2025-03-31")
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "workday": 0}).to_csv(data / "workdays.csv", index=False)
    assert not [p for p in validate_directory(data) if p.severity == "error"]
    ds = load_dataset(data)
    assert ds.workday_overrides is not None and "workdays.csv" in ds.files
    before = compute_indicators(plain, 2024, ["service_speedup_rate"]).set_index("unit_id")["value"]
    after = compute_indicators(ds, 2024, ["service_speedup_rate"]).set_index("unit_id")["value"]
    assert (after.dropna() == 100.0).all() and not before.dropna().eq(100.0).all()
    fast = compute_indicators(read_dataset(data), 2024, ["service_speedup_rate"]).set_index("unit_id")["value"]
    pd.testing.assert_series_equal(fast, after)


def test_bad_overrides_file_is_one_clear_error(tmp_path):
    data = _copy(tmp_path)
    (data / "workdays.csv").write_text("date,workday\n2024-13-01,1\n", encoding="utf-8")
    with pytest.raises(EvalkitError, match=r"workdays.csv, row 2, column 'date'"):
        load_dataset(data)
