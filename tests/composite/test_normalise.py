"""Normalisations: formulas, directions, missing values, input/output kinds.

Expected values are worked by hand from the formulas in the docstrings (OECD/JRC
Handbook, Nardo et al. 2008, section 5; COINr's n_minmax, n_zscore, n_dist2targ, n_rank,
n_prank) or computed with an independent implementation (scipy.stats).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from evalkit.scoring.normalise import distance_to_target, min_max, percentile, rank, vector, z_score

FRAME = pd.DataFrame({"办结率": [0.80, 0.90, 1.00, np.nan], "投诉数": [10.0, 20.0, 20.0, 40.0]},
                     index=["甲", "乙", "丙", "丁"])
DIRECTIONS = {"办结率": 1, "投诉数": -1}


def test_min_max_directions_and_missing():
    out = min_max(FRAME, DIRECTIONS)
    assert isinstance(out, pd.DataFrame) and out.index.equals(FRAME.index) and out.columns.equals(FRAME.columns)
    np.testing.assert_allclose(out["办结率"], [0, 50, 100, np.nan])
    np.testing.assert_allclose(out["投诉数"], [100, 200 / 3, 200 / 3, 0])  # (40 - x) / 30
    np.testing.assert_allclose(min_max(FRAME, [1, -1], lower=1, upper=10)["投诉数"], [10, 7, 7, 1])


def test_min_max_input_kinds():
    s = FRAME["投诉数"]
    pd.testing.assert_series_equal(min_max(s, -1), pd.Series([100, 200 / 3, 200 / 3, 0], index=s.index, name="投诉数"))
    np.testing.assert_allclose(min_max(np.array([3.0, 1.0, 2.0])), [100, 0, 50])
    np.testing.assert_allclose(min_max(np.array([[1.0, 5.0], [3.0, 1.0]]), [1, -1]), [[0, 0], [100, 100]])


def test_min_max_constant_indicator_policy():
    x = pd.DataFrame({"c": [2.0, 2.0, np.nan]})
    with pytest.raises(ValueError, match="column 'c' has the same value for every unit"):
        min_max(x)
    np.testing.assert_allclose(min_max(x, on_constant="midpoint")["c"], [50, 50, np.nan])
    assert min_max(x, on_constant="nan")["c"].isna().all()
    with pytest.raises(ValueError, match="on_constant"):
        min_max(x, on_constant="zero")


def test_z_score_default_ddof_is_sample_sd():
    out = z_score(FRAME, DIRECTIONS)
    # 办结率: mean 0.9, sample sd 0.1 -> -1, 0, 1; missing stays missing.
    np.testing.assert_allclose(out["办结率"], [-1, 0, 1, np.nan])
    x = FRAME["投诉数"].to_numpy()
    np.testing.assert_allclose(out["投诉数"], -stats.zscore(x, ddof=1))
    np.testing.assert_allclose(z_score(x, ddof=0), stats.zscore(x, ddof=0))


def test_z_score_constant():
    with pytest.raises(ValueError, match="same value"):
        z_score(np.array([1.0, 1.0, 1.0]))
    np.testing.assert_allclose(z_score(np.array([1.0, 1.0, np.nan]), on_constant="midpoint"), [0, 0, np.nan])


def test_distance_to_target():
    out = distance_to_target(FRAME, {"办结率": 0.95, "投诉数": 15}, DIRECTIONS)
    # (x - 0.8) / (0.95 - 0.8) and (40 - x) / (40 - 15), on a 0-100 scale.
    np.testing.assert_allclose(out["办结率"], [0, 200 / 3, 400 / 3, np.nan])
    np.testing.assert_allclose(out["投诉数"], [120, 80, 80, 0])
    capped = distance_to_target(FRAME, [0.95, 15], [1, -1], cap=True)
    np.testing.assert_allclose(capped["办结率"], [0, 200 / 3, 100, np.nan])
    with pytest.raises(ValueError, match="target 0.7 is not beyond the worst observed value 0.8"):
        distance_to_target(FRAME, {"办结率": 0.7, "投诉数": 15}, DIRECTIONS)


def test_rank_and_percentile():
    r = rank(FRAME, DIRECTIONS)
    np.testing.assert_allclose(r["办结率"], [1, 2, 3, np.nan])
    np.testing.assert_allclose(r["投诉数"], [4, 2, 2, 1])  # ties share the lower rank ("min")
    np.testing.assert_allclose(rank(FRAME, DIRECTIONS, ties="average")["投诉数"], [4, 2.5, 2.5, 1])
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    np.testing.assert_allclose(rank(x, ties="min"), stats.rankdata(x, method="min"))
    p = percentile(FRAME, DIRECTIONS)
    np.testing.assert_allclose(p["办结率"], [0, 50, 100, np.nan])  # 100 (r - 1) / (n - 1), n = 3 with data
    np.testing.assert_allclose(p["投诉数"], [100, 100 / 3, 100 / 3, 0])
    assert np.isnan(percentile(np.array([7.0]))[0])
    with pytest.raises(ValueError, match="ties"):
        rank(x, ties="random")


def test_vector_normalisation():
    np.testing.assert_allclose(vector(np.array([3.0, 4.0])), [0.6, 0.8])
    with pytest.raises(ValueError, match="zero for every unit"):
        vector(np.zeros((2, 1)))


def test_direction_and_type_errors():
    with pytest.raises(ValueError, match="no direction given"):
        min_max(FRAME, {"办结率": 1})
    with pytest.raises(ValueError, match="unknown"):
        min_max(FRAME, {"办结率": 1, "投诉数": -1, "其他": 1})
    with pytest.raises(ValueError, match="got 3 directions for 2"):
        min_max(FRAME, [1, 1, 1])
    with pytest.raises(TypeError, match="column '名称' is not numeric"):
        min_max(pd.DataFrame({"名称": ["甲", "乙"]}))


tables = arrays(np.float64, st.tuples(st.integers(2, 15), st.integers(1, 5)),
                elements=st.one_of(st.floats(-1e6, 1e6), st.just(np.nan)))


@settings(max_examples=100, deadline=None)
@given(tables, st.data())
def test_properties_bounds_missing_and_direction(x, data):
    d = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=x.shape[1], max_size=x.shape[1])))
    mm = min_max(x, d, on_constant="nan")
    pr = percentile(x, d)
    for out in (mm, pr, z_score(x, d, on_constant="nan"), rank(x, d)):
        assert np.all(np.isnan(out[np.isnan(x)]))  # missing stays missing
    ok = ~np.isnan(mm)
    assert np.all((mm[ok] >= -1e-9) & (mm[ok] <= 100 + 1e-9))
    ok = ~np.isnan(pr)
    assert np.all((pr[ok] >= 0) & (pr[ok] <= 100))
    # Reversing the direction is the same as negating the data.
    np.testing.assert_allclose(min_max(x, -d, on_constant="nan"), min_max(-x, d, on_constant="nan"), atol=1e-9)
    np.testing.assert_allclose(rank(x, -d), rank(-x, d))
