"""Counting a table streamed from Parquet (:class:`evalkit.indicators._common.StreamedRecords`)
gives the indicators counting it in memory gives, bit for bit: with many batches, with the
data's own working-day calendar (``workdays.csv``) and with the batches' typed numpy
columns (codes, booleans, integers with missing values) turned back into pandas where a
count needs the general path. A table without rows is read, not streamed.

A small generated district keeps this fast enough for the mutation testing of issue 18
(``python benchmarks/mutation.py indicators``); ``tests/test_read_dataset.py`` covers the
reader itself on a larger one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from evalkit.data.dataset import load_dataset, read_dataset
from evalkit.data.reading import Arrays
from evalkit.indicators import compute_indicators
from evalkit.indicators._common import _series
from evalkit.indicators.catalogue import required_columns
from evalkit.sample import SampleSpec, generate_sample

YEAR = 2024


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("streamed_district")
    generate_sample(root, SampleSpec(years=(YEAR,), cases=3_000, tickets=1_000, fmt="parquet"))
    return root


@pytest.fixture(scope="module")
def in_memory(district) -> pd.DataFrame:
    return compute_indicators(load_dataset(district), YEAR)


def test_streamed_in_small_batches_equals_in_memory(district, in_memory, monkeypatch):
    from evalkit.data.reading import ParquetTable

    monkeypatch.setattr(ParquetTable, "BATCH", 250)  # several batches per table
    fast = read_dataset(district, columns=required_columns())
    assert fast.deferred("service_cases", YEAR) is not None  # counted streamed, not loaded
    pd.testing.assert_frame_equal(compute_indicators(fast, YEAR), in_memory)


def test_streamed_counts_use_the_data_s_working_day_overrides(district, in_memory, tmp_path):
    """Every day of 2024 declared a holiday: no working day passes, so the working-day
    indicators change, and the streamed count must use the same calendar as the loaded one."""
    import shutil

    root = tmp_path / "d"
    shutil.copytree(district, root)
    days = pd.date_range("2023-12-01", "2025-03-31")
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "workday": 0}).to_csv(root / "workdays.csv", index=False)
    fast = read_dataset(root, columns=required_columns())
    assert fast.workday_overrides is not None and fast.deferred("service_cases", YEAR) is not None
    got = compute_indicators(fast, YEAR)
    pd.testing.assert_frame_equal(got, compute_indicators(load_dataset(root), YEAR))
    on_time = got[got["indicator"] == "service_on_time_rate"]["value"]
    before = in_memory[in_memory["indicator"] == "service_on_time_rate"]["value"]
    assert not np.allclose(on_time.to_numpy(dtype=float), before.to_numpy(dtype=float), equal_nan=True)


def test_an_empty_table_has_no_data_for_every_unit(district, tmp_path):
    import shutil

    root = tmp_path / "d"
    shutil.copytree(district, root)
    path = root / str(YEAR) / "grid_cases.parquet"
    pq.write_table(pq.read_table(path).slice(0, 0), path)
    fast = read_dataset(root, columns=required_columns())
    out = compute_indicators(fast, YEAR, codes=["grid_on_time_rate"])
    units = load_dataset(district).units["unit_id"].astype(str)
    assert sorted(out["unit_id"].astype(str)) == sorted(units)
    assert (out["status"] == "no_data").all() and (out["n"] == 0).all()


def test_series_turns_batch_arrays_back_into_pandas():
    codes = _series(Arrays("codes", np.array([1, -1, 0]), categories=pd.Index(["a", "b"])))
    assert isinstance(codes.dtype, pd.CategoricalDtype)
    assert codes.astype(object).where(codes.notna(), None).tolist() == ["b", None, "a"]
    flags = _series(Arrays("bool", np.array([1, 0, 1], dtype=np.int8), missing=np.array([False, False, True])))
    assert str(flags.dtype) == "boolean" and flags.tolist()[:2] == [True, False] and flags.isna().tolist() == [False, False, True]
    ints = _series(Arrays("number", np.array([3, 0, 7], dtype=np.int32), missing=np.array([False, True, False])))
    assert str(ints.dtype) == "Int64" and ints.isna().tolist() == [False, True, False] and ints[2] == 7
    plain = _series(Arrays("number", np.array([1.5, np.nan])))
    assert plain.dtype == np.float64 and plain[0] == 1.5 and np.isnan(plain[1])
