"""Contracts of the counting machinery that the value checks elsewhere do not pin: rates
with their Wilson intervals by hand, joint keys that outgrow 8 and 16 bits, masks given as
0/1 integers, a dataset that is only ``table()``, the index a tally comes back with, and the
columns of a streamed batch served as they are (no copy) or converted.

Found by reading the surviving mutants of ``evalkit/indicators`` (benchmarks/mutation.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit.data.reading import Arrays, Batch
from evalkit.indicators._common import Block, Records, column_arrays, per_unit, records
from evalkit.indicators.base import count_by_unit, rate_frame, sum_by_unit


# --- rate_frame: the ratio and its 95 % Wilson interval ------------------------------------

def test_rate_frame_by_hand_with_newcombe_s_wilson_intervals():
    """Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. Statistics in Medicine 17, 857–872, Table II, method 3
    (Wilson score, no continuity correction): 81/263 → 0.2553–0.3662; 15/148 →
    0.0624–0.1605; 0/20 → 0.0000–0.1611. On the percent scale of a rate: ×100."""
    ids = pd.Series(["A", "B", "C", "D", "E"])
    num = pd.Series({"A": 81, "B": 15, "C": 0, "E": 4})  # D: no record of either; E: none counted
    den = pd.Series({"A": 263, "B": 148, "C": 20, "E": 0})
    out = rate_frame(ids, 2024, num, den).set_index("unit_id")
    # value = 100 × 81 / 263 = 30.798…; 100 × 15 / 148 = 10.135…; 100 × 0 / 20 = 0
    assert out.loc[["A", "B", "C"], "value"].tolist() == pytest.approx([8100 / 263, 1500 / 148, 0.0])
    assert out.loc[["A", "B", "C"], "ci_low"].tolist() == pytest.approx([25.53, 6.24, 0.0], abs=5e-3)
    assert out.loc[["A", "B", "C"], "ci_high"].tolist() == pytest.approx([36.62, 16.05, 16.11], abs=5e-3)
    assert out.loc["C", "ci_low"] == 0.0  # exactly 0 when nothing was counted
    # D (absent) and E (a zero denominator) have no rate, no interval, no numerator
    for unit in ("D", "E"):
        row = out.loc[unit]
        assert row["status"] == "no_data" and np.isnan(row["value"])
        assert np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
        assert np.isnan(row["numerator"]) and np.isnan(row["denominator"])
    assert out["status"].tolist() == ["ok", "ok", "ok", "no_data", "no_data"]
    assert out["n"].tolist() == [263, 148, 20, 0, 0]  # n: the denominator when not given
    assert out["year"].eq(2024).all()


def test_a_rate_is_binomial_only_as_a_percent_of_records():
    ids = pd.Series(["A"])
    num, den = pd.Series({"A": 81}), pd.Series({"A": 263})
    # n given: the ratio is not a share of its records (days per case …) → no interval
    other = rate_frame(ids, 2024, num, den, n=pd.Series({"A": 40}))
    assert other["n"].tolist() == [40] and other[["ci_low", "ci_high"]].isna().all(axis=None)
    # per mille (scale 1000): not a percentage of records either, by default
    per_mille = rate_frame(ids, 2024, num, den, scale=1000.0)
    assert per_mille["value"].tolist() == pytest.approx([81000 / 263])
    assert per_mille[["ci_low", "ci_high"]].isna().all(axis=None)
    # asked for explicitly, on the scale of the value: a share 0–1
    share = rate_frame(ids, 2024, num, den, scale=1.0, binomial=True)
    assert share[["ci_low", "ci_high"]].iloc[0].tolist() == pytest.approx([0.2553, 0.3662], abs=5e-5)
    # and refused explicitly on the percent scale
    assert rate_frame(ids, 2024, num, den, binomial=False)[["ci_low", "ci_high"]].isna().all(axis=None)


# --- joint keys wider than 8 and 16 bits ---------------------------------------------------

def test_counts_stay_exact_past_65536_units():
    """A key of more than 2^16 slots needs 64-bit integers (a 16-bit key wraps unit
    65 536 onto unit 0)."""
    k = 70_000
    codes = np.concatenate([np.arange(k), [0, 65_536, 69_999]])
    counts, sums = per_unit(codes, k, values=np.ones(len(codes)))
    assert counts[[0, 1, 65_535, 65_536, 69_999]].tolist() == [2, 1, 1, 2, 2]
    assert counts.sum() == k + 3 and sums.sum() == k + 3


def test_missing_units_never_land_on_the_last_unit_of_an_8_bit_key():
    """128 units counted under one mask: 2 × 128 = 256 slots, an 8-bit key. A row without
    a unit (code −1) must fall outside every unit's slots; unshifted it wraps to 255 → 254,
    the slots of unit 127."""
    k = 128
    codes = np.concatenate([np.arange(k), [-1, -1]])
    mask = np.ones(len(codes), dtype=bool)
    counts, _ = per_unit(codes, k, mask=mask)
    assert counts.tolist() == [1] * k
    frame = pd.DataFrame({"unit_id": pd.Categorical.from_codes(codes, categories=[f"U{i:03d}" for i in range(k)])})
    tally = Records(frame).tally(lambda b: {"all": np.ones(len(b), dtype=bool)})
    assert tally["all"].tolist() == [1.0] * k


def test_a_mask_of_0_1_integers_counts_its_ones():
    frame = pd.DataFrame({"unit_id": pd.Categorical(["A", "A", "B", "B", "B"]), "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    ones = np.array([1, 0, 1, 1, 0])

    def rows(block):
        return {"n": ones[block.start:block.stop], "s": (block.floats("x"), ones[block.start:block.stop])}
    tally = Records(frame).tally(rows)
    assert tally["n"].to_dict() == {"A": 1.0, "B": 2.0}
    assert tally["s"].to_dict() == {"A": 1.0, "B": 7.0}  # A: 1; B: 3 + 4


def test_isin_is_a_boolean_mask_that_combines_with_others():
    frame = pd.DataFrame({"unit_id": pd.Categorical(["A", "B", None]),
                          "kind": pd.Categorical(["x", "y", "x"]), "v": [1.0, None, 3.0]})
    block = Block(Records(frame), 0, 3)
    hit = block.isin("kind", ["x"])
    assert hit.dtype == bool and (hit & block.present("v")).tolist() == [True, False, True]
    # more than four codes: looked up in a table rather than compared one by one
    letters = list("abcdefg")
    frame = pd.DataFrame({"unit_id": pd.Categorical(["A"] * 7), "kind": pd.Categorical(letters),
                          "v": [1.0, None, 3.0, 4.0, 5.0, 6.0, 7.0]})
    block = Block(Records(frame), 0, 7)
    hit = block.isin("kind", letters[:5])
    assert hit.dtype == bool and (hit & block.present("v")).tolist() == [True, False, True, True, True, False, False]


# --- the shapes handed to indicator code ---------------------------------------------------

def test_tallies_and_counts_are_indexed_by_unit_id():
    """Indicator code joins per-unit results on an index named ``unit_id``, whether the
    column is categorical (large tables) or plain text."""
    for column in (pd.Categorical(["A", "B", "A"]), ["A", "B", "A"]):
        frame = pd.DataFrame({"unit_id": column, "x": [1.0, 2.0, 3.0]})
        assert count_by_unit(frame).index.name == "unit_id"
        assert sum_by_unit(frame, frame["x"].to_numpy()).to_dict() == {"A": 4.0, "B": 2.0}
        tally = Records(frame).tally(lambda b: {"n": None})
        assert tally["n"].index.name == "unit_id" and tally.counts["n"].index.name == "unit_id"


class _TableOnly:
    """The least a dataset needs for indicator code: ``table()`` (the scoring document's
    worked examples are such datasets); no deferred tables, no working-day overrides."""

    def __init__(self, frame):
        self.frame = frame

    def table(self, name, year=None):
        return self.frame


def test_records_of_a_dataset_that_only_has_tables():
    frame = pd.DataFrame({"unit_id": ["A", "B", "B"]})
    recs = records(_TableOnly(frame), "events", 2024)
    assert isinstance(recs, Records) and recs.overrides is None and len(recs) == 3
    assert recs.tally(lambda b: {"n": None})["n"].to_dict() == {"A": 1.0, "B": 2.0}


# --- columns of a streamed batch -----------------------------------------------------------

def _batch() -> Batch:
    return Batch({
        "unit_id": Arrays("codes", np.array([0, 0, 1]), categories=pd.Index(["A", "B"])),
        "n": Arrays("number", np.array([4, 0, 9], dtype=np.int32), missing=np.array([False, True, False])),
        "ok": Arrays("bool", np.array([1, 1, 0], dtype=np.uint8), missing=np.array([False, True, False])),
        "grade": Arrays("codes", np.array([1, 0, -1]), categories=pd.Index([10.0, 20.0])),
    }, 3)


def test_a_batch_of_typed_arrays_serves_each_use():
    """A streamed batch holds numpy arrays (evalkit.data.reading.Arrays): a use its kind
    serves directly is answered as it is, another through pandas."""
    block = Block(Records(_batch()), 0, 3)
    assert block.present("n").tolist() == [True, False, True]
    assert block.floats("ok")[[0, 2]].tolist() == [1.0, 0.0]  # booleans serve as numbers
    assert block.flags("n").tolist() == [True, False, True]  # numbers as flags: through pandas
    assert block.floats("n")[[0, 2]].tolist() == [4.0, 9.0] and np.isnan(block.floats("n")[1])


def test_a_batch_column_serves_its_own_kind_without_a_copy():
    batch = _batch()
    recs = Records(batch)
    for name, want in [("n", "number"), ("n", "present"), ("ok", "bool"), ("ok", "number"),
                       ("ok", "present"), ("unit_id", "codes"), ("grade", "codes")]:
        assert recs.column(name, want) is batch[name], (name, want)


def test_a_batch_column_asked_for_another_use_is_converted():
    recs = Records(_batch())
    flags = recs.column("n", "bool")  # numbers as flags: truthiness, missing → false
    assert flags.kind == "bool" and flags.data.tolist() == [True, False, True]
    grades = recs.column("grade", "number")  # a dictionary-encoded number column
    assert grades.kind == "number" and grades.data[:2].tolist() == [20.0, 10.0] and np.isnan(grades.data[2])
    as_codes = recs.column("ok", "codes")  # a flag column grouped by its values
    assert as_codes.kind == "codes" and as_codes.data.tolist() == [0, -1, 1]
    assert list(as_codes.categories) == [True, False]


def test_masked_unsigned_integers_are_served_as_views():
    s = pd.Series([7, None, 300], dtype="UInt16")
    col = column_arrays(s, "number")
    assert col.kind == "number" and col.missing.tolist() == [False, True, False]
    assert np.shares_memory(col.data, s.array._data)


def test_text_asked_as_flags_is_its_truthiness():
    col = column_arrays(pd.Series(["是", None, ""], dtype=object), "bool")
    assert col.kind == "bool" and col.data.tolist() == [True, False, False]


# --- what a block keeps, and under which key -----------------------------------------------

def test_working_days_stay_right_when_the_calendar_widens_between_calls():
    """One block asked in turn for spans that widen the table's calendar: at the start (a
    fixed date before every row), then at the end (a later column). Each answer must match
    the same question asked of a fresh table. Working days in (start, end]; 2024: 1 March is
    a Friday, 4–8 and 11–15 March are working weeks."""
    frame = pd.DataFrame({"unit_id": pd.Categorical(["A", "B"]),
                          "opened": pd.to_datetime(["2024-03-01", "2024-03-04"]),
                          "closed": pd.to_datetime(["2024-03-08", "2024-03-08"]),
                          "later": pd.to_datetime(["2024-06-03", "2024-03-15"])})

    def fresh(start, end):
        return Block(Records(frame), 0, 2).working_days(start, end).tolist()

    block = Block(Records(frame), 0, 2)
    assert block.working_days("opened", "closed").tolist() == [5.0, 4.0]  # 4–8 March; 5–8 March
    early = pd.Timestamp("2024-01-02")  # the calendar now starts earlier
    assert block.working_days("opened", early).tolist() == fresh("opened", early)
    assert block.working_days("opened", "later").tolist() == fresh("opened", "later")  # and ends later
    assert block.working_days("opened", "later")[1] == 9.0  # 5–8 and 11–15 March
    # the same end from another start column is another question
    to_later = block.working_days("closed", "later")
    assert to_later.tolist() == fresh("closed", "later") and to_later[1] == 5.0  # B: 11–15 March


def test_a_table_without_rows_hands_its_rows_function_an_empty_block():
    frame = pd.DataFrame({"unit_id": pd.Categorical([], categories=["A"]), "x": np.array([], dtype=float)})
    seen = []

    def rows(block):
        seen.append(len(block))
        return {"n": np.ones(len(block), dtype=bool), "s": (block.floats("x"), None)}
    tally = Records(frame).tally(rows)
    assert seen == [0] and tally["n"].empty and tally["s"].empty


class _Batches:
    """A deferred table as StreamedRecords reads it: batches of arrays, one after another."""

    def __init__(self, batches, unit_ids):
        self.batches, self.unit_ids = batches, pd.Index(unit_ids)
        self.num_rows = sum(b.rows for b in batches)

    def map_batches(self, fn):
        return [fn(b) for b in self.batches]


def test_isin_on_text_factorised_batch_by_batch():
    """A text column of a streamed table is factorised in each batch: the code of "x" is 0
    in the first batch and 1 in the second, so the lookup of ["x"] must not be shared."""
    from evalkit.indicators._common import StreamedRecords

    def batch(units, kinds):
        return Batch({"unit_id": Arrays("codes", np.array(units), categories=pd.Index(["A", "B"])),
                      "kind": pd.Series(kinds, dtype=object)}, len(units))
    source = _Batches([batch([0, 1], ["x", "y"]), batch([0, 1, 1], ["y", "x", "x"])], ["A", "B"])
    tally = StreamedRecords(source).tally(lambda b: {"x": b.isin("kind", ["x"])})
    assert tally["x"].to_dict() == {"A": 1.0, "B": 2.0}
