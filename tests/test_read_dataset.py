"""The fast reader of validated Parquet (``read_dataset`` / ``load_dataset(validate=False)``).

It must give the tables ``load_dataset`` gives — same values, same types except the
documented categoricals of the large event tables — and therefore the same indicators,
while reading only the columns asked for and checking nothing but what is free.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evalkit.data.dataset import _CATEGORICAL_UNIT_TABLES, load_dataset, read_dataset
from evalkit.errors import EvalkitError
from evalkit.indicators import compute_indicators
from evalkit.indicators.catalogue import CATALOGUE, required_columns
from evalkit.sample import SampleSpec, generate_sample

YEARS = (2023, 2024)


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory) -> Path:
    """A small generated district, year tables in Parquet (evalkit's own writer)."""
    root = tmp_path_factory.mktemp("parquet_district")
    generate_sample(root, SampleSpec(years=YEARS, cases=20_000, tickets=5_000, fmt="parquet"))
    return root


@pytest.fixture(scope="module")
def validated(parquet_dir):
    return load_dataset(parquet_dir)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain values, for comparing contents."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


@pytest.mark.parametrize("defer", [True, False])
def test_same_tables_as_the_validated_path(parquet_dir, validated, defer):
    fast = read_dataset(parquet_dir, defer=defer)
    assert fast.validated is False and validated.validated is True
    assert fast.years == validated.years
    assert fast.files == validated.files  # same provenance
    assert set(fast.tables) == set(validated.tables)
    for key, expected in validated.tables.items():
        got = fast.table(key[1], key[0])  # a deferred table is read here
        assert list(got.columns) == list(expected.columns), key
        for c in expected.columns:
            categorical_here = key[1] in _CATEGORICAL_UNIT_TABLES and isinstance(got[c].dtype, pd.CategoricalDtype)
            if not categorical_here:
                assert got[c].dtype == expected[c].dtype, (key, c, got[c].dtype, expected[c].dtype)
        pd.testing.assert_frame_equal(_plain(got), _plain(expected), check_dtype=False, obj=str(key))


def test_large_event_tables_keep_categories_as_categoricals(parquet_dir):
    fast = read_dataset(parquet_dir)
    cases = fast.table("service_cases", 2024)
    assert list(cases["channel"].cat.categories) == ["online", "offline"]
    assert cases["unit_id"].cat.categories.equals(pd.Index(fast.units["unit_id"].astype(str)))
    # a small table keeps Python strings, as load_dataset gives them
    assert fast.table("legal_cases", 2024)["kind"].dtype == object


@pytest.mark.parametrize("year", YEARS)
def test_same_indicators_with_only_the_declared_columns(parquet_dir, validated, year):
    fast = read_dataset(parquet_dir, columns=required_columns())
    expected = compute_indicators(validated, year, include_periodic=True)
    got = compute_indicators(fast, year, include_periodic=True)
    pd.testing.assert_frame_equal(got, expected)


def test_load_dataset_validate_false_is_read_dataset(parquet_dir, validated):
    fast = load_dataset(parquet_dir, validate=False, columns={"service_cases": ["rating"]})
    assert fast.validated is False
    assert list(fast.table("service_cases", 2024).columns) == ["unit_id", "rating"]
    assert list(fast.table("legal_cases", 2024).columns) == list(validated.table("legal_cases", 2024).columns)


def test_validated_path_can_drop_columns_too(parquet_dir):
    ds = load_dataset(parquet_dir, years=[2024], columns={"hotline_tickets": ["closed_at", "due_at"]})
    assert ds.validated is True
    assert list(ds.table("hotline_tickets", 2024).columns) == ["unit_id", "closed_at", "due_at"]


@pytest.mark.parametrize("columns, message", [
    ({"no_such_table": ["x"]}, "no table named no_such_table"),
    ({"service_cases": ["no_such_column"]}, "no column no_such_column"),
])
def test_unknown_names_in_columns_are_refused(parquet_dir, columns, message):
    with pytest.raises(EvalkitError, match=message):
        read_dataset(parquet_dir, columns=columns)
    with pytest.raises(EvalkitError, match=message):
        load_dataset(parquet_dir, years=[2024], columns=columns)


def _copy(parquet_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(parquet_dir, root)
    shutil.rmtree(root / "2023")
    return root


def _rewrite(path: Path, change) -> None:
    table = pq.read_table(path)
    pq.write_table(change(table), path, row_group_size=1_000)


def test_unit_id_outside_the_units_table_is_an_error(parquet_dir, tmp_path):
    root = _copy(parquet_dir, tmp_path)
    path = root / "2024" / "hotline_tickets.parquet"

    def stray(table):
        ids = table.column("unit_id").to_pylist()
        ids[1234] = "X99"
        return table.set_column(table.schema.get_field_index("unit_id"), "unit_id", pa.array(ids))
    _rewrite(path, stray)
    message = r"hotline_tickets.parquet, column 'unit_id': 'X99' is not in the units"
    with pytest.raises(EvalkitError, match=message):
        read_dataset(root, defer=False)
    with pytest.raises(EvalkitError, match=message):  # deferred: found when the file is counted
        compute_indicators(read_dataset(root), 2024, codes=["hotline_on_time_rate"])


def test_unknown_category_value_is_an_error(parquet_dir, tmp_path):
    root = _copy(parquet_dir, tmp_path)

    def stray(table):
        values = table.column("channel").to_pylist()
        values[7] = "fax"
        return table.set_column(table.schema.get_field_index("channel"), "channel", pa.array(values))
    _rewrite(root / "2024" / "service_cases.parquet", stray)
    with pytest.raises(EvalkitError, match=r"column 'channel': 'fax' is not one of its codes"):
        read_dataset(root).table("service_cases", 2024)


def test_chinese_labels_and_headers_and_other_storage_types(parquet_dir, tmp_path):
    """What validation accepts, the fast reader reads the same: Chinese category labels and
    headers, text dates, and many small row groups (read in parallel)."""
    root = _copy(parquet_dir, tmp_path)
    labels = {"online": "全程网办", "offline": "窗口办理"}

    def rewrite(table):
        channel = [labels[v] for v in table.column("channel").to_pylist()]
        table = table.set_column(table.schema.get_field_index("channel"), "办理渠道", pa.array(channel))
        received = pa.array([d.isoformat() for d in table.column("received_date").to_pylist()])
        return table.set_column(table.schema.get_field_index("received_date"), "received_date", received)
    _rewrite(root / "2024" / "service_cases.parquet", rewrite)
    assert pq.ParquetFile(root / "2024" / "service_cases.parquet").num_row_groups > 10
    fast = read_dataset(root, columns=required_columns())
    expected = compute_indicators(load_dataset(root), 2024)  # validation accepts the file
    pd.testing.assert_frame_equal(compute_indicators(fast, 2024), expected)
    assert (expected["status"] == "ok").sum() > 500


def test_missing_non_nullable_column_is_an_error(parquet_dir, tmp_path):
    root = _copy(parquet_dir, tmp_path)
    _rewrite(root / "2024" / "grid_cases.parquet", lambda t: t.drop_columns(["due_date"]))
    with pytest.raises(EvalkitError, match=r"grid_cases.parquet: no column 'due_date'"):
        read_dataset(root)


def test_missing_nullable_column_reads_as_empty(parquet_dir, tmp_path):
    root = _copy(parquet_dir, tmp_path)
    _rewrite(root / "2024" / "hotline_tickets.parquet", lambda t: t.drop_columns(["solved"]))
    tickets = read_dataset(root).table("hotline_tickets", 2024)
    assert tickets["solved"].isna().all() and len(tickets) > 0


def test_every_declared_column_exists_and_suffices(parquet_dir, validated):
    """Each indicator computed on a dataset holding only its declared columns gives the
    same result: a column it reads but does not declare would raise a KeyError here."""
    for ind in CATALOGUE:
        reads = ind.reads()
        assert set(reads) == set(ind.tables), ind.code
        expected = ind(validated, 2024)
        # streamed or read whole: only the large event tables can be deferred, so an
        # indicator reading none of them gets the same dataset either way (read once)
        deferrable = set(reads) & set(_CATEGORICAL_UNIT_TABLES)
        for defer in ((True, False) if deferrable else (False,)):
            narrow = read_dataset(parquet_dir, columns=reads, defer=defer)
            # tables the indicator does not read: leave them empty (units and raters aside)
            for year, name in list(narrow.tables):
                if name not in reads and name not in ("units", "raters"):
                    narrow.tables[(year, name)] = narrow.table(name, year).iloc[:0]
            pd.testing.assert_frame_equal(ind(narrow, 2024), expected, obj=ind.code)


def test_no_rows_in_a_large_table(parquet_dir, tmp_path):
    root = _copy(parquet_dir, tmp_path)
    _rewrite(root / "2024" / "grid_cases.parquet", lambda t: t.slice(0, 0))
    ds = read_dataset(root, columns=required_columns())
    out = compute_indicators(ds, 2024, codes=["grid_on_time_rate", "grid_rework_rate"])
    assert (out["status"] == "no_data").all()
    assert np.isin(out["n"], [0]).all()


def test_large_tables_are_counted_without_being_read_into_memory(parquet_dir, validated):
    fast = read_dataset(parquet_dir, columns=required_columns())
    deferred = [name for name in _CATEGORICAL_UNIT_TABLES if fast.deferred(name, 2024) is not None]
    assert sorted(deferred) == sorted(_CATEGORICAL_UNIT_TABLES)
    out = compute_indicators(fast, 2024)
    assert all(fast.deferred(name, 2024) is not None for name in deferred)  # still unread
    pd.testing.assert_frame_equal(out, compute_indicators(validated, 2024))
    assert fast.table("grid_cases", 2024) is fast.table("grid_cases", 2024)  # read once, then kept
    assert fast.deferred("grid_cases", 2024) is None


def test_a_deferred_file_that_changed_is_refused(parquet_dir, tmp_path):
    root = _copy(parquet_dir, tmp_path)
    fast = read_dataset(root)
    path = root / "2024" / "grid_cases.parquet"
    _rewrite(path, lambda t: t.slice(0, 10))
    with pytest.raises(EvalkitError, match="grid_cases.parquet has changed since the dataset was read"):
        fast.table("grid_cases", 2024)
    with pytest.raises(EvalkitError, match="has changed"):
        compute_indicators(fast, 2024, codes=["grid_rework_rate"])


def test_streamed_counts_do_not_depend_on_threads_or_batches(parquet_dir, tmp_path, monkeypatch):
    """Many row groups, small batches, one or four threads: the same indicators as the
    validated path, bit for bit."""
    from evalkit.data.reading import ParquetTable

    root = _copy(parquet_dir, tmp_path)
    for name in ("service_cases", "hotline_tickets", "grid_cases"):
        _rewrite(root / "2024" / f"{name}.parquet", lambda t: t)  # 1,000-row row groups
    expected = compute_indicators(load_dataset(root), 2024)
    monkeypatch.setattr(ParquetTable, "BATCH", 300)
    before = pa.cpu_count()
    try:
        for n in (1, 4):
            pa.set_cpu_count(n)
            fast = read_dataset(root, columns=required_columns())
            pd.testing.assert_frame_equal(compute_indicators(fast, 2024), expected)
    finally:
        pa.set_cpu_count(before)


def test_csv_data_directory_goes_through_the_conversion():
    """Files other than Parquet (the committed CSV sample) are converted table by table as
    validation does; the large tables then hold categoricals like the Parquet path."""
    sample = Path(__file__).resolve().parents[1] / "data_samples" / "sample_district"
    fast = read_dataset(sample, years=[2023, 2024], columns=required_columns())
    assert fast.deferred("service_cases", 2024) is None  # CSV: read now
    assert isinstance(fast.table("service_cases", 2024)["rating"].dtype, pd.CategoricalDtype)
    expected = compute_indicators(load_dataset(sample, years=[2023, 2024]), 2024, include_periodic=True)
    pd.testing.assert_frame_equal(compute_indicators(fast, 2024, include_periodic=True), expected)
