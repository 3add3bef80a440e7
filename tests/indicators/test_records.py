"""The per-unit counting machinery under the indicators (``evalkit.indicators._common``):
block-by-block tallies on a joint key must equal a plain pandas groupby, whatever the block
size, the number of threads, the number of masks or missing unit codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import EvalkitError
from evalkit.indicators._common import Block, Records, Rows, _masked_parts, _time_bounds, per_unit
from evalkit.indicators.base import count_by_unit, sum_by_unit, value_frame
from evalkit.data.workdays import WorkCalendar


def _frame(n_units: int, n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"U{i:03d}" for i in range(n_units)]
    codes = rng.integers(-1, n_units, n)  # −1: a missing unit id
    values = rng.normal(size=n).round(2)
    values[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({
        "unit_id": pd.Categorical.from_codes(codes, categories=ids),
        "x": values,
        "flag": pd.array(np.where(rng.random(n) < 0.1, None, rng.random(n) < 0.5), dtype="boolean"),
        **{f"m{j}": rng.random(n) < 0.3 + 0.02 * j for j in range(12)},
    })


def _expected(frame: pd.DataFrame, mask: np.ndarray, values=None) -> pd.Series:
    keep = mask & frame["unit_id"].notna().to_numpy()
    ids = frame["unit_id"].astype(str)[keep]
    if values is None:
        return ids.value_counts().astype(float).sort_index()
    return pd.Series(np.nan_to_num(np.asarray(values, dtype=float))[keep], index=ids.index).groupby(ids).sum().sort_index()


@pytest.mark.parametrize("n_units, block, threads", [(5, 1_000, 1), (48, 777, 2), (300, 4_096, 2), (1, 50_000, 2)])
def test_tally_equals_groupby(monkeypatch, n_units, block, threads):
    frame = _frame(n_units, 20_000)
    monkeypatch.setattr(Records, "BLOCK", block)

    def rows(b):
        out = {f"m{j}": b.flags(f"m{j}") for j in range(12)}
        out["all"] = None
        out["flag"] = b.flags("flag")
        out["sum"] = (b.floats("x"), b.flags("m3"))
        out["sum_all"] = (b.floats("x"), None)
        out["sum_m5"] = (b.floats("x"), b.flags("m5"))  # a second mask with values: its own key
        out["few"] = Rows(np.flatnonzero(b.flags("m7")))  # counted from the rows' codes alone
        return out

    records = Records(frame, threads=threads)
    t = records.tally(rows)
    for j in range(12):
        pd.testing.assert_series_equal(t[f"m{j}"].sort_index(), _expected(frame, frame[f"m{j}"].to_numpy()),
                                       check_names=False, check_index_type=False)
    everything = np.ones(len(frame), bool)
    pd.testing.assert_series_equal(t["all"].sort_index(), _expected(frame, everything), check_names=False)
    flag = frame["flag"].fillna(False).to_numpy(dtype=bool)
    pd.testing.assert_series_equal(t["flag"].sort_index(), _expected(frame, flag), check_names=False)
    m3 = frame["m3"].to_numpy()
    pd.testing.assert_series_equal(t["sum"].sort_index(), _expected(frame, m3, frame["x"]),
                                   check_names=False, rtol=1e-12)
    pd.testing.assert_series_equal(t.counts["sum"].sort_index(), _expected(frame, m3), check_names=False)
    pd.testing.assert_series_equal(t["sum_all"].sort_index(), _expected(frame, everything, frame["x"]),
                                   check_names=False, rtol=1e-12)
    m5, m7 = frame["m5"].to_numpy(), frame["m7"].to_numpy()
    pd.testing.assert_series_equal(t["sum_m5"].sort_index(), _expected(frame, m5, frame["x"]),
                                   check_names=False, rtol=1e-12)
    pd.testing.assert_series_equal(t["few"].sort_index(), _expected(frame, m7), check_names=False,
                                   check_index_type=False)
    # a second tally without a key on the same records counts anew (nothing is kept under no key)
    again = records.tally(lambda b: {"m0": b.flags("m1")})
    pd.testing.assert_series_equal(again["m0"].sort_index(), _expected(frame, frame["m1"].to_numpy()),
                                   check_names=False, check_index_type=False)


def test_sums_do_not_depend_on_the_threads(monkeypatch):
    frame = _frame(40, 200_000, seed=3)
    frame["x"] = frame["x"] * 1e6 + 0.01  # money-like magnitudes: order of addition shows
    monkeypatch.setattr(Records, "BLOCK", 1_000)
    results = []
    for threads in (1, 2, 4):
        results.append(Records(frame, threads=threads).tally(lambda b: {"s": (b.floats("x"), b.flags("m1"))})["s"])
    for other in results[1:]:
        pd.testing.assert_series_equal(other, results[0], check_exact=True)


def test_count_and_sum_by_unit_on_plain_ids():
    frame = pd.DataFrame({"unit_id": ["b", "a", "b", None, "c"], "v": [1.0, np.nan, 2.5, 4.0, 3.0]})
    mask = np.array([True, True, True, True, False])
    assert count_by_unit(frame, mask).to_dict() == {"b": 2.0, "a": 1.0}
    assert sum_by_unit(frame, frame["v"], mask).to_dict() == {"b": 3.5, "a": 0.0}  # NaN counts 0
    counts, sums = per_unit(np.array([0, 0, 1, -1]), 3, None, np.array([1.0, 2.0, np.inf, 5.0]))
    assert counts.tolist() == [2, 1, 0] and sums[0] == 3.0 and sums[1] == np.finfo(float).max


def test_no_rows():
    frame = _frame(3, 0)
    t = Records(frame).tally(lambda b: {"n": b.flags("m0"), "s": (b.floats("x"), None)})
    assert t["n"].empty and t["s"].empty and t.counts["s"].empty


def test_working_days_with_missing_dates():
    frame = pd.DataFrame({
        "unit_id": pd.Categorical(["A", "A", "B"]),
        "start": pd.to_datetime(["2024-09-27", "2024-10-11", "2024-02-09"]),
        "end": pd.to_datetime(["2024-10-08", None, "2024-02-18"]),
    })
    records = Records(frame)
    block = Block(records, 0, records.n)
    used = block.working_days("start", "end")
    # National Day and Spring Festival weeks, see tests/test_workdays.py
    assert used[0] == 3 and np.isnan(used[1]) and used[2] == 1
    to_end = block.working_days("start", pd.Timestamp("2024-10-14"))
    assert to_end[1] == 2


def test_cumulative_at():
    cal = WorkCalendar.build("2024-03-01", "2024-03-31")
    days = np.array(["2024-03-04", "NaT", "2024-03-11"], dtype="datetime64[D]")
    cum = cal.cumulative_at(days)
    assert np.isnan(cum[1]) and cum[2] - cum[0] == 5
    with pytest.raises(EvalkitError):
        cal.cumulative_at(np.array(["2024-04-01"], dtype="datetime64[D]"))
    with pytest.raises(EvalkitError):
        cal.cumulative_at(np.array(["2024-02-29"], dtype="datetime64[D]"))
    assert np.isnan(cal.cumulative_at(np.array(["NaT", "NaT"], dtype="datetime64[D]"))).all()


@pytest.mark.parametrize("hours", [4.0, 24.0, 0.123456, 1 / 3, 2.5])
def test_within_hours_matches_the_pandas_formula(hours):
    """Integer ticks for whole-tick limits, pandas' total_seconds otherwise: the same
    tickets either way."""
    from evalkit.indicators.hotline import _within_hours_of_dispatch

    rng = np.random.default_rng(11)
    n = 5_000
    dispatched = pd.Timestamp("2024-03-04 09:00") + pd.to_timedelta(rng.integers(0, 10**6, n), unit="s")
    gap = pd.to_timedelta(rng.integers(0, int(3 * 3600 * hours * 1000) + 2, n), unit="ms")
    gap = gap.where(rng.random(n) > 0.3, pd.to_timedelta(round(hours * 3600 * 1000), unit="ms"))
    signed = pd.Series(dispatched + gap).where(rng.random(n) > 0.1)
    frame = pd.DataFrame({"unit_id": pd.Categorical(["A"] * n), "dispatched_at": dispatched,
                          "signed_at": signed})
    records = Records(frame)
    block = Block(records, 0, records.n)
    got = _within_hours_of_dispatch(block, "signed_at", hours)
    expected = (signed - pd.Series(dispatched)).dt.total_seconds() / 3600.0 <= hours
    assert np.array_equal(got, expected.to_numpy())
    assert got.sum() > 100


ISIN_LISTS = [
    (), ("b",), ("a", "c"), ("a", "b", "c", "d"),  # up to 4 codes: compared one by one
    ("a", "b", "c", "d", "e"), ("b", "c", "d", "e", "f", "zz"),  # more: a lookup table
    ("a", "b", "c", "d", "e", "f", "g"),
]


def test_isin_equals_pandas_isin_with_missing_values_and_several_blocks(monkeypatch):
    """One table asked for every list in turn (each answer is kept per list and column),
    in 64-row blocks."""
    monkeypatch.setattr(Records, "BLOCK", 64)
    rng = np.random.default_rng(3)
    cats = list("abcdefg")
    codes = rng.integers(-1, len(cats), 300)  # −1: missing (the lookup table's last slot)
    column = pd.Series(pd.Categorical.from_codes(codes, categories=cats))
    other = pd.Series(pd.Categorical.from_codes(rng.integers(0, len(cats), 300), categories=cats))
    records = Records(pd.DataFrame({"unit_id": pd.Categorical(["A"] * 300), "channel": column, "other": other}))
    blocks = [Block(records, s, min(s + 64, 300)) for s in range(0, 300, 64)]
    for values in ISIN_LISTS + ISIN_LISTS[::-1]:
        for name, series in (("channel", column), ("other", other)):
            got = np.concatenate([b.isin(name, values) for b in blocks])
            assert np.array_equal(got, series.isin(values).to_numpy()), (name, values)
    assert not np.concatenate([b.isin("channel", cats) for b in blocks])[codes == -1].any()  # missing: in no list


def test_working_days_of_a_table_without_any_date_over_several_blocks(monkeypatch):
    """No date anywhere: no calendar, and every block answers NaN for each of its rows."""
    monkeypatch.setattr(Records, "BLOCK", 64)
    frame = pd.DataFrame({"unit_id": pd.Categorical(["A"] * 150),
                          "start": pd.Series([pd.NaT] * 150, dtype="datetime64[ns]"),
                          "end": pd.Series([pd.NaT] * 150, dtype="datetime64[ns]")})
    records = Records(frame)
    parts = [Block(records, s, min(s + 64, 150)).working_days("start", "end") for s in range(0, 150, 64)]
    assert [len(p) for p in parts] == [64, 64, 22]
    assert all(np.isnan(p).all() for p in parts)


def test_per_unit_refuses_a_mask_or_values_of_another_length():
    codes = np.array([0, 1, 1])
    message = "^mask and values must have one entry per row$"
    with pytest.raises(ValueError, match=message):
        per_unit(codes, 2, mask=np.array([True, False]))
    with pytest.raises(ValueError, match=message):
        per_unit(codes, 2, values=np.array([1.0, 2.0, 3.0, 4.0]))
    with pytest.raises(ValueError, match=message):  # a right mask does not excuse wrong values
        per_unit(codes, 2, mask=np.array([True, True, True]), values=np.array([1.0]))
    counts, sums = per_unit(codes, 2, mask=np.array([True, False, True]), values=np.array([1.0, 2.0, 3.0]))
    assert counts.tolist() == [1, 1] and sums.tolist() == [1.0, 3.0]


def test_per_unit_over_several_blocks_equals_groupby(monkeypatch):
    """per_unit counts block by block: with 100-row blocks, 250 rows span three of them and
    every block's counts and sums must add up (not replace the previous ones)."""
    import evalkit.indicators._common as common

    monkeypatch.setattr(common, "_BLOCK", 100)
    rng = np.random.default_rng(5)
    codes = rng.integers(-1, 4, 250)  # −1: a missing unit, skipped
    mask = rng.random(250) < 0.6
    values = rng.normal(size=250).round(2)
    values[::17] = np.nan  # NaN sums as 0
    counts, sums = per_unit(codes, 4, mask=mask, values=values)
    keep = mask & (codes >= 0)
    expected_counts = np.bincount(codes[keep], minlength=4)
    expected_sums = np.bincount(codes[keep], weights=np.nan_to_num(values[keep]), minlength=4)
    assert counts.dtype == np.int64 and counts.tolist() == expected_counts.tolist()
    assert np.allclose(sums, expected_sums, rtol=0, atol=1e-9)
    plain, none = per_unit(codes, 4)
    assert none is None and plain.tolist() == np.bincount(codes[codes >= 0], minlength=4).tolist()


def test_time_bounds_ignore_missing_dates_in_any_resolution():
    ns = pd.to_datetime(["NaT", "2024-03-05 10:00", "2024-01-02 23:59", "NaT"]).to_numpy()
    assert _time_bounds(ns) == (np.datetime64("2024-01-02"), np.datetime64("2024-03-05"))
    days = np.array(["2023-12-31", "NaT", "2024-02-29"], dtype="datetime64[D]")
    assert _time_bounds(days) == (np.datetime64("2023-12-31"), np.datetime64("2024-02-29"))
    one = np.array(["2024-06-01"], dtype="datetime64[s]")  # no missing date at all
    assert _time_bounds(one) == (np.datetime64("2024-06-01"), np.datetime64("2024-06-01"))
    assert _time_bounds(np.array(["NaT", "NaT"], dtype="datetime64[ns]")) is None
    assert _time_bounds(np.array([], dtype="datetime64[ns]")) is None


def test_flags_count_a_missing_value_as_false_whatever_is_stored_under_it():
    # a masked entry of a BooleanArray may store True underneath: it is still missing
    column = pd.arrays.BooleanArray(np.array([True, True, False, True]), np.array([False, True, False, True]))
    records = Records(pd.DataFrame({"unit_id": pd.Categorical(["A"] * 4), "ok": column}))
    assert Block(records, 0, 4).flags("ok").tolist() == [True, False, False, False]


def test_working_days_of_columns_far_apart_share_one_widened_calendar():
    """Two pairs of date columns four years apart on one table: the calendar is widened for
    the second pair, and both answers equal those of a table holding only that pair."""
    first = {"s1": pd.to_datetime(["2024-03-01", "2024-03-04"]), "e1": pd.to_datetime(["2024-03-08", "2024-03-29"])}
    second = {"s2": pd.to_datetime(["2020-01-02", "2020-01-20"]), "e2": pd.to_datetime(["2020-01-10", "2020-02-10"])}
    unit = {"unit_id": pd.Categorical(["A", "A"])}
    both = Records(pd.DataFrame({**unit, **first, **second}))
    block = Block(both, 0, 2)
    got1, got2 = block.working_days("s1", "e1"), block.working_days("s2", "e2")
    alone1 = Block(r1 := Records(pd.DataFrame({**unit, **first})), 0, r1.n).working_days("s1", "e1")
    alone2 = Block(r2 := Records(pd.DataFrame({**unit, **second})), 0, r2.n).working_days("s2", "e2")
    assert got1.tolist() == alone1.tolist() and got2.tolist() == alone2.tolist()
    # and once more on the widened calendar, to a fixed date (the 2020 pair, a second time)
    to_date = Block(both, 0, 2).working_days("s2", pd.Timestamp("2020-01-10"))
    assert to_date[0] == got2[0]
    assert got1[0] == 5  # 1 → 8 March 2024: 4, 5, 6, 7, 8 March


def test_value_frame_has_data_only_with_a_value_and_records():
    ids = pd.Series(["A", "B", "C", "D"])
    value = pd.Series({"A": 3.5, "B": np.nan, "C": 2.0})
    n = pd.Series({"A": 2, "B": 4, "C": 0})
    out = value_frame(ids, 2024, value, n)
    assert out["unit_id"].tolist() == ["A", "B", "C", "D"]
    assert out["status"].tolist() == ["ok", "no_data", "no_data", "no_data"]  # B: no value; C, D: no record
    assert out["value"].iloc[0] == 3.5 and out["value"].iloc[1:].isna().all()
    assert out["n"].tolist() == [2, 4, 0, 0] and out["n"].dtype == np.int64


def test_present_for_every_kind_of_column():
    frame = pd.DataFrame({
        "unit_id": pd.Categorical(["A"] * 4),
        "x": [1.5, np.nan, 0.0, np.nan],  # float: NaN is missing
        "k": pd.array([1, None, 3, 4], dtype="Int64"),  # masked integers
        "c": pd.Categorical(["a", None, "b", "a"]),  # codes: −1 is missing
        "t": pd.to_datetime(["2024-01-01", None, "2024-02-01", "2024-03-01"]),
        "i": np.array([1, 2, 3, 4]),  # plain integers: never missing
    })
    block = Block(Records(frame), 0, 4)
    assert block.present("x").tolist() == [True, False, True, False]
    assert block.present("k").tolist() == [True, False, True, True]
    assert block.present("c").tolist() == [True, False, True, True]
    assert block.present("t").tolist() == [True, False, True, True]
    assert block.present("i").tolist() == [True, True, True, True]


def test_masked_parts_without_pandas_internals():
    """An Arrow-backed integer column has no _data/_mask: the public conversion gives the same
    values (0 under a missing one) and mask as a pandas masked array."""
    arrow = pd.Series([1, None, 3], dtype="int64[pyarrow]")
    masked = pd.Series([1, None, 3], dtype="Int64")
    for series in (arrow, masked):
        data, mask = _masked_parts(series)
        assert data[[0, 2]].tolist() == [1, 3] and mask.tolist() == [False, True, False]
    data, _ = _masked_parts(arrow)
    assert data.dtype == np.int64 and data[1] == 0


def test_working_days_to_two_fixed_dates_are_kept_apart():
    frame = pd.DataFrame({"unit_id": pd.Categorical(["A"]), "start": pd.to_datetime(["2024-03-01"])})
    block = Block(Records(frame), 0, 1)
    # 1 March 2024 (Friday) → 8 March: 4–8 March = 5 working days; → 15 March: 10
    assert block.working_days("start", pd.Timestamp("2024-03-08"))[0] == 5
    assert block.working_days("start", pd.Timestamp("2024-03-15"))[0] == 10


def test_typed_columns_are_views_of_the_stored_arrays():
    """_typed hands numpy the stored arrays of the dtypes it knows (no copy: a 10-million-row
    table is never converted) and leaves the others (None) to the general conversion."""
    from evalkit.indicators._common import _typed

    cat = pd.Series(pd.Categorical(["b", None, "a"], categories=["a", "b"]))
    c = _typed(cat)
    assert c.kind == "codes" and c.data.tolist() == [1, -1, 0] and list(c.categories) == ["a", "b"]
    times = pd.Series(pd.to_datetime(["2024-01-01", None]))
    for series, kind in ((times, "time"), (pd.Series([True, False]), "bool"),
                         (pd.Series([1, 2], dtype="int64"), "number"), (pd.Series([1, 2], dtype="uint8"), "number"),
                         (pd.Series([1.5, np.nan]), "number")):
        col = _typed(series)
        assert col.kind == kind and col.missing is None
        assert np.shares_memory(col.data, series.to_numpy()), kind  # a view, not a copy
    for series, kind, data in ((pd.Series([True, None], dtype="boolean"), "bool", True),
                               (pd.Series([4, None], dtype="Int64"), "number", 4),
                               (pd.Series([2.5, None], dtype="Float64"), "number", 2.5),
                               (pd.Series([7, None], dtype="int64[pyarrow]"), "number", 7)):
        col = _typed(series)
        assert col.kind == kind and col.data[0] == data and col.missing.tolist() == [False, True], str(series.dtype)
        if not isinstance(series.dtype, pd.ArrowDtype):  # pandas' masked arrays: their own buffers
            assert np.shares_memory(col.data, series.array._data) and np.shares_memory(col.missing, series.array._mask)
    assert _typed(pd.Series(pd.to_timedelta([1, 2], unit="D"))) is None  # durations: the general path
    assert _typed(pd.Series(["x", "y"], dtype=object)) is None
    assert _typed(pd.Series([True, None], dtype="bool[pyarrow]")) is None


def test_column_arrays_convert_what_is_not_stored_typed():
    """Columns of no numpy-ready dtype (text, objects) and typed columns asked for another use
    go through the general conversion."""
    from evalkit.indicators._common import column_arrays

    codes = column_arrays(pd.Series(["b", "a", None, "b"], dtype=object), "codes")
    assert codes.kind == "codes" and codes.data.tolist() == [0, 1, -1, 0] and list(codes.categories) == ["b", "a"]
    when = column_arrays(pd.Series(["2024-01-02", None], dtype=object), "time")
    assert when.kind == "time" and when.data.dtype == np.dtype("datetime64[ns]")
    assert when.data[0] == np.datetime64("2024-01-02") and np.isnat(when.data[1])
    flags = column_arrays(pd.Series([True, None, False], dtype=object), "bool")
    assert flags.kind == "bool" and flags.data.tolist() == [True, False, False]  # missing → false
    numbers = column_arrays(pd.Series([1, None, 2.5], dtype=object), "number")
    assert numbers.kind == "number" and numbers.data.dtype == np.float64
    assert numbers.data[[0, 2]].tolist() == [1.0, 2.5] and np.isnan(numbers.data[1])
    present = column_arrays(pd.Series(["x", None], dtype=object), "present")
    assert present.kind == "present" and present.data.tolist() == [True, False]
    # a typed column serves "present" as it is, and another use by conversion
    ints = pd.Series([3, 0], dtype="int64")
    assert column_arrays(ints, "present").kind == "number"
    assert column_arrays(pd.Series([True, False]), "number").data.tolist() == [1.0, 0.0]
    as_flags = column_arrays(pd.Series([2, None, 0], dtype="Int64"), "bool")
    assert as_flags.kind == "bool" and as_flags.data.tolist() == [True, False, False]
    with pytest.raises(ValueError, match="^unknown column use 'other'$"):
        column_arrays(pd.Series(["x"], dtype=object), "other")
