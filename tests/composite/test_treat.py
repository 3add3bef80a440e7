"""Outlier treatment: sample-adjusted skewness and kurtosis, the winsorisation loop, the log fallback."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.composite import check_skew_kurt, kurtosis, log_ct, skewness, treat_outliers, winsorise

# 1..20 and three outliers: two winsorisation steps (300 → 200, then both 200s → 100).
STEPS2 = np.array([*range(1, 21), 100, 200, 300], dtype=float)


def test_statistics_by_hand():
    # Nine zeros and a 10: mean 1, deviations -1 (×9) and 9; Σd² = 90, Σd³ = 720, Σd⁴ = 6570.
    # g1 = √10·720/90^1.5 = 8/3, G1 = g1·√(10·9)/8 = √10; r = 10·6570/90² = 73/9,
    # G2 = (11(73/9 − 3) + 6)·9/(8·7) = 10.
    x = np.array([0] * 9 + [10], dtype=float)
    assert skewness(x) == pytest.approx(np.sqrt(10), rel=1e-12)
    assert kurtosis(x) == pytest.approx(10.0, rel=1e-12)


def test_statistics_match_published_values_and_scipy():
    # COINr articles/treat.md: x <- c(1:10, 30, 100); skew(x) 3.063241, kurt(x) 9.741391
    x = np.array([*range(1, 11), 30, 100], dtype=float)
    assert skewness(x) == pytest.approx(3.063241, abs=5e-7)
    assert kurtosis(x) == pytest.approx(9.741391, abs=5e-7)
    # They are the bias-corrected G1 and G2 (Joanes & Gill 1998), as scipy's bias=False.
    assert skewness(x) == pytest.approx(stats.skew(x, bias=False), rel=1e-12)
    assert kurtosis(x) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-12)


def test_statistics_ignore_missing_and_need_enough_points():
    assert skewness([1.0, np.nan, 2.0, 10.0]) == pytest.approx(skewness([1.0, 2.0, 10.0]))
    assert np.isnan(skewness([1.0, 2.0])) and np.isnan(kurtosis([1.0, 2.0, 3.0]))
    assert np.isnan(skewness([5.0] * 6)) and check_skew_kurt([5.0] * 6) is None


def test_pass_rule_needs_both_skew_and_kurtosis_high():
    x = np.array([*range(1, 11), 30, 100], dtype=float)
    assert check_skew_kurt(x) is False
    assert check_skew_kurt(x, skew_threshold=3.1) is True  # |skew| below → passes
    assert check_skew_kurt(x, kurt_threshold=10) is True  # kurtosis below → passes


def test_published_vector_example():
    # COINr articles/treat.md: Treat(x, f1 = "winsorise", f1_para = list(winmax = 2)) winsorises
    # one point (100 → 30): skew 1.712038, kurt 1.815781.
    x = np.array([*range(1, 11), 30, 100], dtype=float)
    w = winsorise(x, max_points=2)
    assert w.n_winsorised == 1 and w.passed is True
    np.testing.assert_array_equal(w.values, [*range(1, 11), 30, 30])
    assert skewness(w.values) == pytest.approx(1.712038, abs=5e-7)
    assert kurtosis(w.values) == pytest.approx(1.815781, abs=5e-7)
    assert list(w.marks[-2:]) == ["", "winhi"]


def test_winsorisation_loop_two_steps():
    # Before: G1 = 3.05, G2 = 9.10 → fails. Step 1: 300 → 200 (G1 2.66, G2 6.10: fails).
    # Step 2: the two 200s → 100 (G1 2.21 ≥ 2 but G2 3.45 < 3.5: passes).
    w = winsorise(STEPS2, max_points=5)
    np.testing.assert_array_equal(w.values, [*range(1, 21), 100, 100, 100])
    assert w.n_winsorised == 2 and w.passed is True
    assert list(w.marks[-3:]) == ["", "winhi", "winhi"]
    step1 = np.array([*range(1, 21), 100, 200, 200], dtype=float)
    assert check_skew_kurt(step1) is False and check_skew_kurt(w.values) is True
    # A limit of one point stops after step 1, still failing.
    one = winsorise(STEPS2, max_points=1)
    np.testing.assert_array_equal(one.values, step1)
    assert one.n_winsorised == 1 and one.passed is False
    assert winsorise(STEPS2, max_points=0).n_winsorised == 0


def test_low_tail_is_winsorised_from_below():
    w = winsorise(-STEPS2)
    np.testing.assert_array_equal(w.values, -np.array([*range(1, 21), 100, 100, 100]))
    assert list(w.marks[-3:]) == ["", "winlo", "winlo"]


def test_tied_extremes_count_as_several_points():
    # COINr counts every point at the winsorised maximum: two tied 500s make nwin = 2 at once.
    x = np.array([*range(1, 31), 500, 500], dtype=float)
    w = winsorise(x, max_points=5)
    np.testing.assert_array_equal(w.values, [*range(1, 31), 30, 30])
    assert w.n_winsorised == 2


def test_missing_values_are_kept():
    x = np.array([*range(1, 11), np.nan, 30, 100], dtype=float)
    w = winsorise(x, max_points=2)
    assert np.isnan(w.values[10]) and w.values[-1] == 30


def test_log_ct():
    x = np.array([2.0, 4.0, 12.0, np.nan])
    np.testing.assert_allclose(log_ct(x)[:3], np.log([0.1, 2.1, 10.1]))  # x − 2 + 0.01·10
    assert np.isnan(log_ct(x)[3])
    with pytest.raises(ValueError, match="constant"):
        log_ct([3.0, 3.0])


def test_treat_outliers_falls_back_to_log_of_the_original_values():
    data = pd.DataFrame({"skewed": STEPS2, "normal": np.linspace(0, 1, 23)}, index=[f"u{i}" for i in range(23)])
    res = treat_outliers(data, max_points=1)
    expected = np.log(STEPS2 - 1 + 0.01 * 299)
    np.testing.assert_allclose(res.data["skewed"], expected, rtol=1e-15)
    pd.testing.assert_series_equal(res.data["normal"], data["normal"])
    d = res.details
    assert d.loc["skewed", "treatment"] == "log_ct" and d.loc["skewed", "n_winsorised"] == 1
    assert d.loc["normal", "treatment"] == "none" and bool(d.loc["normal", "passed"])
    assert bool(d.loc["skewed", "passed_final"]) is (check_skew_kurt(expected) is True)
    assert set(res.points["skewed"]) == {"log_ct"} and set(res.points["normal"]) == {""}
    # The input is not modified.
    np.testing.assert_array_equal(data["skewed"], STEPS2)


def test_treat_outliers_winsorises_when_enough_and_combines_on_request():
    data = pd.DataFrame({"x": STEPS2})
    res = treat_outliers(data)
    np.testing.assert_array_equal(res.data["x"], [*range(1, 21), 100, 100, 100])
    assert res.details.loc["x", "treatment"] == "winsorised"
    combined = treat_outliers(data, max_points=1, combine=True)
    step1 = np.array([*range(1, 21), 100, 200, 200], dtype=float)
    np.testing.assert_allclose(combined.data["x"], np.log(step1 - 1 + 0.01 * 199))
    assert combined.details.loc["x", "treatment"] == "winsorised+log_ct"
    assert list(combined.points["x"].iloc[-2:]) == ["log_ct", "winhi+log_ct"]
    kept = treat_outliers(data, max_points=1, transform="none")
    np.testing.assert_array_equal(kept.data["x"], step1)


def test_skip_and_undefined():
    data = pd.DataFrame({"x": STEPS2, "flat": np.ones(23), "short": [1.0, 2.0] + [np.nan] * 21})
    res = treat_outliers(data, skip=("x",))
    assert list(res.details["treatment"]) == ["skipped", "undefined", "undefined"]
    pd.testing.assert_frame_equal(res.data, data)
    with pytest.raises(ValueError, match="expected indicators of the data"):
        treat_outliers(data, skip=("nope",))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=5, max_size=40),
       st.integers(0, 6))
def test_winsorisation_invariants(values, limit):
    x = np.array(values)
    w = winsorise(x, max_points=limit)
    # Values only move inward, within the original range; the order of units is kept.
    assert np.all(w.values <= x.max()) and np.all(w.values >= x.min())
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(w.values[order]) >= 0)
    changed = w.values != x
    assert np.all(w.marks[changed] != "")
    # It stops as soon as it passes (or the limit binds, or nothing is left to move).
    if w.passed is False and limit > 0 and np.unique(w.values).size > 2:
        assert w.n_winsorised >= limit


def test_winsorising_to_a_constant_falls_back_to_the_log():
    # Nine zeros and a 10 (G1 = √10, G2 = 10): one step makes every value 0, where skewness
    # and kurtosis are undefined; that counts as failing, so the original values are logged.
    x = np.array([0] * 9 + [10], dtype=float)
    res = treat_outliers(pd.DataFrame({"x": x}))
    row = res.details.loc["x"]
    assert row["n_winsorised"] == 1 and pd.isna(row["passed_winsorised"]) and row["treatment"] == "log_ct"
    np.testing.assert_allclose(res.data["x"], np.log(x + 0.1))
