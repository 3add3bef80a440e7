"""Tests of the deterministic table writers (evalkit.data.writers)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from evalkit.data.writers import table_suffix, write_table


@pytest.fixture()
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": pd.array(["001", "002", None], dtype="str"),
        "name": ["区房管局", "青枫路街道", "a,b"],
        "day": pd.to_datetime(["2024-01-02", None, "2024-12-31"]),
        "at": pd.to_datetime(["2024-01-02 08:30:00", "2024-01-02 17:29:59", None]),
        "flag": [True, False, True],
        "maybe": pd.array([True, None, False], dtype="boolean"),
        "count": np.array([1, 2, 3], dtype=np.int16),
        "money": [1.5, np.nan, 1234567.25],
    })


def test_csv_text_conventions(tmp_path, frame):
    path = write_table(frame, tmp_path / "t.csv")
    text = path.read_bytes().decode("utf-8")
    assert text == (
        "id,name,day,at,flag,maybe,count,money\n"
        "001,区房管局,2024-01-02,2024-01-02 08:30:00,1,1,1,1.5\n"
        "002,青枫路街道,,2024-01-02 17:29:59,0,,2,\n"
        ',"a,b",2024-12-31,,1,0,3,1234567.25\n'
    )


def test_float_format_option(tmp_path, frame):
    text = write_table(frame, tmp_path / "t.csv", float_format="%.2f").read_text(encoding="utf-8")
    assert text.splitlines()[1].endswith(",1.50")


def test_gzip_is_reproducible_and_has_no_name_or_time(tmp_path, frame):
    a = write_table(frame, tmp_path / "a.csv.gz").read_bytes()
    b = write_table(frame, tmp_path / "sub" / "b.csv.gz").read_bytes()
    assert a == b
    assert a[4:8] == b"\x00\x00\x00\x00" and a[3] & 0x08 == 0
    assert gzip.decompress(a) == write_table(frame, tmp_path / "c.csv").read_bytes()


def test_parquet_is_reproducible_with_native_types(tmp_path, frame):
    a = write_table(frame, tmp_path / "a.parquet")
    b = write_table(frame, tmp_path / "b.parquet")
    assert a.read_bytes() == b.read_bytes()
    schema = pq.read_schema(a)
    assert str(schema.field("day").type) == "date32[day]"
    assert str(schema.field("at").type) == "timestamp[ms]"  # Parquet has no second unit
    assert str(schema.field("maybe").type) == "bool"
    assert schema.metadata is None  # no pandas metadata, no index
    back = pd.read_parquet(a)
    assert list(back.columns) == list(frame.columns)
    assert back["id"].isna().tolist() == [False, False, True]


def test_replaces_atomically_and_leaves_no_temporary_file(tmp_path, frame):
    path = tmp_path / "t.csv"
    path.write_text("old", encoding="utf-8")
    write_table(frame, path)
    assert path.read_text(encoding="utf-8").startswith("id,")
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_unknown_suffix_is_rejected(tmp_path, frame):
    with pytest.raises(ValueError, match=r"\.csv"):
        write_table(frame, tmp_path / "t.json")
    assert table_suffix("x/2024/service_cases.CSV.GZ") == ".csv.gz"
