"""Tiny in-memory datasets for hand-worked indicator tests (imported by the test modules
as ``indicator_kit``; a unique name, because with no ``__init__.py`` in ``tests/`` several
``conftest`` modules could clash under that one name).

``make_dataset(units=["D01", "D02"], tables={(2024, "service_cases"): rows})`` builds a
:class:`~evalkit.data.dataset.Dataset` whose frames have the types ``load_dataset`` gives: the
dtypes of :func:`evalkit.data.dataset.empty_frame` (dates ``datetime64[ns]``, ints ``Int64``,
bools ``boolean``, categories as their English codes), ids and text as pandas ``str`` and,
for the large event tables that ``load_dataset`` keeps as categoricals, ``unit_id`` as a
categorical over the units table. ``test_sample_magnitudes`` checks the types against a
real load.

Rows are dicts (or a DataFrame). A column left out is missing (NA); leaving out a
non-nullable column is an error, except a key id column (``case_id``, ``ticket_id`` …),
which is numbered automatically. Category values must be codes of the contract, so a typo
in a test fails loudly instead of silently counting as "other".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit.data import dataset as dataset_module
from evalkit.data.contract import TABLES
from evalkit.data.dataset import Dataset, empty_frame

YEAR = 2024


def units_frame(ids) -> pd.DataFrame:
    """A units table: ids starting with ``S`` are 街镇, the others 部门."""
    ids = list(ids)
    return typed_frame("units", [
        {"unit_id": u, "name_zh": f"单位{u}",
         "peer_group": "subdistrict" if u.startswith("S") else "department",
         "unit_class": "街道" if u.startswith("S") else "综合管理类"}
        for u in ids])


def typed_frame(name: str, rows) -> pd.DataFrame:
    """``rows`` as a frame of contract table ``name`` with load_dataset's column types."""
    table = TABLES[name]
    empty = empty_frame(table)
    given = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    unknown = set(given.columns) - set(table.column_names)
    if unknown:
        raise AssertionError(f"{name}: columns not in the contract: {sorted(unknown)}")
    n = len(given)
    out = {}
    for col in table.columns:
        if col.name in given:
            values = given[col.name].astype(object).where(given[col.name].notna(), None)
        elif col.dtype == "id" and col.name in table.key and not col.references:
            values = pd.Series([f"{col.name[:2].upper()}{i + 1:04d}" for i in range(n)], dtype=object)
        elif col.nullable or n == 0:
            values = pd.Series([None] * n, dtype=object)
        else:
            raise AssertionError(f"{name}: column {col.name!r} is required")
        if col.dtype == "category":
            bad = set(values.dropna()) - set(col.categories)
            if bad:
                raise AssertionError(f"{name}.{col.name}: unknown codes {sorted(bad)}")
        if not col.nullable and values.isna().any():
            raise AssertionError(f"{name}: column {col.name!r} may not be empty")
        if col.dtype in ("date", "datetime"):
            values = pd.to_datetime(values, format="ISO8601")
            if col.dtype == "date":
                values = values.dt.normalize()
        out[col.name] = values.astype(empty[col.name].dtype)
        if col.dtype in ("id", "text"):
            out[col.name] = out[col.name].astype("str")  # what load_dataset gives (pandas 3)
    return pd.DataFrame(out, columns=list(table.column_names))


def make_dataset(units=("D01", "D02"), tables: dict | None = None, years=None) -> Dataset:
    """An in-memory Dataset of ``units`` (ids or a frame) and ``{(year|None, name): rows}``.

    ``years`` defaults to the years of the tables given (``(2024,)`` when none are).
    """
    unit_table = units if isinstance(units, pd.DataFrame) else units_frame(units)
    frames = {(None, "units"): unit_table}
    for (year, name), rows in (tables or {}).items():
        frames[(year, name)] = typed_frame(name, rows)
    # Mirror load_dataset's post-processing of the large event tables, if it does any.
    unit_ids = pd.Index(unit_table["unit_id"].astype(str))
    for key, frame in frames.items():
        if key[1] in getattr(dataset_module, "_CATEGORICAL_UNIT_TABLES", ()):
            frame["unit_id"] = pd.Categorical(frame["unit_id"].astype(str), categories=unit_ids)
    if years is None:
        years = sorted({y for y, _ in frames if y is not None}) or [YEAR]
    return Dataset(root=Path("<in-memory>"), years=tuple(years), tables=frames, files={})


def row_of(frame: pd.DataFrame, unit: str, **where) -> pd.Series:
    """The single output row of ``unit`` (and e.g. ``period=3``)."""
    mask = frame["unit_id"] == unit
    for k, v in where.items():
        mask &= frame[k] == v
    rows = frame[mask.to_numpy()]
    assert len(rows) == 1, f"expected one row for {unit} {where}, found {len(rows)}"
    return rows.iloc[0]


def assert_row(frame: pd.DataFrame, unit: str, value, numerator=None, denominator=None, n=None,
               status: str = "ok", **where) -> None:
    """Check one unit's output row; ``numerator``/``denominator`` None = expect NaN."""
    r = row_of(frame, unit, **where)
    assert r["status"] == status, f"{unit}: status {r['status']!r}, expected {status!r}"
    if value is None:
        assert np.isnan(r["value"]), f"{unit}: value {r['value']}, expected NaN"
    else:
        assert r["value"] == pytest.approx(value, rel=1e-12, abs=1e-9), f"{unit}: value"
    for name, expected in (("numerator", numerator), ("denominator", denominator)):
        if expected is None:
            assert np.isnan(r[name]), f"{unit}: {name} {r[name]}, expected NaN"
        else:
            assert r[name] == pytest.approx(expected, rel=1e-12, abs=1e-9), f"{unit}: {name}"
    if n is not None:
        assert r["n"] == n, f"{unit}: n {r['n']}, expected {n}"


def assert_no_data(frame: pd.DataFrame, unit: str, n: int = 0, **where) -> None:
    """No data: status no_data, value/numerator/denominator (and any interval) NaN, ``n``
    records (0 by default)."""
    assert_row(frame, unit, None, None, None, n=n, status="no_data", **where)
    r = row_of(frame, unit, **where)
    for name in ("ci_low", "ci_high"):
        if name in r.index:
            assert np.isnan(r[name]), f"{unit}: {name} {r[name]} for a unit without data"


def assert_shape(frame: pd.DataFrame, units, year: int = YEAR) -> None:
    """One row per unit of ``units`` in order, the output columns, the year."""
    from evalkit.indicators.base import OUTPUT_COLUMNS

    assert list(frame.columns[: len(OUTPUT_COLUMNS)]) == OUTPUT_COLUMNS
    assert frame["unit_id"].tolist() == list(units)
    assert (frame["year"] == year).all()
    assert set(frame["status"]) <= {"ok", "no_data"}
