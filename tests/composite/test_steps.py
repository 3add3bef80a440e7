"""Denomination, unit screening and imputation on small hand-worked tables."""

import numpy as np
import pandas as pd
import pytest

from evalkit.composite import data_availability, denominate, impute, screen_units

UNITS = ["A", "B", "C", "D"]


def test_denominate_divides_and_scales():
    data = pd.DataFrame({"gdp": [100.0, 50.0, np.nan, 8.0], "lpi": [3.0, 4.0, 5.0, 2.0]}, index=UNITS)
    # Matched by unit code, not by position: the denominators come in another order.
    denoms = pd.DataFrame({"pop": [np.nan, 2.0, 5.0, 10.0], "area": [1.0, 1.0, 1.0, 1.0]},
                          index=["D", "C", "B", "A"])
    out = denominate(data, denoms, {"gdp": "pop"}, scale={"gdp": 1000})
    np.testing.assert_allclose(out["gdp"], [100 * 1000 / 10, 50 * 1000 / 5, np.nan, np.nan])
    pd.testing.assert_series_equal(out["lpi"], data["lpi"])
    assert data.loc["A", "gdp"] == 100.0  # input untouched


def test_denominate_errors():
    data = pd.DataFrame({"x": [1.0, 2.0]}, index=["A", "B"])
    with pytest.raises(ValueError, match="which is 0 for B"):
        denominate(data, pd.DataFrame({"d": [1.0, 0.0]}, index=["A", "B"]), {"x": "d"})
    with pytest.raises(ValueError, match="denominator columns \\['e'\\]"):
        denominate(data, pd.DataFrame({"d": [1.0, 2.0]}, index=["A", "B"]), {"x": "e"})
    with pytest.raises(ValueError, match="found none for B"):
        denominate(data, pd.DataFrame({"d": [1.0]}, index=["A"]), {"x": "d"})


SCREEN_DATA = pd.DataFrame({
    "i1": [1.0, 0.0, np.nan, np.nan],
    "i2": [2.0, 0.0, 5.0, np.nan],
    "i3": [3.0, 0.0, 6.0, np.nan],
}, index=UNITS)


def test_data_availability():
    summary = data_availability(SCREEN_DATA)
    np.testing.assert_allclose(summary["availability"], [1, 1, 2 / 3, 0])
    np.testing.assert_allclose(summary["nonzero_share"], [1, 0, 1, np.nan])
    assert list(summary["n_missing"]) == [0, 0, 1, 3] and list(summary["n_zero"]) == [0, 3, 0, 0]


def test_screen_by_missing_zeros_and_forcing():
    kept, summary = screen_units(SCREEN_DATA)  # COINr default: 2/3
    assert list(kept.index) == ["A", "B", "C"] and list(summary["included"]) == [True, True, True, False]
    kept, _ = screen_units(SCREEN_DATA, min_coverage=0.9)
    assert list(kept.index) == ["A", "B"]
    kept, _ = screen_units(SCREEN_DATA, by="zeros")
    assert list(kept.index) == ["A", "C"]  # B is all zeros; D has no values at all
    kept, _ = screen_units(SCREEN_DATA, by="missing_or_zeros")
    assert list(kept.index) == ["A", "C"]
    kept, _ = screen_units(SCREEN_DATA, min_coverage=0.9, include=["D"], exclude=["A"])
    assert list(kept.index) == ["B", "D"]
    with pytest.raises(ValueError, match="both forced in and out"):
        screen_units(SCREEN_DATA, include=["A"], exclude=["A"])
    with pytest.raises(ValueError, match="not in the data"):
        screen_units(SCREEN_DATA, include=["Z"])


def test_impute_by_column_and_by_group():
    data = pd.DataFrame({"x": [1.0, np.nan, 3.0, 10.0, np.nan, np.nan],
                         "y": [np.nan, np.nan, 1.0, 2.0, 4.0, np.nan]}, index=list("abcdef"))
    groups = pd.Series(["eu", "eu", "eu", "as", "as", None], index=list("abcdef"))
    out = impute(data, "mean")
    np.testing.assert_allclose(out["x"], [1, 14 / 3, 3, 10, 14 / 3, 14 / 3])
    out = impute(data, "median")
    np.testing.assert_allclose(out["y"], [2, 2, 1, 2, 4, 2])
    out = impute(data, "group_mean", groups)
    # eu: x mean 2 fills b; as: x mean 10 fills e; f has no group and stays missing;
    # y: eu mean 1 fills a, b; as: mean 3 (of 2, 4) has nothing to fill.
    np.testing.assert_allclose(out["x"], [1, 2, 3, 10, 10, np.nan])
    np.testing.assert_allclose(out["y"], [1, 1, 1, 2, 4, np.nan])
    only_asia = data.assign(x=[np.nan, np.nan, np.nan, 10.0, np.nan, np.nan])
    assert impute(only_asia, "group_mean", groups)["x"].isna().sum() == 4  # eu group has no x at all
    with pytest.raises(ValueError, match="needs the unit groups"):
        impute(data, "group_median")
